//! Where usage happens: the usage report's regions, the pricing page's
//! groups, price classes, and the AWS Regions Origin Shield runs in.

use std::fmt;
use std::str::FromStr;

/// The two-letter region of a CloudFront usage type (`US-DataTransfer-Out-Bytes`):
/// where the edge location that served the request is.
///
/// Developer Guide, "Interpret your AWS bill and usage reports for
/// CloudFront": AP (Hong Kong, Philippines, South Korea, Taiwan, Singapore),
/// AU, CA, EU (Europe and Israel), IN, JP, ME (Middle East), SA (South
/// America), US, ZA (South Africa).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionCode {
    Us,
    Ca,
    Eu,
    Za,
    Me,
    Sa,
    Jp,
    Au,
    Ap,
    In,
}

impl RegionCode {
    /// Every code, in the order usage files list them.
    pub const ALL: [RegionCode; 10] = [
        RegionCode::Us,
        RegionCode::Ca,
        RegionCode::Eu,
        RegionCode::Za,
        RegionCode::Me,
        RegionCode::Sa,
        RegionCode::Jp,
        RegionCode::Au,
        RegionCode::Ap,
        RegionCode::In,
    ];

    /// The code as the usage report prints it.
    pub const fn as_str(self) -> &'static str {
        match self {
            RegionCode::Us => "US",
            RegionCode::Ca => "CA",
            RegionCode::Eu => "EU",
            RegionCode::Za => "ZA",
            RegionCode::Me => "ME",
            RegionCode::Sa => "SA",
            RegionCode::Jp => "JP",
            RegionCode::Au => "AU",
            RegionCode::Ap => "AP",
            RegionCode::In => "IN",
        }
    }

    /// The column of the pricing page this region is billed in. Canada bills
    /// in "United States, Mexico, and Canada"; the Middle East and South
    /// Africa share "South Africa, Kenya, Nigeria, and Middle East" (pricing
    /// page, pay-as-you-go tables).
    pub const fn group(self) -> PriceGroup {
        match self {
            RegionCode::Us | RegionCode::Ca => PriceGroup::UnitedStates,
            RegionCode::Eu => PriceGroup::Europe,
            RegionCode::Za | RegionCode::Me => PriceGroup::SouthAfricaMiddleEast,
            RegionCode::Sa => PriceGroup::SouthAmerica,
            RegionCode::Jp => PriceGroup::Japan,
            RegionCode::Au => PriceGroup::Australia,
            RegionCode::Ap => PriceGroup::AsiaPacific,
            RegionCode::In => PriceGroup::India,
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the things it should be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not {what}; use one of: {expected}")]
pub struct ParseRegionError {
    pub value: String,
    pub what: &'static str,
    pub expected: String,
}

impl FromStr for RegionCode {
    type Err = ParseRegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| ParseRegionError {
            value: s.to_string(),
            what: "a CloudFront usage region",
            expected: RegionCode::ALL.map(RegionCode::as_str).join(", "),
        })
    }
}

/// A column of the pricing page's pay-as-you-go tables: one rate per tier
/// of data transfer out, one per 10,000 requests by protocol, one per GB to
/// the origin. Volume tiers are counted per group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceGroup {
    /// United States, Mexico, and Canada.
    UnitedStates,
    /// Europe, Israel, and Türkiye.
    Europe,
    /// South Africa, Kenya, Nigeria, and Middle East.
    SouthAfricaMiddleEast,
    SouthAmerica,
    Japan,
    /// Australia and New Zealand.
    Australia,
    /// Hong Kong, Indonesia, Philippines, Singapore, South Korea, Taiwan,
    /// Thailand, Malaysia, and Vietnam.
    AsiaPacific,
    India,
}

impl PriceGroup {
    pub const ALL: [PriceGroup; 8] = [
        PriceGroup::UnitedStates,
        PriceGroup::Europe,
        PriceGroup::SouthAfricaMiddleEast,
        PriceGroup::SouthAmerica,
        PriceGroup::Japan,
        PriceGroup::Australia,
        PriceGroup::AsiaPacific,
        PriceGroup::India,
    ];

    /// A short, stable name for files (`pricing` tables, `cost.csv`).
    pub const fn as_str(self) -> &'static str {
        match self {
            PriceGroup::UnitedStates => "united-states",
            PriceGroup::Europe => "europe",
            PriceGroup::SouthAfricaMiddleEast => "south-africa-middle-east",
            PriceGroup::SouthAmerica => "south-america",
            PriceGroup::Japan => "japan",
            PriceGroup::Australia => "australia",
            PriceGroup::AsiaPacific => "asia-pacific",
            PriceGroup::India => "india",
        }
    }
}

impl fmt::Display for PriceGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PriceGroup {
    type Err = ParseRegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PriceGroup::ALL.into_iter().find(|g| g.as_str() == s).ok_or_else(|| ParseRegionError {
            value: s.to_string(),
            what: "a price group",
            expected: PriceGroup::ALL.map(PriceGroup::as_str).join(", "),
        })
    }
}

/// Which edge locations a distribution may be served from (Developer Guide,
/// "Choosing the price class for a CloudFront distribution").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PriceClass {
    /// North America, and Europe and Israel.
    Class100,
    /// Class 100, plus South Africa, Kenya and the Middle East, Japan, Asia
    /// Pacific and India: every group but South America and Australia.
    Class200,
    /// Every edge location (the default).
    #[default]
    All,
}

impl PriceClass {
    pub const ALL: [PriceClass; 3] = [PriceClass::Class100, PriceClass::Class200, PriceClass::All];

    /// The API's name (`DistributionConfig.PriceClass`).
    pub const fn as_str(self) -> &'static str {
        match self {
            PriceClass::Class100 => "PriceClass_100",
            PriceClass::Class200 => "PriceClass_200",
            PriceClass::All => "PriceClass_All",
        }
    }

    /// Whether edge locations in `group` serve a distribution of this class
    /// (the Developer Guide's table; it puts Mexico with the United States
    /// and Israel with Europe, in class 100).
    pub const fn includes(self, group: PriceGroup) -> bool {
        match self {
            PriceClass::All => true,
            PriceClass::Class200 => !matches!(group, PriceGroup::SouthAmerica | PriceGroup::Australia),
            PriceClass::Class100 => matches!(group, PriceGroup::UnitedStates | PriceGroup::Europe),
        }
    }

    /// The region a request served from `served` is billed in. CloudFront
    /// "might still occasionally serve requests from an edge location in a
    /// region that is not included in your price class"; it then bills "the
    /// rate for the least expensive region in your price class" (Developer
    /// Guide, price classes). The United States group is in every class and
    /// is the cheapest on every line (its request rates are below Europe's,
    /// its transfer rates equal), so such a request bills as `US`.
    pub const fn billed_region(self, served: RegionCode) -> RegionCode {
        if self.includes(served.group()) { served } else { RegionCode::Us }
    }
}

impl fmt::Display for PriceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PriceClass {
    type Err = ParseRegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PriceClass::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| ParseRegionError {
            value: s.to_string(),
            what: "a price class",
            expected: PriceClass::ALL.map(PriceClass::as_str).join(", "),
        })
    }
}

/// An AWS Region where Origin Shield (and a regional edge cache, and the
/// Lambda@Edge functions it calls) runs: the Regions of the Developer
/// Guide's Origin Shield page. Usage types name them by AWS's billing prefix
/// (`USE1`, `EUC1`), as regional services' usage types do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AwsRegion {
    UsEast1,
    UsEast2,
    UsWest2,
    ApSouth1,
    ApNortheast1,
    ApNortheast2,
    ApSoutheast1,
    ApSoutheast2,
    EuCentral1,
    EuWest1,
    EuWest2,
    SaEast1,
}

impl AwsRegion {
    pub const ALL: [AwsRegion; 12] = [
        AwsRegion::UsEast1,
        AwsRegion::UsEast2,
        AwsRegion::UsWest2,
        AwsRegion::ApSouth1,
        AwsRegion::ApNortheast1,
        AwsRegion::ApNortheast2,
        AwsRegion::ApSoutheast1,
        AwsRegion::ApSoutheast2,
        AwsRegion::EuCentral1,
        AwsRegion::EuWest1,
        AwsRegion::EuWest2,
        AwsRegion::SaEast1,
    ];

    /// The Region's name (`us-east-1`).
    pub const fn name(self) -> &'static str {
        match self {
            AwsRegion::UsEast1 => "us-east-1",
            AwsRegion::UsEast2 => "us-east-2",
            AwsRegion::UsWest2 => "us-west-2",
            AwsRegion::ApSouth1 => "ap-south-1",
            AwsRegion::ApNortheast1 => "ap-northeast-1",
            AwsRegion::ApNortheast2 => "ap-northeast-2",
            AwsRegion::ApSoutheast1 => "ap-southeast-1",
            AwsRegion::ApSoutheast2 => "ap-southeast-2",
            AwsRegion::EuCentral1 => "eu-central-1",
            AwsRegion::EuWest1 => "eu-west-1",
            AwsRegion::EuWest2 => "eu-west-2",
            AwsRegion::SaEast1 => "sa-east-1",
        }
    }

    /// AWS's billing prefix for the Region (Ireland's is plain `EU`, the
    /// oldest European Region's).
    pub const fn prefix(self) -> &'static str {
        match self {
            AwsRegion::UsEast1 => "USE1",
            AwsRegion::UsEast2 => "USE2",
            AwsRegion::UsWest2 => "USW2",
            AwsRegion::ApSouth1 => "APS3",
            AwsRegion::ApNortheast1 => "APN1",
            AwsRegion::ApNortheast2 => "APN2",
            AwsRegion::ApSoutheast1 => "APS1",
            AwsRegion::ApSoutheast2 => "APS2",
            AwsRegion::EuCentral1 => "EUC1",
            AwsRegion::EuWest1 => "EU",
            AwsRegion::EuWest2 => "EUW2",
            AwsRegion::SaEast1 => "SAE1",
        }
    }

    /// Looks a Region up by its name (`us-east-1`).
    pub fn from_name(name: &str) -> Option<AwsRegion> {
        AwsRegion::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Looks a Region up by its billing prefix (`USE1`).
    pub fn from_prefix(prefix: &str) -> Option<AwsRegion> {
        AwsRegion::ALL.into_iter().find(|r| r.prefix() == prefix)
    }
}

impl fmt::Display for AwsRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for code in RegionCode::ALL {
            assert_eq!(code.as_str().parse::<RegionCode>(), Ok(code));
        }
        for group in PriceGroup::ALL {
            assert_eq!(group.as_str().parse::<PriceGroup>(), Ok(group));
        }
        for class in PriceClass::ALL {
            assert_eq!(class.as_str().parse::<PriceClass>(), Ok(class));
        }
        for region in AwsRegion::ALL {
            assert_eq!(AwsRegion::from_name(region.name()), Some(region));
            assert_eq!(AwsRegion::from_prefix(region.prefix()), Some(region));
        }
        assert!("us".parse::<RegionCode>().unwrap_err().to_string().contains("use one of: US, CA"));
    }

    #[test]
    fn price_class_membership_follows_the_developer_guide_table() {
        use PriceGroup::*;
        // Rows of the table: (group, in class 100, in class 200).
        let table = [
            (UnitedStates, true, true),
            (Europe, true, true),
            (SouthAfricaMiddleEast, false, true),
            (SouthAmerica, false, false),
            (Japan, false, true),
            (Australia, false, false),
            (AsiaPacific, false, true),
            (India, false, true),
        ];
        for (group, in_100, in_200) in table {
            assert_eq!(PriceClass::Class100.includes(group), in_100, "{group}");
            assert_eq!(PriceClass::Class200.includes(group), in_200, "{group}");
            assert!(PriceClass::All.includes(group));
        }
    }

    #[test]
    fn a_request_served_outside_the_class_bills_as_the_united_states() {
        assert_eq!(PriceClass::Class100.billed_region(RegionCode::In), RegionCode::Us);
        assert_eq!(PriceClass::Class100.billed_region(RegionCode::Ca), RegionCode::Ca);
        assert_eq!(PriceClass::Class200.billed_region(RegionCode::In), RegionCode::In);
        assert_eq!(PriceClass::Class200.billed_region(RegionCode::Sa), RegionCode::Us);
        assert_eq!(PriceClass::All.billed_region(RegionCode::Sa), RegionCode::Sa);
    }
}
