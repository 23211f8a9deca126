//! Documentation-only pages.

pub mod ctypes_for_python_users;
pub mod misuse;
pub mod performance;
pub mod safety;
pub mod testing_c_with_cargo_test;
