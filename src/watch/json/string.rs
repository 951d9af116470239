//! Strings: where one ends, found eight bytes at a time (most of a watch line is string bytes), and the rare
//! escaped one unescaped.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// What ended a string scan early.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Bad {
    /// The input ended before the closing quote.
    Eof,
    /// A raw control character at this offset (JSON wants them escaped).
    Control(usize),
    /// A malformed escape at this offset.
    Escape(usize),
}

/// A string body, from just past its opening quote: its length up to the closing quote, and whether it
/// holds escapes (then it must be unescaped before use).
#[inline]
pub(super) fn scan(body: &[u8]) -> Result<(usize, bool), Bad> {
    let mut at = 0;
    let mut escaped = false;
    loop {
        let (offset, special) = find_special(&body[at..]).ok_or(Bad::Eof)?;
        let special_at = at + offset;
        match special {
            Special::Quote => return Ok((special_at, escaped)),
            Special::Backslash => {
                escaped = true;
                let len = escape_len(&body[special_at + 1..]).map_err(|eof| match eof {
                    true => Bad::Eof,
                    false => Bad::Escape(special_at),
                })?;
                at = special_at + 1 + len;
            }
            Special::Control => return Err(Bad::Control(special_at)),
        }
    }
}

/// The bytes that end a run of plain string bytes.
#[derive(Debug, PartialEq, Eq)]
enum Special {
    Quote,
    Backslash,
    Control,
}

/// Length of the escape after a backslash; `Err(true)` if the input ends inside it, `Err(false)` if it is
/// not an escape JSON knows.
fn escape_len(after: &[u8]) -> Result<usize, bool> {
    match after.first() {
        None => Err(true),
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(1),
        Some(b'u') => {
            let hex = after.get(1..5).ok_or(true)?;
            match hex.iter().all(u8::is_ascii_hexdigit) {
                true => Ok(5),
                false => Err(false),
            }
        }
        Some(_) => Err(false),
    }
}

/// Offset and kind of the first `"`, `\` or control byte.
#[inline]
fn find_special(bytes: &[u8]) -> Option<(usize, Special)> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let quotes = zero_bytes(word ^ (ONES * u64::from(b'"')));
        let mask = quotes | zero_bytes(word ^ (ONES * u64::from(b'\\'))) | below_space(word);
        if mask != 0 {
            // Little-endian: the lowest flagged byte comes first, and it is always a true match (a borrow
            // can only flag bytes after one). Telling its kind from the masks saves reading it again.
            let first = mask & mask.wrapping_neg();
            let special = if quotes & first != 0 {
                Special::Quote
            } else if below_space(word) & first != 0 {
                Special::Control
            } else {
                Special::Backslash
            };
            return Some((at + (mask.trailing_zeros() / 8) as usize, special));
        }
        at += 8;
    }
    let rest = chunks.remainder();
    rest.iter().enumerate().find_map(|(i, &b)| {
        let special = match b {
            b'"' => Special::Quote,
            b'\\' => Special::Backslash,
            0..=0x1f => Special::Control,
            _ => return None,
        };
        Some((at + i, special))
    })
}

/// The high bit of every zero byte of `word` (and maybe of bytes after one).
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The high bit of every byte below 0x20 (and maybe of bytes after one).
fn below_space(word: u64) -> u64 {
    word.wrapping_sub(ONES * 0x20) & !word & HIGHS
}

/// A scanned string body with its escapes resolved; `Err` is the offset of a `\u` escape that is half of a
/// surrogate pair without its other half.
pub(super) fn unescape(body: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        let simple = match body[i + 1] {
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            other => Some(other),
        };
        if let Some(b) = simple {
            out.push(b);
            i += 2;
            continue;
        }
        let high = hex4(&body[i + 2..i + 6]);
        let (code, len) = match high {
            0xD800..=0xDBFF => match body.get(i + 6..i + 8) {
                Some(b"\\u") => {
                    let low = hex4(&body[i + 8..i + 12]);
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return Err(i);
                    }
                    (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00), 12)
                }
                _ => return Err(i),
            },
            0xDC00..=0xDFFF => return Err(i),
            code => (code, 6),
        };
        let c = char::from_u32(code).ok_or(i)?;
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        i += len;
    }
    Ok(out)
}

/// Four hex digits `scan` already checked.
fn hex4(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, &d| {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            _ => d - b'A' + 10,
        };
        (n << 4) | u32::from(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_special_byte_wherever_it_is() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    // Bytes just past a match must not hide it, nor high bytes fake one.
                    bytes.iter_mut().skip(at + 1).for_each(|b| *b = 0xff);
                    bytes[at] = special;
                    let kind = match special {
                        b'"' => Special::Quote,
                        b'\\' => Special::Backslash,
                        _ => Special::Control,
                    };
                    assert_eq!(
                        find_special(&bytes),
                        Some((at, kind)),
                        "{len} {at} {special}"
                    );
                }
            }
            assert_eq!(find_special(&vec![0x80; len]), None);
            assert_eq!(find_special(&vec![b' '; len]), None);
        }
    }

    #[test]
    fn scans_to_the_closing_quote_past_escapes() {
        assert_eq!(scan(br#"abc"rest"#), Ok((3, false)));
        assert_eq!(scan(br#"a\"b\\"x"#), Ok((6, true)));
        assert_eq!(scan(br#"\u00e9""#), Ok((6, true)));
        assert_eq!(scan(br#"abc"#), Err(Bad::Eof));
        assert_eq!(scan(br#"ab\"#), Err(Bad::Eof));
        assert_eq!(scan(br#"ab\u00"#), Err(Bad::Eof));
        assert_eq!(scan(br#"ab\x""#), Err(Bad::Escape(2)));
        assert_eq!(scan(br#"ab\u0g00""#), Err(Bad::Escape(2)));
        assert_eq!(scan(b"a\tb\""), Err(Bad::Control(1)));
    }

    #[test]
    fn unescapes_like_json() {
        let body = br#"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00z"#;
        assert_eq!(
            String::from_utf8(unescape(body).unwrap()).unwrap(),
            "a\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1f600}z"
        );
        assert_eq!(unescape(br#"x\ud83d"#), Err(1));
        assert_eq!(unescape(br#"\ude00"#), Err(0));
        assert_eq!(unescape(br#"\ud83d\u0041"#), Err(0));
    }
}
