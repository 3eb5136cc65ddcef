"""A Compose file into spec documents: each service becomes an `App` (a `StatefulApp` with
`storage` when it is a database image keeping a named volume; a `Job` when another service
waits for it to complete), with image, entrypoint and command, ports, environment (with
`env_file`s and the `.env` interpolation Compose does), secrets as `kind: Secret` with
`keys:` mounted where Compose mounts them, named volumes, configs, healthcheck as an `exec`
health check, `depends_on` as `connect_to`, `stop_grace_period` and hooks as `lifecycle`,
`profiles` as `enabled: false` with one environment per profile (:mod:`.compose_parts` has
the parts). What the language leaves to the environment's profile (resources, replicas) is a
note; what the project does not carry over (bind mounts, static addresses, restart policies,
users, keys it does not know) is a located warning (SKY066), and a comment in the spec; networks
are NetworkPolicies admitting the services that share one (:mod:`.compose_networks`). It reads
files only inside the Compose file's folder (through :func:`skyspec.contain.contained`),
never reads a secret's file, and moves every credential-looking environment value into a
Secret whose value it never writes.
"""

from __future__ import annotations

import functools
import re
import shlex
from pathlib import Path


from ..diagnostics import Pos
from ..frontend import Loc
from ..redact import credential_env
from ..rules.official_image import official
from . import compose_addresses as addresses, compose_build, compose_deploy, compose_networks as networks, \
    compose_parts as parts, compose_probe as probe, compose_proxy as proxy
from .compose_dotenv import dotenv
from .compose_pod import hooks
from .compose_renames import in_secret, renamed, renamed_called
from .compose_task import task
from .compose_vars import MARK, shell_vars
from .credentials import holds_credential, name_words, shared, shared_credentials
from .kube import NAME, Extracted
from .shape import WANTED, problems, shown
from .source import NOT_CARRIED, NOT_OBJECT, SECRET, WRONG, Inputs, load, read_text

COMPOSE_INTERVAL, COMPOSE_TIMEOUT = 30, 30     # Compose's healthcheck defaults (seconds)
_VAR = re.compile(r"\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))")

STRS = ("or", "str", ["scalar"])
SERVICE = {
    "image": "str", "platform": "str", "build": ("or", "str", "map"), "entrypoint": STRS, "command": STRS,
    "ports": [("or", "str", "int", {"target": "intstr", "published": "intstr", "protocol": "str", "host_ip": "str"})],
    "expose": [("or", "str", "int")],
    "environment": ("or", ("map", ("or", "scalar", "any")), ["scalar"]),
    "env_file": ("or", "str", [("or", "str", {"!path": "str", "required": "bool"})], {"!path": "str", "required": "bool"}),
    "healthcheck": {"test": STRS, "interval": "intstr", "timeout": "intstr", "retries": "int",
                    "start_period": "intstr", "disable": "bool"},
    "volumes": [("or", "str", {"type": "str", "source": "str", "!target": "str", "read_only": "bool"})],
    "configs": [("or", "str", {"!source": "str", "target": "str"})],
    "secrets": [("or", "str", {"!source": "str", "target": "str"})],
    "depends_on": ("or", ["str"], ("map", {"condition": "str", "restart": "bool", "required": "bool"})),
    "deploy": {"replicas": "int", "resources": {"limits": {"cpus": ("or", "str", "num"), "memory": "str"},
                                                "reservations": {"cpus": ("or", "str", "num"), "memory": "str"}}},
    "profiles": ["str"], "networks": ("or", ["str"], "map"), "user": ("or", "str", "int"), "restart": "str",
    "stop_grace_period": "intstr", "labels": ("or", ("map", "scalar"), ["str"]),
    "post_start": [{"!command": STRS}], "pre_stop": [{"!command": STRS}], "shm_size": ("or", "str", "int"),
    "tmpfs": ("or", "str", ["str"]), "read_only": "bool", "hostname": "str",
}
COMPOSE = {"!services": ("map", ("or", SERVICE, "any")), "volumes": ("map", ("or", "map", "any")),
           "configs": ("map", ("or", {"file": "str", "content": "str"}, "any")),
           "secrets": ("map", ("or", {"file": "str", "environment": "str", "external": "bool"}, "any"))}


@functools.lru_cache(maxsize=65536)   # (asked for each pair of services: a file's names, once each)
def dns(name: str) -> str:
    n = _NOT_DNS.sub("-", str(name).lower()).strip("-")[:63].strip("-")
    return n or "x"


_NOT_DNS = re.compile(r"[^a-z0-9-]+")


class Doc:
    def __init__(self, data: dict, loc: Loc, file: str):
        self.data, self.loc, self.file = data, loc, file
        self.typed: list[tuple[tuple, str]] = []   # (path, type) of a variable where a number or boolean belongs


def read(path: Path, inputs: Inputs) -> Doc | None:
    """The Compose file's data and positions; None (reported) when it is not one."""
    if not path.is_file():
        inputs.diags.error("SKY003", f'Compose file "{path}" not found', None, hint="name a compose.yaml")
        return None
    docs = load(path, inputs, core=True)   # (as compose-go reads it: `restart: no` is "no")
    if inputs.diags.has_errors:
        return None
    if len(docs) != 1 or not isinstance(docs[0].data, dict) or not isinstance(docs[0].data.get("services"), dict):
        pos = docs[0].loc.pos if docs else Pos(str(path), 1, 1)
        inputs.diags.error(NOT_OBJECT, "this is not a Compose file: it needs one document with a `services:` mapping",
                           pos, hint="`skyspec import compose` reads a compose.yaml (docker-compose.yml)")
        return None
    if not docs[0].data["services"]:   # (a Compose file, with nothing in it to import)
        inputs.diags.error(NOT_OBJECT, "this Compose file has no services: there is nothing to import",
                           docs[0].loc.key_pos("services") or docs[0].loc.pos,
                           hint="`skyspec import compose` makes a spec of each service")
        return None
    doc = Doc(docs[0].data, docs[0].loc, docs[0].file)
    for p, what in problems(doc.data, COMPOSE, deferred=doc.typed):
        inputs.diags.error(WRONG, f"{shown(p)} {what}", _find(doc.loc, p),
                           hint="Compose would refuse this too: fix the file and import again")
    for s in doc.data["services"]:
        if not isinstance(s, str) or not NAME.match(dns(s)):
            inputs.diags.error(WRONG, f"service {s!s} cannot be named as a DNS label", _find(doc.loc, ("services",)),
                               hint="name services with letters, digits and '-'")
        elif (doc.data["services"][s] is not None and not isinstance(doc.data["services"][s], dict)):
            inputs.diags.error(WRONG, f"services.{s} must be a mapping", _find(doc.loc, ("services", s)))
    # what makes a service of other files' or services' parts: Compose resolves it before anything
    # else, and a service read without it ran without its image and environment
    joined = ([("include", ("include",))] if "include" in doc.data else []) + \
        [("extends", ("services", s, "extends")) for s, svc in doc.data["services"].items()
         if isinstance(svc, dict) and "extends" in svc]
    for key, at in joined:
        what = "other Compose files" if key == "include" else "a service made of another service's parts"
        inputs.diags.error(WRONG, f"{shown(at)}: the importer does not join `{key}` ({what}, which Compose joins "
                           "before it reads the file)", _find(doc.loc, at),
                           hint="import what `docker compose config` prints (it joins include and extends, and "
                                "resolves anchors and variables)")
    names = [dns(s) for s in doc.data["services"]]
    for n in sorted({n for n in names if names.count(n) > 1}):
        inputs.diags.error(WRONG, f"several services are named {n} once made DNS labels",
                           _find(doc.loc, ("services",)), hint="rename one of them")
    return None if inputs.diags.has_errors else doc


def _find(loc: Loc, path: tuple) -> Pos:
    x = loc
    for seg in path:
        nxt = x.child(seg)
        if nxt is None:
            break
        x = nxt
    return x.pos


def interpolate(value: str, variables: dict[str, str], unresolved: set[str], unset: str | None = None) -> str:
    """Compose's interpolation of ``value`` from ``variables`` (the `.env` file); a variable
    it lacks stays as written (added to ``unresolved``), or in the form ``unset`` gives
    (:data:`.compose_vars.MARK`, made `${vars.NAME}`); `$$` becomes `$`; a default too (`${A:-${B}}`)."""
    def sub(m: re.Match) -> str:
        if m.group(1) == "$":
            return "$"
        name = m.group(2) or m.group(5)
        op, default = m.group(3), m.group(4)
        v = variables.get(name)
        if op in (":-", "-") and (v is None or (op == ":-" and v == "")):
            return interpolate(default, variables, unresolved, unset) if default else ""
        if op in (":+", "+"):
            return interpolate(default or "", variables, unresolved, unset) \
                if v not in (None, "") or (op == "+" and v is not None) else ""
        if v is None:
            unresolved.add(name)
            return m.group(0) if unset is None else unset.format(name)
        return v
    return _VAR.sub(sub, value)


def known_credentials(services: dict, variables: dict) -> set[str]:
    """The values of a Compose file that are credentials by their variable's name, in a
    service's `environment` or the `.env` file: mailcow's `.env` says `DBPASS`, passed both as
    `MYSQL_PASSWORD=${DBPASS}` and as `DBPASS=${DBPASS}`, and `DBROOT` only as the database's
    root password. Those :func:`.credentials.shared` keeps: no word of the names the file
    gives (its services, images, container and host names)."""
    pairs = list(variables.items())
    named: set[str] = set()   # the words of the names the file gives: a password `postgres` is no secret
    for s, svc in services.items():
        named |= name_words(str(s))
        if isinstance(svc, dict):
            pairs += parts.plain_env(svc, variables).items()
            for key in ("image", "container_name", "hostname"):
                named |= name_words(interpolate(str(svc.get(key) or ""), variables, set()))
    return shared(pairs, named)


def _literal_credentials(word: str, env: dict, credentials: set[str], passed: dict, key: str) -> str:
    """``word`` of a command with each credential that a variable of the service's environment
    holds, written as it is (`redis-server --requirepass Sup3rS3cret` beside `REDIS_PASSWORD:
    Sup3rS3cret`), as `$(VAR)`: Kubernetes expands it from the Secret the variable moves to
    (``passed`` gets it), and the value is not written."""
    for var, (value, _) in sorted(env.items()):
        if value in credentials and value in word and credential_env(var, value):
            word = word.replace(value, f"$({var})")   # (Kubernetes expands it within a word too)
            passed.setdefault(var, (value, key))
    return word


_MARKED = "\x00{}\x00"   # a credential reference in a command, until it is written for the kubelet


def _for_kubelet(word: str) -> str:
    """A word of a command as the container gets it, written for Kubernetes, which expands
    `$(VAR)` in a command and makes `$$` a `$`: each `$` before `$` or `(NAME)` doubled (zulip's
    `echo 'default_user = $(RABBITMQ_DEFAULT_USER)'` stays that text), and each credential
    reference of :func:`credential_refs` (marked :data:`_MARKED`) the kubelet's `$(NAME)`."""
    return re.sub("\x00(\\w+)\x00", r"$(\1)", re.sub(r"\$(?=\$|\([A-Za-z_]\w*\))", "$$", word))


def credential_refs(value: str, variables: dict[str, str], form: str = "$({})") -> tuple[str, dict[str, str]]:
    """``value`` with each reference to a variable that holds a credential (Langfuse's
    `redis-server --requirepass ${REDIS_AUTH:-...}`) written in ``form`` (by default
    Kubernetes' `$(REDIS_AUTH)`, which the container's environment expands from a Secret), so
    that no value is written; and {name: value} of those (`.env`'s value, else the default
    the reference gives)."""
    found: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        name = m.group(2) or m.group(5)
        if m.group(1) == "$" or name is None:
            return m.group(0)
        v = interpolate(m.group(0), variables, set())
        if v == m.group(0) or not credential_env(name, v):
            return m.group(0)
        found[name] = v
        return form.format(name)
    return _VAR.sub(sub, value), found


def seconds(d) -> int | None:
    if isinstance(d, (int, float)) and not isinstance(d, bool):
        return max(1, int(d))
    total = 0.0
    for n, unit in re.findall(r"([0-9]+(?:\.[0-9]*)?)(us|ms|s|m|h)", str(d)):
        total += float(n) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}[unit]
    return max(1, int(-(-total // 1))) if 0 < total < 1e9 else None


def argv(v) -> list[str] | None:
    """A command as words (a string split as a shell would); None when it cannot be split."""
    if isinstance(v, str):
        try:
            return shlex.split(v)
        except ValueError:
            return None
    return [str(x) for x in v or []]


class Ctx:
    """One Compose file's import: its data and positions, what the services share (Secrets,
    ConfigMaps, the `.env` variables) and the notes of each service."""

    def __init__(self, doc: Doc, base: Path, project: str, inputs: Inputs):
        self.doc, self.data, self.base, self.project, self.inputs = doc, doc.data, base, project, inputs
        text = read_text(base, ".env", inputs, Pos(doc.file, 1, 1), "the .env file", optional=True)
        self.vars = dotenv(text) if text is not None else {}
        self.secrets: dict[str, set] = {}   # Secret name -> keys
        self.values: dict[tuple, str] = {}  # (Secret, key) -> the credential it holds (in memory only, never written)
        self.configs: dict[str, dict] = {}  # ConfigMap name -> data
        self.bound: set[str] = set()        # the ConfigMaps of bind-mounted files (their data is whole)
        self.claims: dict[str, tuple] = {}  # PersistentVolumeClaim name -> (the Compose volume, its first service)
        services = self.data.get("services") if isinstance(self.data.get("services"), dict) else {}
        self.unresolved: set[str] = set()
        self.vars_text = ""   # the project file's `vars:` of what the services read from the shell (shell_vars)
        self.credentials: set[str] = set()   # the values the file holds as credentials (known_credentials)
        _interpolated(services, self.vars, self.unresolved)
        self.file_calls: dict[str, list] = {}   # service -> (service, port, file) of its bound files' addresses
        self.wanted = addresses.wanted_ports(services, self.vars, base, self.file_calls)  # service -> {port: who}
        self.env_files: dict[str, dict] = {}  # service -> what its env_files set
        self.image_volumes: dict[str, set] = {}  # service -> its Dockerfile's VOLUME folders given an emptyDir
        self.image_inits: dict[str, dict] = {}   # service -> the init containers that fill them from the image
        self.notes: dict[str, list[str]] = {}
        self.profiles: dict[str, list[str]] = {}  # profile -> services
        self.addressed: dict[str, list] = {}  # service -> (service, variable, where) its environment addresses
        self.renames = addresses.name_changes(services, self.vars, self.data.get("networks"))  # a name -> a Service's
        self.routes: dict[str, list] = {}   # service -> the routes a reverse proxy reads from it (once typed)
        self.routed_ports: dict[str, int] = {}   # service -> the port its first route sends to
        self.said_to: set[tuple[str, str]] = set()  # (service, renamed service) its environment's addresses name
        self.secret_calls: dict[tuple, str] = {}   # (service, renamed service) -> the variable moved to a Secret naming it

    def pos(self, path: tuple) -> Pos:
        return _find(self.doc.loc, path)

    def say(self, s: str, text: str, path: tuple = (), level: str = "note", hint: str | None = None,
            code: str = NOT_CARRIED) -> None:
        """A note of service ``s`` (a comment in its spec, and a diagnostic at ``path`` of it)."""
        self.notes.setdefault(s, []).append(text)
        pos = self.pos(("services", s) + path) if path else \
            (self.doc.loc.child("services").key_pos(s) or self.pos(("services", s)))
        if level == "warning":
            self.inputs.diags.warning(code, f"service {s}: {text}", pos, hint=hint)
        elif level == "error":
            self.inputs.diags.error(code, f"service {s}: {text}", pos, hint=hint)
        else:
            self.inputs.note(code, f"service {s}: {text}", pos, hint=hint)


# the values the import reads as written (no reader of theirs interpolates): Compose interpolates every value
PLAIN = (("stop_grace_period",), *(("healthcheck", k) for k in ("interval", "timeout", "start_period", "start_interval")),
         *(("deploy", "resources", p, k) for p in ("limits", "reservations") for k in ("cpus", "memory")))


def _interpolated(services: dict, variables: dict, unresolved: set) -> None:
    """The values of :data:`PLAIN` and the list form of `depends_on` (appwrite's
    `- ${_APP_DB_HOST:-postgresql}`) interpolated in place, each once (a mapping an alias
    shares is one)."""
    seen: set = set()
    for svc in services.values():
        if not isinstance(svc, dict):
            continue
        deps = svc.get("depends_on")
        if isinstance(deps, list) and id(deps) not in seen:
            seen.add(id(deps))
            deps[:] = [interpolate(d, variables, unresolved) if isinstance(d, str) else d for d in deps]
        for path in PLAIN:
            holder = svc
            for k in path[:-1]:
                holder = holder.get(k) if isinstance(holder, dict) else None
            if isinstance(holder, dict) and isinstance(holder.get(path[-1]), str) and (id(holder), path[-1]) not in seen:
                seen.add((id(holder), path[-1]))
                holder[path[-1]] = interpolate(holder[path[-1]], variables, unresolved)


def _typed(doc: Doc, ctx) -> None:
    """The numbers and booleans written as a variable (`retries: $HEALTHCHECK_RETRIES`), read
    from the `.env` as Compose does (it interpolates, then reads the types): each becomes its
    value, or is an error at its line when the variable does not give one."""
    for path, kind in doc.typed:
        holder = doc.data
        for seg in path[:-1]:
            holder = holder[seg]
        if not isinstance(holder[path[-1]], str):
            continue   # (a mapping an alias shares: read at its first path)
        text = interpolate(holder[path[-1]], ctx.vars, ctx.unresolved).strip()
        low = text.lower()
        if kind in ("int", "num") and re.fullmatch(r"[-+]?\d+", text):
            holder[path[-1]] = int(text)
        elif kind == "num" and re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?", text):
            holder[path[-1]] = float(text)
        elif kind == "bool" and low in ("true", "false"):
            holder[path[-1]] = low == "true"
        else:
            ctx.inputs.diags.error(WRONG, f"{shown(path)} must be {WANTED[kind]} once its variables are read, "
                                   "and is not", _find(doc.loc, path),
                                   hint="set the variable in the .env file beside the Compose file")
            del holder[path[-1]]   # (reported: what reads the service next does not meet it)


def extract(doc: Doc, base: Path, project: str, inputs: Inputs) -> tuple[list[Extracted], list[str], Ctx]:
    ctx = Ctx(doc, base, project, inputs)
    _typed(doc, ctx)
    services = doc.data["services"]
    ctx.routes = proxy.table(services, ctx.vars)
    ctx.routed_ports = {n: p for n, r in ctx.routes.items() if (p := proxy.routed_port(services[n], ctx.vars, r))}
    names = {s: dns(s) for s in services}
    done = parts.completed(services)
    ctx.credentials = known_credentials(services, ctx.vars)
    items: list[Extracted] = []
    for s in sorted(services):
        svc = services[s] or {}
        why = task(svc, s) if s not in done and isinstance(svc, dict) else None
        if why:
            ctx.say(s, f"a one-shot task ({why}; no port, no restart but on failure): a Job, which runs to "
                       "completion (a Deployment's pod would be restarted forever)",
                    ("entrypoint",) if svc.get("entrypoint") else ("command",))
        d = service_doc(s, svc, names, ctx, s in done or bool(why))
        if d is None:
            continue
        n = ctx.notes.get(s, [])
        d["_notes"] = n
        items.append(Extracted(d, [], n))
    items += addresses.acyclic(items, names, ctx)
    shared_credentials(items, ctx, {v: k for k, v in names.items()})
    renamed_called(names, items, ctx)
    for name in sorted(ctx.secrets):
        items.append(Extracted({"kind": "Secret", "name": name, "keys": sorted(ctx.secrets[name])}, [], []))
    for name in sorted(ctx.configs):
        items.append(Extracted({"kind": "ConfigMap", "name": name, "data": ctx.configs[name]}, [], []))
    for name in sorted(ctx.claims):  # a named volume Compose creates: a claim the project declares
        items.append(Extracted({"kind": "Resource", "name": name, "_manifest_note": f"the Compose volume "
                                f"{ctx.claims[name][0]}: Compose gives no size, set yours", "manifest": {
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}, [], []))
    items += networks.admitting(items, names, ctx)
    networks.fixed_addresses(items, names, ctx)
    read = shell_vars(items, ctx)
    if read:
        inputs.note(NOT_CARRIED, f"{', '.join(read)}: set by Compose from the shell at run time, empty when it does not: "
                    "`${vars.NAME}` in the environment, commands and healthchecks of the services that read them, "
                    "empty until the project "
                    "file's `vars:` sets them", ctx.pos(("services",)),
                    hint="set each in skyspec.yaml's `vars:`, or per environment (`environments.<env>.vars`)")
    if ctx.unresolved - set(read):
        inputs.note(NOT_CARRIED, f"{', '.join(sorted(ctx.unresolved - set(read)))}: set by Compose from the shell at "
                    "run time; kept literal", ctx.pos(("services",)), hint="set them per environment in an overlay")
    notes = [f"{s}: {x}" for s in sorted(ctx.notes) for x in ctx.notes[s]]
    return items, notes, ctx


def _is_db(image: str) -> bool:
    base = image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]
    # (`postgres-16`; zulip's `zulip-postgresql`, a database by its last word; chatwoot's `pgvector/pgvector`,
    # built from postgres: its volume was a claim beside the template's, which nothing mounted)
    return any(base == d or base.startswith(d + "-") or base.endswith("-" + d) for d in parts.DATABASES) or \
        (official(image) or "") in parts.DATABASES


def _environment(s: str, svc: dict, ctx: Ctx) -> dict[str, tuple[str, tuple]]:
    """{variable: (value, where it was written)} of a service."""
    env: dict[str, tuple[str, tuple]] = {}
    files = svc.get("env_file") or []
    listed = [files] if isinstance(files, (str, dict)) else files
    for i, f in enumerate(listed):
        rel, required = (f.get("path"), f.get("required", True)) if isinstance(f, dict) else (f, True)
        at = ("env_file",) if isinstance(files, (str, dict)) else ("env_file", i)
        text = read_text(ctx.base, str(rel), ctx.inputs, ctx.pos(("services", s) + at), "env_file",
                         optional=not required)
        for k, v in dotenv(text or "", {**ctx.vars, **{k: v for k, (v, _) in env.items()}}).items():
            env[k] = (v, at)   # (an env_file reads the ones before it, then the `.env`, as Compose does)
    ctx.env_files[s] = {k: v for k, (v, _) in env.items()}
    raw = svc.get("environment") or {}
    if isinstance(raw, list):
        pairs = [(x.split("=", 1)[0], x.split("=", 1)[1] if "=" in x else None, ("environment", i))
                 for i, x in enumerate(map(str, raw))]
    else:
        pairs = [(k, v, ("environment", k)) for k, v in raw.items()]
    for k, v, at in pairs:
        if v is None and str(k) in ctx.vars:   # Compose resolves it from the project's `.env` too, as is
            v = str(ctx.vars[str(k)]).replace("$", "$$")
        elif v is None:
            ctx.say(s, f"environment {k} is passed through from the host", at, "warning",
                    hint="set its value per environment in an overlay (`apps: {NAME: {env: {...}}}`)")
            continue
        if isinstance(v, (dict, list)):
            ctx.say(s, f"environment {k} is a {type(v).__name__}, not a value", at, "error", code=WRONG)
            continue
        env[str(k)] = (interpolate("true" if v is True else "false" if v is False else str(v), ctx.vars,
                                   ctx.unresolved), at)
    return env


def service_doc(s: str, svc: dict, names: dict, ctx: Ctx, one_shot: bool) -> dict | None:
    name = names[s]
    image = svc.get("image")
    if not image:
        image = f"{ctx.project}-{name}:latest"
        b = svc.get("build")
        ctx.say(s, f"built from {(b or {}).get('context') if isinstance(b, dict) else b}: image {image} is "
                "Compose's default name", ("build",), "warning",
                hint="push the image and set its name in the spec (`image: REGISTRY/NAME:TAG`)")
    image = interpolate(str(image), ctx.vars, ctx.unresolved)
    env = _environment(s, svc, ctx)
    vols, storage = parts.volumes(s, svc, image, ctx, _is_db(image))
    built = compose_build.dockerfile(s, svc, image, vols, storage, ctx) if svc.get("build") else None
    parts.shared_memory(s, svc, vols, ctx)
    parts.tmpfs(s, svc, vols, ctx)
    kind = "Job" if one_shot else "StatefulApp" if storage else "App"
    doc: dict = {"kind": kind, "name": name, "image": image}
    if built is not None and built.base and official(built.base) and not official(image):
        doc["_base"] = built.base   # (robot-shop's `mongodb`, `FROM mongo:5`: it writes what mongo writes)
    if ctx.image_inits.get(s):
        doc["init"] = dict(ctx.image_inits[s])
    doc["_at"] = ctx.doc.loc.child("services").key_pos(s) or ctx.pos(("services", s))
    doc["_from"] = {k: ctx.pos(("services", s, src)) for k, src in (
        ("image", "image"), ("command", "entrypoint"), ("args", "command"), ("port", "ports"), ("ports", "ports"),
        ("env", "environment"), ("secrets", "environment"), ("health", "healthcheck"), ("volumes", "volumes"),
        ("storage", "volumes"), ("resources", "deploy"), ("replicas", "deploy"), ("connect_to", "depends_on"),
        ("lifecycle", "stop_grace_period")) if src in svc}
    passed: dict[str, tuple[str, str]] = {}   # a credential the command, probe or a hook passes: name -> (value, key)
    for key, field in (("entrypoint", "command"), ("command", "args")):
        if svc.get(key):   # interpolated as Compose does, before it splits a string into words
            raw = svc[key]
            refs = [credential_refs(x, ctx.vars, _MARKED) for x in ([raw] if isinstance(raw, str) else map(str, raw))]
            passed.update({n: (v, key) for _, found in refs for n, v in found.items()})
            words = argv(interpolate(refs[0][0], ctx.vars, ctx.unresolved, MARK) if isinstance(raw, str) else
                         [interpolate(x, ctx.vars, ctx.unresolved, MARK) for x, _ in refs])
            if words is None:
                ctx.say(s, f"{key} cannot be split into words (an unclosed quote)", (key,), "error", code=WRONG)
            else:
                doc[field] = [_literal_credentials(_for_kubelet(w), env, ctx.credentials, passed, key) for w in words]
    ports, published = parts.ports(s, svc, ctx)
    routed = proxy.route(s, name, svc, ports, ctx) if kind != "Job" else None   # (may declare the port it routes to)
    proxy.proxy_note(s, image, ctx)
    if kind != "Job":
        if list(ports) == ["http"] and isinstance(ports["http"], int):
            doc["port"] = ports["http"]
        elif ports:
            doc["ports"] = ports
        if published or routed:
            doc["expose"] = routed or True
    elif ports:
        ctx.say(s, "ports left out: the service is a one-shot Job (others wait for it to complete)", ("ports",),
                "warning")
    health = probe.health(s, svc, ctx, passed)
    hooked = hooks(s, svc, ctx, passed)
    plain: dict = {}
    secrets: dict = {}
    for k, (v, at) in env.items():
        why, held = credential_env(k, v), [v]
        if not why and (got := holds_credential(v, ctx.credentials)):
            why, held = got   # (the credentials in it are what is secret: not every word of a config block)
        if why:
            secrets[k] = {"secret": f"{name}-env", "key": k}
            ctx.secrets.setdefault(f"{name}-env", set()).add(k)
            ctx.values[(f"{name}-env", k)] = v
            loc = ctx.doc.loc.find(("services", s) + at)
            for value in held:
                ctx.inputs.secret(value, ctx.doc.file, loc if at[0] == "environment" and value == v else None)
            ctx.say(s, f"environment {k} {why}: moved to Secret {name}-env, key {k}; its value is not written", at,
                    code=SECRET, hint=f"supply it at deploy time (the Secret {name}-env)")
            in_secret(s, k, v, ctx)   # (a renamed service's address in it: renamed_called says so)
        else:
            plain[k] = renamed(s, k, v, at, ctx)
    for k, (v, key) in sorted(passed.items()):
        ctx.inputs.secret(v, ctx.doc.file, None)
        plain.pop(k, None)   # (an empty value of its name in the environment: the Secret's is what it reads)
        if k not in secrets:
            secrets[k] = {"secret": f"{name}-env", "key": k}
            ctx.secrets.setdefault(f"{name}-env", set()).add(k)
            ctx.values[(f"{name}-env", k)] = v
        shell = key in ("healthcheck", "post_start", "pre_stop")   # (Kubernetes expands `$(VAR)` in neither)
        how = f"written `$({k})`, which Kubernetes expands" if not shell else \
            f"its shell (`sh -c`) reads `${{{k}}}` from the container's environment, set"
        ctx.say(s, f"{key} passes credential {k}: {how} from Secret {name}-env, key {k}; its value is not written. The "
                   f"built Compose file " + (f"expands it as Kubernetes does, from {k}'s variable in .env" if not shell
                                             else f"sets {k} from its variable in .env"), (key,),
                "warning", code=SECRET, hint=f"supply {k} at deploy time (the Secret {name}-env)")
    if plain:
        doc["env"] = plain
    if secrets:
        doc["secrets"] = secrets
    if health:
        doc["health"] = health
    if vols:
        doc["volumes"] = vols
    if storage:
        doc["storage"] = storage
    connect = parts.depends(s, svc, names, ctx, env)
    if connect:
        doc["connect_to"] = connect
        doc["_connect_note"] = "from depends_on (Compose waits for a healthcheck where the target has one) and " \
                               "the addresses in the environment"
    compose_deploy.deploy(s, svc, doc, ctx)
    parts.rest(s, svc, doc, ctx, hooked)
    return doc


def known_keys() -> set[str]:
    return set(SERVICE) | {"container_name"}
