//! Reading what a pointer C returned points to: ctypes' `.contents` and
//! `ptr[:n]`, `unsafe` where only the caller knows what is there, and done
//! by the call itself where the result's declared extent says so.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::types::{CType, Extent, Kind};
use crate::value::{CStruct, RawPtr, StructValue, Value, decode, decode_kind};

fn unreadable(ty: &CType, why: &str) -> Error {
    Error::Conversion {
        expected: "a scalar, pointer, struct or union type to read".into(),
        given: format!("{ty}, {why}"),
    }
}

/// Checks that a value of `ty` can be read whole into a [`Value`].
fn readable(ty: &CType) -> Result<()> {
    match ty.bare() {
        CType::Void => Err(unreadable(ty, "which has no values")),
        CType::Array(elem, n) => Err(unreadable(
            ty,
            &format!("an array: read its {n} elements with read_n(&{elem}, {n})"),
        )),
        CType::Struct(l) if l.size() == 0 => Err(unreadable(ty, "which is empty")),
        _ => Ok(()),
    }
}

impl RawPtr {
    /// The value of C type `ty` this address points to: ctypes'
    /// `ptr.contents` (`POINTER(T).contents`), copied into Rust. A struct
    /// comes back as [`Value::Struct`] (pointer fields and all, as a struct
    /// C returned by value does), a scalar as its number, a `char*` as the
    /// string it points to, another pointer as a [`RawPtr`] safe code can
    /// look at but not pass back.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, StructLayout, Value};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("real_apis_structs", rctypes_csrc::DIR)? };
    /// // typedef struct { int id; const char *name; double score; int tags[3]; } Record;
    /// let record = StructLayout::builder("Record")
    ///     .field("id", CType::Int)
    ///     .field("name", CType::CharP)
    ///     .field("score", CType::Double)
    ///     .field("tags", CType::array(CType::Int, 3))
    ///     .build()?;
    /// let rec = CType::Struct(record.clone());
    /// // SAFETY: real_apis_structs.h declares `const Record *current_record(void)`.
    /// let current = unsafe { lib.function("current_record", &[], CType::const_pointer(rec.clone()))? };
    /// let Value::Pointer(p) = current.call(&[])? else { panic!("NULL") };
    /// // SAFETY: current_record returns the address of a static Record, whose
    /// // `name` is a string literal; nothing writes it.
    /// let r = unsafe { p.read(&rec)? };
    /// let Value::Struct(r) = r else { unreachable!() };
    /// assert_eq!(r.get("id")?.to::<i32>()?, 11);
    /// assert_eq!(r.get("name")?.to::<String>()?, "eleven");
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// The address must point to an initialised value of `ty`, readable for
    /// its size and not written while it is read. Every pointer it holds
    /// (itself, for a pointer type, or its fields) must be null or valid as
    /// its type says: a `char*` (or `wchar_t*`) a NUL-terminated string,
    /// read here; any other an address C may be handed back as that type
    /// (safe code can pass the struct read back to C by value).
    pub unsafe fn read(self, ty: &CType) -> Result<Value<'static>> {
        readable(ty)?;
        // SAFETY: the caller's promise, for a readable type.
        Ok(unsafe { decode(self.as_ptr() as *const u8, ty.bare()) })
    }

    /// `n` consecutive values of C type `ty` from this address: ctypes'
    /// `ptr[:n]`, for an array C returned with its length apart.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, StructLayout, Value};
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("real_apis_structs", rctypes_csrc::DIR)? };
    /// let record = StructLayout::builder("Record")
    ///     .field("id", CType::Int)
    ///     .field("name", CType::CharP)
    ///     .field("score", CType::Double)
    ///     .field("tags", CType::array(CType::Int, 3))
    ///     .build()?;
    /// let rec = CType::Struct(record);
    /// // SAFETY: real_apis_structs.h declares `const Record *all_records(int *count)`,
    /// // which writes one int.
    /// let all = unsafe {
    ///     lib.function("all_records", &[CType::pointer(CType::Int)], CType::const_pointer(rec.clone()))?
    /// };
    /// let mut count = 0i32;
    /// let Value::Pointer(p) = all.call(&[std::slice::from_mut(&mut count).into()])? else { panic!("NULL") };
    /// // SAFETY: all_records returns its static array of `count` Records,
    /// // their names string literals.
    /// let records = unsafe { p.read_n(&rec, count as usize)? };
    /// let ids: Vec<i32> = records
    ///     .iter()
    ///     .map(|r| r.to::<rctypes::StructValue>()?.get("id")?.to::<i32>())
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(ids, [7, 11, 13]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`read`](Self::read), for `n` values of `ty` one after another
    /// (`n * size` bytes).
    pub unsafe fn read_n(self, ty: &CType, n: usize) -> Result<Vec<Value<'static>>> {
        readable(ty)?;
        let ty = ty.bare();
        let size = ty.size();
        let base = self.as_ptr() as *const u8;
        // SAFETY: element k lies inside the n values the caller vouches for.
        Ok((0..n)
            .map(|k| unsafe { decode(base.add(k * size), ty) })
            .collect())
    }

    /// The `c_struct!` value this address points to, copied:
    /// `POINTER(T).contents` for a Rust struct of the C layout.
    ///
    /// ```
    /// # fn main() -> Result<(), rctypes::Error> {
    /// use rctypes::{CType, RawPtr, Value, c_struct};
    /// c_struct! {
    ///     pub struct Record {
    ///         pub id: i32,
    ///         pub name: Option<RawPtr>,
    ///         pub score: f64,
    ///         pub tags: [i32; 3],
    ///     }
    /// }
    /// // SAFETY: the project's own library has no initialisers.
    /// let lib = unsafe { rctypes::load_library("real_apis_structs", rctypes_csrc::DIR)? };
    /// // SAFETY: real_apis_structs.h declares `const Record *find_record(int id)`.
    /// let find = unsafe { lib.function("find_record", &[CType::Int], CType::VoidP.nullable())? };
    /// let Value::Pointer(p) = find.call(&[13.into()])? else { panic!("NULL") };
    /// // SAFETY: find_record returns the address of a static Record.
    /// let r: Record = unsafe { p.read_as()? };
    /// assert_eq!((r.id, r.score, r.tags), (13, -13.0, [7, 8, 9]));
    /// assert!(r.name.is_some());
    /// assert_eq!(find.call(&[12.into()])?, Value::Null);
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`read`](Self::read), for a value of `T`'s layout.
    pub unsafe fn read_as<T: CStruct>(self) -> Result<T> {
        // SAFETY: the caller's promise.
        let v = unsafe { StructValue::copy_from(T::layout(), self.as_ptr() as *const u8) };
        T::from_struct_value(&v)
    }
}

/// Whether a result of type `ty` is read through by the call: a pointer to
/// a struct or union declared with an extent of exactly one element
/// ([`Extent::One`] stated with [`CType::extent`]).
#[inline(always)]
pub(crate) fn reads_through(ty: &CType) -> bool {
    let CType::Contract(c) = ty else {
        return false;
    };
    c.extent() == Extent::One
        && matches!(c.pointer(), CType::Pointer(p) | CType::ConstPointer(p)
            if matches!(**p, CType::Struct(ref l) if l.size() > 0))
}

/// Decodes a result from its register image; a pointer [`reads_through`]
/// accepts is read through, giving the struct it points to (or null).
///
/// # Safety
///
/// As for [`decode_kind`]; where `ty` reads through, the address returned
/// must be null or point to a value of the struct, as the binding promised
/// in declaring the result's extent.
pub(crate) unsafe fn decode_result(ptr: *const u8, ty: &CType, kind: Kind) -> Value<'static> {
    if reads_through(ty) {
        // SAFETY: the register image holds a pointer.
        let addr = unsafe { (ptr as *const *const u8).read_unaligned() };
        if addr.is_null() {
            return Value::Null;
        }
        if let Some(CType::Struct(l)) = ty.bare().pointee() {
            // SAFETY: the binding's promise: one value of the struct there.
            let copy = unsafe { StructValue::copy_from(l, addr) };
            return Value::Struct(Cow::Owned(copy));
        }
    }
    // SAFETY: forwarded to the caller.
    unsafe { decode_kind(ptr, ty, kind) }
}
