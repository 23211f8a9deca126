//! The rule book of argument conversion: per machine class of C value
//! ([`Kind`]), its width, signedness, range and register class, written
//! once. The conversions of every call route read it: the interpreter
//! (`value::encode_word`), the fast path's program (`func::fast`), the
//! machine code generated per signature, and the register staging. A new
//! C integer type, or a changed range, is one row here.

use std::ffi::c_void;
use std::mem::size_of;

use crate::types::LongDouble;

/// How a value of a C type sits in memory and registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Void,
    Bool,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
    LongDouble,
    Ptr,
    /// A struct, union or array: bytes of a layout, no register image.
    Aggregate,
}

/// The register a value of a class travels in, as an argument or result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// No value (`void`).
    None,
    /// An integer register: integers, `_Bool`, pointers.
    Integer,
    /// A vector register: `float` and `double`.
    Sse,
    /// The x87 stack (as a result) or memory (as an argument): `long double`.
    X87,
    /// Wherever the layout says: structs, unions, arrays.
    Layout,
}

/// One row of the rule book.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rule {
    /// Bytes of the value in memory, and of its register image's low part
    /// that the callee reads (0 for `void` and aggregates, whose size is
    /// their layout's).
    pub(crate) width: usize,
    /// Whether an integer's image is sign-extended (else zero-extended).
    pub(crate) signed: bool,
    /// The integers the class takes, `min..=max` (`None` for a class that
    /// takes no integer as it stands).
    pub(crate) range: Option<(i128, i128)>,
    /// For a floating-point class, the bits of its significand: an integer
    /// converts only if at most 2 to that power in magnitude (exactly held).
    pub(crate) significand: u32,
    /// For a floating-point class, its largest finite value: a finite
    /// `double` above it does not fit.
    pub(crate) max: f64,
    /// The register it travels in.
    pub(crate) class: Class,
}

/// The integers `width` bytes hold, signed or not.
const fn int_range(width: usize, signed: bool) -> (i128, i128) {
    let bits = 8 * width as u32;
    if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    }
}

const fn int(width: usize, signed: bool) -> Rule {
    Rule {
        width,
        signed,
        range: Some(int_range(width, signed)),
        ..NOTHING
    }
}

const fn float(width: usize, significand: u32, max: f64) -> Rule {
    Rule {
        width,
        significand,
        max,
        class: Class::Sse,
        ..NOTHING
    }
}

const NOTHING: Rule = Rule {
    width: 0,
    signed: false,
    range: None,
    significand: 0,
    max: 0.0,
    class: Class::Integer,
};

impl Kind {
    /// The rule book's row for this class.
    #[inline(always)]
    pub(crate) const fn rule(self) -> Rule {
        match self {
            Kind::Void => Rule {
                class: Class::None,
                ..NOTHING
            },
            // A `_Bool` is a byte holding 0 or 1.
            Kind::Bool => Rule {
                range: Some((0, 1)),
                ..int(1, false)
            },
            Kind::I8 => int(1, true),
            Kind::U8 => int(1, false),
            Kind::I16 => int(2, true),
            Kind::U16 => int(2, false),
            Kind::I32 => int(4, true),
            Kind::U32 => int(4, false),
            Kind::I64 => int(8, true),
            Kind::U64 => int(8, false),
            Kind::F32 => float(4, f32::MANTISSA_DIGITS, f32::MAX as f64),
            Kind::F64 => float(8, f64::MANTISSA_DIGITS, f64::MAX),
            Kind::LongDouble => Rule {
                width: LongDouble::SIZE,
                class: Class::X87,
                ..NOTHING
            },
            Kind::Ptr => Rule {
                width: size_of::<*const c_void>(),
                ..NOTHING
            },
            Kind::Aggregate => Rule {
                class: Class::Layout,
                ..NOTHING
            },
        }
    }

    /// The kind of a C integer type of `size` bytes.
    pub(crate) const fn int(size: usize, signed: bool) -> Kind {
        match (size, signed) {
            (1, true) => Kind::I8,
            (1, false) => Kind::U8,
            (2, true) => Kind::I16,
            (2, false) => Kind::U16,
            (4, true) => Kind::I32,
            (4, false) => Kind::U32,
            (_, true) => Kind::I64,
            (_, false) => Kind::U64,
        }
    }

    /// The inclusive range of an integer kind.
    #[inline(always)]
    pub(crate) const fn int_range(self) -> Option<(i128, i128)> {
        self.rule().range
    }

    /// Whether the kind takes integer `i` as it stands.
    #[inline(always)]
    pub(crate) const fn holds(self, i: i128) -> bool {
        match self.rule().range {
            Some((lo, hi)) => lo <= i && i <= hi,
            None => false,
        }
    }

    /// Whether the kind travels in a vector register (`float`, `double`).
    #[inline(always)]
    pub(crate) const fn is_sse(self) -> bool {
        matches!(self.rule().class, Class::Sse)
    }

    /// A small non-zero code for a kind a Rust type can stand for exactly
    /// (a number, `_Bool`, a struct, and `void` as a result), 0 for any
    /// other: the digits of the keys that match a declared signature with
    /// the Rust types of a call (`func::direct`, which also compares a
    /// struct's layout).
    pub(crate) const fn direct_code(self) -> u8 {
        match self {
            Kind::LongDouble | Kind::Ptr => 0,
            kind => kind as u8 + 1,
        }
    }

    /// Whether the kind is a number's or `_Bool`'s: two such C types are
    /// compatible exactly when their kinds are the same.
    #[inline(always)]
    pub(crate) const fn is_number(self) -> bool {
        !matches!(self, Kind::Void | Kind::Ptr | Kind::Aggregate)
    }

    /// Whether a floating-point kind holds integer `i` exactly.
    pub(crate) const fn holds_exactly(self, i: i128) -> bool {
        i.unsigned_abs() <= 1u128 << self.rule().significand
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_those_of_the_rust_types() {
        assert_eq!(Kind::I8.int_range(), Some((i8::MIN.into(), i8::MAX.into())));
        assert_eq!(Kind::U32.int_range(), Some((0, u32::MAX.into())));
        assert_eq!(
            Kind::I64.int_range(),
            Some((i64::MIN.into(), i64::MAX.into()))
        );
        assert_eq!(Kind::U64.int_range(), Some((0, u64::MAX.into())));
        assert_eq!(Kind::Bool.int_range(), Some((0, 1)));
        assert_eq!(Kind::F64.int_range(), None);
        assert!(Kind::F32.holds_exactly(1 << 24) && !Kind::F32.holds_exactly((1 << 24) + 1));
    }
}
