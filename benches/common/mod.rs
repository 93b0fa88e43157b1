//! What the benchmarks share: each bench is its own crate and includes this
//! module with `mod common;`.
#![allow(dead_code)] // Not every bench uses every helper.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicU64, Ordering};

/// The `cdnsim` binary's allocator (`src/main.rs` says why), so that the
/// benches measure what its users run, counting allocations so that a bench
/// can show a hot path makes none.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: defers every call to mimalloc, only counting on the way.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations (and reallocations) made so far by the whole process.
pub fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// This thread's time on a CPU (Linux), which background load on a shared
/// machine does not inflate as it does wall time.
pub fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(text.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// The middle value (the upper one of an even count).
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

/// The process's peak resident memory (Linux: `VmHWM` in /proc/self/status).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The scenario overrides a bench run asks for: `CDNSIM_BENCH_SET="a.b=1;c.d=2"`
/// (fields to vary, to explore how the figures depend on them) and
/// `CDNSIM_BENCH_REQUESTS=N` (shorter runs), as `--set` strings.
pub fn scenario_sets() -> Vec<String> {
    let mut sets: Vec<String> = std::env::var("CDNSIM_BENCH_SET")
        .map(|v| v.split(';').filter(|s| !s.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    if let Ok(n) = std::env::var("CDNSIM_BENCH_REQUESTS") {
        sets.push(format!("simulation.requests={n}"));
    }
    sets
}

/// Cache memory per object over the caches that are (nearly) full: tables
/// are sized at set-up for full caches, so the figure means something only
/// for those. `(objects, memory bytes, full caches)`, or `None` when no
/// cache is 90% full.
pub fn full_cache_memory(report: &cdnsim::engine::Report) -> Option<(usize, usize, usize)> {
    let full: Vec<_> = report.caches.iter().filter(|c| c.used_bytes * 10 >= c.capacity_bytes * 9).collect();
    let (objects, memory) = full.iter().fold((0, 0), |(o, m), c| (o + c.objects, m + c.memory_bytes));
    (!full.is_empty()).then_some((objects, memory, full.len()))
}
