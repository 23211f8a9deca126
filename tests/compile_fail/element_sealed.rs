// A record element type comes from `c_struct!`, whose layout is the
// compiler's: `Element` cannot be implemented by hand.
use rctypes::{DType, Element};

#[derive(Clone, Copy)]
#[repr(C)]
struct Weather {
    timestamp: i32,
    desc: [u8; 12],
}

unsafe impl Element for Weather {
    fn dtype() -> DType {
        DType::of::<[u8; 16]>()
    }
}

fn main() {}
