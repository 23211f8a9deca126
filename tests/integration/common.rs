//! Shared fixtures: the libraries compiled from `csrc/`, opened once.

use std::sync::OnceLock;

use rctypes::{CFunc, CType, Extent, Library, Route};

/// The folder `build.rs` compiled `csrc/` into.
pub const CSRC_DIR: &str = rctypes_csrc::DIR;

/// Opens `lib<name>` from the compiled `csrc/` folder.
pub fn lib(name: &str) -> Library {
    // SAFETY: the project's own C libraries have no initialisers.
    unsafe { rctypes::load_library(name, CSRC_DIR) }.unwrap_or_else(|e| panic!("{e}"))
}

/// `libabi`, loaded once for the whole test binary.
#[allow(dead_code)] // for the topics that test the ABI
pub fn abi() -> &'static Library {
    static ABI: OnceLock<Library> = OnceLock::new();
    ABI.get_or_init(|| lib("abi"))
}

/// `f` on every route that takes its signature, fastest first.
#[allow(dead_code)] // for the topics that compare routes
pub fn every_route(f: &CFunc) -> Vec<CFunc> {
    Route::ALL
        .iter()
        .filter_map(|&route| f.clone().via(route).ok())
        .collect()
}

/// fibonacci.c's `void fibseries(const int *a, int elements, int *series)`,
/// which reads `elements` ints from `a` and writes as many to `series`.
#[allow(dead_code)] // for the topics that lend arrays
pub fn fibseries() -> CFunc {
    let n = Extent::ElementsFromArg(2);
    let sig = [
        CType::const_pointer(CType::Int).extent(n),
        CType::Int,
        CType::pointer(CType::Int).extent(n),
    ];
    // SAFETY: fibonacci.c: `void fibseries(int *a, int elements, int *series)`
    // reads `elements` ints from a and writes as many to series (never a);
    // neither may be NULL.
    unsafe { lib("fibonacci").function("fibseries", &sig, CType::Void) }
        .unwrap_or_else(|e| panic!("{e}"))
}

/// abi.c's `double mixed6(int, double, long, float, short, double)`.
pub fn mixed6() -> CFunc {
    let sig = [
        CType::Int,
        CType::Double,
        CType::Long,
        CType::Float,
        CType::Short,
        CType::Double,
    ];
    // SAFETY: abi.c declares mixed6 with exactly this signature.
    unsafe { abi().function("mixed6", &sig, CType::Double) }.unwrap_or_else(|e| panic!("{e}"))
}
