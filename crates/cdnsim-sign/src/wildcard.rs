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
    /// Prepares `pattern` (`*` any run of bytes, `?` one byte, everything else itself).
    pub fn new(pattern: &str) -> Pattern {
        let shape = match pattern.bytes().position(|b| b == b'*' || b == b'?') {
            None => Shape::Exact,
            Some(i) if i + 1 == pattern.len() && pattern.ends_with('*') => Shape::Prefix,
            Some(_) => Shape::General,
        };
        Pattern { text: pattern.to_string(), shape }
    }

    /// Whether `text` matches as a whole: the same answer as [`matches()`].
    pub fn matches(&self, text: &str) -> bool {
        match self.shape {
            Shape::Exact => self.text == text,
            Shape::Prefix => text.as_bytes().starts_with(&self.text.as_bytes()[..self.text.len() - 1]),
            Shape::General => general(self.text.as_bytes(), text.as_bytes()),
        }
    }

    /// Whether every text that starts with `prefix` matches. Answers `true`
    /// only when that is certain from the pattern's shape (a run of literals
    /// and `?`s no longer than `prefix` that matches its start, then one
    /// final `*`), so a caller may skip matching; `false` means "ask
    /// `matches` per text".
    pub fn matches_every_text_starting_with(&self, prefix: &str) -> bool {
        let Some(run) = self.text.strip_suffix('*') else { return false };
        !run.contains('*')
            && run.len() <= prefix.len()
            && run.bytes().zip(prefix.bytes()).all(|(p, t)| p == b'?' || p == t)
    }

    /// Whether `before`, a boundary, then `after` match as a whole, where the
    /// boundary is one character that only a `?` of the pattern may stand
    /// for and that no `*` may swallow: each `*` matches within `before` or
    /// within `after`, never across. A signed policy's `Resource` uses this
    /// for a URL's path and query, which its unescaped `?` joins.
    pub fn matches_across_boundary(&self, before: &str, after: &str) -> bool {
        let p = self.text.as_bytes();
        if !p.contains(&b'?') {
            // Only a `?` can stand for the boundary.
            return false;
        }
        if !p.contains(&b'*') {
            // Each pattern byte stands for one text byte: compare in place.
            let text = before.bytes().chain(Some(b'?')).chain(after.bytes());
            return p.len() == before.len() + 1 + after.len() && p.iter().zip(text).all(|(&p, t)| p == b'?' || p == t);
        }
        across_boundary(p, before.as_bytes(), after.as_bytes())
    }
}

/// [`Pattern::matches_across_boundary`] with `*`s: the set of pattern
/// prefixes that match the text read so far, one text byte at a time
/// (`None` is the boundary). Time is pattern length × text length, with no
/// backtracking, so a hostile pattern costs no more than a long one.
fn across_boundary(p: &[u8], before: &[u8], after: &[u8]) -> bool {
    // `reach[j]`: `p[..j]` matches the text read so far.
    let mut reach = vec![false; p.len() + 1];
    let mut next = vec![false; p.len() + 1];
    reach[0] = true;
    close_over_stars(p, &mut reach);
    let text = before.iter().map(|&b| Some(b)).chain([None]).chain(after.iter().map(|&b| Some(b)));
    for byte in text {
        next.fill(false);
        for (j, &pb) in p.iter().enumerate() {
            if !reach[j] {
                continue;
            }
            match (pb, byte) {
                (b'*', Some(_)) => next[j] = true,
                (b'*', None) => {}
                (b'?', _) => next[j + 1] = true,
                (literal, Some(b)) if literal == b => next[j + 1] = true,
                _ => {}
            }
        }
        close_over_stars(p, &mut next);
        if !next.contains(&true) {
            return false;
        }
        std::mem::swap(&mut reach, &mut next);
    }
    reach[p.len()]
}

/// A `*` may match nothing: whoever reaches it also reaches what follows.
fn close_over_stars(p: &[u8], reach: &mut [bool]) {
    for (j, &pb) in p.iter().enumerate() {
        if pb == b'*' && reach[j] {
            reach[j + 1] = true;
        }
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
        // A `?` in the run stands for the prefix's byte there, whatever it is.
        assert!(covers("/pri?ate/*", "/private/"));
        assert!(covers("/img?id=*", "/img?id="));
        assert!(!covers("/img?id=*", "/img?ref="));
        // Checked against `matches` on texts that start with the prefix.
        for (pattern, prefix) in [("/pri?ate/*", "/private/"), ("/img?id=*", "/img?id=1"), ("?*", "x")] {
            assert!(covers(pattern, prefix));
            for tail in ["", "7", "a/b?c", "*?"] {
                assert!(Pattern::new(pattern).matches(&format!("{prefix}{tail}")), "{pattern} on {prefix}{tail}");
            }
        }
    }

    /// The definition `matches_across_boundary` implements: some `?` of the
    /// pattern stands for the boundary, what comes before it matches
    /// `before` and what comes after matches `after`.
    fn across_by_definition(pattern: &str, before: &str, after: &str) -> bool {
        pattern.match_indices('?').any(|(i, _)| matches(&pattern[..i], before) && matches(&pattern[i + 1..], after))
    }

    #[test]
    fn across_a_boundary_only_a_question_mark_stands_for_it() {
        let across = |p: &str, before: &str, after: &str| Pattern::new(p).matches_across_boundary(before, after);
        // The Developer Guide's Resource, unescaped, and its URL split at the `?`.
        let horizon = "/images/horizon.jpg?size=large&license=yes";
        assert!(across(horizon, "/images/horizon.jpg", "size=large&license=yes"));
        assert!(!across(horizon, "/images/horizon.jpg", "size=small&license=yes"));
        assert!(!across(horizon, "/images/horizon", "jpg?size=large&license=yes"));
        // A `*` matches on its own side only.
        assert!(across("/images/*?size=*", "/images/a/b.jpg", "size=large"));
        assert!(!across("/images/*", "/images/a.jpg", "size=large"));
        assert!(!across("/a*b", "/a", "b"));
        assert!(across("/a*?*b", "/a", "b"));
        // A `*` before the boundary, then a `?` that must wait for it.
        assert!(across("*?*b", "x", "b"));
        assert!(!across("*", "", ""));
        assert!(across("?", "", ""));
    }

    #[test]
    fn across_a_boundary_agrees_with_the_definition() {
        // Every pattern over {a, ?, *} up to 5 bytes, on every split text over {a, b, ?} up to 4
        // bytes (a `?` in the text is a plain byte).
        let mut patterns = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = patterns
                .iter()
                .filter(|p| p.len() == patterns.last().map_or(0, |l| l.len()))
                .flat_map(|p| ["a", "?", "*"].map(|c| format!("{p}{c}")))
                .collect();
            patterns.extend(longer);
        }
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, |l| l.len()))
                .flat_map(|t| ["a", "b", "?"].map(|c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        let mut checked = 0;
        for p in &patterns {
            let prepared = Pattern::new(p);
            for text in &texts {
                for at in 0..=text.len() {
                    let (before, after) = text.split_at(at);
                    let expected = across_by_definition(p, before, after);
                    assert_eq!(
                        prepared.matches_across_boundary(before, after),
                        expected,
                        "{p:?} on {before:?}|{after:?}"
                    );
                    checked += 1;
                }
            }
        }
        // 364 patterns; 121 texts with 1 + len splits each: 1 + 3·2 + 9·3 + 27·4 + 81·5 = 547.
        assert_eq!(checked, 364 * 547);
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
        // Across a boundary: 1000 `?`s that could each stand for it, and 2000 × 2500 steps at most.
        let pattern = Pattern::new(&"*?".repeat(1000));
        assert!(pattern.matches_across_boundary(&text, &text[..500]));
        assert!(!pattern.matches_across_boundary(&text[..10], &text[..10]));
        assert!(!Pattern::new(&format!("{}b", "*?".repeat(1000))).matches_across_boundary(&text, &text[..500]));
    }
}
