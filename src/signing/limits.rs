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

/// A configuration CloudFront would refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error(
        "cache behavior `{behavior}` trusts {count} key groups; CloudFront allows {limit} per cache \
         behavior (fix: put the public keys into fewer key groups, or raise the quota with AWS)"
    )]
    TooManyKeyGroups { behavior: String, count: usize, limit: usize },
    #[error(
        "key group `{key_group}` has {count} public keys; CloudFront allows {limit} per key group \
         (fix: split it into several key groups, or raise the quota with AWS)"
    )]
    TooManyPublicKeys { key_group: String, count: usize, limit: usize },
    #[error(
        "{count} active legacy CloudFront key pairs; an AWS account can have at most 2, and only \
         the root user can create them (fix: use trusted key groups instead, which IAM users can \
         manage and which CloudFront recommends)"
    )]
    TooManyLegacyKeyPairs { count: usize },
}

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
}
