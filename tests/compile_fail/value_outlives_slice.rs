// A `Value` lending a slice cannot outlive the slice.
use rctypes::Value;

fn main() {
    let value: Value;
    {
        let data = vec![1i32, 2, 3];
        value = Value::from(&data[..]);
    }
    drop(value);
}
