// Row pointers cannot outlive the array they point into.
use rctypes::RowPointers;

fn main() {
    let rows;
    {
        let x = ndarray::Array2::<f32>::zeros((2, 2));
        rows = RowPointers::new(x.view()).unwrap();
    }
    let _ = rows.len();
}
