//! Finding the C compiler with the `cc` crate, and the command lines that
//! compile and link with it.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use crate::error::{Error, Result};

/// The target this crate was built for, which is the process that loads the
/// library: set by build.rs.
pub(crate) const TARGET: &str = env!("RCTYPES_TARGET");

/// The compiler with `cc`'s flags for one optimisation level, found once per
/// process: `cc` runs the compiler to learn its family, which costs as much
/// as a small compile.
pub(crate) fn compiler(opt_level: u32, chosen: Option<&Path>) -> Result<cc::Tool> {
    type Found = HashMap<(u32, Option<PathBuf>), cc::Tool>;
    static FOUND: LazyLock<Mutex<Found>> = LazyLock::new(Mutex::default);
    let mut found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
    let key = (opt_level, chosen.map(Path::to_path_buf));
    if let Some(tool) = found.get(&key) {
        return Ok(tool.clone());
    }
    let mut build = cc::Build::new();
    // Outside a build script cc sees none of Cargo's variables: everything it
    // would read from them is set here.
    build
        .target(TARGET)
        .host(TARGET)
        .opt_level(opt_level)
        .debug(false)
        .pic(true)
        .warnings(true)
        .extra_warnings(true)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .cargo_output(false)
        .emit_rerun_if_env_changed(false)
        .inherit_rustflags(false)
        .inherit_trim_paths(false);
    if let Some(path) = chosen {
        build.compiler(path);
    }
    let tool = build.try_get_compiler().map_err(|e| Error::NoCompiler {
        message: e.to_string(),
        source: Some(Box::new(e)),
    })?;
    found.insert(key, tool.clone());
    Ok(tool)
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
        // The headers read, outside the system's, go to a depfile.
        args.extend(["-c".into(), "-MMD".into(), "-MF".into()]);
        args.push(unit.depfile.clone().into());
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

fn concat(prefix: &str, rest: &std::ffi::OsStr) -> OsString {
    let mut arg = OsString::from(prefix);
    arg.push(rest);
    arg
}
