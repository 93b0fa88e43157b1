//! Trace keys to dense object numbers, as `trace::source` numbers them for
//! a replay: a canonical decimal id by its value (`trace::ids::IdTable`),
//! any other key by its bytes. So `mrc` and `replay` see the same objects.

use crate::trace::TraceRecord;
use crate::trace::ids::IdTable;
use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Numbers the keys met, from 0 in order of first sight.
pub struct ObjectIds {
    by_number: IdTable,
    by_name: HashMap<Box<[u8]>, u32, FixedState>,
    // Invariant: the count of keys in both tables together.
    len: u32,
}

impl Default for ObjectIds {
    fn default() -> Self {
        ObjectIds::new()
    }
}

impl ObjectIds {
    pub fn new() -> ObjectIds {
        ObjectIds { by_number: IdTable::with_capacity(1 << 12), by_name: HashMap::default(), len: 0 }
    }

    /// Objects numbered so far.
    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes of the tables (the text keys' own bytes not counted).
    pub fn memory_bytes(&self) -> usize {
        self.by_number.memory_bytes() + self.by_name.capacity() * (std::mem::size_of::<(Box<[u8]>, u32)>() + 1)
    }

    /// `record`'s object number, and whether it is new.
    pub fn number(&mut self, record: &TraceRecord<'_>) -> (u32, bool) {
        self.number_of(record.key_number, record.key)
    }

    /// The object number of a key: its number if it is a canonical decimal
    /// (`TraceRecord::key_number`), else its bytes; and whether it is new.
    pub fn number_of(&mut self, key_number: Option<u64>, key: &[u8]) -> (u32, bool) {
        let next = self.len;
        let (number, new) = match key_number {
            Some(n) => self.by_number.get_or_insert(n, || next),
            None => match self.by_name.get(key) {
                Some(&number) => (number, false),
                None => {
                    self.by_name.insert(key.into(), next);
                    (next, true)
                }
            },
        };
        self.len += new as u32;
        (number, new)
    }

    /// Starts loading where the numeric key `n`'s search will begin.
    #[inline]
    pub fn prefetch_number(&self, n: u64) {
        self.by_number.prefetch(n);
    }
}

/// A 64-bit hash of `record`'s key that does not depend on the order keys
/// are met in, for spatial sampling: the same key hashes the same in every
/// run, and the same in a numeric and a text reading of the trace only when
/// the key is the same kind (as `ObjectIds` tells them apart).
pub fn key_hash(record: &TraceRecord<'_>) -> u64 {
    const STATE: FixedState = FixedState::with_seed(0x5348_4152_4453); // "SHARDS"
    let raw = match record.key_number {
        Some(n) => STATE.hash_one(n),
        None => STATE.hash_one(record.key),
    };
    // foldhash is fast, not uniform in every bit: finish with a full
    // avalanche (splitmix64's) so that any bit range is a fair sample.
    mix(raw)
}

/// splitmix64's finaliser: every output bit depends on every input bit.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    fn record(key: &[u8], key_number: Option<u64>) -> TraceRecord<'_> {
        TraceRecord {
            time_us: 0,
            key,
            key_number,
            size_bytes: 1,
            method: Method::Get,
            https: false,
            edge_location: None,
            client_ip: None,
            query: "",
            cookie: "",
            status: None,
            result_type: None,
            detailed_result_type: None,
        }
    }

    #[test]
    fn numbers_and_names_are_numbered_apart_in_order_of_first_sight() {
        let mut ids = ObjectIds::new();
        assert_eq!(ids.number(&record(b"5", Some(5))), (0, true));
        assert_eq!(ids.number(&record(b"05", None)), (1, true));
        assert_eq!(ids.number(&record(b"/a.jpg", None)), (2, true));
        assert_eq!(ids.number(&record(b"5", Some(5))), (0, false));
        assert_eq!(ids.number(&record(b"/a.jpg", None)), (2, false));
        assert_eq!(ids.len(), 3);
        assert_eq!(key_hash(&record(b"5", Some(5))), key_hash(&record(b"5", Some(5))));
        assert_ne!(key_hash(&record(b"5", Some(5))), key_hash(&record(b"6", Some(6))));
    }
}
