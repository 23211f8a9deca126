// Arguments through `...` follow a contract rctypes cannot check.
use rctypes::{CType, Library};

fn main() {
    let libc = Library::this().unwrap();
    let printf = unsafe { libc.variadic("printf", &[CType::CharP], CType::Int) }.unwrap();
    let _ = printf.call_variadic(&["%d\n".into(), 5.into()], &[CType::Int]);
}
