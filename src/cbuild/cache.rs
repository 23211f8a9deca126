//! The build cache: compiled libraries by content, in memory for the process
//! and, when asked, in a folder that outlives it.
//!
//! A key is the SHA-256 of everything known before a build that goes into it:
//! the target, the compiler (path, identity, every argument), the environment
//! variables it and `cc` read, and the name and contents of every source.
//! SHA-256 (the `sha2` crate) rather than std's hasher because a key names a
//! file in the cache folder, so it must be the same in every run and every
//! Rust version. What is known only after a build, the headers the compiler
//! read and the files the linker was given, is recorded with their hashes,
//! and a cached library is used only while those files are unchanged.
//!
//! A cache folder holds, per key, the library and a manifest: the library's
//! own SHA-256 and its dependencies. Before a library is taken from it, the
//! folder and both files pass [`trust`](super::trust)'s checks and the
//! library's bytes must hash to the manifest's digest; a library that does
//! not is rebuilt, never loaded.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::SystemTime;

use sha2::{Digest as _, Sha256};

use super::trust;
use crate::error::{Error, Result};

/// A SHA-256 digest.
pub(crate) type Hash = [u8; 32];

/// Feeds a key field by field; each field is length-prefixed so that no two
/// different inputs run together into the same bytes.
pub(crate) struct KeyHasher(Sha256);

impl KeyHasher {
    pub(crate) fn new() -> KeyHasher {
        let mut hasher = KeyHasher(Sha256::new());
        // Changing how libraries are built changes this, and so every key.
        hasher.field(b"rctypes cbuild 2");
        hasher
    }

    pub(crate) fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    pub(crate) fn finish_hash(self) -> Hash {
        self.0.finalize().into()
    }

    /// The key as 64 hex digits.
    pub(crate) fn finish(self) -> String {
        hex(&self.finish_hash())
    }
}

pub(crate) fn hash(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

fn hex(hash: &Hash) -> String {
    hash.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn parse_hex(digits: &str) -> Option<Hash> {
    if digits.len() != 64 {
        return None;
    }
    let mut hash = [0u8; 32];
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(digits.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(hash)
}

/// A file a build read (a header, a library it linked), and the hash of its
/// contents then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dependency {
    pub path: PathBuf,
    pub hash: Hash,
}

impl Dependency {
    /// Reads and hashes `path` after a build that began at `start`. `None` if
    /// it cannot be read, or was modified since `start`: the build may have
    /// read an older version than the one hashed now.
    pub(crate) fn after_build(path: PathBuf, start: SystemTime) -> Option<Dependency> {
        let mut file = File::open(&path).ok()?;
        let modified = file.metadata().and_then(|m| m.modified()).ok()?;
        if modified >= start {
            return None;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).ok()?;
        Some(Dependency {
            hash: hash(&bytes),
            path,
        })
    }

    fn unchanged(&self) -> bool {
        fs::read(&self.path).is_ok_and(|bytes| hash(&bytes) == self.hash)
    }
}

/// A compiled library, as the cache keeps it.
#[derive(Clone)]
pub(crate) struct Artifact {
    pub library: Arc<[u8]>,
    pub dependencies: Arc<[Dependency]>,
    /// What the compiler printed; empty for a library from a cache folder.
    pub output: Arc<str>,
}

impl Artifact {
    /// Whether every file it was built from is still as it was.
    pub(crate) fn is_fresh(&self) -> bool {
        self.dependencies.iter().all(Dependency::unchanged)
    }
}

/// The cache entry for one key (and cache folder). Its lock is held while the
/// library is looked up or compiled, so concurrent builds of one key compile
/// it once and the others wait for the result.
pub(crate) type Slot = Arc<Mutex<Option<Artifact>>>;

pub(crate) fn slot(key: &str, folder: Option<&Path>) -> Slot {
    type Slots = HashMap<(String, Option<PathBuf>), Slot>;
    static SLOTS: LazyLock<Mutex<Slots>> = LazyLock::new(Mutex::default);
    let mut slots = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
    slots
        .entry((key.to_owned(), folder.map(Path::to_path_buf)))
        .or_default()
        .clone()
}

/// The first line of a manifest; another format is not read.
const MANIFEST: &str = "rctypes cbuild manifest 2";

/// A cache folder that has passed [`trust::check_folder`].
pub(crate) struct Folder(PathBuf);

impl Folder {
    /// Creates `path` private to this user if it does not exist, and checks
    /// it: no other user may own it or write to it.
    pub(crate) fn open(path: &Path) -> Result<Folder> {
        if !path.exists() {
            trust::create_private_dir(path).map_err(|e| failed(path, e))?;
        }
        trust::check_folder(path)?;
        Ok(Folder(path.to_path_buf()))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// The files `key` is stored under: the library, its manifest, and the
    /// lock held while it is built.
    fn paths(&self, key: &str) -> [PathBuf; 3] {
        [
            format!("{key}{}", std::env::consts::DLL_SUFFIX),
            format!("{key}.manifest"),
            format!("{key}.lock"),
        ]
        .map(|name| self.0.join(name))
    }

    /// Waits until no other process is building `key` here, and holds it
    /// until the returned file is dropped (on Unix; elsewhere it only waits
    /// for nothing).
    pub(crate) fn lock(&self, key: &str) -> Result<File> {
        let [_, _, lock] = self.paths(key);
        trust::lock_file(&lock)
    }

    /// The library stored under `key`, if it is there, hashes to its
    /// manifest's digest, and the files it was built from are unchanged. A
    /// file another user owns or can write is an error.
    pub(crate) fn load(&self, key: &str) -> Result<Option<Artifact>> {
        let [library, manifest, _] = self.paths(key);
        let Some(text) = read_checked(&manifest)? else {
            return Ok(None);
        };
        let Some((digest, dependencies)) = String::from_utf8(text)
            .ok()
            .and_then(|text| parse_manifest(&text, key))
        else {
            return Ok(None);
        };
        let Some(bytes) = read_checked(&library)? else {
            return Ok(None);
        };
        // A library swapped in, or torn, does not match: it is rebuilt.
        if hash(&bytes) != digest {
            return Ok(None);
        }
        let artifact = Artifact {
            library: bytes.into(),
            dependencies: dependencies.into(),
            output: "".into(),
        };
        Ok(artifact.is_fresh().then_some(artifact))
    }

    /// Stores `artifact` under `key`. Each file is written aside, private to
    /// this user, and renamed into place, so a concurrent reader sees the old
    /// file or the new one, never half of one; the manifest goes last.
    pub(crate) fn store(&self, key: &str, artifact: &Artifact) -> Result<()> {
        let [library, manifest, _] = self.paths(key);
        let text = manifest_text(key, artifact);
        for (path, bytes) in [
            (&library, &artifact.library[..]),
            (&manifest, text.as_bytes()),
        ] {
            let mut file =
                tempfile::NamedTempFile::new_in(&self.0).map_err(|e| failed(&self.0, e))?;
            io::Write::write_all(&mut file, bytes).map_err(|e| failed(path, e))?;
            file.persist(path).map_err(|e| failed(path, e.error))?;
        }
        Ok(())
    }
}

fn failed(what: &Path, e: io::Error) -> Error {
    Error::Build {
        message: format!("cannot write the cache folder {}: {e}", what.display()),
        source: Some(Box::new(e)),
    }
}

/// The contents of a file in a cache folder that passes the trust checks;
/// `None` if there is no such file.
fn read_checked(path: &Path) -> Result<Option<Vec<u8>>> {
    let Some(mut file) = trust::open_file(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| Error::Build {
        message: format!("cannot read the cache file {}: {e}", path.display()),
        source: Some(Box::new(e)),
    })?;
    Ok(Some(bytes))
}

/// The manifest: a header line, the key, the library's SHA-256, then each
/// dependency as `<hash> <path>`.
fn manifest_text(key: &str, artifact: &Artifact) -> String {
    let mut text = format!(
        "{MANIFEST}\nkey {key}\nlibrary {}\n",
        hex(&hash(&artifact.library))
    );
    for d in artifact.dependencies.iter() {
        let _ = writeln!(text, "{} {}", hex(&d.hash), d.path.display());
    }
    text
}

/// The library's digest and its dependencies, from a manifest written for
/// `key`; `None` for anything else.
fn parse_manifest(text: &str, key: &str) -> Option<(Hash, Vec<Dependency>)> {
    let mut lines = text.lines();
    if lines.next()? != MANIFEST || lines.next()?.strip_prefix("key ")? != key {
        return None;
    }
    let digest = parse_hex(lines.next()?.strip_prefix("library ")?)?;
    let dependencies = lines
        .map(|line| {
            let (digest, path) = line.split_once(' ')?;
            Some(Dependency {
                hash: parse_hex(digest)?,
                path: path.into(),
            })
        })
        .collect::<Option<_>>()?;
    Some((digest, dependencies))
}

/// The prerequisites listed in a Makefile depfile (`-MD`), unescaped.
pub(crate) fn parse_depfile(text: &str) -> Vec<PathBuf> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut paths = Vec::new();
    for rule in joined.lines() {
        // The target ends at the first ": " (a Windows drive's colon has no
        // space after it).
        let Some((_, prerequisites)) = rule.split_once(": ") else {
            continue;
        };
        let mut current = String::new();
        let mut chars = prerequisites.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if matches!(chars.peek(), Some(' ' | '#')) => {
                    current.push(chars.next().unwrap_or(' '));
                }
                '$' if chars.peek() == Some(&'$') => {
                    chars.next();
                    current.push('$');
                }
                c if c.is_whitespace() => {
                    if !current.is_empty() {
                        paths.push(PathBuf::from(std::mem::take(&mut current)));
                    }
                }
                c => current.push(c),
            }
        }
        if !current.is_empty() {
            paths.push(PathBuf::from(current));
        }
    }
    paths
}

/// MSVC's `/showIncludes` lines, taken out of its output: the headers read,
/// and the output without them.
pub(crate) fn split_msvc_includes(output: &str) -> (Vec<PathBuf>, String) {
    const NOTE: &str = "Note: including file:";
    let mut includes = Vec::new();
    let mut rest = String::new();
    for line in output.lines() {
        match line.strip_prefix(NOTE) {
            Some(path) => includes.push(PathBuf::from(path.trim())),
            None => {
                rest.push_str(line);
                rest.push('\n');
            }
        }
    }
    (includes, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depfiles_with_continuations_and_escapes() {
        let text = "0-add.o: add.c /inc/my\\ header.h \\\n /inc/cost$$.h\n";
        assert_eq!(
            parse_depfile(text),
            ["add.c", "/inc/my header.h", "/inc/cost$.h"].map(PathBuf::from)
        );
        let windows = "0-add.o: C:\\src\\add.c C:\\inc\\h.h\n";
        assert_eq!(
            parse_depfile(windows),
            ["C:\\src\\add.c", "C:\\inc\\h.h"].map(PathBuf::from)
        );
    }

    #[test]
    fn msvc_include_notes() {
        let out = "add.c\nNote: including file:  C:\\inc\\h.h\nadd.c(2): error C2143: x\n";
        let (includes, rest) = split_msvc_includes(out);
        assert_eq!(includes, [PathBuf::from("C:\\inc\\h.h")]);
        assert_eq!(rest, "add.c\nadd.c(2): error C2143: x\n");
    }

    #[test]
    fn keys_are_stable_and_framed() {
        let key = |fields: &[&[u8]]| {
            let mut h = KeyHasher::new();
            fields.iter().for_each(|f| h.field(f));
            h.finish()
        };
        assert_eq!(key(&[b"ab", b"c"]), key(&[b"ab", b"c"]));
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        assert_eq!(key(&[]).len(), 64);
    }

    #[test]
    fn manifests_round_trip_and_name_their_key() {
        let artifact = Artifact {
            library: Arc::from(&b"\x7fELF library"[..]),
            dependencies: vec![Dependency {
                path: "/inc/a b.h".into(),
                hash: hash(b"#define A 1\n"),
            }]
            .into(),
            output: "".into(),
        };
        let text = manifest_text("k1", &artifact);
        assert_eq!(
            parse_manifest(&text, "k1"),
            Some((hash(&artifact.library), artifact.dependencies.to_vec()))
        );
        assert_eq!(parse_manifest(&text, "k2"), None);
        assert_eq!(
            parse_manifest(&text.replace(" /inc", "zz /inc"), "k1"),
            None
        );
        assert_eq!(parse_manifest("0123 /x.h\n", "k1"), None);
    }
}
