//! What a cache keeps under a key: a version of the object, or an error
//! response kept in its place (CloudFront caches some errors, reference §6.6).
//!
//! A slot holds either in one 32-bit word, so that a slot stays 32 bytes:
//! object versions take the words below `Version::LIMIT`, and an error takes
//! `Version::LIMIT | status`. Only this file knows the encoding; everyone
//! else sees the `Stored` enum.

use std::fmt;
use std::num::NonZeroU32;

/// A version of an object, as its origin numbers them (a 304 keeps it).
/// At most `Version::MAX`; stored as the number plus one, so that an
/// `Option<Version>` (a validator, or "no expired copy") is four bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version(NonZeroU32);

impl Version {
    /// Versions are numbered below this: the words from here up name cached
    /// errors. A catalog whose versions count past it wraps them around
    /// (`Version::wrapping`).
    pub const LIMIT: u32 = 0xFFFF_0000;
    pub const MAX: u32 = Version::LIMIT - 1;
    pub const FIRST: Version = Version::new(0);

    /// Version `number`; panics past `Version::MAX`.
    pub const fn new(number: u32) -> Version {
        assert!(number <= Version::MAX, "an object version is at most Version::MAX");
        match NonZeroU32::new(number + 1) {
            Some(raw) => Version(raw),
            None => unreachable!(),
        }
    }

    /// The version `count` changes after the first, wrapped below `LIMIT`.
    pub fn wrapping(count: u64) -> Version {
        Version::new((count % Version::LIMIT as u64) as u32)
    }

    pub const fn number(self) -> u32 {
        self.0.get() - 1
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.number())
    }
}

/// What an entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// A copy of the object at this version.
    Object(Version),
    /// An error response with this status, kept for the error-caching TTL.
    Error { status: u16 },
}

impl Stored {
    /// The one-word form a slot keeps.
    pub(crate) fn to_word(self) -> u32 {
        match self {
            Stored::Object(version) => version.number(),
            Stored::Error { status } => Version::LIMIT | status as u32,
        }
    }

    /// The inverse of `to_word`.
    pub(crate) fn from_word(word: u32) -> Stored {
        if word < Version::LIMIT { Stored::Object(Version::new(word)) } else { Stored::Error { status: word as u16 } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_version_costs_no_space() {
        assert_eq!(std::mem::size_of::<Option<Version>>(), 4);
    }

    #[test]
    fn every_stored_answer_survives_its_word() {
        let cases = [
            Stored::Object(Version::FIRST),
            Stored::Object(Version::new(7)),
            Stored::Object(Version::new(Version::MAX)),
            Stored::Error { status: 404 },
            Stored::Error { status: 504 },
        ];
        for stored in cases {
            assert_eq!(Stored::from_word(stored.to_word()), stored);
        }
        // The words of versions and errors do not overlap.
        assert_eq!(Stored::Object(Version::new(Version::MAX)).to_word(), 0xFFFE_FFFF);
        assert_eq!(Stored::Error { status: 503 }.to_word(), 0xFFFF_01F7);
    }

    #[test]
    fn versions_wrap_below_the_limit() {
        assert_eq!(Version::wrapping(5), Version::new(5));
        assert_eq!(Version::wrapping(Version::LIMIT as u64), Version::FIRST);
        assert_eq!(Version::wrapping(Version::LIMIT as u64 + 3).number(), 3);
    }

    #[test]
    #[should_panic(expected = "at most Version::MAX")]
    fn a_version_past_the_max_is_a_bug() {
        Version::new(Version::LIMIT);
    }
}
