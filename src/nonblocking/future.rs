//! The future of a call running on a worker: the worker fills a shared
//! slot and wakes the task that polled last.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use crate::error::{Error, Result};

/// The result of a call running on a worker thread
/// ([`CFunc::spawn`](crate::CFunc::spawn)): a plain [`Future`], driven by
/// any executor (tokio, async-std, smol, `futures::executor`, or a loop
/// around [`Future::poll`]), with no runtime of its own.
///
/// It resolves to the call's result, or to its error: arguments refused by
/// the checks, a callback that panicked or failed while C ran, a result
/// check. For a function bound [`with_errno`](crate::CFunc::with_errno),
/// the `errno` C left becomes the private copy
/// ([`get_errno`](crate::get_errno)) of the thread that sees the result,
/// as after a blocking call. A panic outside C (a [`FromResult`](crate::FromResult)
/// conversion's) resumes in the task that polls.
///
/// Dropping it does not stop the call: C runs to the end on its worker,
/// and the result is dropped there.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::Library;
/// // SAFETY: C's own signature.
/// let labs = unsafe { Library::this()?.declare("long labs(long v)")? };
/// let call = labs.spawn::<i64, _>((-3,));
/// println!("{call:?}"); // CallFuture(running), or finished already
/// assert_eq!(futures_executor::block_on(call)?, 3);
/// # Ok(()) }
/// ```
#[must_use = "the call runs anyway; its result and errors come only through the future"]
pub struct CallFuture<T> {
    slot: Arc<Slot<T>>,
}

/// Where the worker leaves the outcome.
pub(crate) struct Slot<T> {
    state: Mutex<State<T>>,
}

enum State<T> {
    /// Running; the waker of the task that polled last.
    Running(Option<Waker>),
    Done(Outcome<T>),
    /// The outcome was handed out.
    Taken,
}

/// What a worker hands back.
pub(crate) enum Outcome<T> {
    /// The call's result, and the private `errno` to set where it is seen.
    Finished(Result<T>, Option<i32>),
    /// A panic outside C, resumed where the future is polled.
    Panicked(Box<dyn Any + Send>),
}

/// The worker's side: completes the slot once. Dropped without completing
/// (its job never ran), it reports that.
pub(crate) struct Completer<T> {
    slot: Option<Arc<Slot<T>>>,
    function: String,
}

impl<T> CallFuture<T> {
    /// A future and the worker's side of it, for a call of `function`.
    pub(crate) fn pair(function: &str) -> (CallFuture<T>, Completer<T>) {
        let slot = Arc::new(Slot {
            state: Mutex::new(State::Running(None)),
        });
        let completer = Completer {
            slot: Some(slot.clone()),
            function: function.to_owned(),
        };
        (CallFuture { slot }, completer)
    }

    /// A future already resolved to `result`.
    pub(crate) fn ready(result: Result<T>) -> CallFuture<T> {
        CallFuture {
            slot: Arc::new(Slot {
                state: Mutex::new(State::Done(Outcome::Finished(result, None))),
            }),
        }
    }

    /// Whether the call has finished (the next poll is ready).
    pub fn is_finished(&self) -> bool {
        !matches!(*self.slot.lock(), State::Running(_))
    }
}

impl<T> Slot<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        // Nothing panics while holding it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T> Completer<T> {
    /// Hands the outcome to the future and wakes its task.
    pub(crate) fn complete(mut self, outcome: Outcome<T>) {
        if let Some(slot) = self.slot.take() {
            let previous = std::mem::replace(&mut *slot.lock(), State::Done(outcome));
            if let State::Running(Some(waker)) = previous {
                waker.wake();
            }
        }
    }
}

impl<T> Drop for Completer<T> {
    fn drop(&mut self) {
        if self.slot.is_some() {
            let error = Error::Worker {
                function: std::mem::take(&mut self.function),
                message: "no worker thread could run the call".into(),
                source: None,
            };
            Completer {
                slot: self.slot.take(),
                function: String::new(),
            }
            .complete(Outcome::Finished(Err(error), None));
        }
    }
}

impl<T> Future for CallFuture<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let mut state = self.slot.lock();
        match &mut *state {
            State::Running(waker) => {
                match waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => *waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            State::Done(_) => {
                let State::Done(outcome) = std::mem::replace(&mut *state, State::Taken) else {
                    unreachable!("matched above")
                };
                drop(state);
                match outcome {
                    Outcome::Finished(result, errno) => {
                        if let Some(errno) = errno {
                            crate::errno::set_errno(errno);
                        }
                        Poll::Ready(result)
                    }
                    Outcome::Panicked(payload) => std::panic::resume_unwind(payload),
                }
            }
            State::Taken => Poll::Ready(Err(Error::Worker {
                function: String::new(),
                message: "the call's future was polled after it gave its result".into(),
                source: None,
            })),
        }
    }
}

impl<T> std::fmt::Debug for CallFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match *self.slot.lock() {
            State::Running(_) => "running",
            State::Done(_) => "finished",
            State::Taken => "taken",
        };
        write!(f, "CallFuture({state})")
    }
}
