//! Parsing text into [`Declarations`]: strictly for text given directly (any
//! error fails the whole), declaration by declaration for headers, where one
//! declaration the parser or the conversion cannot take is skipped with its
//! reason and the rest goes on.

use lang_c::ast::{
    Declaration, DeclarationSpecifier, DeclaratorKind, DerivedDeclarator, ExternalDeclaration,
    StorageClassSpecifier,
};
use lang_c::driver::{Config, Flavor, parse_preprocessed};

use super::{Declarations, FunctionDecl, Origin, Skipped, VariableDecl};
use super::{attributes, builtin_typedefs, convert, nesting, param_extent, split};
use crate::error::{Error, Result};
use crate::types::CType;

/// What parsing a text found besides the declarations themselves.
#[derive(Default)]
pub(super) struct Parsed {
    /// Declarations skipped, with why (headers only).
    pub skipped: Vec<Skipped>,
    /// Each function declared, with the offset of its declaration.
    pub functions: Vec<(String, usize)>,
}

/// Why a range of text did not parse.
enum Failure {
    /// The parser stopped at this offset, saying this.
    Syntax(usize, String),
    /// An error for the whole text (text given directly).
    Fatal(Error),
}

impl Declarations {
    /// Parses `source` (already preprocessed when it comes from a header).
    /// `origin` maps positions back for error messages. The text is checked
    /// to nest no deeper than the parser's stack allows, and parsed on a
    /// stack of its own.
    pub(super) fn parse_text(&mut self, source: &str, origin: &Origin<'_>) -> Result<Parsed> {
        let source = nesting::prepare(source).map_err(|(at, message)| origin.error(at, message))?;
        nesting::on_parser_stack(|| {
            let mut parsed = Parsed::default();
            match origin {
                Origin::Text(_) => {
                    match self.parse_range(&source, 0, source.len(), origin, &mut parsed) {
                        Ok(()) => {}
                        Err(Failure::Fatal(e)) => return Err(e),
                        Err(Failure::Syntax(at, message)) => return Err(origin.error(at, message)),
                    }
                }
                Origin::Header { .. } => {
                    let ends = split::declaration_ends(&source);
                    self.recover(&source, 0, source.len(), &ends, origin, &mut parsed);
                }
            }
            Ok(parsed)
        })
    }

    /// Parses `source[from..to]` of a header, skipping each declaration the
    /// parser stops in: what comes before it is parsed again alone, and the
    /// parse goes on after it. `ends` are where top-level declarations end.
    fn recover(
        &mut self,
        source: &str,
        from: usize,
        to: usize,
        ends: &[usize],
        origin: &Origin<'_>,
        parsed: &mut Parsed,
    ) {
        let mut pos = from;
        while pos < to {
            let (at, message) = match self.parse_range(source, pos, to, origin, parsed) {
                Ok(()) => return,
                Err(Failure::Syntax(at, message)) => (at, message),
                // Headers never fail whole.
                Err(Failure::Fatal(_)) => return,
            };
            let (start, end) = declaration_around(ends, at, pos, to);
            if start > pos {
                self.recover(source, pos, start, ends, origin, parsed);
            }
            let text = &source[start..end];
            let name = split::declared_name(text);
            if let Some(name) = &name
                && text.trim_start().starts_with("typedef")
            {
                let reason = format!("{message} at {}", origin.describe(at));
                self.unusable.insert(name.clone(), reason);
            }
            parsed.skipped.push(Skipped {
                at: origin.describe(at),
                message,
                is_function: split::declares_function(text),
                name,
            });
            pos = end;
        }
    }

    /// Parses `source[start..end]` alone, with the typedef names known so
    /// far, and adds what it declares.
    fn parse_range(
        &mut self,
        source: &str,
        start: usize,
        end: usize,
        origin: &Origin<'_>,
        parsed: &mut Parsed,
    ) -> std::result::Result<(), Failure> {
        let prelude = self.prelude();
        let text = format!("{prelude}{}", &source[start..end]);
        let config = Config {
            cpp_command: String::new(),
            cpp_options: Vec::new(),
            flavor: Flavor::GnuC11,
        };
        // Offsets in the parsed text, back to offsets in `source`.
        let back = |offset: usize| offset.saturating_sub(prelude.len()) + start;
        let unit = parse_preprocessed(&config, text)
            .map_err(|e| {
                let at = back(e.offset).min(end);
                Failure::Syntax(at, self.syntax_message(source, at, &e.expected))
            })?
            .unit;
        // The prelude's stand-in typedefs are not declarations of the source.
        for item in unit
            .0
            .iter()
            .filter(|item| item.span.start >= prelude.len())
        {
            let ExternalDeclaration::Declaration(decl) = &item.node else {
                // Headers define static inline helpers: not exports, passed over.
                if let Origin::Text(_) = origin {
                    let message = "function bodies are not declarations".to_owned();
                    return Err(Failure::Fatal(origin.error(back(item.span.start), message)));
                }
                continue;
            };
            let offset = back(decl.span.start);
            let packing = origin.packing_at(offset);
            match self.declaration(&decl.node, packing) {
                Ok(functions) => parsed
                    .functions
                    .extend(functions.into_iter().map(|f| (f, offset))),
                Err(message) => match origin {
                    // A header may hold what we cannot express: note it, go on.
                    Origin::Header { .. } => {
                        let names = declarator_names(&decl.node);
                        if is_typedef(&decl.node) {
                            for name in &names {
                                let reason = format!("{message} at {}", origin.describe(offset));
                                self.unusable.insert(name.clone(), reason);
                            }
                        }
                        parsed.skipped.push(Skipped {
                            at: origin.describe(offset),
                            message,
                            name: names.into_iter().next(),
                            is_function: declares_function(&decl.node),
                        })
                    }
                    Origin::Text(_) => return Err(Failure::Fatal(origin.error(offset, message))),
                },
            }
        }
        Ok(())
    }

    /// What the parser's stop at `at` means: a name it does not know as a
    /// type, where it can tell, or the tokens it expected.
    fn syntax_message(
        &self,
        source: &str,
        at: usize,
        expected: &std::collections::HashSet<&'static str>,
    ) -> String {
        let word_at: String = source[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // C11's alignment specifier, which lang-c takes only before a
        // declaration, not on a struct member.
        if word_at == "_Alignas" || word_at == "alignas" {
            return "_Alignas on a struct member is not supported".into();
        }
        // The parser stops at a name it does not know as a type...
        if expected.contains("<typedef_name>")
            && !word_at.is_empty()
            && !split::is_keyword(&word_at)
        {
            return format!("unknown type name {word_at:?}");
        }
        // ...or just after one, taking it for a parameter's name.
        let next = source[at..].chars().next();
        if let Some(word) = split::word_before(source, at) {
            let known = self.typedefs.contains_key(word) || split::is_keyword(word);
            if !known && next.is_some_and(|c| c.is_alphabetic() || c == '_' || c == '*') {
                return format!("unknown type name {word:?}");
            }
        }
        let mut expected: Vec<&str> = expected.iter().copied().collect();
        expected.sort_unstable();
        format!("syntax error, expected one of {}", expected.join(" "))
    }

    /// One `typedef int NAME;` per known typedef name (also those skipped,
    /// so their users parse and are skipped with the reason), so the parser
    /// reads them as type names; all on one line.
    fn prelude(&self) -> String {
        let mut out: String = self
            .typedefs
            .keys()
            .chain(self.unusable.keys())
            .map(|n| format!("typedef int {n}; "))
            .collect();
        out.push('\n');
        out
    }

    /// Adds one declaration; the names of the functions it declares.
    fn declaration(
        &mut self,
        decl: &Declaration,
        packing: Option<u32>,
    ) -> std::result::Result<Vec<String>, String> {
        let mut conv = convert::Converter {
            decls: self,
            packing,
        };
        let is_typedef = is_typedef(decl);
        let base = conv.base_type(&decl.specifiers)?;
        let mut declared = Vec::new();
        for init in &decl.declarators {
            let d = &init.node.declarator.node;
            let label = attributes::asm_label(&d.extensions);
            declared.push((conv.qualified_declarator(d, base.clone())?, label));
        }
        let mut functions = Vec::new();
        for ((name, (ty, is_const)), link_name) in declared {
            let Some(name) = name else { continue };
            if is_typedef {
                // The standard names keep their own descriptors.
                if !builtin_typedefs().contains_key(&name) {
                    self.unusable.remove(&name);
                    match &ty {
                        convert::DeclType::Opaque(Some(tag)) => {
                            self.opaque.insert(name.clone(), tag.clone())
                        }
                        _ => self.opaque.remove(&name),
                    };
                    self.typedefs.insert(name, ty.to_ctype_typedef()?);
                }
            } else if let convert::DeclType::Function {
                ret,
                params,
                variadic,
            } = ty
            {
                let mut args = Vec::with_capacity(params.len());
                let names: Vec<Option<String>> = params.iter().map(|(n, _)| n.clone()).collect();
                for (i, (_, param)) in params.into_iter().enumerate() {
                    let at = |e: String| format!("parameter {}: {e}", i + 1);
                    let ty = param.to_ctype_param().map_err(at)?;
                    args.push(match param_extent(&param, &names).map_err(at)? {
                        Some(extent) => ty.extent(extent),
                        None => ty,
                    });
                }
                let ret = ret.to_ctype_result()?;
                functions.push(name.clone());
                self.functions.insert(
                    name.clone(),
                    FunctionDecl {
                        name,
                        args,
                        arg_names: names,
                        ret,
                        variadic,
                        link_name: link_name.filter(|l| !l.is_empty()),
                    },
                );
            } else {
                let variable = VariableDecl {
                    ty: ty.to_ctype_value()?,
                    is_const,
                    is_array: matches!(ty, convert::DeclType::Array { .. })
                        || matches!(ty, convert::DeclType::Plain(CType::Array(..))),
                };
                self.variables.insert(name, variable);
            }
        }
        Ok(functions)
    }
}

/// The top-level declaration holding offset `at`, within `from..to`: from
/// the end of the one before to its own end (`ends` are sorted).
fn declaration_around(ends: &[usize], at: usize, from: usize, to: usize) -> (usize, usize) {
    let at = at.min(to.saturating_sub(1));
    let after = ends.partition_point(|&e| e <= at);
    let end = ends.get(after).copied().unwrap_or(to).min(to);
    let start = ends[..after].last().copied().unwrap_or(from).max(from);
    (start, end.max(start + 1).min(to))
}

fn is_typedef(decl: &Declaration) -> bool {
    decl.specifiers.iter().any(|s| {
        matches!(&s.node, DeclarationSpecifier::StorageClass(c) if c.node == StorageClassSpecifier::Typedef)
    })
}

/// The names a declaration declares, whatever their types.
fn declarator_names(decl: &Declaration) -> Vec<String> {
    fn name(d: &lang_c::ast::Declarator) -> Option<String> {
        match &d.kind.node {
            DeclaratorKind::Identifier(id) => Some(id.node.name.clone()),
            DeclaratorKind::Declarator(inner) => name(&inner.node),
            DeclaratorKind::Abstract => None,
        }
    }
    decl.declarators
        .iter()
        .filter_map(|i| name(&i.node.declarator.node))
        .collect()
}

/// Whether a (non-typedef) declaration declares a function: the last
/// derivation applied, from the innermost declarator out, is a parameter
/// list (`int *f(void)`, not `int (*f)(void)`).
fn declares_function(decl: &Declaration) -> bool {
    fn outermost(d: &lang_c::ast::Declarator) -> Option<&DerivedDeclarator> {
        let inner = match &d.kind.node {
            DeclaratorKind::Declarator(inner) => outermost(&inner.node),
            _ => None,
        };
        inner.or_else(|| d.derived.last().map(|n| &n.node))
    }
    !is_typedef(decl)
        && decl.declarators.iter().any(|i| {
            matches!(
                outermost(&i.node.declarator.node),
                Some(DerivedDeclarator::Function(_) | DerivedDeclarator::KRFunction(_))
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declaration_is_found_around_an_offset() {
        // Declarations end at 10, 20 and 30.
        let ends = [10, 20, 30];
        assert_eq!(declaration_around(&ends, 12, 0, 30), (10, 20));
        assert_eq!(declaration_around(&ends, 10, 0, 30), (10, 20));
        assert_eq!(declaration_around(&ends, 3, 0, 30), (0, 10));
        // At the end of the range: its last declaration.
        assert_eq!(declaration_around(&ends, 30, 0, 30), (20, 30));
        assert_eq!(declaration_around(&ends, 25, 0, 22), (20, 22));
        assert_eq!(declaration_around(&ends, 5, 4, 30), (4, 10));
    }
}
