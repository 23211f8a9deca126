//! Structs, unions and their exact C layouts.
//!
//! C lays a struct out by rules every compiler on a platform shares:
//! natural alignment and padding, `#pragma pack`, `_Alignas`, and bitfields.
//! Getting them wrong is silent memory corruption (the cookbook's "be aware
//! of padding issues!"); here they are computed and checked:
//!
//! | ctypes / C | rctypes |
//! | --- | --- |
//! | `class P(Structure): _fields_ = [...]`, `_pack_`, `_align_` | [`StructLayout::builder`] with [`field`](StructBuilder::field), [`pack`](StructBuilder::pack), [`align`](StructBuilder::align) |
//! | `class U(Union)` | [`StructLayout::union_builder`] |
//! | `("flags", c_uint, 3)` | [`StructBuilder::bitfield`] |
//! | `c_int * 3` | [`CType::array`] |
//! | `P.x.offset`, `sizeof(P)`, `alignment(P)` | [`StructLayout::field`], [`size`](StructLayout::size), [`align`](StructLayout::align) |
//! | an instance, `p.x = 3` | [`StructValue`], [`set`](StructValue::set) / [`get`](StructValue::get) |
//! | `restype = P`, `argtypes = [P]` | [`CType::Struct`] in a signature: passed by value (in registers or stack slots by the C ABI, or through libffi) |
//! | `argtypes = [POINTER(P)]`, `byref(p)` | `CType::pointer(CType::Struct(..))`, `&mut p` |
//! | `CFUNCTYPE(P, P)` | [`Signature`](crate::Signature) with struct types: dynamic callbacks get and give [`StructValue`]s, typed ones `c_struct!` values |
//! | a Rust `#[repr(C)]` struct | [`c_struct!`](crate::c_struct) and [`CStruct`], checked with [`CStruct::check_against`] |
//! | `np.ctypeslib.as_ctypes_type(dtype)` | [`StructLayout::from_dtype`] |
//! | `np.dtype(fields, align=True)` of a struct | [`StructLayout::dtype`]; a `c_struct!` type's [`Element::dtype`](crate::Element::dtype) |
//! | an array of records to `ndpointer(dtype, flags='aligned, contiguous')` | an [`NdArray`](crate::NdArray) of the record, or an `ndarray` array of a `c_struct!` type |
//!
//! A pointer that shares its bytes with other members of a union is read
//! only by unsafe code ([`StructValue::get_unchecked`]): safe code may have
//! written those bytes as an integer, and reading them as a string or an
//! address would make one up.
//!
//! By value, libffi describes structs by their fields; what it cannot
//! describe (bitfields, a `pack` or alignment that moves a field, unions
//! off x86-64 System V, a struct holding only a `long double` as a result)
//! is refused when the function is bound or the callback made, with the
//! reason. A callback whose struct result cannot be given (a panic, a value
//! of another type) gives C the zeroed struct.
//!
//! [`CType::array`]: crate::CType::array
//! [`CType::Struct`]: crate::CType::Struct

mod abi;
mod access;
mod declare;
pub(crate) mod record;
mod rust;
mod value;

#[cfg(all(target_arch = "x86_64", not(windows)))]
pub(crate) use abi::register_classes;
pub(crate) use abi::{ffi_return_type, ffi_type};
pub use declare::{Bits, Composite, StructBuilder, StructField, StructLayout};
pub(crate) use record::element_dtype;
pub use rust::CStruct;
#[doc(hidden)]
pub use rust::private;
pub use value::StructValue;
