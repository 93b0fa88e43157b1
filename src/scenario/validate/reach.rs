//! Which behaviors the traffic classes' paths reach: every behavior must be
//! reached by some class, and a class reaching one that requires signing
//! must say what its viewers present. Checked on a sample of each class's
//! object ids; skipped when a trace makes the requests.

use super::fields::{Result, Validator};
use crate::scenario::path_pattern::{self, sample_ids};
use crate::scenario::{DistributionSpec, TrafficSpec};

impl Validator<'_> {
    /// A behavior that no request path of any class, nor any custom error
    /// page, can reach is a mistake:
    /// either its pattern or the traffic's paths are wrong. Tested on a
    /// sample of object ids (every id for small classes).
    pub(super) fn check_patterns_match(&self, distribution: &DistributionSpec, traffic: &TrafficSpec) -> Result<()> {
        let mut path = String::new();
        let mut reached = vec![false; distribution.behaviors.len()];
        for class in &traffic.classes {
            for id in sample_ids(class.objects) {
                class.path_of(id, &mut path);
                reached[distribution.behavior_for(&path)] = true;
            }
        }
        // A custom error page is fetched through the behavior its path
        // matches: the Guide's way of keeping pages on an origin of their own.
        for page in distribution.custom_error_responses.iter().filter_map(|c| c.page.as_ref()) {
            reached[distribution.behavior_for(&page.path)] = true;
        }
        let last = distribution.behaviors.len() - 1;
        if let Some(i) = reached[..last].iter().position(|r| !r) {
            let examples: Vec<String> = traffic
                .classes
                .iter()
                .map(|c| {
                    let mut p = String::new();
                    c.path_of(c.objects.min(2) - 1, &mut p);
                    p
                })
                .collect();
            let shadowed =
                distribution.behaviors[..i].iter().any(|b| path_pattern::matches(&b.path_pattern, &examples[0]));
            return Err(self.error(
                &format!("distribution.behaviors[{i}].path_pattern"),
                format!(
                    "pattern {:?} never matches a request: no traffic class path reaches it{} (paths look like {})",
                    distribution.behaviors[i].path_pattern,
                    if shadowed { ", or an earlier behavior matches first" } else { "" },
                    examples.join(", ")
                ),
                "correct the pattern (patterns are case-sensitive and `*` is needed for prefixes), or add a [[traffic.classes]] (or a custom error response_page_path) whose path it matches",
            ));
        }
        Ok(())
    }

    /// A class whose paths reach a behavior that requires signing must say
    /// what its viewers present; otherwise every request would be refused.
    pub(super) fn check_signed_classes(&self, distribution: &DistributionSpec, traffic: &TrafficSpec) -> Result<()> {
        let mut path = String::new();
        for (i, class) in traffic.classes.iter().enumerate().filter(|(_, c)| c.signed.is_none()) {
            for id in sample_ids(class.objects) {
                class.path_of(id, &mut path);
                let b = distribution.behavior_for(&path);
                if distribution.behaviors[b].requires_signing() {
                    return Err(self.error(
                        &format!("traffic.classes[{i}]"),
                        format!(
                            "paths such as {path} reach behavior {:?}, which requires signed URLs or cookies, \
                             but the class says nothing about signing",
                            distribution.behaviors[b].path_pattern
                        ),
                        "add signed = { sessions = 1000, mix = { valid-url = 1.0 } } to the class \
                         (mix = { none = 1.0 } if its viewers present nothing)",
                    ));
                }
            }
        }
        Ok(())
    }
}
