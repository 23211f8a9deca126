//! What a call costs beyond the C function, in one run: each call below is
//! measured these ways,
//!
//! - `direct`: through a Rust `extern "C"` function pointer, the floor;
//! - `libffi`: raw `ffi_call` on a cif prepared once (argument pointers set
//!   up per call), the usual dynamic FFI;
//! - `typed`: rctypes' `TypedCFunc` (for callbacks, `Callback::typed`);
//! - `invoke`: rctypes' `CFunc::invoke`, Rust values in and the Rust type
//!   out, the result taken as `?` takes it (`.ok()`);
//! - `dynamic`: rctypes' `CFunc::call` with `Value` arguments (for
//!   callbacks, `Callback::new`),
//!
//! and a table of ratios to the floor and to raw libffi is printed at the
//! end. Run with `cargo bench --bench suite` (about 90 seconds). Every way
//! gets the same inputs: integers hidden from the optimiser (`black_box`)
//! at their C width, then made into `Value`s for the dynamic call.
//!
//! The dynamic result is looked at where the call left it (`black_box` of a
//! reference), as a caller that matches on it does; `noop/dynamic_unwrap`
//! measures a caller that moves the `Value` out of the `Result` at once
//! (`unwrap`, `?`), which copies its 112 bytes, and `int(int,int)/dynamic_to`
//! one that reads the result as `call(..)?.to::<i32>()`. `int(int,int)/dynamic_program`
//! measures the same call through the fast path's program instead of the
//! compiled code (`CFunc::via(Route::Fast)`), and
//! `int(int,int)/dynamic_registers` on the register route, as a call whose values
//! the fast path does not convert itself takes.

use std::ffi::c_void;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, SamplingMode, measurement::WallTime};
use libffi::low::{self, ffi_cif};
use libffi::middle::{Cif, CodePtr, Type};
use libffi::raw::ffi_arg;
use ndarray::Array1;
use rctypes::{
    CFunc, CStruct, CType, Callback, Dim, Extent, RawPtr, Route, Signature, TypedCFunc, Value,
    c_struct, ndpointer,
};

mod ratios;
mod raw;

use ratios::Row;
use raw::{library, ptr, raw_call};

/// Looks at a dynamic call's result where it was left, as a caller
/// matching on it does.
#[inline(always)]
fn look(result: &rctypes::Result<Value<'_>>) {
    black_box(result);
}

/// Short runs: the whole suite stays within a few minutes.
fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1200))
        .sample_size(30);
    g
}

fn scalars(c: &mut Criterion) {
    let lib = library("abi");
    let bind = |name: &str, args: &[CType], ret: CType| -> (CFunc, *const c_void, CodePtr) {
        // SAFETY: abi.c defines each function with the signature given, on
        // numbers only.
        let f = unsafe { lib.function(name, args, ret) }.unwrap();
        let addr = f.as_ptr();
        assert_eq!(f.route(), Route::Compiled, "{name}");
        (f, addr, CodePtr::from_ptr(addr))
    };

    // void noop(void)
    {
        let (dynamic, addr, code) = bind("noop", &[], CType::Void);
        // SAFETY: `void noop(void)`.
        let direct: extern "C" fn() = unsafe { std::mem::transmute(addr) };
        let cif = Cif::new(Vec::<Type>::new(), Type::void());
        let typed: TypedCFunc<(), ()> = dynamic.typed().unwrap();
        assert_eq!(dynamic.call(&[]).unwrap(), Value::Void);
        let mut g = group(c, "noop");
        g.bench_function("direct", |b| b.iter(|| black_box(direct)()));
        g.bench_function("libffi", |b| {
            b.iter(|| raw_call::<u64>(&cif, code, &mut []))
        });
        g.bench_function("typed", |b| b.iter(|| typed.call(())));
        g.bench_function("invoke", |b| b.iter(|| dynamic.invoke::<()>(()).ok()));
        g.bench_function("dynamic", |b| {
            b.iter(|| look(&dynamic.call(black_box(&[]))))
        });
        g.bench_function("dynamic_unwrap", |b| {
            b.iter(|| dynamic.call(black_box(&[])).unwrap())
        });
        g.finish();
    }

    // int add_int(int, int)
    {
        let (dynamic, addr, code) = bind("add_int", &[CType::Int, CType::Int], CType::Int);
        // SAFETY: `int add_int(int, int)`.
        let direct: extern "C" fn(i32, i32) -> i32 = unsafe { std::mem::transmute(addr) };
        let cif = Cif::new([Type::i32(), Type::i32()], Type::i32());
        let typed: TypedCFunc<(i32, i32), i32> = dynamic.typed().unwrap();
        assert_eq!(dynamic.call(&[3.into(), 4.into()]).unwrap(), Value::Int(7));
        assert_eq!(typed.call((3, 4)), direct(3, 4));
        let mut g = group(c, "int(int,int)");
        g.bench_function("direct", |b| {
            b.iter(|| black_box(direct)(black_box(3), black_box(4)))
        });
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let (mut x, mut y) = (black_box(3i32), black_box(4i32));
                raw_call::<u64>(&cif, code, &mut [ptr(&mut x), ptr(&mut y)]) as i32
            })
        });
        g.bench_function("typed", |b| {
            b.iter(|| typed.call((black_box(3), black_box(4))))
        });
        g.bench_function("invoke", |b| {
            b.iter(|| dynamic.invoke::<i32>((black_box(3), black_box(4))).ok())
        });
        let to = || -> rctypes::Result<i32> {
            dynamic
                .call(&[black_box(3).into(), black_box(4).into()])?
                .to::<i32>()
        };
        g.bench_function("dynamic_to", |b| b.iter(|| to().ok()));
        g.bench_function("dynamic", |b| {
            b.iter(|| {
                look(&dynamic.call(&[Value::from(black_box(3i32)), Value::from(black_box(4i32))]))
            })
        });
        let program = dynamic.clone().via(Route::Fast).unwrap();
        g.bench_function("dynamic_program", |b| {
            b.iter(|| {
                look(&program.call(&[Value::from(black_box(3i32)), Value::from(black_box(4i32))]))
            })
        });
        let registers = dynamic.clone().via(Route::Registers).unwrap();
        g.bench_function("dynamic_registers", |b| {
            b.iter(|| {
                look(&registers.call(&[Value::from(black_box(3i32)), Value::from(black_box(4i32))]))
            })
        });
        g.finish();
    }

    // double add_double(double, double)
    {
        let (dynamic, addr, code) =
            bind("add_double", &[CType::Double, CType::Double], CType::Double);
        // SAFETY: `double add_double(double, double)`.
        let direct: extern "C" fn(f64, f64) -> f64 = unsafe { std::mem::transmute(addr) };
        let cif = Cif::new([Type::f64(), Type::f64()], Type::f64());
        let typed: TypedCFunc<(f64, f64), f64> = dynamic.typed().unwrap();
        assert_eq!(
            dynamic.call(&[0.5.into(), 1.5.into()]).unwrap(),
            Value::Float(2.0)
        );
        let mut g = group(c, "double(double,double)");
        g.bench_function("direct", |b| {
            b.iter(|| black_box(direct)(black_box(0.5), black_box(1.5)))
        });
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let (mut x, mut y) = (black_box(0.5f64), black_box(1.5f64));
                raw_call::<f64>(&cif, code, &mut [ptr(&mut x), ptr(&mut y)])
            })
        });
        g.bench_function("typed", |b| {
            b.iter(|| typed.call((black_box(0.5), black_box(1.5))))
        });
        g.bench_function("invoke", |b| {
            b.iter(|| dynamic.invoke::<f64>((black_box(0.5), black_box(1.5))).ok())
        });
        g.bench_function("dynamic", |b| {
            b.iter(|| {
                look(&dynamic.call(&[Value::Float(black_box(0.5)), Value::Float(black_box(1.5))]))
            })
        });
        g.finish();
    }

    // double mixed6(int, double, long, float, short, double)
    {
        let sig = [
            CType::Int,
            CType::Double,
            CType::Long,
            CType::Float,
            CType::Short,
            CType::Double,
        ];
        let (dynamic, addr, code) = bind("mixed6", &sig, CType::Double);
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
        let typed: TypedCFunc<(i32, f64, i64, f32, i16, f64), f64> = dynamic.typed().unwrap();
        let args = [
            1.into(),
            2.0.into(),
            3.into(),
            4.0.into(),
            5.into(),
            6.0.into(),
        ];
        assert_eq!(dynamic.call(&args).unwrap(), Value::Float(21.0));
        let mut g = group(c, "mixed6");
        g.bench_function("direct", |b| {
            b.iter(|| black_box(direct)(black_box(1), 2.0, black_box(3), 4.0, black_box(5), 6.0))
        });
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let (mut a, mut f2, mut l, mut f4, mut s, mut f6) = (
                    black_box(1i32),
                    2.0f64,
                    black_box(3i64),
                    4.0f32,
                    black_box(5i16),
                    6.0f64,
                );
                let mut args = [
                    ptr(&mut a),
                    ptr(&mut f2),
                    ptr(&mut l),
                    ptr(&mut f4),
                    ptr(&mut s),
                    ptr(&mut f6),
                ];
                raw_call::<f64>(&cif, code, &mut args)
            })
        });
        g.bench_function("typed", |b| {
            b.iter(|| typed.call((black_box(1), 2.0, black_box(3), 4.0, black_box(5), 6.0)))
        });
        g.bench_function("invoke", |b| {
            b.iter(|| {
                dynamic
                    .invoke::<f64>((
                        black_box(1),
                        2.0,
                        black_box(3i64),
                        4.0f32,
                        black_box(5i16),
                        6.0,
                    ))
                    .ok()
            })
        });
        g.bench_function("dynamic", |b| {
            b.iter(|| {
                look(&dynamic.call(&[
                    Value::from(black_box(1i32)),
                    Value::Float(2.0),
                    Value::from(black_box(3i64)),
                    Value::Float(4.0),
                    Value::from(black_box(5i16)),
                    Value::Float(6.0),
                ]))
            })
        });
        g.finish();
    }

    // long long spill10(int × 10): four arguments on the stack.
    {
        let (dynamic, addr, code) = bind("spill10", &[const { CType::Int }; 10], CType::LongLong);
        type Spill10 = extern "C" fn(i32, i32, i32, i32, i32, i32, i32, i32, i32, i32) -> i64;
        // SAFETY: spill10's signature.
        let direct: Spill10 = unsafe { std::mem::transmute(addr) };
        let cif = Cif::new(vec![Type::i32(); 10], Type::i64());
        type Args = (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32);
        let typed: TypedCFunc<Args, i64> = dynamic.typed().unwrap();
        let args: Vec<Value> = (1..=10).map(Value::Int).collect();
        assert_eq!(dynamic.call(&args).unwrap(), Value::Int(385));
        let mut g = group(c, "spill10");
        g.bench_function("direct", |b| {
            b.iter(|| black_box(direct)(black_box(1), 2, 3, 4, 5, 6, 7, 8, 9, 10))
        });
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let mut x: [i32; 10] = black_box([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
                let mut args: [*mut c_void; 10] = std::array::from_fn(|i| ptr(&mut x[i]));
                raw_call::<i64>(&cif, code, &mut args)
            })
        });
        g.bench_function("typed", |b| {
            b.iter(|| typed.call((black_box(1), 2, 3, 4, 5, 6, 7, 8, 9, 10)))
        });
        g.bench_function("invoke", |b| {
            b.iter(|| {
                dynamic
                    .invoke::<i64>((black_box(1), 2, 3, 4, 5, 6, 7, 8, 9, 10))
                    .ok()
            })
        });
        g.bench_function("dynamic", |b| {
            b.iter(|| {
                look(&dynamic.call(&[
                    Value::from(black_box(1i32)),
                    Value::Int(2),
                    Value::Int(3),
                    Value::Int(4),
                    Value::Int(5),
                    Value::Int(6),
                    Value::Int(7),
                    Value::Int(8),
                    Value::Int(9),
                    Value::Int(10),
                ]))
            })
        });
        g.finish();
    }
}

/// `float compute_mean(float *A, int n)` over an ndarray float32 array.
/// `dynamic` declares `A` as an ndpointer (dtype, ndim, C-contiguous,
/// read-only, and, where C reads the whole array, shape = argument 2),
/// checked at every call; `typed`, bound unchecked (`Library::typed`: a
/// slice's length is the caller's to vouch for), takes the array's slice.
fn arrays(c: &mut Criterion) {
    let lib = library("mean");
    let vector = ndpointer()
        .dtype("float32")
        .ndim(1)
        .flags("C_CONTIGUOUS")
        .read_only();
    let exact = vector.clone().shape([Dim::Arg(2)]).build().unwrap();
    let any_length = vector.build().unwrap();
    let plain = [
        CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(2)),
        CType::Int,
    ];
    // SAFETY: mean.c: `float compute_mean(float *A, int n)` reads n floats of
    // A (not NULL) and writes none. The `any_length` ndpointer states no
    // shape: every call through it passes an array of at least n.
    let (whole, prefix, pointer) = unsafe {
        (
            lib.function("compute_mean", &[exact.into(), CType::Int], CType::Float)
                .unwrap(),
            lib.function(
                "compute_mean",
                &[any_length.into(), CType::Int],
                CType::Float,
            )
            .unwrap(),
            lib.function("compute_mean", &plain, CType::Float).unwrap(),
        )
    };
    assert!(whole.route() == Route::Fast && prefix.route() == Route::Fast);
    // SAFETY: compute_mean as above; every call passes a slice of at least n
    // floats.
    let typed = unsafe { lib.typed::<(&[f32], i32), f32>("compute_mean") }.unwrap();
    // SAFETY: as above.
    let direct: extern "C" fn(*const f32, i32) -> f32 =
        unsafe { std::mem::transmute(pointer.as_ptr()) };
    let code = CodePtr::from_ptr(pointer.as_ptr());
    let cif = Cif::new([Type::pointer(), Type::i32()], Type::f32());

    let small = Array1::<f32>::ones(16);
    let large = Array1::<f32>::ones(100_000_000);
    // (group, array, floats C reads, the dynamic binding)
    let cases = [
        ("compute_mean(16)", &small, 16, &whole),
        ("compute_mean(100M)", &large, large.len(), &whole),
        ("compute_mean(100M, C reads 16)", &large, 16, &prefix),
    ];
    for (name, a, n, dynamic) in cases {
        let n = n as i32;
        let slice = a.as_slice().unwrap();
        let want = direct(slice.as_ptr(), n);
        assert_eq!(
            dynamic.call(&[a.into(), n.into()]).unwrap(),
            Value::Float(want as f64)
        );
        let mut g = group(c, name);
        if a.len() > 1000 && n > 1000 {
            // Tens of milliseconds a call: a few calls per sample.
            g.sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .measurement_time(Duration::from_secs(2));
        }
        g.bench_function("direct", |b| {
            b.iter(|| black_box(direct)(black_box(slice).as_ptr(), n))
        });
        g.bench_function("libffi", |b| {
            b.iter(|| {
                let (mut p, mut n) = (black_box(slice).as_ptr(), n);
                raw_call::<f32>(&cif, code, &mut [ptr(&mut p), ptr(&mut n)])
            })
        });
        g.bench_function("typed", |b| b.iter(|| typed.call((black_box(slice), n))));
        g.bench_function("invoke", |b| {
            b.iter(|| dynamic.invoke::<f32>((black_box(a), n)).ok())
        });
        g.bench_function("dynamic", |b| {
            b.iter(|| look(&dynamic.call(&[black_box(a).into(), n.into()])))
        });
        if a.len() == 16 {
            // The same slice to the plain `const float *` of n floats.
            g.bench_function("invoke_slice", |b| {
                b.iter(|| pointer.invoke::<f32>((black_box(slice), n)).ok())
            });
            g.bench_function("dynamic_slice", |b| {
                b.iter(|| look(&pointer.call(&[black_box(slice).into(), n.into()])))
            });
        }
        g.finish();
    }
}

/// Calls per iteration of the callback benchmarks.
const N: i32 = 1000;

/// The raw libffi closure's handler: no state, no checks.
unsafe extern "C" fn raw_add(
    _cif: &ffi_cif,
    result: &mut ffi_arg,
    args: *const *const c_void,
    _: &(),
) {
    // SAFETY: libffi passes two pointers to ints, as the cif says.
    let (a, b) = unsafe { (*(*args as *const i32), *(*args.add(1) as *const i32)) };
    *result = (a + b) as ffi_arg;
}

/// A callback round trip: C's `fold_calls(op, N)` calls `op(i, 1)` N times,
/// with `op` a C function (the floor), a raw libffi closure, and rctypes'
/// typed (capturing nothing, and capturing) and dynamic callbacks.
fn callbacks(c: &mut Criterion) {
    let lib = library("callback");
    // SAFETY: callback.c: `long long fold_calls(int (*op)(int, int), int n)`
    // calls op n times during the call only; every pointer passed below is
    // a live function of op's signature.
    let fold: TypedCFunc<(RawPtr, i32), i64> = unsafe { lib.typed("fold_calls") }.unwrap();
    let want = N as i64 * (N as i64 + 1) / 2;

    // SAFETY: the address of `int c_add(int, int)` in the loaded library.
    let c_add = unsafe { RawPtr::new(lib.symbol_address("c_add").unwrap()) }.unwrap();

    let mut cif: ffi_cif = Default::default();
    let mut arg_types = [&raw mut low::types::sint32, &raw mut low::types::sint32];
    let (closure, code) = low::closure_alloc();
    // SAFETY: the cif describes int(int, int); it, the arg types and the
    // userdata outlive the closure, which is freed at the end.
    unsafe {
        low::prep_cif(
            &mut cif,
            low::ffi_abi_FFI_DEFAULT_ABI,
            2,
            &raw mut low::types::sint32,
            arg_types.as_mut_ptr(),
        )
        .unwrap();
        low::prep_closure(
            closure,
            &mut cif,
            raw_add,
            &(),
            low::CodePtr(code.as_mut_ptr()),
        )
        .unwrap();
    }
    // SAFETY: the closure's code pointer, live until closure_free below.
    let raw = unsafe { RawPtr::new(code.as_mut_ptr()) }.unwrap();

    let typed = Callback::typed(|a: i32, b: i32| a + b).unwrap();
    let offset = black_box(0);
    let capturing = Callback::typed(move |a: i32, b: i32| a + b + offset).unwrap();
    // The capturing one enters through its own entry where code is made.
    let entry = rctypes::Route::Compiled.is_available();
    assert!(typed.is_direct() && capturing.is_direct() == entry);
    let dynamic = Callback::new(
        Signature::new([CType::Int, CType::Int], CType::Int),
        |args: &[Value]| match args {
            [Value::Int(a), Value::Int(b)] => Value::Int(a + b),
            _ => Value::Void,
        },
    )
    .unwrap();
    let pointer = |cb: &Callback| {
        // SAFETY: the callback's code pointer, live for the whole benchmark.
        unsafe { RawPtr::new(cb.code_ptr() as *mut c_void) }.unwrap()
    };

    let mut g = group(c, "callback");
    for (name, op) in [
        ("direct", c_add),
        ("libffi", raw),
        ("typed", pointer(&typed)),
        ("typed_capturing", pointer(&capturing)),
        ("dynamic", pointer(&dynamic)),
    ] {
        assert_eq!(fold.call((op, N)), want, "{name}");
        g.bench_function(name, |b| {
            b.iter(|| fold.call((black_box(op), black_box(N))))
        });
    }
    g.finish();
    drop((typed, capturing, dynamic));
    // SAFETY: allocated above, no longer called.
    unsafe { low::closure_free(closure) };
}

c_struct! {
    struct IntPair { a: i32, b: i32 }
}

/// A struct by value: `int sum_int_pair(IntPair p)` of `csrc/structs.c`
/// (two ints in one register). The dynamic call lends a `c_struct!` value
/// by reference, which passes its bytes with no copy.
fn structs(c: &mut Criterion) {
    let lib = library("structs");
    let declared = CType::Struct(IntPair::layout().clone());
    // SAFETY: structs.h: `int sum_int_pair(IntPair p)`.
    let dynamic = unsafe { lib.function("sum_int_pair", &[declared], CType::Int) }.unwrap();
    let typed: TypedCFunc<(IntPair,), i32> = dynamic.typed().unwrap();
    // SAFETY: as above; IntPair has C's layout.
    let direct: extern "C" fn(IntPair) -> i32 = unsafe { std::mem::transmute(dynamic.as_ptr()) };
    let code = CodePtr::from_ptr(dynamic.as_ptr());
    let cif = Cif::new([Type::structure([Type::i32(), Type::i32()])], Type::i32());
    let p = IntPair { a: 3, b: 4 };
    let want = direct(p);
    assert_eq!(
        dynamic.call(&[(&p).into()]).unwrap(),
        Value::Int(want.into())
    );
    assert_eq!(typed.call((p,)), want);
    let mut g = group(c, "struct_by_value");
    g.bench_function("direct", |b| b.iter(|| black_box(direct)(black_box(p))));
    g.bench_function("libffi", |b| {
        b.iter(|| {
            let mut q = black_box(p);
            raw_call::<u64>(&cif, code, &mut [ptr(&mut q)]) as i32
        })
    });
    g.bench_function("typed", |b| b.iter(|| typed.call((black_box(p),))));
    g.bench_function("invoke", |b| {
        b.iter(|| dynamic.invoke::<i32>((black_box(p),)).ok())
    });
    g.bench_function("dynamic", |b| {
        b.iter(|| look(&dynamic.call(&[black_box(&p).into()])))
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().without_plots().configure_from_args();
    scalars(&mut c);
    arrays(&mut c);
    callbacks(&mut c);
    structs(&mut c);
    c.final_summary();

    let mut unwrap = Row::new("`void noop(void)`, result unwrapped", "noop");
    unwrap.variants = [None, None, None, None, Some("dynamic_unwrap")];
    let mut program = Row::new("`int add(int, int)`, fast path's program", "int(int,int)");
    program.variants = [None, None, None, None, Some("dynamic_program")];
    let mut registers = Row::new("`int add(int, int)`, register route", "int(int,int)");
    registers.variants = [None, None, None, None, Some("dynamic_registers")];
    let mut to = Row::new(
        "`int add(int, int)`, `call(..)?.to::<i32>()`",
        "int(int,int)",
    );
    to.variants = [None, None, None, None, Some("dynamic_to")];
    let mut slice = Row::new(
        "`compute_mean`, 16 floats (plain `const float *`, a slice)",
        "compute_mean(16)",
    );
    slice.variants[3] = Some("invoke_slice");
    slice.variants[4] = Some("dynamic_slice");
    let mut callback = Row::new("callback round trip", "callback");
    callback.calls = N as f64;
    let mut capturing = Row::new("callback round trip, capturing closure", "callback");
    capturing.variants[2] = Some("typed_capturing");
    capturing.variants[3] = None;
    capturing.variants[4] = None;
    capturing.calls = N as f64;
    let rows = [
        Row::new("`void noop(void)`", "noop"),
        unwrap,
        Row::new("`int add(int, int)`", "int(int,int)"),
        to,
        program,
        registers,
        Row::new("`double add(double, double)`", "double(double,double)"),
        Row::new("6 mixed int/float arguments", "mixed6"),
        Row::new("10 ints, 4 on the stack", "spill10"),
        Row::new("`compute_mean`, 16 floats (ndpointer)", "compute_mean(16)"),
        slice,
        Row::new(
            "`compute_mean`, 10^8 floats (ndpointer)",
            "compute_mean(100M)",
        ),
        Row::new(
            "`compute_mean`, 10^8-float array, C reads 16",
            "compute_mean(100M, C reads 16)",
        ),
        callback,
        capturing,
        Row::new("struct by value (`int sum(IntPair)`)", "struct_by_value"),
    ];
    ratios::print_table(&rows);

    // What the ndpointer checks add, whatever the array's size.
    let overhead = |group| {
        let row = Row::new("", group);
        Some(row.ns(4)? - row.ns(0)?)
    };
    if let (Some(small), Some(large)) = (
        overhead("compute_mean(16)"),
        overhead("compute_mean(100M, C reads 16)"),
    ) {
        println!(
            "\nndpointer call overhead (dynamic - direct): {small:.1} ns with 16 elements, \
             {large:.1} ns with 100,000,000"
        );
    }
}
