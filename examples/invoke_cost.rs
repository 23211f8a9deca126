//! What the short form costs over the long one: the same `int add_int(int,
//! int)` called N times as `call(&[..])?.to::<i32>()?` and as
//! `invoke((..))?`, for counting instructions with callgrind:
//!
//! ```text
//! cargo build --release --example invoke_cost
//! valgrind --tool=callgrind target/release/examples/invoke_cost call 1000
//! valgrind --tool=callgrind target/release/examples/invoke_cost call 11000
//! ```
//!
//! The difference of the two totals over 10000 calls is one call's cost,
//! start-up excluded; the same for `invoke`. With no arguments it runs
//! both forms a few times and checks they agree.

use std::hint::black_box;

use rctypes::{CFunc, CType, Result};

fn long_form(f: &CFunc, n: i32) -> Result<i64> {
    let mut sum = 0i64;
    for i in 0..n {
        sum += f.call(&[black_box(i).into(), 1.into()])?.to::<i32>()? as i64;
    }
    Ok(sum)
}

fn short_form(f: &CFunc, n: i32) -> Result<i64> {
    let mut sum = 0i64;
    for i in 0..n {
        sum += f.invoke::<i32>((black_box(i), 1))? as i64;
    }
    Ok(sum)
}

fn main() -> Result<()> {
    // SAFETY: the project's own library has no initialisers.
    let lib = unsafe { rctypes::load_library("abi", rctypes_csrc::DIR)? };
    // SAFETY: abi.c's `int add_int(int a, int b)`.
    let add = unsafe { lib.function("add_int", &[CType::Int, CType::Int], CType::Int)? };
    let mut args = std::env::args().skip(1);
    let form = args.next();
    let n: i32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100);
    let sum = match form.as_deref() {
        Some("call") => long_form(&add, n)?,
        Some("invoke") => short_form(&add, n)?,
        _ => {
            let (long, short) = (long_form(&add, n)?, short_form(&add, n)?);
            assert_eq!(long, short);
            long
        }
    };
    println!("{} calls through {:?}: sum {sum}", n, add.route());
    Ok(())
}
