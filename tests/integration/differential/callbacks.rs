//! Callbacks the other way round: random callback signatures, each compiled
//! into a C driver `unsigned long long drive_k(R (*cb)(T0, ...), T0 a0, ...)`
//! that calls `cb` with its arguments and returns a checksum of what it
//! passed and what `cb` returned. The Rust callback checks it received what C
//! was given and returns a value derived from the checksum of what it
//! received; the test checks the driver's checksum. A wrong argument fails in
//! the callback (the outer call returns its error), a wrong result in the
//! checksum.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rctypes::{CBuild, CFunc, CType, Callback, Library, LongDouble, Value};

use super::signatures::{self, Arg, Rng, SCALAR_TYPES, Ty, mix, pick};
use super::{CALLS, batches, budget, replay};

/// A generated callback signature and its driver.
#[derive(Clone, Debug)]
pub struct CallbackSig {
    index: usize,
    pub args: Vec<Ty>,
    pub ret: Ty,
}

const SEED_HASH: u64 = 1_469_598_103_934_665_603;

impl CallbackSig {
    pub fn of(index: usize, args: Vec<Ty>, ret: Ty) -> CallbackSig {
        CallbackSig { index, args, ret }
    }

    /// Up to ten scalar arguments, any scalar result or `void`.
    pub fn random(rng: &mut Rng, index: usize) -> CallbackSig {
        let n = rng.below(11) as usize;
        let args = (0..n).map(|_| pick(rng, SCALAR_TYPES)).collect();
        let ret = pick(rng, &[SCALAR_TYPES, &[Ty::Void]].concat());
        CallbackSig { index, args, ret }
    }

    pub fn name(&self) -> String {
        format!("drive_{}", self.index)
    }

    /// The callback's signature.
    pub fn signature(&self) -> rctypes::Signature {
        rctypes::Signature::new(
            self.args.iter().map(|t| t.ctype()).collect::<Vec<_>>(),
            self.ret.ctype(),
        )
    }

    /// The driver's argument types: the callback, then its arguments.
    pub fn driver_args(&self) -> Vec<CType> {
        std::iter::once(self.signature().into())
            .chain(self.args.iter().map(|t| t.ctype()))
            .collect()
    }

    pub fn describe(&self) -> String {
        let args: Vec<&str> = self.args.iter().map(|t| t.c()).collect();
        format!(
            "{} (*)({}) [{}]",
            self.ret.c(),
            args.join(", "),
            self.name()
        )
    }

    /// The driver: checksum the arguments, pass them to the callback, mix in
    /// what it returned.
    pub fn c_source(&self) -> String {
        let k = self.index;
        let types: Vec<&str> = self.args.iter().map(|t| t.c()).collect();
        let cb_params = if types.is_empty() {
            "void".to_string()
        } else {
            types.join(", ")
        };
        let params: String = types
            .iter()
            .enumerate()
            .map(|(i, t)| format!(", {t} a{i}"))
            .collect();
        let passed: Vec<String> = (0..types.len()).map(|i| format!("a{i}")).collect();
        let mut body = format!("    unsigned long long h = {SEED_HASH}ULL;\n");
        for (i, t) in self.args.iter().enumerate() {
            body += &format!("    h = mix(h, {});\n", t.c_bits(&format!("a{i}")));
        }
        let call = format!("cb({})", passed.join(", "));
        body += &match self.ret {
            Ty::Void => format!("    {call};\n"),
            t => format!("    {} r = {call};\n", t.c()),
        };
        body += &format!("    return mix(h, {});\n", self.ret.c_bits("r"));
        format!(
            "typedef {ret} (*cb_{k}_t)({cb_params});\n\
             unsigned long long drive_{k}(cb_{k}_t cb{params})\n{{\n{body}}}\n",
            ret = self.ret.c()
        )
    }

    pub fn random_args(&self, rng: &mut Rng) -> Vec<Arg> {
        self.args.iter().map(|t| t.random(rng)).collect()
    }

    /// The checksum of the arguments alone: what the callback derives its
    /// result from.
    pub fn arg_checksum(&self, args: &[Arg]) -> u64 {
        self.args
            .iter()
            .zip(args)
            .fold(SEED_HASH, |h, (t, a)| mix(h, t.bits(a)))
    }

    /// What the driver returns when the callback got `args` and returned
    /// `ret.ret_value(arg_checksum(args))`.
    pub fn expected(&self, args: &[Arg]) -> u64 {
        let h = self.arg_checksum(args);
        mix(h, self.ret.ret_bits(h))
    }
}

/// What the Rust side of a callback checks against: the arguments C was
/// given for the call under way, and how often the callback ran.
#[derive(Default)]
pub struct Expect {
    pub args: Mutex<Vec<Arg>>,
    pub calls: AtomicUsize,
}

/// A dynamic callback of `sig` that checks its arguments against `expect`
/// and returns the value derived from their checksum.
fn checking_callback(sig: &CallbackSig, expect: Arc<Expect>) -> Callback {
    let own = sig.clone();
    Callback::new(sig.signature(), move |args: &[Value]| {
        expect.calls.fetch_add(1, Ordering::Relaxed);
        let got: Vec<Arg> = args.iter().map(Arg::received).collect();
        let want = expect.args.lock().unwrap();
        if got != *want {
            return Err(format!("received {got:?}, C was given {want:?}"));
        }
        Ok(own.ret.ret_value(own.arg_checksum(&got)))
    })
    .unwrap_or_else(|e| panic!("{}: {e}", sig.describe()))
}

#[test]
fn random_callback_signatures_agree_both_ways() {
    let (count, seed) = budget(3000);
    let mut checked = 0;
    let mut routes = [0usize; rctypes::Route::ALL.len()];
    let mut calls = 0;
    // Callbacks C enters through an entry of their own (where rctypes makes
    // machine code), not their libffi closure.
    let mut entered = 0;
    for (batch_seed, n) in batches(count, seed) {
        let mut rng = Rng::new(batch_seed);
        let sigs: Vec<CallbackSig> = (0..n).map(|i| CallbackSig::random(&mut rng, i)).collect();
        let source = signatures::C_PRELUDE.to_owned()
            + &sigs.iter().map(CallbackSig::c_source).collect::<String>();
        // SAFETY: generated C with no initialisers.
        let lib: Library = unsafe { CBuild::new().source_str("callbacks.c", source).build() }
            .unwrap_or_else(|e| panic!("{}: {e}", replay(batch_seed)));
        for sig in &sigs {
            // SAFETY: the driver was generated from this very signature; it
            // calls its callback (never NULL) during the call only.
            let f = unsafe { lib.function(&sig.name(), &sig.driver_args(), CType::ULongLong) }
                .unwrap_or_else(|e| panic!("{}, {}: {e}", replay(batch_seed), sig.describe()));
            routes[super::route_index(&f)] += 1;
            let expect = Arc::new(Expect::default());
            let cb = checking_callback(sig, expect.clone());
            entered += usize::from(cb.is_direct());
            let every = crate::common::every_route(&f);
            for route in &every {
                for _ in 0..CALLS {
                    check_drive(route, &cb, sig, &expect, &mut rng, batch_seed);
                    calls += 1;
                }
            }
            assert_eq!(
                expect.calls.load(Ordering::Relaxed),
                every.len() * CALLS,
                "{}: the callback ran once per call",
                sig.describe()
            );
        }
        checked += n;
    }
    eprintln!(
        "differential callbacks: {checked} signatures from seed {seed}, {calls} calls; compiled, fast path, register route, libffi only: {routes:?}; {entered} callbacks entered directly",
    );
    assert_eq!(
        entered > 0,
        rctypes::Route::Compiled.is_available() && checked > 0,
        "entries are made where machine code is"
    );
}

fn check_drive(
    f: &CFunc,
    cb: &Callback,
    sig: &CallbackSig,
    expect: &Expect,
    rng: &mut Rng,
    batch_seed: u64,
) {
    let mut args = sig.random_args(rng);
    *expect.args.lock().unwrap() = args.clone();
    let mut values: Vec<Value<'_>> = vec![cb.into()];
    values.extend(signatures::values(&mut args, &mut []));
    let got = f.call(&values);
    drop(values);
    let context = || {
        format!(
            "{}, {} via {:?}, args {args:?}",
            replay(batch_seed),
            sig.describe(),
            f.route()
        )
    };
    let got = got.unwrap_or_else(|e| panic!("{}: {e}", context()));
    assert_eq!(
        got,
        Value::Int(sig.expected(&args) as i128),
        "{}",
        context()
    );
}

/// A sanity check of the generator itself, with a signature worked by hand:
/// `double (*)(int)` given 7 returns `(h >> 11)` as a double.
#[test]
fn the_callback_generator_agrees_with_a_hand_written_case() {
    let sig = CallbackSig::of(0, vec![Ty::Int], Ty::Double);
    let source = signatures::C_PRELUDE.to_owned() + &sig.c_source();
    assert!(
        source.contains("typedef double (*cb_0_t)(int);"),
        "{source}"
    );
    // SAFETY: generated C with no initialisers.
    let lib = unsafe { CBuild::new().source_str("callback_hand.c", source).build() }.unwrap();
    // SAFETY: generated from this signature; the driver calls its callback
    // (never NULL) during the call only.
    let f = unsafe { lib.function("drive_0", &sig.driver_args(), CType::ULongLong) }.unwrap();
    let h = mix(SEED_HASH, 7);
    let cb = Callback::new(sig.signature(), move |args: &[Value]| {
        assert_eq!(args, [Value::Int(7)]);
        Value::Float((h >> 11) as f64)
    })
    .unwrap();
    let got = f.call(&[(&cb).into(), 7.into()]).unwrap();
    let want = mix(h, ((h >> 11) as f64).to_bits());
    assert_eq!(got, Value::Int(want as i128));
    assert_eq!(sig.expected(&[Arg::Int(7)]), want);
    // The long double result is mixed in at double precision.
    let ld = CallbackSig::of(1, vec![], Ty::LongDouble);
    assert_eq!(
        ld.expected(&[]),
        mix(SEED_HASH, LongDouble::from(SEED_HASH).to_f64().to_bits())
    );
}
