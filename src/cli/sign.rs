//! `cdnsim sign url|cookies` and `cdnsim verify url|cookies`: the command line over
//! `cdnsim::signing` (which follows the AWS CLI's `aws cloudfront sign`) and the
//! signing crate, `cdnsim_sign`.

use cdnsim::signing::{SigningOptions, VerifyOptions};
use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

/// `cdnsim sign ...`
#[derive(Debug, Clone, clap::Subcommand)]
pub enum SignCommand {
    /// Sign a URL, as `aws cloudfront sign` does, and print the signed URL.
    Url(SignUrlArgs),
    /// Sign cookies and print the CloudFront-* cookies, one `name=value` per line (send each in
    /// its own Set-Cookie header, adding Domain, Path, Secure and HttpOnly as needed).
    Cookies(SignCookiesArgs),
}

/// `cdnsim verify ...`
#[derive(Debug, Clone, clap::Subcommand)]
pub enum VerifyCommand {
    /// Verify a signed URL as CloudFront would; print ACCEPT (exit 0) or REJECT: REASON (exit 1).
    Url(VerifyUrlArgs),
    /// Verify signed cookies for a request URL; print ACCEPT (exit 0) or REJECT: REASON (exit 1).
    Cookies(VerifyCookiesArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct SignUrlArgs {
    /// The URL to sign: absolute http:// or https://, no fragment, no signing parameters.
    #[arg(long)]
    pub url: String,
    /// The policy's Resource, with `*` and `?` wildcards (default: --url); --url must match it.
    #[arg(long)]
    pub policy_resource: Option<String>,
    #[command(flatten)]
    pub signing: SigningArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SignCookiesArgs {
    /// The URL the cookies are for (a canned policy grants exactly this URL).
    #[arg(long, required_unless_present = "policy_resource")]
    pub url: Option<String>,
    /// The policy's Resource, with `*` and `?` wildcards (default: --url).
    #[arg(long)]
    pub policy_resource: Option<String>,
    #[command(flatten)]
    pub signing: SigningArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SigningArgs {
    /// The public key's id in CloudFront, for example K2JCJMDEHXQW5F.
    #[arg(long)]
    pub key_pair_id: String,
    /// The private key: file://PATH, fileb://PATH, a plain PATH, or the PEM text itself
    /// (RSA 2048 or ECDSA P-256; PKCS#1, PKCS#8 or SEC1).
    #[arg(long, value_name = "file://PATH")]
    pub private_key: String,
    /// When the signature expires.
    #[arg(long)]
    pub date_less_than: String,
    /// When the signature starts to be valid (makes a custom policy).
    #[arg(long)]
    pub date_greater_than: Option<String>,
    /// The IPv4 address or CIDR range allowed (makes a custom policy).
    #[arg(long)]
    pub ip_address: Option<String>,
    /// SHA1 (the default for RSA) or SHA256 (always for ECDSA).
    #[arg(long, value_parser = ["SHA1", "SHA256"])]
    pub hash_algorithm: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyUrlArgs {
    /// The signed URL as requested.
    pub url: String,
    #[command(flatten)]
    pub verify: VerifyArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyCookiesArgs {
    /// The URL requested.
    #[arg(long)]
    pub url: String,
    /// The Cookie header value (`name=value; name=value`); may repeat.
    #[arg(long, required = true)]
    pub cookie: Vec<String>,
    #[command(flatten)]
    pub verify: VerifyArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// A public key CloudFront knows, as ID=PATH (PEM); may repeat.
    #[arg(long, value_name = "ID=PATH", required = true)]
    pub public_key: Vec<String>,
    /// The key ids the cache behavior trusts (default: every --public-key); may repeat.
    #[arg(long, value_name = "ID")]
    pub trusted: Vec<String>,
    /// The time of the request: ISO 8601 or Unix epoch seconds (default: now).
    #[arg(long)]
    pub at: Option<String>,
    /// The client's IP address (needed when the policy has an IpAddress condition).
    #[arg(long)]
    pub ip: Option<IpAddr>,
}

/// Runs `cdnsim sign ...`, printing to stdout.
pub fn run_sign(cmd: SignCommand) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    run_sign_to(&cmd, &mut stdout.lock())
}

/// Runs `cdnsim verify ...`, printing the verdict to stdout and the details to stderr.
pub fn run_verify(cmd: VerifyCommand) -> anyhow::Result<ExitCode> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    run_verify_to(&cmd, now, &mut stdout.lock(), &mut stderr.lock())
}

/// [`run_sign`] writing to `out`.
pub fn run_sign_to(cmd: &SignCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match cmd {
        SignCommand::Url(args) => {
            let signed =
                cdnsim::signing::sign_url(&args.url, args.policy_resource.as_deref(), &args.signing.options())?;
            writeln!(out, "{signed}")?;
        }
        SignCommand::Cookies(args) => {
            let cookies = cdnsim::signing::sign_cookies(
                args.url.as_deref(),
                args.policy_resource.as_deref(),
                &args.signing.options(),
            )?;
            for (name, value) in cookies.pairs() {
                writeln!(out, "{name}={value}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// [`run_verify`] with `now` (Unix seconds) for a missing `--at`, writing the verdict to `out`
/// and the explanation of a rejection to `err`.
pub fn run_verify_to(
    cmd: &VerifyCommand,
    now: i64,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let (url, cookies, args) = match cmd {
        VerifyCommand::Url(a) => (a.url.as_str(), None, &a.verify),
        VerifyCommand::Cookies(a) => (a.url.as_str(), Some(a.cookie.join("; ")), &a.verify),
    };
    let verdict = cdnsim::signing::verify(url, cookies.as_deref(), &args.options(), now)?;
    writeln!(out, "{}", verdict.verdict)?;
    writeln!(err, "{}", verdict.detail)?;
    Ok(if verdict.accepted { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

impl SigningArgs {
    fn options(&self) -> SigningOptions {
        SigningOptions {
            key_pair_id: self.key_pair_id.clone(),
            private_key: self.private_key.clone(),
            date_less_than: self.date_less_than.clone(),
            date_greater_than: self.date_greater_than.clone(),
            ip_address: self.ip_address.clone(),
            hash_algorithm: self.hash_algorithm.clone(),
        }
    }
}

impl VerifyArgs {
    fn options(&self) -> VerifyOptions {
        VerifyOptions {
            public_keys: self.public_key.clone(),
            trusted: self.trusted.clone(),
            at: self.at.clone(),
            ip: self.ip,
        }
    }
}
