//! The build cache: compiled libraries by content, in memory for the process
//! and, when asked, in a folder that outlives it.
//!
//! A key is the SHA-256 of everything that goes into a build: the target, the
//! compiler and every argument, and the name and contents of every source.
//! SHA-256 (the `sha2` crate) rather than std's hasher because a key names a
//! file in the cache folder, so it must be the same in every run and every
//! Rust version. Headers are not known before compiling: a build records the
//! ones the compiler read with their hashes, and a cached library is used only
//! while those headers are unchanged.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use sha2::{Digest as _, Sha256};

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
        hasher.field(b"rctypes cbuild 1");
        hasher
    }

    pub(crate) fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// The key as 64 hex digits.
    pub(crate) fn finish(self) -> String {
        hex(&self.0.finalize().into())
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

/// A header a build read, and the hash of its contents then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dependency {
    pub path: PathBuf,
    pub hash: Hash,
}

impl Dependency {
    /// Reads and hashes `path`; `None` if it cannot be read.
    pub(crate) fn of(path: PathBuf) -> Option<Dependency> {
        let hash = hash(&fs::read(&path).ok()?);
        Some(Dependency { path, hash })
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
    /// Whether every header it was compiled from is still as it was.
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

/// The files a key is stored under in a cache folder: the library, and the
/// list of headers it was built from (`<hash> <path>` per line).
fn stored_paths(folder: &Path, key: &str) -> (PathBuf, PathBuf) {
    (
        folder.join(format!("{key}{}", std::env::consts::DLL_SUFFIX)),
        folder.join(format!("{key}.deps")),
    )
}

/// The library stored under `key` in `folder`, if it is there and its headers
/// are unchanged.
pub(crate) fn load(folder: &Path, key: &str) -> Option<Artifact> {
    let (library, deps) = stored_paths(folder, key);
    let dependencies = parse_dependency_list(&fs::read_to_string(deps).ok()?)?;
    let artifact = Artifact {
        library: fs::read(library).ok()?.into(),
        dependencies: dependencies.into(),
        output: "".into(),
    };
    artifact.is_fresh().then_some(artifact)
}

/// Stores `artifact` under `key` in `folder`. Each file is written aside and
/// renamed into place, so a concurrent reader sees the old file or the new
/// one, never half of one.
pub(crate) fn store(folder: &Path, key: &str, artifact: &Artifact) -> Result<()> {
    let failed = |what: &Path, e: std::io::Error| Error::Build {
        message: format!("cannot write the cache folder {}: {e}", what.display()),
        source: Some(Box::new(e)),
    };
    fs::create_dir_all(folder).map_err(|e| failed(folder, e))?;
    let (library, deps) = stored_paths(folder, key);
    let list: String = artifact
        .dependencies
        .iter()
        .map(|d| format!("{} {}\n", hex(&d.hash), d.path.display()))
        .collect();
    for (path, bytes) in [(&library, &artifact.library[..]), (&deps, list.as_bytes())] {
        let mut file = tempfile::NamedTempFile::new_in(folder).map_err(|e| failed(folder, e))?;
        std::io::Write::write_all(&mut file, bytes).map_err(|e| failed(path, e))?;
        file.persist(path).map_err(|e| failed(path, e.error))?;
    }
    Ok(())
}

fn parse_dependency_list(text: &str) -> Option<Vec<Dependency>> {
    text.lines()
        .map(|line| {
            let (digest, path) = line.split_once(' ')?;
            let mut hash = [0u8; 32];
            if digest.len() != 64 {
                return None;
            }
            for (i, byte) in hash.iter_mut().enumerate() {
                *byte = u8::from_str_radix(digest.get(2 * i..2 * i + 2)?, 16).ok()?;
            }
            Some(Dependency {
                path: path.into(),
                hash,
            })
        })
        .collect()
}

/// The prerequisites listed in a Makefile depfile (`-MMD`), unescaped.
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
    fn dependency_lists_round_trip() {
        let deps = vec![Dependency {
            path: "/inc/a b.h".into(),
            hash: hash(b"#define A 1\n"),
        }];
        let text: String = deps
            .iter()
            .map(|d| format!("{} {}\n", hex(&d.hash), d.path.display()))
            .collect();
        assert_eq!(parse_dependency_list(&text), Some(deps));
        assert_eq!(parse_dependency_list("zz /x.h\n"), None);
    }
}
