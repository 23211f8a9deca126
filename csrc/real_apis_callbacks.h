#ifndef RCTYPES_REAL_APIS_CALLBACKS_H
#define RCTYPES_REAL_APIS_CALLBACKS_H
/* Function pointers C hands out, and callbacks in the shapes real C APIs
 * give them: many arguments, records by pointer, out-parameters and a
 * user-data pointer passed through. */

typedef int (*binop_t)(int, int);

/* add (0), sub (1) or mul (2); NULL for any other. */
binop_t get_op(int which);
/* op(a, b), so a function pointer can come back to C. */
int apply_op(binop_t op, int a, int b);

/* A struct holding a function pointer, as vtables and driver tables do. */
struct op_entry {
    binop_t op;
    int scale;
};
/* The entry for get_op(which), scaled by `scale`. */
struct op_entry make_entry(int which, int scale);
/* scale * op(a, b). */
int run_entry(const struct op_entry *entry, int a, int b);

/* A callback of twelve arguments of mixed types, called with base+1..base+6,
 * 0.5, 1.5, 2.5, 3.5, 1 << 40 and -7: twice its result, plus one. */
typedef long long (*many_t)(int, int, int, int, int, int, double, double, double,
                            double, long long, short);
long long call_many(many_t cb, int base);

/* A callback of sixteen ints, called with 1..16: its result. */
typedef int (*sixteen_t)(int, int, int, int, int, int, int, int, int, int, int, int,
                         int, int, int, int);
int call_sixteen(sixteen_t cb);

/* Records sorted by a comparator, which gets pointers to two of them. */
struct rec {
    int id;
    double score;
    char tag;
};
typedef int (*rec_cmp_t)(const struct rec *, const struct rec *);
/* Sorts the n records of r in place (stable insertion sort): the number of
 * comparisons made. */
int sort_recs(struct rec *r, int n, rec_cmp_t cmp);

/* A callback that fills an out-parameter: cb(i, &len) for i in 0..n, each
 * len starting at -1; the sum of the lengths, or -1000 - i where cb(i, ..)
 * returned non-zero. */
typedef int (*fill_t)(int index, int *out_len);
int total_lengths(fill_t cb, int n);
/* cb(7, NULL): what it returned. */
int fill_null(fill_t cb);
/* cb(0, p) and cb(1, p) with the same p: the sum of the lengths, or -1 if
 * a call returned non-zero. */
int fill_same_twice(fill_t cb);

/* cb(items[i], user_data) for each item: the sum of what cb returned. */
typedef int (*item_cb_t)(int item, void *user_data);
int foreach_item(const int *items, int n, item_cb_t cb, void *user_data);
/* As foreach_item, but C hands cb a pointer of its own, not user_data. */
int foreach_wrong(const int *items, int n, item_cb_t cb, void *user_data);

#endif
