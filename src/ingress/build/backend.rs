//! A backend's action: forward to the target group of its Service port, the `actions.<name>` annotation
//! for `port.name: use-annotation`, or a fixed 503 when the Service or the action does not exist.

use k8s_openapi::api::networking::v1::IngressBackend;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use tgsync_actors::stack::{Action, TgRef, WeightedTg};

use super::error::MemberError;
use super::member::MemberCtx;
use super::target_group;
use crate::ingress::annotations::{AnnotationAction, ForwardTo};

/// The port name that sends a backend to its `actions.<service name>` annotation.
pub const USE_ANNOTATION: &str = "use-annotation";

/// The action for `backend` (of `path`, or the default backend when `None`).
pub fn action(
    cx: &mut MemberCtx<'_>,
    backend: &IngressBackend,
    path: Option<&str>,
) -> Result<Action, MemberError> {
    let where_ = || path.unwrap_or("defaultBackend").to_owned();
    let service = backend
        .service
        .as_ref()
        .ok_or_else(|| MemberError::ResourceBackend(where_()))?;
    let port = service.port.as_ref();
    if port.and_then(|p| p.name.as_deref()) == Some(USE_ANNOTATION) {
        return match cx.annotations.actions.get(&service.name).cloned() {
            Some(a) => annotation_action(cx, a),
            None => Ok(Action::fixed("503", Some("Backend action does not exist"))),
        };
    }
    let port = match port {
        Some(p) => match (&p.name, p.number) {
            (Some(name), _) if !name.is_empty() => IntOrString::String(name.clone()),
            (_, Some(n)) => IntOrString::Int(n),
            _ => return Err(MemberError::NoBackendPort(service.name.clone())),
        },
        None => return Err(MemberError::NoBackendPort(service.name.clone())),
    };
    Ok(match target_group::forward_to(cx, &service.name, &port)? {
        Some(id) => Action::forward_to(&id),
        None => missing_service(),
    })
}

fn missing_service() -> Action {
    Action::fixed("503", Some("Backend service does not exist"))
}

fn annotation_action(
    cx: &mut MemberCtx<'_>,
    action: AnnotationAction,
) -> Result<Action, MemberError> {
    Ok(match action {
        AnnotationAction::Forward {
            targets,
            stickiness_seconds,
        } => {
            let mut groups = Vec::with_capacity(targets.len());
            for t in targets {
                let tg = match t.to {
                    ForwardTo::Arn(arn) => TgRef::Arn(arn),
                    ForwardTo::Name(tg_name) => TgRef::Arn(cx.lookups.target_group(&tg_name)?),
                    ForwardTo::Service { name, port } => {
                        match target_group::forward_to(cx, &name, &port)? {
                            Some(id) => TgRef::Model(id),
                            None => return Ok(missing_service()),
                        }
                    }
                };
                groups.push(WeightedTg {
                    tg,
                    weight: t.weight,
                });
            }
            groups.sort();
            Action::Forward {
                groups,
                stickiness_seconds,
            }
        }
        AnnotationAction::Redirect(r) => Action::Redirect(r),
        AnnotationAction::FixedResponse {
            status_code,
            content_type,
            body,
        } => Action::FixedResponse {
            status_code,
            content_type,
            body,
        },
    })
}
