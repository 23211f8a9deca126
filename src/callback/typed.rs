//! Typed callbacks: a closure over Rust types, its signature derived from
//! them, its arguments read and its result written with no dynamic values.

use std::any::Any;
use std::ffi::{CStr, CString, c_char, c_void};
use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ops::Deref;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::Arc;

use libffi::raw::{ffi_arg, ffi_cif};

use super::borrowing::CallbackParam;
use super::closure::{Callback, Core, State, failure_message, keep_forever};
use crate::error::{Error, Result};
use crate::failure::type_slot;
use crate::sealed::{Sealed, SealedData};
use crate::types::CType;
use crate::types::Signature;
use crate::value::{Address, CData, RawPtr, Scalar, Slot, Value};
use crate::value::{CArg, SameArg};

/// A Rust type a typed callback takes as one argument from C.
///
/// Scalars arrive as themselves; `void*`-like pointers as
/// `Option<RawPtr>`; a `const T*` as [`ByRef<T>`] (the value it points to);
/// a `const char*` as `Option<CString>` (a copy).
///
/// # Safety
///
/// `Raw` must be the C representation of `ctype()`, and `from_raw` must be
/// sound for every value C may pass of that type (a pointer it reads must be
/// checked for null; that it is otherwise valid is the promise of the binding
/// that passes the callback to C). [`c_struct!`](crate::c_struct) keeps this
/// for the structs it declares: the trait is sealed, and that macro is the
/// only way to implement it for another type.
pub unsafe trait CallbackArg: Sized + 'static + SealedData {
    /// What C passes.
    type Raw: Copy;
    /// The C type of the argument.
    fn ctype() -> CType;
    /// The Rust value, or why there is none.
    ///
    /// # Safety
    ///
    /// `raw` is an argument C passed for `ctype()`.
    unsafe fn from_raw(raw: Self::Raw) -> std::result::Result<Self, String>;
}

/// A Rust type a typed callback returns to C: scalars, `()` for `void`,
/// `Option<Address>` for a pointer, [`c_struct!`](crate::c_struct) types by
/// value, and `Result<T, E>` of any of these (an `Err` is the callback's
/// failure).
///
/// ```
/// use rctypes::{CallbackRet, CType};
/// assert_eq!(<f32 as CallbackRet>::ctype(), CType::Float);
/// assert_eq!(<Result<i32, String> as CallbackRet>::ctype(), CType::Int);
/// ```
///
/// # Safety
///
/// `Raw` must be the C representation of `ctype()`, and `store` must write it
/// as libffi expects a closure result: integers narrower than `ffi_arg`
/// widened to a whole `ffi_arg`. [`c_struct!`](crate::c_struct) keeps this
/// for the structs it declares: the trait is sealed, and that macro is the
/// only way to implement it for another type.
pub unsafe trait CallbackRet: 'static + SealedData {
    /// What C receives.
    type Raw: Copy;
    /// The C type of the result.
    fn ctype() -> CType;
    /// The value to give C, or why there is none (reported as the callback's
    /// failure).
    fn into_raw(self) -> std::result::Result<Self::Raw, String>;
    /// Writes `raw` into libffi's result buffer.
    ///
    /// # Safety
    ///
    /// `out` is libffi's result buffer for a result of `ctype()`.
    unsafe fn store(raw: Self::Raw, out: *mut c_void);
}

/// A tuple of [`CallbackArg`]s: a typed callback's argument list. Sealed:
/// implemented for tuples of up to sixteen [`CallbackParam`]s.
///
/// ```
/// use rctypes::{CallbackArgs, CType};
/// assert_eq!(<(i32, f64)>::arg_types(), [CType::Int, CType::Double]);
/// ```
pub trait CallbackArgs: 'static + Sealed {
    /// The C types of the arguments.
    fn arg_types() -> Vec<CType>;
}

/// A Rust closure that can be a typed callback with arguments `Args` and
/// result `Ret`: any `Fn(A0, A1, ...) -> Ret + Send + Sync + 'static` of up
/// to sixteen [`CallbackArg`]s. Sealed: implemented for those closures only.
/// (Closures that borrow from their arguments are
/// [`BorrowingFn`](crate::BorrowingFn)s.)
///
/// ```
/// use rctypes::{CallbackFn, TypedCallback};
/// fn typed<F: CallbackFn<(i32,), i32>>(f: F) -> TypedCallback<(i32,), i32> {
///     rctypes::Callback::typed(f).unwrap()
/// }
/// let cb = typed(|a: i32| a + 1);
/// assert_eq!(cb.signature().to_string(), "CFUNCTYPE(c_int, c_int)");
/// ```
pub trait CallbackFn<Args: CallbackArgs, Ret: CallbackRet>:
    Send + Sync + 'static + Sealed<(Args, Ret)>
{
    /// Reads the arguments C passed and calls the closure.
    ///
    /// # Safety
    ///
    /// `args` holds one pointer per argument, each to a value of its `Raw`
    /// type, as libffi passes them.
    unsafe fn invoke(&self, args: *const *const c_void) -> std::result::Result<Ret::Raw, String>;

    /// For a zero-sized closure (one that captures nothing, or a function
    /// item), a C function of the callback's signature that calls it
    /// directly, with no libffi closure in between.
    #[doc(hidden)]
    fn direct_code() -> Option<*const c_void> {
        None
    }

    /// A C function of the callback's arguments and then the address of
    /// its `State<Self>`, which calls the closure in that state: what a
    /// capturing closure's entry jumps to (`callback::entry`).
    #[doc(hidden)]
    fn entry_target() -> Option<*const c_void> {
        None
    }
}

/// A `const T*` argument of a typed callback, read for the closure: it gets
/// the value the pointer points to. A null pointer is the callback's failure.
///
/// This is how a comparator for libc's `qsort` reads its elements with no
/// `unsafe`:
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{ByRef, Callback, CType, Extent, TypedCallback};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
/// let cmp = CType::func_ptr(
///     [CType::const_pointer(CType::Int), CType::const_pointer(CType::Int)],
///     CType::Int,
/// );
/// let ints = CType::pointer(CType::Int).extent(Extent::ElementsFromArg(2));
/// // SAFETY: callback.c's `void sort_ints(int *a, int n, int_cmp_t cmp)`
/// // sorts the n ints of a (not NULL) with qsort, which calls cmp with
/// // pointers to two of them during the call only.
/// let sort = unsafe { lib.function("sort_ints", &[ints, CType::Int, cmp], CType::Void)? };
///
/// let by_value: TypedCallback<(ByRef<i32>, ByRef<i32>), i32> =
///     Callback::typed(|a: ByRef<i32>, b: ByRef<i32>| a.cmp(&b) as i32)?;
/// let mut data = [5, 1, 7, 33, 99];
/// sort.call(&[(&mut data).into(), 5.into(), (&by_value).into()])?;
/// assert_eq!(data, [1, 5, 7, 33, 99]);
/// # Ok(()) }
/// ```
///
/// (libc's own `qsort` takes the element size as an argument, so what it
/// reads is a product of two arguments, an extent rctypes does not state:
/// bind such a function through a C wrapper like this one, or vouch for
/// each call with `unsafe` [`Library::typed`](crate::Library::typed).)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByRef<T>(pub T);

impl<T> Deref for ByRef<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

macro_rules! scalar_callback {
    ($($t:ty),*) => {$(
        // SAFETY: a Scalar has exactly its CTYPE's representation, and any bit
        // pattern C passes is a valid value (bool: C's _Bool is 0 or 1).
        // (Sealed with `Scalar`.)
        unsafe impl CallbackArg for $t {
            type Raw = $t;
            fn ctype() -> CType {
                <$t as Scalar>::CTYPE
            }
            #[inline(always)]
            unsafe fn from_raw(raw: $t) -> std::result::Result<$t, String> {
                Ok(raw)
            }
        }

        // SAFETY: as above; `store` widens narrow integers to ffi_arg.
        unsafe impl CallbackRet for $t {
            type Raw = $t;
            fn ctype() -> CType {
                <$t as Scalar>::CTYPE
            }
            #[inline(always)]
            fn into_raw(self) -> std::result::Result<$t, String> {
                Ok(self)
            }
            #[inline(always)]
            unsafe fn store(raw: $t, out: *mut c_void) {
                // SAFETY: libffi's result buffer holds max(size, sizeof(ffi_arg)) bytes.
                unsafe { store_scalar(raw, out) }
            }
        }
    )*};
}

scalar_callback!(
    i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64, bool
);

/// Widens what libffi wants widened: integers narrower than `ffi_arg`.
trait Widen: Copy {
    /// The value as a whole `ffi_arg`, if it must be widened.
    fn widened(self) -> Option<ffi_arg>;
}

macro_rules! widen_int {
    ($($t:ty),*) => {$(
        impl Widen for $t {
            #[inline(always)]
            fn widened(self) -> Option<ffi_arg> {
                // `as` sign-extends signed types and zero-extends unsigned ones.
                (size_of::<$t>() < size_of::<ffi_arg>()).then_some(self as ffi_arg)
            }
        }
    )*};
}

widen_int!(i8, u8, i16, u16, i32, u32, i64, u64, isize, usize);

impl Widen for bool {
    #[inline(always)]
    fn widened(self) -> Option<ffi_arg> {
        Some(self as ffi_arg)
    }
}

impl Widen for f32 {
    #[inline(always)]
    fn widened(self) -> Option<ffi_arg> {
        None
    }
}

impl Widen for f64 {
    #[inline(always)]
    fn widened(self) -> Option<ffi_arg> {
        None
    }
}

/// # Safety
///
/// `out` holds `max(size_of::<T>(), size_of::<ffi_arg>())` writable bytes.
#[inline(always)]
unsafe fn store_scalar<T: Widen>(raw: T, out: *mut c_void) {
    // SAFETY: the caller's promise.
    unsafe {
        match raw.widened() {
            Some(wide) => (out as *mut ffi_arg).write_unaligned(wide),
            None => (out as *mut T).write_unaligned(raw),
        }
    }
}

// SAFETY: void: nothing to write.
unsafe impl CallbackRet for () {
    type Raw = ();
    fn ctype() -> CType {
        CType::Void
    }
    #[inline(always)]
    fn into_raw(self) -> std::result::Result<(), String> {
        Ok(())
    }
    #[inline(always)]
    unsafe fn store(_: (), _: *mut c_void) {}
}

impl SealedData for Option<Address> {}
impl<T: CData> SealedData for ByRef<T> {}
impl<T: CallbackRet, E: fmt::Display + 'static> SealedData for std::result::Result<T, E> {}

// SAFETY: any address C passes is kept opaque; null becomes None.
unsafe impl CallbackArg for Option<RawPtr> {
    type Raw = *mut c_void;
    fn ctype() -> CType {
        CType::VoidP
    }
    #[inline(always)]
    unsafe fn from_raw(raw: *mut c_void) -> std::result::Result<Self, String> {
        // SAFETY: an address C passed as a pointer argument, handed back only
        // to C (RawPtr is opaque to safe code).
        Ok(unsafe { RawPtr::new(raw) })
    }
}

// SAFETY: the address goes back to C as a pointer, vouched for by the
// `unsafe` code that made it; None is NULL. (A `RawPtr` C handed out may
// have been freed since: safe code cannot return one.)
unsafe impl CallbackRet for Option<Address> {
    type Raw = *mut c_void;
    fn ctype() -> CType {
        CType::VoidP
    }
    #[inline(always)]
    fn into_raw(self) -> std::result::Result<*mut c_void, String> {
        Ok(self.map_or(std::ptr::null_mut(), Address::as_ptr))
    }
    #[inline(always)]
    unsafe fn store(raw: *mut c_void, out: *mut c_void) {
        // SAFETY: the buffer holds a pointer.
        unsafe { (out as *mut *mut c_void).write_unaligned(raw) }
    }
}

// SAFETY: the pointer is checked for null; otherwise it points to a `T` by
// the promise of the binding that passed the callback to C.
unsafe impl<T: CData> CallbackArg for ByRef<T> {
    type Raw = *const T;
    fn ctype() -> CType {
        CType::const_pointer(T::ctype())
    }
    #[inline(always)]
    unsafe fn from_raw(raw: *const T) -> std::result::Result<Self, String> {
        if raw.is_null() {
            return Err(format!(
                "null pointer where a {} was to be read",
                T::ctype()
            ));
        }
        // SAFETY: see the impl's comment.
        Ok(ByRef(unsafe { raw.read_unaligned() }))
    }
}

// SAFETY: a `const char*` is, by the binding's promise, null or a string; it
// is copied at once.
unsafe impl CallbackArg for Option<CString> {
    type Raw = *const c_char;
    fn ctype() -> CType {
        CType::CharP
    }
    unsafe fn from_raw(raw: *const c_char) -> std::result::Result<Self, String> {
        // SAFETY: see the impl's comment.
        Ok((!raw.is_null()).then(|| unsafe { CStr::from_ptr(raw) }.to_owned()))
    }
}

/// A closure that returns `Err` reports the error as its failure, and C
/// receives the error value.
// SAFETY: the same representation as `T`.
unsafe impl<T: CallbackRet, E: fmt::Display + 'static> CallbackRet for std::result::Result<T, E> {
    type Raw = T::Raw;
    fn ctype() -> CType {
        T::ctype()
    }
    #[inline(always)]
    fn into_raw(self) -> std::result::Result<T::Raw, String> {
        match self {
            Ok(v) => v.into_raw(),
            Err(e) => Err(e.to_string()),
        }
    }
    #[inline(always)]
    unsafe fn store(raw: T::Raw, out: *mut c_void) {
        // SAFETY: forwarded.
        unsafe { T::store(raw, out) }
    }
}

/// A callback whose signature is the Rust types `Args` (a tuple) and `Ret`:
/// made by [`Callback::typed`]. It is a [`Callback`] (through `Deref`), so it
/// goes to dynamic calls as `(&*cb).into()`; typed calls
/// ([`TypedCFunc`](crate::TypedCFunc)) take `&TypedCallback` for a parameter
/// declared with a compatible [`CType::FuncPtr`], checked once when the typed
/// function is made.
pub struct TypedCallback<Args, Ret> {
    callback: Callback,
    _signature: PhantomData<fn(Args) -> Ret>,
}

impl<Args, Ret> Deref for TypedCallback<Args, Ret> {
    type Target = Callback;
    fn deref(&self) -> &Callback {
        &self.callback
    }
}

impl<Args, Ret> fmt::Debug for TypedCallback<Args, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.callback.fmt(f)
    }
}

impl<Args: CallbackArgs, Ret: CallbackRet> TypedCallback<Args, Ret> {
    /// Sets the result C receives when the closure panics or fails (zero by
    /// default). For a closure returning `Result<T, E>`, give `Ok(value)`.
    ///
    /// Errors if `value` is itself an error.
    pub fn with_error_value(mut self, value: Ret) -> Result<Self> {
        super::closure::refuse_struct_error_value(&Ret::ctype())?;
        let raw = value.into_raw().map_err(|given| Error::Conversion {
            expected: format!("an error value of type {}", Ret::ctype()),
            given,
        })?;
        let mut slot = Slot::ZERO;
        // SAFETY: a Slot is 16 aligned bytes, at least max(size, sizeof(ffi_arg))
        // of every scalar result.
        unsafe { Ret::store(raw, slot.as_mut_ptr()) };
        self.callback.set_error_slot(unwiden::<Ret>(slot));
        Ok(self)
    }

    /// The callback with its Rust signature forgotten.
    pub fn into_callback(self) -> Callback {
        self.callback
    }

    /// Keeps the callback for the rest of the program (see [`Callback::leak`]).
    pub fn leak(mut self) -> &'static TypedCallback<Args, Ret> {
        self.callback.mark_kept_forever();
        keep_forever(self)
    }
}

/// The error slot holds the value unwidened: on little-endian targets the
/// low bytes of a widened integer are the value itself; on big-endian ones
/// they are at the end of the `ffi_arg`.
fn unwiden<Ret: CallbackRet>(slot: Slot) -> Slot {
    let ty = Ret::ctype();
    let size = ty.size();
    if cfg!(target_endian = "big") && ty.is_integer() && size < size_of::<ffi_arg>() {
        let mut out = Slot::ZERO;
        let start = size_of::<ffi_arg>() - size;
        out.0[..size].copy_from_slice(&slot.0[start..start + size]);
        out
    } else {
        slot
    }
}

impl Callback {
    /// A callback around a closure over Rust types, its signature derived
    /// from them: `|a: i32, b: i32| a + b` is `int (*)(int, int)`.
    ///
    /// Arguments may be any [`CallbackArg`] (Rust scalars, [`ByRef<T>`] for
    /// `const T*` (a scalar or a [`c_struct!`](crate::c_struct) record),
    /// `Option<RawPtr>`, `Option<CString>`), up to sixteen; the
    /// result any [`CallbackRet`] (scalars, `()`, `Option<RawPtr>`, or a
    /// `Result` of those whose `Err` is reported as the callback's failure).
    /// No [`Value`] is made: arguments are read and the result written
    /// directly.
    ///
    /// A closure that captures nothing (or a function item) is zero-sized,
    /// and C then calls a trampoline made for its type at compile time: a
    /// plain `extern "C"` function that calls the closure, with no libffi
    /// closure in between, close to the cost of a C function pointer to a C
    /// function. A capturing closure needs a pointer to its captures: where
    /// rctypes makes machine code (x86-64 System V, feature `codegen`) and
    /// its arguments all travel in registers with one integer register to
    /// spare, it gets an entry of its own, a few instructions that pass
    /// that pointer to a trampoline made for its type, nearly as fast; else
    /// it goes through a libffi closure, which carries the pointer
    /// ([`is_direct`](Callback::is_direct) tells). Both catch panics and report
    /// failures the same way, with two differences for the direct form:
    /// callbacks of the same closure type share the record of failures on
    /// threads with no checked call running, and one given a non-zero
    /// [`with_error_value`](TypedCallback::with_error_value) goes through
    /// its libffi closure.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
    /// use rctypes::{Callback, CType, TypedCFunc, TypedCallback};
    /// let binop = CType::func_ptr([CType::Int, CType::Int], CType::Int);
    /// // SAFETY: callback.c: `int apply_binop(int (*op)(int, int), int a, int b)`.
    /// let apply = unsafe { lib.function("apply_binop", &[binop, CType::Int, CType::Int], CType::Int)? };
    /// let apply: TypedCFunc<(&TypedCallback<(i32, i32), i32>, i32, i32), i32> = apply.typed()?;
    /// let sub = Callback::typed(|a: i32, b: i32| a - b)?;
    /// assert_eq!(apply.call((&sub, 10, 3)), 7);
    /// # Ok(()) }
    /// ```
    pub fn typed<Args, Ret, F>(f: F) -> Result<TypedCallback<Args, Ret>>
    where
        Args: CallbackArgs,
        Ret: CallbackRet,
        F: CallbackFn<Args, Ret>,
    {
        let signature = Arc::new(Signature::new(Args::arg_types(), Ret::ctype()));
        // SAFETY: the typed trampoline for this State<F> reads the arguments
        // as the `Args` the signature was derived from and writes a `Ret`.
        let mut callback =
            unsafe { Callback::with_handler(signature, f, typed_trampoline::<F, Args, Ret>) }?;
        if let Some(code) = F::direct_code() {
            // `direct_code` is `Direct::<F, Args, Ret>::trampoline`, a C
            // function of the signature derived from `Args` and `Ret`, which
            // calls the zero-sized `F` and records failures in `F`'s slot.
            // SAFETY: as above.
            unsafe { callback.use_direct(code, type_slot::<F>()) };
        } else if let Some(entry) = F::entry_target().and_then(|target| {
            super::entry::make(callback.signature(), target, callback.state_address())
        }) {
            // `entry_target` is `Bound::<F, Args, Ret>::trampoline`, a C
            // function of the signature's arguments and then the address of
            // the callback's `State<F>`, which the entry passes.
            // SAFETY: as above.
            unsafe { callback.use_entry(entry) };
        }
        Ok(TypedCallback {
            callback,
            _signature: PhantomData,
        })
    }
}

/// The trampoline of a typed callback.
unsafe extern "C" fn typed_trampoline<F, Args, Ret>(
    _cif: *mut ffi_cif,
    result: *mut c_void,
    args: *mut *mut c_void,
    userdata: *mut c_void,
) where
    F: CallbackFn<Args, Ret>,
    Args: CallbackArgs,
    Ret: CallbackRet,
{
    // SAFETY: the closure was prepared with a `State<F>` as userdata, alive
    // while the closure exists.
    let state = unsafe { &*(userdata as *const State<F>) };
    // SAFETY: libffi passes one pointer per argument of the signature that
    // `Args` derived, each to a value of its Raw type.
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| unsafe {
        state.handler.invoke(args as _)
    }));
    match outcome {
        // SAFETY: `result` is libffi's buffer for `Ret`'s C type.
        Ok(Ok(raw)) => unsafe { Ret::store(raw, result) },
        // SAFETY: as above.
        Ok(Err(reason)) => unsafe { state.core.finish(Ok(Err(reason)), result) },
        // SAFETY: as above.
        Err(payload) => unsafe { state.core.finish(Err(payload), result) },
    }
}

macro_rules! callback_arity {
    ($($a:ident $i:tt),*) => {
        impl<$($a: CallbackParam),*> CallbackArgs for ($($a,)*) {
            fn arg_types() -> Vec<CType> {
                vec![$($a::ctype()),*]
            }
        }

        impl<Func, Ret, $($a),*> Sealed<(($($a,)*), Ret)> for Func
        where
            Func: Fn($($a),*) -> Ret + Send + Sync + 'static,
            Ret: CallbackRet,
            $($a: CallbackArg,)*
        {
        }

        impl<Func, Ret, $($a),*> CallbackFn<($($a,)*), Ret> for Func
        where
            Func: Fn($($a),*) -> Ret + Send + Sync + 'static,
            Ret: CallbackRet,
            $($a: CallbackArg,)*
        {
            #[inline(always)]
            #[allow(non_snake_case, unused_variables)]
            unsafe fn invoke(
                &self,
                args: *const *const c_void,
            ) -> std::result::Result<Ret::Raw, String> {
                $(
                    // SAFETY: the caller's promise: argument $i is a $a::Raw.
                    let $a = unsafe { $a::from_raw((*args.add($i) as *const $a::Raw).read()) }
                        .map_err(|e| format!("argument {}: {e}", $i + 1))?;
                )*
                (self)($($a),*).into_raw()
            }

            fn entry_target() -> Option<*const c_void> {
                let code: unsafe extern "C" fn($($a::Raw,)* *const State<Func>) -> MaybeUninit<Ret::Raw> =
                    Bound::<Func, ($($a,)*), Ret>::trampoline;
                Some(code as *const c_void)
            }

            fn direct_code() -> Option<*const c_void> {
                if size_of::<Func>() != 0 {
                    return None;
                }
                let code: unsafe extern "C" fn($($a::Raw),*) -> MaybeUninit<Ret::Raw> =
                    Direct::<Func, ($($a,)*), Ret>::trampoline;
                Some(code as *const c_void)
            }
        }

        impl<Func, Ret, $($a),*> Direct<Func, ($($a,)*), Ret>
        where
            Func: Fn($($a),*) -> Ret + Send + Sync + 'static,
            Ret: CallbackRet,
            $($a: CallbackArg,)*
        {
            /// C calls this directly: the arguments arrive in registers as
            /// the C signature places them, and the result goes back the
            /// same way (`MaybeUninit<T>` has `T`'s ABI, and lets a failure
            /// give C zero bytes whatever `T` is).
            #[allow(non_snake_case)]
            unsafe extern "C" fn trampoline($($a: $a::Raw),*) -> MaybeUninit<Ret::Raw> {
                // Only used for a zero-sized `Func` (`direct_code`), for
                // which a dangling, aligned pointer is a valid reference; an
                // instance lives in the callback whose code C was given.
                // SAFETY: as above.
                let f: &Func = unsafe { NonNull::<Func>::dangling().as_ref() };
                // SAFETY: C passed each argument as its C type.
                match unsafe { Self::call_caught(f, $($a),*) } {
                    Ok(Ok(raw)) => MaybeUninit::new(raw),
                    failed => direct_failure::<Func, ($($a,)*), Ret>(failed),
                }
            }

            /// Converts the arguments C passed and calls `f`, with panics
            /// caught: what both trampolines run.
            ///
            /// # Safety
            ///
            /// Each argument is a value of its C type, as C passed it.
            #[inline(always)]
            #[allow(non_snake_case, clippy::too_many_arguments, reason = "one per argument")]
            unsafe fn call_caught(
                f: &Func,
                $($a: $a::Raw),*
            ) -> std::thread::Result<std::result::Result<Ret::Raw, String>> {
                panic::catch_unwind(AssertUnwindSafe(|| {
                    $(
                        // SAFETY: the caller's promise: C passed this
                        // argument as $a's C type.
                        let $a = unsafe { $a::from_raw($a) }
                            .map_err(|e| format!("argument {}: {e}", $i + 1))?;
                    )*
                    f($($a),*).into_raw()
                }))
            }
        }

        impl<Func, Ret, $($a),*> Bound<Func, ($($a,)*), Ret>
        where
            Func: Fn($($a),*) -> Ret + Send + Sync + 'static,
            Ret: CallbackRet,
            $($a: CallbackArg,)*
        {
            /// C calls this through the callback's entry, which adds the
            /// address of its state after C's arguments.
            #[allow(non_snake_case)]
            unsafe extern "C" fn trampoline(
                $($a: $a::Raw,)*
                state: *const State<Func>,
            ) -> MaybeUninit<Ret::Raw> {
                // SAFETY: the entry passes the state of the callback whose
                // code C was given, alive while that callback is.
                let state = unsafe { &*state };
                // SAFETY: C passed each argument as its C type.
                let outcome = unsafe {
                    Direct::<Func, ($($a,)*), Ret>::call_caught(&state.handler, $($a),*)
                };
                match outcome {
                    Ok(Ok(raw)) => MaybeUninit::new(raw),
                    failed => bound_failure::<Ret>(&state.core, failed.map(|r| r.map(drop))),
                }
            }
        }
    };
}

/// The direct trampolines of zero-sized closures of type `F` (see
/// [`Callback::typed`]), one per signature.
struct Direct<F, Args, Ret>(PhantomData<fn(F, Args) -> Ret>);

/// The trampolines of capturing closures of type `F` that an entry jumps
/// to with the callback's state (`callback::entry`), one per signature.
struct Bound<F, Args, Ret>(PhantomData<fn(F, Args) -> Ret>);

/// Records a bound trampoline's failure as the libffi closure's trampoline
/// does, and gives C the callback's error value.
#[cold]
#[inline(never)]
fn bound_failure<Ret: CallbackRet>(
    core: &Core,
    outcome: std::thread::Result<std::result::Result<(), String>>,
) -> MaybeUninit<Ret::Raw> {
    // Entries are made for scalar, pointer and void results only.
    if size_of::<Ret::Raw>() > size_of::<Slot>() {
        return MaybeUninit::zeroed();
    }
    let mut slot = Slot::ZERO;
    // SAFETY: a Slot holds any scalar result, widened or not.
    unsafe { core.finish(outcome, slot.as_mut_ptr()) };
    // SAFETY: checked above: the slot holds a `Ret::Raw`'s bytes, its value
    // first (little-endian, as x86-64 is, where entries are made).
    unsafe { (slot.0.as_ptr() as *const MaybeUninit<Ret::Raw>).read_unaligned() }
}

/// Records a direct trampoline's failure for the call running on this
/// thread, or in `F`'s type slot, and gives C zero bytes (zero, null,
/// false, the zeroed struct).
#[cold]
#[inline(never)]
fn direct_failure<F: 'static, Args: CallbackArgs, Ret: CallbackRet>(
    outcome: std::thread::Result<std::result::Result<Ret::Raw, String>>,
) -> MaybeUninit<Ret::Raw> {
    let signature = Signature::new(Args::arg_types(), Ret::ctype());
    if let Some(message) = failure_message(&signature, outcome.map(|r| r.map(drop))) {
        type_slot::<F>().record(message);
    }
    MaybeUninit::zeroed()
}

super::for_each_arity!(callback_arity);

/// A checked typed call watches the callback for failures on other threads.
impl<Args: CallbackArgs, Ret: CallbackRet> SealedData for &TypedCallback<Args, Ret> {
    #[inline(always)]
    fn lent_callback(&self) -> Option<Arc<dyn Any + Send + Sync>> {
        Some(self.core().failure.clone())
    }
}

// SAFETY: the callback's code pointer, valid while the borrow lasts, which
// covers the call.
unsafe impl<Args: CallbackArgs, Ret: CallbackRet> CArg for &TypedCallback<Args, Ret> {
    type Raw = *const c_void;
    fn ctype() -> CType {
        CType::FuncPtr(Arc::new(Signature::new(Args::arg_types(), Ret::ctype())))
    }
    fn accepts(declared: &CType) -> bool {
        declared.is_compatible(&Self::ctype()) && matches!(declared, CType::FuncPtr(_))
    }
    #[inline(always)]
    fn into_raw(self) -> *const c_void {
        self.code_ptr()
    }
}

// SAFETY: the same callback's code pointer, whatever the borrow's lifetime.
unsafe impl<Args: CallbackArgs, Ret: CallbackRet> SameArg<&TypedCallback<Args, Ret>>
    for &TypedCallback<Args, Ret>
{
    #[inline(always)]
    fn into_raw_as(self) -> *const c_void {
        self.code_ptr()
    }
}

impl<'a, Args, Ret> From<&'a TypedCallback<Args, Ret>> for Value<'a> {
    fn from(c: &'a TypedCallback<Args, Ret>) -> Self {
        Value::Callback(&c.callback)
    }
}
