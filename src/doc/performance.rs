//! # Performance: where the time goes in a call, and which layer to use
//!
//! rctypes has three ways to call C (and runs any dynamic call on a worker
//! thread when asked), and two ways for C to call Rust. This
//! page says what each costs beyond the C function itself, why, and when to
//! use which. The times are from `cargo bench --bench suite`, which
//! measures every case against the same floor in one run; the short form's
//! cost is counted in instructions, with callgrind.
//!
//! ## A dynamic call ([`CFunc::call`](crate::CFunc::call))
//!
//! The signature is learned at run time, so every call checks its
//! arguments. Where a call goes is decided when the function is bound, and
//! [`CFunc::route`](crate::CFunc::route) says which [`Route`](crate::Route):
//!
//! - **The fast path** takes signatures of up to six integer or pointer
//!   arguments (ndpointers included) and eight `float` or `double` ones,
//!   and structs or unions of up to 16 bytes by value (as the one or two
//!   register words the ABI makes of them), with a scalar, pointer or
//!   `void` result, on x86-64 System V (Linux, the BSDs, Intel macOS). At
//!   bind time the signature becomes a small program: per argument
//!   register, the argument it takes, its class, and the range of integers
//!   it accepts.
//!
//!   Where every argument is a number (an integer of any width, `_Bool`,
//!   `float`, `double`), the program is also compiled to machine code: the
//!   **compiled route**, [`Route::Compiled`](crate::Route::Compiled). Per
//!   argument the code compares the value's tag byte with the one its class
//!   needs, loads the value straight into its argument register, and checks
//!   the range with the width built into the instructions (an `int` must
//!   survive sign-extension from 32 bits, and the `i128`'s high half must
//!   extend the low one; a finite `double` for a `float` must not exceed
//!   `f32::MAX`): three to nine instructions, no table read. It then jumps
//!   to the function, which returns straight to the caller. The caller
//!   enters the code with an inline `call` and a convention of its own:
//!   the values' address in r10, the function's in r11, and a refusal
//!   reported in r12, which C preserves. The code depends on the
//!   signature's shape only (the function's address is an argument), so
//!   functions of one shape share it: it is made with
//!   [dynasm](https://docs.rs/dynasmrt), interned by its bytes, mapped
//!   executable and never writable, and unmapped with the last function
//!   that uses it. Where the system refuses executable memory the program
//!   runs instead. Other fast-path signatures run the program through an
//!   entry specialised for their numbers of integer and floating-point
//!   registers, or, for one with arguments on the stack, through one entry
//!   that pushes each to its register or the next stack slot.
//!
//!   A call then does:
//!   1. **Count**: one compare against the signature's arity.
//!   2. **Open a callback scope**: one thread-local counter goes up (one
//!      instruction), so that a Rust callback that panics while C runs is
//!      reported by this call. (A failure is rare; its bookkeeping happens
//!      only when there is one.)
//!   3. **Convert and call**: in compiled code, as above; through the
//!      program, per register one look at its argument's
//!      [`Value`](crate::Value) (an integer, or a floating-point number) and
//!      one range check against the bounds the program holds, then a
//!      call sequence (`asm!`) that loads exactly the argument registers.
//!      Pointers, arrays and structs are converted out of line: an array
//!      goes through its checks (for an ndpointer, every one of them) and
//!      passes its address; a struct's layout is checked and its bytes read
//!      into its register words. No call interface is interpreted.
//!   4. **Close the scope and build the result**: the counter goes down,
//!      and its top bit, set while a callback failure waits, is tested by
//!      the same instructions; the result register becomes a `Value` where
//!      the caller receives it.
//!
//!   [`CFunc::call`](crate::CFunc::call) is inlined where it is called, so
//!   that a compiled call is one call into the compiled code, which jumps
//!   to C. A value the compiled code does not take as it stands (a `bool`
//!   for an `int`, an integer for a `double`, anything out of range), like
//!   a value the program does not convert itself (a callback, anything
//!   refused), sends the call
//!   to the general path below, once. (A `&str` for a `const char*` is
//!   copied by the program itself: onto the stack while the call's strings
//!   fit in 256 bytes, to the heap past that.) It starts over: nothing has reached
//!   C yet, and errors read the same on every route. Every route reads the
//!   same rule book for widths, ranges and register classes.
//! - **The register route** (the general path, on x86-64 System V) takes
//!   any value a parameter accepts, signatures that spill up to eight
//!   arguments to the stack, small structs as the fast path does, larger
//!   ones (copied whole into stack slots), and struct results (in the
//!   result registers, or written through a hidden pointer).
//!   Each argument is converted by its declared [`CType`](crate::CType),
//!   into registers staged for one of three call sequences (integers only; integers
//!   and floats; with stack slots). Results that are strings are copied
//!   out here.
//! - **libffi**: everything else (`long double`, structs aligned to 16,
//!   more arguments, variadic functions, and every signature on other
//!   platforms) goes through `ffi_call` on the interface prepared once at
//!   bind time (for a variadic function, once per list of extra argument
//!   types, kept for the next call); errno capture and result checks
//!   ([`with_errno`](crate::CFunc::with_errno),
//!   [`with_errcheck`](crate::CFunc::with_errcheck)) leave the fast path
//!   for the register route.
//!
//! [`CFunc::via`](crate::CFunc::via) picks a slower route, and the tests
//! check every route gives identical results and identical errors for every
//! signature class, on thousands of generated signatures.
//!
//! A raw `ffi_call` spends its time classifying every argument again at
//! each call and copying it through an array of pointers. The fast path
//! does neither: a compiled call costs about 0.2x a raw `ffi_call` with
//! arguments and 0.6x with none, 2.2x to 2.4x the direct call with up to
//! two arguments, and 2.8x to 3.1x with six (7.6 ns, against a direct call
//! that reads 2.5 to 2.7 ns from run to run). Each further argument costs
//! about 0.6 ns, most of it the caller's: it writes the `Value`
//! (a tag and 16 bytes) that the code then reads back, and checks its tag
//! again to drop it. Every call costs about 3 ns above the direct one: the
//! callback scope, the call into the compiled code, and the `Value` built
//! from the result register. Dropping the `Value`s afterwards costs a
//! compare each for numbers: the variants that own memory come last and
//! keep it where their drop runs out of line.
//!
//! Variants of the six-argument benchmark, measured once and not kept,
//! show where its 5 ns above the direct call go: building the six
//! `Value`s and checking their tags again to drop them, about 1.7 ns
//! (with the values built once outside the loop, the call takes 6.0 ns,
//! 2.4x); dropping the result `Value`, about 0.6 ns; the compiled code's
//! checks, about 0.2 ns (code that loads the values unchecked is that much
//! faster); the rest is the call into the compiled code, the result's
//! decoding, and the C function's own chain of additions, which the direct
//! loop hides by overlapping iterations. The compiler cannot skip
//! re-checking the tags after the call: the compiled code has read them,
//! and in a loop that is enough for it to assume they may have changed.
//! Through the program instead of compiled code, `int add(int, int)` takes
//! about 3.7x, and six mixed arguments about 6x.
//!
//! The result is a `Result<Value>`, 112 bytes returned through memory.
//! Matching on it where it lies costs nothing more; moving the `Value` out
//! at once (`unwrap()`, `?`) copies the 112 bytes just after the call wrote
//! them, which costs a few nanoseconds (the *result unwrapped* row).
//!
//! ## Instructions per call, counted
//!
//! Wall-clock times on a shared machine swing several-fold; instruction
//! counts do not. `benches/instructions.rs` runs each cell under
//! `valgrind --tool=callgrind`, collecting only inside two functions that
//! make 1,000 and 11,000 calls after a warm-up, and divides the difference
//! by 10,000: start-up and set-up cancel out, the harness loop's few
//! instructions stay in every column. *dynamic* reads the result as a user
//! writes it (`f.call(&[..])?.to::<T>()?`); *in place* looks at the
//! `Result<Value>` where the call left it. Callback rows count per call C
//! makes back (`fold_calls(op, 100)`, C's own loop included). x86-64 Linux,
//! release build:
//!
//! | call | direct | libffi | typed | dynamic | in place | dynamic − direct |
//! |---|---|---|---|---|---|---|
//! | void noop(void) | 5 | 142 | 4 | 116 | 75 | 111 |
//! | int add_int(int, int) | 12 | 458 | 10 | 223 | 148 | 211 |
//! | double add_double(double, double) | 12 | 448 | 10 | 199 | 131 | 187 |
//! | double mixed6(int, double, long, float, short, double) | 30 | 1060 | 28 | 344 | 277 | 314 |
//! | long seven_longs(long × 7): one on the stack | 29 | 1363 | 27 | 851 | 780 | 822 |
//! | long long spill10(int × 10): four on the stack | 44 | 1589 | 42 | 1087 | 1016 | 1043 |
//! | int sum_int_pair(IntPair): 8 bytes by value | 14 | 547 | 12 | 347 | 275 | 333 |
//! | double dot_vec3(Vec3, Vec3): two of 24 bytes by value | 27 | 956 | 34 | 910 | 845 | 883 |
//! | float compute_mean(const float *, int): 16 floats | 84 | 559 | 82 | 995 | 929 | 911 |
//! | the same through an ndpointer (dtype, ndim, flags, shape) | — | — | — | 580 | 513 | — |
//! | float rows_sum(float **, int, int): 4 × 4 RowPointers | 110 | 728 | 108 | 1344 | 1279 | 1234 |
//! | size_t str_len(const char *): from &str (&CStr where typed) | 24 | 356 | 22 | 1215 | 1148 | 1191 |
//! | the same from &CStr | — | — | — | 477 | 410 | — |
//! | callback int(int, int), per call from C (typed: capturing nothing) | 10 | 331 | 10 | 452 | — | 442 |
//! | the typed callback capturing a value | — | — | 332 | — | — | — |
//!
//! ```text
//! cargo bench --bench instructions               # this table
//! cargo bench --bench instructions -- --check    # CI: fail on a rise
//! cargo bench --bench instructions -- --record   # rewrite benches/instructions.txt
//! ```
//!
//! CI runs `--check`: a row of rctypes' columns that rose by more than 2%
//! plus 2 instructions above `benches/instructions.txt` fails the build.
//!
//! ## The short form ([`CFunc::invoke`](crate::CFunc::invoke))
//!
//! `f.invoke((a, b))` builds the same array of `Value`s on the stack that
//! `f.call(&[a.into(), b.into()])` does, makes the same call, and converts
//! the result as `.to::<R>()` does; both inline to the caller. Counted
//! with callgrind over `examples/invoke_cost.rs` (`int add_int(int, int)`
//! on the compiled route, built with `--release`; the difference between
//! 1,000 and 11,000 calls, over 10,000, so that start-up cancels out):
//!
//! | form | instructions per call |
//! |---|---|
//! | `f.call(&[i.into(), 1.into()])?.to::<i32>()?` | 151.0 |
//! | `f.invoke::<i32>((i, 1))?` | 153.0 |
//!
//! Two instructions more per call, about 1%, with the C function's own
//! instructions included in both.
//!
//! ```text
//! cargo build --release --example invoke_cost
//! valgrind --tool=callgrind target/release/examples/invoke_cost call 1000    # 544,448
//! valgrind --tool=callgrind target/release/examples/invoke_cost call 11000   # 2,054,483
//! valgrind --tool=callgrind target/release/examples/invoke_cost invoke 1000  # 546,468
//! valgrind --tool=callgrind target/release/examples/invoke_cost invoke 11000 # 2,076,517
//! ```
//!
//! ## A non-blocking call (`CFunc::spawn`, feature `nonblocking`)
//!
//! The same dynamic call, run on a worker thread: on top of it, the
//! function's handle cloned (a few reference counts), the arguments and a
//! job boxed and queued under the pool's lock, a worker woken (a futex
//! wake when it was waiting), and the task that awaits woken when the
//! result is in. That is the price of a thread switch each way, small next
//! to the slow functions this is for and large next to a fast one: call a
//! function that returns at once directly. Not measured here.
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
//! about 15 ns more than the direct call, checks included, either way.
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
//! | signatures learned at run time (plugin hosts, interpreters, the command line, C headers read at run time) | [`CFunc`](crate::CFunc): [`invoke`](crate::CFunc::invoke) where the arguments are Rust values, [`call`](crate::CFunc::call) where the list is built at run time; the same cost |
//! | variadic functions, `long double`, errno capture, result checks (`errcheck`) | [`CFunc`](crate::CFunc) |
//! | arrays checked for dtype, shape and flags at every call | [`CFunc`](crate::CFunc) with an [`ndpointer`](crate::ndpointer) |
//! | a hot loop over a function whose signature is known when you write the code | [`TypedCFunc`](crate::TypedCFunc) |
//! | C calls Rust often | a typed callback capturing nothing |
//! | C calls Rust with state, or with a signature learned at run time | a capturing typed callback, or [`Callback::new`](crate::Callback::new) |
//! | a C function that waits (I/O, a lock, a long computation), called from async code | `CFunc::spawn` (feature `nonblocking`) |
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
//! | `void noop(void)` | 2.2 ns | 8.7 ns (3.93x) | 2.2 ns (1.01x, 0.26x libffi) | 5.4 ns (2.43x, 0.62x libffi) |
//! | `void noop(void)`, result unwrapped | - | - | - | 9.5 ns |
//! | `int add(int, int)` | 2.2 ns | 28.2 ns (12.95x) | 2.5 ns (1.13x, 0.09x libffi) | 5.2 ns (2.38x, 0.18x libffi) |
//! | `int add(int, int)`, fast path's program | - | - | - | 8.2 ns |
//! | `int add(int, int)`, register route | - | - | - | 15.4 ns |
//! | `double add(double, double)` | 2.2 ns | 27.3 ns (12.50x) | 2.2 ns (1.00x, 0.08x libffi) | 4.9 ns (2.25x, 0.18x libffi) |
//! | 6 mixed int/float arguments | 2.7 ns | 60.7 ns (22.28x) | 2.5 ns (0.90x, 0.04x libffi) | 7.6 ns (2.80x, 0.13x libffi) |
//! | 10 ints, 4 on the stack | 3.2 ns | 83.9 ns (26.41x) | 2.9 ns (0.93x, 0.04x libffi) | 41.7 ns (13.14x, 0.50x libffi) |
//! | `compute_mean`, 16 floats (ndpointer) | 6.3 ns | 35.9 ns (5.73x) | 6.3 ns (1.00x, 0.17x libffi) | 22.1 ns (3.53x, 0.62x libffi) |
//! | `compute_mean`, 10^8 floats (ndpointer) | 82.2 ms | 82.2 ms (1.00x) | 82.2 ms (1.00x, 1.00x libffi) | 82.3 ms (1.00x, 1.00x libffi) |
//! | `compute_mean`, 10^8-float array, C reads 16 | 6.3 ns | 35.9 ns (5.73x) | 6.3 ns (1.00x, 0.17x libffi) | 20.8 ns (3.31x, 0.58x libffi) |
//! | callback round trip | 1.4 ns | 17.5 ns (12.80x) | 2.2 ns (1.60x, 0.12x libffi) | 25.0 ns (18.27x, 1.43x libffi) |
//! | callback round trip, capturing closure | 1.4 ns | 17.5 ns (12.80x) | 17.6 ns (12.85x, 1.00x libffi) | - |
//! | struct by value (`int sum(IntPair)`) | 2.2 ns | 29.1 ns (13.37x) | 2.2 ns (1.00x, 0.07x libffi) | 15.8 ns (7.25x, 0.54x libffi) |
//!
//! The typed call compiles to the same instructions as the direct call;
//! which of the two rows reads 2.2 ns and which 2.5 ns changes from run to
//! run (code placement), not with the code: the 6-argument direct call
//! reads 2.5 ns in one run and 2.7 ns in another, and so the six-argument
//! dynamic call, which holds at 7.6 ns, reads 2.8x in one and 3.1x in the
//! other. The dynamic rows move by a few tenths of a nanosecond the same
//! way.
//!
//! A dynamic call with an ndpointer, checks included, costs 15.8 ns more
//! than the direct call with 16 elements and 14.5 ns more with 100,000,000
//! (`compute_mean` reading 16 of them, so the C work is the same). For
//! context (reported elsewhere, not measured here): Python's ctypes takes
//! 170 ns to 1.7 µs per call on this kind of machine, and LuaJIT's FFI
//! calls at the direct-call floor but calls back at about 30 times it.
//!
//! ## Reading headers
//!
//! A [`Header`](crate::Header) is read once, when a program starts or a
//! command runs: the C preprocessor, then the parse of every declaration,
//! then the `#define` constants, then one symbol lookup per function. Timed
//! end to end with the command line built in release mode (`cargo build
//! --release -p rctypes-cli`; 5 runs on the same shared 2-core machine,
//! GCC 12, glibc 2.36):
//!
//! | command | time |
//! |---|---|
//! | `rctypes call libsqlite3.so.0 --header sqlite3.h sqlite3_libversion` (286 functions, 465 constants) | 56 to 70 ms |
//! | `rctypes call libz.so.1 --header zlib.h zlibVersion` | 48 ms |
//! | `rctypes call libm.so.6 --header math.h cos 0` (438 functions) | 74 ms |
//! | `cc -E -dD /usr/include/sqlite3.h` alone | 20 ms |
//!
//! In a debug build, `sqlite3.h` reads in about 150 ms and `math.h` in
//! about 400 ms. Headers with declarations the parser stops in cost one
//! more parse of the text before each such declaration.
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
