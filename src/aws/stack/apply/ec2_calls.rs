//! The plan's EC2 calls: the managed security group, its ingress rules and its tags.

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use tgsync_actors::stack::plan::{Call, Created};

use super::error::sdk_kind;
use super::to_sdk::{ec2_tags, permissions};
use super::{ApplyErrorKind, StackApplier};
use crate::aws::stack::Permits;

impl<P: Permits> StackApplier<P> {
    pub(super) async fn ec2_call(
        &self,
        call: &Call,
        created: &Created,
    ) -> Result<Option<String>, ApplyErrorKind> {
        let ec2 = &self.ec2;
        match call {
            Call::CreateSecurityGroup { name, tags } => {
                let out = ec2
                    .create_security_group()
                    .group_name(name)
                    .description(format!(
                        "[k8s] Managed SecurityGroup for LoadBalancer {name}"
                    ))
                    .vpc_id(&self.vpc_id)
                    .tag_specifications(
                        TagSpecification::builder()
                            .resource_type(ResourceType::SecurityGroup)
                            .set_tags(Some(ec2_tags(tags)))
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(sdk_kind)?;
                let id = out.group_id().ok_or_else(|| {
                    ApplyErrorKind::Other("CreateSecurityGroup answered no id".into())
                })?;
                return Ok(Some(id.to_owned()));
            }
            Call::AuthorizeSecurityGroupIngress {
                group,
                permissions: p,
            } => {
                let id = created
                    .resolve(group)
                    .map_err(|u| ApplyErrorKind::Unresolved(u.to_string()))?;
                ec2.authorize_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(Some(permissions(p)))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::RevokeSecurityGroupIngress {
                group,
                permissions: p,
            } => {
                ec2.revoke_security_group_ingress()
                    .group_id(group)
                    .set_ip_permissions(Some(permissions(p)))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::DeleteSecurityGroup { group } => {
                ec2.delete_security_group()
                    .group_id(group)
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::CreateTags { resource, tags } => {
                ec2.create_tags()
                    .resources(resource)
                    .set_tags(Some(ec2_tags(tags)))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::DeleteTags { resource, keys } => {
                ec2.delete_tags()
                    .resources(resource)
                    .set_tags(Some(
                        keys.iter().map(|k| Tag::builder().key(k).build()).collect(),
                    ))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            other => {
                return Err(ApplyErrorKind::Other(format!(
                    "not an EC2 call: {}",
                    other.action()
                )))
            }
        }
        Ok(None)
    }
}
