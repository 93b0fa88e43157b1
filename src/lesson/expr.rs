//! The small expression language of lesson tables and claims: numbers, paths
//! into a run's JSON summary, `+ - * /`, parentheses, the comparisons
//! `< <= > >= ==` and `and`.
//!
//! ```text
//! with_rec.origin_requests < 0.8 * without_rec.origin_requests and with_rec.hit_ratio > 0.5
//! ```
//!
//! Parsing is checked for types up front (a claim must be a comparison, a
//! table cell a number), so a lesson with a nonsensical expression fails
//! before anything is simulated. Evaluation is pure: paths are looked up
//! through a closure, so the same code serves claims (paths start with a run
//! label) and table cells (paths are read in one run).

use std::fmt;

/// A path such as `with_rec.failover.GET.failovers` or `tiers.origin["app"].requests`.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub segments: Vec<Segment>,
    /// The path as written, for messages.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Compare {
    fn as_str(self) -> &'static str {
        match self {
            Compare::Lt => "<",
            Compare::Le => "<=",
            Compare::Gt => ">",
            Compare::Ge => ">=",
            Compare::Eq => "==",
        }
    }

    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Compare::Lt => a < b,
            Compare::Le => a <= b,
            Compare::Gt => a > b,
            Compare::Ge => a >= b,
            Compare::Eq => a == b,
        }
    }
}

/// A number-valued expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Num {
    Lit(f64),
    Path(Path),
    Neg(Box<Num>),
    Bin(Arith, Box<Num>, Box<Num>),
}

/// A truth-valued expression: what a claim is.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Cmp(Compare, Num, Num),
    And(Box<Cond>, Box<Cond>),
}

/// Why an expression does not parse: what, and at which character (0-based).
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub offset: usize,
    pub problem: String,
}

impl ParseError {
    /// The expression with a caret under the offending character, for messages.
    pub fn pointer(&self, text: &str) -> String {
        let column = text.get(..self.offset.min(text.len())).map_or(0, |s| s.chars().count());
        format!("    {text}\n    {}^", " ".repeat(column))
    }
}

/// Why a number could not be worked out.
#[derive(Clone, Debug, PartialEq)]
pub enum EvalError {
    /// The path names nothing in the run's numbers: a lesson-file error.
    Path { path: String, problem: String },
    /// The measured numbers give a division by zero: the claim cannot hold.
    DivisionByZero { expression: String },
}

pub fn parse_num(text: &str) -> Result<Num, ParseError> {
    let mut p = Parser::new(text)?;
    let num = match p.expression()? {
        Typed::Num(n) => n,
        Typed::Cond(_) => return Err(p.error_at(0, "this is a comparison, but a number is expected here")),
    };
    p.expect_end()?;
    Ok(num)
}

pub fn parse_cond(text: &str) -> Result<Cond, ParseError> {
    let mut p = Parser::new(text)?;
    let cond = match p.expression()? {
        Typed::Cond(c) => c,
        Typed::Num(_) => {
            return Err(p.error_at(
                p.tokens.get(p.pos).map_or(text.len(), |t| t.offset),
                "a claim must compare numbers (with <, <=, >, >= or ==)",
            ));
        }
    };
    p.expect_end()?;
    Ok(cond)
}

impl Num {
    pub fn eval(&self, lookup: &mut dyn FnMut(&Path) -> Result<f64, EvalError>) -> Result<f64, EvalError> {
        match self {
            Num::Lit(x) => Ok(*x),
            Num::Path(p) => lookup(p),
            Num::Neg(n) => Ok(-n.eval(lookup)?),
            Num::Bin(op, a, b) => {
                let (a, b_value) = (a.eval(lookup)?, b.eval(lookup)?);
                Ok(match op {
                    Arith::Add => a + b_value,
                    Arith::Sub => a - b_value,
                    Arith::Mul => a * b_value,
                    Arith::Div if b_value == 0.0 => {
                        return Err(EvalError::DivisionByZero { expression: b.to_string() });
                    }
                    Arith::Div => a / b_value,
                })
            }
        }
    }

    fn paths<'a>(&'a self, acc: &mut Vec<&'a Path>) {
        match self {
            Num::Lit(_) => {}
            Num::Path(p) => acc.push(p),
            Num::Neg(n) => n.paths(acc),
            Num::Bin(_, a, b) => {
                a.paths(acc);
                b.paths(acc);
            }
        }
    }

    /// Every path in the expression, in the order written (repeats included).
    pub fn all_paths(&self) -> Vec<&Path> {
        let mut acc = Vec::new();
        self.paths(&mut acc);
        acc
    }
}

impl Cond {
    pub fn eval(&self, lookup: &mut dyn FnMut(&Path) -> Result<f64, EvalError>) -> Result<bool, EvalError> {
        match self {
            Cond::Cmp(op, a, b) => Ok(op.holds(a.eval(lookup)?, b.eval(lookup)?)),
            // Both sides are evaluated, so a bad path is reported even when
            // the left side is already false.
            Cond::And(a, b) => {
                let left = a.eval(lookup)?;
                let right = b.eval(lookup)?;
                Ok(left && right)
            }
        }
    }

    /// Every path in the claim, in the order written (repeats included).
    pub fn all_paths(&self) -> Vec<&Path> {
        let mut acc = Vec::new();
        self.paths(&mut acc);
        acc
    }

    fn paths<'a>(&'a self, acc: &mut Vec<&'a Path>) {
        match self {
            Cond::Cmp(_, a, b) => {
                a.paths(acc);
                b.paths(acc);
            }
            Cond::And(a, b) => {
                a.paths(acc);
                b.paths(acc);
            }
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Lit(x) => write!(f, "{x}"),
            Num::Path(p) => write!(f, "{p}"),
            Num::Neg(n) => write!(f, "-{n}"),
            Num::Bin(op, a, b) => {
                let op = match op {
                    Arith::Add => "+",
                    Arith::Sub => "-",
                    Arith::Mul => "*",
                    Arith::Div => "/",
                };
                write!(f, "({a} {op} {b})")
            }
        }
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cond::Cmp(op, a, b) => write!(f, "{a} {} {b}", op.as_str()),
            Cond::And(a, b) => write!(f, "{a} and {b}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Number(f64),
    Path(Path),
    And,
    Plus,
    Minus,
    Star,
    Slash,
    Open,
    Close,
    Cmp(Compare),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    offset: usize,
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let err = |offset: usize, problem: &str| ParseError { offset, problem: problem.to_string() };
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        let start = i;
        let single = match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '*' => Some(Tok::Star),
            '/' => Some(Tok::Slash),
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            _ => None,
        };
        if let Some(tok) = single {
            tokens.push(Token { tok, offset: start });
            i += 1;
            continue;
        }
        if matches!(c, '<' | '>' | '=' | '!') {
            let two = text.get(i..i + 2).unwrap_or("");
            let (op, len) = match (c, two) {
                (_, "<=") => (Compare::Le, 2),
                (_, ">=") => (Compare::Ge, 2),
                (_, "==") => (Compare::Eq, 2),
                ('<', _) => (Compare::Lt, 1),
                ('>', _) => (Compare::Gt, 1),
                ('=', _) => return Err(err(start, "`=` alone is not a comparison; write `==`")),
                _ => return Err(err(start, "`!` is not supported; compare with <, <=, >, >= or ==")),
            };
            tokens.push(Token { tok: Tok::Cmp(op), offset: start });
            i += len;
            continue;
        }
        if c.is_ascii_digit() || c == '.' {
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.' || bytes[i] == b'_') {
                i += 1;
            }
            // An exponent: 1e6, 2.5e-3.
            if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
                let mut j = i + 1;
                if j < bytes.len() && (bytes[j] == b'-' || bytes[j] == b'+') {
                    j += 1;
                }
                if j < bytes.len() && bytes[j].is_ascii_digit() {
                    i = j;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            if i < bytes.len() && is_word(bytes[i] as char) {
                return Err(err(start, "a path must start with a letter (a run label)"));
            }
            let literal = text[start..i].replace('_', "");
            let value: f64 = literal.parse().map_err(|_| err(start, "not a number"))?;
            tokens.push(Token { tok: Tok::Number(value), offset: start });
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let (path, end) = path(text, start)?;
            i = end;
            let tok = if path.text == "and" { Tok::And } else { Tok::Path(path) };
            tokens.push(Token { tok, offset: start });
            continue;
        }
        return Err(err(start, &format!("unexpected character `{c}`")));
    }
    Ok(tokens)
}

/// Reads a path from `start`: a word, then `.word`, `[3]` or `["key"]` steps.
fn path(text: &str, start: usize) -> Result<(Path, usize), ParseError> {
    let bytes = text.as_bytes();
    let err = |offset: usize, problem: &str| ParseError { offset, problem: problem.to_string() };
    let word_end = |from: usize| {
        let mut i = from;
        while i < bytes.len() && is_word(bytes[i] as char) {
            i += 1;
        }
        i
    };
    let mut i = word_end(start);
    let mut segments = vec![Segment::Key(text[start..i].to_string())];
    loop {
        match bytes.get(i) {
            Some(b'.') => {
                let end = word_end(i + 1);
                if end == i + 1 {
                    return Err(err(
                        i + 1,
                        "expected a field name after `.` (letters, digits, _; quote others as [\"name\"])",
                    ));
                }
                segments.push(Segment::Key(text[i + 1..end].to_string()));
                i = end;
            }
            Some(b'[') => {
                let close = text[i..].find(']').map(|k| i + k).ok_or_else(|| err(i, "`[` without `]`"))?;
                let inside = text[i + 1..close].trim();
                let segment = if let Some(key) = inside.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    Segment::Key(key.to_string())
                } else {
                    Segment::Index(
                        inside.parse().map_err(|_| err(i + 1, "write [N] for a list index or [\"name\"] for a key"))?,
                    )
                };
                segments.push(segment);
                i = close + 1;
            }
            _ => break,
        }
    }
    Ok((Path { segments, text: text[start..i].to_string() }, i))
}

const AND_NEEDS_COMPARISONS: &str = "`and` joins comparisons (a < b and c > d), not numbers";

enum Typed {
    Num(Num),
    Cond(Cond),
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Result<Self, ParseError> {
        let tokens = tokenize(text)?;
        if tokens.is_empty() {
            return Err(ParseError { offset: 0, problem: "the expression is empty".into() });
        }
        Ok(Parser { text, tokens, pos: 0 })
    }

    fn error_at(&self, offset: usize, problem: &str) -> ParseError {
        ParseError { offset, problem: problem.to_string() }
    }

    fn here(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.text.len(), |t| t.offset)
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn expect_end(&self) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(Tok::Close) => Err(self.error_at(self.here(), "`)` without a matching `(`")),
            Some(_) => Err(self.error_at(self.here(), "expected an operator or the end of the expression")),
        }
    }

    /// expression := comparison ('and' comparison)*
    fn expression(&mut self) -> Result<Typed, ParseError> {
        let start = self.here();
        let mut left = self.comparison()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            let right_start = self.here();
            let right = self.comparison()?;
            let (a, b) = match (left, right) {
                (Typed::Cond(a), Typed::Cond(b)) => (a, b),
                (Typed::Num(_), _) => return Err(self.error_at(start, AND_NEEDS_COMPARISONS)),
                (_, Typed::Num(_)) => return Err(self.error_at(right_start, AND_NEEDS_COMPARISONS)),
            };
            left = Typed::Cond(Cond::And(Box::new(a), Box::new(b)));
        }
        Ok(left)
    }

    /// comparison := sum (cmp sum)?, or a parenthesised claim.
    fn comparison(&mut self) -> Result<Typed, ParseError> {
        let start = self.here();
        let left = self.sum()?;
        let Some(Tok::Cmp(op)) = self.peek().cloned() else { return Ok(left) };
        let left = match left {
            Typed::Num(n) => n,
            Typed::Cond(_) => return Err(self.error_at(start, "a comparison cannot be compared again")),
        };
        self.pos += 1;
        let right_start = self.here();
        let right = match self.sum()? {
            Typed::Num(n) => n,
            Typed::Cond(_) => return Err(self.error_at(right_start, "a comparison cannot be compared again")),
        };
        if let Some(Tok::Cmp(_)) = self.peek() {
            return Err(self.error_at(self.here(), "comparisons do not chain; join them with `and`"));
        }
        Ok(Typed::Cond(Cond::Cmp(op, left, right)))
    }

    fn sum(&mut self) -> Result<Typed, ParseError> {
        let mut left = self.term()?;
        while let Some(op) = match self.peek() {
            Some(Tok::Plus) => Some(Arith::Add),
            Some(Tok::Minus) => Some(Arith::Sub),
            _ => None,
        } {
            self.pos += 1;
            let left_num = self.number(left, self.here())?;
            let at = self.here();
            let right = self.term()?;
            left = Typed::Num(Num::Bin(op, Box::new(left_num), Box::new(self.number(right, at)?)));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Typed, ParseError> {
        let mut left = self.unary()?;
        while let Some(op) = match self.peek() {
            Some(Tok::Star) => Some(Arith::Mul),
            Some(Tok::Slash) => Some(Arith::Div),
            _ => None,
        } {
            self.pos += 1;
            let left_num = self.number(left, self.here())?;
            let at = self.here();
            let right = self.unary()?;
            left = Typed::Num(Num::Bin(op, Box::new(left_num), Box::new(self.number(right, at)?)));
        }
        Ok(left)
    }

    fn number(&self, value: Typed, at: usize) -> Result<Num, ParseError> {
        match value {
            Typed::Num(n) => Ok(n),
            Typed::Cond(_) => Err(self.error_at(at, "arithmetic needs numbers, not comparisons")),
        }
    }

    fn unary(&mut self) -> Result<Typed, ParseError> {
        if self.peek() == Some(&Tok::Minus) {
            self.pos += 1;
            let at = self.here();
            let inner = self.unary()?;
            return Ok(Typed::Num(Num::Neg(Box::new(self.number(inner, at)?))));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Typed, ParseError> {
        let at = self.here();
        let Some(tok) = self.peek().cloned() else {
            return Err(self.error_at(at, "the expression ends early: expected a number or a path"));
        };
        self.pos += 1;
        match tok {
            Tok::Number(x) => Ok(Typed::Num(Num::Lit(x))),
            Tok::Path(p) => Ok(Typed::Num(Num::Path(p))),
            Tok::Open => {
                let inner = self.expression()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(self.error_at(self.here(), "expected `)`"));
                }
                self.pos += 1;
                Ok(inner)
            }
            Tok::And => Err(self.error_at(at, "`and` needs a comparison on each side")),
            _ => Err(self.error_at(at, "expected a number, a path or `(`")),
        }
    }
}

/// Formats a measured number for a table: integers as integers, others with
/// up to four decimals.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "0" || text == "-0" { format!("{x:.2e}") } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(pairs: &'a [(&'a str, f64)]) -> impl FnMut(&Path) -> Result<f64, EvalError> + 'a {
        move |p: &Path| {
            pairs
                .iter()
                .find(|(name, _)| *name == p.text)
                .map(|(_, v)| *v)
                .ok_or_else(|| EvalError::Path { path: p.text.clone(), problem: "unknown".into() })
        }
    }

    fn check(text: &str, pairs: &[(&str, f64)]) -> bool {
        parse_cond(text).unwrap().eval(&mut values(pairs)).unwrap()
    }

    #[test]
    fn precedence_and_comparisons() {
        let n = parse_num("1 + 2 * 3 - 4 / 2").unwrap();
        assert_eq!(n.eval(&mut values(&[])).unwrap(), 5.0);
        assert_eq!(parse_num("-(1 + 2) * 2").unwrap().eval(&mut values(&[])).unwrap(), -6.0);
        assert_eq!(parse_num("1_000 * 2.5e-3").unwrap().eval(&mut values(&[])).unwrap(), 2.5);
        assert!(check("a.x < 2 * b.y", &[("a.x", 3.0), ("b.y", 2.0)]));
        assert!(!check("a.x >= 2 * b.y", &[("a.x", 3.0), ("b.y", 2.0)]));
        assert!(check("a.x == 3 and (b.y <= 2) and a.x > b.y", &[("a.x", 3.0), ("b.y", 2.0)]));
        assert!(!check("a.x == 3 and b.y > 2", &[("a.x", 3.0), ("b.y", 2.0)]));
    }

    #[test]
    fn paths_take_keys_indices_and_quoted_keys() {
        let Num::Path(p) = parse_num(r#"run.failover.GET.errors_by_status.503"#).unwrap() else { panic!() };
        assert_eq!(p.segments.len(), 5);
        assert_eq!(p.segments[4], Segment::Key("503".into()));
        let Num::Path(p) = parse_num(r#"r.timeseries[3].failovers"#).unwrap() else { panic!() };
        assert_eq!(p.segments[2], Segment::Index(3));
        let Num::Path(p) = parse_num(r#"r.signing.by_reason["bad-signature"]"#).unwrap() else { panic!() };
        assert_eq!(p.segments[3], Segment::Key("bad-signature".into()));
        assert_eq!(p.text, r#"r.signing.by_reason["bad-signature"]"#);
        let c = parse_cond("a.b + c.d < e.f * a.b").unwrap();
        let paths: Vec<&str> = c.all_paths().iter().map(|p| p.text.as_str()).collect();
        assert_eq!(paths, ["a.b", "c.d", "e.f", "a.b"]);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let cases = [
            ("a.b < ", 6, "ends early"),
            ("a.b < * 2", 6, "expected a number"),
            ("a.b = 2", 4, "write `==`"),
            ("a.b < 2 < 3", 8, "do not chain"),
            ("a.b + 1", 7, "must compare"),
            ("(a.b < 2", 8, "expected `)`"),
            ("a.b < 2)", 7, "without a matching"),
            ("a. < 2", 2, "field name after"),
            ("a.b < 2 and 3", 12, "`and` joins comparisons"),
            ("a.b < 2 + (c.d > 1)", 10, "arithmetic needs numbers"),
            ("2x < 3", 0, "must start with a letter"),
            ("a.b # 2", 4, "unexpected character"),
            ("", 0, "empty"),
        ];
        for (text, offset, fragment) in cases {
            let e = parse_cond(text).unwrap_err();
            assert!(e.problem.contains(fragment), "{text:?}: {e:?}");
            assert_eq!(e.offset, offset, "{text:?}: {e:?}");
        }
        let e = parse_num("a.b < 2").unwrap_err();
        assert!(e.problem.contains("a number is expected"), "{e:?}");
        assert_eq!(ParseError { offset: 6, problem: String::new() }.pointer("a.b < * 2"), "    a.b < * 2\n          ^");
    }

    #[test]
    fn division_by_zero_is_reported_not_infinite() {
        let e = parse_cond("a.x / a.y > 1").unwrap().eval(&mut values(&[("a.x", 1.0), ("a.y", 0.0)])).unwrap_err();
        assert_eq!(e, EvalError::DivisionByZero { expression: "a.y".into() });
    }

    #[test]
    fn numbers_format_for_tables() {
        assert_eq!(format_number(1234.0), "1234");
        assert_eq!(format_number(0.812345), "0.8123");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(0.00001), "1.00e-5");
    }
}
