//! Structs and unions by value, both directions, through the dynamic call
//! (libffi) and typed calls (the Rust compiler's C ABI): every register
//! class of x86-64 System V, memory, arrays inside, nesting, unions.

use rctypes::{CFunc, CStruct, CType, Error, StructLayout, StructValue, TypedCFunc, Value};

use super::types::*;
use crate::common::{struct_layout, union_layout};

fn bind(name: &str, args: &[&CType], ret: &CType) -> CFunc {
    // SAFETY: structs.c: each function bound here has the signature given and
    // takes and returns structs and numbers by value, except make_big, which
    // reads its name as a string (not NULL), and fill_flags, which writes
    // one Flags (bound, never called here).
    unsafe { structs_fn(name, args, ret) }
}

/// What binding `name` is refused with: libffi cannot describe it.
fn refused(name: &str, args: &[&CType], ret: &CType) -> String {
    let args: Vec<CType> = args.iter().map(|&t| t.clone()).collect();
    // SAFETY: refused before any call.
    let err = unsafe { structs().function(name, &args, ret.clone()) }.unwrap_err();
    err.to_string()
}

fn value(ty: &CType, fields: &[(&str, Value<'_>)]) -> StructValue {
    let mut v = StructValue::new(ty.layout().expect("a struct type")).unwrap();
    for (name, x) in fields {
        v.set(name, x.clone_value())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    v
}

/// `Value` is not `Clone` (it may borrow); these tests only clone scalars.
trait CloneValue {
    fn clone_value(&self) -> Value<'static>;
}

impl CloneValue for Value<'_> {
    fn clone_value(&self) -> Value<'static> {
        match self {
            Value::Int(i) => Value::Int(*i),
            Value::Float(f) => Value::Float(*f),
            Value::Bool(b) => Value::Bool(*b),
            Value::Str(s) => Value::String((*s).to_owned()),
            other => panic!("not a scalar: {other:?}"),
        }
    }
}

fn get<T: rctypes::FromValue>(v: &Value<'_>, field: &str) -> T {
    let Value::Struct(s) = v else {
        panic!("not a struct: {v:?}")
    };
    s.get(field)
        .and_then(|x| x.to::<T>())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn int_pair_in_one_integer_register() {
    let d = declared();
    let make = bind("make_int_pair", &[&CType::Int, &CType::Int], &d.int_pair);
    let sum = bind("sum_int_pair", &[&d.int_pair], &CType::Int);
    let swap = bind("swap_int_pair", &[&d.int_pair], &d.int_pair);
    // A small struct goes in registers, as an argument and as a result.
    let registers = rctypes::Route::Registers.is_available();
    assert_eq!(
        sum.uses_register_route() && make.uses_register_route(),
        registers
    );
    let p = make.call(&[3.into(), (-4).into()]).unwrap();
    assert_eq!((get::<i32>(&p, "a"), get::<i32>(&p, "b")), (3, -4));
    assert_eq!(sum.call(&[p]).unwrap(), Value::Int(3 - 40));
    let q = value(&d.int_pair, &[("a", 1.into()), ("b", 2.into())]);
    let swapped = swap.call(&[(&q).into()]).unwrap();
    let got = (get::<i32>(&swapped, "a"), get::<i32>(&swapped, "b"));
    assert_eq!(got, (2, 1));

    // The Rust struct, dynamically and typed.
    let r = IntPair { a: 5, b: 6 };
    assert_eq!(sum.call(&[r.into()]).unwrap(), Value::Int(65));
    assert_eq!(sum.call(&[(&r).into()]).unwrap(), Value::Int(65));
    let swapped = swap.call(&[r.into()]).unwrap().to::<IntPair>().unwrap();
    assert_eq!(swapped, IntPair { a: 6, b: 5 });
    let typed: TypedCFunc<(IntPair,), IntPair> = swap.typed().unwrap();
    assert_eq!(typed.call((r,)), IntPair { a: 6, b: 5 });
    // SAFETY: structs.h: `IntPair make_int_pair(int, int)`.
    let make_typed = unsafe { structs().typed::<(i32, i32), IntPair>("make_int_pair") }.unwrap();
    assert_eq!(make_typed.call((7, 8)), IntPair { a: 7, b: 8 });
}

#[test]
fn seven_pairs_spill_from_registers_to_the_stack() {
    let d = declared();
    let f = bind("sum_seven_pairs", &[&d.int_pair; 7], &CType::Int);
    let pairs: Vec<IntPair> = (1..=7).map(|i| IntPair { a: i, b: i + 1 }).collect();
    let terms = pairs.iter().zip(1..).map(|(p, k)| k * (p.a + 10 * p.b));
    let expected: i32 = terms.sum();
    let args: Vec<Value> = pairs.iter().map(|p| (*p).into()).collect();
    assert_eq!(f.call(&args).unwrap(), Value::Int(expected as i128));
    let typed: TypedCFunc<SevenPairs, i32> = f.typed().unwrap();
    let p = &pairs;
    let got = typed.call((p[0], p[1], p[2], p[3], p[4], p[5], p[6]));
    assert_eq!(got, expected);
}

#[test]
fn float_pair_in_one_sse_register() {
    let d = declared();
    let make = bind("make_float_pair", &[&CType::Float; 2], &d.float_pair);
    let sum = bind("sum_float_pair", &[&d.float_pair], &CType::Float);
    let scale = bind(
        "scale_float_pair",
        &[&d.float_pair, &CType::Float],
        &d.float_pair,
    );
    let p = make.call(&[1.5.into(), 2.25.into()]).unwrap();
    assert_eq!((get::<f32>(&p, "x"), get::<f32>(&p, "y")), (1.5, 2.25));
    assert_eq!(sum.call(&[p]).unwrap(), Value::Float(24.0));
    let pair = FloatPair { x: 1.0, y: -2.0 };
    let scaled = scale.call(&[pair.into(), 3.0.into()]).unwrap();
    assert_eq!(
        scaled.to::<FloatPair>().unwrap(),
        FloatPair { x: 3.0, y: -6.0 }
    );
    let typed: TypedCFunc<(FloatPair, f32), FloatPair> = scale.typed().unwrap();
    let got = typed.call((FloatPair { x: 0.5, y: 4.0 }, 2.0));
    assert_eq!(got, FloatPair { x: 1.0, y: 8.0 });
}

#[test]
fn double_pair_in_two_sse_registers_and_on_the_stack() {
    let d = declared();
    let pair = &d.double_pair;
    let make = bind("make_double_pair", &[&CType::Double; 2], pair);
    let add = bind("add_double_pairs", &[pair, pair], pair);
    let five = bind("sum_five_double_pairs", &[pair; 5], &CType::Double);
    let p = make.call(&[0.25.into(), 8.0.into()]).unwrap();
    let one = DoublePair { x: 1.0, y: 1.0 };
    let q = add.call(&[p, one.into()]).unwrap();
    assert_eq!(
        q.to::<DoublePair>().unwrap(),
        DoublePair { x: 1.25, y: 9.0 }
    );
    // Ten doubles: two pairs no longer fit in xmm0-7 and go on the stack.
    let pairs: Vec<DoublePair> = (0..5)
        .map(|i| DoublePair {
            x: i as f64,
            y: 0.5 * i as f64,
        })
        .collect();
    let terms = pairs
        .iter()
        .zip(1..)
        .map(|(p, k)| k as f64 * (p.x + 10.0 * p.y));
    let expected: f64 = terms.sum();
    let args: Vec<Value> = pairs.iter().map(|p| (*p).into()).collect();
    assert_eq!(five.call(&args).unwrap(), Value::Float(expected));
    type Five = (DoublePair, DoublePair, DoublePair, DoublePair, DoublePair);
    let typed: TypedCFunc<Five, f64> = five.typed().unwrap();
    let p = &pairs;
    assert_eq!(typed.call((p[0], p[1], p[2], p[3], p[4])), expected);
}

#[test]
fn small_mixed_structs() {
    use CType::{Char, Double, Float, Int, Short};
    let d = declared();
    let make = bind("make_char_short", &[&Char, &Short], &d.char_short);
    let sum = bind("sum_char_short", &[&d.char_short], &Int);
    // A char below zero where char is signed (x86-64), past 127 where it is
    // not (AArch64 Linux): both come back whole.
    let c: i16 = if Char.int_range().unwrap().0 < 0 {
        -3
    } else {
        253
    };
    let v = make.call(&[c.into(), 12.into()]).unwrap();
    assert_eq!((get::<i16>(&v, "c"), get::<i16>(&v, "s")), (c, 12));
    assert_eq!(sum.call(&[v]).unwrap(), Value::Int(i128::from(c) + 12000));
    let v = CharShort { c: 1, s: -1 };
    assert_eq!(sum.call(&[v.into()]).unwrap(), Value::Int(-999));

    // {float; int} shares one eightbyte: integer class. {double; int}: SSE, integer.
    let make = bind("make_float_int", &[&Float, &Int], &d.float_int);
    let sum = bind("sum_float_int", &[&d.float_int], &Double);
    let v = make.call(&[0.5.into(), 7.into()]).unwrap();
    assert_eq!(v.to::<FloatInt>().unwrap(), FloatInt { f: 0.5, i: 7 });
    assert_eq!(sum.call(&[v]).unwrap(), Value::Float(700.5));
    let make = bind("make_double_int", &[&Double, &Int], &d.double_int);
    let sum = bind("sum_double_int", &[&d.double_int], &Double);
    let v = make.call(&[0.25.into(), (-2).into()]).unwrap();
    assert_eq!(v.to::<DoubleInt>().unwrap(), DoubleInt { d: 0.25, i: -2 });
    assert_eq!(sum.call(&[v]).unwrap(), Value::Float(-199.75));
    let typed: TypedCFunc<(DoubleInt,), f64> = sum.typed().unwrap();
    assert_eq!(typed.call((DoubleInt { d: 1.0, i: 1 },)), 101.0);
}

#[test]
fn three_and_four_doubles_go_in_memory() {
    let d = declared();
    let make = bind("make_vec3", &[&CType::Double; 3], &d.vec3);
    let dot = bind("dot_vec3", &[&d.vec3, &d.vec3], &CType::Double);
    let cross = bind("cross_vec3", &[&d.vec3, &d.vec3], &d.vec3);
    let x = make.call(&[1.0.into(), 0.0.into(), 0.0.into()]).unwrap();
    let y = vec3(0.0, 1.0, 0.0);
    let made = make.call(&[1.0.into(), 2.0.into(), 3.0.into()]).unwrap();
    let product = dot.call(&[made, vec3(4.0, 5.0, 6.0).into()]).unwrap();
    assert_eq!(product, Value::Float(32.0));
    let crossed = cross.call(&[x, y.into()]).unwrap().to::<Vec3>().unwrap();
    assert_eq!(crossed, vec3(0.0, 0.0, 1.0));
    let typed: TypedCFunc<(Vec3, Vec3), Vec3> = cross.typed().unwrap();
    assert_eq!(typed.call((y, vec3(1.0, 0.0, 0.0))), vec3(0.0, 0.0, -1.0));

    let make = bind("make_vec4", &[&CType::Double; 4], &d.vec4);
    let sum = bind("sum_vec4", &[&d.vec4], &CType::Double);
    let reverse = bind("reverse_vec4", &[&d.vec4], &d.vec4);
    let v = make.call(&[1.0.into(), 2.0.into(), 3.0.into(), 4.0.into()]);
    let v = v.unwrap();
    let as_value = v.to::<StructValue>().unwrap();
    assert_eq!(
        sum.call(&[(&as_value).into()]).unwrap(),
        Value::Float(4321.0)
    );
    let r = reverse.call(&[v]).unwrap().to::<Vec4>().unwrap();
    let (a, b, c, d) = (4.0, 3.0, 2.0, 1.0);
    assert_eq!(r, Vec4 { a, b, c, d });
    let typed: TypedCFunc<(Vec4,), f64> = sum.typed().unwrap();
    assert_eq!(typed.call((r,)), 1234.0);
}

#[test]
fn large_struct_with_arrays_both_ways() {
    let d = declared();
    let make = bind(
        "make_big",
        &[&CType::Int, &CType::Double, &CType::CharP],
        &d.big,
    );
    let sum = bind("sum_big", &[&d.big], &CType::Double);
    let bump = bind("bump_big", &[&d.big, &CType::Double], &d.big);
    let b = make.call(&[3.into(), 0.5.into(), "abc".into()]).unwrap();
    assert_eq!(get::<String>(&b, "name"), "abc");
    assert_eq!(get::<f64>(&b, "values[7]"), 7.5);
    let expected = 3.0
        + (0..8).map(|i| 0.5 + i as f64).sum::<f64>()
        + (b'a' as f64 + b'b' as f64 + b'c' as f64);
    assert_eq!(sum.call(&[b]).unwrap(), Value::Float(expected));

    let mut name = [0u8; 16];
    name[..4].copy_from_slice(b"rust");
    let (id, values) = (41, [1.0; 8]);
    let big = Big { id, values, name };
    let bumped = bump.call(&[big.into(), 0.5.into()]).unwrap();
    let bumped = bumped.to::<Big>().unwrap();
    assert_eq!(bumped.id, 42);
    assert_eq!(bumped.values, [1.5; 8]);
    assert_eq!(&bumped.name[..4], b"Rust");
    let typed: TypedCFunc<(Big, f64), Big> = bump.typed().unwrap();
    assert_eq!(typed.call((big, 0.5)), bumped);
}

#[test]
fn small_structs_holding_arrays() {
    let d = declared();
    let make = bind("make_int_triple", &[&CType::Int; 3], &d.int_triple);
    let sum = bind("sum_int_triple", &[&d.int_triple], &CType::Int);
    let t = make.call(&[1.into(), 2.into(), 3.into()]).unwrap();
    assert_eq!(t.to::<IntTriple>().unwrap(), IntTriple { v: [1, 2, 3] });
    assert_eq!(sum.call(&[t]).unwrap(), Value::Int(321));
    let make = bind("make_float4", &[&CType::Float; 4], &d.float4);
    let sum = bind("sum_float4", &[&d.float4], &CType::Float);
    let v = make.call(&[1.0.into(), 2.0.into(), 3.0.into(), 4.0.into()]);
    let v = v.unwrap();
    assert_eq!(get::<f32>(&v, "v[3]"), 4.0);
    assert_eq!(sum.call(&[v]).unwrap(), Value::Float(4321.0));
    let typed: TypedCFunc<(Float4,), f32> = sum.typed().unwrap();
    let v = [4.0, 3.0, 2.0, 1.0];
    assert_eq!(typed.call((Float4 { v },)), 1234.0);
}

#[test]
fn nested_structs() {
    use CType::{Char, Double, Int};
    let d = declared();
    let make = bind("make_nested", &[&Int, &Int, &Double, &Double], &d.nested);
    let sum = bind("sum_nested", &[&d.nested], &Double);
    let n = make.call(&[1.into(), 2.into(), 3.0.into(), 4.0.into()]);
    let n = n.unwrap();
    assert_eq!(get::<i32>(&n, "p.b"), 2);
    assert_eq!(get::<f64>(&n, "q.x"), 3.0);
    assert_eq!(sum.call(&[n]).unwrap(), Value::Float(4321.0));
    let (p, q) = (IntPair { a: 4, b: 3 }, DoublePair { x: 2.0, y: 1.0 });
    let typed: TypedCFunc<(Nested,), f64> = sum.typed().unwrap();
    assert_eq!(typed.call((Nested { p, q },)), 1234.0);

    let make = bind("make_tagged_pair", &[&Char, &Int, &Int], &d.tagged_pair);
    let sum = bind("sum_tagged_pair", &[&d.tagged_pair], &Int);
    let t = make.call(&[7.into(), 1.into(), 2.into()]).unwrap();
    let p = IntPair { a: 1, b: 2 };
    assert_eq!(t.to::<TaggedPair>().unwrap(), TaggedPair { tag: 7, p });
    assert_eq!(sum.call(&[t]).unwrap(), Value::Int(21007));
}

#[test]
fn unions_by_value() {
    use CType::{Double, Float, Int, LongLong};
    let d = declared();
    let from_int = bind("int_or_float_from_int", &[&Int], &d.int_or_float);
    let bits = bind("int_or_float_bits", &[&d.int_or_float], &Int);
    let u = from_int.call(&[0x3f80_0000.into()]).unwrap();
    assert_eq!(get::<f32>(&u, "f"), 1.0);
    let mut f = StructValue::new(d.int_or_float.layout().unwrap()).unwrap();
    f.set("f", 2.0).unwrap();
    let want = Value::Int(2.0f32.to_bits() as i128);
    assert_eq!(bits.call(&[(&f).into()]).unwrap(), want);
    let typed: TypedCFunc<(IntOrFloat,), i32> = bits.typed().unwrap();
    let got = typed.call((IntOrFloat { f: -1.0 },));
    assert_eq!(got, (-1.0f32).to_bits() as i32);

    let from_double = bind("double_or_long_from_double", &[&Double], &d.double_or_long);
    let long_bits = bind("double_or_long_bits", &[&d.double_or_long], &LongLong);
    let u = from_double.call(&[1.5.into()]).unwrap();
    assert_eq!(get::<i64>(&u, "l"), 1.5f64.to_bits() as i64);
    let want = Value::Int(1.5f64.to_bits() as i128);
    assert_eq!(long_bits.call(&[u]).unwrap(), want);

    // Two floats or a double: the SSE class.
    let floats_or_double = &d.floats_or_double;
    let from_floats = bind(
        "floats_or_double_from_floats",
        &[&Float; 2],
        floats_or_double,
    );
    let fsum = bind("floats_or_double_sum", &[floats_or_double], &Double);
    let u = from_floats.call(&[1.0.into(), 2.0.into()]).unwrap();
    assert_eq!(get::<f32>(&u, "f[1]"), 2.0);
    assert_eq!(fsum.call(&[u]).unwrap(), Value::Float(21.0));
    let typed: TypedCFunc<(f32, f32), FloatsOrDouble> = from_floats.typed().unwrap();
    let u = typed.call((3.0, 4.0));
    // SAFETY: C wrote the floats.
    assert_eq!(unsafe { u.f }, [3.0, 4.0]);

    // Twenty bytes: memory.
    let bytes_or_double = &d.bytes_or_double;
    let from_double = bind("bytes_or_double_from_double", &[&Double], bytes_or_double);
    let byte_sum = bind("bytes_or_double_byte_sum", &[bytes_or_double], &Int);
    let u = from_double.call(&[2.0.into()]).unwrap();
    let expected: i32 = 2.0f64.to_ne_bytes().iter().map(|&b| b as i32).sum::<i32>() + 7;
    assert_eq!(get::<f64>(&u, "d"), 2.0);
    assert_eq!(byte_sum.call(&[u]).unwrap(), Value::Int(expected as i128));

    // A union inside a struct.
    let make = bind("make_tagged", &[&Int, &Double], &d.tagged);
    let value_of = bind("tagged_value", &[&d.tagged], &Double);
    let t = make.call(&[1.into(), 2.5.into()]).unwrap();
    assert_eq!(get::<f64>(&t, "u.d"), 2.5);
    assert_eq!(value_of.call(&[t]).unwrap(), Value::Float(2.5));
    let t = make.call(&[0.into(), 9.0.into()]).unwrap();
    assert_eq!(get::<i32>(&t, "u.i"), 9);
    assert_eq!(value_of.call(&[t]).unwrap(), Value::Float(9.0));
    let typed: TypedCFunc<(Tagged,), f64> = value_of.typed().unwrap();
    let u = TaggedUnion { d: -4.0 };
    assert_eq!(typed.call((Tagged { kind: 1, u },)), -4.0);
}

#[test]
fn long_double_structs() {
    let d = declared();
    let long_double = &CType::LongDouble;
    // An argument holding only a long double goes in memory: libffi does it.
    let value_of = bind("long_double_box_value", &[&d.long_double_box], long_double);
    let mut b = StructValue::new(d.long_double_box.layout().unwrap()).unwrap();
    b.set("x", 1.25).unwrap();
    let got = value_of.call(&[(&b).into()]).unwrap().to::<f64>().unwrap();
    assert_eq!(got, 2.5);
    if cfg!(all(target_arch = "x86_64", unix)) {
        // As a result C returns it in st(0), which libffi does not: refused.
        let err = refused("make_long_double_box", &[long_double], &d.long_double_box);
        assert!(err.contains("st(0)"), "{err}");
    } else {
        // Elsewhere (AArch64: a homogeneous aggregate in q0) libffi does it.
        let make = bind("make_long_double_box", &[long_double], &d.long_double_box);
        let b = make.call(&[0.75.into()]).unwrap();
        assert_eq!(get::<f64>(&b, "x"), 0.75);
    }
    // With an int beside it, 32 bytes in memory both ways.
    let tagged = &d.long_double_tagged;
    let make = bind(
        "make_long_double_tagged",
        &[long_double, &CType::Int],
        tagged,
    );
    let sum = bind("long_double_tagged_sum", &[tagged], long_double);
    let t = make.call(&[0.5.into(), 3.into()]).unwrap();
    assert_eq!(get::<i32>(&t, "tag"), 3);
    assert_eq!(sum.call(&[t]).unwrap().to::<f64>().unwrap(), 3.5);
}

#[test]
fn what_libffi_cannot_describe_is_refused_at_bind_time() {
    let d = declared();
    // Packed structs go by value where the ABI's rules for them are known
    // (tests/integration/real_apis_structs.rs); elsewhere they are refused.
    if cfg!(not(all(
        any(target_arch = "x86_64", target_arch = "aarch64"),
        not(windows)
    ))) {
        assert_eq!(
            refused("packed_cd_sum", &[&d.packed_cd], &CType::Double),
            "packed_cd_sum: invalid signature: argument 1: struct PackedCD is packed (pack(1)): \
             C places field `d` at offset 1, libffi's natural layout at 8; libffi cannot \
             describe it, so pass it by pointer"
        );
    }
    assert_eq!(
        refused("flags_count", &[&d.flags], &CType::Int),
        "flags_count: invalid signature: argument 1: struct Flags has bitfields, which libffi \
         cannot describe: pass it by pointer"
    );
    let err = refused(
        "sum_int_triple",
        &[&CType::array(CType::Int, 3)],
        &CType::Int,
    );
    assert!(
        err.contains("c_int * 3 is an array, which C never passes by value"),
        "{err}"
    );
    let fields = [("x", CType::LongDouble), ("i", CType::Int)];
    let overlapping = CType::Struct(union_layout("U", &fields));
    if cfg!(all(target_arch = "x86_64", unix)) {
        // x86-64 passes it in memory for a reason libffi has no words for.
        let err = refused("sum_int_pair", &[&overlapping], &CType::Int);
        assert!(err.contains("libffi cannot express"), "{err}");
    }
    let aligned = StructLayout::builder("A").field("a", CType::Int).align(16);
    let aligned = CType::Struct(aligned.build().unwrap());
    let err = refused("sum_int_pair", &[&aligned], &CType::Int);
    assert!(err.contains("is over-aligned"), "{err}");
    // But pointers to them are fine.
    let flags = CType::pointer(d.flags.clone());
    let _ = bind(
        "fill_flags",
        &[&flags, &CType::UInt, &CType::UInt, &CType::Int],
        &CType::Void,
    );
}

#[test]
fn wrong_struct_values_are_refused_before_the_call() {
    let d = declared();
    let sum = bind("sum_int_pair", &[&d.int_pair], &CType::Int);
    let other = StructValue::new(d.double_pair.layout().unwrap()).unwrap();
    let err = sum.call(&[(&other).into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sum_int_pair: argument 1: expected struct IntPair, given struct DoublePair value, whose layout differs"
    );
    assert!(matches!(err, Error::Argument { index: 1, .. }));
    let err = sum.call(&[7.into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sum_int_pair: argument 1: expected struct IntPair, given int 7"
    );
    // A layout that differs only in names is the same struct.
    let renamed = struct_layout("Other", &[("x", CType::Int), ("y", CType::UInt)]);
    let renamed = StructValue::new(&renamed).unwrap();
    assert_eq!(sum.call(&[(&renamed).into()]).unwrap(), Value::Int(0));
    // Typed views check the layout once.
    let err = sum.typed::<(DoublePair,), i32>().unwrap_err();
    let expected = "argument 1: expected struct IntPair";
    assert!(err.to_string().contains(expected), "{err}");
    // Converting a result to the wrong Rust struct is an error.
    let make = bind("make_int_pair", &[&CType::Int, &CType::Int], &d.int_pair);
    let p = make.call(&[1.into(), 2.into()]).unwrap();
    assert!(p.to::<DoublePair>().is_err());
    let p = p.to::<StructValue>().unwrap();
    assert_eq!(
        IntPair::from_struct_value(&p).unwrap(),
        IntPair { a: 1, b: 2 }
    );
}
