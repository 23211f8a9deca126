//! C declarations as signatures: `double cos(double)` instead of
//! `&[CType::Double], CType::Double`, and whole headers bound at once.
//!
//! Declarations are parsed with the `lang-c` parser; headers first go through
//! the C preprocessor of the compiler the `cc` crate finds.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{Library, Value};
//! let libc = Library::this()?;
//! // SAFETY: C's own prototype: strlen reads a string up to its NUL, never NULL.
//! let strlen = unsafe { libc.declare("size_t strlen(const char *s);")? };
//! assert_eq!(strlen.call(&["four".into()])?, Value::Int(4));
//! # Ok(()) }
//! ```

mod attributes;
mod convert;
mod declare_all;
mod eval;
mod exports;
mod header;
mod macros;
mod nesting;
mod parse;
mod split;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::func::CFunc;
use crate::library::{Library, Variable};
use crate::types::StructLayout;
use crate::types::{CType, Extent};

pub use header::{BoundHeader, Header, HeaderOptions};
pub use macros::Constant;

/// A C function's declared signature, from a prototype.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDecl {
    /// The function's name.
    pub name: String,
    /// The parameter types, arrays and functions decayed to pointers.
    pub args: Vec<CType>,
    /// The parameter names, where the prototype gives them.
    pub arg_names: Vec<Option<String>>,
    /// The result type.
    pub ret: CType,
    /// Whether the prototype ends in `...`.
    pub variadic: bool,
    /// The symbol the function is linked as, where a GNU asm label renames
    /// it (`int scanf(...) __asm__("__isoc99_scanf")`); else its name.
    pub link_name: Option<String>,
}

impl FunctionDecl {
    /// Binds the declared function in `library`.
    ///
    /// # Safety
    ///
    /// As for [`Library::function`]: the declaration must be the function's
    /// true signature, and the function memory-safe for arguments that pass
    /// its checks.
    pub unsafe fn bind(&self, library: &Library) -> Result<CFunc> {
        let symbol = self.symbol();
        // SAFETY: forwarded to the caller.
        unsafe {
            if self.variadic {
                library.variadic(symbol, &self.args, self.ret.clone())
            } else {
                library.function(symbol, &self.args, self.ret.clone())
            }
        }
    }

    /// The symbol the function is bound by: its [`link_name`](Self::link_name)
    /// or else its name.
    pub fn symbol(&self) -> &str {
        self.link_name.as_deref().unwrap_or(&self.name)
    }
}

impl fmt::Display for FunctionDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut args: Vec<String> = self.args.iter().map(ToString::to_string).collect();
        if self.variadic {
            args.push("...".into());
        }
        write!(f, "{} {}({})", self.ret, self.name, args.join(", "))
    }
}

/// A set of C declarations: functions, typedefs, enum constants and struct
/// and union types (with their layouts), built up from prototypes, typedefs
/// and whole headers. Later declarations may use the names earlier ones made.
///
/// ```
/// # fn main() -> rctypes::Result<()> {
/// use rctypes::{CType, Declarations};
/// let mut decls = Declarations::new();
/// decls.parse("typedef int32_t score_t; enum level { LOW, HIGH = 10 };")?;
/// decls.parse("score_t best(const score_t *scores, size_t n, enum level at_least);")?;
/// let best = decls.function("best").unwrap();
/// assert_eq!(best.args, [CType::const_pointer(CType::Int32), CType::SizeT, CType::Int]);
/// assert_eq!(decls.constant("HIGH"), Some(10));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Declarations {
    typedefs: BTreeMap<String, CType>,
    /// Struct and union tags, with their layouts.
    tags: BTreeMap<String, Arc<StructLayout>>,
    constants: BTreeMap<String, i128>,
    functions: BTreeMap<String, FunctionDecl>,
    variables: BTreeMap<String, VariableDecl>,
    /// Typedef names of structs never defined, with their tags: a pointer
    /// to one is an opaque handle.
    opaque: BTreeMap<String, String>,
    /// Typedef names whose declaration was skipped, with why: a declaration
    /// using one is skipped too, saying so.
    unusable: BTreeMap<String, String>,
    /// `#define`d constants, from headers.
    defines: BTreeMap<String, Constant>,
    /// Typedef names and struct tags declared handle types, whatever their
    /// definitions say.
    handles: std::collections::BTreeSet<String>,
}

/// A declared (`extern`) variable.
#[derive(Clone, Debug)]
struct VariableDecl {
    /// Its type as a value (an array decayed to a pointer).
    ty: CType,
    /// Declared `const`: the loader may put it in read-only memory.
    is_const: bool,
    /// Declared an array, which is no pointer in memory.
    is_array: bool,
}

/// The extent an array parameter states: `int a[4]` four elements, `int
/// a[n]` as many as parameter `n`, `int m[rows * cols]` the product of two
/// parameters. Plain pointers state none.
fn param_extent(
    param: &convert::DeclType,
    names: &[Option<String>],
) -> Result<Option<Extent>, String> {
    let convert::DeclType::Array { len, len_names, .. } = param else {
        return Ok(None);
    };
    if let Some(n) = len {
        return Ok(Some(Extent::Elements(*n)));
    }
    let index = |name: &String| {
        names
            .iter()
            .position(|n| n.as_ref() == Some(name))
            .map(|i| i + 1)
            .ok_or_else(|| format!("the array length `{name}` names no parameter"))
    };
    Ok(match len_names.as_slice() {
        [] => None,
        [n] => Some(Extent::ElementsFromArg(index(n)?)),
        [a, b] => Some(Extent::ElementsFromArgs(index(a)?, index(b)?)),
        _ => return Err("an array length of more than two parameters".into()),
    })
}

/// Names every declaration may use without declaring them: those of
/// `<stdint.h>`, `<stddef.h>`, `<stdbool.h>`, `<wchar.h>` and `<sys/types.h>`.
fn builtin_typedefs() -> BTreeMap<String, CType> {
    let list: &[(&str, CType)] = &[
        ("int8_t", CType::Int8),
        ("uint8_t", CType::UInt8),
        ("int16_t", CType::Int16),
        ("uint16_t", CType::UInt16),
        ("int32_t", CType::Int32),
        ("uint32_t", CType::UInt32),
        ("int64_t", CType::Int64),
        ("uint64_t", CType::UInt64),
        ("intptr_t", CType::IntP),
        ("uintptr_t", CType::SizeT),
        ("intmax_t", CType::Int64),
        ("uintmax_t", CType::UInt64),
        ("size_t", CType::SizeT),
        ("ssize_t", CType::SSizeT),
        ("ptrdiff_t", CType::IntP),
        ("wchar_t", CType::WChar),
        ("bool", CType::Bool),
        // The compiler's own name for va_list, seen in preprocessed headers.
        ("__builtin_va_list", CType::VoidP),
    ];
    list.iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect()
}

impl Declarations {
    /// An empty set that knows the standard fixed-width and size names.
    pub fn new() -> Declarations {
        Declarations {
            typedefs: builtin_typedefs(),
            ..Default::default()
        }
    }

    /// Treats `name`, a typedef name or a struct tag, as an opaque handle
    /// type: a pointer to it is [`CType::handle`]`(name)` whatever its
    /// definition says, so what C hands out (`FILE*`) goes back to C only
    /// where the same handle type is declared, and is never read.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// use rctypes::{CType, Declarations};
    /// let mut decls = Declarations::new();
    /// decls.handle("FILE");
    /// decls.parse("typedef struct _IO_FILE { int fd; } FILE; int fclose(FILE *stream);")?;
    /// assert_eq!(decls.function("fclose").unwrap().args, [CType::handle("FILE")]);
    /// # Ok(()) }
    /// ```
    pub fn handle(&mut self, name: &str) -> &mut Declarations {
        self.handles.insert(name.to_owned());
        self
    }

    /// Parses C declarations and adds what they declare. Nothing is added if
    /// any of them is wrong or unsupported: the error gives the line, the
    /// column and the offending text.
    pub fn parse(&mut self, source: &str) -> Result<&mut Declarations> {
        let mut next = self.clone();
        next.parse_text(source, &Origin::Text(source))?;
        *self = next;
        Ok(self)
    }

    /// The declared function `name`.
    pub fn function(&self, name: &str) -> Option<&FunctionDecl> {
        self.functions.get(name)
    }

    /// Every declared function, by name.
    pub fn functions(&self) -> impl Iterator<Item = &FunctionDecl> {
        self.functions.values()
    }

    /// The type a typedef name stands for.
    pub fn typedef(&self, name: &str) -> Option<&CType> {
        self.typedefs.get(name)
    }

    /// The layout of the struct or union defined with tag `tag`
    /// (`struct tag { ... }`), laid out by C's rules with the `#pragma pack`
    /// in force where it was defined.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// use rctypes::{CType, Declarations};
    /// let mut decls = Declarations::new();
    /// decls.parse(
    ///     "typedef struct Weather_t { int timestamp; char desc[12]; } Weather;\n\
    ///      #pragma pack(push, 1)\n\
    ///      struct packed { char c; double d; unsigned flags : 3; };\n\
    ///      #pragma pack(pop)\n\
    ///      long long sum_timestamps(const Weather *w, int nelems);",
    /// )?;
    /// let weather = decls.layout("Weather_t").unwrap();
    /// assert_eq!((weather.size(), weather.field("desc").unwrap().offset()), (16, 4));
    /// assert_eq!(decls.typedef("Weather"), Some(&CType::Struct(weather.clone())));
    /// assert_eq!(decls.layout("packed").unwrap().field("d").unwrap().offset(), 1);
    /// let sum = decls.function("sum_timestamps").unwrap();
    /// assert_eq!(sum.args[0], CType::const_pointer(CType::Struct(weather.clone())));
    /// # Ok(()) }
    /// ```
    pub fn layout(&self, tag: &str) -> Option<&Arc<StructLayout>> {
        self.tags.get(tag)
    }

    /// The value of an integer constant: an enum constant, or an integer
    /// `#define` of a header.
    pub fn constant(&self, name: &str) -> Option<i128> {
        self.constants
            .get(name)
            .copied()
            .or_else(|| match self.defines.get(name) {
                Some(Constant::Int(i)) => Some(*i),
                _ => None,
            })
    }

    /// The value of a header's `#define`d constant: integer, floating or
    /// string (object-like macros whose bodies are constant expressions).
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// use rctypes::{Constant, Header};
    /// let header = Header::read(concat!(env!("CARGO_MANIFEST_DIR"), "/csrc/headers.h"), &[])?;
    /// assert_eq!(header.declarations.define("HEADERS_VERSION"), Some(&Constant::Str("2.5".into())));
    /// assert_eq!(header.declarations.define("HEADERS_SCALE"), Some(&Constant::Float(0.5)));
    /// # Ok(()) }
    /// ```
    pub fn define(&self, name: &str) -> Option<&Constant> {
        self.defines.get(name)
    }

    /// Every `#define`d constant, by name.
    pub fn defines(&self) -> impl Iterator<Item = (&str, &Constant)> {
        self.defines.iter().map(|(n, c)| (n.as_str(), c))
    }

    /// The type of a declared (`extern`) variable.
    pub fn variable(&self, name: &str) -> Option<&CType> {
        self.variables.get(name).map(|v| &v.ty)
    }

    /// Whether the declared variable `name` is itself `const` (`const int
    /// version;`, `char *const name;`, not `const char *name;`), so
    /// [`bind_variable`](Self::bind_variable) binds it read-only.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// let mut decls = rctypes::Declarations::new();
    /// decls.parse("extern const int version; extern const char *motto; extern char *const name;")?;
    /// assert!(decls.is_const_variable("version") && decls.is_const_variable("name"));
    /// assert!(!decls.is_const_variable("motto"));
    /// # Ok(()) }
    /// ```
    pub fn is_const_variable(&self, name: &str) -> bool {
        self.variables.get(name).is_some_and(|v| v.is_const)
    }

    /// Binds the declared variable `name` in `library`: read-only when it
    /// is declared `const` ([`Library::const_variable`]), else with
    /// [`Library::variable`]. An array is refused: it is no pointer in
    /// memory, and has no value to read or write whole.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let abi = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
    /// let mut decls = rctypes::Declarations::new();
    /// decls.parse("extern const int abi_version;")?;
    /// // SAFETY: abi.c defines `const int abi_version = 3`.
    /// let version = unsafe { decls.bind_variable(&abi, "abi_version")? };
    /// assert_eq!(version.get().to::<i32>()?, 3);
    /// assert!(version.set(&4.into()).is_err());
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`Library::variable`]: the declaration must be the variable's
    /// true type, its `const` included.
    pub unsafe fn bind_variable(&self, library: &Library, name: &str) -> Result<Variable> {
        let Some(v) = self.variables.get(name) else {
            return Err(Error::Symbol {
                library: library.name().to_owned(),
                symbol: name.to_owned(),
                message: "no variable of that name is declared".into(),
                source: None,
            });
        };
        if v.is_array {
            return Err(Error::Symbol {
                library: library.name().to_owned(),
                symbol: name.to_owned(),
                message: "an array variable cannot be bound: bind a pointer to it as `T*` \
                          with Library::symbol_address in unsafe code"
                    .into(),
                source: None,
            });
        }
        // SAFETY: forwarded to the caller; a const variable is bound read-only.
        unsafe {
            if v.is_const {
                library.const_variable(name, v.ty.clone())
            } else {
                library.variable(name, v.ty.clone())
            }
        }
    }
}

/// A declaration a header holds that could not be expressed, with why.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    /// Where it is: `file:line:column`.
    pub at: String,
    /// Why it was skipped.
    pub message: String,
    /// The name it declares, where it can be told.
    pub name: Option<String>,
    /// Whether it declares a function.
    pub is_function: bool,
}

/// Where parsed text came from, to turn offsets into positions.
enum Origin<'a> {
    /// A string given directly.
    Text(&'a str),
    /// Preprocessor output, with its `# line "file"` markers.
    Header {
        text: &'a str,
        packs: &'a [(usize, Option<u32>)],
    },
}

impl Origin<'_> {
    fn text(&self) -> &str {
        match self {
            Origin::Text(t) => t,
            Origin::Header { text, .. } => text,
        }
    }

    /// The `#pragma pack` in force at `offset`.
    fn packing_at(&self, offset: usize) -> Option<u32> {
        match self {
            Origin::Text(text) => header::pack_changes(text)
                .iter()
                .rev()
                .find(|(at, _)| *at <= offset)
                .and_then(|p| p.1),
            Origin::Header { packs, .. } => packs
                .iter()
                .rev()
                .find(|(at, _)| *at <= offset)
                .and_then(|p| p.1),
        }
    }

    /// `file:line` (headers) or `line L, column C` (text) of an offset.
    fn describe(&self, offset: usize) -> String {
        let (file, line, column) = self.position(offset);
        match file {
            Some(f) => format!("{f}:{line}:{column}"),
            None => format!("line {line}, column {column}"),
        }
    }

    fn position(&self, offset: usize) -> (Option<String>, usize, usize) {
        let text = self.text();
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let column = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        match self {
            Origin::Text(_) => (None, before.matches('\n').count() + 1, column),
            Origin::Header { .. } => header::marker_position(before, column),
        }
    }

    fn error(&self, offset: usize, message: String) -> Error {
        let (file, line, column) = self.position(offset);
        let text = self.text();
        let offset = offset.min(text.len());
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        Error::Declaration {
            file,
            line,
            column,
            text: text[start..end].trim().to_owned(),
            message,
            source: None,
        }
    }
}

/// Parses one function prototype, such as `double cos(double)`; the
/// semicolon is optional.
///
/// ```
/// use rctypes::{CType, parse_prototype};
/// let p = parse_prototype("int printf(const char *fmt, ...)").unwrap();
/// assert_eq!((p.args.as_slice(), &p.ret, p.variadic), (&[CType::CharP][..], &CType::Int, true));
/// let err = parse_prototype("int f(int x").unwrap_err();
/// assert!(err.to_string().starts_with("line 1, column 12: syntax error"), "{err}");
/// ```
pub fn parse_prototype(prototype: &str) -> Result<FunctionDecl> {
    Declarations::new().prototype(prototype)
}

impl Declarations {
    /// Parses one prototype with the names these declarations know, without
    /// adding it.
    pub fn prototype(&self, prototype: &str) -> Result<FunctionDecl> {
        let text = prototype.trim_end();
        let text = if text.ends_with(';') {
            text.to_owned()
        } else {
            format!("{text};")
        };
        let mut scratch = self.clone();
        scratch.functions.clear();
        scratch.parse_text(&text, &Origin::Text(&text))?;
        let mut found = scratch.functions.into_values();
        match (found.next(), found.next()) {
            (Some(f), None) => Ok(f),
            _ => Err(Error::Declaration {
                file: None,
                line: 1,
                column: 1,
                text: prototype.to_owned(),
                message: "expected exactly one function prototype".into(),
                source: None,
            }),
        }
    }
}

impl Library {
    /// Binds a function from its C prototype: `lib.declare("int fib(int)")`
    /// is `lib.function("fib", &[CType::Int], CType::Int)`.
    ///
    /// `const T*` parameters become [`CType::const_pointer`] (C reads), `T*`
    /// [`CType::pointer`] (C writes), `const char*` a C string, arrays decay to
    /// pointers, and `...` makes the function variadic.
    ///
    /// # Safety
    ///
    /// As for [`Library::function`]: the prototype must be the function's
    /// true signature, and the function memory-safe for arguments that pass
    /// its checks.
    pub unsafe fn declare(&self, prototype: &str) -> Result<CFunc> {
        let decl = parse_prototype(prototype)?;
        // SAFETY: forwarded to the caller.
        unsafe { decl.bind(self) }
    }

    /// Binds a variable from its C declaration:
    /// `lib.declare_variable("extern int counter;")` is
    /// `lib.variable("counter", CType::Int)`, and a `const` one is bound
    /// read-only, as [`const_variable`](Self::const_variable) does.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let abi = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
    /// // SAFETY: abi.c defines `const int abi_version = 3`.
    /// let version = unsafe { abi.declare_variable("extern const int abi_version;")? };
    /// assert_eq!(version.get().to::<i32>()?, 3);
    /// let err = version.set(&4.into()).unwrap_err();
    /// assert_eq!(err.to_string(), "abi_version: the variable is read-only (declared const)");
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`Library::variable`]: the declaration must be the variable's
    /// true type, its `const` included.
    pub unsafe fn declare_variable(&self, declaration: &str) -> Result<Variable> {
        let text = declaration.trim_end();
        let text = if text.ends_with(';') {
            text.to_owned()
        } else {
            format!("{text};")
        };
        let mut decls = Declarations::new();
        decls.parse(&text)?;
        let mut names = decls.variables.keys();
        match (names.next(), names.next(), decls.functions.is_empty()) {
            // SAFETY: forwarded to the caller.
            (Some(name), None, true) => unsafe { decls.bind_variable(self, name) },
            _ => Err(Error::Declaration {
                file: None,
                line: 1,
                column: 1,
                text: declaration.to_owned(),
                message: "expected exactly one variable declaration".into(),
                source: None,
            }),
        }
    }
}
