//! Whole headers: preprocessed by the C compiler, parsed, bound at once.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Declarations, Origin, Skipped};
use crate::error::{Error, Result};
use crate::func::CFunc;
use crate::library::Library;

/// A header read through the C preprocessor: its declarations (including
/// those of the headers it includes), which functions the header itself
/// declares, and what could not be expressed.
#[derive(Clone, Debug)]
pub struct Header {
    /// Everything declared, for further prototypes that use its names.
    pub declarations: Declarations,
    /// The functions declared in the header file itself, in order.
    pub functions: Vec<String>,
    /// Declarations skipped, with why.
    pub skipped: Vec<Skipped>,
}

/// The functions of a header bound against a library.
#[derive(Debug)]
pub struct BoundHeader {
    /// Each function the library has, by name.
    pub functions: BTreeMap<String, CFunc>,
    /// Functions the header declares that the library does not export.
    pub missing: Vec<String>,
}

impl Header {
    /// Preprocesses `path` with the C compiler the `cc` crate finds (its
    /// `-E`), searching `include_dirs`, and parses the result.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// use rctypes::{CType, Header, Value};
    /// let header = Header::read(concat!(env!("CARGO_MANIFEST_DIR"), "/csrc/fibonacci.h"), &[])?;
    /// assert_eq!(header.functions, ["fib", "fibseries", "fibmatrix"]);
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
    /// // SAFETY: the header is the library's own.
    /// let bound = unsafe { header.bind(&lib) };
    /// assert!(bound.missing.is_empty());
    /// assert_eq!(bound.functions["fib"].call(&[8.into()])?, Value::Int(13));
    /// # Ok(()) }
    /// ```
    pub fn read(path: impl AsRef<Path>, include_dirs: &[&Path]) -> Result<Header> {
        let path = path.as_ref();
        let text = preprocess(path, include_dirs)?;
        let packs = pack_changes(&text);
        let mut declarations = Declarations::new();
        let before: Vec<String> = declarations.functions.keys().cloned().collect();
        let skipped = declarations.parse_text(
            &text,
            &Origin::Header {
                text: &text,
                packs: &packs,
            },
        )?;
        let file = path.display().to_string();
        let functions = functions_in(&text, &file, &declarations, &before);
        Ok(Header {
            declarations,
            functions,
            skipped,
        })
    }

    /// Binds every function the header declares that `library` exports.
    ///
    /// # Safety
    ///
    /// The header must declare the library's functions truthfully, and each
    /// must be memory-safe for arguments that pass its checks (see
    /// [`Library::function`]).
    pub unsafe fn bind(&self, library: &Library) -> BoundHeader {
        let mut bound = BoundHeader {
            functions: BTreeMap::new(),
            missing: Vec::new(),
        };
        for name in &self.functions {
            let Some(decl) = self.declarations.function(name) else {
                continue;
            };
            // SAFETY: forwarded to the caller.
            match unsafe { decl.bind(library) } {
                Ok(f) => {
                    bound.functions.insert(name.clone(), f);
                }
                Err(_) => bound.missing.push(name.clone()),
            }
        }
        bound
    }
}

/// The names of functions whose declarations sit in `file` itself, in the
/// order they appear, per the preprocessor's line markers.
fn functions_in(text: &str, file: &str, decls: &Declarations, before: &[String]) -> Vec<String> {
    let mut current = String::new();
    let mut names = Vec::new();
    for line in text.lines() {
        if let Some((_, marked)) = parse_marker(line) {
            current = marked;
            continue;
        }
        if current != file {
            continue;
        }
        for f in decls.functions.keys() {
            if !before.contains(f) && !names.contains(f) && declares(line, f) {
                names.push(f.clone());
            }
        }
    }
    names
}

/// Whether a line holds `name(`, as a function declaration does.
fn declares(line: &str, name: &str) -> bool {
    line.match_indices(name).any(|(i, _)| {
        let before_ok = line[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = line[i + name.len()..].trim_start();
        before_ok && after.starts_with('(')
    })
}

/// `# 12 "file.h" 1 3` → (12, "file.h").
fn parse_marker(line: &str) -> Option<(usize, String)> {
    let rest = line
        .strip_prefix("# ")
        .or_else(|| line.strip_prefix("#line "))?;
    let (num, rest) = rest.split_once(' ')?;
    let num = num.parse().ok()?;
    let file = rest.trim_start().strip_prefix('"')?;
    let file = &file[..file.find('"')?];
    Some((num, file.to_owned()))
}

/// The file and line of the end of `before`, by the last line marker.
pub(super) fn marker_position(before: &str, column: usize) -> (Option<String>, usize, usize) {
    let mut file = None;
    let mut line = before.matches('\n').count() + 1;
    for (lines_since, l) in before.rsplit('\n').skip(1).enumerate() {
        if let Some((num, f)) = parse_marker(l) {
            file = Some(f);
            line = num + lines_since;
            break;
        }
    }
    (file, line, column)
}

/// The `#pragma pack` state after each directive: (offset, pack or None).
pub(super) fn pack_changes(text: &str) -> Vec<(usize, Option<u32>)> {
    let mut stack: Vec<Option<u32>> = Vec::new();
    let mut current = None;
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if let Some(args) = t
            .strip_prefix("#pragma pack")
            .or_else(|| t.strip_prefix("# pragma pack"))
        {
            let args = args.trim().trim_start_matches('(').trim_end_matches(')');
            let parts: Vec<&str> = args
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            match parts.as_slice() {
                [] => current = None,
                ["push"] => stack.push(current),
                ["push", n] => {
                    stack.push(current);
                    current = n.parse().ok();
                }
                ["pop", ..] => current = stack.pop().flatten(),
                [n] => current = n.parse().ok(),
                _ => {}
            }
            out.push((offset, current));
        }
        offset += line.len();
    }
    out
}

/// Runs the C preprocessor over `path`.
fn preprocess(path: &Path, include_dirs: &[&Path]) -> Result<String> {
    let tool = crate::compiler::compiler(0, None)?;
    let mut cmd = tool.to_command();
    cmd.arg(if tool.is_like_msvc() { "/E" } else { "-E" });
    for dir in include_dirs {
        cmd.arg(format!("-I{}", dir.display()));
    }
    cmd.arg(path);
    let output = cmd.output().map_err(|e| Error::NoCompiler {
        message: format!("cannot run {cmd:?}: {e}"),
        source: Some(Box::new(e)),
    })?;
    if !output.status.success() {
        // The preprocessor's own diagnostics, on one line.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let said: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        return Err(Error::Declaration {
            file: Some(path.display().to_string()),
            line: 0,
            column: 0,
            text: String::new(),
            message: format!("the preprocessor failed: {}", said.join("; ")),
            // A header that cannot be read keeps the system's reason too.
            source: std::fs::File::open(path).err().map(|e| e.into()),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_directives_nest() {
        let text =
            "#pragma pack(push, 2)\nA\n#pragma pack(1)\nB\n#pragma pack(pop)\nC\n#pragma pack()\n";
        let packs: Vec<Option<u32>> = pack_changes(text).into_iter().map(|p| p.1).collect();
        assert_eq!(packs, [Some(2), Some(1), None, None]);
    }

    #[test]
    fn markers_give_file_and_line() {
        let before = "# 1 \"a.h\"\nint x;\n# 7 \"b.h\" 1\nint y;\nint z";
        assert_eq!(marker_position(before, 3), (Some("b.h".into()), 8, 3));
    }
}
