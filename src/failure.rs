//! Where a callback's failure (a panic, or a result it could not give) goes
//! so that the call that was running reports it.
//!
//! A checked call ([`CFunc::call`](crate::CFunc::call),
//! [`TypedCFunc::try_call`](crate::TypedCFunc::try_call)) opens a
//! [`CallScope`] on its thread for the time C runs. A callback that fails on
//! that thread leaves its message in the scope, and the call returns it as
//! [`Error::Callback`](crate::Error::Callback). A callback that fails on a
//! thread with no scope open (a thread C created) leaves it in the callback's
//! own [`FailureSlot`]; the checked calls that were lent that callback look
//! there when C returns, and [`Callback::take_failure`](crate::Callback::take_failure)
//! reads it otherwise.

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

// The bookkeeping every checked call does is one thread-local with no
// destructor (a plain thread-pointer access, no lazy registration): how
// deep the checked calls on this thread are nested, with a bit that says
// whether failures are waiting. Opening a call adds one, closing it takes
// one away and tests that bit; the messages themselves are read only when
// one is waiting.
thread_local! {
    /// Checked calls running on this thread (nested through callbacks),
    /// plus [`WAITING`] while `FAILURES` holds anything.
    static CALLS: Cell<u32> = const { Cell::new(0) };
    /// The first failure of each running call that has one, with the depth
    /// of that call.
    static FAILURES: RefCell<Vec<(u32, String)>> = const { RefCell::new(Vec::new()) };
}

/// The bit of `CALLS` set while failures are waiting; the bits below count
/// the calls.
const WAITING: u32 = 1 << 31;

/// A checked call running on this thread: failures of callbacks on this
/// thread are kept for it until [`exit`](Self::exit). A failure belongs to
/// the innermost call running when it happened, so an inner call does not
/// report its enclosing call's failure.
///
/// A call's depth is the count of calls running when it closes, which is
/// the count when it opened as long as inner calls close first: they do,
/// since one dropped without `exit` (by a panic) closes too.
pub(crate) struct CallScope {
    /// Scopes are opened with `enter` only.
    _opened: (),
}

impl CallScope {
    /// Opens a scope for a call about to enter C.
    #[inline]
    pub(crate) fn enter() -> CallScope {
        CALLS.with(|c| c.set(c.get() + 1));
        CallScope { _opened: () }
    }

    /// Closes the scope when C has returned: the first failure recorded
    /// during the call, if any.
    #[inline]
    pub(crate) fn exit(self) -> Option<String> {
        std::mem::forget(self);
        let left = close();
        if left & WAITING == 0 {
            return None;
        }
        take_failure_at((left & !WAITING) + 1)
    }
}

impl Drop for CallScope {
    /// A scope left without `exit` (a panic between the two) still closes,
    /// so that the depths of the calls around it stay right.
    fn drop(&mut self) {
        close();
    }
}

/// Takes one call off this thread's count; what is left.
#[inline]
fn close() -> u32 {
    CALLS.with(|c| {
        let left = c.get() - 1;
        c.set(left);
        left
    })
}

/// Sets or clears the waiting bit to match `failures`.
fn mark_waiting(failures: &[(u32, String)]) {
    CALLS.with(|c| {
        let calls = c.get() & !WAITING;
        c.set(if failures.is_empty() {
            calls
        } else {
            calls | WAITING
        });
    });
}

/// The failure recorded for the call at `depth`, removed (with any left by
/// deeper calls that never closed).
#[cold]
#[inline(never)]
fn take_failure_at(depth: u32) -> Option<String> {
    FAILURES
        .try_with(|f| {
            let mut failures = f.borrow_mut();
            let mut found = None;
            failures.retain_mut(|(d, message)| {
                if *d == depth {
                    found = Some(std::mem::take(message));
                }
                *d < depth
            });
            mark_waiting(&failures);
            found
        })
        .ok()
        .flatten()
}

/// Records a failure for the call running on this thread; gives the message
/// back when no checked call is running here.
fn record_in_scope(message: String) -> Option<String> {
    let depth = CALLS.with(Cell::get) & !WAITING;
    if depth == 0 {
        return Some(message);
    }
    let mut message = Some(message);
    let _ = FAILURES.try_with(|f| {
        let mut failures = f.borrow_mut();
        // Keep the first failure: later ones are usually its consequences.
        if !failures.iter().any(|(d, _)| *d == depth) {
            failures.push((depth, message.take().unwrap_or_default()));
            mark_waiting(&failures);
        } else {
            message = None;
        }
    });
    message
}

/// A callback's own record of a failure no running call on its thread took.
#[derive(Default)]
pub(crate) struct FailureSlot {
    set: AtomicBool,
    message: Mutex<Option<String>>,
}

impl FailureSlot {
    /// Records `message` for the call running on this thread, or here.
    pub(crate) fn record(&self, message: String) {
        if let Some(message) = record_in_scope(message) {
            let mut slot = self.message.lock().unwrap_or_else(|e| e.into_inner());
            if slot.is_none() {
                *slot = Some(message);
            }
            self.set.store(true, Ordering::Release);
        }
    }

    /// Takes the recorded failure, if any.
    #[inline]
    pub(crate) fn take(&self) -> Option<String> {
        if !self.set.load(Ordering::Acquire) {
            return None;
        }
        let mut slot = self.message.lock().unwrap_or_else(|e| e.into_inner());
        self.set.store(false, Ordering::Release);
        slot.take()
    }
}

/// The failure slot of every callback around the zero-sized closure type
/// `F`. Such callbacks share one trampoline, which has no pointer to a
/// callback of its own, so they share where failures outside a checked call
/// are kept.
pub(crate) fn type_slot<F: 'static>() -> Arc<FailureSlot> {
    static SLOTS: LazyLock<Mutex<HashMap<TypeId, Arc<FailureSlot>>>> =
        LazyLock::new(Mutex::default);
    SLOTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(TypeId::of::<F>())
        .or_default()
        .clone()
}

/// The message a panic carried (`panic!("...")` gives a `&str` or a
/// `String`), and the payload dropped where its drop cannot unwind.
pub(crate) fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let message = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    };
    drop_payload(payload);
    message
}

/// Drops a panic's payload, whose own drop may panic: that panic is caught
/// too, and a payload of it that panics again on drop is kept for good. A
/// callback runs under C, and a panic unwinding into C aborts the process.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    /// Payloads that panic whenever dropped: never dropped, and listed so
    /// that leak checkers see them reachable rather than lost.
    static UNDROPPABLE: std::sync::Mutex<Vec<Box<dyn Any + Send>>> =
        std::sync::Mutex::new(Vec::new());
    let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) else {
        return;
    };
    if let Err(third) = panic::catch_unwind(AssertUnwindSafe(move || drop(again))) {
        UNDROPPABLE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(third);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_goes_to_the_innermost_call_on_this_thread() {
        let slot = FailureSlot::default();
        let outer = CallScope::enter();
        slot.record("first".into());
        slot.record("second".into());
        let inner = CallScope::enter();
        assert_eq!(inner.exit(), None, "the outer call's failure is set aside");
        let inner = CallScope::enter();
        slot.record("inner".into());
        assert_eq!(inner.exit().as_deref(), Some("inner"));
        assert_eq!(outer.exit().as_deref(), Some("first"), "the first is kept");
        assert_eq!(slot.take(), None, "taken by the calls, not the callback");
    }

    #[test]
    fn each_call_gets_only_its_own_failure() {
        let slot = FailureSlot::default();
        let outer = CallScope::enter();
        let inner = CallScope::enter();
        slot.record("inner".into());
        assert_eq!(inner.exit().as_deref(), Some("inner"));
        let sibling = CallScope::enter();
        assert_eq!(sibling.exit(), None, "taken by the call it happened in");
        assert_eq!(outer.exit(), None);
        // A scope dropped without `exit` (a panic in between) does not
        // hand its failure on.
        let outer = CallScope::enter();
        let lost = CallScope::enter();
        slot.record("lost".into());
        drop(lost);
        assert_eq!(outer.exit(), None);
        assert_eq!(CALLS.with(Cell::get), 0, "no call running, nothing waiting");
    }

    #[test]
    fn with_no_call_running_the_callback_keeps_it() {
        let slot = FailureSlot::default();
        slot.record("alone".into());
        let scope = CallScope::enter();
        assert_eq!(scope.exit(), None);
        assert_eq!(slot.take().as_deref(), Some("alone"));
        assert_eq!(slot.take(), None);
    }

    #[test]
    fn panic_messages_are_read_from_str_and_string_payloads() {
        let p = std::panic::catch_unwind(|| panic!("plain")).unwrap_err();
        assert_eq!(panic_message(p), "plain");
        let p = std::panic::catch_unwind(|| panic!("formatted {}", 7)).unwrap_err();
        assert_eq!(panic_message(p), "formatted 7");
        let p = std::panic::catch_unwind(|| std::panic::panic_any(3u8)).unwrap_err();
        assert_eq!(panic_message(p), "a panic with a non-string payload");
    }

    /// Panics on drop, with a payload that panics on drop while `depth` is
    /// more than 0.
    struct Bomb(u32);

    impl Drop for Bomb {
        fn drop(&mut self) {
            if self.0 > 0 {
                std::panic::panic_any(Bomb(self.0 - 1));
            }
        }
    }

    #[test]
    fn payloads_that_panic_on_drop_do_not_unwind() {
        for depth in [1, 2, 3, 100] {
            let p = std::panic::catch_unwind(|| std::panic::panic_any(Bomb(depth))).unwrap_err();
            assert_eq!(panic_message(p), "a panic with a non-string payload");
        }
    }
}
