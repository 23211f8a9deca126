//! Opening a file and mapping it as an array: numpy.memmap's constructor.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use ndarray::{IntoDimension, Order};

use crate::error::{Error, Result};

use super::mode::{IntoMode, Mode};
use super::{Map, Memmap};
use crate::arrays::owned::contiguous_layout;
use crate::types::DType;
use crate::types::IntoDType;
use crate::types::fmt_tuple;
use crate::value::Element;

/// How to map a file as an array: numpy.memmap's parameters, set one by one
/// and used by [`open`](Self::open) (a path) or [`map`](Self::map) (an open
/// file). Made by [`Memmap::options`].
///
/// The defaults are numpy's: data type `uint8`, mode `r+`, offset 0, the
/// shape inferred from the file's size, C order. An invalid data type or
/// mode is reported when the file is opened.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::Memmap;
/// let dir = tempfile::tempdir().map_err(|e| rctypes::Error::Array { message: e.to_string() })?;
/// let path = dir.path().join("grid.dat");
/// // np.memmap(path, dtype='float64', mode='w+', shape=(3, 4), order='F')
/// let options = Memmap::options().dtype("float64").mode("w+").shape((3, 4)).order(ndarray::Order::F);
/// // SAFETY: the file is ours alone, in a fresh temporary folder.
/// let grid = unsafe { options.open(&path)? };
/// assert_eq!(grid.shape(), &[3, 4]);
/// assert_eq!(grid.strides(), &[8, 24]);
/// assert_eq!(std::fs::metadata(&path).unwrap().len(), 96);
/// drop(grid);
/// // np.memmap(path, dtype='float64', mode='r', offset=32): the shape comes
/// // from what the file holds after the offset.
/// // SAFETY: as above.
/// let tail = unsafe { Memmap::options().dtype("f8").mode("r").offset(32).open(&path)? };
/// assert_eq!(tail.shape(), &[8]);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "call open() or map() to map the file"]
pub struct MemmapOptions {
    dtype: DType,
    mode: Mode,
    shape: Option<Vec<usize>>,
    offset: u64,
    order: Order,
    error: Option<String>,
}

impl Default for MemmapOptions {
    fn default() -> Self {
        MemmapOptions {
            dtype: DType::of::<u8>(),
            mode: Mode::default(),
            shape: None,
            offset: 0,
            order: Order::C,
            error: None,
        }
    }
}

/// How the file was given, for error messages.
struct Source<'p>(Option<&'p Path>);

impl Source<'_> {
    fn label(&self) -> String {
        match self.0 {
            Some(path) => path.display().to_string(),
            None => "an open file".into(),
        }
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::Memmap {
            file: self.label(),
            message: message.into(),
            kind: None,
            source: None,
        }
    }

    fn io_error(&self, what: impl std::fmt::Display, e: io::Error) -> Error {
        Error::Memmap {
            file: self.label(),
            message: format!("{what}: {e}"),
            kind: Some(e.kind()),
            source: Some(Box::new(e)),
        }
    }
}

impl MemmapOptions {
    /// numpy's defaults: see the type's documentation.
    pub fn new() -> Self {
        Self::default()
    }

    fn fail(mut self, e: Error) -> Self {
        self.error.get_or_insert(e.to_string());
        self
    }

    /// The data type of the elements: a string numpy understands (`"float32"`,
    /// `"<f4"`, `"i4,f8"`) or a [`DType`]. numpy's default is `uint8`.
    pub fn dtype(mut self, dtype: impl IntoDType) -> Self {
        match dtype.into_dtype() {
            Ok(d) => {
                self.dtype = d;
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// The data type of the Rust element type `T`.
    pub fn dtype_of<T: Element>(mut self) -> Self {
        self.dtype = T::dtype();
        self
    }

    /// The mode: a [`Mode`] or numpy's name for one (`"r"`, `"c"`, `"r+"`,
    /// `"w+"`, `"readonly"`, `"copyonwrite"`, `"readwrite"`, `"write"`).
    pub fn mode(mut self, mode: impl IntoMode) -> Self {
        match mode.into_mode() {
            Ok(m) => {
                self.mode = m;
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// The shape: a length (`10`), a tuple (`(3, 4)`), an array or a `Vec`
    /// of lengths. Without one, the array is one-dimensional and holds every
    /// whole element from the offset to the end of the file. Mode `w+`
    /// requires it.
    pub fn shape<Sh: IntoDimension>(mut self, shape: Sh) -> Self {
        use ndarray::Dimension;
        self.shape = Some(shape.into_dimension().slice().to_vec());
        self
    }

    /// Where the array starts in the file, in bytes. It need not be a
    /// multiple of the page size; if it is not a multiple of the data
    /// type's alignment the array is not `ALIGNED` (see [`Memmap`]).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The memory order of the elements in the file: `Order::C` (row-major,
    /// the default) or `Order::F` (column-major, Fortran's).
    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// Opens the file at `path` in the mode's way and maps it: `r` and `c`
    /// open it for reading, `r+` for reading and writing (it must exist),
    /// `w+` creates it or empties it. `r+` and `w+` grow the file (with
    /// zeros, sparsely where the file system can) when it is shorter than
    /// `offset` plus the array's size.
    ///
    /// # Safety
    ///
    /// As for every file-backed map (memmap2's contract): the file must not
    /// be modified or truncated, by this process or another, while the
    /// returned map lives. The map's bytes *are* the file's, so a change made
    /// through the file (or another map of it) changes memory that Rust and
    /// C treat as theirs, and a truncation makes reading past the new end
    /// kill the process (`SIGBUS`). No check can make this safe: files are
    /// shared with the rest of the system. Writing through this map itself is
    /// safe, as is mapping a file again after the previous map is dropped.
    ///
    /// # Errors
    ///
    /// [`Error::Memmap`] for every problem with the file (numpy's errors,
    /// reworded): it cannot be opened or mapped; `w+` without a shape; a
    /// file size after the offset that is not a multiple of the item size
    /// (when the shape is inferred); an offset past the end of the file; a
    /// file too short for the shape in mode `r` or `c`. An invalid data type
    /// or mode given to the options is reported here too.
    pub unsafe fn open(&self, path: impl AsRef<Path>) -> Result<Memmap> {
        let path = path.as_ref();
        let source = Source(Some(path));
        let (dtype, mode) = self.settings(&source)?;
        let mut open = OpenOptions::new();
        open.read(true);
        match mode {
            Mode::ReadOnly | Mode::CopyOnWrite => {}
            Mode::ReadWrite => {
                open.write(true);
            }
            Mode::Write => {
                open.write(true).create(true).truncate(true);
            }
        }
        let file = open
            .open(path)
            .map_err(|e| source.io_error("cannot open the file", e))?;
        // SAFETY: the caller's promise about the file, passed on.
        let mut map = unsafe { self.map_file(&file, dtype, mode, &source)? };
        map.filename = Some(path.to_path_buf());
        Ok(map)
    }

    /// Maps a file already open, as numpy accepts a file object. It must be
    /// open for reading (and writing, in modes `r+` and `w+`). Mode `w+`
    /// does not empty it (the caller opened it as they wished): it grows it
    /// to fit, as `r+` does.
    ///
    /// # Safety
    ///
    /// As [`open`](Self::open): nothing may modify or truncate the file
    /// while the map lives.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open).
    pub unsafe fn map(&self, file: &File) -> Result<Memmap> {
        let source = Source(None);
        let (dtype, mode) = self.settings(&source)?;
        // SAFETY: the caller's promise about the file, passed on.
        unsafe { self.map_file(file, dtype, mode, &source) }
    }

    /// The data type and mode, once every setting is known to be valid and
    /// `w+` has its shape.
    fn settings(&self, source: &Source<'_>) -> Result<(DType, Mode)> {
        if let Some(message) = &self.error {
            return Err(Error::Array {
                message: message.clone(),
            });
        }
        if self.mode == Mode::Write && self.shape.is_none() {
            return Err(source.error("shape must be given in mode 'w+', which creates the file"));
        }
        if self.dtype.itemsize() == 0 {
            return Err(source.error(format!(
                "data type {} has no size: its elements cannot be counted",
                self.dtype
            )));
        }
        Ok((self.dtype.clone(), self.mode))
    }

    /// Sizes the array against the file, grows the file in `r+` and `w+`,
    /// and maps it.
    ///
    /// # Safety
    ///
    /// As [`open`](Self::open).
    unsafe fn map_file(
        &self,
        file: &File,
        dtype: DType,
        mode: Mode,
        source: &Source<'_>,
    ) -> Result<Memmap> {
        let itemsize = dtype.itemsize();
        let file_len = file
            .metadata()
            .map_err(|e| source.io_error("cannot read the file's size", e))?
            .len();
        let shape = match &self.shape {
            Some(shape) => shape.clone(),
            None => vec![self.inferred_len(file_len, &dtype, source)?],
        };
        let fortran = self.order == Order::F;
        let (nbytes, strides) = contiguous_layout(itemsize, &shape, fortran).ok_or_else(|| {
            source.error(format!(
                "shape {} of {dtype} is too large for memory",
                fmt_tuple(shape.iter())
            ))
        })?;
        let end = self.offset.checked_add(nbytes as u64).ok_or_else(|| {
            source.error(format!(
                "offset {} plus {nbytes} bytes is past any file size",
                self.offset
            ))
        })?;
        if file_len < end {
            if !mode.writes_file() {
                return Err(source.error(format!(
                    "the file is too short: shape {} of {dtype} at offset {} needs {end} bytes, \
                     and it has {file_len} (mode '{mode}' does not grow files; 'r+' and 'w+' do)",
                    fmt_tuple(shape.iter()),
                    self.offset
                )));
            }
            file.set_len(end).map_err(|e| {
                source.io_error(
                    format_args!("cannot grow the file from {file_len} to {end} bytes"),
                    e,
                )
            })?;
        }
        let mut options = memmap2::MmapOptions::new();
        // memmap2 maps from the page boundary at or below the offset and
        // hands out the address of the offset itself, so any offset works.
        options.offset(self.offset).len(nbytes);
        // SAFETY: the caller promises that nothing modifies or truncates the
        // file while the map lives; the file holds offset + nbytes bytes
        // (checked or grown above), so every mapped byte is backed by it.
        let map = unsafe {
            match mode {
                Mode::ReadOnly => options.map(file).map(Map::ReadOnly),
                Mode::CopyOnWrite => options.map_copy(file).map(Map::Writable),
                Mode::ReadWrite | Mode::Write => options.map_mut(file).map(Map::Writable),
            }
        }
        .map_err(|e| source.io_error(format_args!("cannot map it in mode '{mode}'"), e))?;
        Ok(Memmap {
            map,
            strides,
            dtype,
            shape,
            fortran,
            mode,
            offset: self.offset,
            filename: None,
        })
    }

    /// The number of whole elements between the offset and the end of the
    /// file, as numpy infers a shape.
    fn inferred_len(&self, file_len: u64, dtype: &DType, source: &Source<'_>) -> Result<usize> {
        let Some(available) = file_len.checked_sub(self.offset) else {
            return Err(source.error(format!(
                "offset {} is past the end of the file ({file_len} bytes)",
                self.offset
            )));
        };
        let itemsize = dtype.itemsize() as u64;
        if available % itemsize != 0 {
            return Err(source.error(format!(
                "size of available data ({available} bytes from offset {}) is not a multiple \
                 of the data-type size ({itemsize} bytes of {dtype})",
                self.offset
            )));
        }
        usize::try_from(available / itemsize)
            .map_err(|_| source.error(format!("{available} bytes are too large for memory")))
    }
}
