//! The ELB model served over HTTP with the ELBv2 query protocol, for a `tgsync run` in another process: the
//! calls the daemon makes for TargetGroupBindings (RegisterTargets, DeregisterTargets, DescribeTargetHealth,
//! DescribeTargetGroups), each through the model's buckets, latency and ledger, answered in real time.

mod request;
mod response;
mod server;

pub use request::{parse_request, ElbRequest, RequestError, API_VERSION};
pub use server::{Activity, HttpModel, ModelGone};

#[cfg(test)]
mod tests;
