"""The shape of the input objects, checked before the importer reads them: every field it
reads (and that the API server would refuse in another type) must have the type Kubernetes
gives it, and the names it turns into spec names must be names a spec can have. A field of the
wrong type is an error at its file:line:col (SKY061) naming the type wanted, so that a
hostile or broken manifest is reported, all of it in one run, instead of crashing a later
stage; the object is then left out. The other fields are checked against the fields of their
kind (:mod:`..ir.k8sfields`): one Kubernetes does not have, which the API server would drop,
is dropped from the object here, with a warning; a value of another type is an error, as
above. What it keeps that the importer does not read, the round trip keeps as `k8s:`
patches. It reads nothing else and quotes no value.
"""

from __future__ import annotations

import re
from typing import Any

from ..ir import k8sfields
from ..schema.fields import DNS1123_LABEL, DNS1123_SUBDOMAIN, K8S_API_VERSION, K8S_KIND
from ..schema.kinds import RBAC_KINDS, RBAC_NAME, RBAC_NAME_WORDS
from .source import NOT_CARRIED, WRONG, Inputs, _typename

LABEL = re.compile(DNS1123_LABEL)
# the API server's shapes of names (what every stage after this one may rely on)
PATTERNS = {"label": (re.compile(DNS1123_LABEL), 63), "subdomain": (re.compile(DNS1123_SUBDOMAIN), 253),
            "portname": (re.compile(DNS1123_LABEL), 15), "kind": (re.compile(K8S_KIND), 63),
            "rbacname": (re.compile(RBAC_NAME), 253),
            "apiVersion": (re.compile(K8S_API_VERSION), 317),
            "labelkey": (re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"),
                         253),
            "labelvalue": (re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"), 63),
            "path": (re.compile(r"(?s)^.+$"), 4096)}

# A shape is a type name ("str", "int", "bool", "num", "intstr", "scalar", "map", "list",
# "any"), ("map", shape) for a mapping of string keys, ("or", shape, ...) for any of several,
# [shape] for a list, or a dict of fields (a field name starting with "!" is required).
STRMAP = ("map", "str")
LABELS = ("map", "labelvalue")
QTY = "intstr"
PROBE = {"httpGet": {"path": "str", "port": "intstr", "scheme": "str", "host": "str",
                     "httpHeaders": [{"!name": "str", "!value": "str"}]},
         "tcpSocket": {"!port": "intstr"}, "exec": {"command": ["scalar"]}, "grpc": {"!port": "int", "service": "str"},
         "initialDelaySeconds": "int", "periodSeconds": "int", "timeoutSeconds": "int",
         "failureThreshold": "int", "successThreshold": "int"}
SECURITY = {"runAsUser": "int", "runAsGroup": "int", "runAsNonRoot": "bool", "readOnlyRootFilesystem": "bool",
            "allowPrivilegeEscalation": "bool", "privileged": "bool",
            "capabilities": {"add": ["str"], "drop": ["str"]}}
CONTAINER = {
    "!name": "label", "image": "str", "command": ["scalar"], "args": ["scalar"],
    "ports": [{"!containerPort": "int", "name": "portname", "protocol": "str", "hostPort": "int"}],
    "env": [{"!name": "str", "value": "str",
             "valueFrom": {"secretKeyRef": {"name": "str", "!key": "str"}, "configMapKeyRef": {"name": "str", "!key": "str"},
                           "fieldRef": {"!fieldPath": "str", "apiVersion": "str"},
                           "resourceFieldRef": {"!resource": "str", "containerName": "str", "divisor": "scalar"}}}],
    "envFrom": [{"configMapRef": {"!name": "str"}, "secretRef": {"!name": "str"}, "prefix": "str"}],
    "resources": {"requests": ("map", "scalar"), "limits": ("map", "scalar")},
    "livenessProbe": PROBE, "readinessProbe": PROBE, "startupProbe": PROBE,
    "volumeMounts": [{"!name": "label", "!mountPath": "path", "readOnly": "bool", "subPath": "str"}],
    "securityContext": SECURITY,
    "lifecycle": {"postStart": {"exec": {"command": ["scalar"]}}, "preStop": {"exec": {"command": ["scalar"]}}},
    "imagePullPolicy": "str", "workingDir": "str",
}
ITEMS = [{"!key": "str", "!path": "path"}]   # a ConfigMap's or Secret's keys as files
POD = {
    "!containers": [CONTAINER], "initContainers": [CONTAINER],
    "volumes": [{"!name": "label", "emptyDir": {"medium": "str", "sizeLimit": QTY},
                 "configMap": {"name": "str", "items": ITEMS}, "secret": {"secretName": "str", "items": ITEMS},
                 "persistentVolumeClaim": {"!claimName": "str"}}],
    "securityContext": {"runAsUser": "int", "runAsGroup": "int", "fsGroup": "int", "runAsNonRoot": "bool"},
    "serviceAccountName": "str", "nodeSelector": STRMAP, "affinity": "map", "priorityClassName": "str",
    "tolerations": [{"key": "str", "operator": "str", "value": "str", "effect": "str", "tolerationSeconds": "int"}],
    "imagePullSecrets": [{"name": "str"}], "terminationGracePeriodSeconds": "int", "restartPolicy": "str",
    "automountServiceAccountToken": "bool",
}
TEMPLATE = {"metadata": {"labels": LABELS, "annotations": STRMAP}, "!spec": POD}
STRATEGY = {"type": "str", "rollingUpdate": {"maxSurge": "intstr", "maxUnavailable": "intstr", "partition": "int"}}
JOB = {"!template": TEMPLATE, "completions": "int", "parallelism": "int", "backoffLimit": "int",
       "activeDeadlineSeconds": "int", "ttlSecondsAfterFinished": "int"}
SELECTOR = {"matchLabels": STRMAP}
PEER = {"podSelector": SELECTOR, "namespaceSelector": SELECTOR, "ipBlock": {"!cidr": "str", "except": ["str"]}}
NP_PORTS = [{"port": "intstr", "protocol": "str", "endPort": "int"}]
SPECS = {
    "Deployment": {"replicas": "int", "selector": SELECTOR, "!template": TEMPLATE, "strategy": STRATEGY},
    "StatefulSet": {"replicas": "int", "selector": SELECTOR, "!template": TEMPLATE, "updateStrategy": STRATEGY,
                    "serviceName": "str", "podManagementPolicy": "str", "volumeClaimTemplates": ["map"]},
    "Job": JOB,
    "CronJob": {"!schedule": "str", "!jobTemplate": {"!spec": JOB}, "timeZone": "str", "concurrencyPolicy": "str",
                "suspend": "bool", "startingDeadlineSeconds": "int", "successfulJobsHistoryLimit": "int",
                "failedJobsHistoryLimit": "int"},
    "Service": {"type": "str", "selector": STRMAP, "clusterIP": "str",
                "ports": [{"!port": "int", "targetPort": "intstr", "name": "str", "protocol": "str", "nodePort": "int"}]},
    "HorizontalPodAutoscaler": {"scaleTargetRef": {"!name": "str", "kind": "str"}, "minReplicas": "int",
                                "maxReplicas": "int",
                                "metrics": [{"type": "str", "resource": {"name": "str", "target": {
                                    "type": "str", "averageUtilization": "int"}}}]},
    "Ingress": {"ingressClassName": "str", "tls": [{"secretName": "str", "hosts": ["str"]}],
                "rules": [{"host": "str", "http": {"paths": [{"path": "str", "pathType": "str", "backend": {
                    "service": {"name": "str", "port": {"name": "str", "number": "int"}}}}]}}]},
    "PodDisruptionBudget": {"maxUnavailable": "intstr", "minAvailable": "intstr", "selector": SELECTOR},
    "NetworkPolicy": {"podSelector": SELECTOR, "policyTypes": ["str"],
                      "ingress": [{"from": [PEER], "ports": NP_PORTS}], "egress": [{"to": [PEER], "ports": NP_PORTS}]},
}
TOP = {"Role": {"rules": [{"apiGroups": ["str"], "resources": ["str"], "resourceNames": ["str"], "verbs": ["str"]}]},
       "RoleBinding": {"subjects": [{"kind": "str", "name": "str", "namespace": "str"}],
                       "roleRef": {"kind": "str", "name": "str", "apiGroup": "str"}},
       "ServiceAccount": {"automountServiceAccountToken": "bool", "imagePullSecrets": [{"name": "str"}]},
       "ConfigMap": {"data": ("map", "str"), "binaryData": ("map", "str")},
       "Secret": {"data": ("map", "str"), "stringData": ("map", "str"), "type": "str"}}
TOP["ClusterRole"], TOP["ClusterRoleBinding"] = TOP["Role"], TOP["RoleBinding"]
META = {"name": "subdomain", "namespace": "label", "labels": LABELS, "annotations": STRMAP}
# RBAC objects are named by path segments (`system:metrics-reader`); the language keeps those
# whose names hold ':' as Resources
RBAC_META = {**META, "name": "rbacname"}
# the spec kinds whose names must be DNS labels (the rest keep theirs in a Resource)
SPEC_NAMED = ("Deployment", "StatefulSet", "Job", "CronJob")
WANTED = {"str": "a string", "int": "an integer", "bool": "true or false", "num": "a number",
          "intstr": "an integer or a string", "scalar": "a string or a number", "map": "a mapping",
          "list": "a list", "label": "a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)",
          "subdomain": "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)",
          "rbacname": f"{RBAC_NAME_WORDS} (at most 253 characters)",
          "portname": "a port name (lower-case letters, digits and '-', at most 15 characters)",
          "kind": "a kind (letters and digits, starting with a letter)", "apiVersion": "an API version such as `v1` "
          "or `apps/v1`", "labelkey": "a label key (`[prefix/]name`)",
          "labelvalue": "a label value (letters, digits, '-', '_' and '.', at most 63 characters)",
          "path": "a path (not empty)"}


def _fits(v: Any, t: str) -> bool:
    if t == "any":
        return True
    if t in PATTERNS:
        pattern, most = PATTERNS[t]
        return isinstance(v, str) and len(v) <= most and pattern.match(v) is not None
    if t == "str":
        return isinstance(v, str)
    if t == "int":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "bool":
        return isinstance(v, bool)
    if t == "num":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "intstr":
        return isinstance(v, str) or isinstance(v, int) and not isinstance(v, bool)
    if t == "scalar":
        return isinstance(v, (str, int, float, bool))
    if t == "map":
        return isinstance(v, dict)
    if t == "list":
        return isinstance(v, list)
    raise ValueError(t)


def _kind_fits(v: Any, shape: Any) -> bool:
    """Whether ``v`` is of the outermost type of ``shape`` (what picks an alternative)."""
    if isinstance(shape, str):
        return _fits(v, shape)
    if isinstance(shape, list):
        return isinstance(v, list)
    if isinstance(shape, tuple) and shape[0] == "or":
        return any(_kind_fits(v, alt) for alt in shape[1:])
    return isinstance(v, dict)


def _wanted(shape: Any) -> str:
    if isinstance(shape, str):
        return WANTED[shape]
    if isinstance(shape, list):
        return "a list"
    if isinstance(shape, tuple) and shape[0] == "or":
        return " or ".join(_wanted(alt) for alt in shape[1:])
    return "a mapping"


def problems(value: Any, shape: Any, path: tuple = (), deferred: list | None = None) -> list[tuple[tuple, str]]:
    """(path, what is wrong) for every place ``value`` does not fit ``shape``. With
    ``deferred``, a string holding a variable (`$RETRIES`) where a number or a boolean belongs
    is not wrong yet: Compose interpolates before it reads types, so (path, type) is appended
    there, for the caller to check once the variables are known."""
    out: list[tuple[tuple, str]] = []
    stack = [(value, shape, path)]
    while stack:
        v, s, p = stack.pop()
        if isinstance(s, str):
            if deferred is not None and s in ("int", "num", "bool") and isinstance(v, str) and "$" in v:
                deferred.append((p, s))
            elif not _fits(v, s):
                out.append((p, f"must be {WANTED[s]}" + ("" if s in PATTERNS and isinstance(v, str)
                                                         else f", not {_article(v)}")))
        elif isinstance(s, tuple) and s[0] == "or":
            fits = [alt for alt in s[1:] if _kind_fits(v, alt)]
            if not fits:
                out.append((p, f"must be {' or '.join(_wanted(alt) for alt in s[1:])}, not {_article(v)}"))
            else:
                stack.append((v, fits[0], p))
        elif isinstance(s, tuple):   # ("map", item shape)
            if not isinstance(v, dict):
                out.append((p, f"must be a mapping, not {_article(v)}"))
                continue
            for k, x in v.items():
                if not isinstance(k, str):
                    out.append((p + (k,), f"has a key that is {_article(k)}, not a string"))
                elif s[1] == "labelvalue" and not _fits(k, "labelkey"):
                    out.append((p + (k,), f"has a key that is not {WANTED['labelkey']}"))
                else:
                    stack.append((x, s[1], p + (k,)))
        elif isinstance(s, list):
            if not isinstance(v, list):
                out.append((p, f"must be a list, not {_article(v)}"))
                continue
            stack += [(x, s[0], p + (i,)) for i, x in enumerate(v)]
        else:
            if not isinstance(v, dict):
                out.append((p, f"must be a mapping, not {_article(v)}"))
                continue
            for k, x in s.items():
                name = k.lstrip("!")
                if name in v:
                    stack.append((v[name], x, p + (name,)))
                elif k.startswith("!"):
                    out.append((p, f"has no `{name}`, which it must have"))
    return sorted(out, key=lambda e: [str(x) for x in e[0]])


def _article(v: Any) -> str:
    t = _typename(v)
    return f"an {t}" if t[0] in "aeiou" else f"a {t}"


def path_ok(found: list) -> bool:
    """Whether the object's name may be shown (it is not itself what is wrong)."""
    return not any(p[:2] == ("metadata", "name") or p == ("metadata",) for p, _ in found)


def shown(path: tuple) -> str:
    out = ""
    for seg in path:
        out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else str(seg))
    return out or "the object"


def _unknown_fields(o: dict, who: str, inputs: Inputs) -> bool:
    """Fields the object's kind does not have (:mod:`..ir.k8sfields`; dapr's hello-kubernetes
    sample writes an env item's `value` one level out, under the container): the API server
    drops them (kubectl warns), and so does the import, with a warning at each; carried as
    `k8s:` patches, they would fail every build (SKY124). A value of another type than its
    field's, which the API server refuses, is an error: False, and the object is left out."""
    ok = True
    for path, message, hint, at_key in k8sfields.problems(o.get("apiVersion"), o["kind"], o):
        if not at_key:
            inputs.diags.error(WRONG, f"{who}: {message}", inputs.pos(o, path),
                               hint="the API server would refuse this object too: fix the manifest and import again")
            ok = False
            continue
        inputs.diags.warning(WRONG, f"{who} has `{k8sfields.dotted(path)}`, a field a {o['kind']} does not have: the "
                             "API server drops it (kubectl warns), and so does the import", inputs.pos(o, path, key=True),
                             hint=hint if hint and hint.startswith("did you mean") else
                             "check its indentation: one of its lines may belong to the line above (an `env` "
                             "item's `value`, say)")
        parent: Any = o
        for p in path[:-1]:
            parent = parent[p]
        del parent[path[-1]]
    return ok


# the Helm hooks that run on a later event than an install or an upgrade (or in `helm test`)
LATER = {"pre-delete", "post-delete", "pre-rollback", "post-rollback", "test", "test-success", "test-failure"}


def _later_hook(o: dict, inputs: Inputs) -> bool:
    """Whether ``o`` is a Helm hook run only at uninstall, rollback or `helm test` (a
    `helm.sh/hook` of :data:`LATER`): applied with the rest, as `kubectl apply` and Kustomize
    do, it would run at once (kyverno's pre-delete `scale-to-zero` scales its own Deployments
    to zero, its `rm-webhooks` deletes its webhooks). It is left out, with a warning."""
    meta = o.get("metadata") if isinstance(o.get("metadata"), dict) else {}
    notes = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
    hook = notes.get("helm.sh/hook")
    events = {e.strip() for e in hook.split(",") if e.strip()} if isinstance(hook, str) else set()
    if not events or not events <= LATER:
        return False
    name = meta.get("name") or meta.get("generateName")
    inputs.diags.warning(NOT_CARRIED, f"{o['kind']}{' ' + name if isinstance(name, str) else ''} is a Helm hook run only at "
                                      f"{', '.join(sorted(events))} (`helm.sh/hook`): applied with the rest it would run "
                                      "at once, so it is left out", inputs.pos(o, ("metadata", "annotations", "helm.sh/hook")),
                         hint="run it by hand when that event comes (its manifest is the chart's)")
    return True


def check(objs: list[dict], inputs: Inputs) -> list[dict]:
    """The objects that fit their kind's shape; the others are reported and left out; a
    field their kind does not have is dropped, with a warning."""
    ok = []
    seen: dict[tuple, dict] = {}
    for o in objs:
        kind = o["kind"]
        if _later_hook(o, inputs):
            continue
        shape: dict = {"!apiVersion": "apiVersion", "kind": "kind",
                       "metadata": RBAC_META if kind in RBAC_KINDS else META}
        shape["spec"] = SPECS.get(kind, "map")   # (of any kind: a mapping, which later stages read as one)
        shape.update(TOP.get(kind, {}))
        found = problems(o, shape)
        name = (o.get("metadata") or {}).get("name") if isinstance(o.get("metadata"), dict) else None
        generated = isinstance(o.get("metadata"), dict) and isinstance(o["metadata"].get("generateName"), str)
        if not found and not isinstance(name, str):
            found = [(("metadata", "generateName") if generated else ("metadata",),
                      "has `generateName` and no `name`: the API server names it anew each time it is created (an "
                      "Argo CD or Helm hook), which `kubectl apply` and a spec cannot" if generated else
                      "has no `name`, which every object must have")]
        if not found and kind in SPEC_NAMED and (not LABEL.match(name) or len(name) > 63):
            found = [(("metadata", "name"), "must be a DNS-1123 label (lower-case letters, digits and '-', at most "
                                            "63 characters) to name a spec")]
        who = f"{kind} {name}" if isinstance(name, str) and path_ok(found) else kind
        for path, what in found:
            hint = "a spec's name is its workload's, a DNS-1123 label: rename it in the manifest" if "DNS-1123" in what \
                else "give it a `name` (one of its own for each hook), and import again" if "generateName" in what \
                else "the API server would refuse this object too: fix the manifest and import again"
            inputs.diags.error(WRONG, f"{who} {what}" if "generateName" in what else
                               f"{who} {shown(path)} {what}" if path else f"{who} {what}", inputs.pos(o, path), hint=hint)
        if found:
            continue
        key = (kind, o.get("apiVersion"), name, o["metadata"].get("namespace"))
        if key in seen:
            inputs.diags.error(WRONG, f"{kind} {name} is given twice", inputs.pos(o, ("metadata", "name")),
                               hint="import each object once: the second one is left out",
                               notes=[f"first given at {inputs.pos(seen[key], ('metadata', 'name'))}"])
            continue
        seen[key] = o
        if _unknown_fields(o, who, inputs):
            ok.append(o)
    return ok
