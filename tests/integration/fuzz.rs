//! Fuzzing the parsers that take outside text: whatever the input, the
//! answer is `Ok` or a clear `Err`, never a panic or a hang.
//!
//! Each run replays the kept corpus in `fuzz/corpus/<parser>/` (inputs that
//! once found a bug or sit at an edge), then a fixed budget of generated
//! inputs: `RCTYPES_FUZZ_CASES` sets it (default 2000 per parser). The
//! parsers: C declarations (`cdecl`), numpy data type strings (`dtype`) and
//! array flag strings (`flags`); the command line's argument values are
//! fuzzed in the `rctypes` binary's own tests (`cli_args`).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rctypes::{DType, Declarations, Error, Flags, parse_prototype};

fn cases() -> u32 {
    std::env::var("RCTYPES_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

/// Runs `check` on every input kept for `parser`; fails naming each input
/// that failed.
fn replay_corpus(parser: &str, check: fn(&str)) {
    let failed: Vec<String> = corpus(parser)
        .into_iter()
        .filter(|(_, text)| std::panic::catch_unwind(|| check(text)).is_err())
        .map(|(name, _)| name)
        .collect();
    assert!(failed.is_empty(), "failed: {failed:#?}");
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

/// Strings of up to `most` tokens, each a word of `words` or one of
/// `others` (those holding white space), joined with `sep`.
fn soup(
    words: &'static str,
    others: &[&'static str],
    most: usize,
    sep: &'static str,
) -> impl Strategy<Value = String> {
    let tokens: Vec<&str> = words
        .split_whitespace()
        .chain(others.iter().copied())
        .collect();
    let tokens = prop::sample::select(tokens);
    prop::collection::vec(tokens, 0..most).prop_map(move |t| t.join(sep))
}

/// Runs `check` on the budget of generated inputs: token soup or, as
/// often, any string at all.
fn never_panics(soup: impl Strategy<Value = String>, check: fn(&str)) {
    let inputs = prop_oneof![soup, any::<String>()];
    let checked = |text: String| {
        check(&text);
        Ok(())
    };
    runner().run(&inputs, checked).unwrap();
}

/// C-ish token soup: far more likely than random text to reach deep into
/// the declaration parser and the type conversion.
fn c_soup() -> impl Strategy<Value = String> {
    let words = "int char short long unsigned signed float double void _Bool const volatile \
                 struct union enum typedef extern static * ( ) [ ] { } , ; ... = << - + / % ~ \
                 ? : x y f s t 0 1 3 0x7fffffffffffffff 'a' size_t int32_t wchar_t \
                 __attribute__((packed)) sizeof";
    soup(words, &["#pragma pack(1)\n", "\n"], 40, " ")
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

// ---- numpy data type strings ----

/// Pieces of data type strings: byte orders, codes, sizes (huge ones
/// included), names, signs, commas and spaces.
fn dtype_soup() -> impl Strategy<Value = String> {
    let words = "< > = | ! i u f c b S a U V ? d g G e q Q p P l 1 2 4 8 12 16 0 + - , \
                 float complex int uint 64 128 256 double intc bool_ \
                 18446744073709551615 4611686018427387904 9223372036854775807 é";
    soup(words, &[", ", " "], 8, "")
}

/// Whatever the string, `Ok` or numpy's error quoting it; and what parses
/// prints as something that parses back to it.
fn check_dtype(spec: &str) {
    match DType::parse(spec) {
        Err(e) => {
            assert!(matches!(e, Error::DType { .. }), "{spec:?}: {e:?}");
            let text = e.to_string();
            let quoted = format!("data type '{spec}' not understood");
            assert!(text.starts_with(&quoted), "{spec:?}: {text}");
        }
        Ok(d) => match d.fields() {
            _ if spec.contains(['+', '-']) => panic!("{spec:?}: signs are in no type string"),
            None => {
                assert_eq!(DType::parse(&d.typestr()).ok(), Some(d.clone()), "{spec:?}");
                assert_eq!(
                    DType::parse(&d.to_string()).ok(),
                    Some(d.clone()),
                    "{spec:?}"
                );
                assert_eq!(d.swapped().swapped(), d, "{spec:?}");
            }
            Some(fields) => {
                let parts: Vec<String> = fields.iter().map(|f| f.dtype().typestr()).collect();
                assert_eq!(
                    DType::parse(&parts.join(",")).ok(),
                    Some(d.clone()),
                    "{spec:?}"
                );
                let sum: usize = fields.iter().map(|f| f.dtype().itemsize()).sum();
                assert_eq!(d.itemsize(), sum, "{spec:?}: packed");
                // Aligned, the same fields may overflow: an error, not a panic.
                let named = fields.iter().map(|f| (f.name(), f.dtype().clone()));
                if let Ok(aligned) = DType::record(named, true) {
                    assert!(aligned.itemsize() >= d.itemsize(), "{spec:?}");
                }
            }
        },
    }
}

// ---- array flag strings ----

fn flags_soup() -> impl Strategy<Value = String> {
    let words = "C_CONTIGUOUS F_CONTIGUOUS ALIGNED WRITEABLE OWNDATA WRITEBACKIFCOPY \
                 C F A W O X CONTIGUOUS FORTRAN c aligned contiguous writeable Fortran , \
                 UPDATEIFCOPY _ é";
    soup(words, &[", ", " ", "\t", "\u{3000}"], 8, "")
}

/// Whatever the string, `Ok` or an error naming the unknown flag; and what
/// parses round-trips through its names and its bits.
fn check_flags(text: &str) {
    match Flags::parse(text) {
        Err(e) => {
            assert!(matches!(e, Error::Array { .. }), "{text:?}: {e:?}");
            assert!(
                e.to_string().contains("unknown array flag"),
                "{text:?}: {e}"
            );
        }
        Ok(f) => {
            let names: Vec<&str> = f.names().collect();
            assert!(!names.is_empty(), "{text:?}: a name parsed to no flag");
            assert_eq!(Flags::parse(&names.join(",")).ok(), Some(f), "{text:?}");
            assert_eq!(Flags::from_bits(f.bits()).ok(), Some(f), "{text:?}");
            assert_eq!(Flags::parse(&text.to_ascii_lowercase()).ok(), Some(f));
        }
    }
}

/// Each parser's tests: its kept corpus, and generated inputs.
macro_rules! fuzz_tests {
    ($($corpus_test:ident, $never_panic:ident: $corpus:literal, $soup:expr, $check:ident;)*) => {$(
        #[test]
        fn $corpus_test() {
            replay_corpus($corpus, $check);
        }

        #[test]
        fn $never_panic() {
            never_panics($soup, $check);
        }
    )*};
}

fuzz_tests! {
    c_declarations_corpus, c_declarations_never_panic: "cdecl", c_soup(), check_declarations;
    dtype_strings_corpus, dtype_strings_never_panic: "dtype", dtype_soup(), check_dtype;
    flag_strings_corpus, flag_strings_never_panic: "flags", flags_soup(), check_flags;
}
