//! Where each field of a scenario file is, so that errors can point at it, and
//! `--set PATH=VALUE` overrides applied to the parsed document.

use std::collections::BTreeMap;
use toml::Value;
use toml::de::{DeTable, DeValue};

/// Dotted field path (`caches.edge.capacity`, `distribution.behaviors[1].origin`)
/// to the 1-based line and column of its key in the file.
#[derive(Debug, Default)]
pub struct SpanIndex {
    positions: BTreeMap<String, (usize, usize)>,
}

impl SpanIndex {
    /// Indexes every key of a document that already parsed.
    pub fn build(text: &str) -> SpanIndex {
        let mut index = SpanIndex::default();
        if let Ok(table) = DeTable::parse(text) {
            let lines = LineStarts::new(text);
            index.walk_table(&lines, "", table.get_ref());
        }
        index
    }

    fn walk_table(&mut self, lines: &LineStarts, prefix: &str, table: &DeTable<'_>) {
        for (key, value) in table.iter() {
            let path =
                if prefix.is_empty() { key.get_ref().to_string() } else { format!("{prefix}.{}", key.get_ref()) };
            self.positions.insert(path.clone(), lines.position(key.span().start));
            self.walk_value(lines, &path, value.get_ref(), value.span().start);
        }
    }

    fn walk_value(&mut self, lines: &LineStarts, path: &str, value: &DeValue<'_>, start: usize) {
        match value {
            DeValue::Table(table) => self.walk_table(lines, path, table),
            DeValue::Array(array) => {
                for (i, item) in array.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    self.positions.insert(item_path.clone(), lines.position(item.span().start));
                    self.walk_value(lines, &item_path, item.get_ref(), item.span().start);
                }
            }
            _ => {
                self.positions.entry(path.to_string()).or_insert_with(|| lines.position(start));
            }
        }
    }

    /// The position of `path`, or of its nearest ancestor that is in the file
    /// (a missing field is reported at the table that should hold it).
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let mut candidate = path;
        loop {
            if let Some(&pos) = self.positions.get(candidate) {
                return Some(pos);
            }
            let cut = candidate.rfind(['.', '['])?;
            candidate = &candidate[..cut];
        }
    }
}

/// Byte offset to line/column, both 1-based; columns count characters.
pub struct LineStarts<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineStarts<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineStarts { text, starts }
    }

    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text.get(start..offset.min(self.text.len())).map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }
}

/// One `--set PATH=VALUE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: String,
    pub value: Value,
    /// The text as the user typed it, for messages.
    pub text: String,
}

impl Override {
    /// Parses `PATH=VALUE`. VALUE is read as TOML (`1.1`, `true`, `"x"`,
    /// `["GET","HEAD"]`); anything that is not valid TOML is taken as a string,
    /// so `--set caches.edge.capacity=5 GiB` needs no quoting.
    pub fn parse(text: &str) -> Result<Override, String> {
        let (path, raw_value) = text
            .split_once('=')
            .ok_or_else(|| format!("--set {text:?}: expected PATH=VALUE, e.g. --set traffic.zipf_alpha=1.1"))?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(|seg| seg.trim().is_empty()) {
            return Err(format!("--set {text:?}: the path must be dotted field names, e.g. caches.edge.capacity"));
        }
        let value = parse_value(raw_value.trim());
        Ok(Override { path: path.to_string(), value, text: text.to_string() })
    }
}

fn parse_value(text: &str) -> Value {
    let wrapped = format!("v = {text}");
    match toml::from_str::<toml::Table>(&wrapped) {
        Ok(mut table) => table.remove("v").unwrap_or_else(|| Value::String(text.to_string())),
        Err(_) => Value::String(text.to_string()),
    }
}

/// Sets `path` in `root`, creating tables on the way. Array elements are
/// addressed as `name[2]`.
pub fn apply_override(root: &mut toml::Table, ov: &Override) -> Result<(), String> {
    let segments: Vec<&str> = ov.path.split('.').collect();
    let mut table = root;
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let (name, index) = split_index(segment).map_err(|e| format!("--set {}: {e}", ov.text))?;
        let slot = match index {
            None if last => {
                table.insert(name.to_string(), ov.value.clone());
                return Ok(());
            }
            None => table.entry(name.to_string()).or_insert_with(|| Value::Table(toml::Table::new())),
            Some(idx) => {
                let array = table
                    .get_mut(name)
                    .and_then(Value::as_array_mut)
                    .ok_or_else(|| format!("--set {}: `{name}` is not a list in this scenario", ov.text))?;
                let len = array.len();
                let item = array.get_mut(idx).ok_or_else(|| {
                    format!("--set {}: `{name}` has {len} entries, so [{idx}] does not exist", ov.text)
                })?;
                if last {
                    *item = ov.value.clone();
                    return Ok(());
                }
                item
            }
        };
        table = slot.as_table_mut().ok_or_else(|| {
            format!(
                "--set {}: `{}` is a value, not a table, so it has no field `{}`",
                ov.text,
                segment,
                segments[i + 1]
            )
        })?;
    }
    Ok(())
}

fn split_index(segment: &str) -> Result<(&str, Option<usize>), String> {
    match segment.split_once('[') {
        None => Ok((segment, None)),
        Some((name, rest)) => {
            let idx = rest
                .strip_suffix(']')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("`{segment}` is not NAME[INDEX]"))?;
            Ok((name, Some(idx)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "[simulation]\nseed = 1\n\n[caches.edge]\ncapacity = \"1 GiB\"\n\n[[origins]]\nname = \"a\"\n[[origins]]\nname = \"b\"\n";

    #[test]
    fn spans_point_at_keys() {
        let index = SpanIndex::build(DOC);
        assert_eq!(index.locate("simulation.seed"), Some((2, 1)));
        assert_eq!(index.locate("caches.edge.capacity"), Some((5, 1)));
        assert_eq!(index.locate("origins[1].name"), Some((10, 1)));
        // A missing field falls back to its table.
        assert_eq!(index.locate("caches.edge.eviction"), index.locate("caches.edge"));
    }

    #[test]
    fn overrides() {
        let mut table: toml::Table = toml::from_str(DOC).unwrap();
        apply_override(&mut table, &Override::parse("caches.edge.capacity=5 GiB").unwrap()).unwrap();
        apply_override(&mut table, &Override::parse("traffic.zipf_alpha=1.1").unwrap()).unwrap();
        apply_override(&mut table, &Override::parse("origins[1].name=\"c\"").unwrap()).unwrap();
        assert_eq!(table["caches"]["edge"]["capacity"].as_str(), Some("5 GiB"));
        assert_eq!(table["traffic"]["zipf_alpha"].as_float(), Some(1.1));
        assert_eq!(table["origins"][1]["name"].as_str(), Some("c"));
        let err = apply_override(&mut table, &Override::parse("origins[5].name=x").unwrap()).unwrap_err();
        assert!(err.contains("has 2 entries"), "{err}");
        let err = apply_override(&mut table, &Override::parse("simulation.seed.x=1").unwrap()).unwrap_err();
        assert!(err.contains("not a table"), "{err}");
        assert!(Override::parse("no-equals").is_err());
    }
}
