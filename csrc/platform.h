#ifndef RCTYPES_PLATFORM_H
#define RCTYPES_PLATFORM_H
/* platform.c: what the target's C compiler says about the platform, for
 * tests that hold rctypes' own rules against it, and functions in the
 * platform's other calling conventions. */

#include <stddef.h>

int platform_char_is_signed(void);
int platform_wchar_size(void);
int platform_wchar_is_signed(void);
int platform_long_double_size(void);
int platform_long_double_align(void);
int platform_long_double_mant_dig(void);
long double platform_long_double_third(void);

/* An unnamed zero-width bitfield between two chars. */
struct ZeroWidth { char a; long long : 0; char b; };
int platform_zero_width_size(void);
int platform_zero_width_align(void);
int platform_zero_width_b_offset(void);
/* An unnamed bitfield of some width between two chars. */
struct UnnamedBits { char a; int : 3; char c; };
int platform_unnamed_bits_size(void);
int platform_unnamed_bits_align(void);

/* Homogeneous float aggregates, passed and returned by value. */
typedef struct { float x, y, z; } Hfa3f;
typedef struct { double a, b, c, d; } Hfa4d;
typedef struct { long double re, im; } Hfa2ld;
Hfa3f platform_hfa3f_scale(Hfa3f v, float k);
Hfa4d platform_hfa4d_rotate(Hfa4d v);
long double platform_hfa2ld_norm2(Hfa2ld v);

/* A union of floats only, and one that is not. */
typedef union { float f[2]; float g; } FloatPair;
float platform_float_pair_sum(FloatPair p);
typedef struct { float x; union { float f; int i; } u; } FloatAndMixed;
float platform_float_and_mixed(FloatAndMixed m, int use_int);

/* Variadic arguments of narrow and float types. */
double platform_vsum(int count, ...);

#if defined(__x86_64__) && !defined(_WIN32)
/* The Microsoft x64 convention from System V code: five arguments, the
 * last on the stack past the shadow space. */
__attribute__((ms_abi)) long long platform_win64_mix(int a, double b, long long c, float d, int e);
#endif
#if defined(__i386__)
__attribute__((stdcall)) int platform_stdcall_sub(int a, int b);
__attribute__((fastcall)) int platform_fastcall_sub(int a, int b);
#endif

#endif
