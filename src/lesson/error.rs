//! The one error type of lessons, shared by reading (`file`) and running
//! (`run`) them.

use std::fmt;
use std::path::PathBuf;

/// A problem with a lesson file: the file, the field with its line and
/// column, what is wrong and how to fix it.
#[derive(Debug, Clone)]
pub struct LessonError {
    pub file: PathBuf,
    pub position: Option<(usize, usize)>,
    pub field: String,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.problem)?;
        } else {
            write!(f, ": `{}`: {}", self.field, self.problem)?;
        }
        if !self.fix.is_empty() {
            write!(f, " (fix: {})", self.fix)?;
        }
        Ok(())
    }
}

impl std::error::Error for LessonError {}
