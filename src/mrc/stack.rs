//! LRU stack distances in bytes (Mattson et al., 1970, with sizes): for a
//! request, the bytes of the distinct objects used since the object's last
//! use, plus its own size. A byte-capacity LRU cache of `C` bytes holds the
//! longest run of the recency stack, from the top, whose sizes sum to at
//! most `C`, so a request hits it iff its distance is at most `C` (see
//! `mrc/mod.rs` for where a real cache departs from this).
//!
//! How: every object sits at the position of its last use in a Fenwick
//! tree of sizes; the bytes used since position `p` are the total minus the
//! prefix sum through `p`: O(log n) a request. Positions are handed out in
//! request order and **compacted** (renumbered 1..=live, in order) when they
//! run out, so the tree is sized by the objects, not the requests.

use std::num::NonZeroU32;

/// An object's number in the stack: dense, from 0, given by the caller.
pub type ObjectNumber = u32;

/// What a request's stack distance is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distance {
    /// The object's first use (or first since `remove`): a miss at every size.
    Cold,
    /// Hits a cache of at least this many bytes.
    Bytes(u64),
}

/// Free positions kept after a compaction, at least: so that small stacks
/// do not compact every few requests.
const MIN_SPARE_POSITIONS: usize = 1024;

/// The recency stack of the objects used so far.
pub struct Stack {
    // Invariant: a Fenwick tree over positions 1..tree.len()-1 (index 0 is
    // unused): position p holds the size of the object whose last use is p,
    // or 0 if no object's last use is p.
    tree: Vec<u64>,
    // Invariant: every position an object holds is below this; positions
    // from here to tree.len()-1 are free.
    next_position: usize,
    // Invariant: `last_position[o]` is object o's position, `None` before
    // its first use and after `remove`; no two objects share a position.
    last_position: Vec<Option<NonZeroU32>>,
    // Invariant: the size object o's position holds (its latest request's).
    size: Vec<u64>,
    // Invariant: the sum of the sizes of the objects in the stack.
    total_bytes: u64,
    live: usize,
}

impl Default for Stack {
    fn default() -> Self {
        Stack::new()
    }
}

impl Stack {
    pub fn new() -> Stack {
        Stack {
            tree: vec![0; MIN_SPARE_POSITIONS + 1],
            next_position: 1,
            last_position: Vec::new(),
            size: Vec::new(),
            total_bytes: 0,
            live: 0,
        }
    }

    /// The sum of the sizes of the objects in the stack (each at its latest
    /// request's size): the working set.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Objects in the stack.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The size `object` is in the stack at (its latest request's), if it is in it.
    pub fn size_of(&self, object: ObjectNumber) -> Option<u64> {
        let o = object as usize;
        self.last_position.get(o).copied().flatten().map(|_| self.size[o])
    }

    /// Heap bytes held, for the memory figure in the docs.
    pub fn memory_bytes(&self) -> usize {
        self.tree.capacity() * 8 + self.last_position.capacity() * 4 + self.size.capacity() * 8
    }

    /// A request for `object` of `size_bytes`: its distance, and the object
    /// moves to the top of the stack at that size.
    pub fn access(&mut self, object: ObjectNumber, size_bytes: u64) -> Distance {
        let o = object as usize;
        if o >= self.last_position.len() {
            self.last_position.resize(o + 1, None);
            self.size.resize(o + 1, 0);
        }
        if self.next_position == self.tree.len() {
            self.compact();
        }
        let distance = match self.last_position[o] {
            None => {
                self.live += 1;
                Distance::Cold
            }
            Some(p) => {
                let p = p.get() as usize;
                let above = self.total_bytes - self.prefix_sum(p);
                self.add(p, -(self.size[o] as i128));
                self.total_bytes -= self.size[o];
                Distance::Bytes(above.saturating_add(size_bytes))
            }
        };
        let p = self.next_position;
        self.next_position += 1;
        self.add(p, size_bytes as i128);
        self.total_bytes += size_bytes;
        self.size[o] = size_bytes;
        self.last_position[o] = Some(NonZeroU32::new(p as u32).expect("positions start at 1"));
        distance
    }

    /// Takes `object` out of the stack (SHARDS dropping it from its sample);
    /// its next use is cold.
    pub fn remove(&mut self, object: ObjectNumber) {
        let o = object as usize;
        if let Some(p) = self.last_position.get(o).copied().flatten() {
            self.add(p.get() as usize, -(self.size[o] as i128));
            self.total_bytes -= self.size[o];
            self.last_position[o] = None;
            self.live -= 1;
        }
    }

    /// Sum of positions 1..=p.
    fn prefix_sum(&self, mut p: usize) -> u64 {
        let mut sum = 0u64;
        while p > 0 {
            sum += self.tree[p];
            p &= p - 1;
        }
        sum
    }

    fn add(&mut self, mut p: usize, delta: i128) {
        while p < self.tree.len() {
            // Every node sums sizes now in the stack, so it stays in u64.
            self.tree[p] = (self.tree[p] as i128 + delta) as u64;
            p += p & p.wrapping_neg();
        }
    }

    /// Renumbers the objects in the stack 1..=live in their order, into a
    /// tree with room for half as many again (at least `MIN_SPARE_POSITIONS`):
    /// a compaction costs O(live) and comes after at least live/2 requests.
    fn compact(&mut self) {
        let n = self.next_position;
        let mut owner: Vec<Option<ObjectNumber>> = vec![None; n];
        for (o, p) in self.last_position.iter().enumerate() {
            if let Some(p) = p {
                owner[p.get() as usize] = Some(o as ObjectNumber);
            }
        }
        let positions = self.live + (self.live / 2).max(MIN_SPARE_POSITIONS);
        let mut tree = vec![0u64; positions + 1];
        let mut next = 1;
        for o in owner.into_iter().flatten() {
            tree[next] = self.size[o as usize];
            self.last_position[o as usize] = Some(NonZeroU32::new(next as u32).expect("positions start at 1"));
            next += 1;
        }
        assert_eq!(next - 1, self.live, "the stack lost or doubled an object in compaction");
        // Linear-time Fenwick construction: each node passes its sum up to its parent.
        for i in 1..tree.len() {
            let parent = i + (i & i.wrapping_neg());
            if parent < tree.len() {
                tree[parent] += tree[i];
            }
        }
        self.tree = tree;
        self.next_position = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plainest stack: a list, most recent last.
    fn naive_distances(requests: &[(u32, u64)]) -> Vec<Distance> {
        let mut stack: Vec<(u32, u64)> = Vec::new();
        let mut out = Vec::new();
        for &(o, s) in requests {
            match stack.iter().position(|&(x, _)| x == o) {
                None => out.push(Distance::Cold),
                Some(at) => {
                    let above: u64 = stack[at + 1..].iter().map(|&(_, s)| s).sum();
                    out.push(Distance::Bytes(above + s));
                    stack.remove(at);
                }
            }
            stack.push((o, s));
        }
        out
    }

    #[test]
    fn distances_by_hand() {
        // a(10) b(20) a(10) c(5) b(20) a(15):
        // a cold; b cold; a: b above = 20, +10 = 30; c cold;
        // b: a, c above = 10 + 5, +20 = 35; a: c, b above = 5 + 20, +15 = 40.
        let mut stack = Stack::new();
        let got: Vec<Distance> =
            [(0, 10), (1, 20), (0, 10), (2, 5), (1, 20), (0, 15)].iter().map(|&(o, s)| stack.access(o, s)).collect();
        use Distance::*;
        assert_eq!(got, [Cold, Cold, Bytes(30), Cold, Bytes(35), Bytes(40)]);
        assert_eq!(stack.total_bytes(), 15 + 20 + 5);
        assert_eq!(stack.len(), 3);
    }

    #[test]
    fn compaction_keeps_the_distances() {
        // Many more requests than positions: the tree compacts again and again.
        let mut requests = Vec::new();
        let mut x: u64 = 7;
        for _ in 0..20_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let o = ((x >> 33) % 300) as u32;
            requests.push((o, 1 + (x >> 20) % 50));
        }
        let mut stack = Stack::new();
        let got: Vec<Distance> = requests.iter().map(|&(o, s)| stack.access(o, s)).collect();
        assert_eq!(got, naive_distances(&requests));
        assert!(stack.tree.len() <= 300 + MIN_SPARE_POSITIONS + 1, "the tree is sized by objects, not requests");
    }

    #[test]
    fn removed_objects_come_back_cold_and_leave_no_bytes() {
        let mut stack = Stack::new();
        stack.access(0, 10);
        stack.access(1, 20);
        stack.remove(0);
        stack.remove(0);
        assert_eq!(stack.total_bytes(), 20);
        assert_eq!(stack.access(0, 10), Distance::Cold);
        // 1 is below 0 now: 10 above it, plus its own 20.
        assert_eq!(stack.access(1, 20), Distance::Bytes(30));
    }

    /// Misses of a byte-capacity LRU cache as the cache store behaves: an
    /// object larger than the capacity is not admitted, a hit keeps the size.
    fn lru_misses(requests: &[(u32, u64)], capacity: u64) -> u64 {
        let mut order: Vec<(u32, u64)> = Vec::new(); // least recent first
        let mut misses = 0;
        for &(o, s) in requests {
            if let Some(at) = order.iter().position(|&(x, _)| x == o) {
                let entry = order.remove(at);
                order.push(entry);
                continue;
            }
            misses += 1;
            if s > capacity {
                continue;
            }
            while order.iter().map(|&(_, s)| s).sum::<u64>() + s > capacity {
                order.remove(0);
            }
            order.push((o, s));
        }
        misses
    }

    proptest::proptest! {
        /// The claim in mrc/mod.rs: with a size fixed per object, the stack
        /// is an LRU cache exactly from the largest object's size up, and
        /// below it never counts fewer misses.
        #[test]
        fn stack_is_lru_from_the_largest_size_up_and_a_bound_below(
            ids in proptest::collection::vec(0u32..30, 1..400),
            sizes in proptest::collection::vec(1u64..50, 30),
            capacity in 1u64..400,
        ) {
            let requests: Vec<(u32, u64)> = ids.iter().map(|&o| (o, sizes[o as usize])).collect();
            let mut stack = Stack::new();
            let distances: Vec<Distance> = requests.iter().map(|&(o, s)| stack.access(o, s)).collect();
            let stack_misses = |c: u64| distances.iter().filter(|d| !matches!(d, Distance::Bytes(b) if *b <= c)).count() as u64;
            let largest = requests.iter().map(|r| r.1).max().unwrap();
            let c = capacity.max(largest);
            proptest::prop_assert_eq!(stack_misses(c), lru_misses(&requests, c));
            proptest::prop_assert!(stack_misses(capacity) >= lru_misses(&requests, capacity));
        }

        #[test]
        fn fenwick_equals_a_plain_list(requests in proptest::collection::vec((0u32..40, 0u64..1000), 0..3000)) {
            let mut stack = Stack::new();
            let got: Vec<Distance> = requests.iter().map(|&(o, s)| stack.access(o, s)).collect();
            proptest::prop_assert_eq!(got, naive_distances(&requests));
        }
    }
}
