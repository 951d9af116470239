//! The reflector stores of the slow kinds: TargetGroupBindings, Services, Ingresses, IngressClasses,
//! IngressClassParams and Namespaces (metadata only). Each is written only by its watcher and read by key by
//! any controller, so a controller that needs another kind's object looks it up instead of keeping a copy.

use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{self, ObjectRef, Store};

use crate::crd::{IngressClassParams, TargetGroupBinding};

/// Read handles of every store (cheap to clone).
#[derive(Clone)]
pub struct Stores {
    /// TargetGroupBindings.
    pub bindings: Store<TargetGroupBinding>,
    /// Services.
    pub services: Store<Service>,
    /// Ingresses.
    pub ingresses: Store<Ingress>,
    /// IngressClasses.
    pub ingress_classes: Store<IngressClass>,
    /// IngressClassParams.
    pub ingress_class_params: Store<IngressClassParams>,
    /// Namespaces' metadata (their labels, for the params' namespaceSelector).
    pub namespaces: Store<PartialObjectMeta<Namespace>>,
}

/// The write halves, one per watcher.
pub struct Writers {
    /// TargetGroupBindings.
    pub bindings: reflector::store::Writer<TargetGroupBinding>,
    /// Services.
    pub services: reflector::store::Writer<Service>,
    /// Ingresses.
    pub ingresses: reflector::store::Writer<Ingress>,
    /// IngressClasses.
    pub ingress_classes: reflector::store::Writer<IngressClass>,
    /// IngressClassParams.
    pub ingress_class_params: reflector::store::Writer<IngressClassParams>,
    /// Namespaces' metadata.
    pub namespaces: reflector::store::Writer<PartialObjectMeta<Namespace>>,
}

/// Empty stores and their writers.
pub fn stores() -> (Stores, Writers) {
    let (bindings, bindings_w) = reflector::store();
    let (services, services_w) = reflector::store();
    let (ingresses, ingresses_w) = reflector::store();
    let (ingress_classes, ingress_classes_w) = reflector::store();
    let (ingress_class_params, ingress_class_params_w) = reflector::store();
    let (namespaces, namespaces_w) = reflector::store();
    (
        Stores {
            bindings,
            services,
            ingresses,
            ingress_classes,
            ingress_class_params,
            namespaces,
        },
        Writers {
            bindings: bindings_w,
            services: services_w,
            ingresses: ingresses_w,
            ingress_classes: ingress_classes_w,
            ingress_class_params: ingress_class_params_w,
            namespaces: namespaces_w,
        },
    )
}

/// The reference of namespaced object `ns/name` (the manager's key).
pub fn object_ref<K>(key: &str) -> ObjectRef<K>
where
    K: kube::Resource<DynamicType = ()>,
{
    match key.split_once('/') {
        Some((ns, name)) => ObjectRef::new(name).within(ns),
        None => ObjectRef::new(key),
    }
}

/// The manager's key (`ns/name`, or `name` when cluster-scoped) of a reference.
pub fn ref_key<K: kube::Resource>(r: &ObjectRef<K>) -> String {
    match &r.namespace {
        Some(ns) => format!("{ns}/{}", r.name),
        None => r.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_references_round_trip() {
        let r: ObjectRef<Service> = object_ref("shop/web");
        assert_eq!(
            (r.namespace.as_deref(), r.name.as_str()),
            (Some("shop"), "web")
        );
        assert_eq!(ref_key(&r), "shop/web");
        let node: ObjectRef<k8s_openapi::api::core::v1::Node> = object_ref("n1");
        assert_eq!(ref_key(&node), "n1");
    }
}
