//! Protocol policies, origin custom headers, the origin's header check,
//! direct-to-origin traffic and timed changes (a secret header's rotation).

use super::fields::{Result, Unit, Validator, names};
use super::headers::{check_custom_header, check_custom_headers};
use crate::dist::Dist;
use crate::scenario::raw::*;
use crate::scenario::spec::*;
use crate::scenario::vocabulary::*;
use crate::scenario::vocabulary::{ABSENT, AcceptedValues, HeaderValueId, MAX_VALUES};
use crate::scenario::vocabulary::{OriginProtocolPolicy, ViewerProtocolPolicy};
use crate::time::SimDuration;
use crate::time::SimTime;
use toml::Value;

/// The two ways to rotate a secret header that `[rotation]` compares.
const ROTATION_METHODS: [&str; 2] = ["three-step", "at-once"];

impl Validator<'_> {
    pub(super) fn viewer_protocol_policy(&self, field: &str, raw: Option<&str>) -> Result<ViewerProtocolPolicy> {
        let Some(text) = raw else { return Ok(ViewerProtocolPolicy::AllowAll) };
        ViewerProtocolPolicy::parse(text).ok_or_else(|| {
            self.error(
                &format!("{field}.viewer_protocol_policy"),
                format!("unknown viewer protocol policy {text:?}"),
                format!("use one of: {}", ViewerProtocolPolicy::NAMES.join(", ")),
            )
        })
    }

    /// A custom origin defaults to `http-only`, CloudFront's default
    /// OriginProtocolPolicy (reference §7.2). An S3 REST origin has no such
    /// setting: CloudFront reaches it with the viewer's protocol (Developer
    /// Guide, "Requiring HTTPS for communication between CloudFront and your
    /// Amazon S3 origin"), which is `match-viewer`.
    pub(super) fn origin_protocol_policy(
        &self,
        field: &str,
        raw: Option<&str>,
        kind: OriginKind,
    ) -> Result<OriginProtocolPolicy> {
        let field = format!("{field}.protocol_policy");
        let policy = match raw {
            None if kind == OriginKind::S3 => return Ok(OriginProtocolPolicy::MatchViewer),
            None => return Ok(OriginProtocolPolicy::HttpOnly),
            Some(text) => OriginProtocolPolicy::parse(text).ok_or_else(|| {
                self.error(
                    &field,
                    format!("unknown origin protocol policy {text:?}"),
                    format!("use one of: {}", OriginProtocolPolicy::NAMES.join(", ")),
                )
            })?,
        };
        if kind == OriginKind::S3 && policy != OriginProtocolPolicy::MatchViewer {
            return Err(self.error(
                &field,
                format!(
                    "an S3 REST origin has no origin protocol policy: CloudFront uses the viewer's protocol, so \
                     {:?} cannot be set",
                    policy.as_str()
                ),
                "remove protocol_policy (or write \"match-viewer\"); for an S3 website endpoint, which speaks HTTP \
                 only, use kind = \"custom\" with protocol_policy = \"http-only\"",
            ));
        }
        Ok(policy)
    }

    pub(super) fn propagation(&self, raw: Option<&Value>) -> Result<Dist> {
        // CloudFront says changes reach every edge location within minutes;
        // without a figure from the scenario, each location takes 1 to 5.
        Ok(self
            .optional_dist("distribution.propagation", raw, Unit::Millis)?
            .unwrap_or(Dist::uniform(60_000.0, 300_000.0).expect("valid constants")))
    }

    /// Fills in each origin's custom headers and secret-header check, and
    /// returns the timed changes and the direct-to-origin traffic, with every
    /// header value interned per origin.
    pub(super) fn origin_access(
        &self,
        raw: &RawScenario,
        origins: &mut [OriginSpec],
    ) -> Result<(Vec<ChangeSpec>, Option<DirectTrafficSpec>)> {
        for (i, (o, spec)) in raw.origins.iter().zip(origins.iter_mut()).enumerate() {
            self.origin_headers(i, o, spec, raw)?;
        }
        let mut changes = Vec::new();
        for (i, c) in raw.changes.iter().enumerate() {
            changes.push(self.change(&format!("changes[{i}]"), c, origins)?);
        }
        if let Some(r) = &raw.rotation {
            changes.extend(self.rotation(r, origins)?);
        }
        for (i, c) in changes.iter().enumerate() {
            let sends = |x: &ChangeSpec| x.origin == c.origin && matches!(x.kind, ChangeKind::SendValue(_));
            if matches!(c.when, ChangeTime::AfterPropagation(_)) && !changes.iter().any(sends) {
                return Err(self.error(
                    &format!("changes[{i}].after_propagation"),
                    "no change of the distribution's header for this origin precedes it, so nothing propagates",
                    "give a time with `at`, or add a change with custom_header for the same origin",
                ));
            }
        }
        let direct = match &raw.traffic.direct_to_origin {
            None => None,
            Some(d) => Some(self.direct_to_origin(d, origins)?),
        };
        Ok((changes, direct))
    }

    fn origin_headers(&self, i: usize, o: &RawOrigin, spec: &mut OriginSpec, raw: &RawScenario) -> Result<()> {
        let field = format!("origins[{i}]");
        let headers: Vec<(String, String)> =
            o.custom_headers.iter().flatten().map(|h| (h.name.clone(), h.value.clone())).collect();
        check_custom_headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))).map_err(|e| {
            self.error(
                &format!("{field}.custom_headers"),
                e,
                "fix the header; CloudFront's rules are in scenarios/README.md (origin custom headers)",
            )
        })?;
        spec.custom_headers = headers;
        // The header the origin checks; else the one the distribution sends
        // (first listed), else the one a change introduces.
        let changed = raw.changes.iter().filter(|c| c.origin == o.name).find_map(|c| c.custom_header.as_ref());
        let header = match (&o.require_header, spec.custom_headers.first(), changed) {
            (Some(r), _, _) => r.name.clone(),
            (None, Some((name, _)), _) => name.clone(),
            (None, None, Some(h)) => h.name.clone(),
            (None, None, None) => return Ok(()),
        };
        let mut access =
            OriginAccessSpec { header, values: Vec::new(), sent_at_start: ABSENT, accepted_at_start: None };
        if let Some((_, value)) = spec.custom_headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(&access.header)) {
            access.sent_at_start = self.intern(&format!("{field}.custom_headers"), &mut access, value)?;
        }
        if let Some(r) = &o.require_header {
            let field = format!("{field}.require_header");
            check_custom_header(&r.name, "").map_err(|e| {
                self.error(&format!("{field}.name"), e, "the origin can only check a header CloudFront can send")
            })?;
            if r.values.is_empty() {
                return Err(self.error(
                    &format!("{field}.values"),
                    "the origin accepts no value, so it refuses every request",
                    "list the secret value(s) the origin accepts, e.g. values = [\"s3cr3t\"]",
                ));
            }
            let mut ids = Vec::new();
            for (k, v) in r.values.iter().enumerate() {
                ids.push(self.intern(&format!("{field}.values[{k}]"), &mut access, v)?);
            }
            access.accepted_at_start = Some(AcceptedValues::from_ids(ids));
        }
        spec.access = Some(access);
        Ok(())
    }

    fn intern(&self, field: &str, access: &mut OriginAccessSpec, value: &str) -> Result<HeaderValueId> {
        if let Some(id) = access.value_id(value) {
            return Ok(id);
        }
        if access.values.len() >= MAX_VALUES {
            return Err(self.error(
                field,
                format!("the header {} takes more than {MAX_VALUES} distinct values in this scenario", access.header),
                format!("use at most {MAX_VALUES} values per origin"),
            ));
        }
        access.values.push(value.to_string());
        Ok(access.values.len() as HeaderValueId)
    }

    fn origin_index(&self, field: &str, name: &str, origins: &[OriginSpec]) -> Result<usize> {
        origins.iter().position(|o| o.name == name).ok_or_else(|| {
            self.error(
                field,
                format!("no origin is named {name:?}"),
                format!("use one of: {}", names(origins.iter().map(|o| o.name.as_str()))),
            )
        })
    }

    fn change(&self, field: &str, c: &RawChange, origins: &mut [OriginSpec]) -> Result<ChangeSpec> {
        let origin = self.origin_index(&format!("{field}.origin"), &c.origin, origins)?;
        let when = match (&c.at, &c.after_propagation) {
            (Some(at), None) => ChangeTime::At(SimTime::ZERO + self.duration(&format!("{field}.at"), at)?),
            (None, Some(after)) if c.origin_accepts.is_some() => {
                ChangeTime::AfterPropagation(self.duration(&format!("{field}.after_propagation"), after)?)
            }
            (None, Some(_)) => {
                return Err(self.error(
                    &format!("{field}.after_propagation"),
                    "only a change of the origin's accepted values can wait for propagation",
                    "give the distribution's change a time with `at`",
                ));
            }
            _ => {
                return Err(self.error(
                    field,
                    "a change needs exactly one of `at` and `after_propagation`",
                    "write e.g. at = \"10 min\"",
                ));
            }
        };
        let Some(access) = origins[origin].access.as_mut() else {
            return Err(self.error(
                field,
                format!(
                    "origin {:?} neither sends nor checks a custom header, so there is nothing to change",
                    c.origin
                ),
                "add custom_headers or require_header to the origin",
            ));
        };
        let kind = match (&c.custom_header, &c.origin_accepts) {
            (Some(h), None) => {
                let f = format!("{field}.custom_header");
                check_custom_header(&h.name, &h.value).map_err(|e| self.error(&f, e, "fix the header"))?;
                if !h.name.eq_ignore_ascii_case(&access.header) {
                    return Err(self.error(
                        &format!("{f}.name"),
                        format!(
                            "cdnsim follows one secret header per origin, {}; a change must name it",
                            access.header
                        ),
                        format!("write name = {:?}", access.header),
                    ));
                }
                ChangeKind::SendValue(self.intern(&format!("{f}.value"), access, &h.value)?)
            }
            (None, Some(values)) => {
                if values.is_empty() {
                    return Err(self.error(
                        &format!("{field}.origin_accepts"),
                        "the origin would accept no value and refuse every request",
                        "list at least one value",
                    ));
                }
                let mut ids = Vec::new();
                for (k, v) in values.iter().enumerate() {
                    ids.push(self.intern(&format!("{field}.origin_accepts[{k}]"), access, v)?);
                }
                ChangeKind::OriginAccepts(AcceptedValues::from_ids(ids))
            }
            _ => {
                return Err(self.error(
                    field,
                    "a change needs exactly one of `custom_header` (the distribution's side) and `origin_accepts` \
                     (the origin's side)",
                    "split it into two [[changes]] entries",
                ));
            }
        };
        if matches!(kind, ChangeKind::OriginAccepts(_))
            && origins[origin].access.as_ref().unwrap().accepted_at_start.is_none()
        {
            return Err(self.error(
                &format!("{field}.origin_accepts"),
                format!("origin {:?} checks no header", c.origin),
                "add require_header = { name = ..., values = [...] } to the origin",
            ));
        }
        Ok(ChangeSpec { origin, when, kind })
    }

    /// `[rotation]`: a new secret value, either the recommended way (the
    /// origin accepts old and new; the distribution switches; the origin drops
    /// the old value once every location sends the new one, DG-private and
    /// reference §7.3) or both sides at once.
    fn rotation(&self, r: &RawRotation, origins: &mut [OriginSpec]) -> Result<Vec<ChangeSpec>> {
        let origin = self.origin_index("rotation.origin", &r.origin, origins)?;
        let at = SimTime::ZERO + self.duration("rotation.at", &r.at)?;
        let method = r.method.as_deref().unwrap_or("three-step");
        if !ROTATION_METHODS.contains(&method) {
            return Err(self.error(
                "rotation.method",
                format!("unknown rotation method {method:?}"),
                format!("use one of: {}", ROTATION_METHODS.join(", ")),
            ));
        }
        let drop_old_after =
            self.optional_duration("rotation.drop_old_after", r.drop_old_after.as_ref(), SimDuration::from_secs(60))?;
        let accepted_before = match origins[origin].access.as_ref().and_then(|a| a.accepted_at_start) {
            Some(accepted) => accepted,
            None => {
                return Err(self.error(
                    "rotation.origin",
                    format!("origin {:?} checks no header, so there is nothing to rotate", r.origin),
                    "add require_header = { name = ..., values = [...] } and custom_headers to the origin",
                ));
            }
        };
        let access = origins[origin].access.as_mut().expect("checked above");
        let new = self.intern("rotation.new_value", access, &r.new_value)?;
        if new == access.sent_at_start {
            return Err(self.error(
                "rotation.new_value",
                "the distribution already sends this value",
                "choose a new secret value",
            ));
        }
        let only_new = AcceptedValues::from_ids([new]);
        let change = |when, kind| ChangeSpec { origin, when, kind };
        Ok(if method == "three-step" {
            vec![
                change(ChangeTime::At(at), ChangeKind::OriginAccepts(accepted_before.union(only_new))),
                change(ChangeTime::At(at), ChangeKind::SendValue(new)),
                change(ChangeTime::AfterPropagation(drop_old_after), ChangeKind::OriginAccepts(only_new)),
            ]
        } else {
            vec![
                change(ChangeTime::At(at), ChangeKind::OriginAccepts(only_new)),
                change(ChangeTime::At(at), ChangeKind::SendValue(new)),
            ]
        })
    }

    fn direct_to_origin(&self, d: &RawDirectToOrigin, origins: &mut [OriginSpec]) -> Result<DirectTrafficSpec> {
        let field = "traffic.direct_to_origin";
        if !(d.rate > 0.0 && d.rate <= 1e8) {
            return Err(self.error(
                &format!("{field}.rate"),
                format!("{} requests per second is out of range", d.rate),
                "use a rate above 0 and at most 1e8",
            ));
        }
        let origin = self.origin_index(&format!("{field}.origin"), &d.origin, origins)?;
        let header_value = match (&d.header_value, origins[origin].access.as_mut()) {
            (Some(v), Some(access)) => self.intern(&format!("{field}.header_value"), access, v)?,
            _ => ABSENT,
        };
        Ok(DirectTrafficSpec { rate_per_s: d.rate, origin, header_value })
    }
}
