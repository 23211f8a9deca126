//! Finding the C compiler with the `cc` crate, for the run-time C harness
//! and for the preprocessor that headers go through, and the environment
//! variables it reads.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{LazyLock, Mutex};

use crate::error::{Error, Result};

pub(crate) use crate::func::TARGET;

/// The compiler with `cc`'s flags for one optimisation level, found once per
/// process: `cc` runs the compiler to learn its family, which costs as much
/// as a small compile.
#[cfg(feature = "cdecl")]
pub(crate) fn compiler(opt_level: u32, chosen: Option<&Path>) -> Result<cc::Tool> {
    compiler_in(opt_level, chosen, &Environment::capture())
}

/// [`compiler`], for the environment `env`: `cc` reads `CC`, `CFLAGS` and
/// their variants from it, so a changed variable finds the compiler again.
pub(crate) fn compiler_in(
    opt_level: u32,
    chosen: Option<&Path>,
    env: &Environment,
) -> Result<cc::Tool> {
    type Found = HashMap<(u32, Option<PathBuf>, Environment), cc::Tool>;
    static FOUND: LazyLock<Mutex<Found>> = LazyLock::new(Mutex::default);
    let mut found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
    let key = (opt_level, chosen.map(Path::to_path_buf), env.clone());
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

/// Variables the compiler itself reads: search paths for headers and
/// libraries, its own parts, SDKs, MSVC's extra options.
const COMPILER_VARS: &[&str] = &[
    "CPATH",
    "C_INCLUDE_PATH",
    "CPLUS_INCLUDE_PATH",
    "OBJC_INCLUDE_PATH",
    "LIBRARY_PATH",
    "COMPILER_PATH",
    "GCC_EXEC_PREFIX",
    "SOURCE_DATE_EPOCH",
    "SDKROOT",
    "CCC_OVERRIDE_OPTIONS",
    "CL",
    "_CL_",
    "INCLUDE",
    "LIB",
    "LIBPATH",
    "LD_RUN_PATH",
];

/// Whether `cc` may read the variable `name` to choose the compiler or its
/// flags (`CC`, `CFLAGS`, `TARGET_CC`, `CFLAGS_<target>`, ...).
fn read_by_cc(name: &str) -> bool {
    name == "CC"
        || name.starts_with("CC_")
        || name.ends_with("_CC")
        || name.contains("CFLAGS")
        || name.starts_with("CRATE_CC")
        || name == "CROSS_COMPILE"
        || name.ends_with("_DEPLOYMENT_TARGET")
}

/// The environment variables that can change what a build makes, as they
/// were when it began: they go into the key, and the compiler is run with
/// exactly these, so what was hashed is what it saw.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Environment(Vec<(OsString, OsString)>);

impl Environment {
    pub(crate) fn capture() -> Environment {
        let mut vars: Vec<(OsString, OsString)> = std::env::vars_os()
            .filter(|(name, _)| {
                name.to_str()
                    .is_some_and(|n| COMPILER_VARS.contains(&n) || read_by_cc(n))
            })
            .collect();
        vars.sort();
        Environment(vars)
    }

    pub(crate) fn vars(&self) -> &[(OsString, OsString)] {
        &self.0
    }

    pub(crate) fn get(&self, name: &str) -> Option<&OsStr> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_os_str())
    }

    /// Sets the compiler's variables on `command` as captured, removing those
    /// that were not set.
    pub(crate) fn apply(&self, command: &mut Command) {
        for name in COMPILER_VARS {
            match self.get(name) {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
    }
}
