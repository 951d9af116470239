//! What the applier keeps while it walks a plan: the ARN or id each create answered, so later calls that
//! name the new resource by `Ref::New` can be made.

use std::collections::BTreeMap;

use super::call::{NewId, Ref};
use crate::stack::model::{Action, TgRef};

/// A `Ref::New` (or `TgRef::Model`) whose create has not answered: the plan was applied out of order or its
/// create failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not created yet")]
pub struct Unresolved(pub NewId);

/// The resources created so far while applying one plan, and the new load balancer's DNS name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Created {
    ids: BTreeMap<NewId, String>,
    dns_name: Option<String>,
}

impl Created {
    /// Records what a create answered.
    pub fn record(&mut self, id: NewId, arn: String) {
        self.ids.insert(id, arn);
    }

    /// Records the DNS name CreateLoadBalancer answered.
    pub fn record_dns_name(&mut self, dns_name: String) {
        self.dns_name = Some(dns_name);
    }

    /// The ARN or id of `id`, if this plan created it.
    pub fn get(&self, id: &NewId) -> Option<&str> {
        self.ids.get(id).map(String::as_str)
    }

    /// The DNS name of the load balancer this plan created.
    pub fn dns_name(&self) -> Option<&str> {
        self.dns_name.as_deref()
    }

    /// The ARN or id behind `r`.
    pub fn resolve<'a>(&'a self, r: &'a Ref) -> Result<&'a str, Unresolved> {
        match r {
            Ref::Existing(s) => Ok(s),
            Ref::New(id) => self
                .ids
                .get(id)
                .map(String::as_str)
                .ok_or_else(|| Unresolved(id.clone())),
        }
    }

    /// `action` with every target group named by ARN, ready to send.
    pub fn resolve_action(&self, action: &Action) -> Result<Action, Unresolved> {
        let mut action = action.clone();
        if let Action::Forward { groups, .. } = &mut action {
            for g in groups.iter_mut() {
                if let TgRef::Model(id) = &g.tg {
                    let new = NewId::TargetGroup(id.clone());
                    let arn = self.ids.get(&new).ok_or(Unresolved(new))?;
                    g.tg = TgRef::Arn(arn.clone());
                }
            }
        }
        Ok(action)
    }
}
