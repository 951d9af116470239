//! An Ingress rule's paths in rule order (Exact in spec order, then Prefix longest first, then
//! ImplementationSpecific) and the path patterns each becomes.

use k8s_openapi::api::networking::v1::HTTPIngressPath;

use super::error::MemberError;

/// The three pathTypes, in the order their rules come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathType {
    /// The path exactly.
    Exact,
    /// The path and everything under it.
    Prefix,
    /// The path as an ELBv2 pattern.
    ImplementationSpecific,
}

impl PathType {
    fn of(p: &HTTPIngressPath) -> Result<Self, MemberError> {
        match p.path_type.as_str() {
            "Exact" => Ok(PathType::Exact),
            "Prefix" => Ok(PathType::Prefix),
            "ImplementationSpecific" => Ok(PathType::ImplementationSpecific),
            other => Err(MemberError::PathType {
                path: p.path.clone().unwrap_or_default(),
                path_type: other.to_owned(),
            }),
        }
    }
}

/// `paths` in rule order, each with its type.
pub fn sorted(paths: &[HTTPIngressPath]) -> Result<Vec<(PathType, &HTTPIngressPath)>, MemberError> {
    let mut typed = paths
        .iter()
        .map(|p| Ok((PathType::of(p)?, p)))
        .collect::<Result<Vec<_>, MemberError>>()?;
    let len = |p: &HTTPIngressPath| p.path.as_deref().map_or(0, str::len);
    // Stable: Exact and ImplementationSpecific keep spec order, as do Prefix paths of equal length.
    typed.sort_by(|(ta, a), (tb, b)| {
        ta.cmp(tb).then_with(|| match ta {
            PathType::Prefix => len(b).cmp(&len(a)),
            _ => std::cmp::Ordering::Equal,
        })
    });
    Ok(typed)
}

/// The path-pattern values of one path (empty when it has none).
pub fn patterns(kind: PathType, path: Option<&str>) -> Result<Vec<String>, MemberError> {
    let path = path.unwrap_or_default();
    if path.is_empty() {
        return Ok(Vec::new());
    }
    if kind != PathType::ImplementationSpecific && path.contains(['*', '?']) {
        return Err(MemberError::Wildcard(path.to_owned()));
    }
    Ok(match kind {
        PathType::Exact | PathType::ImplementationSpecific => vec![path.to_owned()],
        PathType::Prefix if path == "/" => vec!["/*".to_owned()],
        PathType::Prefix => {
            let base = path.strip_suffix('/').unwrap_or(path);
            vec![base.to_owned(), format!("{base}/*")]
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn path(p: &str, t: &str) -> HTTPIngressPath {
        serde_json::from_value(json!({"path": p, "pathType": t,
            "backend": {"service": {"name": "s", "port": {"number": 80}}}}))
        .unwrap()
    }

    #[test]
    fn exact_then_prefix_longest_first_then_implementation_specific() {
        let paths = [
            path("/a", "Prefix"),
            path("/impl/*", "ImplementationSpecific"),
            path("/exact/2", "Exact"),
            path("/longer", "Prefix"),
            path("/b", "Prefix"),
            path("/exact/1", "Exact"),
            path("/", "ImplementationSpecific"),
        ];
        let order: Vec<_> = sorted(&paths)
            .unwrap()
            .into_iter()
            .map(|(_, p)| p.path.clone().unwrap())
            .collect();
        assert_eq!(
            order,
            ["/exact/2", "/exact/1", "/longer", "/a", "/b", "/impl/*", "/"]
        );
        assert!(sorted(&[path("/x", "Regex")]).is_err());
    }

    #[test]
    fn patterns_follow_the_path_type() {
        let p = |k, s| patterns(k, Some(s)).unwrap();
        assert_eq!(p(PathType::Prefix, "/"), ["/*"]);
        assert_eq!(p(PathType::Prefix, "/x/"), ["/x", "/x/*"]);
        assert_eq!(p(PathType::Prefix, "/x"), ["/x", "/x/*"]);
        assert_eq!(p(PathType::Exact, "/x/"), ["/x/"]);
        assert_eq!(
            p(PathType::ImplementationSpecific, "/x/*.png"),
            ["/x/*.png"]
        );
        assert!(patterns(PathType::Prefix, None).unwrap().is_empty());
        for (k, bad) in [(PathType::Exact, "/a*"), (PathType::Prefix, "/a?b")] {
            assert_eq!(
                patterns(k, Some(bad)),
                Err(MemberError::Wildcard(bad.into()))
            );
        }
    }
}
