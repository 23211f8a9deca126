//! Where union members overlap pointers: the bytes of a value that safe
//! code may have written as data and must not read back as an address.

use crate::types::{CType, StructLayout};

/// What the fields of a layout put in one byte of its values, for
/// [`shadowed_pointers`].
#[derive(Clone, Copy, PartialEq)]
enum Byte {
    /// No field.
    Free,
    /// Data: an integer, float, character or byte of any type holding no
    /// pointer (safe code writes any bytes into those, with `from_bytes`).
    Data,
    /// Byte `k` of a pointer, and of every pointer covering it.
    Ptr(usize),
    /// Both, or bytes of pointers at different offsets.
    Mixed,
}

/// The offsets, sorted, of the pointers in a value of `layout` whose bytes
/// another field covers with anything but a pointer at the same offset: a
/// union member's data, or a pointer straddling it. Only unions overlap
/// fields, so a layout without one has none.
pub(crate) fn shadowed_pointers(layout: &StructLayout) -> Vec<usize> {
    fn has_union(ty: &CType) -> bool {
        match ty {
            CType::Struct(l) => l.is_union() || l.fields().iter().any(|f| has_union(f.ctype())),
            CType::Array(t, n) => *n > 0 && has_union(t),
            _ => false,
        }
    }
    let fields = layout.fields();
    if !(layout.is_union() || fields.iter().any(|f| has_union(f.ctype())))
        || !fields.iter().any(|f| f.ctype().holds_pointers())
    {
        return Vec::new();
    }
    let mut map = vec![Byte::Free; layout.size()];
    let mut slots = Vec::new();
    mark_fields(&mut map, 0, &mut slots, layout);
    slots.sort_unstable();
    slots.dedup();
    let width = CType::VoidP.size();
    slots.retain(|&s| (0..width).any(|k| map[s + k] != Byte::Ptr(k)));
    slots
}

/// Marks in `map` what the fields of a `layout` at `start` put in each byte,
/// listing its pointers in `slots`.
fn mark_fields(map: &mut [Byte], start: usize, slots: &mut Vec<usize>, layout: &StructLayout) {
    for f in layout.fields() {
        let bytes = match f.bits() {
            Some(b) => start + b.start / 8..start + (b.start + b.width as usize).div_ceil(8),
            None => start + f.offset()..start + f.offset() + f.size(),
        };
        mark(map, bytes, slots, f.ctype());
    }
}

/// Marks the bytes `range` as holding a `ty`.
fn mark(map: &mut [Byte], range: std::ops::Range<usize>, slots: &mut Vec<usize>, ty: &CType) {
    match ty {
        t if !t.holds_pointers() => {
            for b in &mut map[range] {
                *b = match *b {
                    Byte::Free | Byte::Data => Byte::Data,
                    _ => Byte::Mixed,
                };
            }
        }
        t if t.is_pointer() => {
            slots.push(range.start);
            for (k, b) in map[range].iter_mut().enumerate() {
                *b = match *b {
                    Byte::Free => Byte::Ptr(k),
                    Byte::Ptr(j) if j == k => Byte::Ptr(k),
                    _ => Byte::Mixed,
                };
            }
        }
        CType::Array(elem, n) => {
            let size = elem.size();
            for i in 0..*n {
                let at = range.start + i * size;
                mark(map, at..at + size, slots, elem);
            }
        }
        CType::Struct(l) => mark_fields(map, range.start, slots, l),
        _ => {}
    }
}
