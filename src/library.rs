//! Loading shared libraries and finding their symbols.

use std::any::Any;
use std::ffi::c_void;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::error::{Error, Result};
use crate::types::CType;
use crate::value::{Keep, Slot, Value, c_array, decode, encode};

/// A loaded shared library. Cheap to clone: clones share one handle, and every
/// function and variable bound from it holds a clone, so the library stays
/// loaded while anything that points into it is alive.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Library};
/// let libc = Library::this()?; // ctypes' CDLL(None)
/// // SAFETY: strlen has this signature, and reads a string up to its NUL, never NULL.
/// let strlen = unsafe { libc.function("strlen", &[CType::CharP], CType::SizeT)? };
/// drop(libc); // strlen keeps the library loaded
/// assert_eq!(strlen.call(&["hello".into()])?.to::<usize>()?, 5);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Library {
    inner: Arc<Inner>,
}

struct Inner {
    // Fields drop in order: the library is closed before `guard` (for example
    // the temporary folder holding it) goes.
    handle: Handle,
    name: String,
    #[cfg_attr(not(feature = "cbuild"), allow(dead_code))]
    guard: OnceLock<Box<dyn Any + Send + Sync>>,
}

#[cfg(unix)]
type Handle = libloading::os::unix::Library;
#[cfg(windows)]
type Handle = libloading::os::windows::Library;

/// How [`Library::open_with`] loads a library (`dlopen`'s mode; Unix only).
///
/// The default is ctypes' default: `RTLD_NOW | RTLD_LOCAL`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenFlags {
    /// `RTLD_GLOBAL`: the library's symbols resolve symbols of libraries
    /// loaded after it (ctypes' `mode=RTLD_GLOBAL`). Otherwise `RTLD_LOCAL`.
    pub global: bool,
    /// `RTLD_LAZY`: resolve function symbols on first call. Otherwise `RTLD_NOW`.
    pub lazy: bool,
    /// `RTLD_NODELETE`: never unload, even after the last handle is closed.
    pub nodelete: bool,
}

#[cfg(unix)]
impl OpenFlags {
    fn mode(self) -> std::ffi::c_int {
        let mut mode = if self.lazy {
            libc::RTLD_LAZY
        } else {
            libc::RTLD_NOW
        };
        mode |= if self.global {
            libc::RTLD_GLOBAL
        } else {
            libc::RTLD_LOCAL
        };
        if self.nodelete {
            mode |= libc::RTLD_NODELETE;
        }
        mode
    }
}

impl Library {
    /// Loads the shared library at `path` (or a bare name the system loader
    /// searches for, such as `libm.so.6`), as ctypes' `CDLL(path)`.
    ///
    /// # Safety
    ///
    /// Loading runs the library's initialisers, which can do anything: the
    /// caller vouches that the library is sound to load into this process.
    pub unsafe fn open(path: impl AsRef<Path>) -> Result<Library> {
        // SAFETY: forwarded to the caller.
        unsafe { Self::open_with(path, OpenFlags::default()) }
    }

    /// [`open`](Self::open) with explicit loader flags.
    ///
    /// # Safety
    ///
    /// As for [`open`](Self::open): initialisers run.
    pub unsafe fn open_with(path: impl AsRef<Path>, flags: OpenFlags) -> Result<Library> {
        let path = path.as_ref();
        let name = path.display().to_string();
        #[cfg(unix)]
        // SAFETY: the caller vouches for the library's initialisers.
        let handle = unsafe { Handle::open(Some(path), flags.mode()) };
        #[cfg(windows)]
        // SAFETY: the caller vouches for the library's initialisers.
        let handle = {
            let _ = flags;
            unsafe { Handle::new(path) }
        };
        let handle = handle.map_err(|e| Error::Load {
            path: name.clone(),
            message: loader_message(&e),
            source: Some(Box::new(e)),
        })?;
        Ok(Library {
            inner: Arc::new(Inner {
                handle,
                name,
                guard: OnceLock::new(),
            }),
        })
    }

    /// The running program and the libraries it has loaded, libc among them:
    /// ctypes' `CDLL(None)`. Nothing new is loaded, so nothing runs.
    ///
    /// Per platform: on Linux and the BSDs `dlopen(NULL)`, which finds the
    /// program's symbols and those of every library loaded globally (libc,
    /// libm where linked); on macOS the same call, which searches the
    /// program and every image loaded at launch (libSystem among them); on
    /// Windows the program's own module only (`GetModuleHandleExW(NULL)`):
    /// the C runtime's functions live in `ucrtbase.dll`, opened by name with
    /// [`open`](Self::open).
    pub fn this() -> Result<Library> {
        #[cfg(unix)]
        let handle = Handle::this();
        #[cfg(windows)]
        let handle = Handle::this().map_err(|e| Error::Load {
            path: "<this process>".into(),
            message: loader_message(&e),
            source: Some(Box::new(e)),
        })?;
        Ok(Library {
            inner: Arc::new(Inner {
                handle,
                name: "<this process>".into(),
                guard: OnceLock::new(),
            }),
        })
    }

    /// Ties `guard` to the library: it is dropped after the library is closed,
    /// when the last function, variable or clone goes.
    /// Only the first guard given is kept; later ones are dropped at once.
    #[cfg(feature = "cbuild")]
    pub(crate) fn with_guard(self, guard: Box<dyn Any + Send + Sync>) -> Library {
        let _ = self.inner.guard.set(guard);
        self
    }

    /// The path or name the library was opened with.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The address of `symbol`.
    pub fn symbol_address(&self, symbol: &str) -> Result<*mut c_void> {
        // SAFETY: reading a symbol's address as a plain pointer value does
        // nothing with it; what it points to is the concern of later code.
        let found = unsafe { self.inner.handle.get::<*mut c_void>(symbol.as_bytes()) };
        let ptr = found.map(|s| *s).map_err(|e| Error::Symbol {
            library: self.inner.name.clone(),
            symbol: symbol.into(),
            message: loader_message(&e),
            source: Some(Box::new(e)),
        })?;
        if ptr.is_null() {
            return Err(Error::Symbol {
                library: self.inner.name.clone(),
                symbol: symbol.into(),
                message: "the symbol's address is null".into(),
                source: None,
            });
        }
        Ok(ptr)
    }

    /// Binds the exported variable `symbol` as a `ty`: ctypes' `ty.in_dll(lib, name)`.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let abi = unsafe { rctypes::Library::open(rctypes_csrc::library("abi"))? };
    /// use rctypes::CType;
    /// // SAFETY: abi.c declares `int counter` and `double ratio`.
    /// let counter = unsafe { abi.variable("counter", CType::Int)? };
    /// counter.set(&99.into())?;
    /// assert_eq!(counter.get().to::<i32>()?, 99);
    /// # Ok(()) }
    /// ```
    ///
    /// Reads and writes never race one another, from any thread and through
    /// any handle: a variable of 1, 2, 4 or 8 bytes (every integer, float
    /// and pointer), aligned as its size, is read and written with atomic
    /// instructions (sequentially consistent, as C's `atomic_load` and
    /// `atomic_store`); any other (a `long double`, a struct) under a lock
    /// kept for its address, which orders Rust's accesses only.
    ///
    /// # Safety
    ///
    /// The variable must have type `ty` (every binding of it the same size),
    /// and be writable: a `const` one, which the loader may put in read-only
    /// memory, is bound with [`const_variable`](Self::const_variable).
    /// While Rust code may read or write it through the handle, C code must
    /// not write it at the same time (nor read it while Rust writes), unless
    /// both sides access it atomically: Rust's atomic accesses of a small
    /// variable make Rust's side race-free, but a lock cannot make C's side
    /// so.
    pub unsafe fn variable(&self, symbol: &str, ty: CType) -> Result<Variable> {
        self.bind_variable(symbol, ty, false)
    }

    /// Binds the exported `const` variable `symbol` as a `ty`, read-only:
    /// [`Variable::set`] is an error, where writing the read-only page the
    /// loader put it in would crash.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let abi = unsafe { rctypes::Library::open(rctypes_csrc::library("abi"))? };
    /// use rctypes::CType;
    /// // SAFETY: abi.c defines `const int abi_version = 3`.
    /// let version = unsafe { abi.const_variable("abi_version", CType::Int)? };
    /// assert_eq!(version.get().to::<i32>()?, 3);
    /// assert!(version.is_read_only());
    /// let err = version.set(&4.into()).unwrap_err();
    /// assert_eq!(err.to_string(), "abi_version: the variable is read-only (declared const)");
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// The variable must have type `ty`, and C must not write it while Rust
    /// reads it, unless atomically (as for [`variable`](Self::variable)).
    pub unsafe fn const_variable(&self, symbol: &str, ty: CType) -> Result<Variable> {
        self.bind_variable(symbol, ty, true)
    }

    fn bind_variable(&self, symbol: &str, ty: CType, read_only: bool) -> Result<Variable> {
        let addr = self.symbol_address(symbol)?;
        if ty == CType::Void {
            return Err(Error::Signature {
                function: symbol.into(),
                reason: "a variable cannot be void".into(),
            });
        }
        if let CType::Array(elem, _) = &ty {
            c_array::check_elements(elem).map_err(|reason| Error::Signature {
                function: symbol.into(),
                reason,
            })?;
        }
        Ok(Variable {
            library: self.clone(),
            name: symbol.into(),
            addr,
            ty,
            read_only,
        })
    }
}

impl fmt::Debug for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Library").field(&self.inner.name).finish()
    }
}

fn loader_message(e: &libloading::Error) -> String {
    use std::error::Error as _;
    match e.source() {
        Some(src) => src.to_string(),
        None => e.to_string(),
    }
}

/// A C global variable of a declared type, bound with [`Library::variable`]
/// (or read-only with [`Library::const_variable`]).
pub struct Variable {
    library: Library,
    name: String,
    addr: *mut c_void,
    ty: CType,
    /// Declared `const`: `set` is refused.
    read_only: bool,
}

// SAFETY: the address stays valid while `library` is loaded. Accesses from
// several threads are atomic or under the address's lock (see `get` and
// `set`), and the declaration promised C does not race them.
unsafe impl Send for Variable {}
// SAFETY: as above.
unsafe impl Sync for Variable {}

/// Locks for the variables Rust cannot read or write atomically, chosen by
/// address, so that every handle to one variable takes the same lock.
static LOCKS: [Mutex<()>; 16] = [const { Mutex::new(()) }; 16];

fn lock_for(addr: *mut c_void) -> MutexGuard<'static, ()> {
    let lock = &LOCKS[(addr as usize >> 4) % LOCKS.len()];
    // Nothing is left half-done by a panic while held: the lock only orders.
    lock.lock().unwrap_or_else(|e| e.into_inner())
}

impl Variable {
    /// The atomic accesses the variable takes, when its size has atomic
    /// instructions and its address their alignment.
    fn atomic_width(&self) -> Option<Width> {
        let width = match self.ty.size() {
            1 => Width::W1,
            2 => Width::W2,
            4 => Width::W4,
            #[cfg(target_has_atomic = "64")]
            8 => Width::W8,
            _ => return None,
        };
        (self.addr as usize)
            .is_multiple_of(self.ty.size())
            .then_some(width)
    }

    /// The current value. An array (`int table[4]`, bound as
    /// `CType::array(CType::Int, 4)`) reads whole: characters as the string
    /// up to the first NUL, as ctypes' `c_char` arrays' `.value`, numbers as
    /// [`Value::Elements`]; arrays of anything else are refused when bound.
    pub fn get(&self) -> Value<'static> {
        if let CType::Array(elem, len) = &self.ty {
            let _guard = lock_for(self.addr);
            // SAFETY: the declaration promised `len` `elem`s live at `addr`
            // (bind_variable checked they are characters or numbers), loaded
            // while self exists; Rust writers hold the lock.
            return unsafe { c_array::read(self.addr as *const u8, elem, *len) };
        }
        let Some(width) = self.atomic_width() else {
            let _guard = lock_for(self.addr);
            // SAFETY: the declaration promised a `ty` lives at `addr`, and the
            // library (so the variable) stays loaded while self exists; Rust
            // writers hold the lock, and C writes no other time.
            return unsafe { decode(self.addr as *const u8, &self.ty) };
        };
        let mut slot = Slot::ZERO;
        // SAFETY: as above; `width` bytes at `addr`, aligned for them (checked
        // by atomic_width), read atomically into the slot's first bytes.
        unsafe { atomic_copy(self.addr as *const u8, slot.0.as_mut_ptr(), width) };
        // SAFETY: the slot holds the variable's bytes, a `ty`.
        unsafe { decode(slot.0.as_ptr(), &self.ty) }
    }

    /// Stores a value, range-checked against the declared type. Pointer
    /// variables only take null or an address vouched for with `unsafe`
    /// ([`Value::address`]), since C would keep a pointer to Rust memory
    /// past its borrow, and an address C returned may have been freed. An
    /// array takes a string (characters; the rest zeroed) or a slice or
    /// [`Value::Elements`] of its length (numbers). A variable bound read-only
    /// ([`Library::const_variable`]) is an [`Error::ReadOnly`].
    pub fn set(&self, value: &Value<'_>) -> Result<()> {
        if self.read_only {
            return Err(Error::ReadOnly {
                name: self.name.clone(),
            });
        }
        if self.ty.is_pointer() && !matches!(value, Value::Null | Value::Address(_)) {
            return Err(Error::Conversion {
                expected: format!("{} (null, or an address vouched for with unsafe)", self.ty),
                given: value.describe(),
            });
        }
        if let CType::Array(elem, len) = &self.ty {
            let _guard = lock_for(self.addr);
            // SAFETY: as in `get`; writable, as the binder promised by not
            // binding it read-only.
            return unsafe { c_array::write(self.addr as *mut u8, elem, *len, value) };
        }
        let mut slot = Slot::ZERO;
        let mut keep = Keep::default();
        encode(value, &self.ty, &mut slot, &mut keep).map_err(|m| m.into_conversion())?;
        let to = self.addr as *mut u8;
        match self.atomic_width() {
            // SAFETY: a `ty` lives at `addr` (the declaration's promise),
            // aligned for `width` (checked); the slot holds its bytes at the
            // start.
            Some(width) => unsafe { atomic_copy(slot.0.as_ptr(), to, width) },
            None => {
                let _guard = lock_for(self.addr);
                // SAFETY: as above, every other Rust access holding the lock.
                unsafe { std::ptr::copy_nonoverlapping(slot.0.as_ptr(), to, self.ty.size()) }
            }
        }
        Ok(())
    }

    /// The declared type.
    pub fn ctype(&self) -> &CType {
        &self.ty
    }

    /// Whether it was bound read-only ([`Library::const_variable`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The symbol's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The library it lives in.
    pub fn library(&self) -> &Library {
        &self.library
    }
}

/// The sizes of atomic accesses.
#[derive(Clone, Copy)]
enum Width {
    W1,
    W2,
    W4,
    #[cfg(target_has_atomic = "64")]
    W8,
}

/// Copies `width` bytes from `from` to `to` with one atomic load and one
/// atomic store: one end is the variable, the other a private slot.
///
/// # Safety
///
/// Both must be valid for `width` bytes and aligned to it, and every
/// concurrent access to the variable's bytes must be atomic.
unsafe fn atomic_copy(from: *const u8, to: *mut u8, width: Width) {
    use std::sync::atomic::{AtomicU8, AtomicU16, AtomicU32, Ordering::SeqCst};
    // SAFETY (every arm): the caller's promise; the atomic views are used
    // only within this call.
    unsafe {
        match width {
            Width::W1 => {
                let v = AtomicU8::from_ptr(from as *mut u8).load(SeqCst);
                AtomicU8::from_ptr(to).store(v, SeqCst)
            }
            Width::W2 => {
                let v = AtomicU16::from_ptr(from as *mut u16).load(SeqCst);
                AtomicU16::from_ptr(to as *mut u16).store(v, SeqCst)
            }
            Width::W4 => {
                let v = AtomicU32::from_ptr(from as *mut u32).load(SeqCst);
                AtomicU32::from_ptr(to as *mut u32).store(v, SeqCst)
            }
            #[cfg(target_has_atomic = "64")]
            Width::W8 => {
                use std::sync::atomic::AtomicU64;
                let v = AtomicU64::from_ptr(from as *mut u64).load(SeqCst);
                AtomicU64::from_ptr(to as *mut u64).store(v, SeqCst)
            }
        }
    }
}

impl fmt::Debug for Variable {
    /// The binding, not the value: `Variable { name: "counter", ctype: c_int, .. }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Variable")
            .field("name", &self.name)
            .field("ctype", &format_args!("{}", self.ty))
            .field("read_only", &self.read_only)
            .field("library", &self.library.inner.name)
            .finish()
    }
}

/// numpy.ctypeslib's `load_library(libname, loader_path)`.
///
/// `dir` may be a folder or a file in it (pass `file!()`-style paths as numpy
/// users pass `__file__`). A `name` with no extension gets the platform's
/// (`.so`, `.dylib`, `.dll`); unlike numpy, the `lib` prefix is tried too, and
/// when nothing is found the error lists every path tried.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// // SAFETY: our own fibonacci library has no initialisers.
/// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
/// let suffix = std::env::consts::DLL_SUFFIX; // ".so", ".dylib", ".dll"
/// assert!(lib.name().ends_with(&format!("fibonacci{suffix}")));
/// // SAFETY: the project's own library has no initialisers.
/// let err = unsafe { rctypes::load_library("nothere", rctypes_csrc::DIR) }.unwrap_err();
/// assert!(err.to_string().contains(&format!("nothere{suffix}")));
/// # Ok(()) }
/// ```
///
/// # Safety
///
/// As for [`Library::open`]: the library's initialisers run.
pub unsafe fn load_library(name: &str, dir: impl AsRef<Path>) -> Result<Library> {
    let dir = dir.as_ref();
    let dir = if dir.is_file() {
        dir.parent().unwrap_or(Path::new("."))
    } else {
        dir
    };
    let tried = candidates(name)
        .into_iter()
        .map(|c| dir.join(c))
        .collect::<Vec<_>>();
    match tried.iter().find(|p| p.exists()) {
        // SAFETY: forwarded to the caller.
        Some(found) => unsafe { Library::open(found) },
        None => Err(Error::NotFound {
            name: name.into(),
            dir: dir.into(),
            tried,
        }),
    }
}

/// The file names `load_library` tries for `name`, in order.
fn candidates(name: &str) -> Vec<String> {
    if has_library_extension(name) {
        return vec![name.to_owned()];
    }
    let suffixes: &[&str] = if cfg!(windows) {
        &[".dll"]
    } else if cfg!(target_os = "macos") {
        &[".dylib", ".so"]
    } else {
        &[".so"]
    };
    let mut out: Vec<String> = suffixes.iter().map(|s| format!("{name}{s}")).collect();
    if !name.starts_with("lib") && !cfg!(windows) {
        out.extend(suffixes.iter().map(|s| format!("lib{name}{s}")));
    }
    out
}

fn has_library_extension(name: &str) -> bool {
    let file = Path::new(name)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or(name);
    file.ends_with(".dll")
        || file.ends_with(".dylib")
        || file.ends_with(".so")
        || file.contains(".so.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_without_extension_get_suffix_and_prefix() {
        let c = candidates("fibonacci");
        assert_eq!(c[0], format!("fibonacci{}", std::env::consts::DLL_SUFFIX));
        if cfg!(unix) {
            assert!(c.contains(&format!("libfibonacci{}", std::env::consts::DLL_SUFFIX)));
        }
        assert_eq!(candidates("libm.so.6"), vec!["libm.so.6".to_owned()]);
        assert_eq!(candidates("libfoo.so"), vec!["libfoo.so".to_owned()]);
    }
}
