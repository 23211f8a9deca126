/* sample.c: record arrays passed as struct pointers (the cookbook's Weather). */
#include <stdio.h>
#include <string.h>
#include "sample.h"

void print_weather(Weather *w, int nelems)
{
    for (int i = 0; i < nelems; ++i)
        printf("timestamp: %d\ndescription: %.12s\n\n", w[i].timestamp, w[i].desc);
    fflush(stdout); /* keep the order of C's and the host's output */
}

/* Checkable sibling of print_weather: the sum of the timestamps. */
long long sum_timestamps(const Weather *w, int nelems)
{
    long long total = 0;
    for (int i = 0; i < nelems; ++i)
        total += w[i].timestamp;
    return total;
}

/* The index of the first record whose description is desc, or -1. */
int find_weather(const Weather *w, int nelems, const char *desc)
{
    for (int i = 0; i < nelems; ++i)
        if (strncmp(w[i].desc, desc, sizeof w[i].desc) == 0)
            return i;
    return -1;
}

/* {char; double}: a record whose C layout has 7 bytes of padding. */
double sum_padded(const Padded *p, int nelems)
{
    double total = 0.0;
    for (int i = 0; i < nelems; ++i)
        total += p[i].c + p[i].d;
    return total;
}
