//! Pricing a month of usage: [`price`] turns a [`Usage`] and a
//! [`PricingTable`] into a [`Bill`] of line items.
//!
//! The rules, each stated once here and in the crate's README:
//!
//! - Data transfer out is tiered **per price group** (the pricing page's
//!   columns): `US` and `CA` usage share the United States tiers, `ZA` and
//!   `ME` the South Africa and Middle East ones (CloudFront FAQs: "usage
//!   tiers for data transfer are measured separately for each geographic
//!   region"). Request and to-origin lines are summed per group too.
//! - Requests are priced per 10,000, pro rata; to-origin transfer per GB;
//!   Origin Shield per 10,000 requests in its Region; invalidation paths
//!   after the first free ones; CloudFront Functions and Lambda@Edge
//!   requests per million; Lambda@Edge duration per GB-second (no free tier).
//! - **Rounding:** each line item is rounded to the cent, half up, from its
//!   exact amount; the total is the sum of the rounded items.
//! - **Always-free tier** (option, off by default as in the tool-computed
//!   examples): its 1 TB comes off the first tier of the groups in the
//!   pricing page's column order (United States first, then Europe, …),
//!   its 10,000,000 requests off each group's HTTPS, HTTPS proxy, HTTP then
//!   HTTP proxy requests in the same group order (the dearer protocol
//!   first), its 2,000,000 function invocations off CloudFront Functions.
//!   AWS does not say how it allocates the tier; this rule reproduces the
//!   one published worked example (1 TB netted from the US first tier).
//! - **Security Savings Bundle** (option): you pay the monthly commitment;
//!   a credit of commitment / 0.7 covers pay-as-you-go charges; charges
//!   above the credit are paid at the standard rates; an unused credit
//!   expires. AWS WAF credits of 10 % of the commitment are reported, not
//!   subtracted (they pay for WAF, which is not on this bill).
//! - **Flat-rate plan** (option): the bill is the plan fee. Requests (all
//!   four request types) and data transfer out (to viewers, every region)
//!   are reported against the plan's allowances; usage over them is
//!   flagged ("delivery may be degraded; no overage is billed").

use crate::money::{Usd, divide, line_amount};
use crate::quantity::Quantity;
use crate::region::{AwsRegion, PriceGroup, RegionCode};
use crate::table::{PricingTable, Rate};
use crate::usage::{Unit, Usage, UsageType};
use std::fmt::Write as _;

/// How to price.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Take the always-free tier off (see the module's allocation rule).
    pub free_tier: bool,
    /// A Security Savings Bundle with this monthly commitment.
    pub savings_bundle: Option<Usd>,
    /// A flat-rate plan by name (`free`, `pro`, `business`, `premium`).
    pub flat_rate: Option<String>,
}

/// One line of the bill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineItem {
    /// The usage type without its region (`DataTransfer-Out-Bytes`), or what
    /// the line is (`Security Savings Bundle credit`).
    pub item: String,
    /// The usage regions summed into the line (`US+CA`), or the AWS Region.
    pub regions: String,
    pub price_group: Option<PriceGroup>,
    /// The tier or allowance (`First 10 TB`, `free tier`, `over 1000 paths`).
    pub tier: String,
    pub quantity: Quantity,
    /// The usage type's unit (`GB`, `Requests`), or `Months` for a fee.
    pub unit: &'static str,
    /// Dollars per `rate_per` units.
    pub rate: Quantity,
    pub rate_per: u64,
    /// Rounded to the cent, half up; negative for credits.
    pub amount: Usd,
    /// The rate's source id, with `UNCERTAIN` when it is not confirmed.
    pub source: String,
}

/// How usage compares with a flat-rate plan's allowances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlatRateReport {
    pub plan: String,
    pub fee: Usd,
    pub requests: Quantity,
    pub requests_allowed: Quantity,
    pub data_transfer_gb: Quantity,
    pub data_transfer_gb_allowed: Quantity,
    /// What the same usage costs pay-as-you-go (no free tier).
    pub pay_as_you_go: Usd,
}

impl FlatRateReport {
    pub fn over_allowance(&self) -> bool {
        self.requests > self.requests_allowed || self.data_transfer_gb > self.data_transfer_gb_allowed
    }
}

/// A priced month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bill {
    pub table_origin: String,
    pub table_date: String,
    pub options: Options,
    /// In a fixed order: data transfer by group and tier, to-origin,
    /// requests, Origin Shield, invalidations, functions, Lambda@Edge, the
    /// rest, then bundle or plan lines.
    pub items: Vec<LineItem>,
    // Invariant: the sum of `items`' amounts.
    pub total: Usd,
    /// AWS WAF credit that comes with a Savings Bundle.
    pub waf_credit: Option<Usd>,
    pub flat_rate: Option<FlatRateReport>,
    /// The rules applied, in words (also written into `cost.csv`).
    pub notes: Vec<String>,
}

/// Usage the bill cannot price.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("there is no flat-rate plan {name:?} in the pricing table; use one of: {known}")]
    UnknownPlan { name: String, known: String },
    #[error("a flat-rate plan cannot be combined with {0}: the plan fee is the whole bill")]
    PlanWithOption(&'static str),
    #[error("the bill passes 10^36 dollars: the usage or the pricing table is wrong")]
    TooLarge,
}

/// Prices `usage` with `table`.
pub fn price(usage: &Usage, table: &PricingTable, options: &Options) -> Result<Bill, PriceError> {
    if let Some(name) = &options.flat_rate {
        if options.free_tier {
            return Err(PriceError::PlanWithOption("the always-free tier"));
        }
        if options.savings_bundle.is_some() {
            return Err(PriceError::PlanWithOption("a Security Savings Bundle"));
        }
        return price_flat_rate(usage, table, options, name);
    }
    let mut bill = pay_as_you_go(usage, table, options.free_tier)?;
    bill.options = options.clone();
    if let Some(commitment) = options.savings_bundle {
        apply_savings_bundle(&mut bill, table, commitment)?;
    }
    bill.total = sum(&bill.items)?;
    Ok(bill)
}

fn sum(items: &[LineItem]) -> Result<Usd, PriceError> {
    items.iter().try_fold(Usd::ZERO, |total, item| total.checked_add(item.amount)).ok_or(PriceError::TooLarge)
}

/// A request usage type, its name without the region, and whether it is
/// priced at the HTTPS rate.
type RequestKind = (fn(RegionCode) -> UsageType, &'static str, bool);

/// Request usage types, in the order the free tier takes them within a
/// group (HTTPS first: the dearer protocol).
const REQUEST_KINDS: [RequestKind; 4] = [
    (UsageType::RequestsHttps, "Requests-Tier2-HTTPS", true),
    (UsageType::RequestsHttpsProxy, "Requests-HTTPS-Proxy", true),
    (UsageType::RequestsHttp, "Requests-Tier1", false),
    (UsageType::RequestsHttpProxy, "Requests-HTTP-Proxy", false),
];

/// The usage regions of `group` present in a sum, joined: `US+CA`.
struct GroupSum {
    quantity: Quantity,
    regions: Vec<RegionCode>,
}

fn group_sum(usage: &Usage, group: PriceGroup, build: fn(RegionCode) -> UsageType) -> Result<GroupSum, PriceError> {
    let mut sum = GroupSum { quantity: Quantity::ZERO, regions: Vec::new() };
    for region in RegionCode::ALL.into_iter().filter(|r| r.group() == group) {
        let q = usage.get(build(region));
        if q > Quantity::ZERO {
            sum.quantity = sum.quantity.checked_add(q).ok_or(PriceError::TooLarge)?;
            sum.regions.push(region);
        }
    }
    Ok(sum)
}

/// Sums a usage type over every Region (Lambda@Edge) or region (FLE).
fn total_of(usage: &Usage, keep: impl Fn(UsageType) -> bool) -> Result<Quantity, PriceError> {
    usage
        .iter()
        .filter(|(t, _)| keep(*t))
        .try_fold(Quantity::ZERO, |s, (_, q)| s.checked_add(q))
        .ok_or(PriceError::TooLarge)
}

fn min(a: Quantity, b: Quantity) -> Quantity {
    if a <= b { a } else { b }
}

fn source_of(rate: &Rate) -> String {
    match rate.uncertain {
        Some(_) => format!("{} UNCERTAIN", rate.source),
        None => rate.source.clone(),
    }
}

/// Builds line items, pricing each as it is pushed.
struct Lines {
    items: Vec<LineItem>,
}

#[derive(Clone)]
struct Line<'a> {
    item: &'a str,
    regions: String,
    price_group: Option<PriceGroup>,
    tier: String,
    quantity: Quantity,
    unit: Unit,
    rate: Quantity,
    rate_per: u64,
    source: String,
}

impl Lines {
    /// Adds the line when its quantity is above zero.
    fn push(&mut self, line: Line<'_>) -> Result<(), PriceError> {
        if line.quantity == Quantity::ZERO {
            return Ok(());
        }
        let amount = line_amount(line.quantity, line.rate, line.rate_per).ok_or(PriceError::TooLarge)?;
        self.items.push(LineItem {
            item: line.item.to_string(),
            regions: line.regions,
            price_group: line.price_group,
            tier: line.tier,
            quantity: line.quantity,
            unit: line.unit.as_str(),
            rate: line.rate,
            rate_per: line.rate_per,
            amount,
            source: line.source,
        });
        Ok(())
    }

    /// A free part (rate zero) and a charged part of one quantity.
    fn push_with_free(&mut self, line: Line<'_>, free: Quantity, free_label: &str) -> Result<(), PriceError> {
        assert!(free <= line.quantity);
        let charged = line.quantity.saturating_sub(free);
        self.push(Line { tier: free_label.to_string(), quantity: free, rate: Quantity::ZERO, ..line.clone() })?;
        self.push(Line { quantity: charged, ..line })
    }
}

fn regions_text(regions: &[RegionCode]) -> String {
    regions.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("+")
}

fn pay_as_you_go(usage: &Usage, table: &PricingTable, free_tier: bool) -> Result<Bill, PriceError> {
    let mut lines = Lines { items: Vec::new() };
    let mut notes = vec![format!(
        "each line is rounded to the cent (half up); the total is the sum of the rounded lines; \
         data transfer tiers are counted per price group (US+CA, ZA+ME together)"
    )];
    let free = &table.free_tier;
    let (mut free_gb, mut free_requests, free_invocations) = if free_tier {
        notes.push(format!(
            "always-free tier [{}]: {} GB off the first tier of the groups in the pricing page's order (United \
             States first); {} requests off HTTPS, HTTPS proxy, HTTP then HTTP proxy requests, group by group in \
             the same order; {} CloudFront Functions invocations",
            free.source, free.data_transfer_out_gb, free.requests, free.function_invocations
        ));
        (free.data_transfer_out_gb, free.requests, free.function_invocations)
    } else {
        (Quantity::ZERO, Quantity::ZERO, Quantity::ZERO)
    };

    // Data transfer out, tiered per group.
    let mut crossed_a_tier_edge = false;
    for group in PriceGroup::ALL {
        let rates = table.group(group);
        let sum = group_sum(usage, group, UsageType::DataTransferOut)?;
        let source = match &rates.data_transfer_out_uncertain {
            None => rates.data_transfer_out_source.clone(),
            Some(_) => format!("{} UNCERTAIN", rates.data_transfer_out_source),
        };
        let mut start = Quantity::ZERO;
        for (tier, &rate) in rates.data_transfer_out_per_gb.iter().enumerate() {
            let end = table.tier_ends_gb.get(tier).copied();
            let above_start = sum.quantity.saturating_sub(start);
            let in_tier = match end {
                Some(end) => min(above_start, end.saturating_sub(start)),
                None => above_start,
            };
            let line = Line {
                item: "DataTransfer-Out-Bytes",
                regions: regions_text(&sum.regions),
                price_group: Some(group),
                tier: table.tier_label(tier),
                quantity: in_tier,
                unit: Unit::Gb,
                rate,
                rate_per: 1,
                source: source.clone(),
            };
            if tier == 0 {
                let free_here = min(free_gb, in_tier);
                free_gb = free_gb.saturating_sub(free_here);
                lines.push_with_free(line, free_here, &format!("{} (free tier)", table.tier_label(0)))?;
            } else {
                lines.push(line)?;
            }
            match end {
                Some(end) if sum.quantity > end => {
                    start = end;
                    crossed_a_tier_edge = true;
                }
                _ => break,
            }
        }
    }

    if let Some(why) = &table.tier_uncertain
        && crossed_a_tier_edge
    {
        notes.push(format!("tier edges [{} UNCERTAIN]: {why}", table.tier_source));
    }

    // Data transfer to the origin, per group.
    for group in PriceGroup::ALL {
        let rate = &table.group(group).to_origin_per_gb;
        let sum = group_sum(usage, group, UsageType::DataTransferToOrigin)?;
        lines.push(Line {
            item: "DataTransfer-Out-OBytes",
            regions: regions_text(&sum.regions),
            price_group: Some(group),
            tier: String::new(),
            quantity: sum.quantity,
            unit: Unit::Gb,
            rate: rate.usd,
            rate_per: 1,
            source: source_of(rate),
        })?;
    }

    // Requests, per group and type.
    for group in PriceGroup::ALL {
        let rates = table.group(group);
        for (build, item, https) in REQUEST_KINDS {
            let rate = if https { &rates.requests_https_per_10000 } else { &rates.requests_http_per_10000 };
            let sum = group_sum(usage, group, build)?;
            let free_here = min(free_requests, sum.quantity);
            free_requests = free_requests.saturating_sub(free_here);
            let line = Line {
                item,
                regions: regions_text(&sum.regions),
                price_group: Some(group),
                tier: String::new(),
                quantity: sum.quantity,
                unit: Unit::Requests,
                rate: rate.usd,
                rate_per: 10_000,
                source: source_of(rate),
            };
            lines.push_with_free(line, free_here, "free tier")?;
        }
    }

    // Origin Shield, per Region.
    for region in AwsRegion::ALL {
        let rate = table.origin_shield(region);
        lines.push(Line {
            item: "OriginShield-Requests",
            regions: region.name().to_string(),
            price_group: None,
            tier: String::new(),
            quantity: usage.get(UsageType::OriginShieldRequests(region)),
            unit: Unit::Requests,
            rate: rate.usd,
            rate_per: 10_000,
            source: source_of(rate),
        })?;
    }

    // Invalidation paths: the first ones each month are free, always.
    let paths = usage.get(UsageType::Invalidations);
    let free_paths = min(table.invalidation_free_paths, paths);
    let rate = &table.invalidation_per_path;
    lines.push_with_free(
        Line {
            item: "Invalidations",
            regions: String::new(),
            price_group: None,
            tier: format!("over {} paths", table.invalidation_free_paths),
            quantity: paths,
            unit: Unit::Paths,
            rate: rate.usd,
            rate_per: 1,
            source: source_of(rate),
        },
        free_paths,
        &format!("first {} paths", table.invalidation_free_paths),
    )?;

    // CloudFront Functions.
    let invocations = usage.get(UsageType::FunctionInvocations);
    let rate = &table.functions_per_million;
    lines.push_with_free(
        Line {
            item: "CloudFrontFunctions-Invocations",
            regions: String::new(),
            price_group: None,
            tier: String::new(),
            quantity: invocations,
            unit: Unit::Invocations,
            rate: rate.usd,
            rate_per: 1_000_000,
            source: source_of(rate),
        },
        min(free_invocations, invocations),
        "free tier",
    )?;

    // Lambda@Edge: one rate everywhere, so one line each for all Regions.
    let rate = &table.lambda_edge_per_million_requests;
    lines.push(Line {
        item: "Lambda-Edge-Request",
        regions: String::new(),
        price_group: None,
        tier: String::new(),
        quantity: total_of(usage, |t| matches!(t, UsageType::LambdaEdgeRequests(_)))?,
        unit: Unit::Requests,
        rate: rate.usd,
        rate_per: 1_000_000,
        source: source_of(rate),
    })?;
    let rate = &table.lambda_edge_per_gb_second;
    lines.push(Line {
        item: "Lambda-Edge-GB-Second",
        regions: String::new(),
        price_group: None,
        tier: String::new(),
        quantity: total_of(usage, |t| matches!(t, UsageType::LambdaEdgeGbSeconds(_)))?,
        unit: Unit::GbSeconds,
        rate: rate.usd,
        rate_per: 1,
        source: source_of(rate),
    })?;

    let others: [(&str, Quantity, Unit, &Rate, u64); 3] = [
        (
            "Requests-HTTPS-Proxy-FLE",
            total_of(usage, |t| matches!(t, UsageType::FieldLevelEncryptionRequests(_)))?,
            Unit::Requests,
            &table.field_level_encryption_per_10000,
            10_000,
        ),
        (
            "RealtimeLogs-Lines",
            usage.get(UsageType::RealtimeLogLines),
            Unit::Lines,
            &table.realtime_logs_per_million_lines,
            1_000_000,
        ),
        (
            "SSL-Cert-Custom",
            usage.get(UsageType::DedicatedIpCertificates),
            Unit::CertificateMonths,
            &table.dedicated_ip_certificate_per_month,
            1,
        ),
    ];
    for (item, quantity, unit, rate, rate_per) in others {
        lines.push(Line {
            item,
            regions: String::new(),
            price_group: None,
            tier: String::new(),
            quantity,
            unit,
            rate: rate.usd,
            rate_per,
            source: source_of(rate),
        })?;
    }

    let total = sum(&lines.items)?;
    Ok(Bill {
        table_origin: table.origin.clone(),
        table_date: table.date.clone(),
        options: Options { free_tier, ..Options::default() },
        items: lines.items,
        total,
        waf_credit: None,
        flat_rate: None,
        notes,
    })
}

fn apply_savings_bundle(bill: &mut Bill, table: &PricingTable, commitment: Usd) -> Result<(), PriceError> {
    let terms = &table.savings_bundle;
    let charges = sum(&bill.items)?;
    let credit = divide(commitment, terms.credit_divisor).ok_or(PriceError::TooLarge)?;
    let applied = credit.min(charges);
    let commitment_q = commitment.as_quantity().ok_or(PriceError::TooLarge)?;
    let waf = line_amount(commitment_q, terms.waf_credit_share, 1).ok_or(PriceError::TooLarge)?;
    let one = Quantity::from_count(1);
    let bundle_line = |item: &str, amount: Usd| LineItem {
        item: item.to_string(),
        regions: String::new(),
        price_group: None,
        tier: String::new(),
        quantity: one,
        unit: "Months",
        rate: Quantity::from_pico(amount.cents().abs() * 10_000_000_000).unwrap_or_default(),
        rate_per: 1,
        amount,
        source: terms.source.clone(),
    };
    bill.items.push(bundle_line("Security Savings Bundle commitment", commitment));
    bill.items.push(bundle_line("Security Savings Bundle credit", applied.negated()));
    bill.waf_credit = Some(waf);
    bill.notes.push(format!(
        "Security Savings Bundle [{}]: commitment ${} a month buys ${} of CloudFront credit (commitment / {}); \
         ${} of it covers the ${} of charges{}; AWS WAF credit ${} (not on this bill)",
        terms.source,
        commitment.grouped(),
        credit.grouped(),
        terms.credit_divisor,
        applied.grouped(),
        charges.grouped(),
        if charges > credit { ", the rest is paid at the standard rates" } else { "; the unused credit expires" },
        waf.grouped(),
    ));
    Ok(())
}

fn price_flat_rate(usage: &Usage, table: &PricingTable, options: &Options, name: &str) -> Result<Bill, PriceError> {
    let plan = table.flat_rate_plan(name).ok_or_else(|| PriceError::UnknownPlan {
        name: name.to_string(),
        known: table.flat_rate_plans.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "),
    })?;
    let pay_as_you_go = pay_as_you_go(usage, table, false)?;
    let requests = total_of(usage, |t| {
        matches!(
            t,
            UsageType::RequestsHttp(_)
                | UsageType::RequestsHttps(_)
                | UsageType::RequestsHttpProxy(_)
                | UsageType::RequestsHttpsProxy(_)
        )
    })?;
    let data_transfer_gb = total_of(usage, |t| matches!(t, UsageType::DataTransferOut(_)))?;
    let fee = line_amount(Quantity::from_count(1), plan.fee.usd, 1).ok_or(PriceError::TooLarge)?;
    let report = FlatRateReport {
        plan: plan.name.clone(),
        fee,
        requests,
        requests_allowed: plan.requests,
        data_transfer_gb,
        data_transfer_gb_allowed: plan.data_transfer_gb,
        pay_as_you_go: pay_as_you_go.total,
    };
    let mut notes = vec![format!(
        "flat-rate plan {} [{}]: the plan fee is the bill; {} of {} requests and {} of {} GB out used",
        plan.name, plan.fee.source, requests, plan.requests, data_transfer_gb, plan.data_transfer_gb
    )];
    if report.over_allowance() {
        notes.push("usage is over the plan's allowance: delivery may be degraded; no overage is billed".to_string());
    }
    notes.push(format!("the same usage pay-as-you-go (no free tier): ${}", pay_as_you_go.total.grouped()));
    let items = vec![LineItem {
        item: format!("Flat-rate plan {}", plan.name),
        regions: String::new(),
        price_group: None,
        tier: String::new(),
        quantity: Quantity::from_count(1),
        unit: "Months",
        rate: plan.fee.usd,
        rate_per: 1,
        amount: fee,
        source: source_of(&plan.fee),
    }];
    Ok(Bill {
        table_origin: table.origin.clone(),
        table_date: table.date.clone(),
        options: options.clone(),
        total: sum(&items)?,
        items,
        waf_credit: None,
        flat_rate: Some(report),
        notes,
    })
}

/// The columns of `cost.csv`.
pub const COST_HEADER: &str = "item,regions,price_group,tier,quantity,unit,rate_usd,rate_per,amount_usd,source,note";

/// Quotes a CSV field when it needs it.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

impl Bill {
    /// `cost.csv`: a header ([`COST_HEADER`]), one row per line item, a
    /// `Total` row, then one `Note` row per rule applied (text in `note`).
    pub fn to_csv(&self) -> String {
        let mut out = format!("{COST_HEADER}\n");
        for item in &self.items {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},",
                csv_field(&item.item),
                item.regions,
                item.price_group.map_or("", PriceGroup::as_str),
                csv_field(&item.tier),
                item.quantity,
                item.unit,
                item.rate,
                item.rate_per,
                item.amount,
                item.source,
            );
        }
        let _ = writeln!(out, "Total,,,,,,,,{},,", self.total);
        if let Some(waf) = self.waf_credit {
            let _ = writeln!(out, "AWS WAF credit,,,,,,,,{waf},,not subtracted: it pays for AWS WAF");
        }
        for note in &self.notes {
            let _ = writeln!(out, "Note,,,,,,,,,,{}", csv_field(note));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        text.parse().unwrap()
    }

    fn usage(lines: &[(UsageType, &str)]) -> Usage {
        let mut usage = Usage::new();
        for (t, quantity) in lines {
            usage.add(*t, q(quantity)).unwrap();
        }
        usage
    }

    fn bill(lines: &[(UsageType, &str)], options: &Options) -> Bill {
        price(&usage(lines), &PricingTable::built_in(), options).unwrap()
    }

    fn dollars(text: &str) -> Usd {
        text.parse().unwrap()
    }

    /// The amounts of the lines whose item is `item`.
    fn amounts(bill: &Bill, item: &str) -> Vec<Usd> {
        bill.items.iter().filter(|i| i.item == item).map(|i| i.amount).collect()
    }

    fn dto(region: RegionCode, gb: &str) -> (UsageType, &str) {
        (UsageType::DataTransferOut(region), gb)
    }

    #[test]
    fn e4_the_us_tiers_of_12_340_000_gb() {
        // infracost's golden file, United States, Mexico and Canada, no free tier:
        //   First 10 TB   10,240 GB × $0.085 =     $870.40
        //   Next 40 TB    40,960 GB × $0.080 =   $3,276.80
        //   Next 100 TB  102,400 GB × $0.060 =   $6,144.00
        //   Next 350 TB  358,400 GB × $0.040 =  $14,336.00
        //   Next 524 TB  536,576 GB × $0.030 =  $16,097.28
        //   Next 4 PB  4,194,304 GB × $0.025 = $104,857.60
        //   Over 5 PB  7,097,120 GB × $0.020 = $141,942.40
        //   (the quantities sum to 12,340,000 GB)  total $287,524.48
        let bill = bill(&[dto(RegionCode::Us, "12340000")], &Options::default());
        let tiers: Vec<(String, String, Usd)> =
            bill.items.iter().map(|i| (i.tier.clone(), i.quantity.to_string(), i.amount)).collect();
        let expected = [
            ("First 10 TB", "10240", "870.40"),
            ("Next 40 TB", "40960", "3276.80"),
            ("Next 100 TB", "102400", "6144.00"),
            ("Next 350 TB", "358400", "14336.00"),
            ("Next 524 TB", "536576", "16097.28"),
            ("Next 4 PB", "4194304", "104857.60"),
            ("Over 5 PB", "7097120", "141942.40"),
        ]
        .map(|(t, gb, usd)| (t.to_string(), gb.to_string(), dollars(usd)));
        assert_eq!(tiers, expected);
        assert_eq!(bill.total, dollars("287524.48"));
        assert!(bill.items.iter().all(|i| i.price_group == Some(PriceGroup::UnitedStates) && i.regions == "US"));
    }

    #[test]
    fn e5_each_groups_transfer_total() {
        // The same file's per-region sums of its tier lines, e.g. India, 72,340,000 GB:
        //   10,240 × 0.109 = 1,116.16; 40,960 × 0.085 = 3,481.60; 102,400 × 0.082 = 8,396.80;
        //   358,400 × 0.080 = 28,672.00; 536,576 × 0.078 = 41,852.928 → 41,852.93;
        //   4,194,304 × 0.075 = 314,572.80; 67,097,120 × 0.072 = 4,830,992.64
        //   → $5,229,084.93 (the only line that rounds is the 524 TB one).
        // Europe has the United States' rates: 22,340,000 GB is E4 plus 10,000,000 GB
        // × $0.020 = $200,000 more: $487,524.48.
        let cases = [
            (RegionCode::Eu, "22340000", "487524.48"),
            (RegionCode::Za, "32340000", "1369109.76"),
            (RegionCode::Sa, "42340000", "1769109.76"),
            (RegionCode::Jp, "52340000", "3206079.36"),
            (RegionCode::Au, "62340000", "5020357.12"),
            (RegionCode::Ap, "62340000", "3809663.36"),
            (RegionCode::In, "72340000", "5229084.93"),
        ];
        for (region, gb, total) in cases {
            let bill = bill(&[dto(region, gb)], &Options::default());
            assert_eq!(bill.total, dollars(total), "{region}");
        }
    }

    #[test]
    fn e6_transfer_to_the_origin() {
        // GB × the group's rate:
        //   US 1,234 × 0.02 = 24.68; EU 2,234 × 0.02 = 44.68; ZA 3,234 × 0.06 = 194.04;
        //   SA 4,234 × 0.125 = 529.25; JP 5,234 × 0.06 = 314.04; AU 6,234 × 0.08 = 498.72;
        //   AP 7,234 × 0.06 = 434.04; IN 8,234 × 0.16 = 1,317.44.
        use RegionCode::*;
        let lines = [
            (Us, "1234", "24.68"),
            (Eu, "2234", "44.68"),
            (Za, "3234", "194.04"),
            (Sa, "4234", "529.25"),
            (Jp, "5234", "314.04"),
            (Au, "6234", "498.72"),
            (Ap, "7234", "434.04"),
            (In, "8234", "1317.44"),
        ];
        let bill = bill(&lines.map(|(r, gb, _)| (UsageType::DataTransferToOrigin(r), gb)), &Options::default());
        assert_eq!(amounts(&bill, "DataTransfer-Out-OBytes"), lines.map(|(_, _, usd)| dollars(usd)));
    }

    #[test]
    fn e7_requests_per_10_000() {
        // The golden file counts in units of 10,000 requests; the usage file in requests.
        //   HTTP US 12.3402 × $0.0075 = $0.0925515 → $0.09;  HTTPS US 12.34 × $0.01 = $0.1234 → $0.12
        //   HTTP SA 42.3402 × $0.016 = $0.6774432 → $0.68;   HTTPS SA 42.34 × $0.022 = $0.93148 → $0.93
        //   HTTPS AU 62.34 × $0.0125 = $0.77925 → $0.78
        use RegionCode::*;
        let bill = bill(
            &[
                (UsageType::RequestsHttp(Us), "123402"),
                (UsageType::RequestsHttps(Us), "123400"),
                (UsageType::RequestsHttp(Sa), "423402"),
                (UsageType::RequestsHttps(Sa), "423400"),
                (UsageType::RequestsHttps(Au), "623400"),
            ],
            &Options::default(),
        );
        assert_eq!(amounts(&bill, "Requests-Tier1"), [dollars("0.09"), dollars("0.68")]);
        assert_eq!(amounts(&bill, "Requests-Tier2-HTTPS"), [dollars("0.12"), dollars("0.93"), dollars("0.78")]);
        // 0.09 + 0.68 + 0.12 + 0.93 + 0.78: the total adds the rounded lines.
        assert_eq!(bill.total, dollars("2.60"));
    }

    #[test]
    fn e8_invalidations_encryption_logs_and_certificates() {
        //   12,340 paths: 1,000 free, 11,340 × $0.005 = $56.70
        //   12.34 × 10,000 FLE requests × $0.02 / 10,000 = $0.2468 → $0.25
        //   12,340,000 log lines × $0.01 / 1,000,000 = $0.1234 → $0.12
        //   12 dedicated-IP certificates × $600 = $7,200.00
        //   total $7,257.07
        let bill = bill(
            &[
                (UsageType::Invalidations, "12340"),
                (UsageType::FieldLevelEncryptionRequests(RegionCode::Eu), "123400"),
                (UsageType::RealtimeLogLines, "12340000"),
                (UsageType::DedicatedIpCertificates, "12"),
            ],
            &Options::default(),
        );
        assert_eq!(amounts(&bill, "Invalidations"), [Usd::ZERO, dollars("56.70")]);
        assert_eq!(bill.items[1].quantity, Quantity::from_count(11_340));
        assert_eq!(amounts(&bill, "Requests-HTTPS-Proxy-FLE"), [dollars("0.25")]);
        assert_eq!(amounts(&bill, "RealtimeLogs-Lines"), [dollars("0.12")]);
        assert_eq!(amounts(&bill, "SSL-Cert-Custom"), [dollars("7200.00")]);
        assert_eq!(bill.total, dollars("7257.07"));
    }

    #[test]
    fn e3_invalidating_1800_paths_costs_four_dollars() {
        // 3 distributions × 600 paths = 1,800 paths: 1,000 free, 800 × $0.005 = $4.00.
        let bill = bill(&[(UsageType::Invalidations, "1800")], &Options::default());
        assert_eq!(bill.total, dollars("4.00"));
        // Within the free paths: nothing to pay.
        let bill = self::bill(&[(UsageType::Invalidations, "1000")], &Options::default());
        assert_eq!(bill.total, Usd::ZERO);
    }

    #[test]
    fn e9_the_free_tier_comes_off_the_us_first_tier() {
        // smallestbusiness.com, US rates, 1 TB free off the first 10 TB, 1 TB = 1,024 GB;
        // it prints whole dollars, the bill has the cents:
        //     1 TB =   1,024 GB: all free                                          $0
        //     5 TB =   5,120 GB: (5,120 − 1,024) × 0.085 = 4,096 × 0.085        = $348.16
        //    10 TB =  10,240 GB: 9,216 × 0.085                                  = $783.36
        //    50 TB =  51,200 GB: 783.36 + 40,960 × 0.080 = 783.36 + 3,276.80    = $4,060.16
        //   100 TB = 102,400 GB: 4,060.16 + 51,200 × 0.060 = 4,060.16 + 3,072   = $7,132.16
        //   500 TB = 512,000 GB: 4,060.16 + 102,400 × 0.060 + 358,400 × 0.040
        //                      = 4,060.16 + 6,144 + 14,336                      = $24,540.16
        let free = Options { free_tier: true, ..Options::default() };
        let cases = [
            ("1024", "0.00"),
            ("5120", "348.16"),
            ("10240", "783.36"),
            ("51200", "4060.16"),
            ("102400", "7132.16"),
            ("512000", "24540.16"),
        ];
        for (gb, total) in cases {
            assert_eq!(bill(&[dto(RegionCode::Us, gb)], &free).total, dollars(total), "{gb} GB");
        }
    }

    #[test]
    fn the_free_tier_flows_on_in_the_pricing_pages_order() {
        // 500 GB from the US and 800 GB from Japan: the US takes 500 free GB, Europe has
        // none, ... Japan the remaining 524 GB; 276 GB × $0.114 = $31.464 → $31.46.
        // Requests: 10,000,000 free: the US's 6,000,000 HTTPS first, then its 5,000,000
        // HTTP (4,000,000 free, 1,000,000 × $0.0075 / 10,000 = $0.75).
        // Functions: 2,500,000 invocations, 2,000,000 free, 500,000 × $0.10 / 10^6 = $0.05.
        let free = Options { free_tier: true, ..Options::default() };
        let bill = bill(
            &[
                dto(RegionCode::Us, "500"),
                dto(RegionCode::Jp, "800"),
                (UsageType::RequestsHttp(RegionCode::Us), "5000000"),
                (UsageType::RequestsHttps(RegionCode::Us), "6000000"),
                (UsageType::FunctionInvocations, "2500000"),
            ],
            &free,
        );
        let jp: Vec<(String, String, Usd)> = bill
            .items
            .iter()
            .filter(|i| i.price_group == Some(PriceGroup::Japan))
            .map(|i| (i.tier.clone(), i.quantity.to_string(), i.amount))
            .collect();
        assert_eq!(
            jp,
            [
                ("First 10 TB (free tier)".to_string(), "524".to_string(), Usd::ZERO),
                ("First 10 TB".to_string(), "276".to_string(), dollars("31.46")),
            ]
        );
        assert_eq!(amounts(&bill, "Requests-Tier2-HTTPS"), [Usd::ZERO]);
        assert_eq!(amounts(&bill, "Requests-Tier1"), [Usd::ZERO, dollars("0.75")]);
        assert_eq!(amounts(&bill, "CloudFrontFunctions-Invocations"), [Usd::ZERO, dollars("0.05")]);
        assert_eq!(bill.total, dollars("32.26"));
    }

    #[test]
    fn tier_edges_are_exact() {
        // Exactly 10,240 GB stays in the first tier; 10,240.000000000001 GB puts
        // 10^-12 GB in the second, at $0.08: $0.00000000000008, which rounds to $0.00.
        let bill = bill(&[dto(RegionCode::Us, "10240")], &Options::default());
        assert_eq!(bill.items.len(), 1);
        let bill = self::bill(&[dto(RegionCode::Us, "10240.000000000001")], &Options::default());
        assert_eq!(bill.items.len(), 2);
        assert_eq!(bill.items[1].quantity.to_string(), "0.000000000001");
        assert_eq!(bill.items[1].tier, "Next 40 TB");
        assert_eq!(bill.total, dollars("870.40"));
    }

    #[test]
    fn canada_shares_the_us_tiers_and_the_middle_east_south_africas() {
        // US 10,000 GB + CA 1,000 GB = 11,000 GB in one set of tiers:
        // 10,240 × 0.085 = 870.40 and 760 × 0.080 = 60.80 → $931.20.
        // Priced apart they would have been 10,000 × 0.085 + 1,000 × 0.085 = $935.00.
        let bill = bill(&[dto(RegionCode::Us, "10000"), dto(RegionCode::Ca, "1000")], &Options::default());
        assert_eq!(bill.total, dollars("931.20"));
        assert_eq!(bill.items[0].regions, "US+CA");
        let bill = self::bill(&[dto(RegionCode::Za, "10000"), dto(RegionCode::Me, "1000")], &Options::default());
        // 10,240 × 0.110 = 1,126.40; 760 × 0.105 = 79.80 → $1,206.20.
        assert_eq!(bill.total, dollars("1206.20"));
        assert_eq!(bill.items[0].price_group, Some(PriceGroup::SouthAfricaMiddleEast));
    }

    #[test]
    fn origin_shield_and_lambda_edge() {
        // Origin Shield: 100,000 requests in us-east-1 × $0.0075 / 10,000 = $0.075 → $0.08;
        // 100,000 in sa-east-1 × $0.016 / 10,000 = $0.16.
        // Lambda@Edge: 1,000,000 + 500,000 requests × $0.60 / 10^6 = $0.90;
        // 10,000 GB-s × $0.00005001 = $0.5001 → $0.50. Total $1.64.
        let bill = bill(
            &[
                (UsageType::OriginShieldRequests(AwsRegion::UsEast1), "100000"),
                (UsageType::OriginShieldRequests(AwsRegion::SaEast1), "100000"),
                (UsageType::LambdaEdgeRequests(AwsRegion::UsEast1), "1000000"),
                (UsageType::LambdaEdgeRequests(AwsRegion::EuWest1), "500000"),
                (UsageType::LambdaEdgeGbSeconds(AwsRegion::UsEast1), "10000"),
            ],
            &Options::default(),
        );
        assert_eq!(amounts(&bill, "OriginShield-Requests"), [dollars("0.08"), dollars("0.16")]);
        assert_eq!(amounts(&bill, "Lambda-Edge-Request"), [dollars("0.90")]);
        assert_eq!(amounts(&bill, "Lambda-Edge-GB-Second"), [dollars("0.50")]);
        assert_eq!(bill.total, dollars("1.64"));
        // Lambda@Edge has no free tier: the option changes nothing here.
        let free = Options { free_tier: true, ..Options::default() };
        assert_eq!(
            self::bill(&[(UsageType::LambdaEdgeRequests(AwsRegion::UsEast1), "1000000")], &free).total,
            dollars("0.60")
        );
    }

    #[test]
    fn e1_a_420_dollar_bundle_covers_600_dollars() {
        // $600 of usage, made of US HTTPS requests (a round number of them):
        // 600,000,000 × $0.01 / 10,000 = $600.00.
        // Commitment $420 = $600 × 0.7: credit $420 / 0.7 = $600, covering all of it.
        // Bill: $600 charges + $420 commitment − $600 credit = $420; WAF credit 10 % = $42.
        // Savings $180 + $42 a month: 12 × $222 = $2,664 a year, as the Developer Guide says.
        let usage = [(UsageType::RequestsHttps(RegionCode::Us), "600000000")];
        let plain = bill(&usage, &Options::default());
        assert_eq!(plain.total, dollars("600.00"));
        let bundle = bill(&usage, &Options { savings_bundle: Some(dollars("420")), ..Options::default() });
        assert_eq!(bundle.total, dollars("420.00"));
        assert_eq!(amounts(&bundle, "Security Savings Bundle credit"), [dollars("600.00").negated()]);
        assert_eq!(bundle.waf_credit, Some(dollars("42.00")));
        let monthly = plain.total.cents() - bundle.total.cents() + bundle.waf_credit.unwrap().cents();
        assert_eq!(12 * monthly, dollars("2664").cents());
    }

    #[test]
    fn e2_a_100_dollar_bundle_covers_142_86_dollars() {
        // $100 / 0.7 = $142.857… → $142.86 of credit; $10 of WAF credit.
        // With $200 of usage (200,000,000 US HTTPS requests): $100 + $200 − $142.86 = $157.14.
        // With $50 of usage: the credit covers it, the rest expires: the bill is the $100.
        let options = Options { savings_bundle: Some(dollars("100")), ..Options::default() };
        let over = bill(&[(UsageType::RequestsHttps(RegionCode::Us), "200000000")], &options);
        assert_eq!(amounts(&over, "Security Savings Bundle credit"), [dollars("142.86").negated()]);
        assert_eq!(over.total, dollars("157.14"));
        assert_eq!(over.waf_credit, Some(dollars("10.00")));
        let under = bill(&[(UsageType::RequestsHttps(RegionCode::Us), "50000000")], &options);
        assert_eq!(under.total, dollars("100.00"));
    }

    #[test]
    fn a_flat_rate_plan_bills_its_fee_and_flags_usage_over_the_allowance() {
        // Pro: $15, 10,000,000 requests, 51,200 GB. 12,000,000 requests is over;
        // pay-as-you-go they would be 12,000,000 × $0.01 / 10,000 = $12.00.
        let options = Options { flat_rate: Some("pro".into()), ..Options::default() };
        let over = bill(&[(UsageType::RequestsHttps(RegionCode::Us), "12000000")], &options);
        assert_eq!(over.total, dollars("15.00"));
        let report = over.flat_rate.as_ref().unwrap();
        assert!(report.over_allowance());
        assert_eq!(report.pay_as_you_go, dollars("12.00"));
        assert!(over.notes.iter().any(|n| n.contains("delivery may be degraded; no overage is billed")));
        let within = bill(&[dto(RegionCode::Eu, "51200")], &options);
        assert!(!within.flat_rate.as_ref().unwrap().over_allowance());
        assert!(!within.notes.iter().any(|n| n.contains("degraded")));

        let table = PricingTable::built_in();
        let e = price(&Usage::new(), &table, &Options { flat_rate: Some("gold".into()), ..Options::default() });
        assert!(e.unwrap_err().to_string().contains("use one of: free, pro, business, premium"));
        let e = price(&Usage::new(), &table, &Options { free_tier: true, ..options.clone() });
        assert!(matches!(e, Err(PriceError::PlanWithOption(_))));
    }

    #[test]
    fn cost_csv_lists_items_the_total_and_the_rules() {
        let bill = bill(
            &[dto(RegionCode::Us, "10240"), (UsageType::Invalidations, "1800")],
            &Options { savings_bundle: Some(dollars("100")), ..Options::default() },
        );
        // 870.40 + 4.00 = 874.40 charges; + 100 − 142.86 = 831.54.
        let csv = bill.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], COST_HEADER);
        assert_eq!(lines[1], "DataTransfer-Out-Bytes,US,united-states,First 10 TB,10240,GB,0.085,1,870.40,S1,");
        assert_eq!(lines[2], "Invalidations,,,first 1000 paths,1000,Paths,0,1,0.00,S2,");
        assert_eq!(lines[3], "Invalidations,,,over 1000 paths,800,Paths,0.005,1,4.00,S2,");
        assert_eq!(lines[6], "Total,,,,,,,,831.54,,");
        assert!(lines[7].starts_with("AWS WAF credit,,,,,,,,10.00,"));
        assert!(lines[8].starts_with("Note,,,,,,,,,,\"each line is rounded to the cent (half up)"));
        assert!(lines.iter().all(|l| l.starts_with('"') || !l.is_empty()));
    }
}
