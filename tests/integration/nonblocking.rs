//! Non-blocking calls: run on a bounded pool of workers, awaited from two
//! executors (a minimal one written here, and `futures-executor`), with
//! the blocking call's results, errors, errno and callback failures.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

use rctypes::{
    CFunc, CType, CallFuture, Callback, FromResult, Result, Signature, StringBuffer, Value,
    WorkerPool,
};

use crate::common::{abi, compute_mean, fibseries, lib};

/// The smallest executor: polls one future, parking the thread until its
/// waker is called. It also counts the wakes, to show the worker woke it.
struct Unpark {
    thread: Thread,
    wakes: AtomicUsize,
}

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.thread.unpark();
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    block_on_counting(future, || {}).0
}

/// Runs `future` to its end, calling `pending` after the first poll if that
/// found it pending; also says how many times it was woken.
fn block_on_counting<F: Future>(future: F, pending: impl FnOnce()) -> (F::Output, usize) {
    let unpark = Arc::new(Unpark {
        thread: std::thread::current(),
        wakes: AtomicUsize::new(0),
    });
    let waker = Waker::from(unpark.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    let mut pending = Some(pending);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return (out, unpark.wakes.load(Ordering::SeqCst));
        }
        if let Some(pending) = pending.take() {
            pending();
        }
        std::thread::park();
    }
}

/// Drives several futures on this one thread, polling each when woken,
/// and gives their outputs in order.
fn join_all<F: Future + Unpin>(mut futures: Vec<F>) -> Vec<F::Output> {
    let unpark = Arc::new(Unpark {
        thread: std::thread::current(),
        wakes: AtomicUsize::new(0),
    });
    let waker = Waker::from(unpark);
    let mut cx = Context::from_waker(&waker);
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    while outputs.iter().any(Option::is_none) {
        for (future, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none()
                && let Poll::Ready(v) = Pin::new(future).poll(&mut cx)
            {
                *out = Some(v);
            }
        }
        if outputs.iter().any(Option::is_none) {
            std::thread::park();
        }
    }
    outputs.into_iter().flatten().collect()
}

fn fib() -> CFunc {
    // SAFETY: fibonacci.c's `int fib(int)`, thread-safe.
    unsafe { lib("fibonacci").function("fib", &[CType::Int], CType::Int) }.unwrap()
}

fn message<T: std::fmt::Debug>(r: Result<T>) -> String {
    r.expect_err("an error").to_string()
}

#[test]
fn results_and_errors_match_blocking_calls_on_both_executors() {
    let f = fib();
    let run: [fn(CallFuture<i32>) -> Result<i32>; 2] = [block_on, futures_executor::block_on];
    for block_on in run {
        assert_eq!(block_on(f.spawn((8,))).unwrap(), 13);
        assert_eq!(
            message(block_on(f.spawn((1i64 << 40,)))),
            message(f.invoke::<i32>((1i64 << 40,)))
        );
        assert_eq!(
            message(block_on(f.spawn(("eight",)))),
            message(f.call(&["eight".into()]))
        );
        assert_eq!(
            message(block_on(f.spawn(()))),
            "fib: expected 1 argument, given 0"
        );
    }
    // Owned arrays, lent to C on the worker.
    let mean = compute_mean();
    let a = vec![1.0f32, 2.0, 3.0, 4.0];
    assert_eq!(
        futures_executor::block_on(mean.spawn::<f32, _>((a.clone(), 4))).unwrap(),
        mean.invoke::<f32>((&a, 4)).unwrap()
    );
    let err = message(futures_executor::block_on(
        mean.spawn::<f32, _>((a.clone(), 5)),
    ));
    // Moved to the worker, the vector is lent writable, as `&mut` is.
    let mut b = a.clone();
    assert_eq!(err, message(mean.invoke::<f32>((&mut b, 5))));
}

#[test]
fn the_worker_wakes_the_task() {
    // gate_wait blocks its worker until the gate opens; this library's gate
    // is used by this test alone.
    let gate = lib("gate");
    // SAFETY: gate.c's functions; gate_wait blocks until gate_open.
    let fns = unsafe {
        gate.declare_all(
            "int gate_wait(int id); int gate_waiting(void); int gate_most_waiting(void);
             void gate_open(void); void gate_reset(void);",
        )
    }
    .unwrap();
    let () = fns.invoke("gate_reset", ()).unwrap();
    let pool = WorkerPool::new(2);
    let f = fns.get("gate_wait").unwrap();
    // Five calls on two workers: the spawns return at once, while C blocks.
    let mut calls = (0..5).map(|id| f.spawn_on::<i32, _>(&pool, (id,)));
    let first = calls.next().unwrap();
    let rest: Vec<CallFuture<i32>> = calls.collect();
    while fns.invoke::<i32>("gate_waiting", ()).unwrap() < 2 {
        std::thread::yield_now();
    }
    assert!(!first.is_finished() && rest.iter().all(|c| !c.is_finished()));
    // Once the first call is pending, the gate opens on another thread: the
    // worker that finishes wakes this one.
    let mut opener = None;
    let (one, wakes) = block_on_counting(first, || {
        let fns = fns.clone();
        opener = Some(std::thread::spawn(move || {
            let () = fns.invoke("gate_open", ()).unwrap();
        }));
    });
    opener.expect("the first poll was pending").join().unwrap();
    assert_eq!(one.unwrap(), 0);
    assert!(wakes >= 1);
    let rest: Vec<i32> = join_all(rest).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(rest, [2, 4, 6, 8]);
    // Never more than the pool's two at once, and two did run together.
    assert_eq!(fns.invoke::<i32>("gate_most_waiting", ()).unwrap(), 2);
    assert!(pool.threads() <= 2);
    assert_eq!(pool.max_threads(), 2);
}

#[test]
fn errno_comes_back_to_the_thread_that_awaits() {
    // SAFETY: abi.c's `int set_errno_to(int)` sets errno, returns -1.
    let f = unsafe { abi().declare("int set_errno_to(int value)") }
        .unwrap()
        .with_errno();
    rctypes::set_errno(0);
    assert_eq!(block_on(f.spawn::<i32, _>((7,))).unwrap(), -1);
    assert_eq!(rctypes::get_errno(), 7);
    assert_eq!(
        futures_executor::block_on(f.spawn::<i32, _>((11,))).unwrap(),
        -1
    );
    assert_eq!(rctypes::get_errno(), 11);
    // A function that does not capture errno leaves this thread's copy alone.
    assert_eq!(block_on(fib().spawn::<i32, _>((8,))).unwrap(), 13);
    assert_eq!(rctypes::get_errno(), 11);
}

#[test]
fn callback_panics_come_back_as_errors() {
    let binop = Signature::new([CType::Int, CType::Int], CType::Int);
    // SAFETY: callback.c: `int apply_binop(int (*op)(int, int), int a, int b)`
    // calls op once, during the call.
    let apply = unsafe {
        lib("callback").function(
            "apply_binop",
            &[CType::FuncPtr(binop.clone().into()), CType::Int, CType::Int],
            CType::Int,
        )
    }
    .unwrap();
    let add = Arc::new(Callback::typed(|a: i32, b: i32| a + b).unwrap());
    assert_eq!(
        block_on(apply.spawn::<i32, _>((add.clone(), 2, 3))).unwrap(),
        5
    );
    assert_eq!(block_on(apply.spawn::<i32, _>((add, 20, 3))).unwrap(), 23);
    let broken = Callback::new(binop, |_: &[Value]| -> Value { panic!("no answer") }).unwrap();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let err = message(futures_executor::block_on(
        apply.spawn::<i32, _>((broken, 2, 3)),
    ));
    std::panic::set_hook(hook);
    assert!(
        err.starts_with("apply_binop: ") && err.contains("no answer"),
        "{err}"
    );
}

/// A result conversion that panics, on the worker.
#[derive(Debug)]
struct Refuses;

impl FromResult for Refuses {
    fn from_result(_: Value<'static>) -> Result<Self> {
        panic!("refused on the worker")
    }
}

#[test]
fn a_panic_outside_c_resumes_where_the_future_is_polled() {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let caught = catch_unwind(AssertUnwindSafe(|| {
        block_on(fib().spawn::<Refuses, _>((8,)))
    }));
    std::panic::set_hook(hook);
    let payload = caught.expect_err("the panic resumes here");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"refused on the worker")
    );
    // The pool's worker survived it.
    assert_eq!(block_on(fib().spawn::<i32, _>((9,))).unwrap(), 21);
}

#[test]
fn buffers_come_back_with_the_result() {
    let f = fibseries();
    let call = f.spawn_returning_args::<(), _>((vec![1, 2, 3, 4, 5, 6], 6, vec![0; 6]));
    let ((), (input, n, series)) = futures_executor::block_on(call).unwrap();
    assert_eq!((input.len(), n), (6, 6));
    assert_eq!(series, [0, 1, 1, 2, 3, 5]);

    // SAFETY: abi.c's `int fill_buffer(char *buf, int size, int seed)`
    // writes at most `size` bytes to buf.
    let fill =
        unsafe { abi().declare("int fill_buffer(char buf[size], int size, int seed)") }.unwrap();
    let direct = {
        let mut buf = StringBuffer::new(16);
        let n: i32 = fill.invoke((&mut buf, 16, 3)).unwrap();
        (n, buf.to_str().unwrap().to_owned())
    };
    let (n, (buf, _, _)) =
        block_on(fill.spawn_returning_args::<i32, _>((StringBuffer::new(16), 16, 3))).unwrap();
    assert_eq!((n, buf.to_str().unwrap().to_owned()), direct);
}
