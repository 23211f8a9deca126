//! [`CFunc::invoke`]'s direct call: where the Rust types of the tuple and
//! of the result are exactly the declared C types (an `i32` for an `int`,
//! an `f64` for a `double`, `()` for `void`, a [`c_struct!`] type for its
//! own layout), every value of them passes every check, so the function
//! is called as a [`TypedCFunc`](crate::TypedCFunc) calls it: through its
//! address, with no `Value` made. A `const char *` C reads up to its NUL
//! takes a `&CStr` as it stands, and a `&str` once copied with a NUL to
//! the call's stack (a string holding a NUL, or too long for the room,
//! takes the checked call); an ndpointer takes an array that passes its
//! checks, and a pointer to numbers (or to rows of them) an array that the
//! checked call would lend it, its extent read from the tuple's integers.
//!
//! The match is one compare of two keys: the declared signature's, made
//! at bind time, and the Rust types', a constant of the monomorphised
//! call. A key's hexadecimal digits are [`Kind::direct_code`]s, or
//! [`BORROWED_CODE`] for a string or ndpointer, the result's first, then each
//! argument's. Structs add a compare each: of the declared layout with
//! the Rust type's own (for a result, of type ids).
//!
//! [`c_struct!`]: crate::c_struct

use std::any::TypeId;
use std::sync::Arc;

use crate::func::IntoArgs;
use crate::func::invoke::FromResult;
use crate::types::{CType, Kind, NdPointer, StructLayout, is_read_only_string};
use crate::value::Scalar;
use crate::value::array::Lending;

/// The key of a signature with no direct call: no Rust types match it.
const NO_SIGNATURE: u64 = u64::MAX;

/// The key of Rust types that do not all stand for a C type: it matches
/// no signature (keys have at most 13 digits).
pub(crate) const NO_TYPES: u64 = u64::MAX - 1;

/// The code of a parameter a borrowed Rust value passes to as an address,
/// once checked at the call: a `const char *` C reads up to its NUL (a
/// `&str` copied with a NUL, a `&CStr`), an ndpointer (an array of its
/// data type, dimensions, shape and flags), a pointer to numbers (an array
/// covering its extent).
pub(crate) const BORROWED_CODE: u8 = Kind::Ptr as u8 + 1;

/// The most arguments a key holds: as many as an
/// [`IntoArgs`](crate::IntoArgs) tuple has.
const MAX_ARGS: usize = 12;

/// What a declared signature takes directly.
#[derive(Clone, Debug)]
pub(super) struct Direct {
    /// The signature's key, or [`NO_SIGNATURE`].
    key: u64,
    /// For a struct result, the Rust type whose layout it is.
    ret: Option<TypeId>,
    /// What each parameter takes of a borrowed argument.
    params: Arc<[DirectParam]>,
}

/// What a borrowed argument passes to directly where a parameter is
/// declared, worked out when the function is bound. Hidden: for
/// [`IntoArg::to_raw`](crate::IntoArg) only.
#[doc(hidden)]
#[derive(Debug)]
pub struct DirectParam(pub(crate) Takes);

/// What a parameter takes of a borrowed argument in a direct call. (A
/// tag of its own, which a call reads in one compare.)
#[derive(Debug)]
#[repr(u8)]
pub(crate) enum Takes {
    /// Nothing borrowed: a number or a struct, passed by value.
    Value,
    /// A string, for a `const char *` C reads up to its NUL.
    String,
    /// An array the ndpointer admits.
    NdPointer(Arc<NdPointer>),
    /// An array that covers what a pointer to numbers, or to rows of them,
    /// lets C touch.
    Array(Lending),
}

impl Direct {
    /// No direct call from now on: calls that need the general path. What
    /// each parameter takes stays, for the checked call's arrays.
    pub(super) fn turn_off(&mut self) {
        self.key = NO_SIGNATURE;
        self.ret = None;
    }

    /// What each parameter takes of a borrowed argument, in order.
    #[inline(always)]
    pub(super) fn params(&self) -> &[DirectParam] {
        &self.params
    }

    /// What parameter `index` asks of an array, where it is a pointer to
    /// numbers or to rows of them: the checked call's first check of an
    /// array, which passes it where this does (and checks it again, to say
    /// why not, where this refuses it).
    #[inline(always)]
    pub(super) fn lending(&self, index: usize) -> Option<&Lending> {
        match self.params.get(index) {
            Some(DirectParam(Takes::Array(lending))) => Some(lending),
            _ => None,
        }
    }

    /// What the signature takes directly: each type a number, `_Bool`, or
    /// a struct whose layout a `c_struct!` type has (and, as an argument,
    /// holding no pointer, which safe code may have set); `void` too as
    /// the result; as an argument, a pointer a borrow passes to once
    /// checked ([`Takes`]).
    pub(super) fn of(args: &[CType], ret: &CType, variadic: bool) -> Direct {
        let params: Arc<[DirectParam]> = args.iter().map(|t| DirectParam(Takes::of(t))).collect();
        let none = Direct {
            key: NO_SIGNATURE,
            ret: None,
            params: params.clone(),
        };
        if variadic || args.len() > MAX_ARGS {
            return none;
        }
        let mut key = 0;
        let codes = params
            .iter()
            .rev()
            .zip(args.iter().rev())
            .map(|(p, t)| (t, Some(p)));
        for (ty, param) in codes.chain([(ret, None)]) {
            let code = match (ty, param) {
                (_, Some(DirectParam(Takes::Value))) | (_, None) => match ty {
                    CType::Struct(l)
                        if rust_type(l).is_some() && !(param.is_some() && ty.holds_pointers()) =>
                    {
                        Kind::Aggregate.direct_code()
                    }
                    CType::Struct(_) | CType::Array(..) => 0,
                    _ => ty.kind().direct_code(),
                },
                (_, Some(_)) => BORROWED_CODE,
            };
            if code == 0 {
                return none;
            }
            key = key << 4 | code as u64;
        }
        // A `void` argument is refused at bind time, before this.
        let ret = match ret {
            CType::Struct(l) => rust_type(l),
            _ => None,
        };
        Direct { key, ret, params }
    }

    /// Whether the Rust types `A` and `R` are the declared ones (`args`).
    #[inline(always)]
    pub(super) fn takes<'a, A: IntoArgs<'a>, R: FromResult>(&self, args: &[CType]) -> bool {
        let ret = match result_code::<R>() {
            0 if self.ret.is_some() && self.ret == Some(TypeId::of::<R>()) => {
                Kind::Aggregate.direct_code()
            }
            code => code,
        };
        let key = types_key(A::KEY, ret);
        key != NO_TYPES && key == self.key && A::declared_as(args)
    }
}

impl Takes {
    /// What a parameter of type `ty` takes of a borrowed argument.
    fn of(ty: &CType) -> Takes {
        match ty {
            CType::NdPointer(p) => Takes::NdPointer(p.clone()),
            _ if is_read_only_string(ty) => Takes::String,
            _ => Lending::of(ty).map_or(Takes::Value, Takes::Array),
        }
    }
}

/// The Rust type whose own layout `layout` is.
fn rust_type(layout: &Arc<StructLayout>) -> Option<TypeId> {
    layout.rust_type()
}

/// The key of Rust argument types with these codes (0 for a type that
/// stands for no C type), the result's digit left 0.
pub(crate) const fn args_key(codes: &[u8]) -> u64 {
    let mut key = 0;
    let mut i = codes.len();
    while i > 0 {
        i -= 1;
        if codes[i] == 0 {
            return NO_TYPES;
        }
        key = (key | codes[i] as u64) << 4;
    }
    key
}

/// The key of Rust types: the arguments' key and the result's code.
#[inline(always)]
const fn types_key(args: u64, result: u8) -> u64 {
    if args == NO_TYPES || result == 0 {
        return NO_TYPES;
    }
    args | result as u64
}

/// The code of a Rust number type: that of its C type.
pub(crate) const fn scalar_code<T: Scalar>() -> u8 {
    let ctype = T::CTYPE;
    let kind = ctype.kind();
    // A scalar's CType holds no Arc; nothing to drop at compile time.
    std::mem::forget(ctype);
    kind.direct_code()
}

/// The code of a result type: a number's, `void`'s for `()`, 0 for any
/// other. Type ids, not a trait's constant, so that no implementation
/// outside rctypes can claim a code; the compares fold away once `R` is
/// known.
#[inline(always)]
fn result_code<R: 'static>() -> u8 {
    let id = TypeId::of::<R>();
    macro_rules! codes {
        ($($t:ty),*) => {$(
            if id == TypeId::of::<$t>() {
                return scalar_code::<$t>();
            }
        )*};
    }
    codes!(
        i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64, bool
    );
    if id == TypeId::of::<()>() {
        return Kind::Void.direct_code();
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(args: &[CType], ret: &CType, variadic: bool) -> u64 {
        Direct::of(args, ret, variadic).key
    }

    #[test]
    fn keys_of_matching_types_agree() {
        let declared = key(&[CType::Int, CType::Double], &CType::Long, false);
        let codes = [scalar_code::<i32>(), scalar_code::<f64>()];
        let rust = types_key(args_key(&codes), result_code::<std::ffi::c_long>());
        assert_eq!(declared, rust);
        // Another width, another sign, another order: other keys.
        for codes in [
            [scalar_code::<i64>(), scalar_code::<f64>()],
            [scalar_code::<u32>(), scalar_code::<f64>()],
            [scalar_code::<f64>(), scalar_code::<i32>()],
        ] {
            assert_ne!(declared, types_key(args_key(&codes), result_code::<i64>()));
        }
    }

    #[test]
    fn what_has_no_direct_call() {
        assert_eq!(args_key(&[scalar_code::<i32>(), 0]), NO_TYPES);
        assert_eq!(types_key(args_key(&[0]), result_code::<()>()), NO_TYPES);
        assert_eq!(result_code::<String>(), 0);
        assert_eq!(types_key(args_key(&[]), 0), NO_TYPES);
        assert_eq!(result_code::<crate::Value<'static>>(), 0);
        let int = CType::Int;
        // A string C reads takes a string; other pointers have no key, nor
        // has a string result (copied out).
        let string = types_key(args_key(&[BORROWED_CODE]), result_code::<i32>());
        assert_eq!(key(&[CType::CharP], &int, false), string);
        let bytes = CType::const_pointer(CType::UByte);
        assert_eq!(key(std::slice::from_ref(&bytes), &int, false), string);
        // Pointers to numbers, or to rows of them, take arrays; pointers to
        // handles, strings, structs or `void`, and arrays up to a zero, take
        // the checked call.
        let counted = bytes.extent(crate::Extent::ElementsFromArg(2));
        let arrays = types_key(
            args_key(&[BORROWED_CODE, scalar_code::<i32>()]),
            result_code::<i32>(),
        );
        assert_eq!(key(&[counted, int.clone()], &int, false), arrays);
        let rows = CType::pointer(CType::const_pointer(CType::Float));
        assert_eq!(key(&[rows], &int, false), string);
        for no_arrays in [
            CType::pointer(CType::handle("FILE")),
            CType::pointer(CType::CharP),
            CType::pointer(CType::pointer(CType::VoidP)),
            CType::VoidP,
            CType::const_pointer(CType::Float).extent(crate::Extent::NulTerminated),
        ] {
            assert_eq!(key(&[no_arrays], &int, false), NO_SIGNATURE);
        }
        assert_eq!(key(&[], &CType::CharP, false), NO_SIGNATURE);
        assert_eq!(key(&[CType::Int], &CType::LongDouble, false), NO_SIGNATURE);
        assert_eq!(key(&[CType::Int], &int, true), NO_SIGNATURE);
        assert_eq!(key(&vec![int.clone(); 13], &int, false), NO_SIGNATURE);
        // A struct declared field by field is no Rust type's.
        let declared = StructLayout::builder("P")
            .field("x", CType::Int)
            .build()
            .unwrap();
        let by_value = CType::Struct(declared);
        assert_eq!(
            key(std::slice::from_ref(&by_value), &int, false),
            NO_SIGNATURE
        );
        assert_eq!(
            key(std::slice::from_ref(&int), &by_value, false),
            NO_SIGNATURE
        );
        assert_eq!(
            key(&[CType::array(CType::Int, 2)], &int, false),
            NO_SIGNATURE
        );
        // `void f(void)` has a key; so have `()` in and out.
        let void = key(&[], &CType::Void, false);
        assert_eq!(void, types_key(args_key(&[]), result_code::<()>()));
        assert!(void != NO_TYPES && void != NO_SIGNATURE);
    }
}
