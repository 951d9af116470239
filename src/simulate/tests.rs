//! `tgsync simulate` as its flags drive it: one JSON shape whatever the flags, the plot file, the warnings
//! counted instead of printed.

use std::io::Write;
use std::sync::{Arc, Mutex};

use clap::Parser;
use serde_json::Value;

use super::*;
use crate::cli::{Cli, Command};

fn args(extra: &[&str]) -> SimulateArgs {
    let base = [
        "tgsync",
        "simulate",
        "--tgs",
        "4",
        "--pods",
        "6",
        "--no-progress",
    ];
    let cli = Cli::parse_from(base.iter().chain(extra).copied());
    let Command::Simulate(args) = cli.command else {
        panic!("not simulate: {:?}", cli.command)
    };
    args
}

fn json(outcome: &Outcome) -> Value {
    serde_json::from_str(&outcome.to_json().unwrap()).unwrap()
}

#[test]
fn a_single_run_prints_the_runs_shape_of_a_comparison() {
    let single = json(&args(&[]).run().unwrap());
    let compared = json(&args(&["--compare"]).run().unwrap());
    assert_eq!(single["scenario"], "rolling-update");
    let runs = single["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["strategy"], "tgsync");
    assert_eq!(compared["runs"][0]["strategy"], "tgsync");
    assert_eq!(compared["runs"][1]["strategy"], "baseline");
    assert!(compared["ratio_calls"].is_number());
    // Both runs of a comparison carry the same fields as the single one.
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&runs[0]), keys(&compared["runs"][1]));
    let timeline = &runs[0]["timeline"];
    let registers: u64 = timeline["calls"]["RegisterTargets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(
        registers,
        runs[0]["calls"]["RegisterTargets"].as_u64().unwrap()
    );
}

#[test]
fn ingress_churn_prints_the_runs_shape_and_refuses_a_plot_before_running() {
    let small = [
        "--scenario",
        "ingress-churn",
        "--ingresses",
        "4",
        "--groups",
        "2",
        "--services",
        "2",
        "--edits",
        "3",
    ];
    let churn = json(&args(&small).run().unwrap());
    assert_eq!(churn["scenario"], "ingress-churn");
    assert_eq!(churn["runs"][0]["scenario"], "ingress-churn");
    let plotted = args(&[&small[..], &["--plot", "/nonexistent/never.svg"][..]].concat()).run();
    let err = plotted.err().expect("refused").to_string();
    assert!(err.contains("--plot"), "{err}");
}

#[test]
fn plot_writes_an_svg_naming_every_series_and_the_bound() {
    let dir = std::env::temp_dir().join(format!("tgsync-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("runs.svg");
    let a = args(&["--compare", "--plot", path.to_str().unwrap()]);
    let outcome = a.run().unwrap();
    a.write_plot(&outcome).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    for text in [
        "tgsync: ELBv2 calls per second",
        "baseline: ELBv2 calls per second",
        "RegisterTargets",
        "DeregisterTargets",
        "tgsync: pending registration",
        "baseline: pending deregistration",
        "lower bound:",
        "tgsync done:",
        "rolling-update: 4 target groups × 6 pods, seed 1",
    ] {
        assert!(svg.contains(text), "{text} missing");
    }
}

/// A writer every clone of which appends to one buffer.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn throttled_calls_are_counted_in_the_report_and_not_printed() {
    let printed = Shared::default();
    let writer = printed.clone();
    let subscriber = crate::logs::simulate_subscriber(None, move || writer.clone(), false);
    let outcome = tracing::subscriber::with_default(subscriber, || {
        args(&["--throttle-fraction", "0.3"]).run().unwrap()
    });
    let Outcome::Single(r) = &outcome else {
        panic!("one run")
    };
    assert!(r.throttled > 0, "{r:?}");
    // Without readiness gates every throttled call is a Register or Deregister the actors retry; the warm-up
    // (whose calls the report leaves out) adopts what ELB holds and calls nothing.
    assert_eq!(
        r.log_warnings.get("throttled calls retried"),
        Some(&r.throttled)
    );
    assert!(printed.0.lock().unwrap().is_empty());
    assert!(outcome.render().contains(&format!(
        "tgsync logged: {} throttled calls retried",
        r.throttled
    )));
}
