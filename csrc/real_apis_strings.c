#include "real_apis_strings.h"

#include <stdarg.h>
#include <string.h>

int strings_join(int argc, const char *const *argv, char sep, char *out, size_t cap) {
    size_t at = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && at + 1 < cap)
            out[at++] = sep;
        for (const char *p = argv[i]; *p && at + 1 < cap; p++)
            out[at++] = *p;
    }
    if (cap > 0)
        out[at] = '\0';
    return (int)at;
}

int strings_count(const char *const *argv) {
    int n = 0;
    while (argv[n])
        n++;
    return n;
}

size_t strings_total_length(const char *const *argv) {
    size_t total = 0;
    for (int i = 0; argv[i]; i++)
        total += strlen(argv[i]);
    return total;
}

static const unsigned char row0[] = "caf\xc3\xa9";
static const unsigned char row1[] = "second row";

const unsigned char *strings_column_text(int row) {
    switch (row) {
    case 0:
        return row0;
    case 1:
        return row1;
    default:
        return NULL;
    }
}

size_t strings_ulength(const unsigned char *s) {
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strings_length(const char *s) { return strlen(s); }

int strings_sum_shorts(int n, ...) {
    va_list ap;
    va_start(ap, n);
    int total = 0;
    for (int i = 0; i < n; i++)
        total += (short)va_arg(ap, int);
    va_end(ap);
    return total;
}

double strings_sum(const double *x, int n) {
    double total = 0;
    for (int i = 0; i < n; i++)
        total += x[i];
    return total;
}

void strings_scale(double *x, int n, double k) {
    for (int i = 0; i < n; i++)
        x[i] *= k;
}

const char strings_version[20] = "rctypes-strings 1.0";
int strings_table[4] = {1, 2, 3, 4};

int strings_table_sum(void) {
    return strings_table[0] + strings_table[1] + strings_table[2] + strings_table[3];
}
