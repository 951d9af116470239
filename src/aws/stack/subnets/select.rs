//! The pure choice among the subnets tagged for a role.

use std::collections::BTreeMap;

use tgsync_actors::stack::{LbKind, Tags};

use super::CLUSTER_TAG_PREFIX;

/// Subnets with fewer free addresses than this are skipped (a load balancer needs 8 to scale).
pub const MIN_FREE_IPS: u32 = 8;

/// A subnet as discovery sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateSubnet {
    /// Its id.
    pub id: String,
    /// Its availability zone.
    pub zone: String,
    /// Free IPv4 addresses.
    pub free_ips: u32,
    /// Its tags.
    pub tags: Tags,
}

/// Why no subnets were chosen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubnetError {
    /// Fewer usable zones than the load balancer needs.
    #[error("found {found} usable subnet(s) tagged {role_tag} in distinct zones, {kind:?} needs {needed}")]
    TooFew {
        /// The load balancer kind.
        kind: LbKind,
        /// The role tag searched for.
        role_tag: &'static str,
        /// Subnets left after filtering, one per zone.
        found: usize,
        /// Subnets needed.
        needed: usize,
    },
    /// The DescribeSubnets call failed.
    #[error(transparent)]
    Read(#[from] crate::aws::stack::ReadError),
}

/// Chooses among `candidates` (already tagged for the role): drops subnets tagged for other clusters only
/// and those with fewer than 8 free addresses, keeps one per zone (tagged for `cluster` first, then the
/// lowest id) and requires two zones for an ALB, one for an NLB. Ids come back sorted.
pub fn select_subnets(
    candidates: &[CandidateSubnet],
    cluster: &str,
    kind: LbKind,
    role_tag: &'static str,
) -> Result<Vec<String>, SubnetError> {
    let ours = format!("{CLUSTER_TAG_PREFIX}{cluster}");
    let mut per_zone: BTreeMap<&str, &CandidateSubnet> = BTreeMap::new();
    for s in candidates {
        let tagged_ours = s.tags.contains_key(&ours);
        let tagged_other = s
            .tags
            .keys()
            .any(|k| k.starts_with(CLUSTER_TAG_PREFIX) && *k != ours);
        if (tagged_other && !tagged_ours) || s.free_ips < MIN_FREE_IPS {
            continue;
        }
        let rank = |c: &CandidateSubnet| (!c.tags.contains_key(&ours), c.id.clone());
        per_zone
            .entry(s.zone.as_str())
            .and_modify(|kept| {
                if rank(s) < rank(kept) {
                    *kept = s;
                }
            })
            .or_insert(s);
    }
    let needed = match kind {
        LbKind::Application => 2,
        LbKind::Network => 1,
    };
    if per_zone.len() < needed {
        return Err(SubnetError::TooFew {
            kind,
            role_tag,
            found: per_zone.len(),
            needed,
        });
    }
    let mut ids: Vec<String> = per_zone.values().map(|s| s.id.clone()).collect();
    ids.sort();
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::super::PUBLIC_ROLE_TAG;
    use super::*;

    fn subnet(id: &str, zone: &str, free_ips: u32, clusters: &[&str]) -> CandidateSubnet {
        let mut tags: Tags = [(PUBLIC_ROLE_TAG.to_owned(), "1".to_owned())].into();
        for c in clusters {
            tags.insert(format!("{CLUSTER_TAG_PREFIX}{c}"), "shared".into());
        }
        CandidateSubnet {
            id: id.into(),
            zone: zone.into(),
            free_ips,
            tags,
        }
    }

    fn select(c: &[CandidateSubnet], kind: LbKind) -> Result<Vec<String>, SubnetError> {
        select_subnets(c, "ours", kind, PUBLIC_ROLE_TAG)
    }

    #[test]
    fn one_per_zone_preferring_our_cluster_tag_then_the_lowest_id() {
        let c = [
            subnet("subnet-c", "us-east-1a", 100, &[]),
            subnet("subnet-b", "us-east-1a", 100, &[]),
            subnet("subnet-z", "us-east-1b", 100, &["ours"]),
            subnet("subnet-a", "us-east-1b", 100, &[]),
        ];
        assert_eq!(
            select(&c, LbKind::Application).unwrap(),
            vec!["subnet-b", "subnet-z"]
        );
    }

    #[test]
    fn subnets_of_other_clusters_only_and_full_subnets_are_dropped() {
        let c = [
            subnet("subnet-1", "us-east-1a", 100, &["theirs"]),
            subnet("subnet-2", "us-east-1b", 100, &["theirs", "ours"]),
            subnet("subnet-3", "us-east-1c", 7, &[]),
            subnet("subnet-4", "us-east-1d", 8, &[]),
        ];
        assert_eq!(
            select(&c, LbKind::Application).unwrap(),
            vec!["subnet-2", "subnet-4"]
        );
    }

    #[test]
    fn an_alb_needs_two_zones_an_nlb_one() {
        let c = [
            subnet("subnet-1", "us-east-1a", 100, &[]),
            subnet("subnet-2", "us-east-1a", 100, &[]),
        ];
        assert_eq!(select(&c, LbKind::Network).unwrap(), vec!["subnet-1"]);
        assert_eq!(
            select(&c, LbKind::Application),
            Err(SubnetError::TooFew {
                kind: LbKind::Application,
                role_tag: PUBLIC_ROLE_TAG,
                found: 1,
                needed: 2
            })
        );
        assert!(matches!(
            select(&[], LbKind::Network),
            Err(SubnetError::TooFew { found: 0, .. })
        ));
    }
}
