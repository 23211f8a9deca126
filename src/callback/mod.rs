//! Callbacks: Rust closures C calls through a function pointer (ctypes'
//! `CFUNCTYPE`), and what is built on them.
//!
//! - [`Callback`] and [`TypedCallback`]: a closure behind a libffi closure,
//!   dynamic over [`Value`](crate::Value)s or typed over Rust types; a typed
//!   closure that captures nothing gets a trampoline compiled for it
//!   instead, as fast as a C function (see [`Callback::typed`]); where
//!   rctypes makes machine code, one that captures gets an entry of its
//!   own that jumps to such a trampoline with its state, and a dynamic one
//!   an entry that decodes its arguments from the registers.
//! - [`Callback::typed_borrowing`]: a typed closure that borrows from its
//!   arguments for the call: `&mut T` for a `T*` C gives it to fill
//!   ([`ByMut`]), and the user data the caller lent ([`lend`], [`Lent`],
//!   [`UserData`]).

/// Runs `$m!` once for each argument count a typed callback takes, 0 to 16,
/// with the argument type names and indices.
macro_rules! for_each_arity {
    ($m:ident) => {
        $m!();
        $m!(A0 0);
        $m!(A0 0, A1 1);
        $m!(A0 0, A1 1, A2 2);
        $m!(A0 0, A1 1, A2 2, A3 3);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10, A11 11);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10, A11 11, A12 12);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10, A11 11, A12 12, A13 13);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10, A11 11, A12 12, A13 13, A14 14);
        $m!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10, A11 11, A12 12, A13 13, A14 14, A15 15);
    };
}
use for_each_arity;

mod borrowing;
mod closure;
mod entry;
mod lend;
mod typed;

pub use borrowing::{BorrowingFn, ByMut, CallbackParam, UserData, UserDataMut};

pub use closure::{Callback, DynamicResult};
pub use lend::{Lent, lend, lend_mut};
pub use typed::{ByRef, CallbackArg, CallbackArgs, CallbackFn, CallbackRet, TypedCallback};
