//! # Misuse: what ctypes users get wrong, and what rctypes does about it
//!
//! The mistakes below fill ctypes' and numpy's issue trackers: most end in a
//! segmentation fault far from their cause, or worse, in a wrong number and
//! no crash at all. For each: what goes wrong in ctypes, what rctypes does
//! instead (a compile error, an `Err` before C runs, or a design that leaves
//! no room for it), an example that runs (or fails to compile) as a doc
//! test, and the test in the repository that shows it.
//!
//! | misuse | rctypes | shown by |
//! |---|---|---|
//! | [callback collected while C holds it](#a-callback-collected-while-c-holds-it) | compile error; a retained parameter takes only a leaked callback | the `compile_fail` example below; `safety::callbacks_c_keeps_must_live_for_good` |
//! | [array freed under a raw pointer](#an-array-freed-under-a-raw-pointer) | compile error | the `compile_fail` examples below and on [`Ctypes`](crate::Ctypes) |
//! | [missing `restype` truncating pointers](#a-missing-restype-truncating-pointers) | no default result type; addresses go back only as handles or through `unsafe` | `safety::raw_addresses_enter_calls_only_through_unsafe` |
//! | [padding mismatch](#padding-that-does-not-match-c) | `Err` naming both layouts | `arrays::padded_records_follow_c_layout` |
//! | [variadic call without fixed arguments](#a-variadic-call-without-its-fixed-arguments) | fixed arguments required; extras typed, checked, promoted, through `unsafe` | `safety::variadic_extras_go_through_unsafe_checked_at_their_width` |
//! | [an array shorter than C reads](#an-array-shorter-than-c-reads) | `Err`: the extent is declared | `safety::memory_shorter_than_c_reads_is_refused` |
//! | [NULL where C dereferences](#null-where-c-dereferences) | `Err` unless declared nullable | `safety::null_goes_only_where_declared` |
//! | [exception in a callback](#an-exception-in-a-callback) | `Err` from the outer call | `callbacks::a_panic_becomes_an_error_of_the_outer_call` |
//! | [wrong argument type silently converted](#a-wrong-argument-type-silently-converted) | `Err` naming the argument | `calls::wrong_type_names_the_argument_expected_and_given` |
//! | [`c_int` overflow](#an-integer-that-does-not-fit) | `Err` with the range | `types::ctypes_silent_truncation_is_an_error_here` |
//! | [non-contiguous array](#a-non-contiguous-array-where-c-walks-memory-in-order) | `Err`, or strides declared | `arrays::plain_pointers_take_only_c_contiguous_arrays` |
//! | [C writing into immutable bytes](#c-writing-into-immutable-bytes) | `Err`: read-only | `calls::string_buffers_receive_what_c_writes` |
//! | [string with an embedded NUL](#a-string-with-an-embedded-nul) | `Err` with the position | `types::strings_in_and_out` |
//! | [errno read too late](#errno-read-too-late) | captured at the call, per thread | `calls::errno_is_captured_per_thread` |
//! | [calls and callbacks from threads](#calls-and-callbacks-from-several-threads) | `Send + Sync`, checked by the compiler | `threads::one_callback_called_from_many_c_threads_at_once`, `threads::the_allocator_under_contention_from_rust_and_c_threads` |
//! | [callback returning a pointer to a temporary](#a-callback-returning-a-pointer-to-a-temporary) | `Err` from the outer call | `callbacks::closure_errors_and_unconvertible_results_are_reported_not_panicked` |
//! | [library unloaded under its functions](#a-library-unloaded-under-its-functions) | functions keep it loaded | `threads::functions_keep_the_library_loaded_after_the_handle_is_dropped` |
//!
//! Test names are `module::function` in `tests/integration/`; every example
//! on this page is a doc test too.
//!
//! ## A callback collected while C holds it
//!
//! **ctypes.** `qsort(a, n, size, CMPFUNC(py_cmp))` passes a temporary
//! `CFUNCTYPE` object; a callback registered with a C library and kept only
//! by C is collected at the next garbage collection. C then jumps into freed
//! memory: a crash in `ffi_closure_unix64_inner`, sometimes much later
//! ([python/cpython#77587], [JohannesBuchner/PyMultiNest#5]).
//!
//! **rctypes.** A [`Callback`](crate::Callback) passed as an argument is
//! borrowed for the whole call, so it cannot be dropped while C runs; safe
//! code cannot hand C the pointer of a dropped callback:
//!
//! ```compile_fail,E0597
//! use rctypes::{Callback, Value};
//! let arg: Value;
//! {
//!     let add = Callback::typed(|a: i32, b: i32| a + b).unwrap();
//!     arg = (&*add).into();
//! } // `add` is dropped here while `arg` still lends it
//! let _call_with = [arg];
//! ```
//!
//! A C library that *keeps* the pointer (a registration) declares the
//! parameter [`retained`](crate::CType::retained): it then takes only a
//! callback [`leak`](crate::Callback::leak)ed for good, and a borrowed one
//! is an `Err`.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
//! use rctypes::{Callback, CType};
//! let binop = CType::func_ptr([CType::Int, CType::Int], CType::Int);
//! // SAFETY: callback.c: `register_binop` keeps op (not NULL) until the next
//! // registration; `call_registered(a, b)` calls it.
//! let register = unsafe { lib.function("register_binop", &[binop.retained()], CType::Void)? };
//! let call_registered = unsafe { lib.function("call_registered", &[CType::Int, CType::Int], CType::Int)? };
//! let borrowed = Callback::typed(|a: i32, b: i32| a * b)?;
//! assert!(register.call(&[(&*borrowed).into()]).is_err(), "dropped with its owner");
//! let forever = Callback::typed(|a: i32, b: i32| a * b)?.leak();
//! register.call(&[(&**forever).into()])?;
//! assert_eq!(call_registered.call(&[6.into(), 7.into()])?.to::<i32>()?, 42);
//! # Ok(()) }
//! ```
//!
//! ## An array freed under a raw pointer
//!
//! **ctypes.** `(a + b).ctypes.data_as(POINTER(c_double))` keeps the
//! address of a temporary array that is freed at once; `as_ctypes` once
//! dropped its array the same way ([numpy/numpy#12566]). C reads freed memory.
//!
//! **rctypes.** Arrays, slices, buffers and the pointers taken from them
//! borrow the Rust memory, so the borrow checker refuses a pointer that
//! outlives its array:
//!
//! ```compile_fail,E0716
//! use rctypes::AsCtypes;
//! let a = ndarray::Array1::<f64>::ones(3);
//! let b = ndarray::Array1::<f64>::ones(3);
//! let p = (&a + &b).ctypes().data_as::<f64>().unwrap(); // the sum dies here
//! let _arg: rctypes::Value = p.into();
//! ```
//!
//! ```compile_fail,E0597
//! let arg: rctypes::Value;
//! {
//!     let v = vec![1.0f64, 2.0];
//!     arg = (&v).into();
//! } // `v` is freed here while `arg` still points into it
//! let _call_with = [arg];
//! ```
//!
//! ## A missing `restype` truncating pointers
//!
//! **ctypes.** Every function returns `c_int` until told otherwise: a
//! function returning a pointer gives its low 32 bits, and the next call that
//! takes it back crashes on 64-bit machines ([python/cpython#86477],
//! [pykler/yajl-py#1]).
//!
//! **rctypes.** There is no default: the result type is a required argument
//! of [`Library::function`](crate::Library::function) (and comes from the
//! prototype with [`Library::declare`](crate::Library::declare)). A pointer
//! result is a [`RawPtr`](crate::RawPtr) of full width, and an integer is
//! not accepted where a pointer is declared. Nor is the `RawPtr` itself in
//! safe code, since it may have been freed since: a handle C gives and
//! takes back is declared as one ([`CType::handle`](crate::CType::handle)),
//! and a raw address goes back only through `unsafe`
//! ([`Value::address`](crate::Value::address)).
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{CType, Library, Value};
//! let libc = Library::this()?;
//! // SAFETY: C's malloc and free: a block malloc returned goes back to
//! // free once, and is then ended.
//! let malloc = unsafe { libc.function("malloc", &[CType::SizeT], CType::handle("block"))? };
//! let free = unsafe { libc.function("free", &[CType::handle("block").releases()], CType::Void)? };
//! let block = malloc.call(&[64.into()])?.into_handle()?;
//! let truncated = block.addr() as u32 as i64;
//! assert!(free.call(&[truncated.into()]).is_err(), "an integer is not a pointer");
//! free.call(&[(&block).into()])?;
//! assert!(free.call(&[(&block).into()]).is_err(), "freed once");
//! # Ok(()) }
//! ```
//!
//! ## An array shorter than C reads
//!
//! **ctypes.** `fibseries(a, 8, out)` with a 4-element `a` reads past its
//! end: `argtypes = [POINTER(c_int), c_int, POINTER(c_int)]` says nothing of
//! how many elements C reads, and numpy's ndpointer checks a shape only when
//! one is given.
//!
//! **rctypes.** A pointer parameter states its [`Extent`](crate::Extent):
//! one element unless declared, so a plain `POINTER(c_int)` takes exactly
//! one (a longer array is refused with a hint); a length argument is named
//! ([`Extent::ElementsFromArg`](crate::Extent::ElementsFromArg), or `int
//! a[n]` in a C declaration), and the memory lent must cover it.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
//! // SAFETY: fibonacci.c: fibseries reads n ints from a and writes n ints to
//! // out; neither is NULL.
//! let fibseries = unsafe { lib.declare("void fibseries(const int a[n], int n, int out[n])")? };
//! let mut out = [0; 8];
//! let err = fibseries.call(&[(&[1, 2, 3, 4]).into(), 8.into(), (&mut out).into()]).unwrap_err();
//! assert!(err.to_string().contains("16 bytes, where C touches 32 bytes"), "{err}");
//! # Ok(()) }
//! ```
//!
//! ## NULL where C dereferences
//!
//! **ctypes.** `None` passes for every pointer: `libc.strlen(None)` is a
//! segmentation fault.
//!
//! **rctypes.** [`Value::Null`](crate::Value::Null) goes only where the
//! parameter is declared [`nullable`](crate::CType::nullable).
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{CType, Library, Value};
//! let libc = Library::this()?;
//! // SAFETY: strlen reads a string, never NULL.
//! let strlen = unsafe { libc.function("strlen", &[CType::CharP], CType::SizeT)? };
//! assert!(strlen.call(&[Value::Null]).is_err());
//! # Ok(()) }
//! ```
//!
//! ## Padding that does not match C
//!
//! **ctypes.** A `Structure` whose `_pack_` disagrees with the C header's
//! `#pragma pack` (or that forgets one) reads every field after the first
//! gap at the wrong offset ([stlehmann/pyads#8]); numpy once ignored
//! `_pack_` when making a dtype from a structure ([numpy/numpy#12342]).
//!
//! **rctypes.** [`DType::record`](crate::DType::record) lays fields out by C's
//! rules when asked (`align = true`) or packed, and a parameter declared
//! with a record's dtype refuses an array of any other layout, naming both.
//! (Structures passed by value are declared separately from records in
//! arrays; a Rust `#[repr(C)]` struct is tied to its dtype by
//! [`c_struct!`](crate::c_struct), which reads the layout from the compiler:
//! [`Element`](crate::Element) is sealed, so no hand-written layout promise
//! can be wrong.)
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let sample = unsafe { rctypes::load_library("sample", rctypes_csrc::DIR)? };
//! use rctypes::{CType, DType, NdArray, ndpointer};
//! let fields = || [("c", DType::parse("i1").unwrap()), ("d", DType::parse("f8").unwrap())];
//! let aligned = DType::record(fields(), true)?; // struct { char c; double d; }
//! let packed = DType::record(fields(), false)?; // the same, under #pragma pack(1)
//! let arg = ndpointer().dtype(&aligned).flags("C,A").read_only().build()?;
//! // SAFETY: sample.c: `double sum_padded(const Padded *p, int n)` over the aligned struct.
//! let sum = unsafe { sample.function("sum_padded", &[arg.into(), CType::Int], CType::Double)? };
//! let wrong = NdArray::zeros(&packed, &[3])?;
//! let err = sum.call(&[(&wrong).into(), 3.into()]).unwrap_err();
//! assert!(err.to_string().contains("array must have data type"), "{err}");
//! # Ok(()) }
//! ```
//!
//! ## A variadic call without its fixed arguments
//!
//! **ctypes.** Without `argtypes`, ctypes passes every argument of `printf`
//! as a variadic one. Where variadic arguments travel differently from fixed
//! ones (arm64 macOS, armhf), the callee reads garbage:
//! `printf(b"hello %d world\n", 128_000_000)` prints `hello 0 world`
//! ([python/cpython#92892], [python/cpython#83813]).
//!
//! **rctypes.** Extra arguments are accepted only by a function bound as
//! variadic, and binding one takes its fixed parameters
//! ([`Library::variadic`](crate::Library::variadic), or `...` in a prototype
//! given to [`Library::declare`](crate::Library::declare)); the call interface
//! is prepared with the fixed count, and the extras, typed explicitly by an
//! `unsafe` call (their format contract cannot be checked), are checked at
//! their own width and get C's default promotions (`float` to `double`,
//! small integers to `int`). A function not bound as variadic refuses extra
//! arguments.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let abi = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
//! use rctypes::{CType, Error};
//! // SAFETY: abi.c: `double sum_doubles(int n, ...)` reads n doubles.
//! let sum = unsafe { abi.variadic("sum_doubles", &[CType::Int], CType::Double)? };
//! // A float extra travels as the double C reads with va_arg(ap, double).
//! // SAFETY: n = 2 doubles follow, as sum_doubles reads.
//! let r = unsafe { sum.call_variadic(&[2.into(), 1.5.into(), 2.25.into()], &[CType::Float, CType::Double])? };
//! assert_eq!(r.to::<f64>()?, 3.75);
//! // SAFETY: the same symbol, wrongly bound as taking one int.
//! let fixed = unsafe { abi.function("sum_doubles", &[CType::Int], CType::Double)? };
//! let err = fixed.call(&[1.into(), 1.5.into()]).unwrap_err();
//! assert!(matches!(err, Error::Arity { expected: 1, given: 2, .. }), "{err:?}");
//! # Ok(()) }
//! ```
//!
//! ## An exception in a callback
//!
//! **ctypes.** An exception raised in a callback is printed and swallowed:
//! C receives zero or an uninitialised result, and the Python call that
//! started it all returns as if nothing happened ([python/cpython#129502],
//! [python/cpython#148596]).
//!
//! **rctypes.** A panic never unwinds into C. It is caught, C receives the
//! callback's error value (zero unless
//! [`with_error_value`](crate::Callback::with_error_value) says), and the
//! checked call that was running returns [`Error::Callback`](crate::Error::Callback)
//! with the panic's message, even when C called back from threads of its own.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
//! use rctypes::{Callback, CType};
//! let binop = CType::func_ptr([CType::Int, CType::Int], CType::Int);
//! // SAFETY: callback.c: `int apply_binop(int (*op)(int, int), int a, int b)`.
//! let apply = unsafe { lib.function("apply_binop", &[binop, CType::Int, CType::Int], CType::Int)? };
//! let divide = Callback::typed(|a: i32, b: i32| a.checked_div(b).expect("division by zero"))?;
//! let err = apply.call(&[(&*divide).into(), 1.into(), 0.into()]).unwrap_err();
//! assert!(err.to_string().ends_with("panicked: division by zero"), "{err}");
//! # Ok(()) }
//! ```
//!
//! ## A wrong argument type silently converted
//!
//! **ctypes.** Without `argtypes`, a Python `int` goes to C as an `int`
//! whatever the parameter is: a `double` parameter reads garbage from a
//! floating-point register, a pointer parameter gets 32 bits.
//!
//! **rctypes.** Every argument is checked against its declared type before
//! the call, and the error names the function, the 1-based argument, what
//! was expected and what was given. A [`TypedCFunc`](crate::TypedCFunc) is
//! checked against the declaration once, when it is made.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let abi = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
//! use rctypes::CType;
//! // SAFETY: abi.c: `double mixed6(int, double, long, float, short, double)`.
//! let mixed6 = unsafe {
//!     abi.function("mixed6", &[CType::Int, CType::Double, CType::Long, CType::Float, CType::Short, CType::Double], CType::Double)?
//! };
//! let err = mixed6
//!     .call(&[1.into(), 2.5.into(), 3.into(), 0.5.into(), "four".into(), 0.25.into()])
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "mixed6: argument 5: expected c_short, given str \"four\"");
//! assert!(mixed6.typed::<(i32, f64, i64, f32, f64, f64), f64>().is_err());
//! # Ok(()) }
//! ```
//!
//! ## An integer that does not fit
//!
//! **ctypes.** `c_int(2**40)` is `c_int(0)` and `c_uint(-1)` is
//! `c_uint(4294967295)`, without a word: a size of -1 becomes a request for
//! gigabytes ([opendp/opendp#583]).
//!
//! **rctypes.** Integers are range-checked against the declared type:
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let abi = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
//! use rctypes::CType;
//! // SAFETY: abi.c: `int id_int(int)` and `unsigned id_uint(unsigned)` return their argument.
//! let id_int = unsafe { abi.function("id_int", &[CType::Int], CType::Int)? };
//! let id_uint = unsafe { abi.function("id_uint", &[CType::UInt], CType::UInt)? };
//! let err = id_int.call(&[(1i64 << 40).into()]).unwrap_err();
//! assert!(err.to_string().ends_with("given int 1099511627776, which does not fit"), "{err}");
//! assert!(id_uint.call(&[(-1).into()]).is_err());
//! # Ok(()) }
//! ```
//!
//! ## A non-contiguous array where C walks memory in order
//!
//! **numpy.** `a.T.ctypes.data` is the transposed array's buffer in memory
//! order: a C function that walks it row by row reads the columns mixed up,
//! and nothing says so ([mzechmeister/serval#8]).
//!
//! **rctypes.** A plain `T*` parameter accepts only a C-contiguous array;
//! [`ascontiguousarray`](crate::ascontiguousarray) copies one when needed, and
//! an [`ndpointer`](crate::ndpointer) states the flags a function needs. Row
//! pointers ([`RowPointers`](crate::RowPointers)) refuse rows that are not
//! contiguous.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let mean = unsafe { rctypes::load_library("mean", rctypes_csrc::DIR)? };
//! use ndarray::Array2;
//! use rctypes::{CType, Extent, ascontiguousarray};
//! let floats = CType::const_pointer(CType::Float).extent(Extent::ElementsFromArg(2));
//! // SAFETY: mean.c: `float compute_mean(const float *A, int n)` reads n
//! // floats from A, not NULL.
//! let compute_mean = unsafe { mean.function("compute_mean", &[floats, CType::Int], CType::Float)? };
//! let a = Array2::from_shape_fn((3, 3), |(i, j)| (i * 3 + j) as f32);
//! let err = compute_mean.call(&[(&a.t()).into(), 3.into()]).unwrap_err();
//! assert!(err.to_string().contains("not C-contiguous"), "{err}");
//! let first_column = compute_mean.call(&[(&ascontiguousarray(&a.t())).into(), 3.into()])?;
//! assert_eq!(first_column.to::<f32>()?, 3.0); // 0, 3 and 6
//! # Ok(()) }
//! ```
//!
//! ## C writing into immutable bytes
//!
//! **ctypes.** A Python `bytes` object passed for a `char*` that C writes
//! into is modified in place, though `bytes` are immutable and may be shared
//! (an interned constant changes everywhere); the documentation's answer is
//! "use `create_string_buffer`", which nothing enforces.
//!
//! **rctypes.** [`CType::Pointer`](crate::CType::Pointer) means C may write,
//! [`CType::ConstPointer`](crate::CType::ConstPointer) that it only reads. A
//! parameter C writes through accepts only memory lent mutably (`&mut` arrays
//! and slices, `&mut StringBuffer`); strings, shared slices and arrays are
//! refused as read-only.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let abi = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
//! use rctypes::{CType, Extent, StringBuffer};
//! let buf = CType::pointer(CType::Char).extent(Extent::ElementsFromArg(2));
//! // SAFETY: abi.c: `int fill_buffer(char *buf, int size, int seed)` writes at
//! // most size bytes to buf, not NULL.
//! let fill = unsafe { abi.function("fill_buffer", &[buf, CType::Int, CType::Int], CType::Int)? };
//! assert!(fill.call(&["immutable".into(), 10.into(), 1.into()]).is_err());
//! let shared = StringBuffer::new(16);
//! let err = fill.call(&[(&shared).into(), 16.into(), 1.into()]).unwrap_err();
//! assert!(err.to_string().contains("read-only"), "{err}");
//! let mut buf = StringBuffer::new(16);
//! fill.call(&[(&mut buf).into(), 16.into(), 1.into()])?;
//! assert_eq!(buf.to_str().unwrap(), "seed:1");
//! # Ok(()) }
//! ```
//!
//! ## A string with an embedded NUL
//!
//! **ctypes.** `c_char_p(b"ab\0cd")` reaches C as `"ab"`: the rest is
//! silently cut off.
//!
//! **rctypes.** A string with a NUL byte is refused where a C string is
//! declared, with the position of the NUL:
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let abi = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
//! use rctypes::CType;
//! // SAFETY: abi.c: `size_t str_len(const char *s)`.
//! let str_len = unsafe { abi.function("str_len", &[CType::CharP], CType::SizeT)? };
//! let err = str_len.call(&["ab\0cd".into()]).unwrap_err();
//! assert!(err.to_string().ends_with("which has a NUL byte at 2"), "{err}");
//! # Ok(()) }
//! ```
//!
//! ## errno read too late
//!
//! **ctypes.** Reading `errno` after a failed call, with anything in between
//! (the interpreter itself calls C functions that set it), gives some other
//! call's `errno`; ctypes' answer is `use_errno=True` and `get_errno()`.
//!
//! **rctypes.** A function bound [`with_errno`](crate::CFunc::with_errno)
//! saves `errno` into a private per-thread copy the instant C returns;
//! [`get_errno`](crate::get_errno) reads that copy, which no later call of
//! Rust's own and no other thread touches.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let abi = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
//! use rctypes::CType;
//! // SAFETY: abi.c: `int set_errno_to(int e)` sets errno to e and returns -1.
//! let fail = unsafe { abi.function("set_errno_to", &[CType::Int], CType::Int)? }.with_errno();
//! fail.call(&[34.into()])?;
//! std::fs::metadata("/no/such/file").unwrap_err(); // sets the real errno meanwhile
//! assert_eq!(rctypes::get_errno(), 34);
//! # Ok(()) }
//! ```
//!
//! ## Calls and callbacks from several threads
//!
//! **ctypes.** Whether a foreign function or a callback may run on several
//! threads is left to the user, and the SciPy Cookbook's allocator callbacks
//! "are not thread safe".
//!
//! **rctypes.** [`Library`](crate::Library), [`CFunc`](crate::CFunc) and
//! [`TypedCFunc`](crate::TypedCFunc) are `Send + Sync` (that the C function
//! itself is thread-safe is part of binding it); a callback's closure must
//! be `Send + Sync`, which the compiler checks, since C may call it from any
//! thread; the [`Allocator`](crate::Allocator) takes allocations from many C
//! threads at once.
//!
//! ```compile_fail,E0277
//! let counter = std::rc::Rc::new(std::cell::Cell::new(0)); // not Send
//! let cb = rctypes::Callback::typed(move |a: i32| {
//!     counter.set(counter.get() + 1);
//!     a
//! });
//! ```
//!
//! ## A callback returning a pointer to a temporary
//!
//! **ctypes.** A callback declared to return `c_char_p` that returns a
//! Python string hands C a pointer into an object freed when the callback
//! returns.
//!
//! **rctypes.** A callback result that would need a copy C cannot keep (a
//! Rust string for a `char*` result) is refused: C receives NULL, and the
//! outer call says why; so is an owned struct for a pointer result. Return
//! a `&'static CStr`, or an address to memory that outlives the call
//! vouched for with `unsafe` ([`Value::address`](crate::Value::address)).
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! # // SAFETY: the project's own library has no initialisers.
//! # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
//! use rctypes::{Callback, CType, Signature, Value};
//! let name = Signature::new([CType::VoidP, CType::VoidP], CType::CharP);
//! let maybe_null = CType::VoidP.nullable();
//! // SAFETY: callback.c: `void *call_ptr(void *(*f)(void *, void *), void *a, void *b)`
//! // returns f(a, b) and reads through neither; a `char*` result travels as
//! // a `void*` does.
//! let call = unsafe {
//!     lib.function("call_ptr", &[name.clone().into(), maybe_null.clone(), maybe_null], CType::VoidP)?
//! };
//! let dangling = Callback::new(name.clone(), |_: &[Value]| Value::Str("temporary"))?;
//! let err = call.call(&[(&dangling).into(), Value::Null, Value::Null]).unwrap_err();
//! assert!(err.to_string().contains("dangling"), "{err}");
//! let kept = Callback::new(name, |_: &[Value]| Value::from(c"static"))?;
//! assert!(call.call(&[(&kept).into(), Value::Null, Value::Null])?.to::<rctypes::RawPtr>().is_ok());
//! # Ok(()) }
//! ```
//!
//! ## A library unloaded under its functions
//!
//! **ctypes.** Closing a library with `_ctypes.dlclose(lib._handle)` while
//! function objects from it remain leaves them pointing into unmapped code.
//!
//! **rctypes.** Every function holds its library: dropping the
//! [`Library`](crate::Library) handle unloads it only when the last function
//! bound from it (on any thread) is gone.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{CType, load_library};
//! // SAFETY: fibonacci.c: `int fib(int n)`.
//! let fib = unsafe {
//!     let lib = load_library("fibonacci", rctypes_csrc::DIR)?;
//!     lib.function("fib", &[CType::Int], CType::Int)?
//! }; // the handle is gone; `fib` keeps the library loaded
//! assert_eq!(fib.call(&[8.into()])?.to::<i32>()?, 13);
//! # Ok(()) }
//! ```
//!
//! [python/cpython#77587]: https://github.com/python/cpython/issues/77587
//! [JohannesBuchner/PyMultiNest#5]: https://github.com/JohannesBuchner/PyMultiNest/issues/5
//! [numpy/numpy#12566]: https://github.com/numpy/numpy/pull/12566
//! [python/cpython#86477]: https://github.com/python/cpython/issues/86477
//! [pykler/yajl-py#1]: https://github.com/pykler/yajl-py/pull/1
//! [stlehmann/pyads#8]: https://github.com/stlehmann/pyads/issues/8
//! [numpy/numpy#12342]: https://github.com/numpy/numpy/pull/12342
//! [python/cpython#92892]: https://github.com/python/cpython/issues/92892
//! [python/cpython#83813]: https://github.com/python/cpython/issues/83813
//! [python/cpython#129502]: https://github.com/python/cpython/issues/129502
//! [python/cpython#148596]: https://github.com/python/cpython/issues/148596
//! [opendp/opendp#583]: https://github.com/opendp/opendp/issues/583
//! [mzechmeister/serval#8]: https://github.com/mzechmeister/serval/issues/8
