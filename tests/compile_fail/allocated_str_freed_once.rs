// A string C allocated is freed once: freeing consumes it, so it can be
// neither read nor freed again after.
use rctypes::{AllocatedCStr, CFunc};

fn free_twice(text: AllocatedCStr, free: &CFunc) {
    let _ = text.free_with(free);
    let _ = text.free_with(free);
}

fn main() {}
