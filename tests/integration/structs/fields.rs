//! Fields read and written by name in Rust memory: run-time `StructValue`s
//! and `c_struct!` values, type-checked and range-checked.

use rctypes::{CStruct, CType, Error, RawPtr, StructLayout, StructValue, Value, c_struct};

use super::types::*;
use crate::common::{c_sources, struct_layout, union_layout};

fn record() -> std::sync::Arc<StructLayout> {
    let point = struct_layout("Point", &[("x", CType::Short), ("y", CType::Short)]);
    StructLayout::builder("Record")
        .field("id", CType::UInt)
        .field("ok", CType::Bool)
        .field("ratio", CType::Float)
        .field("big", CType::LongDouble)
        .field("name", CType::array(CType::Char, 8))
        .field("path", CType::array(CType::Struct(point.clone()), 3))
        .field("grid", CType::array(CType::array(CType::Int, 3), 2))
        .field("data", CType::pointer(CType::Double))
        .bitfield("small", CType::Int, 4)
        .bitfield("flag", CType::Bool, 1)
        .build()
        .unwrap()
}

#[test]
fn every_kind_of_field_round_trips() {
    let mut r = StructValue::new(&record()).unwrap();
    r.set("id", 4_000_000_000u32).unwrap();
    r.set("ok", true).unwrap();
    r.set("ratio", 0.5).unwrap();
    r.set("big", 1.0e300).unwrap();
    r.set("name", "rctypes").unwrap();
    r.set("path[2].y", -5).unwrap();
    r.set("grid[1][2]", 12).unwrap();
    r.set("small", -8).unwrap();
    r.set("flag", true).unwrap();
    assert_eq!(r.get("id").unwrap(), Value::Int(4_000_000_000));
    assert_eq!(r.get("ok").unwrap(), Value::Bool(true));
    assert_eq!(r.get("ratio").unwrap(), Value::Float(0.5));
    assert_eq!(r.get("big").unwrap().to::<f64>().unwrap(), 1.0e300);
    assert_eq!(r.get("name").unwrap().to::<String>().unwrap(), "rctypes");
    assert_eq!(r.get("path[2].y").unwrap(), Value::Int(-5));
    assert_eq!(
        r.get("path[2]")
            .unwrap()
            .to::<StructValue>()
            .unwrap()
            .get("y")
            .unwrap(),
        Value::Int(-5)
    );
    assert_eq!(r.get("grid[1][2]").unwrap(), Value::Int(12));
    assert_eq!(r.get("small").unwrap(), Value::Int(-8));
    assert_eq!(r.get("flag").unwrap(), Value::Bool(true));
    assert_eq!(r.get("data").unwrap(), Value::Null);
    // Writing a bitfield leaves its neighbours alone.
    r.set("small", 7).unwrap();
    assert_eq!(r.get("flag").unwrap(), Value::Bool(true));
    assert_eq!(
        r.field_bytes("grid[1]").unwrap(),
        [0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0]
    );
    // A nested struct is written whole.
    let mut p = StructValue::new(
        record()
            .field("path")
            .map(|f| match f.ctype() {
                CType::Array(t, _) => t.layout().unwrap().clone(),
                _ => unreachable!(),
            })
            .as_ref()
            .unwrap(),
    )
    .unwrap();
    p.set("x", 3).unwrap();
    r.set("path[0]", &p).unwrap();
    assert_eq!(r.get("path[0].x").unwrap(), Value::Int(3));
    assert!(format!("{r:?}").starts_with("Record { id: 4000000000, ok: true, ratio: 0.5,"));
}

#[test]
fn bad_names_and_values_are_errors() {
    let mut r = StructValue::new(&record()).unwrap();
    let err = |e: Error| e.to_string();
    assert_eq!(
        err(r.get("nope").unwrap_err()),
        "struct Record.nope: struct Record has no field `nope` (its fields: id, ok, ratio, big, name, path, grid, data, small, flag)"
    );
    assert_eq!(
        err(r.get("path[3].x").unwrap_err()),
        "struct Record.path[3].x: index 3 is out of bounds for `path` (3 elements)"
    );
    assert_eq!(
        err(r.get("grid").unwrap_err()),
        "struct Record.grid: is an array (c_int * 3 * 2): read its elements, as `grid[0]`, \
         or all of them with get_array"
    );
    assert!(err(r.get("id.x").unwrap_err()).contains("which has no fields"));
    assert!(err(r.get("id[0]").unwrap_err()).contains("which has no elements"));
    assert_eq!(
        err(r.set("id", -1).unwrap_err()),
        "struct Record.id: expected c_uint (from 0 to 4294967295), given int -1, which does not fit"
    );
    assert!(err(r.set("ratio", 1e300).unwrap_err()).contains("out of c_float's range"));
    assert!(err(r.set("ok", 2).unwrap_err()).contains("expected c_bool"));
    assert_eq!(
        err(r.set("name", "too long a name").unwrap_err()),
        "struct Record.name: the string is too long (15 bytes, the field holds 8)"
    );
    assert_eq!(
        err(r.set("small", 8).unwrap_err()),
        "struct Record.small: expected c_int : 4 (from -8 to 7), given int 8, which does not fit"
    );
    assert!(err(r.set("path[0]", 1).unwrap_err()).contains("expected struct Point, given int 1"));
    // A borrow never goes into a pointer field: it would outlive the borrow.
    let data = [1.0f64];
    let e = err(r.set("data", &data[..]).unwrap_err());
    assert!(
        e.contains("a pointer field takes null or an address vouched for with unsafe"),
        "{e}"
    );
    r.set("data", Value::Null).unwrap();
    // SAFETY: the address is never used by C in this test.
    let p = unsafe { RawPtr::new(data.as_ptr() as *mut _) }.unwrap();
    // A raw address goes in only vouched for: C would read through it.
    let e = err(r.set("data", p).unwrap_err());
    assert!(e.contains("unsafe"), "{e}");
    // SAFETY: the record never reaches C in this test, so nothing reads
    // through the address.
    r.set("data", unsafe { Value::address(p.as_ptr()) })
        .unwrap();
    assert_eq!(r.get("data").unwrap(), Value::Pointer(p));
}

#[test]
fn union_fields_share_their_bytes() {
    let d = declared();
    let mut u = StructValue::new(d.int_or_float.layout().unwrap()).unwrap();
    u.set("f", 1.0).unwrap();
    assert_eq!(u.get("i").unwrap(), Value::Int(0x3f80_0000));
    let mut v = IntOrFloat { i: 0 };
    v.set_field("f", -2.0).unwrap();
    // SAFETY: the bits of a float are a valid int.
    assert_eq!(unsafe { v.i }, (-2.0f32).to_bits() as i32);
}

c_struct! {
    #[derive(Debug, PartialEq)]
    pub struct Sample {
        pub id: u16,
        pub ok: bool,
        pub pos: IntPair,
        pub values: [f32; 3],
        pub name: [u8; 6],
        pub data: Option<RawPtr>,
    }
}

#[test]
fn rust_struct_fields_by_name() {
    let mut s = Sample {
        id: 1,
        ok: false,
        pos: IntPair { a: 1, b: 2 },
        values: [0.0; 3],
        name: [0; 6],
        data: None,
    };
    s.set_field("id", 65535).unwrap();
    s.set_field("ok", true).unwrap();
    s.set_field("pos.b", -9).unwrap();
    s.set_field("values[1]", 2.5).unwrap();
    s.set_field("name", "abc").unwrap();
    assert_eq!(s.id, 65535);
    assert!(s.ok);
    assert_eq!(s.pos.b, -9);
    assert_eq!(s.values, [0.0, 2.5, 0.0]);
    assert_eq!(&s.name, b"abc\0\0\0");
    assert_eq!(s.field("pos.a").unwrap(), Value::Int(1));
    assert_eq!(
        s.field("pos").unwrap().to::<IntPair>().unwrap(),
        IntPair { a: 1, b: -9 }
    );
    // `[u8; 6]` is `c_ubyte * 6`, numbers: only `char` arrays read as strings.
    assert!(
        s.field("name")
            .unwrap_err()
            .to_string()
            .contains("get_array")
    );
    assert_eq!(s.field("data").unwrap(), Value::Null);
    assert!(s.set_field("id", 65536).is_err());
    assert!(s.set_field("ok", 3).is_err());
    assert!(
        s.set_field("nope", 3)
            .unwrap_err()
            .to_string()
            .contains("struct Sample has no field `nope`")
    );
    // Through a StructValue and back.
    let copy = s.to_struct_value();
    assert_eq!(copy.get("values[1]").unwrap(), Value::Float(2.5));
    assert_eq!(Sample::from_struct_value(&copy).unwrap(), s);
}

#[test]
fn invalid_bools_never_reach_a_rust_struct() {
    c_struct! {
        #[derive(Debug)]
        pub struct Flag { pub on: bool, pub n: u8 }
        pub struct Holder { pub flag: Flag }
    }
    let bytes = StructValue::from_bytes(Flag::layout(), &[2, 0]).unwrap();
    let err = Flag::from_struct_value(&bytes).unwrap_err();
    assert!(
        err.to_string()
            .contains("field `on` holding 2, which is not a valid _Bool"),
        "{err}"
    );
    let mut holder = Holder {
        flag: Flag { on: false, n: 0 },
    };
    let err = holder.set_field("flag", &bytes).unwrap_err();
    assert!(err.to_string().contains("not a valid _Bool"), "{err}");
    assert!(Value::from(bytes).to::<Flag>().is_err());
    // from_bytes refuses layouts with pointers: the address would be made up.
    let err =
        StructValue::from_bytes(Sample::layout(), &vec![0; Sample::layout().size()]).unwrap_err();
    assert!(err.to_string().contains("pointer fields"), "{err}");
    assert!(StructValue::from_bytes(Flag::layout(), &[0; 3]).is_err());
}

/// structs.h's `TaggedText`: `{ int kind; union { size_t addr; const char
/// *text; void *ptr; } u; }`.
fn tagged_text() -> std::sync::Arc<StructLayout> {
    use CType::{CharP, Int, SizeT, VoidP};
    let u = union_layout(
        "AddrOrText",
        &[("addr", SizeT), ("text", CharP), ("ptr", VoidP)],
    );
    struct_layout("TaggedText", &[("kind", Int), ("u", CType::Struct(u))])
}

#[test]
fn union_pointers_shared_with_integers_are_read_only_by_unsafe_code() {
    let tagged = tagged_text();
    let header = rctypes::Header::read(c_sources().join("structs.h"), &[]);
    let declared = header.unwrap().declarations.typedef("TaggedText").cloned();
    assert!(declared.and_then(|t| t.layout().map(|l| l.is_compatible(&tagged))) == Some(true));
    let ptr = CType::pointer(CType::Struct(tagged.clone()));
    // SAFETY: structs.h declares `void fill_tagged_text(TaggedText *t)`.
    let fill = unsafe { structs().function("fill_tagged_text", &[ptr], CType::Void) }.unwrap();
    let mut t = StructValue::new(&tagged).unwrap();
    fill.call(&[(&mut t).into()]).unwrap();
    assert_eq!(t.get("kind").unwrap(), Value::Int(1));
    // The integer reads the address C stored; the pointers are refused.
    let addr = t.get("u.addr").unwrap().to::<usize>().unwrap();
    assert_ne!(addr, 0);
    for path in ["u.text", "u.ptr"] {
        let err = t.get(path).unwrap_err().to_string();
        assert!(
            err.contains(&format!("TaggedText.{path}: is the pointer at offset 8"))
                && err.contains("only unsafe code reads it"),
            "{err}"
        );
    }
    // The union read whole keeps its own rule.
    let u = t.get("u").unwrap().to::<StructValue>().unwrap();
    assert!(u.get("text").is_err());
    assert_eq!(u.get("addr").unwrap().to::<usize>().unwrap(), addr);
    // SAFETY: kind 1 says C last wrote `text`, a string it owns.
    let text = unsafe { t.get_unchecked("u.text") }.unwrap();
    assert_eq!(text.to::<String>().unwrap(), "from C");
    // SAFETY: as above; `ptr` is the same address.
    let p = unsafe { u.get_unchecked("ptr") }.unwrap();
    assert_eq!(p.to::<RawPtr>().unwrap().addr(), addr);
    // Written as an integer, read as a pointer: refused, in the copy too.
    t.set("u.addr", 0xdead_beef_usize).unwrap();
    assert!(t.get("u.text").is_err() && t.get("u.ptr").is_err());
    assert!(t.clone().get("u.text").is_err());
    // Debug shows such members by type, never reading them.
    assert_eq!(
        format!("{t:?}"),
        "TaggedText { kind: 1, u: AddrOrText { addr: 3735928559, text: c_char_p, ptr: c_void_p } }"
    );
}

#[test]
fn structs_holding_overlapped_pointers_are_refused_whole() {
    // union { struct { const char *s; long n; } boxed; unsigned char raw[8]; }
    let boxed = struct_layout("Boxed", &[("s", CType::CharP), ("n", CType::Long)]);
    let raw = CType::array(CType::UByte, 8);
    let u = union_layout(
        "BoxedOrRaw",
        &[("boxed", CType::Struct(boxed.clone())), ("raw", raw)],
    );
    let mut v = StructValue::new(&u).unwrap();
    v.set("raw[0]", 0x41).unwrap();
    // A copy of `boxed` would read `s` freely: refused like `s` itself.
    let err = v.get("boxed").unwrap_err().to_string();
    assert!(err.contains("holds the pointer at offset 0"), "{err}");
    assert!(v.get("boxed.s").is_err());
    // `n` lies past `raw`: nothing else writes its bytes.
    assert_eq!(v.get("boxed.n").unwrap(), Value::Int(0));
    // A pointer-free struct value written over the pointer is no way round.
    let mut b = StructValue::new(&boxed).unwrap();
    b.set("n", 7).unwrap();
    v.set("boxed", &b).unwrap();
    assert!(v.get("boxed.s").is_err());

    // The same for a Rust union, whose fields safe code may set.
    c_struct! {
        union AddrOrPtr {
            addr: usize,
            ptr: Option<RawPtr>,
        }
    }
    let forged = AddrOrPtr { addr: 0xdead_beef };
    let err = forged.field("ptr").unwrap_err().to_string();
    assert!(err.contains("is the pointer at offset 0"), "{err}");
    assert_eq!(forged.field("addr").unwrap(), Value::Int(0xdead_beef));
}
