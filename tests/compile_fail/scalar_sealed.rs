// Only rctypes decides which Rust types are C scalars: `Scalar` is sealed.
use rctypes::{CType, Scalar, Value};

#[derive(Clone, Copy)]
struct Meters(f64);

unsafe impl Scalar for Meters {
    const CTYPE: CType = CType::Double;
    fn into_value(self) -> Value<'static> {
        Value::Float(self.0)
    }
    fn from_value(value: &Value<'_>) -> rctypes::Result<Self> {
        value.to::<f64>().map(Meters)
    }
}

fn main() {}
