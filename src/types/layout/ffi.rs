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
//! size and alignment; on AArch64 as its float type repeated when it is a
//! homogeneous float aggregate, otherwise integer words. Elsewhere unions
//! are refused by value.
//!
//! One more x86-64 gap: libffi returns a struct whose class is x87 (a
//! struct holding just a `long double`) in rax:rdx, where C returns it in
//! st(0); such results are refused.

use libffi::low::ffi_abi_FFI_DEFAULT_ABI;
use libffi::middle::Type;

use crate::types::CType;

use super::abi;
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
    if let CType::Struct(l) = ty
        && abi::returns_in_x87(l)
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
        return abi::union_type(l);
    }
    // A packed struct libffi's natural layout misplaces is described as the
    // ABI passes it, where that can be said exactly.
    natural_type(l).or_else(|unnatural| match l.pack() {
        Some(_) => abi::packed_type(l).map_err(|reason| reason.unwrap_or(unnatural)),
        None => Err(unnatural),
    })
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

/// A struct of `elements` that libffi takes with `l`'s size and alignment
/// rather than its own: how a union is described as the struct C passes
/// alike.
// Used by the x86-64 System V and AArch64 rules only.
#[cfg_attr(
    not(all(any(target_arch = "x86_64", target_arch = "aarch64"), not(windows))),
    allow(dead_code)
)]
pub(crate) fn standing_in_for(l: &StructLayout, elements: Vec<Type>) -> Result<Type, String> {
    let align = u16::try_from(l.align()).map_err(|_| {
        format!(
            "{} is aligned to {} bytes, beyond libffi",
            l.title(),
            l.align()
        )
    })?;
    Ok(sized_struct(elements, l.size(), align))
}

/// A struct of `elements` that libffi takes with this size and alignment
/// rather than its own.
// Used by the x86-64 System V and AArch64 rules only.
#[cfg_attr(
    not(all(any(target_arch = "x86_64", target_arch = "aarch64"), not(windows))),
    allow(dead_code)
)]
pub(crate) fn sized_struct(elements: Vec<Type>, size: usize, align: u16) -> Type {
    let t = Type::structure(elements);
    // SAFETY: a struct type libffi has not laid out yet; with its size
    // set, libffi keeps this size and alignment rather than computing
    // its own (ffi_prep_cif lays out only types of size 0).
    unsafe {
        let raw = t.as_raw_ptr();
        (*raw).size = size;
        (*raw).alignment = align;
    }
    t
}
