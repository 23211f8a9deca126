//! Structs by value of random shapes: random signatures mixing scalars and
//! structs (arguments and results), generated C that checksums every field,
//! called through every route that takes each signature (the fast path and
//! the register route take struct arguments of up to 16 bytes) and compared
//! field by field.

use std::sync::Arc;

use rctypes::{CBuild, CType, Route, StructLayout, StructValue, Value};

use super::signatures::{self, Arg, Rng, Ty};

/// Field types a generated struct draws from.
const FIELD_TYPES: [Ty; 9] = [
    Ty::Bool,
    Ty::SChar,
    Ty::UChar,
    Ty::Short,
    Ty::Int,
    Ty::UInt,
    Ty::LongLong,
    Ty::Float,
    Ty::Double,
];
/// Scalar argument and result types mixed in with the structs.
const SCALARS: [Ty; 6] = [
    Ty::Int,
    Ty::Double,
    Ty::SChar,
    Ty::Float,
    Ty::ULongLong,
    Ty::Short,
];

/// A struct shape: `typedef struct { T0 f0; T1 f1; ... } S<k>;`.
struct Shape {
    fields: Vec<Ty>,
    layout: Arc<StructLayout>,
}

impl Shape {
    fn random(rng: &mut Rng, k: usize) -> Shape {
        let n = 1 + rng.below(5) as usize;
        let fields: Vec<Ty> = (0..n)
            .map(|_| FIELD_TYPES[rng.below(FIELD_TYPES.len() as u64) as usize])
            .collect();
        let mut builder = StructLayout::builder(format!("S{k}"));
        for (i, t) in fields.iter().enumerate() {
            builder = builder.field(format!("f{i}"), t.ctype());
        }
        Shape {
            fields,
            layout: builder.build().expect("plain fields lay out"),
        }
    }

    fn c_typedef(&self, k: usize) -> String {
        let fields: String = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{} f{i}; ", t.c()))
            .collect();
        format!("typedef struct {{ {fields}}} S{k};\n")
    }
}

/// An argument or result: a scalar, or struct shape `k`.
#[derive(Clone, Copy)]
enum Slot {
    Scalar(Ty),
    Struct(usize),
}

struct Sig {
    index: usize,
    args: Vec<Slot>,
    ret: Slot,
}

/// C's conversion of the checksum word `x` to a field or result of type `t`.
fn conv(t: Ty, x: &str) -> String {
    match t {
        Ty::Bool => format!("(_Bool)(({x}) & 1)"),
        Ty::Float => format!("(float)(({x}) >> 40)"),
        Ty::Double => format!("(double)(({x}) >> 11)"),
        t => format!("({})({x})", t.c()),
    }
}

/// The checksum term C mixes in for a value of type `t` named `v`.
fn term(t: Ty, v: &str) -> String {
    match t {
        Ty::Float => format!("fbits({v})"),
        Ty::Double => format!("dbits({v})"),
        _ => format!("(unsigned long long)(long long){v}"),
    }
}

impl Sig {
    fn c_type(slot: Slot) -> String {
        match slot {
            Slot::Scalar(t) => t.c().to_owned(),
            Slot::Struct(k) => format!("S{k}"),
        }
    }

    fn c_source(&self, shapes: &[Shape]) -> String {
        let params = signatures::c_params(self.args.iter().map(|s| Sig::c_type(*s)));
        let mut body = String::from(signatures::CHECKSUM_START);
        for (i, slot) in self.args.iter().enumerate() {
            match slot {
                Slot::Scalar(t) => {
                    body += &format!("    h = mix(h, {});\n", term(*t, &format!("a{i}")))
                }
                Slot::Struct(k) => {
                    for (f, t) in shapes[*k].fields.iter().enumerate() {
                        body += &format!("    h = mix(h, {});\n", term(*t, &format!("a{i}.f{f}")));
                    }
                }
            }
        }
        match self.ret {
            Slot::Scalar(t) => body += &format!("    return {};\n", conv(t, "h")),
            Slot::Struct(k) => {
                body += &format!("    S{k} r;\n");
                for (f, t) in shapes[k].fields.iter().enumerate() {
                    body += &format!("    r.f{f} = {};\n", conv(*t, &format!("h >> {f}")));
                }
                body += "    return r;\n";
            }
        }
        format!(
            "{} dstruct_{}({params})\n{{\n{body}}}\n",
            Sig::c_type(self.ret),
            self.index
        )
    }
}

fn ctype(slot: Slot, shapes: &[Shape]) -> CType {
    match slot {
        Slot::Scalar(t) => t.ctype(),
        Slot::Struct(k) => CType::Struct(shapes[k].layout.clone()),
    }
}

/// A random value of a field or scalar type, and its checksum term.
fn random_value(t: Ty, rng: &mut Rng) -> (Value<'static>, u64) {
    match t.random(rng) {
        Arg::Int(i) => (Value::Int(i), Ty::int_bits(i)),
        Arg::Float(f) if t == Ty::Float => (Value::Float(f), (f as f32).to_bits() as u64),
        Arg::Float(f) => (Value::Float(f), f.to_bits()),
        other => unreachable!("{other:?}"),
    }
}

fn mix(h: u64, v: u64) -> u64 {
    (h ^ v).wrapping_mul(1_099_511_628_211)
}

#[test]
fn random_struct_signatures_agree_on_every_route() {
    let count: usize = std::env::var("RCTYPES_DIFF_SIGNATURES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
        / 6;
    let seed: u64 = std::env::var("RCTYPES_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x57ac7);
    let mut rng = Rng::new(seed);
    let shapes: Vec<Shape> = (0..12).map(|k| Shape::random(&mut rng, k)).collect();
    let slot = |rng: &mut Rng| {
        if rng.below(2) == 0 {
            Slot::Struct(rng.below(shapes.len() as u64) as usize)
        } else {
            Slot::Scalar(SCALARS[rng.below(SCALARS.len() as u64) as usize])
        }
    };
    let sigs: Vec<Sig> = (0..count)
        .map(|index| {
            // Up to nine: enough to spill past the registers beside structs.
            let n = rng.below(10) as usize;
            Sig {
                index,
                args: (0..n).map(|_| slot(&mut rng)).collect(),
                ret: slot(&mut rng),
            }
        })
        .collect();
    let mut source = signatures::C_PRELUDE.to_owned();
    source += &shapes
        .iter()
        .enumerate()
        .map(|(k, s)| s.c_typedef(k))
        .collect::<String>();
    source += &sigs.iter().map(|s| s.c_source(&shapes)).collect::<String>();
    // SAFETY: generated C with no initialisers.
    let lib = unsafe {
        CBuild::new()
            .source_str("differential_structs.c", source)
            .build()
    }
    .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    let mut calls = 0;
    let mut routes = [0usize; Route::ALL.len()];
    for sig in &sigs {
        let args: Vec<CType> = sig.args.iter().map(|s| ctype(*s, &shapes)).collect();
        // SAFETY: the C function was generated from this signature.
        let f = unsafe {
            lib.function(
                &format!("dstruct_{}", sig.index),
                &args,
                ctype(sig.ret, &shapes),
            )
        }
        .unwrap_or_else(|e| panic!("seed {seed}, dstruct_{}: {e}", sig.index));
        let fastest = Route::ALL.iter().position(|&r| r == f.route());
        routes[fastest.expect("a route of Route::ALL")] += 1;
        for route in crate::common::every_route(&f) {
            for _ in 0..4 {
                let mut h: u64 = 1_469_598_103_934_665_603;
                let mut values = Vec::new();
                for slot in &sig.args {
                    match slot {
                        Slot::Scalar(t) => {
                            let (v, bits) = random_value(*t, &mut rng);
                            h = mix(h, bits);
                            values.push(v);
                        }
                        Slot::Struct(k) => {
                            let mut s = StructValue::new(&shapes[*k].layout).unwrap();
                            for (i, t) in shapes[*k].fields.iter().enumerate() {
                                let (v, bits) = random_value(*t, &mut rng);
                                h = mix(h, bits);
                                s.set(&format!("f{i}"), v).expect("in range");
                            }
                            values.push(Value::from(s));
                        }
                    }
                }
                let context =
                    || format!("seed {seed}, dstruct_{} via {:?}", sig.index, route.route());
                let got = route
                    .call(&values)
                    .unwrap_or_else(|e| panic!("{}: {e}", context()));
                match (sig.ret, &got) {
                    (Slot::Scalar(t), v) => {
                        assert_eq!(t.result_bits(v), t.expected_bits(h), "{}", context())
                    }
                    (Slot::Struct(k), Value::Struct(s)) => {
                        for (i, t) in shapes[k].fields.iter().enumerate() {
                            let field = s.get(&format!("f{i}")).unwrap();
                            assert_eq!(
                                t.result_bits(&field),
                                t.expected_bits(h >> i),
                                "field f{i}: {}",
                                context()
                            );
                        }
                    }
                    (_, other) => panic!("{}: a struct result came back as {other:?}", context()),
                }
                calls += 1;
            }
        }
    }
    eprintln!(
        "differential structs: {} signatures over 12 shapes from seed {seed}, {calls} calls; \
         compiled, fast path, register route, libffi only: {routes:?}",
        sigs.len()
    );
    // Signatures the fast path takes run on the register route too, so
    // none has it as its fastest; where a build has no register routes,
    // libffi takes them all.
    let [compiled, _, registers, libffi] = routes;
    assert_eq!(compiled > 0, Route::Compiled.is_available(), "{routes:?}");
    assert_eq!(registers > 0, Route::Registers.is_available(), "{routes:?}");
    assert!(libffi > 0, "{routes:?}");
}
