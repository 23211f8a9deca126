#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "abi.h"

void noop(void) {}
int add_int(int a, int b) { return a + b; }
double add_double(double a, double b) { return a + b; }

double mixed6(int a, double b, long c, float d, short e, double f)
{
    return a + b + (double)c + d + e + f;
}

/* Weights each argument by its position so a swap is visible. */
double mixed10(int a, double b, int c, double d, int e, double f, int g,
               double h, long long i, double j)
{
    return 1 * a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h +
           9 * (double)i + 10 * j;
}

/* Ten ints: four go on the stack. Weighted, so a swap is visible. */
long long spill10(int a, int b, int c, int d, int e, int f, int g, int h,
                  int i, int j)
{
    return 1LL * a + 2LL * b + 3LL * c + 4LL * d + 5LL * e + 6LL * f +
           7LL * g + 8LL * h + 9LL * i + 10LL * j;
}

long seven_longs(long a, long b, long c, long d, long e, long f, long g)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g;
}

/* Ten doubles and two floats past the registers, mixed with ints. */
double spill_floats(double a, double b, double c, double d, double e,
                    double f, double g, double h, double i, int n,
                    float j, double k)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h +
           9 * i + 10 * n + 11 * j + 12 * k;
}

long long sum_ints(int n, ...)
{
    va_list ap;
    long long total = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        total += va_arg(ap, int);
    va_end(ap);
    return total;
}

double sum_doubles(int n, ...)
{
    va_list ap;
    double total = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        total += va_arg(ap, double); /* floats arrive promoted */
    va_end(ap);
    return total;
}

/* The first element of each of the n arrays that follow n. */
double sum_first_elements(int n, ...)
{
    va_list ap;
    double total = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        total += *va_arg(ap, const double *);
    va_end(ap);
    return total;
}

bool id_bool(bool v) { return v; }
char id_char(char v) { return v; }
signed char id_schar(signed char v) { return v; }
unsigned char id_uchar(unsigned char v) { return v; }
short id_short(short v) { return v; }
unsigned short id_ushort(unsigned short v) { return v; }
int id_int(int v) { return v; }
unsigned int id_uint(unsigned int v) { return v; }
long id_long(long v) { return v; }
unsigned long id_ulong(unsigned long v) { return v; }
long long id_longlong(long long v) { return v; }
unsigned long long id_ulonglong(unsigned long long v) { return v; }
size_t id_size_t(size_t v) { return v; }
ssize_t id_ssize_t(ssize_t v) { return v; }
float id_float(float v) { return v; }
double id_double(double v) { return v; }
long double id_longdouble(long double v) { return v; }
wchar_t id_wchar(wchar_t v) { return v; }
void *id_pointer(void *v) { return v; }

/* volatile keeps the compiler from folding the widening into the caller's
 * expectations: the return register's upper bits are whatever they are. */
signed char negative_schar(void) { volatile signed char v = -5; return v; }
short negative_short(void) { volatile short v = -1234; return v; }
unsigned char big_uchar(void) { volatile unsigned char v = 250; return v; }
unsigned short big_ushort(void) { volatile unsigned short v = 65000; return v; }
bool true_bool(void) { volatile bool v = true; return v; }

long double ld_mul(long double a, long double b) { return a * b; }

long double ld_from_parts(long long whole, long long num, long long den)
{
    return (long double)whole + (long double)num / (long double)den;
}

int ld_is_exact(long double v, long long expected)
{
    return v == (long double)expected;
}

size_t str_len(const char *s) { return strlen(s); }
const char *greeting(void) { return "hello from C"; }
const char *maybe_null(int give) { return give ? "given" : NULL; }

/* Writes "seed:<n>" into buf (at most size bytes with the NUL); returns the
 * length written, or -1 when it does not fit. */
int fill_buffer(char *buf, int size, int seed)
{
    char tmp[32];
    int len = 0;
    tmp[len++] = 's'; tmp[len++] = 'e'; tmp[len++] = 'e'; tmp[len++] = 'd';
    tmp[len++] = ':';
    char digits[16];
    int nd = 0;
    unsigned v = seed < 0 ? (unsigned)-seed : (unsigned)seed;
    do { digits[nd++] = (char)('0' + v % 10); v /= 10; } while (v);
    if (seed < 0) tmp[len++] = '-';
    while (nd) tmp[len++] = digits[--nd];
    if (len + 1 > size)
        return -1;
    memcpy(buf, tmp, (size_t)len);
    buf[len] = '\0';
    return len;
}

size_t wide_len(const wchar_t *s) { return wcslen(s); }
const wchar_t *wide_greeting(void) { return L"h\u00e9llo"; }

void out_params(int a, int *doubled, double *half)
{
    *doubled = 2 * a;
    *half = a / 2.0;
}

int set_errno_to(int value)
{
    errno = value;
    return -1;
}

int counter = 41;
double ratio = 0.5;
const char *motto = "zero copy";
int bump_counter(void) { return ++counter; }
const int abi_version = 3;
long long shared_word = 0;
long double shared_precise = 0.0L;
long long shared_word_value(void) { return shared_word; }
long double shared_precise_value(void) { return shared_precise; }
