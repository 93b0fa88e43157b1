//! Reading a `*.lesson.toml` file into a checked [`Lesson`]. The format is
//! described in `scenarios/lessons/README.md`; every problem names the file,
//! the field with its line and column, and the fix.

use super::error::LessonError;
use super::expr::{self, Cond, Num};
use crate::scenario::Override;
use crate::scenario::source::SpanIndex;
use std::path::{Path, PathBuf};
use toml::Value;

/// The suffix that makes a file in the lessons folder a lesson (the folder
/// also holds the plain scenarios the lessons run).
pub const LESSON_SUFFIX: &str = ".lesson.toml";

/// A lesson, checked: every run's scenario exists, every expression parses,
/// every path starts with a run label.
#[derive(Clone, Debug)]
pub struct Lesson {
    /// Kebab-case, from the file name: `regional-edge-caches`.
    pub name: String,
    pub file: PathBuf,
    pub title: String,
    pub summary: String,
    /// Listing order; lessons without one come after, by name.
    pub order: Option<u32>,
    /// The set-up, in a few lines.
    pub scenario: String,
    pub takeaway: String,
    pub question: Question,
    pub runs: Vec<RunSpec>,
    pub table: Table,
    pub claims: Vec<Claim>,
}

#[derive(Clone, Debug)]
pub struct Question {
    pub text: String,
    pub choices: Vec<String>,
    /// Index into `choices`.
    pub answer: usize,
}

impl Question {
    pub fn letter(index: usize) -> char {
        (b'a' + index as u8) as char
    }
}

/// Where a field is, for messages about it after the file was read (a path
/// that names nothing is only found once the run has numbers).
#[derive(Clone, Debug)]
pub struct FieldRef {
    pub field: String,
    pub position: Option<(usize, usize)>,
}

/// One simulation (or validation) a lesson makes.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub label: String,
    /// Resolved against the lesson file's folder.
    pub scenario: PathBuf,
    /// As written in the lesson file, for display.
    pub scenario_as_written: String,
    pub sets: Vec<Override>,
    pub requests: Option<u64>,
    pub seed: Option<u64>,
    /// A run that must be refused by validation with a message holding this.
    pub expect_error: Option<String>,
    pub at: FieldRef,
}

#[derive(Clone, Debug)]
pub struct Table {
    /// Indices into `runs`, one column each.
    pub columns: Vec<usize>,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub label: String,
    /// Read in each column's run: its paths have no run label.
    pub value: Num,
    pub at: FieldRef,
}

#[derive(Clone, Debug)]
pub struct Claim {
    pub says: String,
    pub check: Cond,
    pub check_text: String,
    pub at: FieldRef,
}

const TOP_FIELDS: &str = "lesson, question, run, table, claim";
const LESSON_FIELDS: &str = "title, summary, order, scenario, takeaway";
const QUESTION_FIELDS: &str = "text, choices, answer";
const RUN_FIELDS: &str = "label, scenario, set, requests, seed, expect_error";
const TABLE_FIELDS: &str = "columns, rows";
const ROW_FIELDS: &str = "label, value";
const CLAIM_FIELDS: &str = "says, check";

/// The lesson name of a file, or `None` when it is not a lesson file.
pub fn lesson_name(path: &Path) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    file.strip_suffix(LESSON_SUFFIX).filter(|n| !n.is_empty()).map(str::to_string)
}

/// Reads and checks a lesson file.
pub fn load(path: &Path) -> Result<Lesson, LessonError> {
    let text = std::fs::read_to_string(path).map_err(|e| LessonError {
        file: path.to_path_buf(),
        position: None,
        field: String::new(),
        problem: format!("cannot read the lesson file: {e}"),
        fix: "check the path; `cdnsim lesson` lists the lessons".into(),
    })?;
    parse(path, &text)
}

/// Checks lesson text; `path` names it in messages and anchors relative
/// scenario paths.
pub fn parse(path: &Path, text: &str) -> Result<Lesson, LessonError> {
    let name = lesson_name(path).unwrap_or_else(|| "lesson".into());
    let document: toml::Table = toml::from_str(text).map_err(|e| LessonError {
        file: path.to_path_buf(),
        position: e.span().map(|s| crate::scenario::source::LineStarts::new(text).position(s.start)),
        field: String::new(),
        problem: format!("not valid TOML: {}", e.message()),
        fix: "see scenarios/lessons/README.md for the format".into(),
    })?;
    let reader = Reader { file: path, spans: SpanIndex::build(text) };
    reader.lesson(name, &document)
}

struct Reader<'a> {
    file: &'a Path,
    spans: SpanIndex,
}

impl Reader<'_> {
    fn error(&self, field: &str, problem: impl Into<String>, fix: impl Into<String>) -> LessonError {
        LessonError {
            file: self.file.to_path_buf(),
            position: self.spans.locate(field),
            field: field.to_string(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    fn at(&self, field: &str) -> FieldRef {
        FieldRef { field: field.to_string(), position: self.spans.locate(field) }
    }

    fn known_fields(&self, table: &toml::Table, prefix: &str, fields: &str) -> Result<(), LessonError> {
        match table.keys().find(|k| !fields.split(", ").any(|f| f == k.as_str())) {
            Some(key) => {
                let field = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                Err(self.error(
                    &field,
                    "unknown field",
                    format!("remove it or correct the spelling; expected one of {fields}"),
                ))
            }
            None => Ok(()),
        }
    }

    fn table<'t>(&self, parent: &'t toml::Table, key: &str, field: &str) -> Result<&'t toml::Table, LessonError> {
        match parent.get(key) {
            Some(Value::Table(t)) => Ok(t),
            Some(_) => Err(self.error(field, "is not a table", format!("write it as [{field}]"))),
            None => Err(self.error(field, "this required table is missing", format!("add a [{field}] table"))),
        }
    }

    fn string(&self, table: &toml::Table, key: &str, field: &str) -> Result<String, LessonError> {
        match table.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(Value::String(_)) => Err(self.error(field, "is empty", "write the text")),
            Some(_) => Err(self.error(field, "is not a string", "write it in quotes")),
            None => Err(self.error(field, "this required field is missing", format!("add {key} = \"...\""))),
        }
    }

    fn optional_integer(
        &self,
        table: &toml::Table,
        key: &str,
        field: &str,
        min: i64,
    ) -> Result<Option<u64>, LessonError> {
        match table.get(key) {
            None => Ok(None),
            Some(Value::Integer(n)) if *n >= min => Ok(Some(*n as u64)),
            Some(_) => Err(self.error(field, format!("is not an integer of at least {min}"), "write e.g. 5000")),
        }
    }

    fn array_of_tables<'t>(&self, parent: &'t toml::Table, key: &str) -> Result<Vec<&'t toml::Table>, LessonError> {
        match parent.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    item.as_table().ok_or_else(|| {
                        self.error(&format!("{key}[{i}]"), "is not a table", format!("write it as [[{key}]]"))
                    })
                })
                .collect(),
            Some(_) => Err(self.error(key, "is not a list of tables", format!("write each entry as [[{key}]]"))),
        }
    }

    fn expression_error(&self, field: &str, text: &str, e: expr::ParseError) -> LessonError {
        self.error(
            field,
            format!("{} (at character {}):\n{}\n", e.problem, e.offset + 1, e.pointer(text)),
            "see the expression syntax in scenarios/lessons/README.md",
        )
    }

    fn lesson(&self, name: String, document: &toml::Table) -> Result<Lesson, LessonError> {
        self.known_fields(document, "", TOP_FIELDS)?;
        let head = self.table(document, "lesson", "lesson")?;
        self.known_fields(head, "lesson", LESSON_FIELDS)?;
        let summary = self.string(head, "summary", "lesson.summary")?;
        if summary.contains('\n') {
            return Err(self.error("lesson.summary", "spans several lines", "keep the summary to one line"));
        }
        let order = self.optional_integer(head, "order", "lesson.order", 0)?.map(|n| n.min(u32::MAX as u64) as u32);
        let question = self.question(document)?;
        let runs = self.runs(document)?;
        let table = self.results_table(document, &runs)?;
        let claims = self.claims(document, &runs)?;
        Ok(Lesson {
            name,
            file: self.file.to_path_buf(),
            title: self.string(head, "title", "lesson.title")?,
            summary,
            order,
            scenario: self.string(head, "scenario", "lesson.scenario")?,
            takeaway: self.string(head, "takeaway", "lesson.takeaway")?,
            question,
            runs,
            table,
            claims,
        })
    }

    fn question(&self, document: &toml::Table) -> Result<Question, LessonError> {
        let q = self.table(document, "question", "question")?;
        self.known_fields(q, "question", QUESTION_FIELDS)?;
        let text = self.string(q, "text", "question.text")?;
        let choices: Vec<String> = match q.get("choices") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                    _ => Err(self.error(
                        &format!("question.choices[{i}]"),
                        "is not a non-empty string",
                        "write the choice in quotes",
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(self.error("question.choices", "is not a list", "write choices = [\"...\", \"...\"]"));
            }
            None => {
                return Err(self.error(
                    "question.choices",
                    "this required field is missing",
                    "add choices = [\"...\", \"...\"]",
                ));
            }
        };
        if !(2..=6).contains(&choices.len()) {
            return Err(self.error(
                "question.choices",
                format!("has {} choices", choices.len()),
                "give 2 to 6 choices (they become a) to f))",
            ));
        }
        let letters: String = (0..choices.len()).map(Question::letter).collect();
        let answer = self.string(q, "answer", "question.answer")?;
        let answer = match answer.chars().collect::<Vec<_>>()[..] {
            [c] if letters.contains(c.to_ascii_lowercase()) => letters.find(c.to_ascii_lowercase()).unwrap_or(0),
            _ => {
                return Err(self.error(
                    "question.answer",
                    format!("{answer:?} is not one of the choices' letters"),
                    format!("write one letter of {letters}: the first choice is a"),
                ));
            }
        };
        Ok(Question { text, choices, answer })
    }

    fn runs(&self, document: &toml::Table) -> Result<Vec<RunSpec>, LessonError> {
        let tables = self.array_of_tables(document, "run")?;
        if tables.is_empty() {
            return Err(self.error(
                "run",
                "the lesson has no [[run]]",
                "add [[run]] with label and scenario (a scenario file next to the lesson)",
            ));
        }
        let dir = self.file.parent().unwrap_or(Path::new(""));
        let mut runs: Vec<RunSpec> = Vec::new();
        for (i, run) in tables.into_iter().enumerate() {
            let field = format!("run[{i}]");
            self.known_fields(run, &field, RUN_FIELDS)?;
            let label = self.string(run, "label", &format!("{field}.label"))?;
            let well_formed = label.starts_with(|c: char| c.is_ascii_lowercase())
                && label.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !well_formed || label == "and" {
                return Err(self.error(
                    &format!("{field}.label"),
                    format!("{label:?} is not a usable label"),
                    "use lower-case letters, digits and _, starting with a letter (claims name runs by it)",
                ));
            }
            if runs.iter().any(|r| r.label == label) {
                return Err(self.error(
                    &format!("{field}.label"),
                    format!("{label:?} is used twice"),
                    "give each run its own label",
                ));
            }
            let scenario_as_written = self.string(run, "scenario", &format!("{field}.scenario"))?;
            let scenario = dir.join(&scenario_as_written);
            if !scenario.is_file() {
                return Err(self.error(
                    &format!("{field}.scenario"),
                    format!("{} does not exist", scenario.display()),
                    "name a scenario file relative to the lesson file, e.g. \"regional-edge-caches.toml\"",
                ));
            }
            let sets = match run.get("set") {
                None => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(k, item)| {
                        let f = format!("{field}.set[{k}]");
                        let text = item
                            .as_str()
                            .ok_or_else(|| self.error(&f, "is not a string", "write \"PATH=VALUE\", as after --set"))?;
                        Override::parse(text).map_err(|e| self.error(&f, e, "write \"PATH=VALUE\", as after --set"))
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => {
                    return Err(self.error(
                        &format!("{field}.set"),
                        "is not a list",
                        "write set = [\"PATH=VALUE\", ...]",
                    ));
                }
            };
            let expect_error = match run.get("expect_error") {
                None => None,
                Some(_) => Some(self.string(run, "expect_error", &format!("{field}.expect_error"))?),
            };
            runs.push(RunSpec {
                label,
                scenario,
                scenario_as_written,
                sets,
                requests: self.optional_integer(run, "requests", &format!("{field}.requests"), 1)?,
                seed: self.optional_integer(run, "seed", &format!("{field}.seed"), 0)?,
                expect_error,
                at: self.at(&field),
            });
        }
        Ok(runs)
    }

    fn results_table(&self, document: &toml::Table, runs: &[RunSpec]) -> Result<Table, LessonError> {
        let t = self.table(document, "table", "table")?;
        self.known_fields(t, "table", TABLE_FIELDS)?;
        let columns: Vec<usize> = match t.get("columns") {
            Some(Value::Array(items)) if !items.is_empty() => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let f = format!("table.columns[{i}]");
                    let label = item.as_str().unwrap_or_default();
                    runs.iter().position(|r| r.label == label).ok_or_else(|| {
                        self.error(&f, format!("{item} is not a run label"), format!("use one of: {}", labels(runs)))
                    })
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(self.error(
                    "table.columns",
                    "is missing or not a non-empty list",
                    format!("list the runs to show, one column each: columns = [\"{}\"]", runs[0].label),
                ));
            }
        };
        let rows = match t.get("rows") {
            Some(Value::Array(items)) if !items.is_empty() => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let f = format!("table.rows[{i}]");
                    let row = item.as_table().ok_or_else(|| {
                        self.error(&f, "is not a table", "write { label = \"...\", value = \"PATH\" }")
                    })?;
                    self.known_fields(row, &f, ROW_FIELDS)?;
                    // Leading spaces indent a row under the one above it.
                    self.string(row, "label", &format!("{f}.label"))?;
                    let label = row["label"].as_str().unwrap_or_default().trim_end().to_string();
                    let text = self.string(row, "value", &format!("{f}.value"))?;
                    let value =
                        expr::parse_num(&text).map_err(|e| self.expression_error(&format!("{f}.value"), &text, e))?;
                    Ok(Row { label, value, at: self.at(&format!("{f}.value")) })
                })
                .collect::<Result<_, LessonError>>()?,
            _ => {
                return Err(self.error(
                    "table.rows",
                    "is missing or empty",
                    "add rows = [{ label = \"...\", value = \"PATH\" }]",
                ));
            }
        };
        Ok(Table { columns, rows })
    }

    fn claims(&self, document: &toml::Table, runs: &[RunSpec]) -> Result<Vec<Claim>, LessonError> {
        let tables = self.array_of_tables(document, "claim")?;
        if tables.is_empty() && runs.iter().all(|r| r.expect_error.is_none()) {
            return Err(self.error(
                "claim",
                "the lesson checks nothing",
                "add [[claim]] with says and check, so the takeaway is measured, not asserted",
            ));
        }
        let mut claims = Vec::new();
        for (i, claim) in tables.into_iter().enumerate() {
            let field = format!("claim[{i}]");
            self.known_fields(claim, &field, CLAIM_FIELDS)?;
            let says = self.string(claim, "says", &format!("{field}.says"))?;
            let check_field = format!("{field}.check");
            let check_text = self.string(claim, "check", &check_field)?;
            let check =
                expr::parse_cond(&check_text).map_err(|e| self.expression_error(&check_field, &check_text, e))?;
            for path in check.all_paths() {
                let expr::Segment::Key(first) = &path.segments[0] else { continue };
                match runs.iter().find(|r| &r.label == first) {
                    None => {
                        return Err(self.error(
                            &check_field,
                            format!("`{path}` does not start with a run label"),
                            format!("start every path with one of: {}", labels(runs)),
                        ));
                    }
                    Some(r) if r.expect_error.is_some() => {
                        return Err(self.error(
                            &check_field,
                            format!("`{path}` reads run {first:?}, which is expected to be refused and has no numbers"),
                            "check only runs without expect_error; the refusal itself is checked already",
                        ));
                    }
                    Some(_) if path.segments.len() < 2 => {
                        return Err(self.error(
                            &check_field,
                            format!("`{path}` names a run, not one of its numbers"),
                            format!("write a path into its summary, e.g. {first}.origin_requests"),
                        ));
                    }
                    Some(_) => {}
                }
            }
            claims.push(Claim { says, check, check_text, at: self.at(&check_field) });
        }
        Ok(claims)
    }
}

fn labels(runs: &[RunSpec]) -> String {
    runs.iter().map(|r| r.label.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lesson next to an existing scenario file, so paths resolve.
    fn lesson_text(extra_claim: &str) -> String {
        format!(
            r#"
[lesson]
title = "T"
summary = "S"
scenario = "A few lines."
takeaway = "Fewer origin requests."

[question]
text = "Q?"
choices = ["one", "two"]
answer = "b"

[[run]]
label = "base"
scenario = "quickstart.toml"
requests = 100

[table]
columns = ["base"]
rows = [{{ label = "origin requests", value = "origin_requests" }}]

[[claim]]
says = "something"
check = "{extra_claim}"
"#
        )
    }

    fn parse_here(text: &str) -> Result<Lesson, LessonError> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        parse(&dir.join("x.lesson.toml"), text)
    }

    #[test]
    fn a_good_lesson_parses() {
        let lesson = parse_here(&lesson_text("base.origin_requests <= base.requests")).unwrap();
        assert_eq!(lesson.name, "x");
        assert_eq!(lesson.question.answer, 1);
        assert_eq!(lesson.runs[0].requests, Some(100));
        assert_eq!(lesson.table.columns, [0]);
        assert_eq!(lesson.claims[0].at.field, "claim[0].check");
        assert_eq!(lesson.claims[0].at.position.map(|p| p.0), Some(24));
    }

    #[test]
    fn problems_name_the_field_and_line() {
        let e = parse_here(&lesson_text("other.origin_requests < 1")).unwrap_err();
        assert_eq!(e.field, "claim[0].check");
        assert!(e.problem.contains("does not start with a run label"), "{e}");
        assert!(e.to_string().contains("x.lesson.toml:24:1"), "{e}");

        let e = parse_here(&lesson_text("base.origin_requests <")).unwrap_err();
        assert!(e.problem.contains("ends early"), "{e}");

        let e = parse_here(&lesson_text("base < 1")).unwrap_err();
        assert!(e.problem.contains("names a run"), "{e}");

        let text = lesson_text("base.origin_requests < 1").replace("quickstart.toml", "nowhere.toml");
        let e = parse_here(&text).unwrap_err();
        assert_eq!(e.field, "run[0].scenario");
        assert!(e.problem.contains("does not exist"), "{e}");

        let e = parse_here(&lesson_text("base.origin_requests < 1").replace("answer = \"b\"", "answer = \"c\""))
            .unwrap_err();
        assert_eq!(e.field, "question.answer");

        let e = parse_here(&lesson_text("base.origin_requests < 1").replace("label = \"base\"", "label = \"Base\""))
            .unwrap_err();
        assert_eq!(e.field, "run[0].label");

        let e =
            parse_here(&lesson_text("base.origin_requests < 1").replace("[table]", "colour = 1\n[table]")).unwrap_err();
        assert_eq!(e.field, "run[0].colour");

        let e = parse_here("[lesson\n").unwrap_err();
        assert!(e.problem.contains("not valid TOML"), "{e}");
        assert!(e.position.is_some());
    }

    #[test]
    fn lesson_names_come_from_the_file_name() {
        assert_eq!(
            lesson_name(Path::new("a/regional-edge-caches.lesson.toml")).as_deref(),
            Some("regional-edge-caches")
        );
        assert_eq!(lesson_name(Path::new("a/regional-edge-caches.toml")), None);
        assert_eq!(lesson_name(Path::new(".lesson.toml")), None);
    }
}
