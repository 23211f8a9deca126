//! What an ndpointer parameter checks at every call: the array given
//! against the declared data type, dimensions, shape and flags.

use std::ffi::c_void;

#[cfg(feature = "ndarray")]
use ndarray::{ArrayViewD, IxDyn};

use crate::error::{Error, Mismatch, Result};
#[cfg(feature = "ndarray")]
use crate::types::Flags;
use crate::types::{Dim, NdPointer, fmt_tuple};
use crate::value::Value;
use crate::value::array::ArrayArg;
#[cfg(feature = "ndarray")]
use crate::value::{Element, array::view_parts};

/// The count argument `j` (1-based) of a call's `args` holds: its
/// integer, where it is one a `usize` holds.
#[inline(always)]
pub(crate) fn count_arg(args: Option<&[Value<'_>]>, j: usize) -> Option<usize> {
    match args?.get(j.wrapping_sub(1))? {
        Value::Int(i) => usize::try_from(*i).ok(),
        _ => None,
    }
}

/// Why an array argument was refused: numpy's message, and what was given.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub message: String,
    pub given: String,
}

impl Refusal {
    pub(crate) fn at(self, function: &str, index: usize) -> Error {
        Error::ArrayArgument {
            function: function.into(),
            index: index + 1,
            message: self.message,
            given: self.given,
        }
    }
}

impl NdPointer {
    /// numpy's `from_param`: checks `value` as an argument of this type, with
    /// `args` the call's arguments (for shapes that refer to them; empty when
    /// there is no call). The error is numpy's message.
    ///
    /// ```
    /// use rctypes::{Value, ndpointer};
    /// let p = ndpointer().ndim(2).read_only().build()?;
    /// let a = ndarray::Array2::<f64>::zeros((2, 3));
    /// assert!(p.from_param(&(&a).into(), &[]).is_ok());
    /// let err = p.from_param(&Value::from(&[1.0, 2.0]), &[]).unwrap_err();
    /// assert_eq!(err.to_string(), "array must have 2 dimension(s), given 1");
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn from_param(&self, value: &Value<'_>, args: &[Value<'_>]) -> Result<()> {
        self.pass(value, Some(args))
            .map(|_| ())
            .map_err(|r| Error::Array {
                message: format!("{}, given {}", r.message, r.given),
            })
    }

    /// Checks `value` and gives the address C receives. Allocates only to
    /// report a refusal; the cost does not depend on the array's size.
    #[inline(always)]
    pub(crate) fn pass(
        &self,
        value: &Value<'_>,
        args: Option<&[Value<'_>]>,
    ) -> std::result::Result<*const c_void, Refusal> {
        match value {
            Value::Array(a) if self.admits(a, |j| count_arg(args, j)) => Ok(a.as_ptr()),
            _ => self.pass_or_refuse(value, args),
        }
    }

    /// The address C gets for `a` where it passes every check, with
    /// `count(j)` the count argument `j` (1-based) holds, if any (for
    /// shapes that refer to one): [`pass`](Self::pass) without the refusal.
    #[inline(always)]
    pub(crate) fn admits_with(
        &self,
        a: &ArrayArg<'_>,
        count: impl Fn(usize) -> Option<usize>,
    ) -> Option<*const c_void> {
        self.admits(a, count).then(|| a.as_ptr())
    }

    /// Whether `a` passes every check, with `count(j)` the count argument
    /// `j` (1-based) holds: compares only, with the refusal and
    /// its message left to [`pass_or_refuse`](Self::pass_or_refuse).
    #[inline(always)]
    fn admits(&self, a: &ArrayArg<'_>, count: impl Fn(usize) -> Option<usize>) -> bool {
        a.is_array()
            && self.dtype.as_ref().is_none_or(|d| a.dtype() == d)
            && self.ndim.is_none_or(|n| a.ndim() == n)
            && self.shape.as_deref().is_none_or(|dims| {
                let shape = a.shape();
                shape.len() == dims.len()
                    && dims.iter().zip(shape).all(|(dim, &n)| match *dim {
                        Dim::Fixed(want) => n == want,
                        Dim::Arg(j) => count(j) == Some(n),
                        Dim::Any => true,
                    })
            })
            && self.flags.is_none_or(|f| a.flags().contains(f))
            && (self.read_only || a.is_writable())
    }

    /// The checks of [`pass`](Self::pass) one by one, saying which fails.
    #[cold]
    #[inline(never)]
    fn pass_or_refuse(
        &self,
        value: &Value<'_>,
        args: Option<&[Value<'_>]>,
    ) -> std::result::Result<*const c_void, Refusal> {
        let a = match value {
            Value::Null if self.nullable => return Ok(std::ptr::null()),
            Value::Array(a) if a.is_array() => a,
            other => return Err(self.not_an_array(other)),
        };
        if let Some(dtype) = &self.dtype
            && a.dtype() != dtype
        {
            return Err(Refusal {
                message: format!("array must have data type {dtype}"),
                given: a.dtype().to_string(),
            });
        }
        if let Some(ndim) = self.ndim
            && a.ndim() != ndim
        {
            return Err(Refusal {
                message: format!("array must have {ndim} dimension(s)"),
                given: a.ndim().to_string(),
            });
        }
        if let Some(dims) = &self.shape {
            self.check_shape(dims, a, args)?;
        }
        if let Some(required) = self.flags
            && !a.flags().contains(required)
        {
            return Err(Refusal {
                message: format!("array must have flags {required}"),
                given: a.flags().to_string(),
            });
        }
        if !self.read_only && !a.is_writable() {
            return Err(Refusal {
                message: format!(
                    "array is read-only, but C may write through this ndpointer \
                     ({}, or declare the ndpointer read_only)",
                    a.writable_hint()
                ),
                given: a.describe(),
            });
        }
        Ok(a.as_ptr())
    }

    fn not_an_array(&self, given: &Value<'_>) -> Refusal {
        let given = match given {
            Value::Null => "null (declare the ndpointer nullable to pass NULL)".into(),
            other => other.describe(),
        };
        Refusal {
            message: "argument must be an ndarray".into(),
            given,
        }
    }

    fn check_shape(
        &self,
        dims: &[Dim],
        a: &ArrayArg<'_>,
        args: Option<&[Value<'_>]>,
    ) -> std::result::Result<(), Refusal> {
        let shape = a.shape();
        let mut ok = shape.len() == dims.len();
        for (i, dim) in dims.iter().enumerate() {
            let want = match *dim {
                Dim::Fixed(n) => n as i128,
                Dim::Arg(j) => resolve(j, args)?,
                Dim::Any => continue,
            };
            ok &= shape.get(i).is_some_and(|&n| n as i128 == want);
        }
        if ok {
            return Ok(());
        }
        let mut wanted = Vec::with_capacity(dims.len());
        for dim in dims {
            wanted.push(match *dim {
                Dim::Fixed(n) => n.to_string(),
                Dim::Arg(j) => resolve(j, args)?.to_string(),
                Dim::Any => "*".into(),
            });
        }
        Err(Refusal {
            message: format!("array must have shape {}", fmt_tuple(wanted.iter())),
            given: fmt_tuple(shape.iter()),
        })
    }

    /// Turns the address a function declared to return this ndpointer gave
    /// into a view of C's memory: numpy gives an array for a result type with
    /// dtype and shape known. `T` must have the dtype; the view is
    /// Fortran-ordered if the flags require `F_CONTIGUOUS` (and not `C`).
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, Library, ndpointer};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("arrays", rctypes_csrc::DIR)? };
    /// let matrix = ndpointer().dtype("f8").shape([2, 3]).build()?;
    /// // SAFETY: arrays.c defines `const double *static_matrix(void)`, which
    /// // returns a static 2x3 array.
    /// let f = unsafe { lib.function("static_matrix", &[], matrix.clone().into())? };
    /// let result = f.call(&[])?;
    /// // SAFETY: the memory is static and nothing writes to it.
    /// let view = unsafe { matrix.view::<f64>(&result)? };
    /// assert_eq!(view.shape(), &[2, 3]);
    /// assert_eq!(view[[1, 2]], 6.0);
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// The result must point to an array of this dtype and shape that stays
    /// valid, and that nothing writes to, for `'a`: C owns this memory.
    #[cfg(feature = "ndarray")]
    pub unsafe fn view<'a, T: Element>(&self, result: &Value<'_>) -> Result<ArrayViewD<'a, T>> {
        let (Some(dtype), Some(dims)) = (&self.dtype, &self.shape) else {
            return Err(Error::Array {
                message: format!(
                    "{self} has no dtype and shape to make an array of the result; \
                     it stays a pointer, as in numpy"
                ),
            });
        };
        let mut shape = Vec::with_capacity(dims.len());
        for dim in dims.iter() {
            match dim {
                Dim::Fixed(n) => shape.push(*n),
                _ => {
                    return Err(Error::Array {
                        message: format!("{self} has no fixed shape to view the result with"),
                    });
                }
            }
        }
        if T::dtype() != *dtype {
            return Err(Error::Array {
                message: format!(
                    "a view of {} cannot show data type {dtype}",
                    std::any::type_name::<T>()
                ),
            });
        }
        let ptr = match result {
            Value::Pointer(p) => p.as_ptr() as *const T,
            Value::Null => {
                return Err(Error::Array {
                    message: "the function returned NULL".into(),
                });
            }
            other => {
                return Err(Error::Array {
                    message: format!("expected an address to view, given {}", other.describe()),
                });
            }
        };
        let fortran = self
            .flags
            .is_some_and(|f| f.contains(Flags::F_CONTIGUOUS) && !f.contains(Flags::C_CONTIGUOUS));
        // SAFETY: the caller vouches for the memory; view_parts checks the
        // pointer's alignment and the size.
        unsafe { view_parts(ptr, IxDyn(&shape), fortran) }
    }
}

/// The value of the 1-based argument `j`, as a dimension.
fn resolve(j: usize, args: Option<&[Value<'_>]>) -> std::result::Result<i128, Refusal> {
    match args.and_then(|a| a.get(j.wrapping_sub(1))) {
        Some(Value::Int(n)) => Ok(*n),
        Some(other) => Err(Refusal {
            message: format!("the shape refers to argument {j}, which must be an integer"),
            given: other.describe(),
        }),
        None => Err(Refusal {
            message: format!("the shape refers to argument {j}"),
            given: format!("no argument {j}"),
        }),
    }
}

/// The address an ndpointer parameter receives outside a call (a global
/// variable's value): the checks, with no other arguments to refer to.
pub(crate) fn pass_alone(
    p: &NdPointer,
    value: &Value<'_>,
) -> std::result::Result<*const c_void, Mismatch> {
    p.pass(value, None).map_err(|r| Mismatch {
        expected: format!("{p}: {}", r.message),
        given: r.given,
    })
}
