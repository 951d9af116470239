//! Property tests: any sequence of random group edits, each planned against what the simulated ALB holds and
//! applied, leaves its rules equal to the model (dense, ordered priorities), never over the rule quota, with
//! no call naming a rule that kept its place and content, and nothing left to plan. Once with AWS's atomic
//! `SetRulePriorities`, once with moto's refusals and the collision-free fallback. `calls_per_edit` prints
//! what an edit costs.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use super::fixtures::Shape;
use super::sim::{apply_plan, Applied, Sim};
use crate::stack::deployed::Deployed;
use crate::stack::model::{Action, RuleSpec, StackModel, TgRef};
use crate::stack::plan::{plan_with, same_rule, Call, Limits};
use crate::stack::settled::Settled;

/// Small enough that random edits hit it often.
const QUOTA: usize = 12;
const PORTS: [u16; 3] = [80, 443, 8080];

type RuleShape = (u8, u8, u8);

/// One edit of the group, indices taken modulo what exists.
#[derive(Clone, Debug)]
enum Edit {
    Insert(u8, u8, RuleShape),
    Remove(u8, u8),
    Change(u8, u8, RuleShape),
    Swap(u8, u8, u8),
    MoveTo(u8, u8, u8),
    Rewrite(u8, Vec<RuleShape>),
    FlipTargetGroup(u8),
    AddListener(u8),
    DropListener(u8),
    Scheme,
    DeleteAll,
}

impl Edit {
    fn kind(&self) -> &'static str {
        match self {
            Edit::Insert(..) => "insert a rule",
            Edit::Remove(..) => "remove a rule",
            Edit::Change(..) => "change a rule",
            Edit::Swap(..) => "swap two rules",
            Edit::MoveTo(..) => "move a rule",
            Edit::Rewrite(..) => "rewrite a listener",
            Edit::FlipTargetGroup(..) => "replace a target group",
            Edit::AddListener(..) => "add a listener",
            Edit::DropListener(..) => "drop a listener",
            Edit::Scheme => "change the scheme",
            Edit::DeleteAll => "delete the stack",
        }
    }

    fn apply(&self, s: &mut Shape) {
        if !s.alive && !matches!(self, Edit::DeleteAll) {
            s.alive = true;
        }
        let room = QUOTA.saturating_sub(s.rules());
        let port = |p: &u8| PORTS[usize::from(*p) % PORTS.len()];
        match self {
            Edit::Insert(p, at, r) if room > 0 => {
                let rules = s.listeners.entry(port(p)).or_default();
                let at = usize::from(*at) % (rules.len() + 1);
                rules.insert(at, *r);
            }
            Edit::Insert(..) => {}
            Edit::Remove(p, at) => {
                if let Some(rules) = s.listeners.get_mut(&port(p)).filter(|r| !r.is_empty()) {
                    let at = usize::from(*at) % rules.len();
                    rules.remove(at);
                }
            }
            Edit::Change(p, at, r) => {
                if let Some(rules) = s.listeners.get_mut(&port(p)).filter(|r| !r.is_empty()) {
                    let at = usize::from(*at) % rules.len();
                    rules[at] = *r;
                }
            }
            Edit::Swap(p, a, b) | Edit::MoveTo(p, a, b) => {
                if let Some(rules) = s.listeners.get_mut(&port(p)).filter(|r| !r.is_empty()) {
                    let (a, b) = (usize::from(*a) % rules.len(), usize::from(*b) % rules.len());
                    if matches!(self, Edit::Swap(..)) {
                        rules.swap(a, b);
                    } else {
                        let r = rules.remove(a);
                        rules.insert(b, r);
                    }
                }
            }
            Edit::Rewrite(p, new) => {
                let others = s.rules() - s.listeners.get(&port(p)).map_or(0, Vec::len);
                let mut new = new.clone();
                new.truncate(QUOTA - others);
                s.listeners.insert(port(p), new);
            }
            Edit::FlipTargetGroup(t) => {
                let t = usize::from(*t) % s.https_tgs.len();
                s.https_tgs[t] = !s.https_tgs[t];
            }
            Edit::AddListener(p) => {
                s.listeners.entry(port(p)).or_default();
            }
            Edit::DropListener(p) => {
                s.listeners.remove(&port(p));
            }
            Edit::Scheme => s.internet = !s.internet,
            Edit::DeleteAll => s.alive = false,
        }
    }
}

fn rule_shape() -> impl Strategy<Value = RuleShape> {
    (0u8..3, 0u8..5, 0u8..4)
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        5 => (any::<u8>(), any::<u8>(), rule_shape()).prop_map(|(p, a, r)| Edit::Insert(p, a, r)),
        3 => (any::<u8>(), any::<u8>()).prop_map(|(p, a)| Edit::Remove(p, a)),
        2 => (any::<u8>(), any::<u8>(), rule_shape()).prop_map(|(p, a, r)| Edit::Change(p, a, r)),
        2 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(p, a, b)| Edit::Swap(p, a, b)),
        2 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(p, a, b)| Edit::MoveTo(p, a, b)),
        1 => (any::<u8>(), prop::collection::vec(rule_shape(), 0..8)).prop_map(|(p, r)| Edit::Rewrite(p, r)),
        1 => any::<u8>().prop_map(Edit::FlipTargetGroup),
        1 => any::<u8>().prop_map(Edit::AddListener),
        1 => any::<u8>().prop_map(Edit::DropListener),
        1 => Just(Edit::Scheme),
        1 => Just(Edit::DeleteAll),
    ]
}

fn start() -> impl Strategy<Value = Shape> {
    (
        prop::collection::vec(rule_shape(), 0..6),
        prop::collection::vec(rule_shape(), 0..6),
        any::<bool>(),
    )
        .prop_map(|(a, b, https)| Shape {
            alive: true,
            internet: false,
            https_tgs: [false, https, false],
            listeners: [(80, a), (443, b)].into(),
        })
}

/// `rule` with the model's target groups named by the ARNs `d` holds for them, when `d` holds them as the
/// model has them (else `None`: a rule forwarding to a group that changes cannot be left alone).
fn resolved(rule: &RuleSpec, m: &StackModel, d: &Deployed) -> Option<RuleSpec> {
    let mut rule = rule.clone();
    for a in &mut rule.actions {
        if let Action::Forward { groups, .. } = a {
            for g in groups.iter_mut() {
                if let TgRef::Model(id) = &g.tg {
                    let live = d.target_groups.get(id)?;
                    if Some(&live.spec) != m.target_groups.get(id) {
                        return None;
                    }
                    g.tg = TgRef::Arn(live.arn.clone());
                }
            }
        }
    }
    Some(rule)
}

/// Rules that already sit at their place with their content: no call may name them.
fn in_place(m: &StackModel, d: &Deployed) -> BTreeSet<String> {
    let same_lb = match (&m.load_balancer, &d.load_balancer) {
        (Some(want), Some(have)) => want.kind == have.spec.kind && want.scheme == have.spec.scheme,
        _ => false,
    };
    let mut kept = BTreeSet::new();
    if !same_lb {
        return kept;
    }
    for (port, l) in &m.listeners {
        let Some(live) = d.listeners.get(port) else {
            continue;
        };
        for r in &live.rules {
            let want = l.rules.get(r.priority as usize - 1);
            if want
                .and_then(|w| resolved(w, m, d))
                .is_some_and(|w| same_rule(&w, &r.spec))
            {
                kept.insert(r.arn.clone());
            }
        }
    }
    kept
}

/// The simulated ALB holds exactly the model: listeners by port, rules in order at priorities 1..=n.
fn holds(m: &StackModel, d: &Deployed) -> Result<(), TestCaseError> {
    if m.load_balancer.is_none() {
        prop_assert_eq!(d, &Deployed::default());
        return Ok(());
    }
    prop_assert_eq!(
        d.listeners.keys().collect::<Vec<_>>(),
        m.listeners.keys().collect::<Vec<_>>()
    );
    for (port, l) in &m.listeners {
        let live = &d.listeners[port];
        let priorities: Vec<u32> = live.rules.iter().map(|r| r.priority).collect();
        let dense: Vec<u32> = (1..=l.rules.len() as u32).collect();
        prop_assert_eq!(priorities, dense, "listener {}", port);
        for (want, have) in l.rules.iter().zip(&live.rules) {
            let want = resolved(want, m, d);
            prop_assert_eq!(want.as_ref(), Some(&have.spec), "listener {}", port);
        }
    }
    Ok(())
}

/// What `Settled` should say, read from the stack itself.
fn settled_read(m: &StackModel, after: &Deployed) -> Settled {
    if m.load_balancer.is_none() {
        return Settled::default();
    }
    Settled {
        dns_name: after.load_balancer.as_ref().map(|lb| lb.dns_name.clone()),
        ports: after.listeners.keys().copied().collect(),
        target_groups: after
            .target_groups
            .iter()
            .filter(|(id, _)| m.target_groups.contains_key(*id))
            .map(|(id, t)| (id.clone(), t.arn.clone()))
            .collect(),
    }
}

/// Plans and applies each model of the sequence; the costs of each edit, by its kind.
fn run(
    start: &Shape,
    edits: &[Edit],
    atomic: bool,
) -> Result<Vec<(&'static str, Applied)>, TestCaseError> {
    let limits = Limits {
        rules_per_load_balancer: QUOTA,
    };
    let mut sim = Sim::new(QUOTA, atomic);
    let mut shape = start.clone();
    let mut costs = Vec::new();
    let steps = std::iter::once(None).chain(edits.iter().map(Some));
    for edit in steps {
        let kind = edit.map(|e| match e {
            Edit::DeleteAll => e.kind(),
            _ if !shape.alive => "recreate the stack",
            _ => e.kind(),
        });
        if let Some(e) = edit {
            e.apply(&mut shape);
        }
        let m = shape.model();
        let before = sim.deployed();
        let kept = in_place(&m, &before);
        let p = plan_with(&m, &before, limits);
        let mut moved_on = BTreeMap::new();
        for c in &p.calls {
            if let Call::SetRulePriorities { listener, .. } = c {
                *moved_on.entry(listener.clone()).or_insert(0) += 1;
            }
        }
        prop_assert!(
            moved_on.values().all(|n| *n == 1),
            "one SetRulePriorities per listener"
        );
        let applied = apply_plan(&mut sim, &p)
            .map_err(|e| TestCaseError::fail(format!("{e:?} applying {p:#?}")))?;
        prop_assert!(sim.peak_rules <= QUOTA);
        let touched: Vec<_> = applied.touched.intersection(&kept).collect();
        prop_assert!(
            touched.is_empty(),
            "rules in place touched: {:?} by {:#?}",
            touched,
            p
        );
        let after = sim.deployed();
        holds(&m, &after)?;
        prop_assert_eq!(
            Settled::of(&m, &before, &sim.created),
            settled_read(&m, &after)
        );
        let again = plan_with(&m, &after, limits);
        prop_assert!(again.is_empty(), "not converged: {:#?}", again);
        if let Some(kind) = kind {
            costs.push((kind, applied));
        }
    }
    Ok(costs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_edits_leave_the_alb_equal_to_the_model_with_atomic_moves(
        start in start(),
        edits in prop::collection::vec(edit(), 1..12),
    ) {
        run(&start, &edits, true)?;
    }

    #[test]
    fn any_edits_leave_the_alb_equal_to_the_model_with_collision_free_moves(
        start in start(),
        edits in prop::collection::vec(edit(), 1..12),
    ) {
        run(&start, &edits, false)?;
    }
}

/// Prints the mean calls per edit, by kind, over 40 fixed-seed sequences of 10 edits (`--nocapture` to see
/// it). An edit of a deleted stack recreates it, counted as such.
#[test]
fn calls_per_edit() {
    let mut runner = TestRunner::deterministic();
    let mut table: BTreeMap<&str, [usize; 5]> = BTreeMap::new();
    for _ in 0..40 {
        let start = start().new_tree(&mut runner).map(|t| t.current());
        let edits = prop::collection::vec(edit(), 10..11)
            .new_tree(&mut runner)
            .map(|t| t.current());
        let (Ok(start), Ok(edits)) = (start, edits) else {
            panic!("the strategies generate");
        };
        let atomic = run(&start, &edits, true).unwrap_or_else(|e| panic!("{e}"));
        let moto = run(&start, &edits, false).unwrap_or_else(|e| panic!("{e}"));
        for ((kind, a), (_, m)) in atomic.iter().zip(&moto) {
            let row = table.entry(kind).or_default();
            row[0] += 1;
            row[1] += a.calls;
            row[2] += a.rule_calls;
            row[3] += m.calls;
            row[4] += m.rule_calls;
        }
    }
    let mean = |sum: usize, n: usize| sum as f64 / n as f64;
    println!("edit                     n   calls  rule calls  calls(moto)  rule calls(moto)");
    let mut total = [0usize; 5];
    for (kind, row) in &table {
        println!(
            "{kind:<22} {:>4} {:>7.2} {:>11.2} {:>12.2} {:>17.2}",
            row[0],
            mean(row[1], row[0]),
            mean(row[2], row[0]),
            mean(row[3], row[0]),
            mean(row[4], row[0])
        );
        for i in 0..5 {
            total[i] += row[i];
        }
    }
    println!(
        "{:<22} {:>4} {:>7.2} {:>11.2} {:>12.2} {:>17.2}",
        "all",
        total[0],
        mean(total[1], total[0]),
        mean(total[2], total[0]),
        mean(total[3], total[0]),
        mean(total[4], total[0])
    );
    assert_eq!(total[0], 400);
}
