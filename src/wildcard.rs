//! The `*` and `?` wildcard match that CloudFront uses in cache-behavior path
//! patterns and, section by section, in signed-policy `Resource`s: `*` matches
//! any run of bytes (including none), `?` exactly one, everything else itself.

/// A pattern prepared for matching many texts: its shape is worked out once,
/// so the common shapes cost one comparison per text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    shape: Shape,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// No wildcard: the text must be equal.
    Exact,
    /// A literal prefix and one final `*`.
    Prefix,
    /// Anything else.
    General,
}

impl Pattern {
    pub fn new(pattern: &str) -> Pattern {
        let shape = match pattern.bytes().position(|b| b == b'*' || b == b'?') {
            None => Shape::Exact,
            Some(i) if i + 1 == pattern.len() && pattern.ends_with('*') => Shape::Prefix,
            Some(_) => Shape::General,
        };
        Pattern { text: pattern.to_string(), shape }
    }

    pub fn matches(&self, text: &str) -> bool {
        match self.shape {
            Shape::Exact => self.text == text,
            Shape::Prefix => text.as_bytes().starts_with(&self.text.as_bytes()[..self.text.len() - 1]),
            Shape::General => general(self.text.as_bytes(), text.as_bytes()),
        }
    }

    /// Whether every text that starts with `prefix` matches. Answers `true`
    /// only when that is certain from the pattern's shape (a literal prefix
    /// and a final `*`), so a caller may skip matching; `false` means "ask
    /// `matches` per text".
    pub fn matches_every_text_starting_with(&self, prefix: &str) -> bool {
        self.shape == Shape::Prefix && prefix.as_bytes().starts_with(&self.text.as_bytes()[..self.text.len() - 1])
    }
}

/// Whether `text` matches `pattern` as a whole. Iterative, with single-star
/// backtracking: linear in practice and never recursive, so a hostile pattern
/// cannot blow the stack.
pub fn matches(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // The common shapes (no wildcard at all, or a literal prefix and a final
    // `*`) are a byte comparison; signed policies are matched per request.
    match p.iter().position(|&b| b == b'*' || b == b'?') {
        None => p == t,
        Some(i) if i + 1 == p.len() && p[i] == b'*' => t.starts_with(&p[..i]),
        Some(_) => general(p, t),
    }
}

/// The general case: iterative, with single-star backtracking.
fn general(p: &[u8], t: &[u8]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] != b'*' && (p[pi] == b'?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_pi, star_ti)) = star {
            pi = star_pi + 1;
            ti = star_ti + 1;
            star = Some((star_pi, star_ti + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_with_a_prefix_matches_only_when_the_shape_proves_it() {
        let covers = |pattern: &str, prefix: &str| Pattern::new(pattern).matches_every_text_starting_with(prefix);
        assert!(covers("/private/*", "/private/"));
        assert!(covers("/private/*", "/private/video/"));
        assert!(covers("*", ""));
        assert!(!covers("/private/*", "/priv"));
        assert!(!covers("/public/*", "/private/"));
        // Exact and general shapes may match some extensions, never provably all.
        assert!(!covers("/private/", "/private/"));
        assert!(!covers("/private/*.mp4", "/private/"));
        assert!(!covers("/private/?*", "/private/"));
    }

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("a*c", "abbbc"));
        assert!(matches("a*c", "ac"));
        assert!(!matches("a*c", "ab"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("*", ""));
        assert!(matches("**", "x"));
        // A `*` in the text is not special: only the pattern's is.
        assert!(!matches("a*", "b*"));
        assert!(matches("a\\*", "a\\xyz"));
    }

    #[test]
    fn prepared_patterns_agree_with_the_function() {
        let patterns = ["", "*", "abc", "ab*", "a*c", "a?c", "*b", "a\\*"];
        let texts = ["", "a", "abc", "abcd", "ab", "xbc", "a\\x"];
        for p in patterns {
            let prepared = Pattern::new(p);
            for t in texts {
                assert_eq!(prepared.matches(t), matches(p, t), "{p:?} on {t:?}");
            }
        }
    }

    #[test]
    fn pathological_patterns_terminate() {
        let text = "a".repeat(2000);
        assert!(!matches("*a*a*a*a*a*a*a*b", &text));
        assert!(matches("*a*a*a*a*a*a*a*", &text));
    }
}
