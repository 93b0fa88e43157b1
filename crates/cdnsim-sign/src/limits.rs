//! CloudFront's limits on trusted signers, as plain checks for a scenario validator.
//!
//! Sources: Developer Guide, "Quotas" (key groups and public keys) and "Specify signers that can
//! create signed URLs and signed cookies" (legacy key pairs); reference §3 and §10. The key-group
//! quotas are adjustable through AWS support, so the checks take the limit as an argument; the
//! constants are the defaults. The legacy key-pair limit is fixed.

/// Key groups one cache behavior can trust (adjustable). The guide's signer page says "with a
/// single distribution" while the quotas page says per cache behavior (reference §3, marked as a conflict);
/// the quotas page is followed.
pub const MAX_KEY_GROUPS_PER_BEHAVIOR: usize = 4;

/// Public keys in one key group (adjustable).
pub const MAX_PUBLIC_KEYS_PER_KEY_GROUP: usize = 5;

/// Active legacy CloudFront key pairs per AWS account (not adjustable).
pub const MAX_ACTIVE_LEGACY_KEY_PAIRS: usize = 2;

/// A configuration CloudFront would refuse. It displays as its problem and
/// its fix; a caller that words errors its own way takes the two apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitError {
    /// A cache behavior trusts more key groups than the quota.
    TooManyKeyGroups {
        /// The behavior, as the caller names it.
        behavior: String,
        /// Key groups it trusts.
        count: usize,
        /// The quota checked against.
        limit: usize,
    },
    /// A key group holds more public keys than the quota.
    TooManyPublicKeys {
        /// The key group, as the caller names it.
        key_group: String,
        /// Public keys in it.
        count: usize,
        /// The quota checked against.
        limit: usize,
    },
    /// More active legacy key pairs than an account may have.
    TooManyLegacyKeyPairs {
        /// Active key pairs.
        count: usize,
    },
}

impl LimitError {
    /// What is wrong, without the fix.
    pub fn problem(&self) -> String {
        match self {
            LimitError::TooManyKeyGroups { behavior, count, limit } => format!(
                "cache behavior `{behavior}` trusts {count} key groups; CloudFront allows {limit} per cache behavior"
            ),
            LimitError::TooManyPublicKeys { key_group, count, limit } => {
                format!("key group `{key_group}` has {count} public keys; CloudFront allows {limit} per key group")
            }
            LimitError::TooManyLegacyKeyPairs { count } => format!(
                "{count} active legacy CloudFront key pairs; an AWS account can have at most \
                 {MAX_ACTIVE_LEGACY_KEY_PAIRS}, and only the root user can create them"
            ),
        }
    }

    /// How to fix it.
    pub fn fix(&self) -> &'static str {
        match self {
            LimitError::TooManyKeyGroups { .. } => {
                "put the public keys into fewer key groups, or raise the quota with AWS"
            }
            LimitError::TooManyPublicKeys { .. } => "split it into several key groups, or raise the quota with AWS",
            LimitError::TooManyLegacyKeyPairs { .. } => {
                "use trusted key groups instead, which IAM users can manage and which CloudFront recommends"
            }
        }
    }
}

impl std::fmt::Display for LimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (fix: {})", self.problem(), self.fix())
    }
}

impl std::error::Error for LimitError {}

/// Checks the number of key groups a cache behavior trusts against `limit` (default
/// [`MAX_KEY_GROUPS_PER_BEHAVIOR`]).
pub fn check_key_groups_per_behavior(behavior: &str, count: usize, limit: usize) -> Result<(), LimitError> {
    if count <= limit {
        Ok(())
    } else {
        Err(LimitError::TooManyKeyGroups { behavior: behavior.to_string(), count, limit })
    }
}

/// Checks the number of public keys in a key group against `limit` (default
/// [`MAX_PUBLIC_KEYS_PER_KEY_GROUP`]).
pub fn check_public_keys_per_key_group(key_group: &str, count: usize, limit: usize) -> Result<(), LimitError> {
    if count <= limit {
        Ok(())
    } else {
        Err(LimitError::TooManyPublicKeys { key_group: key_group.to_string(), count, limit })
    }
}

/// Checks the number of active legacy root-account key pairs (at most 2, fixed). Only the
/// account's root user can create these, in the console; IAM users cannot, so they cannot be
/// trusted signers that way (Developer Guide, signer page).
pub fn check_active_legacy_key_pairs(count: usize) -> Result<(), LimitError> {
    if count <= MAX_ACTIVE_LEGACY_KEY_PAIRS { Ok(()) } else { Err(LimitError::TooManyLegacyKeyPairs { count }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_at_and_over_the_default() {
        assert!(check_key_groups_per_behavior("/premium/*", 4, MAX_KEY_GROUPS_PER_BEHAVIOR).is_ok());
        let error = check_key_groups_per_behavior("/premium/*", 5, MAX_KEY_GROUPS_PER_BEHAVIOR).unwrap_err();
        assert!(error.to_string().contains("`/premium/*` trusts 5 key groups"), "{error}");
        assert!(check_key_groups_per_behavior("/premium/*", 5, 6).is_ok());
        assert!(check_public_keys_per_key_group("g", 5, MAX_PUBLIC_KEYS_PER_KEY_GROUP).is_ok());
        assert_eq!(
            check_public_keys_per_key_group("g", 6, MAX_PUBLIC_KEYS_PER_KEY_GROUP),
            Err(LimitError::TooManyPublicKeys { key_group: "g".into(), count: 6, limit: 5 })
        );
        assert!(check_active_legacy_key_pairs(2).is_ok());
        let error = check_active_legacy_key_pairs(3).unwrap_err();
        assert!(error.to_string().contains("root user"), "{error}");
    }

    #[test]
    fn the_fix_is_said_once() {
        for error in [
            check_key_groups_per_behavior("/p/*", 5, MAX_KEY_GROUPS_PER_BEHAVIOR).unwrap_err(),
            check_public_keys_per_key_group("g", 6, MAX_PUBLIC_KEYS_PER_KEY_GROUP).unwrap_err(),
            check_active_legacy_key_pairs(3).unwrap_err(),
        ] {
            let text = error.to_string();
            assert_eq!(text.matches("fix:").count(), 1, "{text}");
            assert!(!error.problem().contains("fix"), "{}", error.problem());
            assert_eq!(text, format!("{} (fix: {})", error.problem(), error.fix()));
        }
    }
}
