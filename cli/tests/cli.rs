//! The `rctypes` command line, run as a real process.

use std::process::Output;

use rctypes_csrc::DIR as CSRC_DIR;

fn rctypes(args: &[&str]) -> Output {
    rctypes_csrc::target_command(env!("CARGO_BIN_EXE_rctypes"))
        .args(args)
        .current_dir(CSRC_DIR)
        .output()
        .expect("run rctypes")
}

fn ok(args: &[&str]) -> String {
    let out = rctypes(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = rctypes(args);
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn calls_print_results() {
    assert_eq!(ok(&["call", "libm.so.6", "double cos(double)", "0"]), "1\n");
    assert_eq!(
        ok(&["call", "./libfibonacci.so", "int fib(int)", "8"]),
        "13\n"
    );
    assert_eq!(ok(&["call", "fibonacci", "int fib(int)", "23"]), "17711\n");
    assert_eq!(
        ok(&["call", "-", "size_t strlen(const char *s)", "hello"]),
        "5\n"
    );
    assert_eq!(ok(&["call", "-", "long labs(long)", "-0x10"]), "16\n");
    assert_eq!(
        ok(&["call", "abi", "const char *greeting(void)"]),
        "hello from C\n"
    );
    assert_eq!(ok(&["call", "abi", "void noop(void)"]), "");
    assert_eq!(
        ok(&[
            "call",
            "abi",
            "long double ld_mul(long double, long double)",
            "18446744073709551615",
            "4"
        ]),
        "73786976294838206460\n"
    );
}

#[test]
fn null_where_c_dereferences_is_an_error() {
    let err = fails(&["call", "-", "size_t strlen(const char *s)", "null"]);
    assert_eq!(
        err,
        "rctypes: strlen: argument 1: expected c_char_p, given null, where C dereferences \
         (declare the parameter .nullable() if C takes NULL)\n"
    );
}

#[test]
fn arrays_and_out_parameters() {
    // fibseries declared as `proto`, given the array `a`, n = 5 and out.
    let series =
        |proto: &'static str, a: &'static str| ["call", "fibonacci", proto, a, "5", "[0;5]"];
    let with_n = "void fibseries(const int a[n], int n, int out[n])";
    let out = ok(&series(with_n, "[1,2,3,4,5]"));
    assert_eq!(out, "out = [0, 1, 1, 2, 3]\n");
    // A plain pointer is one element: the extent is part of the declaration.
    let plain = "void fibseries(const int *a, int n, int *out)";
    let err = fails(&series(plain, "[1,2,3,4,5]"));
    assert!(err.contains("where C touches one element"), "{err}");
    let err = fails(&series(with_n, "[1,2,3]"));
    assert!(err.contains("argument 1"), "{err}");
    let out = ok(&[
        "call",
        "mean",
        "float compute_mean(const float A[n], int n)",
        "[1, 2, 3, 6]",
        "4",
    ]);
    assert_eq!(out, "3\n");
    let out = ok(&[
        "call",
        "abi",
        "void out_params(int a, int *doubled, double *half)",
        "21",
        "[0]",
        "[0]",
    ]);
    assert_eq!(out, "doubled = [42]\nhalf = [10.5]\n");
    let out = ok(&[
        "call",
        "-",
        "int snprintf(char buf[n], size_t n, const char *fmt, ...)",
        "buf:16",
        "16",
        "%d-%s",
        "7",
        "x",
    ]);
    assert_eq!(out, "3\nbuf = \"7-x\"\n");
}

#[test]
fn bad_input_is_one_line_and_a_failure() {
    let err = fails(&["call", "nosuchlib", "int f(int)", "1"]);
    assert!(
        err.starts_with("rctypes: no library \"nosuchlib\""),
        "{err}"
    );
    let err = fails(&["call", "abi", "int nothere(int)", "1"]);
    assert!(err.contains("no symbol \"nothere\""), "{err}");
    let err = fails(&["call", "abi", "int id_int(int", "1"]);
    assert!(
        err.starts_with("rctypes: line 1, column 15: syntax error"),
        "{err}"
    );
    let err = fails(&["call", "abi", "int id_int(int)", "99999999999"]);
    assert_eq!(
        err,
        "rctypes: id_int: argument 1: expected c_int (from -2147483648 to 2147483647), given int 99999999999, which does not fit\n"
    );
    let err = fails(&["call", "abi", "int id_int(int)", "seven"]);
    assert_eq!(
        err,
        "rctypes: id_int: argument 1: expected an integer, given \"seven\"\n"
    );
    let err = fails(&["call", "abi", "int add_int(int, int)", "1"]);
    assert_eq!(err, "rctypes: add_int: expected 2 argument(s), given 1\n");
    let err = fails(&[
        "call",
        "mean",
        "float compute_mean(const float A[n], int n)",
        "[1,x]",
        "2",
    ]);
    assert!(
        err.contains("argument 1: expected a number, given \"x\""),
        "{err}"
    );
    let err = fails(&["symbols", "nosuchlib"]);
    assert_eq!(err, "rctypes: cannot find library \"nosuchlib\"\n");
}

#[test]
fn symbols_lists_functions_and_variables() {
    let out = ok(&["symbols", "./libfibonacci.so"]);
    assert_eq!(
        out,
        "function fib\nfunction fibmatrix\nfunction fibseries\n"
    );
    let out = ok(&["symbols", "abi"]);
    assert!(out.contains("function add_int\n"));
    assert!(out.contains("variable counter\n"));
    assert!(out.contains("variable ratio\n"));
}

fn header(name: &str) -> String {
    format!("{}/{name}", rctypes_csrc::SOURCES)
}

#[test]
fn layout_prints_offsets_sizes_padding_and_alignment() {
    let out = ok(&["layout", &header("sample.h"), "Padded_t"]);
    assert_eq!(
        out,
        "struct Padded_t: size 16, align 8\n\
         offset  size  align  field\n\
         \x20    0     1      1  c: c_char\n\
         \x20    1     7         (padding)\n\
         \x20    8     8      8  d: c_double\n"
    );
    // A typedef of an anonymous struct, under #pragma pack(1).
    let out = ok(&["layout", &header("structs.h"), "PackedCD"]);
    assert!(
        out.starts_with("struct PackedCD: size 9, align 1, pack(1)\n"),
        "{out}"
    );
    assert!(out.contains("     1     8      1  d: c_double\n"), "{out}");
    // Bitfields show their bits; the padding before the next field shows too.
    let out = ok(&["layout", &header("structs.h"), "Flags"]);
    assert!(out.contains("mode: c_uint : 3 (bits 1..4)"), "{out}");
    assert!(out.contains("     1     3         (padding)\n"), "{out}");
    let err = fails(&["layout", &header("sample.h"), "Nope"]);
    assert!(
        err.starts_with("rctypes: no struct, union or typedef named \"Nope\""),
        "{err}"
    );
    let err = fails(&["layout", &header("nothing.h"), "Weather"]);
    assert!(err.contains("the preprocessor failed"), "{err}");
}

#[test]
fn help_shows_examples() {
    for sub in ["call", "symbols", "layout"] {
        let out = ok(&[sub, "--help"]);
        assert!(out.contains("Examples:"), "{sub}: {out}");
    }
    let out = rctypes(&[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "usage errors exit 2, as clap does"
    );
}

#[test]
fn the_command_line_refuses_deep_prototypes() {
    let prototype = format!("int fib(int {}n)", "*".repeat(10_000));
    let out = rctypes(&["call", "fibonacci", &prototype, "8"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("declaration nested deeper than 256 levels"),
        "{err:.200}"
    );
}

#[test]
fn symbols_lists_indirect_functions_and_says_which_is_which() {
    let out = ok(&["symbols", "libm.so.6"]);
    // GNU indirect functions, whose implementation the loader picks per
    // CPU: cos and sin on x86-64; plain functions on AArch64.
    for f in ["cos", "sin", "cosf"] {
        let (plain, indirect) = (format!("\nfunction {f}\n"), format!("\nifunc {f}\n"));
        assert!(
            out.contains(&plain) || out.contains(&indirect),
            "{f}: {out:.300}"
        );
    }
    if cfg!(target_arch = "x86_64") {
        assert!(out.contains("\nifunc cos\n"), "{out:.300}");
    }
    // strlen is one on both.
    let libc = ok(&["symbols", "libc.so.6"]);
    assert!(libc.contains("\nifunc strlen\n"), "{libc:.300}");
    assert!(out.contains("\nvariable signgam\n"));
    for line in out.lines() {
        let kind = line.split_once(' ').map(|(k, _)| k);
        assert!(
            matches!(kind, Some("function" | "ifunc" | "variable")),
            "{line}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_listing_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    // The reader is gone before the first line is written.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = rctypes_csrc::target_command(env!("CARGO_BIN_EXE_rctypes"))
        .args(["symbols", "libc.so.6"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    // Ended by SIGPIPE, as `head`'s writers are: nothing said, no panic.
    assert_eq!(
        out.status.signal(),
        Some(libc_sigpipe()),
        "{:?}",
        out.status
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// SIGPIPE's number, the same on every Unix this runs on.
#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13
}

/// zlib.h's own `#define ZLIB_VERSION "..."`, or `None` where zlib's
/// headers are not installed (CI installs them).
fn zlib_version() -> Option<String> {
    let Ok(text) = std::fs::read_to_string("/usr/include/zlib.h") else {
        let required = std::env::var("RCTYPES_SYSTEM_HEADERS").as_deref() == Ok("required");
        assert!(!required, "zlib.h is not installed");
        eprintln!("NOT TESTED: zlib.h is not installed (apt-get install zlib1g-dev)");
        return None;
    };
    let line = text
        .lines()
        .find(|l| l.starts_with("#define ZLIB_VERSION"))?;
    Some(line.split('"').nth(1)?.to_owned())
}

#[test]
fn calls_take_a_headers_declarations_and_constants_by_name() {
    if let Some(version) = zlib_version() {
        let out = ok(&["call", "libz.so.1", "--header", "zlib.h", "zlibVersion"]);
        assert_eq!(out, format!("{version}\n"));
        let out = ok(&[
            "call",
            "libz.so.1",
            "--header",
            "zlib.h",
            "zError",
            "Z_BUF_ERROR",
        ]);
        assert_eq!(out, "buffer error\n");
        // A prototype may use the header's types.
        let out = ok(&[
            "call",
            "libz.so.1",
            "--header",
            "zlib.h",
            "uLong compressBound(uLong sourceLen)",
            "1000",
        ]);
        assert!(out.trim().parse::<u64>().unwrap() >= 1000, "{out}");
    }
    // -D and -I as the compiler takes them; constants of the header.
    let headers_h = header("headers.h");
    let out = ok(&[
        "call",
        "headers",
        "--header",
        &headers_h,
        "-D",
        "HEADERS_EXTRA=4",
        "-I",
        rctypes_csrc::SOURCES,
        "headers_sum",
        "HEADERS_EXTRA_TWICE",
        "HEADERS_LIMIT",
    ]);
    assert_eq!(out, "72\n");
    // The asm label's symbol is the one called.
    let out = ok(&[
        "call",
        "headers",
        "--header",
        &headers_h,
        "headers_renamed",
        "MODE_BOTH",
    ]);
    assert_eq!(out, "9\n");
    let err = fails(&[
        "call",
        "headers",
        "--header",
        &headers_h,
        "headers_mystery",
        "1",
    ]);
    assert!(
        err.contains(
            "headers_mystery: the header's declaration was skipped: unknown type name \"mystery_t\""
        ),
        "{err}"
    );
    let err = fails(&["call", "headers", "--header", &headers_h, "nowhere"]);
    assert_eq!(
        err,
        "rctypes: nowhere: the header declares no function of that name\n"
    );
}

#[test]
fn null_is_refused_where_the_header_does_not_allow_it() {
    let err = fails(&["call", "-", "--header", "string.h", "strlen", "null"]);
    assert!(
        err.starts_with("rctypes: strlen: argument 1: expected c_char_p, given null"),
        "{err}"
    );
    let out = ok(&["call", "-", "--header", "string.h", "strlen", "hello"]);
    assert_eq!(out, "5\n");
}

/// A folder in `dir` holding `rctypes` and `cc` as the README's lines mean
/// them: this build's `rctypes` (started through cargo's runner where the
/// target is emulated) and the target's C compiler (`RCTYPES_TARGET_CC`).
#[cfg(unix)]
fn target_tools(dir: &std::path::Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let runner = std::env::var(rctypes_csrc::RUNNER_VARIABLE).unwrap_or_default();
    let rctypes = format!("{runner} {}", env!("CARGO_BIN_EXE_rctypes"));
    let mut tools = vec![("rctypes", rctypes)];
    // Without a target compiler named, `cc` is the system's, left as it is.
    if let Ok(cc) = std::env::var("RCTYPES_TARGET_CC") {
        tools.push(("cc", cc));
    }
    for (name, command) in tools {
        let script = bin.join(name);
        std::fs::write(
            &script,
            format!("#!/bin/sh\nexec {} \"$@\"\n", command.trim()),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

/// The README's command-line examples, run as written: each `rctypes` line
/// with the output its comment gives (the first line printed), in a folder
/// holding `csrc/` where the README's own `cc` line builds the library.
#[cfg(unix)]
#[test]
fn the_readme_examples_run_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme.split("## The command line").nth(1).unwrap();
    let block = section
        .split("```sh")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("rctypes-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("csrc");
    if !link.exists() {
        std::os::unix::fs::symlink(root.join("csrc"), &link).unwrap();
    }
    let bin_dir = target_tools(&dir);
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut lines = block.lines().filter(|l| !l.trim().is_empty()).peekable();
    let mut ran = 0;
    while let Some(line) = lines.next() {
        let (command, mut expected) = match line.split_once("  # ") {
            Some((c, e)) => (c.trim(), Some(e.trim())),
            None => (line.trim(), None),
        };
        // An expected output too long for the line sits on the next.
        if let Some(next) = lines.peek().filter(|n| n.trim_start().starts_with("# ")) {
            expected = Some(next.trim_start()[2..].trim());
            lines.next();
        }
        if command.starts_with("rctypes call libz") && zlib_version().is_none() {
            continue;
        }
        let out = std::process::Command::new("sh")
            .args(["-c", command])
            .current_dir(&dir)
            .env("PATH", &path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(expected) = expected {
            assert_eq!(stdout.lines().next(), Some(expected), "{command}");
        }
        ran += 1;
    }
    assert!(ran >= 8, "the README's examples: {ran}");
    std::fs::remove_dir_all(&dir).unwrap();
}
