#ifndef RCTYPES_REAL_APIS_STRINGS_H
#define RCTYPES_REAL_APIS_STRINGS_H
/* Strings, exported arrays and variadic narrow types as real C APIs spell
 * them: argv arrays, unsigned char strings (sqlite3_column_text), exported
 * char and int arrays, a variadic short, a const double array. */

#include <stddef.h>

/* Joins the first argc strings of argv with sep into out (at most cap bytes
 * with its NUL); returns the joined length. */
int strings_join(int argc, const char *const *argv, char sep, char *out, size_t cap);
/* Counts the strings of argv up to its NULL terminator. */
int strings_count(const char *const *argv);
/* The total length of the strings of argv up to its NULL terminator. */
size_t strings_total_length(const char *const *argv);
/* The row's text, as sqlite3_column_text: a string of unsigned char. */
const unsigned char *strings_column_text(int row);
/* The length of an unsigned char string. */
size_t strings_ulength(const unsigned char *s);
/* strlen: C reads up to the first NUL. */
size_t strings_length(const char *s);
/* The sum of n shorts given after n, read as C's promotions pass them. */
int strings_sum_shorts(int n, ...);
/* The sum of n doubles at x, read only. */
double strings_sum(const double *x, int n);
/* Scales n doubles at x by k in place. */
void strings_scale(double *x, int n, double k);

/* "rctypes-strings 1.0" and its NUL: 20 bytes. */
extern const char strings_version[20];
/* A table Rust may write: {1, 2, 3, 4} until changed. */
extern int strings_table[4];
/* The sum of strings_table, as C sees it. */
int strings_table_sum(void);
#endif
