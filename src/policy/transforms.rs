//! What an edge function's declared transforms (`scenario::Transform`) do to
//! a class's requests, and so to their cache key.
//!
//! Where a transform acts decides what it changes. A viewer-request function
//! runs before the cache lookup (DG lambda-cloudfront-trigger-events.md:
//! "before it checks to see whether the requested object is in the
//! CloudFront cache"), so the key is made from the request it leaves: its
//! transforms change the key. An origin-request function runs only when
//! CloudFront forwards the request, after the lookup: its transforms change
//! what the origin receives and never the key. Both kinds may transform (a
//! CloudFront Function on viewer-request only, as it runs on viewer events
//! only).
//!
//! Requests carry their attributes as value ids (`RequestAttributes`), so a
//! transform acts on ids:
//! - removing a query parameter, cookie or header takes its slot out of the
//!   key; removing `Accept-Encoding` is a request without the header;
//! - sorting the query writes every request's parameters in one order, by
//!   name (byte order), so the order the viewer used no longer matters;
//! - lower-casing merges the values that differ only in case: a parameter
//!   whose values are `["EN", "en", "fr"]` keeps two, `en` (ids 0 and 1 both
//!   become 0, the first spelling) and `fr`. Values given as a count are
//!   decimal numbers, which have no case: lower-casing changes nothing;
//! - a device header gives each device the id of its class: devices written
//!   alike (`tablet = "mobile"`) are one value.
//!
//! Set-up does all the work (`for_class`, `key_plan`): removals, the
//! `Accept-Encoding` mapping and the device classes are folded into the
//! behavior's `KeyPlan`, so they cost a request nothing. Only sorting and
//! lower-casing change the request's own ids, in `Rewrite::apply`, which
//! copies the fixed-size attributes and allocates nothing.

use super::cache_key::{self, KeyPlan, header_in_key};
use crate::scenario::{
    AttributeKind, AttributeValues, BehaviorFunctions, CacheKeySettings, EdgeEvent, FunctionSpec, MAX_ENCODINGS,
    MAX_QUERY_PARAMS, RequestAttributes, RequestAttributesSpec, Transform,
};

/// The per-request part of a list of transforms for one class: what cannot
/// be folded into the key plan because it changes ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rewrite {
    /// The query slots in name order, when a transform sorts them.
    // Invariant: a permutation of 0..n_query.
    sorted_query: Option<([u8; MAX_QUERY_PARAMS], u8)>,
    /// Per slot whose values merge when lower-cased: value id -> the id of
    /// its first spelling.
    // Invariant: each map's entries are below its length, and map[map[v]] == map[v].
    value_maps: Vec<(u8, Box<[u32]>)>,
}

impl Rewrite {
    /// Whether it leaves every request as it is.
    pub fn is_identity(&self) -> bool {
        self.sorted_query.is_none() && self.value_maps.is_empty()
    }

    /// The request as the transforms leave it (its sorted query order, its
    /// lower-cased values).
    #[inline]
    pub fn apply(&self, attributes: &RequestAttributes) -> RequestAttributes {
        let mut out = *attributes;
        if let Some((order, n)) = &self.sorted_query {
            out.set_query_order(&order[..*n as usize]);
        }
        for (slot, map) in &self.value_maps {
            if let Some(value) = attributes.value(*slot as usize) {
                out.set_value(*slot as usize, map[value as usize]);
            }
        }
        out
    }
}

/// What a function's transforms do to the requests of one class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassTransforms {
    /// Bit `slot` set when the request no longer carries that slot's attribute.
    pub removed_slots: u16,
    /// Per `Accept-Encoding` value of the class's mix, the value it becomes
    /// (`None`: the header is removed). Entries past the mix are unused.
    pub encodings: [Option<u8>; MAX_ENCODINGS],
    /// The header a `device-header` transform sets, and each device's class.
    pub device_header: Option<(String, [u8; 4])>,
    pub rewrite: Rewrite,
}

impl ClassTransforms {
    /// Whether the transforms change nothing of the class's requests.
    pub fn is_identity(&self) -> bool {
        self.removed_slots == 0
            && self.device_header.is_none()
            && self.rewrite.is_identity()
            && self.encodings.iter().enumerate().all(|(i, e)| *e == Some(i as u8))
    }
}

/// Whether a query parameter or cookie named `name` is one of `patterns`
/// (`*` and `?` wildcards; names compared with their case).
fn named(patterns: &[String], name: &str) -> bool {
    patterns.iter().any(|p| cdnsim_sign::wildcard::matches(p, name))
}

/// Whether header `name` is one of `names` (without regard to case).
fn named_header(names: &[String], name: &str) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// For each of `values`, the index of the first value equal to it once both
/// are lower-cased (as JavaScript's `toLowerCase`, Unicode's mapping).
fn first_spelling<'a>(values: impl ExactSizeIterator<Item = &'a str>) -> Vec<u32> {
    let lowered: Vec<String> = values.map(str::to_lowercase).collect();
    (0..lowered.len()).map(|i| lowered.iter().position(|l| *l == lowered[i]).expect("itself") as u32).collect()
}

/// What `transforms`, applied in order, do to the requests of `class`.
pub fn for_class(transforms: &[Transform], class: &RequestAttributesSpec) -> ClassTransforms {
    let mut removed: u16 = 0;
    let mut sorted = false;
    let mut lowered_slots: u16 = 0;
    let mut encodings: [Option<u8>; MAX_ENCODINGS] = std::array::from_fn(|i| Some(i as u8));
    let mut device_header: Option<(String, [u8; 4])> = None;
    let slots_where = |kind: AttributeKind, chosen: &dyn Fn(&str) -> bool| -> u16 {
        class.slots().filter(|(_, k, a)| *k == kind && chosen(&a.name)).fold(0, |m, (slot, _, _)| m | 1 << slot)
    };
    for t in transforms {
        match t {
            Transform::QueryDrop(None) => removed |= slots_where(AttributeKind::Query, &|_| true),
            Transform::QueryDrop(Some(names)) => removed |= slots_where(AttributeKind::Query, &|n| named(names, n)),
            Transform::QueryKeep(names) => removed |= slots_where(AttributeKind::Query, &|n| !named(names, n)),
            Transform::QuerySort => sorted = true,
            Transform::QueryLowercase(names) => {
                lowered_slots |= slots_where(AttributeKind::Query, &|n| named(names, n));
            }
            Transform::CookiesDrop(None) => removed |= slots_where(AttributeKind::Cookie, &|_| true),
            Transform::CookiesDrop(Some(names)) => {
                removed |= slots_where(AttributeKind::Cookie, &|n| named(names, n));
            }
            Transform::CookiesKeep(names) => removed |= slots_where(AttributeKind::Cookie, &|n| !named(names, n)),
            Transform::HeaderLowercase(names) => {
                lowered_slots |= slots_where(AttributeKind::Header, &|n| named_header(names, n));
                if named_header(names, "Accept-Encoding") {
                    let canonical = first_spelling(class.accept_encoding.iter().map(|(v, _)| v.as_str()));
                    for e in encodings.iter_mut().flatten() {
                        if let Some(&c) = canonical.get(*e as usize) {
                            *e = c as u8;
                        }
                    }
                }
            }
            Transform::HeaderStrip(names) => {
                removed |= slots_where(AttributeKind::Header, &|n| named_header(names, n));
                if named_header(names, "Accept-Encoding") {
                    encodings = [None; MAX_ENCODINGS];
                }
                if device_header.as_ref().is_some_and(|(h, _)| named_header(names, h)) {
                    device_header = None;
                }
            }
            Transform::DeviceHeader { header, values } => {
                // The function's value replaces any the viewer sent.
                removed |= slots_where(AttributeKind::Header, &|n| n.eq_ignore_ascii_case(header));
                let classes = first_spelling_exact(values);
                device_header = Some((header.clone(), classes));
            }
        }
    }
    let sorted_query = (sorted && class.query.len() > 1).then(|| {
        let mut order: [u8; MAX_QUERY_PARAMS] = std::array::from_fn(|i| i as u8);
        let n = class.query.len();
        order[..n].sort_by(|&a, &b| class.query[a as usize].name.cmp(&class.query[b as usize].name));
        (order, n as u8)
    });
    let value_maps = class
        .slots()
        .filter(|(slot, _, _)| lowered_slots >> slot & 1 != 0 && removed >> slot & 1 == 0)
        .filter_map(|(slot, _, a)| match &a.values {
            AttributeValues::Count(_) => None,
            AttributeValues::Named(names) => {
                let map = first_spelling(names.iter().map(String::as_str));
                let merges = map.iter().enumerate().any(|(i, &c)| c as usize != i);
                merges.then(|| (slot as u8, map.into_boxed_slice()))
            }
        })
        .collect();
    ClassTransforms { removed_slots: removed, encodings, device_header, rewrite: Rewrite { sorted_query, value_maps } }
}

/// Device classes from what each device is written as: the index of the
/// first device written the same (exactly: these are the function's own
/// values).
fn first_spelling_exact(values: &[String; 4]) -> [u8; 4] {
    std::array::from_fn(|d| values.iter().position(|v| *v == values[d]).expect("itself") as u8)
}

/// The transforms of the function a behavior runs on viewer-request (its
/// `associations` into `functions`), when it has one that declares any: the
/// ones that change its cache key.
pub fn viewer_request<'a>(associations: &BehaviorFunctions, functions: &'a [FunctionSpec]) -> Option<&'a [Transform]> {
    let function = &functions[associations.get(EdgeEvent::ViewerRequest)?];
    (!function.transforms.is_empty()).then_some(function.transforms.as_slice())
}

/// How a behavior keyed by `settings` keys a class's requests once a
/// viewer-request function has applied `transforms` (`None`: no function, or
/// one without transforms): `cache_key::plan` with the removals, the
/// `Accept-Encoding` mapping and the device header folded in. A device
/// header is keyed when the policy names it among its headers, as any header.
pub fn key_plan(
    settings: &CacheKeySettings,
    class: &RequestAttributesSpec,
    transforms: Option<&ClassTransforms>,
) -> KeyPlan {
    let mut plan = cache_key::plan(settings, class);
    let Some(t) = transforms else { return plan };
    if !cache_key::caches(settings) {
        return plan;
    }
    plan.unkey_slots(t.removed_slots);
    plan.remap_encodings(&t.encodings);
    if let Some((header, classes)) = &t.device_header
        && header_in_key(settings, header)
    {
        plan.key_device_classes(*classes);
    }
    plan.or_path_only()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;
    use crate::policy::cache_key::{cache_key, variant};
    use crate::scenario::{AttributeSpec, Device, NameSelection, QueryOrder};
    use std::collections::BTreeSet;

    fn attribute(name: &str, values: AttributeValues) -> AttributeSpec {
        AttributeSpec { name: name.into(), values, share: 1.0, zipf_alpha: 0.0 }
    }

    fn named_values(values: &[&str]) -> AttributeValues {
        AttributeValues::Named(values.iter().map(|v| v.to_string()).collect())
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    /// Query `size` (3 values), `color` (2), `utm_source` (1000) in slots
    /// 0-2; cookie `session` (100) in 3; header `Accept-Language` with case
    /// variants in 4; an Accept-Encoding mix with a capitalised twin.
    fn class() -> RequestAttributesSpec {
        RequestAttributesSpec {
            query: vec![
                attribute("size", AttributeValues::Count(3)),
                attribute("color", AttributeValues::Count(2)),
                attribute("utm_source", AttributeValues::Count(1000)),
            ],
            query_order: QueryOrder::Shuffled,
            cookies: vec![attribute("session", AttributeValues::Count(100))],
            headers: vec![attribute("Accept-Language", named_values(&["EN", "en", "En", "fr", "FR"]))],
            accept_encoding: ["gzip", "GZIP", "br"].iter().map(|v| (v.to_string(), 1.0 / 3.0)).collect(),
            devices: [0.25; 4],
        }
    }

    fn all_query() -> CacheKeySettings {
        CacheKeySettings { query_strings: NameSelection::All, ..CacheKeySettings::default() }
    }

    /// Distinct keys of one object over every request `requests` yields.
    fn distinct_keys(
        settings: &CacheKeySettings,
        transforms: &[Transform],
        requests: impl Iterator<Item = RequestAttributes>,
    ) -> usize {
        let class = class();
        let t = for_class(transforms, &class);
        let plan = key_plan(settings, &class, Some(&t));
        requests.map(|a| cache_key(7, Method::Get, variant(&plan, &t.rewrite.apply(&a)))).collect::<BTreeSet<_>>().len()
    }

    /// Every request with `size` and `color` set, each value pair in both orders.
    fn size_color_both_orders() -> impl Iterator<Item = RequestAttributes> {
        (0..3).flat_map(|size| {
            (0..2).flat_map(move |color| {
                [[0u8, 1], [1, 0]].map(|order| {
                    let mut a = RequestAttributes::NONE;
                    a.set_value(0, size);
                    a.set_value(1, color);
                    a.set_query_order(&order);
                    a
                })
            })
        })
    }

    #[test]
    fn sorting_two_shuffled_parameters_halves_the_keys() {
        // size (3 values) x color (2 values) x 2 orders = 12 keys with every
        // query string in the key; sorted by name (color before size) the
        // order is one: 3 x 2 = 6, half.
        assert_eq!(distinct_keys(&all_query(), &[], size_color_both_orders()), 12);
        assert_eq!(distinct_keys(&all_query(), &[Transform::QuerySort], size_color_both_orders()), 6);
        let t = for_class(&[Transform::QuerySort], &class());
        let mut a = RequestAttributes::NONE;
        a.set_query_order(&[2, 0, 1]);
        let sorted: Vec<usize> = t.rewrite.apply(&a).query_order(3).collect();
        assert_eq!(sorted, [1, 0, 2], "color, size, utm_source");
    }

    #[test]
    fn dropping_the_tracking_parameter_folds_into_the_plan() {
        // With utm_source set to 10 values on top: 12 x 10 = 120 keys; drop
        // utm_* and it is 12 again; drop and sort, 6. Dropping costs the
        // request nothing: the plan no longer keys the slot.
        let with_utm = || {
            size_color_both_orders().flat_map(|a| {
                (0..10).map(move |utm| {
                    let mut b = a;
                    b.set_value(2, utm);
                    b
                })
            })
        };
        let drop_utm = Transform::QueryDrop(Some(strings(&["utm_*"])));
        assert_eq!(distinct_keys(&all_query(), &[], with_utm()), 120);
        assert_eq!(distinct_keys(&all_query(), std::slice::from_ref(&drop_utm), with_utm()), 12);
        assert_eq!(distinct_keys(&all_query(), &[drop_utm.clone(), Transform::QuerySort], with_utm()), 6);
        let t = for_class(&[drop_utm], &class());
        assert_eq!(t.removed_slots, 0b100);
        assert!(t.rewrite.is_identity(), "nothing left to do per request");
        // Keep is the complement; drop with no names takes the whole query.
        let keep = for_class(&[Transform::QueryKeep(strings(&["size", "color"]))], &class());
        assert_eq!(keep.removed_slots, 0b100);
        assert_eq!(for_class(&[Transform::QueryDrop(None)], &class()).removed_slots, 0b111);
        let plan = key_plan(&all_query(), &class(), Some(&for_class(&[Transform::QueryDrop(None)], &class())));
        assert!(plan.is_path_only(), "nothing else is keyed: the path alone");
    }

    #[test]
    fn cookies_drop_and_keep() {
        let settings = CacheKeySettings { cookies: NameSelection::All, ..CacheKeySettings::default() };
        let sessions = || {
            (0..100).map(|s| {
                let mut a = RequestAttributes::NONE;
                a.set_value(3, s);
                a
            })
        };
        assert_eq!(distinct_keys(&settings, &[], sessions()), 100);
        assert_eq!(distinct_keys(&settings, &[Transform::CookiesDrop(None)], sessions()), 1);
        assert_eq!(distinct_keys(&settings, &[Transform::CookiesKeep(strings(&["session"]))], sessions()), 100);
        assert_eq!(distinct_keys(&settings, &[Transform::CookiesKeep(strings(&["Session"]))], sessions()), 1);
    }

    #[test]
    fn lower_casing_merges_spellings_of_named_values_only() {
        // Accept-Language ["EN", "en", "En", "fr", "FR"]: five keys raw, two
        // lower-cased (en, fr).
        let settings = CacheKeySettings { headers: strings(&["Accept-Language"]), ..CacheKeySettings::default() };
        let languages = || {
            (0..5).map(|v| {
                let mut a = RequestAttributes::NONE;
                a.set_value(4, v);
                a
            })
        };
        let lower = Transform::HeaderLowercase(strings(&["accept-language"]));
        assert_eq!(distinct_keys(&settings, &[], languages()), 5);
        assert_eq!(distinct_keys(&settings, std::slice::from_ref(&lower), languages()), 2);
        let t = for_class(&[lower], &class());
        assert_eq!(t.rewrite.value_maps, [(4, vec![0, 0, 0, 3, 3].into_boxed_slice())]);
        // Counted values are numbers: nothing to lower-case.
        assert!(for_class(&[Transform::QueryLowercase(strings(&["size"]))], &class()).is_identity());
        // Stripped before or after, a stripped header has no map.
        let stripped =
            for_class(&[Transform::HeaderStrip(strings(&["Accept-Language"])), lower_al()], &class()).rewrite;
        assert!(stripped.is_identity());
    }

    fn lower_al() -> Transform {
        Transform::HeaderLowercase(strings(&["Accept-Language"]))
    }

    #[test]
    fn accept_encoding_lower_cased_or_stripped() {
        // Keyed raw: gzip, GZIP, br are three keys; lower-cased, two.
        let raw = CacheKeySettings { headers: strings(&["Accept-Encoding"]), ..CacheKeySettings::default() };
        let encodings = || {
            (0..3).map(|i| {
                let mut a = RequestAttributes::NONE;
                a.set_accept_encoding(i);
                a
            })
        };
        assert_eq!(distinct_keys(&raw, &[], encodings()), 3);
        let lower = Transform::HeaderLowercase(strings(&["Accept-Encoding"]));
        assert_eq!(distinct_keys(&raw, &[lower], encodings()), 2);
        // Normalised (gzip and Brotli): already case-blind, two keys; with
        // the header stripped every request is one without it, the path's key.
        let normalised = CacheKeySettings { gzip: true, brotli: true, ..CacheKeySettings::default() };
        assert_eq!(distinct_keys(&normalised, &[], encodings()), 2);
        let strip = Transform::HeaderStrip(strings(&["accept-encoding"]));
        assert_eq!(distinct_keys(&normalised, std::slice::from_ref(&strip), encodings()), 1);
        let t = for_class(&[strip], &class());
        assert!(key_plan(&normalised, &class(), Some(&t)).is_path_only());
    }

    #[test]
    fn a_device_header_keys_the_class_not_the_device() {
        // Four devices; tablets written as mobile and smart TVs as desktop:
        // two classes, two keys. Keyed only when the policy names the header.
        let mut values = Device::ALL.map(|d| d.name().to_string());
        values[Device::Tablet.index()] = "mobile".into();
        values[Device::SmartTv.index()] = "desktop".into();
        let transform = Transform::DeviceHeader { header: "X-Device".into(), values };
        let devices = || {
            Device::ALL.into_iter().map(|d| {
                let mut a = RequestAttributes::NONE;
                a.set_device(d);
                a
            })
        };
        let keyed = CacheKeySettings { headers: strings(&["x-device"]), ..CacheKeySettings::default() };
        assert_eq!(distinct_keys(&keyed, std::slice::from_ref(&transform), devices()), 2);
        assert_eq!(distinct_keys(&keyed, &[], devices()), 1, "no function: no such header");
        let t = for_class(std::slice::from_ref(&transform), &class());
        assert_eq!(t.device_header.as_ref().map(|(_, c)| *c), Some([0, 1, 1, 0]));
        // Beside CloudFront-Is-Mobile-Viewer (true for mobile only): mobile,
        // tablet (false, class mobile), desktop and smart TV: three keys.
        let both = CacheKeySettings {
            headers: strings(&["X-Device", "CloudFront-Is-Mobile-Viewer"]),
            ..CacheKeySettings::default()
        };
        assert_eq!(distinct_keys(&both, std::slice::from_ref(&transform), devices()), 3);
        // Stripped after it is set: gone again.
        let strip = Transform::HeaderStrip(strings(&["X-DEVICE"]));
        assert_eq!(for_class(&[transform, strip], &class()).device_header, None);
    }

    #[test]
    fn no_transforms_leave_the_plan_and_the_request_as_they_were() {
        let c = class();
        let t = for_class(&[], &c);
        assert!(t.is_identity());
        for settings in [all_query(), CacheKeySettings::default(), CacheKeySettings { gzip: true, ..all_query() }] {
            assert_eq!(key_plan(&settings, &c, Some(&t)), cache_key::plan(&settings, &c));
            assert_eq!(key_plan(&settings, &c, None), cache_key::plan(&settings, &c));
        }
        let mut a = RequestAttributes::NONE;
        a.set_value(4, 2);
        a.set_query_order(&[1, 0, 2]);
        assert_eq!(t.rewrite.apply(&a), a);
        // Sorting an already sorted query changes nothing either.
        let stable = RequestAttributesSpec {
            query: vec![attribute("a", AttributeValues::Count(2)), attribute("b", AttributeValues::Count(2))],
            ..RequestAttributesSpec::default()
        };
        let sort = for_class(&[Transform::QuerySort], &stable);
        assert_eq!(sort.rewrite.apply(&RequestAttributes::NONE), RequestAttributes::NONE);
    }
}
