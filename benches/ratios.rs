//! Reads the estimates criterion just wrote and prints them as a table: per
//! row, each layer's time per call and its ratio to the floor (the direct
//! call through a function pointer) and to raw libffi.

// Each benchmark that includes this module uses one of its tables.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The layers, in column order, and each one's variant name in a group.
/// `rctypes invoke` is the short form a user writes (`f.invoke((a, b))?`,
/// the Rust type out); `rctypes dynamic, in place` is `f.call(&[..])` with
/// its `Result<Value>` looked at where the call left it.
pub const COLUMNS: [(&str, &str); 5] = [
    ("direct", "direct"),
    ("raw libffi", "libffi"),
    ("rctypes typed", "typed"),
    ("rctypes invoke", "invoke"),
    ("rctypes dynamic, in place", "dynamic"),
];

/// One row: a criterion group and, per column, the variant measured there
/// (`None`: not measured for this row).
pub struct Row {
    pub label: &'static str,
    pub group: &'static str,
    pub variants: [Option<&'static str>; 5],
    /// Calls one iteration makes (a callback benchmark makes many).
    pub calls: f64,
}

impl Row {
    /// A row with every column measured under its usual variant name.
    pub const fn new(label: &'static str, group: &'static str) -> Row {
        Row {
            label,
            group,
            variants: [
                Some(COLUMNS[0].1),
                Some(COLUMNS[1].1),
                Some(COLUMNS[2].1),
                Some(COLUMNS[3].1),
                Some(COLUMNS[4].1),
            ],
            calls: 1.0,
        }
    }

    /// The time per call of column `i`, in nanoseconds.
    pub fn ns(&self, i: usize) -> Option<f64> {
        median_ns(&criterion_dir(), self.group, self.variants[i]?).map(|ns| ns / self.calls)
    }
}

/// Median time in nanoseconds of `group/variant`, from criterion's output
/// (the median, as the machine may be shared: it resists the odd slow
/// sample).
fn median_ns(root: &Path, group: &str, variant: &str) -> Option<f64> {
    let file = root
        .join(group)
        .join(variant)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(file).ok()?;
    // {"mean":{...},"median":{"confidence_interval":{...},"point_estimate":12.3,...
    let after = &text[text.find("\"median\"")?..];
    let after = &after[after.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = after.find([',', '}'])?;
    after[..end].trim().parse().ok()
}

fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// A time, with three significant digits or so.
fn time(ns: f64) -> String {
    match ns {
        ns if ns >= 1e6 => format!("{:.1} ms", ns / 1e6),
        ns if ns >= 1e3 => format!("{:.2} µs", ns / 1e3),
        ns if ns >= 100.0 => format!("{ns:.0} ns"),
        ns => format!("{ns:.1} ns"),
    }
}

/// Prints the table: times per call, each with its ratio to the direct call
/// and, for rctypes, to raw libffi.
pub fn print_table(rows: &[Row]) {
    println!();
    println!("| call | {} |", COLUMNS.map(|(title, _)| title).join(" | "));
    println!("|---|{}", "---|".repeat(COLUMNS.len()));
    for row in rows {
        let ns: Vec<Option<f64>> = (0..COLUMNS.len()).map(|i| row.ns(i)).collect();
        let ratio = |x: f64, base: Option<f64>| base.map(|b| format!("{:.2}x", x / b));
        let cells: Vec<String> = ns
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let Some(t) = *t else {
                    return "-".into();
                };
                let ratios: Vec<String> = match i {
                    0 => vec![],
                    1 => ratio(t, ns[0]).into_iter().collect(),
                    _ => [
                        ratio(t, ns[0]),
                        ratio(t, ns[1]).map(|r| format!("{r} libffi")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                };
                if ratios.is_empty() {
                    time(t)
                } else {
                    format!("{} ({})", time(t), ratios.join(", "))
                }
            })
            .collect();
        println!("| {} | {} |", row.label, cells.join(" | "));
    }
}

/// Prints, per benchmark group, each variant's time and its ratio to the
/// group's first variant (the floor) and to `libffi`.
pub fn print_ratio_table(groups: &[&str], variants: &[&str]) {
    let root = criterion_dir();
    println!();
    println!(
        "| benchmark | {} |",
        variants
            .iter()
            .map(|v| format!("{v} ns (x floor, x libffi)"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|{}", "---|".repeat(variants.len()));
    for group in groups {
        let floor = median_ns(&root, group, variants[0]);
        let libffi = median_ns(&root, group, "libffi");
        let cells: Vec<String> = variants
            .iter()
            .map(|v| match median_ns(&root, group, v) {
                None => "-".into(),
                Some(ns) => {
                    let x =
                        |base: Option<f64>| base.map_or("-".into(), |b| format!("{:.2}", ns / b));
                    format!("{ns:.1} ({}, {})", x(floor), x(libffi))
                }
            })
            .collect();
        println!("| {group} | {} |", cells.join(" | "));
    }
}
