//! Listeners. Their rules are read and filled in by the caller.

use aws_sdk_elasticloadbalancingv2::types::{Certificate, Listener};
use tgsync_actors::stack::{ListenerSpec, LiveListener, Protocol, Tags};

use super::{actions, port, protocol, required, Unmodelled};

/// A listener with its certificates (default first) and tags; `rules` is left empty.
pub(in crate::aws::stack) fn listener(
    l: &Listener,
    certificates: Vec<String>,
    tags: Tags,
) -> Result<LiveListener, Unmodelled> {
    let arn = required(l.listener_arn(), "listener ARN")?.to_owned();
    let protocol = protocol(required(l.protocol(), "listener protocol")?.as_str())?;
    let default_action = match actions(l.default_actions())?.as_slice() {
        [one] => one.clone(),
        other => return Err(Unmodelled(format!("{} default actions", other.len()))),
    };
    // moto reports a TLS policy on plain HTTP listeners too; the model has one only where TLS is spoken.
    let ssl_policy = matches!(protocol, Protocol::Https | Protocol::Tls)
        .then(|| l.ssl_policy().map(str::to_owned))
        .flatten();
    Ok(LiveListener {
        arn,
        spec: ListenerSpec {
            port: port(l.port(), "listener port")?,
            protocol,
            certificates,
            ssl_policy,
            default_action,
            rules: vec![],
            tags,
        },
        rules: vec![],
    })
}

/// Certificate ARNs as the model lists them: the default first, the rest sorted.
pub(in crate::aws::stack) fn certificates(certs: &[Certificate]) -> Vec<String> {
    let default = certs
        .iter()
        .find(|c| c.is_default() == Some(true))
        .and_then(|c| c.certificate_arn());
    let mut rest: Vec<String> = certs
        .iter()
        .filter_map(|c| c.certificate_arn())
        .filter(|arn| Some(*arn) != default)
        .map(str::to_owned)
        .collect();
    rest.sort();
    rest.dedup();
    default.map(str::to_owned).into_iter().chain(rest).collect()
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action as SdkAction, ActionTypeEnum, FixedResponseActionConfig, ProtocolEnum,
    };
    use tgsync_actors::stack::Action;

    use super::*;

    fn not_found() -> SdkAction {
        SdkAction::builder()
            .r#type(ActionTypeEnum::FixedResponse)
            .fixed_response_config(
                FixedResponseActionConfig::builder()
                    .status_code("404")
                    .content_type("text/plain")
                    .build(),
            )
            .build()
    }

    #[test]
    fn an_http_listener_has_no_tls_policy_even_when_moto_reports_one() {
        let l = Listener::builder()
            .listener_arn("arn:listener/1")
            .port(80)
            .protocol(ProtocolEnum::Http)
            .ssl_policy("ELBSecurityPolicy-2016-08")
            .default_actions(not_found())
            .build();
        let live = listener(&l, vec![], Tags::new()).unwrap();
        assert_eq!(live.arn, "arn:listener/1");
        assert_eq!(live.spec.port, 80);
        assert_eq!(live.spec.ssl_policy, None);
        assert_eq!(live.spec.default_action, Action::fixed("404", None));
    }

    #[test]
    fn an_https_listener_keeps_its_policy_and_certificates() {
        let l = Listener::builder()
            .listener_arn("arn:listener/2")
            .port(443)
            .protocol(ProtocolEnum::Https)
            .ssl_policy("ELBSecurityPolicy-2016-08")
            .default_actions(not_found())
            .build();
        let certs = certificates(&[
            Certificate::builder()
                .certificate_arn("arn:cert/z")
                .is_default(false)
                .build(),
            Certificate::builder()
                .certificate_arn("arn:cert/m")
                .is_default(true)
                .build(),
            Certificate::builder().certificate_arn("arn:cert/a").build(),
            Certificate::builder()
                .certificate_arn("arn:cert/m")
                .is_default(false)
                .build(),
        ]);
        assert_eq!(certs, vec!["arn:cert/m", "arn:cert/a", "arn:cert/z"]);
        let live = listener(&l, certs.clone(), Tags::new()).unwrap();
        assert_eq!(
            live.spec.ssl_policy.as_deref(),
            Some("ELBSecurityPolicy-2016-08")
        );
        assert_eq!(live.spec.certificates, certs);
    }

    #[test]
    fn a_listener_without_one_modelled_default_action_is_unmodelled() {
        let none = Listener::builder()
            .listener_arn("arn:l/3")
            .port(80)
            .protocol(ProtocolEnum::Http)
            .build();
        assert!(listener(&none, vec![], Tags::new()).is_err());
        let two = Listener::builder()
            .listener_arn("arn:l/4")
            .port(80)
            .protocol(ProtocolEnum::Http)
            .default_actions(not_found())
            .default_actions(not_found())
            .build();
        assert!(listener(&two, vec![], Tags::new()).is_err());
        let geneve = Listener::builder()
            .listener_arn("arn:l/5")
            .port(6081)
            .protocol(ProtocolEnum::Geneve)
            .default_actions(not_found())
            .build();
        assert!(listener(&geneve, vec![], Tags::new()).is_err());
    }
}
