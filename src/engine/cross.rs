//! A request moving to a cache or origin in another partition (`partition.rs`):
//! it leaves in the sender's outbox and arrives at a window's end. Every
//! place a request moves between nodes goes through here; in a serial run
//! (no partition) each is the queue push it always was.
//!
//! Going up from a cache of this partition, a request stays parked in its
//! slot (the caches' fetches and waiter lists name it), since its response
//! comes back down to that cache; the receiver takes a copy in a slot of its
//! own, whose parent is the parked one. Coming down to a level in another
//! partition, the copy goes back to its parent, which takes the response
//! and goes on down. A request leaving from a cache elsewhere (failed over
//! by its origin, to the secondary or its Origin Shield) goes on as whoever
//! it answers, and its slot here is freed; arriving where that one is
//! parked, it is that one again.

use super::event::Event;
use super::ids::{LevelIdx, MAX_LEVELS, RequestId};
use super::observer::RequestObserver;
use super::partition::{Crossing, Message, Outbox, Parent};
use super::state::Engine;
use crate::time::SimTime;

impl<O: RequestObserver> Engine<'_, O> {
    /// The request reaches the cache at `level` of its route at `at`.
    #[inline]
    pub(super) fn arrive_at_level(&mut self, at: SimTime, id: RequestId, level: LevelIdx) {
        if let Some(p) = &self.partition {
            let to = p.plan.cache_part(self.requests[id].route[level].cache);
            if to != p.me() {
                return self.send_up(at, id, to, Crossing::AtLevel(level));
            }
        }
        self.queue.push(at, Event::AtLevel { request: id, level });
    }

    /// The request reaches its current origin at `at`.
    #[inline]
    pub(super) fn arrive_at_origin(&mut self, at: SimTime, id: RequestId) {
        if let Some(p) = &self.partition {
            let to = p.plan.origin_part(self.requests[id].attempt.origin());
            if to != p.me() {
                return self.send_up(at, id, to, Crossing::AtOrigin);
            }
        }
        self.queue.push(at, Event::AtOrigin { request: id });
    }

    /// The response reaches `level` on its way down at `at`.
    #[inline]
    pub(super) fn arrive_down_at(&mut self, at: SimTime, id: RequestId, level: LevelIdx) {
        if let Some(p) = &self.partition {
            let to = p.plan.cache_part(self.requests[id].route[level].cache);
            if to != p.me() {
                return self.send_back(at, id, to, level);
            }
        }
        self.queue.push(at, Event::Down { request: id, level });
    }

    #[inline(never)]
    fn send_up(&mut self, at: SimTime, id: RequestId, to: usize, crossing: Crossing) {
        let p = self.partition.as_mut().expect("only a partition sends requests elsewhere");
        let request = &self.requests[id];
        let me = p.me();
        // The response comes down first to the cache the request leaves
        // from: the level below the one it goes to, or the route's top for
        // an origin. (A failed-over request leaves from there too, though
        // the origins sent it on.)
        let leaves_from = match crossing {
            Crossing::AtLevel(level) => level.below().expect("a request goes up to a level above the edge"),
            _ => request.route.top(),
        };
        let comes_back = p.plan.cache_part(request.route[leaves_from].cache) == me;
        let parent = if comes_back {
            Parent { part: me as u16, id }
        } else {
            p.parent(id).expect("a request with no cache on its route here came from another partition")
        };
        debug_assert!(at >= self.now + p.plan.lookahead(), "a request crossed partitions within the lookahead");
        p.outbox.push_with(to, || Message { at, crossing, parent, request: *request });
        if !comes_back {
            p.set_parent(id, None);
            self.requests.free(id);
        }
    }

    #[inline(never)]
    fn send_back(&mut self, at: SimTime, id: RequestId, to: usize, level: LevelIdx) {
        let p = self.partition.as_mut().expect("only a partition sends requests elsewhere");
        let parent = p.parent(id).expect("a response goes down to another partition only to the request it came from");
        debug_assert_eq!(parent.part as usize, to, "a response goes back down to the partition it came from");
        debug_assert!(at >= self.now + p.plan.lookahead(), "a response crossed partitions within the lookahead");
        let request = &self.requests[id];
        p.outbox.push_with(to, || Message { at, crossing: Crossing::Down(level), parent, request: *request });
        p.set_parent(id, None);
        self.requests.free(id);
    }

    /// At a window's start, takes what the partitions sent here in the last
    /// one (`sent`: each partition's, in the order sent), by time of arrival,
    /// then sender, then the order sent; and forgets what it sent itself,
    /// delivered by now.
    pub(super) fn receive_sent(&mut self, sent: &[Outbox]) {
        let p = self.partition.as_mut().expect("only a partition receives requests");
        let me = p.me();
        p.outbox.clear();
        let mut mine = std::mem::take(&mut p.inbound);
        mine.clear();
        for (from, outbox) in sent.iter().enumerate() {
            mine.extend(outbox.to(me).iter().enumerate().map(|(i, m)| (m.at, from as u32, i as u32)));
        }
        mine.sort_unstable();
        for &(_, from, i) in &mine {
            self.receive(&sent[from as usize].to(me)[i as usize]);
        }
        self.partition.as_mut().expect("checked above").inbound = mine;
    }

    /// Takes a request another partition sent here, copying it once, into
    /// its slot.
    fn receive(&mut self, message: &Message) {
        let p = self.partition.as_mut().expect("only a partition receives requests");
        let me = p.me();
        let event = |id| match message.crossing {
            Crossing::AtLevel(level) => Event::AtLevel { request: id, level },
            Crossing::AtOrigin => Event::AtOrigin { request: id },
            Crossing::Down(level) => Event::Down { request: id, level },
        };
        let id = if message.parent.part as usize == me {
            // The request parked here itself: coming back down, or sent on up
            // again from elsewhere (an origin failing it over to a secondary
            // here). It takes the state it comes with, and keeps the waiter
            // lists that formed at its caches here meanwhile.
            let id = message.parent.id;
            let mut held = [None; MAX_LEVELS];
            for (kept, level) in held.iter_mut().zip(self.requests[id].route.levels()) {
                *kept = level.waiters;
            }
            let request = &mut self.requests[id];
            *request = message.request;
            for (level, kept) in request.route.levels_mut().iter_mut().zip(held) {
                level.waiters = if p.plan.cache_part(level.cache) == me { kept } else { None };
            }
            id
        } else {
            debug_assert!(!matches!(message.crossing, Crossing::Down(_)), "a response comes down to its parent");
            let id = self.requests.allocate(|| message.request);
            // A copy, whose waiter lists below belong to the parent's
            // partition and name slots there.
            for level in self.requests[id].route.levels_mut() {
                if p.plan.cache_part(level.cache) != me {
                    level.waiters = None;
                }
            }
            p.set_parent(id, Some(message.parent));
            id
        };
        self.queue.push(message.at, event(id));
    }
}
