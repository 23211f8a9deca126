//! What a platform's C ABI says about aggregates, one module per ABI,
//! chosen here once: the register classes of structs and unions, what
//! libffi needs told that their fields alone do not say, and the layout
//! rules that differ between ABIs.

#[cfg(all(target_arch = "x86_64", not(windows)))]
mod x86_64_sysv;
#[cfg(all(target_arch = "x86_64", not(windows)))]
pub(crate) use x86_64_sysv::*;

#[cfg(all(target_arch = "aarch64", not(windows)))]
mod aapcs64;
#[cfg(all(target_arch = "aarch64", not(windows)))]
pub(crate) use aapcs64::*;

#[cfg(not(all(any(target_arch = "x86_64", target_arch = "aarch64"), not(windows))))]
mod portable;
#[cfg(not(all(any(target_arch = "x86_64", target_arch = "aarch64"), not(windows))))]
pub(crate) use portable::*;
