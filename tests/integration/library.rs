//! Loading libraries, finding symbols, keeping libraries alive, globals.

use std::path::Path;

use rctypes::{CType, Error, Library, OpenFlags, Value, load_library};

use crate::common::{abi, c_sources, csrc_dir, lib};

#[test]
fn load_library_adds_suffix_and_lib_prefix() {
    let fib = lib("fibonacci");
    assert!(fib.name().ends_with("libfibonacci.so"), "{}", fib.name());
    // A name that already carries the prefix, and a full file name.
    for name in ["libfibonacci", "libfibonacci.so"] {
        // SAFETY: our own library has no initialisers.
        let l = unsafe { load_library(name, csrc_dir()) }.unwrap();
        assert!(l.name().ends_with("libfibonacci.so"));
    }
}

#[test]
fn load_library_accepts_a_file_in_the_folder() {
    let file = Path::new(csrc_dir()).join("libmean.so");
    // SAFETY: our own library.
    let l = unsafe { load_library("mean", &file) }.unwrap();
    assert!(l.name().ends_with("libmean.so"));
}

#[test]
fn load_library_lists_every_path_tried() {
    // SAFETY: nothing is found, so nothing is loaded.
    let err = unsafe { load_library("nosuchlib", csrc_dir()) }.unwrap_err();
    let Error::NotFound { ref tried, .. } = err else {
        panic!("{err:?}")
    };
    let names: Vec<_> = tried
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, ["nosuchlib.so", "libnosuchlib.so"]);
    let text = err.to_string();
    assert!(text.starts_with("no library \"nosuchlib\" in "), "{text}");
    assert!(text.contains("/libnosuchlib.so"), "{text}");
}

#[test]
fn missing_library_carries_path_and_loader_message() {
    // SAFETY: the file does not exist; nothing loads.
    let err = unsafe { Library::open("/nonexistent/libnothing.so") }.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("cannot load library /nonexistent/libnothing.so: "),
        "{text}"
    );
    assert!(text.contains("No such file"), "{text}");
}

/// The [`libloading::Error`] kept as `err`'s source.
fn loader_error(err: &Error) -> &libloading::Error {
    let source = std::error::Error::source(err).expect("the loader's error");
    source
        .downcast_ref::<libloading::Error>()
        .unwrap_or_else(|| panic!("{source:?}"))
}

#[test]
fn a_missing_library_keeps_the_loaders_error_as_its_source() {
    // SAFETY: the file does not exist; nothing loads.
    let err = unsafe { Library::open("/nonexistent/libnothing.so") }.unwrap_err();
    let loader = loader_error(&err);
    assert!(
        matches!(loader, libloading::Error::DlOpen { .. }),
        "{loader:?}"
    );
    // The loader's own source is the system's description the message quotes.
    let said = std::error::Error::source(loader).expect("the system's description");
    let Error::Load { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(&said.to_string(), message);
}

#[test]
fn a_missing_symbol_keeps_the_loaders_error_as_its_source() {
    // SAFETY: the symbol does not exist; the signature is never used.
    let err = unsafe { abi().function("no_such_function", &[], CType::Void) }.unwrap_err();
    assert!(matches!(err, Error::Symbol { .. }), "{err:?}");
    let loader = loader_error(&err);
    assert!(
        matches!(loader, libloading::Error::DlSym { .. }),
        "{loader:?}"
    );
    // A refusal of rctypes' own has no lower-level error.
    // SAFETY: the declaration is never used; nothing of it is bound.
    let err = unsafe { rctypes::Declarations::new().bind_variable(abi(), "counter") }.unwrap_err();
    assert!(matches!(err, Error::Symbol { .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_none(), "{err:?}");
}

#[test]
fn a_file_that_is_not_a_library_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("libtext.so");
    std::fs::write(&path, b"this is text, not ELF").unwrap();
    // SAFETY: the loader rejects the file before running anything.
    let err = unsafe { Library::open(&path) }.unwrap_err();
    let Error::Load { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("invalid ELF header") || message.contains("too short"),
        "{message}"
    );
}

#[test]
fn missing_symbol_names_library_and_symbol() {
    // SAFETY: the symbol does not exist; the signature is never used.
    let err = unsafe { abi().function("no_such_function", &[], CType::Void) }.unwrap_err();
    let Error::Symbol {
        library,
        symbol,
        message,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(library.ends_with("libabi.so"));
    assert_eq!(symbol, "no_such_function");
    assert!(message.contains("undefined symbol"), "{message}");
}

#[test]
fn libc_is_reachable_through_this() {
    let libc = Library::this().unwrap();
    // SAFETY: libc: `size_t strlen(const char *s)` reads s up to its NUL (s
    // not NULL).
    let strlen = unsafe { libc.function("strlen", &[CType::CharP], CType::SizeT) }.unwrap();
    // SAFETY: libc: `long labs(long)`, on numbers only.
    let labs = unsafe { libc.function("labs", &[CType::Long], CType::Long) }.unwrap();
    assert_eq!(strlen.call(&["rctypes".into()]).unwrap(), Value::Int(7));
    assert_eq!(labs.call(&[(-42).into()]).unwrap(), Value::Int(42));
    assert_eq!(
        labs.call(&[i64::MIN.into()]).unwrap(),
        Value::Int(i64::MIN as i128)
    );
}

#[test]
fn functions_keep_their_library_loaded() {
    // SAFETY: our own library and fib's declared signature.
    let fib = unsafe {
        let l = Library::open(Path::new(csrc_dir()).join("libfibonacci.so")).unwrap();
        l.function("fib", &[CType::Int], CType::Int).unwrap()
    }; // the Library handle is gone here
    assert_eq!(fib.call(&[23.into()]).unwrap(), Value::Int(17711));
    let fib2 = fib.clone();
    drop(fib);
    assert_eq!(fib2.call(&[1.into()]).unwrap(), Value::Int(0));
}

#[test]
fn open_flags_are_honoured() {
    let path = Path::new(csrc_dir()).join("libmean.so");
    for flags in [
        OpenFlags::default(),
        OpenFlags {
            global: true,
            lazy: true,
            nodelete: false,
        },
        OpenFlags {
            global: false,
            lazy: false,
            nodelete: true,
        },
    ] {
        // SAFETY: our own library.
        let l = unsafe { Library::open_with(&path, flags) }.unwrap();
        assert!(l.symbol_address("compute_mean").is_ok());
    }
    // RTLD_GLOBAL makes the symbols visible to the process-wide lookup.
    let rows = Path::new(csrc_dir()).join("librows.so");
    // SAFETY: our own library.
    let _keep = unsafe {
        Library::open_with(
            &rows,
            OpenFlags {
                global: true,
                ..OpenFlags::default()
            },
        )
    };
    assert!(Library::this().unwrap().symbol_address("rows_sum").is_ok());
}

#[test]
fn exported_variables_read_and_write() {
    // SAFETY: abi.c declares these globals with these types (motto a static
    // string); no other test touches `ratio` or `motto`, and `counter` is
    // only used here.
    let (counter, ratio, motto) = unsafe {
        (
            abi().variable("counter", CType::Int).unwrap(),
            abi().variable("ratio", CType::Double).unwrap(),
            abi().variable("motto", CType::CharP).unwrap(),
        )
    };
    assert_eq!(ratio.get(), Value::Float(0.5));
    assert_eq!(motto.get().to::<String>().unwrap(), "zero copy");
    counter.set(&Value::Int(100)).unwrap();
    // SAFETY: bump_counter is `int bump_counter(void)`.
    let bump = unsafe { abi().function("bump_counter", &[], CType::Int) }.unwrap();
    assert_eq!(bump.call(&[]).unwrap(), Value::Int(101));
    assert_eq!(counter.get(), Value::Int(101));
    let err = counter.set(&Value::Int(1 << 40)).unwrap_err();
    assert!(err.to_string().contains("does not fit"), "{err}");
    // A pointer global never takes a pointer into Rust memory.
    let err = motto.set(&"dangling".into()).unwrap_err();
    assert!(
        err.to_string()
            .contains("null, or an address vouched for with unsafe"),
        "{err}"
    );
    assert_eq!(counter.name(), "counter");
    assert_eq!(*counter.ctype(), CType::Int);
}

#[test]
fn const_variables_are_read_only() {
    // SAFETY: abi.c defines `const int abi_version = 3`, in read-only memory.
    let version = unsafe { abi().const_variable("abi_version", CType::Int) }.unwrap();
    assert_eq!(version.get(), Value::Int(3));
    assert!(version.is_read_only());
    let err = version.set(&Value::Int(4)).unwrap_err();
    assert!(
        matches!(&err, Error::ReadOnly { name } if name == "abi_version"),
        "{err}"
    );
    assert_eq!(version.get(), Value::Int(3));

    // From C text, `const` makes the binding read-only by itself.
    // SAFETY: as above.
    let declared = unsafe { abi().declare_variable("extern const int abi_version") }.unwrap();
    assert!(declared.is_read_only());
    assert_eq!(declared.get(), Value::Int(3));
    assert!(declared.set(&Value::Int(4)).is_err());
    let header = rctypes::Header::read(c_sources().join("abi.h"), &[]);
    let decls = header.unwrap().declarations;
    // A pointer to const is no const variable: `motto` may point elsewhere.
    assert!(decls.is_const_variable("abi_version") && !decls.is_const_variable("motto"));
    // SAFETY: abi.h is the library's own header.
    let (from_header, motto) = unsafe {
        (
            decls.bind_variable(abi(), "abi_version").unwrap(),
            decls.bind_variable(abi(), "motto").unwrap(),
        )
    };
    assert!(from_header.set(&Value::Int(4)).is_err());
    assert_eq!(from_header.get(), Value::Int(3));
    assert!(!motto.is_read_only());
    assert_eq!(motto.get().to::<String>().unwrap(), "zero copy");
    // An array is no pointer in memory: not bound.
    // SAFETY: refused before any use.
    let err = unsafe { abi().declare_variable("extern int table[4];") }.unwrap_err();
    assert!(
        err.to_string()
            .contains("an array variable cannot be bound"),
        "{err}"
    );
}

#[test]
fn void_is_not_an_argument_type() {
    // SAFETY: refused before any use.
    let err = unsafe { abi().function("noop", &[CType::Void], CType::Void) }.unwrap_err();
    assert_eq!(
        err.to_string(),
        "noop: invalid signature: argument 1 is void; only a result can be"
    );
}
