//! Handles in the typed layer: the handle type's name is a Rust type, so a
//! typed call checks it once, when bound, and never again.

use std::ffi::c_void;
use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;

use crate::error::Error;
use crate::sealed::SealedData;
use crate::types::{CType, Extent, Terms};
use crate::value::{CArg, CRet, Handle, SameArg};

/// A handle type named in Rust: `NAME` is the name given to
/// [`CType::handle`], so a [`TypedHandle<Self>`] goes only where a handle of
/// that name is declared. Declare one with [`handle_type!`](crate::handle_type).
///
/// ```
/// use rctypes::HandleType;
/// rctypes::handle_type!(pub struct Sqlite3 = "sqlite3");
/// assert_eq!(Sqlite3::NAME, "sqlite3");
/// ```
pub trait HandleType: 'static {
    /// The handle type's name, as declared with [`CType::handle`].
    const NAME: &'static str;
}

/// Declares a handle type: a marker type, never constructed, whose
/// [`HandleType::NAME`] is the string given.
///
/// ```
/// use rctypes::{CType, HandleType};
/// rctypes::handle_type! {
///     /// SQLite's database connection.
///     pub struct Sqlite3 = "sqlite3";
/// }
/// assert_eq!(CType::handle(Sqlite3::NAME), CType::handle("sqlite3"));
/// ```
#[macro_export]
macro_rules! handle_type {
    ($(#[$meta:meta])* $vis:vis struct $name:ident = $c_name:literal $(;)?) => {
        $(#[$meta])*
        $vis struct $name(::core::convert::Infallible);

        impl $crate::HandleType for $name {
            const NAME: &'static str = $c_name;
        }
    };
}

/// An opaque handle C gave, typed by its [`HandleType`]: the typed layer's
/// [`Handle`]. A typed call takes `&TypedHandle<H>` where a handle `H::NAME`
/// is declared, and the handle itself, moved, where the declaration
/// [`releases`](CType::releases) it, so that using it after it is closed
/// does not compile. `&mut Option<TypedHandle<H>>` receives one through a
/// `T**` out-parameter, and `Option<TypedHandle<H>>` is a function's result.
///
/// Like [`Handle`] it is neither `Clone` nor `Sync`, and
/// `Option<TypedHandle<H>>` is one pointer, NULL for `None`.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Library, TypedHandle};
/// rctypes::handle_type!(struct RhDb = "rh_db");
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { Library::open(rctypes_csrc::library("real_apis_handles"))? };
/// let db = CType::handle("rh_db");
/// // SAFETY: real_apis_handles.c's `int rh_open(const char *name, rh_db **out)`
/// // writes a new rh_db (or NULL) through `out`; `int rh_name_len(const rh_db *)`
/// // reads one; `int rh_close(rh_db *)` ends it.
/// let (open, name_len, close) = unsafe {
///     (
///         lib.function("rh_open", &[CType::CharP, CType::pointer(db.clone())], CType::Int)?,
///         lib.function("rh_name_len", &[db.clone()], CType::Int)?,
///         lib.function("rh_close", &[db.releases()], CType::Int)?,
///     )
/// };
/// let open = open.typed::<(&std::ffi::CStr, &mut Option<TypedHandle<RhDb>>), i32>()?;
/// let name_len = name_len.typed::<(&TypedHandle<RhDb>,), i32>()?;
/// let close = close.typed::<(TypedHandle<RhDb>,), i32>()?;
///
/// let mut slot = None;
/// assert_eq!(open.call((c"people", &mut slot)), 0);
/// let handle = slot.expect("C wrote a handle");
/// assert_eq!(name_len.call((&handle,)), 6);
/// assert_eq!(close.call((handle,)), 0); // moved: no use after this compiles
/// # Ok(()) }
/// ```
#[repr(transparent)]
pub struct TypedHandle<H: HandleType> {
    ptr: NonNull<c_void>,
    /// Not Sync (and, by itself, not Send) as a raw pointer is not.
    _type: PhantomData<*mut H>,
}

// SAFETY: as `Handle`, it may move to another thread: whether the functions
// it goes to may run there is part of the promise made when declaring them.
unsafe impl<H: HandleType> Send for TypedHandle<H> {}

impl<H: HandleType> TypedHandle<H> {
    /// The address, for printing or comparing (reading through it is up to
    /// `unsafe` code).
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Library, TypedHandle};
    /// rctypes::handle_type!(struct File = "FILE");
    /// let libc = Library::this()?;
    /// // SAFETY: tmpfile returns a new FILE* or NULL; fclose ends it.
    /// let (tmpfile, fclose) = unsafe {
    ///     (
    ///         libc.function("tmpfile", &[], CType::handle("FILE"))?,
    ///         libc.function("fclose", &[CType::handle("FILE").releases()], CType::Int)?,
    ///     )
    /// };
    /// let f = tmpfile.typed::<(), Option<TypedHandle<File>>>()?.call(()).expect("a FILE");
    /// assert_ne!(f.addr(), 0);
    /// assert_eq!(fclose.typed::<(TypedHandle<File>,), i32>()?.call((f,)), 0);
    /// # Ok(()) }
    /// ```
    pub fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }
}

impl<H: HandleType> fmt::Debug for TypedHandle<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TypedHandle({} at {:#x})", H::NAME, self.addr())
    }
}

/// Handles are equal when they are the same address.
impl<H: HandleType> PartialEq for TypedHandle<H> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}

/// The dynamic form of the same handle, for [`CFunc::call`](crate::CFunc::call).
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Handle, Library, TypedHandle};
/// rctypes::handle_type!(struct File = "FILE");
/// let libc = Library::this()?;
/// // SAFETY: tmpfile returns a new FILE* or NULL; fclose ends it.
/// let (tmpfile, fclose) = unsafe {
///     (
///         libc.function("tmpfile", &[], CType::handle("FILE"))?,
///         libc.function("fclose", &[CType::handle("FILE").releases()], CType::Int)?,
///     )
/// };
/// let f = tmpfile.typed::<(), Option<TypedHandle<File>>>()?.call(()).expect("a FILE");
/// let f = Handle::from(f);
/// assert_eq!(f.type_name(), "FILE");
/// assert_eq!(fclose.call(&[(&f).into()])?.to::<i32>()?, 0);
/// # Ok(()) }
/// ```
impl<H: HandleType> From<TypedHandle<H>> for Handle {
    fn from(h: TypedHandle<H>) -> Handle {
        Handle::new(H::NAME.into(), h.addr())
    }
}

/// The typed form of a dynamic handle: refused, and given back in the
/// [`HandleRefused`], if it is of another handle type or released.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Library, TypedHandle};
/// rctypes::handle_type!(struct File = "FILE");
/// rctypes::handle_type!(struct Sqlite3 = "sqlite3");
/// let libc = Library::this()?;
/// // SAFETY: tmpfile returns a new FILE* or NULL; fclose ends it.
/// let (tmpfile, fclose) = unsafe {
///     (
///         libc.function("tmpfile", &[], CType::handle("FILE"))?,
///         libc.function("fclose", &[CType::handle("FILE").releases()], CType::Int)?,
///     )
/// };
/// let f = tmpfile.call(&[])?.into_handle()?;
/// let refused = TypedHandle::<Sqlite3>::try_from(f).unwrap_err();
/// assert!(refused.to_string().contains("handle FILE"), "{refused}");
/// let f = TypedHandle::<File>::try_from(refused.into_handle())?;
/// assert_eq!(fclose.typed::<(TypedHandle<File>,), i32>()?.call((f,)), 0);
/// # Ok(()) }
/// ```
impl<H: HandleType> TryFrom<Handle> for TypedHandle<H> {
    type Error = HandleRefused;

    fn try_from(h: Handle) -> Result<Self, HandleRefused> {
        let addr = h.pass(H::NAME).and_then(|addr| {
            NonNull::new(addr as *mut c_void).ok_or_else(|| format!("handle {} at NULL", H::NAME))
        });
        match addr {
            Ok(ptr) => Ok(TypedHandle {
                ptr,
                _type: PhantomData,
            }),
            Err(given) => Err(HandleRefused {
                error: Error::Conversion {
                    expected: CType::handle(H::NAME).to_string(),
                    given,
                },
                handle: h,
            }),
        }
    }
}

/// A [`Handle`] that did not convert to a [`TypedHandle`], given back with
/// why: it is of another handle type, or released. Converts into an
/// [`Error`] for `?`.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Library, TypedHandle};
/// rctypes::handle_type!(struct Sqlite3 = "sqlite3");
/// let libc = Library::this()?;
/// // SAFETY: tmpfile returns a new FILE* or NULL; fclose ends it.
/// let (tmpfile, fclose) = unsafe {
///     (
///         libc.function("tmpfile", &[], CType::handle("FILE"))?,
///         libc.function("fclose", &[CType::handle("FILE").releases()], CType::Int)?,
///     )
/// };
/// let f = tmpfile.call(&[])?.into_handle()?;
/// let refused = TypedHandle::<Sqlite3>::try_from(f).unwrap_err();
/// assert!(matches!(refused.error(), rctypes::Error::Conversion { .. }));
/// let f = refused.into_handle(); // not lost: still to close
/// assert_eq!(fclose.call(&[(&f).into()])?.to::<i32>()?, 0);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct HandleRefused {
    error: Error,
    handle: Handle,
}

impl HandleRefused {
    /// Why the handle was refused.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The handle, unchanged.
    pub fn into_handle(self) -> Handle {
        self.handle
    }
}

impl fmt::Display for HandleRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for HandleRefused {}

impl From<HandleRefused> for Error {
    fn from(refused: HandleRefused) -> Error {
        refused.error
    }
}

/// Whether `declared` is a handle called `name`, and whether it releases.
fn handle_declared(declared: &CType, name: &str) -> Option<bool> {
    let releases = matches!(declared, CType::Contract(c) if c.releases());
    matches!(declared.bare(), CType::Handle(n) if **n == *name).then_some(releases)
}

impl<H: HandleType> SealedData for TypedHandle<H> {}
impl<H: HandleType> SealedData for &TypedHandle<H> {}
impl<H: HandleType> SealedData for &mut Option<TypedHandle<H>> {}
impl<H: HandleType> SealedData for Option<TypedHandle<H>> {}

// SAFETY: the address C gave, lent for a call that does not end it (the
// declaration's promise); the handle stays usable after.
unsafe impl<H: HandleType> CArg for &TypedHandle<H> {
    type Raw = *mut c_void;
    fn ctype() -> CType {
        CType::handle(H::NAME)
    }
    fn accepts(declared: &CType) -> bool {
        handle_declared(declared, H::NAME) == Some(false)
    }
    #[inline(always)]
    fn into_raw(self) -> *mut c_void {
        self.ptr.as_ptr()
    }
}

// SAFETY: the address C gave, moved into the call that ends it: no Rust
// value is left to pass it again.
unsafe impl<H: HandleType> CArg for TypedHandle<H> {
    type Raw = *mut c_void;
    fn ctype() -> CType {
        CType::handle(H::NAME).releases()
    }
    fn accepts(declared: &CType) -> bool {
        handle_declared(declared, H::NAME) == Some(true)
    }
    #[inline(always)]
    fn into_raw(self) -> *mut c_void {
        self.ptr.as_ptr()
    }
}

// SAFETY: `Option<TypedHandle<H>>` is one nullable pointer (NonNull's niche
// under `repr(transparent)`), so C writes a handle or NULL straight into
// it: a `name` by the declaration's promise. The slot is set to None before
// the call, so C never finds the handle it held; that handle is forgotten,
// not ended.
unsafe impl<H: HandleType> CArg for &mut Option<TypedHandle<H>> {
    type Raw = *mut *mut c_void;
    fn ctype() -> CType {
        CType::pointer(CType::handle(H::NAME))
    }
    fn accepts(declared: &CType) -> bool {
        let Terms {
            pointer, extent, ..
        } = Terms::of(declared);
        let out =
            matches!(pointer, CType::Pointer(p) if handle_declared(p, H::NAME) == Some(false));
        out && extent == Extent::One
    }
    #[inline(always)]
    fn into_raw(self) -> *mut *mut c_void {
        *self = None;
        (self as *mut Option<TypedHandle<H>>).cast()
    }
}

// SAFETY: a handle C returns, a `name` by the declaration's promise; NULL
// becomes None.
// Received where it would be lent: a handle type not releasing.
unsafe impl<H: HandleType> CRet for Option<TypedHandle<H>> {
    type Raw = *mut c_void;
    fn ctype() -> CType {
        <&TypedHandle<H>>::ctype()
    }
    fn accepts(declared: &CType) -> bool {
        <&TypedHandle<H>>::accepts(declared)
    }
    #[inline(always)]
    unsafe fn from_raw(raw: *mut c_void) -> Self {
        NonNull::new(raw).map(|ptr| TypedHandle {
            ptr,
            _type: PhantomData,
        })
    }
}

macro_rules! same_handle_arg {
    ($($t:ty => $raw:ty),*) => {$(
        // SAFETY: the declared type passes itself.
        unsafe impl<H: HandleType> SameArg<$t> for $t {
            #[inline(always)]
            fn into_raw_as(self) -> $raw {
                self.into_raw()
            }
        }
    )*};
}

same_handle_arg!(
    TypedHandle<H> => *mut c_void,
    &TypedHandle<H> => *mut c_void,
    &mut Option<TypedHandle<H>> => *mut *mut c_void
);

/// A typed handle is not `Sync`: the impl below would make the name
/// ambiguous (and this fail to compile) if it were.
#[cfg(test)]
mod not_sync {
    trait AmbiguousIfSync<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfSync<()> for T {}
    struct IfSync;
    impl<T: ?Sized + Sync> AmbiguousIfSync<IfSync> for T {}

    crate::handle_type!(struct Db = "db");

    const _: fn() = || <super::TypedHandle<Db> as AmbiguousIfSync<_>>::check();
}
