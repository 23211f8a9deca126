//! The short form (`invoke`, and `Functions` by name) gives what the long
//! form (`call` then `to`) gives: the same results, the same errors, word
//! for word, on every route.

use rctypes::{
    ByRef, CFunc, CType, Callback, Error, Functions, Handle, Header, Library, LongDouble, Result,
    Route, StructValue, Value,
};

use crate::common::{abi, every_route, fibseries, lib, out_params};

/// Both forms of one call: the short one and `call(..).to::<R>()`.
macro_rules! both {
    ($f:expr => $r:ty; $($arg:expr),* $(,)?) => {{
        let short: Result<$r> = $f.invoke(($($arg,)*));
        let long: Result<$r> = $f.call(&[$(Value::from($arg)),*]).and_then(|v| v.to::<$r>());
        (short, long)
    }};
}

/// The two outcomes agree: equal values, or errors with the same words.
fn agree<T: PartialEq + std::fmt::Debug>((short, long): (Result<T>, Result<T>)) -> Result<T> {
    match (&short, &long) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("the forms differ: short {short:?}, long {long:?}"),
    }
    short
}

fn message<T: std::fmt::Debug>(r: Result<T>) -> String {
    r.expect_err("an error").to_string()
}

fn fib() -> CFunc {
    // SAFETY: fibonacci.c's `int fib(int)`.
    unsafe { lib("fibonacci").function("fib", &[CType::Int], CType::Int) }.unwrap()
}

#[test]
fn scalars_agree_on_every_route() {
    for f in every_route(&fib()) {
        assert_eq!(agree(both!(f => i32; 8)).unwrap(), 13);
        assert_eq!(agree(both!(f => u8; 8)).unwrap(), 13);
        assert_eq!(agree(both!(f => f64; 8)).unwrap(), 13.0);
        let err = message(agree(both!(f => i32; 1i64 << 40)));
        assert!(err.starts_with("fib: argument 1: expected c_int"), "{err}");
        let err = message(agree(both!(f => i32; "eight")));
        assert!(err.starts_with("fib: argument 1"), "{err}");
        let err = message(agree(both!(f => i32; 8.0)));
        assert!(err.starts_with("fib: argument 1"), "{err}");
        assert_eq!(
            message(agree(both!(f => i32;))),
            "fib: expected 1 argument, given 0"
        );
        assert_eq!(
            message(agree(both!(f => i32; 8, 9))),
            "fib: expected 1 argument, given 2"
        );
        // The result's range: 13 is no bool.
        let err = message(agree(both!(f => bool; 8)));
        assert!(err.starts_with("cannot convert int 13"), "{err}");
    }
}

#[test]
fn arrays_agree_and_are_written() {
    let f = fibseries();
    let input = [1, 2, 3, 4, 5, 6, 7, 8];
    let mut series = [0i32; 8];
    let short: Result<()> = f.invoke((&input, 8, &mut series));
    short.unwrap();
    assert_eq!(series, [0, 1, 1, 2, 3, 5, 8, 13]);
    let mut long = [0i32; 8];
    assert_eq!(
        f.call(&[(&input).into(), 8.into(), (&mut long).into()])
            .unwrap(),
        Value::Void
    );
    assert_eq!(series, long);
    for (short, long) in [
        (
            f.invoke::<()>((&input, 8, &input)),
            f.call(&[(&input).into(), 8.into(), (&input).into()]),
        ),
        (
            f.invoke::<()>((&input[..4], 8, &mut series)),
            f.call(&[(&input[..4]).into(), 8.into(), (&mut series).into()]),
        ),
        (
            f.invoke::<()>((Value::Null, 8, &mut series)),
            f.call(&[Value::Null, 8.into(), (&mut series).into()]),
        ),
    ] {
        assert_eq!(message(short), message(long));
    }
    // A non-void result asked for as `()` is refused, not dropped unseen.
    let err = message(fib().invoke::<()>((8,)));
    assert_eq!(
        err,
        "cannot convert int 13 to void (the function returns a value)"
    );
}

#[test]
fn strings_out_parameters_and_long_double_agree() {
    // SAFETY: abi.c's signatures: str_len reads a string; greeting returns
    // a static string; maybe_null returns one or NULL; ld_mul multiplies.
    let (str_len, greeting, maybe_null, ld_mul) = unsafe {
        (
            abi().declare("size_t str_len(const char *s)").unwrap(),
            abi().declare("const char *greeting(void)").unwrap(),
            abi().declare("const char *maybe_null(int give)").unwrap(),
            abi()
                .declare("long double ld_mul(long double a, long double b)")
                .unwrap(),
        )
    };
    assert_eq!(agree(both!(str_len => usize; "hello")).unwrap(), 5);
    assert_eq!(agree(both!(greeting => String;)).unwrap(), "hello from C");
    assert_eq!(agree(both!(maybe_null => Option<String>; 0)).unwrap(), None);
    assert_eq!(
        agree(both!(maybe_null => Option<String>; 1)).unwrap(),
        Some("given".into())
    );
    let big = LongDouble::from(u64::MAX);
    let product = agree(both!(ld_mul => LongDouble; big, 4)).unwrap();
    assert_eq!(
        product,
        ld_mul.call(&[big.into(), 4.into()]).unwrap().to().unwrap()
    );

    let f = out_params();
    let (mut doubled, mut half) = (0, 0.0);
    let () = f
        .invoke((21, Value::byref(&mut doubled), Value::byref(&mut half)))
        .unwrap();
    assert_eq!((doubled, half), (42, 10.5));
}

#[test]
fn handles_errno_and_checks_agree() {
    let libc = Library::this().unwrap();
    let file = CType::handle("FILE");
    // SAFETY: tmpfile returns a new FILE* or NULL; fclose ends one.
    let (tmpfile, fclose) = unsafe {
        (
            libc.function("tmpfile", &[], file.clone()).unwrap(),
            libc.function("fclose", &[file.releases()], CType::Int)
                .unwrap(),
        )
    };
    let f: Handle = tmpfile.invoke(()).unwrap();
    assert_eq!(fclose.invoke::<i32>((&f,)).unwrap(), 0);
    // Closed: both forms refuse it alike.
    assert_eq!(
        message(fclose.invoke::<i32>((&f,))),
        message(fclose.call(&[(&f).into()]))
    );

    // SAFETY: abi.c's `int set_errno_to(int)` sets errno, returns -1.
    let set_errno_to = unsafe { abi().declare("int set_errno_to(int value)") }
        .unwrap()
        .with_errno();
    assert_eq!(set_errno_to.invoke::<i32>((34,)).unwrap(), -1);
    assert_eq!(rctypes::get_errno(), 34);
    let checked = set_errno_to.with_errcheck(|result, args| match result {
        Value::Int(-1) => Err(format!("failed with errno {}", args[0].describe())),
        ok => Ok(ok),
    });
    let short = checked.invoke::<i32>((5,));
    assert!(matches!(short, Err(Error::Check { .. })));
    assert_eq!(message(short), message(checked.call(&[5.into()])));
}

#[test]
fn callbacks_and_their_panics_agree() {
    // SAFETY: callback.c's `void sort_ints(int *a, int n, int_cmp_t cmp)`
    // sorts the n ints of a with qsort and cmp, during the call only.
    let sort = unsafe {
        lib("callback")
            .declare("void sort_ints(int a[n], int n, int (*cmp)(const int *, const int *))")
    }
    .unwrap();
    let ascending = Callback::typed(|a: ByRef<i32>, b: ByRef<i32>| a.cmp(&b) as i32).unwrap();
    let mut data = [5, 1, 7, 33, -4, 0];
    let () = sort.invoke((&mut data, 6, &*ascending)).unwrap();
    assert_eq!(data, [-4, 0, 1, 5, 7, 33]);
    let boom =
        Callback::typed(|_: ByRef<i32>, _: ByRef<i32>| -> i32 { panic!("comparator gave up") })
            .unwrap();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let short = sort.invoke::<()>((&mut data, 6, &*boom));
    let long = sort.call(&[(&mut data).into(), 6.into(), (&*boom).into()]);
    std::panic::set_hook(hook);
    let err = message(short);
    assert!(err.contains("comparator gave up"), "{err}");
    assert_eq!(err, message(long));
}

#[test]
fn structs_come_back_by_value() {
    let header = Header::read(crate::common::c_sources().join("structs.h"), &[]).unwrap();
    // SAFETY: the header is the library's own.
    let fns = Functions::from(unsafe { header.bind(&lib("structs")) });
    let a: StructValue = fns.invoke("make_vec3", (1.0, 2.0, 3.0)).unwrap();
    let b: StructValue = fns.invoke("make_vec3", (0.5, 0.0, -1.0)).unwrap();
    let short: StructValue = fns.invoke("cross_vec3", (&a, &b)).unwrap();
    let long = fns
        .get("cross_vec3")
        .unwrap()
        .call(&[(&a).into(), (&b).into()])
        .unwrap();
    assert_eq!(Value::from(short.clone()), long);
    // (2*-1 - 3*0, 3*0.5 - 1*-1, 1*0 - 2*0.5)
    let x = |v: &StructValue, f: &str| v.get(f).unwrap().to::<f64>().unwrap();
    assert_eq!(
        [x(&short, "x"), x(&short, "y"), x(&short, "z")],
        [-2.0, 2.5, -1.0]
    );
}

#[test]
fn functions_by_name_from_declarations() {
    // SAFETY: fibonacci.c's functions; fibseries reads and writes
    // `elements` ints.
    let fns = unsafe {
        lib("fibonacci").declare_all(
            "typedef int count;
             int fib(int n);
             void fibseries(const int a[elements], count elements, int series[elements]);",
        )
    }
    .unwrap();
    assert_eq!(fns.names().collect::<Vec<_>>(), ["fib", "fibseries"]);
    assert_eq!(fns.invoke::<i32>("fib", (8,)).unwrap(), 13);
    assert_eq!(fns.call("fib", &[8.into()]).unwrap(), Value::Int(13));
    let mut series = [0; 6];
    let () = fns
        .invoke("fibseries", (&[1, 2, 3, 4, 5, 6], 6, &mut series))
        .unwrap();
    assert_eq!(series, [0, 1, 1, 2, 3, 5]);
    // The same errors as the function itself gives.
    let f = fns.get("fibseries").unwrap();
    assert_eq!(
        message(fns.invoke::<()>("fibseries", (&[1, 2, 3], 6, &mut series))),
        message(f.invoke::<()>((&[1, 2, 3], 6, &mut series)))
    );
    // A name not bound lists those that are.
    let err = message(fns.invoke::<i32>("fibb", (8,)));
    assert!(
        err.ends_with(r#"no symbol "fibb": not among the functions bound: fib, fibseries"#),
        "{err}"
    );
    // A function the library lacks is an error at binding, by its symbol.
    // SAFETY: never bound: the library has no such symbol.
    let err =
        unsafe { lib("fibonacci").declare_all("int fib(int n); int fob(int n);") }.unwrap_err();
    assert!(err.to_string().contains(r#"no symbol "fob""#), "{err}");
    // SAFETY: nothing is declared.
    let err = unsafe { lib("fibonacci").declare_all("typedef int count;") }.unwrap_err();
    assert!(err.to_string().contains("no function is declared"), "{err}");
}

/// Binds an abi.c function from its declaration.
fn abi_fn(decl: &str) -> CFunc {
    // SAFETY: each declaration below is abi.c's own, from abi.h.
    unsafe { abi().declare(decl) }.unwrap_or_else(|e| panic!("{decl}: {e}"))
}

/// `f` bound as declared, then on libffi: the direct call, then the checked one.
fn direct_and_checked(f: &CFunc) -> [CFunc; 2] {
    [f.clone(), f.clone().via(Route::Libffi).unwrap()]
}

#[test]
fn numbers_of_the_declared_types_pass_directly() {
    macro_rules! identity {
        ($decl:expr, $t:ty, $($v:expr),*) => {{
            let f = abi_fn($decl);
            assert!(f.invokes_directly::<($t,), $t>(), "{}", $decl);
            let [direct, checked] = direct_and_checked(&f);
            assert!(!checked.invokes_directly::<($t,), $t>());
            $(
                let v: $t = $v;
                let given: $t = direct.invoke((v,)).unwrap();
                assert_eq!(given.to_bits_or_self(), v.to_bits_or_self(), "{}", $decl);
                let both: $t = agree((direct.invoke((v,)), checked.invoke((v,)))).unwrap();
                assert_eq!(both.to_bits_or_self(), given.to_bits_or_self());
            )*
        }};
    }
    identity!("bool id_bool(bool v)", bool, true, false);
    identity!(
        "signed char id_schar(signed char v)",
        i8,
        i8::MIN,
        -1,
        i8::MAX
    );
    identity!("unsigned char id_uchar(unsigned char v)", u8, 0, u8::MAX);
    identity!("short id_short(short v)", i16, i16::MIN, i16::MAX);
    identity!("unsigned short id_ushort(unsigned short v)", u16, u16::MAX);
    identity!("int id_int(int v)", i32, i32::MIN, -7, i32::MAX);
    identity!("unsigned int id_uint(unsigned int v)", u32, u32::MAX);
    identity!(
        "long long id_longlong(long long v)",
        i64,
        i64::MIN,
        i64::MAX
    );
    identity!(
        "unsigned long long id_ulonglong(unsigned long long v)",
        u64,
        u64::MAX
    );
    identity!("size_t id_size_t(size_t v)", usize, usize::MAX);
    identity!("ssize_t id_ssize_t(ssize_t v)", isize, isize::MIN);
    identity!(
        "float id_float(float v)",
        f32,
        -1.5,
        f32::MAX,
        f32::INFINITY
    );
    identity!(
        "double id_double(double v)",
        f64,
        0.1,
        f64::MIN_POSITIVE,
        f64::NEG_INFINITY
    );
    // NaN passes as it stands, payload and all.
    let nan = f64::from_bits(0x7ff8_0000_0000_0123);
    let back: f64 = abi_fn("double id_double(double v)").invoke((nan,)).unwrap();
    assert_eq!(back.to_bits(), nan.to_bits());

    // Results C narrows, with its upper register bits undefined.
    for (decl, want) in [
        ("signed char negative_schar(void)", -5i64),
        ("short negative_short(void)", -1234),
        ("unsigned char big_uchar(void)", 250),
        ("unsigned short big_ushort(void)", 65000),
    ] {
        let f = abi_fn(decl);
        let got: i64 = match decl.split(' ').next() {
            Some("signed") => f.invoke::<i8>(()).unwrap().into(),
            Some("short") => f.invoke::<i16>(()).unwrap().into(),
            Some("unsigned") if decl.contains("char") => f.invoke::<u8>(()).unwrap().into(),
            _ => f.invoke::<u16>(()).unwrap().into(),
        };
        assert_eq!(got, want, "{decl}");
    }
    assert!(abi_fn("bool true_bool(void)").invoke::<bool>(()).unwrap());

    // C computes from every argument, registers and stack alike.
    let mixed6 = crate::common::mixed6();
    assert!(mixed6.invokes_directly::<(i32, f64, i64, f32, i16, f64), f64>());
    for f in direct_and_checked(&mixed6) {
        let sum: f64 = f.invoke((1, 2.5, 3i64, 0.25f32, -4i16, 8.5)).unwrap();
        assert_eq!(sum, 11.25);
    }
    let spill10 = abi_fn(
        "long long spill10(int a, int b, int c, int d, int e, int f, int g, int h, int i, int j)",
    );
    for f in direct_and_checked(&spill10) {
        let args = (1, 2, 3, 4, 5, 6, 7, 8, 9, -10);
        assert_eq!(f.invoke::<i64>(args).unwrap(), 185);
    }
    let () = abi_fn("void noop(void)").invoke(()).unwrap();
}

#[test]
fn other_types_take_the_checked_call() {
    let add = crate::common::add_int();
    assert!(add.invokes_directly::<(i32, i32), i32>());
    // Another width, sign or class, in or out: checked, the same results.
    assert!(!add.invokes_directly::<(i64, i32), i32>());
    assert!(!add.invokes_directly::<(u32, i32), i32>());
    assert!(!add.invokes_directly::<(i32, i32), i64>());
    assert!(!add.invokes_directly::<(i32, i32), Value>());
    assert!(!add.invokes_directly::<(i32,), i32>());
    assert_eq!(add.invoke::<i64>((2i64, 3u8)).unwrap(), 5);
    assert_eq!(add.invoke::<Value>((2, 3)).unwrap(), Value::Int(5));
    assert_eq!(
        message(add.invoke::<i32>((1u32 << 31, 0))),
        message(add.call(&[(1u32 << 31).into(), 0.into()]))
    );
    assert_eq!(
        message(add.invoke::<i32>((1,))),
        "add_int: expected 2 arguments, given 1"
    );
    // What needs the general path calls through it.
    assert!(
        !add.clone()
            .with_errno()
            .invokes_directly::<(i32, i32), i32>()
    );
    let checked = add.clone().with_errcheck(|v, _| Ok(v));
    assert!(!checked.invokes_directly::<(i32, i32), i32>());
    for f in Route::ALL.iter().filter_map(|&r| add.clone().via(r).ok()) {
        assert!(!f.invokes_directly::<(i32, i32), i32>(), "{:?}", f.route());
    }
    // Long double is never passed directly.
    let id_ld = abi_fn("long double id_longdouble(long double v)");
    assert!(!id_ld.invokes_directly::<(LongDouble,), LongDouble>());
}

#[test]
fn strings_pass_directly_to_a_const_char_pointer() {
    let strlen = abi_fn("size_t str_len(const char *s)");
    assert!(strlen.invokes_directly::<(&str,), usize>());
    assert!(strlen.invokes_directly::<(&std::ffi::CStr,), usize>());
    for f in direct_and_checked(&strlen) {
        // Copied with a NUL to the call's stack; a long one to the heap.
        assert_eq!(f.invoke::<usize>(("four",)).unwrap(), 4);
        let long = "x".repeat(1000);
        assert_eq!(f.invoke::<usize>((long.as_str(),)).unwrap(), 1000);
        // Its own bytes, where they already end with the only NUL.
        assert_eq!(f.invoke::<usize>(("abc\0",)).unwrap(), 3);
        assert_eq!(f.invoke::<usize>((c"a C string",)).unwrap(), 10);
        // A NUL inside: the checked call refuses it, in its own words.
        assert_eq!(
            message(f.invoke::<usize>(("a\0b",))),
            message(strlen.call(&["a\0b".into()]))
        );
        // Another borrow where a string is declared: checked as well.
        let bytes = [b'h', b'i', 0];
        let checked = strlen
            .call(&[(&bytes).into()])
            .map(|v| v.to::<usize>().unwrap());
        assert_eq!(
            format!("{:?}", f.invoke::<usize>((&bytes,))),
            format!("{checked:?}")
        );
    }
    // Where C may write, a buffer of bytes is checked as the checked call
    // checks it (`char *` counts one element unless declared otherwise).
    let fill = abi_fn("int fill_buffer(char *buf, int size, int seed)");
    let mut buf = [0u8; 8];
    assert_eq!(
        message(fill.invoke::<i32>((&mut buf, 8, 1))),
        message(fill.call(&[(&mut buf).into(), 8.into(), 1.into()]))
    );
    // Not a pointer of another type, nor a result.
    let wide = abi_fn("size_t wide_len(const wchar_t *s)");
    assert!(!wide.invokes_directly::<(&str,), usize>());
    assert_eq!(wide.invoke::<usize>(("héllo",)).unwrap(), 5);
    let greeting = abi_fn("const char *greeting(void)");
    assert!(!greeting.invokes_directly::<(), String>());
    assert_eq!(greeting.invoke::<String>(()).unwrap(), "hello from C");
}

#[test]
fn arrays_an_ndpointer_admits_pass_directly() {
    use ndarray::{Array1, s};
    let mean = crate::common::compute_mean_nd();
    assert!(mean.invokes_directly::<(&Array1<f32>, i32), f32>());
    let data = Array1::from(vec![1.0f32, 2.0, 3.0, 6.0]);
    for f in direct_and_checked(&mean) {
        // The shape is the second argument's: checked at the call.
        assert_eq!(f.invoke::<f32>((&data, 4)).unwrap(), 3.0);
        assert_eq!(f.invoke::<f32>((data.as_slice().unwrap(), 4)).unwrap(), 3.0);
        // Another integer type for the count: checked, the same.
        assert_eq!(f.invoke::<f32>((&data, 4i64)).unwrap(), 3.0);
        // What the ndpointer refuses, the checked call refuses in its words.
        let strided = data.slice(s![..;2]);
        let doubles = Array1::from(vec![1.0f64, 2.0]);
        for (short, long) in [
            (
                f.invoke::<f32>((&data, 3)),
                mean.call(&[(&data).into(), 3.into()]),
            ),
            (
                f.invoke::<f32>((&strided, 2)),
                mean.call(&[(&strided).into(), 2.into()]),
            ),
            (
                f.invoke::<f32>((&doubles, 2)),
                mean.call(&[(&doubles).into(), 2.into()]),
            ),
        ] {
            assert_eq!(message(short), message(long));
        }
    }
    // C writes through this one: a shared borrow is refused, as by the
    // checked call; a mutable one passes directly.
    let writable = crate::common::floats_arg2("C_CONTIGUOUS").build().unwrap();
    let args = [writable.into(), CType::Int, CType::Float];
    // SAFETY: mean.c: `void scale_floats(float *A, int n, float factor)`
    // reads and writes n floats of A, which may not be NULL.
    let scale = unsafe { lib("mean").function("scale_floats", &args, CType::Void) }.unwrap();
    assert!(scale.invokes_directly::<(&Array1<f32>, i32, f32), ()>());
    assert!(scale.invokes_directly::<(&mut Array1<f32>, i32, f32), ()>());
    let refused = scale.invoke::<()>((&data, 4, 2.0f32)).unwrap_err();
    let checked = scale.call(&[(&data).into(), 4.into(), 2.0f32.into()]);
    assert_eq!(refused.to_string(), message(checked));
    let mut data = data;
    let () = scale.invoke((&mut data, 4, 2.0f32)).unwrap();
    assert_eq!(data.to_vec(), [2.0, 4.0, 6.0, 12.0]);
}

#[test]
fn arrays_pass_directly_to_a_pointer_to_numbers() {
    use ndarray::{Array1, Array2, s};
    use rctypes::{Extent, RowPointers, RowPointersMut};
    let counted = |t: CType, arg| t.extent(Extent::ElementsFromArg(arg));
    let floats = counted(CType::const_pointer(CType::Float), 2);
    // SAFETY: mean.c: `float compute_mean(float *A, int n)` reads n floats.
    let mean = unsafe { lib("mean").function("compute_mean", &[floats, CType::Int], CType::Float) }
        .unwrap();
    assert!(mean.invokes_directly::<(&[f32], i32), f32>());
    assert!(mean.invokes_directly::<(&Array1<f32>, i32), f32>());
    let data = vec![1.0f32, 2.0, 3.0, 6.0];
    let array = Array1::from(data.clone());
    let grid = Array2::from_shape_fn((4, 5), |(i, j)| (5 * i + j) as f32);
    let column = grid.column(1);
    let doubles = [1.0f64; 4];
    for f in direct_and_checked(&mean) {
        // Slices, `Vec`s, arrays and contiguous ndarrays: C's own mean.
        assert_eq!(f.invoke::<f32>((&data[..], 4)).unwrap(), 3.0);
        assert_eq!(f.invoke::<f32>((&data, 4)).unwrap(), 3.0);
        assert_eq!(f.invoke::<f32>((&[2.0f32, 4.0], 2)).unwrap(), 3.0);
        assert_eq!(f.invoke::<f32>((&array, 3)).unwrap(), 2.0);
        assert_eq!(f.invoke::<f32>((&grid.row(2), 5)).unwrap(), 12.0);
        // Another integer type for the count: checked, the same.
        assert_eq!(f.invoke::<f32>((&data, 4i64)).unwrap(), 3.0);
        // What the checks refuse, the checked call refuses in its words:
        // a count past the end or below 0, a column (not contiguous),
        // another element type.
        for (short, long) in [
            (
                f.invoke::<f32>((&data, 5)),
                mean.call(&[(&data).into(), 5.into()]),
            ),
            (
                f.invoke::<f32>((&data, -1)),
                mean.call(&[(&data).into(), (-1).into()]),
            ),
            (
                f.invoke::<f32>((&column, 4)),
                mean.call(&[(&column).into(), 4.into()]),
            ),
            (
                f.invoke::<f32>((&doubles, 4)),
                mean.call(&[(&doubles).into(), 4.into()]),
            ),
        ] {
            assert_eq!(message(short), message(long));
        }
    }
    // C writes through this one: a shared borrow is refused, a mutable
    // one passes directly, and is refused as the checked call refuses it.
    let writes = counted(CType::pointer(CType::Float), 2);
    let args = [writes, CType::Int, CType::Float];
    // SAFETY: mean.c: `void scale_floats(float *A, int n, float factor)`
    // reads and writes n floats of A.
    let scale = unsafe { lib("mean").function("scale_floats", &args, CType::Void) }.unwrap();
    assert!(scale.invokes_directly::<(&[f32], i32, f32), ()>());
    assert!(scale.invokes_directly::<(&mut [f32], i32, f32), ()>());
    assert!(scale.invokes_directly::<(&mut Vec<f32>, i32, f32), ()>());
    assert_eq!(
        message(scale.invoke::<()>((&data, 4, 2.0f32))),
        message(scale.call(&[(&data).into(), 4.into(), 2.0f32.into()]))
    );
    let mut matrix = grid.clone();
    for f in direct_and_checked(&scale) {
        let mut data = data.clone();
        let () = f.invoke((&mut data, 4, 2.0f32)).unwrap();
        let () = f.invoke((&mut data[1..], 2, 10.0f32)).unwrap();
        assert_eq!(data, [2.0, 40.0, 60.0, 12.0]);
        let mut array = array.clone();
        let () = f.invoke((&mut array, 4, 0.5f32)).unwrap();
        assert_eq!(array.to_vec(), [0.5, 1.0, 1.5, 3.0]);
        let mut doubles = doubles;
        for (short, long) in [
            (
                f.invoke::<()>((&mut data, 5, 1.0f32)),
                scale.call(&[(&mut data).into(), 5.into(), 1.0f32.into()]),
            ),
            (
                f.invoke::<()>((&mut matrix.column_mut(1), 4, 1.0f32)),
                scale.call(&[(&mut matrix.column_mut(1)).into(), 4.into(), 1.0f32.into()]),
            ),
            (
                f.invoke::<()>((&mut doubles, 4, 1.0f32)),
                scale.call(&[(&mut doubles).into(), 4.into(), 1.0f32.into()]),
            ),
        ] {
            assert_eq!(message(short), message(long));
        }
        // Nothing was written where the call was refused.
        assert_eq!(data, [2.0, 40.0, 60.0, 12.0]);
        assert_eq!(doubles, [1.0; 4]);
        assert_eq!(matrix, grid);
    }

    // Row pointers: each row covers what C reads of one.
    let rows_ty = |writes: bool| {
        let row = counted(
            if writes {
                CType::pointer(CType::Float)
            } else {
                CType::const_pointer(CType::Float)
            },
            3,
        );
        counted(CType::const_pointer(row), 2)
    };
    // SAFETY: rows.c: `float rows_sum(float **data, int len, int ncols)`
    // reads len rows of ncols floats.
    let sum = unsafe {
        lib("rows").function(
            "rows_sum",
            &[rows_ty(false), CType::Int, CType::Int],
            CType::Float,
        )
    }
    .unwrap();
    assert!(sum.invokes_directly::<(&RowPointers<f32>, i32, i32), f32>());
    let rows = RowPointers::new(grid.view()).unwrap();
    let every_other = RowPointers::new(grid.slice(s![..;2, ..])).unwrap();
    for f in direct_and_checked(&sum) {
        assert_eq!(f.invoke::<f32>((&rows, 4, 5)).unwrap(), 190.0);
        assert_eq!(f.invoke::<f32>((&every_other, 2, 2)).unwrap(), 22.0);
        for (n, m) in [(5, 5), (4, 6), (4, -1)] {
            assert_eq!(
                message(f.invoke::<f32>((&rows, n, m))),
                message(sum.call(&[(&rows).into(), n.into(), m.into()]))
            );
        }
    }
    // Rows C writes through take rows lent for writing, `&mut`.
    // SAFETY: rows.c: `void rows_scale(float **data, int len, int ncols,
    // float f)` scales len rows of ncols floats.
    let scale_rows = unsafe {
        let args = [rows_ty(true), CType::Int, CType::Int, CType::Float];
        lib("rows").function("rows_scale", &args, CType::Void)
    }
    .unwrap();
    assert_eq!(
        message(scale_rows.invoke::<()>((&rows, 4, 5, 2.0f32))),
        message(scale_rows.call(&[(&rows).into(), 4.into(), 5.into(), 2.0f32.into()]))
    );
    assert!(scale_rows.invokes_directly::<(&mut RowPointersMut<f32>, i32, i32, f32), ()>());
    for f in direct_and_checked(&scale_rows) {
        let mut target = grid.clone();
        let mut writable = RowPointersMut::new(target.view_mut()).unwrap();
        let () = f.invoke((&mut writable, 4, 5, 2.0f32)).unwrap();
        assert_eq!(
            message(f.invoke::<()>((&mut writable, 4, 6, 2.0f32))),
            message(scale_rows.call(&[(&mut writable).into(), 4.into(), 6.into(), 2.0f32.into()]))
        );
        drop(writable);
        assert_eq!(target, &grid * 2.0);
    }
}

/// `to_bits` for floats (so NaN compares), the value for the rest.
trait ToBitsOrSelf {
    type Out: PartialEq + std::fmt::Debug;
    fn to_bits_or_self(self) -> Self::Out;
}

macro_rules! bits {
    ($($t:ty => $o:ty, |$v:ident| $e:expr;)*) => {$(
        impl ToBitsOrSelf for $t {
            type Out = $o;
            fn to_bits_or_self(self) -> $o {
                let $v = self;
                $e
            }
        }
    )*};
}

bits! {
    f32 => u32, |v| v.to_bits();
    f64 => u64, |v| v.to_bits();
    bool => bool, |v| v;
    i8 => i8, |v| v; u8 => u8, |v| v; i16 => i16, |v| v; u16 => u16, |v| v;
    i32 => i32, |v| v; u32 => u32, |v| v; i64 => i64, |v| v; u64 => u64, |v| v;
    isize => isize, |v| v; usize => usize, |v| v;
}

rctypes::c_struct! {
    #[derive(Debug, PartialEq)]
    struct IntPair { a: i32, b: i32 }

    #[derive(Debug, PartialEq)]
    struct Vec3 { x: f64, y: f64, z: f64 }

    /// IntPair's layout, another type.
    #[derive(Debug, PartialEq)]
    struct OtherPair { a: i32, b: i32 }

    struct WithPointer { p: Option<rctypes::RawPtr>, n: i64 }
}

/// structs.c's function `name` with `args` and `ret`.
fn structs_fn(name: &str, args: &[CType], ret: CType) -> CFunc {
    // SAFETY: each use below gives structs.h's own signature for `name`,
    // with Rust structs of exactly its C layouts.
    unsafe { lib("structs").function(name, args, ret) }.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn structs_of_their_own_layout_pass_directly() {
    use rctypes::CData;
    let (pair, vec3) = (IntPair::ctype(), Vec3::ctype());
    let sum = structs_fn("sum_int_pair", std::slice::from_ref(&pair), CType::Int);
    let make = structs_fn("make_int_pair", &[CType::Int, CType::Int], pair.clone());
    let swap = structs_fn("swap_int_pair", std::slice::from_ref(&pair), pair.clone());
    let dot = structs_fn("dot_vec3", &[vec3.clone(), vec3.clone()], CType::Double);
    let cross = structs_fn("cross_vec3", &[vec3.clone(), vec3.clone()], vec3.clone());
    assert!(sum.invokes_directly::<(IntPair,), i32>());
    assert!(make.invokes_directly::<(i32, i32), IntPair>());
    assert!(cross.invokes_directly::<(Vec3, Vec3), Vec3>());

    let p = IntPair { a: 30, b: -4 };
    let (a, b) = (
        Vec3 {
            x: 1.0,
            y: 2.0,
            z: 3.0,
        },
        Vec3 {
            x: 0.5,
            y: 0.0,
            z: -1.0,
        },
    );
    for f in [&sum, &make, &swap, &dot, &cross] {
        let [direct, checked] = direct_and_checked(f);
        match f.name() {
            "sum_int_pair" => {
                // a + 10 b: each field where C reads it.
                assert_eq!(direct.invoke::<i32>((p,)).unwrap(), -10);
                assert_eq!(checked.invoke::<i32>((p,)).unwrap(), -10);
            }
            "make_int_pair" => {
                let want = IntPair { a: 7, b: 8 };
                assert_eq!(direct.invoke::<IntPair>((7, 8)).unwrap(), want);
                assert_eq!(checked.invoke::<IntPair>((7, 8)).unwrap(), want);
            }
            "swap_int_pair" => {
                let want = IntPair { a: -4, b: 30 };
                assert_eq!(direct.invoke::<IntPair>((p,)).unwrap(), want);
                assert_eq!(checked.invoke::<IntPair>((p,)).unwrap(), want);
            }
            "dot_vec3" => {
                assert_eq!(direct.invoke::<f64>((a, b)).unwrap(), -2.5);
                assert_eq!(checked.invoke::<f64>((a, b)).unwrap(), -2.5);
            }
            _ => {
                // 24 bytes: returned through memory C writes.
                let want = Vec3 {
                    x: -2.0,
                    y: 2.5,
                    z: -1.0,
                };
                assert_eq!(direct.invoke::<Vec3>((a, b)).unwrap(), want);
                assert_eq!(checked.invoke::<Vec3>((a, b)).unwrap(), want);
            }
        }
    }
}

#[test]
fn other_layouts_take_the_checked_call() {
    use rctypes::CData;
    let pair = IntPair::ctype();
    let sum = structs_fn("sum_int_pair", std::slice::from_ref(&pair), CType::Int);
    let make = structs_fn("make_int_pair", &[CType::Int, CType::Int], pair);
    // Another type of the same layout: checked, and taken.
    assert!(!sum.invokes_directly::<(OtherPair,), i32>());
    assert_eq!(sum.invoke::<i32>((OtherPair { a: 1, b: 2 },)).unwrap(), 21);
    assert!(!make.invokes_directly::<(i32, i32), OtherPair>());
    assert_eq!(
        make.invoke::<OtherPair>((1, 2)).unwrap(),
        OtherPair { a: 1, b: 2 }
    );
    // By address: checked.
    let p = IntPair { a: 5, b: 6 };
    assert!(!sum.invokes_directly::<(&IntPair,), i32>());
    assert_eq!(sum.invoke::<i32>((&p,)).unwrap(), 65);

    // The layout declared field by field, as a header gives it: checked.
    let declared = CType::Struct(
        rctypes::StructLayout::builder("IntPair")
            .field("a", CType::Int)
            .field("b", CType::Int)
            .build()
            .unwrap(),
    );
    let sum = structs_fn("sum_int_pair", std::slice::from_ref(&declared), CType::Int);
    assert!(!sum.invokes_directly::<(IntPair,), i32>());
    assert_eq!(sum.invoke::<i32>((p,)).unwrap(), 65);
    let make = structs_fn("make_int_pair", &[CType::Int, CType::Int], declared);
    assert!(!make.invokes_directly::<(i32, i32), IntPair>());
    assert_eq!(
        make.invoke::<IntPair>((3, 4)).unwrap(),
        IntPair { a: 3, b: 4 }
    );

    // A layout that claims a Rust type it is not the layout of: a clone.
    let copy = CType::Struct(std::sync::Arc::new(
        (**<IntPair as rctypes::CStruct>::layout()).clone(),
    ));
    let sum = structs_fn("sum_int_pair", &[copy], CType::Int);
    assert!(!sum.invokes_directly::<(IntPair,), i32>());
    assert_eq!(sum.invoke::<i32>((p,)).unwrap(), 65);
}

#[test]
fn structs_holding_pointers_are_not_passed_as_they_stand() {
    use rctypes::CData;
    // SAFETY: bound to look at, never called: no C function of this
    // signature is called.
    let f = unsafe {
        Library::this()
            .unwrap()
            .function("labs", &[WithPointer::ctype()], CType::Long)
    }
    .unwrap();
    assert!(!f.invokes_directly::<(WithPointer,), i64>());
    let err = f
        .invoke::<i64>((WithPointer { p: None, n: 1 },))
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
}
