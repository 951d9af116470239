//! ELBv2 tags of many resources: `DescribeTags` takes at most 20 ARNs a call, and tags still fresh in the
//! reader's cache are not asked for again.

use std::collections::HashMap;

use aws_sdk_elasticloadbalancingv2::Client;
use tgsync_actors::stack::{ReadCache, Tags};

use super::convert::elb_tags;
use super::error::sdk_error;
use super::{Permits, ReadError};

/// The most ARNs one `DescribeTags` call accepts.
pub(super) const TAGS_PER_CALL: usize = 20;

/// Tags of each ARN, one permit per call of 20 for those `cache` lacks. A resource deleted meanwhile fails
/// its whole chunk with a `*NotFound` error, which the caller answers by reading again.
pub(super) async fn tags_of<P: Permits>(
    elb: &Client,
    permits: &P,
    cache: &ReadCache,
    arns: &[String],
) -> Result<HashMap<String, Tags>, ReadError> {
    let now = tokio::time::Instant::now().into_std();
    let (mut out, missing) = cache.tags(arns, now);
    for chunk in missing.chunks(TAGS_PER_CALL) {
        permits.describe().await?;
        let answer = elb
            .describe_tags()
            .set_resource_arns(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTags", e))?;
        for d in answer.tag_descriptions() {
            if let Some(arn) = d.resource_arn() {
                let tags = elb_tags(d.tags());
                cache.put_tags(arn, &tags, now);
                out.insert(arn.to_owned(), tags);
            }
        }
    }
    Ok(out)
}
