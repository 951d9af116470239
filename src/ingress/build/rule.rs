//! A rule's conditions: host-header (the rule's host plus annotation values), path-pattern (the path's
//! patterns plus annotation values), the other annotation conditions, and `/*` when nothing else.

use tgsync_actors::stack::Condition;

/// The conditions of the rule for one path, sorted by field.
pub fn conditions(
    host: Option<&str>,
    patterns: Vec<String>,
    extra: &[Condition],
) -> Vec<Condition> {
    let mut hosts: Vec<String> = host
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .into_iter()
        .collect();
    let mut paths = patterns;
    let mut out = Vec::new();
    for c in extra {
        match c {
            Condition::HostHeader(v) => hosts.extend(v.iter().cloned()),
            Condition::PathPattern(v) => paths.extend(v.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    if !hosts.is_empty() {
        out.push(Condition::HostHeader(hosts));
    }
    if !paths.is_empty() {
        out.push(Condition::PathPattern(paths));
    }
    if out.is_empty() {
        out.push(Condition::PathPattern(vec!["/*".to_owned()]));
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn host_and_path_with_annotation_values_merged_in() {
        let extra = [
            Condition::SourceIp(s(&["10.0.0.0/8"])),
            Condition::HostHeader(s(&["b.example.com"])),
            Condition::PathPattern(s(&["/extra"])),
        ];
        let c = conditions(Some("a.example.com"), s(&["/x", "/x/*"]), &extra);
        assert_eq!(
            c,
            [
                Condition::HostHeader(s(&["a.example.com", "b.example.com"])),
                Condition::PathPattern(s(&["/x", "/x/*", "/extra"])),
                Condition::SourceIp(s(&["10.0.0.0/8"])),
            ]
        );
    }

    #[test]
    fn nothing_at_all_matches_everything() {
        assert_eq!(
            conditions(None, vec![], &[]),
            [Condition::PathPattern(s(&["/*"]))]
        );
        assert_eq!(
            conditions(Some("a"), vec![], &[]),
            [Condition::HostHeader(s(&["a"]))]
        );
    }
}
