//! `[[functions]]` and each behavior's `functions`: the edge functions and
//! their associations, with CloudFront's rules on which may run where
//! (Developer Guide, "Restrictions on edge functions", "Choosing between
//! CloudFront Functions and Lambda@Edge"; reference §10).

use super::fields::{Result, Unit, Validator, names};
use crate::scenario::edge_functions::{
    BehaviorFunctions, DEFAULT_KEEP_WARM, EdgeEvent, FunctionKind, FunctionSpec, default_cold_start_ms,
};
use crate::scenario::raw::{RawFunction, RawFunctionAssociation};
use crate::units::format_duration;

/// The longest function name: a Lambda function name (64 characters), a
/// colon and a version number.
const MAX_NAME_CHARS: usize = 80;

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
        let fine = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || !name.chars().all(fine) {
            return Err(self.error(
                &format!("{field}.name"),
                format!("{name:?} is not a function name"),
                format!(
                    "use 1 to {MAX_NAME_CHARS} letters, digits, '-', '_', '.' and ':' (a Lambda version as \
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
            for (key, given) in [("cold_start", f.cold_start.is_some()), ("keep_warm", f.keep_warm.is_some())] {
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
        Ok(FunctionSpec { name: f.name.clone(), kind, arn: f.arn.clone(), latency_ms, cold_start_ms, keep_warm })
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
