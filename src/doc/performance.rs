//! # Performance: where the time goes in a call, and which layer to use
//!
//! rctypes has three ways to call C (and runs any dynamic call on a worker
//! thread when asked), and two ways for C to call Rust. This
//! page says what each costs beyond the C function itself, why, and when to
//! use which. The times are from `cargo bench --bench suite`, which
//! measures every case against the same floor in one run; instructions
//! per call are counted with callgrind (`cargo bench --bench
//! instructions`), which repeats to the instruction where times do not.
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
//!   register words the ABI makes of them), or numbers, pointers and
//!   strings with up to eight more on the stack, with a scalar, pointer or
//!   `void` result, on x86-64 System V (Linux, the BSDs, Intel macOS). At
//!   bind time the signature becomes a small program: per argument
//!   register, the argument it takes, its class, and the range of integers
//!   it accepts.
//!
//!   Where every argument is a number (an integer of any width, `_Bool`,
//!   `float`, `double`; up to eight past the registers, which the code
//!   stores to stack slots it reserves, then calls the function and
//!   returns), the program is also compiled to machine code: the
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
//! does neither: in the run below, a compiled call through
//! [`call`](crate::CFunc::call), its result matched where it lies, costs
//! 0.13x to 0.25x a raw `ffi_call` with arguments and 0.7x with none, and
//! about 2.6x to 3.2x the direct call with up to six arguments. Each
//! argument costs the caller a `Value` written (a tag and 16 bytes) that
//! the code then reads back, and a compare to drop it; every call costs the
//! callback scope, the call into the compiled code, and the result's
//! conversion from its register. Through the program instead of compiled
//! code, `int add(int, int)` takes about 4.7x the direct call. Where the
//! arguments are Rust values of the declared types,
//! [`invoke`](crate::CFunc::invoke) skips all of that (below).
//!
//! The result of [`call`](crate::CFunc::call) is a `Result<Value>`, 112
//! bytes returned through memory. Matching on it where it lies costs
//! little (the *in place* figures); moving the `Value` out at once
//! (`call(..)?`, `unwrap()`) copies the 112 bytes just after the call
//! wrote them, in pieces the processor cannot forward from its stores:
//! `call(..)?.to::<i32>()` takes about 3.3x the same call matched in place,
//! although it runs only 45 instructions more. Where the arguments are
//! Rust values, use `invoke`; where the list is built at run time, match
//! on `call`'s result where it lies: `match f.call(&args) { Ok(ref v) =>
//! v.to::<i32>(), Err(e) => Err(e) }`.
//!
//! ## Instructions per call, counted
//!
//! Wall-clock times on a shared machine swing several-fold; instruction
//! counts do not. `benches/instructions.rs` runs each cell under
//! `valgrind --tool=callgrind`, collecting only inside two functions that
//! make 1,000 and 11,000 calls after a warm-up, and divides the difference
//! by 10,000: start-up and set-up cancel out, the harness loop's few
//! instructions stay in every column. The columns:
//!
//! - *direct*: the C function through an `extern "C"` function pointer,
//!   the floor; *libffi*: raw `ffi_call` on a cif prepared once; *typed*:
//!   [`TypedCFunc::call`](crate::TypedCFunc::call).
//! - *invoke*: `f.invoke::<R>((a, b))?`, the form a user writes with Rust
//!   values in hand (the README's first call); on every row the values
//!   are of the declared types (numbers, structs, a slice of floats for a
//!   `const float *`, a mutable one for a `float *`, row pointers,
//!   strings), so it calls directly (below).
//! - *dynamic*: `f.call(&[a.into(), b.into()])?.to::<R>()?`, for a list of
//!   [`Value`](crate::Value)s built at run time, read as a user reads it.
//! - *in place*: the same `call`, its `Result<Value>` looked at where the
//!   call left it.
//! - *layer*: what rctypes adds, *invoke* (or, where a row has none,
//!   *dynamic*) less *direct*.
//!
//! Callback rows count per call C makes back (`fold_calls(op, 100)` or
//! `fold_compares(cmp, 100)`, C's own loop included). x86-64 Linux,
//! release build:
//!
//! | call | direct | libffi | typed | invoke | dynamic | in place | layer |
//! |---|---|---|---|---|---|---|---|
//! | void noop(void) | 5 | 142 | 4 | 18 | 88 | 70 | 13 |
//! | int add_int(int, int) | 12 | 458 | 10 | 29 | 146 | 101 | 17 |
//! | double add_double(double, double) | 12 | 448 | 10 | 31 | 124 | 89 | 19 |
//! | double mixed6(int, double, long, float, short, double) | 30 | 1060 | 28 | 49 | 200 | 160 | 19 |
//! | long seven_longs(long × 7): one on the stack | 29 | 1363 | 27 | 50 | 272 | 227 | 21 |
//! | long long spill10(int × 10): four on the stack | 44 | 1589 | 42 | 65 | 365 | 321 | 21 |
//! | int sum_int_pair(IntPair): 8 bytes by value | 14 | 547 | 12 | 43 | 322 | 273 | 29 |
//! | double dot_vec3(Vec3, Vec3): two of 24 bytes by value | 27 | 956 | 34 | 84 | 856 | 815 | 57 |
//! | float compute_mean(const float *, int): 16 floats | 84 | 559 | 82 | 146 | 448 | 404 | 62 |
//! | void scale_floats(float *, int, float): 16 floats from &mut [f32] | 112 | — | — | 168 | 501 | — | 56 |
//! | the same through an ndpointer (dtype, ndim, flags, shape) | — | — | — | 176 | 498 | 455 | — |
//! | the same through an ndpointer that checks only that C reads | — | — | — | 145 | — | — | — |
//! | float rows_sum(float **, int, int): 4 × 4 RowPointers | 110 | 728 | 108 | 224 | 524 | 483 | 114 |
//! | size_t str_len(const char *): from &str (&CStr where typed) | 24 | 356 | 22 | 109 | 291 | 251 | 85 |
//! | the same from &CStr | — | — | — | 53 | 233 | 193 | — |
//! | callback int(int, int), per call from C (typed: capturing nothing) | 10 | 331 | 10 | — | 75 | — | 65 |
//! | the typed callback capturing a value | — | — | 14 | — | — | — | — |
//! | callback int(const int *, const int *), per call from C (dynamic) | 18 | — | — | — | 55 | — | 37 |
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
//! Where the layer's instructions go, on the rows that cost most: a
//! checked call with a string or a struct reads its declared
//! [`CType`](crate::CType)s at each call, outside the compiled code. An
//! array or rows lent to a pointer to numbers are checked instead against
//! what the pointer asks of an array, worked out when the function was
//! bound (below), by `invoke` and `call` alike; only an array those checks
//! refuse is checked against the declared types, which say why.
//!
//! ## The short form ([`CFunc::invoke`](crate::CFunc::invoke))
//!
//! `f.invoke((a, b))` takes the arguments as a tuple of Rust values. Where
//! each Rust type is exactly the C type declared in its place (the same
//! width, sign and class: an `i32` for an `int`, an `i64` for a 64-bit
//! `long`, an `f32` for a `float`, a [`c_struct!`](crate::c_struct) type
//! for its own layout with no pointer in it), and so is the result type
//! (`()` for `void`), no value of those types can fail a check: `invoke`
//! calls the function directly through its address, as a typed call does,
//! and makes no `Value`. [`invokes_directly`](crate::CFunc::invokes_directly)
//! tells. Whether the types match is one compare of two keys: the declared
//! signature's, made at bind time (a hexadecimal digit per type, its
//! machine kind), and the tuple's, a constant of the compiled call. A
//! struct adds a compare of the declared layout with its type's own (for a
//! result, of type ids). What is left over the direct call is that
//! compare, the callback scope (step 2 above) and the `Result`: the
//! *invoke* column, 13 to 21 instructions for numbers in registers or on
//! the stack, 29 for a struct of 8 bytes and 57 for two of 24. This
//! works on every platform, whatever the route.
//!
//! A `const char *` that C reads up to its NUL takes a string the same
//! way: a `&CStr` as it stands (25 instructions over the direct call), a
//! `&str` once copied with a NUL into a room on the call's stack, eight
//! bytes at a time (82 for 23 bytes, the copy included). A `&str` holding
//! a NUL, or too long for the room (256 bytes), takes the checked call,
//! which refuses the first and copies the second to the heap. An
//! [`ndpointer`](crate::ndpointer) takes an array once its checks (data
//! type, dimensions, shape, flags, writability) pass, compares only, the
//! shape against the integer arguments of the tuple it names; one it
//! refuses takes the checked call, which words why. For `compute_mean`
//! those checks cost 31 instructions: the same call through an ndpointer
//! that checks only that C reads takes 145, against 176.
//!
//! A plain pointer to numbers (`const float *`, `int *`), or to rows of
//! them (`const float * const *`), takes an array the same way. When the
//! function is bound, each such parameter's checks are worked out once:
//! the kind of number, whether C writes, how much C touches (its
//! [`Extent`](crate::Extent), and for rows each row's). At the call an
//! array passes when its elements are exactly those numbers (row pointers
//! made by [`RowPointers`](crate::RowPointers), whose rows are long
//! enough), it is writable where C writes, whole and in order (an
//! `ndarray` must be C-contiguous and aligned), and it covers the extent,
//! read with the same rule as the checked call and counted from the
//! tuple's integers: 62 instructions over the direct call for
//! `compute_mean` with a slice of 16 floats, 114 for four row pointers. A
//! mutable borrow passes the same way (`&mut [f32]`, `&mut Vec<f32>`,
//! [`RowPointersMut`](crate::RowPointersMut)), and only it where C writes:
//! 56 for `scale_floats` with a `&mut [f32]`. The extent's element size is
//! worked in at bind time, so a call multiplies a count by a constant; row
//! pointers carry what they state of each row (its numbers, whether C may
//! write them, its length), read once when they are made.
//! Anything else (a count of another integer type, bytes lent as `char`,
//! a column of a matrix, too short an array) takes the checked call, which
//! takes or refuses it in its own words. `call` makes the same checks
//! first, with the counts read from its `Value`s. A unit test holds them
//! to agreeing with the declared types' checks, on every pair of some
//! 1,900 arrays and declarations.
//!
//! Other types (an `i64` for an `int`, a `Value`, a `CString`) take
//! `call`'s way: the same array of `Value`s on the stack, the same checks,
//! the same errors. On the compiled route the result register
//! then becomes the type asked for directly; on the others the `Value` is
//! read where the call left it, which `?` on `call`'s result cannot (the
//! *in place* column against *dynamic*).
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
//! about 33 ns more than the direct call through `call` (about 410
//! instructions, checks included), and about 90 instructions through
//! `invoke`; see the tables.
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
//!   which a C function pointer cannot carry. Where rctypes makes machine
//!   code (x86-64 System V, feature `codegen`), each such callback whose
//!   arguments all travel in registers gets an entry: three instructions
//!   (`mov` the pointer into the integer argument register after C's
//!   arguments, `mov` and `jmp` to the trampoline compiled for the
//!   closure's type, which takes the pointer as one more argument),
//!   mapped executable and read-only, unmapped with the callback. A call
//!   then costs 14 instructions, as the zero-sized form's 10 plus the
//!   entry. Otherwise it goes through a libffi closure (a small piece of
//!   executable memory that loads the pointer and enters libffi's generic
//!   handler), which spends about 17 ns decoding the arguments by the
//!   signature at each call, whatever the closure does.
//! - A [dynamic callback](crate::Callback::new) gets an entry too, where
//!   rctypes makes machine code and its arguments all travel in registers.
//!   Where they are numbers, `_Bool`s or pointers (not strings or
//!   handles), the entry is made for the signature: it writes each
//!   argument as its `Value` into an array on its stack, a few
//!   instructions per argument, then calls the closure with the array; a
//!   call of `int(int, int)` costs 65 instructions over the C function's,
//!   one of two pointers 37. Otherwise the entry saves every argument
//!   register and jumps to a trampoline that decodes them by the
//!   signature, as libffi's handler would from memory (strings are copied
//!   out). Elsewhere it is a libffi closure, which also builds a `Value`
//!   per argument and reads the one returned.
//!
//! To make a hot callback fast where no entry is made, make it capture
//! nothing: keep its state in a `static` (an atomic, or a `OnceLock`), or
//! pass it through the `void *user_data` argument many C APIs have.
//!
//! ## Which layer to use
//!
//! | situation | layer |
//! |---|---|
//! | signatures learned at run time (plugin hosts, interpreters, the command line, C headers read at run time) | [`CFunc`](crate::CFunc): [`invoke`](crate::CFunc::invoke) where the arguments are Rust values (as cheap as a typed call where their types are the declared ones), [`call`](crate::CFunc::call) where the list is built at run time |
//! | variadic functions, `long double`, errno capture, result checks (`errcheck`) | [`CFunc`](crate::CFunc) |
//! | arrays checked for dtype, shape and flags at every call | [`CFunc`](crate::CFunc) with an [`ndpointer`](crate::ndpointer) |
//! | a hot loop over a function whose signature is known when you write the code | [`TypedCFunc`](crate::TypedCFunc) |
//! | C calls Rust often | a typed callback capturing nothing |
//! | C calls Rust with state, or with a signature learned at run time | a capturing typed callback, or [`Callback::new`](crate::Callback::new) |
//! | a C function that waits (I/O, a lock, a long computation), called from async code | `CFunc::spawn` (feature `nonblocking`) |
//!
//! ## Measured
//!
//! `cargo bench --bench suite` (about 90 seconds) on a shared 2-core x86-64
//! machine (AMD EPYC, 2.6 GHz; repeated runs differ by a few percent on a
//! quiet machine, by up to 2x on a busy one, as this run's `10 ints` row
//! shows, and more for the 10^8-element rows, which read 400 MB; the
//! instruction counts above do not move). Each cell is the median
//! time per call, then its ratio to the direct call and, for rctypes, to
//! raw libffi. The
//! direct call goes through an `extern "C"` function pointer; raw libffi
//! is `ffi_call` on a cif prepared once; callbacks are timed per call of
//! the callback, from C's loop.
//!
//! | call | direct | raw libffi | rctypes typed | rctypes invoke | rctypes dynamic, in place |
//! | `void noop(void)` | 2.7 ns | 10.5 ns (3.94x) | 2.5 ns (0.95x, 0.24x libffi) | 3.5 ns (1.33x, 0.34x libffi) | 7.9 ns (2.97x, 0.75x libffi) |
//! | `void noop(void)`, result unwrapped | - | - | - | - | 8.1 ns |
//! | `int add(int, int)` | 2.6 ns | 36.1 ns (13.80x) | 2.9 ns (1.12x, 0.08x libffi) | 3.4 ns (1.32x, 0.10x libffi) | 7.9 ns (3.03x, 0.22x libffi) |
//! | `int add(int, int)`, `call(..)?.to::<i32>()` | - | - | - | - | 26.1 ns |
//! | `int add(int, int)`, fast path's program | - | - | - | - | 12.3 ns |
//! | `int add(int, int)`, register route | - | - | - | - | 28.0 ns |
//! | `double add(double, double)` | 2.5 ns | 33.8 ns (13.48x) | 2.8 ns (1.13x, 0.08x libffi) | 3.8 ns (1.52x, 0.11x libffi) | 7.9 ns (3.15x, 0.23x libffi) |
//! | 6 mixed int/float arguments | 3.1 ns | 80.9 ns (25.89x) | 3.2 ns (1.01x, 0.04x libffi) | 4.4 ns (1.42x, 0.05x libffi) | 10.2 ns (3.25x, 0.13x libffi) |
//! | 10 ints, 4 on the stack | 3.8 ns | 130 ns (33.82x) | 4.3 ns (1.11x, 0.03x libffi) | 5.6 ns (1.45x, 0.04x libffi) | 20.0 ns (5.21x, 0.15x libffi) |
//! | `compute_mean`, 16 floats (ndpointer) | 8.3 ns | 46.7 ns (5.61x) | 8.6 ns (1.04x, 0.18x libffi) | 13.6 ns (1.63x, 0.29x libffi) | 41.2 ns (4.95x, 0.88x libffi) |
//! | `compute_mean`, 16 floats (plain `const float *`, a slice) | 8.3 ns | 46.7 ns (5.61x) | 8.6 ns (1.04x, 0.18x libffi) | 12.7 ns (1.52x, 0.27x libffi) | 35.0 ns (4.20x, 0.75x libffi) |
//! | `compute_mean`, 10^8 floats (ndpointer) | 96.9 ms | 95.6 ms (0.99x) | 95.1 ms (0.98x, 1.00x libffi) | 98.1 ms (1.01x, 1.03x libffi) | 95.9 ms (0.99x, 1.00x libffi) |
//! | `compute_mean`, 10^8-float array, C reads 16 | 8.8 ns | 45.7 ns (5.19x) | 8.3 ns (0.94x, 0.18x libffi) | 13.8 ns (1.57x, 0.30x libffi) | 41.4 ns (4.70x, 0.91x libffi) |
//! | callback round trip | 1.6 ns | 26.9 ns (16.70x) | 2.5 ns (1.56x, 0.09x libffi) | - | 6.5 ns (4.02x, 0.24x libffi) |
//! | callback round trip, capturing closure | 1.6 ns | 26.9 ns (16.70x) | 3.0 ns (1.85x, 0.11x libffi) | - | - |
//! | struct by value (`int sum(IntPair)`) | 2.5 ns | 44.3 ns (17.42x) | 2.7 ns (1.06x, 0.06x libffi) | 4.5 ns (1.77x, 0.10x libffi) | 24.5 ns (9.66x, 0.55x libffi) |
//!
//! The typed call compiles to the same instructions as the direct call;
//! which of the two reads a few tenths of a nanosecond more changes from
//! run to run (code placement), not with the code, and the rctypes rows
//! move with it. The instruction counts above do not move.
//!
//! A dynamic call with an ndpointer, checks included, costs 32.9 ns more
//! than the direct call with 16 elements and 32.6 ns more with 100,000,000
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
