//! n-d arrays (feature `ndarray`): numpy's arrays on the `ndarray` crate,
//! as C arguments: the dtype-erased [`NdArray`], row pointers, the
//! allocator pattern, `as_array` and the contiguity helpers. The guide is
//! [`doc::arrays`](crate::doc::arrays).

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
