/* fibonacci.c: fib, fibseries and fibmatrix as the cookbook documents them.
 * fib(n) counts from fib(1) == 0; a non-positive input returns -1. */
#include "fibonacci.h"

int fib(int a)
{
    if (a <= 0)
        return -1;
    int prev = 0, cur = 0; /* fib(1) */
    if (a >= 2)
        cur = 1;
    for (int k = 3; k <= a; k++) {
        int next = prev + cur;
        prev = cur;
        cur = next;
    }
    return a == 1 ? 0 : cur;
}

void fibseries(int *a, int elements, int *series)
{
    for (int i = 0; i < elements; i++)
        series[i] = fib(a[i]);
}

void fibmatrix(int *a, int rows, int columns, int *matrix)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < columns; j++)
            matrix[i * columns + j] = fib(a[i * columns + j]);
}
