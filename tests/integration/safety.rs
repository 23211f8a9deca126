//! The binding contract at work: what safe code can no longer do with
//! addresses, bytes and callbacks, each refused before C runs.

use rctypes::{CBuild, CType, Callback, Extent, Library, TypedCFunc, Value};

use crate::common::{fibseries, lib, memset, out_params, written_out};

fn fibonacci() -> Library {
    lib("fibonacci")
}

#[test]
fn memory_shorter_than_c_reads_is_refused() {
    let f = fibseries();
    let input = [1, 2, 3, 4, 5, 6, 7, 8];
    let mut out = [0i32; 8];
    f.call(&[(&input).into(), 8.into(), (&mut out).into()])
        .unwrap();
    assert_eq!(out, [0, 1, 1, 2, 3, 5, 8, 13]);
    // Fewer elements than the count: refused, nothing written.
    out = [-1; 8];
    let err = f
        .call(&[(&input[..5]).into(), 8.into(), (&mut out).into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fibseries: argument 1: expected const POINTER(c_int) [arg 2 elements], \
         given &[c_int; 5], 20 bytes, where C touches 32 bytes"
    );
    let err = f
        .call(&[(&input).into(), 8.into(), (&mut out[..0]).into()])
        .unwrap_err();
    assert!(err.to_string().contains("argument 3"), "{err}");
    assert!(
        err.to_string().contains("0 bytes, where C touches 32"),
        "{err}"
    );
    assert_eq!(out, [-1; 8]);
    // A negative count is no length.
    let err = f
        .call(&[(&input).into(), (-1).into(), (&mut out).into()])
        .unwrap_err();
    assert!(err.to_string().contains("below 0"), "{err}");
    // A longer array is fine: C reads the first `elements`.
    f.call(&[(&input).into(), 3.into(), (&mut out).into()])
        .unwrap();
    assert_eq!(out[..4], [0, 1, 1, -1]);
}

#[test]
fn a_plain_pointer_takes_exactly_one_element() {
    let f = out_params();
    assert_eq!(written_out(&f, 5), (10, 2.5));
    let mut half = 0.0;
    let mut many = [0i32; 4];
    let err = f
        .call(&[5.into(), (&mut many).into(), Value::byref(&mut half)])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("where C touches one element: declare how many it touches"),
        "{err}"
    );
    let err = f
        .call(&[5.into(), (&mut many[..0]).into(), Value::byref(&mut half)])
        .unwrap_err();
    assert!(err.to_string().contains("argument 2"), "{err}");
}

#[test]
fn extents_in_bytes_products_and_terminators_are_checked() {
    let libc = Library::this().unwrap();
    let memset = memset();
    let text = CType::const_pointer(CType::Char).extent(Extent::NulTerminated);
    // SAFETY: `size_t strlen(const char *s)` reads s up to its NUL.
    let strlen = unsafe { libc.function("strlen", &[text], CType::SizeT) }.unwrap();
    let mut bytes = [0u8; 8];
    memset
        .call(&[(&mut bytes).into(), 0x41.into(), 8.into()])
        .unwrap();
    assert_eq!(bytes, [0x41; 8]);
    let err = memset
        .call(&[(&mut bytes).into(), 0.into(), 9.into()])
        .unwrap_err();
    assert!(
        err.to_string().contains("8 bytes, where C touches 9 bytes"),
        "{err}"
    );
    // Untyped bytes never go into bools, whose only values are 0 and 1.
    let mut flags = [false; 8];
    let err = memset
        .call(&[(&mut flags).into(), 0x41.into(), 8.into()])
        .unwrap_err();
    assert!(err.to_string().contains("not every byte is valid"), "{err}");
    assert_eq!(flags, [false; 8]);
    // A terminator inside the memory lent, or no call.
    let text = *b"hello\0xx";
    assert_eq!(strlen.call(&[(&text).into()]).unwrap(), Value::Int(5));
    // No terminator: C reads a copy with one added, never past the memory.
    let unterminated = *b"hello";
    assert_eq!(
        strlen.call(&[(&unterminated).into()]).unwrap(),
        Value::Int(5)
    );

    // A product of two arguments: fibmatrix reads rows * columns ints.
    let m = Extent::ElementsFromArgs(2, 3);
    // SAFETY: fibonacci.c: `void fibmatrix(int *a, int rows, int columns, int
    // *matrix)` reads and writes rows * columns ints, through pointers not NULL.
    let fibmatrix = unsafe {
        fibonacci().function(
            "fibmatrix",
            &[
                CType::const_pointer(CType::Int).extent(m),
                CType::Int,
                CType::Int,
                CType::pointer(CType::Int).extent(m),
            ],
            CType::Void,
        )
    }
    .unwrap();
    let a = [1, 2, 3, 4, 5, 6];
    let mut out = [0; 6];
    fibmatrix
        .call(&[(&a).into(), 2.into(), 3.into(), (&mut out).into()])
        .unwrap();
    assert_eq!(out, [0, 1, 1, 2, 3, 5]);
    let err = fibmatrix
        .call(&[(&a).into(), 3.into(), 3.into(), (&mut out).into()])
        .unwrap_err();
    assert!(
        err.to_string().contains("where C touches 36 bytes"),
        "{err}"
    );
}

#[test]
fn contracts_are_checked_when_bound() {
    let lib = fibonacci();
    let bind = |args: &[CType]| {
        // SAFETY: refused before any call.
        unsafe { lib.function("fibseries", args, CType::Void) }
            .unwrap_err()
            .to_string()
    };
    let ints = CType::pointer(CType::Int);
    let from = |arg| ints.clone().extent(Extent::ElementsFromArg(arg));
    // (the first argument's type, what its refusal says)
    let cases = [
        (from(4), "refers to argument 4, but there are 3 arguments"),
        (from(3), "declared POINTER(c_int), not an integer"),
        (from(1), "refers to itself"),
        (CType::Int.nullable(), "no pointer"),
        (ints.clone().retained(), "only a function pointer"),
    ];
    for (first, expected) in cases {
        let err = bind(&[first, CType::Int, ints.clone()]);
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn null_goes_only_where_declared() {
    let libc = Library::this().unwrap();
    // SAFETY: strlen reads a string, never NULL; free takes NULL or what
    // malloc returned (here only NULL).
    let (strlen, free) = unsafe {
        (
            libc.function("strlen", &[CType::CharP], CType::SizeT)
                .unwrap(),
            libc.function("free", &[CType::VoidP.nullable()], CType::Void)
                .unwrap(),
        )
    };
    let err = strlen.call(&[Value::Null]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "strlen: argument 1: expected c_char_p, given null, where C dereferences \
         (declare the parameter .nullable() if C takes NULL)"
    );
    assert_eq!(strlen.call(&["four".into()]).unwrap(), Value::Int(4));
    assert_eq!(free.call(&[Value::Null]).unwrap(), Value::Void);
    // Declared from C: a pointer is not nullable either.
    // SAFETY: as above.
    let declared = unsafe { libc.declare("size_t strlen(const char *s)") }.unwrap();
    assert!(declared.call(&[Value::Null]).is_err());
}

#[test]
fn raw_addresses_enter_calls_only_through_unsafe() {
    let libc = Library::this().unwrap();
    let block = CType::handle("block");
    let registry = registry();
    let memset = memset();
    // SAFETY: malloc returns n bytes or NULL; free frees what malloc returned,
    // once; registry.c's keep keeps its function.
    let (malloc, malloc_raw, free, free_raw, takes_fn) = unsafe {
        (
            libc.function("malloc", &[CType::SizeT], block.clone())
                .unwrap(),
            libc.function("malloc", &[CType::SizeT], CType::VoidP)
                .unwrap(),
            libc.function("free", &[block.clone().releases()], CType::Void)
                .unwrap(),
            libc.function("free", &[CType::VoidP], CType::Void).unwrap(),
            registry
                .function(
                    "keep",
                    &[CType::func_ptr([CType::Int], CType::Int).retained()],
                    CType::Void,
                )
                .unwrap(),
        )
    };
    // A raw address C returned does not go back in safe code: not to free
    // (it may be freed already), not to memset (it may be read-only), not
    // where a function pointer is declared.
    let raw = malloc_raw.call(&[16.into()]).unwrap();
    let Value::Pointer(p) = raw else {
        panic!("{raw:?}")
    };
    for (f, args) in [
        (&free_raw, vec![Value::Pointer(p)]),
        (&memset, vec![Value::Pointer(p), 0.into(), 16.into()]),
        (&takes_fn, vec![Value::Pointer(p)]),
    ] {
        let err = f.call(&args).unwrap_err();
        assert!(err.to_string().contains("argument 1"), "{err}");
        assert!(err.to_string().contains("unsafe"), "{err}");
    }
    // Vouched for, it does.
    // SAFETY: malloc's 16 bytes, written once and freed once.
    unsafe {
        memset
            .call(&[Value::address(p.as_ptr()), 0.into(), 16.into()])
            .unwrap();
        free_raw.call(&[Value::address(p.as_ptr())]).unwrap();
    }
    // Typed calls take no raw address either.
    assert!(free_raw.typed::<(rctypes::RawPtr,), ()>().is_err());
    assert!(free_raw.typed::<(Option<rctypes::RawPtr>,), ()>().is_err());

    // A handle goes back where its type is declared, until released.
    let h = malloc.call(&[16.into()]).unwrap().into_handle().unwrap();
    assert_eq!(h.type_name(), "block");
    let err = memset
        .call(&[(&h).into(), 0.into(), 16.into()])
        .unwrap_err();
    assert!(
        err.to_string().contains("goes only where its handle type"),
        "{err}"
    );
    free.call(&[(&h).into()]).unwrap();
    assert!(h.is_released());
    let err = free.call(&[(&h).into()]).unwrap_err();
    assert!(err.to_string().contains("released"), "{err}");
    // SAFETY: refused before any call.
    let other = unsafe { libc.function("free", &[CType::handle("FILE")], CType::Void) }.unwrap();
    let h2 = malloc.call(&[8.into()]).unwrap().into_handle().unwrap();
    let err = other.call(&[(&h2).into()]).unwrap_err();
    assert!(err.to_string().contains("another handle type"), "{err}");
    free.call(&[(&h2).into()]).unwrap();
}

/// C that keeps a callback past the call, as a registration does.
fn registry() -> Library {
    // SAFETY: compiled here, no initialisers.
    unsafe {
        CBuild::new()
            .source_str(
                "registry.c",
                "static int (*kept)(int);\n\
                 void keep(int (*f)(int)) { kept = f; }\n\
                 int call_kept(int a) { return kept ? kept(a) : -1; }\n\
                 void forget(void) { kept = 0; }\n",
            )
            .build()
    }
    .unwrap()
}

#[test]
fn callbacks_c_keeps_must_live_for_good() {
    let lib = registry();
    let op = CType::func_ptr([CType::Int], CType::Int);
    // SAFETY: registry.c: keep stores f until forget; call_kept calls it.
    let (keep, call_kept, forget) = unsafe {
        (
            lib.function("keep", &[op.retained()], CType::Void).unwrap(),
            lib.function("call_kept", &[CType::Int], CType::Int)
                .unwrap(),
            lib.function("forget", &[], CType::Void).unwrap(),
        )
    };
    let borrowed = Callback::typed(|a: i32| a * 3).unwrap();
    let err = keep.call(&[(&*borrowed).into()]).unwrap_err();
    assert!(err.to_string().contains("Callback::leak"), "{err}");
    drop(borrowed);
    assert_eq!(call_kept.call(&[5.into()]).unwrap(), Value::Int(-1));
    let kept = Callback::typed(|a: i32| a * 3).unwrap().leak();
    keep.call(&[(&**kept).into()]).unwrap();
    assert_eq!(call_kept.call(&[5.into()]).unwrap(), Value::Int(15));
    forget.call(&[]).unwrap();
    // The typed layer has no way to check a callback's life: it refuses.
    type Op = rctypes::TypedCallback<(i32,), i32>;
    assert!(keep.typed::<(&Op,), ()>().is_err());
}

#[test]
fn variadic_extras_go_through_unsafe_checked_at_their_width() {
    let abi = crate::common::abi();
    // SAFETY: abi.c: `long long sum_ints(int n, ...)` reads n ints.
    let sum = unsafe { abi.variadic("sum_ints", &[CType::Int], CType::LongLong) }.unwrap();
    let err = sum.call(&[2.into(), 3.into(), 4.into()]).unwrap_err();
    assert!(err.to_string().contains("unsafe call_variadic"), "{err}");
    // SAFETY: two ints (shorts promoted) follow n = 2.
    let r = unsafe {
        sum.call_variadic(
            &[2.into(), 3.into(), 4.into()],
            &[CType::Short, CType::Short],
        )
    };
    assert_eq!(r.unwrap(), Value::Int(7));
    // SAFETY: refused before the call.
    let err = unsafe { sum.call_variadic(&[1.into(), 70000.into()], &[CType::Short]) }.unwrap_err();
    assert!(
        err.to_string().contains("argument 2: expected c_short"),
        "{err}"
    );
    // The fixed part alone is an ordinary call.
    assert_eq!(sum.call(&[0.into()]).unwrap(), Value::Int(0));
}

#[test]
fn typed_calls_take_only_extents_their_types_prove() {
    assert!(
        fibseries()
            .typed::<(&[i32], i32, &mut [i32]), ()>()
            .is_err()
    );
    // SAFETY: compiled here, no initialisers.
    let lib = unsafe {
        CBuild::new()
            .source_str(
                "add3.c",
                "void add3(const double a[3], const double b[3], double out[3])\n\
                 { for (int i = 0; i < 3; i++) out[i] = a[i] + b[i]; }\n",
            )
            .build()
    }
    .unwrap();
    // SAFETY: add3 reads three doubles from a and b and writes three to out.
    let add3 =
        unsafe { lib.declare("void add3(const double a[3], const double b[3], double out[3])") }
            .unwrap();
    assert_eq!(
        add3.arg_types()[0].to_string(),
        "const POINTER(c_double) [3 elements]"
    );
    type Add3 = TypedCFunc<(&'static [f64; 3], &'static [f64; 3], &'static mut [f64; 3]), ()>;
    let typed: Add3 = add3.typed().unwrap();
    let mut out = [0.0; 3];
    typed.call((&[1.0, 2.0, 3.0], &[0.5, 0.5, 0.5], &mut out));
    assert_eq!(out, [1.5, 2.5, 3.5]);
    assert!(
        add3.typed::<(&[f64; 2], &[f64; 3], &mut [f64; 3]), ()>()
            .is_err()
    );
    assert!(
        add3.typed::<(&f64, &[f64; 3], &mut [f64; 3]), ()>()
            .is_err()
    );
}

rctypes::c_struct! {
    /// `struct { void *data; long long n; }`, its pointer set in Rust.
    pub struct Counted { pub data: Option<rctypes::RawPtr>, pub n: i64 }
}

#[test]
fn rust_structs_holding_addresses_do_not_reach_c() {
    use rctypes::CStruct;
    let libc = Library::this().unwrap();
    let raw = {
        // SAFETY: malloc returns n bytes or NULL.
        let malloc = unsafe { libc.function("malloc", &[CType::SizeT], CType::VoidP) }.unwrap();
        match malloc.call(&[8.into()]).unwrap() {
            Value::Pointer(p) => p,
            other => panic!("{other:?}"),
        }
    };
    let forged = Counted {
        data: Some(raw),
        n: 1,
    };
    let by_value = CType::Struct(Counted::layout().clone());
    // SAFETY: labs is never reached: every call below is refused.
    let f = unsafe { libc.function("labs", std::slice::from_ref(&by_value), CType::Long) }.unwrap();
    let err = f.call(&[forged.into()]).unwrap_err();
    assert!(
        err.to_string().contains("pointer fields Rust code set"),
        "{err}"
    );
    // SAFETY: as above.
    let g = unsafe {
        libc.function(
            "labs",
            &[CType::const_pointer(by_value.clone())],
            CType::Long,
        )
    }
    .unwrap();
    let err = g.call(&[(&forged).into()]).unwrap_err();
    assert!(
        err.to_string().contains("addresses Rust code wrote"),
        "{err}"
    );
    assert!(f.typed::<(Counted,), i64>().is_err());
    // SAFETY: the block malloc returned, freed once.
    let free = unsafe { libc.function("free", &[CType::VoidP], CType::Void) }.unwrap();
    // SAFETY: as above.
    free.call(&[unsafe { Value::address(raw.as_ptr()) }])
        .unwrap();
}
