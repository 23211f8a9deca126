//! `Memmap`: a file mapped into memory and viewed as an array, numpy.memmap.

mod mode;
mod options;

use std::ffi::c_void;
use std::fmt;
use std::path::{Path, PathBuf};

use ndarray::{ArrayViewD, ArrayViewMutD, IxDyn, Order};

use crate::error::{Error, Result};
use crate::value::Value;

use crate::arrays::owned::NdArray;
use crate::types::DType;
use crate::types::Flags;
use crate::types::IntoDType;
use crate::types::fmt_tuple;
use crate::value::Element;
use crate::value::array::Validity;
use crate::value::array::{ArrayArg, layout_flags};
use crate::value::array::{AsCtypes, AsCtypesMut, Ctypes};
use crate::value::array::{view_parts, view_parts_mut};

pub use mode::{IntoMode, Mode};
pub use options::MemmapOptions;

/// The mapping itself: read-only (`r`), or writable (`c`, `r+`, `w+`).
enum Map {
    ReadOnly(memmap2::Mmap),
    Writable(memmap2::MmapMut),
}

/// A file mapped into memory and viewed as an array: numpy's `memmap`.
///
/// Made by [`Memmap::options`] (numpy.memmap's parameters: data type, mode,
/// shape, offset, order) or [`Memmap::open`]. The array's memory is the
/// file's: reading it reads the file, and in modes `r+` and `w+` writing it
/// (from Rust or from C) writes the file, when the map is
/// [`flush`](Self::flush)ed or dropped at the latest. Nothing is read until
/// touched, so mapping a file of many gigabytes costs no more than a small
/// one.
///
/// It is an array argument like any other: `(&m).into()` lends it to C for
/// reading and `(&mut m).into()` for writing, to plain pointer parameters
/// and [`ndpointer`](crate::ndpointer)s, with no copy; it has the `.ctypes`
/// view ([`AsCtypes`], [`AsCtypesMut`]); and [`view`](Self::view) and
/// [`view_mut`](Self::view_mut) give `ndarray` views. As numpy's memmap, it
/// does not own its data (no `OWNDATA`), and a map in mode `r` is never
/// `WRITEABLE`: C functions that write are refused it before they run, even
/// from a mutable borrow. A map in mode `c` is writeable, and its writes
/// never reach the file.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CType, Extent, Memmap};
/// // SAFETY: the project's own library has no initialisers.
/// let lib = unsafe { rctypes::load_library("mean", rctypes_csrc::DIR)? };
/// let n_floats = Extent::ElementsFromArg(2);
/// // SAFETY: mean.c defines `float compute_mean(float *A, int n)`, which
/// // reads n floats, and `void scale_floats(float *A, int n, float factor)`,
/// // which rewrites n floats; A is never NULL.
/// let (mean, scale) = unsafe {
///     (
///         lib.function("compute_mean", &[CType::const_pointer(CType::Float).extent(n_floats), CType::Int], CType::Float)?,
///         lib.function("scale_floats", &[CType::pointer(CType::Float).extent(n_floats), CType::Int, CType::Float], CType::Void)?,
///     )
/// };
/// let dir = tempfile::tempdir().map_err(|e| rctypes::Error::Array { message: e.to_string() })?;
/// let path = dir.path().join("values.f32");
///
/// // SAFETY: nothing else touches this new file while it is mapped.
/// let mut m = unsafe { Memmap::options().dtype("float32").mode("w+").shape(4).open(&path)? };
/// m.view_mut::<f32>()?.assign(&ndarray::arr1(&[1.0, 2.0, 3.0, 6.0]).into_dyn());
/// scale.call(&[(&mut m).into(), 4.into(), 10.0.into()])?;
/// assert_eq!(mean.call(&[(&m).into(), 4.into()])?.to::<f32>()?, 30.0);
/// drop(m); // flushes
///
/// // SAFETY: as above.
/// let mut r = unsafe { Memmap::open(&path, "float32", "r")? };
/// assert_eq!(r.view::<f32>()?.as_slice(), Some(&[10.0, 20.0, 30.0, 60.0][..]));
/// // Read-only: refused where C writes, before C runs.
/// let err = scale.call(&[(&mut r).into(), 4.into(), 2.0.into()]).unwrap_err();
/// assert!(err.to_string().contains("read-only"));
/// # Ok(()) }
/// ```
///
/// # Alignment
///
/// The map starts on a page boundary, so the array is aligned when its
/// offset is a multiple of the data type's alignment. When it is not (an
/// offset of 3 for `float32`), the array is not `ALIGNED`, as in numpy: a
/// plain `float*` parameter refuses it (C would read misaligned values),
/// [`view`](Self::view) refuses it, and [`to_ndarray`](Self::to_ndarray)
/// copies it into aligned memory. An [`ndpointer`](crate::ndpointer)
/// follows numpy and checks alignment only when declared with the
/// `ALIGNED` flag.
///
/// # Safety
///
/// Mapping a file is `unsafe` ([`MemmapOptions::open`]): the caller promises
/// that nothing modifies or truncates the file while the map lives. Once
/// made, everything on a `Memmap` is safe and checked.
pub struct Memmap {
    map: Map,
    dtype: DType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    fortran: bool,
    mode: Mode,
    offset: u64,
    filename: Option<PathBuf>,
}

impl Memmap {
    /// numpy.memmap's parameters, with numpy's defaults (`uint8`, mode `r+`,
    /// offset 0, shape from the file's size, C order): see [`MemmapOptions`].
    pub fn options() -> MemmapOptions {
        MemmapOptions::new()
    }

    /// Maps the file at `path` as a one-dimensional array of `dtype` filling
    /// the whole file, in `mode`: the short form of
    /// `Memmap::options().dtype(dtype).mode(mode).open(path)`.
    ///
    /// # Safety
    ///
    /// As [`MemmapOptions::open`]: nothing may modify or truncate the file
    /// while the map lives.
    ///
    /// # Errors
    ///
    /// As [`MemmapOptions::open`]; mode `w+` always fails here, as it needs a
    /// shape.
    pub unsafe fn open(
        path: impl AsRef<Path>,
        dtype: impl IntoDType,
        mode: impl IntoMode,
    ) -> Result<Memmap> {
        let options = Memmap::options().dtype(dtype).mode(mode);
        // SAFETY: the caller's promise, passed on.
        unsafe { options.open(path) }
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

    /// The size of the array in bytes.
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype.itemsize()
    }

    /// The memory order of the elements.
    pub fn order(&self) -> Order {
        if self.fortran { Order::F } else { Order::C }
    }

    /// The mode the file was mapped in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Where the array starts in the file, in bytes.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The path of the file, when it was opened by path (numpy's `filename`).
    pub fn filename(&self) -> Option<&Path> {
        self.filename.as_deref()
    }

    /// Whether the memory may be written (every mode but `r`).
    pub fn is_writable(&self) -> bool {
        self.mode.is_writable()
    }

    /// numpy's flags of the memmap: contiguous in its order (both, for one
    /// dimension), `ALIGNED` when the offset leaves the data aligned,
    /// `WRITEABLE` unless the mode is `r`, and never `OWNDATA` (the file
    /// owns the data). Lent for reading (`(&m).into()`, [`AsCtypes::ctypes`])
    /// it is not `WRITEABLE`, as any array borrowed immutably.
    pub fn flags(&self) -> Flags {
        self.layout_flags()
            .with(Flags::WRITEABLE, self.mode.is_writable())
    }

    fn layout_flags(&self) -> Flags {
        layout_flags(
            self.as_ptr() as usize,
            self.dtype.alignment(),
            self.dtype.itemsize(),
            &self.shape,
            |i| self.strides[i],
        )
    }

    /// The address of the first element: the page the map starts on, plus
    /// the offset's remainder within a page.
    pub fn as_ptr(&self) -> *const c_void {
        match &self.map {
            Map::ReadOnly(m) => m.as_ptr() as *const c_void,
            Map::Writable(m) => m.as_ptr() as *const c_void,
        }
    }

    /// The address of the first element, for writing; `None` in mode `r`.
    fn as_mut_ptr(&mut self) -> Option<*mut c_void> {
        match &mut self.map {
            Map::ReadOnly(_) => None,
            Map::Writable(m) => Some(m.as_mut_ptr() as *mut c_void),
        }
    }

    /// The array's bytes, in memory order (the file's bytes from the offset).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.map {
            Map::ReadOnly(m) => m,
            Map::Writable(m) => m,
        }
    }

    /// The array's bytes, for writing; an error in mode `r`.
    pub fn as_bytes_mut(&mut self) -> Result<&mut [u8]> {
        match &mut self.map {
            Map::ReadOnly(_) => Err(self::read_only("as_bytes_mut")),
            Map::Writable(m) => Ok(m),
        }
    }

    /// Checks `T` may view the elements: its data type is theirs, the data
    /// is aligned for it, and every element is a valid `T` (the file may hold
    /// any bytes: a `bool` other than 0 or 1 is an error).
    fn check_view<T: Element>(&self) -> Result<()> {
        if T::dtype() != self.dtype || size_of::<T>() != self.dtype.itemsize() {
            return Err(Error::Conversion {
                expected: format!("a view of data type {}", std::any::type_name::<T>()),
                given: format!("data of type {}", self.dtype),
            });
        }
        if T::ctype().is_some_and(|t| t.holds_pointers()) {
            // A file's integers are no addresses.
            return Err(Error::Conversion {
                expected: format!("a view of data type {}", std::any::type_name::<T>()),
                given: format!(
                    "data of type {}, whose pointers are integers in the file",
                    self.dtype
                ),
            });
        }
        if !self.is_empty() && !(self.as_ptr() as usize).is_multiple_of(align_of::<T>()) {
            return Err(Error::Array {
                message: format!(
                    "the data at offset {} is not aligned for {} (alignment {}): \
                     copy it with to_ndarray(), or read its bytes",
                    self.offset,
                    std::any::type_name::<T>(),
                    align_of::<T>()
                ),
            });
        }
        let size = self.dtype.itemsize();
        let starts = (0..self.len()).map(|i| i * size);
        Validity::check_as::<T>(self.as_bytes(), starts, "view the data as")
    }

    /// A typed view of the elements, when `T`'s data type is the map's and
    /// the data is aligned for it.
    pub fn view<T: Element>(&self) -> Result<ArrayViewD<'_, T>> {
        self.check_view::<T>()?;
        // SAFETY: the map holds len() elements of T's data type, each a valid
        // T (checked), aligned (checked), in the order the shape says, for as long as it
        // is borrowed; nothing else writes them (open's promise).
        unsafe { view_parts(self.as_ptr() as *const T, IxDyn(&self.shape), self.fortran) }
    }

    /// A typed view for writing, when `T`'s data type is the map's and the
    /// mode is not `r`.
    pub fn view_mut<T: Element>(&mut self) -> Result<ArrayViewMutD<'_, T>> {
        self.check_view::<T>()?;
        let ptr = self.as_mut_ptr().ok_or_else(|| read_only("view_mut"))?;
        // SAFETY: as in view, with the map borrowed mutably and writable.
        unsafe { view_parts_mut(ptr as *mut T, IxDyn(&self.shape), self.fortran) }
    }

    /// A copy of the elements in an [`NdArray`] (in the map's order, aligned
    /// for its data type), for data the offset left unaligned.
    pub fn to_ndarray(&self) -> Result<NdArray> {
        let mut a = NdArray::zeros_in(&self.dtype, &self.shape, self.order())?;
        a.as_bytes_mut().copy_from_slice(self.as_bytes());
        Ok(a)
    }

    /// Writes the changes to the file now, and waits for the system to take
    /// them (numpy's `flush`). In modes `c` and `r` there is nothing to
    /// write and it does nothing. Writable maps (`r+`, `w+`) flush when they
    /// are dropped too, where an error can only be ignored: flush first when
    /// it matters.
    pub fn flush(&self) -> Result<()> {
        match &self.map {
            Map::Writable(m) if self.mode.writes_file() => m.flush().map_err(|e| Error::Memmap {
                file: self
                    .filename
                    .as_ref()
                    .map_or_else(|| "an open file".into(), |p| p.display().to_string()),
                message: format!("cannot flush the changes: {e}"),
                kind: Some(e.kind()),
                source: Some(Box::new(e)),
            }),
            _ => Ok(()),
        }
    }

    fn arg(&self) -> ArrayArg<'_> {
        let mut arg = ArrayArg::with_byte_strides(
            self.as_ptr() as *mut c_void,
            self.dtype.clone(),
            &self.shape,
            &self.strides,
            self.layout_flags(),
        );
        arg.read_only_memory = !self.is_writable();
        arg
    }

    /// Lent for writing: `WRITEABLE` unless the mode is `r`.
    fn arg_mut(&mut self) -> ArrayArg<'_> {
        let (ptr, writable) = match self.as_mut_ptr() {
            Some(p) => (p, true),
            None => (self.as_ptr() as *mut c_void, false),
        };
        let this: &Memmap = self;
        let flags = this.layout_flags().with(Flags::WRITEABLE, writable);
        let mut arg =
            ArrayArg::with_byte_strides(ptr, this.dtype.clone(), &this.shape, &this.strides, flags);
        arg.read_only_memory = !writable;
        arg
    }
}

fn read_only(what: &str) -> Error {
    Error::Array {
        message: format!("{what}: the memmap is read-only (mode 'r')"),
    }
}

impl Drop for Memmap {
    /// Flushes writable maps, so what C wrote reaches the file.
    fn drop(&mut self) {
        // An error cannot be reported from here; `flush` reports it.
        let _ = self.flush();
    }
}

impl fmt::Debug for Memmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Memmap(")?;
        if let Some(p) = &self.filename {
            write!(f, "filename={:?}, ", p.display().to_string())?;
        }
        write!(
            f,
            "dtype={}, mode='{}', offset={}, shape={}, order={})",
            self.dtype,
            self.mode,
            self.offset,
            fmt_tuple(self.shape.iter()),
            if self.fortran { 'F' } else { 'C' }
        )
    }
}

impl<'a> From<&'a Memmap> for Value<'a> {
    fn from(m: &'a Memmap) -> Value<'a> {
        Value::Array(m.arg())
    }
}

impl<'a> From<&'a mut Memmap> for Value<'a> {
    fn from(m: &'a mut Memmap) -> Value<'a> {
        Value::Array(m.arg_mut())
    }
}

impl AsCtypes for Memmap {
    fn ctypes(&self) -> Ctypes<'_> {
        Ctypes::new(self.arg())
    }
}

/// The view of a map in mode `r` is not `WRITEABLE`:
/// [`Ctypes::data_as_mut`] refuses it.
impl AsCtypesMut for Memmap {
    fn ctypes_mut(&mut self) -> Ctypes<'_> {
        Ctypes::new(self.arg_mut())
    }
}
