//! `ndarray` views of memory lent to or by C, checked before they are made.

use ndarray::{ArrayView, ArrayViewMut, Dimension, ShapeBuilder};

use crate::error::{Error, Result};
use crate::value::Element;

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
    if bytes > 0 && !(ptr as usize).is_multiple_of(align_of::<T>()) {
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
/// As [`as_array`](crate::as_array).
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
/// As [`as_array_mut`](crate::as_array_mut).
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
