// The `&mut T` a borrowing callback gets for a `T*` C passed lives for the
// call only: the closure cannot keep it.
use std::sync::Mutex;

use rctypes::{ByMut, Callback, TypedCallback};

static KEPT: Mutex<Option<&'static mut i32>> = Mutex::new(None);

fn main() {
    let cb: TypedCallback<(i32, ByMut<i32>), i32> =
        Callback::typed_borrowing(|_: i32, len: &mut i32| {
            *KEPT.lock().unwrap() = Some(len);
            0
        })
        .unwrap();
    drop(cb);
}
