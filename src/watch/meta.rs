//! A slice's `metadata`, read from the wire: the identity fields and the service-name label, nothing else
//! (other labels, annotations, managedFields, ownerReferences) is built. Pods, decoded by kube's watcher
//! through serde, have their own reader of the same fields in `de`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::json::{Reader, Result};
use super::service_label::SERVICE_NAME_LABEL;

/// `metadata` (or `null`): name, namespace, resourceVersion, uid, generation and the service-name label.
pub(super) fn read(r: &mut Reader) -> Result<ObjectMeta> {
    let mut meta = ObjectMeta::default();
    r.nullable(|r| {
        r.object("object metadata", |r, key| {
            match key {
                b"name" => meta.name = string(r)?,
                b"namespace" => meta.namespace = string(r)?,
                b"resourceVersion" => meta.resource_version = string(r)?,
                b"uid" => meta.uid = string(r)?,
                b"generation" => meta.generation = r.nullable(|r| r.int("i64"))?,
                b"labels" => {
                    meta.labels = r
                        .nullable(service_label)?
                        .flatten()
                        .map(|s| BTreeMap::from([(SERVICE_NAME_LABEL.to_owned(), s)]))
                }
                _ => r.skip()?,
            }
            Ok(())
        })
    })?;
    Ok(meta)
}

/// An optional string.
pub(super) fn string(r: &mut Reader) -> Result<Option<String>> {
    r.nullable(|r| r.str("a string").map(|s| s.into_owned()))
}

fn service_label(r: &mut Reader) -> Result<Option<String>> {
    let mut service = None;
    r.object("a map of labels", |r, key| {
        if key == SERVICE_NAME_LABEL.as_bytes() {
            service = Some(r.str("a string")?.into_owned());
            Ok(())
        } else {
            r.skip()
        }
    })?;
    Ok(service)
}
