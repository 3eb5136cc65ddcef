"""Compose backend: the IR of each environment into one Compose file, `<env>/compose.yaml`,
for running the system on a developer's machine with `docker compose up`.

A pure function of the IR: the same IR always gives the same bytes (services, environment,
mounts, configs, secrets and volumes sorted by name, no timestamps). Checked against the
real Compose v2 binary (2.40.3; inline configs need >= 2.23, lifecycle hooks >= 2.30).
The file describes the same system as the Kubernetes output; what Compose cannot express is
said here, and where the user must act, `check` warns at the spec line (SKY5xx).

The mapping, rule by rule:

* **project**: `name: <project>-<env>` (`<project>-<env>_<target>` for a target), so
  environments run side by side without sharing containers, networks or volumes.
* **service per workload**, named after it. Services reach each other by that name on the
  container ports (the default network), exactly as pods reach a Service in Kubernetes.
  The other containers of a pod are services of their own, named `<workload>.<container>`
  (a dot cannot occur in a workload name, so they never clash with a workload's service).
* **kinds**:
  - *App*: a long-running service, `restart: unless-stopped`.
  - *StatefulApp*: the same, and each `storage` entry is a named volume `<workload>.<name>`
    mounted at its path. One volume, shared by all the replicas (Kubernetes gives each
    replica its own claim; Compose has no per-replica volumes), without a size or class
    (Docker's local volumes have neither), kept by `docker compose down` like a claim
    outlives its pods (`down -v` removes it). Replicas are reached by the service name;
    the headless Service's per-pod names (`db-0.db-headless`) have no Compose twin.
  - *Job*: a one-shot service, `restart: "no"`, run once by `docker compose up`. A service
    that connects to a Job waits with `service_completed_successfully`. Completions,
    parallelism, retries (backoff limit) and deadlines are Kubernetes-only.
  - *CronJob*: Compose cannot schedule. The service gets `profiles: [cron]`, so
    `docker compose up` leaves it alone and `docker compose run --rm <name>` runs it by hand
    (with whatever it depends on); `restart: "no"`. `check` warns (SKY501) at the schedule.
    Nothing waits on a CronJob (a service outside the profile cannot depend on it).
* **command/args**: Kubernetes `command` replaces the image's ENTRYPOINT and `args` its
  CMD, so `command` becomes Compose `entrypoint` and `args` becomes Compose `command`.
  (As in Kubernetes, an `entrypoint` without `command` drops the image's CMD.) Kubernetes'
  own expansion in them is done here, as the kubelet does it: `$(VAR)` of a variable the
  container sets is its value (a Secret's: its variable's interpolation), `$$` a `$`.
* **environment**: a map of strings (numbers and booleans were made strings by lowering;
  they stay strings, so `"4"` and `"true"` reach the process unchanged). `env_from` a
  ConfigMap adds its entries (with the prefix); as in Kubernetes, a later source wins over
  an earlier one and `env`/`secrets` win over every `env_from`. Of `downward:`, only a
  container's CPU and memory have a Compose value (`compose_values.downward`); SKY505 else.
* **`$`** in any value is written `$$`: Compose would otherwise interpolate `$VAR` from the
  shell that runs it, silently. That includes the content of configs. The one interpolation
  meant is a Secret's variable.
* **secrets** never appear as values in the file (:mod:`.compose_secrets`). A secret env
  var `DB_PASSWORD: {secret: shop-db, key: password}` (`as: env`, the default) is set, as in
  Kubernetes: `DB_PASSWORD: ${SHOP_DB__PASSWORD:?Secret shop-db, key password: set it in
  .env ...}`, which Compose interpolates from the variable `SHOP_DB__PASSWORD` that the user
  sets in `.env` beside the Compose file (or the shell); `:?` stops `docker compose up`
  while it is unset or empty instead of running with an empty password. The name: the
  Secret's and the key's, `__` between, uppercase, `[A-Z0-9_]` only, with a short hash
  where two keys of the file would share it. `.env.example` lists the variables with empty
  values (never a value), and a `.gitignore` (`/.env`) keeps the user's `.env` out of git;
  skyspec never writes `.env`, and keeps files it did not write across builds. `env_from` a
  Secret does the same for each of its keys (`<PREFIX><KEY>`). The keys must be known:
  declared (`keys:`), those of an `external:` store, or for an `existing: true` Secret the
  keys that the specs reference (`secrets:`). When none is known, Compose cannot pass it:
  it is left out, with a warning (SKY502).
  A key read as a file (`as: file`, which sets `DB_PASSWORD_FILE`, the convention of the
  official images; a `secret` volume) is a top-level secret `shop-db.password` read from
  the file `./secrets/shop-db/password` (next to the Compose file), the layout
  `kubectl create secret generic shop-db --from-file=...` reads; a missing file stops
  `docker compose up`, and a `.gitignore` (`*`, `!.gitignore`) beside them keeps them out of
  git. The service mounts it where Kubernetes mounts the key (`/run/secrets/shop-db/password`).
  A key some container of the file also reads as a variable is made from that variable
  instead (`environment: SHOP_DB__PASSWORD`): one value in `.env` for both readers.
  The secret name is `<secret>.<key>`: secret names are DNS labels (no dots), so the first
  dot splits it without ambiguity. A key outside `[-._a-zA-Z0-9]` (Kubernetes rejects it
  anyway) is made safe and given a short hash, so it can neither clash nor leave the folder.
* **volumes**, for every container that mounts them:
  - `empty` is a `tmpfs` mount (with its size limit; fresh at every start, like an
    emptyDir, though always in memory). An `empty` volume mounted by several containers of
    the pod must be shared, which a tmpfs mount cannot be: it becomes a named volume
    `<workload>.<name>`, shared by the replicas too (Compose has no pods). Between running
    containers (a sidecar reading the main container's logs) it is a tmpfs volume (local
    driver, `type: tmpfs`): one tmpfs while any of them runs, gone when they all stop. When
    an init container mounts it (to fill it for the main one), it is a plain volume, which
    outlives the init container's exit (and `docker compose down`; `down -v` removes it).
  - `config`: each key of the ConfigMap is a top-level config `<configmap>.<key>` with the
    data inline (`content:`), mounted read-only at `<mount>/<key>` (`sub_path: <key>`
    mounts that key alone at `<mount>`). Unlike Kubernetes, the image's other files in the
    folder stay visible. An `existing` ConfigMap's folder `./configs/<configmap>` (which the
    user provides) is bind-mounted read-only instead (:mod:`.compose_cluster`).
  - `secret`: each key of the Secret is a Compose secret from its file (as above), mounted
    at `<mount>/<key>` through `target` (`sub_path` as for configs); the keys must be known
    (SKY502 otherwise).
  - `claim`: a named volume named after the claim, shared by every workload that mounts it.
  A `sub_path` into a named volume is dropped (the whole volume is mounted): Docker requires
  the sub-path to exist in the volume beforehand, where Kubernetes creates it, and a fresh
  volume has nothing else in it.
* **sidecars** are services sharing the main container's network
  (`network_mode: "service:<workload>"`, so `localhost` is the pod's, as in Kubernetes),
  with the same volumes where they mount them and the pod's restart policy. They depend on
  the main service (restarted with it, since its network goes with it). Their ports are
  the main service's (`expose`, or published when they have a `host_port`): a container in
  another's network cannot publish. With replicas, a sidecar runs once, in the network of
  the first replica (Compose has no pods).
* **init containers** are one-shot services (`restart: "no"`), each waiting for the one
  before it and the main service waiting for all of them, with
  `service_completed_successfully`: a failing init container stops the workload, as in
  Kubernetes. They wait for what the workload connects to, and run once for all replicas.
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
* **replicas**: `deploy.replicas` when not 1. **Service ports** publish nothing; peer addresses carry container ports.
* **resources**: requests become `deploy.resources.reservations`, limits
  `deploy.resources.limits`; CPU as a decimal string of cores (`250m` -> `"0.25"`), memory in
  Compose's binary units when exact (`256Mi` -> `"256M"`, Compose's `M` being 2**20) and
  exact bytes otherwise (`256M` -> `"250000K"`; `1000` -> `"1000"`).
* **healthcheck** (none from gRPC probes: SKY504) only from a real command: the first `exec` probe among readiness,
  liveness and startup becomes `test: [CMD, ...]` with the probe's timing and Kubernetes'
  defaults (interval 10s, timeout 1s, retries 3), so both outputs behave alike.
  `start_period` covers the probe's initial delay and the startup probe's whole budget
  (initial delay + period x failure threshold). HTTP and TCP probes are *not* turned into
  curl/wget checks: the image may not have those tools. Without a check the image's own
  HEALTHCHECK, if any, applies.
* **depends_on** from `connect_to`: `service_completed_successfully` when the target is a
  Job, `service_healthy` when it has a healthcheck in this file, else `service_started`.
* **lifecycle**: the termination grace period is `stop_grace_period` of every container of
  the pod; `post_start`/`pre_stop` commands are Compose's `post_start`/`pre_stop` hooks.
* **restart**: `unless-stopped` for Apps and StatefulApps, `"no"` for the rest. **labels**:
  the workload's labels plus the standard `app.kubernetes.io/*` ones that every backend
  writes, on every service of the workload.
* **platform** (`linux/amd64`) when the node selector pins `kubernetes.io/arch`; otherwise
  Kubernetes-only, not in the file: annotations (pod ones included), scheduling (node
  selectors, tolerations, spread, affinity, priority), service accounts and RBAC, network
  policies, rollout strategies, autoscaling (the service runs `replicas`, the minimum),
  image pull secrets (use `docker login`), image pull policies, and security contexts:
  Compose has no `fsGroup`, so running as the hardened UID would leave named volumes (which
  Docker creates owned by the image's user) unwritable. Observability settings reach the
  apps as environment variables, which are in the IR already.

Kinds are mapped by one function each (see `_KINDS`); a kind without one is left out of the
Compose file, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diagnostics import Diagnostics
from ..ir.model import IR, ConfigData, Container, Mount, Port, Workload
from .common import labels
from .compose_secrets import (ENV_FILE, GITIGNORE, SECRETS_DIR, SECRETS_GITIGNORE, env_example, file_key,
                              interpolation, key_table, variable_names)
from .compose_values import (cpus, downward, escape, exec_probe, expanded, healthcheck, left_out, memory,  # noqa: F401
                             platform, resources)
from ..yamlemit import dump

HOST_IP = "127.0.0.1"
CRON_PROFILE = "cron"
from . import compose_cluster as cluster  # noqa: E402  (what Compose reads of the cluster's objects)



def render(irs: dict[str, IR]) -> dict[str, str]:
    """`<env>/compose.yaml` for every environment (or target: `<env>.<target>`);
    `<env>/secrets/.gitignore` where it reads secret files, and `<env>/.env.example` and
    `<env>/.gitignore` (naming `.env`) where it reads variables of Secrets: the user
    provides those values, which must never be committed."""
    out = {}
    for env, ir in irs.items():
        doc, f = _compose(ir)
        out[f"{env}/compose.yaml"] = dump(doc)
        if any("file" in entry for entry in f.secrets.values()):
            out[f"{env}/{SECRETS_DIR[2:]}/.gitignore"] = SECRETS_GITIGNORE
        if f.variables:
            out[f"{env}/{ENV_FILE}.example"] = env_example(_variable_list(f))
            out[f"{env}/.gitignore"] = GITIGNORE
    return out


def secret_files(ir: IR) -> list[str]:
    """The secret files the Compose file of ``ir`` reads, relative to its folder
    (`secrets/<secret>/<key>`): names only, the values are the user's. The secrets are
    declared as :func:`compose_file` declares them (same helpers, same order: a later
    declaration of a name wins), without making the services."""
    f = _File(ir)
    for w in _workloads(ir):
        for c in [*w.containers, *w.init_containers]:       # as _pod, then _service: the mounts
            for source, key, _ in _secret_mounts(f, w, c):
                f.secret(source, key)
    return sorted(escape(entry["file"])[2:] for entry in f.secrets.values() if "file" in entry)


def secret_variables(ir: IR) -> list[str]:
    """The variables of Secrets the Compose file of ``ir`` reads (in `.env`, or the shell), by
    name: names only, the values are the user's."""
    return [name for name, _, _ in _variable_list(_File(ir))]


def _variable_list(f: _File) -> list[tuple[str, str, str]]:
    """(variable, secret, key) of each variable of a Secret the file reads, by name."""
    return sorted((name, *pair) for pair, name in f.variables.items())


def check(irs: dict[str, IR], diags: Diagnostics) -> None:
    """What the Compose files cannot say, as warnings at the spec lines. The messages do not
    name the environment, so one problem seen from several environments is reported once."""
    for ir in irs.values():
        keys = key_table(ir)
        existing = {x.name for x in ir.configs if x.existing}
        for w in sorted(ir.workloads, key=lambda w: w.name):
            if w.kind not in _KINDS:
                continue
            where = w.spec.where if w.spec is not None else (lambda *path: None)
            if w.kind == "CronJob":
                schedule = f' ("{w.cron.schedule}")' if w.cron else ""
                diags.warning("SKY501", f'Compose cannot schedule CronJob "{w.name}"{schedule}: its service runs '
                                        f'only when started by hand', where("schedule"),
                              hint=f"run it with `docker compose run --rm {w.name}` (it is in the "
                                   f"`{CRON_PROFILE}` profile, so `docker compose up` leaves it out), "
                                   "e.g. from the host's crontab")
            for v in w.volumes:
                if v.type == "secret" and keys.get(v.source) is None and _mounted_whole(w, v.name):
                    diags.warning("SKY502", f'Compose needs the keys of Secret "{v.source}" to mount it: volume '
                                            f'"{v.name}" of "{w.name}" is left out of the Compose file',
                                  where("volumes", v.name, "secret"), hint=cluster.KEYS_HINT)
            for c, at in _containers(w):
                grpc = next((p for p in (c.readiness, c.liveness, c.startup) if p and p.type == "grpc"), None)
                if grpc is not None and exec_probe(c) is None:
                    diags.warning("SKY504", f'Compose has no gRPC health check for "{c.name}" of "{w.name}"',
                                  where(*at, "health"), hint=f"where the image has grpc_health_probe, add "
                                  f"`startup: {{exec: [grpc_health_probe, -addr=:{grpc.port}]}}`")
                for e, message, hint in left_out(w, c):   # a downward: variable Compose has no value for
                    diags.warning("SKY505", message, where(*(e.origin or at)), hint=hint)
                cluster.check(w, c, at, where, keys, existing, diags)


def compose_file(ir: IR) -> dict:
    """The Compose file of one environment, as plain data."""
    return _compose(ir)[0]


def _compose(ir: IR) -> tuple[dict, _File]:
    """The Compose file of one environment, and what it declared while made."""
    f = _File(ir)
    workloads = _workloads(ir)
    f.plan_ports(workloads)
    services: dict[str, dict] = {}
    for w in workloads:
        services.update(_pod(f, w, _KINDS[w.kind](f, w)))
    kinds = {x.name: x.kind for x in ir.workloads}  # once: every workload's wiring reads it
    for w in workloads:
        _wire(f, w, services, kinds)
    doc: dict = {"name": project_name(ir), "services": dict(sorted(services.items()))}
    for key, entries in (("configs", f.configs), ("secrets", f.secrets), ("volumes", f.volumes)):
        if entries:
            doc[key] = dict(sorted(entries.items()))
    return escape(doc), f   # what holds no `$` is not copied (nor a Secret's variable: Compose reads it)


def _workloads(ir: IR) -> list[Workload]:
    """The workloads of the Compose file, by name (a kind without a service is left out)."""
    return [w for w in sorted(ir.workloads, key=lambda w: w.name) if w.kind in _KINDS]


def project_name(ir: IR) -> str:
    """`<project>-<env>` (`<project>-<env>_<target>`), in the characters Compose allows
    (`[a-z0-9][a-z0-9_-]*`). Names are DNS labels: the `_` cannot come from either."""
    raw = f"{ir.project}-{ir.env}" + (f"_{ir.target}" if ir.target else "")
    name = re.sub(r"[^a-z0-9_-]", "-", raw.lower())
    return name if name[:1].isalnum() else f"p{name}"


# ---------------------------------------------------------------------- per file state

@dataclass
class _File:
    ir: IR
    secrets: dict[str, dict] = field(default_factory=dict)     # top-level `secrets:`
    configs: dict[str, dict] = field(default_factory=dict)     # top-level `configs:`
    volumes: dict[str, dict] = field(default_factory=dict)     # top-level `volumes:`
    # (workload, container index, port name) -> host port (None: Docker picks one)
    published: dict[tuple[str, int, str], int | None] = field(default_factory=dict)
    # looked up once per file, not once per container
    _secret_keys: dict[str, list[str] | None] | None = field(default=None, repr=False)
    _config_maps: dict[str, ConfigData] | None = field(default=None, repr=False)
    _variables: dict[tuple[str, str], str] | None = field(default=None, repr=False)
    _resolved: dict[int, dict] = field(default_factory=dict, repr=False)   # id(container) -> its variables

    def plan_ports(self, workloads: list[Workload]) -> None:
        """Decide which ports are published, and on which host port (None: Docker picks)."""
        taken: set[tuple[int, str]] = set()
        explicit = [(w, i, p, p.host_port) for w in workloads if _publishes(w)
                    for i, p in _pod_ports(w) if p.host_port]
        exposed = [(w, 0, p, p.port) for w in workloads if _publishes(w) and w.expose
                   for p in w.ports if p.name == w.expose.port and not p.host_port]
        for w, i, p, host in explicit + exposed:
            key = (host, _protocol(p))
            if (w.replicas or 1) > 1 or key in taken:
                self.published[(w.name, i, p.name)] = None
            else:
                taken.add(key)
                self.published[(w.name, i, p.name)] = host

    def secret(self, secret: str, key: str) -> str:
        """Declare the Compose secret for one key of a secret; its name."""
        name, var = f"{secret}.{file_key(key)}", self.variables.get((secret, key))
        # (read as a variable too: from it, so that one value in `.env` serves both)
        self.secrets[name] = {"environment": var} if var else {"file": f"{SECRETS_DIR}/{secret}/{file_key(key)}"}
        return name

    @property
    def variables(self) -> dict[tuple[str, str], str]:
        """The variable of each (secret, key) some container of the file reads as a variable
        (:func:`.compose_secrets.variable_names` of them all: one pass over the file first)."""
        if self._variables is None:
            self._variables = variable_names(ref for w in _workloads(self.ir) for c in [*w.containers,
                                             *w.init_containers] for t, ref in self.resolved(c).values()
                                             if t == "secret")
        return self._variables

    def resolved(self, c: Container) -> dict[str, tuple[str, object]]:
        """:func:`_resolved_env` of ``c``, made once per file (``c`` lives as long as the IR)."""
        got = self._resolved.get(id(c))
        if got is None:
            got = self._resolved[id(c)] = _resolved_env(self, c)
        return got

    def config(self, cm: ConfigData, key: str) -> str:
        """Declare the Compose config for one key of a ConfigMap, its data inline; its name."""
        name = f"{cm.name}.{file_key(key)}"
        self.configs[name] = {"content": cm.data[key]}
        return name

    def volume(self, name: str, options: dict | None = None) -> str:
        """Declare a named volume (with the local driver's options, if any); its name."""
        self.volumes[name] = {"driver_opts": options} if options else {}
        return name

    def config_map(self, name: str) -> ConfigData | None:
        if self._config_maps is None:
            self._config_maps = {}
            for c in self.ir.configs:
                self._config_maps.setdefault(c.name, c)      # the first of a name, as ever
        return self._config_maps.get(name)

    def secret_keys(self, name: str) -> list[str] | None:
        """:func:`.compose_secrets.key_table` of the file's IR, for one Secret."""
        if self._secret_keys is None:
            self._secret_keys = key_table(self.ir)
        return self._secret_keys.get(name)


def _containers(w: Workload) -> list[tuple[Container, tuple]]:
    """Every container of the pod with its spec path (for diagnostics)."""
    return ([(w.main, ())] + [(c, ("sidecars", c.name)) for c in w.containers[1:]]
            + [(c, ("init", c.name)) for c in w.init_containers])


def _mounted_whole(w: Workload, volume: str) -> bool:
    """Some container mounts the volume without a `sub_path` (which would name the key)."""
    return any(m.volume == volume and not m.sub_path for c, _ in _containers(w) for m in c.mounts)


def _publishes(w: Workload) -> bool:
    """Long-running kinds publish ports; run-to-completion ones (Job, CronJob) would not."""
    return w.kind in ("App", "StatefulApp")


def _pod_ports(w: Workload) -> list[tuple[int, Port]]:
    """The ports of the main container and its sidecars (one network): (container index, port)."""
    return [(i, p) for i, c in enumerate(w.containers) for p in c.ports]


def _protocol(p: Port) -> str:
    return p.protocol.lower()


# ---------------------------------------------------------------------- kinds

def _app(f: _File, w: Workload) -> dict:
    return {"restart": "unless-stopped"}


def _statefulapp(f: _File, w: Workload) -> dict:
    return {"restart": "unless-stopped"}    # its storage: named volumes (see `_mounts`)


def _job(f: _File, w: Workload) -> dict:
    return {"restart": "no"}


def _cronjob(f: _File, w: Workload) -> dict:
    return {"profiles": [CRON_PROFILE], "restart": "no"}


# One function per kind: what its services get besides the pod's containers (restart policy,
# profiles). A kind without one is left out of the Compose file.
_KINDS = {
    "App": _app,
    "StatefulApp": _statefulapp,
    "Job": _job,
    "CronJob": _cronjob,
}


# ---------------------------------------------------------------------- services of a pod

def _name(w: Workload, c: Container) -> str:
    """The service of a container: the workload's name for the main one, else `<workload>.<container>`."""
    return w.name if c is w.main else f"{w.name}.{c.name}"


def _pod(f: _File, w: Workload, kind: dict) -> dict[str, dict]:
    """The services of one workload: the main container, its sidecars, its init containers."""
    profiles = kind.get("profiles")
    out: dict[str, dict] = {}
    for c in w.containers:
        svc = _service(f, w, c)
        if c is w.main:
            ports, expose = _ports(f, w)
            if ports:
                svc["ports"] = ports
            if expose:
                svc["expose"] = expose
            if w.replicas is not None and w.replicas != 1:
                svc["deploy"] = {"replicas": w.replicas, **svc.get("deploy", {})}
        else:
            svc["network_mode"] = f"service:{w.name}"
        svc["restart"] = kind["restart"]
        out[_name(w, c)] = svc
    for c in w.init_containers:
        svc = _service(f, w, c)
        svc["restart"] = "no"
        out[_name(w, c)] = svc
    if profiles:
        for svc in out.values():
            svc["profiles"] = list(profiles)
    return {name: _ordered(svc) for name, svc in out.items()}


_ORDER = ("profiles", "image", "platform", "entrypoint", "command", "env_file", "environment", "configs", "secrets",
          "volumes", "network_mode", "ports", "expose", "deploy", "healthcheck", "post_start", "pre_stop",
          "stop_grace_period", "restart", "labels", "depends_on")


def _ordered(svc: dict) -> dict:
    """A service's keys in a fixed, readable order (any other key after them)."""
    return {**{k: svc[k] for k in _ORDER if k in svc}, **svc}


def _service(f: _File, w: Workload, c: Container) -> dict:
    """One container as a service: what every container of every kind shares."""
    pinned = platform(w.node_selector)   # (every container of the pod runs on that node)
    svc: dict = {"image": c.image, **({"platform": pinned} if pinned else {})}
    env = _environment(f, c)
    if c.command:   # (with Kubernetes' `$(VAR)` expanded, as the kubelet does)
        svc["entrypoint"] = expanded(list(c.command), env)
    if c.args:
        svc["command"] = expanded(list(c.args), env)
    volumes, configs, secrets = _mounts(f, w, c)
    if env:
        svc["environment"] = env
    env_files = cluster.env_files(f.config_map, c)   # of existing ConfigMaps: the user's files
    if env_files:
        svc["env_file"] = env_files
    if configs:
        svc["configs"] = configs
    if secrets:
        svc["secrets"] = sorted(secrets, key=lambda s: (s["source"], s["target"]))
    if volumes:
        svc["volumes"] = volumes
    res = resources(c)
    if res:
        svc["deploy"] = {"resources": res}
    hc = healthcheck(c)
    if hc:
        svc["healthcheck"] = hc
    if c.post_start:
        svc["post_start"] = [{"command": list(c.post_start)}]
    if c.pre_stop:
        svc["pre_stop"] = [{"command": list(c.pre_stop)}]
    if w.termination_grace is not None:
        svc["stop_grace_period"] = f"{w.termination_grace}s"
    svc["labels"] = labels(f.ir, w)
    return svc


def _environment(f: _File, c: Container) -> dict[str, str]:
    """The environment, as Kubernetes would set it (each `env_from` in order, then `env`
    winning): a Secret's key as the interpolation of its variable, which the user sets."""
    env = {n: v if t == "value" else interpolation(f.variables[v], *v) for n, (t, v) in f.resolved(c).items()}
    return dict(sorted(env.items()))


def _resolved_env(f: _File, c: Container) -> dict[str, tuple[str, object]]:
    """Each variable of the container: ("value", its value) or ("secret", (secret, key))."""
    resolved: dict[str, tuple[str, object]] = {}
    for kind, name, prefix in c.env_from:
        if kind == "config":
            cm = f.config_map(name)
            for k, v in (cm.data if cm else {}).items():
                resolved[f"{prefix}{k}"] = ("value", v)
        else:
            for k in f.secret_keys(name) or ():     # unknown keys: warned by `check`
                resolved[f"{prefix}{k}"] = ("secret", (name, k))
    for e in c.env:
        if e.config is not None:   # the ConfigMap's value, as the project says it (an existing one's: SKY507)
            cm = f.config_map(e.config[0])
            if cm is None or cm.existing or e.config[1] not in cm.data:   # (a missing key: `optional`, or SKY114)
                resolved.pop(e.name, None)
            else:
                resolved[e.name] = ("value", cm.data[e.config[1]])
            continue
        value = e.compose if e.compose is not None else e.value   # a peer's container port, not its Service's
        value = downward(c, e.field) if e.field is not None else value   # `downward:`: CPU and memory only
        if e.field is not None and value is None:
            resolved.pop(e.name, None)                  # left out (SKY505); as in Kubernetes, not an `env_from`'s
            continue
        resolved[e.name] = ("value", value if value is not None else "") if e.secret is None \
            else ("secret", e.secret)
    return resolved


def _in(mount: str, key: str) -> str:
    return f"{mount.rstrip('/')}/{file_key(key)}"


def _mounts(f: _File, w: Workload, c: Container) -> tuple[list[dict], list[dict], list[dict]]:
    """The container's mounts: (volumes, configs, secrets), each sorted by target."""
    storage = {s.name for s in w.storage}
    vols = {v.name: v for v in w.volumes}
    volumes: list[dict] = []
    configs: list[dict] = []
    secrets: list[dict] = []

    def named(source: str, m: Mount, options: dict | None = None) -> None:
        entry = {"type": "volume", "source": f.volume(source, options), "target": m.path}
        if m.read_only:
            entry["read_only"] = True
        volumes.append(entry)

    for m in c.mounts:
        v = vols.get(m.volume)
        if m.volume in storage:
            named(f"{w.name}.{m.volume}", m)
        elif v is None:
            continue                          # reported by lowering (SKY114)
        elif v.type == "empty":
            users = [c2 for c2, _ in _containers(w) if any(m2.volume == v.name for m2 in c2.mounts)]
            if len(users) == 1:
                entry: dict = {"type": "tmpfs", "target": m.path}
                if m.read_only:
                    entry["read_only"] = True
                if v.size is not None:
                    entry["tmpfs"] = {"size": memory(v.size)}
                volumes.append(entry)
            elif any(u is i for u in users for i in w.init_containers):
                named(f"{w.name}.{v.name}", m)      # outlives the init container that fills it
            else:
                opts = {"type": "tmpfs", "device": "tmpfs"}
                if v.size is not None:
                    opts["o"] = f"size={v.size}"
                named(f"{w.name}.{v.name}", m, opts)  # one tmpfs while any of them runs
        elif v.type == "claim":
            named(v.source, m)
        elif v.type == "config":
            cm = f.config_map(v.source)
            if cm is None:
                continue                      # reported by check_references (SKY114)
            if cm.existing:   # its entries are the cluster's: files the user provides
                volumes.append(cluster.config_mount(cm, m))
            for key in ([m.sub_path] if m.sub_path else list(cm.data)):
                if key in cm.data:
                    target = m.path if m.sub_path else _in(m.path, key)
                    configs.append({"source": f.config(cm, key), "target": target})
    for source, key, target in _secret_mounts(f, w, c):
        secrets.append({"source": f.secret(source, key), "target": target})
    return (sorted(volumes, key=lambda e: e["target"]), sorted(configs, key=lambda e: e["target"]),
            sorted(secrets, key=lambda e: e["target"]))


def _secret_mounts(f: _File, w: Workload, c: Container) -> list[tuple[str, str, str]]:
    """The files of the container's Secret volumes: (secret, key, target), in mount order."""
    storage = {s.name for s in w.storage}
    vols = {v.name: v for v in w.volumes}
    out = []
    for m in c.mounts:
        v = vols.get(m.volume)
        if m.volume in storage or v is None or v.type != "secret":
            continue                          # _mounts: storage first; a missing volume is SKY114
        keys = [m.sub_path] if m.sub_path else f.secret_keys(v.source) or []   # unknown: `check` warns
        for key in keys:
            out.append((v.source, key, m.path if m.sub_path else _in(m.path, key)))
    return out


def _ports(f: _File, w: Workload) -> tuple[list[dict], list[str]]:
    published: list[dict] = []
    expose: list[str] = []
    for i, p in _pod_ports(w):
        proto = _protocol(p)
        if (w.name, i, p.name) in f.published:
            entry: dict = {"name": p.name, "target": p.port}
            host = f.published[(w.name, i, p.name)]
            if host is not None:
                entry["published"] = str(host)
            entry["host_ip"] = HOST_IP
            entry["protocol"] = proto
            published.append(entry)
        else:
            e = str(p.port) if proto == "tcp" else f"{p.port}/{proto}"
            if e not in expose:
                expose.append(e)
    return published, expose


def _wire(f: _File, w: Workload, services: dict[str, dict], kinds: dict[str, str]) -> None:
    """`depends_on` of a workload's services: init containers in order, each waiting for
    what the workload connects to; the main service for all of them; sidecars for it."""
    targets: dict = {}
    for target in sorted(set(w.connect_to)):
        if target == w.name or target not in services or kinds.get(target) == "CronJob":
            continue  # checked by resolve_connections; a kind Compose leaves out cannot be waited on
        if kinds.get(target) == "Job":
            condition = "service_completed_successfully"
        elif "healthcheck" in services[target]:
            condition = "service_healthy"
        else:
            condition = "service_started"
        targets[target] = {"condition": condition}
    done = {"condition": "service_completed_successfully"}
    previous: list[str] = []
    for c in w.init_containers:
        name = _name(w, c)
        _depends(services[name], {**targets, **{p: dict(done) for p in previous[-1:]}})
        previous.append(name)
    _depends(services[w.name], {**targets, **{p: dict(done) for p in previous}})
    for c in w.containers[1:]:
        _depends(services[_name(w, c)], {w.name: {"condition": "service_started", "restart": True}})


def _depends(svc: dict, deps: dict) -> None:
    if deps:
        svc["depends_on"] = dict(sorted(deps.items()))

