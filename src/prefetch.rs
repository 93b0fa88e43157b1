//! A hint to the CPU to start loading memory that will be read soon.
//!
//! The engine knows the next request one step ahead (arrivals are generated
//! lazily, one pending at a time), so it can ask for that request's catalog
//! entry and cache-index bucket while it still works on the current one. On
//! a 1M-object catalog those loads are otherwise cache misses on every
//! request. A hint never changes results: it only moves a load earlier.

/// Asks for the cache line holding `value` to be loaded into all cache levels.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never faults and reads nothing the
    // program can observe, and `value` is a valid reference anyway.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
