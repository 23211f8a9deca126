//! # Performance: where the time goes in a call, and which layer to use
//!
//! A call through rctypes does up to four things on top of the C function:
//!
//! 1. **Check the arguments**: count, types and ranges. A few compares per
//!    argument; each argument's machine class is worked out once, when the
//!    function is bound, not per call.
//! 2. **Stage them**: up to eight arguments go into stack slots; nothing is
//!    allocated on the heap unless a `&str` has to be copied into a
//!    NUL-terminated C string.
//! 3. **Dispatch**: through libffi's `ffi_call` on a call interface prepared
//!    once at bind time, or, for the commonest signatures on x86-64 System V
//!    (up to six integer or pointer arguments and eight `float`/`double`
//!    ones, a scalar or void result, not variadic), straight through a
//!    pre-built shim that loads the argument registers and calls: no cif is
//!    interpreted at all. [`CFunc::uses_register_route`](crate::CFunc::uses_register_route)
//!    says which; [`CFunc::via_libffi`](crate::CFunc::via_libffi) forces libffi.
//! 4. **Read the result** back at its declared width (small integers come
//!    back widened to a full register and are narrowed with the right sign).
//!
//! A [`TypedCFunc`](crate::TypedCFunc) does none of this per call: its
//! signature was checked once, and each call compiles to a plain indirect
//! `extern "C"` call, as fast as calling through a function pointer.
//!
//! ## Which layer to use
//!
//! | situation | layer |
//! |---|---|
//! | signatures learned at run time (plugin hosts, interpreters, the command line) | [`CFunc`](crate::CFunc) |
//! | variadic functions, `long double`, errno capture, result checks | [`CFunc`](crate::CFunc) |
//! | a hot loop over a function whose signature is known when you write the code | [`TypedCFunc`](crate::TypedCFunc) |
//!
//! ## Measured
//!
//! `cargo bench --bench calls` measures each signature four ways in one run
//! and prints the ratios. On a 2-core x86-64 machine:
//!
//! | signature | direct | raw libffi | dynamic | typed |
//! |---|---|---|---|---|
//! | `void noop(void)` | 2.2 ns | 8.9 ns | 15.1 ns | 2.5 ns |
//! | `int add(int, int)` | 2.2 ns | 28.4 ns | 26.5 ns | 2.5 ns |
//! | `double add(double, double)` | 2.6 ns | 30.2 ns | 22.9 ns | 2.6 ns |
//! | 6 mixed arguments | 2.9 ns | 79.4 ns | 39.7 ns | 2.6 ns |
//!
//! A dynamic call with arguments costs less than a raw `ffi_call` because the
//! register route skips libffi; a call with no arguments pays the fixed cost of
//! building and returning a [`Value`](crate::Value).
//!
//! ## Memory-mapped arrays
//!
//! `cargo bench --bench memmap` maps a 4 KiB file and an 8 GiB sparse one
//! and hands each to C through a checked ndpointer. Nothing is read until C
//! touches it, so neither step depends on the file's size:
//!
//! | step | 4 KiB | 8 GiB |
//! |---|---|---|
//! | open and map ([`Memmap::open`](crate::Memmap::open)), then unmap | 11.6 µs | 12.1 µs |
//! | a call of C touching three elements, ndpointer-checked | 89 ns | 68 ns |
