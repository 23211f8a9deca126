/* callback.c: C calling back into the host (the cookbook's allocator pattern). */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include "callback.h"

void foo(allocator_t allocator)
{
    int dim = 2;
    int shape[] = {2, 3};
    printf("foo calling allocator\n");
    float *data = (float *)allocator(dim, shape);
    printf("allocator returned in foo\n");
    printf("data = %p\n", (void *)data);
    if (data == NULL)
        return;
    for (int i = 0; i < shape[0]; i++)
        for (int j = 0; j < shape[1]; j++)
            *data++ = (float)((i + 1) * (j + 1));
}

/* Asks for three arrays of three types and fills each with its flat index
 * times scale. Returns how many arrays it filled; stops at the first NULL. */
int func(int scale, typed_allocator_t allocator)
{
    int dims3[] = {2, 3, 4};
    double *d = (double *)allocator(3, dims3, 'd');
    if (d == NULL)
        return 0;
    for (int i = 0; i < 24; i++)
        d[i] = (double)(i * scale);

    int dims1[] = {5};
    float *f = (float *)allocator(1, dims1, 'f');
    if (f == NULL)
        return 1;
    for (int i = 0; i < 5; i++)
        f[i] = (float)(i * scale) + 0.5f;

    int dims2[] = {2, 2};
    int *n = (int *)allocator(2, dims2, 'i');
    if (n == NULL)
        return 2;
    for (int i = 0; i < 4; i++)
        n[i] = -i * scale;
    return 3;
}

struct thread_job {
    typed_allocator_t allocator;
    int index;
    int ok;
};

static void *thread_allocate(void *arg)
{
    struct thread_job *job = (struct thread_job *)arg;
    for (int round = 0; round < 50; round++) {
        int shape[] = {job->index + 1, 4};
        int *data = (int *)job->allocator(2, shape, 'i');
        if (data == NULL)
            return NULL;
        for (int k = 0; k < shape[0] * shape[1]; k++)
            data[k] = job->index * 1000 + round;
    }
    job->ok = 1;
    return NULL;
}

/* Several C threads calling one allocator at once. Returns how many threads
 * finished all their allocations. */
int func_threads(int nthreads, typed_allocator_t allocator)
{
    pthread_t threads[16];
    struct thread_job jobs[16];
    if (nthreads > 16)
        nthreads = 16;
    for (int t = 0; t < nthreads; t++) {
        jobs[t].allocator = allocator;
        jobs[t].index = t;
        jobs[t].ok = 0;
        pthread_create(&threads[t], NULL, thread_allocate, &jobs[t]);
    }
    int finished = 0;
    for (int t = 0; t < nthreads; t++) {
        pthread_join(threads[t], NULL);
        finished += jobs[t].ok;
    }
    return finished;
}

int apply_binop(int_binop_t op, int a, int b)
{
    return op(a, b);
}

/* Calls op(i, acc-bits) n times and returns the sum of the results. */
long long fold_calls(int_binop_t op, int n)
{
    long long total = 0;
    for (int i = 0; i < n; i++)
        total += op(i, 1);
    return total;
}

double integrate(double_fn_t f, double lo, double hi, int steps)
{
    double h = (hi - lo) / steps, total = 0.0;
    for (int i = 0; i < steps; i++)
        total += f(lo + (i + 0.5) * h) * h;
    return total;
}

struct binop_job {
    int_binop_t op;
    int a, b, result;
};

static void *run_binop(void *arg)
{
    struct binop_job *job = (struct binop_job *)arg;
    job->result = job->op(job->a, job->b);
    return NULL;
}

/* Calls op from a thread that C creates. */
int call_from_thread(int_binop_t op, int a, int b)
{
    pthread_t thread;
    struct binop_job job = {op, a, b, 0};
    if (pthread_create(&thread, NULL, run_binop, &job) != 0)
        return -1;
    pthread_join(thread, NULL);
    return job.result;
}

struct concurrent_job {
    int_binop_t op;
    int *go;
    int index, calls;
    long long total;
};

static void *run_concurrently(void *arg)
{
    struct concurrent_job *job = (struct concurrent_job *)arg;
    /* Every thread starts calling at once, when the last one exists. */
    while (!__atomic_load_n(job->go, __ATOMIC_ACQUIRE))
        sched_yield();
    for (int i = 0; i < job->calls; i++)
        job->total += job->op(job->index, i);
    return NULL;
}

/* Starts nthreads threads (at most 16), which then call op(index, i) for i
 * in 0..calls together; returns the sum of every result, or -1 if a thread
 * could not start. */
long long call_concurrently(int_binop_t op, int nthreads, int calls)
{
    pthread_t threads[16];
    struct concurrent_job jobs[16];
    int go = 0, started = 0;
    if (nthreads > 16)
        nthreads = 16;
    for (; started < nthreads; started++) {
        jobs[started] = (struct concurrent_job){op, &go, started, calls, 0};
        if (pthread_create(&threads[started], NULL, run_concurrently, &jobs[started]) != 0)
            break;
    }
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    long long total = 0;
    for (int t = 0; t < started; t++) {
        pthread_join(threads[t], NULL);
        total += jobs[t].total;
    }
    return started == nthreads ? total : -1;
}

#define RCTYPES_ROUND_TRIP_DEF(name, T) \
    T call_##name(name##_binop_t f, T a, T b) { return f(a, b); }
RCTYPES_ROUND_TRIP_DEF(bool, bool)
RCTYPES_ROUND_TRIP_DEF(char, char)
RCTYPES_ROUND_TRIP_DEF(wchar, wchar_t)
RCTYPES_ROUND_TRIP_DEF(schar, signed char)
RCTYPES_ROUND_TRIP_DEF(uchar, unsigned char)
RCTYPES_ROUND_TRIP_DEF(short, short)
RCTYPES_ROUND_TRIP_DEF(ushort, unsigned short)
RCTYPES_ROUND_TRIP_DEF(int, int)
RCTYPES_ROUND_TRIP_DEF(uint, unsigned int)
RCTYPES_ROUND_TRIP_DEF(long, long)
RCTYPES_ROUND_TRIP_DEF(ulong, unsigned long)
RCTYPES_ROUND_TRIP_DEF(llong, long long)
RCTYPES_ROUND_TRIP_DEF(ullong, unsigned long long)
RCTYPES_ROUND_TRIP_DEF(size, size_t)
RCTYPES_ROUND_TRIP_DEF(float, float)
RCTYPES_ROUND_TRIP_DEF(double, double)
RCTYPES_ROUND_TRIP_DEF(longdouble, long double)
RCTYPES_ROUND_TRIP_DEF(ptr, void *)

double call_mixed(mixed_fn_t f)
{
    return f(-5, 60000, -70000, 1LL << 40, 1.5f, 2.25, 200, -3.5, 42, 0.125f);
}

int call_with_string(string_fn_t f, const char *s)
{
    return f(s);
}

int call_compare(int_cmp_t cmp, int a, int b)
{
    return cmp(&a, &b);
}

int call_with_null(int_cmp_t cmp)
{
    int zero = 0;
    return cmp(NULL, &zero);
}

void sort_ints(int *a, int n, int_cmp_t cmp)
{
    qsort(a, (size_t)n, sizeof *a, (int (*)(const void *, const void *))cmp);
}

void call_void(int_sink_t f, int n)
{
    for (int i = 0; i < n; i++)
        f(i);
}

static int_binop_t registered;

void register_binop(int_binop_t op)
{
    registered = op;
}

int call_registered(int a, int b)
{
    return registered ? registered(a, b) : -1;
}

void unregister_binop(void)
{
    registered = NULL;
}

int c_add(int a, int b)
{
    return a + b;
}

long long fold_compares(int_cmp_t cmp, int n)
{
    long long total = 0;
    for (int i = 0; i < n; i++)
        total += cmp(&i, &n);
    return total;
}

int c_compare(const int *a, const int *b)
{
    return (*a > *b) - (*a < *b);
}

#define FILL(T)                                  \
    do {                                         \
        T *p = (T *)data;                        \
        for (int k = 0; k < 6; k++)              \
            p[k] = (T)(k + 1);                   \
    } while (0)

int last_fill = -2;

int fill_typecode(char typecode, typed_allocator_t allocator)
{
    int shape[] = {2, 3};
    void *data = allocator(2, shape, typecode);
    last_fill = 0;
    if (data == NULL)
        return 0;
    last_fill = -1;
    switch (typecode) {
    case 'd': FILL(double); break;
    case 'f': FILL(float); break;
    case 'g': FILL(long double); break;
    case 'i': FILL(int); break;
    case 'I': FILL(unsigned int); break;
    case 'l': FILL(long); break;
    case 'L': FILL(unsigned long); break;
    case 'q': FILL(long long); break;
    case 'Q': FILL(unsigned long long); break;
    case 'h': FILL(short); break;
    case 'H': FILL(unsigned short); break;
    case 'b': FILL(signed char); break;
    case 'B': FILL(unsigned char); break;
    default: return -1;
    }
    last_fill = 1;
    return 1;
}

int last_point_sum = -2;

int sum_point_from(point_source_t get)
{
    const cb_point *p = get();
    last_point_sum = p ? p->x + p->y : -1;
    return last_point_sum;
}
