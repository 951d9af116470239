"""Writes the kwok stage config the test bed runs with: kwok's own stages, with pods that carry an
AWS Load Balancer readiness gate (`target-health.elbv2.k8s.aws/<binding>`) handled as a kubelet would.

kwok's pod-ready stage marks every readiness gate True itself, which would make the gate meaningless. Here:
- pods without such a gate keep kwok's pod-ready stage unchanged;
- pods with one get the same stage (`pod-ready-gated`) except that the gates are left alone and Ready is
  False (reason ReadinessGatesNotReady), while ContainersReady is True;
- `pod-gates-ready` then marks such a pod Ready once every readiness gate it has is True (tgsync sets ours).

Usage: python kwok_stages.py <kwok stages.yaml> <output>. Runs with the moto venv's python (PyYAML comes
with moto). Fails loudly if kwok's pod-ready stage is not shaped as expected (a new kwok version).
"""

import copy
import re
import sys

import yaml

GATE = "target-health.elbv2.k8s.aws/"
GATED = (
    '(.spec.readinessGates // []) | map(select(.conditionType | startswith("%s"))) | length > 0' % GATE
)
ALL_GATES_TRUE = (
    '[.status.conditions // [] | .[] | select(.status == "True") | .type] as $open'
    " | (.spec.readinessGates // []) | map(.conditionType) - $open | length == 0"
)


def expression(key, value):
    return {"key": key, "operator": "In", "values": [value]}


def gated_template(template):
    """kwok's pod-ready status template, with no readiness gate touched and Ready False."""
    gates = re.compile(r"\{\{ range \.spec\.readinessGates \}\}.*?\{\{ end \}\}", re.S)
    ready = re.compile(r'status: "True"(\n\s+)type: Ready\n')
    if not gates.search(template) or not ready.search(template):
        sys.exit("kwok_stages.py: kwok's pod-ready template changed; update the gated variant")
    template = gates.sub("", template, count=1)
    return ready.sub(r'status: "False"\1reason: ReadinessGatesNotReady\1type: Ready\n', template, count=1)


def gates_ready_stage():
    return {
        "apiVersion": "kwok.x-k8s.io/v1alpha1",
        "kind": "Stage",
        "metadata": {"name": "pod-gates-ready"},
        "spec": {
            "resourceRef": {"apiGroup": "v1", "kind": "Pod"},
            "selector": {
                "matchExpressions": [
                    {"key": ".metadata.deletionTimestamp", "operator": "DoesNotExist"},
                    expression(".status.phase", "Running"),
                    expression('.status.conditions.[] | select( .type == "Ready" ) | .status', "False"),
                    expression(GATED, "true"),
                    expression(ALL_GATES_TRUE, "true"),
                ]
            },
            "next": {
                "statusTemplate": (
                    "conditions:\n"
                    "- lastTransitionTime: {{ Now | Quote }}\n"
                    '  status: "True"\n'
                    "  type: Ready\n"
                )
            },
        },
    }


def main(src, dst):
    with open(src) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    ready = [d for d in docs if d.get("kind") == "Stage" and d["metadata"]["name"] == "pod-ready"]
    if len(ready) != 1:
        sys.exit("kwok_stages.py: expected one pod-ready stage in %s" % src)
    plain = ready[0]
    gated = copy.deepcopy(plain)
    plain["spec"]["selector"]["matchExpressions"].append(expression(GATED, "false"))
    gated["metadata"]["name"] = "pod-ready-gated"
    gated["spec"]["selector"]["matchExpressions"].append(expression(GATED, "true"))
    gated["spec"]["next"]["statusTemplate"] = gated_template(gated["spec"]["next"]["statusTemplate"])
    docs.insert(docs.index(plain) + 1, gated)
    docs.append(gates_ready_stage())
    with open(dst, "w") as f:
        yaml.safe_dump_all(docs, f, sort_keys=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
