//! Miss-ratio curves from one reading of a trace (`cdnsim mrc`): the miss
//! ratio and byte miss ratio of a cache at many sizes.
//!
//! - [`stack`]: exact LRU by byte stack distances (a Fenwick tree over last
//!   uses, compacted so that memory follows the objects, not the requests).
//! - [`shards`]: SHARDS, the same on a hash-chosen sample of the objects,
//!   for traces too large for the exact pass, with an error estimate.
//! - [`policies`]: every other `EvictionPolicy`, one simulated cache per
//!   size, fed the same chunks of requests in parallel.
//! - [`curve`]: hits counted per size band, the sizes, the rows.
//! - [`objects`]: trace keys to object numbers, as a replay numbers them.
//! - [`pass`]: the reading that feeds them all.
//! - [`options`]: the options from the text a person gave (`cdnsim mrc`'s
//!   flags, `cdnsim.mrc`'s arguments).
//!
//! The trace is read as `replay` reads it (`crate::trace` readers: the same
//! format detection, CSV columns and strictness), each record one request
//! for its key at its size, nothing expiring. For a CSV trace that is what a
//! replay does. For access logs it is simpler than a replay: every logged
//! request counts, keyed by its URI stem at its `sc-bytes`, whereas a
//! replay passes methods other than GET and HEAD through uncached, caches
//! OPTIONS apart, keys query strings and cookies as the behavior's cache
//! policy says, and gives a HEAD or an error the size last set.
//!
//! **What the `lru` curve means.** A byte-capacity LRU cache of `C` bytes
//! holds the objects at the top of the recency stack while their sizes sum
//! to at most `C`, so a request hits iff its stack distance is at most `C`:
//! this is exact, and equals `cdnsim replay --policy lru --cache-size C`,
//! when two conditions hold:
//!
//! 1. `C` is at least the largest request's size. The cache store refuses an
//!    object larger than its capacity (`Admission::TooLarge`) and keeps what
//!    it holds; the stack puts it on top anyway, where it counts against
//!    every object below it. So below that size the stack pass is the cache
//!    that *empties itself* on such a request. What that cache holds is a
//!    prefix of what the real LRU holds at every moment (both hold a prefix
//!    of the same recency order of the objects that fit, and the emptying
//!    one stops at the first too-large object), so its misses and miss bytes
//!    are an **upper bound** on the real LRU's there.
//! 2. Each object keeps its size. A request whose size differs from its
//!    object's last is, for a replay, a hit on the copy of the old size (a
//!    lookup does not replace it); the stack takes the new size (as if each
//!    hit rewrote the entry), since the old one would depend on the size of
//!    the cache. `Mrc::size_changes` counts such requests.
//!
//! Asked for a single size, `mrc` simulates one LRU cache instead of the
//! stack pass (`pass::LruMethod`): cheaper for one size, and without either
//! caveat.
//!
//! The simulated policies have no such caveat: they are the cache store
//! itself, driven as a replay drives it. (That LRU is not monotone in the
//! cache size with sizes that vary is a fact, not an artefact: one object of
//! exactly `C` bytes evicts everything from a cache of `C` bytes, while a
//! cache a byte smaller refuses it and keeps its contents.)
//!
//! **Memory of the exact pass**: per distinct object, about 16.4 bytes of
//! stack (a 4-byte last position, 1.5 positions of 8 bytes, and the block
//! tree's 1/32 of those) plus the id table's 16-byte buckets kept 3/8 to
//! 3/4 full (21 to 43 bytes): 38 to 60 bytes, measured by
//! `Mrc::exact_memory_bytes` (`cargo bench --bench mrc` prints it).

pub mod curve;
pub mod objects;
pub mod options;
pub mod pass;
pub mod policies;
pub mod shards;
pub mod stack;

pub use curve::Row;
pub use options::MrcFlags;
pub use pass::{
    BELADY_NAME, LruMethod, Mrc, MrcOptions, SHARDS_NAME, Sizes, check_options, mrc, mrc_on_threads, mrc_stoppable,
};
pub use shards::Sampling;

/// The rows as `mrc.csv`: one row per policy and size.
pub fn csv_bytes(rows: &[Row]) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.serialize(row)?;
    }
    Ok(out.into_inner()?)
}

/// Everything as one JSON object (`mrc.json`, and `--format json`).
pub fn json(mrc: &Mrc) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(mrc)?)
}
