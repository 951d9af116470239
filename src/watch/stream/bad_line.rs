//! Bad input on the watch: a line (or list item) that does not decode is logged with the slice it names, as
//! far as the bytes can be read, and skipped; the watch goes on with the next one.

use tracing::{debug, warn};

use crate::watch::json::{DecodeError, Reader, Result};

/// Logs a watch line that was skipped; `cut_off` when it is what a body left after its last newline (a
/// connection that ended mid-event, which is no fault of the data).
pub(super) fn skipped_line(line: &[u8], error: &DecodeError, cut_off: bool) {
    let slice = name_in_event(line);
    if cut_off && error.is_eof() {
        debug!(slice = slice.as_deref(), %error, "EndpointSlice watch: the body ended inside an event");
    } else {
        warn!(slice = slice.as_deref(), %error, "EndpointSlice watch: skipped a line that does not decode");
    }
}

/// Logs a list item that was skipped.
pub(super) fn skipped_item(item: &[u8], error: &DecodeError) {
    let mut name = None;
    let _ = name_in_object(&mut Reader::new(item), &mut name);
    warn!(slice = name.as_deref(), %error, "EndpointSlice list: skipped an item that does not decode");
}

/// `namespace/name` of the object of an event line, if the line holds them before whatever is wrong with it.
pub(super) fn name_in_event(line: &[u8]) -> Option<String> {
    let mut name = None;
    // The line is known to be bad: an error is expected, and whatever was found before it counts.
    let _ = Reader::new(line).object("a watch event", |r, key| match key {
        b"object" => name_in_object(r, &mut name),
        _ => r.skip(),
    });
    name
}

fn name_in_object(r: &mut Reader, found: &mut Option<String>) -> Result<()> {
    let (mut namespace, mut name) = (None, None);
    let result = r.object("an object", |r, key| match key {
        b"metadata" => r.object("object metadata", |r, key| {
            let slot = match key {
                b"name" => &mut name,
                b"namespace" => &mut namespace,
                _ => return r.skip(),
            };
            *slot = Some(r.str("a string")?.into_owned());
            Ok(())
        }),
        _ => r.skip(),
    });
    *found = match (namespace, name) {
        (Some(ns), Some(name)) => Some(format!("{ns}/{name}")),
        (None, name) => name,
        (Some(_), None) => None,
    };
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_it_can_read_before_the_fault() {
        let bad_port =
            br#"{"type":"MODIFIED","object":{"metadata":{"name":"web-x","namespace":"shop"},
            "ports":[{"port":"http"}]}}"#;
        assert_eq!(name_in_event(bad_port).as_deref(), Some("shop/web-x"));
        let cut =
            br#"{"type":"MODIFIED","object":{"metadata":{"namespace":"shop","name":"web-x","uid""#;
        assert_eq!(name_in_event(cut).as_deref(), Some("shop/web-x"));
        assert_eq!(name_in_event(br#"{"type":"MODIFIED","obj"#), None);
        assert_eq!(name_in_event(b"not json"), None);
    }
}
