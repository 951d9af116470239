use std::borrow::Cow;
use std::fmt;

use super::error::DecodeError;
use super::{number, string};

/// How deep a skipped value may nest (serde_json's limit), so hostile input cannot exhaust the stack.
const MAX_DEPTH: u32 = 128;

/// What decoders on a [`Reader`] return.
pub(crate) type Result<T> = std::result::Result<T, DecodeError>;

/// A cursor over one JSON document. Decoders ask for the values they keep where they expect them
/// (`object`, `str`, `int`...) and `skip` the rest, which is checked but never built.
pub(crate) struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Reader { input, pos: 0 }
    }

    /// A reader over `input` at `pos`, an offset a reader over it reported with [`Reader::pos`].
    pub fn at(input: &'a [u8], pos: usize) -> Self {
        Reader { input, pos }
    }

    /// The offset of the cursor.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Moves the cursor back (or on) to `pos`, an offset this reader reported.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// An error at the cursor, e.g. for a value that is well formed but not one the decoder accepts.
    pub fn fail(&self, what: impl fmt::Display) -> DecodeError {
        self.error(what)
    }

    /// Checks that only whitespace is left.
    pub fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }

    /// Reads an object, calling `field` with each key (escapes resolved) and the reader at its value, which
    /// `field` must read or skip. A key given twice is read twice, so the last one wins.
    #[inline]
    pub fn object(
        &mut self,
        expected: &str,
        mut field: impl FnMut(&mut Self, &[u8]) -> Result<()>,
    ) -> Result<()> {
        self.open(b'{', expected)?;
        if self.close(b'}') {
            return Ok(());
        }
        loop {
            let key = self.key()?;
            self.colon()?;
            field(self, &key)?;
            if !self.more(b'}')? {
                return Ok(());
            }
        }
    }

    /// Reads an array, calling `element` with the reader at each element, which it must read or skip.
    #[inline]
    pub fn array(
        &mut self,
        expected: &str,
        mut element: impl FnMut(&mut Self) -> Result<()>,
    ) -> Result<()> {
        self.open(b'[', expected)?;
        if self.close(b']') {
            return Ok(());
        }
        loop {
            element(self)?;
            if !self.more(b']')? {
                return Ok(());
            }
        }
    }

    /// `None` for `null`, else what `read` makes of the value.
    #[inline]
    pub fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            return Ok(None);
        }
        read(self).map(Some)
    }

    /// A string, checked as UTF-8; borrowed from the input unless it holds escapes.
    #[inline]
    pub fn str(&mut self, expected: &str) -> Result<Cow<'a, str>> {
        self.expect_start(|b| b == b'"', expected)?;
        let start = self.pos;
        let utf8 = |r: &Self| DecodeError::at(r.input, start, "invalid unicode code point", false);
        match self.string_bytes()? {
            Cow::Borrowed(b) => std::str::from_utf8(b)
                .map(Cow::Borrowed)
                .map_err(|_| utf8(self)),
            Cow::Owned(v) => String::from_utf8(v).map(Cow::Owned).map_err(|_| utf8(self)),
        }
    }

    /// `true` or `false`.
    #[inline]
    pub fn bool(&mut self, expected: &str) -> Result<bool> {
        match self.peek() {
            Some(b't') => self.literal(b"true").map(|()| true),
            Some(b'f') => self.literal(b"false").map(|()| false),
            _ => Err(self.invalid_type(expected)),
        }
    }

    /// An integer that fits `T`.
    pub fn int<T: TryFrom<i64>>(&mut self, expected: &str) -> Result<T> {
        self.expect_start(|b| b == b'-' || b.is_ascii_digit(), expected)?;
        let start = self.pos;
        match self.number()? {
            Some(v) => T::try_from(v).map_err(|_| {
                self.error(format_args!(
                    "invalid value: integer `{v}`, expected {expected}"
                ))
            }),
            None => {
                let text = String::from_utf8_lossy(&self.input[start..self.pos]);
                Err(self.error(format_args!(
                    "invalid type: floating point `{text}`, expected {expected}"
                )))
            }
        }
    }

    /// Skips one value of any kind, checking that it is well formed.
    pub fn skip(&mut self) -> Result<()> {
        self.skip_nested(0)
    }

    fn skip_nested(&mut self, depth: u32) -> Result<()> {
        let close = match self.peek() {
            Some(b'"') => return self.skip_string(),
            Some(b'{') => b'}',
            Some(b'[') => b']',
            Some(b't') => return self.literal(b"true"),
            Some(b'f') => return self.literal(b"false"),
            Some(b'n') => return self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => return self.number().map(drop),
            Some(_) => return Err(self.error("expected value")),
            None => return Err(self.eof("a value")),
        };
        if depth == MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.pos += 1;
        if self.close(close) {
            return Ok(());
        }
        loop {
            if close == b'}' {
                self.expect_key()?;
                self.skip_string()?;
                self.colon()?;
            }
            self.skip_nested(depth + 1)?;
            if !self.more(close)? {
                return Ok(());
            }
        }
    }

    /// The next byte that is not whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.input.get(self.pos) {
            match b {
                b' ' | b'\n' | b'\r' | b'\t' => self.pos += 1,
                _ => return Some(b),
            }
        }
        None
    }

    /// Consumes `bracket`, or fails saying what was expected instead of the value there.
    #[inline]
    fn open(&mut self, bracket: u8, expected: &str) -> Result<()> {
        self.expect_start(|b| b == bracket, expected)?;
        self.pos += 1;
        Ok(())
    }

    /// Checks that the next value starts with a byte `ok` accepts.
    #[inline]
    fn expect_start(&mut self, ok: impl FnOnce(u8) -> bool, expected: &str) -> Result<()> {
        match self.peek() {
            Some(b) if ok(b) => Ok(()),
            _ => Err(self.invalid_type(expected)),
        }
    }

    /// Consumes `bracket` if it comes next.
    #[inline]
    fn close(&mut self, bracket: u8) -> bool {
        let found = self.peek() == Some(bracket);
        self.pos += usize::from(found);
        found
    }

    /// After a member or element: `true` past a comma (another follows), `false` past the closing bracket.
    #[inline]
    fn more(&mut self, close: u8) -> Result<bool> {
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            Some(_) if close == b'}' => Err(self.error("expected `,` or `}`")),
            Some(_) => Err(self.error("expected `,` or `]`")),
            None if close == b'}' => Err(self.eof("an object")),
            None => Err(self.eof("a list")),
        }
    }

    #[inline]
    fn expect_key(&mut self) -> Result<()> {
        match self.peek() {
            Some(b'"') => Ok(()),
            Some(_) => Err(self.error("key must be a string")),
            None => Err(self.eof("an object")),
        }
    }

    #[inline]
    fn key(&mut self) -> Result<Cow<'a, [u8]>> {
        self.expect_key()?;
        self.string_bytes()
    }

    #[inline]
    fn colon(&mut self) -> Result<()> {
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.error("expected `:`")),
            None => Err(self.eof("an object")),
        }
    }

    #[inline]
    fn literal(&mut self, word: &[u8]) -> Result<()> {
        let rest = &self.input[self.pos..];
        if rest.starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else if word.starts_with(rest) {
            self.pos = self.input.len();
            Err(self.eof("a value"))
        } else {
            Err(self.error("expected ident"))
        }
    }

    /// The string whose opening quote is at the cursor, escapes resolved, not checked as UTF-8.
    #[inline]
    fn string_bytes(&mut self) -> Result<Cow<'a, [u8]>> {
        let start = self.pos + 1;
        let (len, escaped) = self.scan_string(start)?;
        let body = &self.input[start..start + len];
        self.pos = start + len + 1;
        if !escaped {
            return Ok(Cow::Borrowed(body));
        }
        string::unescape(body).map(Cow::Owned).map_err(|at| {
            DecodeError::at(
                self.input,
                start + at,
                "lone surrogate in hex escape",
                false,
            )
        })
    }

    #[inline]
    fn skip_string(&mut self) -> Result<()> {
        let start = self.pos + 1;
        let (len, _) = self.scan_string(start)?;
        self.pos = start + len + 1;
        Ok(())
    }

    #[inline]
    fn scan_string(&mut self, start: usize) -> Result<(usize, bool)> {
        string::scan(&self.input[start..]).map_err(|bad| match bad {
            string::Bad::Eof => {
                self.pos = self.input.len();
                self.eof("a string")
            }
            string::Bad::Control(at) => DecodeError::at(
                self.input,
                start + at,
                "control character (\\u0000-\\u001F) found while parsing a string",
                false,
            ),
            string::Bad::Escape(at) => {
                DecodeError::at(self.input, start + at, "invalid escape", false)
            }
        })
    }

    /// Consumes the number at the cursor: its value if it is an integer that fits an `i64`.
    fn number(&mut self) -> Result<Option<i64>> {
        let start = self.pos;
        match number::scan(&self.input[start..]) {
            Ok((len, value)) => {
                self.pos = start + len;
                Ok(value)
            }
            Err(number::Bad::Eof) => {
                self.pos = self.input.len();
                Err(self.eof("a number"))
            }
            Err(number::Bad::Invalid(at)) => Err(DecodeError::at(
                self.input,
                start + at,
                "invalid number",
                false,
            )),
        }
    }

    /// "invalid type: <the value at the cursor>, expected <expected>", in serde's words.
    fn invalid_type(&mut self, expected: &str) -> DecodeError {
        let mut probe = Reader::at(self.input, self.pos);
        let found = match probe.peek() {
            Some(b'"') => match probe.string_bytes() {
                Ok(s) => format!("string {:?}", String::from_utf8_lossy(&s)),
                Err(e) => return e,
            },
            Some(b't') => "boolean `true`".to_owned(),
            Some(b'f') => "boolean `false`".to_owned(),
            Some(b'n') => "null".to_owned(),
            Some(b'{') => "map".to_owned(),
            Some(b'[') => "sequence".to_owned(),
            Some(b'-' | b'0'..=b'9') => match probe.number() {
                Ok(Some(v)) => format!("integer `{v}`"),
                Ok(None) => "floating point".to_owned(),
                Err(e) => return e,
            },
            Some(_) => return self.error("expected value"),
            None => return self.eof("a value"),
        };
        self.error(format_args!("invalid type: {found}, expected {expected}"))
    }

    fn error(&self, what: impl fmt::Display) -> DecodeError {
        DecodeError::at(self.input, self.pos, what, false)
    }

    fn eof(&self, inside: &str) -> DecodeError {
        DecodeError::at(
            self.input,
            self.pos,
            format_args!("EOF while parsing {inside}"),
            true,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Skips one document and checks nothing follows, as a decoder of nothing would.
    fn skip_all(json: &str) -> Result<()> {
        let mut r = Reader::new(json.as_bytes());
        r.skip()?;
        r.end()
    }

    #[test]
    fn skips_whatever_json_allows() {
        for ok in [
            r#"{"a":[1,-2.5e3,true,false,null,"x\"y",{}],"b":{"c":[]}}"#,
            " [ 1 , { \"k\" : \"v\" } ]\n",
            r#""\u00e9""#,
            "0",
        ] {
            skip_all(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn refuses_what_json_refuses() {
        for (bad, says) in [
            (r#"{"a":1"#, "EOF while parsing an object"),
            (r#"{"a":[1,2"#, "EOF while parsing a list"),
            (r#"{"a":"#, "EOF while parsing a value"),
            (r#"{"a":tru"#, "EOF"),
            (r#"{"a":"x"#, "EOF while parsing a string"),
            (r#"{"a":1,}"#, "key must be a string"),
            (r#"{"a" 1}"#, "expected `:`"),
            (r#"[1 2]"#, "expected `,` or `]`"),
            (r#"{"a":1]"#, "expected `,` or `}`"),
            (r#"[nul]"#, "expected ident"),
            (r#"[01]"#, "invalid number"),
            (r#"{} x"#, "trailing characters"),
            ("[\"a\u{1}\"]", "control character"),
            (r#"["\q"]"#, "invalid escape"),
        ] {
            let err = skip_all(bad).expect_err(bad).to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
        assert!(skip_all(&"[".repeat(200))
            .unwrap_err()
            .to_string()
            .contains("recursion"));
        assert!(skip_all(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_ok());
    }

    #[test]
    fn errors_say_where() {
        let err = skip_all("{\"a\":\n  [1,\n  x]}").unwrap_err();
        assert_eq!(err.to_string(), "expected value at line 3 column 2");
        assert!(!err.is_eof());
        assert!(skip_all("[1,").unwrap_err().is_eof());
    }

    #[test]
    fn typed_reads_name_what_they_found() {
        let read_int = |json: &str| Reader::new(json.as_bytes()).int::<i32>("i32");
        assert_eq!(read_int("-7"), Ok(-7));
        let err = |r: Result<i32>| r.unwrap_err().to_string();
        assert!(
            err(read_int(r#""http""#)).starts_with(r#"invalid type: string "http", expected i32"#)
        );
        assert!(
            err(read_int("1.5")).starts_with("invalid type: floating point `1.5`, expected i32")
        );
        assert!(err(read_int("70000000000")).contains("invalid value: integer `70000000000`"));
        let e = Reader::new(b"[true]").bool("a boolean").unwrap_err();
        assert!(e
            .to_string()
            .starts_with("invalid type: sequence, expected a boolean"));
        let mut r = Reader::new(br#"{"k\u0065y":"v\u00e9","n":null}"#);
        let mut got = Vec::new();
        r.object("a map", |r, key| {
            let value = r.nullable(|r| r.str("a string").map(|s| s.into_owned()))?;
            got.push((String::from_utf8_lossy(key).into_owned(), value));
            Ok(())
        })
        .unwrap();
        assert_eq!(got, [("key".into(), Some("vé".into())), ("n".into(), None)]);
    }
}
