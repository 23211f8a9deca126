//! Entries of callbacks: per callback, a little machine code C calls as
//! its function pointer, so that C reaches the closure as it reaches a
//! function, without libffi's generic closure handler (which decodes every
//! argument by the signature at each call). Three kinds:
//!
//! - a capturing typed callback's: puts the address of the callback's
//!   state in the integer argument register after C's own arguments, then
//!   jumps to the trampoline compiled for the closure's type, which takes
//!   that address as one more argument;
//! - a dynamic callback's whose arguments are all numbers, `_Bool`s or
//!   pointers (not strings or handles): writes each argument as the
//!   `Value` decoding gives into an array on its stack, then calls the
//!   closure's runner with the state, the array and a result word (the
//!   decoding written out per signature);
//! - any other dynamic callback's: as the first, to a trampoline that saves
//!   every argument register, then decodes the arguments from them by the
//!   signature, as libffi's closures do from memory.
//!
//! x86-64 System V with the `codegen` feature, for signatures whose
//! arguments all travel in registers (for the first and last kinds, with
//! an integer register to spare), and whose result is a number, a pointer
//! or `void` (a struct result would take the first register for its
//! address). Elsewhere, and for other signatures, the libffi closure stays.

use std::ffi::c_void;

use crate::types::Signature;
use crate::value::Value;

#[cfg(all(feature = "codegen", rctypes_x86_64_sysv))]
mod x86_64_sysv;
#[cfg(all(feature = "codegen", rctypes_x86_64_sysv))]
pub(crate) use x86_64_sysv::{Entry, make, make_dynamic};

#[cfg(not(all(feature = "codegen", rctypes_x86_64_sysv)))]
mod no_code;
#[cfg(not(all(feature = "codegen", rctypes_x86_64_sysv)))]
pub(crate) use no_code::{Entry, make, make_dynamic};

/// The argument registers C filled, as a dynamic callback's entry saved
/// them: each class's registers in the order the arguments of that class
/// take them. A value narrower than its register is in its low bytes.
#[repr(C)]
pub(crate) struct Registers {
    pub(crate) ints: [u64; 6],
    pub(crate) floats: [u64; 8],
}

/// What a dynamic callback's entry runs, for one type of callback state.
///
/// # Safety
///
/// Both functions read `state` as the state of that type (the entry passes
/// the address of the callback's own), call the closure on the arguments,
/// decoded as declared, and write the result as libffi's closure handler
/// would into a buffer of eight bytes.
#[cfg_attr(
    not(all(feature = "codegen", rctypes_x86_64_sysv)),
    allow(dead_code, reason = "run by the entries made there")
)]
pub(crate) unsafe trait Dynamic {
    /// Runs the callback at `state` on the arguments in `registers`, its
    /// result to `result`.
    ///
    /// # Safety
    ///
    /// `state` is the address of a live callback state of this type, whose
    /// arguments all travel in registers; `registers` holds them as C
    /// passed them; `result` is eight bytes, aligned for them.
    unsafe fn run(state: *const c_void, registers: &Registers, result: *mut c_void);

    /// Runs the callback at `state` on `values`, its arguments already
    /// decoded, its result to `result`.
    ///
    /// # Safety
    ///
    /// As for `run`, with `values` the first of one value per declared
    /// argument, each one that owns nothing (a number, `_Bool`, address or
    /// null), as decoding the argument C passed gives it.
    unsafe fn run_values(state: *const c_void, values: *const Value<'static>, result: *mut c_void);
}
