//! Whole headers as real libraries write them: the project's own
//! `headers.h` (every GNU construct real headers use), and the system's
//! `math.h`, `time.h`, `stdio.h`, `stdlib.h`, `string.h`, `zlib.h` and
//! `sqlite3.h`, bound against their libraries with counted results.

use std::path::Path;

use rctypes::{CType, Callback, Constant, Extent, Header, Library, Signature, StructValue, Value};

use crate::common::{c_sources, lib};

fn headers_h() -> Header {
    Header::read(c_sources().join("headers.h"), &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn gnu_constructs_bind_and_each_unexpressible_declaration_is_skipped_alone() {
    let header = headers_h();
    let skipped: Vec<(Option<&str>, &str)> = header
        .skipped
        .iter()
        .filter(|s| s.at.contains("headers.h"))
        .map(|s| (s.name.as_deref(), s.message.as_str()))
        .collect();
    let expected: &[(&str, &str)] = &[
        (
            "headers_aligned",
            "_Alignas on a struct member is not supported",
        ),
        (
            "headers_vec4",
            "__attribute__ is not supported for `vector_size`",
        ),
        (
            "headers_vec_add",
            "uses \"headers_vec4\", which was skipped",
        ),
        ("headers_mystery", "unknown type name \"mystery_t\""),
        ("headers_complex", "_Complex types are not supported"),
    ];
    assert_eq!(skipped.len(), expected.len(), "{skipped:#?}");
    for ((name, message), (want_name, want)) in skipped.iter().zip(expected) {
        assert_eq!(name, &Some(*want_name));
        assert!(message.contains(want), "{want_name}: {message}");
    }
    let functions: Vec<&str> = header
        .skipped
        .iter()
        .filter(|s| s.is_function)
        .filter_map(|s| s.name.as_deref())
        .collect();
    assert_eq!(
        functions,
        ["headers_vec_add", "headers_mystery", "headers_complex"]
    );
    // Every other function binds: attributes, __restrict, __extension__,
    // _Noreturn and _Static_assert are understood, the inline helper is no
    // export.
    assert_eq!(
        header.functions,
        [
            "headers_sum",
            "headers_scale",
            "headers_times",
            "headers_point_sum",
            "headers_copy",
            "headers_mode_bits",
            "headers_renamed",
            "headers_open",
            "headers_db_name",
            "headers_close",
            "headers_each",
            "headers_abort",
        ]
    );
    // SAFETY: headers.h is libheaders' own header; the functions called
    // below read and write only what their declarations state.
    let bound = unsafe { header.bind(&lib("headers")) };
    assert!(bound.missing.is_empty(), "{:?}", bound.missing);
    assert_eq!(bound.functions.len(), header.functions.len());
    let f = &bound.functions;
    assert_eq!(
        f["headers_sum"].call(&[2.into(), 40.into()]).unwrap(),
        Value::Int(42)
    );
    assert_eq!(
        f["headers_scale"]
            .call(&[3.into(), (1i64 << 40).into()])
            .unwrap(),
        Value::Int(3 << 40)
    );
    // The asm label names the symbol: headers_real_name triples.
    let renamed = header.declarations.function("headers_renamed").unwrap();
    assert_eq!(renamed.link_name.as_deref(), Some("headers_real_name"));
    assert_eq!(
        f["headers_renamed"].call(&[5.into()]).unwrap(),
        Value::Int(15)
    );
    // A prototype says a pointer points to one element: the extent C
    // writes is stated by the binder.
    let mut copy = header
        .declarations
        .function("headers_copy")
        .unwrap()
        .clone();
    copy.args[0] = copy.args[0].clone().extent(Extent::ElementsFromArg(3));
    // SAFETY: headers_copy writes at most `n` bytes to `dst`.
    let copy = unsafe { copy.bind(&lib("headers")) }.unwrap();
    let mut buf = rctypes::StringBuffer::new(8);
    let copied = copy
        .call(&[(&mut buf).into(), "hello".into(), 8.into()])
        .unwrap();
    assert_eq!((copied, buf.as_bytes()), (Value::Int(5), &b"hello"[..]));
}

#[test]
fn constants_enums_structs_handles_and_callbacks_come_from_the_header() {
    let header = headers_h();
    // #define constants of every kind, and enum constants.
    assert_eq!(header.constant("HEADERS_LIMIT"), Some(64));
    assert_eq!(header.constant("HEADERS_MASK"), Some(0x0FFF_FFFF));
    assert_eq!(
        header.define("HEADERS_VERSION"),
        Some(&Constant::Str("2.5".into()))
    );
    assert_eq!(header.define("HEADERS_SCALE"), Some(&Constant::Float(0.5)));
    assert_eq!(header.constant("MODE_BOTH"), Some(3));
    // Not constants: a pointer, a function-like macro, one not defined.
    for name in ["HEADERS_NULL", "HEADERS_SQUARE", "HEADERS_EXTRA_TWICE"] {
        assert_eq!(header.define(name), None, "{name}");
    }
    // SAFETY: as above.
    let bound = unsafe { header.bind(&lib("headers")) };
    let f = &bound.functions;
    // Constants are arguments.
    let mode = header.constant("MODE_WRITE").unwrap();
    assert_eq!(
        f["headers_mode_bits"].call(&[mode.into()]).unwrap(),
        Value::Int(20)
    );
    let scale = header.define("HEADERS_SCALE").unwrap();
    assert_eq!(
        f["headers_times"]
            .call(&[8.0.into(), scale.into()])
            .unwrap(),
        Value::Float(4.0)
    );
    // A struct definition is a layout; a value of it is passed by address.
    let point = header.declarations.layout("headers_point").unwrap();
    let mut p = StructValue::new(point).unwrap();
    p.set("x", 30).unwrap();
    p.set("y", 12).unwrap();
    assert_eq!(
        f["headers_point_sum"].call(&[(&p).into()]).unwrap(),
        Value::Int(42)
    );
    // A struct never defined is an opaque handle, passed back only where
    // the same handle type is declared.
    assert_eq!(
        f["headers_open"].result_type(),
        &CType::handle("headers_db")
    );
    let db = f["headers_open"]
        .call(&["main".into()])
        .unwrap()
        .into_handle()
        .unwrap();
    assert_eq!(
        f["headers_db_name"].call(&[(&db).into()]).unwrap(),
        Value::CStr(c"main".into())
    );
    assert_eq!(
        f["headers_close"].call(&[(&db).into()]).unwrap(),
        Value::Int(0)
    );
    // A typedef of a function pointer is a callback signature.
    let visit = Signature::new([CType::Int, CType::VoidP], CType::Int);
    assert_eq!(
        header.declarations.typedef("headers_visit"),
        Some(&CType::FuncPtr(visit.clone().into()))
    );
    let squares = Callback::new(visit, |args: &[Value]| {
        let v = args[0].to::<i64>().unwrap();
        Value::Int((v * v) as i128)
    })
    .unwrap();
    let refused = f["headers_each"]
        .call(&[3.into(), Value::Callback(&squares), Value::Null])
        .unwrap_err();
    // `void *data` is not declared nullable: NULL is refused, not passed.
    assert!(refused.to_string().contains("argument 3"), "{refused}");
    let mut each = header
        .declarations
        .function("headers_each")
        .unwrap()
        .clone();
    each.args[2] = CType::VoidP.nullable();
    // SAFETY: headers_each passes `data` to the callback only, which ignores it.
    let each = unsafe { each.bind(&lib("headers")) }.unwrap();
    let total = each.call(&[3.into(), Value::Callback(&squares), Value::Null]);
    assert_eq!(total.unwrap(), Value::Int(1 + 4 + 9));
}

#[test]
fn an_unknown_type_is_named_where_a_parameter_uses_it() {
    let err = rctypes::Declarations::new()
        .parse("int f(int a, foo_t b);")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1, column 14: unknown type name \"foo_t\": int f(int a, foo_t b);"
    );
}

#[test]
fn gnu_attributes_and_asm_labels_in_prototypes() {
    let decl = rctypes::parse_prototype(
        "extern int renamed(int x) __asm__(\"headers_real_name\") __attribute__((__nothrow__, __const__))",
    )
    .unwrap();
    assert_eq!(decl.symbol(), "headers_real_name");
    // SAFETY: headers.c defines `int headers_real_name(int)`.
    let f = unsafe { decl.bind(&lib("headers")) }.unwrap();
    assert_eq!(f.call(&[7.into()]).unwrap(), Value::Int(21));
    let err = rctypes::Declarations::new()
        .parse("struct s { int a __attribute__((aligned(16))); };")
        .unwrap_err();
    assert!(err.to_string().contains("`aligned`"), "{err}");
}

#[test]
fn a_struct_typedef_before_its_definition_is_the_struct_once_defined() {
    let mut decls = rctypes::Declarations::new();
    decls
        .parse(
            "typedef struct node node;
             int early(node *n);
             struct node { int value; node *next; };
             int late(node *n);",
        )
        .unwrap();
    assert_eq!(
        decls.function("early").unwrap().args,
        [CType::handle("node")]
    );
    let layout = decls.layout("node").unwrap().clone();
    assert_eq!(
        decls.function("late").unwrap().args,
        [CType::pointer(CType::Struct(layout))]
    );
}

#[test]
fn defines_and_include_folders_are_options() {
    let header = Header::options()
        .define_value("HEADERS_EXTRA", "21")
        .include_dir(c_sources())
        .read(c_sources().join("headers.h"))
        .unwrap();
    assert_eq!(header.constant("HEADERS_EXTRA_TWICE"), Some(42));
    // A header found by the name a program includes it with.
    let string_h = Header::options().read_system("string.h").unwrap();
    assert!(string_h.functions.iter().any(|f| f == "strlen"));
    let err = Header::options()
        .read_system("no_such_header.h")
        .unwrap_err();
    assert!(err.to_string().contains("<no_such_header.h>"), "{err}");
}

/// What a system header declares and what binds, counted.
#[derive(Debug)]
struct Counts {
    declared: usize,
    bound: usize,
    /// Declared functions the library itself does not export.
    not_exported: usize,
    /// Function declarations skipped, with why.
    skipped: Vec<String>,
    constants: usize,
}

/// Reads `/usr/include/NAME`-style headers by include name and binds them
/// against `library`; `None` where the header is not installed, which the
/// test says (CI installs every one: `RCTYPES_SYSTEM_HEADERS=required`).
fn count(header: &str, library: &str) -> Option<(Header, Counts)> {
    let installed = ["/usr/include", "/usr/local/include"]
        .iter()
        .any(|d| Path::new(d).join(header).exists());
    if !installed {
        let required = std::env::var("RCTYPES_SYSTEM_HEADERS").as_deref() == Ok("required");
        assert!(!required, "{header} is not installed");
        eprintln!("NOT TESTED: {header} is not installed (apt-get install its -dev package)");
        return None;
    }
    let h = Header::options()
        .read_system(header)
        .unwrap_or_else(|e| panic!("{e}"));
    // SAFETY: nothing bound is called; binding looks symbols up.
    let bound = unsafe { h.bind(&open(library)) };
    let skipped = h
        .skipped
        .iter()
        .filter(|s| s.is_function)
        .map(|s| format!("{}: {}", s.name.as_deref().unwrap_or("?"), s.message))
        .collect();
    let counts = Counts {
        declared: h.functions.len(),
        bound: bound.functions.len(),
        not_exported: h.functions.len() - bound.functions.len(),
        skipped,
        constants: h.declarations.defines().count(),
    };
    eprintln!(
        "{header}: {counts:?}, of the header's own files {}",
        h.own_functions.len()
    );
    Some((h, counts))
}

#[test]
fn system_headers_bind_every_exported_function_they_can_express() {
    let libc = if cfg!(target_os = "linux") {
        "libc.so.6"
    } else {
        return;
    };
    // (header, library, at least declared, at least bound, at most skipped)
    let cases: &[(&str, &str, usize, usize, usize)] = &[
        ("math.h", "libm.so.6", 400, 200, 10),
        ("time.h", libc, 25, 25, 0),
        ("stdio.h", libc, 80, 80, 0),
        ("stdlib.h", libc, 95, 95, 0),
        ("string.h", libc, 40, 40, 0),
        ("zlib.h", "libz.so.1", 81, 81, 0),
        ("sqlite3.h", "libsqlite3.so.0", 280, 270, 0),
    ];
    for &(header, library, declared, bound, skipped) in cases {
        let Some((_, c)) = count(header, library) else {
            continue;
        };
        assert!(c.declared >= declared, "{header}: {c:?}");
        assert!(c.bound >= bound, "{header}: {c:?}");
        assert!(c.constants > 0, "{header}: {c:?}");
        // AArch64's glibc also declares the SIMD variants of math.h's
        // functions (`_ZGVnN2v_cos`, ...): vector registers and SVE types,
        // no C scalar signature. They are skipped, saying so.
        let (vector, scalar): (Vec<&String>, Vec<&String>) =
            c.skipped.iter().partition(|s| s.starts_with("_ZGV"));
        for s in vector {
            assert!(
                s.contains("aarch64_vector_pcs") || s.contains("__SVFloat"),
                "{header}: {s}"
            );
        }
        assert!(scalar.len() <= skipped, "{header}: {c:?}");
        // Every other function skipped says why, and only what no C type of
        // this target has is skipped.
        for s in scalar {
            assert!(s.contains("_Float128 is not supported"), "{header}: {s}");
        }
    }
}

#[test]
fn system_header_functions_and_constants_work_in_calls() {
    if let Some((zlib, c)) = count("zlib.h", "libz.so.1") {
        // zlib.h's own functions all bind; zconf.h includes <unistd.h>,
        // whose functions are libc's, not zlib's.
        assert_eq!((zlib.own_functions.len(), c.bound), (81, 81), "{c:?}");
        // SAFETY: zlib's own header; zlibVersion and zError return static
        // strings.
        let bound = unsafe { zlib.bind(&open("libz.so.1")) };
        let version = bound.functions["zlibVersion"].call(&[]).unwrap();
        let Some(Constant::Str(expected)) = zlib.define("ZLIB_VERSION") else {
            panic!("ZLIB_VERSION")
        };
        assert_eq!(
            version,
            Value::CStr(std::ffi::CString::new(expected.clone()).unwrap().into())
        );
        let err = zlib.constant("Z_BUF_ERROR").unwrap();
        assert_eq!(err, -5);
        let message = bound.functions["zError"].call(&[err.into()]).unwrap();
        assert_eq!(message, Value::CStr(c"buffer error".into()));
        assert_eq!(zlib.constant("Z_OK"), Some(0));
    }
    // glibc's __REDIRECT renames: the asm label's symbol is bound.
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        let stdio = Header::options()
            .define_value("_FILE_OFFSET_BITS", "64")
            .handle("FILE")
            .read_system("stdio.h")
            .unwrap();
        let symbol = |name: &str| {
            stdio
                .declarations
                .function(name)
                .unwrap()
                .symbol()
                .to_owned()
        };
        assert_eq!(symbol("fopen"), "fopen64");
        assert!(symbol("scanf").starts_with("__isoc"), "{}", symbol("scanf"));
        // SAFETY: the C library's own header; tmpfile and fclose are called
        // as it declares them.
        let bound = unsafe { stdio.bind(&Library::this().unwrap()) };
        // glibc defines FILE; declared a handle, it only goes back to C.
        assert_eq!(
            bound.functions["tmpfile"].result_type(),
            &CType::handle("FILE")
        );
        let file = bound.functions["tmpfile"]
            .call(&[])
            .unwrap()
            .into_handle()
            .unwrap();
        assert_eq!(
            bound.functions["fclose"].call(&[(&file).into()]).unwrap(),
            Value::Int(0)
        );
    }
    if let Some((sqlite, c)) = count("sqlite3.h", "libsqlite3.so.0") {
        // Declared but not exported by the build: 12 in Debian 12's 3.40
        // (named in the notes), 13 in Debian 13's 3.46.
        assert!(c.not_exported <= 16, "{c:?}");
        // SAFETY: sqlite3's own header; these calls read static data.
        let bound = unsafe { sqlite.bind(&open("libsqlite3.so.0")) };
        let open = sqlite.declarations.function("sqlite3_open").unwrap();
        assert_eq!(open.args[1], CType::pointer(CType::handle("sqlite3")));
        let number = bound.functions["sqlite3_libversion_number"]
            .call(&[])
            .unwrap();
        assert_eq!(
            number,
            Value::Int(sqlite.constant("SQLITE_VERSION_NUMBER").unwrap())
        );
        let text = bound.functions["sqlite3_errstr"]
            .call(&[sqlite.constant("SQLITE_BUSY").unwrap().into()])
            .unwrap();
        assert_eq!(text, Value::CStr(c"database is locked".into()));
    }
}

/// A system library, by the name the loader finds it by.
fn open(name: &str) -> Library {
    // SAFETY: the C library, libm, zlib and SQLite set up only their own
    // state when loaded.
    unsafe { Library::open(name) }.unwrap_or_else(|e| panic!("{e}"))
}
