//! Callback round trip: C's `fold_calls(op, N)` calls `op` N times. The same
//! outer call is measured with `op` being a C function (the floor), a raw
//! libffi closure, and rctypes' typed and dynamic callbacks. Divide the time
//! by N for the cost of one invocation.
//!
//! Run with `cargo bench --bench callbacks`.

use std::ffi::c_void;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use libffi::low::{self, CodePtr, ffi_cif};
use libffi::raw::ffi_arg;
use rctypes::{CType, Callback, RawPtr, Signature, TypedCFunc, Value};

/// Calls per measured iteration.
const N: i32 = 10_000;

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

fn bench(c: &mut Criterion) {
    // SAFETY: our own callback library, with no initialisers.
    let lib = unsafe { rctypes::load_library("callback", env!("RCTYPES_CSRC_DIR")) }.unwrap();
    // SAFETY: `long long fold_calls(int (*op)(int, int), int n)`; every
    // pointer passed below is a live function of that signature.
    let fold: TypedCFunc<(RawPtr, i32), i64> = unsafe { lib.typed("fold_calls") }.unwrap();
    let want = N as i64 * (N as i64 + 1) / 2;

    // The floor: a C function pointer to a C function.
    // SAFETY: the address of `int c_add(int, int)` in the loaded library.
    let c_add = unsafe { RawPtr::new(lib.symbol_address("c_add").unwrap()) }.unwrap();

    // A raw libffi closure around a stateless handler.
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
        low::prep_closure(closure, &mut cif, raw_add, &(), CodePtr(code.as_mut_ptr())).unwrap();
    }
    // SAFETY: the closure's code pointer, live until closure_free below.
    let raw = unsafe { RawPtr::new(code.as_mut_ptr()) }.unwrap();

    let typed = Callback::typed(|a: i32, b: i32| a + b).unwrap();
    let dynamic = Callback::new(
        Signature::new([CType::Int, CType::Int], CType::Int),
        |args: &[Value]| match args {
            [Value::Int(a), Value::Int(b)] => Value::Int(a + b),
            _ => Value::Void,
        },
    )
    .unwrap();
    // SAFETY: the callbacks' code pointers, live for the whole benchmark.
    let (typed_ptr, dynamic_ptr) = unsafe {
        (
            RawPtr::new(typed.code_ptr() as *mut c_void).unwrap(),
            RawPtr::new(dynamic.code_ptr() as *mut c_void).unwrap(),
        )
    };

    let mut group = c.benchmark_group("callback_round_trip");
    group.throughput(Throughput::Elements(N as u64));
    for (name, op) in [
        ("c_function_pointer", c_add),
        ("raw_libffi_closure", raw),
        ("rctypes_typed", typed_ptr),
        ("rctypes_dynamic", dynamic_ptr),
    ] {
        assert_eq!(fold.call((op, N)), want, "{name}");
        group.bench_function(name, |b| {
            b.iter(|| fold.call((black_box(op), black_box(N))))
        });
    }
    group.finish();
    drop((typed, dynamic));
    // SAFETY: allocated above, no longer called.
    unsafe { low::closure_free(closure) };
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = bench
}
criterion_main!(benches);
