//! The C type of a function pointer: its argument and result types.

use std::fmt;

use crate::types::CType;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_compare_by_machine_representation() {
        let int = Signature::new([CType::Int, CType::Int], CType::Int);
        let int32 = Signature::new([CType::Int32, CType::Int32], CType::Int32);
        assert!(int.is_compatible(&int32));
        let fewer = Signature::new([CType::Int], CType::Int);
        assert!(!int.is_compatible(&fewer));
        let void = Signature::new([CType::Int, CType::Int], CType::Void);
        assert!(!int.is_compatible(&void) && !void.is_compatible(&int));
        assert!(void.is_compatible(&void));
        let double = Signature::new([CType::Double, CType::Int], CType::Int);
        assert!(!int.is_compatible(&double));
        assert!(CType::from(int.clone()).is_compatible(&CType::from(int32)));
        assert!(!CType::from(int).is_compatible(&CType::from(double)));
    }

    #[test]
    fn signatures_print_as_ctypes_writes_them() {
        let sig = Signature::new([CType::Int, CType::pointer(CType::Int)], CType::VoidP);
        assert_eq!(
            sig.to_string(),
            "CFUNCTYPE(c_void_p, c_int, POINTER(c_int))"
        );
        assert_eq!(
            Signature::new([], CType::Void).to_string(),
            "CFUNCTYPE(None)"
        );
        let err = Signature::new([CType::Void], CType::Int)
            .check()
            .unwrap_err();
        assert_eq!(err, "argument 1 is void; only a result can be");
    }
}
