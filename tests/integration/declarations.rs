//! C prototypes, typedefs, enums and whole headers as signatures.

use std::path::Path;

use rctypes::{CType, Declarations, Error, Header, Value, parse_prototype};

use crate::common::{CSRC_DIR, abi, lib};

fn header(name: &str) -> Header {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("csrc")
        .join(name);
    Header::read(&path, &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn prototypes_of_every_construct() {
    let cases: &[(&str, &[CType], CType, bool)] = &[
        ("double cos(double)", &[CType::Double], CType::Double, false),
        ("void noop(void)", &[], CType::Void, false),
        ("int f()", &[], CType::Int, false),
        (
            "int printf(const char *fmt, ...)",
            &[CType::CharP],
            CType::Int,
            true,
        ),
        (
            "unsigned long long f(signed char a, unsigned short b, long c, long double d, _Bool e)",
            &[
                CType::Byte,
                CType::UShort,
                CType::Long,
                CType::LongDouble,
                CType::Bool,
            ],
            CType::ULongLong,
            false,
        ),
        (
            "int8_t f(uint16_t a, int32_t b, uint64_t c, size_t d, ssize_t e, intptr_t f, wchar_t g)",
            &[
                CType::UInt16,
                CType::Int32,
                CType::UInt64,
                CType::SizeT,
                CType::SSizeT,
                CType::IntP,
                CType::WChar,
            ],
            CType::Int8,
            false,
        ),
        (
            "int fibseries(int *a, int elements, int *series);",
            &[
                CType::Pointer(CType::Int.into()),
                CType::Int,
                CType::Pointer(CType::Int.into()),
            ],
            CType::Int,
            false,
        ),
        (
            "float f(const float *in, float out[], const double grid[3][4], volatile int *v)",
            &[
                CType::const_pointer(CType::Float),
                CType::pointer(CType::Float),
                CType::const_pointer(CType::Void),
                CType::pointer(CType::Int),
            ],
            CType::Float,
            false,
        ),
        (
            "char *f(const wchar_t *w, char *buf, const void *p, void *q, char **argv)",
            &[
                CType::WCharP,
                CType::pointer(CType::Char),
                CType::const_pointer(CType::Void),
                CType::VoidP,
                CType::pointer(CType::pointer(CType::Char)),
            ],
            CType::CharP,
            false,
        ),
        (
            "void foo(void *(*allocator)(int, int *))",
            &[CType::func_ptr(
                [CType::Int, CType::pointer(CType::Int)],
                CType::VoidP,
            )],
            CType::Void,
            false,
        ),
        (
            "struct handle *open_it(const struct handle *h)",
            &[CType::const_pointer(CType::Void)],
            CType::VoidP,
            false,
        ),
    ];
    for (text, args, ret, variadic) in cases {
        let p = parse_prototype(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        // Multi-dimensional arrays decay to a pointer to their rows: an
        // opaque address here, so compare the rest.
        if !text.contains("grid") {
            assert_eq!(p.args, *args, "{text}");
        }
        assert_eq!((&p.ret, p.variadic), (ret, *variadic), "{text}");
    }
}

#[test]
fn names_of_parameters_are_kept() {
    let p = parse_prototype("void fibseries(const int *a, int n, int *series)").unwrap();
    assert_eq!(
        p.arg_names,
        [Some("a".into()), Some("n".into()), Some("series".into())]
    );
    assert_eq!(
        p.to_string(),
        "None fibseries(const POINTER(c_int), c_int, POINTER(c_int))"
    );
}

#[test]
fn typedefs_and_enums_carry_over() {
    let mut decls = Declarations::new();
    decls
        .parse(
            "typedef unsigned int flags_t;
             typedef void *(*allocator_t)(int, int *, char);
             typedef struct opaque opaque_t;
             enum color { RED, GREEN = 5, BLUE, MASK = (1 << 4) | 3, NEG = -2 };
             extern int counter;",
        )
        .unwrap();
    assert_eq!(decls.typedef("flags_t"), Some(&CType::UInt));
    let allocator = CType::func_ptr(
        [CType::Int, CType::pointer(CType::Int), CType::Char],
        CType::VoidP,
    );
    assert_eq!(decls.typedef("allocator_t"), Some(&allocator));
    assert_eq!(decls.constant("BLUE"), Some(6));
    assert_eq!(decls.constant("MASK"), Some(19));
    assert_eq!(decls.constant("NEG"), Some(-2));
    assert_eq!(decls.variable("counter"), Some(&CType::Int));
    decls.parse("int func(flags_t f, allocator_t a, opaque_t *o, enum color c, const volatile flags_t *p);").unwrap();
    let func = decls.function("func").unwrap();
    assert_eq!(
        func.args,
        [
            CType::UInt,
            allocator,
            CType::VoidP,
            CType::Int,
            CType::const_pointer(CType::UInt)
        ]
    );
    // A prototype checked against the names, without adding it.
    let p = decls.prototype("flags_t g(enum color)").unwrap();
    assert_eq!((p.ret, p.args), (CType::UInt, vec![CType::Int]));
    assert!(decls.function("g").is_none());
}

#[test]
fn wrong_c_is_an_error_with_position_and_text() {
    let err = parse_prototype("int f(int x").unwrap_err();
    let Error::Declaration {
        line,
        column,
        text,
        message,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*line, *column), (1, 12));
    assert_eq!(text, "int f(int x;");
    assert!(message.starts_with("syntax error"), "{message}");

    let mut decls = Declarations::new();
    let err = decls
        .parse("int ok(int);\n\n  mystery_t g(int);")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 3, column 3: unknown type name \"mystery_t\": mystery_t g(int);"
    );
    assert!(
        decls.function("ok").is_none(),
        "nothing is added when anything fails"
    );

    for (text, message) in [
        (
            "int f(struct s by_value);",
            "parameter 1: a struct or union with no definition can only be used through a pointer",
        ),
        (
            "_Complex double f(void);",
            "_Complex types are not supported",
        ),
        ("int f(void, int);", "a parameter cannot be void"),
        (
            "int f(int a) { return a; }",
            "function bodies are not declarations",
        ),
        ("int x[1 / 0];", "division by zero in a constant expression"),
    ] {
        let err = Declarations::new().parse(text).unwrap_err();
        assert!(err.to_string().contains(message), "{text}: {err}");
    }
    assert!(parse_prototype("int a, b;").is_err());
}

#[test]
fn declared_functions_are_called_with_the_usual_checks() {
    let fib = lib("fibonacci");
    // SAFETY: fibonacci.c's prototype.
    let series =
        unsafe { fib.declare("void fibseries(const int *a, int elements, int *series)") }.unwrap();
    let mut out = [0i32; 5];
    series
        .call(&[(&[1, 2, 3, 4, 5]).into(), 5.into(), (&mut out).into()])
        .unwrap();
    assert_eq!(out, [0, 1, 1, 2, 3]);
    // The declaration says C writes `series`: a read-only array is refused.
    let err = series
        .call(&[(&[1]).into(), 1.into(), (&[0]).into()])
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("fibseries: argument 3: expected POINTER(c_int)"),
        "{err}"
    );
    let libc = rctypes::Library::this().unwrap();
    // SAFETY: C's own prototypes.
    let labs = unsafe { libc.declare("long labs(long)") }.unwrap();
    assert_eq!(labs.call(&[(-3).into()]).unwrap(), Value::Int(3));
    let err = unsafe { libc.declare("int not_in_libc_at_all(void)") }.unwrap_err();
    assert!(matches!(err, Error::Symbol { .. }), "{err:?}");
}

#[test]
fn every_csrc_header_binds_and_calls() {
    // foo.h
    let bound = unsafe { header("foo.h").bind(&lib("foo")) };
    assert!(bound.missing.is_empty());
    let mut x = [1.5, 2.5];
    assert_eq!(
        bound.functions["bar"]
            .call(&[(&mut x).into(), 2.into()])
            .unwrap(),
        Value::Int(3)
    );
    assert_eq!(
        bound.functions["bar_sum"]
            .call(&[(&x).into(), 2.into()])
            .unwrap(),
        Value::Float(4.0)
    );

    // fibonacci.h
    let bound = unsafe { header("fibonacci.h").bind(&lib("fibonacci")) };
    assert_eq!(bound.functions.len(), 3);
    assert_eq!(
        bound.functions["fib"].call(&[10.into()]).unwrap(),
        Value::Int(34)
    );
    let mut m = [0i32; 4];
    bound.functions["fibmatrix"]
        .call(&[
            (&mut [3, 4, 5, 6]).into(),
            2.into(),
            2.into(),
            (&mut m).into(),
        ])
        .unwrap();
    assert_eq!(m, [1, 2, 3, 5]);

    // mean.h
    let bound = unsafe { header("mean.h").bind(&lib("mean")) };
    let mut a = [1.0f32, 2.0, 6.0];
    assert_eq!(
        bound.functions["compute_mean"]
            .call(&[(&mut a).into(), 3.into()])
            .unwrap(),
        Value::Float(3.0)
    );
    bound.functions["scale_floats"]
        .call(&[(&mut a).into(), 3.into(), 0.5.into()])
        .unwrap();
    assert_eq!(a, [0.5, 1.0, 3.0]);

    // abi.h: every function it declares, against libabi; its system
    // includes are parsed too but not bound.
    let abi_header = header("abi.h");
    let bound = unsafe { abi_header.bind(abi()) };
    assert!(bound.missing.is_empty(), "{:?}", bound.missing);
    assert!(bound.functions.len() >= 40, "{}", bound.functions.len());
    let f = &bound.functions;
    assert_eq!(
        f["add_int"].call(&[2.into(), 40.into()]).unwrap(),
        Value::Int(42)
    );
    assert_eq!(f["negative_schar"].call(&[]).unwrap(), Value::Int(-5));
    assert_eq!(f["str_len"].call(&["abc".into()]).unwrap(), Value::Int(3));
    assert_eq!(
        f["sum_ints"].call(&[2.into(), 5.into(), 6.into()]).unwrap(),
        Value::Int(11)
    );
    assert_eq!(
        f["greeting"].call(&[]).unwrap().to::<String>().unwrap(),
        "hello from C"
    );
    assert_eq!(
        abi_header.declarations.variable("ratio"),
        Some(&CType::Double)
    );

    // callback.h: function pointers become callback types, and a Rust
    // closure goes where C declared one.
    let bound = unsafe { header("callback.h").bind(&lib("callback")) };
    assert!(bound.missing.is_empty(), "{:?}", bound.missing);
    let apply = &bound.functions["apply_binop"];
    let binop = rctypes::Signature::new([CType::Int, CType::Int], CType::Int);
    assert_eq!(apply.arg_types()[0], CType::FuncPtr(binop.clone().into()));
    let times = rctypes::Callback::new(binop, |args: &[Value]| {
        Value::Int(args[0].to::<i64>().unwrap() as i128 * args[1].to::<i64>().unwrap() as i128)
    })
    .unwrap();
    assert_eq!(
        apply
            .call(&[Value::Callback(&times), 6.into(), 7.into()])
            .unwrap(),
        Value::Int(42)
    );
    // foo(allocator_t): the cookbook's allocator, as the header types it.
    let mut alloc = rctypes::Allocator::with_typecode('f').unwrap();
    bound.functions["foo"]
        .call(&[alloc.callback().into()])
        .unwrap();
    let arrays = alloc.take_arrays();
    let filled = arrays[0].view::<f32>().unwrap();
    assert_eq!(
        filled.iter().copied().collect::<Vec<_>>(),
        [1.0, 2.0, 3.0, 2.0, 4.0, 6.0]
    );

    // rows.h: float** from a 2-D array's row pointers.
    let bound = unsafe { header("rows.h").bind(&lib("rows")) };
    assert!(bound.missing.is_empty(), "{:?}", bound.missing);
    assert_eq!(
        bound.functions["rows_sum"].arg_types()[0],
        CType::pointer(CType::pointer(CType::Float))
    );
    let mut grid = ndarray::array![[10.0f32, 20.0, 30.0], [40.0, 50.0, 60.0]];
    let mut rows = rctypes::RowPointersMut::new(grid.view_mut()).unwrap();
    bound.functions["rows_scale"]
        .call(&[(&mut rows).into(), 2.into(), 3.into(), 0.5f32.into()])
        .unwrap();
    let sum = bound.functions["rows_sum"]
        .call(&[(&mut rows).into(), 2.into(), 3.into()])
        .unwrap();
    assert_eq!(sum, Value::Float(105.0));
    bound.functions["foo"]
        .call(&[(&mut rows).into(), 2.into()])
        .unwrap();
    drop(rows);
    assert_eq!(grid[[1, 2]], 30.0);

    // sample.h: the seed's records through the struct pointers it declares.
    let sample = header("sample.h");
    let bound = unsafe { sample.bind(&lib("sample")) };
    assert!(bound.missing.is_empty(), "{:?}", bound.missing);
    let records = [
        Weather {
            timestamp: 1126877361,
            desc: *b"sunny\0\0\0\0\0\0\0",
        },
        Weather {
            timestamp: 1126877371,
            desc: *b"rain\0\0\0\0\0\0\0\0",
        },
        Weather {
            timestamp: 1126877385,
            desc: *b"damn nasty\0\0",
        },
    ];
    let total = bound.functions["sum_timestamps"]
        .call(&[(&records[..]).into(), 3.into()])
        .unwrap();
    assert_eq!(total, Value::Int(1126877361 + 1126877371 + 1126877385));
    let find = &bound.functions["find_weather"];
    assert_eq!(
        find.call(&[(&records[..]).into(), 3.into(), "damn nasty".into()])
            .unwrap(),
        Value::Int(2)
    );
    assert_eq!(
        find.call(&[(&records[..]).into(), 3.into(), "hail".into()])
            .unwrap(),
        Value::Int(-1)
    );
    // print_weather takes a non-const Weather*: a mutable borrow.
    let mut records = records;
    bound.functions["print_weather"]
        .call(&[(&mut records[..1]).into(), 1.into()])
        .unwrap();
    // A Rust struct whose layout differs from the header's is refused.
    let wrong = [Padded { c: 1, d: 2.0 }];
    assert!(
        find.call(&[(&wrong[..]).into(), 1.into(), "x".into()])
            .is_err()
    );
}

rctypes::c_struct! {
    /// sample.h's `Weather`.
    struct Weather {
        timestamp: i32,
        desc: [u8; 12],
    }

    /// sample.h's `Padded`.
    struct Padded {
        c: i8,
        d: f64,
    }
}

#[test]
fn a_header_reports_functions_the_library_lacks() {
    // foo.h's functions are not in libmean.
    let bound = unsafe { header("foo.h").bind(&lib("mean")) };
    assert!(bound.functions.is_empty());
    assert_eq!(bound.missing, ["bar", "bar_sum"]);
}

#[test]
fn a_missing_header_is_an_error() {
    let err = Header::read(Path::new(CSRC_DIR).join("nothing.h"), &[]).unwrap_err();
    assert!(err.to_string().contains("the preprocessor failed"), "{err}");
}
