//! Reading and writing one field of a struct held in memory, by name.
//!
//! A path names a field: `x`, a nested one `inner.x`, an array element
//! `values[2]`, or any mix (`rows[1].cells[0]`). Every read decodes the
//! field's C type into a [`Value`]; every write converts a [`Value`] as a call
//! argument is converted, range-checked, so the bytes always hold a valid
//! value of the field's type.

use std::borrow::Cow;
use std::ffi::CString;

use crate::error::{Error, Result};
use crate::types::{CType, Kind};
use crate::value::{Keep, Value, decode, encode_long_double, encode_word};

use crate::types::layout::{Bits, StructLayout};
use crate::value::StructValue;

/// Where a path leads: an offset from the start of the outermost struct,
/// the type there, and for a bitfield its bits (counted from that start).
#[derive(Debug)]
pub(crate) struct Place<'l> {
    pub offset: usize,
    pub ctype: &'l CType,
    pub bits: Option<Bits>,
}

fn field_error(layout: &StructLayout, path: &str, message: String) -> Error {
    Error::Field {
        name: layout.title(),
        field: path.to_owned(),
        message,
    }
}

/// Resolves `path` in `layout`.
pub(crate) fn resolve<'l>(layout: &'l StructLayout, path: &str) -> Result<Place<'l>> {
    let err = |m: String| field_error(layout, path, m);
    if path.is_empty() {
        return Err(err("an empty field name".into()));
    }
    let mut container: &StructLayout = layout;
    let mut place: Option<Place<'l>> = None;
    for segment in path.split('.') {
        let (name, mut rest) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        let base = match &place {
            None => 0,
            Some(p) => match p.ctype {
                CType::Struct(inner) if p.bits.is_none() => {
                    container = inner;
                    p.offset
                }
                other => {
                    return Err(err(format!(
                        "`{name}` is looked up in a value of type {other}, which has no fields"
                    )));
                }
            },
        };
        let Some(field) = container.field(name) else {
            let names: Vec<&str> = container.fields().iter().map(|f| f.name()).collect();
            return Err(err(format!(
                "{} has no field `{name}` (its fields: {})",
                container.title(),
                names.join(", ")
            )));
        };
        let bits = field.bits().map(|b| Bits {
            start: base * 8 + b.start,
            width: b.width,
        });
        let mut here = Place {
            offset: bits.map_or(base + field.offset(), |b| b.start / 8),
            ctype: field.ctype(),
            bits,
        };
        while !rest.is_empty() {
            let close = rest.find(']').filter(|_| rest.starts_with('['));
            let Some(close) = close else {
                return Err(err(format!(
                    "`{segment}` is not a field name or an element"
                )));
            };
            let index: usize = rest[1..close]
                .trim()
                .parse()
                .map_err(|_| err(format!("`{}` is not an index", &rest[1..close])))?;
            let CType::Array(elem, len) = here.ctype else {
                return Err(err(format!(
                    "`{name}` has type {}, which has no elements",
                    here.ctype
                )));
            };
            if index >= *len {
                return Err(err(format!(
                    "index {index} is out of bounds for `{name}` ({len} elements)"
                )));
            }
            here = Place {
                offset: here.offset + index * elem.size(),
                ctype: elem,
                bits: None,
            };
            rest = &rest[close + 1..];
        }
        place = Some(here);
    }
    place.ok_or_else(|| err("an empty field name".into()))
}

/// Whether a type is one of C's one-byte character types, whose arrays read
/// and write as strings.
fn is_byte(ty: &CType) -> bool {
    matches!(
        ty,
        CType::Char | CType::Byte | CType::UByte | CType::Int8 | CType::UInt8
    )
}

/// Refuses to read at `place` a pointer `StructLayout::shadowed_pointers` lists (or a
/// nested value holding one that its own layout does not list).
fn check_unshadowed(layout: &StructLayout, path: &str, place: &Place<'_>) -> Result<()> {
    let shadowed = layout.shadowed_pointers();
    if shadowed.is_empty() || place.bits.is_some() || !place.ctype.holds_pointers() {
        return Ok(());
    }
    let (start, end) = (place.offset, place.offset + place.ctype.size());
    let own: &[usize] = match place.ctype {
        CType::Struct(l) => l.shadowed_pointers(),
        _ => &[],
    };
    let first = shadowed.partition_point(|&s| s < start);
    let clash = shadowed[first..]
        .iter()
        .take_while(|&&s| s < end)
        .find(|&&s| own.binary_search(&(s - start)).is_err());
    match clash {
        None => Ok(()),
        Some(&at) => Err(field_error(
            layout,
            path,
            format!(
                "{} the pointer at offset {at}, whose bytes other members of a union share: \
                 written through them they would make an address up, so only unsafe code reads \
                 it (StructValue::get_unchecked)",
                if place.ctype.is_pointer() {
                    "is"
                } else {
                    "holds"
                }
            ),
        )),
    }
}

/// Reads the value at `place`, refusing pointers that share their bytes with
/// other members of a union (see [`shadowed_pointers`]).
///
/// # Safety
///
/// As [`read_unchecked`], except that a pointer field other members overlap
/// may hold anything.
pub(crate) unsafe fn read(
    layout: &StructLayout,
    path: &str,
    base: *const u8,
    place: &Place<'_>,
) -> Result<Value<'static>> {
    check_unshadowed(layout, path, place)?;
    // SAFETY: the caller's contract, and what it leaves open (pointers other
    // members overlap) was refused above.
    unsafe { read_unchecked(layout, path, base, place) }
}

/// Reads the value at `place`.
///
/// # Safety
///
/// `base` must point to a value of the layout `place` was resolved in, whose
/// fields (not necessarily its padding) are initialised, readable for the
/// layout's size; pointer fields must be null or valid as their types say
/// (a `char*` field is read as a string).
pub(crate) unsafe fn read_unchecked(
    layout: &StructLayout,
    path: &str,
    base: *const u8,
    place: &Place<'_>,
) -> Result<Value<'static>> {
    if let Some(bits) = place.bits {
        // SAFETY: the bitfield's bits lie inside the struct.
        return Ok(unsafe { read_bits(base, bits, place.ctype) });
    }
    // SAFETY: the place lies inside the struct (resolve checked every step).
    let at = unsafe { base.add(place.offset) };
    match place.ctype {
        CType::Struct(inner) => {
            // SAFETY: a nested struct's fields are initialised as the outer's are.
            let copy = unsafe { StructValue::copy_from(inner, at) };
            Ok(Value::Struct(Cow::Owned(copy)))
        }
        // Only `char` arrays read as strings (ctypes' `c_char * n`); other
        // byte arrays are numbers, read element by element.
        CType::Array(elem, len) if **elem == CType::Char => {
            // SAFETY: an array field's bytes are initialised.
            let bytes = unsafe { std::slice::from_raw_parts(at, *len) };
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            let text = CString::new(&bytes[..end]).map_err(|e| {
                field_error(layout, path, format!("holds a NUL at {}", e.nul_position()))
            })?;
            Ok(Value::CStr(Cow::Owned(text)))
        }
        CType::Array(..) => Err(field_error(
            layout,
            path,
            format!(
                "is an array ({}): read its elements, as `{path}[0]`, or all of them \
                 with get_array",
                place.ctype
            ),
        )),
        // SAFETY: the caller guarantees an initialised value of the type here.
        scalar => Ok(unsafe { decode(at, scalar) }),
    }
}

/// Reads a bitfield, sign-extending signed types.
///
/// # Safety
///
/// The bytes covering `bits` must be readable and initialised.
unsafe fn read_bits(base: *const u8, bits: Bits, ty: &CType) -> Value<'static> {
    let first = bits.start / 8;
    let shift = bits.start % 8;
    let nbytes = (shift + bits.width as usize).div_ceil(8);
    let mut word: u128 = 0;
    for i in 0..nbytes {
        // SAFETY: forwarded to the caller.
        let byte = unsafe { base.add(first + i).read() };
        word |= (byte as u128) << (8 * i);
    }
    let width = bits.width;
    let raw = (word >> shift) & ((1u128 << width) - 1);
    if ty.kind() == Kind::Bool {
        return Value::Bool(raw != 0);
    }
    let signed = ty.kind().rule().signed;
    if signed && raw >> (width - 1) & 1 == 1 {
        Value::Int(raw as i128 - (1i128 << width))
    } else {
        Value::Int(raw as i128)
    }
}

/// Writes `value` at `place`, converted to its type (range-checked).
///
/// # Safety
///
/// `base` must point to a writable value of the layout `place` was resolved
/// in. Every value written is a valid value of the field's C type.
pub(crate) unsafe fn write(
    layout: &StructLayout,
    path: &str,
    base: *mut u8,
    place: &Place<'_>,
    value: &Value<'_>,
) -> Result<()> {
    let err = |m: String| field_error(layout, path, m);
    if let Some(bits) = place.bits {
        let v = bit_value(value, bits.width, place.ctype).map_err(err)?;
        // SAFETY: the bitfield's bits lie inside the struct.
        unsafe { write_bits(base, bits, v) };
        return Ok(());
    }
    // SAFETY: the place lies inside the struct.
    let at = unsafe { base.add(place.offset) };
    let ty = place.ctype;
    match ty {
        CType::Struct(inner) => match value {
            Value::Struct(s) if s.layout().is_compatible(inner) => {
                // The bytes may go into a Rust struct: no invalid _Bool.
                crate::value::c_struct::check_valid(inner, s.as_bytes()).map_err(err)?;
                // SAFETY: the field has the size of `inner`, as `s` does.
                unsafe { std::ptr::copy_nonoverlapping(s.as_bytes().as_ptr(), at, inner.size()) };
                Ok(())
            }
            other => Err(err(format!("expected {ty}, given {}", other.describe()))),
        },
        CType::Array(elem, len) if is_byte(elem) => {
            let bytes: &[u8] = match value {
                Value::Str(s) => s.as_bytes(),
                Value::CStr(s) => s.to_bytes(),
                Value::String(s) => s.as_bytes(),
                other => {
                    return Err(err(format!(
                        "expected a string for {ty}, given {}",
                        other.describe()
                    )));
                }
            };
            if bytes.len() > *len {
                return Err(err(format!(
                    "the string is too long ({} bytes, the field holds {len})",
                    bytes.len()
                )));
            }
            // SAFETY: the field is `len` writable bytes.
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), at, bytes.len());
                std::ptr::write_bytes(at.add(bytes.len()), 0, len - bytes.len());
            }
            Ok(())
        }
        CType::Array(..) => Err(err(format!(
            "is an array ({ty}): write its elements, as `{path}[0]`"
        ))),
        scalar if scalar.is_pointer() => match value {
            Value::Null | Value::Pointer(_) | Value::Address(_) => {
                // A `RawPtr` C returned is refused here, as in calls: only
                // an address vouched for with `unsafe` goes into C's memory.
                let word = encode_word(value, scalar, Kind::Ptr, &mut Keep::default())
                    .map_err(|m| err(m.to_string()))?;
                // SAFETY: the field is a pointer's size.
                unsafe { store(at, word, scalar.size()) };
                Ok(())
            }
            other => Err(err(format!(
                "expected {ty}: a pointer field takes null or an address vouched for with \
                 unsafe {{ Value::address(..) }}, never a borrow, which would outlive the call; \
                 given {}",
                other.describe()
            ))),
        },
        scalar if scalar.kind() == Kind::LongDouble => {
            let v = encode_long_double(value, scalar).map_err(|m| err(m.to_string()))?;
            // SAFETY: the field is a long double's size.
            unsafe {
                std::ptr::copy_nonoverlapping(v.to_bytes().as_ptr(), at, scalar.size());
            }
            Ok(())
        }
        scalar => {
            let word = encode_word(value, scalar, scalar.kind(), &mut Keep::default())
                .map_err(|m| err(m.to_string()))?;
            // SAFETY: the field is the scalar's size.
            unsafe { store(at, word, scalar.size()) };
            Ok(())
        }
    }
}

/// Stores the low `size` bytes of a register image, in native order.
///
/// # Safety
///
/// `at` must be valid for writing `size` bytes (at most 8).
unsafe fn store(at: *mut u8, word: u64, size: usize) {
    let bytes = if cfg!(target_endian = "little") {
        word.to_le_bytes()
    } else {
        (word << (64 - 8 * size as u32).min(63)).to_be_bytes()
    };
    // SAFETY: forwarded to the caller.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), at, size) };
}

/// `value` as the bits of a `width`-bit field of type `ty`, range-checked.
fn bit_value(value: &Value<'_>, width: u32, ty: &CType) -> std::result::Result<u128, String> {
    let i = match value {
        Value::Int(i) => *i,
        Value::Bool(b) => *b as i128,
        other => {
            return Err(format!(
                "expected {ty} : {width}, given {}",
                other.describe()
            ));
        }
    };
    let signed = ty.kind().rule().signed;
    let (lo, hi) = if signed {
        (-(1i128 << (width - 1)), (1i128 << (width - 1)) - 1)
    } else {
        (0, (1i128 << width) - 1)
    };
    if i < lo || i > hi {
        return Err(format!(
            "expected {ty} : {width} (from {lo} to {hi}), given int {i}, which does not fit"
        ));
    }
    Ok((i as u128) & ((1u128 << width) - 1))
}

/// Writes `v` into the bits `bits`, keeping the bits around them.
///
/// # Safety
///
/// The bytes covering `bits` must be readable, initialised and writable.
unsafe fn write_bits(base: *mut u8, bits: Bits, v: u128) {
    let first = bits.start / 8;
    let shift = bits.start % 8;
    let nbytes = (shift + bits.width as usize).div_ceil(8);
    let mask = ((1u128 << bits.width) - 1) << shift;
    let shifted = v << shift;
    for i in 0..nbytes {
        let m = (mask >> (8 * i)) as u8;
        let b = (shifted >> (8 * i)) as u8;
        // SAFETY: forwarded to the caller.
        unsafe {
            let p = base.add(first + i);
            p.write((p.read() & !m) | (b & m));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(b: crate::StructBuilder) -> CType {
        CType::Struct(b.build().unwrap())
    }

    #[test]
    fn only_pointers_overlapped_by_anything_else_are_shadowed() {
        let union = StructLayout::union_builder;
        // Pointers over pointers at the same offset: nothing made up.
        let l = union("U")
            .field("a", CType::VoidP)
            .field("b", CType::CharP)
            .build()
            .unwrap();
        assert!(l.shadowed_pointers().is_empty());
        // Same-shaped structs holding pointers where the other does.
        let s = build(
            StructLayout::builder("S")
                .field("p", CType::VoidP)
                .field("n", CType::Long),
        );
        let l = union("U")
            .field("s", s.clone())
            .field("t", s.clone())
            .build()
            .unwrap();
        assert!(l.shadowed_pointers().is_empty());
        // A pointer straddling another (packed) shadows both.
        let packed = build(
            StructLayout::builder("P")
                .field("c", CType::Char)
                .field("q", CType::VoidP)
                .pack(1),
        );
        let l = union("U")
            .field("p", CType::VoidP)
            .field("s", packed)
            .build()
            .unwrap();
        assert_eq!(l.shadowed_pointers(), [0, 1]);
        // A bitfield, or one byte of data, is enough; nested in a struct
        // array, offsets count from the outermost value.
        let flags = build(StructLayout::builder("F").bitfield("f", CType::UInt, 3));
        let inner = build(union("V").field("p", CType::VoidP).field("f", flags));
        let l = StructLayout::builder("Outer")
            .field("n", CType::Int)
            .field("v", CType::array(inner, 2))
            .build()
            .unwrap();
        assert_eq!(l.shadowed_pointers(), [8, 16]);
        // No union, no overlap.
        assert!(s.layout().unwrap().shadowed_pointers().is_empty());
    }
}
