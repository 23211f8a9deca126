//! The typed layer against the same generated C: every pair of Rust scalar
//! argument types (with a rotating result type), and wide signatures.

use rctypes::{CArg, CBuild, CRet, Library, SameArg, Scalar, TypedCFunc, Value};

use super::signatures::{self, Rng, Signature, Ty};

const CALLS: usize = 8;

fn arg<T: Scalar>(v: &Value<'_>) -> T {
    T::from_value(v).expect("generated within range")
}

fn expect_result<R: Scalar>(sig: &Signature, r: R, h: u64, args: &[signatures::Arg]) {
    let got = sig.ret().result_bits(&r.into_value());
    assert_eq!(
        got,
        sig.ret().expected_bits(h),
        "{} with {args:?}",
        sig.describe()
    );
}

fn check2<A, B, R>(lib: &Library, sig: &Signature, rng: &mut Rng)
where
    A: Scalar + CArg + SameArg<A>,
    B: Scalar + CArg + SameArg<B>,
    R: Scalar + CRet,
{
    // SAFETY: the C function was generated from this signature.
    let f: TypedCFunc<(A, B), R> = unsafe { lib.typed(&sig.name()) }.unwrap();
    for _ in 0..CALLS {
        let mut args = sig.random_args(rng);
        let h = sig.checksum(&args);
        let values = signatures::values(&mut args, &mut []);
        let (a, b) = (arg::<A>(&values[0]), arg::<B>(&values[1]));
        drop(values);
        expect_result(sig, f.call((a, b)), h, &args);
    }
}

macro_rules! pairs {
    ($sigs:ident, $lib:ident; $($a:ty),* ; $rets:tt) => {{
        let mut cases: Vec<Box<dyn Fn(&Library, &Signature, &mut Rng)>> = Vec::new();
        pairs!(@outer cases; [$($a),*] [$($a),*] $rets);
        cases
    }};
    (@outer $cases:ident; [$($a:ty),*] $bs:tt $rets:tt) => {
        $( pairs!(@inner $cases; $a; $bs $rets); )*
    };
    (@inner $cases:ident; $a:ty; [$($b:ty),*] $rets:tt) => {
        $( pairs!(@one $cases; $a, $b; $rets); )*
    };
    (@one $cases:ident; $a:ty, $b:ty; [$($r:ty),*]) => {
        // The result type rotates through the list with the case index.
        {
            let rets: Vec<Box<dyn Fn(&Library, &Signature, &mut Rng)>> =
                vec![$(Box::new(|l, s, r| check2::<$a, $b, $r>(l, s, r))),*];
            let k = $cases.len() % rets.len();
            $cases.push(rets.into_iter().nth(k).expect("non-empty"));
        }
    };
}

fn ty<T: Scalar>() -> Ty {
    Ty::of(&T::CTYPE)
}

#[test]
fn every_pair_of_scalar_types_through_the_typed_layer() {
    let cases = pairs!(sigs, lib;
        i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64, bool;
        [i32, f64, u8, i64, f32, bool, u16, usize]);
    // The signatures the cases expect, in the same order.
    let names: Vec<Ty> = vec![
        ty::<i8>(),
        ty::<u8>(),
        ty::<i16>(),
        ty::<u16>(),
        ty::<i32>(),
        ty::<u32>(),
        ty::<i64>(),
        ty::<u64>(),
        ty::<isize>(),
        ty::<usize>(),
        ty::<f32>(),
        ty::<f64>(),
        ty::<bool>(),
    ];
    let rets = [
        ty::<i32>(),
        ty::<f64>(),
        ty::<u8>(),
        ty::<i64>(),
        ty::<f32>(),
        ty::<bool>(),
        ty::<u16>(),
        ty::<usize>(),
    ];
    let mut sigs = Vec::new();
    for a in &names {
        for b in &names {
            let i = sigs.len();
            sigs.push(Signature::of(i, vec![*a, *b], rets[i % rets.len()]));
        }
    }
    assert_eq!(sigs.len(), cases.len());
    let source = signatures::C_PRELUDE.to_owned()
        + &sigs.iter().map(Signature::c_source).collect::<String>();
    // SAFETY: generated C with no initialisers.
    let lib = unsafe { CBuild::new().source_str("typed_pairs.c", source).build() }.unwrap();
    let mut rng = Rng::new(0x7e57);
    for (case, sig) in cases.iter().zip(&sigs) {
        case(&lib, sig, &mut rng);
    }
}

#[test]
fn wide_signatures_through_the_typed_layer() {
    let sig = Signature::of(
        0,
        vec![
            Ty::Int,
            Ty::Double,
            Ty::SChar,
            Ty::Float,
            Ty::LongLong,
            Ty::Double,
            Ty::UShort,
            Ty::Double,
            Ty::SizeT,
            Ty::Float,
            Ty::Bool,
            Ty::Double,
        ],
        Ty::LongLong,
    );
    let source = signatures::C_PRELUDE.to_owned() + &sig.c_source();
    // SAFETY: generated C with no initialisers.
    let lib = unsafe { CBuild::new().source_str("typed_wide.c", source).build() }.unwrap();
    type Args = (i32, f64, i8, f32, i64, f64, u16, f64, usize, f32, bool, f64);
    type Wide = TypedCFunc<Args, i64>;
    // SAFETY: generated from this signature.
    let f: Wide = unsafe { lib.typed(&sig.name()) }.unwrap();
    let mut rng = Rng::new(12);
    for _ in 0..200 {
        let mut args = sig.random_args(&mut rng);
        let h = sig.checksum(&args);
        let v = signatures::values(&mut args, &mut []);
        let call: Args = (
            arg(&v[0]),
            arg(&v[1]),
            arg(&v[2]),
            arg(&v[3]),
            arg(&v[4]),
            arg(&v[5]),
            arg(&v[6]),
            arg(&v[7]),
            arg(&v[8]),
            arg(&v[9]),
            arg(&v[10]),
            arg(&v[11]),
        );
        drop(v);
        expect_result(&sig, f.call(call), h, &args);
    }
}
