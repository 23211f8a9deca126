//! # Structs, unions and their exact C layouts
//!
//! C lays a struct out by rules every compiler on a platform shares:
//! natural alignment and padding, `#pragma pack`, `_Alignas`, and bitfields.
//! Getting them wrong is silent memory corruption (the cookbook's "be aware
//! of padding issues!"); here they are computed and checked:
//!
//! | ctypes / C | rctypes |
//! | --- | --- |
//! | `class P(Structure): _fields_ = [...]`, `_pack_`, `_align_` | [`StructLayout::builder`](crate::StructLayout::builder) with [`field`](crate::StructBuilder::field), [`pack`](crate::StructBuilder::pack), [`align`](crate::StructBuilder::align) |
//! | `class U(Union)` | [`StructLayout::union_builder`](crate::StructLayout::union_builder) |
//! | `("flags", c_uint, 3)` | [`StructBuilder::bitfield`](crate::StructBuilder::bitfield) |
//! | `c_int * 3` | [`CType::array`](crate::CType::array) |
//! | `P.x.offset`, `sizeof(P)`, `alignment(P)` | [`StructLayout::field`](crate::StructLayout::field), [`size`](crate::StructLayout::size), [`align`](crate::StructLayout::align) |
//! | an instance, `p.x = 3` | [`StructValue`](crate::StructValue), [`set`](crate::StructValue::set) / [`get`](crate::StructValue::get) |
//! | `restype = P`, `argtypes = [P]` | [`CType::Struct`](crate::CType::Struct) in a signature: passed by value (in registers or stack slots by the C ABI, or through libffi) |
//! | `argtypes = [POINTER(P)]`, `byref(p)` | `CType::pointer(CType::Struct(..))`, `&mut p` |
//! | `CFUNCTYPE(P, P)` | [`Signature`](crate::Signature) with struct types: dynamic callbacks get and give [`StructValue`](crate::StructValue)s, typed ones `c_struct!` values |
//! | a Rust `#[repr(C)]` struct | [`c_struct!`](crate::c_struct) and [`CStruct`](crate::CStruct), checked with [`CStruct::check_against`](crate::CStruct::check_against) |
//! | `np.ctypeslib.as_ctypes_type(dtype)` | [`StructLayout::from_dtype`](crate::StructLayout::from_dtype) |
//! | `np.dtype(fields, align=True)` of a struct | [`StructLayout::dtype`](crate::StructLayout::dtype); a `c_struct!` type's [`Element::dtype`](crate::Element::dtype) |
//! | an array of records to `ndpointer(dtype, flags='aligned, contiguous')` | an [`NdArray`](crate::NdArray) of the record, or an `ndarray` array of a `c_struct!` type |
//!
//! A pointer that shares its bytes with other members of a union is read
//! only by unsafe code ([`StructValue::get_unchecked`](crate::StructValue::get_unchecked)): safe code may have
//! written those bytes as an integer, and reading them as a string or an
//! address would make one up.
//!
//! By value, libffi describes structs by their fields; what it cannot
//! describe (bitfields, a `pack` or alignment that moves a field, unions
//! off x86-64 System V, a struct holding only a `long double` as a result)
//! is refused when the function is bound or the callback made, with the
//! reason. A callback whose struct result cannot be given (a panic, a value
//! of another type) gives C the zeroed struct.
