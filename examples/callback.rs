//! The SciPy Cookbook's allocator pattern, both forms, against our
//! `callback.c`: C asks Rust for arrays through a callback, fills them, and
//! Rust keeps them.
//!
//! Run with `cargo run --example callback`.

use std::fmt::Display;

use ndarray::ArrayViewD;
use rctypes::{Allocator, CType, Library, Value};

fn main() -> Result<(), rctypes::Error> {
    // SAFETY: our own callback library, with no initialisers.
    let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
    // C's printf output is buffered apart from Rust's: flush it to keep the order.
    // SAFETY: `int fflush(FILE *)`; NULL flushes every stream.
    let fflush = unsafe {
        Library::this()?.function("fflush", &[CType::handle("FILE").nullable()], CType::Int)?
    };

    // The plain form: `void foo(void *(*allocator)(int dim, int *shape))`.
    // SAFETY: callback.c's foo asks for one 2x3 float array and fills it with
    // (i+1)*(j+1); it does not keep the allocator.
    let foo_fn =
        unsafe { lib.function("foo", &[Allocator::plain_signature().into()], CType::Void)? };
    let mut alloc = Allocator::with_typecode('f')?;
    println!("calling foo");
    let () = foo_fn.invoke((alloc.callback(),))?;
    let _: i32 = fflush.invoke((Value::Null,))?;
    println!("foo returned");
    let arrays = alloc.take_arrays();
    println!("{}", numpy_str(&arrays[0].view::<f32>()?, float));

    // The typed form: `int func(int scale, void *(*)(int dims, int *shape, char typecode))`.
    // SAFETY: callback.c's func asks for a 2x3x4 'd', a 5 'f' and a 2x2 'i'
    // array and fills them; it does not keep the allocator.
    let func = unsafe {
        lib.function(
            "func",
            &[CType::Int, Allocator::signature().into()],
            CType::Int,
        )?
    };
    let mut alloc = Allocator::new()?;
    let filled: i32 = func.invoke((2, alloc.callback()))?;
    println!("\nfunc filled {filled} arrays");
    for a in alloc.take_arrays() {
        println!(
            "typecode {:?}, {} of shape {:?}:",
            a.typecode(),
            a.dtype_name(),
            a.shape()
        );
        let text = match a.typecode() {
            'd' => numpy_str(&a.view::<f64>()?, float),
            'f' => numpy_str(&a.view::<f32>()?, float),
            _ => numpy_str(&a.view::<i32>()?, |x| x.to_string()),
        };
        println!("{text}");
    }

    // A typecode numpy does not know: C gets NULL, the call reports it.
    // SAFETY: callback.c: `int fill_typecode(char, void *(*)(int, int *, char))`
    // asks for one 2x3 array of that type and stops on NULL.
    let fill = unsafe {
        lib.function(
            "fill_typecode",
            &[CType::Char, Allocator::signature().into()],
            CType::Int,
        )?
    };
    let err = fill
        .invoke::<i32>(('x' as i32, alloc.callback()))
        .unwrap_err();
    println!("\n{err}");
    Ok(())
}

/// A float as numpy prints it: `1.` for whole numbers.
fn float<T: Into<f64> + Copy>(x: T) -> String {
    let x = x.into();
    if x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.0}.")
    } else {
        x.to_string()
    }
}

/// An array as numpy's `print` shows it: nested brackets, elements padded to
/// one width, one row per line.
fn numpy_str<T: Copy, S: Display>(a: &ArrayViewD<'_, T>, elem: impl Fn(T) -> S) -> String {
    let texts: Vec<String> = a.iter().map(|&x| elem(x).to_string()).collect();
    let width = texts.iter().map(String::len).max().unwrap_or(0);
    let padded: Vec<String> = texts.iter().map(|t| format!("{t:>width$}")).collect();
    nest(&padded, a.shape(), 0)
}

fn nest(items: &[String], shape: &[usize], depth: usize) -> String {
    match shape {
        [] => items.first().cloned().unwrap_or_default(),
        [_] => format!("[{}]", items.join(" ")),
        [n, rest @ ..] => {
            let step = rest.iter().product::<usize>();
            let parts: Vec<String> = (0..*n)
                .map(|i| nest(&items[i * step..(i + 1) * step], rest, depth + 1))
                .collect();
            let blank = "\n".repeat(rest.len());
            format!(
                "[{}]",
                parts.join(&format!("{blank}{}", " ".repeat(depth + 1)))
            )
        }
    }
}
