//! The listeners of a load balancer by port, each with its certificates, tags and (ALB) rules.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{Listener, Rule};
use aws_sdk_elasticloadbalancingv2::Client;
use tgsync_actors::stack::{LiveListener, ReadCache, Tags};
use tracing::warn;

use super::convert::{certificates, listener, rule};
use super::error::sdk_error;
use super::tags::tags_of;
use super::{Permits, ReadError};

/// Listeners by port. moto accepts two listeners on one port; then the lowest ARN is kept and the others
/// are only logged.
pub(super) async fn listeners<P: Permits>(
    elb: &Client,
    permits: &P,
    cache: &ReadCache,
    lb_arn: &str,
    with_rules: bool,
) -> Result<BTreeMap<u16, LiveListener>, ReadError> {
    let mut sdk: Vec<Listener> = Vec::new();
    let mut marker = None;
    loop {
        permits.describe().await?;
        let page = elb
            .describe_listeners()
            .load_balancer_arn(lb_arn)
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeListeners", e))?;
        sdk.extend(
            page.listeners()
                .iter()
                .filter(|l| l.listener_arn().is_some())
                .cloned(),
        );
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    sdk.sort_by(|a, b| a.listener_arn().cmp(&b.listener_arn()));
    let arns: Vec<String> = sdk
        .iter()
        .filter_map(|l| l.listener_arn())
        .map(str::to_owned)
        .collect();
    let mut tags = tags_of(elb, permits, cache, &arns).await?;
    let mut out = BTreeMap::new();
    for l in &sdk {
        let arn = l.listener_arn().unwrap_or_default();
        let speaks_tls = l
            .protocol()
            .is_some_and(|p| matches!(p.as_str(), "HTTPS" | "TLS"));
        let certs = if speaks_tls {
            listener_certificates(elb, permits, arn).await?
        } else {
            vec![]
        };
        let t = tags.remove(arn).unwrap_or_else(Tags::new);
        let mut live = listener(l, certs, t).map_err(|u| u.on(arn))?;
        if let Some(kept) = out
            .get(&live.spec.port)
            .map(|k: &LiveListener| k.arn.clone())
        {
            warn!(
                load_balancer = lb_arn,
                port = live.spec.port,
                kept,
                ignored = arn,
                "two listeners on one port"
            );
            continue;
        }
        if with_rules {
            live.rules = rules(elb, permits, arn).await?;
        }
        out.insert(live.spec.port, live);
    }
    Ok(out)
}

/// All certificates of a listener, the default first.
async fn listener_certificates<P: Permits>(
    elb: &Client,
    permits: &P,
    arn: &str,
) -> Result<Vec<String>, ReadError> {
    let mut all = Vec::new();
    let mut marker = None;
    loop {
        permits.describe().await?;
        let page = elb
            .describe_listener_certificates()
            .listener_arn(arn)
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeListenerCertificates", e))?;
        all.extend(page.certificates().iter().cloned());
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    Ok(certificates(&all))
}

/// A listener's rules other than the default one, by priority (moto lists them in creation order).
async fn rules<P: Permits>(
    elb: &Client,
    permits: &P,
    listener_arn: &str,
) -> Result<Vec<tgsync_actors::stack::LiveRule>, ReadError> {
    let mut sdk: Vec<Rule> = Vec::new();
    let mut marker = None;
    loop {
        permits.describe().await?;
        let page = elb
            .describe_rules()
            .listener_arn(listener_arn)
            .set_marker(marker)
            .page_size(400)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeRules", e))?;
        sdk.extend(page.rules().iter().cloned());
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    let mut out = Vec::with_capacity(sdk.len());
    for r in &sdk {
        if let Some(live) = rule(r)? {
            out.push(live);
        }
    }
    out.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| a.arn.cmp(&b.arn)));
    Ok(out)
}
