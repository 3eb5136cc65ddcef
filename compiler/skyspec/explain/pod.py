"""The pod template of a workload's manifest traced back: containers, volumes, security.

:func:`pod` maps a path under a Deployment's (StatefulSet's, Job's, CronJob's) pod spec to
the spec values it was lowered from, or to the derivation the lowering or a pass recorded
(the hardened security context, the sidecar requests and the limits of `size`, the
`connect_to` variables, the /tmp volume, the topology spread of `availability`). It is
:mod:`.fields`' table for pods and, like it, only maps paths: it must not read histories nor
format answers.
"""

from __future__ import annotations

from ..ir import why
from ..ir.model import IR, Workload
from ..ir.why import Rule
from ..layers.stack import Spec
from . import structure as st
from .fields import KUBE, LOWER, Trace, by, port_name, protocol, rule
from .values import value_at

_PROBES = {"livenessProbe": "liveness", "readinessProbe": "readiness", "startupProbe": "startup"}
_SIMPLE = {"nodeSelector": ("node_selector",), "tolerations": ("tolerations",), "affinity": ("affinity",),
           "priorityClassName": ("priority_class",), "imagePullSecrets": ("image_pull_secrets",),
           "serviceAccountName": ("service_account",), "terminationGracePeriodSeconds": ("lifecycle", "termination_grace")}

CONTAINER = Rule("lower.container-name", "the main container is named after the workload unless `container:` names it")
RESTART = Rule("lower.job-restart", "a Job's pods restart on failure unless its `restart` says otherwise")
SPREAD_KEY = Rule("k8s.spread-key", "`spread: nodes` spreads over kubernetes.io/hostname, `zones` over "
                                    "topology.kubernetes.io/zone")
SPREAD_SKEW = Rule("k8s.spread-skew", "spread pods so that no domain has more than one pod above another")
SPREAD_SOFT = Rule("k8s.spread-soft", "a topology spread is a preference: a pod that cannot be spread still runs")
SECRET_VOLUME = Rule("lower.secret-volume", "each Secret read `as: file` is one read-only volume, "
                                            "mounted at /run/secrets/<secret>")
STORAGE_MOUNT = Rule("lower.storage-mount", "a claim is mounted at its `mount`, else /data (the data claim) "
                                            "or /data/<name>")


def hardened(w: Workload, key: str):
    """The harden pass's record of field ``key`` of ``w`` (`pod.runAsUser`, `security.runAsUser`)."""
    return w.why.get(key) or (w.why.get("harden") or {}).get(key)


def pod(ir: IR, w: Workload, obj: dict, path: tuple, prefix: tuple) -> Trace | None:
    spec = w.spec
    rest = path[len(prefix):]
    podspec = value_at(obj, prefix)
    head = rest[0] if rest else None
    if head == "securityContext":
        return by(spec, hardened(w, f"pod.{rest[1]}"))
    if head == "automountServiceAccountToken":
        return by(spec, hardened(w, "automount_token"))
    if head == "restartPolicy":
        return Trace(spec, [("restart",)]) if "restart" in spec.data else \
            rule(spec, RESTART, why.spec(spec, "kind"), why.default(LOWER, "JOB_RESTART"))
    if head in _SIMPLE:
        return Trace(spec, [_SIMPLE[head]])
    if head == "topologySpreadConstraints":
        return _spread(ir, w, rest)
    if head == "volumes":
        return _volume(w, spec, podspec["volumes"][rest[1]]["name"])
    if head in ("containers", "initContainers"):
        c = podspec[head][rest[1]]
        init = head == "initContainers"
        cp = ("init", c["name"]) if init else (() if c["name"] == w.main.name else ("sidecars", c["name"]))
        return _container(ir, w, spec, c, cp, rest[2:], init)
    return None


def _spread(ir: IR, w: Workload, rest: tuple) -> Trace | None:
    spec = w.spec
    i = rest[1]
    if spec.data.get("spread"):  # (`spread: []` sets none: `settings.spread` applies, as lowering reads it)
        raw = spec.data["spread"]
        src = why.spec(spec, "spread", *(() if isinstance(raw, str) else (i,)))
    else:
        made = w.why.get("spread")
        if made is None:
            return None
        src = why.derived(made, "the spread")
    key = rest[2] if len(rest) > 2 else None
    if key == "topologyKey":
        return rule(spec, SPREAD_KEY, src, why.default(KUBE, "SPREAD_KEYS", w.spread[i]))
    if key == "maxSkew":
        return rule(spec, SPREAD_SKEW, src, why.default(KUBE, "MAX_SKEW"))
    if key == "whenUnsatisfiable":
        return rule(spec, SPREAD_SOFT, src, why.default(KUBE, "WHEN_UNSATISFIABLE"))
    if key == "labelSelector":
        return by(spec, st.selector(ir, w, rest[4]))
    return None


def _volume(w: Workload, spec: Spec, vname: str) -> Trace | None:
    if vname in (spec.data.get("volumes") or {}):
        return Trace(spec, [("volumes", vname)])
    if w.why.get(f"volume.{vname}") is not None:   # (`tmp`, or `tmp-1` beside a spec's own `tmp`)
        return by(spec, w.why[f"volume.{vname}"])
    if vname.startswith("secret-"):
        return _secret_refs(w, spec, vname[len("secret-"):])
    st_ = spec.data.get("storage")
    if st_ is not None:
        return Trace(spec, [("storage", vname)] if isinstance(st_, dict) else [("storage",)])
    return None


def _secret_refs(w: Workload, spec: Spec, secret: str) -> Trace | None:
    refs = []
    for c, cp in [(w.main, ())] + [(c, ("sidecars", c.name)) for c in w.containers[1:]] + \
            [(c, ("init", c.name)) for c in w.init_containers]:
        for k, v in (value_at(spec.data, cp + ("secrets",)) or {}).items():
            if isinstance(v, dict) and v.get("secret") == secret and v.get("as") == "file":
                refs.append(why.spec(spec, *cp, "secrets", k))
    if not refs:
        return None
    return rule(spec, SECRET_VOLUME, *refs, why.default(LOWER, "SECRETS_DIR"))


def _container(ir: IR, w: Workload, spec: Spec, c: dict, cp: tuple, rest: tuple, init: bool) -> Trace | None:
    t = lambda *paths: Trace(spec, [cp + tuple(p) for p in paths])  # noqa: E731
    head = rest[0] if rest else None
    ir_c = next((x for x in (w.init_containers if init else w.containers) if x.name == c["name"]), None)
    if head == "name":
        if cp:
            return t(())
        return Trace(spec, [("container",)]) if "container" in spec.data else \
            rule(spec, CONTAINER, st.name_in(spec))
    if head == "image":
        if w.strategy.type == "canary" and c["image"] == w.strategy.canary_image:
            return Trace(spec, [("strategy", "canary", "image")])
        if w.strategy.type == "blue-green" and c["image"] == w.strategy.preview_image and not cp:
            return Trace(spec, [("strategy", "blue-green", "preview_image")])
        return t(("image",))
    if head in ("command", "args", "lifecycle"):
        return t((head,))
    if head == "imagePullPolicy":
        return by(spec, ir_c.why.get("pull_policy") if ir_c else None)
    if head == "securityContext":
        key = ".".join(str(p) for p in rest[1:] if not isinstance(p, int))
        return by(spec, hardened(w, f"security.{key}"))
    if head == "envFrom":
        return t(("env_from", rest[1]))
    if head == "ports":
        pname = c["ports"][rest[1]]["name"]
        sub = rest[2:]
        if sub == ("name",):
            return port_name(w, spec, pname, cp)
        if sub == ("protocol",):
            return protocol(spec, pname, cp)
        ports = value_at(spec.data, cp + ("ports",))
        ports = ports if isinstance(ports, dict) else {}
        if pname in ports:
            return t(("ports", pname) + (("port",) if isinstance(ports[pname], dict) else ()))
        return t(("port",))
    if head == "env":
        name = c["env"][rest[1]]["name"]
        ev = next((e for e in (ir_c.env if ir_c else []) if e.name == name), None)
        if ev is None:
            return None
        if ev.why is not None:
            return by(spec, ev.why)
        return Trace(spec, [ev.origin]) if ev.origin is not None else None
    if head == "resources":
        section, res = rest[1], rest[2]
        fld = res if section == "requests" else f"{res}_limit"
        r = value_at(spec.data, cp + ("resources",))
        if isinstance(r, dict) and fld in r:
            return t(("resources", fld))
        return by(spec, ir_c.why.get(fld) if ir_c else None)
    if head in _PROBES:
        h = value_at(spec.data, cp + ("health",))
        which = _PROBES[head]
        if isinstance(h, dict) and which in h:
            return t(("health", which))
        return t(("health",))
    if head == "volumeMounts":
        return _mount(w, spec, c, cp, ir_c, rest)
    return None


def _mount(w: Workload, spec: Spec, c: dict, cp: tuple, ir_c, rest: tuple) -> Trace | None:
    vname = c["volumeMounts"][rest[1]]["name"]
    if cp and vname in (value_at(spec.data, cp + ("mounts",)) or {}):  # a sidecar's own `mounts:`
        return Trace(spec, [cp + ("mounts", vname)])
    if vname in (spec.data.get("volumes") or {}):
        return Trace(spec, [("volumes", vname)])
    if vname == "tmp" and ir_c is not None and ir_c.why.get("mount.tmp") is not None:
        return by(spec, ir_c.why["mount.tmp"])
    if vname.startswith("secret-"):
        return _secret_refs(w, spec, vname[len("secret-"):])
    raw = spec.data.get("storage")
    if raw is not None:
        base = ("storage", vname) if isinstance(raw, dict) else ("storage",)
        sub = value_at(spec.data, base)
        if rest[2:] == ("mountPath",):
            if isinstance(sub, dict) and "mount" in sub:
                return Trace(spec, [base + ("mount",)])
            return rule(spec, STORAGE_MOUNT, why.spec(spec, *base), why.default(LOWER, "DEFAULT_STORAGE_MOUNT"))
        return Trace(spec, [base])
    return None
