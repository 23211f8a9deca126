//! Typed callbacks against the same generated drivers: every pair of Rust
//! scalar argument types (with a rotating result type, `()` included), and
//! the widest typed callback, each passed to a typed call of its driver.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use rctypes::{
    CArg, CBuild, Callback, CallbackArg, CallbackRet, Library, SameArg, Scalar, TypedCFunc,
    TypedCallback,
};

use super::callbacks::CallbackSig;
use super::signatures::{self, Arg, Rng, Ty};

const CALLS: usize = 8;

/// A result type a checking callback can derive from a checksum.
trait Derived: CallbackRet + Send + 'static {
    fn ty() -> Ty;
    fn derive(h: u64) -> Self;
}

macro_rules! derived_scalars {
    ($($t:ty),*) => {$(
        impl Derived for $t {
            fn ty() -> Ty {
                Ty::of(&<$t as Scalar>::CTYPE)
            }
            fn derive(h: u64) -> $t {
                <$t>::from_value(&Self::ty().ret_value(h)).expect("derived within range")
            }
        }
    )*};
}

derived_scalars!(
    i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64, bool
);

impl Derived for () {
    fn ty() -> Ty {
        Ty::Void
    }
    fn derive(_: u64) {}
}

fn received<T: Scalar>(v: T) -> Arg {
    Arg::received(&v.into_value())
}

fn arg<T: Scalar>(a: &Arg) -> T {
    let mut one = [a.clone()];
    let v = signatures::values(&mut one, &mut []);
    T::from_value(&v[0]).expect("generated within range")
}

type Checked<R> = Result<R, String>;

/// The typed callback `(A, B) -> R` and its driver, typed.
type Checking<A, B, R> = TypedCallback<(A, B), Checked<R>>;

thread_local! {
    /// The arguments a callback that captures nothing expects, and its
    /// signature: it cannot hold them itself.
    static EXPECTED: RefCell<Option<(Vec<Arg>, CallbackSig)>> = const { RefCell::new(None) };
}
type Driver<'a, A, B, R> = TypedCFunc<(&'a Checking<A, B, R>, A, B), u64>;

/// Makes a typed callback `(A, B) -> R` that checks its arguments and
/// passes it, with random arguments, to a typed call of the driver.
fn check2<A, B, R>(lib: &Library, sig: &CallbackSig, rng: &mut Rng)
where
    A: Scalar + CallbackArg + CArg + SameArg<A>,
    B: Scalar + CallbackArg + CArg + SameArg<B>,
    R: Derived,
{
    let expect: Arc<Mutex<Vec<Arg>>> = Arc::default();
    let cb = {
        let (expect, own) = (expect.clone(), sig.clone());
        Callback::typed(move |a: A, b: B| -> Checked<R> {
            let got = vec![received(a), received(b)];
            let want = expect.lock().unwrap();
            if got != *want {
                return Err(format!("received {got:?}, C was given {want:?}"));
            }
            Ok(R::derive(own.arg_checksum(&got)))
        })
        .unwrap()
    };
    // SAFETY: the driver was generated from this signature.
    let f: Driver<'_, A, B, R> = unsafe { lib.typed(&sig.name()) }.unwrap();
    for _ in 0..CALLS {
        let args = sig.random_args(rng);
        *expect.lock().unwrap() = args.clone();
        let got = f
            .try_call((&cb, arg::<A>(&args[0]), arg::<B>(&args[1])))
            .unwrap_or_else(|e| panic!("{} with {args:?}: {e}", sig.describe()));
        assert_eq!(got, sig.expected(&args), "{} with {args:?}", sig.describe());
    }
    // The same through a callback that captures nothing, which C calls
    // directly rather than through a libffi closure.
    let direct = Callback::typed(|a: A, b: B| -> Checked<R> {
        let got = vec![received(a), received(b)];
        EXPECTED.with_borrow(|e| {
            let (want, own) = e.as_ref().expect("set before the call");
            if got != *want {
                return Err(format!("received {got:?}, C was given {want:?}"));
            }
            Ok(R::derive(own.arg_checksum(&got)))
        })
    })
    .unwrap();
    // The capturing one has an entry where rctypes makes machine code.
    let entry = rctypes::Route::Compiled.is_available();
    assert!(
        direct.is_direct() && cb.is_direct() == entry,
        "{}",
        sig.describe()
    );
    for _ in 0..CALLS {
        let args = sig.random_args(rng);
        EXPECTED.set(Some((args.clone(), sig.clone())));
        let got = f
            .try_call((&direct, arg::<A>(&args[0]), arg::<B>(&args[1])))
            .unwrap_or_else(|e| panic!("{} with {args:?}, direct: {e}", sig.describe()));
        assert_eq!(
            got,
            sig.expected(&args),
            "{} with {args:?}, direct",
            sig.describe()
        );
    }
}

/// One case of the family: its types and its check.
struct Case {
    types: (Ty, Ty, Ty),
    check: fn(&Library, &CallbackSig, &mut Rng),
}

fn case<A, B, R>() -> Case
where
    A: Scalar + CallbackArg + CArg + SameArg<A>,
    B: Scalar + CallbackArg + CArg + SameArg<B>,
    R: Derived,
{
    Case {
        types: (Ty::of(&A::CTYPE), Ty::of(&B::CTYPE), R::ty()),
        check: check2::<A, B, R>,
    }
}

#[test]
fn every_pair_of_scalar_types_through_typed_callbacks() {
    let cases = pairs!(case -> Case;
        i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64, bool;
        [i32, f64, (), u8, i64, f32, bool, u16, usize, u32]);
    let sigs: Vec<CallbackSig> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| CallbackSig::of(i, vec![c.types.0, c.types.1], c.types.2))
        .collect();
    let source = signatures::C_PRELUDE.to_owned()
        + &sigs.iter().map(CallbackSig::c_source).collect::<String>();
    // SAFETY: generated C with no initialisers.
    let lib = unsafe {
        CBuild::new()
            .source_str("typed_callbacks.c", source)
            .build()
    }
    .unwrap();
    let mut rng = Rng::new(0x0CA1_1BAC);
    for (case, sig) in cases.iter().zip(&sigs) {
        (case.check)(&lib, sig, &mut rng);
    }
}

#[test]
fn the_widest_typed_callback_through_its_driver() {
    type Args = (i32, f64, i8, f32, i64, u16, bool, usize);
    use Ty::{Bool, Double, Float, Int, LongLong, SChar, UShort};
    let usize_ = Ty::of(&<usize as Scalar>::CTYPE);
    let args = vec![Int, Double, SChar, Float, LongLong, UShort, Bool, usize_];
    let sig = CallbackSig::of(0, args, Double);
    let source = signatures::C_PRELUDE.to_owned() + &sig.c_source();
    // SAFETY: generated C with no initialisers.
    let lib = unsafe {
        CBuild::new()
            .source_str("typed_callback_wide.c", source)
            .build()
    }
    .unwrap();
    let expect: Arc<Mutex<Vec<Arg>>> = Arc::default();
    let cb = {
        let (expect, own) = (expect.clone(), sig.clone());
        Callback::typed(
            move |a: i32, b: f64, c: i8, d: f32, e: i64, f: u16, g: bool, h: usize| {
                let got = vec![
                    received(a),
                    received(b),
                    received(c),
                    received(d),
                    received(e),
                    received(f),
                    received(g),
                    received(h),
                ];
                let want = expect.lock().unwrap();
                if got != *want {
                    return Err(format!("received {got:?}, C was given {want:?}"));
                }
                Ok(f64::derive(own.arg_checksum(&got)))
            },
        )
        .unwrap()
    };
    type Wide = TypedCallback<Args, Checked<f64>>;
    type Driver = TypedCFunc<(&'static Wide, i32, f64, i8, f32, i64, u16, bool, usize), u64>;
    // SAFETY: the driver was generated from this signature.
    let f: Driver = unsafe { lib.typed(&sig.name()) }.unwrap();
    let mut rng = Rng::new(0x31de);
    for _ in 0..200 {
        let a = sig.random_args(&mut rng);
        *expect.lock().unwrap() = a.clone();
        let got = f
            .try_call((
                &cb,
                arg::<i32>(&a[0]),
                arg::<f64>(&a[1]),
                arg::<i8>(&a[2]),
                arg::<f32>(&a[3]),
                arg::<i64>(&a[4]),
                arg::<u16>(&a[5]),
                arg::<bool>(&a[6]),
                arg::<usize>(&a[7]),
            ))
            .unwrap_or_else(|e| panic!("{} with {a:?}: {e}", sig.describe()));
        assert_eq!(got, sig.expected(&a), "{} with {a:?}", sig.describe());
    }
}
