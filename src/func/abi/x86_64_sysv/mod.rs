//! The x86-64 System V back end (Linux, the BSDs, macOS on Intel): which
//! signatures fit the registers ([`Plan::for_signature`], with the ABI's
//! classification of structs), the `asm!` call sequences that load them
//! ([`SysV`]'s shims), and the machine code generated per signature
//! ([`compiled`], with the `codegen` feature).

use std::ffi::c_void;

use crate::func::registers::{
    FLOAT_REGS, Plan, RetClass, Returned, STACK_SLOTS, Shape, StructWords,
};
use crate::types::{CType, Class};

// Machine code is generated with the `codegen` feature only; without it
// every program is interpreted.
#[cfg(feature = "codegen")]
mod compiled;
#[cfg(not(feature = "codegen"))]
pub(crate) use super::no_code::{Compiled, compile};
#[cfg(feature = "codegen")]
pub(crate) use compiled::{Compiled, compile};

/// The calling convention the shims follow, System V x86-64: a value
/// exists only where calls follow it, and only a [`Plan`] makes one, so
/// whatever holds one runs only there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SysV(());

impl StructWords {
    /// How a struct of type `ty` travels, if this route can take it: in one
    /// or two registers, or in memory when larger than 16 bytes (and
    /// aligned to at most 8, as the stack slots are).
    fn of(ty: &CType) -> Option<StructWords> {
        let CType::Struct(l) = ty else { return None };
        let words = |sse, memory| StructWords {
            size: l.size(),
            sse,
            memory,
        };
        match crate::types::layout::abi::register_classes(l).as_deref() {
            Some(&[a]) => Some(words([a, false], false)),
            Some(&[a, b]) => Some(words([a, b], false)),
            Some(_) => None,
            None if l.size() > 16 && l.align() <= 8 => Some(words([false; 2], true)),
            None => None,
        }
    }
}

impl Plan {
    /// The plan for a signature, if it fits the registers.
    pub(crate) fn for_signature(args: &[CType], ret: &CType, variadic: bool) -> Option<Plan> {
        if variadic {
            return None;
        }
        // Integer and floating-point register candidates, and stack slots
        // taken by structs passed in memory.
        let (mut ints, mut floats, mut memory) = (0usize, 0usize, 0usize);
        // Each value's register class is the rule book's.
        let ret = match ret.kind().rule().class {
            Class::Sse => RetClass::Float,
            Class::X87 => return None,
            Class::Layout => match StructWords::of(ret)? {
                w if w.memory => {
                    // The hidden pointer to the result comes first.
                    ints += 1;
                    RetClass::Memory
                }
                w => RetClass::Struct(w),
            },
            Class::Integer | Class::None => RetClass::Integer,
        };
        let mut structs = Vec::new();
        for ty in args {
            let mut words = None;
            match ty.kind().rule().class {
                Class::Sse => floats += 1,
                Class::Layout => {
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
                Class::X87 | Class::None => return None,
                Class::Integer => ints += 1,
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

// The shims. By the System V x86-64 convention each argument sits where its
// own prototype assigns it: integers in order in rdi..r9, floating point in
// order in xmm0..7, and the rest in 8-byte stack slots in prototype order
// from the stack pointer up at the call. The callee ignores registers and
// slots it has no parameters for, so each shim loads a fixed set: integers
// extended to 64 bits, beyond the 32 the callee may rely on, and `float`s
// in the low half of their register. al is an upper bound of the vector
// registers used (0 or 8), read by a variadic callee only. The caller owns
// the slots and drops them after the call.
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
        // As in `call_ints`, with the vector registers loaded, through the
        // trampoline below, which copies the slots and calls `code`: this
        // block leaves the stack pointer where it is, so the unwind tables
        // of the function it is in stay true while C runs (a backtrace
        // taken in a callback walks through them). The trampoline reads
        // only r10 and r11 besides the argument registers, and clobbers
        // only what C may (xmm8–11 among them).
        // SAFETY: as there; `stack` is 64 readable bytes, and the
        // trampoline is a C-convention function of this module.
        unsafe {
            std::arch::asm!(
                "call {tramp}",
                tramp = sym rctypes_x86_64_sysv_spill_call,
                in("r10") stack.as_ptr(),
                in("r11") code,
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
}

unsafe extern "C" {
    /// The trampoline of [`SysV::call_spill`], defined below: it copies
    /// the 64 bytes at r10 to the stack slots and calls r11, with every
    /// argument register passed through and the result registers passed
    /// back. Not callable from Rust (its arguments are not Rust's); only
    /// named in `call_spill`'s block.
    fn rctypes_x86_64_sysv_spill_call();
}

// The trampoline: a frame of its own, with a frame pointer and unwind
// information (CFI), so that an unwinder walking from C's frame (a
// backtrace taken in a callback) finds each caller. On entry the stack
// pointer is 8 past a multiple of 16 (a call's return address); after
// `push rbp` it is aligned, and stays so after the 64 bytes of slots, so
// C is called aligned. `leave` restores rsp and rbp, whatever C did to
// the slots. Hidden: linked into the same program as its callers, never
// exported from it.
macro_rules! spill_trampoline {
    ($name:literal, $head:literal, $tail:literal) => {
        std::arch::global_asm!(
            $head,
            ".p2align 4",
            concat!($name, ":"),
            ".cfi_startproc",
            "push rbp",
            ".cfi_def_cfa_offset 16",
            ".cfi_offset rbp, -16",
            "mov rbp, rsp",
            ".cfi_def_cfa_register rbp",
            "sub rsp, 64",
            "movups xmm8, [r10]",
            "movups xmm9, [r10 + 16]",
            "movups xmm10, [r10 + 32]",
            "movups xmm11, [r10 + 48]",
            "movaps [rsp], xmm8",
            "movaps [rsp + 16], xmm9",
            "movaps [rsp + 32], xmm10",
            "movaps [rsp + 48], xmm11",
            "call r11",
            "leave",
            ".cfi_def_cfa rsp, 8",
            "ret",
            ".cfi_endproc",
            $tail,
        );
    };
}

#[cfg(not(target_vendor = "apple"))]
spill_trampoline!(
    "rctypes_x86_64_sysv_spill_call",
    ".pushsection .text.rctypes_x86_64_sysv_spill_call,\"ax\",@progbits
    .globl rctypes_x86_64_sysv_spill_call
    .hidden rctypes_x86_64_sysv_spill_call
    .type rctypes_x86_64_sysv_spill_call,@function",
    ".size rctypes_x86_64_sysv_spill_call, . - rctypes_x86_64_sysv_spill_call
    .popsection"
);

// Mach-O: C names take a leading underscore; hidden is `private_extern`.
#[cfg(target_vendor = "apple")]
spill_trampoline!(
    "_rctypes_x86_64_sysv_spill_call",
    ".text
    .globl _rctypes_x86_64_sysv_spill_call
    .private_extern _rctypes_x86_64_sysv_spill_call",
    ""
);

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

#[cfg(test)]
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
}
