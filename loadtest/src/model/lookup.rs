//! DescribeTargetGroups over the target groups a model was given, for a daemon that finds them by name.

use tgsync_actors::domain::TargetGroupKey;

use super::stack::StackError;
use super::ElbModel;

impl ElbModel {
    /// DescribeTargetGroups by `names` or by `arns` (not both), or every target group when both are empty, over
    /// the target groups the model was created with: one Describe token, one stack-ledger row. Any name or ARN
    /// the model does not hold answers `TargetGroupNotFound`, as AWS does.
    pub async fn describe_target_groups(
        &self,
        names: Vec<String>,
        arns: Vec<String>,
    ) -> Result<Vec<TargetGroupKey>, StackError> {
        self.charged("DescribeTargetGroups", move |inner| {
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

/// The name in a target group ARN (`…:targetgroup/<name>/<id>`).
pub fn name_of(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":targetgroup/")?;
    rest.split('/').next().filter(|n| !n.is_empty())
}
