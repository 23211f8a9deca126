//! Views of C's memory as `ndarray` arrays: numpy's `as_array`.

use ndarray::{ArrayView, ArrayViewMut, IntoDimension};

use crate::error::Result;
use crate::library::Library;

use crate::value::Element;
use crate::value::array::{view_parts, view_parts_mut};

/// numpy's `as_array(pointer, shape)`: views `shape` elements of `T` at
/// `ptr` (C memory, or any other) as an array, in C order, without copying.
///
/// The pointer may come from a C result ([`RawPtr::as_ptr`](crate::RawPtr::as_ptr))
/// or a global. A null or misaligned pointer is an error, as is a shape
/// whose size overflows.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// let data: Vec<i32> = (0..10).collect();
/// // SAFETY: data holds 10 i32s and outlives the views.
/// let a = unsafe { rctypes::as_array(data.as_ptr(), (2, 5))? };
/// assert_eq!(a.shape(), &[2, 5]);
/// assert_eq!(a[[1, 0]], 5);
/// // SAFETY: `data` is alive and holds the 10 elements viewed.
/// let b = unsafe { rctypes::as_array(data.as_ptr(), [10])? };
/// assert_eq!(b.len(), 10);
/// # Ok(()) }
/// ```
///
/// # Safety
///
/// `ptr` must point to the product of `shape` initialised elements of `T`
/// that stay valid, and that nothing writes to, for `'a`.
pub unsafe fn as_array<'a, T: Element, Sh: IntoDimension>(
    ptr: *const T,
    shape: Sh,
) -> Result<ArrayView<'a, T, Sh::Dim>> {
    // SAFETY: passed on to the caller.
    unsafe { view_parts(ptr, shape.into_dimension(), false) }
}

/// As [`as_array`], for a view C's memory can be written through.
///
/// # Safety
///
/// As [`as_array`], and nothing else may read or write the memory for `'a`.
pub unsafe fn as_array_mut<'a, T: Element, Sh: IntoDimension>(
    ptr: *mut T,
    shape: Sh,
) -> Result<ArrayViewMut<'a, T, Sh::Dim>> {
    // SAFETY: passed on to the caller.
    unsafe { view_parts_mut(ptr, shape.into_dimension(), false) }
}

impl Library {
    /// A C global array, declared in C as `T name[d0][d1]...`, viewed as an
    /// array of `shape`: numpy's `as_array` of a ctypes array bound with
    /// `in_dll`. The view keeps the library borrowed.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("arrays", rctypes_csrc::DIR)? };
    /// // SAFETY: arrays.c defines `const int pairs[3][2]`.
    /// let pairs = unsafe { lib.array::<i32, _>("pairs", (3, 2))? };
    /// assert_eq!(pairs, ndarray::arr2(&[[1, 2], [3, 4], [5, 6]]));
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// The symbol must be an array of at least that many `T`, and nothing may
    /// write to it while the view lives.
    pub unsafe fn array<T: Element, Sh: IntoDimension>(
        &self,
        symbol: &str,
        shape: Sh,
    ) -> Result<ArrayView<'_, T, Sh::Dim>> {
        let addr = self.symbol_address(symbol)?;
        // SAFETY: passed on to the caller; the library stays loaded while
        // the view borrows it.
        unsafe { as_array(addr as *const T, shape) }
    }
}
