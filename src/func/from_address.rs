//! Function pointers C hands out (returned, or read from a struct field),
//! bound as callable functions, and C functions lent back to C as function
//! pointers.

use std::ffi::c_void;

use crate::error::{Error, Result};
use crate::func::{CFunc, CallConv};
use crate::library::Library;
use crate::types::{CType, Signature};
use crate::value::{FnPointer, Value};

impl CFunc {
    /// Binds the C function at `address` (a function pointer C returned, or
    /// read from a struct field) with argument types `args` and result type
    /// `ret`: ctypes' `CFUNCTYPE(ret, *args)(address)`. `name` names it in
    /// errors; `library` is kept loaded as long as the function (and its
    /// clones) live. The result is a [`CFunc`] like any other: called with
    /// checked values, made [`typed`](Self::typed), or lent back to C where
    /// a function pointer of a compatible signature is declared.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CFunc, CType, Value};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("real_apis_callbacks", rctypes_csrc::DIR)? };
    /// let binop = CType::func_ptr([CType::Int, CType::Int], CType::Int);
    /// // SAFETY: `int (*get_op(int which))(int, int)` returns one of its
    /// // library's static functions, or NULL.
    /// let get_op = unsafe { lib.function("get_op", &[CType::Int], binop)? };
    /// let Value::Pointer(sub) = get_op.call(&[1.into()])? else { unreachable!() };
    /// // SAFETY: get_op(1) is `int sub(int, int)`, code of `lib`, which the
    /// // CFunc keeps loaded.
    /// let sub = unsafe { CFunc::from_address(&lib, "sub", sub.as_ptr(), &[CType::Int, CType::Int], CType::Int)? };
    /// assert_eq!(sub.call(&[10.into(), 3.into()])?.to::<i32>()?, 7);
    /// let sub = sub.typed::<(i32, i32), i32>()?;
    /// assert_eq!(sub.call((2, 5)), -3);
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// `address` must be a C function with exactly this signature, meeting
    /// the contract [`Library::function`] states for a symbol, and its code
    /// must stay valid for as long as the returned function or any clone of
    /// it is used or lent to C: rctypes keeps `library` loaded, which covers
    /// a function of `library` itself; a function of any other library (a
    /// plugin's, one C loaded and may unload) is the caller's to keep.
    pub unsafe fn from_address(
        library: &Library,
        name: &str,
        address: *const c_void,
        args: &[CType],
        ret: CType,
    ) -> Result<CFunc> {
        if address.is_null() {
            return Err(Error::Symbol {
                library: library.name().into(),
                symbol: name.into(),
                message: "the function pointer is null".into(),
                source: None,
            });
        }
        CFunc::bind_at(library, name, address, args, ret, false)
    }
}

impl crate::sealed::Sealed for CFunc {}

/// A C function lent back to C as a function pointer: `Value::from(&f)`
/// passes where a [`CType::FuncPtr`] of a compatible signature is declared,
/// as a [`Callback`](crate::Callback) does. A variadic function, or one of
/// another calling convention, is refused there.
impl FnPointer for CFunc {
    fn code_ptr(&self) -> *const c_void {
        self.as_ptr()
    }

    fn signature(&self) -> &Signature {
        self.fn_signature
            .get_or_init(|| Signature::new(self.arg_types(), self.result_type().clone()))
    }

    /// It may be kept only while the CFunc lives, which a call cannot know.
    fn is_kept_forever(&self) -> bool {
        false
    }

    /// C code records no failures.
    fn take_failure(&self) -> Option<String> {
        None
    }

    fn is_plain_c(&self) -> bool {
        !self.is_variadic() && self.call_conv() == CallConv::C
    }
}

/// Lends the function to a call as a function pointer (see
/// [`CFunc::from_address`]).
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Value};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("real_apis_callbacks", rctypes_csrc::DIR)? };
/// let binop = CType::func_ptr([CType::Int, CType::Int], CType::Int);
/// // SAFETY: `binop_t get_op(int)` returns a static function or NULL;
/// // `int apply_op(binop_t op, int a, int b)` returns op(a, b).
/// let (get_op, apply_op) = unsafe {
///     (
///         lib.function("get_op", &[CType::Int], binop.clone())?,
///         lib.function("apply_op", &[binop, CType::Int, CType::Int], CType::Int)?,
///     )
/// };
/// let Value::Pointer(mul) = get_op.call(&[2.into()])? else { unreachable!() };
/// // SAFETY: get_op(2) is `int mul(int, int)`, code of `lib`.
/// let mul = unsafe {
///     rctypes::CFunc::from_address(&lib, "mul", mul.as_ptr(), &[CType::Int, CType::Int], CType::Int)?
/// };
/// assert_eq!(apply_op.call(&[(&mul).into(), 6.into(), 7.into()])?.to::<i32>()?, 42);
/// # Ok(()) }
/// ```
impl<'a> From<&'a CFunc> for Value<'a> {
    fn from(f: &'a CFunc) -> Self {
        Value::Callback(f)
    }
}
