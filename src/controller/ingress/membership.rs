//! Which Ingresses are tgsync's, and in which group: the class check and `group.name`, over the stores.

use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use tracing::warn;

use crate::controller::stores::Stores;
use crate::ingress::class::{default_class, is_ours};
use crate::ingress::group::GroupId;
use crate::ingress::key::IngressKey;

/// `--ingress-class`, applied to what the stores hold.
#[derive(Clone, Debug)]
pub struct Membership {
    /// The class tgsync serves (`alb` unless configured).
    pub class: String,
}

impl Membership {
    /// The group `ing` belongs to, or `None` when it is not ours (or names a missing class, or an invalid
    /// group: those are logged, and the Ingress is left alone).
    pub fn group_of(&self, ing: &Ingress, stores: &Stores) -> Option<GroupId> {
        let classes = stores.ingress_classes.state();
        let by_name = |name: &str| -> Option<&IngressClass> {
            classes
                .iter()
                .find(|c| c.metadata.name.as_deref() == Some(name))
                .map(|c| c.as_ref())
        };
        let default = default_class(classes.iter().map(|c| c.as_ref()));
        let key = || IngressKey::of(ing);
        match is_ours(ing, &self.class, by_name, default) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                warn!(ingress = %key(), error = %e, "Ingress left alone");
                return None;
            }
        }
        match GroupId::of(ing) {
            Ok(g) => Some(g),
            Err(e) => {
                warn!(ingress = %key(), error = %e, "Ingress with an invalid group left alone");
                None
            }
        }
    }
}
