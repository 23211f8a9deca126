//! Struct and union layouts as C compilers lay them out.

mod abi;
mod declare;
mod overlap;
pub(crate) mod record;

#[cfg(all(target_arch = "x86_64", not(windows)))]
pub(crate) use abi::register_classes;
pub(crate) use abi::{ffi_return_type, ffi_type};
pub(crate) use declare::same_storage;
pub use declare::{Bits, Composite, StructBuilder, StructField, StructLayout};
pub(crate) use record::element_dtype;
