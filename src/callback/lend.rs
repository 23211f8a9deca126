//! User data: a Rust value lent to a call as its `void *user_data`, which C
//! hands back to a callback, given to the closure typed.
//!
//! C may hand the callback any pointer, so what comes back is looked up in
//! a record of the values lent right now: the closure gets a reference only
//! for an address lent as its own type, while the lending scope is open
//! (which waits for the callbacks using it to return), and a `&mut` to one
//! callback at a time.

use std::any::{TypeId, type_name};
use std::ffi::c_void;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::sealed::SealedData;
use crate::types::CType;
use crate::value::{CArg, Handle, SameArg, Value};

/// A value lent as user data, while its [`lend`] or [`lend_mut`] scope is
/// open: pass it as the `void *user_data` argument of the call (declared
/// [`UserData::<T>::ctype()`](crate::UserData::ctype)), to a dynamic call as
/// `lent.into()` or to a typed one as `&Lent<T>`. A callback's
/// [`UserData<T>`](crate::UserData) or [`UserDataMut<T>`](crate::UserDataMut)
/// argument then gets it back as `&T` or `&mut T`.
///
/// What C hands back is checked, whatever it is: an address not lent as a
/// `T` right now (C passed another pointer), a shared lend where the
/// callback takes `&mut`, or a `&mut` already given to another running
/// callback, is the callback's failure, reported by the outer call; the
/// closure is not called.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{Callback, CType, Lent, TypedCallback, UserData};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("real_apis_callbacks", rctypes_csrc::DIR)? };
/// let user_data = UserData::<i32>::ctype();
/// let item_cb = CType::func_ptr([CType::Int, user_data.clone()], CType::Int);
/// let items = CType::const_pointer(CType::Int).extent(rctypes::Extent::ElementsFromArg(2));
/// // SAFETY: `int foreach_item(const int *items, int n, item_cb_t cb,
/// // void *user_data)` calls cb(items[i], user_data) for each item during
/// // the call, and sums what it returned.
/// let foreach = unsafe {
///     lib.function("foreach_item", &[items, CType::Int, item_cb, user_data], CType::Int)?
/// };
/// type ItemCb = TypedCallback<(i32, UserData<i32>), i32>;
/// let scaled: ItemCb = Callback::typed_borrowing(|item: i32, factor: &i32| item * factor)?;
/// let sum = rctypes::lend(&10, |factor| {
///     foreach.call(&[(&[1, 2, 3][..]).into(), 3.into(), (&*scaled).into(), factor.into()])
/// })?;
/// assert_eq!(sum.to::<i32>()?, 60);
///
/// // Typed: the slice's extent is vouched for, as typed calls check none.
/// // SAFETY: as above, and 3 is the slice's length.
/// let foreach = unsafe {
///     lib.typed::<(&[i32], i32, &ItemCb, &Lent<i32>), i32>("foreach_item")?
/// };
/// assert_eq!(rctypes::lend(&2, |factor| foreach.call((&[1, 2, 3], 3, &scaled, factor))), 12);
/// # Ok(()) }
/// ```
pub struct Lent<T> {
    handle: Handle,
    _lent: PhantomData<fn() -> T>,
}

/// Lends `value` as user data for the calls `f` makes (see [`Lent`]): a
/// callback taking [`UserData<T>`](crate::UserData) gets `&T`.
///
/// ```
/// let len = rctypes::lend(&21, |lent| lent.type_name().len());
/// assert_eq!(len, "user data i32".len());
/// ```
pub fn lend<T: Sync + 'static, R>(value: &T, f: impl FnOnce(&Lent<T>) -> R) -> R {
    lend_scope(NonNull::from(value).cast(), false, f)
}

/// Lends `value` mutably as user data for the calls `f` makes (see
/// [`Lent`]): a callback taking [`UserDataMut<T>`](crate::UserDataMut) gets
/// `&mut T`, one callback at a time.
///
/// ```
/// let mut log = Vec::<i32>::new();
/// rctypes::lend_mut(&mut log, |lent| assert!(lent.type_name().ends_with("Vec<i32>")));
/// ```
pub fn lend_mut<T: Send + 'static, R>(value: &mut T, f: impl FnOnce(&Lent<T>) -> R) -> R {
    lend_scope(NonNull::from(value).cast(), true, f)
}

impl<T: 'static> Lent<T> {
    /// The handle type it passes as (the name of
    /// [`UserData::<T>::ctype()`](crate::UserData::ctype)).
    ///
    /// ```
    /// assert_eq!(rctypes::lend(&1u8, |lent| lent.type_name().to_owned()), "user data u8");
    /// ```
    pub fn type_name(&self) -> &str {
        self.handle.type_name()
    }
}

/// One value lent right now.
struct Entry {
    id: u64,
    addr: usize,
    type_id: TypeId,
    mutable: bool,
    /// Callbacks holding a `&T` to it.
    readers: usize,
    /// Whether a callback holds a `&mut T` to it.
    writer: bool,
}

struct Record {
    next_id: u64,
    entries: Vec<Entry>,
}

/// The values lent right now, and the signal that a borrow of one ended.
static LENT: Mutex<Record> = Mutex::new(Record {
    next_id: 0,
    entries: Vec::new(),
});
static RETURNED: Condvar = Condvar::new();

/// The record; a panic never leaves it half-changed, so a poisoned lock is
/// still good.
fn record() -> MutexGuard<'static, Record> {
    LENT.lock().unwrap_or_else(|e| e.into_inner())
}

/// The handle type user data of type `T` passes as.
pub(super) fn user_data_type<T: 'static>() -> CType {
    CType::handle(&user_data_name::<T>())
}

fn user_data_name<T: 'static>() -> String {
    format!("user data {}", type_name::<T>())
}

/// Records the lend, runs `f`, and ends the lend once no callback still
/// holds it, even if `f` panics.
fn lend_scope<T: 'static, R>(
    addr: NonNull<c_void>,
    mutable: bool,
    f: impl FnOnce(&Lent<T>) -> R,
) -> R {
    let id = {
        let mut record = record();
        let id = record.next_id;
        record.next_id += 1;
        record.entries.push(Entry {
            id,
            addr: addr.as_ptr() as usize,
            type_id: TypeId::of::<T>(),
            mutable,
            readers: 0,
            writer: false,
        });
        id
    };
    let _end = EndLend(id);
    let lent = Lent {
        handle: Handle::lent(user_data_name::<T>().into(), addr.as_ptr() as usize),
        _lent: PhantomData,
    };
    f(&lent)
}

/// Ends a lend when dropped, after the callbacks using it return.
struct EndLend(u64);

impl Drop for EndLend {
    fn drop(&mut self) {
        let mut record = record();
        loop {
            let Some(i) = record.entries.iter().position(|e| e.id == self.0) else {
                return;
            };
            let entry = &record.entries[i];
            if entry.readers == 0 && !entry.writer {
                record.entries.swap_remove(i);
                return;
            }
            record = RETURNED.wait(record).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// A callback's borrow of user data, given back when dropped.
pub struct Borrow<T> {
    id: u64,
    ptr: NonNull<T>,
    mutable: bool,
}

impl<T: 'static> Borrow<T> {
    /// Borrows the value lent at `raw` as a `T` (mutably or not), or says
    /// why it cannot be.
    pub(super) fn take(raw: *mut c_void, mutable: bool) -> Result<Borrow<T>, String> {
        let addr = raw as usize;
        let mut record = record();
        let ours = |e: &&mut Entry| e.addr == addr && e.type_id == TypeId::of::<T>();
        let Some(entry) = record.entries.iter_mut().find(ours) else {
            return Err(format!(
                "user data {raw:p} is not a {} lent to this call (C passed another pointer)",
                type_name::<T>()
            ));
        };
        match (entry.mutable, mutable) {
            (false, true) => {
                return Err(format!(
                    "user data {} was lent shared (rctypes::lend); the callback takes it \
                     mutably (UserDataMut): lend it with rctypes::lend_mut",
                    type_name::<T>()
                ));
            }
            (true, false) => {
                return Err(format!(
                    "user data {} was lent mutably (rctypes::lend_mut); the callback takes it \
                     shared (UserData): lend it with rctypes::lend",
                    type_name::<T>()
                ));
            }
            (true, true) if entry.writer => {
                return Err(format!(
                    "user data {} is already borrowed mutably by a callback still running",
                    type_name::<T>()
                ));
            }
            (true, true) => entry.writer = true,
            (false, false) => entry.readers += 1,
        }
        Ok(Borrow {
            id: entry.id,
            // `addr` came from a NonNull when it was lent.
            ptr: NonNull::new(raw).unwrap_or(NonNull::dangling()).cast(),
            mutable,
        })
    }

    /// The memory borrowed: address, size, whether `&mut`.
    pub(super) fn region(&self) -> (usize, usize, bool) {
        (self.ptr.as_ptr() as usize, size_of::<T>(), self.mutable)
    }

    /// The value, shared.
    pub(super) fn get(&self) -> &T {
        // SAFETY: lent shared as a T (T: Sync) by a scope that stays open
        // while this borrow lives, with no `&mut` given out.
        unsafe { self.ptr.as_ref() }
    }

    /// The value, exclusively.
    pub(super) fn get_mut(&mut self) -> &mut T {
        // SAFETY: lent mutably as a T (T: Send) by a scope that stays open
        // while this borrow lives, and to this borrow alone.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T> Drop for Borrow<T> {
    fn drop(&mut self) {
        let mut record = record();
        if let Some(entry) = record.entries.iter_mut().find(|e| e.id == self.id) {
            if self.mutable {
                entry.writer = false;
            } else {
                entry.readers -= 1;
            }
        }
        drop(record);
        RETURNED.notify_all();
    }
}

impl<T> SealedData for &Lent<T> {}

// SAFETY: an opaque address C is only to hand back; it stays lent while the
// borrow of the Lent lasts, which covers the call.
unsafe impl<T: 'static> CArg for &Lent<T> {
    type Raw = *mut c_void;
    fn ctype() -> CType {
        user_data_type::<T>()
    }
    fn accepts(declared: &CType) -> bool {
        *declared.bare() == Self::ctype()
    }
    #[inline(always)]
    fn into_raw(self) -> *mut c_void {
        self.handle.addr() as *mut c_void
    }
}

// SAFETY: the same lent address, whatever the borrow's lifetime.
unsafe impl<T: 'static> SameArg<&Lent<T>> for &Lent<T> {
    #[inline(always)]
    fn into_raw_as(self) -> *mut c_void {
        self.handle.addr() as *mut c_void
    }
}

impl<'a, T> From<&'a Lent<T>> for Value<'a> {
    fn from(lent: &'a Lent<T>) -> Self {
        Value::Handle(&lent.handle)
    }
}
