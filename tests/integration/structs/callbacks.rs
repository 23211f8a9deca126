//! Callbacks taking and returning structs and unions by value: dynamic
//! callbacks with `StructValue`s, typed ones with `c_struct!` types.

use rctypes::{CFunc, CType, Callback, Signature, StructValue, TypedCFunc, TypedCallback, Value};

use super::types::*;

fn bind(name: &str, args: &[&CType], ret: &CType) -> CFunc {
    // SAFETY: structs.c: each function bound here has the signature given and
    // calls the callback it is given (never NULL) during the call only, with
    // values of its declared types, keeping it no longer.
    unsafe { structs_fn(name, args, ret) }
}

/// `Vec3 apply_vec3_map(Vec3 (*f)(Vec3, double), Vec3 v, double k)`.
fn vec3_map() -> CFunc {
    let d = declared();
    let map_ty = CType::func_ptr([d.vec3.clone(), CType::Double], d.vec3.clone());
    bind(
        "apply_vec3_map",
        &[&map_ty, &d.vec3, &CType::Double],
        &d.vec3,
    )
}

#[test]
fn a_small_struct_both_ways_through_a_dynamic_callback() {
    let d = declared();
    let pair = &d.int_pair;
    let op = Signature::new([pair.clone(), pair.clone()], pair.clone());
    let apply = bind("apply_pair_op", &[&op.clone().into(), pair, pair], pair);
    let layout = d.int_pair.layout().unwrap().clone();
    let add = {
        let layout = layout.clone();
        Callback::new(op, move |args: &[Value]| {
            let (Value::Struct(x), Value::Struct(y)) = (&args[0], &args[1]) else {
                return Err("expected two structs".to_string());
            };
            let mut out = StructValue::new(&layout).unwrap();
            for f in ["a", "b"] {
                let sum =
                    x.get(f).unwrap().to::<i32>().unwrap() + y.get(f).unwrap().to::<i32>().unwrap();
                out.set(f, sum).unwrap();
            }
            Ok(Value::from(out))
        })
        .unwrap()
    };
    // Structs by value: libffi's closure decodes them, on every platform.
    assert!(!add.is_direct());
    let r = apply
        .call(&[
            (&add).into(),
            IntPair { a: 1, b: 2 }.into(),
            IntPair { a: 10, b: 20 }.into(),
        ])
        .unwrap();
    assert_eq!(r.to::<IntPair>().unwrap(), IntPair { a: 11, b: 22 });
}

#[test]
fn typed_callbacks_with_rust_structs() {
    use CType::{Double, Float, Int};
    let d = declared();
    // Register classes: {int,int} and {float,float}.
    let pair = &d.int_pair;
    let op_ty = CType::func_ptr([pair.clone(), pair.clone()], pair.clone());
    let apply = bind("apply_pair_op", &[&op_ty, pair, pair], pair);
    type PairOp = TypedCallback<(IntPair, IntPair), IntPair>;
    let apply: TypedCFunc<(&PairOp, IntPair, IntPair), IntPair> = apply.typed().unwrap();
    let swap_sub: PairOp = Callback::typed(|x: IntPair, y: IntPair| IntPair {
        a: y.b - x.a,
        b: y.a - x.b,
    })
    .unwrap();
    assert_eq!(
        apply
            .try_call((&swap_sub, IntPair { a: 1, b: 2 }, IntPair { a: 10, b: 20 }))
            .unwrap(),
        IntPair { a: 19, b: 8 }
    );

    let make_ty = CType::func_ptr([Float, Float], d.float_pair.clone());
    let apply = bind("apply_float_pair_make", &[&make_ty, &Float, &Float], &Float);
    let make = Callback::typed(|x: f32, y: f32| FloatPair { x: y, y: x }).unwrap();
    assert_eq!(
        apply
            .call(&[(&make).into(), 1.0.into(), 2.0.into()])
            .unwrap(),
        Value::Float(12.0)
    );

    // Memory: three doubles in, and out.
    let reduce_ty = CType::func_ptr([d.vec3.clone()], Double);
    let apply = bind("apply_vec3_reduce", &[&reduce_ty, &d.vec3], &Double);
    let norm2 = Callback::typed(|v: Vec3| v.x * v.x + v.y * v.y + v.z * v.z).unwrap();
    let v = vec3(1.0, 2.0, 2.0);
    let got = apply.call(&[(&norm2).into(), v.into()]).unwrap();
    assert_eq!(got, Value::Float(9.0));
    let apply = vec3_map();
    let scale = Callback::typed(|v: Vec3, k: f64| Vec3 {
        x: v.x * k,
        y: v.y * k,
        z: v.z * k,
    })
    .unwrap();
    let v = vec3(1.0, -1.0, 0.5);
    let r = apply
        .call(&[(&scale).into(), v.into(), 4.0.into()])
        .unwrap();
    assert_eq!(r.to::<Vec3>().unwrap(), vec3(4.0, -4.0, 2.0));
    // Those capture nothing, so C called them directly; a capturing closure
    // goes through a libffi closure, with the same result.
    assert!(norm2.is_direct() && scale.is_direct());
    let unit = 1.0;
    let scale_captured = Callback::typed(move |v: Vec3, k: f64| Vec3 {
        x: v.x * k * unit,
        y: v.y * k * unit,
        z: v.z * k * unit,
    })
    .unwrap();
    assert!(!scale_captured.is_direct());
    let args = [(&scale_captured).into(), v.into(), 4.0.into()];
    let r2 = apply.call(&args).unwrap();
    assert_eq!(r2.to::<Vec3>().unwrap(), r.to::<Vec3>().unwrap());

    // A large struct with arrays, changed by the callback.
    let big_ty = CType::func_ptr([d.big.clone()], d.big.clone());
    let apply = bind("apply_big_map", &[&big_ty, &Int], &Double);
    let double_values = Callback::typed(|mut b: Big| {
        b.values.iter_mut().for_each(|v| *v *= 2.0);
        b
    })
    .unwrap();
    // make_big(5, 1.0, "abc"): 5 + 2 * (1 + ... + 8) + 'a' + 'b' + 'c'.
    let expected = 5.0 + 2.0 * 36.0 + (b'a' as f64 + b'b' as f64 + b'c' as f64);
    assert_eq!(
        apply.call(&[(&double_values).into(), 5.into()]).unwrap(),
        Value::Float(expected)
    );

    // A union inside a struct.
    let tagged_ty = CType::func_ptr([d.tagged.clone()], Double);
    let apply = bind("apply_tagged", &[&tagged_ty, &Int, &Double], &Double);
    // SAFETY (in the closure): the tag says which member C wrote.
    let read = Callback::typed(|t: Tagged| {
        if t.kind == 0 {
            unsafe { t.u.i as f64 }
        } else {
            unsafe { t.u.d }
        }
    })
    .unwrap();
    assert_eq!(
        apply.call(&[(&read).into(), 0.into(), 7.0.into()]).unwrap(),
        Value::Float(7.0)
    );
    assert_eq!(
        apply.call(&[(&read).into(), 1.into(), 2.5.into()]).unwrap(),
        Value::Float(2.5)
    );
}

#[test]
fn a_failing_struct_callback_gives_c_a_zeroed_struct() {
    let d = declared();
    let map_sig = Signature::new([d.vec3.clone(), CType::Double], d.vec3.clone());
    let apply = vec3_map();
    let ones = vec3(1.0, 1.0, 1.0);
    let wrong = Callback::new(map_sig.clone(), |_: &[Value]| Value::Int(3)).unwrap();
    let err = apply.call(&[(&wrong).into(), ones.into(), 2.0.into()]);
    let err = err.unwrap_err().to_string();
    assert!(
        err.contains("returned int 3, expected struct Vec3"),
        "{err}"
    );
    let panics = Callback::typed(|_: Vec3, _: f64| -> Vec3 { panic!("no vector today") }).unwrap();
    let err = apply.call(&[(&panics).into(), ones.into(), 2.0.into()]);
    let err = err.unwrap_err().to_string();
    assert!(err.contains("no vector today"), "{err}");
    let e = Callback::new(map_sig, |_: &[Value]| Value::Void)
        .unwrap()
        .with_error_value(Value::Int(0))
        .unwrap_err();
    assert!(e.to_string().contains("zeroed struct"), "{e}");
    // What libffi cannot describe is refused when the callback is made.
    let err = Callback::new(
        Signature::new([d.flags.clone()], CType::Int),
        |_: &[Value]| Value::Int(0),
    )
    .unwrap_err();
    assert!(err.to_string().contains("bitfields"), "{err}");
}

/// Set in the child that
/// `a_panicking_callback_under_a_spill_call_can_take_a_backtrace` starts,
/// so that the child does not start another.
const BACKTRACE_CHILD: &str = "RCTYPES_TEST_BACKTRACE_CHILD";

/// A panic in a callback called from C during a call with stack arguments
/// (`apply_vec3_map` takes its `Vec3` on the stack) runs the panic hook,
/// which, with `RUST_BACKTRACE=1`, walks the stack from the callback up
/// through C and the call sequence: its unwind information must be true
/// there (it was not while the sequence moved the stack pointer, and the
/// walk crashed). The hook is process-wide, so the test above runs again,
/// alone, in a child process with backtraces on; the child must pass, not
/// die of a signal, and must have printed the backtrace it took.
#[test]
fn a_panicking_callback_under_a_spill_call_can_take_a_backtrace() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    if std::env::var_os(BACKTRACE_CHILD).is_some() {
        return;
    }
    let name = "structs::callbacks::a_failing_struct_callback_gives_c_a_zeroed_struct";
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = rctypes_csrc::target_command(std::env::current_exe().unwrap())
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(BACKTRACE_CHILD, "1")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    // One test's worth of work: a minute is ample, and a hang fails.
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the child running {name} did not finish in a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = std::fs::read_to_string(out).unwrap();
    let err = std::fs::read_to_string(err).unwrap();
    assert!(
        status.success(),
        "{name} with RUST_BACKTRACE=1: {status}\n{out}\n{err}"
    );
    // It ran (a renamed test would match nothing), its callback panicked
    // and the hook printed a backtrace; its own assertions saw the panic
    // come back as an error.
    assert!(out.contains("1 passed"), "{out}");
    assert!(err.contains("no vector today"), "{err}");
    assert!(err.contains("stack backtrace"), "{err}");
}
