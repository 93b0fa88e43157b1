//! An imported distribution as scenario TOML: the same list of [`Part`]s
//! becomes the text `cdnsim import distribution` prints and the table a
//! scenario's `[distribution] import` merges, so the two never disagree.

use super::model::{ImportedBehavior, ImportedDistribution, RegionSource};
use crate::scenario::cache_key::{CacheKeySettings, CachePolicySpec, NameSelection};
use crate::scenario::origin_request::{HeaderSelection, OriginRequestPolicySpec};
use crate::scenario::path_pattern;
use crate::scenario::validate::names::check_class_path;
use crate::scenario::vocabulary::OriginKind;
use std::fmt::Write as _;
use toml::Value;

/// One TOML table of the output: its header (`[[origins]]`,
/// `[distribution.default_behavior]`), comment lines and fields in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub header: &'static str,
    pub comments: Vec<String>,
    pub fields: Vec<(&'static str, Value)>,
}

impl Part {
    fn new(header: &'static str, comment: String) -> Part {
        Part { header, comments: vec![comment], fields: Vec::new() }
    }

    fn set(&mut self, key: &'static str, value: impl Into<Value>) {
        self.fields.push((key, value.into()));
    }
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(items.into_iter().map(|s| Value::String(s.to_string())).collect())
}

/// The origins, origin groups and distribution as scenario tables.
pub fn to_parts(d: &ImportedDistribution) -> Vec<Part> {
    let mut parts = Vec::new();
    for o in &d.origins {
        let kind = match o.kind {
            OriginKind::S3 => "S3",
            OriginKind::Custom => "custom",
        };
        let region = match o.region_source {
            RegionSource::DomainName => "Region from the domain name",
            RegionSource::Option => "Region given with --region",
            RegionSource::Default => "Region ASSUMED (see the warnings)",
        };
        let mut p = Part::new("[[origins]]", format!("{kind} origin {}; {region}", o.domain_name));
        p.set("name", o.name.as_str());
        p.set("kind", if o.kind == OriginKind::S3 { "s3" } else { "custom" });
        p.set("region", o.region.as_str());
        if let Some(shield) = &o.origin_shield {
            p.set("origin_shield", shield.as_str());
        }
        if let Some(n) = o.connection_attempts {
            p.set("connection_attempts", n as i64);
        }
        if let Some(s) = o.connection_timeout_s {
            p.set("connection_timeout", s as i64);
        }
        if let Some(s) = o.response_timeout_s {
            p.set("response_timeout", s as i64);
        }
        if let Some(s) = o.keepalive_timeout_s {
            p.set("keepalive_timeout", s as i64);
        }
        if let Some(policy) = &o.protocol_policy {
            p.set("protocol_policy", policy.as_str());
        }
        if !o.custom_headers.is_empty() {
            let headers = o.custom_headers.iter().map(|(name, value)| {
                let mut t = toml::Table::new();
                t.insert("name".into(), Value::String(name.clone()));
                t.insert("value".into(), Value::String(value.clone()));
                Value::Table(t)
            });
            p.set("custom_headers", Value::Array(headers.collect()));
        }
        parts.push(p);
    }
    for g in &d.origin_groups {
        let mut p = Part::new(
            "[[origin_groups]]",
            format!("origin group {}: primary {}, secondary {}", g.name, g.members[0], g.members[1]),
        );
        p.set("name", g.name.as_str());
        p.set("members", strings(g.members.iter().map(String::as_str)));
        p.set(
            "failover_status_codes",
            Value::Array(g.failover_status_codes.iter().map(|&c| Value::Integer(c as i64)).collect()),
        );
        parts.push(p);
    }
    for f in &d.functions {
        let mut p = Part::new(
            "[[functions]]",
            format!(
                "{} {}; how long it runs is not in CloudFront's configuration (see the warnings)",
                f.kind.title(),
                f.arn
            ),
        );
        p.set("name", f.name.as_str());
        p.set("kind", f.kind.name());
        p.set("arn", f.arn.as_str());
        parts.push(p);
    }
    let mut dist = Part::new("[distribution]", "the distribution".into());
    if let Some(domain) = &d.domain {
        dist.set("domain", domain.as_str());
    }
    if let Some(class) = &d.price_class {
        dist.set("price_class", class.as_str());
    }
    if let Some(g) = &d.geo_restriction {
        let mut restriction = toml::Table::new();
        restriction
            .insert(if g.allow { "allow" } else { "block" }.into(), strings(g.countries.iter().map(String::as_str)));
        dist.set("geo_restriction", Value::Table(restriction));
    }
    parts.push(dist);
    for e in &d.custom_error_responses {
        let mut p =
            Part::new("[[distribution.custom_error_responses]]", format!("custom error response for {}", e.error_code));
        p.set("error_code", e.error_code as i64);
        if let Some(s) = e.error_caching_min_ttl_s {
            p.set("error_caching_min_ttl", s as i64);
        }
        if let Some(path) = &e.response_page_path {
            p.set("response_page_path", path.as_str());
        }
        if let Some(code) = e.response_code {
            p.set("response_code", code as i64);
        }
        parts.push(p);
    }
    for policy in &d.cache_policies {
        parts.push(cache_policy_part(policy));
    }
    for policy in &d.origin_request_policies {
        parts.push(origin_request_policy_part(policy));
    }
    for b in &d.behaviors {
        parts.push(behavior_part("[[distribution.behaviors]]", b));
    }
    parts.push(behavior_part("[distribution.default_behavior]", &d.default_behavior));
    parts
}

/// A custom cache policy as `[[distribution.cache_policies]]`.
fn cache_policy_part(policy: &CachePolicySpec) -> Part {
    let mut p = Part::new("[[distribution.cache_policies]]", format!("custom cache policy {}", policy.name));
    p.set("name", policy.name.as_str());
    p.set("min_ttl", policy.ttl.min_s as i64);
    p.set("default_ttl", policy.ttl.default_s as i64);
    p.set("max_ttl", policy.ttl.max_s as i64);
    let key = &policy.key;
    p.set("query_strings", key.query_strings.to_toml());
    if !key.headers.is_empty() {
        p.set("headers", strings(key.headers.iter().map(String::as_str)));
    }
    p.set("cookies", key.cookies.to_toml());
    p.set("gzip", key.gzip);
    p.set("brotli", key.brotli);
    p
}

/// A custom origin request policy as `[[distribution.origin_request_policies]]`.
fn origin_request_policy_part(policy: &OriginRequestPolicySpec) -> Part {
    let header = "[[distribution.origin_request_policies]]";
    let mut p = Part::new(header, format!("custom origin request policy {}", policy.name));
    let settings = &policy.settings;
    p.set("name", policy.name.as_str());
    p.set("query_strings", settings.query_strings.to_toml());
    let list = |form: &str, names: &[String]| {
        let mut t = toml::Table::new();
        t.insert(form.to_string(), strings(names.iter().map(String::as_str)));
        Value::Table(t)
    };
    let headers = match &settings.headers {
        HeaderSelection::None => Value::String("none".into()),
        HeaderSelection::AllViewer => Value::String("all-viewer".into()),
        HeaderSelection::AllowList(names) => list("allow", names),
        HeaderSelection::AllViewerAndCloudFront(names) => list("all_viewer_and", names),
        HeaderSelection::AllExcept(names) => list("except", names),
    };
    p.set("headers", headers);
    p.set("cookies", settings.cookies.to_toml());
    p
}

/// A legacy key as `forwarded_values`, or `None` for the path alone.
fn forwarded_values(key: &CacheKeySettings) -> Option<Value> {
    if !key.varies() && !key.all_headers {
        return None;
    }
    let mut t = toml::Table::new();
    match &key.query_strings {
        NameSelection::None => {}
        NameSelection::AllowList(names) => {
            t.insert("query_string".into(), Value::Boolean(true));
            t.insert("query_string_cache_keys".into(), strings(names.iter().map(String::as_str)));
        }
        // ForwardedValues has no all-except; a legacy key is all or a list.
        _ => {
            t.insert("query_string".into(), Value::Boolean(true));
        }
    }
    if key.all_headers {
        t.insert("headers".into(), strings(["*"]));
    } else if !key.headers.is_empty() {
        t.insert("headers".into(), strings(key.headers.iter().map(String::as_str)));
    }
    match &key.cookies {
        NameSelection::None => {}
        NameSelection::AllowList(names) => {
            let mut whitelist = toml::Table::new();
            whitelist.insert("whitelist".into(), strings(names.iter().map(String::as_str)));
            t.insert("cookies".into(), Value::Table(whitelist));
        }
        _ => {
            t.insert("cookies".into(), Value::String("all".into()));
        }
    }
    Some(Value::Table(t))
}

fn behavior_part(header: &'static str, b: &ImportedBehavior) -> Part {
    let name = b.path_pattern.as_deref().map_or("default behavior".to_string(), |p| format!("behavior {p}"));
    let source = if b.cache_policy.is_some() { "cache policy" } else { "TTLs from" };
    let mut p = Part::new(header, format!("{name}; {source} {}", b.ttl_source));
    if let Some(pattern) = &b.path_pattern {
        p.set("path_pattern", pattern.as_str());
    }
    p.set("origin", b.origin.as_str());
    p.set("allowed_methods", strings(b.allowed_methods.iter().map(|m| m.as_str())));
    p.set("cached_methods", strings(b.cached_methods.iter().map(|m| m.as_str())));
    match &b.cache_policy {
        // The policy sets the TTLs and the key: CloudFront refuses both.
        Some(policy) => {
            p.set("cache_policy", policy.as_str());
            if let Some(origin_request) = &b.origin_request_policy {
                p.set("origin_request_policy", origin_request.as_str());
            }
        }
        None => {
            p.set("min_ttl", b.min_ttl as i64);
            p.set("default_ttl", b.default_ttl as i64);
            p.set("max_ttl", b.max_ttl as i64);
            if let Some(forwarded) = forwarded_values(&b.cache_key) {
                p.set("forwarded_values", forwarded);
            }
        }
    }
    if !b.trusted_key_groups.is_empty() {
        p.set("trusted_key_groups", strings(b.trusted_key_groups.iter().map(String::as_str)));
    }
    if b.trusted_signers {
        p.set("trusted_signers", true);
    }
    if let Some(policy) = &b.viewer_protocol_policy {
        p.set("viewer_protocol_policy", policy.as_str());
    }
    if b.compress {
        p.set("compress", true);
    }
    if !b.functions.is_empty() {
        let associations = b.functions.iter().map(|(event, function)| {
            let mut t = toml::Table::new();
            t.insert("event".into(), Value::String(event.name().to_string()));
            t.insert("function".into(), Value::String(function.clone()));
            Value::Table(t)
        });
        p.set("functions", Value::Array(associations.collect()));
    }
    p
}

/// The parts as one TOML table, as if their text had been parsed.
pub fn to_table(parts: &[Part]) -> toml::Table {
    let mut root = toml::Table::new();
    for part in parts {
        let table: toml::Table = part.fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let (is_array, path) = match part.header.strip_prefix("[[") {
            Some(rest) => (true, rest.trim_end_matches("]]")),
            None => (false, part.header.trim_start_matches('[').trim_end_matches(']')),
        };
        let mut keys: Vec<&str> = path.split('.').collect();
        let last = keys.pop().expect("a header names a table");
        let mut parent = &mut root;
        for key in keys {
            parent = parent
                .entry(key)
                .or_insert_with(|| Value::Table(toml::Table::new()))
                .as_table_mut()
                .expect("headers nest tables");
        }
        if is_array {
            parent
                .entry(last)
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
                .expect("an array of tables")
                .push(Value::Table(table));
        } else {
            let slot = parent.entry(last).or_insert_with(|| Value::Table(toml::Table::new()));
            slot.as_table_mut().expect("a table").extend(table);
        }
    }
    root
}

/// The text `cdnsim import distribution` prints: a header naming the source,
/// the warnings as comments, then the tables.
pub fn to_toml_text(d: &ImportedDistribution, parts: &[Part]) -> String {
    let mut out = String::new();
    comment_line(&mut out, format_args!("Imported by `cdnsim import distribution` from {}.", d.source.display()));
    let _ = writeln!(out, "# Paste into a scenario next to its [simulation], [topology] and [traffic] tables;");
    let _ = writeln!(out, "# every field is described in scenarios/README.md.");
    if !d.warnings.is_empty() {
        let _ = writeln!(out, "#\n# Not simulated ({} warnings):", d.warnings.len());
        for w in &d.warnings {
            comment_line(&mut out, format_args!("- {}: {}", w.path, w.message));
        }
    }
    write_parts(&mut out, parts);
    out
}

/// Writes `text` as one TOML comment line. TOML allows no control character
/// but tab in a comment, and a line break would end the comment and let the
/// rest be read as TOML, so each control character in names and values taken
/// from the JSON is written as its escape (`\u{7f}`).
fn comment_line(out: &mut String, text: impl std::fmt::Display) {
    let text = text.to_string();
    out.push_str("# ");
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            let _ = write!(out, "{}", c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.push('\n');
}

fn write_parts(out: &mut String, parts: &[Part]) {
    for part in parts {
        out.push('\n');
        for c in &part.comments {
            comment_line(out, c);
        }
        let _ = writeln!(out, "{}", part.header);
        for (key, value) in &part.fields {
            let _ = writeln!(out, "{key} = {value}");
        }
    }
}

/// A complete runnable scenario around the imported distribution: a generated
/// topology, one traffic class per behavior (a path each behavior matches
/// first), and generated keys for key groups the behaviors trust. The topology
/// and traffic are placeholders to be replaced by the user's own.
pub fn scenario_template(d: &ImportedDistribution, parts: &[Part], name: &str) -> String {
    let mut out = String::new();
    comment_line(
        &mut out,
        format_args!("A runnable scenario around the distribution imported from {}", d.source.display()),
    );
    let _ = writeln!(out, "# by `cdnsim import distribution --scenario-template`. The topology, caches and traffic");
    let _ = writeln!(out, "# below are placeholders: replace them with your own (scenarios/README.md).");
    if !d.warnings.is_empty() {
        let _ = writeln!(out, "#\n# Not simulated ({} warnings):", d.warnings.len());
        for w in &d.warnings {
            comment_line(&mut out, format_args!("- {}: {}", w.path, w.message));
        }
    }
    let name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect();
    let _ = writeln!(out, "\n[simulation]\nname = {}\nrequests = 200_000\nwarmup = \"10 s\"", Value::String(name));
    let _ = writeln!(out, "\n[topology.generate]\nedges = 24");
    let _ = writeln!(out, "\n[caches.edge]\ncapacity = \"2 GiB\"\n\n[caches.regional]\ncapacity = \"20 GiB\"");
    write_parts(&mut out, parts);

    let behaviors: Vec<&ImportedBehavior> = d.behaviors.iter().chain([&d.default_behavior]).collect();
    let key_groups: Vec<&str> = {
        let mut groups: Vec<&str> =
            behaviors.iter().flat_map(|b| b.trusted_key_groups.iter().map(String::as_str)).collect();
        groups.sort();
        groups.dedup();
        groups
    };
    let legacy = behaviors.iter().any(|b| b.trusted_signers);
    if !key_groups.is_empty() || legacy {
        let _ = writeln!(
            out,
            "\n# Keys are generated from the run's seed; give real ones with private_key = \"file.pem\"."
        );
        let _ = writeln!(out, "[signing]");
        for (i, group) in key_groups.iter().enumerate() {
            let _ = writeln!(out, "\n[[signing.keys]]\nid = \"KIMPORTED{i}\"");
            let _ = writeln!(
                out,
                "\n[[signing.key_groups]]\nname = {}\nkeys = [\"KIMPORTED{i}\"]",
                Value::String(group.to_string())
            );
        }
        if legacy {
            let _ = writeln!(out, "\n[[signing.legacy_key_pairs]]\nid = \"APKAIMPORTEDKEYPAIR\"");
        }
    }

    // Written as `20_000`, as the template always read.
    let (thousands, units) = (TEMPLATE_OBJECTS / 1000, TEMPLATE_OBJECTS % 1000);
    let _ = writeln!(out, "\n[traffic]\nrate = 500\nobjects = {thousands}_{units:03}");
    let patterns: Vec<&str> = d.behaviors.iter().filter_map(|b| b.path_pattern.as_deref()).collect();
    for (i, b) in behaviors.iter().enumerate() {
        let (class, path) = match &b.path_pattern {
            Some(pattern) => (format!("behavior-{i}"), class_path(pattern).filter(|p| reaches(&patterns, p, Some(i)))),
            None => (
                "default".to_string(),
                ["/{id}", "/content/{id}.html", "/default/{id}"]
                    .into_iter()
                    .map(str::to_string)
                    .find(|p| reaches(&patterns, p, None)),
            ),
        };
        let Some(path) = path else {
            let _ = writeln!(
                out,
                "\n# No class for {}: no path of the pattern reaches it first (an earlier behavior matches it); \
                 add one by hand.",
                b.path_pattern.as_deref().unwrap_or("the default behavior")
            );
            continue;
        };
        let fixed = if path.contains("{id}") { "" } else { "  # a fixed path: one object" };
        let _ = writeln!(
            out,
            "\n[[traffic.classes]]\nname = \"{class}\"\nshare = 1.0\npath = {}{fixed}",
            Value::String(path)
        );
        let _ = writeln!(out, "size = {{ dist = \"lognormal\", mean = \"60 KiB\", stddev = \"120 KiB\" }}");
        if !b.trusted_key_groups.is_empty() || b.trusted_signers {
            let _ = writeln!(out, "signed = {{ sessions = 200, mix = {{ valid-url = 0.9, expired = 0.1 }} }}");
        }
    }
    out
}

/// A class path for a pattern: its first `*` becomes the object number, other
/// wildcards plain characters. A pattern without `*` (`/index.html`,
/// `/api/v?/health`) matches one path only, which becomes a fixed-path class
/// of one object. `None` for a pattern no class path can be made from.
fn class_path(pattern: &str) -> Option<String> {
    let fill = |s: &str| s.replace('*', "x").replace('?', "a");
    let path = match pattern.find('*') {
        Some(star) => format!("{}{{id}}{}", fill(&pattern[..star]), fill(&pattern[star + 1..])),
        None => fill(pattern),
    };
    let path = if path.starts_with('/') { path } else { format!("/{path}") };
    check_class_path(&path).is_ok().then_some(path)
}

/// The template's objects per class.
const TEMPLATE_OBJECTS: u64 = 20_000;

/// Whether every object of the class path, as the loader samples them
/// (`path_pattern::sample_ids`), is matched first by behavior `target`
/// (`None`: by none, so by the default behavior).
fn reaches(patterns: &[&str], path: &str, target: Option<usize>) -> bool {
    path_pattern::sample_ids(TEMPLATE_OBJECTS)
        .all(|id| path_pattern::first_match(patterns.iter().copied(), &path.replace("{id}", &id.to_string())) == target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_paths_reach_their_behavior() {
        assert_eq!(class_path("/images/*.jpg").as_deref(), Some("/images/{id}.jpg"));
        assert_eq!(class_path("*.js").as_deref(), Some("/{id}.js"));
        assert_eq!(class_path("api/v?/*").as_deref(), Some("/api/va/{id}"));
        // Exact paths become fixed-path classes of one object.
        assert_eq!(class_path("/index.html").as_deref(), Some("/index.html"));
        assert_eq!(class_path("robots.txt").as_deref(), Some("/robots.txt"));
        assert_eq!(class_path("/api/v?/health").as_deref(), Some("/api/va/health"));
        assert!(reaches(&["/index.html", "*.html"], "/index.html", Some(0)));
        let patterns = ["/img/*", "*.jpg"];
        assert!(reaches(&patterns, "/img/{id}", Some(0)));
        // /img/x.jpg matches the first behavior, so the second cannot be reached this way.
        assert!(!reaches(&patterns, "/img/{id}.jpg", Some(1)));
        assert!(reaches(&patterns, "/{id}.jpg", Some(1)));
        assert!(reaches(&patterns, "/{id}", None));
    }

    #[test]
    fn comments_escape_what_toml_forbids_in_them() {
        let mut out = String::new();
        comment_line(&mut out, "a\u{7f}b\nc\td\u{1}");
        assert_eq!(out, "# a\\u{7f}b\\u{a}c\td\\u{1}\n");
        // One comment line, which TOML reads as nothing at all.
        assert!(toml::from_str::<toml::Table>(&out).unwrap().is_empty());
    }

    #[test]
    fn a_class_path_reaches_its_behavior_for_every_object_the_loader_samples() {
        // "/video/72*" comes first: "/video/{id}" reaches it at object 72,
        // which the loader's sample holds (ids below 1,000), so the class
        // path does not reach "/video/*" for every object.
        let patterns = ["/video/72*", "/video/*"];
        assert!(!reaches(&patterns, "/video/{id}", Some(1)));
        assert!(reaches(&["/video/*"], "/video/{id}", Some(0)));
    }
}
