#ifndef RCTYPES_STRUCTS_H
#define RCTYPES_STRUCTS_H
/* structs.c: structs and unions passed and returned by value, one function
 * per class of the x86-64 System V ABI (registers, memory, mixed). */

typedef struct { int a, b; } IntPair;                 /* one integer register */
typedef struct { float x, y; } FloatPair;             /* one SSE register */
typedef struct { double x, y; } DoublePair;           /* two SSE registers */
typedef struct { char c; short s; } CharShort;        /* small, padded */
typedef struct { float f; int i; } FloatInt;          /* one mixed eightbyte */
typedef struct { double d; int i; } DoubleInt;        /* SSE then integer */
typedef struct { double x, y, z; } Vec3;              /* 24 bytes: memory */
typedef struct { double a, b, c, d; } Vec4;           /* 32 bytes: memory */
typedef struct { int id; double values[8]; char name[16]; } Big;
typedef struct { int v[3]; } IntTriple;               /* an array inside */
typedef struct { float v[4]; } Float4;
typedef struct { IntPair p; DoublePair q; } Nested;   /* 24 bytes */
typedef struct { char tag; IntPair p; } TaggedPair;   /* 12 bytes, nested */
typedef union { int i; float f; } IntOrFloat;
typedef union { double d; long long l; } DoubleOrLong;
typedef union { float f[2]; double d; } FloatsOrDouble;
typedef union { char bytes[20]; double d; } BytesOrDouble;
typedef struct { int kind; union { int i; double d; } u; } Tagged;
typedef struct { long double x; } LongDoubleBox;
typedef struct { long double x; int tag; } LongDoubleTagged;
#pragma pack(push, 1)
typedef struct { char c; double d; } PackedCD;
#pragma pack(pop)
typedef struct { unsigned ready : 1; unsigned mode : 3; int count; } Flags;

IntPair make_int_pair(int a, int b);
int sum_int_pair(IntPair p);
IntPair swap_int_pair(IntPair p);
int sum_seven_pairs(IntPair a, IntPair b, IntPair c, IntPair d, IntPair e, IntPair f, IntPair g);

FloatPair make_float_pair(float x, float y);
float sum_float_pair(FloatPair p);
FloatPair scale_float_pair(FloatPair p, float k);

DoublePair make_double_pair(double x, double y);
double sum_double_pair(DoublePair p);
DoublePair add_double_pairs(DoublePair a, DoublePair b);
double sum_five_double_pairs(DoublePair a, DoublePair b, DoublePair c, DoublePair d, DoublePair e);

CharShort make_char_short(char c, short s);
int sum_char_short(CharShort v);

FloatInt make_float_int(float f, int i);
double sum_float_int(FloatInt v);
DoubleInt make_double_int(double d, int i);
double sum_double_int(DoubleInt v);

Vec3 make_vec3(double x, double y, double z);
double dot_vec3(Vec3 a, Vec3 b);
Vec3 cross_vec3(Vec3 a, Vec3 b);
Vec4 make_vec4(double a, double b, double c, double d);
double sum_vec4(Vec4 v);
Vec4 reverse_vec4(Vec4 v);

Big make_big(int id, double first, const char *name);
double sum_big(Big b);
Big bump_big(Big b, double by);

IntTriple make_int_triple(int a, int b, int c);
int sum_int_triple(IntTriple t);
Float4 make_float4(float a, float b, float c, float d);
float sum_float4(Float4 v);

Nested make_nested(int a, int b, double x, double y);
double sum_nested(Nested n);
TaggedPair make_tagged_pair(char tag, int a, int b);
int sum_tagged_pair(TaggedPair t);

IntOrFloat int_or_float_from_int(int i);
int int_or_float_bits(IntOrFloat u);
DoubleOrLong double_or_long_from_double(double d);
long long double_or_long_bits(DoubleOrLong u);
FloatsOrDouble floats_or_double_from_floats(float a, float b);
double floats_or_double_sum(FloatsOrDouble u);
BytesOrDouble bytes_or_double_from_double(double d);
int bytes_or_double_byte_sum(BytesOrDouble u);
Tagged make_tagged(int kind, double value);
double tagged_value(Tagged t);

long double long_double_box_value(LongDoubleBox b);
LongDoubleBox make_long_double_box(long double x);
LongDoubleTagged make_long_double_tagged(long double x, int tag);
long double long_double_tagged_sum(LongDoubleTagged t);

double packed_cd_sum(PackedCD p);
int flags_count(Flags f);

/* By pointer: C reads and writes the caller's structs. */
void scale_vec3_in_place(Vec3 *v, double k);
double sum_vec3_array(const Vec3 *v, int n);
void fill_flags(Flags *f, unsigned ready, unsigned mode, int count);
int read_flags_mode(const Flags *f);
/* Callbacks taking and returning structs by value. */
typedef IntPair (*PairOp)(IntPair, IntPair);
IntPair apply_pair_op(PairOp op, IntPair a, IntPair b);
typedef FloatPair (*FloatPairMake)(float, float);
float apply_float_pair_make(FloatPairMake make, float x, float y);
typedef double (*Vec3Reduce)(Vec3);
double apply_vec3_reduce(Vec3Reduce f, Vec3 v);
typedef Vec3 (*Vec3Map)(Vec3, double);
Vec3 apply_vec3_map(Vec3Map f, Vec3 v, double k);
typedef Big (*BigMap)(Big);
double apply_big_map(BigMap f, int id);
typedef double (*TaggedFn)(Tagged);
double apply_tagged(TaggedFn f, int kind, double value);

/* A union overlapping pointers with an integer, tagged: the tag says which
 * member C last wrote. */
typedef union { size_t addr; const char *text; void *ptr; } AddrOrText;
typedef struct { int kind; AddrOrText u; } TaggedText;
void fill_tagged_text(TaggedText *t);
#endif
