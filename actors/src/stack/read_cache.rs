//! What a stack read may take from the last one instead of asking AWS again: the tags and attributes of
//! load balancers and target groups, by ARN. tgsync changes them only through plans, which evict what they
//! touch; an entry also expires, so a change made outside tgsync is seen within `ttl`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::plan::{Call, Plan, Ref};
use super::tags::Tags;

/// How long an entry is trusted unless a plan touches it: the supervisors' resync period, so drift made
/// outside tgsync is repaired by the second resync at the latest.
pub const READ_CACHE_TTL: Duration = Duration::from_secs(600);

/// Tags and attributes by ARN, shared by every read of one reader (and its clones).
#[derive(Debug)]
pub struct ReadCache {
    ttl: Duration,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    tags: HashMap<String, (Instant, Tags)>,
    attributes: HashMap<String, (Instant, BTreeMap<String, String>)>,
}

impl Default for ReadCache {
    fn default() -> Self {
        ReadCache::new(READ_CACHE_TTL)
    }
}

impl ReadCache {
    /// An empty cache whose entries live `ttl`.
    pub fn new(ttl: Duration) -> Self {
        ReadCache {
            ttl,
            entries: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves plain maps behind, still consistent.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fresh tags among `arns`, and the ARNs whose tags must be asked for (in `arns`' order).
    pub fn tags(&self, arns: &[String], now: Instant) -> (HashMap<String, Tags>, Vec<String>) {
        let mut entries = self.lock();
        let ttl = self.ttl;
        entries
            .tags
            .retain(|_, (at, _)| now.saturating_duration_since(*at) < ttl);
        let mut hits = HashMap::new();
        let mut misses = Vec::new();
        for arn in arns {
            match entries.tags.get(arn) {
                Some((_, t)) => {
                    hits.insert(arn.clone(), t.clone());
                }
                None => misses.push(arn.clone()),
            }
        }
        (hits, misses)
    }

    /// Keeps tags AWS answered.
    pub fn put_tags(&self, arn: &str, tags: &Tags, now: Instant) {
        self.lock().tags.insert(arn.to_owned(), (now, tags.clone()));
    }

    /// The attributes of `arn`, if fresh.
    pub fn attributes(&self, arn: &str, now: Instant) -> Option<BTreeMap<String, String>> {
        let mut entries = self.lock();
        let ttl = self.ttl;
        entries
            .attributes
            .retain(|_, (at, _)| now.saturating_duration_since(*at) < ttl);
        entries.attributes.get(arn).map(|(_, a)| a.clone())
    }

    /// Keeps attributes AWS answered.
    pub fn put_attributes(&self, arn: &str, attributes: &BTreeMap<String, String>, now: Instant) {
        self.lock()
            .attributes
            .insert(arn.to_owned(), (now, attributes.clone()));
    }

    /// Forgets what `plan` changes or deletes. Called before the plan is applied, so a plan that stops
    /// half-way leaves nothing stale behind either.
    pub fn forget(&self, plan: &Plan) {
        let mut entries = self.lock();
        for call in &plan.calls {
            let arn = match call {
                Call::AddTags { resource, .. } | Call::RemoveTags { resource, .. } => resource,
                Call::ModifyTargetGroupAttributes {
                    target_group: Ref::Existing(arn),
                    ..
                }
                | Call::ModifyLoadBalancerAttributes {
                    load_balancer: Ref::Existing(arn),
                    ..
                } => arn,
                Call::DeleteTargetGroup { target_group } => target_group,
                Call::DeleteLoadBalancer { load_balancer } => load_balancer,
                _ => continue,
            };
            entries.tags.remove(arn);
            entries.attributes.remove(arn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(v: &str) -> Tags {
        [("k".to_owned(), v.to_owned())].into_iter().collect()
    }

    #[test]
    fn hits_until_the_ttl_then_asks_again() {
        let cache = ReadCache::new(Duration::from_secs(10));
        let t0 = Instant::now();
        cache.put_tags("a", &tags("1"), t0);
        let arns = ["a".to_owned(), "b".to_owned()];
        let (hits, misses) = cache.tags(&arns, t0 + Duration::from_secs(9));
        assert_eq!(hits.get("a"), Some(&tags("1")));
        assert_eq!(misses, ["b"]);
        let (hits, misses) = cache.tags(&arns, t0 + Duration::from_secs(10));
        assert!(hits.is_empty());
        assert_eq!(misses, ["a", "b"]);
    }

    #[test]
    fn a_plan_evicts_what_it_changes_and_nothing_else() {
        let cache = ReadCache::default();
        let now = Instant::now();
        let attrs: BTreeMap<String, String> = [("x".to_owned(), "1".to_owned())].into();
        for arn in ["tagged", "modified", "deleted", "kept"] {
            cache.put_tags(arn, &tags(arn), now);
            cache.put_attributes(arn, &attrs, now);
        }
        let plan = Plan {
            calls: vec![
                Call::AddTags {
                    resource: "tagged".into(),
                    tags: tags("2"),
                },
                Call::ModifyTargetGroupAttributes {
                    target_group: Ref::Existing("modified".into()),
                    attributes: attrs.clone(),
                },
                Call::DeleteTargetGroup {
                    target_group: "deleted".into(),
                },
            ],
        };
        cache.forget(&plan);
        for arn in ["tagged", "modified", "deleted"] {
            assert_eq!(cache.attributes(arn, now), None, "{arn}");
        }
        assert_eq!(cache.attributes("kept", now), Some(attrs));
        let (hits, _) = cache.tags(&["kept".to_owned(), "tagged".to_owned()], now);
        assert_eq!(hits.len(), 1);
    }
}
