//! The project's own C libraries, compiled by this package's `build.rs` for
//! rctypes' tests, examples, benchmarks and doc tests (never for a
//! dependent of rctypes).
//!
//! ```
//! assert!(rctypes_csrc::library("fibonacci").starts_with(rctypes_csrc::DIR));
//! ```

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

/// The folder holding the compiled libraries (`libfibonacci.so`, ...).
pub const DIR: &str = env!("RCTYPES_CSRC_DIR");

/// The folder holding the C sources and headers (`fibonacci.h`, ...).
pub const SOURCES: &str = env!("CARGO_MANIFEST_DIR");

/// The path of the compiled library `name` (`"fibonacci"` gives
/// `DIR/libfibonacci.so` on Linux, `DIR/libfibonacci.dylib` on macOS).
///
/// ```
/// assert!(rctypes_csrc::library("fibonacci").exists());
/// ```
pub fn library(name: &str) -> PathBuf {
    PathBuf::from(DIR).join(LIBRARY_FILE.replace("{}", name))
}

/// The platform's file name pattern for a shared library.
const LIBRARY_FILE: &str = env!("RCTYPES_CSRC_PATTERN");

/// A command that starts `program`, built for the target the tests run on,
/// the way cargo starts test binaries: through the runner named by
/// `CARGO_TARGET_<TRIPLE>_RUNNER` when there is one (qemu-user, where the
/// target is emulated and the machine has no binfmt handler), directly
/// otherwise.
///
/// ```
/// let cmd = rctypes_csrc::target_command("/bin/true");
/// let runner = std::env::var(rctypes_csrc::RUNNER_VARIABLE).unwrap_or_default();
/// if runner.is_empty() {
///     assert_eq!(cmd.get_program(), "/bin/true");
/// }
/// ```
pub fn target_command(program: impl AsRef<OsStr>) -> Command {
    let runner = std::env::var(RUNNER_VARIABLE).unwrap_or_default();
    let mut words = runner.split_whitespace();
    match words.next() {
        Some(runner) => {
            let mut cmd = Command::new(runner);
            cmd.args(words).arg(program);
            cmd
        }
        None => Command::new(program),
    }
}

/// The variable naming cargo's runner for this target
/// (`CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER`).
pub const RUNNER_VARIABLE: &str = env!("RCTYPES_CSRC_RUNNER_VARIABLE");
