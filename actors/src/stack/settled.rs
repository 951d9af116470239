//! What a stack holds once a plan applied in full, worked out from the read before it and what the plan's
//! creates answered, so status and bindings need no second read of AWS.

use std::collections::BTreeMap;

use super::deployed::Deployed;
use super::model::StackModel;
use super::plan::{Created, NewId};

/// The parts of a settled stack that status and bindings use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settled {
    /// The load balancer's DNS name (none when the model has no load balancer).
    pub dns_name: Option<String>,
    /// Its listeners' ports, ascending.
    pub ports: Vec<u16>,
    /// Each model target group's ARN, by resource id.
    pub target_groups: BTreeMap<String, String>,
}

impl Settled {
    /// The stack after a plan from `deployed` to `model` made the creates in `created`: a resource the plan
    /// created is the new one, any other is the one read.
    pub fn of(model: &StackModel, deployed: &Deployed, created: &Created) -> Settled {
        let Some(_) = &model.load_balancer else {
            return Settled::default();
        };
        let dns_name = match created.get(&NewId::LoadBalancer) {
            Some(_) => created.dns_name().map(str::to_owned),
            None => deployed
                .load_balancer
                .as_ref()
                .map(|lb| lb.dns_name.clone()),
        };
        let target_groups = model
            .target_groups
            .keys()
            .filter_map(|id| {
                let arn = created
                    .get(&NewId::TargetGroup(id.clone()))
                    .or_else(|| deployed.target_groups.get(id).map(|t| t.arn.as_str()))?;
                Some((id.clone(), arn.to_owned()))
            })
            .collect();
        Settled {
            dns_name,
            ports: model.listeners.keys().copied().collect(),
            target_groups,
        }
    }
}
