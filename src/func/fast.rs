//! The fast path of dynamic calls: signatures whose arguments are all
//! integers, floating-point numbers or pointers that fit the argument
//! registers, with a scalar, pointer or `void` result.
//!
//! When such a function is bound, its signature becomes a [`Program`]: per
//! argument, its machine class and the register it travels in. A call then
//! runs an entry specialised for its numbers of integer and floating-point
//! arguments: each argument is checked with a few compares and converted
//! straight into its register image, and one call through a register shim
//! follows. There is no staging, no libffi, no per-argument look at the
//! declared [`CType`] (except for lent memory, whose checks need it).
//!
//! A value the program does not convert itself (a `&str` to copy for a
//! `char*`, a `bool` or a callback, an integer given for a `double`, or one
//! that does not fit, whose error the general path words) sends the whole
//! call to the general path, which takes it from the start: nothing has
//! reached C yet.

use std::ffi::c_void;

use crate::callback::CallScope;
use crate::ctype::{CType, Kind};
use crate::error::Result;
use crate::registers::{FLOAT_REGS, Plan, Shape, call_floats, call_ints};
use crate::value::{Keep, Value, decode_word, is_word_result};

use super::CFunc;

/// A call's entry: the fast path specialised for one count of integer and
/// of floating-point arguments, or the general path.
pub(super) type Entry = for<'a> fn(&CFunc, &[Value<'a>]) -> Result<Value<'static>>;

/// Integer plus floating-point argument registers.
const MAX_ARGS: usize = 6 + FLOAT_REGS;

/// The class a program gives an ndpointer argument: one no value converts
/// to by itself, so that every value goes through the ndpointer's checks.
const CHECKED: Kind = Kind::Void;

/// A signature as the fast path runs it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Program {
    /// Per argument, its class and its register: 0–5 the integer ones,
    /// 6–13 the floating-point ones.
    args: [(Kind, u8); MAX_ARGS],
    ret: Kind,
    entry: Entry,
}

impl Program {
    /// The program for a signature the fast path takes: every argument an
    /// integer, `_Bool`, `float`, `double` or pointer (ndpointers included),
    /// all in registers, and a result of those classes (not a string, which
    /// is copied out) or `void`.
    pub(super) fn for_signature(args: &[CType], ret: &CType, plan: &Plan) -> Option<Program> {
        if plan.has_structs() || plan.shape() == Shape::Spill {
            return None;
        }
        let mut program = Program {
            args: [(Kind::Void, 0); MAX_ARGS],
            ret: ret.kind(),
            entry: CFunc::call_general,
        };
        let (mut ints, mut floats) = (0u8, 0u8);
        for (i, ty) in args.iter().enumerate() {
            let kind = ty.kind();
            let reg = match kind {
                Kind::F32 | Kind::F64 => {
                    floats += 1;
                    5 + floats
                }
                Kind::Void | Kind::LongDouble | Kind::Aggregate => return None,
                _ => {
                    ints += 1;
                    ints - 1
                }
            };
            let kind = match ty {
                CType::NdPointer(_) => CHECKED,
                _ => kind,
            };
            *program.args.get_mut(i)? = (kind, reg);
        }
        if !is_word_result(ret, program.ret) {
            return None;
        }
        program.entry = entry(ints.into(), floats.into())?;
        Some(program)
    }

    /// The specialised entry a call takes.
    pub(super) fn entry(&self) -> Entry {
        self.entry
    }
}

/// The entry for `ints` integer and `floats` floating-point arguments.
fn entry(ints: usize, floats: usize) -> Option<Entry> {
    macro_rules! row {
        ($ints:literal) => {
            [
                call::<$ints, 0> as Entry,
                call::<$ints, 1>,
                call::<$ints, 2>,
                call::<$ints, 3>,
                call::<$ints, 4>,
                call::<$ints, 5>,
                call::<$ints, 6>,
                call::<$ints, 7>,
                call::<$ints, 8>,
            ]
        };
    }
    const ENTRIES: [[Entry; FLOAT_REGS + 1]; 7] = [
        row!(0),
        row!(1),
        row!(2),
        row!(3),
        row!(4),
        row!(5),
        row!(6),
    ];
    ENTRIES.get(ints)?.get(floats).copied()
}

/// The fast path for `I` integer or pointer and `F` floating-point
/// arguments: each register image is written once, and the registers the
/// function has no parameter for are passed as zero, known at compile time.
fn call<const I: usize, const F: usize>(f: &CFunc, args: &[Value<'_>]) -> Result<Value<'static>> {
    let Some(program) = &f.program else {
        return f.call_general(args);
    };
    if args.len() != I + F {
        return f.call_general(args);
    }
    let mut ints = [0u64; I];
    let mut floats = [0u64; F];
    for (i, (value, &(kind, reg))) in args.iter().zip(&program.args).enumerate() {
        let Some(word) = word(kind, value).or_else(|| lent(f, i, kind, value, args)) else {
            return f.call_general(args);
        };
        let reg = reg as usize;
        let slot = if reg < 6 {
            ints.get_mut(reg)
        } else {
            floats.get_mut(reg - 6)
        };
        match slot {
            Some(slot) => *slot = word,
            None => return f.call_general(args),
        }
    }
    let int = |k: usize| if k < I { ints[k] } else { 0 };
    let float = |k: usize| {
        if k < F {
            f64::from_bits(floats[k])
        } else {
            0.0
        }
    };
    let float_ret = matches!(program.ret, Kind::F32 | Kind::F64);
    let code: *const c_void = f.code.as_ptr();
    let scope = CallScope::enter();
    // The binding promised `code` is a non-variadic function of the declared
    // signature, which the program was made from: `I` integer or pointer and
    // `F` floating-point arguments, each converted to its declared type and
    // placed in the register its class and position give it, and a result
    // floating exactly when `float_ret`. Pointers are null, addresses C
    // handed out (`RawPtr`), or memory `args` lends, checked, for the call.
    // SAFETY: as promised and checked above.
    let word = unsafe {
        let ints = std::array::from_fn(int);
        if F == 0 {
            call_ints(code, float_ret, &ints)
        } else {
            call_floats(code, float_ret, &ints, &std::array::from_fn(float))
        }
    };
    if let Some(message) = scope.exit() {
        return Err(f.callback_error(message));
    }
    // Every result a program has is all in its register image.
    Ok(decode_word(word, program.ret))
}

/// `value` as the register image of an argument of class `kind`, if the
/// fast path converts it: an integer in range, a `float` or `double`, null
/// or a C address. The value's variant is looked at first, then its range.
#[inline(always)]
fn word(kind: Kind, value: &Value<'_>) -> Option<u64> {
    if let Value::Int(i) = value {
        let (lo, hi) = kind.int_range()?;
        // In range, the low 64 bits are the value sign- or zero-extended.
        return (lo..=hi).contains(i).then_some(*i as u64);
    }
    if let Value::Float(x) = value {
        return match kind {
            Kind::F64 => Some(x.to_bits()),
            Kind::F32 if !x.is_finite() || x.abs() <= f32::MAX.into() => {
                Some((*x as f32).to_bits().into())
            }
            _ => None,
        };
    }
    match (kind, value) {
        (Kind::Ptr, Value::Null) => Some(0),
        (Kind::Ptr, Value::Pointer(p)) => Some(p.addr() as u64),
        _ => None,
    }
}

/// The address a pointer argument passes for a value that lends Rust memory
/// (an array, a C string, a struct behind a `const` pointer), after the
/// checks its declared type makes: for an ndpointer, every one of them.
/// `None` sends the call to the general path, which words the refusal, or
/// copies a `&str` into a C string for the call, or watches a callback.
#[inline(never)]
fn lent(f: &CFunc, i: usize, kind: Kind, value: &Value<'_>, args: &[Value<'_>]) -> Option<u64> {
    let pointer = kind == Kind::Ptr || kind == CHECKED;
    if !pointer || matches!(value, Value::Str(_) | Value::Callback(_)) {
        return None;
    }
    let ty = f.args.get(i)?;
    let mut keep = Keep::default();
    let word = f
        .encode_arg(i, value, ty, Kind::Ptr, args, &mut keep)
        .ok()?;
    // Nothing to keep alive for the call: only a `&str` is copied.
    keep.is_empty().then_some(word)
}
