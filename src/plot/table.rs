//! A result CSV read by column name: the plots depend on the header, not on
//! column positions, so files from older or newer versions still plot
//! whatever columns they share.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
pub struct CsvTable {
    pub path: PathBuf,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl CsvTable {
    /// Reads `path`; a missing file or a malformed line is an error naming it.
    pub fn read(path: &Path) -> anyhow::Result<CsvTable> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        CsvTable::parse(path, &bytes)
    }

    pub fn parse(path: &Path, bytes: &[u8]) -> anyhow::Result<CsvTable> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .with_context(|| format!("{}: cannot read the header line", path.display()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.with_context(|| format!("{}: malformed CSV", path.display()))?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(CsvTable { path: path.to_path_buf(), header, rows })
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The column's numbers; an empty cell is `None`. Errors name the file,
    /// line and column of a cell that is not a number.
    pub fn numbers(&self, name: &str) -> anyhow::Result<Vec<Option<f64>>> {
        let Some(c) = self.column(name) else {
            bail!("{} has no column `{name}` (it was written by another version of cdnsim?)", self.path.display());
        };
        self.rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let cell = row.get(c).map(String::as_str).unwrap_or("");
                if cell.is_empty() {
                    return Ok(None);
                }
                cell.parse::<f64>().map(Some).map_err(|_| {
                    anyhow::anyhow!(
                        "{}:{}: column `{name}` holds {cell:?}, not a number (was the file edited by hand?)",
                        self.path.display(),
                        i + 2
                    )
                })
            })
            .collect()
    }

    /// The column's numbers with empty cells as zero.
    pub fn numbers_or_zero(&self, name: &str) -> anyhow::Result<Vec<f64>> {
        Ok(self.numbers(name)?.into_iter().map(|x| x.unwrap_or(0.0)).collect())
    }

    pub fn texts(&self, name: &str) -> Option<Vec<&str>> {
        let c = self.column(name)?;
        Some(self.rows.iter().map(|row| row.get(c).map_or("", String::as_str)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_by_name_and_errors_with_line_numbers() {
        let t = CsvTable::parse(Path::new("t.csv"), b"a,b\n1,x\n,2.5\n").unwrap();
        assert_eq!(t.numbers("a").unwrap(), vec![Some(1.0), None]);
        assert_eq!(t.numbers_or_zero("a").unwrap(), vec![1.0, 0.0]);
        let e = t.numbers("b").unwrap_err().to_string();
        assert!(e.contains("t.csv:2") && e.contains("\"x\""), "{e}");
        assert!(t.numbers("c").unwrap_err().to_string().contains("no column `c`"));
        assert_eq!(t.texts("b").unwrap(), vec!["x", "2.5"]);
    }
}
