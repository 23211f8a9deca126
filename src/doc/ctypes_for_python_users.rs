//! # rctypes for ctypes and numpy.ctypeslib users
//!
//! Each ctypes idiom and its rctypes form. Every example on this page runs as
//! a doc test against the project's own C libraries or libc.
//!
//! | ctypes / numpy.ctypeslib | rctypes |
//! |---|---|
//! | `CDLL(path)` | `Library::open(path)?`, an `unsafe fn` ([`Library::open`](crate::Library::open)) |
//! | `CDLL(path, mode=RTLD_GLOBAL)` | [`Library::open_with`](crate::Library::open_with) with [`OpenFlags`](crate::OpenFlags) |
//! | `CDLL(None)` | [`Library::this`](crate::Library::this) |
//! | `WinDLL(path)`, `WINFUNCTYPE` functions (stdcall) | [`CFunc::with_call_conv`](crate::CFunc::with_call_conv) with [`CallConv::Stdcall`](crate::CallConv::Stdcall), refused where the platform has no stdcall |
//! | `numpy.ctypeslib.load_library(name, path)` | [`load_library`](crate::load_library) |
//! | `f.argtypes = [...]; f.restype = ...` | [`Library::function`](crate::Library::function) |
//! | calling `f(a, b)` | [`CFunc::invoke`](crate::CFunc::invoke)`((a, b))`, the result typed by what you ask for; [`CFunc::call`](crate::CFunc::call) for a list of [`Value`](crate::Value)s built at run time |
//! | `lib.fib(8)`: functions by name | [`Functions`](crate::Functions), from `Library::declare_all` or a bound [`Header`](crate::Header) |
//! | (no equivalent; Deno's `nonblocking`, koffi's `async`) a call that does not block the caller | `CFunc::spawn`, feature `nonblocking`: a future any executor awaits |
//! | ctypes' fundamental types | [`CType`](crate::CType)'s variants |
//! | `POINTER(T)` | [`CType::pointer`](crate::CType::pointer), [`CType::const_pointer`](crate::CType::const_pointer) |
//! | `byref(x)` | [`Value::byref`](crate::Value::byref); a plain pointer takes exactly one element |
//! | (no equivalent) how many elements C reads through a pointer | [`CType::extent`](crate::CType::extent) with an [`Extent`](crate::Extent), or `int a[n]` in a declaration: checked at every call |
//! | `None` for a pointer | [`Value::Null`](crate::Value::Null), where declared [`CType::nullable`](crate::CType::nullable) |
//! | `c_void_p(address)` | `unsafe` [`Value::address`](crate::Value::address) |
//! | an opaque handle (`sqlite3*`, `FILE*`) passed back | [`CType::handle`](crate::CType::handle), [`Handle`](crate::Handle), [`CType::releases`](crate::CType::releases) |
//! | `sqlite3_open(name, byref(db))`: a handle through `sqlite3**` | [`Value::out_handle`](crate::Value::out_handle) for `CType::pointer(CType::handle("sqlite3"))`: after the call `Some(Handle)` of that type, or `None` for NULL |
//! | `sqlite3_open`/`sqlite3_close` on a fixed signature, with no checks per call | [`handle_type!`](crate::handle_type) names a [`HandleType`](crate::HandleType); typed calls take [`&TypedHandle<H>`](crate::TypedHandle) where `handle NAME` is declared, the `TypedHandle<H>` itself (moved: no use after close compiles) where it `.releases()`, `&mut Option<TypedHandle<H>>` for `POINTER(handle NAME)`, and return `Option<TypedHandle<H>>`; the name is checked once, by [`CFunc::typed`](crate::CFunc::typed) |
//! | `strtod(s, byref(end))`: a `char**` end pointer | [`Value::out_offset`](crate::Value::out_offset): the offset into the string passed, checked to lie in it; typed: [`EndPtr`](crate::EndPtr) and [`EndPtr::offset_in`](crate::EndPtr::offset_in) |
//! | `errmsg = c_char_p()`; `sqlite3_exec(..., byref(errmsg))`; `sqlite3_free(errmsg)` | [`Value::out_str`](crate::Value::out_str) (typed: `&mut Option<AllocatedCStr>`) gives an [`AllocatedCStr`](crate::AllocatedCStr), read, then freed once by [`free_with`](crate::AllocatedCStr::free_with) with `sqlite3_free` bound taking `CType::VoidP.releases()` |
//! | keeping a `CFUNCTYPE` object alive while C holds it | [`CType::retained`](crate::CType::retained) parameters take [`Callback::leak`](crate::Callback::leak)ed callbacks |
//! | `c_int.in_dll(lib, name)` of a `const` | [`Library::const_variable`](crate::Library::const_variable) |
//! | `create_string_buffer(n)` | [`StringBuffer::new`](crate::StringBuffer::new) |
//! | variadic `printf(...)` | [`Library::variadic`](crate::Library::variadic), [`CFunc::call_variadic`](crate::CFunc::call_variadic) |
//! | `use_errno=True`, `get_errno()` | [`CFunc::with_errno`](crate::CFunc::with_errno), [`get_errno`](crate::get_errno) |
//! | `f.errcheck = check` | [`CFunc::with_errcheck`](crate::CFunc::with_errcheck) |
//! | `c_int.in_dll(lib, name)` | [`Library::variable`](crate::Library::variable) |
//! | `(c_int * 4).in_dll(lib, "table")`, `(c_char * 20).in_dll(lib, "version").value` | [`Library::variable`](crate::Library::variable) with [`CType::array`](crate::CType::array): `get()` reads characters as a string, numbers as [`Value::Elements`](crate::Value::Elements) (`.to::<Vec<i32>>()`); `set` takes a string or a slice of the length |
//! | `argv = (c_char_p * (n + 1))(*words, None)` for `const char *const *argv` | `Value::from(&["a", "b"])` or `&[&CStr]` ([`Strings`](crate::Strings)), for [`CType::const_pointer`](crate::CType::const_pointer)`(CType::CharP)` with [`Extent::NulTerminated`](crate::Extent::NulTerminated) or a count argument |
//! | `sqlite3_column_text.restype = c_char_p` for a `const unsigned char*` result | `const unsigned char*` (`CType::const_pointer(CType::UByte)`) reads back as a string, as `char*` does; it takes a `&str` or `&CStr` as an argument |
//! | `bytes` with or without a NUL for a `c_char_p` | a `&[u8]` for a `const char*`: passed as is when a NUL ends it within the slice, else as a copy with a NUL added |
//! | `c_short` among `printf`'s variadic arguments | [`CFunc::call_variadic`](crate::CFunc::call_variadic) with `CType::Short`: checked at `short`'s range, then promoted to `int` |
//! | `ndpointer(...)` for a `const double*` parameter | [`NdPointerBuilder::build_for`](crate::NdPointerBuilder::build_for) the declared type: read-only (a shared borrow goes) where the pointee is `const`, dtype from the pointee |
//! | `numpy.memmap(filename, dtype, mode, offset, shape, order)` | [`Memmap::options`](crate::Memmap::options), [`Memmap::open`](crate::Memmap::open) (`unsafe`: nothing else may change the file) |
//! | `c_longdouble` | [`CType::LongDouble`](crate::CType::LongDouble), [`LongDouble`](crate::LongDouble) |
//! | `class P(Structure): _fields_ = [...]`, `_pack_`, `_align_` | [`StructLayout::builder`](crate::StructLayout::builder), [`pack`](crate::StructBuilder::pack), [`align`](crate::StructBuilder::align) |
//! | `class U(Union)`, `("flags", c_uint, 3)`, `c_int * 3` | [`StructLayout::union_builder`](crate::StructLayout::union_builder), [`bitfield`](crate::StructBuilder::bitfield), [`CType::array`](crate::CType::array) |
//! | a `Structure` instance, `p.x = 1` | [`StructValue`](crate::StructValue), [`set`](crate::StructValue::set), [`get`](crate::StructValue::get) |
//! | `p = lib.localtime(t); p.contents` (a returned `POINTER(P)`) | `unsafe` [`RawPtr::read`](crate::RawPtr::read) (or [`read_as`](crate::RawPtr::read_as) for a [`c_struct!`](crate::c_struct)); safe where the result is declared `CType::pointer(P).extent(Extent::One)`: the call returns the struct |
//! | `p[:n]` of a returned pointer | `unsafe` [`RawPtr::read_n`](crate::RawPtr::read_n) |
//! | `(P * n)()` passed to a `POINTER(P)` | [`NdArray::zeros`](crate::NdArray::zeros)`(&layout, &[n])`: an array of the layout's record data type, `&a` for `const P*`, `&mut a` where C writes |
//! | `s.label = b"eth0"` on a `c_char_p` field | [`StructValue::set`](crate::StructValue::set)`("label", "eth0")`: the value owns a copy as long as it lives |
//! | `bytes(s.mac)` of a `c_ubyte * 4` field | [`StructValue::get_array`](crate::StructValue::get_array)`::<u8>("mac")`; only `c_char` arrays read as strings |
//! | a `_pack_ = 1` struct by value (ctypes passes it wrongly) | passed as the C ABI passes it on x86-64 System V and AArch64; refused at bind time elsewhere |
//! | (no equivalent) a Rust `#[repr(C)]` struct checked against the C one | [`c_struct!`](crate::c_struct), [`CStruct::check_against`](crate::CStruct::check_against) |
//! | `numpy.ctypeslib.as_ctypes_type(record_dtype)` | [`StructLayout::from_dtype`](crate::StructLayout::from_dtype), and back with [`StructLayout::dtype`](crate::StructLayout::dtype) |
//! | (no equivalent) a signature fixed at compile time | [`CFunc::typed`](crate::CFunc::typed), [`TypedCFunc`](crate::TypedCFunc) |
//! | a C prototype instead of `argtypes` (cffi's `cdef`) | [`Library::declare`](crate::Library::declare), [`Header`](crate::Header) |
//! | a whole real header (`zlib.h`, `sqlite3.h`), with `-D` and `-I` | [`Header::options`](crate::Header::options), [`HeaderOptions::read_system`](crate::HeaderOptions::read_system); what it cannot express is in [`Header::skipped`](crate::Header::skipped) with why |
//! | `FILE*` from a header, passed back only | [`HeaderOptions::handle`](crate::HeaderOptions::handle), [`Declarations::handle`](crate::Declarations::handle) |
//! | a header's `#define` and `enum` constants, retyped by hand | [`Header::constant`](crate::Header::constant), [`Header::define`](crate::Header::define), [`Constant`](crate::Constant) |
//! | `numpy.ctypeslib.ndpointer(...)` | [`ndpointer`](crate::ndpointer), [`NdPointer`](crate::NdPointer), [`Dim`](crate::Dim) |
//! | `x.ctypes` (`data`, `shape`, `strides`, `data_as`, `shape_as`, `strides_as`) | [`AsCtypes::ctypes`](crate::AsCtypes::ctypes), [`Ctypes`](crate::Ctypes) |
//! | `numpy.dtype(...)` | [`DType`](crate::DType), [`NdArray`](crate::NdArray) |
//! | `numpy.ascontiguousarray` | [`ascontiguousarray`](crate::ascontiguousarray), [`ascontiguousarray_mut`](crate::ascontiguousarray_mut) |
//! | `numpy.ctypeslib.as_array(ptr, shape)` | [`as_array`](crate::as_array) (`unsafe`: C owns the memory) |
//! | `CFUNCTYPE(restype, *argtypes)(func)` | [`Callback`](crate::Callback), [`Signature`](crate::Signature), [`CType::FuncPtr`](crate::CType::FuncPtr); [`Callback::typed`](crate::Callback::typed) |
//! | `CFUNCTYPE(c_int, c_int, c_int)(address)`: a function pointer C returned or keeps in a struct field | [`CFunc::from_address`](crate::CFunc::from_address) (`unsafe`: the caller vouches for the signature and for the code staying loaded); then `call`, [`typed`](crate::CFunc::typed), or `(&f).into()` where C takes a function pointer |
//! | a callback of more than eight arguments | [`Callback::typed`](crate::Callback::typed) takes up to sixteen, as the dynamic [`Callback`](crate::Callback) does |
//! | a comparator over records: `a.contents.score` in a `CFUNCTYPE(c_int, POINTER(Rec), POINTER(Rec))` | [`ByRef<Rec>`](crate::ByRef) of a [`c_struct!`](crate::c_struct) type, read with no `unsafe` |
//! | a callback filling an `int *out_len`: `out_len[0] = n` | [`Callback::typed_borrowing`](crate::Callback::typed_borrowing) with [`ByMut<i32>`](crate::ByMut): the closure gets `&mut i32` for the call; NULL from C is the callback's failure |
//! | `void *user_data`: `py_object` passed through C and cast back in the callback | [`lend`](crate::lend)/[`lend_mut`](crate::lend_mut) a Rust value for the call ([`Lent`](crate::Lent)); the callback's [`UserData<T>`](crate::UserData)/[`UserDataMut<T>`](crate::UserDataMut) gets `&T`/`&mut T` back, checked to be what was lent |
//! | the cookbook's `Allocator` class | [`Allocator`](crate::Allocator) |
//! | an array of row pointers for `float**` | [`RowPointers`](crate::RowPointers), [`RowPointersMut`](crate::RowPointersMut) |
//!
//! ## Loading
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{Library, load_library};
//! let dir = rctypes_csrc::DIR;
//! // _lib = numpy.ctypeslib.load_library('libfibonacci', '.')
//! // SAFETY: the project's own library has no initialisers.
//! let lib = unsafe { load_library("libfibonacci", dir)? };
//! // libc = ctypes.CDLL(None)
//! let libc = Library::this()?;
//! # let _ = (lib, libc);
//! # Ok(()) }
//! ```
//!
//! ## Declaring and calling
//!
//! ctypes defaults an undeclared function to `int f(int...)` and converts
//! whatever it is given. rctypes has no undeclared functions: binding one is
//! where you state its signature, and every call is checked against it.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{CType, Value};
//! # // SAFETY: the project's own library has no initialisers.
//! # let lib = unsafe { rctypes::load_library("libfibonacci", rctypes_csrc::DIR)? };
//! // _lib.fib.argtypes = [c_int]; _lib.fib.restype = c_int
//! // SAFETY: fibonacci.c defines `int fib(int)`.
//! let fib = unsafe { lib.function("fib", &[CType::Int], CType::Int)? };
//! assert_eq!(fib.call(&[8.into()])?, Value::Int(13));
//! // ctypes: fib(2**40) calls fib(0). Here:
//! let err = fib.call(&[(1i64 << 40).into()]).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "fib: argument 1: expected c_int (from -2147483648 to 2147483647), given int 1099511627776, which does not fit"
//! );
//! # Ok(()) }
//! ```
//!
//! ## Out-parameters and buffers
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{CType, Extent, StringBuffer, Value};
//! # // SAFETY: the project's own library has no initialisers.
//! # let abi = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
//! // SAFETY: `void out_params(int a, int *doubled, double *half)` writes one
//! // int and one double, through pointers that are not NULL.
//! let out_params = unsafe {
//!     abi.function("out_params", &[CType::Int, CType::pointer(CType::Int), CType::pointer(CType::Double)], CType::Void)?
//! };
//! let (mut doubled, mut half) = (0i32, 0f64);
//! // out_params(21, byref(doubled), byref(half))
//! out_params.call(&[21.into(), Value::byref(&mut doubled), Value::byref(&mut half)])?;
//! assert_eq!((doubled, half), (42, 10.5));
//!
//! // buf = create_string_buffer(16); fill_buffer(buf, 16, 7)
//! // SAFETY: `int fill_buffer(char *buf, int size, int seed)` writes at most
//! // size bytes to buf, not NULL.
//! let buf_ty = CType::pointer(CType::Char).extent(Extent::ElementsFromArg(2));
//! let fill = unsafe { abi.function("fill_buffer", &[buf_ty, CType::Int, CType::Int], CType::Int)? };
//! let mut buf = StringBuffer::new(16);
//! fill.call(&[(&mut buf).into(), 16.into(), 7.into()])?;
//! assert_eq!(buf.to_str().unwrap(), "seed:7");
//! # Ok(()) }
//! ```
//!
//! ## Arrays without copying
//!
//! Where numpy users write `x.ctypes.data_as(POINTER(c_double))`, a Rust
//! slice converts into a [`Value`](crate::Value) that borrows it for the
//! call: the pointer cannot outlive the array, and a `&[T]` (read-only) is
//! refused where the signature says C writes.
//!
//! Unlike ctypes, the signature says how much memory C touches through each
//! pointer: its [`Extent`](crate::Extent), one element unless declared (as
//! `byref`), and the array lent must cover it. ndpointer's `shape` does the
//! same for n-d arrays.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{CType, Extent};
//! # // SAFETY: the project's own library has no initialisers.
//! # let mean = unsafe { rctypes::load_library("mean", rctypes_csrc::DIR)? };
//! let n_floats = Extent::ElementsFromArg(2);
//! // SAFETY: compute_mean reads n floats; scale_floats rewrites n floats; A
//! // is never NULL.
//! let (compute_mean, scale) = unsafe {
//!     (
//!         mean.function("compute_mean", &[CType::const_pointer(CType::Float).extent(n_floats), CType::Int], CType::Float)?,
//!         mean.function("scale_floats", &[CType::pointer(CType::Float).extent(n_floats), CType::Int, CType::Float], CType::Void)?,
//!     )
//! };
//! let mut a = vec![1.0f32, 2.0, 3.0];
//! assert_eq!(compute_mean.call(&[(&a).into(), 3.into()])?.to::<f32>()?, 2.0);
//! assert!(scale.call(&[(&a).into(), 3.into(), 2.0.into()]).is_err()); // read-only
//! assert!(compute_mean.call(&[(&a).into(), 4.into()]).is_err()); // C would read past a
//! scale.call(&[(&mut a).into(), 3.into(), 2.0.into()])?;
//! assert_eq!(a, [2.0, 4.0, 6.0]);
//! # Ok(()) }
//! ```
//!
//! ## Variadic functions
//!
//! ctypes passes variadic arguments by guessing from the Python value, and
//! a format that disagrees with them crashes. What a variadic function
//! reads of its extra arguments is a contract rctypes cannot check, so
//! they go through `unsafe`
//! [`CFunc::call_variadic`](crate::CFunc::call_variadic), which takes their
//! C types explicitly and checks each value against its type.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{CType, Extent, Library, StringBuffer};
//! let libc = Library::this()?;
//! // SAFETY: snprintf's fixed parameters: it writes at most argument 2 bytes
//! // to argument 1, and reads the format string.
//! let snprintf = unsafe {
//!     let buf = CType::pointer(CType::Char).extent(Extent::ElementsFromArg(2));
//!     libc.variadic("snprintf", &[buf, CType::SizeT, CType::CharP], CType::Int)?
//! };
//! let mut buf = StringBuffer::new(32);
//! let args = [(&mut buf).into(), 32usize.into(), "%d-%s".into(), 7.into(), "seven".into()];
//! // SAFETY: "%d-%s" takes an int and a string, given with those types.
//! unsafe { snprintf.call_variadic(&args, &[CType::Int, CType::CharP])? };
//! drop(args);
//! assert_eq!(buf.to_str().unwrap(), "7-seven");
//! # Ok(()) }
//! ```
//!
//! ## Whole headers
//!
//! Where ctypes users retype a header's prototypes, constants and structs by
//! hand (and cffi's `cdef` wants them cleaned of GNU extensions), rctypes
//! reads the header itself through the C preprocessor: every function the
//! library exports, `#define` and enum constants, struct layouts, callback
//! typedefs, and opaque struct pointers as handle types. What no C type of
//! this target can express is skipped, declaration by declaration, with why.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{Header, Library, Value};
//! let string_h = Header::options().define("_GNU_SOURCE").read_system("string.h")?;
//! let libc = Library::this()?;
//! // SAFETY: the C library's own header; strlen reads its argument's string.
//! let bound = unsafe { string_h.bind(&libc) };
//! assert_eq!(bound.functions["strlen"].call(&["four".into()])?, Value::Int(4));
//! # let headers = concat!(env!("CARGO_MANIFEST_DIR"), "/csrc/headers.h");
//! // headers.h: `enum headers_mode { MODE_READ = 1, MODE_WRITE = MODE_READ << 1, ... }`
//! let header = Header::read(headers, &[])?;
//! assert_eq!(header.constant("MODE_WRITE"), Some(2));
//! // `extern mystery_t headers_mystery(int);` names a type nobody declares.
//! let skipped = header.skipped.iter().find(|s| s.name.as_deref() == Some("headers_mystery"));
//! assert_eq!(skipped.unwrap().message, "unknown type name \"mystery_t\"");
//! # Ok(()) }
//! ```
//!
//! ## Structs and unions
//!
//! A `Structure` subclass becomes a [`StructLayout`](crate::StructLayout)
//! (laid out by the C compiler's rules, `_pack_` and bitfields included) and
//! an instance a [`StructValue`](crate::StructValue). Declared as an argument
//! or result type it passes by value; behind a pointer, by address. A Rust
//! struct declared with [`c_struct!`](crate::c_struct) does the same, and its
//! layout, which comes from the Rust compiler, is checked against the C one.
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{CStruct, CType, StructLayout, StructValue, c_struct};
//! # // SAFETY: the project's own library has no initialisers.
//! # let lib = unsafe { rctypes::load_library("structs", rctypes_csrc::DIR)? };
//! // class Vec3(Structure): _fields_ = [("x", c_double), ("y", c_double), ("z", c_double)]
//! let vec3 = StructLayout::builder("Vec3")
//!     .field("x", CType::Double)
//!     .field("y", CType::Double)
//!     .field("z", CType::Double)
//!     .build()?;
//! // SAFETY: structs.h: `Vec3 cross_vec3(Vec3 a, Vec3 b)`.
//! let cross = unsafe {
//!     let v = CType::Struct(vec3.clone());
//!     lib.function("cross_vec3", &[v.clone(), v.clone()], v)?
//! };
//! let mut x = StructValue::new(&vec3)?;
//! x.set("x", 1.0)?;
//! let mut y = StructValue::new(&vec3)?;
//! y.set("y", 1.0)?;
//! let z = cross.call(&[(&x).into(), (&y).into()])?.to::<StructValue>()?;
//! assert_eq!(z.get("z")?.to::<f64>()?, 1.0);
//!
//! // The same with a Rust struct, checked against the declaration first.
//! c_struct! {
//!     #[derive(Debug, PartialEq)]
//!     struct V3 { x: f64, y: f64, z: f64 }
//! }
//! V3::check_against(&vec3)?;
//! let cross = cross.typed::<(V3, V3), V3>()?;
//! let z = cross.call((V3 { x: 0.0, y: 1.0, z: 0.0 }, V3 { x: 0.0, y: 0.0, z: 1.0 }));
//! assert_eq!(z, V3 { x: 1.0, y: 0.0, z: 0.0 });
//! # Ok(()) }
//! ```
//!
//! ## Where rctypes refuses what ctypes allows
//!
//! | ctypes | rctypes |
//! |---|---|
//! | `c_int(2**40)` is silently `0` | an error naming the range |
//! | a missing `restype` truncates a returned pointer to `int` | every function has a declared result type |
//! | passing a temporary's `.ctypes.data` leaves C a dangling pointer | a borrowed slice cannot outlive the call |
//! | writing through a pointer to an immutable `bytes` corrupts it | `&[T]` is refused where C writes |
//! | a NUL inside a `bytes` string cuts it short | an error naming the NUL's position |
//! | `s.flags = 9` on a 3-bit field stores 1 | an error naming the field's range |
//! | a Python-side `Structure` that disagrees with the C header corrupts memory | [`CStruct::check_against`](crate::CStruct::check_against) names the first field that differs |
//!
//! ## The seed programs, line for line
//!
//! The SciPy Cookbook's ctypes page and the blog post on `compute_mean`,
//! each Python line beside the rctypes line that does its work, then the
//! rctypes program whole (it runs as a doc test, against the project's own
//! C). The signatures are stated once, as C declares them; every call is
//! checked against them.
//!
//! ### fibonacci.py (the Cookbook)
//!
//! | fibonacci.py | rctypes |
//! |---|---|
//! | `_libfibonacci = nm.ctypeslib.load_library('libfibonacci', '.')` | `let lib = unsafe { load_library("libfibonacci", dir)? };` |
//! | `_libfibonacci.fib.argtypes = [ct.c_int]`, `.restype = ct.c_int` | `int fib(int a);` |
//! | `_libfibonacci.fibseries.argtypes = [ndpointer(dtype=nm.int), ct.c_int, ndpointer(dtype=nm.int)]`, `.restype = ct.c_void_p` | `void fibseries(const int a[elements], int elements, int series[elements]);` |
//! | `_libfibonacci.fibmatrix.argtypes = [ndpointer(dtype=nm.int), ct.c_int, ct.c_int, ndpointer(dtype=nm.int)]`, `.restype = ct.c_void_p` | `void fibmatrix(const int a[rows * columns], int rows, int columns, int matrix[rows * columns]);` |
//! | (the three declarations above, bound) | `let fns = unsafe { lib.declare_all(DECLARATIONS)? };` |
//! | `return _libfibonacci.fib(int(a))` | `fns.invoke("fib", (a,))` |
//! | `b = nm.asarray(b, dtype=nm.intc)` | (a `&[i32]` is already C's `int` array) |
//! | `result = nm.empty(len(b), dtype=nm.intc)` | `let mut result = vec![0; b.len()];` |
//! | `_libfibonacci.fibseries(b, len(b), result)` | `let () = fns.invoke("fibseries", (b, b.len() as i32, &mut result))?;` |
//! | `rows, cols = tmp.shape` | `let (rows, cols) = c.dim();` |
//! | `result = nm.empty(c.shape, dtype=nm.intc)` | `let mut result = Array2::zeros(c.dim());` |
//! | `_libfibonacci.fibmatrix(c, rows, cols, result)` | `let () = fns.invoke("fibmatrix", (c, rows as i32, cols as i32, &mut result))?;` |
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use ndarray::{Array2, array};
//! use rctypes::Result;
//!
//! // SAFETY: the project's own library has no initialisers.
//! let lib = unsafe { rctypes::load_library("libfibonacci", rctypes_csrc::DIR)? };
//! // SAFETY: fibonacci.c's functions, which read and write as many ints as
//! // the counts say, through pointers that are not NULL.
//! let fns = unsafe {
//!     lib.declare_all(
//!         "int fib(int a);
//!          void fibseries(const int a[elements], int elements, int series[elements]);
//!          void fibmatrix(const int a[rows * columns], int rows, int columns, int matrix[rows * columns]);",
//!     )?
//! };
//! let fib = |a: i32| -> Result<i32> { fns.invoke("fib", (a,)) };
//! let fibseries = |b: &[i32]| -> Result<Vec<i32>> {
//!     let mut result = vec![0; b.len()];
//!     let () = fns.invoke("fibseries", (b, b.len() as i32, &mut result))?;
//!     Ok(result)
//! };
//! let fibmatrix = |c: &Array2<i32>| -> Result<Array2<i32>> {
//!     let (rows, cols) = c.dim();
//!     let mut result = Array2::zeros(c.dim());
//!     let () = fns.invoke("fibmatrix", (c, rows as i32, cols as i32, &mut result))?;
//!     Ok(result)
//! };
//!
//! // The docstrings' examples.
//! assert_eq!((fib(8)?, fib(23)?, fib(0)?), (13, 17711, -1));
//! assert_eq!(fibseries(&[1, 2, 3, 4, 5, 6, 7, 8])?, [0, 1, 1, 2, 3, 5, 8, 13]);
//! assert_eq!(fibmatrix(&array![[3, 4], [5, 6]])?, array![[1, 2], [3, 5]]);
//! // ctypes would let C read past a short array; here it is refused.
//! let err = fns.invoke::<()>("fibseries", (&[1, 2][..], 3, &mut [0; 3])).unwrap_err();
//! assert!(err.to_string().starts_with("fibseries: argument 1"), "{err}");
//! # Ok(()) }
//! ```
//!
//! ### foo.py (the Cookbook)
//!
//! | foo.py | rctypes |
//! |---|---|
//! | `_foo = N.ctypeslib.load_library('libfoo', '.')` | `let foo = unsafe { load_library("libfoo", dir)? };` |
//! | `_foo.bar.restype = C.c_int`, `_foo.bar.argtypes = [C.POINTER(C.c_double), C.c_int]` | `let bar = unsafe { foo.declare("int bar(double data[len], int len)")? };` |
//! | `return _foo.bar(x.ctypes.data_as(C.POINTER(C.c_double)), len(x))` | `bar.invoke((x, n))` |
//! | `x = N.random.randn(10)` | `let mut x: Vec<f64> = ...;` |
//! | `n = bar(x)` | `let n: i32 = bar.invoke((&mut x, 10))?;` |
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! // SAFETY: the project's own library has no initialisers.
//! let foo = unsafe { rctypes::load_library("libfoo", rctypes_csrc::DIR)? };
//! // SAFETY: foo.c's bar reads `len` doubles of `data` (it prints them) and
//! // returns len + 1.
//! let bar = unsafe { foo.declare("int bar(double data[len], int len)")? };
//! let mut x: Vec<f64> = (0..10).map(|i| i as f64 / 4.0).collect();
//! let n: i32 = bar.invoke((&mut x, 10))?;
//! assert_eq!(n, 11);
//! # Ok(()) }
//! ```
//!
//! ### The allocator callback (the Cookbook)
//!
//! | Python | rctypes |
//! |---|---|
//! | `ALLOCATOR = CFUNCTYPE(c_long, c_int, POINTER(c_int))` | [`Allocator::plain_signature`](crate::Allocator::plain_signature) (`void *(*)(int, int *)`) |
//! | `lib.foo.restype = None`, `lib.foo.argtypes = [ALLOCATOR]` | `let foo = unsafe { lib.function("foo", &[Allocator::plain_signature().into()], CType::Void)? };` |
//! | `allocated_arrays = []`, `def allocate(dim, shape): ...` | `let mut alloc = Allocator::with_typecode('f')?;` |
//! | `lib.foo(ALLOCATOR(allocate))` | `let () = foo.invoke((alloc.callback(),))?;` |
//! | `print allocated_arrays[0]` | `alloc.take_arrays()[0].view::<f32>()?` |
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use rctypes::{Allocator, CType};
//! // SAFETY: the project's own library has no initialisers.
//! let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
//! // SAFETY: callback.c's foo asks the allocator for one 2x3 float array,
//! // fills it, and does not keep the allocator.
//! let foo = unsafe { lib.function("foo", &[Allocator::plain_signature().into()], CType::Void)? };
//! let mut alloc = Allocator::with_typecode('f')?;
//! let () = foo.invoke((alloc.callback(),))?;
//! let arrays = alloc.take_arrays();
//! assert_eq!(arrays[0].view::<f32>()?, ndarray::array![[1.0f32, 2.0, 3.0], [2.0, 4.0, 6.0]].into_dyn());
//! # Ok(()) }
//! ```
//!
//! ### sample.py and the row pointers (the Cookbook)
//!
//! | Python | rctypes |
//! |---|---|
//! | `dat_dtype = N.dtype([('timestamp','i4'),('desc','\|S12')])` | `DType::record([("timestamp", DType::parse("i4")?), ("desc", DType::parse("\|S12")?)], false)?` |
//! | `arr = N.rec.fromrecords(dat, dtype=dat_dtype)` | `NdArray::zeros(&dat_dtype, &[4])?`, then [`set_field`](crate::NdArray::set_field) per record |
//! | `_sample.print_weather.argtypes = [ndpointer(dat_dtype, flags='aligned, contiguous'), C.c_int]` | `lib.function("print_weather", &[ndpointer().dtype(&dat_dtype).flags("aligned, contiguous").build()?.into(), CType::Int], CType::Void)` |
//! | `_sample.print_weather(x, x.size)` | `let () = print_weather.invoke((&mut arr, 4))?;` |
//! | `data = (f4ptr*len(x))(*[row.ctypes.data_as(f4ptr) for row in x])` | `let mut rows = RowPointersMut::new(x.view_mut())?;` |
//! | `foo(data, len(x))` | `let () = foo.invoke((&mut rows, 3))?;` |
//!
//! `examples/sample.rs` and `examples/rows.rs` run both in full.
//!
//! ### The blog post: `compute_mean`
//!
//! | test.py | rctypes |
//! |---|---|
//! | `lib = ctypes.cdll.LoadLibrary('./lib.so')` | `let lib = unsafe { Library::open(path)? };` |
//! | `lib.compute_mean.restype = ctypes.c_float` | `let compute_mean = unsafe { lib.declare("float compute_mean(const float A[n], int n)")? };` |
//! | `mean = lib.compute_mean(ctypes.c_void_p(A.ctypes.data), ctypes.c_int(n))` | `let mean: f32 = compute_mean.invoke((&a, n))?;` |
//! | `if not A.flags['C_CONTIGUOUS']: A = numpy.ascontiguousarray(A)` | a strided view is refused, not misread: `ascontiguousarray(&column)` copies it |
//!
//! ```
//! # fn main() -> rctypes::Result<()> {
//! use ndarray::Array2;
//! use rctypes::{Library, ascontiguousarray};
//! // SAFETY: the project's own library has no initialisers.
//! let lib = unsafe { Library::open(rctypes_csrc::library("mean"))? };
//! // SAFETY: mean.c's compute_mean reads n floats of A, not NULL.
//! let compute_mean = unsafe { lib.declare("float compute_mean(const float A[n], int n)")? };
//! let a: Vec<f32> = (1..=4).map(|i| i as f32).collect();
//! let mean: f32 = compute_mean.invoke((&a, 4))?;
//! assert_eq!(mean, 2.5);
//!
//! // The post's pitfall: a column of a 2-D array is not contiguous.
//! let m = Array2::from_shape_fn((4, 5), |(i, j)| (5 * i + j) as f32);
//! let column = m.column(1);
//! let err = compute_mean.invoke::<f32>((&column, 4)).unwrap_err();
//! assert!(err.to_string().starts_with("compute_mean: argument 1"), "{err}");
//! let column = ascontiguousarray(&column);
//! assert_eq!(compute_mean.invoke::<f32>((&column, 4))?, 8.5);
//! # Ok(()) }
//! ```
