//! Dynamic values: one argument or result of a call, and the range-checked
//! conversions between them and C's types.

use std::borrow::Cow;
use std::ffi::{CStr, CString, c_char, c_void};
use std::fmt;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use crate::error::{Error, Mismatch, Result};
use crate::types::{CType, Extent, Kind, LongDouble, Terms, Touches, is_read_only_string};

pub(crate) mod access;
pub(crate) mod array;
pub(crate) mod c_array;
pub(crate) mod c_struct;
pub(crate) mod contents;
mod element;
mod end_ptr;
mod fn_pointer;
#[cfg(feature = "codegen")]
#[cfg_attr(
    not(rctypes_x86_64_sysv),
    allow(dead_code, reason = "read by the x86-64 code generators")
)]
pub(crate) mod machine;
mod out;
mod strings;
mod struct_value;
mod typed_args;
mod typed_handle;

use array::ArrayArg;
pub use c_struct::CStruct;
pub use element::Element;
pub use end_ptr::EndPtr;
pub use fn_pointer::FnPointer;
pub(crate) use out::fill_out_slots;
pub use out::{AllocatedCStr, Out};
pub use strings::Strings;
pub use struct_value::StructValue;
pub use typed_args::{CArg, CRet, SameArg};
pub use typed_handle::{HandleRefused, HandleType, TypedHandle};

/// One argument given to, or one result returned by, a dynamic call.
///
/// Arguments borrow what they point to for `'a`, so the memory a pointer
/// argument refers to outlives the call; results own what they hold.
/// Conversions into C types are range-checked at the call: `Value::Int(1 << 40)`
/// passed as `c_int` is an error, where ctypes silently passes 0.
///
/// ```
/// use rctypes::{RawPtr, Value};
/// let mut out = 0i32;
/// let data = [1.0f64, 2.0];
/// let args: [Value; 4] = [7.into(), "text".into(), (&data[..]).into(), Value::byref(&mut out)];
/// assert_eq!(args[0], Value::Int(7));
/// ```
#[derive(Debug, PartialEq)]
#[non_exhaustive]
// A one-byte tag ahead of the payload, rather than one folded into a
// field's spare values: telling the variants apart (at every argument
// check, every drop) is then one byte compare. The size is the same. The
// variants that own memory come last, so that dropping a `Value` tells
// them from the rest with one bound.
#[repr(u8)]
pub enum Value<'a> {
    /// The result of a `void` function.
    Void,
    /// A `_Bool`.
    Bool(bool),
    /// Any C integer, checked against the declared type's range.
    Int(i128),
    /// A `float` or `double`.
    Float(f64),
    /// A `long double` at full precision.
    LongDouble(LongDouble),
    /// A Rust string for a `char*` or `wchar_t*` parameter: copied into a
    /// NUL-terminated buffer for the call (an interior NUL is an error).
    Str(&'a str),
    /// The null pointer, accepted by a pointer parameter declared
    /// [`nullable`](CType::nullable) (and by ndpointers declared so).
    Null,
    /// An address C handed out (a `void*` or `T*` result). Safe code can
    /// look at it but not pass it back: a raw address enters a call only
    /// through `unsafe` ([`Value::address`]); a handle C gives and takes
    /// back is declared as one ([`CType::handle`]).
    Pointer(RawPtr),
    /// An address someone vouched for with `unsafe`: see [`Value::address`].
    Address(Address),
    /// A [`Handle`] lent to a call, for a parameter of a handle type of the
    /// same name.
    Handle(&'a Handle),
    /// A Rust callback lent to C for the call, for a parameter declared
    /// [`CType::FuncPtr`] of a compatible signature.
    Callback(&'a dyn FnPointer),
    /// An array of strings for a `const char *const *` parameter (`argv`),
    /// lent as pointers ending in NULL: see [`Strings`].
    Strings(Strings<'a>),
    /// An out slot for a `T**` parameter, filled after the call: see
    /// [`Value::out_handle`], [`Value::out_offset`] and [`Value::out_str`].
    Out(Out<'a>),
    /// A C string: passed as is, with no copy; `char*` results arrive here.
    CStr(Cow<'a, CStr>),
    /// A `wchar_t*` result, decoded.
    String(String),
    /// Rust memory lent to C for the call: a slice, a `byref` out-parameter
    /// or a [`StringBuffer`].
    Array(ArrayArg<'a>),
    /// A struct or union by value ([`StructValue`]): owned, or borrowed for
    /// the call. Where a pointer to it is declared `const`, its address is
    /// passed instead (ctypes' automatic `byref`).
    Struct(Cow<'a, StructValue>),
    /// A handle a function declared to return a handle type returned: take
    /// it with [`Value::into_handle`].
    OwnedHandle(Handle),
    /// The elements of a C array of numbers, read whole (an exported
    /// `int table[4]`, read with [`Variable::get`](crate::Variable::get)):
    /// take them with `.to::<Vec<T>>()`. An array of characters reads as a
    /// string instead ([`Value::CStr`]).
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let lib = unsafe { rctypes::Library::open(rctypes_csrc::library("real_apis_strings"))? };
    /// use rctypes::{CType, Value};
    /// // SAFETY: real_apis_strings.c defines `int strings_table[4]`, which
    /// // C code reads only when called, and `const char strings_version[20]`.
    /// let (table, version) = unsafe {
    ///     (
    ///         lib.variable("strings_table", CType::array(CType::Int, 4))?,
    ///         lib.const_variable("strings_version", CType::array(CType::Char, 20))?,
    ///     )
    /// };
    /// table.set(&Value::from(&[5, 6, 7, 8]))?;
    /// assert_eq!(table.get(), Value::Elements([5.into(), 6.into(), 7.into(), 8.into()].into()));
    /// assert_eq!(table.get().to::<Vec<i64>>()?, [5, 6, 7, 8]);
    /// assert_eq!(version.get().to::<String>()?, "rctypes-strings 1.0");
    /// # Ok(()) }
    /// ```
    ///
    /// Shared (an [`Arc`](std::sync::Arc)), so that dropping a `Value` of
    /// another kind stays a few inlined instructions on every call.
    Elements(std::sync::Arc<[Value<'static>]>),
}

/// An address vouched for by `unsafe` code, to pass where a pointer is
/// declared: made only by [`Value::address`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address(NonNull<c_void>);

// SAFETY: an address with no access through it in Rust; the promise made
// for it covers whichever thread passes it.
unsafe impl Send for Address {}
// SAFETY: as above, shared references only read the number.
unsafe impl Sync for Address {}

impl Address {
    /// Wraps an address to pass to C; `None` for null.
    ///
    /// # Safety
    ///
    /// As for [`Value::address`]: every C function it is passed to, or
    /// returned to from a callback, must be able to use it as its declared
    /// type and contract say it does.
    ///
    /// ```
    /// let mut x = 5i32;
    /// // SAFETY: not passed to C here.
    /// let a = unsafe { rctypes::Address::new((&raw mut x).cast()) }.unwrap();
    /// assert_eq!(a.as_ptr(), (&raw mut x).cast());
    /// ```
    pub unsafe fn new(ptr: *mut c_void) -> Option<Address> {
        NonNull::new(ptr).map(Address)
    }

    /// The address as a raw pointer.
    pub fn as_ptr(self) -> *mut c_void {
        self.0.as_ptr()
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({:p})", self.0)
    }
}

/// An opaque handle C handed out: the result of a function declared to
/// return [`CType::handle`]`(name)`, such as `sqlite3*` or `FILE*`.
///
/// Safe code can pass it only where a handle type of the same name is
/// declared, never read through it, and never copy it. A parameter declared
/// [`releases`](CType::releases) (`sqlite3_close`, `fclose`) ends it: the
/// handle is then refused by every later call, so C never sees it again.
///
/// It is `Send` but not `Sync`: one thread at a time uses it, so a call
/// that ends it cannot run while another call still uses it.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Library, Value};
/// let libc = Library::this()?;
/// let file = CType::handle("FILE");
/// // SAFETY: tmpfile returns a new FILE* or NULL; fputs reads a string and
/// // writes to a FILE it is given; fclose ends the FILE.
/// let (tmpfile, fputs, fclose) = unsafe {
///     (
///         libc.function("tmpfile", &[], file.clone())?,
///         libc.function("fputs", &[CType::CharP, file.clone()], CType::Int)?,
///         libc.function("fclose", &[file.clone().releases()], CType::Int)?,
///     )
/// };
/// let f = tmpfile.call(&[])?.into_handle()?;
/// assert!(fputs.call(&["hello".into(), (&f).into()])?.to::<i32>()? >= 0);
/// assert_eq!(fclose.call(&[(&f).into()])?.to::<i32>()?, 0);
/// // Closed: C never sees it again.
/// let err = fclose.call(&[(&f).into()]).unwrap_err();
/// assert!(err.to_string().contains("released"), "{err}");
/// # Ok(()) }
/// ```
pub struct Handle {
    name: std::sync::Arc<str>,
    /// The address, or 0 once a releasing call ended the handle.
    addr: std::cell::Cell<usize>,
}

impl Handle {
    /// The handle type's name.
    pub fn type_name(&self) -> &str {
        &self.name
    }

    /// Whether a call declared to release it has ended it.
    pub fn is_released(&self) -> bool {
        self.addr.get() == 0
    }

    /// The address, for printing or comparing (reading through it is up to
    /// `unsafe` code); 0 once released.
    pub fn addr(&self) -> usize {
        self.addr.get()
    }

    /// The address to pass where `name` is declared, or why not.
    pub(crate) fn pass(&self, name: &str) -> std::result::Result<usize, String> {
        if *self.name != *name {
            return Err(format!("handle {}, of another handle type", self.name));
        }
        match self.addr.get() {
            0 => Err(format!(
                "handle {}, which a call declared to release it has released",
                self.name
            )),
            addr => Ok(addr),
        }
    }

    /// A handle of type `name` for an address Rust lends (user data), which
    /// is not 0.
    pub(crate) fn lent(name: std::sync::Arc<str>, addr: usize) -> Handle {
        Handle {
            name,
            addr: std::cell::Cell::new(addr),
        }
    }

    /// Ends the handle: a call declared to release it has run.
    pub(crate) fn release(&self) {
        self.addr.set(0);
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle({} at {:#x})", self.name, self.addr.get())
    }
}

/// Handles are equal when they are the same address of the same type.
impl PartialEq for Handle {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.addr == other.addr
    }
}

impl<'a> From<&'a Handle> for Value<'a> {
    fn from(h: &'a Handle) -> Self {
        Value::Handle(h)
    }
}

/// An address that came from C, such as the `void*` a function returned.
///
/// It is opaque: safe code can pass it back to C (the handle pattern, where C
/// hands out a pointer and later takes it back) but not read through it.
/// Making one from an arbitrary integer is `unsafe`, since C will trust it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawPtr(NonNull<c_void>);

// SAFETY: RawPtr is an address with no access through it in safe code; which
// thread holds the number does not matter.
unsafe impl Send for RawPtr {}
// SAFETY: as above, shared references only read the number.
unsafe impl Sync for RawPtr {}

impl RawPtr {
    /// Wraps an address; `None` for null.
    ///
    /// # Safety
    ///
    /// The address is handed to C as a valid pointer wherever a signature
    /// accepts one: it must be what those C functions expect (for example a
    /// pointer an earlier call returned and that was not freed since).
    pub unsafe fn new(ptr: *mut c_void) -> Option<RawPtr> {
        NonNull::new(ptr).map(RawPtr)
    }

    /// The address as a raw pointer (reading through it is up to `unsafe` code).
    pub fn as_ptr(self) -> *mut c_void {
        self.0.as_ptr()
    }

    /// The address as an integer, as ctypes' `c_void_p.value`.
    pub fn addr(self) -> usize {
        self.0.as_ptr() as usize
    }
}

impl fmt::Debug for RawPtr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawPtr({:#x})", self.addr())
    }
}

/// Rust scalar types that have a C counterpart: the element types of slices
/// lent to C and the scalar arguments and results of typed calls.
///
/// Sealed: implemented by rctypes for `i8` … `u64`, `isize`, `usize`,
/// `f32`, `f64` and `bool`, and by no other type.
///
/// ```
/// use rctypes::{CType, Scalar};
/// assert_eq!(<f64 as Scalar>::CTYPE, CType::Double);
/// assert_eq!(<u8 as Scalar>::from_value(&200.into())?, 200);
/// # Ok::<(), rctypes::Error>(())
/// ```
///
/// # Safety
///
/// `CTYPE` must have exactly the size, alignment and representation of `Self`.
/// (The trait is sealed; this is what rctypes' implementations keep.)
pub unsafe trait Scalar: Copy + Send + Sync + 'static + crate::sealed::SealedData {
    /// The C type with this representation.
    const CTYPE: CType;
    /// The value as a dynamic [`Value`].
    fn into_value(self) -> Value<'static>;
    /// The value from a dynamic [`Value`], range-checked.
    fn from_value(value: &Value<'_>) -> Result<Self>;
}

/// Rust types with a C type: the element types of slices and pointers lent
/// to C, and the field types of [`c_struct!`](crate::c_struct) structs.
///
/// Implemented for every [`Scalar`], for arrays `[T; N]` of `CData` types
/// (C's `T[N]`), for `Option<RawPtr>` (a `void*` field that may be null), and
/// by [`c_struct!`](crate::c_struct) for the structs it declares. Sealed:
/// that macro is the only way to implement it for another type.
///
/// ```
/// use rctypes::{CData, CType, RawPtr};
/// assert_eq!(<[f32; 3]>::ctype(), CType::array(CType::Float, 3));
/// assert_eq!(<Option<RawPtr>>::ctype(), CType::VoidP);
/// ```
///
/// # Safety
///
/// `ctype()` must have exactly the size, alignment and representation of
/// `Self`, and every value C may store in a `ctype()` must be a valid `Self`
/// (for `_Bool`, 0 and 1). [`c_struct!`](crate::c_struct) keeps this for
/// the structs it declares.
pub unsafe trait CData: Copy + 'static + crate::sealed::SealedData {
    /// The C type with this representation.
    fn ctype() -> CType;
}

// SAFETY: a Scalar's CTYPE is its representation.
unsafe impl<T: Scalar> CData for T {
    #[inline]
    fn ctype() -> CType {
        T::CTYPE
    }
}

impl<T: CData, const N: usize> crate::sealed::SealedData for [T; N] {}

// SAFETY: a Rust array is its elements one after another, as C's.
unsafe impl<T: CData, const N: usize> CData for [T; N] {
    fn ctype() -> CType {
        CType::array(T::ctype(), N)
    }
}

impl crate::sealed::SealedData for Option<RawPtr> {}

// SAFETY: Option<RawPtr> is a nullable pointer (NonNull's niche), and every
// address C stores is a valid RawPtr or None.
unsafe impl CData for Option<RawPtr> {
    fn ctype() -> CType {
        CType::VoidP
    }
}

/// The error of a value that does not convert to the Rust type `expected`:
/// built out of line, so that the conversions that succeed stay a few
/// inlined instructions.
#[cold]
#[inline(never)]
fn not_converted(expected: &str, given: &Value<'_>) -> Error {
    let given = match given {
        Value::Int(i) => format!("int {i}, which does not fit"),
        other => other.describe(),
    };
    Error::Conversion {
        expected: expected.into(),
        given,
    }
}

macro_rules! int_scalar {
    ($($t:ty => $c:ident),* $(,)?) => {$(
        impl crate::sealed::SealedData for $t {}

        // SAFETY: the C type named has the size, alignment and signedness of $t
        // (checked by `CType::kind`, which derives both from the same sizes).
        unsafe impl Scalar for $t {
            const CTYPE: CType = CType::$c;
            fn into_value(self) -> Value<'static> {
                Value::Int(self as i128)
            }
            #[inline]
            fn from_value(value: &Value<'_>) -> Result<Self> {
                match value {
                    Value::Int(i) => match <$t>::try_from(*i) {
                        Ok(n) => Ok(n),
                        Err(_) => Err(not_converted(stringify!($t), value)),
                    },
                    Value::Bool(b) => Ok(*b as $t),
                    other => Err(not_converted(stringify!($t), other)),
                }
            }
        }
        impl From<$t> for Value<'_> {
            #[inline]
            fn from(v: $t) -> Self {
                Value::Int(v as i128)
            }
        }
    )*};
}

int_scalar! {
    i8 => Byte, u8 => UByte, i16 => Short, u16 => UShort, i32 => Int, u32 => UInt,
    i64 => LongLong, u64 => ULongLong, isize => SSizeT, usize => SizeT,
}

macro_rules! float_scalar {
    ($($t:ty => $c:ident),*) => {$(
        impl crate::sealed::SealedData for $t {}

        // SAFETY: c_float is f32 and c_double is f64 on every supported platform.
        unsafe impl Scalar for $t {
            const CTYPE: CType = CType::$c;
            fn into_value(self) -> Value<'static> {
                Value::Float(self as f64)
            }
            #[inline]
            fn from_value(value: &Value<'_>) -> Result<Self> {
                match value {
                    Value::Float(f) => Ok(*f as $t),
                    Value::LongDouble(v) => Ok(v.to_f64() as $t),
                    // An integer converts where the float type holds it exactly
                    // (below 2^100 the round trip cannot saturate).
                    Value::Int(i) if i.unsigned_abs() < 1 << 100 && (*i as $t) as i128 == *i => Ok(*i as $t),
                    other => Err(not_converted(stringify!($t), other)),
                }
            }
        }
        impl From<$t> for Value<'_> {
            #[inline]
            fn from(v: $t) -> Self {
                Value::Float(v as f64)
            }
        }
    )*};
}

float_scalar!(f32 => Float, f64 => Double);

impl crate::sealed::SealedData for bool {}

// SAFETY: Rust's bool has C's _Bool representation (one byte, 0 or 1).
unsafe impl Scalar for bool {
    const CTYPE: CType = CType::Bool;
    fn into_value(self) -> Value<'static> {
        Value::Bool(self)
    }
    fn from_value(value: &Value<'_>) -> Result<Self> {
        match value {
            Value::Bool(b) => Ok(*b),
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            other => Err(Error::Conversion {
                expected: "bool".into(),
                given: other.describe(),
            }),
        }
    }
}

impl From<bool> for Value<'_> {
    #[inline]
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<i128> for Value<'_> {
    #[inline]
    fn from(v: i128) -> Self {
        Value::Int(v)
    }
}

/// A character for a `c_wchar` (or, if it is ASCII, a `c_char`) parameter.
impl From<char> for Value<'_> {
    fn from(v: char) -> Self {
        Value::Int(v as i128)
    }
}

impl From<LongDouble> for Value<'_> {
    fn from(v: LongDouble) -> Self {
        Value::LongDouble(v)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Str(v)
    }
}

impl<'a> From<&'a CStr> for Value<'a> {
    fn from(v: &'a CStr) -> Self {
        Value::CStr(Cow::Borrowed(v))
    }
}

impl From<CString> for Value<'_> {
    fn from(v: CString) -> Self {
        Value::CStr(Cow::Owned(v))
    }
}

impl From<RawPtr> for Value<'_> {
    fn from(v: RawPtr) -> Self {
        Value::Pointer(v)
    }
}

/// `None` becomes the null pointer.
impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl Value<'static> {
    /// A raw address to pass where a pointer is declared, vouched for by the
    /// caller: ctypes' `c_void_p(addr)`. Null becomes [`Value::Null`].
    ///
    /// # Safety
    ///
    /// Every C function this value is passed to must be able to use `ptr`
    /// as its declared parameter type and contract say it does, for the
    /// whole call and, where C keeps the pointer, for as long as it does:
    /// valid for the reads and writes C makes through it (of a function of
    /// the declared signature, for a function pointer), not freed twice, not
    /// read-only where C writes.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Extent, Library, Value};
    /// let libc = Library::this()?;
    /// let n = CType::SizeT;
    /// // SAFETY: malloc returns n bytes or NULL; memset writes n bytes; free
    /// // frees what malloc returned.
    /// let (malloc, memset, free) = unsafe {
    ///     (
    ///         libc.function("malloc", &[n.clone()], CType::VoidP)?,
    ///         libc.function("memset", &[CType::VoidP.extent(Extent::BytesFromArg(3)), CType::Int, n], CType::VoidP)?,
    ///         libc.function("free", &[CType::VoidP.nullable()], CType::Void)?,
    ///     )
    /// };
    /// let Value::Pointer(block) = malloc.call(&[16.into()])? else { panic!("out of memory") };
    /// // Refused in safe code: a raw address could have been freed already.
    /// assert!(free.call(&[Value::Pointer(block)]).is_err());
    /// let block = block.as_ptr();
    /// // SAFETY: `block` is malloc's 16 bytes, not yet freed.
    /// memset.call(&[unsafe { Value::address(block) }, 0.into(), 16.into()])?;
    /// // SAFETY: as above; freed once, here.
    /// free.call(&[unsafe { Value::address(block) }])?;
    /// # Ok(()) }
    /// ```
    pub unsafe fn address(ptr: *mut c_void) -> Value<'static> {
        NonNull::new(ptr).map_or(Value::Null, |p| Value::Address(Address(p)))
    }
}

impl<'a> Value<'a> {
    /// The handle a function declared to return a handle type returned.
    ///
    /// ```
    /// use rctypes::Value;
    /// assert!(Value::Int(3).into_handle().is_err());
    /// ```
    pub fn into_handle(self) -> Result<Handle> {
        match self {
            Value::OwnedHandle(h) => Ok(h),
            Value::Null => Err(Error::Conversion {
                expected: "a handle".into(),
                given: "null: C returned no handle".into(),
            }),
            other => Err(Error::Conversion {
                expected: "a handle".into(),
                given: other.describe(),
            }),
        }
    }

    /// ctypes' `byref(x)`: lends `x` to C as a `T*` out-parameter.
    pub fn byref<T: Element>(x: &'a mut T) -> Value<'a> {
        Value::Array(ArrayArg::byref(x))
    }

    /// Converts to a Rust type, range-checked: `Value::Int(300).to::<u8>()` is
    /// an error.
    ///
    /// ```
    /// use rctypes::Value;
    /// assert_eq!(Value::Int(300).to::<i16>().unwrap(), 300);
    /// assert!(Value::Int(300).to::<u8>().is_err());
    /// ```
    #[inline]
    pub fn to<T: FromValue>(&self) -> Result<T> {
        T::from_value(self)
    }

    /// Whether this is the null pointer.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A short description for error messages: kind and value.
    pub fn describe(&self) -> String {
        match self {
            Value::Void => "void".into(),
            Value::Bool(b) => format!("bool {b}"),
            Value::Int(i) => format!("int {i}"),
            Value::Float(f) => format!("float {f:?}"),
            Value::LongDouble(v) => format!("long double {v}"),
            Value::Str(s) => format!("str {s:?}"),
            Value::CStr(s) => format!("C string {s:?}"),
            Value::String(s) => format!("string {s:?}"),
            Value::Null => "null".into(),
            Value::Pointer(p) => format!("pointer {:#x}", p.addr()),
            Value::Address(a) => format!("address {:p}", a.0),
            Value::Handle(h) => format!("handle {}", h.name),
            Value::OwnedHandle(h) => format!("handle {}", h.name),
            Value::Array(a) => a.describe(),
            Value::Struct(s) => format!("{} value", s.layout().title()),
            Value::Callback(c) => format!("callback {}", c.signature()),
            Value::Strings(s) => s.describe(),
            Value::Elements(items) => format!("{} elements", items.len()),
            Value::Out(o) => o.describe(),
        }
    }
}

/// Rust types a [`Value`] converts to with [`Value::to`].
pub trait FromValue: Sized {
    /// The conversion, range-checked.
    fn from_value(value: &Value<'_>) -> Result<Self>;
}

impl<T: Scalar> FromValue for T {
    #[inline]
    fn from_value(value: &Value<'_>) -> Result<Self> {
        T::from_value(value)
    }
}

impl FromValue for LongDouble {
    fn from_value(value: &Value<'_>) -> Result<Self> {
        match value {
            Value::LongDouble(v) => Ok(*v),
            Value::Float(f) => Ok(LongDouble::from(*f)),
            other => Err(Error::Conversion {
                expected: "long double".into(),
                given: other.describe(),
            }),
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value<'_>) -> Result<Self> {
        match value {
            Value::CStr(s) => s
                .to_str()
                .map(str::to_owned)
                .map_err(|_| Error::Conversion {
                    expected: "UTF-8 string".into(),
                    given: value.describe(),
                }),
            Value::String(s) => Ok(s.clone()),
            Value::Str(s) => Ok((*s).to_owned()),
            other => Err(Error::Conversion {
                expected: "string".into(),
                given: other.describe(),
            }),
        }
    }
}

impl FromValue for CString {
    fn from_value(value: &Value<'_>) -> Result<Self> {
        match value {
            Value::CStr(s) => Ok(s.clone().into_owned()),
            other => Err(Error::Conversion {
                expected: "C string".into(),
                given: other.describe(),
            }),
        }
    }
}

impl FromValue for RawPtr {
    fn from_value(value: &Value<'_>) -> Result<Self> {
        match value {
            Value::Pointer(p) => Ok(*p),
            other => Err(Error::Conversion {
                expected: "pointer".into(),
                given: other.describe(),
            }),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value<'_>) -> Result<Self> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// The elements of an array read whole ([`Value::Elements`]), each converted.
impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: &Value<'_>) -> Result<Self> {
        match value {
            Value::Elements(items) => items.iter().map(T::from_value).collect(),
            other => Err(Error::Conversion {
                expected: "array elements".into(),
                given: other.describe(),
            }),
        }
    }
}

impl FromValue for StructValue {
    fn from_value(value: &Value<'_>) -> Result<Self> {
        match value {
            Value::Struct(s) => Ok(s.clone().into_owned()),
            other => Err(Error::Conversion {
                expected: "a struct".into(),
                given: other.describe(),
            }),
        }
    }
}

/// An owned struct, passed by value.
impl From<StructValue> for Value<'_> {
    fn from(v: StructValue) -> Self {
        Value::Struct(Cow::Owned(v))
    }
}

/// A borrowed struct: passed by value, or by address to a `const` pointer.
impl<'a> From<&'a StructValue> for Value<'a> {
    fn from(v: &'a StructValue) -> Self {
        Value::Struct(Cow::Borrowed(v))
    }
}

/// A struct lent to C to write: by address, for a `POINTER(struct)`.
impl<'a> From<&'a mut StructValue> for Value<'a> {
    fn from(v: &'a mut StructValue) -> Self {
        Value::Array(ArrayArg::one_struct(v))
    }
}

/// ctypes' `create_string_buffer`: an owned, mutable, NUL-terminated byte
/// buffer for C to write a string into.
///
/// It always keeps one NUL byte past its [`capacity`](Self::capacity), so C
/// reading it as a string never runs off its end.
///
/// ```
/// use rctypes::StringBuffer;
/// let buf = StringBuffer::from("hi");
/// assert_eq!(buf.capacity(), 3);
/// assert_eq!(buf.to_str().unwrap(), "hi");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringBuffer {
    bytes: Vec<u8>,
}

impl StringBuffer {
    /// A zeroed buffer C may fill with up to `capacity` bytes.
    ///
    /// # Panics
    ///
    /// If `capacity` bytes and the NUL after them cannot be allocated, as
    /// `Vec` panics: `usize::MAX` included, which has no room for the NUL.
    ///
    /// ```should_panic
    /// rctypes::StringBuffer::new(usize::MAX);
    /// ```
    pub fn new(capacity: usize) -> StringBuffer {
        // Checked even in release builds: a wrapped length would be an empty
        // buffer claiming `usize::MAX` bytes of room.
        let len = capacity
            .checked_add(1)
            .expect("capacity overflow: no room for the NUL");
        StringBuffer {
            bytes: vec![0; len],
        }
    }

    /// The number of bytes C may write.
    pub fn capacity(&self) -> usize {
        self.bytes.len() - 1
    }

    /// The bytes up to the first NUL.
    pub fn as_bytes(&self) -> &[u8] {
        let end = self
            .bytes
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.capacity());
        &self.bytes[..end]
    }

    /// All `capacity` bytes, as ctypes' `.raw`.
    pub fn raw(&self) -> &[u8] {
        &self.bytes[..self.capacity()]
    }

    /// The string up to the first NUL, if it is UTF-8.
    pub fn to_str(&self) -> std::result::Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(self.as_bytes())
    }

    fn arg(&self, writable: bool) -> ArrayArg<'_> {
        ArrayArg::string_buffer(self.bytes.as_ptr(), self.capacity(), writable)
    }
}

/// A buffer holding `s` and its terminating NUL, as `create_string_buffer(b"...")`.
impl From<&str> for StringBuffer {
    fn from(s: &str) -> Self {
        let mut bytes = s.as_bytes().to_vec();
        bytes.push(0);
        bytes.push(0);
        StringBuffer { bytes }
    }
}

impl<'a> From<&'a mut StringBuffer> for Value<'a> {
    fn from(v: &'a mut StringBuffer) -> Self {
        let arg = v.arg(true);
        Value::Array(arg)
    }
}

impl<'a> From<&'a StringBuffer> for Value<'a> {
    fn from(v: &'a StringBuffer) -> Self {
        Value::Array(v.arg(false))
    }
}

/// Storage for one staged argument or result: large and aligned enough for
/// every scalar C type, `long double` included.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
pub(crate) struct Slot(pub [u8; 16]);

impl Slot {
    pub(crate) const ZERO: Slot = Slot([0; 16]);

    pub(crate) fn as_mut_ptr(&mut self) -> *mut c_void {
        self.0.as_mut_ptr() as *mut c_void
    }
}

/// Bytes a call's frame lends for the copies of its short strings: a
/// `&str` argument that fits is copied here, with its NUL, not to the heap.
pub(crate) struct Room([MaybeUninit<u8>; ROOM]);

/// The bytes in a [`Room`]: a few short strings, or one path-sized one.
const ROOM: usize = 256;

impl Room {
    pub(crate) fn new() -> Room {
        Room([MaybeUninit::uninit(); ROOM])
    }
}

/// Copies of strings in the [`Room`] a call lends (borrowed, so it stays
/// in place until the call is over), while they fit.
pub(crate) struct InRoom<'r> {
    room: &'r mut [MaybeUninit<u8>],
    /// The bytes of `room` in use: C strings one after the other, each
    /// ending at its only NUL.
    used: usize,
}

impl<'r> InRoom<'r> {
    pub(crate) fn new(room: &'r mut Room) -> Self {
        InRoom {
            room: &mut room.0,
            used: 0,
        }
    }

    /// `s` as a C string for the call, as [`Keep::c_string`] gives it,
    /// where it fits the room with its NUL (else `None`).
    #[inline(always)]
    pub(crate) fn c_string(
        &mut self,
        s: &str,
    ) -> Option<std::result::Result<*const c_void, usize>> {
        let bytes = s.as_bytes();
        let free = self.room.len() - self.used;
        if bytes.len() >= free {
            return None;
        }
        let to = self.room[self.used..].as_mut_ptr() as *mut u8;
        // SAFETY: `to` has room for the bytes and a NUL.
        Some(match unsafe { copy_until_nul(bytes, to) } {
            None => {
                // SAFETY: as above.
                unsafe { to.add(bytes.len()).write(0) };
                self.used += bytes.len() + 1;
                Ok(to as *const c_void)
            }
            Some(at) if at + 1 == bytes.len() => Ok(bytes.as_ptr() as *const c_void),
            Some(at) => Err(at),
        })
    }
}

/// Copies made for one call (strings given as `&str`, the pointer arrays
/// of [`Strings`]): short strings in the [`Room`] the call lends, the rest
/// on the heap. With no copies, or only short strings, a call allocates
/// nothing.
pub(crate) struct Keep<'r> {
    in_room: InRoom<'r>,
    on_heap: Vec<Held>,
}

/// A copy on the heap: a C string's bytes, or an array of addresses
/// (aligned as pointers).
enum Held {
    Bytes(Vec<u8>),
    Pointers(#[expect(dead_code, reason = "kept alive for C, never read")] Vec<usize>),
}

impl Default for Keep<'_> {
    /// Copies on the heap only, for the callers that make few calls.
    fn default() -> Self {
        Keep {
            in_room: InRoom {
                room: &mut [],
                used: 0,
            },
            on_heap: Vec::new(),
        }
    }
}

impl<'r> Keep<'r> {
    /// Copies that fit go into `room`.
    pub(crate) fn in_room(room: &'r mut Room) -> Self {
        Keep {
            in_room: InRoom::new(room),
            on_heap: Vec::new(),
        }
    }

    /// The copies of strings (start, length with the NUL), for out slots
    /// that point into them.
    fn held(&self) -> Vec<(usize, usize)> {
        let mut ranges = Vec::new();
        let InRoom { room, used } = &self.in_room;
        let (mut start, base) = (0, room.as_ptr() as usize);
        for (i, byte) in room[..*used].iter().enumerate() {
            // SAFETY: the bytes below `used` were written by `c_string`.
            if unsafe { byte.assume_init() } == 0 {
                ranges.push((base + start, i + 1 - start));
                start = i + 1;
            }
        }
        for held in &self.on_heap {
            if let Held::Bytes(b) = held {
                ranges.push((b.as_ptr() as usize, b.len()));
            }
        }
        ranges
    }

    /// `s` as a C string for the call: lent as it stands where it already
    /// ends with its only NUL, else copied with a NUL after it (into the
    /// room while it fits). `Err` gives the position of a NUL inside it.
    #[inline]
    pub(crate) fn c_string(&mut self, s: &str) -> std::result::Result<*const c_void, usize> {
        if let Some(copied) = self.in_room.c_string(s) {
            return copied;
        }
        let bytes = s.as_bytes();
        match nul_position(bytes) {
            None => {}
            Some(at) if at + 1 == bytes.len() => return Ok(bytes.as_ptr() as *const c_void),
            Some(at) => return Err(at),
        }
        let mut copy = Vec::with_capacity(bytes.len() + 1);
        copy.extend_from_slice(bytes);
        copy.push(0);
        Ok(self.hold(copy))
    }

    fn hold(&mut self, bytes: Vec<u8>) -> *const c_void {
        let ptr = bytes.as_ptr() as *const c_void;
        self.on_heap.push(Held::Bytes(bytes)); // the heap buffer does not move with the Vec
        ptr
    }

    /// Keeps an array of addresses (aligned as pointers) for the call.
    fn hold_pointers(&mut self, addrs: Vec<usize>) -> *const c_void {
        let ptr = addrs.as_ptr() as *const c_void;
        self.on_heap.push(Held::Pointers(addrs));
        ptr
    }
}

/// Not zero when `word` has a zero byte (and only then).
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(0x0101_0101_0101_0101) & !word & 0x8080_8080_8080_8080
}

/// Copies `bytes` to `to`, eight at a time, and says where the first NUL
/// among them is, if any (the bytes from there on are then not all
/// copied).
///
/// # Safety
///
/// `to` must be valid for writes of `bytes.len()` bytes.
#[inline]
unsafe fn copy_until_nul(bytes: &[u8], to: *mut u8) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let word = u64::from_ne_bytes(chunk.try_into().expect("eight bytes"));
        // A zero byte sets a flag; the flags also catch some bytes next to
        // one, so the chunk's bytes say which it is.
        if zero_bytes(word) != 0
            && let Some(i) = first_nul(chunk)
        {
            return Some(at + i);
        }
        // SAFETY: `at + 8 <= bytes.len()`, within what the caller lent.
        unsafe { to.add(at).cast::<u64>().write_unaligned(word) };
        at += 8;
    }
    // The last bytes, as the eight that end the string where there are
    // that many: those before `at` hold no NUL, and are written again as
    // they were.
    if at < bytes.len() && bytes.len() >= 8 {
        let last = bytes.len() - 8;
        let tail = &bytes[last..];
        let word = u64::from_ne_bytes(tail.try_into().expect("eight bytes"));
        if zero_bytes(word) != 0
            && let Some(i) = first_nul(tail)
        {
            return Some(last + i);
        }
        // SAFETY: `last + 8 == bytes.len()`, within what the caller lent.
        unsafe { to.add(last).cast::<u64>().write_unaligned(word) };
        return None;
    }
    for &b in chunks.remainder() {
        if b == 0 {
            return Some(at);
        }
        // SAFETY: as above.
        unsafe { to.add(at).write(b) };
        at += 1;
    }
    None
}

/// Where the first NUL byte of a word's `bytes` is, if it has one: out of
/// line, as a word rarely holds one.
#[cold]
#[inline(never)]
fn first_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// Where the first NUL byte of `bytes` is, if it has one.
fn nul_position(bytes: &[u8]) -> Option<usize> {
    CStr::from_bytes_until_nul(bytes)
        .ok()
        .map(|c| c.to_bytes().len())
}

fn mismatch(ty: &CType, value: &Value<'_>) -> Mismatch {
    Mismatch {
        expected: ty.to_string(),
        given: value.describe(),
    }
}

/// Writes `value` into `slot` as a `ty`, or says why it cannot.
pub(crate) fn encode(
    value: &Value<'_>,
    ty: &CType,
    slot: &mut Slot,
    keep: &mut Keep,
) -> std::result::Result<(), Mismatch> {
    let kind = ty.kind();
    if kind == Kind::LongDouble {
        slot.0 = encode_long_double(value, ty)?.to_bytes();
        return Ok(());
    }
    let word = encode_word(value, ty, kind, keep)?;
    // SAFETY: the slot is 16 aligned bytes, room for any word.
    unsafe { store_word(slot.0.as_mut_ptr(), word, kind) };
    Ok(())
}

/// The address of a struct argument's bytes, which libffi copies by value,
/// after checking the value has the declared layout: a [`Value::Struct`], or
/// one struct lent by reference.
pub(crate) fn encode_aggregate(
    value: &Value<'_>,
    ty: &CType,
) -> std::result::Result<*mut c_void, Mismatch> {
    let fits = |l: &std::sync::Arc<crate::StructLayout>| match ty {
        CType::Struct(d) => std::sync::Arc::ptr_eq(d, l) || d.is_compatible(l),
        _ => false,
    };
    match value {
        Value::Struct(s) if s.holds_rust_addresses() => Err(rust_addresses(ty, value)),
        Value::Struct(s) if fits(s.layout()) => Ok(s.as_ptr() as *mut c_void),
        Value::Array(a)
            if a.len == 1 && a.types.elem().and_then(CType::layout).is_some_and(fits) =>
        {
            Ok(a.ptr)
        }
        Value::Struct(_) | Value::Array(_) => Err(Mismatch {
            expected: ty.to_string(),
            given: format!("{}, whose layout differs", value.describe()),
        }),
        _ => Err(mismatch(ty, value)),
    }
}

/// `value` converted to a `long double`.
pub(crate) fn encode_long_double(
    value: &Value<'_>,
    ty: &CType,
) -> std::result::Result<LongDouble, Mismatch> {
    match value {
        Value::LongDouble(v) => Ok(*v),
        Value::Float(f) => Ok(LongDouble::from(*f)),
        Value::Int(i) if i64::try_from(*i).is_ok() => Ok(LongDouble::from(*i as i64)),
        Value::Int(i) if u64::try_from(*i).is_ok() => Ok(LongDouble::from(*i as u64)),
        _ => Err(mismatch(ty, value)),
    }
}

/// `value` as the 64-bit register image of a `ty` of machine class `kind`
/// (every class but `long double`): integers sign- or zero-extended, a
/// `float`'s bits in the low half, a `double`'s bits, an address.
#[inline(always)]
pub(crate) fn encode_word(
    value: &Value<'_>,
    ty: &CType,
    kind: Kind,
    keep: &mut Keep,
) -> std::result::Result<u64, Mismatch> {
    // The commonest cases inline at the call site; the rest out of line.
    match (kind, value) {
        (Kind::I32, Value::Int(i)) if Kind::I32.holds(*i) => Ok(*i as i64 as u64),
        (Kind::F64, Value::Float(f)) => Ok(f.to_bits()),
        (Kind::I64, Value::Int(i)) if Kind::I64.holds(*i) => Ok(*i as i64 as u64),
        _ => encode_word_general(value, ty, kind, keep),
    }
}

#[inline(never)]
fn encode_word_general(
    value: &Value<'_>,
    ty: &CType,
    kind: Kind,
    keep: &mut Keep,
) -> std::result::Result<u64, Mismatch> {
    match (kind, value) {
        (Kind::F32 | Kind::F64, _) => {
            let f = match value {
                Value::Float(f) => *f,
                // An integer converts only if the float type holds it exactly.
                Value::Int(i) if kind.holds_exactly(*i) => *i as f64,
                Value::Int(i) => {
                    return Err(Mismatch {
                        expected: ty.to_string(),
                        given: format!("int {i}, which {ty} cannot hold exactly"),
                    });
                }
                _ => return Err(mismatch(ty, value)),
            };
            if kind == Kind::F64 {
                return Ok(f.to_bits());
            }
            if f.is_finite() && f.abs() > kind.rule().max {
                return Err(Mismatch {
                    expected: ty.to_string(),
                    given: format!("float {f:?}, which is out of {ty}'s range"),
                });
            }
            Ok((f as f32).to_bits() as u64)
        }
        (Kind::Ptr, _) => Ok(encode_pointer(value, ty, keep)? as usize as u64),
        (Kind::Void | Kind::LongDouble | Kind::Aggregate, _) => Err(mismatch(ty, value)),
        _ => {
            let i = match value {
                Value::Int(i) => *i,
                Value::Bool(b) => *b as i128,
                _ => return Err(mismatch(ty, value)),
            };
            let (lo, hi) = kind.int_range().unwrap_or((0, 0));
            if i < lo || i > hi {
                return Err(Mismatch {
                    expected: format!("{ty} (from {lo} to {hi})"),
                    given: format!("int {i}, which does not fit"),
                });
            }
            // In range: the two's-complement image is the value at any width.
            Ok(i as i64 as u64)
        }
    }
}

/// Stores a register image at `dst` as a value of class `kind` (its `size`
/// bytes in native order).
///
/// # Safety
///
/// `dst` must be valid for writing 8 bytes and aligned for a `u64`.
#[inline]
pub(crate) unsafe fn store_word(dst: *mut u8, word: u64, kind: Kind) {
    // SAFETY: the caller guarantees 8 writable, aligned bytes.
    unsafe {
        if cfg!(target_endian = "little") {
            // The low bytes come first: the value at its own width.
            (dst as *mut u64).write(word);
        } else {
            match kind.rule().width {
                1 => dst.write(word as u8),
                2 => (dst as *mut u16).write(word as u16),
                4 => (dst as *mut u32).write(word as u32),
                _ => (dst as *mut u64).write(word),
            }
        }
    }
}

/// The address a pointer argument passes, after checking the value may go
/// there: read-only memory never goes where C writes, a handle only where
/// its own type is declared, a raw address only once vouched for. NULL
/// passes here; whether the parameter takes it is the call's check.
fn encode_pointer(
    value: &Value<'_>,
    ty: &CType,
    keep: &mut Keep,
) -> std::result::Result<*const c_void, Mismatch> {
    let declared = ty;
    let ty = ty.bare();
    let is_char_ptr = |t: &CType| match t {
        CType::CharP => true,
        CType::ConstPointer(p) => matches!(**p, CType::Char | CType::Byte | CType::UByte),
        _ => false,
    };
    if let CType::NdPointer(p) = ty {
        return crate::value::array::pass_alone(p, value);
    }
    match value {
        Value::Null => Ok(std::ptr::null()),
        Value::Address(a) => Ok(a.0.as_ptr()),
        Value::Pointer(_) => Err(Mismatch {
            expected: ty.to_string(),
            given: format!(
                "{}, an address C returned, which may since have been freed: \
                 pass it with unsafe {{ Value::address(..) }}, or declare the type CType::handle(..)",
                value.describe()
            ),
        }),
        Value::Handle(h) => pass_handle(h, ty),
        Value::OwnedHandle(h) => pass_handle(h, ty),
        Value::Str(s) if is_char_ptr(ty) => keep.c_string(s).map_err(|at| Mismatch {
            expected: ty.to_string(),
            given: format!("str {s:?}, which has a NUL byte at {at}"),
        }),
        Value::Str(s) if *ty == CType::WCharP => Ok(keep.hold(wide_bytes(s))),
        Value::CStr(s) if is_char_ptr(ty) => Ok(s.as_ptr() as *const c_void),
        Value::Struct(s) if s.holds_rust_addresses() => Err(rust_addresses(ty, value)),
        Value::Struct(s) => match ty {
            CType::ConstPointer(p) if **p == CType::Void || s.ctype().is_compatible(p) => {
                Ok(s.as_ptr() as *const c_void)
            }
            CType::VoidP | CType::Pointer(_) => Err(Mismatch {
                expected: format!("{ty} (C writes: lend a mutable borrow)"),
                given: format!("{}, which is read-only", value.describe()),
            }),
            _ => Err(mismatch(ty, value)),
        },
        Value::Callback(c) => match ty {
            CType::FuncPtr(sig) if c.is_plain_c() && c.signature().is_compatible(sig) => {
                Ok(c.code_ptr())
            }
            CType::FuncPtr(_) => Err(mismatch(ty, value)),
            _ => Err(Mismatch {
                expected: ty.to_string(),
                given: format!(
                    "{}, which goes only where a function pointer (CType::FuncPtr) is declared",
                    value.describe()
                ),
            }),
        },
        Value::Strings(s) => s.pass(declared, keep),
        Value::Array(a) if is_read_only_string(declared) && a.string_bytes().is_some() => {
            Ok(pass_bytes_as_string(a, keep))
        }
        Value::Array(a) => a.pointer_for(ty),
        Value::Out(o) => o.pointer_for(ty),
        _ => Err(mismatch(ty, value)),
    }
}

/// Checks a pointer argument against its parameter's contract: NULL only
/// where declared nullable, the memory lent covering the declared extent
/// (and, for row pointers, each row covering the rows' own extent), a
/// callback C keeps living for good. `args` are the call's arguments, for
/// extents read from another argument.
pub(crate) fn check_contract(
    value: &Value<'_>,
    ty: &CType,
    args: &[Value<'_>],
) -> std::result::Result<(), Mismatch> {
    let terms = Terms::of(ty);
    let refuse = |given: String| Mismatch {
        expected: ty.to_string(),
        given,
    };
    let count = |j: usize| -> std::result::Result<usize, String> {
        match args.get(j.wrapping_sub(1)) {
            Some(Value::Int(n)) => usize::try_from(*n)
                .map_err(|_| format!("where argument {j}, the count, is {n}, below 0")),
            Some(Value::Bool(b)) => Ok(usize::from(*b)),
            _ => Err(format!("where argument {j}, the count, is no integer")),
        }
    };
    let covered = match value {
        Value::Null if terms.nullable => return Ok(()),
        Value::Null => {
            return Err(refuse(
                "null, where C dereferences (declare the parameter .nullable() if C takes NULL)"
                    .into(),
            ));
        }
        Value::Callback(c) if terms.retained && !c.is_kept_forever() => {
            return Err(refuse(format!(
                "{}, which C keeps past the call but is dropped with its owner \
                 (pass Callback::leak()'s, which lives for good)",
                value.describe()
            )));
        }
        // Opaque to Rust, or vouched for by the caller; an out slot is one
        // pointer C writes, checked as one.
        Value::Callback(_)
        | Value::Handle(_)
        | Value::OwnedHandle(_)
        | Value::Address(_)
        | Value::Out(_) => {
            return Ok(());
        }
        Value::Str(s) if *terms.pointer == CType::WCharP => {
            Covered::terminated(wide_bytes(s).len())
        }
        Value::Str(s) => Covered::terminated(s.len() + 1),
        Value::CStr(s) => Covered::terminated(s.to_bytes_with_nul().len()),
        Value::Strings(s) => Covered::terminated(s.lent_bytes()),
        Value::Struct(s) => Covered {
            bytes: s.layout().size(),
            terminated: false,
        },
        // Bytes with no NUL go as a terminated copy (see `pass_bytes_as_string`).
        Value::Array(a) if is_read_only_string(ty) && a.string_bytes().is_some() => {
            return Ok(());
        }
        Value::Array(a) => return check_array(a, &terms, count).map_err(refuse),
        // The value was checked as a pointer already; nothing else is one.
        _ => return Ok(()),
    };
    terms
        .check(&covered, count)
        .map_err(|why| refuse(format!("{}, {why}", value.describe())))
}

/// Checks an array lent to a plain pointer against the pointer's `terms`:
/// no addresses Rust code wrote, the memory covering the extent, and for
/// row pointers each row covering the rows' own; `count(j)` reads argument
/// `j`, an extent's count. The error is what was given, and why it is
/// refused.
#[inline]
fn check_array(
    a: &ArrayArg<'_>,
    terms: &Terms<'_>,
    count: impl Fn(usize) -> std::result::Result<usize, String>,
) -> std::result::Result<(), String> {
    if a.holds_rust_addresses() {
        return Err(format!(
            "{}, which holds addresses Rust code wrote: C would read through them",
            a.describe()
        ));
    }
    let covered = Covered {
        bytes: a.lent_bytes(),
        terminated: terms.extent == Extent::NulTerminated && a.has_terminator(),
    };
    terms
        .check(&covered, &count)
        .map_err(|why| format!("{}, {why}", a.describe()))?;
    // Row pointers: each row must cover what C reads of one.
    if let Some(inner) = terms.pointer.pointee()
        && let Some(row) = a.elem().filter(|e| e.is_pointer())
    {
        let row_terms = Terms::of(row);
        let covered = match row_terms.extent {
            Extent::Elements(n) => row_terms.elem_size().and_then(|s| s.checked_mul(n)),
            _ => None,
        };
        Terms::of(inner)
            .check(
                &Covered {
                    bytes: covered.unwrap_or(0),
                    terminated: false,
                },
                &count,
            )
            .map_err(|why| format!("{}, each row {why}", a.describe()))?;
    }
    Ok(())
}

impl Terms<'_> {
    /// Whether `covered` is what C touches, or why not (after the value's
    /// description); `count(j)` reads argument `j`, an extent's count.
    fn check(
        &self,
        covered: &Covered,
        count: impl Fn(usize) -> std::result::Result<usize, String>,
    ) -> std::result::Result<(), String> {
        let touches = match self.extent.touches(self.elem_size(), count) {
            Ok(touches) => touches,
            Err(Some(why)) => return Err(why),
            Err(None) => {
                return Err(
                    "for a pointer to a type with no size: declare its extent in bytes \
                     (.extent(Extent::Bytes(n)) or Extent::BytesFromArg(i))"
                        .into(),
                );
            }
        };
        if touches.within(covered.bytes, covered.terminated) {
            return Ok(());
        }
        Err(match touches {
            Touches::One(_) => format!(
                "{} bytes, where C touches one element: declare how many it touches \
                 (.extent(Extent::ElementsFromArg(i)), Extent::Elements(n), ...)",
                covered.bytes
            ),
            Touches::UpToZero => "which holds no terminating zero for C to stop at".into(),
            Touches::Bytes(Some(need)) => {
                format!("{} bytes, where C touches {need} bytes", covered.bytes)
            }
            Touches::Bytes(None) => "where C touches more bytes than can be addressed".into(),
        })
    }
}

/// How much memory a value lends C, and whether a zero element ends it.
struct Covered {
    bytes: usize,
    terminated: bool,
}

impl Covered {
    fn terminated(bytes: usize) -> Covered {
        Covered {
            bytes,
            terminated: true,
        }
    }
}

/// A struct whose pointer fields safe Rust code set (a `c_struct!` value):
/// C would read through addresses no one vouched for.
fn rust_addresses(ty: &CType, value: &Value<'_>) -> Mismatch {
    Mismatch {
        expected: ty.to_string(),
        given: format!(
            "{}, whose pointer fields Rust code set: set them on a StructValue, \
             with addresses vouched for by unsafe {{ Value::address(..) }}",
            value.describe()
        ),
    }
}

/// The address of bytes C reads as a string up to their first NUL, as
/// ctypes passes `bytes` to `c_char_p`: the bytes themselves when a NUL ends
/// them within the borrow (C stops there), else a copy with a NUL added, so
/// C never reads past the memory lent.
fn pass_bytes_as_string(a: &ArrayArg<'_>, keep: &mut Keep) -> *const c_void {
    match a.string_bytes() {
        Some(bytes) if !bytes.contains(&0) => {
            let mut copy = Vec::with_capacity(bytes.len() + 1);
            copy.extend_from_slice(bytes);
            copy.push(0);
            keep.hold(copy)
        }
        _ => a.ptr,
    }
}

fn pass_handle(h: &Handle, ty: &CType) -> std::result::Result<*const c_void, Mismatch> {
    let passed = match ty {
        CType::Handle(name) => h.pass(name),
        _ => Err(format!(
            "handle {}, which goes only where its handle type is declared",
            h.name
        )),
    };
    passed
        .map(|addr| addr as *const c_void)
        .map_err(|given| Mismatch {
            expected: ty.to_string(),
            given,
        })
}

/// `s` as a NUL-terminated `wchar_t` string, in native byte order.
fn wide_bytes(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity((s.len() + 1) * 4);
    if cfg!(windows) {
        for unit in s.encode_utf16().chain([0]) {
            out.extend_from_slice(&unit.to_ne_bytes());
        }
    } else {
        for ch in s.chars().map(|c| c as u32).chain([0]) {
            out.extend_from_slice(&ch.to_ne_bytes());
        }
    }
    out
}

/// Reads a value of type `ty` from `ptr`.
///
/// # Safety
///
/// `ptr` must point to a readable, initialised value of `ty`, and for string
/// types the address it holds must be null or a NUL-terminated string.
pub(crate) unsafe fn decode(ptr: *const u8, ty: &CType) -> Value<'static> {
    // SAFETY: forwarded to the caller.
    unsafe { decode_kind(ptr, ty, ty.kind()) }
}

/// [`decode`] with the type's machine class already known.
///
/// # Safety
///
/// As for [`decode`], and `kind` must be `ty.kind()`.
#[inline]
pub(crate) unsafe fn decode_kind(ptr: *const u8, ty: &CType, kind: Kind) -> Value<'static> {
    // SAFETY (every read below): the caller guarantees ptr holds a `ty`.
    unsafe {
        match kind {
            Kind::Void => Value::Void,
            Kind::Bool => Value::Bool(ptr.read() != 0),
            Kind::I8 => Value::Int((ptr as *const i8).read() as i128),
            Kind::U8 => Value::Int(ptr.read() as i128),
            Kind::I16 => Value::Int((ptr as *const i16).read_unaligned() as i128),
            Kind::U16 => Value::Int((ptr as *const u16).read_unaligned() as i128),
            Kind::I32 => Value::Int((ptr as *const i32).read_unaligned() as i128),
            Kind::U32 => Value::Int((ptr as *const u32).read_unaligned() as i128),
            Kind::I64 => Value::Int((ptr as *const i64).read_unaligned() as i128),
            Kind::U64 => Value::Int((ptr as *const u64).read_unaligned() as i128),
            Kind::F32 => Value::Float((ptr as *const f32).read_unaligned() as f64),
            Kind::F64 => Value::Float((ptr as *const f64).read_unaligned()),
            Kind::LongDouble => {
                let mut bytes = [0u8; 16];
                std::ptr::copy_nonoverlapping(ptr, bytes.as_mut_ptr(), LongDouble::SIZE);
                Value::LongDouble(LongDouble::from_bytes(bytes))
            }
            Kind::Aggregate => match ty {
                CType::Struct(l) => Value::Struct(Cow::Owned(StructValue::copy_from(l, ptr))),
                // Arrays are never results, and fields read them element-wise.
                _ => Value::Void,
            },
            Kind::Ptr => {
                let addr = (ptr as *const *mut c_void).read_unaligned();
                if addr.is_null() {
                    return Value::Null;
                }
                match ty.bare() {
                    _ if decodes_to_address(ty) => {
                        Value::Pointer(RawPtr(NonNull::new_unchecked(addr)))
                    }
                    CType::WCharP => Value::String(read_wide(addr)),
                    CType::Handle(name) => Value::OwnedHandle(Handle {
                        name: name.clone(),
                        addr: std::cell::Cell::new(addr as usize),
                    }),
                    // The one pointer left: a string, copied.
                    _ => Value::CStr(Cow::Owned(CStr::from_ptr(addr as *const c_char).to_owned())),
                }
            }
        }
    }
}

/// Whether [`decode`] gives a non-null pointer of type `ty` as its address
/// ([`Value::Pointer`]), owning nothing: not a string (read-only or wide),
/// which is copied, nor a handle.
pub(crate) fn decodes_to_address(ty: &CType) -> bool {
    !is_read_only_string(ty) && !matches!(ty.bare(), CType::WCharP | CType::Handle(_))
}

/// Whether a result of type `ty` (class `kind`) is all in its register
/// image, for [`decode_word`]: not a string to copy out, a `long double` or
/// a struct.
#[inline(always)]
pub(crate) fn is_word_result(ty: &CType, kind: Kind) -> bool {
    match kind {
        Kind::LongDouble | Kind::Aggregate => false,
        Kind::Ptr => {
            !(is_read_only_string(ty)
                || matches!(ty.bare(), CType::WCharP | CType::Handle(_))
                || contents::reads_through(ty))
        }
        _ => true,
    }
}

/// A result of class `kind` from the 64 bits of the register it came back
/// in (a `float` in the low half), reading only the bits of its own width,
/// as a callee leaves the rest unspecified. Only for results
/// [`is_word_result`] accepts. It returns the `Value` itself, not an
/// `Option`, so that it is built right where the caller's `Ok` puts it.
#[inline(always)]
pub(crate) fn decode_word(word: u64, kind: Kind) -> Value<'static> {
    match kind {
        Kind::Void => Value::Void,
        Kind::I32 => Value::Int((word as i32).into()),
        Kind::I64 => Value::Int((word as i64).into()),
        Kind::F64 => Value::Float(f64::from_bits(word)),
        Kind::F32 => Value::Float(f32::from_bits(word as u32).into()),
        Kind::Ptr => NonNull::new(word as usize as *mut c_void)
            .map_or(Value::Null, |p| Value::Pointer(RawPtr(p))),
        Kind::Bool => Value::Bool(word as u8 != 0),
        Kind::I8 => Value::Int((word as i8).into()),
        Kind::U8 => Value::Int((word as u8).into()),
        Kind::I16 => Value::Int((word as i16).into()),
        Kind::U16 => Value::Int((word as u16).into()),
        Kind::U32 => Value::Int((word as u32).into()),
        Kind::U64 => Value::Int(word.into()),
        Kind::LongDouble | Kind::Aggregate => Value::Void,
    }
}

/// Decodes a NUL-terminated `wchar_t` string.
///
/// # Safety
///
/// `addr` must point to a NUL-terminated `wchar_t` string.
unsafe fn read_wide(addr: *mut c_void) -> String {
    // SAFETY: the caller guarantees a terminated string; we stop at the NUL.
    unsafe {
        if cfg!(windows) {
            let p = addr as *const u16;
            let len = (0..).take_while(|&i| *p.add(i) != 0).count();
            String::from_utf16_lossy(std::slice::from_raw_parts(p, len))
        } else {
            let p = addr as *const u32;
            let len = (0..).take_while(|&i| *p.add(i) != 0).count();
            std::slice::from_raw_parts(p, len)
                .iter()
                .map(|&u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length around the word size, with no NUL, or one at each
    /// place: the copy ends with the string and its NUL; a NUL inside is
    /// found where it is; one at the end lends the string's own bytes.
    #[test]
    fn strings_are_copied_with_their_nul_or_refused_where_it_lies() {
        for len in 0..40 {
            for nul in std::iter::once(None).chain((0..len).map(Some)) {
                let mut bytes: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                if let Some(at) = nul {
                    bytes[at] = 0;
                }
                let s = std::str::from_utf8(&bytes).unwrap();
                let mut room = Room::new();
                let got = InRoom::new(&mut room).c_string(s).expect("fits the room");
                match nul {
                    None => {
                        let ptr = got.expect("no NUL inside") as *const c_char;
                        // SAFETY: the copy ends with a NUL, in `room`.
                        let copy = unsafe { CStr::from_ptr(ptr) };
                        assert_eq!(copy.to_bytes(), s.as_bytes(), "length {len}");
                    }
                    Some(at) if at + 1 == len => {
                        assert_eq!(got, Ok(s.as_ptr() as *const c_void), "length {len}")
                    }
                    Some(at) => assert_eq!(got, Err(at), "length {len}"),
                }
            }
        }
    }
}
