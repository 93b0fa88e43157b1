//! Where a viewer is served from, and whether it is served at all: the
//! price class's edge locations (Developer Guide, "Choosing the price class
//! for a CloudFront distribution") and the distribution's geo restriction
//! (Developer Guide, "Restricting the geographic distribution of your
//! content").

use crate::places::Place;
use crate::scenario::{EdgeSpec, GeoRestriction};
use cdnsim_cost::PriceClass;

/// Whether CloudFront refuses a viewer in `country` (an ISO 3166-1 alpha-2
/// code). The Guide: with an allow list, "users in those countries can
/// access your content"; with a block list, users in the listed countries
/// cannot. A refused viewer gets 403 (Forbidden) from the edge, which
/// checks the viewer's country before anything else (reference §11.9).
pub fn refuses(restriction: &GeoRestriction, country: &str) -> bool {
    match restriction {
        GeoRestriction::None => false,
        GeoRestriction::Allow(codes) => !codes.contains(&country),
        GeoRestriction::Block(codes) => codes.contains(&country),
    }
}

/// The edge location that serves viewers at `from`: the lowest-latency one
/// among those the price class includes (the Guide: CloudFront "still
/// picks the lowest-latency one among them"; viewers in excluded regions
/// may see higher latency). Latency is estimated from the great-circle
/// distance (`geo::rtt_ms_for_km`, monotonic in it), so the nearest edge
/// location wins; a tie goes to the edge listed first. Returns the edge's
/// index and its distance in kilometres, or `None` when the class includes
/// no edge location (the loader refuses such a scenario).
pub fn nearest_edge(from: &Place, edges: &[EdgeSpec], class: PriceClass) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, edge) in edges.iter().enumerate() {
        if !class.includes(edge.price_region.group()) {
            continue;
        }
        let km = from.distance_km(&edge.place);
        // Strictly nearer: the first of equals keeps its place.
        if best.is_none_or(|(_, best_km)| km < best_km) {
            best = Some((i, km));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::places::{Place, find_city, find_country};

    fn edge(iata: &str) -> EdgeSpec {
        let place = Place::of_city(find_city(iata).unwrap());
        EdgeSpec {
            name: format!("{iata}1"),
            regional_cache: 0,
            viewer_weight: 1.0,
            price_region: place.country.region,
            place,
            viewer_rtt_ms: Dist::constant(10.0),
            regional_rtt_ms: Dist::constant(10.0),
        }
    }

    #[test]
    fn allow_and_block_lists() {
        let allow = GeoRestriction::Allow(vec!["US", "CA"]);
        let block = GeoRestriction::Block(vec!["BR"]);
        let cases = [
            (&GeoRestriction::None, "BR", false),
            (&allow, "US", false),
            (&allow, "CA", false),
            (&allow, "MX", true),
            (&block, "BR", true),
            (&block, "AR", false),
        ];
        for (restriction, country, refused) in cases {
            assert_eq!(refuses(restriction, country), refused, "{restriction:?} {country}");
        }
    }

    #[test]
    fn the_nearest_allowed_edge_serves() {
        let edges = [edge("IAD"), edge("GRU"), edge("FRA")];
        let sao_paulo = Place::metro_of(find_country("BR").unwrap());
        // São Paulo's own edge while the class includes South America ...
        assert_eq!(nearest_edge(&sao_paulo, &edges, PriceClass::All).map(|e| e.0), Some(1));
        // ... and Ashburn (about 7,600 km) rather than Frankfurt (about
        // 9,800 km) under class 100.
        let (i, km) = nearest_edge(&sao_paulo, &edges, PriceClass::Class100).unwrap();
        assert_eq!(i, 0);
        assert!((7_500.0..7_800.0).contains(&km), "{km}");
        let only_gru = [edge("GRU")];
        assert_eq!(nearest_edge(&sao_paulo, &only_gru, PriceClass::Class200), None);
    }

    #[test]
    fn ties_go_to_the_edge_listed_first() {
        let edges = [edge("IAD"), edge("IAD"), edge("JFK")];
        let at_iad = edges[0].place;
        assert_eq!(nearest_edge(&at_iad, &edges, PriceClass::All), Some((0, 0.0)));
    }
}
