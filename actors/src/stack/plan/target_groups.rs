//! Target groups: created or modified before the load balancer, replaced ones created anew, stale and replaced
//! ones deleted after every listener and rule stopped using them.

use std::collections::BTreeMap;

use super::call::{Call, Ref};
use super::diff::{changed_attributes, tag_calls, TagApi};
use crate::stack::deployed::LiveTargetGroup;
use crate::stack::model::TargetGroupSpec;

/// The target groups' calls and which model groups keep their ARN.
pub struct TgPlan {
    /// Creates and in-place changes.
    pub early: Vec<Call>,
    /// Deletions of groups the model dropped or replaced.
    pub late: Vec<Call>,
    /// Model resource id → ARN, for every group kept in place.
    pub kept: BTreeMap<String, String>,
}

/// Whether `live` must be replaced to become `desired`: what AWS cannot change on a target group. The port and
/// name are honoured at creation only, as the LBC does (targets carry their own port in the binding).
pub fn needs_replacement(desired: &TargetGroupSpec, live: &TargetGroupSpec) -> bool {
    desired.target_kind != live.target_kind
        || desired.protocol != live.protocol
        || desired.protocol_version != live.protocol_version
        || desired.ip_address_type != live.ip_address_type
}

/// Plans every target group.
pub fn target_groups(
    desired: &BTreeMap<String, TargetGroupSpec>,
    live: &BTreeMap<String, LiveTargetGroup>,
) -> TgPlan {
    let mut plan = TgPlan {
        early: Vec::new(),
        late: Vec::new(),
        kept: BTreeMap::new(),
    };
    for (id, d) in desired {
        match live.get(id) {
            Some(l) if !needs_replacement(d, &l.spec) => {
                plan.kept.insert(id.clone(), l.arn.clone());
                if d.health_check != l.spec.health_check {
                    plan.early.push(Call::ModifyTargetGroup {
                        target_group: l.arn.clone(),
                        health_check: d.health_check.clone(),
                    });
                }
                let attributes = changed_attributes(&d.attributes, &l.spec.attributes);
                if !attributes.is_empty() {
                    plan.early.push(Call::ModifyTargetGroupAttributes {
                        target_group: Ref::Existing(l.arn.clone()),
                        attributes,
                    });
                }
                plan.early
                    .extend(tag_calls(&l.arn, &d.tags, &l.spec.tags, TagApi::Elbv2));
            }
            _ => {
                plan.early.push(Call::CreateTargetGroup {
                    id: id.clone(),
                    spec: d.clone(),
                });
                if !d.attributes.is_empty() {
                    plan.early.push(Call::ModifyTargetGroupAttributes {
                        target_group: Ref::New(super::call::NewId::TargetGroup(id.clone())),
                        attributes: d.attributes.clone(),
                    });
                }
            }
        }
    }
    for (id, l) in live {
        if !plan.kept.contains_key(id) {
            plan.late.push(Call::DeleteTargetGroup {
                target_group: l.arn.clone(),
            });
        }
    }
    plan
}
