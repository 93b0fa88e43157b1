//! Scenario files in, a validated [`Scenario`] out. This is the only code that
//! knows TOML.
//!
//! Loading is three steps: parse the text (syntax errors carry line and
//! column), apply `--set` overrides to the parsed document, then deserialize
//! into the raw types of [`raw`] and check every rule in [`validate`]. Every
//! error names the file, the field path, its line and column, and a fix.

mod attributes;
mod cache_key;
mod describe;
pub mod edge_functions;
mod error;
pub mod import;
pub mod invalidation_path;
mod origin_request;
pub mod path_pattern;
pub mod raw;
pub mod source;
mod spec;
mod validate;
mod vocabulary;

pub use attributes::{
    AttributeKind, AttributeSpec, AttributeValues, DEFAULT_ACCEPT_ENCODING, DEFAULT_DEVICES, Device,
    MAX_ATTRIBUTE_VALUES, MAX_ATTRIBUTES, MAX_ENCODINGS, MAX_QUERY_PARAMS, QueryOrder, RequestAttributes,
    RequestAttributesSpec,
};
pub use cache_key::{
    CacheKeySettings, CachePolicySpec, MANAGED_CACHE_POLICIES, MAX_KEY_NAMES, MAX_OBJECTS_WITH_VARIANTS,
    ManagedCachePolicy, ManagedNames, NameSelection, UNKEYABLE_HEADERS, is_header_name, managed_cache_policy,
    managed_cache_policy_names,
};
pub use edge_functions::{BehaviorFunctions, EdgeEvent, FunctionKind, FunctionSpec, MAX_TRANSFORMS, Transform};
pub use error::ScenarioError;
pub use origin_request::{
    HeaderSelection, LEGACY_REMOVED_HEADERS, MANAGED_ORIGIN_REQUEST_POLICIES, ManagedHeaders,
    ManagedOriginRequestPolicy, OriginRequestPolicySpec, OriginRequestSettings, managed_origin_request_policy,
    managed_origin_request_policy_names,
};
pub use source::Override;
pub use spec::*;
pub use validate::intervals::{MAX_METRICS_INTERVALS, interval_text, interval_that_fits};
pub use validate::names::{check_class_path, check_domain};
pub use vocabulary::{
    ABSENT, AcceptedValues, CUSTOM_ERROR_CODES, CUSTOM_RESPONSE_CODES, CustomErrorResponse, DEFAULT_ERROR_PAGE_BYTES,
    DEFAULT_TTL_S, ErrorPage, EvictionPolicy, FAILOVER_STATUS_CODES, FailoverCriteria, GeoRestriction, HeaderValueId,
    MAX_TTL_S, MAX_VALUES, OriginKind, OriginProtocolPolicy, ParsePolicyError, Presented, RangeStart, TlsVersion,
    TtlSettings, ViewerHttpVersion, ViewerProtocolPolicy,
};

use std::path::Path;

impl Scenario {
    /// Reads and validates a scenario file, applying `overrides` first.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        Self::load_for(path, overrides, TrafficFrom::Classes)
    }

    /// `load` for requests from `traffic_from`.
    pub fn load_for(path: &Path, overrides: &[Override], traffic_from: TrafficFrom) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScenarioError::Unreadable { file: path.to_path_buf(), reason: e.to_string() })?;
        Self::from_toml_str_for(path, &text, overrides, traffic_from)
    }

    /// Validates scenario text; `file` is used in messages and for the default name.
    pub fn from_toml_str(file: &Path, text: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        Self::from_toml_str_for(file, text, overrides, TrafficFrom::Classes)
    }

    /// `from_toml_str` for requests from `traffic_from`: every scenario,
    /// from a file or not, is validated here.
    pub fn from_toml_str_for(
        file: &Path,
        text: &str,
        overrides: &[Override],
        traffic_from: TrafficFrom,
    ) -> Result<Scenario, ScenarioError> {
        validate::load(file, text, overrides, traffic_from)
    }

    /// Stops the scenario's own traffic after `n` viewer requests instead
    /// of its `requests` or `duration` (`--requests N`), checked as the file's
    /// own would be: the run must still fit in its metrics intervals.
    pub fn stop_after_requests(&mut self, n: u64) -> Result<(), ScenarioError> {
        let previous = std::mem::replace(&mut self.simulation.stop, Stop::Requests(n));
        let problem = if n == 0 {
            Some(("no request would be simulated".to_string(), "give --requests 1 or more".to_string()))
        } else {
            validate::intervals::check(self).err()
        };
        let Some((problem, fix)) = problem else { return Ok(()) };
        self.simulation.stop = previous;
        Err(ScenarioError::Field(Box::new(error::FieldError {
            file: self.file.clone(),
            position: None,
            field: "simulation.requests".into(),
            problem: format!("--requests {n}: {problem}"),
            fix,
            set_by: None,
        })))
    }
}
