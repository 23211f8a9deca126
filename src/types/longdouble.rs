//! C's `long double` at the platform's full precision.
//!
//! Rust has no such type, so [`LongDouble`] holds the platform's bytes and
//! converts exactly: on x86-64 Unix it is the x87 80-bit extended format
//! (64-bit significand), on AArch64 and RISC-V Linux IEEE binary128 (113-bit),
//! elsewhere the same as `double`.

use std::cmp::Ordering;
use std::fmt;

/// The storage formats `long double` takes (one is used per platform).
#[derive(Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)]
enum Format {
    /// x87 extended: sign, 15-bit exponent, explicit 64-bit significand.
    X87,
    /// IEEE binary128: sign, 15-bit exponent, 112 stored significand bits.
    Binary128,
    /// `long double` is `double`.
    Double,
}

#[cfg(all(
    any(target_arch = "x86_64", target_arch = "x86"),
    not(target_env = "msvc")
))]
const FORMAT: Format = Format::X87;
#[cfg(all(
    any(
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "s390x"
    ),
    target_os = "linux"
))]
const FORMAT: Format = Format::Binary128;
#[cfg(not(any(
    all(
        any(target_arch = "x86_64", target_arch = "x86"),
        not(target_env = "msvc")
    ),
    all(
        any(
            target_arch = "aarch64",
            target_arch = "riscv64",
            target_arch = "s390x"
        ),
        target_os = "linux"
    )
)))]
const FORMAT: Format = Format::Double;

/// A C `long double` value, bit for bit as C stores it.
///
/// Conversions from `f64`, `i64` and `u64` are exact wherever `long double`
/// has at least 64 bits of significand (x86-64 Unix, AArch64 Linux);
/// [`to_f64`](LongDouble::to_f64) rounds to nearest, and
/// [`to_i128`](LongDouble::to_i128) gives the exact integer when there is one.
///
/// ```
/// use rctypes::LongDouble;
/// let big = LongDouble::from(u64::MAX); // not representable in f64
/// assert_eq!(big.to_i128(), Some(u64::MAX as i128));
/// assert_eq!(LongDouble::from(0.1f64).to_f64(), 0.1);
/// ```
#[derive(Clone, Copy)]
#[repr(C, align(16))]
pub struct LongDouble {
    bytes: [u8; 16],
}

/// A finite value as sign, significand and binary exponent: ±m·2^e.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Parts {
    Finite { negative: bool, m: u128, e: i32 },
    Infinite { negative: bool },
    NaN,
}

impl LongDouble {
    /// `sizeof(long double)` on this platform.
    pub const SIZE: usize = match FORMAT {
        Format::Double => 8,
        _ if cfg!(target_arch = "x86") => 12,
        _ => 16,
    };
    /// `_Alignof(long double)` on this platform.
    pub const ALIGN: usize = match FORMAT {
        Format::Double => 8,
        _ if cfg!(target_arch = "x86") => 4,
        _ => 16,
    };
    /// Bits of significand precision (64, 113 or 53).
    pub const PRECISION: u32 = match FORMAT {
        Format::X87 => 64,
        Format::Binary128 => 113,
        Format::Double => 53,
    };

    /// The value from the bytes C stores (the first [`SIZE`](Self::SIZE) count).
    pub fn from_bytes(bytes: [u8; 16]) -> LongDouble {
        LongDouble { bytes }
    }

    /// The bytes as C stores them; those past [`SIZE`](Self::SIZE) are zero.
    pub fn to_bytes(self) -> [u8; 16] {
        self.bytes
    }

    /// The nearest `f64`, rounding half to even.
    pub fn to_f64(self) -> f64 {
        match self.parts() {
            Parts::NaN => f64::NAN,
            Parts::Infinite { negative } => {
                if negative {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            Parts::Finite { negative, m, e } => round_to_f64(negative, m, e),
        }
    }

    /// The exact integer value, if the value is an integer that fits `i128`.
    pub fn to_i128(self) -> Option<i128> {
        let Parts::Finite { negative, m, e } = self.parts() else {
            return None;
        };
        let magnitude = if e >= 0 {
            let shifted = m.checked_shl(e as u32)?;
            (shifted >> e == m).then_some(shifted)?
        } else {
            let shift = (-e) as u32;
            if shift >= 128 {
                return (m == 0).then_some(0);
            }
            if m & ((1u128 << shift) - 1) != 0 {
                return None;
            }
            m >> shift
        };
        let magnitude = i128::try_from(magnitude).ok()?;
        Some(if negative { -magnitude } else { magnitude })
    }

    fn parts(self) -> Parts {
        let b = self.bytes;
        match FORMAT {
            Format::Double => {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(&b[..8]);
                f64_parts(f64::from_ne_bytes(raw))
            }
            Format::X87 => {
                let m = u64::from_le_bytes(b[..8].try_into().expect("8 bytes")) as u128;
                let se = u16::from_le_bytes([b[8], b[9]]);
                let negative = se & 0x8000 != 0;
                let exp = (se & 0x7fff) as i32;
                if exp == 0x7fff {
                    // Infinity has only the explicit integer bit set.
                    return if (m as u64) << 1 == 0 {
                        Parts::Infinite { negative }
                    } else {
                        Parts::NaN
                    };
                }
                // Denormals (exp == 0) use the minimum exponent, with no implicit bit.
                let e = exp.max(1) - 16383 - 63;
                Parts::Finite { negative, m, e }
            }
            Format::Binary128 => {
                let bits = u128::from_ne_bytes(b);
                let negative = bits >> 127 != 0;
                let exp = ((bits >> 112) & 0x7fff) as i32;
                let frac = bits & ((1u128 << 112) - 1);
                if exp == 0x7fff {
                    return if frac == 0 {
                        Parts::Infinite { negative }
                    } else {
                        Parts::NaN
                    };
                }
                let m = if exp == 0 {
                    frac
                } else {
                    frac | (1u128 << 112)
                };
                Parts::Finite {
                    negative,
                    m,
                    e: exp.max(1) - 16383 - 112,
                }
            }
        }
    }

    /// Encodes ±m·2^e; callers pass values the format holds exactly.
    fn from_parts(parts: Parts) -> LongDouble {
        let mut bytes = [0u8; 16];
        match FORMAT {
            Format::Double => {
                let v = match parts {
                    Parts::NaN => f64::NAN,
                    Parts::Infinite { negative: n } => {
                        if n {
                            f64::NEG_INFINITY
                        } else {
                            f64::INFINITY
                        }
                    }
                    Parts::Finite { negative, m, e } => round_to_f64(negative, m, e),
                };
                bytes[..8].copy_from_slice(&v.to_ne_bytes());
            }
            Format::X87 => {
                let (negative, exp, m): (bool, u16, u64) = match parts {
                    Parts::NaN => (false, 0x7fff, 0xc000_0000_0000_0000),
                    Parts::Infinite { negative } => (negative, 0x7fff, 1 << 63),
                    Parts::Finite { negative, m: 0, .. } => (negative, 0, 0),
                    Parts::Finite { negative, m, e } => {
                        let (m, e) = normalize(m, e, 64);
                        (negative, (e + 63 + 16383) as u16, m as u64)
                    }
                };
                bytes[..8].copy_from_slice(&m.to_le_bytes());
                let se = exp | if negative { 0x8000 } else { 0 };
                bytes[8..10].copy_from_slice(&se.to_le_bytes());
            }
            Format::Binary128 => {
                let bits: u128 = match parts {
                    Parts::NaN => 0x7fff_8000u128 << 96,
                    Parts::Infinite { negative } => {
                        ((negative as u128) << 127) | (0x7fffu128 << 112)
                    }
                    Parts::Finite { negative, m: 0, .. } => (negative as u128) << 127,
                    Parts::Finite { negative, m, e } => {
                        let (m, e) = normalize(m, e, 113);
                        let exp = (e + 112 + 16383) as u128;
                        ((negative as u128) << 127) | (exp << 112) | (m & ((1u128 << 112) - 1))
                    }
                };
                bytes = bits.to_ne_bytes();
            }
        }
        LongDouble { bytes }
    }
}

/// Shifts m so its top bit is bit `precision - 1`. Values handed in come from
/// f64 or 64-bit integers, so no bits are lost when precision ≥ 64.
fn normalize(m: u128, e: i32, precision: u32) -> (u128, i32) {
    let bits = 128 - m.leading_zeros();
    if bits <= precision {
        let shift = precision - bits;
        (m << shift, e - shift as i32)
    } else {
        let shift = bits - precision;
        let (rounded, carry) = round_shift(m, shift);
        if carry {
            (rounded >> 1, e + shift as i32 + 1)
        } else {
            (rounded, e + shift as i32)
        }
    }
}

/// m >> shift rounded half to even; the flag says the result gained a bit.
fn round_shift(m: u128, shift: u32) -> (u128, bool) {
    if shift == 0 {
        return (m, false);
    }
    if shift > 128 {
        return (0, false);
    }
    let kept = if shift == 128 { 0 } else { m >> shift };
    let rest = if shift == 128 {
        m
    } else {
        m & ((1u128 << shift) - 1)
    };
    let half = 1u128 << (shift - 1);
    let up = rest > half || (rest == half && kept & 1 == 1);
    let rounded = kept + up as u128;
    let gained = kept != 0 && rounded.leading_zeros() < kept.leading_zeros();
    (rounded, gained)
}

fn f64_parts(v: f64) -> Parts {
    if v.is_nan() {
        return Parts::NaN;
    }
    let negative = v.is_sign_negative();
    if v.is_infinite() {
        return Parts::Infinite { negative };
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = (bits & ((1 << 52) - 1)) as u128;
    let m = if exp == 0 { frac } else { frac | (1 << 52) };
    Parts::Finite {
        negative,
        m,
        e: exp.max(1) - 1075,
    }
}

/// ±m·2^e rounded to the nearest f64, half to even, with subnormals.
fn round_to_f64(negative: bool, m: u128, e: i32) -> f64 {
    let sign = if negative { 1u64 << 63 } else { 0 };
    if m == 0 {
        return f64::from_bits(sign);
    }
    let bits = (128 - m.leading_zeros()) as i32;
    let top = e + bits - 1; // exponent of the leading bit
    // Below -1022 the significand loses a bit of precision per step.
    let precision = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    if precision <= 0 {
        // In [2^-1075, 2^-1074) rounds up to the smallest subnormal unless it
        // is exactly the halfway point 2^-1075 (ties to even: zero).
        let up = precision == 0 && m.count_ones() > 1;
        return f64::from_bits(sign | up as u64);
    }
    let shift = bits - precision;
    let (mut sig, mut exp) = if shift > 0 {
        let (r, gained) = round_shift(m, shift as u32);
        (r, top + gained as i32)
    } else {
        (m << (-shift) as u32, top)
    };
    if exp > 1023 {
        return f64::from_bits(sign | 0x7ff0_0000_0000_0000);
    }
    if exp >= -1022 {
        if sig >> 53 != 0 {
            sig >>= 1;
            exp += 1;
            if exp > 1023 {
                return f64::from_bits(sign | 0x7ff0_0000_0000_0000);
            }
        }
        let biased = (exp + 1023) as u64;
        f64::from_bits(sign | (biased << 52) | (sig as u64 & ((1 << 52) - 1)))
    } else {
        // Subnormal: the significand is the stored fraction (a carry into bit
        // 52 yields the smallest normal, which the same encoding gives).
        f64::from_bits(sign | sig as u64)
    }
}

impl From<f64> for LongDouble {
    fn from(v: f64) -> Self {
        LongDouble::from_parts(f64_parts(v))
    }
}

impl From<f32> for LongDouble {
    fn from(v: f32) -> Self {
        LongDouble::from(f64::from(v))
    }
}

impl From<i64> for LongDouble {
    fn from(v: i64) -> Self {
        LongDouble::from_parts(Parts::Finite {
            negative: v < 0,
            m: v.unsigned_abs() as u128,
            e: 0,
        })
    }
}

impl From<u64> for LongDouble {
    fn from(v: u64) -> Self {
        LongDouble::from_parts(Parts::Finite {
            negative: false,
            m: v as u128,
            e: 0,
        })
    }
}

impl From<i32> for LongDouble {
    fn from(v: i32) -> Self {
        LongDouble::from(i64::from(v))
    }
}

impl PartialEq for LongDouble {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for LongDouble {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        let key = |p: Parts| -> Option<(i8, i32, u128)> {
            match p {
                Parts::NaN => None,
                Parts::Infinite { negative } => Some((if negative { -2 } else { 2 }, 0, 0)),
                Parts::Finite { m: 0, .. } => Some((0, 0, 0)),
                Parts::Finite { negative, m, e } => {
                    let (m, e) = normalize(m, e, 127);
                    Some((if negative { -1 } else { 1 }, e, m))
                }
            }
        };
        let (a, b) = (key(self.parts())?, key(other.parts())?);
        let ord = a.0.cmp(&b.0).then(if a.0 == 1 || a.0 == -1 {
            let mag = (a.1, a.2).cmp(&(b.1, b.2));
            if a.0 < 0 { mag.reverse() } else { mag }
        } else {
            Ordering::Equal
        });
        Some(ord)
    }
}

impl fmt::Debug for LongDouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_i128() {
            Some(i) => write!(f, "LongDouble({i})"),
            None => write!(f, "LongDouble(~{:?})", self.to_f64()),
        }
    }
}

impl fmt::Display for LongDouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_i128() {
            Some(i) => write!(f, "{i}"),
            None => write!(f, "{}", self.to_f64()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f64_round_trips_exactly() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -2.5,
            0.1,
            1e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(LongDouble::from(v).to_f64().to_bits(), v.to_bits(), "{v}");
        }
        assert!(LongDouble::from(f64::NAN).to_f64().is_nan());
        assert_eq!(LongDouble::from(f64::INFINITY).to_f64(), f64::INFINITY);
    }

    #[test]
    fn integers_are_exact_where_precision_allows() {
        if LongDouble::PRECISION >= 64 {
            for v in [i64::MIN, i64::MAX, -1, 0, 1 << 60 | 1] {
                assert_eq!(LongDouble::from(v).to_i128(), Some(v as i128));
            }
            assert_eq!(LongDouble::from(u64::MAX).to_i128(), Some(u64::MAX as i128));
        }
        assert_eq!(LongDouble::from(0.5).to_i128(), None);
    }

    #[test]
    fn ordering_follows_values() {
        let a = LongDouble::from(-3i64);
        let b = LongDouble::from(2.5);
        assert!(a < b);
        assert!(LongDouble::from(-0.0) == LongDouble::from(0.0));
        assert!(LongDouble::from(f64::NAN) != LongDouble::from(f64::NAN));
    }

    #[test]
    fn rounding_to_f64_is_half_even() {
        // 2^53 + 1 is halfway between two f64s: it rounds to the even 2^53.
        if LongDouble::PRECISION >= 64 {
            let v = LongDouble::from((1i64 << 53) + 1);
            assert_eq!(v.to_f64(), (1u64 << 53) as f64);
            let v = LongDouble::from((1i64 << 53) + 3);
            assert_eq!(v.to_f64(), ((1u64 << 53) + 4) as f64);
        }
    }
}
