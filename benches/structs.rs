//! Per-call cost of structs by value: for a struct in registers
//! (`int sum_int_pair(IntPair)`) and one in memory (`Vec3 cross_vec3(Vec3,
//! Vec3)`), (a) a direct call, (b) raw libffi on a prepared cif, (c) rctypes
//! dynamic `CFunc::call` with a borrowed `StructValue`, (d) the same with a
//! `c_struct!` value lent by reference, (e) `TypedCFunc`.
//!
//! `cargo bench --bench structs` prints a table of ratios at the end.

use std::ffi::c_void;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use libffi::middle::{Cif, CodePtr, Type};
use rctypes::{CStruct, CType, Library, StructValue, TypedCFunc, c_struct};

mod ratios;

c_struct! {
    struct IntPair { a: i32, b: i32 }
    struct Vec3 { x: f64, y: f64, z: f64 }
}

fn structs() -> Library {
    // SAFETY: the project's own library has no initialisers.
    unsafe { rctypes::load_library("structs", rctypes_csrc::DIR) }
        .expect("libstructs is built by build.rs")
}

fn bench_structs(c: &mut Criterion) {
    let lib = structs();

    // int sum_int_pair(IntPair): one integer register.
    {
        let addr = lib.symbol_address("sum_int_pair").unwrap();
        // SAFETY: structs.h: `int sum_int_pair(IntPair)`.
        let direct: extern "C" fn(IntPair) -> i32 = unsafe { std::mem::transmute(addr) };
        let cif = Cif::new([Type::structure([Type::i32(), Type::i32()])], Type::i32());
        let code = CodePtr::from_ptr(addr);
        let pair = CType::Struct(IntPair::layout().clone());
        // SAFETY: as above.
        let dynamic = unsafe { lib.function("sum_int_pair", &[pair], CType::Int) }.unwrap();
        let typed: TypedCFunc<(IntPair,), i32> = dynamic.typed().unwrap();
        let value = IntPair { a: 3, b: 4 };
        let mut s = StructValue::new(IntPair::layout()).unwrap();
        s.set("a", 3).unwrap();
        let mut g = c.benchmark_group("int(IntPair)");
        g.bench_function("direct", |b| b.iter(|| black_box(direct)(black_box(value))));
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let mut v = black_box(value);
                let mut ret = 0u64;
                let mut args = [(&mut v as *mut IntPair).cast::<c_void>()];
                // SAFETY: the cif is the function's signature; v is live.
                unsafe {
                    libffi::raw::ffi_call(
                        cif.as_raw_ptr(),
                        Some(*code.as_safe_fun()),
                        (&mut ret as *mut u64).cast(),
                        args.as_mut_ptr(),
                    )
                };
                ret
            })
        });
        g.bench_function("dynamic", |b| {
            b.iter(|| dynamic.call(&[(&s).into()]).unwrap())
        });
        g.bench_function("dynamic_ref", |b| {
            b.iter(|| dynamic.call(&[(&value).into()]).unwrap())
        });
        g.bench_function("typed", |b| b.iter(|| black_box(&typed).call((value,))));
        g.finish();
    }

    // Vec3 cross_vec3(Vec3, Vec3): memory both ways.
    {
        let addr = lib.symbol_address("cross_vec3").unwrap();
        // SAFETY: structs.h: `Vec3 cross_vec3(Vec3, Vec3)`.
        let direct: extern "C" fn(Vec3, Vec3) -> Vec3 = unsafe { std::mem::transmute(addr) };
        let v3 = || Type::structure([Type::f64(), Type::f64(), Type::f64()]);
        let cif = Cif::new([v3(), v3()], v3());
        let code = CodePtr::from_ptr(addr);
        let vec3 = CType::Struct(Vec3::layout().clone());
        // SAFETY: as above.
        let dynamic =
            unsafe { lib.function("cross_vec3", &[vec3.clone(), vec3.clone()], vec3) }.unwrap();
        let typed: TypedCFunc<(Vec3, Vec3), Vec3> = dynamic.typed().unwrap();
        let (x, y) = (
            Vec3 {
                x: 1.0,
                y: 0.0,
                z: 0.0,
            },
            Vec3 {
                x: 0.0,
                y: 1.0,
                z: 0.0,
            },
        );
        let (sx, sy) = (x.to_struct_value(), y.to_struct_value());
        let mut g = c.benchmark_group("Vec3(Vec3,Vec3)");
        g.bench_function("direct", |b| {
            b.iter(|| black_box(direct)(black_box(x), black_box(y)).z)
        });
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let (mut a, mut bb) = (black_box(x), black_box(y));
                let mut ret = Vec3 {
                    x: 0.0,
                    y: 0.0,
                    z: 0.0,
                };
                let mut args = [
                    (&mut a as *mut Vec3).cast::<c_void>(),
                    (&mut bb as *mut Vec3).cast::<c_void>(),
                ];
                // SAFETY: the cif is the function's signature; a and bb are live.
                unsafe {
                    libffi::raw::ffi_call(
                        cif.as_raw_ptr(),
                        Some(*code.as_safe_fun()),
                        (&mut ret as *mut Vec3).cast(),
                        args.as_mut_ptr(),
                    )
                };
                ret.z
            })
        });
        g.bench_function("dynamic", |b| {
            b.iter(|| dynamic.call(&[(&sx).into(), (&sy).into()]).unwrap())
        });
        g.bench_function("dynamic_ref", |b| {
            b.iter(|| dynamic.call(&[(&x).into(), (&y).into()]).unwrap())
        });
        g.bench_function("typed", |b| b.iter(|| black_box(&typed).call((x, y)).z));
        g.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_structs
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratios::print_ratio_table(
        &["int(IntPair)", "Vec3(Vec3,Vec3)"],
        &["direct", "libffi", "dynamic", "dynamic_ref", "typed"],
    );
}
