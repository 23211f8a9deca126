//! Every fundamental C type across the call boundary: round trips at both
//! edges, range checks, widened small returns, long double, strings.

use rctypes::{CFunc, CType, LongDouble, Value};

use crate::common::{abi, memset};

fn identity(symbol: &str, ty: CType) -> CFunc {
    // SAFETY: abi.c's id_* functions are `T id_T(T v)`, returning v; every
    // type bound here is a number.
    unsafe { abi().function(symbol, std::slice::from_ref(&ty), ty.clone()) }.unwrap()
}

/// (function, type, min, max) for every integer type.
fn integer_cases() -> Vec<(&'static str, CType, i128, i128)> {
    let long = std::mem::size_of::<std::ffi::c_long>() == 8;
    let (lmin, lmax, ulmax) = if long {
        (i64::MIN as i128, i64::MAX as i128, u64::MAX as i128)
    } else {
        (i32::MIN as i128, i32::MAX as i128, u32::MAX as i128)
    };
    let mut cases = vec![
        ("id_schar", CType::Byte, -128, 127),
        ("id_uchar", CType::UByte, 0, 255),
        ("id_short", CType::Short, -32768, 32767),
        ("id_ushort", CType::UShort, 0, 65535),
        ("id_int", CType::Int, i32::MIN as i128, i32::MAX as i128),
        ("id_uint", CType::UInt, 0, u32::MAX as i128),
        ("id_long", CType::Long, lmin, lmax),
        ("id_ulong", CType::ULong, 0, ulmax),
        (
            "id_longlong",
            CType::LongLong,
            i64::MIN as i128,
            i64::MAX as i128,
        ),
        ("id_ulonglong", CType::ULongLong, 0, u64::MAX as i128),
        ("id_size_t", CType::SizeT, 0, usize::MAX as i128),
        (
            "id_ssize_t",
            CType::SSizeT,
            isize::MIN as i128,
            isize::MAX as i128,
        ),
    ];
    // The fixed-width names share the representation of C's names: the same
    // function, the same edges.
    use CType::*;
    let fixed_width = [
        (Int8, Byte),
        (UInt8, UByte),
        (Int16, Short),
        (UInt16, UShort),
        (Int32, Int),
        (UInt32, UInt),
        (Int64, LongLong),
        (UInt64, ULongLong),
        (IntP, SSizeT),
    ];
    for (fixed, c_name) in fixed_width {
        let (symbol, _, min, max) = cases.iter().find(|case| case.1 == c_name).unwrap().clone();
        cases.push((symbol, fixed, min, max));
    }
    cases
}

#[test]
fn integers_round_trip_at_both_edges() {
    for (symbol, ty, min, max) in integer_cases() {
        let f = identity(symbol, ty.clone());
        for v in [min, max, 0, min / 2, max / 2] {
            assert_eq!(
                f.call(&[Value::Int(v)]).unwrap(),
                Value::Int(v),
                "{symbol} as {ty} with {v}"
            );
        }
    }
}

#[test]
fn integers_out_of_range_are_refused_at_both_edges() {
    for (symbol, ty, min, max) in integer_cases() {
        let f = identity(symbol, ty.clone());
        for v in [min - 1, max + 1] {
            let err = f.call(&[Value::Int(v)]).unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "{symbol}: argument 1: expected {ty} (from {min} to {max}), given int {v}, which does not fit"
                ),
            );
        }
    }
}

#[test]
fn ctypes_silent_truncation_is_an_error_here() {
    // ctypes: c_int(2**40) becomes 0 without a word.
    let f = identity("id_int", CType::Int);
    let err = f.call(&[(1i64 << 40).into()]).unwrap_err();
    assert!(
        err.to_string()
            .contains("int 1099511627776, which does not fit"),
        "{err}"
    );
}

#[test]
fn small_returns_are_sign_or_zero_extended() {
    let cases = [
        ("negative_schar", CType::Byte, Value::Int(-5)),
        ("negative_short", CType::Short, Value::Int(-1234)),
        ("big_uchar", CType::UByte, Value::Int(250)),
        ("big_ushort", CType::UShort, Value::Int(65000)),
        ("true_bool", CType::Bool, Value::Bool(true)),
    ];
    for (symbol, ty, expected) in cases {
        // SAFETY: each is `T symbol(void)`.
        let f = unsafe { abi().function(symbol, &[], ty) }.unwrap();
        assert_eq!(f.call(&[]).unwrap(), expected, "{symbol}");
    }
}

#[test]
fn bool_and_char_types() {
    let b = identity("id_bool", CType::Bool);
    assert_eq!(b.call(&[true.into()]).unwrap(), Value::Bool(true));
    assert_eq!(b.call(&[false.into()]).unwrap(), Value::Bool(false));
    assert_eq!(b.call(&[Value::Int(1)]).unwrap(), Value::Bool(true));
    assert!(b.call(&[Value::Int(2)]).is_err());
    let c = identity("id_char", CType::Char);
    assert_eq!(c.call(&['A'.into()]).unwrap(), Value::Int(65));
    let w = identity("id_wchar", CType::WChar);
    assert_eq!(w.call(&['é'.into()]).unwrap(), Value::Int('é' as i128));
    assert_eq!(w.call(&['🦀'.into()]).unwrap(), Value::Int('🦀' as i128));
}

#[test]
fn floats_round_trip_and_refuse_what_they_cannot_hold() {
    let f = identity("id_float", CType::Float);
    let d = identity("id_double", CType::Double);
    assert_eq!(f.call(&[1.5f32.into()]).unwrap(), Value::Float(1.5));
    assert_eq!(d.call(&[0.1.into()]).unwrap(), Value::Float(0.1));
    assert_eq!(d.call(&[f64::MAX.into()]).unwrap(), Value::Float(f64::MAX));
    assert!(matches!(d.call(&[f64::NAN.into()]).unwrap(), Value::Float(x) if x.is_nan()));
    // Integers pass when the float type holds them exactly.
    assert_eq!(
        d.call(&[(1i64 << 53).into()]).unwrap(),
        Value::Float(9007199254740992.0)
    );
    assert_eq!(
        f.call(&[16777216.into()]).unwrap(),
        Value::Float(16777216.0)
    );
    let err = f.call(&[16777217.into()]).unwrap_err().to_string();
    assert_eq!(
        err,
        "id_float: argument 1: expected c_float, given int 16777217, which c_float cannot hold exactly"
    );
    let err = f.call(&[1e300.into()]).unwrap_err().to_string();
    assert_eq!(
        err,
        "id_float: argument 1: expected c_float, given float 1e300, which is out of c_float's range"
    );
    // A float never silently becomes an integer.
    let i = identity("id_int", CType::Int);
    assert_eq!(
        i.call(&[2.0.into()]).unwrap_err().to_string(),
        "id_int: argument 1: expected c_int, given float 2.0"
    );
}

#[test]
fn long_double_keeps_full_precision() {
    let id = identity("id_longdouble", CType::LongDouble);
    let big = LongDouble::from(u64::MAX);
    assert_eq!(id.call(&[big.into()]).unwrap(), Value::LongDouble(big));
    // SAFETY: abi.c's long double helpers.
    let (mul, exact, parts) = unsafe {
        (
            abi()
                .function(
                    "ld_mul",
                    &[CType::LongDouble, CType::LongDouble],
                    CType::LongDouble,
                )
                .unwrap(),
            abi()
                .function(
                    "ld_is_exact",
                    &[CType::LongDouble, CType::LongLong],
                    CType::Int,
                )
                .unwrap(),
            abi()
                .function(
                    "ld_from_parts",
                    &[CType::LongLong, CType::LongLong, CType::LongLong],
                    CType::LongDouble,
                )
                .unwrap(),
        )
    };
    if LongDouble::PRECISION >= 64 {
        // 2^63 + 1 is exact in long double, not in double.
        let v = (1i64 << 62) + 1;
        let product = mul.call(&[LongDouble::from(v).into(), 2.into()]).unwrap();
        let product = product.to::<LongDouble>().unwrap();
        assert_eq!(product.to_i128(), Some(2 * v as i128));
        assert_eq!(
            exact
                .call(&[LongDouble::from(i64::MAX).into(), i64::MAX.into()])
                .unwrap(),
            Value::Int(1)
        );
        // 1 + 1/3 computed in C: closer to 4/3 than any double.
        let third = parts
            .call(&[1.into(), 1.into(), 3.into()])
            .unwrap()
            .to::<LongDouble>()
            .unwrap();
        assert_eq!(third.to_f64(), 4.0 / 3.0);
        assert!(third != LongDouble::from(4.0 / 3.0));
    }
    assert_eq!(
        id.call(&[0.25.into()]).unwrap(),
        Value::LongDouble(LongDouble::from(0.25))
    );
}

#[test]
fn strings_in_and_out() {
    // SAFETY: abi.c: `size_t str_len(const char *s)` and `size_t
    // wide_len(const wchar_t *s)` read s up to its NUL (s not NULL);
    // `greeting` and `wide_greeting` return static strings; `const char
    // *maybe_null(int give)` returns a static string or NULL.
    let (len, greeting, maybe, wlen, wgreet) = unsafe {
        (
            abi()
                .function("str_len", &[CType::CharP], CType::SizeT)
                .unwrap(),
            abi().function("greeting", &[], CType::CharP).unwrap(),
            abi()
                .function("maybe_null", &[CType::Int], CType::CharP)
                .unwrap(),
            abi()
                .function("wide_len", &[CType::WCharP], CType::SizeT)
                .unwrap(),
            abi().function("wide_greeting", &[], CType::WCharP).unwrap(),
        )
    };
    assert_eq!(len.call(&["héllo".into()]).unwrap(), Value::Int(6)); // UTF-8 bytes
    assert_eq!(len.call(&[c"borrowed".into()]).unwrap(), Value::Int(8));
    let err = len.call(&["a\0b".into()]).unwrap_err().to_string();
    assert_eq!(
        err,
        "str_len: argument 1: expected c_char_p, given str \"a\\0b\", which has a NUL byte at 1"
    );
    assert_eq!(
        greeting.call(&[]).unwrap().to::<String>().unwrap(),
        "hello from C"
    );
    assert_eq!(
        maybe
            .call(&[1.into()])
            .unwrap()
            .to::<Option<String>>()
            .unwrap(),
        Some("given".into())
    );
    assert_eq!(maybe.call(&[0.into()]).unwrap(), Value::Null);
    assert_eq!(wlen.call(&["héllo🦀".into()]).unwrap(), Value::Int(6)); // code points
    assert_eq!(wgreet.call(&[]).unwrap(), Value::String("héllo".into()));
}

#[test]
fn pointers_returned_by_c_go_back_as_they_are() {
    let libc = rctypes::Library::this().unwrap();
    let memset = memset();
    // SAFETY: libc: `void *malloc(size_t n)` returns n bytes or NULL; `void
    // free(void *p)` frees what malloc returned, or nothing for NULL.
    let (malloc, free) = unsafe {
        (
            libc.function("malloc", &[CType::SizeT], CType::VoidP),
            libc.function("free", &[CType::VoidP.nullable()], CType::Void),
        )
    };
    let (malloc, free) = (malloc.unwrap(), free.unwrap());
    let block = malloc.call(&[64.into()]).unwrap();
    let Value::Pointer(ptr) = block else {
        panic!("{block:?}")
    };
    // Safe code cannot pass back an address C returned: it may be freed.
    let err = memset.call(&[ptr.into(), 0.into(), 64.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    assert!(err.to_string().contains("unsafe"), "{err}");
    assert!(free.call(&[ptr.into()]).is_err());
    // SAFETY: `ptr` is malloc's live block of 64 bytes, written by memset
    // below and freed once, after it.
    let addr = || unsafe { Value::address(ptr.as_ptr()) };
    assert_eq!(
        memset.call(&[addr(), 0.into(), 64.into()]).unwrap(),
        Value::Pointer(ptr)
    );
    assert_eq!(free.call(&[addr()]).unwrap(), Value::Void);
    assert_eq!(free.call(&[Value::Null]).unwrap(), Value::Void);

    // A handle goes back as it is, to where its type is declared, until a
    // call that releases it.
    let block = CType::handle("block");
    // SAFETY: as above: malloc returns a new block or NULL, free frees one
    // malloc returned, which ends it.
    let (alloc, release) = unsafe {
        (
            libc.function("malloc", &[CType::SizeT], block.clone())
                .unwrap(),
            libc.function("free", &[block.releases()], CType::Void)
                .unwrap(),
        )
    };
    let h = alloc.call(&[16.into()]).unwrap().into_handle().unwrap();
    assert!(!h.is_released());
    // Not where C writes through a void*.
    assert!(memset.call(&[(&h).into(), 0.into(), 16.into()]).is_err());
    assert_eq!(release.call(&[(&h).into()]).unwrap(), Value::Void);
    assert!(h.is_released());
    let err = release.call(&[(&h).into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    assert!(err.to_string().contains("released"), "{err}");

    // SAFETY: abi.c: `void *id_pointer(void *v)` returns v, reading and
    // writing nothing through it, so NULL will do.
    let id =
        unsafe { abi().function("id_pointer", &[CType::VoidP.nullable()], CType::VoidP) }.unwrap();
    assert_eq!(id.call(&[Value::Null]).unwrap(), Value::Null);
    // Undeclared, NULL is refused.
    let strict = identity("id_pointer", CType::VoidP);
    let err = strict.call(&[Value::Null]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
}

#[test]
fn sizes_and_alignments_match_c() {
    use std::ffi::*;
    use std::mem::{align_of, size_of};
    assert_eq!(CType::Long.size(), size_of::<c_long>());
    assert_eq!(CType::LongLong.size(), size_of::<c_longlong>());
    assert_eq!(CType::SizeT.size(), size_of::<usize>());
    assert_eq!(CType::VoidP.size(), size_of::<*const c_void>());
    assert_eq!(CType::Double.align(), align_of::<f64>());
    assert_eq!(CType::WChar.size(), if cfg!(windows) { 2 } else { 4 });
    if cfg!(all(target_arch = "x86_64", unix)) {
        assert_eq!(
            (CType::LongDouble.size(), CType::LongDouble.align()),
            (16, 16)
        );
    }
}
