//! A file of float32 values mapped into memory and handed to C
//! (numpy.memmap): C averages it with `compute_mean` and scales it in place,
//! the changes reach the file, and a read-only map of it shows them.

use rctypes::{CType, Extent, Memmap};

fn main() -> rctypes::Result<()> {
    // SAFETY: the project's own libmean has no initialisers.
    let lib = unsafe { rctypes::load_library("mean", rctypes_csrc::DIR)? };
    let n_floats = Extent::ElementsFromArg(2);
    // SAFETY: mean.c defines `float compute_mean(float *A, int n)`, which
    // reads n floats, and `void scale_floats(float *A, int n, float factor)`,
    // which multiplies them in place; A is never NULL.
    let (compute_mean, scale_floats) = unsafe {
        (
            lib.function(
                "compute_mean",
                &[
                    CType::const_pointer(CType::Float).extent(n_floats),
                    CType::Int,
                ],
                CType::Float,
            )?,
            lib.function(
                "scale_floats",
                &[
                    CType::pointer(CType::Float).extent(n_floats),
                    CType::Int,
                    CType::Float,
                ],
                CType::Void,
            )?,
        )
    };

    // A temporary folder, removed (with the file) at the end of main.
    let dir = tempfile::tempdir().map_err(|e| rctypes::Error::Array {
        message: format!("cannot make a temporary folder: {e}"),
    })?;
    let path = dir.path().join("values.f32");
    let n = 8;

    // fp = np.memmap(path, dtype='float32', mode='w+', shape=(8,))
    // SAFETY: the file is new and ours alone: nothing else changes it while
    // it is mapped.
    let mut fp = unsafe {
        Memmap::options()
            .dtype("float32")
            .mode("w+")
            .shape(n)
            .open(&path)?
    };
    for (i, x) in fp.view_mut::<f32>()?.iter_mut().enumerate() {
        *x = i as f32;
    }
    println!("{fp:?}");
    println!("written: {}", fp.view::<f32>()?);

    // lib.compute_mean(fp.ctypes.data_as(POINTER(c_float)), 8)
    let mean = compute_mean
        .call(&[(&fp).into(), (n as i32).into()])?
        .to::<f32>()?;
    println!("compute_mean = {mean}");
    assert_eq!(mean, 3.5);

    // C writes into the file's memory; flush() makes sure it reaches the file.
    scale_floats.call(&[(&mut fp).into(), (n as i32).into(), 10.0f32.into()])?;
    fp.flush()?;
    drop(fp);

    // np.memmap(path, dtype='float32', mode='r'): the shape comes from the file.
    // SAFETY: as above; the writable map is gone.
    let mut again = unsafe { Memmap::open(&path, "float32", "r")? };
    println!(
        "mapped again read-only: {} (flags {})",
        again.view::<f32>()?,
        again.flags()
    );
    let persisted: Vec<f32> = again.view::<f32>()?.iter().copied().collect();
    assert_eq!(
        persisted,
        (0..n).map(|i| i as f32 * 10.0).collect::<Vec<_>>()
    );

    // A read-only map never goes where C writes, even from `&mut`.
    let err = scale_floats
        .call(&[(&mut again).into(), (n as i32).into(), 2.0f32.into()])
        .unwrap_err();
    println!("scale_floats on the read-only map -> {err}");
    Ok(())
}
