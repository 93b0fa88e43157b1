//! What a replay adds to a run's results: the trace's own counts and, for an
//! access log, how the simulated result type compares with the logged one.
//! Pure: rows and JSON values, no files.

use super::source::TraceStats;
use crate::metrics::{DetailedMatrix, DetailedResultType, ResultMatrix, ResultType};
use crate::policy::result_type::{LoggedDetailed, LoggedResult};

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

/// One row of `detailed-result-types.csv`: the requests the log classed
/// `logged` in `x-edge-detailed-result-type`, by the simulated detailed type
/// (every type cdnsim simulates, in `DetailedResultType::ALL` order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetailedComparisonRow {
    pub logged: &'static str,
    pub simulated: Vec<(&'static str, u64)>,
    pub total: u64,
}

/// `detailed-result-types.csv`: `logged`, a column per simulated type, `total`.
pub fn detailed_comparison_csv(rows: &[DetailedComparisonRow]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = std::iter::once("logged").chain(DetailedResultType::ALL.iter().map(|d| d.as_str())).chain(["total"]);
    w.write_record(header)?;
    for r in rows {
        let cells = r.simulated.iter().map(|(_, n)| n.to_string());
        w.write_record(std::iter::once(r.logged.to_string()).chain(cells).chain([r.total.to_string()]))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// The detailed confusion matrix as rows, one per logged type that occurred.
pub fn detailed_comparison_rows(matrix: &DetailedMatrix) -> Vec<DetailedComparisonRow> {
    (0..LoggedDetailed::COUNT)
        .map(LoggedDetailed::from_index)
        .map(|logged| {
            let row = &matrix[logged.index()];
            let simulated = DetailedResultType::ALL.iter().map(|d| (d.as_str(), row[d.index()])).collect();
            DetailedComparisonRow { logged: logged.as_str(), simulated, total: row.iter().sum() }
        })
        .filter(|r| r.total > 0)
        .collect()
}

/// Share of requests compared in detail whose simulated detailed type is
/// the logged one.
pub fn detailed_agreement(matrix: &DetailedMatrix) -> f64 {
    let total: u64 = matrix.iter().flatten().sum();
    let same: u64 = DetailedResultType::ALL.iter().map(|d| matrix[d.index()][d.index()]).sum();
    if total == 0 { 0.0 } else { same as f64 / total as f64 }
}

/// The `trace` object of the JSON summary and of `trace.json`: the trace's
/// counts and, for a log, how the simulated result types (and detailed
/// types, when the log has them) compare with the logged ones.
pub fn trace_json(stats: &TraceStats, matrix: &ResultMatrix, detailed: &DetailedMatrix) -> serde_json::Value {
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
    if detailed.iter().flatten().any(|&n| n > 0) {
        let by_logged: serde_json::Map<String, serde_json::Value> = detailed_comparison_rows(detailed)
            .into_iter()
            .map(|r| {
                let simulated: serde_json::Map<String, serde_json::Value> =
                    r.simulated.iter().map(|(name, n)| (name.to_string(), (*n).into())).collect();
                (r.logged.to_string(), simulated.into())
            })
            .collect();
        value["detailed_result_types"] =
            serde_json::json!({ "by_logged": by_logged, "agreement": detailed_agreement(detailed) });
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
        let json = trace_json(&TraceStats::default(), &m, &DetailedMatrix::default());
        assert_eq!(json["result_types"]["by_logged"]["Hit"]["Miss"], 2);
        assert_eq!(json.get("detailed_result_types"), None, "a log without the field");
        let empty = trace_json(&TraceStats::default(), &ResultMatrix::default(), &DetailedMatrix::default());
        assert_eq!(empty.get("result_types"), None);
    }

    #[test]
    fn detailed_rows_and_agreement_follow_their_matrix() {
        use DetailedResultType as D;
        let mut m = DetailedMatrix::default();
        // 5 shield hits simulated as shield hits, 1 as a plain hit; 2
        // OriginDnsError (not simulated) came out as Miss; 2 connect errors agree.
        m[LoggedDetailed::Simulated(D::OriginShieldHit).index()][D::OriginShieldHit.index()] = 5;
        m[LoggedDetailed::Simulated(D::OriginShieldHit).index()][D::Hit.index()] = 1;
        m[LoggedDetailed::Other.index()][D::Miss.index()] = 2;
        m[LoggedDetailed::Simulated(D::OriginConnectError).index()][D::OriginConnectError.index()] = 2;
        let rows = detailed_comparison_rows(&m);
        let logged: Vec<&str> = rows.iter().map(|r| r.logged).collect();
        assert_eq!(logged, ["OriginShieldHit", "OriginConnectError", "Other"]);
        assert_eq!(
            (rows[0].simulated[D::OriginShieldHit.index()], rows[0].simulated[D::Hit.index()]),
            (("OriginShieldHit", 5), ("Hit", 1))
        );
        assert_eq!((rows[0].simulated.len(), rows[0].total), (D::ALL.len(), 6));
        // 5 + 2 of 10 agree.
        assert!((detailed_agreement(&m) - 0.7).abs() < 1e-12);
        let json = trace_json(&TraceStats::default(), &ResultMatrix::default(), &m);
        assert_eq!(json["detailed_result_types"]["by_logged"]["Other"]["Miss"], 2);
        assert_eq!(json["detailed_result_types"]["agreement"], 0.7);
        let csv = String::from_utf8(detailed_comparison_csv(&rows).unwrap()).unwrap();
        assert!(csv.starts_with("logged,Hit,OriginShieldHit,RefreshHit,"), "{csv}");
        assert!(csv.contains("\nOther,0,0,0,2,0,0,0,0,0,0,0,2\n"), "{csv}");
    }
}
