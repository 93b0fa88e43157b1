//! What `cdnsim validate` prints: a few lines per part of a validated
//! scenario, saying what was understood (defaults filled in, names resolved).
//! Display only: validation is done by the time a `Scenario` exists, and
//! nothing here checks or changes it.

use super::{
    ChangeKind, ChangeTime, GeoRestriction, HeaderValueId, OriginProtocolPolicy, OriginSpec, Scenario, Stop,
    ViewerHttpVersion, ViewerProtocolPolicy,
};
use crate::scenario::vocabulary::ABSENT;
use crate::time::SimTime;
use crate::units::{format_duration, format_size};
use std::fmt::Write;

impl Scenario {
    /// A few lines saying what was understood, for `cdnsim validate`.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        describe_run(self, &mut out);
        describe_layout(self, &mut out);
        describe_geography(self, &mut out);
        describe_origin_groups(self, &mut out);
        describe_key_groups(self, &mut out);
        describe_faults(self, &mut out);
        describe_behaviors(self, &mut out);
        describe_functions(self, &mut out);
        describe_legacy_key_pairs(self, &mut out);
        describe_access(self, &mut out);
        describe_connections(self, &mut out);
        describe_traffic(self, &mut out);
        describe_cost(self, &mut out);
        out
    }
}

/// The bill's settings, when `[cost]` changes any of them (every run is
/// priced; the defaults go unsaid, as before `[cost]` existed).
fn describe_cost(s: &Scenario, out: &mut String) {
    let cost = &s.cost;
    let built_in = cost.pricing.origin == cdnsim_cost::BUILT_IN_NAME;
    if cost.period == super::DEFAULT_COST_PERIOD && built_in && cost.options == cdnsim_cost::Options::default() {
        return;
    }
    let table = if built_in { String::new() } else { format!(" from {}", cost.pricing.origin) };
    let mut options = Vec::new();
    if cost.options.free_tier {
        options.push("free tier".to_string());
    }
    if let Some(commitment) = cost.options.savings_bundle {
        options.push(format!("Savings Bundle ${} a month", commitment.grouped()));
    }
    if let Some(plan) = &cost.options.flat_rate {
        options.push(format!("flat-rate plan {plan}"));
    }
    let options = if options.is_empty() { "pay as you go".to_string() } else { options.join(", ") };
    let _ = writeln!(
        out,
        "cost: period {}, prices of {}{table}, {options}",
        format_duration(cost.period),
        cost.pricing.date
    );
}

/// How long the run is and where its distribution came from.
fn describe_run(s: &Scenario, out: &mut String) {
    let stop = match s.simulation.stop {
        Stop::Requests(n) => format!("{n} requests"),
        Stop::Duration(d) => format!("{} of simulated time", format_duration(d)),
    };
    let _ = writeln!(
        out,
        "scenario {:?} ({}): {stop}, seed {}, warm-up {}, metrics every {}",
        s.name,
        s.file.display(),
        s.simulation.seed,
        format_duration(s.simulation.warmup),
        format_duration(s.simulation.metrics_interval)
    );
    if let Some(json) = &s.imported_from {
        let _ = writeln!(
            out,
            "distribution: origins, origin groups and behaviors imported from {} ({} fields not simulated, listed on stderr)",
            json.display(),
            s.import_warnings.len()
        );
    }
}

/// The topology's size and the caches' capacities.
fn describe_layout(s: &Scenario, out: &mut String) {
    let shields = s.origins.iter().filter(|o| o.origin_shield.is_some()).count();
    let _ = writeln!(
        out,
        "topology: {} edge locations, {} regional edge caches, {} origins ({} behind Origin Shield){}",
        s.topology.edges.len(),
        s.topology.regional_caches.len(),
        s.origins.len(),
        shields,
        s.topology.generated_from.as_ref().map(|g| format!("; generated: {g}")).unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "caches: edge {} {:?} each, regional {} {:?} each; request collapsing {}",
        format_size(s.caches.edge.capacity_bytes),
        s.caches.edge.eviction,
        format_size(s.caches.regional.capacity_bytes),
        s.caches.regional.eviction,
        if s.simulation.collapse_requests { "on" } else { "off" }
    );
}

/// Where viewers are, which edges the price class lets serve, and which
/// countries are refused; nothing for a scenario that sets none of them
/// (each edge's viewers are its own, every edge serves, every country).
fn describe_geography(s: &Scenario, out: &mut String) {
    if let Some(viewers) = &s.viewers {
        let preset = viewers.preset.as_ref().map(|p| format!(" (preset {p:?} and the file's)")).unwrap_or_default();
        let _ = writeln!(
            out,
            "viewers: {} populations{preset}, each served by the nearest edge location its price class allows",
            viewers.populations.len()
        );
    }
    let class = s.distribution.price_class;
    if class != cdnsim_cost::PriceClass::All {
        let serving = s.topology.edges.iter().filter(|e| class.includes(e.price_region.group())).count();
        let _ = writeln!(
            out,
            "price class: {class}: {serving} of {} edge locations serve; viewers of the others go to the nearest of them",
            s.topology.edges.len()
        );
    }
    let line = match &s.distribution.geo_restriction {
        GeoRestriction::None => return,
        GeoRestriction::Allow(codes) => format!("viewers outside {} get 403 at the edge", codes.join(", ")),
        GeoRestriction::Block(codes) => format!("viewers in {} get 403 at the edge", codes.join(", ")),
    };
    let _ = writeln!(out, "geo restriction: {line}");
}

fn describe_origin_groups(s: &Scenario, out: &mut String) {
    for g in &s.origin_groups {
        let codes: Vec<String> = g.criteria.status_codes().map(|c| c.to_string()).collect();
        let _ = writeln!(
            out,
            "origin group {}: primary {}, secondary {}, fails over on [{}], connection failures and timeouts",
            g.name,
            s.origins[g.primary].name,
            s.origins[g.secondary].name,
            codes.join(",")
        );
    }
}

fn describe_key_groups(s: &Scenario, out: &mut String) {
    if s.signing.key_groups.is_empty() {
        return;
    }
    let groups: Vec<String> =
        s.signing.key_groups.iter().map(|g| format!("{} ({} keys)", g.name, g.keys.len())).collect();
    let _ = writeln!(
        out,
        "signing: key groups {}; {} keys, {} from PEM files, the rest ECDSA P-256 from the seed; memoize {}",
        groups.join(", "),
        s.signing.keys.len(),
        s.signing.keys.iter().filter(|k| k.private_key.is_some()).count(),
        s.signing.memoize
    );
}

fn describe_faults(s: &Scenario, out: &mut String) {
    for f in &s.faults {
        let _ = writeln!(
            out,
            "fault on {} from {} to {}: {:?}",
            s.origins[f.origin].name,
            format_duration(f.start.saturating_since(SimTime::ZERO)),
            format_duration(f.end.saturating_since(SimTime::ZERO)),
            f.kind
        );
    }
}

fn describe_behaviors(s: &Scenario, out: &mut String) {
    for b in &s.distribution.behaviors {
        let _ = writeln!(
            out,
            "behavior {:<14} -> {:<12} allowed [{}] cached [{}] TTL min/default/max {}/{}/{} s",
            b.path_pattern,
            b.origin_group.map_or(s.origins[b.origin].name.as_str(), |g| s.origin_groups[g].name.as_str()),
            b.allowed_methods,
            b.cached_methods,
            b.ttl.min_s,
            b.ttl.default_s,
            b.ttl.max_s
        );
        // Said only when there is something to say, so that a scenario
        // without cache policies describes itself as it always did.
        if b.cache_policy.is_some() || b.cache_key != Default::default() {
            let policy = b.cache_policy.as_deref().unwrap_or("legacy forwarded_values");
            let _ = writeln!(out, "  cache key ({policy}): {}", b.cache_key.describe());
        }
        if b.compress {
            let _ = writeln!(out, "  compress objects automatically: on");
        }
        if let Some(p) = &b.origin_request {
            let _ = writeln!(out, "  also to the origin ({}): {}", p.name, p.settings.describe());
        }
    }
}

/// The edge functions that behaviors run: each with its kind, latency and,
/// for Lambda@Edge, cold start and keep-warm time, then the associations.
fn describe_functions(s: &Scenario, out: &mut String) {
    if !s.uses_edge_functions() {
        return;
    }
    for f in &s.functions {
        let _ = write!(out, "function {} ({}): runs {}", f.name, f.kind, f.latency_ms.describe("ms"));
        if f.kind == super::FunctionKind::LambdaEdge {
            let _ = write!(
                out,
                ", cold start {}, kept warm {}",
                f.cold_start_ms.describe("ms"),
                format_duration(f.keep_warm)
            );
        }
        out.push('\n');
        if !f.transforms.is_empty() {
            let list: Vec<String> = f.transforms.iter().map(super::Transform::describe).collect();
            let _ = writeln!(out, "  transforms: {}", list.join(", "));
        }
    }
    for b in s.distribution.behaviors.iter().filter(|b| !b.functions.is_empty()) {
        let runs: Vec<String> =
            b.functions.iter().map(|(event, f)| format!("{event} {}", s.functions[f].name)).collect();
        let _ = writeln!(out, "behavior {} runs {}", b.path_pattern, runs.join(", "));
    }
}

fn describe_legacy_key_pairs(s: &Scenario, out: &mut String) {
    if s.signing.legacy_key_pairs.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "signing: {} legacy key pairs ({} active) of the account's root user, trusted by behaviors with \
         trusted_signers; key groups are recommended (IAM users can manage them)",
        s.signing.legacy_key_pairs.len(),
        s.signing.legacy_key_pairs.iter().filter(|k| k.active).count()
    );
}

/// Protocol policies, secret headers, changes and direct traffic.
fn describe_access(s: &Scenario, out: &mut String) {
    let viewer: Vec<String> = s
        .distribution
        .behaviors
        .iter()
        .map(|b| format!("{} {}", b.path_pattern, b.viewer_protocol_policy.as_str()))
        .collect();
    let origin: Vec<String> = s.origins.iter().map(|o| format!("{} {}", o.name, o.protocol_policy.as_str())).collect();
    let _ = writeln!(out, "protocols: viewers [{}]; origins [{}]", viewer.join(", "), origin.join(", "));
    for o in &s.origins {
        describe_secret_header(s, o, out);
    }
    for c in &s.changes {
        let when = match c.when {
            ChangeTime::At(at) => format!("at {}", format_duration(at.saturating_since(SimTime::ZERO))),
            ChangeTime::AfterPropagation(d) => format!("{} after propagation", format_duration(d)),
        };
        let what = match c.kind {
            ChangeKind::SendValue(_) => "the distribution sends a new value (propagates per location)",
            ChangeKind::OriginAccepts(_) => "the origin changes the values it accepts",
        };
        let _ = writeln!(out, "change {when} on {}: {what}", s.origins[c.origin].name);
    }
    for inv in &s.invalidations {
        // A long list of file paths would flood the screen: the first few.
        const SHOWN: usize = 5;
        let mut paths = inv.paths.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(" ");
        if inv.paths.len() > SHOWN {
            paths.push_str(&format!(" and {} more", inv.paths.len() - SHOWN));
        }
        let at = format_duration(inv.at.saturating_since(SimTime::ZERO));
        let _ = writeln!(out, "invalidation at {at}: {paths} (reaches each cache after its own propagation delay)");
    }
    for c in &s.distribution.custom_error_responses {
        let ttl = format_duration(c.error_caching_min_ttl);
        let page = match &c.page {
            None => String::new(),
            Some(p) => {
                let behavior = &s.distribution.behaviors[s.distribution.behavior_for(&p.path)];
                let status = p.response_code.unwrap_or(c.error_code);
                format!(
                    "; page {} ({}) with {status}, fetched through behavior {}",
                    p.path,
                    format_size(p.size_bytes),
                    behavior.path_pattern
                )
            }
        };
        let _ = writeln!(out, "custom error response {}: cached {ttl}{page}", c.error_code);
    }
    // Only for origins that put Cache-Control on their errors.
    for o in s.origins.iter().filter(|o| o.error_cache_control.is_some()) {
        let cache_control = o.error_cache_control.expect("filtered on");
        let _ = writeln!(
            out,
            "origin {} errors carry Cache-Control: {cache_control} (kept for the longer of max-age/s-maxage and the \
             error-caching minimum TTL; 400, 403, 405, 412, 415 cached only with one)",
            o.name
        );
    }
    if let Some(d) = &s.traffic.direct_to_origin {
        let _ = writeln!(
            out,
            "direct to origin: {} req/s to {}, bypassing CloudFront",
            d.rate_per_s, s.origins[d.origin].name
        );
    }
}

/// With `[connections]`: the origins' keep-alive timeouts and each class's
/// viewer connections. (Without it nothing is printed: every connection is
/// warm, as before.)
fn describe_connections(s: &Scenario, out: &mut String) {
    let Some(connections) = &s.connections else { return };
    let keepalive: Vec<String> =
        s.origins.iter().map(|o| format!("{} {}", o.name, format_duration(o.keepalive_timeout))).collect();
    let _ = writeln!(
        out,
        "connections: origin keep-alive [{}]; viewers' TLS {} over TCP",
        keepalive.join(", "),
        connections.viewer_tls.as_str()
    );
    for c in &s.traffic.classes {
        let shares: Vec<String> = ViewerHttpVersion::ALL
            .iter()
            .filter(|v| c.viewer_protocols[v.index()] > 0.0)
            .map(|v| format!("{} {:.0}%", v.as_str(), c.viewer_protocols[v.index()] * 100.0))
            .collect();
        let _ = writeln!(
            out,
            "  class {}: viewers on {}, {} requests per connection",
            c.name,
            shares.join(", "),
            c.requests_per_connection
        );
    }
}

/// An origin's secret header: what CloudFront sends at the start, what the
/// origin accepts, and whether it can cross in clear.
fn describe_secret_header(s: &Scenario, o: &OriginSpec, out: &mut String) {
    let Some(a) = &o.access else { return };
    let name = |id: HeaderValueId| {
        if id == ABSENT { "nothing".to_string() } else { format!("{:?}", a.values[id as usize - 1]) }
    };
    let accepted = match a.accepted_at_start {
        None => "checks nothing".to_string(),
        Some(set) => {
            let values: Vec<String> =
                (1..=a.values.len() as HeaderValueId).filter(|id| set.contains(*id)).map(name).collect();
            format!("accepts [{}]", values.join(", "))
        }
    };
    let _ = writeln!(
        out,
        "origin {}: {} custom headers; CloudFront sends {}: {}; the origin {accepted}",
        o.name,
        o.custom_headers.len(),
        a.header,
        name(a.sent_at_start)
    );
    if let Some(why) = cleartext_note(s, o) {
        let _ = writeln!(out, "  note: {} can cross in clear: {why}", a.header);
    }
}

/// Why an origin's secret header could travel over plain HTTP, if it can.
fn cleartext_note(s: &Scenario, o: &OriginSpec) -> Option<&'static str> {
    match o.protocol_policy {
        OriginProtocolPolicy::HttpOnly => Some("the origin protocol policy is http-only"),
        OriginProtocolPolicy::HttpsOnly => None,
        OriginProtocolPolicy::MatchViewer => {
            let origin = s.origins.iter().position(|x| std::ptr::eq(x, o));
            let http_viewers = s
                .distribution
                .behaviors
                .iter()
                .any(|b| Some(b.origin) == origin && b.viewer_protocol_policy == ViewerProtocolPolicy::AllowAll);
            (http_viewers && s.traffic.https_share < 1.0)
                .then_some("match-viewer follows HTTP viewers that an allow-all behavior lets through")
        }
    }
}

fn describe_traffic(s: &Scenario, out: &mut String) {
    let _ = writeln!(
        out,
        "traffic: {} req/s{}, {:.0}% HTTPS",
        s.traffic.rate_per_s,
        if s.traffic.diurnal.is_some() { " with a diurnal curve" } else { "" },
        s.traffic.https_share * 100.0
    );
    for c in &s.traffic.classes {
        let methods: Vec<String> = c.methods().map(|(m, w)| format!("{m} {:.0}%", w * 100.0)).collect();
        let _ = writeln!(
            out,
            "class {:<10} {:>5.1}% of requests, {} objects (Zipf {}), {}, size {}, Cache-Control {:?}; {}",
            c.name,
            c.request_share * 100.0,
            c.objects,
            c.zipf_alpha,
            c.path_template,
            c.size_bytes.describe("B"),
            c.cache_control.to_string(),
            methods.join(", ")
        );
        // Said only when the class gives one, as below.
        if let Some(expires_s) = c.expires_s {
            let _ = writeln!(out, "  Expires {expires_s} s after the response");
        }
        describe_attributes(&c.attributes, out);
        // Said only when the class gives a content type or ratio, so that
        // other scenarios describe themselves as they always did.
        if c.content_type != super::spec::DEFAULT_CONTENT_TYPE || c.gzip_ratio.is_some() || c.brotli_ratio.is_some() {
            let ratio = |r: Option<f64>| r.map_or("default for the type".to_string(), |r| r.to_string());
            let _ = writeln!(
                out,
                "  content type {}, gzip ratio {}, Brotli ratio {}",
                c.content_type,
                ratio(c.gzip_ratio),
                ratio(c.brotli_ratio)
            );
        }
        // Said only for a class that sends range GETs.
        if let Some(r) = &c.ranges {
            let start = match r.start {
                super::RangeStart::Zero => "from byte 0",
                super::RangeStart::Uniform => "from a uniform byte",
            };
            let _ = writeln!(
                out,
                "  range GETs: {:.1}% of GETs, {} B each {start}, {:.1}% unsatisfiable (416)",
                r.share * 100.0,
                r.length_bytes,
                r.unsatisfiable_share * 100.0
            );
        }
    }
    // Only when some class sends ranges: which origins answer them whole.
    if s.uses_ranges() {
        let whole: Vec<&str> = s.origins.iter().filter(|o| !o.supports_ranges).map(|o| o.name.as_str()).collect();
        if !whole.is_empty() {
            let _ =
                writeln!(out, "origins without range support (answer 200 with the whole object): {}", whole.join(", "));
        }
    }
}

/// What a class's requests carry, when they carry anything.
fn describe_attributes(a: &super::attributes::RequestAttributesSpec, out: &mut String) {
    let list = |items: &[super::attributes::AttributeSpec]| {
        let shown: Vec<String> = items
            .iter()
            .map(|x| format!("{} ({} values, {:.0}% of requests)", x.name, x.count(), x.share * 100.0))
            .collect();
        shown.join(", ")
    };
    let mut parts = Vec::new();
    if !a.query.is_empty() {
        let order = if a.query_order == super::attributes::QueryOrder::Shuffled { "shuffled" } else { "stable" };
        parts.push(format!("query {} in {order} order", list(&a.query)));
    }
    if !a.cookies.is_empty() {
        parts.push(format!("cookies {}", list(&a.cookies)));
    }
    if !a.headers.is_empty() {
        parts.push(format!("headers {}", list(&a.headers)));
    }
    if !parts.is_empty() {
        let _ = writeln!(out, "  carries: {}", parts.join("; "));
    }
}
