//! The seal on rctypes' public traits: they are implemented for rctypes'
//! own types (and by its macros for yours), so that the promises each
//! `unsafe` implementation makes are kept in one place.

/// Implemented only inside rctypes and by its macros.
pub trait Sealed {}
