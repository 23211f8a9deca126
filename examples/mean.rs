//! The blog post's `float compute_mean(float *A, int n)` over a float32 array.

use rctypes::{CType, Extent};

fn main() -> rctypes::Result<()> {
    // ctypes.cdll.LoadLibrary('./lib.so')
    // SAFETY: the project's own libmean has no initialisers.
    let lib = unsafe { rctypes::Library::open(rctypes_csrc::library("mean"))? };
    // lib.compute_mean.restype = ctypes.c_float
    // SAFETY: compute_mean reads n floats from A, not NULL.
    let compute_mean = unsafe {
        lib.function(
            "compute_mean",
            &[
                CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(2)),
                CType::Int,
            ],
            CType::Float,
        )?
    };

    let a: Vec<f32> = (0..10).map(|i| i as f32 * 0.5).collect();
    // mean = lib.compute_mean(ctypes.c_void_p(A.ctypes.data), ctypes.c_int(n))
    let mean: f32 = compute_mean.invoke((&a, a.len() as i32))?;
    let expected = a.iter().sum::<f32>() / a.len() as f32;
    println!("mean of {a:?} = {mean}");
    assert_eq!(mean, expected);
    Ok(())
}
