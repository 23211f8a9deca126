//! The C types signatures are written in: scalars, pointers and their
//! contracts, function pointer signatures, struct and union layouts,
//! numpy's data types and ndpointer. Types only: no values, no calls.

mod ctype;
mod dtype;
mod flags;
pub(crate) mod layout;
mod longdouble;
mod ndpointer;
mod rules;
mod signature;

pub use ctype::{CType, Contract, Extent};
pub(crate) use ctype::{
    Need, Terms, Touches, check_contracts, check_count_arg, is_read_only_string,
};
pub(crate) use dtype::scalar_dtype;
pub use dtype::{ByteOrder, DType, Field};
pub use flags::{Flags, IntoFlags};
pub use layout::{Bits, Composite, StructBuilder, StructField, StructLayout};
pub use longdouble::LongDouble;
pub(crate) use ndpointer::check_signature;
pub use ndpointer::{Dim, IntoDType, IntoShapeSpec, NdPointer, NdPointerBuilder, ndpointer};
pub(crate) use rules::{Class, Kind};
pub use signature::Signature;

/// Python's list notation: `['a', 'b']`.
pub(crate) fn fmt_list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    format!("[{}]", items.join(", "))
}

/// Python's tuple notation: `()`, `(2,)`, `(2, 3)`.
pub(crate) fn fmt_tuple<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let items: Vec<String> = items.map(|i| i.to_string()).collect();
    match items.len() {
        1 => format!("({},)", items[0]),
        _ => format!("({})", items.join(", ")),
    }
}
