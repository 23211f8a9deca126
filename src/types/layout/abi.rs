//! Describing structs and unions to libffi, for passing them by value.
//!
//! libffi knows structs as a list of element types it lays out itself with
//! natural alignment. So a struct is described by its fields (an array as
//! its element repeated), and the description is checked: libffi's own
//! offsets, size and alignment must be C's, or the struct is refused. That
//! refuses what libffi cannot express: `pack` that moves a field, an
//! alignment above the natural one, bitfields (which libffi has no notion
//! of), empty structs.
//!
//! libffi has no unions. On x86-64 System V a union is passed according to
//! the classes of its eightbytes (integer, SSE, memory), so it is described
//! as a struct with one element of the same class per eightbyte, with C's
//! size and alignment. Elsewhere unions are refused by value.
//!
//! One more x86-64 gap: libffi returns a struct whose class is x87 (a
//! struct holding just a `long double`) in rax:rdx, where C returns it in
//! st(0); such results are refused.

use libffi::low::ffi_abi_FFI_DEFAULT_ABI;
use libffi::middle::Type;

use crate::types::CType;

use super::declare::StructLayout;

/// The libffi type of an aggregate argument or result.
pub(crate) fn ffi_type(ty: &CType) -> Result<Type, String> {
    match ty {
        CType::Array(elem, _) => Err(format!(
            "{ty} is an array, which C never passes by value: declare POINTER({elem})"
        )),
        CType::Struct(l) => struct_type(l),
        other => other.ffi_type(),
    }
}

/// As [`ffi_type`], for a result: refuses the few results libffi returns
/// in the wrong registers.
pub(crate) fn ffi_return_type(ty: &CType) -> Result<Type, String> {
    let t = ffi_type(ty)?;
    #[cfg(all(target_arch = "x86_64", not(windows)))]
    if let CType::Struct(l) = ty
        && sysv::returns_in_x87(l)
    {
        return Err(format!(
            "{} is returned in st(0) by the C ABI (it holds only a long double), \
                 which libffi does not support: return it through a pointer",
            l.title()
        ));
    }
    Ok(t)
}

fn struct_type(l: &StructLayout) -> Result<Type, String> {
    let title = l.title();
    if l.size() == 0 || l.fields().is_empty() {
        return Err(format!("{title} is empty; libffi cannot pass it by value"));
    }
    if l.has_bitfields() {
        return Err(format!(
            "{title} has bitfields, which libffi cannot describe: pass it by pointer"
        ));
    }
    if holds_union(l) {
        return union_type(l);
    }
    natural_type(l)
}

/// Whether the layout is a union or holds one.
fn holds_union(l: &StructLayout) -> bool {
    fn in_type(t: &CType) -> bool {
        match t {
            CType::Struct(l) => holds_union(l),
            CType::Array(t, _) => in_type(t),
            _ => false,
        }
    }
    l.is_union() || l.fields().iter().any(|f| in_type(f.ctype()))
}

/// A struct of naturally laid-out fields, checked against libffi's layout.
fn natural_type(l: &StructLayout) -> Result<Type, String> {
    let mut elements = Vec::new();
    // (field index, expected offset) of each element, to name a mismatch.
    let mut expected = Vec::new();
    for (i, f) in l.fields().iter().enumerate() {
        push_elements(f.ctype(), f.offset(), i, &mut elements, &mut expected)?;
    }
    if elements.is_empty() {
        return Err(format!(
            "{} holds only empty arrays; libffi cannot pass it by value",
            l.title()
        ));
    }
    let mut t = Type::structure(elements);
    let offsets = t
        .struct_offsets(ffi_abi_FFI_DEFAULT_ABI)
        .map_err(|e| format!("libffi cannot describe {}: {e:?}", l.title()))?;
    for (&(field, want), got) in expected.iter().zip(offsets) {
        if want != got {
            let name = l.fields()[field].name();
            return Err(format!(
                "{} {}: C places field `{name}` at offset {want}, libffi's natural layout at {got}; \
                 libffi cannot describe it, so pass it by pointer",
                l.title(),
                why_unnatural(l)
            ));
        }
    }
    // SAFETY: struct_offsets initialised the type's size and alignment.
    let (size, align) = unsafe {
        let raw = t.as_raw_ptr();
        ((*raw).size, (*raw).alignment as usize)
    };
    if (size, align) != (l.size(), l.align()) {
        return Err(format!(
            "{} {}: C gives it size {} and alignment {}, libffi's natural layout {size} and {align}; \
             libffi cannot describe it, so pass it by pointer",
            l.title(),
            why_unnatural(l),
            l.size(),
            l.align()
        ));
    }
    Ok(t)
}

fn why_unnatural(l: &StructLayout) -> String {
    match l.pack() {
        Some(p) => format!("is packed (pack({p}))"),
        None => "is over-aligned".into(),
    }
}

/// Adds the libffi elements of a field of type `ty` at `offset`.
fn push_elements(
    ty: &CType,
    offset: usize,
    field: usize,
    elements: &mut Vec<Type>,
    expected: &mut Vec<(usize, usize)>,
) -> Result<(), String> {
    match ty {
        CType::Array(elem, n) => {
            for k in 0..*n {
                push_elements(elem, offset + k * elem.size(), field, elements, expected)?;
            }
        }
        CType::Struct(l) => {
            elements.push(struct_type(l)?);
            expected.push((field, offset));
        }
        scalar => {
            elements.push(scalar.ffi_type()?);
            expected.push((field, offset));
        }
    }
    Ok(())
}

/// On x86-64 System V, whether each eightbyte of a struct or union argument
/// travels in a floating-point register (`true`) or an integer one, when
/// the argument goes in registers at all: `None` when it goes in memory
/// (larger than 16 bytes, an unaligned member, a `long double`), and for
/// what the classification here does not cover (bitfields, an eightbyte of
/// padding only).
#[cfg(all(target_arch = "x86_64", not(windows)))]
pub(crate) fn register_classes(l: &StructLayout) -> Option<Vec<bool>> {
    use sysv::Class;
    if l.has_bitfields() || l.size() == 0 {
        return None;
    }
    sysv::classify(l)?
        .into_iter()
        .map(|class| match class {
            Class::Integer => Some(false),
            Class::Sse => Some(true),
            _ => None,
        })
        .collect()
}

#[cfg(all(target_arch = "x86_64", not(windows)))]
fn union_type(l: &StructLayout) -> Result<Type, String> {
    sysv::union_type(l)
}

#[cfg(not(all(target_arch = "x86_64", not(windows))))]
fn union_type(l: &StructLayout) -> Result<Type, String> {
    Err(format!(
        "{} is or holds a union, which libffi cannot describe on this platform: pass it by pointer",
        l.title()
    ))
}

/// The System V x86-64 classification of aggregates (ABI §3.2.3).
#[cfg(all(target_arch = "x86_64", not(windows)))]
mod sysv {
    use super::*;
    use crate::types::Kind;

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

    /// Whether C returns `l` on the x87 stack.
    pub(super) fn returns_in_x87(l: &StructLayout) -> bool {
        !l.has_bitfields() && classify(l).is_some_and(|c| c.contains(&Class::X87))
    }

    /// A struct libffi classifies as C classifies the union `l`.
    pub(super) fn union_type(l: &StructLayout) -> Result<Type, String> {
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
            Some(classes) => {
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
                                "{title} has an eightbyte of class {class:?} and {len} bytes, \
                                 which libffi cannot express: pass it by pointer"
                            ));
                        }
                    }
                }
                e
            }
        };
        let align = u16::try_from(l.align())
            .map_err(|_| format!("{title} is aligned to {} bytes, beyond libffi", l.align()))?;
        let t = Type::structure(elements);
        // SAFETY: a struct type libffi has not laid out yet; with its size
        // set, libffi keeps this size and alignment rather than computing
        // its own (ffi_prep_cif lays out only types of size 0).
        unsafe {
            let raw = t.as_raw_ptr();
            (*raw).size = l.size();
            (*raw).alignment = align;
        }
        Ok(t)
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
}
