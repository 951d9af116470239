//! The model's shapes as the SDKs' request types. Actions must name target groups by ARN by now
//! (`Created::resolve_action`); a model id left in one is the plan's bug and fails the call.

use aws_sdk_ec2::types as ec2;
use aws_sdk_elasticloadbalancingv2::types as elb;
use tgsync_actors::stack::{Action, Condition, Permission, Tags, TgRef};

use super::ApplyErrorKind;

/// ELBv2 tags.
pub fn elb_tags(tags: &Tags) -> Vec<elb::Tag> {
    tags.iter()
        .map(|(k, v)| elb::Tag::builder().key(k).value(v).build())
        .collect()
}

/// EC2 tags.
pub fn ec2_tags(tags: &Tags) -> Vec<ec2::Tag> {
    tags.iter()
        .map(|(k, v)| ec2::Tag::builder().key(k).value(v).build())
        .collect()
}

/// A rule's conditions.
pub fn conditions(conditions: &[Condition]) -> Vec<elb::RuleCondition> {
    conditions.iter().map(condition).collect()
}

fn condition(c: &Condition) -> elb::RuleCondition {
    let b = elb::RuleCondition::builder();
    match c {
        Condition::HostHeader(v) => b.field("host-header").host_header_config(
            elb::HostHeaderConditionConfig::builder()
                .set_values(Some(v.clone()))
                .build(),
        ),
        Condition::PathPattern(v) => b.field("path-pattern").path_pattern_config(
            elb::PathPatternConditionConfig::builder()
                .set_values(Some(v.clone()))
                .build(),
        ),
        Condition::HttpHeader { name, values } => b.field("http-header").http_header_config(
            elb::HttpHeaderConditionConfig::builder()
                .http_header_name(name)
                .set_values(Some(values.clone()))
                .build(),
        ),
        Condition::HttpRequestMethod(v) => {
            b.field("http-request-method").http_request_method_config(
                elb::HttpRequestMethodConditionConfig::builder()
                    .set_values(Some(v.clone()))
                    .build(),
            )
        }
        Condition::QueryString(pairs) => b.field("query-string").query_string_config(
            elb::QueryStringConditionConfig::builder()
                .set_values(Some(
                    pairs
                        .iter()
                        .map(|(k, v)| {
                            elb::QueryStringKeyValuePair::builder()
                                .set_key(k.clone())
                                .value(v)
                                .build()
                        })
                        .collect(),
                ))
                .build(),
        ),
        Condition::SourceIp(v) => b.field("source-ip").source_ip_config(
            elb::SourceIpConditionConfig::builder()
                .set_values(Some(v.clone()))
                .build(),
        ),
    }
    .build()
}

/// Actions in order (`Order` 1, 2, ...).
pub fn actions(actions: &[Action]) -> Result<Vec<elb::Action>, ApplyErrorKind> {
    actions
        .iter()
        .enumerate()
        .map(|(i, a)| action(a, i as i32 + 1))
        .collect()
}

/// One action at `order`.
pub fn action(a: &Action, order: i32) -> Result<elb::Action, ApplyErrorKind> {
    let b = elb::Action::builder().order(order);
    Ok(match a {
        Action::Forward {
            groups,
            stickiness_seconds,
        } => {
            let mut tuples = Vec::with_capacity(groups.len());
            for g in groups {
                let TgRef::Arn(arn) = &g.tg else {
                    return Err(ApplyErrorKind::Unresolved(format!("{:?}", g.tg)));
                };
                let t = elb::TargetGroupTuple::builder().target_group_arn(arn);
                tuples.push(
                    match g.weight {
                        Some(w) => t.weight(w as i32),
                        None => t,
                    }
                    .build(),
                );
            }
            let mut config = elb::ForwardActionConfig::builder().set_target_groups(Some(tuples));
            if let Some(secs) = stickiness_seconds {
                config = config.target_group_stickiness_config(
                    elb::TargetGroupStickinessConfig::builder()
                        .enabled(true)
                        .duration_seconds(*secs as i32)
                        .build(),
                );
            }
            b.r#type(elb::ActionTypeEnum::Forward)
                .forward_config(config.build())
        }
        Action::Redirect(r) => b.r#type(elb::ActionTypeEnum::Redirect).redirect_config(
            elb::RedirectActionConfig::builder()
                .set_protocol(r.protocol.clone())
                .set_port(r.port.clone())
                .set_host(r.host.clone())
                .set_path(r.path.clone())
                .set_query(r.query.clone())
                .status_code(elb::RedirectActionStatusCodeEnum::from(
                    r.status_code.as_str(),
                ))
                .build(),
        ),
        Action::FixedResponse {
            status_code,
            content_type,
            body,
        } => b
            .r#type(elb::ActionTypeEnum::FixedResponse)
            .fixed_response_config(
                elb::FixedResponseActionConfig::builder()
                    .status_code(status_code)
                    .set_content_type(content_type.clone())
                    .set_message_body(body.clone())
                    .build(),
            ),
    }
    .build())
}

/// Security-group ingress rules, one permission per (protocol, port) with its IPv4 and IPv6 ranges.
pub fn permissions(perms: &[Permission]) -> Vec<ec2::IpPermission> {
    let mut by_port: std::collections::BTreeMap<(&str, u16), Vec<&str>> = Default::default();
    for p in perms {
        by_port
            .entry((p.protocol.as_str(), p.port))
            .or_default()
            .push(p.cidr.as_str());
    }
    by_port
        .into_iter()
        .map(|((protocol, port), cidrs)| {
            let (v6, v4): (Vec<&str>, Vec<&str>) = cidrs.into_iter().partition(|c| c.contains(':'));
            ec2::IpPermission::builder()
                .ip_protocol(protocol)
                .from_port(i32::from(port))
                .to_port(i32::from(port))
                .set_ip_ranges((!v4.is_empty()).then(|| {
                    v4.iter()
                        .map(|c| ec2::IpRange::builder().cidr_ip(*c).build())
                        .collect()
                }))
                .set_ipv6_ranges((!v6.is_empty()).then(|| {
                    v6.iter()
                        .map(|c| ec2::Ipv6Range::builder().cidr_ipv6(*c).build())
                        .collect()
                }))
                .build()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use tgsync_actors::stack::{Redirect, WeightedTg};

    use super::*;

    #[test]
    fn a_weighted_sticky_forward_names_its_groups_by_arn_in_order() {
        let a = Action::Forward {
            groups: vec![
                WeightedTg {
                    tg: TgRef::Arn("arn:a".into()),
                    weight: Some(3),
                },
                WeightedTg {
                    tg: TgRef::Arn("arn:b".into()),
                    weight: Some(1),
                },
            ],
            stickiness_seconds: Some(60),
        };
        let sdk = action(&a, 1).expect("resolved");
        let fwd = sdk.forward_config().expect("a forward");
        let arns: Vec<_> = fwd
            .target_groups()
            .iter()
            .map(|t| (t.target_group_arn(), t.weight()))
            .collect();
        assert_eq!(arns, [(Some("arn:a"), Some(3)), (Some("arn:b"), Some(1))]);
        assert_eq!(
            fwd.target_group_stickiness_config()
                .and_then(|s| s.duration_seconds()),
            Some(60)
        );
        assert_eq!(sdk.order(), Some(1));
    }

    #[test]
    fn an_unresolved_group_fails_the_call_instead_of_sending_it() {
        assert!(matches!(
            action(&Action::forward_to("ns/web-svc:80"), 1),
            Err(ApplyErrorKind::Unresolved(_))
        ));
    }

    #[test]
    fn redirects_and_fixed_responses_carry_their_fields() {
        let r = Action::Redirect(Redirect {
            protocol: Some("HTTPS".into()),
            port: Some("443".into()),
            status_code: "HTTP_301".into(),
            ..Redirect::default()
        });
        let sdk = action(&r, 1).expect("no target groups");
        let cfg = sdk.redirect_config().expect("a redirect");
        assert_eq!(
            (cfg.protocol(), cfg.port(), cfg.host()),
            (Some("HTTPS"), Some("443"), None)
        );
        let f = action(
            &Action::fixed("503", Some("Backend service does not exist")),
            2,
        )
        .expect("fixed");
        let cfg = f.fixed_response_config().expect("fixed");
        assert_eq!(cfg.status_code(), Some("503"));
        assert_eq!(cfg.message_body(), Some("Backend service does not exist"));
    }

    #[test]
    fn permissions_group_cidrs_by_port_and_family() {
        let p = |port, cidr: &str| Permission {
            protocol: "tcp".into(),
            port,
            cidr: cidr.into(),
        };
        let sdk = permissions(&[p(80, "0.0.0.0/0"), p(80, "::/0"), p(443, "10.0.0.0/8")]);
        assert_eq!(sdk.len(), 2);
        assert_eq!(sdk[0].from_port(), Some(80));
        assert_eq!(sdk[0].ip_ranges().len(), 1);
        assert_eq!(sdk[0].ipv6_ranges().len(), 1);
        assert_eq!(sdk[1].ip_ranges()[0].cidr_ip(), Some("10.0.0.0/8"));
    }
}
