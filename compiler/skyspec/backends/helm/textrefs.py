"""Names of the chart's objects inside text, marked to follow the release (release.py marks the
objects' own places): a Service's host name (a Certificate's DNS names), and the names a
container's flags give its program. Programs take the objects they serve, read or patch from
flags: ingress-nginx's `--configmap=$(POD_NAMESPACE)/<configmap>` and `--publish-service=...`,
its certificate Job's `--host=<svc>,<svc>.$(POD_NAMESPACE).svc` and `--webhook-name=<webhook>`,
cert-manager's webhook `--dynamic-serving-dns-names=<svc>`. Left as written, a release under
another name read the import's ConfigMap (absent), served a certificate for another host and
patched another webhook's caBundle, so the API server refused what the webhook guards. Only a
flag's value (`--name=value`, a comma-separated list) is read: a positional word may be anything
(`server`), so it stays.
"""

from __future__ import annotations

import re
from typing import Any

from .marks import NAMESPACE, Joined, Name

# what may follow `<service>.<namespace>` in a Service's host name
_SVC_SUFFIXES = ([], ["svc"], ["svc", "cluster", "local"])
_FLAG = re.compile(r"(--?[A-Za-z0-9][A-Za-z0-9_.-]*=)(.+)", re.S)
# a reference to an env var, which the kubelet expands in a command (`$(POD_NAMESPACE)`)
_VAR = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_]*\)")
# the kinds whose object a flag names whole: what a program serves, reads or patches
_FLAGGED = ("Service", "ConfigMap", "Secret", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
            "Deployment", "StatefulSet", "DaemonSet")
# the kinds a word in a flag's name says it names: objects of several kinds share a name
# (ingress-nginx's webhook configuration and the Secret its Job writes, which the chart does not
# make, are both `<release>-admission`), and `--secret-name` names the Secret
_HINTS = {"secret": ("Secret",), "configmap": ("ConfigMap",), "config-map": ("ConfigMap",),
          "service": ("Service",), "svc": ("Service",), "host": ("Service",), "dns": ("Service",),
          "webhook": ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"),
          "deployment": ("Deployment",), "statefulset": ("StatefulSet",), "daemonset": ("DaemonSet",)}


def host(d: str, scope: Any, namespace: str, var: bool = False) -> Any:
    """A host name, marked when it is a Service of the chart's (``scope``: release.Scope):
    `<svc>`, `<svc>.<namespace>[.svc[.cluster.local]]`, each also after one label (`*`, a pod's
    name). With ``var``, the namespace may also be an env var's reference (in a command), which
    follows the pod's namespace by itself and stays."""
    labels = d.split(".")
    for i in (0, 1):
        if len(labels) <= i or not scope.has("Service", labels[i]):
            continue
        rest = labels[i + 1:]
        own = rest[:1] == [namespace]
        if rest and (not (own or var and _VAR.fullmatch(rest[0])) or rest[1:] not in _SVC_SUFFIXES):
            continue
        parts: list = [labels[0] + "."] if i else []
        parts.append(Name(labels[i]))
        if rest:
            parts += [".", NAMESPACE if own else rest[0]] + (["." + ".".join(rest[1:])] if rest[1:] else [])
        return parts[0] if len(parts) == 1 else Joined(tuple(parts))
    return d


def flag(text: str, scope: Any, namespace: str) -> Any:
    """An item of a container's command or args, marked where its flag's value names the
    chart's objects: each item of the value's comma-separated list that is the name of one (of
    the kinds the flag's name says), `<namespace>/<name>` (the namespace written or `$(VAR)`)
    or a Service's host name, with a port or not."""
    m = _FLAG.fullmatch(text)
    if m is None:
        return text
    parts: list = [m.group(1)]
    kinds = _kinds(m.group(1).lower())
    for i, item in enumerate(m.group(2).split(",")):
        parts += ([","] if i else []) + [_item(item, kinds, scope, namespace)]
    return text if all(type(p) is str for p in parts) else _joined(parts)


def _kinds(name: str) -> tuple:
    """The kinds flag ``name`` names: its last word of :data:`_HINTS` says (the noun ends the
    name: `--webhook-secret` names a Secret), else any of :data:`_FLAGGED`."""
    return hinted(name) or _FLAGGED


def hinted(name: str) -> tuple:
    """The kinds the last word of :data:`_HINTS` in ``name`` (a flag's, or an env var's:
    `METALLB_DEPLOYMENT`) says it names; () when none does."""
    name = name.lower().replace("_", "-")
    at = max(((name.rfind(w), w) for w in _HINTS if w in name), default=None)
    return _HINTS[at[1]] if at else ()


def _item(item: str, kinds: tuple, scope: Any, namespace: str) -> Any:
    pre, slash, name = item.rpartition("/")
    if slash and (pre == namespace or _VAR.fullmatch(pre)) and _made(scope, kinds, name):
        return Joined((NAMESPACE if pre == namespace else pre, "/", Name(name)))
    if _made(scope, kinds, item):
        return Name(item)
    if "Service" not in kinds:
        return item
    h, colon, port = item.rpartition(":")
    if not (colon and port.isdigit()):
        h, colon, port = item, "", ""
    marked = host(h, scope, namespace, var=True)
    return item if type(marked) is str else _joined([marked, colon + port])


def _made(scope: Any, kinds: tuple, name: str) -> bool:
    return any(scope.has(k, name) for k in kinds)


def _joined(parts: list) -> Joined:
    """One Joined of ``parts`` (strings, marks, Joined): nested ones flattened, strings next to
    each other made one."""
    out: list = []
    for p in parts:
        for q in p.parts if type(p) is Joined else (p,):
            if type(q) is str and out and type(out[-1]) is str:
                out[-1] += q
            elif q != "":
                out.append(q)
    return Joined(tuple(out))
