//! Input at the limits (sizes that overflow or cannot be allocated,
//! declarations nested too deep) gives errors, never a panic, an abort or a
//! stack overflow.

use std::sync::OnceLock;

use rctypes::{
    Allocator, CType, Callback, DType, Declarations, Extent, Header, Library, Memmap, NdArray,
    StructLayout, StructValue, Value, parse_prototype,
};

use crate::common::{build_c, lib};

/// C that asks an allocator for arrays and sums bytes.
fn limits_lib() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    // SAFETY: limits.c below has no initialisers.
    LIB.get_or_init(|| unsafe { build_c("limits.c", LIMITS_C) })
}

const LIMITS_C: &str = r#"
    #include <limits.h>
    typedef void *(*typed_allocator_t)(int dims, int *shape, char typecode);
    /* 1 when the allocator gave memory for the shape, 0 for NULL. */
    int ask(typed_allocator_t alloc, int huge) {
        int shape[5] = {0, 3, 3, 3, 3};
        if (huge) for (int i = 1; i < 5; i++) shape[i] = INT_MAX;
        return alloc(5, shape, 'd') != 0;
    }
    long long sum_bytes(const signed char *p, long long n) {
        long long s = 0;
        for (long long i = 0; i < n; i++) s += p[i];
        return s;
    }
    "#;

/// `long long sum_bytes(const signed char *p, long long n)`.
fn sum_bytes(a: &NdArray) -> i64 {
    let sig = [
        CType::const_pointer(CType::Byte).extent(Extent::ElementsFromArg(2)),
        CType::LongLong,
    ];
    // SAFETY: limits.c defines sum_bytes with this signature; it reads n bytes.
    let f = unsafe { limits_lib().function("sum_bytes", &sig, CType::LongLong) }.unwrap();
    let n = a.nbytes() as i64;
    f.call(&[a.into(), n.into()]).unwrap().to::<i64>().unwrap()
}

#[test]
fn array_shapes_whose_strides_overflow_are_errors() {
    let huge = isize::MAX as usize;
    for order in [ndarray::Order::C, ndarray::Order::F] {
        let err = NdArray::zeros_in("i1", &[0, huge, 4], order).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("shape (0, {huge}, 4) is too large")
        );
    }
    assert!(NdArray::zeros("i1", &[usize::MAX, 2, 0]).is_err());
    // An item size past isize::MAX is too large for any shape.
    let s = DType::parse("S9223372036854775808").unwrap();
    assert!(NdArray::zeros(&s, &[1]).is_err());
    assert!(NdArray::zeros(&s, &[0]).is_err());
    // Empty arrays whose extent fits are fine, and so are their strides.
    let empty = NdArray::zeros("i1", &[0, 1 << 20, 4]).unwrap();
    assert_eq!((empty.len(), empty.strides()), (0, &[1 << 22, 4, 1][..]));

    let a = NdArray::from_vec(vec![1i8, 2, 3, -4], &[2, 2]).unwrap();
    assert_eq!(sum_bytes(&a), 2);
}

#[test]
fn arrays_too_large_to_allocate_are_errors() {
    let err = NdArray::zeros("i1", &[1 << 40]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot allocate 1099511627776 bytes for shape (1099511627776,) of int8"
    );
    let err = NdArray::zeros("f8", &[1 << 20, 1 << 20]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot allocate 8796093022208 bytes"),
        "{err}"
    );
}

#[test]
fn views_of_memory_with_overflowing_shapes_are_errors() {
    let data = [0i8; 4];
    // SAFETY: the shape is refused before anything is read.
    let err = unsafe { rctypes::as_array(data.as_ptr(), (0, isize::MAX as usize, 4)) };
    assert_eq!(
        err.unwrap_err().to_string(),
        "the shape is too large for memory"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.bin");
    let options = Memmap::options()
        .dtype("i1")
        .mode("w+")
        .shape((0, isize::MAX as usize, 4));
    // SAFETY: nothing else touches the file.
    let err = unsafe { options.open(&path) }.err().unwrap();
    assert!(err.to_string().contains("is too large for memory"), "{err}");
}

#[test]
fn allocators_refuse_shapes_whose_strides_overflow() {
    let sig = [Allocator::signature().into(), CType::Int];
    // SAFETY: limits.c: `int ask(void *(*)(int, int *, char), int huge)`.
    let ask = unsafe { limits_lib().function("ask", &sig, CType::Int) }.unwrap();
    let mut alloc = Allocator::new().unwrap();
    let ok = ask.call(&[alloc.callback().into(), 0.into()]).unwrap();
    assert_eq!(ok.to::<i32>().unwrap(), 1);
    let arrays = alloc.take_arrays();
    assert_eq!(arrays[0].shape(), &[0, 3, 3, 3, 3]);
    assert_eq!(arrays[0].view::<f64>().unwrap().len(), 0);

    let err = ask.call(&[alloc.callback().into(), 1.into()]).unwrap_err();
    assert!(err.to_string().contains("array is too big"), "{err}");
    assert!(alloc.take_arrays().is_empty());
}

#[test]
fn struct_values_too_large_to_allocate_are_errors() {
    let huge = StructLayout::builder("Huge")
        .field("n", CType::Int)
        .field("bytes", CType::array(CType::Char, 1 << 40))
        .build()
        .unwrap();
    let err = StructValue::new(&huge).unwrap_err();
    assert_eq!(
        err.to_string(),
        "struct Huge: cannot allocate 1099511627780 bytes for a value"
    );
    let bytes = vec![0u8; 8];
    assert!(StructValue::from_bytes(&huge, &bytes).is_err());
}

/// Runs `f` on a thread with 256 KiB of stack, where deep recursion would
/// overflow soonest.
fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().stack_size(256 << 10);
        thread.spawn_scoped(scope, f).unwrap().join().unwrap()
    })
}

/// Declarations nested `n` deep in every way the parser recurses.
fn deep_declarations(n: usize) -> Vec<String> {
    let mut fn_ptr = String::from("int");
    for _ in 0..n / 3 {
        fn_ptr = format!("void (*)({fn_ptr})");
    }
    vec![
        format!("int {}x{};", "(".repeat(n), ")".repeat(n)),
        format!("int {}x;", "*".repeat(n)),
        format!("int x{};", "[1]".repeat(n)),
        format!("int x[{}1{}];", "(".repeat(n), ")".repeat(n)),
        format!("int x[{}1];", "- ".repeat(n)),
        format!("int x[{}1];", "(int)".repeat(n)),
        format!("int x[1{}];", " + 1".repeat(n)),
        format!("void f({fn_ptr});"),
        format!("{}int x;{}", "struct { ".repeat(n), " } y;".repeat(n)),
        format!("enum e {{ A = {}1{} }};", "(".repeat(n), ")".repeat(n)),
    ]
}

#[test]
fn deep_declarations_are_errors_on_a_small_stack() {
    on_small_stack(|| {
        for text in deep_declarations(20_000) {
            let err = Declarations::new().parse(&text).unwrap_err().to_string();
            assert!(
                err.contains("declaration nested deeper than 256 levels"),
                "{err:.200}"
            );
            let err = parse_prototype(&text).unwrap_err().to_string();
            assert!(err.contains("nested deeper than"), "{err:.200}");
        }
        // Nesting up to the limit parses (or fails for another reason) here too.
        for text in deep_declarations(250) {
            if let Err(err) = Declarations::new().parse(&text) {
                assert!(
                    !err.to_string().contains("declaration nested"),
                    "{err:.200}"
                );
            }
        }
        // Structs defined in parentheses, which lang-c reparses, nest less.
        let n = 30;
        let text = format!(
            "int x[{}1{}];",
            "sizeof(struct { int a[".repeat(n),
            "]; })".repeat(n)
        );
        let err = parse_prototype(&text).unwrap_err().to_string();
        assert!(
            err.contains("braces nested more than 4 deep inside parentheses"),
            "{err:.200}"
        );
        let err = parse_prototype(&format!("void f(int {}p)", "*".repeat(100_000)));
        assert!(
            err.unwrap_err()
                .to_string()
                .contains("nested deeper than 256 levels")
        );
        // SAFETY: the prototype is refused before anything is bound.
        let err =
            unsafe { lib("fibonacci").declare(&format!("int fib(int {}x)", "(".repeat(5000))) };
        assert!(
            err.unwrap_err()
                .to_string()
                .contains("nested deeper than 256 levels")
        );
    });
}

#[test]
fn deep_types_are_errors_and_ordinary_ones_work_on_a_small_stack() {
    on_small_stack(|| {
        // A type built up over many declarations, each shallow.
        let mut text = String::from("typedef int *p0;\n");
        for i in 1..100 {
            text.push_str(&format!("typedef p{} *p{i};\n", i - 1));
        }
        let err = Declarations::new().parse(&text).unwrap_err();
        assert!(
            err.to_string()
                .contains("type nested deeper than 64 levels"),
            "{err}"
        );
        let err = parse_prototype(&format!("void f(int {}p)", "*".repeat(64))).unwrap_err();
        assert!(
            err.to_string()
                .contains("type nested deeper than 64 levels"),
            "{err}"
        );

        // The deepest allowed type prints, compares and drops here.
        let decl = parse_prototype(&format!("void f(int {}p)", "*".repeat(62))).unwrap();
        let shown = decl.args[0].to_string();
        assert_eq!(shown.matches("POINTER(").count(), 62);
        assert!(decl.args[0].is_compatible(&decl.clone().args[0]));
        let nested = "struct a { struct b { struct c { int x[2][3]; } c; } b; };";
        let mut decls = Declarations::new();
        decls.parse(nested).unwrap();
        assert_eq!(decls.layout("a").unwrap().size(), 24);

        // A nested declarator bound and called, C calling back.
        let callback = lib("callback");
        // SAFETY: callback.c defines apply_binop with this prototype.
        let apply =
            unsafe { callback.declare("int apply_binop(int (*op)(int, int), int a, int b)") }
                .unwrap();
        let binop = rctypes::Signature::new([CType::Int, CType::Int], CType::Int);
        let sub = Callback::typed(|a: i32, b: i32| a - b).unwrap();
        assert_eq!(sub.signature(), &binop);
        let r = apply.call(&[(&*sub).into(), 10.into(), 3.into()]).unwrap();
        assert_eq!(r, Value::Int(7));
    });
}

#[test]
fn headers_are_checked_and_their_function_bodies_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("deep.h");
    std::fs::write(
        &deep,
        format!("int f(int {}x{});\n", "(".repeat(3000), ")".repeat(3000)),
    )
    .unwrap();
    let inline = dir.path().join("inline.h");
    let chain: String = (0..2000)
        .map(|i| format!("if (a == {i}) return {i}; else "))
        .collect();
    std::fs::write(
        &inline,
        format!("static inline int pick(int a) {{ {chain} return -1; }}\nint fib(int n);\n"),
    )
    .unwrap();
    on_small_stack(|| {
        let err = Header::read(&deep, &[]).unwrap_err().to_string();
        assert!(
            err.contains("declaration nested deeper than 256 levels"),
            "{err:.200}"
        );
        let header = Header::read(&inline, &[]).unwrap();
        assert_eq!(header.functions, ["fib"]);
        // SAFETY: fib is fibonacci.c's `int fib(int)`.
        let bound = unsafe { header.bind(&lib("fibonacci")) };
        assert_eq!(
            bound.functions["fib"].call(&[8.into()]).unwrap(),
            Value::Int(13)
        );
    });
}
