//! Build folders: temporary folders removed when dropped, and at process exit
//! if still alive then.
//!
//! A library kept in a static (a test fixture in a `OnceLock`) is never
//! dropped, so without the exit hook every run would leave its folder behind.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, Once};

use tempfile::TempDir;

use crate::error::{Error, Result};

/// The folders alive in this process.
static LIVE: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(Mutex::default);

/// A temporary folder for one build, removed when dropped.
pub(crate) struct BuildFolder(TempDir);

impl BuildFolder {
    pub(crate) fn new() -> Result<BuildFolder> {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            // SAFETY: the hook is a plain function that neither panics nor
            // unwinds; registering it has no other effect.
            unsafe { libc::atexit(remove_live_folders) };
        });
        let dir = tempfile::Builder::new()
            .prefix("rctypes-cbuild-")
            .tempdir()
            .map_err(|e| Error::Build {
                message: format!("cannot create a temporary folder: {e}"),
                source: Some(Box::new(e)),
            })?;
        lock().insert(dir.path().to_path_buf());
        Ok(BuildFolder(dir))
    }

    pub(crate) fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for BuildFolder {
    fn drop(&mut self) {
        // The TempDir field removes the folder after this.
        lock().remove(self.0.path());
    }
}

impl fmt::Debug for BuildFolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BuildFolder").field(&self.path()).finish()
    }
}

fn lock() -> std::sync::MutexGuard<'static, HashSet<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// At exit the libraries are still loaded; their files can go all the same on
/// Unix, where a loaded library stays mapped. Best effort: a folder that
/// cannot be removed (a loaded DLL on Windows) stays.
extern "C" fn remove_live_folders() {
    // try_lock: a thread that held the lock when the process began exiting
    // will never release it.
    if let Ok(live) = LIVE.try_lock() {
        for folder in live.iter() {
            let _ = fs::remove_dir_all(folder);
        }
    }
}
