//! In-memory Kubernetes writes and ELBv2 for the manager's tests, sharing one log so a test can check what
//! happened before what.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{CallFuture, ElbError, ElbTargets, HealthState, TargetHealth};

use crate::controller::bindings::kube_writes::{FinalizerWrite, KubeWrites};
use crate::controller::bindings::tg_lookup::TgLookup;
use crate::controller::retry::OpError;
use crate::crd::TargetGroupBinding;

/// Every call either fake saw, in order: `"<verb> <object>"`.
pub type Log = Rc<RefCell<Vec<String>>>;

/// What the fake API server holds after the manager's writes.
#[derive(Default)]
pub struct KubeState {
    /// Last status that landed, by `ns/name`: (observedGeneration, conditions).
    pub status: HashMap<String, (Option<i64>, Vec<Condition>)>,
    /// Checkpoint annotation by `ns/name`.
    pub checkpoint: HashMap<String, String>,
    /// Events as (object, warning, reason).
    pub events: Vec<(String, bool, String)>,
    /// Pod conditions set True, as (`ns/pod`, condition).
    pub pod_conditions: Vec<(String, String)>,
    /// Status writes that fail before one lands.
    pub failing_status_writes: u32,
}

/// `KubeWrites` in memory.
#[derive(Clone, Default)]
pub struct FakeKube {
    pub state: Rc<RefCell<KubeState>>,
    pub log: Log,
}

impl FakeKube {
    fn note(&self, line: String) {
        self.log.borrow_mut().push(line);
    }
}

impl KubeWrites for FakeKube {
    async fn patch_status(
        &self,
        ns: &str,
        name: &str,
        generation: Option<i64>,
        conditions: &[Condition],
    ) -> Result<(), OpError> {
        let mut st = self.state.borrow_mut();
        if st.failing_status_writes > 0 {
            st.failing_status_writes -= 1;
            drop(st);
            self.note(format!("status-failed {ns}/{name}"));
            return Err(OpError::Timeout(std::time::Duration::from_secs(15)));
        }
        st.status
            .insert(format!("{ns}/{name}"), (generation, conditions.to_vec()));
        drop(st);
        self.note(format!("status {ns}/{name}"));
        Ok(())
    }

    async fn write_finalizer(
        &self,
        ns: &str,
        name: &str,
        applied: Option<&str>,
    ) -> Result<FinalizerWrite, OpError> {
        let verb = if applied.is_some() {
            "finalizer-add"
        } else {
            "finalizer-remove"
        };
        self.note(format!("{verb} {ns}/{name}"));
        Ok(FinalizerWrite::Done)
    }

    async fn set_checkpoint(&self, ns: &str, name: &str, value: Option<&str>) -> bool {
        let key = format!("{ns}/{name}");
        let mut st = self.state.borrow_mut();
        match value {
            Some(v) => st.checkpoint.insert(key.clone(), v.to_owned()),
            None => st.checkpoint.remove(&key),
        };
        drop(st);
        self.note(format!("checkpoint {key} {}", value.unwrap_or("-")));
        true
    }

    async fn load_owned(&self, ns: &str, name: &str) -> Result<Option<Vec<Target>>, OpError> {
        self.note(format!("load-owned {ns}/{name}"));
        Ok(None)
    }

    async fn store_owned(&self, ns: &str, name: &str, _: &str, targets: &[Target]) -> bool {
        self.note(format!("store-owned {ns}/{name} {}", targets.len()));
        true
    }

    async fn set_pod_condition(&self, ns: &str, pod: &str, kind: &str, _: &str, _: &str) -> bool {
        let key = format!("{ns}/{pod}");
        self.state
            .borrow_mut()
            .pod_conditions
            .push((key.clone(), kind.to_owned()));
        self.note(format!("pod-condition {key} {kind}"));
        true
    }

    async fn event(&self, obj: &TargetGroupBinding, warning: bool, reason: &str, _: String) {
        let key = format!(
            "{}/{}",
            obj.metadata.namespace.as_deref().unwrap_or_default(),
            obj.metadata.name.as_deref().unwrap_or_default()
        );
        self.state
            .borrow_mut()
            .events
            .push((key.clone(), warning, reason.to_owned()));
        self.note(format!("event {key} {reason}"));
    }
}

/// Target groups in memory: targets by ARN, ARNs by name, whether describes call targets healthy, and the
/// health-check interval DescribeTargetGroups answers (`None`: the call fails).
#[derive(Default)]
pub struct ElbState {
    pub groups: HashMap<String, BTreeSet<Target>>,
    pub names: HashMap<String, String>,
    pub healthy: bool,
    pub interval: Option<Duration>,
}

/// `TgLookup` (and so `ElbTargets`) in memory; a call to a missing target group answers not found.
#[derive(Clone, Default)]
pub struct FakeElb {
    pub state: Rc<RefCell<ElbState>>,
    pub log: Log,
}

impl FakeElb {
    /// The targets of `arn`, sorted.
    pub fn targets(&self, arn: &str) -> Vec<Target> {
        let st = self.state.borrow();
        st.groups.get(arn).into_iter().flatten().copied().collect()
    }

    fn change(
        &self,
        verb: &'static str,
        tg: &TargetGroupKey,
        targets: Vec<Target>,
        add: bool,
    ) -> CallFuture<()> {
        let (state, log, arn) = (self.state.clone(), self.log.clone(), tg.as_str().to_owned());
        Box::pin(async move {
            log.borrow_mut()
                .push(format!("{verb} {arn} {}", targets.len()));
            let mut st = state.borrow_mut();
            let group = st
                .groups
                .get_mut(&arn)
                .ok_or_else(|| ElbError::TargetGroupNotFound(arn.clone()))?;
            for t in targets {
                if add {
                    group.insert(t);
                } else {
                    group.remove(&t);
                }
            }
            Ok(())
        })
    }
}

impl ElbTargets for FakeElb {
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        self.change("register", tg, targets, true)
    }

    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        self.change("deregister", tg, targets, false)
    }

    fn health_check_intervals(
        &self,
        tgs: &[TargetGroupKey],
    ) -> CallFuture<Vec<(TargetGroupKey, Duration)>> {
        self.intervals(tgs)
    }

    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
        let (state, log, arn) = (self.state.clone(), self.log.clone(), tg.as_str().to_owned());
        Box::pin(async move {
            log.borrow_mut().push(format!("describe {arn}"));
            let st = state.borrow();
            let group = st
                .groups
                .get(&arn)
                .ok_or_else(|| ElbError::TargetGroupNotFound(arn.clone()))?;
            let state = if st.healthy {
                HealthState::Healthy
            } else {
                HealthState::Initial
            };
            Ok(group
                .iter()
                .map(|t| TargetHealth { target: *t, state })
                .collect())
        })
    }
}

impl FakeElb {
    /// DescribeTargetGroups by ARN: every one must exist, as in ELB.
    fn intervals(&self, tgs: &[TargetGroupKey]) -> CallFuture<Vec<(TargetGroupKey, Duration)>> {
        let (state, log, tgs) = (self.state.clone(), self.log.clone(), tgs.to_vec());
        Box::pin(async move {
            log.borrow_mut().push(format!("intervals {}", tgs.len()));
            let st = state.borrow();
            let every = st
                .interval
                .ok_or_else(|| ElbError::Other("AccessDenied".into()))?;
            tgs.into_iter()
                .map(|tg| match st.groups.contains_key(tg.as_str()) {
                    true => Ok((tg, every)),
                    false => Err(ElbError::TargetGroupNotFound(tg.to_string())),
                })
                .collect()
        })
    }
}

impl TgLookup for FakeElb {
    fn find_target_group(&self, name: &str) -> CallFuture<String> {
        let (state, log, name) = (self.state.clone(), self.log.clone(), name.to_owned());
        Box::pin(async move {
            log.borrow_mut().push(format!("find {name}"));
            let found = state.borrow().names.get(&name).cloned();
            found.ok_or(ElbError::TargetGroupNotFound(name))
        })
    }
}
