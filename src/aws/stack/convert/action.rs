//! Rule and default actions; target groups are named by `TgRef::Arn`, and a redirect's "keep the request's
//! own" placeholders come back as `None`, as the model writes them.

use aws_sdk_elasticloadbalancingv2::types::{
    Action as SdkAction, ForwardActionConfig, RedirectActionConfig,
};
use tgsync_actors::stack::{Action, Redirect, TgRef, WeightedTg};

use super::{required, Unmodelled};

/// Actions in their `Order`.
pub(in crate::aws::stack) fn actions(sdk: &[SdkAction]) -> Result<Vec<Action>, Unmodelled> {
    let mut sorted: Vec<&SdkAction> = sdk.iter().collect();
    // moto leaves `Order` out; a single action needs none.
    sorted.sort_by_key(|a| a.order().unwrap_or(i32::MAX));
    sorted.into_iter().map(action).collect()
}

fn action(a: &SdkAction) -> Result<Action, Unmodelled> {
    let kind = required(a.r#type(), "action type")?.as_str();
    match kind {
        "forward" => forward(a.forward_config(), a.target_group_arn()),
        "redirect" => Ok(Action::Redirect(redirect(required(
            a.redirect_config(),
            "redirect config",
        )?)?)),
        "fixed-response" => {
            let f = required(a.fixed_response_config(), "fixed-response config")?;
            Ok(Action::FixedResponse {
                status_code: required(f.status_code(), "fixed-response status code")?.to_owned(),
                content_type: f.content_type().map(str::to_owned),
                body: f.message_body().map(str::to_owned),
            })
        }
        other => Err(Unmodelled(format!("action type {other}"))),
    }
}

fn forward(config: Option<&ForwardActionConfig>, arn: Option<&str>) -> Result<Action, Unmodelled> {
    let tuples = config.map(|c| c.target_groups()).unwrap_or_default();
    let mut groups = if tuples.is_empty() {
        let arn = required(arn, "forward target group")?;
        vec![WeightedTg {
            tg: TgRef::Arn(arn.to_owned()),
            weight: None,
        }]
    } else {
        let single = tuples.len() == 1;
        tuples
            .iter()
            .map(|t| {
                Ok(WeightedTg {
                    tg: TgRef::Arn(
                        required(t.target_group_arn(), "forward target group")?.to_owned(),
                    ),
                    // The model gives a lone group no weight; AWS (and moto) answer with 1.
                    weight: if single {
                        None
                    } else {
                        t.weight().map(|w| u32::try_from(w).unwrap_or(0))
                    },
                })
            })
            .collect::<Result<Vec<_>, Unmodelled>>()?
    };
    groups.sort();
    let stickiness_seconds = config
        .and_then(|c| c.target_group_stickiness_config())
        .filter(|s| s.enabled() == Some(true))
        .map(|s| {
            s.duration_seconds()
                .map_or(0, |d| u32::try_from(d).unwrap_or(0))
        });
    Ok(Action::Forward {
        groups,
        stickiness_seconds,
    })
}

fn redirect(r: &RedirectActionConfig) -> Result<Redirect, Unmodelled> {
    // AWS fills what the caller left out with placeholders that mean "as in the request".
    let own =
        |v: Option<&str>, placeholder: &str| v.filter(|v| *v != placeholder).map(str::to_owned);
    Ok(Redirect {
        protocol: own(r.protocol(), "#{protocol}"),
        port: own(r.port(), "#{port}"),
        host: own(r.host(), "#{host}"),
        path: own(r.path(), "/#{path}"),
        query: own(r.query(), "#{query}"),
        status_code: required(r.status_code(), "redirect status code")?
            .as_str()
            .to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticloadbalancingv2::types::{
        ActionTypeEnum, FixedResponseActionConfig, RedirectActionStatusCodeEnum,
        TargetGroupStickinessConfig, TargetGroupTuple,
    };

    use super::*;

    fn tuple(arn: &str, weight: i32) -> TargetGroupTuple {
        TargetGroupTuple::builder()
            .target_group_arn(arn)
            .weight(weight)
            .build()
    }

    #[test]
    fn a_lone_target_group_has_no_weight_however_aws_spells_it() {
        let top_level = SdkAction::builder()
            .r#type(ActionTypeEnum::Forward)
            .target_group_arn("arn:tg/a")
            .build();
        let configured = SdkAction::builder()
            .r#type(ActionTypeEnum::Forward)
            .forward_config(
                ForwardActionConfig::builder()
                    .target_groups(tuple("arn:tg/a", 1))
                    .target_group_stickiness_config(
                        TargetGroupStickinessConfig::builder()
                            .enabled(false)
                            .build(),
                    )
                    .build(),
            )
            .build();
        let expected = vec![Action::Forward {
            groups: vec![WeightedTg {
                tg: TgRef::Arn("arn:tg/a".into()),
                weight: None,
            }],
            stickiness_seconds: None,
        }];
        assert_eq!(actions(&[top_level]).unwrap(), expected);
        assert_eq!(actions(&[configured]).unwrap(), expected);
    }

    #[test]
    fn weighted_groups_are_sorted_and_keep_stickiness() {
        let sdk = SdkAction::builder()
            .r#type(ActionTypeEnum::Forward)
            .forward_config(
                ForwardActionConfig::builder()
                    .target_groups(tuple("arn:tg/b", 20))
                    .target_groups(tuple("arn:tg/a", 80))
                    .target_group_stickiness_config(
                        TargetGroupStickinessConfig::builder()
                            .enabled(true)
                            .duration_seconds(60)
                            .build(),
                    )
                    .build(),
            )
            .build();
        assert_eq!(
            actions(&[sdk]).unwrap(),
            vec![Action::Forward {
                groups: vec![
                    WeightedTg {
                        tg: TgRef::Arn("arn:tg/a".into()),
                        weight: Some(80)
                    },
                    WeightedTg {
                        tg: TgRef::Arn("arn:tg/b".into()),
                        weight: Some(20)
                    },
                ],
                stickiness_seconds: Some(60),
            }]
        );
    }

    #[test]
    fn redirect_placeholders_are_none_and_fixed_responses_convert() {
        let redirect = SdkAction::builder()
            .r#type(ActionTypeEnum::Redirect)
            .order(2)
            .redirect_config(
                RedirectActionConfig::builder()
                    .protocol("HTTPS")
                    .port("443")
                    .host("#{host}")
                    .path("/#{path}")
                    .query("#{query}")
                    .status_code(RedirectActionStatusCodeEnum::Http301)
                    .build(),
            )
            .build();
        let fixed = SdkAction::builder()
            .r#type(ActionTypeEnum::FixedResponse)
            .order(1)
            .fixed_response_config(
                FixedResponseActionConfig::builder()
                    .status_code("503")
                    .content_type("text/plain")
                    .message_body("Backend service does not exist")
                    .build(),
            )
            .build();
        assert_eq!(
            actions(&[redirect, fixed]).unwrap(),
            vec![
                Action::fixed("503", Some("Backend service does not exist")),
                Action::Redirect(Redirect {
                    protocol: Some("HTTPS".into()),
                    port: Some("443".into()),
                    status_code: "HTTP_301".into(),
                    ..Redirect::default()
                }),
            ]
        );
    }

    #[test]
    fn authentication_and_broken_actions_are_unmodelled() {
        let auth = SdkAction::builder()
            .r#type(ActionTypeEnum::AuthenticateOidc)
            .build();
        assert_eq!(
            actions(&[auth]),
            Err(Unmodelled("action type authenticate-oidc".into()))
        );
        let no_tg = SdkAction::builder().r#type(ActionTypeEnum::Forward).build();
        assert!(actions(&[no_tg]).is_err());
        let no_status = SdkAction::builder()
            .r#type(ActionTypeEnum::FixedResponse)
            .fixed_response_config(FixedResponseActionConfig::builder().build())
            .build();
        assert!(actions(&[no_status]).is_err());
    }
}
