//! Who the compiler is (for the cache key) and the command lines that
//! compile and link with it.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::SystemTime;

use super::cache::{self, Hash, KeyHasher};
use crate::compiler::Environment;
use crate::error::{Error, Result};

/// What identifies a compiler beyond its path, and where it links libraries
/// from.
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    /// The hash of its driver program's contents and of what `--version`
    /// prints (MSVC's banner).
    pub digest: Hash,
    /// The folders it searches for `-l` libraries (`-print-search-dirs`, or
    /// MSVC's `LIB`).
    pub library_dirs: Arc<[PathBuf]>,
}

/// The identity of `tool`, run in `env`. Asked once per process for each
/// driver program, and again when that file's size or time changes.
pub(crate) fn identity(tool: &cc::Tool, env: &Environment) -> Result<Identity> {
    type Stamp = Option<(u64, Option<SystemTime>)>;
    type Seen = HashMap<(PathBuf, Vec<OsString>, Environment, Stamp), Identity>;
    static SEEN: LazyLock<Mutex<Seen>> = LazyLock::new(Mutex::default);

    let driver = find_program(tool.path());
    let stamp = driver
        .as_deref()
        .and_then(|p| fs::metadata(p).ok())
        .map(|m| (m.len(), m.modified().ok()));
    let args = tool.args().to_vec();
    let seen_key = (tool.path().to_path_buf(), args, env.clone(), stamp);
    if let Some(identity) = SEEN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&seen_key)
    {
        return Ok(identity.clone());
    }

    let msvc = tool.is_like_msvc();
    let here = Path::new(".");
    let version_args: Vec<OsString> = if msvc {
        Vec::new()
    } else {
        vec!["--version".into()]
    };
    let (ok, version) = super::run(tool, &version_args, here, env)?;
    // MSVC prints its banner and fails when given nothing to compile.
    if !ok && !msvc {
        return Err(Error::NoCompiler {
            message: format!(
                "{} --version failed: {}",
                tool.path().display(),
                version.trim()
            ),
            source: None,
        });
    }
    let library_dirs: Vec<PathBuf> = if msvc {
        env.get("LIB")
            .map(|dirs| std::env::split_paths(dirs).collect())
            .unwrap_or_default()
    } else {
        let (_, dirs) = super::run(tool, &["-print-search-dirs".into()], here, env)?;
        dirs.lines()
            .find_map(|line| line.strip_prefix("libraries: "))
            .map(|dirs| std::env::split_paths(dirs.trim_start_matches('=')).collect())
            .unwrap_or_default()
    };
    let mut h = KeyHasher::new();
    let binary = driver.and_then(|p| fs::read(p).ok()).unwrap_or_default();
    h.field(&cache::hash(&binary));
    h.field(version.as_bytes());
    let identity = Identity {
        digest: h.finish_hash(),
        library_dirs: library_dirs.into(),
    };
    SEEN.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(seen_key, identity.clone());
    Ok(identity)
}

/// The file a program name runs: the path itself if it names a folder,
/// otherwise the first match on `PATH`.
fn find_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return Some(program.to_path_buf());
    }
    let suffix = std::env::consts::EXE_SUFFIX;
    std::env::split_paths(&std::env::var_os("PATH")?).find_map(|dir| {
        let plain = dir.join(program);
        let with_suffix = dir.join(format!("{}{suffix}", program.display()));
        [plain, with_suffix].into_iter().find(|p| p.is_file())
    })
}

/// The files the linker may read for the libraries a build names: for each
/// [`link`](crate::CBuild::link) name, every candidate in the first folder
/// that holds one (the build's search folders, then the compiler's), and the
/// files that flags name by absolute path. A static archive is copied into
/// the library, so a change to it must rebuild.
pub(crate) fn link_inputs(
    tool: &cc::Tool,
    opts: &Options<'_>,
    compiler_dirs: &[PathBuf],
) -> Vec<PathBuf> {
    let mut inputs = Vec::new();
    for lib in opts.libs {
        let names: Vec<String> = if tool.is_like_msvc() {
            vec![format!("{lib}.lib")]
        } else if let Some(exact) = lib.strip_prefix(':') {
            vec![exact.to_owned()]
        } else {
            ["so", "a", "dylib", "tbd", "dll.a"]
                .iter()
                .map(|ext| format!("lib{lib}.{ext}"))
                .collect()
        };
        let found = opts
            .link_search
            .iter()
            .chain(compiler_dirs)
            .map(|dir| {
                names
                    .iter()
                    .map(|name| dir.join(name))
                    .filter(|path| path.is_file())
                    .collect::<Vec<_>>()
            })
            .find(|here| !here.is_empty());
        inputs.extend(found.into_iter().flatten());
    }
    inputs.extend(
        opts.flags
            .iter()
            .map(Path::new)
            .filter(|path| path.is_absolute() && path.is_file())
            .map(Path::to_path_buf),
    );
    inputs
}

/// What a build passes to the compiler besides `cc`'s own flags.
pub(crate) struct Options<'a> {
    pub includes: &'a [PathBuf],
    pub defines: &'a [(String, Option<String>)],
    pub std: Option<&'a str>,
    pub flags: &'a [OsString],
    pub warnings_into_errors: bool,
    pub link_search: &'a [PathBuf],
    pub libs: &'a [String],
}

/// One source to compile: how the command names it, and its object file.
pub(crate) struct Unit {
    pub source: PathBuf,
    pub object: String,
    pub depfile: String,
    /// For a copy of a source file: the folder it was copied from, searched
    /// for `#include "..."` as the file's own folder would have been.
    pub quote_dir: Option<PathBuf>,
}

/// The arguments (after the tool's own) that compile `unit` into its object.
/// The build folder is the working directory and on the include path, so
/// headers given as strings are found.
pub(crate) fn compile_args(tool: &cc::Tool, opts: &Options<'_>, unit: &Unit) -> Vec<OsString> {
    let msvc = tool.is_like_msvc();
    let mut args: Vec<OsString> = Vec::new();
    if msvc {
        // The headers read are listed on stdout, for the cache.
        args.extend(["/c".into(), "/showIncludes".into()]);
    } else {
        // Every header read, the system's too, goes to a depfile.
        args.extend(["-c".into(), "-MD".into(), "-MF".into()]);
        args.push(unit.depfile.clone().into());
    }
    if let Some(dir) = &unit.quote_dir {
        if msvc {
            args.push(concat("/I", dir.as_os_str()));
        } else {
            args.extend(["-iquote".into(), dir.clone().into()]);
        }
    }
    args.push("-I.".into());
    for dir in opts.includes {
        args.push(concat("-I", dir.as_os_str()));
    }
    for (name, value) in opts.defines {
        args.push(match value {
            Some(value) => format!("-D{name}={value}").into(),
            None => format!("-D{name}").into(),
        });
    }
    if let Some(std) = opts.std {
        args.push(if msvc {
            format!("/std:{std}").into()
        } else {
            format!("-std={std}").into()
        });
    }
    if opts.warnings_into_errors {
        args.push(if msvc { "/WX" } else { "-Werror" }.into());
    }
    args.extend(opts.flags.iter().cloned());
    args.push(unit.source.clone().into());
    if msvc {
        args.push(concat("/Fo", unit.object.as_ref()));
    } else {
        args.extend(["-o".into(), unit.object.clone().into()]);
    }
    args
}

/// The arguments (after the tool's own) that link `objects` into the shared
/// library `output`, with the libraries to link against after them.
pub(crate) fn link_args(
    tool: &cc::Tool,
    opts: &Options<'_>,
    objects: &[&str],
    output: &str,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    if tool.is_like_msvc() {
        args.push("/LD".into());
        args.extend(objects.iter().map(OsString::from));
        args.push(format!("/Fe{output}").into());
        args.extend(opts.flags.iter().cloned());
        args.push("/link".into());
        for dir in opts.link_search {
            args.push(concat("/LIBPATH:", dir.as_os_str()));
        }
        args.extend(opts.libs.iter().map(|lib| format!("{lib}.lib").into()));
        return args;
    }
    args.push(
        if cfg!(target_vendor = "apple") {
            "-dynamiclib"
        } else {
            "-shared"
        }
        .into(),
    );
    args.extend(objects.iter().map(OsString::from));
    args.extend(["-o".into(), output.into()]);
    args.extend(opts.flags.iter().cloned());
    for dir in opts.link_search {
        args.push(concat("-L", dir.as_os_str()));
        if cfg!(unix) {
            // So the loader finds the linked libraries where they were found.
            args.push(concat("-Wl,-rpath,", dir.as_os_str()));
        }
    }
    args.extend(opts.libs.iter().map(|lib| format!("-l{lib}").into()));
    args
}

/// The object file name for a source.
pub(crate) fn object_name(tool: &cc::Tool, index: usize, source: &Path) -> String {
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = if tool.is_like_msvc() { "obj" } else { "o" };
    format!("{index}-{stem}.{ext}")
}

fn concat(prefix: &str, rest: &OsStr) -> OsString {
    let mut arg = OsString::from(prefix);
    arg.push(rest);
    arg
}
