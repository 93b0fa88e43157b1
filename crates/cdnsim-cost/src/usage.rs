//! Usage types: what a month of CloudFront is metered in, named as AWS's
//! bill and usage report for CloudFront name them (Developer Guide,
//! "Interpret your AWS bill and usage reports for CloudFront").

use crate::quantity::Quantity;
use crate::region::{AwsRegion, RegionCode};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// One line of a usage report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UsageType {
    /// `{R}-DataTransfer-Out-Bytes`: bytes served to viewers from edge
    /// locations in `R`, for every method (payload only), in GB.
    DataTransferOut(RegionCode),
    /// `{R}-DataTransfer-Out-OBytes`: bytes sent from edge locations in `R`
    /// to the origin with DELETE, OPTIONS, PATCH, POST and PUT requests, in
    /// GB. Cache fills (origin to edge) are not on the bill.
    DataTransferToOrigin(RegionCode),
    /// `{R}-Requests-Tier1`: HTTP GET and HEAD requests.
    RequestsHttp(RegionCode),
    /// `{R}-Requests-Tier2-HTTPS`: HTTPS GET and HEAD requests.
    RequestsHttps(RegionCode),
    /// `{R}-Requests-HTTP-Proxy`: HTTP DELETE, OPTIONS, PATCH, POST and PUT
    /// requests.
    RequestsHttpProxy(RegionCode),
    /// `{R}-Requests-HTTPS-Proxy`: the same over HTTPS.
    RequestsHttpsProxy(RegionCode),
    /// `{P}-OriginShield-Requests`: requests Origin Shield in the Region
    /// with billing prefix `P` is charged for (Developer Guide, "Estimating
    /// Origin Shield costs"). AWS's own name for this line was not found in
    /// the sources read; this one follows its regional prefixes.
    OriginShieldRequests(AwsRegion),
    /// `Invalidations`: invalidation paths (a wildcard path counts once).
    Invalidations,
    /// `CloudFrontFunctions-Invocations`: CloudFront Functions invocations
    /// (cdnsim's name; AWS's was not found in the sources read).
    FunctionInvocations,
    /// `{P}-Lambda-Edge-Request`: Lambda@Edge invocations in the Region.
    LambdaEdgeRequests(AwsRegion),
    /// `{P}-Lambda-Edge-GB-Second`: Lambda@Edge duration times memory.
    LambdaEdgeGbSeconds(AwsRegion),
    /// `{R}-Requests-HTTPS-Proxy-FLE`: requests CloudFront encrypted with
    /// field-level encryption, charged on top of their HTTPS request fee.
    FieldLevelEncryptionRequests(RegionCode),
    /// `RealtimeLogs-Lines`: real-time log lines delivered (cdnsim's name;
    /// AWS's was not found in the sources read).
    RealtimeLogLines,
    /// `SSL-Cert-Custom`: dedicated-IP custom SSL certificates, in
    /// certificate-months (AWS pro-rates them by the hour).
    DedicatedIpCertificates,
}

/// What a usage type counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Binary gigabytes (2^30 bytes).
    Gb,
    Requests,
    Paths,
    Invocations,
    GbSeconds,
    Lines,
    CertificateMonths,
}

impl Unit {
    pub const fn as_str(self) -> &'static str {
        match self {
            Unit::Gb => "GB",
            Unit::Requests => "Requests",
            Unit::Paths => "Paths",
            Unit::Invocations => "Invocations",
            Unit::GbSeconds => "GB-Seconds",
            Unit::Lines => "Lines",
            Unit::CertificateMonths => "Certificate-Months",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A usage type's name after its region prefix, and how to build the type.
type Named<R> = (&'static str, fn(R) -> UsageType);

/// Suffixes of the usage types named `{R}-suffix`.
const EDGE_REGION_TYPES: [Named<RegionCode>; 7] = [
    ("DataTransfer-Out-Bytes", UsageType::DataTransferOut),
    ("DataTransfer-Out-OBytes", UsageType::DataTransferToOrigin),
    ("Requests-Tier1", UsageType::RequestsHttp),
    ("Requests-Tier2-HTTPS", UsageType::RequestsHttps),
    ("Requests-HTTP-Proxy", UsageType::RequestsHttpProxy),
    ("Requests-HTTPS-Proxy", UsageType::RequestsHttpsProxy),
    ("Requests-HTTPS-Proxy-FLE", UsageType::FieldLevelEncryptionRequests),
];

/// Suffixes of the usage types named `{P}-suffix`.
const AWS_REGION_TYPES: [Named<AwsRegion>; 3] = [
    ("OriginShield-Requests", UsageType::OriginShieldRequests),
    ("Lambda-Edge-Request", UsageType::LambdaEdgeRequests),
    ("Lambda-Edge-GB-Second", UsageType::LambdaEdgeGbSeconds),
];

impl UsageType {
    /// What the type counts.
    pub const fn unit(self) -> Unit {
        match self {
            UsageType::DataTransferOut(_) | UsageType::DataTransferToOrigin(_) => Unit::Gb,
            UsageType::RequestsHttp(_)
            | UsageType::RequestsHttps(_)
            | UsageType::RequestsHttpProxy(_)
            | UsageType::RequestsHttpsProxy(_)
            | UsageType::OriginShieldRequests(_)
            | UsageType::LambdaEdgeRequests(_)
            | UsageType::FieldLevelEncryptionRequests(_) => Unit::Requests,
            UsageType::Invalidations => Unit::Paths,
            UsageType::FunctionInvocations => Unit::Invocations,
            UsageType::LambdaEdgeGbSeconds(_) => Unit::GbSeconds,
            UsageType::RealtimeLogLines => Unit::Lines,
            UsageType::DedicatedIpCertificates => Unit::CertificateMonths,
        }
    }

    /// The edge region the usage happened in, for the types billed by it.
    pub const fn edge_region(self) -> Option<RegionCode> {
        match self {
            UsageType::DataTransferOut(r)
            | UsageType::DataTransferToOrigin(r)
            | UsageType::RequestsHttp(r)
            | UsageType::RequestsHttps(r)
            | UsageType::RequestsHttpProxy(r)
            | UsageType::RequestsHttpsProxy(r)
            | UsageType::FieldLevelEncryptionRequests(r) => Some(r),
            _ => None,
        }
    }
}

impl fmt::Display for UsageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (suffix, build) in EDGE_REGION_TYPES {
            if let Some(region) = self.edge_region()
                && build(region) == *self
            {
                return write!(f, "{region}-{suffix}");
            }
        }
        for (suffix, build) in AWS_REGION_TYPES {
            for region in AwsRegion::ALL {
                if build(region) == *self {
                    return write!(f, "{}-{suffix}", region.prefix());
                }
            }
        }
        match self {
            UsageType::Invalidations => f.write_str("Invalidations"),
            UsageType::FunctionInvocations => f.write_str("CloudFrontFunctions-Invocations"),
            UsageType::RealtimeLogLines => f.write_str("RealtimeLogs-Lines"),
            UsageType::DedicatedIpCertificates => f.write_str("SSL-Cert-Custom"),
            _ => unreachable!("every usage type is named above"),
        }
    }
}

/// A name that is no usage type cdnsim knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a CloudFront usage type cdnsim prices; use e.g. US-DataTransfer-Out-Bytes, EU-Requests-Tier2-HTTPS, \
     USE1-OriginShield-Requests or Invalidations (the full list is in the crate's documentation)"
)]
pub struct ParseUsageTypeError(pub String);

impl FromStr for UsageType {
    type Err = ParseUsageTypeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Invalidations" => return Ok(UsageType::Invalidations),
            "CloudFrontFunctions-Invocations" => return Ok(UsageType::FunctionInvocations),
            "RealtimeLogs-Lines" => return Ok(UsageType::RealtimeLogLines),
            "SSL-Cert-Custom" => return Ok(UsageType::DedicatedIpCertificates),
            _ => {}
        }
        let unknown = || ParseUsageTypeError(s.to_string());
        let (prefix, suffix) = s.split_once('-').ok_or_else(unknown)?;
        if let Ok(region) = prefix.parse::<RegionCode>()
            && let Some((_, build)) = EDGE_REGION_TYPES.iter().find(|(name, _)| *name == suffix)
        {
            return Ok(build(region));
        }
        if let Some(region) = AwsRegion::from_prefix(prefix)
            && let Some((_, build)) = AWS_REGION_TYPES.iter().find(|(name, _)| *name == suffix)
        {
            return Ok(build(region));
        }
        Err(unknown())
    }
}

/// A month (or any period) of usage: a quantity per usage type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    lines: BTreeMap<UsageType, Quantity>,
}

impl Usage {
    pub fn new() -> Usage {
        Usage::default()
    }

    /// Adds `quantity` to the type's line; `None` (and no change) past
    /// [`Quantity::MAX`].
    pub fn add(&mut self, usage_type: UsageType, quantity: Quantity) -> Option<()> {
        let line = self.lines.entry(usage_type).or_default();
        *line = line.checked_add(quantity)?;
        Some(())
    }

    /// The quantity of one type (zero when absent).
    pub fn get(&self, usage_type: UsageType) -> Quantity {
        self.lines.get(&usage_type).copied().unwrap_or_default()
    }

    /// The lines, in a fixed order (by type, then region).
    pub fn iter(&self) -> impl Iterator<Item = (UsageType, Quantity)> + '_ {
        self.lines.iter().map(|(t, q)| (*t, *q))
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Every line scaled by `factor` (a period to a month); `None` if a line
    /// would pass [`Quantity::MAX`] or the factor is not a finite
    /// non-negative number.
    pub fn scaled(&self, factor: f64) -> Option<Usage> {
        let mut lines = BTreeMap::new();
        for (t, q) in self.iter() {
            lines.insert(t, q.scaled(factor)?);
        }
        Some(Usage { lines })
    }

    /// The usage file: a header `usage_type,unit,quantity`, then one line
    /// per type with a quantity above zero, in [`Usage::iter`]'s order.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("usage_type,unit,quantity\n");
        for (usage_type, quantity) in self.iter().filter(|(_, q)| *q > Quantity::ZERO) {
            out.push_str(&format!("{usage_type},{},{quantity}\n", usage_type.unit()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_type() -> Vec<UsageType> {
        let mut all = vec![
            UsageType::Invalidations,
            UsageType::FunctionInvocations,
            UsageType::RealtimeLogLines,
            UsageType::DedicatedIpCertificates,
        ];
        for region in RegionCode::ALL {
            all.extend(EDGE_REGION_TYPES.iter().map(|(_, build)| build(region)));
        }
        for region in AwsRegion::ALL {
            all.extend(AWS_REGION_TYPES.iter().map(|(_, build)| build(region)));
        }
        all
    }

    #[test]
    fn every_name_parses_back_to_its_type() {
        let all = every_type();
        assert_eq!(all.len(), 4 + 7 * 10 + 3 * 12);
        for t in all {
            assert_eq!(t.to_string().parse::<UsageType>(), Ok(t), "{t}");
        }
    }

    #[test]
    fn names_are_the_usage_reports() {
        assert_eq!(UsageType::DataTransferOut(RegionCode::Us).to_string(), "US-DataTransfer-Out-Bytes");
        assert_eq!(UsageType::RequestsHttp(RegionCode::Eu).to_string(), "EU-Requests-Tier1");
        assert_eq!(UsageType::RequestsHttps(RegionCode::Eu).to_string(), "EU-Requests-Tier2-HTTPS");
        assert_eq!(UsageType::DataTransferToOrigin(RegionCode::Jp).to_string(), "JP-DataTransfer-Out-OBytes");
        assert_eq!(UsageType::OriginShieldRequests(AwsRegion::EuWest1).to_string(), "EU-OriginShield-Requests");
        assert!("us-DataTransfer-Out-Bytes".parse::<UsageType>().is_err());
        assert!("US-Requests-Tier3".parse::<UsageType>().is_err());
        assert!("USE1-Requests-Tier1".parse::<UsageType>().is_err());
    }

    #[test]
    fn the_usage_file_lists_nonzero_lines_in_order() {
        let mut usage = Usage::new();
        usage.add(UsageType::RequestsHttps(RegionCode::Eu), Quantity::from_count(5)).unwrap();
        usage.add(UsageType::DataTransferOut(RegionCode::Us), Quantity::from_bytes_as_gb(3 << 29)).unwrap();
        usage.add(UsageType::RequestsHttps(RegionCode::Eu), Quantity::from_count(2)).unwrap();
        usage.add(UsageType::Invalidations, Quantity::ZERO).unwrap();
        assert_eq!(
            usage.to_csv(),
            "usage_type,unit,quantity\nUS-DataTransfer-Out-Bytes,GB,1.5\nEU-Requests-Tier2-HTTPS,Requests,7\n"
        );
        assert_eq!(usage.scaled(2.0).unwrap().get(UsageType::RequestsHttps(RegionCode::Eu)), Quantity::from_count(14));
        assert!(usage.add(UsageType::Invalidations, Quantity::MAX).is_some());
        assert!(usage.add(UsageType::Invalidations, Quantity::from_count(1)).is_none());
    }
}
