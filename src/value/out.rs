//! Pointer out-parameters: a `T**` C writes an address through, filled in
//! after the call as a [`Handle`], an offset into a string argument, or an
//! [`AllocatedCStr`].

use std::cell::Cell;
use std::ffi::{CStr, c_char, c_void};
use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;

use crate::error::Mismatch;
use crate::types::CType;
use crate::value::{Handle, Keep, Value};

/// An out slot lent to one call: the pointer-sized word C writes through
/// the `T**` it is passed as, and where its meaning goes after the call.
/// Made by [`Value::out_handle`], [`Value::out_offset`] and
/// [`Value::out_str`].
pub struct Out<'a> {
    /// What C writes: an address, NULL before the call.
    word: Cell<*mut c_void>,
    target: Target<'a>,
}

enum Target<'a> {
    Handle(&'a Cell<Option<Handle>>),
    Offset(&'a Cell<Option<usize>>),
    Str(&'a Cell<Option<AllocatedCStr>>),
}

impl<'a> Value<'a> {
    /// An out slot for a `T**` parameter declared
    /// `CType::pointer(CType::handle(name))`, such as `sqlite3_open`'s
    /// `sqlite3 **ppDb`. After the call the slot holds the [`Handle`] C
    /// wrote, typed `name` (so it goes only where that handle type is
    /// declared), or `None` if C wrote NULL.
    ///
    /// C finds NULL in the `T*` it writes through: the slot's handle is
    /// never lent to it. A slot still holding a handle not yet released is
    /// refused, as overwriting it would lose that handle: `take()` it
    /// first. What C writes is trusted to be a `name` (the declaration's
    /// promise), as is a handle a function returns: a garbage address
    /// would be passed to the functions declared to take a `name`.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Handle, Library, Value};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { Library::open(rctypes_csrc::library("real_apis_handles"))? };
    /// let db = CType::handle("rh_db");
    /// // SAFETY: real_apis_handles.c's `int rh_open(const char *name, rh_db **out)`
    /// // writes a new rh_db (or NULL) through `out`; `int rh_close(rh_db *)` ends it.
    /// let (open, close) = unsafe {
    ///     (
    ///         lib.function("rh_open", &[CType::CharP, CType::pointer(db.clone())], CType::Int)?,
    ///         lib.function("rh_close", &[db.releases()], CType::Int)?,
    ///     )
    /// };
    /// let mut handle: Option<Handle> = None;
    /// assert_eq!(open.call(&["people".into(), Value::out_handle(&mut handle)])?.to::<i32>()?, 0);
    /// let handle = handle.expect("C wrote a handle");
    /// assert_eq!(handle.type_name(), "rh_db");
    /// assert_eq!(close.call(&[(&handle).into()])?.to::<i32>()?, 0);
    /// # Ok(()) }
    /// ```
    pub fn out_handle(slot: &'a mut Option<Handle>) -> Value<'a> {
        Value::Out(Out::new(Target::Handle(Cell::from_mut(slot))))
    }

    /// An out slot for a `char **endptr` parameter (declared
    /// `CType::pointer(CType::CharP)`) through which C reports a position in
    /// a string argument of the same call, as `strtod` does. After the call
    /// the slot holds the byte offset of that position in the string (its
    /// length when C stopped at the terminating NUL), or `None` if C wrote
    /// NULL. An address outside every string argument is an error: no
    /// offset then points anywhere but into the string given.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Library, Value};
    /// let libc = Library::this()?;
    /// // SAFETY: strtod reads a string and writes the address where it
    /// // stopped reading through endptr.
    /// let strtod = unsafe {
    ///     libc.function("strtod", &[CType::CharP, CType::pointer(CType::CharP)], CType::Double)?
    /// };
    /// let mut end = None;
    /// let x = strtod.call(&["2.5 apples".into(), Value::out_offset(&mut end)])?;
    /// assert_eq!((x.to::<f64>()?, end), (2.5, Some(3)));
    /// # Ok(()) }
    /// ```
    pub fn out_offset(slot: &'a mut Option<usize>) -> Value<'a> {
        Value::Out(Out::new(Target::Offset(Cell::from_mut(slot))))
    }

    /// An out slot for a `char **` parameter (declared
    /// `CType::pointer(CType::CharP)`) through which C hands over a string
    /// it allocated, such as `sqlite3_exec`'s `char **errmsg`. After the
    /// call the slot holds the [`AllocatedCStr`], to read and then free
    /// with [`AllocatedCStr::free_with`], or `None` if C wrote NULL.
    ///
    /// A slot still holding a string is refused, as overwriting it would
    /// leak that string: free it first.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{AllocatedCStr, CType, Library, Value};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { Library::open(rctypes_csrc::library("real_apis_handles"))? };
    /// // SAFETY: `int rh_describe(int code, char **out)` writes a string it
    /// // allocated with malloc through `out`; `rh_free` frees it.
    /// let (describe, free) = unsafe {
    ///     (
    ///         lib.function("rh_describe", &[CType::Int, CType::pointer(CType::CharP)], CType::Int)?,
    ///         lib.function("rh_free", &[CType::VoidP.releases()], CType::Void)?,
    ///     )
    /// };
    /// let mut text: Option<AllocatedCStr> = None;
    /// describe.call(&[7.into(), Value::out_str(&mut text)])?;
    /// let text = text.expect("C wrote a string").free_with(&free)?;
    /// assert_eq!(text.to_str().unwrap(), "code 7");
    /// # Ok(()) }
    /// ```
    pub fn out_str(slot: &'a mut Option<AllocatedCStr>) -> Value<'a> {
        Value::Out(Out::new(Target::Str(Cell::from_mut(slot))))
    }
}

impl<'a> Out<'a> {
    fn new(target: Target<'a>) -> Out<'a> {
        Out {
            word: Cell::new(std::ptr::null_mut()),
            target,
        }
    }

    /// What the slot receives, for messages.
    pub(crate) fn describe(&self) -> String {
        match self.target {
            Target::Handle(_) => "out slot for a handle".into(),
            Target::Offset(_) => "out slot for an offset into a string argument".into(),
            Target::Str(_) => "out slot for a string C allocates".into(),
        }
    }

    /// The address C writes through, after checking the slot fits `ty`
    /// (the bare parameter type) and would lose nothing it holds.
    pub(crate) fn pointer_for(&self, ty: &CType) -> Result<*const c_void, Mismatch> {
        let refuse = |why: &str| Mismatch {
            expected: ty.to_string(),
            given: format!("{}, {why}", self.describe()),
        };
        let pointee = match ty {
            CType::Pointer(p) => p.bare(),
            _ => return Err(refuse("which goes only where a writable T** is declared")),
        };
        match (&self.target, pointee) {
            (Target::Handle(slot), CType::Handle(_)) => {
                let held = slot.take();
                let open = held.as_ref().is_some_and(|h| !h.is_released());
                slot.set(held);
                if open {
                    return Err(refuse(
                        "which still holds a handle not released: take() it first",
                    ));
                }
            }
            (Target::Handle(_), _) => {
                return Err(refuse(
                    "which goes where a pointer to a handle type is declared",
                ));
            }
            (Target::Str(slot), CType::CharP) => {
                let held = slot.take();
                let full = held.is_some();
                slot.set(held);
                if full {
                    return Err(refuse(
                        "which still holds a string C allocated: free it first",
                    ));
                }
            }
            (Target::Offset(_), CType::CharP) => {}
            _ => return Err(refuse("which goes where a char** is declared")),
        }
        self.word.set(std::ptr::null_mut());
        Ok(self.word.as_ptr() as *const c_void)
    }

    /// Fills the slot from what C wrote, for a parameter of bare type `ty`.
    /// `strings` are the byte ranges of the call's string arguments.
    fn fill(&self, ty: &CType, strings: &[(usize, usize)]) -> Result<(), Mismatch> {
        let addr = self.word.replace(std::ptr::null_mut());
        match &self.target {
            Target::Handle(slot) => {
                let name = match ty.pointee().map(CType::bare) {
                    Some(CType::Handle(name)) => name.clone(),
                    // Checked before the call.
                    _ => return Ok(()),
                };
                slot.set((!addr.is_null()).then(|| Handle::new(name, addr as usize)));
            }
            Target::Str(slot) => slot.set(NonNull::new(addr.cast()).map(AllocatedCStr)),
            Target::Offset(slot) if addr.is_null() => slot.set(None),
            Target::Offset(slot) => {
                let at = addr as usize;
                let offset = strings
                    .iter()
                    .find(|&&(start, len)| at >= start && at - start < len)
                    .map(|&(start, _)| at - start);
                slot.set(offset);
                if offset.is_none() {
                    return Err(Mismatch {
                        expected: format!("{ty}, an end pointer into a string argument"),
                        given: format!(
                            "address {addr:p}, which C wrote, outside every string argument of the call"
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Fills the out slots among `args` (of declared types `types`) from what C
/// wrote, after the call; the first one C filled wrongly, with its 0-based
/// index. `keep` holds the copies of the strings given as `&str`.
pub(crate) fn fill_out_slots(
    args: &[Value<'_>],
    types: &[CType],
    keep: &Keep,
) -> Result<(), (usize, Mismatch)> {
    let mut strings: Vec<(usize, usize)> = Vec::new();
    let mut outcome = Ok(());
    for (i, (value, ty)) in args.iter().zip(types).enumerate() {
        let Value::Out(out) = value else { continue };
        if matches!(out.target, Target::Offset(_)) && strings.is_empty() {
            strings = string_ranges(args, keep);
        }
        // Every slot is filled, even past one that fails.
        if let Err(m) = out.fill(ty.bare(), &strings) {
            outcome = outcome.and(Err((i, m)));
        }
    }
    outcome
}

/// The byte ranges (start, length with the NUL) of the strings a call lent.
fn string_ranges(args: &[Value<'_>], keep: &Keep) -> Vec<(usize, usize)> {
    let lent = args.iter().filter_map(|v| match v {
        Value::CStr(s) => Some((s.as_ptr() as usize, s.to_bytes_with_nul().len())),
        // A `&str` that ends with its NUL is lent as it stands.
        Value::Str(s) if s.ends_with('\0') => Some((s.as_ptr() as usize, s.len())),
        Value::Array(a) => Some((a.ptr as usize, a.lent_bytes())),
        _ => None,
    });
    lent.chain(keep.held()).collect()
}

impl fmt::Debug for Out<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Out({})", self.describe())
    }
}

/// Out slots are equal when they fill the same place.
impl PartialEq for Out<'_> {
    fn eq(&self, other: &Self) -> bool {
        let at = |t: &Target<'_>| match t {
            Target::Handle(s) => s.as_ptr() as usize,
            Target::Offset(s) => s.as_ptr() as usize,
            Target::Str(s) => s.as_ptr() as usize,
        };
        at(&self.target) == at(&other.target)
    }
}

/// A NUL-terminated string C allocated and handed over through a `char**`
/// out-parameter ([`Value::out_str`]), such as `sqlite3_exec`'s error
/// message: read it here, then free it with the function the C library
/// frees it with, bound by the caller ([`free_with`](Self::free_with)).
///
/// Freeing consumes it, so safe code cannot free it twice or read it after.
/// Dropped without being freed, it leaks. Its contents are trusted to be a
/// string C allocated (the `char**` declaration's promise).
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{AllocatedCStr, CType, Library, Value};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { Library::open(rctypes_csrc::library("real_apis_handles"))? };
/// // SAFETY: `rh_describe` mallocs a string for `out`; `rh_free` frees it.
/// let (describe, free) = unsafe {
///     (
///         lib.function("rh_describe", &[CType::Int, CType::pointer(CType::CharP)], CType::Int)?,
///         lib.function("rh_free", &[CType::VoidP.releases()], CType::Void)?,
///     )
/// };
/// let mut text = None;
/// describe.call(&[42.into(), Value::out_str(&mut text)])?;
/// let text: AllocatedCStr = text.unwrap();
/// assert_eq!(text.to_str(), Ok("code 42"));
/// let copy = text.free_with(&free)?; // freed once, here
/// assert_eq!(copy.as_bytes(), b"code 42");
/// # Ok(()) }
/// ```
///
/// Typed calls take `&mut Option<AllocatedCStr>` for the same `char**`.
/// Whatever the slot held is overwritten (a string still in it leaks: take
/// and free it first):
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{AllocatedCStr, CType, Library};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { Library::open(rctypes_csrc::library("real_apis_handles"))? };
/// // SAFETY: `rh_describe` mallocs a string for `out`; `rh_free` frees it.
/// let (describe, free) = unsafe {
///     (
///         lib.function("rh_describe", &[CType::Int, CType::pointer(CType::CharP)], CType::Int)?,
///         lib.function("rh_free", &[CType::VoidP.releases()], CType::Void)?,
///     )
/// };
/// let describe = describe.typed::<(i32, &mut Option<AllocatedCStr>), i32>()?;
/// let mut text = None;
/// assert_eq!(describe.call((9, &mut text)), 0);
/// assert_eq!(text.take().unwrap().free_with(&free)?.to_str().unwrap(), "code 9");
/// # Ok(()) }
/// ```
#[repr(transparent)]
pub struct AllocatedCStr(pub(crate) NonNull<c_char>);

// SAFETY: the string is owned by this value alone; C's allocators free
// from any thread.
unsafe impl Send for AllocatedCStr {}
// SAFETY: shared references only read it.
unsafe impl Sync for AllocatedCStr {}

impl AllocatedCStr {
    /// The string, borrowed until it is freed.
    pub fn as_c_str(&self) -> &CStr {
        // SAFETY: C handed over a NUL-terminated string (the declaration's
        // promise), which lives until `free_with` consumes self.
        unsafe { CStr::from_ptr(self.0.as_ptr()) }
    }

    /// The string, if it is UTF-8.
    pub fn to_str(&self) -> Result<&str, std::str::Utf8Error> {
        self.as_c_str().to_str()
    }

    /// The address, for printing or comparing.
    pub fn addr(&self) -> usize {
        self.0.as_ptr() as usize
    }
}

impl fmt::Debug for AllocatedCStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AllocatedCStr({:?})", self.as_c_str())
    }
}

impl PartialEq for AllocatedCStr {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Handle {
    /// A handle of type `name` at `addr`, which C gave.
    pub(crate) fn new(name: Arc<str>, addr: usize) -> Handle {
        Handle {
            name,
            addr: Cell::new(addr),
        }
    }
}
