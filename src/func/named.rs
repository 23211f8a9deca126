//! Functions by name: bound once (from declarations, a header, or one by
//! one), then called by name with no signature restated, as ctypes'
//! `lib.fib(8)` reads.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, Result};
use crate::func::CFunc;
use crate::func::invoke::{FromResult, IntoArgs};
use crate::value::Value;

/// Bound functions by name, each called with the short form
/// ([`invoke`](Self::invoke)) or the long one ([`call`](Self::call)) without
/// restating its signature. A name that was not bound is an error that
/// lists the names that were.
///
/// Made from C declarations (`Library::declare_all`, feature `cdecl`), from
/// a bound header (`Functions::from(bound_header)`), or from [`CFunc`]s
/// collected or [`insert`](Self::insert)ed one by one.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Functions};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
/// // SAFETY: fibonacci.c defines `int fib(int)`.
/// let fib = unsafe { lib.function("fib", &[CType::Int], CType::Int)? };
/// let fns: Functions = [fib].into_iter().collect();
/// let n: i32 = fns.invoke("fib", (8,))?;
/// assert_eq!(n, 13);
/// assert_eq!(fns.get("fib")?.call(&[8.into()])?.to::<i32>()?, 13);
/// let err = fns.invoke::<i32>("fibb", (8,)).unwrap_err();
/// assert!(err.to_string().contains(r#"no symbol "fibb""#), "{err}");
/// assert!(err.to_string().contains("bound: fib"), "{err}");
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Functions {
    by_name: BTreeMap<String, CFunc>,
}

impl Functions {
    /// No functions yet.
    pub fn new() -> Functions {
        Functions::default()
    }

    /// Adds `f` under its symbol name, returning the function that name had.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Functions, Library};
    /// let libc = Library::this()?;
    /// let mut fns = Functions::new();
    /// assert!(fns.is_empty());
    /// // SAFETY: C's own signatures.
    /// unsafe {
    ///     fns.insert(libc.function("labs", &[CType::Long], CType::Long)?);
    ///     fns.insert(libc.declare("size_t strlen(const char *s)")?);
    /// }
    /// assert_eq!(fns.names().collect::<Vec<_>>(), ["labs", "strlen"]);
    /// assert!(fns.contains("labs") && fns.len() == 2);
    /// assert_eq!(fns.iter().map(|f| f.arg_types().len()).sum::<usize>(), 2);
    /// assert_eq!(fns.invoke::<usize>("strlen", ("four",))?, 4);
    /// # Ok(()) }
    /// ```
    pub fn insert(&mut self, f: CFunc) -> Option<CFunc> {
        self.by_name.insert(f.name().to_owned(), f)
    }

    /// The function bound as `name`, or an error listing the bound names.
    pub fn get(&self, name: &str) -> Result<&CFunc> {
        self.by_name.get(name).ok_or_else(|| self.not_bound(name))
    }

    /// Calls `name` with the short form ([`CFunc::invoke`]): the arguments a
    /// tuple of Rust values, the result the type asked for.
    #[inline]
    pub fn invoke<'a, R: FromResult>(&self, name: &str, args: impl IntoArgs<'a>) -> Result<R> {
        self.get(name)?.invoke(args)
    }

    /// Calls `name` with checked [`Value`]s ([`CFunc::call`]).
    #[inline]
    pub fn call(&self, name: &str, args: &[Value<'_>]) -> Result<Value<'static>> {
        self.get(name)?.call(args)
    }

    /// Whether `name` is bound.
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The bound names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// The bound functions, by name in order.
    pub fn iter(&self) -> impl Iterator<Item = &CFunc> {
        self.by_name.values()
    }

    /// How many functions are bound.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    #[cold]
    fn not_bound(&self, name: &str) -> Error {
        let library = self.by_name.values().next().map_or_else(
            || "no library".to_owned(),
            |f| f.library().name().to_owned(),
        );
        let names: Vec<&str> = self.names().collect();
        Error::Symbol {
            library,
            symbol: name.to_owned(),
            message: if names.is_empty() {
                "no function is bound".to_owned()
            } else {
                format!("not among the functions bound: {}", names.join(", "))
            },
            source: None,
        }
    }
}

impl FromIterator<CFunc> for Functions {
    fn from_iter<I: IntoIterator<Item = CFunc>>(iter: I) -> Functions {
        let mut functions = Functions::new();
        functions.extend(iter);
        functions
    }
}

impl Extend<CFunc> for Functions {
    fn extend<I: IntoIterator<Item = CFunc>>(&mut self, iter: I) {
        for f in iter {
            self.insert(f);
        }
    }
}

impl fmt::Debug for Functions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.by_name.values()).finish()
    }
}
