//! What a CloudFront distribution costs.
//!
//! The vocabulary of the bill: the two-letter regions of AWS's usage report
//! for CloudFront ([`RegionCode`]) and the eight price groups of the pricing
//! page they bill in ([`PriceGroup`]), the price classes that decide which
//! edge locations serve ([`PriceClass`]), the usage types a month of traffic
//! is metered in ([`UsageType`]), and exact decimal quantities ([`Quantity`]).
//!
//! The crate knows nothing of the simulator: a usage file cut from a real AWS
//! usage report prices the same way as one a simulation wrote.

mod quantity;
mod region;
mod usage;

pub use quantity::{ParseQuantityError, Quantity};
pub use region::{AwsRegion, ParseRegionError, PriceClass, PriceGroup, RegionCode};
pub use usage::{ParseUsageTypeError, Unit, Usage, UsageType};
