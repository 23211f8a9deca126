//! Structs lent to C by address: `&`, `&mut`, slices of `c_struct!` types,
//! and run-time `StructValue`s, including bitfields C writes.

use rctypes::{CFunc, CType, Extent, StructValue, TypedCFunc, Value};

use super::types::*;

fn bind(name: &str, args: &[&CType], ret: &CType) -> CFunc {
    // SAFETY: structs.c: `void scale_vec3_in_place(Vec3 *v, double k)` reads
    // and writes one Vec3; `double sum_vec3_array(const Vec3 *v, int n)`
    // reads n; `void fill_flags(Flags *f, ...)` writes one Flags and `int
    // read_flags_mode(const Flags *f)` reads one. No pointer may be NULL.
    // Each caller declares those extents, or fixed ones its calls keep to.
    unsafe { structs_fn(name, args, ret) }
}

#[test]
fn c_writes_through_a_mutable_borrow() {
    let d = declared();
    let v3 = CType::pointer(d.vec3.clone());
    let scale = bind("scale_vec3_in_place", &[&v3, &CType::Double], &CType::Void);
    let mut v = vec3(1.0, 2.0, 3.0);
    scale.call(&[(&mut v).into(), 2.0.into()]).unwrap();
    assert_eq!(v, vec3(2.0, 4.0, 6.0));
    scale.call(&[Value::byref(&mut v), 0.5.into()]).unwrap();
    assert_eq!(v, vec3(1.0, 2.0, 3.0));
    // A shared borrow does not go where C writes.
    let err = scale.call(&[(&v).into(), 2.0.into()]).unwrap_err();
    assert!(err.to_string().contains("which is read-only"), "{err}");
    // Nor does a struct of another layout.
    let mut other = DoublePair { x: 0.0, y: 0.0 };
    let err = scale.call(&[(&mut other).into(), 2.0.into()]).unwrap_err();
    assert!(
        err.to_string()
            .contains("argument 1: expected POINTER(struct Vec3)"),
        "{err}"
    );
    // Typed: &mut Vec3 is POINTER(Vec3).
    let typed: TypedCFunc<(&mut Vec3, f64), ()> = scale.typed().unwrap();
    typed.call((&mut v, 10.0));
    assert_eq!(v.z, 30.0);

    // A run-time value, lent mutably.
    let mut s = StructValue::new(d.vec3.layout().unwrap()).unwrap();
    s.set("y", 4.0).unwrap();
    scale.call(&[(&mut s).into(), 0.25.into()]).unwrap();
    assert_eq!(s.get("y").unwrap(), Value::Float(1.0));
    let err = scale.call(&[(&s).into(), 2.0.into()]).unwrap_err();
    assert!(err.to_string().contains("which is read-only"), "{err}");
}

#[test]
fn arrays_of_structs_to_a_const_pointer() {
    let d = declared();
    let sum_of = |n: Extent| {
        let vs = CType::const_pointer(d.vec3.clone()).extent(n);
        bind("sum_vec3_array", &[&vs, &CType::Int], &CType::Double)
    };
    let sum = sum_of(Extent::ElementsFromArg(2));
    let vs = [
        vec3(1.0, 0.0, 0.0),
        vec3(0.0, 1.0, 0.0),
        vec3(0.0, 0.0, 1.0),
    ];
    let v = vs.to_vec();
    // Arrays, slices, a Vec, one struct by reference, and a StructValue by
    // reference: (what is lent, n, the sum).
    let cases: [(Value, i32, f64); 5] = [
        ((&vs).into(), 3, 111.0),
        ((&vs[1..]).into(), 2, 110.0),
        ((&v).into(), 1, 1.0),
        ((&vs[2]).into(), 1, 100.0),
        (vs[1].into(), 1, 10.0),
    ];
    for (lent, n, want) in cases {
        assert_eq!(sum.call(&[lent, n.into()]).unwrap(), Value::Float(want));
    }
    // More than is lent: refused.
    let err = sum.call(&[(&vs[2]).into(), 2.into()]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    let s = vs[1].into();
    assert!(sum.call(&[s, 2.into()]).is_err());
    // Typed: slices, whose lengths it never checks, are refused; an array
    // of a fixed length is taken where the declared extent is within it.
    assert!(sum.typed::<(&[Vec3], i32), f64>().is_err());
    // Called with n = 3, and n = 1.
    let sum3 = sum_of(Extent::Elements(3));
    let typed: TypedCFunc<(&[Vec3; 3], i32), f64> = sum3.typed().unwrap();
    assert_eq!(typed.call((&vs, 3)), 111.0);
    assert!(sum3.typed::<(&Vec3, i32), f64>().is_err());
    let one = CType::const_pointer(d.vec3.clone());
    let sum1 = bind("sum_vec3_array", &[&one, &CType::Int], &CType::Double);
    let typed: TypedCFunc<(&Vec3, i32), f64> = sum1.typed().unwrap();
    assert_eq!(typed.call((&vs[0], 1)), 1.0);
}

#[test]
fn bitfields_c_writes_are_read_by_name() {
    let d = declared();
    use CType::{Int, UInt, Void};
    let (out, within) = (
        CType::pointer(d.flags.clone()),
        CType::const_pointer(d.flags.clone()),
    );
    let fill = bind("fill_flags", &[&out, &UInt, &UInt, &Int], &Void);
    let read_mode = bind("read_flags_mode", &[&within], &Int);
    let mut flags = StructValue::new(d.flags.layout().unwrap()).unwrap();
    fill.call(&[(&mut flags).into(), 1.into(), 5.into(), (-7).into()])
        .unwrap();
    assert_eq!(flags.get("ready").unwrap(), Value::Int(1));
    assert_eq!(flags.get("mode").unwrap(), Value::Int(5));
    assert_eq!(flags.get("count").unwrap(), Value::Int(-7));
    // And what Rust writes, C reads.
    flags.set("mode", 6).unwrap();
    assert_eq!(read_mode.call(&[(&flags).into()]).unwrap(), Value::Int(6));
    assert_eq!(flags.get("ready").unwrap(), Value::Int(1));
    let err = flags.set("mode", 8).unwrap_err();
    assert_eq!(
        err.to_string(),
        "struct Flags.mode: expected c_uint : 3 (from 0 to 7), given int 8, which does not fit"
    );
}
