//! The typed layer's argument and result traits: which Rust types cross
//! into C as what, for typed calls and typed callbacks.

use std::ffi::{CStr, CString, c_char, c_void};

use crate::sealed::SealedData;
use crate::types::{CType, Extent, Terms};
use crate::value::{CData, RawPtr, Scalar, StringBuffer};

/// A Rust type that passes to C as one argument of a typed call.
///
/// Scalars pass as themselves; slices, `&mut T` (ctypes' `byref`) and string
/// buffers pass as pointers borrowed for the call; `&CStr` as `const char*`;
/// [`RawPtr`] and `Option<RawPtr>` as the address C handed out;
/// [`c_struct!`](crate::c_struct) types by value. Sealed: that macro is the
/// only way to implement it for another type.
///
/// ```
/// use rctypes::{CArg, CType};
/// assert_eq!(<i32 as CArg>::ctype(), CType::Int);
/// assert_eq!(<&mut f64 as CArg>::ctype(), CType::pointer(CType::Double));
/// assert!(<&f64 as CArg>::accepts(&CType::const_pointer(CType::Double)));
/// assert!(!<&f64 as CArg>::accepts(&CType::pointer(CType::Double)), "C would write");
/// ```
///
/// # Safety
///
/// `Raw` must be the C representation of `ctype()`, and `into_raw` must give
/// a value that stays valid for as long as `self` is borrowed.
/// [`c_struct!`](crate::c_struct) keeps this for the structs it declares.
pub unsafe trait CArg: SealedData {
    /// What travels in the register or stack slot.
    type Raw: Copy;
    /// How this argument is described in errors.
    fn ctype() -> CType;
    /// Whether a value of this type may be passed where `declared` is.
    fn accepts(declared: &CType) -> bool;
    /// The value to pass.
    fn into_raw(self) -> Self::Raw;
}

/// A Rust type a typed call returns: scalars, `()` for `void`,
/// `Option<RawPtr>` for an address, `Option<CString>` for a `char*` (a
/// copy), and [`c_struct!`](crate::c_struct) types by value. Sealed: that
/// macro is the only way to implement it for another type.
///
/// ```
/// use rctypes::{CRet, CType};
/// use std::ffi::CString;
/// assert_eq!(<() as CRet>::ctype(), CType::Void);
/// assert!(<Option<CString> as CRet>::accepts(&CType::CharP));
/// ```
///
/// # Safety
///
/// `Raw` must be the C representation of the declared result, and
/// `from_raw` must be sound for every value C may return of that type.
/// [`c_struct!`](crate::c_struct) keeps this for the structs it declares.
pub unsafe trait CRet: SealedData {
    /// What comes back in the return register.
    type Raw: Copy;
    /// How this result is described in errors.
    fn ctype() -> CType;
    /// Whether this type may receive a result declared as `declared`.
    fn accepts(declared: &CType) -> bool;
    /// The Rust value.
    ///
    /// # Safety
    ///
    /// `raw` must be a result a C function declared to return this type
    /// returned (for pointers: null, or valid as that type promises).
    unsafe fn from_raw(raw: Self::Raw) -> Self;
}

/// What a typed call accepts for a declared argument type `A`: `A` itself
/// with any lifetime (so each call borrows only for that call), and for
/// slices also `&Vec<T>` and `&[T; N]`. Sealed, as [`CArg`] is.
///
/// ```
/// use rctypes::{CArg, SameArg};
/// fn passes_as<A: CArg, B: SameArg<A>>(_: B) {}
/// let v = vec![1.0f64, 2.0];
/// passes_as::<&[f64], _>(&v);
/// passes_as::<&[f64], _>(&[1.0, 2.0]);
/// ```
///
/// # Safety
///
/// `into_raw_as` must give what `A::into_raw` would for the same value: the
/// same C representation and the same guarantees about what it points to.
/// [`c_struct!`](crate::c_struct) keeps this for the structs it declares.
pub unsafe trait SameArg<A: CArg>: SealedData {
    /// The value to pass where `A` is declared.
    fn into_raw_as(self) -> A::Raw;
}

macro_rules! scalar_arg_ret {
    ($($t:ty),*) => {$(
        // SAFETY: a Scalar has exactly its CTYPE's representation.
        unsafe impl CArg for $t {
            type Raw = $t;
            fn ctype() -> CType {
                <$t as Scalar>::CTYPE
            }
            fn accepts(declared: &CType) -> bool {
                !declared.is_pointer() && declared.is_compatible(&<$t as Scalar>::CTYPE)
            }
            #[inline(always)]
            fn into_raw(self) -> $t {
                self
            }
        }

        // SAFETY: as above.
        unsafe impl CRet for $t {
            type Raw = $t;
            fn ctype() -> CType {
                <$t as Scalar>::CTYPE
            }
            fn accepts(declared: &CType) -> bool {
                !declared.is_pointer() && declared.is_compatible(&<$t as Scalar>::CTYPE)
            }
            #[inline(always)]
            unsafe fn from_raw(raw: $t) -> $t {
                raw
            }
        }
    )*};
}

scalar_arg_ret!(
    i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64, bool
);

macro_rules! same_scalar {
    ($($t:ty),*) => {$(
        // SAFETY: a type passes as itself.
        unsafe impl SameArg<$t> for $t {
            #[inline(always)]
            fn into_raw_as(self) -> $t {
                self
            }
        }
    )*};
}

same_scalar!(
    i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64, bool
);

// The borrowed and opaque types that cross into C (scalars are sealed with
// `Scalar`, `Option<RawPtr>` with `CData`).
impl<T: CData> SealedData for &[T] {}
impl<T: CData> SealedData for &mut [T] {}
impl<T: CData> SealedData for &Vec<T> {}
impl<T: CData> SealedData for &mut Vec<T> {}
impl<T: CData> SealedData for &T {}
impl<T: CData> SealedData for &mut T {}
impl SealedData for &CStr {}
impl SealedData for &mut StringBuffer {}
impl SealedData for RawPtr {}
impl SealedData for Option<CString> {}
impl SealedData for () {}

macro_rules! same_pointer {
    ($(($($gen:tt)*) $declared:ty, $given:ty => $raw:ty, |$v:ident| $make:expr;)*) => {$(
        // SAFETY: the same data pointer the declared type passes, borrowed
        // for the call whatever the lifetime.
        unsafe impl<$($gen)*> SameArg<$declared> for $given {
            #[inline(always)]
            fn into_raw_as(self) -> $raw {
                let $v = self;
                $make
            }
        }
    )*};
}

same_pointer! {
    (T: CData) &[T], &[T] => *const T, |v| v.as_ptr();
    (T: CData) &[T], &Vec<T> => *const T, |v| v.as_ptr();
    (T: CData, const N: usize) &[T], &[T; N] => *const T, |v| v.as_ptr();
    (T: CData) &mut [T], &mut [T] => *mut T, |v| v.as_mut_ptr();
    (T: CData) &mut [T], &mut Vec<T> => *mut T, |v| v.as_mut_ptr();
    (T: CData, const N: usize) &mut [T], &mut [T; N] => *mut T, |v| v.as_mut_ptr();
    (T: CData) &mut T, &mut T => *mut T, |v| v;
    (T: CData) &T, &T => *const T, |v| v;
    () &CStr, &CStr => *const c_char, |v| v.as_ptr();
    () &mut StringBuffer, &mut StringBuffer => *mut c_char, |v| v.into_raw();
    () RawPtr, RawPtr => *mut c_void, |v| v.as_ptr();
    () Option<RawPtr>, Option<RawPtr> => *mut c_void, |v| v.map_or(std::ptr::null_mut(), RawPtr::as_ptr);
}

// SAFETY: a void function returns nothing; () is what Rust calls that.
unsafe impl CRet for () {
    type Raw = ();
    fn ctype() -> CType {
        CType::Void
    }
    fn accepts(declared: &CType) -> bool {
        *declared == CType::Void
    }
    #[inline(always)]
    unsafe fn from_raw(_: ()) {}
}

/// Whether one Rust value of C type `given`, lent whole by reference, covers
/// what `declared` (a pointer and its contract) lets C touch: its pointee is
/// `given`, or `given` an array of at least as many such elements as the
/// extent says; C writes only through a writable pointer, and writes
/// untyped bytes (`void*`) only where any bytes are valid. An extent that
/// depends on another argument, or on a terminating zero, is checked at
/// every call: only dynamic calls take it.
fn covers(declared: &CType, given: &CType, writable: bool) -> bool {
    let Terms {
        pointer, extent, ..
    } = Terms::of(declared);
    let pointee = match pointer {
        CType::ConstPointer(p) => Some(&**p),
        CType::Pointer(p) if writable => Some(&**p),
        CType::VoidP if writable && given.any_bytes_valid() => None,
        _ => return false,
    };
    let pointee = pointee.filter(|p| **p != CType::Void);
    // The elements `given` holds of the pointee's type.
    let count = |p: &CType| match given {
        t if t.is_compatible(p) => Some(1),
        CType::Array(e, n) if e.is_compatible(p) => Some(*n),
        _ => None,
    };
    match (extent, pointee) {
        (Extent::One, Some(p)) => count(p) == Some(1),
        (Extent::Elements(n), Some(p)) => count(p).is_some_and(|have| have >= n),
        (Extent::Bytes(n), Some(p)) => count(p).is_some() && given.size() >= n,
        (Extent::Bytes(n), None) => given.size() >= n,
        _ => false,
    }
}

// SAFETY: a slice lends its data pointer, valid while the slice is borrowed.
// Its length is known only at run time, so `CFunc::typed` takes none: only
// `Library::typed`, whose caller vouches C stays within every slice.
unsafe impl<T: CData> CArg for &[T] {
    type Raw = *const T;
    fn ctype() -> CType {
        CType::const_pointer(T::ctype())
    }
    fn accepts(_: &CType) -> bool {
        false
    }
    #[inline(always)]
    fn into_raw(self) -> *const T {
        self.as_ptr()
    }
}

// SAFETY: as above, for a mutable borrow C may write through.
unsafe impl<T: CData> CArg for &mut [T] {
    type Raw = *mut T;
    fn ctype() -> CType {
        CType::pointer(T::ctype())
    }
    fn accepts(_: &CType) -> bool {
        false
    }
    #[inline(always)]
    fn into_raw(self) -> *mut T {
        self.as_mut_ptr()
    }
}

// SAFETY: ctypes' byref: the address of one value (an array `[E; N]` is
// one value of N elements), mutably borrowed, accepted only where the
// declared extent is within it.
unsafe impl<T: CData> CArg for &mut T {
    type Raw = *mut T;
    fn ctype() -> CType {
        CType::pointer(T::ctype())
    }
    fn accepts(declared: &CType) -> bool {
        covers(declared, &T::ctype(), true)
    }
    #[inline(always)]
    fn into_raw(self) -> *mut T {
        self
    }
}

// SAFETY: the address of one value, borrowed for reading: only where the
// pointer is declared `const` and its extent is within the value.
unsafe impl<T: CData> CArg for &T {
    type Raw = *const T;
    fn ctype() -> CType {
        CType::const_pointer(T::ctype())
    }
    fn accepts(declared: &CType) -> bool {
        covers(declared, &T::ctype(), false)
    }
    #[inline(always)]
    fn into_raw(self) -> *const T {
        self
    }
}

/// Whether `declared` is a `char` pointer C reads up to a NUL (or one byte
/// of), with C writing only if `writable`.
fn accepts_string(declared: &CType, writable: bool) -> bool {
    let Terms {
        pointer, extent, ..
    } = Terms::of(declared);
    let chars = |p: &CType| matches!(p, CType::Char | CType::Byte | CType::UByte);
    let pointer_fits = match pointer {
        CType::CharP => true,
        CType::ConstPointer(p) => chars(p),
        CType::Pointer(p) => writable && chars(p),
        _ => false,
    };
    pointer_fits && matches!(extent, Extent::NulTerminated | Extent::One)
}

// SAFETY: a CStr is NUL-terminated and borrowed for the call.
unsafe impl CArg for &CStr {
    type Raw = *const c_char;
    fn ctype() -> CType {
        CType::CharP
    }
    fn accepts(declared: &CType) -> bool {
        accepts_string(declared, false)
    }
    #[inline(always)]
    fn into_raw(self) -> *const c_char {
        self.as_ptr()
    }
}

// SAFETY: the buffer is NUL-terminated past its capacity and mutably borrowed.
unsafe impl CArg for &mut StringBuffer {
    type Raw = *mut c_char;
    fn ctype() -> CType {
        CType::pointer(CType::Char)
    }
    fn accepts(declared: &CType) -> bool {
        accepts_string(declared, true)
    }
    #[inline(always)]
    fn into_raw(self) -> *mut c_char {
        self.as_mut_ptr()
    }
}

// SAFETY: an address C handed out goes back as the same pointer. It may
// have been freed since, so `CFunc::typed` takes none: only
// `Library::typed`, whose caller vouches for every address passed.
unsafe impl CArg for RawPtr {
    type Raw = *mut c_void;
    fn ctype() -> CType {
        CType::VoidP
    }
    fn accepts(_: &CType) -> bool {
        false
    }
    #[inline(always)]
    fn into_raw(self) -> *mut c_void {
        self.as_ptr()
    }
}

// SAFETY: as above, with None as NULL.
unsafe impl CArg for Option<RawPtr> {
    type Raw = *mut c_void;
    fn ctype() -> CType {
        CType::VoidP
    }
    fn accepts(_: &CType) -> bool {
        false
    }
    #[inline(always)]
    fn into_raw(self) -> *mut c_void {
        self.map_or(std::ptr::null_mut(), RawPtr::as_ptr)
    }
}

// SAFETY: any address C returns is kept opaque; null becomes None.
unsafe impl CRet for Option<RawPtr> {
    type Raw = *mut c_void;
    fn ctype() -> CType {
        CType::VoidP
    }
    fn accepts(declared: &CType) -> bool {
        declared.is_pointer()
    }
    #[inline(always)]
    unsafe fn from_raw(raw: *mut c_void) -> Self {
        // SAFETY: the caller passes an address C returned as this type.
        unsafe { RawPtr::new(raw) }
    }
}

// SAFETY: a `char*` result is, by the declared signature, null or a string;
// it is copied out at once.
unsafe impl CRet for Option<CString> {
    type Raw = *const c_char;
    fn ctype() -> CType {
        CType::CharP
    }
    fn accepts(declared: &CType) -> bool {
        crate::types::is_read_only_string(declared)
    }
    unsafe fn from_raw(raw: *const c_char) -> Self {
        // SAFETY: the caller passes what C returned: null or a string.
        (!raw.is_null()).then(|| unsafe { CStr::from_ptr(raw) }.to_owned())
    }
}

impl StringBuffer {
    fn as_mut_ptr(&mut self) -> *mut c_char {
        self.raw().as_ptr() as *mut c_char
    }
}
