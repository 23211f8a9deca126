//! Entries of capturing typed callbacks: per callback, a few bytes of
//! machine code C calls as its function pointer. An entry puts the address
//! of the closure's state in the integer argument register after C's own
//! arguments, then jumps to the trampoline compiled for the closure's type,
//! which takes that address as one more argument. C thus reaches the
//! closure as it reaches a function, without libffi's generic closure
//! handler, which decodes every argument by the signature at each call.
//!
//! x86-64 System V with the `codegen` feature, for signatures whose
//! arguments all travel in registers with an integer register to spare,
//! and whose result is a number, a pointer or `void` (a struct result
//! would take the first register for its address). Elsewhere, and for
//! other signatures, the libffi closure stays.

use std::ffi::c_void;

use crate::types::Signature;

#[cfg(all(feature = "codegen", rctypes_x86_64_sysv))]
pub(crate) use x86_64_sysv::{Entry, make};

#[cfg(not(all(feature = "codegen", rctypes_x86_64_sysv)))]
pub(crate) use no_code::{Entry, make};

#[cfg(all(feature = "codegen", rctypes_x86_64_sysv))]
mod x86_64_sysv {
    use super::*;
    use crate::types::Kind;
    use memmap2::Mmap;

    /// The integer argument registers, in order: rdi, rsi, rdx, rcx, r8, r9.
    const INT_REGS: [u8; 6] = [7, 6, 2, 1, 8, 9];
    /// Vector registers for `float` and `double` arguments: xmm0 to xmm7.
    const FLOAT_REGS: usize = 8;

    /// An entry's code, mapped executable; unmapped when dropped.
    pub(crate) struct Entry(Mmap);

    impl Entry {
        /// What C calls.
        pub(crate) fn code(&self) -> *const c_void {
            self.0.as_ptr() as *const c_void
        }
    }

    /// The entry for a callback of `signature` whose state lies at `state`,
    /// jumping to `trampoline`: a C function of the signature's arguments,
    /// then `state`, and its result. `None` where the signature does not
    /// fit the registers so, or the system refuses executable memory.
    pub(crate) fn make(
        signature: &Signature,
        trampoline: *const c_void,
        state: *const c_void,
    ) -> Option<Entry> {
        let (mut ints, mut floats) = (0, 0);
        for ty in signature.args() {
            match ty.kind() {
                Kind::F32 | Kind::F64 => floats += 1,
                Kind::LongDouble | Kind::Aggregate | Kind::Void => return None,
                _ => ints += 1,
            }
        }
        if matches!(signature.ret().kind(), Kind::LongDouble | Kind::Aggregate)
            || floats > FLOAT_REGS
        {
            return None;
        }
        let register = *INT_REGS.get(ints)?;
        let mut code = Vec::with_capacity(23);
        // mov <register>, state (REX.W, REX.B for r8 and r9; B8+r imm64)
        code.extend([0x48 | (register >> 3), 0xb8 + (register & 7)]);
        code.extend((state as u64).to_le_bytes());
        // mov r11, trampoline; jmp r11 (r11: scratch, no argument's)
        code.extend([0x49, 0xbb]);
        code.extend((trampoline as u64).to_le_bytes());
        code.extend([0x41, 0xff, 0xe3]);
        crate::executable::map(&code).map(Entry)
    }
}

#[cfg(not(all(feature = "codegen", rctypes_x86_64_sysv)))]
mod no_code {
    use super::*;

    /// No entry is ever made here.
    pub(crate) enum Entry {}

    impl Entry {
        pub(crate) fn code(&self) -> *const c_void {
            match *self {}
        }
    }

    /// The libffi closure stays.
    pub(crate) fn make(_: &Signature, _: *const c_void, _: *const c_void) -> Option<Entry> {
        None
    }
}
