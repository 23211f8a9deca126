//! Record data types and struct layouts, both ways, with numpy's
//! `as_ctypes_type` rules; record arrays passed to C through an ndpointer
//! with `flags='aligned, contiguous'`, as the seed's `sample.py` does.

use ndarray::Array1;
use rctypes::{
    AsCtypes, CFunc, CStruct, CType, DType, Element, Error, Extent, IntoDType, NdArray,
    StructLayout, c_struct, ndpointer,
};

use crate::common::{call_as, lib, struct_layout, union_layout};

c_struct! {
    /// sample.h's Weather.
    #[derive(Debug, PartialEq)]
    pub struct Weather { pub timestamp: i32, pub desc: [u8; 12] }
    /// sample.h's Padded, with `char` as a signed byte.
    #[derive(Debug, PartialEq)]
    pub struct Padded { pub c: i8, pub d: f64 }
}

fn d(spec: &str) -> DType {
    DType::parse(spec).unwrap_or_else(|e| panic!("{e}"))
}

/// The seed's `dat_dtype = N.dtype([('timestamp','i4'),('desc','|S12')])`.
fn dat_dtype() -> DType {
    DType::record([("timestamp", d("i4")), ("desc", d("|S12"))], false).unwrap()
}

fn padded_fields() -> [(&'static str, DType); 2] {
    [("c", d("i1")), ("d", d("f8"))]
}

fn desc(s: &str) -> [u8; 12] {
    let mut b = [0u8; 12];
    b[..s.len()].copy_from_slice(s.as_bytes());
    b
}

const SEED: [(i32, &str); 4] = [
    (1126877361, "sunny"),
    (1126877371, "rain"),
    (1126877385, "damn nasty"),
    (1126877387, "sunny"),
];

#[test]
fn layouts_give_the_records_numpy_would_make() {
    let desc = CType::array(CType::Char, 12);
    let weather = struct_layout("Weather", &[("timestamp", CType::Int), ("desc", desc)]);
    assert_eq!(weather.dtype().unwrap(), dat_dtype());
    assert_eq!(Weather::dtype(), dat_dtype());
    // C's padded layout is numpy's align=True record.
    let aligned = DType::record(padded_fields(), true).unwrap();
    assert_eq!(Padded::dtype(), aligned);
    assert!(Padded::dtype().is_aligned_struct());
    assert_ne!(
        Padded::dtype(),
        DType::record(padded_fields(), false).unwrap()
    );
    // Nested structs are nested records, unions overlapping fields, and a
    // packed struct a record with its packed offsets.
    let inner = struct_layout("In", &[("x", CType::Short)]);
    let outer = StructLayout::builder("Out")
        .field("tag", CType::Char)
        .field("inner", CType::Struct(inner))
        .field("values", CType::array(CType::Double, 2))
        .pack(1)
        .build()
        .unwrap();
    let rec = outer.dtype().unwrap();
    assert_eq!(rec.itemsize(), 19);
    assert_eq!(rec.field("inner").unwrap().offset(), 1);
    assert!(rec.field("inner").unwrap().dtype().is_record());
    assert_eq!(rec.field("values").unwrap().dtype().to_string(), "|V16");
    let u = union_layout("U", &[("i", CType::Int), ("d", CType::Double)]);
    let rec = u.dtype().unwrap();
    assert_eq!((rec.itemsize(), rec.field("d").unwrap().offset()), (8, 0));
    // Bitfields have no data type.
    let bits = StructLayout::builder("B")
        .bitfield("x", CType::UInt, 3)
        .build()
        .unwrap();
    assert_eq!(
        bits.dtype().unwrap_err().to_string(),
        "struct B: bitfield `x` has no record data type"
    );
}

#[test]
fn records_give_layouts_as_as_ctypes_type_does() {
    // align=True: C's layout.
    let aligned =
        StructLayout::from_dtype("Padded", &DType::record(padded_fields(), true).unwrap()).unwrap();
    aligned.check_against(Padded::layout()).unwrap();
    // Unaligned: packed, and it says so.
    let packed =
        StructLayout::from_dtype("Padded", &DType::record(padded_fields(), false).unwrap())
            .unwrap();
    assert_eq!(
        (packed.size(), packed.align(), packed.pack()),
        (9, 1, Some(1))
    );
    let err = packed.check_against(Padded::layout()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "struct Padded: field `d`: offset 1 in the record data type, 8 in the declared layout"
    );
    // Gaps become explicit padding; fields are sorted by offset.
    let gaps = DType::record_with_offsets([("b", d("i4"), 12), ("a", d("i2"), 2)], 20).unwrap();
    let l = StructLayout::from_dtype("Gaps", &gaps).unwrap();
    let names: Vec<&str> = l.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(
        (
            l.field("a").unwrap().offset(),
            l.field("b").unwrap().offset(),
            l.size()
        ),
        (2, 12, 20)
    );
    // All fields at offset 0: a union, padded to the itemsize.
    let overlay = DType::record_with_offsets([("i", d("i4"), 0), ("f", d("f4"), 0)], 8).unwrap();
    let u = StructLayout::from_dtype("Overlay", &overlay).unwrap();
    assert!(u.is_union());
    assert_eq!(u.size(), 8);
    // Overlapping fields are an error.
    let overlap = DType::record_with_offsets([("a", d("i8"), 0), ("b", d("i4"), 4)], 8).unwrap();
    assert_eq!(
        StructLayout::from_dtype("Overlap", &overlap)
            .unwrap_err()
            .to_string(),
        "struct Overlap: fields `a` (ending at byte 8) and `b` (at byte 4) overlap"
    );
    // Byte order C does not read, and types C lacks.
    let swapped = DType::record([("x", d(">i4"))], false).unwrap();
    let e = StructLayout::from_dtype("S", &swapped)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not in this machine's byte order"), "{e}");
    let unicode = DType::record([("u", d("U3"))], false).unwrap();
    let e = StructLayout::from_dtype("S", &unicode)
        .unwrap_err()
        .to_string();
    assert!(e.contains("which has no C type"), "{e}");
    assert!(StructLayout::from_dtype("S", &d("i4")).is_err());
    // Nested records become nested structs; byte strings char arrays.
    let dat_aligned = DType::record([("timestamp", d("i4")), ("desc", d("|S12"))], true).unwrap();
    let nested =
        DType::record([("tag", d("S3")), ("w", dat_aligned), ("x", d("f8"))], true).unwrap();
    let l = StructLayout::from_dtype("Nested", &nested).unwrap();
    assert_eq!(
        l.field("tag").unwrap().ctype(),
        &CType::array(CType::Char, 3)
    );
    assert_eq!(l.field("w").unwrap().offset(), 4);
    let CType::Struct(w) = l.field("w").unwrap().ctype() else {
        panic!()
    };
    w.check_against(Weather::layout()).unwrap();
    assert_eq!(l.dtype().unwrap(), nested);
    // The seed's own dtype is unaligned: the same offsets, but alignment 1.
    let e = StructLayout::from_dtype("w", &dat_dtype())
        .unwrap()
        .check_against(Weather::layout())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "struct w: alignment: 1 in the record data type, 4 in the declared layout"
    );
}

fn sample_fn(name: &str, args: &[CType], ret: CType) -> CFunc {
    // SAFETY: sample.c: `sum_timestamps(const Weather *w, int nelems)`,
    // `find_weather(const Weather *w, int nelems, const char *desc)` (desc a
    // string) and `sum_padded(const Padded *p, int nelems)` each read
    // nelems records and write none; nothing may be NULL. The ndpointers
    // here state no shape, so every call passes nelems = the array's
    // length; plain pointers declare the extent.
    unsafe { lib("sample").function(name, args, ret) }.unwrap_or_else(|e| panic!("{e}"))
}

/// `ndpointer(dtype, flags='aligned, contiguous')`, for C to read.
fn records_of(dtype: impl IntoDType) -> CType {
    let arg = ndpointer().dtype(dtype).flags("aligned, contiguous");
    arg.read_only().build().unwrap().into()
}

#[test]
fn the_seed_record_array_through_an_ndpointer() {
    use CType::{CharP, Int, LongLong};
    // _sample.print_weather.argtypes = [ndpointer(dat_dtype, flags='aligned, contiguous'), c_int]
    let arg = records_of(dat_dtype());
    let sum = sample_fn("sum_timestamps", &[arg.clone(), Int], LongLong);
    let find = sample_fn("find_weather", &[arg, Int, CharP], Int);
    let expected: i64 = SEED.iter().map(|(t, _)| *t as i64).sum();

    // arr = N.rec.fromrecords(dat, dtype=dat_dtype)
    let mut arr = NdArray::zeros(dat_dtype(), &[4]).unwrap();
    for (i, (t, s)) in SEED.iter().enumerate() {
        arr.set_field(&[i], "timestamp", *t).unwrap();
        arr.set_field(&[i], "desc", desc(s)).unwrap();
    }
    assert_eq!(call_as::<i64>(&sum, &[(&arr).into(), 4.into()]), expected);
    let args = [(&arr).into(), 4.into(), "damn nasty".into()];
    assert_eq!(call_as::<i32>(&find, &args), 2);
    // The records read back as the Rust struct.
    let rain = Weather {
        timestamp: 1126877371,
        desc: desc("rain"),
    };
    assert_eq!(arr.get::<Weather>(&[1]).unwrap(), rain);

    // The same through an ndarray of the c_struct type.
    let weather = |&(timestamp, s): &(i32, &str)| Weather {
        timestamp,
        desc: desc(s),
    };
    let records: Array1<Weather> = SEED.iter().map(weather).collect();
    assert_eq!(
        call_as::<i64>(&sum, &[(&records).into(), 4.into()]),
        expected
    );
    // A strided view is refused by the contiguity flag, in numpy's words.
    let every_other = records.slice(ndarray::s![..;2]);
    let err = sum.call(&[(&every_other).into(), 2.into()]).unwrap_err();
    assert!(err.to_string().contains("array must have flags"), "{err}");
    // And records of another type by their data type.
    let padded = NdArray::zeros(DType::record(padded_fields(), true).unwrap(), &[4]).unwrap();
    let err = sum.call(&[(&padded).into(), 4.into()]).unwrap_err();
    assert!(
        matches!(err, Error::ArrayArgument { index: 1, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("array must have data type"),
        "{err}"
    );
}

#[test]
fn padding_is_right_with_align_true_and_refused_without() {
    // C's Padded, declared through its layout's record.
    let c_padded = struct_layout("Padded", &[("c", CType::Byte), ("d", CType::Double)]);
    let sum = sample_fn(
        "sum_padded",
        &[records_of(&c_padded), CType::Int],
        CType::Double,
    );

    let fill = |dtype: DType| {
        let mut a = NdArray::zeros(dtype, &[3]).unwrap();
        for i in 0..3 {
            a.set_field(&[i], "c", i as i8 + 1).unwrap();
            a.set_field(&[i], "d", 0.25 * i as f64).unwrap();
        }
        a
    };
    // align=True: the C layout; C sums 1+2+3 + 0+0.25+0.5.
    let aligned = fill(DType::record(padded_fields(), true).unwrap());
    assert_eq!(call_as::<f64>(&sum, &[(&aligned).into(), 3.into()]), 6.75);
    // Without it the doubles sit at offset 1: refused before C reads them.
    let unaligned = fill(DType::record(padded_fields(), false).unwrap());
    let err = sum.call(&[(&unaligned).into(), 3.into()]).unwrap_err();
    assert!(
        err.to_string().contains("array must have data type"),
        "{err}"
    );
    // ... and the layout check names the field.
    let err = StructLayout::from_dtype("Padded", unaligned.dtype())
        .unwrap()
        .check_against(&c_padded)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("field `d`: offset 1 in the record data type, 8"),
        "{err}"
    );

    // The Rust struct checked against the records directly.
    Padded::check_against_dtype(aligned.dtype()).unwrap();
    assert_eq!(
        Padded::check_against_dtype(unaligned.dtype())
            .unwrap_err()
            .to_string(),
        "struct Padded: field `d`: offset 8 in the Rust struct, 1 in the record data type"
    );
    Weather::check_against_dtype(&dat_dtype()).unwrap();
    // What checking Weather against an unaligned record of these fields says.
    let mismatch = |fields: [(&str, DType); 2]| {
        let record = DType::record(fields, false).unwrap();
        Weather::check_against_dtype(&record)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        mismatch([("time", d("i4")), ("desc", d("|S12"))]),
        "struct Weather: field 1: `timestamp` in the Rust struct, `time` in the record data type"
    );
    assert_eq!(
        mismatch([("timestamp", d("i8")), ("desc", d("|S12"))]),
        "struct Weather: field `timestamp`: type int32 in the Rust struct, int64 in the record data type"
    );

    // Rust structs make the same records.
    let padded = |i: i32| Padded {
        c: i as i8 + 1,
        d: 0.25 * i as f64,
    };
    let rust: Array1<Padded> = (0..3).map(padded).collect();
    assert_eq!(call_as::<f64>(&sum, &[(&rust).into(), 3.into()]), 6.75);
    // And to a plain POINTER(Padded) parameter a slice goes as it is.
    let n = Extent::ElementsFromArg(2);
    let lent = CType::const_pointer(CType::Struct(c_padded)).extent(n);
    let plain = sample_fn("sum_padded", &[lent, CType::Int], CType::Double);
    let v = rust.to_vec();
    assert_eq!(call_as::<f64>(&plain, &[(&v).into(), 3.into()]), 6.75);
    let err = plain.call(&[(&v).into(), 4.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
}

c_struct! {
    /// A record holding a pointer, as `struct { void *data; long long n; }`.
    #[derive(Debug)]
    pub struct Counted { pub data: Option<rctypes::RawPtr>, pub n: i64 }
}

#[test]
fn record_arrays_never_read_integers_as_pointers() {
    // The record's pointer is a uintp, which safe code sets at will.
    let mut a = NdArray::zeros(Counted::dtype(), &[2]).unwrap();
    a.set_field(&[0], "data", 0xdead_beef_usize).unwrap();
    assert_eq!(a.get_field::<usize>(&[0], "data").unwrap(), 0xdead_beef);
    let err = a.get::<Counted>(&[0]).unwrap_err().to_string();
    assert!(err.contains("whose pointers are integers here"), "{err}");
    assert!(a.view::<Counted>().is_err() && a.view_mut::<Counted>().is_err());
    assert!(a.clone().into_array::<Counted>().is_err());
    // Nor is any other memory lent to C as Counted values.
    let words = vec![0xdead_beef_u64, 1];
    let err = words.ctypes().data_as::<Counted>().unwrap_err().to_string();
    assert!(err.contains("whose bytes would make them up"), "{err}");
    // A file's integers neither.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counted.dat");
    std::fs::write(&path, [0xef_u8; 16]).unwrap();
    // SAFETY: nothing else touches the file while it is mapped.
    let map = unsafe { rctypes::Memmap::open(&path, Counted::dtype(), "r") }.unwrap();
    let err = map.view::<Counted>().unwrap_err().to_string();
    assert!(
        err.contains("whose pointers are integers in the file"),
        "{err}"
    );
    // Counted values themselves are the way: built from pointers, not bytes.
    let values = NdArray::from_vec(vec![Counted { data: None, n: 3 }], &[1]).unwrap();
    assert_eq!(values.get_field::<i64>(&[0], "n").unwrap(), 3);
    let owned = vec![Counted { data: None, n: 3 }];
    assert_eq!(owned.ctypes().data_as::<Counted>().unwrap().len(), 1);
}
