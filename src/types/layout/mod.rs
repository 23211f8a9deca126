//! Struct and union layouts as C compilers lay them out.

pub(crate) mod abi;
mod declare;
mod ffi;
mod overlap;
pub(crate) mod record;

pub(crate) use declare::same_storage;
pub use declare::{Bits, Composite, StructBuilder, StructField, StructLayout};
pub(crate) use ffi::{ffi_return_type, ffi_type};
pub(crate) use record::element_dtype;
