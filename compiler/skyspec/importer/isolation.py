"""Which pods of the input its own NetworkPolicies isolate, and what the import opens for the
others. Kubernetes isolates a pod's ingress only when a NetworkPolicy of type Ingress in its
namespace selects it (a policy of type Egress alone leaves its ingress open); a pod no such
policy selects admits every connection. skyspec's build gives every workload a policy of its
own and the namespace a default deny, so such a pod would admit only what `connect_to` says.
An input whose policies select some pods only (cert-manager's chart with the webhook's policy
switched on) keeps those pods as its policies admit them, and the others open to the
namespace's pods, as the importer does for an input without policies: the policy
`<project>-within-namespace` selects every pod but those the input isolates (a note, SKY072).
It reads objects and labels only.
"""

from __future__ import annotations

from ..syscheck import Pod, System, _Policies, pods, selects
from .kube import Extracted, namespace_of
from .source import OPEN

WORK = ("App", "StatefulApp", "Job", "CronJob")
NAME_KEY = "app.kubernetes.io/name"
COMMON = ("app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")   # every pod of the project has them


def isolated(objs: list[dict]) -> set[int]:
    """``id`` of each input workload object (of any kind with a pod template) whose pods a
    NetworkPolicy of the input, of type Ingress, selects: they admit only what those allow."""
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    if not policies:
        return set()
    sys_ = System(objs, namespace_of(objs))
    index = _Policies(sys_, policies)
    return {id(p.obj) for p in pods(sys_) if index.selecting(p.namespace, "Ingress", p.labels)}


def _built(objs: list[dict], items: list[Extracted], namespace: str, project: str) -> list[tuple[Pod, dict, str]]:
    """(pod, the labels the build gives it, what the note calls it) of each workload of the
    input in ``namespace``: an imported workload's pods get its spec's labels and skyspec's;
    a kept one's (a DaemonSet) keep the input's."""
    mine = {id(x.objects[0]): x for x in items if x.doc["kind"] in WORK and x.objects}
    out = []
    for p in pods(System(objs, namespace_of(objs))):
        if p.namespace != namespace:
            continue
        x = mine.get(id(p.obj))
        if x is not None:
            labels = {**{k: str(v) for k, v in (x.doc.get("labels") or {}).items()},
                      NAME_KEY: x.doc["name"], COMMON[0]: project, COMMON[1]: "skyspec"}
            out.append((p, labels, x.doc["name"]))
        else:
            out.append((p, p.labels, f"{p.obj['kind']} {p.obj['metadata'].get('name')}"))
    return out


def _apart(shut: list[tuple[Pod, dict, str]], open_: list[tuple[Pod, dict, str]]) -> list[dict]:
    """`NotIn` requirements leaving out each of ``shut``'s pods by one label of theirs that no
    pod of ``open_`` has (its name first, for an imported workload), by key in order."""
    out: dict[str, set] = {}
    for _, labels, _ in shut:
        keys = [NAME_KEY] * (NAME_KEY in labels) + sorted(k for k in labels if k not in (NAME_KEY, *COMMON))
        key = next((k for k in keys if not any(o.get(k) == labels[k] for _, o, _ in open_)), None)
        if key is not None:
            out.setdefault(key, set()).add(labels[key])
    return [{"key": k, "operator": "NotIn", "values": sorted(v)} for k, v in sorted(out.items())]


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def within_namespace(objs: list[dict], items: list[Extracted], namespace: str, project: str, inputs,
                     plain, own: bool = False) -> list[Extracted]:
    """The import's `<project>-within-namespace` for an input with NetworkPolicies: ``plain``
    (the policy for every pod, made by ``plain(why, at)``) when they isolate no pod of the
    namespace; none when they isolate every workload's; else a policy selecting every pod
    but those they isolate (a `NotIn` pod selector, as a `k8s:` patch), said in a note at the
    first workload it opens; with ``own``, of the project's pods only (kube-system, an operator's
    namespace)."""
    every = _built(objs, items, namespace, project)
    shut_ids = isolated(objs)
    shut = [b for b in every if id(b[0].obj) in shut_ids]
    if not every:
        return []
    if not shut:
        return [plain("no NetworkPolicy of the input selects a pod of the namespace for ingress",
                      inputs.pos(every[0][0].obj, ("kind",)))]
    open_ = [b for b in every if id(b[0].obj) not in shut_ids]
    if not open_:
        return []
    exprs = _apart(shut, open_)
    sel: dict = {"matchLabels": {COMMON[0]: project}} if own else {}
    sel["matchExpressions"] = exprs
    opened = [b for b in every if selects(sel, b[1])]
    if not opened:   # (kept pods of a shared namespace, without the project's label: the default deny spares them)
        return []
    names = _names([b[2] for b in opened])
    kept = [b[2] for b in shut if not selects(sel, b[1])]
    rest = f"; {_names(kept)} admit{'s' * (len(kept) == 1)} what the input's NetworkPolicies allow" if kept else ""
    name = f"{project}-within-namespace"[:63].strip("-")
    inputs.note(OPEN, f"NetworkPolicy {name} admits every pod of namespace {namespace} to {names}: no NetworkPolicy "
                "of the input selects their pods for ingress, so they admitted every connection, also where no env "
                f"value shows the call{rest}", inputs.pos(opened[0][0].obj, ("kind",)),
                hint=f"once connect_to declares every call to {names}, remove {name}: the default deny and "
                     "connect_to then admit exactly those")
    doc = {"kind": "NetworkPolicy", "name": name, "allow_from": [{"namespace": namespace}],
           "k8s": {"NetworkPolicy": {"spec": {"podSelector": {"matchExpressions": exprs}}}},
           "_k8s_note": "its pods: every pod but those the input's NetworkPolicies select for ingress",
           "_note": f"no NetworkPolicy of the input selects the pods of {names} for ingress: every pod of the "
                    f"namespace reaches them, as in the input, also where no env value shows the call{rest}. "
                    "Remove this once connect_to declares every call"}
    if own:
        doc["select"] = {"labels": {COMMON[0]: project}}
    return [Extracted(doc, [], [])]
