#ifndef RCTYPES_MEMMAP_H
#define RCTYPES_MEMMAP_H
#include <stdint.h>
double bump_ends(float *A, int64_t n, float delta);
#endif
