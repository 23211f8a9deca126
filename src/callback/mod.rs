//! Callbacks: Rust closures C calls through a function pointer (ctypes'
//! `CFUNCTYPE`), and what is built on them.
//!
//! - [`Callback`] and [`TypedCallback`]: a closure behind a libffi closure,
//!   dynamic over [`Value`](crate::Value)s or typed over Rust types; a typed
//!   closure that captures nothing gets a trampoline compiled for it
//!   instead, as fast as a C function (see [`Callback::typed`]).
//! - [`Signature`]: the function pointer type, for [`CType::FuncPtr`](crate::CType::FuncPtr).
//! - [`Allocator`]: the allocator pattern, C asking the host for arrays.
//! - [`RowPointers`] and [`RowPointersMut`]: a 2-D array as the `T**` of one
//!   pointer per row.

mod alloc_array;
mod allocator;
mod closure;
mod failure;
mod rows;
mod signature;
mod typed;

pub use alloc_array::AllocatedArray;
pub use allocator::Allocator;
pub use closure::{Callback, DynamicResult};
pub(crate) use failure::{CallScope, panic_message};
pub use rows::{RowPointers, RowPointersMut};
pub use signature::Signature;
pub use typed::{
    ByRef, CallbackArg, CallbackArgs, CallbackFn, CallbackRet, CallbackWatch, TypedCallback,
};
