#ifndef RCTYPES_FIBONACCI_H
#define RCTYPES_FIBONACCI_H
int fib(int a);
void fibseries(int *a, int elements, int *series);
void fibmatrix(int *a, int rows, int columns, int *matrix);
#endif
