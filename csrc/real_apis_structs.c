/* real_apis_structs.c: see real_apis_structs.h. Every value comes from C's
 * own constants or from the inputs, so a misread field shows. */
#include <stddef.h>
#include <string.h>
#include "real_apis_structs.h"

static const Record records[3] = {
    {7, "seven", 7.5, {1, 2, 3}},
    {11, "eleven", 11.25, {4, 5, 6}},
    {13, "thirteen", -13.0, {7, 8, 9}},
};

const Record *current_record(void) { return &records[1]; }

const Record *all_records(int *count)
{
    *count = 3;
    return records;
}

const Record *find_record(int id)
{
    for (int k = 0; k < 3; k++)
        if (records[k].id == id)
            return &records[k];
    return NULL;
}

P3 make_p3(char c, short s) { P3 p = {c, s}; return p; }
P5 make_p5(char c, int i) { P5 p = {c, i}; return p; }
P9 make_p9(char c, double d) { P9 p = {c, d}; return p; }
P13 make_p13(char c, int i, double d) { P13 p = {c, i, d}; return p; }
P40 make_p40(char tag, double x0, short s, int i)
{
    P40 p = {tag, {x0, x0 * 2, x0 * 3, x0 * 4}, s, i, (char)(tag + 1)};
    return p;
}
P8 make_p8(char c, int i, short s) { P8 p = {c, i, s}; return p; }
P12 make_p12(double d, int i) { P12 p = {d, i}; return p; }

double p3_sum(P3 p) { return p.c + 1000.0 * p.s; }
double p5_sum(P5 p) { return p.c + 1000.0 * p.i; }
double p9_sum(P9 p) { return p.c + 1000.0 * p.d; }
double p13_sum(P13 p) { return p.c + 1000.0 * p.i + 0.5 * p.d; }
double p40_sum(P40 p)
{
    return p.tag + 10.0 * (p.x[0] + p.x[1] + p.x[2] + p.x[3]) + 1000.0 * p.s + 100000.0 * p.i
         + 0.25 * p.end;
}
double p8_sum(P8 p) { return p.c + 1000.0 * p.i + 0.5 * p.s; }
double p12_sum(P12 p) { return p.d + 1000.0 * p.i; }

double packed_mix(int a, P9 p, double b, P5 q, P13 r, int c, P3 s)
{
    return a + p9_sum(p) * 2 + b * 3 + p5_sum(q) * 5 + p13_sum(r) * 7 + c * 11 + p3_sum(s) * 13;
}

P13 p13_next(P13 p)
{
    P13 q = {(char)(p.c + 1), p.i * 2, p.d + 0.5};
    return q;
}

double sum_events(const Event *events, int n)
{
    double s = 0;
    for (int k = 0; k < n; k++)
        s += events[k].kind * 100.0 + events[k].value;
    return s;
}

void fill_events(Event *events, int n)
{
    for (int k = 0; k < n; k++) {
        events[k].kind = k + 1;
        events[k].value = k * 1.5;
    }
}

static long device_sum(const Device *d)
{
    long s = 0;
    for (int k = 0; k < 4; k++)
        s = s * 256 + d->mac[k];
    s += 1000000000L * (long)(d->counts[0] + d->counts[1] + d->counts[2]);
    if (d->label)
        s += 1000000L * (long)strlen(d->label) + d->label[0];
    return s;
}

long device_check(Device d) { return device_sum(&d); }
long device_check_at(const Device *d) { return device_sum(d); }

void fill_device(Device *d)
{
    static const char label[] = "eth0";
    d->mac[0] = 0xde;
    d->mac[1] = 0;
    d->mac[2] = 0xbe;
    d->mac[3] = 0xef;
    d->counts[0] = 3;
    d->counts[1] = -1;
    d->counts[2] = 40;
    d->label = label;
}
