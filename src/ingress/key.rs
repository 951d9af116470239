//! `namespace/name` of an Ingress: how members are named in outcomes and ordered on ties.

use std::fmt;

use k8s_openapi::api::networking::v1::Ingress;

/// An Ingress's namespace and name; orders as `namespace/name` does.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IngressKey {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl IngressKey {
    /// The key of `ing` (empty parts where metadata lacks them).
    pub fn of(ing: &Ingress) -> Self {
        Self {
            namespace: ing.metadata.namespace.clone().unwrap_or_default(),
            name: ing.metadata.name.clone().unwrap_or_default(),
        }
    }
}

impl fmt::Display for IngressKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}
