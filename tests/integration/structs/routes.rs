//! Struct and union arguments on the register route: for every register
//! class of x86-64 System V, the register route, libffi and a typed call
//! (the Rust compiler's own C ABI) give the same result. Structs the ABI
//! passes in memory go in stack slots; what would not fit the registers
//! and slots takes libffi.

use rctypes::{CFunc, CType, Route, TypedCFunc, Value};

use super::types::*;

fn bind(name: &str, args: &[CType], ret: CType) -> CFunc {
    // SAFETY: structs.c: each function bound here has the signature given,
    // taking and returning structs and numbers by value, through no pointer.
    unsafe { structs().function(name, args, ret) }.unwrap_or_else(|e| panic!("{e}"))
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

/// Binds `name(T) -> R`, checks it takes the register route, and that both
/// routes give what the typed call gives for `value`.
macro_rules! in_registers {
    ($name:literal, $declared:expr, $value:expr, $t:ty, $ret:expr, $r:ty) => {{
        let f = bind($name, std::slice::from_ref(&$declared), $ret);
        assert!(
            f.uses_register_route(),
            "{} takes the register route",
            $name
        );
        let typed: TypedCFunc<($t,), $r> = f.typed().unwrap();
        let v: $t = $value;
        let want = typed.call((v,));
        assert_eq!(both_routes(&f, &[(&v).into()]), Value::from(want), $name);
    }};
}

#[test]
fn every_register_class_of_a_struct_argument_agrees() {
    let d = declared();
    // One integer eightbyte, whole or partly filled.
    in_registers!(
        "sum_int_pair",
        d.int_pair,
        IntPair { a: -3, b: 7 },
        IntPair,
        CType::Int,
        i32
    );
    in_registers!(
        "sum_char_short",
        d.char_short,
        CharShort { c: -5, s: 300 },
        CharShort,
        CType::Int,
        i32
    );
    // A float and an int share an eightbyte: integer.
    in_registers!(
        "sum_float_int",
        d.float_int,
        FloatInt { f: 1.5, i: -2 },
        FloatInt,
        CType::Double,
        f64
    );
    // SSE eightbytes: two floats in one, two doubles in two.
    in_registers!(
        "sum_float_pair",
        d.float_pair,
        FloatPair { x: 0.25, y: -8.5 },
        FloatPair,
        CType::Float,
        f32
    );
    in_registers!(
        "sum_double_pair",
        d.double_pair,
        DoublePair { x: 1e-3, y: 2.5 },
        DoublePair,
        CType::Double,
        f64
    );
    in_registers!(
        "sum_float4",
        d.float4,
        Float4 {
            v: [1.0, -2.0, 4.5, 8.0]
        },
        Float4,
        CType::Float,
        f32
    );
    // Mixed: SSE then integer; two integer eightbytes, one partly filled.
    in_registers!(
        "sum_double_int",
        d.double_int,
        DoubleInt { d: -0.5, i: 9 },
        DoubleInt,
        CType::Double,
        f64
    );
    in_registers!(
        "sum_int_triple",
        d.int_triple,
        IntTriple { v: [1, -20, 300] },
        IntTriple,
        CType::Int,
        i32
    );
    in_registers!(
        "sum_tagged_pair",
        d.tagged_pair,
        TaggedPair {
            tag: 4,
            p: IntPair { a: 5, b: -6 }
        },
        TaggedPair,
        CType::Int,
        i32
    );
    // Unions by the classes of their eightbytes.
    in_registers!(
        "int_or_float_bits",
        d.int_or_float,
        IntOrFloat { f: -1.0 },
        IntOrFloat,
        CType::Int,
        i32
    );
    in_registers!(
        "double_or_long_bits",
        d.double_or_long,
        DoubleOrLong { d: 0.1 },
        DoubleOrLong,
        CType::LongLong,
        i64
    );
    in_registers!(
        "floats_or_double_sum",
        d.floats_or_double,
        FloatsOrDouble { f: [0.5, 0.25] },
        FloatsOrDouble,
        CType::Double,
        f64
    );
    in_registers!(
        "tagged_value",
        d.tagged,
        Tagged {
            kind: 1,
            u: TaggedUnion { d: -4.0 }
        },
        Tagged,
        CType::Double,
        f64
    );
}

#[test]
fn struct_arguments_among_scalars_and_beyond_the_registers() {
    let d = declared();
    // A struct result of one SSE eightbyte comes back in xmm0.
    let f = bind(
        "scale_float_pair",
        &[d.float_pair.clone(), CType::Float],
        d.float_pair.clone(),
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
    let seven = bind("sum_seven_pairs", &vec![d.int_pair.clone(); 7], CType::Int);
    assert!(!seven.uses_register_route());
    let args: Vec<Value> = pairs.iter().map(Value::from).collect();
    type Seven = (
        IntPair,
        IntPair,
        IntPair,
        IntPair,
        IntPair,
        IntPair,
        IntPair,
    );
    let typed: TypedCFunc<Seven, i32> = seven.typed().unwrap();
    let [a, b, c, e, f2, g, h] = pairs[..] else {
        unreachable!()
    };
    assert_eq!(
        seven.call(&args).unwrap(),
        Value::Int(typed.call((a, b, c, e, f2, g, h)).into())
    );
    // Ten doubles in five pairs: more than the eight SSE registers.
    let five = bind(
        "sum_five_double_pairs",
        &vec![d.double_pair.clone(); 5],
        CType::Double,
    );
    assert!(!five.uses_register_route());
    // In memory by the ABI (more than 16 bytes): copied whole into stack
    // slots, on the register route too.
    let dot = bind("dot_vec3", &[d.vec3.clone(), d.vec3.clone()], CType::Double);
    assert!(dot.uses_register_route(), "dot_vec3");
    let (x, y) = (
        Vec3 {
            x: 1.0,
            y: 2.0,
            z: 3.0,
        },
        Vec3 {
            x: -4.0,
            y: 0.5,
            z: 2.0,
        },
    );
    assert_eq!(
        both_routes(&dot, &[(&x).into(), (&y).into()]),
        Value::Float(-4.0 + 1.0 + 6.0)
    );
    let nested = bind("sum_nested", std::slice::from_ref(&d.nested), CType::Double);
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
    let make = bind(
        "bytes_or_double_from_double",
        &[CType::Double],
        d.bytes_or_double.clone(),
    );
    let bytes = bind(
        "bytes_or_double_byte_sum",
        std::slice::from_ref(&d.bytes_or_double),
        CType::Int,
    );
    assert!(make.uses_register_route() && bytes.uses_register_route());
    let u = both_routes(&make, &[1.5.into()]);
    // 1.5's bytes (0x3ff8 in its top half), then the 7 C put in byte 19.
    let want = 0x3f + 0xf8 + 7;
    assert_eq!(both_routes(&bytes, &[u]), Value::Int(want));
}
