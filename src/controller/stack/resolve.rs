//! What a stack's builder needs from AWS before it can build: the ids behind the names the objects use, and
//! the subnets discovered for a load balancer's kind and scheme.

use tgsync_actors::stack::{LbKind, Scheme};

use super::deploy::{DeployError, StackDeploy};
use crate::lookups::{Lookups, Wanted};

impl StackDeploy {
    /// The names in `wanted` as found in the VPC, looked up on every call: they are the user's resources
    /// and may change at any time.
    pub async fn look_up(&self, wanted: &Wanted) -> Result<Lookups, DeployError> {
        let mut found = Lookups::default();
        let fail =
            |e: crate::aws::stack::ReadError| DeployError::Read(format!("looking up names: {e}"));
        for name in &wanted.target_groups {
            if let Some(arn) = self.reader.target_group_arn(name).await.map_err(fail)? {
                found.target_groups.insert(name.clone(), arn);
            }
        }
        for (names, security_groups) in [(&wanted.subnets, false), (&wanted.security_groups, true)]
        {
            if names.is_empty() {
                continue;
            }
            let list: Vec<String> = names.iter().cloned().collect();
            let ids = self
                .reader
                .ids_by_name(&list, security_groups)
                .await
                .map_err(fail)?;
            if security_groups {
                found.security_groups = ids;
            } else {
                found.subnets = ids;
            }
        }
        Ok(found)
    }

    /// The subnets a load balancer of `kind` and `scheme` gets when none are named (discovered by their
    /// role tags once, then kept).
    pub async fn subnets(&self, kind: LbKind, scheme: Scheme) -> Result<Vec<String>, DeployError> {
        if let Some(s) = self.subnets.borrow().get(&(kind, scheme)) {
            return Ok(s.clone());
        }
        let found = self
            .reader
            .discover_subnets(kind, scheme)
            .await
            .map_err(|e| DeployError::Read(format!("discovering {scheme:?} subnets: {e}")))?;
        self.subnets
            .borrow_mut()
            .insert((kind, scheme), found.clone());
        Ok(found)
    }
}
