//! `NdArray`: an owned array whose data type is known only at run time.

use std::borrow::Cow;
use std::ffi::c_void;
use std::fmt;

use ndarray::{
    ArrayBase, ArrayD, ArrayViewD, ArrayViewMutD, Data, Dimension, IxDyn, Order, ShapeBuilder,
};

use crate::error::{Error, Result};
use crate::value::Value;

use crate::types::DType;
use crate::types::Flags;
use crate::types::IntoDType;
use crate::types::fmt_tuple;
use crate::value::Element;
use crate::value::array::Validity;
use crate::value::array::{ArrayArg, layout_flags};
use crate::value::array::{AsCtypes, AsCtypesMut, Ctypes};

/// The unit of an `NdArray`'s buffer: 16 bytes, aligned to 16, as much as
/// any C scalar (`long double` included) needs.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Chunk([u8; 16]);

const MAX_ALIGN: usize = align_of::<Chunk>();

/// An owned n-dimensional array whose [`DType`] is known only at run time:
/// for data types chosen by C (the allocator pattern's type code), records
/// with no Rust struct, or non-native byte order.
///
/// Its buffer is aligned for any scalar, in C (row-major) or Fortran
/// (column-major) order. It passes to C like any array, without copying
/// (`(&a).into()` read-only, `(&mut a).into()` writeable), has a
/// [`ctypes`](AsCtypes::ctypes) view, and gives typed `ndarray` views once
/// the element type is known.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, DType, NdArray, ndpointer};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("sample", rctypes_csrc::DIR)? };
/// let weather = DType::record([("timestamp", DType::parse("i4")?), ("desc", DType::parse("S12")?)], true)?;
/// let mut records = NdArray::zeros(&weather, &[2])?;
/// records.set_field(&[0], "timestamp", 1126877361i32)?;
/// records.set_field(&[1], "timestamp", 1126877371i32)?;
/// records.set_field(&[1], "desc", *b"rain\0\0\0\0\0\0\0\0")?;
/// let arg = ndpointer().dtype(&weather).flags("aligned, contiguous").read_only().build()?;
/// // SAFETY: sample.c defines `long long sum_timestamps(const Weather *w, int nelems)`.
/// let sum = unsafe { lib.function("sum_timestamps", &[arg.into(), CType::Int], CType::LongLong)? };
/// assert_eq!(sum.call(&[(&records).into(), 2.into()])?.to::<i64>()?, 2253754732);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct NdArray {
    buf: Vec<Chunk>,
    dtype: DType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    fortran: bool,
}

fn array_error(message: impl Into<String>) -> Error {
    Error::Array {
        message: message.into(),
    }
}

impl NdArray {
    /// An array of `shape` elements of `dtype`, all bytes zero, in C order
    /// (numpy's `zeros(shape, dtype)`).
    pub fn zeros(dtype: impl IntoDType, shape: &[usize]) -> Result<NdArray> {
        NdArray::zeros_in(dtype, shape, Order::C)
    }

    /// As [`zeros`](Self::zeros), in the given memory order (`Order::F` for
    /// Fortran's column-major order).
    pub fn zeros_in(dtype: impl IntoDType, shape: &[usize], order: Order) -> Result<NdArray> {
        let dtype = dtype.into_dtype()?;
        if dtype.alignment() > MAX_ALIGN {
            return Err(array_error(format!(
                "data type {dtype} needs alignment {}, more than {MAX_ALIGN}",
                dtype.alignment()
            )));
        }
        let fortran = order == Order::F;
        let too_large = || array_error(format!("shape {} is too large", fmt_tuple(shape.iter())));
        let (nbytes, strides) =
            contiguous_layout(dtype.itemsize(), shape, fortran).ok_or_else(too_large)?;
        let chunks = nbytes.div_ceil(MAX_ALIGN);
        let mut buf = Vec::new();
        buf.try_reserve_exact(chunks).map_err(|_| {
            array_error(format!(
                "cannot allocate {nbytes} bytes for shape {} of {dtype}",
                fmt_tuple(shape.iter())
            ))
        })?;
        buf.resize(chunks, Chunk([0; 16]));
        Ok(NdArray {
            buf,
            dtype,
            shape: shape.to_vec(),
            strides,
            fortran,
        })
    }

    /// The elements of `data` as an array of `shape`, in C order (copied
    /// once into an aligned buffer).
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<NdArray> {
        let mut a = NdArray::zeros(T::dtype(), shape)?;
        if a.len() != data.len() {
            return Err(array_error(format!(
                "{} elements cannot have shape {}",
                data.len(),
                fmt_tuple(shape.iter())
            )));
        }
        a.fill_view::<T>()?
            .as_slice_memory_order_mut()
            .expect("new arrays are contiguous")
            .copy_from_slice(&data);
        Ok(a)
    }

    /// A copy of an `ndarray` array, in C order.
    pub fn from_array<T: Element, S: Data<Elem = T>, D: Dimension>(
        array: &ArrayBase<S, D>,
    ) -> Result<NdArray> {
        let mut a = NdArray::zeros(T::dtype(), array.shape())?;
        a.fill_view::<T>()?.assign(&array.view().into_dyn());
        Ok(a)
    }

    /// An array of `shape` elements of `dtype` from their bytes, in C order.
    /// Bytes no element has (a `bool` other than 0 or 1) are an error.
    ///
    /// ```
    /// use rctypes::NdArray;
    /// let a = NdArray::from_bytes("<i2", &[2], &[1, 0, 0, 1])?;
    /// assert_eq!(a.get::<i16>(&[1])?, 256);
    /// let err = NdArray::from_bytes("?", &[2], &[1, 0x41]).unwrap_err();
    /// assert!(err.to_string().contains("byte 1 of the data is 0x41, not a bool (0 or 1)"));
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn from_bytes(dtype: impl IntoDType, shape: &[usize], bytes: &[u8]) -> Result<NdArray> {
        let mut a = NdArray::zeros(dtype, shape)?;
        if bytes.len() != a.nbytes() {
            return Err(array_error(format!(
                "{} bytes cannot be {} elements of {}",
                bytes.len(),
                a.len(),
                a.dtype
            )));
        }
        let size = a.dtype.itemsize();
        Validity::new(a.dtype.clone(), None).check(
            bytes,
            size,
            (0..a.len()).map(|i| i * size),
            &format!("make an array of {} from these bytes", a.dtype),
        )?;
        a.as_bytes_mut().copy_from_slice(bytes);
        Ok(a)
    }

    /// The data type of the elements.
    pub fn dtype(&self) -> &DType {
        &self.dtype
    }

    /// The length of each dimension.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The stride of each dimension, in bytes.
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size of the data in bytes.
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype.itemsize()
    }

    /// The memory order.
    pub fn order(&self) -> Order {
        if self.fortran { Order::F } else { Order::C }
    }

    /// numpy's flags: contiguous in its order (both, for one dimension),
    /// aligned, and owning its data. `WRITEABLE` is a property of how it is
    /// lent, not of the array: see [`Flags`].
    pub fn flags(&self) -> Flags {
        layout_flags(
            self.as_ptr() as usize,
            self.dtype.alignment(),
            self.dtype.itemsize(),
            &self.shape,
            |i| self.strides[i],
        ) | Flags::OWNDATA
    }

    /// The address of the data.
    pub fn as_ptr(&self) -> *const c_void {
        self.buf.as_ptr() as *const c_void
    }

    /// The address of the data, for writing.
    pub fn as_mut_ptr(&mut self) -> *mut c_void {
        self.buf.as_mut_ptr() as *mut c_void
    }

    /// The data's bytes, in memory order.
    pub fn as_bytes(&self) -> &[u8] {
        let n = self.nbytes();
        // SAFETY: the buffer holds at least nbytes initialised bytes.
        unsafe { std::slice::from_raw_parts(self.buf.as_ptr() as *const u8, n) }
    }

    /// The data's bytes, in memory order, for writing. Any bytes may be
    /// written: typed access ([`view`](Self::view), [`get`](Self::get), …)
    /// then refuses those no element has (a `bool` other than 0 or 1).
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        let n = self.nbytes();
        // SAFETY: as above, borrowed mutably.
        unsafe { std::slice::from_raw_parts_mut(self.buf.as_mut_ptr() as *mut u8, n) }
    }

    fn check_type<T: Element>(&self, dtype: &DType, what: &str) -> Result<()> {
        if T::dtype() != *dtype || size_of::<T>() != dtype.itemsize() {
            return Err(Error::Conversion {
                expected: format!("{what} of data type {}", std::any::type_name::<T>(),),
                given: format!("data of type {dtype}"),
            });
        }
        Ok(())
    }

    /// Refuses typed reads as `T` when `T` holds pointers (a `c_struct!`
    /// with an `Option<RawPtr>`): the array's data type has integers there,
    /// which safe code writes at will, so reading them as `T` would make
    /// addresses up. Such records go to C in a `Vec` or an `ndarray` array.
    fn check_readable<T: Element>(&self, what: &str) -> Result<()> {
        if T::ctype().is_some_and(|t| t.holds_pointers()) {
            return Err(Error::Conversion {
                expected: format!("{what} of data type {}", std::any::type_name::<T>()),
                given: format!(
                    "data of type {}, whose pointers are integers here: read as {} they \
                     would make addresses up (use a Vec or an ndarray array of it)",
                    self.dtype,
                    std::any::type_name::<T>()
                ),
            });
        }
        Ok(())
    }

    fn element_shape(&self) -> ndarray::StrideShape<IxDyn> {
        let shape = IxDyn(&self.shape);
        if self.fortran {
            shape.f().into()
        } else {
            shape.into()
        }
    }

    /// Checks every element is a valid `T` (bytes written through
    /// `as_bytes_mut` may not be) before a view reads them as `T`s.
    fn check_elements<T: Element>(&self, offset: usize, doing: &str) -> Result<()> {
        let size = self.dtype.itemsize();
        let starts = (0..self.len()).map(|i| i * size + offset);
        Validity::check_as::<T>(self.as_bytes(), starts, doing)
    }

    /// A typed view, when `T`'s data type is the array's.
    ///
    /// ```
    /// use rctypes::NdArray;
    /// let a = NdArray::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    /// assert_eq!(a.view::<f32>()?[[1, 0]], 3.0);
    /// assert!(a.view::<f64>().is_err());
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn view<T: Element>(&self) -> Result<ArrayViewD<'_, T>> {
        self.check_type::<T>(&self.dtype, "a view")?;
        self.check_readable::<T>("a view")?;
        self.check_elements::<T>(0, "view the data as")?;
        let ptr = if self.is_empty() {
            std::ptr::NonNull::<T>::dangling().as_ptr() as *const T
        } else {
            self.buf.as_ptr() as *const T
        };
        // SAFETY: the buffer holds len() elements of T's data type (checked
        // above), aligned to 16, in the order the shape says; each is a valid
        // T (checked above).
        Ok(unsafe { ArrayViewD::from_shape_ptr(self.element_shape(), ptr) })
    }

    /// A typed view for writing, when `T`'s data type is the array's.
    pub fn view_mut<T: Element>(&mut self) -> Result<ArrayViewMutD<'_, T>> {
        self.check_readable::<T>("a view")?;
        self.fill_view::<T>()
    }

    /// A view for writing, to fill a new array with `T`s (pointers among
    /// them included): `view_mut` without the check on reading.
    fn fill_view<T: Element>(&mut self) -> Result<ArrayViewMutD<'_, T>> {
        self.check_type::<T>(&self.dtype, "a view")?;
        self.check_elements::<T>(0, "view the data as")?;
        let shape = self.element_shape();
        let ptr = if self.is_empty() {
            std::ptr::NonNull::<T>::dangling().as_ptr()
        } else {
            self.buf.as_mut_ptr() as *mut T
        };
        // SAFETY: as in view, with the buffer borrowed mutably.
        Ok(unsafe { ArrayViewMutD::from_shape_ptr(shape, ptr) })
    }

    /// The elements as an `ndarray` array of `T` (copied out).
    pub fn into_array<T: Element>(self) -> Result<ArrayD<T>> {
        Ok(self.view::<T>()?.to_owned())
    }

    /// A view of one field of a record array, when its elements can be
    /// addressed as `T` (the record's size a multiple of `T`'s).
    pub fn field<T: Element>(&self, name: &str) -> Result<ArrayViewD<'_, T>> {
        let field = self.record_field(name)?;
        self.check_type::<T>(field.dtype(), "a field view")?;
        self.check_readable::<T>("a field view")?;
        let size = size_of::<T>().max(1) as isize;
        let offset = field.offset();
        let mut strides = Vec::with_capacity(self.ndim());
        for &s in &self.strides {
            if s % size != 0 {
                return Err(array_error(format!(
                    "field {name:?} cannot be viewed as {}: the record size {} is not a multiple of {size}",
                    std::any::type_name::<T>(),
                    self.dtype.itemsize()
                )));
            }
            strides.push((s / size) as usize);
        }
        if offset % align_of::<T>() != 0 {
            return Err(array_error(format!(
                "field {name:?} at offset {offset} is not aligned for {}",
                std::any::type_name::<T>()
            )));
        }
        self.check_elements::<T>(offset, &format!("view field {name:?} as"))?;
        let ptr = if self.is_empty() {
            std::ptr::NonNull::<T>::dangling().as_ptr() as *const T
        } else {
            // SAFETY: the offset is inside the first record.
            unsafe { (self.buf.as_ptr() as *const u8).add(offset) as *const T }
        };
        // SAFETY: every element's field lies inside the buffer at this offset
        // and these strides, aligned for T (checked), of T's data type, a
        // valid T (checked).
        Ok(unsafe { ArrayViewD::from_shape_ptr(IxDyn(&self.shape).strides(IxDyn(&strides)), ptr) })
    }

    fn record_field(&self, name: &str) -> Result<&crate::types::Field> {
        self.dtype.field(name).ok_or_else(|| {
            array_error(if self.dtype.is_record() {
                format!("data type {} has no field {name:?}", self.dtype)
            } else {
                format!(
                    "data type {} is not a record; it has no field {name:?}",
                    self.dtype
                )
            })
        })
    }

    fn byte_offset(&self, index: &[usize]) -> Result<usize> {
        if index.len() != self.ndim() || index.iter().zip(&self.shape).any(|(i, n)| i >= n) {
            return Err(array_error(format!(
                "index {} is out of bounds for shape {}",
                fmt_tuple(index.iter()),
                fmt_tuple(self.shape.iter())
            )));
        }
        Ok(index
            .iter()
            .zip(&self.strides)
            .map(|(&i, &s)| i * s as usize)
            .sum())
    }

    /// The element at `index`, read as `T` (which must have the data type).
    pub fn get<T: Element>(&self, index: &[usize]) -> Result<T> {
        self.check_type::<T>(&self.dtype, "an element")?;
        self.check_readable::<T>("an element")?;
        let at = self.byte_offset(index)?;
        Validity::check_as::<T>(self.as_bytes(), [at], "read the element as")?;
        // SAFETY: at + size_of::<T>() is inside the buffer (index checked),
        // and the bytes are a valid T (data type and bytes checked).
        Ok(unsafe { (self.as_bytes().as_ptr().add(at) as *const T).read_unaligned() })
    }

    /// Writes the element at `index`.
    pub fn set<T: Element>(&mut self, index: &[usize], value: T) -> Result<()> {
        self.check_type::<T>(&self.dtype, "an element")?;
        let at = self.byte_offset(index)?;
        // SAFETY: as in get, for writing.
        unsafe { (self.as_bytes_mut().as_mut_ptr().add(at) as *mut T).write_unaligned(value) };
        Ok(())
    }

    /// The field `name` of the record at `index` (numpy's `a[i][name]`).
    pub fn get_field<T: Element>(&self, index: &[usize], name: &str) -> Result<T> {
        let field = self.record_field(name)?;
        self.check_type::<T>(field.dtype(), "a field")?;
        self.check_readable::<T>("a field")?;
        let at = self.byte_offset(index)? + field.offset();
        Validity::check_as::<T>(self.as_bytes(), [at], &format!("read field {name:?} as"))?;
        // SAFETY: the field lies inside the record, which is inside the
        // buffer, and its bytes are a valid T (data type and bytes checked).
        Ok(unsafe { (self.as_bytes().as_ptr().add(at) as *const T).read_unaligned() })
    }

    /// Writes the field `name` of the record at `index`.
    pub fn set_field<T: Element>(&mut self, index: &[usize], name: &str, value: T) -> Result<()> {
        let field = self.record_field(name)?;
        self.check_type::<T>(field.dtype(), "a field")?;
        let at = self.byte_offset(index)? + field.offset();
        // SAFETY: as in get_field, for writing.
        unsafe { (self.as_bytes_mut().as_mut_ptr().add(at) as *mut T).write_unaligned(value) };
        Ok(())
    }

    /// numpy's `ascontiguousarray`: the array itself when it is C-contiguous,
    /// otherwise a copy in C order.
    pub fn as_c_contiguous(&self) -> Cow<'_, NdArray> {
        if self.flags().contains(Flags::C_CONTIGUOUS) {
            return Cow::Borrowed(self);
        }
        let (_, strides) = contiguous_layout(self.dtype.itemsize(), &self.shape, false)
            .expect("the extent of an existing array fits");
        // A copy of memory this array already holds: running out of memory
        // here is the process's, as for any Vec.
        let mut out = NdArray {
            buf: vec![Chunk([0; 16]); self.buf.len()],
            dtype: self.dtype.clone(),
            shape: self.shape.clone(),
            strides,
            fortran: false,
        };
        let size = self.dtype.itemsize();
        let src = self.as_bytes();
        let mut index = vec![0usize; self.ndim()];
        for chunk in out.as_bytes_mut().chunks_exact_mut(size) {
            let at: usize = index
                .iter()
                .zip(&self.strides)
                .map(|(&i, &s)| i * s as usize)
                .sum();
            chunk.copy_from_slice(&src[at..at + size]);
            for axis in (0..index.len()).rev() {
                index[axis] += 1;
                if index[axis] < self.shape[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
        Cow::Owned(out)
    }

    fn arg(&self) -> ArrayArg<'_> {
        ArrayArg::with_byte_strides(
            self.buf.as_ptr() as *mut c_void,
            self.dtype.clone(),
            &self.shape,
            &self.strides,
            self.flags(),
        )
    }

    fn arg_mut(&mut self) -> ArrayArg<'_> {
        let ptr = self.as_mut_ptr();
        let flags = self.flags() | Flags::WRITEABLE;
        let this: &NdArray = self;
        ArrayArg::with_byte_strides(ptr, this.dtype.clone(), &this.shape, &this.strides, flags)
    }
}

/// The size in bytes and the byte strides of a contiguous array of `shape`,
/// or `None` when it is too large: its extent with empty dimensions counted
/// as 1 (as numpy and ndarray count it, so that every stride fits) must fit
/// `isize`.
pub(crate) fn contiguous_layout(
    itemsize: usize,
    shape: &[usize],
    fortran: bool,
) -> Option<(usize, Vec<isize>)> {
    let mut strides = vec![0isize; shape.len()];
    let mut step = isize::try_from(itemsize).ok()?;
    let axes: Box<dyn Iterator<Item = usize>> = if fortran {
        Box::new(0..shape.len())
    } else {
        Box::new((0..shape.len()).rev())
    };
    for axis in axes {
        strides[axis] = step;
        step = step.checked_mul(isize::try_from(shape[axis].max(1)).ok()?)?;
    }
    let nbytes = if shape.contains(&0) { 0 } else { step as usize };
    Some((nbytes, strides))
}

impl fmt::Debug for NdArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "NdArray(dtype={}, shape={}, order={})",
            self.dtype,
            fmt_tuple(self.shape.iter()),
            if self.fortran { 'F' } else { 'C' }
        )
    }
}

impl PartialEq for NdArray {
    /// Equal data type, shape and elements (in either memory order).
    fn eq(&self, other: &NdArray) -> bool {
        self.dtype == other.dtype
            && self.shape == other.shape
            && self.as_c_contiguous().as_bytes() == other.as_c_contiguous().as_bytes()
    }
}

impl<'a> From<&'a NdArray> for Value<'a> {
    fn from(a: &'a NdArray) -> Value<'a> {
        Value::Array(a.arg())
    }
}

impl<'a> From<&'a mut NdArray> for Value<'a> {
    fn from(a: &'a mut NdArray) -> Value<'a> {
        Value::Array(a.arg_mut())
    }
}

impl AsCtypes for NdArray {
    fn ctypes(&self) -> Ctypes<'_> {
        Ctypes::new(self.arg())
    }
}

impl AsCtypesMut for NdArray {
    fn ctypes_mut(&mut self) -> Ctypes<'_> {
        Ctypes::new(self.arg_mut())
    }
}
