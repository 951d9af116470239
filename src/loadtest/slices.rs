//! The load test's watch of the namespace's EndpointSlices, the daemon's own (`tgsync::watch::stream`): the
//! current slices (to tell when the cluster has settled and what ELB should hold) and, while recording, the
//! trace of every change with the time the watch delivered it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::StreamExt;
use kube::runtime::watcher::Event;
use kube::runtime::WatchStreamExt;
use tgsync::watch::{stream, SlimEndpointSlice, ZoneInterner};
use tgsync_actors::domain::{EndpointSliceSnapshot, Target};
use tgsync_loadtest::trace::{TraceBinding, TraceSlice, TraceWriter};

/// What the watch has seen; shared between its task and the load test.
#[derive(Clone)]
pub struct Slices(Arc<Mutex<State>>);

struct State {
    slices: BTreeMap<Arc<str>, EndpointSliceSnapshot>,
    zones: ZoneInterner,
    events: u64,
    last_event: Instant,
    recording: Option<Recording>,
    failed: Option<String>,
}

struct Recording {
    writer: TraceWriter<BufWriter<File>>,
    t0: Instant,
    lines: u64,
}

/// A Service's endpoints in short: how many, how many want traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Endpoints in its slices.
    pub endpoints: usize,
    /// Ready and not terminating.
    pub ready: usize,
}

impl Slices {
    /// Starts watching `namespace`'s EndpointSlices (those with a Service label, as the daemon does).
    pub fn watch(client: &kube::Client, namespace: &str) -> Slices {
        let slices = Slices(Arc::new(Mutex::new(State {
            slices: BTreeMap::new(),
            zones: ZoneInterner::new(),
            events: 0,
            last_event: Instant::now(),
            recording: None,
            failed: None,
        })));
        // The daemon's own EndpointSlice watch and decode, so the trace sees slices as the daemon does.
        let events = stream::endpoint_slices(client.clone(), Some(namespace));
        let shared = slices.clone();
        tokio::spawn(async move {
            let mut events = events.default_backoff().boxed();
            while let Some(ev) = events.next().await {
                match ev {
                    Ok(ev) => shared.take(ev),
                    Err(e) => {
                        tracing::warn!(error = %e, "loadtest: EndpointSlice watch error; retrying")
                    }
                }
            }
            shared.lock().failed = Some("the EndpointSlice watch ended".into());
        });
        slices
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep going with it.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self, ev: Event<SlimEndpointSlice>) {
        let now = Instant::now();
        let mut s = self.lock();
        let snap = match ev {
            Event::Apply(obj) | Event::InitApply(obj) => match obj.to_snapshot(&mut s.zones) {
                Some(snap) => {
                    s.slices.insert(snap.key.clone(), snap.clone());
                    snap
                }
                None => return,
            },
            Event::Delete(obj) => {
                let key = format!(
                    "{}/{}",
                    obj.metadata.namespace.unwrap_or_default(),
                    obj.metadata.name.unwrap_or_default()
                );
                let Some(mut snap) = s.slices.remove(key.as_str()) else {
                    return;
                };
                snap.endpoints = Arc::from([]);
                snap
            }
            Event::Init | Event::InitDone => return,
        };
        s.events += 1;
        s.last_event = now;
        let State {
            recording,
            zones,
            failed,
            ..
        } = &mut *s;
        if let Some(r) = recording {
            let zones: &ZoneInterner = zones;
            let line = TraceSlice::from_snapshot(&snap, |z| zones.name(z));
            match r.writer.slice(now.saturating_duration_since(r.t0), line) {
                Ok(()) => r.lines += 1,
                Err(e) => *failed = Some(format!("cannot write the trace: {e}")),
            }
        }
    }

    /// Starts the trace at `path`: the bindings, every slice as it is now, then each change as it comes.
    /// Answers the instant the trace's times count from.
    pub fn record(&self, path: &Path, bindings: Vec<TraceBinding>) -> anyhow::Result<Instant> {
        let file = File::create(path).with_context(|| format!("create {}", path.display()))?;
        let mut writer = TraceWriter::new(BufWriter::new(file));
        let mut s = self.lock();
        writer.bindings(bindings)?;
        for snap in s.slices.values() {
            writer.initial(TraceSlice::from_snapshot(snap, |z| s.zones.name(z)))?;
        }
        let t0 = Instant::now();
        s.recording = Some(Recording {
            writer,
            t0,
            lines: 0,
        });
        Ok(t0)
    }

    /// Writes a mark into the trace (nothing when not recording); answers its time from the trace's start.
    pub fn mark(&self, label: &str) -> anyhow::Result<Duration> {
        let mut s = self.lock();
        let Some(r) = s.recording.as_mut() else {
            return Ok(Duration::ZERO);
        };
        let at = r.t0.elapsed();
        r.writer.mark(at, label)?;
        Ok(at)
    }

    /// Stops recording and flushes the trace; answers how many changes it holds.
    pub fn finish(&self) -> anyhow::Result<u64> {
        let Some(r) = self.lock().recording.take() else {
            anyhow::bail!("the trace was not being recorded");
        };
        r.writer.finish().context("flush the trace")?;
        Ok(r.lines)
    }

    /// Slice events seen so far, and how long since the last.
    pub fn activity(&self) -> (u64, Duration) {
        let s = self.lock();
        (s.events, s.last_event.elapsed())
    }

    /// Why the watch or the trace failed, if either did.
    pub fn failed(&self) -> Option<String> {
        self.lock().failed.clone()
    }

    /// Per Service (`namespace/name`): its endpoints and how many want traffic.
    pub fn counts(&self) -> HashMap<String, Counts> {
        let s = self.lock();
        let mut out: HashMap<String, Counts> = HashMap::new();
        for snap in s.slices.values() {
            let c = out.entry(snap.service.to_string()).or_default();
            c.endpoints += snap.endpoints.len();
            c.ready += snap
                .endpoints
                .iter()
                .filter(|e| e.conditions().wants_traffic())
                .count();
        }
        out
    }

    /// Per Service: the targets its ready endpoints make on the port named `port_name`.
    pub fn ready_targets(&self, port_name: &str) -> HashMap<String, HashSet<Target>> {
        let s = self.lock();
        let mut out: HashMap<String, HashSet<Target>> = HashMap::new();
        for snap in s.slices.values() {
            let set = out.entry(snap.service.to_string()).or_default();
            let Some(port) = snap.port_for(Some(port_name)) else {
                continue;
            };
            set.extend(
                snap.endpoints
                    .iter()
                    .filter(|e| e.conditions().wants_traffic())
                    .map(|e| Target::ip(e.addr(), port)),
            );
        }
        out
    }
}
