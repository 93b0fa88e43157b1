//! What one `--vary` means: a scenario field and the values it takes.
//!
//! `PATH=LIST` is a comma-separated list of values, each read exactly as
//! `--set PATH=VALUE` reads its value (TOML when it parses, a string
//! otherwise). A value that itself holds a comma is quoted
//! (`"max-age=60, public"`) or bracketed (`["GET","HEAD"]`). An item
//! `START:STOP:STEP` is a range, expanded with exact decimal arithmetic so
//! that `0.6:1.2:0.1` gives `0.7` and never `0.7000000000000001`; the three
//! numbers may carry one shared unit (`1 GiB:4 GiB:1 GiB`).

use super::error::SweepError;
use crate::scenario::Override;
use toml::Value;

/// The values one scenario field takes in a sweep, in the order given.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    /// Dotted field path, as `--set` takes it (`caches.edge.capacity`).
    pub path: String,
    pub values: Vec<VaryValue>,
}

/// One value of a [`Vary`].
#[derive(Clone, Debug, PartialEq)]
pub struct VaryValue {
    /// What applying this value means: exactly `--set <set.text>`.
    pub set: Override,
    /// The value as a `sweep.csv` cell: a string without its quotes, anything
    /// else as written.
    pub cell: String,
}

/// Most values one `--vary` may produce: more than any sweep needs, few enough
/// that a mistyped STEP (0.0001 for 0.1) is refused instead of run.
pub const MAX_VALUES: usize = 100_000;

impl Vary {
    /// Parses `PATH=LIST` or `PATH=START:STOP:STEP` (or a list mixing both).
    pub fn parse(arg: &str) -> Result<Vary, SweepError> {
        let err = |problem: String, fix: &str| SweepError::Vary { arg: arg.to_string(), problem, fix: fix.to_string() };
        let (path, list) = arg.split_once('=').ok_or_else(|| {
            err(
                "expected PATH=LIST or PATH=START:STOP:STEP".into(),
                "write e.g. --vary traffic.zipf_alpha=0.6,0.8,1.0 or --vary traffic.zipf_alpha=0.6:1.2:0.1",
            )
        })?;
        let path = check_path(path).map_err(|p| err(p, "use a dotted field path such as caches.edge.capacity"))?;
        let mut values = Vec::new();
        for item in split_items(list).map_err(|p| err(p, "quote a value that holds a comma: \"a, b\""))? {
            match parse_range(item)
                .map_err(|p| err(p, "write START:STOP:STEP, e.g. 0.6:1.2:0.1 or 1 GiB:4 GiB:1 GiB"))?
            {
                Some(texts) => values.extend(texts.iter().map(|t| value_from_text(path, t))),
                None => values.push(value_from_text(path, item)),
            }
            if values.len() > MAX_VALUES {
                return Err(err(format!("more than {MAX_VALUES} values"), "use a coarser STEP or split the sweep"));
            }
        }
        Ok(Vary { path: path.to_string(), values })
    }

    /// A vary given as TOML values (`values = ["1 GiB", "5 GiB"]` in a sweep
    /// file), which need no quoting.
    pub fn from_values(path: &str, values: &[Value]) -> Result<Vary, String> {
        let path = check_path(path)?;
        if values.is_empty() {
            return Err("the list of values is empty".into());
        }
        if values.len() > MAX_VALUES {
            return Err(format!("more than {MAX_VALUES} values"));
        }
        let values = values
            .iter()
            .map(|v| {
                // Write the value the way a person would type it after --set:
                // a bare string when that reads back as the same string.
                let text = match v {
                    Value::String(s) if Override::parse(&format!("{path}={s}")).is_ok_and(|o| o.value == *v) => {
                        s.clone()
                    }
                    other => other.to_string(),
                };
                let cell = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                VaryValue {
                    set: Override { path: path.to_string(), value: v.clone(), text: format!("{path}={text}") },
                    cell,
                }
            })
            .collect();
        Ok(Vary { path: path.to_string(), values })
    }

    /// The value texts, without the path: what `sweep.json` records.
    pub fn value_texts(&self) -> Vec<String> {
        self.values.iter().map(|v| v.set.text[self.path.len() + 1..].to_string()).collect()
    }
}

fn check_path(path: &str) -> Result<&str, String> {
    let path = path.trim();
    if path.is_empty() || path.split('.').any(|segment| segment.trim().is_empty()) {
        return Err(format!("{path:?} is not a dotted field path"));
    }
    Ok(path)
}

/// The value `--set PATH=TEXT` would apply.
fn value_from_text(path: &str, text: &str) -> VaryValue {
    let set = Override::parse(&format!("{path}={text}")).expect("the path was checked and holds no `=`");
    let cell = match &set.value {
        Value::String(s) => s.clone(),
        _ => text.to_string(),
    };
    VaryValue { set, cell }
}

/// Splits a list at the commas that are outside quotes and brackets.
fn split_items(list: &str) -> Result<Vec<&str>, String> {
    let mut items = Vec::new();
    let (mut depth, mut quote, mut escaped, mut start) = (0i32, None, false, 0);
    for (i, c) in list.char_indices() {
        if let Some(q) = quote {
            // Only TOML's basic strings ("...") have escapes; literal strings ('...') do not.
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return Err("a quote is not closed".into());
    }
    if depth != 0 {
        return Err("a bracket is not closed".into());
    }
    items.push(list[start..].trim());
    if items.iter().any(|item| item.is_empty()) {
        return Err("an empty value (two commas in a row, or a comma at an end)".into());
    }
    Ok(items)
}

/// A decimal number held exactly: `units / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Decimal {
    units: i128,
    scale: u32,
}

/// More digits than this cannot be a sensible scenario value, and keeps
/// `units * 10^scale` far from overflowing an i128.
const MAX_DIGITS: usize = 30;

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = format!("{int}{frac}");
        if digits.is_empty() || digits.len() > MAX_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let units: i128 = digits.parse().ok()?;
        Some(Decimal { units: if negative { -units } else { units }, scale: frac.len() as u32 })
    }

    fn at_scale(self, scale: u32) -> i128 {
        self.units * 10i128.pow(scale - self.scale)
    }
}

/// `units / 10^scale` written out: an integer at scale 0, otherwise with the
/// trailing zeros dropped but one decimal kept, so that a float stays a float.
fn format_decimal(units: i128, scale: u32) -> String {
    if scale == 0 {
        return units.to_string();
    }
    let pow = 10i128.pow(scale);
    let sign = if units < 0 { "-" } else { "" };
    let fraction = format!("{:0width$}", units.abs() % pow, width = scale as usize);
    let fraction = fraction.trim_end_matches('0');
    format!("{sign}{}.{}", units.abs() / pow, if fraction.is_empty() { "0" } else { fraction })
}

/// A number with an optional unit after it: `0.5`, `1 GiB`, `20ms`.
fn parse_quantity(text: &str) -> Option<(Decimal, &str)> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit = unit.trim();
    if !unit.chars().all(char::is_alphabetic) {
        return None;
    }
    Some((Decimal::parse(number)?, unit))
}

fn looks_numeric(text: &str) -> bool {
    let text = text.trim_start_matches(['-', '+']).trim_start_matches('.');
    text.starts_with(|c: char| c.is_ascii_digit())
}

/// Expands `START:STOP:STEP` (STOP included when the steps land on it).
/// `Ok(None)` when the item is not a range at all but a plain value.
fn parse_range(item: &str) -> Result<Option<Vec<String>>, String> {
    if item.starts_with(['"', '\'', '[', '{']) {
        return Ok(None);
    }
    let parts: Vec<&str> = item.split(':').collect();
    if parts.len() != 3 || !parts.iter().all(|p| looks_numeric(p.trim())) {
        return Ok(None);
    }
    let mut quantities = Vec::with_capacity(3);
    for part in &parts {
        quantities.push(parse_quantity(part).ok_or_else(|| format!("{:?} is not a number", part.trim()))?);
    }
    let unit = quantities[0].1;
    if quantities.iter().any(|q| q.1 != unit) {
        return Err(format!("START, STOP and STEP of {item:?} must have the same unit, or none"));
    }
    let scale = quantities.iter().map(|q| q.0.scale).max().unwrap_or(0);
    let [start, stop, step] = [0, 1, 2].map(|i| quantities[i].0.at_scale(scale));
    if step == 0 {
        return Err(format!("STEP of {item:?} is 0"));
    }
    if stop != start && (stop - start).signum() != step.signum() {
        let direction = if step > 0 { "below" } else { "above" };
        return Err(format!("STOP of {item:?} is {direction} START, so STEP never reaches it"));
    }
    let count = (stop - start) / step + 1;
    if count > MAX_VALUES as i128 {
        return Err(format!("{item:?} has {count} values, more than {MAX_VALUES}"));
    }
    let texts = (0..count)
        .map(|k| {
            let number = format_decimal(start + k * step, scale);
            if unit.is_empty() { number } else { format!("{number} {unit}") }
        })
        .collect();
    Ok(Some(texts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(arg: &str) -> Vec<String> {
        Vary::parse(arg).unwrap_or_else(|e| panic!("{e}")).values.into_iter().map(|v| v.cell).collect()
    }

    fn error(arg: &str) -> String {
        Vary::parse(arg).unwrap_err().to_string()
    }

    #[test]
    fn lists_split_at_commas_outside_quotes_and_brackets() {
        assert_eq!(cells("caches.edge.capacity=1 GiB,5 GiB, 20 GiB"), ["1 GiB", "5 GiB", "20 GiB"]);
        assert_eq!(
            cells(r#"traffic.classes[0].cache_control="max-age=60, public",no-store"#),
            ["max-age=60, public", "no-store"]
        );
        assert_eq!(
            cells(r#"distribution.default_behavior.allowed_methods=["GET","HEAD"],["GET","HEAD","OPTIONS"]"#),
            [r#"["GET","HEAD"]"#, r#"["GET","HEAD","OPTIONS"]"#]
        );
        assert_eq!(cells(r#"x.y='it,s',"a \", b""#), ["it,s", r#"a ", b"#]);
    }

    #[test]
    fn values_read_as_set_reads_them() {
        let vary = Vary::parse("traffic.zipf_alpha=0.8,1,x").unwrap();
        let values: Vec<&Value> = vary.values.iter().map(|v| &v.set.value).collect();
        assert_eq!(values, [&Value::Float(0.8), &Value::Integer(1), &Value::String("x".into())]);
        assert_eq!(vary.values[0].set.text, "traffic.zipf_alpha=0.8");
        assert_eq!(vary.value_texts(), ["0.8", "1", "x"]);
    }

    #[test]
    fn ranges_step_in_exact_decimals() {
        assert_eq!(cells("traffic.zipf_alpha=0.6:1.2:0.1"), ["0.6", "0.7", "0.8", "0.9", "1.0", "1.1", "1.2"]);
        let vary = Vary::parse("traffic.zipf_alpha=0.6:1.2:0.1").unwrap();
        assert_eq!(vary.values[1].set.value, Value::Float(0.7));
        assert_eq!(cells("a.b=0.25:1:0.25"), ["0.25", "0.5", "0.75", "1.0"]);
        assert_eq!(cells("origins[0].concurrency=100:500:200"), ["100", "300", "500"]);
        assert_eq!(Vary::parse("a.b=100:500:200").unwrap().values[0].set.value, Value::Integer(100));
        // STOP is included only when a step lands on it.
        assert_eq!(cells("a.b=0:1:0.3"), ["0.0", "0.3", "0.6", "0.9"]);
        assert_eq!(cells("a.b=1.0:0.5:-0.25"), ["1.0", "0.75", "0.5"]);
        assert_eq!(cells("a.b=-1:1:1"), ["-1", "0", "1"]);
        assert_eq!(cells("a.b=2:2:1"), ["2"]);
    }

    #[test]
    fn ranges_carry_a_shared_unit() {
        assert_eq!(cells("caches.edge.capacity=1 GiB:4 GiB:1 GiB"), ["1 GiB", "2 GiB", "3 GiB", "4 GiB"]);
        assert_eq!(cells("a.b=0.5GiB:1.5GiB:0.5GiB"), ["0.5 GiB", "1.0 GiB", "1.5 GiB"]);
        assert_eq!(Vary::parse("a.b=1 GiB:2 GiB:1 GiB").unwrap().values[1].set.value, Value::String("2 GiB".into()));
    }

    #[test]
    fn ranges_mix_with_plain_values() {
        assert_eq!(cells("a.b=0.5,0.6:0.8:0.1,2"), ["0.5", "0.6", "0.7", "0.8", "2"]);
        // Colons alone do not make a range.
        assert_eq!(cells("a.b=10:30,x:y:z"), ["10:30", "x:y:z"]);
    }

    #[test]
    fn bad_lists_and_ranges_name_the_problem() {
        assert!(error("traffic.zipf_alpha").contains("expected PATH=LIST"));
        assert!(error("=1,2").contains("not a dotted field path"));
        assert!(error("a..b=1").contains("not a dotted field path"));
        assert!(error("a.b=1,,2").contains("empty value"));
        assert!(error("a.b=1,").contains("empty value"));
        assert!(error(r#"a.b="x,y"#).contains("quote is not closed"));
        assert!(error("a.b=[1,2").contains("bracket is not closed"));
        assert!(error("a.b=0:1:0").contains("STEP of \"0:1:0\" is 0"));
        assert!(error("a.b=1:0:0.5").contains("below START"));
        assert!(error("a.b=0:1:-0.5").contains("above START"));
        assert!(error("a.b=1 GiB:4:1 GiB").contains("same unit"));
        assert!(error("a.b=1.2.3:4:1").contains("not a number"));
        assert!(error("a.b=0:1:0.000001").contains("more than 100000"));
    }

    #[test]
    fn toml_values_need_no_quoting() {
        let values = [Value::String("1 GiB".into()), Value::String("max-age=60, public".into()), Value::Float(0.7)];
        let vary = Vary::from_values("a.b", &values).unwrap();
        let cells: Vec<&str> = vary.values.iter().map(|v| v.cell.as_str()).collect();
        assert_eq!(cells, ["1 GiB", "max-age=60, public", "0.7"]);
        let texts: Vec<&str> = vary.values.iter().map(|v| v.set.text.as_str()).collect();
        assert_eq!(texts, ["a.b=1 GiB", "a.b=max-age=60, public", "a.b=0.7"]);
        // A string that would read back as a number keeps its quotes.
        let vary = Vary::from_values("a.b", &[Value::String("1".into())]).unwrap();
        assert_eq!(vary.values[0].set.text, "a.b=\"1\"");
        assert_eq!(Override::parse(&vary.values[0].set.text).unwrap().value, Value::String("1".into()));
        assert!(Vary::from_values("a.b", &[]).is_err());
    }
}
