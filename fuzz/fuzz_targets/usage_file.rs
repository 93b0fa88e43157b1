//! Any text as a usage file, read as `cdnsim cost` reads it: nothing panics, an error points
//! inside the text, a file that reads writes back (`Usage::to_csv`) to one that reads to the same
//! usage, and the usage prices with the built-in table: the total is the sum of the lines, and
//! the always-free tier never makes a bill dearer.
#![no_main]

use cdnsim_cost::{Options, PricingTable, Usd, price, read_usage_csv};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn table() -> &'static PricingTable {
    static TABLE: OnceLock<PricingTable> = OnceLock::new();
    TABLE.get_or_init(PricingTable::built_in)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = match read_usage_csv("fuzz.csv", text) {
        Ok(file) => file,
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1);
            assert!(e.line <= text.split('\n').count().max(1), "{e}");
            return;
        }
    };
    let again = read_usage_csv("again.csv", &file.usage.to_csv()).expect("what to_csv writes reads back");
    assert_eq!(again.usage, file.usage);
    for free_tier in [false, true] {
        let options = Options { free_tier, ..Options::default() };
        let Ok(bill) = price(&file.usage, table(), &options) else { continue };
        let sum = bill.items.iter().fold(Usd::ZERO, |s, i| s.checked_add(i.amount).unwrap());
        assert_eq!(sum, bill.total);
        assert!(bill.items.iter().all(|i| i.amount >= Usd::ZERO));
        if free_tier {
            let plain = price(&file.usage, table(), &Options::default()).unwrap();
            assert!(bill.total <= plain.total);
        }
    }
});
