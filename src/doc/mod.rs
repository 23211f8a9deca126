//! Documentation-only pages.

pub mod ctypes_for_python_users;
pub mod performance;
