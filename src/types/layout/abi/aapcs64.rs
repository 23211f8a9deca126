//! The AArch64 procedure call standard's rules for aggregates (AAPCS64
//! §5.9, §6.8.2): homogeneous floating-point aggregates travel in vector
//! registers, other composites of up to 16 bytes in general registers,
//! larger ones by reference. libffi classifies structs from their fields;
//! a union it cannot describe, so it is told a struct that C passes alike.

use libffi::middle::Type;

use crate::types::layout::StructLayout;
use crate::types::{CType, Kind};

/// A struct libffi passes as C passes the union `l`: its float type
/// repeated when every member is built of one float type (a homogeneous
/// aggregate of up to four), otherwise integer words of its size.
pub(crate) fn union_type(l: &StructLayout) -> Result<Type, String> {
    let elements = match homogeneous_float(l) {
        Some((kind, count)) => (0..count).map(|_| float_type(kind)).collect(),
        None => {
            let mut e: Vec<Type> = (0..l.size() / 8).map(|_| Type::u64()).collect();
            let rest = l.size() % 8;
            e.extend((0..rest / 4).map(|_| Type::u32()));
            e.extend((0..rest % 4 / 2).map(|_| Type::u16()));
            e.extend((0..rest % 2).map(|_| Type::u8()));
            e
        }
    };
    crate::types::layout::ffi::standing_in_for(l, elements)
}

/// A struct libffi passes as C passes the packed struct `l`: AAPCS64
/// classifies a composite by its members' types and its size, never their
/// alignment, so a packed struct travels as the union of its size does (a
/// homogeneous float aggregate in vector registers, otherwise its bytes in
/// general registers, or by reference to a copy above 16 bytes).
pub(crate) fn packed_type(l: &StructLayout) -> Result<Type, Option<String>> {
    union_type(l).map_err(Some)
}

/// Unnamed bitfields give the record their type's alignment, as named ones
/// do (capped by packing), and a zero-width one even when packed:
/// `struct { char a; int : 3; char c; }` is 4 bytes, aligned to 4, and
/// `struct { char a; long long : 0; char b; }` 16, aligned to 8.
pub(crate) const UNNAMED_BITFIELDS_ALIGN_RECORD: bool = true;

/// No struct comes back in x87 registers: there are none.
pub(crate) fn returns_in_x87(_: &StructLayout) -> bool {
    false
}

/// The float kind and count when `l` is a homogeneous floating-point
/// aggregate: every scalar inside of one float kind, at most four of them
/// filling the whole size.
fn homogeneous_float(l: &StructLayout) -> Option<(Kind, usize)> {
    if l.has_bitfields() {
        return None;
    }
    let mut kind = None;
    for f in l.fields() {
        same_float(f.ctype(), &mut kind)?;
    }
    let kind = kind?;
    let width = float_width(kind);
    let count = l.size() / width;
    (count <= 4 && count * width == l.size()).then_some((kind, count))
}

/// Checks that every scalar in `ty` is the float kind seen so far.
fn same_float(ty: &CType, seen: &mut Option<Kind>) -> Option<()> {
    match ty {
        CType::Struct(l) => l
            .fields()
            .iter()
            .try_for_each(|f| same_float(f.ctype(), seen)),
        CType::Array(elem, _) => same_float(elem, seen),
        scalar => {
            let kind = scalar.kind();
            if !matches!(kind, Kind::F32 | Kind::F64 | Kind::LongDouble) {
                return None;
            }
            match *seen {
                Some(k) if k != kind => None,
                _ => {
                    *seen = Some(kind);
                    Some(())
                }
            }
        }
    }
}

fn float_width(kind: Kind) -> usize {
    match kind {
        Kind::F32 => 4,
        Kind::F64 => 8,
        _ => 16,
    }
}

fn float_type(kind: Kind) -> Type {
    match kind {
        Kind::F32 => Type::f32(),
        Kind::F64 => Type::f64(),
        _ => Type::longdouble(),
    }
}
