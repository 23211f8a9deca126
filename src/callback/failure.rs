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

use std::any::Any;
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    /// How many checked calls are running on this thread (nested through
    /// callbacks), and the first failure of the innermost one.
    static SCOPE: ScopeState = const {
        ScopeState { depth: Cell::new(0), pending: Cell::new(None) }
    };
}

struct ScopeState {
    depth: Cell<u32>,
    pending: Cell<Option<String>>,
}

/// A checked call running on this thread: failures of callbacks on this
/// thread are kept for it until [`exit`](Self::exit).
pub(crate) struct CallScope {
    /// A failure of the enclosing call, set aside while this one runs.
    outer: Option<String>,
}

impl CallScope {
    /// Opens a scope for a call about to enter C.
    #[inline]
    pub(crate) fn enter() -> CallScope {
        let outer = SCOPE.with(|s| {
            s.depth.set(s.depth.get() + 1);
            s.pending.take()
        });
        CallScope { outer }
    }

    /// Closes the scope when C has returned: the first failure recorded
    /// during the call, if any.
    #[inline]
    pub(crate) fn exit(self) -> Option<String> {
        SCOPE.with(|s| {
            s.depth.set(s.depth.get() - 1);
            s.pending.replace(self.outer)
        })
    }
}

/// Records a failure for the call running on this thread; gives the message
/// back when no checked call is running here.
fn record_in_scope(message: String) -> Option<String> {
    let mut message = Some(message);
    let _ = SCOPE.try_with(|s| {
        if s.depth.get() > 0 {
            let first = s.pending.take();
            // Keep the first failure: later ones are usually its consequences.
            s.pending.set(first.or(message.take()));
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

/// The message a panic carried (`panic!("...")` gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
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
        assert_eq!(panic_message(&*p), "plain");
        let p = std::panic::catch_unwind(|| panic!("formatted {}", 7)).unwrap_err();
        assert_eq!(panic_message(&*p), "formatted 7");
        let p = std::panic::catch_unwind(|| std::panic::panic_any(3u8)).unwrap_err();
        assert_eq!(panic_message(&*p), "a panic with a non-string payload");
    }
}
