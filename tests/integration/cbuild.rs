//! The C build harness: compiling C at run time, loading it, and its cache.

use std::fs;
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::thread;

use rctypes::Severity;
use rctypes::cbuild;
use rctypes::{CBuild, CType, Error, Library};

use crate::common::{self, c_sources, csrc_dir};

/// Builds and loads, failing the test with the error's text.
fn load(build: &CBuild) -> Library {
    // SAFETY: every C source in these tests is ours and has no initialisers.
    unsafe { build.build() }.unwrap_or_else(|e| panic!("{e}"))
}

/// The compiler's messages a compile error holds.
fn diagnostics(err: &Error) -> &[rctypes::Diagnostic] {
    let Error::Compile { diagnostics, .. } = err else {
        panic!("{err}")
    };
    diagnostics
}

/// Whether the compile error holds an error `is` says yes to.
fn any_error(err: &Error, is: impl Fn(&rctypes::Diagnostic) -> bool) -> bool {
    let is_error = |d: &&rctypes::Diagnostic| d.severity == Severity::Error;
    diagnostics(err).iter().filter(is_error).any(is)
}

/// Calls `int name(int)`.
fn call_int(lib: &Library, name: &str, arg: i32) -> i32 {
    // SAFETY: every function called through here is `int name(int)`.
    let f = unsafe { lib.typed::<(i32,), i32>(name) }.unwrap_or_else(|e| panic!("{e}"));
    f.call((arg,))
}

#[test]
fn compiles_and_calls_a_string() {
    let lib = load(CBuild::new().source_str(
        "square.c",
        "long long square(int x) { return (long long)x * x; }",
    ));
    // SAFETY: square.c defines `long long square(int)`.
    let square = unsafe { lib.function("square", &[CType::Int], CType::LongLong) }.unwrap();
    assert_eq!(
        square.call(&[100_000.into()]).unwrap().to::<i64>().unwrap(),
        10_000_000_000
    );
}

#[test]
fn compiles_and_calls_files() {
    // The project's own fibonacci.c, found with its header through include().
    let lib = load(
        CBuild::new()
            .file(c_sources().join("fibonacci.c"))
            .include(c_sources()),
    );
    assert_eq!(call_int(&lib, "fib", 8), 13);
    assert_eq!(call_int(&lib, "fib", 0), -1);

    // A file and a string together, the string calling into the file.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("cube.c"),
        "int cube(int x) { return x * x * x; }\n",
    )
    .unwrap();
    let lib = load(CBuild::new().file(dir.path().join("cube.c")).source_str(
        "plus_one.c",
        "int cube(int);\nint cube_plus_one(int x) { return cube(x) + 1; }",
    ));
    assert_eq!(call_int(&lib, "cube_plus_one", 3), 28);
}

#[test]
fn two_sources_linked_together() {
    let lib = load(
        CBuild::new()
            .header_str("poly.h", "int poly_eval(const int *c, int n, int x);\n")
            .source_str(
                "poly.c",
                "#include \"poly.h\"\n\
                 int poly_eval(const int *c, int n, int x) {\n\
                     int r = 0;\n\
                     for (int i = n - 1; i >= 0; i--) r = r * x + c[i];\n\
                     return r;\n\
                 }\n",
            )
            .source_str(
                "quadratic.c",
                "#include \"poly.h\"\n\
                 static const int coeffs[3] = {1, 2, 3}; /* 1 + 2x + 3x^2 */\n\
                 int quadratic(int x) { return poly_eval(coeffs, 3, x); }\n",
            ),
    );
    assert_eq!(call_int(&lib, "quadratic", 2), 17);
    assert_eq!(call_int(&lib, "quadratic", -1), 2);
}

#[test]
fn a_define_changes_behaviour() {
    let scaled = |factor: Option<&str>| {
        let mut build = CBuild::new();
        build.source_str(
            "scaled.c",
            "#ifndef FACTOR\n#define FACTOR 1\n#endif\nint scaled(int x) { return FACTOR * x; }\n",
        );
        if let Some(factor) = factor {
            build.define("FACTOR", factor);
        }
        call_int(&load(&build), "scaled", 7)
    };
    assert_eq!(scaled(None), 7);
    assert_eq!(scaled(Some("3")), 21);
    assert_eq!(scaled(Some("-2")), -14);

    let flagged = load(
        CBuild::new()
            .source_str(
                "flagged.c",
                "int flagged(int x) {\n#ifdef NEGATE\nreturn -x;\n#else\nreturn x;\n#endif\n}\n",
            )
            .define("NEGATE", None),
    );
    assert_eq!(call_int(&flagged, "flagged", 5), -5);
}

#[test]
fn optimisation_level_std_and_flags_reach_the_compiler() {
    let source = "int optimized(int x) {\n#ifdef __OPTIMIZE__\nreturn x;\n#else\nreturn 0;\n#endif\n}\n\
                  int std_version(int x) { (void)x; return (int)(__STDC_VERSION__ / 100); }\n\
                  int from_flag(int x) { return x * VIA_FLAG; }\n";
    let lib = load(
        CBuild::new()
            .source_str("levels.c", source)
            .std("c11")
            .flag("-DVIA_FLAG=4"),
    );
    assert_eq!(call_int(&lib, "optimized", 9), 0);
    assert_eq!(call_int(&lib, "std_version", 0), 2011);
    assert_eq!(call_int(&lib, "from_flag", 5), 20);

    let lib = load(
        CBuild::new()
            .source_str("levels.c", source)
            .std("c17")
            .flag("-DVIA_FLAG=4")
            .opt_level(2),
    );
    assert_eq!(call_int(&lib, "optimized", 9), 9);
    assert_eq!(call_int(&lib, "std_version", 0), 2017);
}

#[test]
fn links_other_libraries() {
    // libm, and the project's own libfibonacci and libabi found through
    // link_search: the C built here calls into them.
    let lib = load(
        CBuild::new()
            .source_str(
                "uses.c",
                "#include <math.h>\n#include \"fibonacci.h\"\n#include \"abi.h\"\n\
                 int hypot_int(int x) { return (int)hypot((double)x, 4.0); }\n\
                 int fib_plus_one(int n) { return fib(n) + 1; }\n\
                 int doubled(int n) { return add_int(n, n); }\n",
            )
            .include(c_sources())
            .link("m")
            .link("fibonacci")
            .link("abi")
            .link_search(csrc_dir()),
    );
    assert_eq!(call_int(&lib, "hypot_int", 3), 5);
    assert_eq!(call_int(&lib, "fib_plus_one", 10), 35);
    assert_eq!(call_int(&common::lib("fibonacci"), "fib", 10) + 1, 35);
    // SAFETY: abi.c defines `int add_int(int, int)`.
    let add_int = unsafe { common::abi().typed::<(i32, i32), i32>("add_int") }.unwrap();
    assert_eq!(call_int(&lib, "doubled", 21), add_int.call((21, 21)));
}

#[test]
fn second_identical_build_does_not_run_the_compiler() {
    let mut build = CBuild::new();
    build.source_str(
        "cached_counter.c",
        "static int count;\nint bump(int by) { count += by; return count; }\n",
    );
    let runs = cbuild::compiler_runs();
    let first = build.compile().unwrap();
    assert!(!first.from_cache());
    assert!(cbuild::compiler_runs() > runs);
    let key = first.key().to_owned();

    let second = build.compile().unwrap();
    assert!(second.from_cache());
    assert_eq!(second.key(), first.key());
    // Each build has its own folder and its own copy of the C globals.
    assert_ne!(second.path(), first.path());
    // SAFETY: our C has no initialisers.
    let (a, b) = unsafe { (first.load().unwrap(), second.load().unwrap()) };
    assert_eq!(call_int(&a, "bump", 5), 5);
    assert_eq!(call_int(&a, "bump", 5), 10);
    assert_eq!(call_int(&b, "bump", 1), 1);

    // A different flag is a different build.
    let third = build.clone().define("UNUSED", None).compile().unwrap();
    assert!(!third.from_cache());
    assert_ne!(third.key(), key);
}

#[test]
fn concurrent_builds_of_one_source_compile_once() {
    const THREADS: usize = 6;
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let barrier = barrier.clone();
            thread::spawn(move || {
                barrier.wait();
                let compiled = CBuild::new()
                    .source_str("concurrent.c", "int concurrent(int x) { return x + 1000; }")
                    .compile()
                    .unwrap();
                let cached = compiled.from_cache();
                // SAFETY: our C has no initialisers.
                let lib = unsafe { compiled.load() }.unwrap();
                assert_eq!(call_int(&lib, "concurrent", i as i32), 1000 + i as i32);
                cached
            })
        })
        .collect();
    let fresh = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|cached| !cached)
        .count();
    assert_eq!(fresh, 1);
}

#[test]
fn cache_dir_serves_later_runs() {
    let source = "int persisted(int x) { return x * 11; }";
    let first_dir = tempfile::tempdir().unwrap();
    let first = CBuild::new()
        .source_str("persisted.c", source)
        .cache_dir(first_dir.path())
        .compile()
        .unwrap();
    let stored = first_dir
        .path()
        .join(format!("{}{}", first.key(), std::env::consts::DLL_SUFFIX));
    assert!(stored.is_file(), "{} missing", stored.display());
    assert!(
        first_dir
            .path()
            .join(format!("{}.manifest", first.key()))
            .is_file()
    );

    // A later run has only the folder: copied to a new cache folder, which
    // this process has never built into, it serves the build without a
    // compiler run.
    let later_dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(first_dir.path()).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), later_dir.path().join(entry.file_name())).unwrap();
    }
    let later = CBuild::new()
        .source_str("persisted.c", source)
        .cache_dir(later_dir.path())
        .compile()
        .unwrap();
    assert!(later.from_cache());
    assert_eq!(later.output(), "");
    // SAFETY: our C has no initialisers.
    let lib = unsafe { later.load() }.unwrap();
    assert_eq!(call_int(&lib, "persisted", 3), 33);
}

#[test]
fn a_changed_header_is_compiled_again() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let header = dir.path().join("offset.h");
    let source = dir.path().join("offset.c");
    fs::write(
        &source,
        "#include \"offset.h\"\nint offset(int x) { return x + OFFSET; }\n",
    )
    .unwrap();
    let mut build = CBuild::new();
    build
        .file(&source)
        .include(dir.path())
        .cache_dir(cache.path());

    fs::write(&header, "#define OFFSET 10\n").unwrap();
    assert_eq!(call_int(&load(&build), "offset", 1), 11);
    assert!(build.compile().unwrap().from_cache());

    fs::write(&header, "#define OFFSET 20\n").unwrap();
    let compiled = build.compile().unwrap();
    assert!(!compiled.from_cache());
    // SAFETY: our C has no initialisers.
    let lib = unsafe { compiled.load() }.unwrap();
    assert_eq!(call_int(&lib, "offset", 1), 21);
}

#[test]
fn a_syntax_error_reaches_the_caller_with_its_diagnostics() {
    let err = CBuild::new()
        .source_str(
            "broken.c",
            "int ok(void) { return 1; }\nint broken(void) { return 1 }\n",
        )
        .compile()
        .unwrap_err();
    let Error::Compile {
        diagnostics,
        output,
    } = &err
    else {
        panic!("expected a compile error, got {err}");
    };
    let first = diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert_eq!(first.file, "broken.c");
    assert_eq!(first.line, Some(2));
    assert!(first.column.is_some());
    assert!(first.message.contains("expected"), "{first}");
    assert!(output.contains("broken.c:2:"), "{output}");
    let shown = err.to_string();
    assert!(shown.starts_with("C compilation failed:"), "{shown}");
    assert!(shown.contains("broken.c:2:"), "{shown}");
}

#[test]
fn errors_in_files_and_missing_headers_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("needs.c");
    fs::write(
        &path,
        "#include \"not_there.h\"\nint needs(void) { return 0; }\n",
    )
    .unwrap();
    let err = CBuild::new().file(&path).compile().unwrap_err();
    let diagnostics = diagnostics(&err);
    assert_eq!(diagnostics[0].file, path.display().to_string());
    assert_eq!(diagnostics[0].line, Some(1));
    assert!(diagnostics[0].message.contains("not_there.h"), "{err}");
}

#[test]
fn link_errors_are_compile_errors() {
    let err = CBuild::new()
        .source_str("lonely.c", "int lonely(void) { return 0; }")
        .link("rctypes_no_such_library")
        .compile()
        .unwrap_err();
    let names_it = |d: &rctypes::Diagnostic| d.message.contains("rctypes_no_such_library");
    assert!(any_error(&err, names_it), "{err}");
}

#[test]
fn warnings_are_kept_and_can_be_errors() {
    let source = "int unused(int a) { int b; return a; }\n";
    let compiled = CBuild::new()
        .source_str("warns.c", source)
        .compile()
        .unwrap();
    let warning = &compiled.diagnostics()[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning.message.contains("'b'"), "{warning}");

    let err = CBuild::new()
        .source_str("warns.c", source)
        .warnings_into_errors(true)
        .compile()
        .unwrap_err();
    assert!(any_error(&err, |d| d.line == Some(1)), "{err}");
}

#[test]
fn no_compiler_is_a_clear_error() {
    let err = CBuild::new()
        .source_str("any.c", "int any(void) { return 0; }")
        .compiler("/nonexistent/rctypes-no-cc")
        .compile()
        .unwrap_err();
    assert!(matches!(err, Error::NoCompiler { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.starts_with("no C compiler:"), "{shown}");
    assert!(shown.contains("/nonexistent/rctypes-no-cc"), "{shown}");
}

#[test]
fn bad_builds_are_refused_before_compiling() {
    let refusal = |build: &mut CBuild| build.compile().unwrap_err().to_string();
    let err = refusal(&mut CBuild::new());
    assert!(err.contains("no C sources"), "{err}");
    let err = refusal(CBuild::new().source_str("../escape.c", "int x;"));
    assert!(err.contains("invalid source name \"../escape.c\""), "{err}");
    let err = refusal(CBuild::new().source_str("rctypes-file-sources/0/x.c", "int x;"));
    assert!(
        err.contains(
            "invalid source name \"rctypes-file-sources/0/x.c\": the folder \
             rctypes-file-sources/ holds the copies of file() sources"
        ),
        "{err}"
    );
    let mut twice = CBuild::new();
    twice.source_str("twice.c", "int a;");
    let err = refusal(twice.source_str("twice.c", "int b;"));
    assert!(
        err.contains("two sources or headers named \"twice.c\""),
        "{err}"
    );
    let err = refusal(CBuild::new().file("/nonexistent/missing.c"));
    let missing = "cannot read the C source /nonexistent/missing.c";
    assert!(err.contains(missing), "{err}");
}

#[test]
fn the_temporary_folder_lives_as_long_as_the_library() {
    let compiled = CBuild::new()
        .source_str("lifetime.c", "int lifetime(int x) { return x - 1; }")
        .compile()
        .unwrap();
    let folder = compiled.dir().to_path_buf();
    assert!(compiled.path().starts_with(&folder));
    // SAFETY: our C has no initialisers.
    let lib = unsafe { compiled.load() }.unwrap();
    let clone = lib.clone();
    // SAFETY: lifetime.c defines `int lifetime(int)`.
    let f = unsafe { lib.function("lifetime", &[CType::Int], CType::Int) }.unwrap();
    drop(lib);
    assert!(folder.is_dir());
    drop(clone);
    assert!(
        folder.is_dir(),
        "the bound function still holds the library"
    );
    assert_eq!(f.call(&[10.into()]).unwrap().to::<i32>().unwrap(), 9);
    drop(f);
    assert!(!folder.exists(), "{} still there", folder.display());

    // A build that is never loaded takes its folder with it too.
    let compiled = CBuild::new()
        .source_str("lifetime.c", "int lifetime(int x) { return x - 1; }")
        .compile()
        .unwrap();
    let folder = compiled.dir().to_path_buf();
    assert!(folder.is_dir());
    drop(compiled);
    assert!(!folder.exists());
}

#[test]
fn folders_of_libraries_never_dropped_go_at_exit() {
    const CHILD: &str = "RCTYPES_CBUILD_EXIT_CHILD";
    const TEST: &str = "cbuild::folders_of_libraries_never_dropped_go_at_exit";
    if std::env::var_os(CHILD).is_some() {
        // In the child: a library that is never dropped, as one in a static.
        let compiled = CBuild::new()
            .source_str("forever.c", "int forever(int x) { return x; }")
            .compile()
            .unwrap();
        println!("\nfolder: {}", compiled.dir().display());
        // SAFETY: our C has no initialisers.
        std::mem::forget(unsafe { compiled.load() }.unwrap());
        return;
    }
    let out = rctypes_csrc::target_command(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let folder = stdout
        .lines()
        .find_map(|l| l.strip_prefix("folder: "))
        .unwrap_or_else(|| panic!("no folder in {stdout}"));
    assert!(Path::new(folder).is_absolute());
    assert!(!Path::new(folder).exists(), "{folder} left behind");
}
