use std::fmt;

/// Why a document did not decode, and where (1-based line and column, as serde_json reports them).
///
/// Boxed: decoders return it through every call, and a pointer-sized error keeps their results small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    what: String,
    line: usize,
    column: usize,
    eof: bool,
}

impl DecodeError {
    /// An error found at byte `pos` of `input`; `eof` when the input ended too soon.
    #[cold]
    pub(crate) fn at(input: &[u8], pos: usize, what: impl fmt::Display, eof: bool) -> Self {
        let before = &input[..pos.min(input.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        DecodeError(Box::new(Inner {
            what: what.to_string(),
            line,
            column,
            eof,
        }))
    }

    /// Whether the input ended in the middle of a value (a truncated line).
    pub fn is_eof(&self) -> bool {
        self.0.eof
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Inner {
            what, line, column, ..
        } = &*self.0;
        write!(f, "{what} at line {line} column {column}")
    }
}

impl std::error::Error for DecodeError {}
