//! The AWS adapter against moto: register, describe, deregister, and a missing target group classified.

use std::collections::BTreeSet;

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use tgsync::aws::AwsElb;
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{ElbError, ElbTargets};

use crate::support::*;

#[tokio::test]
async fn adapter_registers_describes_and_deregisters_in_moto() {
    let arn = create_target_group(&unique("adapter"), TargetTypeEnum::Ip).await;
    let elb = AwsElb::from_env(&Default::default()).await;
    let tg = TargetGroupKey::new(arn.clone());
    let a = Target::ip("10.244.9.1".parse().unwrap(), 8080);
    let b = Target::ip("10.244.9.2".parse().unwrap(), 8080);
    elb.register(&tg, vec![a, b]).await.expect("register");
    let seen: BTreeSet<Target> = elb
        .describe_health(&tg)
        .await
        .expect("describe")
        .into_iter()
        .map(|h| h.target)
        .collect();
    assert_eq!(seen, BTreeSet::from([a, b]));
    elb.deregister(&tg, vec![a]).await.expect("deregister");
    assert_eq!(
        targets(&arn).await.unwrap(),
        BTreeSet::from(["10.244.9.2:8080".to_string()])
    );
    assert_eq!(
        elb.find_target_group(arn.split('/').nth(1).unwrap()).await,
        Ok(arn.clone())
    );

    let missing = TargetGroupKey::new(arn.replace("targetgroup/", "targetgroup/missing-"));
    match elb.describe_health(&missing).await {
        Err(ElbError::TargetGroupNotFound(_)) => {}
        other => panic!("a missing target group should be TargetGroupNotFound, got {other:?}"),
    }
}
