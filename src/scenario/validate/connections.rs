//! `[connections]`, each origin's `keepalive_timeout` and each class's
//! `viewer_protocols` and `requests_per_connection`.

use std::collections::BTreeMap;

use super::fields::{Result, Validator};
use crate::scenario::raw::{RawClass, RawConnections};
use crate::scenario::spec::{ClassSpec, ConnectionsSpec};
use crate::scenario::vocabulary::{TlsVersion, ViewerHttpVersion};

/// A class's viewer connections when it says nothing: all HTTP/2 (CloudFront
/// distributions support HTTP/2 by default), one request per connection.
pub(super) const DEFAULT_VIEWER_PROTOCOLS: [f64; 3] = [0.0, 1.0, 0.0];
pub(super) const DEFAULT_REQUESTS_PER_CONNECTION: f64 = 1.0;

impl Validator<'_> {
    pub(super) fn connections(&self, raw: Option<&RawConnections>) -> Result<Option<ConnectionsSpec>> {
        let Some(raw) = raw else { return Ok(None) };
        let viewer_tls = match raw.viewer_tls.as_deref() {
            None => TlsVersion::Tls1_3,
            Some(text) => TlsVersion::parse(text).ok_or_else(|| {
                self.error(
                    "connections.viewer_tls",
                    format!("unknown TLS version {text:?}"),
                    format!("use one of: {}", TlsVersion::NAMES.join(", ")),
                )
            })?,
        };
        Ok(Some(ConnectionsSpec { viewer_tls }))
    }

    /// Fills in each class's viewer connection settings. They mean something
    /// only when connections are modelled: a class that sets them in a
    /// scenario without `[connections]` is an error, not a silent no-op.
    pub(super) fn class_connections(&self, raw: &[RawClass], modelled: bool, classes: &mut [ClassSpec]) -> Result<()> {
        for (i, (c, class)) in raw.iter().zip(classes.iter_mut()).enumerate() {
            let field = format!("traffic.classes[{i}]");
            if !modelled && (c.viewer_protocols.is_some() || c.requests_per_connection.is_some()) {
                let name = if c.viewer_protocols.is_some() { "viewer_protocols" } else { "requests_per_connection" };
                return Err(self.error(
                    &format!("{field}.{name}"),
                    "viewer connections are modelled only when the scenario has a [connections] table",
                    "add an empty [connections] table, or remove the setting",
                ));
            }
            class.viewer_protocols = match &c.viewer_protocols {
                None => DEFAULT_VIEWER_PROTOCOLS,
                Some(map) => self.viewer_protocols(&format!("{field}.viewer_protocols"), map)?,
            };
            class.requests_per_connection = match c.requests_per_connection {
                None => DEFAULT_REQUESTS_PER_CONNECTION,
                Some(n) if n >= 1.0 && n.is_finite() => n,
                Some(n) => {
                    return Err(self.error(
                        &format!("{field}.requests_per_connection"),
                        format!("{n} is below 1: a connection carries at least the request that opened it"),
                        "use a mean of 1 or more, e.g. 10",
                    ));
                }
            };
        }
        Ok(())
    }

    fn viewer_protocols(&self, field: &str, map: &BTreeMap<String, f64>) -> Result<[f64; 3]> {
        let mut shares = [0.0; 3];
        for (name, &share) in map {
            let version = ViewerHttpVersion::parse(name).ok_or_else(|| {
                self.error(
                    &format!("{field}.{name}"),
                    format!("unknown HTTP version {name:?}"),
                    format!("use keys from: {}", ViewerHttpVersion::NAMES.map(|n| format!("\"{n}\"")).join(", ")),
                )
            })?;
            if !(share >= 0.0 && share.is_finite()) {
                return Err(self.error(
                    &format!("{field}.{name}"),
                    format!("share {share} must be 0 or more"),
                    "use e.g. 0.6",
                ));
            }
            shares[version.index()] = share;
        }
        let sum: f64 = shares.iter().sum();
        if sum <= 0.0 {
            return Err(self.error(
                field,
                "all HTTP version shares are zero",
                "give at least one version a positive share, e.g. { \"http2\" = 0.7, \"http3\" = 0.3 }",
            ));
        }
        shares.iter_mut().for_each(|s| *s /= sum);
        Ok(shares)
    }
}
