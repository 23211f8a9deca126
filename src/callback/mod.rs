//! Callbacks: Rust closures C calls through a function pointer (ctypes'
//! `CFUNCTYPE`), and what is built on them.
//!
//! - [`Callback`] and [`TypedCallback`]: a closure behind a libffi closure,
//!   dynamic over [`Value`](crate::Value)s or typed over Rust types; a typed
//!   closure that captures nothing gets a trampoline compiled for it
//!   instead, as fast as a C function (see [`Callback::typed`]).

mod closure;
mod typed;

pub use closure::{Callback, DynamicResult};
pub use typed::{ByRef, CallbackArg, CallbackArgs, CallbackFn, CallbackRet, TypedCallback};
