//! The allocator pattern: C asks the host for arrays of a shape (and type)
//! through a callback, fills them, and the host keeps them.

use std::ffi::c_int;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use super::alloc_array::{AllocatedArray, TYPECODES, element_type};
use crate::callback::Callback;
use crate::error::{Error, Result};
use crate::types::CType;
use crate::types::Signature;
use crate::value::Value;

/// numpy's limit on the number of dimensions.
const MAX_DIMS: i128 = 64;

/// The host side of the SciPy Cookbook's allocator pattern: a [`Callback`]
/// that C calls to get arrays, which the `Allocator` owns and gives back
/// after the call.
///
/// Two forms, as the cookbook's `callback.c` has them:
///
/// - [`Allocator::new`]: `void* (*)(int dims, int* shape, char typecode)`.
///   C names the element type of each array with numpy's type character
///   (`d`, `f`, `g`, `i`, `I`, `l`, `L`, `q`, `Q`, `h`, `H`, `b`, `B`).
/// - [`Allocator::with_typecode`]: `void* (*)(int dim, int* shape)`, every
///   array of one type (the cookbook's `foo` wants `'f'`).
///
/// Every array is zeroed, 16-byte aligned and owned by the allocator until
/// [`take_arrays`](Self::take_arrays) hands them over. An unknown typecode, a
/// negative dimension or an array too large to allocate gives C `NULL`, and
/// the call that was running returns [`Error::Callback`] saying why.
///
/// Unlike the cookbook's allocators, which "are not thread safe", this one
/// is: C threads may allocate at once.
///
/// Passing [`callback`](Self::callback) to C is part of binding that C
/// function: C calls it as the signature says (`shape` pointing to `dims`
/// ints) and stops writing to the arrays when the call returns.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// # // SAFETY: the project's own library has no initialisers.
/// # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
/// use rctypes::{Allocator, CType};
/// // SAFETY: callback.c: `void foo(void* (*allocator)(int dim, int* shape))`
/// // asks for one 2x3 float array and fills it.
/// let foo_fn = unsafe { lib.function("foo", &[Allocator::plain_signature().into()], CType::Void)? };
/// let mut alloc = Allocator::with_typecode('f')?;
/// foo_fn.call(&[alloc.callback().into()])?;
/// let arrays = alloc.take_arrays();
/// let a = arrays[0].view::<f32>()?;
/// assert_eq!(a.shape(), &[2, 3]);
/// assert_eq!(a.as_slice().unwrap(), &[1.0, 2.0, 3.0, 2.0, 4.0, 6.0]);
/// # Ok(()) }
/// ```
pub struct Allocator {
    callback: Callback,
    arrays: Arc<Mutex<Vec<AllocatedArray>>>,
    typecode: Option<char>,
}

impl Allocator {
    /// The typed form: C passes the numpy type character of each array.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// # // SAFETY: the project's own library has no initialisers.
    /// # let lib = unsafe { rctypes::load_library("callback", rctypes_csrc::DIR)? };
    /// use rctypes::{Allocator, CType};
    /// // SAFETY: callback.c: `int func(int scale, void* (*)(int, int*, char))`
    /// // asks for a 2x3x4 'd', a 5 'f' and a 2x2 'i' array.
    /// let func = unsafe {
    ///     lib.function("func", &[CType::Int, Allocator::signature().into()], CType::Int)?
    /// };
    /// let mut alloc = Allocator::new()?;
    /// assert_eq!(func.call(&[10.into(), alloc.callback().into()])?.to::<i32>()?, 3);
    /// let arrays = alloc.take_arrays();
    /// assert_eq!(arrays[0].view::<f64>()?.shape(), &[2, 3, 4]);
    /// assert_eq!(arrays[1].view::<f32>()?[[4]], 40.5);
    /// assert_eq!(arrays[2].view::<i32>()?[[1, 1]], -30);
    /// # Ok(()) }
    /// ```
    pub fn new() -> Result<Allocator> {
        Allocator::build(None)
    }

    /// The plain form: every array is of `typecode` (`'f'` for the cookbook's
    /// `foo`). Errors if numpy's type characters have no such code.
    pub fn with_typecode(typecode: char) -> Result<Allocator> {
        if element_type(typecode).is_none() {
            return Err(unknown_typecode(typecode));
        }
        Allocator::build(Some(typecode))
    }

    /// The typed form's signature, `CFUNCTYPE(c_void_p, c_int, POINTER(c_int), c_char)`:
    /// declare the C parameter with it.
    pub fn signature() -> Signature {
        Signature::new(
            [CType::Int, CType::const_pointer(CType::Int), CType::Char],
            CType::VoidP,
        )
    }

    /// The plain form's signature, `CFUNCTYPE(c_void_p, c_int, POINTER(c_int))`.
    pub fn plain_signature() -> Signature {
        Signature::new([CType::Int, CType::const_pointer(CType::Int)], CType::VoidP)
    }

    fn build(typecode: Option<char>) -> Result<Allocator> {
        let arrays: Arc<Mutex<Vec<AllocatedArray>>> = Arc::default();
        let store = arrays.clone();
        let signature = match typecode {
            Some(_) => Allocator::plain_signature(),
            None => Allocator::signature(),
        };
        let callback = Callback::new(signature, move |args: &[Value<'static>]| {
            let code = match typecode {
                Some(code) => code,
                None => char::from(int_arg(&args[2])? as u8),
            };
            let shape = read_shape(&args[0], &args[1])?;
            let mut array = AllocatedArray::zeroed(code, shape)?;
            let ptr = array.as_mut_ptr();
            lock(&store).push(array);
            // SAFETY: the array's buffer, of the size and type C asked for,
            // which the allocator keeps as long as itself.
            Ok::<_, String>(unsafe { Value::address(ptr.cast()) })
        })?;
        Ok(Allocator {
            callback,
            arrays,
            typecode,
        })
    }

    /// The callback to pass to C.
    pub fn callback(&self) -> &Callback {
        &self.callback
    }

    /// The type character of the plain form; `None` for the typed form.
    pub fn typecode(&self) -> Option<char> {
        self.typecode
    }

    /// How many arrays C has been given.
    pub fn len(&self) -> usize {
        lock(&self.arrays).len()
    }

    /// Whether C has been given none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands over the arrays C has been given, in the order it asked for them
    /// (per thread; threads interleave). Taking `&mut self` proves that no
    /// call lent the callback is still running.
    pub fn take_arrays(&mut self) -> Vec<AllocatedArray> {
        std::mem::take(&mut *lock(&self.arrays))
    }

    /// The arrays, and the allocator is done.
    pub fn into_arrays(mut self) -> Vec<AllocatedArray> {
        self.take_arrays()
    }
}

impl fmt::Debug for Allocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Allocator")
            .field("signature", &self.callback.signature().to_string())
            .field("arrays", &self.len())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn unknown_typecode(typecode: char) -> Error {
    Error::Conversion {
        expected: format!("a numpy type character (one of {TYPECODES})"),
        given: format!("{typecode:?}"),
    }
}

/// An integer argument (always one: the signature says so).
fn int_arg(v: &Value<'_>) -> std::result::Result<i128, String> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(format!(
            "expected an integer argument, given {}",
            other.describe()
        )),
    }
}

/// The shape C passed: `dims` and a pointer to that many ints.
fn read_shape(dims: &Value<'_>, shape: &Value<'_>) -> std::result::Result<Vec<usize>, String> {
    let dims = int_arg(dims)?;
    if !(0..=MAX_DIMS).contains(&dims) {
        return Err(format!(
            "number of dimensions must be within [0, {MAX_DIMS}], given {dims}"
        ));
    }
    let extents: &[c_int] = match shape {
        _ if dims == 0 => &[],
        Value::Pointer(p) => {
            // SAFETY: the allocator's contract, promised when binding the C
            // function it was passed to: `shape` points to `dims` ints that
            // stay put while the callback runs.
            unsafe { std::slice::from_raw_parts(p.as_ptr() as *const c_int, dims as usize) }
        }
        _ => return Err(format!("null shape for {dims} dimensions")),
    };
    extents
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| "negative dimensions are not allowed".into()))
        .collect()
}
