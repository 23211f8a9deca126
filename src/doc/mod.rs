//! Documentation-only pages.

#[cfg(feature = "ndarray")]
pub mod arrays;
pub mod ctypes_for_python_users;
pub mod misuse;
pub mod performance;
pub mod safety;
pub mod structs;
pub mod testing_c_with_cargo_test;
