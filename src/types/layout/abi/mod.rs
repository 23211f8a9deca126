//! What a platform's C ABI says about aggregates, one module per ABI,
//! chosen here once: the register classes of structs and unions, and what
//! libffi needs told that their fields alone do not say.

#[cfg(all(target_arch = "x86_64", not(windows)))]
mod x86_64_sysv;
#[cfg(all(target_arch = "x86_64", not(windows)))]
pub(crate) use x86_64_sysv::*;

#[cfg(not(all(target_arch = "x86_64", not(windows))))]
mod portable;
#[cfg(not(all(target_arch = "x86_64", not(windows))))]
pub(crate) use portable::*;
