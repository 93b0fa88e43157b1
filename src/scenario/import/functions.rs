//! A behavior's `FunctionAssociations` (CloudFront Functions) and
//! `LambdaFunctionAssociations` (Lambda@Edge): the function that runs on
//! each event, named after its ARN, each function declared once for the
//! scenario's `[[functions]]`. CloudFront's configuration holds no run time:
//! a function gets cdnsim's defaults, with a warning naming them, unless the
//! scenario that imports the file gives its own.

use super::json::Fields;
use super::model::{Context, ImportWarning, ImportedFunction};
use crate::scenario::edge_functions::{
    DEFAULT_KEEP_WARM, EdgeEvent, FunctionKind, MAX_FUNCTION_NAME_CHARS, default_cold_start_ms, is_function_name,
};
use crate::scenario::error::ScenarioError;
use crate::units::format_duration;
use std::collections::{BTreeMap, BTreeSet};

type Result<T> = std::result::Result<T, ScenarioError>;

/// Function name -> the settings the importing scenario gives it
/// (`ImportOptions::function_settings`).
pub(super) type Given = BTreeMap<String, BTreeSet<String>>;

/// The functions met so far, in order.
#[derive(Default)]
pub(super) struct Registry {
    pub functions: Vec<ImportedFunction>,
}

/// The settings a `[[functions]]` entry may give that CloudFront's
/// configuration does not hold, per kind.
fn settings(kind: FunctionKind) -> &'static [&'static str] {
    match kind {
        FunctionKind::CloudFrontFunction => &["latency"],
        FunctionKind::LambdaEdge => &["latency", "cold_start", "keep_warm"],
    }
}

/// The default of one of those settings, as a scenario would describe it.
fn default_of(kind: FunctionKind, setting: &str) -> String {
    match setting {
        "latency" => kind.default_latency_ms().describe("ms"),
        "cold_start" => default_cold_start_ms().describe("ms"),
        _ => format_duration(DEFAULT_KEEP_WARM),
    }
}

/// Reads the behavior's two association lists; returns (event, function
/// name) pairs, CloudFront Functions first.
pub(super) fn behavior_functions(
    ctx: &Context,
    b: &mut Fields<'_>,
    registry: &mut Registry,
    given: &Given,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Vec<(EdgeEvent, String)>> {
    let mut associations = Vec::new();
    for (key, arn_key, kind) in [
        ("FunctionAssociations", "FunctionARN", FunctionKind::CloudFrontFunction),
        ("LambdaFunctionAssociations", "LambdaFunctionARN", FunctionKind::LambdaEdge),
    ] {
        let (items_path, items) = b.list(ctx, key, warnings)?;
        for (k, item) in items.into_iter().enumerate() {
            let mut a = Fields::of(ctx, item, &format!("{items_path}[{k}]"))?;
            let arn_path = a.child(arn_key);
            let arn = a.required_str(ctx, arn_key)?;
            let event_path = a.child("EventType");
            let event_type = a.required_str(ctx, "EventType")?;
            let event = EdgeEvent::parse(event_type).ok_or_else(|| {
                ctx.error(
                    &event_path,
                    format!("{event_type:?} is not one of CloudFront's event types"),
                    format!("use one of: {}", EdgeEvent::names()),
                )
            })?;
            if a.optional_bool(ctx, "IncludeBody")? == Some(true) {
                warnings.push(ctx.warning(
                    &a.child("IncludeBody"),
                    "request bodies are not modelled: the function's run time does not depend on them",
                ));
            }
            a.finish(ctx, warnings);
            let name = registry.name_for(ctx, kind, arn, &arn_path, given, warnings)?;
            associations.push((event, name));
        }
    }
    Ok(associations)
}

impl Registry {
    /// The scenario name of the function `arn`, declaring it (with a warning
    /// naming the defaults it runs with) when it is new.
    fn name_for(
        &mut self,
        ctx: &Context,
        kind: FunctionKind,
        arn: &str,
        arn_path: &str,
        given: &Given,
        warnings: &mut Vec<ImportWarning>,
    ) -> Result<String> {
        if let Some(known) = self.functions.iter().find(|f| f.arn == arn) {
            return Ok(known.name.clone());
        }
        let base = name_from_arn(kind, arn).ok_or_else(|| {
            ctx.error(
                arn_path,
                format!("{arn:?} is not the ARN of a {}", kind.title()),
                match kind {
                    FunctionKind::CloudFrontFunction => "CloudFront Function ARNs read arn:aws:cloudfront::ACCOUNT:function/NAME",
                    FunctionKind::LambdaEdge => {
                        "Lambda@Edge associations name a numbered version: arn:aws:lambda:us-east-1:ACCOUNT:function:NAME:VERSION"
                    }
                },
            )
        })?;
        // Two different functions with one name (a CloudFront Function and a
        // Lambda function): the second gets a suffix.
        let mut name = base.clone();
        let mut n = 2;
        while self.functions.iter().any(|f| f.name == name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        // What the scenario loader takes, so that an import never writes a
        // function it refuses (AWS allows 64 characters for either kind).
        if !is_function_name(&name) {
            return Err(ctx.error(
                arn_path,
                format!("the function name {name:?} in this ARN is longer than {MAX_FUNCTION_NAME_CHARS} characters"),
                "name the function as AWS allows: at most 64 characters",
            ));
        }
        let given = given.get(&name);
        let defaults: Vec<String> = settings(kind)
            .iter()
            .filter(|s| given.is_none_or(|g| !g.contains(**s)))
            .map(|s| format!("{s} ({})", default_of(kind, s)))
            .collect();
        if !defaults.is_empty() {
            warnings.push(ctx.warning(
                arn_path,
                format!(
                    "the {} {name} runs with cdnsim's default {}: CloudFront's configuration does not say how long \
                     it runs (give its own in a scenario that imports this file, with [[functions]] name = {name:?} \
                     and {})",
                    kind.title(),
                    defaults.join(", "),
                    settings(kind).join(", ")
                ),
            ));
        }
        self.functions.push(ImportedFunction { name: name.clone(), kind, arn: arn.to_string() });
        Ok(name)
    }
}

/// The function's name in its ARN: `NAME:VERSION` of
/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION`, `NAME` of
/// `arn:aws:cloudfront::ACCOUNT:function/NAME`.
fn name_from_arn(kind: FunctionKind, arn: &str) -> Option<String> {
    let fine = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
    match kind {
        FunctionKind::LambdaEdge => {
            let parts: Vec<&str> = arn.split(':').collect();
            match parts.as_slice() {
                ["arn", _, "lambda", _, _, "function", name, version]
                    if fine(name) && !version.is_empty() && version.chars().all(|c| c.is_ascii_digit()) =>
                {
                    Some(format!("{name}:{version}"))
                }
                _ => None,
            }
        }
        FunctionKind::CloudFrontFunction => {
            let (head, name) = arn.split_once(":function/")?;
            (head.starts_with("arn:") && head.contains(":cloudfront:") && fine(name)).then(|| name.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_arns() {
        let lambda = "arn:aws:lambda:us-east-1:111122223333:function:add-security-headers:3";
        assert_eq!(name_from_arn(FunctionKind::LambdaEdge, lambda).as_deref(), Some("add-security-headers:3"));
        let unversioned = "arn:aws:lambda:us-east-1:111122223333:function:add-security-headers";
        assert_eq!(name_from_arn(FunctionKind::LambdaEdge, unversioned), None, "CloudFront needs a version");
        assert_eq!(name_from_arn(FunctionKind::LambdaEdge, "arn:aws:lambda:us-east-1:1:function:x:$LATEST"), None);
        let cf = "arn:aws:cloudfront::111122223333:function/rewrite-api-path";
        assert_eq!(name_from_arn(FunctionKind::CloudFrontFunction, cf).as_deref(), Some("rewrite-api-path"));
        assert_eq!(name_from_arn(FunctionKind::CloudFrontFunction, lambda), None);
    }
}
