//! Stress: bound functions shared across threads, errno kept per thread, and
//! a library kept alive by functions on other threads after its handle goes.

use std::sync::{Arc, Barrier};
use std::thread;

use rctypes::{CBuild, CType, Library, TypedCFunc, Value};

use crate::common::{abi, mixed6};

const THREADS: usize = 8;
const CALLS: i32 = 20_000;

#[test]
fn one_function_many_threads_every_route() {
    // SAFETY: add_int's declared signature; it is pure.
    let add = unsafe { abi().function("add_int", &[CType::Int, CType::Int], CType::Int) }.unwrap();
    let mixed6 = mixed6();
    let slow = add.clone().via_libffi();
    let typed: TypedCFunc<(i32, i32), i32> = add.typed().unwrap();
    let start = Barrier::new(THREADS);
    thread::scope(|s| {
        for t in 0..THREADS as i32 {
            let (add, slow, typed, mixed6, start) = (&add, &slow, &typed, &mixed6, &start);
            s.spawn(move || {
                start.wait();
                for i in 0..CALLS {
                    let f = if i % 2 == 0 { add } else { slow };
                    assert_eq!(
                        f.call(&[i.into(), t.into()]).unwrap(),
                        Value::Int((i + t) as i128)
                    );
                    assert_eq!(typed.call((i, -t)), i - t);
                    if i % 64 == 0 {
                        let r = mixed6.call(&[
                            t.into(),
                            0.5.into(),
                            i.into(),
                            0.25.into(),
                            1.into(),
                            0.25.into(),
                        ]);
                        assert_eq!(r.unwrap(), Value::Float((t + i + 2) as f64));
                    }
                }
            });
        }
    });
}

#[test]
fn errno_stays_with_its_thread_under_contention() {
    // SAFETY: set_errno_to sets errno and returns -1.
    let f = unsafe { abi().function("set_errno_to", &[CType::Int], CType::Int) }
        .unwrap()
        .with_errno();
    thread::scope(|s| {
        for t in 1..=THREADS as i32 {
            let f = &f;
            s.spawn(move || {
                for i in 0..2000 {
                    let mine = t * 1000 + i;
                    f.call(&[mine.into()]).unwrap();
                    assert_eq!(rctypes::get_errno(), mine);
                }
            });
        }
    });
}

#[test]
fn functions_keep_the_library_loaded_after_the_handle_is_dropped() {
    // A library of its own, so no other test holds it open.
    let source = "static int calls; int bump(int by) { return __atomic_add_fetch(&calls, by, __ATOMIC_SEQ_CST); }";
    // SAFETY: the C above has no initialisers.
    let lib: Library = unsafe { CBuild::new().source_str("keepalive.c", source).build() }.unwrap();
    // SAFETY: bump's signature.
    let bump = Arc::new(unsafe { lib.function("bump", &[CType::Int], CType::Int) }.unwrap());
    let typed: Arc<TypedCFunc<(i32,), i32>> = Arc::new(bump.typed().unwrap());
    let ready = Arc::new(Barrier::new(THREADS + 1));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (bump, typed, ready) = (bump.clone(), typed.clone(), ready.clone());
            thread::spawn(move || {
                ready.wait(); // the Library handle is dropped by now
                for _ in 0..1000 {
                    if t % 2 == 0 {
                        bump.call(&[1.into()]).unwrap();
                    } else {
                        typed.call((1,));
                    }
                }
            })
        })
        .collect();
    drop(lib);
    ready.wait();
    for h in handles {
        h.join().unwrap();
    }
    // Every increment landed in the one loaded copy.
    assert_eq!(typed.call((0,)), THREADS as i32 * 1000);
}
