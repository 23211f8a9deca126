//! Shared fixtures: the libraries compiled from `csrc/`, opened once, the
//! bindings several topics call and the small builders many use.
//! (`tests/alloc_free.rs` includes this file too, so every test finds the
//! compiled libraries the same way.)

// Each topic, and each test binary, takes only the fixtures it needs.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rctypes::{
    CBuild, CFunc, CType, Dim, Extent, FromValue, Library, NdPointerBuilder, Route, StructBuilder,
    StructLayout, Value, ndpointer,
};

/// The folder `build.rs` compiled `csrc/` into: the one place that says
/// where the compiled test libraries are.
pub fn csrc_dir() -> &'static str {
    rctypes_csrc::DIR
}

/// The project's C sources and headers, `csrc/`.
pub fn c_sources() -> PathBuf {
    PathBuf::from(rctypes_csrc::SOURCES)
}

/// Opens `lib<name>` from the compiled `csrc/` folder.
pub fn lib(name: &str) -> Library {
    // SAFETY: the project's own C libraries have no initialisers.
    unsafe { rctypes::load_library(name, csrc_dir()) }.unwrap_or_else(|e| panic!("{e}"))
}

/// Compiles the C source `source`, named `name`, and loads it.
///
/// # Safety
///
/// The source has no initialisers (nothing runs as it loads).
pub unsafe fn build_c(name: &str, source: &str) -> Library {
    let mut build = CBuild::new();
    build.source_str(name, source);
    // SAFETY: the caller's.
    unsafe { build.build() }.unwrap_or_else(|e| panic!("{e}"))
}

/// `libabi`, loaded once for the whole test binary.
pub fn abi() -> &'static Library {
    static ABI: OnceLock<Library> = OnceLock::new();
    ABI.get_or_init(|| lib("abi"))
}

/// Calls `f` and converts its result, failing the test on any error.
pub fn call_as<T: FromValue>(f: &CFunc, args: &[Value<'_>]) -> T {
    let result = f.call(args).unwrap_or_else(|e| panic!("{e}"));
    result.to::<T>().unwrap_or_else(|e| panic!("{e}"))
}

/// The elements of an array view, in its logical order, failing the test if
/// there is no view.
pub fn elements<T: Copy>(view: rctypes::Result<ndarray::ArrayViewD<'_, T>>) -> Vec<T> {
    view.unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .copied()
        .collect()
}

/// `f` on every route that takes its signature, fastest first.
pub fn every_route(f: &CFunc) -> Vec<CFunc> {
    Route::ALL
        .iter()
        .filter_map(|&route| f.clone().via(route).ok())
        .collect()
}

/// fibonacci.c's `void fibseries(const int *a, int elements, int *series)`,
/// which reads `elements` ints from `a` and writes as many to `series`,
/// declared with the extent `n` on both pointers.
///
/// # Safety
///
/// `n` is `ElementsFromArg(2)`, or every call passes `elements` within `n`.
pub unsafe fn fibseries_over(n: Extent) -> CFunc {
    let sig = [
        CType::const_pointer(CType::Int).extent(n),
        CType::Int,
        CType::pointer(CType::Int).extent(n),
    ];
    // SAFETY: fibonacci.c: `void fibseries(int *a, int elements, int *series)`
    // reads `elements` ints from a and writes as many to series (never a);
    // neither may be NULL. The extent covers `elements`, by the caller.
    unsafe { lib("fibonacci").function("fibseries", &sig, CType::Void) }
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `fibseries` with its extent read from `elements`.
pub fn fibseries() -> CFunc {
    // SAFETY: the extent is `elements` itself.
    unsafe { fibseries_over(Extent::ElementsFromArg(2)) }
}

/// mean.c's `float compute_mean(float *A, int n)`, which reads n floats of A.
pub fn compute_mean() -> CFunc {
    let a = CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(2));
    // SAFETY: mean.c: compute_mean reads n floats of A, which may not be
    // NULL, and writes none.
    unsafe { lib("mean").function("compute_mean", &[a, CType::Int], CType::Float) }
        .unwrap_or_else(|e| panic!("{e}"))
}

/// mean.c's `void scale_floats(float *A, int n, float factor)`, which reads
/// and writes n floats of A.
pub fn scale_floats() -> CFunc {
    let sig = [
        CType::pointer(CType::Float).extent(Extent::ElementsFromArg(2)),
        CType::Int,
        CType::Float,
    ];
    // SAFETY: mean.c: scale_floats reads and writes n floats of A, which may
    // not be NULL.
    unsafe { lib("mean").function("scale_floats", &sig, CType::Void) }
        .unwrap_or_else(|e| panic!("{e}"))
}

/// foo.c's `double bar_sum(const double *data, int len)`.
pub fn bar_sum() -> CFunc {
    let sig = [
        CType::const_pointer(CType::Double).extent(Extent::ElementsFromArg(2)),
        CType::Int,
    ];
    // SAFETY: foo.c: `double bar_sum(const double *data, int len)` reads len
    // doubles from data, which may not be NULL.
    unsafe { lib("foo").function("bar_sum", &sig, CType::Double) }.unwrap_or_else(|e| panic!("{e}"))
}

/// libc's `void *memset(void *s, int c, size_t n)`, which writes n bytes to
/// s and returns s.
pub fn memset() -> CFunc {
    let sig = [
        CType::VoidP.extent(Extent::BytesFromArg(3)),
        CType::Int,
        CType::SizeT,
    ];
    let libc = Library::this().unwrap_or_else(|e| panic!("{e}"));
    // SAFETY: libc: memset writes n bytes to s, which may not be NULL, and
    // returns s.
    unsafe { libc.function("memset", &sig, CType::VoidP) }.unwrap_or_else(|e| panic!("{e}"))
}

/// abi.c's `int add_int(int, int)`.
pub fn add_int() -> CFunc {
    // SAFETY: abi.c declares add_int with exactly this signature.
    unsafe { abi().function("add_int", &[CType::Int, CType::Int], CType::Int) }
        .unwrap_or_else(|e| panic!("{e}"))
}

/// abi.c's `void out_params(int a, int *doubled, double *half)`.
pub fn out_params() -> CFunc {
    let sig = [
        CType::Int,
        CType::pointer(CType::Int),
        CType::pointer(CType::Double),
    ];
    // SAFETY: abi.c: out_params writes one int to doubled and one double to
    // half; neither may be NULL.
    unsafe { abi().function("out_params", &sig, CType::Void) }.unwrap_or_else(|e| panic!("{e}"))
}

/// What `f`, `out_params` as bound, writes for `a`: (doubled, half).
pub fn written_out(f: &CFunc, a: i32) -> (i32, f64) {
    let (mut doubled, mut half) = (0, 0.0);
    let args = [
        a.into(),
        Value::byref(&mut doubled),
        Value::byref(&mut half),
    ];
    f.call(&args).unwrap_or_else(|e| panic!("{e}"));
    (doubled, half)
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

/// Arguments for `mixed6`, which returns their sum, 11.25.
pub fn mixed6_args() -> [Value<'static>; 6] {
    [
        1.into(),
        2.5.into(),
        3.into(),
        0.5.into(),
        4.into(),
        0.25.into(),
    ]
}

/// abi.c's `double mixed10(int, double, int, double, int, double, int,
/// double, long long, double)`.
pub fn mixed10() -> CFunc {
    use CType::{Double, Int, LongLong};
    let sig = [
        Int, Double, Int, Double, Int, Double, Int, Double, LongLong, Double,
    ];
    // SAFETY: abi.c declares mixed10 with exactly this signature.
    unsafe { abi().function("mixed10", &sig, Double) }.unwrap_or_else(|e| panic!("{e}"))
}

/// An ndpointer for a one-dimensional float32 array exactly argument 2
/// long, with the flags given, to finish with `.read_only()` or `.build()`.
pub fn floats_arg2(flags: &str) -> NdPointerBuilder {
    ndpointer()
        .dtype("float32")
        .ndim(1)
        .shape([Dim::Arg(2)])
        .flags(flags)
}

/// mean.c's `float compute_mean(float *A, int n)` with an ndpointer: a
/// C-contiguous float32 array exactly `n` long, which C only reads.
pub fn compute_mean_nd() -> CFunc {
    let a = floats_arg2("C_CONTIGUOUS").read_only().build().unwrap();
    // SAFETY: mean.c: `float compute_mean(float *A, int n)` reads n floats of
    // A and writes none; the ndpointer's shape is n, and it is not nullable.
    unsafe { lib("mean").function("compute_mean", &[a.into(), CType::Int], CType::Float) }
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A struct of the fields given, in order, naturally aligned.
pub fn struct_layout(name: &str, fields: &[(&str, CType)]) -> Arc<StructLayout> {
    with_fields(StructLayout::builder(name), fields)
}

/// A union of the fields given.
pub fn union_layout(name: &str, fields: &[(&str, CType)]) -> Arc<StructLayout> {
    with_fields(StructLayout::union_builder(name), fields)
}

fn with_fields(builder: StructBuilder, fields: &[(&str, CType)]) -> Arc<StructLayout> {
    let add = |b: StructBuilder, (name, t): &(&str, CType)| b.field(*name, t.clone());
    let built = fields.iter().fold(builder, add).build();
    built.unwrap_or_else(|e| panic!("{e}"))
}
