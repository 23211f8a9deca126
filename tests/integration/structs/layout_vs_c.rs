//! Our layouts against the C compiler's: every rule by hand, then a few
//! hundred random definitions.

use std::sync::Arc;

use rctypes::{CType, StructLayout};

use super::spec::{
    BIT_TYPES, Def, FieldSpec as F, SCALARS, Ty, assert_matches_c, scalar, scalar_index,
};

/// A field of the scalar C type named.
fn field(name: &str, c_type: &str) -> F {
    F::plain(name, scalar(c_type))
}

fn def(fields: Vec<F>) -> Def {
    Def {
        union: false,
        fields,
        pack: None,
        align: None,
    }
}

fn union(fields: Vec<F>) -> Def {
    Def {
        union: true,
        ..def(fields)
    }
}

fn packed(n: usize, fields: Vec<F>) -> Def {
    Def {
        pack: Some(n),
        ..def(fields)
    }
}

/// One definition per rule, each checked against the compiler.
#[test]
fn every_rule_matches_the_c_compiler() {
    let int = scalar_index("int");
    let uint = scalar_index("unsigned int");
    let char_ = scalar_index("char");
    let llong = scalar_index("long long");
    let short = scalar_index("short");
    let bool_ = scalar_index("_Bool");
    let uchar = scalar_index("unsigned char");
    let defs = vec![
        // 0: the seed's Weather, and every scalar once.
        def(vec![
            field("timestamp", "int"),
            F::plain("desc", Ty::Array(Box::new(scalar("char")), 12)),
        ]),
        def(SCALARS
            .iter()
            .enumerate()
            .map(|(i, _)| F::plain(&format!("f{i}"), Ty::Scalar(i)))
            .collect()),
        // 2: padding: {char; double}, trailing padding {double; char}.
        def(vec![field("c", "char"), field("d", "double")]),
        def(vec![field("d", "double"), field("c", "char")]),
        // 4: pack(1), pack(2), pack(4) and pack(16) (above natural: no effect).
        packed(1, vec![field("c", "char"), field("d", "double")]),
        packed(
            2,
            vec![field("c", "char"), field("i", "int"), field("d", "double")],
        ),
        packed(
            4,
            vec![
                field("c", "char"),
                field("d", "double"),
                field("s", "short"),
            ],
        ),
        packed(16, vec![field("c", "char"), field("x", "long double")]),
        // 8: _Alignas on a field, an aligned struct, both under pack.
        def(vec![field("c", "char"), F::aligned("i", scalar("int"), 16)]),
        Def {
            align: Some(32),
            ..def(vec![field("c", "char"), field("i", "int")])
        },
        packed(
            2,
            vec![field("c", "char"), F::aligned("d", scalar("int"), 8)],
        ),
        Def {
            align: Some(8),
            ..packed(1, vec![field("c", "char"), field("i", "int")])
        },
        // 12: nested structs and arrays of them (definition 2 is {char; double}).
        def(vec![field("tag", "char"), F::plain("inner", Ty::Def(2))]),
        def(vec![
            field("n", "short"),
            F::plain("many", Ty::Array(Box::new(Ty::Def(2)), 3)),
            F::plain(
                "grid",
                Ty::Array(Box::new(Ty::Array(Box::new(scalar("short")), 3)), 2),
            ),
        ]),
        // 14: a packed struct inside a natural one, and the reverse.
        def(vec![field("c", "char"), F::plain("p", Ty::Def(4))]),
        packed(1, vec![field("c", "char"), F::plain("n", Ty::Def(2))]),
        // 16: bitfields: filling a unit, straddling (moved to the next unit).
        def(vec![
            F::bits("ready", uint, 1),
            F::bits("mode", uint, 3),
            field("count", "int"),
        ]),
        def(vec![field("a", "char"), F::bits("b", int, 30)]),
        def(vec![
            field("a", "char"),
            F::bits("b", bool_, 1),
            F::bits("c", llong, 40),
            F::bits("d", short, 9),
        ]),
        // 19: packed bitfields straddle; pack(2) caps their alignment.
        packed(8, vec![field("a", "char"), F::bits("b", int, 30)]),
        packed(
            2,
            vec![
                field("a", "char"),
                F::bits("b", int, 30),
                F::bits("c", int, 20),
            ],
        ),
        packed(
            1,
            vec![
                F::bits("a", uchar, 7),
                F::bits("b", llong, 64),
                F::bits("c", char_, 2),
            ],
        ),
        // 22: unnamed bitfields: zero width jumps (even packed), others pad.
        def(vec![
            field("a", "char"),
            F::unnamed(llong, 0),
            field("c", "char"),
        ]),
        packed(
            1,
            vec![field("a", "char"), F::unnamed(int, 0), field("c", "char")],
        ),
        def(vec![
            field("a", "char"),
            F::unnamed(int, 3),
            field("c", "char"),
        ]),
        def(vec![
            F::bits("a", int, 3),
            F::unnamed(int, 0),
            F::bits("b", int, 3),
        ]),
        // 26: unions: plain, with arrays, bitfields, unnamed bitfields, packed.
        union(vec![
            field("i", "int"),
            field("d", "double"),
            F::plain("b", Ty::Array(Box::new(scalar("char")), 12)),
        ]),
        union(vec![field("a", "char"), F::bits("b", int, 5)]),
        union(vec![field("a", "char"), F::unnamed(int, 20)]),
        Def {
            union: true,
            ..packed(2, vec![field("a", "char"), F::bits("b", llong, 5)])
        },
        // 30: a union inside a struct, a struct inside a union.
        def(vec![field("kind", "int"), F::plain("u", Ty::Def(26))]),
        union(vec![F::plain("s", Ty::Def(2)), field("x", "long double")]),
        // 32: every bitfield type at full width.
        def(BIT_TYPES
            .iter()
            .map(|&t| {
                let width = if SCALARS[t].1 == CType::Bool {
                    1
                } else {
                    8 * SCALARS[t].1.size() as u32
                };
                F::bits(&format!("b{t}"), t, width)
            })
            .collect()),
    ];
    assert_matches_c(&defs, "hand-written definitions");
}

/// splitmix64: a small, fixed-seed generator, so a failure is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A random definition that may use the ones before it (`built`).
fn random_def(rng: &mut Rng, built: &[Arc<StructLayout>], alignments: bool) -> Def {
    let union = rng.chance(20);
    let n = 1 + rng.below(8);
    let mut fields = Vec::new();
    for i in 0..n {
        let name = format!("f{i}");
        let field = if rng.chance(22) {
            let t = BIT_TYPES[rng.below(BIT_TYPES.len())];
            let max = if SCALARS[t].1 == CType::Bool {
                1
            } else {
                8 * SCALARS[t].1.size()
            };
            let width = 1 + rng.below(max) as u32;
            match rng.below(10) {
                0 => F::unnamed(t, 0),
                1 => F::unnamed(t, width),
                _ => F::bits(&name, t, width),
            }
        } else {
            let ty = random_type(rng, built);
            if alignments && rng.chance(10) {
                let natural = ty.ctype(built).align();
                F::aligned(&name, ty, natural << rng.below(4))
            } else {
                F::plain(&name, ty)
            }
        };
        fields.push(field);
    }
    // C wants at least one named member.
    if fields.iter().all(|f| f.name.is_none()) {
        fields.push(field("last", "int"));
    }
    Def {
        union,
        fields,
        pack: rng.chance(30).then(|| 1 << rng.below(5)),
        align: (alignments && rng.chance(10)).then(|| 1 << rng.below(7)),
    }
}

fn random_type(rng: &mut Rng, built: &[Arc<StructLayout>]) -> Ty {
    // Nest only small definitions, to keep sizes modest.
    let small: Vec<usize> = (0..built.len())
        .filter(|&i| built[i].size() <= 64)
        .collect();
    let base = if rng.chance(25) && !small.is_empty() {
        Ty::Def(small[rng.below(small.len())])
    } else {
        Ty::Scalar(rng.below(SCALARS.len()))
    };
    if rng.chance(15) {
        let ty = Ty::Array(Box::new(base), 1 + rng.below(4));
        if rng.chance(20) {
            Ty::Array(Box::new(ty), 1 + rng.below(3))
        } else {
            ty
        }
    } else {
        base
    }
}

/// `count` random definitions from `seed`, with their layouts.
fn random_defs(seed: u64, count: usize, alignments: bool) -> (Vec<Def>, Vec<Arc<StructLayout>>) {
    let mut rng = Rng(seed);
    let mut defs: Vec<Def> = Vec::new();
    let mut built = Vec::new();
    while defs.len() < count {
        let d = random_def(&mut rng, &built, alignments);
        let layout = d
            .layout(defs.len(), &built)
            .unwrap_or_else(|e| panic!("seed {seed}: a valid random definition was refused: {e}"));
        built.push(layout);
        defs.push(d);
    }
    (defs, built)
}

fn seed(default: u64) -> u64 {
    std::env::var("RCTYPES_LAYOUT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A few hundred random definitions (random field types, nesting, arrays,
/// bitfields, pack and alignment), compiled together: every size,
/// alignment, offset and bitfield position must be the compiler's.
#[test]
fn random_definitions_match_the_c_compiler() {
    let seed = seed(0x5eed_2024_c0de_cafe);
    let (defs, _) = random_defs(seed, 400, true);
    assert_matches_c(
        &defs,
        &format!("seed {seed} (rerun with RCTYPES_LAYOUT_SEED={seed})"),
    );
}

/// Random definitions written as C text and read by the declaration parser
/// give the builder's layouts (and the compiler's).
#[test]
fn random_definitions_read_as_c_text() {
    let seed = seed(0xdec1_a2ed_c0de_0001);
    let (defs, built) = random_defs(seed, 300, false);
    let source: String = defs
        .iter()
        .enumerate()
        .map(|(i, d)| d.c_source(i, &defs))
        .collect();
    let mut decls = rctypes::Declarations::new();
    decls
        .parse(&source)
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    for (i, ours) in built.iter().enumerate() {
        let read = decls.layout(&format!("S{i}")).unwrap();
        assert_eq!(
            **read,
            **ours,
            "seed {seed} (rerun with RCTYPES_LAYOUT_SEED={seed}): definition {i}\n{}",
            defs[i].c_source(i, &defs)
        );
    }
    assert_matches_c(&defs, &format!("seed {seed}"));
}

/// Declarations C rejects are errors that name the field.
#[test]
fn invalid_declarations_name_the_field() {
    let msg = |b: rctypes::StructBuilder| b.build().unwrap_err().to_string();
    assert_eq!(
        msg(StructLayout::builder("S").bitfield("flag", CType::UInt, 0)),
        "struct S: bitfield `flag` has width 0; only an unnamed bitfield may (use unnamed_bitfield)"
    );
    assert_eq!(
        msg(StructLayout::builder("S").bitfield("wide", CType::Short, 17)),
        "struct S: bitfield `wide` is 17 bits wide, wider than its type c_short (16 bits)"
    );
    assert_eq!(
        msg(StructLayout::builder("S").bitfield("x", CType::Float, 3)),
        "struct S: bitfield `x` has type c_float; bitfields must have an integer type"
    );
    assert_eq!(
        msg(StructLayout::builder("S").field("x", CType::Int).pack(6)),
        "struct S: pack(6): the packing must be a power of two (1, 2, 4, 8, 16)"
    );
    assert_eq!(
        msg(StructLayout::union_builder("U")
            .field("x", CType::Int)
            .align(12)),
        "union U: aligned(12): an alignment must be a power of two"
    );
    assert_eq!(
        msg(StructLayout::builder("S").field_aligned("x", CType::Int, 3)),
        "struct S: field `x`: _Alignas(3): an alignment must be a power of two"
    );
    let inner = StructLayout::builder("In")
        .field("x", CType::Int)
        .build()
        .unwrap();
    assert!(
        msg(StructLayout::builder("S").bitfield("s", CType::Struct(inner), 3))
            .contains("bitfields must have an integer type")
    );
}
