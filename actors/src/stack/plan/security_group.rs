//! The managed security group: created first, its inbound rules and tags brought in line, deleted last.

use super::call::{Call, NewId, Ref};
use super::diff::{tag_calls, TagApi};
use crate::stack::deployed::LiveSecurityGroup;
use crate::stack::model::SecurityGroupSpec;

/// The group's calls: `early` before anything else, `late` after everything (deletion, once no load balancer
/// uses it), and how later calls name it.
pub struct SgPlan {
    /// Create, authorize, revoke, tags.
    pub early: Vec<Call>,
    /// Delete.
    pub late: Vec<Call>,
    /// The group, when the model wants one.
    pub group: Option<Ref>,
}

/// Plans the managed group.
pub fn security_group(
    desired: Option<&SecurityGroupSpec>,
    live: Option<&LiveSecurityGroup>,
) -> SgPlan {
    let mut plan = SgPlan {
        early: Vec::new(),
        late: Vec::new(),
        group: None,
    };
    match (desired, live) {
        (Some(d), None) => {
            plan.early.push(Call::CreateSecurityGroup {
                name: d.name.clone(),
                tags: d.tags.clone(),
            });
            let group = Ref::New(NewId::SecurityGroup);
            if !d.ingress.is_empty() {
                plan.early.push(Call::AuthorizeSecurityGroupIngress {
                    group: group.clone(),
                    permissions: d.ingress.clone(),
                });
            }
            plan.group = Some(group);
        }
        (Some(d), Some(l)) => {
            let add: Vec<_> = d
                .ingress
                .iter()
                .filter(|p| !l.spec.ingress.contains(p))
                .cloned()
                .collect();
            let remove: Vec<_> = l
                .spec
                .ingress
                .iter()
                .filter(|p| !d.ingress.contains(p))
                .cloned()
                .collect();
            if !add.is_empty() {
                plan.early.push(Call::AuthorizeSecurityGroupIngress {
                    group: Ref::Existing(l.id.clone()),
                    permissions: add,
                });
            }
            if !remove.is_empty() {
                plan.early.push(Call::RevokeSecurityGroupIngress {
                    group: l.id.clone(),
                    permissions: remove,
                });
            }
            plan.early
                .extend(tag_calls(&l.id, &d.tags, &l.spec.tags, TagApi::Ec2));
            plan.group = Some(Ref::Existing(l.id.clone()));
        }
        (None, Some(l)) => plan.late.push(Call::DeleteSecurityGroup {
            group: l.id.clone(),
        }),
        (None, None) => {}
    }
    plan
}
