//! Per-call cost of rctypes against the floor, in one run: for each signature,
//! (a) a direct call through a function pointer, (b) raw libffi `ffi_call` on a
//! prepared cif, (c) rctypes dynamic `CFunc::call`, (d) rctypes `TypedCFunc`.
//!
//! `cargo bench --bench calls` prints a table of ratios at the end.

use std::ffi::c_void;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use libffi::middle::{Cif, CodePtr, Type};
use rctypes::{CType, Library, TypedCFunc, Value};

mod ratios;

fn abi() -> Library {
    // SAFETY: the project's own library has no initialisers.
    unsafe { rctypes::load_library("abi", env!("RCTYPES_CSRC_DIR")) }
        .expect("libabi is built by build.rs")
}

/// A raw libffi call: the cif prepared once, argument pointers per call.
fn raw_call<R: Default>(cif: &Cif, code: CodePtr, args: &mut [*mut c_void]) -> R {
    let mut ret = R::default();
    // SAFETY: the cif was prepared for the function's real signature, each
    // pointer refers to a live argument of the right type.
    unsafe {
        libffi::raw::ffi_call(
            cif.as_raw_ptr(),
            Some(*code.as_safe_fun()),
            (&mut ret as *mut R).cast(),
            args.as_mut_ptr(),
        );
    }
    ret
}

fn bench_calls(c: &mut Criterion) {
    let lib = abi();

    // no-op: void noop(void)
    {
        let addr = lib.symbol_address("noop").unwrap();
        // SAFETY: noop is `void noop(void)`.
        let direct: extern "C" fn() = unsafe { std::mem::transmute(addr) };
        let cif = Cif::new(Vec::<Type>::new(), Type::void());
        let code = CodePtr::from_ptr(addr);
        // SAFETY: as above.
        let dynamic = unsafe { lib.function("noop", &[], CType::Void) }.unwrap();
        let typed: TypedCFunc<(), ()> = dynamic.typed().unwrap();
        let mut g = c.benchmark_group("noop");
        g.bench_function("direct", |b| b.iter(|| black_box(direct)()));
        g.bench_function("libffi", |b| {
            b.iter(|| raw_call::<u64>(&cif, code, &mut []))
        });
        g.bench_function("dynamic", |b| b.iter(|| dynamic.call(&[]).unwrap()));
        g.bench_function("typed", |b| b.iter(|| black_box(&typed).call(())));
        g.finish();
    }

    // int add_int(int, int)
    {
        let addr = lib.symbol_address("add_int").unwrap();
        // SAFETY: add_int is `int add_int(int, int)`.
        let direct: extern "C" fn(i32, i32) -> i32 = unsafe { std::mem::transmute(addr) };
        let cif = Cif::new([Type::i32(), Type::i32()], Type::i32());
        let code = CodePtr::from_ptr(addr);
        // SAFETY: as above.
        let dynamic =
            unsafe { lib.function("add_int", &[CType::Int, CType::Int], CType::Int) }.unwrap();
        let typed: TypedCFunc<(i32, i32), i32> = dynamic.typed().unwrap();
        let mut g = c.benchmark_group("int(int,int)");
        g.bench_function("direct", |b| {
            b.iter(|| black_box(direct)(black_box(3), black_box(4)))
        });
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let (mut x, mut y) = (black_box(3i32), black_box(4i32));
                let mut args = [(&mut x as *mut i32).cast(), (&mut y as *mut i32).cast()];
                raw_call::<u64>(&cif, code, &mut args) as i32
            })
        });
        g.bench_function("dynamic", |b| {
            b.iter(|| {
                dynamic
                    .call(&[Value::Int(black_box(3)), Value::Int(black_box(4))])
                    .unwrap()
            })
        });
        g.bench_function("typed", |b| {
            b.iter(|| typed.call((black_box(3), black_box(4))))
        });
        g.finish();
    }

    // double add_double(double, double)
    {
        let addr = lib.symbol_address("add_double").unwrap();
        // SAFETY: add_double is `double add_double(double, double)`.
        let direct: extern "C" fn(f64, f64) -> f64 = unsafe { std::mem::transmute(addr) };
        let cif = Cif::new([Type::f64(), Type::f64()], Type::f64());
        let code = CodePtr::from_ptr(addr);
        // SAFETY: as above.
        let dynamic =
            unsafe { lib.function("add_double", &[CType::Double, CType::Double], CType::Double) }
                .unwrap();
        let typed: TypedCFunc<(f64, f64), f64> = dynamic.typed().unwrap();
        let mut g = c.benchmark_group("double(double,double)");
        g.bench_function("direct", |b| {
            b.iter(|| black_box(direct)(black_box(0.5), black_box(1.5)))
        });
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let (mut x, mut y) = (black_box(0.5f64), black_box(1.5f64));
                let mut args = [(&mut x as *mut f64).cast(), (&mut y as *mut f64).cast()];
                raw_call::<f64>(&cif, code, &mut args)
            })
        });
        g.bench_function("dynamic", |b| {
            b.iter(|| {
                dynamic
                    .call(&[Value::Float(black_box(0.5)), Value::Float(black_box(1.5))])
                    .unwrap()
            })
        });
        g.bench_function("typed", |b| {
            b.iter(|| typed.call((black_box(0.5), black_box(1.5))))
        });
        g.finish();
    }

    // double mixed6(int, double, long, float, short, double)
    {
        let addr = lib.symbol_address("mixed6").unwrap();
        type Mixed6 = extern "C" fn(i32, f64, i64, f32, i16, f64) -> f64;
        // SAFETY: mixed6's signature, with long as i64 (64-bit Unix).
        let direct: Mixed6 = unsafe { std::mem::transmute(addr) };
        let cif = Cif::new(
            [
                Type::i32(),
                Type::f64(),
                Type::i64(),
                Type::f32(),
                Type::i16(),
                Type::f64(),
            ],
            Type::f64(),
        );
        let code = CodePtr::from_ptr(addr);
        let sig = [
            CType::Int,
            CType::Double,
            CType::Long,
            CType::Float,
            CType::Short,
            CType::Double,
        ];
        // SAFETY: as above.
        let dynamic = unsafe { lib.function("mixed6", &sig, CType::Double) }.unwrap();
        let typed: TypedCFunc<(i32, f64, i64, f32, i16, f64), f64> = dynamic.typed().unwrap();
        let mut g = c.benchmark_group("mixed6");
        g.bench_function("direct", |b| {
            b.iter(|| black_box(direct)(black_box(1), 2.0, black_box(3), 4.0, black_box(5), 6.0))
        });
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let (mut a, mut bb, mut cc, mut d, mut e, mut f) = (
                    black_box(1i32),
                    2.0f64,
                    black_box(3i64),
                    4.0f32,
                    black_box(5i16),
                    6.0f64,
                );
                let mut args: [*mut c_void; 6] = [
                    (&mut a as *mut i32).cast(),
                    (&mut bb as *mut f64).cast(),
                    (&mut cc as *mut i64).cast(),
                    (&mut d as *mut f32).cast(),
                    (&mut e as *mut i16).cast(),
                    (&mut f as *mut f64).cast(),
                ];
                raw_call::<f64>(&cif, code, &mut args)
            })
        });
        g.bench_function("dynamic", |b| {
            b.iter(|| {
                dynamic
                    .call(&[
                        Value::Int(black_box(1)),
                        Value::Float(2.0),
                        Value::Int(black_box(3)),
                        Value::Float(4.0),
                        Value::Int(black_box(5)),
                        Value::Float(6.0),
                    ])
                    .unwrap()
            })
        });
        g.bench_function("typed", |b| {
            b.iter(|| typed.call((black_box(1), 2.0, black_box(3), 4.0, black_box(5), 6.0)))
        });
        g.finish();
    }
}

/// long long spill10(int × 10): four arguments on the stack.
fn bench_spill(c: &mut Criterion) {
    let lib = abi();
    let addr = lib.symbol_address("spill10").unwrap();
    type Spill10 = extern "C" fn(i32, i32, i32, i32, i32, i32, i32, i32, i32, i32) -> i64;
    // SAFETY: spill10's signature.
    let direct: Spill10 = unsafe { std::mem::transmute(addr) };
    let cif = Cif::new(vec![Type::i32(); 10], Type::i64());
    let code = CodePtr::from_ptr(addr);
    // SAFETY: as above.
    let dynamic =
        unsafe { lib.function("spill10", &vec![CType::Int; 10], CType::LongLong) }.unwrap();
    type Args = (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32);
    let typed: TypedCFunc<Args, i64> = dynamic.typed().unwrap();
    let values: Vec<Value> = (1..=10).map(Value::Int).collect();
    let mut g = c.benchmark_group("spill10");
    g.bench_function("direct", |b| {
        b.iter(|| black_box(direct)(black_box(1), 2, 3, 4, 5, 6, 7, 8, 9, 10))
    });
    g.bench_function("libffi", |b| {
        b.iter(|| {
            let mut x: [i32; 10] = black_box([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
            let mut args: Vec<*mut c_void> = x.iter_mut().map(|v| (v as *mut i32).cast()).collect();
            raw_call::<i64>(&cif, code, &mut args)
        })
    });
    g.bench_function("dynamic", |b| {
        b.iter(|| dynamic.call(black_box(&values)).unwrap())
    });
    g.bench_function("typed", |b| {
        b.iter(|| typed.call((black_box(1), 2, 3, 4, 5, 6, 7, 8, 9, 10)))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_calls, bench_spill
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratios::print_ratio_table(
        &[
            "noop",
            "int(int,int)",
            "double(double,double)",
            "mixed6",
            "spill10",
        ],
        &["direct", "libffi", "dynamic", "typed"],
    );
}
