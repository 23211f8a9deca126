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
#endif
