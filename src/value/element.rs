//! Rust types that can be elements of arrays lent to C.

use crate::types::{CType, DType, NdPointerBuilder, scalar_dtype};
use crate::value::Scalar;
use crate::value::array::ElementTypes;

impl DType {
    /// The data type of the Rust element type `T`.
    ///
    /// ```
    /// use rctypes::DType;
    /// assert_eq!(DType::of::<u8>().to_string(), "uint8");
    /// assert_eq!(DType::of::<[u8; 12]>().to_string(), "|S12");
    /// ```
    pub fn of<T: Element>() -> DType {
        T::dtype()
    }
}

impl NdPointerBuilder {
    /// The array must have the data type of the Rust type `T`.
    pub fn dtype_of<T: Element>(mut self) -> Self {
        self.spec.dtype = Some(T::dtype());
        self
    }
}

/// A Rust type that can be an element of an array lent to C: it has a
/// [`DType`] describing its bytes.
///
/// Implemented for every [`Scalar`] (`i8` … `u64`, `isize`, `usize`, `f32`,
/// `f64`, `bool`), for `[u8; N]` (numpy's `S<N>`), and by
/// [`c_struct!`](crate::c_struct) for the `#[repr(C)]` structs it declares,
/// whose data type is the record of their layout: arrays of records. The
/// trait is sealed: that macro is the only way to implement it for another
/// type.
///
/// ```
/// use rctypes::{DType, Element, c_struct};
///
/// c_struct! {
///     struct Weather {
///         timestamp: i32,
///         desc: [u8; 12],
///     }
/// }
///
/// assert_eq!(Weather::dtype().itemsize(), size_of::<Weather>());
/// assert_eq!(DType::of::<Weather>().fields().unwrap().len(), 2);
/// ```
///
/// # Safety
///
/// `dtype()` must describe `Self` exactly: its itemsize is `size_of::<Self>()`,
/// its alignment at most `align_of::<Self>()`, its fields where the struct's
/// are. Every bit pattern that both `dtype()` and `ctype()` allow must be a
/// valid `Self`, as C may write any of them: a data type allows any bytes
/// but in a `bool` (itself or a field), which is 0 or 1, and a C type may
/// narrow that (the `_Bool`s of an array field). Typed access checks data
/// that safe code could have set against both. `shared_types()`, where a
/// type gives it, must hold exactly `dtype()` and `ctype()`.
/// [`c_struct!`](crate::c_struct) keeps this for the structs it declares.
pub unsafe trait Element: Copy + Send + Sync + 'static + crate::sealed::SealedData {
    /// The data type of one element.
    fn dtype() -> DType;

    /// The C scalar type of one element, when it has one: what a
    /// `POINTER(T)` parameter may receive it as.
    fn ctype() -> Option<CType> {
        None
    }

    /// [`dtype`](Self::dtype) and [`ctype`](Self::ctype) made once for the
    /// program's life: lending values of the type then makes no
    /// description, and touches no reference counts (a record's).
    /// [`c_struct!`](crate::c_struct) provides it, and scalars have it;
    /// byte strings have none to share.
    ///
    /// ```
    /// use rctypes::{Element, c_struct};
    ///
    /// c_struct! {
    ///     struct Point { x: f64, y: f64 }
    /// }
    ///
    /// let shared = Point::shared_types().unwrap();
    /// assert_eq!(shared.dtype(), &Point::dtype());
    /// assert!(std::ptr::eq(shared, Point::shared_types().unwrap()), "made once");
    /// assert_eq!(f64::shared_types().unwrap().dtype(), &f64::dtype());
    /// assert!(<[u8; 4]>::shared_types().is_none());
    /// ```
    fn shared_types() -> Option<&'static ElementTypes> {
        None
    }
}

/// Each scalar's data type as a constant, and its element types.
trait ScalarDType {
    const DTYPE: DType;
    const TYPES: &'static ElementTypes;
}

impl<T: Scalar> ScalarDType for T {
    const DTYPE: DType = {
        let ctype = T::CTYPE;
        let dtype = scalar_dtype(&ctype);
        // A scalar's CType holds no Arc; nothing to drop at compile time.
        std::mem::forget(ctype);
        dtype.expect("a Scalar's CTYPE must be a scalar C type")
    };
    const TYPES: &'static ElementTypes = &ElementTypes::new(T::DTYPE, Some(T::CTYPE));
}

// SAFETY: a Scalar has its CTYPE's representation, and scalar_dtype gives
// that type's size and kind in native order.
unsafe impl<T: Scalar> Element for T {
    #[inline]
    fn dtype() -> DType {
        <T as ScalarDType>::DTYPE
    }
    #[inline]
    fn ctype() -> Option<CType> {
        Some(T::CTYPE)
    }
    #[inline]
    fn shared_types() -> Option<&'static ElementTypes> {
        Some(<T as ScalarDType>::TYPES)
    }
}

// SAFETY: N bytes with alignment 1 are numpy's S<N>, and every byte is valid.
unsafe impl<const N: usize> Element for [u8; N] {
    fn dtype() -> DType {
        DType::bytes(N)
    }
    fn ctype() -> Option<CType> {
        (N == 1).then_some(CType::Char)
    }
}
