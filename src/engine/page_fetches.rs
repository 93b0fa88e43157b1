//! When the distribution has custom error pages: the object each page is,
//! the page fetches under way with the viewer each will answer, and the
//! viewers answered through a page until they leave the edge. Set up from
//! the scenario and the catalog; imports no handler (`error_pages.rs` is
//! the handler).

use super::ids::RequestId;
use crate::cdn::traffic::Catalog;
use crate::scenario::Scenario;
use std::collections::{HashMap, HashSet};

/// A page that is no object of a traffic class is numbered from here: past
/// any catalog or trace object, below the cache key's variant bit
/// (`policy::cache_key::cache_key`), so its key is its own.
pub(super) const PAGE_OBJECTS_FROM: u64 = 1 << 61;

/// What a page fetch asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PageObject {
    pub(super) object: u64,
    /// The class whose caching rule the page is stored under: the class
    /// whose object the page is, else the page column of `Rules`
    /// (`Rules::page_class`).
    pub(super) class: u16,
    /// `DistributionSpec::behavior_for` the page's path.
    pub(super) behavior: u16,
    pub(super) size_bytes: u64,
}

/// A page fetch under way: the viewer request whose error it answers.
#[derive(Clone, Copy, Debug)]
pub(super) struct Pending {
    pub(super) viewer: RequestId,
    /// The custom error response (index in the distribution's list).
    pub(super) entry: usize,
    /// The error the viewer would have had.
    pub(super) error: u16,
}

type Map<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
type Set<K> = HashSet<K, foldhash::fast::FixedState>;

pub(super) struct PageFetches {
    // Invariant: one entry per custom error response; `Some` for those
    // with a page.
    pub(super) pages: Vec<Option<PageObject>>,
    pub(super) pending: Map<RequestId, Pending>,
    /// Viewer requests whose answer the page (or its failure) decided.
    // Invariant: disjoint from the keys of `pending`, and from the viewers
    // named in it.
    pub(super) answered: Set<RequestId>,
}

impl PageFetches {
    /// `None` when no custom error response has a page. `page_class` is
    /// the class index of `Rules`' page column.
    pub(super) fn build(scenario: &Scenario, catalog: &Catalog, page_class: u16) -> Option<PageFetches> {
        let custom = &scenario.distribution.custom_error_responses;
        if custom.iter().all(|c| c.page.is_none()) {
            return None;
        }
        // Pages that are no class's object, by path: entries naming the
        // same path share one object (and one key in every cache).
        let mut own_paths: Vec<&str> = Vec::new();
        let pages = custom
            .iter()
            .map(|c| {
                let page = c.page.as_ref()?;
                let of_class = catalog
                    .object_for_path(scenario, &page.path)
                    .filter(|&(_, object)| object < catalog.total_objects());
                Some(match of_class {
                    Some((class, object)) => PageObject {
                        object,
                        class: class as u16,
                        behavior: catalog.behavior_of(object) as u16,
                        size_bytes: catalog.size_of(object),
                    },
                    None => {
                        let index = own_paths.iter().position(|p| *p == page.path).unwrap_or_else(|| {
                            own_paths.push(&page.path);
                            own_paths.len() - 1
                        });
                        PageObject {
                            object: PAGE_OBJECTS_FROM + index as u64,
                            class: page_class,
                            behavior: scenario.distribution.behavior_for(&page.path) as u16,
                            size_bytes: page.size_bytes,
                        }
                    }
                })
            })
            .collect();
        let hasher = || foldhash::fast::FixedState::with_seed(0);
        Some(PageFetches { pages, pending: Map::with_hasher(hasher()), answered: Set::with_hasher(hasher()) })
    }

    /// Whether `id` is a page fetch, not a viewer's request. (Out of line,
    /// as `forget_answered`: the engine's hot handlers only test whether
    /// the run has pages at all.)
    #[inline(never)]
    pub(super) fn is_fetch(&self, id: RequestId) -> bool {
        !self.pending.is_empty() && self.pending.contains_key(&id)
    }

    /// Forgets that viewer `id` was answered through a page, as it leaves
    /// the edge; returns whether it was.
    #[inline(never)]
    pub(super) fn forget_answered(&mut self, id: RequestId) -> bool {
        !self.answered.is_empty() && self.answered.remove(&id)
    }
}
