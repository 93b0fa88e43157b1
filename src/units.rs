//! Human units in scenario files: sizes (`"50 GiB"`) and durations (`"20 ms"`).
//!
//! Both parsers accept a bare number too: bytes for sizes, seconds for
//! durations (CloudFront's own TTL fields are integer seconds). Errors say what
//! was expected so the scenario loader can show the fix next to the line.

use crate::time::SimDuration;

/// Parses `"50 GiB"`, `"1.5 MB"`, `"512"` (bytes). Binary (KiB, MiB, GiB, TiB)
/// and decimal (kB/KB, MB, GB, TB) units; the unit is case-sensitive except
/// for the byte suffix so that `"50 gb"` is not silently read as gigabits.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (number, unit) = split_number(text)?;
    let multiplier: f64 = match unit {
        "" | "B" | "b" | "bytes" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in {text:?} (use B, KiB, MiB, GiB, TiB, kB, MB, GB or TB, e.g. \"50 GiB\")"
            ));
        }
    };
    let bytes = number * multiplier;
    if bytes > u64::MAX as f64 / 2.0 {
        return Err(format!("size {text:?} is too large"));
    }
    Ok(bytes.round() as u64)
}

/// Parses `"20 ms"`, `"1.5 s"`, `"10 min"`, `"24 h"`, `"7 d"`, `"250 us"`, or a
/// bare number of seconds.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let (number, unit) = split_number(text)?;
    let seconds_per_unit = match unit {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        other => {
            return Err(format!(
                "unknown duration unit `{other}` in {text:?} (use us, ms, s, min, h or d, e.g. \"20 ms\")"
            ));
        }
    };
    let seconds = number * seconds_per_unit;
    if seconds > 1e12 {
        return Err(format!("duration {text:?} is too long"));
    }
    Ok(SimDuration::from_secs_f64(seconds))
}

/// Formats bytes with a binary unit, for summaries (`1.5 GiB`).
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// Formats a duration with the largest unit that keeps it readable (`90 s`, `2 h`).
pub fn format_duration(d: SimDuration) -> String {
    let s = d.as_secs_f64();
    if s == 0.0 {
        "0 s".to_string()
    } else if s < 1e-3 {
        format!("{} us", d.as_micros())
    } else if s < 1.0 {
        format!("{} ms", trim_float(s * 1e3))
    } else if s < 120.0 {
        format!("{} s", trim_float(s))
    } else if s < 7200.0 {
        format!("{} min", trim_float(s / 60.0))
    } else if s < 172_800.0 {
        format!("{} h", trim_float(s / 3600.0))
    } else {
        format!("{} d", trim_float(s / 86400.0))
    }
}

fn trim_float(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn split_number(text: &str) -> Result<(f64, &str), String> {
    let trimmed = text.trim();
    let number_end = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_' || c == '-' || c == '+' || c == 'e'))
        .unwrap_or(trimmed.len());
    // `e` only belongs to the number when a digit follows (1e3), not in a unit.
    let (mut number_text, mut unit) = trimmed.split_at(number_end);
    if number_text.ends_with('e') {
        number_text = &number_text[..number_text.len() - 1];
        unit = &trimmed[number_text.len()..];
    }
    let cleaned: String = number_text.chars().filter(|&c| c != '_').collect();
    let number: f64 = cleaned
        .parse()
        .map_err(|_| format!("{text:?} does not start with a number (write e.g. \"50 GiB\" or \"20 ms\")"))?;
    if !number.is_finite() || number < 0.0 {
        return Err(format!("{text:?} is negative or not finite; it must be zero or more"));
    }
    Ok((number, unit.trim()))
}

/// Parses the AWS CLI's date formats (botocore `parse_to_aware_datetime`) into Unix seconds,
/// truncating fractions as botocore's `int(datetime2timestamp(...))` does. All digits (with an
/// optional fraction) is epoch seconds; otherwise `YYYY-MM-DD`, optionally followed by `T` or a
/// space and `hh:mm[:ss[.fff]]`, optionally followed by `Z` or an offset `±hh:mm` / `±hhmm`.
pub fn parse_date(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|&b| b == b'.').count() <= 1
    {
        let whole = text.split('.').next().unwrap_or("");
        return whole.parse::<i64>().map_err(|_| "not a valid epoch time".to_string());
    }
    let bad = || "not a valid date".to_string();
    let number = |s: &str, len: usize| -> Result<i64, String> {
        if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) { s.parse().map_err(|_| bad()) } else { Err(bad()) }
    };
    let (date, time) = match text.find(['T', 't', ' ']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (year, month, day) = (number(y, 4)?, number(m, 2)?, number(d, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("the day does not exist".into());
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    let Some(time) = time else { return Ok(seconds) };
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => (&time[..i], &time[i..]),
        None => (time, ""),
    };
    let clock = clock.split('.').next().unwrap_or("");
    let fields: Vec<&str> = clock.split(':').collect();
    let (hour, minute, second) = match fields.as_slice() {
        [h, m] => (number(h, 2)?, number(m, 2)?, 0),
        [h, m, s] => (number(h, 2)?, number(m, 2)?, number(s, 2)?),
        _ => return Err(bad()),
    };
    if hour > 23 || minute > 59 || second > 59 {
        return Err("the time of day does not exist".into());
    }
    seconds += hour * 3600 + minute * 60 + second;
    let offset_seconds = match offset {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let digits = offset[1..].replace(':', "");
            let (oh, om) = (number(digits.get(..2).unwrap_or(""), 2)?, number(digits.get(2..).unwrap_or(""), 2)?);
            if oh > 23 || om > 59 {
                return Err("the UTC offset does not exist".into());
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Ok(seconds - offset_seconds)
}

pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A Unix time as UTC calendar fields: (year, month, day, hour, minute, second).
pub fn utc_fields(unix_s: i64) -> (i64, u32, u32, u32, u32, u32) {
    let (days, secs) = (unix_s.div_euclid(86_400), unix_s.rem_euclid(86_400));
    // The inverse of `days_from_civil` (H. Hinnant's civil_from_days).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + (month <= 2) as i64;
    (year, month, day, (secs / 3600) as u32, (secs / 60 % 60) as u32, (secs % 60) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_fields_invert_parse_date() {
        for text in ["1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2030-01-01T00:00:00Z", "1969-12-31T12:34:56Z"] {
            let (y, mo, d, h, mi, s) = utc_fields(parse_date(text).unwrap());
            assert_eq!(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"), text);
        }
        for day in (-800_000..800_000).step_by(997) {
            let (y, mo, d, ..) = utc_fields(day * 86_400 + 7);
            assert_eq!(days_from_civil(y, mo as i64, d as i64), day);
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("50 GiB"), Ok(50 * 1024 * 1024 * 1024));
        assert_eq!(parse_size("1.5MB"), Ok(1_500_000));
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("1_000 B"), Ok(1000));
        assert_eq!(parse_size("2 KiB"), Ok(2048));
        assert!(parse_size("50 gib").unwrap_err().contains("unknown size unit"));
        assert!(parse_size("-1 GiB").unwrap_err().contains("negative"));
        assert!(parse_size("GiB").unwrap_err().contains("number"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("20 ms"), Ok(SimDuration::from_millis(20)));
        assert_eq!(parse_duration("1.5 s"), Ok(SimDuration::from_micros(1_500_000)));
        assert_eq!(parse_duration("10 min"), Ok(SimDuration::from_secs(600)));
        assert_eq!(parse_duration("86400"), Ok(SimDuration::from_secs(86400)));
        assert_eq!(parse_duration("1e3 ms"), Ok(SimDuration::from_secs(1)));
        assert_eq!(parse_duration("250 us"), Ok(SimDuration::from_micros(250)));
        assert!(parse_duration("3 weeks").unwrap_err().contains("unknown duration unit"));
    }

    #[test]
    fn formatting() {
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(10), "10 B");
        assert_eq!(format_duration(SimDuration::from_secs(90)), "90 s");
        assert_eq!(format_duration(SimDuration::from_millis(20)), "20 ms");
        assert_eq!(format_duration(SimDuration::from_secs(86400)), "24 h");
    }
}
