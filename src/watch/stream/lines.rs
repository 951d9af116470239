//! A watch body's chunks split into lines. A line inside one chunk is handed out as a slice of that chunk,
//! never copied; only a line that spans chunks is gathered into a buffer, which is kept for the next one.

use bytes::Bytes;

/// The lines of a body, fed one chunk at a time.
#[derive(Default)]
pub(super) struct Lines {
    chunk: Bytes,
    /// Where the unread part of `chunk` starts.
    at: usize,
    /// The start of a line whose end has not come yet, or (when `gathered`) a whole line handed out.
    partial: Vec<u8>,
    gathered: bool,
}

impl Lines {
    /// Feeds the next chunk; call it only once `next_line` has returned `None`.
    pub fn push(&mut self, chunk: Bytes) {
        self.chunk = chunk;
        self.at = 0;
    }

    /// The next complete line, without its newline; `None` when the chunks so far hold no more.
    pub fn next_line(&mut self) -> Option<&[u8]> {
        if self.gathered {
            self.partial.clear();
            self.gathered = false;
        }
        let start = self.at;
        let rest = &self.chunk[start..];
        let Some(len) = memchr::memchr(b'\n', rest) else {
            self.partial.extend_from_slice(rest);
            self.at = self.chunk.len();
            return None;
        };
        self.at = start + len + 1;
        if self.partial.is_empty() {
            return Some(&self.chunk[start..start + len]);
        }
        self.partial.extend_from_slice(&rest[..len]);
        self.gathered = true;
        Some(&self.partial)
    }

    /// What the body left after its last newline, once it has ended and `next_line` has returned `None`
    /// (a cut-off line), if anything.
    pub fn rest(&mut self) -> Option<&[u8]> {
        if self.gathered {
            self.partial.clear();
            self.gathered = false;
        }
        self.partial.extend_from_slice(&self.chunk[self.at..]);
        self.at = self.chunk.len();
        let rest = &self.partial[..];
        (!rest.iter().all(u8::is_ascii_whitespace)).then_some(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, Option<Vec<u8>>) {
        let mut lines = Lines::default();
        let mut got = Vec::new();
        for chunk in chunks {
            lines.push(Bytes::copy_from_slice(chunk));
            while let Some(line) = lines.next_line() {
                got.push(line.to_vec());
            }
        }
        (got, lines.rest().map(<[u8]>::to_vec))
    }

    #[test]
    fn every_split_of_a_body_gives_the_same_lines() {
        let body = b"{\"a\":1}\n\n{\"b\":[2,3]}\n{\"c\":\"x\"}\n{\"cut\":";
        let want: Vec<Vec<u8>> = vec![
            b"{\"a\":1}".to_vec(),
            Vec::new(),
            b"{\"b\":[2,3]}".to_vec(),
            b"{\"c\":\"x\"}".to_vec(),
        ];
        for first in 0..=body.len() {
            for second in first..=body.len() {
                let chunks = [&body[..first], &body[first..second], &body[second..]];
                let (got, rest) = lines_of(&chunks);
                assert_eq!(got, want, "split at {first} and {second}");
                assert_eq!(rest.as_deref(), Some(&b"{\"cut\":"[..]));
            }
        }
    }

    #[test]
    fn a_line_inside_one_chunk_is_not_copied() {
        let chunk = Bytes::from_static(b"first\nsecond\nthi");
        let mut lines = Lines::default();
        lines.push(chunk.clone());
        let first = lines.next_line().expect("a line");
        assert_eq!(first.as_ptr(), chunk.as_ptr());
        assert_eq!(lines.next_line(), Some(&b"second"[..]));
        assert_eq!(lines.next_line(), None);
        lines.push(Bytes::from_static(b"rd\n"));
        assert_eq!(lines.next_line(), Some(&b"third"[..]));
        assert_eq!(lines.next_line(), None);
        assert_eq!(lines.rest(), None);
    }

    #[test]
    fn a_body_ending_on_a_newline_or_blanks_leaves_nothing() {
        assert_eq!(lines_of(&[b"{}\n", b"  \r"]).1, None);
        assert_eq!(lines_of(&[]).1, None);
    }
}
