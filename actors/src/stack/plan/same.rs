//! Whether what AWS holds already does what the model asks, with the LBC's equalities: a lone target group's
//! weight is ignored, stickiness the model leaves unset is ignored, a redirect's unset fields mean "keep the
//! request's own", conditions compare as a set.

use crate::stack::model::{Action, Condition, Redirect, RuleSpec};

/// Whether the live rule has the desired rule's conditions and actions (target groups already by ARN).
pub fn same_rule(desired: &RuleSpec, live: &RuleSpec) -> bool {
    sorted(&desired.conditions) == sorted(&live.conditions)
        && desired.actions.len() == live.actions.len()
        && desired
            .actions
            .iter()
            .zip(&live.actions)
            .all(|(d, l)| same_action(d, l))
}

/// Whether the live action does what the desired one does.
pub fn same_action(desired: &Action, live: &Action) -> bool {
    match (desired, live) {
        (
            Action::Forward {
                groups: dg,
                stickiness_seconds: ds,
            },
            Action::Forward {
                groups: lg,
                stickiness_seconds: ls,
            },
        ) => {
            let groups = match (dg.as_slice(), lg.as_slice()) {
                ([d], [l]) => d.tg == l.tg,
                _ => {
                    let (mut dg, mut lg) = (dg.clone(), lg.clone());
                    dg.sort();
                    lg.sort();
                    dg == lg
                }
            };
            groups && (ds.is_none() || ds == ls)
        }
        (Action::Redirect(d), Action::Redirect(l)) => normal(d) == normal(l),
        _ => desired == live,
    }
}

fn sorted(conditions: &[Condition]) -> Vec<Condition> {
    let mut c = conditions.to_vec();
    c.sort();
    c
}

fn normal(r: &Redirect) -> [String; 6] {
    let or = |v: &Option<String>, default: &str| v.clone().unwrap_or_else(|| default.to_owned());
    [
        or(&r.protocol, "#{protocol}"),
        or(&r.port, "#{port}"),
        or(&r.host, "#{host}"),
        or(&r.path, "/#{path}"),
        or(&r.query, "#{query}"),
        r.status_code.clone(),
    ]
}
