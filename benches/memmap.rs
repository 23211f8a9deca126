//! The cost of a memory-mapped array does not depend on the file's size:
//! a 4 KiB file against an 8 GiB sparse one.
//!
//! - `memmap/open`: open the file and map it read-only as float32, with the
//!   shape inferred from its size, then drop the map;
//! - `memmap/call`: a dynamic call of `bump_ends` (C adds to the first,
//!   middle and last elements) through an ndpointer checked at every call
//!   (dtype, ndim, shape = argument 2, flags), on a map in mode `r+`.
//!
//! Run with `cargo bench --bench memmap`.

use std::fs::File;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rctypes::{CFunc, CType, Dim, Memmap, load_library, ndpointer};

/// 4 KiB and 8 GiB.
const SIZES: [u64; 2] = [4 << 10, 8 << 30];

fn label(size: u64) -> String {
    if size >= 1 << 30 {
        format!("{}GiB", size >> 30)
    } else {
        format!("{}KiB", size >> 10)
    }
}

/// A sparse file of `size` zero bytes: no disk is used until written.
fn sparse_file(dir: &Path, size: u64) -> PathBuf {
    let path = dir.join(format!("{}.f32", label(size)));
    File::create(&path)
        .and_then(|f| f.set_len(size))
        .expect("a sparse file");
    path
}

fn bump_ends() -> CFunc {
    // SAFETY: the project's own library has no initialisers.
    let lib = unsafe { load_library("memmap", rctypes_csrc::DIR) }.expect("libmemmap");
    let a = ndpointer()
        .dtype("float32")
        .ndim(1)
        .shape([Dim::Arg(2)])
        .flags("C_CONTIGUOUS, ALIGNED")
        .build()
        .unwrap();
    // SAFETY: memmap.c: `double bump_ends(float *A, int64_t n, float delta)`
    // reads and writes A[0], A[n/2] and A[n-1]; the ndpointer's shape is n,
    // it is writable and not nullable.
    unsafe {
        lib.function(
            "bump_ends",
            &[a.into(), CType::Int64, CType::Float],
            CType::Double,
        )
    }
    .unwrap()
}

fn group<'c>(
    c: &'c mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    g
}

fn open(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = group(c, "memmap/open");
    for size in SIZES {
        let path = sparse_file(dir.path(), size);
        g.bench_with_input(
            BenchmarkId::from_parameter(label(size)),
            &path,
            |b, path| {
                // SAFETY: the file is this benchmark's own; nothing changes it.
                b.iter(|| unsafe { Memmap::open(black_box(path), "float32", "r") }.unwrap())
            },
        );
    }
    g.finish();
}

fn call(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let bump = bump_ends();
    let mut g = group(c, "memmap/call");
    for size in SIZES {
        let path = sparse_file(dir.path(), size);
        // SAFETY: as above.
        let mut m = unsafe { Memmap::open(&path, "float32", "r+") }.unwrap();
        let n = m.len() as i64;
        g.bench_function(BenchmarkId::from_parameter(label(size)), |b| {
            b.iter(|| {
                bump.call(&[black_box(&mut m).into(), n.into(), 1.0f32.into()])
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, open, call);
criterion_main!(benches);
