//! The integration tests: one binary, a module per topic, all against the
//! project's own C libraries built from `csrc/` and against libc.

mod common;

mod arrays;
mod callbacks;
mod calls;
mod cbuild;
#[cfg(unix)]
mod cbuild_cache;
mod declarations;
mod differential;
mod fuzz;
mod headers;
mod invalid_values;
mod library;
mod limits;
mod memmap;
mod routes;
mod safety;
mod structs;
mod threads;
mod types;
