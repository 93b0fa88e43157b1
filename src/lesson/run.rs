//! Running a lesson: each run through `scenario::load` and `engine::run`,
//! its numbers as the JSON of `cdnsim run --format json` plus the rows of
//! `tiers.csv`, `behaviors.csv` and `timeseries.csv`, then the table and
//! the claims evaluated against those numbers.

use super::error::LessonError;
use super::expr::{EvalError, Path, Segment};
use super::file::{FieldRef, Lesson, RunSpec};
use crate::engine;
use crate::http::Method;
use crate::metrics::accounting::AccountingError;
use crate::report;
use crate::scenario::Scenario;
use serde_json::{Map, Value};

/// What one run gave.
#[derive(Clone, Debug)]
pub enum RunResult {
    /// Simulated; `numbers` is the document claims read.
    Measured { requests: u64, seed: u64, numbers: Value },
    /// Refused by validation (a run with `expect_error`).
    Refused { message: String },
    /// A run with `expect_error` that validated: the lesson is wrong.
    Accepted,
}

#[derive(Clone, Debug)]
pub struct RunOutcome {
    pub label: String,
    pub result: RunResult,
}

/// One checked claim with the measured numbers it used.
#[derive(Clone, Debug)]
pub struct ClaimOutcome {
    pub says: String,
    pub check: String,
    pub holds: bool,
    /// Each path of the check and its measured value, in the order written.
    pub values: Vec<(String, f64)>,
    /// Why it does not hold beyond the numbers (a division by zero, a
    /// refusal with another message).
    pub note: Option<String>,
}

/// A table cell: a number, or `None` for a run that was refused.
pub type Cell = Option<f64>;

#[derive(Clone, Debug)]
pub struct Outcome {
    pub runs: Vec<RunOutcome>,
    /// The column headers (run labels) and, per row, its label and cells.
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Cell>)>,
    pub claims: Vec<ClaimOutcome>,
}

impl Outcome {
    pub fn all_hold(&self) -> bool {
        self.claims.iter().all(|c| c.holds)
    }
}

/// Why a lesson's evidence could not be gathered.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A problem with the lesson file.
    #[error(transparent)]
    Lesson(#[from] LessonError),
    /// A bug in cdnsim: a run's counters do not add up.
    #[error("{}, run {label:?}", file.display())]
    Accounting {
        file: std::path::PathBuf,
        label: String,
        #[source]
        source: AccountingError,
    },
}

/// Runs every run of the lesson and checks its claims. An error is a problem
/// with the lesson file (a scenario that does not load, a path that names no
/// number), or a bug; a claim that does not hold is part of the `Outcome`.
pub fn run(lesson: &Lesson) -> Result<Outcome, RunError> {
    let runs = lesson.runs.iter().map(|spec| run_one(lesson, spec)).collect::<Result<Vec<_>, _>>()?;
    let mut claims: Vec<ClaimOutcome> = lesson
        .runs
        .iter()
        .zip(&runs)
        .filter_map(|(spec, outcome)| {
            let fragment = spec.expect_error.as_ref()?;
            let says = format!("run {} is refused with a message containing {fragment:?}", spec.label);
            let sets: String = spec.sets.iter().map(|s| format!(" --set '{}'", s.text)).collect();
            let check = format!("cdnsim validate {}{sets} fails", spec.scenario_as_written);
            Some(match &outcome.result {
                RunResult::Refused { message } => ClaimOutcome {
                    says,
                    check,
                    holds: message.contains(fragment.as_str()),
                    values: Vec::new(),
                    note: (!message.contains(fragment.as_str())).then(|| format!("refused with: {message}")),
                },
                _ => ClaimOutcome {
                    says,
                    check,
                    holds: false,
                    values: Vec::new(),
                    note: Some("the scenario validated: nothing refused it".into()),
                },
            })
        })
        .collect();

    let columns: Vec<String> = lesson.table.columns.iter().map(|&i| lesson.runs[i].label.clone()).collect();
    let mut rows = Vec::new();
    for row in &lesson.table.rows {
        let mut cells = Vec::new();
        for &column in &lesson.table.columns {
            let cell = match &runs[column].result {
                RunResult::Measured { numbers, .. } => {
                    let mut lookup = |p: &Path| read(numbers, &p.segments, &p.text);
                    match row.value.eval(&mut lookup) {
                        Ok(x) => Some(x),
                        Err(EvalError::DivisionByZero { .. }) => Some(f64::NAN),
                        Err(e) => return Err(path_error(lesson, &row.at, &lesson.runs[column].label, e).into()),
                    }
                }
                _ => None,
            };
            cells.push(cell);
        }
        rows.push((row.label.clone(), cells));
    }

    for claim in &lesson.claims {
        let mut values = Vec::new();
        let mut lookup = |p: &Path| {
            let label = match &p.segments[0] {
                Segment::Key(label) => label.as_str(),
                Segment::Index(_) => unreachable!("paths start with a word"),
            };
            let index = lesson.runs.iter().position(|r| r.label == label).expect("labels were checked on load");
            let RunResult::Measured { numbers, .. } = &runs[index].result else {
                unreachable!("claims on refused runs were refused on load")
            };
            let value = read(numbers, &p.segments[1..], &p.text)?;
            values.push((p.text.clone(), value));
            Ok(value)
        };
        let (holds, note) = match claim.check.eval(&mut lookup) {
            Ok(holds) => (holds, None),
            Err(EvalError::DivisionByZero { expression }) => {
                (false, Some(format!("`{expression}` is 0 in this run, so the check divides by zero")))
            }
            Err(e) => return Err(path_error(lesson, &claim.at, "", e).into()),
        };
        claims.push(ClaimOutcome { says: claim.says.clone(), check: claim.check_text.clone(), holds, values, note });
    }
    Ok(Outcome { runs, columns, rows, claims })
}

fn path_error(lesson: &Lesson, at: &FieldRef, run: &str, e: EvalError) -> LessonError {
    let problem = match e {
        EvalError::Path { path, problem } if run.is_empty() => format!("`{path}`: {problem}"),
        EvalError::Path { path, problem } => format!("`{path}` in run {run:?}: {problem}"),
        EvalError::DivisionByZero { expression } => format!("`{expression}` is 0"),
    };
    LessonError {
        file: lesson.file.clone(),
        position: at.position,
        field: at.field.clone(),
        problem,
        fix: "use a path into the run's numbers: the keys of `cdnsim run --format json`, and tiers.<tier>.<name>, \
              behaviors[N], timeseries[N] (see scenarios/lessons/README.md)"
            .into(),
    }
}

fn run_one(lesson: &Lesson, spec: &RunSpec) -> Result<RunOutcome, RunError> {
    let loaded = Scenario::load(&spec.scenario, &spec.sets);
    let result = match (loaded, &spec.expect_error) {
        (Err(e), Some(_)) => RunResult::Refused { message: e.to_string() },
        (Ok(_), Some(_)) => RunResult::Accepted,
        (Err(e), None) => {
            return Err(LessonError {
                file: lesson.file.clone(),
                position: spec.at.position,
                field: spec.at.field.clone(),
                problem: format!("the scenario of run {:?} does not load: {e}", spec.label),
                fix: "correct the scenario or the run's set, or add expect_error if the refusal is the lesson".into(),
            }
            .into());
        }
        (Ok(mut scenario), None) => {
            if let Some(n) = spec.requests {
                scenario
                    .stop_after_requests(n)
                    .map_err(|e| {
                        let (why, fix) = match e.field_error() {
                            Some(f) => (
                                format!(
                                    "{}: {}",
                                    f.file.display(),
                                    f.problem.trim_start_matches(&format!("--requests {n}: "))
                                ),
                                format!("lower the run's requests, or {}", f.fix),
                            ),
                            None => (e.to_string(), "lower the run's requests".into()),
                        };
                        LessonError {
                            file: lesson.file.clone(),
                            position: spec.at.position,
                            field: spec.at.field.clone(),
                            problem: format!("the run {:?} cannot simulate its requests: {why}", spec.label),
                            fix,
                        }
                    })
                    .map_err(RunError::from)?;
            }
            let seed = spec.seed.unwrap_or(scenario.simulation.seed);
            let report = engine::run(&scenario, seed, &mut |_| {}).map_err(|source| RunError::Accounting {
                file: lesson.file.clone(),
                label: spec.label.clone(),
                source,
            })?;
            let numbers = numbers(&report, &scenario).map_err(|e| LessonError {
                file: lesson.file.clone(),
                position: spec.at.position,
                field: spec.at.field.clone(),
                problem: format!("the run {:?} cannot be priced: {e:#}", spec.label),
                fix: "shorten the scenario's cost.period or correct its pricing table".into(),
            })?;
            RunResult::Measured { requests: report.requests_simulated, seed, numbers }
        }
    };
    Ok(RunOutcome { label: spec.label.clone(), result })
}

/// The document a run's paths read: the JSON summary of `cdnsim run
/// --format json`, plus `tiers.<tier>.<name>` (the rows of `tiers.csv` by
/// tier and name), `behaviors[N]`, `timeseries[N]` and, when the run counts
/// viewer populations, `viewers.<population>` (the rows of `viewers.csv`).
pub fn numbers(report: &engine::Report, scenario: &Scenario) -> anyhow::Result<Value> {
    let summary = report::summary(report, scenario)?;
    let mut document = serde_json::to_value(&summary).expect("the summary serialises");
    let mut tiers: Map<String, Value> = Map::new();
    for row in report::tier_rows(report, scenario) {
        let by_name = tiers.entry(row.tier).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(by_name) = by_name {
            by_name.insert(row.name.clone(), serde_json::to_value(&row).expect("rows serialise"));
        }
    }
    let object = document.as_object_mut().expect("the summary is an object");
    object.insert("tiers".into(), Value::Object(tiers));
    object.insert("behaviors".into(), serde_json::to_value(report::behavior_rows(report, scenario)).expect("rows"));
    object.insert("timeseries".into(), serde_json::to_value(report::timeseries_rows(report)).expect("rows"));
    if let Some(rows) = report::viewer_rows(report, scenario) {
        let by_name: Map<String, Value> = rows
            .into_iter()
            .map(|row| (row.population.clone(), serde_json::to_value(&row).expect("rows serialise")))
            .collect();
        object.insert("viewers".into(), Value::Object(by_name));
    }
    Ok(document)
}

/// Maps that list only their non-zero entries: a missing entry reads as 0,
/// provided its key is one the map could hold (so a typo is still an error).
fn sparse_key_ok(map: &str, key: &str) -> Option<bool> {
    match map {
        "by_method" | "failover" => Some(Method::ALL.iter().any(|m| m.as_str() == key)),
        "errors_by_status" => Some(key.parse::<u16>().is_ok_and(|s| (400..=599).contains(&s))),
        "by_reason" => Some(cdnsim_sign::Rejection::ALL.iter().any(|r| r.as_str() == key)),
        // A usage line the run did not use (no South America traffic under
        // PriceClass_100) is a zero on the bill.
        "simulated" | "monthly" => Some(key.parse::<cdnsim_cost::UsageType>().is_ok()),
        _ => None,
    }
}

/// Reads the number at `segments` in `document`.
pub fn read(document: &Value, segments: &[Segment], text: &str) -> Result<f64, EvalError> {
    let fail = |problem: String| EvalError::Path { path: text.to_string(), problem };
    let mut value = document;
    let mut parent_key = "";
    for (depth, segment) in segments.iter().enumerate() {
        let here = || {
            let walked: Vec<String> = segments[..depth]
                .iter()
                .map(|s| match s {
                    Segment::Key(k) => k.clone(),
                    Segment::Index(i) => format!("[{i}]"),
                })
                .collect();
            if walked.is_empty() { "the run's numbers".to_string() } else { format!("`{}`", walked.join(".")) }
        };
        value = match (segment, value) {
            (Segment::Key(key), Value::Object(map)) => match map.get(key) {
                Some(v) => v,
                None => match sparse_key_ok(parent_key, key) {
                    Some(true) => return Ok(0.0),
                    Some(false) => return Err(fail(format!("{} cannot hold {key:?}", here()))),
                    None => {
                        let keys: Vec<&str> = map.keys().map(String::as_str).take(40).collect();
                        return Err(fail(format!("there is no {key:?} in {}; it has: {}", here(), keys.join(", "))));
                    }
                },
            },
            (Segment::Index(i), Value::Array(items)) => items.get(*i).ok_or_else(|| {
                fail(format!("{} has {} entries, numbered from 0; there is no [{i}]", here(), items.len()))
            })?,
            (Segment::Key(key), Value::Array(_)) => {
                return Err(fail(format!("{} is a list: write [N] instead of .{key}", here())));
            }
            (_, _) => return Err(fail(format!("{} is a single value, with nothing inside", here()))),
        };
        parent_key = match segment {
            Segment::Key(k) => k,
            Segment::Index(_) => "",
        };
    }
    match value {
        Value::Number(n) => Ok(n.as_f64().unwrap_or(f64::NAN)),
        Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Value::Null => Err(fail("has no value here (a tier row leaves such columns empty)".into())),
        Value::String(s) => Err(fail(format!("is the text {s:?}, not a number"))),
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).take(40).collect();
            Err(fail(format!("is a table, not a number; it has: {}", keys.join(", "))))
        }
        Value::Array(items) => Err(fail(format!("is a list of {} entries; add [N]", items.len()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::expr::{Num, parse_num};

    fn at(document: &Value, text: &str) -> Result<f64, EvalError> {
        let Num::Path(p) = parse_num(text).unwrap() else { panic!("{text} is not a path") };
        read(document, &p.segments, text)
    }

    #[test]
    fn paths_read_numbers_lists_and_sparse_maps() {
        let doc = serde_json::json!({
            "origin_requests": 12,
            "hit_ratio": 0.5,
            "valid": true,
            "failover": { "GET": { "failovers": 3, "errors_by_status": { "503": 2 } } },
            "timeseries": [ { "failovers": 0 }, { "failovers": 4 } ],
            "tiers": { "origin": { "app": { "hits": null, "requests": 9 } } },
            "usage": { "monthly": { "US-Requests-Tier2-HTTPS": 7 } },
        });
        assert_eq!(at(&doc, "origin_requests"), Ok(12.0));
        assert_eq!(at(&doc, "valid"), Ok(1.0));
        assert_eq!(at(&doc, "failover.GET.errors_by_status.503"), Ok(2.0));
        assert_eq!(at(&doc, "failover.GET.errors_by_status.504"), Ok(0.0));
        assert_eq!(at(&doc, "failover.POST.failovers"), Ok(0.0));
        assert_eq!(at(&doc, "timeseries[1].failovers"), Ok(4.0));
        assert_eq!(at(&doc, r#"tiers.origin["app"].requests"#), Ok(9.0));
        assert_eq!(at(&doc, r#"usage.monthly["US-Requests-Tier2-HTTPS"]"#), Ok(7.0));
        assert_eq!(at(&doc, r#"usage.monthly["SA-Requests-Tier2-HTTPS"]"#), Ok(0.0));

        let problem = |text: &str| match at(&doc, text) {
            Err(EvalError::Path { problem, .. }) => problem,
            other => panic!("{text}: {other:?}"),
        };
        assert!(problem("failover.GTE.failovers").contains("cannot hold \"GTE\""));
        assert!(problem("failover.GET.errors_by_status.200").contains("cannot hold"));
        assert!(problem(r#"usage.monthly["SA-Requests-Tier9"]"#).contains("cannot hold"));
        assert!(problem("origin_request").contains("it has: "));
        assert!(problem("timeseries[2].failovers").contains("2 entries"));
        assert!(problem("timeseries.failovers").contains("is a list"));
        assert!(problem("tiers.origin.app.hits").contains("no value"));
        assert!(problem("tiers.origin").contains("is a table"));
        assert!(problem("hit_ratio.x").contains("single value"));
    }
}
