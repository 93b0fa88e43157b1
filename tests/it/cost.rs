//! `cdnsim cost`, end to end through the binary, on tests/fixtures/cost/usage.csv.
//!
//! The fixture's month, priced by hand with the built-in table (no free tier):
//!   US+CA out 12,000 + 288 = 12,288 GB: 10,240 × $0.085 = $870.40; 2,048 × $0.080 = $163.84
//!   EU out 500 GB × $0.085                                   =  $42.50
//!   JP to origin 1,610,612,736 bytes = 1.5 GB × $0.06       =   $0.09
//!   US HTTPS 20,000,000 requests × $0.01 / 10,000            =  $20.00
//!   EU HTTP 1,000,000 requests × $0.009 / 10,000             =   $0.90
//!   Origin Shield us-east-1 100,000 × $0.0075 / 10,000 = $0.075 → $0.08
//!   Invalidations 1,800 paths: 1,000 free, 800 × $0.005      =   $4.00
//!   CloudFront Functions 2,500,000 × $0.10 / 1,000,000       =   $0.25
//!   total                                                    = $1,102.06

use crate::support::*;

const USAGE: &str = "tests/fixtures/cost/usage.csv";

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn prices_the_fixture_and_writes_cost_csv() {
    let dir = temp_dir("cost-plain");
    let out = dir.join("cost.csv");
    let (code, stdout, stderr) = cdnsim(&["cost", USAGE, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("prices of 2026-12-02"), "{stdout}");
    assert!(stdout.contains("no free tier; no Savings Bundle"), "{stdout}");
    let total = stdout.lines().find(|l| l.starts_with("Total")).unwrap();
    assert!(total.ends_with(" 1,102.06"), "{total}");
    let csv = read(&out);
    assert!(csv.starts_with(cdnsim_cost::COST_HEADER), "{csv}");
    assert!(csv.contains("\nDataTransfer-Out-Bytes,US+CA,united-states,Next 40 TB,2048,GB,0.08,1,163.84,"), "{csv}");
    assert!(csv.contains("\nDataTransfer-Out-OBytes,JP,japan,,1.5,GB,0.06,1,0.09,S10,"), "{csv}");
    assert!(csv.contains("\nTotal,,,,,,,,1102.06,,\n"), "{csv}");
    // The same usage, the same bill, byte for byte.
    let again = dir.join("again.csv");
    assert_eq!(cdnsim(&["cost", USAGE, "--out", again.to_str().unwrap()]).0, 0);
    assert_eq!(read(&out), read(&again));
}

#[test]
fn the_options_change_the_bill_as_stated() {
    // Free tier: 1,024 GB off the US first tier (−1,024 × $0.085 = −$87.04), 10,000,000
    // US HTTPS requests (−$10.00), 2,000,000 function invocations (−$0.20):
    // $1,102.06 − $97.24 = $1,004.82.
    let (code, stdout, stderr) = cdnsim(&["cost", USAGE, "--free-tier"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("Total") && l.ends_with(" 1,004.82")), "{stdout}");
    // Savings Bundle of $700: credit $700 / 0.7 = $1,000 against $1,102.06 of charges:
    // $700 + $102.06 = $802.06; AWS WAF credit $70.
    let (code, stdout, stderr) = cdnsim(&["cost", USAGE, "--savings-bundle", "700"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("Total") && l.ends_with(" 802.06")), "{stdout}");
    assert!(stdout.contains("AWS WAF credit: $70.00"), "{stdout}");
    // Pro plan: $15; 21,000,000 requests are over its 10,000,000.
    let (code, stdout, stderr) = cdnsim(&["cost", USAGE, "--flat-rate", "pro"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("Total") && l.ends_with(" 15.00")), "{stdout}");
    assert!(stdout.contains("requests 21000000 of 10000000"), "{stdout}");
    assert!(stdout.contains("delivery may be degraded; no overage is billed"), "{stdout}");
}

#[test]
fn a_pricing_file_replaces_the_built_in_table() {
    // The built-in table with US HTTPS requests at $0.02: $20.00 more, $1,122.06.
    let dir = temp_dir("cost-pricing");
    let built_in = read(std::path::Path::new("crates/cdnsim-cost/pricing/cloudfront-2026-12-02.toml"));
    let private = built_in.replacen(
        "requests_https_per_10000 = { usd = \"0.01\"",
        "requests_https_per_10000 = { usd = \"0.02\"",
        1,
    );
    assert_ne!(private, built_in);
    let path = dir.join("private.toml");
    std::fs::write(&path, private).unwrap();
    let (code, stdout, stderr) = cdnsim(&["cost", USAGE, "--pricing", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("Total") && l.ends_with(" 1,122.06")), "{stdout}");
    assert!(stdout.contains(&format!("pricing table: {}", path.display())), "{stdout}");
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = temp_dir("cost-errors");
    let out = dir.join("cost.csv");
    let out_arg = out.to_str().unwrap();

    let (code, _, stderr) = cdnsim(&["cost", "tests/fixtures/cost/bad-unit.csv", "--out", out_arg]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("tests/fixtures/cost/bad-unit.csv:3:19: EU-Requests-Tier1 is counted in Requests, not \"GB\""),
        "{stderr}"
    );

    let pricing = dir.join("broken.toml");
    std::fs::write(&pricing, "date = \"2026-12-02\"\ncurrency = \"USD\"\ndescription = 1\n").unwrap();
    let (code, _, stderr) = cdnsim(&["cost", USAGE, "--pricing", pricing.to_str().unwrap(), "--out", out_arg]);
    assert_eq!(code, 2);
    assert!(stderr.contains(&format!("{}:3:15: invalid type", pricing.display())), "{stderr}");

    let (code, _, stderr) = cdnsim(&["cost", USAGE, "--flat-rate", "gold", "--out", out_arg]);
    assert_eq!(code, 2);
    assert!(stderr.contains("use one of: free, pro, business, premium"), "{stderr}");

    let (code, _, stderr) = cdnsim(&["cost", USAGE, "--flat-rate", "pro", "--free-tier"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");

    let (code, _, stderr) = cdnsim(&["cost", USAGE, "--savings-bundle", "ten"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not an amount of dollars"), "{stderr}");

    let (code, _, stderr) = cdnsim(&["cost", "tests/fixtures/cost/missing.csv"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read the usage file tests/fixtures/cost/missing.csv"), "{stderr}");

    assert!(!out.exists(), "no cost.csv after an error");
    assert!(std::fs::read_dir(&dir).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains("partial")));
}
