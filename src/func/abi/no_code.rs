//! No generated code: without the `codegen` feature, or off x86-64 System
//! V, every program is interpreted. `Compiled` has no values, so the
//! compiled route is never taken.

use std::convert::Infallible;
use std::ffi::c_void;

use crate::func::fast::{Outcome, Program};
use crate::value::Value;

/// Generated code, of which there is none here.
#[derive(Clone, Debug)]
pub(crate) struct Compiled(Infallible);

impl Compiled {
    /// Never called: there is no `Compiled` to call it on.
    ///
    /// # Safety
    ///
    /// As the generated code's `call`.
    #[inline(always)]
    pub(crate) unsafe fn call(&self, _: &[Value<'_>], _: *const c_void) -> Outcome {
        match self.0 {}
    }
}

/// Nothing is generated.
pub(crate) fn compile(_: &Program) -> Option<Compiled> {
    None
}
