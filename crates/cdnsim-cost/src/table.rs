//! The pricing table: every rate the bill uses, with its source.
//!
//! A table is a TOML file (the format is in the crate's README). The one in
//! the repository, [`PricingTable::built_in`], holds the public pay-as-you-go
//! prices as read on its date; `--pricing FILE` reads another (private
//! pricing, a future price change). A file is checked whole when it is read:
//! every group, Origin Shield Region and flat-rate allowance present, tiers
//! increasing, every `source` an id of `[sources]`; each error names the
//! file, the line and column, the key and the fix.

use crate::quantity::{ParseQuantityError, Quantity};
use crate::region::{AwsRegion, PriceGroup};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// The table in the repository: CloudFront's public prices as read on the
/// date in its name.
pub const BUILT_IN_NAME: &str = "crates/cdnsim-cost/pricing/cloudfront-2026-12-02.toml";
const BUILT_IN_TEXT: &str = include_str!("../pricing/cloudfront-2026-12-02.toml");

/// One price and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Dollars per the unit its key names (per GB, per 10,000 requests…).
    pub usd: Quantity,
    /// An id of [`PricingTable::sources`].
    pub source: String,
    /// Why the number is not confirmed by an AWS source, when it is not.
    pub uncertain: Option<String>,
}

/// The rates of one column of the pricing page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRates {
    /// Per GB out to viewers, one per tier.
    // Invariant: one more rate than `PricingTable::tier_ends_gb` has ends.
    pub data_transfer_out_per_gb: Vec<Quantity>,
    pub data_transfer_out_source: String,
    pub data_transfer_out_uncertain: Option<String>,
    pub requests_http_per_10000: Rate,
    pub requests_https_per_10000: Rate,
    pub to_origin_per_gb: Rate,
}

/// The always-free tier, per month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreeTier {
    pub data_transfer_out_gb: Quantity,
    pub requests: Quantity,
    pub function_invocations: Quantity,
    pub source: String,
}

/// The Security Savings Bundle's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavingsBundleTerms {
    /// Credit = commitment / this (0.7: up to 30 % off).
    // Invariant: above zero.
    pub credit_divisor: Quantity,
    /// AWS WAF credit = commitment × this.
    pub waf_credit_share: Quantity,
    pub source: String,
}

/// A flat-rate plan: one fee a month, allowances that are not billed past.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlatRatePlan {
    pub name: String,
    pub fee: Rate,
    pub requests: Quantity,
    pub data_transfer_gb: Quantity,
}

/// Every rate of the bill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricingTable {
    /// Where the table was read from (`crates/cdnsim-cost/pricing/…toml`
    /// for the built-in one).
    pub origin: String,
    /// The day its prices were read (`YYYY-MM-DD`).
    pub date: String,
    pub description: String,
    /// Source ids and what each is.
    pub sources: BTreeMap<String, String>,
    /// Where each data-transfer tier ends, in GB; the last tier has no end.
    // Invariant: strictly increasing, above zero.
    pub tier_ends_gb: Vec<Quantity>,
    pub tier_source: String,
    pub tier_uncertain: Option<String>,
    // Invariant: one entry per `PriceGroup`, in `PriceGroup::ALL` order.
    groups: Vec<GroupRates>,
    // Invariant: one entry per `AwsRegion`, in `AwsRegion::ALL` order.
    origin_shield_per_10000: Vec<Rate>,
    pub invalidation_free_paths: Quantity,
    pub invalidation_per_path: Rate,
    pub functions_per_million: Rate,
    pub lambda_edge_per_million_requests: Rate,
    pub lambda_edge_per_gb_second: Rate,
    pub field_level_encryption_per_10000: Rate,
    pub realtime_logs_per_million_lines: Rate,
    pub dedicated_ip_certificate_per_month: Rate,
    pub free_tier: FreeTier,
    pub savings_bundle: SavingsBundleTerms,
    /// In the file's order.
    pub flat_rate_plans: Vec<FlatRatePlan>,
}

/// A pricing file that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct TableError {
    pub file: String,
    /// 1-based; 1:1 when TOML gives no position.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl PricingTable {
    /// The table in the repository.
    pub fn built_in() -> PricingTable {
        PricingTable::parse(BUILT_IN_NAME, BUILT_IN_TEXT).expect("the built-in pricing table is valid (tested)")
    }

    /// Reads a table; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<PricingTable, TableError> {
        let raw: RawTable = toml::from_str(text).map_err(|e| {
            let message =
                format!("{}; see the pricing-file format in crates/cdnsim-cost/README.md", e.message().trim());
            error_at(file, text, e.span(), message)
        })?;
        Resolver { file, text, sources: &raw.sources }.resolve(&raw)
    }

    /// The rates of one price group.
    pub fn group(&self, group: PriceGroup) -> &GroupRates {
        &self.groups[group as usize]
    }

    /// Origin Shield's rate in one Region, per 10,000 requests.
    pub fn origin_shield(&self, region: AwsRegion) -> &Rate {
        &self.origin_shield_per_10000[region as usize]
    }

    /// A flat-rate plan by name (any case).
    pub fn flat_rate_plan(&self, name: &str) -> Option<&FlatRatePlan> {
        self.flat_rate_plans.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The label of tier `index` in the pricing page's words: `First 10 TB`,
    /// `Next 40 TB`, `Over 5 PB`.
    pub fn tier_label(&self, index: usize) -> String {
        assert!(index <= self.tier_ends_gb.len());
        let start = if index == 0 { Quantity::ZERO } else { self.tier_ends_gb[index - 1] };
        match self.tier_ends_gb.get(index) {
            None => format!("Over {}", size_words(start)),
            Some(&end) if index == 0 => format!("First {}", size_words(end)),
            Some(&end) => format!("Next {}", size_words(Quantity::from_pico(end.pico() - start.pico()).unwrap())),
        }
    }
}

/// A size in GB as the pricing page writes it: PB or TB when whole (binary).
fn size_words(gb: Quantity) -> String {
    let tb = Quantity::from_count(1024).pico();
    let pb = tb * 1024;
    if gb.pico() > 0 && gb.pico() % pb == 0 {
        format!("{} PB", gb.pico() / pb)
    } else if gb.pico() > 0 && gb.pico() % tb == 0 {
        format!("{} TB", gb.pico() / tb)
    } else {
        format!("{gb} GB")
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${} [{}]", self.usd, self.source)?;
        if self.uncertain.is_some() {
            f.write_str(" UNCERTAIN")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn error_at(file: &str, text: &str, span: Option<Range<usize>>, message: String) -> TableError {
    let (line, column) = span.map_or((1, 1), |s| line_column(text, s.start));
    TableError { file: file.to_string(), line, column, message }
}

// The file as TOML gives it. Every table refuses unknown keys, so a typo is
// an error at the typo rather than a rate silently missing.

/// A decimal as the file writes it: a string keeps it exact; a TOML float
/// is taken as its shortest decimal form, which is what was written unless
/// it had more than 15 significant digits.
#[derive(Deserialize)]
#[serde(untagged, expecting = "expected a decimal such as \"0.085\"")]
enum RawDecimal {
    Text(String),
    Integer(i64),
    Float(f64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a rate such as { usd = \"0.0075\", source = \"S10\" }")]
struct RawRate {
    usd: Spanned<RawDecimal>,
    source: Spanned<String>,
    uncertain: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTierRates {
    usd: Spanned<Vec<Spanned<RawDecimal>>>,
    source: Spanned<String>,
    uncertain: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    data_transfer_out_per_gb: RawTierRates,
    requests_http_per_10000: RawRate,
    requests_https_per_10000: RawRate,
    to_origin_per_gb: RawRate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTiers {
    tier_ends_gb: Spanned<Vec<Spanned<RawDecimal>>>,
    source: Spanned<String>,
    uncertain: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvalidations {
    free_paths: Spanned<RawDecimal>,
    per_path: RawRate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFunctions {
    per_million_invocations: RawRate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLambdaEdge {
    per_million_requests: RawRate,
    per_gb_second: RawRate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFieldLevelEncryption {
    per_10000_requests: RawRate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRealtimeLogs {
    per_million_lines: RawRate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertificates {
    per_certificate_month: RawRate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFreeTier {
    data_transfer_out_gb: Spanned<RawDecimal>,
    requests: Spanned<RawDecimal>,
    function_invocations: Spanned<RawDecimal>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSavingsBundle {
    credit_divisor: Spanned<RawDecimal>,
    waf_credit_share: Spanned<RawDecimal>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    fee: RawRate,
    requests: Spanned<RawDecimal>,
    data_transfer_gb: Spanned<RawDecimal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    date: Spanned<String>,
    currency: Spanned<String>,
    description: String,
    sources: BTreeMap<String, String>,
    data_transfer_out: RawTiers,
    groups: Spanned<BTreeMap<Spanned<String>, RawGroup>>,
    origin_shield_per_10000: Spanned<BTreeMap<Spanned<String>, RawRate>>,
    invalidations: RawInvalidations,
    functions: RawFunctions,
    lambda_edge: RawLambdaEdge,
    field_level_encryption: RawFieldLevelEncryption,
    realtime_logs: RawRealtimeLogs,
    dedicated_ip_certificates: RawCertificates,
    free_tier: RawFreeTier,
    savings_bundle: RawSavingsBundle,
    flat_rate: Spanned<BTreeMap<Spanned<String>, RawPlan>>,
}

/// Turns the raw file into a table, checking what TOML cannot.
struct Resolver<'a> {
    file: &'a str,
    text: &'a str,
    sources: &'a BTreeMap<String, String>,
}

impl Resolver<'_> {
    fn error(&self, span: Range<usize>, key: &str, message: String) -> TableError {
        error_at(self.file, self.text, Some(span), format!("`{key}`: {message}"))
    }

    fn decimal(&self, value: &Spanned<RawDecimal>, key: &str) -> Result<Quantity, TableError> {
        let text = match value.get_ref() {
            RawDecimal::Text(t) => t.clone(),
            RawDecimal::Integer(i) => i.to_string(),
            RawDecimal::Float(f) => f.to_string(),
        };
        text.parse::<Quantity>().map_err(|e| {
            let why = match e {
                ParseQuantityError::Negative(text) => format!("{text:?} is negative; a price or an amount never is"),
                other => other.to_string(),
            };
            self.error(value.span(), key, format!("{why} (write a non-negative decimal, e.g. \"0.085\")"))
        })
    }

    fn source(&self, source: &Spanned<String>, key: &str) -> Result<String, TableError> {
        if !self.sources.contains_key(source.get_ref()) {
            let known: Vec<&str> = self.sources.keys().map(String::as_str).collect();
            return Err(self.error(
                source.span(),
                key,
                format!(
                    "source {:?} is not in [sources]; add it there or use one of: {}",
                    source.get_ref(),
                    known.join(", ")
                ),
            ));
        }
        Ok(source.get_ref().clone())
    }

    fn rate(&self, raw: &RawRate, key: &str) -> Result<Rate, TableError> {
        Ok(Rate {
            usd: self.decimal(&raw.usd, &format!("{key}.usd"))?,
            source: self.source(&raw.source, &format!("{key}.source"))?,
            uncertain: raw.uncertain.clone(),
        })
    }

    fn resolve(&self, raw: &RawTable) -> Result<PricingTable, TableError> {
        if !is_date(raw.date.get_ref()) {
            return Err(self.error(raw.date.span(), "date", "write the day the prices were read as YYYY-MM-DD".into()));
        }
        if raw.currency.get_ref() != "USD" {
            return Err(self.error(
                raw.currency.span(),
                "currency",
                "cdnsim prices in US dollars only; write currency = \"USD\"".into(),
            ));
        }

        let mut tier_ends_gb = Vec::new();
        for end in raw.data_transfer_out.tier_ends_gb.get_ref() {
            let gb = self.decimal(end, "data_transfer_out.tier_ends_gb")?;
            if gb <= tier_ends_gb.last().copied().unwrap_or(Quantity::ZERO) {
                return Err(self.error(
                    end.span(),
                    "data_transfer_out.tier_ends_gb",
                    "tier ends must be above zero and increasing; list where each tier ends, in GB".into(),
                ));
            }
            tier_ends_gb.push(gb);
        }

        let mut groups = Vec::new();
        for group in PriceGroup::ALL {
            let Some((_, raw_group)) = raw.groups.get_ref().iter().find(|(k, _)| k.get_ref() == group.as_str()) else {
                return Err(self.error(
                    raw.groups.span(),
                    "groups",
                    format!("price group `{group}` is missing; add a [groups.{group}] table with its rates"),
                ));
            };
            groups.push(self.group(group, raw_group, tier_ends_gb.len())?);
        }
        for key in raw.groups.get_ref().keys() {
            if key.get_ref().parse::<PriceGroup>().is_err() {
                return Err(self.error(
                    key.span(),
                    "groups",
                    format!(
                        "{:?} is not a price group; use one of: {}",
                        key.get_ref(),
                        PriceGroup::ALL.map(PriceGroup::as_str).join(", ")
                    ),
                ));
            }
        }

        let shields = raw.origin_shield_per_10000.get_ref();
        let mut origin_shield_per_10000 = Vec::new();
        for region in AwsRegion::ALL {
            let Some((_, rate)) = shields.iter().find(|(k, _)| k.get_ref() == region.name()) else {
                return Err(self.error(
                    raw.origin_shield_per_10000.span(),
                    "origin_shield_per_10000",
                    format!("Region `{region}` is missing; add `{region} = {{ usd = \"…\", source = \"…\" }}`"),
                ));
            };
            origin_shield_per_10000.push(self.rate(rate, &format!("origin_shield_per_10000.{region}"))?);
        }
        for key in shields.keys() {
            if AwsRegion::from_name(key.get_ref()).is_none() {
                return Err(self.error(
                    key.span(),
                    "origin_shield_per_10000",
                    format!(
                        "{:?} is not an Origin Shield Region; use one of: {}",
                        key.get_ref(),
                        AwsRegion::ALL.map(AwsRegion::name).join(", ")
                    ),
                ));
            }
        }

        let free = &raw.free_tier;
        let bundle = &raw.savings_bundle;
        let credit_divisor = self.decimal(&bundle.credit_divisor, "savings_bundle.credit_divisor")?;
        if credit_divisor == Quantity::ZERO {
            return Err(self.error(
                bundle.credit_divisor.span(),
                "savings_bundle.credit_divisor",
                "must be above zero (the credit is the commitment divided by it; AWS's is 0.7)".into(),
            ));
        }

        let mut flat_rate_plans = Vec::new();
        for (name, plan) in raw.flat_rate.get_ref() {
            let key = format!("flat_rate.{}", name.get_ref());
            flat_rate_plans.push(FlatRatePlan {
                name: name.get_ref().clone(),
                fee: self.rate(&plan.fee, &format!("{key}.fee"))?,
                requests: self.decimal(&plan.requests, &format!("{key}.requests"))?,
                data_transfer_gb: self.decimal(&plan.data_transfer_gb, &format!("{key}.data_transfer_gb"))?,
            });
        }
        // The file's order (a BTreeMap sorts by name): cheapest first reads best.
        flat_rate_plans.sort_by_key(|p| {
            raw.flat_rate.get_ref().keys().find(|k| *k.get_ref() == p.name).map_or(0, |k| k.span().start)
        });

        Ok(PricingTable {
            origin: self.file.to_string(),
            date: raw.date.get_ref().clone(),
            description: raw.description.clone(),
            sources: raw.sources.clone(),
            tier_ends_gb,
            tier_source: self.source(&raw.data_transfer_out.source, "data_transfer_out.source")?,
            tier_uncertain: raw.data_transfer_out.uncertain.clone(),
            groups,
            origin_shield_per_10000,
            invalidation_free_paths: self.decimal(&raw.invalidations.free_paths, "invalidations.free_paths")?,
            invalidation_per_path: self.rate(&raw.invalidations.per_path, "invalidations.per_path")?,
            functions_per_million: self
                .rate(&raw.functions.per_million_invocations, "functions.per_million_invocations")?,
            lambda_edge_per_million_requests: self
                .rate(&raw.lambda_edge.per_million_requests, "lambda_edge.per_million_requests")?,
            lambda_edge_per_gb_second: self.rate(&raw.lambda_edge.per_gb_second, "lambda_edge.per_gb_second")?,
            field_level_encryption_per_10000: self
                .rate(&raw.field_level_encryption.per_10000_requests, "field_level_encryption.per_10000_requests")?,
            realtime_logs_per_million_lines: self
                .rate(&raw.realtime_logs.per_million_lines, "realtime_logs.per_million_lines")?,
            dedicated_ip_certificate_per_month: self.rate(
                &raw.dedicated_ip_certificates.per_certificate_month,
                "dedicated_ip_certificates.per_certificate_month",
            )?,
            free_tier: FreeTier {
                data_transfer_out_gb: self.decimal(&free.data_transfer_out_gb, "free_tier.data_transfer_out_gb")?,
                requests: self.decimal(&free.requests, "free_tier.requests")?,
                function_invocations: self.decimal(&free.function_invocations, "free_tier.function_invocations")?,
                source: self.source(&free.source, "free_tier.source")?,
            },
            savings_bundle: SavingsBundleTerms {
                credit_divisor,
                waf_credit_share: self.decimal(&bundle.waf_credit_share, "savings_bundle.waf_credit_share")?,
                source: self.source(&bundle.source, "savings_bundle.source")?,
            },
            flat_rate_plans,
        })
    }

    fn group(&self, group: PriceGroup, raw: &RawGroup, tier_ends: usize) -> Result<GroupRates, TableError> {
        let key = format!("groups.{group}");
        let tiers = &raw.data_transfer_out_per_gb;
        let tier_key = format!("{key}.data_transfer_out_per_gb.usd");
        if tiers.usd.get_ref().len() != tier_ends + 1 {
            return Err(self.error(
                tiers.usd.span(),
                &tier_key,
                format!(
                    "has {} rates but data_transfer_out.tier_ends_gb has {tier_ends} ends; give one rate per tier, {} in all",
                    tiers.usd.get_ref().len(),
                    tier_ends + 1
                ),
            ));
        }
        let rates = tiers.usd.get_ref().iter().map(|r| self.decimal(r, &tier_key)).collect::<Result<_, _>>()?;
        Ok(GroupRates {
            data_transfer_out_per_gb: rates,
            data_transfer_out_source: self.source(&tiers.source, &format!("{key}.data_transfer_out_per_gb.source"))?,
            data_transfer_out_uncertain: tiers.uncertain.clone(),
            requests_http_per_10000: self
                .rate(&raw.requests_http_per_10000, &format!("{key}.requests_http_per_10000"))?,
            requests_https_per_10000: self
                .rate(&raw.requests_https_per_10000, &format!("{key}.requests_https_per_10000"))?,
            to_origin_per_gb: self.rate(&raw.to_origin_per_gb, &format!("{key}.to_origin_per_gb"))?,
        })
    }
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> TableError {
        PricingTable::parse("my.toml", text).unwrap_err()
    }

    /// The built-in table with one line replaced.
    fn edited(from: &str, to: &str) -> String {
        assert!(BUILT_IN_TEXT.contains(from), "{from}");
        BUILT_IN_TEXT.replacen(from, to, 1)
    }

    #[test]
    fn the_built_in_table_holds_the_pricing_pages_rates() {
        let table = PricingTable::built_in();
        assert_eq!(table.date, "2026-12-02");
        let gb = |n: u64| Quantity::from_count(n);
        let ends = [10_240, 51_200, 153_600, 512_000, 1_048_576, 5_242_880].map(gb);
        assert_eq!(table.tier_ends_gb, ends);
        let us = table.group(PriceGroup::UnitedStates);
        assert_eq!(us.data_transfer_out_per_gb[0].to_string(), "0.085");
        assert_eq!(us.data_transfer_out_per_gb[6].to_string(), "0.02");
        assert_eq!(us.requests_https_per_10000.usd.to_string(), "0.01");
        let india = table.group(PriceGroup::India);
        assert_eq!(india.to_origin_per_gb.usd.to_string(), "0.16");
        let sa = table.group(PriceGroup::SouthAmerica);
        assert!(sa.to_origin_per_gb.uncertain.is_some());
        assert_eq!(table.origin_shield(AwsRegion::SaEast1).usd.to_string(), "0.016");
        assert!(table.origin_shield(AwsRegion::UsWest2).uncertain.is_some());
        assert!(table.origin_shield(AwsRegion::UsEast1).uncertain.is_none());
        assert_eq!(table.free_tier.data_transfer_out_gb, gb(1024));
        let names: Vec<&str> = table.flat_rate_plans.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["free", "pro", "business", "premium"]);
        assert_eq!(table.flat_rate_plan("Pro").unwrap().data_transfer_gb, gb(51_200));
    }

    #[test]
    fn tiers_are_labelled_as_the_pricing_page_labels_them() {
        let table = PricingTable::built_in();
        let labels: Vec<String> = (0..7).map(|i| table.tier_label(i)).collect();
        assert_eq!(
            labels,
            ["First 10 TB", "Next 40 TB", "Next 100 TB", "Next 350 TB", "Next 524 TB", "Next 4 PB", "Over 5 PB"]
        );
    }

    #[test]
    fn toml_errors_name_the_file_line_and_column() {
        let e = err(&edited("currency = \"USD\"", "currency = \"USD\"\ncolour = \"red\""));
        // `currency` is on line 10; the unknown key on the line after it.
        assert_eq!((e.file.as_str(), e.line, e.column), ("my.toml", 11, 1));
        assert!(e.message.contains("unknown field `colour`"), "{e}");
        let e = err("date = ");
        assert_eq!(e.line, 1);
        assert!(e.to_string().starts_with("my.toml:1:"), "{e}");
    }

    #[test]
    fn bad_values_name_the_key_and_the_fix() {
        let e = err(&edited("us-east-1 = { usd = \"0.0075\"", "us-east-1 = { usd = \"-0.0075\""));
        assert!(e.message.contains("`origin_shield_per_10000.us-east-1.usd`: \"-0.0075\" is negative"), "{e}");
        let line = BUILT_IN_TEXT.lines().position(|l| l.starts_with("us-east-1 =")).unwrap() + 1;
        assert_eq!((e.line, e.column), (line, 21));

        let e = err(&edited("source = \"S10\" }\nus-east-2", "source = \"S99\" }\nus-east-2"));
        assert!(e.message.contains("\"S99\" is not in [sources]"), "{e}");

        let e = err(&edited("\"0.080\", \"0.060\", \"0.040\", \"0.030\", \"0.025\", \"0.020\"]", "\"0.080\"]"));
        assert!(e.message.contains("`groups.united-states.data_transfer_out_per_gb.usd`: has 2 rates"), "{e}");

        let e = err(&edited("[groups.india]", "[groups.narnia]"));
        assert!(e.message.contains("price group `india` is missing"), "{e}");

        let e = err(&edited("sa-east-1 = {", "sa-west-9 = {"));
        assert!(e.message.contains("Region `sa-east-1` is missing"), "{e}");

        let e = err(&edited("tier_ends_gb = [10240, 51200", "tier_ends_gb = [10240, 10240"));
        assert!(e.message.contains("increasing"), "{e}");

        let e = err(&edited("credit_divisor = \"0.7\"", "credit_divisor = 0"));
        assert!(e.message.contains("above zero"), "{e}");

        let e = err(&edited("date = \"2026-12-02\"", "date = \"2 Dec 2026\""));
        assert!(e.message.contains("YYYY-MM-DD"), "{e}");

        let e = err(&edited("currency = \"USD\"", "currency = \"EUR\""));
        assert!(e.message.contains("US dollars only"), "{e}");
    }

    #[test]
    fn numbers_may_be_toml_floats_and_integers() {
        let table = PricingTable::parse("my.toml", &edited("usd = \"0.0075\"", "usd = 0.0075")).unwrap();
        assert_eq!(table.group(PriceGroup::UnitedStates).requests_http_per_10000.usd.to_string(), "0.0075");
        let table = PricingTable::parse("my.toml", &edited("usd = \"600\"", "usd = 600")).unwrap();
        assert_eq!(table.dedicated_ip_certificate_per_month.usd, Quantity::from_count(600));
        let e = err(&edited("usd = \"600\"", "usd = true"));
        assert!(e.message.contains("expected a decimal such as \"0.085\""), "{e}");
        let e = err(&edited("per_path = { usd = \"0.005\", source = \"S2\" }", "per_path = \"0.005\""));
        assert!(e.message.contains("expected a rate such as { usd = "), "{e}");
        let e = err(&edited("usd = \"600\"", "usd = nan"));
        assert!(e.message.contains("not a number"), "{e}");
    }
}
