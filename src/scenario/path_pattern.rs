//! Cache-behavior path patterns and CloudFront's matching order (reference §6.1).
//!
//! `*` matches zero or more characters, `/` included; `?` matches exactly one.
//! Matching is case-sensitive, a leading `/` is optional on either side, and the
//! query string plays no part. Behaviors are tried in their listed order and the
//! first match wins; the default behavior (`*`) is tried last.

/// Characters CloudFront accepts in a path pattern (DG-values, "Path pattern").
/// `&` is accepted too (the API passes it as `&amp;`).
const ALLOWED_PUNCTUATION: &str = "_-.*$/~\"'@:+&?";

/// Why a pattern is refused, in words for the scenario loader.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern.is_empty() {
        return Err("the path pattern is empty (use `*` for everything, or e.g. `/static/*`)".into());
    }
    if pattern.len() > 255 {
        return Err(format!("the path pattern is {} characters long; CloudFront allows at most 255", pattern.len()));
    }
    if let Some(bad) = pattern.chars().find(|&c| !(c.is_ascii_alphanumeric() || ALLOWED_PUNCTUATION.contains(c))) {
        return Err(format!(
            "the path pattern contains {bad:?}, which CloudFront does not allow, so it can never match \
             (allowed: A-Z a-z 0-9 and {ALLOWED_PUNCTUATION})"
        ));
    }
    Ok(())
}

/// Whether `path` (without query string) matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.strip_prefix('/').unwrap_or(pattern);
    let path = path.split('?').next().unwrap_or("");
    let path = path.strip_prefix('/').unwrap_or(path);
    cdnsim_sign::wildcard::matches(pattern, path)
}

/// Index of the first pattern that matches `path`, or `None` for the default behavior.
pub fn first_match<'a>(patterns: impl IntoIterator<Item = &'a str>, path: &str) -> Option<usize> {
    patterns.into_iter().position(|p| matches(p, path))
}

/// Object ids that stand for a class's paths when checking which behaviors
/// they reach: all of them for small classes, otherwise the first thousand,
/// the last, and each power of ten. One sample for the loader and the
/// importer's scenario template.
pub fn sample_ids(objects: u64) -> impl Iterator<Item = u64> {
    let dense = objects.min(1000);
    let powers = (0..20).map(|k| 10u64.pow(k)).take_while(move |&p| p < objects);
    (0..dense).chain(powers).chain(std::iter::once(objects - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples() {
        // DG-values: `a??.jpg` matches `ant.jpg`; `*.doc*` matches .doc, .docx, .docm; `*.doc?` not .doc.
        assert!(matches("a??.jpg", "/ant.jpg"));
        assert!(!matches("a??.jpg", "/an.jpg"));
        assert!(matches("*.doc*", "/x.doc"));
        assert!(matches("*.doc*", "/x.docx"));
        assert!(matches("*.doc*", "/x.docm"));
        assert!(!matches("*.doc?", "/x.doc"));
        // `*` crosses `/`: images/*.jpg matches files in subdirectories too.
        assert!(matches("images/*.jpg", "/images/a/b/c.jpg"));
        // Case-sensitive.
        assert!(!matches("*.jpg", "/LOGO.JPG"));
    }

    #[test]
    fn leading_slash_and_query_are_ignored() {
        assert!(matches("/static/*", "static/app.js"));
        assert!(matches("static/*", "/static/app.js"));
        assert!(matches("/static/*", "/static/app.js?v=3"));
        assert!(matches("/static/*", "/static/"));
        assert!(!matches("/static/*", "/static"));
        assert!(matches("*", "/"));
        assert!(matches("*", "/anything/at/all"));
    }

    #[test]
    fn first_match_wins_in_listed_order() {
        let patterns = ["/api/v1/*", "/api/*", "*.jpg"];
        assert_eq!(first_match(patterns, "/api/v1/users"), Some(0));
        assert_eq!(first_match(patterns, "/api/v2/users"), Some(1));
        // /api/x.jpg matches both /api/* and *.jpg: the earlier one wins.
        assert_eq!(first_match(patterns, "/api/x.jpg"), Some(1));
        assert_eq!(first_match(patterns, "/img/x.jpg"), Some(2));
        assert_eq!(first_match(patterns, "/index.html"), None);
    }

    #[test]
    fn refused_patterns() {
        assert!(check_pattern("/static/*").is_ok());
        assert!(check_pattern("").is_err());
        assert!(check_pattern("/has space/*").unwrap_err().contains("does not allow"));
        assert!(check_pattern("/#frag").is_err());
        assert!(check_pattern(&"a".repeat(256)).unwrap_err().contains("255"));
    }
}
