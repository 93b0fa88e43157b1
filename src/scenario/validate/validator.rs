//! The validator: what it knows about the file being checked, and how a
//! problem becomes a `ScenarioError` naming the field, its position (or the
//! `--set` that gave it) and the fix. `validate.rs` and `access.rs` add the
//! checks, as methods.

use crate::scenario::error::{FieldError, ScenarioError};
use crate::scenario::source::{Override, SpanIndex};
use crate::scenario::spec::TrafficFrom;
use std::path::Path;

pub(super) struct Validator<'a> {
    pub(super) file: &'a Path,
    pub(super) spans: &'a SpanIndex,
    pub(super) overrides: &'a [Override],
    /// With a trace, the classes make no requests: what only they decide
    /// (which behaviors they reach, when the last request starts) is not checked.
    pub(super) traffic_from: TrafficFrom,
}

pub(super) type Result<T> = std::result::Result<T, ScenarioError>;

/// Whether a value is a time or a byte count, for distributions.
#[derive(Clone, Copy)]
pub(super) enum Unit {
    Millis,
    Bytes,
}

impl<'a> Validator<'a> {
    pub(super) fn error(&self, field: &str, problem: impl Into<String>, fix: impl Into<String>) -> ScenarioError {
        let set_by =
            self.overrides.iter().rev().find(|o| field == o.path || field.starts_with(&format!("{}.", o.path)));
        self.error_set_by(field, problem, fix, set_by)
    }

    pub(super) fn error_set_by(
        &self,
        field: &str,
        problem: impl Into<String>,
        fix: impl Into<String>,
        set_by: Option<&Override>,
    ) -> ScenarioError {
        ScenarioError::Field(Box::new(FieldError {
            file: self.file.to_path_buf(),
            position: if set_by.is_some() { None } else { self.spans.locate(field) },
            field: field.to_string(),
            problem: problem.into(),
            fix: fix.into(),
            set_by: set_by.map(|o| o.text.clone()),
        }))
    }

    pub(super) fn syntax_error(&self, text: &str, e: &toml::de::Error) -> ScenarioError {
        let position = e.span().map(|s| crate::scenario::source::LineStarts::new(text).position(s.start));
        ScenarioError::Field(Box::new(FieldError {
            file: self.file.to_path_buf(),
            position,
            field: String::new(),
            problem: format!("TOML syntax error: {}", e.message().trim()),
            fix: "correct the TOML syntax at that position".into(),
            set_by: None,
        }))
    }

    pub(super) fn serde_error(&self, e: &serde_path_to_error::Error<toml::de::Error>) -> ScenarioError {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.inner().message().trim().to_string();
        // serde names an unknown field in its message; point at the field itself.
        if let Some(name) = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next()) {
            let field = if path.is_empty() || path == name || path.ends_with(&format!(".{name}")) {
                if path.is_empty() { name.to_string() } else { path.clone() }
            } else {
                format!("{path}.{name}")
            };
            let expected = message.split_once(", expected ").map(|(_, x)| x.to_string()).unwrap_or_default();
            return self.error(
                &field,
                "unknown field",
                format!("remove it or correct the spelling; expected {expected}; see scenarios/README.md"),
            );
        }
        if let Some(name) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            let field = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
            return self.error(&field, "this required field is missing", "add it; see scenarios/README.md");
        }
        self.error(&path, message, "see scenarios/README.md for the field's type and unit")
    }
}

/// A list of the names a field may take, for a fix such as "use one of: a, b".
pub(super) fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let list: Vec<&str> = items.collect();
    if list.is_empty() { "(none defined)".to_string() } else { list.join(", ") }
}
