/* rows.c: functions over float** (one pointer per row). */
#include <stdio.h>
#include "rows.h"

/* Prints the first element of each row, as the cookbook's sketch walks them. */
void foo(float **data, int len)
{
    float **x = data;
    for (int i = 0; i < len; i++, x++)
        printf("row %d starts with %g\n", i, (double)**x);
}

float rows_sum(float **data, int len, int ncols)
{
    float total = 0.0f;
    for (int i = 0; i < len; i++)
        for (int j = 0; j < ncols; j++)
            total += data[i][j];
    return total;
}

void rows_scale(float **data, int len, int ncols, float factor)
{
    for (int i = 0; i < len; i++)
        for (int j = 0; j < ncols; j++)
            data[i][j] *= factor;
}
