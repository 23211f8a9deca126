//! Entries on x86-64 System V.

// `dynasm!` converts each register it is given with `.into()`, already a
// `u8` here.
#![allow(clippy::useless_conversion)]

use dynasmrt::x64::X64Relocation;
use dynasmrt::{DynasmApi, DynasmLabelApi, VecAssembler, dynasm};
use memmap2::Mmap;

use super::*;
use crate::types::{Class, Kind};
use crate::value::decodes_to_address;
use crate::value::machine::{
    BOOL_AT, FLOAT_AT, INT_AT, POINTER_AT, VALUE_SIZE, bool_tag, float_tag, int_tag, null_tag,
    pointer_tag,
};

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
    emit(state_register(signature)?, state, trampoline)
}

/// The entry for a dynamic callback of `signature` whose state, of the
/// type `D` runs, lies at `state`: for numbers only, code that decodes
/// them (see [`decoder`]); else the state put in a register, then a jump
/// to a trampoline that saves every argument register for the closure's
/// decoding. `None` as for [`make`].
pub(crate) fn make_dynamic<D: Dynamic>(
    signature: &Signature,
    state: *const c_void,
) -> Option<Entry> {
    if let Some(code) = decoder(signature, state, run_values::<D> as *const c_void) {
        return crate::executable::map(&code).map(Entry);
    }
    let register = state_register(signature)?;
    let trampolines = [
        dynamic::<D, 0> as Trampoline,
        dynamic::<D, 1>,
        dynamic::<D, 2>,
        dynamic::<D, 3>,
        dynamic::<D, 4>,
        dynamic::<D, 5>,
    ];
    emit(
        register,
        state,
        *trampolines.get(register)? as *const c_void,
    )
}

/// Which integer argument register is left for the state, where every
/// argument travels in a register and the result in `rax` or `xmm0`.
fn state_register(signature: &Signature) -> Option<usize> {
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
        || ints >= INT_REGS.len()
    {
        return None;
    }
    Some(ints)
}

/// Maps `mov <register>, state; mov r11, target; jmp r11`.
fn emit(register: usize, state: *const c_void, target: *const c_void) -> Option<Entry> {
    let register = *INT_REGS.get(register)?;
    let mut ops = VecAssembler::<X64Relocation>::new(0);
    // r11: scratch, no argument's.
    dynasm!(ops
        ; .arch x64
        ; mov Rq(register), QWORD state as i64
        ; mov r11, QWORD target as i64
        ; jmp r11
    );
    crate::executable::map(&ops.finalize().ok()?).map(Entry)
}

/// A dynamic trampoline: every integer argument register, then every
/// vector one; the state in integer register `N`.
type Trampoline = unsafe extern "C" fn(
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
) -> Returned;

/// A result in both registers it may travel in: `rax`, then `xmm0`
/// (a struct of an integer and a `double` eightbyte). C reads the one
/// its result type names.
#[repr(C)]
struct Returned {
    word: u64,
    float: f64,
}

/// The trampoline of dynamic callbacks whose state `D` runs, with `N`
/// integer arguments: the registers C left its arguments in, saved for
/// the closure's decoding.
#[allow(clippy::too_many_arguments, reason = "one per argument register")]
unsafe extern "C" fn dynamic<D: Dynamic, const N: usize>(
    r0: u64,
    r1: u64,
    r2: u64,
    r3: u64,
    r4: u64,
    r5: u64,
    x0: f64,
    x1: f64,
    x2: f64,
    x3: f64,
    x4: f64,
    x5: f64,
    x6: f64,
    x7: f64,
) -> Returned {
    let registers = Registers {
        ints: [r0, r1, r2, r3, r4, r5],
        floats: [x0, x1, x2, x3, x4, x5, x6, x7].map(f64::to_bits),
    };
    let state = registers.ints[N] as *const c_void;
    let mut result = 0u64;
    // SAFETY: the entry made for this trampoline passes the address of
    // the state of the callback it was made for, of the type `D` runs,
    // whose arguments all travel in registers (`state_register`).
    unsafe { D::run(state, &registers, &mut result as *mut u64 as *mut c_void) };
    Returned {
        word: result,
        float: f64::from_bits(result),
    }
}

/// The code of a dynamic callback of `signature` whose arguments are all
/// numbers, `_Bool`s or pointers decoded as addresses (not strings or
/// handles) in registers, and whose result travels in `rax` or `xmm0`: it
/// writes each argument as the `Value` decoding gives (`Value::Int` of the
/// integer sign- or zero-extended as its class says, `Value::Float` of the
/// number widened to a `double`, `Value::Bool` of whether the byte is not
/// zero, `Value::Pointer` of the address or `Value::Null`) into an array
/// on its stack, calls `target` (`run_values`) with `state`, the array and
/// a result word, and returns that word in `rax` and `xmm0`. The rule book
/// (`types::rules`) gives each class's width and sign.
fn decoder(signature: &Signature, state: *const c_void, target: *const c_void) -> Option<Vec<u8>> {
    if matches!(signature.ret().kind(), Kind::LongDouble | Kind::Aggregate) {
        return None;
    }
    let (int_tag, float_tag) = (int_tag() as i8, float_tag() as i8);
    let (bool_tag, pointer_tag, null_tag) =
        (bool_tag() as i8, pointer_tag() as i8, null_tag() as i8);
    let args = signature.args();
    // The values from rsp up (16-aligned, as `Value` is), the result word
    // after them; the frame keeps the stack 16-aligned at the call (it is
    // 8 off on entry), `VALUE_SIZE` being a multiple of 16.
    let result_at = i32::try_from(args.len()).ok()?.checked_mul(VALUE_SIZE)?;
    let frame = result_at + 8;
    let mut ops = VecAssembler::<X64Relocation>::new(0);
    dynasm!(ops
        ; .arch x64
        ; sub rsp, frame
        ; mov QWORD [rsp + result_at], 0
    );
    let (mut ints, mut floats) = (INT_REGS.iter(), 0u8..FLOAT_REGS as u8);
    for (i, ty) in args.iter().enumerate() {
        let at = i32::try_from(i).ok()? * VALUE_SIZE;
        let kind = ty.kind();
        let rule = kind.rule();
        match rule.class {
            Class::Sse => {
                let xmm = floats.next()?;
                dynasm!(ops ; .arch x64 ; mov BYTE [rsp + at], float_tag);
                if rule.width == 4 {
                    dynasm!(ops
                        ; .arch x64
                        ; cvtss2sd xmm15, Rx(xmm)
                        ; movsd QWORD [rsp + at + FLOAT_AT], xmm15
                    );
                } else {
                    dynasm!(ops ; .arch x64 ; movsd QWORD [rsp + at + FLOAT_AT], Rx(xmm));
                }
            }
            Class::Integer if kind == Kind::Bool => {
                let reg = *ints.next()?;
                dynasm!(ops
                    ; .arch x64
                    ; mov BYTE [rsp + at], bool_tag
                    ; test Rb(reg), Rb(reg)
                    ; setnz BYTE [rsp + at + BOOL_AT]
                );
            }
            Class::Integer if kind == Kind::Ptr => {
                if !decodes_to_address(ty) {
                    return None;
                }
                let reg = *ints.next()?;
                let done = ops.new_dynamic_label();
                dynasm!(ops
                    ; .arch x64
                    ; mov BYTE [rsp + at], pointer_tag
                    ; mov QWORD [rsp + at + POINTER_AT], Rq(reg)
                    ; test Rq(reg), Rq(reg)
                    ; jnz =>done
                    ; mov BYTE [rsp + at], null_tag
                    ; =>done
                );
            }
            Class::Integer => {
                let reg = *ints.next()?;
                match (rule.width, rule.signed) {
                    (8, _) => dynasm!(ops ; .arch x64 ; mov rax, Rq(reg)),
                    (4, true) => dynasm!(ops ; .arch x64 ; movsxd rax, Rd(reg)),
                    (4, false) => dynasm!(ops ; .arch x64 ; mov eax, Rd(reg)),
                    (2, true) => dynasm!(ops ; .arch x64 ; movsx rax, Rw(reg)),
                    (2, false) => dynasm!(ops ; .arch x64 ; movzx eax, Rw(reg)),
                    (1, true) => dynasm!(ops ; .arch x64 ; movsx rax, Rb(reg)),
                    (1, false) => dynasm!(ops ; .arch x64 ; movzx eax, Rb(reg)),
                    _ => return None,
                }
                dynasm!(ops
                    ; .arch x64
                    ; mov BYTE [rsp + at], int_tag
                    ; mov QWORD [rsp + at + INT_AT], rax
                );
                // The high 64 bits of the i128: the sign, or zero.
                if rule.signed {
                    dynasm!(ops
                        ; .arch x64
                        ; sar rax, 63
                        ; mov QWORD [rsp + at + INT_AT + 8], rax
                    );
                } else {
                    dynasm!(ops ; .arch x64 ; mov QWORD [rsp + at + INT_AT + 8], 0);
                }
            }
            _ => return None,
        }
    }
    dynasm!(ops
        ; .arch x64
        ; mov rdi, QWORD state as i64
        ; mov rsi, rsp
        ; lea rdx, [rsp + result_at]
        ; mov rax, QWORD target as i64
        ; call rax
        ; mov rax, QWORD [rsp + result_at]
        ; movq xmm0, rax
        ; add rsp, frame
        ; ret
    );
    ops.finalize().ok()
}

/// What a decoder calls: the closure on the values it wrote.
///
/// # Safety
///
/// As for [`Dynamic::run_values`].
unsafe extern "C" fn run_values<D: Dynamic>(
    state: *const c_void,
    values: *const Value<'static>,
    result: *mut c_void,
) {
    // SAFETY: the decoder made for the callback at `state` passes its
    // state, one value per argument, each owning nothing, and its result
    // word.
    unsafe { D::run_values(state, values, result) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::CType;

    fn decodes(args: &[CType], ret: CType) -> bool {
        let signature = Signature::new(args.to_vec(), ret);
        decoder(&signature, std::ptr::null(), std::ptr::null()).is_some()
    }

    /// Numbers in registers are decoded by the entry; anything else is
    /// decoded in Rust, from the registers or through libffi.
    #[test]
    fn which_signatures_are_decoded_by_their_entry() {
        use CType::*;
        assert!(decodes(&[], Void));
        assert!(decodes(
            &[Byte, UShort, Int, LongLong, UByte, ULong],
            Double
        ));
        assert!(decodes(&vec![Double; 8], Float));
        assert!(!decodes(&vec![Int; 7], Int), "past the integer registers");
        assert!(!decodes(&vec![Double; 9], Int), "past the vector registers");
        assert!(decodes(&[Bool, VoidP, CType::const_pointer(Int)], VoidP));
        assert!(!decodes(&[CharP], Int), "a string is copied");
        assert!(!decodes(&[WCharP], Int));
        assert!(!decodes(&[CType::handle("FILE")], Int));
        assert!(!decodes(&[LongDouble], Int));
        assert!(!decodes(&[Int], LongDouble));
        let pair = crate::types::StructLayout::builder("P")
            .field("x", Int)
            .build()
            .unwrap();
        assert!(!decodes(&[Int], CType::Struct(pair)), "a struct result");
    }
}
