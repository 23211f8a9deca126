/* real_apis_structs.h: structs as real C APIs use them: pointers to static
 * structs returned (localtime's pattern), packed structs by value, arrays
 * of structs, byte arrays and string fields. */
#ifndef RCTYPES_REAL_APIS_STRUCTS_H
#define RCTYPES_REAL_APIS_STRUCTS_H

#include <stdint.h>

/* Returned by address, as localtime returns its static struct tm. */
typedef struct {
    int id;
    const char *name;
    double score;
    int tags[3];
} Record;

const Record *current_record(void);
const Record *all_records(int *count);
const Record *find_record(int id); /* NULL when there is none */

/* Packed: every struct below has an unaligned field but P3b and P12. */
#pragma pack(push, 1)
typedef struct { char c; short s; } P3;
typedef struct { char c; int i; } P5;
typedef struct { char c; double d; } P9;
typedef struct { char c; int i; double d; } P13;
typedef struct { char tag; double x[4]; short s; int i; char end; } P40;
#pragma pack(pop)
#pragma pack(push, 2)
typedef struct { char c; int i; short s; } P8;
#pragma pack(pop)
#pragma pack(push, 4)
typedef struct { double d; int i; } P12; /* aligned fields, size 12 */
#pragma pack(pop)

P3 make_p3(char c, short s);
P5 make_p5(char c, int i);
P9 make_p9(char c, double d);
P13 make_p13(char c, int i, double d);
P40 make_p40(char tag, double x0, short s, int i);
P8 make_p8(char c, int i, short s);
P12 make_p12(double d, int i);
double p3_sum(P3 p);
double p5_sum(P5 p);
double p9_sum(P9 p);
double p13_sum(P13 p);
double p40_sum(P40 p);
double p8_sum(P8 p);
double p12_sum(P12 p);
/* Packed structs among scalars: registers and stack interleaved. */
double packed_mix(int a, P9 p, double b, P5 q, P13 r, int c, P3 s);
P13 p13_next(P13 p);

/* Arrays of structs: ctypes' (Event * n)(). */
typedef struct { int kind; double value; } Event;
double sum_events(const Event *events, int n);
void fill_events(Event *events, int n);

/* Byte arrays and string fields. */
typedef struct {
    uint8_t mac[4];
    int counts[3];
    const char *label;
} Device;
long device_check(Device d);
long device_check_at(const Device *d);
void fill_device(Device *d);

#endif
