//! Declarations bound all at once into [`Functions`], called by name.

use super::{BoundHeader, Declarations};
use crate::error::{Error, Result};
use crate::func::Functions;
use crate::library::Library;

impl Library {
    /// Binds every function that `source`'s C declarations declare, into
    /// [`Functions`] called by name: the prototypes stated once, then
    /// `fns.invoke("fib", (8,))`. Typedefs, enums and structs declared
    /// before may be used by later declarations; an array parameter's
    /// length (`int a[n]`) states its extent. A function the library does
    /// not export is an error, and so is a source that declares no function.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
    /// // SAFETY: fibonacci.c's functions: fibseries reads `elements` ints
    /// // from `a` and writes as many to `series`.
    /// let fns = unsafe {
    ///     lib.declare_all(
    ///         "int fib(int n);
    ///          void fibseries(const int a[elements], int elements, int series[elements]);",
    ///     )?
    /// };
    /// let n: i32 = fns.invoke("fib", (8,))?;
    /// assert_eq!(n, 13);
    /// let mut series = [0; 5];
    /// let () = fns.invoke("fibseries", (&[1, 2, 3, 4, 5], 5, &mut series))?;
    /// assert_eq!(series, [0, 1, 1, 2, 3]);
    /// // Checked as declared: series holds 5 ints, not 6.
    /// let err = fns.invoke::<()>("fibseries", (&[1, 2, 3, 4, 5, 6], 6, &mut series)).unwrap_err();
    /// assert!(err.to_string().starts_with("fibseries: argument 3"), "{err}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`Library::function`]: each declaration must be its function's
    /// true signature, and each function memory-safe for arguments that pass
    /// its checks.
    pub unsafe fn declare_all(&self, source: &str) -> Result<Functions> {
        let mut declarations = Declarations::new();
        declarations.parse(source)?;
        if declarations.functions().next().is_none() {
            return Err(Error::Declaration {
                file: None,
                line: 1,
                column: 1,
                text: source.to_owned(),
                message: "no function is declared".into(),
                source: None,
            });
        }
        // SAFETY: forwarded to the caller.
        unsafe { declarations.bind_all(self) }
    }
}

impl Declarations {
    /// Binds every declared function in `library`, into [`Functions`]
    /// called by name. A function the library does not export is an error.
    ///
    /// ```
    /// # fn main() -> rctypes::Result<()> {
    /// use rctypes::{Declarations, Library};
    /// let mut decls = Declarations::new();
    /// decls.parse("typedef long score; score labs(score v); int abs(int v);")?;
    /// // SAFETY: C's own signatures.
    /// let fns = unsafe { decls.bind_all(&Library::this()?)? };
    /// assert_eq!(fns.invoke::<i64>("labs", (-7,))?, 7);
    /// assert_eq!(fns.invoke::<i32>("abs", (-7,))?, 7);
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`Library::function`], for every declared function.
    pub unsafe fn bind_all(&self, library: &Library) -> Result<Functions> {
        let mut functions = Functions::new();
        for decl in self.functions() {
            // SAFETY: forwarded to the caller.
            functions.insert(unsafe { decl.bind(library) }?);
        }
        Ok(functions)
    }
}

/// The functions a header bound, called by name; those it declares that the
/// library lacks stay in [`BoundHeader::missing`], not here.
///
/// ```
/// # fn main() -> rctypes::Result<()> {
/// use rctypes::{Functions, Header};
/// let header = Header::read(concat!(env!("CARGO_MANIFEST_DIR"), "/csrc/fibonacci.h"), &[])?;
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
/// // SAFETY: the header is the library's own.
/// let fns = Functions::from(unsafe { header.bind(&lib) });
/// let n: i32 = fns.invoke("fib", (10,))?;
/// assert_eq!(n, 34);
/// # Ok(()) }
/// ```
impl From<BoundHeader> for Functions {
    fn from(bound: BoundHeader) -> Functions {
        bound.functions.into_values().collect()
    }
}
