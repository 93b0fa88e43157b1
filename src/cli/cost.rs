//! `cdnsim cost USAGE.csv`: prices a usage file with a pricing table, over the
//! `cdnsim_cost` crate. Files are read and written here and only here; the
//! crate gets text and gives a bill.

use anyhow::Context;
use cdnsim_cost::{Bill, Options, PricingTable, Usd, price, read_usage_csv};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CostArgs {
    /// The usage file: `usage_type,unit,quantity` lines, as a run's usage.csv
    /// (format: crates/cdnsim-cost/README.md).
    pub usage: PathBuf,
    /// A pricing table (TOML) instead of the built-in public prices of 2026-12-02.
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    /// Take off the always-free tier (1 TB out, 10,000,000 requests, 2,000,000 function
    /// invocations), United States first in the pricing page's column order, HTTPS before HTTP.
    #[arg(long)]
    pub free_tier: bool,
    /// A Security Savings Bundle with this monthly commitment in US dollars: you pay it, and a
    /// credit of commitment / 0.7 covers the charges.
    #[arg(long, value_name = "USD")]
    pub savings_bundle: Option<Usd>,
    /// Bill a flat-rate plan (free, pro, business, premium): the plan fee, with usage reported
    /// against its allowances.
    #[arg(long, value_name = "PLAN", conflicts_with_all = ["free_tier", "savings_bundle"])]
    pub flat_rate: Option<String>,
    /// Also write the line items to FILE as CSV (cost.csv; columns in the crate's README).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run_cost(args: CostArgs) -> anyhow::Result<ExitCode> {
    let table = match &args.pricing {
        None => PricingTable::built_in(),
        Some(path) => {
            let text = read_text(path, "pricing table")?;
            PricingTable::parse(&path.display().to_string(), &text)?
        }
    };
    let usage_name = args.usage.display().to_string();
    let usage_file = read_usage_csv(&usage_name, &read_text(&args.usage, "usage file")?)?;
    let options =
        Options { free_tier: args.free_tier, savings_bundle: args.savings_bundle, flat_rate: args.flat_rate.clone() };
    let bill = price(&usage_file.usage, &table, &options).with_context(|| format!("pricing {usage_name}"))?;

    // The file first: if it cannot be written, nothing claims it was.
    if let Some(out) = &args.out {
        write_whole(out, &bill.to_csv())?;
    }
    outln!("pricing table: {} (prices of {})", table.origin, table.date);
    outln!("usage:         {usage_name}");
    outln!("options:       {}", describe_options(&options));
    for (usage_type, lines) in &usage_file.repeated {
        let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
        outln!("note: {usage_type} is on lines {}; they were added up", lines.join(", "));
    }
    outln!();
    print_items(&bill)?;
    if let Some(out) = &args.out {
        eprintln!("cdnsim: wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn read_text(path: &Path, what: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read the {what} {}", path.display()))
}

fn describe_options(options: &Options) -> String {
    if let Some(plan) = &options.flat_rate {
        return format!("flat-rate plan {plan}");
    }
    let free = if options.free_tier { "always-free tier taken off" } else { "no free tier" };
    match options.savings_bundle {
        Some(commitment) => format!("{free}; Security Savings Bundle, ${} a month", commitment.grouped()),
        None => format!("{free}; no Savings Bundle"),
    }
}

fn print_items(bill: &Bill) -> anyhow::Result<()> {
    let header = ["item", "regions", "tier", "quantity", "unit", "rate (USD)", "amount (USD)"];
    let mut rows: Vec<[String; 7]> = bill
        .items
        .iter()
        .map(|i| {
            let per = if i.rate_per == 1 { String::new() } else { format!(" per {}", i.rate_per) };
            let source = if i.source.is_empty() { String::new() } else { format!(" [{}]", i.source) };
            let regions = match (i.regions.as_str(), i.price_group) {
                ("", Some(group)) => group.to_string(),
                (regions, _) => regions.to_string(),
            };
            [
                i.item.clone(),
                regions,
                i.tier.clone(),
                i.quantity.to_string(),
                i.unit.to_string(),
                format!("{}{per}{source}", i.rate),
                i.amount.grouped(),
            ]
        })
        .collect();
    rows.push(Default::default());
    rows.push([
        "Total".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        bill.total.grouped(),
    ]);
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            // Numbers right, words left.
            let right = matches!(i, 3 | 6);
            let pad = " ".repeat(w - cell.chars().count());
            text.push_str(&if right { format!("{pad}{cell}") } else { format!("{cell}{pad}") });
            text.push_str(if i + 1 < cells.len() { "  " } else { "" });
        }
        text.trim_end().to_string()
    };
    outln!("{}", line(&header.map(String::from)));
    for row in &rows {
        outln!("{}", line(row));
    }
    if let Some(waf) = bill.waf_credit {
        outln!("AWS WAF credit: ${} (not subtracted: it pays for AWS WAF)", waf.grouped());
    }
    if let Some(plan) = &bill.flat_rate {
        outln!(
            "flat-rate plan {}: requests {} of {}, data transfer out {} of {} GB{}",
            plan.plan,
            plan.requests,
            plan.requests_allowed,
            plan.data_transfer_gb,
            plan.data_transfer_gb_allowed,
            if plan.over_allowance() { " — OVER THE ALLOWANCE" } else { "" }
        );
    }
    outln!();
    for note in &bill.notes {
        outln!("note: {note}");
    }
    Ok(())
}

/// Writes under a temporary name and renames, so that a failed write leaves
/// no half-written file.
fn write_whole(path: &Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("csv.partial");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}
