//! The fast path of dynamic calls: signatures whose arguments are all
//! integers, floating-point numbers, pointers, strings or small structs
//! that fit the argument registers, or numbers, pointers and strings that
//! spill up to eight to the stack, with a scalar, pointer or `void` result.
//!
//! When such a function is bound, its signature becomes a [`Program`]: per
//! argument register, the argument it takes, that argument's class and the
//! integers it accepts. A call then runs an entry specialised for its
//! numbers of integer and floating-point registers (or, for a signature
//! that spills, one entry that pushes each argument to its register or the
//! next stack slot): each argument is checked with a few compares and
//! converted straight into its register image, and one call through a
//! register shim follows. There is no staging, no libffi, no per-argument
//! look at the declared [`CType`] (except for lent memory and structs,
//! whose checks need it). A `&str` for a `const char*` is copied, with its
//! NUL, into a room on the entry's stack while it fits.
//!
//! A value the program does not convert itself (a `bool` or a callback, an
//! integer given for a `double`, or one that does not fit, whose error the
//! general path words) sends the whole call to the general path, which
//! takes it from the start: nothing has reached C yet.
//!
//! Where every argument is a number in a register, the program is also
//! compiled to machine code (the target's back end's `compile`), which
//! [`CFunc::call`] and [`CFunc::invoke`] call in place of the program's
//! entry; a value that code does not take goes to the general path, as
//! from the program.
//!
//! That one step to the general path stays, by design: the program and the
//! code take only values whose register image the rule book
//! (`types::rules`) gives as they stand; values it converts otherwise (a
//! `bool` for an integer, an exact integer for a `double`, a callback to
//! watch) and the wording of every refusal (which names the first argument
//! in prototype order, where the fast lanes check in register order) are
//! the general path's alone, so that they are written once. Nothing has
//! reached C when it runs, so its answer is the call's.

use std::ffi::c_void;

use crate::error::Result;
use crate::failure::CallScope;
use crate::func::abi::{self, Compiled, SysV};
use crate::func::registers::{FLOAT_REGS, Plan, Registers, STACK_SLOTS, Shape};
use crate::types::{CType, Kind, is_read_only_string};
use crate::value::{Keep, Room, Value, decode_word, encode_aggregate, is_word_result};

use super::CFunc;

/// What a call of compiled code gives back: the registers C left its
/// result in, or a refusal.
pub(in crate::func) struct Outcome {
    /// `rax`: an integer, `_Bool` or pointer result.
    pub(in crate::func) word: u64,
    /// `xmm0`'s low 64 bits: a `float` (in the low 32) or `double` result.
    pub(in crate::func) float_word: u64,
    /// Whether the code refused a value, and so never called C.
    pub(in crate::func) refused: bool,
}

impl Outcome {
    /// The register a result of class `ret` came back in.
    #[inline(always)]
    pub(in crate::func) fn result_word(&self, ret: Kind) -> u64 {
        match ret {
            Kind::F32 | Kind::F64 => self.float_word,
            _ => self.word,
        }
    }
}

/// A call's entry: the fast path specialised for one count of integer and
/// of floating-point arguments, or the general path.
pub(super) type Entry = for<'a> fn(&CFunc, &[Value<'a>]) -> Result<Value<'static>>;

/// Integer plus floating-point argument registers, plus the stack slots
/// of a signature that spills.
const MAX_ARGS: usize = 6 + FLOAT_REGS + STACK_SLOTS;

/// The class a program gives an ndpointer argument: one no value converts
/// to by itself, so that every value goes through the ndpointer's checks.
const CHECKED: Kind = Kind::Void;

/// A signature as the fast path runs it.
#[derive(Clone, Debug)]
pub(in crate::func) struct Program {
    /// The arguments in register order: the integer registers', then the
    /// floating-point ones'. Each register's value is then computed where
    /// it is needed, with no scattered writes to read back. For a
    /// signature that spills to the stack, in prototype order instead.
    pub(in crate::func) args: [Arg; MAX_ARGS],
    /// How many arguments the signature has, and how many of the registers
    /// above are integer and floating-point ones.
    pub(in crate::func) arity: u8,
    pub(in crate::func) ints: u8,
    pub(in crate::func) floats: u8,
    pub(in crate::func) ret: Kind,
    /// The entry specialised for the numbers of registers, which runs the
    /// program.
    interpreted: Entry,
    /// The same checks compiled to machine code, where the signature has
    /// only numbers for arguments and the system maps executable memory.
    pub(in crate::func) compiled: Option<Compiled>,
    /// The shims of the plan the program was made from.
    sysv: SysV,
    /// Whether arguments spill to the stack: then `args` is in prototype
    /// order, and `ints` and `floats` are not counted.
    #[cfg_attr(
        not(all(feature = "codegen", rctypes_x86_64_sysv)),
        allow(dead_code, reason = "read by the code generator")
    )]
    pub(in crate::func) spills: bool,
}

/// The argument one register takes, as the fast path converts it.
#[derive(Clone, Copy, Debug)]
pub(in crate::func) struct Arg {
    /// The integers the parameter takes, `lo..=hi` (empty, `lo > hi`, for
    /// a floating-point or pointer parameter): one range check per
    /// argument, with no look at its class.
    pub(in crate::func) lo: i64,
    pub(in crate::func) hi: u64,
    pub(in crate::func) kind: Kind,
    /// Its position among the arguments.
    pub(in crate::func) index: u8,
    /// For a struct by value, which of its eightbytes this register takes,
    /// and that eightbyte's length.
    pub(in crate::func) eightbyte: u8,
    pub(in crate::func) len: u8,
    /// A string C reads up to its NUL (`const char*` as declared, with no
    /// other contract): a `&str` or `&CStr` goes with no further check.
    c_string: bool,
}

impl Arg {
    const NONE: Arg = Arg {
        lo: 1,
        hi: 0,
        kind: Kind::Void,
        index: 0,
        eightbyte: 0,
        len: 0,
        c_string: false,
    };

    fn new(kind: Kind, index: u8) -> Arg {
        let (lo, hi) = kind
            .int_range()
            .and_then(|(lo, hi)| Some((i64::try_from(lo).ok()?, u64::try_from(hi).ok()?)))
            .unwrap_or((1, 0));
        Arg {
            lo,
            hi,
            kind,
            index,
            ..Arg::NONE
        }
    }
}

impl Arg {
    /// The argument `index`, of declared type `ty`: a number, `_Bool`,
    /// pointer, string or ndpointer (not a struct, `long double` or `void`).
    fn for_scalar(ty: &CType, index: u8) -> Option<Arg> {
        Some(match (ty, ty.kind()) {
            (_, Kind::Void | Kind::LongDouble | Kind::Aggregate) => return None,
            (CType::NdPointer(_), _) => Arg::new(CHECKED, index),
            (_, Kind::Ptr) if is_read_only_string(ty) => Arg {
                c_string: true,
                ..Arg::new(Kind::Ptr, index)
            },
            (_, kind) => Arg::new(kind, index),
        })
    }
}

impl Program {
    /// The program for a signature the fast path takes: every argument an
    /// integer, `_Bool`, `float`, `double`, pointer (ndpointers included)
    /// or struct of up to 16 bytes, all in registers, and a scalar or
    /// pointer result (not a string, which is copied out) or `void`.
    pub(super) fn for_signature(args: &[CType], ret: &CType, plan: &Plan) -> Option<Program> {
        if !is_word_result(ret, ret.kind()) {
            return None;
        }
        if plan.shape() == Shape::Spill {
            return Program::spilling(args, ret, plan);
        }
        let mut program = Program::new(args, ret, plan, CFunc::call_general)?;
        let (mut ints, mut floats) = (Vec::new(), Vec::new());
        for (i, ty) in args.iter().enumerate() {
            let index = u8::try_from(i).ok()?;
            match (ty, ty.kind()) {
                (_, Kind::Aggregate) => {
                    for (k, (len, sse)) in plan.struct_words(i)?.eightbytes().enumerate() {
                        let arg = Arg {
                            eightbyte: u8::try_from(k).ok()?,
                            len: u8::try_from(len).ok()?,
                            ..Arg::new(Kind::Aggregate, index)
                        };
                        if sse {
                            floats.push(arg)
                        } else {
                            ints.push(arg)
                        }
                    }
                }
                (_, kind) if kind.is_sse() => floats.push(Arg::for_scalar(ty, index)?),
                _ => ints.push(Arg::for_scalar(ty, index)?),
            }
        }
        if ints.len() > 6 || floats.len() > FLOAT_REGS {
            return None;
        }
        for (slot, arg) in program.args.iter_mut().zip(ints.iter().chain(&floats)) {
            *slot = *arg;
        }
        program.interpreted = entry(ints.len(), floats.len())?;
        (program.ints, program.floats) = (ints.len() as u8, floats.len() as u8);
        program.compiled = abi::compile(&program);
        Some(program)
    }

    /// A program with no arguments placed yet, which `interpreted` runs.
    fn new(args: &[CType], ret: &CType, plan: &Plan, interpreted: Entry) -> Option<Program> {
        Some(Program {
            args: [Arg::NONE; MAX_ARGS],
            arity: u8::try_from(args.len()).ok()?,
            ints: 0,
            floats: 0,
            ret: ret.kind(),
            interpreted,
            compiled: None,
            sysv: plan.sysv,
            spills: false,
        })
    }

    /// The program for a signature with arguments on the stack: numbers,
    /// pointers and strings (no structs), in prototype order, each pushed
    /// to its register or the next stack slot; a scalar or pointer result.
    /// Where every argument is a number, it is compiled too.
    fn spilling(args: &[CType], ret: &CType, plan: &Plan) -> Option<Program> {
        if args.len() > MAX_ARGS {
            return None;
        }
        let mut program = Program {
            spills: true,
            ..Program::new(args, ret, plan, call_spilling)?
        };
        for (i, (slot, ty)) in program.args.iter_mut().zip(args).enumerate() {
            *slot = Arg::for_scalar(ty, u8::try_from(i).ok()?)?;
        }
        program.compiled = abi::compile(&program);
        Some(program)
    }

    /// The entry specialised for the program's numbers of registers, which
    /// calls take where there is no compiled code.
    pub(super) fn entry(&self) -> Entry {
        self.interpreted
    }

    /// The compiled code a call with `args` runs: where there is some and
    /// there are as many values as arguments (a call with the wrong count
    /// goes to the entry, whose error reports it).
    #[inline(always)]
    pub(super) fn compiled_for(&self, args: &[Value<'_>]) -> Option<&Compiled> {
        let compiled = self.compiled.as_ref()?;
        (args.len() == usize::from(self.arity)).then_some(compiled)
    }

    /// Whether calls run compiled code.
    pub(super) fn is_compiled(&self) -> bool {
        self.compiled.is_some()
    }

    /// Calls run the program from now on, not compiled code.
    pub(super) fn interpret(&mut self) {
        self.compiled = None;
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

/// The fast path through compiled code, inlined into the caller: the
/// values are checked and the function called by code made for the
/// signature, with no call between. A value the code does not take sends
/// the call to the general path, which takes it from the start.
///
/// # Safety
///
/// As [`call_compiled_word`].
#[inline(always)]
pub(super) unsafe fn call_compiled(
    f: &CFunc,
    program: &Program,
    compiled: &Compiled,
    args: &[Value<'_>],
) -> Result<Value<'static>> {
    // SAFETY: the caller's promise, passed on.
    match unsafe { call_compiled_word(f, compiled, program.ret, args) }? {
        Some(word) => Ok(decode_word(word, program.ret)),
        None => refused(f, args),
    }
}

/// The compiled code's call, its result left in the register word it came
/// back in (decoded with [`decode_word`] and the program's result class),
/// or `None` where the code refused a value before calling: then nothing
/// has reached C, and the general path takes the call from the start.
///
/// # Safety
///
/// `compiled` must be what [`Program::compiled_for`] gave for `args`: the
/// code of `f`'s own program, with as many values as it has arguments;
/// `ret` is that program's result class.
#[inline(always)]
pub(super) unsafe fn call_compiled_word(
    f: &CFunc,
    compiled: &Compiled,
    ret: Kind,
    args: &[Value<'_>],
) -> Result<Option<u64>> {
    let scope = CallScope::enter();
    // SAFETY: as the caller promised, the code was compiled from this
    // function's program and there are as many values as arguments; it is
    // given the function's own address.
    let outcome = unsafe { compiled.call(args, f.code.as_ptr()) };
    if outcome.refused {
        // No callback can have run: nothing was called.
        drop(scope.exit());
        return Ok(None);
    }
    if let Some(message) = scope.exit() {
        return Err(f.callback_error(message));
    }
    Ok(Some(outcome.result_word(ret)))
}

/// A call whose values the compiled code refused before calling. The
/// general path takes it, not the program: for the signatures that have
/// code, the program takes exactly the values the code takes, and would
/// refuse it again.
#[cold]
#[inline(never)]
pub(super) fn refused(f: &CFunc, args: &[Value<'_>]) -> Result<Value<'static>> {
    f.call_general(args)
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
    let (ints, floats) = (&program.args[..I], &program.args[I..I + F]);
    // Copies of `&str` arguments, alive until the call is over.
    let mut room = Room::new();
    let mut keep = Keep::in_room(&mut room);
    let mut int_words = [0u64; I];
    for (word, arg) in int_words.iter_mut().zip(ints) {
        let Some(w) = convert(f, arg, args, &mut keep) else {
            return f.call_general(args);
        };
        *word = w;
    }
    let mut float_words = [0u64; F];
    for (word, arg) in float_words.iter_mut().zip(floats) {
        let Some(w) = convert(f, arg, args, &mut keep) else {
            return f.call_general(args);
        };
        *word = w;
    }
    let int = |k: usize| if k < I { int_words[k] } else { 0 };
    let float = |k: usize| {
        if k < F {
            f64::from_bits(float_words[k])
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
            program.sysv.call_ints(code, &ints)
        } else {
            program
                .sysv
                .call_floats(code, &ints, &std::array::from_fn(float))
        }
    }
    .word(float_ret);
    drop(keep);
    if let Some(message) = scope.exit() {
        return Err(f.callback_error(message));
    }
    // Every result a program has is all in its register image.
    Ok(decode_word(word, program.ret))
}

/// The fast path for a signature with arguments on the stack: each value
/// converted as by [`call`], in prototype order, to the next register of
/// its class or the next stack slot.
fn call_spilling(f: &CFunc, args: &[Value<'_>]) -> Result<Value<'static>> {
    let Some(program) = &f.program else {
        return f.call_general(args);
    };
    if args.len() != usize::from(program.arity) {
        return f.call_general(args);
    }
    let mut room = Room::new();
    let mut keep = Keep::in_room(&mut room);
    let mut regs = Registers::<FLOAT_REGS, STACK_SLOTS>::new();
    for arg in &program.args[..args.len()] {
        let Some(w) = convert(f, arg, args, &mut keep) else {
            return f.call_general(args);
        };
        regs.push(w, arg.kind);
    }
    let float_ret = matches!(program.ret, Kind::F32 | Kind::F64);
    let scope = CallScope::enter();
    // The binding promised `code` is a non-variadic function of the declared
    // signature, which the plan (of shape `Spill`) and the program were
    // made from; each argument was converted to its declared type and
    // pushed in prototype order, as the plan places them. Pointers are
    // null, addresses C handed out, or memory `args` or `keep` lends for
    // the call.
    // SAFETY: as promised and checked above.
    let word = unsafe { program.sysv.call(f.code.as_ptr(), &regs) }.word(float_ret);
    drop(keep);
    if let Some(message) = scope.exit() {
        return Err(f.callback_error(message));
    }
    Ok(decode_word(word, program.ret))
}

/// The register image of argument `arg`, if the fast path converts its
/// value.
#[inline(always)]
fn convert(f: &CFunc, arg: &Arg, args: &[Value<'_>], keep: &mut Keep) -> Option<u64> {
    let i = usize::from(arg.index);
    let value = args.get(i)?;
    word(arg, value).or_else(|| memory_word(f, arg, value, args, keep))
}

/// `value` as the register image of argument `arg`, if it is an integer in
/// range or a `float` or `double`: two variants looked for with two
/// compares (pointers and structs are converted out of line, by
/// [`memory_word`]).
#[inline(always)]
fn word(arg: &Arg, value: &Value<'_>) -> Option<u64> {
    if let Value::Int(i) = value {
        // In range, the low 64 bits are the value sign- or zero-extended.
        return (i128::from(arg.lo) <= *i && *i <= i128::from(arg.hi)).then_some(*i as u64);
    }
    if let Value::Float(x) = value {
        return match arg.kind {
            Kind::F64 => Some(x.to_bits()),
            Kind::F32 if !x.is_finite() || x.abs() <= f32::MAX.into() => {
                Some((*x as f32).to_bits().into())
            }
            _ => None,
        };
    }
    None
}

/// The register image of an argument that lives in memory: a pointer
/// (null, an address C handed out, or Rust memory lent for the call: an
/// array, a C string, a struct behind a `const` pointer, after the checks
/// its declared type makes, for an ndpointer every one of them), or an
/// eightbyte of a struct passed by value; a `&str` is copied into a C
/// string `keep` holds for the call. `None` sends the call to the general
/// path, which words the refusal, or watches a callback.
#[inline(never)]
fn memory_word(
    f: &CFunc,
    arg: &Arg,
    value: &Value<'_>,
    args: &[Value<'_>],
    keep: &mut Keep,
) -> Option<u64> {
    let i = usize::from(arg.index);
    match (arg.kind, value) {
        (_, Value::Str(s)) if arg.c_string => return Some(keep.c_string(s).ok()? as u64),
        (_, Value::CStr(s)) if arg.c_string => return Some(s.as_ptr() as u64),
        (Kind::Aggregate, _) => return struct_word(arg, value, f.args.get(i)?),
        (Kind::Ptr | CHECKED, Value::Callback(_)) => return None,
        (Kind::Ptr | CHECKED, _) => {}
        _ => return None,
    }
    let ty = f.args.get(i)?;
    f.encode_arg(i, value, ty, Kind::Ptr, args, keep).ok()
}

/// Eightbyte `arg.eightbyte` of a struct passed by value, once the value is
/// checked to hold the declared layout `ty`.
fn struct_word(arg: &Arg, value: &Value<'_>, ty: &CType) -> Option<u64> {
    let bytes = encode_aggregate(value, ty).ok()? as *const u8;
    let mut word = [0u8; 8];
    let offset = 8 * usize::from(arg.eightbyte);
    // The program took the eightbyte's offset and length from the layout,
    // and `value` holds a struct of that layout, borrowed for the call.
    // SAFETY: the eightbyte's bytes lie within the struct's.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.add(offset), word.as_mut_ptr(), usize::from(arg.len))
    };
    Some(u64::from_ne_bytes(word))
}
