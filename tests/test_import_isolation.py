"""An input whose NetworkPolicies select some of its pods only. Kubernetes isolates a pod's
ingress only where a policy of type Ingress selects it; the others admit every connection.
The importer kept its namespace-wide policy (`<project>-within-namespace`) and the API
server's policies (`<workload>-from-api-server`) out of any input with a NetworkPolicy, and
skyspec's default deny then cut off every pod the input's policies left open (cert-manager's
chart with only the webhook's policy switched on: the controller's metrics unreachable; a
webhook of `failurePolicy: Fail` no policy covers timed out, refusing API requests). Each
imported system here is built and validated, and its admission computed by the system check,
as Kubernetes computes it."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.syscheck import EXTERNAL, System, admitted, pods, target_port

INPUT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: NS}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: ghcr.io/acme/web:1.0, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: NS}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: NS}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: ghcr.io/acme/db:1.0, ports: [{containerPort: 6379}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: NS}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers: [{name: worker, image: ghcr.io/acme/worker:1.0, ports: [{containerPort: 9000}]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: NS}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: ghcr.io/acme/agent:1.0, ports: [{containerPort: 9100}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: hook, namespace: NS}
spec:
  selector: {matchLabels: {app: hook}}
  template:
    metadata: {labels: {app: hook}}
    spec:
      containers: [{name: hook, image: ghcr.io/acme/hook:1.0, ports: [{name: https, containerPort: 9443}]}]
---
apiVersion: v1
kind: Service
metadata: {name: hook, namespace: NS}
spec: {selector: {app: hook}, ports: [{port: 443, targetPort: https}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: guard, namespace: NS}
spec:
  selector: {matchLabels: {app: guard}}
  template:
    metadata: {labels: {app: guard}}
    spec:
      containers: [{name: guard, image: ghcr.io/acme/guard:1.0, ports: [{name: https, containerPort: 9443}]}]
---
apiVersion: v1
kind: Service
metadata: {name: guard, namespace: NS}
spec: {selector: {app: guard}, ports: [{port: 443, targetPort: https}]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: checks}
webhooks:
- name: hook.acme.dev
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Fail
  clientConfig: {service: {name: hook, namespace: NS, path: /validate}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
- name: guard.acme.dev
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Fail
  clientConfig: {service: {name: guard, namespace: NS, path: /validate}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [secrets]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: NS}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 6379}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: worker-out, namespace: NS}
spec:
  podSelector: {matchLabels: {app: worker}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent, namespace: NS}
spec:
  podSelector: {matchLabels: {app: agent}}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: guard, namespace: NS}
spec:
  podSelector: {matchLabels: {app: guard}}
  policyTypes: [Ingress]
  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 9443}]}]
"""


def _admission(objs: list[dict], namespace: str) -> dict:
    """{(source, target workload, port): admitted} as Kubernetes computes it, for every source
    (each workload's pods, a pod of the namespace of other labels, outside the cluster) and
    every port a target's containers declare."""
    sys_ = System(objs, namespace)
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    every = {p.obj["metadata"]["name"]: p for p in pods(sys_)}
    out = {}
    for target, p in every.items():
        for port in (c["containerPort"] for c in p.ports()):
            t = target_port(p, {"port": port, "targetPort": port})
            for name, source in [*every.items(), ("a pod of the namespace", namespace), ("outside", EXTERNAL)]:
                out[(name, target, port)] = admitted(sys_, policies, {}, source, p, t)[0]
    return out


@pytest.mark.parametrize("namespace", ["shop", "default"])
def test_pods_no_input_policy_selects_stay_open_and_the_others_admit_what_the_input_did(tmp_path, namespace):
    """web and worker (selected by an Egress policy only) admitted every connection in the
    input; db admits web alone, the agent DaemonSet (kept as written) nothing, the guard
    webhook the API server by its own policy. The import opens web, worker and the hook to the
    namespace, as for an input without policies, and the hook to the API server; what the
    input's policies select admits exactly what they allow, the API server's calls to guard
    included. `default` is shared with the cluster's own pods: the policy selects the project's."""
    from test_import_legacy import build_and_validate

    src = tmp_path / "in.yaml"
    src.write_text(INPUT.replace("NS", namespace))
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(out), "--name", "shop"])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(out, tmp_path, "default")
    before, after = _admission(list(yaml.safe_load_all(src.read_text())), namespace), _admission(k8s, namespace)
    assert set(after) == set(before)
    for (source, target, port), was in before.items():
        # what the input's policies select, as they admit it; the rest as in the input from the
        # namespace's pods (worker's egress policy still says where worker's calls may go)
        if target in ("db", "agent", "guard") or source != "outside":
            assert after[(source, target, port)] == was, (source, target, port)
    assert after[("outside", "hook", 9443)] and after[("outside", "guard", 9443)]
    assert not after[("outside", "web", 8080)]   # (within the namespace only: skyspec's default deny)
    assert not after[("a pod of the namespace", "db", 6379)] and after[("web", "db", 6379)]
    said = " ".join(res.output.split())
    assert f"NetworkPolicy shop-within-namespace admits every pod of namespace {namespace} to web, worker and hook: " \
           "no NetworkPolicy of the input selects their pods for ingress, so they admitted every connection" in said
    assert "db, DaemonSet agent and guard admit what the input's NetworkPolicies allow" in said
    assert "NetworkPolicy hook-from-api-server admits any address to hook on port 9443" in said
    files = sorted(p.name for p in (out / "apps").glob("networkpolicy.*"))
    assert "networkpolicy.guard-from-api-server.yaml" not in files   # its own policy admits the API server


def test_an_input_whose_policies_isolate_only_egress_keeps_every_pod_open_to_the_namespace(tmp_path):
    """A pod selected by an Egress policy alone admits every connection: the import's policy
    selects every pod, as for an input without policies."""
    from validators import assert_valid_k8s, load_docs

    text = "\n---\n".join(d for d in INPUT.replace("NS", "shop").split("\n---\n")
                          if "kind: NetworkPolicy" not in d or "worker-out" in d)
    (tmp_path / "in.yaml").write_text(text)
    res = CliRunner().invoke(main, ["import", "kubernetes", str(tmp_path / "in.yaml"), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-f", "kubernetes", "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    after = _admission(k8s, "shop")
    assert all(after[("a pod of the namespace", t, port)] for (_, t, port) in after)
    assert after[("outside", "hook", 9443)] and after[("outside", "guard", 9443)]
    assert "admits every pod of namespace shop to every other: no NetworkPolicy of the input selects a pod of the " \
           "namespace for ingress" in said
    doc = yaml.safe_load((tmp_path / "p" / "apps" / "networkpolicy.p-within-namespace.yaml").read_text())
    assert doc == {"kind": "NetworkPolicy", "name": "p-within-namespace", "allow_from": [{"namespace": "shop"}]}
