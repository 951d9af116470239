use std::io::Cursor;
use std::time::Duration;

use super::*;
use crate::runtime::paused_system;
use crate::scenario::{Scenario, ScenarioKind, ScenarioParams};
use crate::strategy::Tgsync;
use crate::Runner;

/// A built scenario written as a trace would record it.
fn as_trace(sc: &Scenario) -> String {
    let mut w = TraceWriter::new(Vec::new());
    let bindings = sc
        .topology
        .bindings
        .iter()
        .map(|b| TraceBinding {
            service: b.service.to_string(),
            port_name: b.port_name.as_deref().map(str::to_owned),
            tg: b.tg.to_string(),
        })
        .collect();
    w.bindings(bindings).unwrap();
    let name = |z: tgsync_actors::domain::Zone| Some(["a", "b", "c", "d"][usize::from(z.0) % 4]);
    for s in &sc.initial {
        w.initial(TraceSlice::from_snapshot(s, name)).unwrap();
    }
    w.mark(Duration::ZERO, "start").unwrap();
    for (at, s) in &sc.events {
        w.slice(*at, TraceSlice::from_snapshot(s, name)).unwrap();
    }
    String::from_utf8(w.finish().unwrap()).unwrap()
}

fn small(kind: ScenarioKind) -> Scenario {
    Scenario::build(
        kind,
        ScenarioParams {
            tgs: 3,
            pods: 8,
            ..ScenarioParams::default()
        },
    )
}

fn err_of(text: &str) -> String {
    read_trace(Cursor::new(text)).unwrap_err().to_string()
}

#[test]
fn a_scenario_written_and_read_back_has_the_same_changes() {
    for kind in [ScenarioKind::RollingUpdate, ScenarioKind::ScaleDown] {
        let sc = small(kind);
        let trace = read_trace(Cursor::new(as_trace(&sc))).unwrap();
        let replay = trace.scenario(sc.params.clone());
        assert_eq!(replay.name(), "replay");
        assert_eq!(replay.topology.bindings, sc.topology.bindings);
        assert_eq!(replay.events.len(), sc.events.len());
        assert_eq!(trace.marks, vec![(Duration::ZERO, "start".to_owned())]);
        let (want, want_final) = sc.transitions();
        let (got, got_final) = replay.transitions();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((&g.tg, g.target, g.action), (&w.tg, w.target, w.action));
            assert!(g.at.abs_diff(w.at) < Duration::from_micros(2));
        }
        assert_eq!(got_final, want_final);
    }
}

#[test]
fn a_replayed_trace_runs_like_the_scenario_it_came_from() {
    let sc = small(ScenarioKind::RollingUpdate);
    let replay = read_trace(Cursor::new(as_trace(&sc)))
        .unwrap()
        .scenario(sc.params.clone());
    let run = |sc: &Scenario| {
        paused_system().block_on(Runner::new(sc, sc.model_config()).run(|t, m| {
            Tgsync::start(
                t,
                m,
                Default::default(),
                Default::default(),
                Default::default(),
            )
        }))
    };
    let (a, b) = (run(&sc), run(&replay));
    assert!(a.converged && b.converged);
    assert_eq!(
        (a.target_changes, &a.calls, a.throttled),
        (b.target_changes, &b.calls, b.throttled)
    );
}

#[test]
fn bad_lines_are_refused_naming_the_line() {
    let sc = small(ScenarioKind::ScaleDown);
    let good = as_trace(&sc);
    let lines: Vec<&str> = good.lines().collect();
    let first = lines[0];
    let initial = lines[1];
    let slice = lines
        .iter()
        .find(|l| l.contains(r#""type":"slice""#))
        .unwrap();

    assert!(err_of("").contains("empty"));
    assert!(err_of("{not json").starts_with("trace line 1: not a trace line"));
    assert!(err_of(initial).contains("line 1: the first line must be the bindings"));
    let v2 = first.replace(r#""version":1"#, r#""version":2"#);
    assert!(err_of(&v2).contains("trace version 2"));
    assert!(err_of(&format!("{first}\n{first}")).contains("line 2: a second bindings line"));
    assert!(err_of(&format!("{first}\n\n{slice}\n{initial}"))
        .contains("line 4: an initial slice after the trace started"));
    let late = slice.replacen(r#""at_ms":"#, r#""at_ms":-"#, 1);
    assert!(err_of(&format!("{first}\n{late}")).contains("line 2: at_ms -"));
    let mark = |ms: f64| format!(r#"{{"type":"mark","at_ms":{ms},"label":"x"}}"#);
    assert!(err_of(&format!("{first}\n{}\n{}", mark(5.0), mark(4.0)))
        .contains("line 3: at_ms 4 is before the line above it (5)"));
    let fqdn = initial.replace(r#""address_type":"IPv4""#, r#""address_type":"FQDN""#);
    assert!(err_of(&format!("{first}\n{fqdn}")).contains("neither IPv4 nor IPv6"));
    let extra = initial.replacen('{', r#"{"surprise":1,"#, 1);
    assert!(err_of(&format!("{first}\n{extra}")).contains("line 2: not a trace line"));
    let bad_ip = r#"{"type":"initial","slice":{"key":"a/b","service":"a/s","address_type":"IPv4","ports":[],"endpoints":[{"ip":"10.0.0.999","ready":true,"serving":true,"terminating":false}]}}"#;
    assert!(err_of(&format!("{first}\n{bad_ip}")).contains("line 2: not a trace line"));
}

#[test]
fn phases_start_from_the_slices_at_their_mark() {
    let sc = small(ScenarioKind::RollingUpdate);
    let text = as_trace(&sc);
    // A second mark halfway through the changes.
    let half = sc.events[sc.events.len() / 2].0;
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let at = lines
        .iter()
        .position(|l| {
            l.contains(r#""type":"slice""#) && {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["at_ms"].as_f64().unwrap() >= half.as_secs_f64() * 1000.0
            }
        })
        .unwrap();
    let mark = format!(
        r#"{{"type":"mark","at_ms":{},"label":"second"}}"#,
        half.as_secs_f64() * 1000.0
    );
    lines.insert(at, mark);
    let trace = read_trace(Cursor::new(lines.join("\n"))).unwrap();
    let phases = trace.phases();
    assert_eq!(phases.len(), 2);
    let (first, second) = (&phases[0].2, &phases[1].2);
    assert_eq!(phases[1].1, "second");
    assert_eq!(first.events.len() + second.events.len(), sc.events.len());
    // What the first phase ends with is what the second starts from, and the whole ends where it ended.
    let end_of_first = first.scenario(sc.params.clone()).final_desired();
    let second = second.scenario(sc.params.clone());
    assert_eq!(second.initial_desired(), end_of_first);
    assert_eq!(second.final_desired(), sc.final_desired());
    assert!(second
        .events
        .iter()
        .all(|(t, _)| *t <= sc.duration() - half));
}
