//! The platform back ends, one module per calling convention, chosen here
//! once. Each offers the same items:
//!
//! - `SysV`, the token of a target whose calls follow System V x86-64,
//!   with its call sequences (`call_ints`, `call_floats`, `call_spill`);
//! - `Plan::for_signature`, which says whether a signature fits the
//!   registers (the register route and the fast path need a plan);
//! - `Compiled` and `compile`, the machine code made per signature.
//!
//! Off x86-64 System V, `SysV` and `Compiled` have no values and no plan
//! is made: code that would use them is unreachable by its types, and
//! calls take libffi. `build.rs` sets `rctypes_x86_64_sysv`; with
//! `RCTYPES_PORTABLE=1` it does not, and x86-64 takes the portable route.

#[cfg(rctypes_x86_64_sysv)]
mod x86_64_sysv;
#[cfg(rctypes_x86_64_sysv)]
pub(crate) use x86_64_sysv::{Compiled, SysV, compile};

#[cfg(not(rctypes_x86_64_sysv))]
mod portable;
#[cfg(not(rctypes_x86_64_sysv))]
pub(crate) use portable::{Compiled, SysV, compile};

// No generated code: without the `codegen` feature, or off x86-64 System V.
#[cfg(not(all(feature = "codegen", rctypes_x86_64_sysv)))]
mod no_code;
