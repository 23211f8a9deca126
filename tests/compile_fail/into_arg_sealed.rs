// `invoke` passes a number of the declared C type as it stands: `IntoArg`
// is sealed, so no other type can claim to be one.
use rctypes::{IntoArg, Value};

struct Forged(String);

impl From<Forged> for Value<'static> {
    fn from(f: Forged) -> Self {
        Value::Int(f.0.len() as i128)
    }
}

impl IntoArg<'static> for Forged {
    const CODE: u8 = 7;
}

fn main() {}
