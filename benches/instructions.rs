//! Instructions per call, counted by callgrind: repeatable to the
//! instruction on a shared machine, where wall-clock times are not.
//!
//! ```text
//! cargo bench --bench instructions               # print the table
//! cargo bench --bench instructions -- --check    # and fail on a rise
//! cargo bench --bench instructions -- --record   # rewrite the figures
//! cargo bench --bench instructions -- --only rows # rows whose label has "rows"
//! ```
//!
//! Each cell runs this program again under `valgrind --tool=callgrind`,
//! with collection switched on only inside two measuring functions: one
//! makes N1 calls, the other N2, after a warm-up outside both. A call's
//! cost is `(Ir(N2) − Ir(N1)) / (N2 − N1)`: the loop's set-up and the
//! warm-up cancel out, the loop's own few instructions per turn stay in.
//!
//! Columns: `direct` (a Rust `extern "C"` function pointer: the floor),
//! `libffi` (raw `ffi_call` on a cif prepared once), `typed`
//! (`TypedCFunc::call`), `invoke` (`CFunc::invoke`: a tuple of Rust values
//! in, the Rust type asked for out, as the README's first call),
//! `dynamic` (`CFunc::call` on a slice of `Value`s, the result read as a
//! user writes it: `call(..)?.to::<T>()?`; both take the result as `?`
//! does, with `.ok()`) and `in place` (the same call
//! with its `Result<Value>` looked at where it was left). The last column
//! is the layer's own cost: `invoke` (or, where a row has none, `dynamic`)
//! less `direct`. `--check`
//! compares the rctypes columns with `benches/instructions.txt` and fails
//! when one rose by more than 2% plus 2 instructions.

use std::collections::BTreeMap;
use std::ffi::{CStr, c_void};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use libffi::low::{self, ffi_cif};
use libffi::middle::{Cif, CodePtr, Type};
use libffi::raw::ffi_arg;
use ndarray::{Array1, Array2};
use rctypes::{
    CFunc, CStruct, CType, Callback, Dim, Extent, Library, RawPtr, RowPointers, Signature,
    TypedCFunc, Value, c_struct, ndpointer,
};

mod raw;

use raw::{library, ptr, raw_call};

/// Calls the measuring functions make.
const N1: u64 = 1_000;
const N2: u64 = 11_000;
/// Calls C makes back per callback call (`fold_calls(op, CALLBACKS)`).
const CALLBACKS: i32 = 100;
/// A recorded figure may rise this much before `--check` fails.
const MARGIN: f64 = 0.02;
const SLACK: f64 = 2.0;

const COLUMNS: [&str; 6] = ["direct", "libffi", "typed", "invoke", "dynamic", "in place"];
/// The columns `--check` holds to their recorded figures: rctypes' own.
const CHECKED: [&str; 4] = ["typed", "invoke", "dynamic", "in place"];

/// One cell's loop: makes `n` calls (for a callback row, `n` calls of a C
/// function that calls back `CALLBACKS` times).
type Body = Box<dyn FnMut(u64)>;

/// A row: its label and, per column, the loop measured there.
struct Row {
    label: &'static str,
    /// C→Rust calls one call makes, to report per callback call.
    per_call: f64,
    cells: Vec<(&'static str, Body)>,
}

/// A loop of `n` turns of `f`, its result kept from the optimiser.
fn body<R>(mut f: impl FnMut() -> R + 'static) -> Body {
    Box::new(move |n| {
        for _ in 0..n {
            black_box(f());
        }
    })
}

/// A loop of `n` turns of `f`, its result taken as `?` takes it: the
/// value, or the error handed on (here, dropped), never moved whole.
fn user<T: 'static>(mut f: impl FnMut() -> rctypes::Result<T> + 'static) -> Body {
    body(move || f().ok())
}

/// `f` bound with its signature, and its address for the direct and
/// libffi columns.
fn bind(lib: &Library, name: &str, args: &[CType], ret: CType) -> (CFunc, CodePtr) {
    // SAFETY: each function below is bound with its C signature, and every
    // pointer parameter with the extent C reads.
    let f = unsafe { lib.function(name, args, ret) }.unwrap_or_else(|e| panic!("{e}"));
    let code = CodePtr::from_ptr(f.as_ptr());
    (f, code)
}

/// # Safety
/// `F` is the function pointer type of `f`'s C signature.
unsafe fn direct<F: Copy>(f: &CFunc) -> F {
    assert_eq!(size_of::<F>(), size_of::<*const c_void>());
    // SAFETY: the caller's promise.
    unsafe { std::mem::transmute_copy(&f.as_ptr()) }
}

fn scalars(rows: &mut Vec<Row>) {
    let lib = library("abi");

    let (noop, code) = bind(&lib, "noop", &[], CType::Void);
    // SAFETY: `void noop(void)`.
    let d: extern "C" fn() = unsafe { direct(&noop) };
    let cif = Cif::new(Vec::<Type>::new(), Type::void());
    let typed: TypedCFunc<(), ()> = noop.typed().unwrap();
    let invoked = noop.clone();
    let in_place = noop.clone();
    rows.push(Row {
        label: "void noop(void)",
        per_call: 1.0,
        cells: vec![
            ("direct", body(move || black_box(d)())),
            ("libffi", body(move || raw_call::<u64>(&cif, code, &mut []))),
            ("typed", body(move || typed.call(()))),
            ("invoke", user(move || invoked.invoke::<()>(()))),
            (
                "dynamic",
                user(move || -> rctypes::Result<()> {
                    noop.call(black_box(&[]))?;
                    Ok(())
                }),
            ),
            (
                "in place",
                body(move || black_box(&in_place.call(black_box(&[]))).is_ok()),
            ),
        ],
    });

    let (add, code) = bind(&lib, "add_int", &[CType::Int, CType::Int], CType::Int);
    // SAFETY: `int add_int(int, int)`.
    let d: extern "C" fn(i32, i32) -> i32 = unsafe { direct(&add) };
    let cif = Cif::new([Type::i32(), Type::i32()], Type::i32());
    let typed: TypedCFunc<(i32, i32), i32> = add.typed().unwrap();
    let invoked = add.clone();
    let in_place = add.clone();
    rows.push(Row {
        label: "int add_int(int, int)",
        per_call: 1.0,
        cells: vec![
            (
                "direct",
                body(move || black_box(d)(black_box(3), black_box(4))),
            ),
            (
                "libffi",
                body(move || {
                    let (mut x, mut y) = (black_box(3i32), black_box(4i32));
                    raw_call::<u64>(&cif, code, &mut [ptr(&mut x), ptr(&mut y)]) as i32
                }),
            ),
            (
                "typed",
                body(move || typed.call((black_box(3), black_box(4)))),
            ),
            (
                "invoke",
                user(move || invoked.invoke::<i32>((black_box(3), black_box(4)))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<i32> {
                    add.call(&[black_box(3).into(), black_box(4).into()])?
                        .to::<i32>()
                }),
            ),
            (
                "in place",
                body(move || {
                    black_box(&in_place.call(&[black_box(3).into(), black_box(4).into()])).is_ok()
                }),
            ),
        ],
    });

    let (add, code) = bind(
        &lib,
        "add_double",
        &[CType::Double, CType::Double],
        CType::Double,
    );
    // SAFETY: `double add_double(double, double)`.
    let d: extern "C" fn(f64, f64) -> f64 = unsafe { direct(&add) };
    let cif = Cif::new([Type::f64(), Type::f64()], Type::f64());
    let typed: TypedCFunc<(f64, f64), f64> = add.typed().unwrap();
    let invoked = add.clone();
    let in_place = add.clone();
    rows.push(Row {
        label: "double add_double(double, double)",
        per_call: 1.0,
        cells: vec![
            (
                "direct",
                body(move || black_box(d)(black_box(0.5), black_box(1.5))),
            ),
            (
                "libffi",
                body(move || {
                    let (mut x, mut y) = (black_box(0.5f64), black_box(1.5f64));
                    raw_call::<f64>(&cif, code, &mut [ptr(&mut x), ptr(&mut y)])
                }),
            ),
            (
                "typed",
                body(move || typed.call((black_box(0.5), black_box(1.5)))),
            ),
            (
                "invoke",
                user(move || invoked.invoke::<f64>((black_box(0.5), black_box(1.5)))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<f64> {
                    add.call(&[black_box(0.5).into(), black_box(1.5).into()])?
                        .to::<f64>()
                }),
            ),
            (
                "in place",
                body(move || {
                    black_box(&in_place.call(&[black_box(0.5).into(), black_box(1.5).into()]))
                        .is_ok()
                }),
            ),
        ],
    });

    let sig = [
        CType::Int,
        CType::Double,
        CType::Long,
        CType::Float,
        CType::Short,
        CType::Double,
    ];
    let (mixed, code) = bind(&lib, "mixed6", &sig, CType::Double);
    // SAFETY: mixed6's signature, with long as i64 (64-bit Unix).
    let d: extern "C" fn(i32, f64, i64, f32, i16, f64) -> f64 = unsafe { direct(&mixed) };
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
    let typed: TypedCFunc<(i32, f64, i64, f32, i16, f64), f64> = mixed.typed().unwrap();
    let invoked = mixed.clone();
    let in_place = mixed.clone();
    let args = || -> [Value<'static>; 6] {
        [
            black_box(1i32).into(),
            2.0.into(),
            black_box(3i64).into(),
            4.0f32.into(),
            black_box(5i16).into(),
            6.0.into(),
        ]
    };
    rows.push(Row {
        label: "double mixed6(int, double, long, float, short, double)",
        per_call: 1.0,
        cells: vec![
            (
                "direct",
                body(move || black_box(d)(black_box(1), 2.0, black_box(3), 4.0, black_box(5), 6.0)),
            ),
            (
                "libffi",
                body(move || {
                    let (mut a, mut b, mut c) = (black_box(1i32), 2.0f64, black_box(3i64));
                    let (mut e, mut f, mut g) = (4.0f32, black_box(5i16), 6.0f64);
                    let mut args = [
                        ptr(&mut a),
                        ptr(&mut b),
                        ptr(&mut c),
                        ptr(&mut e),
                        ptr(&mut f),
                        ptr(&mut g),
                    ];
                    raw_call::<f64>(&cif, code, &mut args)
                }),
            ),
            (
                "typed",
                body(move || typed.call((black_box(1), 2.0, black_box(3), 4.0, black_box(5), 6.0))),
            ),
            (
                "invoke",
                user(move || {
                    invoked.invoke::<f64>((
                        black_box(1),
                        2.0,
                        black_box(3i64),
                        4.0f32,
                        black_box(5i16),
                        6.0,
                    ))
                }),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<f64> { mixed.call(&args())?.to::<f64>() }),
            ),
            (
                "in place",
                body(move || black_box(&in_place.call(&args())).is_ok()),
            ),
        ],
    });
}

fn stack_arguments(rows: &mut Vec<Row>) {
    let lib = library("abi");

    let (seven, code) = bind(
        &lib,
        "seven_longs",
        &[const { CType::Long }; 7],
        CType::Long,
    );
    // SAFETY: seven_longs' signature, with long as i64 (64-bit Unix).
    let d: extern "C" fn(i64, i64, i64, i64, i64, i64, i64) -> i64 = unsafe { direct(&seven) };
    let cif = Cif::new(vec![Type::i64(); 7], Type::i64());
    type Seven = (i64, i64, i64, i64, i64, i64, i64);
    let typed: TypedCFunc<Seven, i64> = seven.typed().unwrap();
    let invoked = seven.clone();
    let in_place = seven.clone();
    let args =
        || -> [Value<'static>; 7] { std::array::from_fn(|i| black_box(i as i64 + 1).into()) };
    rows.push(Row {
        label: "long seven_longs(long × 7): one on the stack",
        per_call: 1.0,
        cells: vec![
            (
                "direct",
                body(move || black_box(d)(black_box(1), 2, 3, 4, 5, 6, 7)),
            ),
            (
                "libffi",
                body(move || {
                    let mut x: [i64; 7] = black_box([1, 2, 3, 4, 5, 6, 7]);
                    let mut args: [*mut c_void; 7] = std::array::from_fn(|i| ptr(&mut x[i]));
                    raw_call::<i64>(&cif, code, &mut args)
                }),
            ),
            (
                "typed",
                body(move || typed.call((black_box(1), 2, 3, 4, 5, 6, 7))),
            ),
            (
                "invoke",
                user(move || {
                    invoked.invoke::<i64>((black_box(1i64), 2i64, 3i64, 4i64, 5i64, 6i64, 7i64))
                }),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<i64> { seven.call(&args())?.to::<i64>() }),
            ),
            (
                "in place",
                body(move || black_box(&in_place.call(&args())).is_ok()),
            ),
        ],
    });

    let (spill, code) = bind(
        &lib,
        "spill10",
        &[const { CType::Int }; 10],
        CType::LongLong,
    );
    type Spill10 = extern "C" fn(i32, i32, i32, i32, i32, i32, i32, i32, i32, i32) -> i64;
    // SAFETY: spill10's signature.
    let d: Spill10 = unsafe { direct(&spill) };
    let cif = Cif::new(vec![Type::i32(); 10], Type::i64());
    type Ten = (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32);
    let typed: TypedCFunc<Ten, i64> = spill.typed().unwrap();
    let invoked = spill.clone();
    let in_place = spill.clone();
    let args =
        || -> [Value<'static>; 10] { std::array::from_fn(|i| black_box(i as i32 + 1).into()) };
    rows.push(Row {
        label: "long long spill10(int × 10): four on the stack",
        per_call: 1.0,
        cells: vec![
            (
                "direct",
                body(move || black_box(d)(black_box(1), 2, 3, 4, 5, 6, 7, 8, 9, 10)),
            ),
            (
                "libffi",
                body(move || {
                    let mut x: [i32; 10] = black_box([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
                    let mut args: [*mut c_void; 10] = std::array::from_fn(|i| ptr(&mut x[i]));
                    raw_call::<i64>(&cif, code, &mut args)
                }),
            ),
            (
                "typed",
                body(move || typed.call((black_box(1), 2, 3, 4, 5, 6, 7, 8, 9, 10))),
            ),
            (
                "invoke",
                user(move || invoked.invoke::<i64>((black_box(1), 2, 3, 4, 5, 6, 7, 8, 9, 10))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<i64> { spill.call(&args())?.to::<i64>() }),
            ),
            (
                "in place",
                body(move || black_box(&in_place.call(&args())).is_ok()),
            ),
        ],
    });
}

c_struct! {
    struct IntPair { a: i32, b: i32 }
}

c_struct! {
    struct Vec3 { x: f64, y: f64, z: f64 }
}

fn structs(rows: &mut Vec<Row>) {
    let lib = library("structs");

    let pair = CType::Struct(IntPair::layout().clone());
    let (sum, code) = bind(&lib, "sum_int_pair", &[pair], CType::Int);
    // SAFETY: `int sum_int_pair(IntPair p)`; IntPair has C's layout.
    let d: extern "C" fn(IntPair) -> i32 = unsafe { direct(&sum) };
    let cif = Cif::new([Type::structure([Type::i32(), Type::i32()])], Type::i32());
    let typed: TypedCFunc<(IntPair,), i32> = sum.typed().unwrap();
    let invoked = sum.clone();
    let in_place = sum.clone();
    let p = IntPair { a: 3, b: 4 };
    rows.push(Row {
        label: "int sum_int_pair(IntPair): 8 bytes by value",
        per_call: 1.0,
        cells: vec![
            ("direct", body(move || black_box(d)(black_box(p)))),
            (
                "libffi",
                body(move || {
                    let mut q = black_box(p);
                    raw_call::<u64>(&cif, code, &mut [ptr(&mut q)]) as i32
                }),
            ),
            ("typed", body(move || typed.call((black_box(p),)))),
            (
                "invoke",
                user(move || invoked.invoke::<i32>((black_box(p),))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<i32> {
                    sum.call(&[black_box(&p).into()])?.to::<i32>()
                }),
            ),
            (
                "in place",
                body(move || black_box(&in_place.call(&[black_box(&p).into()])).is_ok()),
            ),
        ],
    });

    let vec3 = CType::Struct(Vec3::layout().clone());
    let (dot, code) = bind(&lib, "dot_vec3", &[vec3.clone(), vec3], CType::Double);
    // SAFETY: `double dot_vec3(Vec3 a, Vec3 b)`; Vec3 has C's layout.
    let d: extern "C" fn(Vec3, Vec3) -> f64 = unsafe { direct(&dot) };
    let v3 = || Type::structure([Type::f64(), Type::f64(), Type::f64()]);
    let cif = Cif::new([v3(), v3()], Type::f64());
    let typed: TypedCFunc<(Vec3, Vec3), f64> = dot.typed().unwrap();
    let invoked = dot.clone();
    let in_place = dot.clone();
    let (a, b) = (
        Vec3 {
            x: 1.0,
            y: 2.0,
            z: 3.0,
        },
        Vec3 {
            x: 4.0,
            y: 5.0,
            z: 6.0,
        },
    );
    rows.push(Row {
        label: "double dot_vec3(Vec3, Vec3): two of 24 bytes by value",
        per_call: 1.0,
        cells: vec![
            ("direct", body(move || black_box(d)(black_box(a), b))),
            (
                "libffi",
                body(move || {
                    let (mut x, mut y) = (black_box(a), b);
                    raw_call::<f64>(&cif, code, &mut [ptr(&mut x), ptr(&mut y)])
                }),
            ),
            ("typed", body(move || typed.call((black_box(a), b)))),
            (
                "invoke",
                user(move || invoked.invoke::<f64>((black_box(a), b))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<f64> {
                    dot.call(&[black_box(&a).into(), (&b).into()])?.to::<f64>()
                }),
            ),
            (
                "in place",
                body(move || {
                    black_box(&in_place.call(&[black_box(&a).into(), (&b).into()])).is_ok()
                }),
            ),
        ],
    });
}

fn arrays(rows: &mut Vec<Row>) {
    let lib = library("mean");
    let plain = [
        CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(2)),
        CType::Int,
    ];
    let (mean, code) = bind(&lib, "compute_mean", &plain, CType::Float);
    let checked = ndpointer()
        .dtype("float32")
        .ndim(1)
        .flags("C_CONTIGUOUS")
        .read_only()
        .shape([Dim::Arg(2)])
        .build()
        .unwrap();
    let (nd, _) = bind(
        &lib,
        "compute_mean",
        &[checked.into(), CType::Int],
        CType::Float,
    );
    // SAFETY: `float compute_mean(float *A, int n)` reads n floats of A.
    let d: extern "C" fn(*const f32, i32) -> f32 = unsafe { direct(&mean) };
    let cif = Cif::new([Type::pointer(), Type::i32()], Type::f32());
    // SAFETY: as above; every call passes a slice of n floats.
    let typed = unsafe { lib.typed::<(&[f32], i32), f32>("compute_mean") }.unwrap();
    let data: &'static Array1<f32> = Box::leak(Box::new(Array1::ones(16)));
    let slice: &'static [f32] = data.as_slice().unwrap();
    let (invoked, in_place) = (mean.clone(), mean.clone());
    rows.push(Row {
        label: "float compute_mean(const float *, int): 16 floats",
        per_call: 1.0,
        cells: vec![
            (
                "direct",
                body(move || black_box(d)(black_box(slice).as_ptr(), 16)),
            ),
            (
                "libffi",
                body(move || {
                    let (mut p, mut n) = (black_box(slice).as_ptr(), 16i32);
                    raw_call::<f32>(&cif, code, &mut [ptr(&mut p), ptr(&mut n)])
                }),
            ),
            ("typed", body(move || typed.call((black_box(slice), 16)))),
            (
                "invoke",
                user(move || invoked.invoke::<f32>((black_box(slice), 16))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<f32> {
                    mean.call(&[black_box(slice).into(), 16.into()])?
                        .to::<f32>()
                }),
            ),
            (
                "in place",
                body(move || {
                    black_box(&in_place.call(&[black_box(slice).into(), 16.into()])).is_ok()
                }),
            ),
        ],
    });
    // The same lent for C to write: `&mut`.
    let writes = [
        CType::pointer(CType::Float).extent(Extent::ElementsFromArg(2)),
        CType::Int,
        CType::Float,
    ];
    let (scale, _) = bind(&lib, "scale_floats", &writes, CType::Void);
    // SAFETY: `void scale_floats(float *A, int n, float factor)` reads and
    // writes n floats of A.
    let d: extern "C" fn(*mut f32, i32, f32) = unsafe { direct(&scale) };
    let buffer = || -> &'static mut [f32] { Box::leak(vec![1.0f32; 16].into_boxed_slice()) };
    let (direct_buf, invoke_buf, call_buf) = (buffer(), buffer(), buffer());
    let invoked = scale.clone();
    rows.push(Row {
        label: "void scale_floats(float *, int, float): 16 floats from &mut [f32]",
        per_call: 1.0,
        cells: vec![
            (
                "direct",
                body(move || black_box(d)(black_box(&mut *direct_buf).as_mut_ptr(), 16, 1.0)),
            ),
            (
                "invoke",
                user(move || invoked.invoke::<()>((black_box(&mut *invoke_buf), 16, 1.0f32))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<()> {
                    scale.call(&[black_box(&mut *call_buf).into(), 16.into(), 1.0f32.into()])?;
                    Ok(())
                }),
            ),
        ],
    });
    // An ndpointer that checks nothing but that C only reads: the
    // difference is what the other checks cost.
    let (unchecked, _) = bind(
        &lib,
        "compute_mean",
        &[ndpointer().read_only().build().unwrap().into(), CType::Int],
        CType::Float,
    );
    let (invoked, in_place) = (nd.clone(), nd.clone());
    rows.push(Row {
        label: "the same through an ndpointer (dtype, ndim, flags, shape)",
        per_call: 1.0,
        cells: vec![
            (
                "invoke",
                user(move || invoked.invoke::<f32>((black_box(data), 16))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<f32> {
                    nd.call(&[black_box(data).into(), 16.into()])?.to::<f32>()
                }),
            ),
            (
                "in place",
                body(move || {
                    black_box(&in_place.call(&[black_box(data).into(), 16.into()])).is_ok()
                }),
            ),
        ],
    });
    rows.push(Row {
        label: "the same through an ndpointer that checks only that C reads",
        per_call: 1.0,
        cells: vec![(
            "invoke",
            user(move || unchecked.invoke::<f32>((black_box(data), 16))),
        )],
    });

    let lib = library("rows");
    let cols = Extent::ElementsFromArg(3);
    let const_pp = CType::const_pointer(CType::const_pointer(CType::Float).extent(cols))
        .extent(Extent::ElementsFromArg(2));
    let (sum, code) = bind(
        &lib,
        "rows_sum",
        &[const_pp, CType::Int, CType::Int],
        CType::Float,
    );
    // SAFETY: `float rows_sum(float **data, int len, int ncols)` reads len
    // rows of ncols floats.
    let d: extern "C" fn(*const *const f32, i32, i32) -> f32 = unsafe { direct(&sum) };
    let cif = Cif::new([Type::pointer(), Type::i32(), Type::i32()], Type::f32());
    // SAFETY: as above; every call passes 4 rows of 4 floats.
    let typed = unsafe { lib.typed::<(&RowPointers<f32>, i32, i32), f32>("rows_sum") }.unwrap();
    let matrix: &'static Array2<f32> = Box::leak(Box::new(Array2::ones((4, 4))));
    let rows_of: &'static RowPointers<'static, f32> =
        Box::leak(Box::new(RowPointers::new(matrix.view()).unwrap()));
    let pointers: &'static [*const f32] =
        Box::leak((0..4).map(|i| matrix.row(i).as_ptr()).collect());
    let (invoked, in_place) = (sum.clone(), sum.clone());
    rows.push(Row {
        label: "float rows_sum(float **, int, int): 4 × 4 RowPointers",
        per_call: 1.0,
        cells: vec![
            (
                "direct",
                body(move || black_box(d)(black_box(pointers).as_ptr(), 4, 4)),
            ),
            (
                "libffi",
                body(move || {
                    let (mut p, mut n, mut m) = (black_box(pointers).as_ptr(), 4i32, 4i32);
                    raw_call::<f32>(&cif, code, &mut [ptr(&mut p), ptr(&mut n), ptr(&mut m)])
                }),
            ),
            (
                "typed",
                body(move || typed.call((black_box(rows_of), 4, 4))),
            ),
            (
                "invoke",
                user(move || invoked.invoke::<f32>((black_box(rows_of), 4, 4))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<f32> {
                    sum.call(&[black_box(rows_of).into(), 4.into(), 4.into()])?
                        .to::<f32>()
                }),
            ),
            (
                "in place",
                body(move || {
                    black_box(&in_place.call(&[black_box(rows_of).into(), 4.into(), 4.into()]))
                        .is_ok()
                }),
            ),
        ],
    });
}

fn strings(rows: &mut Vec<Row>) {
    let lib = library("abi");
    let (len, code) = bind(&lib, "str_len", &[CType::CharP], CType::SizeT);
    // SAFETY: `size_t str_len(const char *s)` reads s up to its NUL.
    let d: extern "C" fn(*const std::ffi::c_char) -> usize = unsafe { direct(&len) };
    let cif = Cif::new([Type::pointer()], Type::usize());
    let typed: TypedCFunc<(&CStr,), usize> = len.typed().unwrap();
    // C's strlen costs more or less with the string's place in a 64-byte
    // line: the string sits at the start of one, wherever the build puts
    // it, so that a change elsewhere moves no figure.
    #[repr(C, align(64))]
    struct Line([u8; 24]);
    static TEXT: Line = Line(*b"a string of some length\0");
    let c_text: &'static CStr = CStr::from_bytes_with_nul(&TEXT.0).unwrap();
    let text: &'static str = c_text.to_str().unwrap();
    let (by_cstr, invoked, in_place) = (len.clone(), len.clone(), len.clone());
    rows.push(Row {
        label: "size_t str_len(const char *): from &str (&CStr where typed)",
        per_call: 1.0,
        cells: vec![
            (
                "direct",
                body(move || black_box(d)(black_box(c_text).as_ptr())),
            ),
            (
                "libffi",
                body(move || {
                    let mut p = black_box(c_text).as_ptr();
                    raw_call::<usize>(&cif, code, &mut [ptr(&mut p)])
                }),
            ),
            ("typed", body(move || typed.call((black_box(c_text),)))),
            (
                "invoke",
                user(move || invoked.invoke::<usize>((black_box(text),))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<usize> {
                    len.call(&[black_box(text).into()])?.to::<usize>()
                }),
            ),
            (
                "in place",
                body(move || black_box(&in_place.call(&[black_box(text).into()])).is_ok()),
            ),
        ],
    });
    let (invoked, in_place) = (by_cstr.clone(), by_cstr.clone());
    rows.push(Row {
        label: "the same from &CStr",
        per_call: 1.0,
        cells: vec![
            (
                "invoke",
                user(move || invoked.invoke::<usize>((black_box(c_text),))),
            ),
            (
                "dynamic",
                user(move || -> rctypes::Result<usize> {
                    by_cstr.call(&[black_box(c_text).into()])?.to::<usize>()
                }),
            ),
            (
                "in place",
                body(move || black_box(&in_place.call(&[black_box(c_text).into()])).is_ok()),
            ),
        ],
    });
}

/// The raw libffi closure's handler: no state, no checks.
unsafe extern "C" fn raw_add(
    _: &ffi_cif,
    result: &mut ffi_arg,
    args: *const *const c_void,
    _: &(),
) {
    // SAFETY: libffi passes two pointers to ints, as the cif says.
    let (a, b) = unsafe { (*(*args as *const i32), *(*args.add(1) as *const i32)) };
    *result = (a + b) as ffi_arg;
}

/// A libffi closure for `int(int, int)`, alive for the whole program.
fn raw_closure() -> RawPtr {
    let cif: &'static mut ffi_cif = Box::leak(Box::default());
    let types: &'static mut [*mut low::ffi_type; 2] = Box::leak(Box::new([
        &raw mut low::types::sint32,
        &raw mut low::types::sint32,
    ]));
    let (closure, code) = low::closure_alloc();
    // SAFETY: the cif describes int(int, int); it, the argument types and
    // the userdata live as long as the program, as the closure does.
    unsafe {
        low::prep_cif(
            cif,
            low::ffi_abi_FFI_DEFAULT_ABI,
            2,
            &raw mut low::types::sint32,
            types.as_mut_ptr(),
        )
        .unwrap();
        low::prep_closure(closure, cif, raw_add, &(), low::CodePtr(code.as_mut_ptr())).unwrap();
        RawPtr::new(code.as_mut_ptr()).unwrap()
    }
}

/// Per C→Rust call: C's `fold_calls(op, CALLBACKS)` calls `op(i, 1)`.
fn callbacks(rows: &mut Vec<Row>) {
    let lib = library("callback");
    // SAFETY: callback.c: `long long fold_calls(int (*op)(int, int), int n)`
    // calls op n times during the call only; every pointer passed below is
    // a live function of op's signature.
    let fold: TypedCFunc<(RawPtr, i32), i64> = unsafe { lib.typed("fold_calls") }.unwrap();
    // SAFETY: the address of `int c_add(int, int)` in the loaded library.
    let c_add = unsafe { RawPtr::new(lib.symbol_address("c_add").unwrap()) }.unwrap();
    let typed = Callback::typed(|a: i32, b: i32| a + b).unwrap();
    let offset = black_box(0);
    let capturing = Callback::typed(move |a: i32, b: i32| a + b + offset).unwrap();
    let dynamic = Callback::new(
        Signature::new([CType::Int, CType::Int], CType::Int),
        |args: &[Value]| match args {
            [Value::Int(a), Value::Int(b)] => Value::Int(a + b),
            _ => Value::Void,
        },
    )
    .unwrap();
    let code = |cb: Callback| {
        let cb: &'static Callback = Box::leak(Box::new(cb));
        // SAFETY: the callback's code, alive for the whole program.
        unsafe { RawPtr::new(cb.code_ptr() as *mut c_void) }.unwrap()
    };
    let cell = |op: RawPtr| -> Body {
        let want = CALLBACKS as i64 * (CALLBACKS as i64 + 1) / 2;
        assert_eq!(fold.call((op, CALLBACKS)), want);
        let fold = fold.clone();
        body(move || fold.call((black_box(op), CALLBACKS)))
    };
    rows.push(Row {
        label: "callback int(int, int), per call from C (typed: capturing nothing)",
        per_call: CALLBACKS as f64,
        cells: vec![
            ("direct", cell(c_add)),
            ("libffi", cell(raw_closure())),
            ("typed", cell(code(typed.into_callback()))),
            ("dynamic", cell(code(dynamic))),
        ],
    });
    rows.push(Row {
        label: "the typed callback capturing a value",
        per_call: CALLBACKS as f64,
        cells: vec![("typed", cell(code(capturing.into_callback())))],
    });

    // SAFETY: callback.c: `long long fold_compares(int (*cmp)(const int *,
    // const int *), int n)` calls cmp n times during the call only; every
    // pointer passed below is a live function of cmp's signature.
    let fold: TypedCFunc<(RawPtr, i32), i64> = unsafe { lib.typed("fold_compares") }.unwrap();
    // SAFETY: the address of `int c_compare(const int *, const int *)`.
    let c_compare = unsafe { RawPtr::new(lib.symbol_address("c_compare").unwrap()) }.unwrap();
    let int_p = CType::const_pointer(CType::Int);
    let below = Callback::new(
        Signature::new([int_p.clone(), int_p], CType::Int),
        |_: &[Value]| Value::Int(-1),
    )
    .unwrap();
    let cell = |op: RawPtr| -> Body {
        assert_eq!(fold.call((op, CALLBACKS)), -i64::from(CALLBACKS));
        let fold = fold.clone();
        body(move || fold.call((black_box(op), CALLBACKS)))
    };
    rows.push(Row {
        label: "callback int(const int *, const int *), per call from C (dynamic)",
        per_call: CALLBACKS as f64,
        cells: vec![("direct", cell(c_compare)), ("dynamic", cell(code(below)))],
    });
}

fn all_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    scalars(&mut rows);
    stack_arguments(&mut rows);
    structs(&mut rows);
    arrays(&mut rows);
    strings(&mut rows);
    callbacks(&mut rows);
    rows
}

/// The measuring functions: callgrind collects only inside them, and
/// dumps after the first, so each has its own count. Their bodies differ
/// by a constant, so the linker cannot fold them into one.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn rctypes_instructions_first(body: &mut dyn FnMut(u64), n: u64) {
    black_box(1u8);
    body(n)
}

#[unsafe(no_mangle)]
#[inline(never)]
pub fn rctypes_instructions_second(body: &mut dyn FnMut(u64), n: u64) {
    black_box(2u8);
    body(n)
}

/// Under callgrind: warm up, then make N1 and N2 calls of one cell.
fn child(row: usize, column: &str) {
    let mut rows = all_rows();
    let (_, body) = rows[row]
        .cells
        .iter_mut()
        .find(|(c, _)| *c == column)
        .expect("a measured cell");
    body(N1);
    rctypes_instructions_first(body, N1);
    rctypes_instructions_second(body, N2);
}

/// The instructions one call of a cell costs, from two callgrind parts.
fn measure(exe: &Path, dir: &Path, row: usize, column: &str) -> Result<f64, String> {
    let out = dir.join(format!("callgrind.{row}.{}", column.replace(' ', "_")));
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--quiet",
            "--collect-atstart=no",
            // One pattern: callgrind keeps only the last --toggle-collect.
            "--toggle-collect=rctypes_instructions_*",
            "--dump-after=rctypes_instructions_first",
        ])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args(["--child", &row.to_string(), column])
        .status()
        .map_err(|e| format!("valgrind: {e} (is valgrind installed?)"))?;
    if !status.success() {
        return Err(format!("valgrind on row {row}, {column}: {status}"));
    }
    // Part 1 (`out.1`) holds the first function's count; the final dump
    // (`out`) the second's.
    let total = |path: PathBuf| -> Result<f64, String> {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        text.lines()
            .find_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("totals:"))
            })
            .and_then(|n| n.trim().parse::<f64>().ok())
            .ok_or_else(|| format!("{}: no totals", path.display()))
    };
    let first = total(out.with_extension(format!("{}.1", ext(&out))))?;
    let second = total(out)?;
    Ok((second - first) / (N2 - N1) as f64)
}

fn ext(path: &Path) -> String {
    path.extension().unwrap().to_string_lossy().into_owned()
}

fn recorded_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/instructions.txt")
}

/// `row label<TAB>column<TAB>instructions` lines.
fn read_recorded() -> BTreeMap<(String, String), f64> {
    let text = std::fs::read_to_string(recorded_path()).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (row, col, n) = (f.next()?, f.next()?, f.next()?);
            Some(((row.to_owned(), col.to_owned()), n.trim().parse().ok()?))
        })
        .collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child(args[2].parse().unwrap(), &args[3]);
        return ExitCode::SUCCESS;
    }
    let check = args.iter().any(|a| a == "--check");
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1));
    let record = args.iter().any(|a| a == "--record");
    let exe = std::env::current_exe().unwrap();
    let dir = std::env::temp_dir().join(format!("rctypes-instructions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let rows = all_rows();
    let recorded = read_recorded();
    if check && recorded.is_empty() {
        eprintln!("no figures to check against: run with --record first");
        return ExitCode::FAILURE;
    }
    let mut measured = Vec::new();
    let mut rises = Vec::new();
    println!("instructions per call (callgrind; the direct call is the floor)\n");
    println!("| call | {} | layer |", COLUMNS.join(" | "));
    println!("|---|{}---|", "---|".repeat(COLUMNS.len()));
    for (i, row) in rows.iter().enumerate() {
        if only.is_some_and(|o| !row.label.contains(o.as_str())) {
            continue;
        }
        let mut cells = Vec::new();
        let mut by_column = BTreeMap::new();
        for column in COLUMNS {
            if !row.cells.iter().any(|(c, _)| *c == column) {
                cells.push("—".to_owned());
                continue;
            }
            let per_call = match measure(&exe, &dir, i, column) {
                Ok(n) => n / row.per_call,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            by_column.insert(column, per_call);
            measured.push((row.label, column, per_call));
            cells.push(format!("{per_call:.0}"));
            if let Some(&was) = recorded.get(&(row.label.to_owned(), column.to_owned()))
                && CHECKED.contains(&column)
                && per_call > was * (1.0 + MARGIN) + SLACK
            {
                rises.push(format!(
                    "{}, {column}: {per_call:.1} (recorded {was:.1})",
                    row.label
                ));
            }
        }
        let user = by_column.get("invoke").or(by_column.get("dynamic"));
        let own = match (user, by_column.get("direct")) {
            (Some(d), Some(floor)) => format!("{:.0}", d - floor),
            _ => "—".to_owned(),
        };
        println!("| {} | {} | {own} |", row.label, cells.join(" | "));
    }
    let _ = std::fs::remove_dir_all(&dir);

    if record && only.is_some() {
        eprintln!("--record writes every row: run it without --only");
        return ExitCode::FAILURE;
    }
    if record {
        let mut text = String::from(
            "# Instructions per call, written by `cargo bench --bench instructions -- --record`.\n",
        );
        for (row, column, n) in &measured {
            text.push_str(&format!("{row}\t{column}\t{n:.1}\n"));
        }
        std::fs::write(recorded_path(), text).unwrap();
        println!("\nrecorded in {}", recorded_path().display());
    }
    if check {
        if rises.is_empty() {
            println!("\nno row rose above its recorded figure");
        } else {
            eprintln!(
                "\nrose above the recorded figure by more than {}% + {SLACK}:",
                MARGIN * 100.0
            );
            for r in &rises {
                eprintln!("  {r}");
            }
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
