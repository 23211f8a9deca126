// A typed callback is a Rust closure: `CallbackFn` is sealed, so no other
// type can say where its code is.
use std::ffi::c_void;

use rctypes::CallbackFn;

struct Forged;

impl CallbackFn<(i32,), i32> for Forged {
    unsafe fn invoke(&self, _: *const *const c_void) -> Result<i32, String> {
        Ok(0)
    }
}

fn main() {}
