//! A faster route than `ffi_call` for the commonest signatures.
//!
//! On x86-64 System V (Linux, the BSDs, macOS on Intel), a function's first
//! six integer or pointer arguments travel in rdi, rsi, rdx, rcx, r8, r9 and
//! its first eight floating-point ones in xmm0–xmm7, whatever their order in
//! the prototype; a scalar result comes back in rax or xmm0. A callee never
//! reads argument registers beyond its own parameters. So a call through a
//! pointer typed as "six integers and eight doubles" reaches any function
//! whose arguments fit those registers, with each argument in the register
//! its own prototype assigns: one shim per result class covers every such
//! signature, with no `ffi_call` interpretation of a cif.
//!
//! Arguments past those registers go on the stack, one 8-byte slot each in
//! prototype order, whichever class they are: a second shim with eight more
//! integer parameters (which the caller places on the stack the same way)
//! covers up to eight such spilled arguments.
//!
//! Signatures outside this set (more arguments, `long double`, structs,
//! variadic) take libffi, and tests check both routes give identical results.

use std::ffi::c_void;

use crate::ctype::{CType, Kind};

/// How a bound function's arguments map onto the registers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    ret: RetClass,
    /// Whether some arguments spill to the stack.
    spills: bool,
}

/// Arguments that may spill past the registers.
const STACK_SLOTS: usize = 8;

/// Where the result comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RetClass {
    /// rax (or nothing, for void).
    Integer,
    /// xmm0.
    Float,
}

/// Integer and floating-point argument registers, then stack slots, filled
/// in prototype order.
pub(crate) struct Registers {
    ints: [u64; 6],
    floats: [f64; 8],
    stack: [u64; STACK_SLOTS],
    n_ints: usize,
    n_floats: usize,
    n_stack: usize,
}

impl Registers {
    #[inline]
    pub(crate) fn new() -> Registers {
        Registers {
            ints: [0; 6],
            floats: [0.0; 8],
            stack: [0; STACK_SLOTS],
            n_ints: 0,
            n_floats: 0,
            n_stack: 0,
        }
    }

    /// Adds the next argument's image: to the next register of its class,
    /// or, once those are used up, to the next stack slot. The plan
    /// guarantees room.
    #[inline]
    pub(crate) fn push(&mut self, word: u64, kind: Kind) {
        if matches!(kind, Kind::F32 | Kind::F64) && self.n_floats < self.floats.len() {
            self.floats[self.n_floats] = f64::from_bits(word);
            self.n_floats += 1;
        } else if !matches!(kind, Kind::F32 | Kind::F64) && self.n_ints < self.ints.len() {
            self.ints[self.n_ints] = word;
            self.n_ints += 1;
        } else {
            if let Some(slot) = self.stack.get_mut(self.n_stack) {
                *slot = word;
            }
            self.n_stack += 1;
        }
    }
}

#[cfg(all(target_arch = "x86_64", not(windows)))]
impl Plan {
    /// The plan for a signature, if it fits the registers.
    pub(crate) fn for_signature(args: &[CType], ret: &CType, variadic: bool) -> Option<Plan> {
        if variadic {
            return None;
        }
        let (mut ints, mut floats) = (0usize, 0usize);
        for ty in args {
            match ty.kind() {
                Kind::F32 | Kind::F64 => floats += 1,
                Kind::LongDouble | Kind::Void | Kind::Aggregate => return None,
                _ => ints += 1,
            }
        }
        let spilled = ints.saturating_sub(6) + floats.saturating_sub(8);
        if spilled > STACK_SLOTS {
            return None;
        }
        let ret = match ret.kind() {
            Kind::F32 | Kind::F64 => RetClass::Float,
            Kind::LongDouble | Kind::Aggregate => return None,
            _ => RetClass::Integer,
        };
        Some(Plan {
            ret,
            spills: spilled > 0,
        })
    }

    /// Calls `code` and returns the result register's 64 bits (a `float`
    /// result in the low half).
    ///
    /// # Safety
    ///
    /// `code` must be a non-variadic C function whose signature this plan was
    /// made for, and `regs` must hold its arguments in prototype order.
    #[inline]
    pub(crate) unsafe fn call(self, code: *const c_void, regs: &Registers) -> u64 {
        type IntShim = unsafe extern "C" fn(
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
        ) -> u64;
        type FloatShim = unsafe extern "C" fn(
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
        ) -> f64;
        // Six integer and eight floating registers, then eight stack slots.
        type IntSpill = unsafe extern "C" fn(
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
        ) -> u64;
        type FloatSpill = unsafe extern "C" fn(
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            f64,
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
            u64,
        ) -> f64;
        let [i0, i1, i2, i3, i4, i5] = regs.ints;
        let [f0, f1, f2, f3, f4, f5, f6, f7] = regs.floats;
        let [s0, s1, s2, s3, s4, s5, s6, s7] = regs.stack;
        // SAFETY: by the System V x86-64 convention each argument sits where
        // its own prototype assigns it: integers in order in rdi..r9,
        // floating point in order in xmm0..7, and the rest in 8-byte stack
        // slots in prototype order, which is where the spill shims' trailing
        // integer parameters go (the caller owns and pops that area, so
        // slots the callee does not read are harmless). The callee ignores
        // the registers it has no parameters for. Integers are extended to
        // 64 bits, beyond the 32 callers must extend to. A void or integer
        // result is read from rax, a floating one from xmm0. The function is
        // not variadic, so al is not read.
        unsafe {
            match (self.ret, self.spills) {
                (RetClass::Integer, false) => {
                    let f: IntShim = std::mem::transmute(code);
                    f(i0, i1, i2, i3, i4, i5, f0, f1, f2, f3, f4, f5, f6, f7)
                }
                (RetClass::Float, false) => {
                    let f: FloatShim = std::mem::transmute(code);
                    f(i0, i1, i2, i3, i4, i5, f0, f1, f2, f3, f4, f5, f6, f7).to_bits()
                }
                (RetClass::Integer, true) => {
                    let f: IntSpill = std::mem::transmute(code);
                    f(
                        i0, i1, i2, i3, i4, i5, f0, f1, f2, f3, f4, f5, f6, f7, s0, s1, s2, s3, s4,
                        s5, s6, s7,
                    )
                }
                (RetClass::Float, true) => {
                    let f: FloatSpill = std::mem::transmute(code);
                    f(
                        i0, i1, i2, i3, i4, i5, f0, f1, f2, f3, f4, f5, f6, f7, s0, s1, s2, s3, s4,
                        s5, s6, s7,
                    )
                    .to_bits()
                }
            }
        }
    }
}

#[cfg(not(all(target_arch = "x86_64", not(windows))))]
impl Plan {
    /// No register route on this platform: every call takes libffi.
    pub(crate) fn for_signature(_: &[CType], _: &CType, _: bool) -> Option<Plan> {
        None
    }

    /// Never called: no plan exists on this platform.
    ///
    /// # Safety
    ///
    /// Unreachable.
    pub(crate) unsafe fn call(self, _: *const c_void, regs: &Registers) -> u64 {
        let _ = (regs.ints, regs.floats, regs.stack, self.spills);
        match self.ret {
            RetClass::Integer | RetClass::Float => 0,
        }
    }
}
