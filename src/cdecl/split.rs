//! Preprocessed text as a run of top-level declarations: where each ends,
//! the name it declares and whether it is a function, read from tokens
//! alone, for declarations the parser could not take.

use std::borrow::Cow;

use super::nesting::{Token, function_bodies, is_attribute_word, tokens};

/// The offsets just past each top-level declaration of `text`, sorted: a
/// `;` outside any bracket, or the `}` closing a function's body.
pub(crate) fn declaration_ends(text: &str) -> Vec<usize> {
    let bodies = function_bodies(text);
    let mut ends: Vec<usize> = bodies.iter().map(|&(_, close)| close + 1).collect();
    let mut depth = 0usize;
    for (at, token) in tokens(text) {
        match token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            Token::Separator if depth == 0 && text.as_bytes()[at] == b';' => ends.push(at + 1),
            _ => {}
        }
    }
    ends.sort_unstable();
    ends.dedup();
    ends
}

/// The words at the top level of a declaration, with whether a `(` follows
/// each, up to its first `;`.
fn top_words(text: &str) -> Vec<(&str, bool)> {
    let mut depth = 0usize;
    let mut words: Vec<(&str, bool)> = Vec::new();
    for (at, token) in tokens(text) {
        match token {
            Token::Open => {
                if depth == 0
                    && text.as_bytes()[at] == b'('
                    && let Some(last) = words.last_mut()
                {
                    last.1 = true;
                }
                depth += 1;
            }
            Token::Close => depth = depth.saturating_sub(1),
            Token::Separator if depth == 0 && text.as_bytes()[at] == b';' => break,
            Token::Word(w) if depth == 0 => words.push((w, false)),
            // An operator between a word and `(` makes it no call-like name.
            Token::Operator if depth == 0 => words.push(("", false)),
            _ => {}
        }
    }
    words
}

/// The function a declaration declares: the first top-level name followed
/// by a parameter list.
fn function_name(text: &str) -> Option<&str> {
    top_words(text)
        .into_iter()
        .find(|&(w, paren)| paren && is_name(w))
        .map(|(w, _)| w)
}

/// The name a declaration the parser stopped in declares, as far as its
/// words tell: a function's, or else the last top-level name.
pub(crate) fn declared_name(text: &str) -> Option<String> {
    let name = function_name(text)
        .or_else(|| {
            top_words(text)
                .into_iter()
                .rev()
                .map(|(w, _)| w)
                .find(|w| is_name(w))
        })
        // A name in parentheses: `int (*handler)(int);`.
        .or_else(|| {
            tokens(text).find_map(|(_, t)| match t {
                Token::Word(w) if is_name(w) => Some(w),
                _ => None,
            })
        });
    name.map(str::to_owned)
}

/// Whether a declaration the parser stopped in declares a function.
pub(crate) fn declares_function(text: &str) -> bool {
    !text.trim_start().starts_with("typedef") && function_name(text).is_some()
}

/// The identifier just before `at` (past blanks), if any.
pub(crate) fn word_before(text: &str, at: usize) -> Option<&str> {
    let before = text[..at.min(text.len())].trim_end();
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let word = &before[start..];
    (!word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit())).then_some(word)
}

/// Whether `w` is a name a declaration could declare: not empty, not a
/// keyword.
fn is_name(w: &str) -> bool {
    !w.is_empty() && !is_keyword(w) && !is_attribute_word(w)
}

/// C's keywords and GNU's spellings of them.
pub(crate) fn is_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "auto",
        "break",
        "case",
        "char",
        "const",
        "continue",
        "default",
        "do",
        "double",
        "else",
        "enum",
        "extern",
        "float",
        "for",
        "goto",
        "if",
        "inline",
        "int",
        "long",
        "register",
        "restrict",
        "return",
        "short",
        "signed",
        "sizeof",
        "static",
        "struct",
        "switch",
        "typedef",
        "union",
        "unsigned",
        "void",
        "volatile",
        "while",
        "_Alignas",
        "_Alignof",
        "_Atomic",
        "_Bool",
        "_Complex",
        "_Generic",
        "_Imaginary",
        "_Noreturn",
        "_Static_assert",
        "_Thread_local",
        "__attribute__",
        "__attribute",
        "__asm__",
        "__asm",
        "asm",
        "__const",
        "__extension__",
        "__inline",
        "__inline__",
        "__restrict",
        "__restrict__",
        "__signed__",
        "__volatile__",
        "__typeof__",
        "typeof",
        "__thread",
        "_Float128",
        "_Float64x",
        "_Float32",
        "_Float64",
        "_Float32x",
        "__int128",
        "bool",
    ];
    KEYWORDS.contains(&word)
}

/// `text` with the preprocessor's line markers (`# 12 "file.h" 1 3`)
/// blanked where they stand: the parser reads them only between
/// declarations, and they fall inside them where macros expand. Offsets
/// stay where they were; positions are read from the original text.
pub(crate) fn blank_line_markers(text: Cow<'_, str>) -> Cow<'_, str> {
    let is_marker = |line: &str| {
        line.strip_prefix("# ")
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    };
    if !text.split('\n').any(is_marker) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n');
        match body {
            Some(b) if is_marker(b) => {
                out.extend(std::iter::repeat_n(' ', b.len()));
                out.push('\n');
            }
            None if is_marker(line) => out.extend(std::iter::repeat_n(' ', line.len())),
            _ => out.push_str(line),
        }
    }
    Cow::Owned(out)
}

/// `text` with each `__attribute__ ( (...) )` written `__attribute__((...))`
/// (the blanks moved after it): lang-c reads the doubled parentheses as one
/// token, and macros expanding across line markers leave blanks between them.
pub(crate) fn join_attribute_parens(text: Cow<'_, str>) -> Cow<'_, str> {
    if !text.contains("__attribute") {
        return text;
    }
    let mut bytes = text.as_bytes().to_vec();
    let mut changed = false;
    let skip_blanks = |b: &[u8], mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut from = 0;
    while let Some(found) = text[from..].find("__attribute") {
        let word = from + found;
        from = word + "__attribute".len();
        let mut i = from;
        if bytes[i..].starts_with(b"__") {
            i += 2;
        }
        let p1 = skip_blanks(&bytes, i);
        if bytes.get(p1) != Some(&b'(') {
            continue;
        }
        let p2 = skip_blanks(&bytes, p1 + 1);
        if bytes.get(p2) != Some(&b'(') {
            continue;
        }
        if p2 > p1 + 1 {
            bytes[p1 + 1] = b'(';
            bytes[p2] = b' ';
            changed = true;
        }
        // The `)` matching the outer `(`, and the inner one before it.
        let mut depth = 0usize;
        let mut j = p1;
        let close = loop {
            match bytes.get(j) {
                None => break None,
                Some(b'(') => depth += 1,
                Some(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        break Some(j);
                    }
                }
                Some(b'"') => {
                    j += 1;
                    while j < bytes.len() && bytes[j] != b'"' {
                        j += if bytes[j] == b'\\' { 2 } else { 1 };
                    }
                }
                _ => {}
            }
            j += 1;
        };
        let Some(close) = close else { break };
        let mut q = close - 1;
        while q > p1 && bytes[q].is_ascii_whitespace() {
            q -= 1;
        }
        if bytes[q] == b')' && q + 1 < close {
            bytes[close - 1] = b')';
            bytes[q] = b' ';
            changed = true;
        }
        from = close;
    }
    if !changed {
        return text;
    }
    // Only ASCII blanks and parentheses moved: still UTF-8.
    Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_end_at_semicolons_and_bodies() {
        let text = "struct s { int a; int b; };\nint f(int x) { return x; }\nint g(void);";
        let ends = declaration_ends(text);
        assert_eq!(ends.len(), 3);
        assert_eq!(&text[..ends[0]], "struct s { int a; int b; };");
        assert!(text[..ends[1]].ends_with("return x; }"));
        assert_eq!(ends[2], text.len());
    }

    #[test]
    fn names_of_declarations_the_parser_stopped_in() {
        let f = "extern double cosf128 (_Float128 __x) __attribute__ ((__nothrow__));";
        assert_eq!(declared_name(f).as_deref(), Some("cosf128"));
        assert!(declares_function(f));
        let t = "typedef float __m128 __attribute__ ((__vector_size__ (16)));";
        assert_eq!(declared_name(t).as_deref(), Some("__m128"));
        assert!(!declares_function(t));
        let p = "extern int (*handler)(int);";
        assert_eq!(declared_name(p).as_deref(), Some("handler"));
        assert!(!declares_function(p));
    }

    #[test]
    fn words_before_an_offset() {
        let text = "int f(foo_t  x)";
        assert_eq!(word_before(text, text.find('x').unwrap()), Some("foo_t"));
        assert_eq!(word_before("f(1 x", 4), None);
    }

    #[test]
    fn attribute_parentheses_are_joined() {
        let text = "int f(void) __attribute__ (\n  (__const__)\n );";
        let joined = join_attribute_parens(Cow::Borrowed(text));
        assert_eq!(joined.len(), text.len());
        assert_eq!(joined, "int f(void) __attribute__ ((   __const__ \n));");
        let plain = "int g(void) __attribute__((nonnull(1)));";
        assert_eq!(join_attribute_parens(Cow::Borrowed(plain)), plain);
    }

    #[test]
    fn line_markers_become_blanks() {
        let text = "int\n# 3 \"a.h\" 3 4\nf(void);\n#pragma pack(1)\n";
        let blank = blank_line_markers(Cow::Borrowed(text));
        assert_eq!(blank.len(), text.len());
        assert_eq!(
            blank,
            format!("int\n{}\nf(void);\n#pragma pack(1)\n", " ".repeat(13))
        );
    }
}
