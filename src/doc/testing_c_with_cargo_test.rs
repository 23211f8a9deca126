//! Testing your C library with `cargo test`.
//!
//! [`CBuild`](crate::CBuild) turns "build this C, load it, call it, assert"
//! into a few lines of an ordinary Rust test: the C is compiled when the test
//! runs, with the C compiler the [`cc`] crate finds, into a temporary folder
//! that goes away with the library. There is no build script to write and no
//! library to install first, and a test can carry its own small pieces of C.
//!
//! # The shape of a test
//!
//! Build, bind, call, assert:
//!
//! ```
//! use rctypes::CBuild;
//!
//! // #[test]
//! fn clamp_keeps_values_in_range() {
//!     // SAFETY: the C has no initialisers.
//!     let lib = unsafe {
//!         CBuild::new()
//!             .source_str("clamp.c", "int clamp(int v, int lo, int hi) {\n\
//!                                         return v < lo ? lo : v > hi ? hi : v;\n\
//!                                     }")
//!             .build()
//!     }
//!     .unwrap_or_else(|e| panic!("{e}"));
//!     // SAFETY: clamp.c defines `int clamp(int, int, int)`.
//!     let clamp = unsafe { lib.typed::<(i32, i32, i32), i32>("clamp") }.unwrap();
//!     assert_eq!(clamp.call((5, 0, 10)), 5);
//!     assert_eq!(clamp.call((-3, 0, 10)), 0);
//!     assert_eq!(clamp.call((99, 0, 10)), 10);
//! }
//! # clamp_keeps_values_in_range();
//! ```
//!
//! `unwrap_or_else(|e| panic!("{e}"))` rather than `unwrap()` shows a compile
//! error the way the compiler wrote it, `file:line:column: error: message`.
//!
//! Two promises are `unsafe`, as everywhere in rctypes: loading the library
//! ([`CBuild::build`](crate::CBuild::build), like
//! [`Library::open`](crate::Library::open), since its initialisers run) and
//! declaring a function's signature. Everything after is checked or, for
//! [`TypedCFunc`](crate::TypedCFunc), a plain C call.
//!
//! # Your library's own files
//!
//! Point [`file`](crate::CBuild::file) at the library's sources and
//! [`include`](crate::CBuild::include) at its headers, from
//! `CARGO_MANIFEST_DIR` so the test runs from any folder. Build it once per
//! test binary with a `OnceLock`; the tests then run in parallel against one
//! loaded copy. Here, the fibonacci library of this crate's own `csrc/`:
//!
//! ```
//! use std::sync::OnceLock;
//! use rctypes::{CBuild, Library};
//!
//! fn fibonacci() -> &'static Library {
//!     static LIB: OnceLock<Library> = OnceLock::new();
//!     LIB.get_or_init(|| {
//!         let csrc = concat!(env!("CARGO_MANIFEST_DIR"), "/csrc");
//!         // SAFETY: fibonacci.c has no initialisers.
//!         unsafe {
//!             CBuild::new()
//!                 .file(format!("{csrc}/fibonacci.c"))
//!                 .include(csrc)
//!                 .opt_level(2)
//!                 .warnings_into_errors(true)
//!                 .build()
//!         }
//!         .unwrap_or_else(|e| panic!("{e}"))
//!     })
//! }
//!
//! // #[test]
//! fn fib_counts_from_zero() {
//!     // SAFETY: fibonacci.h declares `int fib(int)`.
//!     let fib = unsafe { fibonacci().typed::<(i32,), i32>("fib") }.unwrap();
//!     assert_eq!([1, 2, 3, 8].map(|n| fib.call((n,))), [0, 1, 1, 13]);
//!     assert_eq!(fib.call((0,)), -1);
//! }
//! # fib_counts_from_zero();
//! ```
//!
//! [`warnings_into_errors`](crate::CBuild::warnings_into_errors) makes a
//! warning (`-Wall -Wextra` are on) fail the build, so the test suite also
//! keeps the C clean.
//!
//! # A C library with state
//!
//! A library that hands out handles is tested through them: C's `void*`
//! comes back as a [`RawPtr`](crate::RawPtr), which safe code can pass back to
//! C but not read through, and an out-parameter (`int *out`) is a `&mut i32`:
//!
//! ```
//! use rctypes::{CBuild, RawPtr};
//!
//! const STACK_H: &str = "\
//!     typedef struct stack stack;\n\
//!     stack *stack_new(int capacity);\n\
//!     int stack_push(stack *s, int value); /* 0, or -1 when full */\n\
//!     int stack_pop(stack *s, int *out);   /* 0, or -1 when empty */\n\
//!     void stack_free(stack *s);\n";
//! const STACK_C: &str = "\
//!     #include <stdlib.h>\n\
//!     #include \"stack.h\"\n\
//!     struct stack { int len, capacity; int items[]; };\n\
//!     stack *stack_new(int capacity) {\n\
//!         stack *s = malloc(sizeof *s + (size_t)capacity * sizeof(int));\n\
//!         if (s) { s->len = 0; s->capacity = capacity; }\n\
//!         return s;\n\
//!     }\n\
//!     int stack_push(stack *s, int value) {\n\
//!         if (s->len == s->capacity) return -1;\n\
//!         s->items[s->len++] = value;\n\
//!         return 0;\n\
//!     }\n\
//!     int stack_pop(stack *s, int *out) {\n\
//!         if (s->len == 0) return -1;\n\
//!         *out = s->items[--s->len];\n\
//!         return 0;\n\
//!     }\n\
//!     void stack_free(stack *s) { free(s); }\n";
//!
//! // #[test]
//! fn pushes_pop_in_reverse_and_capacity_holds() {
//!     // SAFETY: the C has no initialisers.
//!     let lib = unsafe {
//!         CBuild::new()
//!             .header_str("stack.h", STACK_H)
//!             .source_str("stack.c", STACK_C)
//!             .build()
//!     }
//!     .unwrap_or_else(|e| panic!("{e}"));
//!     // SAFETY: the signatures are stack.h's, and each handle below is used
//!     // only between stack_new and stack_free.
//!     let (new, push, free) = unsafe {
//!         (
//!             lib.typed::<(i32,), Option<RawPtr>>("stack_new").unwrap(),
//!             lib.typed::<(RawPtr, i32), i32>("stack_push").unwrap(),
//!             lib.typed::<(RawPtr,), ()>("stack_free").unwrap(),
//!         )
//!     };
//!     // SAFETY: as above, `int stack_pop(stack *, int *)`.
//!     let pop = unsafe { lib.typed::<(RawPtr, &mut i32), i32>("stack_pop") }.unwrap();
//!     let s = new.call((2,)).expect("malloc failed");
//!     assert_eq!(push.call((s, 10)), 0);
//!     assert_eq!(push.call((s, 20)), 0);
//!     assert_eq!(push.call((s, 30)), -1, "a full stack refuses");
//!     // The out-parameter is borrowed for one call at a time.
//!     let mut out = 0;
//!     assert_eq!((pop.call((s, &mut out)), out), (0, 20));
//!     assert_eq!((pop.call((s, &mut out)), out), (0, 10));
//!     assert_eq!(pop.call((s, &mut out)), -1, "an empty stack refuses");
//!     free.call((s,));
//! }
//! # pushes_pop_in_reverse_and_capacity_holds();
//! ```
//!
//! # Variants, helpers in C, and other libraries
//!
//! - **Variants.** The same source built with different
//!   [`define`](crate::CBuild::define)s is a different library: a test can
//!   check each configuration of a `#ifdef`.
//! - **Helpers in C.** Some checks are easier to write in C, next to the
//!   code: a test can add a [`source_str`](crate::CBuild::source_str) with a
//!   helper that calls the library's internals, and call the helper.
//! - **Other libraries.** [`link`](crate::CBuild::link) and
//!   [`link_search`](crate::CBuild::link_search) link against an installed or
//!   prebuilt library (`-lm`, or your library built by its own build system);
//!   on Unix the search folder also goes into the library's run-time path.
//!
//! ```
//! use rctypes::CBuild;
//!
//! let source = "int limit(void) {\n#ifdef SMALL\nreturn 16;\n#else\nreturn 4096;\n#endif\n}\n";
//! let limit = |small: bool| {
//!     let mut build = CBuild::new();
//!     build.source_str("limit.c", source);
//!     if small {
//!         build.define("SMALL", None);
//!     }
//!     // SAFETY: the C has no initialisers.
//!     let lib = unsafe { build.build() }.unwrap();
//!     // SAFETY: limit.c defines `int limit(void)`.
//!     let limit = unsafe { lib.typed::<(), i32>("limit") }.unwrap();
//!     limit.call(())
//! };
//! assert_eq!((limit(false), limit(true)), (4096, 16));
//! ```
//!
//! # Expecting a compile error
//!
//! C that must not compile (a `_Static_assert` guarding a struct's size, a
//! header that must reject misuse) is tested through
//! [`compile`](crate::CBuild::compile), which builds without loading and
//! returns the compiler's messages as [`Diagnostic`](crate::Diagnostic)s:
//!
//! ```
//! use rctypes::{CBuild, Error, Severity};
//!
//! let err = CBuild::new()
//!     .source_str("layout.c", "struct point { int x, y; };\n\
//!                              _Static_assert(sizeof(struct point) == 12, \"point is 12 bytes\");\n")
//!     .compile()
//!     .unwrap_err();
//! let Error::Compile { diagnostics, .. } = &err else { panic!("{err}") };
//! let error = diagnostics.iter().find(|d| d.severity == Severity::Error).unwrap();
//! assert_eq!((error.file.as_str(), error.line), ("layout.c", Some(2)));
//! assert!(error.message.contains("point is 12 bytes"));
//! ```
//!
//! # Speed: the cache
//!
//! A build whose compiler, flags and sources are the same as an earlier
//! one's does not run the compiler again: it is cached by content, in memory
//! for the test binary's run, so a test file with many small C snippets, or
//! many tests building the same library, compiles each once. Headers the
//! compiler read are recorded and checked, so editing one rebuilds.
//!
//! To keep libraries between runs too, give a
//! [`cache_dir`](crate::CBuild::cache_dir); in integration tests Cargo's
//! `env!("CARGO_TARGET_TMPDIR")` is a good place:
//!
//! ```text
//! CBuild::new().file("src/stack.c").cache_dir(env!("CARGO_TARGET_TMPDIR"))
//! ```
//!
//! A cached library is still loaded as a new copy for every build, so each
//! [`build`](crate::CBuild::build) has its own C globals; share one
//! [`Library`](crate::Library) (as with the `OnceLock` above) when tests
//! should share them.
//!
//! What the cache trusts: a library is taken from a cache folder only if the
//! folder and its files are this user's and no one else can write them
//! (checked on Unix), its bytes match the SHA-256 recorded when it was built,
//! and the headers (system ones too), static archives and other link inputs
//! it was built from are unchanged; otherwise it is rebuilt, or the build
//! fails with an error naming the folder or file. The key covers the
//! compiler's identity (`--version` and its program), the environment
//! variables it reads (`CFLAGS`, `C_INCLUDE_PATH`, ...) and the sources as
//! read. So a cache folder must not be shared with other users: a folder
//! under `target/` is yours, while `/tmp` itself is refused. Test runs in
//! several processes may share one; each key is compiled once. The full
//! list is in [`cbuild`](crate::cbuild#what-the-cache-trusts-and-where-it-lives).
//!
//! # Compilers
//!
//! The compiler is the one `cc` finds: `CC` when set, otherwise `cc` on Unix
//! (gcc or clang) and MSVC's `cl.exe` on Windows;
//! [`compiler`](crate::CBuild::compiler) picks one for a build. `CFLAGS` is
//! added to every build, and is part of the cache key. A machine with no C compiler gets
//! [`Error::NoCompiler`](crate::Error::NoCompiler), which tells what was
//! tried: CI for such tests needs a C compiler installed (`gcc` or `clang`
//! and the C library headers, such as Debian's `gcc` and `libc6-dev`).
