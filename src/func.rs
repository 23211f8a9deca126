//! Dynamic calls: a symbol bound to a signature, called with checked [`Value`]s.

use std::ffi::c_void;
use std::fmt;
use std::sync::Arc;

use libffi::middle::{Cif, CodePtr};

use crate::callback::CallScope;
use crate::ctype::CType;
use crate::error::{Error, Result};
use crate::library::Library;
use crate::value::{Keep, Slot, Value, decode, encode};

/// Up to this many arguments are staged on the stack, with no heap allocation.
const INLINE_ARGS: usize = 8;

/// A result check run after every call: ctypes' `errcheck`. It gets the result
/// and the arguments, and returns the result to give (possibly changed) or an
/// error message.
pub type ErrCheck = dyn for<'a, 'b> Fn(Value<'static>, &'a [Value<'b>]) -> std::result::Result<Value<'static>, String>
    + Send
    + Sync;

/// A C function bound to a declared signature, called dynamically.
///
/// The libffi call interface is prepared once, when the function is bound.
/// Each [`call`](Self::call) checks the argument count and converts every
/// argument to its declared type (range-checked) before C runs; up to eight
/// arguments are staged with no heap allocation. For signatures known at
/// compile time, [`typed`](Self::typed) gives a [`TypedCFunc`](crate::TypedCFunc)
/// that calls C directly.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Library};
/// let lib = unsafe { Library::open(concat!(env!("RCTYPES_CSRC_DIR"), "/libfibonacci.so"))? };
/// // SAFETY: fibonacci.c defines `int fib(int)`.
/// let fib = unsafe { lib.function("fib", &[CType::Int], CType::Int)? };
/// assert_eq!(fib.call(&[8.into()])?.to::<i32>()?, 13);
/// let err = fib.call(&[(1i64 << 40).into()]).unwrap_err();
/// assert!(err.to_string().contains("argument 1: expected c_int"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CFunc {
    library: Library,
    name: Arc<str>,
    code: CodePtr,
    args: Arc<[CType]>,
    ret: CType,
    variadic: bool,
    /// For a variadic function, the interface of a call with no extra arguments.
    cif: Cif,
    use_errno: bool,
    errcheck: Option<Arc<ErrCheck>>,
}

// SAFETY: the code pointer stays valid while `library` is loaded (it holds a
// handle); the Cif is only read after preparation. Whether the C function is
// itself thread-safe is part of the promise made when binding it.
unsafe impl Send for CFunc {}
// SAFETY: as above; calls only read shared state.
unsafe impl Sync for CFunc {}

impl Library {
    /// Binds the function `symbol` with argument types `args` and result type
    /// `ret`: ctypes' `lib.symbol.argtypes = args; lib.symbol.restype = ret`.
    ///
    /// # Safety
    ///
    /// The symbol must be a C function with exactly this signature, and it must
    /// be memory-safe for every argument that passes the declared checks: what a
    /// pointer argument refers to is borrowed for the call only, so C must not
    /// keep it, nor read or write past the length its contract states.
    pub unsafe fn function(&self, symbol: &str, args: &[CType], ret: CType) -> Result<CFunc> {
        CFunc::bind(self, symbol, args, ret, false)
    }

    /// Binds a variadic function (`int printf(const char*, ...)`): `fixed`
    /// are the declared parameters; the rest are typed per call.
    ///
    /// # Safety
    ///
    /// As for [`function`](Self::function), for every call's full argument list.
    pub unsafe fn variadic(&self, symbol: &str, fixed: &[CType], ret: CType) -> Result<CFunc> {
        CFunc::bind(self, symbol, fixed, ret, true)
    }
}

impl CFunc {
    fn bind(
        library: &Library,
        symbol: &str,
        args: &[CType],
        ret: CType,
        variadic: bool,
    ) -> Result<CFunc> {
        let addr = library.symbol_address(symbol)?;
        if let Some(i) = args.iter().position(|t| *t == CType::Void) {
            return Err(Error::Signature {
                function: symbol.into(),
                reason: format!("argument {} is void; only a result can be", i + 1),
            });
        }
        let cif = prepare(args, args.len(), &ret, variadic).map_err(|reason| Error::Signature {
            function: symbol.into(),
            reason,
        })?;
        Ok(CFunc {
            library: library.clone(),
            name: symbol.into(),
            code: CodePtr::from_ptr(addr as *const c_void),
            args: args.into(),
            ret,
            variadic,
            cif,
            use_errno: false,
            errcheck: None,
        })
    }

    /// Captures `errno` around every call into this thread's private copy
    /// (ctypes' `use_errno=True`); read it with [`get_errno`](crate::get_errno).
    pub fn with_errno(mut self) -> CFunc {
        self.use_errno = true;
        self
    }

    /// Runs `check` on every result (ctypes' `errcheck`); an `Err` it returns
    /// becomes [`Error::Check`].
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # let abi = unsafe { rctypes::Library::open(concat!(env!("RCTYPES_CSRC_DIR"), "/libabi.so"))? };
    /// use rctypes::{CType, Value};
    /// // SAFETY: set_errno_to(int) returns -1.
    /// let f = unsafe { abi.function("set_errno_to", &[CType::Int], CType::Int)? }
    ///     .with_errcheck(|result, args| match result {
    ///         Value::Int(-1) => Err(format!("failed with errno {}", args[0].to::<i32>().unwrap())),
    ///         ok => Ok(ok),
    ///     });
    /// assert_eq!(f.call(&[2.into()]).unwrap_err().to_string(), "set_errno_to: failed with errno 2");
    /// # Ok(()) }
    /// ```
    pub fn with_errcheck<F>(mut self, check: F) -> CFunc
    where
        F: for<'a, 'b> Fn(
                Value<'static>,
                &'a [Value<'b>],
            ) -> std::result::Result<Value<'static>, String>
            + Send
            + Sync
            + 'static,
    {
        self.errcheck = Some(Arc::new(check));
        self
    }

    /// The symbol's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The library the function lives in.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// The declared argument types (the fixed ones, for a variadic function).
    pub fn arg_types(&self) -> &[CType] {
        &self.args
    }

    /// The declared result type.
    pub fn result_type(&self) -> &CType {
        &self.ret
    }

    /// Whether the function takes further arguments through `...`.
    pub fn is_variadic(&self) -> bool {
        self.variadic
    }

    /// The function's address.
    pub fn as_ptr(&self) -> *const c_void {
        self.code.as_ptr()
    }

    /// Calls the function. Every argument is checked against its declared type
    /// first; the first that does not fit is reported with its 1-based index.
    ///
    /// For a variadic function the arguments past the fixed ones take the type
    /// C's default promotions give them: integers `int` (or `long long` when
    /// too large), floats `double`, strings `char*`. Use
    /// [`call_variadic`](Self::call_variadic) to type them explicitly.
    pub fn call(&self, args: &[Value<'_>]) -> Result<Value<'static>> {
        if self.variadic {
            return self.call_varargs(args, None);
        }
        if args.len() != self.args.len() {
            return Err(self.arity_error(args.len()));
        }
        self.stage_and_call(&self.cif, &self.args, &[], args)
    }

    /// Calls a variadic function, giving the C type of each extra argument
    /// (promoted as C does: a `c_float` travels as `c_double`).
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Library, StringBuffer};
    /// let libc = Library::this()?;
    /// // SAFETY: snprintf's declared fixed part.
    /// let snprintf = unsafe {
    ///     libc.variadic("snprintf", &[CType::pointer(CType::Char), CType::SizeT, CType::CharP], CType::Int)?
    /// };
    /// let mut buf = StringBuffer::new(32);
    /// let cap = buf.capacity();
    /// snprintf.call_variadic(
    ///     &[(&mut buf).into(), cap.into(), "%ld/%.1f".into(), 7.into(), 2.5.into()],
    ///     &[CType::Long, CType::Float],
    /// )?;
    /// assert_eq!(buf.to_str().unwrap(), "7/2.5");
    /// # Ok(()) }
    /// ```
    pub fn call_variadic(
        &self,
        args: &[Value<'_>],
        extra_types: &[CType],
    ) -> Result<Value<'static>> {
        if !self.variadic {
            return Err(Error::Signature {
                function: self.name.to_string(),
                reason: "call_variadic on a function not declared variadic".into(),
            });
        }
        self.call_varargs(args, Some(extra_types))
    }

    fn call_varargs(
        &self,
        args: &[Value<'_>],
        explicit: Option<&[CType]>,
    ) -> Result<Value<'static>> {
        let fixed = self.args.len();
        if args.len() < fixed {
            return Err(self.arity_error(args.len()));
        }
        let extra = &args[fixed..];
        let extra_types: Vec<CType> = match explicit {
            Some(types) if types.len() != extra.len() => {
                return Err(Error::Arity {
                    function: self.name.to_string(),
                    expected: fixed + types.len(),
                    given: args.len(),
                    variadic: false,
                });
            }
            Some(types) => types.iter().map(CType::promoted).collect(),
            None => extra
                .iter()
                .enumerate()
                .map(|(i, v)| v.variadic_type().map_err(|m| m.at(&self.name, fixed + i)))
                .collect::<Result<_>>()?,
        };
        if extra_types.is_empty() {
            return self.stage_and_call(&self.cif, &self.args, &[], args);
        }
        let all: Vec<CType> = self.args.iter().chain(&extra_types).cloned().collect();
        let cif = prepare(&all, fixed, &self.ret, true).map_err(|reason| Error::Signature {
            function: self.name.to_string(),
            reason,
        })?;
        self.stage_and_call(&cif, &self.args, &extra_types, args)
    }

    fn arity_error(&self, given: usize) -> Error {
        Error::Arity {
            function: self.name.to_string(),
            expected: self.args.len(),
            given,
            variadic: self.variadic,
        }
    }

    /// Converts the arguments into slots (on the stack for up to
    /// `INLINE_ARGS`), then calls.
    fn stage_and_call(
        &self,
        cif: &Cif,
        fixed: &[CType],
        extra: &[CType],
        args: &[Value<'_>],
    ) -> Result<Value<'static>> {
        let n = args.len();
        if n <= INLINE_ARGS {
            let mut slots = [Slot::ZERO; INLINE_ARGS];
            let mut ptrs = [std::ptr::null_mut(); INLINE_ARGS];
            self.invoke(cif, fixed, extra, args, &mut slots[..n], &mut ptrs[..n])
        } else {
            let mut slots = vec![Slot::ZERO; n];
            let mut ptrs = vec![std::ptr::null_mut(); n];
            self.invoke(cif, fixed, extra, args, &mut slots, &mut ptrs)
        }
    }

    fn invoke(
        &self,
        cif: &Cif,
        fixed: &[CType],
        extra: &[CType],
        args: &[Value<'_>],
        slots: &mut [Slot],
        ptrs: &mut [*mut c_void],
    ) -> Result<Value<'static>> {
        let mut keep = Keep::default();
        let types = fixed.iter().chain(extra);
        for (i, ((value, ty), slot)) in args.iter().zip(types).zip(slots.iter_mut()).enumerate() {
            encode(value, ty, slot, &mut keep).map_err(|m| m.at(&self.name, i))?;
            ptrs[i] = slot.as_mut_ptr();
        }
        let mut ret = Slot::ZERO;
        if self.use_errno {
            crate::errno::swap();
        }
        let scope = CallScope::enter();
        // SAFETY: the binding's promise: `code` is a C function with the
        // signature `cif` was prepared from. Every argument slot holds a value
        // encoded as its declared type, pointer arguments point to memory
        // borrowed by `args` (or owned by `keep`) for the whole call, and `ret`
        // is 16 aligned bytes, at least max(size, sizeof(ffi_arg)) of any
        // scalar result.
        unsafe {
            libffi::raw::ffi_call(
                cif.as_raw_ptr(),
                Some(*self.code.as_safe_fun()),
                ret.as_mut_ptr(),
                ptrs.as_mut_ptr(),
            );
        }
        let mut failure = scope.exit();
        if self.use_errno {
            crate::errno::swap();
        }
        drop(keep);
        for arg in args {
            if let Value::Callback(c) = arg {
                failure = failure.or(c.take_failure());
            }
        }
        if let Some(message) = failure {
            return Err(Error::Callback {
                function: self.name.to_string(),
                message,
            });
        }
        // SAFETY: libffi wrote a result of the declared type (small integers
        // widened to ffi_arg); a `char*` result is a string by the promise.
        let result = unsafe { decode(ret.0.as_ptr(), &self.ret, true) };
        match &self.errcheck {
            None => Ok(result),
            Some(check) => check(result, args).map_err(|message| Error::Check {
                function: self.name.to_string(),
                message,
            }),
        }
    }
}

impl fmt::Debug for CFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self.args.iter().map(ToString::to_string).collect();
        let dots = if self.variadic { ", ..." } else { "" };
        write!(
            f,
            "CFunc({} {}({}{dots}) in {})",
            self.ret,
            self.name,
            args.join(", "),
            self.library.name()
        )
    }
}

/// Prepares a libffi call interface; `fixed` of `args` are declared, the rest
/// variadic.
fn prepare(
    args: &[CType],
    fixed: usize,
    ret: &CType,
    variadic: bool,
) -> std::result::Result<Cif, String> {
    let types = args.iter().map(CType::ffi_type);
    let result = if variadic {
        Cif::try_new_variadic(types, fixed, ret.ffi_type())
    } else {
        Cif::try_new(types, ret.ffi_type())
    };
    result.map_err(|e| format!("libffi cannot prepare it: {e:?}"))
}
