//! The structs of `csrc/structs.h`, as Rust types and as run-time layouts.

use std::sync::{Arc, OnceLock};

use rctypes::{CFunc, CType, Library, StructLayout, c_struct};

use crate::common::{lib, struct_layout, union_layout};

/// `libstructs`, loaded once.
pub fn structs() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(|| lib("structs"))
}

c_struct! {
    #[derive(Debug, PartialEq)] pub struct IntPair { pub a: i32, pub b: i32 }
    #[derive(Debug, PartialEq)] pub struct FloatPair { pub x: f32, pub y: f32 }
    #[derive(Debug, PartialEq)] pub struct DoublePair { pub x: f64, pub y: f64 }
    #[derive(Debug, PartialEq)] pub struct CharShort { pub c: i8, pub s: i16 }
    #[derive(Debug, PartialEq)] pub struct FloatInt { pub f: f32, pub i: i32 }
    #[derive(Debug, PartialEq)] pub struct DoubleInt { pub d: f64, pub i: i32 }
    #[derive(Debug, PartialEq)] pub struct Vec3 { pub x: f64, pub y: f64, pub z: f64 }
    #[derive(Debug, PartialEq)] pub struct Vec4 { pub a: f64, pub b: f64, pub c: f64, pub d: f64 }
    #[derive(Debug, PartialEq)] pub struct Big { pub id: i32, pub values: [f64; 8], pub name: [u8; 16] }
    #[derive(Debug, PartialEq)] pub struct IntTriple { pub v: [i32; 3] }
    #[derive(Debug, PartialEq)] pub struct Float4 { pub v: [f32; 4] }
    #[derive(Debug, PartialEq)] pub struct Nested { pub p: IntPair, pub q: DoublePair }
    #[derive(Debug, PartialEq)] pub struct TaggedPair { pub tag: i8, pub p: IntPair }
    pub union IntOrFloat { pub i: i32, pub f: f32 }
    pub union DoubleOrLong { pub d: f64, pub l: i64 }
    pub union FloatsOrDouble { pub f: [f32; 2], pub d: f64 }
    pub union BytesOrDouble { pub bytes: [u8; 20], pub d: f64 }
    pub union TaggedUnion { pub i: i32, pub d: f64 }
    pub struct Tagged { pub kind: i32, pub u: TaggedUnion }
}

fn build(b: rctypes::StructBuilder) -> Arc<StructLayout> {
    b.build().unwrap_or_else(|e| panic!("{e}"))
}

fn fields(name: &str, fields: &[(&str, CType)]) -> CType {
    CType::Struct(struct_layout(name, fields))
}

fn union_of(name: &str, fields: &[(&str, CType)]) -> CType {
    CType::Struct(union_layout(name, fields))
}

/// A `Vec3` (its literal takes five lines in rustfmt's layout).
pub fn vec3(x: f64, y: f64, z: f64) -> Vec3 {
    Vec3 { x, y, z }
}

/// The arguments of `sum_seven_pairs`.
pub type SevenPairs = (
    IntPair,
    IntPair,
    IntPair,
    IntPair,
    IntPair,
    IntPair,
    IntPair,
);

/// Binds `name` in libstructs with the argument and result types given.
///
/// # Safety
///
/// As for [`Library::function`]: the types are the C function's, and its
/// pointers are declared as it reads and writes them.
pub unsafe fn structs_fn(name: &str, args: &[&CType], ret: &CType) -> CFunc {
    let args: Vec<CType> = args.iter().map(|&t| t.clone()).collect();
    // SAFETY: the caller's.
    unsafe { structs().function(name, &args, ret.clone()) }.unwrap_or_else(|e| panic!("{e}"))
}

/// The run-time declarations of structs.h, as a C header states them.
pub struct Declared {
    pub int_pair: CType,
    pub float_pair: CType,
    pub double_pair: CType,
    pub char_short: CType,
    pub float_int: CType,
    pub double_int: CType,
    pub vec3: CType,
    pub vec4: CType,
    pub big: CType,
    pub int_triple: CType,
    pub float4: CType,
    pub nested: CType,
    pub tagged_pair: CType,
    pub int_or_float: CType,
    pub double_or_long: CType,
    pub floats_or_double: CType,
    pub bytes_or_double: CType,
    pub tagged: CType,
    pub long_double_box: CType,
    pub long_double_tagged: CType,
    pub packed_cd: CType,
    pub flags: CType,
}

pub fn declared() -> &'static Declared {
    static D: OnceLock<Declared> = OnceLock::new();
    D.get_or_init(|| {
        use CType::*;
        let int_pair = fields("IntPair", &[("a", Int), ("b", Int)]);
        let double_pair = fields("DoublePair", &[("x", Double), ("y", Double)]);
        Declared {
            float_pair: fields("FloatPair", &[("x", Float), ("y", Float)]),
            char_short: fields("CharShort", &[("c", Char), ("s", Short)]),
            float_int: fields("FloatInt", &[("f", Float), ("i", Int)]),
            double_int: fields("DoubleInt", &[("d", Double), ("i", Int)]),
            vec3: fields("Vec3", &[("x", Double), ("y", Double), ("z", Double)]),
            vec4: fields(
                "Vec4",
                &[("a", Double), ("b", Double), ("c", Double), ("d", Double)],
            ),
            big: fields(
                "Big",
                &[
                    ("id", Int),
                    ("values", CType::array(Double, 8)),
                    ("name", CType::array(Char, 16)),
                ],
            ),
            int_triple: fields("IntTriple", &[("v", CType::array(Int, 3))]),
            float4: fields("Float4", &[("v", CType::array(Float, 4))]),
            nested: fields(
                "Nested",
                &[("p", int_pair.clone()), ("q", double_pair.clone())],
            ),
            tagged_pair: fields("TaggedPair", &[("tag", Char), ("p", int_pair.clone())]),
            int_or_float: union_of("IntOrFloat", &[("i", Int), ("f", Float)]),
            double_or_long: union_of("DoubleOrLong", &[("d", Double), ("l", LongLong)]),
            floats_or_double: union_of(
                "FloatsOrDouble",
                &[("f", CType::array(Float, 2)), ("d", Double)],
            ),
            bytes_or_double: union_of(
                "BytesOrDouble",
                &[("bytes", CType::array(Char, 20)), ("d", Double)],
            ),
            tagged: fields(
                "Tagged",
                &[
                    ("kind", Int),
                    ("u", union_of("", &[("i", Int), ("d", Double)])),
                ],
            ),
            long_double_box: fields("LongDoubleBox", &[("x", LongDouble)]),
            long_double_tagged: fields("LongDoubleTagged", &[("x", LongDouble), ("tag", Int)]),
            packed_cd: CType::Struct(build(
                StructLayout::builder("PackedCD")
                    .field("c", Char)
                    .field("d", Double)
                    .pack(1),
            )),
            flags: CType::Struct(build(
                StructLayout::builder("Flags")
                    .bitfield("ready", UInt, 1)
                    .bitfield("mode", UInt, 3)
                    .field("count", Int),
            )),
            int_pair,
            double_pair,
        }
    })
}
