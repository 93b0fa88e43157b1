//! Invalidations: which cached objects an invalidation path removes, and
//! how many paths are billed. (Which paths are accepted is the scenario's
//! `invalidation_path`.)
//!
//! Developer Guide, "Invalidate files to remove content"
//! (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Invalidation.html,
//! "What you need to know when invalidating files"): a path names one file,
//! or ends in the `*` wildcard and names every file whose path starts with
//! what comes before it (`/images/*`, `/*` for all); paths are case-sensitive.
//! "Pay for file invalidation"
//! (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/PayingForInvalidation.html):
//! the first 1,000 paths submitted in a month are free, each one after that
//! is charged, and a path with `*` counts as one path however many files it
//! matches.

/// Invalidation paths free each month; each one beyond is billed.
pub const FREE_PATHS_PER_MONTH: u64 = 1_000;

/// Whether the invalidation path `invalidation` removes the object whose
/// path is `object_path`: the same path, or, for a path ending in `*`, any
/// path that starts with what precedes the `*`. Case-sensitive.
pub fn matches(invalidation: &str, object_path: &str) -> bool {
    match invalidation.strip_suffix('*') {
        Some(prefix) => object_path.starts_with(prefix),
        None => object_path == invalidation,
    }
}

/// The paths billed for `submitted` paths in one month: those past the
/// first 1,000. A wildcard path is one path.
pub fn billed_paths(submitted: u64) -> u64 {
    submitted.saturating_sub(FREE_PATHS_PER_MONTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_paths_match_themselves_only() {
        assert!(matches("/img/1.jpg", "/img/1.jpg"));
        assert!(!matches("/img/1.jpg", "/img/1.jpg2"));
        assert!(!matches("/img/1.jpg", "/IMG/1.jpg"), "paths are case-sensitive");
        assert!(!matches("/img/1.jpg", "/img/1"));
    }

    #[test]
    fn a_trailing_wildcard_matches_the_prefix() {
        assert!(matches("/img/*", "/img/1.jpg"));
        assert!(matches("/img/*", "/img/a/b/c.jpg"), "the wildcard crosses `/`");
        assert!(matches("/img/*", "/img/"));
        assert!(!matches("/img/*", "/img"));
        assert!(!matches("/img/*", "/css/img/1.jpg"));
        assert!(matches("/img*", "/img2/1.jpg"), "a wildcard need not follow `/`");
        assert!(matches("/im*", "/images/1.jpg"));
        assert!(matches("/*", "/"));
        assert!(matches("/*", "/anything/at/all"));
    }

    #[test]
    fn the_first_thousand_paths_are_free() {
        assert_eq!(billed_paths(0), 0);
        assert_eq!(billed_paths(1_000), 0);
        assert_eq!(billed_paths(1_001), 1);
        assert_eq!(billed_paths(2_500), 1_500);
    }
}
