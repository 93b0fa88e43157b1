//! Ghost lists: keys (and the sizes they had) of objects a policy evicted
//! recently, remembered without their entries. S3-FIFO's G, 2Q's A1out and
//! ARC's B1 and B2 are ghost lists; libCacheSim bounds every one of them by
//! bytes (the sizes of the objects they remember), not by count.
//!
//! A `Ghosts` holds up to two lists in one slab with one index, so a key is
//! in at most one of them and a lookup finds it in either. Like the store,
//! it allocates nothing once its slab has grown to its peak.
//!
//! A zero-byte object is charged one byte here (libCacheSim's trace readers
//! drop zero-size requests by default, so it never charges one): otherwise
//! a byte budget would not bound how many keys a list can hold.

use super::api::CacheKey;
use super::index::{Index, fingerprint};
use super::slab::{List, Slab};

/// Which of the (up to) two lists.
pub(crate) type GhostList = usize;

#[derive(Clone, Copy, Debug)]
struct Ghost {
    key: CacheKey,
    /// The bytes charged to the list: the object's size, at least 1.
    charged_bytes: u64,
    list: u8,
}

pub(crate) struct Ghosts {
    entries: Slab<Ghost>,
    // Invariant: `lists[i]` holds exactly the entries whose `list` is `i`,
    // oldest first, and `bytes[i]` is the sum of their `charged_bytes`.
    lists: [List; 2],
    bytes: [u64; 2],
    // Invariant: maps each remembered key to its entry, and nothing else.
    index: Index,
}

impl Ghosts {
    pub(crate) fn with_capacity(n_keys: usize) -> Ghosts {
        Ghosts {
            entries: Slab::with_capacity(n_keys),
            lists: [List::new(), List::new()],
            bytes: [0, 0],
            index: Index::with_capacity(n_keys),
        }
    }

    /// The bytes a list of this many object bytes is charged.
    pub(crate) fn charge(size_bytes: u64) -> u64 {
        size_bytes.max(1)
    }

    /// Forgets `key`, returning the list it was in and the bytes charged.
    pub(crate) fn take(&mut self, key: CacheKey) -> Option<(GhostList, u64)> {
        let fp = fingerprint(key);
        let idx = self.index.find(fp, |idx| self.entries.get(idx).key == key)?;
        self.index.remove(fp, idx);
        let ghost = *self.entries.get(idx);
        let list = ghost.list as usize;
        self.entries.unlink(&mut self.lists[list], idx);
        self.entries.free(idx);
        self.bytes[list] -= ghost.charged_bytes;
        Some((list, ghost.charged_bytes))
    }

    /// Remembers `key` (not remembered yet) as the newest of `list`.
    pub(crate) fn push(&mut self, list: GhostList, key: CacheKey, size_bytes: u64) {
        let fp = fingerprint(key);
        debug_assert!(
            self.index.find(fp, |idx| self.entries.get(idx).key == key).is_none(),
            "key {key} remembered twice"
        );
        let charged_bytes = Self::charge(size_bytes);
        let idx = self.entries.alloc(Ghost { key, charged_bytes, list: list as u8 });
        self.entries.push_back(&mut self.lists[list], idx);
        self.index.insert(fp, idx);
        self.bytes[list] += charged_bytes;
    }

    /// Remembers `key` in `list` as a FIFO of at most `capacity_bytes`:
    /// skipped if it alone is larger, else the oldest go until it fits.
    /// This is a libCacheSim FIFO cache's `get` of a key it lacks, as
    /// S3-FIFO and 2Q use for their ghosts.
    pub(crate) fn push_bounded(&mut self, list: GhostList, key: CacheKey, size_bytes: u64, capacity_bytes: u64) {
        let charged_bytes = Self::charge(size_bytes);
        if charged_bytes > capacity_bytes {
            return;
        }
        while self.bytes[list] + charged_bytes > capacity_bytes {
            self.forget_oldest(list);
        }
        self.push(list, key, size_bytes);
    }

    /// Forgets the oldest key of `list`, which must not be empty.
    pub(crate) fn forget_oldest(&mut self, list: GhostList) {
        let oldest = self.lists[list].head();
        self.entries.unlink(&mut self.lists[list], oldest);
        let ghost = self.entries.free(oldest);
        self.index.remove(fingerprint(ghost.key), oldest);
        self.bytes[list] -= ghost.charged_bytes;
    }

    pub(crate) fn bytes(&self, list: GhostList) -> u64 {
        self.bytes[list]
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.entries.memory_bytes() + self.index.memory_bytes()
    }

    /// Every invariant, by walking both lists: for tests.
    #[cfg(test)]
    pub(crate) fn check(&self) {
        let mut n_keys = 0;
        for list in 0..2 {
            let mut charged = 0;
            for idx in self.entries.check_list(&self.lists[list]) {
                let ghost = *self.entries.get(idx);
                assert_eq!(ghost.list as usize, list, "ghost {} is marked for the other list", ghost.key);
                assert_eq!(
                    self.index.find(fingerprint(ghost.key), |found| found == idx),
                    Some(idx),
                    "ghost key {} unindexed",
                    ghost.key
                );
                charged += ghost.charged_bytes;
                n_keys += 1;
            }
            assert_eq!(charged, self.bytes[list], "a ghost list's byte count is not the sum of its entries");
        }
        assert_eq!(n_keys, self.index.len(), "the ghost lists and index differ in length");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO ghost of 10 bytes: keys of 4, 4 and 3 bytes. The third does
    /// not fit beside the first two, so the oldest, 1, is forgotten; one of
    /// 11 bytes is never remembered; a zero-byte key is charged one byte.
    #[test]
    fn bounded_fifo_forgets_the_oldest() {
        let mut ghosts = Ghosts::with_capacity(4);
        ghosts.push_bounded(0, 1, 4, 10);
        ghosts.push_bounded(0, 2, 4, 10); // [1 2], 8 bytes
        ghosts.push_bounded(0, 3, 3, 10); // 8 + 3 > 10: [2 3], 7 bytes
        assert_eq!(ghosts.bytes(0), 7);
        ghosts.push_bounded(0, 4, 11, 10); // too large: unchanged
        ghosts.push_bounded(0, 5, 0, 10); // [2 3 5], 8 bytes
        ghosts.check();
        assert_eq!(ghosts.bytes(0), 8);
        assert_eq!(ghosts.take(1), None);
        assert_eq!(ghosts.take(4), None);
        assert_eq!(ghosts.take(3), Some((0, 3)));
        assert_eq!(ghosts.take(3), None, "a take consumes the entry");
        ghosts.push(1, 3, 6);
        assert_eq!((ghosts.bytes(0), ghosts.bytes(1)), (5, 6));
        ghosts.check();
    }
}
