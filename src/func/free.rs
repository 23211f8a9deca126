//! Freeing what C allocated and handed over, with the function the caller
//! bound for it.

use std::ffi::CString;

use crate::error::{Error, Result};
use crate::func::CFunc;
use crate::types::CType;
use crate::value::{AllocatedCStr, Value};

impl AllocatedCStr {
    /// Frees the string with `free`, the C function its library frees it
    /// with (`sqlite3_free`, `free`), bound taking one pointer declared
    /// [`releases`](CType::releases): `CType::VoidP.releases()`. Returns a
    /// copy of the string, read before it was freed.
    ///
    /// `free` with another signature is an error and the string is not
    /// freed (it leaks: never a double free).
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Library, Value};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { Library::open(rctypes_csrc::library("real_apis_handles"))? };
    /// // SAFETY: `rh_describe` mallocs a string for `out`; `rh_free` frees it.
    /// let (describe, free, strlen) = unsafe {
    ///     (
    ///         lib.function("rh_describe", &[CType::Int, CType::pointer(CType::CharP)], CType::Int)?,
    ///         lib.function("rh_free", &[CType::VoidP.releases()], CType::Void)?,
    ///         Library::this()?.function("strlen", &[CType::CharP], CType::SizeT)?,
    ///     )
    /// };
    /// let mut text = None;
    /// describe.call(&[3.into(), Value::out_str(&mut text)])?;
    /// // strlen is not declared to release what it is given.
    /// assert!(text.take().unwrap().free_with(&strlen).is_err());
    /// describe.call(&[3.into(), Value::out_str(&mut text)])?;
    /// assert_eq!(text.take().unwrap().free_with(&free)?.to_str().unwrap(), "code 3");
    /// # Ok(()) }
    /// ```
    pub fn free_with(self, free: &CFunc) -> Result<CString> {
        let [ty] = free.arg_types() else {
            return Err(self.refused(free, "it takes one argument"));
        };
        let releases = matches!(ty, CType::Contract(c) if c.releases());
        if !releases || !matches!(ty.bare(), CType::VoidP | CType::CharP) {
            return Err(self.refused(
                free,
                "its argument is declared CType::VoidP.releases() (or CType::CharP.releases())",
            ));
        }
        let copy = self.as_c_str().to_owned();
        // SAFETY: the address C handed over, owned by `self` alone, which
        // this call consumes: `free` (declared to release it) sees it once.
        let addr = unsafe { Value::address(self.0.as_ptr().cast()) };
        free.call(&[addr])?;
        Ok(copy)
    }

    fn refused(&self, free: &CFunc, needs: &str) -> Error {
        Error::Signature {
            function: free.name().into(),
            reason: format!("frees a string C allocated only if {needs}; the string was not freed"),
        }
    }
}
