//! # Safety: what you promise, what rctypes checks
//!
//! rctypes promises that once a library is loaded and a signature declared,
//! no safe code can reach undefined behaviour, whatever values it passes.
//! For that to hold, the promise the binder makes must be small enough to be
//! true, and everything else must be checked. This page says which is which.
//!
//! ## What the binder promises
//!
//! Two steps are `unsafe`, and each has a `# Safety` section:
//!
//! - **Loading a library** ([`Library::open`](crate::Library::open),
//!   [`load_library`](crate::load_library)) runs its initialisers.
//! - **Declaring a signature** ([`Library::function`](crate::Library::function),
//!   [`Library::variadic`](crate::Library::variadic),
//!   [`Library::declare`](crate::Library::declare),
//!   [`Library::variable`](crate::Library::variable)) promises that the C
//!   function has it **and keeps the memory contract it states**: what it
//!   reads and writes through each pointer, whether it takes NULL, whether
//!   it keeps a pointer past the call. The contract is data rctypes checks
//!   at every call, so the promise is only that the C code does what its
//!   declaration says.
//!
//! Every `// SAFETY:` comment at a binding in these docs states that whole
//! contract: the signature, the extents, the nullability, the retention.
//!
//! ## The contract, as data
//!
//! Each pointer parameter carries a [`Contract`](crate::Contract):
//!
//! | part | declared with | default | checked at every call |
//! |---|---|---|---|
//! | extent: how much memory C touches | [`CType::extent`](crate::CType::extent) with an [`Extent`](crate::Extent) | one element (`byref`); NUL-terminated for `char*`; none for `void*` | the memory lent covers it: an array's bytes, a string and its NUL, a struct's size; a zero inside the memory for [`Extent::NulTerminated`](crate::Extent::NulTerminated); a longer array for one element is refused with a hint to declare the extent |
//! | nullability | [`CType::nullable`](crate::CType::nullable) (ndpointers: their own) | not NULL | [`Value::Null`](crate::Value::Null) is refused |
//! | mutability | [`CType::pointer`](crate::CType::pointer) vs [`CType::const_pointer`](crate::CType::const_pointer) | | read-only memory (a `&` borrow, a map in mode `r`, a string) never goes where C writes; untyped writes (`void*`) never reach bools or pointers |
//! | retention | [`CType::retained`](crate::CType::retained) | borrowed for the call | only a [`Callback::leak`](crate::Callback::leak)ed callback |
//! | ownership of a handle | [`CType::handle`](crate::CType::handle), [`CType::releases`](crate::CType::releases) | | a [`Handle`](crate::Handle) goes only where its own type is declared, and never after a call released it |
//!
//! An extent may be a count of elements or bytes, fixed or read from other
//! integer arguments of the same call ([`Extent::ElementsFromArg`](crate::Extent::ElementsFromArg),
//! [`Extent::ElementsFromArgs`](crate::Extent::ElementsFromArgs) for
//! `rows * columns`); C declarations state it with array parameters:
//! `void fibseries(const int a[n], int n, int out[n])`. ndpointer shapes
//! ([`Dim::Arg`](crate::Dim::Arg)) are the same idea for n-d arrays.
//!
//! ```
//! # fn main() -> Result<(), rctypes::Error> {
//! use rctypes::{CType, Extent, Value};
//! // SAFETY: the project's own library has no initialisers.
//! let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
//! // SAFETY: fibonacci.c: fibseries reads n ints from a and writes n ints
//! // to out; neither may be NULL; it keeps neither.
//! let fibseries = unsafe { lib.declare("void fibseries(const int a[n], int n, int out[n])")? };
//! let mut out = [0; 4];
//! fibseries.call(&[(&[1, 2, 3, 4]).into(), 4.into(), (&mut out).into()])?;
//! assert_eq!(out, [0, 1, 1, 2]);
//! // Each part of the contract, checked before C runs:
//! assert!(fibseries.call(&[(&[1, 2, 3]).into(), 4.into(), (&mut out).into()]).is_err());
//! assert!(fibseries.call(&[Value::Null, 4.into(), (&mut out).into()]).is_err());
//! assert!(fibseries.call(&[(&[1, 2, 3, 4]).into(), 4.into(), (&[0; 4]).into()]).is_err());
//! # let _ = CType::Int.extent(Extent::One);
//! # Ok(()) }
//! ```
//!
//! ## Addresses
//!
//! A pointer C returns is a [`RawPtr`](crate::RawPtr): safe code can look at
//! it, not pass it back, since it may have been freed, be read-only, or not
//! be a function. A raw address enters a call only through `unsafe`
//! ([`Value::address`](crate::Value::address), [`Address::new`](crate::Address::new),
//! `unsafe` [`Library::typed`](crate::Library::typed)), whose caller vouches
//! for it. Handles C gives and takes back (`sqlite3*`, `FILE*`) get a safe
//! route: a named handle type.
//!
//! Reading through a pointer is `unsafe` too: a `char*` result is read as a
//! string because the declaration promised one.
//!
//! ## Variadic functions
//!
//! What a variadic function reads of its extra arguments (a `printf`
//! format's conversions) is a contract rctypes cannot check, so extra
//! arguments go only through `unsafe`
//! [`CFunc::call_variadic`](crate::CFunc::call_variadic), whose `# Safety`
//! names that contract. Each extra argument is still checked against the
//! type given, at its own width, before C's promotions.
//!
//! ## Values from bytes
//!
//! Types with invalid bit patterns (`bool`) are validated where they come
//! from bytes or from C, and never lent where C writes untyped bytes. Memory
//! holding pointers is never filled from bytes safe code wrote: struct and
//! union values refuse to read a pointer through bytes written as something
//! else.
//!
//! ## Typed calls
//!
//! [`CFunc::typed`](crate::CFunc::typed) checks the Rust types against the
//! declaration once and then calls with no checks, so it takes only what the
//! types themselves prove: scalars, one value by reference, fixed-size arrays
//! covering a fixed extent, strings for `char*`. Run-time lengths (slices,
//! row pointers) and raw addresses go through the dynamic call, which checks
//! them, or through `unsafe` [`Library::typed`](crate::Library::typed).
//!
//! ## What remains the binder's promise
//!
//! - That the C code does what the declaration says: the types, the extents
//!   (a function that reads `n + 1` elements declared as reading `n` is a
//!   false declaration), NULL handling, retention, thread safety.
//! - An [`ndpointer`](crate::ndpointer) without a shape: the binder promises
//!   that C stays inside the array it is given, whatever its length (declare
//!   a shape, with [`Dim::Arg`](crate::Dim::Arg) where C takes the length as
//!   an argument, to have it checked).
//! - A struct C filled and that is passed back to C carries C's own
//!   pointers: declaring such a parameter promises C accepts them.
//!
//! ## The holes closed, and the tests that prove it
//!
//! | what safe code could do | how it is closed | test |
//! |---|---|---|
//! | 1. forge a pointer through a union (`set` an integer, `get` the `char*`) | pointer members other members overlap are read only by `unsafe` [`StructValue::get_unchecked`](crate::StructValue::get_unchecked); record arrays never read integers as pointer-holding structs | `structs::fields::union_pointers_shared_with_integers_are_read_only_by_unsafe_code`, `structs::records::record_arrays_never_read_integers_as_pointers` |
//! | 2. make an invalid `bool` from bytes ([`NdArray::from_bytes`](crate::NdArray::from_bytes), `as_bytes_mut`) | bool data is validated before typed access | `invalid_values::from_bytes_refuses_bytes_no_bool_holds`, `invalid_values::typed_access_refuses_bools_written_as_bytes` |
//! | 3. write bytes into `bool`s (`memset` through `void*`, `data_as_mut::<u8>`) | untyped writers refuse memory holding bools or pointers; reinterpreting views check both types | `safety::extents_in_bytes_products_and_terminators_are_checked`, `invalid_values::ctypes_pointers_never_let_c_write_other_bytes_into_bools` |
//! | 4. return a dangling pointer from a callback (an owned struct for a pointer result) | refused like an owned string: C receives the error value | `callbacks::struct_pointer_results_never_dangle` |
//! | 5. race on a C global from two threads | atomic reads and writes where the size and alignment allow, a lock per address otherwise | `threads::threads_writing_one_c_global_never_tear_it` |
//! | 6. write a `const` global | read-only variables ([`Library::const_variable`](crate::Library::const_variable); `const` in [`Library::declare_variable`](crate::Library::declare_variable)): `set` is [`Error::ReadOnly`](crate::Error::ReadOnly) | `library::const_variables_are_read_only` |
//! | 7. lend memory shorter than C reads | extents checked at every call | `safety::memory_shorter_than_c_reads_is_refused`, `safety::a_plain_pointer_takes_exactly_one_element` |
//! | 8. drop a callback C kept | `retained` parameters take only leaked callbacks | `safety::callbacks_c_keeps_must_live_for_good` |
//! | 9. pass a raw address back (double `free`, `memset` on read-only memory, `malloc`'s result as a function) | raw addresses only through `unsafe`; handle types with `releases` | `safety::raw_addresses_enter_calls_only_through_unsafe` |
//! | 10. pass NULL where C dereferences | NULL only where declared nullable | `safety::null_goes_only_where_declared`, `cli::null_where_c_dereferences_is_an_error` |
//! | 11. call `printf` with a format its arguments do not match | extras only through `unsafe` `call_variadic` | `safety::variadic_extras_go_through_unsafe_checked_at_their_width`, compile-fail `variadic_needs_unsafe` |
//! | 12. panic, abort or overflow the stack on bad input | parser depth limits, checked sizes, fallible allocation, panic payloads dropped safely | `limits::deep_declarations_are_errors_on_a_small_stack`, `limits::array_shapes_whose_strides_overflow_are_errors`, `limits::struct_values_too_large_to_allocate_are_errors`, `callbacks::panics_whose_payloads_panic_on_drop_become_errors` |
//! | 13. call C through a mistyped function pointer | the register route calls through `asm!` call sequences | `differential::every_arity_agrees_on_the_register_route` |
//!
//! The type-level promises (borrows that cannot outlive what they lend,
//! closures that must be `Send + Sync`, handles neither `Sync` nor `Clone`,
//! addresses and variadic extras only through `unsafe`) are proved by the
//! programs in `tests/compile_fail/`, which must not compile.
//!
//! ## Checking it
//!
//! `scripts/memcheck` runs the core tests under valgrind (CI does), and
//! `scripts/asan` the whole suite under AddressSanitizer with a nightly
//! toolchain.
