//! `ndpointer`: an array parameter type that checks what it is given.

use std::ffi::c_void;
use std::fmt;
use std::sync::Arc;

use ndarray::{ArrayViewD, IxDyn};

use crate::ctype::CType;
use crate::error::{Error, Mismatch, Result};
use crate::value::Value;

use super::convert::view_parts;
use super::descriptor::ArrayArg;
use super::dtype::{DType, Element};
use super::flags::{Flags, IntoFlags};
use super::fmt_tuple;

/// An array parameter with checks: numpy's `ndpointer(dtype, ndim, shape,
/// flags)`. Made with [`ndpointer()`], declared in a signature as a
/// [`CType`] (`CType::from(p)`), and checked at every call.
///
/// The checks run in numpy's order (is an array, dtype, ndim, shape, flags)
/// and fail with numpy's messages, after the argument's 1-based index:
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Dim, Library, ndpointer};
/// use ndarray::Array1;
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("fibonacci", rctypes_csrc::DIR)? };
/// // fibseries reads `elements` ints from `a` and writes as many to `series`:
/// // both must be C-contiguous arrays of C ints, exactly argument 2 long.
/// let ints = ndpointer().dtype("intc").ndim(1).shape([Dim::Arg(2)]).flags("C_CONTIGUOUS");
/// // SAFETY: fibonacci.c defines `void fibseries(int *a, int elements, int *series)`,
/// // which reads `elements` ints from a and writes as many to series, neither NULL.
/// let fibseries = unsafe {
///     lib.function(
///         "fibseries",
///         &[ints.clone().read_only().build()?.into(), CType::Int, ints.build()?.into()],
///         CType::Void,
///     )?
/// };
/// let a = Array1::from(vec![5, 13, 2, 6]);
/// let mut out = Array1::<i32>::zeros(4);
/// fibseries.call(&[(&a).into(), 4.into(), (&mut out).into()])?;
/// assert_eq!(out.to_vec(), [3, 144, 1, 5]);
///
/// let wrong = Array1::from(vec![5i64, 13, 2, 6]);
/// let err = fibseries.call(&[(&wrong).into(), 4.into(), (&mut out).into()]).unwrap_err();
/// assert_eq!(err.to_string(), "fibseries: argument 1: array must have data type int32, given int64");
/// let err = fibseries.call(&[(&a).into(), 5.into(), (&mut out).into()]).unwrap_err();
/// assert_eq!(err.to_string(), "fibseries: argument 1: array must have shape (5,), given (4,)");
/// # Ok(()) }
/// ```
///
/// Beyond numpy:
/// - a dimension may be another argument's value ([`Dim::Arg`]), so C's
///   length parameter and the array cannot disagree;
/// - [`nullable`](NdPointerBuilder::nullable) accepts [`Value::Null`] as `NULL`;
/// - C may write through an ndpointer unless it is declared
///   [`read_only`](NdPointerBuilder::read_only), so an immutably borrowed
///   array is refused where it is not;
/// - as a result type with dtype and shape known, [`view`](Self::view) turns
///   the returned address into an array view.
///
/// Two ndpointers with the same checks are equal, as numpy's cached types
/// are identical: `ndpointer().shape(2)` equals `ndpointer().shape([2])`,
/// and differs from `ndpointer().ndim(2)`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NdPointer {
    dtype: Option<DType>,
    ndim: Option<usize>,
    shape: Option<Box<[Dim]>>,
    flags: Option<Flags>,
    nullable: bool,
    read_only: bool,
}

/// One dimension of an [`NdPointer`]'s shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dim {
    /// Exactly this length.
    Fixed(usize),
    /// The value of the call's argument at this 1-based index, which must be
    /// declared as an integer: `fibseries(a, n, out)` with `a` of shape
    /// `[Dim::Arg(2)]` requires `a.len() == n`.
    Arg(usize),
    /// Any length.
    Any,
}

impl From<usize> for Dim {
    fn from(n: usize) -> Dim {
        Dim::Fixed(n)
    }
}

/// numpy's `ndpointer()`: starts an [`NdPointer`] that accepts any array;
/// each method adds a check, and [`build`](NdPointerBuilder::build) finishes it.
///
/// ```
/// use rctypes::{Flags, ndpointer};
/// let p = ndpointer().dtype("<f8").ndim(2).flags("C,ALIGNED").build()?;
/// assert_eq!(p.to_string(), "ndpointer(dtype=float64, ndim=2, flags=['C_CONTIGUOUS', 'ALIGNED'])");
/// assert_eq!(p.flags(), Some(Flags::C_CONTIGUOUS | Flags::ALIGNED));
/// let err = ndpointer().flags("C,SHINY").build().unwrap_err();
/// assert!(err.to_string().starts_with("unknown array flag \"SHINY\""));
/// # Ok::<(), rctypes::Error>(())
/// ```
pub fn ndpointer() -> NdPointerBuilder {
    NdPointerBuilder {
        spec: NdPointer {
            dtype: None,
            ndim: None,
            shape: None,
            flags: None,
            nullable: false,
            read_only: false,
        },
        error: None,
    }
}

/// Builds an [`NdPointer`]; made by [`ndpointer()`]. The first invalid
/// setting (an unknown data type or flag) is reported by
/// [`build`](Self::build).
#[derive(Clone, Debug)]
#[must_use = "call build() to get the NdPointer"]
pub struct NdPointerBuilder {
    spec: NdPointer,
    error: Option<String>,
}

impl NdPointerBuilder {
    fn fail(mut self, e: Error) -> Self {
        self.error.get_or_insert(e.to_string());
        self
    }

    /// The array must have this data type (a string numpy understands, or a [`DType`]).
    pub fn dtype(mut self, dtype: impl IntoDType) -> Self {
        match dtype.into_dtype() {
            Ok(d) => {
                self.spec.dtype = Some(d);
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// The array must have the data type of the Rust type `T`.
    pub fn dtype_of<T: Element>(mut self) -> Self {
        self.spec.dtype = Some(T::dtype());
        self
    }

    /// The array must have `ndim` dimensions.
    pub fn ndim(mut self, ndim: usize) -> Self {
        self.spec.ndim = Some(ndim);
        self
    }

    /// The array must have this shape: a length (`3`, as numpy's `shape=3`),
    /// a list of lengths (`[2, 3]`), or of [`Dim`]s (`[Dim::Arg(2), Dim::Fixed(3)]`).
    pub fn shape(mut self, shape: impl IntoShapeSpec) -> Self {
        self.spec.shape = Some(shape.into_shape_spec().into());
        self
    }

    /// The array must have these flags: names or aliases (`"C,ALIGNED"`,
    /// `["F", "W"]`), [`Flags`], or numpy's integer value.
    pub fn flags(mut self, flags: impl IntoFlags) -> Self {
        match flags.into_flags() {
            Ok(f) => {
                self.spec.flags = Some(f);
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// Accept [`Value::Null`] too, passed as `NULL` (for C parameters that
    /// are optional arrays; numpy has no such ndpointer).
    pub fn nullable(mut self) -> Self {
        self.spec.nullable = true;
        self
    }

    /// Declares that C only reads through the pointer, so immutably borrowed
    /// arrays are accepted. Without it the array must be lent mutably.
    pub fn read_only(mut self) -> Self {
        self.spec.read_only = true;
        self
    }

    /// The finished [`NdPointer`], or the first invalid setting.
    pub fn build(self) -> Result<NdPointer> {
        if let Some(message) = self.error {
            return Err(Error::Array { message });
        }
        let spec = self.spec;
        if let (Some(ndim), Some(shape)) = (spec.ndim, &spec.shape) {
            if shape.len() != ndim {
                return Err(Error::Array {
                    message: format!(
                        "ndpointer: ndim={ndim} disagrees with shape={}",
                        ShapeDisplay(shape)
                    ),
                });
            }
        }
        if let Some(shape) = &spec.shape {
            if shape.contains(&Dim::Arg(0)) {
                return Err(Error::Array {
                    message: "ndpointer: Dim::Arg counts arguments from 1".into(),
                });
            }
        }
        Ok(spec)
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
    /// The required data type.
    pub fn dtype(&self) -> Option<&DType> {
        self.dtype.as_ref()
    }

    /// The required number of dimensions.
    pub fn ndim(&self) -> Option<usize> {
        self.ndim
    }

    /// The required shape.
    pub fn shape(&self) -> Option<&[Dim]> {
        self.shape.as_deref()
    }

    /// The required flags.
    pub fn flags(&self) -> Option<Flags> {
        self.flags
    }

    /// Whether `NULL` is accepted.
    pub fn is_nullable(&self) -> bool {
        self.nullable
    }

    /// Whether C only reads through it.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

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
            Value::Array(a) if self.admits(a, args) => Ok(a.as_ptr()),
            _ => self.pass_or_refuse(value, args),
        }
    }

    /// Whether `a` passes every check: compares only, with the refusal and
    /// its message left to [`pass_or_refuse`](Self::pass_or_refuse).
    #[inline]
    fn admits(&self, a: &ArrayArg<'_>, args: Option<&[Value<'_>]>) -> bool {
        a.is_array()
            && self.dtype.as_ref().is_none_or(|d| a.dtype() == d)
            && self.ndim.is_none_or(|n| a.ndim() == n)
            && self.shape.as_deref().is_none_or(|dims| {
                let shape = a.shape();
                shape.len() == dims.len()
                    && dims.iter().zip(shape).all(|(dim, &n)| match *dim {
                        Dim::Fixed(want) => n == want,
                        Dim::Arg(j) => matches!(
                            args.and_then(|a| a.get(j.wrapping_sub(1))),
                            Some(Value::Int(want)) if *want == n as i128
                        ),
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
        if let Some(dtype) = &self.dtype {
            if a.dtype() != dtype {
                return Err(Refusal {
                    message: format!("array must have data type {dtype}"),
                    given: a.dtype().to_string(),
                });
            }
        }
        if let Some(ndim) = self.ndim {
            if a.ndim() != ndim {
                return Err(Refusal {
                    message: format!("array must have {ndim} dimension(s)"),
                    given: a.ndim().to_string(),
                });
            }
        }
        if let Some(dims) = &self.shape {
            self.check_shape(dims, a, args)?;
        }
        if let Some(required) = self.flags {
            if !a.flags().contains(required) {
                return Err(Refusal {
                    message: format!("array must have flags {required}"),
                    given: a.flags().to_string(),
                });
            }
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

/// Checks a signature's ndpointers when it is bound: a shape may refer only
/// to another argument declared as an integer, and a result's to none.
pub(crate) fn check_signature(args: &[CType], ret: &CType) -> std::result::Result<(), String> {
    for (i, ty) in args.iter().enumerate() {
        let CType::NdPointer(p) = ty else { continue };
        for dim in p.shape().unwrap_or_default() {
            let Dim::Arg(j) = *dim else { continue };
            crate::ctype::check_count_arg(args, i + 1, j, "shape")?;
        }
    }
    if let CType::NdPointer(p) = ret {
        if p.shape()
            .unwrap_or_default()
            .iter()
            .any(|d| matches!(d, Dim::Arg(_)))
        {
            return Err("a result's shape cannot refer to arguments".into());
        }
    }
    Ok(())
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

impl From<NdPointer> for CType {
    fn from(p: NdPointer) -> CType {
        CType::NdPointer(Arc::new(p))
    }
}

struct ShapeDisplay<'a>(&'a [Dim]);

impl fmt::Display for ShapeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items = self.0.iter().map(|d| match d {
            Dim::Fixed(n) => n.to_string(),
            Dim::Arg(j) => format!("arg{j}"),
            Dim::Any => "*".into(),
        });
        f.write_str(&fmt_tuple(items))
    }
}

/// `ndpointer(dtype=float64, ndim=1, shape=(arg2,), flags=['C_CONTIGUOUS'])`.
impl fmt::Display for NdPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(d) = &self.dtype {
            parts.push(format!("dtype={d}"));
        }
        if let Some(n) = self.ndim {
            parts.push(format!("ndim={n}"));
        }
        if let Some(s) = &self.shape {
            parts.push(format!("shape={}", ShapeDisplay(s)));
        }
        if let Some(fl) = self.flags {
            parts.push(format!("flags={fl}"));
        }
        if self.nullable {
            parts.push("nullable".into());
        }
        if self.read_only {
            parts.push("read_only".into());
        }
        write!(f, "ndpointer({})", parts.join(", "))
    }
}

impl fmt::Debug for NdPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What [`NdPointerBuilder::dtype`] accepts: a [`DType`] or a string numpy
/// understands.
pub trait IntoDType {
    /// The data type, or why the string is not one.
    fn into_dtype(self) -> Result<DType>;
}

impl IntoDType for DType {
    fn into_dtype(self) -> Result<DType> {
        Ok(self)
    }
}

impl IntoDType for &DType {
    fn into_dtype(self) -> Result<DType> {
        Ok(self.clone())
    }
}

impl IntoDType for &str {
    fn into_dtype(self) -> Result<DType> {
        DType::parse(self)
    }
}

impl IntoDType for String {
    fn into_dtype(self) -> Result<DType> {
        DType::parse(&self)
    }
}

/// What [`NdPointerBuilder::shape`] accepts: one length (numpy's `shape=2`
/// is `(2,)`), or a list of lengths or [`Dim`]s.
pub trait IntoShapeSpec {
    /// The dimensions.
    fn into_shape_spec(self) -> Vec<Dim>;
}

impl IntoShapeSpec for usize {
    fn into_shape_spec(self) -> Vec<Dim> {
        vec![Dim::Fixed(self)]
    }
}

impl IntoShapeSpec for Dim {
    fn into_shape_spec(self) -> Vec<Dim> {
        vec![self]
    }
}

impl<D: Into<Dim> + Copy, const N: usize> IntoShapeSpec for [D; N] {
    fn into_shape_spec(self) -> Vec<Dim> {
        self.iter().map(|&d| d.into()).collect()
    }
}

impl<D: Into<Dim> + Copy> IntoShapeSpec for &[D] {
    fn into_shape_spec(self) -> Vec<Dim> {
        self.iter().map(|&d| d.into()).collect()
    }
}

impl<D: Into<Dim>> IntoShapeSpec for Vec<D> {
    fn into_shape_spec(self) -> Vec<Dim> {
        self.into_iter().map(Into::into).collect()
    }
}
