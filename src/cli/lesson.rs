//! `cdnsim lesson` and `cdnsim quiz`: the lessons of `scenarios/lessons/`
//! listed, run and printed, or asked as multiple-choice questions with the
//! simulation as the evidence after each answer.
//!
//! Exit status: 0 when every claim held, 1 when a simulation disagreed with
//! a lesson (`CLAIM FAILED`), 2 for a broken lesson file or bad arguments.

use cdnsim::lesson::expr::format_number;
use cdnsim::lesson::{self, Lesson, Outcome, Question, RunResult};
use cdnsim::rng::splitmix64;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct LessonArgs {
    /// The lesson to run: a name from the list, or a .lesson.toml file. Without one, lists the lessons.
    pub name: Option<String>,
    /// The folder of lessons [default: scenarios/lessons, from the current directory].
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct QuizArgs {
    /// Ask this many questions [default: one per lesson].
    #[arg(long)]
    pub questions: Option<usize>,
    /// Shuffle the questions with this seed [default: the lessons' order].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Answer without asking, one letter per question: --answers b,a,c (for scripts).
    #[arg(long, value_delimiter = ',')]
    pub answers: Option<Vec<String>>,
    /// The folder of lessons [default: scenarios/lessons, from the current directory].
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

fn lessons_dir(dir: &Option<PathBuf>) -> PathBuf {
    dir.clone().unwrap_or_else(|| PathBuf::from(lesson::DEFAULT_DIR))
}

pub fn run_lesson(args: LessonArgs) -> anyhow::Result<ExitCode> {
    let dir = lessons_dir(&args.dir);
    let Some(name) = args.name else {
        let lessons = lesson::discover(&dir)?;
        let width = lessons.iter().map(|l| l.name.len()).max().unwrap_or(0);
        for l in &lessons {
            outln!("{:<width$}  {}", l.name, l.summary);
        }
        return Ok(ExitCode::SUCCESS);
    };
    let lesson = if name.ends_with(lesson::LESSON_SUFFIX) {
        lesson::load(Path::new(&name))?
    } else {
        lesson::find(&dir, &name)?
    };
    out!("{}", render_head(&lesson));
    out!("{}", render_question(&lesson.question, true));
    out!("{}", render_scenario(&lesson));
    let outcome = lesson::run::run(&lesson)?;
    out!("{}", render_evidence(&lesson, &outcome));
    Ok(verdict(&lesson, &outcome))
}

/// Exit status for one lesson's outcome; a failed claim is also said on stderr.
fn verdict(lesson: &Lesson, outcome: &Outcome) -> ExitCode {
    if outcome.all_hold() {
        return ExitCode::SUCCESS;
    }
    let failed = outcome.claims.iter().filter(|c| !c.holds).count();
    eprintln!(
        "cdnsim: CLAIM FAILED: {failed} claim(s) of lesson {} do not hold on the measured numbers ({})",
        lesson.name,
        lesson.file.display()
    );
    ExitCode::from(1)
}

fn render_head(lesson: &Lesson) -> String {
    format!("Lesson {}: {}\n\n", lesson.name, lesson.title)
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| if l.trim().is_empty() { "\n".to_string() } else { format!("{by}{l}\n") }).collect()
}

fn render_question(q: &Question, with_answer: bool) -> String {
    let mut out = format!("Exam question\n{}", indent(&q.text, "  "));
    for (i, choice) in q.choices.iter().enumerate() {
        out += &format!("    {}) {choice}\n", Question::letter(i));
    }
    if with_answer {
        out += &format!("  Answer: {}) {}\n", Question::letter(q.answer), q.choices[q.answer]);
    }
    out + "\n"
}

fn render_scenario(lesson: &Lesson) -> String {
    let mut out = format!("Scenario\n{}", indent(&lesson.scenario, "  "));
    for run in &lesson.runs {
        let mut line = format!("  run {}: {}", run.label, run.scenario_as_written);
        for set in &run.sets {
            line += &format!(" --set {}", set.text);
        }
        if let Some(n) = run.requests {
            line += &format!(" --requests {n}");
        }
        if let Some(seed) = run.seed {
            line += &format!(" --seed {seed}");
        }
        if run.expect_error.is_some() {
            line += " (validation only)";
        }
        out += &line;
        out += "\n";
    }
    out + "\n"
}

/// The measured table, the claims with their numbers, and the takeaway (or
/// the loud failure when a claim does not hold).
fn render_evidence(lesson: &Lesson, outcome: &Outcome) -> String {
    let mut out = String::from("Measured\n");
    let mut header = vec![String::new()];
    header.extend(outcome.columns.iter().cloned());
    let mut grid = vec![header];
    for (label, cells) in &outcome.rows {
        let mut line = vec![label.clone()];
        line.extend(cells.iter().map(|c| match c {
            Some(x) if x.is_nan() => "n/a".to_string(),
            Some(x) => format_number(*x),
            None => "refused".to_string(),
        }));
        grid.push(line);
    }
    let widths: Vec<usize> =
        (0..grid[0].len()).map(|c| grid.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    for row in &grid {
        let mut line = format!("  {:<w$}", row[0], w = widths[0]);
        for (cell, w) in row.iter().zip(&widths).skip(1) {
            line += &format!("  {cell:>w$}");
        }
        out += line.trim_end();
        out += "\n";
    }
    for run in &outcome.runs {
        match &run.result {
            RunResult::Refused { message } => out += &format!("  run {} was refused: {message}\n", run.label),
            RunResult::Accepted => out += &format!("  run {} validated (it should have been refused)\n", run.label),
            RunResult::Measured { requests, seed, .. } => {
                out += &format!("  run {}: {requests} requests simulated, seed {seed}\n", run.label)
            }
        }
    }
    out += "\nClaims, checked against the measured numbers\n";
    for claim in &outcome.claims {
        let mark = if claim.holds { "ok          " } else { "CLAIM FAILED" };
        out += &format!("  {mark}  {}\n", claim.says);
        out += &format!("                check: {}\n", claim.check);
        if !claim.values.is_empty() {
            let mut seen = Vec::new();
            for (path, value) in &claim.values {
                if !seen.iter().any(|(p, _): &(&String, f64)| *p == path) {
                    seen.push((path, *value));
                }
            }
            let values: Vec<String> = seen.iter().map(|(p, v)| format!("{p} = {}", format_number(*v))).collect();
            out += &format!("             measured: {}\n", values.join(", "));
        }
        if let Some(note) = &claim.note {
            out += &format!("                 note: {note}\n");
        }
    }
    if outcome.all_hold() {
        out += &format!("\nTakeaway\n{}", indent(&lesson.takeaway, "  "));
    } else {
        out += &format!(
            "\nCLAIM FAILED: the simulation disagrees with this lesson. Its takeaway is NOT supported by the \
             numbers above:\n{}",
            indent(&lesson.takeaway, "  | ")
        );
    }
    out
}

/// A fixed permutation of `0..n` from `seed` (Fisher-Yates on SplitMix64),
/// so a quiz's order is the same for the same seed on every machine.
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed;
    for i in (1..n).rev() {
        state = splitmix64(state);
        let j = (state % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// Reads an answer letter for `q`: from `--answers`, or from stdin (asking
/// again after a line that is not a letter). `None` when answers run out.
fn next_answer(
    q: &Question,
    scripted: &mut Option<std::vec::IntoIter<String>>,
    number: usize,
    stdin: &mut dyn BufRead,
    echo: bool,
) -> anyhow::Result<Option<usize>> {
    let letters: String = (0..q.choices.len()).map(Question::letter).collect();
    let parse = |text: &str| {
        let text = text.trim().to_ascii_lowercase();
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => letters.find(c),
            _ => None,
        }
    };
    if let Some(answers) = scripted {
        let Some(text) = answers.next() else { return Ok(None) };
        let answer = parse(&text).ok_or_else(|| {
            anyhow::anyhow!(
                "--answers: answer {number} is {text:?}, but question {number} has choices {} (fix: give one letter per question)",
                letters
            )
        })?;
        outln!("Your answer: {}", Question::letter(answer));
        return Ok(Some(answer));
    }
    loop {
        out!("Your answer ({}-{}): ", Question::letter(0), Question::letter(q.choices.len() - 1));
        std::io::Write::flush(&mut std::io::stdout())?;
        let mut line = String::new();
        if stdin.read_line(&mut line)? == 0 {
            outln!();
            return Ok(None);
        }
        if echo {
            // Piped answers are not echoed by a terminal: show them, so the
            // transcript reads as a dialogue.
            outln!("{}", line.trim_end());
        }
        match parse(&line) {
            Some(answer) => return Ok(Some(answer)),
            None => {
                outln!("Please type one letter, {} to {}.", Question::letter(0), Question::letter(q.choices.len() - 1))
            }
        }
    }
}

pub fn run_quiz(args: QuizArgs) -> anyhow::Result<ExitCode> {
    let lessons = lesson::discover(&lessons_dir(&args.dir))?;
    let mut order: Vec<usize> = match args.seed {
        Some(seed) => shuffled(lessons.len(), seed),
        None => (0..lessons.len()).collect(),
    };
    if let Some(n) = args.questions {
        anyhow::ensure!(n >= 1, "--questions must be at least 1");
        order.truncate(n);
    }
    let mut scripted = args.answers.map(|a| a.into_iter());
    let stdin = std::io::stdin();
    let echo = !std::io::IsTerminal::is_terminal(&stdin);
    let mut stdin = stdin.lock();
    let (mut asked, mut right, mut failed_claims) = (0, 0, false);
    for (number, &index) in order.iter().enumerate() {
        let lesson = &lessons[index];
        outln!("Question {} of {} (lesson {})", number + 1, order.len(), lesson.name);
        out!("{}", indent(&lesson.question.text, "  "));
        for (i, choice) in lesson.question.choices.iter().enumerate() {
            outln!("    {}) {choice}", Question::letter(i));
        }
        let Some(answer) = next_answer(&lesson.question, &mut scripted, number + 1, &mut stdin, echo)? else {
            outln!("No more answers: the quiz stops here.");
            break;
        };
        asked += 1;
        let correct = lesson.question.answer;
        if answer == correct {
            right += 1;
            outln!("Right: {}) {}", Question::letter(correct), lesson.question.choices[correct]);
        } else {
            outln!("Wrong: the answer is {}) {}", Question::letter(correct), lesson.question.choices[correct]);
        }
        outln!("\nThe evidence (cdnsim lesson {}):", lesson.name);
        let outcome = lesson::run::run(lesson)?;
        out!("{}", indent(&render_evidence(lesson, &outcome), "  "));
        if verdict(lesson, &outcome) != ExitCode::SUCCESS {
            failed_claims = true;
        }
        outln!();
    }
    outln!("Score: {right} of {asked} right");
    Ok(if failed_claims { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffles_are_permutations_fixed_by_the_seed() {
        let a = shuffled(9, 7);
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..9).collect::<Vec<_>>());
        assert_eq!(a, shuffled(9, 7));
        assert_ne!(a, shuffled(9, 8));
    }
}
