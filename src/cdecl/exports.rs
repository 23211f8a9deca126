//! Whether a library itself defines a symbol: the loader's lookup in a
//! library also searches the libraries it depends on, so `printf` is found
//! "in" libz; a header bound against a library binds only its own.

use std::path::Path;

use crate::library::Library;

/// Whether `symbol`, as `library` resolves it, lies in `library`'s own file.
/// Where the loader cannot say (or for the running process, which is every
/// library at once), it counts as the library's.
pub(crate) fn defined_in(library: &Library, symbol: &str) -> bool {
    let Ok(addr) = library.symbol_address(symbol) else {
        return false;
    };
    match file_of(addr) {
        // The kernel's vDSO, where an IFUNC may resolve (`time`), is no file.
        Some(file) if !library.name().starts_with('<') && Path::new(&file).exists() => {
            same_file(library.name(), &file)
        }
        _ => true,
    }
}

/// The file of the loaded object holding `addr`.
#[cfg(unix)]
fn file_of(addr: *mut std::ffi::c_void) -> Option<String> {
    // SAFETY: an all-zero Dl_info is valid: null pointers and zero.
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: dladdr only reads the loader's tables to describe `addr`,
    // writing `info`, whose strings live as long as the object is loaded.
    if unsafe { libc::dladdr(addr, &mut info) } == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dli_fname is a NUL-terminated string of the loader's, checked
    // non-null above, and read at once.
    let name = unsafe { std::ffi::CStr::from_ptr(info.dli_fname) };
    Some(name.to_string_lossy().into_owned())
}

#[cfg(not(unix))]
fn file_of(_addr: *mut std::ffi::c_void) -> Option<String> {
    None
}

/// Whether the library opened as `opened` (a path or a name the loader
/// searched for) is the file `found`.
fn same_file(opened: &str, found: &str) -> bool {
    let (a, b) = (Path::new(opened), Path::new(found));
    if a.file_name() == b.file_name() {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
