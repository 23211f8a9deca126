//! Where a [`Value`] keeps the fields machine code reads and writes: the
//! compiled route of calls reads integers and floating-point numbers from
//! the values it is given, and compiled callback entries write the
//! arguments C passed as values.
//!
//! `Value` is `#[repr(u8)]`: a tag byte, then each variant's fields laid
//! out as a `#[repr(C)]` struct of the tag and the fields would be. The
//! structs below mirror the variants the code touches.

use std::ffi::c_void;
use std::mem::{offset_of, size_of};
use std::ptr::NonNull;

use super::{RawPtr, Value};

#[repr(C)]
struct IntVariant {
    tag: u8,
    value: i128,
}

#[repr(C)]
struct FloatVariant {
    tag: u8,
    value: f64,
}

#[repr(C)]
struct BoolVariant {
    tag: u8,
    value: bool,
}

#[repr(C)]
struct PointerVariant {
    tag: u8,
    value: RawPtr,
}

/// Offset of `Value::Int`'s low 64 bits; the high ones follow.
pub(crate) const INT_AT: i32 = offset_of!(IntVariant, value) as i32;
/// Offset of `Value::Float`'s `f64`.
pub(crate) const FLOAT_AT: i32 = offset_of!(FloatVariant, value) as i32;
/// Offset of `Value::Bool`'s byte (0 or 1).
pub(crate) const BOOL_AT: i32 = offset_of!(BoolVariant, value) as i32;
/// Offset of `Value::Pointer`'s address (never null).
pub(crate) const POINTER_AT: i32 = offset_of!(PointerVariant, value) as i32;
/// The size of a `Value`, and so the distance between two in an array.
pub(crate) const VALUE_SIZE: i32 = size_of::<Value<'static>>() as i32;

/// The tag byte of `value`'s variant.
pub(crate) fn tag_of(value: &Value<'_>) -> u8 {
    // SAFETY: `Value` is `#[repr(u8)]`, so its first byte is its tag.
    unsafe { *std::ptr::from_ref(value).cast::<u8>() }
}

/// The tag of `Value::Int`.
pub(crate) fn int_tag() -> u8 {
    tag_of(&Value::Int(0))
}

/// The tag of `Value::Float`.
pub(crate) fn float_tag() -> u8 {
    tag_of(&Value::Float(0.0))
}

/// The tag of `Value::Bool`.
pub(crate) fn bool_tag() -> u8 {
    tag_of(&Value::Bool(false))
}

/// The tag of `Value::Pointer`.
pub(crate) fn pointer_tag() -> u8 {
    tag_of(&Value::Pointer(RawPtr(NonNull::<c_void>::dangling())))
}

/// The tag of `Value::Null`, which has no fields.
pub(crate) fn null_tag() -> u8 {
    tag_of(&Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The offsets the code reads are where `Value` keeps its fields.
    #[test]
    fn value_fields_lie_where_the_code_reads_them() {
        let int = Value::Int(-2);
        let float = Value::Float(1.5);
        let read = |value: &Value<'_>, at: i32| {
            // SAFETY: both offsets lie within the variant's payload, which
            // the mirror structs place as `Value`'s repr(u8) layout does.
            unsafe {
                std::ptr::from_ref(value)
                    .cast::<u8>()
                    .add(at as usize)
                    .cast::<u64>()
                    .read_unaligned()
            }
        };
        let yes = Value::Bool(true);
        let address = NonNull::<c_void>::dangling();
        let pointer = Value::Pointer(RawPtr(address));
        assert_eq!(read(&int, INT_AT), (-2i64) as u64);
        assert_eq!(read(&int, INT_AT + 8), u64::MAX);
        assert_eq!(read(&float, FLOAT_AT), 1.5f64.to_bits());
        assert_eq!(read(&yes, BOOL_AT) as u8, 1);
        assert_eq!(read(&pointer, POINTER_AT), address.as_ptr() as u64);
        let tags = [
            int_tag(),
            float_tag(),
            bool_tag(),
            pointer_tag(),
            null_tag(),
        ];
        for (i, tag) in tags.iter().enumerate() {
            assert!(!tags[..i].contains(tag), "tags differ");
        }
        assert_eq!(tag_of(&int), int_tag());
        assert_eq!(tag_of(&float), float_tag());
        assert_eq!(tag_of(&Value::Bool(false)), bool_tag());
        assert_eq!(VALUE_SIZE % 16, 0, "arrays of values stay aligned");
    }
}
