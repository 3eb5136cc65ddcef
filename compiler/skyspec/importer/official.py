"""Official images in an import: a workload whose main container runs an official image
(`postgres`, `redis`, `mongo`, `nginx`, ... as :data:`skyspec.rules.official_image.KNOWN`
lists them) would crash-loop under skyspec's hardened defaults (UID 10001, a read-only root
filesystem) unless the input already makes it run (as root, or with a writable volume at
every path the image writes). Such a workload is said with the image's stdlib template when
there is one (`use: postgres`, `version:` the image's tag, the template's params from the
input's env, the importer's credential Secret keyed `password` as the template's
`credentials`, the template's storage, user and probes), else with the relaxations and
`emptyDir` volumes the rule's hint names. The spec as the input said it is kept beside
(`_plain`), so a workload whose round trip the template cannot explain goes back to it.
The importer calls :func:`apply_all` on the extracted documents of both kinds of input
(manifests, Compose), and :func:`undo` where the round trip finds a difference it cannot
name; the fidelity modules name what the template changes by :func:`category` and
:func:`compose_category`; :func:`notes` says at each image line why (SKY063). It reads no
input (the stdlib templates are the package's own data) and writes nothing.
"""

from __future__ import annotations

import copy
import re
import shlex
from functools import lru_cache

import yaml

from ..paths import data_dir
from ..rules._common import split_image
from ..rules.official_image import DATA, KNOWN, data_key, derived, official, own_uid, written

# template -> {env variable: the template's param} (the variable is the param's own)
PARAMS = {"postgres": {"POSTGRES_USER": "user", "POSTGRES_DB": "database"},
          "mysql": {"MYSQL_USER": "user", "MYSQL_DATABASE": "database"},
          "mongodb": {"MONGO_INITDB_ROOT_USERNAME": "user"},
          "rabbitmq": {"RABBITMQ_DEFAULT_USER": "user", "RABBITMQ_DEFAULT_VHOST": "vhost"}}
# template -> {env variable: key of the `credentials` Secret}, for a user (mysql: root or not)
PASSWORDS = {"postgres": {"POSTGRES_PASSWORD": "password"},
             "mongodb": {"MONGO_INITDB_ROOT_PASSWORD": "password"},
             "elasticsearch": {"ELASTIC_PASSWORD": "password"}}
# template -> the variables one of which the image needs to start (the template refuses to build without)
NEEDED = {"postgres": ("POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE", "POSTGRES_HOST_AUTH_METHOD"),
          "mysql": ("MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", "MYSQL_ALLOW_EMPTY_PASSWORD",
                    "MYSQL_RANDOM_ROOT_PASSWORD"),
          "rabbitmq": ("RABBITMQ_DEFAULT_PASS",)}
# template -> the variables its component writes (besides the template's own `env:`); a
# prefix ends in "_" (config settings)
WRITES = {"postgres": ("POSTGRES_PASSWORD",), "mysql": ("MYSQL_USER", "MYSQL_DATABASE", "MYSQL_PASSWORD",
                                                        "MYSQL_ROOT_PASSWORD"),
          "mongodb": ("MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD"), "redis": ("REDIS_PASSWORD",),
          "rabbitmq": ("RABBITMQ_PASSWORD",), "elasticsearch": ("ELASTIC_PASSWORD", "ES_SETTING_"),
          "kafka": ("CLUSTER_ID", "KAFKA_")}
MYSQL_ROOT = {"MYSQL_ROOT_PASSWORD": "password"}
MYSQL_USER = {"MYSQL_PASSWORD": "password", "MYSQL_ROOT_PASSWORD": "root-password"}
# what a workload must not have for its template: the template's kind cannot say it, or
# the input chose how the image runs (its user, its own kind of workload)
KEEP_OUT = ("security", "autoscale", "sidecars", "init", "k8s")
# spec keys the template's workload does not carry from the input
DROPPED = ("health", "strategy", "port", "ports")


@lru_cache(maxsize=None)
def template(name: str) -> dict:
    """The stdlib template ``name`` (the package's own YAML)."""
    return yaml.safe_load((data_dir("stdlib") / f"{name}.yaml").read_text(encoding="utf-8"))


def _mounts(doc: dict) -> list[str]:
    vols = [v.get("mount") for v in (doc.get("volumes") or {}).values()
            if isinstance(v, dict) and not v.get("read_only") and ("empty" in v or "claim" in v)]
    st = [s.get("mount") for s in (doc.get("storage") or {}).values() if isinstance(s, dict)]
    return [m for m in vols + st if isinstance(m, str)]


def covered(path: str, mounts: list[str]) -> bool:
    """Whether ``path`` is at or below one of ``mounts``."""
    return any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounts)


def missing(doc: dict) -> tuple[str, list[str], bool] | None:
    """(KNOWN key, the paths the image writes that are not writable, whether it must start as
    root) when the workload would crash-loop as the rule finds it; None when it runs."""
    image = doc.get("_base") or doc.get("image")   # (`_base`: the image its Dockerfile builds it from)
    key = official(image) if isinstance(image, str) else None
    sec = doc.get("security") or {}
    if key is None and isinstance(image, str) and sec.get("run_as_user") is not None:
        key = _built_by_data(doc)
    if key is None:
        return None
    _, uid, _, needs_root, _ = KNOWN[key]
    root = bool(sec.get("run_as_root"))
    paths = written(key, doc.get("command"), doc.get("args"), image, root)
    user_ok = root or (uid is not None and sec.get("run_as_user") == uid)
    mounts = _mounts(doc)
    gone = [p for p in paths if not (covered(p, mounts) or (sec.get("writable_root_fs") and user_ok))]
    if not gone and (root or not needs_root):
        return None
    return key, gone, needs_root


def _built_by_data(doc: dict) -> str | None:
    """The key of the official image a workload's image of another name is built from, where
    it mounts that image's data folder as that image's own user, as the input says (Harbor's
    chart runs `goharbor/harbor-db` as postgres' 999 on /var/lib/postgresql/data; its socket
    folder /run/postgresql is on the read-only root). Without the input's user the rule
    reports it and the import leaves it (Bank of Anthos' `accounts-db`: which user is unsaid)."""
    return data_key(_mounts(doc), (doc.get("security") or {}).get("run_as_user"))[0]


def _official(image: str) -> str:
    return "built from the official" if derived(image) else "the official"   # (pgvector/pgvector, Immich's postgres)


def version_of(image: str) -> str:
    """The template's `version`: the image's tag as written (`15-alpine`); `latest` when the
    image has none (what the registry serves then: the import must not move a database to
    another major version than the one whose files it keeps)."""
    return split_image(image)[1] or "latest"


def apply(doc: dict, creds: list[str], plain_secret: str, use: bool = True) -> dict | None:
    """Makes ``doc`` (a workload spec as the importer wrote it) run its official image:
    returns what changed ({"template", "paths", "why", "keys"}) or None (not an official
    image, or it runs already, or no way the importer can say). ``creds`` are the variables
    moved into the importer's Secret ``plain_secret`` (renamed in place to the template's
    keys); the spec as it was is kept as ``doc["_plain"]``. Where the template cannot say
    the input (or not ``use``), the image's own user and emptyDir volumes where it writes."""
    found = missing(doc)
    if found is None or doc.get("kind") not in ("App", "StatefulApp"):
        return None
    key, gone, needs_root = found
    tmpl_name, uid, paths, _, fix = KNOWN[key]
    before = copy.deepcopy({k: v for k, v in doc.items() if k != "_from"})
    if tmpl_name is None:
        return _relax(doc, key, gone, fix, before)
    # the image's own user, where the template cannot say the input (postgres' Alpine tags: 70)
    own = f"`security: {{run_as_user: {own_uid(key, doc.get('_base') or doc['image'])}}}`"
    given = set(doc.get("env") or {}) | set(doc.get("secrets") or {})
    why = ("the round trip or the template refuses the input as the template says it" if not use
           else "the input has " + ", ".join(k for k in KEEP_OUT if k in doc) if any(k in doc for k in KEEP_OUT
                                                                                   if k != "security")
           else "the input sets its own security" if set(doc.get("security") or {}) - {"add_capabilities"}
           else f"replicas: {doc['replicas']} (the template runs one server)"
           if isinstance(doc.get("replicas"), int) and doc["replicas"] > 1
           # (baserow's `redis-server --requirepass ${REDIS_PASSWORD}`: the template's `redis-cli ping` gets NOAUTH)
           else "its command sets a password, which the template's probes would not give (they would never pass)"
           if tmpl_name == "redis" and any("requirepass" in str(w) for w in [*(doc.get("command") or []),
                                                                             *(doc.get("args") or [])])
           else ("the input may give the image its password through `env_from`, which the template does not read "
                 "(it requires `credentials`)" if doc.get("env_from")
                 else "the input gives the image no password, which the template requires")
           if tmpl_name in NEEDED and not given & set(NEEDED[tmpl_name]) else None)
    if why is None:
        info = _use(doc, key, tmpl_name, creds, plain_secret, before)
        if info is not None:
            return info
        why = "the input has ports the template does not"
    return _relax(doc, key, gone, own, before, f"; not `use: {tmpl_name}`: {why}")


# folders an image ships files in and writes at its start (Elasticsearch its keystore, Kafka its
# properties, CouchDB its docker.ini beside the README and whatever .ini an image built from it adds):
# an emptyDir there is filled from the image first, by an init container, as the templates do
COPIED = ("/usr/share/elasticsearch/config", "/opt/kafka/config", "/opt/couchdb/etc/local.d", "/opt/recipes/http.d")
# those an image's older tags lack, where the volume then starts empty (Tandoor's nginx, in its image from 2.0 on)
COPIED_IF_THERE = ("/opt/recipes/http.d",)


def volume_name(path: str, taken: set, prefix: str = "", default: str = "writable") -> str:
    """The name of a volume at ``path`` (its words, after ``prefix``), none of ``taken``: the
    first that is gets `-w`, the next `-w2`, ..., within a name's 63 characters."""
    base = (prefix + re.sub(r"[^a-z0-9-]+", "-", path.lower()).strip("-"))[:63].strip("-") or default
    name, n = base, 0
    while name in taken:
        n += 1
        tail = "-w" if n == 1 else f"-w{n}"
        name = base[:63 - len(tail)].rstrip("-") + tail
    return name


def filled_from_image(image, path: str, name: str, maybe: bool = False) -> tuple[str, dict]:
    """(name, spec) of an init container of ``image`` that copies what the image holds at
    ``path`` into volume ``name`` first, as Docker fills a new anonymous volume (a template's
    config folder, a Dockerfile's `VOLUME` the image puts files in); with ``maybe``, a
    ``path`` the image may lack is no failure (then the volume starts empty, as Docker's)."""
    path = path.rstrip("/") or "/"
    cp = f"cp -a {shlex.quote(path.rstrip('/') + '/.')} /mnt/{name}/"
    return f"copy-{name}"[:63], {"image": image,
                                 "command": ["sh", "-c", f"[ ! -d {shlex.quote(path)} ] || {cp}" if maybe else cp],
                                 "mounts": {name: f"/mnt/{name}"}}


def _relax(doc: dict, key: str, gone: list[str], fix: str, before: dict, why_not: str = "") -> dict | None:
    """The relaxations and emptyDir volumes the rule's hint names (no stdlib template); a
    folder of :data:`COPIED` filled from the image by an init container."""
    m = re.search(r"`security: (\{[^`]*\})`", fix)
    sec = yaml.safe_load(m.group(1)) if m else {}
    if any(p.startswith("~/") for p in KNOWN[key][2]):   # (ollama's models, MinIO's certs: in its user's home)
        sec, gone = _home(doc, key, gone)
    if doc.get("security") and any(doc["security"].get(k) != v for k, v in sec.items() if k in doc["security"]):
        return None   # the input chose otherwise
    if sec.get("run_as_root") and (doc.get("security") or {}).get("run_as_user") not in (None, 0):
        return None   # the input chose a user not root (LinuxServer's non-root operation, `user: 1000:1000`)
    vols = dict(doc.get("volumes") or {})
    claims = doc.get("storage")   # (a volume may not take a claim's name: `storage: 2Gi` is the claim `data`)
    taken = set(claims) if isinstance(claims, dict) else {"data"} if claims is not None else set()
    added = []
    for p in gone:
        name = volume_name(p, set(vols) | taken)
        vols[name] = {"empty": True, "mount": p}
        added.append(name)
    inits = []
    for name in added:
        p = vols[name]["mount"]
        init, spec = filled_from_image(doc.get("image"), p, name, p in COPIED_IF_THERE)
        if p in COPIED and isinstance(doc.get("image"), str) and init not in (doc.get("init") or {}):
            inits.append(init)
            doc["init"] = {**(doc.get("init") or {}), init: spec}
    if vols:
        doc["volumes"] = vols
    if sec:
        doc["security"] = {**(doc.get("security") or {}), **sec}
    pgdata = key == "postgres" and _claimed(doc, PG_DATA) and "PGDATA" not in (doc.get("env") or {})
    if pgdata:   # as the template does: initdb refuses a fresh volume's root (lost+found; not its owner)
        doc["env"] = {**(doc.get("env") or {}), "PGDATA": PG_DATA + "/pgdata"}
    doc["_plain"] = before
    # (robot-shop's `mongodb`, `FROM mongo:5`, says the image its Dockerfile builds it from)
    said = f", built by its Dockerfile from {doc['_base']}: the official" if doc.get("_base") else \
        f", which mounts the official {key} image's data folder as that image's user, is taken for one built " \
        "from it: the official" \
        if official(doc["image"]) is None else f": {_official(doc['image'])}"
    home = [p for p in _mounts(doc) if p.startswith("/root/") and sec.get("run_as_root") and not gone]
    why = (f"image {doc['image']}{said} {key} image keeps its files in its home as root, where the input mounts "
           f"{', '.join(home)} (/root is 0700: no other user reaches it), which UID 10001 cannot: "
           f"`security: {m.group(1)}`" if home and m else
           f"image {doc['image']}{said} {key} image {_forbidden(key, gone, inits, m.group(1) if sec else None)}"
           + (f"; PGDATA in a subdirectory of its claim ({PG_DATA}/pgdata: initdb refuses a fresh volume's root)"
              if pgdata else "") + _caveat(doc, key) + why_not)
    paths = written(key, doc.get("command"), doc.get("args"), doc.get("_base") or doc.get("image"),
                    bool((doc.get("security") or {}).get("run_as_root")))
    return {"template": None, "key": key, "paths": list(paths), "mounts": list(gone),
            "volumes": added, "why": why, "keys": {}, "inits": inits, "pgdata": pgdata}


# settings of the input an image ignores under its relaxations -> what it does instead: LinuxServer's
# base skips its usermod on a read-only root (docker-baseimage-alpine's init-adduser)
CAVEATS = {"linuxserver": (("PUID", "PGID"), "; its PUID and PGID have no effect on the read-only root (LinuxServer's "
                                             "read-only operation): its app runs as abc, UID 911, which owns /config")}


def _caveat(doc: dict, key: str) -> str:
    """What the note adds where the input sets what the image ignores when it runs as relaxed."""
    names, said = CAVEATS.get(key, ((), ""))
    return said if any(n in (doc.get("env") or {}) for n in names) else ""


def _forbidden(key: str, gone: list[str], inits: list[str], security: str | None) -> str:
    """What the image does that the hardened defaults forbid, and what the import gives it (a
    root image whose paths the input mounts already starts as root, and writes nothing more)."""
    does = ([f"writes {', '.join(gone)}"] if gone else []) + (["starts as root"] if KNOWN[key][3] else [])
    gives = ([f"emptyDir volumes there{' (filled from the image first)' if inits else ''}"] if gone else []) + \
        ([f"`security: {security}`"] if security else [])
    return f"{' and '.join(does)}, which the hardened defaults forbid: {' and '.join(gives)}"


def _home(doc: dict, key: str, gone: list[str]) -> tuple[dict, list[str]]:
    """(the security, the paths to mount) of an image that writes in its user's home (no USER:
    root's, /root): where the input mounts a volume there, as root (the image's own way: /root
    is 0700, no other user reaches it), else the paths the hardened user writes (its home /)."""
    image = doc.get("_base") or doc.get("image")
    homed = written(key, doc.get("command"), doc.get("args"), image, True)
    mine = [p for p in KNOWN[key][2] if p.startswith("~/")]
    at_root = [p.replace("~", "/root", 1) for p in mine]
    if "run_as_user" not in (doc.get("security") or {}) and any(p in homed and covered(p, _mounts(doc))
                                                                for p in at_root):   # (not a user the input chose)
        return {"run_as_root": True}, [p for p in homed if not covered(p, _mounts(doc))]
    return {}, gone


PG_DATA = next(p for p, k in DATA.items() if k == "postgres")   # the official image's PGDATA (before 18)
# the image's own PGDATA from postgres 18 on (`/var/lib/postgresql/18/docker`): a volume there (DocuSeal's
# `./pg_data:/var/lib/postgresql/18/docker`) is the template's data claim, whose PGDATA is its own; kept at
# its mount, the claim held no PGDATA, and initdb could not make the template's on the read-only root
PG18_DATA = re.compile(r"/var/lib/postgresql/\d+/docker/?")


def _claimed(doc: dict, path: str) -> bool:
    """Whether a claim of ``doc`` (a `storage` entry or a `claim:` volume) is mounted at ``path``."""
    storage = doc.get("storage") if isinstance(doc.get("storage"), dict) else {}
    vols = doc.get("volumes") if isinstance(doc.get("volumes"), dict) else {}
    return any(isinstance(v, dict) and v.get("mount") == path and (src is storage or "claim" in v)
               for src in (storage, vols) for v in src.values())


def _use(doc: dict, key: str, name: str, creds: list[str], plain_secret: str, before: dict) -> dict | None:
    t = template(name)
    spec = t.get("spec") or {}
    params = set(t.get("params") or {})
    image, base = doc["image"], doc.get("_base")
    version = version_of(base or image)   # (an image its Dockerfile builds from postgres:16: version 16)
    out: dict = {"kind": "StatefulApp", "name": doc["name"], "use": name, "version": version}
    if str(spec.get("image", "")).replace("${self.version}", version) != image:
        out["image"] = image   # a digest, a registry prefix, no tag: the image as written
    env = dict(doc.get("env") or {})
    secrets = dict(doc.get("secrets") or {})
    for var, param in PARAMS.get(name, {}).items():
        if var in env and param in params:
            out[param] = env.pop(var)
    if name == "mysql":
        pw = MYSQL_ROOT if out.get("user", "root") == "root" else MYSQL_USER
    else:
        pw = PASSWORDS.get(name, {})
    keys: dict = {}
    if pw and all(v in secrets and v in creds and secrets[v] == {"secret": plain_secret, "key": v} for v in pw):
        for var, k in pw.items():   # the importer's own Secret: its keys become the template's
            secrets.pop(var)
            keys[var] = k
        out["credentials"] = plain_secret
    tenv = {k: v for k, v in (spec.get("env") or {}).items() if "${" not in str(v)}
    env = {k: v for k, v in env.items() if tenv.get(k) != v}
    data = (spec.get("storage") or {}).get("data") or {}
    writes = [p for p in KNOWN[key][2]] + ([data["mount"]] if data.get("mount") else []) + \
        [v["mount"] for v in (spec.get("volumes") or {}).values() if isinstance(v, dict) and v.get("mount")]

    def at_data(mount) -> bool:   # the data path, or below it: Odoo's postgres mounts its volume at PGDATA,
        return isinstance(mount, str) and bool(data.get("mount")) and \
            ((mount.rstrip("/") + "/").startswith(data["mount"].rstrip("/") + "/")   # which the template's is under
             or (name == "postgres" and PG18_DATA.fullmatch(mount) is not None))
    vols = {n: v for n, v in (doc.get("volumes") or {}).items()
            if not (isinstance(v, dict) and (v.get("mount") in writes or at_data(v.get("mount")))
                    and ("empty" in v or "claim" in v))}
    storage = {n: s for n, s in (doc.get("storage") or {}).items()
               if not (isinstance(s, dict) and (s.get("mount") in writes or at_data(s.get("mount"))))}
    kept = [s for s in (doc.get("storage") or {}).values() if isinstance(s, dict) and at_data(s.get("mount"))]
    if kept and "data" not in storage:   # the input's claim at the data path: its size, the template's mount
        storage["data"] = {k: v for k, v in kept[0].items() if k != "mount"}
    tports = {p if isinstance(p, int) else p.get("port"): n for n, p in (spec.get("ports") or {}).items()}
    ports = doc.get("ports") or ({"http": doc["port"]} if "port" in doc else {})
    extra = {n: p for n, p in ports.items() if (p if isinstance(p, int) else p.get("port")) not in tports}
    if extra or any(isinstance(p, dict) and set(p) - {"port", "host_port"} for p in ports.values()):
        return None   # ports the template does not have (or says otherwise): the input's own way
    published = {tports[p["port"]]: p for p in ports.values() if isinstance(p, dict) and "host_port" in p}
    if published:   # (Listmonk publishes its postgres on 9432): the template's port, on that host port
        out["ports"] = published
    creds[:] = [keys.get(c, c) for c in creds]   # (only now: the Secret's keys are the template's if it is used)
    for k, v in doc.items():
        if k in out or k in DROPPED or k in ("kind", "name", "image", "env", "secrets", "volumes", "storage"):
            continue
        out[k] = v
    if env:
        out["env"] = env
    if secrets:
        out["secrets"] = secrets
    if vols:
        out["volumes"] = vols
    if storage:
        out["storage"] = storage
    if "_from" in doc:
        out["_from"] = {**doc["_from"], **{k: doc["_from"]["image"] for k in ("use", "version", "credentials")
                                           if "image" in doc["_from"]}}
    out["_plain"] = before
    dropped_vols = [n for n in (doc.get("volumes") or {}) if n not in vols]
    doc.clear()
    doc.update(out)
    said = f", built by its Dockerfile from {base}, runs as the official {key} image does," if base else \
        f" is {_official(image)} {key} image,"
    why = (f"image {image}{said} which under the hardened defaults (UID 10001, a "
           f"read-only root filesystem) cannot write {', '.join(KNOWN[key][2])}: `use: {name}` (the stdlib template sets "
           "its user, writable paths, storage and probes)"
           + "".join(f"; {var} is key `{k}` of Secret {plain_secret}, its `credentials`" for var, k in keys.items()))
    names = set(PARAMS.get(name, {})) | set(NEEDED.get(name, ())) | set(WRITES.get(name, ())) \
        | set(spec.get("env") or {}) | set(pw)
    dropped = dropped_vols + [n for n in (before.get("storage") or {}) if n not in storage]
    return {"template": name, "key": key, "paths": writes, "env": names | {f"{v}_FILE" for v in names},
            "volumes": sorted(set(spec.get("volumes") or {}) | set(dropped) | {"data", f"secret-{plain_secret}"}),
            "why": why, "keys": keys, "inits": sorted(spec.get("init") or {})}


def _env(var: str, info: dict) -> bool:
    """Whether the template (its `env:`, its params, its component) writes ``var``."""
    return var in info["env"] or any(v.endswith("_") and var.startswith(v) for v in info["env"])


def _written(path: str | None, info: dict) -> bool:
    """Whether the template mounts something at ``path`` or above it (its paths, a Secret's file)."""
    return path is not None and (path in info["paths"] or path.startswith("/run/secrets/")
                                 or any(path.startswith(p.rstrip("/") + "/") for p in info["paths"]))


def undo(doc: dict, creds: list[str] | None, info: dict) -> None:
    """``doc`` back as the input said it (the template could not be explained)."""
    plain = doc.pop("_plain")
    src = doc.get("_from")
    doc.clear()
    doc.update(plain)
    if src is not None:
        doc["_from"] = src
    if creds is not None:
        back = {k: v for v, k in info["keys"].items()}
        creds[:] = [back.get(c, c) for c in creds]


PGDATA_MOVED = "PGDATA in a subdirectory of the claim (initdb refuses a fresh volume's root)"


def category(path: str, info: dict, in_has: bool, out_has: bool, early: bool = False) -> str | None:
    """The named category of a difference of a workload said by :func:`apply` (``path`` as
    fidelity shows it: `spec.template.spec.containers[name=db].env[name=PGDATA].value`), or
    None. With ``early``, only what comes before the importer's general categories (the
    kind, the user, probes, resources and claims the template writes whole: not hardening
    skyspec adds, nor Kubernetes defaults)."""
    t = info["template"]
    user = re.search(r"securityContext\.(runAsUser|runAsGroup|fsGroup|runAsNonRoot|capabilities)", path)
    if early and not user and path != "kind" and not (t and re.search(
            r"(\.resources\.|Probe\b|Probe\.|volumeClaimTemplates|^spec\.(strategy|updateStrategy|serviceName))", path)):
        return None
    if t is None:
        if user and not in_has:
            return f"user and capabilities the official {info['key']} image needs"
        m = re.search(r"(volumes\[name=([-a-z0-9]+)\]|volumeMounts\[mountPath=([^\]]+)\])", path)
        if m and not in_has and (m.group(2) in info["volumes"] or m.group(3) in info["paths"]):
            return f"writable paths the official {info['key']} image needs (emptyDir)"
        m = re.search(r"initContainers\[name=([-a-z0-9]+)\]", path)
        if m and not in_has and m.group(1) in info.get("inits", ()):
            return f"writable paths the official {info['key']} image needs (emptyDir)"
        if info.get("pgdata") and not in_has and re.search(r"\.env\[name=PGDATA\]", path):
            return PGDATA_MOVED
        return None
    what = f"stdlib template {t}"
    if path == "kind" or re.match(r"^spec\.(strategy|updateStrategy|serviceName|podManagementPolicy|"
                                  r"persistentVolumeClaimRetentionPolicy|revisionHistoryLimit|progressDeadlineSeconds|"
                                  r"minReadySeconds)\b", path):
        return f"StatefulSet of the {what} (the input: a Deployment)"
    m = re.search(r"(volumes\[name=([^\]]+)\]|volumeMounts\[mountPath=([^\]]+)\])", path)
    if "volumeClaimTemplates" in path or m and (m.group(2) in info["volumes"] or _written(m.group(3), info)):
        return f"storage and writable paths of the {what}"
    m = re.search(r"initContainers\[name=([-a-z0-9]+)\]", path)
    if m and not in_has and m.group(1) in info.get("inits", ()):
        return f"init containers of the {what}"
    if re.search(r"\.securityContext\.", path) or re.search(r"^spec\.template\.spec\.securityContext", path):
        return f"the image's user, set by the {what}"
    if re.search(r"(livenessProbe|readinessProbe|startupProbe)", path):
        return f"probes of the {what}"
    m = re.search(r"\.env\[name=([A-Za-z0-9_]+)\]", path)
    if m and _env(m.group(1), info):
        return f"environment of the {what} (its params and settings, the password as a file)"
    if re.search(r"\.resources\.", path):
        return f"resources of the {what}"
    if re.search(r"\.(args|command)\b", path):
        return f"server arguments of the {what}"
    if re.search(r"\.ports\[.*\]\.name$", path):
        return f"port names of the {what}"
    if re.search(r"\.containers\[[^\]]*\]\.ports\[", path) and not in_has:
        return f"ports of the {what}"
    return None


def apply_all(items: list) -> dict[str, dict]:
    """{workload name: what :func:`apply` changed} over the extracted documents ``items``
    (the importer's credential Secret `<name>-env` keyed as the template reads it)."""
    out: dict[str, dict] = {}
    for x in items:
        doc = x.doc
        if doc.get("kind") not in ("App", "StatefulApp") or not isinstance(doc.get("image"), str):
            continue
        name = f"{doc['name']}-env"
        sec = next((y for y in items if y.doc.get("kind") == "Secret" and y.doc.get("name") == name
                    and not y.objects and isinstance(y.doc.get("keys"), list)), None)
        creds = list(sec.doc["keys"]) if sec is not None else []
        info = apply(doc, creds, name)
        if info is None:
            continue
        info["item"], info["secret"], info["all"] = x, sec, items
        if sec is not None:
            sec.doc["keys"] = sorted(set(creds))
            _rekey([y for y in items if y is not x], name, info["keys"])
        out[doc["name"]] = info
    return out


def _rekey(items: list, secret: str, keys: dict) -> None:
    """The other workloads' references to keys of ``secret`` the template renamed (``keys``: old ->
    new; an app reading the database's password: :func:`.credentials.shared_credentials`)."""
    for x in items:
        for ref in (x.doc.get("secrets") or {}).values() if isinstance(x.doc.get("secrets"), dict) else ():
            if isinstance(ref, dict) and ref.get("secret") == secret and ref.get("key") in keys:
                ref["key"] = keys[ref["key"]]


def undone_by(info: dict | None, path: tuple) -> bool:
    """Whether a difference the round trip cannot name, at ``path`` of an input object of a
    workload said by :func:`apply` (``info``), undoes what was said: any, after a template
    (its spec is the template's); after the relaxations, one in what they change. Another
    (the regular Service as a StatefulSet's `serviceName`, as in Azure's AKS store demo; a
    mount of the input's own beside theirs, as OpenFaaS' Alertmanager config) is kept as a
    `k8s:` patch, as for any workload, and the relaxations stay."""
    if info is None:
        return False
    if info["template"]:
        return True
    for i, k in enumerate(path):
        if k == "securityContext":
            return True
        if k in ("volumes", "volumeMounts"):   # one of the relaxation's own, or the list whole
            item = path[i + 1] if i + 1 < len(path) else None
            m = re.fullmatch(r"\[(name|mountPath)=(.*)\]", item) if isinstance(item, str) else None
            # (not a mount of the input's own at the image's data folder: Harbor's init container's)
            if m is None or m.group(2) in info["volumes"] or m.group(2) in info.get("mounts", info["paths"]):
                return True
    return False


def undo_item(infos: dict[str, dict], name: str) -> None:
    """The workload ``name`` of ``infos`` back as the input said it, its Secret's keys too;
    after a template, with the image's own user and emptyDir volumes instead (kept in
    ``infos``), after those, as the input has it (left out of ``infos``)."""
    info = infos.pop(name)
    x, sec = info["item"], info["secret"]
    undo(x.doc, None, info)
    if sec is not None and info["keys"]:
        back = {k: v for v, k in info["keys"].items()}
        sec.doc["keys"] = sorted({back.get(k, k) for k in sec.doc["keys"]})
        _rekey([y for y in info["all"] if y is not x], sec.doc["name"], back)
    if info["template"]:
        again = apply(x.doc, [], "", use=False)
        if again is not None:
            again["item"], again["secret"], again["all"] = x, sec, info["all"]
            infos[name] = again


def undo_refused(infos: dict[str, dict]) -> None:
    """After the build refused the project: each workload a stdlib template says back to its
    image's user and volumes (a template refuses what the input says: Ghostfolio's
    `POSTGRES_DB: ghostfolio-db`, no database name of the template's), and only where none is
    left every workload back to the input. Undoing all at once took the relaxations of another
    workload too: Ghostfolio's redis, run as its `user: 999:1000`, lost its emptyDir at /data,
    and on the read-only root its snapshots failed, after which Redis refuses every write."""
    for n in sorted(n for n, i in infos.items() if i["template"]) or sorted(infos):
        undo_item(infos, n)


def notes(infos: dict[str, dict], inputs) -> None:
    """A note (SKY063) at the image line of each workload said for its official image, and a
    comment in its spec."""
    from ..diagnostics import Pos
    from .source import INFERRED

    for name, info in sorted(infos.items()):
        doc = info["item"].doc
        src = (doc.get("_from") or {}).get("image")
        pos = src if isinstance(src, Pos) or src is None else inputs.pos(*src)
        inputs.note(INFERRED, f"{name}: {info['why']}", pos or doc.get("_at"),
                    hint="check it: the round trip names what this changes from the input" if info["template"] else
                    "or use an unprivileged variant of the image and remove these")
        if isinstance(doc.get("_notes"), list):
            doc["_notes"] = doc["_notes"] + [info["why"]]
        else:
            doc["_note"] = "\n".join(([doc["_note"]] if doc.get("_note") else []) + [info["why"]])


def compose_category(path: str, info: dict) -> str | None:
    """The named category of a Compose round-trip difference (`db.environment.PGDATA`) of a
    service said by :func:`apply`, or None."""
    rest = path.split(".", 1)[1] if "." in path else ""
    t = info["template"]
    m = re.match(r"^depends_on\.(.+)$", rest)
    # (the init's service is named as the build names the service: Tandoor's `web_recipes` is `web-recipes`)
    init = bool(m) and m.group(1).partition(".")[2] in info.get("inits", ())
    if t is None:
        m = re.match(r"^volumes\[([^\]]+)\]$", rest)
        if m and m.group(1) in info["paths"] or init:
            return f"writable paths the official {info['key']} image needs (emptyDir)"
        return PGDATA_MOVED if info.get("pgdata") and rest == "environment.PGDATA" else None
    what = f"stdlib template {t}"
    if init:
        return f"init containers of the {what} (Compose runs them first)"
    m = re.match(r"^(environment\.([A-Za-z0-9_]+)|(volumes|secrets)\[([^\]]+)\])$", rest)
    if m and m.group(2) and _env(m.group(2), info):
        return f"environment of the {what} (its params and settings, the password as a file)"
    if m and m.group(4) and (_written(m.group(4), info) or m.group(4) == "/tmp"):
        return f"storage and writable paths of the {what}"
    for pat, cat in ((r"^ports\[", f"ports of the {what}"), (r"^healthcheck\.", f"probes of the {what}"),
                     (r"^(entrypoint|command)$", f"server arguments of the {what}")):
        if re.match(pat, rest):
            return cat
    return None


EXPORTS = ("URL", "USER", "DATABASE", "BOOTSTRAP_SERVERS")


def exported(var: str, infos: dict[str, dict]) -> str | None:
    """The category of an env variable a consumer gets from a templated peer it connects to
    (`DB_URL` of `connect_to: [db]`: the template's exports), or None."""
    for suffix in EXPORTS:
        peer = var[:-len(suffix) - 1].lower().replace("_", "-") if var.endswith("_" + suffix) else None
        if peer and peer in infos and infos[peer]["template"]:
            return f"connection variables the stdlib template {infos[peer]['template']} exports"
    return None
