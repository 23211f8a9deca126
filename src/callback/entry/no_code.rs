//! Where rctypes makes no machine code: no entries.

use super::*;

/// No entry is ever made here.
pub(crate) enum Entry {}

impl Entry {
    pub(crate) fn code(&self) -> *const c_void {
        match *self {}
    }
}

/// The libffi closure stays.
pub(crate) fn make(_: &Signature, _: *const c_void, _: *const c_void) -> Option<Entry> {
    None
}

/// The libffi closure stays.
pub(crate) fn make_dynamic<D: Dynamic>(_: &Signature, _: *const c_void) -> Option<Entry> {
    None
}
