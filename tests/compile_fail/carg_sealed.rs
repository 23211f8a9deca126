// Which Rust types pass to a typed call is rctypes' to say: `CArg` is sealed.
use rctypes::{CArg, CType};

struct Token(u32);

unsafe impl CArg for Token {
    type Raw = u32;
    fn ctype() -> CType {
        CType::UInt
    }
    fn accepts(declared: &CType) -> bool {
        *declared == CType::UInt
    }
    fn into_raw(self) -> u32 {
        self.0
    }
}

fn main() {}
