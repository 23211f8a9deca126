//! `rctypes layout`: a struct's fields with offsets, sizes, padding and
//! alignment, as the C compiler lays them out.

use std::path::Path;

use rctypes::{CType, Header, StructLayout};

/// Prints the layout of `name` (a struct or union tag, or a typedef of one)
/// declared in `header`.
pub fn show(header: &str, name: &str) -> Result<(), String> {
    let path = Path::new(header);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let parsed = Header::read(path, &[dir]).map_err(|e| e.to_string())?;
    let decls = &parsed.declarations;
    let layout = match decls.layout(name) {
        Some(l) => l.clone(),
        None => match decls.typedef(name) {
            Some(CType::Struct(l)) => l.clone(),
            Some(other) => {
                return Err(format!(
                    "{name} in {header} is {other}, not a struct or union"
                ));
            }
            None => {
                return Err(format!(
                    "no struct, union or typedef named {name:?} in {header}"
                ));
            }
        },
    };
    print!("{}", table(&layout, name));
    Ok(())
}

/// The totals, then one line per field and per gap of padding. `asked` names
/// an anonymous struct by the typedef it was found through.
fn table(layout: &StructLayout, asked: &str) -> String {
    let name = if layout.name().is_empty() {
        asked
    } else {
        layout.name()
    };
    // A field's alignment inside the struct: `#pragma pack` caps it.
    let align = |ty: &CType| layout.pack().map_or(ty.align(), |p| ty.align().min(p));
    let mut out = format!(
        "{} {}: size {}, align {}{}\n",
        if layout.is_union() { "union" } else { "struct" },
        name,
        layout.size(),
        layout.align(),
        layout
            .pack()
            .map(|p| format!(", pack({p})"))
            .unwrap_or_default()
    );
    out += &format!("{:>6}  {:>4}  {:>5}  field\n", "offset", "size", "align");
    let mut end = 0;
    for field in layout.fields() {
        let ty = field.ctype();
        match field.bits() {
            Some(bits) => {
                out += &format!(
                    "{:>6}  {:>4}  {:>5}  {}: {} : {} (bits {}..{})\n",
                    bits.start / 8,
                    "-",
                    align(ty),
                    field.name(),
                    ty,
                    bits.width,
                    bits.start,
                    bits.start + bits.width as usize
                );
                end = end.max((bits.start + bits.width as usize).div_ceil(8));
            }
            None => {
                if !layout.is_union() && field.offset() > end {
                    out += &padding(end, field.offset() - end);
                }
                out += &format!(
                    "{:>6}  {:>4}  {:>5}  {}: {}\n",
                    field.offset(),
                    field.size(),
                    align(ty),
                    field.name(),
                    ty
                );
                end = end.max(field.offset() + field.size());
            }
        }
    }
    if !layout.is_union() && layout.size() > end {
        out += &padding(end, layout.size() - end);
    }
    out
}

fn padding(at: usize, bytes: usize) -> String {
    format!("{at:>6}  {bytes:>4}  {:>5}  (padding)\n", "")
}
