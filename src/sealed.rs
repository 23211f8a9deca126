//! The seals on rctypes' public traits: who may implement them.
//!
//! Three seals, all public traits in this private module, so that no other
//! crate can name them:
//!
//! - [`SealedData`] seals the family of Rust types that cross into C:
//!   `Scalar`, `CData`, `Element`, `CArg`, `CRet`, `SameArg`,
//!   `CallbackArg`, `CallbackRet` and `CStruct`. rctypes implements it for
//!   its own types, and the `c_struct!` macro for the structs it declares,
//!   through the hidden path `rctypes::__private::SealedData`: that macro is
//!   the only way to add a type to the family. The traits it seals stay
//!   `unsafe`, since the macro's implementations are written into the
//!   user's crate: soundness never rests on the seal alone.
//! - [`Sealed`] seals the safe traits only rctypes implements, whose
//!   soundness does rest on the seal: `FnPointer`, `ArgList`,
//!   `CallbackArgs`, and (as `Sealed<(Args, Ret)>`) `CallbackFn<Args, Ret>`;
//!   and the tuples of the short and non-blocking calls, `IntoArgs` and
//!   `OwnedArgs`, sealed to keep them free to change.
//! - [`SealedArg`] seals `IntoArg`, the elements of `invoke`'s tuples,
//!   whose numbers and structs pass as they stand: rctypes implements it,
//!   and `c_struct!` for its structs. `IntoArg` stays `unsafe`.
//!   No macro implements it.

use std::any::Any;
use std::sync::Arc;

/// Implemented only inside rctypes, for its own types (the type parameter
/// seals generic traits once per parameter).
pub trait Sealed<Of: ?Sized = ()> {}

/// Implemented for the arguments of `invoke` (`IntoArg`): rctypes' own, and
/// by `c_struct!` for the structs it declares. A seal of its own, since it
/// covers every reference rctypes converts.
pub trait SealedArg {}

/// Implemented for rctypes' types that cross into C, and by `c_struct!`.
pub trait SealedData {
    /// The failure slot of a callback this value lends to C, watched by a
    /// checked typed call for failures on other threads.
    #[doc(hidden)]
    #[inline(always)]
    fn lent_callback(&self) -> Option<Arc<dyn Any + Send + Sync>> {
        None
    }
}

// Tuples are argument lists: of typed calls (`ArgList`) and of typed
// callbacks (`CallbackArgs`).
macro_rules! sealed_tuples {
    ($(($($a:ident),*))*) => {$(
        impl<$($a),*> Sealed for ($($a,)*) {}
    )*};
}

sealed_tuples! {
    ()
    (A0)
    (A0, A1)
    (A0, A1, A2)
    (A0, A1, A2, A3)
    (A0, A1, A2, A3, A4)
    (A0, A1, A2, A3, A4, A5)
    (A0, A1, A2, A3, A4, A5, A6)
    (A0, A1, A2, A3, A4, A5, A6, A7)
    (A0, A1, A2, A3, A4, A5, A6, A7, A8)
    (A0, A1, A2, A3, A4, A5, A6, A7, A8, A9)
    (A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10)
    (A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11)
    (A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12)
    (A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13)
    (A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14)
    (A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15)
}
