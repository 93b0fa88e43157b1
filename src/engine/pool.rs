//! The requests in flight: a pool of reused slots, so that a request in
//! steady state allocates nothing. A freed slot's id is handed out again,
//! last freed first (its memory is the likeliest to be in the CPU's caches).

use std::ops::{Index, IndexMut};

use super::ids::RequestId;
use super::request::Request;

pub struct RequestPool {
    // Invariant: slots.len() == in_use() + free.len(), and free names each
    // slot not in use exactly once (no double free).
    slots: Vec<Request>,
    free: Vec<RequestId>,
    /// Per slot, whether it is in use: checks every `free` in debug builds.
    #[cfg(debug_assertions)]
    in_use: Vec<bool>,
}

impl RequestPool {
    /// A pool with room for `capacity` requests before it grows.
    pub fn with_capacity(capacity: usize) -> RequestPool {
        RequestPool {
            slots: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
            #[cfg(debug_assertions)]
            in_use: Vec::with_capacity(capacity),
        }
    }

    /// Puts a new request in a free slot. It is built there, not copied in
    /// (it is large, and every request that is no edge hit passes here).
    pub fn allocate(&mut self, request: impl FnOnce() -> Request) -> RequestId {
        let id = match self.free.pop() {
            Some(id) => {
                self.slots[id.index()] = request();
                id
            }
            None => {
                // Growing is rare (the pool ends as large as the most
                // requests ever in flight): the id check costs nothing.
                let id = RequestId::from_index(self.slots.len());
                self.slots.push(request());
                #[cfg(debug_assertions)]
                self.in_use.push(false);
                id
            }
        };
        #[cfg(debug_assertions)]
        {
            assert!(!self.in_use[id.index()], "request {id:?} was handed out twice");
            self.in_use[id.index()] = true;
        }
        id
    }

    /// Returns a finished request's slot.
    pub fn free(&mut self, id: RequestId) {
        debug_assert!(id.index() < self.slots.len(), "request {id:?} is not in the pool");
        #[cfg(debug_assertions)]
        {
            assert!(self.in_use[id.index()], "request {id:?} freed twice");
            self.in_use[id.index()] = false;
        }
        // Cheap enough to keep in release builds: a double free that makes
        // more free ids than slots.
        assert!(self.free.len() < self.slots.len(), "more requests freed than allocated");
        self.free.push(id);
    }

    /// Requests allocated and not yet freed.
    pub fn in_use(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

impl Index<RequestId> for RequestPool {
    type Output = Request;

    fn index(&self, id: RequestId) -> &Request {
        &self.slots[id.index()]
    }
}

impl IndexMut<RequestId> for RequestPool {
    fn index_mut(&mut self, id: RequestId) -> &mut Request {
        &mut self.slots[id.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::super::ids::CacheIdx;
    use super::super::request::{Ask, Level, OriginAttempt, Route};
    use super::*;
    use crate::http::Method;
    use crate::policy::cache_key::cache_key;
    use crate::scenario::RequestAttributes;
    use crate::time::SimTime;

    fn request(object: u64) -> Request {
        let ask = Ask {
            start: SimTime::ZERO,
            arrived: SimTime::ZERO,
            object,
            key: cache_key(object, Method::Get, None),
            size_bytes: 1,
            copy_bytes: 1,
            encoding: crate::policy::compression::Encoding::Identity,
            class: 0,
            behavior: 0,
            edge: 0,
            geo_refused: false,
            method: Method::Get,
            https: true,
            measured: false,
            session: 0,
            logged_result: None,
            logged_signature: None,
            attributes: RequestAttributes::NONE,
        };
        let edge = Level::new(CacheIdx::new(0), true, false);
        Request::new(ask, Route::at_edge(edge), OriginAttempt::primary(0))
    }

    #[test]
    fn slots_are_reused_last_freed_first() {
        let mut pool = RequestPool::with_capacity(2);
        let a = pool.allocate(|| request(1));
        let b = pool.allocate(|| request(2));
        let c = pool.allocate(|| request(3));
        assert_eq!((a.index(), b.index(), c.index()), (0, 1, 2));
        assert_eq!(pool.in_use(), 3);
        pool.free(a);
        pool.free(c);
        assert_eq!(pool.in_use(), 1);
        let d = pool.allocate(|| request(4));
        assert_eq!(d, c);
        assert_eq!(pool[d].ask.object, 4);
        assert_eq!(pool[b].ask.object, 2);
        pool[b].ask.size_bytes = 9;
        assert_eq!(pool[b].ask.size_bytes, 9);
        assert_eq!(pool.allocate(|| request(5)), a);
        assert_eq!(pool.in_use(), 3);
    }

    #[test]
    #[should_panic(expected = "freed")]
    fn a_double_free_is_caught() {
        let mut pool = RequestPool::with_capacity(1);
        let a = pool.allocate(|| request(1));
        pool.free(a);
        pool.free(a);
    }
}
