// A typed call borrows its arguments for the call only; a `TypedCFunc`
// cannot keep a borrowed slice alive past it, nor a `Value` past its data.
use rctypes::Value;

fn keep(_: Value<'static>) {}

fn main() {
    let data = [1.0f64, 2.0];
    keep(Value::from(&data[..]));
}
