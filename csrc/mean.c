/* mean.c: the blog post's compute_mean, plus a writer for in-place tests. */
#include "mean.h"

float compute_mean(float *A, int n)
{
    float sum = 0.0f;
    for (int i = 0; i < n; i++)
        sum += A[i];
    return sum / n;
}

/* Multiplies every element by factor, in place. */
void scale_floats(float *A, int n, float factor)
{
    for (int i = 0; i < n; i++)
        A[i] *= factor;
}
