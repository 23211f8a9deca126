//! Every other platform: no register route and no generated code. The
//! types the x86-64 back end gives values to have none here, so whatever
//! would use them is unreachable by its types, and every call takes
//! libffi.

use std::ffi::c_void;

use crate::func::registers::{FLOAT_REGS, Plan, Returned, STACK_SLOTS};
use crate::types::CType;

pub(crate) use super::no_code::{Compiled, compile};

/// This target's calls do not follow System V x86-64: there is no value,
/// so no plan exists and no shim can be called.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SysV {}

// No value of `SysV` exists here: these are never called.
impl SysV {
    /// # Safety
    ///
    /// None: uncallable, for want of a `self`.
    pub(crate) unsafe fn call_ints(self, _: *const c_void, _: &[u64; 6]) -> Returned {
        match self {}
    }

    /// # Safety
    ///
    /// None: uncallable, for want of a `self`.
    pub(crate) unsafe fn call_floats(
        self,
        _: *const c_void,
        _: &[u64; 6],
        _: &[f64; FLOAT_REGS],
    ) -> Returned {
        match self {}
    }

    /// # Safety
    ///
    /// None: uncallable, for want of a `self`.
    pub(crate) unsafe fn call_spill(
        self,
        _: *const c_void,
        _: &[u64; 6],
        _: &[f64; FLOAT_REGS],
        _: &[u64; STACK_SLOTS],
    ) -> Returned {
        match self {}
    }
}

impl Plan {
    /// No register route on this platform: every call takes libffi.
    pub(crate) fn for_signature(_: &[CType], _: &CType, _: bool) -> Option<Plan> {
        None
    }
}
