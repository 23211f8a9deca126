//! # Arrays lent to C: `numpy.ctypeslib` for Rust
//!
//! Most of this is the `ndarray` feature (on by default); memory maps are
//! the `memmap` feature.
//!
//! | numpy | rctypes |
//! | --- | --- |
//! | `np.dtype('<f4')`, `np.dtype([('x', 'i4'), ('y', 'f8')], align=True)` | [`DType::parse`](crate::DType::parse), [`DType::record`](crate::DType::record) |
//! | passing an array to a `POINTER(c_double)` parameter | `(&a).into()` for slices, `Vec`s, ndarray arrays and views, [`NdArray`](crate::NdArray): no copy |
//! | `ndpointer(dtype, ndim, shape, flags)` | [`ndpointer()`](crate::ndpointer)`.dtype(..).ndim(..).shape(..).flags(..).build()`, declared as a [`CType`](crate::CType) |
//! | `a.ctypes.data`, `.shape`, `.strides`, `.data_as(POINTER(T))` | [`AsCtypes::ctypes`](crate::AsCtypes::ctypes): [`Ctypes::data`](crate::Ctypes::data), [`Ctypes::shape`](crate::Ctypes::shape), [`Ctypes::strides`](crate::Ctypes::strides), [`Ctypes::data_as`](crate::Ctypes::data_as) |
//! | `a.flags['C_CONTIGUOUS']` | [`Flags`](crate::Flags), from [`Ctypes::flags`](crate::Ctypes::flags) or [`ArrayArg::flags`](crate::ArrayArg::flags) |
//! | `np.ascontiguousarray(a)` | [`ascontiguousarray`](crate::ascontiguousarray) (and [`ascontiguousarray_mut`](crate::ascontiguousarray_mut) when C writes) |
//! | `np.ctypeslib.as_array(ptr, shape)` | [`as_array`](crate::as_array) (`unsafe`), [`Library::array`](crate::Library::array) for C globals |
//! | `np.zeros(shape, dtype)` with a dtype known at run time | [`NdArray::zeros`](crate::NdArray::zeros) |
//! | `np.memmap(filename, dtype, mode, offset, shape, order)` | [`Memmap::options`](crate::Memmap::options)`.dtype(..).mode(..).offset(..).shape(..).order(..).open(filename)` (`unsafe`), [`Memmap::open`](crate::Memmap::open) |
//!
//! Where Rust is stricter than numpy:
//! - An array passed to a plain pointer parameter must be C-contiguous (C
//!   walks consecutive elements); a strided view needs an [`NdPointer`](crate::NdPointer)
//!   without a contiguity flag, or [`ascontiguousarray`](crate::ascontiguousarray).
//! - Memory borrowed immutably is never `WRITEABLE`, and never goes where C
//!   may write: a `POINTER(T)` parameter or an ndpointer not declared
//!   [`read_only`](crate::NdPointerBuilder::read_only).
//! - Pointers from `data_as` borrow the array, so they cannot dangle.
//! - Unaligned data (a [`Memmap`](crate::Memmap) at an odd offset) never goes to a plain
//!   pointer parameter of an element type, nor through `data_as`.
