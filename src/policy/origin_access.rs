//! Restricting a custom origin with a secret header (reference §7.3;
//! Developer Guide "Restricting access to files on custom origins"): the
//! origin's accept-or-refuse decision. The values are interned by the
//! scenario (`scenario::HeaderValueId`), so the decision is a bit test,
//! never a string comparison; CloudFront's rules for the headers themselves
//! are checked when the scenario is loaded (`scenario::validate::headers`).

use crate::scenario::{AcceptedValues, HeaderValueId};

/// Whether the origin accepts a request carrying `carried`. `None` is an
/// origin that checks no header and accepts everything.
pub fn accepts(rule: Option<AcceptedValues>, carried: HeaderValueId) -> bool {
    rule.is_none_or(|accepted| accepted.contains(carried))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ABSENT;

    #[test]
    fn an_origin_accepts_only_the_values_in_its_set() {
        let old_and_new = AcceptedValues::from_ids([1, 2]);
        assert!(accepts(Some(old_and_new), 1));
        assert!(accepts(Some(old_and_new), 2));
        assert!(!accepts(Some(old_and_new), 3));
        assert!(!accepts(Some(old_and_new), ABSENT), "a request without the header is refused");
        assert!(!accepts(Some(AcceptedValues::from_ids([2])), 1));
        assert!(accepts(None, ABSENT), "an origin that checks nothing accepts everything");
    }
}
