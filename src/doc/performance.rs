//! # Performance: where the time goes in a call, and which layer to use
//!
//! rctypes has three ways to call C, and two ways for C to call Rust. This
//! page says what each costs beyond the C function itself, why, and when to
//! use which. The figures are from `cargo bench --bench suite`, which
//! measures every case against the same floor in one run.
//!
//! ## A dynamic call ([`CFunc::call`](crate::CFunc::call))
//!
//! The signature is learned at run time, so every call checks its
//! arguments. What happens, in order:
//!
//! 1. **Count**: the number of arguments against the declaration (and
//!    whether the function is variadic): two compares.
//! 2. **Convert**: each [`Value`](crate::Value) is range-checked against its
//!    declared type and turned into the 64 bits of its register image. Each
//!    argument's machine class was worked out when the function was bound,
//!    so this is a few compares per argument, with `int`, `long long` and
//!    `double` handled before anything else. Nothing is allocated, except
//!    the NUL-terminated copy a `&str` needs to become a `char*`.
//! 3. **Open a callback scope**: one thread-local counter goes up, so that
//!    a Rust callback that panics while C runs is reported by this call.
//!    (A failure is rare; its bookkeeping happens only when there is one.)
//! 4. **Call**. On x86-64 System V (Linux, the BSDs, Intel macOS), a
//!    signature of up to six integer or pointer arguments, eight `float` or
//!    `double` ones and eight more spilled to the stack, with a scalar or
//!    `void` result, goes through the *register route*: a pre-built shim
//!    whose parameters are exactly the argument registers, in the smallest
//!    of three shapes (integers only; integers and floats; with stack
//!    slots). No call interface is interpreted. A struct or union argument
//!    of up to 16 bytes takes this route too, as the one or two register
//!    words the ABI makes of it (read from its bytes, no copy of the value),
//!    when every argument fits the registers. Everything else (`long
//!    double`, larger structs, struct results, more arguments, variadic
//!    functions) goes through libffi's `ffi_call` on the interface prepared
//!    once at bind time.
//!    [`CFunc::uses_register_route`](crate::CFunc::uses_register_route) says
//!    which; [`CFunc::via_libffi`](crate::CFunc::via_libffi) forces libffi,
//!    and the tests check both give identical results for every class.
//! 5. **Close the scope and read the result**: the counter goes down, a
//!    waiting callback failure is looked for with one compare, and the
//!    result is built as a `Value` where the caller receives it (`int`,
//!    `long long`, `float` and `double` inline).
//!
//! A raw `ffi_call` spends its time classifying every argument again at
//! each call and copying it through an array of pointers; the register
//! route does neither, which is why a dynamic call with arguments costs
//! about two thirds of a raw `ffi_call`, checks included. With no arguments there
//! is nothing to save, and the fixed cost of steps 1, 3 and 5 shows: a
//! dynamic no-op is about 1 ns slower than a raw `ffi_call`.
//!
//! The result is a `Result<Value>`, 112 bytes returned through memory.
//! Matching on it where it lies costs nothing more; moving the `Value` out
//! at once (`unwrap()`, `?`) copies the 112 bytes just after the call wrote
//! them, which costs a few nanoseconds (the *result unwrapped* row).
//!
//! ## A typed call ([`TypedCFunc::call`](crate::TypedCFunc::call))
//!
//! The signature is a Rust type, checked once against the declared one when
//! the [`TypedCFunc`](crate::TypedCFunc) is made. Each call then inlines to
//! a plain `extern "C"` call through the function pointer: no checks, no
//! `Value`s, no libffi, and the same time as calling the pointer yourself.
//! [`try_call`](crate::TypedCFunc::try_call) adds the callback scope of
//! step 3, for functions that call back into Rust.
//!
//! ## Arrays
//!
//! Lending an `ndarray` array, a slice or a [`NdArray`](crate::NdArray)
//! never copies it: C gets the address of the first element. What is
//! checked (an [`ndpointer`](crate::ndpointer)'s dtype, number of
//! dimensions, shape, flags, and that read-only memory does not go where C
//! writes) reads only the array's descriptor (its shape, strides and
//! flags), so the cost is the same for 16 elements and for 100,000,000:
//! about 30 ns for the whole call, checks included, either way.
//!
//! ## Callbacks
//!
//! - A [typed callback](crate::Callback::typed) whose closure captures
//!   nothing (or a function item) is zero-sized, and C calls a trampoline
//!   compiled for its type: a plain `extern "C"` function that calls the
//!   closure, catching panics. It costs about as much as a C function
//!   pointer to a C function.
//!   [`Callback::is_direct`](crate::Callback::is_direct) tells.
//! - A closure that captures something needs a pointer to its captures,
//!   which a C function pointer cannot carry: it goes through a libffi
//!   closure (a small piece of executable memory that loads the pointer
//!   and enters libffi's generic handler). That handler spends about 17 ns
//!   decoding the arguments by the signature at each call, whatever the
//!   closure does.
//! - A [dynamic callback](crate::Callback::new) is a libffi closure too,
//!   and also builds a `Value` per argument (on the stack) and reads the
//!   one returned.
//!
//! To make a hot callback fast, make it capture nothing: keep its state in
//! a `static` (an atomic, or a `OnceLock`), or pass it through the
//! `void *user_data` argument many C APIs have.
//!
//! ## Which layer to use
//!
//! | situation | layer |
//! |---|---|
//! | signatures learned at run time (plugin hosts, interpreters, the command line, C headers read at run time) | [`CFunc`](crate::CFunc) |
//! | variadic functions, `long double`, errno capture, result checks (`errcheck`) | [`CFunc`](crate::CFunc) |
//! | arrays checked for dtype, shape and flags at every call | [`CFunc`](crate::CFunc) with an [`ndpointer`](crate::ndpointer) |
//! | a hot loop over a function whose signature is known when you write the code | [`TypedCFunc`](crate::TypedCFunc) |
//! | C calls Rust often | a typed callback capturing nothing |
//! | C calls Rust with state, or with a signature learned at run time | a capturing typed callback, or [`Callback::new`](crate::Callback::new) |
//!
//! ## Measured
//!
//! `cargo bench --bench suite` (about 75 seconds) on a shared 2-core x86-64
//! machine (AMD EPYC, 2.6 GHz; repeated runs differ by a few percent, more
//! for the 10^8-element rows, which read 400 MB). Each cell is the median
//! time per call, then its ratio to the direct call and, for rctypes, to
//! raw libffi. The
//! direct call goes through an `extern "C"` function pointer; raw libffi
//! is `ffi_call` on a cif prepared once; callbacks are timed per call of
//! the callback, from C's loop.
//!
//! | call | direct | raw libffi | rctypes typed | rctypes dynamic |
//! |---|---|---|---|---|
//! | `void noop(void)` | 2.2 ns | 8.3 ns (3.82x) | 2.2 ns (1.00x, 0.26x libffi) | 9.5 ns (4.37x, 1.14x libffi) |
//! | `void noop(void)`, result unwrapped | - | - | - | 15.8 ns |
//! | `int add(int, int)` | 2.2 ns | 28.2 ns (12.93x) | 2.2 ns (1.00x, 0.08x libffi) | 18.4 ns (8.42x, 0.65x libffi) |
//! | `double add(double, double)` | 2.2 ns | 27.2 ns (12.46x) | 2.5 ns (1.12x, 0.09x libffi) | 18.3 ns (8.40x, 0.67x libffi) |
//! | 6 mixed int/float arguments | 2.7 ns | 61.9 ns (22.60x) | 2.5 ns (0.90x, 0.04x libffi) | 43.8 ns (15.99x, 0.71x libffi) |
//! | 10 ints, 4 on the stack | 3.2 ns | 83.3 ns (26.42x) | 3.0 ns (0.94x, 0.04x libffi) | 53.7 ns (17.03x, 0.64x libffi) |
//! | `compute_mean`, 16 floats (ndpointer) | 6.3 ns | 35.9 ns (5.73x) | 6.3 ns (1.00x, 0.17x libffi) | 37.3 ns (5.95x, 1.04x libffi) |
//! | `compute_mean`, 10^8 floats (ndpointer) | 101.6 ms | 101.2 ms (1.00x) | 99.2 ms (0.98x, 0.98x libffi) | 91.6 ms (0.90x, 0.91x libffi) |
//! | `compute_mean`, 10^8-float array, C reads 16 | 6.3 ns | 35.9 ns (5.73x) | 6.3 ns (1.00x, 0.17x libffi) | 35.1 ns (5.61x, 0.98x libffi) |
//! | callback round trip | 1.4 ns | 17.5 ns (12.79x) | 2.2 ns (1.60x, 0.12x libffi) | 25.2 ns (18.43x, 1.44x libffi) |
//! | callback round trip, capturing closure | 1.4 ns | 17.5 ns (12.79x) | 17.6 ns (12.86x, 1.01x libffi) | - |
//! | struct by value (`int sum(IntPair)`) | 2.2 ns | 29.2 ns (13.37x) | 2.2 ns (1.00x, 0.07x libffi) | 26.7 ns (12.24x, 0.91x libffi) |
//!
//! A dynamic call with an ndpointer, checks included, costs 31.0 ns more
//! than the direct call with 16 elements and 28.9 ns more with 100,000,000
//! (`compute_mean` reading 16 of them, so the C work is the same). For
//! context (reported elsewhere, not measured here): Python's ctypes takes
//! 170 ns to 1.7 µs per call on this kind of machine, and LuaJIT's FFI
//! calls at the direct-call floor but calls back at about 30 times it.
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
