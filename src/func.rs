//! Dynamic calls: a symbol bound to a signature, called with checked [`Value`]s.

use std::ffi::c_void;
use std::fmt;
use std::sync::{Arc, Mutex};

use libffi::middle::{Cif, CodePtr};

use std::mem::MaybeUninit;

use crate::error::{Error, Result};
use crate::failure::CallScope;
use crate::func::registers::{FLOAT_REGS, Plan, Registers, STACK_SLOTS, Shape};
use crate::library::Library;
use crate::types::{CType, Kind};
use crate::value::StructValue;
use crate::value::array::count_arg;
use crate::value::{
    Keep, Room, Slot, Value, check_contract, contents, decode_word, encode_aggregate,
    encode_long_double, encode_word, fill_out_slots, is_word_result, store_word,
};

mod abi;
mod call_conv;
mod direct;
mod fast;
mod free;
mod from_address;
mod invoke;
mod named;
pub(crate) mod registers;
mod typed;

pub use call_conv::CallConv;
pub use direct::DirectParam;
#[cfg_attr(not(feature = "nonblocking"), allow(unused_imports))]
pub(crate) use invoke::for_each_tuple;
pub use invoke::{Copies, FromResult, IntoArg, IntoArgs};
pub use named::Functions;
pub use typed::{ArgList, TypedCFunc};

use direct::Direct;
use fast::{Entry, Program};

/// The target this crate was built for, which is the process that loads
/// libraries: set by build.rs. Errors name it where a platform lacks something.
pub(crate) const TARGET: &str = env!("RCTYPES_TARGET");

/// Up to this many arguments are staged on the stack, with no heap allocation.
const INLINE_ARGS: usize = 8;

/// Interfaces a variadic function keeps, one per list of extra argument types.
const VARIADIC_CIFS: usize = 32;

/// A variadic call's interface, for one list of extra argument types.
struct VariadicCall {
    cif: Cif,
    /// The fixed and extra argument types.
    types: Vec<CType>,
    kinds: Vec<Kind>,
}

// SAFETY: the Cif is only read after preparation, as CFunc's.
unsafe impl Send for VariadicCall {}
// SAFETY: as above; calls only read it.
unsafe impl Sync for VariadicCall {}

/// A result check run after every call: ctypes' `errcheck`. It gets the result
/// and the arguments, and returns the result to give (possibly changed) or an
/// error message.
pub type ErrCheck = dyn for<'a, 'b> Fn(Value<'static>, &'a [Value<'b>]) -> std::result::Result<Value<'static>, String>
    + Send
    + Sync;

/// A C function bound to a declared signature, called dynamically.
///
/// The libffi call interface is prepared once, when the function is bound
/// (for a variadic function, once per list of extra argument types).
/// Each [`call`](Self::call) checks the argument count and converts every
/// argument to its declared type (range-checked) before C runs; up to eight
/// arguments are staged with no heap allocation. For signatures known at
/// compile time, [`typed`](Self::typed) gives a [`TypedCFunc`](crate::TypedCFunc)
/// that calls C directly.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Library};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { Library::open(rctypes_csrc::library("fibonacci"))? };
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
    /// Each argument's machine class, worked out once at bind time.
    kinds: Arc<[Kind]>,
    ret: CType,
    ret_kind: Kind,
    variadic: bool,
    /// The register route, where the signature allows one.
    plan: Option<Plan>,
    /// The fast path, where the signature allows it.
    program: Option<Program>,
    /// The Rust types [`invoke`](Self::invoke) passes as they stand.
    direct: Direct,
    /// Where a call goes when the program has no compiled code: the
    /// program's specialised entry, or the general path. Kept beside
    /// `program` so that such a call is one indirect jump.
    entry: Entry,
    /// Whether a parameter is a function pointer, whose callback may record
    /// a failure on another thread.
    takes_callbacks: bool,
    /// Whether a parameter ends the handle passed to it.
    releases: bool,
    /// Whether a parameter is a `T**` an out slot may fill after the call.
    writes_out: bool,
    /// For a variadic function, the interface of a call with no extra arguments.
    cif: Cif,
    /// For a variadic function, the interfaces prepared for the lists of
    /// extra argument types its calls gave, shared by its clones.
    variadic_cifs: Arc<Mutex<Vec<Arc<VariadicCall>>>>,
    /// The calling convention the interfaces are prepared for.
    conv: CallConv,
    use_errno: bool,
    errcheck: Option<Arc<ErrCheck>>,
    /// The signature as a function pointer type, made when the function is
    /// first lent to C as one.
    fn_signature: std::sync::OnceLock<crate::types::Signature>,
}

// SAFETY: the code pointer stays valid while `library` is loaded (it holds a
// handle); every Cif (the variadic ones too) is only read after preparation. Whether the C function is
// itself thread-safe is part of the promise made when binding it.
unsafe impl Send for CFunc {}
// SAFETY: as above; calls only read shared state.
unsafe impl Sync for CFunc {}

/// How a dynamic call reaches C ([`CFunc::route`]). Every route gives the
/// same results; they differ in speed and in the signatures they take.
///
/// See [`doc::performance`](crate::doc::performance) for what each costs.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Library, Route};
/// let libc = Library::this()?;
/// // SAFETY: `long double` results are declared as such; `ldexpl` is C99.
/// let ldexpl = unsafe {
///     libc.function("ldexpl", &[CType::LongDouble, CType::Int], CType::LongDouble)?
/// };
/// assert_eq!(ldexpl.route(), Route::Libffi, "long double takes libffi");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// The fast path's checks compiled to machine code for the signature
    /// when it is bound, the values loaded straight into the argument
    /// registers (and stack slots): taken by fast-path signatures whose
    /// arguments are all integers, `_Bool`s, `float`s and `double`s, up to
    /// eight of them on the stack, where the system lets the
    /// process map executable memory. A value the code does not take as it
    /// stands (a `bool`, or an integer for a `double`) goes to the general
    /// path (the register route), as does one out of range, whose error it
    /// words.
    Compiled,
    /// Arguments checked by a program made at bind time and passed straight
    /// in the argument registers. Taken by signatures of up to six integer
    /// or pointer and eight floating-point arguments (structs of up to 16
    /// bytes counting as the registers they travel in), and by signatures
    /// of numbers, pointers and strings that spill up to eight more to the
    /// stack, with a scalar, pointer or void result, on x86-64 System V. A
    /// `&str` for a `const char*` is copied to the stack while it is short.
    /// A call whose values need more (a callback to watch, a `bool` for an
    /// integer) takes the register route instead.
    Fast,
    /// Arguments converted one by one, any value a parameter accepts, then
    /// passed in registers (and up to eight stack slots) by an `asm!` call
    /// sequence;
    /// structs too, as arguments and results, where aligned to at most 8.
    /// x86-64 System V only.
    Registers,
    /// libffi's `ffi_call` on the interface prepared at bind time: every
    /// signature, variadic ones included.
    Libffi,
}

impl Route {
    /// Every route, fastest first.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Library, Route};
    /// let libc = Library::this()?;
    /// // SAFETY: `long labs(long)`.
    /// let labs = unsafe { libc.function("labs", &[CType::Long], CType::Long)? };
    /// // The same call on each route that takes the signature.
    /// for f in Route::ALL.iter().filter_map(|&r| labs.clone().via(r).ok()) {
    ///     assert_eq!(f.call(&[(-5).into()])?.to::<i64>()?, 5);
    /// }
    /// # Ok(()) }
    /// ```
    pub const ALL: [Route; 4] = [
        Route::Compiled,
        Route::Fast,
        Route::Registers,
        Route::Libffi,
    ];

    /// Whether this build has the route. libffi is everywhere; the register
    /// routes exist on x86-64 Linux and the BSDs unless built with
    /// `RCTYPES_PORTABLE=1`, and the compiled one there with the `codegen`
    /// feature too. See the README's Platforms table.
    ///
    /// ```
    /// use rctypes::Route;
    /// assert!(Route::Libffi.is_available());
    /// assert_eq!(Route::Fast.is_available(), Route::Registers.is_available());
    /// ```
    pub const fn is_available(self) -> bool {
        match self {
            Route::Compiled => cfg!(all(feature = "codegen", rctypes_x86_64_sysv)),
            Route::Fast | Route::Registers => cfg!(rctypes_x86_64_sysv),
            Route::Libffi => true,
        }
    }
}

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

/// Whether a parameter of type `ty` is a `T**` that an out slot
/// ([`Value::out_handle`], [`Value::out_str`], ...) may be lent to.
fn is_out_slot_type(ty: &CType) -> bool {
    matches!(ty.bare(), CType::Pointer(p) if matches!(p.bare(), CType::Handle(_) | CType::CharP))
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
        CFunc::bind_at(library, symbol, addr as *const c_void, args, ret, variadic)
    }

    /// Binds the code at `addr`, called `symbol` in errors, kept valid by
    /// `library`: the caller has checked that it is not null.
    fn bind_at(
        library: &Library,
        symbol: &str,
        addr: *const c_void,
        args: &[CType],
        ret: CType,
        variadic: bool,
    ) -> Result<CFunc> {
        if let Some(i) = args.iter().position(|t| *t == CType::Void) {
            return Err(Error::Signature {
                function: symbol.into(),
                reason: format!("argument {} is void; only a result can be", i + 1),
            });
        }
        crate::types::check_signature(args, &ret)
            .and_then(|()| crate::types::check_contracts(args))
            .map_err(|reason| Error::Signature {
                function: symbol.into(),
                reason,
            })?;
        let releases = args
            .iter()
            .any(|t| matches!(t, CType::Contract(c) if c.releases()));
        let cif = prepare(args, args.len(), &ret, variadic, CallConv::C).map_err(|reason| {
            Error::Signature {
                function: symbol.into(),
                reason,
            }
        })?;
        let writes_out = args.iter().any(is_out_slot_type);
        let plan = Plan::for_signature(args, &ret, variadic);
        // A call that ends a handle marks it afterwards, and one with an out
        // slot fills it afterwards, on the general path.
        let program = plan
            .as_ref()
            .filter(|_| !releases && !writes_out)
            .and_then(|plan| Program::for_signature(args, &ret, plan));
        Ok(CFunc {
            library: library.clone(),
            name: symbol.into(),
            code: CodePtr::from_ptr(addr),
            kinds: args.iter().map(CType::kind).collect(),
            plan,
            entry: program.as_ref().map_or(CFunc::call_general, Program::entry),
            program,
            direct: Direct::of(args, &ret, variadic),
            takes_callbacks: variadic || args.iter().any(|t| matches!(t.bare(), CType::FuncPtr(_))),
            releases,
            writes_out,
            args: args.into(),
            ret_kind: ret.kind(),
            ret,
            variadic,
            cif,
            variadic_cifs: Arc::default(),
            conv: CallConv::C,
            use_errno: false,
            errcheck: None,
            fn_signature: std::sync::OnceLock::new(),
        })
    }

    /// Calls in the calling convention `conv` rather than the platform's C
    /// one: ctypes' `WinDLL` functions are [`CallConv::Stdcall`]. A
    /// convention the platform lacks is refused here, naming the ones it
    /// has. Calls in any but the C convention take libffi.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CallConv, CType, Library, Route};
    /// let libc = Library::this()?;
    /// // SAFETY: `long labs(long)`.
    /// let labs = unsafe { libc.function("labs", &[CType::Long], CType::Long)? };
    /// assert_eq!(labs.clone().with_call_conv(CallConv::C)?.call(&[(-3).into()])?.to::<i64>()?, 3);
    /// if !CallConv::Stdcall.is_available() {
    ///     let err = labs.with_call_conv(CallConv::Stdcall).unwrap_err();
    ///     assert!(err.to_string().contains("the stdcall calling convention is not one of"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn with_call_conv(mut self, conv: CallConv) -> Result<CFunc> {
        if conv == self.conv {
            return Ok(self);
        }
        let fixed = self.args.len();
        self.cif =
            prepare(&self.args, fixed, &self.ret, self.variadic, conv).map_err(|reason| {
                Error::Signature {
                    function: self.name.to_string(),
                    reason,
                }
            })?;
        self.conv = conv;
        self.variadic_cifs = Arc::default();
        if conv != CallConv::C {
            self.plan = None;
            self.leave_fast_path();
        }
        Ok(self)
    }

    /// The calling convention calls follow ([`CallConv::C`] unless
    /// [`with_call_conv`](Self::with_call_conv) chose another).
    pub fn call_conv(&self) -> CallConv {
        self.conv
    }

    /// Captures `errno` around every call into this thread's private copy
    /// (ctypes' `use_errno=True`); read it with [`get_errno`](crate::get_errno).
    pub fn with_errno(mut self) -> CFunc {
        self.use_errno = true;
        self.leave_fast_path();
        self
    }

    /// Calls through `route`, which must take this signature (libffi takes
    /// every one). Results are the same on every route; this is for
    /// comparing them.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Library, Route};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { Library::open(rctypes_csrc::library("fibonacci"))? };
    /// // SAFETY: fibonacci.c defines `int fib(int)`.
    /// let fib = unsafe { lib.function("fib", &[CType::Int], CType::Int)? };
    /// // Calls take the fastest route that takes the signature.
    /// let fastest = Route::ALL.into_iter().find(|&r| fib.clone().via(r).is_ok());
    /// assert_eq!(Some(fib.route()), fastest);
    /// if Route::Fast.is_available() {
    ///     let program = fib.clone().via(Route::Fast)?;
    ///     assert_eq!(program.call(&[8.into()])?, fib.call(&[8.into()])?);
    /// }
    /// let slow = fib.clone().via(Route::Libffi)?;
    /// assert_eq!(slow.route(), Route::Libffi);
    /// assert_eq!(slow.call(&[8.into()])?, fib.call(&[8.into()])?);
    /// # Ok(()) }
    /// ```
    pub fn via(mut self, route: Route) -> Result<CFunc> {
        // Every call takes the route, `invoke`'s direct ones too.
        self.direct.turn_off();
        match route {
            Route::Compiled if self.program.as_ref().is_some_and(Program::is_compiled) => {}
            Route::Fast if self.program.is_some() => {
                if let Some(program) = &mut self.program {
                    program.interpret();
                }
            }
            Route::Registers if self.plan.is_some() => self.leave_fast_path(),
            Route::Libffi => {
                self.plan = None;
                self.leave_fast_path();
            }
            _ if !route.is_available() => {
                return Err(Error::Signature {
                    function: self.name.to_string(),
                    reason: format!(
                        "the {route:?} route is not in this build for {} (see Route::is_available)",
                        TARGET
                    ),
                });
            }
            _ => {
                return Err(Error::Signature {
                    function: self.name.to_string(),
                    reason: format!("the {route:?} route does not take {self:?}"),
                });
            }
        }
        Ok(self)
    }

    /// The route calls take, when their arguments allow (see
    /// [`Route`]).
    pub fn route(&self) -> Route {
        match (&self.program, &self.plan) {
            (Some(program), _) if program.is_compiled() => Route::Compiled,
            (Some(_), _) => Route::Fast,
            (None, Some(_)) => Route::Registers,
            (None, None) => Route::Libffi,
        }
    }

    /// Whether calls take the register route (fast or not) rather than
    /// libffi (see the performance notes in
    /// [`doc::performance`](crate::doc::performance)).
    pub fn uses_register_route(&self) -> bool {
        self.plan.is_some()
    }

    /// Runs `check` on every result (ctypes' `errcheck`); an `Err` it returns
    /// becomes [`Error::Check`].
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let abi = unsafe { rctypes::Library::open(rctypes_csrc::library("abi"))? };
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
        self.leave_fast_path();
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
    /// A variadic function takes only its fixed arguments here: what it
    /// expects through `...` is a contract rctypes cannot check, so extra
    /// arguments go through `unsafe` [`call_variadic`](Self::call_variadic).
    #[inline(always)]
    pub fn call(&self, args: &[Value<'_>]) -> Result<Value<'static>> {
        if let Some(program) = &self.program
            && let Some(compiled) = program.compiled_for(args)
        {
            // SAFETY: `compiled_for` gave the code of this function's
            // program, for as many values as it has arguments.
            return unsafe { fast::call_compiled(self, program, compiled, args) };
        }
        (self.entry)(self, args)
    }

    /// Calls go to the general path from now on: it alone captures errno,
    /// runs result checks, and takes the libffi route.
    /// For calls that need the general path: errno capture, a result
    /// check, another calling convention, a slower route asked for.
    fn leave_fast_path(&mut self) {
        self.program = None;
        self.entry = CFunc::call_general;
        self.direct.turn_off();
    }

    /// Every call the fast path does not take: any signature, any values.
    #[inline(never)]
    fn call_general(&self, args: &[Value<'_>]) -> Result<Value<'static>> {
        if self.variadic && args.len() > self.args.len() {
            return Err(Error::Signature {
                function: self.name.to_string(),
                reason: "arguments through `...` follow a contract rctypes cannot check \
                         (a format string's): pass them with unsafe call_variadic"
                    .into(),
            });
        }
        if args.len() != self.args.len() {
            return Err(self.arity_error(args.len()));
        }
        match &self.plan {
            Some(plan) => match plan.shape() {
                Shape::Ints => self.call_registers::<0, 0>(plan, args),
                Shape::Registers => self.call_registers::<FLOAT_REGS, 0>(plan, args),
                Shape::Spill => self.call_registers::<FLOAT_REGS, STACK_SLOTS>(plan, args),
            },
            None => self.stage_and_call(&self.cif, &self.args, &self.kinds, args),
        }
    }

    /// Calls a variadic function, giving the C type of each extra argument
    /// (promoted as C does: a `c_float` travels as `c_double`). Each extra
    /// argument is checked against the type given, at its own width, then
    /// promoted.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Extent, Library, StringBuffer};
    /// let libc = Library::this()?;
    /// // SAFETY: snprintf's fixed part: it writes at most argument 2 bytes
    /// // to argument 1 and reads the format, a string.
    /// let snprintf = unsafe {
    ///     libc.variadic(
    ///         "snprintf",
    ///         &[CType::pointer(CType::Char).extent(Extent::ElementsFromArg(2)), CType::SizeT, CType::CharP],
    ///         CType::Int,
    ///     )?
    /// };
    /// let mut buf = StringBuffer::new(32);
    /// let cap = buf.capacity();
    /// // SAFETY: the format takes a long and a double, given with those types.
    /// unsafe {
    ///     snprintf.call_variadic(
    ///         &[(&mut buf).into(), cap.into(), "%ld/%.1f".into(), 7.into(), 2.5.into()],
    ///         &[CType::Long, CType::Float],
    ///     )?;
    /// }
    /// assert_eq!(buf.to_str().unwrap(), "7/2.5");
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// The extra arguments must be what the function expects of them given
    /// the fixed ones, which rctypes cannot check: for `printf`, one
    /// argument of the type each conversion in the format names (`%s` a
    /// string, `%d` an `int`, ...), and no fewer than it has conversions.
    pub unsafe fn call_variadic(
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
        self.call_varargs(args, extra_types)
    }

    fn call_varargs(&self, args: &[Value<'_>], types: &[CType]) -> Result<Value<'static>> {
        let fixed = self.args.len();
        if args.len() != fixed + types.len() {
            return Err(Error::Arity {
                function: self.name.to_string(),
                expected: fixed + types.len(),
                given: args.len(),
                variadic: false,
            });
        }
        let extra = &args[fixed..];
        if extra.is_empty() {
            return self.stage_and_call(&self.cif, &self.args, &self.kinds, args);
        }
        // A number C's promotions widen is checked at its declared width
        // first: a `short` of 70000 is refused. Staging checks the rest.
        for (i, (value, ty)) in extra.iter().zip(types).enumerate() {
            if (ty.is_integer() || ty.is_float()) && ty.promoted() != *ty {
                crate::value::encode(value, ty, &mut Slot([0; 16]), &mut Keep::default())
                    .map_err(|m| m.at(&self.name, fixed + i))?;
            }
        }
        let call = self.variadic_call(types)?;
        self.stage_and_call(&call.cif, &call.types, &call.kinds, args)
    }

    /// The interface for a variadic call with these extra argument types:
    /// prepared at the first call that gives them, then reused. Finding it
    /// again builds nothing, so a repeated call allocates nothing.
    fn variadic_call(&self, extra: &[CType]) -> Result<Arc<VariadicCall>> {
        let fixed = self.args.len();
        let same_list = |call: &VariadicCall| {
            let cached = &call.types[fixed..];
            cached.len() == extra.len() && cached.iter().zip(extra).all(|(c, t)| *c == t.promoted())
        };
        let mut cache = self.variadic_cifs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(call) = cache.iter().find(|call| same_list(call)) {
            return Ok(call.clone());
        }
        let types: Vec<CType> = self
            .args
            .iter()
            .cloned()
            .chain(extra.iter().map(CType::promoted))
            .collect();
        let cif = prepare(&types, fixed, &self.ret, true, self.conv).map_err(|reason| {
            Error::Signature {
                function: self.name.to_string(),
                reason,
            }
        })?;
        let call = Arc::new(VariadicCall {
            cif,
            kinds: types.iter().map(CType::kind).collect(),
            types,
        });
        // A bound on what a function called with ever-new argument lists
        // keeps; past it, such calls prepare their interface each time.
        if cache.len() < VARIADIC_CIFS {
            cache.push(call.clone());
        }
        Ok(call)
    }

    fn arity_error(&self, given: usize) -> Error {
        Error::Arity {
            function: self.name.to_string(),
            expected: self.args.len(),
            given,
            variadic: self.variadic,
        }
    }

    /// The register route: each argument converted straight into its
    /// register image, then one call through the plan's call sequence. `F` and `S`
    /// are the float registers and stack slots of the plan's shape.
    #[inline]
    fn call_registers<const F: usize, const S: usize>(
        &self,
        plan: &Plan,
        args: &[Value<'_>],
    ) -> Result<Value<'static>> {
        if self.ret_kind == Kind::Aggregate {
            return self.call_registers_for_struct::<F, S>(plan, args);
        }
        let mut room = Room::new();
        let mut keep = Keep::in_room(&mut room);
        let mut regs = Registers::<F, S>::new();
        self.stage(plan, args, &mut regs, &mut keep)?;
        let scope = self.before_call();
        // The binding promised `code` has the declared (non-variadic)
        // signature, which the plan was made for, and every argument was
        // converted to its declared type.
        // SAFETY: as promised; pointer arguments point to memory borrowed by
        // `args` or owned by `keep`, both alive until after the call.
        let word = unsafe { plan.call(self.code.as_ptr(), &regs) };
        self.after_call(scope, args, &keep)?;
        drop(keep);
        let mut ret = Slot::ZERO;
        // SAFETY: the slot is 16 aligned bytes.
        unsafe { store_word(ret.0.as_mut_ptr(), word, self.ret_kind) };
        self.finish(&ret, None, args)
    }

    /// The register route for a struct result: C writes it through the
    /// hidden pointer the plan passes first, or returns it in registers,
    /// whose words are copied into it.
    #[inline(never)]
    fn call_registers_for_struct<const F: usize, const S: usize>(
        &self,
        plan: &Plan,
        args: &[Value<'_>],
    ) -> Result<Value<'static>> {
        let CType::Struct(layout) = &self.ret else {
            // Plans are made for struct results only.
            return self.stage_and_call(&self.cif, &self.args, &self.kinds, args);
        };
        let mut result = StructValue::new(layout)?;
        let mut room = Room::new();
        let mut keep = Keep::in_room(&mut room);
        let mut regs = Registers::<F, S>::new();
        if plan.returns_in_memory() {
            regs.push(result.as_mut_ptr() as u64, Kind::Ptr);
        }
        self.stage(plan, args, &mut regs, &mut keep)?;
        let scope = self.before_call();
        // As in `call_registers`; a result in memory goes to `result`, which
        // has not moved since its address was taken.
        // SAFETY: as promised; pointer arguments point to memory borrowed by
        // `args` or owned by `keep`, both alive until after the call.
        let words = unsafe { plan.call_for_struct(self.code.as_ptr(), &regs) };
        self.after_call(scope, args, &keep)?;
        drop(keep);
        if !plan.returns_in_memory() {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&words[0].to_ne_bytes());
            bytes[8..].copy_from_slice(&words[1].to_ne_bytes());
            let size = layout.size().min(bytes.len());
            // SAFETY: the value owns `size` bytes of the layout, which the
            // plan returns in registers (at most 16 bytes).
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), result.as_mut_ptr(), size) };
        }
        self.finish(&Slot::ZERO, Some(result), args)
    }

    /// Converts each argument into the registers (or stack slots) the plan
    /// gives it, in prototype order.
    #[inline(always)]
    fn stage<const F: usize, const S: usize>(
        &self,
        plan: &Plan,
        args: &[Value<'_>],
        regs: &mut Registers<F, S>,
        keep: &mut Keep,
    ) -> Result<()> {
        for (i, ((value, ty), &kind)) in args
            .iter()
            .zip(self.args.iter())
            .zip(self.kinds.iter())
            .enumerate()
        {
            if kind == Kind::Aggregate {
                self.push_struct(plan, i, value, ty, regs)?;
                continue;
            }
            let word = self.encode_arg(i, value, ty, kind, args, keep)?;
            regs.push(word, kind);
        }
        Ok(())
    }

    /// A struct argument on the register route: its eightbytes, read from
    /// the value's own bytes, go in registers as the plan says.
    #[inline(never)]
    fn push_struct<const F: usize, const S: usize>(
        &self,
        plan: &Plan,
        i: usize,
        value: &Value<'_>,
        ty: &CType,
        regs: &mut Registers<F, S>,
    ) -> Result<()> {
        let bytes = encode_aggregate(value, ty).map_err(|m| m.at(&self.name, i))?;
        let words = plan
            .struct_words(i)
            .expect("the plan has every struct argument");
        // SAFETY: `bytes` is the address of a value of the declared layout,
        // borrowed by `args` for the call.
        unsafe { regs.push_struct(bytes as *const u8, words) };
        Ok(())
    }

    /// The libffi route: arguments staged in slots (on the stack for up to
    /// `INLINE_ARGS`), then `ffi_call` on the prepared interface.
    fn stage_and_call(
        &self,
        cif: &Cif,
        types: &[CType],
        kinds: &[Kind],
        args: &[Value<'_>],
    ) -> Result<Value<'static>> {
        let n = args.len();
        if n <= INLINE_ARGS {
            let mut slots = [const { MaybeUninit::<Slot>::uninit() }; INLINE_ARGS];
            let mut ptrs = [std::ptr::null_mut(); INLINE_ARGS];
            self.call_staged(cif, types, kinds, args, &mut slots[..n], &mut ptrs[..n])
        } else {
            let mut slots = vec![MaybeUninit::<Slot>::uninit(); n];
            let mut ptrs = vec![std::ptr::null_mut(); n];
            self.call_staged(cif, types, kinds, args, &mut slots, &mut ptrs)
        }
    }

    fn call_staged(
        &self,
        cif: &Cif,
        types: &[CType],
        kinds: &[Kind],
        args: &[Value<'_>],
        slots: &mut [MaybeUninit<Slot>],
        ptrs: &mut [*mut c_void],
    ) -> Result<Value<'static>> {
        let mut room = Room::new();
        let mut keep = Keep::in_room(&mut room);
        for (i, (value, slot)) in args.iter().zip(slots.iter_mut()).enumerate() {
            let (ty, kind) = (&types[i], kinds[i]);
            let dst = slot.as_mut_ptr() as *mut u8;
            if kind == Kind::Aggregate {
                // A struct by value: libffi copies it from the value's own
                // bytes, which `args` borrows for the call.
                ptrs[i] = encode_aggregate(value, ty).map_err(|m| m.at(&self.name, i))?;
                continue;
            }
            if kind == Kind::LongDouble {
                let v = encode_long_double(value, ty).map_err(|m| m.at(&self.name, i))?;
                *slot = MaybeUninit::new(Slot(v.to_bytes()));
            } else {
                let word = self.encode_arg(i, value, ty, kind, args, &mut keep)?;
                // SAFETY: a slot is 16 aligned bytes.
                unsafe { store_word(dst, word, kind) };
            }
            ptrs[i] = dst as *mut c_void;
        }
        let mut ret = Slot::ZERO;
        // A struct result gets a buffer of its own size and alignment (in
        // place up to 16 bytes, else on the heap), which becomes the result.
        let mut ret_struct = match &self.ret {
            CType::Struct(l) => Some(StructValue::new(l)?),
            _ => None,
        };
        let rvalue = match &mut ret_struct {
            Some(s) => s.as_mut_ptr() as *mut c_void,
            None => ret.as_mut_ptr(),
        };
        let scope = self.before_call();
        // The binding promised `code` has the signature `cif` was prepared
        // from. Each slot holds its argument encoded as the declared type (a
        // struct argument points to the bytes of a value of its layout), and
        // `rvalue` is 16 aligned bytes, at least max(size, sizeof(ffi_arg))
        // of any scalar result, or a struct result's own aligned buffer.
        // SAFETY: as promised; pointer arguments point to memory borrowed by
        // `args` or owned by `keep`, both alive for the whole call.
        unsafe {
            libffi::raw::ffi_call(
                cif.as_raw_ptr(),
                Some(*self.code.as_safe_fun()),
                rvalue,
                ptrs.as_mut_ptr(),
            );
        }
        self.after_call(scope, args, &keep)?;
        drop(keep);
        self.finish(&ret, ret_struct, args)
    }

    /// Argument `i` as its register image. An ndpointer's checks see every
    /// argument of the call, for shapes that refer to other arguments.
    #[inline(always)]
    fn encode_arg(
        &self,
        i: usize,
        value: &Value<'_>,
        ty: &CType,
        kind: Kind,
        args: &[Value<'_>],
        keep: &mut Keep,
    ) -> Result<u64> {
        if kind == Kind::Ptr {
            if let CType::NdPointer(p) = ty {
                return p
                    .pass(value, Some(args))
                    .map(|addr| addr as usize as u64)
                    .map_err(|r| r.at(&self.name, i));
            }
            // An array a pointer to numbers takes, by the checks worked
            // out at bind time; the full checks say why one is refused.
            if let (Value::Array(a), Some(lending)) = (value, self.direct.lending(i))
                && let Some(addr) = lending.lend(a, |j| count_arg(Some(args), j))
            {
                return Ok(addr as usize as u64);
            }
            let word = encode_word(value, ty, kind, keep).map_err(|m| m.at(&self.name, i))?;
            check_contract(value, ty, args).map_err(|m| m.at(&self.name, i))?;
            return Ok(word);
        }
        encode_word(value, ty, kind, keep).map_err(|m| m.at(&self.name, i))
    }

    /// Opens the call: errno swapped in, and a scope that collects
    /// failures of callbacks run on this thread while C runs.
    #[inline]
    fn before_call(&self) -> CallScope {
        if self.use_errno {
            crate::errno::swap();
        }
        CallScope::enter()
    }

    /// Closes the call: errno swapped out, and the first callback failure
    /// (on this thread, or recorded by a callback passed as an argument on
    /// another thread) becomes the call's error.
    #[inline]
    fn after_call(&self, scope: CallScope, args: &[Value<'_>], keep: &Keep) -> Result<()> {
        let failure = scope.exit();
        if self.use_errno {
            crate::errno::swap();
        }
        if self.releases {
            self.release_handles(args);
        }
        if self.writes_out {
            fill_out_slots(args, &self.args, keep).map_err(|(i, m)| m.at(&self.name, i))?;
        }
        if failure.is_none() && !self.takes_callbacks {
            return Ok(());
        }
        self.callback_failure(failure, args)
    }

    /// Ends the handles passed to parameters declared to release them.
    #[cold]
    fn release_handles(&self, args: &[Value<'_>]) {
        for (value, ty) in args.iter().zip(self.args.iter()) {
            if let CType::Contract(c) = ty
                && c.releases()
            {
                match value {
                    Value::Handle(h) => h.release(),
                    Value::OwnedHandle(h) => h.release(),
                    _ => {}
                }
            }
        }
    }

    /// The error for a callback failure, if there is one.
    #[inline(never)]
    fn callback_failure(&self, mut failure: Option<String>, args: &[Value<'_>]) -> Result<()> {
        for arg in args {
            if let Value::Callback(c) = arg {
                failure = failure.or(c.take_failure());
            }
        }
        match failure {
            None => Ok(()),
            Some(message) => Err(self.callback_error(message)),
        }
    }

    /// A callback failed while this function ran.
    #[cold]
    fn callback_error(&self, message: String) -> Error {
        Error::Callback {
            function: self.name.to_string(),
            message,
        }
    }

    /// Reads the result and runs the result check.
    #[inline(always)]
    fn finish(
        &self,
        ret: &Slot,
        ret_struct: Option<StructValue>,
        args: &[Value<'_>],
    ) -> Result<Value<'static>> {
        if let Some(s) = ret_struct {
            let result = Value::Struct(std::borrow::Cow::Owned(s));
            return match &self.errcheck {
                None => Ok(result),
                Some(check) => self.check_result(check, result, args),
            };
        }
        // The slot holds the result register's image: an integer widened to
        // the whole register, a `float` in its first bytes.
        let [b0, b1, b2, b3, b4, b5, b6, b7, ..] = ret.0;
        let word = match self.ret_kind {
            Kind::F32 => u32::from_ne_bytes([b0, b1, b2, b3]).into(),
            _ => u64::from_ne_bytes([b0, b1, b2, b3, b4, b5, b6, b7]),
        };
        let is_word = is_word_result(&self.ret, self.ret_kind);
        match &self.errcheck {
            None if is_word => Ok(decode_word(word, self.ret_kind)),
            check => {
                let result = if is_word {
                    decode_word(word, self.ret_kind)
                } else {
                    // SAFETY: C wrote a result of the declared type; a
                    // `char*` result is a string, and a pointer declared to
                    // one struct points to one, by the binding's promise.
                    unsafe { contents::decode_result(ret.0.as_ptr(), &self.ret, self.ret_kind) }
                };
                match check {
                    None => Ok(result),
                    Some(check) => self.check_result(check, result, args),
                }
            }
        }
    }

    #[inline(never)]
    fn check_result(
        &self,
        check: &Arc<ErrCheck>,
        result: Value<'static>,
        args: &[Value<'_>],
    ) -> Result<Value<'static>> {
        check(result, args).map_err(|message| Error::Check {
            function: self.name.to_string(),
            message,
        })
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

/// Prepares a libffi call interface in the convention `conv`; `fixed` of
/// `args` are declared, the rest variadic.
fn prepare(
    args: &[CType],
    fixed: usize,
    ret: &CType,
    variadic: bool,
    conv: CallConv,
) -> std::result::Result<Cif, String> {
    let abi = conv.ffi_abi().ok_or_else(|| {
        let here: Vec<String> = CallConv::ALL
            .iter()
            .filter(|c| c.is_available())
            .map(|c| c.to_string())
            .collect();
        format!(
            "the {conv} calling convention is not one of {}'s (it has: {})",
            TARGET,
            here.join(", ")
        )
    })?;
    let types = args
        .iter()
        .enumerate()
        .map(|(i, t)| {
            crate::types::layout::ffi_type(t)
                .map_err(|reason| format!("argument {}: {reason}", i + 1))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let ret =
        crate::types::layout::ffi_return_type(ret).map_err(|reason| format!("result: {reason}"))?;
    let result = if variadic {
        Cif::try_new_variadic_with_abi(types, fixed, ret, abi)
    } else {
        Cif::try_new_with_abi(types, ret, abi)
    };
    result.map_err(|e| format!("libffi cannot prepare it: {e:?}"))
}
