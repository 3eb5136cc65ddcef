"""The Secrets, ConfigMaps and ServiceAccounts the imported workloads use (or Roles bind) that
the input does not hold: each is declared `existing: true` (it must be in the cluster already:
a chart leaves it to the user, a Job of the chart creates it, a cloud identity is made by
another tool), a note at its first use (SKY064, SKY073). A
reference is read from the workload's spec document, and from the input's pod template
wherever the spec leaves it to its `k8s:` patch (a projected volume, a Secret volume's
items) or keeps the whole object (a DaemonSet, as a Resource). It names objects only: it
never reads or writes a value.
"""

from __future__ import annotations

from .kube import NAME, Extracted
from .source import ASSUMED, SECRET, Inputs


def _secret_refs(doc: dict) -> list[tuple[str, str]]:
    """(Secret name, the spec key that names it) of every Secret a workload spec uses."""
    out = []
    for c in [doc, *(doc.get("sidecars") or {}).values(), *(doc.get("init") or {}).values()]:
        out += [(r["secret"], "secrets") for r in (c.get("secrets") or {}).values()]
        out += [(e["secret"], "env_from") for e in c.get("env_from") or [] if "secret" in e]
    out += [(v["secret"], "volumes") for v in (doc.get("volumes") or {}).values() if "secret" in v]
    out += [(n, "image_pull_secrets") for n in doc.get("image_pull_secrets") or []]
    return out


def existing_secrets(items: list[Extracted], inputs: Inputs, given: set, configs: set = frozenset()) -> list[Extracted]:
    """`kind: Secret` with `existing: true` for each Secret the workloads use that the input
    does not hold (it is in the cluster already): a note at the first use. ``given`` names
    the input's own Secrets (not yet mapped): each becomes its `kind: Secret` with `keys:`.
    So too `kind: ConfigMap` with `existing: true` for a ConfigMap none of ``configs`` is (the
    input's, mapped or kept; `kube-root-ca.crt` is in every namespace)."""
    have = {x.doc["name"] for x in items if x.doc["kind"] == "Secret"} | given
    config_have = set(configs) | {x.doc["name"] for x in items if x.doc["kind"] == "ConfigMap"} | {"kube-root-ca.crt"}
    uses = [(x, _secrets_used(x), [n for o in x.objects[:1] for n in _pod_refs(o, "config")]) for x in items]
    # a name the workloads of several namespaces use is declared once (a document names one
    # object): where the build checks that it exists (a pod's env, volumes, envFrom; not an
    # image pull secret), in the project's namespace when a user is there
    secret_home = _declarer(uses, lambda u: [n for n, k in u[1] if k != "image_pull_secrets"],
                            lambda u: [n for n, _ in u[1]])
    config_home = _declarer(uses, lambda u: u[2], lambda u: u[2])
    out = []
    for x, secrets, configs_used in uses:
        for name, key in secrets:
            if name in have or not NAME.match(name) or secret_home.get(name, x) is not x:
                continue
            have.add(name)
            src = x.doc.get("_from", {}).get(key) if key else (x.objects[0], ("kind",))
            inputs.note(SECRET, f"Secret {name}, used by {x.doc['name']}, is not in the input: declared "
                        "`existing: true`", inputs.pos(*src) if src else None,
                        hint="it must exist in the cluster; add its manifest to the input to declare its keys")
            out.append(Extracted({"kind": "Secret", "name": name, "existing": True, **_in(x)}, [], []))
        for name in configs_used:
            if name in config_have or not NAME.match(name) or config_home.get(name, x) is not x:
                continue
            config_have.add(name)
            inputs.note(ASSUMED, f"ConfigMap {name}, used by {x.doc['name']}, is not in the input: declared "
                        "`existing: true`", inputs.pos(x.objects[0], ("kind",)),
                        hint="it must exist in the cluster (Compose reads configs/<name>/ and configs/<name>.env); "
                             "add its manifest to the input to make it part of the project")
            out.append(Extracted({"kind": "ConfigMap", "name": name, "existing": True, **_in(x)}, [], []))
    return out + _accounts(items, inputs)


def _accounts(items: list[Extracted], inputs: Inputs) -> list[Extracted]:
    """`kind: ServiceAccount` with `existing: true` for each account a workload runs as
    (`serviceAccountName: x` of a chart's `serviceAccount: {create: false}`; a kept one's, a
    DaemonSet's, too), or a Role binds, that the input does not hold: the first user's note
    says so."""
    have = {x.doc["name"] for x in items if x.doc["kind"] == "ServiceAccount"} | {"default"}
    out = []
    for x in list(items):
        if x.doc["kind"] in ("Role", "ClusterRole"):
            used = [(n, (x.objects[-1], ("subjects", i, "name"))) for i, n in enumerate(x.doc.get("bind") or [])]
        elif x.doc["kind"] == "Resource" and x.objects:   # a kept workload (a DaemonSet): its pod's account
            from ..syscheck import pod_spec

            got = pod_spec(x.objects[0])
            name = got[1].get("serviceAccountName") or got[1].get("serviceAccount") if got else None
            used = [(name, (x.objects[0], ("kind",)))] if isinstance(name, str) else []
        else:
            used = [(x.doc["service_account"], x.doc.get("_from", {}).get("service_account") or (x.objects[0], ("kind",)))
                    ] if isinstance(x.doc.get("service_account"), str) and x.objects else []
        for name, src in used:
            if name in have or not NAME.match(name):
                continue
            have.add(name)
            inputs.note(ASSUMED, f"ServiceAccount {name}, used by {x.doc['name']}, is not in the input: declared "
                        "`existing: true`", inputs.pos(*src),
                        hint="it must exist in the cluster (an identity another tool makes: a cloud IAM binding); "
                             "add its manifest to the input to make it part of the project")
            out.append(Extracted({"kind": "ServiceAccount", "name": name, "existing": True, **_in(x)}, [], []))
    return out


def _secrets_used(x: Extracted) -> list[tuple[str, str | None]]:
    """(name, the spec key that names it, or None) of the Secrets workload ``x`` uses: its
    spec's, then those it leaves to its `k8s:` patch (a projected volume, a Secret volume's
    items) or a kept object's (a DaemonSet), as the input's pod spec holds them."""
    said = _secret_refs(x.doc)
    named = {m for m, _ in said}
    return said + [(n, None) for o in x.objects[:1] for n in _pod_refs(o, "secret") if n not in named]


def _declarer(uses: list, checked, every) -> dict:
    """Name -> the workload whose namespace declares it: the first of the project's namespace
    among those whose use the build checks (``checked``: a use's names), else the first of
    those, else the first of the project's namespace among all users (``every``)."""
    out: dict = {}
    for names, home in ((checked, True), (checked, False), (every, True)):
        for u in uses:
            if not home or not u[0].doc.get("namespace"):
                for n in names(u):
                    out.setdefault(n, u[0])
    return out


def _in(x: Extracted) -> dict:
    """The namespace of a declaration for workload ``x``: its own, when it is not the project's
    (a Secret is found in the namespace of the pod that uses it)."""
    return {"namespace": x.doc["namespace"]} if x.doc.get("namespace") else {}


_REFS = {"secret": (("secret", "secretName"), "secretKeyRef", "secretRef"),
         "config": (("configMap", "name"), "configMapKeyRef", "configMapRef")}


def _pod_refs(o: dict, what: str) -> list[str]:
    """The Secrets (``what``: "secret") or ConfigMaps ("config") the pod template of workload
    ``o`` (of any kind) names, in order."""
    from ..syscheck import pod_spec

    (vol, vol_key), key_ref, env_ref = _REFS[what]
    got = pod_spec(o)
    if got is None:
        return []
    ps = got[1]
    out: list = []

    def add(n):
        if isinstance(n, str) and n not in out:
            out.append(n)
    for v in ps.get("volumes") or []:
        if isinstance(v, dict):
            add((v.get(vol) or {}).get(vol_key) if isinstance(v.get(vol), dict) else None)
            for src in ((v.get("projected") or {}).get("sources") or []) if isinstance(v.get("projected"), dict) else []:
                add((src.get(vol) or {}).get("name") if isinstance(src, dict) and isinstance(src.get(vol), dict)
                    else None)
    for c in (ps.get("containers") or []) + (ps.get("initContainers") or []):
        for e in c.get("env") or [] if isinstance(c, dict) else []:
            ref = ((e.get("valueFrom") or {}).get(key_ref) if isinstance(e, dict) and
                   isinstance(e.get("valueFrom"), dict) else None)
            add(ref.get("name") if isinstance(ref, dict) else None)
        for e in c.get("envFrom") or [] if isinstance(c, dict) else []:
            add((e.get(env_ref) or {}).get("name") if isinstance(e, dict) and isinstance(e.get(env_ref), dict)
                else None)
    for s in ps.get("imagePullSecrets") or [] if what == "secret" else []:
        add(s.get("name") if isinstance(s, dict) else None)
    return out
