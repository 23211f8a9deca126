//! Integer constant expressions: array sizes, enum values, bitfield widths.

use lang_c::ast::{BinaryOperator, Constant, Expression, UnaryOperator};

use super::Declarations;
use super::convert::Converter;

/// The value of an integer constant expression, with the enum constants and
/// types the declarations know (for `sizeof`).
pub(crate) fn constant(expr: &Expression, decls: &mut Declarations) -> Result<i128, String> {
    let overflow = || "constant expression overflows".to_string();
    match expr {
        Expression::Constant(c) => match &c.node {
            Constant::Integer(i) => {
                let digits: String = i.number.chars().filter(|c| *c != '\'').collect();
                let radix = match i.base {
                    lang_c::ast::IntegerBase::Decimal => 10,
                    lang_c::ast::IntegerBase::Octal => 8,
                    lang_c::ast::IntegerBase::Hexadecimal => 16,
                    lang_c::ast::IntegerBase::Binary => 2,
                };
                i128::from_str_radix(&digits, radix)
                    .map_err(|_| format!("bad integer constant {:?}", i.number))
            }
            Constant::Character(s) => {
                let inner = s.trim_start_matches(['L', 'u', 'U']).trim_matches('\'');
                let mut chars = inner.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Ok(c as i128),
                    _ => Err(format!("unsupported character constant {s}")),
                }
            }
            Constant::Float(_) => Err("a floating constant is not an integer constant".into()),
        },
        Expression::Identifier(id) => decls
            .constant(&id.node.name)
            .ok_or_else(|| format!("{:?} is not a known constant", id.node.name)),
        Expression::UnaryOperator(u) => {
            let v = constant(&u.node.operand.node, decls)?;
            match u.node.operator.node {
                UnaryOperator::Minus => v.checked_neg().ok_or_else(overflow),
                UnaryOperator::Plus => Ok(v),
                UnaryOperator::Complement => Ok(!v),
                UnaryOperator::Negate => Ok((v == 0) as i128),
                _ => Err("unsupported operator in a constant expression".into()),
            }
        }
        Expression::BinaryOperator(b) => {
            let l = constant(&b.node.lhs.node, decls)?;
            let r = constant(&b.node.rhs.node, decls)?;
            use BinaryOperator::*;
            match b.node.operator.node {
                Plus => l.checked_add(r).ok_or_else(overflow),
                Minus => l.checked_sub(r).ok_or_else(overflow),
                Multiply => l.checked_mul(r).ok_or_else(overflow),
                Divide => l
                    .checked_div(r)
                    .ok_or_else(|| "division by zero in a constant expression".into()),
                Modulo => l
                    .checked_rem(r)
                    .ok_or_else(|| "division by zero in a constant expression".into()),
                ShiftLeft => u32::try_from(r)
                    .ok()
                    .and_then(|r| l.checked_shl(r))
                    .ok_or_else(overflow),
                ShiftRight => u32::try_from(r)
                    .ok()
                    .and_then(|r| l.checked_shr(r))
                    .ok_or_else(overflow),
                BitwiseAnd => Ok(l & r),
                BitwiseOr => Ok(l | r),
                BitwiseXor => Ok(l ^ r),
                Less => Ok((l < r) as i128),
                Greater => Ok((l > r) as i128),
                LessOrEqual => Ok((l <= r) as i128),
                GreaterOrEqual => Ok((l >= r) as i128),
                Equals => Ok((l == r) as i128),
                NotEquals => Ok((l != r) as i128),
                LogicalAnd => Ok((l != 0 && r != 0) as i128),
                LogicalOr => Ok((l != 0 || r != 0) as i128),
                _ => Err("unsupported operator in a constant expression".into()),
            }
        }
        Expression::Conditional(c) => {
            let cond = constant(&c.node.condition.node, decls)?;
            let branch = if cond != 0 {
                &c.node.then_expression
            } else {
                &c.node.else_expression
            };
            constant(&branch.node, decls)
        }
        Expression::Cast(c) => constant(&c.node.expression.node, decls),
        Expression::SizeOfTy(s) => {
            let mut conv = Converter {
                decls,
                packing: None,
            };
            Ok(conv.type_name(&s.node.0.node)?.size() as i128)
        }
        Expression::AlignOf(a) => {
            let mut conv = Converter {
                decls,
                packing: None,
            };
            Ok(conv.type_name(&a.node.0.node)?.align() as i128)
        }
        _ => Err("unsupported constant expression".into()),
    }
}
