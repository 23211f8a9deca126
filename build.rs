//! Tells the run-time C harness (`CBuild`) which target this crate was built
//! for, so that it compiles C for the same one, and chooses the call back end
//! once: `rctypes_x86_64_sysv` where the register routes exist (x86-64
//! Linux and the BSDs). `RCTYPES_PORTABLE=1` leaves it unset, so x86-64 runs
//! the portable libffi route every other target uses. Nothing is compiled.

use std::env;

fn main() {
    let target = env::var("TARGET").expect("set by cargo");
    println!("cargo::rustc-env=RCTYPES_TARGET={target}");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=RCTYPES_PORTABLE");

    println!("cargo::rustc-check-cfg=cfg(rctypes_x86_64_sysv)");
    let arch = env::var("CARGO_CFG_TARGET_ARCH").expect("set by cargo");
    let family = env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    let vendor = env::var("CARGO_CFG_TARGET_VENDOR").unwrap_or_default();
    let portable = env::var("RCTYPES_PORTABLE").is_ok_and(|v| !v.is_empty() && v != "0");
    // System V x86-64 with ELF objects (the call sequences' assembly is
    // ELF's): Linux and the BSDs, not macOS.
    let elf_sysv = arch == "x86_64" && family.split(',').any(|f| f == "unix") && vendor != "apple";
    if elf_sysv && !portable {
        println!("cargo::rustc-cfg=rctypes_x86_64_sysv");
    }
}
