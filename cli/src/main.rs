//! `rctypes`: call C functions and inspect shared libraries from the shell.

mod args;
mod header;
mod layout;
mod symbols;

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rctypes::{CType, Library, Value, load_library};

#[derive(Parser)]
#[command(
    name = "rctypes",
    version,
    about = "Call C functions in shared libraries, with every argument checked"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Call a function and print its result, then any out-parameters.
    #[command(after_help = CALL_EXAMPLES)]
    Call {
        /// A library path, a name found as `load_library` finds it (in the
        /// current folder, with the platform's suffix and `lib` prefix) or by
        /// the system loader (`libm.so.6`), or `-` for the running process (libc).
        lib: String,
        /// The function's C prototype, e.g. 'double cos(double)'; with
        /// --header, its name alone (or a prototype using the header's types).
        prototype: String,
        /// One value per parameter: numbers, strings for `const char*`,
        /// `[1,2,3]` or `[0;8]` arrays for `T*`, `buf:N` for a `char*` C
        /// writes into, `null` for a pointer declared to take NULL; with
        /// --header, also the header's constants by name (`Z_BUF_ERROR`).
        #[arg(allow_hyphen_values = true)]
        args: Vec<String>,
        /// A C header declaring the function: a path, or a name found as
        /// `#include <NAME>` finds it (`zlib.h`).
        #[arg(long, value_name = "FILE")]
        header: Option<String>,
        /// Defines a macro while reading the header: `-D NAME` or
        /// `-D NAME=VALUE`.
        #[arg(short = 'D', value_name = "NAME[=VALUE]")]
        define: Vec<String>,
        /// Searches DIR for the headers the header includes.
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<String>,
    },
    /// Print a struct's fields with their offsets, sizes, padding and
    /// alignment, as the C compiler lays them out.
    #[command(after_help = LAYOUT_EXAMPLES)]
    Layout {
        /// A C header, read through the C preprocessor (its folder is on the
        /// include path).
        header: String,
        /// A struct or union tag, or a typedef of one.
        name: String,
    },
    /// List the functions and variables a library exports.
    #[command(after_help = SYMBOLS_EXAMPLES)]
    Symbols {
        /// A library path or name, found as for `call`.
        lib: String,
    },
}

const CALL_EXAMPLES: &str = "Examples:
  rctypes call libm.so.6 'double cos(double)' 0                  prints 1
  rctypes call ./libfibonacci.so 'int fib(int)' 8                prints 13
  rctypes call - 'size_t strlen(const char *s)' hello            prints 5
  rctypes call fibonacci \\
      'void fibseries(const int a[n], int n, int out[n])' '[1,2,3,4]' 4 '[0;4]'
                                                  prints out = [0, 1, 1, 2]
  rctypes call libz.so.1 --header zlib.h zlibVersion             prints zlib's version
  rctypes call libz.so.1 --header zlib.h zError Z_BUF_ERROR      prints buffer error
Non-const pointer parameters are out-parameters: their contents are printed
after the result, one `name = value` line each.";

const LAYOUT_EXAMPLES: &str = "Examples:
  rctypes layout csrc/sample.h Weather
  rctypes layout csrc/sample.h Padded_t";

const SYMBOLS_EXAMPLES: &str = "Examples:
  rctypes symbols ./libfibonacci.so
  rctypes symbols libm.so.6
Each line is `function NAME`, `variable NAME`, or `ifunc NAME` for a GNU
indirect function: a function whose implementation the loader picks for the
machine (`cos`, `strlen`), called like any other.";

fn main() -> ExitCode {
    die_of_sigpipe();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Call {
            lib,
            prototype,
            args,
            header,
            define,
            include,
        } => match header {
            Some(file) => header::read(&file, &define, &include)
                .and_then(|h| call(&lib, &prototype, &args, Some(&h))),
            None => call(&lib, &prototype, &args, None),
        },
        Command::Symbols { lib } => symbols::list(&lib),
        Command::Layout { header, name } => layout::show(&header, &name),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rctypes: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Restores SIGPIPE's default action, which Rust programs ignore: when the
/// reader of the output goes away (`rctypes symbols libc.so.6 | head`), the
/// command ends quietly, as command-line tools do, instead of failing to
/// print.
fn die_of_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's action to the default at the start of
    // main, before any thread is started, affects nothing else.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Opens `lib` as the `LIB` argument describes.
fn open(lib: &str) -> Result<Library, String> {
    if lib == "-" {
        return Library::this().map_err(|e| e.to_string());
    }
    // SAFETY: loading the library the user named is what they asked for;
    // its initialisers run as they would in any program that links it.
    unsafe {
        if Path::new(lib).exists() {
            return Library::open(lib).map_err(|e| e.to_string());
        }
        match load_library(lib, ".") {
            Ok(l) => Ok(l),
            Err(local) => Library::open(lib).map_err(|e| format!("{local}; and {e}")),
        }
    }
}

/// The type a command-line value takes through `...`, as C's default
/// promotions give it: `int` (or `long long` when larger), `double`, `char*`.
fn variadic_type(value: &Value<'_>) -> CType {
    match value {
        Value::Int(i) if i32::try_from(*i).is_ok() => CType::Int,
        Value::Int(_) => CType::LongLong,
        Value::Float(_) => CType::Double,
        Value::Str(_) | Value::CStr(_) => CType::CharP,
        _ => CType::VoidP,
    }
}

fn call(
    lib: &str,
    prototype: &str,
    raw_args: &[String],
    header: Option<&rctypes::Header>,
) -> Result<(), String> {
    let decl = header::declaration(prototype, header)?;
    let library = open(lib)?;
    // SAFETY: the user states the prototype on the command line, or names
    // the header that declares it; that is the promise `declare` asks for.
    let func = unsafe { decl.bind(&library) }.map_err(|e| e.to_string())?;
    let raw_args = header::constants(raw_args, header);
    let mut holders = args::parse_all(&decl, &raw_args)?;
    let values: Vec<Value<'_>> = holders.iter_mut().map(args::Holder::value).collect();
    let result = if decl.variadic {
        let extra: Vec<CType> = values[decl.args.len()..]
            .iter()
            .map(variadic_type)
            .collect();
        // SAFETY: the user states the prototype and what follows its `...`
        // on the command line, as they state the rest of the declaration.
        unsafe { func.call_variadic(&values, &extra) }
    } else {
        func.call(&values)
    }
    .map_err(|e| e.to_string())?;
    drop(values);
    if result != Value::Void {
        println!("{}", args::show(&result));
    }
    for (i, holder) in holders.iter().enumerate() {
        if let Some(shown) = holder.written() {
            let name = decl
                .arg_names
                .get(i)
                .cloned()
                .flatten()
                .unwrap_or_else(|| format!("arg{}", i + 1));
            println!("{name} = {shown}");
        }
    }
    Ok(())
}
