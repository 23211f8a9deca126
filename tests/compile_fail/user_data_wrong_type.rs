// User data goes back to a callback only as the type it was lent as: a
// typed call whose callback takes a `Vec<i32>` takes no lent `String`.
use rctypes::{Lent, TypedCFunc, TypedCallback, UserDataMut};

type Collect = TypedCallback<(i32, UserDataMut<Vec<i32>>), i32>;

fn each(f: &TypedCFunc<(&[i32], i32, &Collect, &Lent<Vec<i32>>), i32>, cb: &Collect) {
    let mut name = String::new();
    rctypes::lend_mut(&mut name, |lent| f.call((&[1, 2], 2, cb, lent)));
}

fn main() {}
