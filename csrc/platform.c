#include <float.h>
#include <limits.h>
#include <stdarg.h>
#include <wchar.h>
#include "platform.h"

int platform_char_is_signed(void) { return CHAR_MIN < 0; }
int platform_wchar_size(void) { return (int)sizeof(wchar_t); }
int platform_wchar_is_signed(void) { return (wchar_t)-1 < 0; }
int platform_long_double_size(void) { return (int)sizeof(long double); }
int platform_long_double_align(void) { return (int)_Alignof(long double); }
int platform_long_double_mant_dig(void) { return LDBL_MANT_DIG; }
long double platform_long_double_third(void) { return 1.0L / 3.0L; }

int platform_zero_width_size(void) { return (int)sizeof(struct ZeroWidth); }
int platform_zero_width_align(void) { return (int)_Alignof(struct ZeroWidth); }
int platform_zero_width_b_offset(void) { return (int)offsetof(struct ZeroWidth, b); }
int platform_unnamed_bits_size(void) { return (int)sizeof(struct UnnamedBits); }
int platform_unnamed_bits_align(void) { return (int)_Alignof(struct UnnamedBits); }

Hfa3f platform_hfa3f_scale(Hfa3f v, float k)
{
    Hfa3f r = { v.x * k, v.y * k, v.z * k };
    return r;
}

Hfa4d platform_hfa4d_rotate(Hfa4d v)
{
    Hfa4d r = { v.d, v.a, v.b, v.c };
    return r;
}

long double platform_hfa2ld_norm2(Hfa2ld v) { return v.re * v.re + v.im * v.im; }

float platform_float_pair_sum(FloatPair p) { return p.f[0] + 10.0f * p.f[1]; }

float platform_float_and_mixed(FloatAndMixed m, int use_int)
{
    return m.x + (use_int ? (float)m.u.i : m.u.f);
}

/* Each argument is an int, then a double, `count` pairs: weighted so a
 * swap shows. */
double platform_vsum(int count, ...)
{
    va_list ap;
    double total = 0;
    va_start(ap, count);
    for (int i = 0; i < count; i++) {
        int n = va_arg(ap, int);
        double d = va_arg(ap, double);
        total += (i + 1) * (n + d);
    }
    va_end(ap);
    return total;
}

#if defined(__x86_64__) && !defined(_WIN32)
__attribute__((ms_abi)) long long platform_win64_mix(int a, double b, long long c, float d, int e)
{
    return a * 10000LL + (long long)(b * 100) + c * 7 + (long long)(d * 10) + e;
}
#endif
#if defined(__i386__)
__attribute__((stdcall)) int platform_stdcall_sub(int a, int b) { return a - b; }
__attribute__((fastcall)) int platform_fastcall_sub(int a, int b) { return a - b; }
#endif
