//! Function pointers and callbacks in the shapes real C APIs give them:
//! function pointers C returns or keeps in a struct, bound and called and
//! passed back; callbacks of many arguments, over records, filling an
//! out-parameter, and getting back the user data the caller lent.

use std::sync::{Arc, Mutex};

use rctypes::{
    ByMut, ByRef, CFunc, CType, Callback, Extent, Lent, Library, RawPtr, TypedCFunc, TypedCallback,
    UserData, UserDataMut, Value, c_struct,
};

use crate::common::lib;

fn callbacks_lib() -> Library {
    lib("real_apis_callbacks")
}

fn binop() -> CType {
    CType::func_ptr([CType::Int, CType::Int], CType::Int)
}

/// `binop_t get_op(int which)`.
fn get_op(lib: &Library) -> CFunc {
    // SAFETY: real_apis_callbacks.c: get_op returns one of its static
    // functions add, sub and mul, or NULL.
    unsafe { lib.function("get_op", &[CType::Int], binop()) }.unwrap()
}

/// The function get_op(which) returns, bound as `int (int, int)`.
fn op(lib: &Library, which: i32) -> CFunc {
    let Value::Pointer(ptr) = get_op(lib).call(&[which.into()]).unwrap() else {
        panic!("get_op({which}) returned no function");
    };
    // SAFETY: get_op's functions are `int (int, int)` code of `lib`, which
    // the CFunc keeps loaded.
    unsafe {
        CFunc::from_address(
            lib,
            "op",
            ptr.as_ptr(),
            &[CType::Int, CType::Int],
            CType::Int,
        )
    }
    .unwrap()
}

#[test]
fn a_returned_function_pointer_is_called_dynamically_and_typed() {
    let lib = callbacks_lib();
    let results: Vec<i32> = (0..3)
        .map(|which| {
            op(&lib, which)
                .call(&[7.into(), 5.into()])
                .unwrap()
                .to()
                .unwrap()
        })
        .collect();
    assert_eq!(results, [12, 2, 35]);
    let mul: TypedCFunc<(i32, i32), i32> = op(&lib, 2).typed().unwrap();
    assert_eq!(mul.call((-6, 7)), -42);
    assert_eq!(get_op(&lib).call(&[9.into()]).unwrap(), Value::Null);
    // SAFETY: refused before anything is called.
    let err =
        unsafe { CFunc::from_address(&lib, "none", std::ptr::null(), &[CType::Int], CType::Int) }
            .unwrap_err();
    assert!(
        err.to_string().contains("the function pointer is null"),
        "{err}"
    );
}

#[test]
fn a_typed_function_returns_a_function_pointer_to_bind() {
    let lib = callbacks_lib();
    let get_op: TypedCFunc<(i32,), Option<RawPtr>> = get_op(&lib).typed().unwrap();
    let sub = get_op.call((1,)).unwrap();
    assert_eq!(get_op.call((3,)), None);
    // SAFETY: get_op(1) is `int sub(int, int)` of `lib`.
    let sub = unsafe {
        CFunc::from_address(
            &lib,
            "sub",
            sub.as_ptr(),
            &[CType::Int, CType::Int],
            CType::Int,
        )
    }
    .unwrap();
    assert_eq!(sub.typed::<(i32, i32), i32>().unwrap().call((100, 1)), 99);
}

#[test]
fn a_bound_c_function_goes_back_to_c_as_a_function_pointer() {
    let lib = callbacks_lib();
    // SAFETY: `int apply_op(binop_t op, int a, int b)` returns op(a, b).
    let apply = unsafe { lib.function("apply_op", &[binop(), CType::Int, CType::Int], CType::Int) }
        .unwrap();
    let sub = op(&lib, 1);
    assert_eq!(
        apply.call(&[(&sub).into(), 50.into(), 8.into()]).unwrap(),
        Value::Int(42)
    );

    // Another signature is refused, naming the argument.
    let libc = Library::this().unwrap();
    // SAFETY: `long labs(long)`.
    let labs = unsafe { libc.function("labs", &[CType::Long], CType::Long) }.unwrap();
    let err = apply
        .call(&[(&labs).into(), 1.into(), 2.into()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("argument 1"), "{err}");
    assert!(err.contains("CFUNCTYPE(c_long, c_long)"), "{err}");

    // So is a variadic function, which C would call as a plain one.
    // SAFETY: `int printf(const char *, ...)`; never called here.
    let printf = unsafe { libc.variadic("printf", &[CType::CharP], CType::Int) }.unwrap();
    let err = apply
        .call(&[(&printf).into(), 1.into(), 2.into()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("argument 1"), "{err}");
}

c_struct! {
    /// `struct op_entry { binop_t op; int scale; }`.
    #[derive(Debug)]
    struct OpEntry {
        op: Option<RawPtr>,
        scale: i32,
    }
}

#[test]
fn a_function_pointer_in_a_struct_field_is_bound_and_called() {
    let lib = callbacks_lib();
    // SAFETY: `struct op_entry make_entry(int which, int scale)`, the entry
    // of get_op(which); `int run_entry(const struct op_entry *e, int a, int
    // b)` reads the entry and returns scale * op(a, b).
    let (make, run) = unsafe {
        (
            lib.typed::<(i32, i32), OpEntry>("make_entry").unwrap(),
            lib.typed::<(&OpEntry, i32, i32), i32>("run_entry").unwrap(),
        )
    };
    let entry = make.call((2, 3));
    assert_eq!(entry.scale, 3);
    // SAFETY: the entry's op is get_op(2), `int mul(int, int)` of `lib`.
    let mul = unsafe {
        CFunc::from_address(
            &lib,
            "op_entry.op",
            entry.op.unwrap().as_ptr(),
            &[CType::Int, CType::Int],
            CType::Int,
        )
    }
    .unwrap();
    assert_eq!(mul.call(&[4.into(), 5.into()]).unwrap(), Value::Int(20));
    // The struct C made goes back to C, its function pointer with it.
    assert_eq!(run.call((&entry, 4, 5)), 60);
}

type Many = TypedCallback<(i32, i32, i32, i32, i32, i32, f64, f64, f64, f64, i64, i16), i64>;

#[test]
fn a_typed_callback_takes_twelve_arguments() {
    let lib = callbacks_lib();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    #[allow(clippy::too_many_arguments)]
    let cb: Many = Callback::typed(
        move |a: i32,
              b: i32,
              c: i32,
              d: i32,
              e: i32,
              f: i32,
              g: f64,
              h: f64,
              i: f64,
              j: f64,
              big: i64,
              small: i16| {
            record.lock().unwrap().push((a, f, g, j, big, small));
            (a + b + c + d + e + f) as i64 + (g + h + i + j) as i64 + big + small as i64
        },
    )
    .unwrap();
    assert_eq!(cb.signature().args().len(), 12);
    let many = CType::FuncPtr(Arc::new(cb.signature().clone()));
    // SAFETY: `long long call_many(many_t cb, int base)` calls cb once with
    // base+1..base+6, 0.5, 1.5, 2.5, 3.5, 1 << 40 and -7, and returns twice
    // its result plus one.
    let call_many =
        unsafe { lib.function("call_many", &[many, CType::Int], CType::LongLong) }.unwrap();
    let result = call_many.call(&[(&*cb).into(), 10.into()]).unwrap();
    let expected = 2 * ((11 + 12 + 13 + 14 + 15 + 16) + 8 + (1 << 40) - 7) + 1;
    assert_eq!(result, Value::Int(expected));
    assert_eq!(*seen.lock().unwrap(), [(11, 16, 0.5, 3.5, 1 << 40, -7)]);

    // And through a typed call.
    let call_many: TypedCFunc<(&Many, i32), i64> = call_many.typed().unwrap();
    assert_eq!(
        call_many.call((&cb, 0)),
        2 * (21 + 8 + (1i64 << 40) - 7) + 1
    );
}

#[rustfmt::skip]
type Sixteen = TypedCallback<
    (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32),
    i32,
>;

#[test]
fn a_typed_callback_takes_sixteen_arguments() {
    let lib = callbacks_lib();
    // Weights tell the arguments apart: sum of i * arg(i).
    #[allow(clippy::too_many_arguments)]
    #[rustfmt::skip]
    let cb: Sixteen = Callback::typed(
        |a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32, h: i32,
         i: i32, j: i32, k: i32, l: i32, m: i32, n: i32, o: i32, p: i32| {
            let args = [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p];
            args.iter().zip(1..).map(|(v, w)| v * w).sum::<i32>()
        },
    )
    .unwrap();
    let sixteen = CType::FuncPtr(Arc::new(cb.signature().clone()));
    // SAFETY: `int call_sixteen(sixteen_t cb)` returns cb(1, 2, ..., 16).
    let call = unsafe { lib.function("call_sixteen", &[sixteen], CType::Int) }.unwrap();
    let call: TypedCFunc<(&Sixteen,), i32> = call.typed().unwrap();
    assert_eq!(call.call((&cb,)), (1..=16).map(|i| i * i).sum::<i32>());
}

c_struct! {
    /// `struct rec { int id; double score; char tag; }`.
    #[derive(Debug, PartialEq)]
    struct Rec {
        id: i32,
        score: f64,
        tag: i8,
    }
}

type RecCmp = TypedCallback<(ByRef<Rec>, ByRef<Rec>), i32>;

#[test]
fn a_comparator_reads_records_with_no_unsafe() {
    let lib = callbacks_lib();
    let cmp: RecCmp =
        Callback::typed(|a: ByRef<Rec>, b: ByRef<Rec>| a.score.total_cmp(&b.score) as i32).unwrap();
    let recs_t =
        CType::pointer(<Rec as rctypes::CData>::ctype()).extent(Extent::ElementsFromArg(2));
    let cmp_t = CType::FuncPtr(Arc::new(cmp.signature().clone()));
    // SAFETY: `int sort_recs(struct rec *r, int n, rec_cmp_t cmp)` sorts
    // the n records of r in place, calling cmp with pointers to two records
    // during the call, and returns the number of comparisons.
    let sort =
        unsafe { lib.function("sort_recs", &[recs_t, CType::Int, cmp_t], CType::Int) }.unwrap();
    let rec = |id, score, tag: u8| Rec {
        id,
        score,
        tag: tag as i8,
    };
    let mut recs = [
        rec(1, 2.5, b'a'),
        rec(2, -1.0, b'b'),
        rec(3, 9.0, b'c'),
        rec(4, 0.0, b'd'),
    ];
    let compared = sort
        .call(&[(&mut recs[..]).into(), 4.into(), (&*cmp).into()])
        .unwrap();
    assert_eq!(recs.map(|r| r.id), [2, 4, 1, 3]);
    assert_eq!(recs[0], rec(2, -1.0, b'b'));
    // Insertion sort of this order: 1 + 2 + 2 comparisons.
    assert_eq!(compared, Value::Int(5));

    // Typed, by descending id.
    let desc: RecCmp = Callback::typed(|a: ByRef<Rec>, b: ByRef<Rec>| b.id - a.id).unwrap();
    // SAFETY: as above; a typed call checks no extent, so this one vouches
    // that n is the slice's length.
    let sort = unsafe { lib.typed::<(&mut [Rec], i32, &RecCmp), i32>("sort_recs") }.unwrap();
    sort.call((&mut recs, 4, &desc));
    assert_eq!(recs.map(|r| r.id), [4, 3, 2, 1]);
}

type Fill = TypedCallback<(i32, ByMut<i32>), i32>;

fn fill_t() -> CType {
    CType::func_ptr([CType::Int, CType::pointer(CType::Int)], CType::Int)
}

#[test]
fn a_callback_fills_an_out_parameter_through_mut() {
    let lib = callbacks_lib();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let cb: Fill = Callback::typed_borrowing(move |i: i32, len: &mut i32| {
        record.lock().unwrap().push(*len);
        *len = i * i;
        0
    })
    .unwrap();
    // SAFETY: `int total_lengths(fill_t cb, int n)` calls cb(i, &len) for i
    // in 0..n with len a local int set to -1, and sums the lengths;
    // `fill_null` calls cb(7, NULL); `fill_same_twice` calls cb(0, &len)
    // and cb(1, &len).
    let (total, null, twice) = unsafe {
        (
            lib.function("total_lengths", &[fill_t(), CType::Int], CType::Int)
                .unwrap(),
            lib.function("fill_null", &[fill_t()], CType::Int).unwrap(),
            lib.function("fill_same_twice", &[fill_t()], CType::Int)
                .unwrap(),
        )
    };
    assert_eq!(
        total.call(&[(&*cb).into(), 4.into()]).unwrap(),
        Value::Int(14)
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [-1; 4],
        "C's own value, read through &mut"
    );
    assert_eq!(twice.call(&[(&*cb).into()]).unwrap(), Value::Int(1));

    // NULL from C is the callback's failure: the closure is not called, C
    // gets the error value (0 by default, here -5), and the call reports it.
    let cb = cb.with_error_value(-5).unwrap();
    let err = null.call(&[(&*cb).into()]).unwrap_err().to_string();
    assert!(
        err.contains("argument 2: null pointer where a c_int was to be written"),
        "{err}"
    );
    assert_eq!(seen.lock().unwrap().len(), 6);

    // Typed.
    let total: TypedCFunc<(&Fill, i32), i32> = total.typed().unwrap();
    assert_eq!(total.call((&cb, 3)), 5);
}

/// `int foreach_item(const int *items, int n, item_cb_t cb, void *user_data)`
/// and `foreach_wrong`, which hands cb a pointer of its own, with the user
/// data declared as a `T`'s.
fn foreach<T: 'static>(lib: &Library, name: &str) -> CFunc {
    let user_data = UserData::<T>::ctype();
    let item_cb = CType::func_ptr([CType::Int, user_data.clone()], CType::Int);
    let items = CType::const_pointer(CType::Int).extent(Extent::ElementsFromArg(2));
    // SAFETY: both call cb(items[i], p) for each of the n items during the
    // call and sum its results; foreach_item passes user_data as p,
    // foreach_wrong a static int's address.
    unsafe { lib.function(name, &[items, CType::Int, item_cb, user_data], CType::Int) }.unwrap()
}

#[derive(Debug, Default, PartialEq)]
struct Tally {
    count: usize,
    items: Vec<i32>,
}

type Tallying = TypedCallback<(i32, UserDataMut<Tally>), i32>;

fn tallying() -> Tallying {
    Callback::typed_borrowing(|item: i32, tally: &mut Tally| {
        tally.count += 1;
        tally.items.push(item);
        item * 2
    })
    .unwrap()
}

#[test]
fn user_data_comes_back_to_the_callback_as_the_value_lent() {
    let lib = callbacks_lib();
    let cb = tallying();
    let mut tally = Tally::default();
    let sum = rctypes::lend_mut(&mut tally, |lent| {
        foreach::<Tally>(&lib, "foreach_item").call(&[
            (&[3, 1, 4][..]).into(),
            3.into(),
            (&*cb).into(),
            lent.into(),
        ])
    })
    .unwrap();
    assert_eq!(sum, Value::Int(16));
    assert_eq!(
        tally,
        Tally {
            count: 3,
            items: vec![3, 1, 4]
        }
    );

    // Typed, shared.
    type Scaled = TypedCallback<(i32, UserData<i32>), i32>;
    let scaled: Scaled =
        Callback::typed_borrowing(|item: i32, factor: &i32| item * factor).unwrap();
    // SAFETY: as `foreach` states; a typed call checks no extent, so this
    // one vouches that n is the slice's length.
    let each =
        unsafe { lib.typed::<(&[i32], i32, &Scaled, &Lent<i32>), i32>("foreach_item") }.unwrap();
    assert_eq!(
        rctypes::lend(&7, |f| each.call((&[1, 2, 3], 3, &scaled, f))),
        42
    );
}

#[test]
fn user_data_c_did_not_get_from_the_caller_is_refused() {
    let lib = callbacks_lib();
    let cb = tallying();
    let mut tally = Tally::default();
    let wrong = foreach::<Tally>(&lib, "foreach_wrong");
    let err = rctypes::lend_mut(&mut tally, |lent| {
        wrong.call(&[(&[5][..]).into(), 1.into(), (&*cb).into(), lent.into()])
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("is not a"), "{err}");
    assert!(
        err.contains("Tally lent to this call (C passed another pointer)"),
        "{err}"
    );
    assert_eq!(tally, Tally::default(), "the closure never ran");

    // Lent shared where the callback takes it mutably.
    let right = foreach::<Tally>(&lib, "foreach_item");
    let shared = Tally::default();
    let err = rctypes::lend(&shared, |lent| {
        right.call(&[(&[5][..]).into(), 1.into(), (&*cb).into(), lent.into()])
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("was lent shared (rctypes::lend)"), "{err}");

    // User data of another type does not pass where a Tally's is declared.
    let err = rctypes::lend_mut(&mut 5i32, |lent| {
        right.call(&[(&[5][..]).into(), 1.into(), (&*cb).into(), lent.into()])
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("argument 4"), "{err}");
    assert!(err.contains("user data i32"), "{err}");
}

#[test]
fn a_panicking_callback_gives_the_user_data_back() {
    let lib = callbacks_lib();
    type Picky = TypedCallback<(i32, UserDataMut<Tally>), i32>;
    let picky: Picky = Callback::typed_borrowing(|item: i32, tally: &mut Tally| {
        tally.items.push(item);
        assert!(item != 13, "unlucky");
        item
    })
    .unwrap();
    let each = foreach::<Tally>(&lib, "foreach_item");
    let mut tally = Tally::default();
    let err = rctypes::lend_mut(&mut tally, |lent| {
        each.call(&[
            (&[1, 13, 2][..]).into(),
            3.into(),
            (&*picky).into(),
            lent.into(),
        ])
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("unlucky"), "{err}");
    // The scope ended (nothing still held it), and the value is whole.
    assert_eq!(tally.items, [1, 13, 2]);
}
