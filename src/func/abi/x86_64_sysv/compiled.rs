//! The compiled route: machine code made for one signature when it is
//! bound, which checks the arguments and calls the function.
//!
//! The fast path's [`Program`] reads, per argument, where the value is,
//! which class it must be and what bounds it must keep, then checks it. For
//! a signature whose arguments are all integers, `float`s and `double`s,
//! the same checks are written out as x86-64 instructions with the
//! argument's offset, tag and width built in, each value loaded straight
//! into its argument register, then a jump to the function, which returns
//! straight to the caller: a handful of instructions per argument and no
//! table to read. Arguments past the registers are stored to slots the
//! code reserves below its return address; it then calls the function and
//! takes the slots off the stack when it returns.
//!
//! The code refuses (returns without calling) at the first value it does
//! not take as it stands: another variant, an integer out of range, a
//! finite `double` too large for a `float`. The call then goes to the
//! general path, which converts what it can and words a refusal; nothing
//! has reached C by then. The ranges and widths checked are the rule
//! book's (`types::rules`).
//!
//! The code depends on the signature's shape only (the function's address
//! is an argument), so functions of the same shape share it: made code is
//! interned by its bytes, mapped once, executable and never writable, and
//! unmapped when the last function using it is dropped.

// `dynasm!` converts each register it is given with `.into()`, already a
// `u8` here.
#![allow(clippy::useless_conversion)]

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::{Arc, LazyLock, Mutex, PoisonError, Weak};

use dynasmrt::x64::X64Relocation;
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi, VecAssembler, dynasm};
use memmap2::Mmap;

use crate::func::fast::{Arg, Outcome, Program};
use crate::func::registers::FLOAT_REGS;
use crate::types::{Class, Kind};
use crate::value::Value;
use crate::value::machine::{FLOAT_AT, INT_AT, VALUE_SIZE, float_tag, int_tag};

/// Compiled code for one signature shape, and the mapping that holds it.
///
/// The code has a convention of its own, for the inline `call` in
/// [`Compiled::call`]: the values' address in r10, the function's in r11.
/// It checks the values and loads the argument registers, then jumps to
/// the function, which returns straight to the caller (or, with stack
/// arguments, calls it and returns); a refusal returns with r12 set to 1
/// instead (C preserves r12, so it stays 0 otherwise).
#[derive(Clone)]
pub(crate) struct Compiled {
    /// The start of `code`, kept beside it so that a call reads one
    /// pointer, not two through the `Arc`.
    entry: *const u8,
    /// The mapping that holds the code, shared by functions of one shape.
    code: Arc<Mmap>,
}

// SAFETY: `entry` points into the immutable mapping `code` holds; the code
// there keeps no state, so any thread may run it.
unsafe impl Send for Compiled {}
// SAFETY: as above; shared references only read the address.
unsafe impl Sync for Compiled {}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Compiled({} bytes at {:p})",
            self.code.len(),
            self.code.as_ptr()
        )
    }
}

impl Compiled {
    /// Checks `args` and, if the code takes every value, calls `code` with
    /// them.
    ///
    /// # Safety
    ///
    /// The code must have been compiled from the program of a function
    /// whose address is `code` (so `code` is a C function of the signature
    /// the program was made from), and `args` must hold exactly as many
    /// values as that signature has arguments.
    #[inline(always)]
    pub(crate) unsafe fn call(&self, args: &[Value<'_>], code: *const c_void) -> Outcome {
        let (word, float_word, refused): (u64, u64, u64);
        // The code reads only the values of the program's arguments, all
        // below `args.len()` as promised, and calls `code` as its signature
        // requires, only with values that passed the program's checks. The
        // call is a C call as far as registers go (`clobber_abi`), and may
        // read and write memory as C may; it is entered with the stack
        // aligned for a call, as inline assembly is, and does not unwind.
        // SAFETY: as the caller promised and the code was made.
        unsafe {
            std::arch::asm!(
                "call {entry}",
                entry = in(reg) self.entry,
                in("r10") args.as_ptr(),
                in("r11") code,
                inout("r12") 0u64 => refused,
                lateout("rax") word,
                lateout("xmm0") float_word,
                clobber_abi("C"),
            );
        }
        Outcome {
            word,
            float_word,
            refused: refused != 0,
        }
    }
}

impl Program {
    /// The arguments passed in integer registers, in register order.
    fn ints(&self) -> &[Arg] {
        &self.args[..usize::from(self.ints)]
    }

    /// The arguments passed in floating-point registers, in register order.
    fn floats(&self) -> &[Arg] {
        let ints = usize::from(self.ints);
        &self.args[ints..ints + usize::from(self.floats)]
    }
}

/// Code already made, by its bytes. An entry dies with the last function
/// using its code; dead entries are swept when the table has doubled.
struct Made {
    code: HashMap<Vec<u8>, Weak<Mmap>>,
    sweep_at: usize,
}

static MADE: LazyLock<Mutex<Made>> = LazyLock::new(|| {
    Mutex::new(Made {
        code: HashMap::new(),
        sweep_at: 64,
    })
});

/// The compiled code for `program`, if its signature has one (integer,
/// `_Bool`, `float` and `double` arguments only) and the system lets this
/// process map executable memory.
pub(crate) fn compile(program: &Program) -> Option<Compiled> {
    let bytes = assemble(program)?;
    let mut made = MADE.lock().unwrap_or_else(PoisonError::into_inner);
    let code = match made.code.get(&bytes).and_then(Weak::upgrade) {
        Some(code) => code,
        None => {
            let code = Arc::new(crate::executable::map(&bytes)?);
            if made.code.len() >= made.sweep_at {
                made.code.retain(|_, code| code.strong_count() > 0);
                made.sweep_at = 2 * made.code.len().max(32);
            }
            made.code.insert(bytes, Arc::downgrade(&code));
            code
        }
    };
    Some(Compiled {
        entry: code.as_ptr(),
        code,
    })
}

/// The integer argument registers, in order: rdi, rsi, rdx, rcx, r8, r9.
const INT_REGS: [u8; 6] = [RDI, 6, 2, 1, 8, 9];
const RDI: u8 = 7;

/// A `double`'s bits shifted left once (its sign dropped): a finite value
/// whose bits so shifted lie above those of the largest finite value of
/// the parameter's class does not fit it.
const fn twice(x: f64) -> u64 {
    x.to_bits() << 1
}

type Assembler = VecAssembler<X64Relocation>;

/// Where the code keeps the constants a narrower floating-point argument
/// is checked against (after its last instruction), so that they need no
/// register.
struct Limits {
    /// The largest finite `float`, [`twice`]d: from the rule book.
    f32_max: DynamicLabel,
    /// Infinity, [`twice`]d.
    infinity: DynamicLabel,
}

/// Where the code puts an argument: an integer register, a vector
/// register, or a stack slot (its index from the top of the stack).
#[derive(Clone, Copy)]
enum Place {
    Int(u8),
    Float(u8),
    Stack(i32),
}

/// Each argument of `program` with its place, as the System V convention
/// gives them to numbers: the next register of its class, then the next
/// stack slot.
fn places(program: &Program) -> Option<Vec<(Arg, Place)>> {
    if !program.spills {
        let ints = program
            .ints()
            .iter()
            .zip(INT_REGS)
            .map(|(a, r)| (*a, Place::Int(r)));
        let floats = (0..)
            .zip(program.floats())
            .map(|(k, a)| (*a, Place::Float(k)));
        return Some(ints.chain(floats).collect());
    }
    let (mut ints, mut floats, mut slots) = (0, 0u8, 0);
    let arity = usize::from(program.arity);
    program.args[..arity]
        .iter()
        .map(|arg| {
            let place = if arg.kind.is_sse() && usize::from(floats) < FLOAT_REGS {
                floats += 1;
                Place::Float(floats - 1)
            } else if !arg.kind.is_sse() && ints < INT_REGS.len() {
                ints += 1;
                Place::Int(INT_REGS[ints - 1])
            } else {
                slots += 1;
                Place::Stack(slots - 1)
            };
            Some((*arg, place))
        })
        .collect()
}

/// The code for `program`, or `None` if an argument is not an integer,
/// `_Bool`, `float` or `double`.
fn assemble(program: &Program) -> Option<Vec<u8>> {
    let int_tag = int_tag() as i8;
    let float_tag = float_tag() as i8;
    let mut ops = Assembler::new(0);
    let refuse = ops.new_dynamic_label();
    // The values' base is in r10, the function in r11: neither is an
    // argument register.
    let limits = Limits {
        f32_max: ops.new_dynamic_label(),
        infinity: ops.new_dynamic_label(),
    };
    let places = places(program)?;
    let slots = places
        .iter()
        .filter(|(_, place)| matches!(place, Place::Stack(_)))
        .count();
    // Stack arguments go in slots below the return address, the stack
    // aligned to 16 at the call as C expects (it is 8 off on entry).
    let frame = i32::try_from(8 * slots + if slots % 2 == 0 { 8 } else { 0 }).ok()?;
    if slots > 0 {
        dynasm!(ops ; .arch x64 ; sub rsp, frame);
    }
    // The stack slots first, through rdi and xmm15, before the argument
    // registers are loaded.
    for (arg, place) in &places {
        let Place::Stack(slot) = *place else { continue };
        let (at, to) = (value_at(arg)?, slot * 8);
        if arg.kind.is_sse() {
            dynasm!(ops ; .arch x64 ; cmp BYTE [r10 + at], float_tag ; jne =>refuse);
            float_arg(&mut ops, arg.kind, 15, at + FLOAT_AT, &limits, refuse)?;
            match arg.kind.rule().width {
                4 => dynasm!(ops ; .arch x64 ; movss DWORD [rsp + to], xmm15),
                _ => dynasm!(ops ; .arch x64 ; movsd QWORD [rsp + to], xmm15),
            }
        } else {
            dynasm!(ops ; .arch x64 ; cmp BYTE [r10 + at], int_tag ; jne =>refuse);
            int_arg(&mut ops, arg.kind, RDI, at + INT_AT, refuse)?;
            dynasm!(ops ; .arch x64 ; mov QWORD [rsp + to], rdi);
        }
    }
    for (arg, place) in &places {
        let at = value_at(arg)?;
        match *place {
            Place::Int(reg) => {
                dynasm!(ops ; .arch x64 ; cmp BYTE [r10 + at], int_tag ; jne =>refuse);
                int_arg(&mut ops, arg.kind, reg, at + INT_AT, refuse)?;
            }
            Place::Float(xmm) => {
                dynasm!(ops ; .arch x64 ; cmp BYTE [r10 + at], float_tag ; jne =>refuse);
                float_arg(&mut ops, arg.kind, xmm, at + FLOAT_AT, &limits, refuse)?;
            }
            Place::Stack(_) => {}
        }
    }
    if slots == 0 {
        // The stack is as the caller's call left it, as the function
        // expects it on entry: the function returns to that caller.
        dynasm!(ops
            ; .arch x64
            ; jmp r11
            ; =>refuse
            ; mov r12d, 1
            ; ret
        );
    } else {
        // The function returns here, to take the slots off the stack.
        dynasm!(ops
            ; .arch x64
            ; call r11
            ; add rsp, frame
            ; ret
            ; =>refuse
            ; add rsp, frame
            ; mov r12d, 1
            ; ret
        );
    }
    if places
        .iter()
        .any(|(arg, _)| arg.kind.is_sse() && arg.kind.rule().width == 4)
    {
        let (f32_max, infinity) = (twice(Kind::F32.rule().max), twice(f64::INFINITY));
        dynasm!(ops
            ; .arch x64
            ; .align 8
            ; =>limits.f32_max
            ; .u64 f32_max
            ; =>limits.infinity
            ; .u64 infinity
        );
    }
    ops.finalize().ok()
}

/// The offset of `arg`'s value from the first value.
fn value_at(arg: &Arg) -> Option<i32> {
    i32::from(arg.index).checked_mul(VALUE_SIZE)
}

/// Loads the `double` at `[r10 + at]` into xmm`xmm` as a parameter of
/// `kind`: as is, or for a `float` rounded, once a finite value is known to
/// be within the rule book's bound (infinities and NaNs pass, as the
/// interpreter lets them).
fn float_arg(
    ops: &mut Assembler,
    kind: Kind,
    xmm: u8,
    at: i32,
    limits: &Limits,
    refuse: DynamicLabel,
) -> Option<()> {
    let rule = kind.rule();
    if rule.class != Class::Sse {
        return None;
    }
    match rule.width {
        8 => dynasm!(ops ; .arch x64 ; movsd Rx(xmm), QWORD [r10 + at]),
        4 => {
            let fits = ops.new_dynamic_label();
            dynasm!(ops
                ; .arch x64
                ; mov rax, QWORD [r10 + at]
                ; shl rax, 1
                ; cmp rax, QWORD [=>limits.f32_max]
                ; jbe =>fits
                ; cmp rax, QWORD [=>limits.infinity]
                ; jb =>refuse
                ; =>fits
                ; cvtsd2ss Rx(xmm), QWORD [r10 + at]
            );
        }
        _ => return None,
    }
    Some(())
}

/// Loads the `i128` at `[r10 + at]` into register `reg` as a parameter of
/// `kind`, refusing a value outside the rule book's `min..=max` for it: the
/// high 64 bits must extend the low ones, then the low ones are checked
/// against the bounds, by narrowing to the width whose range they are, or
/// by compares.
fn int_arg(ops: &mut Assembler, kind: Kind, reg: u8, at: i32, refuse: DynamicLabel) -> Option<()> {
    let high = at + 8;
    let rule = kind.rule();
    let (min, max) = rule.range?;
    let imm = |bound: i128| i32::try_from(bound).ok();
    if rule.signed {
        // In i64: the high half is the low half's sign.
        dynasm!(ops ; .arch x64 ; mov rax, QWORD [r10 + at]);
        let narrowed = match (min, max) {
            _ if (min, max) == (i64::MIN.into(), i64::MAX.into()) => {
                dynasm!(ops ; .arch x64 ; mov Rq(reg), rax);
                false
            }
            _ if (min, max) == (i8::MIN.into(), i8::MAX.into()) => {
                dynasm!(ops ; .arch x64 ; movsx Rq(reg), al);
                true
            }
            _ if (min, max) == (i16::MIN.into(), i16::MAX.into()) => {
                dynasm!(ops ; .arch x64 ; movsx Rq(reg), ax);
                true
            }
            _ if (min, max) == (i32::MIN.into(), i32::MAX.into()) => {
                dynasm!(ops ; .arch x64 ; movsxd Rq(reg), eax);
                true
            }
            _ => {
                let (lo, hi) = (imm(min)?, imm(max)?);
                dynasm!(ops
                    ; .arch x64
                    ; mov Rq(reg), rax
                    ; cmp Rq(reg), lo
                    ; jl =>refuse
                    ; cmp Rq(reg), hi
                    ; jg =>refuse
                );
                false
            }
        };
        if narrowed {
            dynasm!(ops ; .arch x64 ; cmp Rq(reg), rax ; jne =>refuse);
        }
        dynasm!(ops
            ; .arch x64
            ; sar rax, 63
            ; cmp rax, QWORD [r10 + high]
            ; jne =>refuse
        );
    } else {
        // In u64: the high half is zero.
        if min != 0 {
            return None;
        }
        dynasm!(ops
            ; .arch x64
            ; cmp QWORD [r10 + high], 0
            ; jne =>refuse
        );
        match imm(max) {
            _ if max == u64::MAX.into() => {
                dynasm!(ops ; .arch x64 ; mov Rq(reg), QWORD [r10 + at])
            }
            Some(hi) => dynasm!(ops
                ; .arch x64
                ; mov Rq(reg), QWORD [r10 + at]
                ; cmp Rq(reg), hi
                ; ja =>refuse
            ),
            None if max == u32::MAX.into() => dynasm!(ops
                ; .arch x64
                ; mov rax, QWORD [r10 + at]
                ; mov Rd(reg), eax
                ; cmp Rq(reg), rax
                ; jne =>refuse
            ),
            None => return None,
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::func::CFunc;
    use crate::library::Library;
    use crate::types::CType;

    fn abi(symbol: &str, args: &[CType], ret: CType) -> CFunc {
        // SAFETY: the project's own library has no initialisers, and abi.c
        // defines each function the tests bind with the signature given.
        unsafe {
            Library::open(rctypes_csrc::library("abi"))
                .and_then(|lib| lib.function(symbol, args, ret))
                .unwrap()
        }
    }

    fn compiled(f: &CFunc) -> &Compiled {
        f.program
            .as_ref()
            .and_then(|p| p.compiled.as_ref())
            .unwrap()
    }

    /// Runs `f`'s compiled code with `args`: the result's register image
    /// (a floating-point result's from xmm0), or `None` if it refused.
    fn run(f: &CFunc, args: &[Value<'_>]) -> Option<u64> {
        assert_eq!(args.len(), f.args.len());
        // SAFETY: `f`'s own code, address and argument count.
        let outcome = unsafe { compiled(f).call(args, f.code.as_ptr()) };
        let ret = f.program.as_ref().unwrap().ret;
        (!outcome.refused).then_some(outcome.result_word(ret))
    }

    /// The code itself calls C with values it takes, and refuses the rest
    /// without calling (the program, not the code, then runs).
    #[test]
    fn the_code_calls_with_values_it_takes_and_refuses_the_rest() {
        use CType::*;
        let mixed6 = abi("mixed6", &[Int, Double, Long, Float, Short, Double], Double);
        let mut args = [
            Value::Int(1),
            Value::Float(2.5),
            Value::Int(-3),
            Value::Float(0.25),
            Value::Int(-7),
            Value::Float(100.0),
        ];
        assert_eq!(run(&mixed6, &args).map(f64::from_bits), Some(93.75));
        for (k, refused) in [
            (0, Value::Int(1 << 31)),
            (2, Value::Int(1 << 63)),
            (3, Value::Float(1e39)),
            (4, Value::Int(-32769)),
            (5, Value::Int(100)),
            (0, Value::Bool(true)),
        ] {
            let kept = std::mem::replace(&mut args[k], refused);
            assert_eq!(
                run(&mixed6, &args),
                None,
                "argument {}: {:?}",
                k + 1,
                args[k]
            );
            args[k] = kept;
        }
        let add = abi("add_int", &[Int, Int], Int);
        assert_eq!(
            run(&add, &[(-5).into(), 3.into()]).map(|w| w as i32),
            Some(-2)
        );
        let id_float = abi("id_float", &[Float], Float);
        let bits = run(&id_float, &[Value::Float(-0.5)]).map(|w| w as u32);
        assert_eq!(bits, Some((-0.5f32).to_bits()));
        assert!(run(&abi("noop", &[], Void), &[]).is_some());
    }

    /// Values for stack slots are checked as register ones are, and a
    /// refusal there leaves the stack as it found it.
    #[test]
    fn stack_arguments_are_checked_and_placed() {
        use CType::*;
        let spill10 = abi("spill10", &[const { Int }; 10], LongLong);
        let mut args: Vec<Value> = (1..=10).map(Value::Int).collect();
        // Σ k·k
        assert_eq!(run(&spill10, &args).map(|w| w as i64), Some(385));
        for k in [6, 9] {
            args[k] = Value::Int(1 << 40);
            assert_eq!(run(&spill10, &args), None, "argument {}", k + 1);
            args[k] = Value::Float(1.0);
            assert_eq!(run(&spill10, &args), None, "argument {}", k + 1);
            args[k] = Value::Int(k as i128 + 1);
        }
        assert_eq!(run(&spill10, &args).map(|w| w as i64), Some(385));
        let mut sig = vec![Double; 9];
        sig.extend([Int, Float, Double]);
        let spill_floats = abi("spill_floats", &sig, Double);
        let mut args: Vec<Value> = (1..=9).map(|i| Value::Float(f64::from(i) / 2.0)).collect();
        args.extend([Value::Int(-3), Value::Float(0.5), Value::Float(0.25)]);
        let expected = (1..=9).map(|i| f64::from(i * i) / 2.0).sum::<f64>() - 30.0 + 5.5 + 3.0;
        assert_eq!(
            run(&spill_floats, &args).map(f64::from_bits),
            Some(expected)
        );
        args[10] = Value::Float(1e39);
        assert_eq!(run(&spill_floats, &args), None, "a float too large");
    }

    /// Functions of one shape share their code; other shapes have their own.
    #[test]
    fn code_is_shared_by_shape() {
        use CType::*;
        let add = abi("add_int", &[Int, Int], Int);
        let id_int = abi("id_int", &[Int], Int);
        let other = abi("add_int", &[Int, Int], Int);
        assert!(Arc::ptr_eq(&compiled(&add).code, &compiled(&other).code));
        assert!(!Arc::ptr_eq(&compiled(&add).code, &compiled(&id_int).code));
        assert!(
            abi("id_pointer", &[VoidP], VoidP)
                .program
                .unwrap()
                .compiled
                .is_none()
        );
    }
}
