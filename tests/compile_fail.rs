//! The promises rctypes makes with types, proved by programs that must not
//! compile: borrows that cannot outlive what they lend, closures C may call
//! from any thread, handles and addresses that safe code cannot copy or forge.

#[test]
fn type_level_promises() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
