//! `[viewers]`: viewer populations placed on the globe (a built-in preset,
//! the file's own, or both), and the price class's reach: a class must
//! leave some edge location to serve from.

use super::fields::{Result, Unit, Validator};
use crate::dist::Dist;
use crate::places::{self, Place};
use crate::scenario::raw::{RawPopulation, RawViewers};
use crate::scenario::spec::*;

/// A population's last-mile round trip when the file gives none: a
/// broadband or mobile access network's typical 10 ms, spread (cdnsim's
/// assumption, not a CloudFront fact).
pub(super) fn default_last_mile() -> Dist {
    Dist::lognormal(10.0, 5.0).expect("valid constants")
}

impl Validator<'_> {
    pub(super) fn viewers(&self, raw: Option<&RawViewers>) -> Result<Option<ViewersSpec>> {
        let Some(raw) = raw else { return Ok(None) };
        let mut populations = Vec::new();
        if let Some(name) = &raw.preset {
            let metros = places::viewer_preset(name).ok_or_else(|| {
                self.error(
                    "viewers.preset",
                    format!("{name:?} is not a viewer preset"),
                    format!("use one of: {}", places::VIEWER_PRESETS.join(", ")),
                )
            })?;
            for m in metros {
                let country = places::find_country(m.country).expect("every preset metro's country is known");
                populations.push(PopulationSpec {
                    name: m.name.to_string(),
                    place: Place { latitude: m.latitude, longitude: m.longitude, country },
                    weight: m.weight,
                    last_mile_rtt_ms: default_last_mile(),
                });
            }
        }
        for (i, p) in raw.populations.iter().enumerate() {
            let field = format!("viewers.populations[{i}]");
            populations.push(self.population(&field, p)?);
            let name = &populations.last().expect("just pushed").name;
            if populations[..populations.len() - 1].iter().any(|o| &o.name == name) {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("population {name:?} is listed twice (or is a preset's)"),
                    "give each population a unique name",
                ));
            }
        }
        if populations.is_empty() {
            return Err(self.error(
                "viewers",
                "`[viewers]` has no populations",
                "write preset = \"world\", or add [[viewers.populations]] entries, or remove `[viewers]`",
            ));
        }
        if populations.len() > MAX_POPULATIONS {
            return Err(self.error(
                "viewers.populations",
                format!("{} populations are too many", populations.len()),
                format!("use at most {MAX_POPULATIONS}"),
            ));
        }
        Ok(Some(ViewersSpec { populations, preset: raw.preset.clone() }))
    }

    fn population(&self, field: &str, raw: &RawPopulation) -> Result<PopulationSpec> {
        if raw.name.is_empty() {
            return Err(self.error(
                &format!("{field}.name"),
                "the name is empty",
                "name the population, e.g. \"sao-paulo\"",
            ));
        }
        let country = self.country(&format!("{field}.country"), &raw.country)?;
        let place = match self.coordinates(field, raw.latitude, raw.longitude)? {
            Some((latitude, longitude)) => Place { latitude, longitude, country },
            None => Place::metro_of(country),
        };
        let weight = raw.weight.unwrap_or(1.0);
        if !(weight > 0.0 && weight.is_finite()) {
            return Err(self.error(&format!("{field}.weight"), "the weight must be above 0", "use e.g. 1.0"));
        }
        let last_mile_rtt_ms = self
            .optional_dist(&format!("{field}.last_mile_rtt"), raw.last_mile_rtt.as_ref(), Unit::Millis)?
            .unwrap_or_else(default_last_mile);
        Ok(PopulationSpec { name: raw.name.clone(), place, weight, last_mile_rtt_ms })
    }

    /// A price class must leave some edge location to serve from (Developer
    /// Guide, "Choosing the price class for a CloudFront distribution":
    /// CloudFront serves only from the class's edge locations).
    pub(super) fn check_price_class_reach(
        &self,
        topology: &TopologySpec,
        distribution: &DistributionSpec,
    ) -> Result<()> {
        let class = distribution.price_class;
        if topology.edges.iter().any(|e| class.includes(e.price_region.group())) {
            return Ok(());
        }
        let regions: Vec<&str> = {
            let mut r: Vec<&str> = topology.edges.iter().map(|e| e.price_region.as_str()).collect();
            r.sort_unstable();
            r.dedup();
            r
        };
        Err(self.error(
            "distribution.price_class",
            format!(
                "{} leaves no edge location to serve from: every edge location is in {}",
                class.as_str(),
                regions.join(", ")
            ),
            "choose a larger price class (PriceClass_All serves from every edge location), or add edge locations \
             in North America or Europe",
        ))
    }
}
