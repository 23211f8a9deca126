//! Typed calls: a signature known at compile time, checked once, then every
//! call is a plain `extern "C"` call with no libffi and no per-call checks.

use std::ffi::{CStr, CString, c_char, c_void};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::callback::{CallScope, CallbackWatch};
use crate::ctype::{CType, Extent, Terms};
use crate::error::{Error, Result};
use crate::func::CFunc;
use crate::library::Library;
use crate::value::{CData, RawPtr, Scalar, StringBuffer};

/// A Rust type that passes to C as one argument of a typed call.
///
/// Scalars pass as themselves; slices, `&mut T` (ctypes' `byref`) and string
/// buffers pass as pointers borrowed for the call; `&CStr` as `const char*`;
/// [`RawPtr`] and `Option<RawPtr>` as the address C handed out.
///
/// # Safety
///
/// `Raw` must be the C representation of `ctype()`, and `into_raw` must give
/// a value that stays valid for as long as `self` is borrowed.
pub unsafe trait CArg {
    /// What travels in the register or stack slot.
    type Raw: Copy;
    /// How this argument is described in errors.
    fn ctype() -> CType;
    /// Whether a value of this type may be passed where `declared` is.
    fn accepts(declared: &CType) -> bool;
    /// The value to pass.
    fn into_raw(self) -> Self::Raw;
}

/// A Rust type a typed call returns.
///
/// # Safety
///
/// `Raw` must be the C representation of the declared result, and
/// `from_raw` must be sound for every value C may return of that type.
pub unsafe trait CRet {
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
/// slices also `&Vec<T>` and `&[T; N]`.
///
/// # Safety
///
/// `into_raw_as` must give what `A::into_raw` would for the same value: the
/// same C representation and the same guarantees about what it points to.
pub unsafe trait SameArg<A: CArg> {
    /// The value to pass where `A` is declared.
    fn into_raw_as(self) -> A::Raw;
    /// The callback this argument lends to C, watched by
    /// [`TypedCFunc::try_call`] for failures on other threads.
    #[doc(hidden)]
    #[inline(always)]
    fn callback_watch(&self) -> Option<CallbackWatch> {
        None
    }
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
        *declared == CType::CharP
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

/// A tuple of [`CArg`]s: the argument list of a typed call.
pub trait ArgList {
    /// The number of arguments.
    const LEN: usize;
    /// The 1-based index of the first argument that cannot go where
    /// `declared` says, with what it is.
    fn mismatch(declared: &[CType]) -> Option<(usize, CType)>;
}

/// A C function whose signature is a Rust type: `TypedCFunc<(i32, i32), i32>`
/// is `int f(int, int)`.
///
/// Made from a [`CFunc`] with [`CFunc::typed`] (checked against its declared
/// signature once), or declared directly with [`Library::typed`]. Each
/// [`call`](Self::call) is then a direct call through the function pointer:
/// no libffi, no checks, no allocation. Arguments that point into Rust memory
/// (`&mut T`, `&T`, `&[T; N]`, `&CStr`) are borrowed for the call.
///
/// Since nothing is checked per call, [`CFunc::typed`] takes only arguments
/// whose extent the types themselves prove: one value or a fixed-size array
/// covering the declared [`Extent`](crate::Extent). A slice, whose length
/// is known only at run time, goes through the dynamic [`CFunc::call`],
/// which checks it, or through `unsafe` [`Library::typed`].
///
/// Use the dynamic [`CFunc`] when signatures are learned at run time, for
/// variadic functions, `long double`, errno capture and run-time lengths;
/// use this one in hot paths where the signature is fixed.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Extent, Library, TypedCFunc};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { Library::open(rctypes_csrc::library("abi"))? };
/// // SAFETY: abi.c defines `void out_params(int a, int *doubled, double *half)`,
/// // which writes one int and one double, through pointers that are not NULL.
/// let out_params = unsafe {
///     lib.function(
///         "out_params",
///         &[CType::Int, CType::pointer(CType::Int), CType::pointer(CType::Double)],
///         CType::Void,
///     )?
/// };
/// let typed: TypedCFunc<(i32, &mut i32, &mut f64), ()> = out_params.typed()?;
/// let (mut doubled, mut half) = (0, 0.0);
/// typed.call((21, &mut doubled, &mut half));
/// assert_eq!((doubled, half), (42, 10.5));
///
/// // SAFETY: mean.c's `float compute_mean(float *A, int n)` reads n floats.
/// # let mean_lib = unsafe { Library::open(rctypes_csrc::library("mean"))? };
/// let mean = unsafe {
///     mean_lib.function(
///         "compute_mean",
///         &[CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(2)), CType::Int],
///         CType::Float,
///     )?
/// };
/// // A slice's length would need checking at every call: refused here.
/// assert!(mean.typed::<(&[f32], i32), f32>().is_err());
/// # Ok(()) }
/// ```
pub struct TypedCFunc<Args, Ret> {
    code: *const c_void,
    library: Library,
    name: Arc<str>,
    _signature: PhantomData<fn(Args) -> Ret>,
}

// SAFETY: the code pointer stays valid while `library` is loaded; whether the
// function is thread-safe is part of the promise made when declaring it.
unsafe impl<Args, Ret> Send for TypedCFunc<Args, Ret> {}
// SAFETY: as above.
unsafe impl<Args, Ret> Sync for TypedCFunc<Args, Ret> {}

impl<Args, Ret> Clone for TypedCFunc<Args, Ret> {
    fn clone(&self) -> Self {
        TypedCFunc {
            code: self.code,
            library: self.library.clone(),
            name: self.name.clone(),
            _signature: PhantomData,
        }
    }
}

impl<Args, Ret> fmt::Debug for TypedCFunc<Args, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TypedCFunc({} in {})", self.name, self.library.name())
    }
}

impl<Args, Ret> TypedCFunc<Args, Ret> {
    /// The symbol's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The function's address.
    pub fn as_ptr(&self) -> *const c_void {
        self.code
    }
}

impl CFunc {
    /// The typed view of this function, after checking once that `Args` and
    /// `Ret` agree with the declared signature: the same count, each argument
    /// compatible (and no read-only borrow where C writes), the same result.
    pub fn typed<Args: ArgList, Ret: CRet>(&self) -> Result<TypedCFunc<Args, Ret>> {
        let declared = self.arg_types();
        if self.is_variadic() {
            return Err(Error::Signature {
                function: self.name().into(),
                reason: "variadic functions have no typed form; use call_variadic".into(),
            });
        }
        if let Some(i) = declared
            .iter()
            .position(|t| matches!(t, CType::NdPointer(_)))
        {
            return Err(Error::Signature {
                function: self.name().into(),
                reason: format!(
                    "argument {} is an ndpointer, checked at every call; typed calls check nothing: use call",
                    i + 1
                ),
            });
        }
        if declared.len() != Args::LEN {
            return Err(Error::Arity {
                function: self.name().into(),
                expected: declared.len(),
                given: Args::LEN,
                variadic: false,
            });
        }
        if let Some((index, given)) = Args::mismatch(declared) {
            return Err(Error::Argument {
                function: self.name().into(),
                index,
                expected: declared[index - 1].to_string(),
                given: format!("Rust type passed as {given}"),
            });
        }
        if !Ret::accepts(self.result_type()) {
            return Err(Error::Signature {
                function: self.name().into(),
                reason: format!(
                    "result declared {}, typed as {}",
                    self.result_type(),
                    Ret::ctype()
                ),
            });
        }
        Ok(TypedCFunc {
            code: self.as_ptr(),
            library: self.library().clone(),
            name: self.name().into(),
            _signature: PhantomData,
        })
    }
}

impl Library {
    /// Binds `symbol` with a signature given as Rust types, with no run-time
    /// declaration to check against.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// let libc = rctypes::Library::this()?;
    /// // SAFETY: labs is `long labs(long)`, and long is i64 here.
    /// # #[cfg(all(unix, target_pointer_width = "64"))] {
    /// let labs = unsafe { libc.typed::<(i64,), i64>("labs")? };
    /// assert_eq!(labs.call((-5,)), 5);
    /// # }
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// The symbol must be a C function with exactly this signature, memory-safe
    /// for every argument of these types (see [`Library::function`]).
    pub unsafe fn typed<Args: ArgList, Ret: CRet>(
        &self,
        symbol: &str,
    ) -> Result<TypedCFunc<Args, Ret>> {
        let code = self.symbol_address(symbol)?;
        Ok(TypedCFunc {
            code,
            library: self.clone(),
            name: symbol.into(),
            _signature: PhantomData,
        })
    }
}

macro_rules! typed_arity {
    ($len:expr; $($a:ident $b:ident $i:tt),*) => {
        impl<$($a: CArg),*> ArgList for ($($a,)*) {
            const LEN: usize = $len;
            #[allow(unused_variables)]
            fn mismatch(declared: &[CType]) -> Option<(usize, CType)> {
                $(
                    if !$a::accepts(&declared[$i]) {
                        return Some(($i + 1, $a::ctype()));
                    }
                )*
                None
            }
        }

        impl<Ret: CRet, $($a: CArg),*> TypedCFunc<($($a,)*), Ret> {
            /// Calls the function directly, with no checks and no allocation.
            /// Each argument is borrowed for this call only.
            ///
            /// A callback that fails during the call (see
            /// [`Callback`](crate::Callback)) gives C its error value, and the
            /// failure is not reported here: use [`try_call`](Self::try_call)
            /// when callbacks are involved.
            #[inline(always)]
            #[allow(non_snake_case, clippy::too_many_arguments)]
            pub fn call<$($b: SameArg<$a>),*>(&self, args: ($($b,)*)) -> Ret {
                let ($($a,)*) = args;
                // `code` is a function with this signature: checked against
                // the declared one by `CFunc::typed`, or promised by the
                // caller of `Library::typed`. The library stays loaded while
                // self holds it, and borrowed pointers live through the call
                // because `args` is owned by this frame.
                // SAFETY: as above.
                unsafe {
                    let f: unsafe extern "C" fn($($a::Raw),*) -> Ret::Raw = std::mem::transmute(self.code);
                    Ret::from_raw(f($($a.into_raw_as()),*))
                }
            }

            /// Calls the function as [`call`](Self::call) does, and reports a
            /// callback that panicked or failed during the call as
            /// [`Error::Callback`]: one on this thread, or one of the
            /// callbacks passed as arguments on any thread.
            #[inline]
            #[allow(clippy::too_many_arguments)]
            pub fn try_call<$($b: SameArg<$a>),*>(&self, args: ($($b,)*)) -> Result<Ret> {
                let watched: [Option<CallbackWatch>; $len] = [$(SameArg::<$a>::callback_watch(&args.$i)),*];
                let scope = CallScope::enter();
                let result = self.call(args);
                let mut failure = scope.exit();
                for watch in watched.iter().flatten() {
                    failure = failure.or(watch.take());
                }
                match failure {
                    None => Ok(result),
                    Some(message) => Err(Error::Callback {
                        function: self.name.to_string(),
                        message,
                    }),
                }
            }
        }
    };
}

typed_arity!(0;);
typed_arity!(1; A0 B0 0);
typed_arity!(2; A0 B0 0, A1 B1 1);
typed_arity!(3; A0 B0 0, A1 B1 1, A2 B2 2);
typed_arity!(4; A0 B0 0, A1 B1 1, A2 B2 2, A3 B3 3);
typed_arity!(5; A0 B0 0, A1 B1 1, A2 B2 2, A3 B3 3, A4 B4 4);
typed_arity!(6; A0 B0 0, A1 B1 1, A2 B2 2, A3 B3 3, A4 B4 4, A5 B5 5);
typed_arity!(7; A0 B0 0, A1 B1 1, A2 B2 2, A3 B3 3, A4 B4 4, A5 B5 5, A6 B6 6);
typed_arity!(8; A0 B0 0, A1 B1 1, A2 B2 2, A3 B3 3, A4 B4 4, A5 B5 5, A6 B6 6, A7 B7 7);
typed_arity!(9; A0 B0 0, A1 B1 1, A2 B2 2, A3 B3 3, A4 B4 4, A5 B5 5, A6 B6 6, A7 B7 7, A8 B8 8);
typed_arity!(10; A0 B0 0, A1 B1 1, A2 B2 2, A3 B3 3, A4 B4 4, A5 B5 5, A6 B6 6, A7 B7 7, A8 B8 8, A9 B9 9);
typed_arity!(11; A0 B0 0, A1 B1 1, A2 B2 2, A3 B3 3, A4 B4 4, A5 B5 5, A6 B6 6, A7 B7 7, A8 B8 8, A9 B9 9, A10 B10 10);
typed_arity!(12; A0 B0 0, A1 B1 1, A2 B2 2, A3 B3 3, A4 B4 4, A5 B5 5, A6 B6 6, A7 B7 7, A8 B8 8, A9 B9 9, A10 B10 10, A11 B11 11);
