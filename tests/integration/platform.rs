//! The platform's own rules, held against what the target's C compiler
//! says (csrc/platform.c is compiled for the target): char and wchar_t
//! signedness, long double's format, a layout rule that differs between
//! ABIs, homogeneous float aggregates and unions by value, variadic
//! arguments, the routes this build has, and calling conventions.

use std::sync::OnceLock;

use rctypes::{
    CData, CFunc, CType, CallConv, Library, LongDouble, Route, StructLayout, StructValue, Value,
};

use crate::common::{lib, struct_layout, union_layout};

fn platform() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(|| lib("platform"))
}

/// Binds `name` from platform.c.
fn bind(name: &str, args: &[CType], ret: CType) -> CFunc {
    // SAFETY: platform.c defines each function bound here with the
    // signature given; none takes a pointer.
    unsafe { platform().function(name, args, ret) }.unwrap_or_else(|e| panic!("{e}"))
}

/// The `int` a C function of no arguments returns.
fn c_int(name: &str) -> i64 {
    bind(name, &[], CType::Int)
        .call(&[])
        .unwrap()
        .to::<i64>()
        .unwrap()
}

#[test]
fn char_and_wchar_follow_the_target_compiler() {
    let (min, max) = CType::Char.int_range().unwrap();
    if c_int("platform_char_is_signed") == 1 {
        assert_eq!((min, max), (-128, 127));
    } else {
        assert_eq!(
            (min, max),
            (0, 255),
            "char is unsigned here (AArch64 Linux)"
        );
    }
    let (wmin, wmax) = CType::WChar.int_range().unwrap();
    assert_eq!(CType::WChar.size() as i64, c_int("platform_wchar_size"));
    let bits = 8 * CType::WChar.size() as u32;
    if c_int("platform_wchar_is_signed") == 1 {
        assert_eq!(
            (wmin, wmax),
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        );
    } else {
        assert_eq!((wmin, wmax), (0, (1i128 << bits) - 1));
    }
}

#[test]
fn long_double_has_the_target_format() {
    assert_eq!(LongDouble::SIZE as i64, c_int("platform_long_double_size"));
    assert_eq!(
        LongDouble::ALIGN as i64,
        c_int("platform_long_double_align")
    );
    assert_eq!(
        i64::from(LongDouble::PRECISION),
        c_int("platform_long_double_mant_dig"),
        "64 for x87 extended, 113 for binary128"
    );
    let third = bind("platform_long_double_third", &[], CType::LongDouble)
        .call(&[])
        .unwrap();
    let Value::LongDouble(third) = third else {
        panic!("not a long double: {third:?}")
    };
    assert!((third.to_f64() - 1.0 / 3.0).abs() < 1e-16);
    if LongDouble::PRECISION > 53 {
        // C's 1/3 carries more bits than any double: nothing was rounded away.
        assert_ne!(third, LongDouble::from(third.to_f64()));
    }
}

#[test]
fn unnamed_bitfields_lay_out_as_the_target_compiler_does() {
    let zero_width = StructLayout::builder("ZeroWidth")
        .field("a", CType::Char)
        .unnamed_bitfield(CType::LongLong, 0)
        .field("b", CType::Char)
        .build()
        .unwrap();
    let c = (
        c_int("platform_zero_width_size"),
        c_int("platform_zero_width_align"),
        c_int("platform_zero_width_b_offset"),
    );
    let ours = (
        zero_width.size() as i64,
        zero_width.align() as i64,
        zero_width.field("b").unwrap().offset() as i64,
    );
    assert_eq!(ours, c, "(size, align, offset of b)");
    if cfg!(target_arch = "aarch64") {
        assert_eq!(
            ours,
            (16, 8, 8),
            "AAPCS64: the zero-width bitfield aligns the struct"
        );
    }
    let unnamed = StructLayout::builder("UnnamedBits")
        .field("a", CType::Char)
        .unnamed_bitfield(CType::Int, 3)
        .field("c", CType::Char)
        .build()
        .unwrap();
    let c = (
        c_int("platform_unnamed_bits_size"),
        c_int("platform_unnamed_bits_align"),
    );
    assert_eq!(
        (unnamed.size() as i64, unnamed.align() as i64),
        c,
        "(size, align)"
    );
}

fn floats(v: &Value<'_>, fields: &[&str]) -> Vec<f64> {
    let Value::Struct(s) = v else {
        panic!("not a struct: {v:?}")
    };
    fields
        .iter()
        .map(|f| s.get(f).unwrap().to::<f64>().unwrap())
        .collect()
}

#[test]
fn homogeneous_float_aggregates_go_by_value_both_ways() {
    let hfa3f = CType::Struct(struct_layout(
        "Hfa3f",
        &[
            ("x", CType::Float),
            ("y", CType::Float),
            ("z", CType::Float),
        ],
    ));
    let scale = bind(
        "platform_hfa3f_scale",
        &[hfa3f.clone(), CType::Float],
        hfa3f.clone(),
    );
    let mut v = StructValue::new(hfa3f.layout().unwrap()).unwrap();
    for (name, x) in [("x", 1.5), ("y", -2.0), ("z", 0.25)] {
        v.set(name, x).unwrap();
    }
    let scaled = scale.call(&[(&v).into(), 2.0f32.into()]).unwrap();
    assert_eq!(floats(&scaled, &["x", "y", "z"]), [3.0, -4.0, 0.5]);

    let d = CType::Double;
    let hfa4d = CType::Struct(struct_layout(
        "Hfa4d",
        &[
            ("a", d.clone()),
            ("b", d.clone()),
            ("c", d.clone()),
            ("d", d),
        ],
    ));
    let rotate = bind(
        "platform_hfa4d_rotate",
        std::slice::from_ref(&hfa4d),
        hfa4d.clone(),
    );
    let mut w = StructValue::new(hfa4d.layout().unwrap()).unwrap();
    for (name, x) in [("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)] {
        w.set(name, x).unwrap();
    }
    let rotated = rotate.call(&[(&w).into()]).unwrap();
    assert_eq!(
        floats(&rotated, &["a", "b", "c", "d"]),
        [4.0, 1.0, 2.0, 3.0]
    );
}

#[test]
fn long_double_pairs_go_by_value() {
    let ld = CType::Struct(struct_layout(
        "Hfa2ld",
        &[("re", CType::LongDouble), ("im", CType::LongDouble)],
    ));
    let norm2 = bind(
        "platform_hfa2ld_norm2",
        std::slice::from_ref(&ld),
        CType::LongDouble,
    );
    let mut v = StructValue::new(ld.layout().unwrap()).unwrap();
    v.set("re", LongDouble::from(3.0)).unwrap();
    v.set("im", LongDouble::from(4.0)).unwrap();
    let got = norm2.call(&[(&v).into()]).unwrap();
    assert_eq!(got, Value::LongDouble(LongDouble::from(25.0)));
}

#[test]
fn unions_go_by_value_as_the_abi_classifies_them() {
    // All floats: a homogeneous aggregate on AArch64, SSE on x86-64.
    let pair = CType::Struct(union_layout(
        "FloatPair",
        &[("f", CType::array(CType::Float, 2)), ("g", CType::Float)],
    ));
    let sum = bind(
        "platform_float_pair_sum",
        std::slice::from_ref(&pair),
        CType::Float,
    );
    let mut p = StructValue::new(pair.layout().unwrap()).unwrap();
    p.set("f[0]", 1.5f32).unwrap();
    p.set("f[1]", 2.0f32).unwrap();
    assert_eq!(sum.call(&[(&p).into()]).unwrap().to::<f32>().unwrap(), 21.5);

    // A struct holding a union of a float and an int: general registers.
    let mixed = union_layout("", &[("f", CType::Float), ("i", CType::Int)]);
    let outer = CType::Struct(struct_layout(
        "FloatAndMixed",
        &[("x", CType::Float), ("u", CType::Struct(mixed))],
    ));
    let f = bind(
        "platform_float_and_mixed",
        &[outer.clone(), CType::Int],
        CType::Float,
    );
    let mut m = StructValue::new(outer.layout().unwrap()).unwrap();
    m.set("x", 0.5f32).unwrap();
    m.set("u.i", 7).unwrap();
    assert_eq!(
        f.call(&[(&m).into(), 1.into()])
            .unwrap()
            .to::<f32>()
            .unwrap(),
        7.5
    );
    m.set("u.f", 0.25f32).unwrap();
    assert_eq!(
        f.call(&[(&m).into(), 0.into()])
            .unwrap()
            .to::<f32>()
            .unwrap(),
        0.75
    );
}

#[test]
fn variadic_ints_and_doubles_reach_va_arg() {
    // SAFETY: platform_vsum(int count, ...) reads `count` pairs of int, double.
    let vsum =
        unsafe { platform().variadic("platform_vsum", &[CType::Int], CType::Double) }.unwrap();
    let extra = [CType::Int, CType::Double, CType::Int, CType::Double];
    let args = [2.into(), 3.into(), 0.5.into(), 4.into(), 0.25.into()];
    // SAFETY: two pairs, typed as platform_vsum reads them.
    let got = unsafe { vsum.call_variadic(&args, &extra) }.unwrap();
    assert_eq!(got.to::<f64>().unwrap(), 3.5 + 2.0 * 4.25);
}

#[test]
fn routes_are_those_the_build_has() {
    let sysv_registers = cfg!(all(target_arch = "x86_64", unix))
        && std::env::var("RCTYPES_PORTABLE").map_or(true, |v| v.is_empty() || v == "0");
    assert_eq!(Route::Fast.is_available(), sysv_registers);
    // build.rs's choice reaches the tests too, which gate the register
    // routes' own tests on it.
    assert_eq!(cfg!(rctypes_x86_64_sysv), sysv_registers);
    assert_eq!(Route::Registers.is_available(), sysv_registers);
    assert!(Route::Libffi.is_available());
    let add = bind("platform_char_is_signed", &[], CType::Int);
    assert!(add.route().is_available());
    for route in Route::ALL.into_iter().filter(|r| !r.is_available()) {
        let err = add.clone().via(route).unwrap_err().to_string();
        assert!(err.contains("route is not in this build"), "{err}");
    }
}

#[test]
fn calling_conventions_are_checked_when_chosen() {
    let f = bind("platform_char_is_signed", &[], CType::Int);
    assert_eq!(f.call_conv(), CallConv::C);
    for conv in CallConv::ALL.into_iter().filter(|c| !c.is_available()) {
        let err = f.clone().with_call_conv(conv).unwrap_err().to_string();
        let expected = format!("the {conv} calling convention is not one of");
        assert!(err.contains(&expected), "{err}");
    }
}

#[cfg(all(target_arch = "x86_64", unix))]
#[test]
fn win64_functions_are_called_from_system_v_code() {
    let args = [
        CType::Int,
        CType::Double,
        CType::LongLong,
        CType::Float,
        CType::Int,
    ];
    let mix = bind("platform_win64_mix", &args, CType::LongLong)
        .with_call_conv(CallConv::Win64)
        .unwrap();
    assert_eq!(mix.route(), Route::Libffi);
    let got = mix
        .call(&[1.into(), 2.5.into(), 3.into(), 1.5f32.into(), 4.into()])
        .unwrap();
    assert_eq!(got.to::<i64>().unwrap(), 10000 + 250 + 21 + 15 + 4);
    let typed = mix
        .typed::<(i32, f64, i64, f32, i32), i64>()
        .unwrap_err()
        .to_string();
    assert!(
        typed.contains("typed calls follow the C calling convention, not win64"),
        "{typed}"
    );
    assert!(mix.via(Route::Fast).is_err());
}

#[cfg(target_arch = "x86")]
#[test]
fn stdcall_and_fastcall_functions() {
    for (name, conv) in [
        ("platform_stdcall_sub", CallConv::Stdcall),
        ("platform_fastcall_sub", CallConv::Fastcall),
    ] {
        let sub = bind(name, &[CType::Int, CType::Int], CType::Int)
            .with_call_conv(conv)
            .unwrap();
        assert_eq!(
            sub.call(&[10.into(), 3.into()])
                .unwrap()
                .to::<i32>()
                .unwrap(),
            7
        );
    }
}

/// A Rust struct crossing by value: the compiler's own C ABI agrees.
#[test]
fn a_rust_hfa_goes_by_value() {
    rctypes::c_struct! {
        struct Hfa3f { x: f32, y: f32, z: f32 }
    }
    let scale = bind(
        "platform_hfa3f_scale",
        &[<Hfa3f as CData>::ctype(), CType::Float],
        <Hfa3f as CData>::ctype(),
    );
    let typed = scale.typed::<(Hfa3f, f32), Hfa3f>().unwrap();
    let r = typed.call((
        Hfa3f {
            x: 1.0,
            y: 2.0,
            z: 3.0,
        },
        0.5,
    ));
    assert_eq!((r.x, r.y, r.z), (0.5, 1.0, 1.5));
}
