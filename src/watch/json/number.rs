//! Numbers, checked against JSON's grammar and read as an integer when they are one.

/// What stopped a number scan.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Bad {
    /// The input ended inside the number.
    Eof,
    /// The byte at this offset cannot continue the number.
    Invalid(usize),
}

/// A number at the start of `bytes`: its length, and its value if it is an integer that fits an `i64`
/// (no fraction, no exponent).
pub(super) fn scan(bytes: &[u8]) -> Result<(usize, Option<i64>), Bad> {
    let negative = bytes.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let digits = |from: usize| {
        from + bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let int_end = match bytes.get(at) {
        None => return Err(Bad::Eof),
        Some(b'0') => at + 1,
        Some(b'1'..=b'9') => digits(at),
        Some(_) => return Err(Bad::Invalid(at)),
    };
    if bytes.get(int_end).is_some_and(u8::is_ascii_digit) {
        // A leading zero.
        return Err(Bad::Invalid(int_end));
    }
    let mut integer = true;
    at = int_end;
    if bytes.get(at) == Some(&b'.') {
        integer = false;
        at = required_digits(bytes, at + 1)?;
    }
    if let Some(b'e' | b'E') = bytes.get(at) {
        integer = false;
        at += 1;
        if let Some(b'+' | b'-') = bytes.get(at) {
            at += 1;
        }
        at = required_digits(bytes, at)?;
    }
    let value = integer
        .then(|| int_value(&bytes[usize::from(negative)..int_end], negative))
        .flatten();
    Ok((at, value))
}

/// The end of one or more digits from `from`.
fn required_digits(bytes: &[u8], from: usize) -> Result<usize, Bad> {
    let n = bytes[from..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    match (n, bytes.get(from)) {
        (0, None) => Err(Bad::Eof),
        (0, Some(_)) => Err(Bad::Invalid(from)),
        _ => Ok(from + n),
    }
}

/// Decimal digits as an `i64`, `None` if out of range.
fn int_value(digits: &[u8], negative: bool) -> Option<i64> {
    let magnitude = digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_other_numbers() {
        assert_eq!(scan(b"8080,"), Ok((4, Some(8080))));
        assert_eq!(scan(b"-0}"), Ok((2, Some(0))));
        assert_eq!(scan(b"0"), Ok((1, Some(0))));
        assert_eq!(scan(b"-9223372036854775808]"), Ok((20, Some(i64::MIN))));
        assert_eq!(scan(b"9223372036854775808"), Ok((19, None)));
        assert_eq!(scan(b"1.5e-3 "), Ok((6, None)));
        assert_eq!(scan(b"2E+8"), Ok((4, None)));
        assert_eq!(scan(b"80.0"), Ok((4, None)));
    }

    #[test]
    fn malformed_and_truncated_numbers() {
        assert_eq!(scan(b"-"), Err(Bad::Eof));
        assert_eq!(scan(b"1."), Err(Bad::Eof));
        assert_eq!(scan(b"1e+"), Err(Bad::Eof));
        assert_eq!(scan(b"01"), Err(Bad::Invalid(1)));
        assert_eq!(scan(b"-x"), Err(Bad::Invalid(1)));
        assert_eq!(scan(b"1.e5"), Err(Bad::Invalid(2)));
        assert_eq!(scan(b"+1"), Err(Bad::Invalid(0)));
    }
}
