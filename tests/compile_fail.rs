//! The promises rctypes makes with types, proved by programs that must not
//! compile: borrows that cannot outlive what they lend (nor cross to the
//! worker thread of a non-blocking call), closures C may call
//! from any thread, handles and addresses that safe code cannot copy or forge
//! (nor, typed, pass after closing or where another handle type goes),
//! strings C allocated that safe code frees at most once,
//! and the sealed traits of types that cross into C, which only rctypes and
//! its `c_struct!` implement.

#[test]
fn type_level_promises() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
