//! The one event queue: a radix heap on time whose buckets keep scheduling
//! order, so events due at the same microsecond run in the order they were
//! scheduled, and beside it a FIFO of the events scheduled for the current
//! instant.
//!
//! A CloudFront-sized run has thousands of events pending (50,000 requests
//! a second, tens of milliseconds a hop); a binary heap pays a dozen
//! compare-and-swap levels for each pop. The radix heap (Ahuja, Mehlhorn,
//! Orlin and Tarjan, "Faster algorithms for the shortest path problem",
//! J. ACM 1990) needs only that no event is scheduled before the last one
//! popped, which a simulation clock guarantees: a push is one `Vec` push, and
//! each event moves down a few buckets, in order, before it is popped. Its
//! buckets here go by hexadecimal digits, not bits (as in the "two-level"
//! radix heaps of the same paper): a hop of tens of milliseconds is some 15
//! bits of microseconds but 4 digits, so an event moves about twice, not
//! nine times. Small buckets are sorted into the front whole, several at a
//! time, which also lets the engine see further ahead for its prefetch
//! hints (`EventQueue::peek_ahead`). On `cloudfront-scale`, 10M requests:
//! 13.08 s by bits, 12.81 s by digits on one thread; 8.50 and 8.26 s on two.
//!
//! With zero-latency hops (a trace replay) a miss schedules all its events
//! for the instant it is handled; the FIFO makes those a push and a pop on a
//! `Vec`. The order stays exactly (time, sequence): an event enters the FIFO
//! only when it is due at the clock's instant, and the clock does not move on
//! until the FIFO is empty, so any heap event due at that instant was
//! scheduled before every FIFO event (it was pushed while the clock was
//! earlier) and goes first.

use super::event::Event;
use crate::time::SimTime;

/// Buckets of at most this many events are sorted into `front` whole
/// rather than split further: a split moves each event once more, and
/// sorting a few is cheaper. Measured on the CloudFront-sized scenario.
const SORTED_RUN: usize = 16;

/// The radix heap's digits are 4 bits (`RadixHeap::bucket_of`): an event
/// moves down once per digit, not per bit, on its way to `front`.
const DIGIT_BITS: u32 = 4;

/// Buckets for digits of 4 bits: 16 positions of 15 values each (and for
/// single bits, 64 of 1).
const MAX_BUCKETS: usize = 16 * 15;

/// `RadixHeap::bucket_of` for digits of `BITS` bits.
#[inline(always)]
fn bucket_by_digits<const BITS: u32>(at: SimTime, differs: u64) -> usize {
    let position = (63 - differs.leading_zeros()) / BITS;
    let values = (1u64 << BITS) - 1;
    let digit = (at.0 >> (position * BITS)) & values;
    debug_assert!(digit > 0, "a later time's first differing digit is the larger");
    (u64::from(position) * values + digit - 1) as usize
}

/// Pending events keyed on time, popped earliest first and, at equal times,
/// in the order they were pushed. Keys must never be earlier than the last
/// key popped.
///
/// `front` holds the earliest events, sorted. A bucket holds the events
/// whose time differs from `last` first at one digit position (counting
/// from the lowest) and has one value there (`bucket_of`), numbered so that
/// every time in bucket `b` is earlier than every time in bucket `b + 1`.
/// When `front` runs dry, the first non-empty bucket is taken: a small one
/// is sorted into `front` whole, with the buckets after it while they fit,
/// and the latest time becomes `last`; a larger one is split around its
/// earliest time, which becomes `last`: the events due then go to `front`,
/// the others to lower buckets, never to the same one. Either way the
/// buckets above keep their places, since the new `last` shares their
/// higher digits with the old, and its digit at the last bucket's position
/// is that bucket's value.
///
/// Why ties keep scheduling order without a sequence number: each bucket is
/// in push order. A push appends the newest event. A split moves a bucket's
/// events, in order, into buckets that are all empty (they are below the
/// first non-empty one), and those events are older than any pushed
/// afterwards. `front` is sorted stably, and a push into it goes after the
/// events due at the same time.
struct RadixHeap {
    /// Invariant: no event in the buckets is due before `last`, nor before
    /// any event in `front`, and no event in `front` is due after `last`.
    last: SimTime,
    /// The earliest pending events, by time and then push order; the next
    /// is at `front_head`. Cleared whenever it runs dry.
    front: Vec<(SimTime, Event)>,
    front_head: usize,
    /// Buckets of at most this many events are sorted whole (`SORTED_RUN`;
    /// the tests also take them apart to the last bit).
    sorted_run: usize,
    /// Bits of a digit: a bucket is a (digit position, digit value) pair
    /// (`bucket_of`). `DIGIT_BITS`; the tests also use single bits, where
    /// bucket `b` is bit position `b`.
    digit_bits: u32,
    /// Invariant: `buckets[bucket_of(time)]` holds exactly the pending
    /// events of `time` not in `front`, in push order.
    buckets: [Vec<(SimTime, Event)>; MAX_BUCKETS],
    /// Invariant: bit `b % 64` of word `b / 64` is set if and only if
    /// `buckets[b]` is not empty.
    occupied: [u64; MAX_BUCKETS.div_ceil(64)],
    /// Invariant: `bucket_earliest[b]` is the earliest time in `buckets[b]`,
    /// or `SimTime::MAX` while it is empty (`occupied` says which). Kept as
    /// events are placed, so that finding the next earliest time when
    /// `front` runs dry needs no pass over a bucket of thousands.
    bucket_earliest: [SimTime; MAX_BUCKETS],
    /// The earliest pending time; `None` when nothing is pending. Kept so
    /// that peeking (which the engine does before every event) is a load.
    earliest: Option<SimTime>,
    len: usize,
}

impl RadixHeap {
    fn with_digits(capacity: usize, sorted_run: usize, digit_bits: u32) -> Self {
        assert!(digit_bits == 1 || digit_bits == 4, "digits of 1 or 4 bits: buckets for every pair");
        RadixHeap {
            last: SimTime::ZERO,
            front: Vec::with_capacity(capacity.max(sorted_run)),
            front_head: 0,
            sorted_run,
            digit_bits,
            buckets: std::array::from_fn(|_| Vec::new()),
            occupied: [0; MAX_BUCKETS.div_ceil(64)],
            bucket_earliest: [SimTime::MAX; MAX_BUCKETS],
            earliest: None,
            len: 0,
        }
    }

    #[inline]
    fn push(&mut self, at: SimTime, event: Event) {
        match self.front.last() {
            // Due no later than the front's latest: into the front, after
            // every event due at the same time or earlier.
            Some(&(latest, _)) if at <= latest => {
                let pending = &self.front[self.front_head..];
                let place = self.front_head + pending.partition_point(|&(due, _)| due <= at);
                self.front.insert(place, (at, event));
            }
            _ => {
                debug_assert!(at > self.last || self.front.is_empty() && at == self.last);
                self.place(at, event);
            }
        }
        self.earliest = Some(self.earliest.map_or(at, |earliest| earliest.min(at)));
        self.len += 1;
    }

    /// Appends `event` to the bucket its time belongs in, relative to `last`
    /// (or to `front` if it is due then).
    #[inline(always)]
    fn place(&mut self, at: SimTime, event: Event) {
        let differs = at.0 ^ self.last.0;
        if differs == 0 {
            self.front.push((at, event));
        } else {
            let bucket = self.bucket_of(at, differs);
            self.buckets[bucket].push((at, event));
            self.occupied[bucket / 64] |= 1 << (bucket % 64);
            self.bucket_earliest[bucket] = self.bucket_earliest[bucket].min(at);
        }
    }

    /// The bucket of `at`, whose bits XOR `last`'s are `differs` (not 0):
    /// by the position of the highest digit in which they differ, then by
    /// `at`'s value there. That value is above `last`'s (`at` is the later
    /// and they agree above it), so never 0: a position has `2^digit_bits
    /// - 1` buckets, and their order is the order of the times they hold.
    #[inline(always)]
    fn bucket_of(&self, at: SimTime, differs: u64) -> usize {
        // One test here, then constant shifts and masks: a run places each
        // event about twice, and working them out from `digit_bits` cost
        // some 56 instructions a request (callgrind, cloudfront-scale).
        if self.digit_bits == DIGIT_BITS {
            bucket_by_digits::<DIGIT_BITS>(at, differs)
        } else {
            bucket_by_digits::<1>(at, differs)
        }
    }

    /// The first non-empty bucket: it holds the earliest events.
    #[inline]
    fn first_occupied(&self) -> Option<usize> {
        let word = self.occupied.iter().position(|&w| w != 0)?;
        Some(word * 64 + self.occupied[word].trailing_zeros() as usize)
    }

    #[inline]
    fn pop(&mut self) -> Option<(SimTime, Event)> {
        if self.front_head == self.front.len() {
            if self.len == 0 {
                return None;
            }
            self.refill();
        }
        let (at, event) = self.front[self.front_head];
        self.front_head += 1;
        self.len -= 1;
        if self.front_head == self.front.len() {
            self.front.clear();
            self.front_head = 0;
            self.earliest = self.earliest_in_buckets();
        } else {
            self.earliest = Some(self.front[self.front_head].0);
        }
        Some((at, event))
    }

    /// Fills the empty `front` from the first non-empty bucket: sorted whole
    /// if it is small (with the buckets after it, while they fit), else
    /// split around its earliest time.
    fn refill(&mut self) {
        debug_assert!(self.front.is_empty());
        let first = self.first_occupied().expect("events are pending, none in front");
        let earliest = self.bucket_earliest[first];
        debug_assert_eq!(Some(earliest), self.earliest);
        if self.buckets[first].len() <= self.sorted_run {
            // A prefix of the buckets, in order, holds the earliest events;
            // the new `last`, the latest of them, shares the digits of the
            // buckets left above its own with the old one, so they keep
            // their places.
            let mut from = Some(first);
            while let Some(bucket) = from.filter(|&b| self.front.len() + self.buckets[b].len() <= self.sorted_run) {
                self.front.extend_from_slice(&self.buckets[bucket]);
                self.empty_bucket(bucket);
                from = self.first_occupied();
            }
            // Stable: events due at the same time stay in push order.
            self.front.sort_by_key(|&(at, _)| at);
            self.last = self.front.last().expect("the bucket was occupied").0;
        } else {
            self.last = earliest;
            // Taken out and put back so that the bucket keeps its allocation.
            let mut moving = std::mem::take(&mut self.buckets[first]);
            self.empty_bucket(first);
            for &(at, event) in &moving {
                self.place(at, event);
            }
            debug_assert!(self.buckets[first].is_empty(), "events only move down");
            moving.clear();
            self.buckets[first] = moving;
        }
        debug_assert!(self.front.first().is_some_and(|&(at, _)| at == earliest));
    }

    fn empty_bucket(&mut self, bucket: usize) {
        self.buckets[bucket].clear();
        self.occupied[bucket / 64] &= !(1 << (bucket % 64));
        self.bucket_earliest[bucket] = SimTime::MAX;
    }

    /// The earliest time in the buckets: it lies in the first non-empty one.
    #[inline]
    fn earliest_in_buckets(&self) -> Option<SimTime> {
        self.first_occupied().map(|bucket| self.bucket_earliest[bucket])
    }

    #[inline]
    fn next_time(&self) -> Option<SimTime> {
        self.earliest
    }

    /// The event `distance` places after the next one, if it is in `front`
    /// (the buckets are not in time order).
    #[inline]
    fn peek_ahead(&self, distance: usize) -> Option<Event> {
        self.front.get(self.front_head + distance).map(|&(_, event)| event)
    }
}

/// Pending events. Only the engine's loop pops; handlers push.
pub struct EventQueue {
    heap: RadixHeap,
    /// The clock: the time of the event last popped, or of the arrival the
    /// engine is handling (`advance_to`).
    now: SimTime,
    /// Events due at `now`, in scheduling order; `now_head` is the next one.
    due_now: Vec<Event>,
    now_head: usize,
}

impl EventQueue {
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_heap(capacity, SORTED_RUN, DIGIT_BITS)
    }

    /// A queue whose heap sorts buckets of up to `sorted_run` events whole
    /// and has digits of `digit_bits` (the tests take every bucket apart,
    /// or sort larger ones, and work examples out bit by bit).
    fn with_heap(capacity: usize, sorted_run: usize, digit_bits: u32) -> Self {
        EventQueue {
            heap: RadixHeap::with_digits(capacity, sorted_run, digit_bits),
            now: SimTime::ZERO,
            due_now: Vec::with_capacity(capacity),
            now_head: 0,
        }
    }

    /// Moves the clock to `now`, for work done outside the queue (an
    /// arrival). Nothing may be due earlier than `now`.
    #[inline]
    pub fn advance_to(&mut self, now: SimTime) {
        debug_assert!(self.next_time().is_none_or(|next| next >= now), "advanced past a pending event");
        self.now = now;
    }

    #[inline]
    pub fn push(&mut self, at: SimTime, event: Event) {
        debug_assert!(at >= self.now, "scheduled in the past");
        if at == self.now {
            self.due_now.push(event);
        } else {
            self.heap.push(at, event);
        }
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, Event)> {
        if self.now_head < self.due_now.len() {
            // A heap event due now was scheduled before every FIFO event.
            if self.heap.next_time() == Some(self.now) {
                return self.heap.pop();
            }
            let event = self.due_now[self.now_head];
            self.now_head += 1;
            if self.now_head == self.due_now.len() {
                self.due_now.clear();
                self.now_head = 0;
            }
            return Some((self.now, event));
        }
        let (at, event) = self.heap.pop()?;
        self.now = at;
        Some((at, event))
    }

    /// An event that will be popped soon, `distance` places after the next
    /// one, if the queue knows it without sorting more: for prefetch hints
    /// only. It is approximate (a heap event due now, which goes first, is
    /// not counted, and an event pushed meanwhile may come before it).
    #[inline]
    pub fn peek_ahead(&self, distance: usize) -> Option<Event> {
        let due_now = &self.due_now[self.now_head..];
        match due_now.get(distance) {
            Some(&event) => Some(event),
            None => self.heap.peek_ahead(distance - due_now.len()),
        }
    }

    /// When the earliest pending event is due.
    #[inline]
    pub fn next_time(&self) -> Option<SimTime> {
        if self.now_head < self.due_now.len() { Some(self.now) } else { self.heap.next_time() }
    }

    pub fn len(&self) -> usize {
        self.heap.len + self.due_now.len() - self.now_head
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::super::ids::RequestId;
    use super::*;
    use crate::time::SimDuration;

    fn at_origin(request: u32) -> Event {
        Event::AtOrigin { request: RequestId::from_index(request as usize) }
    }

    #[test]
    fn earliest_first_and_ties_in_insertion_order() {
        let mut q = EventQueue::with_capacity(4);
        q.push(SimTime(5), at_origin(1));
        q.push(SimTime(3), at_origin(2));
        q.push(SimTime(5), at_origin(3));
        q.push(SimTime(3), at_origin(4));
        let order: Vec<u32> = std::iter::from_fn(|| q.pop()).map(|(_, e)| id(e)).collect();
        assert_eq!(order, [2, 4, 1, 3]);
    }

    fn id(event: Event) -> u32 {
        match event {
            Event::AtOrigin { request } => request.index() as u32,
            _ => unreachable!(),
        }
    }

    #[test]
    fn events_due_now_run_after_earlier_scheduled_ones_at_the_same_instant() {
        let mut q = EventQueue::with_capacity(4);
        q.push(SimTime(5), at_origin(1));
        q.push(SimTime(5), at_origin(2));
        assert_eq!(q.pop().map(|(at, e)| (at, id(e))), Some((SimTime(5), 1)));
        // Due now, so into the FIFO; request 2 (in the heap) still goes first.
        q.push(SimTime(5), at_origin(3));
        q.push(SimTime(6), at_origin(4));
        q.push(SimTime(5), at_origin(5));
        assert_eq!(q.len(), 4);
        let order: Vec<(SimTime, u32)> = std::iter::from_fn(|| q.pop()).map(|(at, e)| (at, id(e))).collect();
        assert_eq!(order, [(SimTime(5), 2), (SimTime(5), 3), (SimTime(5), 5), (SimTime(6), 4)]);
        assert!(q.is_empty());
        // An arrival handled outside the queue moves its clock.
        q.advance_to(SimTime(9));
        q.push(SimTime(9), at_origin(6));
        assert_eq!(q.next_time(), Some(SimTime(9)));
        assert_eq!(q.pop().map(|(at, e)| (at, id(e))), Some((SimTime(9), 6)));
    }

    /// Peeking ahead names the events the next pops return, as far as the
    /// queue has them sorted; it never pops or reorders. By hand, with digits
    /// of one bit and buckets sorted whole while they add up to 3 events: at
    /// clock 0 push A@5, B@5, C@6 (101, 101, 110: all three in bucket 2,
    /// sorted whole into the front at the first pop) and D@9 (1001: bucket
    /// 3, a fourth event, left there); the first pop returns A, and the
    /// front then holds B, C. Then push E@5 and
    /// F@5 at clock 5 (into the FIFO of events due now). Pending order: B
    /// (scheduled for 5 before the clock got there), E, F, then C, then D.
    /// Peeking from the FIFO: E at 0, F at 1; past it, the front: B at 2,
    /// C at 3 (B, the heap event due now, pops first: a hint is a guess,
    /// not the order); D is still in a bucket.
    #[test]
    fn peeking_ahead_names_pending_events_without_taking_them() {
        let mut q = EventQueue::with_heap(4, 3, 1);
        let (a, b, c, d, e, f) = (0, 1, 2, 3, 4, 5);
        q.push(SimTime(5), at_origin(a));
        q.push(SimTime(5), at_origin(b));
        q.push(SimTime(6), at_origin(c));
        q.push(SimTime(9), at_origin(d));
        assert_eq!(q.peek_ahead(0), None, "nothing is sorted before the first pop");
        assert_eq!(q.pop().map(|(_, event)| id(event)), Some(a));
        assert_eq!((q.peek_ahead(0).map(id), q.peek_ahead(1).map(id)), (Some(b), Some(c)));
        q.push(SimTime(5), at_origin(e));
        q.push(SimTime(5), at_origin(f));
        let peeked: Vec<Option<u32>> = (0..5).map(|distance| q.peek_ahead(distance).map(id)).collect();
        assert_eq!(peeked, [Some(e), Some(f), Some(b), Some(c), None]);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop()).map(|(_, event)| id(event)).collect();
        assert_eq!(order, [b, e, f, c, d], "peeking took or moved nothing");
    }

    /// A worked example through the radix heap's buckets, by hand, with
    /// every bucket split to the last bit (no sorted runs):
    /// pushed at clock 0: A@6, B@5, C@6, D@1, E@12. Relative to last = 0 the
    /// buckets are (highest bit of time XOR 0): D@1 in bucket 0; B@5 (101),
    /// A@6 and C@6 (110) in bucket 2, in push order A, B, C; E@12 (1100) in
    /// bucket 3. Earliest is 1.
    /// - pop: front is empty, bucket 0 is split around 1: D goes to
    ///   the front and pops. The earliest is now min(bucket 2) = 5.
    /// - pop: bucket 2 split around 5 (101): B to the front;
    ///   A@6 and C@6 (110 XOR 101 = 011) to bucket 1, in order A, C. B pops.
    /// - F@6 and G@7 are pushed (clock 5, last 5): F (011) to bucket 1 after
    ///   A and C; G@7 (111 XOR 101 = 010) to bucket 1 too.
    /// - pop: bucket 1 split around 6: A, C, F to the front in that
    ///   order, G@7 (111 XOR 110 = 001) to bucket 0. Pops A, C, F, then G@7.
    /// - E@12 last.
    #[test]
    fn radix_buckets_keep_scheduling_order_through_redistributions() {
        let mut q = EventQueue::with_heap(4, 0, 1);
        let (a, b, c, d, e, f, g) = (0, 1, 2, 3, 4, 5, 6);
        q.push(SimTime(6), at_origin(a));
        q.push(SimTime(5), at_origin(b));
        q.push(SimTime(6), at_origin(c));
        q.push(SimTime(1), at_origin(d));
        q.push(SimTime(12), at_origin(e));
        assert_eq!(q.heap.occupied[0], 0b1101);
        assert_eq!(q.next_time(), Some(SimTime(1)));
        assert_eq!(q.pop().map(|(at, e)| (at, id(e))), Some((SimTime(1), d)));
        assert_eq!(q.next_time(), Some(SimTime(5)));
        assert_eq!(q.pop().map(|(at, e)| (at, id(e))), Some((SimTime(5), b)));
        assert_eq!(q.heap.occupied[0], 0b1010, "A and C moved to bucket 1");
        q.push(SimTime(6), at_origin(f));
        q.push(SimTime(7), at_origin(g));
        assert_eq!(q.heap.buckets[1].len(), 4);
        let order: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop()).map(|(at, e)| (at.0, id(e))).collect();
        assert_eq!(order, [(6, a), (6, c), (6, f), (7, g), (12, e)]);
        assert!(q.is_empty() && q.heap.occupied[0] == 0 && q.heap.next_time().is_none());
    }

    /// The same pushes with buckets sorted whole (the engine's way), here
    /// while they add up to at most 3 events:
    /// - pop: bucket 0 (D@1) is sorted into the front (bucket 2's three
    ///   more would pass 3); last = 1. D pops.
    /// - pop: bucket 2 (A@6, B@5, C@6 in push order) is sorted stably into
    ///   the front: B@5, A@6, C@6; last = 6, the latest. B pops.
    /// - F@6 is due no later than the front's latest (6): it goes into the
    ///   front after A and C. G@7 is later: bucket of 7 XOR 6 = 001, 0.
    /// - pops A, C, F; then buckets 0 (G@7) and 3 (E@12), two events, are
    ///   sorted into the front together.
    #[test]
    fn small_buckets_are_sorted_whole_in_scheduling_order() {
        let mut q = EventQueue::with_heap(4, 3, 1);
        let (a, b, c, d, e, f, g) = (0, 1, 2, 3, 4, 5, 6);
        q.push(SimTime(6), at_origin(a));
        q.push(SimTime(5), at_origin(b));
        q.push(SimTime(6), at_origin(c));
        q.push(SimTime(1), at_origin(d));
        q.push(SimTime(12), at_origin(e));
        assert_eq!(q.pop().map(|(at, e)| (at, id(e))), Some((SimTime(1), d)));
        assert_eq!(q.pop().map(|(at, e)| (at, id(e))), Some((SimTime(5), b)));
        assert_eq!((q.heap.last, q.heap.occupied[0]), (SimTime(6), 0b1000));
        q.push(SimTime(6), at_origin(f));
        q.push(SimTime(7), at_origin(g));
        let front: Vec<u32> = q.heap.front[q.heap.front_head..].iter().map(|&(_, e)| id(e)).collect();
        assert_eq!(front, [a, c, f]);
        assert_eq!(q.heap.occupied[0], 0b1001);
        let order: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop()).map(|(at, e)| (at.0, id(e))).collect();
        assert_eq!(order, [(6, a), (6, c), (6, f), (7, g), (12, e)]);
        assert!(q.is_empty() && q.heap.occupied[0] == 0 && q.heap.next_time().is_none());
    }

    proptest::proptest! {
        /// The queue pops exactly what a sort on (time, scheduling order) gives,
        /// whatever mix of pushes due now, pushes later, pops and clock moves.
        #[test]
        fn pops_in_time_then_scheduling_order(
            steps in proptest::collection::vec((0u8..4, 0u64..3), 1..200),
            sorted_run in 0usize..20,
            digit_bits in proptest::prop_oneof![proptest::strategy::Just(1u32), proptest::strategy::Just(4u32)],
        ) {
            let mut q = EventQueue::with_heap(4, sorted_run, digit_bits);
            let mut reference: Vec<(SimTime, u32)> = Vec::new();
            let mut now = SimTime::ZERO;
            let mut next_id = 0;
            for (action, delay) in steps {
                match action {
                    0 | 1 => {
                        q.push(now + SimDuration(delay), at_origin(next_id));
                        reference.push((now + SimDuration(delay), next_id));
                        next_id += 1;
                    }
                    2 => {
                        // The earliest by time, then by scheduling order (ids grow).
                        let expected = reference.iter().copied().min();
                        reference.retain(|x| Some(*x) != expected);
                        let got = q.pop().map(|(at, e)| (at, id(e)));
                        proptest::prop_assert_eq!(got, expected);
                        if let Some((at, _)) = got {
                            now = at;
                        }
                    }
                    _ => {
                        let limit = reference.iter().map(|x| x.0).min().unwrap_or(SimTime(u64::MAX));
                        now = (now + SimDuration(delay)).min(limit);
                        q.advance_to(now);
                    }
                }
                proptest::prop_assert_eq!(q.next_time(), reference.iter().map(|x| x.0).min());
                proptest::prop_assert_eq!(q.len(), reference.len());
            }
        }

        /// The same with thousands of events pending and times spread from
        /// microseconds to years (every bucket of the radix heap in use),
        /// digits of one bit or four, buckets split to the last digit or
        /// sorted whole:
        /// a reference ordered set gives the expected order.
        #[test]
        fn pops_in_order_with_many_pending_events_over_wide_time_ranges(
            steps in proptest::collection::vec(
                (0u8..8, proptest::prop_oneof![0u64..3, 0u64..100_000, 0u64..1 << 40, proptest::num::u64::ANY]),
                1..4000,
            ),
            sorted_run in 0usize..40,
            digit_bits in proptest::prop_oneof![proptest::strategy::Just(1u32), proptest::strategy::Just(4u32)],
        ) {
            let mut q = EventQueue::with_heap(4, sorted_run, digit_bits);
            let mut reference: std::collections::BTreeSet<(SimTime, u32)> = Default::default();
            let mut now = SimTime::ZERO;
            let mut next_id = 0;
            for (action, delay) in steps {
                match action {
                    // Pushes outnumber pops five to two, so events pile up.
                    0..=4 => {
                        q.push(now + SimDuration(delay), at_origin(next_id));
                        reference.insert((now + SimDuration(delay), next_id));
                        next_id += 1;
                    }
                    5 | 6 => {
                        let expected = reference.pop_first();
                        let got = q.pop().map(|(at, e)| (at, id(e)));
                        proptest::prop_assert_eq!(got, expected);
                        if let Some((at, _)) = got {
                            now = at;
                        }
                    }
                    _ => {
                        let limit = reference.first().map_or(SimTime::MAX, |x| x.0);
                        now = (now + SimDuration(delay)).min(limit);
                        q.advance_to(now);
                    }
                }
                proptest::prop_assert_eq!(q.next_time(), reference.first().map(|x| x.0));
                proptest::prop_assert_eq!(q.len(), reference.len());
            }
            while let Some(expected) = reference.pop_first() {
                proptest::prop_assert_eq!(q.pop().map(|(at, e)| (at, id(e))), Some(expected));
            }
            proptest::prop_assert!(q.pop().is_none());
        }
    }
}
