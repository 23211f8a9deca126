//! Struct definitions written once and rendered twice: as C source for the
//! compiler, and as `StructLayout` declarations for rctypes. The compiled C
//! reports `sizeof`, `_Alignof`, `offsetof` and each bitfield's bits, and
//! the tests compare those numbers with ours.

use std::fmt::Write;
use std::sync::Arc;

use rctypes::{CBuild, CType, Library, StructLayout};

/// The C scalar types, spelled as C and as rctypes.
pub const SCALARS: &[(&str, CType)] = &[
    ("char", CType::Char),
    ("signed char", CType::Byte),
    ("unsigned char", CType::UByte),
    ("short", CType::Short),
    ("unsigned short", CType::UShort),
    ("int", CType::Int),
    ("unsigned int", CType::UInt),
    ("long", CType::Long),
    ("unsigned long", CType::ULong),
    ("long long", CType::LongLong),
    ("unsigned long long", CType::ULongLong),
    ("_Bool", CType::Bool),
    ("float", CType::Float),
    ("double", CType::Double),
    ("long double", CType::LongDouble),
    ("void *", CType::VoidP),
    ("size_t", CType::SizeT),
    ("int8_t", CType::Int8),
    ("uint16_t", CType::UInt16),
    ("int32_t", CType::Int32),
    ("uint64_t", CType::UInt64),
];

/// The integer types a bitfield may have.
pub const BIT_TYPES: &[usize] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

#[derive(Clone, Debug)]
pub enum Ty {
    /// An index into `SCALARS`.
    Scalar(usize),
    /// `elem name[n]`.
    Array(Box<Ty>, usize),
    /// An earlier definition, by index.
    Def(usize),
}

#[derive(Clone, Debug)]
pub struct FieldSpec {
    /// `None` for an unnamed bitfield.
    pub name: Option<String>,
    pub ty: Ty,
    pub bits: Option<u32>,
    pub alignas: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Def {
    pub union: bool,
    pub fields: Vec<FieldSpec>,
    pub pack: Option<usize>,
    pub align: Option<usize>,
}

impl FieldSpec {
    pub fn plain(name: &str, ty: Ty) -> FieldSpec {
        FieldSpec {
            name: Some(name.into()),
            ty,
            bits: None,
            alignas: None,
        }
    }

    pub fn bits(name: &str, scalar: usize, width: u32) -> FieldSpec {
        FieldSpec {
            name: Some(name.into()),
            ty: Ty::Scalar(scalar),
            bits: Some(width),
            alignas: None,
        }
    }

    pub fn unnamed(scalar: usize, width: u32) -> FieldSpec {
        FieldSpec {
            name: None,
            ty: Ty::Scalar(scalar),
            bits: Some(width),
            alignas: None,
        }
    }

    pub fn aligned(name: &str, ty: Ty, align: usize) -> FieldSpec {
        FieldSpec {
            alignas: Some(align),
            ..FieldSpec::plain(name, ty)
        }
    }
}

/// The index of a scalar in `SCALARS`.
pub fn scalar(c_name: &str) -> Ty {
    Ty::Scalar(scalar_index(c_name))
}

pub fn scalar_index(c_name: &str) -> usize {
    SCALARS
        .iter()
        .position(|(n, _)| *n == c_name)
        .unwrap_or_else(|| panic!("no scalar {c_name}"))
}

fn tag(i: usize) -> String {
    format!("S{i}")
}

impl Ty {
    pub fn ctype(&self, layouts: &[Arc<StructLayout>]) -> CType {
        match self {
            Ty::Scalar(i) => SCALARS[*i].1.clone(),
            Ty::Array(t, n) => CType::array(t.ctype(layouts), *n),
            Ty::Def(i) => CType::Struct(layouts[*i].clone()),
        }
    }

    /// C's declaration of `name` with this type: `int name[2][3]`.
    fn declare(&self, defs: &[Def], name: &str) -> String {
        let mut dims = String::new();
        let mut t = self;
        while let Ty::Array(inner, n) = t {
            write!(dims, "[{n}]").unwrap();
            t = inner;
        }
        let base = match t {
            Ty::Scalar(i) => SCALARS[*i].0.to_owned(),
            Ty::Def(i) => format!(
                "{} {}",
                if defs[*i].union { "union" } else { "struct" },
                tag(*i)
            ),
            Ty::Array(..) => unreachable!(),
        };
        format!("{base} {name}{dims}")
    }
}

impl Def {
    pub fn keyword(&self) -> &'static str {
        if self.union { "union" } else { "struct" }
    }

    /// The C definition of definition `i`.
    pub fn c_source(&self, i: usize, defs: &[Def]) -> String {
        let mut s = String::new();
        if let Some(p) = self.pack {
            writeln!(s, "#pragma pack(push, {p})").unwrap();
        }
        let attr = self
            .align
            .map_or(String::new(), |a| format!("__attribute__((aligned({a}))) "));
        writeln!(s, "{} {attr}{} {{", self.keyword(), tag(i)).unwrap();
        for f in &self.fields {
            let name = f.name.as_deref().unwrap_or("");
            let alignas = f
                .alignas
                .map_or(String::new(), |a| format!("_Alignas({a}) "));
            let bits = f.bits.map_or(String::new(), |b| format!(" : {b}"));
            writeln!(s, "    {alignas}{}{bits};", f.ty.declare(defs, name)).unwrap();
        }
        writeln!(s, "}};").unwrap();
        if self.pack.is_some() {
            writeln!(s, "#pragma pack(pop)").unwrap();
        }
        s
    }

    /// The same definition declared to rctypes.
    pub fn layout(
        &self,
        i: usize,
        layouts: &[Arc<StructLayout>],
    ) -> rctypes::Result<Arc<StructLayout>> {
        let mut b = if self.union {
            StructLayout::union_builder(tag(i))
        } else {
            StructLayout::builder(tag(i))
        };
        for f in &self.fields {
            let ty = f.ty.ctype(layouts);
            b = match (&f.name, f.bits, f.alignas) {
                (None, Some(w), _) => b.unnamed_bitfield(ty, w),
                (Some(n), Some(w), _) => b.bitfield(n, ty, w),
                (Some(n), None, Some(a)) => b.field_aligned(n, ty, a),
                (Some(n), None, None) => b.field(n, ty),
                (None, None, _) => unreachable!("plain fields have names"),
            };
        }
        if let Some(p) = self.pack {
            b = b.pack(p);
        }
        if let Some(a) = self.align {
            b = b.align(a);
        }
        b.build()
    }
}

/// The C program reporting every definition's numbers: for each, sizeof and
/// _Alignof, then per named field its offset (plain) or its first bit and
/// number of bits (bitfield), found by setting the bitfield to all ones in a
/// zeroed value.
pub fn c_program(defs: &[Def]) -> String {
    let mut s = String::from(
        "#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n\n\
         static volatile long long all_ones = -1;\n\n\
         static void bits(const unsigned char *b, size_t len, size_t *out) {\n\
         \x20   size_t first = (size_t)-1, count = 0;\n\
         \x20   for (size_t i = 0; i < 8 * len; ++i)\n\
         \x20       if (b[i / 8] >> (i % 8) & 1) { if (first == (size_t)-1) first = i; ++count; }\n\
         \x20   out[0] = first; out[1] = count;\n\
         }\n\n",
    );
    for (i, d) in defs.iter().enumerate() {
        s.push_str(&d.c_source(i, defs));
        s.push('\n');
    }
    s.push_str("size_t describe(size_t *out) {\n    size_t n = 0;\n");
    for (i, d) in defs.iter().enumerate() {
        let t = format!("{} {}", d.keyword(), tag(i));
        writeln!(s, "    out[n++] = sizeof({t}); out[n++] = _Alignof({t});").unwrap();
        for f in &d.fields {
            let Some(name) = &f.name else { continue };
            if f.bits.is_some() {
                writeln!(
                    s,
                    "    {{ {t} v; memset(&v, 0, sizeof v); v.{name} = all_ones; \
                     bits((const unsigned char *)&v, sizeof v, out + n); n += 2; }}"
                )
                .unwrap();
            } else {
                writeln!(s, "    out[n++] = offsetof({t}, {name});").unwrap();
            }
        }
    }
    s.push_str("    return n;\n}\n");
    s
}

/// Our numbers, in the order the C program reports them.
pub fn our_numbers(layout: &StructLayout) -> Vec<usize> {
    let mut v = vec![layout.size(), layout.align()];
    for f in layout.fields() {
        match f.bits() {
            Some(b) => v.extend([b.start, b.width as usize]),
            None => v.push(f.offset()),
        }
    }
    v
}

/// Compiles the definitions and returns the library.
pub fn compile(defs: &[Def]) -> Library {
    let source = c_program(defs);
    // SAFETY: the generated C has no initialisers.
    unsafe {
        CBuild::new()
            .source_str("layouts.c", source)
            .std("c11")
            .flag("-Wno-overflow")
            .build()
    }
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Compares every definition with the compiler's numbers; `context` is
/// printed with a mismatch (the random seed).
pub fn assert_matches_c(defs: &[Def], context: &str) {
    let lib = compile(defs);
    // SAFETY: the generated `size_t describe(size_t *out)` writes at most 2 + 2
    // * fields numbers per definition to out, which holds that many below.
    let describe = unsafe { lib.typed::<(&mut [usize],), usize>("describe") }.unwrap();
    let capacity: usize = defs.iter().map(|d| 2 + 2 * d.fields.len()).sum();
    let mut out = vec![0usize; capacity];
    let n = describe.call((&mut out[..],));
    assert!(n <= capacity);
    let mut layouts: Vec<Arc<StructLayout>> = Vec::new();
    let mut at = 0;
    for (i, d) in defs.iter().enumerate() {
        let layout = d.layout(i, &layouts).unwrap_or_else(|e| {
            panic!(
                "{context}: definition {i} refused: {e}\n{}",
                d.c_source(i, defs)
            )
        });
        let ours = our_numbers(&layout);
        let theirs = &out[at..at + ours.len()];
        assert_eq!(
            ours,
            theirs,
            "{context}: definition {i} differs from the C compiler's \
             (ours, then C's: size, alignment, then each field's offset, or first bit and width)\n\
             C:\n{}rctypes: {layout}",
            d.c_source(i, defs)
        );
        at += ours.len();
        layouts.push(layout);
    }
    assert_eq!(
        at, n,
        "{context}: the C program reported {n} numbers, we expected {at}"
    );
}
