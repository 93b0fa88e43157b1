//! What every part of validation shares: the `Validator` (the file, where
//! its fields are, the `--set` overrides), its errors, and the scalar fields
//! (counts, sizes, durations, whole seconds, distributions, Regions). A leaf:
//! it imports no other file of `validate/`, and they all import it.

use crate::dist::{DIST_NAMES, Dist};
use crate::geo::{self, Region};
use crate::scenario::error::{FieldError, ScenarioError};
use crate::scenario::source::{LineStarts, Override, SpanIndex};
use crate::time::SimDuration;
use crate::units::{format_duration, parse_duration, parse_size};
use std::path::Path;
use toml::Value;

pub(super) struct Validator<'a> {
    pub(super) file: &'a Path,
    pub(super) spans: &'a SpanIndex,
    pub(super) overrides: &'a [Override],
}

pub(super) type Result<T> = std::result::Result<T, ScenarioError>;

/// Whether a value is a time or a byte count, for distributions.
#[derive(Clone, Copy)]
pub(super) enum Unit {
    Millis,
    Bytes,
}

impl Validator<'_> {
    pub(super) fn error(&self, field: &str, problem: impl Into<String>, fix: impl Into<String>) -> ScenarioError {
        let set_by =
            self.overrides.iter().rev().find(|o| field == o.path || field.starts_with(&format!("{}.", o.path)));
        self.error_set_by(field, problem, fix, set_by)
    }

    pub(super) fn error_set_by(
        &self,
        field: &str,
        problem: impl Into<String>,
        fix: impl Into<String>,
        set_by: Option<&Override>,
    ) -> ScenarioError {
        ScenarioError::Field(Box::new(FieldError {
            file: self.file.to_path_buf(),
            position: if set_by.is_some() { None } else { self.spans.locate(field) },
            field: field.to_string(),
            problem: problem.into(),
            fix: fix.into(),
            set_by: set_by.map(|o| o.text.clone()),
        }))
    }

    /// A custom policy's `name` at `field` (`kind`: "cache policy", "origin
    /// request policy"): not empty, not `taken` by an earlier one, and not
    /// `managed`, the name of CloudFront's managed policy it would shadow,
    /// which a behavior names through `behavior_field` instead.
    pub(super) fn custom_policy_name(
        &self,
        field: &str,
        name: &str,
        taken: bool,
        kind: &str,
        (managed, behavior_field): (Option<&str>, &str),
    ) -> Result<()> {
        if name.is_empty() || taken {
            return Err(self.error(
                &format!("{field}.name"),
                format!("{kind} name {name:?} is empty or used twice"),
                format!("give each {kind} a unique name"),
            ));
        }
        if let Some(managed) = managed {
            return Err(self.error(
                &format!("{field}.name"),
                format!("{name:?} names CloudFront's managed {kind} {managed}"),
                format!("give the custom policy another name, or remove it and use {behavior_field} = \"{managed}\""),
            ));
        }
        Ok(())
    }

    pub(super) fn syntax_error(&self, text: &str, e: &toml::de::Error) -> ScenarioError {
        let position = e.span().map(|s| LineStarts::new(text).position(s.start));
        ScenarioError::Field(Box::new(FieldError {
            file: self.file.to_path_buf(),
            position,
            field: String::new(),
            problem: format!("TOML syntax error: {}", e.message().trim()),
            fix: "correct the TOML syntax at that position".into(),
            set_by: None,
        }))
    }

    pub(super) fn serde_error(&self, e: &serde_path_to_error::Error<toml::de::Error>) -> ScenarioError {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.inner().message().trim().to_string();
        // serde names an unknown field in its message; point at the field itself.
        if let Some(name) = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next()) {
            let field = if path.is_empty() || path == name || path.ends_with(&format!(".{name}")) {
                if path.is_empty() { name.to_string() } else { path.clone() }
            } else {
                format!("{path}.{name}")
            };
            let expected = message.split_once(", expected ").map(|(_, x)| x.to_string()).unwrap_or_default();
            return self.error(
                &field,
                "unknown field",
                format!("remove it or correct the spelling; expected {expected}; see scenarios/README.md"),
            );
        }
        if let Some(name) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            let field = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
            return self.error(&field, "this required field is missing", "add it; see scenarios/README.md");
        }
        self.error(&path, message, "see scenarios/README.md for the field's type and unit")
    }

    pub(super) fn int_in(&self, field: &str, value: Option<i64>, default: i64, min: i64, max: i64) -> Result<i64> {
        let v = value.unwrap_or(default);
        if !(min..=max).contains(&v) {
            return Err(self.error(field, format!("{v} is out of range"), format!("use {min} to {max}")));
        }
        Ok(v)
    }

    /// A duration in whole seconds within CloudFront's range for the field:
    /// `(default, min, max)` seconds. `what` names the setting in plural for
    /// messages, e.g. "connection timeouts".
    pub(super) fn seconds_in(
        &self,
        what: &str,
        field: &str,
        value: Option<&Value>,
        (default_s, min_s, max_s): (u64, u64, u64),
    ) -> Result<SimDuration> {
        let rule = format!("CloudFront's {what} are whole seconds from {min_s} to {max_s} (default {default_s})");
        let seconds = self.whole_seconds(field, value, &rule, (min_s, max_s))?.unwrap_or(default_s);
        if !(min_s..=max_s).contains(&seconds) {
            return Err(self.error(
                field,
                format!("{seconds} s is outside CloudFront's range of {min_s} to {max_s} s"),
                format!("use {min_s} to {max_s} seconds (default {default_s})"),
            ));
        }
        Ok(SimDuration::from_secs(seconds))
    }

    pub(super) fn size(&self, field: &str, value: &Value) -> Result<u64> {
        match value {
            Value::Integer(n) if *n >= 0 => Ok(*n as u64),
            Value::Integer(n) => {
                Err(self.error(field, format!("{n} is negative"), "use a size of 0 or more, e.g. \"50 GiB\""))
            }
            Value::String(s) => {
                parse_size(s).map_err(|e| self.error(field, e, "write a size such as \"50 GiB\" or \"512 MB\""))
            }
            other => Err(self.error(
                field,
                format!("expected a size, found {}", other.type_str()),
                "write a size such as \"50 GiB\"",
            )),
        }
    }

    pub(super) fn duration(&self, field: &str, value: &Value) -> Result<SimDuration> {
        match value {
            Value::Integer(n) if *n >= 0 => Ok(SimDuration::from_secs(*n as u64)),
            Value::Float(x) if *x >= 0.0 && x.is_finite() => Ok(SimDuration::from_secs_f64(*x)),
            Value::String(s) => {
                parse_duration(s).map_err(|e| self.error(field, e, "write a duration such as \"20 ms\" or \"1 h\""))
            }
            Value::Integer(_) | Value::Float(_) => Err(self.error(field, "the duration is negative", "use 0 or more")),
            other => Err(self.error(
                field,
                format!("expected a duration, found {}", other.type_str()),
                "write a duration such as \"10 min\"",
            )),
        }
    }

    pub(super) fn optional_duration(
        &self,
        field: &str,
        value: Option<&Value>,
        default: SimDuration,
    ) -> Result<SimDuration> {
        value.map_or(Ok(default), |v| self.duration(field, v))
    }

    /// TTL fields: whole seconds, as CloudFront stores them.
    pub(super) fn optional_seconds(&self, field: &str, value: Option<&Value>) -> Result<Option<u64>> {
        self.whole_seconds(field, value, "CloudFront TTLs are whole seconds", (0, u64::MAX))
    }

    /// A duration that must be whole seconds: `rule` says why, and the fix
    /// suggests the nearest whole number in `(min, max)`.
    pub(super) fn whole_seconds(
        &self,
        field: &str,
        value: Option<&Value>,
        rule: &str,
        range: (u64, u64),
    ) -> Result<Option<u64>> {
        let Some(v) = value else { return Ok(None) };
        let d = self.duration(field, v)?;
        if !d.as_micros().is_multiple_of(1_000_000) {
            let nearest = (d.as_micros() as f64 / 1e6).round() as u64;
            return Err(self.error(
                field,
                format!("{} is not a whole number of seconds", format_duration(d)),
                format!("{rule}: write e.g. {}", nearest.clamp(range.0, range.1)),
            ));
        }
        Ok(Some(d.as_micros() / 1_000_000))
    }

    pub(super) fn optional_dist(&self, field: &str, value: Option<&Value>, unit: Unit) -> Result<Option<Dist>> {
        value.map(|v| self.dist(field, v, unit)).transpose()
    }

    /// `"20 ms"` / `"40 KiB"` for a constant, or `{ dist = "...", ... }`.
    pub(super) fn dist(&self, field: &str, value: &Value, unit: Unit) -> Result<Dist> {
        let scalar = |f: &str, v: &Value| -> Result<f64> {
            match unit {
                Unit::Millis => match v {
                    Value::String(_) => Ok(self.duration(f, v)?.as_millis_f64()),
                    _ => Err(self.error(
                        f,
                        format!("expected a duration with a unit, found {}", v.type_str()),
                        "write e.g. \"20 ms\"",
                    )),
                },
                Unit::Bytes => Ok(self.size(f, v)? as f64),
            }
        };
        let table = match value {
            Value::Table(t) => t,
            other => return Ok(Dist::constant(scalar(field, other)?)),
        };
        let kind = table.get("dist").and_then(Value::as_str).ok_or_else(|| {
            self.error(
                &format!("{field}.dist"),
                "a distribution table needs `dist`",
                format!("add dist = one of: {DIST_NAMES}"),
            )
        })?;
        let params: &[&str] = match kind {
            "constant" => &["value"],
            "uniform" => &["min", "max"],
            "normal" | "lognormal" => &["mean", "stddev"],
            "exponential" => &["mean"],
            "pareto" => &["min", "alpha"],
            other => {
                return Err(self.error(
                    &format!("{field}.dist"),
                    format!("unknown distribution {other:?}"),
                    format!("use one of: {DIST_NAMES}"),
                ));
            }
        };
        if let Some(extra) = table.keys().find(|k| *k != "dist" && !params.contains(&k.as_str())) {
            return Err(self.error(
                &format!("{field}.{extra}"),
                format!("`{extra}` is not a parameter of {kind}"),
                format!("{kind} takes: {}", params.join(", ")),
            ));
        }
        let get = |name: &str| -> Result<f64> {
            let f = format!("{field}.{name}");
            let v = table.get(name).ok_or_else(|| {
                self.error(&f, format!("{kind} needs `{name}`"), format!("{kind} takes: {}", params.join(", ")))
            })?;
            if name == "alpha" {
                return v
                    .as_float()
                    .or(v.as_integer().map(|i| i as f64))
                    .ok_or_else(|| self.error(&f, "expected a number", "write e.g. 1.5"));
            }
            scalar(&f, v)
        };
        let built = match kind {
            "constant" => Ok(Dist::constant(get("value")?)),
            "uniform" => Dist::uniform(get("min")?, get("max")?),
            "normal" => Dist::normal(get("mean")?, get("stddev")?),
            "lognormal" => Dist::lognormal(get("mean")?, get("stddev")?),
            "exponential" => Dist::exponential(get("mean")?),
            _ => Dist::pareto(get("min")?, get("alpha")?),
        };
        built.map_err(|e| self.error(field, e, "adjust the parameters"))
    }

    pub(super) fn region(&self, field: &str, name: &str) -> Result<&'static Region> {
        geo::find_region(name).ok_or_else(|| {
            self.error(field, format!("unknown AWS Region {name:?}"), format!("use one of: {}", geo::region_names()))
        })
    }
}

impl Validator<'_> {
    /// A country by its ISO 3166-1 alpha-2 code (`places::COUNTRIES`).
    pub(super) fn country(&self, field: &str, code: &str) -> Result<&'static crate::places::Country> {
        crate::places::find_country(code).ok_or_else(|| {
            let hint = match crate::places::find_country(&code.to_ascii_uppercase()) {
                Some(c) => format!("write {:?}", c.code),
                None => format!("use an ISO 3166-1 alpha-2 code cdnsim knows: {}", crate::places::country_codes()),
            };
            self.error(field, format!("{code:?} is not a country cdnsim knows"), hint)
        })
    }

    /// A point given as `latitude` and `longitude` in degrees, both or none.
    pub(super) fn coordinates(
        &self,
        field: &str,
        latitude: Option<f64>,
        longitude: Option<f64>,
    ) -> Result<Option<(f64, f64)>> {
        match (latitude, longitude) {
            (None, None) => Ok(None),
            (Some(lat), Some(lon)) => {
                if !(-90.0..=90.0).contains(&lat) {
                    return Err(self.error(
                        &format!("{field}.latitude"),
                        format!("{lat} is not a latitude"),
                        "use degrees from -90 (south) to 90 (north)",
                    ));
                }
                if !(-180.0..=180.0).contains(&lon) {
                    return Err(self.error(
                        &format!("{field}.longitude"),
                        format!("{lon} is not a longitude"),
                        "use degrees from -180 (west) to 180 (east)",
                    ));
                }
                Ok(Some((lat, lon)))
            }
            (Some(_), None) => {
                Err(self.error(&format!("{field}.longitude"), "a latitude needs its longitude", "add `longitude`"))
            }
            (None, Some(_)) => {
                Err(self.error(&format!("{field}.latitude"), "a longitude needs its latitude", "add `latitude`"))
            }
        }
    }
}

pub(super) fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let list: Vec<&str> = items.collect();
    if list.is_empty() { "(none defined)".to_string() } else { list.join(", ") }
}
