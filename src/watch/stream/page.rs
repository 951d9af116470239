//! One page of the EndpointSlice list, decoded by the same reader as the watch. An item that does not decode
//! is logged and left out, so one bad object cannot hold back the list; a page that is not JSON fails whole.

use super::bad_line;
use crate::watch::json::{DecodeError, Reader};
use crate::watch::SlimEndpointSlice;

/// The slices of a page and where the list goes on.
#[derive(Debug, Default)]
pub(super) struct Page {
    /// The slices that decoded, in list order.
    pub items: Vec<SlimEndpointSlice>,
    /// The list's resourceVersion, to watch from once the last page is in.
    pub resource_version: Option<String>,
    /// The token of the next page; `None` on the last.
    pub continue_token: Option<String>,
}

impl Page {
    /// Decodes a list body.
    pub fn from_slice(bytes: &[u8]) -> Result<Page, DecodeError> {
        let mut page = Page::default();
        let mut r = Reader::new(bytes);
        r.object("a list", |r, key| {
            match key {
                b"metadata" => {
                    r.nullable(|r| {
                        r.object("list metadata", |r, key| {
                            let slot = match key {
                                b"resourceVersion" => &mut page.resource_version,
                                b"continue" => &mut page.continue_token,
                                _ => return r.skip(),
                            };
                            *slot = r.nullable(|r| r.str("a string").map(|s| s.into_owned()))?;
                            Ok(())
                        })
                    })?;
                }
                b"items" => {
                    page.items.clear();
                    r.nullable(|r| {
                        r.array("a list of EndpointSlices", |r| {
                            let start = r.pos();
                            match SlimEndpointSlice::read(r) {
                                Ok(slice) => page.items.push(slice),
                                Err(error) => {
                                    // Well-formed JSON of the wrong shape: step over it whole.
                                    r.seek(start);
                                    r.skip()?;
                                    bad_line::skipped_item(&bytes[start..r.pos()], &error);
                                }
                            }
                            Ok(())
                        })
                    })?;
                }
                _ => r.skip()?,
            }
            Ok(())
        })?;
        r.end()?;
        page.resource_version = page.resource_version.filter(|v| !v.is_empty());
        page.continue_token = page.continue_token.filter(|t| !t.is_empty());
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_keeps_its_good_items_and_where_the_list_goes_on() {
        let body = br#"{"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1",
            "metadata":{"resourceVersion":"42","continue":"next-page"},
            "items":[{"metadata":{"name":"a","namespace":"shop"},"addressType":"IPv4","endpoints":null},
                     {"metadata":{"name":"bad","namespace":"shop"},"addressType":7},
                     {"metadata":{"name":"b","namespace":"shop"},"addressType":"IPv4","endpoints":[]}]}"#;
        let page = Page::from_slice(body).expect("decodes");
        let names: Vec<_> = page
            .items
            .iter()
            .map(|s| s.metadata.name.as_deref())
            .collect();
        assert_eq!(names, [Some("a"), Some("b")]);
        assert_eq!(page.resource_version.as_deref(), Some("42"));
        assert_eq!(page.continue_token.as_deref(), Some("next-page"));
    }

    #[test]
    fn the_last_page_has_no_token_and_a_broken_page_fails() {
        let page =
            Page::from_slice(br#"{"metadata":{"resourceVersion":"7","continue":""},"items":null}"#)
                .expect("decodes");
        assert!(page.items.is_empty() && page.continue_token.is_none());
        assert!(Page::from_slice(br#"{"metadata":{},"items":[{"metadata":"#).is_err());
    }
}
