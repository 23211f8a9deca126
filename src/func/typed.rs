//! Typed calls: a signature known at compile time, checked once, then every
//! call is a plain `extern "C"` call with no libffi and no per-call checks.

use std::any::Any;
use std::ffi::c_void;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::failure::{CallScope, FailureSlot};
use crate::func::{CFunc, CallConv};
use crate::library::Library;
use crate::sealed::{Sealed, SealedData};
use crate::types::CType;
use crate::value::{CArg, CRet, SameArg};

/// A tuple of [`CArg`]s: the argument list of a typed call. Sealed:
/// implemented for tuples of up to twelve.
///
/// ```
/// use rctypes::ArgList;
/// assert_eq!(<(i32, &mut f64)>::LEN, 2);
/// ```
pub trait ArgList: Sealed {
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
        if self.call_conv() != CallConv::C {
            return Err(Error::Signature {
                function: self.name().into(),
                reason: format!(
                    "typed calls follow the C calling convention, not {}: use call",
                    self.call_conv()
                ),
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
                // The failure slots of the callbacks lent.
                let watched: [Option<Arc<dyn Any + Send + Sync>>; $len] =
                    [$(SealedData::lent_callback(&args.$i)),*];
                let scope = CallScope::enter();
                let result = self.call(args);
                let mut failure = scope.exit();
                let slots = watched.iter().flatten().filter_map(|w| w.downcast_ref::<FailureSlot>());
                for slot in slots {
                    failure = failure.or(slot.take());
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
