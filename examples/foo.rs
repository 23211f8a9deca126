//! The cookbook's first example: `int bar(double *data, int len)` called on a
//! buffer of doubles. `bar` prints what it received and returns `len + 1`.

use rctypes::{CType, Extent};

fn main() -> rctypes::Result<()> {
    // numpy.ctypeslib.load_library('libfoo', '.')
    // SAFETY: the project's own libfoo has no initialisers.
    let libfoo = unsafe { rctypes::load_library("libfoo", rctypes_csrc::DIR)? };
    // _foo.bar.restype = c_int; _foo.bar.argtypes = [POINTER(c_double), c_int]
    let doubles = Extent::ElementsFromArg(2);
    // SAFETY: bar reads `len` doubles from `data` (not NULL) and returns an int.
    let bar = unsafe {
        libfoo.function(
            "bar",
            &[CType::pointer(CType::Double).extent(doubles), CType::Int],
            CType::Int,
        )?
    };

    let mut x = vec![0.25, -1.5, 3.0, 2.0];
    let len = x.len() as i32;
    // n = bar(x)
    let n: i32 = bar.invoke((&mut x, len))?;
    println!("bar returned {n}");
    assert_eq!(n, len + 1);

    // The checkable sibling: the sum of the buffer.
    // SAFETY: bar_sum only reads `len` doubles from `data`, not NULL.
    let bar_sum = unsafe {
        libfoo.function(
            "bar_sum",
            &[
                CType::const_pointer(CType::Double).extent(doubles),
                CType::Int,
            ],
            CType::Double,
        )?
    };
    let sum: f64 = bar_sum.invoke((&x, len))?;
    println!("bar_sum returned {sum}");
    assert_eq!(sum, 3.75);
    Ok(())
}
