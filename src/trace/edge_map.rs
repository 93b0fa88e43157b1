//! Which of the scenario's edge locations replays a logged request: the
//! log's `x-edge-location` (`IAD89-C1`: an IATA airport code, a number, a
//! suffix; reference §3) mapped onto the scenario's edge names.
//!
//! A location resolves, first match wins:
//! 1. with `all=EDGE`, to `EDGE`, whatever it is (the only rule then);
//! 2. by a `LOCATION=EDGE` pair naming it whole (`IAD89-C1=IAD1`) or by its
//!    part before `-` (`IAD89=IAD1`);
//! 3. to the edge named like it, whole or by the part before `-` (no rule
//!    needed: `IAD89-C1` replays at an edge named `IAD89`);
//! 4. with `airport`, to the first edge, in the scenario's order, whose name
//!    starts with its 3-letter airport code (`IAD89-C1` -> `IAD1`; letters
//!    compared without case).
//!
//! Otherwise it is unknown, and its lines are skipped and counted. The
//! functions here are pure: the source caches each location's answer.

use std::fmt;

/// One `--edge-map` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EdgeMapRule {
    /// `all=EDGE`: every request to `EDGE`.
    All(String),
    /// `airport`: match by airport code.
    Airport,
    /// `LOCATION=EDGE`.
    Pair { location: String, edge: String },
}

impl std::str::FromStr for EdgeMapRule {
    type Err = String;
    fn from_str(text: &str) -> Result<EdgeMapRule, String> {
        let text = text.trim();
        if text == "airport" {
            return Ok(EdgeMapRule::Airport);
        }
        let usage = "give all=EDGE, airport, or LOCATION=EDGE (IAD89-C1=IAD1)";
        let Some((location, edge)) = text.split_once('=') else {
            return Err(format!("{text:?} is not an edge map rule: {usage}"));
        };
        let (location, edge) = (location.trim(), edge.trim());
        if location.is_empty() || edge.is_empty() || edge.contains('=') {
            return Err(format!("{text:?} is not an edge map rule: {usage}"));
        }
        Ok(match location {
            "all" => EdgeMapRule::All(edge.to_string()),
            _ => EdgeMapRule::Pair { location: location.to_string(), edge: edge.to_string() },
        })
    }
}

impl fmt::Display for EdgeMapRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdgeMapRule::All(edge) => write!(f, "all={edge}"),
            EdgeMapRule::Airport => write!(f, "airport"),
            EdgeMapRule::Pair { location, edge } => write!(f, "{location}={edge}"),
        }
    }
}

/// The rules of a replay, checked to fit together; the default maps by
/// name only (step 3 above).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdgeMap {
    all: Option<String>,
    airport: bool,
    /// (location, edge), locations distinct, in the order given.
    pairs: Vec<(String, String)>,
}

impl EdgeMap {
    /// Combines rules: `all=` stands alone, and a location is mapped once.
    pub fn new(rules: &[EdgeMapRule]) -> Result<EdgeMap, String> {
        let mut map = EdgeMap::default();
        for rule in rules {
            match rule {
                EdgeMapRule::All(edge) => {
                    map.all.get_or_insert_with(|| edge.clone());
                }
                EdgeMapRule::Airport => map.airport = true,
                EdgeMapRule::Pair { location, edge } => match map.pairs.iter().find(|(l, _)| l == location) {
                    Some((_, earlier)) if earlier != edge => {
                        return Err(format!("{location} is mapped twice, to {earlier} and to {edge}: keep one"));
                    }
                    Some(_) => {}
                    None => map.pairs.push((location.clone(), edge.clone())),
                },
            }
        }
        if let Some(all) = &map.all {
            let others = rules.iter().filter(|r| !matches!(r, EdgeMapRule::All(e) if e == all)).collect::<Vec<_>>();
            if let Some(other) = others.first() {
                return Err(format!(
                    "all={all} sends every request to {all}, so it cannot be combined with {other}: keep one"
                ));
            }
        }
        Ok(map)
    }

    /// Every request to one edge (`all=EDGE`).
    pub fn all(&self) -> Option<&str> {
        self.all.as_deref()
    }

    /// The same rules and `airport`.
    pub fn with_airport(&self) -> EdgeMap {
        EdgeMap { airport: true, ..self.clone() }
    }

    /// Whether `airport` is one of the rules.
    pub fn uses_airport(&self) -> bool {
        self.airport
    }

    /// Checks that every edge the rules name is one of `edges`.
    pub fn check(&self, edges: &[String]) -> Result<(), String> {
        let targets = self.all.iter().chain(self.pairs.iter().map(|(_, e)| e));
        for edge in targets {
            if !edges.contains(edge) {
                return Err(format!(
                    "--edge-map names {edge:?}, which is not an edge location of the scenario (its edges: {})",
                    edges.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// The index in `edges` (the scenario's edge names, in order) that
/// replays requests logged at `location`, or `None` if it is unknown.
pub fn map_location(location: &str, edges: &[String], map: &EdgeMap) -> Option<usize> {
    let named = |name: &str| edges.iter().position(|e| e == name);
    if let Some(all) = &map.all {
        return named(all);
    }
    let pop = location.split('-').next().unwrap_or(location);
    let pair = |key: &str| map.pairs.iter().find(|(l, _)| l == key).and_then(|(_, edge)| named(edge));
    let by_name = pair(location).or_else(|| pair(pop)).or_else(|| named(location)).or_else(|| named(pop));
    if by_name.is_some() || !map.airport {
        return by_name;
    }
    let code = airport_code(location)?;
    edges.iter().position(|e| e.get(..3).is_some_and(|prefix| prefix.eq_ignore_ascii_case(code)))
}

/// The 3-letter airport code a location starts with (`IAD` of `IAD89-C1`),
/// if it starts with exactly three letters.
pub fn airport_code(location: &str) -> Option<&str> {
    let code = location.get(..3)?;
    let letters = code.bytes().all(|b| b.is_ascii_alphabetic());
    let ends = location.as_bytes().get(3).is_none_or(|b| !b.is_ascii_alphabetic());
    (letters && ends).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &[&str]) -> EdgeMap {
        EdgeMap::new(&text.iter().map(|t| t.parse().unwrap()).collect::<Vec<EdgeMapRule>>()).unwrap()
    }

    fn edges(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn rules_parse_and_print_back() {
        for text in ["all=IAD1", "airport", "IAD89-C1=IAD1", "IAD89=IAD1"] {
            assert_eq!(text.parse::<EdgeMapRule>().unwrap().to_string(), text);
        }
        assert_eq!(" all = IAD1 ".parse(), Ok(EdgeMapRule::All("IAD1".into())));
        for bad in ["", "IAD1", "=IAD1", "IAD89=", "a=b=c", "airports"] {
            let err = bad.parse::<EdgeMapRule>().unwrap_err();
            assert!(err.contains("all=EDGE, airport, or LOCATION=EDGE"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn rules_that_contradict_each_other_are_refused() {
        let parse = |text: &[&str]| EdgeMap::new(&text.iter().map(|t| t.parse().unwrap()).collect::<Vec<_>>());
        assert!(parse(&["all=IAD1", "airport"]).unwrap_err().contains("cannot be combined with airport"));
        assert!(parse(&["all=IAD1", "all=SEA1"]).unwrap_err().contains("cannot be combined with all=SEA1"));
        assert!(parse(&["X1=IAD1", "X1=SEA1"]).unwrap_err().contains("X1 is mapped twice, to IAD1 and to SEA1"));
        // Saying the same thing twice is fine.
        assert_eq!(parse(&["all=IAD1", "all=IAD1"]).unwrap().all(), Some("IAD1"));
        assert!(parse(&["X1=IAD1", "X1=IAD1", "airport"]).is_ok());
    }

    #[test]
    fn targets_must_be_edges_of_the_scenario() {
        let scenario = edges(&["IAD1", "SEA1"]);
        assert_eq!(rules(&["all=SEA1"]).check(&scenario), Ok(()));
        let err = rules(&["IAD89-C1=IAD1", "SEA19-C1=SEA9"]).check(&scenario).unwrap_err();
        assert!(err.contains("\"SEA9\"") && err.contains("its edges: IAD1, SEA1"), "{err}");
    }

    /// Each step of the module's order, and that the earlier step wins.
    #[test]
    fn locations_resolve_in_the_documented_order() {
        let scenario = edges(&["IAD89", "IAD1", "SEA1", "lhr3"]);
        let none = EdgeMap::default();
        // 3: by name, whole or by the part before `-`.
        assert_eq!(map_location("IAD89", &scenario, &none), Some(0));
        assert_eq!(map_location("IAD89-C1", &scenario, &none), Some(0));
        assert_eq!(map_location("IAD12-C1", &scenario, &none), None);
        assert_eq!(map_location("SEA19-C1", &scenario, &none), None);
        // 4: by airport code, the first edge in the scenario's order, letters without case.
        let airport = rules(&["airport"]);
        assert_eq!(map_location("IAD12-C1", &scenario, &airport), Some(0));
        assert_eq!(map_location("SEA19-C1", &scenario, &airport), Some(2));
        assert_eq!(map_location("LHR62-C2", &scenario, &airport), Some(3));
        assert_eq!(map_location("FRA56-P7", &scenario, &airport), None);
        // A name match comes before the airport code.
        let by_name = edges(&["IAD1", "IAD89"]);
        assert_eq!(map_location("IAD89-C1", &by_name, &airport), Some(1));
        // 2: a pair, whole location first, then its POP; it beats a name match.
        let pairs = rules(&["IAD89-C1=SEA1", "IAD89=IAD1", "airport"]);
        assert_eq!(map_location("IAD89-C1", &scenario, &pairs), Some(2));
        assert_eq!(map_location("IAD89-C2", &scenario, &pairs), Some(1));
        assert_eq!(map_location("IAD89", &scenario, &pairs), Some(1));
        assert_eq!(map_location("SEA19-C1", &scenario, &pairs), Some(2));
        // 1: all= beats everything.
        let all = rules(&["all=lhr3"]);
        for location in ["IAD89-C1", "IAD89", "SEA19-C1", "", "garbage"] {
            assert_eq!(map_location(location, &scenario, &all), Some(3), "{location}");
        }
    }

    #[test]
    fn airport_codes_are_three_letters_then_no_letter() {
        assert_eq!(airport_code("IAD89-C1"), Some("IAD"));
        assert_eq!(airport_code("DFW3"), Some("DFW"));
        assert_eq!(airport_code("LAX"), Some("LAX"));
        assert_eq!(airport_code("LAXA1"), None);
        assert_eq!(airport_code("LA1"), None);
        assert_eq!(airport_code("IA"), None);
        // Not a char boundary at 3: no code, no panic.
        assert_eq!(airport_code("IAé1"), None);
    }
}
