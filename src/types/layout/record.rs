//! Record data types (numpy's structured dtypes) to layouts and back.
//!
//! numpy's `as_ctypes_type` turns a record into a ctypes struct: fields
//! sorted by offset, explicit padding where the record has gaps, `_pack_ = 1`
//! so nothing else moves, and a union when every field sits at offset 0;
//! overlapping fields are an error. A record made with `align=True` is laid
//! out by C's rules to begin with, and becomes the natural C struct.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::types::CType;
use crate::types::{DType, IntoDType};

use super::declare::{StructBuilder, StructLayout};

fn record_error(name: &str, message: String) -> Error {
    Error::Layout {
        name: name.to_owned(),
        message,
    }
}

/// Whether a type is one of C's one-byte character types, whose arrays are
/// numpy's byte strings.
fn is_byte(ty: &CType) -> bool {
    matches!(
        ty,
        CType::Char | CType::Byte | CType::UByte | CType::Int8 | CType::UInt8
    )
}

impl StructLayout {
    /// The record data type of this layout, for arrays of it: every field at
    /// its offset, with the struct's size.
    ///
    /// A struct laid out by C's natural rules gives the record numpy makes
    /// with `align=True`. Scalars give their dtypes (`c_char` is `S1`), arrays
    /// of one-byte characters `S<n>`, other arrays raw bytes `V<size>`
    /// (numpy's subarrays have no [`DType`]), pointers `uintp`, nested structs
    /// records. Bitfields have no dtype: an error.
    ///
    /// ```
    /// use rctypes::{CType, DType, StructLayout};
    /// let weather = StructLayout::builder("Weather")
    ///     .field("timestamp", CType::Int)
    ///     .field("desc", CType::array(CType::Char, 12))
    ///     .build()?;
    /// // The seed's dat_dtype = N.dtype([('timestamp','i4'),('desc','|S12')])
    /// let dat_dtype = DType::record([("timestamp", DType::parse("i4")?), ("desc", DType::parse("S12")?)], false)?;
    /// assert_eq!(weather.dtype()?, dat_dtype);
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn dtype(&self) -> Result<DType> {
        let title = self.title();
        let mut fields = Vec::with_capacity(self.fields().len());
        for f in self.fields() {
            if f.is_bitfield() {
                return Err(record_error(
                    &title,
                    format!("bitfield `{}` has no record data type", f.name()),
                ));
            }
            fields.push((f.name().to_owned(), field_dtype(f.ctype())?, f.offset()));
        }
        if fields.is_empty() {
            return Err(record_error(
                &title,
                "a record needs at least one field".into(),
            ));
        }
        if !self.is_union() {
            // The natural layout is numpy's align=True record.
            let aligned =
                DType::record(fields.iter().map(|(n, d, _)| (n.clone(), d.clone())), true)?;
            let same = aligned.itemsize() == self.size()
                && aligned.alignment() == self.align()
                && aligned
                    .fields()
                    .unwrap_or_default()
                    .iter()
                    .zip(&fields)
                    .all(|(a, (_, _, offset))| a.offset() == *offset);
            if same {
                return Ok(aligned);
            }
        }
        DType::record_with_offsets(fields, self.size())
    }

    /// The layout of a record data type, as numpy's `as_ctypes_type` makes
    /// it: a record made with `align=True` is C's natural struct; any other
    /// is packed, its fields sorted by offset with explicit padding between
    /// them (so an unaligned `{i1, f8}` record puts the double at offset 1,
    /// where C would pad it to 8); a record whose fields all sit at offset 0
    /// is a union; overlapping fields are an error, as are fields of a
    /// non-native byte order or a type C lacks (`U`, complex).
    ///
    /// ```
    /// use rctypes::{CType, DType, StructLayout};
    /// let fields = [("c", DType::parse("i1")?), ("d", DType::parse("f8")?)];
    /// let c_padded = StructLayout::builder("Padded")
    ///     .field("c", CType::Byte)
    ///     .field("d", CType::Double)
    ///     .build()?;
    /// // align=True: C's layout.
    /// let aligned = StructLayout::from_dtype("Padded", &DType::record(fields.clone(), true)?)?;
    /// aligned.check_against(&c_padded)?;
    /// // align=False: packed, and refused against C's.
    /// let packed = StructLayout::from_dtype("Padded", &DType::record(fields, false)?)?;
    /// let err = packed.check_against(&c_padded).unwrap_err();
    /// assert_eq!(err.to_string(), "struct Padded: field `d`: offset 1 in the record data type, 8 in the declared layout");
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn from_dtype(name: impl Into<String>, dtype: &DType) -> Result<Arc<StructLayout>> {
        let name = name.into();
        let title = format!("struct {name}");
        let Some(fields) = dtype.fields() else {
            return Err(record_error(
                &title,
                format!("data type {dtype} is not a record"),
            ));
        };
        let mut members = Vec::with_capacity(fields.len());
        for f in fields {
            let ty = field_ctype(f.name(), f.dtype()).map_err(|m| record_error(&title, m))?;
            members.push((f.name(), ty, f.offset()));
        }
        let natural = match dtype.is_aligned_struct() {
            true => Some(natural(&name, &members)?),
            false => None,
        };
        // numpy's align=True records are C's layout; should one not be (a
        // field of no C alignment), the packed form keeps its offsets.
        let layout = match natural {
            Some(l)
                if l.size() == dtype.itemsize()
                    && l.fields()
                        .iter()
                        .zip(&members)
                        .all(|(f, m)| f.offset() == m.2) =>
            {
                l
            }
            _ => packed(&name, &mut members, dtype.itemsize())?,
        };
        Ok(layout.marked_as_record())
    }
}

impl StructLayout {
    /// Checks this layout against a record data type as numpy compares
    /// records: field by field the name, offset and data type, then the
    /// item size (a record's alignment is numpy's choice, not the memory's).
    /// The first difference is reported with both values.
    ///
    /// ```
    /// use rctypes::{CType, DType, StructLayout};
    /// let padded = StructLayout::builder("Padded").field("c", CType::Byte).field("d", CType::Double).build()?;
    /// let fields = [("c", DType::parse("i1")?), ("d", DType::parse("f8")?)];
    /// padded.check_against_dtype(&DType::record(fields.clone(), true)?)?;
    /// let err = padded.check_against_dtype(&DType::record(fields, false)?).unwrap_err();
    /// assert_eq!(err.to_string(), "struct Padded: field `d`: offset 8 in this layout, 1 in the record data type");
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn check_against_dtype(&self, dtype: &DType) -> Result<()> {
        let this = self.source();
        let mismatch = |field: String, message: String| Error::LayoutMismatch {
            name: self.title(),
            field,
            message,
        };
        let both = |a: String, b: String| format!("{a} in {this}, {b} in the record data type");
        let ours = self.dtype()?;
        let (Some(ours_f), Some(theirs)) = (ours.fields(), dtype.fields()) else {
            return Err(mismatch("kind".into(), format!("{dtype} is not a record")));
        };
        for (i, d) in theirs.iter().enumerate() {
            let label = format!("field `{}`", d.name());
            let Some(r) = ours_f.get(i) else {
                return Err(mismatch(
                    label,
                    format!(
                        "in the record data type but {this} has only {} fields",
                        ours_f.len()
                    ),
                ));
            };
            if r.name() != d.name() {
                return Err(mismatch(
                    format!("field {}", i + 1),
                    both(format!("`{}`", r.name()), format!("`{}`", d.name())),
                ));
            }
            if r.offset() != d.offset() {
                return Err(mismatch(
                    label,
                    both(format!("offset {}", r.offset()), d.offset().to_string()),
                ));
            }
            if r.dtype() != d.dtype() {
                return Err(mismatch(
                    label,
                    both(format!("type {}", r.dtype()), d.dtype().to_string()),
                ));
            }
        }
        if let Some(extra) = ours_f.get(theirs.len()) {
            return Err(mismatch(
                format!("field `{}`", extra.name()),
                format!("in {this} but not in the record data type"),
            ));
        }
        if ours.itemsize() != dtype.itemsize() {
            return Err(mismatch(
                "size".into(),
                both(ours.itemsize().to_string(), dtype.itemsize().to_string()),
            ));
        }
        Ok(())
    }
}

/// The record data type of `layout`, or raw bytes of its size where it has
/// none (bitfields): what an array of it is described as.
pub fn element_dtype(layout: &StructLayout) -> DType {
    layout.element_dtype().clone()
}

/// What [`element_dtype`] gives, computed.
pub(crate) fn make_element_dtype(layout: &StructLayout) -> DType {
    layout.dtype().unwrap_or_else(|_| {
        DType::parse(&format!("V{}", layout.size().max(1))).expect("V<n> is a data type")
    })
}

/// The dtype of a field of C type `ty`.
fn field_dtype(ty: &CType) -> Result<DType> {
    Ok(match ty {
        CType::Struct(l) => l.dtype()?,
        CType::Array(elem, n) if is_byte(elem) => DType::parse(&format!("S{n}"))?,
        CType::Array(..) => DType::parse(&format!("V{}", ty.size()))?,
        t if t.is_pointer() => DType::of::<usize>(),
        t => DType::from_ctype(t).ok_or_else(|| Error::Array {
            message: format!("{t} has no data type"),
        })?,
    })
}

/// The C type of a record field `name` of data type `dtype`.
fn field_ctype(name: &str, dtype: &DType) -> std::result::Result<CType, String> {
    if dtype.is_record() {
        return StructLayout::from_dtype(name, dtype)
            .map(CType::Struct)
            .map_err(|e| format!("field `{name}`: {e}"));
    }
    if !dtype.is_native() {
        return Err(format!(
            "field `{name}` has data type {dtype}, not in this machine's byte order, which C reads"
        ));
    }
    if let Some(t) = dtype.ctype() {
        return Ok(t);
    }
    match dtype.kind() {
        'S' => Ok(CType::array(CType::Char, dtype.itemsize())),
        'V' => Ok(CType::array(CType::UByte, dtype.itemsize())),
        _ => Err(format!(
            "field `{name}` has data type {dtype}, which has no C type"
        )),
    }
}

/// numpy's `align=True` record: the natural C struct of its fields.
fn natural(name: &str, members: &[(&str, CType, usize)]) -> Result<StructLayout> {
    let b = members
        .iter()
        .fold(StructLayout::builder(name), |b, (n, t, _)| {
            b.field(*n, t.clone())
        });
    Ok((*b.build()?).clone())
}

/// numpy's `as_ctypes_type` of an unaligned record: packed, sorted by
/// offset, with explicit padding; all fields at 0 make a union.
fn packed(
    name: &str,
    members: &mut [(&str, CType, usize)],
    itemsize: usize,
) -> Result<StructLayout> {
    members.sort_by_key(|m| m.2);
    let title = format!("struct {name}");
    if members.len() > 1 && members.iter().all(|m| m.2 == 0) {
        let mut b = StructLayout::union_builder(name).pack(1);
        let mut size = 0;
        for (n, t, _) in members.iter() {
            size = size.max(t.size());
            b = b.field(*n, t.clone());
        }
        if itemsize > size {
            b = b.padding(itemsize);
        }
        return Ok((*b.build()?).clone());
    }
    let mut b: StructBuilder = StructLayout::builder(name).pack(1);
    let mut end = 0usize;
    let mut last = "";
    for (n, t, offset) in members.iter() {
        if *offset < end {
            return Err(record_error(
                &title,
                format!(
                    "fields `{last}` (ending at byte {end}) and `{n}` (at byte {offset}) overlap"
                ),
            ));
        }
        if *offset > end {
            b = b.padding(offset - end);
        }
        b = b.field(*n, t.clone());
        end = offset + t.size();
        last = n;
    }
    if itemsize > end {
        b = b.padding(itemsize - end);
    }
    Ok((*b.build()?).clone())
}

/// `ndpointer().dtype(&layout)`: the layout's record data type.
impl IntoDType for &StructLayout {
    fn into_dtype(self) -> Result<DType> {
        self.dtype()
    }
}

/// `ndpointer().dtype(&layout)`: the layout's record data type.
impl IntoDType for &Arc<StructLayout> {
    fn into_dtype(self) -> Result<DType> {
        self.dtype()
    }
}
