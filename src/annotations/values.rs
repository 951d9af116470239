//! The value formats annotations share: plain string, `stringList`, `stringMap`, Go-style bool and int, JSON.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use super::error::{AnnotationError, Problem};
use super::json;

/// The prefix of the annotations tgsync reads on Ingresses (and on the Services their backends name).
pub const PREFIX: &str = "alb.ingress.kubernetes.io/";
/// The prefix of the annotations tgsync reads on Services of type LoadBalancer.
pub const SERVICE_PREFIX: &str = "service.beta.kubernetes.io/";

/// One object's annotations under one prefix, read by suffix (the part after the prefix).
#[derive(Clone, Copy, Debug)]
pub struct Annotations<'a> {
    map: Option<&'a BTreeMap<String, String>>,
    prefix: &'static str,
}

impl<'a> Annotations<'a> {
    /// Reads `map`, an object's `metadata.annotations`, under the Ingress prefix [`PREFIX`].
    pub fn new(map: Option<&'a BTreeMap<String, String>>) -> Self {
        Self {
            map,
            prefix: PREFIX,
        }
    }

    /// Reads `map` under the Service prefix [`SERVICE_PREFIX`].
    pub fn service(map: Option<&'a BTreeMap<String, String>>) -> Self {
        Self {
            map,
            prefix: SERVICE_PREFIX,
        }
    }

    /// The raw value of `prefix + suffix`.
    pub fn raw(&self, suffix: &str) -> Option<&'a str> {
        self.map?
            .get(&format!("{}{suffix}", self.prefix))
            .map(String::as_str)
    }

    /// Every `(rest, value)` whose key is `prefix + family + rest`, e.g. the `<name>` of `actions.<name>`.
    pub fn family(&self, family: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let prefix = self.prefix;
        self.map.into_iter().flatten().filter_map(move |(k, v)| {
            let rest = k.strip_prefix(prefix)?.strip_prefix(family)?;
            Some((rest, v.as_str()))
        })
    }

    /// The error for annotation `suffix` under this prefix.
    pub fn error_for(&self, suffix: &str, problem: Problem) -> AnnotationError {
        AnnotationError {
            annotation: format!("{}{suffix}", self.prefix),
            problem,
        }
    }

    /// A plain string, trimmed; an empty value counts as absent.
    pub fn string(&self, suffix: &str) -> Option<String> {
        let v = self.raw(suffix)?.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    /// A `stringList`: comma-separated, each item trimmed, empty items dropped.
    pub fn list(&self, suffix: &str) -> Option<Vec<String>> {
        self.raw(suffix).map(string_list)
    }

    /// A `stringMap`: `k=v,k2=v2`; a malformed pair is an error.
    pub fn map(&self, suffix: &str) -> Result<Option<BTreeMap<String, String>>, AnnotationError> {
        self.parse(suffix, string_map)
    }

    /// A bool as Go's `strconv.ParseBool` reads it.
    pub fn bool(&self, suffix: &str) -> Result<Option<bool>, AnnotationError> {
        self.parse(suffix, parse_bool)
    }

    /// A base-10 integer within `min..=max`.
    pub fn int(&self, suffix: &str, min: i64, max: i64) -> Result<Option<i64>, AnnotationError> {
        self.parse(suffix, |raw| parse_int(raw, min, max))
    }

    /// JSON decoded as Go's `encoding/json` would: object keys match field names case-insensitively.
    pub fn json<T: DeserializeOwned>(&self, suffix: &str) -> Result<Option<T>, AnnotationError> {
        self.parse(suffix, json::decode)
    }

    /// Runs `parse` over the value of `suffix`, naming the annotation in its error.
    pub fn parse<T>(
        &self,
        suffix: &str,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Result<Option<T>, AnnotationError> {
        self.raw(suffix)
            .map(|raw| parse(raw).map_err(|problem| self.error_for(suffix, problem)))
            .transpose()
    }
}

/// The error for Ingress annotation `suffix`.
pub fn error(suffix: &str, problem: Problem) -> AnnotationError {
    AnnotationError {
        annotation: format!("{PREFIX}{suffix}"),
        problem,
    }
}

/// Splits a `stringList`.
pub fn string_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses a `stringMap`.
pub fn string_map(raw: &str) -> Result<BTreeMap<String, String>, Problem> {
    let mut out = BTreeMap::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (k, v) = item
            .split_once('=')
            .ok_or_else(|| Problem::BadPair(item.to_owned()))?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() {
            return Err(Problem::BadPair(item.to_owned()));
        }
        out.insert(k.to_owned(), v.to_owned());
    }
    Ok(out)
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(raw: &str) -> Result<bool, Problem> {
    match raw {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        other => Err(Problem::NotBool(other.to_owned())),
    }
}

/// A base-10 integer (an optional sign, no spaces) within `min..=max`.
pub fn parse_int(raw: &str, min: i64, max: i64) -> Result<i64, Problem> {
    let value: i64 = raw.parse().map_err(|_| Problem::NotInt(raw.to_owned()))?;
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Problem::OutOfRange { value, min, max })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (format!("{PREFIX}{k}"), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn string_lists_are_trimmed_and_skip_empty_items() {
        assert_eq!(string_list(" a, b ,,c ,"), ["a", "b", "c"]);
        assert!(string_list(" , ").is_empty());
    }

    #[test]
    fn string_maps_read_pairs_and_refuse_malformed_ones() {
        let m = string_map("a=1, b = x=y ,c=").unwrap();
        assert_eq!(m["a"], "1");
        assert_eq!(m["b"], "x=y");
        assert_eq!(m["c"], "");
        assert_eq!(string_map("a=1,b"), Err(Problem::BadPair("b".into())));
        assert_eq!(string_map("=1"), Err(Problem::BadPair("=1".into())));
    }

    #[test]
    fn bools_are_gos() {
        for t in ["1", "t", "TRUE", "True", "true"] {
            assert_eq!(parse_bool(t), Ok(true));
        }
        for f in ["0", "f", "FALSE", "False", "false"] {
            assert_eq!(parse_bool(f), Ok(false));
        }
        for bad in ["yes", "tRUE", " true", ""] {
            assert!(matches!(parse_bool(bad), Err(Problem::NotBool(_))), "{bad}");
        }
    }

    #[test]
    fn ints_are_base_ten_and_ranged() {
        assert_eq!(parse_int("-5", -10, 10), Ok(-5));
        assert_eq!(parse_int("+5", -10, 10), Ok(5));
        assert!(matches!(parse_int("0x10", 0, 100), Err(Problem::NotInt(_))));
        assert!(matches!(parse_int(" 1", 0, 100), Err(Problem::NotInt(_))));
        assert!(matches!(parse_int("1.5", 0, 100), Err(Problem::NotInt(_))));
        assert_eq!(
            parse_int("11", -10, 10),
            Err(Problem::OutOfRange {
                value: 11,
                min: -10,
                max: 10
            })
        );
    }

    #[test]
    fn errors_name_the_annotation() {
        let map = annotations(&[("tags", "a=1,oops"), ("other/x", "1")]);
        let a = Annotations::new(Some(&map));
        let err = a.map("tags").unwrap_err();
        assert_eq!(err.annotation, "alb.ingress.kubernetes.io/tags");
        assert!(err.to_string().contains("alb.ingress.kubernetes.io/tags"));
        assert!(err.to_string().contains("oops"));
        assert_eq!(a.map("absent"), Ok(None));
        assert_eq!(a.raw("other/x"), Some("1"));
    }

    #[test]
    fn families_yield_the_rest_of_the_key() {
        let map = annotations(&[
            ("actions.a", "1"),
            ("actions.b", "2"),
            ("conditions.a", "3"),
        ]);
        let a = Annotations::new(Some(&map));
        let names: Vec<_> = a.family("actions.").collect();
        assert_eq!(names, [("a", "1"), ("b", "2")]);
    }
}
