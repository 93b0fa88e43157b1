//! Sweep files: a `[sweep]` table that names a scenario and what to vary, so
//! that a sweep can be committed next to its scenario and rerun by name.
//!
//! ```toml
//! [sweep]
//! scenario = "quickstart.toml"   # relative to this file
//! replicates = 3
//! vary = [
//!     "caches.edge.capacity=64 MiB,256 MiB,1 GiB",           # exactly a --vary argument
//!     { path = "traffic.zipf_alpha", values = [0.6, 0.8] },  # or TOML values, no quoting
//! ]
//! ```
//!
//! A scenario file refuses tables it does not know (a typo must not pass
//! silently), so the sweep lives in a file of its own that points at the
//! scenario instead of inside it.

use super::error::SweepError;
use super::vary::Vary;
use crate::scenario::source::SpanIndex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Value;

/// The fields of a `[sweep]` table; command-line flags override them.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepFile {
    /// The scenario, resolved against the sweep file's folder.
    pub scenario: PathBuf,
    pub sets: Vec<String>,
    pub varies: Vec<Vary>,
    pub replicates: Option<u64>,
    pub seed: Option<u64>,
    pub requests: Option<u64>,
    /// Where each field is, for problems found once the sweep is planned.
    pub fields: FileFields,
}

/// A sweep file's path and where its fields are: a problem found later (a
/// scenario that cannot be read, too many runs, a `set` the scenario
/// refuses) names the file, the field, its line and column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileFields {
    pub file: PathBuf,
    /// `sweep.scenario`, `sweep.set[1]`, ... -> 1-based line and column.
    positions: BTreeMap<String, (usize, usize)>,
}

impl FileFields {
    /// The error for `field` of this file.
    pub fn error(&self, field: &str, problem: impl Into<String>, fix: impl Into<String>) -> SweepError {
        SweepError::File {
            file: self.file.clone(),
            position: self.positions.get(field).or_else(|| self.positions.get("sweep")).copied(),
            field: field.to_string(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

const FIELDS: &str = "scenario, vary, set, replicates, seed, requests";

/// Makes the error for a field of the sweep file: (field, problem, fix).
type MakeError<'a> = dyn Fn(&str, String, &str) -> SweepError + 'a;

/// Reads `path` as a sweep file. `Ok(None)` when it has no `[sweep]` table
/// (or is no TOML at all): it is then a scenario, and the scenario loader
/// reports its problems.
pub fn load(path: &Path) -> Result<Option<SweepFile>, SweepError> {
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(None) };
    let Ok(document) = toml::from_str::<toml::Table>(&text) else { return Ok(None) };
    let Some(sweep) = document.get("sweep") else { return Ok(None) };
    let spans = SpanIndex::build(&text);
    let err = |field: &str, problem: String, fix: &str| SweepError::File {
        file: path.to_path_buf(),
        position: spans.locate(field),
        field: field.to_string(),
        problem,
        fix: fix.to_string(),
    };
    if let Some(other) = document.keys().find(|k| *k != "sweep") {
        return Err(err(
            other,
            "a sweep file holds only the [sweep] table".into(),
            "keep the scenario in a file of its own and name it in sweep.scenario",
        ));
    }
    let table = sweep.as_table().ok_or_else(|| err("sweep", "is not a table".into(), "write it as [sweep]"))?;
    if let Some(key) = table.keys().find(|k| !FIELDS.split(", ").any(|f| f == k.as_str())) {
        return Err(err(
            &format!("sweep.{key}"),
            "unknown field".into(),
            &format!("remove it or correct the spelling; expected one of {FIELDS}; see scenarios/README.md"),
        ));
    }
    let scenario = scenario_path(table, path, &err)?;
    let sets = sets(table, &err)?;
    let fields = FileFields { file: path.to_path_buf(), positions: field_positions(table, &spans) };
    let varies = varies(table, &err)?;
    Ok(Some(SweepFile {
        scenario,
        sets,
        varies,
        replicates: number(table, "replicates", 1, &err)?,
        seed: number(table, "seed", 0, &err)?,
        requests: number(table, "requests", 1, &err)?,
        fields,
    }))
}

/// `sweep.scenario`, resolved against the sweep file's folder.
fn scenario_path(table: &toml::Table, path: &Path, err: &MakeError) -> Result<PathBuf, SweepError> {
    match table.get("scenario") {
        Some(Value::String(s)) => Ok(path.parent().unwrap_or(Path::new("")).join(s)),
        Some(_) => Err(err("sweep.scenario", "is not a string".into(), "write the scenario's file name in quotes")),
        None => Err(err(
            "sweep.scenario",
            "this required field is missing".into(),
            "add scenario = \"FILE.toml\", relative to the sweep file",
        )),
    }
}

/// An optional whole number of at least `min`.
fn number(table: &toml::Table, key: &str, min: i64, err: &MakeError) -> Result<Option<u64>, SweepError> {
    match table.get(key) {
        None => Ok(None),
        Some(Value::Integer(n)) if *n >= min => Ok(Some(*n as u64)),
        Some(_) => Err(err(&format!("sweep.{key}"), format!("is not an integer of at least {min}"), "write e.g. 3")),
    }
}

/// `sweep.set`: `PATH=VALUE` strings, as after `--set`.
fn sets(table: &toml::Table, err: &MakeError) -> Result<Vec<String>, SweepError> {
    match table.get("set") {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().map(str::to_string).ok_or_else(|| {
                    err(
                        &format!("sweep.set[{i}]"),
                        "is not a string".into(),
                        "write it as \"PATH=VALUE\", as after --set",
                    )
                })
            })
            .collect(),
        Some(_) => Err(err("sweep.set", "is not a list".into(), "write set = [\"PATH=VALUE\", ...]")),
    }
}

/// `sweep.vary`: each entry a `--vary` string or a table.
fn varies(table: &toml::Table, err: &MakeError) -> Result<Vec<Vary>, SweepError> {
    match table.get("vary") {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            items.iter().enumerate().map(|(i, item)| vary(item, &format!("sweep.vary[{i}]"), err)).collect()
        }
        Some(_) => Err(err("sweep.vary", "is not a list".into(), "write vary = [\"PATH=LIST\", ...]")),
    }
}

/// Where the fields that later problems may name are: the table, its
/// scalar fields and each entry of its lists.
fn field_positions(table: &toml::Table, spans: &SpanIndex) -> BTreeMap<String, (usize, usize)> {
    let mut positions = BTreeMap::new();
    let mut keep = |field: String| {
        if let Some(at) = spans.locate(&field) {
            positions.insert(field, at);
        }
    };
    keep("sweep".into());
    for key in ["scenario", "replicates", "seed", "requests"] {
        keep(format!("sweep.{key}"));
    }
    for list in ["set", "vary"] {
        let n = table.get(list).and_then(Value::as_array).map_or(0, Vec::len);
        (0..n).for_each(|i| keep(format!("sweep.{list}[{i}]")));
    }
    positions
}

/// One entry of `vary`: a `--vary` string, or `{ path = "...", values = [...] }`.
fn vary(item: &Value, field: &str, err: &MakeError) -> Result<Vary, SweepError> {
    const TABLE_FIX: &str = "write \"PATH=LIST\" or { path = \"PATH\", values = [...] }";
    match item {
        Value::String(arg) => Vary::parse(arg).map_err(|e| match e {
            SweepError::Vary { problem, fix, .. } => err(field, problem, &fix),
            other => other,
        }),
        Value::Table(t) => {
            if let Some(key) = t.keys().find(|k| !matches!(k.as_str(), "path" | "values")) {
                return Err(err(&format!("{field}.{key}"), "unknown field".into(), TABLE_FIX));
            }
            let path = t.get("path").and_then(Value::as_str);
            let values = t.get("values").and_then(Value::as_array);
            match (path, values) {
                (Some(path), Some(values)) => Vary::from_values(path, values).map_err(|p| err(field, p, TABLE_FIX)),
                _ => Err(err(field, "needs a `path` string and a `values` list".into(), TABLE_FIX)),
            }
        }
        _ => Err(err(field, "is neither a string nor a table".into(), TABLE_FIX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(name: &str, text: &str) -> Result<Option<SweepFile>, SweepError> {
        let dir = std::env::temp_dir().join(format!("cdnsim-sweepfile-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.toml");
        std::fs::write(&path, text).unwrap();
        load(&path)
    }

    #[test]
    fn a_sweep_file_names_its_scenario_and_varies() {
        let text = r#"
[sweep]
scenario = "quickstart.toml"
replicates = 3
seed = 7
set = ["simulation.warmup=0"]
vary = [
    "caches.edge.capacity=64 MiB,1 GiB",
    { path = "traffic.zipf_alpha", values = [0.6, 0.8] },
]
"#;
        let file = load_text("ok", text).unwrap().expect("a sweep file");
        // Relative to the sweep file's folder, not to the working directory.
        let folder = format!("cdnsim-sweepfile-{}-ok", std::process::id());
        assert!(file.scenario.ends_with(Path::new(&folder).join("quickstart.toml")), "{}", file.scenario.display());
        assert_eq!((file.replicates, file.seed, file.requests), (Some(3), Some(7), None));
        assert_eq!(file.sets, ["simulation.warmup=0"]);
        assert_eq!(file.varies.len(), 2);
        assert_eq!(file.varies[1].values[1].cell, "0.8");
    }

    #[test]
    fn a_scenario_is_not_a_sweep_file() {
        assert_eq!(load_text("scenario", "[simulation]\nrequests = 1\n").unwrap(), None);
        assert_eq!(load(Path::new("/no/such/file.toml")).unwrap(), None);
    }

    #[test]
    fn mistakes_point_at_the_field() {
        let e = load_text("unknown", "[sweep]\nscenario = \"q.toml\"\nreplicate = 3\n").unwrap_err().to_string();
        assert!(e.ends_with("s.toml:3:1: `sweep.replicate`: unknown field (fix: remove it or correct the spelling; expected one of scenario, vary, set, replicates, seed, requests; see scenarios/README.md)"), "{e}");
        let e = load_text("missing", "[sweep]\nreplicates = 2\n").unwrap_err().to_string();
        // A missing field is reported at its table (the key `sweep` of `[sweep]`).
        assert!(e.contains(":1:2: `sweep.scenario`: this required field is missing"), "{e}");
        let e = load_text("vary", "[sweep]\nscenario = \"q.toml\"\nvary = [\n  \"a.b=0:1:0\",\n]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":4:3: `sweep.vary[0]`: STEP of \"0:1:0\" is 0"), "{e}");
        let e = load_text("mixed", "[sweep]\nscenario = \"q.toml\"\n[traffic]\nrate = 1\n").unwrap_err().to_string();
        assert!(e.contains("`traffic`: a sweep file holds only the [sweep] table"), "{e}");
        let e = load_text("zero", "[sweep]\nscenario = \"q.toml\"\nreplicates = 0\n").unwrap_err().to_string();
        assert!(e.contains("`sweep.replicates`: is not an integer of at least 1"), "{e}");
    }
}
