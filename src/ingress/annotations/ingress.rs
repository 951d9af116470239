//! Every group-, listener- and rule-level annotation of one Ingress, parsed at once so a bad value holds
//! the member back before it touches the group. Target-group annotations are read per backend
//! ([`super::BackendAnnotations`]) because its Service's annotations win over them.

use std::collections::BTreeMap;

use tgsync_actors::stack::Condition;

use super::actions::{self, AnnotationAction};
use super::conditions;
use super::error::AnnotationError;
use super::listener::ListenerAnnotations;
use super::load_balancer::LoadBalancerAnnotations;
use super::values::{self, Annotations};

/// An Ingress's parsed annotations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngressAnnotations {
    /// Load-balancer level.
    pub load_balancer: LoadBalancerAnnotations,
    /// Listener level.
    pub listener: ListenerAnnotations,
    /// `actions.<name>` by name.
    pub actions: BTreeMap<String, AnnotationAction>,
    /// `conditions.<name>` by name.
    pub conditions: BTreeMap<String, Vec<Condition>>,
}

impl IngressAnnotations {
    /// Parses an Ingress's `metadata.annotations`; the first bad value is the error.
    pub fn parse(map: Option<&BTreeMap<String, String>>) -> Result<Self, AnnotationError> {
        let a = Annotations::new(map);
        let mut actions = BTreeMap::new();
        for (name, raw) in a.family("actions.") {
            let action =
                actions::parse(raw).map_err(|p| values::error(&format!("actions.{name}"), p))?;
            actions.insert(name.to_owned(), action);
        }
        let mut conditions = BTreeMap::new();
        for (name, raw) in a.family("conditions.") {
            let parsed = conditions::parse(raw)
                .map_err(|p| values::error(&format!("conditions.{name}"), p))?;
            conditions.insert(name.to_owned(), parsed);
        }
        Ok(Self {
            load_balancer: LoadBalancerAnnotations::parse(&a)?,
            listener: ListenerAnnotations::parse(&a)?,
            actions,
            conditions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::values::PREFIX;
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (format!("{PREFIX}{k}"), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reads_actions_and_conditions_by_name() {
        let m = map(&[
            (
                "actions.blue",
                r#"{"type":"fixed-response","fixedResponseConfig":{"statusCode":"200"}}"#,
            ),
            (
                "conditions.blue",
                r#"[{"field":"source-ip","sourceIpConfig":{"values":["10.0.0.0/8"]}}]"#,
            ),
            ("scheme", "internet-facing"),
        ]);
        let a = IngressAnnotations::parse(Some(&m)).unwrap();
        assert!(a.actions.contains_key("blue"));
        assert_eq!(a.conditions["blue"].len(), 1);
        assert!(a.load_balancer.scheme.is_some());
    }

    #[test]
    fn a_bad_action_or_condition_names_its_annotation() {
        let m = map(&[("actions.blue", r#"{"type":"nope"}"#)]);
        let err = IngressAnnotations::parse(Some(&m)).unwrap_err();
        assert_eq!(err.annotation, format!("{PREFIX}actions.blue"));
        let m = map(&[("conditions.x", "[1]")]);
        let err = IngressAnnotations::parse(Some(&m)).unwrap_err();
        assert_eq!(err.annotation, format!("{PREFIX}conditions.x"));
        assert!(IngressAnnotations::parse(None).is_ok());
    }
}
