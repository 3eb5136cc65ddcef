"""Stdlib components: what a `use:` template cannot say as data beneath a spec.

A stdlib template (`stdlib/<name>.yaml`) is plain data: image, ports, probes, data path,
security relaxations, parameter defaults. Part of what a component means depends on the
*content* of the final values, so it is made here, once every layer has merged and every
`${...}` is resolved (`Session.layered`: templates -> overlays -> `--set` -> expressions ->
:func:`expand`):

* **config** (a map) becomes the server's real configuration: `-c key=value` arguments
  (postgres), `--key=value` (mysql, mongodb; `--setParameter name=value`),
  `--key value` (redis), the image's environment convention (`KAFKA_*` for Kafka's
  server.properties, `ES_SETTING_*` for elasticsearch.yml, `-Ekey=value` for a name with a
  `-`, which that convention cannot spell) or a ConfigMap mounted into
  /etc/rabbitmq/conf.d (rabbitmq);
* **credentials** (the name of a Secret the user declares) becomes secret references,
  mounted as files (`POSTGRES_PASSWORD_FILE`, ...), or read from the file by a small
  `sh -c` wrapper where the image has no `*_FILE` convention (redis, rabbitmq);
* **backup** (`{schedule, retention, location}`, postgres/mysql/mongodb) becomes a CronJob
  running the image's dump tool against the database's Service, onto a claim
  (`pvc://claim[/dir]`, declared too when `size` is given) or to an S3 bucket
  (`s3://bucket[/prefix]`: dumped into an emptyDir by an init container, uploaded by the
  AWS CLI), deleting dumps older than `retention` days;
* **exports**: the connection facts a consumer of `connect_to` gets besides `<NAME>_HOST`
  and `<NAME>_PORT` (`<NAME>_URL`, ...), read by `passes/resolve_connections.py` through
  :func:`exports`;
* **celery**: one `kind: App, use: celery` spec becomes a worker App per queue, a Flower
  App and a ConfigMap; the celery spec itself is not compiled.

Everything made here is spec-language data in ordinary :class:`Spec` objects, so schema
checks, lowering, the passes, all four backends and `explain` treat it like anything a
user wrote. Provenance: a copied value keeps its :class:`Prov` node (its whole history);
a generated value is located at the spec line that asked for it (the `config` entry, the
`backup` map, the `credentials` value, the queue), or at the spec's `use:` when that value
is the template's own, in the layer `component:<name>`; diagnostics likewise point into
the user's files. Each database template runs one server (`replicas` above 1 is an error:
they would be unrelated servers behind one Service), and its `data` claim is mounted
where the image keeps its data even when only a size was given.
Parameters stay in the spec's data, where `Session.check` validates them against the
template's `params`, and `explain db.backup.schedule` finds them.
"""

from __future__ import annotations

import base64
import hashlib
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote

from ..diagnostics import Diagnostics, Pos, did_you_mean
from ..frontend.loc import uniform_loc
from .merge import MISSING, Entry, Prov, prov_from_loc
from .stack import Spec

__all__ = ["expand", "exports", "component_of", "COMPONENTS"]

AWS_CLI_IMAGE = "amazon/aws-cli:2.22.0"
FLOWER_IMAGE = "mher/flower:2.0.1"
BACKUP_RESOURCES = {"cpu": "100m", "memory": "256Mi"}
FLOWER_RESOURCES = {"cpu": "100m", "memory": "128Mi"}
CELERY_CONFIG_DIR = "/etc/celery"
SECRETS_DIR = "/run/secrets"


# ============================================================================ data + provenance

def _gen(value: Any, pos: Pos | None, layer: str, before: Prov | None = None, old: Any = MISSING,
         op: str = "set") -> Prov:
    """Provenance of a generated value, written at ``pos``; when it replaces a value, the
    history of that value comes first."""
    p = prov_from_loc(value, uniform_loc(value, pos) if pos is not None else None, layer, op)
    if before is not None:
        p.hist = list(before.hist) + [Entry(layer, pos, op, old)]
    return p


def _get(data: Any, path: tuple) -> Any:
    for k in path:
        if isinstance(data, dict) and k in data:
            data = data[k]
        else:
            return MISSING
    return data


class _Doc:
    """A spec's data and provenance, edited without mutating either (they are shared with
    the layers beneath and the other environments)."""

    def __init__(self, spec: Spec, layer: str):
        self.spec = spec
        self.data: dict = spec.data
        self.prov: Prov = spec.prov
        self.layer = layer

    def get(self, *path: Any) -> Any:
        return _get(self.data, path)

    def where(self, *path: Any) -> Pos | None:
        """Where a generated value (or a problem) is located: the spec line that wrote the
        value at ``path``, or the spec's `use:` when only the template did (a diagnostic
        points into the user's files, never into the stdlib)."""
        node = self.prov.nearest(tuple(path))
        writers = [e for e in node.hist if e.op not in ("merge", "evaluate") and e.pos is not None]
        if writers and writers[-1].layer.startswith("template:"):
            return self.spec.where("use")
        return node.pos

    def node(self, *path: Any) -> Prov | None:
        return self.prov.find(tuple(path))

    def by_template(self, *path: Any) -> bool:
        """Whether the value at ``path`` is still the template's (no spec or overlay wrote it)."""
        n = self.node(*path)
        if n is None:
            return False
        writers = [e for e in n.hist if e.op not in ("merge", "evaluate")]
        return bool(writers) and writers[-1].layer.startswith("template:")

    def put(self, path: tuple, value: Any, pos: Pos | None, node: Prov | None = None, op: str = "set") -> None:
        """Set ``path`` to ``value`` (creating maps on the way); its provenance is ``node``
        (a copied value's) or a generated one at ``pos`` that continues the old history."""
        if node is None:
            node = _gen(value, pos, self.layer, self.node(*path), self.get(*path), op)
        self.data, self.prov = _put(self.data, self.prov, path, value, node, self.layer, pos)

    def extend(self, path: tuple, items: list, poss: list[Pos | None]) -> None:
        """Append ``items`` to the list at ``path`` (each located at its own position)."""
        old = self.get(*path)
        old_list = list(old) if isinstance(old, list) else []
        before = self.node(*path)
        kids = list(before.kids) if before is not None and isinstance(before.kids, list) else \
            [Prov([]) for _ in old_list]
        kids += [_gen(v, p, self.layer, op="extend") for v, p in zip(items, poss)]
        hist = (list(before.hist) if before is not None else []) + \
            [Entry(self.layer, poss[0] if poss else None, "extend", old)]
        self.data, self.prov = _put(self.data, self.prov, path, old_list + list(items), Prov(hist, kids),
                                    self.layer, poss[0] if poss else None)

    def done(self) -> Spec:
        s = self.spec
        return Spec(s.kind, s.name, self.data, self.prov, s.file, s.pos, s.template)


def _put(data: Any, prov: Prov | None, path: tuple, value: Any, node: Prov, layer: str,
         pos: Pos | None) -> tuple[Any, Prov]:
    if not path:
        return value, node
    k = path[0]
    if isinstance(data, dict):
        out = dict(data)
        p = prov.copy() if prov is not None else Prov([Entry(layer, pos, "set")], {})
    else:
        out, p = {}, Prov([Entry(layer, pos, "set")], {})
    if not isinstance(p.kids, dict):
        p.kids = {}
    out[k], p.kids[k] = _put(out.get(k), p.kids.get(k), path[1:], value, node, layer, pos)
    return out, p


class _New:
    """A document made by a component, value by value (maps of :class:`_New` nest)."""

    def __init__(self, layer: str, pos: Pos | None):
        self.layer = layer
        self.pos = pos
        self.data: dict = {}
        self.kids: dict = {}

    def gen(self, key: str, value: Any, pos: Pos | None = None) -> "_New":
        self.data[key] = value
        self.kids[key] = _gen(value, pos or self.pos, self.layer)
        return self

    def copy(self, key: str, spec: Spec, *path: Any) -> "_New":
        """``spec``'s value at ``path`` (when it has one), with its history."""
        value = _get(spec.data, path)
        if value is not MISSING:
            self.data[key] = value
            self.kids[key] = spec.prov.find(tuple(path)) or _gen(value, spec.where(*path), self.layer)
        return self

    def sub(self, key: str, child: "_New") -> "_New":
        self.data[key] = child.data
        self.kids[key] = child.prov()
        return self

    def prov(self) -> Prov:
        return Prov([Entry(self.layer, self.pos, "set")], dict(self.kids))

    def spec(self, origin: Spec) -> Spec:
        return Spec(self.data["kind"], self.data["name"], self.data, self.prov(), origin.file, origin.pos, None)


def _copy_map(spec: Spec, path: tuple, layer: str, pos: Pos | None) -> _New:
    """A new map holding the entries of ``spec``'s map at ``path`` (with their histories)."""
    m = _New(layer, spec.where(*path) if _get(spec.data, path) is not MISSING else pos)
    value = _get(spec.data, path)
    if isinstance(value, dict):
        for k in value:
            m.copy(k, spec, *path, k)
    return m


# ============================================================================ the components

@dataclass
class _Ctx:
    diags: Diagnostics
    by_name: dict[str, Spec]                 # workloads by name (before expansion)
    taken: set[tuple[str, str]]              # (group, name) of every spec
    out: list[Spec] = field(default_factory=list)

    def claim(self, kind: str, name: str, pos: Pos | None, what: str) -> bool:
        """Reserve a name for a generated spec; a clash with a written one is an error."""
        group = "workload" if kind in ("App", "StatefulApp", "Job", "CronJob") else kind
        if len(name) > (52 if kind == "CronJob" else 63):
            self.diags.error("SKY111", f'{what} would be named "{name}", longer than Kubernetes allows '
                                       f'({52 if kind == "CronJob" else 63} characters)', pos,
                             hint="shorten the spec's name")
            return False
        if (group, name) in self.taken:
            self.diags.error("SKY110", f'{what} would be named "{name}", which another '
                                       f'{"workload" if group == "workload" else kind} has', pos,
                             hint="rename one of them")
            return False
        self.taken.add((group, name))
        return True


@dataclass(frozen=True)
class Component:
    name: str
    data_path: str                                   # where the image keeps its data (the `data` claim)
    expand: Callable[[_Doc, "Component", _Ctx], None]
    exports: Callable[[dict, str, int], dict[str, str]]
    port: str                                        # the port name consumers connect to


def _layer(name: str) -> str:
    return f"component:{name}"


def component_of(spec: Spec) -> Component | None:
    """The stdlib component a spec uses, directly or through project templates."""
    t = spec.template
    if t is None:
        return None
    for tt in reversed(t.chain + [t]):
        if not tt.name.startswith(("./", "../", "/")) and tt.name in COMPONENTS:
            return COMPONENTS[tt.name]
    return None


def exports(spec: Spec | None, host: str | None = None, port: int | None = None) -> dict[str, str]:
    """What a consumer of ``spec`` (through `connect_to`) learns besides HOST and PORT:
    suffix -> value (`{"URL": "postgresql://db:5432/shop"}`); empty for other workloads."""
    comp = component_of(spec) if spec is not None else None
    if comp is None:
        return {}
    d = spec.data
    if port is None:
        port = _port_number(d, comp.port)
        if port is None:
            return {}
    try:
        return comp.exports(d, host or spec.name, port)
    except (KeyError, TypeError):  # a parameter of the wrong type: reported by the schema check
        return {}


def _port_number(d: dict, name: str) -> int | None:
    p = (d.get("ports") or {}).get(name) if isinstance(d.get("ports"), dict) else None
    if isinstance(p, dict):
        p = p.get("port")
    return p if isinstance(p, int) else None


def expand(specs: list[Spec], diags: Diagnostics) -> list[Spec]:
    """The specs to compile: each spec using a stdlib component with something to generate
    is replaced by its lowered form (and the specs it adds, after it); the rest unchanged."""
    if not any(s.template is not None for s in specs):
        return specs
    ctx = _Ctx(diags, {s.name: s for s in specs if s.is_workload},
               {("workload" if s.is_workload else s.kind, s.name) for s in specs})
    out: list[Spec] = []
    for s in specs:
        comp = component_of(s)
        if comp is None or not _params_ok(s, diags):
            out.append(s)
            continue
        ctx.out = []
        doc = _Doc(s, _layer(comp.name))
        comp.expand(doc, comp, ctx)
        if comp.name != "celery":
            out.append(doc.done())
        out.extend(ctx.out)
    return out


def _params_ok(spec: Spec, diags: Diagnostics) -> bool:
    """The component reads its parameters: they must have the declared types first (the
    problems are reported here, and again, folded into one, by `Session.check`)."""
    from ..schema.validate import validate_with
    from .templates import params_schema, split_params

    _, params = split_params(spec.data, spec.template)
    return validate_with(params, spec.prov, params_schema(spec.template), diags)


# ---------------------------------------------------------------------------- shared pieces

def _single(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    r = doc.get("replicas")
    if isinstance(r, int) and not isinstance(r, bool) and r > 1:
        ctx.diags.error("SKY108", f"the {comp.name} template runs one server: replicas: {r} would start {r} "
                                  "separate servers behind one Service", doc.where("replicas"),
                        hint="keep `replicas: 1`; a replicated cluster needs an operator (e.g. as `kind: Resource`)")


def _storage(doc: _Doc, comp: Component) -> None:
    """The `data` claim is mounted where the image keeps its data, also when a spec or an
    overlay gave only a size (`storage: 20Gi`, `storage: {data: 50Gi}`)."""
    st = doc.get("storage")
    if st is MISSING or st is None:
        return
    if not isinstance(st, dict):   # `storage: 20Gi` replaced the template's map
        _sized(doc, ("storage",), True, st, comp.data_path)
        return
    data = st.get("data", MISSING)
    if data is MISSING:
        return
    if not isinstance(data, dict):
        _sized(doc, ("storage", "data"), False, data, comp.data_path)
    elif "mount" not in data:
        doc.put(("storage", "data", "mount"), comp.data_path, doc.where("storage", "data"))


def _sized(doc: _Doc, path: tuple, wrap: bool, size: Any, mount: str) -> None:
    """A size alone at ``path`` -> `{size, mount}` (under `data` when ``wrap``): the size
    keeps its history, the mount is the component's."""
    node, pos = doc.node(*path), doc.where(*path)
    claim = {"size": size, "mount": mount}
    cnode = Prov([Entry(doc.layer, pos, "set")], {"size": node or _gen(size, pos, doc.layer),
                                                   "mount": _gen(mount, pos, doc.layer)})
    value, vnode = claim, cnode
    if wrap:
        value, vnode = {"data": claim}, Prov([Entry(doc.layer, pos, "set")], {"data": cnode})
    if node is not None:
        vnode.hist = list(node.hist) + [Entry(doc.layer, pos, "merge")]
        vnode.key = node.key
    doc.put(path, value, pos, node=vnode)


def _secret(doc: _Doc, var: str, secret: str, key: str, pos: Pos | None) -> None:
    """`secrets: {VAR: {secret, key, as: file}}` unless the spec has its own VAR."""
    if doc.get("secrets", var) is MISSING and doc.get("env", var) is MISSING:
        doc.put(("secrets", var), {"secret": secret, "key": key, "as": "file"}, pos)


def _env(doc: _Doc, var: str, value: str, pos: Pos | None) -> None:
    """An environment variable the component sets, unless the spec sets it itself."""
    if doc.get("env", var) is MISSING and doc.get("secrets", var) is MISSING:
        doc.put(("env", var), value, pos)


def _password_ref(doc: _Doc, var: str, key: str = "password") -> tuple[str, str] | None:
    """The (secret, key) holding a server's password: `credentials`, or a `secrets:` entry
    the spec wrote itself (`POSTGRES_PASSWORD: {secret: x, key: y}`)."""
    c = doc.get("credentials")
    if isinstance(c, str):
        return c, key
    ref = doc.get("secrets", var)
    if isinstance(ref, dict) and isinstance(ref.get("secret"), str) and isinstance(ref.get("key"), str):
        return ref["secret"], ref["key"]
    return None


def _needs_password(doc: _Doc, comp: Component, ctx: _Ctx, names: tuple[str, ...], why: str) -> bool:
    if doc.get("credentials") is not MISSING:
        return True
    env, secrets = doc.get("env"), doc.get("secrets")
    if any(isinstance(env, dict) and n in env or isinstance(secrets, dict) and n in secrets for n in names):
        return True
    ctx.diags.error("SKY103", f'the {comp.name} template needs `credentials`: {why}', doc.where("use"),
                    hint="declare a `kind: Secret` (e.g. `keys: [password]`) and name it: `credentials: <secret>`")
    return False


def _scalar(v: Any, yes: str = "true", no: str = "false") -> str:
    if isinstance(v, bool):
        return yes if v else no
    return str(v)


def _config_items(doc: _Doc) -> list[tuple[str, Any, Pos | None]]:
    cfg = doc.get("config")
    if not isinstance(cfg, dict):
        return []
    return [(k, v, doc.where("config", k)) for k, v in cfg.items()]


def _env_name(prefix: str, key: str) -> str:
    """A setting's name in the images' environment convention (apache/kafka's `KAFKA_`,
    Elasticsearch's `ES_SETTING_`): upper case, `_` doubled, `.` as `_`, `-` as `___`
    (Kafka's; Elasticsearch has no spelling for `-`)."""
    return prefix + key.replace("_", "__").replace(".", "_").replace("-", "___").upper()


# ---------------------------------------------------------------------------- postgres

def _postgres(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    _single(doc, comp, ctx)
    _storage(doc, comp)
    if _needs_password(doc, comp, ctx, ("POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE", "POSTGRES_HOST_AUTH_METHOD"),
                       "the postgres image does not start without a superuser password"):
        if isinstance(doc.get("credentials"), str):
            _secret(doc, "POSTGRES_PASSWORD", doc.get("credentials"), "password", doc.where("credentials"))
    args, poss = [], []
    for k, v, pos in _config_items(doc):
        args += ["-c", f"{k}={_scalar(v, 'on', 'off')}"]
        poss += [pos, pos]
    if args:
        doc.extend(("args",), args, poss)
    _backup(doc, comp, ctx)


def _postgres_exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"postgresql://{host}:{port}/{d['database']}", "USER": d["user"], "DATABASE": d["database"]}


def _pg_dump(doc: _Doc, host: str, port: int, out: str) -> tuple[str, dict, str]:
    """(script, secrets, file suffix): a custom-format dump (pg_restore reads it) of `database`."""
    secrets, lines = {}, []
    ref = _password_ref(doc, "POSTGRES_PASSWORD")
    if ref:
        secrets["PGPASSWORD"] = ref
        lines.append('PGPASSWORD="$(cat "$PGPASSWORD_FILE")"; export PGPASSWORD')
    lines.append(f"pg_dump --host={host} --port={port} --username={shlex.quote(doc.get('user'))} "
                 f"--dbname={shlex.quote(doc.get('database'))} --format=custom --file=\"{out}\"")
    return "\n".join(lines), secrets, ".dump"


# ---------------------------------------------------------------------------- mysql

def _mysql(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    _single(doc, comp, ctx)
    _storage(doc, comp)
    user, db, cred = doc.get("user"), doc.get("database"), doc.get("credentials")
    upos = doc.where("user")
    if user != "root":
        _env(doc, "MYSQL_USER", user, upos)
        if db is MISSING:
            ctx.diags.error("SKY103", f'a mysql `user` other than root ("{user}") needs a `database`',
                            upos, hint="the image grants the user all privileges on that database: `database: app`")
    if db is not MISSING:
        _env(doc, "MYSQL_DATABASE", db, doc.where("database"))
    if _needs_password(doc, comp, ctx, ("MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", "MYSQL_ALLOW_EMPTY_PASSWORD",
                                        "MYSQL_RANDOM_ROOT_PASSWORD"),
                       "the mysql image does not start without a root password") and isinstance(cred, str):
        cpos = doc.where("credentials")
        if user == "root":
            _secret(doc, "MYSQL_ROOT_PASSWORD", cred, "password", cpos)
        else:
            _secret(doc, "MYSQL_PASSWORD", cred, "password", cpos)
            _secret(doc, "MYSQL_ROOT_PASSWORD", cred, "root-password", cpos)
    args, poss = [], []
    for k, v, pos in _config_items(doc):
        args.append(f"--{k}={_scalar(v, 'ON', 'OFF')}")
        poss.append(pos)
    if args:
        doc.extend(("args",), args, poss)
    _backup(doc, comp, ctx)


def _mysql_exports(d: dict, host: str, port: int) -> dict[str, str]:
    db = d.get("database")
    out = {"URL": f"mysql://{host}:{port}/{db}" if db else f"mysql://{host}:{port}", "USER": d["user"]}
    if db:
        out["DATABASE"] = db
    return out


def _mysqldump(doc: _Doc, host: str, port: int, out: str) -> tuple[str, dict, str]:
    """Every database as root (with routines, events, triggers), else the user's database;
    one consistent snapshot (`--single-transaction`), gzipped SQL."""
    secrets, lines = {}, ["umask 077"]
    user = doc.get("user")
    opts = ""
    ref = _password_ref(doc, "MYSQL_ROOT_PASSWORD" if user == "root" else "MYSQL_PASSWORD")
    if ref:
        secrets["MYSQL_BACKUP_PASSWORD"] = ref
        # an option file keeps the password off the command line
        lines.append("printf '[client]\\npassword=\"%s\"\\n' \"$(cat \"$MYSQL_BACKUP_PASSWORD_FILE\")\" "
                     "> /tmp/backup.cnf")
        opts = "--defaults-extra-file=/tmp/backup.cnf "
    what = "--all-databases" if user == "root" else \
        f"--no-tablespaces --databases {shlex.quote(doc.get('database') or '')}"
    lines.append(f"mysqldump {opts}--host={host} --port={port} --user={shlex.quote(user)} --single-transaction "
                 f"--routines --events --triggers {what} --result-file=\"{out}.sql\"")
    lines.append(f'gzip "{out}.sql" && mv "{out}.sql.gz" "{out}"')
    return "\n".join(lines), secrets, ".sql.gz"


# ---------------------------------------------------------------------------- mongodb

def _mongodb(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    _single(doc, comp, ctx)
    _storage(doc, comp)
    cred = doc.get("credentials")
    if isinstance(cred, str):
        cpos = doc.where("credentials")
        _env(doc, "MONGO_INITDB_ROOT_USERNAME", doc.get("user"), cpos)
        _secret(doc, "MONGO_INITDB_ROOT_PASSWORD", cred, "password", cpos)
    args, poss = [], []
    for k, v, pos in _config_items(doc):
        if k == "setParameter" and isinstance(v, dict):
            for pk, pv in v.items():
                ppos = doc.where("config", k, pk)
                args += ["--setParameter", f"{pk}={_scalar(pv)}"]
                poss += [ppos, ppos]
        elif v is True:
            args.append(f"--{k}")
            poss.append(pos)
        elif v is not False:
            args.append(f"--{k}={v}")
            poss.append(pos)
    if args:
        doc.extend(("args",), args, poss)
    _backup(doc, comp, ctx)


def _mongodb_exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"mongodb://{host}:{port}"}


def _mongodump(doc: _Doc, host: str, port: int, out: str) -> tuple[str, dict, str]:
    """Every database, as a gzipped archive (`mongorestore --gzip --archive=FILE`)."""
    secrets, lines, auth = {}, [], ""
    ref = _password_ref(doc, "MONGO_INITDB_ROOT_PASSWORD")
    if ref:
        secrets["MONGO_BACKUP_PASSWORD"] = ref
        # a config file keeps the password off the command line
        lines.append("umask 077")
        lines.append("printf 'password: \"%s\"\\n' \"$(cat \"$MONGO_BACKUP_PASSWORD_FILE\")\" > /tmp/mongodump.yaml")
        auth = (f"--config=/tmp/mongodump.yaml --username={shlex.quote(doc.get('user'))} "
                "--authenticationDatabase=admin ")
    lines.append(f"mongodump {auth}--host={host} --port={port} --gzip --archive=\"{out}\"")
    return "\n".join(lines), secrets, ".archive.gz"


# ---------------------------------------------------------------------------- redis

REDIS_AUTH_PROBE = 'REDISCLI_AUTH="$(cat "$REDIS_PASSWORD_FILE")" redis-cli ping | grep -q PONG'


def _redis(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    _single(doc, comp, ctx)
    _storage(doc, comp)
    cred = doc.get("credentials")
    if isinstance(cred, str):
        cpos = doc.where("credentials")
        _secret(doc, "REDIS_PASSWORD", cred, "password", cpos)
        if doc.get("command") is MISSING:  # the image has no *_FILE convention: read it at start
            doc.put(("command",), ["sh", "-c", 'exec docker-entrypoint.sh redis-server "$@" '
                                               '--requirepass "$(cat "$REDIS_PASSWORD_FILE")"', "redis-server"], cpos)
        if doc.by_template("health", "exec"):
            doc.put(("health", "exec"), ["sh", "-c", REDIS_AUTH_PROBE], cpos)
    args, poss = [], []
    for k, v, pos in _config_items(doc):
        words = [""] if v == "" else _scalar(v, "yes", "no").split()
        args += [f"--{k}", *words]
        poss += [pos] * (1 + len(words))
    if args:
        doc.extend(("args",), args, poss)


def _redis_exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"redis://{host}:{port}/0"}


# ---------------------------------------------------------------------------- kafka

def _kafka(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    _single(doc, comp, ctx)
    _storage(doc, comp)
    cid = doc.get("cluster_id")
    if cid is MISSING:
        digest = hashlib.sha256(f"skyspec/kafka/{doc.spec.name}".encode()).digest()[:16]
        cid = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        _env(doc, "CLUSTER_ID", cid, doc.spec.pos)
    else:
        _env(doc, "CLUSTER_ID", cid, doc.where("cluster_id"))
    for k, v, pos in _config_items(doc):
        _env(doc, _env_name("KAFKA_", k), _scalar(v), pos)


def _kafka_exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"{host}:{port}", "BOOTSTRAP_SERVERS": f"{host}:{port}"}


# ---------------------------------------------------------------------------- elasticsearch

def _elasticsearch(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    _single(doc, comp, ctx)
    _storage(doc, comp)
    cred = doc.get("credentials")
    if isinstance(cred, str):
        _secret(doc, "ELASTIC_PASSWORD", cred, "password", doc.where("credentials"))
    args, poss = [], []
    for k, v, pos in _config_items(doc):
        if "-" in k:  # ES_SETTING_* has no spelling for "-" (`http.cors.allow-origin`): `-E` it is
            args.append(f"-E{k}={_scalar(v)}")
            poss.append(pos)
        else:
            _env(doc, _env_name("ES_SETTING_", k), _scalar(v), pos)
    if args:
        if doc.get("args") is MISSING:  # the image's entrypoint passes what follows `elasticsearch` on
            args, poss = ["elasticsearch", *args], [poss[0], *poss]
        doc.extend(("args",), args, poss)


def _elasticsearch_exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"http://{host}:{port}"}


# ---------------------------------------------------------------------------- rabbitmq

RABBITMQ_CONF = "90-skyspec.conf"
RABBITMQ_START = ('RABBITMQ_DEFAULT_PASS="$(cat "$RABBITMQ_PASSWORD_FILE")"; export RABBITMQ_DEFAULT_PASS; '
                  "exec docker-entrypoint.sh rabbitmq-server")


def _rabbitmq(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    _single(doc, comp, ctx)
    _storage(doc, comp)
    cred = doc.get("credentials")
    if _needs_password(doc, comp, ctx, ("RABBITMQ_DEFAULT_PASS",),
                       "the applications log in as `user`, whose password it names") and isinstance(cred, str):
        cpos = doc.where("credentials")
        # not RABBITMQ_DEFAULT_PASS_FILE: the image refuses to start when that is set
        _secret(doc, "RABBITMQ_PASSWORD", cred, "password", cpos)
        if doc.get("command") is MISSING:
            doc.put(("command",), ["sh", "-c", RABBITMQ_START], cpos)
    items = _config_items(doc)
    if not items:
        return
    name = f"{doc.spec.name}-config"
    cpos = doc.where("config")
    if not ctx.claim("ConfigMap", name, cpos, "the rabbitmq configuration's ConfigMap"):
        return
    text = "".join(f"{k} = {_scalar(v)}\n" for k, v, _ in items)
    cm = _New(doc.layer, cpos).gen("kind", "ConfigMap").gen("name", name)
    cm.copy("namespace", doc.spec, "namespace").copy("labels", doc.spec, "labels")
    cm.sub("data", _New(doc.layer, cpos).gen(RABBITMQ_CONF, text))
    ctx.out.append(cm.spec(doc.spec))
    doc.put(("volumes", "rabbitmq-config"), {"config": name, "mount": f"/etc/rabbitmq/conf.d/{RABBITMQ_CONF}",
                                             "sub_path": RABBITMQ_CONF, "read_only": True}, cpos)


def _rabbitmq_exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"amqp://{host}:{port}/{quote(d['vhost'], safe='')}", "USER": d["user"]}


# ---------------------------------------------------------------------------- backups

# component -> (doc, host, port, output file) -> (shell script, {VAR: (secret, key)}, file suffix)
DumpTool = Callable[[_Doc, str, int, str], tuple[str, dict, str]]
_DUMPS: dict[str, DumpTool] = {"postgres": _pg_dump, "mysql": _mysqldump, "mongodb": _mongodump}


def _backup(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    """`backup:` -> a CronJob `<name>-backup` running the image's dump tool against the
    database's Service (and a PersistentVolumeClaim when `location` is a claim with `size`)."""
    b = doc.get("backup")
    if not isinstance(b, dict):
        return
    spec, L = doc.spec, doc.layer
    bpos = doc.where("backup")
    name = f"{spec.name}-backup"
    if not ctx.claim("CronJob", name, bpos, "the backup CronJob"):
        return
    port = _port_number(doc.data, comp.port)
    if port is None:
        ctx.diags.error("SKY117", f'the backup needs the "{comp.port}" port of "{spec.name}"', doc.where("ports"))
        return
    location = b["location"]
    lpos = doc.where("backup", "location")
    scheme, _, rest = location.partition("://")
    rest = rest.strip("/")
    stamp = f"{spec.name}-$(date -u +%Y%m%dT%H%M%SZ)"
    # this database's dumps and nothing else (another's may share the folder: `db-2-...`)
    ours = spec.name + "-" + "[0-9]" * 8 + "T" + "[0-9]" * 6 + "Z.*"
    days = b.get("retention")

    job = _New(L, bpos).gen("kind", "CronJob").gen("name", name)
    job.copy("namespace", spec, "namespace").copy("labels", spec, "labels")
    job.copy("schedule", spec, "backup", "schedule").copy("time_zone", spec, "backup", "time_zone")
    job.gen("concurrency", "Forbid").gen("history", {"successful": 3, "failed": 3}).gen("backoff_limit", 2)
    job.gen("connect_to", [spec.name])
    security = _New(L, bpos)
    for k in ("run_as_user", "run_as_group"):
        security.copy(k, spec, "security", k)
    job.sub("security", security.gen("image_digest", False))
    res = _get(spec.data, ("backup", "resources"))
    if res is MISSING:
        job.gen("resources", dict(BACKUP_RESOURCES))
    else:
        job.copy("resources", spec, "backup", "resources")

    def dump_container(target: _New, folder: str) -> None:
        script, secrets, suffix = _DUMPS[comp.name](doc, spec.name, port, "$f.partial")
        target.copy("image", spec, "image")
        body = ["set -eu", f'mkdir -p "{folder}"', f'f="{folder}/{stamp}{suffix}"', script, 'mv "$f.partial" "$f"',
                'echo "backup: $f"']
        if scheme == "pvc" and days:
            body.append(f'find "{folder}" -maxdepth 1 -type f -name \'{ours}\' -mtime +{days} -print -delete')
        target.gen("command", ["sh", "-c", "\n".join(body) + "\n"], bpos)
        if secrets:
            sec = _New(L, doc.where("credentials") if doc.get("credentials") is not MISSING else bpos)
            for var, (secret, key) in secrets.items():
                sec.gen(var, {"secret": secret, "key": key, "as": "file"})
            target.sub("secrets", sec)

    if scheme == "pvc":
        claim, _, sub = rest.partition("/")
        folder = "/backup" + (f"/{sub}" if sub else "")
        dump_container(job, folder)
        job.sub("volumes", _New(L, lpos).gen("backup", {"claim": claim, "mount": "/backup"}))
        if b.get("size") is not None:
            _claim(doc, ctx, claim, lpos)
        elif ("Resource", claim) not in ctx.taken:
            ctx.diags.error("SKY114", f'backup.location names the claim "{claim}", which no `kind: Resource` declares',
                            lpos, hint=f"give the backup a `size` (e.g. `size: 50Gi`) and skyspec declares it, or "
                                       f"declare it (`kind: Resource`, `name: {claim}`, a PersistentVolumeClaim)")
            return
    else:
        bucket_path = rest
        init = _New(L, bpos)
        dump = _New(L, bpos)
        dump_container(dump, "/backup")
        dump.gen("mounts", {"backup": "/backup"})
        if res is MISSING:
            dump.gen("resources", dict(BACKUP_RESOURCES))
        else:
            dump.copy("resources", spec, "backup", "resources")
        job.sub("init", init.sub("dump", dump))
        s3 = b.get("s3") or {}
        if "image" in s3:
            job.copy("image", spec, "backup", "s3", "image")
        else:
            job.gen("image", AWS_CLI_IMAGE, lpos)
        env = _New(L, bpos).gen("HOME", "/tmp")  # the AWS CLI caches in $HOME; the root filesystem is read-only
        if "region" in s3:
            env.copy("AWS_REGION", spec, "backup", "s3", "region")
        if "endpoint" in s3:
            env.copy("AWS_ENDPOINT_URL", spec, "backup", "s3", "endpoint")
        job.sub("env", env)
        lines = ["set -eu"]
        if "credentials" in s3:
            cpos = doc.where("backup", "s3", "credentials")
            sec = _New(L, cpos)
            for var, key in (("AWS_ACCESS_KEY_ID", "access_key_id"), ("AWS_SECRET_ACCESS_KEY", "secret_access_key")):
                sec.gen(var, {"secret": s3["credentials"], "key": key, "as": "file"})
            job.sub("secrets", sec)
            lines.append('AWS_ACCESS_KEY_ID="$(cat "$AWS_ACCESS_KEY_ID_FILE")"; '
                         'AWS_SECRET_ACCESS_KEY="$(cat "$AWS_SECRET_ACCESS_KEY_FILE")"; '
                         "export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY")
        dest = f"s3://{bucket_path}"
        lines += [f'dest="{dest}"',
                  f"for f in /backup/{spec.name}-*; do",
                  '  aws s3 cp --only-show-errors "$f" "$dest/$(basename "$f")"',
                  '  echo "uploaded: $dest/$(basename "$f")"',
                  "done"]
        if days:
            # the dumps' names carry their UTC time: compare those with the cutoff
            lines += [f'cutoff="$(date -u -d "-{days} days" +%Y%m%dT%H%M%SZ)"',
                      'aws s3 ls "$dest/" | while read -r _ _ _ key; do',
                      f'  case "$key" in {ours}) ;; *) continue ;; esac',
                      f'  stamp="$(printf %s "$key" | sed -e \'s/^{spec.name}-//\' -e \'s/[.].*$//\')"',
                      '  if expr "$stamp" \\< "$cutoff" >/dev/null; then',
                      '    aws s3 rm --only-show-errors "$dest/$key" && echo "deleted: $dest/$key"',
                      "  fi",
                      "done"]
        job.gen("command", ["sh", "-c", "\n".join(lines) + "\n"], bpos)
        job.sub("volumes", _New(L, lpos).gen("backup", {"empty": True, "mount": "/backup"}))
    ctx.out.append(job.spec(spec))


def _claim(doc: _Doc, ctx: _Ctx, claim: str, pos: Pos | None) -> None:
    """The backups' PersistentVolumeClaim, declared as a `kind: Resource` (ReadWriteOnce:
    one backup runs at a time)."""
    if ("Resource", claim) in ctx.taken:
        ctx.diags.error("SKY110", f'backup.size declares the claim "{claim}", which a `kind: Resource` declares '
                                  "already", doc.where("backup", "size"),
                        hint="drop `size` to use the declared claim")
        return
    ctx.taken.add(("Resource", claim))
    spec, L = doc.spec, doc.layer
    pvc_spec = _New(L, pos).gen("accessModes", ["ReadWriteOnce"])
    pvc_spec.sub("resources", _New(L, pos).sub("requests", _New(L, pos).copy("storage", spec, "backup", "size")))
    if doc.get("backup", "class") is not MISSING:
        pvc_spec.copy("storageClassName", spec, "backup", "class")
    meta = _New(L, pos).gen("name", claim)
    ns = doc.get("namespace")
    if ns is not MISSING:
        meta.copy("namespace", spec, "namespace")
    meta.gen("labels", {"app.kubernetes.io/name": claim, "app.kubernetes.io/managed-by": "skyspec"})
    manifest = _New(L, pos).gen("apiVersion", "v1").gen("kind", "PersistentVolumeClaim").sub("metadata", meta)
    manifest.sub("spec", pvc_spec)
    r = _New(L, pos).gen("kind", "Resource").gen("name", claim).sub("manifest", manifest)
    ctx.out.append(r.spec(spec))



# ---------------------------------------------------------------------------- celery

CELERY_OWNED = ("command", "args", "port", "ports", "health", "expose", "autoscale")
# the spec's own fields every worker gets as they are
CELERY_COPIED = ("namespace", "image", "labels", "annotations", "env_from", "mounts", "lifecycle", "strategy",
                 "sidecars", "init", "k8s", "security", "node_selector", "tolerations", "spread", "affinity",
                 "priority_class", "image_pull_secrets", "service_account")


@dataclass
class _Endpoint:
    """A broker or result backend as the workers reach it."""

    var: str                   # CELERY_BROKER_URL | CELERY_RESULT_BACKEND
    url: str                   # without the password
    target: str                # the workload
    pos: Pos | None
    secret: tuple[str, str] | None = None   # (Secret, key) of the password, when there is one
    template: str = ""         # the URL with `{password}` where the password goes

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


def _endpoint(doc: _Doc, ctx: _Ctx, param: str, var: str) -> _Endpoint | None:
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
    port = _port_number(target.data, comp.port)
    if port is None:
        ctx.diags.error("SKY114", f'{param} names "{name}", which has no "{comp.port}" port', pos)
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


def _celery(doc: _Doc, comp: Component, ctx: _Ctx) -> None:
    """One spec -> a worker App per queue, a Flower App, a ConfigMap (the spec itself goes)."""
    from ..schema import KINDS, validate
    from .templates import split_params

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
    cm = _New(L, cfg_pos).gen("kind", "ConfigMap").gen("name", config_name)
    cm.copy("namespace", spec, "namespace").copy("labels", spec, "labels")
    settings = _New(L, cfg_pos)
    if doc.get("config") is not MISSING:
        settings.copy("celery.yaml", spec, "config")
    else:
        settings.gen("celery.yaml", {})
    cm.sub("yaml", settings)
    ctx.out.append(cm.spec(spec))

    def connect(target: _New, extra: list[_Endpoint], pos: Pos | None) -> None:
        written = _get(spec.data, ("connect_to",))
        names = list(written) if isinstance(written, list) else []
        wnode = spec.prov.find(("connect_to",))
        kids = list(wnode.kids) if wnode is not None and isinstance(wnode.kids, list) else [Prov([]) for _ in names]
        for e in extra:
            if e.target not in names:
                names.append(e.target)
                kids.append(_gen(e.target, e.pos, L))
        target.data["connect_to"] = names
        target.kids["connect_to"] = Prov((list(wnode.hist) if wnode is not None else []) + [Entry(L, pos, "extend")],
                                         kids)

    def secrets_of(target: _New, extra: list[_Endpoint], pos: Pos | None, own: bool = True) -> None:
        secrets = _copy_map(spec, ("secrets",), L, pos) if own else _New(L, pos)
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
        w = _New(L, qpos).gen("kind", "App").gen("name", wname)
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
        env = _copy_map(spec, ("env",), L, qpos)
        for e in ends:
            if e.var not in env.data:
                env.gen(e.var, e.url, e.pos)
        if "CELERY_CONFIG" not in env.data:
            env.gen("CELERY_CONFIG", f"{CELERY_CONFIG_DIR}/celery.yaml", cfg_pos)
        w.sub("env", env)
        secrets_of(w, ends, qpos)
        vols = _copy_map(spec, ("volumes",), L, qpos)
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
    f = _New(L, fpos).gen("kind", "App").gen("name", fname)
    for k in ("namespace", "labels", "annotations", "node_selector", "tolerations", "image_pull_secrets"):
        f.copy(k, spec, k)
    if "image" in fd:
        f.copy("image", spec, "flower", "image")
    else:
        f.gen("image", FLOWER_IMAGE)
    f.gen("command", ["sh", "-c", f"{broker.setup()}exec celery flower --port={port}"])
    f.gen("ports", {"http": port}, doc.where("flower", "port") if "port" in fd else fpos)
    f.sub("env", _New(L, fpos).gen(broker.var, broker.url, broker.pos))
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


# ============================================================================ the table

COMPONENTS: dict[str, Component] = {c.name: c for c in (
    Component("postgres", "/var/lib/postgresql/data", _postgres, _postgres_exports, "postgres"),
    Component("mysql", "/var/lib/mysql", _mysql, _mysql_exports, "mysql"),
    Component("mongodb", "/data/db", _mongodb, _mongodb_exports, "mongodb"),
    Component("redis", "/data", _redis, _redis_exports, "redis"),
    Component("kafka", "/var/lib/kafka/data", _kafka, _kafka_exports, "kafka"),
    Component("elasticsearch", "/usr/share/elasticsearch/data", _elasticsearch, _elasticsearch_exports, "http"),
    Component("rabbitmq", "/var/lib/rabbitmq", _rabbitmq, _rabbitmq_exports, "amqp"),
    Component("celery", "", _celery, lambda d, h, p: {}, ""),
)}
