//! The register route and libffi give identical results for every signature
//! class the register route takes.

use rctypes::{CFunc, CType, Value};

use crate::common::{abi, lib, mixed6};

fn both(f: CFunc) -> [CFunc; 2] {
    let slow = f.clone().via_libffi();
    assert!(!slow.uses_register_route());
    [f, slow]
}

fn same(f: &CFunc, args: &[Value<'_>]) -> Value<'static> {
    let [fast, slow] = both(f.clone());
    let (a, b) = (fast.call(args).unwrap(), slow.call(args).unwrap());
    match (&a, &b) {
        (Value::Float(x), Value::Float(y)) if x.is_nan() => assert!(y.is_nan()),
        _ => assert_eq!(a, b, "{} with {args:?}", f.name()),
    }
    a
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
        // SAFETY: abi.c's id_* functions are `T id_T(T)`.
        let f = unsafe { abi().function(symbol, std::slice::from_ref(&ty), ty.clone()) }.unwrap();
        assert!(f.uses_register_route(), "{symbol}");
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
    let sig10 = [
        CType::Int,
        CType::Double,
        CType::Int,
        CType::Double,
        CType::Int,
        CType::Double,
        CType::Int,
        CType::Double,
        CType::LongLong,
        CType::Double,
    ];
    // SAFETY: mixed10's declared signature.
    let mixed10 = unsafe { abi().function("mixed10", &sig10, CType::Double) }.unwrap();
    assert!(
        mixed10.uses_register_route(),
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
    assert!(spill10.uses_register_route(), "four stack slots fit");
    let args: Vec<Value> = (1..=10)
        .map(|i| Value::Int(i * if i % 3 == 0 { -1 } else { 1 }))
        .collect();
    // Σ k·(±k)
    assert_eq!(same(&spill10, &args), Value::Int(385 - 2 * (9 + 36 + 81)));
    let mut sig = vec![CType::Double; 9];
    sig.extend([CType::Int, CType::Float, CType::Double]);
    // SAFETY: as above.
    let spill_floats = unsafe { abi().function("spill_floats", &sig, CType::Double) }.unwrap();
    assert!(spill_floats.uses_register_route());
    let mut args: Vec<Value> = (1..=9).map(|i| Value::Float(i as f64 / 2.0)).collect();
    args.extend([Value::Int(-3), Value::Float(0.5), Value::Float(0.25)]);
    let expected = (1..=9).map(|i| (i * i) as f64 / 2.0).sum::<f64>() - 30.0 + 5.5 + 3.0;
    assert_eq!(same(&spill_floats, &args), Value::Float(expected));
}

#[test]
fn pointer_arguments_agree() {
    // SAFETY: fibseries reads and writes `elements` ints.
    let series = unsafe {
        lib("fibonacci").function(
            "fibseries",
            &[
                CType::const_pointer(CType::Int),
                CType::Int,
                CType::pointer(CType::Int),
            ],
            CType::Void,
        )
    }
    .unwrap();
    let [fast, slow] = both(series);
    let input = [3, 4, 5, 20];
    let (mut a, mut b) = ([0; 4], [0; 4]);
    fast.call(&[(&input).into(), 4.into(), (&mut a).into()])
        .unwrap();
    slow.call(&[(&input).into(), 4.into(), (&mut b).into()])
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(a, [1, 2, 3, 4181]);
    // SAFETY: str_len reads a string.
    let len = unsafe { abi().function("str_len", &[CType::CharP], CType::SizeT) }.unwrap();
    assert_eq!(same(&len, &["twelve bytes".into()]), Value::Int(12));
}

#[test]
fn signatures_beyond_the_registers_take_libffi() {
    // SAFETY: declared signatures of abi.c functions.
    let ld = unsafe { abi().function("id_longdouble", &[CType::LongDouble], CType::LongDouble) }
        .unwrap();
    assert!(!ld.uses_register_route());
    let sum = unsafe { abi().variadic("sum_ints", &[CType::Int], CType::LongLong) }.unwrap();
    assert!(!sum.uses_register_route());
    let fifteen_ints = vec![CType::Int; 15];
    let libc = rctypes::Library::this().unwrap();
    // Only the route is examined; the function is never called.
    let f = unsafe { libc.function("labs", &fifteen_ints, CType::Long) }.unwrap();
    assert!(
        !f.uses_register_route(),
        "nine arguments past the registers"
    );
}
