//! Targets with no classification of their own here: libffi describes
//! structs by their fields, unions are refused, and no struct result is
//! known to come back in registers libffi misreads.

use libffi::middle::Type;

use crate::types::layout::StructLayout;

pub(crate) fn union_type(l: &StructLayout) -> Result<Type, String> {
    Err(format!(
        "{} is or holds a union, which libffi cannot describe on this platform: pass it by pointer",
        l.title()
    ))
}

/// GCC's rule on most targets: unnamed bitfields only move the next field.
pub(crate) const UNNAMED_BITFIELDS_ALIGN_RECORD: bool = false;

/// Only x86-64 System V returns a struct in x87 registers.
pub(crate) fn returns_in_x87(_: &StructLayout) -> bool {
    false
}

/// Packed structs libffi's natural layout misplaces are refused here, with
/// the reason the natural layout gives.
pub(crate) fn packed_type(_: &StructLayout) -> Result<Type, Option<String>> {
    Err(None)
}
