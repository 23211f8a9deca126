//! Run-time C type descriptors: what a signature is written in.

use std::ffi::{c_char, c_int, c_long, c_void};
use std::fmt;
use std::mem::{align_of, size_of};
use std::sync::Arc;

use libffi::middle::Type;

use crate::types::LongDouble;
use crate::types::Signature;
use crate::types::StructLayout;
use crate::types::{Class, Kind};

/// A C type known at run time, as ctypes' `c_int`, `c_double`, `POINTER(...)`.
///
/// Sizes are the platform's: `Long` is 8 bytes on 64-bit Unix and 4 on
/// Windows, exactly as C's `long`. The fixed-width names (`Int8` … `UInt64`)
/// and C's own names are distinct descriptors with the same machine
/// representation, so either may be declared and errors quote the one used.
///
/// ```
/// use rctypes::CType;
/// assert_eq!(CType::Int.size(), 4);
/// assert_eq!(CType::Double.to_string(), "c_double");
/// assert_eq!(CType::pointer(CType::Float).to_string(), "POINTER(c_float)");
/// assert!(CType::Int.is_compatible(&CType::Int32));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CType {
    /// `void`: only as a return type.
    Void,
    /// `_Bool` (`c_bool`).
    Bool,
    /// `char` (`c_char`): one byte, with the platform's signedness.
    Char,
    /// `wchar_t` (`c_wchar`).
    WChar,
    /// `signed char` (`c_byte`).
    Byte,
    /// `unsigned char` (`c_ubyte`).
    UByte,
    /// `short` (`c_short`).
    Short,
    /// `unsigned short` (`c_ushort`).
    UShort,
    /// `int` (`c_int`).
    Int,
    /// `unsigned int` (`c_uint`).
    UInt,
    /// `long` (`c_long`).
    Long,
    /// `unsigned long` (`c_ulong`).
    ULong,
    /// `long long` (`c_longlong`).
    LongLong,
    /// `unsigned long long` (`c_ulonglong`).
    ULongLong,
    /// `int8_t` (`c_int8`).
    Int8,
    /// `uint8_t` (`c_uint8`).
    UInt8,
    /// `int16_t` (`c_int16`).
    Int16,
    /// `uint16_t` (`c_uint16`).
    UInt16,
    /// `int32_t` (`c_int32`).
    Int32,
    /// `uint32_t` (`c_uint32`).
    UInt32,
    /// `int64_t` (`c_int64`).
    Int64,
    /// `uint64_t` (`c_uint64`).
    UInt64,
    /// `size_t` (`c_size_t`).
    SizeT,
    /// `ssize_t` (`c_ssize_t`).
    SSizeT,
    /// `intptr_t`, numpy's `c_intp`: the integer type of shapes and strides.
    IntP,
    /// `float` (`c_float`).
    Float,
    /// `double` (`c_double`).
    Double,
    /// `long double` (`c_longdouble`) at the platform's full precision; see
    /// [`LongDouble`].
    LongDouble,
    /// `const char*` (`c_char_p`): a NUL-terminated string C reads.
    CharP,
    /// `const wchar_t*` (`c_wchar_p`): a NUL-terminated wide string C reads.
    WCharP,
    /// `void*` (`c_void_p`): an address C may read and write through.
    VoidP,
    /// `T*` (`POINTER(T)`): C may read and write through it.
    Pointer(Arc<CType>),
    /// `const T*`: C only reads through it, so read-only Rust memory may go here.
    ConstPointer(Arc<CType>),
    /// numpy's `ndpointer`: a pointer to an array whose data type, shape and
    /// flags are checked at every call; see [`NdPointer`](crate::NdPointer).
    NdPointer(Arc<crate::types::NdPointer>),
    /// A function pointer of a signature (ctypes' `CFUNCTYPE(...)`): takes a
    /// [`Callback`](crate::Callback) of a compatible signature, null, or an
    /// address C handed out.
    FuncPtr(Arc<Signature>),
    /// A struct or union (ctypes' `Structure` and `Union`), laid out by C's
    /// rules: see [`StructLayout`]. Passed by value where declared as an
    /// argument or result; `POINTER(Struct(..))` passes its address.
    Struct(Arc<StructLayout>),
    /// A fixed-size array `T[n]` (ctypes' `T * n`): a field of a struct, or
    /// what a pointer points to. C passes no array by value, so it is never
    /// an argument or result itself.
    Array(Arc<CType>, usize),
    /// A pointer with its memory contract stated: how much memory C touches
    /// through it, whether it may be NULL, whether C keeps it past the call.
    /// Made by [`CType::extent`], [`CType::nullable`] and
    /// [`CType::retained`]; see [`Contract`].
    Contract(Arc<Contract>),
    /// An opaque handle C hands out and takes back (`sqlite3*`, `FILE*`),
    /// named so that a handle goes only where the same name is declared;
    /// see [`CType::handle`] and [`Handle`](crate::Handle).
    Handle(Arc<str>),
}

/// How much memory C touches through a pointer parameter: the part of a
/// pointer's [`Contract`] that rctypes checks against the memory lent.
///
/// A plain [`CType::pointer`] or [`CType::const_pointer`] means
/// [`Extent::One`] (ctypes' `byref`); a `char*` ([`CType::CharP`]) means
/// [`Extent::NulTerminated`]; a `void*` has no element size, so Rust memory
/// goes to one only once its extent is declared in bytes.
///
/// ```
/// use rctypes::{CType, Extent};
/// // void fibseries(const int *a, int n, int *series): n elements each.
/// let a = CType::const_pointer(CType::Int).extent(Extent::ElementsFromArg(2));
/// assert_eq!(a.to_string(), "const POINTER(c_int) [arg 2 elements]");
/// // void *memset(void *s, int c, size_t n): n bytes.
/// let s = CType::VoidP.extent(Extent::BytesFromArg(3));
/// assert_eq!(s.to_string(), "c_void_p [arg 3 bytes]");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Extent {
    /// Exactly one element: ctypes' `byref(x)`. A longer array is refused,
    /// with a hint to declare the extent.
    One,
    /// This many elements.
    Elements(usize),
    /// As many elements as the call's integer argument at this 1-based index.
    ElementsFromArg(usize),
    /// This many bytes.
    Bytes(usize),
    /// As many bytes as the call's integer argument at this 1-based index.
    BytesFromArg(usize),
    /// As many elements as the product of the call's integer arguments at
    /// these two 1-based indices (`rows * columns`).
    ElementsFromArgs(usize, usize),
    /// As many bytes as the product of the call's integer arguments at these
    /// two 1-based indices (`fread`'s `size * n`).
    BytesFromArgs(usize, usize),
    /// Elements up to and including a terminating zero (`char*` strings).
    NulTerminated,
}

impl Extent {
    /// The arguments this extent reads its count from, 1-based.
    ///
    /// ```
    /// use rctypes::Extent;
    /// assert_eq!(Extent::ElementsFromArgs(2, 3).args().collect::<Vec<_>>(), [2, 3]);
    /// assert_eq!(Extent::Elements(4).args().count(), 0);
    /// ```
    pub fn args(self) -> impl Iterator<Item = usize> {
        let (first, second) = match self {
            Extent::ElementsFromArg(j) | Extent::BytesFromArg(j) => (Some(j), None),
            Extent::ElementsFromArgs(j, k) | Extent::BytesFromArgs(j, k) => (Some(j), Some(k)),
            _ => (None, None),
        };
        first.into_iter().chain(second)
    }

    /// What C touches through a pointer of this extent to elements of
    /// `size` bytes (`None`: `void`, which has no size), `count(j)` reading
    /// the call's argument `j`: the checked call's rule and the direct
    /// call's both. `Err(None)` where the extent counts elements with no
    /// size; `Err(Some(e))` where `count` fails.
    #[inline(always)]
    pub(crate) fn touches<E>(
        self,
        size: Option<usize>,
        count: impl Fn(usize) -> Result<usize, E>,
    ) -> Result<Touches, Option<E>> {
        let need = self.need(size).ok_or(None)?;
        need.touches(count).map_err(Some)
    }

    /// This extent with the size of its elements, `size` (`None`: `void`),
    /// worked in: what is left to read at a call is its counts. `None`
    /// where it counts elements with no size.
    #[inline(always)]
    pub(crate) fn need(self, size: Option<usize>) -> Option<Need> {
        Some(match self {
            Extent::One => Need::One(size?),
            Extent::NulTerminated => Need::UpToZero,
            Extent::Elements(n) => Need::Bytes(size?.checked_mul(n)),
            Extent::Bytes(n) => Need::Bytes(Some(n)),
            Extent::ElementsFromArg(j) => Need::Counted { j, times: size? },
            Extent::BytesFromArg(j) => Need::Counted { j, times: 1 },
            Extent::ElementsFromArgs(j, k) => Need::Counted2 { j, k, times: size? },
            Extent::BytesFromArgs(j, k) => Need::Counted2 { j, k, times: 1 },
        })
    }
}

/// An [`Extent`] with its elements' size worked in ([`Extent::need`]), so
/// that a call reads only its counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Need {
    /// Exactly one element of this many bytes.
    One(usize),
    /// Elements up to a zero one.
    UpToZero,
    /// This many bytes (`None`: more than can be addressed).
    Bytes(Option<usize>),
    /// Argument `j`'s count times this many bytes.
    Counted { j: usize, times: usize },
    /// The product of arguments `j`'s and `k`'s counts times this many
    /// bytes.
    Counted2 { j: usize, k: usize, times: usize },
}

impl Need {
    /// What C touches, `count(j)` reading the call's argument `j`; its
    /// error where that fails.
    #[inline(always)]
    pub(crate) fn touches<E>(
        self,
        count: impl Fn(usize) -> Result<usize, E>,
    ) -> Result<Touches, E> {
        Ok(match self {
            Need::One(size) => Touches::One(size),
            Need::UpToZero => Touches::UpToZero,
            Need::Bytes(bytes) => Touches::Bytes(bytes),
            Need::Counted { j, times } => Touches::Bytes(count(j)?.checked_mul(times)),
            Need::Counted2 { j, k, times } => Touches::Bytes(
                count(j)?
                    .checked_mul(count(k)?)
                    .and_then(|n| n.checked_mul(times)),
            ),
        })
    }
}

/// What C touches through a pointer, by its [`Extent`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Touches {
    /// Exactly one element of this many bytes.
    One(usize),
    /// Elements up to a zero one.
    UpToZero,
    /// At least this many bytes (`None`: more than can be addressed).
    Bytes(Option<usize>),
}

impl Touches {
    /// Whether memory of `bytes` bytes (`terminated`: holding a zero
    /// element) covers what C touches.
    #[inline(always)]
    pub(crate) fn within(self, bytes: usize, terminated: bool) -> bool {
        match self {
            Touches::One(size) => bytes == size,
            Touches::UpToZero => terminated,
            Touches::Bytes(need) => need.is_some_and(|need| need <= bytes),
        }
    }
}

impl fmt::Display for Extent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Extent::One => f.write_str("1 element"),
            Extent::Elements(n) => write!(f, "{n} elements"),
            Extent::ElementsFromArg(j) => write!(f, "arg {j} elements"),
            Extent::Bytes(n) => write!(f, "{n} bytes"),
            Extent::BytesFromArg(j) => write!(f, "arg {j} bytes"),
            Extent::ElementsFromArgs(j, k) => write!(f, "arg {j} * arg {k} elements"),
            Extent::BytesFromArgs(j, k) => write!(f, "arg {j} * arg {k} bytes"),
            Extent::NulTerminated => f.write_str("NUL-terminated"),
        }
    }
}

/// A pointer type with its memory contract: what the binder of a function
/// states about a pointer parameter, and rctypes checks at every call.
///
/// - [`extent`](Self::extent): how much memory C reads or writes through it;
///   the memory lent must cover it.
/// - [`is_nullable`](Self::is_nullable): whether NULL ([`Value::Null`](crate::Value::Null))
///   may be passed. Plain pointer types refuse it.
/// - [`is_retained`](Self::is_retained): for a function pointer, whether C keeps
///   it past the call (a registration), so that only a callback that lives
///   for good ([`Callback::leak`](crate::Callback::leak)) is accepted.
///
/// ```
/// use rctypes::{CType, Extent};
/// let t = CType::pointer(CType::Double).extent(Extent::Elements(3)).nullable();
/// let CType::Contract(c) = &t else { unreachable!() };
/// assert_eq!(c.extent(), Extent::Elements(3));
/// assert!(c.is_nullable());
/// assert_eq!(c.pointer(), &CType::pointer(CType::Double));
/// assert_eq!(t.to_string(), "POINTER(c_double) [3 elements, nullable]");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Contract {
    pointer: CType,
    extent: Extent,
    nullable: bool,
    retained: bool,
    releases: bool,
}

impl Contract {
    /// The pointer type itself.
    pub fn pointer(&self) -> &CType {
        &self.pointer
    }

    /// How much memory C touches through the pointer.
    pub fn extent(&self) -> Extent {
        self.extent
    }

    /// Whether NULL may be passed.
    pub fn is_nullable(&self) -> bool {
        self.nullable
    }

    /// Whether C keeps the pointer past the call.
    pub fn is_retained(&self) -> bool {
        self.retained
    }

    /// Whether the call ends the handle passed.
    pub fn releases(&self) -> bool {
        self.releases
    }
}

/// Checks the contracts of a signature's parameters when it is bound: each
/// on a pointer, an extent's argument an integer parameter other than its
/// own, `retained` only on a function pointer, `releases` only on a handle.
pub(crate) fn check_contracts(args: &[CType]) -> Result<(), String> {
    for (i, ty) in args.iter().enumerate() {
        let CType::Contract(c) = ty else { continue };
        let at = i + 1;
        match &c.pointer {
            CType::NdPointer(_) => {
                return Err(format!(
                    "argument {at}: an ndpointer states its own shape and nullability"
                ));
            }
            t if !t.is_pointer() => {
                return Err(format!(
                    "argument {at}: {t} is no pointer, so it has no contract"
                ));
            }
            _ => {}
        }
        if c.retained && !matches!(c.pointer, CType::FuncPtr(_)) {
            return Err(format!(
                "argument {at}: only a function pointer is retained"
            ));
        }
        if c.releases && !matches!(c.pointer, CType::Handle(_) | CType::VoidP | CType::CharP) {
            return Err(format!(
                "argument {at}: only a handle, or the void* or char* a free function takes, is released"
            ));
        }
        for j in c.extent.args() {
            check_count_arg(args, at, j, "extent")?;
        }
    }
    Ok(())
}

/// Checks that argument `at`'s `what` (its extent, an ndpointer's shape)
/// may be read from argument `j`: another argument, declared an integer.
pub(crate) fn check_count_arg(
    args: &[CType],
    at: usize,
    j: usize,
    what: &str,
) -> Result<(), String> {
    match args.get(j.wrapping_sub(1)) {
        _ if j == at => Err(format!("argument {at}'s {what} refers to itself")),
        Some(t) if t.is_integer() => Ok(()),
        Some(t) => Err(format!(
            "argument {at}'s {what} refers to argument {j}, declared {t}, not an integer"
        )),
        None => Err(format!(
            "argument {at}'s {what} refers to argument {j}, but there are {} arguments",
            args.len()
        )),
    }
}

/// The contract a plain pointer type carries: one element (NUL-terminated
/// for strings), not NULL, not kept past the call.
pub(crate) fn default_contract(ty: &CType) -> Contract {
    Contract {
        pointer: ty.clone(),
        extent: default_extent(ty),
        nullable: false,
        retained: false,
        releases: false,
    }
}

/// The extent a plain pointer type means: a string up to its NUL (`char*`,
/// and a `const` pointer to narrow characters, as `sqlite3_column_text`'s
/// `const unsigned char*`), else one element.
fn default_extent(ty: &CType) -> Extent {
    match ty {
        CType::CharP | CType::WCharP => Extent::NulTerminated,
        CType::ConstPointer(p) if p.is_narrow_char() => Extent::NulTerminated,
        _ => Extent::One,
    }
}

/// Whether `ty` points to a string of narrow characters C reads up to its
/// NUL, and never writes: `char*` (`c_char_p`), or a `const char`,
/// `const signed char` or `const unsigned char` pointer whose extent is
/// NUL-terminated (the default). A result of such a type reads back as a
/// string; a string argument goes to it.
pub(crate) fn is_read_only_string(ty: &CType) -> bool {
    let terms = Terms::of(ty);
    match terms.pointer {
        CType::CharP => terms.extent == Extent::NulTerminated,
        CType::ConstPointer(p) => p.is_narrow_char() && terms.extent == Extent::NulTerminated,
        _ => false,
    }
}

/// A pointer type's contract as the checks read it: the declared one, or a
/// plain pointer's default, with no [`Contract`] built.
pub(crate) struct Terms<'t> {
    pub(crate) pointer: &'t CType,
    pub(crate) extent: Extent,
    pub(crate) nullable: bool,
    pub(crate) retained: bool,
}

impl<'t> Terms<'t> {
    pub(crate) fn of(ty: &'t CType) -> Terms<'t> {
        match ty {
            CType::Contract(c) => Terms {
                pointer: &c.pointer,
                extent: c.extent,
                nullable: c.nullable,
                retained: c.retained,
            },
            _ => Terms {
                pointer: ty,
                extent: default_extent(ty),
                nullable: false,
                retained: false,
            },
        }
    }

    /// The size of one element C touches; `None` for `void`.
    pub(crate) fn elem_size(&self) -> Option<usize> {
        match self.pointer {
            CType::VoidP => None,
            CType::CharP => Some(1),
            CType::WCharP => Some(WCHAR_SIZE),
            t => t
                .pointee()
                .filter(|p| !matches!(p, CType::Void))
                .map(CType::size),
        }
    }
}

// The platform's own answers, from the C types Rust and libc declare for it:
// `char` and `wchar_t` are unsigned on AArch64 Linux, `wchar_t` 16 bits on
// Windows.
const CHAR_SIGNED: bool = c_char::MIN != 0;
const WCHAR_SIGNED: bool = libc::wchar_t::MIN != 0;
const WCHAR_SIZE: usize = std::mem::size_of::<libc::wchar_t>();

impl CType {
    /// `POINTER(pointee)`: a pointer C may write through.
    pub fn pointer(pointee: CType) -> CType {
        CType::Pointer(Arc::new(pointee))
    }

    /// `const pointee*`: a pointer C only reads through.
    pub fn const_pointer(pointee: CType) -> CType {
        CType::ConstPointer(Arc::new(pointee))
    }

    /// `elem[len]`: ctypes' `elem * len`.
    pub fn array(elem: CType, len: usize) -> CType {
        CType::Array(Arc::new(elem), len)
    }

    /// A function pointer `ret (*)(args...)`: ctypes' `CFUNCTYPE(ret, *args)`.
    pub fn func_ptr(args: impl Into<Vec<CType>>, ret: CType) -> CType {
        CType::FuncPtr(Arc::new(Signature::new(args, ret)))
    }

    /// An opaque handle type named `name`: a pointer C hands out and takes
    /// back, never read by Rust. A result of this type is a
    /// [`Handle`](crate::Handle), which safe code can pass only to a
    /// parameter of a handle type of the same name.
    ///
    /// ```
    /// use rctypes::CType;
    /// let db = CType::handle("sqlite3");
    /// assert_eq!(db.to_string(), "handle sqlite3");
    /// assert!(db.is_pointer());
    /// assert!(!db.is_compatible(&CType::handle("FILE")));
    /// ```
    pub fn handle(name: &str) -> CType {
        CType::Handle(name.into())
    }

    /// This pointer type with its extent declared: how much memory C
    /// touches through it ([`Extent`]). Only pointer types have one.
    ///
    /// ```
    /// use rctypes::{CType, Extent};
    /// let series = CType::pointer(CType::Int).extent(Extent::ElementsFromArg(2));
    /// assert!(series.is_pointer());
    /// ```
    pub fn extent(self, extent: Extent) -> CType {
        self.with_contract(|c| c.extent = extent)
    }

    /// This pointer type, accepting NULL ([`Value::Null`](crate::Value::Null)).
    /// Plain pointer types refuse it, as C that dereferences would crash.
    ///
    /// ```
    /// use rctypes::CType;
    /// assert_eq!(CType::CharP.nullable().to_string(), "c_char_p [nullable]");
    /// ```
    pub fn nullable(self) -> CType {
        self.with_contract(|c| c.nullable = true)
    }

    /// This function pointer type, kept by C past the call (a callback
    /// registration): only a [`Callback`](crate::Callback) that lives for
    /// good ([`Callback::leak`](crate::Callback::leak)) is accepted.
    ///
    /// ```
    /// use rctypes::CType;
    /// let handler = CType::func_ptr([CType::Int], CType::Void).retained();
    /// assert_eq!(handler.to_string(), "CFUNCTYPE(None, c_int) [retained]");
    /// ```
    pub fn retained(self) -> CType {
        self.with_contract(|c| c.retained = true)
    }

    /// This handle type, ended by the call it is passed to (`fclose`,
    /// `sqlite3_close`, `free`): the [`Handle`](crate::Handle) passed is
    /// refused by every later call. On `CType::VoidP` (or `CType::CharP`) it
    /// declares a free function, which
    /// [`AllocatedCStr::free_with`](crate::AllocatedCStr::free_with) takes.
    ///
    /// ```
    /// use rctypes::CType;
    /// let close = CType::handle("FILE").releases();
    /// assert_eq!(close.to_string(), "handle FILE [releases]");
    /// ```
    pub fn releases(self) -> CType {
        self.with_contract(|c| c.releases = true)
    }

    fn with_contract(self, change: impl FnOnce(&mut Contract)) -> CType {
        let mut contract = match self {
            CType::Contract(c) => Arc::unwrap_or_clone(c),
            other => default_contract(&other),
        };
        change(&mut contract);
        CType::Contract(Arc::new(contract))
    }

    /// Whether this is one of C's three one-byte character types.
    pub(crate) fn is_narrow_char(&self) -> bool {
        matches!(self, CType::Char | CType::Byte | CType::UByte)
    }

    /// Whether every bit pattern is a value of this type: not so for a
    /// `_Bool` (0 or 1 only), nor for what holds one.
    pub(crate) fn any_bit_pattern(&self) -> bool {
        match self {
            CType::Bool => false,
            CType::Struct(l) => l.fields().iter().all(|f| f.ctype().any_bit_pattern()),
            CType::Array(elem, _) => elem.any_bit_pattern(),
            _ => true,
        }
    }

    /// Whether memory holding this type may go where C writes untyped
    /// bytes (`void*`): every bit pattern a value, and no pointer Rust
    /// would read through.
    pub(crate) fn any_bytes_valid(&self) -> bool {
        self.any_bit_pattern() && !self.holds_pointers()
    }

    /// Whether a value of this type holds an address C may read through.
    #[inline]
    pub(crate) fn holds_pointers(&self) -> bool {
        match self {
            CType::Struct(l) => l.fields().iter().any(|f| f.ctype().holds_pointers()),
            CType::Array(t, n) => *n > 0 && t.holds_pointers(),
            t => t.is_pointer(),
        }
    }

    /// The type without its [`Contract`]: what a pointer's value is
    /// checked against.
    ///
    /// ```
    /// use rctypes::{CType, Extent};
    /// let t = CType::pointer(CType::Int).extent(Extent::Elements(4));
    /// assert_eq!(t.bare(), &CType::pointer(CType::Int));
    /// assert_eq!(CType::Int.bare(), &CType::Int);
    /// ```
    pub fn bare(&self) -> &CType {
        match self {
            CType::Contract(c) => &c.pointer,
            t => t,
        }
    }

    pub(crate) const fn kind(&self) -> Kind {
        use CType::*;
        match self {
            Void => Kind::Void,
            Bool => Kind::Bool,
            Char => Kind::int(1, CHAR_SIGNED),
            WChar => Kind::int(WCHAR_SIZE, WCHAR_SIGNED),
            Byte | Int8 => Kind::I8,
            UByte | UInt8 => Kind::U8,
            Short | Int16 => Kind::I16,
            UShort | UInt16 => Kind::U16,
            Int | Int32 => Kind::I32,
            UInt | UInt32 => Kind::U32,
            Long => Kind::int(size_of::<c_long>(), true),
            ULong => Kind::int(size_of::<c_long>(), false),
            LongLong | Int64 => Kind::I64,
            ULongLong | UInt64 => Kind::U64,
            SizeT => Kind::int(size_of::<usize>(), false),
            SSizeT | IntP => Kind::int(size_of::<isize>(), true),
            Float => Kind::F32,
            Double => Kind::F64,
            LongDouble => Kind::LongDouble,
            CharP | WCharP | VoidP | Pointer(_) | ConstPointer(_) | NdPointer(_) | FuncPtr(_)
            | Contract(_) | Handle(_) => Kind::Ptr,
            Struct(_) | Array(..) => Kind::Aggregate,
        }
    }

    /// Size in bytes, as C's `sizeof` (0 for `void`).
    pub fn size(&self) -> usize {
        match self {
            CType::Struct(l) => return l.size(),
            CType::Array(t, n) => return t.size().saturating_mul(*n),
            _ => {}
        }
        self.kind().rule().width
    }

    /// Alignment in bytes, as C's `_Alignof` (1 for `void`).
    pub fn align(&self) -> usize {
        match self {
            CType::Struct(l) => return l.align(),
            CType::Array(t, _) => return t.align(),
            _ => {}
        }
        match self.kind() {
            Kind::Void => 1,
            Kind::I64 | Kind::U64 => align_of::<u64>(),
            Kind::F64 => align_of::<f64>(),
            Kind::LongDouble => LongDouble::ALIGN,
            Kind::Ptr => align_of::<*const c_void>(),
            _ => self.size(),
        }
    }

    /// Whether this is an integer type (including `_Bool`, `char`, `wchar_t`).
    pub fn is_integer(&self) -> bool {
        self.kind().int_range().is_some()
    }

    /// Whether this is `float`, `double` or `long double`.
    pub fn is_float(&self) -> bool {
        matches!(self.kind().rule().class, Class::Sse | Class::X87)
    }

    /// Whether values of this type are addresses.
    pub fn is_pointer(&self) -> bool {
        self.kind() == Kind::Ptr
    }

    /// The pointed-to type of `POINTER(T)` and `const T*`.
    pub fn pointee(&self) -> Option<&CType> {
        match self.bare() {
            CType::Pointer(t) | CType::ConstPointer(t) => Some(t),
            _ => None,
        }
    }

    /// The layout of a struct or union type.
    pub fn layout(&self) -> Option<&Arc<StructLayout>> {
        match self {
            CType::Struct(l) => Some(l),
            _ => None,
        }
    }

    /// Whether the two types have the same machine representation, so one may
    /// stand for the other (`c_int` and `c_int32`; `c_long` and `c_longlong`
    /// on 64-bit Unix). Pointers are compatible when their pointees are,
    /// function pointers when their signatures are, arrays when their
    /// lengths are equal and their elements compatible, structs and unions
    /// when their layouts are ([`StructLayout::is_compatible`]).
    pub fn is_compatible(&self, other: &CType) -> bool {
        // A contract says how a pointer is used, not what it points to.
        match (self.bare(), other.bare()) {
            (CType::Handle(a), CType::Handle(b)) => a == b,
            (CType::Handle(_), _) | (_, CType::Handle(_)) => false,
            (CType::FuncPtr(a), CType::FuncPtr(b)) => a.is_compatible(b),
            (CType::Struct(a), CType::Struct(b)) => Arc::ptr_eq(a, b) || a.is_compatible(b),
            (CType::Array(a, n), CType::Array(b, m)) => n == m && a.is_compatible(b),
            (CType::Struct(_) | CType::Array(..), _) | (_, CType::Struct(_) | CType::Array(..)) => {
                false
            }
            (a, b) => match (a.pointee(), b.pointee()) {
                (Some(a), Some(b)) => a.is_compatible(b),
                _ => a.kind() == b.kind(),
            },
        }
    }

    /// The integer range a value must fall in, for integer types.
    pub fn int_range(&self) -> Option<(i128, i128)> {
        self.kind().int_range()
    }

    /// The libffi description of this type as an argument or result, or why
    /// libffi cannot pass it by value (see [`StructLayout`]'s notes).
    pub(crate) fn ffi_type(&self) -> Result<Type, String> {
        Ok(match self.kind() {
            Kind::Aggregate => return crate::types::layout::ffi_type(self),
            Kind::Bool | Kind::U8 => Type::u8(),
            Kind::I8 => Type::i8(),
            Kind::I16 => Type::i16(),
            Kind::U16 => Type::u16(),
            Kind::I32 => Type::i32(),
            Kind::U32 => Type::u32(),
            Kind::I64 => Type::i64(),
            Kind::U64 => Type::u64(),
            Kind::F32 => Type::f32(),
            Kind::F64 => Type::f64(),
            Kind::LongDouble => Type::longdouble(),
            Kind::Ptr => Type::pointer(),
            Kind::Void => Type::void(),
        })
    }

    /// The type C's default argument promotions turn this into when it is
    /// passed through `...`: `float` → `double`, small integers → `int`.
    pub fn promoted(&self) -> CType {
        match self.kind() {
            Kind::F32 => CType::Double,
            Kind::Bool | Kind::I8 | Kind::U8 | Kind::I16 | Kind::U16 => CType::Int,
            _ => self.clone(),
        }
    }

    /// ctypes' name for the type.
    fn name(&self) -> &'static str {
        use CType::*;
        match self {
            Void => "None",
            Bool => "c_bool",
            Char => "c_char",
            WChar => "c_wchar",
            Byte => "c_byte",
            UByte => "c_ubyte",
            Short => "c_short",
            UShort => "c_ushort",
            Int => "c_int",
            UInt => "c_uint",
            Long => "c_long",
            ULong => "c_ulong",
            LongLong => "c_longlong",
            ULongLong => "c_ulonglong",
            Int8 => "c_int8",
            UInt8 => "c_uint8",
            Int16 => "c_int16",
            UInt16 => "c_uint16",
            Int32 => "c_int32",
            UInt32 => "c_uint32",
            Int64 => "c_int64",
            UInt64 => "c_uint64",
            SizeT => "c_size_t",
            SSizeT => "c_ssize_t",
            IntP => "c_intp",
            Float => "c_float",
            Double => "c_double",
            LongDouble => "c_longdouble",
            CharP => "c_char_p",
            WCharP => "c_wchar_p",
            VoidP => "c_void_p",
            Pointer(_) => "POINTER",
            ConstPointer(_) => "const",
            NdPointer(_) => "ndpointer",
            FuncPtr(_) => "CFUNCTYPE",
            Struct(_) => "struct",
            Array(..) => "array",
            Contract(_) => "contract",
            Handle(_) => "handle",
        }
    }
}

impl fmt::Display for CType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CType::Pointer(t) => write!(f, "POINTER({t})"),
            CType::ConstPointer(t) => write!(f, "const POINTER({t})"),
            CType::NdPointer(p) => write!(f, "{p}"),
            CType::FuncPtr(sig) => write!(f, "{sig}"),
            CType::Struct(l) => f.write_str(&l.title()),
            CType::Array(t, n) => write!(f, "{t} * {n}"),
            CType::Handle(name) => write!(f, "handle {name}"),
            CType::Contract(c) => {
                // The parts that differ from a plain pointer's.
                let extent = c.extent.to_string();
                let parts = [
                    (c.extent != default_extent(&c.pointer), extent.as_str()),
                    (c.nullable, "nullable"),
                    (c.retained, "retained"),
                    (c.releases, "releases"),
                ];
                let parts: Vec<&str> = parts.iter().filter(|p| p.0).map(|p| p.1).collect();
                write!(f, "{} [{}]", c.pointer, parts.join(", "))
            }
            other => f.write_str(other.name()),
        }
    }
}

/// `int` as ctypes' default result type.
impl Default for CType {
    fn default() -> Self {
        CType::Int
    }
}

// Keep the platform assumptions above honest.
const _: () = assert!(size_of::<c_int>() == 4);
