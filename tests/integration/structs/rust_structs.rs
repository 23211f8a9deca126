//! `c_struct!` types: their layouts come from the Rust compiler and are
//! checked against declared ones, reporting the first difference.

use rctypes::{CStruct, CType, Error, StructLayout, c_struct};

use super::types::*;
use crate::common::{struct_layout, union_layout};

#[test]
fn rust_layouts_agree_with_the_declared_ones() {
    let d = declared();
    let check = |r: rctypes::Result<()>| r.unwrap_or_else(|e| panic!("{e}"));
    let l = |t: &CType| t.layout().unwrap().clone();
    check(IntPair::check_against(&l(&d.int_pair)));
    check(FloatPair::check_against(&l(&d.float_pair)));
    check(DoublePair::check_against(&l(&d.double_pair)));
    check(CharShort::check_against(&l(&d.char_short)));
    check(FloatInt::check_against(&l(&d.float_int)));
    check(DoubleInt::check_against(&l(&d.double_int)));
    check(Vec3::check_against(&l(&d.vec3)));
    check(Vec4::check_against(&l(&d.vec4)));
    check(Big::check_against(&l(&d.big)));
    check(IntTriple::check_against(&l(&d.int_triple)));
    check(Float4::check_against(&l(&d.float4)));
    check(Nested::check_against(&l(&d.nested)));
    check(TaggedPair::check_against(&l(&d.tagged_pair)));
    check(IntOrFloat::check_against(&l(&d.int_or_float)));
    check(DoubleOrLong::check_against(&l(&d.double_or_long)));
    check(FloatsOrDouble::check_against(&l(&d.floats_or_double)));
    check(BytesOrDouble::check_against(&l(&d.bytes_or_double)));
    assert!(Big::layout().is_from_rust());
    assert_eq!(Big::layout().size(), size_of::<Big>());
}

c_struct! {
    pub struct Padded { pub c: i8, pub d: f64 }

    #[repr(packed(2))]
    pub struct Packed2 { pub c: i8, pub d: f64, pub s: i16 }

    #[repr(align(16))]
    pub struct Aligned16 { pub a: i32 }

    pub struct Outer { pub tag: i8, pub p: IntPair }
}

#[test]
fn pack_and_alignment_of_rust_structs_match_declared_ones() {
    let packed = StructLayout::builder("Packed2")
        .field("c", CType::Char)
        .field("d", CType::Double)
        .field("s", CType::Short)
        .pack(2)
        .build()
        .unwrap();
    Packed2::check_against(&packed).unwrap();
    let aligned = StructLayout::builder("Aligned16")
        .field("a", CType::Int)
        .align(16)
        .build()
        .unwrap();
    Aligned16::check_against(&aligned).unwrap();
}

#[test]
fn the_first_difference_is_reported_with_both_values() {
    let err = |r: rctypes::Result<()>| r.unwrap_err().to_string();
    // The seed's warning: forgetting the padding.
    let packed = StructLayout::builder("Padded")
        .field("c", CType::Char)
        .field("d", CType::Double)
        .pack(1)
        .build()
        .unwrap();
    let e = Padded::check_against(&packed).unwrap_err();
    assert!(matches!(&e, Error::LayoutMismatch { field, .. } if field == "field `d`"));
    assert_eq!(
        e.to_string(),
        "struct Padded: field `d`: offset 8 in the Rust struct, 1 in the declared layout"
    );
    use CType::{Char, Float, Int, Short};
    let inner = CType::Struct(struct_layout("IntPair", &[("a", Short), ("b", Int)]));
    // (what the check gave, what it must say)
    let cases = [
        // A field of another size at the same offset.
        (
            Padded::check_against(&struct_layout("Padded", &[("c", Char), ("d", Float)])),
            "struct Padded: field `d`: offset 8 in the Rust struct, 4 in the declared layout",
        ),
        (
            IntPair::check_against(&struct_layout("IntPair", &[("a", Int), ("b", Short)])),
            "struct IntPair: field `b`: size 4 in the Rust struct, 2 in the declared layout",
        ),
        // Same size, another kind of value.
        (
            IntPair::check_against(&struct_layout("IntPair", &[("a", Int), ("b", Float)])),
            "struct IntPair: field `b`: type c_int in the Rust struct, c_float in the declared layout",
        ),
        (
            IntPair::check_against(&struct_layout("IntPair", &[("a", Int), ("c", Int)])),
            "struct IntPair: field 2: `b` in the Rust struct, `c` in the declared layout",
        ),
        (
            IntPair::check_against(&struct_layout(
                "IntPair",
                &[("a", Int), ("b", Int), ("c", Int)],
            )),
            "struct IntPair: field `c`: declared as field 3 but the Rust struct has only 2 fields",
        ),
        (
            IntPair::check_against(&struct_layout("IntPair", &[("a", Int)])),
            "struct IntPair: field `b`: in the Rust struct but not declared (1 declared fields)",
        ),
        (
            IntPair::check_against(&union_layout("IntPair", &[("a", Int), ("b", Int)])),
            "struct IntPair: kind: a struct in the Rust struct, a union in the declared layout",
        ),
        // Nested structs are checked field by field, with the path.
        (
            Outer::check_against(&struct_layout("Outer", &[("tag", Char), ("p", inner)])),
            "struct Outer: field `p.a`: size 4 in the Rust struct, 2 in the declared layout",
        ),
        // The whole struct's alignment.
        (
            Aligned16::check_against(&struct_layout("Aligned16", &[("a", Int)])),
            "struct Aligned16: size: 16 in the Rust struct, 4 in the declared layout",
        ),
    ];
    for (checked, expected) in cases {
        assert_eq!(err(checked), expected);
    }
    // A bitfield declared where Rust has a whole integer.
    let bits = StructLayout::builder("IntPair")
        .field("a", CType::Int)
        .bitfield("b", CType::Int, 5)
        .build()
        .unwrap();
    assert_eq!(
        err(IntPair::check_against(&bits)),
        "struct IntPair: field `b`: a whole c_int in the Rust struct, a 5-bit bitfield at bit 32 in the declared layout"
    );
}

#[test]
fn computed_layouts_equal_the_rust_compilers() {
    // Our rules, applied to the declarations, give what rustc gives the
    // #[repr(C)] structs: the same numbers from two independent sources.
    let d = declared();
    for (rust, declared) in [
        (Big::layout(), &d.big),
        (Nested::layout(), &d.nested),
        (TaggedPair::layout(), &d.tagged_pair),
        (BytesOrDouble::layout(), &d.bytes_or_double),
        (Tagged::layout(), &d.tagged),
    ] {
        let ours = declared.layout().unwrap();
        assert!(rust.is_compatible(ours), "{rust}\n{ours}");
        assert_eq!(rust.size(), ours.size());
    }
}
