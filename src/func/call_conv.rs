//! Calling conventions a platform has beside its C default, as libffi's
//! ABIs: chosen per function, checked when it is chosen.

use std::fmt;

use libffi::middle::FfiAbi;
use libffi::raw;

/// A calling convention, for platforms with more than one: Rust's
/// `extern "stdcall"` and friends, ctypes' `WinDLL` beside `CDLL`.
///
/// [`CFunc::with_call_conv`](crate::CFunc::with_call_conv) chooses one;
/// a convention the platform lacks is refused there. Calls in any but
/// [`C`](CallConv::C) take libffi.
///
/// ```
/// use rctypes::CallConv;
/// assert!(CallConv::C.is_available());
/// // 32-bit Windows and x86 Linux have stdcall; other targets do not.
/// assert_eq!(CallConv::Stdcall.is_available(), cfg!(target_arch = "x86"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallConv {
    /// The platform's C convention (`extern "C"`): every target's default.
    #[default]
    C,
    /// `__stdcall` (x86 only): the callee pops its arguments; most of the
    /// 32-bit Windows API.
    Stdcall,
    /// `__fastcall` (x86 only): the first two integer arguments in `ecx`,
    /// `edx`.
    Fastcall,
    /// `__thiscall` (x86 only): the first argument in `ecx`.
    Thiscall,
    /// The Microsoft x64 convention (`extern "win64"`, GCC's `ms_abi`),
    /// callable from x86-64 Unix too.
    Win64,
    /// The System V x86-64 convention (`extern "sysv64"`); the C
    /// convention on x86-64 Unix.
    Sysv64,
}

impl CallConv {
    /// Every convention, the C one first.
    pub const ALL: [CallConv; 6] = [
        CallConv::C,
        CallConv::Stdcall,
        CallConv::Fastcall,
        CallConv::Thiscall,
        CallConv::Win64,
        CallConv::Sysv64,
    ];

    /// Whether this platform's libffi can call functions of this convention.
    ///
    /// ```
    /// use rctypes::CallConv;
    /// let here: Vec<CallConv> = CallConv::ALL.into_iter().filter(|c| c.is_available()).collect();
    /// assert_eq!(here[0], CallConv::C);
    /// ```
    pub fn is_available(self) -> bool {
        self.ffi_abi().is_some()
    }

    /// libffi's ABI for the convention here, if it has one.
    pub(crate) fn ffi_abi(self) -> Option<FfiAbi> {
        match self {
            CallConv::C => Some(raw::ffi_abi_FFI_DEFAULT_ABI),
            other => platform::abi(other),
        }
    }
}

impl fmt::Display for CallConv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CallConv::C => "C",
            CallConv::Stdcall => "stdcall",
            CallConv::Fastcall => "fastcall",
            CallConv::Thiscall => "thiscall",
            CallConv::Win64 => "win64",
            CallConv::Sysv64 => "sysv64",
        })
    }
}

/// The conventions beside C on each architecture, as libffi names them.
mod platform {
    use super::{CallConv, FfiAbi};
    #[allow(unused_imports)]
    use libffi::raw;

    #[cfg(all(target_arch = "x86_64", unix))]
    pub(super) fn abi(conv: CallConv) -> Option<FfiAbi> {
        match conv {
            CallConv::Win64 => Some(raw::ffi_abi_FFI_WIN64),
            CallConv::Sysv64 => Some(raw::ffi_abi_FFI_UNIX64),
            _ => None,
        }
    }

    #[cfg(all(target_arch = "x86_64", windows))]
    pub(super) fn abi(conv: CallConv) -> Option<FfiAbi> {
        match conv {
            CallConv::Win64 => Some(raw::ffi_abi_FFI_WIN64),
            _ => None,
        }
    }

    #[cfg(target_arch = "x86")]
    pub(super) fn abi(conv: CallConv) -> Option<FfiAbi> {
        match conv {
            CallConv::Stdcall => Some(raw::ffi_abi_FFI_STDCALL),
            CallConv::Fastcall => Some(raw::ffi_abi_FFI_FASTCALL),
            CallConv::Thiscall => Some(raw::ffi_abi_FFI_THISCALL),
            _ => None,
        }
    }

    #[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
    pub(super) fn abi(_: CallConv) -> Option<FfiAbi> {
        None
    }
}
