//! Reads the estimates criterion just wrote and prints, per benchmark group,
//! each variant's time as a ratio to the group's floor (`direct`) and to raw
//! libffi (`libffi`). Included by each benchmark binary.

use std::path::{Path, PathBuf};

/// Mean time in nanoseconds of `group/variant`, from criterion's output.
fn mean_ns(root: &Path, group: &str, variant: &str) -> Option<f64> {
    let file = root
        .join(group)
        .join(variant)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(file).ok()?;
    // {"mean":{"confidence_interval":{...},"point_estimate":12.3,...
    let after = &text[text.find("\"mean\"")?..];
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

/// Prints the table for `groups`, each with its `variants` (the first is the floor).
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
        let floor = mean_ns(&root, group, variants[0]);
        let libffi = mean_ns(&root, group, "libffi");
        let cells: Vec<String> = variants
            .iter()
            .map(|v| match mean_ns(&root, group, v) {
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
