//! The generator: random signatures, their C source, random arguments, and
//! the checksum both sides compute.

use rctypes::{CType, LongDouble, Value};

/// SplitMix64: small, fast, and the same everywhere, so a seed replays.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The C types the generator draws from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    Bool,
    SChar,
    UChar,
    Short,
    UShort,
    Int,
    UInt,
    Long,
    ULong,
    LongLong,
    ULongLong,
    SizeT,
    Float,
    Double,
    LongDouble,
    /// `int*`: the function writes one int through it.
    OutInt,
    Void,
}

/// Every argument type: the scalars, then `int*`.
pub const ARG_TYPES: [Ty; 16] = [
    Ty::Bool,
    Ty::SChar,
    Ty::UChar,
    Ty::Short,
    Ty::UShort,
    Ty::Int,
    Ty::UInt,
    Ty::Long,
    Ty::ULong,
    Ty::LongLong,
    Ty::ULongLong,
    Ty::SizeT,
    Ty::Float,
    Ty::Double,
    Ty::LongDouble,
    Ty::OutInt,
];

/// The scalar types: what callbacks take and return (besides `void`).
pub const SCALAR_TYPES: &[Ty] = ARG_TYPES.split_at(15).0;

/// A random type from `types`. Under valgrind, which computes `long double`
/// at double precision, `long double` is drawn as `double`.
pub fn pick(rng: &mut Rng, types: &[Ty]) -> Ty {
    let t = types[rng.below(types.len() as u64) as usize];
    if t == Ty::LongDouble && std::env::var_os("RCTYPES_UNDER_VALGRIND").is_some() {
        Ty::Double
    } else {
        t
    }
}

impl Ty {
    /// The generator's type for a C type with this representation.
    pub fn of(ctype: &CType) -> Ty {
        match ctype {
            CType::Bool => Ty::Bool,
            CType::Byte => Ty::SChar,
            CType::UByte => Ty::UChar,
            CType::Short => Ty::Short,
            CType::UShort => Ty::UShort,
            CType::Int => Ty::Int,
            CType::UInt => Ty::UInt,
            CType::LongLong => Ty::LongLong,
            CType::ULongLong => Ty::ULongLong,
            CType::SSizeT => Ty::Long,
            CType::SizeT => Ty::SizeT,
            CType::Float => Ty::Float,
            CType::Double => Ty::Double,
            other => panic!("no generator type for {other}"),
        }
    }

    pub fn c(self) -> &'static str {
        match self {
            Ty::Bool => "_Bool",
            Ty::SChar => "signed char",
            Ty::UChar => "unsigned char",
            Ty::Short => "short",
            Ty::UShort => "unsigned short",
            Ty::Int => "int",
            Ty::UInt => "unsigned int",
            Ty::Long => "long",
            Ty::ULong => "unsigned long",
            Ty::LongLong => "long long",
            Ty::ULongLong => "unsigned long long",
            Ty::SizeT => "size_t",
            Ty::Float => "float",
            Ty::Double => "double",
            Ty::LongDouble => "long double",
            Ty::OutInt => "int *",
            Ty::Void => "void",
        }
    }

    pub fn ctype(self) -> CType {
        match self {
            Ty::Bool => CType::Bool,
            Ty::SChar => CType::Byte,
            Ty::UChar => CType::UByte,
            Ty::Short => CType::Short,
            Ty::UShort => CType::UShort,
            Ty::Int => CType::Int,
            Ty::UInt => CType::UInt,
            Ty::Long => CType::Long,
            Ty::ULong => CType::ULong,
            Ty::LongLong => CType::LongLong,
            Ty::ULongLong => CType::ULongLong,
            Ty::SizeT => CType::SizeT,
            Ty::Float => CType::Float,
            Ty::Double => CType::Double,
            Ty::LongDouble => CType::LongDouble,
            Ty::OutInt => CType::pointer(CType::Int),
            Ty::Void => CType::Void,
        }
    }

    /// A random value of this type, edges included often.
    pub fn random(self, rng: &mut Rng) -> Arg {
        let raw = rng.next();
        let edge = rng.below(4) == 0;
        match self {
            Ty::Float => Arg::Float(random_float(rng, edge) as f32 as f64),
            Ty::Double => Arg::Float(random_float(rng, edge)),
            Ty::LongDouble => Arg::LongDouble(random_float(rng, edge)),
            Ty::OutInt => Arg::Out,
            _ => {
                let (lo, hi) = self.ctype().int_range().expect("integer type");
                let v = if edge {
                    [lo, hi, 0, (-1i128).max(lo)][rng.below(4) as usize]
                } else {
                    lo + (raw as i128).rem_euclid(hi - lo + 1)
                };
                Arg::Int(v)
            }
        }
    }

    /// The 64-bit image C's `(unsigned long long)` conversion gives an
    /// integer argument.
    pub fn int_bits(v: i128) -> u64 {
        v as i64 as u64
    }

    /// The C expression that gives the checksum term of `expr`, of this type.
    pub fn c_bits(self, expr: &str) -> String {
        match self {
            Ty::Float => format!("fbits({expr})"),
            Ty::Double => format!("dbits({expr})"),
            Ty::LongDouble => format!("dbits((double){expr})"),
            Ty::OutInt => "0x5a5aULL".to_string(),
            Ty::Void => "0x766f6964ULL".to_string(),
            _ => format!("(unsigned long long)(long long){expr}"),
        }
    }

    /// The checksum term of a value of this type, as `c_bits` computes it.
    pub fn bits(self, a: &Arg) -> u64 {
        match (self, a) {
            (Ty::Float, Arg::Float(f)) => (*f as f32).to_bits() as u64,
            (Ty::Double, Arg::Float(f)) => f.to_bits(),
            (Ty::LongDouble, Arg::LongDouble(f)) => f.to_bits(),
            (Ty::OutInt, _) => 0x5a5a,
            (Ty::Void, _) => 0x766f_6964,
            (_, Arg::Int(i)) => Ty::int_bits(*i),
            other => unreachable!("generator mismatch {other:?}"),
        }
    }
}

fn random_float(rng: &mut Rng, edge: bool) -> f64 {
    if edge {
        return [0.0, -0.0, 1.0, -1.5, f64::MAX, f64::MIN_POSITIVE, 1e-310][rng.below(7) as usize];
    }
    let mantissa = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    let exponent = rng.below(200) as i32 - 100;
    let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
    sign * mantissa * 2f64.powi(exponent)
}

/// One argument's value.
#[derive(Clone, Debug)]
pub enum Arg {
    Int(i128),
    Float(f64),
    LongDouble(f64),
    Out,
}

/// Floats compare by their bits: `-0.0` is not `0.0`.
impl PartialEq for Arg {
    fn eq(&self, other: &Arg) -> bool {
        match (self, other) {
            (Arg::Int(a), Arg::Int(b)) => a == b,
            (Arg::Float(a), Arg::Float(b)) | (Arg::LongDouble(a), Arg::LongDouble(b)) => {
                a.to_bits() == b.to_bits()
            }
            (Arg::Out, Arg::Out) => true,
            _ => false,
        }
    }
}

impl Arg {
    /// The argument a callback received, in the generator's terms.
    pub fn received(v: &Value<'_>) -> Arg {
        match v {
            Value::Int(i) => Arg::Int(*i),
            Value::Bool(b) => Arg::Int(*b as i128),
            Value::Float(f) => Arg::Float(*f),
            Value::LongDouble(l) => Arg::LongDouble(l.to_f64()),
            other => panic!("a scalar argument arrived as {other:?}"),
        }
    }
}

/// Makes the call's values; `outs` holds one int per pointer argument.
pub fn values<'a>(args: &'a mut [Arg], outs: &'a mut [[i32; 1]]) -> Vec<Value<'a>> {
    let mut outs = outs.iter_mut();
    args.iter()
        .map(|a| match a {
            Arg::Int(i) => Value::Int(*i),
            Arg::Float(f) => Value::Float(*f),
            Arg::LongDouble(f) => Value::LongDouble(LongDouble::from(*f)),
            Arg::Out => Value::from(outs.next().expect("one slot per pointer argument")),
        })
        .collect()
}

/// What the function writes through its `k`-th pointer argument.
pub fn out_value(checksum: u64, k: usize) -> i32 {
    (checksum >> 16) as i32 ^ k as i32
}

/// A generated signature.
#[derive(Clone, Debug)]
pub struct Signature {
    index: usize,
    pub args: Vec<Ty>,
    pub ret: Ty,
}

/// FNV-style mixing, written identically in C and Rust.
pub fn mix(h: u64, v: u64) -> u64 {
    (h ^ v).wrapping_mul(1_099_511_628_211)
}

pub const C_PRELUDE: &str = "#include <stddef.h>\n#include <string.h>\n\
static unsigned long long mix(unsigned long long h, unsigned long long v) { return (h ^ v) * 1099511628211ULL; }\n\
static unsigned long long fbits(float f) { unsigned int u; memcpy(&u, &f, 4); return u; }\n\
static unsigned long long dbits(double d) { unsigned long long u; memcpy(&u, &d, 8); return u; }\n";

impl Signature {
    /// A signature with given types (for the typed layer's fixed families).
    pub fn of(index: usize, args: Vec<Ty>, ret: Ty) -> Signature {
        Signature { index, args, ret }
    }

    pub fn random(rng: &mut Rng, index: usize) -> Signature {
        let n = rng.below(17) as usize;
        let args = (0..n).map(|_| pick(rng, &ARG_TYPES)).collect();
        let ret = pick(rng, &[SCALAR_TYPES, &[Ty::Void]].concat());
        Signature { index, args, ret }
    }

    pub fn name(&self) -> String {
        format!("diff_{}", self.index)
    }

    pub fn ret(&self) -> Ty {
        self.ret
    }

    pub fn arg_ctypes(&self) -> Vec<CType> {
        self.args.iter().map(|t| t.ctype()).collect()
    }

    pub fn out_count(&self) -> usize {
        self.args.iter().filter(|t| **t == Ty::OutInt).count()
    }

    pub fn describe(&self) -> String {
        let args: Vec<&str> = self.args.iter().map(|t| t.c()).collect();
        format!("{} {}({})", self.ret.c(), self.name(), args.join(", "))
    }

    /// The C function: checksum the arguments, write through pointers, and
    /// return the checksum converted to the result type.
    pub fn c_source(&self) -> String {
        let params = c_params(self.args.iter().map(|t| t.c().to_owned()));
        let mut body = String::from(CHECKSUM_START);
        for (i, t) in self.args.iter().enumerate() {
            body += &format!("    h = mix(h, {});\n", t.c_bits(&format!("a{i}")));
        }
        let mut k = 0;
        for (i, t) in self.args.iter().enumerate() {
            if *t == Ty::OutInt {
                body += &format!("    *a{i} = (int)(h >> 16) ^ {k};\n");
                k += 1;
            }
        }
        body += &match self.ret {
            Ty::Void => String::new(),
            Ty::Bool => "    return (_Bool)(h & 1);\n".into(),
            Ty::Float => "    return (float)(h >> 40);\n".into(),
            Ty::Double => "    return (double)(h >> 11);\n".into(),
            Ty::LongDouble => "    return (long double)h;\n".into(),
            t => format!("    return ({})h;\n", t.c()),
        };
        format!("{} {}({params})\n{{\n{body}}}\n", self.ret.c(), self.name())
    }

    pub fn random_args(&self, rng: &mut Rng) -> Vec<Arg> {
        self.args.iter().map(|t| t.random(rng)).collect()
    }

    /// The checksum the C function computes for `args`.
    pub fn checksum(&self, args: &[Arg]) -> u64 {
        let mut h: u64 = 1_469_598_103_934_665_603;
        for (t, a) in self.args.iter().zip(args) {
            h = mix(h, t.bits(a));
        }
        h
    }
}

impl Ty {
    /// What a callback of this result type returns for checksum `h`: the
    /// checksum converted as the generated C functions convert it.
    pub fn ret_value(self, h: u64) -> Value<'static> {
        match self {
            Ty::Void => Value::Void,
            Ty::Bool => Value::Bool(h & 1 == 1),
            Ty::Float => Value::Float((h >> 40) as f32 as f64),
            Ty::Double => Value::Float((h >> 11) as f64),
            Ty::LongDouble => Value::LongDouble(LongDouble::from(h)),
            t => Value::Int(t.expected_bits(h) as i128),
        }
    }

    /// The checksum term C computes of the value `ret_value(h)`.
    pub fn ret_bits(self, h: u64) -> u64 {
        let arg = match self.ret_value(h) {
            Value::LongDouble(l) => Arg::LongDouble(l.to_f64()),
            Value::Void => Arg::Int(0),
            v => Arg::received(&v),
        };
        self.bits(&arg)
    }

    /// The result as comparable bits.
    pub fn result_bits(self, v: &Value<'_>) -> u128 {
        match (self, v) {
            (Ty::Void, Value::Void) => 0,
            (Ty::Bool, Value::Bool(b)) => *b as u128,
            (Ty::Float | Ty::Double, Value::Float(f)) => f.to_bits() as u128,
            (Ty::LongDouble, Value::LongDouble(l)) => l.to_i128().map_or(u128::MAX, |i| i as u128),
            (_, Value::Int(i)) => *i as u128,
            (t, other) => panic!("{t:?} returned {other:?}"),
        }
    }

    /// What the C function's result converts to, as comparable bits.
    pub fn expected_bits(self, h: u64) -> u128 {
        match self {
            Ty::Void => 0,
            Ty::Bool => (h & 1) as u128,
            Ty::Float => ((h >> 40) as f32 as f64).to_bits() as u128,
            Ty::Double => ((h >> 11) as f64).to_bits() as u128,
            Ty::LongDouble if LongDouble::PRECISION >= 64 => h as u128,
            Ty::LongDouble => LongDouble::from(h)
                .to_i128()
                .map_or(u128::MAX, |i| i as u128),
            t => {
                let (lo, _) = t.ctype().int_range().expect("integer type");
                let bits = t.ctype().size() * 8;
                let truncated = if bits == 64 {
                    h as u128
                } else {
                    (h & ((1u64 << bits) - 1)) as u128
                };
                if lo < 0 && truncated >> (bits - 1) & 1 == 1 {
                    (truncated as i128 - (1i128 << bits)) as u128
                } else {
                    truncated
                }
            }
        }
    }
}

/// A C parameter list of the types given, named `a0`, `a1`, ...: `void`
/// for none.
pub fn c_params(types: impl Iterator<Item = String>) -> String {
    let params: Vec<String> = types
        .enumerate()
        .map(|(i, t)| format!("{t} a{i}"))
        .collect();
    if params.is_empty() {
        "void".into()
    } else {
        params.join(", ")
    }
}

/// The first line of a generated C checksum, the value `mix` folds each
/// argument into (as [`Signature::checksum`] starts).
pub const CHECKSUM_START: &str = "    unsigned long long h = 1469598103934665603ULL;\n";
