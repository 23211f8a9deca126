//! Compiles the project's own C sources (this folder) into shared libraries
//! for rctypes' tests, examples, benchmarks and doc tests.
//!
//! This package is a dev-dependency of rctypes only, so a dependent of
//! rctypes never compiles it. The libraries go to `$OUT_DIR/csrc`, announced
//! to this package's code as `RCTYPES_CSRC_DIR`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// Each library and the sources it is built from.
const LIBRARIES: &[(&str, &[&str])] = &[
    ("foo", &["foo.c"]),
    ("fibonacci", &["fibonacci.c"]),
    ("mean", &["mean.c"]),
    ("callback", &["callback.c"]),
    ("sample", &["sample.c"]),
    ("rows", &["rows.c"]),
    ("abi", &["abi.c"]),
    ("arrays", &["arrays.c"]),
    ("memmap", &["memmap.c"]),
    ("structs", &["structs.c"]),
    ("platform", &["platform.c"]),
    ("gate", &["gate.c"]),
    ("headers", &["headers.c"]),
    ("real_apis_strings", &["real_apis_strings.c"]),
    ("real_apis_handles", &["real_apis_handles.c"]),
    ("real_apis_callbacks", &["real_apis_callbacks.c"]),
    ("real_apis_structs", &["real_apis_structs.c"]),
];

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let csrc = manifest;
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("csrc");
    println!("cargo::rustc-env=RCTYPES_CSRC_DIR={}", out.display());
    let target = env::var("TARGET").expect("set by cargo");
    println!(
        "cargo::rustc-env=RCTYPES_CSRC_RUNNER_VARIABLE=CARGO_TARGET_{}_RUNNER",
        target.to_uppercase().replace(['-', '.'], "_")
    );
    println!(
        "cargo::rustc-env=RCTYPES_CSRC_PATTERN={}",
        shared_library_name("{}")
    );
    for entry in fs::read_dir(&csrc).expect("list the C sources").flatten() {
        let path = entry.path();
        if matches!(path.extension().and_then(|e| e.to_str()), Some("c" | "h")) {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    }
    fs::create_dir_all(&out).expect("create the output folder");
    for (name, sources) in LIBRARIES {
        let target = out.join(shared_library_name(name));
        let sources: Vec<PathBuf> = sources.iter().map(|s| csrc.join(s)).collect();
        compile_shared(&sources, &csrc, &target);
    }
}

/// The platform's file name for a shared library called `name`.
fn shared_library_name(name: &str) -> String {
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    match os.as_str() {
        "windows" => format!("{name}.dll"),
        "macos" | "ios" => format!("lib{name}.dylib"),
        _ => format!("lib{name}.so"),
    }
}

/// Compiles `sources` into the shared library `target` with the compiler and
/// flags the `cc` crate chooses for this target, plus warnings and `-O2`.
fn compile_shared(sources: &[PathBuf], include: &Path, target: &Path) {
    let compiler = cc::Build::new()
        .opt_level(2)
        .pic(true)
        .warnings(true)
        .extra_warnings(true)
        .include(include)
        .cargo_metadata(false)
        .get_compiler();
    let mut cmd: Command = compiler.to_command();
    if compiler.is_like_msvc() {
        cmd.arg("/LD")
            .args(sources)
            .arg(format!("/Fe{}", target.display()));
    } else {
        let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
        cmd.arg(if os == "macos" {
            "-dynamiclib"
        } else {
            "-shared"
        });
        cmd.args(sources).arg("-o").arg(target);
        if os != "windows" {
            cmd.arg("-pthread");
        }
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {cmd:?}: {e}"));
    if !output.status.success() {
        panic!(
            "compiling {} failed:\n{}",
            target.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let warnings = String::from_utf8_lossy(&output.stderr);
    for line in warnings.lines().filter(|l| !l.trim().is_empty()) {
        println!("cargo::warning={line}");
    }
}
