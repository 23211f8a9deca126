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

/// A case of the family: the check of one pair of argument types and a
/// result type.
type Check = fn(&Library, &Signature, &mut Rng);

fn case<A, B, R>() -> Check
where
    A: Scalar + CArg + SameArg<A>,
    B: Scalar + CArg + SameArg<B>,
    R: Scalar + CRet,
{
    check2::<A, B, R>
}

fn ty<T: Scalar>() -> Ty {
    Ty::of(&T::CTYPE)
}

#[test]
fn every_pair_of_scalar_types_through_the_typed_layer() {
    let cases = pairs!(case -> Check;
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
    use Ty::{Bool, Double, Float, Int, LongLong, SChar, SizeT, UShort};
    let args = vec![
        Int, Double, SChar, Float, LongLong, Double, UShort, Double, SizeT, Float, Bool, Double,
    ];
    let sig = Signature::of(0, args, LongLong);
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
        macro_rules! each_of_v {
            ($($i:literal)*) => { ($(arg(&v[$i]),)*) };
        }
        let call: Args = each_of_v!(0 1 2 3 4 5 6 7 8 9 10 11);
        drop(v);
        expect_result(&sig, f.call(call), h, &args);
    }
}
