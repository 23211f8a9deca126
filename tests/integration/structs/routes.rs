//! Struct and union arguments on the register route: for every register
//! class of x86-64 System V, the register route, libffi and a typed call
//! (the Rust compiler's own C ABI) give the same result. Structs the ABI
//! passes in memory go in stack slots; what would not fit the registers
//! and slots takes libffi.

use rctypes::{CFunc, CType, Route, TypedCFunc, Value};

use super::types::*;

fn bind(name: &str, args: &[&CType], ret: &CType) -> CFunc {
    // SAFETY: structs.c: each function bound here has the signature given,
    // taking and returning structs and numbers by value, through no pointer.
    unsafe { structs_fn(name, args, ret) }
}

/// The result through the function's own route and through libffi, which
/// must agree.
fn both_routes(f: &CFunc, args: &[Value<'_>]) -> Value<'static> {
    let slow = f.clone().via(Route::Libffi).unwrap();
    let fast = f.call(args).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        fast,
        slow.call(args).unwrap_or_else(|e| panic!("{e}")),
        "{}: both routes",
        f.name()
    );
    fast
}

/// For each `name, declared, value: T, result type, R`: binds `name(T) ->
/// R`, checks it takes the register route, and that both routes give what
/// the typed call gives for `value`.
macro_rules! in_registers {
    ($($name:literal, $declared:expr, $value:expr, $t:ty, $ret:expr, $r:ty;)*) => {$({
        let f = bind($name, &[&$declared], &$ret);
        assert!(f.uses_register_route(), "{} takes the register route", $name);
        let typed: TypedCFunc<($t,), $r> = f.typed().unwrap();
        let v: $t = $value;
        let want = typed.call((v,));
        assert_eq!(both_routes(&f, &[(&v).into()]), Value::from(want), $name);
    })*};
}

#[test]
fn every_register_class_of_a_struct_argument_agrees() {
    use CType::{Double, Float, Int, LongLong};
    let d = declared();
    let (pair, tagged) = (IntPair { a: 5, b: -6 }, TaggedUnion { d: -4.0 });
    in_registers! {
        // One integer eightbyte, whole or partly filled.
        "sum_int_pair", d.int_pair, IntPair { a: -3, b: 7 }, IntPair, Int, i32;
        "sum_char_short", d.char_short, CharShort { c: -5, s: 300 }, CharShort, Int, i32;
        // A float and an int share an eightbyte: integer.
        "sum_float_int", d.float_int, FloatInt { f: 1.5, i: -2 }, FloatInt, Double, f64;
        // SSE eightbytes: two floats in one, two doubles in two.
        "sum_float_pair", d.float_pair, FloatPair { x: 0.25, y: -8.5 }, FloatPair, Float, f32;
        "sum_double_pair", d.double_pair, DoublePair { x: 1e-3, y: 2.5 }, DoublePair, Double, f64;
        "sum_float4", d.float4, Float4 { v: [1.0, -2.0, 4.5, 8.0] }, Float4, Float, f32;
        // Mixed: SSE then integer; two integer eightbytes, one partly filled.
        "sum_double_int", d.double_int, DoubleInt { d: -0.5, i: 9 }, DoubleInt, Double, f64;
        "sum_int_triple", d.int_triple, IntTriple { v: [1, -20, 300] }, IntTriple, Int, i32;
        "sum_tagged_pair", d.tagged_pair, TaggedPair { tag: 4, p: pair }, TaggedPair, Int, i32;
        // Unions by the classes of their eightbytes.
        "int_or_float_bits", d.int_or_float, IntOrFloat { f: -1.0 }, IntOrFloat, Int, i32;
        "double_or_long_bits", d.double_or_long, DoubleOrLong { d: 0.1 }, DoubleOrLong, LongLong, i64;
        "floats_or_double_sum", d.floats_or_double, FloatsOrDouble { f: [0.5, 0.25] }, FloatsOrDouble, Double, f64;
        "tagged_value", d.tagged, Tagged { kind: 1, u: tagged }, Tagged, Double, f64;
    }
}

#[test]
fn struct_arguments_among_scalars_and_beyond_the_registers() {
    let d = declared();
    // A struct result of one SSE eightbyte comes back in xmm0.
    let f = bind(
        "scale_float_pair",
        &[&d.float_pair, &CType::Float],
        &d.float_pair,
    );
    assert!(
        f.uses_register_route(),
        "a small struct result in registers"
    );
    let p = FloatPair { x: 1.0, y: 2.0 };
    let scaled = both_routes(&f, &[(&p).into(), 3.0.into()]);
    assert_eq!(
        scaled.to::<FloatPair>().unwrap(),
        FloatPair { x: 3.0, y: 6.0 }
    );

    // Seven integer pairs: the seventh would go on the stack, whole, so the
    // signature takes libffi.
    let pairs: Vec<IntPair> = (1..=7).map(|i| IntPair { a: i, b: -i }).collect();
    let seven = bind("sum_seven_pairs", &[&d.int_pair; 7], &CType::Int);
    assert!(!seven.uses_register_route());
    let args: Vec<Value> = pairs.iter().map(Value::from).collect();
    let typed: TypedCFunc<SevenPairs, i32> = seven.typed().unwrap();
    let [a, b, c, e, f2, g, h] = pairs[..] else {
        unreachable!()
    };
    let want = typed.call((a, b, c, e, f2, g, h));
    assert_eq!(seven.call(&args).unwrap(), Value::Int(want.into()));
    // Ten doubles in five pairs: more than the eight SSE registers.
    let five = bind(
        "sum_five_double_pairs",
        &[&d.double_pair; 5],
        &CType::Double,
    );
    assert!(!five.uses_register_route());
    // In memory by the ABI (more than 16 bytes): copied whole into stack
    // slots, on the register route too.
    let dot = bind("dot_vec3", &[&d.vec3, &d.vec3], &CType::Double);
    assert!(dot.uses_register_route(), "dot_vec3");
    let (x, y) = (vec3(1.0, 2.0, 3.0), vec3(-4.0, 0.5, 2.0));
    let product = both_routes(&dot, &[(&x).into(), (&y).into()]);
    assert_eq!(product, Value::Float(-4.0 + 1.0 + 6.0));
    let nested = bind("sum_nested", &[&d.nested], &CType::Double);
    assert!(nested.uses_register_route(), "sum_nested");
    let n = Nested {
        p: IntPair { a: 1, b: 2 },
        q: DoublePair { x: 3.0, y: 4.0 },
    };
    // `p.a + 10 p.b + 100 q.x + 1000 q.y`.
    assert_eq!(
        both_routes(&nested, &[(&n).into()]),
        Value::Float(1.0 + 20.0 + 300.0 + 4000.0)
    );
    // A 24-byte union, returned through a hidden pointer and passed in
    // stack slots.
    let bytes_or_double = &d.bytes_or_double;
    let make = bind(
        "bytes_or_double_from_double",
        &[&CType::Double],
        bytes_or_double,
    );
    let bytes = bind("bytes_or_double_byte_sum", &[bytes_or_double], &CType::Int);
    assert!(make.uses_register_route() && bytes.uses_register_route());
    let u = both_routes(&make, &[1.5.into()]);
    // 1.5's bytes (0x3ff8 in its top half), then the 7 C put in byte 19.
    let want = 0x3f + 0xf8 + 7;
    assert_eq!(both_routes(&bytes, &[u]), Value::Int(want));
}
