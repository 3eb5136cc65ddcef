"""The kinds around a workload, said in the language instead of kept as `Resource`: an
Ingress becomes its workload's `expose` (host, path, tls, class), a PodDisruptionBudget of
`maxUnavailable: 1` the environment's `pdb` setting (when every replicated workload has one),
ServiceAccounts, Roles and ClusterRoles (with the binding of the same name as `bind:`) and
NetworkPolicies their own kinds. Each mapping is a first guess: the round trip checks it, and
what the kind cannot say becomes its `k8s:` patch, as for workloads. An input that let every
pod reach every other (no NetworkPolicy; Compose's default network) gets one NetworkPolicy
admitting the namespace's own traffic, which skyspec's default deny would otherwise cut; so
do the pods an input's own NetworkPolicies leave open (:mod:`.isolation`).
It never reads or writes a Secret's value.
"""

from __future__ import annotations

from ..passes.network import SHARED
from ..schema.fields import RESERVED_LABELS
from . import isolation
from .kube import NAME, POD_AT, Extracted, _selects, namespace_of, pod_spec, same_ns
from .source import INFERRED, OPEN, WRONG

SAID = ("Ingress", "PodDisruptionBudget", "ServiceAccount", "Role", "ClusterRole", "RoleBinding",
        "ClusterRoleBinding", "NetworkPolicy")


def attach(objs: list[dict], used: set[int], items: list[Extracted], namespace: str,
           why: dict[int, str] | None = None) -> tuple[list[Extracted], bool]:
    """Maps what it can of ``objs`` not yet ``used``; returns the new items and whether the
    environment needs `pdb: true`. ``why`` gets, by ``id``, why an object its kind's spec
    could say is left as written."""
    by_name = {x.doc["name"]: x for x in items if x.doc["kind"] in ("App", "StatefulApp")}
    out: list[Extracted] = []
    secrets = {o["metadata"].get("name") for o in objs if o["kind"] == "Secret"}
    for ing in (o for o in objs if o["kind"] == "Ingress" and id(o) not in used):
        spec = ing.get("spec") or {}
        rules = spec.get("rules") or []
        paths = ((rules[0].get("http") or {}).get("paths") or []) if len(rules) == 1 else []
        if len(paths) != 1 or not rules[0].get("host"):
            continue
        svc = ((paths[0].get("backend") or {}).get("service") or {})
        x = by_name.get(svc.get("name"))
        if x is None or ing["metadata"].get("name") != x.doc["name"] or not isinstance(x.doc.get("expose"), (bool, dict)) \
                or not same_ns(ing, x.objects[0], namespace):
            continue
        port, refused = _port_served(x, svc.get("port") or {})
        if port is None:
            if why is not None and refused:
                why[id(ing)] = refused
            continue
        e = {"type": x.doc["expose"]["type"]} if isinstance(x.doc["expose"], dict) else {}
        e["host"] = rules[0]["host"]
        if paths[0].get("path", "/") != "/":
            e["path"] = paths[0]["path"]
        tls = spec.get("tls") or []
        if tls:
            sn = tls[0].get("secretName", "")
            e["tls"] = True if sn == f"{x.doc['name']}-tls" else sn
            if sn and sn not in secrets and e["tls"] is not True:
                out.append(Extracted({"kind": "Secret", "name": sn, "existing": True}, [], []))
                secrets.add(sn)
        if spec.get("ingressClassName"):
            e["class"] = spec["ingressClassName"]
        first = "http" if "port" in x.doc else next(iter(x.doc.get("ports") or {}), None)
        if port and port != first:
            e["port"] = port
        x.doc["expose"] = e
        x.objects.append(ing)
        used.add(id(ing))
    pdb = _pdbs(objs, used, items, namespace)
    bindings = {(o["kind"], o["metadata"].get("name")): o for o in objs
                if o["kind"] in ("RoleBinding", "ClusterRoleBinding") and id(o) not in used}
    for o in objs:
        if id(o) in used or not NAME.match(str(o["metadata"].get("name", ""))):
            continue
        meta = o["metadata"]
        doc: dict | None = None
        group = [o]
        if o["kind"] == "ServiceAccount":
            doc = {"kind": "ServiceAccount", "name": meta["name"]}
            if "automountServiceAccountToken" in o:
                doc["automount_token"] = o["automountServiceAccountToken"]
        elif o["kind"] in ("Role", "ClusterRole") and o.get("rules"):
            rules = [_rule(r) for r in o["rules"]]
            if None in rules:
                continue
            doc = {"kind": o["kind"], "name": meta["name"], "rules": rules}
            b = bindings.get((f"{o['kind']}Binding", meta["name"]))
            ref = (b or {}).get("roleRef") or {}
            subs = (b or {}).get("subjects") or []
            if b and subs and same_ns(b, o, namespace) and ref.get("kind") == o["kind"] and ref.get("name") == meta["name"] \
                    and ref.get("apiGroup", "rbac.authorization.k8s.io") == "rbac.authorization.k8s.io" and all(s.get("kind") == "ServiceAccount" and s.get("namespace", namespace) == namespace
                                  for s in subs):
                doc["bind"] = [s["name"] for s in subs]
                group.append(b)
        elif o["kind"] == "NetworkPolicy":
            doc = _netpol(o)
        if doc is None:
            continue
        labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in RESERVED_LABELS}
        if labels:
            doc["labels"] = labels
        if meta.get("annotations"):
            doc["annotations"] = dict(meta["annotations"])
        for g in group:
            used.add(id(g))
        out.append(Extracted(doc, group, []))
    return out, pdb


def _port_served(x: Extracted, ref: dict) -> tuple[str | None, str | None]:
    """(the name of the workload's port that its Service serves as the port an Ingress
    backend names (``ref``: by `name` or `number`), None), when the Service's port has that
    name too (or none): skyspec's Ingress routes to the Service's port by the workload's port
    name. Else (None, why the Ingress is kept as written, or None when the port serves none
    of the workload's)."""
    svc = next((o for o in x.objects if o["kind"] == "Service"), None)
    ports = ((svc or {}).get("spec") or {}).get("ports") or []
    key, want = ("name", ref["name"]) if ref.get("name") else ("port", ref.get("number"))
    sp = next((p for p in ports if isinstance(p, dict) and p.get(key) == want), None)
    if sp is None or want is None:
        return None, None
    tp = sp.get("targetPort", sp.get("port"))
    mine = x.doc.get("ports") or ({"http": x.doc["port"]} if "port" in x.doc else {})
    if isinstance(tp, str):
        name = tp if tp in mine else None
    else:
        name = next((n for n, v in mine.items() if (v.get("port") if isinstance(v, dict) else v) == tp), None)
    if name is None:
        return None, None
    if sp.get("name", name) != name:
        return None, (f"its backend is port {sp['name']} of Service {svc['metadata'].get('name')}, which serves "
                      f"the container's port {name}, and `expose` routes by the container port's name")
    return name, None


def _pdbs(objs: list[dict], used: set[int], items: list[Extracted], namespace: str | None = None) -> bool:
    pdbs = [o for o in objs if o["kind"] == "PodDisruptionBudget" and id(o) not in used]
    replicated = [x for x in items if x.doc["kind"] in ("App", "StatefulApp") and
                  max(x.doc.get("replicas") or 0, (x.doc.get("autoscale") or {}).get("min") or 0) >= 2]
    found = []
    for x in replicated:
        labels = (pod_spec(x.objects[0]).get("metadata") or {}).get("labels") or {}
        p = next((p for p in pdbs if (p.get("spec") or {}).get("maxUnavailable") == 1
                  and set(p.get("spec") or {}) == {"maxUnavailable", "selector"}
                  and p["metadata"].get("name") == x.doc["name"] and same_ns(p, x.objects[0], namespace)
                  and _selects(((p["spec"].get("selector") or {}).get("matchLabels") or {}), labels)), None)
        if p is None:
            return False
        found.append((x, p))
    for x, p in found:
        x.objects.append(p)
        used.add(id(p))
    return bool(found)


VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*")


def _rule(r: dict) -> dict | None:
    if set(r) - {"apiGroups", "resources", "resourceNames", "verbs"} or not r.get("resources") \
            or not r.get("verbs") or any(v not in VERBS for v in r["verbs"]):
        return None   # `use`, `bind`, `impersonate`, ...: the Role stays as written
    out: dict = {}
    if r.get("apiGroups") not in (None, [""]):
        out["api_groups"] = list(r["apiGroups"])
    out["resources"] = list(r["resources"])
    if r.get("resourceNames"):
        out["names"] = list(r["resourceNames"])
    out["verbs"] = list(r.get("verbs") or [])
    return out


def _peer(p: dict) -> dict | None:
    if set(p) == {"podSelector"} and set(p["podSelector"] or {}) == {"matchLabels"}:
        return {"labels": dict(p["podSelector"]["matchLabels"])}
    if set(p) == {"namespaceSelector"} and list((p["namespaceSelector"] or {}).get("matchLabels") or {}) == \
            ["kubernetes.io/metadata.name"] and set(p["namespaceSelector"]) == {"matchLabels"}:
        return {"namespace": p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]}
    if set(p) == {"ipBlock"} and set(p["ipBlock"]) == {"cidr"}:
        return {"cidr": p["ipBlock"]["cidr"]}
    return None


def _netpol(o: dict) -> dict | None:
    spec = o.get("spec") or {}
    doc: dict = {"kind": "NetworkPolicy", "name": o["metadata"]["name"]}
    sel = spec.get("podSelector") or {}
    if set(sel) - {"matchLabels"}:
        return None
    if sel.get("matchLabels"):
        doc["select"] = {"labels": dict(sel["matchLabels"])}
    ports = None
    for direction, peer_key, key in (("ingress", "from", "allow_from"), ("egress", "to", "allow_to")):
        rules = spec.get(direction)
        if rules is None:
            continue
        if len(rules) != 1 or set(rules[0]) - {peer_key, "ports"}:
            return None
        peers = [_peer(p) for p in rules[0].get(peer_key) or []]
        if None in peers or not peers:
            return None
        doc[key] = peers
        ps = [p.get("port") for p in rules[0].get("ports") or [] if p.get("protocol", "TCP") == "TCP"
              and set(p) <= {"port", "protocol"} and isinstance(p.get("port"), int)]
        if len(ps) != len(rules[0].get("ports") or []) or (ports is not None and ps != ports):
            return None
        ports = ps
    if ports:
        doc["ports"] = ports
    # the directions it isolates (without policyTypes, Kubernetes isolates ingress, and egress
    # when it has egress rules), said as the language says them: each of `allow_from` and
    # `allow_to` isolates its own, `deny_all` both, and a policy with none of them ingress
    # (`{podSelector: {}, policyTypes: [Ingress]}`, a default deny of ingress, is one)
    types = set(spec.get("policyTypes") or ["Ingress"] + (["Egress"] if spec.get("egress") is not None else []))
    said = {t for t, key in (("Ingress", "allow_from"), ("Egress", "allow_to")) if key in doc} or {"Ingress"}
    if said != types:
        if types != {"Ingress", "Egress"}:
            return None   # (egress alone, without rules: the language cannot say it; kept as written)
        doc["deny_all"] = True
    return doc


def rename_workloads(items: list[Extracted], inputs) -> None:
    """Workloads of one name and different kinds (a chart's StatefulSet `horovod` and its
    Job `horovod`; Kubernetes tells them apart by kind, the language by name alone, which
    also names their pods' labels): the first long-running one keeps the name, each other
    one is imported as `<name>-<kind>` (`horovod-job`). A note at its name."""
    order = {"App": 0, "StatefulApp": 1, "Job": 2, "CronJob": 3}
    work = sorted((x for x in items if x.doc["kind"] in order and x.objects), key=lambda x: order[x.doc["kind"]])
    taken = {x.doc["name"] for x in items}
    seen: set[str] = set()
    for x in work:
        name = x.doc["name"]
        if name not in seen:
            seen.add(name)
            continue
        suffix = x.doc["kind"].lower()
        new = next(n for n in (f"{name[:62 - len(suffix) - 2]}-{suffix}{i or ''}" for i in range(len(items) + 1))
                   if n not in taken)
        taken.add(new)
        x.doc["name"] = new
        inputs.renamed[id(x.objects[0])] = new
        inputs.note(WRONG, f"{x.objects[0]['kind']} {name} has the name of another workload of the input: imported "
                    f"as {new}", inputs.pos(x.objects[0], ("metadata", "name")),
                    hint="a spec's name is its workload's, and names its pods' labels: two workloads need two names")


def unclash(items: list[Extracted], project: str, inputs) -> None:
    """Renames each NetworkPolicy of ``items`` named as one skyspec makes (a workload's own,
    `<app>-ingress`, or the project's default deny): the build refuses two objects of one
    identity (SKY110), and policies add up, so both apply. A note where the input names it."""
    made: dict[tuple[str, str], str] = {("NetworkPolicy", f"{project}-default-deny"): "the project's default deny"}
    for x in items:
        if x.doc["kind"] in ("App", "StatefulApp", "Job", "CronJob"):
            made[("NetworkPolicy", f"{x.doc['name']}-ingress")] = f"the policy skyspec makes for {x.doc['name']}"
    taken = {_identity(x) for x in items} | set(made)
    for x in items:
        kind, name = _identity(x)
        what = made.get((kind, name))
        if what is None or kind != "NetworkPolicy":
            continue
        new = next(n for n in (f"{name[:54]}-imported{i or ''}" for i in range(len(items) + 1)) if (kind, n) not in taken)
        taken.add((kind, new))
        x.doc["name"] = new
        if x.doc["kind"] == "Resource":
            x.doc["manifest"]["metadata"]["name"] = new
        o = x.objects[0] if x.objects else None
        if o is not None:
            inputs.renamed[id(o)] = new
        inputs.note(WRONG, f"NetworkPolicy {name} is named as {what}: imported as {new}",
                    inputs.pos(o, ("metadata", "name")) if o is not None else None,
                    hint="NetworkPolicies add up: the pods it selects admit what either policy allows")


def _identity(x: Extracted) -> tuple[str, str]:
    """(kind, name) of the object a spec document makes (a Resource's: its manifest's)."""
    if x.doc["kind"] == "Resource":
        m = x.doc["manifest"]
        return m.get("kind"), (m.get("metadata") or {}).get("name")
    return x.doc["kind"], x.doc["name"]


def within_namespace(objs: list[dict], items: list[Extracted], namespace: str, project: str,
                     inputs, own: bool = False) -> list[Extracted]:
    """A `kind: NetworkPolicy` admitting every pod of the namespace to every other, when the
    input has no NetworkPolicy: its pods reached each other freely, and the calls the importer
    cannot see (an address in an image's code or a config file: the voting app's `redis`, Sock
    Shop's `catalogue`, a database cluster's own peers) would otherwise meet skyspec's default
    deny. connect_to still says the calls an env value shows. A note at the first workload. An
    input with NetworkPolicies keeps the pods they select for ingress as they admit them, and
    the others open to the namespace (:func:`.isolation.within_namespace`). With ``own`` (the
    project's `network.default_deny: project`: an operator of the input makes pods there) it
    selects the project's pods only, as in kube-system: selecting the operator's would isolate them."""
    own = own or namespace in SHARED
    work = [x for x in items if x.doc["kind"] in ("App", "StatefulApp", "Job", "CronJob") and x.objects]
    if not work:
        return []
    _host_network(objs, inputs)
    if any(o["kind"] == "NetworkPolicy" for o in objs):   # they isolate some pods: the others stay open
        return isolation.within_namespace(objs, items, namespace, project, inputs,
                                          lambda why, at: open_namespace(project, namespace, why, at, inputs, own),
                                          own)
    return [open_namespace(project, namespace, "the input has no NetworkPolicy",
                           inputs.pos(work[0].objects[0], ("kind",)), inputs, own)]


def _host_network(objs: list[dict], inputs) -> None:
    """A warning at each workload of the input on the host's network (SPIRE's node agent, a
    DaemonSet with `hostNetwork: true`) beside others it may call: its calls come from the
    node's address, which a policy's pod and namespace peers do not match in most network
    plugins (Kubernetes leaves it undefined), so the namespace's policy admits none of them."""
    served = any(o["kind"] in ("Service", "Deployment", "StatefulSet") for o in objs)
    for o in objs:
        at = POD_AT.get(o["kind"]) if served else None
        if at is not None and _dig(o, at + ("hostNetwork",)) is True:
            name = (o.get("metadata") or {}).get("name")
            inputs.diags.warning(OPEN, f"{o['kind']} {name} runs on the host's network: a call it makes to the "
                                 "project's pods comes from its node's address, which the namespace's policies (pod "
                                 "and namespace peers) do not match in most network plugins, so those pods refuse it",
                                 inputs.pos(o, at + ("hostNetwork",)),
                                 hint="admit the nodes' addresses (an ipBlock of their range) to the ports it calls, "
                                      "in a NetworkPolicy kept as written, or call those pods through a NodePort "
                                      "Service")


def open_namespace(project: str, namespace: str, why: str, at, inputs, own: bool = False) -> Extracted:
    """The NetworkPolicy `<project>-within-namespace` admitting the namespace's pods to each
    other (with ``own``, to the project's pods), said in a note (SKY072) at ``at`` and a
    comment in the spec."""
    name = f"{project}-within-namespace"[:63].strip("-")
    own = own or namespace in SHARED   # (a Compose project's namespace is its name)
    to = "every other" if not own else "the project's pods (the cluster's own there stay as they are)" \
        if namespace in SHARED else "the project's pods (those an operator makes there stay open)"
    inputs.note(OPEN, f"NetworkPolicy {name} admits every pod of namespace {namespace} to {to}: {why}, so "
                "its pods reached each other, also where no env value shows the call", at,
                hint=f"once connect_to declares every call between the workloads, remove {name}: the default deny "
                     "and connect_to then admit exactly those")
    doc = {"kind": "NetworkPolicy", "name": name, "allow_from": [{"namespace": namespace}],
           "_note": f"{why}: its pods reach each other freely, also where no env value shows the call "
                    "(an address in an image or a config file); remove this once connect_to declares every call"}
    if own:   # the cluster's own pods there (CoreDNS), an operator's, must stay open to every namespace
        doc = {**doc, "select": {"labels": {"app.kubernetes.io/part-of": project}}}
    return Extracted(doc, [], [])


def renumber(items: list[Extracted], inputs) -> None:
    """An Ingress kept as written whose backend names, by a name the build does not give, a
    port of a Service the build makes (a workload's: its ports are named as the container's)
    routes to that port by its number instead: bitnami's MinIO routes to `tcp-api`, which
    serves the container's `api`, and the build refused the Ingress (SKY161). A note each."""
    made = {}   # (namespace, Service name) -> (its input object, the port names the build gives)
    home = namespace_of([o for x in items for o in x.objects])
    for x in items:
        if x.doc["kind"] in ("App", "StatefulApp") and x.objects:
            names = set(x.doc.get("ports") or {}) | ({"http"} if "port" in x.doc else set())
            for o in x.objects[1:]:
                if o["kind"] == "Service":
                    made[(o["metadata"].get("namespace") or home, o["metadata"].get("name"))] = (o, names)
    for x in items:
        m = x.doc.get("manifest") if x.doc["kind"] == "Resource" else None
        if not isinstance(m, dict) or m.get("kind") != "Ingress" or not x.objects:
            continue
        spec = m.get("spec") if isinstance(m.get("spec"), dict) else {}
        paths = [("spec", "defaultBackend", "service", "port")]
        for i, r in enumerate(spec.get("rules") if isinstance(spec.get("rules"), list) else []):
            http = r.get("http") if isinstance(r, dict) else None
            ps = http.get("paths") if isinstance(http, dict) else None
            paths += [("spec", "rules", i, "http", "paths", j, "backend", "service", "port")
                      for j in range(len(ps) if isinstance(ps, list) else 0)]
        for at in paths:
            port, svc = _dig(m, at), _dig(m, at[:-1])
            got = made.get((m["metadata"].get("namespace") or home, svc.get("name"))) if isinstance(svc, dict) else None
            if not isinstance(port, dict) or set(port) != {"name"} or got is None or port["name"] in got[1]:
                continue
            number = next((p.get("port") for p in (got[0].get("spec") or {}).get("ports") or []
                           if isinstance(p, dict) and p.get("name") == port["name"]), None)
            if isinstance(number, int):
                _put(m, at, {"number": number})
                inputs.note(INFERRED, f"Ingress {m['metadata'].get('name')} routes to port {number} of Service "
                            f"{svc['name']} by its number: the build names that port as the container's, not "
                            f"{port['name']}", inputs.pos(x.objects[0], at), hint="the same port; the round trip "
                                                                                   "compares the two")


def _put(m: dict, path: tuple, value) -> None:
    """``m`` at ``path`` set to ``value``, each map and list on the way copied first: a manifest
    kept as written shares them with the input, which the round trip reads."""
    node = m
    for k in path[:-1]:
        node[k] = dict(node[k]) if isinstance(node[k], dict) else list(node[k])
        node = node[k]
    node[path[-1]] = value


def _dig(obj, path: tuple):
    for k in path:   # (a NetworkPolicy's peer is in lists: `ingress[0].from[0]`)
        obj = obj.get(k) if isinstance(obj, dict) else \
            obj[k] if isinstance(obj, list) and isinstance(k, int) and 0 <= k < len(obj) else None
    return obj
