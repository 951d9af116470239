use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;

/// The condition types tgsync sets on a binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionKind {
    /// The binding is valid and its target group is being kept in sync.
    Ready,
    /// `spec.networking` is stored but its security-group rules are not managed (yet).
    NetworkingNotManaged,
    /// More targets are wanted than the target group may hold: the lowest that fit are registered.
    TargetsOverQuota,
}

impl ConditionKind {
    /// The condition's `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionKind::Ready => "Ready",
            ConditionKind::NetworkingNotManaged => "NetworkingNotManaged",
            ConditionKind::TargetsOverQuota => "TargetsOverQuota",
        }
    }
}

/// One condition to set: type, status, a CamelCase reason and a human message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionUpdate {
    /// Which condition.
    pub kind: ConditionKind,
    /// `True` or `False`.
    pub status: bool,
    /// CamelCase reason, e.g. `TargetGroupNotFound`.
    pub reason: String,
    /// What a human should know.
    pub message: String,
}

/// Sets `update` in `conditions`, keeping the last transition time when the status did not change.
/// Returns whether anything changed.
pub fn merge_condition(
    conditions: &mut Vec<Condition>,
    update: &ConditionUpdate,
    generation: Option<i64>,
    now: Timestamp,
) -> bool {
    let status = if update.status { "True" } else { "False" };
    let fresh = Condition {
        type_: update.kind.as_str().to_owned(),
        status: status.to_owned(),
        reason: update.reason.clone(),
        message: update.message.clone(),
        observed_generation: generation,
        last_transition_time: Time(now),
    };
    match conditions.iter_mut().find(|c| c.type_ == fresh.type_) {
        Some(old) => {
            let same = old.status == fresh.status
                && old.reason == fresh.reason
                && old.message == fresh.message
                && old.observed_generation == fresh.observed_generation;
            if same {
                return false;
            }
            let keep_time = old.status == fresh.status;
            let time = old.last_transition_time.clone();
            *old = fresh;
            if keep_time {
                old.last_transition_time = time;
            }
            true
        }
        None => {
            conditions.push(fresh);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(status: bool, reason: &str) -> ConditionUpdate {
        ConditionUpdate {
            kind: ConditionKind::Ready,
            status,
            reason: reason.into(),
            message: "m".into(),
        }
    }

    #[test]
    fn adds_then_keeps_transition_time_while_status_holds() {
        let t0 = Timestamp::from_second(1_000).unwrap();
        let t1 = Timestamp::from_second(2_000).unwrap();
        let mut cs = Vec::new();
        assert!(merge_condition(
            &mut cs,
            &ready(true, "Synced"),
            Some(1),
            t0
        ));
        assert!(!merge_condition(
            &mut cs,
            &ready(true, "Synced"),
            Some(1),
            t1
        ));
        assert!(merge_condition(
            &mut cs,
            &ready(true, "Synced"),
            Some(2),
            t1
        ));
        assert_eq!(cs[0].last_transition_time, Time(t0));
        assert!(merge_condition(&mut cs, &ready(false, "Gone"), Some(2), t1));
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].status, "False");
        assert_eq!(cs[0].last_transition_time, Time(t1));
    }
}
