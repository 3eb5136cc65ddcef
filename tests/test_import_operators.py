"""An operator of the input makes pods at run time in its own namespace (RabbitMQ's cluster
operator a RabbitmqCluster's StatefulSet, the OpenTelemetry operator a collector's
Deployment). They are not the project's, and no policy of it admits anything to them: under a
default deny of every pod of the namespace, RabbitMQ's clients and Prometheus could not reach
them, where the input left them open. The import reads the RBAC that lets a pod's
ServiceAccount create pods or a workload that makes them, and has the project's default deny,
and its policy of the namespace, select the project's pods only (`network: {default_deny:
project}`)."""

from __future__ import annotations

import pytest
import yaml

from skyspec.importer.operators import pod_maker
from skyspec.syscheck import EXTERNAL
from test_import_callers import _deployment, _import_and_build, _reaches

ROLE = """\
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: op{ns}}}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch, create]
- apiGroups: [{group}]
  resources: [{resources}]
  verbs: [{verbs}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {binding}
metadata: {{name: op{ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: op}}
subjects: [{{kind: ServiceAccount, name: {account}, namespace: {namespace}}}]
"""


def operator(kind: str = "Role", group: str = "apps", resources: str = "statefulsets",
             verbs: str = "get, list, watch, create, update, delete", account: str = "op",
             namespace: str = "ops", binding_ns: str | None = None) -> str:
    """A Deployment `op` of ``namespace`` and a grant to ServiceAccount ``account`` (a Role
    and RoleBinding in ``binding_ns``, else a ClusterRole and ClusterRoleBinding)."""
    scoped = kind == "Role"
    ns = f", namespace: {binding_ns or namespace}" if scoped else ""
    return _deployment("op", namespace, "[{name: metrics, containerPort: 8080}]") + ROLE.format(
        kind=kind, ns=ns, group=f'"{group}"', resources=resources, verbs=verbs, account=account, namespace=namespace,
        binding="RoleBinding" if scoped else "ClusterRoleBinding")


# what the operator makes at run time, beside the built project: a RabbitMQ node
MADE = yaml.safe_load("""\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: rabbit, namespace: ops}
spec:
  serviceName: rabbit
  selector: {matchLabels: {app.kubernetes.io/name: rabbit}}
  template:
    metadata: {labels: {app.kubernetes.io/name: rabbit, app.kubernetes.io/part-of: rabbitmq}}
    spec: {containers: [{name: rabbitmq, image: rabbitmq:4.1, ports: [{containerPort: 5672}]}]}
""")


def test_an_operator_that_creates_statefulsets_leaves_the_pods_it_makes_open(tmp_path):
    """The default deny and `<project>-within-namespace` select the project's pods only: the
    StatefulSet the operator makes admits its clients in any namespace, and the operator's own
    pod still admits only its namespace. The import says why where the Role grants it."""
    said, k8s, out = _import_and_build(tmp_path, operator())
    project = yaml.safe_load((out / "skyspec.yaml").read_text())
    assert project["network"] == {"default_deny": "project"}
    assert "# the input makes pods at run time (an operator)" in (out / "skyspec.yaml").read_text()
    assert "Deployment op may create statefulsets in namespace ops (Role op, bound by RoleBinding op to its pods' " \
           "ServiceAccount): the pods it makes there at run time are not the project's" in said
    deny = next(o for o in k8s if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "p-default-deny")
    assert deny["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/part-of": "p"}}
    within = next(o for o in k8s if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "p-within-namespace")
    assert within["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/part-of": "p"}}
    every = k8s + [MADE]
    assert _reaches(every, "ops", "clients", "rabbit", 5672)
    assert _reaches(every, "ops", EXTERNAL, "rabbit", 5672)
    assert _reaches(every, "ops", "ops", "op", 8080)
    assert not _reaches(every, "ops", "clients", "op", 8080)


@pytest.mark.parametrize("kw,made", [
    ({}, "statefulsets"),
    ({"kind": "ClusterRole", "group": "", "resources": "pods", "verbs": "create"}, "pods"),   # a CI runner
    ({"kind": "ClusterRole", "group": "*", "resources": "'*'", "verbs": "'*'"}, "pods"),
    ({"group": "batch", "resources": "cronjobs, jobs", "verbs": "create"}, "jobs"),
    ({"verbs": "get, list, watch, update, patch, delete"}, None),   # keeps what others make
    ({"resources": "statefulsets/status"}, None),
    ({"account": "someone-else"}, None),                          # no pod of the input runs as it
    ({"binding_ns": "tenants"}, None),                            # makes its pods in another namespace
    ({"namespace": "kube-system"}, None),                         # the default deny spares them there anyway
])
def test_which_grants_make_pods_in_the_namespace(kw, made):
    found = pod_maker([o for o in yaml.safe_load_all(operator(**kw)) if o])
    assert (found[2] if found else None) == made
    if found:
        assert found[0]["metadata"]["name"] == "op"
