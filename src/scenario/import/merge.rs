//! `[distribution] import = "file.json"` in a scenario: the imported origins,
//! origin groups and behaviors merged into the scenario document before it is
//! validated like any other.
//!
//! Merge rules: the JSON supplies `[[origins]]`, `[[origin_groups]]`, the
//! behaviors and the custom cache policies they use; the scenario may not
//! list groups, behaviors or cache policies of its own (they would contradict
//! the JSON, or name policies no behavior could use). A scenario `[[origins]]` entry whose `name` is
//! an imported origin's Id adds to that origin and overrides its fields (a
//! Region, a latency, a concurrency: what CloudFront's config cannot say); an
//! entry naming no imported origin is an error. `[[functions]]` entries work
//! the same way for the edge functions the behaviors associate (a latency, a
//! cold start: what CloudFront's config cannot say). Other `[distribution]`
//! fields (`domain`, `error_caching_min_ttl`, ...) override the imported ones.

use super::emit::{to_parts, to_table};
use super::model::{ImportWarning, ImportedDistribution};
use super::policies::{parse_cache_policy, parse_origin_request_policy};
use super::{ImportOptions, import_distribution};
use crate::scenario::error::ScenarioError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Value;

/// A problem with the scenario's side of the merge, for the validator to
/// place at the field's line and column.
pub(crate) enum MergeError {
    /// Already names its file (the JSON or a cache policy file) and path.
    Import(ScenarioError),
    Field {
        field: String,
        problem: String,
        fix: String,
    },
}

fn field_error(field: &str, problem: impl Into<String>, fix: impl Into<String>) -> MergeError {
    MergeError::Field { field: field.to_string(), problem: problem.into(), fix: fix.into() }
}

/// What a merged import leaves for the scenario.
pub(crate) struct Merged {
    /// The JSON file, as resolved against the scenario's folder.
    pub source: PathBuf,
    pub warnings: Vec<ImportWarning>,
}

/// Replaces `distribution.import` (and `distribution.import_cache_policies`)
/// in `document` by the tables the JSON gives. `scenario_file` anchors
/// relative paths.
pub(crate) fn merge_import(document: &mut toml::Table, scenario_file: &Path) -> Result<Option<Merged>, MergeError> {
    let Some(distribution) = document.get_mut("distribution").and_then(Value::as_table_mut) else { return Ok(None) };
    let Some(import) = distribution.remove("import") else { return Ok(None) };
    let import = import.as_str().ok_or_else(|| {
        field_error(
            "distribution.import",
            format!("expected the JSON file's name, found a {}", import.type_str()),
            "write e.g. import = \"cloudfront-config.json\"",
        )
    })?;
    let dir = scenario_file.parent().unwrap_or(Path::new(""));
    let source = dir.join(import);
    let mut options = ImportOptions::default();
    if let Some(policies) = distribution.remove("import_cache_policies") {
        options.cache_policies = read_policies(policies, dir, "import_cache_policies", parse_cache_policy)?;
    }
    if let Some(policies) = distribution.remove("import_origin_request_policies") {
        let field = "import_origin_request_policies";
        options.origin_request_policies = read_policies(policies, dir, field, parse_origin_request_policy)?;
    }
    refuse_what_the_json_gives(document, import)?;
    let scenario_origins = take_scenario_origins(document)?;
    let names = scenario_origin_names(&scenario_origins, &mut options)?;
    let scenario_functions = take_scenario_functions(document, &mut options)?;
    let text = std::fs::read_to_string(&source).map_err(|e| {
        field_error(
            "distribution.import",
            format!("cannot read {}: {e}", source.display()),
            "the path is relative to the scenario file; save it with `aws cloudfront get-distribution-config --id ID > FILE`",
        )
    })?;
    let imported = import_distribution(&source, &text, &options).map_err(MergeError::Import)?;
    let mut table = to_table(&to_parts(&imported));
    let mut origins = match table.remove("origins") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    add_scenario_origins(&mut origins, scenario_origins, &names, import, &imported)?;
    document.insert("origins".into(), Value::Array(origins));
    let mut functions = match table.remove("functions") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    add_scenario_functions(&mut functions, scenario_functions, import, &imported)?;
    if !functions.is_empty() {
        document.insert("functions".into(), Value::Array(functions));
    }
    if let Some(groups) = table.remove("origin_groups") {
        document.insert("origin_groups".into(), groups);
    }
    let distribution = document.get_mut("distribution").and_then(Value::as_table_mut).expect("checked above");
    if let Some(Value::Table(imported_distribution)) = table.remove("distribution") {
        for (key, value) in imported_distribution {
            distribution.entry(key).or_insert(value);
        }
    }
    Ok(Some(Merged { source, warnings: imported.warnings }))
}

/// Adds each scenario `[[origins]]` entry's fields to the imported origin of
/// its name, overriding the imported ones.
fn add_scenario_origins(
    origins: &mut [Value],
    scenario_origins: Vec<Value>,
    names: &[String],
    import: &str,
    imported: &ImportedDistribution,
) -> Result<(), MergeError> {
    for (i, (entry, name)) in scenario_origins.into_iter().zip(names).enumerate() {
        let Some(target) = origins.iter_mut().find(|o| o.get("name").and_then(Value::as_str) == Some(name.as_str()))
        else {
            return Err(field_error(
                &format!("origins[{i}].name"),
                format!("{import} has no origin with the Id {name:?}"),
                format!(
                    "use one of: {}",
                    imported.origins.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        if let (Some(target), Value::Table(entry)) = (target.as_table_mut(), entry) {
            target.extend(entry);
        }
    }
    Ok(())
}

/// Removes the scenario's own `[[functions]]` from `document`, each with
/// its name, and notes the settings each gives (their defaults are then not
/// warned about).
fn take_scenario_functions(
    document: &mut toml::Table,
    options: &mut ImportOptions,
) -> Result<Vec<(String, toml::Table)>, MergeError> {
    let items = match document.remove("functions") {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(field_error(
                "functions",
                format!("expected [[functions]] tables, found a {}", other.type_str()),
                "write [[functions]] tables",
            ));
        }
    };
    let mut functions = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let Value::Table(table) = item else {
            return Err(field_error(&format!("functions[{i}]"), "expected a table", "write [[functions]] tables"));
        };
        let name = table.get("name").and_then(Value::as_str).ok_or_else(|| {
            field_error(
                &format!("functions[{i}].name"),
                "a [[functions]] entry of a scenario that imports its distribution names an imported function",
                "add name = \"<function name>\" (the warnings name the imported functions)",
            )
        })?;
        let given = table.keys().filter(|k| ["latency", "cold_start", "keep_warm"].contains(&k.as_str()));
        options.function_settings.insert(name.to_string(), given.cloned().collect());
        functions.push((name.to_string(), table));
    }
    Ok(functions)
}

/// Adds each scenario `[[functions]]` entry's fields to the imported
/// function of its name, overriding the imported ones.
fn add_scenario_functions(
    functions: &mut [Value],
    scenario_functions: Vec<(String, toml::Table)>,
    import: &str,
    imported: &ImportedDistribution,
) -> Result<(), MergeError> {
    for (i, (name, entry)) in scenario_functions.into_iter().enumerate() {
        let target = functions.iter_mut().find(|f| f.get("name").and_then(Value::as_str) == Some(name.as_str()));
        let Some(Value::Table(target)) = target else {
            let known: Vec<&str> = imported.functions.iter().map(|f| f.name.as_str()).collect();
            return Err(field_error(
                &format!("functions[{i}].name"),
                format!("no behavior of {import} runs a function named {name:?}"),
                if known.is_empty() {
                    "remove the entry: the imported behaviors run no edge function".to_string()
                } else {
                    format!("use one of: {}", known.join(", "))
                },
            ));
        };
        target.extend(entry);
    }
    Ok(())
}

/// `import_cache_policies` (or `import_origin_request_policies`, `key`):
/// policy ID -> the file of its `get-cache-policy` (or
/// `get-origin-request-policy`) output, relative to the scenario's folder `dir`.
fn read_policies<T>(
    policies: Value,
    dir: &Path,
    key: &str,
    parse: impl Fn(&Path, &str, &mut Vec<ImportWarning>) -> Result<(Option<String>, T), ScenarioError>,
) -> Result<BTreeMap<String, T>, MergeError> {
    let Value::Table(policies) = policies else {
        return Err(field_error(
            &format!("distribution.{key}"),
            "expected a table of policy ID = file",
            format!("write e.g. {key} = {{ \"4d1f...\" = \"policy.json\" }}"),
        ));
    };
    let mut read = BTreeMap::new();
    for (id, file) in policies {
        let field = format!("distribution.{key}.{id}");
        let file = file.as_str().map(|f| dir.join(f)).ok_or_else(|| {
            field_error(&field, "expected a file name", "write the file of the `aws cloudfront get-...-policy` output")
        })?;
        let text = std::fs::read_to_string(&file).map_err(|e| {
            field_error(
                &field,
                format!("cannot read {}: {e}", file.display()),
                "the path is relative to the scenario file",
            )
        })?;
        let (file_id, policy) = parse(&file, &text, &mut Vec::new()).map_err(MergeError::Import)?;
        if file_id.as_deref().is_some_and(|f| f != id) {
            return Err(field_error(
                &field,
                format!("{} holds the policy {}, not {id}", file.display(), file_id.unwrap_or_default()),
                "name the file of this policy",
            ));
        }
        read.insert(id, policy);
    }
    Ok(read)
}

/// The JSON gives the behaviors and the origin groups: a scenario that also
/// lists its own would contradict it.
fn refuse_what_the_json_gives(document: &toml::Table, import: &str) -> Result<(), MergeError> {
    let distribution = document.get("distribution").and_then(Value::as_table).expect("checked by the caller");
    let keys = ["behaviors", "default_behavior", "cache_policies", "origin_request_policies"];
    for (i, key) in keys.into_iter().enumerate() {
        if distribution.contains_key(key) {
            let what = [
                "[[distribution.behaviors]]",
                "[distribution.default_behavior]",
                "[[distribution.cache_policies]]",
                "[[distribution.origin_request_policies]]",
            ][i];
            return Err(field_error(
                &format!("distribution.{key}"),
                format!("the behaviors come from {import}, so the scenario cannot also have {what}"),
                format!("remove {what}, or remove `import` and paste `cdnsim import distribution {import}`'s output"),
            ));
        }
    }
    if document.contains_key("origin_groups") {
        return Err(field_error(
            "origin_groups",
            format!("the origin groups come from {import}, so the scenario cannot also have [[origin_groups]]"),
            "remove [[origin_groups]], or edit the JSON",
        ));
    }
    Ok(())
}

/// Removes the scenario's own `[[origins]]` from `document`: they are
/// merged into the imported ones.
fn take_scenario_origins(document: &mut toml::Table) -> Result<Vec<Value>, MergeError> {
    match document.remove("origins") {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(field_error(
            "origins",
            format!("expected [[origins]] tables, found a {}", other.type_str()),
            "write [[origins]] tables",
        )),
    }
}

/// The imported origin each scenario `[[origins]]` entry adds to, by name;
/// a Region an entry gives is passed to the importer.
fn scenario_origin_names(scenario_origins: &[Value], options: &mut ImportOptions) -> Result<Vec<String>, MergeError> {
    let mut names = Vec::new();
    for (i, entry) in scenario_origins.iter().enumerate() {
        let name = entry.get("name").and_then(Value::as_str).ok_or_else(|| {
            field_error(&format!("origins[{i}].name"), "an [[origins]] entry of a scenario that imports its distribution needs the imported origin's Id as its name", "add name = \"<origin Id>\"")
        })?;
        if let Some(region) = entry.get("region").and_then(Value::as_str) {
            options.regions.insert(name.to_string(), region.to_string());
        }
        names.push(name.to_string());
    }
    Ok(names)
}
