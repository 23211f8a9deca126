// A handle is used by one thread at a time: a call that releases it cannot
// run while another thread's call still uses it.
fn shared<T: Sync>(_: &T) {}

fn check(h: rctypes::Handle) {
    shared(&h);
}

fn main() {
    let _ = check;
}
