//! Machine code rctypes makes at run time (feature `codegen`): bytes
//! copied into a fresh mapping, then made executable and read-only, never
//! writable and executable at once. The compiled calls (`func`) and the
//! entries of capturing callbacks (`callback`) are mapped here.

use memmap2::{Mmap, MmapMut};

/// `bytes` mapped executable, or `None` where the system refuses (a
/// hardened kernel, a sandbox): the caller then goes without.
pub(crate) fn map(bytes: &[u8]) -> Option<Mmap> {
    let mut map = MmapMut::map_anon(bytes.len()).ok()?;
    map.copy_from_slice(bytes);
    map.make_exec().ok()
}
