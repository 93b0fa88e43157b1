//! `[[origins]]`, `[[origin_groups]]` and `[[faults]]`.

use super::fields::{Result, Unit, Validator, names};
use crate::dist::Dist;
use crate::http::CacheControl;
use crate::scenario::raw::*;
use crate::scenario::spec::*;
use crate::scenario::vocabulary::*;
use crate::time::SimTime;

/// The `origin_shield` value that turns Origin Shield off.
const NO_ORIGIN_SHIELD: &str = "none";

impl Validator<'_> {
    pub(super) fn origins(&self, raw: &[RawOrigin], topology: &TopologySpec) -> Result<Vec<OriginSpec>> {
        if raw.is_empty() {
            return Err(self.error(
                "origins",
                "the scenario has no origins",
                "add an [[origins]] table with name and region",
            ));
        }
        let mut origins: Vec<OriginSpec> = Vec::new();
        for (i, o) in raw.iter().enumerate() {
            let field = format!("origins[{i}]");
            if o.name.is_empty() || origins.iter().any(|x| x.name == o.name) {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("origin name {:?} is empty or used twice", o.name),
                    "give each origin a unique name",
                ));
            }
            if topology.regional_caches.iter().any(|r| r.name == o.name) {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("{:?} is also a regional edge cache's name", o.name),
                    "rename the origin",
                ));
            }
            let kind = match o.kind.as_deref() {
                None | Some("custom") => OriginKind::Custom,
                Some("s3") => OriginKind::S3,
                Some(other) => {
                    return Err(self.error(
                        &format!("{field}.kind"),
                        format!("unknown origin kind {other:?}"),
                        "use \"custom\" or \"s3\"",
                    ));
                }
            };
            let concurrency = self.int_in(&format!("{field}.concurrency"), o.concurrency, 100, 1, 10_000_000)? as u32;
            let queue_limit =
                self.int_in(&format!("{field}.queue_limit"), o.queue_limit, 10_000, 0, 100_000_000)? as u32;
            let origin_shield = match &o.origin_shield {
                // "none" says what leaving the field out says, so that a sweep
                // can vary Origin Shield on and off (`--vary origins[0].origin_shield=none,us-east-1`).
                None => None,
                Some(name) if name == NO_ORIGIN_SHIELD => None,
                Some(name) => Some(
                    topology.regional_caches.iter().position(|r| &r.name == name || r.region.name == name).ok_or_else(|| {
                        self.error(
                            &format!("{field}.origin_shield"),
                            format!("{name:?} is not a regional edge cache of this topology; Origin Shield runs only in Regions with one"),
                            format!(
                                "use one of: {}, or \"{NO_ORIGIN_SHIELD}\" for no Origin Shield",
                                names(topology.regional_caches.iter().map(|r| r.name.as_str()))
                            ),
                        )
                    })?,
                ),
            };
            // Ranges from the Developer Guide's origin settings and the live
            // quotas page (reference §4.2): attempts 1-3, connection timeout
            // 1-10 s, response timeout 1-120 s.
            let connection_attempts =
                self.int_in(&format!("{field}.connection_attempts"), o.connection_attempts, 3, 1, 3)? as u32;
            let connection_timeout = self.seconds_in(
                "connection timeouts",
                &format!("{field}.connection_timeout"),
                o.connection_timeout.as_ref(),
                (10, 1, 10),
            )?;
            let response_timeout = self.seconds_in(
                "response timeouts",
                &format!("{field}.response_timeout"),
                o.response_timeout.as_ref(),
                (30, 1, 120),
            )?;
            // OriginKeepaliveTimeout: the Developer Guide of June 2023 says
            // 1-60 s, the live console and API accept 1-120 s (reference
            // §4.2, CONFLICT); cdnsim accepts the live range.
            let keepalive_timeout = self.seconds_in(
                "keep-alive timeouts",
                &format!("{field}.keepalive_timeout"),
                o.keepalive_timeout.as_ref(),
                (5, 1, 120),
            )?;
            let error_cache_control = match &o.error_cache_control {
                None => None,
                Some(text) => Some(text.parse::<CacheControl>().map_err(|e: String| {
                    self.error(
                        &format!("{field}.error_cache_control"),
                        e,
                        "write it as the origin sends it on its errors, e.g. \"max-age=60\"",
                    )
                })?),
            };
            origins.push(OriginSpec {
                name: o.name.clone(),
                connection_attempts,
                connection_timeout,
                response_timeout,
                keepalive_timeout,
                kind,
                region: self.region(&format!("{field}.region"), &o.region)?,
                latency_ms: self
                    .optional_dist(&format!("{field}.latency"), o.latency.as_ref(), Unit::Millis)?
                    .unwrap_or(Dist::lognormal(50.0, 20.0).expect("valid constants")),
                concurrency,
                queue_limit,
                origin_shield,
                protocol_policy: self.origin_protocol_policy(&field, o.protocol_policy.as_deref(), kind)?,
                // Filled in by `origin_access`, which sees the whole scenario.
                custom_headers: Vec::new(),
                access: None,
                supports_ranges: o.supports_ranges.unwrap_or(true),
                error_cache_control,
            });
        }
        Ok(origins)
    }

    pub(super) fn origin_groups(&self, raw: &[RawOriginGroup], origins: &[OriginSpec]) -> Result<Vec<OriginGroupSpec>> {
        let mut groups: Vec<OriginGroupSpec> = Vec::new();
        for (i, g) in raw.iter().enumerate() {
            let field = format!("origin_groups[{i}]");
            if g.name.is_empty() || groups.iter().any(|x| x.name == g.name) || origins.iter().any(|o| o.name == g.name)
            {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("{:?} is empty or already names an origin or origin group", g.name),
                    "give each origin and origin group a unique name",
                ));
            }
            if g.members.len() != 2 {
                return Err(self.error(
                    &format!("{field}.members"),
                    format!(
                        "an origin group has exactly two members, a primary and a secondary; this one has {}",
                        g.members.len()
                    ),
                    "list two origins: members = [\"primary\", \"secondary\"]",
                ));
            }
            let member = |k: usize| -> Result<usize> {
                origins.iter().position(|o| o.name == g.members[k]).ok_or_else(|| {
                    self.error(
                        &format!("{field}.members[{k}]"),
                        format!("no origin is named {:?}", g.members[k]),
                        format!("use one of: {}", names(origins.iter().map(|o| o.name.as_str()))),
                    )
                })
            };
            let (primary, secondary) = (member(0)?, member(1)?);
            if primary == secondary {
                return Err(self.error(
                    &format!("{field}.members"),
                    "the primary and the secondary are the same origin",
                    "name two different origins",
                ));
            }
            let allowed = FAILOVER_STATUS_CODES;
            if g.failover_status_codes.is_empty() {
                // CloudFront's FailoverCriteria.StatusCodes holds at least one
                // code (API reference, StatusCodes: Quantity is 1 or more).
                return Err(self.error(
                    &format!("{field}.failover_status_codes"),
                    "an origin group fails over on at least one status code; CloudFront refuses an empty list",
                    format!(
                        "list one or more of {}, e.g. failover_status_codes = [500, 502, 503, 504]",
                        allowed.map(|c| c.to_string()).join(", ")
                    ),
                ));
            }
            let mut codes = Vec::with_capacity(g.failover_status_codes.len());
            for (k, &code) in g.failover_status_codes.iter().enumerate() {
                if !allowed.iter().any(|&c| c as i64 == code) {
                    return Err(self.error(
                        &format!("{field}.failover_status_codes[{k}]"),
                        format!("CloudFront cannot fail over on status {code}"),
                        format!("use any of {}", allowed.map(|c| c.to_string()).join(", ")),
                    ));
                }
                codes.push(code as u16);
            }
            let criteria = FailoverCriteria::from_status_codes(&codes).expect("checked above");
            groups.push(OriginGroupSpec { name: g.name.clone(), primary, secondary, criteria });
        }
        Ok(groups)
    }

    pub(super) fn faults(&self, raw: &[RawFault], origins: &[OriginSpec]) -> Result<Vec<FaultSpec>> {
        raw.iter().enumerate().map(|(i, f)| self.fault(&format!("faults[{i}]"), f, origins)).collect()
    }

    fn fault(&self, field: &str, f: &RawFault, origins: &[OriginSpec]) -> Result<FaultSpec> {
        let origin = origins.iter().position(|o| o.name == f.origin).ok_or_else(|| {
            self.error(
                &format!("{field}.origin"),
                format!("no origin is named {:?}", f.origin),
                format!("use one of: {}", names(origins.iter().map(|o| o.name.as_str()))),
            )
        })?;
        let start = SimTime::ZERO + self.duration(&format!("{field}.start"), &f.start)?;
        let end = SimTime::ZERO + self.duration(&format!("{field}.end"), &f.end)?;
        if end <= start {
            return Err(self.error(
                &format!("{field}.end"),
                "the fault ends before it starts",
                "make end later than start",
            ));
        }
        // Each kind takes its own parameters; a stray one is a mistake.
        let takes: &[&str] = match f.kind.as_str() {
            "down" | "blackhole" => &[],
            "slow" => &["factor"],
            "status" => &["status", "fraction"],
            other => {
                return Err(self.error(
                    &format!("{field}.kind"),
                    format!("unknown fault kind {other:?}"),
                    "use \"down\" (connections refused), \"blackhole\" (timeouts), \"slow\" (with factor) \
                     or \"status\" (with status and fraction)",
                ));
            }
        };
        for (name, present) in
            [("factor", f.factor.is_some()), ("status", f.status.is_some()), ("fraction", f.fraction.is_some())]
        {
            if present && !takes.contains(&name) {
                return Err(self.error(
                    &format!("{field}.{name}"),
                    format!("`{name}` does not apply to a {:?} fault", f.kind),
                    "remove it",
                ));
            }
        }
        let kind = match f.kind.as_str() {
            "down" => FaultKind::Down,
            "blackhole" => FaultKind::Blackhole,
            "slow" => {
                let factor = f.factor.ok_or_else(|| {
                    self.error(
                        &format!("{field}.factor"),
                        "a slow fault needs `factor`",
                        "add e.g. factor = 5.0 (five times slower)",
                    )
                })?;
                if !(factor > 0.0 && factor <= 1e6) {
                    return Err(self.error(
                        &format!("{field}.factor"),
                        format!("factor {factor} is out of range"),
                        "use a factor above 0 and at most 1e6",
                    ));
                }
                FaultKind::Slow { factor }
            }
            _ => {
                let status = f.status.ok_or_else(|| {
                    self.error(&format!("{field}.status"), "a status fault needs `status`", "add e.g. status = 503")
                })?;
                if !(400..=599).contains(&status) {
                    return Err(self.error(
                        &format!("{field}.status"),
                        format!("{status} is not an error status"),
                        "use a 4xx or 5xx status, e.g. 503",
                    ));
                }
                let fraction = f.fraction.unwrap_or(1.0);
                if !(fraction > 0.0 && fraction <= 1.0) {
                    return Err(self.error(
                        &format!("{field}.fraction"),
                        format!("{fraction} is not a share above 0"),
                        "use a number above 0 and at most 1",
                    ));
                }
                FaultKind::Status { status: status as u16, fraction }
            }
        };
        Ok(FaultSpec { origin, kind, start, end })
    }
}
