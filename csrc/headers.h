/* A header written as real library headers are: GNU attributes, asm
 * renames, _Static_assert, _Noreturn, __restrict, inline helpers, opaque
 * handles, callback typedefs, #define and enum constants, and a few
 * declarations no binding can express (each skipped with its reason). */
#ifndef HEADERS_H
#define HEADERS_H

#include <stddef.h>

#define HEADERS_LIMIT 64
#define HEADERS_MASK (~0U >> 4)
#define HEADERS_VERSION "2." "5"
#define HEADERS_SCALE 0.5
#define HEADERS_NULL ((void *)0)
#define HEADERS_SQUARE(x) ((x) * (x))
#ifdef HEADERS_EXTRA
#define HEADERS_EXTRA_TWICE (HEADERS_EXTRA * 2)
#endif

enum headers_mode { MODE_READ = 1, MODE_WRITE = MODE_READ << 1, MODE_BOTH = MODE_READ | MODE_WRITE };

_Static_assert(sizeof(int) == 4, "int is 32 bits");

__extension__ typedef long long headers_ll;

struct headers_point {
    int x;
    int y;
};

/* An opaque handle: the struct is never defined here. */
typedef struct headers_db headers_db;

typedef int (*headers_visit)(int value, void *data);

extern int headers_sum(int a, int b) __attribute__((__nothrow__, __warn_unused_result__));
extern headers_ll headers_scale(int x, headers_ll by) __attribute__((__const__));
extern double headers_times(double x, double by);
extern int headers_point_sum(const struct headers_point *p) __attribute__((__nonnull__(1)));
extern size_t headers_copy(char *__restrict dst, const char *__restrict src, size_t n);
extern int headers_mode_bits(enum headers_mode mode);

/* Bound by the symbol the label names. */
extern int headers_renamed(int x) __asm__("" "headers_real_name");

extern headers_db *headers_open(const char *name);
extern const char *headers_db_name(const headers_db *db);
extern int headers_close(headers_db *db);

extern int headers_each(int n, headers_visit visit, void *data);

_Noreturn void headers_abort(void);

static __inline int headers_inline(int x) { return x + 1; }

/* What cannot be expressed: each is skipped, the rest binds. */
struct headers_aligned {
    _Alignas(16) int a;
    int b;
};
typedef float headers_vec4 __attribute__((__vector_size__(16)));
extern headers_vec4 headers_vec_add(headers_vec4 a, headers_vec4 b);
#ifndef HEADERS_IMPLEMENTATION
extern mystery_t headers_mystery(int);
#endif
extern _Complex double headers_complex(void);

#endif
