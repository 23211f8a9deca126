//! The one error type: what failed, where, and what was expected versus given.

use std::fmt;
use std::path::PathBuf;

mod diagnostic;

pub use diagnostic::{Diagnostic, Severity};

/// Everything that can go wrong in rctypes, with the context needed to fix it:
/// the library, the symbol, the 1-based argument index (as ctypes counts), and
/// what was expected versus what was given.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Library};
/// let libc = Library::this()?;
/// // SAFETY: labs has this signature in every C library.
/// let labs = unsafe { libc.function("labs", &[CType::Long], CType::Long)? };
/// let err = labs.call(&["seven".into()]).unwrap_err();
/// assert_eq!(err.to_string(), "labs: argument 1: expected c_long, given str \"seven\"");
/// # Ok(()) }
/// ```
///
/// An error that wraps a lower-level failure keeps it as its
/// [`source`](std::error::Error::source): the loader's [`libloading::Error`]
/// for [`Load`](Error::Load) and [`Symbol`](Error::Symbol), the system's
/// [`std::io::Error`] for [`Memmap`](Error::Memmap), [`Build`](Error::Build),
/// [`NoCompiler`](Error::NoCompiler) and an unreadable header's
/// [`Declaration`](Error::Declaration). The message already says what each
/// source says, so a report needs only the chain's first line, or its
/// sources to pick out a cause by type:
///
/// ```
/// use std::error::Error as _;
/// // SAFETY: the file does not exist; nothing loads.
/// let missing = format!("/nonexistent/libnothing{}", std::env::consts::DLL_SUFFIX);
/// let err = unsafe { rctypes::Library::open(&missing) }.unwrap_err();
/// let chain: Vec<String> =
///     std::iter::successors(Some(&err as &dyn std::error::Error), |&e| e.source())
///         .map(|e| e.to_string())
///         .collect();
/// assert!(chain[0].starts_with(&format!("cannot load library {missing}: ")));
/// assert!(chain.len() >= 2); // rctypes' words, the loader error they keep
/// assert!(chain[0].ends_with(chain.last().unwrap().as_str())); // the system's words
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The dynamic loader refused the file: missing, not a library, wrong
    /// architecture, or a failing dependency. `message` is the loader's own.
    #[error("cannot load library {path}: {message}")]
    Load {
        /// The path or name handed to the loader.
        path: String,
        /// What the loader said.
        message: String,
        /// The loader's error: a [`libloading::Error`], whose own source is
        /// the system's description.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// [`load_library`](crate::load_library) found no candidate file.
    #[error("no library {name:?} in {}: tried {}", dir.display(), list_paths(tried))]
    NotFound {
        /// The name asked for.
        name: String,
        /// The folder searched.
        dir: PathBuf,
        /// Every path that was tried, in order.
        tried: Vec<PathBuf>,
    },
    /// The library has no such symbol.
    #[error("{library}: no symbol {symbol:?}: {message}")]
    Symbol {
        /// The library's path or name.
        library: String,
        /// The symbol looked up.
        symbol: String,
        /// What the loader said.
        message: String,
        /// The loader's error (a [`libloading::Error`]) when it refused;
        /// `None` when rctypes did (a null address, an undeclared variable).
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A call with the wrong number of arguments.
    #[error("{function}: expected {}{expected} argument{}, given {given}",
        if *variadic { "at least " } else { "" }, if *expected == 1 { "" } else { "s" })]
    Arity {
        /// The function's symbol name.
        function: String,
        /// How many the signature declares (the fixed ones, when variadic).
        expected: usize,
        /// How many were given.
        given: usize,
        /// Whether the function takes further variadic arguments.
        variadic: bool,
    },
    /// An argument that does not convert to its declared C type.
    #[error("{function}: argument {index}: expected {expected}, given {given}")]
    Argument {
        /// The function's symbol name.
        function: String,
        /// 1-based, as ctypes counts.
        index: usize,
        /// The declared C type, and any constraint on it.
        expected: String,
        /// What was given, and why it does not fit.
        given: String,
    },
    /// An array argument refused by its [`NdPointer`](crate::NdPointer)'s
    /// checks. `message` is numpy's (`array must have data type float64`).
    #[error("{function}: argument {index}: {message}, given {given}")]
    ArrayArgument {
        /// The function's symbol name.
        function: String,
        /// 1-based, as ctypes counts.
        index: usize,
        /// What the check requires, in numpy's words.
        message: String,
        /// What the array has instead.
        given: String,
    },
    /// A numpy data type string that does not parse.
    #[error("data type '{spec}' not understood: {reason}")]
    DType {
        /// The string given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An array that cannot be made, viewed or described as asked: an
    /// unknown flag name, a view of the wrong element type, a shape that
    /// does not fit.
    #[error("{message}")]
    Array {
        /// What is wrong.
        message: String,
    },
    /// A file that cannot be memory-mapped as asked
    /// ([`MemmapOptions`](crate::MemmapOptions)): it cannot be opened, sized,
    /// grown or mapped, or its size does not fit the data type, shape and
    /// offset. The messages are numpy.memmap's, reworded.
    #[error("cannot map {file}: {message}")]
    Memmap {
        /// The file's path, or `an open file` for one given as a [`File`](std::fs::File).
        file: String,
        /// What is wrong, with the operating system's reason when it refused.
        message: String,
        /// The operating system's error kind, when it refused (`NotFound`,
        /// `PermissionDenied`, ...).
        kind: Option<std::io::ErrorKind>,
        /// The operating system's error (a [`std::io::Error`]), when it refused.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A declared signature that cannot be used, e.g. `void` as an argument.
    #[error("{function}: invalid signature: {reason}")]
    Signature {
        /// The function's symbol name.
        function: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A value that does not convert to the Rust or C type asked for.
    #[error("cannot convert {given} to {expected}")]
    Conversion {
        /// The type asked for.
        expected: String,
        /// What was there.
        given: String,
    },
    /// A struct or union declaration that C would reject: a zero-width or
    /// over-wide bitfield, a bitfield of a non-integer type, a packing or
    /// alignment that is not a power of two, a duplicate field.
    #[error("{name}: {message}")]
    Layout {
        /// `struct Name` or `union Name`.
        name: String,
        /// What is wrong, naming the field.
        message: String,
    },
    /// Two layouts that should agree (a Rust struct and the C declaration)
    /// differ: the first difference, with both values.
    #[error("{name}: {field}: {message}")]
    LayoutMismatch {
        /// `struct Name` or `union Name`.
        name: String,
        /// The first field that differs (`` field `d` ``), or `size`,
        /// `alignment`, `kind` for the whole.
        field: String,
        /// Both values: `offset 1 in the Rust struct, 8 in the declared layout`.
        message: String,
    },
    /// A field read or written by name that does not exist, or a value that
    /// does not fit it.
    #[error("{name}.{field}: {message}")]
    Field {
        /// `struct Name` or `union Name`.
        name: String,
        /// The field's path, as given (`inner.values[2]`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A C declaration that is wrong or that rctypes cannot express.
    #[error("{}{message}{}", location(file, *line, *column), if text.is_empty() { String::new() } else { format!(": {text}") })]
    Declaration {
        /// The file, for headers.
        file: Option<String>,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The offending line.
        text: String,
        /// What is wrong.
        message: String,
        /// The lower-level error, when one was the cause: a
        /// [`std::io::Error`] for a header that cannot be read, or for a
        /// parser thread that cannot be started.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A callback panicked or failed while C ran the call: it gave C its error
    /// value, and `message` says what happened (the panic's message, or why
    /// its result could not be given).
    #[error("{function}: {message}")]
    Callback {
        /// The symbol of the call that was running.
        function: String,
        /// Which callback failed and how.
        message: String,
    },
    /// An error raised by a result check ([`CFunc::with_errcheck`](crate::CFunc::with_errcheck)).
    #[error("{function}: {message}")]
    Check {
        /// The function's symbol name.
        function: String,
        /// What the check reported.
        message: String,
    },
    /// The C compiler rejected the sources given to
    /// [`CBuild`](crate::CBuild): its diagnostics, parsed, and everything it
    /// printed.
    #[error("C compilation failed:{}", show_diagnostics(diagnostics, output))]
    Compile {
        /// The compiler's messages (errors, warnings and notes), in order.
        diagnostics: Vec<Diagnostic>,
        /// Everything the compiler and linker printed.
        output: String,
    },
    /// No C compiler could be found or run. Set `CC` to choose one.
    #[error("no C compiler: {message}")]
    NoCompiler {
        /// What went wrong looking for it or starting it.
        message: String,
        /// Why: the [`std::io::Error`] from starting it, or the error from
        /// looking for it.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// [`CBuild`](crate::CBuild) could not prepare a build: a source file it
    /// cannot read, a folder it cannot write, an invalid source name.
    #[error("C build: {message}")]
    Build {
        /// What went wrong, naming the path involved.
        message: String,
        /// The [`std::io::Error`] behind it, when a file or folder operation
        /// failed.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A write to a variable bound read-only, as a `const` one is
    /// ([`Library::const_variable`](crate::Library::const_variable)).
    #[error("{name}: the variable is read-only (declared const)")]
    ReadOnly {
        /// The variable's symbol name.
        name: String,
    },
    /// A non-blocking call found no worker thread to run it: the system
    /// refused to start one (feature `nonblocking`).
    #[cfg(feature = "nonblocking")]
    #[error("{function}: {message}")]
    Worker {
        /// The function's symbol name.
        function: String,
        /// Why the call did not run.
        message: String,
        /// The system's error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `file:line:column: `, `line L, column C: `, or `file: ` when the whole
/// file is at fault (line 0).
fn location(file: &Option<String>, line: usize, column: usize) -> String {
    match (file, line) {
        (Some(f), 0) => format!("{f}: "),
        (Some(f), _) => format!("{f}:{line}:{column}: "),
        (None, _) => format!("line {line}, column {column}: "),
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    shown.join(", ")
}

/// The first few errors, one per line, or the start of the output when none
/// could be parsed.
fn show_diagnostics(diagnostics: &[Diagnostic], output: &str) -> String {
    const SHOWN: usize = 3;
    let errors: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let mut text = String::new();
    if errors.is_empty() {
        for line in output
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(SHOWN + 2)
        {
            text.push_str("\n  ");
            text.push_str(line);
        }
        return text;
    }
    for d in errors.iter().take(SHOWN) {
        text.push_str(&format!("\n  {d}"));
    }
    if errors.len() > SHOWN {
        let more = errors.len() - SHOWN;
        text.push_str(&format!(
            "\n  (and {more} more error{})",
            if more == 1 { "" } else { "s" }
        ));
    }
    text
}

/// An [`Error`] travels between threads and into `Box<dyn Error + Send + Sync>`.
const _: () = {
    const fn shareable<T: std::error::Error + Send + Sync + 'static>() {}
    shareable::<Error>();
};

/// Why a value does not fit a C type, before the call site adds its context.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mismatch {
    pub expected: String,
    pub given: String,
}

impl Mismatch {
    pub(crate) fn at(self, function: &str, index: usize) -> Error {
        Error::Argument {
            function: function.to_owned(),
            index: index + 1,
            expected: self.expected,
            given: self.given,
        }
    }

    pub(crate) fn into_conversion(self) -> Error {
        Error::Conversion {
            expected: self.expected,
            given: self.given,
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, given {}", self.expected, self.given)
    }
}
