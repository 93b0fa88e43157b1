//! Reading a usage file: `usage_type,unit,quantity`, as [`Usage::to_csv`]
//! writes it, or as written by hand or cut from an AWS usage report.
//!
//! The reader is strict, because a bill from a misread file is worse than
//! no bill: the header must be `usage_type,unit,quantity`; every line names
//! a known usage type, that type's unit (transfer types also accept
//! `Bytes`, turned into binary GB) and a plain non-negative decimal. Lines
//! of the same type add up (an AWS report lists a type once per day or
//! resource); the reader says which did. Blank lines are skipped; a field
//! may be wrapped in double quotes. Errors name the file, the line and the
//! column, and say what to write instead.

use crate::quantity::Quantity;
use crate::usage::{Unit, Usage, UsageType};
use std::collections::BTreeMap;

/// The header every usage file starts with.
pub const USAGE_HEADER: &str = "usage_type,unit,quantity";

/// What a usage file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageFile {
    pub usage: Usage,
    /// Types listed on more than one line, with their 1-based line numbers:
    /// their quantities were added up.
    pub repeated: Vec<(UsageType, Vec<usize>)>,
}

/// A usage file that cannot be priced.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct UsageFileError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads a usage file; `file` names it in errors.
pub fn read_usage_csv(file: &str, text: &str) -> Result<UsageFile, UsageFileError> {
    let error =
        |line: usize, column: usize, message: String| UsageFileError { file: file.to_string(), line, column, message };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut usage = Usage::new();
    let mut lines_of: BTreeMap<UsageType, Vec<usize>> = BTreeMap::new();
    let mut header_seen = false;
    for (index, raw_line) in text.split('\n').enumerate() {
        let number = index + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_fields(line).map_err(|(column, message)| error(number, column, message))?;
        if !header_seen {
            let names: Vec<&str> = fields.iter().map(|f| f.text).collect();
            if names != ["usage_type", "unit", "quantity"] {
                return Err(error(
                    number,
                    1,
                    format!("the first line must be the header `{USAGE_HEADER}`, not `{line}`"),
                ));
            }
            header_seen = true;
            continue;
        }
        if fields.len() != 3 {
            let column = fields.get(3).map_or(line.chars().count() + 1, |f| f.column);
            return Err(error(
                number,
                column,
                format!("a line has 3 fields (`{USAGE_HEADER}`), this one has {}", fields.len()),
            ));
        }
        let (type_field, unit_field, quantity_field) = (&fields[0], &fields[1], &fields[2]);
        let usage_type: UsageType =
            type_field.text.parse().map_err(|e| error(number, type_field.column, format!("{e}")))?;
        let quantity: Quantity = quantity_field
            .text
            .parse()
            .map_err(|e| error(number, quantity_field.column, format!("bad quantity: {e}")))?;
        let unit = usage_type.unit();
        let quantity = if unit_field.text == unit.as_str() {
            quantity
        } else if unit == Unit::Gb && unit_field.text == "Bytes" {
            bytes_as_gb(quantity).ok_or_else(|| {
                error(number, quantity_field.column, format!("{quantity} Bytes is not a whole number of bytes"))
            })?
        } else {
            let also = if unit == Unit::Gb { " (or Bytes)" } else { "" };
            return Err(error(
                number,
                unit_field.column,
                format!("{usage_type} is counted in {unit}{also}, not {:?}; write {unit}", unit_field.text),
            ));
        };
        // A zero line adds nothing, and leaves no empty entry behind: the
        // usage then equals what its own `to_csv` (which omits zeros) reads as.
        if quantity > Quantity::ZERO {
            usage.add(usage_type, quantity).ok_or_else(|| {
                error(number, quantity_field.column, format!("the lines of {usage_type} add up past 10^24 {unit}"))
            })?;
        }
        lines_of.entry(usage_type).or_default().push(number);
    }
    if !header_seen {
        return Err(error(1, 1, format!("the file is empty; a usage file starts with the header `{USAGE_HEADER}`")));
    }
    let repeated = lines_of.into_iter().filter(|(_, lines)| lines.len() > 1).collect();
    Ok(UsageFile { usage, repeated })
}

/// A whole number of bytes as binary GB, rounded half up to 10^-12 GB.
fn bytes_as_gb(bytes: Quantity) -> Option<Quantity> {
    const PICO: i128 = 1_000_000_000_000;
    const BYTES_PER_GB: i128 = 1 << 30;
    if bytes.pico() % PICO != 0 {
        return None;
    }
    // bytes.pico() is the byte count times 10^12: divide by 2^30 to get GB in 10^-12.
    Quantity::from_pico((bytes.pico() + BYTES_PER_GB / 2) / BYTES_PER_GB)
}

struct Field<'a> {
    text: &'a str,
    /// 1-based, in characters.
    column: usize,
}

/// Splits a line at commas; a field wrapped in double quotes loses them
/// (quotes inside a field are refused: no usage type or number has one).
fn split_fields(line: &str) -> Result<Vec<Field<'_>>, (usize, String)> {
    let mut fields = Vec::new();
    let mut start = 0;
    loop {
        let end = line[start..].find(',').map_or(line.len(), |i| start + i);
        let raw = &line[start..end];
        let column = line[..start].chars().count() + 1;
        let text = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(inner) if !inner.contains('"') => inner,
            _ if raw.contains('"') => {
                return Err((column, "a quoted field must be wholly quoted and hold no quotes or commas".into()));
            }
            _ => raw,
        };
        fields.push(Field { text: text.trim(), column });
        if end == line.len() {
            return Ok(fields);
        }
        start = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::RegionCode;

    fn read(text: &str) -> Result<UsageFile, UsageFileError> {
        read_usage_csv("usage.csv", text)
    }

    #[test]
    fn what_to_csv_writes_reads_back() {
        let mut usage = Usage::new();
        usage.add(UsageType::DataTransferOut(RegionCode::Us), "1234.5".parse().unwrap()).unwrap();
        usage.add(UsageType::RequestsHttps(RegionCode::Eu), Quantity::from_count(7)).unwrap();
        usage.add(UsageType::Invalidations, Quantity::from_count(3)).unwrap();
        let file = read(&usage.to_csv()).unwrap();
        assert_eq!(file.usage, usage);
        assert!(file.repeated.is_empty());
    }

    #[test]
    fn a_zero_line_leaves_no_entry() {
        // Found by the usage_file fuzz target: a zero line made a usage unequal to the
        // same usage written by `to_csv` (which omits zero lines) and read back.
        let file = read("usage_type,unit,quantity\nSSL-Cert-Custom,Certificate-Months,0\n").unwrap();
        assert!(file.usage.is_empty());
        assert_eq!(read(&file.usage.to_csv()).unwrap().usage, file.usage);
    }

    #[test]
    fn repeated_lines_add_up_and_are_reported() {
        let file = read("usage_type,unit,quantity\r\nUS-Requests-Tier1,Requests,5\r\n\r\n\"US-Requests-Tier1\",\"Requests\",\"2.5\"\n").unwrap();
        assert_eq!(file.usage.get(UsageType::RequestsHttp(RegionCode::Us)).to_string(), "7.5");
        assert_eq!(file.repeated, vec![(UsageType::RequestsHttp(RegionCode::Us), vec![2, 4])]);
    }

    #[test]
    fn bytes_become_binary_gigabytes() {
        // 1,610,612,736 bytes = 1.5 × 2^30 = 1.5 GB.
        let file = read("usage_type,unit,quantity\nJP-DataTransfer-Out-OBytes,Bytes,1610612736\n").unwrap();
        assert_eq!(file.usage.get(UsageType::DataTransferToOrigin(RegionCode::Jp)).to_string(), "1.5");
        let e = read("usage_type,unit,quantity\nJP-DataTransfer-Out-OBytes,Bytes,1.5\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 34));
        assert!(e.message.contains("not a whole number of bytes"), "{e}");
    }

    #[test]
    fn errors_name_the_line_the_column_and_the_fix() {
        let e = read("usage_type,unit,quantity\nUS-DataTransfer-Out-Bytes,GB,1\nUS-Requests-Tier3,Requests,1\n")
            .unwrap_err();
        assert_eq!(e.to_string().split(": ").next(), Some("usage.csv:3:1"));
        assert!(e.message.contains("use e.g. US-DataTransfer-Out-Bytes"), "{e}");

        let e = read("usage_type,unit,quantity\nUS-Requests-Tier1,GB,1\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 19));
        assert!(e.message.contains("counted in Requests, not \"GB\"; write Requests"), "{e}");

        let e = read("usage_type,unit,quantity\nUS-Requests-Tier1,Bytes,1\n").unwrap_err();
        assert!(e.message.contains("counted in Requests"), "{e}");

        let e = read("usage_type,unit,quantity\nInvalidations,Paths,1e3\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 21));
        assert!(e.message.contains("bad quantity") && e.message.contains("plain decimal"), "{e}");

        let e = read("usage_type,unit,quantity\nInvalidations,Paths,1,2\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 23));
        assert!(e.message.contains("this one has 4"), "{e}");

        let e = read("type,unit,quantity\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("header `usage_type,unit,quantity`"), "{e}");

        let e = read("\n\n").unwrap_err();
        assert!(e.message.contains("empty"), "{e}");

        let e = read("usage_type,unit,quantity\nInvalidations,\"Paths,1\n").unwrap_err();
        assert!(e.message.contains("quoted"), "{e}");

        let big = "999999999999999999999999";
        let e = read(&format!("{USAGE_HEADER}\nInvalidations,Paths,{big}\nInvalidations,Paths,{big}\n")).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("add up past"), "{e}");
    }
}
