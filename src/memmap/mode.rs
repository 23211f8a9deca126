//! numpy.memmap's file modes, by their short names and long aliases.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// How a [`Memmap`](crate::Memmap) opens and maps its file: numpy.memmap's
/// `mode`.
///
/// | mode | alias | file opened | C may write | writes reach the file |
/// | --- | --- | --- | --- | --- |
/// | `r` | `readonly` | for reading | no | — |
/// | `c` | `copyonwrite` | for reading | yes | no: they stay in memory |
/// | `r+` | `readwrite` | for reading and writing | yes | yes |
/// | `w+` | `write` | created or overwritten | yes | yes |
///
/// `r+` is numpy's default. `r+` and `w+` grow a file that is too short for
/// the requested shape; `w+` needs a shape.
///
/// ```
/// use rctypes::Mode;
/// assert_eq!(Mode::parse("r+")?, Mode::ReadWrite);
/// assert_eq!(Mode::parse("copyonwrite")?, Mode::CopyOnWrite);
/// assert_eq!(Mode::Write.to_string(), "w+");
/// assert!(Mode::CopyOnWrite.is_writable() && !Mode::CopyOnWrite.writes_file());
/// let err = Mode::parse("rw").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "memmap mode must be one of ['r', 'c', 'r+', 'w+', 'readonly', 'copyonwrite', \
///      'readwrite', 'write'], given 'rw'"
/// );
/// # Ok::<(), rctypes::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// `r` (`readonly`): the map is read-only; C may only read it.
    ReadOnly,
    /// `c` (`copyonwrite`): C may write, but the writes stay in this
    /// process's memory and never reach the file.
    CopyOnWrite,
    /// `r+` (`readwrite`): an existing file, read and written in place.
    #[default]
    ReadWrite,
    /// `w+` (`write`): the file is created, or emptied if it exists, then
    /// read and written in place.
    Write,
}

/// Each mode's short name and long alias, in numpy's order.
const NAMES: [(Mode, &str, &str); 4] = [
    (Mode::ReadOnly, "r", "readonly"),
    (Mode::CopyOnWrite, "c", "copyonwrite"),
    (Mode::ReadWrite, "r+", "readwrite"),
    (Mode::Write, "w+", "write"),
];

impl Mode {
    /// The mode a short name (`r`, `c`, `r+`, `w+`) or long alias
    /// (`readonly`, `copyonwrite`, `readwrite`, `write`) names, exactly as
    /// numpy spells them; anything else is an error listing them.
    pub fn parse(name: &str) -> Result<Mode> {
        NAMES
            .iter()
            .find(|(_, short, long)| name == *short || name == *long)
            .map(|(mode, _, _)| *mode)
            .ok_or_else(|| {
                let shorts = NAMES.iter().map(|(_, s, _)| format!("'{s}'"));
                let longs = NAMES.iter().map(|(_, _, l)| format!("'{l}'"));
                Error::Array {
                    message: format!(
                        "memmap mode must be one of {}, given '{name}'",
                        crate::types::fmt_list(shorts.chain(longs))
                    ),
                }
            })
    }

    /// numpy's short name: `r`, `c`, `r+` or `w+`.
    pub fn as_str(self) -> &'static str {
        NAMES
            .iter()
            .find(|(mode, _, _)| *mode == self)
            .map_or("r", |(_, short, _)| short)
    }

    /// Whether the mapped memory may be written (and so lent to C where it
    /// writes): every mode but [`ReadOnly`](Mode::ReadOnly).
    pub fn is_writable(self) -> bool {
        self != Mode::ReadOnly
    }

    /// Whether writes to the memory reach the file: `r+` and `w+`.
    pub fn writes_file(self) -> bool {
        matches!(self, Mode::ReadWrite | Mode::Write)
    }
}

impl FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Mode> {
        Mode::parse(s)
    }
}

/// numpy's short name.
impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What [`MemmapOptions::mode`](crate::MemmapOptions::mode) accepts: a
/// [`Mode`], or numpy's name for one (`"r+"`, `"readonly"`).
pub trait IntoMode {
    /// The mode, or why the name is not one.
    fn into_mode(self) -> Result<Mode>;
}

impl IntoMode for Mode {
    fn into_mode(self) -> Result<Mode> {
        Ok(self)
    }
}

impl IntoMode for &str {
    fn into_mode(self) -> Result<Mode> {
        Mode::parse(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_and_alias_round_trips() {
        for (mode, short, long) in NAMES {
            assert_eq!(Mode::parse(short).unwrap(), mode);
            assert_eq!(Mode::parse(long).unwrap(), mode);
            assert_eq!(mode.as_str(), short);
            assert_eq!(mode.to_string().parse::<Mode>().unwrap(), mode);
        }
        assert_eq!(Mode::default(), Mode::ReadWrite);
    }

    #[test]
    fn names_are_exact() {
        for bad in ["", "R", "r +", " r", "w", "rw", "a", "write+", "READONLY"] {
            let e = Mode::parse(bad).unwrap_err().to_string();
            assert!(e.ends_with(&format!("given '{bad}'")), "{e}");
            assert!(e.contains("'copyonwrite'"), "{e}");
        }
    }

    #[test]
    fn writability() {
        let writable: Vec<bool> = NAMES.iter().map(|(m, _, _)| m.is_writable()).collect();
        let to_file: Vec<bool> = NAMES.iter().map(|(m, _, _)| m.writes_file()).collect();
        assert_eq!(writable, [false, true, true, true]);
        assert_eq!(to_file, [false, false, true, true]);
    }
}
