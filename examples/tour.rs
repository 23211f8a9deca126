//! A tour of rctypes: each step is one thing ctypes or numpy.ctypeslib does,
//! done here against the project's own C libraries and libc.

use rctypes::{CType, Library, LongDouble, StringBuffer, TypedCFunc, Value};

fn step(title: &str) {
    println!("\n== {title}");
}

fn main() -> rctypes::Result<()> {
    let dir = env!("RCTYPES_CSRC_DIR");

    step("load a library and call a function (ctypes: lib.fib.argtypes = [c_int])");
    // SAFETY: the project's own libraries have no initialisers.
    let fibonacci = unsafe { rctypes::load_library("fibonacci", dir)? };
    // SAFETY: `int fib(int)`.
    let fib = unsafe { fibonacci.function("fib", &[CType::Int], CType::Int)? };
    println!("fib(8) = {}", fib.call(&[8.into()])?.to::<i32>()?);

    step("every argument is checked before C runs");
    for bad in [Value::Int(1 << 40), Value::from("eight"), Value::Float(8.0)] {
        let err = fib.call(std::slice::from_ref(&bad)).unwrap_err();
        println!("fib({}) -> {err}", bad.describe());
    }
    println!("fib() -> {}", fib.call(&[]).unwrap_err());

    step("arrays in and out, borrowed for the call (numpy: ndpointer)");
    // SAFETY: fibseries reads and writes `elements` ints.
    let fibseries = unsafe {
        fibonacci.function(
            "fibseries",
            &[
                CType::const_pointer(CType::Int),
                CType::Int,
                CType::pointer(CType::Int),
            ],
            CType::Void,
        )?
    };
    let input = [1, 2, 3, 4, 5, 6, 7, 8];
    let mut series = [0i32; 8];
    fibseries.call(&[(&input).into(), 8.into(), (&mut series).into()])?;
    println!("fibseries({input:?}) = {series:?}");
    let err = fibseries
        .call(&[(&input).into(), 8.into(), (&input).into()])
        .unwrap_err();
    println!("read-only memory where C writes -> {err}");

    step("the typed layer: checked once, then a direct call");
    let typed: TypedCFunc<(&[i32], i32, &mut [i32]), ()> = fibseries.typed()?;
    typed.call((&input, 8, &mut series));
    println!("typed fibseries = {series:?}");

    step("compute_mean over a float32 array (the blog post)");
    // SAFETY: the project's own library; compute_mean reads n floats.
    let mean = unsafe {
        rctypes::load_library("mean", dir)?.function(
            "compute_mean",
            &[CType::const_pointer(CType::Float), CType::Int],
            CType::Float,
        )?
    };
    let a = [1.0f32, 2.0, 3.0, 4.0];
    println!(
        "compute_mean({a:?}) = {}",
        mean.call(&[(&a).into(), 4.into()])?.to::<f32>()?
    );

    step("libc through the running process (ctypes: CDLL(None))");
    let libc = Library::this()?;
    // SAFETY: C's own signatures.
    let (strlen, labs, snprintf) = unsafe {
        (
            libc.function("strlen", &[CType::CharP], CType::SizeT)?,
            libc.function("labs", &[CType::Long], CType::Long)?,
            libc.variadic(
                "snprintf",
                &[CType::pointer(CType::Char), CType::SizeT, CType::CharP],
                CType::Int,
            )?,
        )
    };
    println!(
        "strlen(\"rctypes\") = {:?}",
        strlen.call(&["rctypes".into()])?
    );
    println!("labs(-42) = {:?}", labs.call(&[(-42).into()])?);
    let mut buf = StringBuffer::new(64);
    let cap = buf.capacity();
    snprintf.call(&[
        (&mut buf).into(),
        cap.into(),
        "%s has %d fields, pi ~ %.3f".into(),
        "tour".into(),
        3.into(),
        std::f64::consts::PI.into(),
    ])?;
    println!("snprintf -> {:?}", buf.to_str().unwrap_or("?"));

    step("long double at full precision, errno, out-parameters");
    // SAFETY: the project's own library and abi.c's signatures.
    let abi = unsafe { rctypes::load_library("abi", dir)? };
    let (ld_mul, set_errno_to, out_params) = unsafe {
        (
            abi.function(
                "ld_mul",
                &[CType::LongDouble, CType::LongDouble],
                CType::LongDouble,
            )?,
            abi.function("set_errno_to", &[CType::Int], CType::Int)?
                .with_errno(),
            abi.function(
                "out_params",
                &[
                    CType::Int,
                    CType::pointer(CType::Int),
                    CType::pointer(CType::Double),
                ],
                CType::Void,
            )?,
        )
    };
    let product = ld_mul.call(&[LongDouble::from(u64::MAX).into(), 4.into()])?;
    println!(
        "u64::MAX * 4 in long double = {}",
        product.to::<LongDouble>()?
    );
    set_errno_to.call(&[22.into()])?;
    println!("errno after set_errno_to(22) = {}", rctypes::get_errno());
    let (mut doubled, mut half) = (0, 0.0);
    out_params.call(&[
        21.into(),
        Value::byref(&mut doubled),
        Value::byref(&mut half),
    ])?;
    println!("out_params(21) -> doubled = {doubled}, half = {half}");
    Ok(())
}
