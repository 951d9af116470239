//! `listen-ports`: `[{"HTTP":80},{"HTTPS":443}]`, protocol keys in exact case, integer ports 1-65535.

use std::collections::BTreeMap;

use serde_json::Value;
use tgsync_actors::stack::Protocol;

use super::error::Problem;

/// One port an Ingress listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ListenPort {
    /// The port.
    pub port: u16,
    /// HTTP or HTTPS.
    pub protocol: Protocol,
}

/// Parses a `listen-ports` value into ports sorted by number; one port with two protocols is an error.
pub fn parse(raw: &str) -> Result<Vec<ListenPort>, Problem> {
    // Go decodes into []map[string]int64: a map per entry, keys compared as written.
    let entries: Vec<BTreeMap<String, Value>> =
        serde_json::from_str(raw).map_err(|e| Problem::Json(e.to_string()))?;
    let mut by_port: BTreeMap<u16, Protocol> = BTreeMap::new();
    for (key, value) in entries.iter().flatten() {
        let protocol = match key.as_str() {
            "HTTP" => Protocol::Http,
            "HTTPS" => Protocol::Https,
            other => {
                return Err(Problem::Unknown {
                    value: other.to_owned(),
                    allowed: "HTTP, HTTPS (exact case)",
                })
            }
        };
        let port = value
            .as_i64()
            .ok_or_else(|| Problem::Json(format!("port {value} of {key} is not an integer")))?;
        let port = u16::try_from(port)
            .ok()
            .filter(|p| *p >= 1)
            .ok_or(Problem::OutOfRange {
                value: port,
                min: 1,
                max: 65535,
            })?;
        if let Some(was) = by_port.insert(port, protocol) {
            if was != protocol {
                return Err(Problem::Invalid(format!(
                    "port {port} is listed as both {} and {}",
                    was.as_str(),
                    protocol.as_str()
                )));
            }
        }
    }
    if by_port.is_empty() {
        return Err(Problem::Empty);
    }
    Ok(by_port
        .into_iter()
        .map(|(port, protocol)| ListenPort { port, protocol })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lp(port: u16, protocol: Protocol) -> ListenPort {
        ListenPort { port, protocol }
    }

    #[test]
    fn reads_ports_sorted_and_merges_repeats() {
        let ports = parse(r#"[{"HTTPS":443},{"HTTP":80},{"HTTP":80, "HTTPS": 8443}]"#).unwrap();
        assert_eq!(
            ports,
            [
                lp(80, Protocol::Http),
                lp(443, Protocol::Https),
                lp(8443, Protocol::Https)
            ]
        );
    }

    #[test]
    fn refuses_bad_values() {
        let bad = [
            r#"[{"http":80}]"#,
            r#"[{"TCP":80}]"#,
            r#"[{"HTTP":0}]"#,
            r#"[{"HTTP":65536}]"#,
            r#"[{"HTTP":-1}]"#,
            r#"[{"HTTP":"80"}]"#,
            r#"[{"HTTP":80.5}]"#,
            r#"[{"HTTP":80},{"HTTPS":80}]"#,
            r#"{"HTTP":80}"#,
            r#"[]"#,
            "not json",
        ];
        for raw in bad {
            assert!(parse(raw).is_err(), "{raw}");
        }
    }
}
