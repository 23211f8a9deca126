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
/// `f64`, `bool`) and for `[u8; N]` (numpy's `S<N>`). Implement it for a
/// `#[repr(C)]` struct to pass arrays of records; build the record once (for
/// example in a `static OnceLock`), since it is asked for at every call.
///
/// ```
/// use std::sync::OnceLock;
/// use rctypes::{DType, Element};
///
/// #[derive(Clone, Copy)]
/// #[repr(C)]
/// struct Weather {
///     timestamp: i32,
///     desc: [u8; 12],
/// }
///
/// // SAFETY: the record below is Weather's C layout, and every bit pattern
/// // is a valid Weather.
/// unsafe impl Element for Weather {
///     fn dtype() -> DType {
///         static DTYPE: OnceLock<DType> = OnceLock::new();
///         DTYPE
///             .get_or_init(|| {
///                 let fields = [("timestamp", DType::of::<i32>()), ("desc", DType::of::<[u8; 12]>())];
///                 DType::record(fields, true).expect("valid record")
///             })
///             .clone()
///     }
/// }
/// assert_eq!(Weather::dtype().itemsize(), size_of::<Weather>());
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
pub unsafe trait Element: Copy + Send + Sync + 'static {
    /// The data type of one element.
    fn dtype() -> DType;

    /// The C scalar type of one element, when it has one: what a
    /// `POINTER(T)` parameter may receive it as.
    fn ctype() -> Option<CType> {
        None
    }

    /// [`dtype`](Self::dtype) and [`ctype`](Self::ctype) made once for the
    /// program's life, for types whose descriptions hold reference counts
    /// (records): lending their values then touches no counts. `c_struct!`
    /// provides it.
    #[doc(hidden)]
    fn shared_types() -> Option<&'static ElementTypes> {
        None
    }
}

/// Each scalar's data type as a constant.
trait ScalarDType {
    const DTYPE: DType;
}

impl<T: Scalar> ScalarDType for T {
    const DTYPE: DType = {
        let ctype = T::CTYPE;
        let dtype = scalar_dtype(&ctype);
        // A scalar's CType holds no Arc; nothing to drop at compile time.
        std::mem::forget(ctype);
        dtype.expect("a Scalar's CTYPE must be a scalar C type")
    };
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
