//! Whether an Ingress is tgsync's: its `kubernetes.io/ingress.class` annotation names the configured class,
//! or its IngressClass (named, or the cluster's default) is `ingress.k8s.aws/alb`'s.

use k8s_openapi::api::networking::v1::{Ingress, IngressClass};

/// The controller an IngressClass names to be ours.
pub const CONTROLLER: &str = "ingress.k8s.aws/alb";
/// The legacy class annotation.
pub const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// The annotation that makes an IngressClass the cluster's default.
pub const DEFAULT_CLASS_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";
/// `--ingress-class`'s default.
pub const DEFAULT_CLASS: &str = "alb";

/// An Ingress that names an IngressClass that does not exist (the AWS controller's `ErrInvalidIngressClass`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("IngressClass {0:?} not found")]
pub struct MissingClass(pub String);

/// The IngressClass that decides for `ing`: the one it names, else the default; `None` when the legacy
/// annotation decides (it names no IngressClass, so no params either) or there is no class at all.
pub fn deciding_class<'c>(
    ing: &Ingress,
    classes: impl Fn(&str) -> Option<&'c IngressClass>,
    default: Option<&'c IngressClass>,
) -> Result<Option<&'c IngressClass>, MissingClass> {
    let annotated = ing
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(CLASS_ANNOTATION));
    if annotated {
        return Ok(None);
    }
    match ing
        .spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.as_deref())
    {
        Some(name) => classes(name)
            .map(Some)
            .ok_or_else(|| MissingClass(name.to_owned())),
        None => Ok(default),
    }
}

/// Whether `ing` is ours, given `--ingress-class` (`configured`), a lookup of IngressClasses by name and
/// the cluster's default class (see [`default_class`]).
pub fn is_ours<'c>(
    ing: &Ingress,
    configured: &str,
    classes: impl Fn(&str) -> Option<&'c IngressClass>,
    default: Option<&IngressClass>,
) -> Result<bool, MissingClass> {
    let annotation = ing
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CLASS_ANNOTATION));
    if let Some(class) = annotation {
        return Ok(class == configured);
    }
    let named = ing
        .spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.as_deref());
    if let Some(name) = named {
        let class = classes(name).ok_or_else(|| MissingClass(name.to_owned()))?;
        return Ok(is_alb(class));
    }
    match default {
        Some(class) => Ok(is_alb(class)),
        None => Ok(configured.is_empty()),
    }
}

/// The cluster's default IngressClass: the one annotated as such (none when several are).
pub fn default_class<'c>(
    classes: impl IntoIterator<Item = &'c IngressClass>,
) -> Option<&'c IngressClass> {
    let mut defaults = classes.into_iter().filter(|c| {
        c.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION))
            .is_some_and(|v| v == "true")
    });
    let first = defaults.next()?;
    defaults.next().is_none().then_some(first)
}

/// Whether `class` is served by tgsync (`spec.controller` is [`CONTROLLER`]).
pub fn is_alb(class: &IngressClass) -> bool {
    class.spec.as_ref().and_then(|s| s.controller.as_deref()) == Some(CONTROLLER)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn ing(v: serde_json::Value) -> Ingress {
        serde_json::from_value(v).unwrap()
    }

    fn class(name: &str, controller: &str, default: bool) -> IngressClass {
        let annotations = if default {
            json!({DEFAULT_CLASS_ANNOTATION: "true"})
        } else {
            json!({})
        };
        serde_json::from_value(json!({
            "metadata": {"name": name, "annotations": annotations},
            "spec": {"controller": controller}
        }))
        .unwrap()
    }

    #[test]
    fn the_annotation_decides_when_present() {
        let classes: BTreeMap<String, IngressClass> = BTreeMap::new();
        let lookup = |n: &str| classes.get(n);
        let alb = ing(
            json!({"metadata": {"annotations": {CLASS_ANNOTATION: "alb"}},
                             "spec": {"ingressClassName": "missing"}}),
        );
        assert_eq!(is_ours(&alb, "alb", lookup, None), Ok(true));
        let nginx = ing(json!({"metadata": {"annotations": {CLASS_ANNOTATION: "nginx"}}}));
        assert_eq!(is_ours(&nginx, "alb", lookup, None), Ok(false));
    }

    #[test]
    fn the_ingress_class_decides_by_its_controller() {
        let classes: BTreeMap<String, IngressClass> = [
            ("aws".to_owned(), class("aws", CONTROLLER, false)),
            (
                "nginx".to_owned(),
                class("nginx", "k8s.io/ingress-nginx", false),
            ),
        ]
        .into();
        let lookup = |n: &str| classes.get(n);
        let named = |n: &str| ing(json!({"spec": {"ingressClassName": n}}));
        assert_eq!(is_ours(&named("aws"), "alb", lookup, None), Ok(true));
        assert_eq!(is_ours(&named("nginx"), "alb", lookup, None), Ok(false));
        assert_eq!(
            is_ours(&named("gone"), "alb", lookup, None),
            Err(MissingClass("gone".into()))
        );
    }

    #[test]
    fn without_a_class_the_default_decides_then_an_empty_configured_class() {
        let none: BTreeMap<String, IngressClass> = BTreeMap::new();
        let lookup = |n: &str| none.get(n);
        let bare = ing(json!({"spec": {}}));
        let ours = class("aws", CONTROLLER, true);
        let theirs = class("nginx", "k8s.io/ingress-nginx", true);
        assert_eq!(is_ours(&bare, "alb", lookup, Some(&ours)), Ok(true));
        assert_eq!(is_ours(&bare, "alb", lookup, Some(&theirs)), Ok(false));
        assert_eq!(is_ours(&bare, "alb", lookup, None), Ok(false));
        assert_eq!(is_ours(&bare, "", lookup, None), Ok(true));
    }

    #[test]
    fn the_deciding_class_is_the_named_one_else_the_default_never_for_the_annotation() {
        let aws = class("aws", CONTROLLER, false);
        let dflt = class("dflt", CONTROLLER, true);
        let lookup = |n: &str| (n == "aws").then_some(&aws);
        let name = |c: Option<&IngressClass>| c.and_then(|c| c.metadata.name.clone());
        let named = ing(json!({"spec": {"ingressClassName": "aws"}}));
        let got = deciding_class(&named, lookup, Some(&dflt)).map(name);
        assert_eq!(got, Ok(Some("aws".into())));
        let bare = ing(json!({"spec": {}}));
        let got = deciding_class(&bare, lookup, Some(&dflt)).map(name);
        assert_eq!(got, Ok(Some("dflt".into())));
        let legacy = ing(
            json!({"metadata": {"annotations": {CLASS_ANNOTATION: "alb"}},
                                "spec": {"ingressClassName": "aws"}}),
        );
        assert_eq!(
            deciding_class(&legacy, lookup, Some(&dflt)).map(name),
            Ok(None)
        );
        let gone = ing(json!({"spec": {"ingressClassName": "gone"}}));
        assert_eq!(
            deciding_class(&gone, lookup, None).map(name),
            Err(MissingClass("gone".into()))
        );
    }

    #[test]
    fn the_default_class_is_the_one_annotated_unless_several_are() {
        let a = class("a", CONTROLLER, true);
        let b = class("b", CONTROLLER, false);
        let c = class("c", "x", true);
        assert_eq!(
            default_class([&a, &b]).and_then(|c| c.metadata.name.as_deref()),
            Some("a")
        );
        assert!(default_class([&a, &b, &c]).is_none());
        assert!(default_class([&b]).is_none());
    }
}
