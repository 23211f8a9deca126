//! ctypes' `use_errno`: a private, per-thread copy of C's `errno`.
//!
//! A function bound with [`CFunc::with_errno`](crate::CFunc::with_errno) swaps
//! this copy into the real `errno` just before the call and back out just
//! after, so the value C left is kept even when later Rust code (an allocation,
//! a print) changes the real one.

use std::cell::Cell;

thread_local! {
    static PRIVATE: Cell<i32> = const { Cell::new(0) };
}

/// This thread's private copy of `errno`: what the last errno-capturing call
/// on this thread left (ctypes' `get_errno`).
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// # // SAFETY: the project's own library has no initialisers.
/// # let abi = unsafe { rctypes::Library::open(rctypes_csrc::library("abi"))? };
/// use rctypes::CType;
/// // SAFETY: set_errno_to(int) sets errno and returns -1.
/// let f = unsafe { abi.function("set_errno_to", &[CType::Int], CType::Int)? }.with_errno();
/// f.call(&[34.into()])?;
/// assert_eq!(rctypes::get_errno(), 34);
/// # Ok(()) }
/// ```
pub fn get_errno() -> i32 {
    PRIVATE.with(Cell::get)
}

/// Sets this thread's private copy and returns the old one (ctypes' `set_errno`).
pub fn set_errno(value: i32) -> i32 {
    PRIVATE.with(|c| c.replace(value))
}

/// Exchanges the private copy with the real `errno`.
pub(crate) fn swap() {
    let private = get_errno();
    let real = errno::errno().0;
    errno::set_errno(errno::Errno(private));
    set_errno(real);
}
