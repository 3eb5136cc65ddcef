"""The connections a Compose file says by addresses: a variable holding another service's
address (`db:5432`, `kafka://redpanda:9092/order`, a pair `X_HOST`/`X_PORT`) is a
`connect_to`; the ports such addresses name that the target does not declare are declared
(Compose reaches any port of a service, Kubernetes only its Service's), as is the port of a
server image others depend on; a connection `connect_to` cannot say (one that would close
a cycle) stays an address, with a NetworkPolicy admitting the call (a service's own address
needs none: the policy of its Compose network admits its pods to each other,
:mod:`.compose_networks`). It reads the services' data only.
"""

from __future__ import annotations

import re

from . import compose_build
from .compose_parts import interpolate_plain, parse_port, plain_env, port_item
from .compose_task import task
from .source import INFERRED


# A value that is an address of another service: `db:5432`, `kafka://redpanda:9092/order`,
# `mysql://user:secret@db:3306/app` (the host, then the port)
_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?([A-Za-z0-9][-A-Za-z0-9_.]*):([0-9]{1,5})(?:[/?#].*)?$")


def addressed(s: str, env: dict, services: dict, wanted: dict, ported: bool = True,
              renames: dict | None = None) -> dict[str, str]:
    """{service: variable}: the other services whose address (`db:5432`,
    `kafka://redpanda:9092/order`) a variable of service ``s`` holds: those with a port to
    connect to (``ported``: declared, or one of the ``wanted`` ports), or those without one;
    also by a name of :func:`name_changes` (``renames``: Mautic's cron calls its database
    `db.basic-docker`, Listmonk's app could call its `listmonk_db:5432`)."""
    from .compose import dns

    by_dns: dict[str, str] = {}
    for k in services if renames else ():
        by_dns.setdefault(dns(k), k)
    keyed = {old: by_dns[new] for old, new in (renames or {}).items() if new in by_dns}
    out: dict[str, str] = {}
    for var, value in sorted(env.items()):
        d, _ = _addressee(s, renamed_hosts(str(value), keyed, var) if keyed else value, services, env, var)
        if d is not None and d not in out and (_declares_ports(services[d]) or d in wanted) == ported:
            out[d] = var
    return out


def _addressee(s: str, value, services: dict, env: dict | None = None, var: str = "") -> tuple[str | None, int]:
    """(the other service whose address ``value`` is, the port it names), or (None, 0) also
    when that service does not run wherever ``s`` does (only in a profile ``s`` is not in:
    Sentry's `VROOM` address names a profile's service; the address stays in the environment).
    An address is `host:port`, a URL, or (in ``env``, the variable ``var`` holding the host) a
    pair `X_HOST: host` and `X_PORT: port` (:func:`_paired_port`), as the system check reads them (Penpot's
    `PENPOT_SMTP_HOST: penpot-mailcatch`, `PENPOT_SMTP_PORT: 1025`)."""
    m = _ADDRESS.match(str(value))
    d, port = (m.group(1), int(m.group(2))) if m else (None, 0)
    paired = _paired_port(env or {}, var)
    if m is None and str(paired).isdigit():
        d, port = str(value), int(str(paired))
    return (d, port) if d and d != s and d in services and 0 < port < 65536 and runs_with(s, d, services) \
        else (None, 0)


def _own_address(s: str, value, env: dict, var: str) -> int:
    """The port of ``value`` when it is service ``s``'s own address (Temporal's
    `TEMPORAL_ADDRESS: temporal:7233` on the service `temporal`), else 0: its pods then call
    each other through its Service, which must have that port."""
    m = _ADDRESS.match(str(value))
    paired = _paired_port(env, var)
    d, port = (m.group(1), int(m.group(2))) if m else (str(value), int(str(paired))) if str(paired).isdigit() \
        else (None, 0)
    return port if d == s and 0 < port < 65536 else 0


def _paired_port(env: dict, var: str):
    """The value of the port variable beside ``var`` when it names a host: `X_PORT` of `X_HOST`,
    in its case (Listmonk's `LISTMONK_db__port` of `LISTMONK_db__host`), else None."""
    if not var.upper().endswith("_HOST"):
        return None
    return env.get(var[:-4] + "".join(p.upper() if h.isupper() else p for h, p in zip(var[-4:], "port")))


def runs_with(s: str, d: str, services: dict) -> bool:
    """Whether service ``d`` runs in every profile service ``s`` runs in."""
    def profiles(name: str) -> set:
        svc = services.get(name)
        return set(map(str, svc.get("profiles") or [])) if isinstance(svc, dict) else set()
    mine, theirs = profiles(s), profiles(d)
    return not theirs or bool(mine) and mine <= theirs


def _declares_ports(svc) -> bool:
    return isinstance(svc, dict) and bool(svc.get("ports") or svc.get("expose"))


# the port a server image listens on, by the last part of its name (`ghcr.io/immich-app/postgres`,
# `valkey/valkey`, `bitnami/postgresql`): for a service others depend on that declares none
IMAGE_PORTS = {"postgres": 5432, "postgresql": 5432, "postgis": 5432, "timescaledb": 5432, "redis": 6379,
               "valkey": 6379, "keydb": 6379, "mysql": 3306, "mariadb": 3306, "percona": 3306, "mongo": 27017,
               "mongodb": 27017, "memcached": 11211, "rabbitmq": 5672, "elasticsearch": 9200, "opensearch": 9200,
               "nats": 4222, "zookeeper": 2181, "kafka": 9092, "cassandra": 9042, "couchdb": 5984, "etcd": 2379,
               "clickhouse-server": 8123, "influxdb": 8086, "meilisearch": 7700, "typesense": 8108, "qdrant": 6333,
               "eclipse-mosquitto": 1883, "minio": 9000}
INFERRED_PORT = "depends on it"   # (how a port known from the image, not an address, is said)
BY_NAME = " (by name)"   # (a port known from the service's name, not its image)
BY_CHECK = " (by its healthcheck)"   # (a port its own healthcheck calls on localhost)
BY_EXPOSE = " (by its Dockerfile's EXPOSE)"   # (the ports its own Dockerfile says it listens on)
# an address on the container itself in a healthcheck: a scheme (its default port) or a port
_LOCAL = re.compile(r"(?<![\w.-])(?:(https?)://)?(?:localhost|127\.0\.0\.1)(?::(\d{1,5}))?(?![\w.-])")


def checked_port(svc: dict, variables: dict) -> int | None:
    """The port a service's own healthcheck calls on localhost (robot-shop's catalogue:
    `curl -f http://localhost:8080/health`), or None: where it listens, when it says nothing
    else."""
    from .compose_probe import probe_command

    hc = svc.get("healthcheck")
    words = probe_command(hc.get("test"), variables)[0] if isinstance(hc, dict) else None
    for m in _LOCAL.finditer(" ".join(words or [])):
        port = int(m[2]) if m[2] else {"http": 80, "https": 443}.get(m[1] or "")
        if port is not None and 0 < port < 65536:
            return port
    return None


def name_changes(services: dict, variables: dict, networks=None) -> dict[str, str]:
    """{name: the Service's name} of every name a service is reached by in Compose that no
    Service has on Kubernetes: a service's own name that is no DNS label (`plausible_db`), its
    network aliases (jitsi's prosody is `xmpp.meet.jitsi` on its network), its
    `container_name` (Listmonk's `listmonk_db`, which Compose's DNS resolves too) and these
    names followed by a network's `name:` (``networks``, the file's), interpolated from the
    `.env` (an alias that is another service's name stays that service's)."""
    from .compose import dns
    from .compose_networks import joined

    out = {s: dns(s) for s in services if isinstance(s, str) and dns(s) != s}
    taken = {dns(s) for s in services} | set(services)
    on = joined(services, variables) if isinstance(networks, dict) else {}   # (once: it reads every service)
    for s, svc in sorted(services.items()):
        names = [s, *_names(svc, variables, ("container_name",))] if isinstance(svc, dict) else []
        for a in names + _on_named_networks(names, on.get(s, []), variables, networks):
            if a not in taken:
                out.setdefault(a, dns(s))
    return out


def _on_named_networks(names: list[str], nets: list[str], variables: dict, networks) -> list[str]:
    """``names`` of a service each followed by the `name:` of a network of ``nets`` it is on,
    which Docker's DNS resolves as well (Mautic's `.env`: `MYSQL_HOST=db.${COMPOSE_NETWORK}`, its
    `networks: {default: {name: ${COMPOSE_NETWORK}}}`); on Kubernetes that is a Service `db` of
    another namespace, `basic-docker`."""
    if not isinstance(networks, dict):
        return []
    out = []
    for net in nets:
        conf = networks.get(net)
        named = interpolate_plain(str(conf.get("name")), variables).strip() if isinstance(conf, dict) and \
            conf.get("name") else ""
        if named and "$" not in named and not re.search(r"[\s/:]", named):
            out += [f"{n}.{named}" for n in names]
    return out


def _names(svc: dict, variables: dict, keys: tuple[str, ...]) -> list[str]:
    """A service's network aliases and its ``keys`` (`container_name`, `hostname`), interpolated
    from the `.env`, in order; those that are no name (empty, a variable left, a space) left out.
    Aliases are read from a list only: a string would be its letters."""
    found = [svc[k] for k in keys if isinstance(svc.get(k), str)]
    nets = svc.get("networks")
    for net in nets.values() if isinstance(nets, dict) else ():
        aliases = net.get("aliases") if isinstance(net, dict) else None
        found += [a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else []
    names = (interpolate_plain(a, variables).strip() for a in found)
    return [n for n in names if n and "$" not in n and not re.search(r"\s", n)]


# the last word of a variable whose whole value is a host (or a list of hosts)
_HOST_VARS = {"HOST", "HOSTS", "HOSTNAME", "SERVER", "SERVERS", "ADDR", "ADDRESS", "ADDRESSES", "ENDPOINT", "BROKER",
              "BROKERS", "NODES", "PEERS", "PROXY"}   # (NO_PROXY: a list of hosts; LibreChat's names `rag_api`)


def renamed_hosts(value: str, renames: dict[str, str], var: str = "") -> str:
    """``value`` (of the variable ``var``) with each name no Service has (``renames``:
    {`plausible_db`: `plausible-db`}) spelt as its Service's name where it stands as a host: a
    URL's (`postgres://my_db:5432/my_db`: not the path, which names the database), before a port
    (`my_db:5432`), or the whole value or a word of it in a variable named as a host's (`DB_HOST:
    my_db`; `POSTGRES_DB: my_db` names a database, and stays)."""
    hostish = bool(var) and re.split(r"_+", var.upper())[-1] in _HOST_VARS
    for old, new in renames.items():
        if old not in value:
            continue
        e = re.escape(old)
        value = re.sub(r"(?:(?<=//)|(?<=@))" + e + r"(?=$|[:/?#;\s\"'])", new, value)
        value = re.sub(r"(?:^|(?<=[=,\s]))" + e + r"(?=:[0-9])", new, value)
        if hostish:
            value = re.sub(r"(?:^|(?<=[,\s]))" + e + r"(?=$|[,\s])", new, value)
    return value


_HOST_OPTIONS = ("-h", "--host", "--hostname")


def own_names(s: str, svc: dict, variables: dict) -> set[str]:
    """The names Compose resolves to service ``s``'s own container: its name, `container_name`,
    `hostname` and network aliases (interpolated from the `.env`)."""
    return {s, *_names(svc, variables, ("container_name", "hostname"))}


def local_probe(cmd: list[str], names: set[str]) -> list[str]:
    """A probe's command with each of ``names`` (the service's own: :func:`own_names`) that
    stands as a host (`http://NAME:8888`, `NAME:5432`, `-h NAME`) written `localhost`. Compose
    resolves a container's own name to itself; on Kubernetes the name is its Service, which
    sends traffic only to ready pods, so a probe through it could never pass (Spring
    PetClinic's `curl -I http://config-server:8888` on config-server)."""
    out = []
    to_local = {n: "localhost" for n in names}
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    for i, w in enumerate(cmd):
        if i and cmd[i - 1] in _HOST_OPTIONS and w in names:
            out.append("localhost")
            continue
        w = renamed_hosts(w, to_local)
        # in a shell line (`redis-cli -h cache ping`), or `--host=cache`
        w = re.sub(r"((?:^|\s)(?:-h|--host|--hostname)(?:\s+|=)|^--host(?:name)?=)(?:" + alt + r")(?=$|[\s;&|)'\"])",
                   r"\1localhost", w)
        out.append(w)
    return out


def image_port(image) -> int | None:
    """The port a server image of a known kind listens on, by the last part of its name, or
    that part's last word (zulip's `zulip/zulip-postgresql` is a postgres; a
    `postgres-exporter` is not), or of the official image it is built from (LibreChat's
    `pgvector/pgvector` is a postgres)."""
    from ..rules.official_image import official

    base = str(image).split("@")[0].rsplit("/", 1)[-1].split(":")[0].lower()
    port = IMAGE_PORTS.get(base, IMAGE_PORTS.get(base.rsplit("-", 1)[-1]))
    return port if port is not None else IMAGE_PORTS.get(official(str(image)) or "")


# an address in a configuration file: `scheme://name[:port]` or `name:port` (nginx's `proxy_pass
# http://taiga-front/`, `server taiga-back:8000;`, Caddy's `reverse_proxy backend:8000`). The name
# is a whole host: not one followed by `.` and a label (`https://grafana.com/docs` in a comment,
# flagd's `"$schema": "https://flagd.dev/..."` name domains, not the services grafana and flagd)
_IN_FILE = re.compile(r"(?:\b([a-z][a-z0-9+.-]{0,15})://)?(?<![-\w.])([A-Za-z0-9][-A-Za-z0-9_]{0,62})(?![-\w]|\.\w)"
                      r"(?::([0-9]{1,5}))?(?![-\w])")
# an nginx upstream block: `proxy_pass http://NAME` then names the block, whose `server` lines say the
# addresses and ports (lemmy's `upstream lemmy { server lemmy:8536; }`), not a host on port 80
_UPSTREAM = re.compile(r"(?<![-\w])upstream\s+([-\w.]+)\s*\{")
_SCHEME_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
FILE_BYTES = 256 * 1024   # of a service's bound files, read for addresses


def file_addresses(s: str, svc: dict, services: dict, variables: dict, base) -> list[tuple[str, int, str]]:
    """(service, port, file) of each address of another service that a project file bound
    into service ``s`` holds (taiga's gateway proxies to taiga-back:8000 and taiga-front by
    its nginx config, which no environment value shows): Compose reaches any port of a
    service, Kubernetes only its Service's. A URL without a port names its scheme's (taiga's
    `proxy_pass http://taiga-front/`: its nginx listens on 80), unless its host is the name of
    an nginx `upstream` block of the service's files, whose `server NAME:PORT` lines say the
    port (lemmy's `proxy_pass http://lemmy` is its `upstream lemmy { server lemmy:8536; }`)."""
    from .compose_binds import Files, project_files
    from .compose_parts import volume_of

    texts: list = []
    budget = FILE_BYTES
    for v in svc.get("volumes") or [] if base is not None else []:
        typ, src, dst, ro = volume_of(v, variables)
        got = project_files(base, str(src), str(dst), ro) if typ == "bind" and src and dst else None
        if not isinstance(got, Files):
            continue
        for name, text in sorted((got.texts if got.secret is None else got.scanned).items()):
            text = text[:budget]
            budget -= len(text)
            texts.append((f"{src}/{name}" if got.folder else str(src), text))
    upstreams = {u for _, text in texts for u in _UPSTREAM.findall(text)}
    out: list = []
    for path, text in texts:
        for m in _IN_FILE.finditer(text):
            d = m.group(2)
            if m.group(3) is None and d in upstreams:
                continue
            port = int(m.group(3)) if m.group(3) else _SCHEME_PORTS.get(m.group(1) or "")
            if d != s and d in services and port and 0 < port < 65536 and runs_with(s, d, services):
                out.append((d, port, path))
    return out


def wanted_ports(services: dict, variables: dict, base=None, files: dict | None = None) -> dict[str, dict[int, str]]:
    """{service: {port: "who (VARIABLE)"}}: the ports other services' environments hold an
    address on, of a service that declares none or not that one; and those its own
    environment does (Kafka's `KAFKA_CONTROLLER_QUORUM_VOTERS: 1@broker:29093` on `broker`:
    its controller reaches itself through its Service). Compose reaches any port of a service,
    Kubernetes only its Service's ports, which the NetworkPolicy admits: they are declared.
    A service that others `depends_on` and that declares no port and has no address in their
    environments, whose image is a server of a known kind (a postgres, a valkey), gets that
    kind's port ({port: "who depends on it"}): its callers read its address from their code's
    defaults (immich's server finds `database` and `redis` so), which Compose allows; an image
    of no known kind gets the port its own healthcheck calls on localhost, or, on a service
    named as a known kind (`mongodb`), that kind's port. A project file bound into a service
    (a gateway's nginx config) names ports as an environment does (:func:`file_addresses`,
    when ``base``, the Compose file's folder, is given; ``files`` gets them by service)."""
    out: dict[str, dict[int, str]] = {}
    for s, svc in sorted(services.items()):
        env = plain_env(svc, variables) if isinstance(svc, dict) else {}
        for var, value in sorted(env.items()):
            d, port = _addressee(s, value, services, env, var)
            who = f"{s} ({var})"
            if d is None and (own := _own_address(s, value, env, var)):
                d, port, who = s, own, f"{s} itself ({var})"
            if d is not None and (not _declares_ports(services[d]) or _undeclared(port, services[d], variables)):
                out.setdefault(d, {}).setdefault(port, who)
        found = file_addresses(s, svc, services, variables, base) if isinstance(svc, dict) else []
        if files is not None and found:
            files[s] = found
        for d, port, path in found:
            if not _declares_ports(services[d]) or _undeclared(port, services[d], variables):
                out.setdefault(d, {}).setdefault(port, f"{s} (its file {path})")
    for s, svc in sorted(services.items()):
        for d, opts in sorted(depends(svc).items()):
            target = services.get(d)
            cond = opts.get("condition") if isinstance(opts, dict) else None
            if not isinstance(target, dict) or d in out or _declares_ports(target) or \
                    cond == "service_completed_successfully" or task(target, d):
                continue   # (huginn's `mysqldata`, `/bin/true`: a mysql image that serves nothing)
            built = compose_build.built_of(target, base, variables) if target.get("build") else None
            if built is not None and built.exposed:   # what its own Dockerfile says it listens on
                out[d] = {p: f"{s} {INFERRED_PORT}{BY_EXPOSE}" for p in built.exposed}
                continue
            if not isinstance(target.get("image"), str):
                continue
            # the image's kind, else the port its own healthcheck calls (robot-shop's catalogue), else
            # the service's name when it is one (Instana's robot-shop runs its own
            # `robotshop/rs-mongodb` as the service `mongodb`)
            port, by = image_port(interpolate_plain(target["image"], variables)), ""
            if port is None:
                port, by = checked_port(target, variables), BY_CHECK
            if port is None:
                port, by = IMAGE_PORTS.get(d), BY_NAME
            if port is not None:
                out[d] = {port: f"{s} {INFERRED_PORT}{by}"}
    return out


def _undeclared(port: int, svc: dict, variables: dict) -> bool:
    """Whether a service that declares ports listens on ``port`` without declaring it (n8n's task
    broker at `n8n:5679` beside its published 5678): no port, container's or published (an
    address on that is the input's mistake, which the build reports), nor a range holds it."""
    got = [parse_port(port_item(p, variables))
           for key in ("ports", "expose") for p in (svc.get(key) if isinstance(svc.get(key), list) else [])]
    return not any(g == "range" or isinstance(g, tuple) and port in g[:2] for g in got)


def acyclic(items: list, names: dict, ctx) -> list:
    """Drops each connection inferred from an address that would close a cycle of
    `connect_to` (the language orders start-up by it, and refuses cycles; Compose needs no
    order for an address): depends_on first, then the addresses in service order. A dropped
    one stays in the environment, with a NetworkPolicy `<callee>-from-<caller>` admitting
    the call, as the Kubernetes importer does; each kept or dropped one is a note (SKY063)."""
    from .kube import Extracted, reaches

    docs = {x.doc["name"]: x.doc for x in items if "connect_to" in x.doc}
    inferred = {names[s]: {names[d]: (var, at) for d, var, at in found} for s, found in ctx.addressed.items()}
    edges = {n: {t for t in doc["connect_to"] if t not in inferred.get(n, {})} for n, doc in docs.items()}
    # the input's start order, also where connect_to cannot say it (Airflow's servers wait for
    # `airflow-init`, a one-shot task of no port, to complete): an address must not turn it round
    order = {n: set(e) for n, e in edges.items()}
    for svc, body in ctx.data["services"].items():
        order.setdefault(names.get(svc, svc), set()).update(names.get(d, d) for d in depends(body))

    out = []
    by_name = {v: k for k, v in names.items()}
    for me in sorted(inferred):
        for peer, (var, at) in sorted(inferred[me].items()):
            s, d = by_name[me], by_name[peer]
            if reaches(edges, peer, me) or reaches(order, peer, me):
                docs[me]["connect_to"].remove(peer)
                why = "reaches" if reaches(edges, peer, me) else "starts after"
                ctx.say(s, f"connect_to {d}: not inferred, though {var} holds its address: {d} {why} {s} already, "
                        "and connect_to may not form a cycle", at, code=INFERRED)
                out.append(Extracted({"kind": "NetworkPolicy", "name": f"{peer}-from-{me}"[:63].strip("-"),
                                      "select": {"app": peer}, "allow_from": [{"app": me}],
                                      "_note": f"inferred: {var} of {s} holds the address of {d}, and connect_to "
                                               "cannot say it (a cycle)"}, [], []))
            else:
                edges.setdefault(me, set()).add(peer)
                order.setdefault(me, set()).add(peer)
                ctx.say(s, f"connect_to {d}: {var} holds its address", at, code=INFERRED)
        if not docs[me]["connect_to"]:
            del docs[me]["connect_to"]
            docs[me].pop("_connect_note", None)
    return out


def depends(svc) -> dict[str, dict]:
    """The services a service's `depends_on` names (the list or the map form), each with its
    options (`{}` in the list form)."""
    deps = svc.get("depends_on") if isinstance(svc, dict) else None
    if isinstance(deps, list):
        return {d: {} for d in deps if isinstance(d, str)}
    return {d: o if isinstance(o, dict) else {} for d, o in deps.items() if isinstance(d, str)} \
        if isinstance(deps, dict) else {}
