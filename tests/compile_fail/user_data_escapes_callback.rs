// The reference a callback gets to the user data lent lives for the call
// only: the closure cannot keep it past the lend.
use std::sync::Mutex;

use rctypes::{Callback, TypedCallback, UserData};

static KEPT: Mutex<Option<&'static u64>> = Mutex::new(None);

fn main() {
    let cb: TypedCallback<(i32, UserData<u64>), i32> =
        Callback::typed_borrowing(|_: i32, data: &u64| {
            *KEPT.lock().unwrap() = Some(data);
            0
        })
        .unwrap();
    drop(cb);
}
