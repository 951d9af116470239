//! Rule conditions, from either the typed configs or the legacy top-level `Values` (moto answers with the
//! latter when a rule was created with it).

use aws_sdk_elasticloadbalancingv2::types::RuleCondition;
use tgsync_actors::stack::Condition;

use super::{required, Unmodelled};

/// A rule's conditions, sorted by field as the model keeps them.
pub(in crate::aws::stack) fn conditions(
    sdk: &[RuleCondition],
) -> Result<Vec<Condition>, Unmodelled> {
    let mut out = sdk.iter().map(condition).collect::<Result<Vec<_>, _>>()?;
    out.sort();
    Ok(out)
}

fn condition(c: &RuleCondition) -> Result<Condition, Unmodelled> {
    let field = required(c.field(), "condition field")?;
    if !c.regex_values().is_empty() {
        return Err(Unmodelled(format!("{field} with regex values")));
    }
    // The typed config wins; the legacy list is what host-header and path-pattern had before configs.
    let values = |typed: Option<&[String]>| typed.unwrap_or(c.values()).to_vec();
    Ok(match field {
        "host-header" => Condition::HostHeader(values(c.host_header_config().map(|h| h.values()))),
        "path-pattern" => {
            Condition::PathPattern(values(c.path_pattern_config().map(|p| p.values())))
        }
        "http-header" => {
            let h = required(c.http_header_config(), "http-header config")?;
            if !h.regex_values().is_empty() {
                return Err(Unmodelled("http-header with regex values".into()));
            }
            Condition::HttpHeader {
                name: required(h.http_header_name(), "http-header name")?.to_owned(),
                values: h.values().to_vec(),
            }
        }
        "http-request-method" => {
            Condition::HttpRequestMethod(values(c.http_request_method_config().map(|m| m.values())))
        }
        "query-string" => {
            let q = required(c.query_string_config(), "query-string config")?;
            Condition::QueryString(
                q.values()
                    .iter()
                    .map(|kv| {
                        let value = required(kv.value(), "query-string value")?.to_owned();
                        Ok((kv.key().map(str::to_owned), value))
                    })
                    .collect::<Result<_, Unmodelled>>()?,
            )
        }
        "source-ip" => Condition::SourceIp(values(c.source_ip_config().map(|s| s.values()))),
        other => return Err(Unmodelled(format!("condition field {other}"))),
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticloadbalancingv2::types::{
        HostHeaderConditionConfig, HttpHeaderConditionConfig, PathPatternConditionConfig,
        QueryStringConditionConfig, QueryStringKeyValuePair,
    };

    use super::*;

    #[test]
    fn typed_configs_and_legacy_values_convert_and_sort_by_field() {
        let sdk = [
            RuleCondition::builder()
                .field("path-pattern")
                .path_pattern_config(
                    PathPatternConditionConfig::builder()
                        .values("/api")
                        .values("/api/*")
                        .build(),
                )
                .build(),
            RuleCondition::builder()
                .field("host-header")
                .values("a.example.com")
                .build(),
            RuleCondition::builder()
                .field("query-string")
                .query_string_config(
                    QueryStringConditionConfig::builder()
                        .values(QueryStringKeyValuePair::builder().value("v").build())
                        .values(
                            QueryStringKeyValuePair::builder()
                                .key("k")
                                .value("w")
                                .build(),
                        )
                        .build(),
                )
                .build(),
            RuleCondition::builder()
                .field("http-header")
                .http_header_config(
                    HttpHeaderConditionConfig::builder()
                        .http_header_name("X-Env")
                        .values("blue")
                        .build(),
                )
                .build(),
        ];
        assert_eq!(
            conditions(&sdk).unwrap(),
            vec![
                Condition::HostHeader(vec!["a.example.com".into()]),
                Condition::PathPattern(vec!["/api".into(), "/api/*".into()]),
                Condition::HttpHeader {
                    name: "X-Env".into(),
                    values: vec!["blue".into()]
                },
                Condition::QueryString(vec![(None, "v".into()), (Some("k".into()), "w".into())]),
            ]
        );
    }

    #[test]
    fn the_typed_config_wins_over_the_legacy_list() {
        let sdk = RuleCondition::builder()
            .field("host-header")
            .values("old.example.com")
            .host_header_config(
                HostHeaderConditionConfig::builder()
                    .values("new.example.com")
                    .build(),
            )
            .build();
        assert_eq!(
            conditions(&[sdk]).unwrap(),
            vec![Condition::HostHeader(vec!["new.example.com".into()])]
        );
    }

    #[test]
    fn regex_values_and_unknown_fields_are_unmodelled() {
        let regex = RuleCondition::builder()
            .field("host-header")
            .regex_values("^a.*$")
            .build();
        assert!(conditions(&[regex]).is_err());
        let unknown = RuleCondition::builder()
            .field("tls-sni")
            .values("x")
            .build();
        assert_eq!(
            conditions(&[unknown]),
            Err(Unmodelled("condition field tls-sni".into()))
        );
        let nameless = RuleCondition::builder()
            .field("http-header")
            .http_header_config(HttpHeaderConditionConfig::builder().values("x").build())
            .build();
        assert!(conditions(&[nameless]).is_err());
    }
}
