//! `[signing]`: the simulated epoch, keys (read from PEM files when named),
//! legacy key pairs and key groups, within CloudFront's quotas.

use super::fields::{Result, Validator, names};
use crate::scenario::raw::*;
use crate::scenario::spec::*;
use std::path::Path;
use toml::Value;

impl Validator<'_> {
    pub(super) fn signing(&self, raw: Option<&RawSigning>) -> Result<SigningSpec> {
        // Simulated time zero is 2030-01-01T00:00:00Z unless the scenario says
        // otherwise: a fixed instant keeps runs reproducible.
        let mut spec = SigningSpec {
            epoch_s: 1_893_456_000,
            memoize: true,
            keys: Vec::new(),
            key_groups: Vec::new(),
            legacy_key_pairs: Vec::new(),
        };
        let Some(raw) = raw else { return Ok(spec) };
        if let Some(epoch) = &raw.epoch {
            spec.epoch_s = self.epoch(epoch)?;
        }
        spec.memoize = raw.memoize.unwrap_or(true);
        let dir = self.file.parent().unwrap_or(Path::new("."));
        spec.keys = self.keys(&raw.keys, dir)?;
        spec.legacy_key_pairs = self.legacy_key_pairs(&raw.legacy_key_pairs, &spec.keys, dir)?;
        let active = spec.legacy_key_pairs.iter().filter(|k| k.active).count();
        cdnsim_sign::check_active_legacy_key_pairs(active).map_err(|e| {
            self.error(
                "signing.legacy_key_pairs",
                e.problem(),
                "deactivate one (active = false); CloudFront allows two active key pairs per account, and only the \
                 root user can create them, so prefer key groups, which IAM users can manage",
            )
        })?;
        spec.key_groups = self.key_groups(&raw.key_groups, &spec.keys)?;
        // CloudFront's default quota: 10 key groups per account (reference §3).
        if spec.key_groups.len() > 10 {
            return Err(self.error(
                "signing.key_groups",
                format!("{} key groups exceed CloudFront's quota of 10 per account", spec.key_groups.len()),
                "use at most 10 (AWS can raise the quota)",
            ));
        }
        Ok(spec)
    }

    /// `signing.epoch`: the wall-clock instant of simulated time zero, in
    /// Unix seconds, from a date or a number of seconds.
    fn epoch(&self, epoch: &Value) -> Result<i64> {
        let date_fix = "write e.g. \"2030-01-01T00:00:00Z\" or Unix seconds";
        Ok(match epoch {
            Value::Integer(n) => *n,
            Value::String(s) => crate::units::parse_date(s).map_err(|e| self.error("signing.epoch", e, date_fix))?,
            Value::Datetime(d) => {
                crate::units::parse_date(&d.to_string()).map_err(|e| self.error("signing.epoch", e, date_fix))?
            }
            other => {
                return Err(self.error(
                    "signing.epoch",
                    format!("expected a date, found {}", other.type_str()),
                    date_fix,
                ));
            }
        })
    }

    /// `[[signing.keys]]`: unique alphanumeric ids, each with a private key
    /// read from a PEM file or, without one, made from the seed at run time.
    fn keys(&self, raw: &[RawKey], dir: &Path) -> Result<Vec<KeySpec>> {
        let mut keys: Vec<KeySpec> = Vec::new();
        for (i, k) in raw.iter().enumerate() {
            let field = format!("signing.keys[{i}]");
            if k.id.is_empty() || !k.id.chars().all(|c| c.is_ascii_alphanumeric()) || keys.iter().any(|x| x.id == k.id)
            {
                return Err(self.error(
                    &format!("{field}.id"),
                    format!("key id {:?} is empty, not alphanumeric, or used twice", k.id),
                    "use a unique id such as \"K2JCJMDEHXQW5F\"",
                ));
            }
            let private_key = k.private_key.as_deref().map(|p| self.private_key(&field, dir, p)).transpose()?;
            keys.push(KeySpec { id: k.id.clone(), private_key });
        }
        Ok(keys)
    }

    /// `[[signing.legacy_key_pairs]]`: ids unique among themselves and the
    /// keys (`keys`), since a signed URL names its key by id alone.
    fn legacy_key_pairs(
        &self,
        raw: &[RawLegacyKeyPair],
        keys: &[KeySpec],
        dir: &Path,
    ) -> Result<Vec<LegacyKeyPairSpec>> {
        let mut pairs: Vec<LegacyKeyPairSpec> = Vec::new();
        for (i, k) in raw.iter().enumerate() {
            let field = format!("signing.legacy_key_pairs[{i}]");
            let taken = keys.iter().chain(pairs.iter().map(|l| &l.key)).any(|x| x.id == k.id);
            if k.id.is_empty() || !k.id.chars().all(|c| c.is_ascii_alphanumeric()) || taken {
                return Err(self.error(
                    &format!("{field}.id"),
                    format!("key pair id {:?} is empty, not alphanumeric, or used twice", k.id),
                    "use a unique id such as \"APKAJ6RV6ACUX5M5IAOQ\"",
                ));
            }
            let private_key = k.private_key.as_deref().map(|p| self.private_key(&field, dir, p)).transpose()?;
            let active = k.active.unwrap_or(true);
            pairs.push(LegacyKeyPairSpec { key: KeySpec { id: k.id.clone(), private_key }, active });
        }
        Ok(pairs)
    }

    /// `[[signing.key_groups]]`: unique names, each listing one to
    /// CloudFront's maximum of public keys, named by their ids in `keys`.
    fn key_groups(&self, raw: &[RawKeyGroup], keys: &[KeySpec]) -> Result<Vec<KeyGroupSpec>> {
        let mut groups: Vec<KeyGroupSpec> = Vec::new();
        for (i, g) in raw.iter().enumerate() {
            let field = format!("signing.key_groups[{i}]");
            if g.name.is_empty() || groups.iter().any(|x| x.name == g.name) {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("key group name {:?} is empty or used twice", g.name),
                    "give each key group a unique name",
                ));
            }
            if g.keys.is_empty() {
                return Err(self.error(
                    &format!("{field}.keys"),
                    "a key group needs at least one public key",
                    "list key ids from [[signing.keys]]",
                ));
            }
            cdnsim_sign::check_public_keys_per_key_group(
                &g.name,
                g.keys.len(),
                cdnsim_sign::MAX_PUBLIC_KEYS_PER_KEY_GROUP,
            )
            .map_err(|e| self.error(&format!("{field}.keys"), e.problem(), e.fix()))?;
            let mut members = Vec::new();
            for (k, id) in g.keys.iter().enumerate() {
                let index = keys.iter().position(|x| &x.id == id).ok_or_else(|| {
                    self.error(
                        &format!("{field}.keys[{k}]"),
                        format!("no key has id {id:?}"),
                        format!("use one of: {}", names(keys.iter().map(|x| x.id.as_str()))),
                    )
                })?;
                members.push(index);
            }
            groups.push(KeyGroupSpec { name: g.name.clone(), keys: members });
        }
        Ok(groups)
    }

    /// Reads a private key named by `field`, relative to the scenario's folder.
    fn private_key(&self, field: &str, dir: &Path, path: &str) -> Result<cdnsim_sign::SigningKey> {
        let full = dir.join(path);
        let field = format!("{field}.private_key");
        let pem = std::fs::read_to_string(&full).map_err(|e| {
            self.error(
                &field,
                format!("cannot read {}: {e}", full.display()),
                "give a PEM file path relative to the scenario file",
            )
        })?;
        cdnsim_sign::SigningKey::from_pem(&pem).map_err(|e| {
            self.error(&field, format!("{}: {e}", full.display()), "use an RSA 2048 or ECDSA P-256 private key in PEM")
        })
    }
}
