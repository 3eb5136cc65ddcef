"""official image run without what it needs under the hardened defaults

The hardened defaults run every container as UID 10001 with a read-only root filesystem and
no capabilities. The official images of common servers expect more: `nginx` writes
/var/cache/nginx and its pid file under /var/run, `postgres` (`mysql`, `mariadb`, `redis`,
`valkey/valkey`, `mongo`, `rabbitmq`, `elasticsearch`, `apache/kafka`, `grafana/grafana`,
`prom/prometheus`, `prom/alertmanager`, `clickhouse/clickhouse-server`) writes its data and socket directories, owned by the
image's own user; `couchdb`'s entrypoint writes /opt/couchdb/etc/local.d/docker.ini (its admin)
and runs as its user, 5984, with /opt/couchdb/data writable; `httpd`, `wordpress` and `matomo` start as root
(Matomo's entrypoint copies Matomo into /var/www/html and chowns it to www-data, which UID 10001
cannot; their `fpm` tags make no Apache folders).
`minio/minio` and `ollama/ollama` write in their user's home, / for UID 10001 (/root as root):
MinIO its certs folder /.minio (releases before RELEASE.2023-03-09 exit without it) and the
folders its `server` command names, Ollama its models and key in /.ollama (a volume at
/root/.ollama, the image's own place, needs `run_as_root`: /root is 0700). Every LinuxServer.io
image (`lscr.io/linuxserver/*`, `linuxserver/*`, `ghcr.io/linuxserver/*`: sonarr, jellyfin,
code-server, ...) and Karakeep's (`ghcr.io/karakeep-app/karakeep`) start s6-overlay's `/init`
as root, which runs its services in /run; a LinuxServer image then chowns /config to its user
abc (UID 911) and drops to it (CHOWN, SETUID, SETGID, and KILL to stop it), and on the read-only root
ignores PUID and PGID. Tandoor's (`vabene1111/recipes`) boot.sh writes its nginx config into
/opt/recipes/http.d, beside its template (on the read-only root nginx serves nothing), and
collects its static files. Images built from `postgres` that keep
its entrypoint (`pgvector/pgvector`, `postgis/postgis`, Immich's `ghcr.io/immich-app/postgres`)
count as `postgres`: the template runs them with `image:`. Prometheus' and Alertmanager's data
folder is read from their flag (`--storage.tsdb.path`, `--storage.path`); arguments that give
none put it in `data/` under the working folder. An image of another name that
mounts the data folder of one with a template (`/var/lib/postgresql/data`, `/var/lib/mysql`,
`/data/db`, `/var/lib/rabbitmq`, `/usr/share/elasticsearch/data`) is taken for one built from
it (Bank of Anthos' `accounts-db` is `FROM postgres:16-alpine` with its schema added), and
reported the same way, unless it runs as a user of its own choosing (one other than that
image's: Harbor's `goharbor/harbor-db`, run as postgres' 999, is one built from it). Such a
container crash-loops (`mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file
system)`). The rule reports an official image used without its stdlib template (`use:`)
and without the writable paths and user it needs; the hint names the fix: the template,
an unprivileged variant of the image, or the `security:` relaxations and volumes. A path
counts as writable when a volume or storage is mounted at it or above it, or with
`writable_root_fs: true` when the container runs as root or as the image's own user.

PASS:

```yaml
kind: Secret
name: db
keys: [password]
---
kind: StatefulApp
name: db
use: postgres
version: "16.4"
credentials: db
---
kind: App
name: web
image: nginxinc/nginx-unprivileged:1.27
port: 8080
---
kind: App
name: proxy
image: nginx:1.27
port: 80
volumes:
  cache: {empty: true, mount: /var/cache/nginx}
  run: {empty: true, mount: /var/run}
---
kind: StatefulApp
name: accounts-db
image: ghcr.io/acme/accounts-db:1.2.0   # FROM postgres:16-alpine
port: 5432
security: {run_as_user: 70}
volumes:
  data: {empty: true, mount: /var/lib/postgresql/data}
  run: {empty: true, mount: /var/run/postgresql}
---
kind: App
name: metrics
image: prom/prometheus:v3.5.0
args: [--config.file=/etc/prometheus/prometheus.yml]   # its data then goes to /prometheus/data
port: 9090
volumes:
  data: {empty: true, mount: /prometheus/data}
---
kind: App
name: tv
image: lscr.io/linuxserver/sonarr:4.0.15
port: 8989
security: {run_as_root: true, add_capabilities: [CHOWN, SETUID, SETGID, KILL]}
volumes:
  run: {empty: true, mount: /run}
  config: {empty: true, mount: /config}
---
kind: App
name: s3
image: minio/minio:RELEASE.2025-04-22T22-12-26Z
args: [server, /data, --console-address, ":9001"]
port: 9000
volumes:
  data: {empty: true, mount: /data}
```

FAIL:

```yaml
kind: App
name: web
image: nginx:1.27  # <- writes /var/cache/nginx on a read-only root
port: 80
```

FAIL (its home is / as UID 10001, and the volume is under root's):

```yaml
kind: App
name: llm
image: ollama/ollama:0.11.4  # <- writes /.ollama; `run_as_root` reaches /root/.ollama
port: 11434
volumes:
  models: {empty: true, mount: /root/.ollama}
```

FAIL (a database image without its template):

```yaml
kind: StatefulApp
name: db
image: postgres:16.4  # <- `use: postgres` knows its user and paths
port: 5432
```

FAIL (an image built from postgres, known by its data folder):

```yaml
kind: StatefulApp
name: accounts-db
image: ghcr.io/acme/accounts-db:1.2.0  # <- its own image, FROM postgres
port: 5432
volumes:
  data: {empty: true, mount: /var/lib/postgresql/data}
```
"""

from __future__ import annotations

import re
import shlex
from typing import Iterator

from ..diagnostics import Pos, spelled
from ._common import containers, split_image, where

ID = "official-image"
CODE = "SKY410"
SEVERITY = "warning"

# repository -> (stdlib template, the image's user, the paths it writes, needs root, the fix besides the template)
KNOWN: dict[str, tuple[str | None, int | None, tuple[str, ...], bool, str]] = {
    "nginx": (None, None, ("/var/cache/nginx", "/var/run"), False,
              "use `image: nginxinc/nginx-unprivileged` (it listens on 8080), or mount emptyDir volumes at "
              "/var/cache/nginx and /var/run"),
    "httpd": (None, None, ("/usr/local/apache2/logs",), True,
              "set `security: {run_as_root: true, add_capabilities: [SETUID, SETGID]}` and mount an emptyDir at "
              "/usr/local/apache2/logs, or use an unprivileged image such as bitnami/apache"),
    "wordpress": (None, None, ("/var/www/html", "/var/run/apache2", "/var/lock/apache2"), True,
                  "set `security: {run_as_root: true, add_capabilities: [SETUID, SETGID, CHOWN]}` and mount "
                  "/var/www/html, /var/run/apache2 and /var/lock/apache2, or use an unprivileged image"),
    # Matomo's entrypoint (`set -e`), where /var/www/html holds no matomo.php, copies Matomo there
    # from /usr/src/matomo and `chown -R`s it to www-data as root, to itself as another user: UID
    # 10001 cannot chown the volume's root, which is not its own, and it exits. Then Apache (its
    # default tags) or php-fpm (its `fpm` ones) starts as root and runs its workers as www-data
    # (matomo-org/docker's docker-entrypoint.sh; php's apache2-foreground makes /var/run/apache2
    # and /var/lock/apache2)
    "matomo": (None, None, ("/var/www/html", "/var/run/apache2", "/var/lock/apache2"), True,
               "set `security: {run_as_root: true, add_capabilities: [CHOWN, SETUID, SETGID]}` and mount storage "
               "at /var/www/html (its entrypoint copies Matomo there and chowns it to www-data) and, for a tag that "
               "runs Apache (not `fpm`), emptyDirs at /var/run/apache2 and /var/lock/apache2"),
    "postgres": ("postgres", 999, ("/var/lib/postgresql/data", "/var/run/postgresql"), False, ""),
    "mysql": ("mysql", 999, ("/var/lib/mysql", "/var/run/mysqld"), False, ""),
    "mariadb": (None, 999, ("/var/lib/mysql", "/run/mysqld"), False,
                "set `security: {run_as_user: 999}` with storage at /var/lib/mysql and an emptyDir at /run/mysqld, "
                "or `use: mysql`"),
    "redis": ("redis", 999, ("/data",), False, ""),
    # Redis' fork (immich's queue): it saves snapshots in /data, and refuses writes once a save fails
    "valkey/valkey": (None, 999, ("/data",), False,
                      "set `security: {run_as_user: 999}` and mount storage or an emptyDir at /data (it saves "
                      "its snapshots there, and refuses writes once a save fails), or run `use: redis`"),
    "mongo": ("mongodb", 999, ("/data/db", "/data/configdb"), False, ""),
    # Grafana's entrypoint exits when /var/lib/grafana is not writable; it logs to /var/log/grafana too
    **{repo: (None, 472, ("/var/lib/grafana", "/var/log/grafana"), False,
              "set `security: {run_as_user: 472}` and mount storage at /var/lib/grafana (its database and "
              "plugins) and an emptyDir at /var/log/grafana")
       for repo in ("grafana/grafana", "grafana/grafana-oss", "grafana/grafana-enterprise")},
    # Prometheus and Alertmanager (user nobody) open their storage folder or exit
    **{repo: (None, 65534, (path,), False, f"set `security: {{run_as_user: 65534}}` and mount storage at {path}")
       for repo, path in (("prom/prometheus", "/prometheus"), ("quay.io/prometheus/prometheus", "/prometheus"),
                          ("prom/alertmanager", "/alertmanager"),
                          ("quay.io/prometheus/alertmanager", "/alertmanager"))},
    # ClickHouse (user clickhouse, 101) logs to /var/log/clickhouse-server, and its entrypoint writes
    # the default user's settings (or, with no password given, locks it to localhost) into users.d
    **{repo: (None, 101, ("/var/lib/clickhouse", "/var/log/clickhouse-server", "/etc/clickhouse-server/users.d"),
              False, "set `security: {run_as_user: 101}`, mount storage at /var/lib/clickhouse and emptyDirs at "
                     "/var/log/clickhouse-server and /etc/clickhouse-server/users.d (its entrypoint writes the "
                     "default user's settings there)")
       for repo in ("clickhouse/clickhouse-server", "yandex/clickhouse-server")},
    "rabbitmq": ("rabbitmq", 999, ("/var/lib/rabbitmq",), False, ""),
    "elasticsearch": ("elasticsearch", 1000, ("/usr/share/elasticsearch/data", "/usr/share/elasticsearch/config"),
                      False, ""),
    "docker.elastic.co/elasticsearch/elasticsearch": ("elasticsearch", 1000, ("/usr/share/elasticsearch/data",
                                                                              "/usr/share/elasticsearch/config"), False, ""),
    "apache/kafka": ("kafka", 1000, ("/var/lib/kafka/data", "/opt/kafka/config"), False, ""),
    # CouchDB's entrypoint (`set -e`) touches local.d/docker.ini and writes the admin of
    # COUCHDB_USER/COUCHDB_PASSWORD there; as root it chowns /opt/couchdb and drops to couchdb
    # (5984), as another user it skips that (apache/couchdb-docker)
    **{repo: (None, 5984, ("/opt/couchdb/data", "/opt/couchdb/etc/local.d"), False,
              "set `security: {run_as_user: 5984}`, mount storage at /opt/couchdb/data and an emptyDir at "
              "/opt/couchdb/etc/local.d (its entrypoint writes docker.ini there, with the admin of "
              "COUCHDB_USER and COUCHDB_PASSWORD)")
       for repo in ("couchdb", "apache/couchdb")},
    # MinIO (no USER: any user) makes its certs folder ~/.minio/certs, /.minio for a UID without a
    # home, and exits where it cannot (releases before RELEASE.2023-03-09); its data folders are
    # its `server` command's arguments (:func:`written`)
    **{repo: (None, None, ("~/.minio",), False,
              "mount storage or an emptyDir at each folder its `server` command names and, for a release before "
              "RELEASE.2023-03-09, an emptyDir at /.minio (its certs folder: UID 10001 has no home, so /)")
       for repo in ("minio/minio", "quay.io/minio/minio")},
    # Ollama (no USER: root) keeps its models and key in ~/.ollama: /root/.ollama as root (whose
    # /root is 0700), /.ollama for a UID without a home
    "ollama/ollama": (None, None, ("~/.ollama",), False,
                      "mount storage or an emptyDir at /.ollama (its models and key: UID 10001 has no home, so "
                      "/); or, to keep a volume at /root/.ollama, where the image keeps them as root, set "
                      "`security: {run_as_root: true}` (no capability: /root is root's own)"),
    # LinuxServer.io's images (every repository of :data:`FAMILIES`) start s6-overlay's /init, which
    # runs its services in /run (it exits where /run is not the user's and it cannot chown it); on a
    # read-only root the base skips its usermod and Docker mods, so PUID/PGID have no effect, chowns
    # /config to abc (UID 911) and drops to abc with s6-setuidgid; s6-supervise, root, stops the
    # app with SIGTERM, which a process of another UID takes only from CAP_KILL (kill(2))
    # (docker-baseimage-alpine's init-adduser, docker-mods' docker-mods.v3 and lsiown, s6-overlay's preinit)
    "linuxserver": (None, None, ("/run", "/config"), True,
                    "set `security: {run_as_root: true, add_capabilities: [CHOWN, SETUID, SETGID, KILL]}` and mount "
                    "an emptyDir at /run and storage or an emptyDir at /config (s6-overlay's /init starts as root; "
                    "on the read-only root its app runs as abc, UID 911, whatever PUID and PGID say)"),
    # Tandoor's boot.sh (any user: it runs non-root) writes its nginx config Recipes.conf into
    # /opt/recipes/http.d from the template beside it (without a `set -e`: on the read-only root nginx
    # starts with no server and nothing answers on its port), then collects its static files
    **{repo: (None, None, ("/opt/recipes/http.d", "/opt/recipes/staticfiles", "/opt/recipes/mediafiles"), False,
              "mount an emptyDir at /opt/recipes/http.d, filled from the image (boot.sh writes its nginx config "
              "there, from the template beside it), and storage or emptyDirs at /opt/recipes/staticfiles and "
              "/opt/recipes/mediafiles")
       for repo in ("vabene1111/recipes", "ghcr.io/tandoorrecipes/recipes")},
    # Karakeep's web (and its older name, Hoarder) starts s6-overlay's /init and runs its services as root
    **{repo: (None, None, ("/run",), True,
              "set `security: {run_as_root: true}` and mount an emptyDir at /run (s6-overlay's /init starts as "
              "root and runs its services there; it drops to no other user, so it needs no capability)")
       for repo in ("ghcr.io/karakeep-app/karakeep", "ghcr.io/hoarder-app/hoarder")},
}
# the paths of KNOWN a repository's tags holding a word do not write: Matomo's and WordPress' `fpm`
# tags run php-fpm, not Apache
NOT_IN_TAGS = {repo: ("fpm", ("/var/run/apache2", "/var/lock/apache2")) for repo in ("matomo", "wordpress")}
# publishers all of whose images are one kind (a key of KNOWN): the repository's prefixes
FAMILIES = {"linuxserver": ("lscr.io/linuxserver/", "linuxserver/", "ghcr.io/linuxserver/")}
# tags of a KNOWN repository that are another image: CouchDB's `-nouveau` tags run its Java search server
OTHER_TAGS = {"couchdb": "nouveau", "apache/couchdb": "nouveau"}
# MinIO's first release that goes on where it cannot make its certs folder (EROFS taken for a permission error)
MINIO_CERTS_OPTIONAL = "2023-03-09T23-16-13Z"
# the name of each image's own user (the one of KNOWN's UID, in its /etc/passwd): a Compose
# `user: postgres` names it, and the image runs as it (an Alpine tag's UID differs: the
# template reads the tag)
OWN_USER = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql", "redis": "redis", "valkey/valkey": "valkey",
            "mongo": "mongodb", "rabbitmq": "rabbitmq", "elasticsearch": "elasticsearch",
            "docker.elastic.co/elasticsearch/elasticsearch": "elasticsearch", "apache/kafka": "appuser",
            **{repo: "grafana" for repo in ("grafana/grafana", "grafana/grafana-oss", "grafana/grafana-enterprise")},
            **{repo: "nobody" for repo in ("prom/prometheus", "quay.io/prometheus/prometheus", "prom/alertmanager",
                                            "quay.io/prometheus/alertmanager")},
            **{repo: "clickhouse" for repo in ("clickhouse/clickhouse-server", "yandex/clickhouse-server")},
            "couchdb": "couchdb", "apache/couchdb": "couchdb"}
# stdlib template -> its kind (tests hold this to stdlib/): the hint for an App running a
# database image names the kind the template is for, which `use:` alone would refuse (SKY121)
TEMPLATE_KIND = {"postgres": "StatefulApp", "mysql": "StatefulApp", "redis": "StatefulApp",
                 "mongodb": "StatefulApp", "rabbitmq": "StatefulApp", "elasticsearch": "StatefulApp",
                 "kafka": "StatefulApp"}
# images built FROM an official one that keep its entrypoint, user and paths, and whose tags
# say `-alpine` as the official one's do (the template's user is 70 there): the extensions of
# PostgreSQL (pgvector, PostGIS, Immich's VectorChord build) -> its key. (TimescaleDB's
# `latest-pg16` is an Alpine image whose tag does not say so.)
DERIVED = {repo: "postgres" for repo in (
    "pgvector/pgvector", "postgis/postgis", "tensorchord/pgvecto-rs",
    "tensorchord/vchord-postgres", "ghcr.io/tensorchord/vchord-postgres", "ghcr.io/immich-app/postgres")}
# the data folder of an official image with a template -> its key: an image of another name mounting it
# is taken for one built from it (the template runs it with `image:`; its `version:` says the user)
DATA = {"/var/lib/postgresql/data": "postgres", "/var/lib/mysql": "mysql", "/data/db": "mongo",
        "/var/lib/rabbitmq": "rabbitmq", "/usr/share/elasticsearch/data": "elasticsearch"}
_HUB = ("docker.io/library/", "index.docker.io/library/", "registry-1.docker.io/library/", "docker.io/", "library/")


# the images whose data folder is a flag of their command: (the flag, the folder of the image's own
# command, the folder it defaults to when a command or arguments of another say none: `data/` under
# its working folder). OpenFaaS' chart runs Prometheus with its own arguments and an emptyDir at
# /prometheus/data, which is where it writes then.
DATA_FLAGS = {"prom/prometheus": ("--storage.tsdb.path", "/prometheus", "/prometheus/data"),
              "quay.io/prometheus/prometheus": ("--storage.tsdb.path", "/prometheus", "/prometheus/data"),
              "prom/alertmanager": ("--storage.path", "/alertmanager", "/alertmanager/data"),
              "quay.io/prometheus/alertmanager": ("--storage.path", "/alertmanager", "/alertmanager/data")}


def written(key: str, command, args, image: str | None = None, root: bool = False) -> tuple[str, ...]:
    """The folders the image of :data:`KNOWN` key ``key`` writes, run with ``command`` and
    ``args`` (None: the image's own) as root or not: for an image of :data:`DATA_FLAGS`, its
    data folder as the flag gives it, else the one it defaults to; `~` is the home of its user
    (/root, or / for a UID the image does not know); a tag of :data:`NOT_IN_TAGS` leaves out
    what it does not run (Apache's folders); MinIO's data folders are the arguments of
    its `server` command, and its certs folder is left out from the release (``image``'s tag)
    that goes on without it."""
    paths = tuple(p.replace("~", "/root" if root else "", 1) if p.startswith("~/") else p for p in KNOWN[key][2])
    if key in NOT_IN_TAGS and NOT_IN_TAGS[key][0] in ((split_image(image)[1] or "") if isinstance(image, str) else ""):
        paths = tuple(p for p in paths if p not in NOT_IN_TAGS[key][1])
    if key in ("minio/minio", "quay.io/minio/minio"):
        tag = (split_image(image)[1] or "") if isinstance(image, str) else ""
        m = re.fullmatch(r"RELEASE\.(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)(\..*)?", tag)
        keep = paths if m is None or m.group(1) < MINIO_CERTS_OPTIONAL else ()
        return keep + tuple(p for p in _served(command, args) if p not in keep)
    if key not in DATA_FLAGS or (not command and not args):
        return paths
    flag, own, default = DATA_FLAGS[key]
    words = [str(w) for w in [*(command or []), *(args or [])]]
    given = next((w.split("=", 1)[1] for w in words if w.startswith(flag + "=")), None) or \
        next((words[i + 1] for i, w in enumerate(words[:-1]) if w == flag), None)
    folder = default if given is None else given if given.startswith("/") else f"{own}/{given}".rstrip("/")
    return tuple(folder if p == own else p for p in paths)


# MinIO's flags that take no value (any other flag written without `=` takes the next word)
_MINIO_SWITCHES = {"--quiet", "--anonymous", "--json", "--compat", "--no-compat", "--log-compress", "--help", "-h"}


def _served(command, args) -> list[str]:
    """The local folders of a MinIO `server` command (`server /data`, `minio server /data{1...4}
    --console-address :9001`, a URL's path), as the words of ``command`` and ``args`` say them
    (a shell's `-c` line split into words); none when it names no `server`."""
    words: list[str] = []
    for w in [*(command or []), *(args or [])]:
        try:
            words += shlex.split(str(w)) if " " in str(w) else [str(w)]
        except ValueError:
            words += str(w).split()
    if "server" not in words:
        return []
    out: list[str] = []
    skip = False
    for w in words[words.index("server") + 1:]:
        if w in ("&&", "||", ";", "|", "&") or w.endswith(";"):
            break
        if skip or w.startswith("-"):
            skip = not skip and w.startswith("-") and "=" not in w and w not in _MINIO_SWITCHES
            continue
        path = re.sub(r"^https?://[^/]*", "", w) if re.match(r"^https?://", w) else w
        if path.startswith("/"):
            out += [p.rstrip("/") or "/" for p in _ellipses(path)]
    return list(dict.fromkeys(out))


def _ellipses(path: str, most: int = 64) -> list[str]:
    """``path`` with MinIO's `{1...4}` ranges expanded (at most ``most`` paths; more: none). The
    count is known before anything is made: a hostile `{1...60}{1...60}{1...60}...` costs nothing."""
    ranges = list(re.finditer(r"\{(\d+)\.\.\.(\d+)\}", path))
    total = 1
    for m in ranges:
        lo, hi = int(m.group(1)), int(m.group(2))
        total *= hi - lo + 1 if hi >= lo else 0
        if not 0 < total <= most:
            return []
    out = [""]
    last = 0
    for m in ranges:
        lo, hi = int(m.group(1)), int(m.group(2))
        width = len(m.group(1)) if m.group(1).startswith("0") else 0
        out = [p + path[last:m.start()] + str(n).zfill(width) for p in out for n in range(lo, hi + 1)]
        last = m.end()
    return [p + path[last:] for p in out]


def data_key(mounts: list[str], user: int | None) -> tuple[str | None, str | None]:
    """(the :data:`KNOWN` key, the folder) of an image of another name that mounts the data
    folder of one in :data:`DATA`, taken for one built from it unless it runs as a user of its
    own choosing: none, or that image's own (Harbor's `goharbor/harbor-db` runs as postgres'
    999 on /var/lib/postgresql/data, its socket in /run/postgresql: on the read-only root it
    crash-looped, and no rule said so, since the user was the input's)."""
    built = next((m for m in mounts if m.rstrip("/") in DATA), None)
    key = DATA[built.rstrip("/")] if built else None
    if key is None or user not in (None, KNOWN[key][1]):
        return None, None
    return key, built


def own_uid(key: str, image: str) -> int | None:
    """The UID the image of :data:`KNOWN` key ``key`` runs its server as: an Alpine tag of
    postgres (or of an image built from it, `-alpine` in its tag) has its postgres user at 70,
    the Debian one at 999, as the stdlib template reads the tag."""
    tag = split_image(image)[1] or ""
    return 70 if key == "postgres" and "alpine" in tag else KNOWN[key][1]


def official(image: str) -> str | None:
    """The key in :data:`KNOWN` of an image reference (its own or the one it is built from), or None."""
    repo = repository(image)
    if repo in OTHER_TAGS and OTHER_TAGS[repo] in (split_image(image)[1] or ""):
        return None
    return repo if repo in KNOWN else DERIVED.get(repo) or _family(repo)


def _family(repo: str) -> str | None:
    """The key of :data:`FAMILIES` whose publisher's prefix ``repo`` has (`lscr.io/linuxserver/sonarr`), or None."""
    return next((key for key, prefixes in FAMILIES.items() if repo.startswith(prefixes)), None)


def derived(image: str) -> bool:
    """Whether an image reference is one of :data:`DERIVED`, built from an official image."""
    return repository(image) in DERIVED


def repository(image: str) -> str:
    """The repository of an image reference, without Docker Hub's implied prefixes (`traefik:v3` ->
    `traefik`, `docker.io/library/postgres:16` -> `postgres`)."""
    repo = split_image(image)[0]
    for prefix in _HUB:
        if repo.startswith(prefix):
            return repo[len(prefix):]
    return repo


def _covered(path: str, mounts: list[str]) -> bool:
    return any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounts)


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for w in ir.workloads:
        if w.spec is not None and getattr(w.spec, "template", None) is not None:
            continue  # a template (stdlib or the project's) knows its image
        if w.spec is not None and any(e.layer.startswith("component:") for e in w.spec.prov.hist[:1]):
            continue  # made by a stdlib component (a backup CronJob running the server's image for its dump tool)
        rel = w.relax or {}
        root = bool(rel.get("run_as_root"))
        for c, at, who in containers(w):
            if at[:1] == ("init",) and c.command:
                continue   # an init container running its own command, not the server (one that copies its files)
            key = official(c.image) if isinstance(c.image, str) else None
            mounts = [m.path for m in c.mounts if not m.read_only] + [s.mount for s in w.storage]
            built = None  # the data folder that makes it an image built from an official one
            if key is None and isinstance(c.image, str) and not root:
                key, built = data_key(mounts, rel.get("run_as_user"))
            if key is None:
                continue
            template, uid, _, needs_root, fix = KNOWN[key]
            paths = written(key, c.command, c.args, c.image, root)
            user_ok = root or (uid is not None and rel.get("run_as_user") == uid)
            writable = [p for p in paths if _covered(p, mounts) or (rel.get("writable_root_fs") and user_ok)]
            missing = [p for p in paths if p not in writable]
            if not missing and (root or not needs_root):
                continue
            user = rel.get("run_as_user", 0 if root else 10001)
            user = "the image's user" if user == "image" else f"UID {user}"
            why = ("starts as root" if needs_root and not root
                   else f"writes {', '.join(missing)}, which {user} on a read-only root filesystem cannot")
            pos = where(w.spec, *at, "image")
            if at:  # a sidecar or init container: a template makes a workload, not a container
                template, fix = None, fix or _relaxed(uid, paths)
            hint = _use(template, w.kind, pos) if template else fix
            if template and fix:
                hint += f"; or {fix}"
            if built:
                yield pos, f'image "{c.image}" of {who} mounts {built}, where the {key} image keeps its data: ' \
                           f"if it is built from {key}, it {why}, and will crash-loop under the hardened defaults", \
                    f"{hint}, with `image:` as it is and the `version:` of the {key} image it is built from (its " \
                    f"Dockerfile's FROM{': an -alpine one runs as UID 70' if key == 'postgres' else ''}); or set " \
                    "`security: {run_as_user: UID}` with the user the image runs as, and mount " + ", ".join(paths)
                continue
            yield pos, f'image "{c.image}" of {who} {why}: it will crash-loop under the ' \
                                                 "hardened defaults", hint


def _use(template: str, kind: str, pos: Pos | None) -> str:
    """The hint naming the stdlib template (with the kind it is for, when the spec is another)."""
    want = TEMPLATE_KIND.get(template, kind)
    if want == kind:
        use = spelled(pos, f"`use: {template}`", f'`.use("{template}")`')
    else:
        use = spelled(pos, f"`kind: {want}` with `use: {template}`", f'`{want}(...).use("{template}")`')
    return f"{use} (the stdlib template sets its user, paths and probes)"


def _relaxed(uid: int | None, paths: tuple[str, ...]) -> str:
    """The relaxations a container of the image needs, where no template can say them."""
    user = f"set `security: {{run_as_user: {uid}}}` and mount" if uid is not None else "mount"
    return f"{user} an emptyDir or storage at {', '.join(paths)}"
