//! Lessons: CloudFront concepts as runnable, checked experiments.
//!
//! A lesson is a `<name>.lesson.toml` file in `scenarios/lessons/` (format in
//! `scenarios/lessons/README.md`): an exam question, the set-up in words,
//! one or more runs of plain scenario files, a table of measured numbers and
//! claims over them. Running one goes through the library exactly as `cdnsim
//! run` does; the takeaway stands only if every claim holds on the numbers
//! the engine measured. Adding a lesson needs no Rust code.
//!
//! `file` reads and checks a lesson, `expr` is the claim language (pure),
//! `run` simulates and evaluates. Printing is `cli::lesson`'s job.

mod error;
pub mod expr;
pub mod file;
pub mod run;

pub use error::LessonError;
pub use file::{LESSON_SUFFIX, Lesson, Question, lesson_name, load};
pub use run::{ClaimOutcome, Outcome, RunResult};

use std::path::{Path, PathBuf};

/// The folder `cdnsim lesson` reads when not told otherwise, relative to the
/// current directory.
pub const DEFAULT_DIR: &str = "scenarios/lessons";

/// Every lesson file in `dir`, loaded and checked, in listing order
/// (`order`, then name). A broken lesson is an error: a lesson that does not
/// load must not disappear from the list silently.
pub fn discover(dir: &Path) -> Result<Vec<Lesson>, LessonError> {
    let entries = std::fs::read_dir(dir).map_err(|e| LessonError {
        file: dir.to_path_buf(),
        position: None,
        field: String::new(),
        problem: format!("cannot read the lessons folder: {e}"),
        fix: format!("run cdnsim from the repository's root (where {DEFAULT_DIR} is) or pass --dir FOLDER"),
    })?;
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| lesson_name(p).is_some()).collect();
    files.sort();
    let mut lessons = files.iter().map(|f| load(f)).collect::<Result<Vec<_>, _>>()?;
    lessons.sort_by(|a, b| (a.order.unwrap_or(u32::MAX), &a.name).cmp(&(b.order.unwrap_or(u32::MAX), &b.name)));
    if lessons.is_empty() {
        return Err(LessonError {
            file: dir.to_path_buf(),
            position: None,
            field: String::new(),
            problem: format!("no lesson files (*{LESSON_SUFFIX}) here"),
            fix: "pass --dir with the folder that holds the lessons".into(),
        });
    }
    Ok(lessons)
}

/// The lesson called `name` in `dir`; an unknown name lists the known ones.
pub fn find(dir: &Path, name: &str) -> Result<Lesson, LessonError> {
    let lessons = discover(dir)?;
    let names: Vec<&str> = lessons.iter().map(|l| l.name.as_str()).collect();
    let found = lessons.iter().position(|l| l.name == name).ok_or_else(|| LessonError {
        file: dir.to_path_buf(),
        position: None,
        field: String::new(),
        problem: format!("no lesson is called {name:?}"),
        fix: format!("use one of: {}", names.join(", ")),
    })?;
    Ok(lessons.into_iter().nth(found).expect("found above"))
}
