//! Rust structs with C layouts: the [`c_struct!`](crate::c_struct) macro, the
//! [`CStruct`] trait it implements, and checking a layout against another.

use std::borrow::Cow;
use std::mem::MaybeUninit;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::types::{CType, Kind};
use crate::value::{CData, Value};

use super::access;
use crate::types::layout::{Composite, StructField, StructLayout, same_storage};
use crate::value::StructValue;

/// A `#[repr(C)]` Rust struct or union with its C layout, as declared by
/// [`c_struct!`](crate::c_struct).
///
/// The layout comes from the Rust compiler itself (`offset_of!`, `size_of`,
/// `align_of`), so it is the struct's true layout; compare it with what a C
/// header declares with [`check_against`](CStruct::check_against) before
/// any call is made.
///
/// # Safety
///
/// `layout()` must describe `Self` exactly: its size, alignment, and each
/// field's name, offset and C type, every field being a [`CData`] type.
/// The trait is sealed: [`c_struct!`](crate::c_struct), which reads the
/// layout from the compiler, is the only way to implement it.
pub unsafe trait CStruct: CData {
    /// The layout, computed once.
    fn layout() -> &'static Arc<StructLayout>;

    /// Checks the Rust layout against a declared one (built with
    /// [`StructLayout::builder`] from the C header) and reports the first
    /// field whose name, offset, size or type differs, with both values.
    fn check_against(declared: &StructLayout) -> Result<()> {
        Self::layout().check_against(declared)
    }

    /// Checks the Rust layout against a record data type (numpy's structured
    /// dtype, as a Python program declares its records), as
    /// [`StructLayout::check_against_dtype`] does.
    fn check_against_dtype(dtype: &crate::DType) -> Result<()> {
        Self::layout().check_against_dtype(dtype)
    }

    /// Reads a field by name (`"x"`, `"inner.x"`, `"values[2]"`), as
    /// [`StructValue::get`] does.
    fn field(&self, path: &str) -> Result<Value<'static>> {
        let layout = Self::layout();
        let place = access::resolve(layout, path)?;
        // SAFETY: self is an initialised value of this layout (CStruct's
        // contract); its pointer fields are RawPtrs, made only from C or by
        // unsafe code, and `read` refuses those a union's other members
        // overlap, which safe code may have written as integers.
        unsafe { access::read(layout, path, self as *const Self as *const u8, &place) }
    }

    /// Writes a field by name, type-checked and range-checked, as
    /// [`StructValue::set`] does.
    fn set_field<'v>(&mut self, path: &str, value: impl Into<Value<'v>>) -> Result<()> {
        let layout = Self::layout();
        let value = value.into();
        let place = access::resolve(layout, path)?;
        if let Value::Struct(s) = &value
            && s.owns_strings()
        {
            return Err(owns_strings_error(layout, s));
        }
        // SAFETY: self is a writable value of this layout; `write` stores
        // only valid values of each field's C type, which are valid values
        // of the Rust field types the layout was read from.
        unsafe { access::write(layout, path, self as *mut Self as *mut u8, &place, &value) }
    }

    /// A copy as a [`StructValue`]. Where the struct holds pointers, the
    /// copy is refused by calls: safe code set them.
    fn to_struct_value(&self) -> StructValue {
        // SAFETY: the fields of self are initialised.
        unsafe { StructValue::copy_from_rust(Self::layout(), self as *const Self as *const u8) }
    }

    /// The value held by a [`StructValue`] of a compatible layout.
    fn from_struct_value(value: &StructValue) -> Result<Self> {
        from_struct_value(value)
    }
}

/// Declares `#[repr(C)]` Rust structs and unions together with their C
/// layouts, implementing [`CStruct`] for each.
///
/// This macro is the only way to give a type of your own a C type: the
/// traits below are sealed, implemented by rctypes for its own types and by
/// this macro for the types it declares, with layouts it reads from the
/// compiler.
///
/// Every field must be a [`CData`] type: a scalar (`i8` … `u64`, `isize`,
/// `usize`, `f32`, `f64`, `bool`), an array `[T; N]` of one,
/// `Option<RawPtr>` for a pointer, or another `c_struct!` type. `Clone` and
/// `Copy` are derived; more attributes (`#[derive(Debug)]`, docs,
/// `#[repr(packed(2))]`, `#[repr(align(16))]`) pass through.
///
/// A declared type then goes wherever C expects it:
/// - by value to typed calls ([`CArg`](crate::CArg)/[`CRet`](crate::CRet)),
///   to dynamic ones as `Value::from(v)`, and to
///   [`invoke`](crate::CFunc::invoke) as it is, where the declared layout
///   is the type's own (then passed and returned with no copy to a
///   `Value`: [`invokes_directly`](crate::CFunc::invokes_directly)); as the arguments and result of
///   typed callbacks ([`CallbackArg`](crate::CallbackArg)/[`CallbackRet`](crate::CallbackRet));
/// - as the element of arrays lent to C ([`Element`](crate::Element)), its
///   record data type that of its layout;
/// - by address as `&v`, `&mut v`, `&[v, ...]`, `&mut [...]` to
///   `const POINTER(struct)` and `POINTER(struct)` parameters.
///
/// ```
/// # fn main() -> Result<(), rctypes::Error> {
/// use rctypes::{CStruct, CType, StructLayout, c_struct};
///
/// c_struct! {
///     /// The seed's Weather record.
///     #[derive(Debug, PartialEq)]
///     pub struct Weather {
///         pub timestamp: i32,
///         pub desc: [u8; 12],
///     }
///
///     pub struct Padded {
///         pub c: i8,
///         pub d: f64,
///     }
/// }
///
/// assert_eq!(Weather::layout().size(), 16);
/// assert_eq!(Padded::layout().field("d").unwrap().offset(), 8);
///
/// // What sample.h declares, checked before any call:
/// let declared = StructLayout::builder("Weather")
///     .field("timestamp", CType::Int)
///     .field("desc", CType::array(CType::Char, 12))
///     .build()?;
/// Weather::check_against(&declared)?;
///
/// // A declaration that forgot the padding is caught, field by field.
/// let packed = StructLayout::builder("Padded")
///     .field("c", CType::Char)
///     .field("d", CType::Double)
///     .pack(1)
///     .build()?;
/// let err = Padded::check_against(&packed).unwrap_err();
/// assert_eq!(err.to_string(),
///     "struct Padded: field `d`: offset 8 in the Rust struct, 1 in the declared layout");
///
/// let mut w = Weather { timestamp: 1, desc: [0; 12] };
/// w.set_field("desc", "sunny")?;
/// // `u8` is `unsigned char`: its arrays are bytes, not strings.
/// assert_eq!(&w.desc[..6], b"sunny\0");
/// # Ok(()) }
/// ```
#[macro_export]
macro_rules! c_struct {
    () => {};
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fattr:meta])* $fvis:vis $field:ident : $fty:ty ),+ $(,)?
        }
        $($rest:tt)*
    ) => {
        #[repr(C)]
        #[derive(Clone, Copy)]
        $(#[$attr])*
        $vis struct $name {
            $( $(#[$fattr])* $fvis $field : $fty ),+
        }
        $crate::__c_struct_impls!(Struct, $name, $( $field : $fty ),+);
        $crate::c_struct!($($rest)*);
    };
    (
        $(#[$attr:meta])*
        $vis:vis union $name:ident {
            $( $(#[$fattr:meta])* $fvis:vis $field:ident : $fty:ty ),+ $(,)?
        }
        $($rest:tt)*
    ) => {
        #[repr(C)]
        #[derive(Clone, Copy)]
        $(#[$attr])*
        $vis union $name {
            $( $(#[$fattr])* $fvis $field : $fty ),+
        }
        $crate::__c_struct_impls!(Union, $name, $( $field : $fty ),+);
        $crate::c_struct!($($rest)*);
    };
}

/// The trait implementations of one [`c_struct!`] type.
#[doc(hidden)]
#[macro_export]
macro_rules! __c_struct_impls {
    ($composite:ident, $name:ident, $( $field:ident : $fty:ty ),+) => {
        // The seal of the traits below: this macro is the only place that
        // may implement it outside rctypes.
        impl $crate::__private::SealedData for $name {}

        // SAFETY: the type is #[repr(C)], and its layout is read from the
        // compiler: size_of, align_of, and offset_of of each field, whose
        // C types are those of their CData types.
        unsafe impl $crate::CStruct for $name {
            fn layout() -> &'static ::std::sync::Arc<$crate::StructLayout> {
                static LAYOUT: ::std::sync::OnceLock<::std::sync::Arc<$crate::StructLayout>> =
                    ::std::sync::OnceLock::new();
                LAYOUT.get_or_init(|| {
                    $crate::__private::rust_layout::<$name>(
                        $crate::Composite::$composite,
                        ::core::stringify!($name),
                        ::core::mem::size_of::<$name>(),
                        ::core::mem::align_of::<$name>(),
                        ::std::vec![$((
                            ::core::stringify!($field),
                            <$fty as $crate::CData>::ctype(),
                            ::core::mem::offset_of!($name, $field),
                        )),+],
                    )
                })
            }
        }

        // SAFETY: its data type is the record of the layout above, which is
        // exact (every field where the struct has it, the struct's size);
        // every field type accepts what its dtype allows.
        unsafe impl $crate::Element for $name {
            fn dtype() -> $crate::DType {
                static DTYPE: ::std::sync::OnceLock<$crate::DType> = ::std::sync::OnceLock::new();
                ::std::clone::Clone::clone(DTYPE.get_or_init(|| {
                    $crate::__private::element_dtype(<$name as $crate::CStruct>::layout())
                }))
            }
            fn ctype() -> ::core::option::Option<$crate::CType> {
                ::core::option::Option::Some(<$name as $crate::CData>::ctype())
            }
            fn shared_types() -> ::core::option::Option<&'static $crate::ElementTypes> {
                static TYPES: ::std::sync::OnceLock<$crate::ElementTypes> =
                    ::std::sync::OnceLock::new();
                ::core::option::Option::Some(TYPES.get_or_init(|| {
                    $crate::ElementTypes::new(
                        <$name as $crate::Element>::dtype(),
                        <$name as $crate::Element>::ctype(),
                    )
                }))
            }
        }

        // SAFETY: its C type is the layout above, which is exact.
        unsafe impl $crate::CData for $name {
            fn ctype() -> $crate::CType {
                $crate::CType::Struct(
                    ::std::clone::Clone::clone(<$name as $crate::CStruct>::layout()),
                )
            }
        }

        // SAFETY: a #[repr(C)] type passes by value as the C struct of the
        // same layout does; `accepts_arg` checks the declared layout is that,
        // with no pointer field safe code could have set.
        unsafe impl $crate::CArg for $name {
            type Raw = $name;
            fn ctype() -> $crate::CType {
                <$name as $crate::CData>::ctype()
            }
            fn accepts(declared: &$crate::CType) -> bool {
                $crate::__private::accepts_arg::<$name>(declared)
            }
            #[inline(always)]
            fn into_raw(self) -> $name {
                self
            }
        }

        // SAFETY: as above, for a result.
        unsafe impl $crate::CRet for $name {
            type Raw = $name;
            fn ctype() -> $crate::CType {
                <$name as $crate::CData>::ctype()
            }
            fn accepts(declared: &$crate::CType) -> bool {
                $crate::__private::accepts::<$name>(declared)
            }
            #[inline(always)]
            unsafe fn from_raw(raw: $name) -> $name {
                raw
            }
        }

        // SAFETY: libffi passes a struct argument as a pointer to its bytes,
        // which are a $name; C's values of its fields are valid ones.
        unsafe impl $crate::CallbackArg for $name {
            type Raw = $name;
            fn ctype() -> $crate::CType {
                <$name as $crate::CData>::ctype()
            }
            #[inline(always)]
            unsafe fn from_raw(raw: $name) -> ::core::result::Result<$name, ::std::string::String> {
                ::core::result::Result::Ok(raw)
            }
        }

        // SAFETY: a struct result is written whole into libffi's buffer for
        // it, which has the struct's size.
        unsafe impl $crate::CallbackRet for $name {
            type Raw = $name;
            fn ctype() -> $crate::CType {
                <$name as $crate::CData>::ctype()
            }
            #[inline(always)]
            fn into_raw(self) -> ::core::result::Result<$name, ::std::string::String> {
                ::core::result::Result::Ok(self)
            }
            #[inline(always)]
            unsafe fn store(raw: $name, out: *mut ::core::ffi::c_void) {
                // SAFETY: the caller's promise: `out` is the buffer for a $name.
                unsafe { (out as *mut $name).write_unaligned(raw) }
            }
        }

        // SAFETY: a value passes as itself.
        unsafe impl $crate::SameArg<$name> for $name {
            #[inline(always)]
            fn into_raw_as(self) -> $name {
                self
            }
        }

        impl $crate::__private::SealedArg for $name {}

        // SAFETY: a #[repr(C)] type passes by value as the C struct of its
        // own layout, which `is_declared_as` checks is the one declared
        // (and the key, that it holds no pointer).
        unsafe impl $crate::IntoArg<'_> for $name {
            const CODE: u8 = $crate::__private::STRUCT_CODE;
            #[inline(always)]
            fn is_declared_as(declared: &[$crate::CType], index: usize) -> bool {
                $crate::__private::is_layout_of::<$name>(&declared[index])
            }
            type Raw = $name;
            #[inline(always)]
            fn to_raw(
                &self,
                _: &[$crate::DirectParam],
                _: usize,
                _: &[::core::option::Option<usize>],
                _: &mut $crate::Copies<'_>,
            ) -> ::core::option::Option<$name> {
                ::core::option::Option::Some(*self)
            }
        }

        /// The value, copied, for a by-value parameter of a dynamic call.
        impl ::core::convert::From<$name> for $crate::Value<'_> {
            fn from(v: $name) -> Self {
                $crate::__private::by_value(&v)
            }
        }

        /// Its address, for a `const POINTER(struct)` parameter (or by value).
        impl<'a> ::core::convert::From<&'a $name> for $crate::Value<'a> {
            fn from(v: &'a $name) -> Self {
                $crate::Value::Array($crate::ArrayArg::from_slice(::core::slice::from_ref(v)))
            }
        }

        /// Its address, for a `POINTER(struct)` parameter C writes through.
        impl<'a> ::core::convert::From<&'a mut $name> for $crate::Value<'a> {
            fn from(v: &'a mut $name) -> Self {
                $crate::Value::Array($crate::ArrayArg::from_mut_slice(::core::slice::from_mut(v)))
            }
        }

        impl $crate::FromValue for $name {
            fn from_value(value: &$crate::Value<'_>) -> $crate::Result<Self> {
                $crate::__private::from_value::<$name>(value)
            }
        }
    };
}

/// Items the macros expand to; not part of the API.
#[doc(hidden)]
pub mod private {
    use super::*;

    pub use crate::sealed::SealedData;
    pub use crate::types::layout::record::element_dtype;

    pub use crate::sealed::SealedArg;

    /// The key digit of a struct passed or returned as it stands.
    pub const STRUCT_CODE: u8 = Kind::Aggregate.direct_code();

    /// The layout of `T`, a `#[repr(C)]` type, from what the compiler
    /// reports.
    pub fn rust_layout<T: CStruct + 'static>(
        composite: Composite,
        name: &str,
        size: usize,
        align: usize,
        fields: Vec<(&str, CType, usize)>,
    ) -> Arc<StructLayout> {
        let fields = fields
            .into_iter()
            .map(|(n, t, offset)| StructField::new(n.to_owned(), t, offset, None))
            .collect();
        let layout = StructLayout::from_parts(name.to_owned(), composite, fields, size, align);
        Arc::new(layout.of_rust_type(std::any::TypeId::of::<T>(), T::layout))
    }

    /// Whether `declared` is `T`'s own layout, so that a `T` passes where
    /// it is declared as it stands.
    #[inline(always)]
    pub fn is_layout_of<T: CStruct>(declared: &CType) -> bool {
        matches!(declared, CType::Struct(l) if Arc::ptr_eq(l, T::layout()))
    }

    /// Whether a declared argument or result type is `T`'s layout.
    pub fn accepts<T: CStruct>(declared: &CType) -> bool {
        matches!(declared, CType::Struct(l) if l.is_compatible(T::layout()))
    }

    /// Whether `T` may be passed where `declared` is: its layout, holding
    /// no pointer, which safe Rust code would have set.
    pub fn accepts_arg<T: CStruct>(declared: &CType) -> bool {
        accepts::<T>(declared) && !declared.holds_pointers()
    }

    /// `v` as a by-value [`Value`].
    pub fn by_value<T: CStruct>(v: &T) -> Value<'static> {
        Value::Struct(Cow::Owned(v.to_struct_value()))
    }

    /// `T` from a [`Value::Struct`] of a compatible layout.
    pub fn from_value<T: CStruct>(value: &Value<'_>) -> Result<T> {
        match value {
            Value::Struct(s) => from_struct_value(s),
            other => Err(Error::Conversion {
                expected: T::layout().title(),
                given: other.describe(),
            }),
        }
    }
}

/// Why a value whose `char*` fields point into strings it owns does not
/// become a Rust struct, which would outlive them.
fn owns_strings_error(layout: &StructLayout, value: &StructValue) -> Error {
    Error::Conversion {
        expected: layout.title(),
        given: format!(
            "{}, whose char* fields point into strings it owns, which a copy would outlive",
            value.layout().title()
        ),
    }
}

fn from_struct_value<T: CStruct>(value: &StructValue) -> Result<T> {
    let layout = T::layout();
    if value.owns_strings() {
        return Err(owns_strings_error(layout, value));
    }
    if !value.layout().is_compatible(layout) {
        return Err(Error::Conversion {
            expected: layout.title(),
            given: format!("{}, whose layout differs", value.layout().title()),
        });
    }
    check_valid(value.layout(), value.as_bytes()).map_err(|message| Error::Conversion {
        expected: layout.title(),
        given: message,
    })?;
    let mut out = MaybeUninit::<T>::uninit();
    // The layouts are compatible, so the value is size_of::<T>() initialised
    // bytes, and every field holds a valid value of its type (check_valid
    // refused bools other than 0 and 1; every other field type of a CStruct
    // accepts any bits).
    // SAFETY: as above.
    unsafe {
        std::ptr::copy_nonoverlapping(
            value.as_bytes().as_ptr(),
            out.as_mut_ptr() as *mut u8,
            layout.size(),
        );
        Ok(out.assume_init())
    }
}

/// Checks that every `_Bool` in a value of `layout` is 0 or 1.
pub(crate) fn check_valid(layout: &StructLayout, bytes: &[u8]) -> std::result::Result<(), String> {
    fn walk(ty: &CType, at: usize, path: &str, bytes: &[u8]) -> std::result::Result<(), String> {
        match ty {
            CType::Struct(l) => {
                for f in l.fields().iter().filter(|f| !f.is_bitfield()) {
                    walk(
                        f.ctype(),
                        at + f.offset(),
                        &format!("{path}.{}", f.name()),
                        bytes,
                    )?;
                }
                Ok(())
            }
            CType::Array(elem, n) => {
                for k in 0..*n {
                    walk(elem, at + k * elem.size(), &format!("{path}[{k}]"), bytes)?;
                }
                Ok(())
            }
            t if t.kind() == Kind::Bool && bytes.get(at).is_some_and(|&b| b > 1) => Err(format!(
                "field `{}` holding {}, which is not a valid _Bool",
                path.trim_start_matches('.'),
                bytes[at]
            )),
            _ => Ok(()),
        }
    }
    for f in layout.fields().iter().filter(|f| !f.is_bitfield()) {
        walk(f.ctype(), f.offset(), f.name(), bytes)?;
    }
    Ok(())
}

impl StructLayout {
    /// Checks this layout against `declared` (for example a Rust struct's
    /// against the one a C header declares) and reports the first difference:
    /// struct versus union, then field by field the name, offset, size,
    /// bits and type (nested structs are checked field by field too), then
    /// the size and alignment of the whole. Both values are given.
    ///
    /// ```
    /// use rctypes::{CType, StructLayout};
    /// let natural = StructLayout::builder("P").field("c", CType::Char).field("d", CType::Double).build()?;
    /// let packed = StructLayout::builder("P").field("c", CType::Char).field("d", CType::Double).pack(2).build()?;
    /// let err = natural.check_against(&packed).unwrap_err();
    /// assert_eq!(err.to_string(), "struct P: field `d`: offset 8 in this layout, 2 in the declared layout");
    /// # Ok::<(), rctypes::Error>(())
    /// ```
    pub fn check_against(&self, declared: &StructLayout) -> Result<()> {
        self.check_at(declared, "", self.source())
            .map_err(|(field, message)| Error::LayoutMismatch {
                name: self.title(),
                field,
                message,
            })
    }

    fn check_at(
        &self,
        declared: &StructLayout,
        prefix: &str,
        this: &str,
    ) -> std::result::Result<(), (String, String)> {
        let both = |a: String, b: String| format!("{a} in {this}, {b} in the declared layout");
        let whole = |what: &str| {
            if prefix.is_empty() {
                what.to_owned()
            } else {
                format!("field `{}`", prefix.trim_end_matches('.'))
            }
        };
        if self.composite() != declared.composite() {
            return Err((
                whole("kind"),
                both(
                    kind_name(self.composite()).into(),
                    kind_name(declared.composite()).into(),
                ),
            ));
        }
        for (i, d) in declared.fields().iter().enumerate() {
            let path = format!("{prefix}{}", d.name());
            let label = format!("field `{path}`");
            let Some(r) = self.fields().get(i) else {
                return Err((
                    label,
                    format!(
                        "declared as field {} but {this} has only {} fields",
                        i + 1,
                        self.fields().len()
                    ),
                ));
            };
            if r.name() != d.name() {
                return Err((
                    format!("field {}", i + 1),
                    both(format!("`{}`", r.name()), format!("`{}`", d.name())),
                ));
            }
            if r.offset() != d.offset() {
                return Err((
                    label,
                    both(format!("offset {}", r.offset()), d.offset().to_string()),
                ));
            }
            if r.bits() != d.bits() {
                return Err((label, both(describe_bits(r), describe_bits(d))));
            }
            if r.size() != d.size() {
                return Err((
                    label,
                    both(format!("size {}", r.size()), d.size().to_string()),
                ));
            }
            if let (CType::Struct(rl), CType::Struct(dl)) = (r.ctype(), d.ctype()) {
                rl.check_at(dl, &format!("{path}."), this)?;
            } else if !same_storage(r.ctype(), d.ctype()) {
                return Err((
                    label,
                    both(format!("type {}", r.ctype()), d.ctype().to_string()),
                ));
            }
        }
        if self.fields().len() > declared.fields().len() {
            let extra = &self.fields()[declared.fields().len()];
            return Err((
                format!("field `{prefix}{}`", extra.name()),
                format!(
                    "in {this} but not declared ({} declared fields)",
                    declared.fields().len()
                ),
            ));
        }
        if self.size() != declared.size() {
            return Err((
                whole("size"),
                both(self.size().to_string(), declared.size().to_string()),
            ));
        }
        if self.align() != declared.align() {
            return Err((
                whole("alignment"),
                both(self.align().to_string(), declared.align().to_string()),
            ));
        }
        Ok(())
    }
}

fn kind_name(c: Composite) -> &'static str {
    match c {
        Composite::Struct => "a struct",
        Composite::Union => "a union",
    }
}

fn describe_bits(f: &StructField) -> String {
    match f.bits() {
        Some(b) => format!("a {}-bit bitfield at bit {}", b.width, b.start),
        None => format!("a whole {}", f.ctype()),
    }
}
