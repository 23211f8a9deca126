#ifndef RCTYPES_ARRAYS_H
#define RCTYPES_ARRAYS_H
#include <stdint.h>

typedef struct Small_t {
    short a;
} Small;

extern const int pairs[3][2];
extern const Small smalls[2][3];

void *forward_pointer(void *p);
const double *static_matrix(void);
double strided_sum(const void *data, int ndim, const intptr_t *shape, const intptr_t *strides);
double element_at(const void *data, int ndim, const intptr_t *strides, const intptr_t *index);
double sum_or_minus_one(const double *data, int n);
#endif
