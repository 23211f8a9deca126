//! Calls allocate nothing on the heap: proved with a counting global
//! allocator (its own test binary, so nothing else counts).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use rctypes::{CFunc, CStruct, CType, Extent, Route, StructValue, TypedCFunc, Value, c_struct};

// The integration tests' fixtures: the compiled C libraries, found the same
// way, and the signatures both binaries call.
#[path = "integration/common.rs"]
mod common;

use common::{abi, lib};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; counting has no effect on the
// memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded; ptr came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap allocations `f` makes on this thread.
fn allocations(mut f: impl FnMut()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// `f` on every route that takes its signature (the fast path, the
/// register route, libffi): more than one where the build has the
/// register routes (see `Route::is_available`).
fn every_route(f: &CFunc) -> Vec<CFunc> {
    let routes = common::every_route(f);
    let many = Route::Registers.is_available();
    assert_eq!(routes.len() > 1, many, "{f:?}: {} routes", routes.len());
    routes
}

#[test]
fn dynamic_scalar_calls_allocate_nothing_on_any_route() {
    let (add, mixed6) = (common::add_int(), common::mixed6());
    let args6 = common::mixed6_args();
    for f in every_route(&add) {
        let n = allocations(|| {
            for i in 0..1000 {
                assert_eq!(
                    f.call(&[Value::Int(i), Value::Int(1)]).unwrap(),
                    Value::Int(i + 1)
                );
            }
        });
        assert_eq!(n, 0, "add_int via {:?}", f.route());
    }
    for f in every_route(&mixed6) {
        assert_eq!(allocations(|| drop(f.call(&args6).unwrap())), 0);
    }
}

#[test]
fn long_double_stages_on_the_stack() {
    let sig = [CType::LongDouble, CType::LongDouble];
    // SAFETY: ld_mul's declared signature; long double always takes libffi.
    let ld = unsafe { abi().function("ld_mul", &sig, CType::LongDouble) }.unwrap();
    let args = [Value::Float(1.5), Value::Float(2.0)];
    assert_eq!(allocations(|| drop(ld.call(&args).unwrap())), 0);
}

#[test]
fn slices_c_strings_and_buffers_allocate_nothing() {
    // SAFETY: abi.c: `size_t str_len(const char *s)` reads s up to its NUL,
    // which may not be NULL.
    let len = unsafe { abi().function("str_len", &[CType::CharP], CType::SizeT) }.unwrap();
    let out = common::out_params();
    for out in every_route(&out) {
        let (mut d, mut h) = (0i32, 0f64);
        assert_eq!(
            allocations(|| {
                out.call(&[3.into(), Value::byref(&mut d), Value::byref(&mut h)])
                    .unwrap();
            }),
            0,
            "via {:?}",
            out.route()
        );
        assert_eq!(d, 6);
    }
    for len in every_route(&len) {
        let s = c"no copy needed";
        assert_eq!(
            allocations(|| assert_eq!(len.call(&[s.into()]).unwrap(), Value::Int(14))),
            0
        );
        // A `&str` is copied to gain its NUL: on the stack while it is
        // short, with nothing allocated; on the heap past that.
        assert_eq!(
            allocations(|| assert_eq!(len.call(&["copied".into()]).unwrap(), Value::Int(6))),
            0,
            "via {:?}",
            len.route()
        );
        let three = ["a".repeat(80), "b".repeat(80), "c".repeat(80)];
        for s in &three {
            assert_eq!(
                allocations(|| assert_eq!(len.call(&[s.as_str().into()]).unwrap(), Value::Int(80))),
                0
            );
        }
        let long = "x".repeat(1000);
        assert_eq!(
            allocations(|| assert_eq!(
                len.call(&[long.as_str().into()]).unwrap(),
                Value::Int(1000)
            )),
            2
        );
        // A `&str` that already ends with its NUL is lent as it stands.
        assert_eq!(
            allocations(|| assert_eq!(len.call(&["ready\0".into()]).unwrap(), Value::Int(5))),
            0
        );
        // The short form: a string passed directly, copied to the stack.
        let invoked = allocations(|| assert_eq!(len.invoke::<usize>(("copied",)).unwrap(), 6));
        assert_eq!(invoked, 0, "via {:?}", len.route());
        let invoked = allocations(|| assert_eq!(len.invoke::<usize>((s,)).unwrap(), 14));
        assert_eq!(invoked, 0, "via {:?}", len.route());
    }
}

#[test]
fn typed_calls_allocate_nothing() {
    let lib = abi();
    // SAFETY: add_int's signature.
    let add: TypedCFunc<(i32, i32), i32> = unsafe { lib.typed("add_int") }.unwrap();
    assert_eq!(allocations(|| assert_eq!(add.call((2, 3)), 5)), 0);
}

#[test]
fn a_call_with_no_arguments_allocates_nothing() {
    // SAFETY: `void noop(void)`.
    let noop = unsafe { abi().function("noop", &[], CType::Void) }.unwrap();
    for f in every_route(&noop) {
        assert_eq!(
            allocations(|| assert_eq!(f.call(&[]).unwrap(), Value::Void)),
            0
        );
    }
}

#[test]
fn variadic_calls_allocate_nothing_once_their_argument_types_were_seen() {
    let lib = abi();
    // SAFETY: abi.c: `long long sum_ints(int n, ...)` reads n ints through
    // `...`, whose types each call below gives.
    let sum = unsafe { lib.variadic("sum_ints", &[CType::Int], CType::LongLong) }.unwrap();
    // SAFETY: abi.c: `double sum_first_elements(int n, ...)` reads the first
    // double of each of the n `const double*` that follow n.
    let firsts =
        unsafe { lib.variadic("sum_first_elements", &[CType::Int], CType::Double) }.unwrap();
    let a = [1.5, 9.0];
    let mut b = vec![2.25];
    let three_ints = [CType::Int, CType::Int, CType::Int];
    let short = [CType::Short, CType::Short];
    // Each read at its first element only.
    let first = Extent::Elements(1);
    let first_of = [
        CType::const_pointer(CType::Double).extent(first),
        CType::pointer(CType::Double).extent(first),
    ];
    let mut calls = || {
        let ints = [3.into(), 1.into(), 20.into(), 300.into()];
        // SAFETY: n ints follow n, as sum_ints reads.
        assert_eq!(
            unsafe { sum.call_variadic(&ints, &three_ints) }.unwrap(),
            Value::Int(321)
        );
        let shorts = [2.into(), 7.into(), (-3).into()];
        // SAFETY: as above, shorts promoted to int.
        assert_eq!(
            unsafe { sum.call_variadic(&shorts, &short) }.unwrap(),
            Value::Int(4)
        );
        let arrays = [2.into(), (&a[..]).into(), (&mut b).into()];
        // SAFETY: n pointers follow n, each to at least one double, of which
        // sum_first_elements reads the first.
        assert_eq!(
            unsafe { firsts.call_variadic(&arrays, &first_of) }.unwrap(),
            Value::Float(3.75)
        );
    };
    // The first calls prepare each list's interface; the next find it.
    calls();
    assert_eq!(allocations(calls), 0);
}

#[test]
fn ndpointer_arguments_allocate_nothing() {
    use ndarray::Array1;
    let mean = common::compute_mean_nd();
    let a = Array1::from_vec(vec![1.0f32, 2.0, 3.0, 6.0]);
    for f in every_route(&mean) {
        let n = allocations(|| {
            assert_eq!(f.call(&[(&a).into(), 4.into()]).unwrap(), Value::Float(3.0));
        });
        assert_eq!(n, 0);
    }
}

#[test]
fn callbacks_allocate_nothing_per_call() {
    use rctypes::{Callback, RawPtr, Signature, TypedCallback};
    let lib = lib("callback");
    type Binop = TypedCallback<(i32, i32), i32>;
    // SAFETY: callback.c: `long long fold_calls(int (*op)(int, int), int n)`
    // returns the sum of op(i, 1), calling op during the call only; a typed
    // callback is never NULL.
    let fold: TypedCFunc<(&Binop, i32), i64> = unsafe { lib.typed("fold_calls") }.unwrap();
    let direct: Binop = Callback::typed(|a: i32, b: i32| a + b).unwrap();
    let k = std::hint::black_box(0);
    let capturing: Binop = Callback::typed(move |a: i32, b: i32| a + b + k).unwrap();
    // The capturing one has an entry where rctypes makes machine code.
    let entry = rctypes::Route::Compiled.is_available();
    assert!(direct.is_direct() && capturing.is_direct() == entry);
    for cb in [&direct, &capturing] {
        let n = allocations(|| assert_eq!(fold.try_call((cb, 100)).unwrap(), 5050));
        assert_eq!(n, 0, "direct: {}", cb.is_direct());
    }
    let dynamic = Callback::new(
        Signature::new([CType::Int, CType::Int], CType::Int),
        |args: &[Value]| match args {
            [Value::Int(a), Value::Int(b)] => Value::Int(a + b),
            _ => Value::Void,
        },
    )
    .unwrap();
    // SAFETY: as above, with op passed as a raw address: each call below
    // passes the code of a live callback of op's signature.
    let fold_raw: TypedCFunc<(RawPtr, i32), i64> = unsafe { lib.typed("fold_calls") }.unwrap();
    // SAFETY: the callback's code pointer, alive through the calls below.
    let op = unsafe { RawPtr::new(dynamic.code_ptr() as *mut _) }.unwrap();
    let n = allocations(|| assert_eq!(fold_raw.call((op, 100)), 5050));
    assert_eq!(n, 0, "dynamic callback");
}

c_struct! {
    struct IntPair { a: i32, b: i32 }
    struct DoublePair { x: f64, y: f64 }
    struct Vec3 { x: f64, y: f64, z: f64 }
}

#[test]
fn structs_by_value_allocate_only_for_results_over_64_bytes() {
    let lib = lib("structs");
    let pair = CType::Struct(IntPair::layout().clone());
    let dpair = CType::Struct(DoublePair::layout().clone());
    let vec3 = CType::Struct(Vec3::layout().clone());
    // SAFETY: structs.h's declared signatures.
    let (sum, swap, add, cross) = unsafe {
        (
            lib.function("sum_int_pair", std::slice::from_ref(&pair), CType::Int)
                .unwrap(),
            lib.function("swap_int_pair", std::slice::from_ref(&pair), pair.clone())
                .unwrap(),
            lib.function("add_double_pairs", &[dpair.clone(), dpair.clone()], dpair)
                .unwrap(),
            lib.function("cross_vec3", &[vec3.clone(), vec3.clone()], vec3)
                .unwrap(),
        )
    };
    let mut p = StructValue::new(IntPair::layout()).unwrap();
    p.set("a", 1).unwrap();
    let r = IntPair { a: 2, b: 3 };
    let d = DoublePair { x: 0.5, y: 1.5 };
    let v = Vec3 {
        x: 1.0,
        y: 0.0,
        z: 0.0,
    };
    // The first use of each type computes its layout and record data type,
    // once.
    drop(swap.call(&[(&r).into()]).unwrap());
    drop(add.call(&[(&d).into(), (&d).into()]).unwrap());
    drop(cross.call(&[(&v).into(), (&v).into()]).unwrap());
    // Arguments pass from their own bytes; results of up to 16 bytes are
    // held in place.
    assert_eq!(
        allocations(|| assert_eq!(sum.call(&[(&p).into()]).unwrap(), Value::Int(1))),
        0
    );
    assert_eq!(allocations(|| drop(swap.call(&[(&r).into()]).unwrap())), 0);
    assert_eq!(
        allocations(|| drop(add.call(&[(&d).into(), (&d).into()]).unwrap())),
        0
    );
    // A 24-byte result is held in place too.
    assert_eq!(
        allocations(|| drop(cross.call(&[(&v).into(), (&v).into()]).unwrap())),
        0
    );
    // An 88-byte one needs its one buffer.
    let (values, name) = (
        CType::array(CType::Double, 8),
        CType::array(CType::Char, 16),
    );
    let big = common::struct_layout(
        "Big",
        &[("id", CType::Int), ("values", values), ("name", name)],
    );
    let big_type = CType::Struct(big.clone());
    // SAFETY: structs.h: `Big bump_big(Big b, double by)`.
    let bump =
        unsafe { lib.function("bump_big", &[big_type.clone(), CType::Double], big_type) }.unwrap();
    let b = StructValue::new(&big).unwrap();
    drop(bump.call(&[(&b).into(), 1.0.into()]).unwrap());
    assert_eq!(
        allocations(|| drop(bump.call(&[(&b).into(), 1.0.into()]).unwrap())),
        1
    );
    // Typed calls are plain C calls.
    let typed: TypedCFunc<(Vec3, Vec3), Vec3> = cross.typed().unwrap();
    assert_eq!(allocations(|| assert_eq!(typed.call((v, v)).z, 0.0)), 0);
}

#[test]
fn structs_lent_by_address_allocate_nothing() {
    let lib = lib("structs");
    let fields = [
        ("x", CType::Double),
        ("y", CType::Double),
        ("z", CType::Double),
    ];
    let vec3 = common::struct_layout("Vec3", &fields);
    let declared = CType::pointer(CType::Struct(vec3.clone()));
    // SAFETY: structs.c: `void scale_vec3_in_place(Vec3 *v, double k)` reads
    // and writes one Vec3 at v, which may not be NULL.
    let scale = unsafe {
        lib.function(
            "scale_vec3_in_place",
            &[declared, CType::Double],
            CType::Void,
        )
    }
    .unwrap();
    let mut v = StructValue::new(&vec3).unwrap();
    v.set("x", 1.5).unwrap();
    // The first lending describes the layout as a data type, once.
    scale.call(&[(&mut v).into(), 1.0.into()]).unwrap();
    let routes = every_route(&scale);
    for f in &routes {
        let n = allocations(|| {
            assert_eq!(f.call(&[(&mut v).into(), 2.0.into()]).unwrap(), Value::Void);
        });
        assert_eq!(n, 0, "{:?}", f.route());
    }
    // C doubled x on every route.
    let doubled = 1.5 * f64::from(1 << routes.len());
    assert_eq!(v.get("x").unwrap(), Value::Float(doubled));
}

#[test]
fn row_pointers_allocate_nothing_per_call() {
    let rows_lib = lib("rows");
    let cols = Extent::ElementsFromArg(3);
    let const_pp = CType::const_pointer(CType::const_pointer(CType::Float).extent(cols))
        .extent(Extent::ElementsFromArg(2));
    // SAFETY: rows.c: `float rows_sum(float **data, int len, int ncols)` reads
    // len rows of ncols floats.
    let sum = unsafe {
        rows_lib.function(
            "rows_sum",
            &[const_pp, CType::Int, CType::Int],
            CType::Float,
        )
    }
    .unwrap();
    let matrix = ndarray::Array2::<f32>::from_shape_fn((4, 3), |(i, j)| (i * 3 + j) as f32);
    let rows = rctypes::RowPointers::new(matrix.view()).unwrap();
    for f in every_route(&sum) {
        let n = allocations(|| {
            for _ in 0..100 {
                let got = f.call(&[(&rows).into(), 4.into(), 3.into()]).unwrap();
                assert_eq!(got, Value::Float(66.0));
            }
        });
        assert_eq!(n, 0, "rows_sum via {:?}", f.route());
        // The short form, which passes them directly where it may.
        let n = allocations(|| assert_eq!(f.invoke::<f32>((&rows, 4, 3)).unwrap(), 66.0));
        assert_eq!(n, 0, "rows_sum invoked via {:?}", f.route());
    }
    // A slice to a pointer to numbers, through the short form.
    let floats = CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(2));
    // SAFETY: mean.c: `float compute_mean(float *A, int n)` reads n floats.
    let mean = unsafe { lib("mean").function("compute_mean", &[floats, CType::Int], CType::Float) }
        .unwrap();
    let data = [1.0f32, 2.0, 3.0, 6.0];
    for f in every_route(&mean) {
        let n = allocations(|| assert_eq!(f.invoke::<f32>((&data, 4)).unwrap(), 3.0));
        assert_eq!(n, 0, "compute_mean invoked via {:?}", f.route());
    }
    // And lent for C to write, `&mut`.
    let floats = CType::pointer(CType::Float).extent(Extent::ElementsFromArg(2));
    let args = [floats, CType::Int, CType::Float];
    // SAFETY: mean.c: `void scale_floats(float *A, int n, float factor)`
    // reads and writes n floats of A.
    let scale = unsafe { lib("mean").function("scale_floats", &args, CType::Void) }.unwrap();
    let mut scaled = data;
    let routes = every_route(&scale);
    for f in &routes {
        let n = allocations(|| f.invoke::<()>((&mut scaled, 4, 2.0f32)).unwrap());
        assert_eq!(n, 0, "scale_floats invoked via {:?}", f.route());
    }
    let factor = (1 << routes.len()) as f32;
    assert_eq!(scaled, data.map(|x| x * factor));
    let mut rows_of = matrix.clone();
    let row = CType::pointer(CType::Float).extent(cols);
    let rows_ty = CType::const_pointer(row).extent(Extent::ElementsFromArg(2));
    // SAFETY: rows.c: `void rows_scale(float **data, int len, int ncols,
    // float f)` scales len rows of ncols floats.
    let scale_rows = unsafe {
        let args = [rows_ty, CType::Int, CType::Int, CType::Float];
        rows_lib.function("rows_scale", &args, CType::Void)
    }
    .unwrap();
    let mut writable = rctypes::RowPointersMut::new(rows_of.view_mut()).unwrap();
    for f in every_route(&scale_rows) {
        let n = allocations(|| f.invoke::<()>((&mut writable, 4, 3, 1.0f32)).unwrap());
        assert_eq!(n, 0, "rows_scale invoked via {:?}", f.route());
    }
    drop(writable);
    assert_eq!(rows_of, matrix);
}
