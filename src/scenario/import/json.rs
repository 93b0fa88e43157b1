//! Reading CloudFront's JSON so that no field goes unnoticed: every object is
//! read through [`Fields`], which hands out the fields the importer maps and,
//! at the end, turns every field left over into a warning (or, for values that
//! change nothing, into silence).

use super::model::{Context, ImportWarning};
use crate::scenario::error::{FieldError, ScenarioError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

type Result<T> = std::result::Result<T, ScenarioError>;

/// The fields of one JSON object not read yet, and the object's JSON path.
pub(super) struct Fields<'a> {
    pub path: String,
    rest: BTreeMap<&'a str, &'a Value>,
}

impl<'a> Fields<'a> {
    /// The fields of `value`, which must be an object.
    pub fn of(ctx: &Context, value: &'a Value, path: &str) -> Result<Fields<'a>> {
        let map = value.as_object().ok_or_else(|| {
            ctx.error(path, format!("expected a JSON object, found {}", kind(value)), "check the JSON's shape")
        })?;
        Ok(Fields { path: path.to_string(), rest: map.iter().map(|(k, v)| (k.as_str(), v)).collect() })
    }

    pub fn child(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    /// The field, if present and not null.
    pub fn take(&mut self, key: &str) -> Option<&'a Value> {
        self.rest.remove(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.rest.get(key).is_some_and(|v| !v.is_null())
    }

    pub fn required(&mut self, ctx: &Context, key: &str) -> Result<&'a Value> {
        let path = self.child(key);
        self.take(key)
            .ok_or_else(|| ctx.error(&path, "this required field is missing", "add it; CloudFront's API always has it"))
    }

    pub fn required_str(&mut self, ctx: &Context, key: &str) -> Result<&'a str> {
        let path = self.child(key);
        let value = self.required(ctx, key)?;
        as_str(ctx, value, &path)
    }

    pub fn optional_str(&mut self, ctx: &Context, key: &str) -> Result<Option<&'a str>> {
        let path = self.child(key);
        self.take(key).map(|v| as_str(ctx, v, &path)).transpose()
    }

    pub fn optional_bool(&mut self, ctx: &Context, key: &str) -> Result<Option<bool>> {
        let path = self.child(key);
        self.take(key)
            .map(|v| {
                v.as_bool().ok_or_else(|| {
                    ctx.error(&path, format!("expected true or false, found {}", kind(v)), "write true or false")
                })
            })
            .transpose()
    }

    /// A whole number in `min..=max`, which are CloudFront's own limits.
    pub fn optional_int(&mut self, ctx: &Context, key: &str, min: u64, max: u64) -> Result<Option<u64>> {
        let path = self.child(key);
        self.take(key).map(|v| int_in(ctx, v, &path, min, max)).transpose()
    }

    /// The `Items` of a `{ "Quantity": n, "Items": [...] }` wrapper, with the
    /// path of `Items`. A missing wrapper is an empty list.
    pub fn list(
        &mut self,
        ctx: &Context,
        key: &str,
        warnings: &mut Vec<ImportWarning>,
    ) -> Result<(String, Vec<&'a Value>)> {
        let path = self.child(key);
        match self.take(key) {
            None => Ok((format!("{path}.Items"), Vec::new())),
            Some(v) => {
                let mut wrapper = Fields::of(ctx, v, &path)?;
                let list = wrapper.quantity_items(ctx)?;
                wrapper.finish(ctx, warnings);
                Ok(list)
            }
        }
    }

    /// Reads `Quantity` and `Items` of this wrapper, checking that they agree.
    pub fn quantity_items(&mut self, ctx: &Context) -> Result<(String, Vec<&'a Value>)> {
        let quantity_path = self.child("Quantity");
        let items_path = self.child("Items");
        let quantity = match self.take("Quantity") {
            Some(v) => Some(int_in(ctx, v, &quantity_path, 0, u32::MAX as u64)?),
            None => None,
        };
        let items: Vec<&Value> = match self.take("Items") {
            None => Vec::new(),
            Some(Value::Array(items)) => items.iter().collect(),
            Some(other) => {
                return Err(ctx.error(
                    &items_path,
                    format!("expected a JSON array, found {}", kind(other)),
                    "write Items as a list: \"Items\": [ ... ]",
                ));
            }
        };
        if let Some(q) = quantity
            && q != items.len() as u64
        {
            return Err(ctx.error(
                &quantity_path,
                format!("Quantity is {q} but Items has {} entries", items.len()),
                "make Quantity the number of Items, as CloudFront requires",
            ));
        }
        Ok((items_path, items))
    }

    /// Every field not read: a warning for each whose value would change what
    /// CloudFront does, nothing for values that change nothing (empty lists,
    /// `false`, `""`, `"none"`).
    pub fn finish(self, ctx: &Context, warnings: &mut Vec<ImportWarning>) {
        for (key, value) in &self.rest {
            if is_inert(key, value) || METADATA.contains(key) {
                continue;
            }
            warnings.push(ImportWarning { file: ctx.file.clone(), path: self.child(key), message: lost(key).into() });
        }
    }
}

/// Fields that only identify or describe a distribution: nothing that
/// CloudFront does depends on them.
const METADATA: &[&str] = &[
    "CallerReference",
    "Comment",
    "ETag",
    "ARN",
    "Status",
    "LastModifiedTime",
    "InProgressInvalidationBatches",
    "ActiveTrustedSigners",
    "ActiveTrustedKeyGroups",
    "AliasICPRecordals",
];

/// A value that switches nothing on: `null`, `false`, `""`, `"none"`, an empty
/// list, a `{ "Quantity": 0 }` or `{ "Enabled": false }` wrapper, an object of
/// such values, and the documented defaults of a few fields.
pub(super) fn is_inert(key: &str, value: &Value) -> bool {
    match (key, value) {
        // Defaults from the API reference (CustomOriginConfig, Origin, DistributionConfig).
        ("HTTPPort", v) => v.as_u64() == Some(80),
        ("HTTPSPort", v) => v.as_u64() == Some(443),
        ("PriceClass", v) => v.as_str() == Some("PriceClass_All"),
        ("SelectionCriteria", v) => v.as_str() == Some("default"),
        ("Enabled", Value::Bool(true)) => true,
        (_, Value::Null | Value::Bool(false)) => true,
        (_, Value::String(s)) => s.is_empty() || s == "none",
        (_, Value::Array(items)) => items.is_empty(),
        (_, Value::Object(map)) => {
            map.get("Quantity").and_then(Value::as_u64) == Some(0)
                || map.get("Enabled") == Some(&Value::Bool(false))
                || map.iter().all(|(k, v)| is_inert(k, v))
        }
        _ => false,
    }
}

/// What the simulation loses by ignoring a field of CloudFront's config.
fn lost(key: &str) -> &'static str {
    match key {
        "Aliases" => "alternate domain names are not modelled (requests use the distribution's domain)",
        "DefaultRootObject" => "the object served for `/` is not modelled",
        "Logging" => {
            "the logging bucket is not used: `cdnsim run --access-log DIR` writes the simulated requests as standard access logs"
        }
        "ViewerCertificate" => "certificates and TLS versions are not modelled",
        "WebACLId" => "AWS WAF is not modelled: no request is blocked",
        "HttpVersion" => "the HTTP version between viewers and edges is not modelled",
        "IsIPV6Enabled" => "IPv6 is not modelled",
        "Enabled" => "the distribution is disabled in CloudFront; cdnsim simulates it as enabled",
        "ContinuousDeploymentPolicyId" | "Staging" => "continuous deployment (staging distributions) is not modelled",
        "AnycastIpListId" => "Anycast static IPs are not modelled",
        "OriginPath" => "the origin path prefix is not modelled (it does not change caching)",
        "OriginAccessControlId" | "OriginAccessIdentity" => {
            "origin access control is not modelled (cdnsim's origins accept every request from CloudFront)"
        }
        "ResponseCompletionTimeout" => {
            "the overall response-completion timeout is not modelled; only the response (read) timeout is"
        }
        "HTTPPort" | "HTTPSPort" => "origin ports are not modelled",
        "OriginSslProtocols" => "TLS versions to the origin are not modelled",
        "SelectionCriteria" => {
            "media-quality-based origin selection is not modelled; the primary is always tried first"
        }
        "SmoothStreaming" => "Microsoft Smooth Streaming is not modelled",
        "FieldLevelEncryptionId" => "field-level encryption is not modelled",
        "RealtimeLogConfigArn" => "real-time logs are not modelled",
        "ResponseHeadersPolicyId" => "response headers policies are not modelled",
        "GrpcConfig" => "gRPC is not modelled",
        "TrustedSigners" => "trusted signers of other AWS accounts are not modelled",
        _ => "cdnsim does not know this field; it is ignored",
    }
}

pub(super) fn as_str<'a>(ctx: &Context, value: &'a Value, path: &str) -> Result<&'a str> {
    value
        .as_str()
        .ok_or_else(|| ctx.error(path, format!("expected a string, found {}", kind(value)), "write it in quotes"))
}

pub(super) fn int_in(ctx: &Context, value: &Value, path: &str, min: u64, max: u64) -> Result<u64> {
    match value.as_u64() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        Some(n) => Err(ctx.error(path, format!("{n} is out of range"), format!("CloudFront allows {min} to {max}"))),
        None => Err(ctx.error(
            path,
            format!("expected a whole number, found {}", kind(value)),
            format!("write a number from {min} to {max}"),
        )),
    }
}

pub(super) fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Parses JSON, turning a syntax error into a scenario error with line and column.
pub(super) fn parse_json(file: &Path, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        ScenarioError::Field(Box::new(FieldError {
            file: file.to_path_buf(),
            position: (e.line() > 0).then(|| (e.line(), e.column())),
            field: String::new(),
            problem: format!("JSON syntax error: {e}"),
            fix: "save the unmodified output of `aws cloudfront get-distribution-config --id ID`".into(),
            set_by: None,
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inert_values() {
        assert!(is_inert("LambdaFunctionAssociations", &json!({ "Quantity": 0 })));
        assert!(is_inert("Logging", &json!({ "Enabled": false, "Bucket": "", "Prefix": "" })));
        assert!(is_inert("Restrictions", &json!({ "GeoRestriction": { "RestrictionType": "none", "Quantity": 0 } })));
        assert!(is_inert("WebACLId", &json!("")));
        assert!(is_inert("HTTPPort", &json!(80)));
        assert!(!is_inert("HTTPPort", &json!(8080)));
        assert!(!is_inert("Logging", &json!({ "Enabled": true, "Bucket": "logs.s3.amazonaws.com" })));
        assert!(!is_inert("WebACLId", &json!("arn:aws:wafv2:us-east-1:111122223333:global/webacl/x/1")));
        assert!(is_inert("Enabled", &json!(true)));
        assert!(!is_inert("PriceClass", &json!("PriceClass_100")));
    }
}
