//! `rctypes call --header`: a function declared by a header, and the
//! header's constants as arguments.

use std::path::Path;

use rctypes::{Constant, FunctionDecl, Header, parse_prototype};

/// Reads `file` (a path, or a name found as `#include <file>` finds it) with
/// the `-D` defines and `-I` folders given.
pub fn read(file: &str, defines: &[String], includes: &[String]) -> Result<Header, String> {
    let mut options = Header::options();
    for d in defines {
        options = match d.split_once('=') {
            Some((name, value)) => options.define_value(name, value),
            None => options.define(d),
        };
    }
    for dir in includes {
        options = options.include_dir(dir);
    }
    let read = if Path::new(file).is_file() {
        options.read(file)
    } else {
        options.read_system(file)
    };
    read.map_err(|e| e.to_string())
}

/// The declaration the call names: a prototype, or with a header, a
/// function's name (or a prototype using the header's types).
pub fn declaration(text: &str, header: Option<&Header>) -> Result<FunctionDecl, String> {
    let Some(header) = header else {
        return parse_prototype(text).map_err(|e| e.to_string());
    };
    if !is_name(text) {
        return header
            .declarations
            .prototype(text)
            .map_err(|e| e.to_string());
    }
    if let Some(decl) = header.declarations.function(text) {
        return Ok(decl.clone());
    }
    // Declared, but not in a form a call can take: say why.
    let skipped = header
        .skipped
        .iter()
        .find(|s| s.name.as_deref() == Some(text));
    Err(match skipped {
        Some(s) => format!(
            "{text}: the header's declaration was skipped: {} ({})",
            s.message, s.at
        ),
        None => format!("{text}: the header declares no function of that name"),
    })
}

/// The words with each name of a header's constant replaced by its value.
pub fn constants(words: &[String], header: Option<&Header>) -> Vec<String> {
    let Some(header) = header else {
        return words.to_vec();
    };
    words
        .iter()
        .map(|w| {
            if !is_name(w) || matches!(w.as_str(), "null" | "true" | "false") {
                return w.clone();
            }
            match (header.define(w), header.constant(w)) {
                (Some(Constant::Str(s)), _) => s.clone(),
                (Some(Constant::Float(f)), _) => f.to_string(),
                (_, Some(i)) => i.to_string(),
                _ => w.clone(),
            }
        })
        .collect()
}

/// Whether `text` is a C identifier.
fn is_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
