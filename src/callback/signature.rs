//! The C type of a function pointer: its argument and result types.

use std::fmt;

use crate::ctype::CType;

/// The signature of a C function pointer, as ctypes' `CFUNCTYPE(restype,
/// *argtypes)`: what a [`Callback`](crate::Callback) is called with and
/// returns, and what a parameter declared [`CType::FuncPtr`] accepts.
///
/// ```
/// use rctypes::{CType, Signature};
/// let binop = Signature::new([CType::Int, CType::Int], CType::Int);
/// assert_eq!(binop.to_string(), "CFUNCTYPE(c_int, c_int, c_int)");
/// // A parameter of type `int (*)(int, int)`:
/// let param = CType::func_ptr([CType::Int, CType::Int], CType::Int);
/// assert_eq!(param, CType::FuncPtr(binop.into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    args: Vec<CType>,
    ret: CType,
}

impl Signature {
    /// The signature `ret (*)(args...)`.
    pub fn new(args: impl Into<Vec<CType>>, ret: CType) -> Signature {
        Signature {
            args: args.into(),
            ret,
        }
    }

    /// The argument types.
    pub fn args(&self) -> &[CType] {
        &self.args
    }

    /// The result type.
    pub fn ret(&self) -> &CType {
        &self.ret
    }

    /// Whether a function of this signature may be passed where `other` is
    /// declared: the same number of arguments, and each argument and the
    /// result of the same machine representation (see
    /// [`CType::is_compatible`]).
    pub fn is_compatible(&self, other: &Signature) -> bool {
        self.args.len() == other.args.len()
            && self
                .args
                .iter()
                .zip(&other.args)
                .all(|(a, b)| a.is_compatible(b))
            && (self.ret == other.ret
                || (self.ret != CType::Void
                    && other.ret != CType::Void
                    && self.ret.is_compatible(&other.ret)))
    }

    /// Why a callback cannot have this signature, if it cannot.
    pub(crate) fn check(&self) -> Result<(), String> {
        if let Some(i) = self.args.iter().position(|t| *t == CType::Void) {
            return Err(format!("argument {} is void; only a result can be", i + 1));
        }
        Ok(())
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CFUNCTYPE({}", self.ret)?;
        for arg in &self.args {
            write!(f, ", {arg}")?;
        }
        f.write_str(")")
    }
}

/// The function pointer type of the signature.
impl From<Signature> for CType {
    fn from(signature: Signature) -> CType {
        CType::FuncPtr(signature.into())
    }
}
