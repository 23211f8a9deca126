//! numpy's array flags: how an array's memory is laid out and may be used.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign};
use std::str::FromStr;

use crate::error::{Error, Result};

use crate::types::fmt_list;

/// A set of numpy array flags, with numpy's bit values (`flags.num`).
///
/// ```
/// use rctypes::Flags;
/// let f: Flags = "C_CONTIGUOUS, aligned".parse()?;
/// assert_eq!(f, Flags::C_CONTIGUOUS | Flags::ALIGNED);
/// assert_eq!(Flags::parse("C,A")?, f);
/// assert_eq!(f.to_string(), "['C_CONTIGUOUS', 'ALIGNED']");
/// assert_eq!(f.bits(), 0x101);
/// assert!(Flags::parse("CONTIGUOS").is_err());
/// # Ok::<(), rctypes::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(u32);

/// Each flag's canonical name, in numpy's order, and its aliases.
const NAMES: [(Flags, &str, &[&str]); 6] = [
    (Flags::C_CONTIGUOUS, "C_CONTIGUOUS", &["C", "CONTIGUOUS"]),
    (Flags::F_CONTIGUOUS, "F_CONTIGUOUS", &["F", "FORTRAN"]),
    (Flags::ALIGNED, "ALIGNED", &["A"]),
    (Flags::WRITEABLE, "WRITEABLE", &["W"]),
    (Flags::OWNDATA, "OWNDATA", &["O"]),
    (Flags::WRITEBACKIFCOPY, "WRITEBACKIFCOPY", &["X"]),
];

impl Flags {
    /// No flags.
    pub const EMPTY: Flags = Flags(0);
    /// The elements are in row-major order with no gaps (`C`, `CONTIGUOUS`).
    pub const C_CONTIGUOUS: Flags = Flags(0x0001);
    /// The elements are in column-major order with no gaps (`F`, `FORTRAN`).
    pub const F_CONTIGUOUS: Flags = Flags(0x0002);
    /// The array owns its memory (`O`).
    pub const OWNDATA: Flags = Flags(0x0004);
    /// The data and every stride are multiples of the dtype's alignment (`A`).
    pub const ALIGNED: Flags = Flags(0x0100);
    /// C may write to the memory (`W`): the array was lent mutably.
    pub const WRITEABLE: Flags = Flags(0x0400);
    /// The array is a contiguous copy whose contents go back to a strided
    /// original when it is done (`X`).
    pub const WRITEBACKIFCOPY: Flags = Flags(0x2000);

    const ALL: u32 = 0x0001 | 0x0002 | 0x0004 | 0x0100 | 0x0400 | 0x2000;

    /// numpy's integer value (`flags.num`).
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Flags from numpy's integer value (as `ndpointer(flags=a.flags.num)`);
    /// bits numpy does not define as flags are an error.
    pub fn from_bits(bits: u32) -> Result<Flags> {
        if bits & !Self::ALL != 0 {
            return Err(Error::Array {
                message: format!(
                    "unknown array flag bits {:#x} in {bits:#x}",
                    bits & !Self::ALL
                ),
            });
        }
        Ok(Flags(bits))
    }

    /// Parses a comma-separated list of names or aliases, as numpy does:
    /// case and surrounding spaces do not matter (`"aligned, contiguous"`).
    pub fn parse(names: &str) -> Result<Flags> {
        Flags::from_names(names.split(','))
    }

    /// Flags from a list of names or aliases; an unknown one is an error.
    pub fn from_names<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Result<Flags> {
        let mut flags = Flags::EMPTY;
        for name in names {
            let raw = name.as_ref();
            let upper = raw.trim().to_ascii_uppercase();
            let found = NAMES
                .iter()
                .find(|(_, canon, aliases)| *canon == upper || aliases.contains(&upper.as_str()));
            match found {
                Some((f, _, _)) => flags |= *f,
                None => {
                    let known: Vec<String> = NAMES
                        .iter()
                        .map(|(_, c, a)| format!("{c} ({})", a.join(", ")))
                        .collect();
                    return Err(Error::Array {
                        message: format!(
                            "unknown array flag {raw:?}: expected one of {}",
                            known.join(", ")
                        ),
                    });
                }
            }
        }
        Ok(flags)
    }

    /// Whether every flag of `other` is set here.
    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The flags of `self` that `other` lacks.
    pub fn difference(self, other: Flags) -> Flags {
        Flags(self.0 & !other.0)
    }

    /// The same flags with `other` set or cleared.
    pub fn with(self, other: Flags, on: bool) -> Flags {
        if on {
            Flags(self.0 | other.0)
        } else {
            Flags(self.0 & !other.0)
        }
    }

    /// The canonical names of the flags set, in numpy's order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        NAMES
            .iter()
            .filter(move |(f, _, _)| self.contains(*f))
            .map(|(_, name, _)| *name)
    }
}

impl BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

impl BitOrAssign for Flags {
    fn bitor_assign(&mut self, rhs: Flags) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Flags {
    type Output = Flags;
    fn bitand(self, rhs: Flags) -> Flags {
        Flags(self.0 & rhs.0)
    }
}

impl FromStr for Flags {
    type Err = Error;
    fn from_str(s: &str) -> Result<Flags> {
        Flags::parse(s)
    }
}

/// As numpy lists them in its messages: `['C_CONTIGUOUS', 'ALIGNED']`.
impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fmt_list(self.names().map(|n| format!("'{n}'"))))
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.names().collect();
        write!(f, "Flags({})", names.join(" | "))
    }
}

/// What [`NdPointer`](crate::NdPointer)'s `flags` accepts: a string of names
/// (`"C,ALIGNED"`), a list of names, [`Flags`], or numpy's integer value.
pub trait IntoFlags {
    /// The flags, or why they are not flags.
    fn into_flags(self) -> Result<Flags>;
}

impl IntoFlags for Flags {
    fn into_flags(self) -> Result<Flags> {
        Ok(self)
    }
}

impl IntoFlags for &str {
    fn into_flags(self) -> Result<Flags> {
        Flags::parse(self)
    }
}

impl IntoFlags for u32 {
    fn into_flags(self) -> Result<Flags> {
        Flags::from_bits(self)
    }
}

impl IntoFlags for &[&str] {
    fn into_flags(self) -> Result<Flags> {
        Flags::from_names(self)
    }
}

impl<const N: usize> IntoFlags for [&str; N] {
    fn into_flags(self) -> Result<Flags> {
        Flags::from_names(self)
    }
}
