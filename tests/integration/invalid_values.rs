//! Bytes no value of a type has (a `bool` other than 0 or 1) never become
//! Rust values: typed access to data safe code could have set checks it,
//! and pointers that reinterpret data refuse to let C write such bytes.

use std::sync::OnceLock;

use rctypes::{
    AsCtypes, AsCtypesMut, CFunc, CType, DType, Extent, Library, Memmap, NdArray, PtrMut,
};

use crate::common::{build_c, elements};

/// C that counts and sets `_Bool`s, and sums bytes.
fn bools_lib() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    // SAFETY: bools.c below has no initialisers.
    LIB.get_or_init(|| unsafe { build_c("bools.c", BOOLS_C) })
}

const BOOLS_C: &str = r#"
    #include <stdbool.h>
    int count_true(const bool *b, int n) {
        int k = 0;
        for (int i = 0; i < n; i++) k += b[i];
        return k;
    }
    int sum_bytes(const unsigned char *p, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) s += p[i];
        return s;
    }
    void set_all(bool *b, int n) {
        for (int i = 0; i < n; i++) b[i] = true;
    }
    void fill_bytes(void *p, int n, int value) {
        unsigned char *q = p;
        for (int i = 0; i < n; i++) q[i] = (unsigned char)value;
    }
    "#;

/// `int count_true(const bool *b, int n)`.
fn count_true() -> CFunc {
    let sig = [
        CType::const_pointer(CType::Bool).extent(Extent::ElementsFromArg(2)),
        CType::Int,
    ];
    // SAFETY: bools.c defines count_true with this signature; it reads n bools.
    unsafe { bools_lib().function("count_true", &sig, CType::Int) }.unwrap()
}

/// `int sum_bytes(const unsigned char *p, int n)`.
fn sum_bytes() -> CFunc {
    let sig = [
        CType::const_pointer(CType::UByte).extent(Extent::ElementsFromArg(2)),
        CType::Int,
    ];
    // SAFETY: bools.c defines sum_bytes with this signature; it reads n bytes.
    unsafe { bools_lib().function("sum_bytes", &sig, CType::Int) }.unwrap()
}

#[test]
fn from_bytes_refuses_bytes_no_bool_holds() {
    let err = NdArray::from_bytes("?", &[4], &[0, 1, 0x41, 1]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot make an array of bool from these bytes: \
         byte 2 of the data is 0x41, not a bool (0 or 1)"
    );
    // Inside a record too, at the field's offset.
    let rec = DType::record(
        [
            ("n", DType::parse("i4").unwrap()),
            ("ok", DType::parse("?").unwrap()),
        ],
        false,
    )
    .unwrap();
    let err = NdArray::from_bytes(&rec, &[2], &[0, 0, 0, 0, 1, 7, 0, 0, 0, 2]).unwrap_err();
    assert!(
        err.to_string().contains("byte 9 of the data is 0x02"),
        "{err}"
    );

    let a = NdArray::from_bytes("?", &[4], &[0, 1, 1, 1]).unwrap();
    assert!(a.get::<bool>(&[1]).unwrap());
    let n = count_true().call(&[(&a).into(), 4.into()]).unwrap();
    assert_eq!(n.to::<i32>().unwrap(), 3);
}

#[test]
fn typed_access_refuses_bools_written_as_bytes() {
    let mut a = NdArray::zeros("?", &[2, 2]).unwrap();
    a.as_bytes_mut()[3] = 0x41;
    let expected = "byte 3 of the data is 0x41, not a bool (0 or 1)";
    for err in [
        a.view::<bool>().unwrap_err(),
        a.clone().view_mut::<bool>().unwrap_err(),
        a.get::<bool>(&[1, 1]).unwrap_err(),
        a.clone().into_array::<bool>().unwrap_err(),
    ] {
        assert!(err.to_string().contains(expected), "{err}");
    }
    // Elements that are bools still read.
    assert!(!a.get::<bool>(&[1, 0]).unwrap());
    // The bytes are still there, and C reads them as bytes.
    let s = sum_bytes().call(&[a.ctypes().data_as::<u8>().unwrap().into(), 4.into()]);
    assert_eq!(s.unwrap().to::<i32>().unwrap(), 0x41);

    a.as_bytes_mut()[3] = 1;
    assert!(a.view::<bool>().unwrap()[[1, 1]]);
    let n = count_true().call(&[(&a).into(), 4.into()]).unwrap();
    assert_eq!(n.to::<i32>().unwrap(), 1);
}

#[test]
fn record_fields_are_checked_where_they_are_bools() {
    let i4 = DType::parse("i4").unwrap();
    let flag = DType::parse("?").unwrap();
    let rec = DType::record([("n", i4.clone()), ("ok", flag.clone())], false).unwrap();
    let mut a = NdArray::zeros(&rec, &[2]).unwrap();
    a.as_bytes_mut()[9] = 2;
    let err = a.get_field::<bool>(&[1], "ok").unwrap_err();
    assert!(
        err.to_string().contains("byte 9 of the data is 0x02"),
        "{err}"
    );
    let err = a.field::<bool>("ok").unwrap_err();
    assert!(err.to_string().contains("byte 9"), "{err}");
    assert!(!a.get_field::<bool>(&[0], "ok").unwrap());
    assert_eq!(a.get_field::<i32>(&[1], "n").unwrap(), 0);

    // A bool overlapping an int: writing the int leaves bytes the bool
    // cannot hold, and reading the bool is then refused.
    let overlap = DType::record_with_offsets([("n", i4, 0), ("ok", flag, 0)], 4).unwrap();
    let mut b = NdArray::zeros(&overlap, &[1]).unwrap();
    b.set_field::<i32>(&[0], "n", 0x41).unwrap();
    let err = b.get_field::<bool>(&[0], "ok").unwrap_err();
    assert!(
        err.to_string().contains("byte 0 of the data is 0x41"),
        "{err}"
    );
    b.set_field::<i32>(&[0], "n", 1).unwrap();
    assert!(b.get_field::<bool>(&[0], "ok").unwrap());
}

rctypes::c_struct! {
    /// Bools in an array field, which its data type sees as raw bytes.
    struct Switches {
        count: u8,
        on: [bool; 3],
    }
}

#[test]
fn struct_elements_are_checked_through_their_c_type() {
    let dtype = DType::of::<Switches>();
    let mut a = NdArray::zeros(&dtype, &[2]).unwrap();
    a.as_bytes_mut()[6] = 5;
    let err = a.view::<Switches>().err().unwrap();
    assert!(
        err.to_string().contains("byte 6 of the data is 0x05"),
        "{err}"
    );
    assert!(a.get::<Switches>(&[1]).is_err());
    let first = a.get::<Switches>(&[0]).unwrap();
    assert_eq!((first.count, first.on), (0, [false; 3]));

    // C sets the bools; they read back.
    a.as_bytes_mut()[6] = 0;
    let mut switches: Vec<Switches> = a.view::<Switches>().unwrap().iter().copied().collect();
    let set_all = [
        CType::pointer(CType::Bool).extent(Extent::ElementsFromArg(2)),
        CType::Int,
    ];
    // SAFETY: bools.c defines `void set_all(bool *b, int n)`, writing n bools.
    let set_all = unsafe { bools_lib().function("set_all", &set_all, CType::Void) }.unwrap();
    let mut flags = [false; 3];
    set_all.call(&[(&mut flags[..]).into(), 3.into()]).unwrap();
    switches[1].on = flags;
    let b = NdArray::from_vec(switches, &[2]).unwrap();
    assert_eq!(b.get::<Switches>(&[1]).unwrap().on, [true; 3]);
}

#[test]
fn memmapped_files_are_checked_before_a_bool_view() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flags.bin");
    std::fs::write(&path, [1u8, 0, 0x41]).unwrap();
    // SAFETY: nothing else touches the file while it is mapped.
    let mut m = unsafe { Memmap::open(&path, "?", "r+") }.unwrap();
    let err = m.view::<bool>().unwrap_err();
    assert!(
        err.to_string().contains("byte 2 of the data is 0x41"),
        "{err}"
    );
    assert!(m.view_mut::<bool>().is_err());
    assert!(m.to_ndarray().unwrap().view::<bool>().is_err());
    m.as_bytes_mut().unwrap()[2] = 1;
    assert_eq!(elements(m.view::<bool>()), [true, false, true]);
    let n = count_true().call(&[(&m).into(), 3.into()]).unwrap();
    assert_eq!(n.to::<i32>().unwrap(), 2);
}

#[test]
fn ctypes_pointers_never_let_c_write_other_bytes_into_bools() {
    let mut flags = vec![true, false, true];
    // Reading bools as bytes is fine, and C sums them.
    let p = flags.ctypes().data_as::<u8>().unwrap();
    let s = sum_bytes().call(&[p.into(), 3.into()]).unwrap();
    assert_eq!(s.to::<i32>().unwrap(), 2);
    // Writing bytes into them is not.
    let err = flags.ctypes_mut().data_as_mut::<u8>().unwrap_err();
    assert!(
        err.to_string()
            .contains("not every bit pattern is both a u8 and an element"),
        "{err}"
    );
    let err = flags.ctypes_mut().data_as_mut::<i8>().unwrap_err();
    assert!(err.to_string().contains("data of type bool"), "{err}");
    // Nor are bytes bools, for reading or writing.
    let mut bytes = vec![1u8, 0x41];
    let err = bytes.ctypes().data_as::<bool>().unwrap_err();
    assert!(
        err.to_string().contains("not every bit pattern is a bool"),
        "{err}"
    );
    assert!(bytes.ctypes_mut().data_as_mut::<bool>().is_err());
    // Between types with no invalid bytes, and to the same type, it works.
    assert!(bytes.ctypes_mut().data_as_mut::<i8>().is_ok());
    let mut a = NdArray::zeros("?", &[3]).unwrap();
    let p = a.ctypes_mut().data_as_mut::<bool>().unwrap();
    let set_all = [
        CType::pointer(CType::Bool).extent(Extent::ElementsFromArg(2)),
        CType::Int,
    ];
    // SAFETY: bools.c defines `void set_all(bool *b, int n)`, writing n bools.
    let set_all = unsafe { bools_lib().function("set_all", &set_all, CType::Void) }.unwrap();
    set_all.call(&[p.into(), 3.into()]).unwrap();
    assert_eq!(elements(a.view::<bool>()), [true; 3]);

    // A `void*` C fills with any byte takes no pointer to bools.
    let sig = [
        CType::VoidP.extent(Extent::BytesFromArg(2)),
        CType::Int,
        CType::Int,
    ];
    // SAFETY: bools.c defines `void fill_bytes(void *p, int n, int value)`,
    // which writes n bytes to p, not NULL.
    let fill = unsafe { bools_lib().function("fill_bytes", &sig, CType::Void) }.unwrap();
    assert!(fill.typed::<(PtrMut<bool>, i32, i32), ()>().is_err());
    let mut flags = [false; 2];
    let err = fill.call(&[(&mut flags).into(), 2.into(), 7.into()]);
    let err = err.unwrap_err().to_string();
    assert!(err.contains("not every byte is valid"), "{err}");
    assert_eq!(flags, [false; 2]);
    fill.call(&[
        bytes.ctypes_mut().data_as_mut::<u8>().unwrap().into(),
        2.into(),
        7.into(),
    ])
    .unwrap();
    assert_eq!(bytes, [7, 7]);
}
