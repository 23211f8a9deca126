#include "real_apis_callbacks.h"

#include <stddef.h>

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }

binop_t get_op(int which) {
    switch (which) {
    case 0:
        return add;
    case 1:
        return sub;
    case 2:
        return mul;
    default:
        return NULL;
    }
}

int apply_op(binop_t op, int a, int b) { return op(a, b); }

struct op_entry make_entry(int which, int scale) {
    struct op_entry e = {get_op(which), scale};
    return e;
}

int run_entry(const struct op_entry *entry, int a, int b) {
    return entry->scale * entry->op(a, b);
}

long long call_many(many_t cb, int base) {
    long long r = cb(base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, 0.5, 1.5,
                     2.5, 3.5, 1LL << 40, (short)-7);
    return 2 * r + 1;
}

int call_sixteen(sixteen_t cb) {
    return cb(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
}

int sort_recs(struct rec *r, int n, rec_cmp_t cmp) {
    int comparisons = 0;
    for (int i = 1; i < n; i++) {
        struct rec key = r[i];
        int j = i - 1;
        while (j >= 0) {
            comparisons++;
            if (cmp(&r[j], &key) <= 0) {
                break;
            }
            r[j + 1] = r[j];
            j--;
        }
        r[j + 1] = key;
    }
    return comparisons;
}

int total_lengths(fill_t cb, int n) {
    int total = 0;
    for (int i = 0; i < n; i++) {
        int len = -1;
        if (cb(i, &len) != 0) {
            return -1000 - i;
        }
        total += len;
    }
    return total;
}

int fill_null(fill_t cb) { return cb(7, NULL); }

int fill_same_twice(fill_t cb) {
    int len = 0, total = 0;
    for (int i = 0; i < 2; i++) {
        if (cb(i, &len) != 0) {
            return -1;
        }
        total += len;
    }
    return total;
}

int foreach_item(const int *items, int n, item_cb_t cb, void *user_data) {
    int sum = 0;
    for (int i = 0; i < n; i++) {
        sum += cb(items[i], user_data);
    }
    return sum;
}

static int not_user_data;

int foreach_wrong(const int *items, int n, item_cb_t cb, void *user_data) {
    (void)user_data;
    int sum = 0;
    for (int i = 0; i < n; i++) {
        sum += cb(items[i], &not_user_data);
    }
    return sum;
}
