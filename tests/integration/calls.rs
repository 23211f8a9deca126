//! Dynamic and typed calls: arity, argument checks, variadics, errno,
//! errcheck, out-parameters, buffers, and slices into the seed functions.

use std::ffi::CString;

use rctypes::{CType, Error, Extent, RawPtr, StringBuffer, TypedCFunc, Value};

use crate::common::{
    abi, bar_sum, compute_mean, fibseries, fibseries_over, lib, mixed6, mixed6_args, mixed10,
    out_params, scale_floats, written_out,
};

fn ints(n: usize) -> Vec<CType> {
    vec![CType::Int; n]
}

#[test]
fn wrong_arity_names_both_counts() {
    // SAFETY: add_int is `int add_int(int, int)`.
    let add = unsafe { abi().function("add_int", &ints(2), CType::Int) }.unwrap();
    let err = add.call(&[1.into()]).unwrap_err();
    assert_eq!(err.to_string(), "add_int: expected 2 arguments, given 1");
    let err = add.call(&[1.into(), 2.into(), 3.into()]).unwrap_err();
    assert!(matches!(
        err,
        Error::Arity {
            expected: 2,
            given: 3,
            variadic: false,
            ..
        }
    ));
    // SAFETY: sum_ints is `long long sum_ints(int n, ...)`.
    let sum = unsafe { abi().variadic("sum_ints", &ints(1), CType::LongLong) }.unwrap();
    assert_eq!(
        sum.call(&[]).unwrap_err().to_string(),
        "sum_ints: expected at least 1 argument, given 0"
    );
}

#[test]
fn wrong_type_names_the_argument_expected_and_given() {
    let mixed6 = mixed6();
    let good = mixed6_args();
    assert_eq!(mixed6.call(&good).unwrap(), Value::Float(11.25));
    // The fifth argument, a short, replaced.
    let with_fifth = |fifth: Value<'static>| {
        let mut args = mixed6_args();
        args[4] = fifth;
        args
    };
    let err = mixed6.call(&with_fifth("four".into())).unwrap_err();
    let Error::Argument {
        function,
        index,
        expected,
        given,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (function.as_str(), *index, expected.as_str()),
        ("mixed6", 5, "c_short")
    );
    assert_eq!(given, "str \"four\"");
    let err = mixed6.call(&with_fifth(40000.into()));
    assert_eq!(
        err.unwrap_err().to_string(),
        "mixed6: argument 5: expected c_short (from -32768 to 32767), given int 40000, which does not fit"
    );
}

#[test]
fn ten_arguments_spill_to_the_stack_in_order() {
    let f = mixed10();
    let args: Vec<Value> = (1..=10)
        .map(|i| {
            if i % 2 == 1 {
                Value::Int(i)
            } else {
                Value::Float(i as f64)
            }
        })
        .collect();
    // Σ k·k for k = 1..10
    assert_eq!(f.call(&args).unwrap(), Value::Float(385.0));
    type Mixed10 = TypedCFunc<(i32, f64, i32, f64, i32, f64, i32, f64, i64, f64), f64>;
    let typed: Mixed10 = f.typed().unwrap();
    assert_eq!(typed.call((1, 2.0, 3, 4.0, 5, 6.0, 7, 8.0, 9, 10.0)), 385.0);
}

#[test]
fn variadic_calls_reuse_the_interface_prepared_for_their_extra_types() {
    // SAFETY: sum_doubles is `double sum_doubles(int n, ...)`, which reads n
    // doubles through `...`.
    let sum = unsafe { abi().variadic("sum_doubles", &ints(1), CType::Double) }.unwrap();
    let copy = sum.clone();
    // Lists of extra types that alternate and recur, across clones: each
    // call must get the interface of its own list, prepared or reused.
    for round in 0..3 {
        for n in 0..6 {
            let mut args: Vec<Value> = vec![n.into()];
            args.extend((1..=n).map(|k| Value::Float(k as f64)));
            let types = vec![CType::Double; n as usize];
            let f = if round % 2 == 0 { &sum } else { &copy };
            let want = (n * (n + 1) / 2) as f64;
            // SAFETY: n doubles follow n, as sum_doubles reads.
            let got = unsafe { f.call_variadic(&args, &types) }.unwrap();
            assert_eq!(got, Value::Float(want), "{n} extras");
        }
        // The same count of extras, typed differently: float, then double.
        // SAFETY: one float, promoted to the double sum_doubles reads.
        let floats =
            unsafe { sum.call_variadic(&[1.into(), 0.5.into()], &[CType::Float]) }.unwrap();
        assert_eq!(floats, Value::Float(0.5));
    }
    // More distinct lists than are kept: still prepared, still right.
    for n in 0..40 {
        let mut args: Vec<Value> = vec![n.into()];
        args.extend((0..n).map(|_| Value::Float(0.25)));
        let types = vec![CType::Double; n as usize];
        // SAFETY: n doubles follow n.
        let got = unsafe { sum.call_variadic(&args, &types) }.unwrap();
        assert_eq!(got, Value::Float(0.25 * n as f64));
    }
}

#[test]
fn variadic_calls_apply_default_promotions() {
    // SAFETY: abi.c's variadic sums: `long long sum_ints(int n, ...)` reads
    // n ints, `double sum_doubles(int n, ...)` n doubles.
    let (ints_sum, doubles_sum) = unsafe {
        (
            abi()
                .variadic("sum_ints", &ints(1), CType::LongLong)
                .unwrap(),
            abi()
                .variadic("sum_doubles", &ints(1), CType::Double)
                .unwrap(),
        )
    };
    // SAFETY: four ints follow n = 4.
    let r = unsafe {
        ints_sum.call_variadic(
            &[4.into(), 1.into(), 2.into(), 3.into(), (-10).into()],
            &ints(4),
        )
    };
    assert_eq!(r.unwrap(), Value::Int(-4));
    assert_eq!(ints_sum.call(&[0.into()]).unwrap(), Value::Int(0));
    // Extra arguments are refused by the checked call: their types are the
    // function's contract, which rctypes cannot see.
    let err = ints_sum.call(&[1.into(), 1.into()]).unwrap_err();
    assert!(err.to_string().contains("call_variadic"), "{err}");
    // Declared c_short and c_char extras travel as int.
    // SAFETY: two ints (promoted from short and char) follow n = 2.
    let r = unsafe {
        ints_sum.call_variadic(
            &[2.into(), 7.into(), 'A'.into()],
            &[CType::Short, CType::Char],
        )
    }
    .unwrap();
    assert_eq!(r, Value::Int(72));
    // A c_float extra travels as double; C reads it with va_arg(ap, double).
    // SAFETY: two doubles (one promoted from float) follow n = 2.
    let r = unsafe {
        doubles_sum.call_variadic(
            &[2.into(), 1.5.into(), 2.25.into()],
            &[CType::Float, CType::Double],
        )
    }
    .unwrap();
    assert_eq!(r, Value::Float(3.75));
    // SAFETY: three doubles follow n = 3.
    let r = unsafe {
        doubles_sum.call_variadic(
            &[3.into(), 0.5.into(), 0.25.into(), 0.125.into()],
            &[CType::Double, CType::Double, CType::Double],
        )
    }
    .unwrap();
    assert_eq!(r, Value::Float(0.875));
    // An explicit extra type is range-checked like a declared one.
    // SAFETY: refused before the call; one int would follow n = 1.
    let err = unsafe { ints_sum.call_variadic(&[1.into(), (1i64 << 40).into()], &[CType::Int]) }
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("sum_ints: argument 2: expected c_int"),
        "{err}"
    );
    // SAFETY: refused before the call: one value, no type.
    let err = unsafe { ints_sum.call_variadic(&[1.into(), 1.into()], &[]) }.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Arity {
                expected: 1,
                given: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn snprintf_from_libc_formats_into_a_buffer() {
    let libc = rctypes::Library::this().unwrap();
    // SAFETY: snprintf's fixed part: `int snprintf(char *str, size_t size,
    // const char *format, ...)` writes at most argument 2 bytes to str and
    // reads the format, a NUL-terminated string; neither may be NULL.
    let snprintf = unsafe {
        libc.variadic(
            "snprintf",
            &[
                CType::pointer(CType::Char).extent(Extent::ElementsFromArg(2)),
                CType::SizeT,
                CType::CharP,
            ],
            CType::Int,
        )
    }
    .unwrap();
    let mut buf = StringBuffer::new(40);
    let cap = buf.capacity();
    let args = [
        (&mut buf).into(),
        cap.into(),
        "%s=%d %.2f %lld".into(),
        "x".into(),
        42.into(),
        0.5.into(),
        (1i64 << 40).into(),
    ];
    // Checked calls refuse what goes through `...`.
    let err = snprintf.call(&args).unwrap_err();
    assert!(err.to_string().contains("call_variadic"), "{err}");
    // SAFETY: the format's conversions %s, %d, %.2f, %lld take a string, an
    // int, a double and a long long: the four extras, of those types.
    let n = unsafe {
        snprintf.call_variadic(
            &args,
            &[CType::CharP, CType::Int, CType::Double, CType::LongLong],
        )
    }
    .unwrap();
    drop(args);
    assert_eq!(buf.to_str().unwrap(), "x=42 0.50 1099511627776");
    assert_eq!(n, Value::Int(buf.as_bytes().len() as i128));
}

#[test]
fn errno_is_captured_per_thread() {
    // SAFETY: set_errno_to sets errno to its argument and returns -1.
    let f = unsafe { abi().function("set_errno_to", &ints(1), CType::Int) }
        .unwrap()
        .with_errno();
    rctypes::set_errno(0);
    assert_eq!(f.call(&[34.into()]).unwrap(), Value::Int(-1));
    assert_eq!(rctypes::get_errno(), 34);
    let other = std::thread::spawn(move || {
        f.call(&[7.into()]).unwrap();
        rctypes::get_errno()
    });
    assert_eq!(other.join().unwrap(), 7);
    assert_eq!(
        rctypes::get_errno(),
        34,
        "another thread's errno does not leak here"
    );
    assert_eq!(rctypes::set_errno(5), 34);
    assert_eq!(rctypes::get_errno(), 5);
}

#[test]
fn errcheck_can_pass_change_or_fail_a_result() {
    // SAFETY: add_int's signature.
    let add = unsafe { abi().function("add_int", &ints(2), CType::Int) }.unwrap();
    let doubled = add.clone().with_errcheck(|r, _| {
        Ok(Value::Int(
            r.to::<i32>().map_err(|e| e.to_string())? as i128 * 2,
        ))
    });
    assert_eq!(doubled.call(&[2.into(), 3.into()]).unwrap(), Value::Int(10));
    let strict = add.with_errcheck(|r, args| match r {
        Value::Int(n) if n < 0 => Err(format!("negative sum of {} arguments", args.len())),
        ok => Ok(ok),
    });
    assert_eq!(strict.call(&[2.into(), 3.into()]).unwrap(), Value::Int(5));
    let err = strict.call(&[2.into(), (-3).into()]).unwrap_err();
    assert_eq!(err.to_string(), "add_int: negative sum of 2 arguments");
}

#[test]
fn byref_out_parameters() {
    let f = out_params();
    assert_eq!(written_out(&f, 21), (42, 10.5));
    let (mut doubled, mut half) = (0i32, 0f64);
    // Wrong pointee type: a double where an int* is declared.
    let err = f
        .call(&[1.into(), Value::byref(&mut half), Value::byref(&mut 0f64)])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "out_params: argument 2: expected POINTER(c_int) (C writes: lend a mutable borrow), given &mut [c_double; 1]"
    );
    // SAFETY: abi.c: `void out_params(int a, int *doubled, double *half)`
    // writes one int to doubled and one double to half: a `&mut i32` and a
    // `&mut f64` are one writable int and one writable double.
    let typed = unsafe { abi().typed::<(i32, &mut i32, &mut f64), ()>("out_params") }.unwrap();
    typed.call((5, &mut doubled, &mut half));
    assert_eq!((doubled, half), (10, 2.5));
}

#[test]
fn string_buffers_receive_what_c_writes() {
    let sig = [
        CType::pointer(CType::Char).extent(Extent::ElementsFromArg(2)),
        CType::Int,
        CType::Int,
    ];
    // SAFETY: abi.c: `int fill_buffer(char *buf, int size, int seed)` writes
    // at most size bytes, the NUL included, to buf, which may not be NULL.
    let fill = unsafe { abi().function("fill_buffer", &sig, CType::Int) }.unwrap();
    let mut buf = StringBuffer::new(16);
    let cap = buf.capacity() as i32;
    assert_eq!(
        fill.call(&[(&mut buf).into(), cap.into(), (-1234).into()])
            .unwrap(),
        Value::Int(10)
    );
    assert_eq!(buf.to_str().unwrap(), "seed:-1234");
    assert_eq!(buf.raw().len(), 16);
    let mut small = StringBuffer::new(4);
    assert_eq!(
        fill.call(&[(&mut small).into(), 4.into(), 7.into()])
            .unwrap(),
        Value::Int(-1)
    );
    // A read-only buffer is refused where C writes.
    let err = fill
        .call(&[(&buf).into(), cap.into(), 1.into()])
        .unwrap_err();
    assert!(err.to_string().contains("which is read-only"), "{err}");
    // The size is checked against the buffer: C would write past it.
    let err = fill
        .call(&[(&mut small).into(), 8.into(), 7.into()])
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    // A buffer is a valid C string wherever one is read.
    // SAFETY: abi.c: `size_t str_len(const char *s)` reads s up to its NUL;
    // s may not be NULL.
    let len = unsafe { abi().function("str_len", &[CType::CharP], CType::SizeT) }.unwrap();
    assert_eq!(len.call(&[(&buf).into()]).unwrap(), Value::Int(10));
}

#[test]
fn seed_bar_reads_a_double_buffer() {
    let foo = lib("foo");
    let sig = [
        CType::pointer(CType::Double).extent(Extent::ElementsFromArg(2)),
        CType::Int,
    ];
    // SAFETY: foo.c: `int bar(double *data, int len)` reads len doubles from
    // data (not NULL), prints them and returns len + 1.
    let bar = unsafe { foo.function("bar", &sig, CType::Int) }.unwrap();
    let mut x = vec![0.5, -1.25, 3.0];
    let n = x.len() as i32;
    assert_eq!(
        bar.call(&[(&mut x).into(), n.into()]).unwrap(),
        Value::Int(4)
    );
    let bar_sum = bar_sum();
    assert_eq!(
        bar_sum.call(&[(&x).into(), n.into()]).unwrap(),
        Value::Float(2.25)
    );
    // ints are not doubles.
    let err = bar_sum
        .call(&[(&[1i32, 2, 3]).into(), 3.into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "bar_sum: argument 1: expected const POINTER(c_double), given &[c_int; 3]"
    );
    // A count past the buffer's end.
    let err = bar_sum.call(&[(&x).into(), 4.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
}

#[test]
fn seed_fibonacci_over_slices() {
    let fib_lib = lib("fibonacci");
    let series = fibseries();
    // SAFETY: fibonacci.c: `int fib(int a)` touches no memory; `void
    // fibmatrix(int *a, int rows, int columns, int *matrix)` reads
    // rows*columns ints from a and writes as many to matrix, neither NULL.
    // No extent states a product, so this binding states 9 (3x3) and is
    // called only with rows = columns = 3.
    let (fib, matrix) = unsafe {
        (
            fib_lib.function("fib", &ints(1), CType::Int).unwrap(),
            fib_lib
                .function(
                    "fibmatrix",
                    &[
                        CType::const_pointer(CType::Int).extent(Extent::Elements(9)),
                        CType::Int,
                        CType::Int,
                        CType::pointer(CType::Int).extent(Extent::Elements(9)),
                    ],
                    CType::Void,
                )
                .unwrap(),
        )
    };
    assert_eq!(fib.call(&[8.into()]).unwrap(), Value::Int(13));
    assert_eq!(fib.call(&[23.into()]).unwrap(), Value::Int(17711));
    assert_eq!(fib.call(&[0.into()]).unwrap(), Value::Int(-1));
    let input = [5, 13, 2, 6];
    let mut out = [0; 4];
    series
        .call(&[(&input).into(), 4.into(), (&mut out).into()])
        .unwrap();
    assert_eq!(out, [3, 144, 1, 5]);
    let grid = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    let mut result = [0; 9];
    matrix
        .call(&[(&grid).into(), 3.into(), 3.into(), (&mut result).into()])
        .unwrap();
    assert_eq!(result, [0, 1, 1, 2, 3, 5, 8, 13, 21]);
    // Typed: the same call with no per-call checks, over arrays of a fixed
    // length, which the declared extent is within.
    let eleven = Extent::Elements(11);
    // SAFETY: called only with elements = 11: fibseries reads 11 ints from a
    // and writes 11 to series.
    let series11 = unsafe { fibseries_over(eleven) };
    let typed: TypedCFunc<(&[i32; 11], i32, &mut [i32; 11]), ()> = series11.typed().unwrap();
    let mut out = [0; 11];
    let input: [i32; 11] = std::array::from_fn(|i| i as i32 + 1);
    typed.call((&input, 11, &mut out));
    assert_eq!(out, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55]);
    // Slices, whose lengths typed calls never check, are refused.
    let err = series11
        .typed::<(&[i32], i32, &mut [i32]), ()>()
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
}

#[test]
fn seed_compute_mean_over_floats() {
    let (mean, scale) = (compute_mean(), scale_floats());
    let mut a: Vec<f32> = (1..=100).map(|i| i as f32).collect();
    assert_eq!(
        mean.call(&[(&a).into(), 100.into()]).unwrap(),
        Value::Float(50.5)
    );
    scale
        .call(&[(&mut a).into(), 100.into(), 2.0.into()])
        .unwrap();
    assert_eq!(a[99], 200.0);
    assert_eq!(
        mean.call(&[(&a).into(), 100.into()]).unwrap(),
        Value::Float(101.0)
    );
}

#[test]
fn typed_views_are_checked_against_the_declaration() {
    let series = fibseries();
    // Slices, whose lengths typed calls never check, are refused.
    let err = series.typed::<(&[i32], i32, &mut [i32]), ()>().unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    // A count read from another argument is checked at every call, which
    // typed calls do not make: only dynamic calls take it.
    let err = series
        .typed::<(&[i32; 4], i32, &mut [i32; 4]), ()>()
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    let four = Extent::Elements(4);
    // SAFETY: this binding states 4 and is called only with elements <= 4.
    let series4 = unsafe { fibseries_over(four) };
    let typed: TypedCFunc<(&[i32; 4], i32, &mut [i32; 4]), ()> = series4.typed().unwrap();
    let mut out = [0; 4];
    typed.call((&[5, 13, 2, 6], 4, &mut out));
    assert_eq!(out, [3, 144, 1, 5]);
    // A read-only array where C writes.
    let err = series4
        .typed::<(&[i32; 4], i32, &[i32; 4]), ()>()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fibseries: argument 3: expected POINTER(c_int) [4 elements], given Rust type passed as const POINTER(c_int * 4)"
    );
    // An array shorter than the extent.
    let err = series4
        .typed::<(&[i32; 3], i32, &mut [i32; 4]), ()>()
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    let err = series4.typed::<(&[i32; 4], i32), ()>().unwrap_err();
    assert!(matches!(
        err,
        Error::Arity {
            expected: 3,
            given: 2,
            ..
        }
    ));
    let err = series4
        .typed::<(&[i64; 4], i32, &mut [i32; 4]), ()>()
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    let err = series4
        .typed::<(&[i32; 4], i32, &mut [i32; 4]), i32>()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fibseries: invalid signature: result declared None, typed as c_int"
    );
}

#[test]
fn typed_pointers_and_strings() {
    let libc = rctypes::Library::this().unwrap();
    // SAFETY: libc's `size_t strlen(const char *)` reads a NUL-terminated
    // string (a &CStr is one); `void *malloc(size_t)` returns the bytes asked
    // for or NULL; `void free(void *)` takes NULL or what malloc returned,
    // here malloc's block, freed once.
    unsafe {
        let strlen = libc.typed::<(&std::ffi::CStr,), usize>("strlen").unwrap();
        assert_eq!(strlen.call((c"four",)), 4);
        let malloc = libc.typed::<(usize,), Option<RawPtr>>("malloc").unwrap();
        let free = libc.typed::<(Option<RawPtr>,), ()>("free").unwrap();
        let p = malloc.call((16,));
        assert!(p.is_some());
        free.call((p,));
    }
    // SAFETY: abi.c: `const char *greeting(void)` returns a static string.
    let greeting = unsafe { abi().typed::<(), Option<CString>>("greeting") }.unwrap();
    assert_eq!(greeting.call(()).unwrap().to_str().unwrap(), "hello from C");
}

#[test]
fn functions_are_shared_across_threads() {
    // SAFETY: add_int is pure.
    let add = unsafe { abi().function("add_int", &ints(2), CType::Int) }.unwrap();
    let typed: TypedCFunc<(i32, i32), i32> = add.typed().unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (add, typed) = (&add, &typed);
            s.spawn(move || {
                for i in 0..1000 {
                    assert_eq!(
                        add.call(&[i.into(), t.into()]).unwrap(),
                        Value::Int((i + t) as i128)
                    );
                    assert_eq!(typed.call((i, t)), i + t);
                }
            });
        }
    });
}
