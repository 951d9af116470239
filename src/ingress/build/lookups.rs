//! The names an Ingress group's annotations use where AWS wants ids (`targetGroupName` in `actions.*`,
//! subnets and security groups by their `Name` tag): the builder does no IO, so its caller finds them
//! ([`wanted`]), looks them up, and hands the answers in as [`Lookups`].

use k8s_openapi::api::networking::v1::Ingress;

use crate::ingress::annotations::{AnnotationAction, ForwardTo, IngressAnnotations};
use crate::lookups::is_id;
pub use crate::lookups::{Lookups, Wanted};

/// The names `members` use, each kind sorted (the values of [`Lookups`] left empty). Annotations that do
/// not parse are skipped: the build reports them.
pub fn wanted(members: &[&Ingress]) -> Wanted {
    let mut w = Wanted::default();
    for ing in members {
        let Ok(a) = IngressAnnotations::parse(ing.metadata.annotations.as_ref()) else {
            continue;
        };
        for action in a.actions.values() {
            if let AnnotationAction::Forward { targets, .. } = action {
                for t in targets {
                    if let ForwardTo::Name(name) = &t.to {
                        w.target_groups.insert(name.clone());
                    }
                }
            }
        }
        let lb = &a.load_balancer;
        for s in lb.subnets.iter().flatten().filter(|s| !is_id(s, "subnet-")) {
            w.subnets.insert(s.clone());
        }
        for g in lb
            .security_groups
            .iter()
            .flatten()
            .filter(|g| !is_id(g, "sg-"))
        {
            w.security_groups.insert(g.clone());
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::*;

    fn ing(annotations: serde_json::Value) -> Ingress {
        serde_json::from_value(json!({
            "metadata": {"name": "a", "namespace": "n", "annotations": annotations},
        }))
        .unwrap()
    }

    #[test]
    fn names_are_collected_and_ids_are_not() {
        let a = ing(json!({
            "alb.ingress.kubernetes.io/subnets": "subnet-1, public-a",
            "alb.ingress.kubernetes.io/security-groups": "sg-1,web",
            "alb.ingress.kubernetes.io/actions.blue":
                r#"{"type":"forward","forwardConfig":{"targetGroups":[
                    {"targetGroupName":"blue-tg","weight":1},
                    {"targetGroupARN":"arn:aws:elasticloadbalancing:x","weight":1}]}}"#,
        }));
        let w = wanted(&[&a]);
        assert_eq!(w.subnets, BTreeSet::from(["public-a".to_owned()]));
        assert_eq!(w.security_groups, BTreeSet::from(["web".to_owned()]));
        assert_eq!(w.target_groups, BTreeSet::from(["blue-tg".to_owned()]));
    }

    #[test]
    fn an_unknown_name_is_an_error_naming_it() {
        let l = Lookups {
            subnets: [("public-a".to_owned(), "subnet-9".to_owned())].into(),
            ..Lookups::default()
        };
        let list = ["subnet-1".to_owned(), "public-a".to_owned()];
        assert_eq!(l.ids(&list, false).unwrap(), ["subnet-1", "subnet-9"]);
        let err = l.ids(&["nope".to_owned()], true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no security group with Name tag \"nope\" in the VPC"
        );
        let err = l.target_group("gone").unwrap_err();
        assert_eq!(err.to_string(), "no target group named \"gone\" in the VPC");
    }
}
