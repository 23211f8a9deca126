//! Tells the run-time C harness (`CBuild`) which target this crate was built
//! for, so that it compiles C for the same one. Nothing is compiled here.

fn main() {
    println!(
        "cargo::rustc-env=RCTYPES_TARGET={}",
        std::env::var("TARGET").expect("set by cargo")
    );
    println!("cargo::rerun-if-changed=build.rs");
}
