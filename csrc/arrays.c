/* arrays.c: functions over arrays described by shape and byte strides, as a
 * C function receives numpy's `.ctypes.shape` and `.ctypes.strides`, plus C
 * globals and results to view as arrays. */
#include <stddef.h>
#include "arrays.h"

const int pairs[3][2] = {{1, 2}, {3, 4}, {5, 6}};
const Small smalls[2][3] = {{{1}, {2}, {3}}, {{4}, {5}, {6}}};

static const double matrix[2][3] = {{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};

/* Returns its argument, so a caller can see which address C received. */
void *forward_pointer(void *p)
{
    return p;
}

/* A static 2x3 matrix holding 1..6 in row-major order. */
const double *static_matrix(void)
{
    return &matrix[0][0];
}

static double sum_axis(const char *data, int axis, int ndim, const intptr_t *shape,
                       const intptr_t *strides)
{
    if (axis == ndim)
        return *(const double *)data;
    double total = 0.0;
    for (intptr_t i = 0; i < shape[axis]; i++)
        total += sum_axis(data + i * strides[axis], axis + 1, ndim, shape, strides);
    return total;
}

/* The sum of an n-dimensional array of doubles of any layout. */
double strided_sum(const void *data, int ndim, const intptr_t *shape, const intptr_t *strides)
{
    return sum_axis((const char *)data, 0, ndim, shape, strides);
}

/* The element at `index`, found through the byte strides alone. */
double element_at(const void *data, int ndim, const intptr_t *strides, const intptr_t *index)
{
    const char *p = (const char *)data;
    for (int k = 0; k < ndim; k++)
        p += index[k] * strides[k];
    return *(const double *)p;
}

/* The sum of `n` doubles, or -1 when there is no array at all. */
double sum_or_minus_one(const double *data, int n)
{
    if (data == NULL)
        return -1.0;
    double total = 0.0;
    for (int i = 0; i < n; i++)
        total += data[i];
    return total;
}
