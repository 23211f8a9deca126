//! Limits on how deeply declarations nest, checked before anything recurses
//! over them: lang-c's parser descends once per bracket, operator or cast,
//! the conversion once per declarator, and the types it makes are walked
//! recursively wherever they are used (printed, compared, dropped, laid
//! out). Input past the limits is an error, never a stack overflow.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::failure::panic_message;
use crate::types::CType;

/// How deeply the text of a declaration may nest: brackets inside
/// brackets, plus the operators, casts and declarator parts in a row at
/// each level (see [`check`]).
pub(crate) const MAX_NESTING: usize = 256;

/// How many braces (struct and union bodies, initialisers) may be open
/// inside parentheses or brackets at once: lang-c parses a type name in
/// parentheses again for each way it might be read, so its time grows
/// exponentially with structs defined in `sizeof(...)` inside such structs.
pub(crate) const MAX_BRACES_IN_BRACKETS: usize = 4;

/// How deeply a declared type may nest: pointers to pointers, arrays of
/// arrays, structs in structs, function pointers among parameters.
pub(crate) const MAX_TYPE_DEPTH: usize = 64;

/// The parser's own stack: lang-c needs up to some 30 KiB per level of
/// nesting in a debug build, so `MAX_NESTING` levels fit with room for the
/// conversion, whatever the stack of the thread that asked.
const PARSER_STACK: usize = 32 << 20;

/// The words after which lang-c parses what follows inside them, as it does
/// for a prefix operator.
const PREFIX_WORDS: &[&str] = &[
    "sizeof",
    "_Alignof",
    "alignof",
    "__alignof",
    "__alignof__",
    "__extension__",
    "__real__",
    "__imag__",
];

/// Statement words: within a block they nest (`else if` chains) across the
/// `;` that ends a statement, so they are never forgotten until the block
/// closes.
const STATEMENT_WORDS: &[&str] = &[
    "if", "else", "while", "for", "do", "switch", "case", "default", "return", "goto",
];

/// The text lang-c parses: `source` with the bodies of function definitions
/// blanked (headers define static inline helpers, whose bodies are passed
/// over anyway), checked to nest at most [`MAX_NESTING`] deep. An error
/// gives the offset where it goes deeper.
pub(crate) fn prepare(source: &str) -> std::result::Result<Cow<'_, str>, (usize, String)> {
    use super::split::{blank_line_markers, join_attribute_parens};
    let text = join_attribute_parens(blank_line_markers(blank_function_bodies(source)));
    check(&text)?;
    Ok(text)
}

/// One token of the scan: what the nesting counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Token<'a> {
    Open,
    Close,
    Separator,
    Operator,
    Word(&'a str),
    /// Numbers and literals, which nest nothing.
    Other,
}

/// The tokens of `text` with their offsets, roughly as C has them: enough
/// to see brackets, operators and words; string and character literals and
/// `#` lines (line markers, pragmas) are passed over whole.
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = (usize, Token<'_>)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut line_start = true;
    std::iter::from_fn(move || {
        loop {
            let &b = bytes.get(i)?;
            let start = i;
            i += 1;
            match b {
                b'\n' => {
                    line_start = true;
                    continue;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => continue,
                b'#' if line_start => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                _ => line_start = false,
            }
            let token = match b {
                b'(' | b'[' | b'{' => Token::Open,
                b')' | b']' | b'}' => Token::Close,
                b',' | b';' => Token::Separator,
                b'"' | b'\'' => {
                    // To the closing quote, past escapes; a literal never
                    // spans lines, so a newline ends it too.
                    while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i = (i + 1).min(bytes.len());
                    Token::Other
                }
                b if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 => {
                    while i < bytes.len()
                        && (bytes[i].is_ascii_alphanumeric()
                            || bytes[i] == b'_'
                            || bytes[i] >= 0x80)
                    {
                        i += 1;
                    }
                    if b.is_ascii_digit() {
                        Token::Other
                    } else {
                        // Whole UTF-8 characters: the scan stops only at ASCII bytes.
                        Token::Word(&text[start..i])
                    }
                }
                _ => Token::Operator,
            };
            return Some((start, token));
        }
    })
}

/// The nesting of one bracket level: operators and declarator parts in a
/// row (forgotten at `,` and `;`), and statement words (kept until the
/// level closes).
#[derive(Clone, Copy, Default)]
struct Level {
    run: usize,
    statements: usize,
    /// Whether the bracket that opened the level is `(` or `[`.
    in_parens: bool,
    /// Whether it is a `{` inside parentheses or brackets.
    brace_in_parens: bool,
}

impl Level {
    fn depth(&self) -> usize {
        self.run + self.statements
    }
}

/// Checks that `text` nests at most [`MAX_NESTING`] deep. The depth at a
/// point is, over the brackets open there and the text outside them, the
/// count of what lang-c may descend into without returning: each bracket
/// opened, each operator (a `*` of a declarator too), cast and prefix word
/// since the last `,` or `;` at that level, and each statement word in it.
fn check(text: &str) -> std::result::Result<(), (usize, String)> {
    let mut outer: Vec<Level> = Vec::new();
    let mut outer_depth = 0;
    let mut level = Level::default();
    // Open parentheses and brackets, and braces open inside them.
    let (mut parens, mut braces_in_parens) = (0usize, 0usize);
    for (at, token) in tokens(text) {
        match token {
            Token::Open => {
                level.run += 1;
                if outer_depth + level.depth() > MAX_NESTING {
                    return Err((at, too_deep()));
                }
                outer_depth += level.depth();
                outer.push(level);
                let brace = text.as_bytes()[at] == b'{';
                level = Level {
                    in_parens: !brace,
                    brace_in_parens: brace && parens > 0,
                    ..Level::default()
                };
                parens += usize::from(level.in_parens);
                braces_in_parens += usize::from(level.brace_in_parens);
                if braces_in_parens > MAX_BRACES_IN_BRACKETS {
                    return Err((
                        at,
                        format!(
                            "braces nested more than {MAX_BRACES_IN_BRACKETS} deep \
                             inside parentheses or brackets"
                        ),
                    ));
                }
                continue;
            }
            Token::Close => {
                if let Some(up) = outer.pop() {
                    parens -= usize::from(level.in_parens);
                    braces_in_parens -= usize::from(level.brace_in_parens);
                    outer_depth -= up.depth();
                    level = up;
                }
                continue;
            }
            Token::Separator => level.run = 0,
            Token::Operator => level.run += 1,
            Token::Word(w) if PREFIX_WORDS.contains(&w) => level.run += 1,
            Token::Word(w) if STATEMENT_WORDS.contains(&w) => level.statements += 1,
            Token::Word(_) | Token::Other => {}
        }
        if outer_depth + level.depth() > MAX_NESTING {
            return Err((at, too_deep()));
        }
    }
    Ok(())
}

fn too_deep() -> String {
    format!("declaration nested deeper than {MAX_NESTING} levels")
}

/// `source` with the body of every function definition replaced by blanks
/// (newlines kept, so offsets and lines stay where they were).
fn blank_function_bodies(source: &str) -> Cow<'_, str> {
    let bodies = function_bodies(source);
    if bodies.is_empty() {
        return Cow::Borrowed(source);
    }
    let mut out = String::with_capacity(source.len());
    let mut from = 0;
    for (start, end) in bodies {
        out.push_str(&source[from..start]);
        for c in source[start..end].chars() {
            match c {
                '\n' => out.push('\n'),
                c => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
            }
        }
        from = end;
    }
    out.push_str(&source[from..]);
    Cow::Owned(out)
}

/// The bodies of function definitions, between their braces: a `{` outside
/// any bracket right after the `)` of a parameter list.
pub(crate) fn function_bodies(source: &str) -> Vec<(usize, usize)> {
    let mut bodies = Vec::new();
    // Each open bracket: the word (or `)`) before it, and whether it opens
    // a function body.
    let mut opens: Vec<(Option<&str>, bool)> = Vec::new();
    let mut prev = None;
    let mut after_params = false;
    let mut body_start = 0;
    for (at, token) in tokens(source) {
        let mut closed_params = false;
        match token {
            Token::Open => {
                let is_body = opens.is_empty() && after_params && source.as_bytes()[at] == b'{';
                if is_body {
                    body_start = at + 1;
                }
                let before = match prev {
                    Some(Token::Word(w)) => Some(w),
                    Some(Token::Close) => Some(")"),
                    _ => None,
                };
                opens.push((before, is_body));
            }
            Token::Close => {
                if let Some((before, is_body)) = opens.pop() {
                    if is_body {
                        bodies.push((body_start, at));
                    }
                    // A parameter list follows the declarator's name or `)`;
                    // attribute and asm groups follow their keywords.
                    closed_params = opens.is_empty()
                        && source.as_bytes()[at] == b')'
                        && before.is_some_and(|w| !is_attribute_word(w));
                }
            }
            _ => {}
        }
        after_params = closed_params;
        prev = Some(token);
    }
    bodies
}

/// Words whose parenthesised group is not a parameter list.
pub(crate) fn is_attribute_word(word: &str) -> bool {
    matches!(
        word,
        "__attribute__" | "__attribute" | "__declspec" | "__asm__" | "__asm" | "asm" | "_Alignas"
    )
}

/// How deeply `ty` nests (a scalar is 1), up to [`MAX_TYPE_DEPTH`] + 1: the
/// walk stops there, so that it is itself bounded.
pub(crate) fn type_depth(ty: &CType) -> usize {
    fn walk(ty: &CType, budget: usize) -> usize {
        if budget == 0 {
            return 1;
        }
        1 + match ty {
            CType::Pointer(t) | CType::ConstPointer(t) | CType::Array(t, _) => walk(t, budget - 1),
            CType::Struct(l) => l
                .fields()
                .iter()
                .map(|f| walk(f.ctype(), budget - 1))
                .max()
                .unwrap_or(0),
            CType::FuncPtr(sig) => sig
                .args()
                .iter()
                .chain(std::iter::once(sig.ret()))
                .map(|t| walk(t, budget - 1))
                .max()
                .unwrap_or(0),
            _ => 0,
        }
    }
    walk(ty, MAX_TYPE_DEPTH + 1)
}

/// The error for a type nested deeper than [`MAX_TYPE_DEPTH`].
pub(crate) fn type_too_deep() -> String {
    format!("type nested deeper than {MAX_TYPE_DEPTH} levels")
}

/// Runs `parse` on a thread of its own with [`PARSER_STACK`] bytes of
/// stack, so that the limits hold on any caller's stack.
pub(crate) fn on_parser_stack<T: Send>(parse: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    let failed = |message: String, source: Option<std::io::Error>| Error::Declaration {
        file: None,
        line: 0,
        column: 0,
        text: String::new(),
        message,
        source: source.map(|e| e.into()),
    };
    std::thread::scope(|scope| {
        let parser = std::thread::Builder::new()
            .name("rctypes-cdecl".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, parse)
            .map_err(|e| failed(format!("cannot start the declaration parser: {e}"), Some(e)))?;
        parser.join().unwrap_or_else(|payload| {
            Err(failed(
                format!(
                    "the declaration parser panicked: {}",
                    panic_message(payload)
                ),
                None,
            ))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_error(text: &str) -> Option<usize> {
        check(text).err().map(|(at, _)| at)
    }

    #[test]
    fn ordinary_declarations_nest_shallowly() {
        for text in [
            "int f(int (*cmp)(const void *, const void *), char **argv, double m[3][4]);",
            "struct s { struct { union { int a; float b; } u; } inner[2]; int *p; };",
            "enum e { A = 1 << 0, B = 1 << 1, C = (A | B) * 2 };",
            "static inline int f(int a) { if (a) return 1; else if (a > 2) return 2; return 0; }",
        ] {
            assert_eq!(depth_error(text), None, "{text}");
        }
    }

    #[test]
    fn each_kind_of_nesting_counts() {
        let n = MAX_NESTING + 1;
        for text in [
            format!("int {}x{};", "(".repeat(n), ")".repeat(n)),
            format!("int {}x;", "*".repeat(n)),
            format!("int x{};", "[1]".repeat(n)),
            format!("int x[{}1];", "- ".repeat(n)),
            format!("int x[{}1];", "(int)".repeat(n)),
            format!("int x[1{}];", " + 1".repeat(n)),
            format!("int x[{}1];", "sizeof ".repeat(n)),
            format!("{}int x;{}", "struct { ".repeat(n), " } y;".repeat(n)),
            format!("void f(void) {{ {} }}", "x: ".repeat(n)),
        ] {
            assert!(depth_error(&text).is_some(), "{text}");
        }
        // Struct bodies inside parentheses are limited more tightly: lang-c
        // takes exponential time over them.
        let nested = |n: usize| {
            let open = "int x[sizeof(struct { int a[".repeat(n);
            format!("{open}1{}];", "]; })".repeat(n))
        };
        assert_eq!(depth_error(&nested(MAX_BRACES_IN_BRACKETS)), None);
        assert!(depth_error(&nested(MAX_BRACES_IN_BRACKETS + 1)).is_some());
        // Separators end a run: many parameters, members and constants are flat.
        let members: String = (0..2 * n).map(|i| format!("int *a{i}[2];")).collect();
        assert_eq!(depth_error(&format!("struct s {{ {members} }};")), None);
    }

    #[test]
    fn literals_and_line_markers_are_passed_over() {
        let deep = "(".repeat(MAX_NESTING + 1);
        assert_eq!(depth_error(&format!("int x __asm__(\"{deep}\");")), None);
        assert_eq!(depth_error(&format!("# 1 \"{deep}\"\nint x;")), None);
        assert_eq!(
            depth_error(&format!("char c = '(';\nint x{deep};")),
            Some(19 + MAX_NESTING)
        );
    }

    #[test]
    fn function_bodies_are_blanked_where_they_stand() {
        let body = "\n  if (a) { return 1; }\n";
        let text = format!("int f(int a) {{{body}}}\nstruct s {{ int x; }};");
        let blank = "\n                      \n";
        let expected = format!("int f(int a) {{{blank}}}\nstruct s {{ int x; }};");
        assert_eq!(blank_function_bodies(&text), expected);
        // Attribute groups are no parameter lists; struct bodies stay.
        let text = "struct __attribute__((packed)) { int x; } v; int (*g(void))(int) { return 0; }";
        let expected =
            "struct __attribute__((packed)) { int x; } v; int (*g(void))(int) {           }";
        assert_eq!(blank_function_bodies(text), expected);
    }
}
