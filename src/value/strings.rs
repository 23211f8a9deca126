//! Arrays of strings for C's `const char *const *argv`: `&[&str]` and
//! `&[&CStr]` lent as an array of pointers ending in NULL.

use std::ffi::{CStr, c_void};

use crate::error::Mismatch;
use crate::types::{CType, Terms, is_read_only_string};
use crate::value::{Keep, Value};

/// Strings lent to C for one call as an `argv` array: made from `&[&str]`
/// (each copied, NUL-terminated) or `&[&CStr]` (each passed as is), for a
/// parameter declared a pointer to `char*` strings
/// (`CType::const_pointer(CType::CharP)`, C's `const char *const *`).
///
/// The array C receives holds a pointer per string and then NULL, so it
/// fits both ways C finds its end: a count argument declared as its extent
/// (`Extent::ElementsFromArg(i)`, at most the number of strings), or the
/// NULL terminator (`Extent::NulTerminated`).
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// # // SAFETY: the project's own library has no initialisers.
/// # let lib = unsafe { rctypes::Library::open(rctypes_csrc::library("real_apis_strings"))? };
/// use rctypes::{CType, Extent, Value};
/// let argv = CType::const_pointer(CType::CharP).extent(Extent::NulTerminated);
/// // SAFETY: `int strings_count(const char *const *argv)` reads the strings
/// // of argv up to its NULL pointer, and writes nothing.
/// let count = unsafe { lib.function("strings_count", &[argv], CType::Int)? };
/// let words = ["one", "two", "three"];
/// assert_eq!(count.call(&[Value::from(&words)])?, Value::Int(3));
/// let cwords = [c"a", c"b"];
/// assert_eq!(count.call(&[Value::from(&cwords[..])])?, Value::Int(2));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Strings<'a>(Items<'a>);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Items<'a> {
    Str(&'a [&'a str]),
    CStr(&'a [&'a CStr]),
}

impl Strings<'_> {
    /// How many strings there are.
    ///
    /// ```
    /// use rctypes::Strings;
    /// assert_eq!(Strings::from(&["a", "b"][..]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        match self.0 {
            Items::Str(s) => s.len(),
            Items::CStr(s) => s.len(),
        }
    }

    /// Whether there are none (C then receives just the NULL).
    ///
    /// ```
    /// use rctypes::Strings;
    /// assert!(Strings::from(&[] as &[&str]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn describe(&self) -> String {
        match self.0 {
            Items::Str(s) => format!("{} strs", s.len()),
            Items::CStr(s) => format!("{} C strings", s.len()),
        }
    }

    /// The bytes C may read as elements of the array: a pointer per
    /// string (the NULL after them is no string to read).
    pub(crate) fn lent_bytes(&self) -> usize {
        self.len() * size_of::<usize>()
    }

    /// The address of the pointer array C receives, built in `keep` for
    /// the call, after checking `declared` is a pointer to read-only
    /// strings. A `&str` with a NUL inside is refused: C would stop there.
    pub(crate) fn pass(
        &self,
        declared: &CType,
        keep: &mut Keep,
    ) -> Result<*const c_void, Mismatch> {
        if !takes_strings(declared) {
            return Err(Mismatch {
                expected: declared.to_string(),
                given: format!(
                    "{}, which go only to a pointer to char* strings \
                     (CType::const_pointer(CType::CharP))",
                    self.describe()
                ),
            });
        }
        let mut pointers = Vec::with_capacity(self.len() + 1);
        match self.0 {
            Items::CStr(items) => pointers.extend(items.iter().map(|s| s.as_ptr() as usize)),
            Items::Str(items) => {
                for (i, s) in items.iter().enumerate() {
                    let c = keep.c_string(s).map_err(|at| Mismatch {
                        expected: declared.to_string(),
                        given: format!(
                            "{}, whose string {i} has a NUL byte at {at}",
                            self.describe()
                        ),
                    })?;
                    pointers.push(c as usize);
                }
            }
        }
        pointers.push(0);
        Ok(keep.hold_pointers(pointers))
    }
}

/// Whether `declared` points to strings C only reads: a `T*` or `const T*`
/// whose `T` is a `char*` string. The array itself is the call's own copy,
/// so C may even write its pointers.
fn takes_strings(declared: &CType) -> bool {
    match Terms::of(declared).pointer {
        CType::Pointer(e) | CType::ConstPointer(e) => is_read_only_string(e),
        _ => false,
    }
}

impl<'a> From<&'a [&'a str]> for Strings<'a> {
    fn from(v: &'a [&'a str]) -> Self {
        Strings(Items::Str(v))
    }
}

impl<'a> From<&'a [&'a CStr]> for Strings<'a> {
    fn from(v: &'a [&'a CStr]) -> Self {
        Strings(Items::CStr(v))
    }
}

impl<'a> From<Strings<'a>> for Value<'a> {
    fn from(v: Strings<'a>) -> Self {
        Value::Strings(v)
    }
}

/// An `argv` array of the strings: see [`Strings`].
impl<'a> From<&'a [&'a str]> for Value<'a> {
    fn from(v: &'a [&'a str]) -> Self {
        Value::Strings(v.into())
    }
}

/// An `argv` array of the strings: see [`Strings`].
impl<'a, const N: usize> From<&'a [&'a str; N]> for Value<'a> {
    fn from(v: &'a [&'a str; N]) -> Self {
        Value::Strings(Strings::from(&v[..]))
    }
}

/// An `argv` array of the strings: see [`Strings`].
impl<'a> From<&'a Vec<&'a str>> for Value<'a> {
    fn from(v: &'a Vec<&'a str>) -> Self {
        Value::Strings(Strings::from(&v[..]))
    }
}

/// An `argv` array of the C strings: see [`Strings`].
impl<'a> From<&'a [&'a CStr]> for Value<'a> {
    fn from(v: &'a [&'a CStr]) -> Self {
        Value::Strings(v.into())
    }
}

/// An `argv` array of the C strings: see [`Strings`].
impl<'a, const N: usize> From<&'a [&'a CStr; N]> for Value<'a> {
    fn from(v: &'a [&'a CStr; N]) -> Self {
        Value::Strings(Strings::from(&v[..]))
    }
}
