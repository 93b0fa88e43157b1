//! What a class's requests carry besides the path: query parameters,
//! cookies, named headers, the `Accept-Encoding` mix and the device mix, each
//! from the class's own field, else from `[traffic]`'s, else the default.

use super::fields::{Result, Validator};
use crate::scenario::attributes::*;
use crate::scenario::cache_key::{UNKEYABLE_HEADERS, is_header_name};
use crate::scenario::raw::{RawAttribute, RawAttributes};
use std::collections::BTreeMap;
use toml::Value;

/// Query parameters CloudFront takes for a signed URL's own: a signed class
/// may not use them (DG "Cache content based on query string parameters").
const SIGNING_PARAMETERS: [&str; 5] = ["Expires", "Key-Pair-Id", "Policy", "Signature", "Hash-Algorithm"];

/// Cookies CloudFront takes for signed cookies' own.
const SIGNING_COOKIES: [&str; 4] =
    ["CloudFront-Expires", "CloudFront-Key-Pair-Id", "CloudFront-Policy", "CloudFront-Signature"];

/// The most values a Zipf-distributed attribute may take, as many as a
/// scenario's objects.
const MAX_ZIPF_VALUES: u64 = 100_000_000;

/// The longest `Accept-Encoding` value a mix may hold.
const MAX_ENCODING_LENGTH: usize = 256;

/// A class and what it takes from `[traffic]`.
pub(super) struct AttributeSources<'a> {
    /// `traffic.classes[i]`.
    pub(super) field: &'a str,
    pub(super) class: RawAttributes<'a>,
    pub(super) traffic: RawAttributes<'a>,
    /// The class's path template, whose own query string names parameters too.
    pub(super) path: &'a str,
    pub(super) signed: bool,
}

impl Validator<'_> {
    pub(super) fn attributes(&self, s: &AttributeSources) -> Result<RequestAttributesSpec> {
        // The class's own field, else [traffic]'s: (the field's path, its value).
        let pick = |name: &str, class: bool| {
            if class { format!("{}.{name}", s.field) } else { format!("traffic.{name}") }
        };
        let query =
            s.class.query.map(|q| (pick("query", true), q)).or(s.traffic.query.map(|q| (pick("query", false), q)));
        let cookies = s
            .class
            .cookies
            .map(|c| (pick("cookies", true), c))
            .or(s.traffic.cookies.map(|c| (pick("cookies", false), c)));
        let headers = s
            .class
            .headers
            .map(|h| (pick("headers", true), h))
            .or(s.traffic.headers.map(|h| (pick("headers", false), h)));
        let mut spec = RequestAttributesSpec::default();
        if let Some((field, list)) = query {
            spec.query = self.attribute_list(&field, list, Kind::Query, s)?;
        }
        if let Some((field, list)) = cookies {
            spec.cookies = self.attribute_list(&field, list, Kind::Cookie, s)?;
        }
        if let Some((field, list)) = headers {
            spec.headers = self.attribute_list(&field, list, Kind::Header, s)?;
        }
        if spec.n_slots() > MAX_ATTRIBUTES {
            return Err(self.error(
                s.field,
                format!("the class's requests carry {} query parameters, cookies and headers", spec.n_slots()),
                format!("carry at most {MAX_ATTRIBUTES} in all (query parameters at most {MAX_QUERY_PARAMS})"),
            ));
        }
        let order = s.class.query_order.map(|o| (pick("query_order", true), o));
        if let Some((field, order)) = order.or(s.traffic.query_order.map(|o| (pick("query_order", false), o))) {
            spec.query_order = QueryOrder::parse(order).ok_or_else(|| {
                self.error(&field, format!("unknown query order {order:?}"), "use \"stable\" or \"shuffled\"")
            })?;
        }
        let encodings = s.class.accept_encoding.map(|e| (pick("accept_encoding", true), e));
        if let Some((field, mix)) = encodings.or(s.traffic.accept_encoding.map(|e| (pick("accept_encoding", false), e)))
        {
            spec.accept_encoding = self.encoding_mix(&field, mix)?;
        }
        let devices = s.class.devices.map(|d| (pick("devices", true), d));
        if let Some((field, mix)) = devices.or(s.traffic.devices.map(|d| (pick("devices", false), d))) {
            spec.devices = self.device_mix(&field, mix)?;
        }
        Ok(spec)
    }

    fn attribute_list(
        &self,
        field: &str,
        list: &[RawAttribute],
        kind: Kind,
        s: &AttributeSources,
    ) -> Result<Vec<AttributeSpec>> {
        if kind == Kind::Query && list.len() > MAX_QUERY_PARAMS {
            return Err(self.error(
                field,
                format!("{} query parameters; a class's requests carry at most {MAX_QUERY_PARAMS}", list.len()),
                format!("list at most {MAX_QUERY_PARAMS}"),
            ));
        }
        let class_query: Vec<&str> = s
            .path
            .split_once('?')
            .map(|(_, q)| q.split('&').map(|p| p.split('=').next().unwrap_or("")).collect())
            .unwrap_or_default();
        let mut out: Vec<AttributeSpec> = Vec::new();
        for (i, raw) in list.iter().enumerate() {
            let at = format!("{field}[{i}]");
            let name = raw.name.as_str();
            self.attribute_name(&format!("{at}.name"), name, kind, s.signed)?;
            let twice = out
                .iter()
                .any(|a| if kind == Kind::Header { a.name.eq_ignore_ascii_case(name) } else { a.name == name });
            if twice || (kind == Kind::Query && class_query.contains(&name)) {
                return Err(self.error(
                    &format!("{at}.name"),
                    format!("{name:?} is carried twice (listed twice, or already in the class's path)"),
                    "list each name once",
                ));
            }
            let share = raw.share.unwrap_or(1.0);
            if !(share > 0.0 && share <= 1.0) {
                return Err(self.error(
                    &format!("{at}.share"),
                    format!("share {share} is not in (0, 1]"),
                    "give the share of requests that carry it, e.g. 0.3 (remove the entry for none)",
                ));
            }
            let zipf_alpha = raw.zipf_alpha.unwrap_or(0.0);
            if !(0.0..=10.0).contains(&zipf_alpha) {
                return Err(self.error(
                    &format!("{at}.zipf_alpha"),
                    format!("Zipf alpha {zipf_alpha} is out of range"),
                    "use 0 (all values equally likely) to 10",
                ));
            }
            let values = self.attribute_values(&format!("{at}.values"), &raw.values, kind)?;
            if zipf_alpha > 0.0 && u64::from(values.count()) > MAX_ZIPF_VALUES {
                // Setting up a Zipf draw sums a weight per value.
                return Err(self.error(
                    &format!("{at}.zipf_alpha"),
                    format!("Zipf over {} values is more than cdnsim draws", values.count()),
                    format!(
                        "use at most {MAX_ZIPF_VALUES} values with zipf_alpha, or all equally likely (no zipf_alpha)"
                    ),
                ));
            }
            out.push(AttributeSpec { name: name.to_string(), values, share, zipf_alpha });
        }
        Ok(out)
    }

    fn attribute_name(&self, field: &str, name: &str, kind: Kind, signed: bool) -> Result<()> {
        let fine = match kind {
            Kind::Header => is_header_name(name),
            _ => !name.is_empty() && !name.chars().any(|c| kind.refuses(c) || c == '='),
        };
        if !fine {
            return Err(self.error(field, format!("{name:?} cannot be {}'s name", kind.what()), kind.name_fix()));
        }
        let taken = match kind {
            Kind::Query if signed && SIGNING_PARAMETERS.contains(&name) => {
                Some("CloudFront takes it for the signed URL's own parameters")
            }
            Kind::Cookie if signed && SIGNING_COOKIES.contains(&name) => Some("CloudFront takes it for signed cookies"),
            Kind::Header => header_refused(name),
            _ => None,
        };
        match taken {
            Some(why) => {
                Err(self.error(field, format!("a request cannot carry {name:?} here: {why}"), "rename or remove it"))
            }
            None => Ok(()),
        }
    }

    /// A number of values, or a list of them.
    fn attribute_values(&self, field: &str, raw: &Value, kind: Kind) -> Result<AttributeValues> {
        match raw {
            Value::Integer(n) if (1..=MAX_ATTRIBUTE_VALUES as i64).contains(n) => Ok(AttributeValues::Count(*n as u32)),
            Value::Integer(n) => Err(self.error(
                field,
                format!("{n} values is out of range"),
                format!("use 1 to {MAX_ATTRIBUTE_VALUES} values (with 1, every request carries the same value)"),
            )),
            Value::Array(items) if !items.is_empty() => {
                let mut values = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{field}[{i}]");
                    let Some(v) = item.as_str() else {
                        return Err(self.error(
                            &at,
                            "expected a value in quotes",
                            "write e.g. values = [\"en-US\", \"de-DE\"]",
                        ));
                    };
                    if v.is_empty() || v.chars().any(|c| kind.refuses(c)) {
                        return Err(self.error(
                            &at,
                            format!("{v:?} cannot be {}'s value", kind.what()),
                            kind.value_fix(),
                        ));
                    }
                    if values.iter().any(|x: &String| x == v) {
                        return Err(self.error(&at, format!("{v:?} is listed twice"), "list each value once"));
                    }
                    values.push(v.to_string());
                }
                Ok(AttributeValues::Named(values))
            }
            other => Err(self.error(
                field,
                format!("expected a number of values or a list of them, found {other}"),
                "write e.g. values = 3 (values 0, 1, 2) or values = [\"small\", \"large\"]",
            )),
        }
    }

    /// `Accept-Encoding` values and their weights, normalised to sum 1.
    fn encoding_mix(&self, field: &str, mix: &BTreeMap<String, f64>) -> Result<Vec<(String, f64)>> {
        if mix.is_empty() || mix.len() > MAX_ENCODINGS {
            return Err(self.error(
                field,
                format!("{} Accept-Encoding values", mix.len()),
                format!("give 1 to {MAX_ENCODINGS} values with their weights, e.g. {{ \"gzip, deflate, br\" = 0.9, \"\" = 0.1 }}"),
            ));
        }
        for (value, &weight) in mix {
            let at = format!("{field}.{value}");
            if value.len() > MAX_ENCODING_LENGTH || value.chars().any(|c| !(' '..='~').contains(&c)) {
                return Err(self.error(
                    &at,
                    format!("{value:?} cannot be an Accept-Encoding value"),
                    format!("write printable ASCII, at most {MAX_ENCODING_LENGTH} characters (\"\" for no header)"),
                ));
            }
            self.weight(&at, weight)?;
        }
        let total: f64 = mix.values().sum();
        if total <= 0.0 {
            return Err(self.error(field, "every weight is zero", "give at least one value a positive weight"));
        }
        Ok(mix.iter().map(|(v, w)| (v.clone(), w / total)).collect())
    }

    /// Device weights, normalised to sum 1.
    fn device_mix(&self, field: &str, mix: &BTreeMap<String, f64>) -> Result<[f64; 4]> {
        let mut weights = [0.0; 4];
        for (name, &weight) in mix {
            let at = format!("{field}.{name}");
            let device = Device::parse(name).ok_or_else(|| {
                self.error(&at, format!("unknown device {name:?}"), "use desktop, mobile, tablet and smarttv")
            })?;
            self.weight(&at, weight)?;
            weights[device.index()] = weight;
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return Err(self.error(field, "every device weight is zero", "give e.g. { desktop = 0.4, mobile = 0.6 }"));
        }
        Ok(weights.map(|w| w / total))
    }

    fn weight(&self, field: &str, weight: f64) -> Result<()> {
        if weight >= 0.0 && weight.is_finite() {
            Ok(())
        } else {
            Err(self.error(field, format!("weight {weight} must be 0 or more"), "use e.g. 0.3; weights are normalised"))
        }
    }
}

/// Why a class's `headers` may not carry `name`, if it may not.
fn header_refused(name: &str) -> Option<&'static str> {
    if name.eq_ignore_ascii_case("Accept-Encoding") {
        return Some("give the class's accept_encoding mix instead");
    }
    if Device::of_header(name).is_some() {
        return Some("CloudFront sets the device headers itself: give the class's devices mix instead");
    }
    if name.eq_ignore_ascii_case("Host") {
        return Some("the Host is the distribution's domain on every request");
    }
    UNKEYABLE_HEADERS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, why)| *why)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Query,
    Cookie,
    Header,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Kind::Query => "a query parameter",
            Kind::Cookie => "a cookie",
            Kind::Header => "a header",
        }
    }

    /// Characters a name or value of this kind cannot hold.
    fn refuses(self, c: char) -> bool {
        match self {
            Kind::Query => c.is_whitespace() || c.is_control() || "&#?".contains(c),
            Kind::Cookie => c.is_whitespace() || c.is_control() || ";,\"".contains(c),
            Kind::Header => c.is_control() || !c.is_ascii(),
        }
    }

    fn name_fix(self) -> &'static str {
        match self {
            Kind::Query => "write the name alone, without spaces, `=`, `&`, `#` or `?`",
            Kind::Cookie => "write the name alone, without spaces, `=`, `;`, `,` or quotes",
            Kind::Header => "write a header name such as \"Accept-Language\"",
        }
    }

    fn value_fix(self) -> &'static str {
        match self {
            Kind::Query => "write values without spaces, `&`, `#` or `?`",
            Kind::Cookie => "write values without spaces, `;`, `,` or quotes",
            Kind::Header => "write printable ASCII",
        }
    }
}
