//! Differential ABI testing: random C signatures, each compiled into a C
//! function that checksums its arguments (and writes through pointer
//! arguments), called through every route rctypes has, and compared with the
//! same checksum computed in Rust; and random callback signatures, each
//! compiled into a C function that calls a Rust callback and checksums what
//! it passed and what came back.
//!
//! The bounded run here is part of `cargo test`. A long run:
//!
//! ```text
//! RCTYPES_DIFF_SIGNATURES=200000 cargo test --release --test integration differential
//! ```
//!
//! Signatures come in batches of [`BATCH`], each generated from its own
//! seed; the first batch's seed is the run's. Every failure prints its
//! batch's seed, and `RCTYPES_DIFF_SEED=<seed>` replays that batch first.

/// Every ordered pair (A, B) of the types given, each with a result type R
/// that rotates through `rets` with the pair's index: `make::<A, B, R>()`
/// for each, in order, as a `Vec<T>` (`pairs!(make -> T; types; rets)`).
macro_rules! pairs {
    ($make:ident -> $t:ty; $($a:ty),* ; $rets:tt) => {{
        let mut cases: Vec<$t> = Vec::new();
        pairs!(@outer $make $t; cases; [$($a),*] [$($a),*] $rets);
        cases
    }};
    (@outer $make:ident $t:ty; $cases:ident; [$($a:ty),*] $bs:tt $rets:tt) => {
        $( pairs!(@inner $make $t; $cases; $a; $bs $rets); )*
    };
    (@inner $make:ident $t:ty; $cases:ident; $a:ty; [$($b:ty),*] $rets:tt) => {
        $( pairs!(@one $make $t; $cases; $a, $b; $rets); )*
    };
    (@one $make:ident $t:ty; $cases:ident; $a:ty, $b:ty; [$($r:ty),*]) => {
        // The result type rotates through the list with the case index.
        {
            let rets: Vec<fn() -> $t> = vec![$($make::<$a, $b, $r>),*];
            let k = $cases.len() % rets.len();
            $cases.push(rets[k]());
        }
    };
}

mod callbacks;
mod signatures;
mod structs;
mod typed;
mod typed_callbacks;

use rctypes::{CBuild, CFunc, Library, Route, Value};

use signatures::{Rng, Signature, Ty};

/// How many signatures a run checks (`default` unless the environment says),
/// and from which seed.
fn budget(default: usize) -> (usize, u64) {
    let count = std::env::var("RCTYPES_DIFF_SIGNATURES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    let seed = std::env::var("RCTYPES_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_2026);
    (count, seed)
}

/// Signatures per compiled C file: one compiler run covers a batch.
const BATCH: usize = 600;
/// Calls per signature, each with fresh random values.
const CALLS: usize = 4;

/// A run's batches: each batch's seed and size. The first batch's seed is
/// the run's; each next one is drawn from the one before.
fn batches(count: usize, seed: u64) -> impl Iterator<Item = (u64, usize)> {
    let (mut batch_seed, mut left) = (seed, count);
    std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let n = BATCH.min(left);
        left -= n;
        let this = batch_seed;
        batch_seed = Rng::new(this).next();
        Some((this, n))
    })
}

/// How a failure names its batch.
fn replay(batch_seed: u64) -> String {
    format!("seed {batch_seed} (replay: RCTYPES_DIFF_SEED={batch_seed})")
}

#[test]
fn random_signatures_agree_on_every_route() {
    let (count, seed) = budget(3000);
    let mut checked = 0;
    let mut routes = [0usize; Route::ALL.len()];
    let mut calls = 0;
    for (batch_seed, n) in batches(count, seed) {
        let mut batch_rng = Rng::new(batch_seed);
        let sigs: Vec<Signature> = (0..n)
            .map(|i| Signature::random(&mut batch_rng, i))
            .collect();
        let source: String = signatures::C_PRELUDE.to_owned()
            + &sigs.iter().map(Signature::c_source).collect::<String>();
        // SAFETY: generated C with no initialisers.
        let lib: Library = unsafe { CBuild::new().source_str("differential.c", source).build() }
            .unwrap_or_else(|e| panic!("{}: {e}", replay(batch_seed)));
        for sig in &sigs {
            // SAFETY: the C function was generated from this very signature;
            // it writes one int through each pointer, which may not be NULL.
            let f = unsafe { lib.function(&sig.name(), &sig.arg_ctypes(), sig.ret.ctype()) }
                .unwrap_or_else(|e| panic!("{}, {}: {e}", replay(batch_seed), sig.name()));
            for route in crate::common::every_route(&f) {
                routes[route_index(&route)] += 1;
                for _ in 0..CALLS {
                    check_call(&route, sig, &mut batch_rng, batch_seed);
                    calls += 1;
                }
            }
        }
        checked += n;
    }
    eprintln!(
        "differential: {checked} signatures from seed {seed}, {calls} calls; compiled, fast path, register route, libffi only: {routes:?}",
    );
    for (route, &n) in Route::ALL.iter().zip(&routes) {
        assert_eq!(
            n > 0,
            route.is_available(),
            "signatures on every route this build has: {routes:?}"
        );
    }
}

/// Every arity from 0 to 16, with integers and floating-point arguments
/// interleaved, all of one class, and one class before the other, so that
/// each register and stack slot the register route loads is used, alone
/// and beside the others: the register route, and every other, returns what
/// C computed from the arguments it received.
#[test]
fn every_arity_agrees_on_the_register_route() {
    use signatures::Ty::*;
    const INTERLEAVED: [Ty; 16] = [
        Int, Double, SChar, Float, ULongLong, Double, Short, Float, OutInt, Double, Bool, Float,
        Long, Double, UShort, Float,
    ];
    let rets = [Double, Float, LongLong, Int, Void, Bool, UChar, SizeT];
    type Pattern = fn(usize) -> Ty;
    let patterns: [(&str, Pattern); 4] = [
        ("interleaved", |i| INTERLEAVED[i]),
        ("floats", |i| if i % 3 == 1 { Float } else { Double }),
        ("integers", |i| INTERLEAVED[(2 * i) % 16]),
        // Seven integers first: the seventh and the ninth floating-point
        // argument share the stack, in prototype order.
        ("integers, then floats", |i| {
            if i < 7 {
                INTERLEAVED[2 * i]
            } else {
                INTERLEAVED[(2 * i + 1) % 16]
            }
        }),
    ];
    let mut sigs = Vec::new();
    for (pattern, ty) in patterns {
        for n in 0..=16 {
            let args: Vec<Ty> = (0..n).map(ty).collect();
            let ints = args.iter().filter(|t| !matches!(t, Float | Double)).count();
            // Past six integer registers and eight stack slots, libffi.
            if ints > 6 + 8 {
                continue;
            }
            let ret = rets[sigs.len() % rets.len()];
            sigs.push((pattern, Signature::of(sigs.len(), args, ret)));
        }
    }
    let source: String = signatures::C_PRELUDE.to_owned()
        + &sigs.iter().map(|(_, s)| s.c_source()).collect::<String>();
    // SAFETY: generated C with no initialisers.
    let lib: Library = unsafe { CBuild::new().source_str("arities.c", source).build() }.unwrap();
    let seed = 0x0a41_71e5;
    let mut rng = Rng::new(seed);
    for (pattern, sig) in &sigs {
        // SAFETY: the C function was generated from this very signature.
        let f = unsafe { lib.function(&sig.name(), &sig.arg_ctypes(), sig.ret.ctype()) }.unwrap();
        let every = crate::common::every_route(&f);
        assert_eq!(
            every.iter().any(|r| r.route() == Route::Registers),
            Route::Registers.is_available(),
            "{pattern}, {}: the register route takes every signature here",
            sig.describe()
        );
        for route in every {
            for _ in 0..CALLS {
                check_call(&route, sig, &mut rng, seed);
            }
        }
    }
}

/// Where `f`'s fastest route is among [`Route::ALL`].
fn route_index(f: &CFunc) -> usize {
    Route::ALL
        .iter()
        .position(|&r| r == f.route())
        .unwrap_or_default()
}

fn check_call(f: &CFunc, sig: &Signature, rng: &mut Rng, batch_seed: u64) {
    let mut args = sig.random_args(rng);
    let expected = sig.checksum(&args);
    let mut outs: Vec<[i32; 1]> = vec![[0]; sig.out_count()];
    let values: Vec<Value<'_>> = signatures::values(&mut args, &mut outs);
    let got = f
        .call(&values)
        .unwrap_or_else(|e| panic!("{}, {}: {e}", replay(batch_seed), sig.describe()));
    drop(values);
    let route = f.route();
    let context = || {
        format!(
            "{}, {} via {route:?}, args {args:?}",
            replay(batch_seed),
            sig.describe()
        )
    };
    assert_eq!(
        sig.ret.result_bits(&got),
        sig.ret.expected_bits(expected),
        "{}",
        context()
    );
    for (k, out) in outs.iter().enumerate() {
        assert_eq!(
            out[0],
            signatures::out_value(expected, k),
            "pointer argument {k}: {}",
            context()
        );
    }
}
