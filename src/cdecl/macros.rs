//! `#define` constants: object-like macros whose bodies, expanded, are an
//! integer, floating or string constant expression, evaluated with C's
//! integer types (`~0U` is 4294967295, `-1L` stays -1).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::Declarations;
use crate::types::CType;
use crate::value::Value;

/// The value of a `#define`d constant.
///
/// ```
/// use rctypes::{Constant, Value};
/// let c = Constant::Str("1.3".into());
/// assert_eq!(c.to_string(), "\"1.3\"");
/// assert_eq!(Value::from(&Constant::Int(-5)), Value::Int(-5));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// An integer, with C's type rules applied (`~0U` is 4294967295).
    Int(i128),
    /// A floating constant.
    Float(f64),
    /// A string literal (adjacent literals joined, escapes read).
    Str(String),
}

impl Constant {
    /// The constant as an argument.
    pub fn to_value(&self) -> Value<'_> {
        match self {
            Constant::Int(i) => Value::Int(*i),
            Constant::Float(f) => Value::Float(*f),
            Constant::Str(s) => Value::Str(s),
        }
    }
}

impl<'a> From<&'a Constant> for Value<'a> {
    fn from(c: &'a Constant) -> Value<'a> {
        c.to_value()
    }
}

impl fmt::Display for Constant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constant::Int(i) => write!(f, "{i}"),
            Constant::Float(x) => write!(f, "{x}"),
            Constant::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// Object-like macros as the preprocessor left them defined: name → body.
pub(crate) type Bodies = HashMap<String, String>;

/// Evaluates the macros named in `exposed` that are constants, with every
/// macro in `bodies` available for expansion and the enum constants and
/// typedefs of `decls`.
pub(crate) fn evaluate(
    bodies: &Bodies,
    exposed: &[String],
    decls: &Declarations,
) -> BTreeMap<String, Constant> {
    let mut out = BTreeMap::new();
    for name in exposed {
        let Some((name, body)) = bodies.get_key_value(name) else {
            continue;
        };
        let mut tokens = Vec::new();
        if !expand(body, bodies, &mut vec![name.as_str()], &mut tokens) || tokens.is_empty() {
            continue;
        }
        let mut p = Parser {
            tokens: &tokens,
            pos: 0,
            decls,
        };
        if let Some(v) = p.ternary()
            && p.pos == tokens.len()
            && let Some(c) = v.constant()
        {
            out.insert(name.clone(), c);
        }
    }
    out
}

/// How deeply macros may expand into macros.
const MAX_EXPANSION: usize = 32;

/// Appends `body`'s tokens to `out`, object-like macros expanded; false if
/// the body cannot be a constant (a function-like macro, too deep).
fn expand<'b>(
    body: &str,
    bodies: &'b Bodies,
    active: &mut Vec<&'b str>,
    out: &mut Vec<String>,
) -> bool {
    if active.len() > MAX_EXPANSION {
        return false;
    }
    let Some(tokens) = tokenize(body) else {
        return false;
    };
    for t in tokens {
        let is_ident = t.starts_with(|c: char| c.is_alphabetic() || c == '_');
        match bodies.get(&t) {
            Some(inner) if is_ident && !active.contains(&t.as_str()) => {
                let Some((name, _)) = bodies.get_key_value(&t) else {
                    return false;
                };
                active.push(name);
                let ok = expand(inner, bodies, active, out);
                active.pop();
                if !ok {
                    return false;
                }
            }
            _ => out.push(t),
        }
    }
    true
}

/// C's tokens, roughly: numbers, names, literals, punctuators.
fn tokenize(text: &str) -> Option<Vec<String>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            // A pp-number: digits, letters, dots, and signs after exponents.
            i += 1;
            while i < b.len() {
                let d = b[i];
                let sign =
                    (d == b'+' || d == b'-') && matches!(b[i - 1], b'e' | b'E' | b'p' | b'P');
                if d.is_ascii_alphanumeric() || d == b'.' || d == b'_' || sign {
                    i += 1;
                } else {
                    break;
                }
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            // A string's prefix belongs to the string.
            if i < b.len()
                && matches!(b[i], b'"' | b'\'')
                && matches!(&text[start..i], "L" | "u" | "U" | "u8")
            {
                return None;
            }
        } else if c == b'"' || c == b'\'' {
            i += 1;
            while i < b.len() && b[i] != c {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            if i >= b.len() {
                return None;
            }
            i += 1;
        } else {
            let two = text.get(i..i + 2).unwrap_or("");
            i += if ["<<", ">>", "<=", ">=", "==", "!=", "&&", "||"].contains(&two) {
                2
            } else {
                1
            };
        }
        out.push(text[start..i].to_owned());
    }
    Some(out)
}

/// A value while evaluating: an integer of C type (width in bits and
/// signedness), a double, or a string.
#[derive(Clone, Debug)]
enum Val {
    Int { v: i128, bits: u32, unsigned: bool },
    Float(f64),
    Str(String),
}

impl Val {
    fn int(v: i128, bits: u32, unsigned: bool) -> Val {
        // Wrap as the C type does.
        let v = if bits >= 128 {
            v
        } else if unsigned {
            v.rem_euclid(1i128 << bits)
        } else {
            let m = 1i128 << bits;
            let r = v.rem_euclid(m);
            if r >= m / 2 { r - m } else { r }
        };
        Val::Int { v, bits, unsigned }
    }

    fn constant(self) -> Option<Constant> {
        Some(match self {
            Val::Int { v, .. } => Constant::Int(v),
            Val::Float(f) => Constant::Float(f),
            Val::Str(s) => Constant::Str(s),
        })
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Int { v, .. } => Some(*v as f64),
            Val::Float(f) => Some(*f),
            Val::Str(_) => None,
        }
    }

    fn truth(&self) -> Option<bool> {
        match self {
            Val::Int { v, .. } => Some(*v != 0),
            Val::Float(f) => Some(*f != 0.0),
            Val::Str(_) => None,
        }
    }
}

/// The integer type both operands take (C's usual arithmetic conversions).
fn common(a: (u32, bool), b: (u32, bool)) -> (u32, bool) {
    let bits = a.0.max(b.0).max(32);
    let unsigned = match a.0.cmp(&b.0) {
        std::cmp::Ordering::Greater => a.1 && a.0 >= 32,
        std::cmp::Ordering::Less => b.1 && b.0 >= 32,
        std::cmp::Ordering::Equal => (a.1 || b.1) && a.0 >= 32,
    };
    (bits, unsigned)
}

struct Parser<'t, 'd> {
    tokens: &'t [String],
    pos: usize,
    decls: &'d Declarations,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn eat(&mut self, t: &str) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ternary(&mut self) -> Option<Val> {
        let cond = self.binary(0)?;
        if !self.eat("?") {
            return Some(cond);
        }
        let then = self.ternary()?;
        if !self.eat(":") {
            return None;
        }
        let other = self.ternary()?;
        Some(if cond.truth()? { then } else { other })
    }

    fn binary(&mut self, min: u8) -> Option<Val> {
        let mut lhs = self.unary()?;
        while let Some(op) = self.peek() {
            let prec = match op {
                "*" | "/" | "%" => 10,
                "+" | "-" => 9,
                "<<" | ">>" => 8,
                "<" | ">" | "<=" | ">=" => 7,
                "==" | "!=" => 6,
                "&" => 5,
                "^" => 4,
                "|" => 3,
                "&&" => 2,
                "||" => 1,
                _ => break,
            };
            // Left to right: an operator binding no tighter ends the operand.
            if prec <= min {
                break;
            }
            let op = op.to_owned();
            self.pos += 1;
            let rhs = self.binary(prec)?;
            lhs = apply(&op, lhs, rhs)?;
        }
        Some(lhs)
    }

    fn unary(&mut self) -> Option<Val> {
        match self.peek()? {
            "-" => {
                self.pos += 1;
                Some(match self.unary()? {
                    Val::Int { v, bits, unsigned } => Val::int(-v, bits, unsigned),
                    Val::Float(f) => Val::Float(-f),
                    Val::Str(_) => return None,
                })
            }
            "+" => {
                self.pos += 1;
                self.unary()
            }
            "~" => {
                self.pos += 1;
                match self.unary()? {
                    Val::Int { v, bits, unsigned } => Some(Val::int(!v, bits, unsigned)),
                    _ => None,
                }
            }
            "!" => {
                self.pos += 1;
                let t = self.unary()?.truth()?;
                Some(Val::int(i128::from(!t), 32, false))
            }
            "(" => {
                self.pos += 1;
                if let Some(cast) = self.cast_type() {
                    let v = self.unary()?;
                    return convert(v, cast);
                }
                let v = self.ternary()?;
                self.eat(")").then_some(v)
            }
            _ => self.primary(),
        }
    }

    /// A cast's type, `(unsigned long)` or `(uInt)`, read up to its `)`; the
    /// position is left alone if what follows `(` is no type.
    fn cast_type(&mut self) -> Option<Cast> {
        let start = self.pos;
        let mut words = Vec::new();
        while let Some(t) = self.peek() {
            if t == ")" {
                break;
            }
            words.push(t.to_owned());
            self.pos += 1;
        }
        let cast = self.eat(")").then(|| cast_of(&words, self.decls)).flatten();
        if cast.is_none() {
            self.pos = start;
        }
        cast
    }

    fn primary(&mut self) -> Option<Val> {
        let t = self.peek()?.to_owned();
        self.pos += 1;
        if t.starts_with('"') {
            let mut s = unescape(&t[1..t.len() - 1])?;
            while let Some(next) = self.peek().filter(|n| n.starts_with('"')) {
                s.push_str(&unescape(&next[1..next.len() - 1])?);
                self.pos += 1;
            }
            return Some(Val::Str(s));
        }
        if t.starts_with('\'') {
            let s = unescape(&t[1..t.len() - 1])?;
            let mut chars = s.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) if (c as u32) < 0x80 => Some(Val::int(c as i128, 32, false)),
                _ => None,
            };
        }
        if t.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return number(&t);
        }
        // An enum constant.
        self.decls
            .constant(&t)
            .map(|v| Val::int(v, 32.max(bits_for(v)), false))
    }
}

/// The width of the smallest signed type `v` fits.
fn bits_for(v: i128) -> u32 {
    if i32::try_from(v).is_ok() { 32 } else { 64 }
}

/// What a cast converts to.
#[derive(Clone, Copy)]
enum Cast {
    Int { bits: u32, unsigned: bool },
    Float,
}

/// The cast a parenthesised run of words names: arithmetic types only (a
/// pointer cast makes no constant here).
fn cast_of(words: &[String], decls: &Declarations) -> Option<Cast> {
    let ty = match words {
        [one] if decls.typedef(one).is_some() => decls.typedef(one)?.clone(),
        _ => {
            let mut longs = 0;
            let (mut unsigned, mut any) = (false, false);
            let mut base = None;
            for w in words {
                any = true;
                match w.as_str() {
                    "unsigned" => unsigned = true,
                    "signed" | "const" | "volatile" => {}
                    "long" => longs += 1,
                    "char" | "short" | "int" | "float" | "double" | "_Bool" => {
                        base = Some(w.as_str())
                    }
                    _ => return None,
                }
            }
            if !any {
                return None;
            }
            match (base, longs, unsigned) {
                (Some("float") | Some("double"), _, _) => CType::Double,
                (Some("_Bool"), _, _) => CType::Bool,
                (Some("char"), _, u) => {
                    if u {
                        CType::UByte
                    } else {
                        CType::Byte
                    }
                }
                (Some("short"), _, u) => {
                    if u {
                        CType::UShort
                    } else {
                        CType::Short
                    }
                }
                (_, 0, u) => {
                    if u {
                        CType::UInt
                    } else {
                        CType::Int
                    }
                }
                (_, 1, u) => {
                    if u {
                        CType::ULong
                    } else {
                        CType::Long
                    }
                }
                (_, _, u) => {
                    if u {
                        CType::ULongLong
                    } else {
                        CType::LongLong
                    }
                }
            }
        }
    };
    if ty.is_float() {
        return Some(Cast::Float);
    }
    let (lo, _) = ty.int_range()?;
    Some(Cast::Int {
        bits: (ty.size() * 8) as u32,
        unsigned: lo == 0,
    })
}

fn convert(v: Val, cast: Cast) -> Option<Val> {
    Some(match (v, cast) {
        (Val::Int { v, .. }, Cast::Int { bits, unsigned }) => Val::int(v, bits, unsigned),
        (Val::Float(f), Cast::Int { bits, unsigned }) => Val::int(f as i128, bits, unsigned),
        (v, Cast::Float) => Val::Float(v.as_f64()?),
        (Val::Str(_), _) => return None,
    })
}

fn apply(op: &str, a: Val, b: Val) -> Option<Val> {
    if matches!(a, Val::Str(_)) || matches!(b, Val::Str(_)) {
        return None;
    }
    match op {
        "&&" => return Some(Val::int(i128::from(a.truth()? && b.truth()?), 32, false)),
        "||" => return Some(Val::int(i128::from(a.truth()? || b.truth()?), 32, false)),
        _ => {}
    }
    if let (
        Val::Int {
            v: x,
            bits: xb,
            unsigned: xu,
        },
        Val::Int {
            v: y,
            bits: yb,
            unsigned: yu,
        },
    ) = (&a, &b)
    {
        let (x, y) = (*x, *y);
        if matches!(op, "<<" | ">>") {
            let (bits, unsigned) = common((*xb, *xu), (*xb, *xu));
            let shift = u32::try_from(y).ok().filter(|s| *s < bits)?;
            let v = if op == "<<" { x << shift } else { x >> shift };
            return Some(Val::int(v, bits, unsigned));
        }
        let (bits, unsigned) = common((*xb, *xu), (*yb, *yu));
        let (x, y) = match (Val::int(x, bits, unsigned), Val::int(y, bits, unsigned)) {
            (Val::Int { v: x, .. }, Val::Int { v: y, .. }) => (x, y),
            _ => return None,
        };
        if let Some(t) = compare(op, x, y) {
            return Some(Val::int(i128::from(t), 32, false));
        }
        let v = match op {
            "+" => x + y,
            "-" => x - y,
            "*" => x.checked_mul(y)?,
            "/" => x.checked_div(y)?,
            "%" => x.checked_rem(y)?,
            "&" => x & y,
            "|" => x | y,
            "^" => x ^ y,
            _ => return None,
        };
        return Some(Val::int(v, bits, unsigned));
    }
    let (x, y) = (a.as_f64()?, b.as_f64()?);
    if let Some(t) = compare(op, x, y) {
        return Some(Val::int(i128::from(t), 32, false));
    }
    Some(Val::Float(match op {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        "/" => x / y,
        _ => return None,
    }))
}

/// A comparison's truth, or `None` if `op` compares nothing.
fn compare<T: PartialOrd>(op: &str, x: T, y: T) -> Option<bool> {
    Some(match op {
        "<" => x < y,
        ">" => x > y,
        "<=" => x <= y,
        ">=" => x >= y,
        "==" => x == y,
        "!=" => x != y,
        _ => return None,
    })
}

/// An integer or floating literal, typed as C types it.
fn number(t: &str) -> Option<Val> {
    let lower = t.to_ascii_lowercase();
    let is_hex = lower.starts_with("0x");
    let is_float = if is_hex {
        lower.contains('p')
    } else {
        lower.contains('.') || lower.contains('e')
    };
    if is_float {
        // Decimal floating constants; hex floats are left out.
        let digits = lower.trim_end_matches(['f', 'l']);
        return if is_hex {
            None
        } else {
            digits.parse().ok().map(Val::Float)
        };
    }
    let digits = lower.trim_end_matches(['u', 'l']);
    let suffix = &lower[digits.len()..];
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(b) = digits.strip_prefix("0b") {
        (2, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    let v = i128::from_str_radix(&body.replace('\'', ""), radix).ok()?;
    let unsigned_suffix = suffix.contains('u');
    let long_suffix = suffix.contains('l');
    // The first type of the list C gives that holds the value.
    let candidates: &[(u32, bool)] = match (unsigned_suffix, long_suffix, radix == 10) {
        (false, false, true) => &[(32, false), (64, false)],
        (false, false, false) => &[(32, false), (32, true), (64, false), (64, true)],
        (true, false, _) => &[(32, true), (64, true)],
        (false, true, true) => &[(64, false)],
        (false, true, false) => &[(64, false), (64, true)],
        (true, true, _) => &[(64, true)],
    };
    candidates
        .iter()
        .find(|(bits, unsigned)| {
            let max = if *unsigned {
                (1i128 << bits) - 1
            } else {
                (1i128 << (bits - 1)) - 1
            };
            v <= max
        })
        .map(|&(bits, unsigned)| Val::int(v, bits, unsigned))
}

/// A literal's text with C's escapes read.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        out.push(match e {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'a' => '\x07',
            'b' => '\x08',
            'f' => '\x0c',
            'v' => '\x0b',
            '\\' | '\'' | '"' | '?' => e,
            'x' => {
                let mut v = 0u32;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(16)) {
                    v = v.checked_mul(16)?.checked_add(d)?;
                    chars.next();
                }
                char::from_u32(v)?
            }
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                char::from_u32(v)?
            }
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(defs: &[(&str, &str)], name: &str) -> Option<Constant> {
        let bodies: Bodies = defs
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_string()))
            .collect();
        let mut decls = Declarations::new();
        decls
            .parse("typedef unsigned int uInt; enum e { E_SEVEN = 7 };")
            .unwrap();
        evaluate(&bodies, &[name.to_owned()], &decls).remove(name)
    }

    #[test]
    fn integers_follow_c_types() {
        assert_eq!(eval(&[("A", "(-5)")], "A"), Some(Constant::Int(-5)));
        assert_eq!(eval(&[("A", "~0U")], "A"), Some(Constant::Int(4294967295)));
        assert_eq!(
            eval(&[("A", "0xFFFFFFFF")], "A"),
            Some(Constant::Int(4294967295))
        );
        assert_eq!(eval(&[("A", "(-1L)")], "A"), Some(Constant::Int(-1)));
        assert_eq!(
            eval(&[("A", "(1 << 4) | B"), ("B", "3")], "A"),
            Some(Constant::Int(19))
        );
        assert_eq!(
            eval(&[("A", "((uInt)-1)")], "A"),
            Some(Constant::Int(4294967295))
        );
        assert_eq!(eval(&[("A", "E_SEVEN * 2")], "A"), Some(Constant::Int(14)));
        assert_eq!(eval(&[("A", "'a'")], "A"), Some(Constant::Int(97)));
        assert_eq!(eval(&[("A", "1 ? 2 : 3")], "A"), Some(Constant::Int(2)));
        assert_eq!(eval(&[("A", "10 - 2 - 3")], "A"), Some(Constant::Int(5)));
    }

    #[test]
    fn floats_and_strings() {
        assert_eq!(eval(&[("A", "1.5e3f")], "A"), Some(Constant::Float(1500.0)));
        assert_eq!(
            eval(&[("A", "\"1.3\" \".1\"")], "A"),
            Some(Constant::Str("1.3.1".into()))
        );
        assert_eq!(
            eval(&[("A", "\"a\\tb\\x41\"")], "A"),
            Some(Constant::Str("a\tbA".into()))
        );
    }

    #[test]
    fn what_is_no_constant_is_left_out() {
        for body in [
            "((void *)0)",
            "f(1)",
            "do { } while (0)",
            "1 +",
            "A",
            "1 / 0",
            "",
        ] {
            assert_eq!(eval(&[("A", body), ("f", "g")], "A"), None, "{body}");
        }
    }
}
