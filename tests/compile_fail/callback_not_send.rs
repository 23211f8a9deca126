// C may call a callback from any thread: its closure must be Send + Sync.
use std::cell::Cell;
use std::rc::Rc;

fn main() {
    let counter = Rc::new(Cell::new(0));
    let _cb = rctypes::Callback::typed(move |a: i32| {
        counter.set(counter.get() + 1);
        a
    });
}
