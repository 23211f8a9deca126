//! The cost of lending an array to C: `compute_mean` over an `ndarray`
//! float32 array, called three ways, for 16 and 100,000,000 elements.
//!
//! - `ndpointer`: a dynamic call whose first parameter is an ndpointer
//!   (dtype, ndim, C-contiguous, and in `full` shape = argument 2) checked
//!   at every call;
//! - `pointer`: the same dynamic call declared with a plain `const float*`
//!   of argument 2 elements (the element type, contiguity and that the
//!   array holds n elements are checked);
//! - `direct`: an unchecked typed call (`Library::typed`), straight through
//!   the function pointer.
//!
//! `full` lets C average all n elements, so the larger size measures C's
//! loop; `lend` passes the same arrays but has C average only their first
//! 16, so every size does the same C work and any cost that grew with the
//! array (a copy) would show; `check` is the ndpointer check alone.
//!
//! Run with `cargo bench --bench arrays`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ndarray::Array1;
use rctypes::{CFunc, CType, Dim, Extent, Value, load_library, ndpointer};

const SIZES: [usize; 2] = [16, 100_000_000];

struct Means {
    ndpointer: CFunc,
    any_length: CFunc,
    pointer: CFunc,
}

fn means() -> Means {
    // SAFETY: the project's own library has no initialisers.
    let lib = unsafe { load_library("mean", rctypes_csrc::DIR) }.expect("libmean");
    let vector = ndpointer()
        .dtype("float32")
        .ndim(1)
        .flags("C_CONTIGUOUS")
        .read_only();
    let exact = vector.clone().shape([Dim::Arg(2)]).build().unwrap();
    let prefix = vector.build().unwrap();
    let plain = [
        CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(2)),
        CType::Int,
    ];
    // SAFETY: mean.c: `float compute_mean(float *A, int n)` reads n floats of
    // A (not NULL) and writes none. The `any_length` ndpointer states no
    // shape: every call through it passes an array of at least n.
    unsafe {
        Means {
            ndpointer: lib
                .function("compute_mean", &[exact.into(), CType::Int], CType::Float)
                .unwrap(),
            any_length: lib
                .function("compute_mean", &[prefix.into(), CType::Int], CType::Float)
                .unwrap(),
            pointer: lib.function("compute_mean", &plain, CType::Float).unwrap(),
        }
    }
}

fn run(c: &mut Criterion, group: &str, c_reads: impl Fn(usize) -> usize, exact: bool) {
    let f = means();
    let mut g = c.benchmark_group(group);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in SIZES {
        let a = Array1::<f32>::ones(n);
        let k = c_reads(n) as i32;
        // When C reads a prefix, the ndpointer cannot pin the length to k.
        let checked = if exact { &f.ndpointer } else { &f.any_length };
        g.bench_with_input(BenchmarkId::new("ndpointer", n), &a, |b, a| {
            b.iter(|| checked.call(&[black_box(a).into(), k.into()]).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("pointer", n), &a, |b, a| {
            b.iter(|| f.pointer.call(&[black_box(a).into(), k.into()]).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("direct", n), &a, |b, a| {
            // SAFETY: compute_mean as above; every call passes a slice of
            // at least k floats.
            let direct = unsafe {
                f.pointer
                    .library()
                    .typed::<(&[f32], i32), f32>("compute_mean")
            }
            .unwrap();
            b.iter(|| direct.call((black_box(a).as_slice().unwrap(), k)))
        });
    }
    g.finish();
}

fn full(c: &mut Criterion) {
    run(c, "compute_mean/full", |n| n, true);
}

fn lend(c: &mut Criterion) {
    run(c, "compute_mean/lend", |_| 16, false);
}

fn check(c: &mut Criterion) {
    let spec = ndpointer()
        .dtype("float32")
        .ndim(1)
        .shape([Dim::Arg(2)])
        .flags("C_CONTIGUOUS")
        .read_only()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("ndpointer/check");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in SIZES {
        let a = Array1::<f32>::ones(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &a, |b, a| {
            b.iter(|| {
                let args: [Value; 2] = [black_box(a).into(), (n as i32).into()];
                spec.from_param(&args[0], &args).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, check, lend, full);
criterion_main!(benches);
