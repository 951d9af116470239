//! An ELBv2 query-protocol request (`Action=RegisterTargets&Version=2015-12-01&...`), parsed and checked.

use std::collections::BTreeMap;

use tgsync_actors::domain::{Target, TargetGroupKey};

/// The API version every ELBv2 query request names.
pub const API_VERSION: &str = "2015-12-01";

/// The calls `tgsync run` makes for TargetGroupBindings: what the HTTP model serves.
#[derive(Clone, Debug, PartialEq)]
pub enum ElbRequest {
    /// RegisterTargets.
    RegisterTargets {
        /// `TargetGroupArn`.
        tg: TargetGroupKey,
        /// `Targets.member.N`.
        targets: Vec<Target>,
    },
    /// DeregisterTargets.
    DeregisterTargets {
        /// `TargetGroupArn`.
        tg: TargetGroupKey,
        /// `Targets.member.N`.
        targets: Vec<Target>,
    },
    /// DescribeTargetHealth, of the whole group or of the targets named.
    DescribeTargetHealth {
        /// `TargetGroupArn`.
        tg: TargetGroupKey,
        /// `Targets.member.N` (empty: every target).
        targets: Vec<Target>,
    },
    /// DescribeTargetGroups by name or by ARN (both empty: all).
    DescribeTargetGroups {
        /// `Names.member.N`.
        names: Vec<String>,
        /// `TargetGroupArns.member.N`.
        arns: Vec<String>,
    },
}

impl ElbRequest {
    /// The API action's name.
    pub fn action(&self) -> &'static str {
        match self {
            ElbRequest::RegisterTargets { .. } => "RegisterTargets",
            ElbRequest::DeregisterTargets { .. } => "DeregisterTargets",
            ElbRequest::DescribeTargetHealth { .. } => "DescribeTargetHealth",
            ElbRequest::DescribeTargetGroups { .. } => "DescribeTargetGroups",
        }
    }
}

/// A request the model refuses before any bucket sees it: the error code and message it answers (HTTP 400).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct RequestError {
    /// The AWS error code (`MissingAction`, `InvalidAction`, `ValidationError`, …).
    pub code: &'static str,
    /// What is wrong, naming the parameter.
    pub message: String,
}

fn invalid(code: &'static str, message: impl Into<String>) -> RequestError {
    RequestError {
        code,
        message: message.into(),
    }
}

/// Parses a form-encoded query request (a POST body, or a GET's query string). Every parameter must be one
/// the action takes, given once; targets need an id (an IP or an instance id) and a port.
pub fn parse_request(form: &[u8]) -> Result<ElbRequest, RequestError> {
    let text = std::str::from_utf8(form)
        .map_err(|_| invalid("MalformedQueryString", "the request is not UTF-8"))?;
    let mut params = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        if params
            .insert(k.clone().into_owned(), v.into_owned())
            .is_some()
        {
            return Err(invalid(
                "ValidationError",
                format!("parameter {k} is given twice"),
            ));
        }
    }
    let action = params
        .remove("Action")
        .ok_or_else(|| invalid("MissingAction", "the request names no Action"))?;
    match params.remove("Version").as_deref() {
        Some(API_VERSION) => {}
        Some(v) => {
            return Err(invalid(
                "NoSuchVersion",
                format!("Version {v} is not ELBv2's {API_VERSION}"),
            ))
        }
        None => return Err(invalid("MissingParameter", "the request names no Version")),
    }
    let mut p = Params {
        params,
        action: &action,
    };
    let request = match action.as_str() {
        "RegisterTargets" => ElbRequest::RegisterTargets {
            tg: p.target_group()?,
            targets: p.targets(true)?,
        },
        "DeregisterTargets" => ElbRequest::DeregisterTargets {
            tg: p.target_group()?,
            targets: p.targets(true)?,
        },
        "DescribeTargetHealth" => ElbRequest::DescribeTargetHealth {
            tg: p.target_group()?,
            targets: p.targets(false)?,
        },
        "DescribeTargetGroups" => ElbRequest::DescribeTargetGroups {
            names: p.list("Names")?,
            arns: p.list("TargetGroupArns")?,
        },
        other => {
            return Err(invalid(
                "InvalidAction",
                format!(
                    "this ELB model serves RegisterTargets, DeregisterTargets, DescribeTargetHealth and \
                     DescribeTargetGroups, not {other:?}"
                ),
            ))
        }
    };
    p.none_left()?;
    Ok(request)
}

/// The parameters not read yet.
struct Params<'a> {
    params: BTreeMap<String, String>,
    action: &'a str,
}

impl Params<'_> {
    fn target_group(&mut self) -> Result<TargetGroupKey, RequestError> {
        match self.params.remove("TargetGroupArn") {
            Some(arn) if !arn.is_empty() => Ok(TargetGroupKey::new(arn)),
            _ => Err(invalid(
                "ValidationError",
                format!("{} needs a TargetGroupArn", self.action),
            )),
        }
    }

    /// `<prefix>.member.1`, `.2`, … up to the first missing index.
    fn list(&mut self, prefix: &str) -> Result<Vec<String>, RequestError> {
        let mut out = Vec::new();
        while let Some(v) = self
            .params
            .remove(&format!("{prefix}.member.{}", out.len() + 1))
        {
            out.push(v);
        }
        Ok(out)
    }

    fn targets(&mut self, required: bool) -> Result<Vec<Target>, RequestError> {
        let mut out = Vec::new();
        loop {
            let n = out.len() + 1;
            let key = |field: &str| format!("Targets.member.{n}.{field}");
            let Some(id) = self.params.remove(&key("Id")) else {
                break;
            };
            let port = self.params.remove(&key("Port")).ok_or_else(|| {
                invalid(
                    "ValidationError",
                    format!(
                        "{} needs a port (this model knows no target group's default port)",
                        key("Port")
                    ),
                )
            })?;
            let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(|| {
                invalid(
                    "ValidationError",
                    format!("{} is {port:?}, not a port (1-65535)", key("Port")),
                )
            })?;
            // The zone is ELB's business for in-VPC IP targets; the model keeps none.
            self.params.remove(&key("AvailabilityZone"));
            out.push(target(&id, port).ok_or_else(|| {
                invalid(
                    "InvalidTarget",
                    format!(
                        "{} is {id:?}: neither an IP address nor an instance id",
                        key("Id")
                    ),
                )
            })?);
        }
        if required && out.is_empty() {
            return Err(invalid(
                "ValidationError",
                format!(
                    "{} needs at least one target (Targets.member.1.Id)",
                    self.action
                ),
            ));
        }
        Ok(out)
    }

    fn none_left(&self) -> Result<(), RequestError> {
        match self.params.keys().next() {
            None => Ok(()),
            Some(k) => Err(invalid(
                "ValidationError",
                format!(
                    "{} takes no parameter {k} (or its list skips an index)",
                    self.action
                ),
            )),
        }
    }
}

fn target(id: &str, port: u16) -> Option<Target> {
    if id.starts_with("i-") {
        return id.parse().ok().map(|i| Target::instance(i, port));
    }
    id.parse().ok().map(|ip| Target::ip(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/0123";

    fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        s.finish().into_bytes()
    }

    fn register(extra: &[(&str, &str)]) -> Vec<u8> {
        let mut pairs = vec![
            ("Action", "RegisterTargets"),
            ("Version", API_VERSION),
            ("TargetGroupArn", ARN),
        ];
        pairs.extend_from_slice(extra);
        form(&pairs)
    }

    fn code_of(body: &[u8]) -> (&'static str, String) {
        let e = parse_request(body).unwrap_err();
        (e.code, e.message)
    }

    #[test]
    fn parses_what_the_sdk_sends() {
        let body = register(&[
            ("Targets.member.1.Id", "10.244.1.7"),
            ("Targets.member.1.Port", "8080"),
            ("Targets.member.2.Id", "i-0123456789abcdef0"),
            ("Targets.member.2.Port", "30080"),
            ("Targets.member.2.AvailabilityZone", "us-east-1a"),
        ]);
        let ElbRequest::RegisterTargets { tg, targets } = parse_request(&body).unwrap() else {
            panic!("not a register")
        };
        assert_eq!(tg.as_str(), ARN);
        assert_eq!(
            targets,
            vec![
                Target::ip("10.244.1.7".parse().unwrap(), 8080),
                Target::instance("i-0123456789abcdef0".parse().unwrap(), 30080)
            ]
        );
        let body = form(&[
            ("Action", "DescribeTargetGroups"),
            ("Version", API_VERSION),
            ("Names.member.1", "web"),
        ]);
        assert_eq!(
            parse_request(&body).unwrap(),
            ElbRequest::DescribeTargetGroups {
                names: vec!["web".into()],
                arns: vec![]
            }
        );
        let body = form(&[
            ("Action", "DescribeTargetHealth"),
            ("Version", API_VERSION),
            ("TargetGroupArn", ARN),
        ]);
        assert_eq!(
            parse_request(&body).unwrap().action(),
            "DescribeTargetHealth"
        );
    }

    #[test]
    fn malformed_requests_get_a_code_naming_what_is_wrong() {
        assert_eq!(code_of(b"Version=2015-12-01").0, "MissingAction");
        assert_eq!(code_of(b"Action=RegisterTargets").0, "MissingParameter");
        assert_eq!(
            code_of(b"Action=RegisterTargets&Version=2012-06-01").0,
            "NoSuchVersion"
        );
        assert_eq!(code_of(&[0xff, 0xfe]).0, "MalformedQueryString");
        let (code, msg) = code_of(b"Action=CreateRule&Version=2015-12-01");
        assert!(
            code == "InvalidAction" && msg.contains("\"CreateRule\""),
            "{msg}"
        );
        let (code, msg) = code_of(&form(&[
            ("Action", "RegisterTargets"),
            ("Version", API_VERSION),
        ]));
        assert!(
            code == "ValidationError" && msg.contains("TargetGroupArn"),
            "{msg}"
        );
        let (code, msg) = code_of(&register(&[]));
        assert!(
            code == "ValidationError" && msg.contains("at least one target"),
            "{msg}"
        );
        let (code, msg) = code_of(&register(&[("Targets.member.1.Id", "10.0.0.1")]));
        assert!(
            code == "ValidationError" && msg.contains("Targets.member.1.Port"),
            "{msg}"
        );
        let (code, msg) = code_of(&register(&[
            ("Targets.member.1.Id", "10.0.0.1"),
            ("Targets.member.1.Port", "http"),
        ]));
        assert!(
            code == "ValidationError" && msg.contains("\"http\""),
            "{msg}"
        );
        let (code, msg) = code_of(&register(&[
            ("Targets.member.1.Id", "my-pod"),
            ("Targets.member.1.Port", "80"),
        ]));
        assert!(
            code == "InvalidTarget" && msg.contains("\"my-pod\""),
            "{msg}"
        );
        // A list that skips an index leaves the later members unread.
        let (code, msg) = code_of(&register(&[
            ("Targets.member.1.Id", "10.0.0.1"),
            ("Targets.member.1.Port", "80"),
            ("Targets.member.3.Id", "10.0.0.3"),
            ("Targets.member.3.Port", "80"),
        ]));
        assert!(
            code == "ValidationError" && msg.contains("Targets.member.3"),
            "{msg}"
        );
        let (code, msg) = code_of(&register(&[
            ("Targets.member.1.Id", "10.0.0.1"),
            ("Targets.member.1.Port", "80"),
            ("TargetGroupArn", ARN),
        ]));
        assert!(code == "ValidationError" && msg.contains("twice"), "{msg}");
    }
}
