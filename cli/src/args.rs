//! Command-line words to argument values, and results back to text.

use rctypes::{CType, FunctionDecl, LongDouble, Scalar, StringBuffer, Value};

/// An argument's storage while the call runs.
pub enum Holder {
    /// A scalar or string.
    Plain(Value<'static>),
    /// A borrowed C string from the command line.
    Text(String),
    /// An array C reads or writes; `out` says to print it afterwards.
    Array { data: Array, out: bool },
    /// A `char*` buffer C writes.
    Buffer(StringBuffer),
}

/// The typed storage of an array argument.
pub enum Array {
    I8(Vec<i8>),
    U8(Vec<u8>),
    I16(Vec<i16>),
    U16(Vec<u16>),
    I32(Vec<i32>),
    U32(Vec<u32>),
    I64(Vec<i64>),
    U64(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    Bool(Vec<bool>),
}

macro_rules! each_array {
    ($array:expr, $v:ident => $body:expr) => {
        match $array {
            Array::I8($v) => $body,
            Array::U8($v) => $body,
            Array::I16($v) => $body,
            Array::U16($v) => $body,
            Array::I32($v) => $body,
            Array::U32($v) => $body,
            Array::I64($v) => $body,
            Array::U64($v) => $body,
            Array::F32($v) => $body,
            Array::F64($v) => $body,
            Array::Bool($v) => $body,
        }
    };
}

impl Holder {
    /// The value to pass, borrowing this storage.
    pub fn value(&mut self) -> Value<'_> {
        match self {
            Holder::Plain(v) => std::mem::replace(v, Value::Null),
            Holder::Text(s) => Value::Str(s),
            Holder::Array { data, out: true } => each_array!(data, v => Value::from(v)),
            Holder::Array { data, out: false } => each_array!(data, v => Value::from(&*v)),
            Holder::Buffer(b) => Value::from(b),
        }
    }

    /// What C wrote, for out-parameters.
    pub fn written(&self) -> Option<String> {
        match self {
            Holder::Array { data, out: true } => Some(each_array!(data, v => format!("{v:?}"))),
            Holder::Buffer(b) => Some(format!("{:?}", String::from_utf8_lossy(b.as_bytes()))),
            _ => None,
        }
    }
}

/// Parses one word per declared parameter (and, for a variadic function,
/// the words past them by their look: integer, float or string).
pub fn parse_all(decl: &FunctionDecl, words: &[String]) -> Result<Vec<Holder>, String> {
    let fixed = decl.args.len();
    if words.len() < fixed || (!decl.variadic && words.len() > fixed) {
        let at_least = if decl.variadic { "at least " } else { "" };
        return Err(format!(
            "{}: expected {at_least}{fixed} argument(s), given {}",
            decl.name,
            words.len()
        ));
    }
    let mut out = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let holder = match decl.args.get(i) {
            Some(ty) => parse(word, ty),
            None => Ok(guess(word)),
        };
        out.push(holder.map_err(|e| format!("{}: argument {}: {e}", decl.name, i + 1))?);
    }
    Ok(out)
}

/// A variadic argument: an integer, a float, or else a string.
fn guess(word: &str) -> Holder {
    if let Some(i) = parse_int(word) {
        Holder::Plain(Value::Int(i))
    } else if let Ok(f) = word.parse::<f64>() {
        Holder::Plain(Value::Float(f))
    } else {
        Holder::Text(word.to_owned())
    }
}

/// The longest array or buffer a command line may ask for: more is a typo
/// (or a way to exhaust memory), not an argument.
pub const MAX_LEN: usize = 1 << 24;

/// A decimal or `0x` hexadecimal integer with at most one sign, before any
/// prefix: `-0x10`, `+7`, not `--5` or `0x-5`.
fn parse_int(word: &str) -> Option<i128> {
    let (negative, unsigned) = match word.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, word.strip_prefix('+').unwrap_or(word)),
    };
    let (radix, digits) = match unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, unsigned),
    };
    // Only digits: Rust's integer parsing would take a second sign.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if negative {
        0i128.checked_sub_unsigned(magnitude)
    } else {
        i128::try_from(magnitude).ok()
    }
}

/// An array or buffer length, at most [`MAX_LEN`].
fn parse_len(text: &str, word: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("bad length in {word:?}"))?;
    if n > MAX_LEN {
        return Err(format!(
            "length {n} in {word:?} is more than the command line takes ({MAX_LEN})"
        ));
    }
    Ok(n)
}

fn parse(word: &str, ty: &CType) -> Result<Holder, String> {
    // The call itself refuses NULL where the parameter is not nullable.
    if word == "null" && ty.is_pointer() {
        return Ok(Holder::Plain(Value::Null));
    }
    // A pointer's contract is checked by the call; the value is parsed by
    // the pointer type.
    let ty = ty.bare();
    match ty {
        CType::CharP | CType::WCharP => return Ok(Holder::Text(word.to_owned())),
        CType::Bool => {
            return match word {
                "true" | "1" => Ok(Holder::Plain(Value::Bool(true))),
                "false" | "0" => Ok(Holder::Plain(Value::Bool(false))),
                _ => Err(format!("expected true or false, given {word:?}")),
            };
        }
        CType::Char | CType::WChar if word.chars().count() == 1 && parse_int(word).is_none() => {
            return Ok(Holder::Plain(Value::from(
                word.chars().next().unwrap_or('\0'),
            )));
        }
        CType::LongDouble => {
            return match (parse_int(word), word.parse::<f64>()) {
                (Some(i), _) if i64::try_from(i).is_ok() => {
                    Ok(Holder::Plain(LongDouble::from(i as i64).into()))
                }
                (Some(i), _) if u64::try_from(i).is_ok() => {
                    Ok(Holder::Plain(LongDouble::from(i as u64).into()))
                }
                (_, Ok(f)) => Ok(Holder::Plain(LongDouble::from(f).into())),
                _ => Err(format!("expected a number, given {word:?}")),
            };
        }
        _ => {}
    }
    if ty.is_integer() {
        return parse_int(word)
            .map(|i| Holder::Plain(Value::Int(i)))
            .ok_or_else(|| format!("expected an integer, given {word:?}"));
    }
    if ty.is_float() {
        return word
            .parse::<f64>()
            .map(|f| Holder::Plain(Value::Float(f)))
            .map_err(|_| format!("expected a number, given {word:?}"));
    }
    match ty {
        CType::Pointer(p) | CType::ConstPointer(p) => {
            let out = matches!(ty, CType::Pointer(_));
            if let Some(n) = word.strip_prefix("buf:") {
                let n = parse_len(n, word).map_err(|e| format!("expected buf:SIZE: {e}"))?;
                if matches!(**p, CType::Char) {
                    return Ok(Holder::Buffer(StringBuffer::new(n)));
                }
                return Err(format!(
                    "buf:SIZE is for char buffers; {ty} takes an array like [0;{n}]"
                ));
            }
            let data = parse_array(word, p).map_err(|e| format!("{e} (for {ty})"))?;
            Ok(Holder::Array { data, out })
        }
        _ => Err(format!("{ty} cannot be given on the command line")),
    }
}

/// The elements of an array argument: a list, or one value repeated.
enum Items<'a> {
    List(Vec<&'a str>),
    Repeat(&'a str, usize),
}

impl Items<'_> {
    fn typed<T: Scalar>(&self) -> Result<Vec<T>, String> {
        match self {
            Items::List(words) => words.iter().map(|w| element(w)).collect(),
            Items::Repeat(w, n) => Ok(vec![element(w)?; *n]),
        }
    }
}

/// One array element: an integer or a float, range-checked as a `T`.
fn element<T: Scalar>(w: &str) -> Result<T, String> {
    let value = match parse_int(w) {
        Some(i) => Value::Int(i),
        None => Value::Float(
            w.parse::<f64>()
                .map_err(|_| format!("expected a number, given {w:?}"))?,
        ),
    };
    T::from_value(&value).map_err(|e| e.to_string())
}

/// `[1, 2, 3]` or `[0; 8]`, as elements of `elem`.
fn parse_array(word: &str, elem: &CType) -> Result<Array, String> {
    let inner = word
        .trim()
        .strip_prefix('[')
        .and_then(|w| w.strip_suffix(']'))
        .ok_or_else(|| format!("expected an array like [1,2,3] or [0;8], given {word:?}"))?;
    let items = match inner.split_once(';') {
        Some((value, count)) => Items::Repeat(value.trim(), parse_len(count, word)?),
        None if inner.trim().is_empty() => Items::List(Vec::new()),
        None => Items::List(inner.split(',').map(str::trim).collect()),
    };
    let probe = elem.size();
    Ok(match (elem.is_float(), elem.is_integer(), probe) {
        (true, _, 4) => Array::F32(items.typed()?),
        (true, _, 8) => Array::F64(items.typed()?),
        _ if *elem == CType::Bool => Array::Bool(items.typed()?),
        (false, true, size) => {
            let signed = elem.int_range().is_some_and(|(lo, _)| lo < 0);
            match (size, signed) {
                (1, true) => Array::I8(items.typed()?),
                (1, false) => Array::U8(items.typed()?),
                (2, true) => Array::I16(items.typed()?),
                (2, false) => Array::U16(items.typed()?),
                (4, true) => Array::I32(items.typed()?),
                (4, false) => Array::U32(items.typed()?),
                (_, true) => Array::I64(items.typed()?),
                (_, false) => Array::U64(items.typed()?),
            }
        }
        _ => {
            return Err(format!(
                "arrays of {elem} cannot be given on the command line"
            ));
        }
    })
}

/// A result as the command prints it.
pub fn show(value: &Value<'_>) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::LongDouble(v) => v.to_string(),
        Value::CStr(s) => String::from_utf8_lossy(s.to_bytes()).into_owned(),
        Value::String(s) => s.clone(),
        Value::Null => "NULL".into(),
        Value::Pointer(p) => format!("{:#x}", p.addr()),
        other => other.describe(),
    }
}

#[cfg(test)]
mod tests;
