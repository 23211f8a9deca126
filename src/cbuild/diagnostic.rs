//! The compiler's and linker's messages, parsed into [`Diagnostic`]s.

use crate::error::{Diagnostic, Severity};

/// Every message found in `output`, in order. Lines that are not messages
/// (source excerpts, carets, "In function" context) are skipped.
pub(crate) fn parse(output: &str) -> Vec<Diagnostic> {
    output.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Diagnostic> {
    let line = line.trim_end();
    gnu(line).or_else(|| msvc(line)).or_else(|| linker(line))
}

/// gcc and clang: `file:line:col: severity: message`, where the column or
/// the line may be missing (`cc1: fatal error: ...`).
fn gnu(line: &str) -> Option<Diagnostic> {
    const MARKERS: [(&str, Severity); 5] = [
        (": fatal error: ", Severity::Error),
        (": error: ", Severity::Error),
        (": warning: ", Severity::Warning),
        (": note: ", Severity::Note),
        (": remark: ", Severity::Note),
    ];
    let (at, marker, severity) = MARKERS
        .iter()
        .filter_map(|&(m, s)| line.find(m).map(|at| (at, m, s)))
        .min_by_key(|&(at, _, _)| at)?;
    let (file, line_no, column) = split_location(&line[..at]);
    if file.is_empty() {
        return None;
    }
    Some(Diagnostic {
        file: file.to_owned(),
        line: line_no,
        column,
        severity,
        message: line[at + marker.len()..].to_owned(),
    })
}

/// `file:line:col`, `file:line` or `file`; a Windows drive letter's colon is
/// left alone because only trailing numbers are taken.
fn split_location(location: &str) -> (&str, Option<u32>, Option<u32>) {
    let trailing_number = |s: &str| -> Option<(usize, u32)> {
        let (head, tail) = s.rsplit_once(':')?;
        tail.parse().ok().map(|n| (head.len(), n))
    };
    match trailing_number(location) {
        None => (location, None, None),
        Some((end, last)) => match trailing_number(&location[..end]) {
            Some((end2, first)) => (&location[..end2], Some(first), Some(last)),
            None => (&location[..end], Some(last), None),
        },
    }
}

/// MSVC: `file(line): error C2143: message`, `file(line,col): warning C4101:
/// message`, `LINK : fatal error LNK1181: message`.
fn msvc(line: &str) -> Option<Diagnostic> {
    const MARKERS: [(&str, Severity); 4] = [
        (": fatal error ", Severity::Error),
        (": error ", Severity::Error),
        (": warning ", Severity::Warning),
        (": note ", Severity::Note),
    ];
    let (at, marker, severity) = MARKERS
        .iter()
        .filter_map(|&(m, s)| line.find(m).map(|at| (at, m, s)))
        .min_by_key(|&(at, _, _)| at)?;
    let message = &line[at + marker.len()..];
    // The code (C2143, LNK1181) comes first: letters then digits then ':'.
    let code = message.split(':').next()?;
    let letters = code.trim_end_matches(|c: char| c.is_ascii_digit());
    if letters.is_empty()
        || letters.len() == code.len()
        || !letters.chars().all(|c| c.is_ascii_uppercase())
    {
        return None;
    }
    let location = line[..at].trim_end();
    let (file, line_no, column) = match location.strip_suffix(')').and_then(|l| l.rsplit_once('('))
    {
        Some((file, numbers)) => {
            let mut parts = numbers.split(',').map(|n| n.trim().parse::<u32>().ok());
            let line_no = parts.next().flatten();
            let column = parts.next().flatten();
            if line_no.is_some() {
                (file, line_no, column)
            } else {
                (location, None, None)
            }
        }
        None => (location, None, None),
    };
    Some(Diagnostic {
        file: file.to_owned(),
        line: line_no,
        column,
        severity,
        message: message.to_owned(),
    })
}

/// GNU ld and lld: `/usr/bin/ld: cannot find -lfoo`, `add.c:(.text+0x5):
/// undefined reference to 'f'`, macOS `ld: symbol(s) not found`. Context
/// lines (`ld: add.o: in function 'f':`) end with a colon and are skipped.
fn linker(line: &str) -> Option<Diagnostic> {
    if line.ends_with(':') {
        return None;
    }
    if let Some(at) = line.find(": undefined reference to ") {
        let location = &line[..at];
        let file = location.split(":(").next().unwrap_or(location);
        return Some(Diagnostic {
            file: file.to_owned(),
            line: None,
            column: None,
            severity: Severity::Error,
            message: line[at + 2..].to_owned(),
        });
    }
    let (tool, message) = line.split_once(": ")?;
    let name = tool.rsplit(['/', '\\']).next().unwrap_or(tool);
    let is_linker = matches!(
        name,
        "ld" | "ld.bfd" | "ld.gold" | "ld.lld" | "lld" | "ld64.lld" | "ld.exe"
    );
    is_linker.then(|| Diagnostic {
        file: tool.to_owned(),
        line: None,
        column: None,
        severity: Severity::Error,
        message: message.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Diagnostic {
        parse_line(line).unwrap_or_else(|| panic!("no diagnostic in {line:?}"))
    }

    #[test]
    fn gcc_and_clang_messages() {
        let d = one("add.c:1:18: error: expected ';' before '}' token");
        assert_eq!(d.file, "add.c");
        assert_eq!((d.line, d.column), (Some(1), Some(18)));
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.message, "expected ';' before '}' token");
        assert_eq!(
            d.to_string(),
            "add.c:1:18: error: expected ';' before '}' token"
        );

        let d = one("/src/x.c:7: warning: unused variable 'b' [-Wunused-variable]");
        assert_eq!(
            (d.file.as_str(), d.line, d.column),
            ("/src/x.c", Some(7), None)
        );
        assert_eq!(d.severity, Severity::Warning);

        let d = one("cc1: fatal error: nothere.c: No such file or directory");
        assert_eq!((d.file.as_str(), d.line), ("cc1", None));
        assert_eq!(d.message, "nothere.c: No such file or directory");

        let d = one(r"C:\src\add.c:3:4: note: declared here");
        assert_eq!(d.file, r"C:\src\add.c");
        assert_eq!(
            (d.line, d.column, d.severity),
            (Some(3), Some(4), Severity::Note)
        );
    }

    #[test]
    fn context_lines_are_not_messages() {
        let output = "add.c: In function 'f':\n    1 | int f(){ return 1 }\n      |                  ^\n1 error generated.\n";
        assert!(parse(output).is_empty());
        assert!(parse_line("/usr/bin/ld: 0-add.o: in function `f':").is_none());
    }

    #[test]
    fn msvc_messages() {
        let d = one(r"C:\t\add.c(3): error C2143: syntax error: missing ';' before '}'");
        assert_eq!(d.file, r"C:\t\add.c");
        assert_eq!((d.line, d.column), (Some(3), None));
        assert_eq!(d.message, "C2143: syntax error: missing ';' before '}'");

        let d = one("add.c(2,9): warning C4101: 'b': unreferenced local variable");
        assert_eq!(
            (d.line, d.column, d.severity),
            (Some(2), Some(9), Severity::Warning)
        );

        let d = one("LINK : fatal error LNK1181: cannot open input file 'nothere.lib'");
        assert_eq!(
            (d.file.as_str(), d.line, d.severity),
            ("LINK", None, Severity::Error)
        );
    }

    #[test]
    fn linker_messages() {
        let d = one("/usr/bin/ld: cannot find -lnothere: No such file or directory");
        assert_eq!(d.file, "/usr/bin/ld");
        assert_eq!(
            d.message,
            "cannot find -lnothere: No such file or directory"
        );
        let d = one("u.c:(.text+0x5): undefined reference to `f'");
        assert_eq!((d.file.as_str(), d.severity), ("u.c", Severity::Error));
        assert_eq!(d.message, "undefined reference to `f'");
        let d = one("collect2: error: ld returned 1 exit status");
        assert_eq!(d.file, "collect2");
    }
}
