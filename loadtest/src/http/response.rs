//! The XML the query protocol answers, shaped as the AWS SDKs parse it: `<{Action}Response>` around
//! `<{Action}Result>` and `ResponseMetadata`, or `<ErrorResponse><Error><Code>`.

use std::fmt::Write;

use tgsync_actors::domain::{Target, TargetGroupKey, TargetId};
use tgsync_actors::elb::{HealthState, TargetHealth};

use crate::model::{name_of, HealthCheck};

const XMLNS: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

/// A successful answer to `action` whose result element holds `result` (already XML).
pub fn success(action: &str, result: &str, request_id: &str) -> String {
    format!(
        "<{action}Response xmlns=\"{XMLNS}\"><{action}Result>{result}</{action}Result>\
         <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    )
}

/// An error answer: `Sender` faults for every code but `InternalFailure`.
pub fn error(code: &str, message: &str, request_id: &str) -> String {
    let kind = if code == "InternalFailure" {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<ErrorResponse xmlns=\"{XMLNS}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message>\
         </Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        escape(code),
        escape(message)
    )
}

/// DescribeTargetHealth's result: one member per row.
pub fn target_health(rows: &[TargetHealth]) -> String {
    let mut out = String::from("<TargetHealthDescriptions>");
    for r in rows {
        let _ = write!(
            out,
            "<member>{}<HealthCheckPort>{}</HealthCheckPort><TargetHealth><State>{}</State></TargetHealth></member>",
            target(&r.target),
            r.target.port,
            state(r.state)
        );
    }
    out.push_str("</TargetHealthDescriptions>");
    out
}

/// DescribeTargetGroups' result: ip target groups on HTTP port 80, named after their ARNs, with the model's
/// health check.
pub fn target_groups(tgs: &[TargetGroupKey], health: HealthCheck) -> String {
    let mut out = String::from("<TargetGroups>");
    for tg in tgs {
        let arn = tg.as_str();
        let _ = write!(
            out,
            "<member><TargetGroupArn>{}</TargetGroupArn><TargetGroupName>{}</TargetGroupName>\
             <Protocol>HTTP</Protocol><Port>80</Port><TargetType>ip</TargetType>\
             <HealthCheckIntervalSeconds>{}</HealthCheckIntervalSeconds>\
             <HealthyThresholdCount>{}</HealthyThresholdCount></member>",
            escape(arn),
            escape(name_of(arn).unwrap_or(arn)),
            health.interval.as_secs(),
            health.healthy_threshold
        );
    }
    out.push_str("</TargetGroups>");
    out
}

fn target(t: &Target) -> String {
    let id = match t.id {
        TargetId::Ip(ip) => ip.to_string(),
        TargetId::Instance(i) => i.to_string(),
    };
    format!(
        "<Target><Id>{}</Id><Port>{}</Port></Target>",
        escape(&id),
        t.port
    )
}

fn state(s: HealthState) -> &'static str {
    match s {
        HealthState::Initial => "initial",
        HealthState::Healthy => "healthy",
        HealthState::Unhealthy => "unhealthy",
        HealthState::Unused => "unused",
        HealthState::Draining => "draining",
        HealthState::Unavailable => "unavailable",
    }
}

/// Escapes text for an XML element.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_xml_needs_escaped() {
        let body = error("ValidationError", "a <b> & \"c\"", "r1");
        assert!(body.contains("<Message>a &lt;b&gt; &amp; &quot;c&quot;</Message>"));
        assert!(body.contains("<Type>Sender</Type><Code>ValidationError</Code>"));
        assert!(error("InternalFailure", "x", "r").contains("<Type>Receiver</Type>"));
    }

    #[test]
    fn describes_targets_with_their_states() {
        let t = Target::ip("10.0.0.1".parse().unwrap(), 8080);
        let rows = [TargetHealth {
            target: t,
            state: HealthState::Draining,
        }];
        let xml = success("DescribeTargetHealth", &target_health(&rows), "r");
        assert!(xml.starts_with("<DescribeTargetHealthResponse xmlns="));
        assert!(xml.contains(
            "<member><Target><Id>10.0.0.1</Id><Port>8080</Port></Target><HealthCheckPort>8080</HealthCheckPort>\
             <TargetHealth><State>draining</State></TargetHealth></member>"
        ));
    }
}
