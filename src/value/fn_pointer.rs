//! Rust functions lent to C as function pointers, seen from the value layer:
//! what a call needs to pass one and to collect its failures.

use std::ffi::c_void;
use std::fmt;

use crate::types::Signature;

/// A Rust function C can call through a function pointer, lent to a call as
/// [`Value::Callback`](crate::Value::Callback): a
/// [`Callback`](crate::Callback) or a [`TypedCallback`](crate::TypedCallback).
/// Sealed: only rctypes' callbacks implement it.
///
/// ```
/// use rctypes::{Callback, FnPointer, Value};
///
/// let cb = Callback::typed(|a: i32| a + 1)?;
/// let Value::Callback(f) = Value::from(&cb) else { unreachable!() };
/// assert_eq!(f.signature().to_string(), "CFUNCTYPE(c_int, c_int)");
/// assert!(!f.is_kept_forever());
/// # Ok::<(), rctypes::Error>(())
/// ```
pub trait FnPointer: Send + Sync + crate::sealed::Sealed {
    /// The code address C calls, valid while the callback lives.
    fn code_ptr(&self) -> *const c_void;
    /// The C function type C calls it as.
    fn signature(&self) -> &Signature;
    /// Whether it lives for the rest of the program (`leak`), so that C may
    /// keep the pointer after the call.
    fn is_kept_forever(&self) -> bool;
    /// A failure (a panic, or a result it could not give) on a thread where
    /// no checked call was running, taken so that it is reported once.
    fn take_failure(&self) -> Option<String>;
    /// Whether C may call it as a plain C function of its
    /// [`signature`](Self::signature): not so for a variadic C function, nor
    /// one of another calling convention, which go nowhere a function
    /// pointer is declared.
    fn is_plain_c(&self) -> bool {
        true
    }
}

impl fmt::Debug for dyn FnPointer + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "callback {} at {:p}", self.signature(), self.code_ptr())
    }
}

/// Function pointers are equal when C calling them runs the same code.
impl PartialEq for dyn FnPointer + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.code_ptr() == other.code_ptr()
    }
}
