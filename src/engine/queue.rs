//! The one event queue: a binary min-heap on (time, sequence number), so
//! events due at the same microsecond run in the order they were scheduled,
//! and beside it a FIFO of the events scheduled for the current instant.
//!
//! With zero-latency hops (a trace replay) a miss schedules all its events
//! for the instant it is handled; the FIFO makes those a push and a pop on a
//! `Vec` instead of sifts through the heap. The order stays exactly (time,
//! sequence): an event enters the FIFO only when it is due at the clock's
//! instant, and the clock does not move on until the FIFO is empty, so any
//! heap event due at that instant was scheduled before every FIFO event
//! (it was pushed while the clock was earlier) and goes first.

use super::event::Event;
use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug)]
struct Scheduled {
    at: SimTime,
    seq: u64,
    event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Pending events. Only the engine's loop pops; handlers push.
pub struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    next_seq: u64,
    /// The clock: the time of the event last popped, or of the arrival the
    /// engine is handling (`advance_to`).
    now: SimTime,
    /// Events due at `now`, in scheduling order; `now_head` is the next one.
    due_now: Vec<Event>,
    now_head: usize,
}

impl EventQueue {
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
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
            self.heap.push(Scheduled { at, seq: self.next_seq, event });
            self.next_seq += 1;
        }
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, Event)> {
        if self.now_head < self.due_now.len() {
            // A heap event due now was scheduled before every FIFO event.
            if let Some(top) = self.heap.peek()
                && top.at == self.now
            {
                return self.heap.pop().map(|s| (s.at, s.event));
            }
            let event = self.due_now[self.now_head];
            self.now_head += 1;
            if self.now_head == self.due_now.len() {
                self.due_now.clear();
                self.now_head = 0;
            }
            return Some((self.now, event));
        }
        let next = self.heap.pop()?;
        self.now = next.at;
        Some((next.at, next.event))
    }

    /// When the earliest pending event is due.
    #[inline]
    pub fn next_time(&self) -> Option<SimTime> {
        if self.now_head < self.due_now.len() { Some(self.now) } else { self.heap.peek().map(|s| s.at) }
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.due_now.len() - self.now_head
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

    proptest::proptest! {
        /// The queue pops exactly what a sort on (time, scheduling order) gives,
        /// whatever mix of pushes due now, pushes later, pops and clock moves.
        #[test]
        fn pops_in_time_then_scheduling_order(steps in proptest::collection::vec((0u8..4, 0u64..3), 1..200)) {
            let mut q = EventQueue::with_capacity(4);
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
    }
}
