// numpy's `(a + b).ctypes.data_as(...)` dangling temporary: a pointer from
// the `.ctypes` view cannot outlive its array.
use rctypes::{AsCtypes, Ptr};

fn main() {
    let p: Ptr<'_, f64>;
    {
        let a = ndarray::Array1::<f64>::zeros(4);
        p = a.ctypes().data_as::<f64>().unwrap();
    }
    let _ = p;
}
