"""Whether the input makes pods at run time in its own namespace: an operator (RabbitMQ's
cluster operator makes each RabbitmqCluster's StatefulSet, the OpenTelemetry operator each
collector's Deployment), a CI runner, a workflow engine. Those pods are not the project's: no
policy of the project admits anything to them (`<project>-within-namespace` admits the
namespace's pods only, and nothing else can know their ports), so a default deny of every pod
of the namespace would isolate them, where the input left them open (RabbitMQ's nodes reached
by their clients, Prometheus). The imported project then says `network: {default_deny:
project}`: the default deny, and `<project>-within-namespace`, select the project's pods only,
and pods others make keep Kubernetes' default, open. A note (SKY072) at the grant says why. An
operator that writes NetworkPolicies of its own (Strimzi) keeps them: they select its pods
either way. It reads the RBAC the input binds (:func:`.apiserver.rbac_grants`), objects only.
"""

from __future__ import annotations

from ..passes.network import SHARED
from ..syscheck import System, pods
from .apiserver import granted_by, rbac_grants, rule_has
from .kube import namespace_of
from .source import OPEN, Inputs

# the resources whose creation makes pods, by API group
MAKERS = {"": ("pods",), "apps": ("deployments", "statefulsets", "daemonsets", "replicasets"),
          "batch": ("jobs", "cronjobs")}
CREATE = ("create", "*")
SETTING = "network: {default_deny: project}"


def pod_maker(objs: list[dict]) -> tuple | None:
    """(the workload object whose pods run as the account, the grant, what it may create) of
    the first ServiceAccount a pod of the input runs as that a RoleBinding of the input's
    namespace, or a ClusterRoleBinding (every namespace), lets create pods or a workload that
    makes them there; None when there is none, or the namespace is one where the default deny
    selects the project's pods anyway (kube-system, default)."""
    here = namespace_of(objs)
    if here in SHARED:
        return None
    runs: dict[tuple, dict] = {}   # (namespace, ServiceAccount) -> the first workload running as it
    for p in pods(System(objs, here)):
        runs.setdefault((p.namespace, p.spec.get("serviceAccountName") or p.spec.get("serviceAccount")
                         or "default"), p.obj)
    for g in rbac_grants(objs, here):
        what = _makes(g.rule)
        if what is None or g.scope not in (None, here):
            continue
        for s in g.binding["subjects"]:
            if isinstance(s, dict) and s.get("kind") == "ServiceAccount":
                o = runs.get((s.get("namespace") or g.binding["metadata"].get("namespace") or here, s.get("name")))
                if o is not None:
                    return o, g, what
    return None


def _makes(rule: dict) -> str | None:
    """The first resource making pods that ``rule`` lets create (its `*` too); None when it
    grants none (`resourceNames` never grants `create`: the API server knows no name yet)."""
    if rule.get("resourceNames") or not rule_has(rule, "verbs", CREATE):
        return None
    for group, resources in MAKERS.items():
        if rule_has(rule, "apiGroups", (group, "*")):
            found = next((r for r in resources if rule_has(rule, "resources", (r, "*"))), None)
            if found is not None:
                return found
    return None


def own_pods_only(objs: list[dict], inputs: Inputs) -> bool:
    """Whether the imported project's default deny selects its own pods only
    (:func:`pod_maker`), said in a note at the grant."""
    found = pod_maker(objs)
    if found is not None:
        o, g, what = found
        inputs.note(OPEN, f"{o['kind']} {o['metadata'].get('name')} may create {what} in namespace "
                    f"{namespace_of(objs)} "
                    f"({granted_by(g)}, bound by {g.binding['kind']} {g.binding['metadata'].get('name')} to its pods' "
                    "ServiceAccount): the pods it makes there at run time are not the project's, and no policy "
                    f"admits anything to them, so the imported project says `{SETTING}`: its default deny and "
                    "its policy of the namespace select the project's pods only, and leave those open, as the "
                    "input did", inputs.pos(g.role, ("rules", g.index)),
                    hint="to isolate them too, write NetworkPolicies for them (or have the operator write its "
                         "own), then remove `default_deny: project` from the project file")
    return found is not None
