//! `tgsync loadtest` at a small size (3 Deployments × 10 pods, every phase): its own `tgsync run` against its
//! own HTTP ELB model in its own namespace, so it runs beside the other tests. Checked: ELB ends holding
//! exactly the ready pods, the measured run and the replay saw the same changes, and the trace replays from the
//! command line exactly as the load test predicted it. No figure of time is asserted.

use std::process::Command;

use serde_json::Value;

use crate::support::{log_dir, unique};

fn tgsync(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tgsync"))
        .args(args)
        .output()
        .expect("run tgsync")
}

/// Calls by action and target changes of a run: what must match between two runs of the same input.
fn calls_of(run: &Value) -> (Value, Value) {
    (run["calls"].clone(), run["target_changes"].clone())
}

#[test]
fn a_small_load_test_ends_in_step_and_its_trace_replays() {
    let dir = log_dir().join(unique("loadtest"));
    let dir = dir.to_str().expect("utf-8 path");
    let out = tgsync(&[
        "loadtest",
        "--deployments",
        "3",
        "--pods",
        "10",
        "--drip-count",
        "3",
        "--drip-every-ms",
        "1000",
        "--quiet-s",
        "5",
        "--phase-timeout-s",
        "300",
        "--json",
        "--no-progress",
        "--out-dir",
        dir,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tgsync loadtest failed: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");

    let check = &report["final_check"];
    assert_eq!(
        check["equal"], true,
        "ELB differs from the ready pods: {check}"
    );
    assert_eq!(
        (
            check["ready_endpoints"].as_u64(),
            check["registered"].as_u64()
        ),
        (Some(30), Some(30))
    );

    let measured = &report["runs"][0];
    let replayed = &report["prediction"]["runs"];
    assert_eq!(measured["strategy"], "tgsync run");
    assert_eq!(measured["converged"], true, "{measured}");
    assert_eq!(replayed[0]["converged"], true, "{replayed}");
    assert_eq!(replayed[1]["converged"], true, "{replayed}");
    // The restart alone replaces every pod: 30 in, 30 out, at least.
    let changes = measured["target_changes"].as_u64().expect("a count");
    assert!(changes >= 60, "{changes} target changes");
    for r in replayed.as_array().expect("two runs") {
        assert_eq!(
            r["target_changes"].as_u64(),
            Some(changes),
            "the replay saw other changes"
        );
    }
    for action in ["RegisterTargets", "DeregisterTargets"] {
        assert!(
            measured["calls"][action].as_u64() > Some(0),
            "no {action}: {measured}"
        );
    }
    assert_eq!(measured["failed"], 0, "{measured}");
    let phases: Vec<&str> = report["bed"]["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .filter_map(|p| p["label"].as_str())
        .collect();
    assert_eq!(phases, ["restart", "scale-up", "scale-down", "drip"]);

    // The trace from the command line: the same prediction, to the call.
    let trace = report["bed"]["trace"].as_str().expect("trace path");
    let out = tgsync(&[
        "simulate",
        "--replay",
        trace,
        "--compare",
        "--json",
        "--no-progress",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replay: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(replay["scenario"], "replay");
    for i in 0..2 {
        assert_eq!(calls_of(&replay["runs"][i]), calls_of(&replayed[i]));
    }

    // A damaged trace is refused, naming its line.
    let text = std::fs::read_to_string(trace).expect("read trace");
    let mut lines: Vec<&str> = text.lines().collect();
    lines[2] = r#"{"type":"slice","at_ms":"soon"}"#;
    let bad = format!("{dir}/bad-trace.jsonl");
    std::fs::write(&bad, lines.join("\n")).expect("write bad trace");
    let out = tgsync(&["simulate", "--replay", &bad, "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("trace line 3: not a trace line"),
        "{stderr}"
    );
}
