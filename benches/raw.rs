//! What the benchmarks that compare layers share: the project's libraries,
//! and raw libffi calls on a cif prepared once.

use std::ffi::c_void;

use libffi::middle::{Cif, CodePtr};
use rctypes::{Library, load_library};

pub fn library(name: &str) -> Library {
    // SAFETY: the project's own libraries have no initialisers.
    unsafe { load_library(name, rctypes_csrc::DIR) }
        .unwrap_or_else(|e| panic!("lib{name} is built by rctypes-csrc: {e}"))
}

/// A raw libffi call: the cif prepared once, argument pointers per call.
#[inline(always)]
pub fn raw_call<R: Default>(cif: &Cif, code: CodePtr, args: &mut [*mut c_void]) -> R {
    let mut ret = R::default();
    // SAFETY: every cif the benchmarks prepare is for its function's real
    // signature, each pointer refers to a live argument of the right type,
    // and `R` holds at least an ffi_arg where the result is narrower.
    unsafe {
        libffi::raw::ffi_call(
            cif.as_raw_ptr(),
            Some(*code.as_safe_fun()),
            (&mut ret as *mut R).cast(),
            args.as_mut_ptr(),
        );
    }
    ret
}

/// An argument's address, as libffi takes it.
pub fn ptr<T>(x: &mut T) -> *mut c_void {
    (x as *mut T).cast()
}
