//! A faster route than `ffi_call` for the commonest signatures.
//!
//! On x86-64 System V (Linux, the BSDs, macOS on Intel), a function's first
//! six integer or pointer arguments travel in rdi, rsi, rdx, rcx, r8, r9 and
//! its first eight floating-point ones in xmm0–xmm7, whatever their order in
//! the prototype; a scalar result comes back in rax or xmm0. A callee never
//! reads argument registers beyond its own parameters. So one call
//! sequence that loads all six integer and eight vector registers reaches
//! any function whose arguments fit those registers, with each argument in
//! the register its own prototype assigns: a handful of shims covers every
//! such signature, with no `ffi_call` interpretation of a cif.
//!
//! Arguments past those registers go on the stack, one 8-byte slot each in
//! prototype order, whichever class they are: a shim that also copies
//! eight slots to the stack covers up to eight such spilled arguments.
//!
//! Each shim is an `asm!` call sequence ([`SysV`]), not a call through a
//! Rust function-pointer type: such a type would have to be the callee's
//! own, which varies with every signature. The sequence does by hand what
//! a C caller does: it loads the registers, sets al to an upper bound of
//! the vector registers used (which only a variadic callee reads), copies
//! the stack slots below the stack pointer, calls, and reads the result
//! registers.
//!
//! The shims come in three [`Shape`]s, the smallest that holds a signature's
//! arguments (integers only; integers and floats; spilling), so that a call
//! stages and loads only the registers its shape has.
//!
//! A struct or union argument of up to 16 bytes goes, by the same
//! convention, as one or two eightbytes, each in the next register of its
//! class (integer, or SSE when it holds only `float`s and `double`s): its
//! bytes are read into those register images. As an argument that does not
//! fit the remaining registers goes whole on the stack, signatures with
//! such struct arguments take this route only when every argument fits the
//! registers. A larger one (aligned to at most 8) goes in memory: its bytes
//! are copied whole into the next stack slots.
//!
//! A struct result of up to 16 bytes comes back the same way, in rax and
//! rdx or xmm0 and xmm1 by the classes of its eightbytes, which the shim
//! reads. A larger one is written where a hidden pointer, passed as the
//! first integer argument, points.
//!
//! Signatures outside this set (more arguments, `long double`, structs
//! aligned to 16, variadic) take libffi, and tests check every route gives
//! identical results.
//!
//! The fast path (`func::fast`) calls the same shims ([`SysV::call_ints`],
//! [`SysV::call_floats`]) with arguments a program made at bind time
//! converted.
//!
//! This module holds what every target shares: the plan's data and the
//! staging of registers. Which signatures get a plan, and the shims
//! themselves, are the target's back end's (`func::abi`); only a plan holds
//! a [`SysV`], and on other targets that type has no value: no plan exists
//! there, and the shims are unreachable by their types.

use std::ffi::c_void;
use std::sync::Arc;

use crate::func::abi::SysV;
use crate::types::Kind;

/// How a bound function's arguments map onto the registers.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(in crate::func) ret: RetClass,
    pub(in crate::func) shape: Shape,
    /// Per argument, how a struct one travels (`None` for scalars); `None`
    /// when no argument is a struct.
    pub(in crate::func) structs: Option<Arc<[Option<StructWords>]>>,
    /// The target's calling convention is the one the shims follow (read
    /// as a field: a call returning a `SysV` would mark the code after it
    /// unreachable on targets where the type has no value).
    pub(crate) sysv: SysV,
}

/// How a struct or union argument or result travels: its size, and whether
/// each of its eightbytes goes in an SSE register, or, for one the ABI
/// passes in memory, that it is copied whole to the stack (as an argument)
/// or written through a hidden pointer (as a result).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StructWords {
    pub(in crate::func) size: usize,
    pub(in crate::func) sse: [bool; 2],
    pub(in crate::func) memory: bool,
}

impl StructWords {
    /// Its eightbytes.
    pub(in crate::func) fn count(self) -> usize {
        self.size.div_ceil(8)
    }

    /// Each eightbyte: its length (8 bytes, or fewer for the last) and
    /// whether it goes in an SSE register (never, for a struct in memory).
    pub(crate) fn eightbytes(self) -> impl Iterator<Item = (usize, bool)> {
        (0..self.count()).map(move |k| {
            let sse = self.sse.get(k).copied().unwrap_or(false);
            ((self.size - 8 * k).min(8), sse && !self.memory)
        })
    }
}

/// Which shim a call goes through: the smallest that holds the arguments.
/// A call stages its arguments in the [`Registers`] of its shape:
/// `Registers<0, 0>`, `Registers<8, 0>` or `Registers<8, 8>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Up to six integer or pointer arguments, no floating-point ones.
    Ints,
    /// Up to six integer and eight floating-point arguments.
    Registers,
    /// Some arguments spill to the stack.
    Spill,
}

/// Arguments that may spill past the registers.
pub(crate) const STACK_SLOTS: usize = 8;

/// Floating-point argument registers.
pub(crate) const FLOAT_REGS: usize = 8;

/// Where the result comes back. Only the System V x86-64 back end makes
/// plans; elsewhere the classes are never built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(rctypes_x86_64_sysv), allow(dead_code))]
pub(in crate::func) enum RetClass {
    /// rax (or nothing, for void).
    Integer,
    /// xmm0.
    Float,
    /// A struct of up to 16 bytes: its eightbytes in rax, rdx, xmm0, xmm1,
    /// each in the next register of its class.
    Struct(StructWords),
    /// A larger struct, written where a hidden first argument points.
    Memory,
}

/// The six integer argument registers, then `F` floating-point ones and `S`
/// stack slots (as the call's [`Shape`] has them), filled in prototype order.
pub(crate) struct Registers<const F: usize, const S: usize> {
    ints: [u64; 6],
    floats: [f64; F],
    stack: [u64; S],
    n_ints: usize,
    n_floats: usize,
    n_stack: usize,
}

impl<const F: usize, const S: usize> Registers<F, S> {
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Registers {
            ints: [0; 6],
            floats: [0.0; F],
            stack: [0; S],
            n_ints: 0,
            n_floats: 0,
            n_stack: 0,
        }
    }

    /// Adds the next argument's image: to the next register of its class,
    /// or, once those are used up, to the next stack slot. The plan
    /// guarantees room.
    #[inline(always)]
    pub(crate) fn push(&mut self, word: u64, kind: Kind) {
        let float = kind.is_sse();
        if float && self.n_floats < F {
            self.floats[self.n_floats] = f64::from_bits(word);
            self.n_floats += 1;
        } else if !float && self.n_ints < self.ints.len() {
            self.ints[self.n_ints] = word;
            self.n_ints += 1;
        } else {
            self.push_stack(word);
        }
    }

    /// Adds a word to the next stack slot. The plan guarantees room.
    #[inline(always)]
    fn push_stack(&mut self, word: u64) {
        if let Some(slot) = self.stack.get_mut(self.n_stack) {
            *slot = word;
        }
        self.n_stack += 1;
    }

    /// Adds a struct argument: each of its eightbytes, read from its bytes,
    /// to the next register of its class, or, for one passed in memory, to
    /// the next stack slots. The plan guarantees room.
    ///
    /// # Safety
    ///
    /// `bytes` must be valid for reading the struct's size.
    #[inline]
    pub(crate) unsafe fn push_struct(&mut self, bytes: *const u8, words: StructWords) {
        for (k, (len, sse)) in words.eightbytes().enumerate() {
            let mut word = [0u8; 8];
            // SAFETY: the caller's promise: eightbyte k is within the struct.
            unsafe { std::ptr::copy_nonoverlapping(bytes.add(8 * k), word.as_mut_ptr(), len) };
            let word = u64::from_ne_bytes(word);
            if words.memory {
                self.push_stack(word);
            } else {
                self.push(word, if sse { Kind::F64 } else { Kind::I64 });
            }
        }
    }

    /// The floating-point registers, the ones this shape lacks zero.
    #[inline(always)]
    fn all_floats(&self) -> [f64; FLOAT_REGS] {
        let mut all = [0.0; FLOAT_REGS];
        let n = F.min(FLOAT_REGS);
        all[..n].copy_from_slice(&self.floats[..n]);
        all
    }

    /// The stack slots, the ones this shape lacks zero.
    #[inline(always)]
    fn all_stack(&self) -> [u64; STACK_SLOTS] {
        let mut all = [0; STACK_SLOTS];
        let n = S.min(STACK_SLOTS);
        all[..n].copy_from_slice(&self.stack[..n]);
        all
    }
}

impl Shape {
    /// The shape of `Registers<F, S>`.
    const fn of<const F: usize, const S: usize>() -> Shape {
        if S > 0 {
            Shape::Spill
        } else if F > 0 {
            Shape::Registers
        } else {
            Shape::Ints
        }
    }
}

impl Plan {
    /// The shape of the registers a call stages its arguments in.
    #[inline(always)]
    pub(crate) fn shape(&self) -> Shape {
        self.shape
    }

    /// How argument `i`, a struct, travels.
    #[inline]
    pub(crate) fn struct_words(&self, i: usize) -> Option<StructWords> {
        self.structs.as_ref()?.get(i).copied().flatten()
    }

    /// Whether the result is a struct written through a hidden pointer,
    /// which the caller passes as the first integer argument.
    pub(crate) fn returns_in_memory(&self) -> bool {
        self.ret == RetClass::Memory
    }

    /// Calls `code` and returns the result register's 64 bits (a `float`
    /// result in the low half).
    ///
    /// # Safety
    ///
    /// `code` must be a non-variadic C function whose signature this plan was
    /// made for, with a scalar or void result, and `regs` must hold its
    /// arguments in prototype order, in the registers of this plan's
    /// [`shape`](Self::shape).
    #[inline]
    pub(crate) unsafe fn call<const F: usize, const S: usize>(
        &self,
        code: *const c_void,
        regs: &Registers<F, S>,
    ) -> u64 {
        debug_assert_eq!(
            self.shape,
            Shape::of::<F, S>(),
            "registers of the plan's shape"
        );
        // SAFETY: the caller's promise: `code` has the signature the plan
        // was made for, and `regs` holds its arguments as the plan places
        // them.
        let out = unsafe { self.sysv.call(code, regs) };
        out.word(self.ret == RetClass::Float)
    }

    /// Calls `code`, whose result is a struct, and returns the result
    /// registers' contents in its eightbytes' order (nothing, for a struct
    /// written through the hidden pointer).
    ///
    /// # Safety
    ///
    /// As [`call`](Self::call), for a struct result, with the hidden result
    /// pointer first in `regs` where the plan [returns in
    /// memory](Self::returns_in_memory).
    pub(crate) unsafe fn call_for_struct<const F: usize, const S: usize>(
        &self,
        code: *const c_void,
        regs: &Registers<F, S>,
    ) -> [u64; 2] {
        // SAFETY: the caller's promise, as in `call`.
        let out = unsafe { self.sysv.call(code, regs) };
        // A struct in memory comes back as its address in rax, not needed.
        let RetClass::Struct(w) = self.ret else {
            return [out.rax, 0];
        };
        // Each eightbyte is in the next register of its class; a second
        // word past a one-eightbyte struct is not read.
        match w.sse {
            [false, false] => [out.rax, out.rdx],
            [false, true] => [out.rax, out.xmm0],
            [true, false] => [out.xmm0, out.rax],
            [true, true] => [out.xmm0, out.xmm1],
        }
    }
}

/// The registers C leaves a result in, as the shims read them: rax, rdx
/// and the low 64 bits of xmm0 and xmm1.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Returned {
    pub(in crate::func) rax: u64,
    pub(in crate::func) rdx: u64,
    pub(in crate::func) xmm0: u64,
    pub(in crate::func) xmm1: u64,
}

impl Returned {
    /// A scalar result's register: xmm0 for a floating one, else rax.
    #[inline(always)]
    pub(crate) fn word(self, float: bool) -> u64 {
        if float { self.xmm0 } else { self.rax }
    }
}

impl SysV {
    /// Calls `code` with the arguments in `regs`, through the shim of their
    /// shape.
    ///
    /// # Safety
    ///
    /// As [`call_spill`](Self::call_spill), with the arguments in `regs`
    /// in prototype order and none past the registers of its shape.
    #[inline(always)]
    pub(crate) unsafe fn call<const F: usize, const S: usize>(
        self,
        code: *const c_void,
        regs: &Registers<F, S>,
    ) -> Returned {
        // SAFETY: the caller's promise; a shape without float registers or
        // stack slots has no argument there.
        unsafe {
            match const { Shape::of::<F, S>() } {
                Shape::Ints => self.call_ints(code, &regs.ints),
                Shape::Registers => self.call_floats(code, &regs.ints, &regs.all_floats()),
                Shape::Spill => {
                    self.call_spill(code, &regs.ints, &regs.all_floats(), &regs.all_stack())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_fill_in_prototype_order_and_spill_past_their_shape() {
        let mut regs = Registers::<FLOAT_REGS, STACK_SLOTS>::new();
        for i in 0..7 {
            regs.push(i, Kind::I32);
        }
        regs.push(2.5f64.to_bits(), Kind::F64);
        assert_eq!(regs.ints, [0, 1, 2, 3, 4, 5]);
        assert_eq!(regs.all_floats()[0], 2.5);
        assert_eq!(regs.all_stack()[0], 6, "the seventh integer");
        let ints = Registers::<0, 0>::new();
        assert_eq!(
            ints.all_floats(),
            [0.0; FLOAT_REGS],
            "a shape without them passes zeros"
        );
        assert_eq!(ints.all_stack(), [0; STACK_SLOTS]);
    }

    #[test]
    fn structs_in_memory_go_to_the_stack_whole() {
        let bytes: Vec<u8> = (1..=20).collect();
        let words = StructWords {
            size: 20,
            sse: [false; 2],
            memory: true,
        };
        let mut regs = Registers::<FLOAT_REGS, STACK_SLOTS>::new();
        regs.push(7, Kind::I32);
        // SAFETY: `bytes` holds the struct's 20 bytes.
        unsafe { regs.push_struct(bytes.as_ptr(), words) };
        assert_eq!(regs.ints[..2], [7, 0], "no register taken");
        let stack = regs.all_stack();
        assert_eq!(stack[0], u64::from_ne_bytes([1, 2, 3, 4, 5, 6, 7, 8]));
        assert_eq!(stack[2], u64::from_ne_bytes([17, 18, 19, 20, 0, 0, 0, 0]));
    }
}
