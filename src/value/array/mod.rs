//! Arrays lent to C without copying: slices, `Vec`s, the dtype-erased
//! [`NdArray`], numpy's `.ctypes` view, row pointers, and the per-call
//! checks of ndpointer and plain pointer parameters.

mod ctypes_view;
mod descriptor;
mod lending;
mod ndpointer;
mod validity;
#[cfg(feature = "ndarray")]
mod views;

pub use ctypes_view::{AsCtypes, AsCtypesMut, Ctypes, Ptr, PtrMut};
#[cfg_attr(not(feature = "ndarray"), allow(unused_imports))]
pub(crate) use descriptor::RowTypes;
#[cfg_attr(not(feature = "ndarray"), allow(unused_imports))]
pub(crate) use descriptor::layout_flags;
pub use descriptor::{ArrayArg, ElementTypes};
pub(crate) use lending::Lending;
pub(crate) use ndpointer::{count_arg, pass_alone};
#[cfg_attr(not(feature = "ndarray"), allow(unused_imports))]
pub(crate) use validity::Validity;
#[cfg(feature = "ndarray")]
pub(crate) use views::{view_parts, view_parts_mut};
