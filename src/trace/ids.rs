//! Numeric trace ids → dense object numbers: an insert-only open-addressing
//! table that can be prefetched.
//!
//! Why not `HashMap<u64, u32>`: on a trace of a million objects every lookup
//! misses the CPU caches, and a std table touches two lines per probe (a
//! control-byte group and the bucket) with no way to ask for them early.
//! Here a bucket holds the key and its number in 16 bytes, four to a cache
//! line, so a lookup is usually one line, and [`IdTable::prefetch`] lets the
//! reader start loading it several records before it needs the answer.
//! Ids are never removed, so linear probing needs no tombstones.

use std::hash::BuildHasher;

/// `number == EMPTY` marks a free bucket; object numbers stay below it.
const EMPTY: u32 = u32::MAX;

#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Bucket {
    id: u64,
    number: u32,
}

const FREE: Bucket = Bucket { id: 0, number: EMPTY };

/// Maps ids to the numbers they were given, at most 3/4 full.
pub struct IdTable {
    buckets: Vec<Bucket>,
    /// `64 - log2(buckets.len())`: a hash shifted right by this is the id's home bucket.
    home_shift: u32,
    len: usize,
}

impl IdTable {
    /// A table that holds `n_ids` before growing.
    pub fn with_capacity(n_ids: usize) -> IdTable {
        let n_buckets = (n_ids.saturating_mul(4) / 3 + 1).next_power_of_two().max(8);
        IdTable { buckets: vec![FREE; n_buckets], home_shift: 64 - n_buckets.trailing_zeros(), len: 0 }
    }

    /// Ids in the table.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes of the buckets.
    pub fn memory_bytes(&self) -> usize {
        self.buckets.capacity() * std::mem::size_of::<Bucket>()
    }

    fn home(&self, id: u64) -> usize {
        // A fixed seed: the same trace probes the same buckets on every run.
        (foldhash::fast::FixedState::with_seed(0).hash_one(id) >> self.home_shift) as usize
    }

    /// Starts loading the bucket where `id`'s search begins.
    pub fn prefetch(&self, id: u64) {
        crate::prefetch::prefetch(&self.buckets[self.home(id)]);
    }

    /// The number given to `id`, or the one `new_number` gives it now.
    pub fn get_or_insert(&mut self, id: u64, new_number: impl FnOnce() -> u32) -> (u32, bool) {
        let mask = self.buckets.len() - 1;
        let mut pos = self.home(id);
        loop {
            let bucket = self.buckets[pos];
            if bucket.number == EMPTY {
                break;
            }
            if bucket.id == id {
                return (bucket.number, false);
            }
            pos = (pos + 1) & mask;
        }
        let number = new_number();
        assert_ne!(number, EMPTY, "more than 2^32 - 1 distinct ids");
        if (self.len + 1) * 4 > self.buckets.len() * 3 {
            self.grow();
            self.place(Bucket { id, number });
        } else {
            self.buckets[pos] = Bucket { id, number };
        }
        self.len += 1;
        (number, true)
    }

    /// Puts a bucket in the first free position from its home.
    fn place(&mut self, bucket: Bucket) {
        let mask = self.buckets.len() - 1;
        let mut pos = self.home(bucket.id);
        while self.buckets[pos].number != EMPTY {
            pos = (pos + 1) & mask;
        }
        self.buckets[pos] = bucket;
    }

    fn grow(&mut self) {
        let old = std::mem::replace(&mut self.buckets, vec![FREE; 0]);
        self.buckets = vec![FREE; old.len() * 2];
        self.home_shift -= 1;
        for bucket in old {
            if bucket.number != EMPTY {
                self.place(bucket);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn numbers_ids_in_order_of_first_sight_and_grows() {
        let mut table = IdTable::with_capacity(0);
        assert_eq!(table.buckets.len(), 8);
        let mut model: HashMap<u64, u32> = HashMap::new();
        // Strided and clustered ids, 0 and u64::MAX included, each met several times.
        let ids: Vec<u64> = (0..3_000u64)
            .map(|i| match i % 4 {
                0 => i << 40,
                1 => i / 3,
                2 => u64::MAX - i % 7,
                _ => i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            })
            .collect();
        for &id in &ids {
            let next = model.len() as u32;
            let was_new = !model.contains_key(&id);
            let expected = *model.entry(id).or_insert(next);
            assert_eq!(table.get_or_insert(id, || next), (expected, was_new), "id {id}");
        }
        assert_eq!(table.len(), model.len());
        assert!(table.len() * 4 <= table.buckets.len() * 3);
        for (&id, &number) in &model {
            assert_eq!(table.get_or_insert(id, || panic!("{id} was inserted")), (number, false));
        }
    }

    #[test]
    fn sized_for_its_capacity() {
        // 700k ids fit 2^20 buckets at 3/4 load: 16 MiB.
        assert_eq!(IdTable::with_capacity(700_000).buckets.len(), 1 << 20);
        assert_eq!(std::mem::size_of::<Bucket>(), 16);
    }
}
