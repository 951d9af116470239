//! The plan's ELBv2 calls: target groups, the load balancer, listeners, rules and tags.

use std::collections::BTreeSet;

use aws_sdk_elasticloadbalancingv2::types as elb;
use tgsync_actors::budget::ApiClass;
use tgsync_actors::stack::plan::{collision_free_moves, Call, Created, Move, Ref};
use tgsync_actors::stack::{
    Action, HealthCheck, IpAddressType, LbKind, RuleSpec, Scheme, TargetKind,
};

use super::error::{is_priority_in_use, sdk_kind};
use super::to_sdk::{action, actions, conditions, elb_tags};
use super::{ApplyErrorKind, StackApplier};
use crate::aws::stack::Permits;

fn resolve<'a>(created: &'a Created, r: &'a Ref) -> Result<&'a str, ApplyErrorKind> {
    created
        .resolve(r)
        .map_err(|u| ApplyErrorKind::Unresolved(u.to_string()))
}

fn resolved_actions(
    created: &Created,
    list: &[Action],
) -> Result<Vec<elb::Action>, ApplyErrorKind> {
    let list: Result<Vec<Action>, _> = list
        .iter()
        .map(|a| {
            created
                .resolve_action(a)
                .map_err(|u| ApplyErrorKind::Unresolved(u.to_string()))
        })
        .collect();
    actions(&list?)
}

fn rule_parts(
    created: &Created,
    rule: &RuleSpec,
) -> Result<(Vec<elb::RuleCondition>, Vec<elb::Action>), ApplyErrorKind> {
    Ok((
        conditions(&rule.conditions),
        resolved_actions(created, &rule.actions)?,
    ))
}

fn matcher(hc: &HealthCheck, grpc: bool) -> Option<elb::Matcher> {
    hc.matcher.as_ref().map(|codes| {
        let m = elb::Matcher::builder();
        if grpc {
            m.grpc_code(codes)
        } else {
            m.http_code(codes)
        }
        .build()
    })
}

fn first_arn<T>(
    items: &[T],
    arn: impl Fn(&T) -> Option<&str>,
    what: &str,
) -> Result<String, ApplyErrorKind> {
    items
        .first()
        .and_then(arn)
        .map(str::to_owned)
        .ok_or_else(|| ApplyErrorKind::Other(format!("{what} answered no ARN")))
}

impl<P: Permits> StackApplier<P> {
    pub(super) async fn elb_call(
        &self,
        call: &Call,
        created: &mut Created,
    ) -> Result<Option<String>, ApplyErrorKind> {
        let elb = &self.elb;
        match call {
            Call::CreateTargetGroup { spec, .. } => {
                let hc = &spec.health_check;
                let grpc = spec.protocol_version.as_deref() == Some("GRPC");
                let mut req = elb
                    .create_target_group()
                    .name(&spec.name)
                    .protocol(elb::ProtocolEnum::from(spec.protocol.as_str()))
                    .set_protocol_version(spec.protocol_version.clone())
                    .port(i32::from(spec.port))
                    .vpc_id(&self.vpc_id)
                    .target_type(match spec.target_kind {
                        TargetKind::Ip => elb::TargetTypeEnum::Ip,
                        TargetKind::Instance => elb::TargetTypeEnum::Instance,
                    })
                    .health_check_protocol(elb::ProtocolEnum::from(hc.protocol.as_str()))
                    .health_check_port(&hc.port)
                    .set_health_check_path(hc.path.clone())
                    .health_check_interval_seconds(hc.interval_seconds as i32)
                    .health_check_timeout_seconds(hc.timeout_seconds as i32)
                    .healthy_threshold_count(hc.healthy_threshold as i32)
                    .unhealthy_threshold_count(hc.unhealthy_threshold as i32)
                    .set_matcher(matcher(hc, grpc))
                    .set_tags(Some(elb_tags(&spec.tags)));
                if spec.target_kind == TargetKind::Ip
                    && spec.ip_address_type == IpAddressType::Dualstack
                {
                    req = req.ip_address_type(elb::TargetGroupIpAddressTypeEnum::Ipv6);
                }
                let out = req.send().await.map_err(sdk_kind)?;
                let arn = first_arn(
                    out.target_groups(),
                    |t| t.target_group_arn(),
                    "CreateTargetGroup",
                )?;
                return Ok(Some(arn));
            }
            Call::ModifyTargetGroup {
                target_group,
                health_check: hc,
            } => {
                elb.modify_target_group()
                    .target_group_arn(target_group)
                    .health_check_protocol(elb::ProtocolEnum::from(hc.protocol.as_str()))
                    .health_check_port(&hc.port)
                    .set_health_check_path(hc.path.clone())
                    .health_check_interval_seconds(hc.interval_seconds as i32)
                    .health_check_timeout_seconds(hc.timeout_seconds as i32)
                    .healthy_threshold_count(hc.healthy_threshold as i32)
                    .unhealthy_threshold_count(hc.unhealthy_threshold as i32)
                    .set_matcher(matcher(hc, false))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::ModifyTargetGroupAttributes {
                target_group,
                attributes,
            } => {
                let attrs = attributes
                    .iter()
                    .map(|(k, v)| elb::TargetGroupAttribute::builder().key(k).value(v).build())
                    .collect();
                elb.modify_target_group_attributes()
                    .target_group_arn(resolve(created, target_group)?)
                    .set_attributes(Some(attrs))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::DeleteTargetGroup { target_group } => {
                elb.delete_target_group()
                    .target_group_arn(target_group)
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::CreateLoadBalancer {
                name,
                kind,
                scheme,
                ip_address_type,
                subnets,
                security_groups,
                tags,
            } => {
                let groups: Result<Vec<String>, _> = security_groups
                    .iter()
                    .map(|g| resolve(created, g).map(str::to_owned))
                    .collect();
                let groups = groups?;
                let out = elb
                    .create_load_balancer()
                    .name(name)
                    .r#type(match kind {
                        LbKind::Application => elb::LoadBalancerTypeEnum::Application,
                        LbKind::Network => elb::LoadBalancerTypeEnum::Network,
                    })
                    .scheme(match scheme {
                        Scheme::Internal => elb::LoadBalancerSchemeEnum::Internal,
                        Scheme::InternetFacing => elb::LoadBalancerSchemeEnum::InternetFacing,
                    })
                    .ip_address_type(lb_ip_type(*ip_address_type))
                    .set_subnets(Some(subnets.clone()))
                    .set_security_groups((!groups.is_empty()).then_some(groups))
                    .set_tags(Some(elb_tags(tags)))
                    .send()
                    .await
                    .map_err(sdk_kind)?;
                let arn = first_arn(
                    out.load_balancers(),
                    |l| l.load_balancer_arn(),
                    "CreateLoadBalancer",
                )?;
                if let Some(dns) = out.load_balancers().first().and_then(|l| l.dns_name()) {
                    created.record_dns_name(dns.to_owned());
                }
                return Ok(Some(arn));
            }
            Call::SetSubnets {
                load_balancer,
                subnets,
            } => {
                elb.set_subnets()
                    .load_balancer_arn(load_balancer)
                    .set_subnets(Some(subnets.clone()))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::SetSecurityGroups {
                load_balancer,
                security_groups,
            } => {
                let groups: Result<Vec<String>, _> = security_groups
                    .iter()
                    .map(|g| resolve(created, g).map(str::to_owned))
                    .collect();
                elb.set_security_groups()
                    .load_balancer_arn(load_balancer)
                    .set_security_groups(Some(groups?))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::SetIpAddressType {
                load_balancer,
                ip_address_type,
            } => {
                elb.set_ip_address_type()
                    .load_balancer_arn(load_balancer)
                    .ip_address_type(lb_ip_type(*ip_address_type))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::ModifyLoadBalancerAttributes {
                load_balancer,
                attributes,
            } => {
                let attrs = attributes
                    .iter()
                    .map(|(k, v)| {
                        elb::LoadBalancerAttribute::builder()
                            .key(k)
                            .value(v)
                            .build()
                    })
                    .collect();
                elb.modify_load_balancer_attributes()
                    .load_balancer_arn(resolve(created, load_balancer)?)
                    .set_attributes(Some(attrs))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::DeleteLoadBalancer { load_balancer } => {
                elb.delete_load_balancer()
                    .load_balancer_arn(load_balancer)
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::CreateListener {
                load_balancer,
                port,
                protocol,
                certificate,
                ssl_policy,
                default_action,
                tags,
            } => {
                let default = created
                    .resolve_action(default_action)
                    .map_err(|u| ApplyErrorKind::Unresolved(u.to_string()))?;
                let out = elb
                    .create_listener()
                    .load_balancer_arn(resolve(created, load_balancer)?)
                    .port(i32::from(*port))
                    .protocol(elb::ProtocolEnum::from(protocol.as_str()))
                    .set_certificates(
                        certificate
                            .as_ref()
                            .map(|c| vec![elb::Certificate::builder().certificate_arn(c).build()]),
                    )
                    .set_ssl_policy(ssl_policy.clone())
                    .default_actions(action(&default, 1)?)
                    .set_tags(Some(elb_tags(tags)))
                    .send()
                    .await
                    .map_err(sdk_kind)?;
                let arn = first_arn(out.listeners(), |l| l.listener_arn(), "CreateListener")?;
                return Ok(Some(arn));
            }
            Call::ModifyListener {
                listener,
                protocol,
                certificate,
                ssl_policy,
                default_action,
            } => {
                let default = match default_action {
                    Some(a) => Some(action(
                        &created
                            .resolve_action(a)
                            .map_err(|u| ApplyErrorKind::Unresolved(u.to_string()))?,
                        1,
                    )?),
                    None => None,
                };
                elb.modify_listener()
                    .listener_arn(listener)
                    .set_protocol(protocol.map(|p| elb::ProtocolEnum::from(p.as_str())))
                    .set_certificates(
                        certificate
                            .as_ref()
                            .map(|c| vec![elb::Certificate::builder().certificate_arn(c).build()]),
                    )
                    .set_ssl_policy(ssl_policy.clone())
                    .set_default_actions(default.map(|a| vec![a]))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::AddListenerCertificates {
                listener,
                certificates,
            } => {
                elb.add_listener_certificates()
                    .listener_arn(resolve(created, listener)?)
                    .set_certificates(Some(certs(certificates)))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::RemoveListenerCertificates {
                listener,
                certificates,
            } => {
                elb.remove_listener_certificates()
                    .listener_arn(listener)
                    .set_certificates(Some(certs(certificates)))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::DeleteListener { listener } => {
                elb.delete_listener()
                    .listener_arn(listener)
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::CreateRule {
                listener,
                priority,
                rule,
                tags,
            } => {
                let (conds, acts) = rule_parts(created, rule)?;
                elb.create_rule()
                    .listener_arn(resolve(created, listener)?)
                    .priority(*priority as i32)
                    .set_conditions(Some(conds))
                    .set_actions(Some(acts))
                    .set_tags(Some(elb_tags(tags)))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::ModifyRule { rule, spec } => {
                let (conds, acts) = rule_parts(created, spec)?;
                elb.modify_rule()
                    .rule_arn(rule)
                    .set_conditions(Some(conds))
                    .set_actions(Some(acts))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::DeleteRule { rule } => {
                elb.delete_rule()
                    .rule_arn(rule)
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::AddTags { resource, tags } => {
                elb.add_tags()
                    .resource_arns(resource)
                    .set_tags(Some(elb_tags(tags)))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            Call::RemoveTags { resource, keys } => {
                elb.remove_tags()
                    .resource_arns(resource)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await
                    .map(drop)
                    .map_err(sdk_kind)?;
            }
            other => {
                return Err(ApplyErrorKind::Other(format!(
                    "not an ELBv2 call: {}",
                    other.action()
                )))
            }
        }
        Ok(None)
    }

    /// Every move of one listener in one `SetRulePriorities`; where ELB refuses it because a target is held
    /// (moto refuses any shift or swap), the same moves one at a time in a collision-free order.
    pub(super) async fn set_priorities(
        &self,
        listener: &str,
        moves: &[Move],
        calls: &mut usize,
    ) -> Result<(), ApplyErrorKind> {
        let pairs = |ms: &mut dyn Iterator<Item = (&str, u32)>| -> Vec<elb::RulePriorityPair> {
            ms.map(|(rule, p)| {
                elb::RulePriorityPair::builder()
                    .rule_arn(rule)
                    .priority(p as i32)
                    .build()
            })
            .collect()
        };
        let all = pairs(&mut moves.iter().map(|m| (m.rule.as_str(), m.to)));
        let once = self
            .elb
            .set_rule_priorities()
            .set_rule_priorities(Some(all))
            .send()
            .await
            .map(drop)
            .map_err(sdk_kind);
        match once {
            Ok(()) => return Ok(()),
            Err(kind) if is_priority_in_use(&kind) => {}
            Err(kind) => return Err(kind),
        }
        self.permits
            .permit(ApiClass::Describe)
            .await
            .map_err(|e| ApplyErrorKind::Other(e.to_string()))?;
        *calls += 1;
        let occupied = self.occupied_priorities(listener).await?;
        for (rule, priority) in collision_free_moves(moves, &occupied) {
            self.permits
                .permit(ApiClass::Mutating)
                .await
                .map_err(|e| ApplyErrorKind::Other(e.to_string()))?;
            *calls += 1;
            self.elb
                .set_rule_priorities()
                .set_rule_priorities(Some(pairs(&mut std::iter::once((rule.as_str(), priority)))))
                .send()
                .await
                .map(drop)
                .map_err(sdk_kind)?;
        }
        Ok(())
    }

    /// The priorities the listener's rules hold now (one DescribeRules page: a listener holds at most 100).
    async fn occupied_priorities(&self, listener: &str) -> Result<BTreeSet<u32>, ApplyErrorKind> {
        let out = self
            .elb
            .describe_rules()
            .listener_arn(listener)
            .send()
            .await
            .map_err(sdk_kind)?;
        Ok(out
            .rules()
            .iter()
            .filter_map(|r| r.priority()?.parse().ok())
            .collect())
    }
}

fn certs(arns: &[String]) -> Vec<elb::Certificate> {
    arns.iter()
        .map(|c| elb::Certificate::builder().certificate_arn(c).build())
        .collect()
}

fn lb_ip_type(t: IpAddressType) -> elb::IpAddressType {
    match t {
        IpAddressType::Ipv4 => elb::IpAddressType::Ipv4,
        IpAddressType::Dualstack => elb::IpAddressType::Dualstack,
    }
}
