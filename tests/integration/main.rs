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
mod nonblocking;
mod platform;
mod real_apis_callbacks;
mod real_apis_handles;
mod real_apis_strings;
mod real_apis_structs;
// The register routes' own tests, where the build has them.
#[cfg(rctypes_x86_64_sysv)]
mod routes;
mod safety;
mod short_calls;
mod structs;
mod threads;
mod types;
