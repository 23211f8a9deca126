//! Fuzzing the command line's argument values: whatever the word, each
//! parameter type gives a value or a one-line error, never a panic, a hang
//! or an allocation the size of the word's digits.
//!
//! As for the library's parsers (`tests/integration/fuzz.rs`), the kept
//! corpus in `fuzz/corpus/cli_args/` is replayed first (each file one word,
//! tried as every parameter type), then `RCTYPES_FUZZ_CASES` generated words
//! (default 2000).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rctypes::{FunctionDecl, parse_prototype};

use super::*;

fn cases() -> u32 {
    std::env::var("RCTYPES_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

/// A parameter of every kind the command line handles, and some it refuses.
fn every_parameter() -> FunctionDecl {
    parse_prototype(
        "void f(int, unsigned char, signed char, char, wchar_t, _Bool, short, unsigned, \
         long long, unsigned long, size_t, float, double, long double, const char *, \
         const wchar_t *, char *, int *, const double *, unsigned char *, _Bool *, float *, \
         long double *, void *, int **, int (*)(int))",
    )
    .expect("a valid prototype")
}

fn variadic() -> FunctionDecl {
    parse_prototype("int g(const char *fmt, ...)").expect("a valid prototype")
}

/// Whatever the word: a value that can be passed, or a one-line error.
fn check_word(word: &str) {
    let decl = every_parameter();
    for ty in &decl.args {
        match parse(word, ty) {
            Ok(mut holder) => {
                let _ = holder.value();
                let _ = holder.written();
            }
            Err(e) => {
                assert!(
                    !e.is_empty() && !e.contains('\n'),
                    "{word:?} as {ty}: {e:?}"
                );
            }
        }
    }
    if let Some(i) = parse_int(word) {
        let signs = word.chars().filter(|c| matches!(c, '+' | '-')).count();
        assert!(signs <= 1, "{word:?} read as {i}");
    }
    let words = vec!["%d".to_string(), word.to_string(), word.to_string()];
    match parse_all(&variadic(), &words) {
        Ok(mut holders) => holders.iter_mut().for_each(|h| drop(h.value())),
        Err(e) => assert!(e.starts_with("g: "), "{e}"),
    }
}

fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/cli_args");
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

#[test]
fn argument_words_corpus() {
    let failed: Vec<String> = corpus()
        .into_iter()
        .filter(|(_, word)| std::panic::catch_unwind(|| check_word(word)).is_err())
        .map(|(name, _)| name)
        .collect();
    assert!(failed.is_empty(), "failed: {failed:#?}");
}

/// Pieces of argument words: signs, prefixes, digits (huge ones included),
/// array and buffer syntax, special floats.
fn word_soup() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "-",
        "+",
        "0x",
        "0X",
        "0",
        "1",
        "7",
        "f",
        "e",
        ".",
        "170141183460469231731687303715884105728",
        "340282366920938463463374607431768211456",
        "18446744073709551615",
        "16777217",
        "99999999999999999999",
        "[",
        "]",
        ";",
        ",",
        " ",
        "buf:",
        "null",
        "true",
        "false",
        "1e308",
        "1e400",
        "nan",
        "inf",
        "é",
        "\u{0}",
    ]);
    prop::collection::vec(tokens, 0..10).prop_map(|t| t.concat())
}

#[test]
fn argument_words_never_panic() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop_oneof![word_soup(), any::<String>()], |word| {
            check_word(&word);
            Ok(())
        })
        .unwrap();
}

#[test]
fn integers_read_back_as_written() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&any::<i128>(), |n| {
            prop_assert_eq!(parse_int(&n.to_string()), Some(n));
            let hex = format!("{:#x}", n.unsigned_abs());
            let signed = if n < 0 { format!("-{hex}") } else { hex };
            prop_assert_eq!(parse_int(&signed), Some(n));
            prop_assert_eq!(parse_int(&format!("+{n}")), (n >= 0).then_some(n));
            Ok(())
        })
        .unwrap();
}

#[test]
fn lengths_past_the_limit_are_refused() {
    let int_p = rctypes::CType::pointer(rctypes::CType::Int);
    let err = parse(&format!("[0; {}]", MAX_LEN + 1), &int_p)
        .err()
        .unwrap();
    assert!(err.contains("is more than the command line takes"), "{err}");
    let char_p = rctypes::CType::pointer(rctypes::CType::Char);
    let err = parse("buf:18446744073709551615", &char_p).err().unwrap();
    assert!(err.contains("is more than the command line takes"), "{err}");
    assert!(parse(&format!("[0; {MAX_LEN}]"), &int_p).is_ok());
    assert_eq!(parse_int("--5"), None);
    assert_eq!(parse_int("0x-5"), None);
    assert_eq!(parse_int("-+5"), None);
    assert_eq!(parse_int(&i128::MIN.to_string()), Some(i128::MIN));
}
