#ifndef RCTYPES_SAMPLE_H
#define RCTYPES_SAMPLE_H
typedef struct Weather_t {
    int timestamp;
    char desc[12];
} Weather;

void print_weather(Weather *w, int nelems);
long long sum_timestamps(const Weather *w, int nelems);
int find_weather(const Weather *w, int nelems, const char *desc);

typedef struct Padded_t {
    char c;
    double d;
} Padded;

double sum_padded(const Padded *p, int nelems);
#endif
