/* The functions headers.h declares. */
#include <stdlib.h>
#include <string.h>

/* Leaves out the declaration of an unknown type, there for binders. */
#define HEADERS_IMPLEMENTATION
#include "headers.h"

int headers_sum(int a, int b) { return a + b; }
headers_ll headers_scale(int x, headers_ll by) { return (headers_ll)x * by; }
double headers_times(double x, double by) { return x * by; }
int headers_point_sum(const struct headers_point *p) { return p->x + p->y; }

size_t headers_copy(char *__restrict dst, const char *__restrict src, size_t n) {
    size_t i = 0;
    for (; i + 1 < n && src[i]; i++) {
        dst[i] = src[i];
    }
    if (n > 0) {
        dst[i] = '\0';
    }
    return i;
}

int headers_mode_bits(enum headers_mode mode) { return (int)mode * 10; }

/* headers.h declares `headers_renamed` with this as its symbol. */
int headers_real_name(int x) { return x * 3; }

struct headers_db {
    char name[32];
};

headers_db *headers_open(const char *name) {
    headers_db *db = calloc(1, sizeof *db);
    if (db) {
        strncpy(db->name, name, sizeof db->name - 1);
    }
    return db;
}

const char *headers_db_name(const headers_db *db) { return db->name; }

int headers_close(headers_db *db) {
    free(db);
    return 0;
}

int headers_each(int n, headers_visit visit, void *data) {
    int total = 0;
    for (int i = 1; i <= n; i++) {
        total += visit(i, data);
    }
    return total;
}

void headers_abort(void) { abort(); }
