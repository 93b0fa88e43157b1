//! Where AWS Regions are, so that a scenario can name Regions instead of
//! typing every link latency.
//!
//! Coordinates are those of each Region's metro area. Round-trip time between
//! two places is estimated as 1 ms of fixed cost plus 1.3 x the great-circle
//! distance at the speed of light in fibre (about 200 km per ms one way):
//! real routes are longer than great circles, and this factor puts e.g.
//! us-east-1 <-> eu-west-1 near the ~70 ms commonly measured.

use cdnsim_cost::RegionCode;

/// An AWS Region the simulator knows the location of.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Region {
    pub name: &'static str,
    pub latitude: f64,
    pub longitude: f64,
    /// IATA codes of edge-location cities served from this Region's regional
    /// edge cache, used to name generated edge locations (`IAD3`, `FRA12`).
    pub edge_cities: &'static [&'static str],
    /// Rough share of CloudFront edge locations attached to this Region's
    /// regional edge cache, used only by the layout generator.
    pub edge_weight: f64,
}

const fn region(
    name: &'static str,
    latitude: f64,
    longitude: f64,
    edge_cities: &'static [&'static str],
    edge_weight: f64,
) -> Region {
    Region { name, latitude, longitude, edge_cities, edge_weight }
}

/// Regions with a regional edge cache: the Origin Shield Regions listed in the
/// Developer Guide's Origin Shield page (June 2023), reference §5.2. CloudFront
/// says it has 13 regional edge caches; which Region holds the 13th is not
/// published (reference §5.2 [UNCONFIRMED]), so the generator uses these 12.
pub const REGIONAL_EDGE_CACHE_REGIONS: [&str; 12] = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "sa-east-1",
];

/// Every Region an origin may be placed in.
pub const REGIONS: &[Region] = &[
    region("us-east-1", 38.9, -77.4, &["IAD", "JFK", "ATL", "MIA", "BOS", "EWR", "PHL", "CLT", "YUL"], 14.0),
    region("us-east-2", 40.0, -83.0, &["ORD", "CMH", "DTW", "MSP", "IND", "STL", "YTO"], 8.0),
    region("us-west-2", 45.6, -122.7, &["SEA", "SFO", "LAX", "DEN", "PHX", "DFW", "SLC", "YVR"], 12.0),
    region("us-west-1", 37.4, -121.9, &["SJC"], 0.0),
    region("ca-central-1", 45.5, -73.6, &["YUL"], 0.0),
    region("sa-east-1", -23.5, -46.6, &["GRU", "GIG", "EZE", "SCL", "BOG", "LIM", "FOR"], 6.0),
    region("eu-west-1", 53.3, -6.3, &["DUB", "MAD", "LIS", "BCN", "MRS"], 6.0),
    region("eu-west-2", 51.5, -0.1, &["LHR", "MAN", "CDG", "AMS", "BRU", "EDI"], 9.0),
    region("eu-west-3", 48.9, 2.4, &["CDG"], 0.0),
    region("eu-central-1", 50.1, 8.7, &["FRA", "MUC", "ZRH", "VIE", "WAW", "PRG", "MXP", "ARN", "CPH", "HEL"], 12.0),
    region("eu-north-1", 59.3, 18.1, &["ARN"], 0.0),
    region("eu-south-1", 45.5, 9.2, &["MXP"], 0.0),
    region("ap-south-1", 19.1, 72.9, &["BOM", "DEL", "MAA", "BLR", "HYD", "CCU"], 6.0),
    region("ap-northeast-1", 35.7, 139.7, &["NRT", "KIX", "TPE"], 6.0),
    region("ap-northeast-2", 37.6, 127.0, &["ICN", "PUS"], 3.0),
    region("ap-northeast-3", 34.7, 135.5, &["KIX"], 0.0),
    region("ap-southeast-1", 1.35, 103.8, &["SIN", "KUL", "BKK", "CGK", "MNL", "HKG", "SGN"], 7.0),
    region("ap-southeast-2", -33.9, 151.2, &["SYD", "MEL", "BNE", "PER", "AKL"], 4.0),
    region("ap-east-1", 22.3, 114.2, &["HKG"], 0.0),
    region("me-south-1", 26.1, 50.6, &["BAH"], 0.0),
    region("af-south-1", -33.9, 18.4, &["CPT"], 0.0),
];

/// The usage-report region of edge locations near an AWS Region: where a
/// regional edge cache's own edge locations bill when the scenario says
/// nothing more precise (pricing page, pay-as-you-go columns; Developer
/// Guide, "Interpret your AWS bill and usage reports for CloudFront").
pub fn region_code(region: &Region) -> RegionCode {
    match region.name {
        "ca-central-1" => RegionCode::Ca,
        "sa-east-1" => RegionCode::Sa,
        "ap-south-1" => RegionCode::In,
        "ap-northeast-1" | "ap-northeast-3" => RegionCode::Jp,
        "ap-northeast-2" | "ap-southeast-1" | "ap-east-1" => RegionCode::Ap,
        "ap-southeast-2" => RegionCode::Au,
        "me-south-1" => RegionCode::Me,
        "af-south-1" => RegionCode::Za,
        name if name.starts_with("eu-") => RegionCode::Eu,
        _ => RegionCode::Us,
    }
}

/// Looks a Region up by its name.
pub fn find_region(name: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.name == name)
}

/// The known Region names, for error messages.
pub fn region_names() -> String {
    REGIONS.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
}

/// Great-circle distance in kilometres (haversine).
pub fn distance_km(a: &Region, b: &Region) -> f64 {
    great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude)
}

/// Great-circle distance in kilometres between two points given in degrees
/// (haversine).
pub fn great_circle_km(latitude_a: f64, longitude_a: f64, latitude_b: f64, longitude_b: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (lat1, lat2) = (latitude_a.to_radians(), latitude_b.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (longitude_b - longitude_a).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
}

/// Estimated round-trip time in milliseconds for a path of `km` kilometres.
pub fn rtt_ms_for_km(km: f64) -> f64 {
    1.0 + km * 1.3 / 100.0
}

/// The shortest round trip light in fibre makes over a great-circle path of
/// `km` kilometres, in milliseconds: about 200,000 km/s in glass, so 100 km
/// there and back a millisecond. `rtt_ms_for_km` is 1.3 times this plus a
/// millisecond of switching: a backbone's round trip never goes below it.
pub fn fibre_rtt_ms_for_km(km: f64) -> f64 {
    km / 100.0
}

/// Estimated round-trip time between two Regions, in milliseconds.
pub fn rtt_ms(a: &Region, b: &Region) -> f64 {
    rtt_ms_for_km(distance_km(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_regional_cache_region_is_known() {
        for name in REGIONAL_EDGE_CACHE_REGIONS {
            assert!(find_region(name).is_some(), "{name}");
        }
    }

    #[test]
    fn every_region_bills_where_it_is() {
        let code = |name| region_code(find_region(name).unwrap());
        assert_eq!(code("us-west-1"), RegionCode::Us);
        assert_eq!(code("eu-north-1"), RegionCode::Eu);
        assert_eq!(code("ap-southeast-2"), RegionCode::Au);
        assert_eq!(code("ap-south-1"), RegionCode::In);
        assert_eq!(code("sa-east-1"), RegionCode::Sa);
        let listed: Vec<RegionCode> = REGIONS.iter().map(region_code).collect();
        for expected in RegionCode::ALL {
            assert!(listed.contains(&expected), "no Region bills as {expected}");
        }
    }

    #[test]
    fn transatlantic_rtt_is_plausible() {
        let rtt = rtt_ms(find_region("us-east-1").unwrap(), find_region("eu-west-1").unwrap());
        // About 5,500 km: measured RTTs are 65-80 ms.
        assert!((60.0..90.0).contains(&rtt), "{rtt}");
        assert_eq!(rtt_ms(find_region("eu-west-1").unwrap(), find_region("eu-west-1").unwrap()), 1.0);
    }
}
