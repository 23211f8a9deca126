#ifndef RCTYPES_ROWS_H
#define RCTYPES_ROWS_H
/* The cookbook's pointer-to-pointer rows: one float* per row. */
void foo(float **data, int len);
float rows_sum(float **data, int len, int ncols);
void rows_scale(float **data, int len, int ncols, float factor);
#endif
