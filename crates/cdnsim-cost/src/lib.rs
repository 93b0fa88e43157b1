//! What a CloudFront distribution costs.
//!
//! The vocabulary of the bill: the two-letter regions of AWS's usage report
//! for CloudFront ([`RegionCode`]) and the eight price groups of the pricing
//! page they bill in ([`PriceGroup`]), the price classes that decide which
//! edge locations serve ([`PriceClass`]), the usage types a month of traffic
//! is metered in ([`UsageType`]), and exact decimal quantities ([`Quantity`]).
//!
//! The bill itself: a [`PricingTable`] read from TOML (the public prices are
//! built in), usage read from a usage file ([`read_usage_csv`]), and
//! [`price`], which turns the two into a [`Bill`] of line items rounded to
//! the cent. The rules are in the `bill` module's documentation and the
//! crate's README.
//!
//! The crate knows nothing of the simulator: a usage file cut from a real AWS
//! usage report prices the same way as one a simulation wrote.

mod bill;
mod money;
mod quantity;
mod region;
mod table;
mod usage;
mod usage_file;

pub use bill::{Bill, COST_HEADER, FlatRateReport, LineItem, Options, PriceError, price};
pub use money::{ParseUsdError, Usd};
pub use quantity::{ParseQuantityError, Quantity};
pub use region::{AwsRegion, ParseRegionError, PriceClass, PriceGroup, RegionCode};
pub use table::{
    BUILT_IN_NAME, FlatRatePlan, FreeTier, GroupRates, PricingTable, Rate, SavingsBundleTerms, TableError,
};
pub use usage::{ParseUsageTypeError, Unit, Usage, UsageType};
pub use usage_file::{USAGE_HEADER, UsageFile, UsageFileError, read_usage_csv};
