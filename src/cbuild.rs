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
//! - **Cached by content.** A build whose target, compiler, flags and sources
//!   (names and contents) are the same as an earlier one's reuses its library
//!   without running the compiler, once per process, and across runs when a
//!   [`cache_dir`](CBuild::cache_dir) is given. Headers count too: a build
//!   records the headers the compiler read, and a cached library is reused
//!   only while they are unchanged. [`Compiled::from_cache`] and
//!   [`compiler_runs`] tell whether the compiler ran.
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
//! The guide [`doc::testing_c_with_cargo_test`](crate::doc::testing_c_with_cargo_test)
//! shows how to test a C library with it.

mod cache;
mod diagnostic;
mod folder;

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Diagnostic, Error, Result};
use crate::library::Library;

use crate::toolchain::{self, Options, Unit};
use cache::{Artifact, Dependency, KeyHasher};
use folder::BuildFolder;

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
    /// reuse them: each is stored under its key, with the list of headers it
    /// was compiled from. The folder is created if needed; any number of
    /// processes may share it. Integration tests can use
    /// `env!("CARGO_TARGET_TMPDIR")`.
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
        let tool = toolchain::compiler(self.opt_level, self.compiler.as_deref())?;
        let key = plan.key(&tool, &self.options());
        let file_name = format!(
            "{}cbuild_{}{}",
            std::env::consts::DLL_PREFIX,
            &key[..16],
            std::env::consts::DLL_SUFFIX
        );
        let cache_dir = self.cache_dir.as_deref().map(absolute).transpose()?;
        let slot = cache::slot(&key, cache_dir.as_deref());
        let mut cached = slot.lock().unwrap_or_else(|e| e.into_inner());

        let reusable = match cached.as_ref() {
            Some(artifact) if artifact.is_fresh() => Some(artifact.clone()),
            _ => cache_dir.as_deref().and_then(|dir| cache::load(dir, &key)),
        };
        if let Some(artifact) = reusable {
            let folder = BuildFolder::new()?;
            let path = folder.path().join(&file_name);
            fs::write(&path, &artifact.library).map_err(|e| write_failed(&path, e))?;
            *cached = Some(artifact.clone());
            return Ok(Compiled::new(folder, path, key, true, &artifact.output));
        }

        let folder = BuildFolder::new()?;
        let artifact = plan.run(&tool, &self.options(), folder.path(), &file_name)?;
        if let Some(dir) = &cache_dir {
            cache::store(dir, &key, &artifact)?;
        }
        *cached = Some(artifact.clone());
        let path = folder.path().join(&file_name);
        Ok(Compiled::new(folder, path, key, false, &artifact.output))
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
        for source in &self.sources {
            match source {
                Source::Text { name, .. } => compiled.push(PathBuf::from(name)),
                Source::File(path) => {
                    let path = absolute(path)?;
                    let contents = fs::read(&path).map_err(|e| Error::Build {
                        message: format!("cannot read the C source {}: {e}", path.display()),
                        source: Some(Box::new(e)),
                    })?;
                    compiled.push(path.clone());
                    files.push((path, contents));
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

/// A build ready to run: sources read, paths absolute.
struct Plan {
    /// Text sources and headers, written into the build folder.
    texts: Vec<(String, String)>,
    /// Source files and their contents.
    files: Vec<(PathBuf, Vec<u8>)>,
    /// What is compiled, in order: names in the build folder, or file paths.
    compiled: Vec<PathBuf>,
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
            .map(|(i, source)| {
                let object = toolchain::object_name(tool, i, source);
                Unit {
                    source: source.clone(),
                    depfile: format!("{object}.d"),
                    object,
                }
            })
            .collect()
    }

    /// The cache key: everything that goes into the build except the output
    /// file's name, which is made from the key.
    fn key(&self, tool: &cc::Tool, given: &Options<'_>) -> String {
        let opts = self.options(given);
        let mut h = KeyHasher::new();
        h.field(toolchain::TARGET.as_bytes());
        h.field(tool.path().as_os_str().as_encoded_bytes());
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
        for (path, contents) in &self.files {
            h.field(path.as_os_str().as_encoded_bytes());
            h.field(contents);
        }
        h.finish()
    }

    /// Writes the text sources into `folder`, compiles every source there and
    /// links `file_name`.
    fn run(
        &self,
        tool: &cc::Tool,
        given: &Options<'_>,
        folder: &Path,
        file_name: &str,
    ) -> Result<Artifact> {
        let opts = self.options(given);
        for (name, code) in &self.texts {
            let path = folder.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| write_failed(parent, e))?;
            }
            fs::write(&path, code).map_err(|e| write_failed(&path, e))?;
        }

        COMPILER_RUNS.fetch_add(1, Ordering::Relaxed);
        let units = self.units(tool);
        let mut output = String::new();
        let mut failed = false;
        let mut headers = Vec::new();
        for unit in &units {
            let args = toolchain::compile_args(tool, &opts, unit);
            let (ok, text) = run(tool, &args, folder)?;
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
        // key covers; the others are checked before a cached library is used.
        headers.retain(|p| p.is_absolute() && !p.starts_with(folder));
        headers.sort();
        headers.dedup();
        Ok(Artifact {
            library: bytes.into(),
            dependencies: headers.into_iter().filter_map(Dependency::of).collect(),
            output: output.into(),
        })
    }
}

/// Runs the compiler with `args` in `folder`: whether it succeeded, and what
/// it printed (stdout, where MSVC writes, then stderr).
fn run(tool: &cc::Tool, args: &[OsString], folder: &Path) -> Result<(bool, String)> {
    let mut command: Command = tool.to_command();
    command.args(args).current_dir(folder);
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

/// A text source's or header's name must stay inside the build folder.
fn check_name(name: &str) -> Result<()> {
    let path = Path::new(name);
    let inside = !name.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if inside {
        Ok(())
    } else {
        Err(Error::Build {
            message: format!(
                "invalid source name {name:?}: give a relative file name such as \"add.c\""
            ),
            source: None,
        })
    }
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
}

impl Compiled {
    fn new(
        folder: BuildFolder,
        path: PathBuf,
        key: String,
        from_cache: bool,
        output: &Arc<str>,
    ) -> Self {
        Compiled {
            folder,
            path,
            key,
            from_cache,
            output: output.clone(),
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

    /// The cache key: SHA-256, in hex, of the target, compiler, flags and
    /// sources. A cache folder stores the library under this name.
    pub fn key(&self) -> &str {
        &self.key
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
