//! `cdnsim import distribution`: CloudFront's distribution JSON in, scenario
//! TOML out, warnings on stderr.

use anyhow::{Context, bail};
use cdnsim::geo;
use cdnsim::scenario::ScenarioError;
use cdnsim::scenario::import::{self, ImportOptions};
use clap::Subcommand;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Turn `aws cloudfront get-distribution-config` (or `get-distribution`) JSON into the
    /// [[origins]], [[origin_groups]] and [distribution] tables of a scenario.
    Distribution(DistributionArgs),
}

#[derive(Debug, clap::Args)]
pub struct DistributionArgs {
    /// The JSON file, as `aws cloudfront get-distribution-config --id ID` prints it.
    pub file: PathBuf,
    /// Write the TOML to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The AWS Region of an origin whose domain name names none: --region ORIGIN_ID=us-west-2 (repeatable).
    #[arg(long = "region", value_name = "ORIGIN_ID=REGION")]
    pub regions: Vec<String>,
    /// The Region of origins with no Region from their domain name or --region.
    #[arg(long, value_name = "REGION", default_value = "us-east-1")]
    pub default_region: String,
    /// A custom cache policy's settings: --cache-policy ID=FILE, FILE being the output of
    /// `aws cloudfront get-cache-policy --id ID` (or FILE alone, which names its Id). Repeatable.
    #[arg(long = "cache-policy", value_name = "ID=FILE")]
    pub cache_policies: Vec<String>,
    /// A custom origin request policy's settings: --origin-request-policy ID=FILE, FILE being the
    /// output of `aws cloudfront get-origin-request-policy --id ID` (or FILE alone). Repeatable.
    #[arg(long = "origin-request-policy", value_name = "ID=FILE")]
    pub origin_request_policies: Vec<String>,
    /// Write a complete runnable scenario (a generated topology and a traffic class per
    /// behavior) instead of the distribution's tables alone.
    #[arg(long)]
    pub scenario_template: bool,
}

pub fn run_import(cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ImportCommand::Distribution(args) => import_distribution(args),
    }
}

fn import_distribution(args: DistributionArgs) -> anyhow::Result<ExitCode> {
    let options = options(&args)?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("{}: cannot read the distribution JSON (fix: check the path)", args.file.display()))?;
    let imported = import::import_distribution(&args.file, &text, &options)?;
    for w in &imported.warnings {
        eprintln!("cdnsim: warning: {w}");
    }
    let parts = import::to_parts(&imported);
    let toml = if args.scenario_template {
        let name = args.out.as_deref().unwrap_or(&args.file).file_stem().map(|s| s.to_string_lossy().into_owned());
        import::scenario_template(&imported, &parts, name.as_deref().unwrap_or("imported"))
    } else {
        import::to_toml_text(&imported, &parts)
    };
    eprintln!(
        "cdnsim: imported {} origins, {} origin groups and {} cache behaviors from {} ({} warnings)",
        imported.origins.len(),
        imported.origin_groups.len(),
        imported.behaviors.len() + 1,
        args.file.display(),
        imported.warnings.len()
    );
    match &args.out {
        None => out!("{toml}"),
        Some(path) => write_whole(path, &toml)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn options(args: &DistributionArgs) -> anyhow::Result<ImportOptions> {
    let mut options =
        ImportOptions { default_region: Some(region(&args.default_region, "--default-region")?), ..Default::default() };
    for entry in &args.regions {
        let Some((id, name)) = entry.split_once('=') else {
            bail!("--region {entry:?}: expected ORIGIN_ID=REGION, e.g. --region api-origin=eu-west-1");
        };
        options.regions.insert(id.to_string(), region(name, &format!("--region {entry}"))?);
    }
    options.cache_policies = policy_files(&args.cache_policies, "--cache-policy", import::parse_cache_policy)?;
    options.origin_request_policies =
        policy_files(&args.origin_request_policies, "--origin-request-policy", import::parse_origin_request_policy)?;
    Ok(options)
}

/// The policies of `--cache-policy` or `--origin-request-policy` (`flag`)
/// entries, `ID=FILE` or `FILE` alone (which must name its Id), by ID.
fn policy_files<T>(
    entries: &[String],
    flag: &str,
    parse: impl Fn(&Path, &str, &mut Vec<import::ImportWarning>) -> Result<(Option<String>, T), ScenarioError>,
) -> anyhow::Result<BTreeMap<String, T>> {
    let mut policies = BTreeMap::new();
    for entry in entries {
        let (id, file) = match entry.split_once('=') {
            Some((id, file)) => (Some(id), Path::new(file)),
            None => (None, Path::new(entry.as_str())),
        };
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("{flag} {entry}: cannot read {} (fix: check the path)", file.display()))?;
        let mut warnings = Vec::new();
        let (file_id, policy) = parse(file, &text, &mut warnings)?;
        for w in &warnings {
            eprintln!("cdnsim: warning: {w}");
        }
        let id = match (id, file_id) {
            (Some(id), Some(file_id)) if id != file_id => {
                bail!(
                    "{flag} {entry}: {} is the policy {file_id}, not {id} (fix: name the right ID or file)",
                    file.display()
                )
            }
            (Some(id), _) => id.to_string(),
            (None, Some(file_id)) => file_id,
            (None, None) => {
                bail!("{flag} {entry}: the file does not name its policy's Id (fix: write {flag} ID={entry})")
            }
        };
        policies.insert(id, policy);
    }
    Ok(policies)
}

fn region(name: &str, flag: &str) -> anyhow::Result<String> {
    match geo::find_region(name) {
        Some(r) => Ok(r.name.to_string()),
        None => bail!("{flag}: {name:?} is not an AWS Region cdnsim knows (fix: use one of: {})", geo::region_names()),
    }
}

/// Writes under a temporary name and renames, so that a failed write leaves
/// no half-written file.
fn write_whole(path: &Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("toml.partial");
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    eprintln!("cdnsim: wrote {}", path.display());
    Ok(())
}
