//! Views of C's memory as `ndarray` arrays: numpy's `as_array`.

use ndarray::{ArrayView, ArrayViewMut, Dimension, IntoDimension, ShapeBuilder};

use crate::error::{Error, Result};
use crate::library::Library;

use super::dtype::Element;

/// Checks that elements of `T` of `shape` at `ptr` can be an array: not
/// null (unless empty), aligned, and at most `isize::MAX` bytes, with empty
/// dimensions counted as 1 (ndarray's condition, so that strides fit).
fn check_memory<T>(ptr: *const T, shape: &[usize]) -> Result<()> {
    let extent = shape
        .iter()
        .try_fold(size_of::<T>(), |acc, &n| acc.checked_mul(n.max(1)));
    if extent.is_none_or(|b| b > isize::MAX as usize) {
        return Err(Error::Array {
            message: "the shape is too large for memory".into(),
        });
    }
    let bytes = if shape.contains(&0) {
        0
    } else {
        size_of::<T>()
    };
    if bytes > 0 && ptr.is_null() {
        return Err(Error::Array {
            message: "cannot view a NULL pointer as an array".into(),
        });
    }
    if bytes > 0 && (ptr as usize) % align_of::<T>() != 0 {
        return Err(Error::Array {
            message: format!(
                "address {ptr:p} is not aligned for {} (alignment {})",
                std::any::type_name::<T>(),
                align_of::<T>()
            ),
        });
    }
    Ok(())
}

/// A view of `shape` elements at `ptr`, in C order or Fortran order.
///
/// # Safety
///
/// As [`as_array`].
pub(crate) unsafe fn view_parts<'a, T: Element, D: Dimension>(
    ptr: *const T,
    shape: D,
    fortran: bool,
) -> Result<ArrayView<'a, T, D>> {
    check_memory(ptr, shape.slice())?;
    let ptr = if shape.size() == 0 {
        std::ptr::NonNull::<T>::dangling().as_ptr()
    } else {
        ptr
    };
    // SAFETY: the caller vouches that the memory holds the elements for 'a;
    // we checked the pointer is non-null, aligned and the size fits isize.
    Ok(unsafe { ArrayView::from_shape_ptr(shape.set_f(fortran), ptr) })
}

/// A view for writing of `shape` elements at `ptr`, in C order or Fortran
/// order.
///
/// # Safety
///
/// As [`as_array_mut`].
pub(crate) unsafe fn view_parts_mut<'a, T: Element, D: Dimension>(
    ptr: *mut T,
    shape: D,
    fortran: bool,
) -> Result<ArrayViewMut<'a, T, D>> {
    check_memory(ptr, shape.slice())?;
    let ptr = if shape.size() == 0 {
        std::ptr::NonNull::<T>::dangling().as_ptr()
    } else {
        ptr
    };
    // SAFETY: as in view_parts, with exclusive access promised by the caller.
    Ok(unsafe { ArrayViewMut::from_shape_ptr(shape.set_f(fortran), ptr) })
}

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
