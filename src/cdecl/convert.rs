//! From lang-c's syntax tree to C types.

use lang_c::ast::{
    ArraySize, DeclarationSpecifier, Declarator, DeclaratorKind, DerivedDeclarator, Ellipsis,
    EnumType, PointerQualifier, TypeQualifier, TypeSpecifier,
};
use lang_c::span::Node;

use super::Declarations;
use super::eval;
use crate::ctype::CType;

/// A declared type before it settles into a [`CType`]: C's arrays and
/// functions behave differently as parameters, results and values.
#[derive(Clone, Debug)]
pub(crate) enum DeclType {
    /// A type a [`CType`] already describes (including typedef'd ones).
    Plain(CType),
    /// `T*`; `to_const` says the pointee is const-qualified.
    Pointer { to: Box<DeclType>, to_const: bool },
    /// `T[len]` (the length matters once arrays are members of structs).
    #[allow(dead_code)]
    Array {
        of: Box<DeclType>,
        of_const: bool,
        len: Option<usize>,
    },
    /// A function type.
    Function {
        ret: Box<DeclType>,
        params: Vec<(Option<String>, DeclType)>,
        variadic: bool,
    },
    /// A struct or union whose members are not declared: usable behind a
    /// pointer, as an opaque handle.
    Opaque,
}

type Qualified = (DeclType, bool);

impl DeclType {
    /// The type as a value (a variable, a struct member, a typedef's target).
    pub(crate) fn to_ctype_value(&self) -> Result<CType, String> {
        match self {
            DeclType::Plain(t) => Ok(t.clone()),
            DeclType::Opaque => Err(
                "a struct or union with no definition can only be used through a pointer".into(),
            ),
            DeclType::Pointer { to, to_const } => pointer_to(to, *to_const),
            // Arrays and functions as values only occur behind typedefs here;
            // where they are used they decay as parameters do.
            DeclType::Array { of, of_const, .. } => pointer_to(of, *of_const),
            DeclType::Function { .. } => function_pointer(self),
        }
    }

    /// The type a typedef names: also an opaque struct, usable behind pointers.
    pub(crate) fn to_ctype_typedef(&self) -> Result<CType, String> {
        match self {
            DeclType::Opaque => Ok(CType::Void),
            other => other.to_ctype_value(),
        }
    }

    /// The type as a parameter: arrays and functions decay to pointers.
    pub(crate) fn to_ctype_param(&self) -> Result<CType, String> {
        match self {
            DeclType::Array { of, of_const, .. } => pointer_to(of, *of_const),
            DeclType::Function { .. } => function_pointer(self),
            other => other.to_ctype_value(),
        }
    }

    /// The type as a result: any `char*` reads back as a string, as ctypes'
    /// `c_char_p` does.
    pub(crate) fn to_ctype_result(&self) -> Result<CType, String> {
        match self {
            DeclType::Pointer { to, .. } if matches!(**to, DeclType::Plain(CType::Char)) => {
                Ok(CType::CharP)
            }
            DeclType::Array { .. } | DeclType::Function { .. } => {
                Err("a function cannot return an array or a function".into())
            }
            other => other.to_ctype_value(),
        }
    }
}

fn pointer_to(to: &DeclType, to_const: bool) -> Result<CType, String> {
    Ok(match (to, to_const) {
        (DeclType::Plain(CType::Void) | DeclType::Opaque, false) => CType::VoidP,
        (DeclType::Plain(CType::Void) | DeclType::Opaque, true) => {
            CType::const_pointer(CType::Void)
        }
        (DeclType::Plain(CType::Char), true) => CType::CharP,
        (DeclType::Plain(CType::WChar), true) => CType::WCharP,
        (DeclType::Function { .. }, _) => function_pointer(to)?,
        (other, false) => CType::pointer(other.to_ctype_typedef()?),
        (other, true) => CType::const_pointer(other.to_ctype_typedef()?),
    })
}

/// A pointer to a function: an address, passed as such.
fn function_pointer(_function: &DeclType) -> Result<CType, String> {
    Ok(CType::VoidP)
}

/// Turns specifiers and declarators into types, with the names the
/// declarations made so far.
pub(crate) struct Converter<'d> {
    pub decls: &'d mut Declarations,
    /// The `#pragma pack` in force, for struct definitions.
    #[allow(dead_code)]
    pub packing: Option<u32>,
}

impl Converter<'_> {
    /// The type the specifiers name (`unsigned long`, `const struct s`, a
    /// typedef name), with whether it is const.
    pub(crate) fn base_type(
        &mut self,
        specifiers: &[Node<DeclarationSpecifier>],
    ) -> Result<Qualified, String> {
        let mut words = Words::default();
        for spec in specifiers {
            match &spec.node {
                DeclarationSpecifier::TypeSpecifier(t) => words.add(&t.node, self)?,
                DeclarationSpecifier::TypeQualifier(q) => {
                    words.is_const |= q.node == TypeQualifier::Const
                }
                DeclarationSpecifier::Alignment(_) => {
                    return Err("_Alignas on a declaration is not supported".into());
                }
                _ => {}
            }
        }
        Ok((words.finish()?, words.is_const))
    }

    /// The name and type a declarator declares from `base`.
    pub(crate) fn declarator(
        &mut self,
        d: &Declarator,
        base: Qualified,
    ) -> Result<(Option<String>, DeclType), String> {
        let mut ty = base;
        for derived in &d.derived {
            ty = self.derive(ty, &derived.node)?;
        }
        match &d.kind.node {
            DeclaratorKind::Abstract => Ok((None, ty.0)),
            DeclaratorKind::Identifier(id) => Ok((Some(id.node.name.clone()), ty.0)),
            DeclaratorKind::Declarator(inner) => self.declarator(&inner.node, ty),
        }
    }

    fn derive(
        &mut self,
        (ty, is_const): Qualified,
        derived: &DerivedDeclarator,
    ) -> Result<Qualified, String> {
        Ok(match derived {
            DerivedDeclarator::Pointer(quals) => {
                let const_ptr = quals
                    .iter()
                    .any(|q| matches!(&q.node, PointerQualifier::TypeQualifier(t) if t.node == TypeQualifier::Const));
                (
                    DeclType::Pointer {
                        to: Box::new(ty),
                        to_const: is_const,
                    },
                    const_ptr,
                )
            }
            DerivedDeclarator::Array(array) => {
                let len = match &array.node.size {
                    ArraySize::Unknown | ArraySize::VariableUnknown => None,
                    ArraySize::VariableExpression(e) | ArraySize::StaticExpression(e) => {
                        let n = eval::constant(&e.node, self.decls)?;
                        Some(
                            usize::try_from(n)
                                .map_err(|_| format!("array size {n} is not a valid size"))?,
                        )
                    }
                };
                (
                    DeclType::Array {
                        of: Box::new(ty),
                        of_const: is_const,
                        len,
                    },
                    is_const,
                )
            }
            DerivedDeclarator::Function(f) => {
                let mut params = Vec::new();
                for p in &f.node.parameters {
                    let base = self.base_type(&p.node.specifiers)?;
                    let param = match &p.node.declarator {
                        Some(d) => self.declarator(&d.node, base)?,
                        None => (None, base.0),
                    };
                    params.push(param);
                }
                // `f(void)` declares no parameters.
                if let [(None, DeclType::Plain(CType::Void))] = params.as_slice() {
                    params.clear();
                }
                if let Some((_, DeclType::Plain(CType::Void))) = params
                    .iter()
                    .find(|p| matches!(p.1, DeclType::Plain(CType::Void)))
                {
                    return Err("a parameter cannot be void".into());
                }
                let variadic = f.node.ellipsis == Ellipsis::Some;
                (
                    DeclType::Function {
                        ret: Box::new(ty),
                        params,
                        variadic,
                    },
                    false,
                )
            }
            // `f()`: no parameters (as C23 reads it).
            DerivedDeclarator::KRFunction(names) if names.is_empty() => (
                DeclType::Function {
                    ret: Box::new(ty),
                    params: Vec::new(),
                    variadic: false,
                },
                false,
            ),
            DerivedDeclarator::KRFunction(_) => {
                return Err("K&R-style parameter lists are not supported".into());
            }
            DerivedDeclarator::Block(_) => return Err("blocks are not supported".into()),
        })
    }

    /// An enum's type, recording its constants.
    fn enum_type(&mut self, e: &EnumType) -> Result<CType, String> {
        let mut next: i128 = 0;
        let (mut lo, mut hi) = (0i128, 0i128);
        for item in &e.enumerators {
            let value = match &item.node.expression {
                Some(expr) => eval::constant(&expr.node, self.decls)?,
                None => next,
            };
            self.decls
                .constants
                .insert(item.node.identifier.node.name.clone(), value);
            (lo, hi) = (lo.min(value), hi.max(value));
            next = value.checked_add(1).ok_or("an enum value overflows")?;
        }
        // GCC's choice: int if every value fits, then unsigned int, then long.
        Ok(if lo >= i32::MIN as i128 && hi <= i32::MAX as i128 {
            CType::Int
        } else if lo >= 0 && hi <= u32::MAX as i128 {
            CType::UInt
        } else if lo >= 0 && hi > i64::MAX as i128 {
            CType::ULong
        } else {
            CType::Long
        })
    }
}

/// The type specifier words of one declaration, counted.
#[derive(Default)]
struct Words {
    signed: Option<bool>,
    longs: u8,
    short: bool,
    char: bool,
    int: bool,
    float: bool,
    double: bool,
    void: bool,
    bool: bool,
    named: Option<DeclType>,
    is_const: bool,
}

impl Words {
    fn add(&mut self, spec: &TypeSpecifier, conv: &mut Converter<'_>) -> Result<(), String> {
        match spec {
            TypeSpecifier::Void => self.void = true,
            TypeSpecifier::Char => self.char = true,
            TypeSpecifier::Short => self.short = true,
            TypeSpecifier::Int => self.int = true,
            TypeSpecifier::Long => self.longs += 1,
            TypeSpecifier::Float => self.float = true,
            TypeSpecifier::Double => self.double = true,
            TypeSpecifier::Signed => self.signed = Some(true),
            TypeSpecifier::Unsigned => self.signed = Some(false),
            TypeSpecifier::Bool => self.bool = true,
            TypeSpecifier::TypedefName(id) => {
                let name = &id.node.name;
                let ty = conv
                    .decls
                    .typedefs
                    .get(name)
                    .ok_or_else(|| format!("unknown type name {name:?}"))?;
                self.named = Some(DeclType::Plain(ty.clone()));
            }
            TypeSpecifier::Enum(e) => self.named = Some(DeclType::Plain(conv.enum_type(&e.node)?)),
            TypeSpecifier::Struct(s) => {
                if s.node.declarations.is_some() {
                    return Err(
                        "struct and union definitions need a layout (not supported here)".into(),
                    );
                }
                self.named = Some(DeclType::Opaque);
            }
            TypeSpecifier::Complex => return Err("_Complex types are not supported".into()),
            TypeSpecifier::Atomic(_) => return Err("_Atomic types are not supported".into()),
            TypeSpecifier::TypeOf(_) => return Err("typeof is not supported".into()),
            TypeSpecifier::TS18661Float(_) => return Err("_FloatN types are not supported".into()),
        }
        Ok(())
    }

    fn finish(&self) -> Result<DeclType, String> {
        if let Some(named) = &self.named {
            return Ok(named.clone());
        }
        let unsigned = self.signed == Some(false);
        let ty = if self.void {
            CType::Void
        } else if self.bool {
            CType::Bool
        } else if self.char {
            match self.signed {
                None => CType::Char,
                Some(true) => CType::Byte,
                Some(false) => CType::UByte,
            }
        } else if self.float {
            CType::Float
        } else if self.double {
            if self.longs > 0 {
                CType::LongDouble
            } else {
                CType::Double
            }
        } else if self.short {
            if unsigned {
                CType::UShort
            } else {
                CType::Short
            }
        } else if self.longs == 1 {
            if unsigned { CType::ULong } else { CType::Long }
        } else if self.longs >= 2 {
            if unsigned {
                CType::ULongLong
            } else {
                CType::LongLong
            }
        } else if self.int || self.signed.is_some() {
            if unsigned { CType::UInt } else { CType::Int }
        } else {
            return Err("a declaration needs a type".into());
        };
        Ok(DeclType::Plain(ty))
    }
}
