"""Lowering: layered, schema-valid specs into the IR.

Here the compiler normalizes (units, shorthands, names) and checks what a schema cannot:
quantities, unique ports, port and volume references, cron schedules, files inside the
project. Each problem is reported at the position of the value's last writer and lowering
goes on, so one run reports everything. Cross-spec references (connect_to, configs,
secrets, service accounts) are checked by the `resolve_connections` and `check_references`
passes, once every spec is lowered.
"""

from __future__ import annotations

import shlex
from typing import Any, Callable

from ..diagnostics import Diagnostics, did_you_mean
from ..layers.stack import Spec
from ..provenance import shown_at
from . import why
from .configmap import lower_configmap
from .fixes import merged_checks, template_port_hint
from .k8spatch import weakened
from .served import CLUSTER_SCOPED, refused
from .model import (IR, Account, Autoscale, Container, CronSpec, EnvVar, Exposure, JobSpec,
                    Mount, NetPolicy, Port, Probe, Resources, RoleDef, SecretRef, Storage, Strategy, Volume, Workload)
from ..units import QuantityError, parse_bytes, parse_cpu

# Documented defaults of the language (`skyspec explain` points at these lines).
DEFAULT_STORAGE_MOUNT = "/data"   # where a StatefulApp's `data` claim is mounted (others: /data/<name>)
SECRETS_DIR = "/run/secrets"      # `as: file` secrets are mounted at <this>/<secret>/<key>
SERVICE_TYPE = "ClusterIP"        # `expose.type`
INGRESS_PATH = "/"                # `expose.path`
ACCESS_MODE = "ReadWriteOnce"     # `storage.<name>.access`
JOB_RESTART = "OnFailure"         # a Job's `restart`
PORT_NAME = "http"                # the name of the port `port: N` declares
STORE_KIND = "SecretStore"        # `external.store_kind`
ACTIVE_COLOR = "blue"             # `strategy.blue-green.active`
SECURITY_MODE = "enforce"         # a SecurityPolicy's `mode`
TIMING = ("initial_delay", "period", "timeout", "failure_threshold", "success_threshold")
CHECKS = ("http", "tcp", "grpc", "exec")
SECRET_FILE = why.Rule("lower.secret-file", "a secret read `as: file` is mounted read-only, and <NAME>_FILE names "
                                            "the file")


class Lowerer:
    def __init__(self, project, env, diags: Diagnostics):
        self.project = project
        self.env = env
        self.diags = diags
        self.objects: dict[tuple, Spec] = {}   # (kind, namespace, name) -> the Resource that declares it

    # ------------------------------------------------------------------ entry point
    def lower(self, specs: list[Spec], settings: dict | None = None, invalid: set[str] | None = None) -> IR:
        ir = IR(project=self.project.name,
                namespace=self.env.namespace or self.project.namespace,
                env=self.env.name, protected=self.env.protected, settings=dict(settings or {}),
                invalid=set(invalid or ()))
        later: list[Spec] = []
        for spec in specs:
            if spec.data.get("enabled") is False:  # left out of this environment
                ir.disabled[spec.name if spec.is_workload else f"{spec.kind}/{spec.name}"] = spec.where("enabled")
                continue
            if spec.kind == "Observability":  # applies to workloads: after them
                later.append(spec)
                continue
            fn: Callable = getattr(self, f"lower_{spec.kind.lower()}")
            fn(spec, ir)
        for spec in later:
            self.lower_observability(spec, ir)
        return ir

    def ns(self, spec: Spec, ir: IR) -> str:
        return spec.data.get("namespace") or ir.namespace

    # ------------------------------------------------------------------ workloads
    def workload(self, spec: Spec, ir: IR, kind: str) -> Workload:
        d = spec.data
        main = self.container(spec, d.get("container") or spec.name, d, ())
        w = Workload(kind=kind, name=spec.name, namespace=self.ns(spec, ir), containers=[main],
                     labels=dict(d.get("labels") or {}), annotations=dict(d.get("annotations") or {}),
                     replicas=d.get("replicas"), spec=spec)
        w.origin.update(replicas=("replicas",), image=("image",), labels=("labels",),
                        annotations=("annotations",), connect_to=("connect_to",))
        self.connections(d.get("connect_to"), w)
        for cname, cd in (d.get("sidecars") or {}).items():
            w.containers.append(self.container(spec, cname, cd, ("sidecars", cname)))
        for cname, cd in (d.get("init") or {}).items():
            w.init_containers.append(self.container(spec, cname, cd, ("init", cname)))
        if "container" in d:
            for at in ("sidecars", "init"):
                if main.name in (d.get(at) or {}):
                    self.diags.error("SKY110", f'container name "{main.name}" is used by the main container and '
                                               f'by {at}.{main.name}', spec.where(at, main.name),
                                     hint="every container of a pod needs its own name")
        self.volumes(spec, w)
        w.node_selector = dict(d.get("node_selector") or {})
        w.tolerations = [self.toleration(t) for t in d.get("tolerations") or []]
        spread = d.get("spread") or []
        w.spread = [spread] if isinstance(spread, str) else list(spread)
        w.affinity = d.get("affinity")
        w.priority_class = d.get("priority_class")
        w.pull_secrets = list(d.get("image_pull_secrets") or [])
        w.service_account = d.get("service_account")
        w.termination_grace = (d.get("lifecycle") or {}).get("termination_grace")
        w.k8s = dict(d.get("k8s") or {})
        for kind, patch in sorted(w.k8s.items()):   # a patch that weakens the hardening is a relaxation too
            for path, what, shown in weakened(patch):
                ir.report.append(f"{w.name} {what} (k8s {kind}: {shown}, {spec.where('k8s', kind, *path)})")
        w.relax = dict(d.get("security") or {})
        self.secret_files(w)
        ir.workloads.append(w)
        return w

    @staticmethod
    def connections(raw: Any, w: Workload) -> None:
        """`connect_to` as a list of names (items may be `{name: {env: ...}}`) or a map of
        name -> `true` | `{env, form, port}`: the targets in order, each with its spec path."""
        if isinstance(raw, dict):
            items = [(name, v, ("connect_to", name)) for name, v in raw.items()]
        else:
            items = []
            for i, v in enumerate(raw or []):
                if isinstance(v, dict):
                    (name, opts), = v.items()
                    items.append((name, opts, ("connect_to", i, name)))
                else:
                    items.append((v, None, ("connect_to", i)))
        for name, opts, at in items:
            if name in w.connect_to:
                continue
            w.connect_to.append(name)
            w.connect_at.append(at)
            if isinstance(opts, dict) and opts:
                w.connections[name] = dict(opts)

    def lower_app(self, spec: Spec, ir: IR) -> None:
        w = self.workload(spec, ir, "App")
        w.expose = self.exposure(spec, w.ports)
        w.service = w.expose is not None
        w.strategy = self.strategy(spec, "App")
        a = spec.data.get("autoscale")
        if a:
            lo = a.get("min", w.replicas or 1)
            if lo > a["max"]:
                self.diags.error("SKY108", f"autoscale.min ({lo}) is above autoscale.max ({a['max']})",
                                 spec.where("autoscale", "max"),
                                 hint="raise `max`, or lower `min` (it defaults to `replicas`)")
            if not a.get("cpu") and not a.get("memory"):
                self.diags.error("SKY103", "autoscale needs a target: `cpu` and/or `memory` (utilization %)",
                                 spec.where("autoscale"), hint="e.g. `autoscale: {min: 2, max: 10, cpu: 70}`")
            w.autoscale = Autoscale(lo, a["max"], a.get("cpu"), a.get("memory"))
        if w.strategy.type == "canary" and w.replicas is not None and w.replicas < 2 and w.strategy.percent:
            self.diags.warning("SKY108", "a canary needs at least 2 replicas to split traffic",
                               spec.where("strategy"), hint="raise `replicas`")

    def lower_statefulapp(self, spec: Spec, ir: IR) -> None:
        w = self.workload(spec, ir, "StatefulApp")
        w.expose = self.exposure(spec, w.ports)
        w.service = bool(w.ports)
        w.strategy = self.strategy(spec, "StatefulApp")
        w.pod_management = spec.data.get("pod_management")
        raw = spec.data.get("storage")
        if raw is not None:
            if not isinstance(raw, dict):
                raw = {"data": raw}
            for name, s in raw.items():
                s = s if isinstance(s, dict) else {"size": s}
                size = self.quantity(spec, s["size"], parse_bytes, ("storage", name) if isinstance(spec.data["storage"], dict) else ("storage",))
                mount = s.get("mount") or (DEFAULT_STORAGE_MOUNT if name == "data" else f"{DEFAULT_STORAGE_MOUNT}/{name}")
                w.storage.append(Storage(name, size or 0, mount, s.get("class"), s.get("access", ACCESS_MODE)))
                if any(v.name == name for v in w.volumes):
                    self.diags.error("SKY113", f'"{name}" is both a volume and a storage claim', spec.where("storage"),
                                     hint="rename the volume or the claim: both become volumes of the pod")
                w.main.mounts.append(Mount(name, mount))

    def lower_job(self, spec: Spec, ir: IR, kind: str = "Job") -> Workload:
        w = self.workload(spec, ir, kind)
        d = spec.data
        w.job = JobSpec(d.get("completions"), d.get("parallelism"), d.get("backoff_limit"),
                        d.get("active_deadline"), d.get("ttl"), d.get("restart", JOB_RESTART))
        return w

    def lower_cronjob(self, spec: Spec, ir: IR) -> None:
        from .cron import CronError, parse as parse_cron  # the cron parser: imported only for a CronJob

        w = self.lower_job(spec, ir, "CronJob")
        d = spec.data
        try:
            schedule = parse_cron(d["schedule"])
        except CronError as problem:
            self.diags.error("SKY116", f'invalid schedule "{d["schedule"]}": {problem}', spec.where("schedule"),
                             hint='e.g. "0 2 * * *" (02:00 every day) or "@hourly"')
        else:
            if schedule.never_runs():
                self.diags.warning("SKY123", f'schedule "{d["schedule"]}" never runs: no month it names has the '
                                             "days it names", spec.where("schedule"),
                                   hint='a day that every month has ("0 0 28 2 *"), or the last day of several '
                                        'months ("0 0 31 1,3,5,7,8,10,12 *")')
        h = d.get("history") or {}
        w.cron = CronSpec(d["schedule"], d.get("time_zone"), d.get("concurrency"), h.get("successful"),
                          h.get("failed"), d.get("suspend"), d.get("starting_deadline"))

    # ------------------------------------------------------------------ other kinds
    lower_configmap = lower_configmap

    def lower_secret(self, spec: Spec, ir: IR) -> None:
        d = spec.data
        modes = [m for m in ("existing", "external", "keys", "data") if m in d]
        if len(modes) > 1:
            self.diags.error("SKY108", f"a Secret is one of existing, external, keys or data (found {', '.join(modes)})",
                             spec.where(modes[1]), hint=f"keep `{modes[0]}` or `{modes[1]}`, not both")
        ref = SecretRef(spec.name, self.ns(spec, ir), "existing", type=d.get("type"),
                        labels=dict(d.get("labels") or {}), annotations=dict(d.get("annotations") or {}), spec=spec)
        if "external" in d:
            e = d["external"]
            ref.mode, ref.store, ref.refresh = "external", e["store"], e.get("refresh")
            ref.store_kind = e.get("store_kind", STORE_KIND)
            ref.remote = dict(e["data"])
            ref.keys = sorted(e["data"])
        elif "keys" in d:
            ref.mode, ref.keys = "deploy-time", list(d["keys"])
        elif "data" in d:
            ref.mode, ref.keys = "deploy-time", sorted(d["data"])
            pos = spec.where("data")
            if ir.protected:
                self.diags.error("SKY119", f'Secret "{spec.name}" has literal values, which protected environment '
                                           f'"{ir.env}" refuses', pos,
                                 hint="reference the data instead: `existing: true`, `external: {...}` or `keys: [...]`")
            else:
                self.diags.warning("SKY119", f'Secret "{spec.name}" has literal values; they are not written to any '
                                             f"output: supply them at deploy time", pos,
                                   hint="declare `keys: [...]` instead, or use `external:` with a secret store")
        ir.secrets.append(ref)

    def lower_serviceaccount(self, spec: Spec, ir: IR) -> None:
        d = spec.data
        if d.get("existing"):  # the cluster's: nothing of it is written, so nothing may be said of it
            for k in ("automount_token", "labels", "annotations", "k8s"):
                if k in d:
                    self.diags.error("SKY108", f'ServiceAccount "{spec.name}" exists already (`existing: true`): '
                                               f"it has no `{k}`", spec.where(k),
                                     hint=f"remove `{k}`, or `existing` to generate the ServiceAccount")
        ir.accounts.append(Account(spec.name, self.ns(spec, ir), d.get("automount_token"),
                                   dict(d.get("labels") or {}), dict(d.get("annotations") or {}),
                                   dict(d.get("k8s") or {}), spec, existing=bool(d.get("existing"))))

    def lower_role(self, spec: Spec, ir: IR) -> None:
        d = spec.data
        ir.roles.append(RoleDef(spec.kind, spec.name, self.ns(spec, ir), list(d["rules"]), list(d.get("bind") or []),
                                dict(d.get("labels") or {}), dict(d.get("annotations") or {}),
                                dict(d.get("k8s") or {}), spec))

    lower_clusterrole = lower_role

    def lower_networkpolicy(self, spec: Spec, ir: IR) -> None:
        d = spec.data
        sel = d.get("select")
        select = None
        if sel:
            select = ({"app.kubernetes.io/name": sel["app"], "app.kubernetes.io/part-of": ir.project}
                      if "app" in sel else dict(sel["labels"]))
        ir.netpols.append(NetPolicy(spec.name, self.ns(spec, ir), select, bool(d.get("deny_all")),
                                    [self.peer(p, ir) for p in d.get("allow_from") or []],
                                    [self.peer(p, ir) for p in d.get("allow_to") or []],
                                    list(d.get("ports") or []), dict(d.get("labels") or {}),
                                    dict(d.get("annotations") or {}), dict(d.get("k8s") or {}), spec=spec))

    @staticmethod
    def peer(p: dict, ir: IR) -> dict:
        if "app" in p:
            return {"podSelector": {"matchLabels": {"app.kubernetes.io/name": p["app"],
                                                    "app.kubernetes.io/part-of": ir.project}}}
        if "labels" in p:
            return {"podSelector": {"matchLabels": dict(p["labels"])}}
        if "namespace" in p:
            return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": p["namespace"]}}}
        return {"ipBlock": {"cidr": p["cidr"]}}

    def lower_securitypolicy(self, spec: Spec, ir: IR) -> None:
        d = spec.data
        if ir.pod_security is not None:
            self.diags.error("SKY110", "only one SecurityPolicy applies to a namespace", spec.where("name"),
                             hint="merge the two SecurityPolicy documents into one")
            return
        mode = d.get("mode", SECURITY_MODE)
        ir.pod_security = {f"pod-security.kubernetes.io/{mode}": d["level"]}

    def lower_observability(self, spec: Spec, ir: IR) -> None:
        from .observe import lower_observability

        lower_observability(self, spec, ir)

    def lower_resource(self, spec: Spec, ir: IR) -> None:
        m = dict(spec.data["manifest"])
        meta = dict(m.get("metadata") or {})
        wrong = refused(spec.name, m)
        for code, message, path, hint, at_key in wrong:  # it would build, and a cluster would refuse it
            self.diags.error(code, message, shown_at(spec.prov, ("manifest", *path), key=True) if at_key
                             else spec.where("manifest", *path), hint=hint)
        if wrong:
            return
        # the document's name unless the object has its own: one no document can have
        # (`v1beta1.metrics.k8s.io`, `system:metrics-reader`), or a name another kind's object has too
        meta.setdefault("name", spec.name)
        m["metadata"] = meta
        namespaced = "namespace" in meta or m["kind"] not in CLUSTER_KINDS
        key = (m["kind"], meta.get("namespace", "") if namespaced else "", meta["name"])
        other = self.objects.setdefault(key, spec)
        if other is not spec:  # two documents of one object
            self.diags.error("SKY110", f'{m["kind"]} "{meta["name"]}" is declared by two Resources, "{other.name}" '
                                       f'and "{spec.name}"', spec.where("manifest", "metadata", "name"),
                             hint="keep one of them")
            return
        ir.raw.append({"object": m, "spec": spec, "namespaced": namespaced})

    # ------------------------------------------------------------------ pieces
    def container(self, spec: Spec, name: str, d: dict, at: tuple) -> Container:
        c = Container(name=name, image=d["image"])
        c.command = self.words(spec, d.get("command"), at + ("command",))
        c.args = self.words(spec, d.get("args"), at + ("args",))
        c.ports = self.ports(spec, d, at)
        c.env = self.env_vars(spec, d, at)
        c.resources = self.resources(spec, d.get("resources") or {}, at + ("resources",))
        c.env_from = [("config" if "config" in e else "secret", e.get("config") or e.get("secret"), e.get("prefix", ""))
                      for e in d.get("env_from") or []]
        lc = d.get("lifecycle") or {}
        c.post_start, c.pre_stop = lc.get("post_start"), lc.get("pre_stop")
        self.health(spec, c, d, at)
        for vol, path in (d.get("mounts") or {}).items():
            c.mounts.append(Mount(vol, path))
        return c

    def words(self, spec: Spec, v: Any, at: tuple) -> list[str] | None:
        if v is None:
            return None
        if isinstance(v, str):
            try:
                return shlex.split(v)
            except ValueError as e:  # an unclosed quote, or a trailing backslash
                self.diags.error("SKY108", f"{'.'.join(map(str, at))} cannot be split into words: {str(e).lower()}",
                                 spec.where(*at), hint="close the quote, or write a list: `args: [a, '\"b']`")
                return []
        return [str(x) for x in v]

    def ports(self, spec: Spec, d: dict, at: tuple) -> list[Port]:
        raw: dict = {}
        if "port" in d:
            if "ports" in d:
                self.diags.error("SKY108", "`port` and `ports` are both set", spec.where(*at, "port"),
                                 hint="`port: N` is shorthand for `ports: {http: N}`; keep one of them")
            raw[PORT_NAME] = d["port"]
        raw.update(d.get("ports") or {})
        out: list[Port] = []
        seen: dict[tuple, str] = {}
        for pname, p in raw.items():
            port = Port(pname, p["port"], p.get("protocol", "TCP"), p.get("host_port"), p.get("service")) \
                if isinstance(p, dict) else Port(pname, p)
            key = (port.port, port.protocol)
            if key in seen:
                self.diags.error("SKY113", f'port {port.port} is used twice ("{seen[key]}" and "{pname}")',
                                 spec.where(*at, "ports", pname),
                                 hint=template_port_hint(spec, at, port.port, seen[key], pname))
                continue
            seen[key] = pname
            out.append(port)
        return out

    def env_vars(self, spec: Spec, d: dict, at: tuple) -> list[EnvVar]:
        env, secrets, downward = d.get("env") or {}, d.get("secrets") or {}, d.get("downward") or {}
        configs = d.get("configs") or {}
        # a variable set by two fields: reported at the later one (env, secrets, configs, downward)
        order = (("env", env), ("secrets", secrets), ("configs", configs), ("downward", downward))
        twice = {(f, k): next(g for g, earlier in order[:i] if k in earlier)
                 for i, (f, names) in enumerate(order) for k in names if any(k in e for _, e in order[:i])}
        for (f, k), other in twice.items():
            self.diags.error("SKY113", f'"{k}" is set both in {other} and in {f}', spec.where(*at, f, k),
                             hint="keep one: a variable has one value")
        # `downward:` first: an `env` value may read `$(POD_IP)`, and Kubernetes expands only those listed before
        out = [EnvVar(k, origin=at + ("downward", k), field=f) for k, f in downward.items() if ("downward", k) not in twice]
        for k, v in env.items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            out.append(EnvVar(k, str(v), origin=at + ("env", k),
                              compose=self.compose_value(spec, str(v)) if spec.addresses else None))
        for k, ref in secrets.items():
            if ("secrets", k) in twice:
                continue
            if ref.get("as") == "file":
                out.append(EnvVar(f"{k}_FILE", f"{SECRETS_DIR}/{ref['secret']}/{ref['key']}",
                                  origin=at + ("secrets", k), file_ref=(ref["secret"], ref["key"]),
                                  why=why.Why(SECRET_FILE, (why.spec(spec, *at, "secrets", k),
                                                            why.default(__name__, "SECRETS_DIR")))))
            else:
                out.append(EnvVar(k, secret=(ref["secret"], ref["key"]), origin=at + ("secrets", k)))
        out += [EnvVar(k, config=(ref["config"], ref["key"], bool(ref.get("optional"))), origin=at + ("configs", k))
                for k, ref in configs.items() if ("configs", k) not in twice]
        return out

    @staticmethod
    def compose_value(spec: Spec, value: str) -> str | None:
        """The value in Compose of a variable that read `${apps.X.address}`: the peer's
        container port where Kubernetes' value has its Service port; None when the same."""
        out = value
        for kube, local in spec.addresses.items():
            out = out.replace(kube, local)
        return out if out != value else None

    @staticmethod
    def secret_files(w: Workload) -> None:
        """Mount each Secret that `as: file` references once, read-only, at /run/secrets/<name>."""
        for c in w.containers + w.init_containers:
            for name in sorted({e.file_ref[0] for e in c.env if e.file_ref}):
                vol = f"secret-{name}"
                if not any(v.name == vol for v in w.volumes):
                    w.volumes.append(Volume(vol, "secret", name))
                c.mounts.append(Mount(vol, f"{SECRETS_DIR}/{name}", read_only=True))

    def quantity(self, spec: Spec, value: Any, parse: Callable, at: tuple) -> int | None:
        key = (parse, type(value), value) if type(value) in (str, int, float) else None
        got = _AMOUNTS.get(key) if key is not None else None  # (1 and 1.0 are equal keys: the type is in it)
        if got is not None:
            return got
        try:
            got = parse(value)
            if key is not None and len(_AMOUNTS) < 65536:  # parsed once per process (the same sizes recur)
                _AMOUNTS[key] = got
            return got
        except QuantityError as e:
            self.diags.error("SKY112", f"{'.'.join(map(str, at))}: {e}", spec.where(*at), hint=e.hint)
            return None

    def resources(self, spec: Spec, r: dict, at: tuple) -> Resources:
        res = Resources()
        for field, parse in (("cpu", parse_cpu), ("memory", parse_bytes),
                             ("cpu_limit", parse_cpu), ("memory_limit", parse_bytes)):
            if field in r:
                setattr(res, field, self.quantity(spec, r[field], parse, at + (field,)))
        return res

    def health(self, spec: Spec, c: Container, d: dict, at: tuple) -> None:
        h = d.get("health")
        if h is None:
            return
        at = at + ("health",)
        if isinstance(h, str):
            h = {"http": h}
        base = {k: v for k, v in h.items() if k not in ("liveness", "readiness", "startup")}
        timing = {k: v for k, v in base.items() if k in TIMING}
        check = {k: v for k, v in base.items() if k not in TIMING}  # http/tcp/grpc/exec with port, headers, service
        if check:
            c.liveness = self.probe(spec, c, base, at)
            c.readiness = self.probe(spec, c, base, at)
        for which in ("liveness", "readiness", "startup"):
            if which in h:
                p = h[which]
                if isinstance(p, str):
                    p = {"http": p}
                if not any(k in p for k in CHECKS):  # only timing: the check beside it
                    p = {**check, **p}
                setattr(c, which, self.probe(spec, c, {**timing, **p}, at + (which,)))

    def probe(self, spec: Spec, c: Container, p: dict, at: tuple) -> Probe | None:
        kinds = [k for k in CHECKS if k in p]
        if len(kinds) != 1:
            if merged_checks(self.diags, spec, at, kinds):
                return None
            self.diags.error("SKY108", f"{'.'.join(at)} needs exactly one of http, tcp, grpc, exec"
                             + (f" (found {', '.join(kinds)})" if kinds else ""), spec.where(*at),
                             hint="e.g. `health: {http: /healthz}`, `health: {tcp: 5432}` or `health: {grpc: 7070}`")
            return None
        kind = kinds[0]
        for key, only in (("headers", "http"), ("scheme", "http"), ("service", "grpc")):
            if key in p and kind != only:
                self.diags.error("SKY108", f"`{key}` applies to {only} probes only", spec.where(*at, key),
                                 hint=f"remove `{key}`, or make this an `{only}:` probe")
        timing = {k: p.get(k) for k in TIMING}
        if kind == "exec":
            return Probe("exec", command=[str(x) for x in p["exec"]], **timing)
        ref = p[kind] if kind in ("tcp", "grpc") else p.get("port")
        port = self.port_ref(spec, c, ref, at + ((kind,) if kind in ("tcp", "grpc") else ("port",)), probe=True)
        if port is None:
            return None
        if kind == "grpc":  # Kubernetes' grpc probe takes a number, never a port name
            port = next((x.port for x in c.ports if x.name == port), port)
            return Probe("grpc", port=port, service=p.get("service"), **timing)
        return Probe(kind, path=p.get("http"), port=port, headers=dict(p.get("headers") or {}),
                     scheme=p.get("scheme") if kind == "http" else None, **timing)

    def port_ref(self, spec: Spec, c: Container, ref: Any, at: tuple, probe: bool = False) -> int | str | None:
        names = [p.name for p in c.ports]
        if ref is None:
            if not c.ports:
                self.diags.error("SKY117", "an HTTP health check needs a port, and this container has none",
                                 spec.where(*at[:-1]), hint="add `port: 8080` (or `ports:`), or set the probe's `port:`")
                return None
            return c.ports[0].name
        if isinstance(ref, int):
            for p in c.ports:
                if p.port == ref:
                    return p.name
            if probe:  # a probe on a port the container does not declare would never pass
                self.diags.error("SKY117", f"port {ref} is not one of this container's ports", spec.where(*at),
                                 hint=(f"ports: {', '.join(f'{p.name} ({p.port})' for p in c.ports)}; " if c.ports
                                       else "") + f"declare it, e.g. `ports: {{health: {ref}}}`")
                return None
            return ref
        if ref not in names:
            self.diags.error("SKY117", f'no port named "{ref}"', spec.where(*at),
                             hint=did_you_mean(ref, names) or (f"ports: {', '.join(names)}" if names else
                                                               f"declare it, e.g. `ports: {{{ref}: 8080}}`"))
            return None
        return ref

    def volumes(self, spec: Spec, w: Workload) -> None:
        for name, v in (spec.data.get("volumes") or {}).items():
            if "empty" in v:
                e = v["empty"] if isinstance(v["empty"], dict) else {}
                size = self.quantity(spec, e["size"], parse_bytes, ("volumes", name, "empty", "size")) if "size" in e else None
                vol = Volume(name, "empty", memory=bool(e.get("memory")), size=size)
            else:
                t = next(k for k in ("config", "secret", "claim") if k in v)
                vol = Volume(name, t, v[t])
            w.volumes.append(vol)
            w.main.mounts.append(Mount(name, v["mount"], bool(v.get("read_only")), v.get("sub_path")))
        storage = spec.data.get("storage")
        known = {v.name for v in w.volumes} | (set(storage) if isinstance(storage, dict) else set())
        if spec.data.get("storage") is not None and not isinstance(spec.data.get("storage"), dict):
            known.add("data")
        known |= _patched_volumes(spec.data.get("k8s"))
        own = set(spec.data.get("mounts") or {})   # the main container's `mounts:` (its volumes' are known)
        for c, at in [(w.main, ())] + [(c, ("sidecars", c.name)) for c in w.containers[1:]] + \
                     [(c, ("init", c.name)) for c in w.init_containers]:
            for m in c.mounts:
                if m.volume not in known and (at or m.volume in own):
                    self.diags.error("SKY114", f'container "{c.name}" mounts "{m.volume}", which is not a volume of '
                                               f'"{w.name}"', spec.where(*at, "mounts", m.volume),
                                     hint=did_you_mean(m.volume, known) or "declare it under `volumes:`")

    @staticmethod
    def toleration(t: dict) -> dict:
        out = {}
        for k, key in (("key", "key"), ("operator", "operator"), ("value", "value"), ("effect", "effect"),
                       ("seconds", "tolerationSeconds")):
            if k in t:
                out[key] = t[k]
        return out

    def strategy(self, spec: Spec, kind: str) -> Strategy:
        raw = spec.data.get("strategy")
        st = Strategy()
        if raw is None:
            return st
        if isinstance(raw, str):
            raw = {raw: {} if raw in ("blue-green", "canary") else True}
        (name, cfg), = raw.items()
        allowed = {"App": ("rolling", "recreate", "blue-green", "canary"), "StatefulApp": ("rolling", "on-delete")}[kind]
        if name not in allowed:
            self.diags.error("SKY105", f'strategy "{name}" does not apply to a {kind}', spec.where("strategy"),
                             hint=f"a {kind} rolls out with {' or '.join(allowed)}")
            return st
        st.type = name
        cfg = cfg if isinstance(cfg, dict) else {}
        if name == "rolling":
            st.max_surge, st.max_unavailable = cfg.get("max_surge"), cfg.get("max_unavailable")
            st.partition = cfg.get("partition")
            if st.partition is not None and kind == "App":
                self.diags.error("SKY102", "strategy.rolling.partition applies to StatefulApps only",
                                 spec.where("strategy", "rolling", "partition"),
                                 hint="remove it; for a staged rollout of an App, use `strategy: canary`")
        elif name == "blue-green":
            st.active, st.preview_image = cfg.get("active", ACTIVE_COLOR), cfg.get("preview_image")
        elif name == "canary":
            st.percent = cfg.get("percent", 0)
            st.canary_image = cfg.get("image")
            if "percent" not in cfg:
                self.diags.error("SKY103", "a canary needs `percent`", spec.where("strategy"),
                                 hint="e.g. `strategy: {canary: {percent: 10, image: ghcr.io/acme/api:2.0.0}}`")
        return st

    def exposure(self, spec: Spec, ports: list[Port]) -> Exposure | None:
        e = spec.data.get("expose")
        if not e:
            return None
        if not ports:
            self.diags.error("SKY108", "`expose` needs a port to expose, and this workload has none",
                             spec.where("expose"), hint="add `port: 8080` (or `ports:`)")
            return None
        x = Exposure()
        if isinstance(e, dict):
            x.service_type = e.get("type", SERVICE_TYPE)
            x.host = e.get("host")
            x.path = e.get("path", INGRESS_PATH)
            x.ingress_class = e.get("class")
            tls = e.get("tls")
            if tls is True:
                x.tls = f"{spec.name}-tls"
            elif isinstance(tls, str):
                x.tls = tls
            x.node_port = e.get("node_port")
            x.source_ranges = list(e.get("source_ranges") or [])
            if x.node_port is not None and x.service_type == "ClusterIP":
                self.diags.error("SKY108", "`node_port` needs `type: NodePort` or `type: LoadBalancer`",
                                 spec.where("expose", "node_port"), hint="add `type: NodePort`")
            if x.source_ranges and x.service_type != "LoadBalancer":
                self.diags.error("SKY108", "`source_ranges` applies to `type: LoadBalancer` only",
                                 spec.where("expose", "source_ranges"), hint="add `type: LoadBalancer`")
            if "port" in e:
                ref = e["port"]
                match = [p for p in ports if p.name == ref or p.port == ref]
                if not match:
                    names = [p.name for p in ports]
                    self.diags.error("SKY117", f"expose.port {ref!r} is not one of this workload's ports",
                                     spec.where("expose", "port"),
                                     hint=did_you_mean(str(ref), names) or f"ports: {', '.join(names)}")
                    return None
                x.port = match[0].name
        if x.port is None:
            x.port = ports[0].name
        return x


_AMOUNTS: dict[tuple, int] = {}  # (parse, type, value) -> the amount :meth:`Lowerer.quantity` parsed

# the kinds whose objects name no namespace: the built-in cluster-scoped ones (an APIService too), and
# cert-manager's ClusterIssuer
CLUSTER_KINDS = {kind for _, kind in CLUSTER_SCOPED} | {"ClusterIssuer"}


def _patched_volumes(patch) -> set[str]:
    """The names of the pod volumes a `k8s:` patch adds (a mount may name one of them)."""
    if not isinstance(patch, dict):
        return set()
    vols = patch.get("volumes")
    got = {v["name"] for v in vols if isinstance(v, dict) and isinstance(v.get("name"), str)} \
        if isinstance(vols, list) else set()
    return got.union(*(_patched_volumes(v) for k, v in patch.items() if k != "volumes"))


def lower(specs: list[Spec], project, env, diags: Diagnostics, settings: dict | None = None,
          invalid: set[str] | None = None) -> IR:
    """``invalid``: names of specs left out after errors, so references to them are not
    reported a second time."""
    return Lowerer(project, env, diags).lower(specs, settings, invalid)
