//! `[cost]`: the billing period a run's usage is scaled to, the pricing
//! table (a file beside the scenario, read and checked here, at load) and
//! the bill's options. The rules of the options are `cdnsim cost`'s: a
//! flat-rate plan is the whole bill, so it takes neither the free tier nor a
//! Security Savings Bundle.

use super::fields::{Result, Validator};
use crate::scenario::raw::RawCost;
use crate::scenario::spec::{CostSpec, DEFAULT_COST_PERIOD, MAX_COST_PERIOD};
use crate::time::SimDuration;
use cdnsim_cost::{Options, PricingTable, Usd};
use std::sync::Arc;
use toml::Value;

impl Validator<'_> {
    pub(super) fn cost(&self, raw: Option<&RawCost>) -> Result<CostSpec> {
        let Some(raw) = raw else { return Ok(CostSpec::default()) };
        let period = match &raw.period {
            None => DEFAULT_COST_PERIOD,
            Some(value) => self.duration("cost.period", value)?,
        };
        if period < SimDuration::from_secs(1) {
            return Err(self.error(
                "cost.period",
                "the billing period is shorter than a second",
                "give the period the usage is scaled to, e.g. \"30 d\"",
            ));
        }
        if period > MAX_COST_PERIOD {
            return Err(self.error(
                "cost.period",
                "the billing period is longer than ten years (3650 d)",
                "give the period the usage is scaled to, e.g. \"30 d\"",
            ));
        }
        let pricing = match &raw.pricing {
            None => PricingTable::built_in(),
            Some(path) => self.pricing_table(path)?,
        };
        let savings_bundle = match &raw.savings_bundle {
            None => None,
            Some(value) => Some(self.usd("cost.savings_bundle", value)?),
        };
        let free_tier = raw.free_tier.unwrap_or(false);
        if let Some(plan) = &raw.flat_rate {
            if pricing.flat_rate_plan(plan).is_none() {
                let known: Vec<&str> = pricing.flat_rate_plans.iter().map(|p| p.name.as_str()).collect();
                return Err(self.error(
                    "cost.flat_rate",
                    format!("there is no flat-rate plan {plan:?} in the pricing table"),
                    format!("use one of: {}", known.join(", ")),
                ));
            }
            // The plan fee is the whole bill (`cdnsim cost --flat-rate`
            // refuses the same pairs).
            let other = if savings_bundle.is_some() {
                Some("savings_bundle")
            } else if free_tier {
                Some("free_tier")
            } else {
                None
            };
            if let Some(other) = other {
                return Err(self.error(
                    &format!("cost.{other}"),
                    format!(
                        "a flat-rate plan ({plan:?}) cannot be combined with {other}: the plan fee is the whole bill"
                    ),
                    format!("remove cost.{other}, or remove cost.flat_rate to pay as you go"),
                ));
            }
        }
        Ok(CostSpec {
            period,
            pricing: Arc::new(pricing),
            options: Options { free_tier, savings_bundle, flat_rate: raw.flat_rate.clone() },
        })
    }

    /// Reads the pricing table `path` names, relative to the scenario's folder.
    fn pricing_table(&self, path: &str) -> Result<PricingTable> {
        let full = self.file.parent().unwrap_or(std::path::Path::new("")).join(path);
        let text = std::fs::read_to_string(&full).map_err(|e| {
            self.error(
                "cost.pricing",
                format!("cannot read {}: {e}", full.display()),
                "give a pricing table (TOML, keys in crates/cdnsim-cost/README.md) relative to the scenario file, \
                 or remove cost.pricing for the built-in prices",
            )
        })?;
        PricingTable::parse(&full.display().to_string(), &text).map_err(|e| {
            self.error(
                "cost.pricing",
                e.to_string(),
                "correct the pricing table (copy the built-in crates/cdnsim-cost/pricing/cloudfront-2026-12-02.toml \
                 and edit it)",
            )
        })
    }

    /// US dollars a month: a number or a quoted decimal, two digits after the
    /// point at most.
    fn usd(&self, field: &str, value: &Value) -> Result<Usd> {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            other => {
                return Err(self.error(
                    field,
                    format!("expected US dollars a month, got {}", other.type_str()),
                    "write the monthly commitment, e.g. 420 or \"99.50\"",
                ));
            }
        };
        text.trim()
            .parse::<Usd>()
            .map_err(|e| self.error(field, e.to_string(), "write the monthly commitment, e.g. 420 or \"99.50\""))
    }
}
