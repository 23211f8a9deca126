//! The System V x86-64 classification of aggregates (ABI §3.2.3): which
//! registers a struct or union travels in, and how libffi is told about a
//! union.

use libffi::middle::Type;

use crate::types::layout::StructLayout;
use crate::types::{CType, Kind};

/// On x86-64 System V, whether each eightbyte of a struct or union argument
/// travels in a floating-point register (`true`) or an integer one, when
/// the argument goes in registers at all: `None` when it goes in memory
/// (larger than 16 bytes, an unaligned member, a `long double`), and for
/// what the classification here does not cover (bitfields, an eightbyte of
/// padding only).
// Read by the register routes, which `RCTYPES_PORTABLE=1` leaves out.
#[cfg_attr(not(rctypes_x86_64_sysv), allow(dead_code))]
pub(crate) fn register_classes(l: &StructLayout) -> Option<Vec<bool>> {
    if l.has_bitfields() || l.size() == 0 {
        return None;
    }
    classify(l)?
        .into_iter()
        .map(|class| match class {
            Class::Integer => Some(false),
            Class::Sse => Some(true),
            _ => None,
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Empty,
    Integer,
    Sse,
    X87,
    X87Up,
    Memory,
}

/// The ABI's merge of two classes of one eightbyte.
fn merge(a: Class, b: Class) -> Class {
    use Class::*;
    match (a, b) {
        _ if a == b => a,
        (Empty, x) | (x, Empty) => x,
        (Memory, _) | (_, Memory) => Memory,
        (Integer, _) | (_, Integer) => Integer,
        (X87 | X87Up, _) | (_, X87 | X87Up) => Memory,
        _ => Sse,
    }
}

/// The classes of the eightbytes of `l`, or `None` when it goes in memory.
pub(super) fn classify(l: &StructLayout) -> Option<Vec<Class>> {
    if l.size() > 16 {
        return None;
    }
    let mut classes = vec![Class::Empty; l.size().div_ceil(8)];
    for f in l.fields() {
        leaves(f.ctype(), f.offset(), &mut classes)?;
    }
    if classes.contains(&Class::Memory) {
        return None;
    }
    for i in 0..classes.len() {
        if classes[i] == Class::X87Up && (i == 0 || classes[i - 1] != Class::X87) {
            return None;
        }
    }
    Some(classes)
}

/// Merges the class of every scalar inside `ty` at `offset`.
fn leaves(ty: &CType, offset: usize, classes: &mut [Class]) -> Option<()> {
    match ty {
        CType::Struct(l) => {
            for f in l.fields() {
                leaves(f.ctype(), offset + f.offset(), classes)?;
            }
        }
        CType::Array(elem, n) => {
            for k in 0..*n {
                leaves(elem, offset + k * elem.size(), classes)?;
            }
        }
        scalar => {
            if !offset.is_multiple_of(scalar.align()) {
                return None; // an unaligned field puts it in memory
            }
            let at = offset / 8;
            let mut put = |i: usize, c: Class| {
                if let Some(slot) = classes.get_mut(i) {
                    *slot = merge(*slot, c);
                }
            };
            match scalar.kind() {
                Kind::F32 | Kind::F64 => put(at, Class::Sse),
                Kind::LongDouble => {
                    put(at, Class::X87);
                    put(at + 1, Class::X87Up);
                }
                _ => put(at, Class::Integer),
            }
        }
    }
    Some(())
}

/// Unnamed bitfields only move the next field: the record keeps its
/// alignment (`struct { char a; long long : 0; char b; }` is 9 bytes,
/// aligned to 1).
pub(crate) const UNNAMED_BITFIELDS_ALIGN_RECORD: bool = false;

/// Whether C returns `l` on the x87 stack.
pub(crate) fn returns_in_x87(l: &StructLayout) -> bool {
    !l.has_bitfields() && classify(l).is_some_and(|c| c.contains(&Class::X87))
}

/// A struct libffi classifies as C classifies the union `l`.
pub(crate) fn union_type(l: &StructLayout) -> Result<Type, String> {
    let title = l.title();
    let elements: Vec<Type> = match classify(l) {
        None if l.size() <= 16 => {
            return Err(format!(
                "{title} is passed in memory by the C ABI for a reason libffi cannot express \
                 (a long double sharing its bytes, or an unaligned member): pass it by pointer"
            ));
        }
        None => {
            // Larger than 16 bytes: memory, whatever the elements.
            let mut e: Vec<Type> = (0..l.size() / 8).map(|_| Type::u64()).collect();
            e.extend((0..l.size() % 8).map(|_| Type::u8()));
            e
        }
        Some(classes) if classes.contains(&Class::X87) => vec![Type::longdouble()],
        Some(classes) => eightbytes(l, &classes)?,
    };
    crate::types::layout::ffi::standing_in_for(l, elements)
}

/// A struct libffi passes as C passes the packed struct `l`: one element per
/// eightbyte of its class when its fields are aligned, and in memory when
/// one is not (the ABI's rule for unaligned members, at any size).
pub(crate) fn packed_type(l: &StructLayout) -> Result<Type, Option<String>> {
    let elements = match classify(l) {
        None => vec![in_memory()],
        Some(classes) if classes.contains(&Class::X87) => return Err(None),
        Some(classes) => eightbytes(l, &classes).map_err(Some)?,
    };
    crate::types::layout::ffi::standing_in_for(l, elements).map_err(Some)
}

/// An element that makes libffi pass the struct holding it in memory: a
/// struct of more than 32 bytes, which libffi classifies as memory, as it
/// then does whatever holds it. Only its size is read; the struct holding
/// it keeps its own size, so the bytes copied are the struct's.
fn in_memory() -> Type {
    crate::types::layout::ffi::sized_struct(vec![Type::u8()], 64, 1)
}

/// One libffi element per eightbyte of `l`, of the eightbyte's class and
/// width.
fn eightbytes(l: &StructLayout, classes: &[Class]) -> Result<Vec<Type>, String> {
    let mut e = Vec::new();
    for (i, class) in classes.iter().enumerate() {
        let len = (l.size() - 8 * i).min(8);
        match (class, len) {
            (Class::Sse, 8) => e.push(Type::f64()),
            (Class::Sse, 4) => e.push(Type::f32()),
            (Class::Integer, 8) => e.push(Type::u64()),
            (Class::Integer, 4) => e.push(Type::u32()),
            (Class::Integer, 2) => e.push(Type::u16()),
            (Class::Integer, n) => e.extend((0..n).map(|_| Type::u8())),
            _ => {
                return Err(format!(
                    "{} has an eightbyte of class {class:?} and {len} bytes, \
                     which libffi cannot express: pass it by pointer",
                    l.title()
                ));
            }
        }
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::StructLayout;

    #[test]
    fn classes_follow_the_abi() {
        let u = StructLayout::union_builder("U")
            .field("f", CType::Float)
            .field("i", CType::Int)
            .build()
            .unwrap();
        assert_eq!(classify(&u), Some(vec![Class::Integer]));
        let u = StructLayout::union_builder("U")
            .field("d", CType::array(CType::Double, 2))
            .field("f", CType::Float)
            .build()
            .unwrap();
        assert_eq!(classify(&u), Some(vec![Class::Sse, Class::Sse]));
        let s = StructLayout::builder("S")
            .field("x", CType::LongDouble)
            .build()
            .unwrap();
        assert!(returns_in_x87(&s));
        let u = StructLayout::union_builder("U")
            .field("x", CType::LongDouble)
            .field("i", CType::Int)
            .build()
            .unwrap();
        assert_eq!(classify(&u), None);
    }
}
