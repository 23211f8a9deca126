//! The descriptor of Rust memory lent to C for a call: where it is, what it
//! holds, its shape and strides, and numpy's flags.

// Parts serve only the n-d arrays extension.
#![cfg_attr(not(feature = "ndarray"), allow(dead_code))]

use std::ffi::c_void;
use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;

use crate::error::Mismatch;
use crate::out_of_line::OutOfLine;
use crate::types::CType;
use crate::value::Value;
use crate::value::array::lending::RowShape;

use crate::types::DType;
use crate::types::Flags;
use crate::types::fmt_tuple;
use crate::value::Element;

/// Rust memory lent to C for one call: its address, data type, shape, byte
/// strides and [`Flags`], borrowed for `'a`.
///
/// Every array argument becomes one: slices and `Vec`s (one C-contiguous
/// dimension; `WRITEABLE` only from a mutable borrow), every `ndarray` array
/// and view (any dimension, any strides), [`NdArray`](crate::NdArray), and
/// the pointers [`Ctypes::data_as`](crate::Ctypes::data_as) gives. Making
/// one copies nothing and allocates nothing.
///
/// ```
/// use rctypes::{Flags, Value};
/// use ndarray::{Array2, s};
/// let a = Array2::<f64>::zeros((4, 6));
/// let column = a.slice(s![.., 1]);
/// let Value::Array(d) = Value::from(&column) else { unreachable!() };
/// assert_eq!(d.shape(), &[4]);
/// assert_eq!(d.strides().collect::<Vec<_>>(), [48]);
/// assert!(!d.flags().contains(Flags::C_CONTIGUOUS));
/// assert!(!d.flags().contains(Flags::WRITEABLE));
/// ```
#[derive(Debug, PartialEq)]
pub struct ArrayArg<'a> {
    pub(crate) ptr: *mut c_void,
    pub(crate) types: OutOfLine<Described>,
    pub(crate) len: usize,
    pub(crate) dims: Dims<'a>,
    pub(crate) flags: Flags,
    pub(crate) origin: Origin,
    /// The memory itself cannot be written (a read-only map), however it
    /// is borrowed: error messages say so rather than ask for `&mut`.
    pub(crate) read_only_memory: bool,
    _borrow: PhantomData<&'a mut [u8]>,
}

/// What the elements of lent memory are: their data type, and their C type
/// when they have one (what a `POINTER(T)` parameter may receive them as).
///
/// A [`c_struct!`](crate::c_struct) type makes its own once, for the
/// program's life ([`Element::shared_types`]), and lending its values then
/// touches no reference counts.
///
/// ```
/// use rctypes::{CType, DType, ElementTypes};
///
/// let types = ElementTypes::new(DType::of::<i32>(), Some(CType::Int));
/// assert_eq!(types.dtype().to_string(), "int32");
/// assert_eq!(types.ctype(), Some(&CType::Int));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ElementTypes {
    dtype: DType,
    elem: Option<CType>,
}

impl ElementTypes {
    /// The types of elements of data type `dtype` and C type `ctype`.
    pub const fn new(dtype: DType, ctype: Option<CType>) -> ElementTypes {
        ElementTypes { dtype, elem: ctype }
    }

    /// The data type of one element.
    pub fn dtype(&self) -> &DType {
        &self.dtype
    }

    /// The C type of one element, when it has one.
    pub fn ctype(&self) -> Option<&CType> {
        self.elem.as_ref()
    }
}

/// The element types of row pointers made by rctypes, with what they state
/// of each row (its numbers, whether C may write them, its length) read
/// once, for the checks worked out at bind time.
#[derive(Debug)]
pub(crate) struct RowTypes {
    types: ElementTypes,
    shape: Option<RowShape>,
}

impl RowTypes {
    /// The types of row pointers of data type `dtype` and C type `pointer`
    /// (a pointer to numbers with the rows' length as its extent).
    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    pub(crate) fn new(dtype: DType, pointer: CType) -> RowTypes {
        RowTypes {
            shape: RowShape::of(&pointer),
            types: ElementTypes::new(dtype, Some(pointer)),
        }
    }
}

/// A descriptor's [`ElementTypes`]: a type's own, the lender's, or made for
/// it. Kept `OutOfLine` in a descriptor, so that a `Value` holding no
/// array drops without a call.
#[derive(Clone)]
pub(crate) enum Described {
    /// Not the descriptor's own: a type's, made once for the program's
    /// life (from a `&'static`), or the lender's (row pointers', with
    /// what they state of each row), which live as long as the borrow of
    /// the descriptor that holds them (an `ArrayArg<'a>` made by
    /// `ArrayArg::pointers` from a `&'a` of them). A `Described` lives only
    /// in an `ArrayArg<'a>`, a clone only in one of the same borrow
    /// (`duplicate`). Pointers, not references: a lifetime here would make
    /// every `Value` holding a borrow keep it until the `Value` is dropped.
    /// (The rows' shape is kept here, not in `ElementTypes`, which every
    /// `Value` has room for.)
    Shared {
        types: NonNull<ElementTypes>,
        row: Option<NonNull<RowShape>>,
    },
    /// Made for the descriptor.
    Made(ElementTypes),
}

impl PartialEq for Described {
    fn eq(&self, other: &Described) -> bool {
        self.types() == other.types()
    }
}

impl fmt::Debug for Described {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.types().fmt(f)
    }
}

impl Described {
    fn made(dtype: DType, elem: Option<CType>) -> OutOfLine<Described> {
        OutOfLine::new(Described::Made(ElementTypes::new(dtype, elem)))
    }

    #[inline]
    fn of<T: Element>() -> OutOfLine<Described> {
        OutOfLine::new(match T::shared_types() {
            Some(types) => Described::Shared {
                types: NonNull::from(types),
                row: None,
            },
            None => Described::Made(ElementTypes::new(T::dtype(), T::ctype())),
        })
    }

    fn types(&self) -> &ElementTypes {
        match self {
            Described::Shared { types, .. } => {
                // SAFETY: valid for the borrow of the descriptor holding
                // `self` (see `Shared`), which outlives `&self`.
                unsafe { types.as_ref() }
            }
            Described::Made(types) => types,
        }
    }

    pub(crate) fn dtype(&self) -> &DType {
        &self.types().dtype
    }

    pub(crate) fn elem(&self) -> Option<&CType> {
        self.types().elem.as_ref()
    }

    pub(crate) fn row(&self) -> Option<&RowShape> {
        match self {
            Described::Shared { row: Some(row), .. } => {
                // SAFETY: as in `types`.
                Some(unsafe { row.as_ref() })
            }
            _ => None,
        }
    }
}

/// The shape and strides of a descriptor, borrowed from the array so that
/// making one allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Dims<'a> {
    /// One contiguous dimension of `len` elements.
    Flat,
    /// ndarray's shape and strides, the strides counted in elements.
    Elements {
        shape: &'a [usize],
        strides: &'a [isize],
    },
    /// A shape and strides counted in bytes.
    Bytes {
        shape: &'a [usize],
        strides: &'a [isize],
    },
}

/// What kind of Rust value the descriptor came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// An array: a slice, `Vec`, ndarray array or view, or `NdArray`.
    Array,
    /// An address taken from an array (`data_as`), or one value (`byref`).
    Pointer,
    /// A string buffer, NUL-terminated past its end.
    StringBuffer,
    /// A [`StructValue`](crate::StructValue), whose pointer fields only C or
    /// `unsafe` code set.
    StructValue,
}

impl<'a> ArrayArg<'a> {
    /// Lends a slice for reading.
    pub fn from_slice<T: Element>(data: &'a [T]) -> Self {
        Self::flat(data.as_ptr() as *mut T, data.len(), Flags::EMPTY)
    }

    /// Lends a slice for reading and writing.
    pub fn from_mut_slice<T: Element>(data: &'a mut [T]) -> Self {
        Self::flat(data.as_mut_ptr(), data.len(), Flags::WRITEABLE)
    }

    /// Lends a `Vec`'s elements for reading: as a slice that owns its data.
    pub(crate) fn from_vec<T: Element>(data: &'a [T]) -> Self {
        Self::flat(data.as_ptr() as *mut T, data.len(), Flags::OWNDATA)
    }

    /// Lends a `Vec`'s elements for reading and writing.
    pub(crate) fn from_mut_vec<T: Element>(data: &'a mut [T]) -> Self {
        Self::flat(
            data.as_mut_ptr(),
            data.len(),
            Flags::WRITEABLE | Flags::OWNDATA,
        )
    }

    /// One value, lent as a pointer C may write through (ctypes' `byref`).
    pub(crate) fn byref<T: Element>(x: &'a mut T) -> Self {
        let mut arg = Self::from_mut_slice(std::slice::from_mut(x));
        arg.origin = Origin::Pointer;
        arg
    }

    /// A struct value of a run-time layout, lent as a pointer C may write
    /// through (ctypes' `byref` of a `Structure`).
    pub(crate) fn one_struct(v: &'a mut crate::value::StructValue) -> Self {
        ArrayArg {
            ptr: v.as_mut_ptr() as *mut c_void,
            types: Described::made(
                crate::types::layout::element_dtype(v.layout()),
                Some(v.ctype()),
            ),
            len: 1,
            dims: Dims::Flat,
            flags: Flags::C_CONTIGUOUS | Flags::F_CONTIGUOUS | Flags::ALIGNED | Flags::WRITEABLE,
            origin: Origin::StructValue,
            read_only_memory: false,
            _borrow: PhantomData,
        }
    }

    /// `len` pointers at `ptr`, whose element types `row` are a row
    /// pointer's (`usize`'s data type, the pointer's C type): the row
    /// pointers of a `T**` (`writable`) or `const T* const*`.
    pub(crate) fn pointers(
        ptr: *mut *const c_void,
        row: &'a RowTypes,
        len: usize,
        writable: bool,
    ) -> Self {
        let flags = if writable {
            Flags::WRITEABLE
        } else {
            Flags::EMPTY
        };
        Self::flat_of(
            ptr as *mut usize,
            len,
            flags | Flags::OWNDATA,
            OutOfLine::new(Described::Shared {
                types: NonNull::from(&row.types),
                row: row.shape.as_ref().map(NonNull::from),
            }),
        )
    }

    /// A string buffer of `capacity` bytes with a NUL past its end.
    pub(crate) fn string_buffer(ptr: *const u8, capacity: usize, writable: bool) -> Self {
        let writable = if writable {
            Flags::WRITEABLE
        } else {
            Flags::EMPTY
        };
        let mut arg = Self::flat(ptr as *mut [u8; 1], capacity, writable | Flags::OWNDATA);
        arg.origin = Origin::StringBuffer;
        arg
    }

    /// `len` contiguous elements of `T` at `ptr`, with `extra` flags.
    ///
    /// Rust memory holding `T`s is aligned for `T`, and so for its dtype
    /// (`Element`'s contract): typed arrays are always `ALIGNED`.
    fn flat<T: Element>(ptr: *mut T, len: usize, extra: Flags) -> Self {
        Self::flat_of(ptr, len, extra, Described::of::<T>())
    }

    /// As [`flat`](Self::flat), with the element types given.
    fn flat_of<T>(ptr: *mut T, len: usize, extra: Flags, types: OutOfLine<Described>) -> Self {
        ArrayArg {
            ptr: ptr as *mut c_void,
            types,
            len,
            dims: Dims::Flat,
            flags: Flags::C_CONTIGUOUS | Flags::F_CONTIGUOUS | Flags::ALIGNED | extra,
            origin: Origin::Array,
            read_only_memory: false,
            _borrow: PhantomData,
        }
    }

    /// Builds a descriptor of an n-dimensional array of `T` with ndarray's
    /// element strides, computing its flags.
    ///
    /// The caller must hold a borrow of the memory for `'a`, mutable when
    /// `writable`.
    #[inline]
    pub(crate) fn strided<T: Element>(
        ptr: *mut T,
        shape: &'a [usize],
        strides: &'a [isize],
        writable: bool,
        owned: bool,
    ) -> Self {
        let dtype = T::dtype();
        let size = size_of::<T>() as isize;
        let flags = layout_flags(
            ptr as usize,
            dtype.alignment(),
            dtype.itemsize(),
            shape,
            |i| strides[i].wrapping_mul(size),
        )
        .with(Flags::WRITEABLE, writable)
        .with(Flags::OWNDATA, owned);
        ArrayArg {
            ptr: ptr as *mut c_void,
            types: Described::of::<T>(),
            len: shape.iter().product(),
            dims: Dims::Elements { shape, strides },
            flags,
            origin: Origin::Array,
            read_only_memory: false,
            _borrow: PhantomData,
        }
    }

    /// Builds a descriptor from byte strides with the flags already known.
    pub(crate) fn with_byte_strides(
        ptr: *mut c_void,
        dtype: DType,
        shape: &'a [usize],
        strides: &'a [isize],
        flags: Flags,
    ) -> Self {
        let elem = dtype.ctype();
        ArrayArg {
            ptr,
            types: Described::made(dtype, elem),
            len: shape.iter().product(),
            dims: Dims::Bytes { shape, strides },
            flags,
            origin: Origin::Array,
            read_only_memory: false,
            _borrow: PhantomData,
        }
    }

    /// `len` elements of `T` at `ptr` with `flags`, passed as an address
    /// (what `data_as` gives). The caller holds the borrow for `'a`.
    pub(crate) fn pointer_to<T: Element>(ptr: *mut T, len: usize, flags: Flags) -> Self {
        ArrayArg {
            ptr: ptr as *mut c_void,
            types: Described::of::<T>(),
            len,
            dims: Dims::Flat,
            flags,
            origin: Origin::Pointer,
            read_only_memory: false,
            _borrow: PhantomData,
        }
    }

    /// A second descriptor of the same borrow.
    pub(crate) fn duplicate(&self) -> ArrayArg<'a> {
        ArrayArg {
            ptr: self.ptr,
            types: self.types.clone(),
            len: self.len,
            dims: self.dims,
            flags: self.flags,
            origin: self.origin,
            read_only_memory: self.read_only_memory,
            _borrow: PhantomData,
        }
    }

    /// The address of the first element (the element at index `[0, 0, ...]`).
    pub fn as_ptr(&self) -> *const c_void {
        self.ptr
    }

    /// The data type of the elements.
    pub fn dtype(&self) -> &DType {
        self.types.dtype()
    }

    /// The C scalar type of the elements, when they have one.
    pub fn elem(&self) -> Option<&CType> {
        self.types.elem()
    }

    /// Where the elements are rctypes' own row pointers, each row's shape.
    pub(crate) fn row(&self) -> Option<&RowShape> {
        self.types.row()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether C may write to it (it came from a mutable borrow): numpy's
    /// `WRITEABLE`.
    pub fn is_writable(&self) -> bool {
        self.flags.contains(Flags::WRITEABLE)
    }

    /// numpy's flags of the memory.
    pub fn flags(&self) -> Flags {
        self.flags
    }

    /// Whether dropping it does nothing: its element types are shared
    /// (a type's own, or the lender's), and its shape and strides borrowed.
    #[inline(always)]
    pub(crate) fn owns_nothing(&self) -> bool {
        !matches!(*self.types, Described::Made(_))
    }

    /// Whether it came from an array (rather than a bare pointer or `byref`):
    /// only arrays pass an [`NdPointer`](crate::NdPointer)'s checks.
    pub fn is_array(&self) -> bool {
        self.origin == Origin::Array
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        match self.dims {
            Dims::Flat => 1,
            Dims::Elements { shape, .. } | Dims::Bytes { shape, .. } => shape.len(),
        }
    }

    /// The length of each dimension.
    pub fn shape(&self) -> &[usize] {
        match self.dims {
            Dims::Flat => std::slice::from_ref(&self.len),
            Dims::Elements { shape, .. } | Dims::Bytes { shape, .. } => shape,
        }
    }

    /// The stride of dimension `axis` (below `ndim`) in bytes.
    fn stride(&self, axis: usize) -> isize {
        match self.dims {
            Dims::Flat => self.types.dtype().itemsize() as isize,
            Dims::Elements { strides, .. } => {
                strides[axis].wrapping_mul(self.types.dtype().itemsize() as isize)
            }
            Dims::Bytes { strides, .. } => strides[axis],
        }
    }

    /// The stride of each dimension in bytes, as numpy gives them.
    pub fn strides(&self) -> impl Iterator<Item = isize> + '_ {
        (0..self.ndim()).map(|axis| self.stride(axis))
    }

    /// Whether values of the element type may stand where `pointee` is declared.
    fn elem_fits(&self, pointee: &CType) -> bool {
        match self.types.elem() {
            Some(e) => elem_fits(e, pointee),
            None => matches!(pointee, CType::Void) || record_fits(self.types.dtype(), pointee),
        }
    }

    /// Whether the elements may go where plain pointer `ty` is declared:
    /// of its pointee's type, and writable where C writes.
    fn elems_go(&self, ty: &CType) -> bool {
        let writable = self.is_writable();
        match ty {
            // C writes untyped bytes: only into memory any bytes are valid for.
            CType::VoidP => writable && self.any_bytes_valid(),
            CType::Pointer(p) => writable && self.elem_fits(p),
            CType::ConstPointer(p) => self.elem_fits(p),
            CType::CharP => self.origin == Origin::StringBuffer && self.elem_fits(&CType::Char),
            _ => false,
        }
    }

    /// Whether the memory may go where plain pointer `ty` is declared
    /// ([`pointer_for`](Self::pointer_for) gives it, or says why not): its
    /// elements may, and an array is C-contiguous and aligned, since C walks
    /// it element by element.
    #[inline]
    pub(crate) fn goes_to(&self, ty: &CType) -> bool {
        self.elems_go(ty) && self.walks_in_order(self.aligned_for(ty))
    }

    /// Whether C may walk the memory element by element: it is not an
    /// array (a pointer, a buffer, a struct), or an array that is
    /// C-contiguous and, as the caller found, `aligned` for what C reads.
    #[inline(always)]
    pub(crate) fn walks_in_order(&self, aligned: bool) -> bool {
        self.origin != Origin::Array || self.flags.contains(Flags::C_CONTIGUOUS) && aligned
    }

    /// The address passed for a plain pointer parameter `ty`, after checking
    /// the memory may go there ([`goes_to`](Self::goes_to)), or why not.
    pub(crate) fn pointer_for(&self, ty: &CType) -> Result<*const c_void, Mismatch> {
        if self.goes_to(ty) {
            return Ok(self.ptr);
        }
        let writable = self.is_writable();
        if self.elems_go(ty) && !self.flags.contains(Flags::C_CONTIGUOUS) {
            return Err(Mismatch {
                expected: format!("{ty} (C reads consecutive elements)"),
                given: format!(
                    "{}, which is not C-contiguous: array must have flags ['C_CONTIGUOUS'] \
                     (pass ascontiguousarray(...) or declare an ndpointer)",
                    self.describe()
                ),
            });
        }
        if self.elems_go(ty) {
            return Err(Mismatch {
                expected: format!("{ty} (C reads aligned elements)"),
                given: format!(
                    "{}, which is not aligned: array must have flags ['ALIGNED'] \
                     (pass a copy, or declare an ndpointer)",
                    self.describe()
                ),
            });
        }
        let writes = matches!(ty, CType::VoidP | CType::Pointer(_));
        let given = if *ty == CType::VoidP && writable && !self.any_bytes_valid() {
            format!(
                "{}, whose elements not every byte is valid for (a bool, a pointer), \
                 where C writes untyped bytes",
                self.describe()
            )
        } else if !writable && writes {
            format!("{}, which is read-only", self.describe())
        } else {
            self.describe()
        };
        let expected = if writes {
            format!("{ty} (C writes: {})", self.writable_hint())
        } else {
            ty.to_string()
        };
        Err(Mismatch { expected, given })
    }

    /// How many bytes of memory C may touch from the address passed: the
    /// elements' bytes, one after another (`pointer_for` took only
    /// contiguous memory).
    pub(crate) fn lent_bytes(&self) -> usize {
        self.len.saturating_mul(self.types.dtype().itemsize())
    }

    /// Whether the elements hold addresses safe code wrote (a `c_struct!`
    /// with a pointer field): not the crate's own row pointers, whose
    /// element type states their extent, nor a `StructValue`'s fields.
    pub(crate) fn holds_rust_addresses(&self) -> bool {
        self.origin != Origin::StructValue
            && self
                .types
                .elem()
                .is_some_and(|e| !matches!(e, CType::Contract(_)) && e.holds_pointers())
    }

    /// Whether every byte pattern is a valid element, so C may write any.
    fn any_bytes_valid(&self) -> bool {
        match self.types.elem() {
            Some(e) => e.any_bytes_valid(),
            None => self
                .types
                .dtype()
                .ctype()
                .is_some_and(|t| t.any_bytes_valid()),
        }
    }

    /// Whether the memory holds a zero element, so C reading up to one
    /// stays inside it. A string buffer keeps a NUL past its capacity.
    pub(crate) fn has_terminator(&self) -> bool {
        if self.origin == Origin::StringBuffer {
            return true;
        }
        let size = self.types.dtype().itemsize();
        if size == 0 || !self.flags.contains(Flags::C_CONTIGUOUS) {
            return false;
        }
        // SAFETY: the memory is borrowed for 'a, contiguous, and
        // `lent_bytes` long (a descriptor is made only over such memory).
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.lent_bytes()) };
        bytes.chunks_exact(size).any(|e| e.iter().all(|&b| b == 0))
    }

    /// The bytes lent, when they are one-byte characters or integers laid
    /// out one after another: what C may read as a string, up to its NUL.
    pub(crate) fn string_bytes(&self) -> Option<&[u8]> {
        let bytes = self
            .types
            .elem()
            .is_some_and(|e| e.is_narrow_char() || matches!(e, CType::Int8 | CType::UInt8));
        if !bytes || !self.flags.contains(Flags::C_CONTIGUOUS) {
            return None;
        }
        // SAFETY: the memory is borrowed for 'a, contiguous, and
        // `lent_bytes` long (a descriptor is made only over such memory).
        Some(unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.lent_bytes()) })
    }

    /// The bytes lent, when they are contiguous elements of C type `elem`
    /// (or one of the same representation).
    pub(crate) fn elements_of(&self, elem: &CType) -> Option<&[u8]> {
        let same = self.types.elem().is_some_and(|e| e.is_compatible(elem));
        if !same || !self.flags.contains(Flags::C_CONTIGUOUS) {
            return None;
        }
        // SAFETY: as in `string_bytes`.
        Some(unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.lent_bytes()) })
    }

    /// Whether C may read elements of the pointee of `ty` from this memory:
    /// it is `ALIGNED`, or the pointee is `void` or needs no alignment.
    fn aligned_for(&self, ty: &CType) -> bool {
        match ty {
            CType::Pointer(p) | CType::ConstPointer(p) => {
                self.flags.contains(Flags::ALIGNED) || matches!(**p, CType::Void) || p.align() <= 1
            }
            _ => true,
        }
    }

    /// How to lend memory C may write: borrow it mutably, unless the memory
    /// itself is read-only.
    pub(crate) fn writable_hint(&self) -> &'static str {
        if self.read_only_memory {
            "the memory is read-only, a memmap in mode 'r'"
        } else {
            "lend a mutable borrow"
        }
    }

    /// A short description for error messages: `&mut [c_int; 8]`,
    /// `&[float64; (2, 3), strides (8, 16)]`.
    pub(crate) fn describe(&self) -> String {
        let m = if self.is_writable() { "&mut " } else { "&" };
        let elem = match self.types.elem() {
            Some(e) => e.to_string(),
            None => self.types.dtype().to_string(),
        };
        if self.dims == Dims::Flat {
            return format!("{m}[{elem}; {}]", self.len);
        }
        let shape = fmt_tuple(self.shape().iter());
        if self.flags.contains(Flags::C_CONTIGUOUS) {
            format!("{m}[{elem}; {shape}]")
        } else {
            format!(
                "{m}[{elem}; {shape}, strides {}]",
                fmt_tuple(self.strides())
            )
        }
    }
}

/// numpy's contiguity and alignment flags of an array at `addr` with `shape`
/// and byte strides `stride(axis)`.
///
/// As numpy (with relaxed strides): dimensions of length 1 may have any
/// stride, an empty array is both C- and F-contiguous, and alignment looks at
/// the address and the strides of the dimensions longer than 1.
#[inline]
pub(crate) fn layout_flags(
    addr: usize,
    align: usize,
    itemsize: usize,
    shape: &[usize],
    stride: impl Fn(usize) -> isize,
) -> Flags {
    let mut flags = Flags::EMPTY;
    let empty = shape.contains(&0);
    let n = shape.len();
    if empty || contiguous(shape, itemsize, &stride, (0..n).rev()) {
        flags |= Flags::C_CONTIGUOUS;
    }
    if empty || contiguous(shape, itemsize, &stride, 0..n) {
        flags |= Flags::F_CONTIGUOUS;
    }
    let mut bits = addr;
    if !empty {
        for (axis, &n) in shape.iter().enumerate() {
            if n > 1 {
                bits |= stride(axis) as usize;
            }
        }
    }
    if align <= 1 || empty || bits.is_multiple_of(align) {
        flags |= Flags::ALIGNED;
    }
    flags
}

/// Whether the axes, walked from the fastest-varying one, each have a stride
/// of the size of everything inside them.
fn contiguous(
    shape: &[usize],
    itemsize: usize,
    stride: &impl Fn(usize) -> isize,
    axes: impl Iterator<Item = usize>,
) -> bool {
    let mut expected = itemsize as isize;
    for axis in axes {
        let n = shape[axis];
        if n != 1 {
            if stride(axis) != expected {
                return false;
            }
            expected = expected.wrapping_mul(n as isize);
        }
    }
    true
}

impl<'a, T: Element> From<&'a [T]> for Value<'a> {
    fn from(v: &'a [T]) -> Self {
        Value::Array(ArrayArg::from_slice(v))
    }
}

impl<'a, T: Element> From<&'a mut [T]> for Value<'a> {
    fn from(v: &'a mut [T]) -> Self {
        Value::Array(ArrayArg::from_mut_slice(v))
    }
}

impl<'a, T: Element, const N: usize> From<&'a [T; N]> for Value<'a> {
    fn from(v: &'a [T; N]) -> Self {
        Value::Array(ArrayArg::from_slice(v))
    }
}

impl<'a, T: Element, const N: usize> From<&'a mut [T; N]> for Value<'a> {
    fn from(v: &'a mut [T; N]) -> Self {
        Value::Array(ArrayArg::from_mut_slice(v))
    }
}

impl<'a, T: Element> From<&'a Vec<T>> for Value<'a> {
    fn from(v: &'a Vec<T>) -> Self {
        Value::Array(ArrayArg::from_vec(v))
    }
}

impl<'a, T: Element> From<&'a mut Vec<T>> for Value<'a> {
    fn from(v: &'a mut Vec<T>) -> Self {
        Value::Array(ArrayArg::from_mut_vec(v))
    }
}

impl<'a> From<ArrayArg<'a>> for Value<'a> {
    fn from(v: ArrayArg<'a>) -> Self {
        Value::Array(v)
    }
}

/// Whether elements of the record data type `dtype` (an `NdArray` of
/// records) may stand where the struct `pointee` is declared: the record is
/// the struct's layout, field by field, and any bytes are valid for it (no
/// `_Bool`, no pointer, which bytes from Rust would make up).
fn record_fits(dtype: &crate::types::DType, pointee: &CType) -> bool {
    match pointee.bare() {
        CType::Struct(l) => {
            dtype.is_record()
                && pointee.bare().any_bytes_valid()
                && l.check_against_dtype(dtype).is_ok()
        }
        _ => false,
    }
}

/// Whether elements of `elem` may stand where `pointee` is declared. Elements
/// that are pointers (the rows of a `T**`) must not be read-only where C
/// writes through them.
fn elem_fits(elem: &CType, pointee: &CType) -> bool {
    let (elem, pointee) = (elem.bare(), pointee.bare());
    match (elem, pointee) {
        (_, CType::Void) => true,
        // Bytes of either signedness are C's `char`s (ctypes' `bytes`).
        (CType::Byte | CType::UByte | CType::Int8 | CType::UInt8 | CType::Char, CType::Char) => {
            true
        }
        // Numbers: `is_compatible`'s answer for them, without its walk.
        (e, p) if e.kind().is_number() && p.kind().is_number() => e.kind() == p.kind(),
        (CType::ConstPointer(_), CType::Pointer(_) | CType::VoidP) => false,
        (
            CType::Pointer(e) | CType::ConstPointer(e),
            CType::Pointer(p) | CType::ConstPointer(p),
        ) => elem_fits(e, p),
        _ => elem.is_compatible(pointee),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_contiguity_rules() {
        let c = |shape: &[usize], strides: &[isize]| layout_flags(0, 8, 8, shape, |i| strides[i]);
        let f = c(&[2, 3, 4], &[96, 32, 8]);
        assert!(f.contains(Flags::C_CONTIGUOUS | Flags::ALIGNED));
        assert!(!f.contains(Flags::F_CONTIGUOUS));
        assert!(c(&[2, 3], &[8, 16]).contains(Flags::F_CONTIGUOUS));
        assert!(!c(&[2, 3], &[8, 16]).contains(Flags::C_CONTIGUOUS));
        // Length-1 dimensions may have any stride.
        assert!(c(&[1, 3], &[1000, 8]).contains(Flags::C_CONTIGUOUS | Flags::F_CONTIGUOUS));
        assert!(c(&[0, 3], &[7, 9]).contains(Flags::C_CONTIGUOUS | Flags::F_CONTIGUOUS));
        assert!(c(&[], &[]).contains(Flags::C_CONTIGUOUS | Flags::F_CONTIGUOUS));
        assert!(!c(&[5], &[16]).contains(Flags::C_CONTIGUOUS));
        assert!(!c(&[5], &[-8]).contains(Flags::C_CONTIGUOUS));
        assert!(!layout_flags(4, 8, 8, &[2], |_| 8).contains(Flags::ALIGNED));
        assert!(!layout_flags(0, 8, 8, &[2], |_| 12).contains(Flags::ALIGNED));
    }
}
