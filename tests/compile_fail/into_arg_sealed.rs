// `invoke` passes a number, struct or string of the declared C type as it
// stands: `IntoArg` is sealed (and unsafe), so no other type can claim to
// be one.
use rctypes::{IntoArg, Value};

struct Forged(String);

impl From<Forged> for Value<'static> {
    fn from(f: Forged) -> Self {
        Value::Int(f.0.len() as i128)
    }
}

// SAFETY: none: the seal refuses it.
unsafe impl IntoArg<'static> for Forged {
    const CODE: u8 = 7;
    type Raw = i32;
}

fn main() {}
