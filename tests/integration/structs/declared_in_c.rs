//! Struct definitions read from C text and headers: the same layouts as
//! declared with the builder, as the Rust compiler's, and as the C
//! compiler's.

use rctypes::{CStruct, CType, Declarations, Header, Value};

use super::spec::{Def, assert_matches_c};
use super::types::*;
use crate::common::c_sources;

#[test]
fn structs_h_layouts_are_the_rust_structs() {
    let header = Header::read(c_sources().join("structs.h"), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(header.skipped.is_empty(), "{:?}", header.skipped);
    let d = &header.declarations;
    let layout = |typedef: &str| d.typedef(typedef).and_then(CType::layout).unwrap().clone();
    let check = |r: rctypes::Result<()>| r.unwrap_or_else(|e| panic!("{e}"));
    check(IntPair::check_against(&layout("IntPair")));
    check(DoublePair::check_against(&layout("DoublePair")));
    check(CharShort::check_against(&layout("CharShort")));
    check(Big::check_against(&layout("Big")));
    check(Nested::check_against(&layout("Nested")));
    check(TaggedPair::check_against(&layout("TaggedPair")));
    check(BytesOrDouble::check_against(&layout("BytesOrDouble")));
    check(FloatsOrDouble::check_against(&layout("FloatsOrDouble")));
    check(Tagged::check_against(&layout("Tagged")));
    // #pragma pack(push, 1) in the header reaches the layout.
    let packed = layout("PackedCD");
    assert_eq!((packed.size(), packed.field("d").unwrap().offset()), (9, 1));
    assert_eq!(packed.pack(), Some(1));
    let flags = layout("Flags");
    assert_eq!(flags.field("mode").unwrap().bits().unwrap().start, 1);
    // Declared functions take and return the structs themselves.
    let make = d.function("make_int_pair").unwrap();
    assert_eq!(make.ret, CType::Struct(layout("IntPair")));
    let scale = d.function("scale_vec3_in_place").unwrap();
    assert_eq!(scale.args[0], CType::pointer(CType::Struct(layout("Vec3"))));
}

#[test]
fn a_bound_header_calls_by_value() {
    let header = Header::read(c_sources().join("structs.h"), &[]).unwrap();
    // SAFETY: structs.h is libstructs' own header, whose prototypes are true.
    // Bound from it, each pointer means one element, not NULL: true of
    // fill_flags, called here (sum_vec3_array, which reads n, is not).
    let bound = unsafe { header.bind(structs()) };
    // What libffi cannot describe by value is not bound.
    let mut refused = bound.missing.clone();
    refused.sort();
    // A struct result in x87's st(0) is x86-64's alone; packed structs go
    // by value on x86-64 System V and AArch64.
    let expected: &[&str] = if cfg!(all(target_arch = "x86_64", unix)) {
        &["flags_count", "make_long_double_box"]
    } else if cfg!(all(target_arch = "aarch64", not(windows))) {
        &["flags_count"]
    } else {
        &["flags_count", "packed_cd_sum"]
    };
    assert_eq!(refused, expected);
    let swap = &bound.functions["swap_int_pair"];
    let r = swap.call(&[IntPair { a: 1, b: 2 }.into()]).unwrap();
    assert_eq!(r.to::<IntPair>().unwrap(), IntPair { a: 2, b: 1 });
    let dot = &bound.functions["dot_vec3"];
    let v = Vec3 {
        x: 1.0,
        y: 2.0,
        z: 3.0,
    };
    assert_eq!(dot.call(&[v.into(), v.into()]).unwrap(), Value::Float(14.0));
    // `typedef struct { ... } Flags;` has no tag: its typedef holds the layout.
    let flags_layout = header
        .declarations
        .typedef("Flags")
        .and_then(CType::layout)
        .unwrap();
    let mut flags = rctypes::StructValue::new(flags_layout).unwrap();
    let fill = &bound.functions["fill_flags"];
    fill.call(&[(&mut flags).into(), 1.into(), 3.into(), 9.into()])
        .unwrap();
    assert_eq!(flags.get("mode").unwrap(), Value::Int(3));
}

#[test]
fn sample_h_declares_the_seed_records() {
    let header = Header::read(c_sources().join("sample.h"), &[]).unwrap();
    let d = &header.declarations;
    let weather = d.layout("Weather_t").unwrap();
    assert_eq!(d.typedef("Weather"), Some(&CType::Struct(weather.clone())));
    assert_eq!(
        weather.to_string(),
        "struct Weather_t { timestamp: c_int @ 0, desc: c_char * 12 @ 4 } (size 16, align 4)"
    );
    let padded = d.layout("Padded_t").unwrap();
    assert_eq!(padded.field("d").unwrap().offset(), 8);
    let sum = d.function("sum_timestamps").unwrap();
    assert_eq!(
        sum.args[0],
        CType::const_pointer(CType::Struct(weather.clone()))
    );
}

#[test]
fn c_text_declarations_match_the_builder_and_the_compiler() {
    // The hand-written rules, as C text: every definition cdecl reads
    // must give the builder's layout (they are checked against the C
    // compiler in layout_vs_c).
    let defs = rules_cdecl_can_read();
    let source: String = defs
        .iter()
        .enumerate()
        .map(|(i, d)| d.c_source(i, &defs))
        .collect();
    let mut decls = Declarations::new();
    decls
        .parse(&source)
        .unwrap_or_else(|e| panic!("{e}\n{source}"));
    let mut built = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        let ours = def.layout(i, &built).unwrap();
        let read = decls
            .layout(&format!("S{i}"))
            .unwrap_or_else(|| panic!("no S{i}"));
        assert_eq!(**read, *ours, "definition {i}:\n{}", def.c_source(i, &defs));
        built.push(ours);
    }
    assert_matches_c(&defs, "definitions read as C text");
    // Bad C is an error with the place.
    let err = Declarations::new()
        .parse("struct bad { int x : 40; };")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("bitfield `x` is 40 bits wide, wider than its type c_int"),
        "{err}"
    );
    let err = Declarations::new()
        .parse("struct a { char c; double d __attribute__((aligned(16))); };")
        .unwrap_err();
    assert!(
        err.to_string().contains("__attribute__ is not supported"),
        "{err}"
    );
}

/// Definitions without `_Alignas` or `aligned`, which C text here cannot
/// carry: pack, bitfields (named and unnamed), arrays, nesting, unions.
fn rules_cdecl_can_read() -> Vec<Def> {
    use super::spec::{FieldSpec as F, Ty, scalar, scalar_index};
    let int = scalar_index("int");
    let llong = scalar_index("long long");
    let def = |union: bool, pack: Option<usize>, fields: Vec<F>| Def {
        union,
        fields,
        pack,
        align: None,
    };
    vec![
        def(
            false,
            None,
            vec![
                F::plain("timestamp", scalar("int")),
                F::plain("desc", Ty::Array(Box::new(scalar("char")), 12)),
            ],
        ),
        def(
            false,
            Some(1),
            vec![
                F::plain("c", scalar("char")),
                F::plain("d", scalar("double")),
            ],
        ),
        def(
            false,
            None,
            vec![
                F::plain("a", scalar("char")),
                F::bits("b", int, 30),
                F::unnamed(llong, 0),
                F::bits("c", llong, 40),
            ],
        ),
        def(
            false,
            Some(2),
            vec![
                F::plain("a", scalar("char")),
                F::bits("b", int, 30),
                F::unnamed(int, 3),
            ],
        ),
        def(
            true,
            None,
            vec![
                F::plain("s", Ty::Def(1)),
                F::plain("x", scalar("long double")),
                F::bits("b", int, 5),
            ],
        ),
        def(
            false,
            None,
            vec![
                F::plain("n", scalar("_Bool")),
                F::plain("many", Ty::Array(Box::new(Ty::Def(4)), 2)),
                F::plain(
                    "grid",
                    Ty::Array(
                        Box::new(Ty::Array(Box::new(scalar("unsigned short")), 3)),
                        2,
                    ),
                ),
                F::plain("p", scalar("void *")),
                F::plain("z", scalar("size_t")),
            ],
        ),
    ]
}
