//! The scenario's Ingresses and their edits: members edited (a path added, removed or two swapped), added
//! and deleted at a steady rate, deterministic from the seed.

use std::collections::BTreeMap;
use std::time::Duration;

use tgsync_loadtest::rng::Rng;

use super::objects::MemberDesc;

/// The scenario's size.
#[derive(Clone, Debug, PartialEq)]
pub struct ChurnParams {
    /// Ingresses at the start.
    pub ingresses: usize,
    /// Groups (one ALB each).
    pub groups: usize,
    /// Services (one Deployment each, rolled during the run).
    pub services: usize,
    /// Pods per Deployment.
    pub pods: usize,
    /// Edits, one every `every`.
    pub edits: usize,
    /// Time between edits.
    pub every: Duration,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for ChurnParams {
    fn default() -> Self {
        ChurnParams {
            ingresses: 50,
            groups: 5,
            services: 20,
            pods: 10,
            edits: 60,
            every: Duration::from_secs(2),
            seed: 1,
        }
    }
}

/// One change to the Ingresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Create or replace an Ingress.
    Upsert(MemberDesc),
    /// Delete an Ingress by name.
    Delete(String),
}

fn paths(rng: &mut Rng, name: &str, services: usize, n: usize) -> Vec<(String, usize)> {
    (0..n)
        .map(|k| {
            (
                format!("/{name}/p{k}"),
                rng.below(0, services as u64) as usize,
            )
        })
        .collect()
}

/// The Ingresses at the start: member `i` in group `i % groups`, 2–3 paths each.
pub fn initial(p: &ChurnParams, rng: &mut Rng) -> Vec<MemberDesc> {
    (0..p.ingresses)
        .map(|i| {
            let name = format!("ing-{i:03}");
            let n = rng.below(2, 4) as usize;
            MemberDesc {
                paths: paths(rng, &name, p.services, n),
                name,
                group: i % p.groups.max(1),
                order: i as i32,
            }
        })
        .collect()
}

/// `p.edits` edits, one every `p.every` from zero: 60 % edit a member, 20 % add one, 20 % delete one (a
/// group keeps at least two members, so no ALB is deleted mid-run).
pub fn edits(p: &ChurnParams, start: &[MemberDesc], rng: &mut Rng) -> Vec<(Duration, Edit)> {
    let mut live: BTreeMap<String, MemberDesc> =
        start.iter().map(|m| (m.name.clone(), m.clone())).collect();
    let mut next = start.len();
    let mut out = Vec::with_capacity(p.edits);
    for e in 0..p.edits {
        let at = p.every * e as u32;
        let roll = rng.below(0, 10);
        let names: Vec<String> = live.keys().cloned().collect();
        let pick = names[rng.below(0, names.len() as u64) as usize].clone();
        let group_size = |g: usize| live.values().filter(|m| m.group == g).count();
        let edit = if roll < 2 {
            let name = format!("ing-{next:03}");
            next += 1;
            let n = rng.below(2, 4) as usize;
            Edit::Upsert(MemberDesc {
                paths: paths(rng, &name, p.services, n),
                group: rng.below(0, p.groups.max(1) as u64) as usize,
                order: rng.below(0, next as u64) as i32,
                name,
            })
        } else if roll < 4 && group_size(live[&pick].group) > 2 {
            Edit::Delete(pick)
        } else {
            let mut m = live[&pick].clone();
            match rng.below(0, 3) {
                0 if m.paths.len() < 4 => {
                    let k = m.paths.len();
                    let svc = rng.below(0, p.services as u64) as usize;
                    m.paths.push((format!("/{}/q{e}-{k}", m.name), svc));
                }
                1 if m.paths.len() > 1 => {
                    let k = rng.below(0, m.paths.len() as u64) as usize;
                    m.paths.remove(k);
                }
                _ if m.paths.len() > 1 => {
                    let last = m.paths.len() - 1;
                    m.paths.swap(0, last);
                }
                _ => m.paths.push((format!("/{}/q{e}", m.name), 0)),
            }
            Edit::Upsert(m)
        };
        match &edit {
            Edit::Upsert(m) => drop(live.insert(m.name.clone(), m.clone())),
            Edit::Delete(n) => drop(live.remove(n)),
        }
        out.push((at, edit));
    }
    out
}
