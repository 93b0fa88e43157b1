//! What a replay adds to a run's results: the trace's own counts and, for an
//! access log, how the simulated result type compares with the logged one.
//! Pure: rows and JSON values, no files.

use super::source::TraceStats;
use crate::metrics::{ResultMatrix, ResultType};
use crate::policy::result_type::LoggedResult;

/// One row of `result-types.csv`: the requests the log classed `logged`, by
/// the result type the simulation gave them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ComparisonRow {
    pub logged: &'static str,
    #[serde(rename = "Hit")]
    pub hit: u64,
    #[serde(rename = "RefreshHit")]
    pub refresh_hit: u64,
    #[serde(rename = "Miss")]
    pub miss: u64,
    #[serde(rename = "Error")]
    pub error: u64,
    #[serde(rename = "Redirect")]
    pub redirect: u64,
    pub total: u64,
}

/// The confusion matrix as rows, one per logged type that occurred.
pub fn comparison_rows(matrix: &ResultMatrix) -> Vec<ComparisonRow> {
    LoggedResult::ALL
        .into_iter()
        .map(|logged| {
            let row = matrix[logged.index()];
            ComparisonRow {
                logged: logged.as_str(),
                hit: row[ResultType::Hit.index()],
                refresh_hit: row[ResultType::RefreshHit.index()],
                miss: row[ResultType::Miss.index()],
                error: row[ResultType::Error.index()],
                redirect: row[ResultType::Redirect.index()],
                total: row.iter().sum(),
            }
        })
        .filter(|r| r.total > 0)
        .collect()
}

/// Share of compared requests whose simulated type equals the logged one.
pub fn agreement(matrix: &ResultMatrix) -> f64 {
    let total: u64 = matrix.iter().flatten().sum();
    let same: u64 = [
        (LoggedResult::Hit, ResultType::Hit),
        (LoggedResult::RefreshHit, ResultType::RefreshHit),
        (LoggedResult::Miss, ResultType::Miss),
        (LoggedResult::Error, ResultType::Error),
        (LoggedResult::Redirect, ResultType::Redirect),
    ]
    .iter()
    .map(|(l, s)| matrix[l.index()][s.index()])
    .sum();
    if total == 0 { 0.0 } else { same as f64 / total as f64 }
}

/// The `trace` object of the JSON summary and of `trace.json`.
pub fn trace_json(stats: &TraceStats, matrix: &ResultMatrix) -> serde_json::Value {
    let mut value = serde_json::to_value(stats).expect("plain data");
    if matrix.iter().flatten().any(|&n| n > 0) {
        let by_logged: serde_json::Map<String, serde_json::Value> = comparison_rows(matrix)
            .into_iter()
            .map(|r| {
                let row = serde_json::json!({
                    "Hit": r.hit, "RefreshHit": r.refresh_hit, "Miss": r.miss, "Error": r.error, "Redirect": r.redirect,
                    "total": r.total
                });
                (r.logged.to_string(), row)
            })
            .collect();
        value["result_types"] = serde_json::json!({ "by_logged": by_logged, "agreement": agreement(matrix) });
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_agreement_follow_the_matrix() {
        let mut m: ResultMatrix = Default::default();
        m[LoggedResult::Hit.index()][ResultType::Hit.index()] = 6;
        m[LoggedResult::Hit.index()][ResultType::Miss.index()] = 2;
        m[LoggedResult::Other.index()][ResultType::Miss.index()] = 2;
        m[LoggedResult::Redirect.index()][ResultType::Redirect.index()] = 1;
        let rows = comparison_rows(&m);
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[0].logged, rows[0].hit, rows[0].miss, rows[0].total), ("Hit", 6, 2, 8));
        assert_eq!((rows[1].logged, rows[1].redirect, rows[1].total), ("Redirect", 1, 1));
        assert_eq!((rows[2].logged, rows[2].total), ("Other", 2));
        // 6 Hit-Hit and 1 Redirect-Redirect agree, of 11.
        assert!((agreement(&m) - 7.0 / 11.0).abs() < 1e-12);
        let json = trace_json(&TraceStats::default(), &m);
        assert_eq!(json["result_types"]["by_logged"]["Hit"]["Miss"], 2);
        assert_eq!(trace_json(&TraceStats::default(), &ResultMatrix::default()).get("result_types"), None);
    }
}
