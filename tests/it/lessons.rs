//! Lessons: every lesson in scenarios/lessons runs and its claims hold; a
//! false claim fails loudly with exit 1; a broken lesson file exits 2 with
//! its file, field, position and fix; the quiz end to end on piped stdin.

use crate::support::*;
use cdnsim::lesson;
use std::path::Path;

const LESSONS: &str = "scenarios/lessons";

/// Iterates the folder, so a new lesson is tested without touching this file.
#[test]
fn every_lesson_runs_and_its_claims_hold() {
    let lessons = lesson::discover(Path::new(LESSONS)).unwrap_or_else(|e| panic!("{e}"));
    assert!(lessons.len() >= 9, "{} lessons", lessons.len());
    for l in &lessons {
        let outcome = lesson::run::run(l).unwrap_or_else(|e| panic!("lesson {}: {e}", l.name));
        assert!(!outcome.claims.is_empty(), "lesson {} checks nothing", l.name);
        for claim in &outcome.claims {
            assert!(
                claim.holds,
                "lesson {}: CLAIM FAILED: {}\n  check: {}\n  measured: {:?}\n  note: {:?}",
                l.name, claim.says, claim.check, claim.values, claim.note
            );
        }
        for (label, cells) in &outcome.rows {
            assert!(cells.iter().flatten().all(|x| x.is_finite()), "lesson {}: row {label:?}: {cells:?}", l.name);
        }
    }
}

#[test]
fn lesson_lists_every_lesson_with_its_summary() {
    let (code, stdout, stderr) = cdnsim(&["lesson"]);
    assert_eq!(code, 0, "{stderr}");
    let files: Vec<String> =
        std::fs::read_dir(LESSONS).unwrap().filter_map(|e| lesson::lesson_name(&e.unwrap().path())).collect();
    assert_eq!(stdout.lines().count(), files.len(), "{stdout}");
    for line in stdout.lines() {
        let (name, summary) = line.split_once(' ').expect("a name, then a summary");
        assert!(files.iter().any(|f| f == name), "{name} is not a lesson file");
        assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{name}");
        assert!(summary.trim().len() > 20, "{line}");
    }
}

#[test]
fn a_lesson_prints_question_scenario_table_and_checked_takeaway() {
    let (code, stdout, stderr) = cdnsim(&["lesson", "failover-methods"]);
    assert_eq!(code, 0, "{stderr}");
    for part in ["Exam question", "Answer: ", "Scenario", "Measured", "Claims, checked", "Takeaway"] {
        assert!(stdout.contains(part), "missing {part:?}: {stdout}");
    }
    assert!(!stdout.contains("CLAIM FAILED"), "{stdout}");
    // The refusal of the validation run is shown with CloudFront's message.
    assert!(stdout.contains("run api_rule was refused"), "{stdout}");
}

#[test]
fn a_false_claim_fails_loudly_with_exit_1() {
    let (code, stdout, stderr) = cdnsim(&["lesson", "tests/fixtures/lessons/failing-claim.lesson.toml"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("CLAIM FAILED  The origin sees more requests"), "{stdout}");
    // The numbers it was judged on are shown.
    assert!(stdout.contains("measured: tiny.origin_requests = "), "{stdout}");
    assert!(stdout.contains("NOT supported"), "{stdout}");
    assert!(!stdout.contains("\nTakeaway\n"), "{stdout}");
    assert!(stderr.contains("CLAIM FAILED") && stderr.contains("failing-claim"), "{stderr}");
}

#[test]
fn broken_lesson_files_exit_2_naming_file_field_and_fix() {
    let cases = [
        ("bad-expression", ":24:1: `claim[0].check`", "expected a number, a path or `(`"),
        ("unknown-path", ":24:1: `claim[0].check`", "there is no \"origin_requestz\""),
        ("missing-scenario", ":16:1: `run[0].scenario`", "does not exist"),
        // Issue 13, item 9: a run's `requests` is checked as `--requests` is.
        ("too-many-requests", ":16:1: `run[0]`", "tiny.toml: 1000000000 requests at 100 per second may take up to"),
    ];
    for (name, place, problem) in cases {
        let file = format!("tests/fixtures/lessons/broken/{name}.lesson.toml");
        let (code, _, stderr) = cdnsim(&["lesson", &file]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains(&format!("{file}{place}")), "{name}: {stderr}");
        assert!(stderr.contains(problem), "{name}: {stderr}");
        assert_eq!(stderr.matches("(fix: ").count(), 1, "{name}: {stderr}");
    }
}

#[test]
fn unknown_lessons_and_missing_folders_exit_2() {
    let (code, _, stderr) = cdnsim(&["lesson", "no-such-lesson"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no lesson is called \"no-such-lesson\"") && stderr.contains("regional-edge-caches"));
    let (code, _, stderr) = cdnsim(&["lesson", "--dir", "no/such/folder"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such/folder") && stderr.contains("--dir"), "{stderr}");
    let (code, _, stderr) = cdnsim(&["quiz", "--dir", "no/such/folder"]);
    assert_eq!(code, 2, "{stderr}");
}

fn answer_of(name: &str) -> char {
    let l = lesson::find(Path::new(LESSONS), name).unwrap();
    lesson::Question::letter(l.question.answer)
}

#[test]
fn quiz_reads_answers_from_stdin_and_shows_the_evidence() {
    let lessons = lesson::discover(Path::new(LESSONS)).unwrap();
    let (first, second) = (&lessons[0], &lessons[1]);
    let right = lesson::Question::letter(first.question.answer);
    let wrong = lesson::Question::letter((second.question.answer + 1) % second.question.choices.len());
    // A line that is not a letter is asked again.
    let input = format!("maybe\n{right}\n{wrong}\n");
    let (code, stdout, stderr) = cdnsim_with_stdin(&["quiz", "--questions", "2"], &input);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains(&format!("Question 1 of 2 (lesson {})", first.name)), "{stdout}");
    assert!(stdout.contains("Please type one letter"), "{stdout}");
    assert!(stdout.contains("Right: "), "{stdout}");
    assert!(stdout.contains("Wrong: the answer is "), "{stdout}");
    assert_eq!(stdout.matches("Measured").count(), 2, "{stdout}");
    assert!(stdout.contains("Score: 1 of 2 right"), "{stdout}");
}

#[test]
fn quiz_takes_scripted_answers_and_a_seeded_order() {
    let args = ["quiz", "--questions", "3", "--seed", "5", "--answers", "a,a,a"];
    let (code, stdout, stderr) = cdnsim(&args);
    assert_eq!(code, 0, "{stderr}");
    let asked: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Question ")?.split("(lesson ").nth(1)?.strip_suffix(')'))
        .collect();
    assert_eq!(asked.len(), 3, "{stdout}");
    let right = asked.iter().filter(|name| answer_of(name) == 'a').count();
    assert!(stdout.contains(&format!("Score: {right} of 3 right")), "{stdout}");
    // The same seed asks the same questions in the same order.
    let (_, again, _) = cdnsim(&args);
    assert_eq!(stdout, again);
    // Answers that run out end the quiz early; a bad letter is a bad argument.
    let (code, stdout, _) = cdnsim(&["quiz", "--answers", "a"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("No more answers") && stdout.contains("Score: "), "{stdout}");
    let (code, _, stderr) = cdnsim(&["quiz", "--answers", "z"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--answers: answer 1 is \"z\""), "{stderr}");
}
