//! Fuzzing the parsers that take outside text: whatever the input, the
//! answer is `Ok` or a clear `Err`, never a panic or a hang.
//!
//! Each run replays the kept corpus in `fuzz/corpus/<parser>/` (inputs that
//! once found a bug or sit at an edge), then a fixed budget of generated
//! inputs: `RCTYPES_FUZZ_CASES` sets it (default 2000 per parser).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rctypes::{Declarations, Error, parse_prototype};

fn cases() -> u32 {
    std::env::var("RCTYPES_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn corpus(parser: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(parser);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// C-ish token soup: far more likely than random text to reach deep into
/// the declaration parser and the type conversion.
fn c_soup() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "int",
        "char",
        "short",
        "long",
        "unsigned",
        "signed",
        "float",
        "double",
        "void",
        "_Bool",
        "const",
        "volatile",
        "struct",
        "union",
        "enum",
        "typedef",
        "extern",
        "static",
        "*",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        "...",
        "=",
        "<<",
        "-",
        "+",
        "/",
        "%",
        "~",
        "?",
        ":",
        "x",
        "y",
        "f",
        "s",
        "t",
        "0",
        "1",
        "3",
        "0x7fffffffffffffff",
        "'a'",
        "size_t",
        "int32_t",
        "wchar_t",
        "__attribute__((packed))",
        "sizeof",
        "#pragma pack(1)\n",
        "\n",
    ]);
    prop::collection::vec(tokens, 0..40).prop_map(|t| t.join(" "))
}

fn clear(err: &Error) {
    let text = err.to_string();
    assert!(!text.is_empty());
    assert!(
        matches!(err, Error::Declaration { .. }),
        "declarations fail as Declaration errors: {err:?}"
    );
}

fn check_declarations(text: &str) {
    if let Err(e) = parse_prototype(text) {
        clear(&e);
    }
    let mut decls = Declarations::new();
    if let Err(e) = decls.parse(text) {
        clear(&e);
    }
}

#[test]
fn c_declarations_corpus() {
    for (name, text) in corpus("cdecl") {
        let result = std::panic::catch_unwind(|| check_declarations(&text));
        assert!(result.is_ok(), "{name} panicked");
    }
}

#[test]
fn c_declarations_never_panic() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop_oneof![c_soup(), any::<String>()], |text| {
            check_declarations(&text);
            Ok(())
        })
        .unwrap();
}
