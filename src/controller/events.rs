//! Kubernetes Events as every controller publishes them: reported as `tgsync` (instance `POD_NAME`), action
//! `Reconcile`, within a deadline, and a failure logged rather than retried (an Event is never worth one).

use std::time::Duration;

use k8s_openapi::api::core::v1::ObjectReference;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::Client;
use tracing::warn;

use super::retry::within;

/// A recorder reporting as `tgsync`, its instance the pod's name when set.
pub fn recorder(client: Client) -> Recorder {
    let reporter = Reporter {
        controller: "tgsync".into(),
        instance: std::env::var("POD_NAME").ok(),
    };
    Recorder::new(client, reporter)
}

/// Publishes a Normal (or, with `warning`, Warning) Event on `oref`; gives up after `deadline`.
pub async fn publish(
    recorder: &Recorder,
    deadline: Duration,
    oref: &ObjectReference,
    warning: bool,
    reason: &str,
    note: String,
) {
    let ev = Event {
        type_: if warning {
            EventType::Warning
        } else {
            EventType::Normal
        },
        reason: reason.to_owned(),
        note: Some(note),
        action: "Reconcile".into(),
        secondary: None,
    };
    if let Err(e) = within(deadline, recorder.publish(&ev, oref)).await {
        warn!(error = %e, reason, "cannot publish event");
    }
}
