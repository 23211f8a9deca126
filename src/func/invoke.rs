//! The short form of a dynamic call: the arguments as a tuple of Rust
//! values, the result as the Rust type asked for. Every check is
//! [`CFunc::call`]'s own; only the ceremony around it goes.

use std::borrow::Cow;
use std::ffi::{CString, c_void};
use std::mem::ManuallyDrop;

use crate::error::{Error, Result};
use crate::failure::CallScope;
use crate::func::direct::{self, DirectParam, Takes};
use crate::func::{CFunc, fast};
use crate::sealed::{Sealed, SealedArg};
use crate::types::{CType, LongDouble};
use crate::value::array::{ArrayArg, Ptr, PtrMut};
use crate::value::{
    FromValue, Handle, InRoom, RawPtr, Room, Strings, StructValue, Value, decode_word,
};

/// One element of an [`IntoArgs`] tuple: a Rust value rctypes converts
/// into a [`Value`]. A number, `bool`, `char`, `&str`, `&CStr` or
/// `CString`, a slice, array or `Vec` borrowed for the call, a
/// [`Handle`], a callback, a [`c_struct!`](crate::c_struct) struct, an
/// `Option` of one (`None` is NULL), a `Value` itself. Sealed.
///
/// ```
/// use rctypes::{IntoArg, Value};
/// fn value<'a>(arg: impl IntoArg<'a>) -> Value<'a> {
///     arg.into()
/// }
/// assert_eq!(value(7u8), Value::Int(7));
/// assert_eq!(value(None::<&str>), Value::Null);
/// ```
///
/// # Safety
///
/// A non-zero `CODE` promises that what `to_raw` gives is exactly a C
/// value of that kind (for a struct, of the layout `is_declared_as`
/// accepts, passed by value as C passes that type; for the borrowed code,
/// the address of what the declared parameter takes, a NUL-terminated
/// string, an array its ndpointer admits or an array that covers what the
/// pointer's contract lets C touch, valid while the call runs).
/// rctypes implements it for its own types, and `c_struct!` for the
/// structs it declares.
pub unsafe trait IntoArg<'a>: Into<Value<'a>> + SealedArg {
    /// For a Rust number or struct, the code of its C type's kind, with
    /// which a call whose declared types are exactly the tuple's passes it
    /// as it stands (`func::direct`); for a borrow, the borrowed code; 0
    /// for anything else.
    #[doc(hidden)]
    const CODE: u8 = 0;

    /// Whether `declared[index]`, a type of this one's kind, is this very
    /// type: for a struct, its own layout. (A number's kind says it all,
    /// so it reads nothing.)
    #[doc(hidden)]
    #[inline(always)]
    fn is_declared_as(_declared: &[CType], _index: usize) -> bool {
        true
    }

    /// What C gets for this value in a direct call: the value itself, or
    /// for a string, the address of its bytes with a NUL after them.
    #[doc(hidden)]
    type Raw;

    /// This value as C gets it in a direct call as argument `index`, where
    /// `params[index]` is declared, with `counts` what
    /// [`as_count`](Self::as_count) gives for each element of the tuple
    /// (for ndpointer shapes and extents' counts), copies (a string's,
    /// with its NUL) made into `copies`; `None` where it does not pass as
    /// it stands (a string holding a NUL, an array the parameter's checks
    /// refuse, a borrow of something else), and the checked call takes it.
    #[doc(hidden)]
    #[inline(always)]
    fn to_raw(
        &self,
        _params: &[DirectParam],
        _index: usize,
        _counts: &[Option<usize>],
        _copies: &mut Copies<'_>,
    ) -> Option<Self::Raw> {
        None
    }

    /// The count this value's [`Value`] holds: its integer, if it is a
    /// `Value::Int` a `usize` holds.
    #[doc(hidden)]
    #[inline(always)]
    fn as_count(&self) -> Option<usize> {
        None
    }
}

/// Copies made for a direct call (strings with their NUL), on the call's
/// stack; a string that does not fit takes the checked call. Hidden: for
/// [`IntoArg`]'s direct calls only.
#[doc(hidden)]
pub struct Copies<'r>(InRoom<'r>);

/// Numbers, which pass as they stand where declared as their C type.
macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl SealedArg for $t {}
        // SAFETY: a Scalar has its CTYPE's representation.
        unsafe impl IntoArg<'_> for $t {
            const CODE: u8 = direct::scalar_code::<$t>();
            type Raw = $t;
            #[inline(always)]
            fn to_raw(
                &self,
                _: &[DirectParam],
                _: usize,
                _: &[Option<usize>],
                _: &mut Copies<'_>,
            ) -> Option<$t> {
                Some(*self)
            }
            #[inline(always)]
            fn as_count(&self) -> Option<usize> {
                // Folds to the variant the number converts to, which owns
                // nothing: not dropped.
                match *ManuallyDrop::new(Value::from(*self)) {
                    Value::Int(i) => usize::try_from(i).ok(),
                    _ => None,
                }
            }
        }
    )*};
}

number_args!(
    i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64, bool
);

/// Everything else converts into its `Value`, to be checked.
macro_rules! other_args {
    ($(($($gen:tt)*) $t:ty;)*) => {$(
        impl<'a, $($gen)*> SealedArg for $t {}
        // SAFETY: no code: nothing is passed as it stands.
        unsafe impl<'a, $($gen)*> IntoArg<'a> for $t {
            type Raw = Self;
        }
    )*};
}

other_args! {
    () i128;
    () char;
    () LongDouble;
    () CString;
    () RawPtr;
    () StructValue;
    () Value<'a>;
    () Strings<'a>;
    () ArrayArg<'a>;
    (T: crate::value::Element) Ptr<'a, T>;
    (T: crate::value::Element) PtrMut<'a, T>;
    (T: IntoArg<'a>) Option<T>;
}

// Whatever is borrowed: slices, arrays, strings, handles, callbacks,
// buffers and structs, shared or mutable. A `&str` or `&CStr` passes as it
// stands to a `const char *` C reads up to its NUL, as the address of its
// bytes followed by a NUL; an array to an ndpointer whose checks it
// passes, and to a pointer to numbers (or to rows of them) that the
// checked call would lend it to (the borrowed code, which all of these
// have); any other borrow claims the code too, and its `to_raw` declines,
// so that the checked call takes it. `|$this| $value` converts the borrow,
// in `to_raw` itself, where the compiler folds the value away.
macro_rules! borrowed_args {
    ($(($($mut:tt)?) |$this:ident| $value:expr;)*) => {$(
        impl<T: ?Sized> SealedArg for &$($mut)? T {}
        // SAFETY: the borrowed code promises a pointer to what the
        // parameter declares, which `to_raw` gives: for a string, the
        // `&CStr`'s own bytes, or the `&str`'s (where they end with their
        // only NUL) or their copy with a NUL in `copies`, which outlive the
        // call; for an ndpointer, the address of an array it admits, and
        // for a plain pointer, of an array the checked call's checks pass
        // (`Lending::lend`: C writes only to a writable one), borrowed for
        // `'b`, longer than the call.
        unsafe impl<'a, 'b, T: ?Sized> IntoArg<'a> for &'b $($mut)? T
        where
            &'b $($mut)? T: Into<Value<'a>>,
        {
            const CODE: u8 = direct::BORROWED_CODE;
            type Raw = *const c_void;
            #[inline(always)]
            fn to_raw(
                &self,
                params: &[DirectParam],
                index: usize,
                counts: &[Option<usize>],
                copies: &mut Copies<'_>,
            ) -> Option<*const c_void> {
                let param = params.get(index)?;
                // Argument `j`'s count (1-based), for shapes and extents.
                let count = |j: usize| counts.get(j.wrapping_sub(1)).copied().flatten();
                let $this = self;
                // Folds to the one variant the borrow converts to. A
                // string owns nothing: its value is not dropped.
                let mut value = ManuallyDrop::new($value);
                // Read first, where the compiler sees it is constant.
                let owns_nothing = matches!(&*value, Value::Array(a) if a.owns_nothing());
                let raw = match (&*value, &param.0) {
                    (Value::Str(s), Takes::String) => return copies.0.c_string(s)?.ok(),
                    (Value::CStr(Cow::Borrowed(s)), Takes::String) => {
                        return Some(s.as_ptr() as *const c_void);
                    }
                    (Value::Array(a), Takes::NdPointer(p)) => p.admits_with(a, count),
                    (Value::Array(a), Takes::Array(lending)) => lending.lend(a, count),
                    _ => None,
                };
                // The array's address is of the borrowed memory, not of
                // the value, which may go: dropped where it is, unless it
                // owns nothing.
                if !owns_nothing {
                    // SAFETY: `value` is not used again.
                    unsafe { ManuallyDrop::drop(&mut value) };
                }
                raw
            }
        }
    )*};
}

borrowed_args! {
    () |this| (*this).into();
    (mut) |this| {
        // SAFETY: a copy of the borrow, to convert: it and what is made of
        // it are used only while the call runs, when the borrow it copies
        // is not (it waits in the tuple, for the checked call should this
        // decline), as a reborrow would be.
        let this: &mut T = unsafe { std::ptr::read(this) };
        this.into()
    };
}

/// A tuple of arguments for [`CFunc::invoke`]: each element is an
/// [`IntoArg`] (a number, a `&str`, a slice or array borrowed for the call,
/// a [`Handle`], a callback, a `Value` itself). Sealed: implemented for
/// tuples of up to twelve.
///
/// ```
/// use rctypes::{IntoArgs, Value};
/// let data = [1.0f64, 2.0];
/// let values = (7, "text", &data).into_values();
/// assert_eq!(values.as_ref()[0], Value::Int(7));
/// assert_eq!(values.as_ref().len(), 3);
/// ```
pub trait IntoArgs<'a>: Sealed {
    /// The values, in order: an array of as many as the tuple has.
    type Values: AsRef<[Value<'a>]>;
    /// Converts each element into its [`Value`].
    fn into_values(self) -> Self::Values;

    /// The key of the elements' types (`func::direct`): their codes, or
    /// `NO_TYPES` where one stands for no C type.
    #[doc(hidden)]
    const KEY: u64;

    /// Whether each element is the type declared in its place, `declared`
    /// having the elements' key: for a struct, its own layout.
    #[doc(hidden)]
    fn declared_as(declared: &[CType]) -> bool;

    /// The elements as C gets them in a direct call.
    #[doc(hidden)]
    type Raws;

    /// Each element as [`IntoArg::to_raw`] gives it where `params` are
    /// declared, or `None` where one declines.
    #[doc(hidden)]
    fn to_raws(&self, params: &[DirectParam], copies: &mut Copies<'_>) -> Option<Self::Raws>;

    /// Calls `code` as an `extern "C"` function of the elements' C types.
    ///
    /// # Safety
    ///
    /// `code` must be a function of exactly those argument types and
    /// result `R`, and every address in `raws` valid for the call.
    #[doc(hidden)]
    unsafe fn call_raws<R>(raws: Self::Raws, code: *const c_void) -> R;
}

/// Rust types a call's result converts into, for [`CFunc::invoke`]: every
/// [`FromValue`] type that borrows nothing (numbers range-checked, strings, pointers, structs,
/// `Option`s of them for results that may be NULL), `()` for a `void`
/// function, [`Handle`] for a function that returns a handle, and
/// [`Value`] itself.
///
/// ```
/// use rctypes::{FromResult, Value};
/// assert_eq!(i16::from_result(Value::Int(300))?, 300);
/// assert!(u8::from_result(Value::Int(300)).is_err());
/// assert!(<()>::from_result(Value::Void).is_ok());
/// assert!(<()>::from_result(Value::Int(0)).is_err());
/// # Ok::<(), rctypes::Error>(())
/// ```
pub trait FromResult: Sized + 'static {
    /// The conversion, checked as [`Value::to`] checks.
    fn from_result(value: Value<'static>) -> Result<Self>;

    /// The same conversion of a result that came back in one register (a
    /// number, `_Bool`, pointer, null or `void`), which owns nothing:
    /// not dropped, so that a call's fast path keeps it in registers.
    #[doc(hidden)]
    #[inline(always)]
    fn from_word_result(value: ManuallyDrop<Value<'static>>) -> Result<Self> {
        Self::from_result(ManuallyDrop::into_inner(value))
    }

    /// The same conversion of a call's outcome, its `Value` read where the
    /// call left it: moving 112 bytes out of the `Result` first costs more
    /// than the conversion.
    #[doc(hidden)]
    #[inline(always)]
    fn from_call(outcome: Result<Value<'static>>) -> Result<Self> {
        Self::from_result(outcome?)
    }
}

impl<T: FromValue + 'static> FromResult for T {
    #[inline(always)]
    fn from_result(value: Value<'static>) -> Result<Self> {
        T::from_value(&value)
    }

    #[inline(always)]
    fn from_word_result(value: ManuallyDrop<Value<'static>>) -> Result<Self> {
        T::from_value(&value)
    }

    #[inline(always)]
    fn from_call(outcome: Result<Value<'static>>) -> Result<Self> {
        match outcome {
            Ok(ref value) => T::from_value(value),
            Err(e) => Err(e),
        }
    }
}

/// A `void` function's result; any other result is an error, so that a
/// result is never dropped unseen by mistake (ask for it as `i32`, or as
/// [`Value`], to ignore it on purpose).
impl FromResult for () {
    #[inline(always)]
    fn from_result(value: Value<'static>) -> Result<Self> {
        match value {
            Value::Void => Ok(()),
            other => Err(not_void(&other)),
        }
    }

    #[inline(always)]
    fn from_word_result(value: ManuallyDrop<Value<'static>>) -> Result<Self> {
        match *value {
            Value::Void => Ok(()),
            ref other => Err(not_void(other)),
        }
    }

    #[inline(always)]
    fn from_call(outcome: Result<Value<'static>>) -> Result<Self> {
        match outcome {
            Ok(Value::Void) => Ok(()),
            Ok(ref other) => Err(not_void(other)),
            Err(e) => Err(e),
        }
    }
}

#[cold]
#[inline(never)]
fn not_void(given: &Value<'_>) -> Error {
    Error::Conversion {
        expected: "void (the function returns a value)".into(),
        given: given.describe(),
    }
}

impl FromResult for Value<'static> {
    #[inline(always)]
    fn from_result(value: Value<'static>) -> Result<Self> {
        Ok(value)
    }
}

impl FromResult for Handle {
    #[inline(always)]
    fn from_result(value: Value<'static>) -> Result<Self> {
        value.into_handle()
    }
}

impl CFunc {
    /// Calls the function with its arguments as a tuple of Rust values,
    /// converting the result to the type asked for: the short form of
    /// `f.call(&[a.into(), b.into()])?.to::<R>()`, with the same checks and
    /// the same errors (argument count, each argument against its declared
    /// type with its 1-based index, the result's range).
    ///
    /// Where every Rust type is exactly the C type declared in its place,
    /// and the result's too (an `i32` for an `int`, an `f64` for a
    /// `double`, `()` for `void`), no value can fail a check: the function
    /// is then called directly, as a [`TypedCFunc`](crate::TypedCFunc)
    /// calls it, a few instructions over the bare call
    /// ([`invokes_directly`](Self::invokes_directly),
    /// [`doc::performance`](crate::doc::performance)). Other types are
    /// checked, as `call` checks them.
    ///
    /// A `void` function's result is `()`. Pointer arguments are borrowed
    /// for the call, as with [`call`](Self::call).
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Extent};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
    /// let ints = |t: CType| t.extent(Extent::ElementsFromArg(2));
    /// // SAFETY: fibonacci.c defines `int fib(int)`, and
    /// // `void fibseries(int *a, int elements, int *series)`, which reads
    /// // `elements` ints from `a` and writes as many to `series`, neither NULL.
    /// let (fib, fibseries) = unsafe {
    ///     (
    ///         lib.function("fib", &[CType::Int], CType::Int)?,
    ///         lib.function(
    ///             "fibseries",
    ///             &[ints(CType::const_pointer(CType::Int)), CType::Int, ints(CType::pointer(CType::Int))],
    ///             CType::Void,
    ///         )?,
    ///     )
    /// };
    /// let n: i32 = fib.invoke((8,))?;
    /// assert_eq!(n, 13);
    ///
    /// let input = [1, 2, 3, 4, 5, 6, 7, 8];
    /// let mut series = [0i32; 8];
    /// let () = fibseries.invoke((&input, 8, &mut series))?;
    /// assert_eq!(series, [0, 1, 1, 2, 3, 5, 8, 13]);
    /// // Borrowed ints, shared where C reads and mutable where it writes:
    /// // called directly once their extents are checked.
    /// assert!(fibseries.invokes_directly::<(&[i32; 8], i32, &mut [i32; 8]), ()>());
    ///
    /// // The same checks as `call`, with the same words.
    /// let err = fib.invoke::<i32>((1i64 << 40,)).unwrap_err();
    /// assert_eq!(err.to_string(), fib.call(&[(1i64 << 40).into()]).unwrap_err().to_string());
    /// let err = fibseries.invoke::<()>((&input, 8, &input)).unwrap_err();
    /// assert!(err.to_string().contains("argument 3"), "{err}");
    /// // The result's range too: 13 is no `bool`.
    /// assert!(fib.invoke::<bool>((8,)).is_err());
    /// # Ok(()) }
    /// ```
    #[inline(always)]
    pub fn invoke<'a, R: FromResult>(&self, args: impl IntoArgs<'a>) -> Result<R> {
        if self.invokes_directly_with::<_, R>(&args) {
            let mut room = Room::new();
            let mut copies = Copies(InRoom::new(&mut room));
            if let Some(raws) = args.to_raws(self.direct.params(), &mut copies) {
                // SAFETY: each Rust type is the C type declared in its
                // place (the same machine kind; a C string for a string,
                // its copy alive until the call returns; an array its
                // ndpointer admits, or covering what its pointer lets C
                // touch), and the declaration is the binder's promise.
                return unsafe { self.call_direct::<_, R>(&args, raws) };
            }
        }
        let values = args.into_values();
        let values = values.as_ref();
        if let Some(program) = &self.program
            && let Some(compiled) = program.compiled_for(values)
        {
            // SAFETY: `compiled_for` gave the code of this function's
            // program, for as many values as it has arguments.
            return match unsafe { fast::call_compiled_word(self, compiled, program.ret, values) }? {
                // A result in one register decodes to a number, a bool, a
                // pointer, null or void: nothing to drop, so it is not.
                Some(word) => {
                    R::from_word_result(ManuallyDrop::new(decode_word(word, program.ret)))
                }
                None => R::from_call(fast::refused(self, values)),
            };
        }
        R::from_call(self.call(values))
    }
}

impl CFunc {
    /// Whether [`invoke`](Self::invoke) with arguments of the types in `A`
    /// and result `R` calls the function directly, as a
    /// [`TypedCFunc`](crate::TypedCFunc) would: where each Rust type is
    /// exactly the C type declared in its place (the same width, sign and
    /// class: an `i32` for an `int`, an `i64` for a `long` where `long` has
    /// 64 bits, an `f32` for a `float`), and so is the result (`()` for
    /// `void`), every value passes every check, and none is made. A
    /// borrowed argument where a `const char *` C reads up to its NUL, an
    /// [`ndpointer`](crate::ndpointer), or a pointer to numbers (or to rows
    /// of them) is declared is told apart at the call: a `&CStr` passes as
    /// it stands, a `&str` once copied with a NUL to the call's stack, an
    /// array once the ndpointer's checks pass (its shape may name an
    /// integer argument), or once it is of the declared numbers and covers
    /// what the pointer's [`Extent`](crate::Extent) lets C touch (counted
    /// from the tuple's integers); a string holding a NUL or longer than
    /// that room, an array refused, or another borrow, takes the checked
    /// call, with its errors.
    /// Not for variadic functions, nor after
    /// [`with_errno`](Self::with_errno),
    /// [`with_errcheck`](Self::with_errcheck), another calling convention
    /// or [`via`](Self::via). Other types take the checked call, with its
    /// errors; the results are the same.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Library};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { Library::open(rctypes_csrc::library("fibonacci"))? };
    /// // SAFETY: fibonacci.c defines `int fib(int)`.
    /// let fib = unsafe { lib.function("fib", &[CType::Int], CType::Int)? };
    /// assert!(fib.invokes_directly::<(i32,), i32>());
    /// assert_eq!(fib.invoke::<i32>((8,))?, 13);
    /// // An i64 might not fit: checked, then passed.
    /// assert!(!fib.invokes_directly::<(i64,), i32>());
    /// assert_eq!(fib.invoke::<i32>((8i64,))?, 13);
    /// assert!(fib.invoke::<i32>((1i64 << 40,)).is_err());
    ///
    /// # let abi = unsafe { Library::open(rctypes_csrc::library("abi"))? };
    /// // SAFETY: abi.c defines `size_t str_len(const char *s)`, which reads
    /// // s up to its NUL and keeps nothing.
    /// let strlen = unsafe { abi.declare("size_t str_len(const char *s)")? };
    /// assert!(strlen.invokes_directly::<(&str,), usize>());
    /// assert_eq!(strlen.invoke::<usize>(("four",))?, 4);
    /// // A NUL inside: refused by the checked call.
    /// assert!(strlen.invoke::<usize>(("a\0b",)).is_err());
    ///
    /// # let mean = unsafe { Library::open(rctypes_csrc::library("mean"))? };
    /// // SAFETY: mean.c defines `float compute_mean(float *A, int n)`,
    /// // which reads n floats of A and keeps nothing.
    /// let compute_mean = unsafe { mean.declare("float compute_mean(const float A[n], int n)")? };
    /// assert!(compute_mean.invokes_directly::<(&[f32], i32), f32>());
    /// let data = [1.0f32, 2.0, 6.0];
    /// assert_eq!(compute_mean.invoke::<f32>((&data[..], 3))?, 3.0);
    /// // C would read past the end: refused by the checked call.
    /// assert!(compute_mean.invoke::<f32>((&data[..], 4)).is_err());
    /// # Ok(()) }
    /// ```
    #[inline(always)]
    pub fn invokes_directly<'a, A: IntoArgs<'a>, R: FromResult>(&self) -> bool {
        self.direct.takes::<A, R>(&self.args)
    }
}

impl CFunc {
    /// [`invokes_directly`](Self::invokes_directly) for the type of `args`
    /// (`R` stays `invoke`'s one generic argument, so that type is `impl`).
    #[inline(always)]
    fn invokes_directly_with<'a, A: IntoArgs<'a>, R: FromResult>(&self, _args: &A) -> bool {
        self.invokes_directly::<A, R>()
    }

    /// The direct call, with the callback scope every call has.
    ///
    /// # Safety
    ///
    /// The function must be of exactly `A`'s argument types and result
    /// `R`, and every address in `raws` valid for the call.
    #[inline(always)]
    unsafe fn call_direct<'a, A: IntoArgs<'a>, R>(&self, _args: &A, raws: A::Raws) -> Result<R> {
        let scope = CallScope::enter();
        // SAFETY: as the caller promised.
        let result = unsafe { A::call_raws::<R>(raws, self.code.as_ptr()) };
        match scope.exit() {
            None => Ok(result),
            Some(message) => Err(self.callback_error(message)),
        }
    }

    /// Whether calls capture `errno` ([`with_errno`](Self::with_errno)),
    /// for calls run on another thread to carry it.
    #[cfg_attr(not(feature = "nonblocking"), allow(dead_code))]
    pub(crate) fn captures_errno(&self) -> bool {
        self.use_errno
    }
}

macro_rules! into_args {
    ($len:expr; $($a:ident $i:tt),*) => {
        impl<'a, $($a: IntoArg<'a>),*> IntoArgs<'a> for ($($a,)*) {
            type Values = [Value<'a>; $len];
            #[inline(always)]
            fn into_values(self) -> Self::Values {
                [$(self.$i.into()),*]
            }

            const KEY: u64 = direct::args_key(&[$($a::CODE),*]);

            #[inline(always)]
            #[allow(unused_variables)]
            fn declared_as(declared: &[CType]) -> bool {
                true $(&& $a::is_declared_as(declared, $i))*
            }

            type Raws = ($($a::Raw,)*);

            #[inline(always)]
            #[allow(unused_variables)]
            fn to_raws(&self, params: &[DirectParam], copies: &mut Copies<'_>) -> Option<Self::Raws> {
                // Only a borrow reads them (an ndpointer's shape, a count).
                let borrows = false $(|| $a::CODE == direct::BORROWED_CODE)*;
                let counts: [Option<usize>; $len] = match borrows {
                    true => [$(self.$i.as_count()),*],
                    false => [None; $len],
                };
                Some(($(self.$i.to_raw(params, $i, &counts, copies)?,)*))
            }

            #[inline(always)]
            #[allow(unused_variables)]
            unsafe fn call_raws<R>(raws: Self::Raws, code: *const c_void) -> R {
                // SAFETY: as the caller promised, `code` has this type.
                unsafe {
                    let f: unsafe extern "C" fn($($a::Raw),*) -> R = std::mem::transmute(code);
                    f($(raws.$i),*)
                }
            }
        }
    };
}

/// Calls `$m!(len; A0 0, A1 1, ...)` once per tuple length, up to twelve.
macro_rules! for_each_tuple {
    ($m:ident) => {
        $m!(0;);
        $m!(1; A0 0);
        $m!(2; A0 0, A1 1);
        $m!(3; A0 0, A1 1, A2 2);
        $m!(4; A0 0, A1 1, A2 2, A3 3);
        $m!(5; A0 0, A1 1, A2 2, A3 3, A4 4);
        $m!(6; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5);
        $m!(7; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6);
        $m!(8; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7);
        $m!(9; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8);
        $m!(10; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9);
        $m!(11; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10);
        $m!(12; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10, A11 11);
    };
}
pub(crate) use for_each_tuple;

for_each_tuple!(into_args);
