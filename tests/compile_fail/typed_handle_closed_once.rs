// A typed handle moves into the call declared to release it: nothing is
// left to pass to C after, neither to close it again nor to use it.
use rctypes::{TypedCFunc, TypedHandle};

rctypes::handle_type!(struct Db = "db");

fn use_after_close(
    handle: TypedHandle<Db>,
    close: &TypedCFunc<(TypedHandle<Db>,), i32>,
    rows: &TypedCFunc<(&TypedHandle<Db>,), i32>,
) {
    close.call((handle,));
    rows.call((&handle,));
    close.call((handle,));
}

fn main() {
    let _ = use_after_close;
}
