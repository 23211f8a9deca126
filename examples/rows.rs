//! The SciPy Cookbook's pointer-to-pointer rows: a 2-D array handed to
//! `void foo(float **data, int len)` as one pointer per row.
//!
//! Run with `cargo run --example rows`.

use ndarray::{array, s};
use rctypes::{CType, Extent, Library, RowPointers, RowPointersMut, Value};

fn main() -> Result<(), rctypes::Error> {
    // SAFETY: our own rows library, with no initialisers.
    let lib = unsafe { rctypes::load_library("rows", rctypes_csrc::DIR)? };
    // SAFETY: `int fflush(FILE *)`; NULL flushes every stream.
    let fflush = unsafe {
        Library::this()?.function("fflush", &[CType::handle("FILE").nullable()], CType::Int)?
    };
    // `len` rows (argument 2), each of `ncols` floats (argument 3); foo reads
    // only the first of each.
    let rows = Extent::ElementsFromArg(2);
    let cols = Extent::ElementsFromArg(3);
    let first = CType::pointer(CType::pointer(CType::Float).extent(Extent::Elements(1)));
    let float_pp = CType::pointer(CType::pointer(CType::Float).extent(cols)).extent(rows);
    let const_pp =
        CType::const_pointer(CType::const_pointer(CType::Float).extent(cols)).extent(rows);
    // SAFETY: rows.c: foo reads the first element of `len` rows; rows_sum reads
    // `len` rows of `ncols` floats; rows_scale multiplies them in place; no
    // pointer is NULL.
    let (foo_fn, rows_sum, rows_scale) = unsafe {
        (
            lib.function("foo", &[first.extent(rows), CType::Int], CType::Void)?,
            lib.function(
                "rows_sum",
                &[const_pp, CType::Int, CType::Int],
                CType::Float,
            )?,
            lib.function(
                "rows_scale",
                &[float_pp, CType::Int, CType::Int, CType::Float],
                CType::Void,
            )?,
        )
    };

    let mut x = array![
        [10.0f32, 20.0, 30.0],
        [40.0, 50.0, 60.0],
        [80.0, 90.0, 100.0]
    ];
    let len = x.nrows() as i32;

    // foo declares `float **`, so it gets the rows mutably borrowed.
    let mut rows = RowPointersMut::new(x.view_mut())?;
    let () = foo_fn.invoke((&mut rows, len))?;
    let _: i32 = fflush.invoke((Value::Null,))?;

    // A read-only view goes where C only reads.
    let rows = RowPointers::new(x.view())?;
    let total: f32 = rows_sum.invoke((&rows, len, 3))?;
    println!("sum of all rows: {total}");

    // Rows may be any slice of rows; here the last two, halved.
    let mut rows = RowPointersMut::new(x.slice_mut(s![1.., ..]))?;
    let () = rows_scale.invoke((&mut rows, 2, 3, 0.5))?;
    println!("after halving the last two rows:\n{x}");

    // A row whose elements are not contiguous cannot be a `float *`.
    match RowPointers::new(x.t()) {
        Ok(_) => unreachable!("the transpose has strided rows"),
        Err(e) => println!("the transpose: {e}"),
    }
    Ok(())
}
