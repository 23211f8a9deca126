//! Whole headers: preprocessed by the C compiler, parsed, bound at once.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::{Constant, Declarations, Origin, Skipped, exports, macros};
use crate::error::{Error, Result};
use crate::func::CFunc;
use crate::library::Library;

/// A header read through the C preprocessor: every function, typedef,
/// struct, union, enum and `#define` constant it declares (including those of
/// the headers it includes), and what could not be expressed.
///
/// Real headers bind whole: GNU attributes that change no type are passed
/// over, `__asm__` renames bind the renamed symbol, and a declaration that
/// cannot be parsed or expressed is [skipped](Header::skipped) with its
/// reason while the rest goes on.
#[derive(Clone, Debug)]
pub struct Header {
    /// Everything declared, for further prototypes that use its names.
    pub declarations: Declarations,
    /// Every function declared, by the header or by what it includes, in
    /// order.
    pub functions: Vec<String>,
    /// Declarations skipped, with why.
    pub skipped: Vec<Skipped>,
    /// The functions of the header's own files, in order: the file read and
    /// those it includes that are not system headers (a library's own
    /// functions, where [`functions`](Self::functions) also has those of
    /// `<stdio.h>` and the like when the header includes them).
    pub own_functions: Vec<String>,
}

/// The functions of a header bound against a library.
#[derive(Debug)]
pub struct BoundHeader {
    /// Each declared function the library itself exports, by name.
    pub functions: BTreeMap<String, CFunc>,
    /// Functions the header's own files declare that the library does not
    /// export. (Functions of the system headers it includes, such as
    /// `<stdio.h>`'s, are bound only where the library itself exports them.)
    pub missing: Vec<String>,
}

/// How to read a header: include folders and `-D` defines, as the compiler
/// takes them.
///
/// ```
/// # fn main() -> rctypes::Result<()> {
/// use rctypes::{Constant, Header};
/// let header = Header::options()
///     .include_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/csrc"))
///     .define_value("HEADERS_EXTRA", "7")
///     .read(concat!(env!("CARGO_MANIFEST_DIR"), "/csrc/headers.h"))?;
/// assert_eq!(header.define("HEADERS_EXTRA_TWICE"), Some(&Constant::Int(14)));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct HeaderOptions {
    include_dirs: Vec<PathBuf>,
    defines: Vec<(String, Option<String>)>,
    handles: Vec<String>,
}

impl HeaderOptions {
    /// Searches `dir` for included headers (`-I`).
    pub fn include_dir(mut self, dir: impl AsRef<Path>) -> HeaderOptions {
        self.include_dirs.push(dir.as_ref().to_owned());
        self
    }

    /// Defines the macro `name` as 1 (`-D name`).
    pub fn define(mut self, name: &str) -> HeaderOptions {
        self.defines.push((name.to_owned(), None));
        self
    }

    /// Defines the macro `name` as `value` (`-D name=value`).
    pub fn define_value(mut self, name: &str, value: &str) -> HeaderOptions {
        self.defines.push((name.to_owned(), Some(value.to_owned())));
        self
    }

    /// Treats `name`, a typedef name or a struct tag, as an opaque handle
    /// type whatever its definition says (see [`Declarations::handle`]):
    /// glibc defines `FILE`, but a program passes it only back to C.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// use rctypes::{CType, Header, Library, Value};
    /// let stdio = Header::options().handle("FILE").read_system("stdio.h")?;
    /// let fclose = stdio.declarations.function("fclose").unwrap();
    /// assert_eq!(fclose.args, [CType::handle("FILE")]);
    /// // SAFETY: the C library's own header, for its own functions.
    /// let bound = unsafe { stdio.bind(&Library::this()?) };
    /// let file = bound.functions["tmpfile"].call(&[])?.into_handle()?;
    /// assert_eq!(bound.functions["fclose"].call(&[(&file).into()])?, Value::Int(0));
    /// # Ok(()) }
    /// ```
    pub fn handle(mut self, name: &str) -> HeaderOptions {
        self.handles.push(name.to_owned());
        self
    }

    /// Reads the header file at `path`.
    pub fn read(&self, path: impl AsRef<Path>) -> Result<Header> {
        let path = path.as_ref();
        let text = self.preprocess(Input::File(path))?;
        Header::from_preprocessed(&text, &self.handles)
    }

    /// Reads a header by the name a program includes it with, found on the
    /// compiler's search path as `#include <name>` finds it.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// use rctypes::{Constant, Header, Library, Value};
    /// let string_h = Header::options().read_system("string.h")?;
    /// let libc = Library::this()?;
    /// // SAFETY: the C library's own header declares its functions.
    /// let bound = unsafe { string_h.bind(&libc) };
    /// assert_eq!(bound.functions["strlen"].call(&["four".into()])?, Value::Int(4));
    /// # Ok(()) }
    /// ```
    pub fn read_system(&self, name: &str) -> Result<Header> {
        let text = self.preprocess(Input::System(name))?;
        Header::from_preprocessed(&text, &self.handles)
    }

    /// Runs the C preprocessor, keeping `#define`s in its output (`-dD`).
    fn preprocess(&self, input: Input<'_>) -> Result<String> {
        let tool = crate::compiler::compiler(0, None)?;
        let mut cmd = tool.to_command();
        let msvc = tool.is_like_msvc();
        cmd.arg(if msvc { "/E" } else { "-E" });
        if !msvc {
            cmd.arg("-dD");
        }
        for dir in &self.include_dirs {
            cmd.arg(format!("-I{}", dir.display()));
        }
        for (name, value) in &self.defines {
            cmd.arg(match value {
                Some(v) => format!("-D{name}={v}"),
                None => format!("-D{name}"),
            });
        }
        let (shown, stdin) = match input {
            Input::File(path) => {
                cmd.arg(path);
                (path.display().to_string(), None)
            }
            Input::System(name) => {
                cmd.args(["-x", "c", "-"]);
                (format!("<{name}>"), Some(format!("#include <{name}>\n")))
            }
        };
        let output = run(&mut cmd, stdin)?;
        if !output.status.success() {
            // The preprocessor's own diagnostics, on one line.
            let stderr = String::from_utf8_lossy(&output.stderr);
            let said: Vec<&str> = stderr
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            return Err(Error::Declaration {
                file: Some(shown),
                line: 0,
                column: 0,
                text: String::new(),
                message: format!("the preprocessor failed: {}", said.join("; ")),
                // A header that cannot be read keeps the system's reason too.
                source: match input {
                    Input::File(path) => std::fs::File::open(path).err().map(|e| e.into()),
                    Input::System(_) => None,
                },
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// What the preprocessor reads.
#[derive(Clone, Copy)]
enum Input<'a> {
    File(&'a Path),
    /// `#include <name>`, given on its standard input.
    System(&'a str),
}

/// Runs `cmd`, writing `stdin` to it if given.
fn run(cmd: &mut Command, stdin: Option<String>) -> Result<Output> {
    let shown = format!("{cmd:?}");
    let failed = |e: std::io::Error| Error::NoCompiler {
        message: format!("cannot run {shown}: {e}"),
        source: Some(Box::new(e)),
    };
    let Some(input) = stdin else {
        return cmd.output().map_err(failed);
    };
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(failed)?;
    if let Some(mut pipe) = child.stdin.take() {
        // A preprocessor that stops reading early reports why on stderr.
        let _ = pipe.write_all(input.as_bytes());
    }
    child.wait_with_output().map_err(failed)
}

impl Header {
    /// Preprocesses `path` with the C compiler the `cc` crate finds (its
    /// `-E`), searching `include_dirs`, and parses the result. See
    /// [`Header::options`] for `-D` defines and headers found by name.
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
        let mut options = HeaderOptions::default();
        for dir in include_dirs {
            options = options.include_dir(dir);
        }
        options.read(path)
    }

    /// Options for reading a header: include folders, defines, headers
    /// found by name.
    pub fn options() -> HeaderOptions {
        HeaderOptions::default()
    }

    /// The value of an integer constant: an enum constant or an integer
    /// `#define`.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// let header = rctypes::Header::read(concat!(env!("CARGO_MANIFEST_DIR"), "/csrc/headers.h"), &[])?;
    /// assert_eq!(header.constant("HEADERS_LIMIT"), Some(64));
    /// assert_eq!(header.constant("MODE_WRITE"), Some(2));
    /// # Ok(()) }
    /// ```
    pub fn constant(&self, name: &str) -> Option<i128> {
        self.declarations.constant(name)
    }

    /// The value of a `#define`d constant: integer, floating or string.
    pub fn define(&self, name: &str) -> Option<&Constant> {
        self.declarations.define(name)
    }

    /// Parses preprocessor output (with its `#define`s, from `-dD`).
    fn from_preprocessed(text: &str, handles: &[String]) -> Result<Header> {
        let (text, bodies, exposed) = take_defines(text);
        let packs = pack_changes(&text);
        let mut declarations = Declarations::new();
        for name in handles {
            declarations.handle(name);
        }
        let parsed = declarations.parse_text(
            &text,
            &Origin::Header {
                text: &text,
                packs: &packs,
            },
        )?;
        let files = Files::new(&text);
        let (mut functions, mut own) = (Vec::new(), Vec::new());
        for (name, offset) in parsed.functions {
            if functions.contains(&name) {
                continue;
            }
            if files.is_own(offset) {
                own.push(name.clone());
            }
            functions.push(name);
        }
        declarations.defines = macros::evaluate(&bodies, &exposed, &declarations);
        Ok(Header {
            declarations,
            functions,
            skipped: parsed.skipped,
            own_functions: own,
        })
    }

    /// Binds every function the header declares that `library` itself
    /// exports (not one of the libraries it depends on).
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
                Ok(f) if exports::defined_in(library, decl.symbol()) => {
                    bound.functions.insert(name.clone(), f);
                }
                _ if self.own_functions.contains(name) => bound.missing.push(name.clone()),
                _ => {}
            }
        }
        bound
    }
}

/// The files of preprocessor output, from its line markers: which offsets
/// lie in the header's own files.
struct Files {
    /// (offset, whether the text from there is the header's own).
    spans: Vec<(usize, bool)>,
}

impl Files {
    fn new(text: &str) -> Files {
        let mut spans = Vec::new();
        let mut main: Option<String> = None;
        // Files entered as system headers: markers within a file, where
        // macros expand, repeat its name without the flag.
        let mut system = std::collections::HashSet::new();
        let mut current = String::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if let Some((_, file, flags)) = parse_marker_flags(line.trim_end()) {
                // The first file named is the one read; read from standard
                // input, the first file it includes.
                let first = current.is_empty() && file != "<stdin>";
                if main.is_none() && (first || current == "<stdin>" && flags.contains(&1)) {
                    main = Some(file.clone());
                }
                if flags.contains(&3) {
                    system.insert(file.clone());
                }
                let own = main.as_deref() == Some(file.as_str())
                    || !(system.contains(&file) || file.starts_with('<'));
                spans.push((offset, own));
                current = file;
            }
            offset += line.len();
        }
        Files { spans }
    }

    fn is_own(&self, offset: usize) -> bool {
        let i = self.spans.partition_point(|(at, _)| *at <= offset);
        i > 0 && self.spans[i - 1].1
    }
}

/// Takes the `#define` and `#undef` lines out of preprocessor output
/// (blanked where they stand): the text, the object-like macros left defined
/// (name → body), and the names defined in files (not the compiler's own or
/// the command line's), in order.
fn take_defines(text: &str) -> (String, macros::Bodies, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut bodies = macros::Bodies::new();
    let mut exposed = Vec::new();
    let mut in_file = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if let Some((_, file, _)) = parse_marker_flags(trimmed) {
            in_file = !file.starts_with('<');
        } else if let Some(rest) = trimmed.strip_prefix("#define ") {
            let name_end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &rest[..name_end];
            if rest[name_end..].starts_with('(') {
                bodies.remove(name);
            } else {
                bodies.insert(name.to_owned(), rest[name_end..].trim().to_owned());
                if in_file {
                    exposed.push(name.to_owned());
                }
            }
            blank(&mut out, line);
            continue;
        } else if let Some(name) = trimmed.strip_prefix("#undef ") {
            bodies.remove(name.trim());
            blank(&mut out, line);
            continue;
        }
        out.push_str(line);
    }
    exposed.sort_unstable();
    exposed.dedup();
    exposed.retain(|n| bodies.contains_key(n));
    (out, bodies, exposed)
}

/// Appends `line` as blanks, its newline kept.
fn blank(out: &mut String, line: &str) {
    let body = line.trim_end_matches('\n');
    out.extend(std::iter::repeat_n(' ', body.len()));
    out.push_str(&line[body.len()..]);
}

/// `# 12 "file.h" 1 3` → (12, "file.h", [1, 3]).
fn parse_marker_flags(line: &str) -> Option<(usize, String, Vec<u32>)> {
    let (num, file) = parse_marker(line)?;
    let after = line.rsplit_once('"').map_or("", |(_, rest)| rest);
    let flags = after
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    Some((num, file, flags))
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
