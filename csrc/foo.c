/* foo.c: the cookbook's first example, `int bar(double *data, int len)`. */
#include <stdio.h>
#include "foo.h"

/* Prints the buffer it was given and returns len + 1, as documented. */
int bar(double *data, int len)
{
    printf("data = %p\n", (void *)data);
    for (int i = 0; i < len; i++)
        printf("data[%d] = %f\n", i, data[i]);
    printf("len = %d\n", len);
    fflush(stdout); /* keep the order of C's and the host's output */
    return len + 1;
}

/* Checkable sibling of bar: the sum of the buffer. */
double bar_sum(const double *data, int len)
{
    double total = 0.0;
    for (int i = 0; i < len; i++)
        total += data[i];
    return total;
}
