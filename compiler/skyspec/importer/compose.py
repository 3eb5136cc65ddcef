"""A Compose file into spec documents: each service becomes an `App` (a `StatefulApp` with
`storage` when it is a database image keeping a named volume), with image, entrypoint and
command, ports, environment (with `env_file`s and the `.env` interpolation Compose does),
secrets as `kind: Secret` with `keys:` mounted where Compose mounts them, named volumes,
configs, healthcheck as an `exec` health check, `depends_on` as `connect_to`; what the
language leaves to the environment profile (resources, replicas) or what it cannot say
(bind mounts, networks, profiles, restart policies, users) gets a note, written as a comment
in the spec and printed. It reads files only inside the Compose file's folder, never reads
a secret's file, and moves every credential-looking environment value into a Secret whose
value it never writes.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from ..redact import credential_env
from .kube import MAX_BYTES, NAME, Extracted, ImportError_

DATABASES = ("postgres", "postgis", "mysql", "mariadb", "mongo", "redis", "valkey", "elasticsearch",
             "opensearch", "rabbitmq", "cassandra", "couchdb", "neo4j", "influxdb", "clickhouse", "etcd",
             "zookeeper", "kafka", "minio", "memcached")
PORT_NAMES = {5432: "postgres", 3306: "mysql", 33060: "mysqlx", 27017: "mongo", 6379: "redis", 9200: "http",
              5672: "amqp", 9092: "kafka", 11211: "memcached"}
COMPOSE_INTERVAL, COMPOSE_TIMEOUT = 30, 30     # Compose's healthcheck defaults (seconds)
_VAR = re.compile(r"\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def dns(name: str) -> str:
    n = re.sub(r"[^a-z0-9-]+", "-", str(name).lower()).strip("-")[:63].strip("-")
    return n or "x"


def read(path: Path) -> dict:
    if not path.is_file():
        raise ImportError_(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise ImportError_(f"{path}: larger than 4 MiB")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ImportError_(f"{path}{where}: not valid YAML") from None
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict) or not data["services"]:
        raise ImportError_(f"{path}: not a Compose file (no `services:` mapping)")
    return data


def inside(base: Path, rel: str) -> Path | None:
    """``rel`` resolved against ``base``, or None when it leads out of it (`..`, absolute,
    a symlink)."""
    p = (base / rel).resolve()
    try:
        p.relative_to(base.resolve())
    except ValueError:
        return None
    return p


def dotenv(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        k = k.strip().removeprefix("export ").strip()
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            v = v[1:-1]
        elif " #" in v:
            v = v.split(" #", 1)[0].rstrip()
        out[k] = v
    return out


def interpolate(value: str, variables: dict[str, str], unresolved: set[str]) -> str:
    """Compose's interpolation of ``value`` from ``variables`` (the `.env` file); a variable
    it lacks stays as written (added to ``unresolved``), `$$` becomes `$`."""
    def sub(m: re.Match) -> str:
        if m.group(1) == "$":
            return "$"
        name = m.group(2) or m.group(5)
        op, default = m.group(3), m.group(4)
        v = variables.get(name)
        if op in (":-", "-") and (v is None or (op == ":-" and v == "")):
            return default or ""
        if op in (":+", "+"):
            return (default or "") if v not in (None, "") or (op == "+" and v is not None) else ""
        if v is None:
            unresolved.add(name)
            return m.group(0)
        return v
    return _VAR.sub(sub, value)


def seconds(d) -> int | None:
    if isinstance(d, (int, float)):
        return max(1, int(d))
    total = 0.0
    for n, unit in re.findall(r"([0-9.]+)(us|ms|s|m|h)", str(d)):
        total += float(n) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}[unit]
    return max(1, int(-(-total // 1))) if total else None


def argv(v) -> list[str]:
    return shlex.split(v) if isinstance(v, str) else [str(x) for x in v or []]


class Ctx:
    def __init__(self, data: dict, base: Path, project: str):
        self.data, self.base, self.project = data, base, project
        env = base / ".env"
        self.vars = dotenv(env.read_text(encoding="utf-8")) if env.is_file() and inside(base, ".env") else {}
        self.secrets: dict[str, set] = {}   # Secret name -> keys
        self.configs: dict[str, dict] = {}  # ConfigMap name -> data
        self.unresolved: set[str] = set()
        self.env_files: dict[str, dict] = {}  # service -> what its env_files set


def extract(data: dict, base: Path, project: str) -> tuple[list[Extracted], list[str], Ctx]:
    ctx = Ctx(data, base, project)
    services = data["services"]
    names = {s: dns(s) for s in services}
    items: list[Extracted] = []
    notes: list[str] = []
    for s in sorted(services):
        svc = services[s] or {}
        if not isinstance(svc, dict):
            raise ImportError_(f"services.{s}: not a mapping")
        doc, n = service_doc(s, svc, names, ctx)
        notes += [f"{s}: {x}" for x in n]
        doc["_notes"] = n
        items.append(Extracted(doc, [], n))
    for name in sorted(ctx.secrets):
        items.append(Extracted({"kind": "Secret", "name": name, "keys": sorted(ctx.secrets[name])}, [], []))
    for name in sorted(ctx.configs):
        items.append(Extracted({"kind": "ConfigMap", "name": name, "data": ctx.configs[name]}, [], []))
    if ctx.unresolved:
        notes.append(f"{', '.join(sorted(ctx.unresolved))}: set by Compose from the shell at run time; kept "
                     "literal (set them per environment in an overlay)")
    return items, notes, ctx


def _is_db(image: str) -> bool:
    base = image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]
    return any(base == d or base.startswith(d + "-") for d in DATABASES)


def _environment(s: str, svc: dict, ctx: Ctx, notes: list[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    files = svc.get("env_file") or []
    for f in [files] if isinstance(files, (str, dict)) else files:
        rel, required = (f.get("path"), f.get("required", True)) if isinstance(f, dict) else (f, True)
        p = inside(ctx.base, str(rel))
        if p is None:
            raise ImportError_(f"env_file {rel}: outside the Compose file's folder; not read")
        if not p.is_file():
            if required:
                raise ImportError_(f"env_file {rel}: no such file")
            continue
        if p.stat().st_size > MAX_BYTES:
            raise ImportError_(f"env_file {rel}: larger than 4 MiB")
        env.update(dotenv(p.read_text(encoding="utf-8")))
    ctx.env_files[s] = dict(env)
    raw = svc.get("environment") or {}
    if isinstance(raw, list):
        pairs = [(x.split("=", 1)[0], x.split("=", 1)[1] if "=" in x else None) for x in map(str, raw)]
    else:
        pairs = list(raw.items())
    for k, v in pairs:
        if v is None:
            notes.append(f"environment {k} is passed through from the host: set it in an overlay")
            continue
        env[str(k)] = interpolate("true" if v is True else "false" if v is False else str(v), ctx.vars, ctx.unresolved)
    return env


def _ports(svc: dict, notes: list[str]) -> tuple[dict, bool]:
    ports: dict = {}
    published = False

    def add(target: int, host: int | None, proto: str) -> None:
        if any((p if isinstance(p, int) else p["port"]) == target for p in ports.values()):
            return
        name = PORT_NAMES.get(target) or ("http" if not ports else None)
        name = name if name and name not in ports else f"p{target}"
        entry: dict = {"port": target}
        if proto != "tcp":
            entry["protocol"] = proto.upper()
        if host is not None and host != target:
            entry["host_port"] = host
        ports[name] = target if set(entry) == {"port"} else entry

    for p in svc.get("ports") or []:
        if isinstance(p, dict):
            t, h, proto = p.get("target"), p.get("published"), p.get("protocol", "tcp")
        else:
            text, proto = (str(p).split("/", 1) + ["tcp"])[:2]
            parts = text.split(":")
            t = parts[-1]
            h = parts[-2] if len(parts) >= 2 else None
        if "-" in str(t) or "-" in str(h or ""):
            notes.append(f"port range {p} left out: name each port")
            continue
        add(int(t), int(h) if h not in (None, "") else None, proto)
        published = True
    for p in svc.get("expose") or []:
        text, proto = (str(p).split("/", 1) + ["tcp"])[:2]
        if "-" in text:
            notes.append(f"expose range {p} left out: name each port")
            continue
        add(int(text), None, proto)
    return ports, published


def _health(svc: dict, notes: list[str]) -> dict | None:
    hc = svc.get("healthcheck")
    if not isinstance(hc, dict):
        return None
    if hc.get("disable"):
        notes.append("healthcheck disabled: the image's own HEALTHCHECK is not used in Kubernetes")
        return None
    test = hc.get("test")
    if isinstance(test, str):
        cmd = ["sh", "-c", test]
    elif isinstance(test, list) and test and test[0] == "CMD":
        cmd = [str(x) for x in test[1:]]
    elif isinstance(test, list) and test and test[0] == "CMD-SHELL":
        cmd = ["sh", "-c", " ".join(str(x) for x in test[1:])]
    else:
        if test:
            notes.append("healthcheck test NONE: no health check")
        return None
    if not cmd:
        return None
    h: dict = {"exec": cmd, "period": seconds(hc.get("interval")) or COMPOSE_INTERVAL,
               "timeout": seconds(hc.get("timeout")) or COMPOSE_TIMEOUT}
    if hc.get("retries") is not None:
        h["failure_threshold"] = int(hc["retries"])
    if hc.get("start_period") is not None and seconds(hc["start_period"]):
        h["initial_delay"] = seconds(hc["start_period"])
    return h


def _volumes(s: str, svc: dict, image: str, ctx: Ctx, notes: list[str]) -> tuple[dict, dict]:
    """(volumes, storage) of a service."""
    named = ctx.data.get("volumes") or {}
    vols: dict = {}
    storage: dict = {}
    for i, v in enumerate(svc.get("volumes") or []):
        if isinstance(v, dict):
            typ, src, dst, ro = v.get("type", "volume"), v.get("source"), v.get("target"), bool(v.get("read_only"))
        else:
            parts = str(v).split(":")
            ro = len(parts) == 3 and "ro" in parts[2].split(",")
            src, dst = (parts[0], parts[1]) if len(parts) >= 2 else (None, parts[0])
            typ = "bind" if src and (src.startswith((".", "/", "~")) or "/" in src) else "volume"
        if not dst or not str(dst).startswith("/"):
            notes.append(f"volume {v} left out: no absolute target")
            continue
        if typ == "bind":
            notes.append(f"bind mount {src} -> {dst} left out: put the files in the image or a ConfigMap")
            continue
        if typ == "tmpfs":
            vols[f"tmp-{i}"] = {"empty": {"memory": True}, "mount": dst}
            continue
        if typ != "volume":
            notes.append(f"volume of type {typ} at {dst} left out")
            continue
        if not src:
            vols[f"scratch-{i}"] = {"empty": True, "mount": dst}
            continue
        ext = (named.get(src) or {}).get("external") if isinstance(named.get(src), dict) else None
        if _is_db(image) and not ext:
            key = "data" if "data" not in storage else dns(src)
            storage[key] = {"size": "1Gi", "mount": dst}
            notes.append(f"volume {src}: storage {key} of 1Gi per replica (Compose gives no size: set yours)")
            continue
        vols[dns(src)] = {"claim": dns(src), "mount": dst, **({"read_only": True} if ro else {})}
        notes.append(f"volume {src}: a PersistentVolumeClaim named {dns(src)} must exist in the cluster")
    for i, c in enumerate(svc.get("configs") or []):
        src, dst = (c, f"/{c}") if isinstance(c, str) else (c.get("source"), c.get("target") or f"/{c.get('source')}")
        top = (ctx.data.get("configs") or {}).get(src) or {}
        content = None
        if "content" in top:
            content = str(top["content"])
        elif "file" in top:
            p = inside(ctx.base, str(top["file"]))
            if p is not None and p.is_file() and p.stat().st_size <= 1 << 20:
                try:
                    content = p.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    content = None
        if content is None:
            notes.append(f"config {src} left out: its file is not inside the Compose folder or not text")
            continue
        key = dns(Path(str(dst)).name)
        ctx.configs.setdefault(dns(src), {})[key] = content
        vols[f"config-{dns(src)}"[:63]] = {"config": dns(src), "mount": str(dst), "sub_path": key, "read_only": True}
    for sec in svc.get("secrets") or []:
        src, dst = (sec, sec) if isinstance(sec, str) else (sec.get("source"), sec.get("target") or sec.get("source"))
        name, key = dns(src), re.sub(r"[^-._a-zA-Z0-9]", "-", str(src))
        ctx.secrets.setdefault(name, set()).add(key)
        mount = dst if str(dst).startswith("/") else f"/run/secrets/{dst}"
        vols[f"secret-{name}"[:63]] = {"secret": name, "mount": mount, "sub_path": key, "read_only": True}
    return vols, storage


def service_doc(s: str, svc: dict, names: dict, ctx: Ctx) -> tuple[dict, list[str]]:
    notes: list[str] = []
    name = names[s]
    image = svc.get("image")
    if not image:
        image = f"{ctx.project}-{name}:latest"
        notes.append(f"built from {((svc.get('build') or {}) if isinstance(svc.get('build'), dict) else {}).get('context', svc.get('build'))}"
                     f": image {image} is Compose's default name; push it and set your registry's")
    image = interpolate(str(image), ctx.vars, ctx.unresolved)
    env = _environment(s, svc, ctx, notes)
    vols, storage = _volumes(s, svc, image, ctx, notes)
    doc: dict = {"kind": "StatefulApp" if storage else "App", "name": name, "image": image}
    if svc.get("entrypoint"):
        doc["command"] = argv(svc["entrypoint"])
    if svc.get("command"):
        doc["args"] = argv(svc["command"])
    ports, published = _ports(svc, notes)
    if list(ports) == ["http"] and isinstance(ports["http"], int):
        doc["port"] = ports["http"]
    elif ports:
        doc["ports"] = ports
    if published:
        doc["expose"] = True
    plain: dict = {}
    secrets: dict = {}
    for k, v in env.items():
        if credential_env(k, v):
            secrets[k] = {"secret": f"{name}-env", "key": k}
            ctx.secrets.setdefault(f"{name}-env", set()).add(k)
        else:
            plain[k] = v.replace("${", "$${")
    if plain:
        doc["env"] = plain
    if secrets:
        doc["secrets"] = secrets
        notes.append(f"{', '.join(secrets)}: credentials moved to Secret {name}-env (values supplied at deploy time)")
    health = _health(svc, notes)
    if health:
        doc["health"] = health
    if vols:
        doc["volumes"] = vols
    if storage:
        doc["storage"] = storage
    deps = svc.get("depends_on") or []
    deps = {d: {"condition": "service_started"} for d in deps} if isinstance(deps, list) else deps
    connect = []
    for d, opts in sorted(deps.items()):
        target = ctx.data["services"].get(d) or {}
        if not (target.get("ports") or target.get("expose")):
            notes.append(f"depends_on {d}: no port to connect to, so no connect_to (start order not kept)")
            continue
        connect.append(names.get(d, dns(d)))
    if connect:
        doc["connect_to"] = connect
        doc["_connect_note"] = "from depends_on (Compose waits for a healthcheck where the target has one)"
    deploy = svc.get("deploy") or {}
    if isinstance(deploy.get("replicas"), int):
        doc["replicas"] = deploy["replicas"]
    else:
        notes.append("replicas and resources: Compose does not say, the environment's profile defaults apply")
    res = (deploy.get("resources") or {})
    r: dict = {}
    for part, cpu, mem in (("reservations", "cpu", "memory"), ("limits", "cpu_limit", "memory_limit")):
        p = res.get(part) or {}
        if p.get("cpus") is not None:
            r[cpu] = f"{int(round(float(p['cpus']) * 1000))}m"
        if p.get("memory") is not None:
            r[mem] = re.sub(r"^(\d+)([kmg])b?$", lambda m: m.group(1) + m.group(2).upper() + "i",
                            str(p["memory"]).lower())
    if r:
        doc["resources"] = r
    for key, what in (("profiles", "only started with the profiles {v}: make it an environment's overlay"),
                      ("networks", "networks {v}: one network, with NetworkPolicies from connect_to"),
                      ("user", "runs as user {v} in Compose; skyspec runs as a non-root UID"),
                      ("restart", "restart: {v} (skyspec: unless-stopped for Apps)")):
        if svc.get(key):
            v = svc[key]
            notes.append(what.format(v=", ".join(map(str, v)) if isinstance(v, (list, dict)) else v))
    if not NAME.match(name):
        raise ImportError_(f"services.{s}: cannot be named as a DNS label")
    return doc, notes
