/* structs.c: structs and unions by value; see structs.h. Every function
 * computes from its inputs, so a field in the wrong place shows. */
#include <stddef.h>
#include <string.h>
#include "structs.h"

IntPair make_int_pair(int a, int b) { IntPair p = {a, b}; return p; }
int sum_int_pair(IntPair p) { return p.a + 10 * p.b; }
IntPair swap_int_pair(IntPair p) { IntPair q = {p.b, p.a}; return q; }
int sum_seven_pairs(IntPair a, IntPair b, IntPair c, IntPair d, IntPair e, IntPair f, IntPair g)
{
    return sum_int_pair(a) + 2 * sum_int_pair(b) + 3 * sum_int_pair(c) + 4 * sum_int_pair(d)
         + 5 * sum_int_pair(e) + 6 * sum_int_pair(f) + 7 * sum_int_pair(g);
}

FloatPair make_float_pair(float x, float y) { FloatPair p = {x, y}; return p; }
float sum_float_pair(FloatPair p) { return p.x + 10.0f * p.y; }
FloatPair scale_float_pair(FloatPair p, float k) { FloatPair q = {p.x * k, p.y * k}; return q; }

DoublePair make_double_pair(double x, double y) { DoublePair p = {x, y}; return p; }
double sum_double_pair(DoublePair p) { return p.x + 10.0 * p.y; }
DoublePair add_double_pairs(DoublePair a, DoublePair b)
{
    DoublePair p = {a.x + b.x, a.y + b.y};
    return p;
}
double sum_five_double_pairs(DoublePair a, DoublePair b, DoublePair c, DoublePair d, DoublePair e)
{
    return sum_double_pair(a) + 2 * sum_double_pair(b) + 3 * sum_double_pair(c)
         + 4 * sum_double_pair(d) + 5 * sum_double_pair(e);
}

CharShort make_char_short(char c, short s) { CharShort v = {c, s}; return v; }
int sum_char_short(CharShort v) { return v.c + 1000 * v.s; }

FloatInt make_float_int(float f, int i) { FloatInt v = {f, i}; return v; }
double sum_float_int(FloatInt v) { return v.f + 100.0 * v.i; }
DoubleInt make_double_int(double d, int i) { DoubleInt v = {d, i}; return v; }
double sum_double_int(DoubleInt v) { return v.d + 100.0 * v.i; }

Vec3 make_vec3(double x, double y, double z) { Vec3 v = {x, y, z}; return v; }
double dot_vec3(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
Vec3 cross_vec3(Vec3 a, Vec3 b)
{
    Vec3 c = {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
    return c;
}
Vec4 make_vec4(double a, double b, double c, double d) { Vec4 v = {a, b, c, d}; return v; }
double sum_vec4(Vec4 v) { return v.a + 10 * v.b + 100 * v.c + 1000 * v.d; }
Vec4 reverse_vec4(Vec4 v) { Vec4 r = {v.d, v.c, v.b, v.a}; return r; }

Big make_big(int id, double first, const char *name)
{
    Big b;
    memset(&b, 0, sizeof b);
    b.id = id;
    for (int i = 0; i < 8; ++i)
        b.values[i] = first + i;
    strncpy(b.name, name, sizeof b.name - 1);
    return b;
}
double sum_big(Big b)
{
    double total = b.id;
    for (int i = 0; i < 8; ++i)
        total += b.values[i];
    for (int i = 0; i < 16 && b.name[i]; ++i)
        total += b.name[i];
    return total;
}
Big bump_big(Big b, double by)
{
    b.id += 1;
    for (int i = 0; i < 8; ++i)
        b.values[i] += by;
    if (b.name[0])
        b.name[0] = (char)(b.name[0] - 'a' + 'A');
    return b;
}

IntTriple make_int_triple(int a, int b, int c) { IntTriple t = {{a, b, c}}; return t; }
int sum_int_triple(IntTriple t) { return t.v[0] + 10 * t.v[1] + 100 * t.v[2]; }
Float4 make_float4(float a, float b, float c, float d) { Float4 v = {{a, b, c, d}}; return v; }
float sum_float4(Float4 v) { return v.v[0] + 10 * v.v[1] + 100 * v.v[2] + 1000 * v.v[3]; }

Nested make_nested(int a, int b, double x, double y)
{
    Nested n = {{a, b}, {x, y}};
    return n;
}
double sum_nested(Nested n) { return n.p.a + 10 * n.p.b + 100 * n.q.x + 1000 * n.q.y; }
TaggedPair make_tagged_pair(char tag, int a, int b)
{
    TaggedPair t = {tag, {a, b}};
    return t;
}
int sum_tagged_pair(TaggedPair t) { return t.tag + 1000 * sum_int_pair(t.p); }

IntOrFloat int_or_float_from_int(int i) { IntOrFloat u; u.i = i; return u; }
int int_or_float_bits(IntOrFloat u) { return u.i; }
DoubleOrLong double_or_long_from_double(double d) { DoubleOrLong u; u.d = d; return u; }
long long double_or_long_bits(DoubleOrLong u) { return u.l; }
FloatsOrDouble floats_or_double_from_floats(float a, float b)
{
    FloatsOrDouble u;
    u.f[0] = a;
    u.f[1] = b;
    return u;
}
double floats_or_double_sum(FloatsOrDouble u) { return u.f[0] + 10.0 * u.f[1]; }
BytesOrDouble bytes_or_double_from_double(double d)
{
    BytesOrDouble u;
    memset(&u, 0, sizeof u);
    u.d = d;
    u.bytes[19] = 7;
    return u;
}
int bytes_or_double_byte_sum(BytesOrDouble u)
{
    int total = 0;
    for (int i = 0; i < 20; ++i)
        total += (unsigned char)u.bytes[i];
    return total;
}
Tagged make_tagged(int kind, double value)
{
    Tagged t;
    memset(&t, 0, sizeof t);
    t.kind = kind;
    if (kind == 0)
        t.u.i = (int)value;
    else
        t.u.d = value;
    return t;
}
double tagged_value(Tagged t) { return t.kind == 0 ? (double)t.u.i : t.u.d; }

long double long_double_box_value(LongDoubleBox b) { return b.x * 2; }
LongDoubleBox make_long_double_box(long double x) { LongDoubleBox b = {x}; return b; }
LongDoubleTagged make_long_double_tagged(long double x, int tag)
{
    LongDoubleTagged t = {x, tag};
    return t;
}
long double long_double_tagged_sum(LongDoubleTagged t) { return t.x + t.tag; }

double packed_cd_sum(PackedCD p) { return p.c + p.d; }
int flags_count(Flags f) { return f.count + (int)f.mode * 10 + (int)f.ready * 100; }

void scale_vec3_in_place(Vec3 *v, double k)
{
    v->x *= k;
    v->y *= k;
    v->z *= k;
}
double sum_vec3_array(const Vec3 *v, int n)
{
    double total = 0;
    for (int i = 0; i < n; ++i)
        total += v[i].x + 10 * v[i].y + 100 * v[i].z;
    return total;
}
void fill_flags(Flags *f, unsigned ready, unsigned mode, int count)
{
    f->ready = ready;
    f->mode = mode;
    f->count = count;
}
int read_flags_mode(const Flags *f) { return (int)f->mode; }

IntPair apply_pair_op(PairOp op, IntPair a, IntPair b) { return op(a, b); }
float apply_float_pair_make(FloatPairMake make, float x, float y)
{
    return sum_float_pair(make(x, y));
}
double apply_vec3_reduce(Vec3Reduce f, Vec3 v) { return f(v); }
Vec3 apply_vec3_map(Vec3Map f, Vec3 v, double k) { return f(v, k); }
double apply_big_map(BigMap f, int id) { return sum_big(f(make_big(id, 1.0, "abc"))); }
double apply_tagged(TaggedFn f, int kind, double value) { return f(make_tagged(kind, value)); }

void fill_tagged_text(TaggedText *t)
{
    t->kind = 1;
    t->u.text = "from C";
}
