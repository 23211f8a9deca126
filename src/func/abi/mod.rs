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
//! calls take libffi.

#[cfg(all(target_arch = "x86_64", not(windows)))]
mod x86_64_sysv;
#[cfg(all(target_arch = "x86_64", not(windows)))]
pub(crate) use x86_64_sysv::{Compiled, SysV, compile};

#[cfg(not(all(target_arch = "x86_64", not(windows))))]
mod portable;
#[cfg(not(all(target_arch = "x86_64", not(windows))))]
pub(crate) use portable::{Compiled, SysV, compile};

// No generated code: without the `codegen` feature, or off x86-64 System V.
#[cfg(not(all(feature = "codegen", target_arch = "x86_64", not(windows))))]
mod no_code;
