"""celery: a Celery application as one spec (template `stdlib/celery.yaml`), what the
Celery operator runs, with no operator in the cluster.

One `kind: App, use: celery` spec becomes a worker App per queue
(`<name>-worker-<queue>`, running `celery -A <app> worker -Q <queue>`, probed with
`celery inspect ping`, with the spec's own fields), a Flower App (`<name>-flower`, exposed)
and a ConfigMap `<name>-config` holding the Celery settings (`config`), mounted by every
worker at /etc/celery/celery.yaml. The broker and the result backend name stdlib `redis`
or `rabbitmq` workloads (SKY114 otherwise): the workers connect to them and find them in
CELERY_BROKER_URL and CELERY_RESULT_BACKEND, the password read from its mounted file by a
small `sh -c` wrapper. The celery spec itself is not compiled (`REPLACES_SPEC`); nothing
connects to it, so it exports nothing. It knows the broker's component only through the
registry (`component_of`); it must not import another component module nor anything above
`skyspec.layers` (the schema aside).
"""

from __future__ import annotations

import shlex
from urllib.parse import quote

from ..diagnostics import Pos, did_you_mean
from ..provenance import MISSING, Entry, Prov
from ..record import Record
from ._common import Component, Ctx, port_number
from ._doc import Doc, New, copy_map, gen, value_at

REPLACES_SPEC = True   # the workers, Flower and the ConfigMap replace the spec
FLOWER_IMAGE = "mher/flower:2.0.1"
FLOWER_RESOURCES = {"cpu": "100m", "memory": "128Mi"}
CELERY_CONFIG_DIR = "/etc/celery"

CELERY_OWNED = ("command", "args", "port", "ports", "health", "expose", "autoscale")

# the spec's own fields every worker gets as they are
CELERY_COPIED = ("namespace", "image", "labels", "annotations", "env_from", "downward", "mounts", "lifecycle",
                 "strategy", "sidecars", "init", "k8s", "security", "node_selector", "tolerations", "spread", "affinity",
                 "priority_class", "image_pull_secrets", "service_account")


class _Endpoint(Record):
    """A broker or result backend as the workers reach it."""

    def __init__(self, var: str, url: str, target: str, pos: Pos | None, secret: tuple[str, str] | None = None,
                 template: str = "") -> None:
        self.var = var  # CELERY_BROKER_URL | CELERY_RESULT_BACKEND
        self.url = url  # without the password
        self.target = target  # the workload
        self.pos = pos
        self.secret = secret  # (Secret, key) of the password, when there is one
        self.template = template  # the URL with `{password}` where the password goes

    @property
    def password_var(self) -> str:
        """The variable whose `_FILE` names the mounted password: CELERY_BROKER_PASSWORD, ..."""
        return self.var.removesuffix("_URL") + "_PASSWORD"

    def setup(self) -> str:
        """The shell that puts the password (read from its mounted file) into the URL."""
        if not self.secret:
            return ""
        password = '$(cat "$' + self.password_var + '_FILE")'
        return f'{self.var}="{self.template.format(password=password)}"; export {self.var}; '


def _endpoint(doc: Doc, ctx: Ctx, param: str, var: str) -> _Endpoint | None:
    from . import component_of  # the registry, which imports this module

    name = doc.get(param)
    pos = doc.where(param)
    target = ctx.by_name.get(name)
    comp = component_of(target) if target is not None else None
    if comp is None or comp.name not in ("redis", "rabbitmq"):
        what = "does not exist" if target is None else "is not a `use: redis` or `use: rabbitmq` workload"
        ctx.diags.error("SKY114", f'{param} names "{name}", which {what}', pos,
                        hint=(did_you_mean(name, ctx.by_name) if target is None else None)
                        or "Celery's broker and result backend are stdlib redis or rabbitmq workloads")
        return None
    port = port_number(target.data, comp.port)
    if port is None:
        ctx.diags.error("SKY114", f'{param} names "{name}", which has no "{comp.port}" port', pos,
                        hint=f'keep the "{comp.port}" port the {comp.name} template declares in "{name}"')
        return None
    d = target.data
    if comp.name == "rabbitmq" and var == "CELERY_RESULT_BACKEND":
        return _Endpoint(var, "rpc://", name, pos)  # replies travel over the broker's connection
    cred = d.get("credentials")
    secret = (cred, "password") if isinstance(cred, str) else None
    if comp.name == "redis":
        return _Endpoint(var, f"redis://{name}:{port}/0", name, pos, secret,
                         f"redis://:{{password}}@{name}:{port}/0")
    vhost = quote(str(d.get("vhost", "/")), safe="")
    user = d.get("user")
    return _Endpoint(var, f"amqp://{user}@{name}:{port}/{vhost}", name, pos, secret,
                     f"amqp://{user}:{{password}}@{name}:{port}/{vhost}")


def expand(doc: Doc, comp: Component, ctx: Ctx) -> None:
    """One spec -> a worker App per queue, a Flower App, a ConfigMap (the spec itself goes)."""
    from ..layers.templates import split_params
    from ..schema import KINDS, validate

    spec, L, diags = doc.spec, doc.layer, ctx.diags
    own, _ = split_params(spec.data, spec.template)
    if not validate(own, spec.prov, KINDS["App"], diags):
        ctx.out.append(spec)  # `Session.check` reports it (once) and leaves it out
        return
    ok = True
    for f in CELERY_OWNED:
        if f in spec.data:
            diags.error("SKY108", f"`{f}` of a celery spec is made by the component, per worker", spec.where(f),
                        hint={"autoscale": "set `autoscale` per queue: `queues: {default: {autoscale: {...}}}`",
                              "expose": "Flower is exposed: `flower: {expose: ...}`"}.get(f, f"remove `{f}`"))
            ok = False
    for param in ("app", "broker", "queues"):
        if doc.get(param) is MISSING:
            diags.error("SKY103", f"a celery spec needs `{param}`", spec.where("use"),
                        hint={"app": "the module `celery -A` loads, e.g. `app: shop.tasks`",
                              "broker": "the name of a `use: redis` or `use: rabbitmq` workload",
                              "queues": "e.g. `queues: {default: {concurrency: 4}}`"}[param])
            ok = False
    broker = _endpoint(doc, ctx, "broker", "CELERY_BROKER_URL") if ok else None
    has_backend = doc.get("result_backend") is not MISSING
    backend = _endpoint(doc, ctx, "result_backend", "CELERY_RESULT_BACKEND") if ok and has_backend else None
    if broker is None or has_backend and backend is None:
        return  # reported; the spec is left out
    ends = [e for e in (broker, backend) if e is not None]
    setup = "".join(e.setup() for e in ends)
    app = shlex.quote(doc.get("app"))
    loglevel = doc.get("loglevel")

    config_name = f"{spec.name}-config"
    cfg_pos = doc.where("config") if doc.get("config") is not MISSING else spec.pos
    if not ctx.claim("ConfigMap", config_name, cfg_pos, "the Celery settings' ConfigMap"):
        return
    cm = New(L, cfg_pos).gen("kind", "ConfigMap").gen("name", config_name)
    cm.copy("namespace", spec, "namespace").copy("labels", spec, "labels")
    settings = New(L, cfg_pos)
    if doc.get("config") is not MISSING:
        settings.copy("celery.yaml", spec, "config")
    else:
        settings.gen("celery.yaml", {})
    cm.sub("yaml", settings)
    ctx.out.append(cm.spec(spec))

    def connect(target: New, extra: list[_Endpoint], pos: Pos | None) -> None:
        written = value_at(spec.data, ("connect_to",))
        names = list(written) if isinstance(written, list) else []
        wnode = spec.prov.find(("connect_to",))
        kids = list(wnode.kids) if wnode is not None and isinstance(wnode.kids, list) else [Prov([]) for _ in names]
        for e in extra:
            if e.target not in names:
                names.append(e.target)
                kids.append(gen(e.target, e.pos, L))
        target.data["connect_to"] = names
        target.kids["connect_to"] = Prov((list(wnode.hist) if wnode is not None else []) + [Entry(L, pos, "extend")],
                                         kids)

    def secrets_of(target: New, extra: list[_Endpoint], pos: Pos | None, own: bool = True) -> None:
        secrets = copy_map(spec, ("secrets",), L, pos) if own else New(L, pos)
        for e in extra:
            if e.secret and e.password_var not in secrets.data:
                secrets.gen(e.password_var, {"secret": e.secret[0], "key": e.secret[1], "as": "file"}, e.pos)
        if secrets.data:
            target.sub("secrets", secrets)

    for q, qd in doc.get("queues").items():
        qpos = doc.where("queues", q)
        wname = f"{spec.name}-worker-{q}"
        if not ctx.claim("App", wname, spec.prov.nearest(("queues", q)).key or qpos, f'the workers of queue "{q}"'):
            continue
        queue = qd.get("queue", q)
        w = New(L, qpos).gen("kind", "App").gen("name", wname)
        for f in CELERY_COPIED:
            w.copy(f, spec, f)
        w.gen("command", ["sh", "-c", f"{setup}exec celery -A {app} worker -Q {shlex.quote(queue)} "
                                      f"-c {qd.get('concurrency', 1)} "
                                      f'--hostname "celery@$HOSTNAME" --loglevel {loglevel}'], qpos)
        for f in ("replicas", "resources"):
            if f in qd:
                w.copy(f, spec, "queues", q, f)
            else:
                w.copy(f, spec, f)
        w.copy("autoscale", spec, "queues", q, "autoscale")
        env = copy_map(spec, ("env",), L, qpos)
        for e in ends:
            if e.var not in env.data:
                env.gen(e.var, e.url, e.pos)
        if "CELERY_CONFIG" not in env.data:
            env.gen("CELERY_CONFIG", f"{CELERY_CONFIG_DIR}/celery.yaml", cfg_pos)
        w.sub("env", env)
        secrets_of(w, ends, qpos)
        vols = copy_map(spec, ("volumes",), L, qpos)
        vols.gen("celery-config", {"config": config_name, "mount": CELERY_CONFIG_DIR, "read_only": True}, cfg_pos)
        w.sub("volumes", vols)
        connect(w, ends, qpos)
        # `celery inspect ping` asks this worker (by its node name) to answer through the
        # broker: alive and connected. As readiness too, a new worker counts once it consumes.
        ping = f'{setup}exec celery -A {app} inspect ping -d "celery@$HOSTNAME" --timeout 10'
        w.gen("health", {"exec": ["sh", "-c", ping], "initial_delay": 10, "period": 60, "timeout": 30,
                         "failure_threshold": 3}, qpos)
        ctx.out.append(w.spec(spec))

    flower = doc.get("flower")
    if flower is False or flower is MISSING:
        return
    fd = flower if isinstance(flower, dict) else {}
    fpos = doc.where("flower")
    fname = f"{spec.name}-flower"
    if not ctx.claim("App", fname, fpos, "the Flower dashboard"):
        return
    port = fd.get("port", 5555)
    f = New(L, fpos).gen("kind", "App").gen("name", fname)
    for k in ("namespace", "labels", "annotations", "node_selector", "tolerations", "image_pull_secrets"):
        f.copy(k, spec, k)
    if "image" in fd:
        f.copy("image", spec, "flower", "image")
    else:
        f.gen("image", FLOWER_IMAGE)
    f.gen("command", ["sh", "-c", f"{broker.setup()}exec celery flower --port={port}"])
    f.gen("ports", {"http": port}, doc.where("flower", "port") if "port" in fd else fpos)
    f.sub("env", New(L, fpos).gen(broker.var, broker.url, broker.pos))
    secrets_of(f, [broker], fpos, own=False)
    f.gen("health", {"http": "/healthcheck", "period": 30, "timeout": 5})
    if "expose" in fd:
        f.copy("expose", spec, "flower", "expose")
    else:
        f.gen("expose", True)
    if "resources" in fd:
        f.copy("resources", spec, "flower", "resources")
    else:
        f.gen("resources", dict(FLOWER_RESOURCES))
    f.gen("connect_to", [broker.target], broker.pos)
    f.gen("security", {"image_digest": False})
    ctx.out.append(f.spec(spec))
