//! Pointer-to-pointer rows: the `T**` (one pointer per row) that C functions
//! such as `void foo(float** data, int len)` take, built from a 2-D array.

use std::fmt;
use std::marker::PhantomData;

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::error::{Error, Result};
use crate::types::{CType, Extent};
use crate::value::Element;
use crate::value::array::{ArrayArg, RowTypes};
use crate::value::{CArg, SameArg};
use crate::value::{Scalar, Value};

/// The element types of row pointers `pointer` (to rows of `ncols`
/// elements): an address's data type, and the pointer's C type with the
/// rows' length, which the call checks against what C reads of each.
fn row_types(pointer: CType, ncols: usize) -> RowTypes {
    RowTypes::new(usize::dtype(), pointer.extent(Extent::Elements(ncols)))
}

/// Checks that the rows of an array of `shape` and `strides` are contiguous.
fn check_rows(shape: &[usize], strides: &[isize]) -> Result<()> {
    if shape[1] <= 1 || strides[1] == 1 {
        return Ok(());
    }
    Err(Error::Conversion {
        expected: "row pointers: each row must be contiguous (column stride 1); \
                   copy it with .as_standard_layout() first"
            .into(),
        given: format!("a 2-D array of shape {shape:?} with strides {strides:?}"),
    })
}

/// The rows of a 2-D array as C's `const T* const*`: one pointer per row,
/// for a C function that only reads them. It borrows the array, so the
/// pointers cannot outlive it; use [`RowPointersMut`] where C writes.
///
/// Any row stride works (rows may be a slice of a larger array, or in
/// reverse); each row itself must be contiguous, otherwise construction
/// fails with a clear error.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// # // SAFETY: the project's own library has no initialisers.
/// # let lib = unsafe { rctypes::load_library("rows", rctypes_csrc::DIR)? };
/// use ndarray::{array, s};
/// use rctypes::{CType, Extent, RowPointers};
/// // len rows (argument 2), each of ncols floats (argument 3).
/// let row = CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(3));
/// let rows_ty = CType::const_pointer(row).extent(Extent::ElementsFromArg(2));
/// // SAFETY: rows.c: `float rows_sum(float **data, int len, int ncols)` reads
/// // len rows of ncols floats; nothing is NULL.
/// let rows_sum = unsafe { lib.function("rows_sum", &[rows_ty, CType::Int, CType::Int], CType::Float)? };
/// let x = array![[10.0f32, 20.0, 30.0], [40.0, 50.0, 60.0], [80.0, 90.0, 100.0]];
/// let rows = RowPointers::new(x.view())?;
/// assert_eq!(rows_sum.call(&[(&rows).into(), 3.into(), 3.into()])?.to::<f32>()?, 480.0);
///
/// // Every other row, bottom up: fine, each row is contiguous.
/// let rows = RowPointers::new(x.slice(s![..;-2, ..]))?;
/// assert_eq!(rows_sum.call(&[(&rows).into(), 2.into(), 3.into()])?.to::<f32>()?, 330.0);
///
/// // More rows or columns than there are: refused before C runs.
/// assert!(rows_sum.call(&[(&rows).into(), 3.into(), 3.into()]).is_err());
/// assert!(rows_sum.call(&[(&rows).into(), 2.into(), 4.into()]).is_err());
///
/// // Columns of a row are not contiguous in the transpose: refused.
/// assert!(RowPointers::new(x.t()).is_err());
/// # Ok(()) }
/// ```
///
/// The row pointers cannot outlive the array:
///
/// ```compile_fail
/// use rctypes::RowPointers;
/// let rows;
/// {
///     let x = ndarray::Array2::<f32>::zeros((2, 2));
///     rows = RowPointers::new(x.view()).unwrap();
/// } // `x` dropped here while still borrowed
/// println!("{}", rows.len());
/// ```
pub struct RowPointers<'a, T> {
    rows: Vec<*const T>,
    ncols: usize,
    /// The element types of one row pointer, made once: lending the rows
    /// to a call borrows them.
    row: RowTypes,
    _borrow: PhantomData<&'a T>,
}

/// The rows of a 2-D array as C's `T**`, for a C function that may write to
/// them (the cookbook's `void foo(float** data, int len)`). It borrows the
/// array mutably, so the pointers cannot outlive it and nothing else reads
/// it meanwhile. Rows must be contiguous, as for [`RowPointers`].
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// # // SAFETY: the project's own library has no initialisers.
/// # let lib = unsafe { rctypes::load_library("rows", rctypes_csrc::DIR)? };
/// use ndarray::array;
/// use rctypes::{CType, Extent, RowPointersMut};
/// let row = CType::pointer(CType::Float).extent(Extent::ElementsFromArg(3));
/// let rows_ty = CType::pointer(row).extent(Extent::ElementsFromArg(2));
/// // SAFETY: rows.c: `void rows_scale(float **data, int len, int ncols, float f)`
/// // scales len rows of ncols floats in place; nothing is NULL.
/// let rows_scale = unsafe {
///     lib.function("rows_scale", &[rows_ty, CType::Int, CType::Int, CType::Float], CType::Void)?
/// };
/// let mut x = array![[1.0f32, 2.0], [3.0, 4.0]];
/// let mut rows = RowPointersMut::new(x.view_mut())?;
/// rows_scale.call(&[(&mut rows).into(), 2.into(), 2.into(), 10.0.into()])?;
/// drop(rows); // the borrow of x ends here
/// assert_eq!(x, array![[10.0, 20.0], [30.0, 40.0]]);
/// # Ok(()) }
/// ```
pub struct RowPointersMut<'a, T> {
    rows: Vec<*mut T>,
    ncols: usize,
    /// As in [`RowPointers`].
    row: RowTypes,
    _borrow: PhantomData<&'a mut T>,
}

// SAFETY: the pointers stand for a borrow of T (shared, or unique for the
// mutable form), which may cross threads when T may.
unsafe impl<T: Sync> Send for RowPointers<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for RowPointers<'_, T> {}
// SAFETY: as for `&mut [T]`.
unsafe impl<T: Send> Send for RowPointersMut<'_, T> {}
// SAFETY: `&RowPointersMut` gives no access to the elements.
unsafe impl<T: Sync> Sync for RowPointersMut<'_, T> {}

impl<'a, T: Scalar> RowPointers<'a, T> {
    /// One pointer per row of `array`. Errors if a row is not contiguous.
    pub fn new(array: ArrayView2<'a, T>) -> Result<Self> {
        check_rows(array.shape(), array.strides())?;
        let start = array.as_ptr();
        let stride = array.strides()[0];
        // Wrapping: with no columns a row's address is never read.
        let rows = (0..array.nrows())
            .map(|i| start.wrapping_offset(i as isize * stride))
            .collect();
        Ok(RowPointers {
            rows,
            ncols: array.ncols(),
            row: row_types(CType::const_pointer(T::CTYPE), array.ncols()),
            _borrow: PhantomData,
        })
    }

    /// The number of rows (C's `len`).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The number of elements in each row.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// The address of the first row pointer.
    pub fn as_ptr(&self) -> *const *const T {
        self.rows.as_ptr()
    }
}

impl<'a, T: Scalar> RowPointersMut<'a, T> {
    /// One pointer per row of `array`. Errors if a row is not contiguous.
    pub fn new(mut array: ArrayViewMut2<'a, T>) -> Result<Self> {
        check_rows(array.shape(), array.strides())?;
        let stride = array.strides()[0];
        let ncols = array.ncols();
        let start = array.as_mut_ptr();
        // Wrapping: with no columns a row's address is never read.
        let rows = (0..array.nrows())
            .map(|i| start.wrapping_offset(i as isize * stride))
            .collect();
        Ok(RowPointersMut {
            rows,
            ncols,
            row: row_types(CType::pointer(T::CTYPE), ncols),
            _borrow: PhantomData,
        })
    }

    /// The number of rows (C's `len`).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The number of elements in each row.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// The address of the first row pointer.
    pub fn as_mut_ptr(&mut self) -> *mut *mut T {
        self.rows.as_mut_ptr()
    }
}

impl<T> fmt::Debug for RowPointers<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RowPointers({} rows of {})", self.rows.len(), self.ncols)
    }
}

impl<T> fmt::Debug for RowPointersMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RowPointersMut({} rows of {})",
            self.rows.len(),
            self.ncols
        )
    }
}

/// Lends the rows for reading: `const T* const*`.
impl<'b, T: Scalar> From<&'b RowPointers<'_, T>> for Value<'b> {
    fn from(rows: &'b RowPointers<'_, T>) -> Self {
        Value::Array(ArrayArg::pointers(
            rows.rows.as_ptr() as *mut _,
            &rows.row,
            rows.rows.len(),
            false,
        ))
    }
}

/// Lends the rows for writing: `T**`.
impl<'b, T: Scalar> From<&'b mut RowPointersMut<'_, T>> for Value<'b> {
    fn from(rows: &'b mut RowPointersMut<'_, T>) -> Self {
        Value::Array(ArrayArg::pointers(
            rows.rows.as_mut_ptr() as *mut _,
            &rows.row,
            rows.rows.len(),
            true,
        ))
    }
}

impl<T: Scalar> crate::sealed::SealedData for &RowPointers<'_, T> {}
impl<T: Scalar> crate::sealed::SealedData for &mut RowPointersMut<'_, T> {}

// SAFETY: the row pointers and the rows are borrowed for as long as the
// reference, which covers the call; C only reads (the declared type is const).
unsafe impl<T: Scalar> CArg for &RowPointers<'_, T> {
    type Raw = *const *const T;
    fn ctype() -> CType {
        CType::const_pointer(CType::const_pointer(T::CTYPE))
    }
    /// Their count is known only at run time: `CFunc::typed` takes none.
    fn accepts(_: &CType) -> bool {
        false
    }
    #[inline(always)]
    fn into_raw(self) -> *const *const T {
        self.rows.as_ptr()
    }
}

// SAFETY: as above, mutably borrowed: C may write to rows and pointers.
unsafe impl<T: Scalar> CArg for &mut RowPointersMut<'_, T> {
    type Raw = *mut *mut T;
    fn ctype() -> CType {
        CType::pointer(CType::pointer(T::CTYPE))
    }
    /// As above.
    fn accepts(_: &CType) -> bool {
        false
    }
    #[inline(always)]
    fn into_raw(self) -> *mut *mut T {
        self.rows.as_mut_ptr()
    }
}

// SAFETY: the same row-pointer array, whatever the borrow's lifetime: each
// typed call borrows only for that call.
unsafe impl<T: Scalar> SameArg<&RowPointers<'_, T>> for &RowPointers<'_, T> {
    #[inline(always)]
    fn into_raw_as(self) -> *const *const T {
        self.rows.as_ptr()
    }
}

// SAFETY: as above, mutably.
unsafe impl<T: Scalar> SameArg<&mut RowPointersMut<'_, T>> for &mut RowPointersMut<'_, T> {
    #[inline(always)]
    fn into_raw_as(self) -> *mut *mut T {
        self.rows.as_mut_ptr()
    }
}
