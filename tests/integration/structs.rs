//! Structs and unions: layouts against the C compiler, values by value and
//! by address, Rust structs declared with `c_struct!`, fields by name, and
//! the seed's record arrays.

mod by_value;
mod layout_vs_c;
mod spec;
mod types;
