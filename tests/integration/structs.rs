//! Structs and unions: layouts against the C compiler, values by value and
//! by address, Rust structs declared with `c_struct!`, fields by name, and
//! the seed's record arrays.

mod by_pointer;
mod by_value;
mod callbacks;
mod declared_in_c;
mod fields;
mod layout_vs_c;
mod records;
// The register routes' own tests, where the build has them.
#[cfg(rctypes_x86_64_sysv)]
mod routes;
mod rust_structs;
mod spec;
mod types;
