//! `ndarray` arrays as C arguments: descriptors, `.ctypes` views, and the
//! contiguity helpers numpy users reach for.

use ndarray::{
    Array, ArrayBase, ArrayRef, ArrayViewMut, CowArray, CowRepr, Data, DataMut, Dimension,
    OwnedArcRepr, OwnedRepr, RawData, ViewRepr,
};

use crate::value::Value;

use crate::types::Flags;
use crate::value::Element;
use crate::value::array::ArrayArg;
use crate::value::array::{AsCtypes, AsCtypesMut, Ctypes};

/// ndarray's storage types, and whether an array of each owns its data
/// (numpy's `OWNDATA`): `Array` and `ArcArray` do, views do not, a
/// `CowArray` does when it holds a copy.
pub trait ArrayStorage: RawData + Sized {
    /// Whether `array` owns its data.
    fn owns_data<D: Dimension>(array: &ArrayBase<Self, D>) -> bool;
}

impl<A> ArrayStorage for OwnedRepr<A> {
    fn owns_data<D: Dimension>(_: &ArrayBase<Self, D>) -> bool {
        true
    }
}

impl<A> ArrayStorage for OwnedArcRepr<A> {
    fn owns_data<D: Dimension>(_: &ArrayBase<Self, D>) -> bool {
        true
    }
}

impl<A> ArrayStorage for ViewRepr<&A> {
    fn owns_data<D: Dimension>(_: &ArrayBase<Self, D>) -> bool {
        false
    }
}

impl<A> ArrayStorage for ViewRepr<&mut A> {
    fn owns_data<D: Dimension>(_: &ArrayBase<Self, D>) -> bool {
        false
    }
}

impl<A> ArrayStorage for CowRepr<'_, A> {
    fn owns_data<D: Dimension>(array: &ArrayBase<Self, D>) -> bool {
        array.is_owned()
    }
}

#[inline]
fn lend<'a, A: Element, D: Dimension>(a: &'a ArrayRef<A, D>, owned: bool) -> ArrayArg<'a> {
    ArrayArg::strided(a.as_ptr() as *mut A, a.shape(), a.strides(), false, owned)
}

fn lend_mut<'a, A: Element, D: Dimension>(a: &'a mut ArrayRef<A, D>, owned: bool) -> ArrayArg<'a> {
    let ptr = a.as_mut_ptr();
    let a: &'a ArrayRef<A, D> = a;
    ArrayArg::strided(ptr, a.shape(), a.strides(), true, owned)
}

/// An array lent for writing. Taking the pointer first unshares an
/// `ArcArray` and turns a `CowArray` into a copy, so ownership is read after.
fn lend_base_mut<'a, A, S, D>(a: &'a mut ArrayBase<S, D>) -> ArrayArg<'a>
where
    A: Element,
    S: DataMut<Elem = A> + ArrayStorage,
    D: Dimension,
{
    let ptr = a.as_mut_ptr();
    let a: &'a ArrayBase<S, D> = a;
    ArrayArg::strided(ptr, a.shape(), a.strides(), true, S::owns_data(a))
}

/// Any array or view, lent for reading: not `WRITEABLE`.
impl<'a, A, S, D> From<&'a ArrayBase<S, D>> for Value<'a>
where
    A: Element,
    S: Data<Elem = A> + ArrayStorage,
    D: Dimension,
{
    #[inline]
    fn from(a: &'a ArrayBase<S, D>) -> Value<'a> {
        Value::Array(lend(a, S::owns_data(a)))
    }
}

/// Any array or mutable view, lent for writing (an `ArcArray` is unshared
/// first, as ndarray does before any write).
impl<'a, A, S, D> From<&'a mut ArrayBase<S, D>> for Value<'a>
where
    A: Element,
    S: DataMut<Elem = A> + ArrayStorage,
    D: Dimension,
{
    fn from(a: &'a mut ArrayBase<S, D>) -> Value<'a> {
        Value::Array(lend_base_mut(a))
    }
}

impl<'a, A: Element, D: Dimension> From<&'a ArrayRef<A, D>> for Value<'a> {
    fn from(a: &'a ArrayRef<A, D>) -> Value<'a> {
        Value::Array(lend(a, false))
    }
}

impl<'a, A: Element, D: Dimension> From<&'a mut ArrayRef<A, D>> for Value<'a> {
    fn from(a: &'a mut ArrayRef<A, D>) -> Value<'a> {
        Value::Array(lend_mut(a, false))
    }
}

impl<A, S, D> AsCtypes for ArrayBase<S, D>
where
    A: Element,
    S: Data<Elem = A> + ArrayStorage,
    D: Dimension,
{
    fn ctypes(&self) -> Ctypes<'_> {
        Ctypes::new(lend(self, S::owns_data(self)))
    }
}

impl<A, S, D> AsCtypesMut for ArrayBase<S, D>
where
    A: Element,
    S: DataMut<Elem = A> + ArrayStorage,
    D: Dimension,
{
    fn ctypes_mut(&mut self) -> Ctypes<'_> {
        Ctypes::new(lend_base_mut(self))
    }
}

impl<A: Element, D: Dimension> AsCtypes for ArrayRef<A, D> {
    fn ctypes(&self) -> Ctypes<'_> {
        Ctypes::new(lend(self, false))
    }
}

impl<A: Element, D: Dimension> AsCtypesMut for ArrayRef<A, D> {
    fn ctypes_mut(&mut self) -> Ctypes<'_> {
        Ctypes::new(lend_mut(self, false))
    }
}

/// numpy's `ascontiguousarray`: the array itself (a view, no copy) when it
/// is already C-contiguous, otherwise a copy in C order.
///
/// The answer to the pitfall of passing a strided slice to C code that
/// reads consecutive elements:
///
/// ```
/// use ndarray::{Array2, s};
/// use rctypes::{AsCtypes, Flags, ascontiguousarray};
/// let a = Array2::from_shape_fn((4, 4), |(i, j)| (4 * i + j) as f32);
/// let column = a.slice(s![.., 1]);
/// assert!(!column.ctypes().flags().contains(Flags::C_CONTIGUOUS));
/// let c = ascontiguousarray(&column);
/// assert!(c.is_owned());
/// assert_eq!(c.as_slice(), Some(&[1.0, 5.0, 9.0, 13.0][..]));
/// let same = ascontiguousarray(&a);
/// assert!(same.is_view() && same.as_ptr() == a.as_ptr());
/// ```
pub fn ascontiguousarray<A: Clone, D: Dimension>(a: &ArrayRef<A, D>) -> CowArray<'_, A, D> {
    a.as_standard_layout()
}

/// numpy's `WRITEBACKIFCOPY` for C that writes: a C-contiguous version of a
/// possibly strided array that C can fill, whose contents go back to the
/// original when it is dropped (or [`finish`](Self::finish)ed).
///
/// When the original is already C-contiguous there is no copy: C writes
/// into it directly. Made by [`ascontiguousarray_mut`].
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use ndarray::{Array2, s};
/// use rctypes::{CType, Extent, Library, ascontiguousarray_mut};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("mean", rctypes_csrc::DIR)? };
/// let floats = CType::pointer(CType::Float).extent(Extent::ElementsFromArg(2));
/// // SAFETY: mean.c defines `void scale_floats(float *A, int n, float factor)`,
/// // which rewrites n floats of A, never NULL.
/// let scale = unsafe { lib.function("scale_floats", &[floats, CType::Int, CType::Float], CType::Void)? };
/// let mut a = Array2::<f32>::ones((3, 3));
/// let mut column = a.slice_mut(s![.., 0]);
/// // A strided column is refused: C would scale the wrong elements.
/// assert!(scale.call(&[(&mut column).into(), 3.into(), 2.0.into()]).is_err());
/// let mut contiguous = ascontiguousarray_mut(&mut column);
/// scale.call(&[(&mut contiguous).into(), 3.into(), 2.0.into()])?;
/// contiguous.finish();
/// assert_eq!(a.column(0).to_vec(), [2.0, 2.0, 2.0]);
/// assert_eq!(a.column(1).to_vec(), [1.0, 1.0, 1.0]);
/// # Ok(()) }
/// ```
pub struct WriteBack<'a, A: Clone, D: Dimension> {
    original: ArrayViewMut<'a, A, D>,
    copy: Option<Array<A, D>>,
}

/// A C-contiguous version of `a` that C may write, whose writes reach `a`:
/// see [`WriteBack`].
pub fn ascontiguousarray_mut<A: Clone, D: Dimension>(
    a: &mut ArrayRef<A, D>,
) -> WriteBack<'_, A, D> {
    let original = a.view_mut();
    let copy = (!original.is_standard_layout()).then(|| original.as_standard_layout().into_owned());
    WriteBack { original, copy }
}

impl<A: Clone, D: Dimension> WriteBack<'_, A, D> {
    /// Whether C writes into a copy (the original was not C-contiguous).
    pub fn is_copy(&self) -> bool {
        self.copy.is_some()
    }

    /// Writes the copy back into the original, now.
    pub fn finish(self) {}
}

impl<A: Clone, D: Dimension> Drop for WriteBack<'_, A, D> {
    fn drop(&mut self) {
        if let Some(copy) = self.copy.take() {
            self.original.assign(&copy);
        }
    }
}

impl<'b, A: Element, D: Dimension> From<&'b mut WriteBack<'_, A, D>> for Value<'b> {
    fn from(w: &'b mut WriteBack<'_, A, D>) -> Value<'b> {
        Value::Array(w.lend())
    }
}

impl<A: Element, D: Dimension> WriteBack<'_, A, D> {
    fn lend(&mut self) -> ArrayArg<'_> {
        match &mut self.copy {
            Some(copy) => {
                let mut arg = lend_mut(copy, true);
                arg.flags |= Flags::WRITEBACKIFCOPY;
                arg
            }
            None => lend_mut(&mut self.original, false),
        }
    }
}

impl<A: Element, D: Dimension> AsCtypesMut for WriteBack<'_, A, D> {
    fn ctypes_mut(&mut self) -> Ctypes<'_> {
        Ctypes::new(self.lend())
    }
}
