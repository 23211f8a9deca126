//! The project's own C libraries, compiled by this package's `build.rs` for
//! rctypes' tests, examples, benchmarks and doc tests (never for a
//! dependent of rctypes).
//!
//! ```
//! assert!(std::path::Path::new(rctypes_csrc::DIR).join("libfibonacci.so").exists());
//! ```

use std::path::PathBuf;

/// The folder holding the compiled libraries (`libfibonacci.so`, ...).
pub const DIR: &str = env!("RCTYPES_CSRC_DIR");

/// The folder holding the C sources and headers (`fibonacci.h`, ...).
pub const SOURCES: &str = env!("CARGO_MANIFEST_DIR");

/// The path of the compiled library `name` (`"fibonacci"` gives
/// `DIR/libfibonacci.so` on Linux).
///
/// ```
/// assert!(rctypes_csrc::library("fibonacci").exists());
/// ```
pub fn library(name: &str) -> PathBuf {
    PathBuf::from(DIR).join(LIBRARY_FILE.replace("{}", name))
}

/// The platform's file name pattern for a shared library.
const LIBRARY_FILE: &str = env!("RCTYPES_CSRC_PATTERN");
