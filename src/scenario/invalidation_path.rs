//! Invalidation paths as CloudFront accepts them (Developer Guide,
//! "Invalidate files to remove content",
//! https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Invalidation.html,
//! "Specifying the files to invalidate": a path starts with `/`, the `*`
//! wildcard goes at its end only, at most 4,000 characters) and the quota on
//! paths in progress ("Concurrent invalidation request maximum",
//! https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html:
//! at most 3,000 file paths and, independently, 15 wildcard paths in
//! progress at one time; past that CloudFront refuses the request).
//! Which objects a path removes is `policy::invalidation`.

/// The longest invalidation path CloudFront accepts, in characters.
pub const MAX_PATH_CHARS: usize = 4_000;

/// File paths (no wildcard) that may be in progress at once.
pub const MAX_FILE_PATHS_IN_PROGRESS: usize = 3_000;

/// Wildcard paths that may be in progress at once.
pub const MAX_WILDCARD_PATHS_IN_PROGRESS: usize = 15;

/// Whether an invalidation path ends in the wildcard (and so matches a prefix).
pub fn is_wildcard(path: &str) -> bool {
    path.ends_with('*')
}

/// Why an invalidation path is refused, in words for the scenario loader
/// (which adds the file and the field).
pub fn check_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("the invalidation path {path:?} does not start with `/` (write e.g. \"/img/*\")"));
    }
    let chars = path.chars().count();
    if chars > MAX_PATH_CHARS {
        return Err(format!("the invalidation path is {chars} characters long; CloudFront allows at most 4,000"));
    }
    if path[..path.len() - 1].contains('*') {
        return Err(format!(
            "the invalidation path {path:?} has `*` before its end; CloudFront allows the wildcard only as the \
             last character (write e.g. \"/img/*\")"
        ));
    }
    if path.contains('?') {
        return Err(format!(
            "the invalidation path {path:?} has a query string; cdnsim's object paths have none, so it would \
             match nothing (end the path with `*` to cover every variant of a file)"
        ));
    }
    Ok(())
}

/// Whether a set of paths in progress at one time stays within CloudFront's
/// quotas; the error names the quota that is exceeded.
pub fn check_in_progress<'a>(paths: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    let (mut files, mut wildcards) = (0, 0);
    for path in paths {
        if is_wildcard(path) { wildcards += 1 } else { files += 1 }
    }
    if files > MAX_FILE_PATHS_IN_PROGRESS {
        return Err(format!(
            "{files} file paths would be in progress at once; CloudFront allows at most 3,000 and refuses the rest"
        ));
    }
    if wildcards > MAX_WILDCARD_PATHS_IN_PROGRESS {
        return Err(format!(
            "{wildcards} wildcard paths would be in progress at once; CloudFront allows at most 15 and refuses \
             the rest"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_paths_say_why() {
        assert!(check_path("/img/*").is_ok());
        assert!(check_path("/*").is_ok());
        assert!(check_path("/index.html").is_ok());
        assert!(check_path("img/*").unwrap_err().contains("start with `/`"));
        assert!(check_path("/img/*.jpg").unwrap_err().contains("last character"));
        assert!(check_path("/*/x").unwrap_err().contains("last character"));
        assert!(check_path("/a?v=1").unwrap_err().contains("query string"));
        let long = format!("/{}", "a".repeat(MAX_PATH_CHARS - 1));
        assert!(check_path(&long).is_ok());
        assert!(check_path(&format!("{long}a")).unwrap_err().contains("4,000"));
    }

    #[test]
    fn quotas_on_paths_in_progress() {
        let files: Vec<String> = (0..3_000).map(|i| format!("/f{i}")).collect();
        assert!(check_in_progress(files.iter().map(|s| s.as_str())).is_ok());
        let one_more = files.iter().map(|s| s.as_str()).chain(["/x"]);
        assert!(check_in_progress(one_more).unwrap_err().contains("3,000"));
        let wild: Vec<String> = (0..15).map(|i| format!("/d{i}/*")).collect();
        // The two quotas are independent: 15 wildcards beside 3,000 files is fine.
        assert!(check_in_progress(wild.iter().chain(&files).map(|s| s.as_str())).is_ok());
        let sixteen = wild.iter().map(|s| s.as_str()).chain(["/e/*"]);
        assert!(check_in_progress(sixteen).unwrap_err().contains("15"));
    }
}
