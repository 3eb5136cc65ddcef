"""Compose backend: the IR of each environment into one Compose file, `<env>/compose.yaml`,
for running the system on a developer's machine with `docker compose up`.

A pure function of the IR: the same IR always gives the same bytes (services, environment
and secrets sorted by name, no timestamps). Checked against the real Compose v2 binary.

The mapping, rule by rule:

* **project**: `name: <project>-<env>`, so environments run side by side without
  sharing containers, networks or volumes.
* **service per workload**, named after it. Services reach each other by that name on the
  container ports (the default network), exactly as pods reach a Service in Kubernetes.
* **command/args**: Kubernetes `command` replaces the image's ENTRYPOINT and `args` its
  CMD, so `command` becomes Compose `entrypoint` and `args` becomes Compose `command`.
  (As in Kubernetes, an `entrypoint` without `command` drops the image's CMD.)
* **environment**: a map of strings (numbers and booleans were made strings by lowering;
  they stay strings, so `"4"` and `"true"` reach the process unchanged).
* **`$`** in any value is written `$$`: Compose would otherwise interpolate `$VAR` from the
  shell that runs it, silently (Kubernetes' own `$(VAR)` expansion has no Compose twin).
* **secrets** never appear as values. A secret env var `DB_PASSWORD: {secret: shop-db,
  key: password}` becomes
  - a top-level secret `shop-db.password` read from the file
    `./secrets/shop-db/password` (next to the Compose file; skyspec keeps files it did not
    write in the output folder across builds). A file, not `environment:`, because the value
    then never passes through the environment of `docker compose` and every process it
    starts, a missing file stops `docker compose up` instead of giving an empty password,
    and the layout is the one `kubectl create secret generic shop-db --from-file=...`
    reads. Keep that folder out of version control.
  - the service mounts it (Compose puts it at `/run/secrets/shop-db.password`) and gets
    `DB_PASSWORD_FILE=/run/secrets/shop-db.password`: the `*_FILE` convention of the
    official images (postgres, mysql, mariadb, ...). `DB_PASSWORD` itself is not set; an
    application must read `DB_PASSWORD_FILE`. A `DB_PASSWORD_FILE` the spec sets itself wins.
  The secret name is `<secret>.<key>`: secret names are DNS labels (no dots), so the first
  dot splits it without ambiguity. A key outside `[-._a-zA-Z0-9]` (Kubernetes rejects it
  anyway) is made safe and given a short hash, so it can neither clash nor leave the folder.
* **ports**: every container port is reachable by other services. Published to the host,
  on 127.0.0.1 only (a dev machine should not serve the LAN), are
  - a port with `host_port`, on that host port;
  - the exposed port of an exposed workload, on the same number as the container port.
  A workload with `replicas` > 1 publishes its ports without a host port (Docker picks a
  free one; `docker compose port web 8080` tells which): one fixed port cannot serve several
  containers, and Compose v2's host port ranges race when replicas start together
  (docker/compose#8530, #10246). One host port (and protocol) is published at most once per
  file: explicit `host_port`s claim first, then exposed ports, each in workload-name order;
  a later claim on a taken port is published without a host port. Ports not published are
  listed under `expose`.
* **replicas**: `deploy.replicas` when not 1.
* **resources**: requests become `deploy.resources.reservations`, limits
  `deploy.resources.limits`; CPU as a decimal string of cores (`250m` -> `"0.25"`), memory in
  Compose's binary units when exact (`256Mi` -> `"256M"`, Compose's `M` being 2**20) and
  exact bytes otherwise (`256M` -> `"250000K"`; `1000` -> `"1000"`).
* **healthcheck** only from a real command: the first `exec` probe among readiness,
  liveness and startup becomes `test: [CMD, ...]` with the probe's timing and Kubernetes'
  defaults (interval 10s, timeout 1s, retries 3), so both outputs behave alike.
  `start_period` covers the probe's initial delay and the startup probe's whole budget
  (initial delay + period x failure threshold). HTTP and TCP probes are *not* turned into
  curl/wget checks: the image may not have those tools. Without a check the image's own
  HEALTHCHECK, if any, applies.
* **depends_on** from `connect_to`: `service_healthy` when the target has a healthcheck in
  this file, else `service_started`.
* **restart**: `unless-stopped` for Apps. **labels**: the workload's labels plus the
  standard `app.kubernetes.io/*` ones that every backend writes.

Kinds are mapped by one function each (see `_KINDS`); a kind without one is left out of the
Compose file (it has no local equivalent yet), never an error.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..ir.model import IR, Container, Port, Probe, Workload
from .common import labels
from .yamlemit import dump

HOST_IP = "127.0.0.1"
SECRETS_DIR = "./secrets"
SECRETS_MOUNT = "/run/secrets"

# Kubernetes probe defaults, written out so Compose behaves like the cluster
K8S_PERIOD, K8S_TIMEOUT, K8S_FAILURES = 10, 1, 3


def render(irs: dict[str, IR]) -> dict[str, str]:
    """`<env>/compose.yaml` for every environment."""
    return {f"{env}/compose.yaml": dump(compose_file(ir)) for env, ir in irs.items()}


def compose_file(ir: IR) -> dict:
    """The Compose file of one environment, as plain data."""
    f = _File(ir)
    workloads = [w for w in sorted(ir.workloads, key=lambda w: w.name) if w.kind in _KINDS]
    f.plan_ports(workloads)
    services = {w.name: _KINDS[w.kind](f, w) for w in workloads}
    for w in workloads:
        deps = _depends_on(w, services)
        if deps:
            services[w.name]["depends_on"] = deps
    doc: dict = {"name": project_name(ir), "services": services}
    if f.secrets:
        doc["secrets"] = dict(sorted(f.secrets.items()))
    if f.volumes:
        doc["volumes"] = dict(sorted(f.volumes.items()))
    return _escape(doc)


def project_name(ir: IR) -> str:
    """`<project>-<env>`, in the characters Compose allows (`[a-z0-9][a-z0-9_-]*`)."""
    name = re.sub(r"[^a-z0-9_-]", "-", f"{ir.project}-{ir.env}".lower())
    return name if name[:1].isalnum() else f"p{name}"


# ---------------------------------------------------------------------- per file state

@dataclass
class _File:
    ir: IR
    secrets: dict[str, dict] = field(default_factory=dict)     # top-level `secrets:`
    volumes: dict[str, dict] = field(default_factory=dict)     # top-level `volumes:` (StatefulApp, later)
    published: dict[tuple[str, str], int | None] = field(default_factory=dict)  # (workload, port) -> host port

    def plan_ports(self, workloads: list[Workload]) -> None:
        """Decide which ports are published, and on which host port (None: Docker picks)."""
        taken: set[tuple[int, str]] = set()
        explicit = [(w, p, p.host_port) for w in workloads if _publishes(w) for p in w.ports if p.host_port]
        exposed = [(w, p, p.port) for w in workloads if _publishes(w) and w.expose
                   for p in w.ports if p.name == w.expose.port and not p.host_port]
        for w, p, host in explicit + exposed:
            key = (host, _protocol(p))
            if (w.replicas or 1) > 1 or key in taken:
                self.published[(w.name, p.name)] = None
            else:
                taken.add(key)
                self.published[(w.name, p.name)] = host

    def secret(self, secret: str, key: str) -> str:
        """Declare the Compose secret for one key of a secret; its name."""
        safe = key if _SAFE_KEY.match(key) and not key.startswith("..") and key != "." else _safe_key(key)
        name = f"{secret}.{safe}"
        self.secrets[name] = {"file": f"{SECRETS_DIR}/{secret}/{safe}"}
        return name


_SAFE_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def _safe_key(key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return "k" + re.sub(r"[^-_a-zA-Z0-9]", "_", key)[:40] + "-" + digest


def _publishes(w: Workload) -> bool:
    """Long-running kinds publish ports; run-to-completion ones (Job, CronJob) would not."""
    return w.kind in ("App", "StatefulApp")


def _protocol(p: Port) -> str:
    return p.protocol.lower()


# ---------------------------------------------------------------------- kinds

def _app(f: _File, w: Workload) -> dict:
    svc = _service(f, w)
    svc["restart"] = "unless-stopped"
    return svc


# One function per kind. StatefulApp (volumes), Job (`restart: "no"`, dependents waiting with
# `service_completed_successfully`) and CronJob (no scheduler in Compose) are added here as
# the IR grows them; until then workloads of those kinds are not in the Compose file.
_KINDS = {
    "App": _app,
}


# ---------------------------------------------------------------------- service pieces

def _service(f: _File, w: Workload) -> dict:
    """What every kind shares: the main container as a service. (Sidecars, when the IR has
    them, need `network_mode: service:<main>`; not mapped yet.)"""
    c = w.main
    svc: dict = {"image": c.image}
    if c.command:
        svc["entrypoint"] = list(c.command)
    if c.args:
        svc["command"] = list(c.args)
    env, mounts = _environment(f, c)
    if env:
        svc["environment"] = env
    if mounts:
        svc["secrets"] = mounts
    ports, expose = _ports(f, w)
    if ports:
        svc["ports"] = ports
    if expose:
        svc["expose"] = expose
    deploy: dict = {}
    if w.replicas is not None and w.replicas != 1:
        deploy["replicas"] = w.replicas
    res = resources(c)
    if res:
        deploy["resources"] = res
    if deploy:
        svc["deploy"] = deploy
    hc = healthcheck(c)
    if hc:
        svc["healthcheck"] = hc
    svc["labels"] = labels(f.ir, w)
    return svc


def _environment(f: _File, c: Container) -> tuple[dict[str, str], list[str]]:
    plain = {e.name: e.value if e.value is not None else "" for e in c.env if e.secret is None}
    env = dict(plain)
    mounts: list[str] = []
    for e in c.env:
        if e.secret is None:
            continue
        name = f.secret(*e.secret)
        if name not in mounts:
            mounts.append(name)
        var = f"{e.name}_FILE"
        if var not in plain:
            env[var] = f"{SECRETS_MOUNT}/{name}"
    return dict(sorted(env.items())), sorted(mounts)


def _ports(f: _File, w: Workload) -> tuple[list[dict], list[str]]:
    published: list[dict] = []
    expose: list[str] = []
    for p in w.ports:
        proto = _protocol(p)
        if (w.name, p.name) in f.published:
            entry: dict = {"name": p.name, "target": p.port}
            host = f.published[(w.name, p.name)]
            if host is not None:
                entry["published"] = str(host)
            entry["host_ip"] = HOST_IP
            entry["protocol"] = proto
            published.append(entry)
        else:
            expose.append(str(p.port) if proto == "tcp" else f"{p.port}/{proto}")
    return published, expose


def cpus(millis: int) -> str:
    """Millicores as Compose's decimal cores: 250 -> "0.25", 2000 -> "2"."""
    whole, frac = divmod(millis, 1000)
    return str(whole) if not frac else f"{whole}.{frac:03d}".rstrip("0")


_UNITS = (("G", 2**30), ("M", 2**20), ("K", 2**10))


def memory(n: int) -> str:
    """Bytes as a Compose byte value (binary units): 268435456 -> "256M"; else exact bytes."""
    for suffix, mult in _UNITS:
        if n and n % mult == 0:
            return f"{n // mult}{suffix}"
    return str(n)


def resources(c: Container) -> dict:
    r = c.resources
    out: dict = {}
    for key, cpu, mem in (("limits", r.cpu_limit, r.memory_limit), ("reservations", r.cpu, r.memory)):
        part: dict = {}
        if cpu is not None:
            part["cpus"] = cpus(cpu)
        if mem is not None:
            part["memory"] = memory(mem)
        if part:
            out[key] = part
    return out


def _exec_probe(c: Container) -> Probe | None:
    for p in (c.readiness, c.liveness, c.startup):
        if p is not None and p.type == "exec" and p.command:
            return p
    return None


def healthcheck(c: Container) -> dict | None:
    p = _exec_probe(c)
    if p is None:
        return None
    hc: dict = {"test": ["CMD", *p.command],
                "interval": f"{p.period or K8S_PERIOD}s",
                "timeout": f"{p.timeout or K8S_TIMEOUT}s",
                "retries": p.failure_threshold or K8S_FAILURES}
    start = p.initial_delay or 0
    s = c.startup
    if s is not None and s is not p:
        start = max(start, (s.initial_delay or 0) + (s.period or K8S_PERIOD) * (s.failure_threshold or K8S_FAILURES))
    if start:
        hc["start_period"] = f"{start}s"
    return hc


def _depends_on(w: Workload, services: dict[str, dict]) -> dict:
    out: dict = {}
    for target in sorted(set(w.connect_to)):
        if target == w.name or target not in services:
            continue  # checked by resolve_connections; a kind Compose leaves out cannot be waited on
        healthy = "healthcheck" in services[target]
        out[target] = {"condition": "service_healthy" if healthy else "service_started"}
    return out


def _escape(v):
    """`$` -> `$$` in every string value: Compose interpolates them otherwise."""
    if isinstance(v, str):
        return v.replace("$", "$$")
    if isinstance(v, dict):
        return {k: _escape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_escape(x) for x in v]
    return v
