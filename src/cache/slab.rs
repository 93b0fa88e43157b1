//! Slab-allocated intrusive doubly-linked lists: the one list implementation
//! every eviction policy is built from.
//!
//! Nodes live in a single `Vec` and link to each other by `u32` index, so a
//! list operation touches no allocator and a node costs 8 bytes of links
//! instead of two 8-byte pointers plus a heap header. Freed nodes are chained
//! into a free list through their `next` field and reused first, which is what
//! keeps a warm cache from allocating: the `Vec` only grows when more nodes
//! are live at once than ever before.
//!
//! One `Slab` can host several `List`s (S3-FIFO keeps its small and main
//! queues in one slab); a `List` is only a head, a tail and a length, and
//! every operation takes the list it applies to explicitly. Lists run from
//! `head` (oldest) to `tail` (newest); `next` points towards the newer end.

/// The null index: "no node". `u32::MAX` is never a valid index because a
/// slab refuses to grow that far.
pub(crate) const NIL: u32 = u32::MAX;

/// The `prev` of a node on the free chain: never a valid index either, so a
/// freed node cannot be mistaken for a live one.
const FREE: u32 = u32::MAX - 1;

/// A node: the payload plus its links.
#[derive(Clone, Copy, Debug)]
struct Node<T> {
    item: T,
    // Invariant: `FREE` exactly when the node is on the free chain. A live
    // node's `prev` is `NIL` when it is unlinked or the head of its list,
    // else a live node of the same list whose `next` is this node.
    prev: u32,
    // Invariant: on the free chain, the next free node (or `NIL`). A live
    // node's `next` is `NIL` when it is unlinked or the tail of its list,
    // else a live node of the same list whose `prev` is this node.
    next: u32,
}

/// A pool of list nodes addressed by `u32` index.
#[derive(Debug)]
pub(crate) struct Slab<T> {
    nodes: Vec<Node<T>>,
    /// First node of the free chain (linked through `next`), or `NIL`.
    // Invariant: every node on the chain has `prev == FREE`; no node is on
    // it twice (`free` refuses a node already freed).
    free_head: u32,
}

/// One list threaded through a `Slab`. Cheap to copy around by reference;
/// it owns no memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct List {
    // Invariant: `head` and `tail` are both `NIL` (and `len` 0) or both
    // live nodes; walking `next` from `head` reaches `tail` after `len`
    // nodes, and walking `prev` from `tail` reaches `head`.
    head: u32,
    tail: u32,
    len: u32,
}

impl List {
    /// An empty list.
    pub(crate) const fn new() -> List {
        List { head: NIL, tail: NIL, len: 0 }
    }

    /// The oldest node, or `NIL` if the list is empty.
    pub(crate) fn head(&self) -> u32 {
        self.head
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<T: Copy> Slab<T> {
    /// A slab with room for `n_nodes` live nodes before its `Vec` grows.
    pub(crate) fn with_capacity(n_nodes: usize) -> Slab<T> {
        Slab { nodes: Vec::with_capacity(n_nodes), free_head: NIL }
    }

    /// Stores `item` in a fresh, unlinked node and returns its index.
    pub(crate) fn alloc(&mut self, item: T) -> u32 {
        let node = Node { item, prev: NIL, next: NIL };
        if self.free_head != NIL {
            let idx = self.free_head;
            debug_assert_eq!(self.nodes[idx as usize].prev, FREE, "node {idx} on the free chain is live");
            self.free_head = self.nodes[idx as usize].next;
            self.nodes[idx as usize] = node;
            return idx;
        }
        let idx = self.nodes.len();
        // Off the hot path (the slab grows only past its peak), and a node
        // numbered `FREE` or `NIL` would be read as a sentinel.
        assert!(idx < FREE as usize, "slab full: more than 2^32 - 2 nodes");
        self.nodes.push(node);
        idx as u32
    }

    /// Returns an unlinked node to the free chain and hands back its item.
    pub(crate) fn free(&mut self, idx: u32) -> T {
        let node = &mut self.nodes[idx as usize];
        // A node freed twice would be handed out twice by `alloc`: two keys
        // in one slot.
        debug_assert_ne!(node.prev, FREE, "node {idx} freed twice");
        debug_assert!(node.prev == NIL && node.next == NIL, "freeing a linked node");
        let item = node.item;
        node.prev = FREE;
        node.next = self.free_head;
        self.free_head = idx;
        item
    }

    pub(crate) fn get(&self, idx: u32) -> &T {
        let node = &self.nodes[idx as usize];
        debug_assert_ne!(node.prev, FREE, "node {idx} read after it was freed");
        &node.item
    }

    pub(crate) fn get_mut(&mut self, idx: u32) -> &mut T {
        let node = &mut self.nodes[idx as usize];
        debug_assert_ne!(node.prev, FREE, "node {idx} written after it was freed");
        &mut node.item
    }

    /// Whether `idx` is a node that is allocated (not on the free chain).
    #[cfg(test)]
    pub(crate) fn is_live(&self, idx: u32) -> bool {
        self.nodes.get(idx as usize).is_some_and(|node| node.prev != FREE)
    }

    /// Starts loading node `idx` (see `crate::prefetch`); `NIL` is ignored.
    pub(crate) fn prefetch(&self, idx: u32) {
        if let Some(node) = self.nodes.get(idx as usize) {
            crate::prefetch::prefetch(node);
        }
    }

    /// Starts loading the nodes before and after `idx`, whose links an
    /// unlink rewrites.
    pub(crate) fn prefetch_neighbours(&self, idx: u32) {
        let node = &self.nodes[idx as usize];
        for neighbour in [node.prev, node.next] {
            if neighbour != NIL {
                crate::prefetch::prefetch(&self.nodes[neighbour as usize]);
            }
        }
    }

    /// The node after `idx` (one step newer), or `NIL` at the tail.
    pub(crate) fn next(&self, idx: u32) -> u32 {
        self.nodes[idx as usize].next
    }

    /// Links an unlinked node in as the newest of `list`.
    pub(crate) fn push_back(&mut self, list: &mut List, idx: u32) {
        debug_assert_ne!(self.nodes[idx as usize].prev, FREE, "pushing node {idx}, which is free");
        debug_assert!(
            self.nodes[idx as usize].prev == NIL && self.nodes[idx as usize].next == NIL && list.head != idx,
            "pushing a node that is already linked"
        );
        let old_tail = list.tail;
        {
            let node = &mut self.nodes[idx as usize];
            node.prev = old_tail;
            node.next = NIL;
        }
        if old_tail == NIL {
            list.head = idx;
        } else {
            self.nodes[old_tail as usize].next = idx;
        }
        list.tail = idx;
        list.len += 1;
    }

    /// Takes `idx` out of `list`, leaving it allocated but unlinked.
    /// Unlinks and returns the oldest node of `list` other than `pinned`
    /// (a slot being grown in place, which cannot make room for itself).
    pub(crate) fn unlink_oldest_except(&mut self, list: &mut List, pinned: u32) -> u32 {
        let mut victim = list.head();
        if victim == pinned {
            victim = self.next(victim);
        }
        debug_assert_ne!(victim, NIL, "eviction from an empty list");
        self.unlink(list, victim);
        victim
    }

    pub(crate) fn unlink(&mut self, list: &mut List, idx: u32) {
        let Node { prev, next, .. } = self.nodes[idx as usize];
        debug_assert_ne!(prev, FREE, "unlinking node {idx}, which is free");
        debug_assert!(list.len > 0, "unlinking node {idx} from an empty list");
        if prev == NIL {
            debug_assert_eq!(list.head, idx, "node is not in this list");
            list.head = next;
        } else {
            debug_assert_eq!(self.nodes[prev as usize].next, idx, "broken link before node {idx}");
            self.nodes[prev as usize].next = next;
        }
        if next == NIL {
            debug_assert_eq!(list.tail, idx, "node is not in this list");
            list.tail = prev;
        } else {
            debug_assert_eq!(self.nodes[next as usize].prev, idx, "broken link after node {idx}");
            self.nodes[next as usize].prev = prev;
        }
        let node = &mut self.nodes[idx as usize];
        node.prev = NIL;
        node.next = NIL;
        list.len -= 1;
    }

    /// Makes `idx`, already in `list`, its newest node.
    pub(crate) fn move_to_back(&mut self, list: &mut List, idx: u32) {
        if list.tail != idx {
            self.unlink(list, idx);
            self.push_back(list, idx);
        }
    }

    /// Heap bytes held by the node array, including spare capacity.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node<T>>()
    }

    /// Checks every invariant of `list` by walking it, which costs its
    /// length: for tests, after each step. Returns its nodes, oldest first.
    #[cfg(test)]
    pub(crate) fn check_list(&self, list: &List) -> Vec<u32> {
        let mut walked = Vec::new();
        let mut prev = NIL;
        let mut idx = list.head;
        while idx != NIL {
            assert!(self.is_live(idx), "list holds node {idx}, which is free");
            assert_eq!(self.nodes[idx as usize].prev, prev, "broken back link at node {idx}");
            assert!(walked.len() < list.len as usize, "list is longer than its length {}", list.len);
            walked.push(idx);
            prev = idx;
            idx = self.nodes[idx as usize].next;
        }
        assert_eq!(prev, list.tail, "the walk does not end at the tail");
        assert_eq!(walked.len(), list.len as usize, "list length");
        walked
    }

    /// The nodes on the free chain, checking that each is marked free and
    /// appears once: for tests.
    #[cfg(test)]
    pub(crate) fn check_free_chain(&self) -> Vec<u32> {
        let mut chain = Vec::new();
        let mut idx = self.free_head;
        while idx != NIL {
            assert_eq!(self.nodes[idx as usize].prev, FREE, "node {idx} on the free chain is live");
            assert!(chain.len() < self.nodes.len(), "the free chain loops");
            chain.push(idx);
            idx = self.nodes[idx as usize].next;
        }
        chain
    }

    /// Nodes ever allocated, live or free: for tests.
    #[cfg(test)]
    pub(crate) fn n_nodes(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list's items from oldest to newest, checking links both ways.
    fn items(slab: &Slab<u64>, list: &List) -> Vec<u64> {
        let mut out = Vec::new();
        let mut prev = NIL;
        let mut idx = list.head();
        while idx != NIL {
            assert_eq!(slab.nodes[idx as usize].prev, prev, "broken back link");
            out.push(*slab.get(idx));
            prev = idx;
            idx = slab.next(idx);
        }
        assert_eq!(prev, list.tail);
        assert_eq!(out.len(), list.len() as usize);
        out
    }

    #[test]
    fn push_unlink_move_keep_order() {
        let mut slab = Slab::with_capacity(4);
        let mut list = List::new();
        let ids: Vec<u32> = (10..14).map(|k| slab.alloc(k)).collect();
        for &i in &ids {
            slab.push_back(&mut list, i);
        }
        assert_eq!(items(&slab, &list), [10, 11, 12, 13]);
        slab.move_to_back(&mut list, ids[0]);
        assert_eq!(items(&slab, &list), [11, 12, 13, 10]);
        slab.move_to_back(&mut list, ids[0]); // already newest: no change
        assert_eq!(items(&slab, &list), [11, 12, 13, 10]);
        slab.unlink(&mut list, ids[2]); // middle
        assert_eq!(items(&slab, &list), [11, 13, 10]);
        slab.unlink(&mut list, ids[1]); // head
        slab.unlink(&mut list, ids[0]); // tail
        assert_eq!(items(&slab, &list), [13]);
        slab.unlink(&mut list, ids[3]);
        assert!(list.is_empty() && list.head() == NIL && list.tail == NIL);
    }

    #[test]
    fn freed_nodes_are_reused_before_growing() {
        let mut slab = Slab::with_capacity(2);
        let a = slab.alloc(1u64);
        let b = slab.alloc(2);
        assert_eq!(slab.free(a), 1);
        assert_eq!(slab.free(b), 2);
        // Last freed comes back first; the Vec never grows past two nodes.
        assert_eq!(slab.alloc(3), b);
        assert_eq!(slab.alloc(4), a);
        assert_eq!(slab.nodes.len(), 2);
    }

    #[test]
    fn the_free_chain_holds_each_freed_node_once() {
        let mut slab = Slab::with_capacity(3);
        let ids: Vec<u32> = (0..3u64).map(|k| slab.alloc(k)).collect();
        slab.free(ids[0]);
        slab.free(ids[2]);
        assert_eq!(slab.check_free_chain(), [ids[2], ids[0]]);
        assert!(slab.is_live(ids[1]) && !slab.is_live(ids[0]));
        slab.alloc(9);
        assert_eq!(slab.check_free_chain(), [ids[0]]);
    }

    #[test]
    #[should_panic(expected = "broken back link")]
    fn a_broken_back_link_is_found() {
        let mut slab = Slab::with_capacity(3);
        let mut list = List::new();
        let ids: Vec<u32> = (0..3u64).map(|k| slab.alloc(k)).collect();
        ids.iter().for_each(|&i| slab.push_back(&mut list, i));
        slab.nodes[ids[2] as usize].prev = ids[0];
        slab.check_list(&list);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "freed twice")]
    fn freeing_a_node_twice_panics() {
        let mut slab = Slab::with_capacity(2);
        let a = slab.alloc(1u64);
        slab.free(a);
        slab.free(a);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "read after it was freed")]
    fn reading_a_freed_node_panics() {
        let mut slab = Slab::with_capacity(2);
        let a = slab.alloc(1u64);
        slab.free(a);
        slab.get(a);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "not in this list")]
    fn unlinking_from_another_list_panics() {
        let mut slab = Slab::with_capacity(2);
        let (mut small, mut main) = (List::new(), List::new());
        let a = slab.alloc(1u64);
        let b = slab.alloc(2);
        slab.push_back(&mut small, a);
        slab.push_back(&mut main, b);
        slab.unlink(&mut main, a);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "already linked")]
    fn pushing_a_linked_node_panics() {
        let mut slab = Slab::with_capacity(2);
        let mut list = List::new();
        let (a, b) = (slab.alloc(1u64), slab.alloc(0));
        slab.push_back(&mut list, b);
        slab.push_back(&mut list, a);
        slab.push_back(&mut list, a);
    }

    #[test]
    fn two_lists_share_one_slab() {
        let mut slab = Slab::with_capacity(3);
        let (mut small, mut main) = (List::new(), List::new());
        let a = slab.alloc(1u64);
        let b = slab.alloc(2);
        slab.push_back(&mut small, a);
        slab.push_back(&mut small, b);
        slab.unlink(&mut small, a);
        slab.push_back(&mut main, a);
        assert_eq!(items(&slab, &small), [2]);
        assert_eq!(items(&slab, &main), [1]);
    }
}
