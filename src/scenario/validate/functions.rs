//! `[[functions]]` and each behavior's `functions`: the edge functions and
//! their associations, with CloudFront's rules on which may run where
//! (Developer Guide, "Restrictions on edge functions", "Choosing between
//! CloudFront Functions and Lambda@Edge"; reference §10).

use super::fields::{Result, Unit, Validator, names};
use crate::scenario::attributes::Device;
use crate::scenario::cache_key::is_header_name;
use crate::scenario::edge_functions::{
    BehaviorFunctions, DEFAULT_KEEP_WARM, EdgeEvent, FunctionKind, FunctionSpec, LAMBDA_MEMORY_MB,
    MAX_FUNCTION_NAME_CHARS, MAX_TRANSFORMS, Transform, default_cold_start_ms, is_function_name,
};
use crate::scenario::raw::{RawFunction, RawFunctionAssociation, RawTransform};
use crate::units::format_duration;

impl Validator<'_> {
    pub(super) fn functions(&self, raw: &[RawFunction]) -> Result<Vec<FunctionSpec>> {
        if raw.len() > BehaviorFunctions::MAX_FUNCTIONS {
            return Err(self.error(
                "functions",
                format!("{} functions is more than cdnsim supports", raw.len()),
                format!("declare at most {}", BehaviorFunctions::MAX_FUNCTIONS),
            ));
        }
        let mut functions: Vec<FunctionSpec> = Vec::with_capacity(raw.len());
        for (i, f) in raw.iter().enumerate() {
            let field = format!("functions[{i}]");
            self.function_name(&field, &f.name)?;
            if functions.iter().any(|g| g.name == f.name) {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("two functions are named {:?}", f.name),
                    "give each function its own name",
                ));
            }
            functions.push(self.function(&field, f)?);
        }
        Ok(functions)
    }

    fn function_name(&self, field: &str, name: &str) -> Result<()> {
        if !is_function_name(name) {
            return Err(self.error(
                &format!("{field}.name"),
                format!("{name:?} is not a function name"),
                format!(
                    "use 1 to {MAX_FUNCTION_NAME_CHARS} letters, digits, '-', '_', '.' and ':' (a Lambda version as \
                     \"name:3\"), e.g. \"rewrite-headers\""
                ),
            ));
        }
        Ok(())
    }

    fn function(&self, field: &str, f: &RawFunction) -> Result<FunctionSpec> {
        let kind = FunctionKind::parse(&f.kind).ok_or_else(|| {
            self.error(
                &format!("{field}.kind"),
                format!("unknown function kind {:?}", f.kind),
                "use \"cloudfront-function\" (JavaScript at the edge location, viewer events only) or \
                 \"lambda-edge\" (Lambda@Edge, any event)",
            )
        })?;
        let latency_ms = self
            .optional_dist(&format!("{field}.latency"), f.latency.as_ref(), Unit::Millis)?
            .unwrap_or_else(|| kind.default_latency_ms());
        if kind == FunctionKind::CloudFrontFunction {
            for (key, given) in [
                ("cold_start", f.cold_start.is_some()),
                ("keep_warm", f.keep_warm.is_some()),
                ("memory", f.memory.is_some()),
            ] {
                if given {
                    return Err(self.error(
                        &format!("{field}.{key}"),
                        format!("`{key}` is a Lambda@Edge setting; CloudFront Functions start in under a millisecond"),
                        format!("remove `{key}`, or make the function kind = \"lambda-edge\""),
                    ));
                }
            }
            // The limit holds on every event a CloudFront Function may run on.
            self.check_latency_limit(field, &f.name, kind, latency_ms.mean(), EdgeEvent::ViewerRequest)?;
        }
        let cold_start_ms = match kind {
            FunctionKind::CloudFrontFunction => crate::dist::Dist::constant(0.0),
            FunctionKind::LambdaEdge => self
                .optional_dist(&format!("{field}.cold_start"), f.cold_start.as_ref(), Unit::Millis)?
                .unwrap_or_else(default_cold_start_ms),
        };
        let keep_warm =
            self.optional_duration(&format!("{field}.keep_warm"), f.keep_warm.as_ref(), DEFAULT_KEEP_WARM)?;
        let (memory_min, memory_max) = (*LAMBDA_MEMORY_MB.start() as i64, *LAMBDA_MEMORY_MB.end() as i64);
        let memory_mb = self.int_in(&format!("{field}.memory"), f.memory, memory_min, memory_min, memory_max)? as u32;
        let transforms = self.transforms(field, f.transforms.as_deref().unwrap_or_default())?;
        Ok(FunctionSpec {
            name: f.name.clone(),
            kind,
            arn: f.arn.clone(),
            latency_ms,
            cold_start_ms,
            keep_warm,
            memory_mb,
            transforms,
        })
    }

    /// A function's `transforms`: a known `op` each, with the fields that op
    /// takes and no other.
    fn transforms(&self, field: &str, raw: &[RawTransform]) -> Result<Vec<Transform>> {
        if raw.len() > MAX_TRANSFORMS {
            return Err(self.error(
                &format!("{field}.transforms"),
                format!("{} transforms is more than cdnsim supports", raw.len()),
                format!("declare at most {MAX_TRANSFORMS}"),
            ));
        }
        raw.iter().enumerate().map(|(i, t)| self.transform(&format!("{field}.transforms[{i}]"), t)).collect()
    }

    fn transform(&self, at: &str, t: &RawTransform) -> Result<Transform> {
        // What each op takes besides `op`: names (required, optional or
        // refused), and `header` with `values` for device-header only.
        #[derive(PartialEq)]
        enum Names {
            Required,
            Optional,
            Refused,
        }
        let (names_rule, device) = match t.op.as_str() {
            "query-drop" | "cookies-drop" => (Names::Optional, false),
            "query-keep" | "query-lowercase" | "cookies-keep" | "header-lowercase" | "header-strip" => {
                (Names::Required, false)
            }
            "query-sort" => (Names::Refused, false),
            "device-header" => (Names::Refused, true),
            _ => {
                return Err(self.error(
                    &format!("{at}.op"),
                    format!("unknown transform {:?}", t.op),
                    format!("use one of {}", Transform::OPS.join(", ")),
                ));
            }
        };
        let op = &t.op;
        match (&t.names, names_rule) {
            (None, Names::Required) => {
                return Err(self.error(
                    &format!("{at}.names"),
                    format!("`{op}` needs the names it applies to"),
                    format!("add names = [...], e.g. {{ op = \"{op}\", names = [\"lang\"] }}"),
                ));
            }
            (Some(_), Names::Refused) => {
                return Err(self.error(
                    &format!("{at}.names"),
                    format!("`{op}` takes no names"),
                    "remove `names`".to_string(),
                ));
            }
            _ => {}
        }
        for (key, given) in [("header", t.header.is_some()), ("values", t.values.is_some())] {
            if given && !device {
                return Err(self.error(
                    &format!("{at}.{key}"),
                    format!("`{key}` belongs to device-header, not to `{op}`"),
                    format!("remove `{key}`"),
                ));
            }
        }
        let headers = matches!(op.as_str(), "header-lowercase" | "header-strip");
        let names = match &t.names {
            Some(names) => Some(self.transform_names(&format!("{at}.names"), names, headers)?),
            None => None,
        };
        let listed = || names.clone().expect("checked above: required");
        Ok(match op.as_str() {
            "query-drop" => Transform::QueryDrop(names),
            "query-keep" => Transform::QueryKeep(listed()),
            "query-sort" => Transform::QuerySort,
            "query-lowercase" => Transform::QueryLowercase(listed()),
            "cookies-drop" => Transform::CookiesDrop(names),
            "cookies-keep" => Transform::CookiesKeep(listed()),
            "header-lowercase" => Transform::HeaderLowercase(listed()),
            "header-strip" => Transform::HeaderStrip(listed()),
            _ => self.device_header(at, t)?,
        })
    }

    /// A transform's `names`: at least one; header names as HTTP spells
    /// them, and none of the device headers, which CloudFront sets itself
    /// (DG adding-cloudfront-headers.md: "CloudFront-Is-*-Viewer"); query
    /// and cookie names without `=`, `&`, `;` or spaces.
    fn transform_names(&self, field: &str, names: &[String], headers: bool) -> Result<Vec<String>> {
        if names.is_empty() {
            return Err(self.error(field, "the list is empty", "name at least one, or remove the transform"));
        }
        for name in names {
            let fine = if headers {
                is_header_name(name)
            } else {
                !name.is_empty() && !name.chars().any(|c| "=&; ".contains(c) || c.is_control())
            };
            if !fine {
                return Err(self.error(
                    field,
                    format!("{name:?} is not a {} name", if headers { "header" } else { "query parameter or cookie" }),
                    "write the name as requests carry it, e.g. \"Accept-Language\" or \"utm_source\"",
                ));
            }
            if headers && Device::of_header(name).is_some() {
                return Err(self.error(
                    field,
                    format!("{name} is set by CloudFront itself from the viewer's User-Agent"),
                    "leave CloudFront's device headers out; map the device to a header of your own with \
                     { op = \"device-header\", header = \"X-Device\" }",
                ));
            }
        }
        Ok(names.to_vec())
    }

    /// `{ op = "device-header", header = "X-Device", values = { tablet = "mobile" } }`.
    fn device_header(&self, at: &str, t: &RawTransform) -> Result<Transform> {
        let Some(header) = &t.header else {
            return Err(self.error(
                &format!("{at}.header"),
                "`device-header` needs the header it sets",
                "add header = \"X-Device\"",
            ));
        };
        let reserved = header.len() >= 11 && header[..11].eq_ignore_ascii_case("CloudFront-");
        if !is_header_name(header) || reserved || header.eq_ignore_ascii_case("Cookie") {
            return Err(self.error(
                &format!("{at}.header"),
                format!("{header:?} is not a header a function may set here"),
                "name a header of your own (not CloudFront-*, not Cookie), e.g. \"X-Device\"",
            ));
        }
        let mut values = Device::ALL.map(|d| d.name().to_string());
        for (device, value) in t.values.iter().flatten() {
            let field = format!("{at}.values.{device}");
            let d = Device::parse(device).ok_or_else(|| {
                self.error(
                    &field,
                    format!("unknown device {device:?}"),
                    format!("use {}", Device::ALL.map(Device::name).join(", ")),
                )
            })?;
            if value.is_empty() {
                return Err(self.error(
                    &field,
                    "the value is empty",
                    format!("write the class, e.g. {device} = \"mobile\""),
                ));
            }
            values[d.index()] = value.clone();
        }
        Ok(Transform::DeviceHeader { header: header.clone(), values })
    }

    /// A function whose runs take as long as its event's limit on average
    /// would fail most of them: refused, as a mistake in the scenario.
    fn check_latency_limit(
        &self,
        field: &str,
        name: &str,
        kind: FunctionKind,
        mean_ms: f64,
        event: EdgeEvent,
    ) -> Result<()> {
        let limit = kind.time_limit(event);
        if mean_ms < limit.as_millis_f64() {
            return Ok(());
        }
        let (why, fix) = match kind {
            FunctionKind::CloudFrontFunction => (
                "CloudFront Functions run in under a millisecond (cdnsim takes 1 ms as their maximum allowed time; \
                 CloudFront throttles a function that keeps exceeding it, with 503)"
                    .to_string(),
                "make it faster, or make it a Lambda@Edge function (kind = \"lambda-edge\"), which may run for \
                 5 s on viewer events and 30 s on origin events"
                    .to_string(),
            ),
            FunctionKind::LambdaEdge => (
                format!(
                    "a Lambda@Edge function times out after {} on {event} (5 s on viewer events, 30 s on origin \
                     events), and CloudFront then answers 503",
                    format_duration(limit)
                ),
                "lower the latency below the timeout, or associate the function with an origin event".to_string(),
            ),
        };
        Err(self.error(
            &format!("{field}.latency"),
            format!("{name}'s runs take {mean_ms:.3} ms on average: {why}"),
            fix,
        ))
    }

    /// A behavior's `functions` list, checked against CloudFront's rules: a
    /// known event and function, one function per event, CloudFront
    /// Functions on viewer events only, and not both kinds on the viewer
    /// events (DG edge-functions-restrictions.md).
    pub(super) fn behavior_functions(
        &self,
        field: &str,
        raw: Option<&[RawFunctionAssociation]>,
        functions: &[FunctionSpec],
    ) -> Result<BehaviorFunctions> {
        let mut associations = BehaviorFunctions::default();
        for (j, a) in raw.unwrap_or_default().iter().enumerate() {
            let at = format!("{field}.functions[{j}]");
            let event = EdgeEvent::parse(&a.event).ok_or_else(|| {
                self.error(
                    &format!("{at}.event"),
                    format!("unknown event {:?}", a.event),
                    format!("use one of CloudFront's event types: {}", EdgeEvent::names()),
                )
            })?;
            let index = functions.iter().position(|f| f.name == a.function).ok_or_else(|| {
                self.error(
                    &format!("{at}.function"),
                    format!("no function is named {:?}", a.function),
                    format!(
                        "define it under [[functions]]; defined: {}",
                        names(functions.iter().map(|f| f.name.as_str()))
                    ),
                )
            })?;
            let function = &functions[index];
            if !function.kind.runs_on(event) {
                return Err(self.error(
                    &format!("{at}.event"),
                    format!(
                        "{} is a CloudFront Function, and CloudFront Functions run only on viewer-request and \
                         viewer-response",
                        function.name
                    ),
                    format!("move it to a viewer event, or run a Lambda@Edge function on {event}"),
                ));
            }
            if let Some(first) = associations.get(event) {
                return Err(self.error(
                    &format!("{at}.event"),
                    format!(
                        "{event} already runs {}: CloudFront allows one function per event type in a cache behavior",
                        functions[first].name
                    ),
                    format!("keep one of the two associations on {event}"),
                ));
            }
            if !function.transforms.is_empty() && !matches!(event, EdgeEvent::ViewerRequest | EdgeEvent::OriginRequest)
            {
                return Err(self.error(
                    &format!("{at}.event"),
                    format!("{} transforms the request, and on {event} the request is past", function.name),
                    "associate it with viewer-request (its transforms change the cache key) or origin-request \
                     (they change only what the origin receives), or remove its transforms",
                ));
            }
            if function.kind == FunctionKind::LambdaEdge {
                let spec_field = format!("functions[{index}]");
                self.check_latency_limit(
                    &spec_field,
                    &function.name,
                    function.kind,
                    function.latency_ms.mean(),
                    event,
                )?;
            }
            associations.set(event, index);
            self.check_viewer_kinds(&at, &associations, functions)?;
        }
        Ok(associations)
    }

    /// CloudFront cannot combine CloudFront Functions and Lambda@Edge in a
    /// behavior's viewer events (DG edge-functions-restrictions.md).
    fn check_viewer_kinds(&self, at: &str, associations: &BehaviorFunctions, functions: &[FunctionSpec]) -> Result<()> {
        let (Some(request), Some(response)) =
            (associations.get(EdgeEvent::ViewerRequest), associations.get(EdgeEvent::ViewerResponse))
        else {
            return Ok(());
        };
        let (request, response) = (&functions[request], &functions[response]);
        if request.kind == response.kind {
            return Ok(());
        }
        Err(self.error(
            &format!("{at}.function"),
            format!(
                "viewer-request runs the {} {} and viewer-response the {} {}: CloudFront cannot combine CloudFront \
                 Functions and Lambda@Edge in the viewer events of one cache behavior",
                request.kind.title(),
                request.name,
                response.kind.title(),
                response.name
            ),
            "use one kind for both viewer events (a Lambda@Edge function may still run on the origin events beside \
             CloudFront Functions)",
        ))
    }
}
