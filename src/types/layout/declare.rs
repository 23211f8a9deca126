//! Declaring a struct or union at run time and laying it out by the
//! platform's C rules.

use std::any::TypeId;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use crate::error::{Error, Result};
use crate::types::DType;
use crate::types::{CType, Kind};

/// Whether a layout is a struct (fields one after another) or a union (every
/// field at offset 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Composite {
    /// `struct`.
    Struct,
    /// `union`.
    Union,
}

impl Composite {
    fn keyword(self) -> &'static str {
        match self {
            Composite::Struct => "struct",
            Composite::Union => "union",
        }
    }
}

/// The bits a bitfield occupies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bits {
    /// The first bit, counted from bit 0 of the struct's first byte (bits of
    /// a byte are counted from its least significant one, as GCC allocates
    /// them on little-endian machines).
    pub start: usize,
    /// How many bits.
    pub width: u32,
}

/// One named field of a [`StructLayout`]: its C type and where it sits.
///
/// ```
/// use rctypes::{CType, StructLayout};
/// let flags = StructLayout::builder("Flags")
///     .field("tag", CType::Char)
///     .bitfield("mode", CType::UInt, 3)
///     .build()?;
/// let tag = flags.field("tag").unwrap();
/// assert_eq!((tag.offset(), tag.size(), tag.bits()), (0, 1, None));
/// let mode = flags.field("mode").unwrap().bits().unwrap();
/// assert_eq!((mode.start, mode.width), (8, 3));
/// # Ok::<(), rctypes::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StructField {
    name: String,
    ctype: CType,
    offset: usize,
    bits: Option<Bits>,
}

impl StructField {
    pub(crate) fn new(
        name: String,
        ctype: CType,
        offset: usize,
        bits: Option<Bits>,
    ) -> StructField {
        StructField {
            name,
            ctype,
            offset,
            bits,
        }
    }

    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field's C type (for a bitfield, its declared integer type).
    pub fn ctype(&self) -> &CType {
        &self.ctype
    }

    /// Where the field starts, in bytes from the start of the struct: C's
    /// `offsetof`. For a bitfield, the byte holding its first bit.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The field's size in bytes, as C's `sizeof` of its type (for a
    /// bitfield, of its declared type).
    pub fn size(&self) -> usize {
        self.ctype.size()
    }

    /// For a bitfield, the bits it occupies; `None` for an ordinary field.
    pub fn bits(&self) -> Option<Bits> {
        self.bits
    }

    /// Whether this is a bitfield.
    pub fn is_bitfield(&self) -> bool {
        self.bits.is_some()
    }
}

/// The layout of a C struct or union: its fields' offsets, its size and its
/// alignment, as the platform's C compiler lays it out.
///
/// Declared at run time with [`StructLayout::builder`] (or
/// [`union_builder`](StructLayout::union_builder)) from named fields of any
/// [`CType`]: scalars, pointers, fixed arrays ([`CType::array`]) and other
/// structs and unions ([`CType::Struct`]). The rules are C's on this
/// platform (System V, as GCC and Clang apply them):
///
/// - each field starts at a multiple of its alignment; the struct's
///   alignment is its strictest field's, and its size a multiple of it;
/// - [`pack(n)`](StructBuilder::pack) is `#pragma pack(n)`: no field is
///   aligned to more than `n` bytes;
/// - [`field_aligned`](StructBuilder::field_aligned) is `_Alignas(n)` on a
///   field, [`align(n)`](StructBuilder::align) is
///   `__attribute__((aligned(n)))` on the struct: a minimum alignment;
/// - [`bitfield`](StructBuilder::bitfield)s are laid out as GCC does: a
///   bitfield does not straddle a boundary of its type's alignment (unless
///   packed), a zero-width one starts a new unit, and named bitfields give
///   the struct their type's alignment (unnamed ones too on AArch64, a
///   zero-width one there even when packed).
///
/// ```
/// use rctypes::{CType, StructLayout};
/// // struct Padded { char c; double d; };
/// let padded = StructLayout::builder("Padded")
///     .field("c", CType::Char)
///     .field("d", CType::Double)
///     .build()?;
/// assert_eq!((padded.size(), padded.align()), (16, 8));
/// assert_eq!(padded.field("d").unwrap().offset(), 8);
///
/// // The same under #pragma pack(1): no padding.
/// let packed = StructLayout::builder("Packed")
///     .field("c", CType::Char)
///     .field("d", CType::Double)
///     .pack(1)
///     .build()?;
/// assert_eq!((packed.size(), packed.align()), (9, 1));
///
/// // struct Flags { unsigned ready : 1; unsigned mode : 3; int count; };
/// let flags = StructLayout::builder("Flags")
///     .bitfield("ready", CType::UInt, 1)
///     .bitfield("mode", CType::UInt, 3)
///     .field("count", CType::Int)
///     .build()?;
/// assert_eq!(flags.field("mode").unwrap().bits().unwrap().start, 1);
/// assert_eq!(flags.size(), 8);
///
/// let err = StructLayout::builder("Bad").bitfield("x", CType::Double, 3).build().unwrap_err();
/// assert_eq!(err.to_string(), "struct Bad: bitfield `x` has type c_double; bitfields must have an integer type");
/// # Ok::<(), rctypes::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StructLayout {
    name: String,
    composite: Composite,
    fields: Vec<StructField>,
    size: usize,
    align: usize,
    pack: Option<usize>,
    origin: Origin,
    /// The data type of one element of an array of these, made the first
    /// time it is needed (lending a struct by address asks at every call).
    element_dtype: Memo<DType>,
    /// The offsets of the pointers other fields overlap, made the first time
    /// a field is read (see [`shadowed_pointers`](Self::shadowed_pointers)).
    shadowed: Memo<Vec<usize>>,
    /// For a layout read from a Rust type, that type (see
    /// [`rust_type`](Self::rust_type)).
    rust: Memo<RustType>,
}

/// The Rust type a layout was read from: its id, and how to get the one
/// layout that type has.
#[derive(Clone, Copy)]
struct RustType {
    id: TypeId,
    layout: fn() -> &'static Arc<StructLayout>,
}

/// A value derived from a layout and kept with it: not part of what the
/// layout is (equal, hashed and shown as if absent).
#[derive(Clone)]
struct Memo<T>(OnceLock<T>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(OnceLock::new())
    }
}

impl<T> PartialEq for Memo<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Memo<T> {}

impl<T> Hash for Memo<T> {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl<T> fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("_")
    }
}

/// Where a layout's numbers came from, for messages comparing two.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Origin {
    /// Declared field by field (or read from C) and laid out by C's rules.
    Declared,
    /// Read from the Rust compiler for a `#[repr(C)]` type.
    Rust,
    /// Made from a record data type.
    Record,
}

/// One declared member, before layout.
#[derive(Clone, Debug)]
struct Member {
    /// `None` for an unnamed bitfield.
    name: Option<String>,
    ctype: CType,
    shape: Shape,
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    /// An ordinary field, with an optional `_Alignas`.
    Plain { align: Option<usize> },
    /// A bitfield of this many bits.
    Bits(u32),
}

/// Declares a [`StructLayout`] field by field; [`build`](Self::build) lays
/// it out, checking every declaration.
///
/// ```
/// use rctypes::{CType, StructLayout};
/// // #pragma pack(2)
/// // struct Header { char kind; _Alignas(8) int id; unsigned flags : 4; unsigned : 3; short n; };
/// let header = StructLayout::builder("Header")
///     .field("kind", CType::Char)
///     .field_aligned("id", CType::Int, 8)
///     .bitfield("flags", CType::UInt, 4)
///     .unnamed_bitfield(CType::UInt, 3)
///     .field("n", CType::Short)
///     .pack(2)
///     .build()?;
/// assert_eq!(header.to_string(),
///     "struct Header { kind: c_char @ 0, id: c_int @ 2, flags: c_uint : 4 @ bit 48, n: c_short @ 8 } (size 10, align 2)");
/// # Ok::<(), rctypes::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct StructBuilder {
    name: String,
    composite: Composite,
    members: Vec<Member>,
    pack: Option<usize>,
    align: Option<usize>,
}

impl StructLayout {
    /// Starts declaring `struct name { ... }`. The name is for messages (and
    /// may be empty, for an anonymous struct).
    pub fn builder(name: impl Into<String>) -> StructBuilder {
        StructBuilder::new(name.into(), Composite::Struct)
    }

    /// Starts declaring `union name { ... }`: every field at offset 0, the
    /// size that of the largest rounded up to the strictest alignment.
    ///
    /// ```
    /// use rctypes::{CType, StructLayout};
    /// let u = StructLayout::union_builder("Number")
    ///     .field("i", CType::Int)
    ///     .field("d", CType::Double)
    ///     .field("bytes", CType::array(CType::UByte, 12))
    ///     .build()?;
    /// assert_eq!((u.size(), u.align()), (16, 8));
    /// assert!(u.fields().iter().all(|f| f.offset() == 0));
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn union_builder(name: impl Into<String>) -> StructBuilder {
        StructBuilder::new(name.into(), Composite::Union)
    }

    /// A layout whose offsets, size and alignment are given rather than
    /// computed: what the Rust compiler reports for a `#[repr(C)]` type.
    pub(crate) fn from_parts(
        name: String,
        composite: Composite,
        fields: Vec<StructField>,
        size: usize,
        align: usize,
    ) -> StructLayout {
        StructLayout {
            name,
            composite,
            fields,
            size,
            align,
            pack: None,
            origin: Origin::Rust,
            element_dtype: Memo::default(),
            shadowed: Memo::default(),
            rust: Memo::default(),
        }
    }

    /// Records that this is the layout of the Rust type `id`, whose one
    /// layout `layout` returns.
    pub(crate) fn of_rust_type(
        self,
        id: TypeId,
        layout: fn() -> &'static Arc<StructLayout>,
    ) -> Self {
        let _ = self.rust.0.set(RustType { id, layout });
        self
    }

    /// The Rust type whose values have exactly this layout, by value too:
    /// the one `layout`, read from the compiler for the type `c_struct!`
    /// declared. The one check is that the type's layout is this very
    /// one, so a layout that merely claims a type claims none.
    pub(crate) fn rust_type(self: &Arc<Self>) -> Option<TypeId> {
        let rust = self.rust.0.get()?;
        Arc::ptr_eq((rust.layout)(), self).then_some(rust.id)
    }

    /// The data type of one element of an array of these structs: the
    /// record data type, or bytes (`V<size>`) where there is none. Made
    /// once.
    pub(crate) fn element_dtype(&self) -> &DType {
        self.element_dtype
            .0
            .get_or_init(|| super::record::make_element_dtype(self))
    }

    /// The offsets, in order, of the pointers in a value of this layout
    /// whose bytes other fields also cover (in a union, here or nested),
    /// other than with a pointer at the same offset. Safe code may have
    /// written those bytes as data, so reading them as an address would
    /// make one up. Made once.
    pub(crate) fn shadowed_pointers(&self) -> &[usize] {
        self.shadowed
            .0
            .get_or_init(|| super::overlap::shadowed_pointers(self))
    }

    /// The same layout, marked as made from a record data type.
    pub(crate) fn marked_as_record(mut self) -> Arc<StructLayout> {
        self.origin = Origin::Record;
        Arc::new(self)
    }

    /// What the layout's numbers are called in a comparison.
    pub(crate) fn source(&self) -> &'static str {
        match self.origin {
            Origin::Declared => "this layout",
            Origin::Rust => "the Rust struct",
            Origin::Record => "the record data type",
        }
    }

    /// The struct's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Struct or union.
    pub fn composite(&self) -> Composite {
        self.composite
    }

    /// Whether this is a union.
    pub fn is_union(&self) -> bool {
        self.composite == Composite::Union
    }

    /// The named fields, in declaration order.
    pub fn fields(&self) -> &[StructField] {
        &self.fields
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&StructField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The size in bytes, as C's `sizeof`.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The alignment in bytes, as C's `_Alignof`.
    pub fn align(&self) -> usize {
        self.align
    }

    /// The `#pragma pack` value it was declared with, if any.
    pub fn pack(&self) -> Option<usize> {
        self.pack
    }

    /// Whether this layout was read from a Rust type (by
    /// [`c_struct!`](crate::c_struct)) rather than declared.
    pub fn is_from_rust(&self) -> bool {
        self.origin == Origin::Rust
    }

    /// Whether it has bitfields, here or in a nested struct or union.
    pub fn has_bitfields(&self) -> bool {
        self.fields
            .iter()
            .any(|f| f.is_bitfield() || nested_has_bitfields(&f.ctype))
    }

    /// Whether values of the two layouts have the same representation, so one
    /// may stand for the other: both structs or both unions, the same size
    /// and alignment, and field by field the same offsets, bits and storage
    /// (integers of one size whatever their signedness, as `char desc[12]`
    /// and `unsigned char desc[12]`; pointers whatever they point to; the
    /// same floating-point type; compatible nested layouts). Names do not
    /// matter.
    pub fn is_compatible(&self, other: &StructLayout) -> bool {
        self.composite == other.composite
            && self.size == other.size
            && self.align == other.align
            && self.fields.len() == other.fields.len()
            && self.fields.iter().zip(&other.fields).all(|(a, b)| {
                a.offset == b.offset && a.bits == b.bits && same_storage(&a.ctype, &b.ctype)
            })
    }

    /// `struct Name` or `union Name`.
    pub(crate) fn title(&self) -> String {
        if self.name.is_empty() {
            format!("{} (anonymous)", self.composite.keyword())
        } else {
            format!("{} {}", self.composite.keyword(), self.name)
        }
    }
}

/// Whether a field of type `a` holds the same kind of bytes as one of type
/// `b`: see [`StructLayout::is_compatible`].
pub(crate) fn same_storage(a: &CType, b: &CType) -> bool {
    match (a, b) {
        (CType::Struct(x), CType::Struct(y)) => Arc::ptr_eq(x, y) || x.is_compatible(y),
        (CType::Array(x, n), CType::Array(y, m)) => n == m && same_storage(x, y),
        (CType::Struct(_) | CType::Array(..), _) | (_, CType::Struct(_) | CType::Array(..)) => {
            false
        }
        _ if a.is_pointer() && b.is_pointer() => true,
        _ if a.is_integer() && b.is_integer() => {
            a.size() == b.size() && (a.kind() == Kind::Bool) == (b.kind() == Kind::Bool)
        }
        _ => a.kind() == b.kind(),
    }
}

fn nested_has_bitfields(ty: &CType) -> bool {
    match ty {
        CType::Struct(l) => l.has_bitfields(),
        CType::Array(t, _) => nested_has_bitfields(t),
        _ => false,
    }
}

impl fmt::Display for StructLayout {
    /// The fields with their offsets, then the size and alignment:
    /// `struct Padded { c: c_char @ 0, d: c_double @ 8 } (size 16, align 8)`;
    /// a bitfield shows its width and first bit (`mode: c_uint : 3 @ bit 1`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {{", self.title())?;
        for (i, field) in self.fields.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            match field.bits {
                Some(b) => write!(
                    f,
                    "{sep}{}: {} : {} @ bit {}",
                    field.name, field.ctype, b.width, b.start
                )?,
                None => write!(f, "{sep}{}: {} @ {}", field.name, field.ctype, field.offset)?,
            }
        }
        write!(f, " }} (size {}, align {})", self.size, self.align)
    }
}

impl StructBuilder {
    fn new(name: String, composite: Composite) -> StructBuilder {
        StructBuilder {
            name,
            composite,
            members: Vec::new(),
            pack: None,
            align: None,
        }
    }

    /// Adds the field `ty name;`.
    pub fn field(mut self, name: impl Into<String>, ty: CType) -> Self {
        self.members.push(Member {
            name: Some(name.into()),
            ctype: ty,
            shape: Shape::Plain { align: None },
        });
        self
    }

    /// Adds the field `_Alignas(align) ty name;`: aligned to at least `align`
    /// bytes (a power of two; an alignment below the type's own changes
    /// nothing).
    pub fn field_aligned(mut self, name: impl Into<String>, ty: CType, align: usize) -> Self {
        self.members.push(Member {
            name: Some(name.into()),
            ctype: ty,
            shape: Shape::Plain { align: Some(align) },
        });
        self
    }

    /// Adds the bitfield `ty name : width;`. `ty` must be an integer type
    /// (`_Bool` included) and `width` from 1 to its number of bits.
    pub fn bitfield(mut self, name: impl Into<String>, ty: CType, width: u32) -> Self {
        self.members.push(Member {
            name: Some(name.into()),
            ctype: ty,
            shape: Shape::Bits(width),
        });
        self
    }

    /// Adds the unnamed bitfield `ty : width;`: `width` bits of padding, or
    /// with a width of 0, a jump to the next boundary of `ty`'s alignment.
    /// Unnamed bitfields do not affect the struct's alignment.
    pub fn unnamed_bitfield(mut self, ty: CType, width: u32) -> Self {
        self.members.push(Member {
            name: None,
            ctype: ty,
            shape: Shape::Bits(width),
        });
        self
    }

    /// Adds `bytes` bytes of explicit padding (an unnamed `char[bytes]`), as
    /// numpy inserts between the fields of a record it turns into a struct.
    pub fn padding(mut self, bytes: usize) -> Self {
        self.members.push(Member {
            name: None,
            ctype: CType::array(CType::Char, bytes),
            shape: Shape::Plain { align: None },
        });
        self
    }

    /// `#pragma pack(n)`: no field is aligned to more than `n` bytes, a power
    /// of two. Bitfields are then packed with no regard for their type's
    /// boundaries, as GCC does.
    pub fn pack(mut self, n: usize) -> Self {
        self.pack = Some(n);
        self
    }

    /// `__attribute__((aligned(n)))` on the struct (the effect of `_Alignas(n)`
    /// on its first member): at least `n`-byte alignment, a power of two.
    /// `pack` does not lower it.
    pub fn align(mut self, n: usize) -> Self {
        self.align = Some(n);
        self
    }

    /// Lays the struct out, or says which declaration is invalid: a
    /// duplicate or empty name, `void`, a zero-width or over-wide bitfield, a
    /// bitfield on a non-integer type, a pack or alignment that is not a power
    /// of two, a size that overflows.
    pub fn build(self) -> Result<Arc<StructLayout>> {
        let title = StructLayout {
            name: self.name.clone(),
            composite: self.composite,
            fields: Vec::new(),
            size: 0,
            align: 1,
            pack: None,
            origin: Origin::Declared,
            element_dtype: Memo::default(),
            shadowed: Memo::default(),
            rust: Memo::default(),
        }
        .title();
        let err = |message: String| Error::Layout {
            name: title.clone(),
            message,
        };
        if let Some(p) = self.pack
            && !(p.is_power_of_two() && p <= 16)
        {
            return Err(err(format!(
                "pack({p}): the packing must be a power of two (1, 2, 4, 8, 16)"
            )));
        }
        if let Some(a) = self.align {
            check_alignment(a).map_err(|m| err(format!("aligned({a}): {m}")))?;
        }
        for (i, m) in self.members.iter().enumerate() {
            check_member(m, &self.members[..i]).map_err(&err)?;
        }
        let laid = lay_out(&self.members, self.composite, self.pack, self.align)
            .ok_or_else(|| err("its size overflows".into()))?;
        Ok(Arc::new(StructLayout {
            name: self.name,
            composite: self.composite,
            fields: laid.fields,
            size: laid.size,
            align: laid.align,
            pack: self.pack,
            origin: Origin::Declared,
            element_dtype: Memo::default(),
            shadowed: Memo::default(),
            rust: Memo::default(),
        }))
    }
}

fn describe_member(m: &Member) -> String {
    match (&m.name, m.shape) {
        (Some(n), _) => format!("`{n}`"),
        (None, Shape::Bits(_)) => "an unnamed bitfield".into(),
        (None, Shape::Plain { .. }) => "padding".into(),
    }
}

/// Checks one declaration against C's rules and the ones before it.
fn check_member(m: &Member, before: &[Member]) -> std::result::Result<(), String> {
    if let Some(name) = &m.name {
        if name.is_empty() {
            return Err("a field has an empty name".into());
        }
        if before.iter().any(|b| b.name.as_deref() == Some(name)) {
            return Err(format!("duplicate field `{name}`"));
        }
    }
    let what = describe_member(m);
    if m.ctype.kind() == Kind::Void {
        return Err(format!("field {what} has type void"));
    }
    if !is_layable(&m.ctype) {
        return Err(format!(
            "field {what} has type {}, which has no size to lay out",
            m.ctype
        ));
    }
    match m.shape {
        Shape::Plain { align: Some(a) } if check_alignment(a).is_err() => Err(format!(
            "field {what}: _Alignas({a}): {}",
            check_alignment(a).unwrap_err()
        )),
        Shape::Plain { .. } => Ok(()),
        Shape::Bits(_) if cfg!(target_endian = "big") => Err(format!(
            "{what}: bitfields are laid out for little-endian machines only"
        )),
        Shape::Bits(width) => {
            let kind = if m.name.is_some() {
                "bitfield"
            } else {
                "unnamed bitfield"
            };
            let what = m
                .name
                .as_deref()
                .map_or(String::new(), |n| format!(" `{n}`"));
            if !m.ctype.is_integer() {
                return Err(format!(
                    "{kind}{what} has type {}; bitfields must have an integer type",
                    m.ctype
                ));
            }
            let max = if m.ctype.kind() == Kind::Bool {
                1
            } else {
                8 * m.ctype.size() as u32
            };
            if width == 0 && m.name.is_some() {
                return Err(format!(
                    "bitfield{what} has width 0; only an unnamed bitfield may (use unnamed_bitfield)"
                ));
            }
            if width > max {
                return Err(format!(
                    "{kind}{what} is {width} bits wide, wider than its type {} ({max} bit{})",
                    m.ctype,
                    if max == 1 { "" } else { "s" }
                ));
            }
            Ok(())
        }
    }
}

/// The largest alignment C compilers accept (GCC's, for ELF targets).
const MAX_ALIGN: usize = 1 << 28;

fn check_alignment(a: usize) -> std::result::Result<(), String> {
    if !a.is_power_of_two() {
        Err("an alignment must be a power of two".into())
    } else if a > MAX_ALIGN {
        Err(format!("an alignment may be at most {MAX_ALIGN}"))
    } else {
        Ok(())
    }
}

/// Whether a type has a size and alignment a struct can hold.
fn is_layable(ty: &CType) -> bool {
    match ty {
        CType::Array(t, _) => is_layable(t),
        t => t.kind() != Kind::Void,
    }
}

struct Laid {
    fields: Vec<StructField>,
    size: usize,
    align: usize,
}

/// The System V layout algorithm, as GCC implements it (`stor-layout.c`,
/// with `PCC_BITFIELD_TYPE_MATTERS`). Positions are counted in bits.
/// `None` when a size overflows.
fn lay_out(
    members: &[Member],
    composite: Composite,
    pack: Option<usize>,
    min_align: Option<usize>,
) -> Option<Laid> {
    let union = composite == Composite::Union;
    let mut fields = Vec::with_capacity(members.len());
    let mut bitpos: usize = 0; // the next free bit (struct)
    let mut extent: usize = 0; // the bits used (union: the largest member)
    let mut record_align: usize = 1;
    let cap = |a: usize| pack.map_or(a, |p| a.min(p));
    for m in members {
        let size = m.ctype.size();
        let natural = m.ctype.align();
        let start;
        let end;
        match m.shape {
            Shape::Plain { align } => {
                let a = cap(natural.max(align.unwrap_or(1)));
                start = if union {
                    0
                } else {
                    round_up(bitpos, a.checked_mul(8)?)?
                };
                end = start.checked_add(size.checked_mul(8)?)?;
                record_align = record_align.max(a);
                if let Some(name) = &m.name {
                    fields.push(StructField::new(
                        name.clone(),
                        m.ctype.clone(),
                        start / 8,
                        None,
                    ));
                }
            }
            Shape::Bits(0) => {
                // An unnamed zero-width bitfield: the next field starts at a
                // boundary of the type's alignment, whatever the packing.
                if !union {
                    bitpos = round_up(bitpos, natural * 8)?;
                }
                if super::abi::UNNAMED_BITFIELDS_ALIGN_RECORD {
                    // Packing or not: GCC on AArch64 aligns the record so.
                    record_align = record_align.max(natural);
                }
                continue;
            }
            Shape::Bits(width) => {
                let width = width as usize;
                let unit = natural * 8;
                let mut at = if union { 0 } else { bitpos };
                // Unpacked, a bitfield may not span more units of its type's
                // alignment than its type does: GCC's `excess_unit_span`.
                if pack.is_none() && (at % unit + width).div_ceil(unit) > (size * 8) / unit {
                    at = round_up(at, unit)?;
                }
                start = at;
                end = at.checked_add(width)?;
                if m.name.is_some() || super::abi::UNNAMED_BITFIELDS_ALIGN_RECORD {
                    // Named bitfields give the struct their type's alignment
                    // (unnamed ones too, on AArch64).
                    record_align = record_align.max(cap(natural));
                }
                if let Some(name) = &m.name {
                    fields.push(StructField::new(
                        name.clone(),
                        m.ctype.clone(),
                        start / 8,
                        Some(Bits {
                            start,
                            width: width as u32,
                        }),
                    ));
                }
            }
        }
        if union {
            extent = extent.max(end);
        } else {
            bitpos = end;
        }
    }
    if let Some(a) = min_align {
        record_align = record_align.max(a);
    }
    let used = if union { extent } else { bitpos };
    let size = round_up(used.div_ceil(8), record_align)?;
    if size > isize::MAX as usize {
        return None;
    }
    Some(Laid {
        fields,
        size,
        align: record_align,
    })
}

fn round_up(n: usize, to: usize) -> Option<usize> {
    n.checked_next_multiple_of(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(l: &StructLayout) -> Vec<usize> {
        l.fields().iter().map(StructField::offset).collect()
    }

    #[test]
    fn natural_alignment_and_padding() {
        let l = StructLayout::builder("S")
            .field("a", CType::Char)
            .field("b", CType::Int)
            .field("c", CType::Short)
            .build()
            .unwrap();
        assert_eq!(offsets(&l), [0, 4, 8]);
        assert_eq!((l.size(), l.align()), (12, 4));
    }

    #[test]
    fn pack_and_alignas_interact_as_in_gcc() {
        // #pragma pack(2) struct { char a; _Alignas(8) int b; }: pack wins.
        let l = StructLayout::builder("D")
            .field("a", CType::Char)
            .field_aligned("b", CType::Int, 8)
            .pack(2)
            .build()
            .unwrap();
        assert_eq!((offsets(&l), l.size(), l.align()), (vec![0, 2], 6, 2));
        // #pragma pack(1) struct __attribute__((aligned(8))) { char a; int b; }
        let l = StructLayout::builder("E")
            .field("a", CType::Char)
            .field("b", CType::Int)
            .pack(1)
            .align(8)
            .build()
            .unwrap();
        assert_eq!((offsets(&l), l.size(), l.align()), (vec![0, 1], 8, 8));
    }

    #[test]
    fn bitfields_follow_gcc() {
        // struct { char a; int b : 30; }: b may not straddle an int boundary.
        let l = StructLayout::builder("A")
            .field("a", CType::Char)
            .bitfield("b", CType::Int, 30)
            .build()
            .unwrap();
        assert_eq!(l.field("b").unwrap().bits().unwrap().start, 32);
        assert_eq!(l.size(), 8);
        // Packed, it does.
        let l = StructLayout::builder("A")
            .field("a", CType::Char)
            .bitfield("b", CType::Int, 30)
            .pack(8)
            .build()
            .unwrap();
        assert_eq!(l.field("b").unwrap().bits().unwrap().start, 8);
        // Unnamed ones pad but leave the alignment alone, except on AArch64,
        // where they align the struct, and a zero-width one even packed.
        let l = StructLayout::builder("C")
            .field("a", CType::Char)
            .unnamed_bitfield(CType::Int, 0)
            .field("c", CType::Char)
            .pack(1)
            .build()
            .unwrap();
        let (size, align) = if super::super::abi::UNNAMED_BITFIELDS_ALIGN_RECORD {
            (8, 4)
        } else {
            (5, 1)
        };
        assert_eq!(
            (offsets(&l), l.size(), l.align()),
            (vec![0, 4], size, align)
        );
    }

    #[test]
    fn invalid_declarations_are_errors() {
        let e = |b: StructBuilder| b.build().unwrap_err().to_string();
        assert!(e(StructLayout::builder("S").bitfield("x", CType::Int, 0)).contains("width 0"));
        assert!(
            e(StructLayout::builder("S").bitfield("x", CType::Int, 33)).contains("33 bits wide")
        );
        assert!(e(StructLayout::builder("S").bitfield("x", CType::Bool, 2)).contains("(1 bit)"));
        assert!(
            e(StructLayout::builder("S").bitfield("p", CType::VoidP, 3)).contains("integer type")
        );
        assert!(
            e(StructLayout::builder("S").field("x", CType::Int).pack(3)).contains("power of two")
        );
        assert!(
            e(StructLayout::builder("S")
                .field("x", CType::Int)
                .field("x", CType::Int))
            .contains("duplicate field `x`")
        );
        assert!(e(StructLayout::builder("S").field("v", CType::Void)).contains("void"));
        assert!(
            e(
                StructLayout::builder("S")
                    .field("big", CType::array(CType::Double, usize::MAX / 4))
            )
            .contains("overflows")
        );
    }
}
