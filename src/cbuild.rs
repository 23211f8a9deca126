//! Compile C at run time and load it: a test harness for code that calls C.
//!
//! [`CBuild`] compiles C sources, given as strings or files, into a shared
//! library in a temporary folder, with the compiler and flags the [`cc`]
//! crate finds (gcc and clang on Unix, MSVC on Windows, or whatever `CC`
//! names), and loads it. The folder lives exactly as long as the loaded
//! library: it is removed when the last clone of the [`Library`], and the last
//! function or variable bound from it, is dropped (or, for a library that is
//! never dropped, such as one kept in a static, when the process exits).
//!
//! ```
//! # fn main() -> Result<(), rctypes::Error> {
//! use rctypes::{CBuild, CType};
//!
//! // SAFETY: this C has no initialisers.
//! let lib = unsafe {
//!     CBuild::new()
//!         .source_str("add.c", "int add(int a, int b) { return a + b; }")
//!         .build()?
//! };
//! // SAFETY: add.c defines `int add(int, int)`.
//! let add = unsafe { lib.function("add", &[CType::Int, CType::Int], CType::Int)? };
//! assert_eq!(add.call(&[2.into(), 3.into()])?.to::<i32>()?, 5);
//! # Ok(()) }
//! ```
//!
//! - **Cached by content.** A build whose inputs are the same as an earlier
//!   one's reuses its library without running the compiler, once per
//!   process, and across runs when a [`cache_dir`](CBuild::cache_dir) is
//!   given. [`Compiled::from_cache`] and [`compiler_runs`] tell whether the
//!   compiler ran.
//! - **Every build loads its own copy.** A cached library is copied into a new
//!   temporary folder for each build, so each [`Library`] has its own C
//!   globals, and tests running in parallel do not see each other's.
//! - **Errors are values.** C that does not compile gives
//!   [`Error::Compile`] with the compiler's messages
//!   parsed into [`Diagnostic`]s (file, line, column, message), and no
//!   compiler at all gives [`Error::NoCompiler`].
//!   A function declared but defined nowhere is not a link error for a shared
//!   library (the process may provide it): loading reports it as
//!   [`Error::Load`] ("undefined symbol"), or on Linux
//!   `.flag("-Wl,--no-undefined")` makes the linker report it.
//!
//! # What the cache trusts, and where it lives
//!
//! Loading a library runs its initialisers, so the cache loads only what a
//! build of the same inputs made.
//!
//! - **Where.** By default the cache is in the process's memory, and every
//!   build, compiled or cached, gets a new temporary folder created private
//!   to the user (mode 0700 on Unix, as `tempfile` makes them), from which the
//!   library is loaded. A [`cache_dir`](CBuild::cache_dir) keeps libraries on
//!   disk too: one the build creates is made mode 0700.
//! - **Checks before a library is taken from a cache folder.** The folder
//!   must be owned by this user and not writable by group or others, and so
//!   must the manifest and the library file, checked on the opened file
//!   (a symbolic link is refused); anything else is an [`Error::Build`]
//!   naming the path, its owner or mode, and what was expected. The
//!   library's bytes must hash (SHA-256) to the digest its manifest recorded
//!   when it was built, or it is rebuilt and replaced; and every file it was
//!   built from must be unchanged. The checked bytes are copied into the
//!   build's private folder and loaded from there.
//!   [`Compiled::verified`] says which of these a library passed. Owner and
//!   mode are checked on Unix only; elsewhere the note says so.
//! - **The key.** The SHA-256 of: the target; the compiler's path, its
//!   driver program's contents and what `--version` prints; the arguments
//!   `cc` chose and every flag, include folder, define, library and search
//!   folder of the build; the environment variables the compiler and `cc`
//!   read (`CC`, `CFLAGS` and their per-target forms, `CPATH`,
//!   `C_INCLUDE_PATH`, `LIBRARY_PATH`, `SDKROOT`, MSVC's `INCLUDE`, `LIB`,
//!   `CL`, ...), which the compiler is then run with; and the names and
//!   contents of the sources. A [`file`](CBuild::file) is read once: the key
//!   hashes those bytes and the compiler is given a copy of them.
//! - **Checked after the key matches.** Every header the compiler read,
//!   system headers and those found through `-isystem` or `C_INCLUDE_PATH`
//!   included, and the link inputs the build names (each
//!   [`link`](CBuild::link) library as found in the search folders and the
//!   compiler's own, and files named by path in flags) are recorded with
//!   their hashes; a library is reused only while they are unchanged. A file
//!   that changed while the build ran makes the library used once, never
//!   reused.
//! - **Concurrent builds.** Threads building one key compile it once. On
//!   Unix, processes sharing a cache folder take a lock file per key, so one
//!   compiles and the others then read its library; files are written aside
//!   and renamed into place, so no one reads half a file.
//!
//! Not covered: files the compiler and linker use without the build naming
//! them (the C library, `crt` objects, the compiler's own runtime and
//! internal programs beyond the driver), and anyone who can write as this
//! user.
//!
//! The guide [`doc::testing_c_with_cargo_test`](crate::doc::testing_c_with_cargo_test)
//! shows how to test a C library with it.

mod cache;
mod diagnostic;
mod folder;
mod toolchain;
mod trust;

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use crate::error::{Diagnostic, Error, Result};
use crate::library::Library;

use crate::compiler::{self, Environment};
use cache::{Artifact, Dependency, KeyHasher};
use folder::BuildFolder;
use toolchain::{Identity, Options, Unit};

static COMPILER_RUNS: AtomicUsize = AtomicUsize::new(0);

/// How many builds in this process have run the C compiler (successfully or
/// not). Builds served from the cache do not count.
///
/// Other threads may build at the same time, so a test that wants to know
/// whether *its* build compiled asks [`Compiled::from_cache`].
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CBuild, cbuild};
/// let before = cbuild::compiler_runs();
/// let compiled = CBuild::new().source_str("k.c", "int k(void) { return 7; }").compile()?;
/// assert!(compiled.from_cache() || cbuild::compiler_runs() > before);
/// # Ok(()) }
/// ```
pub fn compiler_runs() -> usize {
    COMPILER_RUNS.load(Ordering::Relaxed)
}

/// A C source: text to write into the build folder, or a file.
#[derive(Clone, Debug)]
enum Source {
    Text { name: String, code: String },
    File(PathBuf),
}

/// Builds a shared library from C sources and loads it.
///
/// Each method adds to the build and returns the builder, in the style of
/// `cc::Build`; [`build`](CBuild::build) compiles and loads,
/// [`compile`](CBuild::compile) only compiles.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::CBuild;
/// // SAFETY: the C has no initialisers.
/// let lib = unsafe {
///     CBuild::new()
///         .header_str("scale.h", "#ifndef FACTOR\n#define FACTOR 1\n#endif\n")
///         .source_str("scale.c", "#include \"scale.h\"\n#include <math.h>\n\
///                                 double scale(double x) { return FACTOR * sqrt(x); }")
///         .define("FACTOR", "3")
///         .opt_level(2)
///         .link("m")
///         .build()?
/// };
/// // SAFETY: scale.c defines `double scale(double)`.
/// let scale = unsafe { lib.typed::<(f64,), f64>("scale")? };
/// assert_eq!(scale.call((16.0,)), 12.0);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct CBuild {
    sources: Vec<Source>,
    headers: Vec<(String, String)>,
    includes: Vec<PathBuf>,
    defines: Vec<(String, Option<String>)>,
    std: Option<String>,
    flags: Vec<OsString>,
    opt_level: u32,
    warnings_into_errors: bool,
    link_search: Vec<PathBuf>,
    libs: Vec<String>,
    compiler: Option<PathBuf>,
    cache_dir: Option<PathBuf>,
}

impl CBuild {
    /// An empty build: no sources, optimisation level 0, warnings on but not
    /// errors, no cache folder.
    pub fn new() -> CBuild {
        CBuild::default()
    }

    /// Adds a C source given as text. `name` is the file name it is written
    /// under in the build folder, and the name its diagnostics use: a relative
    /// path such as `"add.c"` or `"lib/add.c"`, whose extension tells the
    /// compiler the language.
    pub fn source_str(&mut self, name: impl Into<String>, code: impl Into<String>) -> &mut CBuild {
        self.sources.push(Source::Text {
            name: name.into(),
            code: code.into(),
        });
        self
    }

    /// Adds a C source file. Relative paths are taken from the current folder.
    pub fn file(&mut self, path: impl AsRef<Path>) -> &mut CBuild {
        self.sources.push(Source::File(path.as_ref().to_path_buf()));
        self
    }

    /// Adds a header given as text, written into the build folder (which is
    /// on the include path) and not compiled by itself: `#include "name"`
    /// finds it.
    pub fn header_str(&mut self, name: impl Into<String>, code: impl Into<String>) -> &mut CBuild {
        self.headers.push((name.into(), code.into()));
        self
    }

    /// Adds a folder to the include path (`-I`).
    pub fn include(&mut self, dir: impl AsRef<Path>) -> &mut CBuild {
        self.includes.push(dir.as_ref().to_path_buf());
        self
    }

    /// Defines a preprocessor macro: `define("N", "3")` is `-DN=3`,
    /// `define("NDEBUG", None)` is `-DNDEBUG`.
    pub fn define<'a>(&mut self, name: &str, value: impl Into<Option<&'a str>>) -> &mut CBuild {
        self.defines
            .push((name.to_owned(), value.into().map(str::to_owned)));
        self
    }

    /// The C standard, as `-std=` (gcc, clang) or `/std:` (MSVC) spells it:
    /// `"c11"`, `"c17"`, `"gnu99"`.
    pub fn std(&mut self, std: &str) -> &mut CBuild {
        self.std = Some(std.to_owned());
        self
    }

    /// Adds a flag passed as it is to the compiler, when compiling and when
    /// linking: `-fopenmp`, `-Wno-unused`, `-Wl,--no-undefined`.
    ///
    /// The compiler runs in the build folder, so a flag naming a relative path
    /// would look for it there: give paths through [`include`](Self::include)
    /// and [`link_search`](Self::link_search), which make them absolute.
    pub fn flag(&mut self, flag: impl Into<OsString>) -> &mut CBuild {
        self.flags.push(flag.into());
        self
    }

    /// The optimisation level, 0 to 3 (`-O0` to `-O3`; MSVC's nearest).
    /// The default is 0, the fastest to compile.
    pub fn opt_level(&mut self, level: u32) -> &mut CBuild {
        self.opt_level = level;
        self
    }

    /// Makes warnings errors (`-Werror`, `/WX`), so a test fails on C that
    /// compiles with warnings. Warnings are on (`-Wall -Wextra`, `/W4`).
    pub fn warnings_into_errors(&mut self, on: bool) -> &mut CBuild {
        self.warnings_into_errors = on;
        self
    }

    /// Links against the library `name` (`-lname`, MSVC's `name.lib`).
    pub fn link(&mut self, name: &str) -> &mut CBuild {
        self.libs.push(name.to_owned());
        self
    }

    /// Adds a folder to search for the libraries given to
    /// [`link`](Self::link) (`-L`), and on Unix to the built library's
    /// run-time search path, so the loader finds them there too.
    pub fn link_search(&mut self, dir: impl AsRef<Path>) -> &mut CBuild {
        self.link_search.push(dir.as_ref().to_path_buf());
        self
    }

    /// Uses the compiler at `path` instead of the one `cc` finds (which is
    /// `CC` when set, otherwise the platform's default).
    pub fn compiler(&mut self, path: impl AsRef<Path>) -> &mut CBuild {
        self.compiler = Some(path.as_ref().to_path_buf());
        self
    }

    /// Keeps compiled libraries in `dir` too, so later runs of the program
    /// reuse them: each is stored under its key with a manifest (the
    /// library's SHA-256 and the files it was built from) and a lock file.
    /// Integration tests can use `env!("CARGO_TARGET_TMPDIR")`.
    ///
    /// The folder is created private to this user (mode 0700) if it does not
    /// exist. One that another user owns or can write, such as `/tmp`
    /// itself, is refused with [`Error::Build`]: anyone who can write there
    /// could plant a library that this process would load. Any number of
    /// this user's processes may share it. See
    /// [what the cache trusts](crate::cbuild#what-the-cache-trusts-and-where-it-lives).
    pub fn cache_dir(&mut self, dir: impl AsRef<Path>) -> &mut CBuild {
        self.cache_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Compiles and loads the library (or loads it from the cache).
    ///
    /// # Safety
    ///
    /// As for [`Library::open`]: loading runs the library's initialisers
    /// (`__attribute__((constructor))` functions, for one), which can do
    /// anything, and the caller vouches that the C is sound to load into this
    /// process. Compiling alone is safe: see [`compile`](Self::compile).
    pub unsafe fn build(&self) -> Result<Library> {
        let compiled = self.compile()?;
        // SAFETY: forwarded to the caller.
        unsafe { compiled.load() }
    }

    /// Compiles the library into a new temporary folder (or copies it there
    /// from the cache), without loading it.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CBuild, Error};
    /// let err = CBuild::new()
    ///     .source_str("bad.c", "int f(void) { return 1 }")
    ///     .compile()
    ///     .unwrap_err();
    /// let Error::Compile { diagnostics, .. } = &err else { panic!("{err}") };
    /// assert_eq!((diagnostics[0].file.as_str(), diagnostics[0].line), ("bad.c", Some(1)));
    /// assert!(err.to_string().contains("bad.c:1:"));
    /// # Ok(()) }
    /// ```
    pub fn compile(&self) -> Result<Compiled> {
        let plan = self.plan()?;
        let env = Environment::capture();
        let tool = compiler::compiler_in(self.opt_level, self.compiler.as_deref(), &env)?;
        let compiler = Compiler {
            identity: toolchain::identity(&tool, &env)?,
            tool,
            env,
        };
        let key = plan.key(&compiler, &self.options());
        let file_name = format!(
            "{}cbuild_{}{}",
            std::env::consts::DLL_PREFIX,
            &key[..16],
            std::env::consts::DLL_SUFFIX
        );
        let cache_dir = match &self.cache_dir {
            Some(dir) => Some(cache::Folder::open(&absolute(dir)?)?),
            None => None,
        };
        let slot = cache::slot(&key, cache_dir.as_ref().map(cache::Folder::path));
        let mut cached = slot.lock().unwrap_or_else(|e| e.into_inner());

        let copy_out = |artifact: &Artifact, verified: String| -> Result<Compiled> {
            let folder = BuildFolder::new()?;
            let path = folder.path().join(&file_name);
            fs::write(&path, &artifact.library).map_err(|e| write_failed(&path, e))?;
            Ok(Compiled::new(
                folder,
                path,
                key.clone(),
                true,
                &artifact.output,
                verified,
            ))
        };
        if let Some(artifact) = cached.as_ref().filter(|a| a.is_fresh()) {
            return copy_out(
                artifact,
                format!("compiled earlier by this process and kept in its memory; {UNCHANGED}"),
            );
        }
        // Held until the library is stored, so that another process building
        // this key waits, then finds it.
        let _lock = cache_dir.as_ref().map(|dir| dir.lock(&key)).transpose()?;
        if let Some(dir) = &cache_dir
            && let Some(artifact) = dir.load(&key)?
        {
            let verified = format!(
                "read from the cache folder {}: {}; its SHA-256 matches the manifest stored \
                     with it; {UNCHANGED}",
                dir.path().display(),
                trust::CHECKED,
            );
            let compiled = copy_out(&artifact, verified)?;
            *cached = Some(artifact);
            return Ok(compiled);
        }

        let folder = BuildFolder::new()?;
        let built = plan.run(&compiler, &self.options(), folder.path(), &file_name)?;
        let artifact = match built {
            Built::Reusable(artifact) => {
                if let Some(dir) = &cache_dir {
                    dir.store(&key, &artifact)?;
                }
                *cached = Some(artifact.clone());
                artifact
            }
            Built::Once(artifact) => artifact,
        };
        let path = folder.path().join(&file_name);
        let verified = "compiled by this build, in its own private temporary folder".to_owned();
        Ok(Compiled::new(
            folder,
            path,
            key,
            false,
            &artifact.output,
            verified,
        ))
    }

    fn options(&self) -> Options<'_> {
        Options {
            includes: &self.includes,
            defines: &self.defines,
            std: self.std.as_deref(),
            flags: &self.flags,
            warnings_into_errors: self.warnings_into_errors,
            link_search: &self.link_search,
            libs: &self.libs,
        }
    }

    /// Checks the names, makes paths absolute and reads the source files.
    fn plan(&self) -> Result<Plan> {
        if self.sources.is_empty() {
            return Err(Error::Build {
                message: "no C sources: add one with source_str() or file()".into(),
                source: None,
            });
        }
        let text_sources = self.sources.iter().filter_map(|s| match s {
            Source::Text { name, code } => Some((name, code)),
            Source::File(_) => None,
        });
        let mut texts: Vec<(String, String)> = Vec::new();
        for (name, code) in self.headers.iter().map(|(n, c)| (n, c)).chain(text_sources) {
            check_name(name)?;
            if texts.iter().any(|(seen, _)| seen == name) {
                return Err(Error::Build {
                    message: format!("two sources or headers named {name:?}"),
                    source: None,
                });
            }
            texts.push((name.clone(), code.clone()));
        }
        let mut files = Vec::new();
        let mut compiled = Vec::new();
        for (i, source) in self.sources.iter().enumerate() {
            match source {
                Source::Text { name, .. } => compiled.push((PathBuf::from(name), None)),
                Source::File(path) => {
                    let path = absolute(path)?;
                    // Read once: the key hashes these bytes, and the compiler
                    // is given a copy of them, not the file, which may change.
                    let contents = fs::read(&path).map_err(|e| Error::Build {
                        message: format!("cannot read the C source {}: {e}", path.display()),
                        source: Some(Box::new(e)),
                    })?;
                    let name = path.file_name().unwrap_or("source.c".as_ref());
                    let copy = Path::new(FILE_COPIES).join(i.to_string()).join(name);
                    compiled.push((copy.clone(), path.parent().map(Path::to_path_buf)));
                    files.push(FileSource {
                        path,
                        copy,
                        contents,
                    });
                }
            }
        }
        Ok(Plan {
            texts,
            files,
            compiled,
            includes: self
                .includes
                .iter()
                .map(|d| absolute(d))
                .collect::<Result<_>>()?,
            link_search: self
                .link_search
                .iter()
                .map(|d| absolute(d))
                .collect::<Result<_>>()?,
        })
    }
}

/// The folder of the build folder that holds the copies of source files;
/// no text source or header may be named inside it.
const FILE_COPIES: &str = "rctypes-file-sources";

/// A source file, as read when the build was planned.
struct FileSource {
    path: PathBuf,
    /// Where its copy is compiled from, in the build folder.
    copy: PathBuf,
    contents: Vec<u8>,
}

impl FileSource {
    /// The copy's contents: a `#line` directive, so that the compiler's
    /// messages and `__FILE__` name the file rather than its copy, then the
    /// file as it was read.
    fn copy_contents(&self) -> Vec<u8> {
        let mut text = b"#line 1 \"".to_vec();
        for &byte in self.path.as_os_str().as_encoded_bytes() {
            match byte {
                b'\\' | b'"' => text.extend([b'\\', byte]),
                b'\n' => text.extend(*b"\\n"),
                _ => text.push(byte),
            }
        }
        text.extend(*b"\"\n");
        text.extend(&self.contents);
        text
    }
}

/// The compiler a build runs, what identifies it, and the environment it
/// runs in.
struct Compiler {
    tool: cc::Tool,
    identity: Identity,
    env: Environment,
}

/// What a build made: a library the cache may keep, or one built while a
/// file it read was changing, which is used once and never reused.
enum Built {
    Reusable(Artifact),
    Once(Artifact),
}

/// What the note of a library taken from a cache ends with.
const UNCHANGED: &str = "the headers and link inputs it was built from are unchanged";

/// A build ready to run: sources read, paths absolute.
struct Plan {
    /// Text sources and headers, written into the build folder.
    texts: Vec<(String, String)>,
    /// Source files and their contents.
    files: Vec<FileSource>,
    /// What is compiled, in order, as named in the build folder, with the
    /// folder a copied file came from.
    compiled: Vec<(PathBuf, Option<PathBuf>)>,
    includes: Vec<PathBuf>,
    link_search: Vec<PathBuf>,
}

impl Plan {
    fn options<'a>(&'a self, given: &Options<'a>) -> Options<'a> {
        Options {
            includes: &self.includes,
            link_search: &self.link_search,
            ..*given
        }
    }

    fn units(&self, tool: &cc::Tool) -> Vec<Unit> {
        self.compiled
            .iter()
            .enumerate()
            .map(|(i, (source, quote_dir))| {
                let object = toolchain::object_name(tool, i, source);
                Unit {
                    source: source.clone(),
                    depfile: format!("{object}.d"),
                    object,
                    quote_dir: quote_dir.clone(),
                }
            })
            .collect()
    }

    /// The cache key: everything known before the build that goes into it,
    /// except the output file's name, which is made from the key.
    fn key(&self, compiler: &Compiler, given: &Options<'_>) -> String {
        let Compiler {
            tool,
            identity,
            env,
        } = compiler;
        let opts = self.options(given);
        let mut h = KeyHasher::new();
        h.field(compiler::TARGET.as_bytes());
        h.field(tool.path().as_os_str().as_encoded_bytes());
        h.field(&identity.digest);
        for (name, value) in env.vars() {
            h.field(name.as_encoded_bytes());
            h.field(value.as_encoded_bytes());
        }
        for arg in tool.args() {
            h.field(arg.as_encoded_bytes());
        }
        for (name, value) in tool.get_envs() {
            h.field(name.as_encoded_bytes());
            h.field(value.as_encoded_bytes());
        }
        let units = self.units(tool);
        for unit in &units {
            for arg in toolchain::compile_args(tool, &opts, unit) {
                h.field(arg.as_encoded_bytes());
            }
        }
        let objects: Vec<&str> = units.iter().map(|u| u.object.as_str()).collect();
        for arg in toolchain::link_args(tool, &opts, &objects, "OUTPUT") {
            h.field(arg.as_encoded_bytes());
        }
        for (name, code) in &self.texts {
            h.field(name.as_bytes());
            h.field(code.as_bytes());
        }
        for file in &self.files {
            h.field(file.path.as_os_str().as_encoded_bytes());
            h.field(&file.contents);
        }
        h.finish()
    }

    /// Writes the text sources into `folder`, compiles every source there and
    /// links `file_name`.
    fn run(
        &self,
        compiler: &Compiler,
        given: &Options<'_>,
        folder: &Path,
        file_name: &str,
    ) -> Result<Built> {
        let Compiler {
            tool,
            identity,
            env,
        } = compiler;
        let opts = self.options(given);
        let texts = self
            .texts
            .iter()
            .map(|(n, c)| (Path::new(n), c.as_bytes().into()));
        let copies = self
            .files
            .iter()
            .map(|f| (f.copy.as_path(), f.copy_contents().into()));
        for (name, contents) in texts.chain(copies) {
            let contents: std::borrow::Cow<'_, [u8]> = contents;
            let path = folder.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| write_failed(parent, e))?;
            }
            fs::write(&path, contents).map_err(|e| write_failed(&path, e))?;
        }

        // A file read by the compiler or linker that changes after this is
        // not taken as a dependency, and the library is not reused.
        let start = SystemTime::now();
        COMPILER_RUNS.fetch_add(1, Ordering::Relaxed);
        let units = self.units(tool);
        let mut output = String::new();
        let mut failed = false;
        let mut headers = Vec::new();
        for unit in &units {
            let args = toolchain::compile_args(tool, &opts, unit);
            let (ok, text) = run(tool, &args, folder, env)?;
            if tool.is_like_msvc() {
                let (includes, rest) = cache::split_msvc_includes(&text);
                headers.extend(includes);
                output.push_str(&rest);
            } else {
                output.push_str(&text);
                if let Ok(depfile) = fs::read_to_string(folder.join(&unit.depfile)) {
                    headers.extend(cache::parse_depfile(&depfile));
                }
            }
            failed |= !ok;
        }
        if !failed {
            let objects: Vec<&str> = units.iter().map(|u| u.object.as_str()).collect();
            let (ok, text) = run(
                tool,
                &toolchain::link_args(tool, &opts, &objects, file_name),
                folder,
                env,
            )?;
            output.push_str(&text);
            failed = !ok;
        }
        if failed {
            return Err(Error::Compile {
                diagnostics: diagnostic::parse(&output),
                output,
            });
        }

        let library = folder.join(file_name);
        let bytes = fs::read(&library).map_err(|e| Error::Build {
            message: format!("cannot read the built library {}: {e}", library.display()),
            source: Some(Box::new(e)),
        })?;
        // Headers in the build folder come from the sources' text, which the
        // key covers; the others, and what the linker was given, are checked
        // before a cached library is used.
        headers.retain(|p| p.is_absolute() && !p.starts_with(folder));
        headers.extend(toolchain::link_inputs(tool, &opts, &identity.library_dirs));
        headers.sort();
        headers.dedup();
        let dependencies: Option<Vec<Dependency>> = headers
            .into_iter()
            .map(|path| Dependency::after_build(path, start))
            .collect();
        let artifact = |dependencies: Vec<Dependency>| Artifact {
            library: bytes.into(),
            dependencies: dependencies.into(),
            output: output.into(),
        };
        Ok(match dependencies {
            Some(dependencies) => Built::Reusable(artifact(dependencies)),
            None => Built::Once(artifact(Vec::new())),
        })
    }
}

/// Runs the compiler with `args` in `folder`: whether it succeeded, and what
/// it printed (stdout, where MSVC writes, then stderr).
fn run(
    tool: &cc::Tool,
    args: &[OsString],
    folder: &Path,
    env: &Environment,
) -> Result<(bool, String)> {
    let mut command: Command = tool.to_command();
    command.args(args).current_dir(folder);
    env.apply(&mut command);
    let out = command.output().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Error::NoCompiler {
            message: format!(
                "cannot run {}: {e}; install a C compiler or set CC to one",
                tool.path().display()
            ),
            source: Some(Box::new(e)),
        },
        _ => Error::Build {
            message: format!("cannot run the C compiler {}: {e}", tool.path().display()),
            source: Some(Box::new(e)),
        },
    })?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    if !out.status.success() && text.trim().is_empty() {
        text = format!("{} exited with {}\n", tool.path().display(), out.status);
    }
    Ok((out.status.success(), text))
}

/// A text source's or header's name must stay inside the build folder, and
/// outside the folder that holds the copies of source files.
fn check_name(name: &str) -> Result<()> {
    let path = Path::new(name);
    let inside = !name.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !inside {
        return Err(Error::Build {
            message: format!(
                "invalid source name {name:?}: give a relative file name such as \"add.c\""
            ),
            source: None,
        });
    }
    if path.starts_with(FILE_COPIES) {
        return Err(Error::Build {
            message: format!(
                "invalid source name {name:?}: the folder {FILE_COPIES}/ holds the copies of \
                 file() sources; choose another name"
            ),
            source: None,
        });
    }
    Ok(())
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::Build {
        message: format!("cannot make {} absolute: {e}", path.display()),
        source: Some(Box::new(e)),
    })
}

fn write_failed(path: &Path, e: io::Error) -> Error {
    Error::Build {
        message: format!("cannot write {}: {e}", path.display()),
        source: Some(Box::new(e)),
    }
}

/// A shared library compiled by [`CBuild::compile`], in its own temporary
/// folder, not loaded yet. Dropping it removes the folder;
/// [`load`](Compiled::load) hands the folder to the [`Library`].
#[derive(Debug)]
pub struct Compiled {
    folder: BuildFolder,
    path: PathBuf,
    key: String,
    from_cache: bool,
    output: Arc<str>,
    verified: String,
}

impl Compiled {
    fn new(
        folder: BuildFolder,
        path: PathBuf,
        key: String,
        from_cache: bool,
        output: &Arc<str>,
        verified: String,
    ) -> Self {
        Compiled {
            folder,
            path,
            key,
            from_cache,
            output: output.clone(),
            verified,
        }
    }

    /// The library file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary folder holding it (and, when it was compiled here, the
    /// sources and object files).
    pub fn dir(&self) -> &Path {
        self.folder.path()
    }

    /// The cache key: SHA-256, in hex, of the target, the compiler (path,
    /// identity, arguments), the environment variables it reads, the flags
    /// and the sources. A cache folder stores the library under this name.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Where the library came from, and what was checked before it was
    /// trusted: for one from a cache folder, the folder's and the files'
    /// owner and permissions (on Unix), the library's SHA-256 against the
    /// manifest stored with it, and the files it was built from.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::CBuild;
    /// let mut build = CBuild::new();
    /// build.source_str("noted.c", "int noted(void) { return 1; }");
    /// assert!(build.compile()?.verified().starts_with("compiled by this build"));
    /// let again = build.compile()?;
    /// assert!(again.verified().contains("kept in its memory"), "{}", again.verified());
    /// # Ok(()) }
    /// ```
    pub fn verified(&self) -> &str {
        &self.verified
    }

    /// Whether the library came from the cache, without running the compiler.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::CBuild;
    /// let mut build = CBuild::new();
    /// build.source_str("twice.c", "int twice(int x) { return 2 * x; }");
    /// build.compile()?;
    /// assert!(build.compile()?.from_cache());
    /// # Ok(()) }
    /// ```
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// What the compiler printed (warnings) when it built this library. The
    /// in-process cache keeps it; a library from a cache folder has none.
    pub fn output(&self) -> &str {
        &self.output
    }

    /// The compiler's messages, parsed from [`output`](Self::output).
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CBuild, Severity};
    /// let compiled = CBuild::new()
    ///     .source_str("unused.c", "int f(int a) { int b; return a; }")
    ///     .compile()?;
    /// let warning = &compiled.diagnostics()[0];
    /// assert_eq!((warning.severity, warning.line), (Severity::Warning, Some(1)));
    /// # Ok(()) }
    /// ```
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        diagnostic::parse(&self.output)
    }

    /// Loads the library. Its temporary folder goes with it, and is removed
    /// once the library is closed.
    ///
    /// # Safety
    ///
    /// As for [`Library::open`]: the library's initialisers run, and the
    /// caller vouches that they are sound.
    pub unsafe fn load(self) -> Result<Library> {
        // SAFETY: forwarded to the caller.
        let library = unsafe { Library::open(&self.path) }?;
        Ok(library.with_guard(Box::new(self.folder)))
    }
}
