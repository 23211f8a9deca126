//! An owned struct or union value of a run-time layout.

use std::alloc::{self, Layout};
use std::borrow::Cow;
use std::ffi::CString;
use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::out_of_line::OutOfLine;
use crate::types::CType;
use crate::value::{FromValue, Value};

use super::access;
use crate::types::layout::StructLayout;

/// Zero-initialised heap bytes with a chosen alignment.
struct AlignedBytes {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: plain owned bytes, like a Box<[u8]>.
unsafe impl Send for AlignedBytes {}
// SAFETY: as above; shared access only reads.
unsafe impl Sync for AlignedBytes {}

impl AlignedBytes {
    /// `len` zero bytes aligned to `align`, or the layout of the bytes that
    /// could not be had. At least 16 bytes are allocated, so a result buffer
    /// is never smaller than a register pair.
    fn zeroed(len: usize, align: usize) -> std::result::Result<AlignedBytes, Layout> {
        // A struct's size fits isize and its alignment is a power of two, so
        // this holds for every layout; the fallback keeps it an error.
        let layout = Layout::from_size_align(len.max(16), align.max(16))
            .map_err(|_| Layout::new::<[u8; 16]>())?;
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(raw).ok_or(layout)?;
        Ok(AlignedBytes { ptr, layout })
    }
}

impl Drop for AlignedBytes {
    fn drop(&mut self) {
        // SAFETY: allocated in `zeroed` with this layout.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

impl Clone for AlignedBytes {
    fn clone(&self) -> Self {
        // The bytes are already held once: failing to hold them twice is
        // running out of memory, which aborts as any Vec's growth does.
        let copy = AlignedBytes::zeroed(self.layout.size(), self.layout.align())
            .unwrap_or_else(|layout| alloc::handle_alloc_error(layout));
        // SAFETY: both hold layout.size() initialised bytes (zeroed at
        // allocation, then only written with initialised bytes).
        unsafe {
            std::ptr::copy_nonoverlapping(self.ptr.as_ptr(), copy.ptr.as_ptr(), self.layout.size())
        };
        copy
    }
}

/// Where a value's bytes live: in place for structs of up to 64 bytes and
/// 8-byte alignment (every struct returned in registers but those holding a
/// long double, and the common larger ones such as a vector of a few
/// doubles), so results of that size need no heap allocation. In place,
/// they fit the room a `Value` has anyway.
#[derive(Clone)]
enum Storage {
    Inline([u64; INLINE_WORDS]),
    Heap(AlignedBytes),
}

const INLINE_WORDS: usize = 8;
const INLINE_SIZE: usize = 8 * INLINE_WORDS;
const INLINE_ALIGN: usize = 8;

/// A struct or union value of a layout known at run time, held in Rust
/// memory: ctypes' `Structure` instance.
///
/// It starts zeroed; fields are read and written by name with
/// [`get`](Self::get) and [`set`](Self::set), type-checked and range-checked
/// as call arguments are. As a [`Value`] it is passed by value where a
/// signature declares the struct (`Value::from(&s)`), and by address where it
/// declares a pointer to it (`&s` for `const` pointers, `&mut s` where C
/// writes).
///
/// ```
/// use rctypes::{CType, StructLayout, StructValue};
/// let weather = StructLayout::builder("Weather")
///     .field("timestamp", CType::Int)
///     .field("desc", CType::array(CType::Char, 12))
///     .build()?;
/// let mut w = StructValue::new(&weather)?;
/// w.set("timestamp", 1126877361)?;
/// w.set("desc", "sunny")?;
/// assert_eq!(w.get("timestamp")?.to::<i32>()?, 1126877361);
/// assert_eq!(w.get("desc")?.to::<String>()?, "sunny");
/// assert_eq!(w.get("desc[1]")?.to::<u8>()?, b'u');
/// let err = w.set("timestamp", 1i64 << 40).unwrap_err();
/// assert!(err.to_string().contains("expected c_int"));
/// let err = w.set("desc", "a description far too long").unwrap_err();
/// assert!(err.to_string().contains("too long (26 bytes, the field holds 12)"));
/// # Ok::<(), rctypes::Error>(())
/// ```
#[derive(Clone)]
pub struct StructValue {
    /// Kept [`OutOfLine`]: a `Value` holding no struct drops without a call.
    parts: OutOfLine<Parts>,
}

#[derive(Clone)]
struct Parts {
    layout: Arc<StructLayout>,
    storage: Storage,
    /// Its pointer fields were written by Rust code (a `c_struct!` value
    /// copied in), not by C or `unsafe` code: it never reaches C.
    rust_addresses: bool,
    /// The strings its `char*` fields were set to from Rust, kept as long as
    /// the value (and its clones, and the nested values read from it) lives.
    /// Boxed, and `None` until there is one: every `Value` is as large as
    /// its largest variant, and most values hold no string.
    #[allow(clippy::box_collection)] // one word in every Value, not three
    strings: Option<Box<Vec<Arc<CString>>>>,
}

impl StructValue {
    /// A zeroed value of `layout` (all integers 0, pointers null); an error
    /// when there is no memory for it.
    ///
    /// ```
    /// use rctypes::{CType, StructLayout, StructValue};
    /// let point = StructLayout::builder("Point").field("x", CType::Int).build()?;
    /// assert_eq!(StructValue::new(&point)?.get("x")?.to::<i32>()?, 0);
    /// let huge = StructLayout::builder("Huge")
    ///     .field("bytes", CType::array(CType::Char, 1 << 40))
    ///     .build()?;
    /// let err = StructValue::new(&huge).unwrap_err();
    /// assert_eq!(err.to_string(), "struct Huge: cannot allocate 1099511627776 bytes for a value");
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn new(layout: &Arc<StructLayout>) -> Result<StructValue> {
        StructValue::zeroed(layout).map_err(|_| Error::Layout {
            name: layout.title(),
            message: format!("cannot allocate {} bytes for a value", layout.size()),
        })
    }

    /// A zeroed value of `layout`, or the allocation that failed.
    fn zeroed(layout: &Arc<StructLayout>) -> std::result::Result<StructValue, Layout> {
        let storage = if layout.size() <= INLINE_SIZE && layout.align() <= INLINE_ALIGN {
            Storage::Inline([0; INLINE_WORDS])
        } else {
            Storage::Heap(AlignedBytes::zeroed(layout.size(), layout.align())?)
        };
        Ok(StructValue {
            parts: OutOfLine::new(Parts {
                storage,
                layout: layout.clone(),
                rust_addresses: false,
                strings: None,
            }),
        })
    }

    /// A value of `layout` holding a copy of `bytes`, which must be exactly
    /// its size. Refused for layouts with pointer fields: an address made up
    /// in Rust must not reach C (build those field by field, with addresses
    /// vouched for by [`Value::address`](crate::Value::address)).
    pub fn from_bytes(layout: &Arc<StructLayout>, bytes: &[u8]) -> Result<StructValue> {
        if bytes.len() != layout.size() {
            return Err(Error::Conversion {
                expected: format!("{} bytes for {}", layout.size(), layout.title()),
                given: format!("{} bytes", bytes.len()),
            });
        }
        if CType::Struct(layout.clone()).holds_pointers() {
            return Err(Error::Conversion {
                expected: format!("{} built field by field", layout.title()),
                given: "raw bytes, which would make up its pointer fields".into(),
            });
        }
        let mut v = StructValue::new(layout)?;
        v.bytes_mut().copy_from_slice(bytes);
        Ok(v)
    }

    /// A copy of the fields of a value of `layout` at `src`; padding stays
    /// zero.
    ///
    /// # Safety
    ///
    /// `src` must point to a value of `layout` whose fields are initialised.
    pub(crate) unsafe fn copy_from(layout: &Arc<StructLayout>, src: *const u8) -> StructValue {
        // `src` holds a value of the layout already, so its size is memory
        // that exists: failing to copy it is running out of memory, which
        // aborts as any Vec's growth does.
        let mut v = StructValue::zeroed(layout).unwrap_or_else(|l| alloc::handle_alloc_error(l));
        // SAFETY: forwarded to the caller; the destination has the same layout.
        unsafe { copy_fields(layout, src, v.as_mut_ptr()) };
        v
    }

    /// A copy of a Rust value of `layout` (a `c_struct!`) at `src`: where the
    /// layout holds pointers, safe Rust code wrote them, so the copy is
    /// never passed to C.
    ///
    /// # Safety
    ///
    /// As for [`copy_from`](Self::copy_from).
    pub(crate) unsafe fn copy_from_rust(layout: &Arc<StructLayout>, src: *const u8) -> StructValue {
        // SAFETY: forwarded to the caller.
        let mut v = unsafe { StructValue::copy_from(layout, src) };
        v.parts.rust_addresses = CType::Struct(layout.clone()).holds_pointers();
        v
    }

    /// Whether safe Rust code wrote this value's pointer fields, so that C
    /// must not read through them.
    pub(crate) fn holds_rust_addresses(&self) -> bool {
        self.parts.rust_addresses
    }

    /// The layout.
    pub fn layout(&self) -> &Arc<StructLayout> {
        &self.parts.layout
    }

    /// The C type of the value: `CType::Struct(layout)`.
    pub fn ctype(&self) -> CType {
        CType::Struct(self.parts.layout.clone())
    }

    /// The value's bytes, padding included.
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: the storage holds at least `size` initialised bytes (zeroed
        // when made, then only written with initialised bytes), owned by self.
        unsafe { std::slice::from_raw_parts(self.as_ptr(), self.parts.layout.size()) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        let len = self.parts.layout.size();
        // SAFETY: as in as_bytes, borrowed mutably.
        unsafe { std::slice::from_raw_parts_mut(self.as_mut_ptr(), len) }
    }

    /// The value's bytes, to write.
    ///
    /// # Safety
    ///
    /// Pointer fields are handed to C when the value is: whatever is written
    /// into them must be an address valid for what C will do with it.
    pub unsafe fn as_bytes_mut(&mut self) -> &mut [u8] {
        self.bytes_mut()
    }

    /// The address of the bytes, aligned for the layout; it moves with the
    /// value when the value is small enough to be stored in place.
    pub(crate) fn as_ptr(&self) -> *const u8 {
        match &self.parts.storage {
            Storage::Inline(words) => words.as_ptr() as *const u8,
            Storage::Heap(b) => b.ptr.as_ptr(),
        }
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut u8 {
        match &mut self.parts.storage {
            Storage::Inline(words) => words.as_mut_ptr() as *mut u8,
            Storage::Heap(b) => b.ptr.as_ptr(),
        }
    }

    /// Reads a field: `"x"`, a nested one `"inner.x"`, an array element
    /// `"values[2]"`. A nested struct comes back as [`Value::Struct`], a
    /// bitfield as an integer (sign-extended for signed types), an array of
    /// one-byte characters as the string up to its first NUL
    /// ([`Value::CStr`], as ctypes reads a `c_char` array).
    ///
    /// A pointer that shares its bytes with other members of a union (a
    /// `char*` beside a `size_t`, or inside a struct beside an array of
    /// bytes) is refused, and so is a nested value holding one: whatever was
    /// written through the other members would be read as an address.
    /// [`get_unchecked`](Self::get_unchecked) reads it.
    ///
    /// ```
    /// use rctypes::{CType, StructLayout, StructValue};
    /// // union { size_t addr; const char *text; }
    /// let u = StructLayout::union_builder("AddrOrText")
    ///     .field("addr", CType::SizeT)
    ///     .field("text", CType::CharP)
    ///     .build()?;
    /// let mut v = StructValue::new(&u)?;
    /// v.set("addr", 0xdead_beef_usize)?;
    /// assert_eq!(v.get("addr")?.to::<usize>()?, 0xdead_beef);
    /// let err = v.get("text").unwrap_err();
    /// assert!(err.to_string().contains("only unsafe code reads it"));
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn get(&self, path: &str) -> Result<Value<'static>> {
        let place = access::resolve(&self.parts.layout, path)?;
        // SAFETY: the bytes are an initialised value of the layout. Pointer
        // fields no other field overlaps hold what was stored as a pointer:
        // null, what C or `unsafe` code wrote, or a string this value owns
        // (`set` takes only null, vouched addresses and Rust strings it
        // keeps in `strings`; `from_bytes` refuses layouts with pointers;
        // nested values are copied from values of the same layout, with
        // their strings); `read` refuses the pointers other fields overlap.
        let value = unsafe { access::read(&self.parts.layout, path, self.as_ptr(), &place) }?;
        Ok(self.lend_strings(value))
    }

    /// `value` read from this one, holding the strings its `char*` fields
    /// may point to: a nested struct keeps them alive as this value does.
    fn lend_strings(&self, value: Value<'static>) -> Value<'static> {
        match value {
            Value::Struct(Cow::Owned(mut s)) if self.parts.strings.is_some() => {
                s.parts.strings.clone_from(&self.parts.strings);
                Value::Struct(Cow::Owned(s))
            }
            other => other,
        }
    }

    /// Whether `char*` fields were set from Rust strings this value owns.
    pub(crate) fn owns_strings(&self) -> bool {
        self.parts.strings.is_some()
    }

    /// Reads a field as [`get`](Self::get) does, pointers that share their
    /// bytes with other members of a union included: the member C set in a
    /// tagged union, once its tag says which.
    ///
    /// ```
    /// use rctypes::{CType, StructLayout, StructValue};
    /// let u = StructLayout::union_builder("AddrOrText")
    ///     .field("addr", CType::SizeT)
    ///     .field("text", CType::CharP)
    ///     .build()?;
    /// let v = StructValue::new(&u)?;
    /// // SAFETY: the value is zeroed, so `text` is null.
    /// assert_eq!(unsafe { v.get_unchecked("text") }?, rctypes::Value::Null);
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    ///
    /// # Safety
    ///
    /// Every pointer read (the field, or the pointers inside it) must hold
    /// null or an address valid as its type says: a `char*` a NUL-terminated
    /// string, a `wchar_t*` a NUL-terminated wide string, and any other one
    /// an address fit to be handed to C as that pointer type (the member
    /// last written, with a pointer from C).
    pub unsafe fn get_unchecked(&self, path: &str) -> Result<Value<'static>> {
        let place = access::resolve(&self.parts.layout, path)?;
        // SAFETY: the bytes are an initialised value of the layout; the
        // pointers read are valid, by the caller's promise.
        let value =
            unsafe { access::read_unchecked(&self.parts.layout, path, self.as_ptr(), &place) }?;
        Ok(self.lend_strings(value))
    }

    /// Writes a field, converting `value` to its C type with the range checks
    /// of a call argument. A `char` array takes a string (copied, the rest
    /// NUL-filled; longer than the array is an error); a `char*` field a
    /// Rust string (`&str`, `String` or `CString`), copied into a string the
    /// value owns for as long as it lives, as ctypes keeps the bytes object a
    /// `c_char_p` field is set to; any pointer field takes null or an
    /// address vouched for with `unsafe`; a nested struct takes a
    /// [`Value::Struct`] of a compatible layout; a bitfield an integer that
    /// fits its bits.
    ///
    /// ```
    /// use rctypes::{CType, StructLayout, StructValue};
    /// let device = StructLayout::builder("Device")
    ///     .field("mac", CType::array(CType::UInt8, 4))
    ///     .field("label", CType::CharP)
    ///     .build()?;
    /// let mut d = StructValue::new(&device)?;
    /// d.set("label", "eth0")?;
    /// d.set("mac[0]", 0xde)?;
    /// assert_eq!(d.get("label")?.to::<String>()?, "eth0");
    /// // A copy keeps the string alive, whichever is dropped first.
    /// let copy = d.clone();
    /// drop(d);
    /// assert_eq!(copy.get("label")?.to::<String>()?, "eth0");
    /// let err = copy.clone().set("label", "a\0b").unwrap_err();
    /// assert!(err.to_string().contains("a NUL at byte 1"), "{err}");
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn set<'v>(&mut self, path: &str, value: impl Into<Value<'v>>) -> Result<()> {
        let value = value.into();
        let Parts {
            layout,
            storage,
            strings,
            ..
        } = &mut *self.parts;
        let place = access::resolve(layout, path)?;
        let ptr = match storage {
            Storage::Inline(words) => words.as_mut_ptr() as *mut u8,
            Storage::Heap(b) => b.ptr.as_ptr(),
        };
        if let Some(text) = owned_string(&place, &value) {
            let text = Arc::new(text.map_err(|at| Error::Field {
                name: layout.title(),
                field: path.to_owned(),
                message: format!("the string holds a NUL at byte {at}"),
            })?);
            // SAFETY: the field is a pointer, inside the value's bytes; the
            // string it points to lives in `strings` as long as the bytes do.
            unsafe {
                let at = ptr.add(place.offset) as *mut *const std::ffi::c_char;
                at.write_unaligned(text.as_ptr());
            }
            strings.get_or_insert_default().push(text);
            return Ok(());
        }
        // SAFETY: self owns `size` writable bytes of the layout.
        unsafe { access::write(layout, path, ptr, &place, &value) }?;
        if let Value::Struct(nested) = &value {
            // Its `char*` fields may point into its strings, now copied here.
            if let Some(theirs) = &nested.parts.strings {
                strings
                    .get_or_insert_default()
                    .extend(theirs.iter().cloned());
            }
        }
        Ok(())
    }

    /// The elements of an array field, converted to `T`: a `uint8_t[4]`'s
    /// bytes as `Vec<u8>`, an `int[3]`'s numbers. ([`get`](Self::get) reads
    /// only `char` arrays whole, as strings, as ctypes does.)
    ///
    /// ```
    /// use rctypes::{CType, StructLayout, StructValue};
    /// let device = StructLayout::builder("Device")
    ///     .field("mac", CType::array(CType::UInt8, 4))
    ///     .field("counts", CType::array(CType::Int, 3))
    ///     .build()?;
    /// let mut d = StructValue::new(&device)?;
    /// d.set("mac[0]", 0xde)?;
    /// d.set("mac[2]", 0xbe)?;
    /// d.set("counts[1]", -1)?;
    /// assert_eq!(d.get_array::<u8>("mac")?, [0xde, 0, 0xbe, 0]);
    /// assert_eq!(d.get_array::<i32>("counts")?, [0, -1, 0]);
    /// assert_eq!(format!("{d:?}"), "Device { mac: [222, 0, 190, 0], counts: [0, -1, 0] }");
    /// assert!(d.get_array::<u8>("mac[0]").is_err());
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn get_array<T: FromValue>(&self, path: &str) -> Result<Vec<T>> {
        let place = access::resolve(&self.parts.layout, path)?;
        let CType::Array(_, n) = place.ctype else {
            return Err(Error::Field {
                name: self.parts.layout.title(),
                field: path.to_owned(),
                message: format!("has type {}, which is not an array", place.ctype),
            });
        };
        (0..*n)
            .map(|i| self.get(&format!("{path}[{i}]"))?.to::<T>())
            .collect()
    }

    /// The bytes of a field (for a bitfield, the bytes holding its bits).
    pub fn field_bytes(&self, path: &str) -> Result<&[u8]> {
        let place = access::resolve(&self.parts.layout, path)?;
        let range = match place.bits {
            Some(b) => b.start / 8..(b.start + b.width as usize).div_ceil(8),
            None => place.offset..place.offset + place.ctype.size(),
        };
        Ok(&self.as_bytes()[range])
    }
}

/// The string a Rust string `value` written to a `char*` field at `place`
/// is kept as, or the position of the NUL inside it; `None` when it is not
/// a string for such a field.
fn owned_string(
    place: &access::Place<'_>,
    value: &Value<'_>,
) -> Option<std::result::Result<CString, usize>> {
    if place.bits.is_some() || *place.ctype.bare() != CType::CharP {
        return None;
    }
    let bytes: Vec<u8> = match value {
        Value::Str(s) => s.as_bytes().to_vec(),
        Value::String(s) => s.as_bytes().to_vec(),
        Value::CStr(s) => s.to_bytes().to_vec(),
        _ => return None,
    };
    Some(CString::new(bytes).map_err(|e| e.nul_position()))
}

/// Copies the fields (not the padding) of a value of `layout`.
///
/// # Safety
///
/// `src` must hold a value of `layout` with initialised fields and `dst`
/// must be writable for its size; they must not overlap.
pub(crate) unsafe fn copy_fields(layout: &StructLayout, src: *const u8, dst: *mut u8) {
    // SAFETY: every range copied lies inside the value, per the contract.
    unsafe { copy_struct(layout, 0, src, dst) }
}

/// # Safety
///
/// As [`copy_fields`], for the struct at `offset`.
unsafe fn copy_struct(l: &StructLayout, offset: usize, src: *const u8, dst: *mut u8) {
    for f in l.fields() {
        let (from, len) = match f.bits() {
            // Bitfields share bytes: copy the bytes that hold them.
            Some(b) => (
                b.start / 8,
                (b.start + b.width as usize).div_ceil(8) - b.start / 8,
            ),
            None => (f.offset(), f.size()),
        };
        // SAFETY: forwarded to the caller.
        unsafe { copy_type(f.ctype(), offset + from, len, src, dst) };
    }
}

/// # Safety
///
/// As [`copy_fields`], for `len` bytes of a `ty` at `offset`.
unsafe fn copy_type(ty: &CType, offset: usize, len: usize, src: *const u8, dst: *mut u8) {
    match ty {
        // SAFETY (both): forwarded to the caller.
        CType::Struct(l) if len == l.size() => unsafe { copy_struct(l, offset, src, dst) },
        CType::Array(elem, n) if matches!(**elem, CType::Struct(_) | CType::Array(..)) => {
            for k in 0..*n {
                let at = offset + k * elem.size();
                // SAFETY: element k lies within the caller's `len` bytes.
                unsafe { copy_type(elem, at, elem.size(), src, dst) };
            }
        }
        // SAFETY: scalars and arrays of scalars are initialised throughout.
        _ => unsafe { std::ptr::copy_nonoverlapping(src.add(offset), dst.add(offset), len) },
    }
}

impl PartialEq for StructValue {
    /// Equal layouts and equal bytes.
    fn eq(&self, other: &Self) -> bool {
        (Arc::ptr_eq(&self.parts.layout, &other.parts.layout)
            || self.parts.layout == other.parts.layout)
            && self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Debug for StructValue {
    /// `Weather { timestamp: 1, desc: "sunny", counts: [3, -1, 40] }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct(if self.parts.layout.name().is_empty() {
            "struct"
        } else {
            self.parts.layout.name()
        });
        for field in self.parts.layout.fields() {
            d.field(
                field.name(),
                &DebugField {
                    value: self,
                    path: field.name().to_owned(),
                    ctype: field.ctype(),
                },
            );
        }
        d.finish()
    }
}

/// A field of a value for `Debug`: its value, an array's elements, or its
/// type where it cannot be read safely.
struct DebugField<'v> {
    value: &'v StructValue,
    path: String,
    ctype: &'v CType,
}

impl fmt::Debug for DebugField<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.value.get(&self.path), self.ctype) {
            (Ok(v), _) => write!(f, "{:?}", DebugValue(v)),
            (Err(_), CType::Array(elem, n)) if !self.ctype.holds_pointers() => f
                .debug_list()
                .entries((0..*n).map(|i| DebugField {
                    value: self.value,
                    path: format!("{}[{i}]", self.path),
                    ctype: elem,
                }))
                .finish(),
            (Err(_), ty) => write!(f, "{ty}"),
        }
    }
}

struct DebugValue(Value<'static>);

impl fmt::Debug for DebugValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::CStr(s) => write!(f, "{s:?}"),
            Value::Struct(s) => write!(f, "{:?}", &**s),
            other => write!(f, "{other:?}"),
        }
    }
}
