//! The integration tests: one binary, a module per topic, all against the
//! project's own C libraries built from `csrc/` and against libc.

mod common;

mod callbacks;
mod calls;
mod library;
mod types;
