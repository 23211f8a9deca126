//! A tour of rctypes: each step is one thing ctypes or numpy.ctypeslib does,
//! done here against the project's own C libraries and libc.

use ndarray::{Array2, Array3};
use rctypes::{
    Allocator, AsCtypes, ByRef, CBuild, CType, Callback, Dim, Extent, Functions, Handle, Header,
    Library, LongDouble, Memmap, StringBuffer, StructValue, TypedCFunc, Value, ndpointer,
};

fn step(title: &str) {
    println!("\n== {title}");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = rctypes_csrc::DIR;

    step("load a library and call a function (ctypes: lib.fib.argtypes = [c_int])");
    // SAFETY: the project's own libraries have no initialisers.
    let fibonacci = unsafe { rctypes::load_library("fibonacci", dir)? };
    // SAFETY: `int fib(int)`.
    let fib = unsafe { fibonacci.function("fib", &[CType::Int], CType::Int)? };
    let n: i32 = fib.invoke((8,))?;
    println!("fib(8) = {n}");

    step("every argument is checked before C runs");
    for bad in [Value::Int(1 << 40), Value::from("eight"), Value::Float(8.0)] {
        let err = fib.call(std::slice::from_ref(&bad)).unwrap_err();
        println!("fib({}) -> {err}", bad.describe());
    }
    println!("fib() -> {}", fib.call(&[]).unwrap_err());

    step("arrays in and out, borrowed for the call, as long as C reads");
    // Each array holds `elements` (argument 2) ints.
    let n_ints = Extent::ElementsFromArg(2);
    // SAFETY: fibseries reads `elements` ints from `a` and writes as many to
    // `series`; neither may be NULL.
    let fibseries = unsafe {
        fibonacci.function(
            "fibseries",
            &[
                CType::const_pointer(CType::Int).extent(n_ints),
                CType::Int,
                CType::pointer(CType::Int).extent(n_ints),
            ],
            CType::Void,
        )?
    };
    let input = [1, 2, 3, 4, 5, 6, 7, 8];
    let mut series = [0i32; 8];
    let () = fibseries.invoke((&input, 8, &mut series))?;
    println!("fibseries({input:?}) = {series:?}");
    let err = fibseries.invoke::<()>((&input, 8, &input)).unwrap_err();
    println!("read-only memory where C writes -> {err}");
    let err = fibseries
        .invoke::<()>((&input[..4], 8, &mut series))
        .unwrap_err();
    println!("an array shorter than C reads -> {err}");
    let err = fibseries
        .invoke::<()>((Value::Null, 8, &mut series))
        .unwrap_err();
    println!("NULL where C dereferences -> {err}");

    step("the typed layer: checked once, then a direct call");
    let typed: TypedCFunc<(i32,), i32> = fib.typed()?;
    println!("typed fib(8) = {}", typed.call((8,)));
    let err = fibseries
        .typed::<(&[i32], i32, &mut [i32]), ()>()
        .unwrap_err();
    println!("a slice, whose length typed calls cannot check -> {err}");

    step("compute_mean over a float32 array (the blog post)");
    let n_floats = Extent::ElementsFromArg(2);
    // SAFETY: the project's own library; compute_mean reads n floats from A,
    // not NULL.
    let mean = unsafe {
        rctypes::load_library("mean", dir)?.function(
            "compute_mean",
            &[
                CType::const_pointer(CType::Float).extent(n_floats),
                CType::Int,
            ],
            CType::Float,
        )?
    };
    let a = [1.0f32, 2.0, 3.0, 4.0];
    let m: f32 = mean.invoke((&a, 4))?;
    println!("compute_mean({a:?}) = {m}");

    step("a file mapped into memory, handed to C (numpy.memmap)");
    let tmp = tempfile::tempdir()?;
    let path = tmp.path().join("values.f32");
    // SAFETY: `void scale_floats(float *A, int n, float factor)` rewrites n
    // floats of A, not NULL.
    let scale = unsafe {
        rctypes::load_library("mean", dir)?.function(
            "scale_floats",
            &[
                CType::pointer(CType::Float).extent(n_floats),
                CType::Int,
                CType::Float,
            ],
            CType::Void,
        )?
    };
    // SAFETY: a new file of our own: nothing else changes it while it is mapped.
    let mut fp = unsafe {
        Memmap::options()
            .dtype("float32")
            .mode("w+")
            .shape(4)
            .open(&path)?
    };
    fp.view_mut::<f32>()?
        .assign(&ndarray::arr1(&[1.0f32, 2.0, 3.0, 4.0]).into_dyn());
    let () = scale.invoke((&mut fp, 4, 10.0f32))?;
    let m: f32 = mean.invoke((&fp, 4))?;
    println!("compute_mean(memmap) = {m}");
    drop(fp); // flushes what C wrote to the file
    // SAFETY: as above; the writable map is gone.
    let mut ro = unsafe { Memmap::open(&path, "float32", "r")? };
    println!("mapped again read-only: {}", ro.view::<f32>()?);
    let err = scale.invoke::<()>((&mut ro, 4, 2.0f32)).unwrap_err();
    println!("read-only map where C writes -> {err}");

    step("libc through the running process (ctypes: CDLL(None))");
    let libc = Library::this()?;
    // SAFETY: C's own signatures: strlen reads a string; snprintf writes at
    // most argument 2 bytes to argument 1 and reads its format string.
    let (strlen, labs, snprintf) = unsafe {
        (
            libc.function("strlen", &[CType::CharP], CType::SizeT)?,
            libc.function("labs", &[CType::Long], CType::Long)?,
            libc.variadic(
                "snprintf",
                &[
                    CType::pointer(CType::Char).extent(Extent::ElementsFromArg(2)),
                    CType::SizeT,
                    CType::CharP,
                ],
                CType::Int,
            )?,
        )
    };
    let len: usize = strlen.invoke(("rctypes",))?;
    let abs: i64 = labs.invoke((-42,))?;
    println!("strlen(\"rctypes\") = {len}, labs(-42) = {abs}");
    let mut buf = StringBuffer::new(64);
    let cap = buf.capacity();
    let args = [
        (&mut buf).into(),
        cap.into(),
        "%s has %d fields, pi ~ %.3f".into(),
        "tour".into(),
        3.into(),
        std::f64::consts::PI.into(),
    ];
    // SAFETY: the format takes a string, an int and a double, given as such.
    unsafe { snprintf.call_variadic(&args, &[CType::CharP, CType::Int, CType::Double])? };
    drop(args);
    println!("snprintf -> {:?}", buf.to_str().unwrap_or("?"));

    step("handles C gives and takes back (FILE*), ended once");
    let file = CType::handle("FILE");
    // SAFETY: tmpfile returns a new FILE* or NULL; fputs writes a string to
    // one; fclose ends one.
    let (tmpfile, fputs, fclose) = unsafe {
        (
            libc.function("tmpfile", &[], file.clone())?,
            libc.function("fputs", &[CType::CharP, file.clone()], CType::Int)?,
            libc.function("fclose", &[file.releases()], CType::Int)?,
        )
    };
    let f: Handle = tmpfile.invoke(())?;
    let _: i32 = fputs.invoke(("kept in a FILE\n", &f))?;
    println!("fclose -> {}", fclose.invoke::<i32>((&f,))?);
    println!(
        "fclose again -> {}",
        fclose.invoke::<i32>((&f,)).unwrap_err()
    );

    step("long double at full precision, errno, out-parameters");
    // SAFETY: the project's own library and abi.c's signatures.
    let abi = unsafe { rctypes::load_library("abi", dir)? };
    // out_params writes one int and one double, through pointers not NULL.
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
    let product: LongDouble = ld_mul.invoke((LongDouble::from(u64::MAX), 4))?;
    println!("u64::MAX * 4 in long double = {product}");
    let _: i32 = set_errno_to.invoke((22,))?;
    println!("errno after set_errno_to(22) = {}", rctypes::get_errno());
    let (mut doubled, mut half) = (0, 0.0);
    let () = out_params.invoke((21, Value::byref(&mut doubled), Value::byref(&mut half)))?;
    println!("out_params(21) -> doubled = {doubled}, half = {half}");

    step("C declarations instead of argtypes lists, called by name");
    // SAFETY: fibonacci.c's own prototypes; the arrays hold `elements` ints.
    let fns = unsafe {
        fibonacci.declare_all(
            "int fib(int a);
             void fibseries(const int a[elements], int elements, int series[elements]);",
        )?
    };
    println!("declared: {fns:?}");
    let () = fns.invoke("fibseries", (&[9, 10, 11], 3, &mut series[..3]))?;
    println!("fibseries([9, 10, 11]) = {:?}", &series[..3]);

    step("a slow call on a worker thread, awaited (Deno's nonblocking, koffi's async)");
    // Any executor drives the future; this one comes from `futures`.
    let pending = fns.spawn::<i32, _>("fib", (30,));
    println!("fib(30) started on {pending:?}; the caller goes on");
    println!("fib(30) = {}", futures_executor::block_on(pending)?);
    let err = futures_executor::block_on(fib.spawn::<i32, _>(("thirty",))).unwrap_err();
    println!("checked on the worker, reported by the future -> {err}");

    step("ndarray arrays and ndpointer checks (numpy.ctypeslib)");
    // An `intc` matrix whose shape is (rows, columns): the two ints after it.
    let matrix = || {
        ndpointer()
            .dtype("intc")
            .ndim(2)
            .shape([Dim::Arg(2), Dim::Arg(3)])
            .flags("C_CONTIGUOUS")
    };
    // SAFETY: fibmatrix reads and writes rows * columns ints.
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
    let grid = Array2::from_shape_fn((3, 3), |(i, j)| (3 * i + j + 1) as i32);
    let mut out = Array2::<i32>::zeros((3, 3));
    let () = fibmatrix.invoke((&grid, 3, 3, &mut out))?;
    println!("fibmatrix =\n{out}");
    let err = fibmatrix
        .invoke::<()>((&grid.t(), 3, 3, &mut out))
        .unwrap_err();
    println!("a transposed view -> {err}");
    let x = Array3::<f64>::zeros((2, 3, 4));
    println!(
        "x.ctypes.shape = {:?}, x.ctypes.strides = {:?}",
        x.ctypes().shape(),
        x.ctypes().strides()
    );

    step("callbacks: qsort with a Rust comparator (CFUNCTYPE)");
    // SAFETY: the project's own library.
    let callback = unsafe { rctypes::load_library("callback", dir)? };
    let cmp_type = CType::func_ptr(vec![CType::const_pointer(CType::Int); 2], CType::Int);
    // SAFETY: callback.c's `void sort_ints(int *a, int n, int_cmp_t cmp)`
    // sorts the n ints of a (not NULL) with libc's qsort, which calls cmp
    // with two of them during the call only.
    let qsort = unsafe {
        callback.function(
            "sort_ints",
            &[
                CType::pointer(CType::Int).extent(n_ints),
                CType::Int,
                cmp_type,
            ],
            CType::Void,
        )?
    };
    let ascending = Callback::typed(|a: ByRef<i32>, b: ByRef<i32>| a.cmp(&b) as i32)?;
    let mut data = [5, 1, 7, 33, -4, 0];
    let () = qsort.invoke((&mut data, 6, &*ascending))?;
    println!("sorted by a Rust closure: {data:?}");
    let boom =
        Callback::typed(|_: ByRef<i32>, _: ByRef<i32>| -> i32 { panic!("comparator gave up") })?;
    // The panic is caught inside the callback; keep the default hook quiet.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let err = qsort.invoke::<()>((&mut data, 6, &*boom)).unwrap_err();
    std::panic::set_hook(hook);
    println!("a panic in a callback never unwinds into C -> {err}");

    step("the cookbook's allocator: C asks Rust for arrays");
    // SAFETY: callback.c's func asks for three arrays of three types through
    // the allocator, fills them, and does not keep the allocator.
    let func = unsafe {
        callback.function(
            "func",
            &[CType::Int, Allocator::signature().into()],
            CType::Int,
        )?
    };
    let mut alloc = Allocator::new()?;
    let _: i32 = func.invoke((1, alloc.callback()))?;
    for a in alloc.take_arrays() {
        println!(
            "typecode {:?}: {} of shape {:?}",
            a.typecode(),
            a.dtype_name(),
            a.shape()
        );
    }

    step("structs by value, declared in a header, laid out as C does");
    let header = Header::read(concat!(env!("CARGO_MANIFEST_DIR"), "/csrc/structs.h"), &[])?;
    // SAFETY: the header is the project's own library's.
    let structs = unsafe { header.bind(&rctypes::load_library("structs", dir)?) };
    let structs = Functions::from(structs);
    let a: StructValue = structs.invoke("make_vec3", (1.0, 2.0, 3.0))?;
    let b: StructValue = structs.invoke("make_vec3", (0.5, 0.0, -1.0))?;
    let cross: Value = structs.invoke("cross_vec3", (&a, &b))?;
    println!("cross((1,2,3), (0.5,0,-1)) = {cross:?}");
    if let Some(CType::Struct(flags)) = header.declarations.typedef("Flags") {
        println!("bitfields as GCC lays them out: {flags}");
    }

    step("compile C at run time and call it (for tests)");
    // SAFETY: the C below has no initialisers.
    let lib = unsafe {
        CBuild::new()
            .source_str(
                "square.c",
                "long long square(int x) { return (long long)x * x; }",
            )
            .build()?
    };
    // SAFETY: square's signature.
    let square: TypedCFunc<(i32,), i64> = unsafe { lib.typed("square")? };
    println!("square(100000) = {}", square.call((100_000,)));
    Ok(())
}
