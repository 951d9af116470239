//! The watch against a scripted apiserver: requests, pages, chunked lines, resourceVersions, 410 and bad
//! lines.

mod fake_apiserver;

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use kube::runtime::watcher::Event;

use super::{endpoint_slices, WatchError};
use crate::watch::SlimEndpointSlice;
use fake_apiserver::{client, Reply, Seen};

type Watch = Pin<Box<dyn Stream<Item = Result<Event<SlimEndpointSlice>, WatchError>> + Send>>;

/// A slice object of Service `web` in `shop`, at `rv`, with one endpoint.
fn slice(name: &str, rv: u32) -> String {
    format!(
        r#"{{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{{"name":"{name}","namespace":"shop","resourceVersion":"{rv}","labels":{{"kubernetes.io/service-name":"web"}}}},"addressType":"IPv4","endpoints":[{{"addresses":["10.0.0.{rv}"],"conditions":{{"ready":true}}}}],"ports":[{{"name":"http","port":8080}}]}}"#
    )
}

fn line(kind: &str, object: &str) -> String {
    format!("{{\"type\":\"{kind}\",\"object\":{object}}}\n")
}

fn bookmark(rv: u32) -> String {
    line(
        "BOOKMARK",
        &format!(
            r#"{{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{{"resourceVersion":"{rv}"}}}}"#
        ),
    )
}

fn list(rv: u32, next: Option<&str>, items: &[String]) -> Reply {
    let next = next
        .map(|t| format!(r#","continue":"{t}""#))
        .unwrap_or_default();
    let body = format!(
        r#"{{"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":{{"resourceVersion":"{rv}"{next}}},"items":[{}]}}"#,
        items.join(",")
    );
    Reply::Chunks(vec![body.into()])
}

/// A watch body of these lines in one chunk.
fn body(lines: &[String]) -> Reply {
    Reply::Chunks(vec![lines.concat().into()])
}

fn watch(lists: Vec<Reply>, watches: Vec<Reply>) -> (Watch, Seen) {
    let (client, seen) = client(lists, watches);
    (endpoint_slices(client, Some("shop")).boxed(), seen)
}

/// The next item; panics if none comes within a second.
async fn next(watch: &mut Watch) -> Result<Event<SlimEndpointSlice>, WatchError> {
    tokio::time::timeout(Duration::from_secs(1), watch.next())
        .await
        .expect("an item within a second")
        .expect("the watch never ends")
}

/// The next item as a short string: `Init`, `InitApply a@10`, `InitDone`, `Apply a@11`, `Delete a@12`, `Err`.
async fn next_str(watch: &mut Watch) -> String {
    let name = |s: &SlimEndpointSlice| {
        let m = &s.metadata;
        format!(
            "{}@{}",
            m.name.as_deref().unwrap_or("?"),
            m.resource_version.as_deref().unwrap_or("?")
        )
    };
    match next(watch).await {
        Ok(Event::Init) => "Init".into(),
        Ok(Event::InitApply(s)) => format!("InitApply {}", name(&s)),
        Ok(Event::InitDone) => "InitDone".into(),
        Ok(Event::Apply(s)) => format!("Apply {}", name(&s)),
        Ok(Event::Delete(s)) => format!("Delete {}", name(&s)),
        Err(e) => format!("Err {}", if e.is_gone() { "gone" } else { "other" }),
    }
}

async fn take(watch: &mut Watch, n: usize) -> Vec<String> {
    let mut got = Vec::new();
    for _ in 0..n {
        got.push(next_str(watch).await);
    }
    got
}

/// Lets the watch run until it has nothing more to say, then gives the watch requests it made.
async fn quiet_then_watches(watch: &mut Watch, seen: &Seen) -> Vec<String> {
    let quiet = tokio::time::timeout(Duration::from_millis(200), watch.next()).await;
    assert!(quiet.is_err(), "nothing more to say");
    seen.watches()
}

#[tokio::test]
async fn lists_in_pages_then_watches_from_the_list_version_with_bookmarks() {
    let (mut w, seen) = watch(
        vec![
            list(10, Some("page-2"), &[slice("a", 5)]),
            list(10, None, &[slice("b", 6)]),
        ],
        vec![body(&[
            line("MODIFIED", &slice("a", 11)),
            line("DELETED", &slice("b", 12)),
        ])],
    );
    assert_eq!(
        take(&mut w, 6).await,
        [
            "Init",
            "InitApply a@5",
            "InitApply b@6",
            "InitDone",
            "Apply a@11",
            "Delete b@12"
        ]
    );
    let all = seen.all();
    let selector = "labelSelector=kubernetes.io%2Fservice-name";
    assert!(
        all[0].starts_with("/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?"),
        "{all:?}"
    );
    assert!(
        all[0].contains(selector) && all[0].contains("limit=500"),
        "{all:?}"
    );
    assert!(
        !all[0].contains("continue=") && all[1].contains("continue=page-2"),
        "{all:?}"
    );
    let watch = &all[2];
    for part in [
        "watch=true",
        "resourceVersion=10",
        "allowWatchBookmarks=true",
        "timeoutSeconds=290",
        selector,
    ] {
        assert!(watch.contains(part), "{part} in {watch}");
    }
}

#[tokio::test]
async fn events_and_bookmarks_move_the_version_a_new_watch_resumes_from() {
    let cut = &line("MODIFIED", &slice("a", 40))[..60];
    let (mut w, seen) = watch(
        vec![list(10, None, &[])],
        vec![
            body(&[line("MODIFIED", &slice("a", 11)), bookmark(20)]),
            // Ends inside an event, as a cut connection does: the fragment is dropped quietly.
            body(&[line("ADDED", &slice("b", 21)), cut.to_owned()]),
        ],
    );
    assert_eq!(
        take(&mut w, 4).await,
        ["Init", "InitDone", "Apply a@11", "Apply b@21"]
    );
    let watches = quiet_then_watches(&mut w, &seen).await;
    let versions: Vec<_> = watches
        .iter()
        .map(|w| {
            w.split("resourceVersion=")
                .nth(1)
                .and_then(|v| v.split('&').next())
                .unwrap_or("")
        })
        .collect();
    assert_eq!(versions, ["10", "20", "21"]);
}

#[tokio::test]
async fn lines_split_anywhere_across_chunks_decode_the_same() {
    let lines = [
        line("ADDED", &slice("a", 11)),
        bookmark(12),
        line("MODIFIED", &slice("a", 13)),
    ]
    .concat();
    for size in [1, 7, 64, 1000, lines.len()] {
        let chunks = lines
            .as_bytes()
            .chunks(size)
            .map(Bytes::copy_from_slice)
            .collect();
        let (mut w, _) = watch(vec![list(10, None, &[])], vec![Reply::Chunks(chunks)]);
        assert_eq!(
            take(&mut w, 4).await,
            ["Init", "InitDone", "Apply a@11", "Apply a@13"],
            "chunks of {size}"
        );
    }
}

#[tokio::test]
async fn a_410_relists_and_the_relist_leaves_out_the_slices_that_vanished() {
    let gone = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 10 (25)","reason":"Expired","code":410}"#;
    let (mut w, seen) = watch(
        vec![
            list(10, None, &[slice("a", 5), slice("b", 6)]),
            list(30, None, &[slice("b", 28)]),
        ],
        vec![body(&[line("ERROR", gone)])],
    );
    assert_eq!(
        take(&mut w, 8).await,
        [
            "Init",
            "InitApply a@5",
            "InitApply b@6",
            "InitDone",
            "Err gone",
            // Slice a is not in the relist: the controller deletes what the relist leaves out.
            "Init",
            "InitApply b@28",
            "InitDone",
        ]
    );
    let watches = quiet_then_watches(&mut w, &seen).await;
    assert!(watches[1].contains("resourceVersion=30"), "{watches:?}");
}

#[tokio::test]
async fn refused_watches_are_retried_from_where_they_were_and_a_gone_one_relists() {
    let (mut w, seen) = watch(
        vec![list(10, None, &[]), list(50, None, &[])],
        vec![
            Reply::Refuse(500, "InternalError"),
            Reply::Refuse(410, "Gone"),
        ],
    );
    assert_eq!(
        take(&mut w, 6).await,
        [
            "Init",
            "InitDone",
            "Err other",
            "Err gone",
            "Init",
            "InitDone"
        ]
    );
    let watches = quiet_then_watches(&mut w, &seen).await;
    let from: Vec<_> = watches
        .iter()
        .map(|w| w.contains("resourceVersion=10"))
        .collect();
    assert_eq!(from, [true, true, false]);
}

#[tokio::test]
async fn a_bad_line_is_skipped_and_the_watch_goes_on() {
    let bad_port = line(
        "MODIFIED",
        &slice("b", 12).replace(r#""port":8080"#, r#""port":"http""#),
    );
    let (mut w, seen) = watch(
        vec![list(10, None, &[])],
        vec![body(&[
            line("MODIFIED", &slice("a", 11)),
            bad_port,
            "not json at all\n".to_owned(),
            line("RENAMED", &slice("c", 13)),
            line("MODIFIED", &slice("a", 14)),
        ])],
    );
    assert_eq!(
        take(&mut w, 4).await,
        ["Init", "InitDone", "Apply a@11", "Apply a@14"]
    );
    // A skipped line does not move the version: the next watch resumes after the last event kept.
    let watches = quiet_then_watches(&mut w, &seen).await;
    assert!(watches[1].contains("resourceVersion=14"), "{watches:?}");
}
