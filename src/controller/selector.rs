use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// Whether `labels` match `selector` (matchLabels and matchExpressions, ANDed). An absent or empty
/// selector matches everything; an unknown operator matches nothing.
pub fn matches(selector: Option<&LabelSelector>, labels: &BTreeMap<String, String>) -> bool {
    let Some(sel) = selector else {
        return true;
    };
    let labels_ok = sel
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let exprs_ok = sel.match_expressions.iter().flatten().all(|e| {
        let values = e.values.as_deref().unwrap_or_default();
        let value = labels.get(&e.key);
        match e.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    labels_ok && exprs_ok
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[test]
    fn no_selector_matches_all() {
        assert!(matches(None, &labels(&[])));
        assert!(matches(
            Some(&LabelSelector::default()),
            &labels(&[("a", "b")])
        ));
    }

    #[test]
    fn match_labels_and_expressions() {
        let sel = LabelSelector {
            match_labels: Some(labels(&[("pool", "web")])),
            match_expressions: Some(vec![
                expr("zone", "In", &["a", "b"]),
                expr("spot", "DoesNotExist", &[]),
                expr("tier", "NotIn", &["db"]),
            ]),
        };
        assert!(matches(
            Some(&sel),
            &labels(&[("pool", "web"), ("zone", "a")])
        ));
        assert!(!matches(
            Some(&sel),
            &labels(&[("pool", "web"), ("zone", "c")])
        ));
        assert!(!matches(
            Some(&sel),
            &labels(&[("pool", "web"), ("zone", "a"), ("spot", "")])
        ));
        assert!(!matches(
            Some(&sel),
            &labels(&[("pool", "web"), ("zone", "a"), ("tier", "db")])
        ));
        assert!(!matches(Some(&sel), &labels(&[("zone", "a")])));
        let bad = LabelSelector {
            match_expressions: Some(vec![expr("x", "Bogus", &[])]),
            ..Default::default()
        };
        assert!(!matches(Some(&bad), &labels(&[("x", "y")])));
    }
}
