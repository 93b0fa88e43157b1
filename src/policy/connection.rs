//! Connections: what a new one costs in round trips before the request can
//! be sent, and when an idle one may be reused.
//!
//! The round trips charged (full handshakes, no session resumption):
//! - TCP: one round trip (SYN, SYN-ACK; the request rides the ACK).
//! - TLS 1.2: two more (ClientHello..ServerHelloDone, Finished both ways).
//! - TLS 1.3: one more (the key share is in the ClientHello).
//! - QUIC (HTTP/3): one round trip for transport and TLS 1.3 together.
//!   0-RTT resumption is not modelled: a new HTTP/3 connection always costs
//!   its one round trip.
//!
//! CloudFront to the origin: `OriginSslProtocols` takes SSLv3, TLSv1,
//! TLSv1.1 or TLSv1.2 (DG "Supported protocols and ciphers between
//! CloudFront and the origin"; API `OriginSslProtocols`), so an HTTPS origin
//! leg is TLS 1.2 at best: TCP + TLS 1.2, three round trips. An idle
//! connection is reused while it has been idle less than the origin's
//! keep-alive timeout (DG "Values that you specify when you create or update
//! a distribution", Origin keep-alive timeout: default 5 s).
//!
//! Viewers to CloudFront: every security policy offers TLS 1.3 (DG
//! "Supported protocols and ciphers between viewers and CloudFront"), so a
//! modern viewer's HTTPS connection over HTTP/1.1 or HTTP/2 costs TCP + TLS
//! 1.3, two round trips (a scenario may say TLS 1.2 instead); HTTP/3 is
//! QUIC and always HTTPS (QUIC over UDP with TLS 1.3 inside), one round
//! trip. A plain-HTTP viewer speaks HTTP/1.1 (`negotiated`) and costs the
//! TCP round trip only.

use crate::scenario::{TlsVersion, ViewerHttpVersion};
use crate::time::{SimDuration, SimTime};

/// Round trips of a full TLS handshake before the request can be sent.
pub const fn tls_round_trips(version: TlsVersion) -> u8 {
    match version {
        TlsVersion::Tls1_2 => 2,
        TlsVersion::Tls1_3 => 1,
    }
}

/// The TCP handshake's round trip.
pub const TCP_ROUND_TRIPS: u8 = 1;

/// The TLS version of CloudFront's HTTPS connections to origins: the
/// highest `OriginSslProtocols` allows (see the module comment).
pub const ORIGIN_TLS: TlsVersion = TlsVersion::Tls1_2;

/// Round trips a new connection from CloudFront to an origin costs before
/// the request leaves: TCP, and TLS 1.2 over HTTPS.
pub const fn origin_handshake_round_trips(https: bool) -> u8 {
    if https { TCP_ROUND_TRIPS + tls_round_trips(ORIGIN_TLS) } else { TCP_ROUND_TRIPS }
}

/// The HTTP version a viewer's request actually goes over: HTTP/2 and
/// HTTP/3 need HTTPS ("For viewers and CloudFront to use HTTP/2, viewers must
/// support TLSv1.2 or later, and must support Server Name Indication"; HTTP/3
/// needs TLSv1.3: API `DistributionConfig`, `HttpVersion`), so a plain-HTTP
/// viewer speaks HTTP/1.1 whatever its class would speak over HTTPS.
pub const fn negotiated(version: ViewerHttpVersion, https: bool) -> ViewerHttpVersion {
    if https { version } else { ViewerHttpVersion::Http1_1 }
}

/// Round trips a new viewer connection costs before its first request is
/// sent: one for QUIC (HTTP/3), else TCP and, over HTTPS, TLS at
/// `viewer_tls`.
pub const fn viewer_handshake_round_trips(version: ViewerHttpVersion, https: bool, viewer_tls: TlsVersion) -> u8 {
    match negotiated(version, https) {
        ViewerHttpVersion::Http3 => 1,
        _ if https => TCP_ROUND_TRIPS + tls_round_trips(viewer_tls),
        _ => TCP_ROUND_TRIPS,
    }
}

/// Whether a connection idle since `idle_since` may carry a request at
/// `now`: it must be free already and idle for less than the keep-alive
/// timeout (CloudFront closes it when the timeout passes; one idle for
/// exactly the timeout is closed).
pub fn reusable(idle_since: SimTime, now: SimTime, keepalive: SimDuration) -> bool {
    idle_since <= now && now.saturating_since(idle_since) < keepalive
}

/// Whether a connection idle since `idle_since` has been closed by `now`.
pub fn expired(idle_since: SimTime, now: SimTime, keepalive: SimDuration) -> bool {
    idle_since <= now && now.saturating_since(idle_since) >= keepalive
}

#[cfg(test)]
mod tests {
    use super::*;
    use ViewerHttpVersion::*;

    #[test]
    fn origin_handshakes_are_tcp_plus_tls_1_2_over_https() {
        // An origin 40 ms away over HTTPS: 3 round trips = 120 ms.
        assert_eq!(origin_handshake_round_trips(true), 3);
        assert_eq!(origin_handshake_round_trips(false), 1);
    }

    #[test]
    fn viewer_handshakes_by_protocol() {
        let cases = [
            (Http1_1, true, TlsVersion::Tls1_3, 2),
            (Http2, true, TlsVersion::Tls1_3, 2),
            (Http2, true, TlsVersion::Tls1_2, 3),
            (Http3, true, TlsVersion::Tls1_2, 1),
            (Http3, true, TlsVersion::Tls1_3, 1),
            (Http1_1, false, TlsVersion::Tls1_3, 1),
            (Http2, false, TlsVersion::Tls1_2, 1),
            // HTTP/2 and HTTP/3 need HTTPS: a plain-HTTP viewer speaks HTTP/1.1.
            (Http3, false, TlsVersion::Tls1_3, 1),
        ];
        for (version, https, tls, rtts) in cases {
            assert_eq!(viewer_handshake_round_trips(version, https, tls), rtts, "{version:?} https={https} {tls:?}");
        }
        assert_eq!(negotiated(Http3, false), Http1_1);
        assert_eq!(negotiated(Http3, true), Http3);
        assert_eq!(negotiated(Http2, false), Http1_1);
        assert_eq!(negotiated(Http2, true), Http2);
    }

    #[test]
    fn reuse_within_the_keepalive_timeout_only() {
        let keepalive = SimDuration::from_secs(5);
        let idle = SimTime(10_000_000);
        assert!(reusable(idle, SimTime(10_000_000), keepalive));
        assert!(reusable(idle, SimTime(14_999_999), keepalive));
        assert!(!reusable(idle, SimTime(15_000_000), keepalive), "idle exactly the timeout: closed");
        assert!(expired(idle, SimTime(15_000_000), keepalive));
        // Not free yet: its response is still on its way back.
        assert!(!reusable(idle, SimTime(9_000_000), keepalive));
        assert!(!expired(idle, SimTime(9_000_000), keepalive));
    }
}
