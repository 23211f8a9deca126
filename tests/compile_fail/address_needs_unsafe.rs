// A raw address enters a call only through `unsafe`.
fn main() {
    let mut x = 0u8;
    let _v = rctypes::Value::address((&raw mut x).cast());
}
