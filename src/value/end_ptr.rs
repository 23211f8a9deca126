//! The typed layer's pointer out-parameters: a `char**` end pointer, and a
//! `char**` through which C hands over a string it allocated.

use std::ffi::{CStr, c_char};
use std::fmt;
use std::ptr::NonNull;

use crate::error::{Error, Result};
use crate::sealed::SealedData;
use crate::types::{CType, Extent, Terms};
use crate::value::{AllocatedCStr, CArg, SameArg};

/// Where C stopped in a string: the `char **endptr` of `strtod` and its
/// kin, for typed calls (the dynamic layer's is [`Value::out_offset`](crate::Value::out_offset)).
/// Lent as `&mut EndPtr` where `CType::pointer(CType::CharP)` is declared;
/// after the call, [`offset_in`](Self::offset_in) gives the position as an
/// offset into the string passed, checked to lie within it.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, EndPtr, Library};
/// let libc = Library::this()?;
/// // SAFETY: strtod reads a string and writes where it stopped through endptr.
/// let strtod = unsafe {
///     libc.function("strtod", &[CType::CharP, CType::pointer(CType::CharP)], CType::Double)?
/// }
/// .typed::<(&std::ffi::CStr, &mut EndPtr), f64>()?;
/// let text = c"12.5kg";
/// let mut end = EndPtr::default();
/// assert_eq!(strtod.call((text, &mut end)), 12.5);
/// assert_eq!(end.offset_in(text)?, 4);
/// // Another string, however alike, does not hold that address.
/// assert!(end.offset_in(&std::ffi::CString::from(text)).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq)]
#[repr(transparent)]
pub struct EndPtr(Option<NonNull<c_char>>);

impl EndPtr {
    /// The offset of the address C wrote in `s`, counted in bytes (the
    /// length of `s` where C stopped at its NUL); an error if C wrote NULL
    /// or an address outside `s`'s bytes.
    pub fn offset_in(&self, s: &CStr) -> Result<usize> {
        let start = s.as_ptr() as usize;
        let len = s.to_bytes_with_nul().len();
        match self.0.map(|p| p.as_ptr() as usize) {
            Some(at) if at >= start && at - start < len => Ok(at - start),
            at => Err(Error::Conversion {
                expected: format!("an end pointer into the string {s:?}"),
                given: match at {
                    None => "null".into(),
                    Some(at) => format!("address {at:#x}, outside it"),
                },
            }),
        }
    }

    /// Whether C wrote NULL (or nothing).
    pub fn is_null(&self) -> bool {
        self.0.is_none()
    }
}

impl fmt::Debug for EndPtr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EndPtr({:?})", self.0)
    }
}

/// Whether `declared` is a writable `char**` of one element.
fn is_char_out(declared: &CType) -> bool {
    let Terms {
        pointer, extent, ..
    } = Terms::of(declared);
    matches!(pointer, CType::Pointer(p) if *p.bare() == CType::CharP) && extent == Extent::One
}

impl SealedData for &mut EndPtr {}
impl SealedData for &mut Option<AllocatedCStr> {}

/// The `CArg` of a `&mut` to a nullable `char*` C writes.
macro_rules! char_out_arg {
    ($t:ty) => {
        // SAFETY: as the macro's caller says of `$t`.
        unsafe impl CArg for &mut $t {
            type Raw = *mut *mut c_char;
            fn ctype() -> CType {
                CType::pointer(CType::CharP)
            }
            fn accepts(declared: &CType) -> bool {
                is_char_out(declared)
            }
            #[inline(always)]
            fn into_raw(self) -> *mut *mut c_char {
                (self as *mut $t).cast()
            }
        }

        // SAFETY: as the declared type passes itself.
        unsafe impl SameArg<&mut $t> for &mut $t {
            #[inline(always)]
            fn into_raw_as(self) -> *mut *mut c_char {
                self.into_raw()
            }
        }
    };
}

// SAFETY: EndPtr is a nullable `char*` (transparent over NonNull's niche),
// and every address C writes is a valid one; it is never read through.
char_out_arg!(EndPtr);

// SAFETY: Option<AllocatedCStr> is a nullable `char*` (NonNull's niche),
// and C writes an allocated string or NULL (the declaration's promise).
// Whatever the slot held is overwritten: a string still in it leaks, and
// is never freed twice.
char_out_arg!(Option<AllocatedCStr>);
