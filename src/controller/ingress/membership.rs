//! Which Ingresses are tgsync's, and in which group: the class check, the class's IngressClassParams and
//! `group.name`, over the stores.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use kube::runtime::reflector::ObjectRef;

use crate::controller::stores::Stores;
use crate::crd::IngressClassParams;
use crate::ingress::class::{deciding_class, default_class, is_ours, MissingClass};
use crate::ingress::group::GroupId;
use crate::ingress::params::{group_of, params_of, InvalidClass, InvalidGroup};

/// `--ingress-class`, applied to what the stores hold.
#[derive(Clone, Debug)]
pub struct Membership {
    /// The class tgsync serves (`alb` unless configured).
    pub class: String,
}

/// A member's group and the params its class imposes.
pub type Placement = (GroupId, Option<Arc<IngressClassParams>>);

/// What tgsync makes of one Ingress.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// Another controller's.
    Foreign,
    /// Ours, in `group`, with its class's params.
    Member {
        /// Its group.
        group: GroupId,
        /// The params its class imposes.
        params: Option<Arc<IngressClassParams>>,
    },
    /// Not served: it names a missing IngressClass, its class's params refuse it, or its group is invalid.
    Unserved(Unserved),
}

/// Why an Ingress is not served.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Unserved {
    /// Its IngressClass does not exist (whose it is cannot be told, so no Event is written on it).
    #[error(transparent)]
    MissingClass(#[from] MissingClass),
    /// Its class or group is invalid.
    #[error(transparent)]
    Invalid(#[from] InvalidGroup),
}

impl From<InvalidClass> for Unserved {
    fn from(e: InvalidClass) -> Self {
        Unserved::Invalid(e.into())
    }
}

impl Membership {
    /// What `ing` is to tgsync.
    pub fn classify(&self, ing: &Ingress, stores: &Stores) -> Verdict {
        match self.try_classify(ing, stores) {
            Ok(Some((group, params))) => Verdict::Member { group, params },
            Ok(None) => Verdict::Foreign,
            Err(why) => Verdict::Unserved(why),
        }
    }

    /// The group `ing` belongs to and its class's params, or `None` when it is not served.
    pub fn member_of(&self, ing: &Ingress, stores: &Stores) -> Option<Placement> {
        match self.classify(ing, stores) {
            Verdict::Member { group, params } => Some((group, params)),
            Verdict::Foreign | Verdict::Unserved(_) => None,
        }
    }

    /// The name of the IngressClassParams `ing`'s class references, if it is ours and references any.
    pub fn params_name(&self, ing: &Ingress, stores: &Stores) -> Option<String> {
        let classes = stores.ingress_classes.state();
        let Class(class) = self.ours_class(ing, &classes).ok()??;
        let reference = class?.spec.as_ref()?.parameters.as_ref()?;
        Some(reference.name.clone())
    }

    fn try_classify(&self, ing: &Ingress, stores: &Stores) -> Result<Option<Placement>, Unserved> {
        let classes = stores.ingress_classes.state();
        let Some(class) = self.ours_class(ing, &classes)? else {
            return Ok(None);
        };
        let params = match class {
            Class(None) => None,
            Class(Some(class)) => {
                let named = class
                    .spec
                    .as_ref()
                    .and_then(|s| s.parameters.as_ref())
                    .map(|r| r.name.clone());
                let fetched =
                    named.and_then(|n| stores.ingress_class_params.get(&ObjectRef::new(&n)));
                let labels = namespace_labels(ing, stores);
                let lookup = |name: &str| {
                    fetched
                        .as_deref()
                        .filter(|p| p.metadata.name.as_deref() == Some(name))
                };
                params_of(ing, class, lookup, &labels)?.and(fetched.clone())
            }
        };
        let group = group_of(ing, params.as_deref()).map_err(Unserved::Invalid)?;
        Ok(Some((group, params)))
    }

    /// When `ing` is ours, the IngressClass that made it so (`Class(None)`: the legacy annotation, or no
    /// class with an empty `--ingress-class`); `None` when it is another controller's.
    fn ours_class<'c>(
        &self,
        ing: &Ingress,
        classes: &'c [Arc<IngressClass>],
    ) -> Result<Option<Class<'c>>, MissingClass> {
        let by_name = |name: &str| -> Option<&'c IngressClass> {
            classes
                .iter()
                .find(|c| c.metadata.name.as_deref() == Some(name))
                .map(|c| c.as_ref())
        };
        let default = default_class(classes.iter().map(|c| c.as_ref()));
        if !is_ours(ing, &self.class, by_name, default)? {
            return Ok(None);
        }
        Ok(Some(Class(deciding_class(ing, by_name, default)?)))
    }
}

/// The IngressClass an Ingress of ours was decided by, if any.
struct Class<'c>(Option<&'c IngressClass>);

fn namespace_labels(ing: &Ingress, stores: &Stores) -> BTreeMap<String, String> {
    let ns = ing.metadata.namespace.as_deref().unwrap_or_default();
    stores
        .namespaces
        .get(&ObjectRef::new(ns))
        .and_then(|n| n.metadata.labels.clone())
        .unwrap_or_default()
}
