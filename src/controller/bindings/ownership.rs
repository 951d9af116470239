//! Multi-cluster target groups hold other clusters' targets too: the targets a binding registered are kept in
//! a ConfigMap next to it, so after a restart tgsync touches only those (as the AWS Load Balancer Controller
//! does with its `aws-lbc-targets-<binding>` ConfigMaps).

use std::collections::BTreeSet;
use std::net::IpAddr;

use tgsync_actors::domain::{InstanceId, Target};

use tgsync_actors::fnv::fnv1a64;

/// The ConfigMap key holding the targets, one `id:port` per line, sorted.
pub const OWNED_KEY: &str = "targets";

const PREFIX: &str = "tgsync-targets-";
/// Object names are DNS subdomains of at most 253 characters.
const MAX_NAME: usize = 253;

/// The ConfigMap that records what binding `binding` registered.
pub fn configmap_name(binding: &str) -> String {
    let name = format!("{PREFIX}{binding}");
    if name.len() <= MAX_NAME {
        return name;
    }
    // Too long: keep a prefix and tell long names apart by a hash of the whole.
    let h = fnv1a64(binding.as_bytes());
    format!("{}-{h:016x}", &name[..MAX_NAME - 17])
}

/// The ConfigMap value for `targets`.
pub fn encode<'a>(targets: impl IntoIterator<Item = &'a Target>) -> String {
    let lines: BTreeSet<String> = targets.into_iter().map(Target::to_string).collect();
    lines.into_iter().collect::<Vec<_>>().join("\n")
}

/// The targets in a ConfigMap value, and the lines that are not targets (reported, never fatal).
pub fn decode(value: &str) -> (Vec<Target>, Vec<String>) {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for line in value.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match parse_target(line) {
            Some(t) => ok.push(t),
            None => bad.push(line.to_owned()),
        }
    }
    (ok, bad)
}

/// Reads a target as `Target`'s `Display` writes it: `10.0.0.1:80`, `[fd00::1]:80`, `i-0abc…:30080`.
pub fn parse_target(s: &str) -> Option<Target> {
    let (host, port) = s.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return Some(Target::ip(IpAddr::V6(v6.parse().ok()?), port));
    }
    if host.starts_with("i-") {
        return Some(Target::instance(host.parse::<InstanceId>().ok()?, port));
    }
    match host.parse().ok()? {
        ip @ IpAddr::V4(_) => Some(Target::ip(ip, port)),
        IpAddr::V6(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip_through_the_configmap_value() {
        let targets = vec![
            Target::ip("10.0.0.2".parse().unwrap(), 8080),
            Target::ip("fd00::1".parse().unwrap(), 80),
            Target::instance("i-0123456789abcdef0".parse().unwrap(), 30080),
            Target::ip("10.0.0.1".parse().unwrap(), 8080),
        ];
        let value = encode(&targets);
        assert!(value.starts_with("10.0.0.1:8080\n10.0.0.2:8080"), "{value}");
        let (mut back, bad) = decode(&value);
        back.sort();
        let mut want = targets.clone();
        want.sort();
        assert_eq!(back, want);
        assert!(bad.is_empty());
    }

    #[test]
    fn lines_that_are_not_targets_are_set_aside() {
        let (ok, bad) = decode("10.0.0.1:80\nnot a target\n10.0.0.1\nfd00::1:80\n");
        assert_eq!(ok, vec![Target::ip("10.0.0.1".parse().unwrap(), 80)]);
        assert_eq!(bad, vec!["not a target", "10.0.0.1", "fd00::1:80"]);
    }

    #[test]
    fn long_binding_names_still_give_valid_distinct_names() {
        let a = configmap_name(&"a".repeat(300));
        let b = configmap_name(&format!("{}b", "a".repeat(299)));
        assert!(a.len() <= MAX_NAME && b.len() <= MAX_NAME);
        assert_ne!(a, b);
        assert_eq!(configmap_name("web"), "tgsync-targets-web");
        // The name an earlier tgsync gave a long binding's ConfigMap: it must find it again.
        assert!(a.ends_with("-ee7717eba7a17e21"), "{a}");
    }
}
