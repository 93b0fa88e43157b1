//! Signed traffic in the simulation: viewers present real signed URLs and
//! cookies, made by the real signer with real keys, and the edges check them
//! with the real verifier.
//!
//! Viewers come in sessions, as real applications sign: one credential per
//! session, a custom policy whose `Resource` is a wildcard over the class's
//! paths, so the number of distinct signatures is the number of sessions.
//! RSA signing costs milliseconds and verification tens of microseconds, so
//! with `memoize` each credential is signed, parsed, looked up and its
//! signature verified once (the expensive steps, which depend only on the
//! credential and the behavior's trusted keys), and each request runs only
//! the cheap checks of its own URL, time and address (`check_conditions`);
//! when the policy's `Resource` provably covers every path of the class, the
//! memo drops it and requests skip building and matching their URL.
//! Without `memoize` every request builds its full URL and cookie header and
//! goes through `verify_request` from scratch; a test checks that both give
//! the same outcomes.
//!
//! A class's path may carry its own query string (`/images/{id}.jpg?size=large`
//! or `/img?id={id}`): the signing parameters then follow it after `&`, and
//! the URL's path and query are split at its first `?` wherever they are
//! matched, as CloudFront compares the `Resource` with the URL less the
//! signing parameters (Developer Guide, "Creating a signed URL using a custom
//! policy").

use crate::rng::splitmix64;
use crate::scenario::{ClassSpec, Presented, Scenario};
use cdnsim_sign::{
    KeyRegistry, Policy, PolicyKind, Rejection, ResourcePattern, SignPolicy, SigningKey, TrustedKeys, UrlParts,
};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use rand_distr::weighted::WeightedAliasIndex;
use std::net::{IpAddr, Ipv4Addr};

/// A key id no registry holds.
const UNKNOWN_KEY_ID: &str = "KUNKNOWN0SIMULATED";
/// A key the registry knows but no key group holds.
const UNTRUSTED_KEY_ID: &str = "KUNTRUSTED0SIMULATED";
/// TEST-NET-1 (RFC 5737): viewers never have these addresses.
const FOREIGN_RANGE: &str = "192.0.2.0/24";
/// Sessions stay valid this long after simulated time zero.
const SESSION_LIFETIME_S: i64 = 365 * 86_400;

/// What the expensive steps decided: the decoded policy (with its `Resource`
/// compiled) to check each request against, or the rejection.
type Verdict = Result<(PolicyKind, Policy, Option<ResourcePattern>), Rejection>;

/// One session's credential, signed once.
struct Credential {
    /// The signing parameters (URL mode), appended to the path after `?`, or
    /// after `&` when the path has a query of its own; or the `Cookie` header.
    query: Option<String>,
    cookie: Option<String>,
    /// The memo: the outcome of the expensive steps, and the behavior it is for.
    verified: Option<(usize, Verdict)>,
}

/// The signing side of a run: keys, trust per behavior, sessions.
pub struct SignedTraffic {
    registry: KeyRegistry,
    /// Per behavior: the trusted key ids, or `None` when it needs no signing.
    trusted: Vec<Option<TrustedKeys>>,
    /// Per behavior: the key its valid credentials are signed with.
    signer: Vec<Option<(String, SigningKey)>>,
    untrusted_key: SigningKey,
    epoch_s: i64,
    memoize: bool,
    domain: String,
    /// Per class: the first session's index into `credentials`, sessions, and
    /// the kind each session presents.
    classes: Vec<ClassSessions>,
    credentials: Vec<Option<Credential>>,
    path: String,
    url: String,
    /// Signature checks of replayed log URLs, each distinct one done once.
    log_memo: cdnsim_sign::SignatureMemo,
}

struct ClassSessions {
    first: usize,
    sessions: u32,
    kinds: Vec<Presented>,
    prefix: String,
    /// The path of the class's object 0: what a single-file URL is signed for.
    first_file: String,
}

impl SignedTraffic {
    /// Sets up keys and sessions; `None` when no behavior requires signing.
    pub fn new(scenario: &Scenario, run_seed: u64) -> Option<SignedTraffic> {
        let behaviors = &scenario.distribution.behaviors;
        if !behaviors.iter().any(|b| b.requires_signing()) {
            return None;
        }
        let spec = &scenario.signing;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix64(run_seed ^ 0x5349_474e));
        let legacy = spec.legacy_key_pairs.iter().map(|l| &l.key);
        let all_keys: Vec<(&str, SigningKey)> = spec
            .keys
            .iter()
            .chain(legacy)
            .map(|k| (k.id.as_str(), k.private_key.clone().unwrap_or_else(|| generate_ecdsa(&mut rng))))
            .collect();
        let (keys, legacy_keys) = all_keys.split_at(spec.keys.len());
        let untrusted_key = generate_ecdsa(&mut rng);
        let mut registry = KeyRegistry::new();
        for (id, key) in &all_keys {
            registry.insert(*id, key.public_key());
        }
        // Active legacy key pairs: what `trusted_signers` trusts.
        let active: Vec<(String, SigningKey)> = spec
            .legacy_key_pairs
            .iter()
            .zip(legacy_keys)
            .filter(|(l, _)| l.active)
            .map(|(_, (id, key))| (id.to_string(), key.clone()))
            .collect();
        registry.insert(UNTRUSTED_KEY_ID, untrusted_key.public_key());
        let trusted = behaviors
            .iter()
            .map(|b| {
                b.requires_signing().then(|| {
                    let mut t = TrustedKeys::new();
                    for &g in &b.trusted_key_groups {
                        for &k in &spec.key_groups[g].keys {
                            t.insert(spec.keys[k].id.clone());
                        }
                    }
                    if b.trusted_signers {
                        active.iter().for_each(|(id, _)| t.insert(id.clone()));
                    }
                    t
                })
            })
            .collect();
        // Valid credentials are signed with the first key the behavior trusts.
        let signer = behaviors
            .iter()
            .map(|b| {
                let from_group = b.trusted_key_groups.first().and_then(|&g| spec.key_groups[g].keys.first());
                match from_group {
                    Some(&k) => Some((keys[k].0.to_string(), keys[k].1.clone())),
                    None if b.trusted_signers => active.first().cloned(),
                    None => None,
                }
            })
            .collect();
        let mut classes = Vec::new();
        let mut first = 0;
        for class in &scenario.traffic.classes {
            classes.push(class_sessions(class, first, &mut rng));
            first += classes.last().map_or(0, |c: &ClassSessions| c.sessions as usize);
        }
        Some(SignedTraffic {
            registry,
            trusted,
            signer,
            untrusted_key,
            epoch_s: spec.epoch_s,
            memoize: spec.memoize,
            domain: scenario.distribution.domain.clone(),
            classes,
            credentials: (0..first).map(|_| None).collect(),
            path: String::with_capacity(256),
            url: String::with_capacity(256),
            log_memo: cdnsim_sign::SignatureMemo::new(),
        })
    }

    /// Whether `behavior` requires signed URLs or cookies.
    pub fn restricts(&self, behavior: usize) -> bool {
        self.trusted[behavior].is_some()
    }

    /// The distribution's domain name, the host of its signed URLs.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// Checks a URL as a viewer sent it (from a replayed access log) for
    /// `behavior` at Unix second `now` from `ip`, with the real verifier; the
    /// signature check is memoized per distinct signed policy.
    pub fn check_url(&mut self, behavior: usize, url: &str, now: i64, ip: IpAddr) -> Result<(), Rejection> {
        let trusted = self.trusted[behavior].as_ref().expect("only restricted behaviors are checked");
        self.log_memo.verify_request(url, None, &self.registry, trusted, now, ip).map(|_| ())
    }

    /// The number of sessions of `class` (0 when its viewers sign nothing).
    pub fn sessions(&self, class: usize) -> u32 {
        self.classes[class].sessions
    }

    /// What session `session` of `class` presented, once an edge has checked
    /// it: its URL's signing parameters, or its `Cookie` header (for the
    /// access logs' cs-uri-query and cs(Cookie)).
    pub fn presented(&self, class: usize, session: u32) -> (Option<&str>, Option<&str>) {
        let sessions = &self.classes[class];
        if session >= sessions.sessions {
            return (None, None);
        }
        match &self.credentials[sessions.first + session as usize] {
            Some(credential) => (credential.query.as_deref(), credential.cookie.as_deref()),
            None => (None, None),
        }
    }

    /// Checks what session `session` of `class` presents for object `id` of
    /// the class (`spec`) under `behavior` at simulated second `now_s`, as
    /// CloudFront's edge would.
    pub fn check(
        &mut self,
        behavior: usize,
        (class, spec): (usize, &ClassSpec),
        id: u64,
        session: u32,
        now_s: i64,
    ) -> Result<(), Rejection> {
        let trusted = self.trusted[behavior].as_ref().expect("only restricted behaviors are checked");
        let sessions = &self.classes[class];
        if sessions.sessions == 0 {
            return Err(Rejection::MissingKey);
        }
        let slot = sessions.first + session as usize;
        let kind = sessions.kinds[session as usize];
        let now = self.epoch_s + now_s;
        let ip = client_ip(class, session);
        if self.credentials[slot].is_none() {
            let credential = self.sign(behavior, class, session, kind);
            self.credentials[slot] = Some(credential);
        }
        let credential = self.credentials[slot].as_mut().expect("just signed");
        let memo_hit = self.memoize && matches!(&credential.verified, Some((b, _)) if *b == behavior);
        // The path is built only when something reads it: most memo hits have
        // a policy that covers every path of the class, and need none.
        let needs_path = !memo_hit || matches!(&credential.verified, Some((_, Ok((_, _, Some(_))))));
        if needs_path {
            spec.path_of(id, &mut self.path);
        }
        let path = self.path.as_str();
        if !memo_hit {
            self.url.clear();
            self.url.push_str("https://");
            self.url.push_str(&self.domain);
            self.url.push_str(path);
        }
        if !self.memoize {
            if let Some(query) = &credential.query {
                push_signing_params(&mut self.url, query);
            }
            let outcome =
                cdnsim_sign::verify_request(&self.url, credential.cookie.as_deref(), &self.registry, trusted, now, ip);
            return outcome.map(|_| ());
        }
        if !memo_hit {
            let mut verdict = expensive_steps(&self.url, credential, &self.registry, trusted);
            // A `Resource` that covers every URL of the class needs no match
            // per request: dropping it leaves every outcome unchanged.
            let prefix = &self.classes[class].prefix;
            if let Ok((_, _, pattern)) = &mut verdict
                && pattern.as_ref().is_some_and(|p| p.covers_every_url_starting_with("https", &self.domain, prefix))
            {
                *pattern = None;
            }
            credential.verified = Some((behavior, verdict));
        }
        match &credential.verified {
            Some((_, Ok((kind, policy, pattern)))) => {
                // The request URL is https://{domain}{path}: its parts need no
                // parsing, only the path split from its own query, if any.
                let (path, query) = match path.split_once('?') {
                    Some((path, query)) => (path, Some(query)),
                    None => (path, None),
                };
                let url = UrlParts { scheme: "https", authority: &self.domain, path, query };
                cdnsim_sign::check_conditions(*kind, policy, pattern.as_ref(), &url, now, ip)
            }
            Some((_, Err(reason))) => Err(*reason),
            None => unreachable!("verified just above"),
        }
    }

    /// Makes the credential a session of `class` presents, with the real signer.
    /// Each session's policy ends a second after the previous session's, as
    /// if each had been signed at its own start: so the sessions' signatures
    /// are distinct, and their number is the scenario's `sessions`.
    fn sign(&self, behavior: usize, class: usize, session: u32, kind: Presented) -> Credential {
        let (key_id, key) = self.signer[behavior].clone().expect("a restricted behavior has a key");
        let one_file = format!("https://{}{}", self.domain, self.classes[class].first_file);
        let resource = match kind {
            Presented::SingleFileUrl => one_file.clone(),
            _ => format!("https://{}{}*", self.domain, self.classes[class].prefix),
        };
        let valid_until = self.epoch_s + SESSION_LIFETIME_S + session as i64;
        let mut policy = Policy::new(resource.clone(), valid_until);
        let (mut key_id, mut key) = (key_id, key);
        match kind {
            Presented::Expired => policy.date_less_than = self.epoch_s - 3600,
            Presented::NotYetValid => {
                policy.date_greater_than = Some(valid_until);
                policy.date_less_than = valid_until + SESSION_LIFETIME_S;
            }
            Presented::WrongIp => policy.ip_address = Some(FOREIGN_RANGE.parse().expect("a valid CIDR")),
            Presented::WrongKey => (key_id, key) = (UNTRUSTED_KEY_ID.to_string(), self.untrusted_key.clone()),
            Presented::UnknownKey => key_id = UNKNOWN_KEY_ID.to_string(),
            _ => {}
        }
        if kind == Presented::Nothing {
            return Credential { query: None, cookie: None, verified: None };
        }
        let hash = key.default_hash();
        let sign_policy = SignPolicy::Custom(policy);
        if kind == Presented::ValidCookie {
            let cookies = cdnsim_sign::sign_cookies(&resource, &sign_policy, &key_id, &key, hash)
                .expect("a wildcard policy over the distribution's own domain signs");
            return Credential { query: None, cookie: Some(cookies.cookie_header()), verified: None };
        }
        // Sign a URL of the class; keep only its signing parameters, which are
        // what a viewer appends to every URL the wildcard covers: they are
        // the same for every URL the policy covers, so sign them on one of
        // the class's own URLs. The signer puts them after the URL and one
        // separator, `?` or `&` (when the class's path has a query of its own).
        let base = one_file;
        let signed = cdnsim_sign::sign_url(&base, &sign_policy, &key_id, &key, hash).expect("the class's URL signs");
        let mut query = signed
            .strip_prefix(base.as_str())
            .and_then(|rest| rest.strip_prefix(['?', '&']))
            .map(str::to_string)
            .expect("a signed URL is the URL, a separator and the signing parameters");
        match kind {
            Presented::TamperedSignature => query = tamper_param(&query, "Signature"),
            Presented::TamperedPolicy => {
                let forged = Policy::new(format!("https://{}/*", self.domain), valid_until);
                let encoded = cdnsim_sign::encode_base64(forged.to_json().as_bytes());
                query = replace_param(&query, "Policy", &encoded);
            }
            _ => {}
        }
        Credential { query: Some(query), cookie: None, verified: None }
    }
}

/// Parse, key lookup, decoding and the signature check: everything that
/// depends only on the credential and the behavior's trusted keys.
fn expensive_steps(url: &str, credential: &Credential, registry: &KeyRegistry, trusted: &TrustedKeys) -> Verdict {
    let mut full;
    let url = match &credential.query {
        Some(query) => {
            full = url.to_string();
            push_signing_params(&mut full, query);
            full.as_str()
        }
        None => url,
    };
    let request = cdnsim_sign::parse_request(url, credential.cookie.as_deref())?;
    let key = cdnsim_sign::lookup_key(registry, trusted, request.key_id())?;
    let decoded = request.credentials()?;
    cdnsim_sign::verify_signature(key, decoded.memo_key())?;
    let pattern = decoded.policy.resource.as_deref().map(ResourcePattern::new);
    Ok((decoded.kind, decoded.policy, pattern))
}

fn class_sessions(class: &ClassSpec, first: usize, rng: &mut Xoshiro256PlusPlus) -> ClassSessions {
    let prefix = class.path_prefix_suffix().0.to_string();
    let mut first_file = String::new();
    class.path_of(0, &mut first_file);
    let Some(signed) = &class.signed else {
        return ClassSessions { first, sessions: 0, kinds: Vec::new(), prefix, first_file };
    };
    // Kinds added after the first ones join the draw only when a scenario uses
    // them, so that older scenarios keep their sessions (and results).
    let first_kinds = Presented::ALL.iter().position(|&k| k == Presented::SingleFileUrl).expect("a kind");
    let used = if signed.mix[first_kinds..].iter().all(|&w| w == 0.0) { first_kinds } else { signed.mix.len() };
    let by_share = WeightedAliasIndex::new(signed.mix[..used].to_vec()).expect("validated: a positive share");
    let kinds = (0..signed.sessions).map(|_| Presented::ALL[by_share.sample(rng)]).collect();
    ClassSessions { first, sessions: signed.sessions, kinds, prefix, first_file }
}

/// An ECDSA P-256 key from the run's seed: generating RSA keys takes seconds,
/// so RSA keys come from PEM files the scenario names.
fn generate_ecdsa(rng: &mut Xoshiro256PlusPlus) -> SigningKey {
    use rand::RngExt;
    loop {
        let bytes: [u8; 32] = rng.random();
        if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&bytes) {
            return SigningKey::from_ecdsa(key);
        }
    }
}

/// A viewer's address: one per session, from 100.64.0.0/10 (shared address
/// space), far from `FOREIGN_RANGE`.
pub fn client_ip(class: usize, session: u32) -> IpAddr {
    let n = (splitmix64(((class as u64) << 32) | session as u64) as u32) & 0x003f_ffff;
    IpAddr::V4(Ipv4Addr::from(0x6440_0000 | n))
}

/// Appends the signing parameters to a URL as the signer does: after `?`, or
/// after `&` when the URL already has a query string of its own.
fn push_signing_params(url: &mut String, params: &str) {
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str(params);
}

fn param_value<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

fn replace_param(query: &str, name: &str, value: &str) -> String {
    query
        .split('&')
        .map(|kv| if kv.starts_with(&format!("{name}=")) { format!("{name}={value}") } else { kv.to_string() })
        .collect::<Vec<_>>()
        .join("&")
}

/// Changes one character of a parameter to another of CloudFront's base64
/// alphabet, so it still decodes but no longer verifies.
fn tamper_param(query: &str, name: &str) -> String {
    let value = param_value(query, name).unwrap_or("");
    let mut bytes = value.as_bytes().to_vec();
    if let Some(b) = bytes.get_mut(4) {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    replace_param(query, name, std::str::from_utf8(&bytes).unwrap_or(value))
}
