//! Strings, exported arrays, variadic narrow types and `const` ndpointers as
//! real C APIs spell them, against `csrc/real_apis_strings.c`.

use std::ffi::{CStr, CString};

use rctypes::{CType, Dim, Error, Extent, Library, Strings, Value, ndpointer};

use crate::common::{self, lib};

fn strings() -> Library {
    lib("real_apis_strings")
}

#[test]
fn unsigned_char_string_results_read_as_strings() {
    let l = strings();
    // SAFETY: `const unsigned char *strings_column_text(int row)` returns a
    // static string for rows 0 and 1, NULL for others.
    let text = unsafe { l.declare("const unsigned char *strings_column_text(int row);") }.unwrap();
    assert_eq!(
        text.call(&[0.into()]).unwrap().to::<String>().unwrap(),
        "café"
    );
    assert_eq!(
        text.call(&[1.into()])
            .unwrap()
            .to::<CString>()
            .unwrap()
            .as_c_str(),
        c"second row"
    );
    assert_eq!(text.call(&[2.into()]).unwrap(), Value::Null);
    assert_eq!(
        text.call(&[2.into()])
            .unwrap()
            .to::<Option<String>>()
            .unwrap(),
        None
    );
    // The typed layer reads it the same way.
    let typed = text.typed::<(i32,), Option<CString>>().unwrap();
    assert_eq!(typed.call((1,)).unwrap().as_c_str(), c"second row");
    assert_eq!(typed.call((5,)), None);
}

#[test]
fn unsigned_char_string_parameters_take_strings() {
    let l = strings();
    // SAFETY: `size_t strings_ulength(const unsigned char *s)` reads s up to its NUL.
    let ulength = unsafe { l.declare("size_t strings_ulength(const unsigned char *s);") }.unwrap();
    assert_eq!(ulength.call(&["hello".into()]).unwrap(), Value::Int(5));
    assert_eq!(ulength.call(&[c"héllo".into()]).unwrap(), Value::Int(6));
    let typed = ulength.typed::<(&CStr,), usize>().unwrap();
    assert_eq!(typed.call((c"four",)), 4);
}

#[test]
fn bytes_for_const_char_stop_at_the_first_nul() {
    let l = strings();
    // SAFETY: `size_t strings_length(const char *s)` is strlen.
    let length = unsafe { l.declare("size_t strings_length(const char *s);") }.unwrap();
    // A NUL inside: passed as is, C stops there.
    let inner: &[u8] = b"abc\0def";
    assert_eq!(length.call(&[inner.into()]).unwrap(), Value::Int(3));
    // No NUL: C sees a terminated copy, never past the slice.
    let bare: &[u8] = b"abcdef";
    assert_eq!(length.call(&[bare.into()]).unwrap(), Value::Int(6));
    let empty: &[u8] = b"";
    assert_eq!(length.call(&[empty.into()]).unwrap(), Value::Int(0));
    // A part of a larger buffer: only the part is read.
    let whole = *b"hello world";
    assert_eq!(length.call(&[(&whole[..5]).into()]).unwrap(), Value::Int(5));
    // The same for `const unsigned char*`.
    // SAFETY: as strings_length, over unsigned char.
    let ulength = unsafe { l.declare("size_t strings_ulength(const unsigned char *s);") }.unwrap();
    assert_eq!(ulength.call(&[bare.into()]).unwrap(), Value::Int(6));
    assert_eq!(ulength.call(&[inner.into()]).unwrap(), Value::Int(3));
    // A CStr is its bytes up to its NUL.
    let c = CStr::from_bytes_until_nul(inner).unwrap();
    assert_eq!(length.call(&[c.into()]).unwrap(), Value::Int(3));
}

#[test]
fn bytes_never_go_where_c_writes_a_string() {
    let libc = Library::this().unwrap();
    // SAFETY: `char *strcpy(char *dst, const char *src)`, dst holding src.
    let strcpy = unsafe {
        libc.function(
            "strcpy",
            &[
                CType::pointer(CType::Char).extent(rctypes::Extent::Elements(8)),
                CType::CharP,
            ],
            CType::VoidP,
        )
    }
    .unwrap();
    let src: &[u8] = b"abc";
    let dst: &[u8] = &[0u8; 8];
    let err = strcpy.call(&[dst.into(), src.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    assert!(err.to_string().contains("read-only"), "{err}");
}

#[test]
fn variadic_narrow_types_are_checked_at_their_declared_width() {
    let l = strings();
    // SAFETY: `int strings_sum_shorts(int n, ...)` reads n shorts, promoted to int.
    let sum = unsafe { l.declare("int strings_sum_shorts(int n, ...);") }.unwrap();
    // SAFETY: two shorts follow n = 2.
    let total = unsafe {
        sum.call_variadic(
            &[2.into(), 1000.into(), (-30000).into()],
            &[CType::Short, CType::Short],
        )
    }
    .unwrap();
    assert_eq!(total, Value::Int(-29000));
    // SAFETY: as above; refused before the call.
    let err = unsafe {
        sum.call_variadic(
            &[2.into(), 1.into(), 70000.into()],
            &[CType::Short, CType::Short],
        )
    }
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("strings_sum_shorts"), "{text}");
    assert!(text.contains("argument 3"), "{text}");
    assert!(text.contains("c_short (from -32768 to 32767)"), "{text}");
    assert!(text.contains("int 70000"), "{text}");
}

#[test]
fn string_arrays_go_to_argv_parameters() {
    let l = strings();
    // SAFETY: `int strings_count(const char *const *argv)` reads argv's
    // strings up to its NULL pointer.
    let count = unsafe { l.declare("int strings_count(const char *const *argv);") }.unwrap();
    assert_eq!(count.arg_types()[0].to_string(), "const POINTER(c_char_p)");
    // Declared without an extent: one element, so a NULL-terminated array
    // must be declared so.
    let argv = CType::const_pointer(CType::CharP).extent(Extent::NulTerminated);
    // SAFETY: as above.
    let count =
        unsafe { l.function("strings_count", std::slice::from_ref(&argv), CType::Int) }.unwrap();
    let words = ["alpha", "beta", "gamma"];
    assert_eq!(count.call(&[Value::from(&words)]).unwrap(), Value::Int(3));
    let owned: Vec<String> = (0..5).map(|i| format!("w{i}")).collect();
    let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
    assert_eq!(count.call(&[(&refs).into()]).unwrap(), Value::Int(5));
    let none: &[&str] = &[];
    assert_eq!(count.call(&[none.into()]).unwrap(), Value::Int(0));
    let cwords = [c"x", c"yy"];
    assert_eq!(count.call(&[Value::from(&cwords)]).unwrap(), Value::Int(2));
    // SAFETY: `size_t strings_total_length(const char *const *argv)` reads
    // argv's strings up to its NULL pointer.
    let total = unsafe { l.function("strings_total_length", &[argv], CType::SizeT) }.unwrap();
    assert_eq!(total.call(&[Value::from(&words)]).unwrap(), Value::Int(14));
    assert_eq!(
        total.call(&[Strings::from(&cwords[..]).into()]).unwrap(),
        Value::Int(3)
    );
    // A NUL inside a &str would cut it short: refused.
    let bad = ["ok", "no\0pe"];
    let err = total.call(&[Value::from(&bad)]).unwrap_err();
    assert!(
        err.to_string().contains("string 1 has a NUL byte at 2"),
        "{err}"
    );
}

/// `strings_join`, with the extents its count and capacity give.
fn strings_join(l: &Library) -> rctypes::CFunc {
    let argv = CType::const_pointer(CType::CharP).extent(Extent::ElementsFromArg(1));
    let out = CType::pointer(CType::Char).extent(Extent::ElementsFromArg(5));
    // SAFETY: `int strings_join(int argc, const char *const *argv, char sep,
    // char *out, size_t cap)` reads argc strings and writes at most cap bytes.
    unsafe {
        l.function(
            "strings_join",
            &[CType::Int, argv, CType::Char, out, CType::SizeT],
            CType::Int,
        )
    }
    .unwrap()
}

#[test]
fn string_arrays_with_a_count_are_checked_against_it() {
    let join = strings_join(&strings());
    let words = ["red", "green", "blue"];
    let mut buf = rctypes::StringBuffer::new(32);
    let n = join
        .call(&[
            3.into(),
            Value::from(&words),
            b','.into(),
            (&mut buf).into(),
            32.into(),
        ])
        .unwrap();
    assert_eq!(n, Value::Int(14));
    assert_eq!(buf.to_str().unwrap(), "red,green,blue");
    // Two of three: C stops at argc.
    join.call(&[
        2.into(),
        Value::from(&words),
        b'+'.into(),
        (&mut buf).into(),
        32.into(),
    ])
    .unwrap();
    assert_eq!(buf.to_str().unwrap(), "red+green");
    // A count past the strings would read the NULL as a string: refused.
    let err = join
        .call(&[
            4.into(),
            Value::from(&words),
            b','.into(),
            (&mut buf).into(),
            32.into(),
        ])
        .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("strings_join: argument 2:"), "{text}");
    assert!(text.contains("3 strs"), "{text}");
    // Strings never go where a single string or a char* C writes is declared.
    // SAFETY: strlen reads a string.
    let strlen = unsafe {
        Library::this()
            .unwrap()
            .function("strlen", &[CType::CharP], CType::SizeT)
    }
    .unwrap();
    let err = strlen.call(&[Value::from(&words)]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
}

#[test]
fn many_and_long_strings_reach_c_whole() {
    // Copies of `&str`s go on the stack while they fit (a few short ones),
    // then on the heap: C must see every one whole, wherever it went.
    let l = strings();
    let join = strings_join(&l);
    let owned: Vec<String> = (0..12)
        .map(|i| char::from(b'a' + i as u8).to_string().repeat(7 * i + 1))
        .collect();
    let words: Vec<&str> = owned.iter().map(String::as_str).collect();
    let expected = words.join("/");
    let mut buf = rctypes::StringBuffer::new(1024);
    let n = join
        .call(&[
            12.into(),
            (&words).into(),
            b'/'.into(),
            (&mut buf).into(),
            1024.into(),
        ])
        .unwrap();
    assert_eq!(n, Value::Int(expected.len() as i128));
    assert_eq!(buf.to_str().unwrap(), expected);
    // Single strings alike, on every route: short, long, and one that
    // already ends with its NUL.
    // SAFETY: `size_t strings_length(const char *s)` reads s up to its NUL.
    let length = unsafe { l.function("strings_length", &[CType::CharP], CType::SizeT) }.unwrap();
    for f in common::every_route(&length) {
        for s in [&owned[0], &owned[11], &"z".repeat(300)] {
            assert_eq!(f.invoke::<usize>((s.as_str(),)).unwrap(), s.len());
        }
        assert_eq!(f.invoke::<usize>(("ends\0",)).unwrap(), 4);
        let err = f.invoke::<usize>(("in\0side",)).unwrap_err();
        assert!(err.to_string().contains("NUL byte at 2"), "{err}");
    }
}

#[test]
fn exported_char_arrays_read_as_strings() {
    let l = strings();
    // SAFETY: `const char strings_version[20]`.
    let version =
        unsafe { l.const_variable("strings_version", CType::array(CType::Char, 20)) }.unwrap();
    assert_eq!(version.get().to::<String>().unwrap(), "rctypes-strings 1.0");
    assert!(version.set(&"other".into()).is_err());
}

#[test]
fn exported_int_arrays_read_and_write_whole() {
    let l = strings();
    // SAFETY: `int strings_table[4]`, which C reads only in strings_table_sum.
    let table = unsafe { l.variable("strings_table", CType::array(CType::Int, 4)) }.unwrap();
    // SAFETY: `int strings_table_sum(void)` reads the table.
    let sum = unsafe { l.function("strings_table_sum", &[], CType::Int) }.unwrap();
    let before = table.get().to::<Vec<i32>>().unwrap();
    assert_eq!(before.len(), 4);
    table.set(&Value::from(&[10, 20, 30, 40])).unwrap();
    assert_eq!(table.get().to::<Vec<i32>>().unwrap(), [10, 20, 30, 40]);
    assert_eq!(sum.call(&[]).unwrap(), Value::Int(100));
    table
        .set(&Value::Elements(
            [1.into(), 2.into(), 3.into(), (-4).into()].into(),
        ))
        .unwrap();
    assert_eq!(sum.call(&[]).unwrap(), Value::Int(2));
    // Wrong lengths, types and ranges are refused, and nothing is written.
    assert!(table.set(&Value::from(&[1, 2, 3])).is_err());
    assert!(table.set(&Value::from(&[1.0f64, 2.0, 3.0, 4.0])).is_err());
    let err = table
        .set(&Value::Elements(
            [1.into(), 2.into(), 3.into(), (1i128 << 40).into()].into(),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("element 3"), "{err}");
    assert_eq!(sum.call(&[]).unwrap(), Value::Int(2));
    // Arrays of what cannot be read whole are refused when bound.
    // SAFETY: refused before any access.
    let err = unsafe { l.variable("strings_table", CType::array(CType::VoidP, 4)) }.unwrap_err();
    assert!(matches!(err, Error::Signature { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("only arrays of characters and numbers"),
        "{err}"
    );
}

#[test]
fn ndpointers_for_const_pointers_take_shared_borrows() {
    let l = strings();
    let decls = {
        let mut d = rctypes::Declarations::new();
        d.parse(
            "double strings_sum(const double *x, int n); \
             void strings_scale(double *x, int n, double k);",
        )
        .unwrap();
        d
    };
    let sum_decl = decls.function("strings_sum").unwrap();
    let scale_decl = decls.function("strings_scale").unwrap();
    let shape = || ndpointer().ndim(1).shape([Dim::Arg(2)]);
    let x = shape().build_for(&sum_decl.args[0]).unwrap();
    assert!(x.is_read_only());
    // SAFETY: strings_sum reads n doubles at x.
    let sum = unsafe { l.function("strings_sum", &[x.into(), CType::Int], CType::Double) }.unwrap();
    let a = ndarray::Array1::from(vec![1.0, 2.5, 4.0]);
    assert_eq!(
        sum.call(&[(&a).into(), 3.into()]).unwrap(),
        Value::Float(7.5)
    );
    let y = shape().build_for(&scale_decl.args[0]).unwrap();
    assert!(!y.is_read_only());
    // SAFETY: strings_scale writes n doubles at x.
    let scale = unsafe {
        l.function(
            "strings_scale",
            &[y.into(), CType::Int, CType::Double],
            CType::Void,
        )
    }
    .unwrap();
    let err = scale
        .call(&[(&a).into(), 3.into(), 2.0.into()])
        .unwrap_err();
    assert!(err.to_string().contains("array is read-only"), "{err}");
    let mut b = a.clone();
    scale
        .call(&[(&mut b).into(), 3.into(), 2.0.into()])
        .unwrap();
    assert_eq!(b.to_vec(), [2.0, 5.0, 8.0]);
    let err = ndpointer()
        .dtype("f4")
        .build_for(&sum_decl.args[0])
        .unwrap_err();
    assert!(err.to_string().contains("disagrees"), "{err}");
}
