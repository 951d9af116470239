//! Pieces of resource names as the AWS Load Balancer Controller makes them, shared by Ingress groups and
//! NLB Services: `k8s-` + truncated, alphanumeric-only parts + the first 10 hex digits of a sha256 over what
//! identifies the resource, so it and tgsync adopt each other's stacks.

use sha2::{Digest, Sha256};
use tgsync_actors::stack::Scheme;

/// The first 10 hex digits of sha256 over `parts`, concatenated.
pub fn hash10(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    h.finalize()
        .iter()
        .take(5)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `s` with everything but ASCII letters and digits removed, cut to `max` characters.
pub fn part(s: &str, max: usize) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(max)
        .collect()
}

/// The scheme as ELBv2 spells it.
pub fn scheme_str(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Internal => "internal",
        Scheme::InternetFacing => "internet-facing",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_over_the_concatenated_parts() {
        // sha256("abc") = ba7816bf8f01cfea...
        assert_eq!(hash10(&["a", "bc"]), "ba7816bf8f");
    }

    #[test]
    fn parts_keep_letters_and_digits_only() {
        assert_eq!(part("web.front_v2-x", 8), "webfront");
        assert_eq!(part("a-b", 8), "ab");
    }
}
