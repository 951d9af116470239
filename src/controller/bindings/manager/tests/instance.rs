//! Instance mode: the Ready nodes matching the selector, on the Service's nodePort, follow node changes.

use serde_json::json;

use super::*;

/// Ready node `name` running instance `id`, with `labels`.
fn node(name: &str, id: &str, labels: Value) -> Node {
    decode(json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"providerID": format!("aws:///us-east-1a/{id}")},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }))
}

fn instance(id: &str) -> Target {
    Target::instance(id.parse().expect("test instance ids parse"), 30080)
}

#[test]
fn matching_nodes_are_registered_on_the_node_port_and_follow_label_changes() {
    run(|| async {
        let bed = Bed::start();
        let spec =
            json!({"targetType": "instance", "nodeSelector": {"matchLabels": {"pool": "web"}}});
        bed.list(Listed {
            bindings: vec![binding("web", spec)],
            services: vec![service()],
            nodes: vec![
                node("n1", "i-0000000000000001a", json!({"pool": "web"})),
                node("n2", "i-0000000000000002b", json!({"pool": "batch"})),
            ],
            ..Listed::default()
        });
        bed.lead();
        until(&bed, "the matching node", || {
            bed.elb.targets(ARN) == [instance("i-0000000000000001a")]
        })
        .await;
        bed.apply(node("n2", "i-0000000000000002b", json!({"pool": "web"})));
        let both = vec![
            instance("i-0000000000000001a"),
            instance("i-0000000000000002b"),
        ];
        until(&bed, "the relabelled node joins", || {
            bed.elb.targets(ARN) == both
        })
        .await;
        bed.manager.do_send(Watched(Event::Delete(node(
            "n1",
            "i-0000000000000001a",
            json!({}),
        ))));
        until(&bed, "the deleted node leaves", || {
            bed.elb.targets(ARN) == [instance("i-0000000000000002b")]
        })
        .await;
    });
}
