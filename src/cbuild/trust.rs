//! Who may have written a cache folder and the files in it. A library read
//! from the cache is code that runs in this process, so nothing is read from
//! a folder or file that another user owns or can write.
//!
//! On Unix the owner and mode bits are checked, on the open file itself so
//! that what is checked is what is read. Elsewhere they cannot be, and
//! [`CHECKED`] says so.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use crate::error::{Error, Result};

/// What the checks below verify, for the note a cached library carries.
#[cfg(unix)]
pub(crate) const CHECKED: &str = "the cache folder and the files read from it are owned by this \
     user and not writable by group or others";
#[cfg(not(unix))]
pub(crate) const CHECKED: &str =
    "owner and permissions of the cache folder and its files not verified (only on Unix)";

/// Creates `dir` and its missing parents, private to this user (mode 0700,
/// as `tempfile` makes its folders).
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    imp::create_dir(dir)
}

/// Checks that `dir` is a folder no other user owns or can write.
pub(crate) fn check_folder(dir: &Path) -> Result<()> {
    let refused = |why: String| Error::Build {
        message: format!(
            "refusing the cache folder {}: {why}; expected a folder owned by this user that only \
             it can write (chmod go-w), or choose another folder",
            dir.display()
        ),
        source: None,
    };
    let meta = std::fs::metadata(dir).map_err(|e| refused(format!("cannot read it: {e}")))?;
    if !meta.is_dir() {
        return Err(refused("it is not a folder".into()));
    }
    imp::fault(&meta).map_or(Ok(()), |why| Err(refused(why)))
}

/// Opens a file in a checked cache folder for reading: `None` if there is
/// none, an error if it is not a regular file that only this user can write.
/// A symbolic link is refused rather than followed.
pub(crate) fn open_file(path: &Path) -> Result<Option<File>> {
    let mut options = OpenOptions::new();
    options.read(true);
    imp::no_follow(&mut options);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(refused_file(path, format!("cannot open it: {e}"))),
    };
    check_file(&file, path)?;
    Ok(Some(file))
}

/// Opens (creating it, private) the lock file at `path` and waits until this
/// process holds it, so that one process at a time builds a key.
pub(crate) fn lock_file(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    imp::no_follow(&mut options);
    let file = options
        .open(path)
        .map_err(|e| refused_file(path, format!("cannot open it: {e}")))?;
    check_file(&file, path)?;
    imp::lock(&file).map_err(|e| refused_file(path, format!("cannot lock it: {e}")))?;
    Ok(file)
}

fn check_file(file: &File, path: &Path) -> Result<()> {
    let meta = file
        .metadata()
        .map_err(|e| refused_file(path, format!("cannot read its metadata: {e}")))?;
    if !meta.is_file() {
        return Err(refused_file(path, "it is not a regular file".into()));
    }
    imp::fault(&meta).map_or(Ok(()), |why| Err(refused_file(path, why)))
}

fn refused_file(path: &Path, why: String) -> Error {
    Error::Build {
        message: format!(
            "refusing the cache file {}: {why}; expected a file owned by this user that only it \
             can write: remove it and build again",
            path.display()
        ),
        source: None,
    }
}

/// What is wrong with a file or folder whose owner is `owner` and whose mode
/// is `mode`, for a process running as the user `user`; `None` if nothing.
#[cfg_attr(not(unix), allow(dead_code))]
fn judge(owner: u32, mode: u32, user: u32) -> Option<String> {
    if owner != user {
        return Some(format!(
            "it is owned by uid {owner}, not by this user (uid {user})"
        ));
    }
    let writers = match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (true, true) => "group and others",
        (true, false) => "its group",
        (false, true) => "others",
        (false, false) => return None,
    };
    Some(format!(
        "it is writable by {writers} (mode {:04o})",
        mode & 0o7777
    ))
}

#[cfg(unix)]
mod imp {
    use std::fs::{DirBuilder, File, Metadata, OpenOptions};
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
    use std::path::Path;

    pub(super) fn create_dir(dir: &Path) -> io::Result<()> {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }

    pub(super) fn no_follow(options: &mut OpenOptions) {
        options.custom_flags(libc::O_NOFOLLOW).mode(0o600);
    }

    pub(super) fn fault(meta: &Metadata) -> Option<String> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let user = unsafe { libc::geteuid() };
        super::judge(meta.uid(), meta.mode(), user)
    }

    pub(super) fn lock(file: &File) -> io::Result<()> {
        loop {
            // SAFETY: the descriptor is open for as long as `file` lives; the
            // lock goes with it when it is closed.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                return Ok(());
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::{File, Metadata, OpenOptions};
    use std::io;
    use std::path::Path;

    pub(super) fn create_dir(dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }

    pub(super) fn no_follow(_: &mut OpenOptions) {}

    // Owners and ACLs are not inspected here: CHECKED says so.
    pub(super) fn fault(_: &Metadata) -> Option<String> {
        None
    }

    // No lock between processes: two may build one key at once, and each
    // stores its library by an atomic rename.
    pub(super) fn lock(_: &File) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::judge;

    #[test]
    fn only_the_users_own_unshared_files_pass() {
        assert_eq!(judge(1000, 0o40700, 1000), None);
        assert_eq!(judge(1000, 0o100644, 1000), None);
        assert_eq!(
            judge(0, 0o40700, 1000).as_deref(),
            Some("it is owned by uid 0, not by this user (uid 1000)")
        );
        assert_eq!(
            judge(1000, 0o41777, 1000).as_deref(),
            Some("it is writable by group and others (mode 1777)")
        );
        assert_eq!(
            judge(1000, 0o100664, 1000).as_deref(),
            Some("it is writable by its group (mode 0664)")
        );
        assert_eq!(
            judge(1000, 0o100646, 1000).as_deref(),
            Some("it is writable by others (mode 0646)")
        );
    }
}
