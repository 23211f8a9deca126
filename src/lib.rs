//! Python's `ctypes` and `numpy.ctypeslib` for Rust.
//!
//! Open a C shared library at run time, look functions up by name, declare
//! their signatures, and call them with every argument checked before C runs.
//!
//! # Which layer when
//!
//! | you have | use | checked | costs over a direct C call |
//! |---|---|---|---|
//! | a signature learned at run time, or one with run-time lengths, ndpointers, `long double`, errno or `errcheck` | **dynamic calls**: [`CFunc::invoke`] (a tuple of Rust values in, the Rust type you ask for out) | every argument, every call | the checks, and `Value`s in and out ([`doc::performance`]) |
//! | … and an argument list built at run time (an interpreter, the command line) | **dynamic calls**: [`CFunc::call`] (a slice of [`Value`]s in, a `Value` out) | the same | the same |
//! | C prototypes or a header, and calls by name | [`Functions`], from `Library::declare_all` or a bound `Header` (feature `cdecl`) | the same | the same, and a name looked up |
//! | a signature fixed when you write the code, in a hot loop | **typed calls**: [`TypedCFunc`], from [`CFunc::typed`] (checked once) or `unsafe` [`Library::typed`] | once, when made | nothing |
//! | C calling Rust with a signature learned at run time | **dynamic callbacks**: [`Callback::new`], a closure over `&[Value]` | every argument C passes | a `Value` per argument, decoded by an entry of the callback's own (x86-64 with `codegen`, arguments in registers), else by libffi's closure |
//! | C calling Rust with a fixed signature | **typed callbacks**: [`Callback::typed`], [`TypedCallback`] | once, when made | nothing for a closure capturing nothing; for one that captures, a three-instruction entry (x86-64 with `codegen`, arguments in registers), else libffi's closure |
//! | a call that returns at once | **blocking**: any of the calls above | | |
//! | a call that waits (I/O, a lock, a long computation) and async code that must not | **non-blocking**: `CFunc::spawn` (feature `nonblocking`), a `CallFuture` any executor awaits, run by a bounded `WorkerPool` | as a dynamic call | a hand-off to a worker thread and a wake-up |
//!
//! ```
//! # fn main() -> Result<(), rctypes::Error> {
//! use rctypes::{CType, Extent, Library};
//!
//! // SAFETY: our fibonacci library has no initialisers to fear.
//! let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
//! // Each array holds as many ints as argument 2 says.
//! let ints = |t: CType| t.extent(Extent::ElementsFromArg(2));
//! // SAFETY: fibonacci.c defines `int fib(int)`, and
//! // `void fibseries(int *a, int elements, int *series)`, which reads
//! // `elements` ints from `a` and writes as many to `series`, neither NULL.
//! let fib = unsafe { lib.function("fib", &[CType::Int], CType::Int)? };
//! // SAFETY: as above.
//! let fibseries = unsafe {
//!     lib.function(
//!         "fibseries",
//!         &[ints(CType::const_pointer(CType::Int)), CType::Int, ints(CType::pointer(CType::Int))],
//!         CType::Void,
//!     )?
//! };
//!
//! let n: i32 = fib.invoke((8,))?;
//! assert_eq!(n, 13);
//!
//! let input = [1, 2, 3, 4, 5, 6, 7, 8];
//! let mut series = [0i32; 8];
//! let () = fibseries.invoke((&input, 8, &mut series))?;
//! assert_eq!(series, [0, 1, 1, 2, 3, 5, 8, 13]);
//!
//! // Checked: a read-only borrow where C writes is refused before the call,
//! // and so is an array shorter than C reads.
//! let err = fibseries.invoke::<()>((&input, 8, &input)).unwrap_err();
//! assert!(err.to_string().contains("argument 3"));
//! let err = fibseries.invoke::<()>((&input[..4], 8, &mut series)).unwrap_err();
//! assert!(err.to_string().contains("argument 1"));
//!
//! // The long form takes a list of values built at run time.
//! assert_eq!(fib.call(&[8.into()])?.to::<i32>()?, 13);
//! # Ok(()) }
//! ```
//!
//! # Core concepts
//!
//! - [`Library`]: a loaded shared library ([`Library::open`], [`load_library`],
//!   [`Library::this`] for libc). Loading is `unsafe`: initialisers run.
//! - [`CType`]: the run-time C types a signature is written in, with the
//!   platform's sizes.
//! - [`Value`]: one dynamic argument or result. Conversions are range-checked;
//!   pointer arguments borrow Rust memory for the call.
//! - [`CFunc`]: a symbol bound to a signature (`unsafe`: you vouch for it);
//!   [`CFunc::invoke`] and [`CFunc::call`] are then safe and check every
//!   argument. [`Functions`] holds bound functions by name.
//! - [`Contract`]: what a pointer parameter lets C do, checked at every
//!   call: its [`Extent`] (how much memory C touches), whether it takes
//!   NULL, whether C keeps it. Handles C gives and takes back are
//!   [`Handle`]s of a named type; raw addresses enter calls only through
//!   `unsafe` ([`Value::address`]).
//! - [`TypedCFunc`]: the same function with its signature as Rust types, called
//!   directly with no libffi and no per-call checks.
//! - Arrays (`numpy.ctypeslib`'s half): slices, `Vec`s, and with the
//!   `ndarray` feature every `ndarray` array and view and the dtype-erased
//!   `NdArray` pass to C without copying ([`doc::arrays`] with that feature); [`ndpointer`] declares an array parameter checked for
//!   [`DType`], dimensions, shape and [`Flags`] at every call; [`AsCtypes`]
//!   gives numpy's `.ctypes` view, whose pointers cannot outlive the array.
//! - `Memmap` (feature `memmap`): a file mapped into memory as an array
//!   (numpy's `memmap`), lent to C like any other; what C writes reaches
//!   the file.
//! - [`Callback`] and [`TypedCallback`]: a Rust closure C calls through a
//!   function pointer (ctypes' `CFUNCTYPE`), declared as [`CType::FuncPtr`];
//!   panics never unwind into C and are reported by the call that was running.
//! - `Allocator` (feature `ndarray`): C asking Rust for arrays through a
//!   callback (the SciPy Cookbook's allocator pattern), thread-safe.
//! - `RowPointers` and `RowPointersMut` (feature `ndarray`): a 2-D array as
//!   the `T**` of one pointer per row, borrowing the array.
//! - [`StructLayout`] ([`doc::structs`]): structs and unions with exact C layouts
//!   (padding, `pack`, `_Alignas`, bitfields), passed by value or by address,
//!   converted to and from record [`DType`]s; [`c_struct!`] declares
//!   `#[repr(C)]` Rust structs checked against them. The traits of Rust
//!   types that cross into C ([`Scalar`], [`CData`], [`Element`], [`CArg`],
//!   [`CRet`], [`CallbackArg`], [`CallbackRet`], [`CStruct`]) are sealed:
//!   that macro is the only way to add a type of your own.
//! - [`Error`]: one error type naming the library, symbol, argument and what
//!   was expected versus given.
//! - `CBuild` (feature `cbuild`): compiles C from strings or files at run
//!   time and loads it, cached by content, for tests and examples that need
//!   a bit of C.
//! - `Library::declare`, `Declarations` and `Header` (feature `cdecl`, on
//!   by default): C prototypes and whole headers as signatures, parsed by a
//!   real C parser.
//! - `CFunc::spawn` and `WorkerPool` (feature `nonblocking`): a call run on
//!   a worker thread, its result a [`Future`] any
//!   executor awaits (Deno's `nonblocking`, koffi's `async`).
//!
//! The [`doc::ctypes_for_python_users`] page maps each ctypes idiom to its
//! rctypes form; [`doc::testing_c_with_cargo_test`] shows how to test a C
//! library with `cargo test`; [`doc::performance`] says where the time goes
//! and which layer to use when; [`doc::misuse`] lists the mistakes ctypes
//! lets through and what rctypes does with each; [`doc::safety`] says what
//! a binding promises and what rctypes checks.
//!
//! # Features
//!
//! The core (loading, C types, values, dynamic and typed calls, callbacks,
//! struct layouts, ndpointer over slices) needs no feature. The rest is
//! opt-in, so a dependent pays only for what it uses:
//!
//! | feature | what | default |
//! |---|---|---|
//! | `ndarray` | `ndarray` arrays and views as arguments, `NdArray`, row pointers, the allocator, `as_array`, typed views of results | yes |
//! | `cdecl` | C declarations and whole headers (`lang-c`, and the C preprocessor through `cc`) | yes |
//! | `memmap` | files mapped into memory as arrays (`memmap2`) | no |
//! | `cbuild` | compiling C at run time for tests (`cc`, `tempfile`, `sha2`) | no |
//! | `codegen` | machine code generated per signature for the fastest dynamic calls on x86-64 (`dynasmrt`) | no |
//! | `nonblocking` | calls run on a bounded pool of worker threads, awaited as futures from any executor (no dependency) | no |
//!
//! The `rctypes` command line is its own package, `rctypes-cli`
//! (`cargo install --path cli`): `rctypes call libm.so.6 'double cos(double)' 0`.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

// Layers, bottom first; each imports only the layers before it
// (`scripts/module-graph` checks): error, failure, sealed, errno,
// out_of_line → types → value → library, callback → func → the extensions
// (arrays, cdecl, cbuild, compiler) → memmap.
mod errno;
mod error;
#[cfg(all(feature = "codegen", rctypes_x86_64_sysv))]
mod executable;
mod failure;
mod out_of_line;
mod sealed;
mod types;
mod value;

mod callback;
mod func;
mod library;

#[cfg(feature = "ndarray")]
mod arrays;
#[cfg(feature = "cbuild")]
pub mod cbuild;
#[cfg(feature = "cdecl")]
mod cdecl;
#[cfg(feature = "memmap")]
mod memmap;
#[cfg(feature = "nonblocking")]
mod nonblocking;
// The C compiler, for CBuild and for the preprocessor headers go through;
// only CBuild compiles and links.
#[cfg(any(feature = "cdecl", feature = "cbuild"))]
#[cfg_attr(not(feature = "cbuild"), allow(dead_code))]
mod compiler;

pub mod doc;

#[cfg(feature = "ndarray")]
pub use arrays::{
    AllocatedArray, Allocator, ArrayStorage, NdArray, RowPointers, RowPointersMut, WriteBack,
    as_array, as_array_mut, ascontiguousarray, ascontiguousarray_mut,
};
pub use callback::{
    BorrowingFn, ByMut, ByRef, Callback, CallbackArg, CallbackArgs, CallbackFn, CallbackParam,
    CallbackRet, DynamicResult, Lent, TypedCallback, UserData, UserDataMut, lend, lend_mut,
};
#[cfg(feature = "cbuild")]
pub use cbuild::CBuild;
#[cfg(feature = "cdecl")]
pub use cdecl::{
    BoundHeader, Constant, Declarations, FunctionDecl, Header, HeaderOptions, Skipped,
    parse_prototype,
};
pub use errno::{get_errno, set_errno};

/// C's `wchar_t` here: `i32` on x86-64 Linux, `u32` on AArch64 Linux, `u16`
/// on Windows. The Rust type typed calls and callbacks take for
/// [`CType::WChar`] (ctypes' `c_wchar`).
///
/// ```
/// use rctypes::{CType, c_wchar};
/// assert_eq!(CType::WChar.size(), std::mem::size_of::<c_wchar>());
/// ```
#[allow(non_camel_case_types)]
pub type c_wchar = libc::wchar_t;
pub use error::{Diagnostic, Error, Result, Severity};
pub use func::{
    ArgList, CFunc, CallConv, ErrCheck, FromResult, Functions, IntoArg, IntoArgs, Route, TypedCFunc,
};
/// For `c_struct!`'s [`IntoArg`] implementations.
#[doc(hidden)]
pub use func::{Copies, DirectParam};
pub use library::{Library, OpenFlags, Variable, load_library};
#[cfg(feature = "memmap")]
pub use memmap::{IntoMode, Memmap, MemmapOptions, Mode};
#[cfg(feature = "nonblocking")]
pub use nonblocking::{CallFuture, OwnedArg, OwnedArgs, WorkerPool};
pub use types::{
    Bits, ByteOrder, CType, Composite, Contract, DType, Dim, Extent, Field, Flags, IntoDType,
    IntoFlags, IntoShapeSpec, LongDouble, NdPointer, NdPointerBuilder, Signature, StructBuilder,
    StructField, StructLayout, ndpointer,
};
pub use value::array::{ArrayArg, AsCtypes, AsCtypesMut, Ctypes, ElementTypes, Ptr, PtrMut};
#[doc(hidden)]
pub use value::c_struct::private as __private;
pub use value::{
    Address, AllocatedCStr, CArg, CData, CRet, CStruct, Element, EndPtr, FnPointer, FromValue,
    Handle, HandleRefused, HandleType, Out, RawPtr, SameArg, Scalar, StringBuffer, Strings,
    StructValue, TypedHandle, Value,
};
