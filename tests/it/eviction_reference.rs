//! Miss counts against libCacheSim: every eviction policy, replayed here on
//! traces this file generates, must give exactly the misses and byte misses
//! that libCacheSim gives on the same traces.
//!
//! Where the numbers come from: the `libcachesim` Python wheel 0.3.5 (PyPI),
//! one `cache.get(Request)` per trace line (libCacheSim's `cache_get_base`,
//! as its own trace driver does), caches built with default parameters and
//! `default_ttl=0` (nothing expires): `LRU`, `FIFO`, `Sieve`, `Clock`,
//! `S3FIFO` (shown as `S3FIFO-0.1000-2`), `TwoQ`, `SLRU` (shown as
//! `S4LRU(25:25:25:25)`), `ARC`, `GDSF` and `LFUDA`, each `(capacity_bytes)`. The trace was
//! written by a Python copy of `generate` below; its fingerprint, checked
//! first, shows that both produced the same requests. The tests need neither
//! libCacheSim nor any file outside the project.
//!
//! LFUDA has no count on trace A at 25,000 bytes: there its priorities
//! grow past libCacheSim's 64-bit range and its search for the next age
//! runs for hours (`src/cache/lfuda.rs`). Its other counts are the wheel's,
//! and `cachesim` built from the libCacheSim sources that `lfuda.rs`
//! follows (aa0fc40) prints the same miss and byte miss ratios to its four
//! digits (`cachesim TRACE csv lfuda SIZE,SIZE -t
//! "time-col=1,obj-id-col=2,obj-size-col=3"`).
//!
//! W-TinyLFU is the exception: its admission duels hang on a frequency
//! sketch whose hash functions cdnsim does not reproduce, so its counts are
//! checked to within half a point (`WTINYLFU_A` and the others below).
//!
//! The replay here is libCacheSim's: a lookup, then on a miss an insert of
//! the request's size (refused if too large). `cdnsim replay` gives the same
//! counts (`the_replay_command_agrees`).

use cdnsim::cache::{Entry, Lookup, Stored, Version, new_cache};
use cdnsim::scenario::EvictionPolicy;
use cdnsim::time::SimTime;

use crate::support::{cdnsim, temp_dir};

/// A synthetic trace: Zipf popularity over `objects` ids (1 = most popular),
/// each with a size in `1..=max_size`, some far larger than any cache here.
#[derive(Clone, Copy, Debug)]
struct TraceSpec {
    objects: usize,
    /// The Zipf exponent in eighths: 7, 8 or 9 (0.875, 1, 1.125).
    alpha_eighths: u32,
    requests: usize,
    max_size: u64,
    /// Per mille of requests after which the object takes a new size.
    size_change_per_mille: u64,
    /// Per mille of objects `max_size * 1000` bytes large.
    huge_per_mille: u64,
    seed: u64,
}

const TRACE_A: TraceSpec = TraceSpec {
    objects: 1_000,
    alpha_eighths: 8,
    requests: 50_000,
    max_size: 1_000,
    size_change_per_mille: 5,
    huge_per_mille: 2,
    seed: 1,
};
const TRACE_B: TraceSpec = TraceSpec {
    objects: 20_000,
    alpha_eighths: 9,
    requests: 100_000,
    max_size: 4_000,
    size_change_per_mille: 10,
    huge_per_mille: 3,
    seed: 2,
};
const TRACE_C: TraceSpec = TraceSpec {
    objects: 100_000,
    alpha_eighths: 7,
    requests: 200_000,
    max_size: 1_000,
    size_change_per_mille: 2,
    huge_per_mille: 1,
    seed: 3,
};

/// splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA'14): a few lines any language reproduces.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `k` to the power `eighths / 8` with square roots and products only:
/// IEEE 754 rounds those exactly, so every platform and language gets the
/// same bits (a `powf` may differ in the last place).
fn power_eighths(k: f64, eighths: u32) -> f64 {
    let r2 = k.sqrt();
    let r4 = r2.sqrt();
    let r8 = r4.sqrt();
    match eighths {
        7 => r2 * r4 * r8,
        8 => k,
        9 => k * r8,
        _ => panic!("alpha_eighths must be 7, 8 or 9"),
    }
}

/// The trace as `(object id, size)` per request. Draw order (the Python
/// copy follows it): per object, a huge-or-not draw then, if not huge, a
/// size draw; per request, a popularity draw (53 bits scaled to the total
/// weight, the first rank whose cumulative weight exceeds it), then a
/// size-change draw, then, if it changes, the new size.
fn generate(spec: TraceSpec) -> Vec<(u64, u64)> {
    let mut rng = SplitMix64(spec.seed);
    let mut cumulative = Vec::with_capacity(spec.objects);
    let mut total = 0.0;
    for k in 1..=spec.objects {
        total += 1.0 / power_eighths(k as f64, spec.alpha_eighths);
        cumulative.push(total);
    }
    let mut sizes: Vec<u64> = (0..spec.objects)
        .map(|_| {
            if rng.next() % 1000 < spec.huge_per_mille { spec.max_size * 1000 } else { 1 + rng.next() % spec.max_size }
        })
        .collect();
    (0..spec.requests)
        .map(|_| {
            let u = (rng.next() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0) * total;
            let rank = cumulative.partition_point(|&c| c <= u).min(spec.objects - 1);
            if rng.next() % 1000 < spec.size_change_per_mille {
                sizes[rank] = 1 + rng.next() % spec.max_size;
            }
            (rank as u64 + 1, sizes[rank])
        })
        .collect()
}

/// FNV-1a over every id and size, as 64-bit words.
fn fingerprint(trace: &[(u64, u64)]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &(id, size) in trace {
        for v in [id, size] {
            h = (h ^ v).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// `(misses, byte misses)` of one cache on the trace, replayed as
/// libCacheSim's `cache_get_base` does.
fn replay(policy: EvictionPolicy, capacity_bytes: u64, trace: &[(u64, u64)]) -> (u64, u64) {
    let mut cache = new_cache(policy, capacity_bytes, 1 << 12);
    let (mut misses, mut byte_misses) = (0, 0);
    for &(id, size_bytes) in trace {
        if cache.lookup(id, SimTime::ZERO) == Lookup::Miss {
            misses += 1;
            byte_misses += size_bytes;
            let entry = Entry { size_bytes, expires_at: SimTime::MAX, stored: Stored::Object(Version::FIRST) };
            cache.insert(id, entry);
        }
        assert!(cache.used_bytes() <= capacity_bytes, "{policy} over capacity");
    }
    (misses, byte_misses)
}

fn check(spec: TraceSpec, expected_fingerprint: u64, counts: &[(&str, u64, u64, u64)], wtinylfu: &[(u64, u64, u64)]) {
    let trace = generate(spec);
    assert_eq!(fingerprint(&trace), expected_fingerprint, "the generator changed: the counts no longer apply");
    let mut wrong = Vec::new();
    for &(name, capacity_bytes, misses, byte_misses) in counts {
        let policy: EvictionPolicy = name.parse().unwrap();
        let got = replay(policy, capacity_bytes, &trace);
        // Identities: a miss is at most every request, its bytes at most all.
        assert!(got.0 <= trace.len() as u64 && got.1 <= trace.iter().map(|r| r.1).sum::<u64>());
        if got != (misses, byte_misses) {
            wrong.push(format!("{name} at {capacity_bytes} B: {got:?}, libCacheSim {:?}", (misses, byte_misses)));
        }
    }
    let bytes_requested: u64 = trace.iter().map(|r| r.1).sum();
    for &(capacity_bytes, miss_ratio, byte_miss_ratio) in wtinylfu {
        let (misses, byte_misses) = replay(EvictionPolicy::WTinyLfu, capacity_bytes, &trace);
        // In ten-thousandths, as libCacheSim prints them.
        let got = (misses as f64 / trace.len() as f64 * 1e4, byte_misses as f64 / bytes_requested as f64 * 1e4);
        if (got.0 - miss_ratio as f64).abs() > WTINYLFU_TOLERANCE
            || (got.1 - byte_miss_ratio as f64).abs() > WTINYLFU_TOLERANCE
        {
            wrong.push(format!(
                "wtinylfu at {capacity_bytes} B: ratios {got:.1?} / 10,000, libCacheSim {:?}",
                (miss_ratio, byte_miss_ratio)
            ));
        }
    }
    assert!(wrong.is_empty(), "differences from libCacheSim:\n{}", wrong.join("\n"));
    // Every policy is covered.
    for policy in EvictionPolicy::ALL {
        let covered = counts.iter().any(|c| c.0 == policy.name()) || policy == EvictionPolicy::WTinyLfu;
        assert!(covered, "{policy} has no reference counts");
    }
    assert!(!wtinylfu.is_empty(), "wtinylfu has no reference ratios");
}

#[test]
fn trace_a_matches_libcachesim() {
    // gen.py 1000 8 50000 1000 5 2 1: 1,000 objects, 25,063,003 bytes requested.
    check(TRACE_A, 0x3b86_248d_0410_af8a, COUNTS_A, WTINYLFU_A);
}

#[test]
fn trace_b_matches_libcachesim() {
    // gen.py 20000 9 100000 4000 10 3 2: 9,913 objects, 514,192,868 bytes requested.
    check(TRACE_B, 0x01c8_4b11_3a6f_cb39, COUNTS_B, WTINYLFU_B);
}

#[test]
fn trace_c_matches_libcachesim() {
    // gen.py 100000 7 200000 1000 2 1 3: 52,265 objects, 227,407,180 bytes requested.
    check(TRACE_C, 0x0f08_8868_b61c_def3, COUNTS_C, WTINYLFU_C);
}

/// `cdnsim replay` on the same trace written as CSV: the same counts as
/// the cache replayed directly (and so as libCacheSim), for every policy.
#[test]
fn the_replay_command_agrees() {
    let trace = generate(TRACE_A);
    let mut csv = String::from("time,obj_id,obj_size\n");
    for (i, (id, size)) in trace.iter().enumerate() {
        csv.push_str(&format!("{i},{id},{size}\n"));
    }
    let path = temp_dir("eviction-reference").join("trace-a.csv");
    std::fs::write(&path, csv).unwrap();
    for &(name, capacity_bytes, misses, byte_misses) in COUNTS_A.iter().filter(|c| c.1 == 100_000) {
        let capacity = capacity_bytes.to_string();
        let (code, out, err) = cdnsim(&[
            "replay",
            path.to_str().unwrap(),
            "--cache-size",
            &capacity,
            "--policy",
            name,
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        let replay_misses = json["misses"].as_u64().unwrap();
        let replay_byte_misses = json["bytes_requested"].as_u64().unwrap() - json["bytes_hit"].as_u64().unwrap();
        assert_eq!((replay_misses, replay_byte_misses), (misses, byte_misses), "{name}");
    }
}

/// How far (in ten-thousandths: half a percentage point) W-TinyLFU's miss
/// and byte miss ratios may be from libCacheSim's. Its duels compare
/// sketch estimates, and libCacheSim hashes object ids with XXH64 where
/// cdnsim mixes its own keys (`src/cache/wtinylfu.rs`): a duel between
/// near-equal counts can go the other way, and one duel changes what the
/// cache holds for a while. On these traces cdnsim agrees to the printed
/// four digits; the tolerance is for the hashes, not a known difference.
const WTINYLFU_TOLERANCE: f64 = 50.0;

/// W-TinyLFU: (capacity in bytes, miss ratio, byte miss ratio), the ratios
/// in ten-thousandths as libCacheSim's `cachesim` prints them, built from
/// the libCacheSim sources whose `WTinyLFU.c` the policy follows (`cachesim
/// TRACE csv wtinylfu SIZES -t "time-col=1,obj-id-col=2,obj-size-col=3"`):
/// the defaults `main-cache=SLRU,window-size=0.01`. (The `libcachesim`
/// 0.3.5 wheel that gave the counts above differs from those sources here:
/// on trace A at 100,000 B it misses 11,459 times where `cachesim` and
/// cdnsim miss 11,730 and 11,731 times, 0.54 points apart, and it agrees
/// with them within 0.05 points at the six other sizes.)
const WTINYLFU_A: &[(u64, u64, u64)] = &[(25_000, 4_621, 5_640), (100_000, 2_346, 2_342), (300_000, 813, 839)];
const WTINYLFU_B: &[(u64, u64, u64)] = &[(1_000_000, 2_329, 6_991), (10_000_000, 1_158, 6_521)];
const WTINYLFU_C: &[(u64, u64, u64)] = &[(2_000_000, 4_711, 7_705), (20_000_000, 2_715, 6_780)];

/// Trace A: (policy, capacity in bytes, misses, byte misses).
const COUNTS_A: &[(&str, u64, u64, u64)] = &[
    ("lru", 25_000, 26_938, 13_060_732),
    ("lru", 100_000, 15_048, 7_235_425),
    ("lru", 300_000, 4_950, 2_382_426),
    ("fifo", 25_000, 29_656, 14_465_101),
    ("fifo", 100_000, 17_565, 8_472_782),
    ("fifo", 300_000, 6_280, 3_031_272),
    ("sieve", 25_000, 21_211, 10_284_359),
    ("sieve", 100_000, 11_926, 5_790_599),
    ("sieve", 300_000, 4_331, 2_085_757),
    ("clock", 25_000, 26_178, 12_665_663),
    ("clock", 100_000, 14_488, 6_964_689),
    ("clock", 300_000, 4_834, 2_320_415),
    ("s3-fifo", 25_000, 21_527, 10_350_991),
    ("s3-fifo", 100_000, 12_527, 6_013_463),
    ("s3-fifo", 300_000, 4_442, 2_130_305),
    ("2q", 25_000, 22_959, 11_079_407),
    ("2q", 100_000, 13_458, 6_460_032),
    ("2q", 300_000, 5_070, 2_436_967),
    ("s4lru", 25_000, 23_147, 11_670_577),
    ("s4lru", 100_000, 12_840, 6_473_130),
    ("s4lru", 300_000, 4_565, 2_225_474),
    ("arc", 25_000, 23_274, 11_208_522),
    ("arc", 100_000, 13_109, 6_305_703),
    ("arc", 300_000, 4_902, 2_357_217),
    ("gdsf", 25_000, 19_804, 10_855_902),
    ("gdsf", 100_000, 10_541, 6_142_887),
    ("gdsf", 300_000, 3_341, 2_078_033),
    ("lfuda", 100_000, 11_689, 5_714_716),
    ("lfuda", 300_000, 4_333, 2_071_029),
];
/// Trace B: (policy, capacity in bytes, misses, byte misses).
const COUNTS_B: &[(&str, u64, u64, u64)] = &[
    ("lru", 1_000_000, 29_728, 370_310_784),
    ("lru", 10_000_000, 23_811, 278_927_661),
    ("fifo", 1_000_000, 33_932, 379_157_925),
    ("fifo", 10_000_000, 26_918, 285_202_704),
    ("sieve", 1_000_000, 24_159, 360_097_769),
    ("sieve", 10_000_000, 20_161, 284_109_080),
    ("clock", 1_000_000, 28_762, 368_433_674),
    ("clock", 10_000_000, 23_262, 277_928_680),
    ("s3-fifo", 1_000_000, 23_646, 359_023_513),
    ("s3-fifo", 10_000_000, 11_751, 335_335_437),
    ("2q", 1_000_000, 25_026, 361_621_980),
    ("2q", 10_000_000, 13_190, 338_184_352),
    ("s4lru", 1_000_000, 25_468, 364_100_397),
    ("s4lru", 10_000_000, 11_828, 335_516_532),
    ("arc", 1_000_000, 23_751, 359_164_740),
    ("arc", 10_000_000, 20_418, 260_536_200),
    ("gdsf", 1_000_000, 23_731, 363_778_332),
    ("gdsf", 10_000_000, 11_239, 283_515_741),
    ("lfuda", 1_000_000, 23_871, 359_579_061),
    ("lfuda", 10_000_000, 20_579, 284_908_245),
];
/// Trace C: (policy, capacity in bytes, misses, byte misses).
const COUNTS_C: &[(&str, u64, u64, u64)] = &[
    ("lru", 2_000_000, 130_602, 179_116_856),
    ("lru", 20_000_000, 76_404, 100_167_780),
    ("fifo", 2_000_000, 135_507, 179_602_005),
    ("fifo", 20_000_000, 83_859, 110_848_208),
    ("sieve", 2_000_000, 112_675, 175_156_822),
    ("sieve", 20_000_000, 71_754, 92_861_356),
    ("clock", 2_000_000, 129_431, 178_523_156),
    ("clock", 20_000_000, 74_758, 99_348_687),
    ("s3-fifo", 2_000_000, 95_646, 174_803_861),
    ("s3-fifo", 20_000_000, 70_338, 94_146_795),
    ("2q", 2_000_000, 99_889, 176_898_667),
    ("2q", 20_000_000, 77_281, 103_600_836),
    ("s4lru", 2_000_000, 98_561, 177_933_187),
    ("s4lru", 20_000_000, 72_193, 95_600_375),
    ("arc", 2_000_000, 122_157, 171_939_941),
    ("arc", 20_000_000, 70_580, 92_264_069),
    ("gdsf", 2_000_000, 95_989, 179_045_700),
    ("gdsf", 20_000_000, 53_494, 123_110_518),
    ("lfuda", 2_000_000, 112_548, 174_089_634),
    ("lfuda", 20_000_000, 73_450, 97_690_426),
];
