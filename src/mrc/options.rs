//! `MrcOptions` from what a person wrote: `cdnsim mrc`'s `--sizes`,
//! `--points`, `--policy`, `--sample-rate`/`--sample-objects` and
//! `--requests`, and the Python package's `cdnsim.mrc` (which hands over the
//! same text), so that both accept and refuse the same input with the same
//! messages. The messages name the command line's flags.

use super::pass::{BELADY_NAME, MrcOptions, Sizes, check_options};
use super::shards::Sampling;
use crate::scenario::EvictionPolicy;

/// What `cdnsim mrc` was given, as text and numbers, before any is checked.
#[derive(Clone, Debug, Default)]
pub struct MrcFlags<'a> {
    /// `--sizes`: a comma-separated list ("1MB,10MB") or a range ("1MB..1GB").
    pub sizes: Option<&'a str>,
    /// `--points`: how many sizes a range or the default spans.
    pub points: usize,
    /// `--policy`: names, `belady` or `all` (each may still hold commas).
    pub policies: &'a [String],
    pub sample_rate: Option<f64>,
    pub sample_objects: Option<u64>,
    /// `--requests`.
    pub limit: Option<u64>,
}

impl MrcOptions {
    /// Checked options from `args`, or what is wrong and what to give.
    pub fn from_args(args: &MrcFlags<'_>) -> anyhow::Result<MrcOptions> {
        let sampling = match (args.sample_rate, args.sample_objects) {
            (Some(_), Some(_)) => {
                anyhow::bail!("--sample-rate and --sample-objects: give one or the other (both pick the sample)")
            }
            (Some(rate), None) => Some(Sampling::Rate(rate)),
            (None, Some(n)) => Some(Sampling::Objects(n)),
            (None, None) => None,
        };
        let (policies, belady) = policies(args.policies, sampling.is_some())?;
        let options =
            MrcOptions { sizes: sizes(args.sizes, args.points)?, policies, sampling, belady, limit: args.limit };
        check_options(&options)?;
        Ok(options)
    }
}

/// The policies asked for, in the order first named, and whether Belady is
/// among them (it is no `EvictionPolicy`: no tier can run it). None named
/// means `lru`, or nothing besides a sample.
fn policies(names: &[String], sampling: bool) -> anyhow::Result<(Vec<EvictionPolicy>, bool)> {
    let names: Vec<&str> = names.iter().flat_map(|n| n.split(',')).map(str::trim).collect();
    if names.is_empty() {
        return Ok((if sampling { Vec::new() } else { vec![EvictionPolicy::Lru] }, false));
    }
    let mut out: Vec<EvictionPolicy> = Vec::new();
    let mut belady = false;
    for name in names {
        let named: Vec<EvictionPolicy> = match name {
            "all" => {
                belady = true;
                EvictionPolicy::ALL.to_vec()
            }
            BELADY_NAME => {
                belady = true;
                Vec::new()
            }
            _ => vec![name.parse().map_err(|e| anyhow::anyhow!("--policy: {e}, `belady` or `all`"))?],
        };
        for p in named {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    Ok((out, belady))
}

/// `--sizes` as `Sizes`: a list, a range of `points` log-spaced sizes, or
/// (none given) `points` sizes chosen from the trace.
fn sizes(text: Option<&str>, points: usize) -> anyhow::Result<Sizes> {
    let parse = |text: &str| {
        crate::units::parse_size(text.trim()).map_err(|e| anyhow::anyhow!("--sizes {text:?}: {e} (e.g. 64MiB, 10GB)"))
    };
    let Some(text) = text else {
        return Ok(Sizes::Default { points });
    };
    if let Some((from, to)) = text.split_once("..") {
        let (from, to) = (parse(from)?, parse(to)?);
        anyhow::ensure!(
            from >= 1 && from <= to,
            "--sizes {text}: a range goes from at least 1 byte up to a size no smaller (e.g. 1MB..1GB)"
        );
        anyhow::ensure!(points >= 1, "--points must be at least 1");
        return Ok(Sizes::Given(super::curve::log_spaced(from, to, points)));
    }
    let sizes = text.split(',').filter(|s| !s.trim().is_empty()).map(parse).collect::<anyhow::Result<Vec<u64>>>()?;
    Ok(Sizes::Given(sizes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(sizes: Option<&str>, points: usize, policies: &[&str]) -> anyhow::Result<MrcOptions> {
        let policies: Vec<String> = policies.iter().map(|p| p.to_string()).collect();
        MrcOptions::from_args(&MrcFlags { sizes, points, policies: &policies, ..MrcFlags::default() })
    }

    #[test]
    fn sizes_are_a_list_a_range_or_the_default() {
        let o = options(Some("4, 9,10,"), 40, &[]).unwrap();
        assert_eq!(o.sizes, Sizes::Given(vec![4, 9, 10]));
        assert_eq!(o.policies, vec![EvictionPolicy::Lru]);
        // 1 KB to 100 KB in 3 points on a log scale: 1,000, 10,000, 100,000.
        let o = options(Some("1KB..100KB"), 3, &[]).unwrap();
        assert_eq!(o.sizes, Sizes::Given(vec![1_000, 10_000, 100_000]));
        assert_eq!(options(None, 7, &[]).unwrap().sizes, Sizes::Default { points: 7 });
    }

    #[test]
    fn policies_keep_their_first_order_and_all_adds_belady() {
        // "fifo,lru" in one string (the command line's delimiter) and "fifo" again: fifo, lru once each.
        let o = options(None, 40, &["fifo,lru", "fifo"]).unwrap();
        assert_eq!((o.policies, o.belady), (vec![EvictionPolicy::Fifo, EvictionPolicy::Lru], false));
        let o = options(None, 40, &["belady"]).unwrap();
        assert_eq!((o.policies, o.belady), (vec![], true));
        let o = options(None, 40, &["all"]).unwrap();
        assert_eq!((o.policies, o.belady), (EvictionPolicy::ALL.to_vec(), true));
    }

    #[test]
    fn bad_input_says_which_flag_and_what_to_give() {
        let e = options(Some("0"), 40, &[]).unwrap_err().to_string();
        assert_eq!(e, "--sizes: a cache size must be at least 1 byte");
        let e = options(Some("9..4"), 40, &[]).unwrap_err().to_string();
        assert!(e.starts_with("--sizes 9..4: a range goes from at least 1 byte"), "{e}");
        let e = options(None, 40, &["lfu"]).unwrap_err().to_string();
        assert!(e.starts_with("--policy: ") && e.ends_with(", `belady` or `all`"), "{e}");
        let e = options(None, 0, &[]).unwrap_err().to_string();
        assert_eq!(e, "--points must be at least 1");
        let both = MrcFlags { points: 40, sample_rate: Some(0.5), sample_objects: Some(9), ..MrcFlags::default() };
        assert!(
            MrcOptions::from_args(&both).unwrap_err().to_string().starts_with("--sample-rate and --sample-objects")
        );
        let zero = MrcFlags { points: 40, limit: Some(0), ..MrcFlags::default() };
        assert_eq!(MrcOptions::from_args(&zero).unwrap_err().to_string(), "--requests must be at least 1");
    }
}
