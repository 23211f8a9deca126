//! Fixed-size C arrays in C's memory (an exported `const char version[20]`,
//! an `int table[4]`): read whole, as ctypes reads `c_char * n` as a string
//! and other arrays element by element, and written whole.

use std::borrow::Cow;
use std::ffi::CString;

use crate::error::{Error, Result};
use crate::types::CType;
use crate::value::{Keep, Slot, Value, decode, encode};

/// Whether an array of `elem` can be read and written whole, or why not:
/// its elements are characters or numbers (no pointers, structs or nested
/// arrays, which would need their own contracts).
pub(crate) fn check_elements(elem: &CType) -> Result<(), String> {
    if is_char(elem) || elem.is_integer() || elem.is_float() || *elem == CType::Bool {
        return Ok(());
    }
    Err(format!(
        "an array of {elem}: only arrays of characters and numbers are read and written whole"
    ))
}

/// Whether an array of `elem` reads as a string.
fn is_char(elem: &CType) -> bool {
    elem.is_narrow_char()
}

/// Reads the array `elem[len]` at `at`: characters as the string up to
/// the first NUL (all of them if there is none), other elements as
/// [`Value::Elements`].
///
/// # Safety
///
/// `at` must point to `len` initialised, readable `elem`s, which
/// [`check_elements`] accepts.
pub(crate) unsafe fn read(at: *const u8, elem: &CType, len: usize) -> Value<'static> {
    if is_char(elem) {
        // SAFETY: the caller's: `len` readable bytes.
        let bytes = unsafe { std::slice::from_raw_parts(at, len) };
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(len);
        let text = CString::new(&bytes[..end]).expect("no NUL before the first NUL");
        return Value::CStr(Cow::Owned(text));
    }
    let size = elem.size();
    // SAFETY: the caller's: element `i` lies `i * size` bytes on.
    let items = (0..len).map(|i| unsafe { decode(at.add(i * size), elem) });
    Value::Elements(items.collect())
}

/// Writes `value` over the array `elem[len]` at `at`: a string into an
/// array of characters (the rest zeroed), else as many elements as it has
/// ([`Value::Elements`] or a slice), each range-checked. Nothing is
/// written unless all of it fits.
///
/// # Safety
///
/// `at` must point to `len` writable `elem`s, which [`check_elements`]
/// accepts.
pub(crate) unsafe fn write(at: *mut u8, elem: &CType, len: usize, value: &Value<'_>) -> Result<()> {
    let image = if is_char(elem) {
        chars_image(value, len)
    } else {
        elements_image(value, elem, len)
    };
    let image = image.map_err(|given| Error::Conversion {
        expected: CType::array(elem.clone(), len).to_string(),
        given,
    })?;
    // SAFETY: the caller's; `image` is the array's size.
    unsafe { std::ptr::copy_nonoverlapping(image.as_ptr(), at, image.len()) };
    Ok(())
}

/// The bytes of a string in an array of `len` characters, zero-filled, or
/// what was given instead.
fn chars_image(value: &Value<'_>, len: usize) -> std::result::Result<Vec<u8>, String> {
    let bytes: &[u8] = match value {
        Value::Str(s) => s.as_bytes(),
        Value::CStr(s) => s.to_bytes(),
        Value::String(s) => s.as_bytes(),
        other => return Err(format!("{}, where a string is expected", other.describe())),
    };
    if bytes.len() > len {
        return Err(format!(
            "{}, {} bytes long, where the array holds {len}",
            value.describe(),
            bytes.len()
        ));
    }
    let mut image = bytes.to_vec();
    image.resize(len, 0);
    Ok(image)
}

/// The bytes of `len` elements: values each range-checked against
/// `elem`, or a slice of elements of `elem`'s own C type, copied as is;
/// or what was given instead.
fn elements_image(
    value: &Value<'_>,
    elem: &CType,
    len: usize,
) -> std::result::Result<Vec<u8>, String> {
    let count = |given: usize| format!("{given} elements, where the array holds {len}");
    match value {
        Value::Elements(items) if items.len() != len => Err(count(items.len())),
        Value::Elements(items) => {
            let size = elem.size();
            let mut image = Vec::with_capacity(size * len);
            for (i, item) in items.iter().enumerate() {
                let mut slot = Slot::ZERO;
                encode(item, elem, &mut slot, &mut Keep::default()).map_err(|m| {
                    format!("element {i}: {}, where {} is expected", m.given, m.expected)
                })?;
                image.extend_from_slice(&slot.0[..size]);
            }
            Ok(image)
        }
        Value::Array(a) => match a.elements_of(elem) {
            Some(bytes) if bytes.len() == elem.size() * len => Ok(bytes.to_vec()),
            Some(bytes) => Err(count(bytes.len() / elem.size().max(1))),
            None => Err(a.describe()),
        },
        other => Err(other.describe()),
    }
}
