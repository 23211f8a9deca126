//! The fast path, the register route and libffi give identical results,
//! and identical errors, for every signature class each takes.

use rctypes::{CFunc, CType, Extent, Route, Value};

use crate::common::{abi, compute_mean_nd, every_route, fibseries, lib, mixed6, mixed10};

/// Calls `f` on every route that takes it; all must agree. The result.
fn same(f: &CFunc, args: &[Value<'_>]) -> Value<'static> {
    let routes = every_route(f);
    assert_eq!(routes[0].route(), f.route());
    let first = routes[0].call(args).unwrap();
    for other in &routes[1..] {
        let r = other.call(args).unwrap();
        match (&first, &r) {
            (Value::Float(x), Value::Float(y)) if x.is_nan() => assert!(y.is_nan()),
            _ => assert_eq!(
                first,
                r,
                "{} with {args:?} via {:?}",
                f.name(),
                other.route()
            ),
        }
    }
    first
}

/// Calls `f` on every route; all must refuse alike. The message.
fn same_error(f: &CFunc, args: &[Value<'_>]) -> String {
    let messages: Vec<String> = every_route(f)
        .iter()
        .map(|route| route.call(args).unwrap_err().to_string())
        .collect();
    assert!(messages.windows(2).all(|w| w[0] == w[1]), "{messages:?}");
    messages[0].clone()
}

/// abi.c's identity function for `ty`: `T symbol(T)`.
fn identity(symbol: &str, ty: CType) -> CFunc {
    // SAFETY: abi.c's id_* functions are `T id_T(T v)`, returning v; for a
    // pointer, reading and writing nothing through it.
    unsafe { abi().function(symbol, std::slice::from_ref(&ty), ty.clone()) }.unwrap()
}

/// abi.c's `void *id_pointer(void *v)`, declared as what it is: it touches
/// no byte through v, which may be NULL.
fn pointer_identity() -> CFunc {
    let v = CType::VoidP.extent(Extent::Bytes(0)).nullable();
    // SAFETY: abi.c: `void *id_pointer(void *v)` returns v, reading and
    // writing nothing through it, so any address or NULL will do.
    unsafe { abi().function("id_pointer", &[v], CType::VoidP) }.unwrap()
}

#[test]
fn every_scalar_class_agrees() {
    let cases: Vec<(&str, CType, Vec<Value>)> = vec![
        ("id_bool", CType::Bool, vec![true.into(), false.into()]),
        (
            "id_schar",
            CType::Byte,
            vec![Value::Int(-128), Value::Int(127)],
        ),
        (
            "id_uchar",
            CType::UByte,
            vec![Value::Int(0), Value::Int(255)],
        ),
        (
            "id_short",
            CType::Short,
            vec![Value::Int(-32768), Value::Int(32767)],
        ),
        ("id_ushort", CType::UShort, vec![Value::Int(65535)]),
        (
            "id_int",
            CType::Int,
            vec![Value::Int(i32::MIN.into()), Value::Int(-1)],
        ),
        ("id_uint", CType::UInt, vec![Value::Int(u32::MAX.into())]),
        (
            "id_longlong",
            CType::LongLong,
            vec![Value::Int(i64::MIN.into())],
        ),
        (
            "id_ulonglong",
            CType::ULongLong,
            vec![Value::Int(u64::MAX.into())],
        ),
        (
            "id_float",
            CType::Float,
            vec![
                Value::Float(-0.5),
                Value::Float(f64::NAN),
                Value::Float(1e-40),
            ],
        ),
        (
            "id_double",
            CType::Double,
            vec![Value::Float(f64::MIN_POSITIVE), Value::Float(-1e300)],
        ),
        ("id_pointer", CType::VoidP, vec![Value::Null]),
        ("id_wchar", CType::WChar, vec!['🦀'.into()]),
    ];
    for (symbol, ty, values) in cases {
        let f = if symbol == "id_pointer" {
            pointer_identity()
        } else {
            identity(symbol, ty)
        };
        // Numbers compile to machine code; a pointer runs the program.
        let route = if symbol == "id_pointer" {
            Route::Fast
        } else {
            Route::Compiled
        };
        assert_eq!(f.route(), route, "{symbol}");
        for v in values {
            let r = same(&f, std::slice::from_ref(&v));
            if !matches!(v, Value::Float(x) if x.is_nan() || x == 1e-40) {
                assert_eq!(r, v, "{symbol}");
            }
        }
    }
}

#[test]
fn small_returns_agree() {
    for (symbol, ty) in [
        ("negative_schar", CType::Byte),
        ("negative_short", CType::Short),
        ("big_uchar", CType::UByte),
        ("big_ushort", CType::UShort),
        ("true_bool", CType::Bool),
    ] {
        // SAFETY: each is `T symbol(void)`.
        let f = unsafe { abi().function(symbol, &[], ty) }.unwrap();
        same(&f, &[]);
    }
}

#[test]
fn mixed_registers_agree() {
    let mixed6 = mixed6();
    let r = same(
        &mixed6,
        &[
            1.into(),
            2.5.into(),
            (-3).into(),
            0.25.into(),
            (-7).into(),
            100.0.into(),
        ],
    );
    assert_eq!(r, Value::Float(93.75));
    let mixed10 = mixed10();
    assert_eq!(
        mixed10.route(),
        Route::Compiled,
        "5 integers and 5 doubles fit the registers"
    );
    let args: Vec<Value> = (1..=10)
        .map(|i| {
            if i % 2 == 1 {
                Value::Int(-i)
            } else {
                Value::Float(i as f64 / 4.0)
            }
        })
        .collect();
    same(&mixed10, &args);
}

#[test]
fn stack_spills_agree() {
    // SAFETY: abi.c's declared signatures.
    let spill10 =
        unsafe { abi().function("spill10", &vec![CType::Int; 10], CType::LongLong) }.unwrap();
    assert_eq!(spill10.route(), Route::Compiled, "four stack slots fit");
    let args: Vec<Value> = (1..=10)
        .map(|i| Value::Int(i * if i % 3 == 0 { -1 } else { 1 }))
        .collect();
    // Σ k·(±k)
    assert_eq!(same(&spill10, &args), Value::Int(385 - 2 * (9 + 36 + 81)));
    let mut sig = vec![CType::Double; 9];
    sig.extend([CType::Int, CType::Float, CType::Double]);
    // SAFETY: as above.
    let spill_floats = unsafe { abi().function("spill_floats", &sig, CType::Double) }.unwrap();
    assert_eq!(spill_floats.route(), Route::Compiled);
    let mut args: Vec<Value> = (1..=9).map(|i| Value::Float(i as f64 / 2.0)).collect();
    args.extend([Value::Int(-3), Value::Float(0.5), Value::Float(0.25)]);
    let expected = (1..=9).map(|i| (i * i) as f64 / 2.0).sum::<f64>() - 30.0 + 5.5 + 3.0;
    assert_eq!(same(&spill_floats, &args), Value::Float(expected));
}

#[test]
fn pointer_arguments_agree() {
    let series = fibseries();
    assert_eq!(series.route(), Route::Fast);
    let input = [3, 4, 5, 20];
    for route in every_route(&series) {
        let mut out = [0; 4];
        route
            .call(&[(&input).into(), 4.into(), (&mut out).into()])
            .unwrap();
        assert_eq!(out, [1, 2, 3, 4181], "via {:?}", route.route());
        let refused = route
            .call(&[(&input).into(), 4.into(), (&input).into()])
            .unwrap_err();
        assert!(
            refused.to_string().contains("argument 3"),
            "read-only memory where C writes, via {:?}: {refused}",
            route.route()
        );
    }
    // A count past the arrays lent: every route refuses it alike.
    let mut out = [0; 4];
    let past = same_error(&series, &[(&input).into(), 5.into(), (&mut out).into()]);
    assert!(past.contains("argument 1"), "{past}");
    // SAFETY: abi.c: `size_t str_len(const char *s)` reads s up to its NUL;
    // s may not be NULL.
    let len = unsafe { abi().function("str_len", &[CType::CharP], CType::SizeT) }.unwrap();
    assert_eq!(same(&len, &["twelve bytes".into()]), Value::Int(12));
}

#[test]
fn signatures_beyond_the_registers_take_libffi() {
    // SAFETY: declared signatures of abi.c functions.
    let ld = unsafe { abi().function("id_longdouble", &[CType::LongDouble], CType::LongDouble) }
        .unwrap();
    assert_eq!(ld.route(), Route::Libffi);
    let sum = unsafe { abi().variadic("sum_ints", &[CType::Int], CType::LongLong) }.unwrap();
    assert_eq!(sum.route(), Route::Libffi);
    let fifteen_ints = vec![CType::Int; 15];
    let libc = rctypes::Library::this().unwrap();
    // Only the route is examined; the function is never called.
    let f = unsafe { libc.function("labs", &fifteen_ints, CType::Long) }.unwrap();
    assert_eq!(
        f.route(),
        Route::Libffi,
        "nine arguments past the registers"
    );
}

#[test]
fn values_the_fast_path_does_not_convert_take_the_general_path() {
    let id_int = identity("id_int", CType::Int);
    let id_double = identity("id_double", CType::Double);
    let id_pointer = pointer_identity();
    assert_eq!(same(&id_int, &[true.into()]), Value::Int(1));
    assert_eq!(same(&id_double, &[3.into()]), Value::Float(3.0));
    let mut x = 0u8;
    match same(&id_pointer, &[Value::byref(&mut x)]) {
        Value::Pointer(p) => assert_eq!(p.addr(), &raw const x as usize),
        other => panic!("{other:?}"),
    }
    // SAFETY: abi.c: `size_t str_len(const char *s)` reads s up to its NUL;
    // s may not be NULL.
    let len = unsafe { abi().function("str_len", &[CType::CharP], CType::SizeT) }.unwrap();
    assert_eq!(len.route(), Route::Fast);
    assert_eq!(same(&len, &["a &str, copied".into()]), Value::Int(14));
    assert_eq!(same(&len, &[c"a C string, not".into()]), Value::Int(15));
}

#[test]
fn every_route_refuses_bad_arguments_alike() {
    let mixed6 = mixed6();
    assert_eq!(mixed6.route(), Route::Compiled);
    let mut args: Vec<Value> = vec![
        1.into(),
        2.0.into(),
        3.into(),
        4.0.into(),
        5.into(),
        6.0.into(),
    ];
    args[4] = Value::Int(1 << 20);
    let message = same_error(&mixed6, &args);
    assert!(message.contains("argument 5"), "{message}");
    assert!(message.contains("c_short"), "{message}");
    args[4] = 5.into();
    args[3] = Value::Float(1e300);
    assert!(same_error(&mixed6, &args).contains("argument 4"));
    args[3] = "four".into();
    assert!(same_error(&mixed6, &args).contains("argument 4"));
    assert!(same_error(&mixed6, &args[..5]).contains("6 argument"));
    // NULL where it is not declared nullable; a void* lent Rust memory with
    // no extent in bytes.
    let strict = identity("id_pointer", CType::VoidP);
    let message = same_error(&strict, &[Value::Null]);
    assert!(message.contains("argument 1"), "{message}");
    assert!(message.contains("nullable"), "{message}");
    let mut x = 0u8;
    let message = same_error(&strict, &[Value::byref(&mut x)]);
    assert!(message.contains("argument 1"), "{message}");
}

#[test]
fn ndpointers_take_the_fast_path_with_every_check() {
    let mean = compute_mean_nd();
    assert_eq!(mean.route(), Route::Fast);
    let a = ndarray::Array1::from_vec(vec![1.0f32, 2.0, 3.0, 6.0]);
    assert_eq!(same(&mean, &[(&a).into(), 4.into()]), Value::Float(3.0));
    let wrong_length = same_error(&mean, &[(&a).into(), 3.into()]);
    assert!(wrong_length.contains("argument 1"), "{wrong_length}");
    let doubles = [1.0f64, 2.0, 3.0, 6.0];
    let wrong_dtype = same_error(&mean, &[(&doubles[..]).into(), 4.into()]);
    assert!(wrong_dtype.contains("float32"), "{wrong_dtype}");
    let null = same_error(&mean, &[Value::Null, 4.into()]);
    assert!(null.contains("argument 1"), "{null}");
}

#[test]
fn what_the_fast_path_leaves_to_the_other_routes() {
    // SAFETY: abi.c: `const char *greeting(void)` returns a static string;
    // set_errno_to and spill10 take and return only integers.
    let (greeting, errno, spill10) = unsafe {
        (
            abi().function("greeting", &[], CType::CharP).unwrap(),
            abi()
                .function("set_errno_to", &[CType::Int], CType::Int)
                .unwrap(),
            abi()
                .function("spill10", &[const { CType::Int }; 10], CType::LongLong)
                .unwrap(),
        )
    };
    assert_eq!(
        greeting.route(),
        Route::Registers,
        "a string result is copied"
    );
    assert_eq!(errno.route(), Route::Compiled);
    assert_eq!(errno.clone().via(Route::Fast).unwrap().route(), Route::Fast);
    assert_eq!(errno.clone().with_errno().route(), Route::Registers);
    let checked = errno.with_errcheck(|r, _| Ok(r));
    assert_eq!(checked.route(), Route::Registers);
    assert_eq!(same(&checked, &[7.into()]), Value::Int(-1));
    // Numbers on the stack are compiled too; the program runs them alike.
    assert_eq!(spill10.route(), Route::Compiled);
    assert_eq!(spill10.via(Route::Fast).unwrap().route(), Route::Fast);
    let refused = greeting.via(Route::Compiled).unwrap_err().to_string();
    assert!(refused.contains("Compiled route"), "{refused}");
}

/// The compiled code's checks are the program's: every integer kind's
/// bounds (in both halves of the `i128`), a `float`'s range, and the
/// variants it leaves to the program, on every route alike.
#[test]
fn compiled_code_checks_every_bound_as_the_program_does() {
    let cases: [(&str, CType, i128, i128); 9] = [
        ("id_schar", CType::Byte, i8::MIN.into(), i8::MAX.into()),
        ("id_uchar", CType::UByte, 0, u8::MAX.into()),
        ("id_short", CType::Short, i16::MIN.into(), i16::MAX.into()),
        ("id_ushort", CType::UShort, 0, u16::MAX.into()),
        ("id_int", CType::Int, i32::MIN.into(), i32::MAX.into()),
        ("id_uint", CType::UInt, 0, u32::MAX.into()),
        (
            "id_longlong",
            CType::LongLong,
            i64::MIN.into(),
            i64::MAX.into(),
        ),
        ("id_ulonglong", CType::ULongLong, 0, u64::MAX.into()),
        ("id_bool", CType::Bool, 0, 1),
    ];
    for (symbol, ty, lo, hi) in cases {
        let f = identity(symbol, ty.clone());
        assert_eq!(f.route(), Route::Compiled, "{symbol}");
        for v in [lo, hi, lo / 2, hi / 2] {
            let got = same(&f, &[Value::Int(v)]);
            let want = if ty == CType::Bool {
                Value::Bool(v != 0)
            } else {
                Value::Int(v)
            };
            assert_eq!(got, want, "{symbol}({v})");
        }
        // Just outside, and far outside in either half of the i128.
        for v in [
            lo - 1,
            hi + 1,
            hi + (1 << 64),
            lo - (1 << 64),
            i128::MIN,
            i128::MAX,
        ] {
            let message = same_error(&f, &[Value::Int(v)]);
            assert!(message.contains("argument 1"), "{symbol}({v}): {message}");
        }
        let message = same_error(&f, &[Value::Float(1.0)]);
        assert!(message.contains("argument 1"), "{symbol}(1.0): {message}");
    }
    let id_float = identity("id_float", CType::Float);
    let id_double = identity("id_double", CType::Double);
    let largest = f64::from(f32::MAX);
    for x in [
        largest,
        -largest,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        1e-46,
    ] {
        assert_eq!(
            same(&id_float, &[x.into()]),
            Value::Float(x as f32 as f64),
            "{x}"
        );
    }
    assert!(matches!(same(&id_float, &[f64::NAN.into()]), Value::Float(x) if x.is_nan()));
    for x in [largest * 1.0000001, -1e300, f64::MAX] {
        let message = same_error(&id_float, &[x.into()]);
        assert!(message.contains("argument 1"), "{x}: {message}");
    }
    // Values the code leaves to the program: a bool for an integer, an
    // integer for a double.
    assert_eq!(same(&id_double, &[(-4).into()]), Value::Float(-4.0));
    let id_int = identity("id_int", CType::Int);
    assert_eq!(same(&id_int, &[true.into()]), Value::Int(1));
    assert!(same_error(&id_int, &[]).contains("1 argument"));
}

rctypes::c_struct! {
    struct RoutedPair { a: i32, b: i32 }
}

#[test]
fn struct_arguments_take_the_fast_path_and_agree() {
    use rctypes::{CStruct, StructLayout, StructValue};
    let structs = lib("structs");
    let pair = StructLayout::builder("IntPair")
        .field("a", CType::Int)
        .field("b", CType::Int)
        .build()
        .unwrap();
    let double_int = StructLayout::builder("DoubleInt")
        .field("d", CType::Double)
        .field("i", CType::Int)
        .build()
        .unwrap();
    // SAFETY: structs.h: `int sum_int_pair(IntPair)`, `double
    // sum_double_int(DoubleInt)`.
    let (sum_pair, sum_double_int) = unsafe {
        (
            structs
                .function("sum_int_pair", &[CType::Struct(pair.clone())], CType::Int)
                .unwrap(),
            structs
                .function(
                    "sum_double_int",
                    &[CType::Struct(double_int.clone())],
                    CType::Double,
                )
                .unwrap(),
        )
    };
    assert_eq!(sum_pair.route(), Route::Fast);
    assert_eq!(sum_double_int.route(), Route::Fast);

    let mut p = StructValue::new(&pair).unwrap();
    p.set("a", 40).unwrap();
    p.set("b", -2).unwrap();
    // `a + 10 * b`, computed by C from the bytes it received.
    assert_eq!(same(&sum_pair, &[(&p).into()]), Value::Int(20));
    assert_eq!(same(&sum_pair, &[p.clone().into()]), Value::Int(20));
    // A `c_struct!` value lent by reference, whose layout is its own.
    let routed = RoutedPair { a: 7, b: 8 };
    let lent = CType::Struct(RoutedPair::layout().clone());
    // SAFETY: as above; RoutedPair has IntPair's layout.
    let sum_routed = unsafe { structs.function("sum_int_pair", &[lent], CType::Int) }.unwrap();
    assert_eq!(same(&sum_routed, &[(&routed).into()]), Value::Int(87));
    assert_eq!(same(&sum_pair, &[(&routed).into()]), Value::Int(87));

    // SSE then integer eightbytes: `d + 100 * i`.
    let mut v = StructValue::new(&double_int).unwrap();
    v.set("d", 2.5).unwrap();
    v.set("i", 4).unwrap();
    assert_eq!(same(&sum_double_int, &[(&v).into()]), Value::Float(402.5));

    // Refusals read the same on every route.
    let message = same_error(&sum_pair, &[(&v).into()]);
    assert!(message.contains("whose layout differs"), "{message}");
    let message = same_error(&sum_pair, &[3.into()]);
    assert!(message.contains("argument 1"), "{message}");
    let message = same_error(&sum_pair, &[]);
    assert!(message.contains("sum_int_pair"), "{message}");
}
