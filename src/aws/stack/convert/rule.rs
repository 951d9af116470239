//! Listener rules. The default rule is the listener's default action, not a rule; a rule whose content the
//! model cannot hold comes back empty, so it equals no rule tgsync wants and is replaced or deleted.

use aws_sdk_elasticloadbalancingv2::types::Rule;
use tgsync_actors::stack::{LiveRule, RuleSpec};
use tracing::warn;

use super::{actions, conditions, required, Unmodelled};
use crate::aws::stack::ReadError;

/// A rule, or `None` for the default rule.
pub(in crate::aws::stack) fn rule(r: &Rule) -> Result<Option<LiveRule>, ReadError> {
    let arn = required(r.rule_arn(), "rule ARN").map_err(|u| u.on("a rule"))?;
    let priority = required(r.priority(), "rule priority").map_err(|u| u.on(arn))?;
    if r.is_default() == Some(true) || priority == "default" {
        return Ok(None);
    }
    let priority = priority
        .parse::<u32>()
        .map_err(|_| Unmodelled(format!("priority {priority}")).on(arn))?;
    let spec = match (conditions(r.conditions()), actions(r.actions())) {
        (Ok(conditions), Ok(actions)) => RuleSpec {
            conditions,
            actions,
        },
        (Err(Unmodelled(why)), _) | (_, Err(Unmodelled(why))) => {
            warn!(
                rule = arn,
                why, "rule content tgsync does not model: it will be replaced"
            );
            RuleSpec {
                conditions: vec![],
                actions: vec![],
            }
        }
    };
    Ok(Some(LiveRule {
        arn: arn.to_owned(),
        priority,
        spec,
    }))
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action as SdkAction, ActionTypeEnum, RuleCondition,
    };
    use tgsync_actors::stack::{Action, Condition};

    use super::*;

    fn forward() -> SdkAction {
        SdkAction::builder()
            .r#type(ActionTypeEnum::Forward)
            .target_group_arn("arn:tg/a")
            .build()
    }

    #[test]
    fn the_default_rule_is_dropped() {
        let default = Rule::builder()
            .rule_arn("arn:rule/0")
            .priority("default")
            .is_default(true)
            .actions(forward())
            .build();
        assert_eq!(rule(&default), Ok(None));
    }

    #[test]
    fn a_rule_converts_with_its_priority() {
        let r = Rule::builder()
            .rule_arn("arn:rule/1")
            .priority("7")
            .is_default(false)
            .conditions(
                RuleCondition::builder()
                    .field("path-pattern")
                    .values("/x")
                    .build(),
            )
            .actions(forward())
            .build();
        let live = rule(&r).unwrap().unwrap();
        assert_eq!(live.priority, 7);
        assert_eq!(
            live.spec.conditions,
            vec![Condition::PathPattern(vec!["/x".into()])]
        );
        assert!(matches!(
            live.spec.actions.as_slice(),
            [Action::Forward { .. }]
        ));
    }

    #[test]
    fn unmodelled_content_is_an_empty_rule_and_a_bad_priority_an_error() {
        let auth = Rule::builder()
            .rule_arn("arn:rule/2")
            .priority("3")
            .conditions(
                RuleCondition::builder()
                    .field("path-pattern")
                    .values("/x")
                    .build(),
            )
            .actions(
                SdkAction::builder()
                    .r#type(ActionTypeEnum::AuthenticateCognito)
                    .build(),
            )
            .actions(forward())
            .build();
        let live = rule(&auth).unwrap().unwrap();
        assert_eq!(live.priority, 3);
        assert!(live.spec.conditions.is_empty() && live.spec.actions.is_empty());

        let bad = Rule::builder()
            .rule_arn("arn:rule/3")
            .priority("first")
            .build();
        assert!(matches!(rule(&bad), Err(ReadError::Malformed(_))));
    }
}
