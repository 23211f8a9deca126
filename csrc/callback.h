#ifndef RCTYPES_CALLBACK_H
#define RCTYPES_CALLBACK_H
/* The cookbook's allocator: C asks the host for a float array of a shape. */
typedef void *(*allocator_t)(int dim, int *shape);
void foo(allocator_t allocator);

/* The typed allocator: the host is also told the numpy type character. */
typedef void *(*typed_allocator_t)(int dims, int *shape, char typecode);
int func(int scale, typed_allocator_t allocator);
int func_threads(int nthreads, typed_allocator_t allocator);

/* Plain callbacks for round-trip tests. */
typedef int (*int_binop_t)(int, int);
int apply_binop(int_binop_t op, int a, int b);
long long fold_calls(int_binop_t op, int n);
typedef double (*double_fn_t)(double);
double integrate(double_fn_t f, double lo, double hi, int steps);
int call_from_thread(int_binop_t op, int a, int b);
/* nthreads threads (at most 16) started together, each calling op(index, i)
 * for i in 0..calls: the sum of every result. */
long long call_concurrently(int_binop_t op, int nthreads, int calls);

/* Scalar round trips: call_T(f, a, b) calls f(a, b) once and returns what
 * it returned, for every scalar C type. */
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>
#define RCTYPES_ROUND_TRIP(name, T) \
    typedef T (*name##_binop_t)(T, T); \
    T call_##name(name##_binop_t f, T a, T b);
RCTYPES_ROUND_TRIP(bool, bool)
RCTYPES_ROUND_TRIP(char, char)
RCTYPES_ROUND_TRIP(wchar, wchar_t)
RCTYPES_ROUND_TRIP(schar, signed char)
RCTYPES_ROUND_TRIP(uchar, unsigned char)
RCTYPES_ROUND_TRIP(short, short)
RCTYPES_ROUND_TRIP(ushort, unsigned short)
RCTYPES_ROUND_TRIP(int, int)
RCTYPES_ROUND_TRIP(uint, unsigned int)
RCTYPES_ROUND_TRIP(long, long)
RCTYPES_ROUND_TRIP(ulong, unsigned long)
RCTYPES_ROUND_TRIP(llong, long long)
RCTYPES_ROUND_TRIP(ullong, unsigned long long)
RCTYPES_ROUND_TRIP(size, size_t)
RCTYPES_ROUND_TRIP(float, float)
RCTYPES_ROUND_TRIP(double, double)
RCTYPES_ROUND_TRIP(longdouble, long double)
RCTYPES_ROUND_TRIP(ptr, void *)

/* Ten arguments of mixed classes (more than the registers hold): f gets
 * (-5, 60000, -70000, 2^40, 1.5f, 2.25, 200, -3.5, 42, 0.125f). */
typedef double (*mixed_fn_t)(signed char, unsigned short, int, long long, float,
                             double, unsigned char, double, int, float);
double call_mixed(mixed_fn_t f);

/* A string argument: returns f(s). */
typedef int (*string_fn_t)(const char *);
int call_with_string(string_fn_t f, const char *s);

/* Pointer arguments: returns cmp(&a, &b). */
typedef int (*int_cmp_t)(const int *, const int *);
int call_compare(int_cmp_t cmp, int a, int b);
/* Returns cmp(NULL, &0): a callback must cope with a null argument. */
int call_with_null(int_cmp_t cmp);
/* Sorts the n ints of a with libc's qsort and cmp. */
void sort_ints(int *a, int n, int_cmp_t cmp);

/* A void callback called n times with 0..n-1. */
typedef void (*int_sink_t)(int);
void call_void(int_sink_t f, int n);

/* Registration: C keeps op until unregistered. */
void register_binop(int_binop_t op);
int call_registered(int a, int b);
void unregister_binop(void);

/* A C function, the floor for callback benchmarks. */
int c_add(int a, int b);
/* Calls cmp(&i, &n) for i in 0..n-1 and returns the sum of the results. */
long long fold_compares(int_cmp_t cmp, int n);
/* A C comparator, the floor for fold_compares: -1, 0 or 1 as *a is below,
 * equal to or above *b. */
int c_compare(const int *a, const int *b);

/* Asks for one 2x3 array of `typecode` and fills element k with k + 1.
 * Returns 1 when filled, 0 when the allocator gave NULL. */
int fill_typecode(char typecode, typed_allocator_t allocator);
/* What the last fill_typecode returned. */
extern int last_fill;

/* A struct C asks the host for by address and reads: sum_point_from returns
 * x + y of what get() points to, or -1 for NULL, and keeps it in
 * last_point_sum. */
typedef struct { int x, y; } cb_point;
typedef const cb_point *(*point_source_t)(void);
int sum_point_from(point_source_t get);
extern int last_point_sum;
#endif
