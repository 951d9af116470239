//! `actions.<name>`: a rule action in JSON (`forward`, `redirect`, `fixed-response`), used by a backend with
//! `service.name: <name>` and `port.name: use-annotation`. Keys match case-insensitively, as in Go.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;
use tgsync_actors::stack::Redirect;

use super::error::Problem;
use super::json;

/// The most target groups one forward action may name.
pub const MAX_TGS_PER_ACTION: usize = 5;

/// A parsed `actions.<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnnotationAction {
    /// Forward to one or more target groups.
    Forward {
        /// Where to, with weights (all set when there is more than one).
        targets: Vec<ForwardTarget>,
        /// Target-group stickiness in seconds, when enabled.
        stickiness_seconds: Option<u32>,
    },
    /// A redirect.
    Redirect(Redirect),
    /// A fixed response.
    FixedResponse {
        /// Its status code, e.g. `503`.
        status_code: String,
        /// Its content type.
        content_type: Option<String>,
        /// Its body.
        body: Option<String>,
    },
}

/// One target group of a forward.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardTarget {
    /// Which target group.
    pub to: ForwardTo,
    /// Its weight.
    pub weight: Option<u32>,
}

/// How a forward names its target group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardTo {
    /// An existing target group by ARN.
    Arn(String),
    /// An existing target group by name.
    Name(String),
    /// A Service port of the Ingress's namespace (its target group is built like a backend's).
    Service {
        /// The Service.
        name: String,
        /// Its port, a number or a name.
        port: IntOrString,
    },
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "targetgrouparn")]
    target_group_arn: Option<String>,
    #[serde(rename = "targetgroupname")]
    target_group_name: Option<String>,
    #[serde(rename = "forwardconfig")]
    forward: Option<RawForward>,
    #[serde(rename = "redirectconfig")]
    redirect: Option<RawRedirect>,
    #[serde(rename = "fixedresponseconfig")]
    fixed: Option<RawFixed>,
}

#[derive(Deserialize)]
struct RawForward {
    #[serde(rename = "targetgroups", default)]
    target_groups: Vec<RawTuple>,
    #[serde(rename = "targetgroupstickinessconfig")]
    stickiness: Option<RawStickiness>,
}

#[derive(Deserialize)]
struct RawTuple {
    #[serde(rename = "targetgrouparn")]
    arn: Option<String>,
    #[serde(rename = "targetgroupname")]
    name: Option<String>,
    #[serde(rename = "servicename")]
    service_name: Option<String>,
    #[serde(rename = "serviceport")]
    service_port: Option<IntOrString>,
    weight: Option<i64>,
}

#[derive(Deserialize)]
struct RawStickiness {
    enabled: Option<bool>,
    #[serde(rename = "durationseconds")]
    duration_seconds: Option<i64>,
}

#[derive(Deserialize)]
struct RawRedirect {
    host: Option<String>,
    path: Option<String>,
    port: Option<String>,
    protocol: Option<String>,
    query: Option<String>,
    #[serde(rename = "statuscode")]
    status_code: Option<String>,
}

#[derive(Deserialize)]
struct RawFixed {
    #[serde(rename = "contenttype")]
    content_type: Option<String>,
    #[serde(rename = "messagebody")]
    body: Option<String>,
    #[serde(rename = "statuscode")]
    status_code: Option<String>,
}

/// Parses an `actions.<name>` value.
pub fn parse(raw: &str) -> Result<AnnotationAction, Problem> {
    let raw: Raw = json::decode(raw)?;
    match raw.kind.as_str() {
        "forward" => forward(raw),
        "redirect" => redirect(raw.redirect),
        "fixed-response" => fixed(raw.fixed),
        other => Err(Problem::Unknown {
            value: other.to_owned(),
            allowed: "forward, redirect, fixed-response",
        }),
    }
}

fn forward(raw: Raw) -> Result<AnnotationAction, Problem> {
    let single = |to| {
        Ok(AnnotationAction::Forward {
            targets: vec![ForwardTarget { to, weight: None }],
            stickiness_seconds: None,
        })
    };
    if let Some(arn) = raw.target_group_arn {
        return single(ForwardTo::Arn(arn));
    }
    if let Some(name) = raw.target_group_name {
        return single(ForwardTo::Name(name));
    }
    let config = raw.forward.ok_or_else(|| {
        Problem::Invalid("a forward needs targetGroupARN, targetGroupName or forwardConfig".into())
    })?;
    if config.target_groups.is_empty() {
        return Err(Problem::Invalid(
            "forwardConfig.targetGroups is empty".into(),
        ));
    }
    if config.target_groups.len() > MAX_TGS_PER_ACTION {
        return Err(Problem::Invalid(format!(
            "forwardConfig names {} target groups, at most {MAX_TGS_PER_ACTION} allowed",
            config.target_groups.len()
        )));
    }
    let many = config.target_groups.len() > 1;
    let targets = config
        .target_groups
        .into_iter()
        .map(|t| tuple(t, many))
        .collect::<Result<_, _>>()?;
    Ok(AnnotationAction::Forward {
        targets,
        stickiness_seconds: stickiness(config.stickiness)?,
    })
}

fn tuple(t: RawTuple, weight_required: bool) -> Result<ForwardTarget, Problem> {
    let to = match (t.arn, t.name, t.service_name, t.service_port) {
        (Some(arn), None, None, None) => ForwardTo::Arn(arn),
        (None, Some(name), None, None) => ForwardTo::Name(name),
        (None, None, Some(name), Some(port)) => ForwardTo::Service { name, port },
        (None, None, Some(_), None) => {
            return Err(Problem::Invalid("serviceName without servicePort".into()))
        }
        _ => {
            return Err(Problem::Invalid(
                "each target group needs exactly one of targetGroupARN, targetGroupName or \
                 serviceName with servicePort"
                    .into(),
            ))
        }
    };
    let weight = match t.weight {
        None if weight_required => {
            return Err(Problem::Invalid(
                "weight must be set when forwarding to more than one target group".into(),
            ))
        }
        None => None,
        Some(w) => Some(u32::try_from(w).ok().filter(|w| *w <= 999).ok_or(
            Problem::OutOfRange {
                value: w,
                min: 0,
                max: 999,
            },
        )?),
    };
    Ok(ForwardTarget { to, weight })
}

fn stickiness(raw: Option<RawStickiness>) -> Result<Option<u32>, Problem> {
    let Some(raw) = raw.filter(|s| s.enabled == Some(true)) else {
        return Ok(None);
    };
    let seconds = raw.duration_seconds.ok_or_else(|| {
        Problem::Invalid(
            "targetGroupStickinessConfig.durationSeconds is required when enabled".into(),
        )
    })?;
    u32::try_from(seconds)
        .ok()
        .filter(|s| (1..=604_800).contains(s))
        .map(Some)
        .ok_or(Problem::OutOfRange {
            value: seconds,
            min: 1,
            max: 604_800,
        })
}

fn redirect(raw: Option<RawRedirect>) -> Result<AnnotationAction, Problem> {
    let raw = raw.ok_or_else(|| Problem::Invalid("a redirect needs redirectConfig".into()))?;
    let status_code = raw.status_code.unwrap_or_default();
    if !matches!(status_code.as_str(), "HTTP_301" | "HTTP_302") {
        return Err(Problem::Unknown {
            value: status_code,
            allowed: "HTTP_301, HTTP_302 (redirectConfig.statusCode)",
        });
    }
    Ok(AnnotationAction::Redirect(Redirect {
        protocol: raw.protocol,
        port: raw.port,
        host: raw.host,
        path: raw.path,
        query: raw.query,
        status_code,
    }))
}

fn fixed(raw: Option<RawFixed>) -> Result<AnnotationAction, Problem> {
    let raw =
        raw.ok_or_else(|| Problem::Invalid("a fixed-response needs fixedResponseConfig".into()))?;
    let status_code = raw.status_code.unwrap_or_default();
    let three_digits = status_code.len() == 3
        && status_code.bytes().all(|b| b.is_ascii_digit())
        && matches!(status_code.as_bytes()[0], b'2' | b'4' | b'5');
    if !three_digits {
        return Err(Problem::Invalid(format!(
            "fixedResponseConfig.statusCode {status_code:?} is not a 2XX, 4XX or 5XX code"
        )));
    }
    Ok(AnnotationAction::FixedResponse {
        status_code,
        content_type: raw.content_type,
        body: raw.body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_by_arn_name_and_weighted_services() {
        let arn = parse(r#"{"type":"forward","targetGroupARN":"arn:tg"}"#).unwrap();
        assert_eq!(
            arn,
            AnnotationAction::Forward {
                targets: vec![ForwardTarget {
                    to: ForwardTo::Arn("arn:tg".into()),
                    weight: None
                }],
                stickiness_seconds: None
            }
        );
        let name = parse(r#"{"Type":"forward","TargetGroupName":"web"}"#).unwrap();
        assert!(matches!(name, AnnotationAction::Forward { ref targets, .. }
            if targets[0].to == ForwardTo::Name("web".into())));
        let weighted = parse(
            r#"{"type":"forward","forwardConfig":{"targetGroups":[
                {"serviceName":"blue","servicePort":"80","weight":20},
                {"ServiceName":"green","ServicePort":8080,"Weight":80}],
              "targetGroupStickinessConfig":{"enabled":true,"durationSeconds":300}}}"#,
        )
        .unwrap();
        let AnnotationAction::Forward {
            targets,
            stickiness_seconds,
        } = weighted
        else {
            panic!("not a forward");
        };
        assert_eq!(stickiness_seconds, Some(300));
        assert_eq!(
            targets[1],
            ForwardTarget {
                to: ForwardTo::Service {
                    name: "green".into(),
                    port: IntOrString::Int(8080)
                },
                weight: Some(80)
            }
        );
    }

    #[test]
    fn redirects_and_fixed_responses() {
        let r = parse(
            r#"{"Type":"redirect","RedirectConfig":{"Protocol":"HTTPS","Port":"443","StatusCode":"HTTP_301"}}"#,
        )
        .unwrap();
        assert_eq!(
            r,
            AnnotationAction::Redirect(Redirect {
                protocol: Some("HTTPS".into()),
                port: Some("443".into()),
                status_code: "HTTP_301".into(),
                ..Redirect::default()
            })
        );
        let f = parse(
            r#"{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"418","messageBody":"tea"}}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            AnnotationAction::FixedResponse {
                status_code: "418".into(),
                content_type: Some("text/plain".into()),
                body: Some("tea".into())
            }
        );
    }

    #[test]
    fn refuses_bad_actions() {
        let bad = [
            "{",
            r#"{"targetGroupARN":"arn:tg"}"#,
            r#"{"type":"authenticate-oidc"}"#,
            r#"{"type":"forward"}"#,
            r#"{"type":"forward","forwardConfig":{"targetGroups":[]}}"#,
            r#"{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":80},{"serviceName":"b","servicePort":80,"weight":1}]}}"#,
            r#"{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a"}]}}"#,
            r#"{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupARN":"x","serviceName":"a","servicePort":80}]}}"#,
            r#"{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupARN":"x","weight":-1}]}}"#,
            r#"{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupARN":"x"}],"targetGroupStickinessConfig":{"enabled":true}}}"#,
            r#"{"type":"forward","forwardConfig":{"targetGroups":[
                {"targetGroupARN":"1","weight":1},{"targetGroupARN":"2","weight":1},{"targetGroupARN":"3","weight":1},
                {"targetGroupARN":"4","weight":1},{"targetGroupARN":"5","weight":1},{"targetGroupARN":"6","weight":1}]}}"#,
            r#"{"type":"redirect"}"#,
            r#"{"type":"redirect","redirectConfig":{"statusCode":"HTTP_307"}}"#,
            r#"{"type":"fixed-response","fixedResponseConfig":{"statusCode":"302"}}"#,
            r#"{"type":"fixed-response","fixedResponseConfig":{}}"#,
        ];
        for raw in bad {
            assert!(parse(raw).is_err(), "{raw}");
        }
    }
}
