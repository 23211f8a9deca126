//! Input at the limits (sizes that overflow or cannot be allocated) gives
//! errors, never a panic or an abort.

use std::sync::OnceLock;

use rctypes::{
    Allocator, CBuild, CType, DType, Library, Memmap, NdArray, StructLayout, StructValue,
};

/// C that asks an allocator for arrays and sums bytes.
fn limits_lib() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(|| {
        let mut build = CBuild::new();
        build.source_str(
            "limits.c",
            r#"
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
            "#,
        );
        // SAFETY: limits.c above has no initialisers.
        unsafe { build.build() }.unwrap_or_else(|e| panic!("{e}"))
    })
}

/// `long long sum_bytes(const signed char *p, long long n)`.
fn sum_bytes(a: &NdArray) -> i64 {
    let sig = [CType::const_pointer(CType::Byte), CType::LongLong];
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
