//! `[[invalidations]]`: when each is submitted, its paths, and how long it
//! takes to reach each cache.

use super::fields::{Result, Unit, Validator};
use crate::dist::Dist;
use crate::scenario::invalidation_path::{check_in_progress, check_path};
use crate::scenario::raw::RawInvalidation;
use crate::scenario::spec::InvalidationSpec;
use crate::time::SimTime;

impl Validator<'_> {
    pub(super) fn invalidations(&self, raw: &[RawInvalidation]) -> Result<Vec<InvalidationSpec>> {
        raw.iter().enumerate().map(|(i, r)| self.invalidation(&format!("invalidations[{i}]"), r)).collect()
    }

    fn invalidation(&self, field: &str, r: &RawInvalidation) -> Result<InvalidationSpec> {
        let at = SimTime::ZERO + self.duration(&format!("{field}.at"), &r.at)?;
        if r.paths.is_empty() {
            return Err(self.error(
                &format!("{field}.paths"),
                "the invalidation has no paths",
                "list the files to invalidate, e.g. paths = [\"/img/*\"], or remove the invalidation",
            ));
        }
        for (j, path) in r.paths.iter().enumerate() {
            check_path(path).map_err(|problem| {
                self.error(
                    &format!("{field}.paths[{j}]"),
                    problem,
                    "write a path such as \"/img/logo.png\" or \"/img/*\"",
                )
            })?;
        }
        // One request's paths are in progress together, so its own paths
        // must fit the quota. How invalidations submitted at different times
        // overlap depends on the delays the run samples; cdnsim checks each
        // request alone.
        check_in_progress(r.paths.iter().map(|p| p.as_str())).map_err(|problem| {
            self.error(
                &format!("{field}.paths"),
                problem,
                "split the paths into invalidations submitted after one another, or use a wildcard such as \"/img/*\"",
            )
        })?;
        // The Developer Guide gives no figure for how long an invalidation
        // takes to reach a location; cdnsim assumes 5 to 60 s per cache.
        let propagation_ms = self
            .optional_dist(&format!("{field}.propagation"), r.propagation.as_ref(), Unit::Millis)?
            .unwrap_or(Dist::uniform(5_000.0, 60_000.0).expect("valid constants"));
        Ok(InvalidationSpec { at, paths: r.paths.clone(), propagation_ms })
    }
}
