//! [`Callback`]: a Rust closure behind a C function pointer, through a libffi
//! closure; the dynamic form and the machinery the typed form shares.

use std::any::TypeId;
use std::borrow::Cow;
use std::ffi::c_void;
use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};

use libffi::low::RawCallback;

use super::entry::{self, Dynamic, Entry, Registers};
use libffi::middle::Cif;
use libffi::raw::{ffi_arg, ffi_cif, ffi_closure};

use crate::error::{Error, Result};
use crate::failure::{FailureSlot, panic_message};
use crate::types::Signature;
use crate::types::{CType, Kind};
use crate::value::{FnPointer, Keep, Slot, Value, decode, decode_kind, encode};

/// Up to this many arguments of a dynamic callback are decoded on the stack.
const INLINE_ARGS: usize = 8;

/// A Rust closure that C can call through a function pointer: ctypes'
/// `CFUNCTYPE(restype, *argtypes)(pyfunc)`.
///
/// Two forms share this type. [`Callback::new`] takes a signature and a
/// closure over dynamic [`Value`]s; [`Callback::typed`] takes a closure over
/// Rust types and derives the signature from them (it gives a
/// [`TypedCallback`](crate::TypedCallback), which is a `Callback` too).
/// C reaches the closure through a libffi closure, or, several times
/// faster, for a typed closure through a trampoline compiled for its type
/// (directly when the closure captures nothing, through a small entry of
/// its own when it captures and rctypes makes machine code), and for a
/// dynamic one, where rctypes makes machine code, through an entry that
/// decodes its arguments from the registers
/// ([`is_direct`](Self::is_direct); see the
/// [performance notes](crate::doc::performance)).
///
/// # Passing it to C
///
/// Declare the C parameter as [`CType::FuncPtr`] with the callback's
/// signature, and pass `&callback` (it becomes [`Value::Callback`]): the
/// argument check refuses a callback of another signature. The code pointer
/// C gets is valid exactly as long as the `Callback` lives, and the borrow
/// lasts the whole call, so a callback passed for one call cannot be dropped
/// while C runs.
///
/// A C library that *keeps* the pointer (registers the callback to call it
/// later) needs more: binding such a function is the promise that the
/// `Callback` outlives every use C makes of it. The `Callback` is then the
/// handle of the registration: keep it (in the struct that owns the
/// registration, for instance) until C has been told to forget it, or
/// [`leak`](Self::leak) it for a registration that lasts as long as the
/// program. Moving a `Callback` is fine: its code and state are on the heap.
///
/// An argument cannot outlive the callback it lends, so safe code cannot hand
/// C the pointer of a dropped callback:
///
/// ```compile_fail
/// use rctypes::{Callback, Value};
/// let arg: Value;
/// {
///     let cb = Callback::typed(|a: i32| a + 1).unwrap();
///     arg = (&*cb).into();
/// } // `cb` dropped here while still borrowed
/// println!("{arg:?}");
/// ```
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// # // SAFETY: the project's own library has no initialisers.
/// # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
/// use rctypes::{Callback, CType};
/// let binop = CType::func_ptr([CType::Int, CType::Int], CType::Int);
/// // SAFETY: callback.c: `void register_binop(int (*op)(int, int))` keeps
/// // op until the next registration; `int call_registered(int, int)` calls it.
/// let register = unsafe { lib.function("register_binop", &[binop.clone()], CType::Void)? };
/// // SAFETY: as above.
/// let call_registered =
///     unsafe { lib.function("call_registered", &[CType::Int, CType::Int], CType::Int)? };
/// // SAFETY: `void unregister_binop(void)`.
/// let unregister = unsafe { lib.function("unregister_binop", &[], CType::Void)? };
///
/// // The handle: it must outlive the registration.
/// let times = Callback::typed(|a: i32, b: i32| a * b)?;
/// register.call(&[(&*times).into()])?;
/// assert_eq!(call_registered.call(&[6.into(), 7.into()])?.to::<i32>()?, 42);
/// unregister.call(&[])?; // C forgets it first ...
/// drop(times); // ... then the handle may go.
/// # Ok(()) }
/// ```
///
/// # Panics and errors inside the closure
///
/// A panic never unwinds into C. It is caught, C receives the callback's
/// error value (zero, or what [`with_error_value`](Self::with_error_value)
/// set), and the checked call that was running ([`CFunc::call`](crate::CFunc::call),
/// [`TypedCFunc::try_call`](crate::TypedCFunc::try_call)) returns
/// [`Error::Callback`] with the panic's message once C returns. A closure that
/// returns `Err`, or a value that does not convert to the declared result
/// type, is reported the same way. (ctypes prints the traceback and gives C
/// garbage.) A failure on a thread where no checked call is running, such as a
/// thread C created, is kept in the callback: the checked calls it was passed
/// to report it when they return, and [`take_failure`](Self::take_failure)
/// reads it otherwise. A program built with `panic = "abort"` aborts instead.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// # // SAFETY: the project's own library has no initialisers.
/// # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
/// use rctypes::{Callback, CType, Signature, Value};
/// let binop = Signature::new([CType::Int, CType::Int], CType::Int);
/// // SAFETY: callback.c: `int apply_binop(int (*op)(int, int), int a, int b)`.
/// let apply = unsafe {
///     lib.function("apply_binop", &[CType::FuncPtr(binop.clone().into()), CType::Int, CType::Int], CType::Int)?
/// };
/// let add = Callback::new(binop.clone(), |args: &[Value]| {
///     Value::Int(args[0].to::<i32>().unwrap() as i128 + args[1].to::<i32>().unwrap() as i128)
/// })?;
/// assert_eq!(apply.call(&[(&add).into(), 2.into(), 3.into()])?.to::<i32>()?, 5);
///
/// let broken = Callback::new(binop, |_: &[Value]| -> Value { panic!("no answer") })?;
/// let err = apply.call(&[(&broken).into(), 2.into(), 3.into()]).unwrap_err();
/// assert!(err.to_string().contains("panicked: no answer"), "{err}");
/// # Ok(()) }
/// ```
///
/// # Threads
///
/// C may call a callback from any thread, so the closure must be `Send +
/// Sync`; the compiler enforces it. Use atomics or a `Mutex` for state the
/// closure changes.
///
/// ```compile_fail
/// let counter = std::rc::Rc::new(std::cell::Cell::new(0)); // not Send
/// let cb = rctypes::Callback::typed(move |a: i32| {
///     counter.set(counter.get() + 1);
///     a
/// });
/// ```
pub struct Callback {
    closure: NonNull<ffi_closure>,
    /// The libffi closure's code.
    closure_code: NonNull<c_void>,
    /// What C calls: the libffi closure's code, a direct trampoline (see
    /// [`use_direct`](Self::use_direct)) or an entry (see
    /// [`use_entry`](Self::use_entry)).
    code: NonNull<c_void>,
    /// The callback's own entry, if it has one: unmapped after the closure.
    entry: Option<Entry>,
    /// What the closure's userdata points to. Dropped after the closure is
    /// freed (see `Drop`), and never moved: it is on the heap.
    state: Box<dyn Shared>,
    /// Set by [`leak`](Self::leak): the callback lives for the rest of the
    /// program, so C may keep its pointer.
    kept_forever: bool,
}

// SAFETY: the libffi closure is immutable once prepared, and calling its code
// from any thread only reads the shared state; the handler in that state is
// `Send + Sync` (required by every constructor), and the rest is immutable or
// behind a Mutex or atomics.
unsafe impl Send for Callback {}
// SAFETY: as above: `&Callback` gives only reads and thread-safe handlers.
unsafe impl Sync for Callback {}

/// What a callback's trampoline needs besides the Rust closure.
pub(crate) struct Core {
    signature: Arc<Signature>,
    cif: SharedCif,
    /// The result C receives when the closure fails: encoded as the result
    /// type, not yet widened. Read only on failure.
    error_value: Mutex<Slot>,
    /// Shared with the calls watching this callback (see `CallbackWatch`).
    pub(crate) failure: Arc<FailureSlot>,
    /// The machine classes of the arguments and the result, looked up once.
    arg_kinds: Box<[Kind]>,
    ret_kind: Kind,
}

/// A prepared call interface the closure refers to.
struct SharedCif(Cif);

// SAFETY: the Cif and the type descriptions it owns are written only while
// being prepared, before any closure refers to them; afterwards libffi only
// reads them.
unsafe impl Send for SharedCif {}
// SAFETY: as above.
unsafe impl Sync for SharedCif {}

/// A callback's state: the userdata of its libffi closure.
pub(crate) struct State<H> {
    pub(crate) core: Core,
    pub(crate) handler: H,
}

/// A `State<H>` with its handler type erased.
trait Shared: Send + Sync {
    fn core(&self) -> &Core;
    fn core_mut(&mut self) -> &mut Core;
}

impl<H: Send + Sync> Shared for State<H> {
    fn core(&self) -> &Core {
        &self.core
    }
    fn core_mut(&mut self) -> &mut Core {
        &mut self.core
    }
}

/// What a dynamic callback's closure returns: a [`Value`] (or `()` for a
/// `void` callback), or a `Result` whose error is reported as the closure's
/// failure (see [`Callback`]'s section on errors).
pub trait DynamicResult: 'static {
    /// The value to give C, read where it is, or why there is none.
    fn value(&self) -> std::result::Result<&Value<'static>, String>;
}

impl DynamicResult for Value<'static> {
    #[inline(always)]
    fn value(&self) -> std::result::Result<&Value<'static>, String> {
        Ok(self)
    }
}

impl DynamicResult for () {
    #[inline(always)]
    fn value(&self) -> std::result::Result<&Value<'static>, String> {
        Ok(&Value::Void)
    }
}

impl<E: fmt::Display + 'static> DynamicResult for std::result::Result<Value<'static>, E> {
    #[inline(always)]
    fn value(&self) -> std::result::Result<&Value<'static>, String> {
        self.as_ref().map_err(|e| e.to_string())
    }
}

impl Callback {
    /// A callback of `signature` around a closure over dynamic values: it
    /// gets the arguments C passed, decoded as their declared types (strings
    /// copied, pointers as [`RawPtr`](crate::RawPtr)), and returns the result,
    /// which is range-checked against the declared result type.
    ///
    /// A pointer result must outlive the closure's return, since C keeps it:
    /// null, a [`RawPtr`](crate::RawPtr), or a `'static` borrow (a
    /// `&'static CStr`, a leaked [`StructValue`](crate::StructValue) as
    /// `Value::Struct(Cow::Borrowed(..))`). A Rust string or an owned struct
    /// would be freed as the closure returns, so it is refused like a value
    /// of the wrong type: C gets the error value.
    ///
    /// Errors if the signature cannot be a callback's (a `void` argument).
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
    /// use rctypes::{Callback, CType, Signature, Value};
    /// let f = Signature::new([CType::Double], CType::Double);
    /// // SAFETY: callback.c: `double integrate(double (*f)(double), double lo, double hi, int steps)`.
    /// let integrate = unsafe {
    ///     lib.function("integrate", &[CType::FuncPtr(f.clone().into()), CType::Double, CType::Double, CType::Int], CType::Double)?
    /// };
    /// let square = Callback::new(f, |args: &[Value]| {
    ///     let x = args[0].to::<f64>()?;
    ///     Ok::<_, rctypes::Error>(Value::Float(x * x))
    /// })?;
    /// let area = integrate.call(&[(&square).into(), 0.0.into(), 3.0.into(), 1000.into()])?.to::<f64>()?;
    /// assert!((area - 9.0).abs() < 1e-4);
    /// # Ok(()) }
    /// ```
    pub fn new<F, R>(signature: impl Into<Arc<Signature>>, f: F) -> Result<Callback>
    where
        F: Fn(&[Value<'static>]) -> R + Send + Sync + 'static,
        R: DynamicResult,
    {
        // SAFETY: the dynamic trampoline for this State<F> decodes and encodes
        // by the signature it finds in the state.
        let mut callback =
            unsafe { Callback::with_handler(signature.into(), f, dynamic_trampoline::<F, R>) }?;
        if let Some(entry) = entry::make_dynamic::<DynamicEntry<F, R>>(
            callback.signature(),
            callback.state_address(),
        ) {
            // The entry passes the address of this callback's `State<F>`,
            // which `DynamicEntry<F, R>` reads as such.
            // SAFETY: as above.
            unsafe { callback.use_entry(entry) };
        }
        Ok(callback)
    }

    /// Builds the libffi closure around `handler`, called through `trampoline`.
    ///
    /// # Safety
    ///
    /// `trampoline` must read its userdata as a `State<H>` and handle
    /// arguments and result as `signature` declares them.
    pub(crate) unsafe fn with_handler<H: Send + Sync + 'static>(
        signature: Arc<Signature>,
        handler: H,
        trampoline: RawCallback,
    ) -> Result<Callback> {
        let invalid = |reason: String| Error::Signature {
            function: signature.to_string(),
            reason,
        };
        signature.check().map_err(invalid)?;
        let args = signature
            .args()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                crate::types::layout::ffi_type(t)
                    .map_err(|r| invalid(format!("argument {}: {r}", i + 1)))
            })
            .collect::<Result<Vec<_>>>()?;
        let ret = crate::types::layout::ffi_return_type(signature.ret())
            .map_err(|r| invalid(format!("result: {r}")))?;
        let cif = Cif::try_new(args, ret)
            .map_err(|e| invalid(format!("libffi cannot prepare it: {e:?}")))?;
        let state = Box::new(State {
            core: Core {
                signature: signature.clone(),
                cif: SharedCif(cif),
                error_value: Mutex::new(Slot::ZERO),
                failure: Arc::default(),
                arg_kinds: signature.args().iter().map(CType::kind).collect(),
                ret_kind: signature.ret().kind(),
            },
            handler,
        });
        let (closure, code) = libffi::low::try_closure_alloc()
            .ok_or_else(|| invalid("libffi cannot allocate an executable closure".into()))?;
        let userdata = &*state as *const State<H> as *mut c_void;
        // `closure` and `code` are a fresh pair from libffi; the cif and the
        // userdata live in `state`, on the heap, which the Callback keeps
        // until after the closure is freed. `trampoline` reads userdata as
        // the `State<H>` it is (the caller's promise).
        // SAFETY: as above.
        let status = unsafe {
            libffi::raw::ffi_prep_closure_loc(
                closure,
                state.core.cif.0.as_raw_ptr(),
                Some(trampoline),
                userdata,
                code.as_mut_ptr(),
            )
        };
        if status != libffi::raw::ffi_status_FFI_OK {
            // SAFETY: allocated above and never handed out.
            unsafe { libffi::low::closure_free(closure) };
            return Err(invalid(format!(
                "libffi cannot prepare the closure (status {status})"
            )));
        }
        let code = NonNull::new(code.as_mut_ptr()).expect("libffi returned a code pointer");
        Ok(Callback {
            closure: NonNull::new(closure).expect("libffi returned a closure"),
            closure_code: code,
            code,
            entry: None,
            state,
            kept_forever: false,
        })
    }

    /// Gives C `code`, a trampoline that calls the handler directly (no
    /// libffi closure), and records failures in `failure`, which that
    /// trampoline finds on its own. The libffi closure stays, for an error
    /// value other than zero.
    ///
    /// # Safety
    ///
    /// `code` must be a C function of this callback's signature that calls
    /// this callback's handler (a zero-sized closure, so any instance of its
    /// type is this one) and records its failures in `failure`.
    pub(crate) unsafe fn use_direct(&mut self, code: *const c_void, failure: Arc<FailureSlot>) {
        self.code = NonNull::new(code as *mut c_void).expect("a function's address");
        self.state.core_mut().failure = failure;
    }

    /// Gives C `entry`, which passes this callback's state to a trampoline
    /// that calls the handler directly. The libffi closure stays unused.
    ///
    /// # Safety
    ///
    /// `entry` must be made for this callback's signature and state
    /// ([`state_address`](Self::state_address)), with a trampoline that
    /// reads that state as the `State<H>` it is.
    pub(crate) unsafe fn use_entry(&mut self, entry: Entry) {
        self.code = NonNull::new(entry.code() as *mut c_void).expect("an entry's address");
        self.entry = Some(entry);
    }

    /// The address of the state the handler lives in, the libffi closure's
    /// userdata: on the heap, never moved.
    pub(crate) fn state_address(&self) -> *const c_void {
        &*self.state as *const dyn Shared as *const c_void
    }

    pub(crate) fn core(&self) -> &Core {
        self.state.core()
    }

    /// The declared signature.
    pub fn signature(&self) -> &Signature {
        &self.core().signature
    }

    pub(crate) fn signature_arc(&self) -> &Arc<Signature> {
        &self.core().signature
    }

    /// The C type of this callback: [`CType::FuncPtr`] of its signature.
    pub fn ctype(&self) -> CType {
        CType::FuncPtr(self.signature_arc().clone())
    }

    /// The code address C calls. It is valid while `self` lives; handing it
    /// to C by other means than an argument is `unsafe` code's business.
    pub fn code_ptr(&self) -> *const c_void {
        self.code.as_ptr()
    }

    /// Whether C calls the closure without its libffi closure, which is
    /// several times faster per call: true for a [typed](Self::typed)
    /// callback whose closure captures nothing (see there), through a
    /// trampoline compiled for its type, and, where rctypes makes machine
    /// code (x86-64 System V, feature `codegen`), for a typed one that
    /// captures or a [dynamic](Self::new) one whose arguments all travel in
    /// registers and whose result is not a struct, through an entry of its
    /// own.
    ///
    /// ```
    /// use rctypes::{CType, Callback, Route, Signature, Value};
    /// let add = Callback::typed(|a: i32, b: i32| a + b).unwrap();
    /// assert!(add.is_direct());
    /// let k = 3;
    /// let add_k = Callback::typed(move |a: i32| a + k).unwrap();
    /// // Captures k: an entry of its own holds it, or a libffi closure.
    /// assert_eq!(add_k.is_direct(), Route::Compiled.is_available());
    /// let twice = Callback::new(Signature::new([CType::Double], CType::Double), |args: &[Value]| {
    ///     Value::Float(2.0 * args[0].to::<f64>().unwrap())
    /// })
    /// .unwrap();
    /// // An entry decodes the `double` from its register, or libffi does.
    /// assert_eq!(twice.is_direct(), Route::Compiled.is_available());
    /// ```
    pub fn is_direct(&self) -> bool {
        self.code != self.closure_code
    }

    /// Sets the result C receives when the closure panics or fails (zero,
    /// null or `false` by default): ctypes has no such thing.
    ///
    /// Errors if `value` does not convert to the result type, if that type is
    /// `void`, or if it is a temporary that C would get a dangling pointer to.
    /// Only the address of a pointer error value is kept, so, as for results
    /// (see [`new`](Self::new)), it is null, a [`RawPtr`](crate::RawPtr) or a
    /// `'static` borrow: what it points to outlives the callback, for C may
    /// use it after the callback is gone.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
    /// use rctypes::{Callback, CType, Signature, Value};
    /// let binop = Signature::new([CType::Int, CType::Int], CType::Int);
    /// // SAFETY: callback.c: `int apply_binop(int (*op)(int, int), int a, int b)`.
    /// let apply = unsafe {
    ///     lib.function("apply_binop", &[binop.clone().into(), CType::Int, CType::Int], CType::Int)?
    /// };
    /// let failing = Callback::new(binop, |_: &[Value]| Err::<Value, _>("refused"))?
    ///     .with_error_value(Value::Int(-1))?;
    /// let err = apply.call(&[(&failing).into(), 1.into(), 2.into()]).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "apply_binop: callback CFUNCTYPE(c_int, c_int, c_int) failed: refused"
    /// );
    /// # Ok(()) }
    /// ```
    pub fn with_error_value(mut self, value: Value<'static>) -> Result<Callback> {
        let ret = self.signature().ret().clone();
        refuse_struct_error_value(&ret)?;
        let mut slot = Slot::ZERO;
        encode_result(&value, &ret, &mut slot).map_err(|given| Error::Conversion {
            expected: format!("an error value of type {ret}"),
            given,
        })?;
        self.set_error_slot(slot);
        Ok(self)
    }

    /// Sets the error value. A direct trampoline gives C only zero, so a
    /// callback with another error value goes back to its libffi closure
    /// (an entry's trampoline gives it).
    pub(crate) fn set_error_slot(&mut self, slot: Slot) {
        if slot.0 != Slot::ZERO.0 && self.entry.is_none() {
            self.code = self.closure_code;
        }
        *self
            .core()
            .error_value
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = slot;
    }

    /// Takes the failure (a panic's message, or why the result could not be
    /// given) that happened on a thread where no checked call was running to
    /// report it, such as a thread C created, if no call has reported it yet.
    pub fn take_failure(&self) -> Option<String> {
        self.core().failure.take()
    }

    /// Keeps the callback for the rest of the program, for a C library that
    /// keeps its pointer for good.
    ///
    /// The callback stays listed in a process-wide table, so leak checkers
    /// such as valgrind see it as reachable rather than lost.
    pub fn leak(mut self) -> &'static Callback {
        self.mark_kept_forever();
        keep_forever(self)
    }

    /// Records that the callback is being kept for good.
    pub(crate) fn mark_kept_forever(&mut self) {
        self.kept_forever = true;
    }

    /// Whether the callback lives for the rest of the program
    /// ([`leak`](Self::leak)), as a parameter C keeps past the call
    /// ([`CType::retained`](crate::CType::retained)) requires.
    ///
    /// ```
    /// use rctypes::Callback;
    /// let cb = Callback::typed(|a: i32| a + 1)?;
    /// assert!(!cb.is_kept_forever());
    /// assert!(cb.leak().is_kept_forever());
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn is_kept_forever(&self) -> bool {
        self.kept_forever
    }
}

/// Leaks `value` and records it in a process-wide list: C holds only the
/// code pointer, so without the list nothing would point to the leaked box
/// and leak checkers would report it lost.
pub(crate) fn keep_forever<T: Send + Sync + 'static>(value: T) -> &'static T {
    static KEPT: Mutex<Vec<&'static (dyn std::any::Any + Send + Sync)>> = Mutex::new(Vec::new());
    let kept: &'static T = Box::leak(Box::new(value));
    KEPT.lock().unwrap_or_else(|e| e.into_inner()).push(kept);
    kept
}

impl Drop for Callback {
    fn drop(&mut self) {
        // The closure came from `ffi_closure_alloc` and is freed once; no
        // borrow of the Callback is left, so no call this crate made can
        // still be running it (a pointer C kept is the binding's promise).
        // `state` is dropped after this, when the closure no longer uses it.
        // SAFETY: as above.
        unsafe { libffi::low::closure_free(self.closure.as_ptr()) }
    }
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Callback({} at {:p})", self.signature(), self.code)
    }
}

/// Callbacks are equal when they are the same callback.
impl PartialEq for Callback {
    fn eq(&self, other: &Self) -> bool {
        self.closure == other.closure
    }
}

impl<'a> From<&'a Callback> for Value<'a> {
    fn from(c: &'a Callback) -> Self {
        Value::Callback(c)
    }
}

impl Core {
    /// Handles the end of a trampoline: nothing to do on success; on a panic
    /// or an error, records the failure and gives C the error value.
    ///
    /// # Safety
    ///
    /// `out` is libffi's result buffer for this callback's result type.
    pub(crate) unsafe fn finish(
        &self,
        outcome: std::thread::Result<std::result::Result<(), String>>,
        out: *mut c_void,
    ) {
        let Some(message) = failure_message(&self.signature, outcome) else {
            return;
        };
        self.failure.record(message);
        if self.ret_kind == Kind::Aggregate {
            // A struct result's error value is the zeroed struct.
            // SAFETY: the caller's promise: `out` holds a result of its size.
            unsafe { std::ptr::write_bytes(out as *mut u8, 0, self.signature.ret().size()) };
            return;
        }
        let slot = *self.error_value.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: the caller's promise on `out`; the slot holds a value of
        // the result type.
        unsafe { store_result(self.signature.ret(), &slot, out) }
    }
}

/// What a callback of `signature` reports for `outcome`: nothing when it
/// succeeded, else why it failed or the message it panicked with.
pub(crate) fn failure_message(
    signature: &Signature,
    outcome: std::thread::Result<std::result::Result<(), String>>,
) -> Option<String> {
    Some(match outcome {
        Ok(Ok(())) => return None,
        Ok(Err(reason)) => format!("callback {signature} failed: {reason}"),
        Err(payload) => format!("callback {signature} panicked: {}", panic_message(payload)),
    })
}

/// The trampoline of a dynamic callback's libffi closure.
unsafe extern "C" fn dynamic_trampoline<F, R>(
    _cif: *mut ffi_cif,
    result: *mut c_void,
    args: *mut *mut c_void,
    userdata: *mut c_void,
) where
    F: Fn(&[Value<'static>]) -> R + Send + Sync,
    R: DynamicResult,
{
    // SAFETY: the closure was prepared with a `State<F>` as userdata, alive
    // while the closure exists; libffi passes one pointer per declared
    // argument, each to a value of its declared type, and its result
    // buffer.
    unsafe {
        run_dynamic(
            &*(userdata as *const State<F>),
            |i, _| *args.add(i) as *const u8,
            result,
        )
    }
}

/// What a dynamic callback's entry runs (`callback::entry`): the state is
/// a `State<F>`.
struct DynamicEntry<F, R>(PhantomData<fn(F) -> R>);

// SAFETY: entries of dynamic callbacks of closure `F` are made with the
// address of their `State<F>`, which both functions read as such; they
// decode and encode as the libffi closure's trampoline does.
unsafe impl<F, R> Dynamic for DynamicEntry<F, R>
where
    F: Fn(&[Value<'static>]) -> R + Send + Sync,
    R: DynamicResult,
{
    #[inline(always)]
    unsafe fn run(state: *const c_void, registers: &Registers, result: *mut c_void) {
        let (mut ints, mut floats) = (registers.ints.iter(), registers.floats.iter());
        // Each class takes its registers in order; the entry was made only
        // where they suffice (were they not, the panic would be reported
        // as the callback's failure).
        let arg = move |_, kind: Kind| {
            let word = if kind.is_sse() {
                floats.next()
            } else {
                ints.next()
            };
            word.expect("an argument register") as *const u64 as *const u8
        };
        // SAFETY: the caller's promise: a live `State<F>`, its arguments in
        // `registers` (each at its address, in its low bytes: x86-64 is
        // little-endian), a result buffer of eight bytes.
        unsafe { run_dynamic(&*(state as *const State<F>), arg, result) }
    }

    #[inline(always)]
    unsafe fn run_values(state: *const c_void, values: *const Value<'static>, result: *mut c_void) {
        // SAFETY: the caller's promise: a live `State<F>`.
        let state = unsafe { &*(state as *const State<F>) };
        let len = state.core.arg_kinds.len();
        // SAFETY: the caller's promise: one value per declared argument,
        // each owning nothing (so none is dropped); a result buffer of
        // eight bytes.
        unsafe {
            respond(state, result, || {
                (state.handler)(std::slice::from_raw_parts(values, len))
            })
        }
    }
}

/// A dynamic callback's work: decodes the arguments (argument `i`, of
/// class `kind`, at `arg(i, kind)`, asked for in order), then calls the
/// closure and gives C its result, as [`respond`] does.
///
/// # Safety
///
/// `arg(i, kind)` is the address of a value of declared argument `i`'s
/// type, for each; `result` is as for [`respond`]. String arguments are
/// strings by the promise of the binding that passed this callback to C.
#[inline(always)]
unsafe fn run_dynamic<F, R>(
    state: &State<F>,
    mut arg: impl FnMut(usize, Kind) -> *const u8,
    result: *mut c_void,
) where
    F: Fn(&[Value<'static>]) -> R + Send + Sync,
    R: DynamicResult,
{
    let core = &state.core;
    let call = || {
        let types = core.signature.args();
        if types.len() <= INLINE_ARGS {
            let mut values = ArgBuf::new();
            // SAFETY: the caller's promise: `arg(i, _)` holds a `types[i]`.
            unsafe { values.fill(types, &core.arg_kinds, arg) };
            (state.handler)(values.as_slice())
        } else {
            let args = types.iter().zip(&core.arg_kinds).enumerate();
            // SAFETY: as above.
            let decoded = |(i, (ty, &kind))| unsafe { decode(arg(i, kind), ty) };
            let values: Vec<Value<'static>> = args.map(decoded).collect();
            (state.handler)(&values)
        }
    };
    // SAFETY: the caller's promise on `result`.
    unsafe { respond(state, result, call) }
}

/// Runs `call`, which calls the closure, with panics caught, and encodes
/// the result it returns into `result`, or records the failure and gives C
/// the error value.
///
/// # Safety
///
/// `result` is a result buffer as libffi gives a closure for the declared
/// result type.
#[inline(always)]
unsafe fn respond<F, R: DynamicResult>(
    state: &State<F>,
    result: *mut c_void,
    call: impl FnOnce() -> R,
) {
    let core = &state.core;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let returned = call();
        // Read in place: moving the value out costs more than encoding it.
        let value = returned.value()?;
        if core.ret_kind == Kind::Aggregate {
            // SAFETY: `result` is libffi's result buffer for the struct.
            return unsafe { store_struct(value, core.signature.ret(), result) };
        }
        // SAFETY: `result` is libffi's result buffer for the declared type.
        if unsafe { store_number(value, core.ret_kind, result) } {
            // A number owns nothing: skip `Value`'s drop code, which costs
            // as much as the rest of handing the result over.
            if TypeId::of::<R>() == TypeId::of::<Value<'static>>() {
                std::mem::forget(returned);
            }
            return Ok(());
        }
        let mut slot = Slot::ZERO;
        encode_result(value, core.signature.ret(), &mut slot)?;
        // SAFETY: `result` is libffi's result buffer for the declared type.
        unsafe { store_result(core.signature.ret(), &slot, result) };
        Ok(())
    }));
    if !matches!(outcome, Ok(Ok(()))) {
        // SAFETY: as above.
        unsafe { core.finish(outcome, result) }
    }
}

/// Up to `INLINE_ARGS` decoded arguments on the stack: only those there are
/// are written and dropped.
struct ArgBuf {
    values: [MaybeUninit<Value<'static>>; INLINE_ARGS],
    len: usize,
    /// Whether a value that owns memory (a copied string) was pushed.
    owning: bool,
}

impl ArgBuf {
    #[inline(always)]
    fn new() -> ArgBuf {
        ArgBuf {
            values: [const { MaybeUninit::uninit() }; INLINE_ARGS],
            len: 0,
            owning: false,
        }
    }

    /// Decodes the arguments, each of type `types[i]` (of class
    /// `kinds[i]`) at `arg(i, kinds[i])`, asked for in order, noting
    /// whether one owns memory (a copied string). At most `INLINE_ARGS`.
    ///
    /// # Safety
    ///
    /// As for [`decode`], for each argument at its address.
    #[inline(always)]
    unsafe fn fill(
        &mut self,
        types: &[CType],
        kinds: &[Kind],
        mut arg: impl FnMut(usize, Kind) -> *const u8,
    ) {
        let args = self.values.iter_mut().zip(types).zip(kinds);
        for (i, ((slot, ty), &kind)) in args.enumerate() {
            // SAFETY: the caller's promise: `arg(i, kind)` holds a `ty`, of
            // class `kind`.
            let value = unsafe { decode_kind(arg(i, kind), ty, kind) };
            self.owning |= !matches!(
                value,
                Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null | Value::Pointer(_)
            );
            slot.write(value);
            self.len = i + 1;
        }
    }

    #[inline(always)]
    fn as_slice(&self) -> &[Value<'static>] {
        // SAFETY: the first `len` values are initialised, and MaybeUninit<T>
        // has T's layout.
        unsafe {
            std::slice::from_raw_parts(self.values.as_ptr() as *const Value<'static>, self.len)
        }
    }
}

impl Drop for ArgBuf {
    #[inline(always)]
    fn drop(&mut self) {
        // Numbers own nothing: no drop code to run.
        if !self.owning {
            return;
        }
        for value in &mut self.values[..self.len] {
            // SAFETY: the first `len` values are initialised, and dropped once.
            unsafe { value.assume_init_drop() }
        }
    }
}

/// A struct result's error value is always the zeroed struct.
pub(crate) fn refuse_struct_error_value(ret: &CType) -> Result<()> {
    if ret.kind() == Kind::Aggregate {
        return Err(Error::Conversion {
            expected: format!("an error value of type {ret}"),
            given: "a value, where C receives the zeroed struct on failure".into(),
        });
    }
    Ok(())
}

/// Writes a closure's struct result into libffi's result buffer: a
/// [`Value::Struct`] of the declared layout.
///
/// # Safety
///
/// `out` must be libffi's result buffer for a closure returning `ty`.
unsafe fn store_struct(
    value: &Value<'_>,
    ty: &CType,
    out: *mut c_void,
) -> std::result::Result<(), String> {
    match value {
        Value::Struct(s) if s.holds_rust_addresses() => Err(format!(
            "returned {}, whose pointer fields Rust code set, for C to read",
            value.describe()
        )),
        Value::Struct(s) if s.ctype().is_compatible(ty) => {
            // SAFETY: the caller's promise: `out` holds a `ty`, the size of `s`.
            unsafe {
                std::ptr::copy_nonoverlapping(s.as_bytes().as_ptr(), out as *mut u8, ty.size())
            };
            Ok(())
        }
        other => Err(format!("returned {}, expected {ty}", other.describe())),
    }
}

/// Encodes a closure's result as the callback's result type `ty`, or says
/// why it cannot be.
fn encode_result(
    value: &Value<'_>,
    ty: &CType,
    slot: &mut Slot,
) -> std::result::Result<(), String> {
    if *ty == CType::Void {
        return match value {
            Value::Void => Ok(()),
            other => Err(format!(
                "returned {}, but the result type is void",
                other.describe()
            )),
        };
    }
    // C gets an address: of a copy made for the result, or of an owned
    // struct, it would dangle once the closure's value is dropped. Borrows
    // are 'static (a `Value<'static>`), so they live on.
    if ty.is_pointer() {
        let instead = match value {
            Value::Str(_) | Value::CStr(Cow::Owned(_)) => "a RawPtr or a &'static CStr",
            Value::Struct(Cow::Owned(_)) => {
                "a RawPtr or a &'static StructValue, as Value::Struct(Cow::Borrowed(..))"
            }
            Value::Out(_) => "a RawPtr: an out slot lives for one call",
            _ => "",
        };
        if !instead.is_empty() {
            return Err(format!(
                "returned {}, a temporary C would keep a dangling pointer to (return {instead})",
                value.describe()
            ));
        }
    }
    let mut keep = Keep::default();
    encode(value, ty, slot, &mut keep)
        .map_err(|m| format!("returned {}, expected {}", m.given, m.expected))
}

/// Writes the common results, an integer or a float in range of an integer
/// or float result type, straight into libffi's buffer; `false` leaves the
/// rest (and every error) to `encode_result`.
///
/// # Safety
///
/// As for [`store_result`].
#[inline(always)]
unsafe fn store_number(value: &Value<'_>, kind: Kind, out: *mut c_void) -> bool {
    // SAFETY: the caller's promise on `out`.
    unsafe {
        // `int`, the commonest result, first: no jump table on the way.
        if let (Value::Int(i), Kind::I32) = (value, kind) {
            let Ok(i) = i32::try_from(*i) else {
                return false;
            };
            (out as *mut ffi_arg).write_unaligned(i as ffi_arg);
            return true;
        }
        match (value, kind) {
            (Value::Float(f), Kind::F64) => (out as *mut f64).write_unaligned(*f),
            (Value::Int(i), _) => match kind.int_range() {
                Some((lo, hi)) if kind != Kind::Bool && (lo..=hi).contains(i) => {
                    if kind_size(kind) < size_of::<ffi_arg>() {
                        // `as` from i128 keeps the sign or zero extension.
                        (out as *mut ffi_arg).write_unaligned(*i as ffi_arg);
                    } else if matches!(kind, Kind::I64 | Kind::U64) {
                        (out as *mut u64).write_unaligned(*i as u64);
                    } else {
                        return false;
                    }
                }
                _ => return false,
            },
            _ => return false,
        }
    }
    true
}

/// The size of an integer class.
#[inline(always)]
fn kind_size(kind: Kind) -> usize {
    match kind {
        Kind::Bool | Kind::I8 | Kind::U8 => 1,
        Kind::I16 | Kind::U16 => 2,
        Kind::I32 | Kind::U32 => 4,
        _ => 8,
    }
}

/// Writes a result encoded in `slot` as `ty` into libffi's result buffer,
/// widening integers narrower than `ffi_arg` as libffi requires.
///
/// # Safety
///
/// `out` must be libffi's result buffer for a closure returning `ty`.
pub(crate) unsafe fn store_result(ty: &CType, slot: &Slot, out: *mut c_void) {
    let size = ty.size();
    let b = &slot.0;
    let narrow = match ty.kind() {
        _ if size >= size_of::<ffi_arg>() => None,
        Kind::Bool | Kind::U8 => Some(b[0] as i128),
        Kind::I8 => Some(b[0] as i8 as i128),
        Kind::I16 => Some(i16::from_ne_bytes([b[0], b[1]]) as i128),
        Kind::U16 => Some(u16::from_ne_bytes([b[0], b[1]]) as i128),
        Kind::I32 => Some(i32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as i128),
        Kind::U32 => Some(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as i128),
        _ => None,
    };
    // SAFETY: libffi's result buffer holds at least max(size, sizeof(ffi_arg))
    // bytes for a scalar result type (the caller's promise).
    unsafe {
        match narrow {
            // Truncating the i128 sign- or zero-extends as the type's signedness says.
            Some(v) => (out as *mut ffi_arg).write_unaligned(v as ffi_arg),
            None => std::ptr::copy_nonoverlapping(b.as_ptr(), out as *mut u8, size),
        }
    }
}

impl crate::sealed::Sealed for Callback {}

impl FnPointer for Callback {
    fn code_ptr(&self) -> *const c_void {
        Callback::code_ptr(self)
    }
    fn signature(&self) -> &Signature {
        Callback::signature(self)
    }
    fn is_kept_forever(&self) -> bool {
        Callback::is_kept_forever(self)
    }
    fn take_failure(&self) -> Option<String> {
        Callback::take_failure(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes `value` as `ty` and writes it as a closure result.
    fn stored(value: Value<'_>, ty: CType) -> [u8; 16] {
        let mut out = [0xAAu8; 16];
        let mut slot = Slot::ZERO;
        encode_result(&value, &ty, &mut slot).unwrap();
        // SAFETY: 16 bytes are room for any scalar result.
        unsafe { store_result(&ty, &slot, out.as_mut_ptr() as *mut c_void) };
        let mut fast = [0xAAu8; 16];
        // SAFETY: as above.
        if unsafe { store_number(&value, ty.kind(), fast.as_mut_ptr() as *mut c_void) } {
            assert_eq!(fast[..8], out[..8], "both paths agree for {ty}");
        }
        out
    }

    fn ffi_arg_of(bytes: [u8; 16]) -> ffi_arg {
        // SAFETY: reading the first bytes as one ffi_arg.
        unsafe { (bytes.as_ptr() as *const ffi_arg).read_unaligned() }
    }

    #[test]
    fn narrow_integer_results_are_widened_to_ffi_arg() {
        assert_eq!(
            ffi_arg_of(stored(Value::Int(-1), CType::Byte)),
            ffi_arg::MAX
        );
        assert_eq!(ffi_arg_of(stored(Value::Int(255), CType::UByte)), 255);
        assert_eq!(
            ffi_arg_of(stored(Value::Int(-2), CType::Short)),
            (-2i64) as ffi_arg
        );
        assert_eq!(ffi_arg_of(stored(Value::Int(65535), CType::UShort)), 65535);
        assert_eq!(
            ffi_arg_of(stored(Value::Int(i32::MIN as i128), CType::Int)),
            i32::MIN as ffi_arg
        );
        assert_eq!(
            ffi_arg_of(stored(Value::Int(u32::MAX as i128), CType::UInt)),
            u32::MAX as ffi_arg
        );
        assert_eq!(ffi_arg_of(stored(Value::Bool(true), CType::Bool)), 1);
    }

    #[test]
    fn wide_results_are_written_at_their_size() {
        let out = stored(Value::Float(1.5), CType::Float);
        assert_eq!(out[..4], 1.5f32.to_ne_bytes());
        assert_eq!(out[4..8], [0xAA; 4], "nothing written past a float");
        let out = stored(Value::Int(-5), CType::LongLong);
        assert_eq!(out[..8], (-5i64).to_ne_bytes());
        let out = stored(Value::Float(-0.25), CType::Double);
        assert_eq!(out[..8], (-0.25f64).to_ne_bytes());
    }

    #[test]
    fn results_that_cannot_be_given_are_explained() {
        let mut slot = Slot::ZERO;
        let err = encode_result(&Value::Int(256), &CType::UByte, &mut slot).unwrap_err();
        assert_eq!(
            err,
            "returned int 256, which does not fit, expected c_ubyte (from 0 to 255)"
        );
        let err = encode_result(&Value::Int(1), &CType::Void, &mut slot).unwrap_err();
        assert_eq!(err, "returned int 1, but the result type is void");
        let owned = Value::CStr(Cow::Owned(c"x".to_owned()));
        let err = encode_result(&owned, &CType::CharP, &mut slot).unwrap_err();
        assert!(err.contains("dangling"), "{err}");
        let layout = crate::StructLayout::builder("P")
            .field("x", CType::Int)
            .build()
            .unwrap();
        let owned = Value::Struct(Cow::Owned(crate::StructValue::new(&layout).unwrap()));
        let ptr = CType::const_pointer(CType::Struct(layout));
        let err = encode_result(&owned, &ptr, &mut slot).unwrap_err();
        assert!(err.contains("dangling"), "{err}");
        // SAFETY: 16 bytes are room for a float; store_number refuses anyway.
        let stored = unsafe { store_number(&Value::Int(1 << 40), Kind::I32, slot.as_mut_ptr()) };
        assert!(!stored, "out of range goes to the checked path");
    }
}
