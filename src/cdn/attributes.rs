//! Draws what each viewer request carries besides its path (query
//! parameters, cookies, headers, `Accept-Encoding`, device), as its class's
//! `RequestAttributesSpec` describes, into the request's fixed-size
//! `RequestAttributes`.
//!
//! Each class draws from a random stream of its own (`Stream::Attributes`),
//! which no other draw uses: adding attributes to a class never changes
//! which objects are asked for, when, or from where. A class draws only what
//! can matter: its query parameters and cookies (they also show in the
//! access logs), and its headers, `Accept-Encoding` and device only when some
//! behavior's cache key holds them (a header also when the class's origin
//! varies on it). A class with nothing to draw takes no
//! random number at all, so a scenario without attributes runs exactly as
//! before.

use super::popularity::Popularity;
use crate::policy::cache_key::{self, KeyPlan};
use crate::policy::transforms;
use crate::rng::{Stream, stream_rng_indexed};
use crate::scenario::{AttributeKind, AttributeSpec, Device, QueryOrder, RequestAttributes, Scenario};
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use rand_distr::weighted::WeightedAliasIndex;

/// How one attribute's values are drawn.
enum Values {
    /// All `n` equally likely.
    Uniform(u32),
    Zipf(Popularity),
}

/// One slot to draw.
struct SlotDraw {
    slot: usize,
    /// Share of requests that carry it; 1 draws no number for it.
    share: f64,
    values: Values,
}

/// A weighted choice, and what each choice stands for.
struct Mix<T> {
    items: Vec<T>,
    by_weight: WeightedAliasIndex<f64>,
}

impl<T: Copy> Mix<T> {
    fn new(weighted: impl Iterator<Item = (T, f64)>) -> Mix<T> {
        let (items, weights): (Vec<T>, Vec<f64>) = weighted.filter(|(_, w)| *w > 0.0).unzip();
        Mix { items, by_weight: WeightedAliasIndex::new(weights).expect("validated: a positive weight") }
    }

    fn draw(&self, rng: &mut Xoshiro256PlusPlus) -> T {
        self.items[self.by_weight.sample(rng)]
    }
}

/// What one class draws per request.
struct ClassDraws {
    rng: Xoshiro256PlusPlus,
    slots: Vec<SlotDraw>,
    /// The number of query slots to shuffle, when the order is shuffled.
    shuffle: Option<usize>,
    encodings: Option<Mix<usize>>,
    devices: Option<Mix<Device>>,
}

/// Every class's draws; `None` for a class with nothing to draw.
pub struct AttributeDraws {
    classes: Vec<Option<ClassDraws>>,
}

impl AttributeDraws {
    pub fn new(scenario: &Scenario, run_seed: u64) -> AttributeDraws {
        let behaviors = &scenario.distribution.behaviors;
        let classes = scenario
            .traffic
            .classes
            .iter()
            .enumerate()
            .map(|(i, class)| {
                let spec = &class.attributes;
                // The key as the viewer sends the request, and as the
                // behavior's viewer-request function leaves it (a device
                // header it sets is drawn from the device): the run reports
                // both.
                let plans: Vec<KeyPlan> = behaviors
                    .iter()
                    .flat_map(|b| {
                        let plain = cache_key::plan(&b.cache_key, spec);
                        let viewer = transforms::viewer_request(&b.functions, &scenario.functions);
                        let transformed = viewer
                            .map(|t| transforms::key_plan(&b.cache_key, spec, Some(&transforms::for_class(t, spec))));
                        std::iter::once(plain).chain(transformed)
                    })
                    .collect();
                let keyed_slot = |slot: usize| plans.iter().any(|p| p.keys_slot(slot));
                // The origin's response depends on it: whether it reaches the origin matters.
                let varies_on = |header: &str| class.origin_varies_on.iter().any(|n| n.eq_ignore_ascii_case(header));
                let slots: Vec<SlotDraw> = spec
                    .slots()
                    .filter(|&(slot, kind, a)| kind != AttributeKind::Header || keyed_slot(slot) || varies_on(&a.name))
                    .map(|(slot, _, a)| SlotDraw { slot, share: a.share, values: values_of(a) })
                    .collect();
                let encodings = plans
                    .iter()
                    .any(KeyPlan::keys_encoding)
                    .then(|| Mix::new(spec.accept_encoding.iter().enumerate().map(|(i, (_, w))| (i, *w))));
                let devices = plans
                    .iter()
                    .any(KeyPlan::keys_device)
                    .then(|| Mix::new(Device::ALL.into_iter().map(|d| (d, spec.devices[d.index()]))));
                let shuffle =
                    (spec.query_order == QueryOrder::Shuffled && spec.query.len() > 1).then_some(spec.query.len());
                let nothing = slots.is_empty() && encodings.is_none() && devices.is_none();
                (!nothing).then(|| ClassDraws {
                    rng: stream_rng_indexed(run_seed, Stream::Attributes, i as u64),
                    slots,
                    shuffle,
                    encodings,
                    devices,
                })
            })
            .collect();
        AttributeDraws { classes }
    }

    /// Whether any class draws anything.
    pub fn any(&self) -> bool {
        self.classes.iter().any(Option::is_some)
    }

    /// What the next request of `class` carries.
    #[inline]
    pub fn draw(&mut self, class: usize) -> RequestAttributes {
        match &mut self.classes[class] {
            None => RequestAttributes::NONE,
            Some(draws) => draws.draw(),
        }
    }
}

fn values_of(a: &AttributeSpec) -> Values {
    let n = a.count();
    if a.zipf_alpha == 0.0 { Values::Uniform(n) } else { Values::Zipf(Popularity::new(u64::from(n), a.zipf_alpha)) }
}

impl ClassDraws {
    fn draw(&mut self) -> RequestAttributes {
        let mut attributes = RequestAttributes::NONE;
        let rng = &mut self.rng;
        for s in &self.slots {
            if s.share < 1.0 && rng.random::<f64>() >= s.share {
                continue;
            }
            let value = match &s.values {
                Values::Uniform(n) => rng.random_range(0..*n),
                Values::Zipf(p) => p.sample(rng) as u32,
            };
            attributes.set_value(s.slot, value);
        }
        if let Some(n) = self.shuffle {
            // Fisher-Yates over the query slots.
            let mut order: [u8; crate::scenario::MAX_QUERY_PARAMS] = std::array::from_fn(|i| i as u8);
            for i in (1..n).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            attributes.set_query_order(&order[..n]);
        }
        if let Some(mix) = &self.encodings {
            attributes.set_accept_encoding(mix.draw(rng));
        }
        if let Some(mix) = &self.devices {
            attributes.set_device(mix.draw(rng));
        }
        attributes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario(default_behavior: &str, class: &str) -> Scenario {
        let text = format!(
            r#"
[simulation]
requests = 10
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
[[origins]]
name = "o"
region = "us-east-1"
[distribution.default_behavior]
origin = "o"
{default_behavior}
[traffic]
rate = 1
[[traffic.classes]]
name = "c"
share = 1
path = "/{{id}}"
size = "1 KiB"
{class}
"#
        );
        Scenario::from_toml_str(Path::new("t.toml"), &text, &[]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_class_without_attributes_draws_nothing() {
        let s = scenario("cache_policy = \"CachingOptimizedForUncompressedObjects\"", "");
        let mut draws = AttributeDraws::new(&s, 1);
        assert!(!draws.any());
        assert_eq!(draws.draw(0), RequestAttributes::NONE);
        // The default Accept-Encoding mix is drawn once a behavior keys it.
        let s = scenario("cache_policy = \"CachingOptimized\"", "");
        let mut draws = AttributeDraws::new(&s, 1);
        assert!(draws.any());
        let drawn: Vec<Option<usize>> = (0..200).map(|_| draws.draw(0).accept_encoding()).collect();
        assert!(drawn.iter().all(Option::is_some));
        assert!(drawn.iter().any(|i| *i != drawn[0]), "a mix, not one value");
    }

    #[test]
    fn shares_values_and_order_are_drawn_as_declared() {
        let class = r#"query = [{ name = "size", values = 3 }, { name = "utm_source", values = 1000, share = 0.25, zipf_alpha = 1.0 }]
query_order = "shuffled"
headers = [{ name = "Accept-Language", values = 4 }]"#;
        let s = scenario("", class);
        let mut draws = AttributeDraws::new(&s, 9);
        let n = 20_000;
        let (mut utm, mut reversed) = (0, 0);
        for _ in 0..n {
            let a = draws.draw(0);
            assert!(a.value(0).is_some_and(|v| v < 3), "size on every request");
            assert_eq!(a.value(2), None, "no behavior keys the header: not drawn");
            assert_eq!((a.accept_encoding(), a.device()), (None, None));
            utm += a.value(1).is_some() as u32;
            reversed += (a.query_order(2).next() == Some(1)) as u32;
        }
        // Shares within 4 standard errors: 0.25 of 20,000 (sd 61), 0.5 (sd 71).
        assert!((utm as f64 - 5_000.0).abs() < 245.0, "{utm}");
        assert!((reversed as f64 - 10_000.0).abs() < 283.0, "{reversed}");
        // Same seed, same draws; the header is drawn once a behavior keys it.
        let keyed = scenario(
            "cache_policy = \"p\"\n[[distribution.cache_policies]]\nname = \"p\"\nheaders = [\"accept-language\"]",
            class,
        );
        let mut a = AttributeDraws::new(&keyed, 9);
        let mut b = AttributeDraws::new(&keyed, 9);
        for _ in 0..100 {
            let (x, y) = (a.draw(0), b.draw(0));
            assert_eq!(x, y);
            assert!(x.value(2).is_some());
        }
    }
}
