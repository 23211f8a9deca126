//! n-d arrays (feature `ndarray`): `numpy.ctypeslib`'s array half, on the
//! `ndarray` crate.
//!
//! | numpy | rctypes |
//! | --- | --- |
//! | `np.dtype('<f4')`, `np.dtype([('x', 'i4'), ('y', 'f8')], align=True)` | [`DType::parse`], [`DType::record`] |
//! | passing an array to a `POINTER(c_double)` parameter | `(&a).into()` for slices, `Vec`s, ndarray arrays and views, [`NdArray`]: no copy |
//! | `ndpointer(dtype, ndim, shape, flags)` | [`ndpointer()`]`.dtype(..).ndim(..).shape(..).flags(..).build()`, declared as a [`CType`](crate::CType) |
//! | `a.ctypes.data`, `.shape`, `.strides`, `.data_as(POINTER(T))` | [`AsCtypes::ctypes`]: [`Ctypes::data`], [`Ctypes::shape`], [`Ctypes::strides`], [`Ctypes::data_as`] |
//! | `a.flags['C_CONTIGUOUS']` | [`Flags`], from [`Ctypes::flags`] or [`ArrayArg::flags`] |
//! | `np.ascontiguousarray(a)` | [`ascontiguousarray`] (and [`ascontiguousarray_mut`] when C writes) |
//! | `np.ctypeslib.as_array(ptr, shape)` | [`as_array`] (`unsafe`), [`Library::array`](crate::Library::array) for C globals |
//! | `np.zeros(shape, dtype)` with a dtype known at run time | [`NdArray::zeros`] |
//! | `np.memmap(filename, dtype, mode, offset, shape, order)` | [`Memmap::options`]`.dtype(..).mode(..).offset(..).shape(..).order(..).open(filename)` (`unsafe`), [`Memmap::open`] |
//!
//! Where Rust is stricter than numpy:
//! - An array passed to a plain pointer parameter must be C-contiguous (C
//!   walks consecutive elements); a strided view needs an [`NdPointer`]
//!   without a contiguity flag, or [`ascontiguousarray`].
//! - Memory borrowed immutably is never `WRITEABLE`, and never goes where C
//!   may write: a `POINTER(T)` parameter or an ndpointer not declared
//!   [`read_only`](NdPointerBuilder::read_only).
//! - Pointers from `data_as` borrow the array, so they cannot dangle.
//! - Unaligned data (a [`Memmap`] at an odd offset) never goes to a plain
//!   pointer parameter of an element type, nor through `data_as`.

mod alloc_array;
mod allocator;
mod as_array;
mod interop;
pub(crate) mod owned;
mod rows;

pub use alloc_array::AllocatedArray;
pub use allocator::Allocator;
pub use as_array::{as_array, as_array_mut};
pub use interop::{ArrayStorage, WriteBack, ascontiguousarray, ascontiguousarray_mut};
pub use owned::NdArray;
pub use rows::{RowPointers, RowPointersMut};
