//! DescribeTargetGroups over the target groups a model was given, for a daemon that finds them by name.

use std::time::Duration;

use tgsync_actors::domain::TargetGroupKey;
use tgsync_actors::elb::ElbError;
use tgsync_actors::gates::DESCRIBE_TARGET_GROUPS_MAX;

use super::stack::StackError;
use super::{ElbModel, HealthCheck};

impl ElbModel {
    /// DescribeTargetGroups by `names` or by `arns` (not both), or every target group when both are empty, over
    /// the target groups the model was created with: one Describe token, one stack-ledger row. Any name or ARN
    /// the model does not hold answers `TargetGroupNotFound`, as AWS does, and so does naming more than 20.
    pub async fn describe_target_groups(
        &self,
        names: Vec<String>,
        arns: Vec<String>,
    ) -> Result<Vec<TargetGroupKey>, StackError> {
        self.charged("DescribeTargetGroups", move |inner| {
            if names.len().max(arns.len()) > DESCRIBE_TARGET_GROUPS_MAX {
                return Err(StackError::new(
                    "ValidationError",
                    format!(
                        "You cannot describe more than '{DESCRIBE_TARGET_GROUPS_MAX}' target groups at a time"
                    ),
                ));
            }
            if !names.is_empty() && !arns.is_empty() {
                return Err(StackError::new(
                    "ValidationError",
                    "Target group names and target group ARNs cannot be specified at the same time",
                ));
            }
            let mut live: Vec<&TargetGroupKey> = inner
                .tgs
                .keys()
                .filter(|k| !inner.deleted.contains(*k))
                .collect();
            live.sort();
            if names.is_empty() && arns.is_empty() {
                return Ok(live.into_iter().cloned().collect());
            }
            let wanted = |k: &TargetGroupKey, want: &str| {
                if arns.is_empty() {
                    name_of(k.as_str()) == Some(want)
                } else {
                    k.as_str() == want
                }
            };
            names
                .iter()
                .chain(&arns)
                .map(|want| {
                    live.iter()
                        .find(|k| wanted(k, want))
                        .map(|k| (*k).clone())
                        .ok_or_else(|| {
                            StackError::new(
                                "TargetGroupNotFound",
                                format!("One or more target groups not found: {want}"),
                            )
                        })
                })
                .collect()
        })
        .await
    }
}

impl ElbModel {
    /// The health check every target group of the model has.
    pub fn health_check(&self) -> HealthCheck {
        self.0.borrow().config.health
    }

    /// One DescribeTargetGroups by the ARNs `tgs`, answering each one's health-check interval (what the
    /// daemon's readiness gates read); errors classified as the SDK adapter classifies them.
    pub(crate) async fn health_check_intervals_of(
        &self,
        tgs: Vec<TargetGroupKey>,
    ) -> Result<Vec<(TargetGroupKey, Duration)>, ElbError> {
        let arns = tgs.iter().map(|tg| tg.as_str().to_owned()).collect();
        let found = self
            .describe_target_groups(Vec::new(), arns)
            .await
            .map_err(|e| match e.code {
                "Throttling" => ElbError::Throttled,
                "TargetGroupNotFound" => ElbError::TargetGroupNotFound(e.message),
                _ => ElbError::Other(e.to_string()),
            })?;
        let every = self.health_check().interval;
        Ok(found.into_iter().map(|tg| (tg, every)).collect())
    }
}

/// The name in a target group ARN (`…:targetgroup/<name>/<id>`).
pub fn name_of(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":targetgroup/")?;
    rest.split('/').next().filter(|n| !n.is_empty())
}
