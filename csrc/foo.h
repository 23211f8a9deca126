#ifndef RCTYPES_FOO_H
#define RCTYPES_FOO_H
int bar(double *data, int len);
double bar_sum(const double *data, int len);
#endif
