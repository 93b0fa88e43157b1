//! Every run's bill (`cost.csv`, the summary's `cost`, sweep.csv's cost
//! columns) worked out by hand with the built-in rates of 2026-12-02:
//! United States data transfer out $0.085 per GB in the first 10 TB, HTTPS
//! requests $0.0100 per 10,000 (crates/cdnsim-cost/pricing). Requests are
//! scripted; script times are arrivals at the edge.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine;
use cdnsim::report;
use cdnsim::scenario::Scenario;
use cdnsim::time::SimTime;

/// One edge location (IAD1, under us-east-1: it bills in US) in front of
/// one origin; one class of 1 MiB objects cached for 10 minutes.
const ONE_US_EDGE: &str = r#"
[simulation]
requests = 10
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "30 ms"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
[distribution.default_behavior]
origin = "origin"
[traffic]
rate = 1
[[traffic.classes]]
name = "c"
share = 1
objects = 10
path = "/s/{id}"
size = "1 MiB"
cache_control = "max-age=600"
"#;

/// `two_regions`' origin: in us-east-1, no shield.
const ORIGIN_IN_US: &str = r#"
[[origins]]
name = "o"
region = "us-east-1"
latency = "40 ms"
[[topology.links]]
from = "us-east-1"
to = "o"
rtt = "30 ms"
[distribution.default_behavior]
origin = "o"
"#;

/// Ten HTTPS GETs of /s/1 at IAD1, one a second from 1 s to 10 s: the first
/// misses, the other nine are edge hits answered at once, so the last
/// response leaves at 10 s.
fn ten_gets(s: &Scenario) -> engine::Report {
    let catalog = Catalog::build(s, 1);
    let entries: Vec<_> =
        (1..=10).map(|t| (SimTime(t * 1_000_000), "IAD1", cdnsim::http::Method::Get, "/s/1")).collect();
    let mut script = Scripted::from_paths(s, &catalog, &entries).unwrap();
    engine::run_with(s, 1, catalog, &mut script, &mut |_| {}).expect("the accounting adds up")
}

#[test]
fn ten_https_gets_at_one_us_edge_make_a_month_priced_by_hand() {
    // By hand: no warm-up, the last response leaves at 10 s: 10 s measured;
    // 30 days = 2,592,000 s, a factor of 259,200.
    //   Transfer: 10 x 1 MiB = 10 MiB per 10 s -> 2,592,000 MiB a month
    //     = 2,592,000 / 1,024 = 2,531.25 GB, all in the first 10 TB:
    //     2,531.25 x $0.085 = $215.15625 -> $215.16 (half up to the cent).
    //   Requests: 10 x 259,200 = 2,592,000 HTTPS requests:
    //     2,592,000 / 10,000 x $0.0100 = $2.592 -> $2.59.
    //   Total: $215.16 + $2.59 = $217.75.
    let s = scenario(ONE_US_EDGE, &[]);
    let report = ten_gets(&s);
    let summary = report::summary(&report, &s).unwrap();
    assert_eq!((summary.usage.measured_seconds, summary.usage.scale), (10.0, 259_200.0));
    assert_eq!(summary.usage.monthly["US-DataTransfer-Out-Bytes"], 2_531.25);
    assert_eq!(summary.usage.monthly["US-Requests-Tier2-HTTPS"], 2_592_000.0);
    let cost = &summary.cost;
    let lines: Vec<(&str, &str, f64)> =
        cost.items.iter().map(|i| (i.usage_type.as_str(), i.tier.as_str(), i.amount_usd)).collect();
    assert_eq!(lines, [("DataTransfer-Out-Bytes", "First 10 TB", 215.16), ("Requests-Tier2-HTTPS", "", 2.59)]);
    assert_eq!(cost.total_usd, 217.75);
    assert_eq!((cost.subtotals.transfer_usd, cost.subtotals.requests_usd), (215.16, 2.59));
    assert_eq!((cost.pricing_date.as_str(), cost.period_seconds), ("2026-12-02", 2_592_000.0));
    assert_eq!(cost.items[0].price_group.as_deref(), Some("united-states"));
    assert_eq!((cost.items[1].rate_usd, cost.items[1].rate_per), (0.01, 10_000));
    let table = report::summary_table(&summary);
    assert!(
        table.contains("estimated monthly cost       $217.75 (prices of 2026-12-02, period 30 d, no free tier)"),
        "{table}"
    );

    // cost.csv among the run's files: the same lines, exact.
    let files = report::result_files(&report, &s).unwrap();
    let csv = files.iter().find(|(name, _)| *name == "cost.csv").map(|(_, b)| String::from_utf8(b.clone()).unwrap());
    let csv = csv.expect("every run writes cost.csv");
    assert!(csv.starts_with(
        "item,regions,price_group,tier,quantity,unit,rate_usd,rate_per,amount_usd,source,note\n\
         DataTransfer-Out-Bytes,US,united-states,First 10 TB,2531.25,GB,0.085,1,215.16,S1,\n\
         Requests-Tier2-HTTPS,US,united-states,,2592000,Requests,0.01,10000,2.59,S10,\n\
         Total,,,,,,,,217.75,,\n"
    ));
}

#[test]
fn the_cost_table_changes_the_bill_and_nothing_else() {
    // The free tier takes 1 TB (1,024 GB) off the US first tier and the
    // 2,592,000 requests fit in the 10,000,000 free ones:
    //   (2,531.25 - 1,024) x $0.085 = 1,507.25 x 0.085 = $128.11625 -> $128.12.
    let free = scenario(ONE_US_EDGE, &["cost.free_tier=true"]);
    let summary = report::summary(&ten_gets(&free), &free).unwrap();
    assert_eq!(summary.cost.total_usd, 128.12);
    assert_eq!((summary.cost.subtotals.transfer_usd, summary.cost.subtotals.requests_usd), (128.12, 0.0));
    assert!(summary.cost.options.free_tier);

    // A 15-day period halves the usage: 1,265.625 GB x $0.085 = $107.578125
    // -> $107.58; 1,296,000 requests -> $1.296 -> $1.30; total $108.88.
    let half = scenario(ONE_US_EDGE, &["cost.period=\"15 d\""]);
    let summary = report::summary(&ten_gets(&half), &half).unwrap();
    assert_eq!(summary.usage.monthly["US-DataTransfer-Out-Bytes"], 1_265.625);
    assert_eq!(summary.cost.total_usd, 108.88);

    // A Security Savings Bundle of $100 a month: you pay $100 and get a
    // credit of 100 / 0.7 = $142.857... -> $142.86 against the $217.75 of
    // charges, so the bill is 217.75 + 100 - 142.86 = $174.89.
    let bundle = scenario(ONE_US_EDGE, &["cost.savings_bundle=100"]);
    let summary = report::summary(&ten_gets(&bundle), &bundle).unwrap();
    assert_eq!(summary.cost.total_usd, 174.89);
    assert_eq!(summary.cost.subtotals.plan_usd, -42.86);
    assert_eq!(summary.cost.options.savings_bundle_usd, Some(100.0));

    // The pro plan ($15 a month) bills its fee whatever the usage, and
    // reports 2,531.25 GB against its allowance.
    let plan = scenario(ONE_US_EDGE, &["cost.flat_rate=\"pro\""]);
    let summary = report::summary(&ten_gets(&plan), &plan).unwrap();
    let report_of_plan = summary.cost.flat_rate.as_ref().expect("a plan is reported");
    assert_eq!((report_of_plan.plan.as_str(), report_of_plan.data_transfer_gb), ("pro", 2_531.25));
    assert_eq!(summary.cost.total_usd, report_of_plan.fee_usd);
    assert_eq!(report_of_plan.pay_as_you_go_usd, 217.75);

    // None of them changes what was simulated.
    let plain = scenario(ONE_US_EDGE, &[]);
    let strip = |s: &Scenario| {
        let files = report::result_files(&ten_gets(s), s).unwrap();
        files.into_iter().filter(|(n, _)| !["cost.csv", "usage.csv", "summary.csv"].contains(n)).collect::<Vec<_>>()
    };
    assert_eq!(strip(&plain), strip(&free));
    assert_eq!(strip(&plain), strip(&bundle));
}

#[test]
fn line_items_add_up_to_the_subtotals_and_the_total() {
    // A run with every kind of line it can have: shielded misses, proxy
    // methods, an invalidation, two Regions.
    let text = format!(
        "{}\n[[invalidations]]\nat = \"2 s\"\npaths = [\"/s/*\", \"/s/1\"]\n",
        two_regions(
            r#"
[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "30 ms"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
origin_shield = "us-east-1"
[distribution.default_behavior]
origin = "origin"
allowed_methods = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
"#
        )
    );
    let s = scenario(&text, &["simulation.requests=400", "traffic.rate=20"]);
    let summary = report::summary(&run(&s, 3), &s).unwrap();
    let cost = &summary.cost;
    let cents = |usd: f64| (usd * 100.0).round() as i64;
    assert_eq!(cost.items.iter().map(|i| cents(i.amount_usd)).sum::<i64>(), cents(cost.total_usd));
    let mut by_category = std::collections::BTreeMap::<&str, i64>::new();
    for item in &cost.items {
        *by_category.entry(item.category).or_default() += cents(item.amount_usd);
    }
    for category in report::Category::ALL {
        let sum = by_category.get(category.name()).copied().unwrap_or(0);
        assert_eq!(sum, cents(cost.subtotals.get(category)), "{}", category.name());
    }
    assert!(cost.subtotals.origin_shield_usd > 0.0 && cost.subtotals.transfer_usd > 0.0, "{cost:?}");
    assert!(by_category.contains_key("invalidations"), "the invalidation paths are on the bill: {cost:?}");
}

#[test]
fn the_same_seed_writes_the_same_cost_csv() {
    let s = scenario(&two_regions(ORIGIN_IN_US), &["simulation.requests=300"]);
    let cost_csv = |seed| {
        let files = report::result_files(&run(&s, seed), &s).unwrap();
        files.into_iter().find(|(n, _)| *n == "cost.csv").unwrap().1
    };
    assert_eq!(cost_csv(5), cost_csv(5));
}

/// Writes `text` as a scenario file in a fresh folder; returns both paths.
fn scenario_file(name: &str, text: &str) -> (std::path::PathBuf, String) {
    let dir = temp_dir(name);
    let path = dir.join("s.toml");
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

#[test]
fn cdnsim_cost_prices_a_runs_usage_csv_to_its_cost_csv() {
    let (dir, path) =
        scenario_file("bill-cli", &format!("{ONE_US_EDGE}\n[cost]\nfree_tier = true\nperiod = \"7 d\"\n"));
    let out = dir.join("run");
    let (code, stdout, stderr) = cdnsim(&["run", &path, "--no-progress", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("estimated monthly cost"), "{stdout}");
    assert!(stdout.contains("period 7 d, free tier)"), "{stdout}");
    let (code, described, _) = cdnsim(&["validate", &path]);
    assert_eq!(code, 0);
    assert!(described.contains("cost: period 7 d, prices of 2026-12-02, free tier\n"), "{described}");
    let again = dir.join("again.csv");
    let usage = out.join("usage.csv");
    let (code, stdout, stderr) =
        cdnsim(&["cost", usage.to_str().unwrap(), "--free-tier", "--out", again.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(std::fs::read(out.join("cost.csv")).unwrap(), std::fs::read(&again).unwrap());

    // --cost-period overrides the scenario's period, as --requests does.
    let out = dir.join("day");
    let (code, stdout, stderr) =
        cdnsim(&["run", &path, "--no-progress", "--cost-period", "1 d", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("period 24 h, free tier)"), "{stdout}");
    let (code, json, stderr) =
        cdnsim(&["run", &path, "--no-progress", "--format", "json", "--out", dir.join("json").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["cost"]["period_seconds"], 7.0 * 86_400.0);
    assert_eq!(value["cost"]["options"]["free_tier"], true);
}

#[test]
fn a_bad_cost_table_is_refused_with_the_field_and_the_fix_and_writes_nothing() {
    let cases: [(&str, &str, &str); 6] = [
        ("flat_rate = \"pro\"\nsavings_bundle = 100", "cost.savings_bundle", "the plan fee is the whole bill"),
        ("flat_rate = \"gold\"", "cost.flat_rate", "use one of: free, pro, business, premium"),
        ("pricing = \"missing.toml\"", "cost.pricing", "relative to the scenario file"),
        ("savings_bundle = \"-5\"", "cost.savings_bundle", "monthly commitment"),
        ("period = \"0.5 s\"", "cost.period", "shorter than a second"),
        ("period = \"3651 d\"", "cost.period", "longer than ten years"),
    ];
    for (i, (table, field, words)) in cases.iter().enumerate() {
        let (dir, path) = scenario_file(&format!("bill-bad-{i}"), &format!("{ONE_US_EDGE}\n[cost]\n{table}\n"));
        let out = dir.join("out");
        let (code, stdout, stderr) = cdnsim(&["run", &path, "--no-progress", "--out", out.to_str().unwrap()]);
        assert_eq!(code, 2, "{table}: {stdout}\n{stderr}");
        assert!(stderr.contains(field) && stderr.contains(words), "{table}: {stderr}");
        assert!(!out.exists(), "{table}: nothing is written");
    }
    // A pricing table beside the scenario is read at load; its own errors
    // name its file and key.
    let (dir, path) = scenario_file("bill-bad-table", &format!("{ONE_US_EDGE}\n[cost]\npricing = \"p.toml\"\n"));
    std::fs::write(dir.join("p.toml"), "date = \"2026-12-02\"\n").unwrap();
    let (code, _, stderr) = cdnsim(&["validate", &path]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cost.pricing") && stderr.contains("p.toml"), "{stderr}");
}

#[test]
fn a_sweep_over_the_free_tier_has_cost_columns_and_is_the_same_at_one_and_four_jobs() {
    let (dir, path) = scenario_file("bill-sweep", &two_regions(ORIGIN_IN_US));
    let (one, four) = sweep_at_jobs_1_and_4(
        &dir,
        &path,
        &[
            "--requests",
            "300",
            "--vary",
            "cost.free_tier=false,true",
            "--vary",
            "distribution.price_class=PriceClass_All,PriceClass_100",
        ],
    );
    let csv = std::fs::read_to_string(one.join("sweep.csv")).unwrap();
    assert_eq!(csv, std::fs::read_to_string(four.join("sweep.csv")).unwrap());
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for column in ["cost_usd", "cost_transfer_usd", "cost_requests_usd", "cost_origin_shield_usd"] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    let total = header.iter().position(|c| *c == "cost_usd").unwrap();
    let free = header.iter().position(|c| *c == "cost.free_tier").unwrap();
    for row in csv.lines().skip(1) {
        let cells: Vec<&str> = row.split(',').collect();
        let usd: f64 = cells[total].parse().unwrap();
        // This small a month fits in the free tier; without it, it costs.
        assert_eq!(usd == 0.0, cells[free] == "true", "{row}");
    }
}
