"""The parts of a Compose service the importer says in the language (:mod:`.compose` puts
them together): ports, healthcheck, volumes, configs and secrets, `depends_on` (and the
connections an address infers: :mod:`.compose_addresses`), `deploy`, and the
rest (profiles, stop_grace_period, hooks; the pod's user, platform and hostname by
:mod:`.compose_pod`) with a located note
or warning for what the project does not carry over. Each part reads the service's data only,
and files only through :func:`.source.read_text` (inside the Compose file's folder); it never
reads a secret's file.
:mod:`.compose_binds` says what a bind mount is (the service's data, the project's files, which
it reads: a credential's only to tell it is one, never kept).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from ..schema.fields import RESERVED_LABELS
from .compose_binds import NOT_HERE, Files, bind_hint, first_run_folder, home_folder, project_files
from .compose_pod import hostname, pinned, user
from .source import SECRET, WRONG, read_text

DATABASES = ("postgres", "postgresql", "postgis", "mysql", "mariadb", "mongo", "redis", "valkey", "elasticsearch",
             "opensearch", "rabbitmq", "cassandra", "couchdb", "neo4j", "influxdb", "clickhouse", "etcd",
             "zookeeper", "kafka", "minio", "memcached")
# a port's name by its number, where it is a protocol's own: the first port of a service is
# `http` otherwise, which a mesh (Istio) reads as the protocol, so a mail server's 25 is `smtp`
PORT_NAMES = {53: "dns", 5432: "postgres", 3306: "mysql", 33060: "mysqlx", 27017: "mongo", 6379: "redis", 9200: "http",
              5672: "amqp", 9092: "kafka", 11211: "memcached", 21: "ftp", 22: "ssh", 25: "smtp", 110: "pop3",
              143: "imap", 389: "ldap", 443: "https", 465: "smtps", 587: "submission", 636: "ldaps", 993: "imaps",
              995: "pop3s", 1883: "mqtt", 8883: "mqtts", 2181: "zookeeper", 4222: "nats", 9042: "cql",
              5222: "xmpp-client", 5269: "xmpp-server"}
_PORT = re.compile(r"^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9]+\.[0-9.]+|):)?(?:(\$\{[^}]*\}|[0-9]*(?:-[0-9]+)?):)?([0-9]+(?:-[0-9]+)?)"
                   r"(?:/(tcp|udp|sctp))?$")
MAX_CONFIG = 1 << 20
DOCKER_DNS = re.compile(r"(?<![\d.])127\.0\.0\.11(?![\d])")   # Docker's embedded DNS server
# Docker's sizes of memory: binary units, a fraction allowed (`1.5G`, `512m`, `2 GiB`)
_RAM = re.compile(r"(\d+(?:\.\d+)?) ?([kmgtp])?i?b?")


def memory_quantity(v) -> str | None:
    """A Compose memory size as Kubernetes writes it (`512m` -> `512Mi`), or None."""
    m = _RAM.fullmatch(str(v).strip().lower())
    return None if m is None else m.group(1) + (m.group(2).upper() + "i" if m.group(2) else "")


def ram_bytes(v) -> int | None:
    """The bytes a Compose memory size stands for (`1.5G`: 1.5 GiB), or None."""
    m = _RAM.fullmatch(str(v).strip().lower())
    if m is None:
        return None
    return int(float(m.group(1)) * 1024 ** ("kmgtp".index(m.group(2)) + 1 if m.group(2) else 0))
LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")


def label_pairs(svc: dict, variables: dict) -> list[tuple[str, str | None]]:
    """A service's labels, each value interpolated as Compose does (`version: ${TAG}`); None
    for a value that passes a credential (:func:`.compose.credential_refs`): no label carries one."""
    from .compose import credential_refs, interpolate

    labels = svc.get("labels") or {}
    pairs = [tuple((str(x).split("=", 1) + [""])[:2]) for x in labels] if isinstance(labels, list) else \
        [(str(k), "" if v is None else str(v)) for k, v in labels.items()]
    return [(k, None if credential_refs(v, variables)[1] else interpolate(v, variables, set())) for k, v in pairs]


def carried_label(k: str, v: str) -> bool:
    """Whether a Compose label is a Kubernetes label the spec can carry (not one skyspec sets)."""
    return bool(LABEL_KEY.match(k)) and len(k) <= 253 and bool(LABEL_VALUE.match(v)) and len(v) <= 63 \
        and not skyspecs_label(k)


def skyspecs_label(k: str) -> bool:
    """Whether skyspec sets label ``k`` itself (the `app.kubernetes.io/` ones it owns, its own)."""
    return k in RESERVED_LABELS or k.startswith("skyspec.dev/")


def completed(services: dict) -> set[str]:
    """The services another one waits for to complete (`service_completed_successfully`):
    one-shot tasks, which become Jobs."""
    out = set()
    for svc in services.values():
        deps = (svc or {}).get("depends_on") if isinstance(svc, dict) else None
        if isinstance(deps, dict):
            out |= {d for d, o in deps.items() if isinstance(o, dict)
                    and o.get("condition") == "service_completed_successfully"}
    return out


# programs that do one thing to files and exit: a service whose entrypoint runs one is a task (Loki's
# `init`: `chown 10001:10001 /loki`), as is a shell script that ends in `exit` (MinIO's `createbuckets`)
def parse_port(p) -> tuple[int, int | None, str] | str:
    """(target, published or None, protocol) of a `ports:` item, or why it cannot be one."""
    if isinstance(p, dict):
        t, h, proto = p.get("target"), p.get("published"), str(p.get("protocol", "tcp"))
        try:
            t = int(t)
            h = int(h) if h not in (None, "") else None
        except (TypeError, ValueError):
            return "range" if "-" in str(t) + str(h or "") else "bad"
        return (t, h, proto) if 0 < t < 65536 and (h is None or 0 < h < 65536) else "bad"
    m = _PORT.match(str(p))
    if m is None:
        return "bad"
    host, target, proto = m.group(1), m.group(2), m.group(3) or "tcp"
    if "-" in target or (host and "-" in host):
        return "range"
    h = int(host) if host and host.isdigit() else None
    t = int(target)
    return (t, h, proto) if 0 < t < 65536 and (h is None or 0 < h < 65536) else "bad"


def port_item(p, variables: dict, unresolved: set | None = None):
    """A `ports:` or `expose:` item interpolated: the short form's text, or the long form's
    values (plane's `published: ${LISTEN_HTTP_PORT:-80}`)."""
    from .compose import interpolate

    got = set() if unresolved is None else unresolved
    if isinstance(p, dict):
        return {k: interpolate(v, variables, got) if isinstance(v, str) else v for k, v in p.items()}
    return interpolate(p, variables, got) if isinstance(p, str) else p


# `GRPC_PORT: 8080`: the service says what it serves on a port (a mesh such as Istio or Linkerd
# reads the protocol from the port's name: gRPC on a port named `http` is proxied as HTTP/1.1)
_SAID_PORT = re.compile(r"^(?:[A-Z0-9]+_)*?(GRPC|HTTPS|HTTP|METRICS|ADMIN)_(?:LISTEN_)?PORT$")


def said_protocols(svc: dict, variables: dict) -> dict[int, str]:
    """{port: protocol} that the service's own environment names (`GRPC_PORT: 8080`)."""
    out: dict[int, str] = {}
    for k, v in sorted(plain_env(svc, variables).items()):
        m = _SAID_PORT.match(k.upper())
        if m and v.strip().isdigit():
            out.setdefault(int(v), m.group(1).lower())
    return out


def ports(s: str, svc: dict, ctx) -> tuple[dict, bool]:
    from .compose_addresses import BY_CHECK, BY_EXPOSE, BY_NAME, INFERRED_PORT

    out: dict = {}
    published = False
    # the container ports other services publish without a host port: skyspec publishes the
    # exposed one on its own number, so an explicit `8080:8080` here must claim it first
    others = [o for n, o in (ctx.data.get("services") or {}).items() if n != s and isinstance(o, dict)]
    given = [parse_port(port_item(p, ctx.vars)) for o in others
             for p in (o.get("ports") if isinstance(o.get("ports"), list) else [])]
    bare = {got[0] for got in given if isinstance(got, tuple) and got[1] is None}
    bare |= {p for n, p in ctx.routed_ports.items() if n != s}   # (the ports a proxy routes to: exposed, published)
    said = said_protocols(svc, ctx.vars)

    def add(target: int, host: int | None, proto: str, published_: bool = False) -> None:
        # one port per number and protocol: DNS serves 53 over both UDP and TCP
        if any((p, "tcp") == (target, proto) if isinstance(p, int) else
               (p["port"], p.get("protocol", "TCP").lower()) == (target, proto) for p in out.values()):
            return
        name = PORT_NAMES.get(target) or said.get(target) or ("http" if not out else None)
        name = name if name and name not in out else f"p{target}"
        name = name if name not in out else f"{name}-{proto}"
        entry: dict = {"port": target}
        if proto != "tcp":
            entry["protocol"] = proto.upper()
        # the first port is the exposed one, published on its own number; any other published
        # port says its host port, the same number included (`9229:9229`), or it would not be
        if host is not None and (host != target or out or target in bare):
            entry["host_port"] = host   # (the same number too where another service's bare port has it)
        elif host is None and published_ and out:   # Compose publishes it on a free port: on its own here
            entry["host_port"] = target
        out[name] = target if set(entry) == {"port"} else entry

    for key in ("ports", "expose"):
        for i, p in enumerate(svc.get(key) or []):
            got = parse_port(port_item(p, ctx.vars, ctx.unresolved))
            if got == "range":
                ctx.say(s, f"{key[:-1] if key == 'ports' else key} range {p} left out", (key, i), "warning",
                        hint="name each port in the spec (`ports: {NAME: PORT}`)")
                continue
            if got == "bad":
                ctx.say(s, f"{key} item {i + 1} is not a port", (key, i), "error", code=WRONG,
                        hint="Compose writes a port as `8080`, `8081:8080`, `127.0.0.1:8081:8080/udp` or "
                             "`{target: 8080, published: 8081}`")
                continue
            t, h, proto = got
            add(t, h if key == "ports" else None, proto, key == "ports")
            published = published or key == "ports"
    for port, who in sorted(ctx.wanted.get(s, {}).items()):
        add(port, None, "tcp")
        if INFERRED_PORT in who:
            by = f"its name is that of a server that listens on {port}" if who.endswith(BY_NAME) else \
                f"its own healthcheck calls localhost:{port}" if who.endswith(BY_CHECK) else \
                f"its Dockerfile says `EXPOSE {port}`" if who.endswith(BY_EXPOSE) else \
                f"its image is one that listens on {port}"
            who = who.removesuffix(BY_NAME).removesuffix(BY_CHECK).removesuffix(BY_EXPOSE)
            ctx.say(s, f"port {port}: {who}, and {by} (Compose reaches "
                       "any port, Kubernetes the Service's)", hint="check it; declare it in the Compose file too "
                                                                  "(`expose:`)")
        else:
            ctx.say(s, f"port {port}: {who} holds an address on it (Compose reaches any port, Kubernetes the "
                       "Service's)", hint="declare it in the Compose file too (`expose:`)")
    return out, published


def volume_of(v, variables: dict | None = None, unresolved: set | None = None) -> tuple:
    """(type, source, target, read_only) of one entry of a service's `volumes`, short or long
    form, interpolated from ``variables`` (the `.env`) first when given, as Compose reads the
    file: Supabase mounts the Docker socket from `${DOCKER_SOCKET_LOCATION}:/var/run/docker.sock`,
    a bind mount, which was read as a volume of that name (and claimed). `$PWD`, the folder
    `docker compose` runs in, is the Compose file's (baserow's `$PWD/Caddyfile`), unless the
    `.env` says otherwise."""
    from .compose import interpolate

    if variables is not None and "PWD" not in variables:
        variables = {**variables, "PWD": "."}

    def text(x):
        return x if variables is None or x is None else \
            interpolate(str(x), variables, unresolved if unresolved is not None else set())
    if isinstance(v, dict):
        return v.get("type", "volume"), text(v.get("source")), text(v.get("target")), bool(v.get("read_only"))
    bits = text(str(v)).split(":")
    src, dst = (bits[0], bits[1]) if len(bits) >= 2 else (None, bits[0])
    typ = "bind" if src and (src.startswith((".", "/", "~")) or "/" in src) else "volume"
    return typ, src, dst, len(bits) == 3 and "ro" in bits[2].split(",")


def _uncarried_hint(key: str, value) -> str:
    """What to do instead of a Compose key the language has no field for."""
    if key == "privileged":
        return "a privileged container holds every power of the node: name the capabilities it needs in " \
               "`security: {add_capabilities: [...]}`, or patch `privileged` in with `k8s:` (the build reports it)"
    if key == "network_mode" and str(value).startswith(("service:", "container:")):
        return f"it shares the network of {str(value).partition(':')[2]}: run it as a sidecar there (`sidecars:`), " \
               "which shares its pod's network"
    if key == "network_mode" and str(value) == "host":
        return "the node's network is not a pod's, and a Service reaches the pod as any other; if it must listen " \
               "on the node's network (discovery by broadcast), patch `hostNetwork: true` in with `k8s:` (the " \
               "build reports it)"
    if key == "init":   # (umami's: Compose runs tini as PID 1, which reaps zombies and passes signals on)
        return "in a pod sharing its process namespace the pause container is PID 1 and reaps zombies: patch " \
               "`shareProcessNamespace: true` in with `k8s:` if the process leaves them (it lets the pod's " \
               "containers see each other's processes)"
    return "set what it does in the spec by hand, or leave it out if Kubernetes does not need it"


SHM = "/dev/shm"


def shm_size(svc: dict, variables: dict) -> str | None:
    """A service's `shm_size` as a quantity (`128mb`: `128Mi`), or None (unset, or no size)."""
    from .compose import interpolate

    raw = svc.get("shm_size")
    return None if raw is None or isinstance(raw, bool) else quantity(interpolate(str(raw), variables, set()))


def quantity(size: str) -> str | None:
    """A size as Docker writes it (`128mb`, `16M`) as a Kubernetes quantity (`128Mi`, `16Mi`),
    or None when it is no size (or zero)."""
    n = ram_bytes(size)
    if not n:
        return None
    return next((f"{n // u}{unit}" for unit, u in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)) if n % u == 0),
                str(n))


def tmpfs_items(svc: dict, variables: dict) -> list[tuple[tuple, str, str]]:
    """(where, path, options) of each entry of a service's `tmpfs:` (a string or a list),
    interpolated from the `.env`."""
    raw = svc.get("tmpfs")
    entries = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [(("tmpfs", i) if isinstance(raw, list) else ("tmpfs",),
             *interpolate_plain(str(e), variables).partition(":")[::2]) for i, e in enumerate(entries)]


def shared_memory(s: str, svc: dict, vols: dict, ctx) -> None:
    """`shm_size` (Postgres' parallel queries need more than the default): a memory volume of
    that size at /dev/shm, as Kubernetes gives a pod only 64Mi there, and the Compose output
    mounts a tmpfs of that size. A volume the service mounts there already stays."""
    if svc.get("shm_size") is None:
        return
    size = shm_size(svc, ctx.vars)
    if size is None:
        ctx.say(s, f"shm_size {svc['shm_size']!r} is no size: left out", ("shm_size",), "warning")
        return
    if any(v.get("mount") == SHM for v in vols.values()):
        return
    vols["shm"] = {"empty": {"memory": True, "size": size}, "mount": SHM}
    ctx.say(s, f"shm_size {svc['shm_size']}: a memory volume of {size} at {SHM}", ("shm_size",),
            hint="it counts against the container's memory limit: size the memory to hold it")


def tmpfs(s: str, svc: dict, vols: dict, ctx) -> None:
    """A service's `tmpfs:` (`/run:size=16M,mode=1750`): a memory volume at each path, of its
    size when it gives one (Kubernetes takes no mode: the pod's fsGroup owns the volume). A
    volume the service mounts there already stays."""
    from .compose import dns

    for at, path, opts in tmpfs_items(svc, ctx.vars):
        if not path.startswith("/"):
            ctx.say(s, f"tmpfs {path!r} left out: its target is no absolute path", at, "warning")
            continue
        if any(v.get("mount") == path for v in vols.values()):
            continue
        size = next((quantity(o[5:]) for o in opts.split(",") if o.startswith("size=")), None)
        vols[f"tmpfs-{dns(path)}"[:63].strip("-")] = {"empty": {"memory": True, **({"size": size} if size else {})},
                                                      "mount": path}


def volumes(s: str, svc: dict, image: str, ctx, database: bool) -> tuple[dict, dict]:
    """(volumes, storage) of a service."""
    from .compose import credential_refs, dns, interpolate

    named = ctx.data.get("volumes") or {}
    vols: dict = {}
    storage: dict = {}
    listed = svc.get("volumes") or []
    last = {}   # a target -> the last volume mounted there: Compose keeps that one (a pod takes one a path)
    for i, v in enumerate(listed):
        dst = volume_of(v, ctx.vars, set())[2]
        if dst and str(dst).startswith("/"):
            last[posixpath.normpath(str(dst))] = i
    for i, v in enumerate(listed):
        at = ("volumes", i)
        typ, src, dst, ro = volume_of(v, ctx.vars, ctx.unresolved)
        if not dst or not str(dst).startswith("/"):
            ctx.say(s, f"volume {i + 1} left out: its target is no absolute path", at, "warning")
            continue
        if last[posixpath.normpath(str(dst))] != i:
            ctx.say(s, f"volume {src or i + 1} -> {dst} left out: volume {last[posixpath.normpath(str(dst))] + 1} "
                       "mounts at the same path, and Compose keeps the last", at, "warning",
                    hint="mount one of them elsewhere, or drop it")
            continue
        if typ == "bind" and not ro and first_run_folder(ctx.base, src, dst):
            # the service's data: Docker makes the folder at the first run (`./postgres`,
            # immich's `${UPLOAD_LOCATION}`); a volume keeps it, as a named volume would
            ctx.say(s, f"bind mount {src} -> {dst}: a folder the first run creates (not in the project), "
                       "so the service's data: kept in a volume", at)
            typ, src = "volume", "-".join(p for p in PurePosixPath(src).parts if p not in (".", ""))
        elif typ == "bind" and not ro and home_folder(src, dst):
            # (jitsi's `${CONFIG}/prosody:/config`, CONFIG=~/.jitsi-meet-cfg: what it writes, no project's)
            ctx.say(s, f"bind mount {src} -> {dst}: a folder of the host's home where the service keeps its data "
                       "(no project holds it): kept in a volume, empty at first", at)
            typ, src = "volume", "-".join(p for p in PurePosixPath(src).parts if p not in (".", "", "~"))
        if typ == "bind":
            _bound(s, i, str(src), str(dst), ro, ctx, vols)
            continue
        if typ == "tmpfs":
            vols[f"tmp-{i}"] = {"empty": {"memory": True}, "mount": dst}
            continue
        if typ != "volume":
            ctx.say(s, f"volume of type {typ} at {dst} left out", at, "warning")
            continue
        if not src:
            vols[f"scratch-{i}"] = {"empty": True, "mount": dst}
            continue
        ext = (named.get(src) or {}).get("external") if isinstance(named.get(src), dict) else None
        if ext:  # Compose expects it made beforehand; a claim the project does not declare does not build
            ctx.say(s, f"volume {src} left out: Compose expects it to exist (`external`)", at, "warning",
                    hint="mount the claim that holds its data: declare it (`kind: Resource`, a "
                         "PersistentVolumeClaim) and add `volumes: {NAME: {claim: NAME, mount: PATH}}`")
            continue
        top = named.get(src) if isinstance(named.get(src), dict) else {}
        opts = top.get("driver_opts") if isinstance(top.get("driver_opts"), dict) else {}
        if str(opts.get("type")) == "tmpfs":   # (kong's prefix: kept, stale sockets would crash-loop it)
            vols[f"tmp-{i}"] = {"empty": {"memory": True}, "mount": dst}
            ctx.say(s, f"volume {src}: a tmpfs (its `driver_opts`), so a memory volume, empty at each start", at)
            continue
        if database:
            key = "data" if "data" not in storage else dns(src)
            storage[key] = {"size": "1Gi", "mount": dst}
            ctx.say(s, f"volume {src}: storage {key} of 1Gi per replica", at, hint="Compose gives no size: set yours")
            continue
        vols[dns(src)] = {"claim": dns(src), "mount": dst, **({"read_only": True} if ro else {})}
        if dns(src) not in ctx.claims:
            ctx.claims[dns(src)] = (src, s)
            ctx.say(s, f"volume {src}: a PersistentVolumeClaim {dns(src)} of 1Gi, declared as a Resource", at,
                    hint="Compose gives no size: set yours")
        elif ctx.claims[dns(src)][1] != s:  # Compose shares a volume between services on one host
            ctx.say(s, f"volume {src} is shared with service {ctx.claims[dns(src)][1]}: the claim is ReadWriteOnce, "
                       "which mounts on one node at a time", at, "warning",
                    hint="give the claim `accessModes: [ReadWriteMany]` and a storage class that offers it, or keep "
                         "the services on one node")
    for i, c in enumerate(svc.get("configs") or []):
        src, dst = (c, f"/{c}") if isinstance(c, str) else (c.get("source"), c.get("target") or f"/{c.get('source')}")
        top = (ctx.data.get("configs") or {}).get(src)
        top = top if isinstance(top, dict) else {}
        content = None
        if "content" in top:   # interpolated as the rest of the file (a file's content is not)
            content, found = credential_refs(str(top["content"]), ctx.vars, "$${{{}}}")
            content = interpolate(content, ctx.vars, ctx.unresolved)
            if found:
                ctx.say(s, f"config {src}'s content passes credential {', '.join(sorted(found))}: kept as written "
                           f"(`${{{min(found)}}}`), since a ConfigMap holds no credential; the file does not get its "
                           "value", ("configs", i), "warning", code=SECRET,
                        hint="put the file in a Secret at deploy time, or let the service read the variable")
        elif "file" in top:
            content = read_text(ctx.base, str(top["file"]), ctx.inputs, ctx.pos(("configs", src, "file")),
                                "config file", limit=MAX_CONFIG)
        if content is None:
            ctx.say(s, f"config {src} left out: no content or file the project can hold", ("configs", i), "warning")
            continue
        key = dns(PurePosixPath(str(dst)).name)
        name = dns(src) if dns(src) not in ctx.bound else f"{dns(src)}-config"   # (not a bind mount's files)
        ctx.configs.setdefault(name, {})[key] = content
        vols[f"config-{dns(src)}"[:63]] = {"config": name, "mount": str(dst), "sub_path": key, "read_only": True}
    for sec in svc.get("secrets") or []:
        src, dst = (sec, sec) if isinstance(sec, str) else (sec.get("source"), sec.get("target") or sec.get("source"))
        name, key = dns(src), re.sub(r"[^-._a-zA-Z0-9]", "-", str(src))
        ctx.secrets.setdefault(name, set()).add(key)
        mount = dst if str(dst).startswith("/") else f"/run/secrets/{dst}"
        vols[f"secret-{name}"[:63]] = {"secret": name, "mount": mount, "sub_path": key, "read_only": True}
    return vols, storage


def _bound(s: str, i: int, src: str, dst: str, ro: bool, ctx, vols: dict) -> None:
    """A bind mount that is no first-run folder: the project's files in a ConfigMap (or a
    Secret, supplied at deploy time, when they hold a credential), else left out, warned."""
    from .compose import dns
    from .compose_addresses import renamed_hosts

    at = ("volumes", i)
    got = project_files(ctx.base, src, dst, ro)
    if not isinstance(got, Files):
        hint = "bring the files beside the Compose file and import again; if the service writes there, mount a " \
               "volume (`volumes: {NAME: {claim: NAME, mount: PATH}}`)" if got == NOT_HERE else bind_hint(src)
        ctx.say(s, f"bind mount {src} -> {dst} left out{': ' + got if got else ''}", at, "warning", hint=hint)
        return
    name = dns(src)
    if got.secret is not None:
        ctx.secrets.setdefault(name, set()).update(got.secret)
        ref: dict = {"secret": name}
        ctx.say(s, f"bind mount {src} -> {dst}: {got.why}, so it is Secret {name} (keys "
                   f"{', '.join(got.secret)}), mounted there; its content is not read into the project", at,
                "warning", hint=f"supply Secret {name} at deploy time")
    else:
        texts = {k: renamed_hosts(t, ctx.renames) for k, t in got.texts.items()} if ctx.renames else got.texts
        if texts != got.texts:   # (AppFlowy's nginx proxies to `appflowy_cloud:8000`: no Service has that name)
            ctx.say(s, f"bind mount {src} -> {dst}: the addresses of services by a name no Service has (renamed as "
                       "a DNS label, a network alias or a container_name) are spelt as their Services' names in "
                       f"{', '.join(k for k in texts if texts[k] != got.texts[k])}", at)
            ctx.said_to.update((s, old) for old, new in ctx.renames.items()
                               if any(renamed_hosts(t, {old: new}) != t for t in got.texts.values()))
        while name in ctx.configs and (name not in ctx.bound or ctx.configs[name] != texts):
            name = f"{name}-{i + 1}"   # (another bind mount's files, or a Compose config's)
        ctx.configs[name] = texts
        ctx.bound.add(name)
        ref = {"config": name}
        ctx.say(s, f"bind mount {src} -> {dst}: the project's {'files' if got.folder else 'file'}, in ConfigMap "
                   f"{name} mounted there{'' if ro else ' (read-only now: a ConfigMap is)'}", at,
                hint="a change to the files reaches the pods when they restart")
    docker_dns = sorted(k for k, text in (got.texts or got.scanned).items() if DOCKER_DNS.search(text))
    if docker_dns:   # (matomo's and AppFlowy's nginx: `resolver 127.0.0.11`, for `server app:9000 resolve`)
        ctx.say(s, f"bind mount {src} -> {dst}: {', '.join(docker_dns)} names 127.0.0.11, Docker's own DNS server, "
                   "which no pod has: a name resolved through it at run time resolves to nothing (a proxy answers "
                   "502)", at, "warning",
                hint="resolve through the cluster's DNS: `resolver kube-dns.kube-system.svc.cluster.local;` for "
                     "nginx (the Compose output then needs Docker's again)")
    ref["mount"] = dst
    if not got.folder:
        ref["sub_path"] = next(iter(got.secret or got.texts))
    ref["read_only"] = True
    key = f"files-{dns(src)}"[:63].strip("-")
    while key in vols:   # (the same files mounted at another path too: each mount kept)
        key = f"{key[:58]}-{i + 1}"
    vols[key] = ref


def depends(s: str, svc: dict, names: dict, ctx, env: dict | None = None) -> list[str]:
    """The `connect_to` of a service: what it `depends_on`, and the services its environment
    (``env``: {variable: (value, where)}) or a project file bound into it holds an address of,
    which the NetworkPolicies must let it reach though Compose needs no word of it."""
    from .compose import dns
    from .compose_addresses import addressed, depends as depends_on, runs_with

    said = svc.get("depends_on")
    connect = []
    for d, opts in sorted(depends_on(svc).items()):
        at = ("depends_on", d) if isinstance(said, dict) else ("depends_on", said.index(d))
        target = ctx.data["services"].get(d)
        if not isinstance(target, dict) and d not in ctx.data["services"]:
            ctx.say(s, f"depends_on {d}: no such service", at, "error", code=WRONG)
            continue
        target = target or {}
        if not runs_with(s, d, ctx.data["services"]):   # (Lago's workers: `required: false` on the profiles' db)
            ctx.say(s, f"depends_on {d}: {d} runs only in a profile {s} does not run in, so not a connect_to, which "
                       f"every environment running {s} would have to run {d} for (start order not kept)", at)
            continue
        cond = opts.get("condition", "service_started")
        if not (target.get("ports") or target.get("expose") or (d in ctx.wanted and cond != "service_completed_successfully")):
            if cond == "service_completed_successfully":
                ctx.say(s, f"depends_on {d}: waits for it to complete, and connect_to needs a port (start order not "
                           "kept)", at, "warning", hint="run the one-shot task before deploying")
            else:   # (Plane's proxy reaches its web, admin and space by the ports its own config names)
                ctx.say(s, f"depends_on {d}: {d} declares no port, so no Service names it: in Kubernetes nothing "
                           "reaches it by name, as Compose's network does (start order not kept)", at, "warning",
                        hint=f"if {s} calls {d}, give {d} the port it listens on (`expose:`, or `port:` in its spec)")
            continue
        if cond == "service_healthy" and not target.get("healthcheck"):   # (invoiceninja's: its Dockerfile's HEALTHCHECK)
            ctx.say(s, f"depends_on {d}: waits for its healthcheck, which the Compose file does not give (the image's "
                       f"own, if any): {s} waits for {d} to start, as connect_to orders it", at, "warning",
                    hint=f"give {d} a `healthcheck:` in the Compose file, or `health:` in its spec, and import again")
        connect.append(names.get(d, dns(d)))
    env = env or {}
    values = {k: v for k, (v, _) in env.items()}
    shared = _shared_env_files(s, svc, ctx.data["services"]) if _serves_data(svc, ctx.vars) else set()
    for d, var in addressed(s, values, ctx.data["services"], ctx.wanted, renames=ctx.renames).items():
        if env[var][1][0] == "env_file" and _env_file_path(svc, env[var][1]) in shared:
            continue   # (infisical's db reads its settings from the `.env` every service reads: no call to redis)
        # (an address in its environment: not one of an image's defaults, whatever name Compose also knew it by)
        ctx.said_to.update((s, old) for old, new in ctx.renames.items() if new == names.get(d, dns(d)))
        if names.get(d, dns(d)) not in connect:   # said (or dropped, closing a cycle) by acyclic()
            connect.append(names.get(d, dns(d)))
            ctx.addressed.setdefault(s, []).append((d, var, env[var][1]))
    for d, _, path in ctx.file_calls.get(s, ()):
        if names.get(d, dns(d)) not in connect:   # (lemmy's config file calls pict-rs: nothing else says so)
            connect.append(names.get(d, dns(d)))
            ctx.addressed.setdefault(s, []).append((d, f"its file {path}", ("volumes",)))
    for d, var in addressed(s, values, ctx.data["services"], ctx.wanted, False, ctx.renames).items():
        ctx.say(s, f"{var} holds an address of {d}, which declares no port: not a connection", env[var][1], "warning",
                hint=f"Compose reaches any port of {d}, Kubernetes only the ports of its Service (and its "
                     f"NetworkPolicy): give {d} the port (`expose:`) and import again")
    return connect


def _serves_data(svc: dict, variables: dict) -> bool:
    """Whether a service runs a database or broker image (:data:`DATABASES`, by a word of its name)."""
    base = interpolate_plain(str(svc.get("image") or ""), variables).split("@")[0].rsplit("/", 1)[-1].split(":")[0]
    return any(w in DATABASES for w in re.split(r"[-_.]", base.lower()))


def _env_file_path(svc: dict, at: tuple):
    files = svc.get("env_file")
    f = files if len(at) == 1 else files[at[1]]
    return str(f.get("path") if isinstance(f, dict) else f)


def _shared_env_files(s: str, svc: dict, services: dict) -> set[str]:
    """The env_files of service ``s`` that another service reads too."""
    def paths(x) -> set[str]:
        files = x.get("env_file") if isinstance(x, dict) else None
        listed = [files] if isinstance(files, (str, dict)) else files if isinstance(files, list) else []
        return {str(f.get("path") if isinstance(f, dict) else f) for f in listed}
    return paths(svc) & set().union(*(paths(o) for n, o in services.items() if n != s))


def plain_env(svc: dict, variables: dict) -> dict[str, str]:
    """A service's `environment` (not its env_files), interpolated, without a word said."""
    from .compose import interpolate

    raw = svc.get("environment") or {}
    pairs = [(x.split("=", 1)[0], x.split("=", 1)[1] if "=" in x else None) for x in map(str, raw)] \
        if isinstance(raw, list) else list(raw.items()) if isinstance(raw, dict) else []
    pairs = [(k, str(variables[str(k)]).replace("$", "$$") if v is None and str(k) in variables else v)
             for k, v in pairs]   # a variable without a value: Compose takes the `.env` one, as is
    # a YAML boolean is the word Compose reads it as (`true`), not Python's `True`
    return {str(k): interpolate(("true" if v else "false") if isinstance(v, bool) else str(v), variables, set())
            for k, v in pairs if v is not None and not isinstance(v, (dict, list))}


def interpolate_plain(value: str, variables: dict) -> str:
    from .compose import interpolate

    return interpolate(value, variables, set())


def rest(s: str, svc: dict, doc: dict, ctx, hooked: dict) -> None:
    """Profiles, stop_grace_period and the ``hooked`` commands (:func:`.compose_pod.hooks`) in the language;
    a warning for what is not carried over (networks, restart, user, keys the importer does not know)."""
    from .compose import known_keys, seconds

    if svc.get("profiles"):
        doc["enabled"] = False
        for p in svc["profiles"]:
            ctx.profiles.setdefault(str(p), []).append(doc["name"])
    from .compose_proxy import routing_label

    for k, v in label_pairs(svc, ctx.vars):
        if routing_label(k):
            continue   # (read into `expose`: :mod:`.compose_proxy`)
        if v is None:
            ctx.say(s, f"label {k} is not carried over: it passes a credential, which a label would show to anyone "
                       "who can list the pods", ("labels",), "warning", code=SECRET)
        elif carried_label(k, v):
            doc.setdefault("labels", {})[k] = v
        elif not skyspecs_label(k):   # (one skyspec sets is set again, on every object)
            ctx.say(s, f"label {k} is not carried over: it is not a Kubernetes label",
                    ("labels",), "warning", hint="put it in the spec's `annotations:` if a tool reads it")
    pinned(s, svc, doc, ctx)
    hostname(s, svc, doc, ctx)
    if svc.get("stop_grace_period") is not None:
        n = seconds(svc["stop_grace_period"])
        if n is not None:
            doc.setdefault("lifecycle", {})["termination_grace"] = n
    for key, cmd in hooked.items():
        doc.setdefault("lifecycle", {})[key] = cmd
    user(s, svc, doc, ctx)
    if svc.get("read_only") is True:
        ctx.say(s, "read_only: skyspec's default too (a read-only root filesystem)", ("read_only",))
    for key, what in (
            ("networks", "networks {v}: Kubernetes has one pod network; NetworkPolicies admit the services sharing "
                         "a network to each other (SKY072)"),
            ("restart", "restart: {v} (skyspec: {ours} for {kind}s)")):
        ours = "unless-stopped" if doc["kind"] in ("App", "StatefulApp") else "no"
        if svc.get(key) and not (key == "restart" and svc[key] == ours):   # (the same: nothing to say)
            v = svc[key]
            v = [interpolate_plain(str(n), ctx.vars) for n in v] if isinstance(v, list) else v   # (values, not keys)
            ctx.say(s, what.format(v=", ".join(map(str, v)) if isinstance(v, (list, dict)) else v, ours=ours,
                                   kind=doc["kind"]), (key,), "note")
    for key in sorted(set(svc) - known_keys(), key=str):
        if key == "attach":   # (which logs `docker compose up` shows: nothing runs otherwise)
            ctx.say(s, "attach: only which logs `docker compose up` shows", (key,))
            continue
        ctx.say(s, f"{key} is not carried over: the language has no field for it", (key,), "warning",
                hint=_uncarried_hint(str(key), svc[key]))
