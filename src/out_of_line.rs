//! A wrapper whose contents are dropped by a function of their own.
//!
//! Every dynamic call drops its argument [`Value`](crate::Value)s and its
//! result. The compiler inlines that drop, and then sees that an
//! `Int` needs nothing, only while `Value`'s drop glue is small. The few
//! variants that hold reference-counted type descriptions (an array's data
//! type, an owned struct's layout) keep them in an [`OutOfLine`], so each
//! of those costs one call in the glue instead of its whole teardown.

use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};

/// `T`, dropped by a call to a function that is never inlined.
pub(crate) struct OutOfLine<T>(ManuallyDrop<T>);

impl<T> OutOfLine<T> {
    pub(crate) fn new(value: T) -> Self {
        OutOfLine(ManuallyDrop::new(value))
    }
}

impl<T> Drop for OutOfLine<T> {
    #[inline]
    fn drop(&mut self) {
        drop_contents(&mut self.0);
    }
}

#[inline(never)]
fn drop_contents<T>(contents: &mut ManuallyDrop<T>) {
    // SAFETY: called once, from `OutOfLine::drop`; nothing reads the
    // contents afterwards.
    unsafe { ManuallyDrop::drop(contents) }
}

impl<T> Deref for OutOfLine<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for OutOfLine<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Clone> Clone for OutOfLine<T> {
    fn clone(&self) -> Self {
        OutOfLine::new(T::clone(self))
    }
}

impl<T: PartialEq> PartialEq for OutOfLine<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: fmt::Debug> fmt::Debug for OutOfLine<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        T::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::OutOfLine;

    #[test]
    fn drops_its_contents_once() {
        let shared = Arc::new(1);
        let wrapped = OutOfLine::new(shared.clone());
        let copy = wrapped.clone();
        assert_eq!(Arc::strong_count(&shared), 3);
        assert_eq!(wrapped, copy);
        drop(wrapped);
        drop(copy);
        assert_eq!(Arc::strong_count(&shared), 1);
    }
}
