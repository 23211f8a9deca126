//! Typed callbacks whose closures borrow from their arguments: a `T*` C
//! gives for the callback to fill, as `&mut T`, and the user data the
//! caller lent, as `&T` or `&mut T`, each for the duration of one call.

use std::ffi::c_void;
use std::marker::PhantomData;
use std::ptr::NonNull;

use super::closure::Callback;
use super::lend::{Borrow, user_data_type};
use super::typed::{CallbackArg, CallbackArgs, CallbackFn, CallbackRet, TypedCallback};
use crate::error::Result;
use crate::sealed::{Sealed, SealedData};
use crate::types::CType;
use crate::value::CData;

/// A Rust type a typed callback made by [`Callback::typed_borrowing`] takes
/// as one argument from C: every [`CallbackArg`] (given to the closure as
/// itself), [`ByMut<T>`] (given as `&mut T`), and [`UserData<T>`] and
/// [`UserDataMut<T>`] (given as `&T` and `&mut T`).
///
/// ```
/// use rctypes::{ByMut, CType, CallbackParam, UserData};
/// assert_eq!(<ByMut<i32>>::ctype(), CType::pointer(CType::Int));
/// assert_eq!(<i32 as CallbackParam>::ctype(), CType::Int);
/// assert_eq!(<UserData<String>>::ctype(), UserData::<String>::ctype());
/// ```
///
/// # Safety
///
/// `Raw` must be the C representation of `ctype()`; `hold` must be sound
/// for every value C may pass of that type (a pointer checked for null and
/// alignment; that it is otherwise valid is the promise of the binding that
/// passes the callback to C), and `arg` must give the closure only what
/// `held` owns or borrows. Sealed, as [`CallbackArg`] is.
pub unsafe trait CallbackParam: 'static + SealedData {
    /// What C passes.
    type Raw: Copy;
    /// What lives across the closure's call (a borrow to give back after).
    #[doc(hidden)]
    type Held;
    /// What the closure gets, borrowing from `Held`.
    type Arg<'a>;
    /// The C type of the argument.
    fn ctype() -> CType;
    /// Takes the argument C passed, or says why it cannot be taken.
    ///
    /// # Safety
    ///
    /// `raw` is an argument C passed for `ctype()`.
    #[doc(hidden)]
    unsafe fn hold(raw: Self::Raw) -> std::result::Result<Self::Held, String>;
    /// The closure's argument.
    ///
    /// # Safety
    ///
    /// Called at most once for each `held`.
    #[doc(hidden)]
    unsafe fn arg(held: &mut Self::Held) -> Self::Arg<'_>;
    /// The memory the closure gets a reference to, as (address, size,
    /// whether the reference is `&mut`).
    #[doc(hidden)]
    fn region(_held: &Self::Held) -> Option<Region> {
        None
    }
}

// SAFETY: forwarded to CallbackArg, whose value is moved out of `held` once.
unsafe impl<T: CallbackArg> CallbackParam for T {
    type Raw = T::Raw;
    type Held = Option<T>;
    type Arg<'a> = T;
    fn ctype() -> CType {
        <T as CallbackArg>::ctype()
    }
    #[inline(always)]
    unsafe fn hold(raw: T::Raw) -> std::result::Result<Option<T>, String> {
        // SAFETY: the caller's promise.
        unsafe { T::from_raw(raw) }.map(Some)
    }
    #[inline(always)]
    unsafe fn arg(held: &mut Option<T>) -> T {
        // SAFETY: `hold` made it Some, and this is its only `arg`.
        unsafe { held.take().unwrap_unchecked() }
    }
}

/// A `T*` argument C gives a callback to write through (an `int *out_len`
/// to fill): the closure of [`Callback::typed_borrowing`] gets it as
/// `&mut T`, for the duration of the call only (the closure is called for
/// every lifetime, so the reference cannot escape it).
///
/// A null or misaligned pointer from C, or one overlapping another
/// reference argument of the same call (another `ByMut`, the user data), is the callback's failure: the
/// closure is not called, C receives the error value, and the outer call
/// reports it. `T` is a [`CData`] type, whose every bit pattern C may store
/// is valid.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{ByMut, Callback, CType, TypedCFunc, TypedCallback};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("real_apis_callbacks", rctypes_csrc::DIR)? };
/// let fill = CType::func_ptr([CType::Int, CType::pointer(CType::Int)], CType::Int);
/// // SAFETY: `int total_lengths(fill_t cb, int n)` calls cb(i, &len) for i
/// // in 0..n, with len a local int, and sums the lengths.
/// let total = unsafe { lib.function("total_lengths", &[fill, CType::Int], CType::Int)? };
/// let total: TypedCFunc<(&TypedCallback<(i32, ByMut<i32>), i32>, i32), i32> = total.typed()?;
/// let cb: TypedCallback<(i32, ByMut<i32>), i32> =
///     Callback::typed_borrowing(|i: i32, len: &mut i32| {
///         *len = 10 * i;
///         0
///     })?;
/// assert_eq!(total.call((&cb, 4)), 60);
/// # Ok(()) }
/// ```
pub struct ByMut<T>(PhantomData<fn() -> T>);

impl<T: CData> SealedData for ByMut<T> {}

// SAFETY: the pointer is checked for null, alignment, and (in the call)
// overlap with the other arguments given as references; otherwise it points to a `T`
// C lets the callback write during the call, by the promise of the binding
// that passed the callback to C. Every value C stores there is a valid `T`
// (CData), and Rust writes only valid ones.
unsafe impl<T: CData> CallbackParam for ByMut<T> {
    type Raw = *mut T;
    type Held = NonNull<T>;
    type Arg<'a> = &'a mut T;
    fn ctype() -> CType {
        CType::pointer(T::ctype())
    }
    #[inline(always)]
    unsafe fn hold(raw: *mut T) -> std::result::Result<NonNull<T>, String> {
        let Some(ptr) = NonNull::new(raw) else {
            return Err(format!(
                "null pointer where a {} was to be written",
                T::ctype()
            ));
        };
        if !ptr.as_ptr().is_aligned() {
            return Err(format!(
                "pointer {ptr:p} is not aligned for a {} (alignment {})",
                T::ctype(),
                align_of::<T>()
            ));
        }
        Ok(ptr)
    }
    #[inline(always)]
    unsafe fn arg(held: &mut NonNull<T>) -> &mut T {
        // SAFETY: see the impl's comment; the borrow of `held` bounds it.
        unsafe { held.as_mut() }
    }
    fn region(held: &NonNull<T>) -> Option<Region> {
        Some((held.as_ptr() as usize, size_of::<T>(), true))
    }
}

/// A `void *user_data` argument, given to the closure of
/// [`Callback::typed_borrowing`] as `&T`: the value the caller lent to the
/// outer call with [`lend`](crate::lend). See [`Lent`](crate::Lent) for how
/// it travels and what is checked.
///
/// ```
/// use rctypes::{Callback, CType, TypedCallback, UserData};
/// let cb: TypedCallback<(i32, UserData<String>), i32> =
///     Callback::typed_borrowing(|n: i32, name: &String| n + name.len() as i32)?;
/// let user_data = UserData::<String>::ctype();
/// assert_eq!(cb.ctype(), CType::func_ptr([CType::Int, user_data], CType::Int));
/// # Ok::<(), rctypes::Error>(())
/// ```
pub struct UserData<T>(PhantomData<fn() -> T>);

/// A `void *user_data` argument, given to the closure of
/// [`Callback::typed_borrowing`] as `&mut T`: the value the caller lent to
/// the outer call with [`lend_mut`](crate::lend_mut). See
/// [`Lent`](crate::Lent) for how it travels and what is checked.
///
/// ```
/// use rctypes::{Callback, CType, TypedCallback, UserDataMut};
/// let cb: TypedCallback<(i32, UserDataMut<Vec<i32>>), ()> =
///     Callback::typed_borrowing(|n: i32, seen: &mut Vec<i32>| seen.push(n))?;
/// assert_eq!(cb.signature().args()[1], UserDataMut::<Vec<i32>>::ctype());
/// # Ok::<(), rctypes::Error>(())
/// ```
pub struct UserDataMut<T>(PhantomData<fn() -> T>);

impl<T: 'static> UserData<T> {
    /// The C type to declare for the `void *user_data` parameter, of the
    /// outer function and of the callback: the opaque pointer type
    /// [`CType::handle`]`("user data T")`, which takes only a `T` lent with
    /// [`lend`](crate::lend) or [`lend_mut`](crate::lend_mut).
    ///
    /// ```
    /// use rctypes::{CType, UserData, UserDataMut};
    /// assert_eq!(UserData::<u64>::ctype(), CType::handle("user data u64"));
    /// assert_eq!(UserDataMut::<u64>::ctype(), UserData::<u64>::ctype());
    /// ```
    pub fn ctype() -> CType {
        user_data_type::<T>()
    }
}

impl<T: 'static> UserDataMut<T> {
    /// The C type to declare for the `void *user_data` parameter: the same
    /// as [`UserData::ctype`].
    ///
    /// ```
    /// use rctypes::{CType, UserDataMut};
    /// assert_eq!(UserDataMut::<u64>::ctype(), CType::handle("user data u64"));
    /// ```
    pub fn ctype() -> CType {
        user_data_type::<T>()
    }
}

impl<T: 'static> SealedData for UserData<T> {}
impl<T: 'static> SealedData for UserDataMut<T> {}

// SAFETY: `Borrow::shared` gives a `T` only for an address lent as a `T`
// with `lend` (T: Sync) whose lending scope is still open; the scope waits
// for the borrow to end before it closes.
unsafe impl<T: 'static> CallbackParam for UserData<T> {
    type Raw = *mut c_void;
    type Held = Borrow<T>;
    type Arg<'a> = &'a T;
    fn ctype() -> CType {
        user_data_type::<T>()
    }
    unsafe fn hold(raw: *mut c_void) -> std::result::Result<Borrow<T>, String> {
        Borrow::take(raw, false)
    }
    unsafe fn arg(held: &mut Borrow<T>) -> &T {
        held.get()
    }
    fn region(held: &Borrow<T>) -> Option<Region> {
        Some(held.region())
    }
}

// SAFETY: `Borrow::exclusive` gives a `T` only for an address lent as a `T`
// with `lend_mut` (T: Send) whose lending scope is still open, and to one
// callback at a time; the scope waits for the borrow to end.
unsafe impl<T: 'static> CallbackParam for UserDataMut<T> {
    type Raw = *mut c_void;
    type Held = Borrow<T>;
    type Arg<'a> = &'a mut T;
    fn ctype() -> CType {
        user_data_type::<T>()
    }
    unsafe fn hold(raw: *mut c_void) -> std::result::Result<Borrow<T>, String> {
        Borrow::take(raw, true)
    }
    unsafe fn arg(held: &mut Borrow<T>) -> &mut T {
        held.get_mut()
    }
    fn region(held: &Borrow<T>) -> Option<Region> {
        Some(held.region())
    }
}

/// The seal's marker for [`BorrowingFn`].
pub struct Borrowed;

/// A Rust closure that can be a typed callback with arguments `Args` and
/// result `Ret` through [`Callback::typed_borrowing`]: any
/// `for<'a> Fn(A0::Arg<'a>, ...) -> Ret + Send + Sync + 'static` of up to
/// sixteen [`CallbackParam`]s. Sealed: implemented for those closures only.
///
/// ```
/// use rctypes::{BorrowingFn, ByMut, Callback, TypedCallback};
/// fn fill<F: BorrowingFn<(ByMut<u8>,), ()>>(f: F) -> TypedCallback<(ByMut<u8>,), ()> {
///     Callback::typed_borrowing(f).unwrap()
/// }
/// let cb = fill(|out: &mut u8| *out = 1);
/// assert_eq!(cb.signature().to_string(), "CFUNCTYPE(None, POINTER(c_ubyte))");
/// ```
pub trait BorrowingFn<Args: CallbackArgs, Ret: CallbackRet>:
    Send + Sync + 'static + Sealed<(Args, Ret, Borrowed)>
{
    /// Reads the arguments C passed and calls the closure.
    ///
    /// # Safety
    ///
    /// `args` holds one pointer per argument, each to a value of its `Raw`
    /// type, as libffi passes them.
    #[doc(hidden)]
    unsafe fn invoke_borrowing(
        &self,
        args: *const *const c_void,
    ) -> std::result::Result<Ret::Raw, String>;
}

/// A [`BorrowingFn`] as the [`CallbackFn`] a typed callback runs.
struct Borrowing<F, Args> {
    f: F,
    _args: PhantomData<fn(Args)>,
}

impl<F, Args: CallbackArgs, Ret: CallbackRet> Sealed<(Args, Ret)> for Borrowing<F, Args> where
    F: BorrowingFn<Args, Ret>
{
}

impl<F, Args: CallbackArgs, Ret: CallbackRet> CallbackFn<Args, Ret> for Borrowing<F, Args>
where
    F: BorrowingFn<Args, Ret>,
{
    #[inline(always)]
    unsafe fn invoke(&self, args: *const *const c_void) -> std::result::Result<Ret::Raw, String> {
        // SAFETY: forwarded.
        unsafe { self.f.invoke_borrowing(args) }
    }
}

impl Callback {
    /// A typed callback whose closure borrows from its arguments: a
    /// [`ByMut<T>`] argument arrives as `&mut T`, a [`UserData<T>`] or
    /// [`UserDataMut<T>`] as `&T` or `&mut T`, any other [`CallbackArg`] as
    /// itself. The references live for the call only: the closure must take
    /// them for every lifetime, so none can escape it.
    ///
    /// Name the argument tuple in the result's type (Rust cannot work it out
    /// from a closure that takes references), and the closure's argument
    /// types. It runs through a libffi closure, and catches panics and
    /// reports failures as [`Callback::typed`]'s do.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{Callback, CType, TypedCallback, UserDataMut, Value};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("real_apis_callbacks", rctypes_csrc::DIR)? };
    /// let user_data = UserDataMut::<Vec<i32>>::ctype();
    /// let item_cb = CType::func_ptr([CType::Int, user_data.clone()], CType::Int);
    /// let items = CType::const_pointer(CType::Int).extent(rctypes::Extent::ElementsFromArg(2));
    /// // SAFETY: `int foreach_item(const int *items, int n, item_cb_t cb,
    /// // void *user_data)` calls cb(items[i], user_data) for each item during
    /// // the call, and sums what it returned.
    /// let foreach = unsafe {
    ///     lib.function("foreach_item", &[items, CType::Int, item_cb, user_data], CType::Int)?
    /// };
    /// let keep_even: TypedCallback<(i32, UserDataMut<Vec<i32>>), i32> =
    ///     Callback::typed_borrowing(|item: i32, kept: &mut Vec<i32>| {
    ///         if item % 2 == 0 {
    ///             kept.push(item);
    ///         }
    ///         item
    ///     })?;
    /// let mut kept = Vec::new();
    /// let sum = rctypes::lend_mut(&mut kept, |kept| {
    ///     foreach.call(&[(&[1, 2, 3, 4][..]).into(), 4.into(), (&*keep_even).into(), kept.into()])
    /// })?;
    /// assert_eq!((sum.to::<i32>()?, kept), (10, vec![2, 4]));
    /// # Ok(()) }
    /// ```
    pub fn typed_borrowing<Args, Ret, F>(f: F) -> Result<TypedCallback<Args, Ret>>
    where
        Args: CallbackArgs,
        Ret: CallbackRet,
        F: BorrowingFn<Args, Ret>,
    {
        Callback::typed(Borrowing {
            f,
            _args: PhantomData,
        })
    }
}

/// Memory a closure's argument refers to: address, size, and whether the
/// reference is `&mut`.
pub type Region = (usize, usize, bool);

/// Refuses arguments whose memory overlaps where one of them is `&mut`: the
/// closure would get aliasing references (C passed a pointer twice, or into
/// the user data).
fn check_aliasing(regions: &[Option<Region>]) -> std::result::Result<(), String> {
    let regions: Vec<(usize, Region)> = regions
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.map(|r| (i, r)))
        .collect();
    for (n, &(i, (a, a_len, a_mut))) in regions.iter().enumerate() {
        for &(j, (b, b_len, b_mut)) in &regions[n + 1..] {
            if (a_mut || b_mut) && a < b + b_len.max(1) && b < a + a_len.max(1) {
                return Err(format!(
                    "arguments {} and {} point to overlapping memory, which the closure \
                     would get as aliasing references",
                    i + 1,
                    j + 1
                ));
            }
        }
    }
    Ok(())
}

macro_rules! borrowing_arity {
    ($($a:ident $i:tt),*) => {
        impl<Func, Ret, $($a),*> Sealed<(($($a,)*), Ret, Borrowed)> for Func
        where
            Func: for<'x> Fn($($a::Arg<'x>),*) -> Ret + Send + Sync + 'static,
            Ret: CallbackRet,
            $($a: CallbackParam,)*
        {
        }

        impl<Func, Ret, $($a),*> BorrowingFn<($($a,)*), Ret> for Func
        where
            Func: for<'x> Fn($($a::Arg<'x>),*) -> Ret + Send + Sync + 'static,
            Ret: CallbackRet,
            $($a: CallbackParam,)*
        {
            #[inline(always)]
            #[allow(non_snake_case, unused_variables, unused_mut)]
            unsafe fn invoke_borrowing(
                &self,
                args: *const *const c_void,
            ) -> std::result::Result<Ret::Raw, String> {
                $(
                    // SAFETY: the caller's promise: argument $i is a $a::Raw.
                    let mut $a = unsafe { $a::hold((*args.add($i) as *const $a::Raw).read()) }
                        .map_err(|e| format!("argument {}: {e}", $i + 1))?;
                )*
                check_aliasing(&[$($a::region(&$a)),*])?;
                // SAFETY: each held argument is given once.
                (self)($(unsafe { $a::arg(&mut $a) }),*).into_raw()
            }
        }
    };
}

super::for_each_arity!(borrowing_arity);

#[cfg(test)]
mod tests {
    use super::check_aliasing;

    #[test]
    fn references_that_would_alias_are_refused() {
        // Two `&mut` to the same int, or a `&mut` into shared user data.
        let err = check_aliasing(&[None, Some((64, 4, true)), Some((64, 4, true))]).unwrap_err();
        assert!(
            err.starts_with("arguments 2 and 3 point to overlapping memory"),
            "{err}"
        );
        assert!(check_aliasing(&[Some((64, 16, false)), Some((72, 4, true))]).is_err());
        // Shared references may overlap; disjoint ones never clash.
        assert!(check_aliasing(&[Some((64, 16, false)), Some((72, 4, false))]).is_ok());
        assert!(check_aliasing(&[Some((64, 4, true)), Some((68, 4, true))]).is_ok());
    }
}
