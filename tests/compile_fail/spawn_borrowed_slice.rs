// A non-blocking call moves its arguments to a worker thread that may
// outlive any borrow: a slice of a local cannot go, only owned or 'static
// data can.
use rctypes::{CType, Library};

fn main() {
    let libc = Library::this().unwrap();
    // SAFETY: never called: this program does not compile.
    let strlen = unsafe { libc.function("strlen", &[CType::const_pointer(CType::Char)], CType::SizeT) }.unwrap();
    let local = vec![b'a' as i8, 0];
    let _call = strlen.spawn::<usize, _>((&local[..],));
}
