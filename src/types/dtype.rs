//! Run-time data types: numpy's `dtype`, read from its type strings.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::types::CType;
use crate::types::LongDouble;

use crate::types::fmt_list;

/// The order of the bytes of a multi-byte value in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Least significant byte first (`<`).
    Little,
    /// Most significant byte first (`>`, `!`).
    Big,
    /// Single bytes and byte strings, which have no order (`|`).
    NotApplicable,
}

impl ByteOrder {
    /// This machine's order (what `=` means).
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "little") {
        ByteOrder::Little
    } else {
        ByteOrder::Big
    };

    /// numpy's character for it: `<`, `>` or `|`.
    pub fn as_char(self) -> char {
        match self {
            ByteOrder::Little => '<',
            ByteOrder::Big => '>',
            ByteOrder::NotApplicable => '|',
        }
    }
}

/// What the bytes of a scalar data type hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Bool,
    Int,
    UInt,
    Float,
    Complex,
    /// `S`: fixed-length byte strings.
    Bytes,
    /// `U`: fixed-length UCS-4 strings.
    Unicode,
    /// `V`: raw bytes.
    Void,
}

impl Kind {
    /// Whether every bit pattern of its size is a value of the kind.
    fn any_bit_pattern(self) -> bool {
        match self {
            Kind::Bool => false,
            Kind::Int
            | Kind::UInt
            | Kind::Float
            | Kind::Complex
            | Kind::Bytes
            | Kind::Unicode
            | Kind::Void => true,
        }
    }

    /// Where `bytes`, one scalar's worth, hold no value of the kind: the
    /// offset of the first byte at fault and what it should be. Only `bool`s
    /// have such bytes.
    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    fn first_invalid(self, bytes: &[u8]) -> Option<(usize, &'static str)> {
        match self {
            Kind::Bool => (bytes[0] > 1).then_some((0, "a bool (0 or 1)")),
            Kind::Int
            | Kind::UInt
            | Kind::Float
            | Kind::Complex
            | Kind::Bytes
            | Kind::Unicode
            | Kind::Void => None,
        }
    }

    fn as_char(self) -> char {
        match self {
            Kind::Bool => 'b',
            Kind::Int => 'i',
            Kind::UInt => 'u',
            Kind::Float => 'f',
            Kind::Complex => 'c',
            Kind::Bytes => 'S',
            Kind::Unicode => 'U',
            Kind::Void => 'V',
        }
    }
}

/// A data type known at run time, as numpy's `dtype`: what one element of an
/// array is, its size, alignment and byte order.
///
/// Parsed from numpy's strings ([`DType::parse`]): type strings (`<f4`,
/// `>i4`, `=i8`, `|u1`, `f8`, `S12`), one-letter codes (`d`, `i`, `?`),
/// names (`float64`, `intc`, `double`) and comma-separated lists of fields
/// (`i4,f8`). Records with named fields are built with [`DType::record`].
/// Every Rust type that can be an array element has one: [`DType::of`].
///
/// Equality follows numpy: `=i4` (native order) equals `<i4` on a
/// little-endian machine, `>i4` does not; byte order does not matter for
/// one-byte types; records are equal when their fields, offsets and sizes are.
///
/// ```
/// use rctypes::DType;
/// let d = DType::parse("<f8")?;
/// assert_eq!((d.itemsize(), d.alignment(), d.kind()), (8, 8, 'f'));
/// assert_eq!(d, DType::of::<f64>());
/// assert_eq!(d.to_string(), "float64");
/// assert_eq!(DType::parse("=i4")?, DType::parse("<i4")?);
/// assert_ne!(DType::parse(">i4")?, DType::parse("<i4")?);
/// assert_eq!(DType::parse(">i4")?.to_string(), ">i4");
/// assert_eq!(DType::parse("intc")?, DType::of::<i32>());
/// assert_eq!(DType::parse("S12")?.itemsize(), 12);
/// let err = DType::parse("<x4").unwrap_err();
/// assert!(err.to_string().starts_with("data type '<x4' not understood"));
/// # Ok::<(), rctypes::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DType(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Scalar {
        kind: Kind,
        size: usize,
        order: ByteOrder,
    },
    Record(Arc<Record>),
}

/// One named field of a record data type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    name: String,
    dtype: DType,
    offset: usize,
}

impl Field {
    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field's data type.
    pub fn dtype(&self) -> &DType {
        &self.dtype
    }

    /// Where the field starts, in bytes from the start of the record.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

#[derive(Clone, Debug)]
struct Record {
    fields: Vec<Field>,
    itemsize: usize,
    alignment: usize,
    aligned: bool,
    /// No field, however nested, is a `bool`.
    any_bit_pattern: bool,
}

// numpy compares records by layout: the `align` flag itself is not part of it.
impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        self.itemsize == other.itemsize && self.fields == other.fields
    }
}

impl Eq for Record {}

impl Hash for Record {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.itemsize.hash(state);
        self.fields.hash(state);
    }
}

const LONG_DOUBLE_SIZE: usize = LongDouble::SIZE;

fn not_understood(spec: &str, reason: impl Into<String>) -> Error {
    Error::DType {
        spec: spec.into(),
        reason: reason.into(),
    }
}

impl DType {
    const fn scalar(kind: Kind, size: usize) -> DType {
        let order = match kind {
            Kind::Bool | Kind::Bytes | Kind::Void => ByteOrder::NotApplicable,
            _ if size == 1 => ByteOrder::NotApplicable,
            _ => ByteOrder::NATIVE,
        };
        DType(Repr::Scalar { kind, size, order })
    }

    /// Parses a numpy data type string; the error quotes it.
    ///
    /// Accepted: an optional byte order (`<`, `>`, `=`, `|`, `!`) and a kind
    /// with a size in bytes (`b1`, `i1`-`i8`, `u1`-`u8`, `f2`-`f8`, `c8`,
    /// `c16`, `S<n>`, `U<n>`, `V<n>`); numpy's one-letter codes (`?`, `b`,
    /// `B`, `h`, `H`, `i`, `I`, `l`, `L`, `q`, `Q`, `p`, `P`, `e`, `f`, `d`,
    /// `g`, `F`, `D`); names (`bool`, `int8` … `uint64`, `float16` …
    /// `float64`, `complex64`, `complex128`, `intc`, `uintc`, `short`,
    /// `ushort`, `byte`, `ubyte`, `long`, `ulong`, `longlong`, `ulonglong`,
    /// `intp`, `uintp`, `half`, `single`, `double`, `longdouble`, `float`,
    /// `int`, `complex`, and the extended types by their size in bits as
    /// numpy prints them: `float128` and `complex256` on x86-64); and
    /// `a,b,...` for a packed record with fields `f0`, `f1`, ….
    ///
    /// What a data type prints as parses back to it:
    ///
    /// ```
    /// use rctypes::DType;
    /// for spec in ["d", ">i4", "S12", "g", "G", "U3", "?"] {
    ///     let d = DType::parse(spec)?;
    ///     assert_eq!(DType::parse(&d.to_string())?, d);
    ///     assert_eq!(DType::parse(&d.typestr())?, d);
    /// }
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn parse(spec: &str) -> Result<DType> {
        if spec.contains(',') {
            let mut fields = Vec::new();
            for (i, part) in spec.split(',').enumerate() {
                let part = part.trim();
                if part.is_empty() {
                    return Err(not_understood(spec, format!("field {i} is empty")));
                }
                let dtype = DType::parse(part).map_err(|e| match e {
                    Error::DType { reason, .. } => {
                        not_understood(spec, format!("field {i} ({part:?}): {reason}"))
                    }
                    other => other,
                })?;
                fields.push((format!("f{i}"), dtype));
            }
            return DType::record(fields, false).map_err(|e| match e {
                Error::Array { message } => not_understood(spec, message),
                other => other,
            });
        }
        if let Some(d) = by_name(spec) {
            return Ok(d);
        }
        let (order, rest) = match spec.chars().next() {
            Some(c @ ('<' | '>' | '=' | '|' | '!')) => (Some(c), &spec[1..]),
            _ => (None, spec),
        };
        let mut chars = rest.chars();
        let Some(code) = chars.next() else {
            return Err(not_understood(spec, "it names no type"));
        };
        let digits = chars.as_str();
        // Only plain digits: Rust's integer parsing would also take a sign.
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_understood(spec, format!("{digits:?} is not a size")));
        }
        let dtype = if digits.is_empty() {
            by_code(code).ok_or_else(|| match code {
                'S' | 'a' | 'U' | 'V' => {
                    not_understood(spec, format!("'{code}' needs a size, as '{code}12'"))
                }
                _ => not_understood(spec, format!("unknown type code '{code}'")),
            })?
        } else {
            let size: usize = digits
                .parse()
                .map_err(|_| not_understood(spec, format!("{digits:?} is not a size")))?;
            by_kind_and_size(code, size).map_err(|reason| not_understood(spec, reason))?
        };
        Ok(match order {
            Some('<') => dtype.with_byte_order(ByteOrder::Little),
            Some('>' | '!') => dtype.with_byte_order(ByteOrder::Big),
            _ => dtype,
        })
    }

    /// The data type numpy's one-character type code names (`'d'` is
    /// `float64`), as C code passes it in the allocator pattern.
    pub fn from_char(code: char) -> Result<DType> {
        by_code(code)
            .ok_or_else(|| not_understood(&code.to_string(), format!("unknown type code '{code}'")))
    }

    /// A record: named fields laid out one after another, as numpy's
    /// `dtype([(name, format), ...], align=align)`.
    ///
    /// Without `align` the fields are packed (no padding, alignment 1). With
    /// `align` they follow C's rules for a struct: each field starts at a
    /// multiple of its alignment, and the size is rounded up to a multiple of
    /// the largest one.
    ///
    /// ```
    /// use rctypes::DType;
    /// let fields = [("x", DType::of::<i32>()), ("y", DType::of::<f64>())];
    /// let packed = DType::record(fields.clone(), false)?;
    /// let aligned = DType::record(fields, true)?;
    /// assert_eq!((packed.itemsize(), aligned.itemsize()), (12, 16));
    /// assert_eq!(aligned.fields().unwrap()[1].offset(), 8);
    /// assert_ne!(packed, aligned);
    /// assert_eq!(packed.to_string(), "[('x', '<i4'), ('y', '<f8')]");
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn record<N: Into<String>>(
        fields: impl IntoIterator<Item = (N, DType)>,
        align: bool,
    ) -> Result<DType> {
        let mut laid = Vec::new();
        let mut offset = 0usize;
        let mut max_align = 1;
        let overflow = || array_error("record size overflows");
        for (name, dtype) in fields {
            if align {
                offset = offset
                    .checked_next_multiple_of(dtype.alignment())
                    .ok_or_else(overflow)?;
                max_align = max_align.max(dtype.alignment());
            }
            let size = dtype.itemsize();
            laid.push(Field {
                name: name.into(),
                dtype,
                offset,
            });
            offset = offset.checked_add(size).ok_or_else(overflow)?;
        }
        let itemsize = offset
            .checked_next_multiple_of(max_align)
            .ok_or_else(overflow)?;
        build_record(laid, itemsize, max_align, align)
    }

    /// A record whose fields sit at the given byte offsets (they may overlap
    /// or leave gaps), `itemsize` bytes long, as numpy's
    /// `dtype({'names': ..., 'formats': ..., 'offsets': ..., 'itemsize': ...})`.
    /// Its alignment is 1, as numpy gives unaligned records.
    pub fn record_with_offsets<N: Into<String>>(
        fields: impl IntoIterator<Item = (N, DType, usize)>,
        itemsize: usize,
    ) -> Result<DType> {
        let mut laid = Vec::new();
        for (name, dtype, offset) in fields {
            let name = name.into();
            if offset
                .checked_add(dtype.itemsize())
                .is_none_or(|end| end > itemsize)
            {
                return Err(array_error(format!(
                    "field {name:?} ({} bytes at offset {offset}) does not fit in {itemsize} bytes",
                    dtype.itemsize()
                )));
            }
            laid.push(Field {
                name,
                dtype,
                offset,
            });
        }
        build_record(laid, itemsize, 1, false)
    }

    /// The size of one element in bytes (numpy's `itemsize`).
    pub fn itemsize(&self) -> usize {
        match &self.0 {
            Repr::Scalar { size, .. } => *size,
            Repr::Record(r) => r.itemsize,
        }
    }

    /// The alignment an element needs, in bytes (numpy's `alignment`: C's
    /// for scalars, the largest field's for aligned records, 1 for packed ones).
    #[inline]
    pub fn alignment(&self) -> usize {
        match &self.0 {
            Repr::Scalar { kind, size, .. } => match kind {
                Kind::Bytes | Kind::Void | Kind::Bool => 1,
                Kind::Unicode => 4,
                Kind::Complex => scalar_alignment(size / 2),
                _ => scalar_alignment(*size),
            },
            Repr::Record(r) => r.alignment,
        }
    }

    /// numpy's kind character: `b` bool, `i` signed, `u` unsigned, `f`
    /// float, `c` complex, `S` bytes, `U` unicode, `V` records and raw bytes.
    pub fn kind(&self) -> char {
        match &self.0 {
            Repr::Scalar { kind, .. } => kind.as_char(),
            Repr::Record(_) => 'V',
        }
    }

    /// The byte order of the elements.
    pub fn byte_order(&self) -> ByteOrder {
        match &self.0 {
            Repr::Scalar { order, .. } => *order,
            Repr::Record(_) => ByteOrder::NotApplicable,
        }
    }

    /// Whether the elements are in this machine's byte order (or have none);
    /// for records, whether every field is.
    pub fn is_native(&self) -> bool {
        match &self.0 {
            Repr::Scalar { order, .. } => *order != opposite(ByteOrder::NATIVE),
            Repr::Record(r) => r.fields.iter().all(|f| f.dtype.is_native()),
        }
    }

    /// The fields of a record, in declaration order; `None` for scalars.
    pub fn fields(&self) -> Option<&[Field]> {
        match &self.0 {
            Repr::Record(r) => Some(&r.fields),
            Repr::Scalar { .. } => None,
        }
    }

    /// The field called `name`, for records.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields()?.iter().find(|f| f.name == name)
    }

    /// Whether this is a record with named fields.
    pub fn is_record(&self) -> bool {
        matches!(self.0, Repr::Record(_))
    }

    /// Whether the record was laid out with `align=True`.
    pub fn is_aligned_struct(&self) -> bool {
        matches!(&self.0, Repr::Record(r) if r.aligned)
    }

    /// numpy's type string (`dtype.str`): `<f8`, `|u1`, `|S12`, `|V16` for records.
    pub fn typestr(&self) -> String {
        match &self.0 {
            Repr::Scalar { kind, size, order } => {
                let n = if *kind == Kind::Unicode {
                    size / 4
                } else {
                    *size
                };
                format!("{}{}{n}", order.as_char(), kind.as_char())
            }
            Repr::Record(r) => format!("|V{}", r.itemsize),
        }
    }

    /// The same type in byte order `order` (records: every field). One-byte
    /// types and byte strings have no order and are returned unchanged.
    pub fn with_byte_order(&self, order: ByteOrder) -> DType {
        match &self.0 {
            Repr::Scalar {
                kind,
                size,
                order: old,
            } => {
                if *old == ByteOrder::NotApplicable || order == ByteOrder::NotApplicable {
                    return self.clone();
                }
                DType(Repr::Scalar {
                    kind: *kind,
                    size: *size,
                    order,
                })
            }
            Repr::Record(r) => {
                let mut r = (**r).clone();
                for f in &mut r.fields {
                    f.dtype = f.dtype.with_byte_order(order);
                }
                DType(Repr::Record(Arc::new(r)))
            }
        }
    }

    /// The same type with its byte order swapped (numpy's
    /// `newbyteorder('swap')`).
    pub fn swapped(&self) -> DType {
        match &self.0 {
            Repr::Scalar { order, .. } => self.with_byte_order(opposite(*order)),
            Repr::Record(r) => {
                let mut r = (**r).clone();
                for f in &mut r.fields {
                    f.dtype = f.dtype.swapped();
                }
                DType(Repr::Record(Arc::new(r)))
            }
        }
    }

    /// The C scalar type with this representation, when there is one (native
    /// byte order; `S1` is `c_char`): what a `POINTER(T)` parameter needs.
    pub fn ctype(&self) -> Option<CType> {
        let Repr::Scalar { kind, size, .. } = self.0 else {
            return None;
        };
        if !self.is_native() {
            return None;
        }
        Some(match (kind, size) {
            (Kind::Bool, 1) => CType::Bool,
            (Kind::Bytes, 1) => CType::Char,
            (Kind::Int, 1) => CType::Byte,
            (Kind::UInt, 1) => CType::UByte,
            (Kind::Int, 2) => CType::Short,
            (Kind::UInt, 2) => CType::UShort,
            (Kind::Int, 4) => CType::Int,
            (Kind::UInt, 4) => CType::UInt,
            (Kind::Int, 8) => CType::LongLong,
            (Kind::UInt, 8) => CType::ULongLong,
            (Kind::Float, 4) => CType::Float,
            (Kind::Float, 8) => CType::Double,
            // Where `long double` is `double` (MSVC), 8 bytes name `double`.
            (Kind::Float, n) if n == LONG_DOUBLE_SIZE => CType::LongDouble,
            _ => return None,
        })
    }

    /// The data type of a C scalar type (`c_char` is `S1`, as in numpy);
    /// `None` for pointers and `void`.
    pub fn from_ctype(ctype: &CType) -> Option<DType> {
        scalar_dtype(ctype)
    }

    /// Whether every bit pattern of `itemsize` bytes is an element: true
    /// unless it holds a `bool` (0 or 1), itself or in a field.
    pub(crate) fn any_bit_pattern(&self) -> bool {
        match &self.0 {
            Repr::Scalar { kind, .. } => kind.any_bit_pattern(),
            Repr::Record(r) => r.any_bit_pattern,
        }
    }

    /// Where `element`, one element's bytes, is no element: the offset of
    /// the first byte at fault and what it should be.
    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    pub(crate) fn first_invalid(&self, element: &[u8]) -> Option<(usize, &'static str)> {
        match &self.0 {
            Repr::Scalar { kind, size, .. } => kind.first_invalid(&element[..*size]),
            Repr::Record(r) if r.any_bit_pattern => None,
            Repr::Record(r) => r.fields.iter().find_map(|f| {
                let (at, what) = f.dtype.first_invalid(&element[f.offset..])?;
                Some((f.offset + at, what))
            }),
        }
    }

    /// numpy's short form inside a record's description: `'<i4'`, `'?'`,
    /// `'u1'`, `'S12'`.
    fn short_str(&self) -> String {
        match &self.0 {
            Repr::Scalar {
                kind: Kind::Bool, ..
            } => "'?'".into(),
            Repr::Scalar { order, .. } if *order == ByteOrder::NotApplicable => {
                format!("'{}'", &self.typestr()[1..])
            }
            Repr::Scalar { .. } => format!("'{}'", self.typestr()),
            Repr::Record(_) => self.to_string(),
        }
    }
}

fn array_error(message: impl Into<String>) -> Error {
    Error::Array {
        message: message.into(),
    }
}

fn build_record(
    fields: Vec<Field>,
    itemsize: usize,
    alignment: usize,
    aligned: bool,
) -> Result<DType> {
    if fields.is_empty() {
        return Err(array_error("a record needs at least one field"));
    }
    for (i, f) in fields.iter().enumerate() {
        if f.name.is_empty() {
            return Err(array_error(format!("field {i} has an empty name")));
        }
        if fields[..i].iter().any(|g| g.name == f.name) {
            return Err(array_error(format!(
                "field name {:?} appears twice",
                f.name
            )));
        }
    }
    let any_bit_pattern = fields.iter().all(|f| f.dtype.any_bit_pattern());
    Ok(DType(Repr::Record(Arc::new(Record {
        any_bit_pattern,
        fields,
        itemsize,
        alignment,
        aligned,
    }))))
}

fn opposite(order: ByteOrder) -> ByteOrder {
    match order {
        ByteOrder::Little => ByteOrder::Big,
        ByteOrder::Big => ByteOrder::Little,
        ByteOrder::NotApplicable => ByteOrder::NotApplicable,
    }
}

/// C's alignment of a scalar of `size` bytes on this platform.
#[inline]
fn scalar_alignment(size: usize) -> usize {
    match size {
        8 => align_of::<u64>(),
        n if n == LONG_DOUBLE_SIZE => LongDouble::ALIGN,
        n => n.max(1),
    }
}

/// The type a kind letter and a size in bytes name (`i4`, `S12`).
fn by_kind_and_size(code: char, size: usize) -> std::result::Result<DType, String> {
    let kind = match code {
        'b' => Kind::Bool,
        'i' => Kind::Int,
        'u' => Kind::UInt,
        'f' => Kind::Float,
        'c' => Kind::Complex,
        'S' | 'a' => Kind::Bytes,
        'U' => Kind::Unicode,
        'V' => Kind::Void,
        other => return Err(format!("unknown kind '{other}'")),
    };
    let valid = match kind {
        Kind::Bool => size == 1,
        Kind::Int | Kind::UInt => matches!(size, 1 | 2 | 4 | 8),
        Kind::Float => matches!(size, 2 | 4 | 8) || size == LONG_DOUBLE_SIZE,
        Kind::Complex => matches!(size, 8 | 16) || size == 2 * LONG_DOUBLE_SIZE,
        Kind::Bytes | Kind::Unicode | Kind::Void => size > 0,
    };
    if !valid {
        return Err(format!("no {size}-byte type of kind '{code}'"));
    }
    let bytes = if kind == Kind::Unicode {
        size.checked_mul(4).ok_or("size overflows")?
    } else {
        size
    };
    Ok(DType::scalar(kind, bytes))
}

/// numpy's one-letter type codes.
fn by_code(code: char) -> Option<DType> {
    use std::ffi::c_long;
    let long = size_of::<c_long>();
    let ptr = size_of::<usize>();
    let (kind, size) = match code {
        '?' => (Kind::Bool, 1),
        'b' => (Kind::Int, 1),
        'B' => (Kind::UInt, 1),
        'h' => (Kind::Int, 2),
        'H' => (Kind::UInt, 2),
        'i' => (Kind::Int, 4),
        'I' => (Kind::UInt, 4),
        'l' => (Kind::Int, long),
        'L' => (Kind::UInt, long),
        'q' => (Kind::Int, 8),
        'Q' => (Kind::UInt, 8),
        'p' | 'n' => (Kind::Int, ptr),
        'P' | 'N' => (Kind::UInt, ptr),
        'e' => (Kind::Float, 2),
        'f' => (Kind::Float, 4),
        'd' => (Kind::Float, 8),
        'g' => (Kind::Float, LONG_DOUBLE_SIZE),
        'F' => (Kind::Complex, 8),
        'D' => (Kind::Complex, 16),
        'G' => (Kind::Complex, 2 * LONG_DOUBLE_SIZE),
        _ => return None,
    };
    Some(DType::scalar(kind, size))
}

/// numpy's names for its types.
fn by_name(name: &str) -> Option<DType> {
    // The extended types are named by their size in bits, as numpy prints
    // them (`float128`, `complex256` on x86-64), where they are not `double`.
    if LONG_DOUBLE_SIZE > 8 {
        let bits = name.strip_prefix("float").map(|b| (b, 'g'));
        let bits = bits.or_else(|| name.strip_prefix("complex").map(|b| (b, 'G')));
        if let Some((bits, code)) = bits {
            let size = if code == 'g' { 1 } else { 2 } * LONG_DOUBLE_SIZE;
            if bits == (size * 8).to_string() {
                return by_code(code);
            }
        }
    }
    let code = match name {
        "bool" | "bool_" => '?',
        "int8" | "byte" => 'b',
        "uint8" | "ubyte" => 'B',
        "int16" | "short" => 'h',
        "uint16" | "ushort" => 'H',
        "int32" | "intc" => 'i',
        "uint32" | "uintc" => 'I',
        "int64" | "longlong" => 'q',
        "uint64" | "ulonglong" => 'Q',
        "long" => 'l',
        "ulong" => 'L',
        "intp" | "int" => 'p',
        "uintp" | "uint" => 'P',
        "float16" | "half" => 'e',
        "float32" | "single" => 'f',
        "float64" | "double" | "float" => 'd',
        "longdouble" => 'g',
        "complex64" | "csingle" => 'F',
        "complex128" | "cdouble" | "complex" => 'D',
        "clongdouble" => 'G',
        _ => return None,
    };
    by_code(code)
}

impl FromStr for DType {
    type Err = Error;
    fn from_str(s: &str) -> Result<DType> {
        DType::parse(s)
    }
}

impl TryFrom<&str> for DType {
    type Error = Error;
    fn try_from(s: &str) -> Result<DType> {
        DType::parse(s)
    }
}

/// numpy's `str(dtype)`: `float64` and `int32` in native order, the type
/// string (`>i4`, `|S12`) otherwise, and for records the list of fields, or
/// the dictionary form when there are gaps or the record is aligned.
impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Scalar { kind, size, .. } => {
                let native = self.is_native();
                match kind {
                    Kind::Bool => f.write_str("bool"),
                    Kind::Int if native => write!(f, "int{}", size * 8),
                    Kind::UInt if native => write!(f, "uint{}", size * 8),
                    Kind::Float if native => write!(f, "float{}", size * 8),
                    Kind::Complex if native => write!(f, "complex{}", size * 8),
                    _ => f.write_str(&self.typestr()),
                }
            }
            Repr::Record(r) => {
                let mut end = 0;
                let packed = r.fields.iter().all(|fl| {
                    let ok = fl.offset == end;
                    end = fl.offset + fl.dtype.itemsize();
                    ok
                }) && end == r.itemsize;
                if packed && !r.aligned {
                    let items = r
                        .fields
                        .iter()
                        .map(|fl| format!("({:?}, {})", PyStr(&fl.name), fl.dtype.short_str()));
                    return f.write_str(&fmt_list(items));
                }
                let names = fmt_list(r.fields.iter().map(|fl| format!("{:?}", PyStr(&fl.name))));
                let formats = fmt_list(r.fields.iter().map(|fl| fl.dtype.short_str()));
                let offsets = fmt_list(r.fields.iter().map(|fl| fl.offset.to_string()));
                write!(
                    f,
                    "{{'names': {names}, 'formats': {formats}, 'offsets': {offsets}, 'itemsize': {}",
                    r.itemsize
                )?;
                if r.aligned {
                    f.write_str(", 'aligned': True")?;
                }
                f.write_str("}")
            }
        }
    }
}

impl fmt::Debug for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dtype({self})")
    }
}

/// A name quoted as Python quotes a `str`.
struct PyStr<'a>(&'a str);

impl fmt::Debug for PyStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.contains('\'') && !self.0.contains('"') {
            write!(f, "\"{}\"", self.0)
        } else {
            write!(f, "'{}'", self.0.replace('\\', "\\\\").replace('\'', "\\'"))
        }
    }
}

/// The data type of a C scalar type, at compile time: lending an array
/// asks for its dtype at every call.
pub(crate) const fn scalar_dtype(ctype: &CType) -> Option<DType> {
    use crate::types::Kind as K;
    if matches!(ctype, CType::Char) {
        return Some(DType::scalar(Kind::Bytes, 1));
    }
    let (kind, size) = match ctype.kind() {
        K::Bool => (Kind::Bool, 1),
        K::I8 => (Kind::Int, 1),
        K::I16 => (Kind::Int, 2),
        K::I32 => (Kind::Int, 4),
        K::I64 => (Kind::Int, 8),
        K::U8 => (Kind::UInt, 1),
        K::U16 => (Kind::UInt, 2),
        K::U32 => (Kind::UInt, 4),
        K::U64 => (Kind::UInt, 8),
        K::F32 => (Kind::Float, 4),
        K::F64 => (Kind::Float, 8),
        K::LongDouble => (Kind::Float, LONG_DOUBLE_SIZE),
        K::Void | K::Ptr | K::Aggregate => return None,
    };
    Some(DType::scalar(kind, size))
}

impl DType {
    /// numpy's `S<n>`: `n` bytes with alignment 1.
    pub(crate) fn bytes(n: usize) -> DType {
        if n == 1 {
            return DType::scalar(Kind::Bytes, 1);
        }
        DType(Repr::Scalar {
            kind: Kind::Bytes,
            size: n,
            order: ByteOrder::NotApplicable,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> DType {
        DType::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn type_strings_and_codes_agree() {
        assert_eq!(p("<f4"), p("f"));
        assert_eq!(p("f8"), p("d"));
        assert_eq!(p("i"), p("intc"));
        assert_eq!(p("=i8"), p("int64"));
        assert_eq!(p("|u1"), p("B"));
        assert_eq!(p("<u1"), p(">u1"));
        assert_eq!(p("?"), p("b1"));
        assert_eq!(p("b"), p("i1"));
        assert_eq!(p("l").itemsize(), size_of::<std::ffi::c_long>());
        assert_eq!(p("p"), DType::of::<isize>());
        assert_eq!(p("U4").itemsize(), 16);
        assert_eq!(p("c16").alignment(), align_of::<f64>());
    }

    #[test]
    fn byte_order_is_normalised() {
        let native = if cfg!(target_endian = "little") {
            "<i4"
        } else {
            ">i4"
        };
        assert_eq!(p("=i4"), p(native));
        assert_eq!(p("|i4"), p(native));
        assert_ne!(p("<i4"), p(">i4"));
        assert_eq!(p("!i4"), p(">i4"));
        assert_eq!(p("<i4").swapped(), p(">i4"));
        assert_eq!(p(">S12").typestr(), "|S12");
        assert_eq!(p(">i1").to_string(), "int8");
    }

    #[test]
    fn names_print_as_numpy_prints_them() {
        assert_eq!(p("d").to_string(), "float64");
        assert_eq!(p("?").to_string(), "bool");
        assert_eq!(p("S12").to_string(), "|S12");
        assert_eq!(p("V8").to_string(), "|V8");
        assert_eq!(p("U3").typestr()[1..].to_string(), "U3");
        assert_eq!(p("c8").to_string(), "complex64");
    }

    #[test]
    fn bad_strings_are_quoted() {
        for bad in [
            "", "<", "x4", "i3", "f3", "S", "S0", "i4,", "i4,,f8", "int33", "b2", "i+4", "S-1",
            "float127",
        ] {
            let e = DType::parse(bad).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with(&format!("data type '{bad}' not understood")),
                "{e}"
            );
        }
    }

    #[test]
    fn comma_lists_are_packed_records() {
        let d = p("i4, f8");
        assert_eq!(d.itemsize(), 12);
        assert_eq!(d.fields().unwrap()[1].name(), "f1");
        assert_eq!(d.to_string(), "[('f0', '<i4'), ('f1', '<f8')]");
    }

    #[test]
    fn aligned_records_follow_c_padding() {
        let d = DType::record([("c", p("i1")), ("d", p("f8"))], true).unwrap();
        assert_eq!(d.itemsize(), 16);
        assert_eq!(d.alignment(), 8);
        assert_eq!(
            d.to_string(),
            "{'names': ['c', 'd'], 'formats': ['i1', '<f8'], 'offsets': [0, 8], 'itemsize': 16, 'aligned': True}"
        );
        let u = DType::record([("a", p("u2")), ("b", p("u4"))], true).unwrap();
        assert_eq!(u.field("b").unwrap().offset(), 4);
        assert_eq!(u.itemsize(), 8);
        let packed = DType::record([("a", p("u2")), ("b", p("u4"))], false).unwrap();
        assert_eq!((packed.itemsize(), packed.alignment()), (6, 1));
    }

    #[test]
    fn records_too_large_for_memory_are_errors() {
        let huge = p("S18446744073709551613");
        let aligned = DType::record([("a", huge.clone()), ("b", p("i4"))], true);
        assert!(aligned.unwrap_err().to_string().contains("overflows"));
        let packed = DType::record([("a", huge), ("b", p("i4"))], false);
        assert!(packed.unwrap_err().to_string().contains("overflows"));
        let err = DType::parse("S18446744073709551615,S1").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("data type 'S18446744073709551615,S1' not understood"),
            "{err}"
        );
    }

    #[test]
    fn record_equality_is_by_layout() {
        let same = |align| DType::record([("x", p("i4")), ("y", p("i4"))], align).unwrap();
        assert_eq!(same(false), same(true));
        assert!(DType::record([("x", p("i4")), ("x", p("i4"))], false).is_err());
        assert!(DType::record_with_offsets([("a", p("i4"), 4)], 6).is_err());
    }

    #[test]
    fn ctype_round_trip() {
        for c in [
            CType::Int,
            CType::Double,
            CType::Float,
            CType::UByte,
            CType::Bool,
        ] {
            assert_eq!(DType::from_ctype(&c).unwrap().ctype().unwrap(), c);
        }
        assert_eq!(p(">i4").ctype().is_some(), cfg!(target_endian = "big"));
        assert_eq!(DType::from_ctype(&CType::Char).unwrap().to_string(), "|S1");
    }
}
