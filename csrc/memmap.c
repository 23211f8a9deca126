/* memmap.c: C that touches only a few elements of an array, however large,
 * so that calling it over a mapped file of many gigabytes reads and writes
 * a few pages, not the file. */
#include "memmap.h"

/* Adds delta once to each of the first, middle and last of the n floats at
 * A (n >= 1; some coincide when n < 3) and returns
 * A[0] + A[n/2] + A[n-1] afterwards. */
double bump_ends(float *A, int64_t n, float delta)
{
    const int64_t at[3] = {0, n / 2, n - 1};
    for (int k = 0; k < 3; k++) {
        if (k > 0 && at[k] == at[k - 1])
            continue;
        A[at[k]] += delta;
    }
    double sum = 0.0;
    for (int k = 0; k < 3; k++)
        sum += A[at[k]];
    return sum;
}
