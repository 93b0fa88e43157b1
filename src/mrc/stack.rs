//! LRU stack distances in bytes (Mattson et al., 1970, with sizes): for a
//! request, the bytes of the distinct objects used since the object's last
//! use, plus its own size. A byte-capacity LRU cache of `C` bytes holds the
//! longest run of the recency stack, from the top, whose sizes sum to at
//! most `C`, so a request hits it iff its distance is at most `C` (see
//! `mrc/mod.rs` for where a real cache departs from this).
//!
//! How: every object sits at the position of its last use, which holds its
//! size; the bytes used since position `p` are the sizes at the positions
//! after it. Positions are grouped in blocks of [`BLOCK`], and a Fenwick
//! tree sums whole blocks: a distance is one Fenwick prefix over the blocks
//! before `p`'s and a scan of `p`'s own block, O(log n) a request. The block
//! tree is 1/32 of the positions (a few hundred KB for a million objects,
//! in the CPU's caches), so a request's loads from main memory are its own
//! position's block and its object's entry, not a Fenwick walk's twenty
//! nodes. Positions are handed out in request order and **compacted**
//! (renumbered in order) when they run out, so memory follows the objects,
//! not the requests: 4 bytes of last position and 1.5 positions of 8 bytes
//! an object, about 16.4 bytes with the block tree.

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

/// Positions a block of the Fenwick tree sums: 32 sizes, four cache lines.
pub const BLOCK: usize = 32;

/// Free positions kept after a compaction, at least: so that small stacks
/// do not compact every few requests.
const MIN_SPARE_POSITIONS: usize = 1024;

/// The recency stack of the objects used so far.
pub struct Stack {
    // Invariant: `sizes[p]` is the size of the object whose last use is
    // position p, or 0 if none; its length is a multiple of BLOCK.
    sizes: Vec<u64>,
    // Invariant: a Fenwick tree (index 0 unused) over the blocks: block b
    // is the sum of sizes[b * BLOCK..(b + 1) * BLOCK].
    blocks: Vec<u64>,
    // Invariant: every position an object holds is below this; positions
    // from here to sizes.len() - 1 are free.
    next_position: usize,
    // Invariant: `last_position[o]` is object o's position plus one, `None`
    // before its first use and after `remove`; no two objects share one.
    last_position: Vec<Option<NonZeroU32>>,
    // Invariant: the sum of `sizes`.
    total_bytes: u64,
    // Invariant: the objects with a position.
    live: usize,
}

impl Default for Stack {
    fn default() -> Self {
        Stack::new()
    }
}

impl Stack {
    pub fn new() -> Stack {
        let positions = MIN_SPARE_POSITIONS.next_multiple_of(BLOCK);
        Stack {
            sizes: vec![0; positions],
            blocks: vec![0; positions / BLOCK + 1],
            next_position: 0,
            last_position: Vec::new(),
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
        self.position(object).map(|p| self.sizes[p])
    }

    fn position(&self, object: ObjectNumber) -> Option<usize> {
        self.last_position.get(object as usize).copied().flatten().map(|p| p.get() as usize - 1)
    }

    /// Heap bytes held, for the memory figure in the docs.
    pub fn memory_bytes(&self) -> usize {
        (self.sizes.capacity() + self.blocks.capacity()) * 8 + self.last_position.capacity() * 4
    }

    /// Starts loading what `access(object)` will read first: its entry.
    #[inline]
    pub fn prefetch_object(&self, object: ObjectNumber) {
        if let Some(entry) = self.last_position.get(object as usize) {
            crate::prefetch::prefetch(entry);
        }
    }

    /// Starts loading `object`'s block (its entry should be loaded by now).
    #[inline]
    pub fn prefetch_block(&self, object: ObjectNumber) {
        if let Some(p) = self.position(object) {
            let start = p - p % BLOCK;
            for line in (start..start + BLOCK).step_by(8) {
                crate::prefetch::prefetch(&self.sizes[line]);
            }
        }
    }

    /// A request for `object` of `size_bytes`: its distance, and the object
    /// moves to the top of the stack at that size.
    pub fn access(&mut self, object: ObjectNumber, size_bytes: u64) -> Distance {
        let o = object as usize;
        if o >= self.last_position.len() {
            self.last_position.resize(o + 1, None);
        }
        if self.next_position == self.sizes.len() {
            self.compact();
        }
        let distance = match self.position(object) {
            None => {
                self.live += 1;
                Distance::Cold
            }
            Some(p) => {
                let block = p / BLOCK;
                let through_p: u64 = self.blocks_before(block) + self.sizes[block * BLOCK..=p].iter().sum::<u64>();
                let above = self.total_bytes - through_p;
                let old = self.sizes[p];
                self.sizes[p] = 0;
                self.add_to_block(block, old.wrapping_neg());
                self.total_bytes -= old;
                Distance::Bytes(above.saturating_add(size_bytes))
            }
        };
        let q = self.next_position;
        self.next_position += 1;
        self.sizes[q] = size_bytes;
        self.add_to_block(q / BLOCK, size_bytes);
        self.total_bytes += size_bytes;
        self.last_position[o] = Some(NonZeroU32::new(q as u32 + 1).expect("positions plus one start at 1"));
        distance
    }

    /// Takes `object` out of the stack (SHARDS dropping it from its sample);
    /// its next use is cold.
    pub fn remove(&mut self, object: ObjectNumber) {
        if let Some(p) = self.position(object) {
            let old = self.sizes[p];
            self.sizes[p] = 0;
            self.add_to_block(p / BLOCK, old.wrapping_neg());
            self.total_bytes -= old;
            self.last_position[object as usize] = None;
            self.live -= 1;
        }
    }

    /// The sum of the blocks before `block`.
    #[inline]
    fn blocks_before(&self, block: usize) -> u64 {
        let mut i = block;
        let mut sum = 0u64;
        while i > 0 {
            sum = sum.wrapping_add(self.blocks[i]);
            i &= i - 1;
        }
        sum
    }

    /// Adds `delta` (a two's-complement negative to subtract) to `block`.
    #[inline]
    fn add_to_block(&mut self, block: usize, delta: u64) {
        let mut i = block + 1;
        while i < self.blocks.len() {
            // Every node sums sizes now in the stack, so the wrapping
            // arithmetic never actually wraps once the call is done.
            self.blocks[i] = self.blocks[i].wrapping_add(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// Renumbers the objects in the stack 0..live in their order, with room
    /// for half as many again (at least `MIN_SPARE_POSITIONS`): a compaction
    /// costs O(live) and comes after at least live/2 requests.
    fn compact(&mut self) {
        let mut owner: Vec<Option<ObjectNumber>> = vec![None; self.next_position];
        for (o, p) in self.last_position.iter().enumerate() {
            if let Some(p) = p {
                owner[p.get() as usize - 1] = Some(o as ObjectNumber);
            }
        }
        let positions = (self.live + (self.live / 2).max(MIN_SPARE_POSITIONS)).next_multiple_of(BLOCK);
        let mut sizes = vec![0u64; positions];
        let mut next = 0;
        for o in owner.into_iter().flatten() {
            let old = self.position(o).expect("an owner has a position");
            sizes[next] = self.sizes[old];
            self.last_position[o as usize] = Some(NonZeroU32::new(next as u32 + 1).expect("plus one"));
            next += 1;
        }
        assert_eq!(next, self.live, "the stack lost or doubled an object in compaction");
        // Linear-time Fenwick construction: each node passes its sum up to its parent.
        let mut blocks = vec![0u64; positions / BLOCK + 1];
        for (b, chunk) in sizes.chunks(BLOCK).enumerate() {
            blocks[b + 1] = chunk.iter().sum();
        }
        for i in 1..blocks.len() {
            let parent = i + (i & i.wrapping_neg());
            if parent < blocks.len() {
                blocks[parent] += blocks[i];
            }
        }
        self.sizes = sizes;
        self.blocks = blocks;
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
        assert!(stack.sizes.len() <= 300 + MIN_SPARE_POSITIONS + BLOCK, "the stack is sized by objects, not requests");
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
