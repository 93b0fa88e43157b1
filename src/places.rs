//! Where edge locations and viewers are: CloudFront edge-location cities by
//! IATA code, and countries by ISO 3166 alpha-2 code with the usage-report
//! region their edge locations bill in and a main metro's coordinates.
//!
//! A leaf beside `geo` (which knows AWS Regions and turns distances into
//! round trips). Coordinates are rounded to about 0.01 degree (about a
//! kilometre): round trips are estimated from great-circle distances, so
//! more precision would be noise.

use crate::geo;
use cdnsim_cost::RegionCode;

/// A country viewers may be in, or an edge location's country.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-2, upper case (`US`, `BR`).
    pub code: &'static str,
    pub name: &'static str,
    /// The usage-report region an edge location in this country bills in
    /// (Developer Guide, "Interpret your AWS bill and usage reports for
    /// CloudFront"; the pricing page's columns; the price-class table of
    /// "Choosing the price class for a CloudFront distribution").
    pub region: RegionCode,
    /// The country's main metro: where a viewer population placed only by
    /// its country is.
    pub latitude: f64,
    pub longitude: f64,
}

const fn country(code: &'static str, name: &'static str, region: RegionCode, latitude: f64, longitude: f64) -> Country {
    Country { code, name, region, latitude, longitude }
}

use RegionCode::{Ap, Au, Ca, Eu, In, Jp, Me, Sa, Us, Za};

/// Countries by usage-report region. Where the sources disagree
/// (cloudfront-pricing.md §2.1):
/// - Mexico bills with the United States (`US`): the pricing page's column
///   is "United States, Mexico, and Canada" and the Developer Guide's
///   price-class table puts Mexico in class 100; the CDK's class-100 text
///   omits Mexico.
/// - Canada has a usage region of its own (`CA`), priced and classed with
///   the United States.
/// - Israel and Türkiye bill as `EU` ("Europe, Israel, and Türkiye" on the
///   pricing page); the CDK lists Türkiye among class 200's additions, which
///   would exclude it from class 100. cdnsim follows the pricing page.
/// - Kenya and Nigeria bill with South Africa (`ZA`): the pricing page's
///   column is "South Africa, Kenya, Nigeria, and Middle East".
/// - Egypt is in the CDK's class-200 list and in no Developer Guide table:
///   cdnsim places it in the Middle East (`ME`), same price group as `ZA`.
/// - Malaysia and Vietnam are in the pricing page's Asia Pacific column
///   ("... Thailand, Malaysia, and Vietnam") though not in the Developer
///   Guide's price-class table: `AP`.
pub const COUNTRIES: &[Country] = &[
    country("US", "United States", Us, 40.71, -74.01),
    country("MX", "Mexico", Us, 19.43, -99.13),
    country("PR", "Puerto Rico", Us, 18.47, -66.11),
    country("CA", "Canada", Ca, 43.65, -79.38),
    country("GB", "United Kingdom", Eu, 51.51, -0.13),
    country("IE", "Ireland", Eu, 53.35, -6.26),
    country("FR", "France", Eu, 48.86, 2.35),
    country("DE", "Germany", Eu, 52.52, 13.40),
    country("NL", "Netherlands", Eu, 52.37, 4.90),
    country("BE", "Belgium", Eu, 50.85, 4.35),
    country("LU", "Luxembourg", Eu, 49.61, 6.13),
    country("ES", "Spain", Eu, 40.42, -3.70),
    country("PT", "Portugal", Eu, 38.72, -9.14),
    country("IT", "Italy", Eu, 45.46, 9.19),
    country("CH", "Switzerland", Eu, 47.37, 8.54),
    country("AT", "Austria", Eu, 48.21, 16.37),
    country("PL", "Poland", Eu, 52.23, 21.01),
    country("CZ", "Czechia", Eu, 50.08, 14.44),
    country("SK", "Slovakia", Eu, 48.15, 17.11),
    country("HU", "Hungary", Eu, 47.50, 19.04),
    country("RO", "Romania", Eu, 44.43, 26.10),
    country("BG", "Bulgaria", Eu, 42.70, 23.32),
    country("GR", "Greece", Eu, 37.98, 23.73),
    country("HR", "Croatia", Eu, 45.81, 15.98),
    country("SI", "Slovenia", Eu, 46.06, 14.51),
    country("RS", "Serbia", Eu, 44.79, 20.45),
    country("DK", "Denmark", Eu, 55.68, 12.57),
    country("SE", "Sweden", Eu, 59.33, 18.07),
    country("NO", "Norway", Eu, 59.91, 10.75),
    country("FI", "Finland", Eu, 60.17, 24.94),
    country("IS", "Iceland", Eu, 64.15, -21.94),
    country("EE", "Estonia", Eu, 59.44, 24.75),
    country("LV", "Latvia", Eu, 56.95, 24.11),
    country("LT", "Lithuania", Eu, 54.69, 25.28),
    country("UA", "Ukraine", Eu, 50.45, 30.52),
    country("IL", "Israel", Eu, 32.09, 34.78),
    country("TR", "Türkiye", Eu, 41.01, 28.98),
    country("AE", "United Arab Emirates", Me, 25.20, 55.27),
    country("SA", "Saudi Arabia", Me, 24.71, 46.68),
    country("BH", "Bahrain", Me, 26.23, 50.59),
    country("QA", "Qatar", Me, 25.29, 51.53),
    country("KW", "Kuwait", Me, 29.38, 47.99),
    country("OM", "Oman", Me, 23.59, 58.41),
    country("JO", "Jordan", Me, 31.95, 35.93),
    country("EG", "Egypt", Me, 30.04, 31.24),
    country("ZA", "South Africa", Za, -26.20, 28.05),
    country("KE", "Kenya", Za, -1.29, 36.82),
    country("NG", "Nigeria", Za, 6.52, 3.38),
    country("BR", "Brazil", Sa, -23.55, -46.63),
    country("AR", "Argentina", Sa, -34.60, -58.38),
    country("CL", "Chile", Sa, -33.45, -70.67),
    country("CO", "Colombia", Sa, 4.71, -74.07),
    country("PE", "Peru", Sa, -12.05, -77.04),
    country("UY", "Uruguay", Sa, -34.90, -56.16),
    country("EC", "Ecuador", Sa, -0.18, -78.47),
    country("JP", "Japan", Jp, 35.68, 139.69),
    country("AU", "Australia", Au, -33.87, 151.21),
    country("NZ", "New Zealand", Au, -36.85, 174.76),
    country("HK", "Hong Kong", Ap, 22.32, 114.17),
    country("SG", "Singapore", Ap, 1.35, 103.82),
    country("KR", "South Korea", Ap, 37.57, 126.98),
    country("TW", "Taiwan", Ap, 25.03, 121.57),
    country("PH", "Philippines", Ap, 14.60, 120.98),
    country("ID", "Indonesia", Ap, -6.21, 106.85),
    country("TH", "Thailand", Ap, 13.76, 100.50),
    country("MY", "Malaysia", Ap, 3.139, 101.69),
    country("VN", "Vietnam", Ap, 10.82, 106.63),
    country("IN", "India", In, 19.08, 72.88),
];

/// An edge-location city, by the IATA code CloudFront names its edge
/// locations after (`IAD89-C1`, `GRU3-P1`: reference, access log
/// `x-edge-location`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct City {
    pub iata: &'static str,
    pub latitude: f64,
    pub longitude: f64,
    /// ISO 3166-1 alpha-2 code of the city's country (in [`COUNTRIES`]).
    pub country: &'static str,
}

const fn city(iata: &'static str, latitude: f64, longitude: f64, country: &'static str) -> City {
    City { iata, latitude, longitude, country }
}

/// Every city of `geo::REGIONS`' `edge_cities`, and the usual CloudFront
/// edge-location cities of South America, Africa, the Middle East, India,
/// Asia and Oceania (coordinates of the airport the code names).
pub const CITIES: &[City] = &[
    // North America.
    city("IAD", 38.95, -77.45, "US"),
    city("JFK", 40.64, -73.78, "US"),
    city("EWR", 40.69, -74.17, "US"),
    city("BOS", 42.36, -71.01, "US"),
    city("PHL", 39.87, -75.24, "US"),
    city("ATL", 33.64, -84.43, "US"),
    city("MIA", 25.79, -80.29, "US"),
    city("CLT", 35.21, -80.94, "US"),
    city("ORD", 41.97, -87.90, "US"),
    city("CMH", 39.99, -82.89, "US"),
    city("DTW", 42.21, -83.35, "US"),
    city("MSP", 44.88, -93.22, "US"),
    city("IND", 39.72, -86.29, "US"),
    city("STL", 38.75, -90.37, "US"),
    city("IAH", 29.99, -95.34, "US"),
    city("DFW", 32.90, -97.04, "US"),
    city("DEN", 39.86, -104.67, "US"),
    city("PHX", 33.43, -112.01, "US"),
    city("SLC", 40.79, -111.98, "US"),
    city("LAX", 33.94, -118.41, "US"),
    city("SFO", 37.62, -122.38, "US"),
    city("SJC", 37.36, -121.93, "US"),
    city("SEA", 47.45, -122.31, "US"),
    city("YUL", 45.47, -73.74, "CA"),
    city("YTO", 43.68, -79.63, "CA"),
    city("YVR", 49.19, -123.18, "CA"),
    city("QRO", 20.62, -100.19, "MX"),
    // South America.
    city("GRU", -23.43, -46.47, "BR"),
    city("GIG", -22.81, -43.25, "BR"),
    city("FOR", -3.78, -38.53, "BR"),
    city("EZE", -34.82, -58.54, "AR"),
    city("SCL", -33.39, -70.79, "CL"),
    city("BOG", 4.70, -74.15, "CO"),
    city("LIM", -12.02, -77.11, "PE"),
    // Europe, Israel and Türkiye.
    city("DUB", 53.43, -6.27, "IE"),
    city("LHR", 51.47, -0.45, "GB"),
    city("MAN", 53.35, -2.27, "GB"),
    city("EDI", 55.95, -3.37, "GB"),
    city("CDG", 49.01, 2.55, "FR"),
    city("MRS", 43.44, 5.22, "FR"),
    city("AMS", 52.31, 4.76, "NL"),
    city("BRU", 50.90, 4.48, "BE"),
    city("MAD", 40.49, -3.57, "ES"),
    city("BCN", 41.30, 2.08, "ES"),
    city("LIS", 38.77, -9.13, "PT"),
    city("FRA", 50.03, 8.56, "DE"),
    city("MUC", 48.35, 11.79, "DE"),
    city("DUS", 51.29, 6.77, "DE"),
    city("HAM", 53.63, 9.99, "DE"),
    city("BER", 52.36, 13.50, "DE"),
    city("ZRH", 47.46, 8.55, "CH"),
    city("VIE", 48.11, 16.57, "AT"),
    city("WAW", 52.17, 20.97, "PL"),
    city("PRG", 50.10, 14.26, "CZ"),
    city("BUD", 47.44, 19.26, "HU"),
    city("OTP", 44.57, 26.08, "RO"),
    city("SOF", 42.70, 23.41, "BG"),
    city("ATH", 37.94, 23.94, "GR"),
    city("ZAG", 45.74, 16.07, "HR"),
    city("MXP", 45.63, 8.72, "IT"),
    city("FCO", 41.80, 12.25, "IT"),
    city("PMO", 38.18, 13.10, "IT"),
    city("ARN", 59.65, 17.92, "SE"),
    city("CPH", 55.62, 12.66, "DK"),
    city("OSL", 60.19, 11.10, "NO"),
    city("HEL", 60.32, 24.96, "FI"),
    city("TLV", 32.01, 34.89, "IL"),
    city("IST", 41.26, 28.74, "TR"),
    // Middle East and Africa.
    city("BAH", 26.27, 50.63, "BH"),
    city("DXB", 25.25, 55.36, "AE"),
    city("FJR", 25.11, 56.32, "AE"),
    city("JED", 21.68, 39.16, "SA"),
    city("DOH", 25.27, 51.61, "QA"),
    city("CPT", -33.97, 18.60, "ZA"),
    city("JNB", -26.14, 28.25, "ZA"),
    city("NBO", -1.32, 36.93, "KE"),
    city("LOS", 6.58, 3.32, "NG"),
    // India.
    city("BOM", 19.09, 72.87, "IN"),
    city("DEL", 28.56, 77.10, "IN"),
    city("MAA", 12.99, 80.17, "IN"),
    city("BLR", 13.20, 77.71, "IN"),
    city("HYD", 17.24, 78.43, "IN"),
    city("CCU", 22.65, 88.45, "IN"),
    // Asia.
    city("NRT", 35.77, 140.39, "JP"),
    city("KIX", 34.43, 135.24, "JP"),
    city("ICN", 37.46, 126.44, "KR"),
    city("PUS", 35.18, 128.94, "KR"),
    city("TPE", 25.08, 121.23, "TW"),
    city("HKG", 22.31, 113.91, "HK"),
    city("SIN", 1.36, 103.99, "SG"),
    city("KUL", 2.75, 101.71, "MY"),
    city("BKK", 13.69, 100.75, "TH"),
    city("CGK", -6.13, 106.66, "ID"),
    city("MNL", 14.51, 121.02, "PH"),
    city("SGN", 10.82, 106.65, "VN"),
    city("HAN", 21.22, 105.81, "VN"),
    // Oceania.
    city("SYD", -33.95, 151.18, "AU"),
    city("MEL", -37.67, 144.84, "AU"),
    city("BNE", -27.38, 153.12, "AU"),
    city("PER", -31.94, 115.97, "AU"),
    city("AKL", -37.01, 174.79, "NZ"),
];

/// A metro of a built-in viewer preset: name, country, coordinates and
/// weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metro {
    pub name: &'static str,
    pub country: &'static str,
    pub latitude: f64,
    pub longitude: f64,
    /// Internet users, in millions.
    pub weight: f64,
}

const fn metro(name: &'static str, country: &'static str, latitude: f64, longitude: f64, weight: f64) -> Metro {
    Metro { name, country, latitude, longitude, weight }
}

/// `[viewers] preset = "world"`: 44 metros in 37 countries, covering every
/// usage region, each weighted by its country's internet users in
/// millions. Source: DataReportal, "Digital 2024" country reports (internet
/// users at the start of 2024), rounded to the million; they are
/// approximate, and a country's users are split evenly-ish over the metros
/// listed for it (United States 4, India 3, Brazil 2, Australia 2), which
/// is cdnsim's assumption. Countries cdnsim has no metro for are left out:
/// the preset is a realistic mix, not a census. Mainland China is left out
/// too: CloudFront's China Regions are a separate service.
pub const WORLD_VIEWERS: &[Metro] = &[
    metro("new-york", "US", 40.71, -74.01, 100.0),
    metro("los-angeles", "US", 34.05, -118.24, 80.0),
    metro("chicago", "US", 41.88, -87.63, 75.0),
    metro("dallas", "US", 32.78, -96.80, 76.0),
    metro("toronto", "CA", 43.65, -79.38, 37.0),
    metro("mexico-city", "MX", 19.43, -99.13, 100.0),
    metro("sao-paulo", "BR", -23.55, -46.63, 110.0),
    metro("rio-de-janeiro", "BR", -22.91, -43.17, 77.0),
    metro("buenos-aires", "AR", -34.60, -58.38, 40.0),
    metro("santiago", "CL", -33.45, -70.67, 17.0),
    metro("bogota", "CO", 4.71, -74.07, 38.0),
    metro("lima", "PE", -12.05, -77.04, 25.0),
    metro("london", "GB", 51.51, -0.13, 66.0),
    metro("berlin", "DE", 52.52, 13.40, 78.0),
    metro("paris", "FR", 48.86, 2.35, 60.0),
    metro("madrid", "ES", 40.42, -3.70, 45.0),
    metro("milan", "IT", 45.46, 9.19, 51.0),
    metro("amsterdam", "NL", 52.37, 4.90, 17.0),
    metro("warsaw", "PL", 52.23, 21.01, 33.0),
    metro("stockholm", "SE", 59.33, 18.07, 10.0),
    metro("istanbul", "TR", 41.01, 28.98, 71.0),
    metro("tel-aviv", "IL", 32.09, 34.78, 8.0),
    metro("dubai", "AE", 25.20, 55.27, 9.0),
    metro("riyadh", "SA", 24.71, 46.68, 36.0),
    metro("cairo", "EG", 30.04, 31.24, 82.0),
    metro("johannesburg", "ZA", -26.20, 28.05, 45.0),
    metro("lagos", "NG", 6.52, 3.38, 103.0),
    metro("nairobi", "KE", -1.29, 36.82, 22.0),
    metro("mumbai", "IN", 19.08, 72.88, 250.0),
    metro("delhi", "IN", 28.61, 77.21, 250.0),
    metro("bangalore", "IN", 12.97, 77.59, 251.0),
    metro("tokyo", "JP", 35.68, 139.69, 102.0),
    metro("seoul", "KR", 37.57, 126.98, 50.0),
    metro("taipei", "TW", 25.03, 121.57, 22.0),
    metro("hong-kong", "HK", 22.32, 114.17, 7.0),
    metro("singapore", "SG", 1.35, 103.82, 6.0),
    metro("jakarta", "ID", -6.21, 106.85, 185.0),
    metro("manila", "PH", 14.60, 120.98, 87.0),
    metro("bangkok", "TH", 13.76, 100.50, 63.0),
    metro("kuala-lumpur", "MY", 3.139, 101.69, 33.0),
    metro("ho-chi-minh-city", "VN", 10.82, 106.63, 78.0),
    metro("sydney", "AU", -33.87, 151.21, 13.0),
    metro("melbourne", "AU", -37.81, 144.96, 12.0),
    metro("auckland", "NZ", -36.85, 174.76, 5.0),
];

/// The built-in viewer presets by name.
pub fn viewer_preset(name: &str) -> Option<&'static [Metro]> {
    match name {
        "world" => Some(WORLD_VIEWERS),
        _ => None,
    }
}

/// The names `viewer_preset` knows, for error messages.
pub const VIEWER_PRESETS: &[&str] = &["world"];

/// A point on the globe and the country it is in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Place {
    pub latitude: f64,
    pub longitude: f64,
    pub country: &'static Country,
}

impl Place {
    /// Great-circle distance to `other`, in kilometres.
    pub fn distance_km(&self, other: &Place) -> f64 {
        geo::great_circle_km(self.latitude, self.longitude, other.latitude, other.longitude)
    }

    /// The estimated round trip to `other` (`geo::rtt_ms_for_km`), in milliseconds.
    pub fn rtt_ms(&self, other: &Place) -> f64 {
        geo::rtt_ms_for_km(self.distance_km(other))
    }

    /// A country's main metro.
    pub fn metro_of(country: &'static Country) -> Place {
        Place { latitude: country.latitude, longitude: country.longitude, country }
    }

    /// An edge-location city.
    pub fn of_city(city: &City) -> Place {
        let country = find_country(city.country).expect("every city's country is in COUNTRIES");
        Place { latitude: city.latitude, longitude: city.longitude, country }
    }

    /// Where an AWS Region is, in its country.
    pub fn of_region(region: &geo::Region) -> Place {
        let country = find_country(region_country(region)).expect("every Region's country is in COUNTRIES");
        Place { latitude: region.latitude, longitude: region.longitude, country }
    }
}

/// Looks a country up by its ISO 3166-1 alpha-2 code (upper case).
pub fn find_country(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code == code)
}

/// Looks an edge-location city up by its IATA code (upper case).
pub fn find_city(iata: &str) -> Option<&'static City> {
    CITIES.iter().find(|c| c.iata == iata)
}

/// The city an edge location's name starts with, CloudFront's way: three
/// upper-case letters of a known IATA code, then the end of the name or
/// anything but a letter (`GRU3` and `LHR50-C1`; not `MADRID`).
pub fn city_of_edge_name(name: &str) -> Option<&'static City> {
    let bytes = name.as_bytes();
    if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    if bytes.get(3).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    find_city(&name[..3])
}

/// The country an AWS Region is in.
pub fn region_country(region: &geo::Region) -> &'static str {
    match region.name {
        "ca-central-1" => "CA",
        "sa-east-1" => "BR",
        "eu-west-1" => "IE",
        "eu-west-2" => "GB",
        "eu-west-3" => "FR",
        "eu-central-1" => "DE",
        "eu-north-1" => "SE",
        "eu-south-1" => "IT",
        "ap-south-1" => "IN",
        "ap-northeast-1" | "ap-northeast-3" => "JP",
        "ap-northeast-2" => "KR",
        "ap-southeast-1" => "SG",
        "ap-southeast-2" => "AU",
        "ap-east-1" => "HK",
        "me-south-1" => "BH",
        "af-south-1" => "ZA",
        _ => "US",
    }
}

/// The country codes, for error messages.
pub fn country_codes() -> String {
    COUNTRIES.iter().map(|c| c.code).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generator_city_is_known() {
        for region in geo::REGIONS {
            for iata in region.edge_cities {
                assert!(find_city(iata).is_some(), "{iata} of {}", region.name);
            }
        }
    }

    #[test]
    fn tables_are_consistent() {
        for (i, c) in COUNTRIES.iter().enumerate() {
            assert!(c.code.len() == 2 && c.code.bytes().all(|b| b.is_ascii_uppercase()), "{}", c.code);
            assert!(COUNTRIES[..i].iter().all(|o| o.code != c.code), "{} twice", c.code);
            assert!((-90.0..=90.0).contains(&c.latitude) && (-180.0..=180.0).contains(&c.longitude), "{}", c.code);
        }
        for (i, c) in CITIES.iter().enumerate() {
            assert!(find_country(c.country).is_some(), "{}: {}", c.iata, c.country);
            assert!(CITIES[..i].iter().all(|o| o.iata != c.iata), "{} twice", c.iata);
        }
        for expected in RegionCode::ALL {
            assert!(COUNTRIES.iter().any(|c| c.region == expected), "no country bills as {expected}");
            assert!(
                CITIES.iter().any(|c| find_country(c.country).unwrap().region == expected),
                "no city in {expected}"
            );
        }
    }

    #[test]
    fn a_region_is_in_a_country_of_its_usage_region() {
        // Where both rules exist they agree: a Region's country bills where
        // `geo::region_code` says edge locations near it bill.
        for region in geo::REGIONS {
            assert_eq!(Place::of_region(region).country.region, geo::region_code(region), "{}", region.name);
        }
    }

    #[test]
    fn regions_follow_the_pricing_page() {
        let region = |code| find_country(code).unwrap().region;
        assert_eq!(region("MX"), RegionCode::Us);
        assert_eq!(region("CA"), RegionCode::Ca);
        assert_eq!([region("IL"), region("TR")], [RegionCode::Eu; 2]);
        assert_eq!([region("AE"), region("SA"), region("BH")], [RegionCode::Me; 3]);
        assert_eq!([region("ZA"), region("KE"), region("NG")], [RegionCode::Za; 3]);
        assert_eq!([region("BR"), region("AR"), region("CL")], [RegionCode::Sa; 3]);
        for code in ["HK", "SG", "KR", "TW", "PH", "ID", "TH", "MY", "VN"] {
            assert_eq!(region(code), RegionCode::Ap, "{code}");
        }
        assert_eq!(
            [region("IN"), region("JP"), region("AU"), region("NZ")],
            [RegionCode::In, RegionCode::Jp, RegionCode::Au, RegionCode::Au]
        );
    }

    #[test]
    fn the_world_preset_covers_every_usage_region() {
        for m in WORLD_VIEWERS {
            assert!(find_country(m.country).is_some(), "{}: {}", m.name, m.country);
            assert!(m.weight > 0.0, "{}", m.name);
        }
        for expected in RegionCode::ALL {
            assert!(
                WORLD_VIEWERS.iter().any(|m| find_country(m.country).unwrap().region == expected),
                "no metro in {expected}"
            );
        }
        assert_eq!(WORLD_VIEWERS.len(), 44);
    }

    #[test]
    fn edge_names_give_their_city() {
        assert_eq!(city_of_edge_name("GRU3").map(|c| c.iata), Some("GRU"));
        assert_eq!(city_of_edge_name("LHR50-C1").map(|c| c.iata), Some("LHR"));
        assert_eq!(city_of_edge_name("FRA").map(|c| c.iata), Some("FRA"));
        assert_eq!(city_of_edge_name("MADRID"), None, "a word, not a code");
        assert_eq!(city_of_edge_name("edge-a"), None);
        assert_eq!(city_of_edge_name("XYZ1"), None, "an unknown code");
        assert_eq!(city_of_edge_name("IA"), None);
    }

    #[test]
    fn sao_paulo_to_ashburn_is_about_7600_km() {
        let gru = Place::of_city(find_city("GRU").unwrap());
        let iad = Place::of_city(find_city("IAD").unwrap());
        let km = gru.distance_km(&iad);
        assert!((7_500.0..7_800.0).contains(&km), "{km}");
    }
}
