//! From lang-c's syntax tree to C types.

use lang_c::ast::{
    ArraySize, DeclarationSpecifier, Declarator, DeclaratorKind, DerivedDeclarator, Ellipsis,
    EnumType, PointerQualifier, SpecifierQualifier, StructDeclaration, StructKind, StructType,
    TS18661FloatFormat, TS18661FloatType, TypeName, TypeQualifier, TypeSpecifier,
};
use lang_c::span::Node;

use super::Declarations;
use super::nesting::{MAX_TYPE_DEPTH, type_depth, type_too_deep};
use super::{attributes, eval};
use crate::types::CType;
use crate::types::StructLayout;

/// A declared type before it settles into a [`CType`]: C's arrays and
/// functions behave differently as parameters, results and values.
#[derive(Clone, Debug)]
pub(crate) enum DeclType {
    /// A type a [`CType`] already describes (including typedef'd ones).
    Plain(CType),
    /// `T*`; `to_const` says the pointee is const-qualified.
    Pointer { to: Box<DeclType>, to_const: bool },
    /// `T[len]`: a pointer as a parameter, an array as a struct member.
    Array {
        of: Box<DeclType>,
        of_const: bool,
        len: Option<usize>,
        /// The names a parameter's length is made of (`int a[n]`,
        /// `int m[rows * cols]`): the call's arguments give its extent.
        len_names: Vec<String>,
    },
    /// A function type.
    Function {
        ret: Box<DeclType>,
        params: Vec<(Option<String>, DeclType)>,
        variadic: bool,
    },
    /// A struct or union whose members are not declared, with its tag:
    /// usable behind a pointer, as an opaque handle of that name.
    Opaque(Option<String>),
}

type Qualified = (DeclType, bool);

impl DeclType {
    /// How deeply the type nests (see [`type_depth`]); every type made here
    /// is checked, so the walk is bounded.
    fn depth(&self) -> usize {
        match self {
            DeclType::Plain(t) => type_depth(t),
            DeclType::Opaque(_) => 1,
            DeclType::Pointer { to, .. } | DeclType::Array { of: to, .. } => 1 + to.depth(),
            DeclType::Function { ret, params, .. } => {
                1 + params
                    .iter()
                    .map(|(_, p)| p.depth())
                    .fold(ret.depth(), usize::max)
            }
        }
    }

    /// The type as a value (a variable, a struct member, a typedef's target).
    pub(crate) fn to_ctype_value(&self) -> Result<CType, String> {
        match self {
            // A typedef'd array, used where arrays decay.
            DeclType::Plain(CType::Array(t, _)) => Ok(CType::pointer((**t).clone())),
            DeclType::Plain(t) => Ok(t.clone()),
            DeclType::Opaque(_) => Err(
                "a struct or union with no definition can only be used through a pointer".into(),
            ),
            DeclType::Pointer { to, to_const } => pointer_to(to, *to_const),
            // Arrays and functions as values only occur behind typedefs here;
            // where they are used they decay as parameters do.
            DeclType::Array { of, of_const, .. } => pointer_to(of, *of_const),
            DeclType::Function { .. } => function_pointer(self),
        }
    }

    /// The type a typedef names: also an opaque struct, usable behind
    /// pointers, and an array of known length, which decays where arrays do.
    pub(crate) fn to_ctype_typedef(&self) -> Result<CType, String> {
        match self {
            DeclType::Opaque(_) => Ok(CType::Void),
            // (A const element type keeps the old decay, to a const pointer.)
            DeclType::Array {
                len: Some(_),
                of_const: false,
                ..
            } => self.to_ctype_member(),
            other => other.to_ctype_value(),
        }
    }

    /// The type as a struct or union member: arrays keep their length.
    pub(crate) fn to_ctype_member(&self) -> Result<CType, String> {
        match self {
            DeclType::Array {
                of, len: Some(n), ..
            } => Ok(CType::array(of.to_ctype_member()?, *n)),
            DeclType::Plain(t) => Ok(t.clone()),
            DeclType::Array { len: None, .. } => {
                Err("flexible array members are not supported".into())
            }
            DeclType::Function { .. } => Err("a member cannot be a function".into()),
            other => other.to_ctype_value(),
        }
    }

    /// The type as a parameter: arrays and functions decay to pointers.
    pub(crate) fn to_ctype_param(&self) -> Result<CType, String> {
        match self {
            DeclType::Array { of, of_const, .. } => pointer_to(of, *of_const),
            DeclType::Plain(CType::Array(t, _)) => Ok(CType::pointer((**t).clone())),
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
        // A pointer to a struct nobody defines is a handle C hands out.
        (DeclType::Opaque(Some(tag)), _) => CType::handle(tag),
        (DeclType::Plain(CType::Void) | DeclType::Opaque(None), false) => CType::VoidP,
        (DeclType::Plain(CType::Void) | DeclType::Opaque(None), true) => {
            CType::const_pointer(CType::Void)
        }
        (DeclType::Plain(CType::Char), true) => CType::CharP,
        (DeclType::Plain(CType::WChar), true) => CType::WCharP,
        (DeclType::Function { .. }, _) => function_pointer(to)?,
        (other, false) => CType::pointer(other.to_ctype_typedef()?),
        (other, true) => CType::const_pointer(other.to_ctype_typedef()?),
    })
}

/// The parameter names a length expression multiplies: `n`, or `rows *
/// cols`. `None` for anything else.
fn length_names(expr: &lang_c::ast::Expression) -> Option<Vec<String>> {
    use lang_c::ast::{BinaryOperator, Expression};
    match expr {
        Expression::Identifier(id) => Some(vec![id.node.name.clone()]),
        Expression::BinaryOperator(op) if op.node.operator.node == BinaryOperator::Multiply => {
            match (&op.node.lhs.node, &op.node.rhs.node) {
                (Expression::Identifier(a), Expression::Identifier(b)) => {
                    Some(vec![a.node.name.clone(), b.node.name.clone()])
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A pointer to a function: ctypes' `CFUNCTYPE`, which takes a
/// [`Callback`](crate::Callback) of the same signature. A variadic function's
/// pointer has no callback form and stays a plain address.
fn function_pointer(function: &DeclType) -> Result<CType, String> {
    let DeclType::Function {
        ret,
        params,
        variadic,
    } = function
    else {
        return Err("not a function".into());
    };
    if *variadic {
        return Ok(CType::VoidP);
    }
    let args = params
        .iter()
        .map(|(_, p)| p.to_ctype_param())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CType::func_ptr(args, ret.to_ctype_value()?))
}

/// Turns specifiers and declarators into types, with the names the
/// declarations made so far.
pub(crate) struct Converter<'d> {
    pub decls: &'d mut Declarations,
    /// The `#pragma pack` in force, for struct definitions.
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
                DeclarationSpecifier::Extension(e) => attributes::check(e)?,
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
        self.qualified_declarator(d, base)
            .map(|(name, (ty, _))| (name, ty))
    }

    /// [`declarator`](Self::declarator), with whether what is declared is
    /// itself const (`const int x`, `char *const p`; not `const char *p`).
    pub(crate) fn qualified_declarator(
        &mut self,
        d: &Declarator,
        base: Qualified,
    ) -> Result<(Option<String>, Qualified), String> {
        // `x[2][3]` is an array of 2 arrays of 3: within a run of array
        // suffixes the last one applies first.
        let mut order: Vec<&DerivedDeclarator> = d.derived.iter().map(|n| &n.node).collect();
        let mut i = 0;
        while i < order.len() {
            let run = order[i..]
                .iter()
                .take_while(|x| matches!(x, DerivedDeclarator::Array(_)))
                .count()
                .max(1);
            order[i..i + run].reverse();
            i += run;
        }
        // Attributes that change a type or a layout are refused rather than
        // guessed; an asm label is read by the declaration.
        attributes::check(&d.extensions)?;
        let mut ty = base;
        for derived in order {
            ty = self.derive(ty, derived)?;
            if ty.0.depth() > MAX_TYPE_DEPTH {
                return Err(type_too_deep());
            }
        }
        match &d.kind.node {
            DeclaratorKind::Abstract => Ok((None, ty)),
            DeclaratorKind::Identifier(id) => Ok((Some(id.node.name.clone()), ty)),
            DeclaratorKind::Declarator(inner) => self.qualified_declarator(&inner.node, ty),
        }
    }

    fn derive(
        &mut self,
        (ty, is_const): Qualified,
        derived: &DerivedDeclarator,
    ) -> Result<Qualified, String> {
        Ok(match derived {
            DerivedDeclarator::Pointer(quals) => {
                for q in quals {
                    if let PointerQualifier::Extension(e) = &q.node {
                        attributes::check(e)?;
                    }
                }
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
                let (mut len, mut len_names) = (None, Vec::new());
                match &array.node.size {
                    ArraySize::Unknown | ArraySize::VariableUnknown => {}
                    ArraySize::VariableExpression(e) | ArraySize::StaticExpression(e) => {
                        match eval::constant(&e.node, self.decls) {
                            Ok(n) => {
                                len =
                                    Some(usize::try_from(n).map_err(|_| {
                                        format!("array size {n} is not a valid size")
                                    })?)
                            }
                            Err(e_const) => {
                                len_names = length_names(&e.node).ok_or(e_const)?;
                            }
                        }
                    }
                };
                (
                    DeclType::Array {
                        of: Box::new(ty),
                        of_const: is_const,
                        len,
                        len_names,
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

    /// The type a type name (`sizeof(unsigned long)`) names, as a value.
    pub(crate) fn type_name(&mut self, t: &TypeName) -> Result<CType, String> {
        let base = self.member_base_type(&t.specifiers)?;
        let ty = match &t.declarator {
            Some(d) => self.declarator(&d.node, base)?.1,
            None => base.0,
        };
        ty.to_ctype_member()
    }

    /// The type a struct member's specifiers name.
    fn member_base_type(
        &mut self,
        specifiers: &[Node<SpecifierQualifier>],
    ) -> Result<Qualified, String> {
        let mut words = Words::default();
        for spec in specifiers {
            match &spec.node {
                SpecifierQualifier::TypeSpecifier(t) => words.add(&t.node, self)?,
                SpecifierQualifier::TypeQualifier(q) => {
                    words.is_const |= q.node == TypeQualifier::Const
                }
                SpecifierQualifier::Extension(e) => attributes::check(e)?,
            }
        }
        Ok((words.finish()?, words.is_const))
    }

    /// A `struct` or `union` type: laid out by C's rules where it is defined
    /// (with the `#pragma pack` in force), and looked up by its tag where it
    /// is only named.
    fn struct_type(&mut self, s: &StructType) -> Result<DeclType, String> {
        let union = s.kind.node == StructKind::Union;
        let keyword = if union { "union" } else { "struct" };
        let tag = s.identifier.as_ref().map(|i| i.node.name.clone());
        if let Some(t) = tag.as_ref().filter(|t| self.decls.handles.contains(*t)) {
            return Ok(DeclType::Opaque(Some(t.clone())));
        }
        let Some(members) = &s.declarations else {
            return Ok(match tag.as_ref().and_then(|t| self.decls.tags.get(t)) {
                Some(l) if l.is_union() == union => DeclType::Plain(CType::Struct(l.clone())),
                Some(l) => {
                    return Err(format!("`{keyword} {}` names {}", l.name(), l.title()));
                }
                None => DeclType::Opaque(tag),
            });
        };
        let name = tag.clone().unwrap_or_default();
        let mut b = if union {
            StructLayout::union_builder(name)
        } else {
            StructLayout::builder(name)
        };
        for member in members {
            // _Static_assert declares nothing.
            let StructDeclaration::Field(field) = &member.node else {
                continue;
            };
            let base = self.member_base_type(&field.node.specifiers)?;
            if field.node.declarators.is_empty() {
                return Err("anonymous struct and union members are not supported".into());
            }
            for d in &field.node.declarators {
                let (name, ty) = match &d.node.declarator {
                    Some(decl) => self.declarator(&decl.node, base.clone())?,
                    None => (None, base.0.clone()),
                };
                let ty = ty.to_ctype_member()?;
                b = match (&d.node.bit_width, name) {
                    (Some(width), name) => {
                        let w = eval::constant(&width.node, self.decls)?;
                        let w = u32::try_from(w)
                            .map_err(|_| format!("bitfield width {w} is not a valid width"))?;
                        match name {
                            Some(n) => b.bitfield(n, ty, w),
                            None => b.unnamed_bitfield(ty, w),
                        }
                    }
                    (None, Some(n)) => b.field(n, ty),
                    (None, None) => return Err("a struct member needs a name".into()),
                };
            }
        }
        if let Some(p) = self.packing {
            b = b.pack(p as usize);
        }
        let layout = b.build().map_err(|e| e.to_string())?;
        if type_depth(&CType::Struct(layout.clone())) > MAX_TYPE_DEPTH {
            return Err(type_too_deep());
        }
        if let Some(tag) = tag {
            match self.decls.tags.get(&tag) {
                Some(old) if **old != *layout => {
                    return Err(format!("`{keyword} {tag}` is redefined differently"));
                }
                Some(old) => return Ok(DeclType::Plain(CType::Struct(old.clone()))),
                None => {
                    self.decls.tags.insert(tag, layout.clone());
                }
            }
        }
        Ok(DeclType::Plain(CType::Struct(layout)))
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

/// `_FloatN` and `_FloatNx`: the C types of the same format where this
/// target has one.
fn float_n(f: &TS18661FloatType) -> Result<CType, String> {
    use TS18661FloatFormat::*;
    // `long double` is x87's 80-bit format on x86, IEEE binary128 on
    // 64-bit Arm Linux.
    let long_double_is_x87 = cfg!(any(target_arch = "x86_64", target_arch = "x86"));
    let long_double_is_binary128 = cfg!(all(target_arch = "aarch64", target_os = "linux"));
    let (name, ty) = match (&f.format, f.width) {
        (BinaryInterchange, 32) => ("_Float32", Some(CType::Float)),
        (BinaryInterchange, 64) | (BinaryExtended, 32) => ("_Float64", Some(CType::Double)),
        (BinaryInterchange, 128) => (
            "_Float128",
            long_double_is_binary128.then_some(CType::LongDouble),
        ),
        (BinaryExtended, 64) => (
            "_Float64x",
            (long_double_is_x87 || long_double_is_binary128).then_some(CType::LongDouble),
        ),
        _ => ("this _FloatN type", None),
    };
    ty.ok_or_else(|| format!("{name} is not supported: no C type of this target has its format"))
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
                if let Some(reason) = conv.decls.unusable.get(name) {
                    return Err(format!("uses {name:?}, which was skipped: {reason}"));
                }
                if conv.decls.handles.contains(name) {
                    self.named = Some(DeclType::Opaque(Some(name.clone())));
                    return Ok(());
                }
                // A typedef of a struct declared before it is defined is the
                // struct once defined, a handle until then.
                if let Some(tag) = conv.decls.opaque.get(name) {
                    self.named = Some(match conv.decls.tags.get(tag) {
                        Some(l) => DeclType::Plain(CType::Struct(l.clone())),
                        None => DeclType::Opaque(Some(tag.clone())),
                    });
                    return Ok(());
                }
                let ty = conv
                    .decls
                    .typedefs
                    .get(name)
                    .ok_or_else(|| format!("unknown type name {name:?}"))?;
                self.named = Some(DeclType::Plain(ty.clone()));
            }
            TypeSpecifier::Enum(e) => self.named = Some(DeclType::Plain(conv.enum_type(&e.node)?)),
            TypeSpecifier::Struct(s) => self.named = Some(conv.struct_type(&s.node)?),
            TypeSpecifier::Complex => return Err("_Complex types are not supported".into()),
            TypeSpecifier::Atomic(_) => return Err("_Atomic types are not supported".into()),
            TypeSpecifier::TypeOf(_) => return Err("typeof is not supported".into()),
            TypeSpecifier::TS18661Float(f) => self.named = Some(DeclType::Plain(float_n(f)?)),
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
