//! The one error type of scenario loading.

use std::fmt;
use std::path::PathBuf;

/// Why a scenario could not be loaded. Each variant names the file; field
/// problems also name the field path, its position and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{}: cannot read the scenario file: {reason} (fix: check the path; bundled scenarios are in scenarios/)", .file.display())]
    Unreadable { file: PathBuf, reason: String },
    #[error("{}", FieldDisplay(.0))]
    Field(Box<FieldError>),
}

/// A problem with one field.
#[derive(Debug)]
pub struct FieldError {
    pub file: PathBuf,
    /// 1-based line and column of the field (or its table) in the file.
    pub position: Option<(usize, usize)>,
    /// Dotted path such as `caches.edge.capacity`.
    pub field: String,
    pub problem: String,
    pub fix: String,
    /// The `--set` that gave the field its value, when one did.
    pub set_by: Option<String>,
}

struct FieldDisplay<'a>(&'a FieldError);

impl fmt::Display for FieldDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        write!(f, "{}", e.file.display())?;
        if let Some((line, column)) = e.position {
            write!(f, ":{line}:{column}")?;
        }
        if e.field.is_empty() {
            write!(f, ": {}", e.problem)?;
        } else {
            write!(f, ": `{}`: {}", e.field, e.problem)?;
        }
        if let Some(set) = &e.set_by {
            write!(f, " (the value came from --set {set})")?;
        }
        if !e.fix.is_empty() {
            write!(f, " (fix: {})", e.fix)?;
        }
        Ok(())
    }
}

impl ScenarioError {
    /// The field error, if this is one (tests look at its parts).
    pub fn field_error(&self) -> Option<&FieldError> {
        match self {
            ScenarioError::Field(e) => Some(e),
            ScenarioError::Unreadable { .. } => None,
        }
    }
}
