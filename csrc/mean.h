#ifndef RCTYPES_MEAN_H
#define RCTYPES_MEAN_H
float compute_mean(float *A, int n);
void scale_floats(float *A, int n, float factor);
#endif
