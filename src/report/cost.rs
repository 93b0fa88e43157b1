//! A run's bill in its results: `cost.csv` (`Bill::to_csv`), the summary's
//! `cost` (total, table, options, line items and subtotals by category) and
//! the summary table's line. Every run writes them.
//!
//! Pricing happens here, after the run, from the usage scaled to the cost
//! period (`usage.rs`) with the scenario's `[cost]` table and options: the
//! engine counts usage and never sees a price. `cdnsim cost usage.csv` with
//! the same table and options prices the same usage to the same bill.

use super::usage::ScaledUsage;
use crate::scenario::CostSpec;
use cdnsim_cost::{Bill, LineItem, Options, Usd, price};
use serde::Serialize;

/// What a line of the bill pays for: the summary's subtotals, the sweep's
/// `cost_*_usd` columns and the run report's breakdown chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Data transfer out to viewers (`DataTransfer-Out-Bytes`).
    Transfer,
    /// Viewer requests: the four request types.
    Requests,
    /// Data transfer out to the origin (`DataTransfer-Out-OBytes`).
    ToOrigin,
    OriginShield,
    Invalidations,
    /// CloudFront Functions and Lambda@Edge.
    Functions,
    /// Field-level encryption, real-time logs, certificates.
    Other,
    /// A Security Savings Bundle's commitment and credit, or a flat-rate
    /// plan's fee.
    Plan,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Transfer,
        Category::Requests,
        Category::ToOrigin,
        Category::OriginShield,
        Category::Invalidations,
        Category::Functions,
        Category::Other,
        Category::Plan,
    ];

    /// The name in JSON subtotals and in the sweep's `cost_<name>_usd` column.
    pub fn name(self) -> &'static str {
        match self {
            Category::Transfer => "transfer",
            Category::Requests => "requests",
            Category::ToOrigin => "to_origin",
            Category::OriginShield => "origin_shield",
            Category::Invalidations => "invalidations",
            Category::Functions => "functions",
            Category::Other => "other",
            Category::Plan => "plan",
        }
    }

    /// For people: chart bars and legends.
    pub fn label(self) -> &'static str {
        match self {
            Category::Transfer => "data transfer out",
            Category::Requests => "requests",
            Category::ToOrigin => "to origin",
            Category::OriginShield => "Origin Shield",
            Category::Invalidations => "invalidations",
            Category::Functions => "functions",
            Category::Other => "other",
            Category::Plan => "bundle / plan",
        }
    }

    /// The category of a line of the bill.
    pub fn of(item: &LineItem) -> Category {
        Category::of_item(&item.item)
    }

    /// The category of a line by its `item` (the usage type without its
    /// region, or a bundle or plan line; names in crates/cdnsim-cost), as
    /// `cost.csv`'s `item` column has it.
    pub fn of_item(item: &str) -> Category {
        match item {
            "DataTransfer-Out-Bytes" => Category::Transfer,
            "DataTransfer-Out-OBytes" => Category::ToOrigin,
            "Requests-Tier1" | "Requests-Tier2-HTTPS" | "Requests-HTTP-Proxy" | "Requests-HTTPS-Proxy" => {
                Category::Requests
            }
            "OriginShield-Requests" => Category::OriginShield,
            "Invalidations" => Category::Invalidations,
            "CloudFrontFunctions-Invocations" | "Lambda-Edge-Request" | "Lambda-Edge-GB-Second" => Category::Functions,
            name if name.starts_with("Security Savings Bundle") || name.starts_with("Flat-rate plan") => Category::Plan,
            _ => Category::Other,
        }
    }
}

/// Prices the run's scaled usage with the scenario's table and options.
///
/// It fails only for a bill past 10^36 dollars (an absurd pricing table or
/// cost period): the options were checked against the table at load.
pub fn bill(usage: &ScaledUsage, cost: &CostSpec) -> anyhow::Result<Bill> {
    price(&usage.scaled, &cost.pricing, &cost.options).map_err(|e| {
        anyhow::anyhow!(
            "cannot price the run's usage over the cost period: {e} (lower cost.period or correct the pricing table {})",
            cost.pricing.origin
        )
    })
}

/// `cost.csv`: the bill's line items, total and notes.
pub fn cost_csv(bill: &Bill) -> Vec<u8> {
    bill.to_csv().into_bytes()
}

/// The summary's `cost`. Amounts are dollars (cents exactly: `cost.csv`
/// holds the same numbers as text).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CostSummary {
    /// The bill's total: the sum of the items' amounts.
    pub total_usd: f64,
    /// The day the table's prices were read (`YYYY-MM-DD`).
    pub pricing_date: String,
    /// Where the table came from: `built-in` or its file.
    pub pricing: String,
    pub period_seconds: f64,
    pub options: CostOptions,
    /// Sums of the items' amounts by category; they add up to the total.
    pub subtotals: CostSubtotals,
    pub items: Vec<CostItem>,
    /// The AWS WAF credit that comes with a Savings Bundle (not subtracted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waf_credit_usd: Option<f64>,
    /// Usage against a flat-rate plan's allowances, when a plan is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat_rate: Option<FlatRateSummary>,
    /// The rules applied, in words (also the `Note` rows of `cost.csv`).
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CostOptions {
    pub free_tier: bool,
    pub savings_bundle_usd: Option<f64>,
    pub flat_rate: Option<String>,
}

/// One field per `Category`, in its order.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct CostSubtotals {
    pub transfer_usd: f64,
    pub requests_usd: f64,
    pub to_origin_usd: f64,
    pub origin_shield_usd: f64,
    pub invalidations_usd: f64,
    pub functions_usd: f64,
    pub other_usd: f64,
    pub plan_usd: f64,
}

impl CostSubtotals {
    pub fn get(&self, category: Category) -> f64 {
        match category {
            Category::Transfer => self.transfer_usd,
            Category::Requests => self.requests_usd,
            Category::ToOrigin => self.to_origin_usd,
            Category::OriginShield => self.origin_shield_usd,
            Category::Invalidations => self.invalidations_usd,
            Category::Functions => self.functions_usd,
            Category::Other => self.other_usd,
            Category::Plan => self.plan_usd,
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CostItem {
    /// The usage type without its region, or a bundle or plan line.
    pub usage_type: String,
    pub category: &'static str,
    /// The usage regions summed into the line (`US+CA`), or the AWS Region.
    pub regions: String,
    /// The pricing page's column (`united-states`); absent for global items.
    pub price_group: Option<String>,
    pub tier: String,
    pub quantity: f64,
    pub unit: &'static str,
    /// Dollars per `rate_per` units.
    pub rate_usd: f64,
    pub rate_per: u64,
    pub amount_usd: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FlatRateSummary {
    pub plan: String,
    pub fee_usd: f64,
    pub requests: f64,
    pub requests_allowed: f64,
    pub data_transfer_gb: f64,
    pub data_transfer_gb_allowed: f64,
    /// What the same usage costs pay-as-you-go.
    pub pay_as_you_go_usd: f64,
    /// Usage passes an allowance: delivery may be degraded (no overage is
    /// billed).
    pub over_allowance: bool,
}

/// Dollars as a number. Exact to the cent for any bill below 2^53 cents
/// (90 trillion dollars); `cost.csv` has the exact text.
fn dollars(amount: Usd) -> f64 {
    amount.cents() as f64 / 100.0
}

pub fn cost_summary(bill: &Bill, usage: &ScaledUsage) -> CostSummary {
    let mut cents = [0i128; Category::ALL.len()];
    let items = bill
        .items
        .iter()
        .map(|item| {
            let category = Category::of(item);
            cents[category as usize] += item.amount.cents();
            CostItem {
                usage_type: item.item.clone(),
                category: category.name(),
                regions: item.regions.clone(),
                price_group: item.price_group.map(|g| g.to_string()),
                tier: item.tier.clone(),
                quantity: item.quantity.as_f64(),
                unit: item.unit,
                rate_usd: item.rate.as_f64(),
                rate_per: item.rate_per,
                amount_usd: dollars(item.amount),
            }
        })
        .collect();
    // Invariant (`Bill::total`): the items add up to the total, so the
    // subtotals do too.
    assert_eq!(cents.iter().sum::<i128>(), bill.total.cents(), "the bill's items add up to its total");
    let sub = |c: Category| dollars(Usd::from_cents(cents[c as usize]));
    CostSummary {
        total_usd: dollars(bill.total),
        pricing_date: bill.table_date.clone(),
        pricing: bill.table_origin.clone(),
        period_seconds: usage.period.as_secs_f64(),
        options: CostOptions {
            free_tier: bill.options.free_tier,
            savings_bundle_usd: bill.options.savings_bundle.map(dollars),
            flat_rate: bill.options.flat_rate.clone(),
        },
        subtotals: CostSubtotals {
            transfer_usd: sub(Category::Transfer),
            requests_usd: sub(Category::Requests),
            to_origin_usd: sub(Category::ToOrigin),
            origin_shield_usd: sub(Category::OriginShield),
            invalidations_usd: sub(Category::Invalidations),
            functions_usd: sub(Category::Functions),
            other_usd: sub(Category::Other),
            plan_usd: sub(Category::Plan),
        },
        items,
        waf_credit_usd: bill.waf_credit.map(dollars),
        flat_rate: bill.flat_rate.as_ref().map(|plan| FlatRateSummary {
            plan: plan.plan.clone(),
            fee_usd: dollars(plan.fee),
            requests: plan.requests.as_f64(),
            requests_allowed: plan.requests_allowed.as_f64(),
            data_transfer_gb: plan.data_transfer_gb.as_f64(),
            data_transfer_gb_allowed: plan.data_transfer_gb_allowed.as_f64(),
            pay_as_you_go_usd: dollars(plan.pay_as_you_go),
            over_allowance: plan.over_allowance(),
        }),
        notes: bill.notes.clone(),
    }
}

/// The options in words, as `cdnsim cost` prints them.
pub fn describe_options(options: &Options) -> String {
    if let Some(plan) = &options.flat_rate {
        return format!("flat-rate plan {plan}");
    }
    let free = if options.free_tier { "free tier" } else { "no free tier" };
    match options.savings_bundle {
        Some(commitment) => format!("{free}, Savings Bundle ${} a month", commitment.grouped()),
        None => free.to_string(),
    }
}

/// The summary table's line: `$1,234.56 (prices of 2026-12-02, period
/// 30 d, no free tier)`.
pub fn cost_line(summary: &CostSummary) -> String {
    let total = Usd::from_cents((summary.total_usd * 100.0).round() as i128);
    let options = Options {
        free_tier: summary.options.free_tier,
        savings_bundle: summary.options.savings_bundle_usd.map(|d| Usd::from_cents((d * 100.0).round() as i128)),
        flat_rate: summary.options.flat_rate.clone(),
    };
    let table = if summary.pricing == cdnsim_cost::BUILT_IN_NAME {
        format!("prices of {}", summary.pricing_date)
    } else {
        format!("prices of {} from {}", summary.pricing_date, summary.pricing)
    };
    let period = crate::units::format_duration(crate::time::SimDuration::from_secs_f64(summary.period_seconds));
    let over = match &summary.flat_rate {
        Some(plan) if plan.over_allowance => "; OVER THE PLAN'S ALLOWANCE",
        _ => "",
    };
    format!("${} ({table}, period {period}, {}{over})", total.grouped(), describe_options(&options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cdnsim_cost::{PricingTable, read_usage_csv};

    #[test]
    fn every_usage_type_lands_in_its_category() {
        let file = read_usage_csv(
            "u.csv",
            "usage_type,unit,quantity\n\
             US-DataTransfer-Out-Bytes,GB,1\n\
             US-DataTransfer-Out-OBytes,GB,1\n\
             US-Requests-Tier1,Requests,1\n\
             US-Requests-Tier2-HTTPS,Requests,1\n\
             US-Requests-HTTP-Proxy,Requests,1\n\
             US-Requests-HTTPS-Proxy,Requests,1\n\
             US-Requests-HTTPS-Proxy-FLE,Requests,1\n\
             USE1-OriginShield-Requests,Requests,1\n\
             Invalidations,Paths,1\n\
             CloudFrontFunctions-Invocations,Invocations,1\n\
             USE1-Lambda-Edge-Request,Requests,1\n\
             USE1-Lambda-Edge-GB-Second,GB-Seconds,1\n\
             RealtimeLogs-Lines,Lines,1\n",
        )
        .unwrap();
        let options = Options { savings_bundle: Some(Usd::from_cents(100)), ..Options::default() };
        let bill = price(&file.usage, &PricingTable::built_in(), &options).unwrap();
        let categories: Vec<(String, Category)> =
            bill.items.iter().map(|i| (i.item.clone(), Category::of(i))).collect();
        for (item, category) in &categories {
            let expected = match item.as_str() {
                "DataTransfer-Out-Bytes" => Category::Transfer,
                "DataTransfer-Out-OBytes" => Category::ToOrigin,
                "OriginShield-Requests" => Category::OriginShield,
                "Invalidations" => Category::Invalidations,
                i if i.starts_with("Requests-") && !i.ends_with("FLE") => Category::Requests,
                i if i.contains("Functions") || i.contains("Lambda") => Category::Functions,
                i if i.starts_with("Security Savings Bundle") => Category::Plan,
                _ => Category::Other,
            };
            assert_eq!(*category, expected, "{item}");
        }
        // Every category but the plan's is on this bill, and the bundle's too.
        for category in Category::ALL {
            assert!(categories.iter().any(|(_, c)| *c == category), "{category:?} in {categories:?}");
        }
    }

    #[test]
    fn the_summary_line_names_the_table_the_period_and_the_options() {
        let file = read_usage_csv("u.csv", "usage_type,unit,quantity\nUS-DataTransfer-Out-Bytes,GB,20000\n").unwrap();
        let usage = ScaledUsage {
            measured: crate::time::SimDuration::from_secs(1),
            period: crate::time::SimDuration::from_secs(7 * 86_400),
            scale: 604_800.0,
            simulated: file.usage.clone(),
            scaled: file.usage,
        };
        let cost = CostSpec { options: Options { free_tier: true, ..Options::default() }, ..CostSpec::default() };
        // 20,000 GB with 1,024 free: the first tier has 10,240 - 1,024 =
        // 9,216 GB at $0.085 = $783.36, the next 20,000 - 10,240 = 9,760 GB
        // at $0.080 = $780.80; $1,564.16 in all.
        let summary = cost_summary(&bill(&usage, &cost).unwrap(), &usage);
        assert_eq!(summary.total_usd, 1_564.16);
        assert_eq!(cost_line(&summary), "$1,564.16 (prices of 2026-12-02, period 7 d, free tier)");
    }
}
