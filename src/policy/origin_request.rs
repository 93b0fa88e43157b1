//! What reaches the origin: the cache key's values and, beside them, what the
//! behavior's origin request policy adds (reference §6.3; Developer Guide
//! "Control origin requests with a policy": "CloudFront always includes"
//! everything in the cache key in origin requests, and the policy adds
//! values "without including them in the cache key"), and what that does to
//! an origin whose response depends on some of a request's values.
//!
//! Two well-known effects, per (behavior, class):
//! - the origin varies on a value the request does not forward: the origin
//!   cannot tailor its response to it (*untailored*);
//! - the origin varies on a value that is forwarded but not keyed: the copy
//!   cached for one value answers viewers with another (*mistailored*), the
//!   "forward it but don't key it" mistake.
//!
//! Set-up turns the settings into a `ForwardPlan` once; per request, the
//! functions below read value ids through it, allocating nothing.

use crate::policy::cache_key::{KeyPlan, cookie_in_key, header_in_key, query_string_in_key};
use crate::rng::splitmix64;
use crate::scenario::{
    AttributeKind, CacheKeySettings, LEGACY_REMOVED_HEADERS, OriginRequestSettings, RequestAttributes,
    RequestAttributesSpec,
};

/// How one behavior forwards one class's requests, worked out at set-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ForwardPlan {
    /// Bit `slot` set when the class's attribute in that slot reaches the origin.
    forwarded_slots: u16,
    /// Slots the origin varies on that do not reach it.
    // Invariant: disjoint from forwarded_slots.
    unforwarded_varying: u16,
    /// Slots the origin varies on that reach it without being in the key.
    // Invariant: a subset of forwarded_slots, none in the key.
    unkeyed_varying: u16,
}

impl ForwardPlan {
    /// Whether the attribute in `slot` reaches the origin.
    pub fn forwards_slot(&self, slot: usize) -> bool {
        self.forwarded_slots >> slot & 1 != 0
    }

    /// Whether some response of the class may be one the origin could not
    /// tailor.
    pub fn may_be_untailored(&self) -> bool {
        self.unforwarded_varying != 0
    }

    /// Whether a cached copy may be served to a viewer it was not tailored
    /// for: the run must then remember what each copy was made for.
    pub fn may_be_mistailored(&self) -> bool {
        self.unkeyed_varying != 0
    }
}

/// What a behavior's origin requests carry besides its key.
#[derive(Clone, Copy, Debug)]
pub enum Forwarding<'a> {
    /// Legacy cache settings (no cache policy): `ForwardedValues` keys and
    /// forwards its names, and every viewer header but those CloudFront
    /// removes (`LEGACY_REMOVED_HEADERS`) reaches the origin too.
    Legacy,
    /// A cache policy, and the origin request policy if there is one: the
    /// key's values and the policy's.
    Policies(Option<&'a OriginRequestSettings>),
}

/// Whether the request forwards the class attribute `name` of `kind` under
/// the cache key's settings and `forwarding`. Everything in the key is
/// forwarded (DG "Understand how origin request policies and cache policies
/// work together": "All URL query strings, HTTP headers, and cookies that you
/// specify in the cache key ... are automatically included in origin
/// requests"); forwarding every header (legacy) forwards every header.
fn forwards(key: &CacheKeySettings, forwarding: Forwarding, kind: AttributeKind, name: &str) -> bool {
    let by_key = match kind {
        AttributeKind::Query => query_string_in_key(&key.query_strings, name),
        AttributeKind::Cookie => cookie_in_key(key, name),
        AttributeKind::Header => key.all_headers || header_in_key(key, name),
    };
    let beside_key = match (forwarding, kind) {
        (Forwarding::Legacy, AttributeKind::Header) => {
            !LEGACY_REMOVED_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
        }
        (Forwarding::Legacy, _) | (Forwarding::Policies(None), _) => false,
        (Forwarding::Policies(Some(p)), AttributeKind::Query) => query_string_in_key(&p.query_strings, name),
        // A policy names cookies exactly, with their case, as it does query
        // strings: the same test.
        (Forwarding::Policies(Some(p)), AttributeKind::Cookie) => query_string_in_key(&p.cookies, name),
        (Forwarding::Policies(Some(p)), AttributeKind::Header) => p.headers.forwards_viewer_header(name),
    };
    by_key || beside_key
}

/// How a behavior with cache key `key` (planned as `key_plan`) and
/// `forwarding` forwards the requests of a class carrying
/// `class`, whose origin varies on the attributes named in `varies_on`
/// (header names without regard to case).
pub fn plan(
    key: &CacheKeySettings,
    key_plan: &KeyPlan,
    forwarding: Forwarding,
    class: &RequestAttributesSpec,
    varies_on: &[String],
) -> ForwardPlan {
    let mut plan = ForwardPlan::default();
    for (slot, kind, spec) in class.slots() {
        let bit = 1u16 << slot;
        let forwarded = forwards(key, forwarding, kind, &spec.name);
        let varies = varies_on.iter().any(|n| match kind {
            AttributeKind::Header => n.eq_ignore_ascii_case(&spec.name),
            AttributeKind::Query | AttributeKind::Cookie => *n == spec.name,
        });
        if forwarded {
            plan.forwarded_slots |= bit;
        }
        match (varies, forwarded, key_plan.keys_slot(slot)) {
            (true, false, _) => plan.unforwarded_varying |= bit,
            (true, true, false) => plan.unkeyed_varying |= bit,
            _ => {}
        }
    }
    plan
}

/// Whether the origin could not tailor its response to the request: the
/// request carries a value the origin varies on, and does not forward it.
/// (A request without the attribute gets the origin's default, which is
/// what it asked for.)
#[inline]
pub fn untailored(plan: &ForwardPlan, attributes: &RequestAttributes) -> bool {
    let mut slots = plan.unforwarded_varying;
    while slots != 0 {
        let slot = slots.trailing_zeros() as usize;
        slots &= slots - 1;
        if attributes.value(slot).is_some() {
            return true;
        }
    }
    false
}

/// What the origin tailors a response to beyond the key: a 64-bit hash of
/// the request's values (or their absence) in the slots the origin varies on
/// that are forwarded but not keyed. Two requests with one key and different
/// hashes get different responses from the origin, so a copy cached for one
/// is *mistailored* for the other. 0 when the plan has no such slot.
#[inline]
pub fn tailored_for(plan: &ForwardPlan, attributes: &RequestAttributes) -> u64 {
    const SEED: u64 = 0x7461_696c_6f72_6564; // "tailored"
    let mut slots = plan.unkeyed_varying;
    if slots == 0 {
        return 0;
    }
    let mut hash = SEED;
    while slots != 0 {
        let slot = slots.trailing_zeros() as usize;
        slots &= slots - 1;
        let value = attributes.value(slot).map_or(0, |v| u64::from(v) + 1);
        hash = splitmix64(hash ^ ((slot as u64) << 40 | value));
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::cache_key;
    use crate::scenario::{
        AttributeSpec, AttributeValues, HeaderSelection, NameSelection, managed_origin_request_policy,
    };

    fn attribute(name: &str, values: u32) -> AttributeSpec {
        AttributeSpec { name: name.into(), values: AttributeValues::Count(values), share: 1.0, zipf_alpha: 0.0 }
    }

    /// Query `page` (slot 0), cookie `session` (1), header `Accept-Language` (2).
    fn class() -> RequestAttributesSpec {
        RequestAttributesSpec {
            query: vec![attribute("page", 10)],
            cookies: vec![attribute("session", 100)],
            headers: vec![attribute("Accept-Language", 4)],
            ..RequestAttributesSpec::default()
        }
    }

    fn plan_for(key: &CacheKeySettings, policy: Option<&OriginRequestSettings>, varies: &[&str]) -> ForwardPlan {
        let varies: Vec<String> = varies.iter().map(|v| v.to_string()).collect();
        plan(key, &cache_key::plan(key, &class()), Forwarding::Policies(policy), &class(), &varies)
    }

    fn request(values: &[(usize, u32)]) -> RequestAttributes {
        let mut a = RequestAttributes::NONE;
        for &(slot, v) in values {
            a.set_value(slot, v);
        }
        a
    }

    #[test]
    fn what_reaches_the_origin_is_the_key_and_the_policy() {
        let key = CacheKeySettings { query_strings: NameSelection::All, ..Default::default() };
        let none = plan_for(&key, None, &[]);
        assert!(none.forwards_slot(0), "everything in the key is forwarded");
        assert!(!none.forwards_slot(1) && !none.forwards_slot(2), "nothing else without a policy");
        let all = managed_origin_request_policy("AllViewer").unwrap().settings();
        let p = plan_for(&CacheKeySettings::default(), Some(&all), &[]);
        assert!((0..3).all(|s| p.forwards_slot(s)));
        let cors = managed_origin_request_policy("CORS-S3Origin").unwrap().settings();
        let p = plan_for(&CacheKeySettings::default(), Some(&cors), &[]);
        assert!((0..3).all(|s| !p.forwards_slot(s)), "Origin and the preflight headers only");
        let except = OriginRequestSettings {
            headers: HeaderSelection::AllExcept(vec!["accept-language".into()]),
            cookies: NameSelection::AllowList(vec!["Session".into()]),
            ..Default::default()
        };
        let p = plan_for(&CacheKeySettings::default(), Some(&except), &[]);
        assert!(!p.forwards_slot(2), "header names ignore case");
        assert!(!p.forwards_slot(1), "cookie names do not");
        // Legacy forwarding of every header forwards them, though nothing is cached.
        let legacy = CacheKeySettings { all_headers: true, ..Default::default() };
        assert!(plan_for(&legacy, None, &[]).forwards_slot(2));
    }

    #[test]
    fn legacy_settings_forward_other_headers_and_remove_the_listed_ones() {
        // The DG's table: without keying them, a legacy behavior removes
        // Accept-Language but forwards a header it does not list (X-Tenant).
        let class = RequestAttributesSpec {
            headers: vec![attribute("Accept-Language", 4), attribute("X-Tenant", 3)],
            ..RequestAttributesSpec::default()
        };
        let key = CacheKeySettings::default();
        let varies = ["Accept-Language".to_string(), "x-tenant".to_string()];
        let p = plan(&key, &cache_key::plan(&key, &class), Forwarding::Legacy, &class, &varies);
        assert!(!p.forwards_slot(0) && p.forwards_slot(1));
        assert!(p.may_be_untailored() && p.may_be_mistailored(), "the language is lost, the tenant not keyed");
        // Keyed by forwarded_values, the language is forwarded too.
        let keyed = CacheKeySettings { headers: vec!["Accept-Language".into()], ..Default::default() };
        let p = plan(&keyed, &cache_key::plan(&keyed, &class), Forwarding::Legacy, &class, &varies);
        assert!(p.forwards_slot(0) && !p.may_be_untailored());
    }

    #[test]
    fn untailored_and_mistailored_are_decided_by_the_plan() {
        // The origin varies on Accept-Language.
        let path_only = plan_for(&CacheKeySettings::default(), None, &["accept-language"]);
        assert!(path_only.may_be_untailored() && !path_only.may_be_mistailored());
        assert!(untailored(&path_only, &request(&[(2, 1)])));
        assert!(!untailored(&path_only, &request(&[(0, 1)])), "no language sent: the default is what was asked");
        // Forwarded by the policy, not keyed: the classic mistake.
        let lang = OriginRequestSettings {
            headers: HeaderSelection::AllowList(vec!["Accept-Language".into()]),
            ..Default::default()
        };
        let forwarded = plan_for(&CacheKeySettings::default(), Some(&lang), &["Accept-Language"]);
        assert!(!forwarded.may_be_untailored() && forwarded.may_be_mistailored());
        let (en, de) = (request(&[(2, 0)]), request(&[(2, 1), (0, 5)]));
        assert_ne!(tailored_for(&forwarded, &en), tailored_for(&forwarded, &de));
        assert_eq!(tailored_for(&forwarded, &de), tailored_for(&forwarded, &request(&[(2, 1)])), "page plays no part");
        assert_ne!(tailored_for(&forwarded, &RequestAttributes::NONE), tailored_for(&forwarded, &en));
        // Keyed as well: each language has its own entry, nothing to count.
        let keyed = CacheKeySettings { headers: vec!["Accept-Language".into()], ..Default::default() };
        let p = plan_for(&keyed, Some(&lang), &["Accept-Language"]);
        assert!(!p.may_be_untailored() && !p.may_be_mistailored());
        assert_eq!(tailored_for(&p, &en), 0);
    }
}
