//! `rctypes symbols`: the functions and variables a library exports, read
//! from its dynamic symbol table.

use std::io::Write;
use std::path::{Path, PathBuf};

use object::{Object, ObjectSymbol, SymbolFlags, SymbolKind, SymbolSection};

/// Prints `function NAME`, `ifunc NAME` or `variable NAME`, sorted by name.
pub fn list(lib: &str) -> Result<(), String> {
    let path = locate(lib).ok_or_else(|| format!("cannot find library {lib:?}"))?;
    let data = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file = object::File::parse(&*data)
        .map_err(|e| format!("{} is not a library: {e}", path.display()))?;
    let mut rows: Vec<(&str, String)> = file
        .dynamic_symbols()
        .filter(|s| {
            s.is_global() && !s.is_undefined() && !matches!(s.section(), SymbolSection::Absolute)
        })
        .filter_map(|s| {
            let kind = match (s.kind(), s.flags()) {
                // A GNU indirect function: its implementation is chosen by
                // the loader for the machine (`cos`, `strlen`).
                (SymbolKind::Text, SymbolFlags::Elf { st_info, .. })
                    if st_info.st_type() == object::elf::STT_GNU_IFUNC =>
                {
                    "ifunc"
                }
                (SymbolKind::Text, _) => "function",
                (SymbolKind::Data | SymbolKind::Tls, _) => "variable",
                _ => return None,
            };
            Some((kind, s.name().ok()?.to_owned()))
        })
        .collect();
    rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
    rows.dedup_by(|a, b| a.1 == b.1);
    let mut out = std::io::stdout().lock();
    for (kind, name) in rows {
        writeln!(out, "{kind} {name}").map_err(|e| format!("cannot write: {e}"))?;
    }
    Ok(())
}

/// The file `lib` names: a path, a name in the current folder as
/// `load_library` finds it, or a name in the system's library folders.
fn locate(lib: &str) -> Option<PathBuf> {
    let direct = Path::new(lib);
    if direct.exists() {
        return Some(direct.to_owned());
    }
    let suffix = std::env::consts::DLL_SUFFIX;
    let names = [
        lib.to_owned(),
        format!("{lib}{suffix}"),
        format!("lib{lib}{suffix}"),
    ];
    let mut dirs: Vec<PathBuf> = vec![".".into()];
    if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
        dirs.extend(std::env::split_paths(&paths));
    }
    for d in ["/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib"] {
        dirs.push(d.into());
        dirs.push(Path::new(d).join(format!("{}-linux-gnu", std::env::consts::ARCH)));
    }
    dirs.iter()
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}
