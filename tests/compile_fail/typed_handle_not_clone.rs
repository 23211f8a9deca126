// A typed handle, as a dynamic one, cannot be copied: closing it ends every
// use of it. (That it is not Sync is asserted in `src/value/typed_handle.rs`:
// the compiler's note for it names a path in std that differs between
// toolchains.)
use rctypes::TypedHandle;

rctypes::handle_type!(struct Db = "db");

fn copy(h: &TypedHandle<Db>) -> TypedHandle<Db> {
    h.clone()
}

fn main() {
    let _ = copy;
}
