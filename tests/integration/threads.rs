//! Stress: bound functions shared across threads, errno kept per thread, a
//! library kept alive by functions on other threads after its handle goes,
//! callbacks called from many C and Rust threads at once, and the allocator
//! under contention.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread::{self, ThreadId};

use rctypes::{
    Allocator, CBuild, CFunc, CType, Callback, Error, Library, Route, Signature, TypedCFunc,
    TypedCallback, Value,
};

use crate::common::{abi, add_int, lib, mixed6};

const THREADS: usize = 8;
const CALLS: i32 = 20_000;

#[test]
fn one_function_many_threads_every_route() {
    let add = add_int();
    let mixed6 = mixed6();
    let slow = add.clone().via(Route::Libffi).unwrap();
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

// ---- callbacks ----

fn callback_lib() -> &'static Library {
    static LIB: std::sync::OnceLock<Library> = std::sync::OnceLock::new();
    LIB.get_or_init(|| lib("callback"))
}

fn binop() -> Signature {
    Signature::new([CType::Int, CType::Int], CType::Int)
}

/// `long long call_concurrently(int (*op)(int, int), int nthreads, int calls)`:
/// nthreads C threads, started together, each calling op(index, i) for i in
/// 0..calls; the sum of every result.
fn call_concurrently() -> CFunc {
    // SAFETY: callback.c: call_concurrently calls op from nthreads pthreads,
    // all joined before it returns, keeping op no longer; op may not be NULL.
    unsafe {
        callback_lib().function(
            "call_concurrently",
            &[binop().into(), CType::Int, CType::Int],
            CType::LongLong,
        )
    }
    .unwrap()
}

const C_THREADS: i32 = 8;
const C_CALLS: i32 = 5000;

/// What `op(t, i) = t * 100_000 + i` sums to over `threads` threads.
fn concurrent_sum(threads: i32, calls: i32) -> i64 {
    let per_thread = calls as i64 * (calls as i64 - 1) / 2;
    (0..threads as i64)
        .map(|t| t * 100_000 * calls as i64 + per_thread)
        .sum()
}

/// What a callback records of the calls it got: per C thread index, and
/// which OS threads it ran on.
#[derive(Default)]
struct Seen {
    per_index: [AtomicUsize; 16],
    threads: Mutex<HashSet<ThreadId>>,
}

impl Seen {
    fn record(&self, t: i32, i: i32) {
        self.per_index[t as usize].fetch_add(1, Ordering::Relaxed);
        if i == 0 {
            self.threads.lock().unwrap().insert(thread::current().id());
        }
    }
}

#[test]
fn one_callback_called_from_many_c_threads_at_once() {
    let call = call_concurrently();
    let seen = Arc::new(Seen::default());
    let dynamic = {
        let seen = seen.clone();
        Callback::new(binop(), move |args: &[Value]| {
            let (t, i) = (args[0].to::<i32>().unwrap(), args[1].to::<i32>().unwrap());
            seen.record(t, i);
            Value::Int((t * 100_000 + i) as i128)
        })
        .unwrap()
    };
    let got = call
        .call(&[(&dynamic).into(), C_THREADS.into(), C_CALLS.into()])
        .unwrap();
    assert_eq!(got, Value::Int(concurrent_sum(C_THREADS, C_CALLS) as i128));
    for t in 0..C_THREADS as usize {
        assert_eq!(seen.per_index[t].load(Ordering::Relaxed), C_CALLS as usize);
    }
    let on = seen.threads.lock().unwrap().clone();
    assert_eq!(on.len(), C_THREADS as usize, "one OS thread per C thread");
    assert!(!on.contains(&thread::current().id()));

    // Typed, through a typed call.
    type Binop = TypedCallback<(i32, i32), i32>;
    let typed_call: TypedCFunc<(&Binop, i32, i32), i64> = call.typed().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let typed = {
        let calls = calls.clone();
        Callback::typed(move |t: i32, i: i32| {
            calls.fetch_add(1, Ordering::Relaxed);
            t * 100_000 + i
        })
        .unwrap()
    };
    let got = typed_call.try_call((&typed, C_THREADS, C_CALLS)).unwrap();
    assert_eq!(got, concurrent_sum(C_THREADS, C_CALLS));
    assert_eq!(
        calls.load(Ordering::Relaxed),
        (C_THREADS * C_CALLS) as usize
    );
}

#[test]
fn callbacks_shared_by_rust_threads_that_start_c_threads() {
    const RUST_THREADS: usize = 4;
    let call = call_concurrently();
    type Binop = TypedCallback<(i32, i32), i32>;
    let typed_call: TypedCFunc<(&Binop, i32, i32), i64> = call.typed().unwrap();
    // SAFETY: callback.c: `int apply_binop(int (*op)(int, int), int a, int b)`
    // returns op(a, b), calling op once during the call; op may not be NULL.
    let apply = unsafe {
        callback_lib().function(
            "apply_binop",
            &[binop().into(), CType::Int, CType::Int],
            CType::Int,
        )
    }
    .unwrap();
    let total = Arc::new(AtomicI64::new(0));
    let dynamic = {
        let total = total.clone();
        Callback::new(binop(), move |args: &[Value]| {
            let (t, i) = (args[0].to::<i32>()?, args[1].to::<i32>()?);
            total.fetch_add((t * 100_000 + i) as i64, Ordering::Relaxed);
            Ok::<_, Error>(Value::Int((t * 100_000 + i) as i128))
        })
        .unwrap()
    };
    let typed = Callback::typed(|t: i32, i: i32| t * 100_000 + i).unwrap();
    let start = Barrier::new(RUST_THREADS);
    thread::scope(|s| {
        for r in 0..RUST_THREADS {
            let (call, typed_call, apply, dynamic, typed, start) =
                (&call, &typed_call, &apply, &dynamic, &typed, &start);
            s.spawn(move || {
                start.wait();
                for round in 0..3 {
                    let want = concurrent_sum(4, 2000);
                    if (r + round) % 2 == 0 {
                        let got = call.call(&[dynamic.into(), 4.into(), 2000.into()]).unwrap();
                        assert_eq!(got, Value::Int(want as i128));
                    } else {
                        assert_eq!(typed_call.try_call((typed, 4, 2000)).unwrap(), want);
                    }
                    // The same callbacks, called on this thread meanwhile.
                    for i in 0..500 {
                        let got = apply.call(&[dynamic.into(), (r as i32).into(), i.into()]);
                        assert_eq!(got.unwrap(), Value::Int((r as i128) * 100_000 + i as i128));
                        let got = apply.call(&[(&**typed).into(), 1.into(), i.into()]);
                        assert_eq!(got.unwrap(), Value::Int(100_000 + i as i128));
                    }
                }
            });
        }
    });
    // Dynamic rounds: threads 0 and 2 at rounds 0 and 2, 1 and 3 at round 1.
    let dynamic_rounds = (0..RUST_THREADS)
        .flat_map(|r| (0..3).filter(move |round| (r + round) % 2 == 0))
        .count() as i64;
    let applied: i64 = (0..RUST_THREADS as i64)
        .map(|r| 3 * (500 * r * 100_000 + 500 * 499 / 2))
        .sum();
    assert_eq!(
        total.load(Ordering::Relaxed),
        dynamic_rounds * concurrent_sum(4, 2000) + applied
    );
}

#[test]
fn panics_on_concurrent_c_threads_are_reported_once() {
    let call = call_concurrently();
    let calls = Arc::new(AtomicUsize::new(0));
    let flaky = {
        let calls = calls.clone();
        Callback::new(binop(), move |args: &[Value]| -> Value {
            calls.fetch_add(1, Ordering::Relaxed);
            let (t, i) = (args[0].to::<i32>().unwrap(), args[1].to::<i32>().unwrap());
            if i == 7 {
                panic!("refused ({t}, {i})");
            }
            Value::Int(1)
        })
        .unwrap()
        .with_error_value(Value::Int(-1000))
        .unwrap()
    };
    let err = call
        .call(&[(&flaky).into(), C_THREADS.into(), 1000.into()])
        .unwrap_err();
    let Error::Callback { function, message } = err else {
        panic!("expected a callback error, got {err:?}");
    };
    assert_eq!(function, "call_concurrently");
    assert!(message.contains("panicked: refused ("), "{message}");
    // Every call ran; the failing ones gave C the error value.
    assert_eq!(calls.load(Ordering::Relaxed), (C_THREADS * 1000) as usize);
    assert_eq!(flaky.take_failure(), None, "reported by the call, once");
    // The callback goes on working, on every thread.
    let ok = Callback::new(binop(), |_: &[Value]| Value::Int(1)).unwrap();
    let got = call.call(&[(&ok).into(), C_THREADS.into(), 100.into()]);
    assert_eq!(got.unwrap(), Value::Int((C_THREADS * 100) as i128));
}

#[test]
fn the_allocator_under_contention_from_rust_and_c_threads() {
    const RUST_THREADS: usize = 4;
    const C_THREADS_EACH: usize = 8;
    const ROUNDS: usize = 50;
    // SAFETY: callback.c: `int func_threads(int n, typed_allocator_t
    // allocator)`: n pthreads, all joined before it returns, each allocate 50
    // (index+1)x4 int arrays and fill them with index*1000 + round;
    // allocator may not be NULL.
    let func_threads = unsafe {
        callback_lib().function(
            "func_threads",
            &[CType::Int, Allocator::signature().into()],
            CType::Int,
        )
    }
    .unwrap();
    let alloc = Allocator::new().unwrap();
    thread::scope(|s| {
        for _ in 0..RUST_THREADS {
            let (func_threads, alloc) = (&func_threads, &alloc);
            s.spawn(move || {
                let done = func_threads
                    .call(&[(C_THREADS_EACH as i32).into(), alloc.callback().into()])
                    .unwrap();
                assert_eq!(done, Value::Int(C_THREADS_EACH as i128));
            });
        }
    });
    let arrays = alloc.into_arrays();
    assert_eq!(arrays.len(), RUST_THREADS * C_THREADS_EACH * ROUNDS);
    let distinct: HashSet<usize> = arrays.iter().map(|a| a.as_ptr() as usize).collect();
    assert_eq!(
        distinct.len(),
        arrays.len(),
        "every array has its own memory"
    );
    let mut fills: HashMap<(usize, i32), usize> = HashMap::new();
    for a in &arrays {
        let t = a.shape()[0] - 1;
        let v = a.view::<i32>().unwrap();
        let first = v[[0, 0]];
        assert!(v.iter().all(|&x| x == first), "one writer per array");
        assert_eq!(first as usize / 1000, t);
        *fills.entry((t, first % 1000)).or_default() += 1;
    }
    assert_eq!(fills.len(), C_THREADS_EACH * ROUNDS);
    assert!(fills.values().all(|&n| n == RUST_THREADS), "{fills:?}");
}

#[test]
fn threads_writing_one_c_global_never_tear_it() {
    // SAFETY: abi.c defines `long long shared_word` and `long double
    // shared_precise`, which only this test uses, C only when asked below;
    // `shared_word_value` and `shared_precise_value` return them.
    let (word, precise, word_in_c, precise_in_c) = unsafe {
        (
            abi().variable("shared_word", CType::LongLong).unwrap(),
            abi().variable("shared_precise", CType::LongDouble).unwrap(),
            abi()
                .function("shared_word_value", &[], CType::LongLong)
                .unwrap(),
            abi()
                .function("shared_precise_value", &[], CType::LongDouble)
                .unwrap(),
        )
    };
    // Two values per thread whose halves differ: a torn read mixes them.
    let words = |t: i64| {
        [
            0x0101_0101_0101_0101 * (t + 1),
            -0x0001_0001_0001_0001 * (t + 1),
        ]
    };
    let floats = |t: i64| [1.5 + t as f64, -2.75e-300 * (t + 1) as f64];
    let start = Barrier::new(THREADS);
    thread::scope(|s| {
        for t in 0..THREADS as i64 {
            let (word, precise, start) = (&word, &precise, &start);
            s.spawn(move || {
                start.wait();
                for i in 0..CALLS as usize {
                    word.set(&words(t)[i % 2].into()).unwrap();
                    precise.set(&floats(t)[i % 2].into()).unwrap();
                    let w = word.get().to::<i64>().unwrap();
                    assert!(
                        (0..THREADS as i64).any(|u| words(u).contains(&w)),
                        "torn {w:#x}"
                    );
                    let f = precise.get().to::<f64>().unwrap();
                    assert!(
                        (0..THREADS as i64).any(|u| floats(u).contains(&f)),
                        "torn {f:e}"
                    );
                }
            });
        }
    });
    // C reads the last value written, whole.
    assert_eq!(word_in_c.call(&[]).unwrap(), word.get());
    let last = precise.get().to::<f64>().unwrap();
    assert_eq!(precise_in_c.call(&[]).unwrap().to::<f64>().unwrap(), last);
}
