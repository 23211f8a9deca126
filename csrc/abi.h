#ifndef RCTYPES_ABI_H
#define RCTYPES_ABI_H
/* abi.c: functions that exercise every fundamental C type across the call
 * boundary. Not from the seeds: they are the foundation's test surface. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#include <sys/types.h>

void noop(void);
int add_int(int a, int b);
double add_double(double a, double b);
double mixed6(int a, double b, long c, float d, short e, double f);
double mixed10(int a, double b, int c, double d, int e, double f, int g,
               double h, long long i, double j);
long long spill10(int a, int b, int c, int d, int e, int f, int g, int h,
                  int i, int j);
/* One argument past the six integer registers (x86-64). */
long seven_longs(long a, long b, long c, long d, long e, long f, long g);
double spill_floats(double a, double b, double c, double d, double e,
                    double f, double g, double h, double i, int n,
                    float j, double k);
long long sum_ints(int n, ...);
double sum_doubles(int n, ...);

bool id_bool(bool v);
char id_char(char v);
signed char id_schar(signed char v);
unsigned char id_uchar(unsigned char v);
short id_short(short v);
unsigned short id_ushort(unsigned short v);
int id_int(int v);
unsigned int id_uint(unsigned int v);
long id_long(long v);
unsigned long id_ulong(unsigned long v);
long long id_longlong(long long v);
unsigned long long id_ulonglong(unsigned long long v);
size_t id_size_t(size_t v);
ssize_t id_ssize_t(ssize_t v);
float id_float(float v);
double id_double(double v);
long double id_longdouble(long double v);
wchar_t id_wchar(wchar_t v);
void *id_pointer(void *v);

/* Small returns whose upper register bits C leaves undefined. */
signed char negative_schar(void);
short negative_short(void);
unsigned char big_uchar(void);
unsigned short big_ushort(void);
bool true_bool(void);

long double ld_mul(long double a, long double b);
long double ld_from_parts(long long whole, long long num, long long den);
int ld_is_exact(long double v, long long expected);

size_t str_len(const char *s);
const char *greeting(void);
const char *maybe_null(int give);
int fill_buffer(char *buf, int size, int seed);
size_t wide_len(const wchar_t *s);
const wchar_t *wide_greeting(void);

void out_params(int a, int *doubled, double *half);
int set_errno_to(int value);

extern int counter;
extern double ratio;
extern const char *motto;
int bump_counter(void);
/* Read-only: the loader maps it in a page writes fault on. */
extern const int abi_version;
/* Globals Rust threads write at once: C reads what the last one wrote. */
extern long long shared_word;
extern long double shared_precise;
long long shared_word_value(void);
long double shared_precise_value(void);
#endif
