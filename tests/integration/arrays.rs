//! Arrays lent to C: dtypes, ndpointer checks (numpy's own test cases, with
//! numpy's messages), the `.ctypes` view, contiguity, records and views of
//! C memory. Every call goes to the C in `csrc/`.

use ndarray::{Array1, Array2, Array3, ArrayView2, ShapeBuilder, arr0, arr2, s};
use rctypes::{
    AsCtypes, AsCtypesMut, CFunc, CType, DType, Dim, Element, Error, Extent, Flags, NdArray,
    NdPointer, NdPointerBuilder, Ptr, PtrMut, RawPtr, Value, as_array, ascontiguousarray,
    ascontiguousarray_mut, c_struct, ndpointer,
};

use crate::common::{bar_sum, call_as, compute_mean, compute_mean_nd, lib, scale_floats};

/// `void *forward_pointer(void *p)` taking an ndpointer: it returns the
/// address C received, so a passing check is confirmed by C itself.
fn forward(spec: NdPointerBuilder) -> CFunc {
    let p = spec.read_only().build().unwrap();
    // SAFETY: arrays.c: `void *forward_pointer(void *p)` returns p, reading
    // and writing nothing through it.
    unsafe { lib("arrays").function("forward_pointer", &[p.into()], CType::VoidP) }.unwrap()
}

/// `forward_pointer` taking and returning the ndpointer `p`: the result is
/// the argument's array.
fn forward_as(p: &NdPointer) -> CFunc {
    let p: CType = p.clone().into();
    // SAFETY: arrays.c: `void *forward_pointer(void *p)` returns p, reading
    // and writing nothing through it, so the result is the argument's array.
    let args = std::slice::from_ref(&p);
    unsafe { lib("arrays").function("forward_pointer", args, p.clone()) }.unwrap()
}

/// Calls `f` with one array and checks C received its address.
fn accepted(f: &CFunc, arg: Value<'_>) {
    let Value::Array(a) = &arg else {
        panic!("not an array")
    };
    let addr = a.as_ptr() as usize;
    let got = f.call(&[arg]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.to::<RawPtr>().unwrap().addr(), addr);
}

/// Calls `f` with one array and returns numpy's message of the refusal.
fn refused(f: &CFunc, arg: Value<'_>) -> String {
    match f.call(&[arg]) {
        Err(Error::ArrayArgument {
            function,
            index,
            message,
            ..
        }) => {
            assert_eq!((function.as_str(), index), ("forward_pointer", 1));
            message
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn dt(s: &str) -> DType {
    DType::parse(s).unwrap()
}

// ---- numpy's TestNdpointer ----

#[test]
fn ndpointer_dtype() {
    let f = forward(ndpointer().dtype("intc"));
    accepted(&f, (&Array1::from(vec![1i32])).into());

    let f = forward(ndpointer().dtype("<i4"));
    accepted(&f, (&NdArray::zeros("<i4", &[1]).unwrap()).into());

    let big = dt(">i4");
    let f = forward(ndpointer().dtype(&big));
    accepted(&f, (&NdArray::zeros(&big, &[1]).unwrap()).into());
    let swapped = NdArray::zeros(big.swapped(), &[1]).unwrap();
    assert_eq!(
        refused(&f, (&swapped).into()),
        "array must have data type >i4"
    );

    let fields = || [("x", dt("intc")), ("y", dt("float64"))];
    let record = DType::record(fields(), false).unwrap();
    let f = forward(ndpointer().dtype(&record));
    accepted(&f, (&NdArray::zeros(&record, &[10]).unwrap()).into());
    let same = DType::record(fields(), false).unwrap();
    let f = forward(ndpointer().dtype(&same));
    accepted(&f, (&NdArray::zeros(&record, &[10]).unwrap()).into());
    let aligned = DType::record(fields(), true).unwrap();
    assert_ne!(record.itemsize(), aligned.itemsize());
    assert_eq!(
        refused(&f, (&NdArray::zeros(&aligned, &[10]).unwrap()).into()),
        "array must have data type [('x', '<i4'), ('y', '<f8')]"
    );
}

#[test]
fn ndpointer_ndim() {
    let f = forward(ndpointer().ndim(0));
    accepted(&f, (&arr0(1i64)).into());
    assert_eq!(
        refused(&f, (&Array1::from(vec![1i64])).into()),
        "array must have 0 dimension(s)"
    );
    let f = forward(ndpointer().ndim(1));
    assert_eq!(
        refused(&f, (&arr0(1i64)).into()),
        "array must have 1 dimension(s)"
    );
    accepted(&f, (&Array1::from(vec![1i64])).into());
    accepted(&f, (&[1i64][..]).into());
    let f = forward(ndpointer().ndim(2));
    accepted(&f, (&arr2(&[[1i64]])).into());
}

#[test]
fn ndpointer_shape() {
    let f = forward(ndpointer().shape([1, 2]));
    accepted(&f, (&arr2(&[[1i64, 2]])).into());
    assert_eq!(
        refused(&f, (&arr2(&[[1i64], [2]])).into()),
        "array must have shape (1, 2)"
    );
    let f = forward(ndpointer().shape(Vec::<usize>::new()));
    accepted(&f, (&arr0(1i64)).into());
    let f = forward(ndpointer().shape([Dim::Any, Dim::Fixed(3)]));
    accepted(&f, (&Array2::<f64>::zeros((7, 3))).into());
    assert_eq!(
        refused(&f, (&Array2::<f64>::zeros((3, 7))).into()),
        "array must have shape (*, 3)"
    );
}

#[test]
fn ndpointer_flags() {
    let mut x = Array2::from_shape_vec((2, 2).f(), vec![1i64, 3, 2, 4]).unwrap();
    let f = forward(ndpointer().flags("FORTRAN"));
    accepted(&f, (&x).into());
    let f = forward(ndpointer().flags("CONTIGUOUS"));
    assert_eq!(
        refused(&f, (&x).into()),
        "array must have flags ['C_CONTIGUOUS']"
    );
    // numpy's integer flags: those of `x` itself, lent mutably.
    let num = x.ctypes_mut().flags().bits();
    assert_eq!(num, 0x2 | 0x4 | 0x100 | 0x400);
    let f = forward(ndpointer().flags(num));
    accepted(&f, (&mut x).into());
    let mut c_order = arr2(&[[1i64, 2], [3, 4]]);
    assert_eq!(
        refused(&f, (&mut c_order).into()),
        "array must have flags ['F_CONTIGUOUS', 'ALIGNED', 'WRITEABLE', 'OWNDATA']"
    );
    assert!(ndpointer().flags(0x8000u32).build().is_err());
}

#[test]
fn ndpointer_flag_names_and_aliases() {
    let all = [
        ("C", Flags::C_CONTIGUOUS),
        ("CONTIGUOUS", Flags::C_CONTIGUOUS),
        ("C_CONTIGUOUS", Flags::C_CONTIGUOUS),
        ("F", Flags::F_CONTIGUOUS),
        ("FORTRAN", Flags::F_CONTIGUOUS),
        ("F_CONTIGUOUS", Flags::F_CONTIGUOUS),
        ("A", Flags::ALIGNED),
        ("ALIGNED", Flags::ALIGNED),
        ("W", Flags::WRITEABLE),
        ("WRITEABLE", Flags::WRITEABLE),
        ("O", Flags::OWNDATA),
        ("OWNDATA", Flags::OWNDATA),
    ];
    for (name, flag) in all {
        let p = ndpointer().flags(name).build().unwrap();
        assert_eq!(p.flags(), Some(flag), "{name}");
    }
    let p = ndpointer().flags(["c", " aligned "]).build().unwrap();
    assert_eq!(p.flags(), Some(Flags::C_CONTIGUOUS | Flags::ALIGNED));
    let err = ndpointer().flags("C,CONTIGUOS").build().unwrap_err();
    assert!(
        err.to_string().starts_with(
            "unknown array flag \"CONTIGUOS\": expected one of C_CONTIGUOUS (C, CONTIGUOUS)"
        ),
        "{err}"
    );
    let err = ndpointer().dtype("f9").build().unwrap_err();
    assert!(
        err.to_string().starts_with("data type 'f9' not understood"),
        "{err}"
    );
}

#[test]
fn identical_specs_compare_equal() {
    let f64s = || ndpointer().dtype("float64").build().unwrap();
    assert_eq!(f64s(), f64s());
    assert_eq!(f64s(), ndpointer().dtype_of::<f64>().build().unwrap());
    assert_eq!(CType::from(f64s()), CType::from(f64s()));
    // Shapes are normalised.
    assert_eq!(
        ndpointer().shape(2).build().unwrap(),
        ndpointer().shape([2]).build().unwrap()
    );
    assert_ne!(
        ndpointer().shape(2).build().unwrap(),
        ndpointer().ndim(2).build().unwrap()
    );
    assert_ne!(
        ndpointer().ndim(2).build().unwrap(),
        ndpointer().shape(2).build().unwrap()
    );
    assert!(ndpointer().ndim(2).shape(3).build().is_err());
}

#[test]
fn checks_run_in_numpys_order() {
    // Wrong dtype, ndim, shape and flags at once: the dtype is reported.
    let f = forward(ndpointer().dtype("f8").ndim(1).shape(5).flags("C"));
    let bad = Array2::<i32>::zeros((3, 4).f());
    assert_eq!(
        refused(&f, (&bad).into()),
        "array must have data type float64"
    );
    let bad = Array2::<f64>::zeros((3, 4).f());
    assert_eq!(refused(&f, (&bad).into()), "array must have 1 dimension(s)");
    let bad = Array1::<f64>::zeros(4);
    assert_eq!(refused(&f, (&bad).into()), "array must have shape (5,)");
    let a = Array1::<f64>::zeros(10);
    let bad = a.slice(s![..;2]);
    assert_eq!(
        refused(&f, (&bad).into()),
        "array must have flags ['C_CONTIGUOUS']"
    );
}

#[test]
fn only_arrays_pass_an_ndpointer() {
    let f = forward(ndpointer());
    assert_eq!(refused(&f, 3.into()), "argument must be an ndarray");
    assert_eq!(refused(&f, Value::Null), "argument must be an ndarray");
    let data = [1.0f64, 2.0];
    let p = data.ctypes().data_as::<f64>().unwrap();
    assert_eq!(refused(&f, p.into()), "argument must be an ndarray");
    let raw = f.call(&[(&data).into()]).unwrap().to::<RawPtr>().unwrap();
    assert_eq!(refused(&f, raw.into()), "argument must be an ndarray");
    let err = f.call(&[Value::Null]).unwrap_err();
    assert!(err.to_string().contains("declare the ndpointer nullable"));
}

// ---- numpy's TestNdpointerCFunc ----

#[test]
fn ndpointer_arguments() {
    let f = forward(ndpointer().ndim(2));
    accepted(&f, (&Array2::<f64>::zeros((2, 3))).into());
    let err = f
        .call(&[(&Array3::<f64>::zeros((2, 3, 4))).into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "forward_pointer: argument 1: array must have 2 dimension(s), given 3"
    );
}

/// numpy's overlapping-fields record: two `<i4` at offsets 0 and 2, 6 bytes.
/// No Rust struct has fields that overlap so, so it passes dtype-erased.
fn overlapping() -> DType {
    DType::record_with_offsets([("a", dt("<i4"), 0), ("b", dt("<i4"), 2)], 6).unwrap()
}

fn returns_view<T: Element + Default + PartialEq + std::fmt::Debug>() {
    let arr = Array2::<T>::default((2, 3));
    let ptr_type = ndpointer()
        .dtype_of::<T>()
        .shape([2, 3])
        .read_only()
        .build()
        .unwrap();
    let result = forward_as(&ptr_type).call(&[(&arr).into()]).unwrap();
    // SAFETY: the result is arr's own data, alive and unwritten meanwhile.
    let arr2 = unsafe { ptr_type.view::<T>(&result) }.unwrap();
    assert_eq!(arr2.shape(), arr.shape());
    assert_eq!(arr2.as_ptr(), arr.as_ptr());
    assert_eq!(arr2, arr.into_dyn());
}

c_struct! {
    /// A record of two ints.
    #[derive(Debug, Default, PartialEq)]
    struct Pair {
        a: i32,
        b: i32,
    }
}

#[test]
fn ndpointer_return() {
    returns_view::<f64>();
    returns_view::<Pair>();

    let arr = NdArray::from_bytes(overlapping(), &[2, 3], &[7; 36]).unwrap();
    let ptr_type = ndpointer()
        .dtype(overlapping())
        .shape([2, 3])
        .read_only()
        .build()
        .unwrap();
    let result = forward_as(&ptr_type).call(&[(&arr).into()]).unwrap();
    assert_eq!(result.to::<RawPtr>().unwrap().addr(), arr.as_ptr() as usize);
}

#[test]
fn vague_ndpointer_results_stay_pointers() {
    let arr = Array2::<f64>::zeros((2, 3));
    let ptr_type = ndpointer().dtype("f8").read_only().build().unwrap();
    let f = forward_as(&ptr_type);
    let result = f.call(&[(&arr).into()]).unwrap();
    assert_eq!(result.to::<RawPtr>().unwrap().addr(), arr.as_ptr() as usize);
    // SAFETY: nothing is viewed: the call fails first.
    let err = unsafe { ptr_type.view::<f64>(&result) }.unwrap_err();
    assert!(err.to_string().contains("no dtype and shape"), "{err}");
    // SAFETY: as above.
    let err = unsafe { ptr_type.view::<f64>(&Value::Null) }.unwrap_err();
    assert!(err.to_string().contains("no dtype and shape"), "{err}");
}

#[test]
fn static_results_become_views() {
    let spec = ndpointer().dtype("f8").shape([2, 3]).build().unwrap();
    // SAFETY: arrays.c: `const double *static_matrix(void)` returns 6 static
    // doubles, a 2x3 C-ordered matrix.
    let f = unsafe { lib("arrays").function("static_matrix", &[], spec.clone().into()) }.unwrap();
    let result = f.call(&[]).unwrap();
    // SAFETY: a static array nothing writes.
    let m = unsafe { spec.view::<f64>(&result) }.unwrap();
    assert_eq!(m, arr2(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).into_dyn());
    // SAFETY: the view fails before anything is read.
    assert!(unsafe { spec.view::<f32>(&result) }.is_err());
    let fortran = ndpointer()
        .dtype("f8")
        .shape([3, 2])
        .flags("F")
        .build()
        .unwrap();
    // SAFETY: the same 6 doubles, seen in Fortran order.
    let t = unsafe { fortran.view::<f64>(&result) }.unwrap();
    assert_eq!(t, arr2(&[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]).into_dyn());
}

// ---- numpy's TestAsArray ----

c_struct! {
    /// The record arrays.c declares as `Small`.
    #[derive(Debug, PartialEq)]
    struct Small {
        a: i16,
    }
}

#[test]
fn as_array_of_c_fixed_arrays() {
    let arrays = lib("arrays");
    // SAFETY: arrays.c defines `const int pairs[3][2]`.
    let pairs = unsafe { arrays.array::<i32, _>("pairs", (3, 2)) }.unwrap();
    assert_eq!(pairs.shape(), &[3, 2]);
    assert_eq!(pairs, arr2(&[[1, 2], [3, 4], [5, 6]]));
    // SAFETY: as above: the first pair only.
    let pair = unsafe { arrays.array::<i32, _>("pairs", [2]) }.unwrap();
    assert_eq!(pair.to_vec(), [1, 2]);

    // SAFETY: arrays.c defines `const Small smalls[2][3]`.
    let smalls = unsafe { arrays.array::<Small, _>("smalls", (2, 3)) }.unwrap();
    let expected = Array2::from_shape_fn((2, 3), |(i, j)| Small {
        a: (3 * i + j + 1) as i16,
    });
    assert_eq!(smalls, expected);
    // The record of its C layout, aligned as C aligns it.
    assert_eq!(
        Small::dtype().to_string(),
        "{'names': ['a'], 'formats': ['<i2'], 'offsets': [0], 'itemsize': 2, 'aligned': True}"
    );
    // SAFETY: as above, viewed as 6 records and as one row.
    let flat = unsafe { arrays.array::<Small, _>("smalls", [6]) }.unwrap();
    assert_eq!(flat[5], Small { a: 6 });
    // SAFETY: as above.
    let row: ArrayView2<Small> = unsafe { arrays.array("smalls", (1, 3)) }.unwrap();
    assert_eq!(row[[0, 2]], Small { a: 3 });
}

#[test]
fn as_array_from_pointers_with_shapes() {
    let spec = ndpointer().dtype("f8").shape([2, 3]).build().unwrap();
    // SAFETY: arrays.c: `const double *static_matrix(void)` returns 6 static
    // doubles; it takes no arguments.
    let f = unsafe { lib("arrays").function("static_matrix", &[], CType::VoidP) }.unwrap();
    let p = f.call(&[]).unwrap().to::<RawPtr>().unwrap().as_ptr() as *const f64;
    // SAFETY: p points to 6 static doubles nothing writes.
    let a = unsafe { as_array(p, (6,)) }.unwrap();
    assert_eq!(a.to_vec(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    // SAFETY: as above.
    let a = unsafe { as_array(p, (3, 2)) }.unwrap();
    assert_eq!(a, arr2(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
    drop(spec);
    // SAFETY: nothing is read: the pointer is refused.
    let err = unsafe { as_array(std::ptr::null::<f64>(), (2, 5)) }.unwrap_err();
    assert_eq!(err.to_string(), "cannot view a NULL pointer as an array");
    let bytes = [0u8; 16];
    // SAFETY: nothing is read: the pointer is refused.
    let err = unsafe { as_array(bytes.as_ptr().wrapping_add(1) as *const f64, [1]) }.unwrap_err();
    assert!(err.to_string().contains("is not aligned for f64"), "{err}");
    // SAFETY: nothing is read: the shape is refused.
    let err = unsafe { as_array(p, (usize::MAX, 2)) }.unwrap_err();
    assert!(err.to_string().contains("too large"), "{err}");
}

// ---- numpy's TestAsCtypesType ----

#[test]
fn dtypes_as_ctypes() {
    let native_u2 = if cfg!(target_endian = "little") {
        "<u2"
    } else {
        ">u2"
    };
    assert_eq!(dt(native_u2).ctype(), Some(CType::UShort));
    assert_eq!(dt("u2").ctype(), Some(CType::UShort));
    assert_eq!(dt(native_u2).swapped().ctype(), None);
    let s = DType::record([("a", dt("u2")), ("b", dt("u4"))], false).unwrap();
    assert_eq!(s.itemsize(), 6);
    assert_eq!(s.ctype(), None);
    let s = DType::record([("a", dt("u2")), ("b", dt("u4"))], true).unwrap();
    assert_eq!(s.itemsize(), 8);
    assert_eq!(s.field("b").unwrap().offset(), 4);
}

// ---- the `.ctypes` view ----

/// `double strided_sum(const void *data, int ndim, const intptr_t *shape,
/// const intptr_t *strides)`: C walks the array by the view's strides.
fn strided_sum() -> CFunc {
    let data = ndpointer().dtype("f8").read_only().build().unwrap();
    let intp = || CType::const_pointer(CType::IntP).extent(Extent::ElementsFromArg(2));
    // SAFETY: arrays.c: strided_sum reads shape[0..ndim] and strides[0..ndim]
    // (ndim is argument 2) and the doubles of data they address, which the
    // ndpointer's array and its own shape and strides cover; it writes
    // nothing, and no pointer may be NULL.
    unsafe {
        lib("arrays").function(
            "strided_sum",
            &[data.into(), CType::Int, intp(), intp()],
            CType::Double,
        )
    }
    .unwrap()
}

fn c_sum(f: &CFunc, a: &ndarray::ArrayRef<f64, impl ndarray::Dimension>) -> f64 {
    let c = a.ctypes();
    f.call(&[
        a.into(),
        (c.ndim() as i32).into(),
        c.shape().into(),
        c.strides().into(),
    ])
    .unwrap()
    .to::<f64>()
    .unwrap()
}

#[test]
fn ctypes_of_c_and_f_ordered_arrays() {
    let f = strided_sum();
    let x = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (100 * i + 10 * j + k) as f64);
    let c = x.ctypes();
    assert_eq!(c.data(), x.as_ptr() as usize);
    assert_eq!(c.shape(), &[2, 3, 4]);
    assert_eq!(c.strides(), &[96, 32, 8]);
    assert_eq!(c.dtype(), &dt("f8"));
    assert!(
        c.flags()
            .contains(Flags::C_CONTIGUOUS | Flags::ALIGNED | Flags::OWNDATA)
    );
    assert!(!c.flags().contains(Flags::WRITEABLE));
    assert_eq!(c_sum(&f, &x), x.sum());

    let fx = Array3::from_shape_fn((2, 3, 4).f(), |(i, j, k)| (100 * i + 10 * j + k) as f64);
    let c = fx.ctypes();
    assert_eq!(c.shape(), &[2, 3, 4]);
    assert_eq!(c.strides(), &[8, 16, 48]);
    assert!(c.flags().contains(Flags::F_CONTIGUOUS));
    assert!(!c.flags().contains(Flags::C_CONTIGUOUS));
    assert_eq!(c_sum(&f, &fx), x.sum());
}

#[test]
fn ctypes_of_sliced_and_0d_arrays() {
    let f = strided_sum();
    let x = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (100 * i + 10 * j + k) as f64);
    let sliced = x.slice(s![.., ..;2, 1..]);
    let c = sliced.ctypes();
    assert_eq!(c.shape(), &[2, 2, 3]);
    assert_eq!(c.strides(), &[96, 64, 8]);
    assert_eq!(c.data(), x.as_ptr() as usize + 8);
    assert!(!c.flags().contains(Flags::OWNDATA));
    assert!(!c.flags().intersects_contiguity());
    assert_eq!(c_sum(&f, &sliced), sliced.sum());

    let reversed = x.slice(s![..;-1, .., ..]);
    assert_eq!(reversed.ctypes().strides(), &[-96, 32, 8]);
    assert_eq!(c_sum(&f, &reversed), x.sum());

    let zero_d = arr0(42.5f64);
    let c = zero_d.ctypes();
    assert_eq!((c.ndim(), c.shape(), c.strides()), (0, &[][..], &[][..]));
    assert!(
        c.flags()
            .contains(Flags::C_CONTIGUOUS | Flags::F_CONTIGUOUS)
    );
    assert_eq!(c_sum(&f, &zero_d), 42.5);
}

trait Contiguity {
    fn intersects_contiguity(self) -> bool;
}

impl Contiguity for Flags {
    fn intersects_contiguity(self) -> bool {
        self.contains(Flags::C_CONTIGUOUS) || self.contains(Flags::F_CONTIGUOUS)
    }
}

#[test]
fn ctypes_strides_address_every_element() {
    let intp = || CType::const_pointer(CType::IntP).extent(Extent::ElementsFromArg(2));
    // SAFETY: arrays.c: `double element_at(const void *data, int ndim, const
    // intptr_t *strides, const intptr_t *index)` reads ndim strides and ndim
    // indices, then the one double they address in data, which is within the
    // array lent when index is within its shape and strides are its own; it
    // writes nothing, and no pointer may be NULL.
    let element_at = unsafe {
        lib("arrays").function(
            "element_at",
            &[
                ndpointer().dtype("f8").read_only().build().unwrap().into(),
                CType::Int,
                intp(),
                intp(),
            ],
            CType::Double,
        )
    }
    .unwrap();
    let x = Array2::from_shape_fn((3, 5).f(), |(i, j)| (10 * i + j) as f64);
    let t = x.t();
    let c = t.ctypes();
    for ((i, j), v) in t.indexed_iter() {
        let index = [i as isize, j as isize];
        let got = element_at
            .call(&[(&t).into(), 2.into(), c.strides().into(), (&index).into()])
            .unwrap();
        assert_eq!(got.to::<f64>().unwrap(), *v);
    }
}

#[test]
fn shape_as_and_strides_as_refuse_to_truncate() {
    let x = Array3::<f64>::zeros((2, 3, 4));
    let c = x.ctypes();
    assert_eq!(c.shape_as::<i16>().unwrap(), [2, 3, 4]);
    assert_eq!(c.strides_as::<i64>().unwrap(), [96, 32, 8]);
    assert_eq!(c.strides_as::<u8>().unwrap(), [96, 32, 8]);
    let long = Array1::<f32>::zeros(300);
    let err = long.ctypes().shape_as::<i8>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot convert shape[0] = 300, which does not fit to i8"
    );
    let wide = Array3::<f64>::zeros((2, 3, 40));
    let err = wide.ctypes().strides_as::<i8>().unwrap_err();
    assert!(err.to_string().contains("strides[0] = 960"), "{err}");
    let reversed = x.slice(s![..;-1, .., ..]);
    assert!(reversed.ctypes().strides_as::<usize>().is_err());
}

#[test]
fn data_as_checks_size_and_alignment() {
    let x = Array1::from(vec![1.5f64, 2.5]);
    let c = x.ctypes();
    assert!(c.data_as::<f64>().is_ok());
    let bits = c.data_as::<u64>().unwrap();
    assert_eq!(bits.addr(), x.as_ptr() as usize);
    let err = c.data_as::<f32>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot convert data of type float64, 8 bytes each to f32, of 4 bytes"
    );
    assert!(c.data_as::<[u8; 8]>().is_ok());
    let bytes = NdArray::zeros("S8", &[4]).unwrap();
    let b = bytes.ctypes();
    assert!(b.data_as::<[u8; 8]>().is_ok());
    // 16-aligned buffer: its address suits u64, which S8 alone does not promise.
    assert!(b.data_as::<u64>().is_ok());
    let odd = bytes.view::<[u8; 8]>().unwrap();
    let odd = odd.slice(s![1..]);
    assert!(odd.ctypes().data_as::<u64>().is_ok());
    let err = x.ctypes().data_as_mut::<f64>().unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
}

#[test]
fn data_as_pointers_pass_to_dynamic_and_typed_calls() {
    let foo = lib("foo");
    let bar_sum = bar_sum();
    let x = Array2::from_shape_fn((2, 3), |(i, j)| (3 * i + j) as f64);
    let p = x.ctypes().data_as::<f64>().unwrap();
    let sum = bar_sum.call(&[p.into(), 6.into()]).unwrap();
    assert_eq!(sum.to::<f64>().unwrap(), 15.0);
    // The pointer carries its length: a longer count is refused.
    let err = bar_sum.call(&[p.into(), 7.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    // Checked typing refuses a pointer whose length it cannot check; the
    // unchecked binding takes it, its caller vouching for the length.
    let err = bar_sum.typed::<(Ptr<f64>, i32), f64>().unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    // SAFETY: foo.c: `double bar_sum(const double *data, int len)` reads len
    // doubles from data; p points to x's 6 doubles, alive and unwritten
    // during the call, and the count passed is 6.
    let typed = unsafe { foo.typed::<(Ptr<f64>, i32), f64>("bar_sum") }.unwrap();
    assert_eq!(typed.call((p, 6)), 15.0);

    let mean = lib("mean");
    let scale = scale_floats();
    let err = scale.typed::<(PtrMut<f32>, i32, f32), ()>().unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    // SAFETY: mean.c: `void scale_floats(float *A, int n, float factor)`
    // reads and writes n floats of A; p points to v's 3 floats, borrowed
    // mutably for the call, and the count passed is 3.
    let typed = unsafe { mean.typed::<(PtrMut<f32>, i32, f32), ()>("scale_floats") }.unwrap();
    let mut v = vec![1.0f32, 2.0, 3.0];
    let p = v.ctypes_mut().data_as_mut::<f32>().unwrap();
    typed.call((p, 3, 10.0));
    assert_eq!(v, [10.0, 20.0, 30.0]);
    let p = v.ctypes_mut().data_as_mut::<f32>().unwrap();
    scale.call(&[p.into(), 3.into(), 0.5.into()]).unwrap();
    assert_eq!(v, [5.0, 10.0, 15.0]);
    // A read-only pointer never goes where C writes.
    let p = v.ctypes().data_as::<f32>().unwrap();
    let err = scale.call(&[p.into(), 3.into(), 2.0.into()]).unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    assert!(scale.typed::<(Ptr<f32>, i32, f32), ()>().is_err());
}

#[test]
fn ctypes_view_passes_as_the_array() {
    let f = forward(ndpointer().ndim(3));
    let x = Array3::<f64>::zeros((2, 3, 4));
    let c = x.ctypes();
    accepted(&f, (&c).into());
    accepted(&f, c.as_parameter());
}

// ---- writes, read-only memory and contiguity ----

#[test]
fn read_only_arrays_are_refused_where_c_writes() {
    let x = Array1::<f64>::zeros(3);
    let f = forward(ndpointer().flags("W"));
    assert_eq!(
        refused(&f, (&x).into()),
        "array must have flags ['WRITEABLE']"
    );
    let mut y = x.clone();
    accepted(&f, (&mut y).into());

    // An ndpointer not declared read_only means C may write.
    let p = ndpointer().dtype("f8").build().unwrap();
    // SAFETY: arrays.c: `void *forward_pointer(void *p)` returns p, reading
    // and writing nothing through it.
    let g =
        unsafe { lib("arrays").function("forward_pointer", &[p.into()], CType::VoidP) }.unwrap();
    let err = g.call(&[(&x).into()]).unwrap_err();
    assert!(err.to_string().contains("array is read-only"), "{err}");
    assert!(g.call(&[(&mut y).into()]).is_ok());
    let v = ndarray::ArrayView1::from(&[1.0f64, 2.0][..]);
    assert!(g.call(&[(&v).into()]).is_err());
}

#[test]
fn owndata_tells_arrays_from_views() {
    let f = forward(ndpointer().flags("O"));
    let x = Array1::<f64>::zeros(4);
    accepted(&f, (&x).into());
    accepted(&f, (&vec![1u8, 2]).into());
    accepted(&f, (&NdArray::zeros("f4", &[2]).unwrap()).into());
    assert_eq!(
        refused(&f, (&x.view()).into()),
        "array must have flags ['OWNDATA']"
    );
    assert_eq!(
        refused(&f, (&[1u8, 2][..]).into()),
        "array must have flags ['OWNDATA']"
    );
    let shared = x.to_shared();
    accepted(&f, (&shared).into());
}

#[test]
fn compute_mean_over_a_strided_slice() {
    let mean = compute_mean_nd();
    let a = Array2::from_shape_fn((4, 3), |(i, j)| (i * 3 + j) as f32);
    let first_row = a.row(0);
    assert_eq!(call_as::<f32>(&mean, &[(&first_row).into(), 3.into()]), 1.0);
    // The blog's pitfall: a column is not contiguous.
    let column = a.column(1);
    let err = mean.call(&[(&column).into(), 4.into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "compute_mean: argument 1: array must have flags ['C_CONTIGUOUS'], given ['ALIGNED']"
    );
    let fixed = ascontiguousarray(&column);
    assert!(fixed.is_owned());
    let m = mean.call(&[(&fixed).into(), 4.into()]).unwrap();
    assert_eq!(m.to::<f32>().unwrap(), (1.0 + 4.0 + 7.0 + 10.0) / 4.0);
    // Already contiguous: no copy, the same memory.
    let row = ascontiguousarray(&first_row);
    assert!(row.is_view());
    assert_eq!(row.as_ptr(), a.as_ptr());
    // Its length and n must agree.
    let err = mean.call(&[(&first_row).into(), 4.into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "compute_mean: argument 1: array must have shape (4,), given (3,)"
    );
}

#[test]
fn plain_pointers_take_only_c_contiguous_arrays() {
    let mean = compute_mean();
    let a = Array2::from_shape_fn((3, 3), |(i, j)| (i * 3 + j) as f32);
    let m = mean.call(&[(&a).into(), 9.into()]).unwrap();
    assert_eq!(m.to::<f32>().unwrap(), 4.0);
    let err = mean.call(&[(&a).into(), 10.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    let t = a.t();
    let err = mean.call(&[(&t).into(), 9.into()]).unwrap_err();
    assert!(err.to_string().contains("not C-contiguous"), "{err}");
    let m = mean
        .call(&[(&ascontiguousarray(&t)).into(), 3.into()])
        .unwrap();
    assert_eq!(m.to::<f32>().unwrap(), 3.0); // 0, 3, 6
}

#[test]
fn write_back_reaches_a_strided_original() {
    let p = ndpointer()
        .dtype_of::<f32>()
        .ndim(1)
        .shape([Dim::Arg(2)])
        .flags("C,W")
        .build()
        .unwrap();
    // SAFETY: mean.c: `void scale_floats(float *A, int n, float factor)`
    // reads and writes n floats of A; the ndpointer's shape is n, it is
    // writable and not nullable.
    let scale = unsafe {
        lib("mean").function(
            "scale_floats",
            &[p.into(), CType::Int, CType::Float],
            CType::Void,
        )
    }
    .unwrap();
    let mut a = Array2::<f32>::ones((3, 4));
    {
        let mut column = a.column_mut(2);
        let mut w = ascontiguousarray_mut(&mut column);
        assert!(w.is_copy());
        assert!(w.ctypes_mut().flags().contains(Flags::WRITEBACKIFCOPY));
        scale
            .call(&[(&mut w).into(), 3.into(), 5.0.into()])
            .unwrap();
    }
    assert_eq!(a.column(2).to_vec(), [5.0; 3]);
    assert_eq!(a.column(1).to_vec(), [1.0; 3]);
    let mut row = a.row_mut(0);
    let mut w = ascontiguousarray_mut(&mut row);
    assert!(!w.is_copy());
    scale
        .call(&[(&mut w).into(), 4.into(), 2.0.into()])
        .unwrap();
    w.finish();
    assert_eq!(a.row(0).to_vec(), [2.0, 2.0, 10.0, 2.0]);
}

// ---- the seed programs ----

fn fib_lib_functions() -> (CFunc, CFunc) {
    let lib = lib("fibonacci");
    let ints = |shape: Vec<Dim>| {
        ndpointer()
            .dtype("intc")
            .ndim(shape.len())
            .shape(shape)
            .flags("C_CONTIGUOUS")
    };
    let input = |shape| ints(shape).read_only().build().unwrap().into();
    let output = |shape| ints(shape).build().unwrap().into();
    // SAFETY: fibonacci.c: `void fibseries(int *a, int elements, int *series)`
    // reads `elements` ints from a and writes as many to series; `void
    // fibmatrix(int *a, int rows, int columns, int *matrix)` reads
    // rows*columns ints from a and writes as many to matrix. The ndpointers'
    // shapes pin those lengths, only the outputs are writable, and none is
    // nullable.
    unsafe {
        (
            lib.function(
                "fibseries",
                &[
                    input(vec![Dim::Arg(2)]),
                    CType::Int,
                    output(vec![Dim::Arg(2)]),
                ],
                CType::Void,
            )
            .unwrap(),
            lib.function(
                "fibmatrix",
                &[
                    input(vec![Dim::Arg(2), Dim::Arg(3)]),
                    CType::Int,
                    CType::Int,
                    output(vec![Dim::Arg(2), Dim::Arg(3)]),
                ],
                CType::Void,
            )
            .unwrap(),
        )
    }
}

#[test]
fn fibseries_and_fibmatrix_with_ndarray() {
    let (fibseries, fibmatrix) = fib_lib_functions();
    let b = Array1::from(vec![1, 2, 3, 4, 5, 6, 7, 8]);
    let mut result = Array1::<i32>::zeros(b.len());
    fibseries
        .call(&[(&b).into(), 8.into(), (&mut result).into()])
        .unwrap();
    assert_eq!(result.to_vec(), [0, 1, 1, 2, 3, 5, 8, 13]);
    let b = vec![5, 13, 2, 6];
    let mut result = vec![0; 4];
    fibseries
        .call(&[(&b).into(), 4.into(), (&mut result).into()])
        .unwrap();
    assert_eq!(result, [3, 144, 1, 5]);

    let c = arr2(&[[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    let mut m = Array2::<i32>::zeros(c.raw_dim());
    fibmatrix
        .call(&[(&c).into(), 3.into(), 3.into(), (&mut m).into()])
        .unwrap();
    assert_eq!(m, arr2(&[[0, 1, 1], [2, 3, 5], [8, 13, 21]]));

    let ct = c.t();
    let err = fibmatrix
        .call(&[(&ct).into(), 3.into(), 3.into(), (&mut m).into()])
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("fibmatrix: argument 1: array must have flags ['C_CONTIGUOUS']")
    );
    let rect = arr2(&[[3, 4], [5, 6]]);
    let err = fibmatrix
        .call(&[(&rect).into(), 2.into(), 2.into(), (&mut m).into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fibmatrix: argument 4: array must have shape (2, 2), given (3, 3)"
    );
    let mut out = Array2::<i32>::zeros((2, 2));
    fibmatrix
        .call(&[(&rect).into(), 2.into(), 2.into(), (&mut out).into()])
        .unwrap();
    assert_eq!(out, arr2(&[[1, 2], [3, 5]]));
    let wide = Array1::from(vec![1i64, 2]);
    let err = fibseries
        .call(&[(&wide).into(), 2.into(), (&mut out).into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fibseries: argument 1: array must have data type int32, given int64"
    );
}

#[test]
fn fibmatrix_fills_an_array_allocated_from_a_type_code() {
    let (_, fibmatrix) = fib_lib_functions();
    // The allocator pattern: C names the type with a character.
    let mut out = NdArray::zeros(DType::from_char('i').unwrap(), &[2, 3]).unwrap();
    let input = NdArray::from_vec(vec![1i32, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
    fibmatrix
        .call(&[(&input).into(), 2.into(), 3.into(), (&mut out).into()])
        .unwrap();
    assert_eq!(
        out.view::<i32>().unwrap(),
        arr2(&[[0, 1, 1], [2, 3, 5]]).into_dyn()
    );
    assert_eq!(out.get::<i32>(&[1, 2]).unwrap(), 5);
    let fortran = NdArray::zeros_in("i", &[2, 3], ndarray::Order::F).unwrap();
    assert_eq!(fortran.strides(), &[4, 8]);
    let err = fibmatrix
        .call(&[(&input).into(), 2.into(), 3.into(), (&fortran).into()])
        .unwrap_err();
    assert!(err.to_string().contains("['C_CONTIGUOUS']"), "{err}");
    let as_array = out.into_array::<i32>().unwrap();
    assert_eq!(as_array.shape(), &[2, 3]);
}

#[test]
fn bar_with_an_f64_ndpointer() {
    let p = ndpointer().dtype("f8").build().unwrap();
    // SAFETY: foo.c: `int bar(double *data, int len)` reads (and prints) len
    // doubles of data and returns len + 1. The ndpointer states no shape, so
    // every call here passes len = the array's length.
    let bar = unsafe { lib("foo").function("bar", &[p.into(), CType::Int], CType::Int) }.unwrap();
    let mut x = Array1::from(vec![0.5, -1.25, 3.0]);
    let n = bar.call(&[(&mut x).into(), 3.into()]).unwrap();
    assert_eq!(n.to::<i32>().unwrap(), 4);
    let mut wrong = Array1::<f32>::zeros(3);
    let err = bar.call(&[(&mut wrong).into(), 3.into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bar: argument 1: array must have data type float64, given float32"
    );
}

#[test]
fn nullable_ndpointers_pass_null() {
    let arrays = lib("arrays");
    let spec = ndpointer().dtype("f8").ndim(1).read_only();
    // SAFETY: arrays.c: `double sum_or_minus_one(const double *data, int n)`
    // returns -1 for NULL data, and otherwise reads n doubles of it; the
    // ndpointers state no shape, so every call here passes n = the array's
    // length (0 with NULL).
    let (nullable, strict) = unsafe {
        (
            arrays.function(
                "sum_or_minus_one",
                &[spec.clone().nullable().build().unwrap().into(), CType::Int],
                CType::Double,
            ),
            arrays.function(
                "sum_or_minus_one",
                &[spec.build().unwrap().into(), CType::Int],
                CType::Double,
            ),
        )
    };
    let (nullable, strict) = (nullable.unwrap(), strict.unwrap());
    let r = nullable.call(&[Value::Null, 0.into()]).unwrap();
    assert_eq!(r.to::<f64>().unwrap(), -1.0);
    let x = [1.0, 2.0];
    let r = nullable.call(&[(&x).into(), 2.into()]).unwrap();
    assert_eq!(r.to::<f64>().unwrap(), 3.0);
    let none: Option<&[f64]> = None;
    let r = nullable.call(&[none.into(), 0.into()]).unwrap();
    assert_eq!(r.to::<f64>().unwrap(), -1.0);
    let err = strict.call(&[Value::Null, 0.into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sum_or_minus_one: argument 1: argument must be an ndarray, \
         given null (declare the ndpointer nullable to pass NULL)"
    );
}

#[test]
fn shapes_refer_only_to_integer_arguments() {
    let arrays = lib("arrays");
    let bad = |shape: Dim, args: Vec<CType>| {
        let mut all = vec![ndpointer().shape([shape]).build().unwrap().into()];
        all.extend(args);
        // SAFETY: binding fails before any call.
        unsafe { arrays.function("sum_or_minus_one", &all, CType::Double) }.unwrap_err()
    };
    let err = bad(Dim::Arg(2), vec![CType::Double]);
    assert!(
        err.to_string()
            .contains("declared c_double, not an integer"),
        "{err}"
    );
    let err = bad(Dim::Arg(3), vec![CType::Int]);
    assert!(err.to_string().contains("there are 2 arguments"), "{err}");
    let err = bad(Dim::Arg(1), vec![CType::Int]);
    assert!(err.to_string().contains("refers to itself"), "{err}");
    assert!(ndpointer().shape([Dim::Arg(0)]).build().is_err());
    let result = ndpointer().shape([Dim::Arg(1)]).build().unwrap();
    // SAFETY: binding fails before any call.
    let err =
        unsafe { arrays.function("forward_pointer", &[CType::Int], result.into()) }.unwrap_err();
    assert!(err.to_string().contains("result's shape"), "{err}");
    // The referenced argument must hold an integer at the call.
    let mean = compute_mean_nd();
    let x = [1.0f32];
    let err = mean.call(&[(&x).into(), 1.5.into()]).unwrap_err();
    assert!(
        err.to_string()
            .contains("the shape refers to argument 2, which must be an integer"),
        "{err}"
    );
}

#[test]
fn typed_calls_refuse_ndpointer_signatures() {
    let mean = compute_mean_nd();
    let err = mean.typed::<(&[f32], i32), f32>().unwrap_err();
    assert!(err.to_string().contains("ndpointer"), "{err}");
}

// ---- records ----

fn weather_dtype(align: bool) -> DType {
    DType::record([("timestamp", dt("i4")), ("desc", dt("|S12"))], align).unwrap()
}

fn desc(s: &str) -> [u8; 12] {
    let mut b = [0u8; 12];
    b[..s.len()].copy_from_slice(s.as_bytes());
    b
}

#[test]
fn weather_records_reach_c() {
    let sample = lib("sample");
    let weather = weather_dtype(false);
    assert_eq!(weather, weather_dtype(true)); // 4 + 12 bytes: no padding
    assert_eq!(weather.itemsize(), 16);
    let arg = ndpointer()
        .dtype(&weather)
        .flags("aligned, contiguous")
        .read_only()
        .build()
        .unwrap();
    // SAFETY: sample.c: `long long sum_timestamps(const Weather *w, int
    // nelems)` reads nelems records of w; `int find_weather(const Weather *w,
    // int nelems, const char *desc)` reads as many and desc, a string. Every
    // call here passes nelems = the array's length; nothing may be NULL.
    let (sum, find) = unsafe {
        (
            sample
                .function(
                    "sum_timestamps",
                    &[arg.clone().into(), CType::Int],
                    CType::LongLong,
                )
                .unwrap(),
            sample
                .function(
                    "find_weather",
                    &[arg.into(), CType::Int, CType::CharP],
                    CType::Int,
                )
                .unwrap(),
        )
    };
    let data = [
        (1126877361, "sunny"),
        (1126877371, "rain"),
        (1126877385, "damn nasty"),
        (1126877387, "sunny"),
    ];
    let mut arr = NdArray::zeros(&weather, &[4]).unwrap();
    for (i, (t, d)) in data.iter().enumerate() {
        arr.set_field(&[i], "timestamp", *t).unwrap();
        arr.set_field(&[i], "desc", desc(d)).unwrap();
    }
    let total: i64 = data.iter().map(|(t, _)| i64::from(*t)).sum();
    let got = sum.call(&[(&arr).into(), 4.into()]).unwrap();
    assert_eq!(got.to::<i64>().unwrap(), total);
    let got = find.call(&[(&arr).into(), 4.into(), "damn nasty".into()]);
    assert_eq!(got.unwrap().to::<i32>().unwrap(), 2);
    assert_eq!(
        arr.get_field::<[u8; 12]>(&[1], "desc").unwrap(),
        desc("rain")
    );
    let stamps = arr.field::<i32>("timestamp").unwrap();
    assert_eq!(stamps[[3]], 1126877387);
    assert!(arr.field::<[u8; 12]>("desc").is_err()); // 16-byte records, 12-byte items
    assert!(arr.get_field::<i64>(&[0], "timestamp").is_err());
    assert!(arr.get_field::<i32>(&[4], "timestamp").is_err());
    assert!(arr.get_field::<i32>(&[0], "pressure").is_err());
}

#[test]
fn padded_records_follow_c_layout() {
    let sample = lib("sample");
    let fields = || [("c", dt("i1")), ("d", dt("f8"))];
    let aligned = DType::record(fields(), true).unwrap();
    let packed = DType::record(fields(), false).unwrap();
    assert_eq!((aligned.itemsize(), packed.itemsize()), (16, 9));
    let arg = ndpointer()
        .dtype(&aligned)
        .flags("C,A")
        .read_only()
        .build()
        .unwrap();
    // SAFETY: sample.c: `double sum_padded(const Padded *p, int nelems)`
    // reads nelems `struct { char c; double d; }` records of p (not NULL);
    // every call here passes nelems = the array's length.
    let sum =
        unsafe { sample.function("sum_padded", &[arg.into(), CType::Int], CType::Double) }.unwrap();
    let mut arr = NdArray::zeros(&aligned, &[3]).unwrap();
    for i in 0..3 {
        arr.set_field(&[i], "c", i as i8 + 1).unwrap();
        arr.set_field(&[i], "d", 0.25 * i as f64).unwrap();
    }
    let got = sum.call(&[(&arr).into(), 3.into()]).unwrap();
    assert_eq!(got.to::<f64>().unwrap(), 6.0 + 0.75);
    let wrong = NdArray::zeros(&packed, &[3]).unwrap();
    let err = sum.call(&[(&wrong).into(), 3.into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sum_padded: argument 1: array must have data type {'names': ['c', 'd'], \
         'formats': ['i1', '<f8'], 'offsets': [0, 8], 'itemsize': 16, 'aligned': True}, \
         given [('c', 'i1'), ('d', '<f8')]"
    );
}

// ---- descriptors of every kind of array ----

#[test]
fn descriptors_of_slices_vecs_and_views() {
    let describe = |v: Value<'_>| match v {
        Value::Array(a) => (
            a.shape().to_vec(),
            a.strides().collect::<Vec<_>>(),
            a.flags(),
        ),
        _ => unreachable!(),
    };
    let s = [1i16, 2, 3];
    let (shape, strides, flags) = describe((&s[..]).into());
    assert_eq!((shape, strides), (vec![3], vec![2]));
    assert_eq!(
        flags,
        Flags::C_CONTIGUOUS | Flags::F_CONTIGUOUS | Flags::ALIGNED
    );
    let mut v = vec![1u8; 5];
    let (_, _, flags) = describe((&mut v).into());
    assert!(flags.contains(Flags::WRITEABLE | Flags::OWNDATA));
    let a = Array3::<f32>::zeros((2, 3, 4));
    let p = a.permuted_axes([2, 0, 1]);
    let (shape, strides, flags) = describe((&p).into());
    assert_eq!((shape, strides), (vec![4, 2, 3], vec![4, 48, 16]));
    assert!(!flags.contains(Flags::C_CONTIGUOUS) && !flags.contains(Flags::F_CONTIGUOUS));
    let d = p.into_dyn();
    assert_eq!(describe((&d).into()).0, vec![4, 2, 3]);
}
