//! JSON as Go's `encoding/json` decodes it into a struct: object keys match field names case-insensitively,
//! unknown keys are ignored. Every struct decoded through here names its fields in lower case.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::Problem;

/// Decodes `raw` into `T` after lower-casing every object key (so `"Type"` and `"type"` both reach `type`).
pub fn decode<T: DeserializeOwned>(raw: &str) -> Result<T, Problem> {
    let value: Value = serde_json::from_str(raw).map_err(|e| Problem::Json(e.to_string()))?;
    serde_json::from_value(lower_keys(value)).map_err(|e| Problem::Json(e.to_string()))
}

fn lower_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.to_lowercase(), lower_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(lower_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Probe {
        #[serde(rename = "targetgrouparn")]
        arn: Option<String>,
        nested: Option<Vec<Inner>>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Inner {
        #[serde(rename = "servicename")]
        service: String,
    }

    #[test]
    fn keys_match_whatever_their_case_and_unknown_keys_are_ignored() {
        let p: Probe =
            decode(r#"{"TargetGroupArn":"a","NESTED":[{"serviceName":"s"}],"x":1}"#).unwrap();
        assert_eq!(p.arn.as_deref(), Some("a"));
        assert_eq!(p.nested.unwrap()[0].service, "s");
    }

    #[test]
    fn malformed_or_mistyped_json_is_an_error() {
        assert!(matches!(decode::<Probe>("{"), Err(Problem::Json(_))));
        assert!(matches!(
            decode::<Probe>(r#"{"targetGroupARN":1}"#),
            Err(Problem::Json(_))
        ));
    }
}
