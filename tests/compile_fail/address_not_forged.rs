// An `Address` cannot be built from an integer in safe code.
fn main() {
    let _a = rctypes::Address(std::ptr::NonNull::dangling());
}
