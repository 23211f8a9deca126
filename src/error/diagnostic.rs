//! The compiler's messages, parsed from what gcc, clang, MSVC and the linkers
//! print.

use std::fmt;

/// How serious a compiler message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The build fails (gcc's `error` and `fatal error`, and linker errors).
    Error,
    /// A warning; the build goes on unless warnings are errors.
    Warning,
    /// Context for the message before it (`note`, clang's `remark`).
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// One message from the compiler or linker: `add.c:3:12: error: expected ';'`.
///
/// Sources given as strings are named as they were given
/// ([`CBuild::source_str`](crate::CBuild::source_str)); files keep their path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the message is about, or the tool that printed it (`ld`,
    /// `collect2`, `LINK`) when it is about no file.
    pub file: String,
    /// 1-based line, when the message has one.
    pub line: Option<u32>,
    /// 1-based column, when the message has one.
    pub column: Option<u32>,
    /// Error, warning or note.
    pub severity: Severity,
    /// The message itself, as the compiler wrote it (MSVC's code included,
    /// as in `C2143: syntax error: missing ';' before '}'`).
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}: {}", self.severity, self.message)
    }
}
