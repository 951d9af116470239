//! The SDK adapter against the ELB model served over HTTP: every call the binding controller makes, parsed by
//! the real SDK, with the error codes the adapter classifies.

use std::time::Duration;

use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{ElbError, ElbTargets, HealthState};
use tgsync_loadtest::http::HttpModel;
use tgsync_loadtest::model::{BucketConfig, ModelConfig};

use super::client::tests::adapter;
use super::AwsElbConfig;

const ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef";

fn ip(last: u8) -> Target {
    Target::ip(format!("10.244.0.{last}").parse().expect("an IP"), 8080)
}

#[tokio::test]
async fn the_sdk_reads_what_the_http_model_answers() {
    let config = ModelConfig {
        // Three register/deregister tokens and no refill to speak of: the fourth call is throttled.
        register_bucket: BucketConfig {
            capacity: 3,
            refill_per_s: 0.001,
        },
        latency_min: Duration::from_millis(1),
        latency_max: Duration::from_millis(3),
        ..ModelConfig::default()
    };
    let tg = TargetGroupKey::new(ARN);
    let model = HttpModel::start(config, vec![tg.clone()], ([127, 0, 0, 1], 0).into())
        .expect("the model starts");
    let elb = adapter(model.endpoint(), &AwsElbConfig::default());

    elb.register(&tg, vec![ip(1), ip(2)])
        .await
        .expect("register");
    elb.deregister(&tg, vec![ip(2)]).await.expect("deregister");
    let mut health = elb.describe_health(&tg).await.expect("describe");
    health.sort_by_key(|h| h.target.id);
    let states: Vec<(Target, HealthState)> = health.iter().map(|h| (h.target, h.state)).collect();
    assert_eq!(
        states,
        vec![
            (ip(1), HealthState::Initial),
            (ip(2), HealthState::Draining)
        ]
    );
    assert_eq!(elb.find_target_group("web").await.as_deref(), Ok(ARN));
    assert!(matches!(
        elb.find_target_group("nope").await,
        Err(ElbError::TargetGroupNotFound(_))
    ));
    elb.check_target_group(ARN).await.expect("found by ARN");
    // What paces the readiness gates: the scenarios' 10 s health-check interval.
    assert_eq!(
        elb.health_check_intervals(std::slice::from_ref(&tg)).await,
        Ok(vec![(tg.clone(), Duration::from_secs(10))])
    );

    let other = TargetGroupKey::new(ARN.replace("/web/", "/other/"));
    assert!(matches!(
        elb.register(&other, vec![ip(3)]).await,
        Err(ElbError::TargetGroupNotFound(_))
    ));
    assert_eq!(
        elb.register(&tg, vec![ip(4)]).await,
        Err(ElbError::Throttled)
    );

    let (ledger, stack) = model.ledgers().await.expect("the model runs");
    let outcomes: Vec<String> = ledger
        .iter()
        .map(|c| format!("{} {:?}", c.kind.as_str(), c.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            "RegisterTargets Ok",
            "DeregisterTargets Ok",
            "DescribeTargetHealth Ok",
            "RegisterTargets NotFound",
            "RegisterTargets Throttled"
        ]
    );
    assert_eq!(stack.len(), 4, "four DescribeTargetGroups");
}
