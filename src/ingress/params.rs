//! IngressClassParams as the AWS Load Balancer Controller reads them: which params an Ingress's class imposes
//! on it (or why the class is invalid for it, `ErrInvalidIngressClass`), and the group they put it in.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{Ingress, IngressClass};

use super::annotations::{AnnotationError, Problem};
use super::group::{group_name, GroupId};
use crate::controller::selector_matches;
use crate::crd::IngressClassParams;

/// The API group of the params an IngressClass may reference.
pub const PARAMS_API_GROUP: &str = "elbv2.k8s.aws";
/// Their kind.
pub const PARAMS_KIND: &str = "IngressClassParams";

/// Why an Ingress's IngressClass cannot serve it; the Ingress is not served until it is fixed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidClass {
    /// `spec.parameters` names something other than IngressClassParams.
    #[error(
        "IngressClass {class:?} references {kind} {name:?} of API group {api_group:?}; only \
         {PARAMS_API_GROUP} {PARAMS_KIND} are understood"
    )]
    UnknownParams {
        /// The IngressClass.
        class: String,
        /// The reference's apiGroup (empty: the core group).
        api_group: String,
        /// Its kind.
        kind: String,
        /// Its name.
        name: String,
    },
    /// The IngressClassParams named does not exist.
    #[error(
        "IngressClass {class:?} references IngressClassParams {params:?}, which does not exist"
    )]
    MissingParams {
        /// The IngressClass.
        class: String,
        /// The params' name.
        params: String,
    },
    /// The params' `namespaceSelector` leaves out the Ingress's namespace.
    #[error(
        "IngressClassParams {params:?} (of IngressClass {class:?}) does not allow namespace {namespace:?}: \
         its namespaceSelector does not select it"
    )]
    NamespaceNotSelected {
        /// The IngressClass.
        class: String,
        /// The params' name.
        params: String,
        /// The Ingress's namespace.
        namespace: String,
    },
    /// The params' `group.name` is not a valid group name.
    #[error("IngressClassParams {params:?}: group.name: {problem}")]
    GroupName {
        /// The params' name.
        params: String,
        /// What is wrong with it.
        problem: Problem,
    },
}

/// Why an Ingress of ours has no group.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidGroup {
    /// Its `group.name` annotation.
    #[error(transparent)]
    Annotation(#[from] AnnotationError),
    /// Its params' `group.name`.
    #[error(transparent)]
    Params(#[from] InvalidClass),
}

/// The params `class` imposes on `ing`: `None` when it references none, an error when they are missing,
/// not IngressClassParams, or do not allow the Ingress's namespace (whose labels are `namespace_labels`).
pub fn params_of<'p>(
    ing: &Ingress,
    class: &IngressClass,
    params: impl Fn(&str) -> Option<&'p IngressClassParams>,
    namespace_labels: &BTreeMap<String, String>,
) -> Result<Option<&'p IngressClassParams>, InvalidClass> {
    let Some(reference) = class.spec.as_ref().and_then(|s| s.parameters.as_ref()) else {
        return Ok(None);
    };
    let class_name = || class.metadata.name.clone().unwrap_or_default();
    let api_group = reference.api_group.as_deref().unwrap_or_default();
    if api_group != PARAMS_API_GROUP || reference.kind != PARAMS_KIND {
        return Err(InvalidClass::UnknownParams {
            class: class_name(),
            api_group: api_group.to_owned(),
            kind: reference.kind.clone(),
            name: reference.name.clone(),
        });
    }
    let found = params(&reference.name).ok_or_else(|| InvalidClass::MissingParams {
        class: class_name(),
        params: reference.name.clone(),
    })?;
    if !selector_matches(found.spec.namespace_selector.as_ref(), namespace_labels) {
        return Err(InvalidClass::NamespaceNotSelected {
            class: class_name(),
            params: reference.name.clone(),
            namespace: ing.metadata.namespace.clone().unwrap_or_default(),
        });
    }
    Ok(Some(found))
}

/// The group of `ing` under `params`: their `group.name` when set (the Ingress's own `group.name` is then
/// ignored), else what the Ingress says ([`GroupId::of`]).
pub fn group_of(
    ing: &Ingress,
    params: Option<&IngressClassParams>,
) -> Result<GroupId, InvalidGroup> {
    let named = params.and_then(|p| Some((p, p.spec.group.as_ref()?)));
    match named {
        Some((p, group)) => group_name(&group.name)
            .map(GroupId::Explicit)
            .map_err(|problem| {
                InvalidClass::GroupName {
                    params: p.metadata.name.clone().unwrap_or_default(),
                    problem,
                }
                .into()
            }),
        None => Ok(GroupId::of(ing)?),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn ing(ns: &str, annotations: Value) -> Ingress {
        serde_json::from_value(json!({
            "metadata": {"namespace": ns, "name": "web", "annotations": annotations},
            "spec": {"ingressClassName": "shared"}
        }))
        .unwrap()
    }

    fn class(parameters: Value) -> IngressClass {
        serde_json::from_value(json!({
            "metadata": {"name": "shared"},
            "spec": {"controller": "ingress.k8s.aws/alb", "parameters": parameters}
        }))
        .unwrap()
    }

    fn params_ref(name: &str) -> Value {
        json!({"apiGroup": PARAMS_API_GROUP, "kind": PARAMS_KIND, "name": name})
    }

    fn params(name: &str, spec: Value) -> IngressClassParams {
        serde_json::from_value(json!({
            "apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "IngressClassParams",
            "metadata": {"name": name}, "spec": spec
        }))
        .unwrap()
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_class_without_parameters_imposes_none() {
        let c: IngressClass = serde_json::from_value(json!({
            "metadata": {"name": "shared"}, "spec": {"controller": "ingress.k8s.aws/alb"}
        }))
        .unwrap();
        let got = params_of(&ing("a", json!({})), &c, |_| None, &labels(&[]));
        assert_eq!(got, Ok(None));
    }

    #[test]
    fn the_referenced_params_are_found_by_name() {
        let p = params("shared-params", json!({"scheme": "internet-facing"}));
        let lookup = |n: &str| (n == "shared-params").then_some(&p);
        let got = params_of(
            &ing("a", json!({})),
            &class(params_ref("shared-params")),
            lookup,
            &labels(&[]),
        );
        assert_eq!(got, Ok(Some(&p)));
    }

    #[test]
    fn missing_params_make_the_class_invalid() {
        let got = params_of(
            &ing("a", json!({})),
            &class(params_ref("gone")),
            |_| None,
            &labels(&[]),
        );
        assert_eq!(
            got,
            Err(InvalidClass::MissingParams {
                class: "shared".into(),
                params: "gone".into()
            })
        );
        let msg = got.unwrap_err().to_string();
        assert!(
            msg.contains("\"gone\"") && msg.contains("\"shared\""),
            "{msg}"
        );
    }

    #[test]
    fn parameters_of_another_kind_or_group_make_the_class_invalid() {
        let p = params("x", json!({}));
        for reference in [
            json!({"apiGroup": "example.com", "kind": PARAMS_KIND, "name": "x"}),
            json!({"apiGroup": PARAMS_API_GROUP, "kind": "ConfigMap", "name": "x"}),
            json!({"kind": PARAMS_KIND, "name": "x"}),
        ] {
            let got = params_of(
                &ing("a", json!({})),
                &class(reference),
                |_| Some(&p),
                &labels(&[]),
            );
            assert!(
                matches!(got, Err(InvalidClass::UnknownParams { .. })),
                "{got:?}"
            );
        }
    }

    #[test]
    fn the_namespace_selector_admits_or_refuses_the_ingress_namespace() {
        let p = params(
            "teams",
            json!({"namespaceSelector": {"matchLabels": {"team": "shop"}}}),
        );
        let c = class(params_ref("teams"));
        let lookup = |_: &str| Some(&p);
        let shop = labels(&[("team", "shop")]);
        assert_eq!(
            params_of(&ing("a", json!({})), &c, lookup, &shop),
            Ok(Some(&p))
        );
        let other = labels(&[("team", "blog")]);
        assert_eq!(
            params_of(&ing("b", json!({})), &c, lookup, &other),
            Err(InvalidClass::NamespaceNotSelected {
                class: "shared".into(),
                params: "teams".into(),
                namespace: "b".into()
            })
        );
        let everyone = params("all", json!({"namespaceSelector": {}}));
        assert_eq!(
            params_of(&ing("b", json!({})), &c, |_| Some(&everyone), &other),
            Ok(Some(&everyone))
        );
    }

    #[test]
    fn the_params_group_overrides_the_annotation() {
        let annotated = ing("a", json!({"alb.ingress.kubernetes.io/group.name": "mine"}));
        let p = params("p", json!({"group": {"name": "shared"}}));
        assert_eq!(
            group_of(&annotated, Some(&p)),
            Ok(GroupId::Explicit("shared".into()))
        );
        // Even an invalid annotation is ignored when the params name the group.
        let bad = ing("a", json!({"alb.ingress.kubernetes.io/group.name": "Bad!"}));
        assert_eq!(
            group_of(&bad, Some(&p)),
            Ok(GroupId::Explicit("shared".into()))
        );
        let no_group = params("p", json!({"scheme": "internal"}));
        assert_eq!(
            group_of(&annotated, Some(&no_group)),
            Ok(GroupId::Explicit("mine".into()))
        );
        assert_eq!(
            group_of(&annotated, None),
            Ok(GroupId::Explicit("mine".into()))
        );
        assert!(matches!(
            group_of(&bad, None),
            Err(InvalidGroup::Annotation(_))
        ));
    }

    #[test]
    fn an_invalid_params_group_name_is_an_invalid_class() {
        let p = params("p", json!({"group": {"name": "Not_A_Name"}}));
        let got = group_of(&ing("a", json!({})), Some(&p));
        assert!(
            matches!(got, Err(InvalidGroup::Params(InvalidClass::GroupName { ref params, .. })) if params == "p"),
            "{got:?}"
        );
    }
}
