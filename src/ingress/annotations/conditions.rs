//! `conditions.<name>`: extra rule conditions in JSON, a list of `{field, <field>Config: {values}}`. Keys
//! match case-insensitively, as in Go; `regexValues` are not supported yet.

use serde::Deserialize;
use tgsync_actors::stack::Condition;

use super::error::Problem;
use super::json;

#[derive(Deserialize)]
struct Raw {
    field: String,
    #[serde(rename = "hostheaderconfig")]
    host_header: Option<RawValues>,
    #[serde(rename = "pathpatternconfig")]
    path_pattern: Option<RawValues>,
    #[serde(rename = "httpheaderconfig")]
    http_header: Option<RawHeader>,
    #[serde(rename = "httprequestmethodconfig")]
    method: Option<RawValues>,
    #[serde(rename = "querystringconfig")]
    query_string: Option<RawQuery>,
    #[serde(rename = "sourceipconfig")]
    source_ip: Option<RawValues>,
}

#[derive(Deserialize)]
struct RawValues {
    values: Option<Vec<String>>,
    #[serde(rename = "regexvalues")]
    regex_values: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawHeader {
    #[serde(rename = "httpheadername")]
    name: Option<String>,
    values: Option<Vec<String>>,
    #[serde(rename = "regexvalues")]
    regex_values: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawQuery {
    values: Option<Vec<RawPair>>,
}

#[derive(Deserialize)]
struct RawPair {
    key: Option<String>,
    value: String,
}

/// Parses a `conditions.<name>` value.
pub fn parse(raw: &str) -> Result<Vec<Condition>, Problem> {
    let raw: Vec<Raw> = json::decode(raw)?;
    raw.into_iter().map(condition).collect()
}

fn condition(raw: Raw) -> Result<Condition, Problem> {
    let field = raw.field.as_str();
    let missing = |config: &str| Problem::Invalid(format!("field {field} needs {config}"));
    match field {
        "host-header" => Ok(Condition::HostHeader(values(
            raw.host_header.ok_or_else(|| missing("hostHeaderConfig"))?,
        )?)),
        "path-pattern" => Ok(Condition::PathPattern(values(
            raw.path_pattern.ok_or_else(|| missing("pathPatternConfig"))?,
        )?)),
        "http-request-method" => Ok(Condition::HttpRequestMethod(values(
            raw.method.ok_or_else(|| missing("httpRequestMethodConfig"))?,
        )?)),
        "source-ip" => Ok(Condition::SourceIp(values(
            raw.source_ip.ok_or_else(|| missing("sourceIpConfig"))?,
        )?)),
        "http-header" => {
            let h = raw.http_header.ok_or_else(|| missing("httpHeaderConfig"))?;
            let name = h
                .name
                .filter(|n| !n.is_empty())
                .ok_or_else(|| missing("httpHeaderConfig.httpHeaderName"))?;
            let values = values(RawValues {
                values: h.values,
                regex_values: h.regex_values,
            })?;
            Ok(Condition::HttpHeader { name, values })
        }
        "query-string" => {
            let q = raw.query_string.ok_or_else(|| missing("queryStringConfig"))?;
            let pairs: Vec<_> = q
                .values
                .unwrap_or_default()
                .into_iter()
                .map(|p| (p.key, p.value))
                .collect();
            if pairs.is_empty() {
                return Err(missing("queryStringConfig.values"));
            }
            Ok(Condition::QueryString(pairs))
        }
        other => Err(Problem::Unknown {
            value: other.to_owned(),
            allowed: "host-header, path-pattern, http-header, http-request-method, query-string, source-ip",
        }),
    }
}

fn values(raw: RawValues) -> Result<Vec<String>, Problem> {
    match (raw.values, raw.regex_values) {
        (Some(_), Some(_)) => Err(Problem::Invalid(
            "values and regexValues cannot be mixed".into(),
        )),
        (None, Some(_)) => Err(Problem::Unsupported("regexValues".into())),
        (Some(v), None) if !v.is_empty() => Ok(v),
        _ => Err(Problem::Invalid("values must not be empty".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_field_in_any_key_case() {
        let c = parse(
            r#"[{"field":"host-header","hostHeaderConfig":{"values":["a.example.com"]}},
                {"Field":"path-pattern","PathPatternConfig":{"Values":["/x"]}},
                {"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Env","values":["canary"]}},
                {"field":"http-request-method","httpRequestMethodConfig":{"values":["GET","HEAD"]}},
                {"field":"query-string","queryStringConfig":{"values":[{"key":"v","value":"2"},{"value":"beta"}]}},
                {"field":"source-ip","sourceIpConfig":{"values":["10.0.0.0/8"]}}]"#,
        )
        .unwrap();
        assert_eq!(
            c,
            [
                Condition::HostHeader(vec!["a.example.com".into()]),
                Condition::PathPattern(vec!["/x".into()]),
                Condition::HttpHeader {
                    name: "X-Env".into(),
                    values: vec!["canary".into()]
                },
                Condition::HttpRequestMethod(vec!["GET".into(), "HEAD".into()]),
                Condition::QueryString(vec![(Some("v".into()), "2".into()), (None, "beta".into())]),
                Condition::SourceIp(vec!["10.0.0.0/8".into()]),
            ]
        );
    }

    #[test]
    fn refuses_bad_conditions() {
        let bad = [
            "{",
            r#"{"field":"host-header"}"#,
            r#"[{"field":"cookie","values":["a"]}]"#,
            r#"[{"field":"host-header"}]"#,
            r#"[{"field":"host-header","hostHeaderConfig":{"values":[]}}]"#,
            r#"[{"field":"host-header","hostHeaderConfig":{"values":["a"],"regexValues":["b"]}}]"#,
            r#"[{"field":"http-header","httpHeaderConfig":{"values":["a"]}}]"#,
            r#"[{"field":"query-string","queryStringConfig":{"values":[]}}]"#,
            r#"[{"field":"source-ip","sourceIpConfig":{"values":"10.0.0.0/8"}}]"#,
        ];
        for raw in bad {
            assert!(parse(raw).is_err(), "{raw}");
        }
        assert!(matches!(
            parse(r#"[{"field":"host-header","hostHeaderConfig":{"regexValues":["^a"]}}]"#),
            Err(Problem::Unsupported(_))
        ));
    }
}
