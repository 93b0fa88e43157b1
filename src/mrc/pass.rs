//! The one reading of the trace that feeds every pass: the exact stack, the
//! SHARDS samplers and the simulated caches (in chunks, in parallel).

use super::curve::{HitCounter, Row, pick_log_spaced, size_grid};
use super::objects::{ObjectIds, key_hash};
use super::policies::{Policies, Request};
use super::shards::{Sampling, Shards, ShardsSummary};
use super::stack::Stack;
use crate::cache::belady::{Access, Belady, next_uses_dense};
use crate::engine::Stopped;
use crate::replay::TraceInput;
use crate::scenario::EvictionPolicy;
use crate::trace::cloudfront_log::CloudFrontLogReader;
use crate::trace::csv::CsvReader;
use crate::trace::detect::{TraceFormat, detect_format};
use crate::trace::lines::ReadProgress;
use crate::trace::oracle::OracleReader;
use crate::trace::{MalformedLines, TraceReader};
use std::ops::ControlFlow;
use std::path::Path;

/// The sizes a curve is computed at.
#[derive(Clone, Debug, PartialEq)]
pub enum Sizes {
    /// These sizes, in bytes.
    Given(Vec<u64>),
    /// `points` sizes on a log scale from the smallest request's size to the
    /// working set (the sum of the distinct objects' sizes), rounded up
    /// onto `curve::size_grid`.
    Default { points: usize },
}

/// What `mrc` computes.
#[derive(Clone, Debug)]
pub struct MrcOptions {
    pub sizes: Sizes,
    /// The policies whose curves are computed: `Lru` by the exact stack pass
    /// (or, at one size, by a simulated cache: see `LruMethod`), the others by
    /// simulating a cache at every size.
    pub policies: Vec<EvictionPolicy>,
    /// A SHARDS estimate of the LRU curve besides (named `lru-shards`).
    pub sampling: Option<Sampling>,
    /// Belady's MIN at every size besides (named `belady`): the bound no
    /// policy beats. It needs the future, so the pass keeps every request's
    /// object and size (12 bytes a request) and runs it after the reading.
    pub belady: bool,
    /// Read at most this many requests.
    pub limit: Option<u64>,
}

/// The name of the SHARDS pass's rows.
pub const SHARDS_NAME: &str = "lru-shards";

/// The name of Belady's rows.
pub const BELADY_NAME: &str = "belady";

/// Requests a chunk holds before the simulated caches are fed it.
const CHUNK: usize = 1 << 14;

/// How the `lru` rows were computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LruMethod {
    /// Byte stack distances: every size from one pass (see the module's
    /// notes for what they equal below the largest request's size).
    StackDistances,
    /// One simulated LRU cache, the cache store as a replay drives it. Chosen
    /// when one size is asked for: the stack's Fenwick updates cost about
    /// twice a simulated cache's list moves per request (10M requests, 1M
    /// objects: 1.3 s against 0.8 s, reading included), so a single size is
    /// cheaper simulated, and then also exact below the largest request.
    Simulated,
}

/// What `mrc` found.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Mrc {
    /// One row per policy and size: the policies in the order asked, then
    /// `belady`, then `lru-shards`; sizes increasing.
    pub rows: Vec<Row>,
    pub requests: u64,
    pub bytes: u64,
    /// Distinct objects (when a pass numbered them: not for SHARDS alone).
    pub objects: Option<u64>,
    pub smallest_request_bytes: u64,
    pub largest_request_bytes: u64,
    /// How the `lru` rows were computed, if there are any.
    pub lru_method: Option<LruMethod>,
    /// Requests whose size differs from their object's request before
    /// (counted by the stack pass).
    pub size_changes: Option<u64>,
    /// The working set: the exact pass's, else SHARDS's estimate.
    pub working_set_bytes: u64,
    pub shards: Option<ShardsSummary>,
    /// Heap bytes of the exact pass's stack and object table at the end.
    pub exact_memory_bytes: Option<u64>,
    pub malformed: MalformedLines,
}

/// Checks options a person gave, with what to give instead.
pub fn check_options(options: &MrcOptions) -> anyhow::Result<()> {
    match &options.sizes {
        Sizes::Given(sizes) => {
            anyhow::ensure!(!sizes.is_empty(), "--sizes: give at least one cache size");
            anyhow::ensure!(sizes.iter().all(|&s| s > 0), "--sizes: a cache size must be at least 1 byte");
        }
        Sizes::Default { points } => anyhow::ensure!(*points >= 1, "--points must be at least 1"),
    }
    match options.sampling {
        Some(Sampling::Rate(r)) => anyhow::ensure!(
            r > 0.0 && r <= 1.0,
            "--sample-rate {r}: give a fraction in (0, 1], e.g. 0.01 for 1% of the objects"
        ),
        Some(Sampling::Objects(n)) => anyhow::ensure!(n >= 1, "--sample-objects must be at least 1"),
        None => {}
    }
    anyhow::ensure!(
        !options.policies.is_empty() || options.sampling.is_some() || options.belady,
        "nothing to compute: give --policy, or --sample-rate/--sample-objects"
    );
    if let Some(n) = options.limit {
        anyhow::ensure!(n > 0, "--requests must be at least 1");
    }
    Ok(())
}

/// Requests read before the numbered passes take them: enough for the loads
/// started when a request is read to have arrived when it is numbered.
const BATCH: usize = 64;

/// A request read and not yet numbered.
#[derive(Clone, Copy, Debug)]
struct Pending {
    key: PendingKey,
    size_bytes: u64,
}

#[derive(Clone, Copy, Debug)]
enum PendingKey {
    /// A canonical decimal id.
    Number(u64),
    /// Any other key: its bytes in `Passes::text_keys`.
    Text { start: usize, end: usize },
}

/// Every pass the reading feeds, and the counts of what was read.
struct Passes {
    /// Whether requests need object numbers (the exact pass or simulated caches).
    numbered: bool,
    ids: ObjectIds,
    stack: Option<Stack>,
    hits: HitCounter<u64>,
    shards: Option<Shards>,
    policies: Policies,
    // Invariant: fewer than CHUNK requests, numbered, not yet fed to the caches.
    chunk: Vec<Request>,
    // Invariant: fewer than BATCH requests, read but not yet numbered.
    pending: Vec<Pending>,
    text_keys: Vec<u8>,
    /// `pending`'s object numbers, in a reused buffer.
    objects: Vec<u32>,
    /// Every request's object and size, in order, for Belady's pass.
    future: Option<(Vec<u32>, Vec<u64>)>,
    requests: u64,
    bytes: u64,
    size_changes: u64,
    smallest: u64,
    largest: u64,
}

impl Passes {
    /// Reads up to `limit` requests into every pass; returns the malformed
    /// lines and the file read last.
    fn read<R: TraceReader>(
        &mut self,
        mut reader: R,
        limit: u64,
        on_progress: &mut dyn FnMut(ReadProgress) -> ControlFlow<Stopped>,
    ) -> anyhow::Result<(MalformedLines, std::path::PathBuf)> {
        if let ControlFlow::Break(stopped) = on_progress(reader.progress()) {
            return Err(stopped.into());
        }
        while self.requests < limit {
            let Some(record) = reader.next_record()? else { break };
            let size = record.size_bytes;
            self.requests += 1;
            self.bytes += size;
            self.smallest = self.smallest.min(size);
            self.largest = self.largest.max(size);
            if let Some(shards) = &mut self.shards {
                shards.request(key_hash(&record), size);
            }
            if self.numbered {
                let key = match record.key_number {
                    Some(n) => {
                        self.ids.prefetch_number(n);
                        PendingKey::Number(n)
                    }
                    None => {
                        let start = self.text_keys.len();
                        self.text_keys.extend_from_slice(record.key);
                        PendingKey::Text { start, end: self.text_keys.len() }
                    }
                };
                self.pending.push(Pending { key, size_bytes: size });
                if self.pending.len() == BATCH {
                    self.flush();
                }
            }
            if self.requests.is_multiple_of(PROGRESS_EVERY)
                && let ControlFlow::Break(stopped) = on_progress(reader.progress())
            {
                return Err(stopped.into());
            }
        }
        self.flush();
        self.policies.run(&self.chunk);
        self.chunk.clear();
        // Whatever this last report answers, the reading is done: what is
        // left (Belady's pass, the rows) is not stopped.
        let _ = on_progress(reader.progress());
        Ok((reader.malformed().clone(), reader.place().0.to_path_buf()))
    }

    /// Numbers the pending requests in order and feeds them to the exact
    /// pass and the simulated caches.
    fn flush(&mut self) {
        self.objects.clear();
        for p in &self.pending {
            let (object, _) = match p.key {
                PendingKey::Number(n) => self.ids.number_of(Some(n), &[]),
                PendingKey::Text { start, end } => self.ids.number_of(None, &self.text_keys[start..end]),
            };
            self.objects.push(object);
            // The entry the stack reads first, loading while the rest are numbered.
            if let Some(stack) = &self.stack {
                stack.prefetch_object(object);
            }
        }
        if let Some((objects, sizes)) = &mut self.future {
            objects.extend_from_slice(&self.objects);
            sizes.extend(self.pending.iter().map(|p| p.size_bytes));
        }
        if let Some(stack) = &mut self.stack {
            // Each request's block (found from its entry, loaded by now) 8 requests ahead.
            for (i, p) in self.pending.iter().enumerate() {
                if let Some(&ahead) = self.objects.get(i + 8) {
                    stack.prefetch_block(ahead);
                }
                let object = self.objects[i];
                self.size_changes += stack.size_of(object).is_some_and(|s| s != p.size_bytes) as u64;
                self.hits.record(stack.access(object, p.size_bytes), 1, p.size_bytes);
            }
        }
        if !self.policies.is_empty() {
            for (p, &object) in self.pending.iter().zip(&self.objects) {
                self.chunk.push(Request { object, size_bytes: p.size_bytes });
                if self.chunk.len() == CHUNK {
                    self.policies.run(&self.chunk);
                    self.chunk.clear();
                }
            }
        }
        self.pending.clear();
        self.text_keys.clear();
    }
}

/// Opens the trace as `replay` does.
fn open(path: &Path, input: &TraceInput) -> anyhow::Result<Box<dyn TraceReader>> {
    let format = match input.format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    Ok(match format {
        TraceFormat::Csv => Box::new(CsvReader::open(path, input.csv.clone())?),
        TraceFormat::CloudfrontLog => Box::new(CloudFrontLogReader::open(path, input.csv.strict)?),
        TraceFormat::OracleGeneral => Box::new(OracleReader::open(path, input.csv.strict)?),
    })
}

/// How often, in requests, progress is reported.
const PROGRESS_EVERY: u64 = 1 << 16;

/// The miss-ratio curves of the trace at `path`. `on_progress` hears the
/// bytes read now and then. An empty trace is an error.
pub fn mrc(
    path: &Path,
    input: &TraceInput,
    options: &MrcOptions,
    on_progress: &mut dyn FnMut(ReadProgress),
) -> anyhow::Result<Mrc> {
    mrc_stoppable(path, input, options, &mut |progress| {
        on_progress(progress);
        ControlFlow::Continue(())
    })
}

/// `mrc_stoppable` on a pool of `threads` threads of its own (by default
/// one per core): the simulated caches and Belady's sizes run on them in
/// parallel; the results do not depend on how many there are.
pub fn mrc_on_threads(
    threads: Option<usize>,
    path: &Path,
    input: &TraceInput,
    options: &MrcOptions,
    on_progress: &mut (dyn FnMut(ReadProgress) -> ControlFlow<Stopped> + Send),
) -> anyhow::Result<Mrc> {
    if let Some(threads) = threads {
        anyhow::ensure!(threads >= 1, "--threads must be at least 1");
    }
    // 0 threads asks rayon for its default: one per core.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the threads: {e}"))?;
    pool.install(|| mrc_stoppable(path, input, options, on_progress))
}

/// `mrc` whose `on_progress` may stop it, as `engine::run_stoppable`'s
/// does: answered `ControlFlow::Break(Stopped)`, the reading ends there and
/// the error is `engine::Stopped` (the Python package stops it so on
/// Ctrl-C). It is asked every 65,536 requests read, where progress is
/// reported, and by the extra reading that finds the default sizes of
/// simulated caches, whose progress it hears too; Belady's pass, after the
/// reading, is not stopped.
pub fn mrc_stoppable(
    path: &Path,
    input: &TraceInput,
    options: &MrcOptions,
    on_progress: &mut dyn FnMut(ReadProgress) -> ControlFlow<Stopped>,
) -> anyhow::Result<Mrc> {
    check_options(options)?;
    let lru_method = options.policies.contains(&EvictionPolicy::Lru).then(|| match &options.sizes {
        Sizes::Given(given) if given.iter().all(|&s| s == given[0]) => LruMethod::Simulated,
        _ => LruMethod::StackDistances,
    });
    let exact = lru_method == Some(LruMethod::StackDistances);
    let simulated: Vec<EvictionPolicy> =
        options.policies.iter().copied().filter(|&p| p != EvictionPolicy::Lru || !exact).collect();
    // The simulated caches need their sizes before the pass; by default they
    // come from the trace, so it is read once more first.
    let sizes = match &options.sizes {
        Sizes::Default { points } if !simulated.is_empty() => {
            let (smallest, working_set) = scan(path, input, options.limit, on_progress)?;
            Sizes::Given(pick_log_spaced(&size_grid(), smallest, working_set, *points))
        }
        sizes => sizes.clone(),
    };
    let capacities = match &sizes {
        Sizes::Given(given) => {
            let mut c = given.clone();
            c.sort_unstable();
            c.dedup();
            c
        }
        Sizes::Default { .. } => size_grid(),
    };

    let format = match input.format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let mut passes = Passes {
        numbered: exact || !simulated.is_empty() || options.belady,
        ids: ObjectIds::new(),
        stack: exact.then(Stack::new),
        hits: HitCounter::new(if exact { capacities.clone() } else { Vec::new() }),
        shards: options.sampling.map(|s| Shards::new(s, &capacities)),
        policies: Policies::new(&simulated, &capacities),
        chunk: Vec::new(),
        pending: Vec::with_capacity(BATCH),
        text_keys: Vec::new(),
        objects: Vec::with_capacity(BATCH),
        future: options.belady.then(|| (Vec::new(), Vec::new())),
        requests: 0,
        bytes: 0,
        size_changes: 0,
        smallest: u64::MAX,
        largest: 0,
    };
    let limit = options.limit.unwrap_or(u64::MAX);
    // A generic reader, not a `dyn` one: the reader's record inlines into
    // the loop, which matters at SHARDS's tens of millions of lines a second.
    let (malformed, file) = match format {
        TraceFormat::Csv => passes.read(CsvReader::open(path, input.csv.clone())?, limit, on_progress)?,
        TraceFormat::CloudfrontLog => {
            passes.read(CloudFrontLogReader::open(path, input.csv.strict)?, limit, on_progress)?
        }
        TraceFormat::OracleGeneral => passes.read(OracleReader::open(path, input.csv.strict)?, limit, on_progress)?,
    };
    let Passes {
        numbered,
        ids,
        stack,
        hits,
        shards,
        policies,
        future,
        requests,
        bytes,
        size_changes,
        smallest,
        largest,
        ..
    } = passes;
    if requests == 0 {
        anyhow::bail!(
            "{}: no request was read ({}) (fix: check the trace's layout: --trace-format, --id-col, --size-col, \
             --delimiter, --no-header)",
            file.display(),
            if malformed.count > 0 {
                format!("all {} lines were malformed; the first: {}", malformed.count, malformed.first[0])
            } else {
                "the trace holds no request".to_string()
            }
        );
    }

    let working_set = match (&stack, &shards) {
        (Some(stack), _) => stack.total_bytes(),
        (None, Some(shards)) => shards.working_set_bytes(),
        (None, None) => 0,
    };
    let reported: Vec<u64> = match &sizes {
        Sizes::Given(_) => capacities.clone(),
        Sizes::Default { points } => {
            let ws = if exact || shards.is_some() { working_set } else { largest };
            pick_log_spaced(&capacities, smallest, ws, *points)
        }
    };
    let mut rows = Vec::new();
    let simulated_rows = policies.rows();
    for &policy in &options.policies {
        if policy == EvictionPolicy::Lru && exact {
            let curve = hits.cumulative();
            for &size in &reported {
                let (_, hit_count, hit_bytes) = curve[curve.partition_point(|p| p.0 < size)];
                rows.push(Row::new(policy.name(), size, requests, requests - hit_count, bytes, bytes - hit_bytes));
            }
        } else {
            rows.extend(simulated_rows.iter().filter(|r| r.policy == policy.name()).cloned());
        }
    }
    if let Some((objects, sizes)) = &future {
        rows.extend(belady_rows(objects, sizes, ids.len() as usize, &reported, bytes));
    }
    let shards_summary = shards.map(|shards| {
        let (shard_rows, summary) = shards.finish(SHARDS_NAME, &reported, requests, bytes);
        rows.extend(shard_rows);
        summary
    });
    let size_changes = stack.as_ref().map(|_| size_changes);
    let exact_memory_bytes = stack.as_ref().map(|s| (s.memory_bytes() + ids.memory_bytes()) as u64);
    Ok(Mrc {
        rows,
        requests,
        bytes,
        objects: numbered.then_some(ids.len() as u64),
        smallest_request_bytes: smallest,
        largest_request_bytes: largest,
        lru_method,
        size_changes,
        working_set_bytes: working_set,
        shards: shards_summary,
        exact_memory_bytes,
        malformed,
    })
}

/// Belady's rows at each of `sizes`, each size's run on the current rayon
/// pool (each sees every request in order, so the threads change nothing).
/// `bytes` is the requests' bytes, counted by the reading.
fn belady_rows(objects: &[u32], sizes_of_requests: &[u64], n_objects: usize, sizes: &[u64], bytes: u64) -> Vec<Row> {
    use rayon::prelude::*;
    debug_assert_eq!(bytes, sizes_of_requests.iter().sum::<u64>());
    let next = next_uses_dense(objects, n_objects);
    let requests = objects.len() as u64;
    sizes
        .par_iter()
        .with_max_len(1)
        .map(|&capacity| {
            let mut cache = Belady::new(capacity, n_objects);
            let (mut misses, mut miss_bytes) = (0, 0);
            for ((&object, &size), &next) in objects.iter().zip(sizes_of_requests).zip(&next) {
                if cache.access(object, size, next) != Access::Hit {
                    misses += 1;
                    miss_bytes += size;
                }
            }
            Row::new(BELADY_NAME, capacity, requests, misses, bytes, miss_bytes)
        })
        .collect()
}

/// The smallest request's size and the working set (each object at its
/// last request's size), for the default sizes of simulated caches.
fn scan(
    path: &Path,
    input: &TraceInput,
    limit: Option<u64>,
    on_progress: &mut dyn FnMut(ReadProgress) -> ControlFlow<Stopped>,
) -> anyhow::Result<(u64, u64)> {
    let mut reader = open(path, input)?;
    let mut ids = ObjectIds::new();
    let mut sizes: Vec<u64> = Vec::new();
    let mut smallest = u64::MAX;
    let mut read = 0u64;
    while read < limit.unwrap_or(u64::MAX) {
        let Some(record) = reader.next_record()? else { break };
        read += 1;
        let (object, new) = ids.number(&record);
        if new {
            sizes.push(0);
        }
        sizes[object as usize] = record.size_bytes;
        smallest = smallest.min(record.size_bytes);
        if read.is_multiple_of(PROGRESS_EVERY)
            && let ControlFlow::Break(stopped) = on_progress(reader.progress())
        {
            return Err(stopped.into());
        }
    }
    Ok((smallest, sizes.iter().sum()))
}
