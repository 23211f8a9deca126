//! Structs as real C APIs use them (csrc/real_apis_structs.c): pointers to
//! static structs returned and read through (localtime's pattern), packed
//! structs by value, arrays of run-time structs, byte arrays and string
//! fields. Every value asserted is one C produced.

use std::sync::{Arc, OnceLock};

use rctypes::{CFunc, CType, Library, Route, StructLayout, StructValue, Value};

use crate::common::lib;

fn real() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(|| lib("real_apis_structs"))
}

/// Binds `name` of real_apis_structs.c.
///
/// # Safety
///
/// The signature is the one real_apis_structs.h declares.
unsafe fn bind(name: &str, args: &[CType], ret: CType) -> CFunc {
    // SAFETY: the caller's.
    unsafe { real().function(name, args, ret) }.unwrap_or_else(|e| panic!("{e}"))
}

fn layout(name: &str, pack: Option<usize>, fields: &[(&str, CType)]) -> Arc<StructLayout> {
    let mut b = StructLayout::builder(name);
    for (n, t) in fields {
        b = b.field(*n, t.clone());
    }
    if let Some(p) = pack {
        b = b.pack(p);
    }
    b.build().unwrap_or_else(|e| panic!("{e}"))
}

/// A copy of a number `Value` (`Value` is not `Clone`: it may borrow).
fn copy_scalar(v: &Value<'_>) -> Value<'static> {
    match v {
        Value::Int(i) => Value::Int(*i),
        Value::Float(x) => Value::Float(*x),
        other => panic!("not a number: {other:?}"),
    }
}

fn get_f64(v: &Value<'_>) -> f64 {
    v.to::<f64>().unwrap_or_else(|e| panic!("{e}"))
}

fn field<T: rctypes::FromValue>(s: &StructValue, name: &str) -> T {
    s.get(name)
        .and_then(|v| v.to::<T>())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

// ---- Packed structs by value -------------------------------------------

struct Packed {
    p3: Arc<StructLayout>,
    p5: Arc<StructLayout>,
    p9: Arc<StructLayout>,
    p13: Arc<StructLayout>,
    p40: Arc<StructLayout>,
    p8: Arc<StructLayout>,
    p12: Arc<StructLayout>,
}

fn packed() -> Packed {
    use CType::{Char, Double, Int, Short};
    Packed {
        p3: layout("P3", Some(1), &[("c", Char), ("s", Short)]),
        p5: layout("P5", Some(1), &[("c", Char), ("i", Int)]),
        p9: layout("P9", Some(1), &[("c", Char), ("d", Double)]),
        p13: layout("P13", Some(1), &[("c", Char), ("i", Int), ("d", Double)]),
        p40: layout(
            "P40",
            Some(1),
            &[
                ("tag", Char),
                ("x", CType::array(Double, 4)),
                ("s", Short),
                ("i", Int),
                ("end", Char),
            ],
        ),
        p8: layout("P8", Some(2), &[("c", Char), ("i", Int), ("s", Short)]),
        p12: layout("P12", Some(4), &[("d", Double), ("i", Int)]),
    }
}

#[test]
fn packed_structs_go_by_value_both_ways() {
    let p = packed();
    let sizes: Vec<usize> = [&p.p3, &p.p5, &p.p9, &p.p13, &p.p40, &p.p8, &p.p12]
        .iter()
        .map(|l| l.size())
        .collect();
    assert_eq!(sizes, [3, 5, 9, 13, 40, 8, 12]);
    let s = |l: &Arc<StructLayout>| CType::Struct(l.clone());
    use CType::{Char, Double, Int, Short};
    // SAFETY: real_apis_structs.h declares each of these signatures; they
    // take and return numbers and structs by value.
    let cases: Vec<(CFunc, CFunc, Vec<Value<'static>>, f64)> = unsafe {
        vec![
            (
                bind("make_p3", &[Char, Short], s(&p.p3)),
                bind("p3_sum", &[s(&p.p3)], Double),
                vec![5.into(), (-1234).into()],
                5.0 - 1_234_000.0,
            ),
            (
                bind("make_p5", &[Char, Int], s(&p.p5)),
                bind("p5_sum", &[s(&p.p5)], Double),
                vec![6.into(), 987_654.into()],
                6.0 + 987_654_000.0,
            ),
            (
                bind("make_p9", &[Char, Double], s(&p.p9)),
                bind("p9_sum", &[s(&p.p9)], Double),
                vec![7.into(), 2.5.into()],
                2507.0,
            ),
            (
                bind("make_p13", &[Char, Int, Double], s(&p.p13)),
                bind("p13_sum", &[s(&p.p13)], Double),
                vec![8.into(), 3.into(), 9.0.into()],
                3012.5,
            ),
            (
                bind("make_p40", &[Char, Double, Short, Int], s(&p.p40)),
                bind("p40_sum", &[s(&p.p40)], Double),
                vec![9.into(), 1.5.into(), 2.into(), 3.into()],
                9.0 + 150.0 + 2000.0 + 300_000.0 + 2.5,
            ),
            (
                bind("make_p8", &[Char, Int, Short], s(&p.p8)),
                bind("p8_sum", &[s(&p.p8)], Double),
                vec![10.into(), 4.into(), 6.into()],
                4013.0,
            ),
            (
                bind("make_p12", &[Double, Int], s(&p.p12)),
                bind("p12_sum", &[s(&p.p12)], Double),
                vec![0.25.into(), 5.into()],
                5000.25,
            ),
        ]
    };
    // Each on the route the build takes (registers on x86-64 System V) and
    // through libffi, which is told of each struct as the ABI passes it.
    let libffi = |f: &CFunc| {
        f.clone()
            .via(Route::Libffi)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let cases: Vec<_> = cases
        .iter()
        .flat_map(|(make, sum, args, expected)| {
            let args = || args.iter().map(copy_scalar).collect::<Vec<_>>();
            [
                (make.clone(), sum.clone(), args(), *expected),
                (libffi(make), libffi(sum), args(), *expected),
            ]
        })
        .collect();
    for (make, sum, args, expected) in &cases {
        let made = make.call(args).unwrap_or_else(|e| panic!("{e}"));
        let Value::Struct(v) = &made else {
            panic!("{made:?}")
        };
        // The bytes C returned, field by field where C put them.
        let first = v.layout().fields()[0].name().to_owned();
        let arg0: f64 = args[0].to::<f64>().unwrap();
        assert_eq!(field::<f64>(v, &first), arg0, "{make:?}");
        // And C reads back what it wrote, by value.
        let back = sum.call(&[(&**v).into()]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get_f64(&back), *expected, "{sum:?}");
    }
    // Fields Rust set, read by C where they sit unaligned.
    let mut v = StructValue::new(&p.p13).unwrap();
    v.set("c", 1).unwrap();
    v.set("i", -2).unwrap();
    v.set("d", 4.0).unwrap();
    for (_, sum, _, _) in &cases[6..8] {
        assert_eq!(
            get_f64(&sum.call(&[(&v).into()]).unwrap()),
            1.0 - 2000.0 + 2.0
        );
    }
}

#[test]
fn packed_structs_mix_with_scalars_in_registers_and_on_the_stack() {
    let p = packed();
    let s = |l: &Arc<StructLayout>| CType::Struct(l.clone());
    use CType::{Double, Int};
    // SAFETY: as declared in real_apis_structs.h.
    let (mix, next) = unsafe {
        (
            bind(
                "packed_mix",
                &[Int, s(&p.p9), Double, s(&p.p5), s(&p.p13), Int, s(&p.p3)],
                Double,
            ),
            bind("p13_next", &[s(&p.p13)], s(&p.p13)),
        )
    };
    let mut p9 = StructValue::new(&p.p9).unwrap();
    p9.set("c", 2).unwrap();
    p9.set("d", 0.5).unwrap();
    let mut p5 = StructValue::new(&p.p5).unwrap();
    p5.set("c", 3).unwrap();
    p5.set("i", 4).unwrap();
    let mut p13 = StructValue::new(&p.p13).unwrap();
    p13.set("c", 5).unwrap();
    p13.set("i", 6).unwrap();
    p13.set("d", 7.0).unwrap();
    let mut p3 = StructValue::new(&p.p3).unwrap();
    p3.set("c", 8).unwrap();
    p3.set("s", 9).unwrap();
    let mix_libffi = mix.clone().via(Route::Libffi).unwrap();
    let args = [
        1.into(),
        (&p9).into(),
        1.5.into(),
        (&p5).into(),
        (&p13).into(),
        10.into(),
        (&p3).into(),
    ];
    assert_eq!(
        get_f64(&mix_libffi.call(&args).unwrap()),
        get_f64(&mix.call(&args).unwrap())
    );
    let got = mix
        .call(&[
            1.into(),
            (&p9).into(),
            1.5.into(),
            (&p5).into(),
            (&p13).into(),
            10.into(),
            (&p3).into(),
        ])
        .unwrap();
    let expected = 1.0
        + (2.0 + 500.0) * 2.0
        + 1.5 * 3.0
        + (3.0 + 4000.0) * 5.0
        + (5.0 + 6000.0 + 3.5) * 7.0
        + 10.0 * 11.0
        + (8.0 + 9000.0) * 13.0;
    assert_eq!(get_f64(&got), expected);
    for next in [next.clone(), next.via(Route::Libffi).unwrap()] {
        let Value::Struct(n) = next.call(&[(&p13).into()]).unwrap() else {
            panic!("no struct")
        };
        let got = (field::<i8>(&n, "c"), field::<i32>(&n, "i"));
        assert_eq!((got, field::<f64>(&n, "d")), ((6, 12), 7.5));
    }
}

// ---- Reading through a pointer C returns ---------------------------------

fn record() -> Arc<StructLayout> {
    layout(
        "Record",
        None,
        &[
            ("id", CType::Int),
            ("name", CType::CharP),
            ("score", CType::Double),
            ("tags", CType::array(CType::Int, 3)),
        ],
    )
}

#[test]
fn a_returned_pointer_is_read_through_with_unsafe() {
    let rec = CType::Struct(record());
    // SAFETY: as real_apis_structs.h declares them; all_records writes one int.
    let (current, all) = unsafe {
        (
            bind("current_record", &[], CType::const_pointer(rec.clone())),
            bind(
                "all_records",
                &[CType::pointer(CType::Int)],
                CType::const_pointer(rec.clone()),
            ),
        )
    };
    let Value::Pointer(p) = current.call(&[]).unwrap() else {
        panic!("NULL")
    };
    // SAFETY: current_record returns the address of a static Record whose
    // name is a string literal.
    let r = unsafe { p.read(&rec) }.unwrap();
    let r: StructValue = r.to().unwrap();
    assert_eq!(field::<i32>(&r, "id"), 11);
    assert_eq!(field::<String>(&r, "name"), "eleven");
    assert_eq!(field::<f64>(&r, "score"), 11.25);
    assert_eq!(r.get_array::<i32>("tags").unwrap(), [4, 5, 6]);
    let mut n = 0i32;
    let Value::Pointer(p) = all.call(&[std::slice::from_mut(&mut n).into()]).unwrap() else {
        panic!("NULL")
    };
    // SAFETY: all_records returns its static array of n Records.
    let all = unsafe { p.read_n(&rec, n as usize) }.unwrap();
    let names: Vec<String> = all
        .iter()
        .map(|r| field::<String>(&r.to::<StructValue>().unwrap(), "name"))
        .collect();
    assert_eq!(names, ["seven", "eleven", "thirteen"]);
    // The name pointer itself comes back as an address safe code cannot
    // pass back; arrays are read element by element.
    // SAFETY: as above: the first Record's first int.
    assert_eq!(
        unsafe { p.read(&CType::Int) }.unwrap().to::<i32>().unwrap(),
        7
    );
    // SAFETY: refused before reading.
    let err = unsafe { p.read(&CType::array(CType::Int, 3)) }.unwrap_err();
    assert!(err.to_string().contains("read_n"), "{err}");
}

#[test]
fn a_result_declared_to_point_to_one_struct_is_read_by_the_call() {
    let rec = CType::Struct(record());
    let one = CType::const_pointer(rec.clone()).extent(rctypes::Extent::One);
    // SAFETY: as real_apis_structs.h declares them; each returns the address
    // of a static Record (find_record NULL for an unknown id).
    let (current, find) = unsafe {
        (
            bind("current_record", &[], one.clone()),
            bind("find_record", &[CType::Int], one.nullable()),
        )
    };
    let r: StructValue = current.call(&[]).unwrap().to().unwrap();
    assert_eq!(
        (field::<i32>(&r, "id"), field::<String>(&r, "name")),
        (11, "eleven".to_owned())
    );
    let r: StructValue = find.call(&[13.into()]).unwrap().to().unwrap();
    assert_eq!(field::<f64>(&r, "score"), -13.0);
    assert_eq!(find.call(&[12.into()]).unwrap(), Value::Null);
}

/// `struct tm` as glibc and the BSDs declare it.
fn struct_tm() -> Arc<StructLayout> {
    let mut fields: Vec<(&str, CType)> = [
        "tm_sec", "tm_min", "tm_hour", "tm_mday", "tm_mon", "tm_year", "tm_wday", "tm_yday",
        "tm_isdst",
    ]
    .iter()
    .map(|n| (*n, CType::Int))
    .collect();
    fields.push(("tm_gmtoff", CType::Long));
    fields.push(("tm_zone", CType::CharP));
    layout("tm", None, &fields)
}

#[cfg(unix)]
#[test]
fn localtime_is_read_through_its_declared_result() {
    let tm = CType::Struct(struct_tm());
    assert_eq!(tm.size(), std::mem::size_of::<libc::tm>());
    let this = Library::this().unwrap();
    // SAFETY: struct tm *localtime(const time_t *t): reads one time_t,
    // returns NULL or its static struct tm, whose tm_zone is a string.
    let localtime = unsafe {
        this.function(
            "localtime",
            &[CType::const_pointer(CType::Long)],
            CType::pointer(tm.clone())
                .extent(rctypes::Extent::One)
                .nullable(),
        )
    }
    .unwrap();
    let t: libc::time_t = 1_126_877_361;
    let got: StructValue = localtime
        .call(&[std::slice::from_ref(&t).into()])
        .unwrap()
        .to()
        .unwrap();
    // SAFETY: localtime_r writes the struct tm it is given.
    let want = unsafe {
        let mut want: libc::tm = std::mem::zeroed();
        assert!(!libc::localtime_r(&t, &mut want).is_null());
        want
    };
    let ints = [
        ("tm_sec", want.tm_sec),
        ("tm_min", want.tm_min),
        ("tm_hour", want.tm_hour),
        ("tm_mday", want.tm_mday),
        ("tm_mon", want.tm_mon),
        ("tm_year", want.tm_year),
        ("tm_wday", want.tm_wday),
        ("tm_yday", want.tm_yday),
        ("tm_isdst", want.tm_isdst),
    ];
    for (name, value) in ints {
        assert_eq!(field::<i32>(&got, name), value, "{name}");
    }
    assert_eq!(field::<i64>(&got, "tm_gmtoff"), want.tm_gmtoff as i64);
    // SAFETY: localtime_r set tm_zone to a static string.
    let zone = unsafe { std::ffi::CStr::from_ptr(want.tm_zone) };
    assert_eq!(field::<String>(&got, "tm_zone"), zone.to_str().unwrap());
    assert_eq!(got.layout().size(), tm.size());
}

// ---- Arrays of run-time structs, byte arrays, string fields ---------------

fn event() -> Arc<StructLayout> {
    layout(
        "Event",
        None,
        &[("kind", CType::Int), ("value", CType::Double)],
    )
}

#[test]
fn an_ndarray_of_a_declared_struct_passes_for_a_pointer_to_it() {
    let ev = event();
    let e = CType::Struct(ev.clone());
    use rctypes::Extent::ElementsFromArg;
    // SAFETY: as real_apis_structs.h declares them: n Events each.
    let (fill, sum) = unsafe {
        (
            bind(
                "fill_events",
                &[
                    CType::pointer(e.clone()).extent(ElementsFromArg(2)),
                    CType::Int,
                ],
                CType::Void,
            ),
            bind(
                "sum_events",
                &[
                    CType::const_pointer(e.clone()).extent(ElementsFromArg(2)),
                    CType::Int,
                ],
                CType::Double,
            ),
        )
    };
    // ctypes' (Event * 4)(): an array of the layout's record data type.
    let mut events = rctypes::NdArray::zeros(&ev, &[4]).unwrap();
    fill.call(&[(&mut events).into(), 4.into()]).unwrap();
    let kinds: Vec<i32> = (0..4)
        .map(|i| events.get_field(&[i], "kind").unwrap())
        .collect();
    let values: Vec<f64> = (0..4)
        .map(|i| events.get_field(&[i], "value").unwrap())
        .collect();
    assert_eq!(kinds, [1, 2, 3, 4]);
    assert_eq!(values, [0.0, 1.5, 3.0, 4.5]);
    events.set_field(&[3], "value", 100.0).unwrap();
    let s = sum.call(&[(&events).into(), 4.into()]).unwrap();
    assert_eq!(get_f64(&s), 1000.0 + 0.0 + 1.5 + 3.0 + 100.0);
    // Read-only goes only where C reads; too few elements are refused.
    let err = fill.call(&[(&events).into(), 4.into()]).unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    let err = sum.call(&[(&events).into(), 5.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    // A record of another layout is refused.
    let other = layout(
        "Other",
        None,
        &[("kind", CType::Int), ("value", CType::Float)],
    );
    let wrong = rctypes::NdArray::zeros(&other, &[4]).unwrap();
    let err = sum.call(&[(&wrong).into(), 4.into()]).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected const POINTER(struct Event)"),
        "{err}"
    );
}

fn device() -> Arc<StructLayout> {
    layout(
        "Device",
        None,
        &[
            ("mac", CType::array(CType::UInt8, 4)),
            ("counts", CType::array(CType::Int, 3)),
            ("label", CType::CharP),
        ],
    )
}

#[test]
fn byte_arrays_read_as_bytes_and_string_fields_take_rust_strings() {
    let dev = device();
    let d = CType::Struct(dev.clone());
    // SAFETY: as real_apis_structs.h declares them; each reads (or
    // fill_device writes) one Device, whose label is NULL or a string.
    let (check, check_at, fill) = unsafe {
        (
            bind("device_check", std::slice::from_ref(&d), CType::Long),
            bind(
                "device_check_at",
                &[CType::const_pointer(d.clone())],
                CType::Long,
            ),
            bind("fill_device", &[CType::pointer(d.clone())], CType::Void),
        )
    };
    let mut v = StructValue::new(&dev).unwrap();
    fill.call(&[(&mut v).into()]).unwrap();
    // uint8_t[4] holds a 0: all four bytes come back.
    assert_eq!(v.get_array::<u8>("mac").unwrap(), [0xde, 0, 0xbe, 0xef]);
    assert_eq!(v.get_array::<i32>("counts").unwrap(), [3, -1, 40]);
    assert_eq!(field::<String>(&v, "label"), "eth0");
    let err = v.get("mac").unwrap_err();
    assert!(err.to_string().contains("get_array"), "{err}");
    let shown = format!("{v:?}");
    assert!(
        shown.starts_with("Device { mac: [222, 0, 190, 239], counts: [3, -1, 40], label: "),
        "{shown}"
    );
    let from_c = 0xde00beef_i64 + 42 * 1_000_000_000 + 4 * 1_000_000 + b'e' as i64;
    assert_eq!(
        check.call(&[(&v).into()]).unwrap().to::<i64>().unwrap(),
        from_c
    );
    // A label set from Rust: the value owns the string, for C to read.
    let mut w = StructValue::new(&dev).unwrap();
    w.set("mac[3]", 1).unwrap();
    w.set("label", Value::String("wlan-one".into())).unwrap();
    let copy = w.clone();
    drop(w);
    let expected = 1 + 8 * 1_000_000 + b'w' as i64;
    assert_eq!(
        check.call(&[(&copy).into()]).unwrap().to::<i64>().unwrap(),
        expected
    );
    assert_eq!(
        check_at
            .call(&[(&copy).into()])
            .unwrap()
            .to::<i64>()
            .unwrap(),
        expected
    );
    // Nested, the string lives as long as the outer value.
    let outer = layout("Outer", None, &[("n", CType::Int), ("dev", d.clone())]);
    let mut o = StructValue::new(&outer).unwrap();
    o.set("dev", &copy).unwrap();
    drop(copy);
    let inner: StructValue = o.get("dev").unwrap().to().unwrap();
    drop(o);
    assert_eq!(
        check.call(&[(&inner).into()]).unwrap().to::<i64>().unwrap(),
        expected
    );
    // A string with a NUL inside is refused.
    let err = inner.clone().set("label", "a\0b").unwrap_err();
    assert!(err.to_string().contains("NUL at byte 1"), "{err}");
}

// ---- The typed layer -------------------------------------------------------

rctypes::c_struct! {
    #[repr(packed(1))]
    pub struct TypedP9 { pub c: i8, pub d: f64 }
    #[repr(packed(1))]
    pub struct TypedP13 { pub c: i8, pub i: i32, pub d: f64 }
    pub struct TypedRecord {
        pub id: i32,
        pub name: Option<rctypes::RawPtr>,
        pub score: f64,
        pub tags: [i32; 3],
    }
}

#[test]
fn typed_calls_take_packed_structs_and_read_returned_pointers() {
    use rctypes::CStruct;
    let p = packed();
    TypedP9::check_against(&p.p9).unwrap();
    TypedP13::check_against(&p.p13).unwrap();
    // SAFETY: as real_apis_structs.h declares them.
    let (make, sum, next) = unsafe {
        (
            real().typed::<(i8, f64), TypedP9>("make_p9").unwrap(),
            real().typed::<(TypedP9,), f64>("p9_sum").unwrap(),
            real().typed::<(TypedP13,), TypedP13>("p13_next").unwrap(),
        )
    };
    let v = make.call((3, 0.75));
    assert_eq!(({ v.c }, { v.d }), (3, 0.75));
    assert_eq!(sum.call((TypedP9 { c: 1, d: 2.0 },)), 2001.0);
    let n = next.call((TypedP13 {
        c: 1,
        i: 21,
        d: 1.0,
    },));
    assert_eq!(({ n.c }, { n.i }, { n.d }), (2, 42, 1.5));
    // A returned pointer, read as the Rust struct.
    record().check_against(TypedRecord::layout()).unwrap();
    // SAFETY: const Record *current_record(void).
    let current = unsafe { real().typed::<(), Option<rctypes::RawPtr>>("current_record") }.unwrap();
    let at = current.call(()).expect("a static Record");
    // SAFETY: the address of a static Record.
    let r: TypedRecord = unsafe { at.read_as() }.unwrap();
    assert_eq!((r.id, r.score, r.tags), (11, 11.25, [4, 5, 6]));
}
