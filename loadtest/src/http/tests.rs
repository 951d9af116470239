//! The HTTP model over a plain TCP client: what goes on the wire, and bad requests answered with their code.

use std::io::{Read, Write};
use std::net::TcpStream;

use tgsync_actors::domain::{Target, TargetGroupKey};

use super::*;
use crate::model::{BucketConfig, ModelConfig};

const ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef";

fn model(register_burst: u32) -> HttpModel {
    let config = ModelConfig {
        register_bucket: BucketConfig {
            capacity: register_burst,
            refill_per_s: 0.001,
        },
        latency_min: std::time::Duration::from_millis(1),
        latency_max: std::time::Duration::from_millis(2),
        ..ModelConfig::default()
    };
    HttpModel::start(
        config,
        vec![TargetGroupKey::new(ARN)],
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap()
}

/// One request on its own connection: the status code and the body.
fn send(m: &HttpModel, method: &str, body: &str) -> (u16, String) {
    let addr = m.endpoint().trim_start_matches("http://").to_owned();
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} / HTTP/1.1\r\nHost: model\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out[9..12].parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn register(ip: &str) -> String {
    format!(
        "Action=RegisterTargets&Version=2015-12-01&TargetGroupArn={}&Targets.member.1.Id={ip}&Targets.member.1.Port=8080",
        form_urlencoded::byte_serialize(ARN.as_bytes()).collect::<String>()
    )
}

#[tokio::test]
async fn serves_registers_and_describes_through_the_buckets_and_ledger() {
    let m = model(2);
    assert_eq!(send(&m, "POST", &register("10.0.0.1")).0, 200);
    let (status, body) = send(&m, "POST", &register("10.0.0.2"));
    assert_eq!(status, 200);
    assert!(body.starts_with("<RegisterTargetsResponse"), "{body}");
    // The bucket of two is empty now: AWS's throttle, with its code.
    let (status, body) = send(&m, "POST", &register("10.0.0.3"));
    assert_eq!(status, 400);
    assert!(body.contains("<Code>Throttling</Code>"), "{body}");

    let describe = format!(
        "Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn={}",
        form_urlencoded::byte_serialize(ARN.as_bytes()).collect::<String>()
    );
    let (status, body) = send(&m, "POST", &describe);
    assert_eq!(status, 200);
    assert_eq!(body.matches("<member>").count(), 2, "{body}");
    assert!(body.contains("<State>initial</State>"));

    let (status, body) = send(
        &m,
        "POST",
        "Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=web",
    );
    assert_eq!(status, 200);
    assert!(
        body.contains(&format!("<TargetGroupArn>{ARN}</TargetGroupArn>")),
        "{body}"
    );
    // The readiness gates pace their describes by it.
    assert!(
        body.contains("<HealthCheckIntervalSeconds>10</HealthCheckIntervalSeconds>"),
        "{body}"
    );
    let (status, body) = send(
        &m,
        "POST",
        "Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=nope",
    );
    assert_eq!(status, 400);
    assert!(body.contains("<Code>TargetGroupNotFound</Code>"), "{body}");

    let registered = m.registered().await.unwrap();
    let want: std::collections::HashSet<Target> = ["10.0.0.1", "10.0.0.2"]
        .iter()
        .map(|ip| Target::ip(ip.parse().unwrap(), 8080))
        .collect();
    assert_eq!(registered[&TargetGroupKey::new(ARN)], want);
    let (ledger, stack) = m.ledgers().await.unwrap();
    assert_eq!(ledger.len(), 4);
    assert_eq!(stack.len(), 2);
    assert_eq!(m.activity().await.unwrap().in_flight, 0);
}

#[tokio::test]
async fn bad_requests_get_a_clear_error_and_reach_no_bucket() {
    let m = model(20);
    for (method, body, code, says) in [
        ("POST", "Version=2015-12-01", "MissingAction", "no Action"),
        (
            "POST",
            "Action=CreateRule&Version=2015-12-01",
            "InvalidAction",
            "CreateRule",
        ),
        (
            "POST",
            "Action=RegisterTargets&Version=2015-12-01",
            "ValidationError",
            "TargetGroupArn",
        ),
        ("PUT", "", "InvalidAction", "PUT"),
    ] {
        let (status, answer) = send(&m, method, body);
        assert!(status == 400 || status == 405, "{status} {answer}");
        assert!(answer.contains(&format!("<Code>{code}</Code>")), "{answer}");
        assert!(answer.contains(says), "{answer}");
    }
    assert_eq!(m.activity().await.unwrap().calls, 0);
    // The ARN goes form-encoded: its slashes are `%2F`.
    let unknown = register("10.0.0.1").replace("targetgroup%2Fweb", "targetgroup%2Fother");
    let (status, body) = send(&m, "POST", &unknown);
    assert_eq!(status, 400);
    assert!(body.contains("<Code>TargetGroupNotFound</Code>"), "{body}");
}
