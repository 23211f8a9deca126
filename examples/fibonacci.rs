//! The cookbook's Fibonacci example: `fib`, `fibseries` and `fibmatrix` called
//! with Rust arrays, dynamically and through the typed layer.

use rctypes::{CType, Extent};

fn main() -> rctypes::Result<()> {
    // SAFETY: the project's own libfibonacci has no initialisers.
    let lib = unsafe { rctypes::load_library("libfibonacci", rctypes_csrc::DIR)? };
    // fibseries reads and writes `elements` (argument 2) ints; fibmatrix
    // `rows * columns` (arguments 2 and 3).
    let series = Extent::ElementsFromArg(2);
    let matrix = Extent::ElementsFromArgs(2, 3);
    let int_in = CType::const_pointer(CType::Int);
    let int_out = CType::pointer(CType::Int);
    // SAFETY: fibonacci.c's signatures, with those extents; no pointer may
    // be NULL.
    let (int_in, int_out, int_in_m, int_out_m) = (
        int_in.clone().extent(series),
        int_out.clone().extent(series),
        int_in.extent(matrix),
        int_out.extent(matrix),
    );
    let (fib, fibseries, fibmatrix) = unsafe {
        (
            lib.function("fib", &[CType::Int], CType::Int)?,
            lib.function(
                "fibseries",
                &[int_in.clone(), CType::Int, int_out.clone()],
                CType::Void,
            )?,
            lib.function(
                "fibmatrix",
                &[int_in_m, CType::Int, CType::Int, int_out_m],
                CType::Void,
            )?,
        )
    };

    for n in [8, 23, 0] {
        let f: i32 = fib.invoke((n,))?;
        println!("fib({n}) = {f}");
    }
    assert_eq!(fib.invoke::<i32>((8,))?, 13);

    let b = [1, 2, 3, 4, 5, 6, 7, 8];
    let mut series = [0i32; 8];
    let () = fibseries.invoke((&b, b.len() as i32, &mut series))?;
    println!("fibseries({b:?}) = {series:?}");
    assert_eq!(series, [0, 1, 1, 2, 3, 5, 8, 13]);

    // An array shorter than the count is refused before C reads past it.
    let mut out = [0i32; 4];
    let err = fibseries
        .invoke::<()>((&[5, 13, 2, 6], 5, &mut out))
        .unwrap_err();
    println!("refused: {err}");
    let () = fibseries.invoke((&[5, 13, 2, 6], 4, &mut out))?;
    println!("fibseries([5, 13, 2, 6]) = {out:?}");
    assert_eq!(out, [3, 144, 1, 5]);

    let c = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    let mut matrix = [0i32; 9];
    let () = fibmatrix.invoke((&c, 3, 3, &mut matrix))?;
    println!("fibmatrix:");
    for row in matrix.chunks(3) {
        println!("  {row:?}");
    }
    assert_eq!(matrix, [0, 1, 1, 2, 3, 5, 8, 13, 21]);
    Ok(())
}
