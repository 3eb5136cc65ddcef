"""What every workload kind has (App, StatefulApp, Job, CronJob): the ``_Workload`` base
builder - the main container, pod placement, sidecars and init containers, volumes, and
the documents attached to it (secrets, configs, service accounts, roles, policies,
observability, connected workloads).

It turns attachments into fields of the workload's document and into the documents they
imply (a ServiceAccount for a workload with roles, a PersistentVolumeClaim for a volume
of a new claim). Long-running workloads add theirs in :mod:`skyspec.builders.served`;
the kinds themselves are in :mod:`skyspec.builders.workloads`. Nothing here compiles or
reads a project.
"""

from __future__ import annotations

import copy
from typing import Any

from ._base import _Doc, _listify, _name_of, _outside, _plain, _Tree, Resource
from .access import NetworkPolicy, Role, SecurityPolicy, ServiceAccount
from .config import ConfigMap, Secret, Volume, _Mountable
from .observability import Observability
from .positions import _here, _tls


def _words(args: tuple, what: str) -> Any:
    if len(args) == 1 and isinstance(args[0], (list, tuple, str)):
        return args[0]
    if not args:
        raise TypeError(f"{what}() needs a command: a list of words or a string")
    return list(args)


def _container(name: str, image: str, command=None, args=None, ports=None, env=None, resources=None,
               health=None, mounts=None, lifecycle=None, downward=None, **extra) -> dict:
    if extra:
        raise TypeError(f"unknown container field(s): {', '.join(sorted(extra))} (fields: command, args, ports, "
                        "env, downward, resources, health, mounts, lifecycle)")
    c: dict = {"image": image}
    for k, v in (("command", command), ("args", args), ("ports", ports), ("env", env), ("downward", downward),
                 ("resources", resources), ("health", health), ("mounts", mounts), ("lifecycle", lifecycle)):
        if v is not None:
            c[k] = v
    if isinstance(c.get("ports"), int) and not isinstance(c["ports"], bool):
        c["ports"] = {"http": c["ports"]}
    return c


class _Workload(_Doc):
    """What every workload kind (App, StatefulApp, Job, CronJob) has."""

    # a volume of a new claim becomes a PersistentVolumeClaim; StatefulApp makes it `storage`
    _CLAIMS_AS_STORAGE = False

    def __init__(self, name: str):
        super().__init__(name)
        self._attached: list[tuple[_Doc, tuple]] = []          # secrets, configs, accounts, policies, ...
        self._env_from: list[tuple[str, Any, str | None, tuple]] = []   # ("config"|"secret", name or builder, prefix, pos)
        self._volumes: list[tuple[Volume, tuple]] = []
        self._roles: list[tuple[Role, tuple]] = []
        self._implicit_account: ServiceAccount | None = None
        self._claims: dict[int, Resource] = {}

    # -- container
    def image(self, image: str) -> "_Workload":
        return self._set("image", image)

    def command(self, *command) -> "_Workload":
        """``command(["python", "-m", "app"])``, ``command("python -m app")`` or ``command("python", "-m", "app")``."""
        return self._set("command", _words(command, "command"))

    def args(self, *args) -> "_Workload":
        return self._set("args", _words(args, "args"))

    def env(self, name: str, value: Any) -> "_Workload":
        return self._merge("env", {name: value}, "env")

    add_env = env

    def environment(self, variables: dict) -> "_Workload":
        return self._merge("env", variables, "environment")

    env_vars = environment

    def secret_env(self, variable: str, secret: "str | Secret", key: str) -> "_Workload":
        """One environment variable read from a Secret key (``secrets: {VAR: {secret, key}}``)."""
        if isinstance(secret, Secret):
            self._attach(secret)
        return self._merge("secrets", {variable: {"secret": _name_of(secret, "secret_env"), "key": key}}, "secret_env")

    def config_env(self, variable: str, config: "str | ConfigMap", key: str, optional: bool = False) -> "_Workload":
        """One environment variable read from a ConfigMap key (``configs: {VAR: {config, key}}``);
        ``optional=True``: left unset when the ConfigMap or the key is missing."""
        if isinstance(config, ConfigMap):
            self._attach(config)
        ref = {"config": _name_of(config, "config_env"), "key": key, **({"optional": True} if optional else {})}
        return self._merge("configs", {variable: ref}, "config_env")

    def downward(self, variable: str, field: str) -> "_Workload":
        """One environment variable read from the pod (Kubernetes' downward API):
        ``downward("POD_IP", "status.podIP")``, ``downward("MEMORY_LIMIT", "limits.memory")``
        (``downward: {VAR: field}``)."""
        return self._merge("downward", {variable: field}, "downward")

    def env_from_secret(self, secret: "str | Secret", prefix: str | None = None) -> "_Workload":
        """Every key of the Secret as an environment variable."""
        if isinstance(secret, Secret):
            self._attach(secret)
        self._env_from.append(("secret", _name_of(secret, "env_from_secret"), prefix, _here()))
        return self

    def env_from_config_map(self, config: "str | ConfigMap", prefix: str | None = None) -> "_Workload":
        """Every key of the ConfigMap as an environment variable."""
        if isinstance(config, ConfigMap):
            self._attach(config)
        self._env_from.append(("config", _name_of(config, "env_from_config_map"), prefix, _here()))
        return self

    env_from_configmap = env_from_config_map

    def resources(self, cpu: str | float | None = None, memory: str | None = None, cpu_limit: str | float | None = None,
                  memory_limit: str | None = None) -> "_Workload":
        """Requests (``cpu``, ``memory``) and limits (``cpu_limit``, ``memory_limit``)."""
        r = {k: v for k, v in (("cpu", cpu), ("memory", memory), ("cpu_limit", cpu_limit),
                               ("memory_limit", memory_limit)) if v is not None}
        return self._merge("resources", r, "resources")

    def lifecycle(self, post_start: list | None = None, pre_stop: list | None = None,
                  termination_grace: int | None = None) -> "_Workload":
        lc = {k: v for k, v in (("post_start", post_start), ("pre_stop", pre_stop),
                                ("termination_grace", termination_grace)) if v is not None}
        return self._merge("lifecycle", lc, "lifecycle")

    def post_start(self, *command) -> "_Workload":
        return self._merge("lifecycle", {"post_start": _words(command, "post_start")}, "post_start")

    def pre_stop(self, *command) -> "_Workload":
        return self._merge("lifecycle", {"pre_stop": _words(command, "pre_stop")}, "pre_stop")

    def termination_grace_period(self, seconds: int) -> "_Workload":
        return self._merge("lifecycle", {"termination_grace": seconds}, "termination_grace_period")

    # -- pod placement
    def node_selector(self, selector: dict) -> "_Workload":
        return self._merge("node_selector", selector, "node_selector")

    def tolerations(self, tolerations: list) -> "_Workload":
        """Kubernetes-style tolerations (``tolerationSeconds`` is accepted for ``seconds``)."""
        out = []
        for t in tolerations:
            t = dict(t)
            if "tolerationSeconds" in t:
                t["seconds"] = t.pop("tolerationSeconds")
            out.append(t)
        return self._set("tolerations", out)

    def add_toleration(self, key: str | None = None, operator: str | None = None, value: str | None = None,
                       effect: str | None = None, seconds: int | None = None) -> "_Workload":
        t = {k: v for k, v in (("key", key), ("operator", operator), ("value", value), ("effect", effect),
                               ("seconds", seconds)) if v is not None}
        self._t.append(("tolerations",), _plain(t, "tolerations"), _here())
        return self

    def affinity(self, affinity: dict) -> "_Workload":
        """A Kubernetes ``affinity`` (nodeAffinity, podAffinity, podAntiAffinity)."""
        return self._set("affinity", affinity)

    def spread(self, *over: str) -> "_Workload":
        """Spread pods over "nodes" and/or "zones"."""
        kinds = _listify(over)
        return self._set("spread", kinds[0] if len(kinds) == 1 else kinds)

    def priority_class(self, name: str) -> "_Workload":
        return self._set("priority_class", name)

    def image_pull_secret(self, *names: "str | Secret") -> "_Workload":
        pos = _here()
        for n in _listify(names):
            if isinstance(n, Secret):
                self._attach(n)
            self._t.append(("image_pull_secrets",), _name_of(n, "image_pull_secret"), pos)
        return self

    image_pull_secrets = image_pull_secret

    # -- containers of the pod
    def sidecar(self, name: str, image: str, **fields) -> "_Workload":
        """Another container of the pod: ``sidecar("proxy", "envoyproxy/envoy:v1.31.0",
        ports={"admin": 9901}, mounts={"conf": "/etc/envoy"})``."""
        return self._merge("sidecars", {name: _container(name, image, **fields)}, "sidecar")

    add_sidecar = sidecar

    def init_container(self, name: str, image: str, **fields) -> "_Workload":
        """A container run to completion before the others start."""
        return self._merge("init", {name: _container(name, image, **fields)}, "init_container")

    add_init_container = init_container

    # -- volumes
    def add_volume(self, volume: Volume) -> "_Workload":
        if not isinstance(volume, Volume):
            raise TypeError(f"add_volume() expects a Volume, got {type(volume).__name__}")
        self._volumes.append((volume, _here()))
        return self

    def add_volumes(self, volumes: list) -> "_Workload":
        for v in volumes:
            self.add_volume(v)
        return self

    def empty_dir(self, name: str, mount_path: str, size: str | None = None, memory: bool = False) -> "_Workload":
        return self.add_volume(Volume(name).empty_dir(size, memory).mount(mount_path))

    # -- attachments
    def _attach(self, doc: _Doc) -> None:
        if all(d is not doc for d, _ in self._attached):
            self._attached.append((doc, _here()))

    def add_secret(self, secret: "Secret | str", prefix: str | None = None) -> "_Workload":
        """Attach a Secret: its keys become environment variables (``env_from``), or, after
        ``secret.mount(path)``, files at that path."""
        if isinstance(secret, Secret):
            self._attach(secret)
        elif not isinstance(secret, str):
            raise TypeError(f"add_secret() expects a Secret, got {type(secret).__name__}")
        self._env_from.append(("secret", secret, prefix, _here()))
        return self

    def add_secrets(self, secrets: list) -> "_Workload":
        for s in secrets:
            self.add_secret(s)
        return self

    def add_config(self, config: "ConfigMap | str", prefix: str | None = None) -> "_Workload":
        """Attach a ConfigMap: its keys become environment variables (``env_from``), or,
        after ``config.mount(path)``, files at that path."""
        if isinstance(config, ConfigMap):
            self._attach(config)
        elif not isinstance(config, str):
            raise TypeError(f"add_config() expects a ConfigMap, got {type(config).__name__}")
        self._env_from.append(("config", config, prefix, _here()))
        return self

    add_config_map = add_config

    def add_configs(self, configs: list) -> "_Workload":
        for c in configs:
            self.add_config(c)
        return self

    def service_account(self, name: "str | ServiceAccount") -> "_Workload":
        if isinstance(name, ServiceAccount):
            self._attach(name)
        return self._set("service_account", _name_of(name, "service_account"))

    def add_service_account(self, account: "ServiceAccount | str") -> "_Workload":
        return self.service_account(account)

    def add_role(self, role: Role) -> "_Workload":
        """Attach a Role (or ClusterRole) bound to this workload's service account; a
        workload without one gets a ServiceAccount of its own name."""
        if not isinstance(role, Role):
            raise TypeError(f"add_role() expects a Role, got {type(role).__name__}")
        pos = _here()
        self._attach(role)
        self._roles.append((role, pos))
        role._owners.append((self, pos))
        return self

    add_cluster_role = add_role

    def add_network_policy(self, policy: NetworkPolicy) -> "_Workload":
        """Attach a NetworkPolicy; unless it selects pods itself, it selects this workload's."""
        if not isinstance(policy, NetworkPolicy):
            raise TypeError(f"add_network_policy() expects a NetworkPolicy, got {type(policy).__name__}")
        if policy._owner is not None and policy._owner[0] is not self and "select" not in policy._t.data:
            raise ValueError(f'NetworkPolicy "{policy.name}" already selects "{policy._owner[0].name}"; a policy '
                             "selects one app: give each workload its own")
        self._attach(policy)
        policy._owner = (self, _here())
        return self

    def add_security_policy(self, policy: SecurityPolicy) -> "_Workload":
        """Attach Pod Security Standards (they apply to the whole namespace)."""
        if not isinstance(policy, SecurityPolicy):
            raise TypeError(f"add_security_policy() expects a SecurityPolicy, got {type(policy).__name__}")
        self._attach(policy)
        return self

    def add_observability(self, observability: Observability) -> "_Workload":
        if not isinstance(observability, Observability):
            raise TypeError(f"add_observability() expects an Observability, got {type(observability).__name__}")
        self._attach(observability)
        observability._owners.append((self, _here()))
        return self

    def connect_to(self, *targets: "str | _Workload") -> "_Workload":
        """Workloads this one talks to: discovery variables (``POSTGRES_HOST``/``_PORT``),
        Compose ``depends_on``. Builders given here are compiled along with this one."""
        pos = _here()
        for t in _listify(targets):
            name = _name_of(t, "connect_to")
            if isinstance(t, _Doc):
                self._attach(t)
            if name not in (self._t.get(("connect_to",)) or []):
                self._t.append(("connect_to",), name, pos)
        return self

    depends_on = connect_to

    def k8s(self, kind: str, patch: dict) -> "_Workload":
        """Escape hatch: a patch merged into the generated objects of ``kind``."""
        return self._merge(("k8s", kind), patch, "k8s")

    # -- outside the language
    def build(self, *args, **kwargs):
        _outside("build()", "skyspec compiles deployment specs and does not build container images",
                 "build and push the image in CI, then use .image('registry/name:tag')")

    def from_dockerfile(self, *args, **kwargs):
        _outside("from_dockerfile()", "skyspec compiles deployment specs and does not build container images",
                 "build and push the image in CI, then use .image('registry/name:tag')")

    def add_plugin(self, *args, **kwargs):
        _outside("add_plugin()", "skyspec has no plugin hooks; every change must be visible in a spec's history",
                 "use an overlay (overlays/<env>.yaml: `all`, `match`, `apps`) or .k8s(kind, patch)")

    def add_service(self, *args, **kwargs):
        _outside("add_service()", "a workload's Service is generated from its ports and .expose()",
                 ".expose(type='NodePort', port='http'), or Resource(name).manifest({...}) for another Service")

    # -- documents
    def _account_name(self) -> str | None:
        sa = self._t.get(("service_account",))
        if sa is not None:
            return sa
        if self._roles:
            return self._implicit().name
        return None

    def _implicit(self) -> ServiceAccount:
        if self._implicit_account is None:
            _, pos = self._roles[0]
            old, oldi = getattr(_tls, "pos", None), getattr(_tls, "internal", False)
            _tls.pos, _tls.internal = pos, True
            try:
                self._implicit_account = ServiceAccount(self.name)
            finally:
                _tls.pos, _tls.internal = old, oldi
        return self._implicit_account

    def _claim(self, v: Volume) -> Resource:
        r = self._claims.get(id(v))
        if r is None:
            size, cls, access, pos = v._claim_size
            spec: dict = {"accessModes": [access or "ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
            if cls:
                spec["storageClassName"] = cls
            old, oldi = getattr(_tls, "pos", None), getattr(_tls, "internal", False)
            _tls.pos, _tls.internal = pos, True
            try:
                r = Resource(f"{self.name}-{v.name}", {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                                       "metadata": {"name": f"{self.name}-{v.name}"}, "spec": spec})
            finally:
                _tls.pos, _tls.internal = old, oldi
            self._claims[id(v)] = r
        return r

    def _related(self) -> list[_Doc]:
        out = [d for d, _ in self._attached]
        if self._roles and self._t.get(("service_account",)) is None:
            out.append(self._implicit())
        for v, _ in self._volumes:
            if v._source is not None:
                out.append(v._source)
            if v._claim_size is not None and not self._CLAIMS_AS_STORAGE:
                out.append(self._claim(v))
        return out

    def _document(self, members: set[int]) -> _Tree:
        t = self._t.copy()
        if self._roles and t.get(("service_account",)) is None:
            t.set(("service_account",), self._implicit().name, self._roles[0][1])
        for kind, target, prefix, pos in self._env_from:
            name = _name_of(target, kind)
            mount = getattr(target, "_mount", None) if isinstance(target, _Mountable) else None
            if mount is not None:
                path, ro, mpos = mount
                vol: dict = {kind: name, "mount": path}
                if ro is not None:
                    vol["read_only"] = ro
                t.set(("volumes", name), vol, pos)
                t.at[("volumes", name, "mount")] = mpos
                continue
            entry = {kind: name}
            if prefix:
                entry["prefix"] = prefix
            if entry not in (t.get(("env_from",)) or []):
                t.append(("env_from",), entry, pos)
        for v, pos in self._volumes:
            self._volume_into(t, v, pos)
        return t

    def _volume_into(self, t: _Tree, v: Volume, pos: tuple) -> None:
        base = ("volumes", v.name)
        data = copy.deepcopy(v._t.data)
        if v._claim_size is not None:
            claim = self._claim(v).name
            data["claim"] = claim
        t.set(base, data, pos)
        for p, raw in v._t.at.items():
            t.at[base + p] = raw
        if v._claim_size is not None:
            t.at[base + ("claim",)] = v._claim_size[3]
