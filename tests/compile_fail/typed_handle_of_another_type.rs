// A typed handle goes only where its own handle type is declared: a FILE
// is no db, lent, moved or written through an out-parameter.
use rctypes::{TypedCFunc, TypedHandle};

rctypes::handle_type!(struct Db = "db");
rctypes::handle_type!(struct File = "FILE");

fn mix_up(
    file: TypedHandle<File>,
    rows: &TypedCFunc<(&TypedHandle<Db>,), i32>,
    close: &TypedCFunc<(TypedHandle<Db>,), i32>,
    open: &TypedCFunc<(&mut Option<TypedHandle<Db>>,), i32>,
) {
    rows.call((&file,));
    let mut slot: Option<TypedHandle<File>> = None;
    open.call((&mut slot,));
    close.call((file,));
}

fn main() {
    let _ = mix_up;
}
