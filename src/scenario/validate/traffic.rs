//! `[traffic]`: the arrival rate and its diurnal curve, and the content
//! classes (paths, object counts, popularity, sizes, freshness, methods,
//! signed sessions).

use super::attributes::AttributeSources;
use super::fields::{Result, Unit, Validator};
use crate::http::{CacheControl, Method};
use crate::scenario::raw::*;
use crate::scenario::spec::*;
use crate::scenario::vocabulary::*;
use crate::time::SimDuration;
use toml::Value;

/// Past this many objects the value is almost certainly a typo.
const MAX_OBJECTS: i64 = 100_000_000;

// A cache key keeps a keyed request's object in its low bits: every catalog
// the loader accepts must fit there.
const _: () = assert!((MAX_OBJECTS as u64) < crate::scenario::cache_key::MAX_OBJECTS_WITH_VARIANTS);

/// What a class takes from `[traffic]` unless it says otherwise, and what
/// its share of the objects is computed from.
struct ClassDefaults {
    zipf_alpha: f64,
    total_objects: i64,
    /// The classes' shares summed: each class's share is divided by it.
    total_share: f64,
    method_weights: [f64; 7],
}

impl Validator<'_> {
    pub(super) fn traffic(&self, raw: &RawTraffic) -> Result<TrafficSpec> {
        if !(raw.rate > 0.0 && raw.rate <= 1e8) {
            return Err(self.error(
                "traffic.rate",
                format!("{} requests per second is out of range", raw.rate),
                "use a rate above 0 and at most 1e8",
            ));
        }
        let diurnal = raw.diurnal.as_ref().map(|d| self.diurnal(d)).transpose()?;
        let https_share = raw.https_share.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&https_share) {
            return Err(self.error(
                "traffic.https_share",
                format!("{https_share} is not a share"),
                "use a number from 0 to 1",
            ));
        }
        let zipf_alpha = raw.zipf_alpha.unwrap_or(0.8);
        self.check_alpha("traffic.zipf_alpha", zipf_alpha)?;
        let total_objects = raw.objects.unwrap_or(100_000);
        if !(1..=MAX_OBJECTS).contains(&total_objects) {
            return Err(self.error(
                "traffic.objects",
                format!("{total_objects} objects is out of range"),
                format!("use 1 to {MAX_OBJECTS}"),
            ));
        }
        let method_weights = self.method_weights("traffic.methods", raw.methods.as_ref(), None)?;
        if raw.classes.is_empty() {
            return Err(self.error(
                "traffic",
                "the traffic has no content classes",
                "add a [[traffic.classes]] table with name, share, path and size",
            ));
        }
        let total_share: f64 = raw.classes.iter().map(|c| c.share.max(0.0)).sum();
        let defaults = ClassDefaults { zipf_alpha, total_objects, total_share, method_weights };
        let mut classes: Vec<ClassSpec> = Vec::new();
        for (i, c) in raw.classes.iter().enumerate() {
            let field = format!("traffic.classes[{i}]");
            let mut class = self.class(&field, c, &classes, &defaults)?;
            class.attributes = self.attributes(&AttributeSources {
                field: &field,
                class: c.attributes(),
                traffic: raw.attributes(),
                path: &c.path,
                signed: c.signed.is_some(),
            })?;
            class.origin_varies_on = self.origin_varies_on(&field, c.origin_varies_on.as_deref(), &class.attributes)?;
            classes.push(class);
        }
        if classes.iter().map(|c| c.objects).sum::<u64>() > MAX_OBJECTS as u64 {
            return Err(self.error(
                "traffic.classes",
                format!("the classes hold more than {MAX_OBJECTS} objects in all"),
                "lower the classes' `objects`",
            ));
        }
        Ok(TrafficSpec { rate_per_s: raw.rate, diurnal, https_share, classes, direct_to_origin: None })
    }

    fn diurnal(&self, d: &RawDiurnal) -> Result<Diurnal> {
        if !(0.0..1.0).contains(&d.amplitude) {
            return Err(self.error(
                "traffic.diurnal.amplitude",
                format!("amplitude {} is outside [0, 1)", d.amplitude),
                "use e.g. 0.5 (peak 1.5x, trough 0.5x the mean rate)",
            ));
        }
        let period =
            self.optional_duration("traffic.diurnal.period", d.period.as_ref(), SimDuration::from_secs(86_400))?;
        if period == SimDuration::ZERO {
            return Err(self.error("traffic.diurnal.period", "the period is zero", "use e.g. \"24 h\""));
        }
        let peak =
            self.optional_duration("traffic.diurnal.peak", d.peak.as_ref(), SimDuration::from_secs(20 * 3600))?;
        Ok(Diurnal { amplitude: d.amplitude, period, peak })
    }

    /// One content class; `earlier` are the classes before it, whose names
    /// it must not repeat.
    fn class(&self, field: &str, c: &RawClass, earlier: &[ClassSpec], defaults: &ClassDefaults) -> Result<ClassSpec> {
        if c.name.is_empty() || earlier.iter().any(|x| x.name == c.name) {
            return Err(self.error(
                &format!("{field}.name"),
                format!("class name {:?} is empty or used twice", c.name),
                "give each class a unique name",
            ));
        }
        if !(c.share > 0.0 && c.share.is_finite()) {
            return Err(self.error(
                &format!("{field}.share"),
                format!("share {} must be above 0", c.share),
                "use e.g. 0.5; shares are normalised to sum 1",
            ));
        }
        super::names::check_class_path(&c.path)
            .map_err(|(problem, fix)| self.error(&format!("{field}.path"), problem, fix))?;
        let id_at = c.path.find("{id}");
        let objects = self.class_objects(field, c, id_at.is_some(), defaults)?;
        let class_alpha = c.zipf_alpha.unwrap_or(defaults.zipf_alpha);
        self.check_alpha(&format!("{field}.zipf_alpha"), class_alpha)?;
        let size_bytes = self.dist(&format!("{field}.size"), &c.size, Unit::Bytes)?;
        let cache_control = match &c.cache_control {
            None => CacheControl::default(),
            Some(text) => text.parse().map_err(|e: String| {
                self.error(&format!("{field}.cache_control"), e, "write it as an origin would, e.g. \"max-age=3600\"")
            })?,
        };
        let expires_s = self.whole_seconds(
            &format!("{field}.expires"),
            c.expires.as_ref(),
            "an HTTP date has whole seconds",
            (0, u64::MAX),
        )?;
        let change_interval = self.change_interval(field, c.change_interval.as_ref())?;
        let method_weights =
            self.method_weights(&format!("{field}.methods"), c.methods.as_ref(), Some(defaults.method_weights))?;
        let request_body_bytes = self.request_body(field, c.request_body.as_ref(), &method_weights)?;
        let signed = c.signed.as_ref().map(|s| self.signed_traffic(&format!("{field}.signed"), s)).transpose()?;
        let content_type = self.content_type(field, c.content_type.as_deref())?;
        let gzip_ratio = self.compression_ratio(&format!("{field}.gzip_ratio"), c.gzip_ratio)?;
        let brotli_ratio = self.compression_ratio(&format!("{field}.brotli_ratio"), c.brotli_ratio)?;
        let ranges = self.ranges(field, c)?;
        Ok(ClassSpec {
            name: c.name.clone(),
            request_share: c.share / defaults.total_share,
            path_template: c.path.clone(),
            id_at,
            objects,
            zipf_alpha: class_alpha,
            size_bytes,
            cache_control,
            expires_s,
            change_interval,
            method_weights,
            request_body_bytes,
            signed,
            attributes: Default::default(),
            content_type,
            gzip_ratio,
            brotli_ratio,
            origin_varies_on: Vec::new(),
            ranges,
            // Filled in by `class_connections`, which knows whether the
            // scenario models connections.
            viewer_protocols: super::connections::DEFAULT_VIEWER_PROTOCOLS,
            requests_per_connection: super::connections::DEFAULT_REQUESTS_PER_CONNECTION,
        })
    }

    /// A class's range GETs: `None` without `range_share` (or with 0), and
    /// then no other `range_` field may be given.
    fn ranges(&self, field: &str, c: &RawClass) -> Result<Option<RangeSpec>> {
        let share = c.range_share.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&share) {
            return Err(self.error(
                &format!("{field}.range_share"),
                format!("share {share} is outside [0, 1]"),
                "give the share of the class's GETs that carry a Range header, e.g. 0.3",
            ));
        }
        if share == 0.0 {
            let stray = [
                ("range_length", c.range_length.is_some()),
                ("range_start", c.range_start.is_some()),
                ("range_unsatisfiable_share", c.range_unsatisfiable_share.is_some()),
            ];
            if let Some((name, _)) = stray.iter().find(|(_, given)| *given) {
                return Err(self.error(
                    &format!("{field}.{name}"),
                    "the class sends no range GETs (range_share is 0 or missing)",
                    "set `range_share` (e.g. 0.3), or remove the class's range_ fields",
                ));
            }
            return Ok(None);
        }
        let length_bytes = match &c.range_length {
            None => DEFAULT_RANGE_LENGTH_BYTES,
            Some(v) => self.size(&format!("{field}.range_length"), v)?,
        };
        if length_bytes == 0 {
            return Err(self.error(
                &format!("{field}.range_length"),
                "a range of zero bytes asks for nothing",
                "give each range's length, e.g. \"1 MiB\" or 100000",
            ));
        }
        let start = match c.range_start.as_deref() {
            None | Some("zero") => RangeStart::Zero,
            Some("uniform") => RangeStart::Uniform,
            Some(other) => {
                return Err(self.error(
                    &format!("{field}.range_start"),
                    format!("unknown range start {other:?}"),
                    "use \"zero\" (ranges start at byte 0) or \"uniform\" (anywhere in the object)",
                ));
            }
        };
        let unsatisfiable_share = c.range_unsatisfiable_share.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&unsatisfiable_share) {
            return Err(self.error(
                &format!("{field}.range_unsatisfiable_share"),
                format!("share {unsatisfiable_share} is outside [0, 1]"),
                "give the share of range GETs that start past the object's end (416), e.g. 0.01",
            ));
        }
        Ok(Some(RangeSpec { share, length_bytes, start, unsatisfiable_share }))
    }

    /// A class's `content_type`: a media type `type/subtype`, optionally
    /// with parameters (`text/html; charset=utf-8`), kept lower-case.
    fn content_type(&self, field: &str, value: Option<&str>) -> Result<String> {
        let Some(value) = value else { return Ok(DEFAULT_CONTENT_TYPE.to_string()) };
        let media_type = value.split(';').next().unwrap_or("").trim();
        let well_formed = media_type.split_once('/').is_some_and(|(kind, subtype)| {
            let token = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
            token(kind) && token(subtype)
        });
        if !well_formed {
            return Err(self.error(
                &format!("{field}.content_type"),
                format!("{value:?} is not a media type"),
                "write it as the origin's Content-Type header would, e.g. \"text/html\", \"application/javascript\" \
                 or \"image/jpeg\"",
            ));
        }
        Ok(value.trim().to_ascii_lowercase())
    }

    /// A class's `gzip_ratio` or `brotli_ratio`: encoded size over original
    /// size, in (0, 1].
    fn compression_ratio(&self, field: &str, value: Option<f64>) -> Result<Option<f64>> {
        match value {
            Some(r) if !(r > 0.0 && r <= 1.0) => Err(self.error(
                field,
                format!("ratio {r} is outside (0, 1]"),
                "give the encoded size over the original size, e.g. 0.3 for HTML in gzip and 0.25 in Brotli \
                 (1 for a type that does not shrink)",
            )),
            r => Ok(r),
        }
    }

    /// How many objects a class has: its `objects`, else its share of the
    /// traffic's; a path without `{id}` names one object.
    fn class_objects(&self, field: &str, c: &RawClass, has_id: bool, defaults: &ClassDefaults) -> Result<u64> {
        match (c.objects, has_id) {
            (Some(n), _) if !(1..=MAX_OBJECTS).contains(&n) => Err(self.error(
                &format!("{field}.objects"),
                format!("{n} objects is out of range"),
                format!("use 1 to {MAX_OBJECTS}"),
            )),
            // A path without `{id}` names one object, whatever the share.
            (Some(n), false) if n > 1 => Err(self.error(
                &format!("{field}.objects"),
                format!("the path {:?} has no {{id}}, so the class is one object, not {n}", c.path),
                "remove `objects` (a fixed path is one object), or put {id} into the path",
            )),
            (_, false) => Ok(1),
            (Some(n), true) => Ok(n as u64),
            (None, true) => {
                Ok(((defaults.total_objects as f64 * c.share / defaults.total_share).round() as u64).max(1))
            }
        }
    }

    /// How often a class's objects change at the origin; `None` for never.
    /// A class's `request_body`: a size, for a class that sends some
    /// request with a body (DELETE, OPTIONS, PATCH, POST or PUT).
    fn request_body(&self, field: &str, raw: Option<&Value>, method_weights: &[f64; 7]) -> Result<u64> {
        let Some(value) = raw else { return Ok(0) };
        let field = format!("{field}.request_body");
        let bytes = self.size(&field, value)?;
        let sends_bodies = Method::ALL.iter().any(|m| m.is_proxied() && method_weights[m.index()] > 0.0);
        if bytes > 0 && !sends_bodies {
            return Err(self.error(
                &field,
                "the class sends only GET and HEAD requests, which carry no body",
                "remove `request_body`, or give DELETE, OPTIONS, PATCH, POST or PUT a weight in `methods`",
            ));
        }
        Ok(bytes)
    }

    fn change_interval(&self, field: &str, raw: Option<&Value>) -> Result<Option<SimDuration>> {
        let Some(v) = raw else { return Ok(None) };
        let d = self.duration(&format!("{field}.change_interval"), v)?;
        if d == SimDuration::ZERO {
            return Err(self.error(
                &format!("{field}.change_interval"),
                "zero means the object changes continuously",
                "use e.g. \"1 h\", or remove the field",
            ));
        }
        Ok(Some(d))
    }

    fn signed_traffic(&self, field: &str, raw: &RawSigned) -> Result<SignedTrafficSpec> {
        let sessions = self.int_in(&format!("{field}.sessions"), raw.sessions, 1000, 1, 10_000_000)? as u32;
        let mut mix = [0.0; Presented::ALL.len()];
        for (name, &share) in &raw.mix {
            let kind = Presented::parse(name).ok_or_else(|| {
                self.error(
                    &format!("{field}.mix.{name}"),
                    format!("unknown credential kind {name:?}"),
                    format!("use: {}", Presented::names()),
                )
            })?;
            if !(share >= 0.0 && share.is_finite()) {
                return Err(self.error(
                    &format!("{field}.mix.{name}"),
                    format!("share {share} must be 0 or more"),
                    "use e.g. 0.9",
                ));
            }
            mix[kind.index()] = share;
        }
        if mix.iter().sum::<f64>() <= 0.0 {
            return Err(self.error(
                &format!("{field}.mix"),
                "every share is zero",
                "give at least one kind a positive share, e.g. { valid-url = 1.0 }",
            ));
        }
        Ok(SignedTrafficSpec { sessions, mix })
    }

    fn check_alpha(&self, field: &str, alpha: f64) -> Result<()> {
        if !(0.0..=10.0).contains(&alpha) {
            return Err(self.error(
                field,
                format!("Zipf alpha {alpha} is out of range"),
                "use 0 (uniform) to 10; web traffic is usually 0.6-1.2",
            ));
        }
        Ok(())
    }

    fn method_weights(
        &self,
        field: &str,
        raw: Option<&std::collections::BTreeMap<String, f64>>,
        default: Option<[f64; 7]>,
    ) -> Result<[f64; 7]> {
        let Some(map) = raw else {
            return Ok(default.unwrap_or_else(|| {
                let mut w = [0.0; 7];
                w[Method::Get.index()] = 1.0;
                w
            }));
        };
        let mut weights = [0.0; 7];
        for (name, &w) in map {
            let method: Method = name.parse().map_err(|e: String| {
                self.error(&format!("{field}.{name}"), e, "use method names in capitals as keys")
            })?;
            if !(w >= 0.0 && w.is_finite()) {
                return Err(self.error(
                    &format!("{field}.{name}"),
                    format!("weight {w} must be 0 or more"),
                    "use e.g. 0.9",
                ));
            }
            weights[method.index()] = w;
        }
        let sum: f64 = weights.iter().sum();
        if sum <= 0.0 {
            return Err(self.error(
                field,
                "all method weights are zero",
                "give at least one method a positive weight, e.g. { GET = 1.0 }",
            ));
        }
        weights.iter_mut().for_each(|w| *w /= sum);
        Ok(weights)
    }
}
