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
//! Only a plan holds a [`SysV`], and on other targets that type has no
//! value: no plan exists there, and the shims are unreachable by their
//! types.

use std::ffi::c_void;
use std::sync::Arc;

use crate::types::{CType, Kind};

/// How a bound function's arguments map onto the registers.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    ret: RetClass,
    shape: Shape,
    /// Per argument, how a struct one travels (`None` for scalars); `None`
    /// when no argument is a struct.
    structs: Option<Arc<[Option<StructWords>]>>,
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
    size: usize,
    sse: [bool; 2],
    memory: bool,
}

impl StructWords {
    /// How a struct of type `ty` travels, if this route can take it: in one
    /// or two registers, or in memory when larger than 16 bytes (and
    /// aligned to at most 8, as the stack slots are).
    #[cfg(all(target_arch = "x86_64", not(windows)))]
    fn of(ty: &CType) -> Option<StructWords> {
        let CType::Struct(l) = ty else { return None };
        let words = |sse, memory| StructWords {
            size: l.size(),
            sse,
            memory,
        };
        match crate::types::layout::register_classes(l).as_deref() {
            Some(&[a]) => Some(words([a, false], false)),
            Some(&[a, b]) => Some(words([a, b], false)),
            Some(_) => None,
            None if l.size() > 16 && l.align() <= 8 => Some(words([false; 2], true)),
            None => None,
        }
    }

    /// Its eightbytes.
    fn count(self) -> usize {
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

/// Where the result comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RetClass {
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
        let float = matches!(kind, Kind::F32 | Kind::F64);
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
    rax: u64,
    rdx: u64,
    xmm0: u64,
    xmm1: u64,
}

impl Returned {
    /// A scalar result's register: xmm0 for a floating one, else rax.
    #[inline(always)]
    pub(crate) fn word(self, float: bool) -> u64 {
        if float { self.xmm0 } else { self.rax }
    }
}

#[cfg(all(target_arch = "x86_64", not(windows)))]
impl Plan {
    /// The plan for a signature, if it fits the registers.
    pub(crate) fn for_signature(args: &[CType], ret: &CType, variadic: bool) -> Option<Plan> {
        if variadic {
            return None;
        }
        // Integer and floating-point register candidates, and stack slots
        // taken by structs passed in memory.
        let (mut ints, mut floats, mut memory) = (0usize, 0usize, 0usize);
        let ret = match ret.kind() {
            Kind::F32 | Kind::F64 => RetClass::Float,
            Kind::LongDouble => return None,
            Kind::Aggregate => match StructWords::of(ret)? {
                w if w.memory => {
                    // The hidden pointer to the result comes first.
                    ints += 1;
                    RetClass::Memory
                }
                w => RetClass::Struct(w),
            },
            _ => RetClass::Integer,
        };
        let mut structs = Vec::new();
        for ty in args {
            let mut words = None;
            match ty.kind() {
                Kind::F32 | Kind::F64 => floats += 1,
                Kind::Aggregate => {
                    let w = StructWords::of(ty)?;
                    if w.memory {
                        memory += w.count();
                    } else {
                        let sse = w.sse[..w.count()].iter().filter(|&&sse| sse).count();
                        floats += sse;
                        ints += w.count() - sse;
                    }
                    words = Some(w);
                }
                Kind::LongDouble | Kind::Void => return None,
                _ => ints += 1,
            }
            structs.push(words);
        }
        // A struct in registers that finds too few left goes whole on the
        // stack, which staging in prototype order does not do: such
        // signatures take libffi.
        let overflow = ints.saturating_sub(6) + floats.saturating_sub(8);
        let in_registers = structs.iter().flatten().any(|w| !w.memory);
        if overflow + memory > STACK_SLOTS || (in_registers && overflow > 0) {
            return None;
        }
        let shape = if overflow + memory > 0 {
            Shape::Spill
        } else if floats == 0 {
            Shape::Ints
        } else {
            Shape::Registers
        };
        let has_structs = structs.iter().any(Option::is_some);
        Some(Plan {
            ret,
            shape,
            structs: has_structs.then(|| structs.into()),
            sysv: SysV(()),
        })
    }
}

/// The calling convention the shims follow, System V x86-64: a value
/// exists only where calls follow it, and only a [`Plan`] makes one, so
/// whatever holds one runs only there.
#[cfg(all(target_arch = "x86_64", not(windows)))]
#[derive(Clone, Copy, Debug)]
pub(crate) struct SysV(());

/// This target's calls do not follow System V x86-64: there is no value,
/// so no plan exists and no shim can be called.
#[cfg(not(all(target_arch = "x86_64", not(windows))))]
#[derive(Clone, Copy, Debug)]
pub(crate) enum SysV {}

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

// The shims. By the System V x86-64 convention each argument sits where its
// own prototype assigns it: integers in order in rdi..r9, floating point in
// order in xmm0..7, and the rest in 8-byte stack slots in prototype order
// from the stack pointer up at the call. The callee ignores registers and
// slots it has no parameters for, so each shim loads a fixed set: integers
// extended to 64 bits, beyond the 32 the callee may rely on, and `float`s
// in the low half of their register. al is an upper bound of the vector
// registers used (0 or 8), read by a variadic callee only. The caller owns
// the slots and drops them after the call.
#[cfg(all(target_arch = "x86_64", not(windows)))]
impl SysV {
    /// Calls `code` with `ints` in the integer registers.
    ///
    /// # Safety
    ///
    /// As [`call_spill`](Self::call_spill), with no floating-point or stack
    /// argument.
    #[inline(always)]
    pub(crate) unsafe fn call_ints(self, code: *const c_void, ints: &[u64; 6]) -> Returned {
        let [i0, i1, i2, i3, i4, i5] = *ints;
        let (rax, rdx, xmm0, xmm1): (u64, u64, f64, f64);
        // The caller's promise: `code` is a C function of this convention
        // whose arguments are all where this sequence puts them, and whose
        // result is not a `long double` (C leaves the x87 stack empty, as
        // the block must). The call is a C call as far as registers go: the
        // argument registers and al in, the result registers out, and all
        // else C may change clobbered (`clobber_abi`); C may read and write
        // memory as it likes, which the block allows. The block is entered
        // with the stack aligned for a call and the direction flag clear,
        // as every `asm!` block is; C keeps the stack pointer and the rest
        // of its convention's callee-saved state, and does not unwind
        // (callbacks catch their panics).
        // SAFETY: as above.
        unsafe {
            std::arch::asm!(
                "call {code}",
                code = in(reg) code,
                in("rdi") i0,
                in("rsi") i1,
                inout("rdx") i2 => rdx,
                in("rcx") i3,
                in("r8") i4,
                in("r9") i5,
                inout("rax") 0u64 => rax,
                lateout("xmm0") xmm0,
                lateout("xmm1") xmm1,
                clobber_abi("C"),
            );
        }
        Returned::of(rax, rdx, xmm0, xmm1)
    }

    /// Calls `code` with `ints` in the integer and `floats` in the vector
    /// registers.
    ///
    /// # Safety
    ///
    /// As [`call_spill`](Self::call_spill), with no stack argument.
    #[inline(always)]
    pub(crate) unsafe fn call_floats(
        self,
        code: *const c_void,
        ints: &[u64; 6],
        floats: &[f64; FLOAT_REGS],
    ) -> Returned {
        let [i0, i1, i2, i3, i4, i5] = *ints;
        let [f0, f1, f2, f3, f4, f5, f6, f7] = *floats;
        let (rax, rdx, xmm0, xmm1): (u64, u64, f64, f64);
        // As in `call_ints`, with the vector registers loaded too.
        // SAFETY: as there.
        unsafe {
            std::arch::asm!(
                "call {code}",
                code = in(reg) code,
                in("rdi") i0,
                in("rsi") i1,
                inout("rdx") i2 => rdx,
                in("rcx") i3,
                in("r8") i4,
                in("r9") i5,
                inout("xmm0") f0 => xmm0,
                inout("xmm1") f1 => xmm1,
                in("xmm2") f2,
                in("xmm3") f3,
                in("xmm4") f4,
                in("xmm5") f5,
                in("xmm6") f6,
                in("xmm7") f7,
                inout("rax") FLOAT_REGS as u64 => rax,
                clobber_abi("C"),
            );
        }
        Returned::of(rax, rdx, xmm0, xmm1)
    }

    /// Calls `code` with `ints` in the integer and `floats` in the vector
    /// registers, and `stack` in the stack slots.
    ///
    /// # Safety
    ///
    /// `code` must be a C function of the System V x86-64 convention whose
    /// every argument is in these registers and slots where that convention
    /// places it (as above), whose result comes back in rax, rdx, xmm0 or
    /// xmm1, or nowhere (not a `long double`), and which is memory-safe to
    /// call with those arguments.
    #[inline(always)]
    pub(crate) unsafe fn call_spill(
        self,
        code: *const c_void,
        ints: &[u64; 6],
        floats: &[f64; FLOAT_REGS],
        stack: &[u64; STACK_SLOTS],
    ) -> Returned {
        let [i0, i1, i2, i3, i4, i5] = *ints;
        let [f0, f1, f2, f3, f4, f5, f6, f7] = *floats;
        let (rax, rdx, xmm0, xmm1): (u64, u64, f64, f64);
        // As in `call_ints`, with the vector registers loaded, and the
        // slots copied (through xmm8–11, which C may clobber anyway) to the
        // 64 bytes below the stack pointer, which a block may use: the
        // stack stays aligned for the call, and is restored after it.
        // SAFETY: as there; `stack` is 64 readable bytes.
        unsafe {
            std::arch::asm!(
                "sub rsp, 64",
                "movups xmm8, [{stack}]",
                "movups xmm9, [{stack} + 16]",
                "movups xmm10, [{stack} + 32]",
                "movups xmm11, [{stack} + 48]",
                "movaps [rsp], xmm8",
                "movaps [rsp + 16], xmm9",
                "movaps [rsp + 32], xmm10",
                "movaps [rsp + 48], xmm11",
                "call {code}",
                "add rsp, 64",
                code = in(reg) code,
                stack = in(reg) stack.as_ptr(),
                in("rdi") i0,
                in("rsi") i1,
                inout("rdx") i2 => rdx,
                in("rcx") i3,
                in("r8") i4,
                in("r9") i5,
                inout("xmm0") f0 => xmm0,
                inout("xmm1") f1 => xmm1,
                in("xmm2") f2,
                in("xmm3") f3,
                in("xmm4") f4,
                in("xmm5") f5,
                in("xmm6") f6,
                in("xmm7") f7,
                out("xmm8") _,
                out("xmm9") _,
                out("xmm10") _,
                out("xmm11") _,
                inout("rax") FLOAT_REGS as u64 => rax,
                clobber_abi("C"),
            );
        }
        Returned::of(rax, rdx, xmm0, xmm1)
    }
}

#[cfg(all(target_arch = "x86_64", not(windows)))]
impl Returned {
    #[inline(always)]
    fn of(rax: u64, rdx: u64, xmm0: f64, xmm1: f64) -> Returned {
        Returned {
            rax,
            rdx,
            xmm0: xmm0.to_bits(),
            xmm1: xmm1.to_bits(),
        }
    }
}

// No value of `SysV` exists here: these are never called.
#[cfg(not(all(target_arch = "x86_64", not(windows))))]
impl SysV {
    /// # Safety
    ///
    /// None: uncallable, for want of a `self`.
    pub(crate) unsafe fn call_ints(self, _: *const c_void, _: &[u64; 6]) -> Returned {
        match self {}
    }

    /// # Safety
    ///
    /// None: uncallable, for want of a `self`.
    pub(crate) unsafe fn call_floats(
        self,
        _: *const c_void,
        _: &[u64; 6],
        _: &[f64; FLOAT_REGS],
    ) -> Returned {
        match self {}
    }

    /// # Safety
    ///
    /// None: uncallable, for want of a `self`.
    pub(crate) unsafe fn call_spill(
        self,
        _: *const c_void,
        _: &[u64; 6],
        _: &[f64; FLOAT_REGS],
        _: &[u64; STACK_SLOTS],
    ) -> Returned {
        match self {}
    }
}

#[cfg(not(all(target_arch = "x86_64", not(windows))))]
impl Plan {
    /// No register route on this platform: every call takes libffi.
    pub(crate) fn for_signature(_: &[CType], _: &CType, _: bool) -> Option<Plan> {
        None
    }
}
#[cfg(all(test, target_arch = "x86_64", not(windows)))]
mod tests {
    use super::*;

    fn shape(args: &[CType], ret: CType) -> Option<(Shape, RetClass)> {
        Plan::for_signature(args, &ret, false).map(|p| (p.shape, p.ret))
    }

    #[test]
    fn each_signature_takes_the_smallest_shape_that_holds_it() {
        use CType::*;
        assert_eq!(shape(&[], Void), Some((Shape::Ints, RetClass::Integer)));
        assert_eq!(
            shape(&[Int, VoidP, LongLong, Bool, Short, SizeT], Double),
            Some((Shape::Ints, RetClass::Float)),
            "six integers, a floating result"
        );
        assert_eq!(
            shape(&[Float], Int),
            Some((Shape::Registers, RetClass::Integer))
        );
        assert_eq!(
            shape(
                &[const { Int }; 6]
                    .iter()
                    .chain(&[const { Double }; 8])
                    .cloned()
                    .collect::<Vec<_>>(),
                Float
            ),
            Some((Shape::Registers, RetClass::Float)),
            "every register"
        );
        assert_eq!(
            shape(&[const { Int }; 7], Int),
            Some((Shape::Spill, RetClass::Integer)),
            "a seventh integer goes on the stack"
        );
        assert_eq!(
            shape(&[const { Double }; 16], Double),
            Some((Shape::Spill, RetClass::Float)),
            "eight doubles on the stack"
        );
        assert_eq!(
            shape(&[const { Double }; 17], Double),
            None,
            "nine past the registers"
        );
        assert_eq!(shape(&[LongDouble], Int), None);
        assert_eq!(shape(&[Int], LongDouble), None);
        assert_eq!(
            Plan::for_signature(&[Int], &Int, true).map(|p| p.shape),
            None,
            "variadic"
        );
    }

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
    fn struct_results_and_structs_in_memory_have_plans() {
        use crate::StructLayout;
        let of = |name: &str, fields: &[CType]| {
            let mut b = StructLayout::builder(name);
            for (i, t) in fields.iter().enumerate() {
                b = b.field(format!("f{i}"), t.clone());
            }
            CType::Struct(b.build().unwrap())
        };
        let pair = of("IntPair", &[CType::Int, CType::Int]);
        let mixed = of("DoubleInt", &[CType::Double, CType::Int]);
        let vec3 = of("Vec3", &[CType::Double, CType::Double, CType::Double]);
        let boxed = of("Box", &[CType::LongDouble]);
        let ret =
            |args: &[CType], ret: &CType| Plan::for_signature(args, ret, false).map(|p| p.ret);
        let Some(RetClass::Struct(w)) = ret(&[], &pair) else {
            panic!("an int pair comes back in rax")
        };
        assert_eq!((w.count(), w.sse[0]), (1, false));
        let Some(RetClass::Struct(w)) = ret(&[], &mixed) else {
            panic!("a double and an int come back in xmm0 and rax")
        };
        assert_eq!((w.count(), w.sse), (2, [true, false]));
        assert_eq!(ret(&[], &vec3), Some(RetClass::Memory));
        assert_eq!(
            ret(&[], &boxed),
            None,
            "a long double struct comes back on x87"
        );
        // Two 24-byte arguments fill six stack slots; three would need nine
        // of the eight.
        let two = Plan::for_signature(&[vec3.clone(), vec3.clone()], &vec3, false).unwrap();
        assert_eq!((two.shape, two.returns_in_memory()), (Shape::Spill, true));
        let three = [vec3.clone(), vec3.clone(), vec3.clone()];
        assert!(Plan::for_signature(&three, &CType::Void, false).is_none());
        // A struct in registers beside spilled arguments takes libffi.
        let mut crowded = vec![CType::Int; 6];
        crowded.push(pair);
        assert!(Plan::for_signature(&crowded, &CType::Void, false).is_none());
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
