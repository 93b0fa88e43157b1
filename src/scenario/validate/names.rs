//! The distribution's domain name and the traffic classes' paths: text that
//! ends up inside URLs (signed ones too) and access logs, so it must be what
//! a viewer could send. Each check returns the problem and its fix, in words
//! for the field error.

/// A host name's longest label, and the longest name (RFC 1035 §2.3.4).
const MAX_LABEL: usize = 63;
const MAX_NAME: usize = 253;

/// Checks a distribution domain name such as `d111111abcdef8.cloudfront.net`:
/// letters, digits and hyphens in dot-separated labels of 1 to 63
/// characters, no label starting or ending with a hyphen (RFC 1123 §2.1).
/// Signed URLs are `https://` + this name + the path, so a scheme, a path, a
/// port, a `#` or a `?` would make every one of them another URL.
pub fn check_domain(domain: &str) -> Result<(), (String, String)> {
    let example = "write the host name alone, e.g. \"d111111abcdef8.cloudfront.net\"";
    if let Some((scheme, rest)) = domain.split_once("://") {
        return Err((
            format!(
                "{domain:?} starts with the scheme {scheme}://; the domain is a host name, and URLs get https:// themselves"
            ),
            suggest(rest).map_or(example.to_string(), |s| format!("write {s:?}")),
        ));
    }
    for (c, what) in [('/', "a path"), (':', "a port"), ('#', "a fragment (`#`)"), ('?', "a query string (`?`)")] {
        if let Some(at) = domain.find(c) {
            let host = &domain[..at];
            return Err((
                format!("{domain:?} holds {what} after the host name; the domain is the host name alone"),
                suggest(host).map_or(example.to_string(), |s| format!("write {s:?}")),
            ));
        }
    }
    if domain.is_empty() {
        return Err(("the domain name is empty".into(), example.into()));
    }
    if domain.len() > MAX_NAME {
        return Err((
            format!("the domain name is {} characters long; a host name has at most {MAX_NAME}", domain.len()),
            "use a shorter name".into(),
        ));
    }
    if let Some(bad) = domain.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.')) {
        return Err((
            format!("{domain:?} contains {bad:?}; a host name has only letters, digits, hyphens and dots"),
            example.into(),
        ));
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err((
                format!("{domain:?} has an empty label (two dots in a row, or a dot at either end)"),
                "remove the extra dot".into(),
            ));
        }
        if label.len() > MAX_LABEL {
            return Err((
                format!(
                    "the label {label:?} is {} characters long; a host name's labels have at most {MAX_LABEL}",
                    label.len()
                ),
                "shorten that label".into(),
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err((
                format!("the label {label:?} starts or ends with a hyphen, which a host name's labels cannot"),
                "move or remove the hyphen".into(),
            ));
        }
    }
    Ok(())
}

/// `text` as a suggestion, when it is itself a valid host name.
fn suggest(text: &str) -> Option<&str> {
    let host = text.split(['/', ':', '#', '?']).next().unwrap_or("");
    check_domain(host).is_ok().then_some(host)
}

/// Checks a class path (`/static/{id}.js`, or a fixed `/index.html`): it
/// starts with `/`; a `?` may only start the query string, so there is at
/// most one; no `#`, which browsers never send; no whitespace or control
/// characters, which a request line cannot carry; `{id}` at most once and no
/// other braces, so that a mistyped `{ID}` is not taken for a fixed path.
/// A custom error page's path (`ResponsePagePath`): a path alone, as a
/// request for it would carry: starting with `/`, no whitespace or control
/// characters, no query string or fragment.
pub fn check_page_path(path: &str) -> Result<(), (String, String)> {
    if !path.starts_with('/') {
        return Err((format!("{path:?} does not start with '/'"), format!("write \"/{path}\"")));
    }
    if let Some(bad) = path.chars().find(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#')) {
        return Err((
            format!("{path:?} contains {bad:?}; a page path is a path alone, without whitespace, query or fragment"),
            "write the object's path, e.g. \"/errors/503.html\"".into(),
        ));
    }
    Ok(())
}

pub fn check_class_path(path: &str) -> Result<(), (String, String)> {
    let example = "write e.g. \"/static/{id}.js\", or a fixed path such as \"/index.html\"";
    if !path.starts_with('/') {
        return Err((format!("{path:?} does not start with '/'"), format!("write \"/{path}\"")));
    }
    if let Some(bad) = path.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err((
            format!("{path:?} contains {bad:?}; a request path cannot hold whitespace or control characters"),
            "remove it, or percent-encode it (a space is %20)".into(),
        ));
    }
    if path.contains('#') {
        return Err((
            format!("{path:?} contains '#': a fragment is never sent to CloudFront"),
            "remove the '#' and what follows it".into(),
        ));
    }
    if path.matches('?').count() > 1 {
        return Err((
            format!("{path:?} has more than one '?'; only the first '?' can start the query string"),
            "join query parameters with '&', e.g. \"/a/{id}?v=1&w=2\"".into(),
        ));
    }
    if path.matches("{id}").count() > 1 {
        return Err((format!("{path:?} contains {{id}} more than once"), example.into()));
    }
    if path.replacen("{id}", "", 1).contains(['{', '}']) {
        return Err((
            format!(
                "{path:?} contains a brace that is not part of {{id}} (the object number is written {{id}}, in lower case)"
            ),
            "write {id} for the object number, or percent-encode a literal brace (%7B, %7D)".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        for ok in ["d111111abcdef8.cloudfront.net", "cdn.example.com", "a", "x-1.EXAMPLE.org", &"a".repeat(63)] {
            assert_eq!(check_domain(ok), Ok(()), "{ok}");
        }
        let problem = |d: &str| check_domain(d).unwrap_err();
        // Each error says what is wrong and suggests the host name alone when
        // there is one in the text.
        let (p, fix) = problem("d1.cloudfront.net#x");
        assert!(p.contains("fragment") && fix.contains("\"d1.cloudfront.net\""), "{p} / {fix}");
        let (p, fix) = problem("https://d1.cloudfront.net/");
        assert!(p.contains("scheme https://") && fix.contains("\"d1.cloudfront.net\""), "{p} / {fix}");
        assert!(problem("d1.cloudfront.net:443").0.contains("a port"));
        assert!(problem("d1.cloudfront.net/video").0.contains("a path"));
        assert!(problem("d1.cloudfront.net?x=1").0.contains("query string"));
        assert!(problem("").0.contains("empty"));
        assert!(problem("d1..net").0.contains("empty label"));
        assert!(problem("d1.net.").0.contains("empty label"));
        assert!(problem("-d1.net").0.contains("hyphen"));
        assert!(problem("d_1.net").0.contains("'_'"));
        assert!(problem("dé.net").0.contains("'é'"));
        assert!(problem(&format!("{}.net", "a".repeat(64))).0.contains("at most 63"));
        assert!(problem(&["abc"; 64].join(".")).0.contains("at most 253"));
        // The suggestion is left out when the rest is no host name either.
        assert!(!problem("https://#").1.contains("write \"\""));
    }

    #[test]
    fn class_paths() {
        for ok in ["/static/{id}.js", "/index.html", "/", "/api/health", "/a/{id}?v=1&w=2", "/search?q={id}"] {
            assert_eq!(check_class_path(ok), Ok(()), "{ok}");
        }
        let problem = |p: &str| check_class_path(p).unwrap_err().0;
        assert!(problem("static/{id}").contains("does not start with '/'"));
        assert!(problem("/a b/{id}").contains("whitespace"));
        assert!(problem("/a/{id}\u{7}").contains("control"));
        assert!(problem("/a/{id}#top").contains("fragment"));
        assert!(problem("/a?b?{id}").contains("more than one '?'"));
        assert!(problem("/{id}/{id}").contains("more than once"));
        assert!(problem("/static/{ID}.js").contains("brace"));
        assert!(problem("/static/{id.js").contains("brace"));
    }
}
