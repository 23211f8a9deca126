//! `ndpointer`: an array parameter type that checks what it is given.

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::types::CType;

use crate::types::DType;
use crate::types::fmt_tuple;
use crate::types::{Flags, IntoFlags};

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
/// - [`nullable`](NdPointerBuilder::nullable) accepts [`Value::Null`](crate::Value::Null) as `NULL`;
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
    pub(crate) dtype: Option<DType>,
    pub(crate) ndim: Option<usize>,
    pub(crate) shape: Option<Box<[Dim]>>,
    pub(crate) flags: Option<Flags>,
    pub(crate) nullable: bool,
    pub(crate) read_only: bool,
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
    pub(crate) spec: NdPointer,
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

    /// Accept [`Value::Null`](crate::Value::Null) too, passed as `NULL` (for C parameters that
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

    /// The finished [`NdPointer`] for a parameter C declares `declared`
    /// (`const double *x`, `double *out`, as [`Declarations`](crate::Declarations)
    /// reads them): read-only where the pointee is `const`, since C never
    /// writes through it, so a shared borrow goes there; a non-`const`
    /// pointer still takes only a mutable borrow (unless
    /// [`read_only`](Self::read_only) says otherwise). The data type is the
    /// pointee's unless one was given, which must then agree with it.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let lib = unsafe { rctypes::Library::open(rctypes_csrc::library("real_apis_strings"))? };
    /// use rctypes::{CType, Dim, Value, ndpointer};
    /// let x = ndpointer().ndim(1).shape([Dim::Arg(2)]).build_for(&CType::const_pointer(CType::Double))?;
    /// assert!(x.is_read_only());
    /// // SAFETY: `double strings_sum(const double *x, int n)` reads n doubles.
    /// let sum = unsafe { lib.function("strings_sum", &[x.into(), CType::Int], CType::Double)? };
    /// let a = [1.5, 2.0, 3.5];
    /// assert_eq!(sum.call(&[Value::from(&a), 3.into()])?, Value::Float(7.0));
    /// // A `double*` C may write through: only a mutable borrow goes there.
    /// let out = ndpointer().build_for(&CType::pointer(CType::Double))?;
    /// assert!(!out.is_read_only());
    /// let err = ndpointer().dtype("i4").build_for(&CType::pointer(CType::Double)).unwrap_err();
    /// assert!(err.to_string().contains("disagrees"), "{err}");
    /// # Ok(()) }
    /// ```
    pub fn build_for(mut self, declared: &CType) -> Result<NdPointer> {
        let refuse = |why: String| Error::Array {
            message: format!("ndpointer for {declared}: {why}"),
        };
        let (pointee, is_const) = match declared.bare() {
            CType::ConstPointer(p) => (p, true),
            CType::Pointer(p) => (p, false),
            CType::CharP => (&Arc::new(CType::Char), true),
            other => return Err(refuse(format!("{other} is no pointer to array elements"))),
        };
        let of_pointee = DType::from_ctype(pointee)
            .ok_or_else(|| refuse(format!("{pointee} has no data type")))?;
        match &self.spec.dtype {
            Some(given)
                if given.itemsize() != of_pointee.itemsize()
                    || given.kind() != of_pointee.kind() =>
            {
                return Err(refuse(format!(
                    "dtype={given} disagrees with the pointee's {of_pointee}"
                )));
            }
            Some(_) => {}
            None => self.spec.dtype = Some(of_pointee),
        }
        self.spec.read_only |= is_const;
        self.build()
    }

    /// The finished [`NdPointer`], or the first invalid setting.
    pub fn build(self) -> Result<NdPointer> {
        if let Some(message) = self.error {
            return Err(Error::Array { message });
        }
        let spec = self.spec;
        if let (Some(ndim), Some(shape)) = (spec.ndim, &spec.shape)
            && shape.len() != ndim
        {
            return Err(Error::Array {
                message: format!(
                    "ndpointer: ndim={ndim} disagrees with shape={}",
                    ShapeDisplay(shape)
                ),
            });
        }
        if let Some(shape) = &spec.shape
            && shape.contains(&Dim::Arg(0))
        {
            return Err(Error::Array {
                message: "ndpointer: Dim::Arg counts arguments from 1".into(),
            });
        }
        Ok(spec)
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
}

/// Checks a signature's ndpointers when it is bound: a shape may refer only
/// to another argument declared as an integer, and a result's to none.
pub(crate) fn check_signature(args: &[CType], ret: &CType) -> std::result::Result<(), String> {
    for (i, ty) in args.iter().enumerate() {
        let CType::NdPointer(p) = ty else { continue };
        for dim in p.shape().unwrap_or_default() {
            let Dim::Arg(j) = *dim else { continue };
            crate::types::check_count_arg(args, i + 1, j, "shape")?;
        }
    }
    if let CType::NdPointer(p) = ret
        && p.shape()
            .unwrap_or_default()
            .iter()
            .any(|d| matches!(d, Dim::Arg(_)))
    {
        return Err("a result's shape cannot refer to arguments".into());
    }
    Ok(())
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
