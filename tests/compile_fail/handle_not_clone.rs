// A handle cannot be copied: releasing it ends every use of it.
fn copy(h: &rctypes::Handle) -> rctypes::Handle {
    h.clone()
}

fn main() {
    let _ = copy;
}
