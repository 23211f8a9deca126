// A `Value` lending a callback cannot outlive the callback: C would call
// freed code.
use rctypes::{Callback, Value};

fn main() {
    let value: Value;
    {
        let cb = Callback::typed(|a: i32| a + 1).unwrap();
        value = Value::from(&*cb);
    }
    drop(value);
}
