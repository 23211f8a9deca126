//! A tour of `numpy.ctypeslib` in Rust: ndarray arrays passed to C without
//! copying, `ndpointer` argument types, the `.ctypes` view, and the
//! contiguity pitfall.
//!
//! Run with `cargo run --example arrays`.

use ndarray::{Array1, Array2, Array3, s};
use rctypes::{AsCtypes, CType, Dim, Error, Extent, ascontiguousarray, load_library, ndpointer};

fn main() -> Result<(), Error> {
    let dir = rctypes_csrc::DIR;
    // SAFETY: the project's own C libraries have no initialisers.
    let (fibonacci, mean, libfoo, arrays) = unsafe {
        (
            load_library("fibonacci", dir)?,
            load_library("mean", dir)?,
            load_library("foo", dir)?,
            load_library("arrays", dir)?,
        )
    };

    // --- ndpointer argtypes: the cookbook's fibmatrix ---
    // A C-contiguous 2-d array of C ints whose shape is (rows, columns):
    // the two int arguments that follow it.
    let matrix = || {
        ndpointer()
            .dtype("intc")
            .ndim(2)
            .shape([Dim::Arg(2), Dim::Arg(3)])
            .flags("C_CONTIGUOUS")
    };
    // SAFETY: fibonacci.c defines `void fibmatrix(int *a, int rows, int
    // columns, int *matrix)`, reading and writing rows * columns ints.
    let fibmatrix = unsafe {
        fibonacci.function(
            "fibmatrix",
            &[
                matrix().read_only().build()?.into(),
                CType::Int,
                CType::Int,
                matrix().build()?.into(),
            ],
            CType::Void,
        )?
    };
    let c = Array2::from_shape_fn((3, 3), |(i, j)| (3 * i + j + 1) as i32);
    let mut result = Array2::<i32>::zeros((3, 3));
    fibmatrix.call(&[(&c).into(), 3.into(), 3.into(), (&mut result).into()])?;
    println!("fibmatrix(\n{c}\n) =\n{result}");
    // The checks speak numpy: a transposed view is not C-contiguous.
    let err = fibmatrix
        .call(&[(&c.t()).into(), 3.into(), 3.into(), (&mut result).into()])
        .unwrap_err();
    println!("fibmatrix(c.T): {err}");

    // --- the `.ctypes` view, as the cookbook prints it ---
    let x = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f64);
    let ct = x.ctypes();
    println!("x.ctypes.data       = {:#x}", ct.data());
    println!("x.ctypes.shape[:3]  = {:?}", ct.shape());
    println!("x.ctypes.strides[:3] = {:?}", ct.strides());
    println!("x.ctypes.flags      = {}", ct.flags());
    // C walks any layout given the data, the dimensions and the strides.
    let any_layout = ndpointer().dtype("f8").read_only().build()?;
    // shape and strides hold ndim (argument 2) entries each.
    let intp = || CType::const_pointer(CType::IntP).extent(Extent::ElementsFromArg(2));
    // SAFETY: arrays.c defines `double strided_sum(const void *data, int
    // ndim, const intptr_t *shape, const intptr_t *strides)`, which reads
    // the elements that shape and strides (ndim each, not NULL) locate in
    // data; those come from the array passed, so C stays inside it.
    let strided_sum = unsafe {
        arrays.function(
            "strided_sum",
            &[any_layout.into(), CType::Int, intp(), intp()],
            CType::Double,
        )?
    };
    let every_other = x.slice(s![.., ..;2, ..;-1]);
    let cv = every_other.ctypes();
    let total = strided_sum.call(&[
        (&every_other).into(),
        (cv.ndim() as i32).into(),
        cv.shape().into(),
        cv.strides().into(),
    ])?;
    println!(
        "strided_sum(x[:, ::2, ::-1]) with strides {:?} = {} (Rust: {})",
        cv.strides(),
        total.to::<f64>()?,
        every_other.sum()
    );
    // data_as gives a typed pointer that keeps `x` borrowed: it cannot dangle.
    let p = ct.data_as::<f64>()?;
    println!("x.ctypes.data_as(POINTER(c_double)) = {p:?}");

    // --- compute_mean and the contiguity pitfall ---
    let vector = ndpointer()
        .dtype("float32")
        .ndim(1)
        .shape([Dim::Arg(2)])
        .flags("C_CONTIGUOUS")
        .read_only();
    // SAFETY: mean.c defines `float compute_mean(float *A, int n)`; it reads n floats.
    let compute_mean = unsafe {
        mean.function(
            "compute_mean",
            &[vector.build()?.into(), CType::Int],
            CType::Float,
        )?
    };
    let a = Array2::from_shape_fn((4, 5), |(i, j)| (5 * i + j) as f32);
    let row = a.row(1);
    let m = compute_mean.call(&[(&row).into(), 5.into()])?;
    println!("compute_mean(a[1]) = {}", m.to::<f32>()?);
    let column = a.column(1);
    match compute_mean.call(&[(&column).into(), 4.into()]) {
        Ok(_) => unreachable!("a strided column is refused"),
        Err(e) => println!("compute_mean(a[:, 1]): {e}"),
    }
    let column = ascontiguousarray(&column); // a copy: the column was strided
    let m = compute_mean.call(&[(&column).into(), 4.into()])?;
    println!(
        "compute_mean(ascontiguousarray(a[:, 1])) = {} (copied: {})",
        m.to::<f32>()?,
        column.is_owned()
    );

    // --- bar with ndpointer(dtype=f64) ---
    // SAFETY: foo.c defines `int bar(double *data, int len)`; it prints the
    // buffer and returns len + 1.
    let bar = unsafe {
        libfoo.function(
            "bar",
            &[ndpointer().dtype("f8").build()?.into(), CType::Int],
            CType::Int,
        )?
    };
    let mut data = Array1::linspace(0.0, 1.0, 4);
    let n = bar.call(&[(&mut data).into(), 4.into()])?;
    println!("bar returned {}", n.to::<i32>()?);
    Ok(())
}
