//! GNU attributes and asm labels, as real headers write them: which leave a
//! declaration's types as they are (and are passed over), which change a
//! type or a layout (and are refused), and the symbol an asm label names.

use lang_c::ast::Extension;
use lang_c::span::Node;

/// Attributes that say something about a function or a name (purity,
/// non-null arguments, warnings, visibility) but change neither a type, a
/// layout nor how a call is made.
const HARMLESS: &[&str] = &[
    "access",
    "alias",
    "alloc_align",
    "alloc_size",
    "always_inline",
    "artificial",
    "assume_aligned",
    "cold",
    "const",
    "deprecated",
    "error",
    "externally_visible",
    "fd_arg",
    "fd_arg_read",
    "fd_arg_write",
    "format",
    "format_arg",
    "gnu_inline",
    "hot",
    "leaf",
    "malloc",
    "may_alias",
    "noinline",
    "nonnull",
    "nonstring",
    "noreturn",
    "nothrow",
    "null_terminated_string_arg",
    "pure",
    "returns_nonnull",
    "returns_twice",
    "sentinel",
    "unavailable",
    "unused",
    "used",
    "visibility",
    "warn_unused_result",
    "warning",
    "weak",
];

/// Checks the attributes in `extensions`: an error names the first that
/// would change what the declaration means.
pub(crate) fn check(extensions: &[Node<Extension>]) -> Result<(), String> {
    for ext in extensions {
        if let Extension::Attribute(a) = &ext.node {
            let name = attribute_name(a);
            if !HARMLESS.contains(&name) {
                let hint = match name {
                    "packed" | "aligned" => " (for packing, use #pragma pack)",
                    _ => "",
                };
                return Err(format!(
                    "__attribute__ is not supported for `{name}`, which changes the type \
                     or how it is passed{hint}"
                ));
            }
        }
    }
    Ok(())
}

/// The symbol an `__asm__("name")` label gives the declaration, if any.
pub(crate) fn asm_label(extensions: &[Node<Extension>]) -> Option<String> {
    extensions.iter().find_map(|ext| match &ext.node {
        Extension::AsmLabel(pieces) => Some(
            pieces
                .node
                .iter()
                .map(|p| p.trim_matches('"'))
                .collect::<String>(),
        ),
        _ => None,
    })
}

/// An attribute's name without the `__` GCC allows around it.
fn attribute_name(a: &lang_c::ast::Attribute) -> &str {
    let name = a.name.node.as_str();
    name.strip_prefix("__")
        .and_then(|n| n.strip_suffix("__"))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(name: &str) -> Node<Extension> {
        let span = lang_c::span::Span::none();
        let attr = lang_c::ast::Attribute {
            name: Node::new(name.to_owned(), span),
            arguments: Vec::new(),
        };
        Node::new(Extension::Attribute(attr), span)
    }

    #[test]
    fn function_attributes_pass_and_layout_attributes_do_not() {
        assert!(check(&[attribute("__nothrow__"), attribute("nonnull")]).is_ok());
        let err = check(&[attribute("leaf"), attribute("__aligned__")]).unwrap_err();
        assert!(
            err.contains("`aligned`") && err.contains("#pragma pack"),
            "{err}"
        );
        assert!(check(&[attribute("vector_size")]).is_err());
    }

    #[test]
    fn asm_labels_join_their_pieces() {
        let span = lang_c::span::Span::none();
        let label = Extension::AsmLabel(Node::new(
            vec!["\"\"".to_owned(), "\"__isoc99_scanf\"".to_owned()],
            span,
        ));
        assert_eq!(
            asm_label(&[attribute("nothrow"), Node::new(label, span)]).as_deref(),
            Some("__isoc99_scanf")
        );
    }
}
