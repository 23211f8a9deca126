//! Which bytes are a valid element. Every bit pattern is an integer, a float
//! or a byte string, but a `bool` is only 0 or 1: typed access to bytes that
//! safe code could have set (`as_bytes_mut`, `from_bytes`, a file, a
//! reinterpreting pointer) checks them first.

// Parts serve only the n-d arrays extension.
#![cfg_attr(not(feature = "ndarray"), allow(dead_code))]

use crate::error::{Error, Result};
use crate::types::CType;

use crate::types::DType;
use crate::value::Element;

/// What an element type allows, from both its descriptions: its data type
/// and, when it has one, its C type (a `c_struct!` with a `[bool; 3]` field
/// has raw bytes `V3` in its data type, but `_Bool[3]` in its C type).
pub(crate) struct Validity {
    dtype: DType,
    ctype: Option<CType>,
}

impl Validity {
    /// What `T` allows.
    pub(crate) fn of<T: Element>() -> Validity {
        Validity {
            dtype: T::dtype(),
            ctype: T::ctype(),
        }
    }

    /// What elements of `dtype` and C type `ctype` allow.
    pub(crate) fn new(dtype: DType, ctype: Option<CType>) -> Validity {
        Validity { dtype, ctype }
    }

    /// Whether every bit pattern of the element's size is an element.
    pub(crate) fn any_bit_pattern(&self) -> bool {
        self.dtype.any_bit_pattern() && self.ctype.as_ref().is_none_or(CType::any_bit_pattern)
    }

    /// Where `element`, one element's bytes, is no element: the offset of
    /// the first byte at fault and what it should be.
    pub(crate) fn first_invalid(&self, element: &[u8]) -> Option<(usize, &'static str)> {
        self.dtype.first_invalid(element).or_else(|| {
            // A C type of another size describes something else: Element's
            // contract rules that out, and slicing by it could panic.
            let ctype = self.ctype.as_ref().filter(|c| c.size() == element.len())?;
            first_invalid_ctype(ctype, element)
        })
    }

    /// Checks that the elements of `T` starting at each of `starts` in
    /// `data` are valid, before they are read as `T`s: `doing` says what
    /// (`"view the data as"`). Each element lies inside `data`.
    pub(crate) fn check_as<T: Element>(
        data: &[u8],
        starts: impl IntoIterator<Item = usize>,
        doing: &str,
    ) -> Result<()> {
        let name = std::any::type_name::<T>();
        Validity::of::<T>().check(data, size_of::<T>(), starts, &format!("{doing} {name}"))
    }

    /// Checks the elements of `size` bytes starting at each of `starts` in
    /// `data`; `doing` names what would be done with them.
    pub(crate) fn check(
        &self,
        data: &[u8],
        size: usize,
        starts: impl IntoIterator<Item = usize>,
        doing: &str,
    ) -> Result<()> {
        if self.any_bit_pattern() {
            return Ok(());
        }
        for start in starts {
            if let Some((at, what)) = self.first_invalid(&data[start..start + size]) {
                let at = start + at;
                return Err(Error::Array {
                    message: format!(
                        "cannot {doing}: byte {at} of the data is {:#04x}, not {what}",
                        data[at]
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Where `bytes` are no value of `ctype` (see [`Validity::first_invalid`]).
/// A union is valid when any of its members is; a bitfield, which Rust
/// types do not have, is not checked.
fn first_invalid_ctype(ctype: &CType, bytes: &[u8]) -> Option<(usize, &'static str)> {
    if ctype.any_bit_pattern() {
        return None;
    }
    match ctype {
        CType::Bool => (bytes[0] > 1).then_some((0, "a bool (0 or 1)")),
        CType::Struct(l) => {
            let mut invalid = l.fields().iter().filter(|f| !f.is_bitfield()).map(|f| {
                let (at, what) = first_invalid_ctype(f.ctype(), &bytes[f.offset()..])?;
                Some((f.offset() + at, what))
            });
            if l.is_union() {
                let first = invalid.next()??;
                if invalid.any(|i| i.is_none()) {
                    return None;
                }
                Some(first)
            } else {
                invalid.flatten().next()
            }
        }
        CType::Array(elem, n) => {
            let size = elem.size();
            (0..*n).find_map(|i| {
                let (at, what) = first_invalid_ctype(elem, &bytes[i * size..])?;
                Some((i * size + at, what))
            })
        }
        _ => None,
    }
}

/// Whether one element type may stand for another when read (`write`
/// false) or also written through a pointer: the same type, or, reading,
/// a type every bit pattern is a value of; writing, both such types.
pub(crate) fn may_reinterpret(from: &Validity, to: &Validity, write: bool) -> bool {
    let same = from.dtype == to.dtype
        && match (&from.ctype, &to.ctype) {
            (Some(a), Some(b)) => a.is_compatible(b),
            (None, None) => true,
            _ => false,
        };
    same || (to.any_bit_pattern() && (!write || from.any_bit_pattern()))
}
