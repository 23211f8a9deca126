//! C prototypes, typedefs, enums and whole headers as signatures.

use std::path::Path;

use rctypes::{CFunc, CType, Declarations, Error, Extent, Header, Library, Value, parse_prototype};

use crate::common::{abi, c_sources, csrc_dir, lib};

fn header(name: &str) -> Header {
    Header::read(c_sources().join(name), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// `name` as `header` declares it, bound in `lib` with the contracts C keeps
/// given to some of its pointer parameters: (0-based parameter, the
/// declared type with its contract). A prototype says only that a pointer
/// points to something: bound as it is, each means one element.
///
/// # Safety
///
/// As for [`rctypes::FunctionDecl::bind`]: the declaration, with these
/// contracts, must be the function's true signature.
unsafe fn bind_stating(
    header: &Header,
    lib: &Library,
    name: &str,
    contracts: &[(usize, CType)],
) -> CFunc {
    let mut decl = header.declarations.function(name).unwrap().clone();
    for (i, ty) in contracts {
        assert!(
            decl.args[*i].is_compatible(ty),
            "{name}: {ty} for {}",
            decl.args[*i]
        );
        decl.args[*i] = ty.clone();
    }
    // SAFETY: forwarded to the caller.
    unsafe { decl.bind(lib) }.unwrap_or_else(|e| panic!("{e}"))
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
            // A struct never defined: an opaque handle of its tag's name.
            "struct handle *open_it(const struct handle *h)",
            &[CType::handle("handle")],
            CType::handle("handle"),
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
            CType::handle("opaque"),
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
    let prototype = "void fibseries(const int *a, int elements, int *series)";
    // SAFETY: fibonacci.c: fibseries reads `elements` ints of a and writes as
    // many to series, neither NULL. Declared from the prototype alone, each
    // pointer means one int, so this binding is called with elements = 1.
    let one = unsafe { fib.declare(prototype) }.unwrap();
    let mut out = [0i32; 1];
    one.call(&[(&[6]).into(), 1.into(), (&mut out).into()])
        .unwrap();
    assert_eq!(out, [5]);
    let mut out = [0i32; 5];
    let err = one
        .call(&[(&[1, 2, 3, 4, 5]).into(), 5.into(), (&mut out).into()])
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    assert!(err.to_string().contains("declare how many"), "{err}");
    // The parsed declaration, with the extents C reads and writes stated.
    let mut decl = parse_prototype(prototype).unwrap();
    for i in [0, 2] {
        decl.args[i] = decl.args[i].clone().extent(Extent::ElementsFromArg(2));
    }
    // SAFETY: as above, with each pointer's extent `elements`.
    let series = unsafe { decl.bind(&fib) }.unwrap();
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
    // SAFETY: libc's `long labs(long)`, on numbers only.
    let labs = unsafe { libc.declare("long labs(long)") }.unwrap();
    assert_eq!(labs.call(&[(-3).into()]).unwrap(), Value::Int(3));
    // SAFETY: no such symbol: nothing is bound.
    let err = unsafe { libc.declare("int not_in_libc_at_all(void)") }.unwrap_err();
    assert!(matches!(err, Error::Symbol { .. }), "{err:?}");
}

#[test]
fn every_csrc_header_binds_and_calls() {
    // foo.h
    let foo_h = header("foo.h");
    let foo = lib("foo");
    // SAFETY: foo.h is libfoo's own header, whose prototypes are true. Bound
    // from it, each pointer means one double: bar and bar_sum read len, so
    // these bindings are called only with len = 1.
    let bound = unsafe { foo_h.bind(&foo) };
    assert!(bound.missing.is_empty());
    let mut x = [1.5, 2.5];
    assert_eq!(
        bound.functions["bar_sum"]
            .call(&[(&x[..1]).into(), 1.into()])
            .unwrap(),
        Value::Float(1.5)
    );
    let err = bound.functions["bar_sum"]
        .call(&[(&x).into(), 2.into()])
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    let n = Extent::ElementsFromArg(2);
    // SAFETY: foo.c: `int bar(double *data, int len)` and `double
    // bar_sum(const double *data, int len)` read len doubles of data (not
    // NULL), declared so.
    let (bar, bar_sum) = unsafe {
        (
            bind_stating(
                &foo_h,
                &foo,
                "bar",
                &[(0, CType::pointer(CType::Double).extent(n))],
            ),
            bind_stating(
                &foo_h,
                &foo,
                "bar_sum",
                &[(0, CType::const_pointer(CType::Double).extent(n))],
            ),
        )
    };
    assert_eq!(
        bar.call(&[(&mut x).into(), 2.into()]).unwrap(),
        Value::Int(3)
    );
    assert_eq!(
        bar_sum.call(&[(&x).into(), 2.into()]).unwrap(),
        Value::Float(4.0)
    );

    // fibonacci.h
    let fib_h = header("fibonacci.h");
    let fib = lib("fibonacci");
    // SAFETY: fibonacci.h is libfibonacci's own header, whose prototypes are
    // true; only fib, on numbers, is called through these bindings.
    let bound = unsafe { fib_h.bind(&fib) };
    assert_eq!(bound.functions.len(), 3);
    assert_eq!(
        bound.functions["fib"].call(&[10.into()]).unwrap(),
        Value::Int(34)
    );
    let four = Extent::Elements(4);
    // SAFETY: fibonacci.c: `void fibmatrix(int *a, int rows, int columns, int
    // *matrix)` reads rows*columns ints of a and writes as many to matrix,
    // neither NULL; declared as 4 (no extent is a product), it is called
    // with rows = columns = 2.
    let fibmatrix = unsafe {
        bind_stating(
            &fib_h,
            &fib,
            "fibmatrix",
            &[
                (0, CType::pointer(CType::Int).extent(four)),
                (3, CType::pointer(CType::Int).extent(four)),
            ],
        )
    };
    let mut m = [0i32; 4];
    fibmatrix
        .call(&[
            (&mut [3, 4, 5, 6]).into(),
            2.into(),
            2.into(),
            (&mut m).into(),
        ])
        .unwrap();
    assert_eq!(m, [1, 2, 3, 5]);

    // mean.h
    let mean_h = header("mean.h");
    let mean = lib("mean");
    let floats = CType::pointer(CType::Float).extent(Extent::ElementsFromArg(2));
    // SAFETY: mean.c: `float compute_mean(float *A, int n)` reads n floats of
    // A and `void scale_floats(float *A, int n, float factor)` reads and
    // writes n; A may not be NULL.
    let (compute_mean, scale_floats) = unsafe {
        (
            bind_stating(&mean_h, &mean, "compute_mean", &[(0, floats.clone())]),
            bind_stating(&mean_h, &mean, "scale_floats", &[(0, floats)]),
        )
    };
    let mut a = [1.0f32, 2.0, 6.0];
    assert_eq!(
        compute_mean.call(&[(&mut a).into(), 3.into()]).unwrap(),
        Value::Float(3.0)
    );
    scale_floats
        .call(&[(&mut a).into(), 3.into(), 0.5.into()])
        .unwrap();
    assert_eq!(a, [0.5, 1.0, 3.0]);

    // abi.h: every function it declares, against libabi; its system
    // includes are parsed too but not bound.
    let abi_header = header("abi.h");
    // SAFETY: abi.h is libabi's own header, whose prototypes are true; each
    // pointer bound from it means one element, not NULL, and the functions
    // called here keep to that: str_len reads a string, greeting returns a
    // static one, sum_ints reads its n ints through `...`, the rest take
    // and return numbers.
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
    let five_six = [2.into(), 5.into(), 6.into()];
    let err = f["sum_ints"].call(&five_six).unwrap_err();
    assert!(err.to_string().contains("call_variadic"), "{err}");
    // SAFETY: two ints follow n = 2, as sum_ints reads.
    let sum = unsafe { f["sum_ints"].call_variadic(&five_six, &[CType::Int, CType::Int]) };
    assert_eq!(sum.unwrap(), Value::Int(11));
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
    // SAFETY: callback.h is libcallback's own header, whose prototypes are
    // true; apply_binop and foo, called here, call their callback during the
    // call only (register_binop, which keeps it, is not called).
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
    let rows_h = header("rows.h");
    let rows_lib = lib("rows");
    // SAFETY: rows.h is librows' own header, whose prototypes are true; its
    // bindings, one row of one float each, are only examined and refused.
    let bound = unsafe { rows_h.bind(&rows_lib) };
    assert!(bound.missing.is_empty(), "{:?}", bound.missing);
    assert_eq!(
        bound.functions["rows_sum"].arg_types()[0],
        CType::pointer(CType::pointer(CType::Float))
    );
    let mut grid = ndarray::array![[10.0f32, 20.0, 30.0], [40.0, 50.0, 60.0]];
    let mut rows = rctypes::RowPointersMut::new(grid.view_mut()).unwrap();
    let err = bound.functions["rows_sum"]
        .call(&[(&mut rows).into(), 2.into(), 3.into()])
        .unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    // len rows (argument 2) of ncols floats (argument 3).
    let grid_of = |row: Extent| {
        CType::pointer(CType::pointer(CType::Float).extent(row)).extent(Extent::ElementsFromArg(2))
    };
    let grid_rows = grid_of(Extent::ElementsFromArg(3));
    // SAFETY: rows.c: `rows_sum(float **data, int len, int ncols)` reads len
    // row pointers and ncols floats of each; `rows_scale(..., float f)`
    // also writes them; `foo(float **data, int len)` reads len row pointers
    // and the first float of each. Nothing may be NULL.
    let (rows_sum, rows_scale, foo) = unsafe {
        (
            bind_stating(&rows_h, &rows_lib, "rows_sum", &[(0, grid_rows.clone())]),
            bind_stating(&rows_h, &rows_lib, "rows_scale", &[(0, grid_rows)]),
            bind_stating(
                &rows_h,
                &rows_lib,
                "foo",
                &[(0, grid_of(Extent::Elements(1)))],
            ),
        )
    };
    rows_scale
        .call(&[(&mut rows).into(), 2.into(), 3.into(), 0.5f32.into()])
        .unwrap();
    let sum = rows_sum
        .call(&[(&mut rows).into(), 2.into(), 3.into()])
        .unwrap();
    assert_eq!(sum, Value::Float(105.0));
    foo.call(&[(&mut rows).into(), 2.into()]).unwrap();
    drop(rows);
    assert_eq!(grid[[1, 2]], 30.0);

    // sample.h: the seed's records through the struct pointers it declares.
    let sample = header("sample.h");
    let sample_lib = lib("sample");
    // SAFETY: sample.h is libsample's own header, whose prototypes are true;
    // its bindings, of one record each, are only examined here.
    let bound = unsafe { sample.bind(&sample_lib) };
    assert!(bound.missing.is_empty(), "{:?}", bound.missing);
    let weather = bound.functions["sum_timestamps"].arg_types()[0].clone();
    let records_of = |ty: CType| ty.extent(Extent::ElementsFromArg(2));
    let weather_mut = CType::pointer(weather.pointee().unwrap().clone());
    // SAFETY: sample.c: sum_timestamps, find_weather (whose desc is a string)
    // and print_weather each read nelems (argument 2) records of w, which
    // may not be NULL.
    let (sum_timestamps, find, print_weather) = unsafe {
        (
            bind_stating(
                &sample,
                &sample_lib,
                "sum_timestamps",
                &[(0, records_of(weather.clone()))],
            ),
            bind_stating(
                &sample,
                &sample_lib,
                "find_weather",
                &[(0, records_of(weather))],
            ),
            bind_stating(
                &sample,
                &sample_lib,
                "print_weather",
                &[(0, records_of(weather_mut))],
            ),
        )
    };
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
    let total = sum_timestamps
        .call(&[(&records[..]).into(), 3.into()])
        .unwrap();
    assert_eq!(total, Value::Int(1126877361 + 1126877371 + 1126877385));
    assert!(
        sum_timestamps
            .call(&[(&records[..]).into(), 4.into()])
            .is_err()
    );
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
    print_weather
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
    // SAFETY: nothing is bound.
    let bound = unsafe { header("foo.h").bind(&lib("mean")) };
    assert!(bound.functions.is_empty());
    assert_eq!(bound.missing, ["bar", "bar_sum"]);
}

#[test]
fn a_missing_header_is_an_error() {
    let err = Header::read(Path::new(csrc_dir()).join("nothing.h"), &[]).unwrap_err();
    assert!(err.to_string().contains("the preprocessor failed"), "{err}");
    let source = std::error::Error::source(&err).expect("the system's reason");
    let io = source
        .downcast_ref::<std::io::Error>()
        .unwrap_or_else(|| panic!("{source:?}"));
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
}
