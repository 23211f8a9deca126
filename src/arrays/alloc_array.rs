//! The arrays an [`Allocator`](crate::Allocator) hands to C: an owned,
//! aligned, zeroed buffer with a shape and a numpy type character, read back
//! as `ndarray` arrays.

use std::alloc::Layout;
use std::ffi::c_void;
use std::fmt;
use std::ptr::NonNull;

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, IxDyn};

use crate::error::{Error, Result};
use crate::types::LongDouble;
use crate::types::{CType, Kind};
use crate::value::Scalar;

/// Alignment of every buffer: enough for every element type, `long double`
/// included (numpy aligns to 16 as well).
const ALIGN: usize = 16;

/// The numpy type characters an allocator understands, in the order errors
/// list them.
pub(crate) const TYPECODES: &str = "dfglLqQiIhHbB";

/// The element type of a numpy type character (`NPY_TYPECHAR`).
pub(crate) fn element_type(typecode: char) -> Option<CType> {
    Some(match typecode {
        'd' => CType::Double,
        'f' => CType::Float,
        'g' => CType::LongDouble,
        'l' => CType::Long,
        'L' => CType::ULong,
        'q' => CType::LongLong,
        'Q' => CType::ULongLong,
        'i' => CType::Int,
        'I' => CType::UInt,
        'h' => CType::Short,
        'H' => CType::UShort,
        'b' => CType::Byte,
        'B' => CType::UByte,
        _ => return None,
    })
}

/// numpy's name of the data type of `ty`.
fn dtype_name(ty: &CType) -> &'static str {
    match ty.kind() {
        Kind::F32 => "float32",
        Kind::F64 => "float64",
        Kind::LongDouble => "longdouble",
        Kind::Bool => "bool",
        Kind::I8 => "int8",
        Kind::U8 => "uint8",
        Kind::I16 => "int16",
        Kind::U16 => "uint16",
        Kind::I32 => "int32",
        Kind::U32 => "uint32",
        Kind::I64 => "int64",
        Kind::U64 => "uint64",
        Kind::Void | Kind::Ptr | Kind::Aggregate => "object",
    }
}

/// One array an allocator handed to C: it owns its buffer (aligned to 16
/// bytes, zeroed before C got it) and knows its shape and numpy type
/// character. Read it back with [`view`](Self::view) or
/// [`to_array`](Self::to_array), checked against the element type.
pub struct AllocatedArray {
    data: NonNull<u8>,
    layout: Layout,
    shape: Vec<usize>,
    typecode: char,
    elem: CType,
}

// SAFETY: the buffer is owned, as a Vec's is; access goes through &self/&mut self.
unsafe impl Send for AllocatedArray {}
// SAFETY: &self gives only reads.
unsafe impl Sync for AllocatedArray {}

impl AllocatedArray {
    /// A zeroed array of `typecode` and `shape`, or why there cannot be one
    /// (numpy's words where numpy has them).
    pub(crate) fn zeroed(typecode: char, shape: Vec<usize>) -> std::result::Result<Self, String> {
        let elem = element_type(typecode)
            .ok_or_else(|| format!("data type {typecode:?} not understood"))?;
        let too_big = || format!("array is too big: shape {shape:?} of {}", dtype_name(&elem));
        // Empty dimensions count as 1, as numpy counts them: the views made
        // later need every stride to fit.
        let extent = shape
            .iter()
            .try_fold(elem.size(), |n, &d| n.checked_mul(d.max(1)))
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(too_big)?;
        let bytes = if shape.contains(&0) { 0 } else { extent };
        // A zero-size array still gets its own address, as numpy's do.
        let layout = Layout::from_size_align(bytes.max(1), ALIGN).map_err(|_| too_big())?;
        // SAFETY: the layout's size is at least 1.
        let data = NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })
            .ok_or_else(|| format!("cannot allocate {bytes} bytes"))?;
        Ok(AllocatedArray {
            data,
            layout,
            shape,
            typecode,
            elem,
        })
    }

    /// The numpy type character it was allocated with.
    pub fn typecode(&self) -> char {
        self.typecode
    }

    /// The C type of its elements.
    pub fn elem_type(&self) -> &CType {
        &self.elem
    }

    /// numpy's name for its data type (`float32`, `int64`, ...).
    pub fn dtype_name(&self) -> &'static str {
        dtype_name(&self.elem)
    }

    /// The shape C asked for.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether it has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The address C was given.
    pub fn as_ptr(&self) -> *const c_void {
        self.data.as_ptr() as *const c_void
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut c_void {
        self.data.as_ptr() as *mut c_void
    }

    /// Checks that `T` is the element type.
    fn check<T: Scalar>(&self) -> Result<()> {
        if T::CTYPE.is_compatible(&self.elem) && self.elem.kind() != Kind::LongDouble {
            return Ok(());
        }
        Err(Error::Conversion {
            expected: format!("an array of {}", dtype_name(&T::CTYPE)),
            given: format!(
                "an array of data type {} (typecode {:?})",
                self.dtype_name(),
                self.typecode
            ),
        })
    }

    /// A C-ordered view of the elements as `T`, which must be the element
    /// type (`f32` for `'f'`, `i64` for `'q'`, ...).
    pub fn view<T: Scalar>(&self) -> Result<ArrayViewD<'_, T>> {
        self.check::<T>()?;
        // The buffer holds len() elements of the element type, which has T's
        // representation (checked), is aligned to 16 and initialised (zeroed,
        // then written by C with values of that type); every bit pattern is
        // a valid integer or float. The borrow of self keeps it.
        // SAFETY: as above.
        Ok(unsafe {
            ArrayViewD::from_shape_ptr(IxDyn(&self.shape), self.data.as_ptr() as *const T)
        })
    }

    /// A mutable C-ordered view of the elements as `T`.
    pub fn view_mut<T: Scalar>(&mut self) -> Result<ArrayViewMutD<'_, T>> {
        self.check::<T>()?;
        // SAFETY: as for `view`; the mutable borrow of self makes it unique.
        Ok(unsafe {
            ArrayViewMutD::from_shape_ptr(IxDyn(&self.shape), self.data.as_ptr() as *mut T)
        })
    }

    /// A copy of the elements as an owned array of `T`.
    pub fn to_array<T: Scalar>(&self) -> Result<ArrayD<T>> {
        Ok(self.view::<T>()?.to_owned())
    }

    /// A copy of the elements of a `'g'` (`long double`) array.
    pub fn to_long_double_array(&self) -> Result<ArrayD<LongDouble>> {
        if self.elem.kind() != Kind::LongDouble {
            return Err(Error::Conversion {
                expected: "an array of longdouble".into(),
                given: format!(
                    "an array of data type {} (typecode {:?})",
                    self.dtype_name(),
                    self.typecode
                ),
            });
        }
        let size = LongDouble::SIZE;
        // SAFETY: the buffer holds len() initialised long doubles of `size` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(self.data.as_ptr(), self.len() * size) };
        let values = bytes
            .chunks_exact(size)
            .map(|c| {
                let mut b = [0u8; 16];
                b[..size].copy_from_slice(c);
                LongDouble::from_bytes(b)
            })
            .collect();
        Ok(ArrayD::from_shape_vec(IxDyn(&self.shape), values).expect("len() elements"))
    }
}

impl Drop for AllocatedArray {
    fn drop(&mut self) {
        // SAFETY: allocated in `zeroed` with this layout, freed once.
        unsafe { std::alloc::dealloc(self.data.as_ptr(), self.layout) }
    }
}

impl fmt::Debug for AllocatedArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AllocatedArray({} {:?} at {:p})",
            self.dtype_name(),
            self.shape,
            self.data
        )
    }
}
