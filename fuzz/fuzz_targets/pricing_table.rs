//! Any text as a pricing table, read as `cdnsim cost --pricing FILE` reads it: nothing panics, an
//! error points inside the text, and a table that reads prices a month touching every line of
//! the bill (transfer in every tier, requests, Origin Shield, invalidations, functions,
//! Lambda@Edge, the Savings Bundle and each flat-rate plan) with a total that is the sum of its
//! lines.
#![no_main]

use cdnsim_cost::{AwsRegion, Options, PricingTable, Quantity, RegionCode, Usage, UsageType, Usd, price};
use libfuzzer_sys::fuzz_target;

fn month() -> Usage {
    let mut usage = Usage::new();
    let mut add = |t, q: &str| usage.add(t, q.parse::<Quantity>().unwrap()).unwrap();
    for region in RegionCode::ALL {
        add(UsageType::DataTransferOut(region), "6000000.5");
        add(UsageType::DataTransferToOrigin(region), "12.25");
        add(UsageType::RequestsHttp(region), "123456789");
        add(UsageType::RequestsHttpsProxy(region), "1001");
        add(UsageType::FieldLevelEncryptionRequests(region), "77");
    }
    for region in AwsRegion::ALL {
        add(UsageType::OriginShieldRequests(region), "99999");
        add(UsageType::LambdaEdgeGbSeconds(region), "0.125");
    }
    add(UsageType::Invalidations, "1800");
    add(UsageType::FunctionInvocations, "3000000");
    usage
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let table = match PricingTable::parse("fuzz.toml", text) {
        Ok(table) => table,
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1);
            assert!(e.line <= text.split('\n').count().max(1), "{e}");
            return;
        }
    };
    let usage = month();
    let mut options = vec![
        Options::default(),
        Options { free_tier: true, ..Options::default() },
        Options { savings_bundle: Some("420".parse().unwrap()), ..Options::default() },
    ];
    for plan in &table.flat_rate_plans {
        options.push(Options { flat_rate: Some(plan.name.clone()), ..Options::default() });
    }
    for options in options {
        let Ok(bill) = price(&usage, &table, &options) else { continue };
        let sum = bill.items.iter().fold(Usd::ZERO, |s, i| s.checked_add(i.amount).unwrap());
        assert_eq!(sum, bill.total);
        let _ = bill.to_csv();
    }
});
