//! The `.ctypes` view of an array: its address, shape and strides as C
//! values, and pointers to its data that keep the array borrowed.

use std::fmt;
use std::marker::PhantomData;

use crate::error::{Error, Result};
use crate::types::CType;
use crate::value::Value;
use crate::value::{CArg, SameArg};

use super::descriptor::ArrayArg;
use super::validity::{Validity, may_reinterpret};
use crate::types::DType;
use crate::types::Flags;
use crate::value::Element;

/// numpy's `a.ctypes`: an array's address, shape and strides as C values
/// (`c_intp`, strides in bytes), and typed pointers to its data.
///
/// Made by [`AsCtypes::ctypes`] (read-only) or [`AsCtypesMut::ctypes_mut`]
/// (C may write). Pointers from [`data_as`](Self::data_as) borrow the array,
/// not this view, so they stay usable after the view is gone, and never
/// after the array is.
///
/// ```
/// use rctypes::AsCtypes;
/// let x = ndarray::Array3::<f64>::zeros((2, 3, 4));
/// let c = x.ctypes();
/// assert_eq!(c.data(), x.as_ptr() as usize);
/// assert_eq!(c.shape(), &[2, 3, 4]);
/// assert_eq!(c.strides(), &[96, 32, 8]);
/// assert_eq!(c.strides_as::<i64>()?, [96, 32, 8]);
/// assert!(c.shape_as::<i8>().is_ok());
/// # Ok::<(), rctypes::Error>(())
/// ```
///
/// numpy's pitfall, `(a+b).ctypes.data_as(...)` pointing into an array that
/// is already gone, does not compile: the pointer borrows the temporary.
///
/// ```compile_fail,E0716
/// use rctypes::AsCtypes;
/// let a = ndarray::Array1::<f64>::ones(3);
/// let b = ndarray::Array1::<f64>::ones(3);
/// let p = (&a + &b).ctypes().data_as::<f64>().unwrap(); // the sum dies here
/// let _arg: rctypes::Value = p.into();
/// ```
pub struct Ctypes<'a> {
    arg: ArrayArg<'a>,
    shape: Vec<isize>,
    strides: Vec<isize>,
}

impl<'a> Ctypes<'a> {
    pub(crate) fn new(arg: ArrayArg<'a>) -> Ctypes<'a> {
        let shape = arg.shape().iter().map(|&n| n as isize).collect();
        let strides = arg.strides().collect();
        Ctypes {
            arg,
            shape,
            strides,
        }
    }

    /// The address of the data (numpy's `ctypes.data`).
    pub fn data(&self) -> usize {
        self.arg.as_ptr() as usize
    }

    /// The length of each dimension, as `c_intp` (numpy's `ctypes.shape`).
    /// Pass it to C as `c.shape().into()`: a `const intptr_t*`.
    pub fn shape(&self) -> &[isize] {
        &self.shape
    }

    /// The stride of each dimension in bytes, as `c_intp` (numpy's
    /// `ctypes.strides`).
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The data type of the elements.
    pub fn dtype(&self) -> &DType {
        self.arg.dtype()
    }

    /// numpy's flags of the array.
    pub fn flags(&self) -> Flags {
        self.arg.flags()
    }

    /// The array descriptor itself, as an argument (numpy's `_as_parameter_`).
    pub fn as_parameter(&self) -> Value<'a> {
        Value::Array(self.arg.duplicate())
    }

    /// The data as a `const T*` (numpy's `data_as(POINTER(T))`), borrowing
    /// the array. `T` must have the element size, and an alignment the data
    /// has: `data_as::<f32>()` on `float64` data is an error, while
    /// `data_as::<u64>()` reads its bits. Unaligned data (a
    /// [`Memmap`](crate::Memmap) at an odd offset) is an error for any `T`
    /// that needs alignment.
    ///
    /// `T` may be another type only if every bit pattern is a `T`: the bytes
    /// of `bool` data read as `u8`, but `u8` data is no `bool`s.
    ///
    /// ```
    /// use rctypes::AsCtypes;
    /// let flags = vec![true, false];
    /// assert!(flags.ctypes().data_as::<u8>().is_ok());
    /// let bytes = vec![1u8, 0x41];
    /// let err = bytes.ctypes().data_as::<bool>().unwrap_err();
    /// assert!(err.to_string().contains("not every bit pattern"));
    /// ```
    pub fn data_as<T: Element>(&self) -> Result<Ptr<'a, T>> {
        self.check_as::<T>(false)?;
        Ok(Ptr {
            ptr: self.arg.as_ptr() as *const T,
            len: self.arg.len(),
            flags: self.arg.flags().with(Flags::WRITEABLE, false),
            _borrow: PhantomData,
        })
    }

    /// The data as a `T*` C may write through, for a view made by
    /// [`AsCtypesMut::ctypes_mut`]; an error for a read-only one.
    ///
    /// `T` may be another type only if every bit pattern is both a `T` and
    /// an element: `u64` for `f64` data, but not `u8` for `bool` data, where
    /// C could write a byte no `bool` holds.
    ///
    /// ```
    /// use rctypes::AsCtypesMut;
    /// let mut x = vec![1.5f64];
    /// assert!(x.ctypes_mut().data_as_mut::<u64>().is_ok());
    /// let mut flags = vec![true, false];
    /// assert!(flags.ctypes_mut().data_as_mut::<bool>().is_ok());
    /// let err = flags.ctypes_mut().data_as_mut::<u8>().unwrap_err();
    /// assert!(err.to_string().contains("not every bit pattern"));
    /// ```
    pub fn data_as_mut<T: Element>(&self) -> Result<PtrMut<'a, T>> {
        self.check_as::<T>(true)?;
        if self.arg.read_only_memory {
            return Err(Error::Array {
                message: "the memory is read-only (a memmap in mode 'r'): \
                          C cannot write through it"
                    .into(),
            });
        }
        if !self.arg.is_writable() {
            return Err(Error::Array {
                message: "the array is read-only: take the view with ctypes_mut() \
                          for a pointer C may write through"
                    .into(),
            });
        }
        Ok(PtrMut {
            ptr: self.arg.as_ptr() as *mut T,
            len: self.arg.len(),
            flags: self.arg.flags(),
            _borrow: PhantomData,
        })
    }

    /// Checks `T` may stand for the elements: the same size, aligned, and
    /// a type whose values the data holds (and, with `write`, whose values
    /// are elements).
    fn check_as<T: Element>(&self, write: bool) -> Result<()> {
        let dtype = self.arg.dtype();
        let name = std::any::type_name::<T>();
        // Pointers come from values of their type, never from other bytes.
        if let Some(t) = T::ctype().filter(CType::holds_pointers)
            && self.arg.elem() != Some(&t)
        {
            return Err(Error::Conversion {
                expected: format!("{name}, whose pointers come from {name} values"),
                given: format!("data of type {dtype}, whose bytes would make them up"),
            });
        }
        if size_of::<T>() != dtype.itemsize() {
            return Err(Error::Conversion {
                expected: format!("{name}, of {} bytes", size_of::<T>()),
                given: format!("data of type {dtype}, {} bytes each", dtype.itemsize()),
            });
        }
        let data = Validity::new(dtype.clone(), self.arg.elem().cloned());
        if !may_reinterpret(&data, &Validity::of::<T>(), write) {
            let given = if write {
                format!(
                    "data of type {dtype}: not every bit pattern is both a {name} and \
                     an element, so C writing a {name} could leave bytes no element holds"
                )
            } else {
                format!("data of type {dtype}: not every bit pattern is a {name}")
            };
            return Err(Error::Conversion {
                expected: format!("a pointer to {name}"),
                given,
            });
        }
        let align = align_of::<T>();
        let mut bits = self.data();
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            if n > 1 {
                bits |= s as usize;
            }
        }
        if !self.arg.is_empty() && !bits.is_multiple_of(align) {
            let given = if self.flags().contains(Flags::ALIGNED) {
                format!(
                    "data of type {dtype}, aligned to {} bytes",
                    dtype.alignment()
                )
            } else {
                format!(
                    "data of type {dtype} at {:#x}, which is not aligned (flags lack 'ALIGNED')",
                    self.data()
                )
            };
            return Err(Error::Conversion {
                expected: format!("{name}, aligned to {align} bytes"),
                given,
            });
        }
        Ok(())
    }

    /// The shape as `T` values (numpy's `shape_as`), for C that wants another
    /// integer type; a length `T` cannot hold is an error, not truncated.
    pub fn shape_as<T: TryFrom<isize>>(&self) -> Result<Vec<T>> {
        convert_all(&self.shape, "shape")
    }

    /// The strides in bytes as `T` values (numpy's `strides_as`); a stride
    /// `T` cannot hold is an error.
    pub fn strides_as<T: TryFrom<isize>>(&self) -> Result<Vec<T>> {
        convert_all(&self.strides, "strides")
    }
}

fn convert_all<T: TryFrom<isize>>(values: &[isize], what: &str) -> Result<Vec<T>> {
    values
        .iter()
        .enumerate()
        .map(|(axis, &v)| {
            T::try_from(v).map_err(|_| Error::Conversion {
                expected: std::any::type_name::<T>().into(),
                given: format!("{what}[{axis}] = {v}, which does not fit"),
            })
        })
        .collect()
}

impl fmt::Debug for Ctypes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctypes")
            .field("data", &format_args!("{:#x}", self.data()))
            .field("dtype", self.dtype())
            .field("shape", &self.shape)
            .field("strides", &self.strides)
            .field("flags", &self.flags())
            .finish()
    }
}

impl<'a> From<&Ctypes<'a>> for Value<'a> {
    fn from(c: &Ctypes<'a>) -> Value<'a> {
        c.as_parameter()
    }
}

/// Arrays that have a read-only `.ctypes` view.
pub trait AsCtypes {
    /// numpy's `a.ctypes`, for reading: pointers from it are `const`.
    fn ctypes(&self) -> Ctypes<'_>;
}

/// Arrays that have a `.ctypes` view C may write through.
pub trait AsCtypesMut {
    /// numpy's `a.ctypes` of a writeable array: the view is `WRITEABLE`, and
    /// [`Ctypes::data_as_mut`] gives pointers C may write through.
    fn ctypes_mut(&mut self) -> Ctypes<'_>;
}

impl<T: Element> AsCtypes for [T] {
    fn ctypes(&self) -> Ctypes<'_> {
        Ctypes::new(ArrayArg::from_slice(self))
    }
}

impl<T: Element> AsCtypesMut for [T] {
    fn ctypes_mut(&mut self) -> Ctypes<'_> {
        Ctypes::new(ArrayArg::from_mut_slice(self))
    }
}

impl<T: Element> AsCtypes for Vec<T> {
    fn ctypes(&self) -> Ctypes<'_> {
        Ctypes::new(ArrayArg::from_vec(self))
    }
}

impl<T: Element> AsCtypesMut for Vec<T> {
    fn ctypes_mut(&mut self) -> Ctypes<'_> {
        Ctypes::new(ArrayArg::from_mut_vec(self))
    }
}

/// A `const T*` into an array, from [`Ctypes::data_as`]: it borrows the
/// array for `'a`, so it cannot outlive it.
///
/// It passes to C as the address of the first element: to a `const T*`
/// parameter (or `const void*`) of a dynamic call, and as `*const T` in a
/// typed call. For an array that is not C-contiguous it is still that
/// address (as numpy's `data_as`): C must then walk the strides.
pub struct Ptr<'a, T> {
    ptr: *const T,
    len: usize,
    flags: Flags,
    _borrow: PhantomData<&'a [T]>,
}

/// A `T*` C may write through, from [`Ctypes::data_as_mut`]; it borrows the
/// array mutably for `'a`.
pub struct PtrMut<'a, T> {
    ptr: *mut T,
    len: usize,
    flags: Flags,
    _borrow: PhantomData<&'a mut [T]>,
}

macro_rules! ptr_common {
    ($name:ident) => {
        impl<T> Clone for $name<'_, T> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<T> Copy for $name<'_, T> {}

        impl<T> fmt::Debug for $name<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "{}<{}>({:p}, {} elements)",
                    stringify!($name),
                    std::any::type_name::<T>(),
                    self.ptr,
                    self.len
                )
            }
        }

        impl<T> $name<'_, T> {
            /// The address.
            pub fn addr(&self) -> usize {
                self.ptr as usize
            }

            /// The number of elements of the array it points into.
            pub fn len(&self) -> usize {
                self.len
            }

            /// Whether that array is empty.
            pub fn is_empty(&self) -> bool {
                self.len == 0
            }

            /// The flags of the array it points into.
            pub fn flags(&self) -> Flags {
                self.flags
            }
        }

        impl<'a, T: Element> From<$name<'a, T>> for Value<'a> {
            fn from(p: $name<'a, T>) -> Value<'a> {
                Value::Array(ArrayArg::pointer_to::<T>(p.ptr as *mut T, p.len, p.flags))
            }
        }
    };
}

ptr_common!(Ptr);
ptr_common!(PtrMut);

impl<T> Ptr<'_, T> {
    /// The raw pointer (reading through it is up to `unsafe` code).
    pub fn as_ptr(&self) -> *const T {
        self.ptr
    }
}

impl<T> PtrMut<'_, T> {
    /// The raw pointer (reading or writing through it is up to `unsafe` code).
    pub fn as_ptr(&self) -> *mut T {
        self.ptr
    }
}

impl<T: Element> crate::sealed::SealedData for Ptr<'_, T> {}
impl<T: Element> crate::sealed::SealedData for PtrMut<'_, T> {}

// SAFETY: a Ptr is the address of an array of T borrowed for 'a, and the
// typed call holds it for the call.
unsafe impl<T: Element> CArg for Ptr<'_, T> {
    type Raw = *const T;
    fn ctype() -> CType {
        CType::const_pointer(T::ctype().unwrap_or(CType::Void))
    }
    /// Its length is known only at run time: `CFunc::typed` takes none,
    /// only `Library::typed`, whose caller vouches C stays within it.
    fn accepts(_: &CType) -> bool {
        false
    }
    #[inline(always)]
    fn into_raw(self) -> *const T {
        self.ptr
    }
}

// SAFETY: a pointer into a borrowed array passes as itself, whatever the
// borrow's lifetime: each typed call borrows only for that call.
unsafe impl<T: Element> SameArg<Ptr<'_, T>> for Ptr<'_, T> {
    #[inline(always)]
    fn into_raw_as(self) -> *const T {
        self.ptr
    }
}

// SAFETY: as above, mutably.
unsafe impl<T: Element> SameArg<PtrMut<'_, T>> for PtrMut<'_, T> {
    #[inline(always)]
    fn into_raw_as(self) -> *mut T {
        self.ptr
    }
}

// SAFETY: as above, for an array borrowed mutably: C may write.
unsafe impl<T: Element> CArg for PtrMut<'_, T> {
    type Raw = *mut T;
    fn ctype() -> CType {
        CType::pointer(T::ctype().unwrap_or(CType::Void))
    }
    /// As for `Ptr`.
    fn accepts(_: &CType) -> bool {
        false
    }
    #[inline(always)]
    fn into_raw(self) -> *mut T {
        self.ptr
    }
}
