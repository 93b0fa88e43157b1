//! Signing and verifying CloudFront URLs and cookies as `cdnsim sign` and
//! `cdnsim verify` do, from their options as text: the checks, date formats and
//! the choice of canned vs custom policy of the AWS CLI's `aws cloudfront sign`
//! (awscli/customizations/cloudfront/sign.py, 2026): a custom policy exactly
//! when `date_greater_than` or `ip_address` is given, the resource has a `*`,
//! or the policy's resource differs from the URL. The signing crate,
//! `cdnsim_sign`, does the cryptography; this module reads the key files and
//! words the errors (after the command line's flags, which the Python
//! package's arguments mirror).

use crate::units::parse_date;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use anyhow::{Context, anyhow, bail};

use cdnsim_sign::{
    HashAlgorithm, Ipv4Cidr, KeyAlgorithm, KeyRegistry, Policy, PolicyKind, PublicKey, Rejection, SignPolicy,
    SigningKey, TrustedKeys,
};

const DATE_FORMATS: &str = "supported formats: YYYY-MM-DD (0AM UTC of that day), \
    YYYY-MM-DDThh:mm:ss (UTC), YYYY-MM-DDThh:mm:ssZ, YYYY-MM-DDThh:mm:ss+hh:mm or -hh:mm, \
    or Unix epoch seconds (YYYYMMDD is read as epoch seconds, as in the AWS CLI)";

/// What signing takes besides the URL (`cdnsim sign`'s flags).
#[derive(Clone, Debug, Default)]
pub struct SigningOptions {
    /// The public key's id in CloudFront, for example K2JCJMDEHXQW5F.
    pub key_pair_id: String,
    /// The private key: file://PATH, fileb://PATH, a plain PATH, or the PEM text itself.
    pub private_key: String,
    /// When the signature expires: ISO 8601 or Unix epoch seconds.
    pub date_less_than: String,
    /// When the signature starts to be valid (makes a custom policy).
    pub date_greater_than: Option<String>,
    /// The IPv4 address or CIDR range allowed (makes a custom policy).
    pub ip_address: Option<String>,
    /// SHA1 (the default for RSA) or SHA256 (always for ECDSA).
    pub hash_algorithm: Option<String>,
}

/// What verifying takes besides the URL (`cdnsim verify`'s flags).
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Public keys CloudFront knows, each `ID=PATH` (PEM).
    pub public_keys: Vec<String>,
    /// The key ids the cache behavior trusts (empty: every public key).
    pub trusted: Vec<String>,
    /// The time of the request: ISO 8601 or Unix epoch seconds (`None`: the caller's now).
    pub at: Option<String>,
    /// The client's IP address (needed when the policy has an IpAddress condition).
    pub ip: Option<IpAddr>,
}

/// What CloudFront would do with a signed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub accepted: bool,
    /// `ACCEPT`, or `REJECT: ` and the reason (what `cdnsim verify` prints on stdout).
    pub verdict: String,
    /// The policy and signature accepted, or CloudFront's 403 and why (what it prints on stderr).
    pub detail: String,
}

/// Signs `url` as `cdnsim sign url` does; `policy_resource` is the policy's
/// Resource with `*` and `?` wildcards (default: the URL), which the URL must match.
pub fn sign_url(url: &str, policy_resource: Option<&str>, signing: &SigningOptions) -> anyhow::Result<String> {
    validate_resource(url, "url", false)?;
    let resource = match policy_resource {
        None => url,
        Some(pattern) => {
            validate_resource(pattern, "policy-resource", true)?;
            check_url_matches(url, pattern)?;
            pattern
        }
    };
    let prepared = prepare(signing)?;
    let policy = if prepared.needs_custom(resource) || resource != url {
        prepared.custom(resource)
    } else {
        SignPolicy::Canned { expires: prepared.date_less_than }
    };
    cdnsim_sign::sign_url(url, &policy, &signing.key_pair_id, &prepared.key, prepared.hash).context("--url")
}

/// Signs cookies as `cdnsim sign cookies` does, for `url` or the wildcard
/// `policy_resource` (one of them at least).
pub fn sign_cookies(
    url: Option<&str>,
    policy_resource: Option<&str>,
    signing: &SigningOptions,
) -> anyhow::Result<cdnsim_sign::SignedCookies> {
    if let Some(url) = url {
        validate_resource(url, "url", false)?;
    }
    let resource = match (url, policy_resource) {
        (_, Some(pattern)) => {
            validate_resource(pattern, "policy-resource", true)?;
            if let Some(url) = url {
                check_url_matches(url, pattern)?;
            }
            pattern
        }
        (Some(url), None) => url,
        (None, None) => bail!("give --url (the URL the cookies are for) or --policy-resource (a wildcard resource)"),
    };
    let prepared = prepare(signing)?;
    let differs = url.is_some_and(|url| url != resource);
    let policy = if prepared.needs_custom(resource) || differs {
        prepared.custom(resource)
    } else {
        validate_resource(resource, "policy-resource", false)?;
        SignPolicy::Canned { expires: prepared.date_less_than }
    };
    cdnsim_sign::sign_cookies(resource, &policy, &signing.key_pair_id, &prepared.key, prepared.hash).context("--url")
}

/// Verifies a signed URL (`cookies: None`) or signed cookies (the `Cookie`
/// header's value) for a request of `url` as CloudFront would, as `cdnsim
/// verify` does; `now` (Unix seconds) is the time when `options.at` is not
/// given. An error is a problem with the options (a key file, a date), never
/// a rejection.
pub fn verify(url: &str, cookies: Option<&str>, options: &VerifyOptions, now: i64) -> anyhow::Result<Verdict> {
    let (registry, trusted) = load_trust(options)?;
    let at = match &options.at {
        Some(text) => parse_date(text).map_err(|e| anyhow!("--at {text:?}: {e}; {DATE_FORMATS}"))?,
        None => now,
    };
    let request = match cookies {
        None => cdnsim_sign::parse_signed_url(url),
        Some(header) => cdnsim_sign::parse_signed_cookies(url, header),
    };
    let ip = match options.ip {
        Some(ip) => ip,
        None => {
            let restricted = request.as_ref().ok().and_then(|r| r.credentials().ok()).and_then(|c| c.policy.ip_address);
            if let Some(range) = restricted {
                bail!("the policy allows only clients in {range}; pass the client's address with --ip ADDRESS");
            }
            // No IpAddress condition: the address is never looked at.
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        }
    };
    let verdict = match cookies {
        None => cdnsim_sign::verify_url(url, &registry, &trusted, at, ip),
        Some(header) => cdnsim_sign::verify_cookies(url, header, &registry, &trusted, at, ip),
    };
    Ok(match verdict {
        Ok(accepted) => {
            let kind = match accepted.kind {
                PolicyKind::Canned => "canned",
                PolicyKind::Custom => "custom",
            };
            Verdict {
                accepted: true,
                verdict: "ACCEPT".into(),
                detail: format!("{kind} policy, {} signature, checked at {at}", accepted.hash_algorithm),
            }
        }
        Err(rejection) => {
            let code = rejection.cloudfront_code();
            Verdict {
                accepted: false,
                verdict: format!("REJECT: {rejection}"),
                detail: format!(
                    "CloudFront answers 403 {code} ({}): {}",
                    code.message(),
                    explain(rejection, request.ok(), at)
                ),
            }
        }
    })
}

fn explain(rejection: Rejection, request: Option<cdnsim_sign::SignedRequest<'_>>, at: i64) -> String {
    let credentials = request.as_ref().map(|r| r.credentials());
    let policy = credentials.as_ref().and_then(|c| c.as_ref().ok()).map(|c| &c.policy);
    match rejection {
        Rejection::MissingKey => "no Key-Pair-Id parameter or CloudFront-Key-Pair-Id cookie".into(),
        Rejection::UnknownKey => format!(
            "key id {:?} is not among the --public-key ids",
            request.as_ref().map_or("", |r| r.key_id())
        ),
        Rejection::UntrustedKey => "the key is known but not among the --trusted key ids".into(),
        Rejection::MissingParameter => "a Signature, and a Policy or Expires, are required".into(),
        Rejection::UnsupportedHashAlgorithm => "Hash-Algorithm must be SHA1 or SHA256".into(),
        Rejection::MalformedSignature => "the signature is not CloudFront base64 (alphabet A-Z a-z 0-9 - ~, padding _)".into(),
        Rejection::MalformedPolicy => match request.as_ref().and_then(|r| r.policy_text()) {
            Some(encoded) => match cdnsim_sign::decode_base64(encoded) {
                None => "the policy is not CloudFront base64".into(),
                Some(bytes) => Policy::from_json(&bytes).err().map_or_else(|| "Expires is not a Unix time".into(), |e| e.to_string()),
            },
            None => "Expires is not a Unix time in seconds".into(),
        },
        Rejection::BadSignature => "the signature does not match the policy and key (URL, policy or signature changed, or another key signed it)".into(),
        Rejection::ResourceMismatch => format!(
            "the URL does not match the policy's Resource {:?}",
            policy.and_then(|p| p.resource.as_deref()).unwrap_or("")
        ),
        Rejection::Expired => format!("at {at}, not before DateLessThan {}", policy.map_or(0, |p| p.date_less_than)),
        Rejection::NotYetValid => format!(
            "at {at}, not after DateGreaterThan {}",
            policy.and_then(|p| p.date_greater_than).unwrap_or(0)
        ),
        Rejection::IpMismatch => format!(
            "the client is outside {}",
            policy.and_then(|p| p.ip_address.as_ref()).map_or(String::new(), |r| r.to_string())
        ),
    }
}

fn load_trust(args: &VerifyOptions) -> anyhow::Result<(KeyRegistry, TrustedKeys)> {
    let mut registry = KeyRegistry::new();
    let mut trusted = TrustedKeys::new();
    for spec in &args.public_keys {
        let Some((id, path)) = spec.split_once('=').filter(|(id, path)| !id.is_empty() && !path.is_empty()) else {
            bail!("--public-key {spec:?}: expected ID=PATH, for example --public-key K2JCJMDEHXQW5F=public_key.pem");
        };
        let path = path.strip_prefix("file://").unwrap_or(path);
        let pem = read_key_file(path, "--public-key")?;
        let key = PublicKey::from_pem(&pem).with_context(|| format!("--public-key {id}={path}"))?;
        registry.insert(id, key);
        if args.trusted.is_empty() {
            trusted.insert(id);
        }
    }
    for id in &args.trusted {
        if registry.get(id).is_none() {
            bail!("--trusted {id}: no --public-key {id}=PATH was given for it");
        }
        trusted.insert(id.clone());
    }
    Ok((registry, trusted))
}

fn read_key_file(path: &str, flag: &str) -> anyhow::Result<String> {
    let bytes = std::fs::read(Path::new(path)).with_context(|| {
        format!("{flag}: cannot read {path} (fix: check the path; write file://PATH or a plain PATH)")
    })?;
    String::from_utf8(bytes).map_err(|_| anyhow!("{flag}: {path} is not a PEM text file (fix: convert a DER key with `openssl pkey -inform DER -in KEY -out key.pem`)"))
}

/// The PEM text of `--private-key`: `file://PATH` and `fileb://PATH` as in the AWS CLI, the PEM
/// itself, or (for convenience) a plain path.
fn private_key_text(value: &str) -> anyhow::Result<String> {
    if value.contains("-----BEGIN") {
        return Ok(value.to_string());
    }
    let path = value.strip_prefix("file://").or_else(|| value.strip_prefix("fileb://")).unwrap_or(value);
    read_key_file(path, "--private-key")
}

/// Everything `sign url` and `sign cookies` share, checked in the AWS CLI's order.
struct Prepared {
    key: SigningKey,
    hash: HashAlgorithm,
    date_less_than: i64,
    date_greater_than: Option<i64>,
    ip_address: Option<Ipv4Cidr>,
}

fn prepare(args: &SigningOptions) -> anyhow::Result<Prepared> {
    let date_less_than = parse_date(&args.date_less_than)
        .map_err(|e| anyhow!("invalid value for --date-less-than {:?}: {e}; {DATE_FORMATS}", args.date_less_than))?;
    let date_greater_than = match &args.date_greater_than {
        None => None,
        Some(text) => {
            let start = parse_date(text)
                .map_err(|e| anyhow!("invalid value for --date-greater-than {text:?}: {e}; {DATE_FORMATS}"))?;
            if start >= date_less_than {
                bail!(
                    "invalid date range: --date-greater-than (the active date) must be before --date-less-than (the expiration date)"
                );
            }
            Some(start)
        }
    };
    if args.key_pair_id.is_empty() || !args.key_pair_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        bail!(
            "invalid value for --key-pair-id {:?}: the CloudFront key id has only letters and digits, for example K2JCJMDEHXQW5F",
            args.key_pair_id
        );
    }
    let ip_address = match &args.ip_address {
        None => None,
        Some(text) if text.contains(':') => {
            bail!(
                "invalid value for --ip-address {text:?}: an IPv6 address; CloudFront only supports IPv4 addresses and ranges"
            )
        }
        Some(text) => Some(text.parse::<Ipv4Cidr>().map_err(|e| anyhow!("invalid value for --ip-address: {e}"))?),
    };
    let pem = private_key_text(&args.private_key)?;
    let key = SigningKey::from_pem(&pem).context("--private-key")?;
    let hash = match args.hash_algorithm.as_deref() {
        None => key.default_hash(),
        Some(name) => name.parse::<HashAlgorithm>().map_err(|e| anyhow!("--hash-algorithm: {e}"))?,
    };
    if key.algorithm() == KeyAlgorithm::EcdsaP256 && hash != HashAlgorithm::Sha256 {
        bail!(
            "the SHA1 hash algorithm cannot be used with ECDSA keys, which only support SHA256; remove --hash-algorithm or set it to SHA256"
        );
    }
    Ok(Prepared { key, hash, date_less_than, date_greater_than, ip_address })
}

impl Prepared {
    fn needs_custom(&self, resource: &str) -> bool {
        self.date_greater_than.is_some() || self.ip_address.is_some() || resource.contains('*')
    }

    fn custom(&self, resource: &str) -> SignPolicy {
        SignPolicy::Custom(Policy {
            resource: Some(resource.to_string()),
            date_less_than: self.date_less_than,
            date_greater_than: self.date_greater_than,
            ip_address: self.ip_address.clone(),
        })
    }
}

/// The AWS CLI's checks of a resource written into a policy: not empty; no `"`, `\` or control
/// characters; ASCII without spaces; no fragment; and, unless it has a `*`, an absolute http(s) URL
/// with a host.
fn validate_resource(resource: &str, flag: &str, allow_wildcards: bool) -> anyhow::Result<()> {
    let problem = if resource.is_empty() {
        "the resource must not be empty".to_string()
    } else if resource.chars().any(|c| c == '"' || c == '\\' || c.is_control()) {
        "the resource must not contain double quotes, backslashes, or control characters".to_string()
    } else if !resource.is_ascii() || resource.contains(' ') {
        "the resource must only contain ASCII characters without spaces; percent-encode other characters in the path and use the punycode (xn--) form of internationalized domain names".to_string()
    } else if resource.contains('#') {
        "the resource must not contain a URL fragment (\"#\"), which is never sent to CloudFront".to_string()
    } else if (allow_wildcards && resource.contains('*')) || is_http_url(resource) {
        return Ok(());
    } else {
        format!(
            "{resource:?} is not a valid URL; it must be an absolute http:// or https:// URL, for example https://d111111abcdef8.cloudfront.net/image.jpg"
        )
    };
    bail!("invalid value for --{flag}: {problem}")
}

fn is_http_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else { return false };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => (host, Some(port)),
        _ => (host_port, None),
    };
    !host.is_empty() && port.is_none_or(|p| p.is_empty() || p.parse::<u16>().is_ok())
}

/// Refuses a `--url` that `--policy-resource` does not match, as the AWS CLI does (its check reads
/// `*` and `?` anywhere), and also one that CloudFront's section-by-section matching would refuse.
fn check_url_matches(url: &str, pattern: &str) -> anyhow::Result<()> {
    if !cdnsim_sign::wildcard::matches(pattern, url) {
        bail!(
            "invalid value for --url: {url:?} does not match --policy-resource {pattern:?}, so CloudFront would reject the signature"
        );
    }
    if !cdnsim_sign::resource_matches(pattern, url) {
        bail!(
            "invalid value for --url: {url:?} does not match --policy-resource {pattern:?} section by section \
             (a wildcard matches only within the protocol, domain, path or query), so CloudFront would reject the signature"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_aws_cli_formats() {
        assert_eq!(parse_date("2030-01-01"), Ok(1_893_456_000));
        assert_eq!(parse_date("2030-01-01T00:00:00Z"), Ok(1_893_456_000));
        assert_eq!(parse_date("2029-12-31T20:00:00-05:00"), Ok(1_893_459_600));
        assert_eq!(parse_date("1970-01-01T00:00:00+0100"), Ok(-3600));
        assert_eq!(parse_date("20300101"), Ok(20_300_101));
        assert_eq!(parse_date("1893456000.9"), Ok(1_893_456_000));
        for bad in [
            "",
            "2030-13-01",
            "2030-02-30",
            "2030-01-01T25:00:00",
            "2030-1-1",
            "tomorrow",
            "2030-01-01T00:00:00+5",
            "1.2.3",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn http_urls() {
        assert!(is_http_url("https://d111111abcdef8.cloudfront.net/a.jpg"));
        assert!(is_http_url("http://example.com:8080"));
        assert!(!is_http_url("ftp://example.com/a"));
        assert!(!is_http_url("https:///a"));
        assert!(!is_http_url("https://example.com:99999/a"));
        assert!(!is_http_url("d111111abcdef8.cloudfront.net/a.jpg"));
    }

    #[test]
    fn loose_match_is_the_aws_cli_regex() {
        assert!(cdnsim_sign::wildcard::matches("https://d.net/img/*", "https://d.net/img/a/b.jpg?x=1"));
        assert!(cdnsim_sign::wildcard::matches("https://d.net/img/?.jpg", "https://d.net/img/a.jpg"));
        assert!(!cdnsim_sign::wildcard::matches("https://d.net/img/*", "https://d.net/video/a.jpg"));
    }
}
