//! Where the watch is (listing, listed, watching) and one step from there, with the events kube-runtime's
//! watcher gives for the same step, so the controller reads this watch as it read that one.

use std::vec;

use http_body_util::BodyExt;
use kube::client::Body;
use kube::runtime::watcher::Event;

use super::bad_line;
use super::error::WatchError;
use super::lines::Lines;
use super::page::Page;
use super::request::Requests;
use crate::watch::{SlimEndpointSlice, SlimWatchEvent};

/// What the stream yields: an event for the controller, or why the watch stopped for now.
pub(super) type Item = Result<Event<SlimEndpointSlice>, WatchError>;

/// Where the watch is.
pub(super) enum State {
    /// Nothing listed yet, or a relist is due (410 Gone, or no resourceVersion to resume from).
    Empty,
    /// Listing: the slices of the last page still to hand out, and the page after it.
    Listing {
        items: vec::IntoIter<SlimEndpointSlice>,
        next: NextPage,
        resource_version: Option<String>,
    },
    /// Listed, or a watch ended: the next watch starts from `resource_version`.
    Listed { resource_version: String },
    /// A watch is open; `resource_version` is that of its last event or bookmark.
    Watching {
        resource_version: String,
        body: Body,
        lines: Lines,
    },
}

/// The page a list asks for next.
pub(super) enum NextPage {
    First,
    Continue(String),
    Done,
}

/// What one line of the watch amounts to.
// Consumed at once, like the event it holds: boxing it would only add an allocation per line.
#[allow(clippy::large_enum_variant)]
enum Seen {
    Event(Event<SlimEndpointSlice>),
    Nothing,
    /// An error event that does not stop the watch.
    Failed(WatchError),
    /// The watch cannot resume: relist.
    Relist(WatchError),
}

/// Steps until there is something to yield, and the state after it.
pub(super) async fn step(requests: &Requests, mut state: State) -> (Item, State) {
    loop {
        match step_once(requests, state).await {
            (Some(item), next) => return (item, next),
            (None, next) => state = next,
        }
    }
}

async fn step_once(requests: &Requests, state: State) -> (Option<Item>, State) {
    match state {
        State::Empty => (
            Some(Ok(Event::Init)),
            State::Listing {
                items: Vec::new().into_iter(),
                next: NextPage::First,
                resource_version: None,
            },
        ),
        State::Listing {
            mut items,
            next,
            resource_version,
        } => {
            if let Some(slice) = items.next() {
                let state = State::Listing {
                    items,
                    next,
                    resource_version,
                };
                return (Some(Ok(Event::InitApply(slice))), state);
            }
            let token = match next {
                NextPage::First => None,
                NextPage::Continue(token) => Some(token),
                NextPage::Done => {
                    return match resource_version {
                        Some(resource_version) => (
                            Some(Ok(Event::InitDone)),
                            State::Listed { resource_version },
                        ),
                        None => (Some(Err(WatchError::NoResourceVersion)), State::Empty),
                    };
                }
            };
            match list_page(requests, token.as_deref()).await {
                Ok(page) => {
                    let next = match page.continue_token {
                        Some(token) => NextPage::Continue(token),
                        None => NextPage::Done,
                    };
                    let state = State::Listing {
                        items: page.items.into_iter(),
                        next,
                        resource_version: page.resource_version.or(resource_version),
                    };
                    (None, state)
                }
                // A page that failed (its continue token expired, say) restarts the list, as kube's does.
                Err(e) => (Some(Err(e)), State::Empty),
            }
        }
        State::Listed { resource_version } => match requests.watch(&resource_version).await {
            Ok(body) => (
                None,
                State::Watching {
                    resource_version,
                    body,
                    lines: Lines::default(),
                },
            ),
            Err(e) if e.is_gone() => (Some(Err(e)), State::Empty),
            Err(e) => (Some(Err(e)), State::Listed { resource_version }),
        },
        State::Watching {
            mut resource_version,
            mut body,
            mut lines,
        } => loop {
            let seen = match lines.next_line() {
                Some(line) => read_line(line, &mut resource_version, false),
                None => match body.frame().await {
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            lines.push(data);
                        }
                        continue;
                    }
                    Some(Err(e)) => {
                        let state = State::Listed { resource_version };
                        return (Some(Err(WatchError::Request(e))), state);
                    }
                    // The apiserver ended the watch (its timeout) or the connection did: resume from here.
                    None => {
                        let seen = match lines.rest() {
                            Some(rest) => read_line(rest, &mut resource_version, true),
                            None => Seen::Nothing,
                        };
                        return after(seen, State::Listed { resource_version });
                    }
                },
            };
            if !matches!(seen, Seen::Nothing) {
                let state = State::Watching {
                    resource_version,
                    body,
                    lines,
                };
                return after(seen, state);
            }
        },
    }
}

/// What to yield for `seen`, and the state after it (`state`, unless the watch must relist).
fn after(seen: Seen, state: State) -> (Option<Item>, State) {
    match seen {
        Seen::Event(event) => (Some(Ok(event)), state),
        Seen::Nothing => (None, state),
        Seen::Failed(e) => (Some(Err(e)), state),
        Seen::Relist(e) => (Some(Err(e)), State::Empty),
    }
}

async fn list_page(requests: &Requests, token: Option<&str>) -> Result<Page, WatchError> {
    let body = requests.page(token).await?;
    let page = Page::from_slice(&body).map_err(WatchError::Page)?;
    if page.resource_version.is_none() && page.continue_token.is_none() {
        return Err(WatchError::NoResourceVersion);
    }
    Ok(page)
}

/// Decodes one line and moves `resource_version` on; a line that does not decode is logged and skipped.
fn read_line(line: &[u8], resource_version: &mut String, cut_off: bool) -> Seen {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Seen::Nothing;
    }
    let event = match SlimWatchEvent::from_slice(line) {
        Ok(event) => event,
        Err(error) => {
            bad_line::skipped_line(line, &error, cut_off);
            return Seen::Nothing;
        }
    };
    let (slice, event): (_, fn(_) -> _) = match event {
        SlimWatchEvent::Added(s) | SlimWatchEvent::Modified(s) => (s, Event::Apply),
        SlimWatchEvent::Deleted(s) => (s, Event::Delete),
        SlimWatchEvent::Bookmark(s) => {
            if let Some(v) = s.metadata.resource_version.filter(|v| !v.is_empty()) {
                *resource_version = v;
            }
            return Seen::Nothing;
        }
        SlimWatchEvent::Error(status) if status.is_gone() => {
            return Seen::Relist(WatchError::Event(status))
        }
        SlimWatchEvent::Error(status) => return Seen::Failed(WatchError::Event(status)),
    };
    match slice.metadata.resource_version.as_deref() {
        Some(v) if !v.is_empty() => v.clone_into(resource_version),
        _ => return Seen::Relist(WatchError::NoResourceVersion),
    }
    Seen::Event(event(slice))
}
