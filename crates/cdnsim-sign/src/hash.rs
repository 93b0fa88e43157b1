//! The digest a signature covers: SHA1 or SHA256. A leaf, shared by the keys (which sign and
//! verify with it) and the URL and cookie formats (which name it in `Hash-Algorithm`).

use std::fmt;
use std::str::FromStr;

/// The digest signed over the policy bytes. CloudFront's default, when the URL has no
/// `Hash-Algorithm` parameter and the request no `CloudFront-Hash-Algorithm` cookie, is SHA1
/// (reference §1.2, §1.7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// SHA-1, CloudFront's default; RSA keys only (the AWS CLI never signs ECDSA with it).
    #[default]
    Sha1,
    /// SHA-256, named in the request as `Hash-Algorithm=SHA256`.
    Sha256,
}

impl HashAlgorithm {
    /// The value CloudFront uses in `Hash-Algorithm=` and `CloudFront-Hash-Algorithm=`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA1",
            HashAlgorithm::Sha256 => "SHA256",
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HashAlgorithm {
    type Err = String;

    /// Exactly `SHA1` or `SHA256`, the two values CloudFront documents.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "SHA1" => Ok(HashAlgorithm::Sha1),
            "SHA256" => Ok(HashAlgorithm::Sha256),
            other => Err(format!("unknown hash algorithm `{other}` (expected SHA1 or SHA256)")),
        }
    }
}
