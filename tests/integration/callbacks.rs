//! Callbacks: C calling Rust closures through libffi closures, the allocator
//! pattern, pointer-to-pointer rows and libc's qsort.

use std::collections::{HashMap, HashSet};
use std::ffi::{CString, c_char, c_long, c_ulong};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread::{self, ThreadId};

use ndarray::{Array2, array, s};
use rctypes::{
    Address, AllocatedArray, Allocator, ByRef, CFunc, CType, Callback, Error, Extent, Library,
    LongDouble, RawPtr, RowPointers, RowPointersMut, Signature, TypedCFunc, TypedCallback, Value,
    c_wchar,
};

use crate::common::lib;

fn callback_lib() -> Library {
    lib("callback")
}

fn binop() -> Signature {
    Signature::new([CType::Int, CType::Int], CType::Int)
}

/// `int apply_binop(int (*op)(int, int), int a, int b)`.
fn apply_binop(lib: &Library) -> CFunc {
    // SAFETY: callback.c: `int apply_binop(int_binop_t op, int a, int b)`
    // returns op(a, b), calling op once during the call and keeping it no
    // longer; op may not be NULL.
    unsafe {
        lib.function(
            "apply_binop",
            &[binop().into(), CType::Int, CType::Int],
            CType::Int,
        )
    }
    .unwrap()
}

/// `long long fold_calls(int (*op)(int, int), int n)`: the sum of op(i, 1).
fn fold_calls(lib: &Library) -> CFunc {
    // SAFETY: callback.c: `long long fold_calls(int_binop_t op, int n)` calls
    // op n times during the call and keeps it no longer; op may not be NULL.
    unsafe { lib.function("fold_calls", &[binop().into(), CType::Int], CType::LongLong) }.unwrap()
}

type Binop = TypedCallback<(i32, i32), i32>;

fn callback_message(err: Error) -> (String, String) {
    match err {
        Error::Callback { function, message } => (function, message),
        other => panic!("expected a callback error, got {other:?}"),
    }
}

// ---- every signature class, both forms ----

/// For each `name, C type, T, a, b, ret`: binds `call_<name>(T (*f)(T, T),
/// T a, T b)` (returns f(a, b)) typed, makes a typed callback that checks it
/// got (a, b) and returns `ret`, and checks C gave `ret` back.
macro_rules! typed_round_trip {
    ($lib:expr; $($name:literal, $ct:expr, $t:ty, $a:expr, $b:expr, $ret:expr;)*) => {$({
        let ct: CType = $ct;
        let f = CType::func_ptr([ct.clone(), ct.clone()], ct.clone());
        // SAFETY: callback.c's RCTYPES_ROUND_TRIP_DEF: `T call_<name>(T (*f)(T,
        // T), T a, T b)` returns f(a, b), calling f once during the call and
        // keeping it no longer; f may not be NULL.
        let call =
            unsafe { $lib.function(concat!("call_", $name), &[f, ct.clone(), ct.clone()], ct) }
                .unwrap();
        let call: TypedCFunc<(&TypedCallback<($t, $t), $t>, $t, $t), $t> = call.typed().unwrap();
        // Captures nothing: C calls its direct trampoline.
        let cb = Callback::typed(|a: $t, b: $t| -> $t {
            assert_eq!((a, b), ($a, $b), "arguments C passed");
            $ret
        })
        .unwrap();
        assert!(
            cb.is_direct(),
            "{}: a zero-sized closure is called directly",
            $name
        );
        assert_eq!(
            call.try_call((&cb, $a, $b)).unwrap(),
            $ret,
            "{} result",
            $name
        );
        // Captures its expectations: C calls its entry where rctypes makes
        // machine code, else its libffi closure, with the same result.
        let (want, ret): (($t, $t), $t) = (($a, $b), $ret);
        let capturing = Callback::typed(move |a: $t, b: $t| -> $t {
            assert_eq!((a, b), want, "arguments C passed");
            ret
        })
        .unwrap();
        assert_eq!(
            capturing.is_direct(),
            rctypes::Route::Compiled.is_available(),
            "{}: a capturing closure has an entry where code is made",
            $name
        );
        assert_eq!(
            call.try_call((&capturing, $a, $b)).unwrap(),
            $ret,
            "{} result through libffi",
            $name
        );
    })*};
}

#[test]
fn typed_callbacks_take_and_return_every_scalar_type() {
    let lib = callback_lib();
    typed_round_trip! { lib;
        "bool", CType::Bool, bool, true, false, true;
        "char", CType::Char, c_char, 65 as c_char, 122 as c_char, 48 as c_char;
        "wchar", CType::WChar, c_wchar, 0x263A as c_wchar, 0x10FFFF as c_wchar, 0x1F600 as c_wchar;
        "schar", CType::Byte, i8, i8::MIN, i8::MAX, -1;
        "uchar", CType::UByte, u8, u8::MAX, 0, 255;
        "short", CType::Short, i16, i16::MIN, i16::MAX, -2;
        "ushort", CType::UShort, u16, u16::MAX, 1, 65535;
        "int", CType::Int, i32, i32::MIN, i32::MAX, -3;
        "uint", CType::UInt, u32, u32::MAX, 7, u32::MAX - 1;
        "long", CType::Long, c_long, c_long::MIN, c_long::MAX, -4;
        "ulong", CType::ULong, c_ulong, c_ulong::MAX, 0, c_ulong::MAX;
        "llong", CType::LongLong, i64, i64::MIN, i64::MAX, i64::MIN + 1;
        "ullong", CType::ULongLong, u64, u64::MAX, 1, u64::MAX - 2;
        "size", CType::SizeT, usize, usize::MAX, 0, usize::MAX / 3;
        "float", CType::Float, f32, 1.5, -2.25, f32::MAX;
        "double", CType::Double, f64, 1e300, -0.5, f64::MIN_POSITIVE;
    }
}

/// As `typed_round_trip!`, through a dynamic callback and call, for each
/// `name, C type, a, b, ret`.
macro_rules! dynamic_round_trip {
    ($lib:expr; $($name:literal, $ct:expr, $a:expr, $b:expr, $ret:expr;)*) => {$({
        let ct: CType = $ct;
        let sig = Signature::new([ct.clone(), ct.clone()], ct.clone());
        // SAFETY: as in typed_round_trip!: f is called once during the call,
        // kept no longer, and may not be NULL.
        let call = unsafe {
            $lib.function(
                concat!("call_", $name),
                &[sig.clone().into(), ct.clone(), ct.clone()],
                ct,
            )
        }
        .unwrap();
        let cb = Callback::new(sig, move |args: &[Value]| {
            assert_eq!(
                args,
                [Value::from($a), Value::from($b)],
                "arguments C passed"
            );
            Value::from($ret)
        })
        .unwrap();
        // Where rctypes makes machine code, an entry of its own (decoding
        // numbers itself, saving the registers for the rest); a `long
        // double` keeps the libffi closure.
        assert_eq!(
            cb.is_direct(),
            rctypes::Route::Compiled.is_available() && $ct != CType::LongDouble,
            "{}: the callback's entry",
            $name
        );
        let result = call.call(&[(&cb).into(), $a.into(), $b.into()]).unwrap();
        assert_eq!(result, Value::from($ret), "{} result", $name);
    })*};
}

#[test]
fn dynamic_callbacks_take_and_return_every_scalar_type() {
    let lib = callback_lib();
    dynamic_round_trip! { lib;
        "bool", CType::Bool, false, true, true;
        "char", CType::Char, 65, 122, 48;
        "wchar", CType::WChar, 'é', '☺', '😀';
        "schar", CType::Byte, i8::MIN, i8::MAX, -1i8;
        "uchar", CType::UByte, u8::MAX, 0u8, 200u8;
        "short", CType::Short, i16::MIN, i16::MAX, -2i16;
        "ushort", CType::UShort, u16::MAX, 1u16, 65535u16;
        "int", CType::Int, i32::MIN, i32::MAX, -3;
        "uint", CType::UInt, u32::MAX, 7u32, u32::MAX - 1;
        "long", CType::Long, c_long::MIN, c_long::MAX, -4 as c_long;
        "ulong", CType::ULong, c_ulong::MAX, 0 as c_ulong, c_ulong::MAX;
        "llong", CType::LongLong, i64::MIN, i64::MAX, i64::MIN + 1;
        "ullong", CType::ULongLong, u64::MAX, 1u64, u64::MAX - 2;
        "size", CType::SizeT, usize::MAX, 0usize, usize::MAX / 3;
        "float", CType::Float, 1.5f32, -2.25f32, 1e30f32;
        "double", CType::Double, 1e300, -0.5, f64::MIN_POSITIVE;
    }
}

#[test]
fn dynamic_callbacks_take_and_return_long_double() {
    let lib = callback_lib();
    let big = LongDouble::from(u64::MAX);
    dynamic_round_trip! { lib;
        "longdouble", CType::LongDouble, big, LongDouble::from(-0.25), big;
    }
}

#[test]
fn pointer_arguments_and_results_pass_through_callbacks() {
    let lib = callback_lib();
    let addr = lib.symbol_address("c_add").unwrap();
    let vp = CType::VoidP.nullable();
    // SAFETY: callback.c: `void *call_ptr(void *(*f)(void *, void *), void
    // *a, void *b)` returns f(a, b), calling f once during the call (f may
    // not be NULL); it reads through none of a, b and the result, so any
    // address or NULL will do.
    let call = unsafe {
        lib.function(
            "call_ptr",
            &[
                CType::func_ptr([vp.clone(), vp.clone()], CType::VoidP),
                vp.clone(),
                vp.clone(),
            ],
            CType::VoidP,
        )
    }
    .unwrap();
    // Typed: C's pointers arrive opaque; one goes back vouched for.
    // SAFETY: the address of a function in the loaded library, which no C
    // here reads through.
    let (p, a) = unsafe { (RawPtr::new(addr), Address::new(addr)) };
    type PtrFn = TypedCallback<(Option<RawPtr>, Option<RawPtr>), Option<Address>>;
    // SAFETY: as declared above, with the arguments vouched for.
    let typed = unsafe {
        lib.typed::<(&PtrFn, Option<RawPtr>, Option<RawPtr>), Option<RawPtr>>("call_ptr")
    }
    .unwrap();
    let second = Callback::typed(move |x: Option<RawPtr>, y: Option<RawPtr>| {
        assert_eq!((x, y), (None, p));
        a
    })
    .unwrap();
    assert_eq!(typed.try_call((&second, None, p)).unwrap(), p);
    // Checked typing refuses raw addresses as arguments.
    let err = call
        .typed::<(&PtrFn, Option<RawPtr>, Option<RawPtr>), Option<RawPtr>>()
        .unwrap_err();
    assert!(err.to_string().contains("argument 2"), "{err}");

    // Dynamic: the callback sees C's pointer, and returns one vouched for.
    let sig = Signature::new([CType::VoidP, CType::VoidP], CType::VoidP);
    let n = addr as usize;
    let first = Callback::new(sig, move |args: &[Value]| {
        assert_eq!(args, [Value::Pointer(p.unwrap()), Value::Null]);
        // SAFETY: as above.
        Ok::<_, String>(unsafe { Value::address(n as *mut std::ffi::c_void) })
    })
    .unwrap();
    // SAFETY: as above.
    let p_arg = unsafe { Value::address(addr) };
    let got = call.call(&[(&first).into(), p_arg, Value::Null]).unwrap();
    assert_eq!(got, Value::Pointer(p.unwrap()));
    // A pointer C returned does not go back in safe code.
    let err = call.call(&[(&first).into(), got, Value::Null]).unwrap_err();
    assert!(err.to_string().contains("unsafe"), "{err}");
}

#[test]
fn ten_mixed_arguments_reach_a_dynamic_callback() {
    let lib = callback_lib();
    let sig = Signature::new(
        [
            CType::Byte,
            CType::UShort,
            CType::Int,
            CType::LongLong,
            CType::Float,
            CType::Double,
            CType::UByte,
            CType::Double,
            CType::Int,
            CType::Float,
        ],
        CType::Double,
    );
    // SAFETY: callback.c: `double call_mixed(mixed_fn_t f)` returns f of ten
    // constants, calling f once during the call; f may not be NULL.
    let call = unsafe { lib.function("call_mixed", &[sig.clone().into()], CType::Double) }.unwrap();
    let cb = Callback::new(sig, |args: &[Value]| {
        let expected: [Value; 10] = [
            (-5).into(),
            60000.into(),
            (-70000).into(),
            (1i64 << 40).into(),
            1.5.into(),
            2.25.into(),
            200.into(),
            (-3.5).into(),
            42.into(),
            0.125.into(),
        ];
        assert_eq!(args, expected);
        let total: f64 = args
            .iter()
            .map(|v| {
                v.to::<f64>()
                    .unwrap_or_else(|_| v.to::<i64>().unwrap() as f64)
            })
            .sum();
        Value::Float(total)
    })
    .unwrap();
    // Six integer registers, four vector ones: where rctypes makes machine
    // code, an entry of the callback's own writes each as its `Value`.
    assert_eq!(cb.is_direct(), rctypes::Route::Compiled.is_available());
    let got = call.call(&[(&cb).into()]).unwrap().to::<f64>().unwrap();
    let want =
        -5.0 + 60000.0 - 70000.0 + (1u64 << 40) as f64 + 1.5 + 2.25 + 200.0 - 3.5 + 42.0 + 0.125;
    assert_eq!(got, want);
}

#[test]
fn string_arguments_arrive_as_c_strings() {
    let lib = callback_lib();
    let sig = Signature::new([CType::CharP], CType::Int);
    // SAFETY: callback.c: `int call_with_string(int (*f)(const char *), const
    // char *s)` returns f(s), calling f once during the call; it reads
    // nothing of s itself, and neither may be NULL.
    let call = unsafe {
        lib.function(
            "call_with_string",
            &[sig.clone().into(), CType::CharP],
            CType::Int,
        )
    }
    .unwrap();
    let dynamic = Callback::new(sig, |args: &[Value]| {
        let s = args[0].to::<String>().unwrap();
        Value::Int(s.len() as i128 * 10)
    })
    .unwrap();
    assert_eq!(
        call.call(&[(&dynamic).into(), "hello".into()]).unwrap(),
        Value::Int(50)
    );

    type StringFn = TypedCallback<(Option<CString>,), i32>;
    let typed: TypedCFunc<(&StringFn, &std::ffi::CStr), i32> = call.typed().unwrap();
    let cb =
        Callback::typed(|s: Option<CString>| s.map_or(-1, |s| s.as_bytes().len() as i32)).unwrap();
    assert_eq!(typed.try_call((&cb, c"four")).unwrap(), 4);
}

#[test]
fn void_callbacks_and_by_reference_arguments() {
    let lib = callback_lib();
    let sink_type = CType::func_ptr([CType::Int], CType::Void);
    // SAFETY: callback.c: `void call_void(void (*f)(int), int n)` calls f n
    // times during the call; f may not be NULL.
    let call_void = unsafe { lib.function("call_void", &[sink_type, CType::Int], CType::Void) };
    let call_void = call_void.unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let sink = {
        let seen = seen.clone();
        Callback::typed(move |i: i32| {
            seen.fetch_add(i as usize + 100, Ordering::Relaxed);
        })
        .unwrap()
    };
    call_void.call(&[(&*sink).into(), 5.into()]).unwrap();
    assert_eq!(seen.load(Ordering::Relaxed), 510);

    let cmp = CType::func_ptr(
        [
            CType::const_pointer(CType::Int),
            CType::const_pointer(CType::Int),
        ],
        CType::Int,
    );
    // SAFETY: callback.c: `int call_compare(int (*cmp)(const int*, const
    // int*), int a, int b)` returns cmp(&a, &b), calling cmp once during the
    // call; cmp may not be NULL.
    let call_compare =
        unsafe { lib.function("call_compare", &[cmp, CType::Int, CType::Int], CType::Int) }
            .unwrap();
    let diff = Callback::typed(|a: ByRef<i32>, b: ByRef<i32>| *a * 100 + *b).unwrap();
    assert_eq!(
        call_compare
            .call(&[(&*diff).into(), 7.into(), (-3).into()])
            .unwrap(),
        Value::Int(697)
    );
}

// ---- many calls ----

#[test]
fn a_million_calls_in_one_c_call_sum_up() {
    const N: i32 = 1_000_000;
    let want = N as i64 * (N as i64 + 1) / 2;
    let lib = callback_lib();
    let fold = fold_calls(&lib);

    let calls = Arc::new(AtomicU64::new(0));
    let rust_sum = Arc::new(AtomicU64::new(0));
    let typed = {
        let (calls, rust_sum) = (calls.clone(), rust_sum.clone());
        Callback::typed(move |a: i32, b: i32| {
            calls.fetch_add(1, Ordering::Relaxed);
            rust_sum.fetch_add((a + b) as u64, Ordering::Relaxed);
            a + b
        })
        .unwrap()
    };
    let got = fold
        .call(&[(&*typed).into(), N.into()])
        .unwrap()
        .to::<i64>()
        .unwrap();
    assert_eq!(got, want);
    assert_eq!(calls.load(Ordering::Relaxed), N as u64);
    assert_eq!(rust_sum.load(Ordering::Relaxed), want as u64);

    let dynamic = Callback::new(binop(), |args: &[Value]| match args {
        [Value::Int(a), Value::Int(b)] => Value::Int(a + b),
        other => panic!("unexpected arguments {other:?}"),
    })
    .unwrap();
    let got = fold
        .call(&[(&dynamic).into(), N.into()])
        .unwrap()
        .to::<i64>()
        .unwrap();
    assert_eq!(got, want);
}

// ---- failures ----

#[test]
fn a_panic_becomes_an_error_of_the_outer_call() {
    let lib = callback_lib();
    let apply = apply_binop(&lib);
    let panicking = Callback::new(binop(), |args: &[Value]| -> Value {
        panic!("boom at {}", args[0].to::<i32>().unwrap())
    })
    .unwrap();
    let err = apply
        .call(&[(&panicking).into(), 4.into(), 5.into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "apply_binop: callback CFUNCTYPE(c_int, c_int, c_int) panicked: boom at 4"
    );
    let (function, _) = callback_message(err);
    assert_eq!(function, "apply_binop");

    // The process and the callback survive; nothing lingers for later calls.
    let add = Callback::typed(|a: i32, b: i32| a + b).unwrap();
    assert_eq!(
        apply.call(&[(&*add).into(), 4.into(), 5.into()]).unwrap(),
        Value::Int(9)
    );
    assert!(
        apply
            .call(&[(&panicking).into(), 1.into(), 1.into()])
            .is_err()
    );
    assert_eq!(panicking.take_failure(), None, "reported once, by the call");

    // Many panics in one call: the first is reported, C went on with zeros.
    let fold = fold_calls(&lib);
    let typed = Callback::typed(|a: i32, _: i32| -> i32 {
        if a % 2 == 1 {
            panic!("odd {a}");
        }
        a
    })
    .unwrap();
    let (_, message) = callback_message(fold.call(&[(&*typed).into(), 6.into()]).unwrap_err());
    assert!(message.ends_with("panicked: odd 1"), "{message}");
}

#[test]
fn typed_calls_report_panics_with_try_call() {
    let lib = callback_lib();
    let apply: TypedCFunc<(&Binop, i32, i32), i32> = apply_binop(&lib).typed().unwrap();
    let panicking: Binop =
        Callback::typed(|_: i32, _: i32| -> i32 { panic!("typed boom") }).unwrap();
    let (function, message) = callback_message(apply.try_call((&panicking, 1, 2)).unwrap_err());
    assert_eq!(function, "apply_binop");
    assert!(message.ends_with("panicked: typed boom"), "{message}");

    // `call` does not check: C got the error value, the failure waits in the callback.
    let with_error = Callback::typed(|_: i32, _: i32| -> i32 { panic!("again") })
        .unwrap()
        .with_error_value(-7)
        .unwrap();
    assert_eq!(apply.call((&with_error, 1, 2)), -7);
    let message = with_error.take_failure().expect("kept in the callback");
    assert!(message.ends_with("panicked: again"), "{message}");
    assert_eq!(with_error.take_failure(), None);
}

/// A panic payload whose drop panics, with a payload that panics on drop
/// while `0` is more than 0.
struct Bomb(u32);

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.0 > 0 {
            std::panic::panic_any(Bomb(self.0 - 1));
        }
    }
}

#[test]
fn panics_whose_payloads_panic_on_drop_become_errors() {
    let lib = callback_lib();
    let apply = apply_binop(&lib);
    let expected = "apply_binop: callback CFUNCTYPE(c_int, c_int, c_int) panicked: \
                    a panic with a non-string payload";
    // A dynamic callback, a typed one that captures (through its entry or
    // libffi) and one that does not (called directly), each with payloads that panic once,
    // twice and many times on drop.
    for depth in [1, 2, 50] {
        let dynamic = Callback::new(binop(), move |_: &[Value]| -> Value {
            std::panic::panic_any(Bomb(depth))
        })
        .unwrap();
        let err = apply.call(&[(&dynamic).into(), 1.into(), 2.into()]);
        assert_eq!(err.unwrap_err().to_string(), expected);

        let capturing: Binop =
            Callback::typed(move |_: i32, _: i32| -> i32 { std::panic::panic_any(Bomb(depth)) })
                .unwrap();
        assert_eq!(
            capturing.is_direct(),
            rctypes::Route::Compiled.is_available()
        );
        let err = apply.call(&[(&*capturing).into(), 1.into(), 2.into()]);
        assert_eq!(err.unwrap_err().to_string(), expected);
    }
    let direct: Binop =
        Callback::typed(|_: i32, _: i32| -> i32 { std::panic::panic_any(Bomb(3)) }).unwrap();
    assert!(direct.is_direct());
    let typed: TypedCFunc<(&Binop, i32, i32), i32> = apply.typed().unwrap();
    let err = typed.try_call((&direct, 1, 2)).unwrap_err();
    assert_eq!(err.to_string(), expected);

    // C and the process carry on.
    let add = Callback::typed(|a: i32, b: i32| a + b).unwrap();
    assert_eq!(typed.call((&add, 4, 5)), 9);
}

#[test]
fn closure_errors_and_unconvertible_results_are_reported_not_panicked() {
    let lib = callback_lib();
    let apply = apply_binop(&lib);

    let err_result = Callback::typed(|a: i32, _: i32| -> Result<i32, String> {
        Err(format!("cannot handle {a}"))
    })
    .unwrap();
    let (_, message) = callback_message(
        apply
            .call(&[(&*err_result).into(), 3.into(), 0.into()])
            .unwrap_err(),
    );
    assert!(message.ends_with("failed: cannot handle 3"), "{message}");

    let cases = [
        (0, "returned int 1099511627776, which does not fit"),
        (1, "returned float 1.5, expected c_int"),
        (2, "returned str \"text\", expected c_int"),
        (3, "returned void, expected c_int"),
    ];
    for (case, expected) in cases {
        let cb = Callback::new(binop(), move |_: &[Value]| match case {
            0 => Value::Int(1 << 40),
            1 => Value::Float(1.5),
            2 => Value::Str("text"),
            _ => Value::Void,
        })
        .unwrap();
        let (_, message) =
            callback_message(apply.call(&[(&cb).into(), 1.into(), 2.into()]).unwrap_err());
        assert!(message.contains(expected), "{message} lacks {expected}");
    }

    // A string made for the result would dangle once the callback returns:
    // refused. A 'static one is fine.
    let sig = Signature::new([CType::VoidP, CType::VoidP], CType::CharP);
    // SAFETY: callback.c: `void *call_ptr(void *(*f)(void *, void *), void *a,
    // void *b)` returns f(a, b), calling f once during the call (f may not be
    // NULL) and reading through none of a, b and the result, which may be
    // NULL; a char* is a void* for C, and the result is read as a string only
    // when f returned one.
    let call_ptr = unsafe {
        lib.function(
            "call_ptr",
            &[
                sig.clone().into(),
                CType::VoidP.nullable(),
                CType::VoidP.nullable(),
            ],
            CType::CharP,
        )
    }
    .unwrap();
    let dangling = Callback::new(sig.clone(), |_: &[Value]| Value::Str("dangling")).unwrap();
    let (_, message) = callback_message(
        call_ptr
            .call(&[(&dangling).into(), Value::Null, Value::Null])
            .unwrap_err(),
    );
    assert!(
        message.contains("a temporary C would keep a dangling pointer to"),
        "{message}"
    );
    let fixed = Callback::new(sig, |_: &[Value]| Value::from(c"static text")).unwrap();
    let got = call_ptr
        .call(&[(&fixed).into(), Value::Null, Value::Null])
        .unwrap();
    assert_eq!(got.to::<String>().unwrap(), "static text");

    let small = Signature::new([CType::UByte, CType::UByte], CType::UByte);
    // SAFETY: callback.c: `unsigned char call_uchar(unsigned char (*f)(unsigned
    // char, unsigned char), unsigned char a, unsigned char b)` returns f(a, b),
    // calling f once during the call; f may not be NULL.
    let call_uchar = unsafe {
        lib.function(
            "call_uchar",
            &[small.clone().into(), CType::UByte, CType::UByte],
            CType::UByte,
        )
    }
    .unwrap();
    let overflow = Callback::new(small, |_: &[Value]| Value::Int(300)).unwrap();
    let (_, message) = callback_message(
        call_uchar
            .call(&[(&overflow).into(), 1.into(), 2.into()])
            .unwrap_err(),
    );
    assert_eq!(
        message,
        "callback CFUNCTYPE(c_ubyte, c_ubyte, c_ubyte) failed: returned int 300, which does not fit, \
         expected c_ubyte (from 0 to 255)"
    );
}

#[test]
fn struct_pointer_results_never_dangle() {
    let lib = callback_lib();
    let point = rctypes::StructLayout::builder("cb_point")
        .field("x", CType::Int)
        .field("y", CType::Int)
        .build()
        .unwrap();
    let make = {
        let point = point.clone();
        move |x: i32, y: i32| {
            let mut p = rctypes::StructValue::new(&point).unwrap();
            p.set("x", x).unwrap();
            p.set("y", y).unwrap();
            p
        }
    };
    let source = Signature::new([], CType::const_pointer(CType::Struct(point)));
    // SAFETY: callback.c: `int sum_point_from(const cb_point *(*get)(void))`
    // reads the point get() returns; `int last_point_sum` is what it found.
    let (sum_from, last) = unsafe {
        (
            lib.function("sum_point_from", &[source.clone().into()], CType::Int),
            lib.variable("last_point_sum", CType::Int),
        )
    };
    let (sum_from, last) = (sum_from.unwrap(), last.unwrap());

    // A point that lives on: C reads it.
    static KEPT: std::sync::OnceLock<rctypes::StructValue> = std::sync::OnceLock::new();
    let kept: &'static rctypes::StructValue = KEPT.get_or_init(|| make(3, 4));
    let lasting = Callback::new(source.clone(), move |_: &[Value]| {
        Value::Struct(std::borrow::Cow::Borrowed(kept))
    })
    .unwrap();
    let sum = sum_from.call(&[(&lasting).into()]).unwrap();
    assert_eq!(sum.to::<i32>().unwrap(), 7);

    // An owned point is freed as the closure returns: refused, C gets null.
    let fresh = make.clone();
    let owned = Callback::new(source.clone(), move |_: &[Value]| {
        Value::Struct(std::borrow::Cow::Owned(fresh(5, 6)))
    })
    .unwrap();
    let err = sum_from.call(&[(&owned).into()]).unwrap_err();
    let (_, message) = callback_message(err);
    assert!(
        message.contains("a temporary C would keep a dangling pointer to")
            && message.contains("&'static StructValue"),
        "{message}"
    );
    assert_eq!(last.get().to::<i32>().unwrap(), -1);

    // ... or the error value, which lives on as a result must.
    static FALLBACK: std::sync::OnceLock<rctypes::StructValue> = std::sync::OnceLock::new();
    let fallback: &'static rctypes::StructValue = FALLBACK.get_or_init(|| make(10, 20));
    let owned = owned
        .with_error_value(Value::Struct(std::borrow::Cow::Borrowed(fallback)))
        .unwrap();
    assert!(sum_from.call(&[(&owned).into()]).is_err());
    assert_eq!(last.get().to::<i32>().unwrap(), 30);
    // An owned error value would dangle from the start.
    let err = Callback::new(source, |_: &[Value]| Value::Null)
        .unwrap()
        .with_error_value(Value::Struct(std::borrow::Cow::Owned(make(1, 1))))
        .unwrap_err();
    assert!(err.to_string().contains("dangling pointer"), "{err}");
}

#[test]
fn error_values_are_what_c_receives_on_failure() {
    let (_serial, lib) = registration();
    let apply: TypedCFunc<(&Binop, i32, i32), i32> = apply_binop(&lib).typed().unwrap();
    let zero: Binop = Callback::typed(|_: i32, _: i32| -> i32 { panic!("zero") }).unwrap();
    assert_eq!(apply.call((&zero, 1, 2)), 0, "zero by default");
    assert!(zero.take_failure().is_some());

    // Leaked: C keeps what is registered.
    let dynamic: &'static Callback = Callback::new(binop(), |_: &[Value]| Err::<Value, _>("no"))
        .unwrap()
        .with_error_value(Value::Int(-99))
        .unwrap()
        .leak();
    let dynamic_apply = apply_binop(&lib);
    // The dynamic call reports the failure; C's view is checked through registration.
    assert!(
        dynamic_apply
            .call(&[dynamic.into(), 1.into(), 2.into()])
            .is_err()
    );
    let register = register_binop(&lib);
    let call_registered: TypedCFunc<(i32, i32), i32> =
        // SAFETY: callback.c: `int call_registered(int a, int b)` calls the
        // registered op (a leaked callback of its signature here), or returns
        // -1 when none is.
        unsafe { lib.typed("call_registered") }.unwrap();
    register.call(&[dynamic.into()]).unwrap();
    assert_eq!(call_registered.call((1, 2)), -99);
    assert!(dynamic.take_failure().unwrap().ends_with("failed: no"));
    register.call(&[Value::Null]).unwrap();

    // Error values are checked against the result type.
    let err = Callback::new(binop(), |_: &[Value]| Value::Int(0))
        .unwrap()
        .with_error_value(Value::Float(0.5))
        .unwrap_err();
    assert!(
        err.to_string().contains("an error value of type c_int"),
        "{err}"
    );
    let void = Callback::new(Signature::new([], CType::Void), |_: &[Value]| ()).unwrap();
    assert!(void.with_error_value(Value::Int(1)).is_err());
}

/// A callback whose closure captures nothing: every one made here has the
/// same closure type (the tests using it hold `REGISTRATION`, as callbacks
/// of one type share their record of unreported failures).
fn refusing() -> Binop {
    Callback::typed(|a: i32, _: i32| -> i32 {
        if a < 0 {
            panic!("refused {a}");
        }
        a
    })
    .unwrap()
}

#[test]
fn direct_callbacks_report_failures_like_libffi_ones() {
    let (_serial, lib) = registration();
    let apply: TypedCFunc<(&Binop, i32, i32), i32> = apply_binop(&lib).typed().unwrap();
    let direct = refusing();
    assert!(direct.is_direct());
    assert_eq!(apply.try_call((&direct, 5, 0)).unwrap(), 5);
    let (function, message) = callback_message(apply.try_call((&direct, -1, 0)).unwrap_err());
    assert_eq!(function, "apply_binop");
    assert_eq!(
        message,
        "callback CFUNCTYPE(c_int, c_int, c_int) panicked: refused -1"
    );
    // The dynamic call reports it too, and C got zero.
    let dynamic = apply_binop(&lib);
    let err = dynamic
        .call(&[(&*direct).into(), (-2).into(), 0.into()])
        .unwrap_err();
    assert!(err.to_string().ends_with("panicked: refused -2"), "{err}");
    assert_eq!(apply.call((&direct, -3, 0)), 0, "zero for C");
    assert!(direct.take_failure().unwrap().ends_with("refused -3"));

    // A ByRef argument C passes as null is the callback's failure.
    type Cmp = TypedCallback<(ByRef<i32>, ByRef<i32>), i32>;
    let cmp: Cmp = Callback::typed(|a: ByRef<i32>, b: ByRef<i32>| *a - *b).unwrap();
    assert!(cmp.is_direct());
    let cmp_sig = CType::func_ptr(
        [
            CType::const_pointer(CType::Int),
            CType::const_pointer(CType::Int),
        ],
        CType::Int,
    );
    // SAFETY: callback.c: `int call_with_null(int (*cmp)(const int*, const
    // int*))` returns cmp(NULL, &zero), calling cmp once during the call; cmp
    // may not be NULL.
    let with_null = unsafe { lib.function("call_with_null", &[cmp_sig], CType::Int) }.unwrap();
    let err = with_null.call(&[(&*cmp).into()]).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("failed: argument 1: null pointer where a c_int was to be read"),
        "{err}"
    );
}

#[test]
fn direct_callbacks_of_one_closure_type_share_failures_off_checked_calls() {
    let lib = callback_lib();
    // SAFETY: callback.c: `int call_from_thread(int (*op)(int, int), int a,
    // int b)` calls op(a, b) once on a pthread it creates and joins before
    // returning, keeping op no longer; a typed callback is never NULL.
    let from_thread: TypedCFunc<(&Binop, i32, i32), i32> =
        unsafe { lib.typed("call_from_thread") }.unwrap();
    // Its own closure type, so that no other test shares the record.
    fn make() -> Binop {
        Callback::typed(|a: i32, _: i32| -> i32 {
            if a < 0 {
                panic!("refused {a}");
            }
            a
        })
        .unwrap()
    }
    let (first, second) = (make(), make());
    assert!(*first != *second, "two callbacks, though one trampoline");
    assert_eq!(first.code_ptr(), second.code_ptr());
    // An unchecked call: the failure on C's thread is kept in the callbacks.
    assert_eq!(from_thread.call((&first, -7, 0)), 0);
    assert!(
        second.take_failure().unwrap().ends_with("refused -7"),
        "callbacks of one closure type share the record"
    );
    assert_eq!(first.take_failure(), None, "taken once");
    // A checked call collects it as for any callback.
    let (_, message) = callback_message(from_thread.try_call((&second, -8, 0)).unwrap_err());
    assert!(message.ends_with("refused -8"), "{message}");
}

#[test]
fn a_non_zero_error_value_takes_the_libffi_closure() {
    let (_serial, lib) = registration();
    let apply: TypedCFunc<(&Binop, i32, i32), i32> = apply_binop(&lib).typed().unwrap();
    let zero = refusing().with_error_value(0).unwrap();
    assert!(zero.is_direct(), "zero is what the direct trampoline gives");
    let minus_one = refusing().with_error_value(-1).unwrap();
    assert!(!minus_one.is_direct());
    assert_eq!(apply.call((&minus_one, -1, 0)), -1);
    assert_eq!(apply.call((&zero, -1, 0)), 0);
    assert_eq!(apply.call((&minus_one, 4, 0)), 4);
    let _ = (zero.take_failure(), minus_one.take_failure());
}

/// Serialises the tests using callback.c's one registration slot.
static REGISTRATION: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The registration slot, held for the test, and the library it is in.
fn registration() -> (std::sync::MutexGuard<'static, ()>, Library) {
    let serial = REGISTRATION.lock().unwrap_or_else(|e| e.into_inner());
    (serial, callback_lib())
}

fn register_binop(lib: &Library) -> CFunc {
    // SAFETY: callback.c: `void register_binop(int_binop_t op)` keeps op (or
    // NULL, which unregisters) for call_registered to call after the call
    // returns: declared retained, so only a callback that lives for good is
    // taken, and nullable.
    unsafe {
        lib.function(
            "register_binop",
            &[CType::from(binop()).retained().nullable()],
            CType::Void,
        )
    }
    .unwrap()
}

// ---- signatures ----

#[test]
fn a_callback_of_another_signature_is_refused() {
    let lib = callback_lib();
    let apply = apply_binop(&lib);
    let unary = Callback::typed(|x: f64| x * 2.0).unwrap();
    let err = apply
        .call(&[(&*unary).into(), 1.into(), 2.into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "apply_binop: argument 1: expected CFUNCTYPE(c_int, c_int, c_int), \
         given callback CFUNCTYPE(c_double, c_double)"
    );

    // Typed: checked once, when the typed function is made.
    let typed = apply_binop(&lib).typed::<(&TypedCallback<(f64,), f64>, i32, i32), i32>();
    assert!(
        matches!(typed, Err(Error::Argument { index: 1, .. })),
        "{typed:?}"
    );

    // A callback goes only where a function pointer is declared.
    // SAFETY: libc: `void free(void *p)` frees what malloc returned; the call
    // is refused before C runs.
    let free = unsafe {
        Library::this()
            .unwrap()
            .function("free", &[CType::VoidP], CType::Void)
    }
    .unwrap();
    let err = free.call(&[(&*unary).into()]).unwrap_err();
    assert!(
        err.to_string()
            .contains("goes only where a function pointer"),
        "{err}"
    );

    // Compatible types are accepted: c_int32 for c_int.
    let int32 = Callback::new(
        Signature::new([CType::Int32, CType::Int32], CType::Int32),
        |args: &[Value]| Value::from(args[0].to::<i32>().unwrap() - args[1].to::<i32>().unwrap()),
    )
    .unwrap();
    assert_eq!(
        apply.call(&[(&int32).into(), 9.into(), 4.into()]).unwrap(),
        Value::Int(5)
    );

    // A void argument cannot be.
    let err = Callback::new(
        Signature::new([CType::Void], CType::Int),
        |_: &[Value]| Value::Int(0),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Signature { .. }), "{err}");
}

// ---- lifetimes ----

#[test]
fn a_registered_callback_is_kept_by_its_handle() {
    let (_serial, lib) = registration();
    let register = register_binop(&lib);
    // SAFETY: callback.c: `int call_registered(int a, int b)` calls the
    // registered op, which the code below keeps alive while registered, or
    // returns -1 when none is.
    let call_registered: TypedCFunc<(i32, i32), i32> =
        unsafe { lib.typed("call_registered") }.unwrap();

    let offset = 1000;
    let handle = Callback::typed(move |a: i32, b: i32| a * b + offset).unwrap();
    // A callback dropped with its owner is refused where C keeps it ...
    let err = register.call(&[(&*handle).into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    assert!(err.to_string().contains("leak"), "{err}");
    // ... unless unsafe code vouches that it outlives the registration.
    // SAFETY: the callback's code, of op's signature, stays valid while
    // `handle` lives, and NULL is registered before it is dropped below.
    let code = unsafe { Value::address(handle.code_ptr().cast_mut()) };
    register.call(&[code]).unwrap();
    // The registering call is over; C calls the callback later.
    assert_eq!(call_registered.call((6, 7)), 1042);
    assert_eq!(call_registered.call((2, 3)), 1006);
    register.call(&[Value::Null]).unwrap();
    drop(handle);
    assert_eq!(call_registered.call((2, 3)), -1);

    // A registration that lasts: leak the callback.
    let forever: &'static Callback = Callback::new(binop(), |_: &[Value]| Value::Int(77))
        .unwrap()
        .leak();
    register.call(&[forever.into()]).unwrap();
    assert_eq!(call_registered.call((0, 0)), 77);
    register.call(&[Value::Null]).unwrap();
}

#[test]
fn null_is_a_valid_function_pointer_value() {
    let (_serial, lib) = registration();
    let register = register_binop(&lib);
    register.call(&[Value::Null]).unwrap();
    // SAFETY: callback.c: `int call_registered(int a, int b)` calls the
    // registered op, or returns -1 when none is, as here.
    let call_registered: TypedCFunc<(i32, i32), i32> =
        unsafe { lib.typed("call_registered") }.unwrap();
    assert_eq!(call_registered.call((1, 1)), -1);
}

// ---- threads and nesting ----

#[test]
fn c_threads_call_back_into_rust() {
    let lib = callback_lib();
    // SAFETY: callback.c: `int call_from_thread(int (*op)(int, int), int a,
    // int b)` calls op(a, b) once on a pthread it creates and joins before
    // returning, keeping op no longer; op may not be NULL.
    let from_thread = unsafe {
        lib.function(
            "call_from_thread",
            &[binop().into(), CType::Int, CType::Int],
            CType::Int,
        )
    }
    .unwrap();
    let caller = thread::current().id();
    let seen: Arc<std::sync::Mutex<Option<ThreadId>>> = Arc::default();
    let cb = {
        let seen = seen.clone();
        Callback::typed(move |a: i32, b: i32| {
            *seen.lock().unwrap() = Some(thread::current().id());
            a * b
        })
        .unwrap()
    };
    assert_eq!(
        from_thread
            .call(&[(&*cb).into(), 6.into(), 9.into()])
            .unwrap(),
        Value::Int(54)
    );
    let on = seen.lock().unwrap().expect("called");
    assert_ne!(on, caller, "C called from its own thread");

    // A panic there is reported by the call that lent the callback.
    let panicking = Callback::typed(|_: i32, _: i32| -> i32 { panic!("on a C thread") }).unwrap();
    let (function, message) = callback_message(
        from_thread
            .call(&[(&*panicking).into(), 1.into(), 1.into()])
            .unwrap_err(),
    );
    assert_eq!(function, "call_from_thread");
    assert!(message.ends_with("panicked: on a C thread"), "{message}");

    let typed: TypedCFunc<(&Binop, i32, i32), i32> = from_thread.typed().unwrap();
    assert!(typed.try_call((&panicking, 1, 1)).is_err());
    assert_eq!(typed.try_call((&cb, 3, 4)).unwrap(), 12);
}

#[test]
fn callbacks_may_call_other_c_functions() {
    let lib = callback_lib();
    let apply = Arc::new(apply_binop(&lib));
    let inner_add = Arc::new(Callback::typed(|a: i32, b: i32| a + b).unwrap());

    // The callback calls apply_binop itself, with another callback.
    let nested = {
        let (apply, inner_add) = (apply.clone(), inner_add.clone());
        Callback::new(binop(), move |args: &[Value]| {
            let sum = apply.call(&[
                (&**inner_add).into(),
                args[0].to::<i32>()?.into(),
                args[1].to::<i32>()?.into(),
            ])?;
            Ok::<_, Error>(Value::from(sum.to::<i32>()? * 10))
        })
        .unwrap()
    };
    assert_eq!(
        apply.call(&[(&nested).into(), 2.into(), 3.into()]).unwrap(),
        Value::Int(50)
    );

    // An inner failure is the inner call's error; the closure passes it on.
    let inner_panics =
        Arc::new(Callback::typed(|_: i32, _: i32| -> i32 { panic!("deep") }).unwrap());
    let passes_on = {
        let (apply, inner) = (apply.clone(), inner_panics.clone());
        Callback::new(binop(), move |_: &[Value]| {
            apply.call(&[(&**inner).into(), 0.into(), 0.into()])
        })
        .unwrap()
    };
    let (_, message) = callback_message(
        apply
            .call(&[(&passes_on).into(), 0.into(), 0.into()])
            .unwrap_err(),
    );
    assert!(
        message.contains("apply_binop: callback CFUNCTYPE(c_int, c_int, c_int) panicked: deep"),
        "{message}"
    );

    // ... or handles it, and the outer call succeeds.
    let handles = {
        let (apply, inner) = (apply.clone(), inner_panics.clone());
        Callback::new(binop(), move |_: &[Value]| {
            Value::Int(
                if apply
                    .call(&[(&**inner).into(), 0.into(), 0.into()])
                    .is_err()
                {
                    1
                } else {
                    2
                },
            )
        })
        .unwrap()
    };
    assert_eq!(
        apply
            .call(&[(&handles).into(), 0.into(), 0.into()])
            .unwrap(),
        Value::Int(1)
    );

    // A failure of the outer call is not taken by a nested call that succeeds.
    let fold = fold_calls(&lib);
    let mixed = {
        let (apply, inner_add) = (apply.clone(), inner_add.clone());
        Callback::new(binop(), move |args: &[Value]| {
            let i = args[0].to::<i32>().unwrap();
            if i == 0 {
                panic!("first");
            }
            apply
                .call(&[(&**inner_add).into(), i.into(), 0.into()])
                .unwrap()
        })
        .unwrap()
    };
    let (_, message) = callback_message(fold.call(&[(&mixed).into(), 3.into()]).unwrap_err());
    assert!(message.ends_with("panicked: first"), "{message}");
}

// ---- the allocator pattern ----

#[test]
fn the_cookbook_allocator_fills_a_2x3_float_array() {
    let lib = callback_lib();
    // SAFETY: callback.c: `void foo(allocator_t allocator)` calls allocator
    // once during the call, for a 2x3 float array, and writes 6 floats to
    // what it returns unless NULL; allocator may not be NULL.
    let foo_fn =
        unsafe { lib.function("foo", &[Allocator::plain_signature().into()], CType::Void) }
            .unwrap();
    let mut alloc = Allocator::with_typecode('f').unwrap();
    foo_fn.call(&[alloc.callback().into()]).unwrap();
    let arrays = alloc.take_arrays();
    assert_eq!(arrays.len(), 1);
    assert_eq!(arrays[0].typecode(), 'f');
    assert_eq!(
        arrays[0].to_array::<f32>().unwrap(),
        array![[1.0f32, 2.0, 3.0], [2.0, 4.0, 6.0]].into_dyn()
    );
    assert!(alloc.is_empty());

    let err = Allocator::with_typecode('x').unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot convert 'x' to a numpy type character (one of dfglLqQiIhHbB)"
    );
}

#[test]
fn the_typed_allocator_gives_arrays_of_several_types() {
    let lib = callback_lib();
    // SAFETY: callback.c: `int func(int scale, typed_allocator_t allocator)`
    // calls allocator during the call for arrays of 24 doubles, 5 floats and
    // 4 ints, writing each fully unless NULL; allocator may not be NULL.
    let func = unsafe { allocator_fn(&lib, "func", CType::Int) };
    let mut alloc = Allocator::new().unwrap();
    assert_eq!(
        func.call(&[3.into(), alloc.callback().into()]).unwrap(),
        Value::Int(3)
    );
    let arrays = alloc.take_arrays();
    let codes: Vec<char> = arrays.iter().map(|a| a.typecode()).collect();
    assert_eq!(codes, ['d', 'f', 'i']);

    let d = arrays[0].view::<f64>().unwrap();
    assert_eq!(d.shape(), &[2, 3, 4]);
    assert!(d.iter().enumerate().all(|(i, &x)| x == (i * 3) as f64));
    let f = arrays[1].view::<f32>().unwrap();
    assert_eq!(f.as_slice().unwrap(), &[0.5, 3.5, 6.5, 9.5, 12.5]);
    let n = arrays[2].view::<i32>().unwrap();
    assert_eq!(n, array![[0, -3], [-6, -9]].into_dyn());

    // Views are checked against the element type, in numpy's words.
    let err = arrays[0].view::<f32>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot convert an array of data type float64 (typecode 'd') to an array of float32"
    );
}

/// `int name(T first, typed_allocator_t allocator)` in callback.c.
///
/// # Safety
///
/// `name` takes `first` and a typed allocator, calls the allocator during the
/// call only, and writes no more than the arrays it asked for.
unsafe fn allocator_fn(lib: &Library, name: &str, first: CType) -> CFunc {
    let args = [first, Allocator::signature().into()];
    // SAFETY: the caller's.
    unsafe { lib.function(name, &args, CType::Int) }.unwrap_or_else(|e| panic!("{e}"))
}

/// Serialises the tests calling `fill_typecode`, which sets a C global.
static FILL_TYPECODE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn fill_typecode(lib: &Library) -> CFunc {
    // SAFETY: callback.c: `int fill_typecode(char typecode, typed_allocator_t
    // allocator)` calls allocator once during the call for a 2x3 array of
    // that type and fills its 6 elements with 1..=6 unless NULL; allocator
    // may not be NULL.
    unsafe { allocator_fn(lib, "fill_typecode", CType::Char) }
}

#[test]
fn every_typecode_allocates_its_element_type() {
    let _serial = FILL_TYPECODE.lock().unwrap_or_else(|e| e.into_inner());
    let fill = fill_typecode(&callback_lib());
    let mut alloc = Allocator::new().unwrap();
    for code in "dfglLqQiIhHbB".chars() {
        assert_eq!(
            fill.call(&[(code as i32).into(), alloc.callback().into()])
                .unwrap(),
            Value::Int(1)
        );
    }
    let arrays = alloc.take_arrays();
    let want: Vec<f64> = (1..=6).map(f64::from).collect();
    for a in &arrays {
        assert_eq!(a.shape(), &[2, 3]);
        /// The elements of `a`, viewed as `T`s, as f64s.
        fn as_f64<T: rctypes::Scalar + Copy>(a: &AllocatedArray, f: fn(T) -> f64) -> Vec<f64> {
            a.view::<T>().unwrap().iter().map(|&x| f(x)).collect()
        }
        let got: Vec<f64> = match a.typecode() {
            'd' => as_f64(a, |x: f64| x),
            'f' => as_f64(a, |x: f32| x as f64),
            'g' => {
                let values = a.to_long_double_array().unwrap();
                values.iter().map(|x| x.to_f64()).collect()
            }
            'l' => as_f64(a, |x: c_long| x as f64),
            'L' => as_f64(a, |x: c_ulong| x as f64),
            'q' => as_f64(a, |x: i64| x as f64),
            'Q' => as_f64(a, |x: u64| x as f64),
            'i' => as_f64(a, |x: i32| x as f64),
            'I' => as_f64(a, |x: u32| x as f64),
            'h' => as_f64(a, |x: i16| x as f64),
            'H' => as_f64(a, |x: u16| x as f64),
            'b' => as_f64(a, |x: i8| x as f64),
            'B' => as_f64(a, |x: u8| x as f64),
            other => panic!("unexpected typecode {other}"),
        };
        assert_eq!(got, want, "typecode {}", a.typecode());
    }
    assert_eq!(arrays.len(), 13);
    assert!(arrays[2].view::<f64>().is_err(), "long double is not f64");
}

#[test]
fn an_unknown_typecode_is_an_error_and_c_gets_null() {
    let lib = callback_lib();
    let fill = fill_typecode(&lib);
    let _serial = FILL_TYPECODE.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: callback.c: `int last_fill`, what fill_typecode last returned;
    // the lock keeps the other test calling fill_typecode out meanwhile.
    let last_fill = unsafe { lib.variable("last_fill", CType::Int) }.unwrap();
    last_fill.set(&Value::Int(-2)).unwrap();
    let mut alloc = Allocator::new().unwrap();
    let err = fill
        .call(&[('x' as i32).into(), alloc.callback().into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fill_typecode: callback CFUNCTYPE(c_void_p, c_int, const POINTER(c_int), c_char) \
         failed: data type 'x' not understood"
    );
    assert_eq!(last_fill.get(), Value::Int(0), "C received NULL");
    assert!(alloc.take_arrays().is_empty());
    // The allocator goes on working.
    fill.call(&[('B' as i32).into(), alloc.callback().into()])
        .unwrap();
    assert_eq!(last_fill.get(), Value::Int(1));
}

#[test]
fn the_allocator_is_thread_safe_under_concurrent_c_threads() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 50;
    let lib = callback_lib();
    // SAFETY: callback.c: `int func_threads(int n, typed_allocator_t
    // allocator)`: n pthreads, all joined before it returns, each allocate 50
    // (index+1)x4 int arrays and fill them with index*1000 + round;
    // allocator may not be NULL.
    let func_threads = unsafe { allocator_fn(&lib, "func_threads", CType::Int) };
    let alloc = Allocator::new().unwrap();
    let finished = func_threads
        .call(&[(THREADS as i32).into(), alloc.callback().into()])
        .unwrap();
    assert_eq!(finished, Value::Int(THREADS as i128));
    let arrays = alloc.into_arrays();
    assert_eq!(arrays.len(), THREADS * ROUNDS);

    let distinct: HashSet<usize> = arrays.iter().map(|a| a.as_ptr() as usize).collect();
    assert_eq!(
        distinct.len(),
        arrays.len(),
        "every array has its own memory"
    );

    let mut rounds: HashMap<usize, HashSet<i32>> = HashMap::new();
    for a in &arrays {
        let v = a.view::<i32>().unwrap();
        let t = a.shape()[0] - 1;
        assert_eq!(a.shape(), &[t + 1, 4]);
        let first = v.iter().next().copied().unwrap();
        assert!(v.iter().all(|&x| x == first), "filled uniformly");
        assert_eq!(first as usize / 1000, t, "filled by the thread that asked");
        rounds.entry(t).or_default().insert(first % 1000);
    }
    for t in 0..THREADS {
        assert_eq!(
            rounds[&t],
            (0..ROUNDS as i32).collect::<HashSet<_>>(),
            "thread {t}"
        );
    }
}

// ---- pointer-to-pointer rows ----

fn rows_lib() -> Library {
    lib("rows")
}

#[test]
fn rows_pass_as_pointer_to_pointer() {
    let lib = rows_lib();
    let mut x = array![
        [10.0f32, 20.0, 30.0],
        [40.0, 50.0, 60.0],
        [80.0, 90.0, 100.0]
    ];
    // len rows (argument 2) of ncols elements (argument 3) each.
    let (len, ncols) = (Extent::ElementsFromArg(2), Extent::ElementsFromArg(3));
    let float_pp = CType::pointer(CType::pointer(CType::Float).extent(ncols)).extent(len);
    let const_pp =
        CType::const_pointer(CType::const_pointer(CType::Float).extent(ncols)).extent(len);
    // SAFETY: rows.c: `float rows_sum(float **data, int len, int ncols)` reads
    // len row pointers and ncols floats of each; `void rows_scale(float
    // **data, int len, int ncols, float f)` reads as many row pointers and
    // reads and writes ncols floats of each. No pointer may be NULL.
    let (sum, scale) = unsafe {
        (
            lib.function(
                "rows_sum",
                &[const_pp.clone(), CType::Int, CType::Int],
                CType::Float,
            )
            .unwrap(),
            lib.function(
                "rows_scale",
                &[float_pp.clone(), CType::Int, CType::Int, CType::Float],
                CType::Void,
            )
            .unwrap(),
        )
    };
    let rows = RowPointers::new(x.view()).unwrap();
    assert_eq!((rows.len(), rows.ncols()), (3, 3));
    assert_eq!(
        sum.call(&[(&rows).into(), 3.into(), 3.into()]).unwrap(),
        Value::Float(480.0)
    );

    // Read-only rows never go where C writes.
    let err = scale
        .call(&[(&rows).into(), 3.into(), 3.into(), 2.0.into()])
        .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "rows_scale: argument 1: expected POINTER(POINTER(c_float) [arg 3 elements])"
        ),
        "{err}"
    );

    let mut rows = RowPointersMut::new(x.view_mut()).unwrap();
    scale
        .call(&[(&mut rows).into(), 3.into(), 3.into(), 0.5.into()])
        .unwrap();
    assert_eq!(
        x,
        array![[5.0, 10.0, 15.0], [20.0, 25.0, 30.0], [40.0, 45.0, 50.0]]
    );

    // Strided and reversed rows: each row is contiguous, so they work.
    let mut rows = RowPointersMut::new(x.slice_mut(s![..;-2, 1..])).unwrap();
    scale
        .call(&[(&mut rows).into(), 2.into(), 2.into(), 10.0.into()])
        .unwrap();
    assert_eq!(
        x,
        array![
            [5.0, 100.0, 150.0],
            [20.0, 25.0, 30.0],
            [40.0, 450.0, 500.0]
        ]
    );

    // Counts past the rows or the columns lent are refused.
    let rows = RowPointers::new(x.view()).unwrap();
    let err = sum.call(&[(&rows).into(), 4.into(), 3.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    let err = sum.call(&[(&rows).into(), 3.into(), 4.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");

    // Typed: the checked form takes no row pointers, whose counts it could
    // not check; the unchecked binding does, its caller vouching for them.
    let err = sum
        .typed::<(&RowPointers<f32>, i32, i32), f32>()
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    assert!(
        scale
            .typed::<(&mut RowPointersMut<f32>, i32, i32, f32), ()>()
            .is_err()
    );
    // SAFETY: rows_sum as above; the calls pass len and ncols equal to the
    // rows' count and length.
    let typed_sum = unsafe { lib.typed::<(&RowPointers<f32>, i32, i32), f32>("rows_sum") }.unwrap();
    let rows = RowPointers::new(x.slice(s![1.., ..])).unwrap();
    assert_eq!(typed_sum.call((&rows, 2, 3)), 1065.0);
    // SAFETY: rows_scale as above; the call passes len and ncols equal to
    // the rows' count and length, and the rows are writable.
    let typed_scale =
        unsafe { lib.typed::<(&mut RowPointersMut<f32>, i32, i32, f32), ()>("rows_scale") }
            .unwrap();
    let mut rows = RowPointersMut::new(x.view_mut()).unwrap();
    typed_scale.call((&mut rows, 3, 3, 2.0));
    assert_eq!(x[[2, 2]], 1000.0);
}

#[test]
fn non_contiguous_rows_are_refused() {
    let x: Array2<f32> = Array2::zeros((3, 4));
    let err = RowPointers::new(x.t()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot convert a 2-D array of shape [4, 3] with strides [1, 4] to row pointers: \
         each row must be contiguous (column stride 1); copy it with .as_standard_layout() first"
    );
    assert!(RowPointers::new(x.slice(s![.., ..;2])).is_err());
    // One column is contiguous whatever its stride.
    assert!(RowPointers::new(x.slice(s![.., 1..2])).is_ok());
    let standard = x.t().as_standard_layout().into_owned();
    assert_eq!(RowPointers::new(standard.view()).unwrap().len(), 4);
}

#[test]
fn the_cookbook_rows_function_walks_every_row() {
    let lib = rows_lib();
    // SAFETY: rows.c: `void foo(float **data, int len)` reads len row
    // pointers and prints the first float of each (at least one per row);
    // nothing may be NULL.
    let row = CType::pointer(CType::Float).extent(Extent::Elements(1));
    let foo_fn = unsafe {
        lib.function(
            "foo",
            &[
                CType::pointer(row).extent(Extent::ElementsFromArg(2)),
                CType::Int,
            ],
            CType::Void,
        )
    }
    .unwrap();
    let mut x = array![
        [10.0f32, 20.0, 30.0],
        [40.0, 50.0, 60.0],
        [80.0, 90.0, 100.0]
    ];
    let len = x.nrows() as i32;
    let mut rows = RowPointersMut::new(x.view_mut()).unwrap();
    foo_fn.call(&[(&mut rows).into(), len.into()]).unwrap();
    let err = foo_fn
        .call(&[(&mut rows).into(), (len + 1).into()])
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
}

// ---- libc's qsort ----

/// libc's qsort over an array of `elem`, of `n` elements.
fn qsort(elem: CType, n: Extent) -> CFunc {
    let libc = Library::this().unwrap();
    let cmp_arg = CType::const_pointer(elem.clone());
    let cmp = CType::func_ptr([cmp_arg.clone(), cmp_arg], CType::Int);
    // SAFETY: libc: `void qsort(void *base, size_t n, size_t size, int
    // (*cmp)(const void *, const void *))` reads and writes n elements of
    // size bytes at base, calling cmp during the call with pointers to them
    // and keeping it no longer; neither may be NULL. Declared with the
    // element type the comparator reads and the extent n, and every call
    // here passes size = the size of that element type.
    unsafe {
        libc.function(
            "qsort",
            &[
                CType::pointer(elem).extent(n),
                CType::SizeT,
                CType::SizeT,
                cmp,
            ],
            CType::Void,
        )
    }
    .unwrap()
}

#[test]
fn qsort_sorts_with_a_typed_rust_comparator() {
    type Cmp = TypedCallback<(ByRef<i32>, ByRef<i32>), i32>;
    // Typed calls take arrays of a fixed length, declared as the extent.
    fn sort<const N: usize>(data: &mut [i32; N], cmp: &Cmp) {
        let q = qsort(CType::Int, Extent::Elements(N));
        let q: TypedCFunc<(&mut [i32; N], usize, usize, &Cmp), ()> = q.typed().unwrap();
        q.try_call((data, N, size_of::<i32>(), cmp)).unwrap();
    }
    // Slices, whose lengths typed calls never check, are refused.
    let err = qsort(CType::Int, Extent::Elements(7))
        .typed::<(&mut [i32], usize, usize, &Cmp), ()>()
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    let calls = Arc::new(AtomicUsize::new(0));
    let ascending: Cmp = {
        let calls = calls.clone();
        Callback::typed(move |a: ByRef<i32>, b: ByRef<i32>| {
            calls.fetch_add(1, Ordering::Relaxed);
            a.cmp(&b) as i32
        })
        .unwrap()
    };
    let mut data = [5, 1, 7, 33, 99, -4, 0];
    sort(&mut data, &ascending);
    assert_eq!(data, [-4, 0, 1, 5, 7, 33, 99]);
    assert!(calls.load(Ordering::Relaxed) >= 6);

    let descending: Cmp = Callback::typed(|a: ByRef<i32>, b: ByRef<i32>| b.cmp(&a) as i32).unwrap();
    let mut big: [i32; 1000] = std::array::from_fn(|i| (i as i32 * 7919) % 1000);
    sort(&mut big, &descending);
    assert!(big.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(big[0], 999);

    let doubles = qsort(CType::Double, Extent::ElementsFromArg(2));
    let by_abs =
        Callback::typed(|a: ByRef<f64>, b: ByRef<f64>| a.abs().total_cmp(&b.abs()) as i32).unwrap();
    let mut xs = [-3.5, 2.0, -0.5, 1.0];
    doubles
        .call(&[
            (&mut xs).into(),
            4usize.into(),
            8usize.into(),
            (&*by_abs).into(),
        ])
        .unwrap();
    assert_eq!(xs, [-0.5, 1.0, 2.0, -3.5]);
}

#[test]
fn qsort_sorts_with_a_dynamic_rust_comparator() {
    let q = qsort(CType::Int, Extent::ElementsFromArg(2));
    let sig = match &q.arg_types()[3] {
        CType::FuncPtr(sig) => sig.clone(),
        other => panic!("{other}"),
    };
    let cmp = Callback::new(sig, |args: &[Value]| {
        let read = |v: &Value| -> i32 {
            let p = v.to::<RawPtr>().unwrap();
            // SAFETY: qsort passes pointers to elements of the int array it sorts.
            unsafe { *(p.as_ptr() as *const i32) }
        };
        Value::Int(read(&args[0]).cmp(&read(&args[1])) as i128)
    })
    .unwrap();
    let mut data = [3, -1, 2, 10, 0];
    q.call(&[
        (&mut data).into(),
        5usize.into(),
        4usize.into(),
        (&cmp).into(),
    ])
    .unwrap();
    assert_eq!(data, [-1, 0, 2, 3, 10]);
    // More elements than the array holds: refused before C runs.
    let err = q
        .call(&[
            (&mut data).into(),
            6usize.into(),
            4usize.into(),
            (&cmp).into(),
        ])
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
}

#[test]
fn a_callback_failing_during_a_direct_invoke_is_reported() {
    let (_serial, lib) = registration();
    // SAFETY: callback.c: `int call_registered(int a, int b)` calls the
    // registered op (a leaked callback of its signature here), or returns
    // -1 when none is.
    let call_registered = unsafe { lib.declare("int call_registered(int a, int b)") }.unwrap();
    assert!(call_registered.invokes_directly::<(i32, i32), i32>());
    // Leaked: C keeps what is registered.
    let failing: &'static Callback = Callback::new(binop(), |_: &[Value]| Err::<Value, _>("no"))
        .unwrap()
        .with_error_value(Value::Int(-99))
        .unwrap()
        .leak();
    let register = register_binop(&lib);
    register.call(&[failing.into()]).unwrap();
    let direct = call_registered.invoke::<i32>((1, 2)).unwrap_err();
    let checked = call_registered.call(&[1.into(), 2.into()]).unwrap_err();
    register.call(&[Value::Null]).unwrap();
    assert!(matches!(direct, Error::Callback { .. }), "{direct}");
    assert!(direct.to_string().ends_with("failed: no"), "{direct}");
    assert_eq!(direct.to_string(), checked.to_string());
    // Registered no more: C's own answer, directly.
    assert_eq!(call_registered.invoke::<i32>((1, 2)).unwrap(), -1);
}

// ---- entries of capturing closures ----

#[test]
fn capturing_callbacks_enter_through_their_own_entry() {
    // Where rctypes makes machine code, a capturing closure whose arguments
    // fit the registers gets an entry; elsewhere its libffi closure stays.
    let entry = rctypes::Route::Compiled.is_available();
    let lib = callback_lib();

    // Floats: integrate's midpoint sum of 2x over [0, 1] is exactly 1.
    // SAFETY: callback.c: `double integrate(double (*f)(double), double lo,
    // double hi, int steps)` calls f steps times during the call.
    let integrate = unsafe {
        lib.declare("double integrate(double (*f)(double), double lo, double hi, int steps)")
    }
    .unwrap();
    let scale = 2.0;
    let twice = Callback::typed(move |x: f64| scale * x).unwrap();
    assert_eq!(twice.is_direct(), entry);
    let area: f64 = integrate.invoke((&*twice, 0.0, 1.0, 4)).unwrap();
    assert_eq!(area, 1.0);

    // An error value, given through the entry's trampoline.
    let apply: TypedCFunc<(&Binop, i32, i32), i32> = apply_binop(&lib).typed().unwrap();
    let offset = 5;
    let failing: Binop = Callback::typed(move |a: i32, b: i32| -> i32 {
        assert!(a <= 0, "refuses {a}");
        a + b + offset
    })
    .unwrap()
    .with_error_value(-7)
    .unwrap();
    assert_eq!(failing.is_direct(), entry);
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let given = apply.call((&failing, 1, 2));
    std::panic::set_hook(hook);
    assert_eq!(given, -7, "C received the error value");
    let failure = failing.take_failure().expect("the panic, recorded");
    assert!(failure.contains("refuses 1"), "{failure}");
    assert_eq!(apply.call((&failing, -1, 2)), 6);

    // Six integer arguments leave no register for the state: libffi.
    let k = 1.0;
    let mixed = Callback::typed(
        move |a: i8, b: u16, c: i32, d: i64, e: f32, f: f64, g: u8, h: f64, i: i32, j: f32| {
            k * (f64::from(a)
                + f64::from(b)
                + f64::from(c)
                + d as f64
                + f64::from(e)
                + f
                + f64::from(g)
                + h
                + f64::from(i)
                + f64::from(j))
        },
    )
    .unwrap();
    assert!(!mixed.is_direct());
    // SAFETY: callback.c: `double call_mixed(mixed_fn_t f)` calls f once
    // with ten constants and returns its result.
    let call_mixed = unsafe {
        lib.declare(
            "double call_mixed(double (*f)(signed char, unsigned short, int, long long, \
             float, double, unsigned char, double, int, float))",
        )
    }
    .unwrap();
    let total: f64 = call_mixed.invoke((&*mixed,)).unwrap();
    let want =
        -5.0 + 60000.0 - 70000.0 + (1i64 << 40) as f64 + 1.5 + 2.25 + 200.0 - 3.5 + 42.0 + 0.125;
    assert_eq!(total, want);

    // Callbacks come and go; each entry goes with its callback.
    for n in 0..1000 {
        let add_n = Callback::typed(move |a: i32, b: i32| a + b + n).unwrap();
        assert_eq!(apply.call((&add_n, 1, 2)), 3 + n);
    }
}

#[test]
fn dynamic_callbacks_enter_through_their_own_entry() {
    // Where rctypes makes machine code, a dynamic callback whose arguments
    // all travel in registers gets an entry; elsewhere, and for structs,
    // its libffi closure stays. The closure sees the same values (numbers:
    // `ten_mixed_arguments_reach_a_dynamic_callback`, and every scalar
    // type at its edges: `dynamic_callbacks_take_and_return_every_scalar_type`).
    let entry = rctypes::Route::Compiled.is_available();
    let lib = callback_lib();

    // A string: the registers saved, then decoded as the libffi closure's
    // arguments are.
    let string_sig = Signature::new([CType::CharP], CType::Int);
    let length = Callback::new(string_sig.clone(), |args: &[Value]| {
        Value::Int(args[0].to::<String>().unwrap().len() as i128)
    })
    .unwrap();
    assert_eq!(length.is_direct(), entry);
    // SAFETY: callback.c: `int call_with_string(int (*f)(const char *), const
    // char *s)` returns f(s), calling f once during the call.
    let call_with_string = unsafe {
        lib.function(
            "call_with_string",
            &[string_sig.into(), CType::CharP],
            CType::Int,
        )
    }
    .unwrap();
    assert_eq!(
        call_with_string
            .invoke::<i32>((&length, "seven c"))
            .unwrap(),
        7
    );

    // A failure gives C the error value through the entry, and is reported.
    let apply = apply_binop(&lib);
    let failing = Callback::new(binop(), |args: &[Value]| match args {
        [Value::Int(a), Value::Int(b)] if *a <= 0 => Ok(Value::Int(a + b)),
        _ => Err("refused"),
    })
    .unwrap()
    .with_error_value(Value::Int(-7))
    .unwrap();
    assert_eq!(failing.is_direct(), entry);
    let err = apply.invoke::<i32>((&failing, 1, 2)).unwrap_err();
    assert!(err.to_string().contains("failed: refused"), "{err}");
    let fold = fold_calls(&lib);
    assert_eq!(
        fold.invoke::<i64>((&failing, 3)).unwrap_err().to_string(),
        err.to_string().replace("apply_binop", "fold_calls"),
        "every call of the callback fails with the same words"
    );
    assert_eq!(apply.invoke::<i32>((&failing, -1, 2)).unwrap(), 1);
    // What C received: called through its address, no checked call watches
    // the callback, so the failure waits in it.
    // SAFETY: callback.c: `int apply_binop(int_binop_t op, int a, int b)`
    // returns op(a, b); every pointer passed is the live callback's code.
    let raw: TypedCFunc<(RawPtr, i32, i32), i32> = unsafe { lib.typed("apply_binop") }.unwrap();
    // SAFETY: the callback's code, alive for the calls below.
    let code = unsafe { RawPtr::new(failing.code_ptr() as *mut std::ffi::c_void) }.unwrap();
    assert_eq!(raw.call((code, 1, 2)), -7, "C received the error value");
    let failure = failing.take_failure().expect("the failure, recorded");
    assert!(failure.ends_with("failed: refused"), "{failure}");

    // Callbacks come and go; each entry goes with its callback.
    for n in 0..1000 {
        let add_n = Callback::new(binop(), move |args: &[Value]| match args {
            [Value::Int(a), Value::Int(b)] => Value::Int(a + b + n),
            _ => Value::Void,
        })
        .unwrap();
        assert_eq!(apply.invoke::<i32>((&add_n, 1, 2)).unwrap(), 3 + n as i32);
    }
}
