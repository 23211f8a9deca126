//! Arguments that can cross to a worker thread: owned, or borrowed for
//! `'static`. A borrow of a local cannot: the worker may outlive it.

use std::borrow::Cow;
use std::ffi::{CStr, CString};
use std::sync::Arc;

use crate::callback::{Callback, TypedCallback};
use crate::sealed::Sealed;
use crate::types::LongDouble;
use crate::value::{Element, Handle, RawPtr, StringBuffer, StructValue, Value};

/// An argument a non-blocking call ([`CFunc::spawn`](crate::CFunc::spawn))
/// moves to its worker thread, then lends to C as a [`Value`] for the call:
/// numbers, owned strings and buffers (`String`, `CString`, `Vec<T>`,
/// `Box<[T]>`, `[T; N]`, [`StringBuffer`], with feature `ndarray` owned
/// arrays), `'static` borrows (`&'static str`, `&'static [T]`), [`Handle`]s,
/// [`StructValue`]s, callbacks, and `Option`s of them (`None` is NULL).
///
/// Owned buffers are lent writable, as `&mut` would be; a
/// [`StructValue`] is lent as `&StructValue` is (by value, or by address
/// to a `const` pointer). Get them back after the call with
/// [`CFunc::spawn_returning_args`](crate::CFunc::spawn_returning_args).
///
/// A borrow of a local does not qualify: the worker may run after the
/// borrow ends.
///
/// ```
/// use rctypes::{OwnedArg, Value};
/// let mut v = vec![1.0f32, 2.0];
/// assert!(matches!(v.lend(), Value::Array(_)));
/// let mut s = String::from("text");
/// assert_eq!(s.lend(), Value::Str("text"));
/// assert_eq!(None::<i32>.lend(), Value::Null);
/// ```
///
/// ```compile_fail
/// # use rctypes::CType;
/// # let lib = unsafe { rctypes::load_library("mean", rctypes_csrc::DIR).unwrap() };
/// # let mean = unsafe { lib.function("compute_mean", &[CType::const_pointer(CType::Float), CType::Int], CType::Float).unwrap() };
/// let local = vec![1.0f32, 2.0];
/// let call = mean.spawn::<f32, _>((&local[..], 2)); // error: `local` does not live long enough
/// ```
pub trait OwnedArg: Send + 'static {
    /// The argument lent to C for one call.
    fn lend(&mut self) -> Value<'_>;
}

/// A tuple of [`OwnedArg`]s: the arguments of a non-blocking call. Sealed:
/// implemented for tuples of up to twelve.
///
/// ```
/// use rctypes::{OwnedArgs, Value};
/// let mut args = (vec![1i32, 2, 3], 3, String::from("s"));
/// let values = args.lend();
/// assert_eq!(values.as_ref()[1], Value::Int(3));
/// ```
pub trait OwnedArgs: Send + 'static + Sealed {
    /// The values lent, in order.
    type Values<'a>: AsRef<[Value<'a>]>;
    /// Lends each argument for one call.
    fn lend(&mut self) -> Self::Values<'_>;
}

macro_rules! by_value {
    ($($t:ty)*) => {$(
        impl OwnedArg for $t {
            #[inline]
            fn lend(&mut self) -> Value<'_> {
                (*self).into()
            }
        }
    )*};
}

by_value!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 usize f32 f64 bool char LongDouble RawPtr);

impl OwnedArg for &'static str {
    fn lend(&mut self) -> Value<'_> {
        Value::Str(self)
    }
}

impl OwnedArg for String {
    fn lend(&mut self) -> Value<'_> {
        Value::Str(self)
    }
}

impl OwnedArg for &'static CStr {
    fn lend(&mut self) -> Value<'_> {
        Value::CStr(Cow::Borrowed(self))
    }
}

impl OwnedArg for CString {
    fn lend(&mut self) -> Value<'_> {
        Value::CStr(Cow::Borrowed(self.as_c_str()))
    }
}

impl<T: Element + Sync> OwnedArg for &'static [T] {
    fn lend(&mut self) -> Value<'_> {
        (*self).into()
    }
}

impl<T: Element + Send> OwnedArg for Vec<T> {
    fn lend(&mut self) -> Value<'_> {
        (&mut self[..]).into()
    }
}

impl<T: Element + Send> OwnedArg for Box<[T]> {
    fn lend(&mut self) -> Value<'_> {
        (&mut self[..]).into()
    }
}

impl<T: Element + Send, const N: usize> OwnedArg for [T; N] {
    fn lend(&mut self) -> Value<'_> {
        self.into()
    }
}

impl OwnedArg for StringBuffer {
    fn lend(&mut self) -> Value<'_> {
        self.into()
    }
}

impl OwnedArg for StructValue {
    fn lend(&mut self) -> Value<'_> {
        (&*self).into()
    }
}

impl OwnedArg for Handle {
    fn lend(&mut self) -> Value<'_> {
        (&*self).into()
    }
}

impl OwnedArg for Callback {
    fn lend(&mut self) -> Value<'_> {
        (&*self).into()
    }
}

impl OwnedArg for Arc<Callback> {
    fn lend(&mut self) -> Value<'_> {
        (&**self).into()
    }
}

impl<Args: 'static, Ret: 'static> OwnedArg for TypedCallback<Args, Ret> {
    fn lend(&mut self) -> Value<'_> {
        (&*self).into()
    }
}

impl<Args: 'static, Ret: 'static> OwnedArg for Arc<TypedCallback<Args, Ret>> {
    fn lend(&mut self) -> Value<'_> {
        (&**self).into()
    }
}

impl<T: OwnedArg> OwnedArg for Option<T> {
    fn lend(&mut self) -> Value<'_> {
        match self {
            Some(t) => t.lend(),
            None => Value::Null,
        }
    }
}

#[cfg(feature = "ndarray")]
impl<A: Element + Send, D: ndarray::Dimension + 'static> OwnedArg for ndarray::Array<A, D> {
    fn lend(&mut self) -> Value<'_> {
        self.into()
    }
}

macro_rules! owned_args {
    ($len:expr; $($a:ident $i:tt),*) => {
        impl<$($a: OwnedArg),*> OwnedArgs for ($($a,)*) {
            type Values<'a> = [Value<'a>; $len];
            #[inline]
            fn lend(&mut self) -> Self::Values<'_> {
                [$(self.$i.lend()),*]
            }
        }
    };
}

crate::func::for_each_tuple!(owned_args);
