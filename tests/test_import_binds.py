"""Bind mounts of a Compose file on import: the project's files carried in ConfigMaps (a
credential's in a Secret, never read into the project), what cannot be carried left out with
the reason; services renamed as DNS labels reached by their new names; ClickHouse runnable.

Found importing Plausible's community edition (`./clickhouse/*.xml` mounted into the server's
config folders; `plausible_db` and `plausible_events_db`, which no Service can be named): the
config files were left out, the event database had no Service to be reached at, its image
crash-looped under the hardened defaults, and the Compose build renamed what its callers name.
"""

from __future__ import annotations

import os

import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.diagnostics import Diagnostics
from skyspec.importer import import_compose


def _import(src, diags=None):
    diags = diags if diags is not None else Diagnostics()
    r = import_compose(src, "p", diags)
    assert r is not None and r.unexplained == [], r.unexplained if r else [d.message for d in diags.errors]
    return r, diags


def _write(root, files: dict) -> None:
    """Writes ``files`` ({path under ``root``: text}), making their folders."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _project(tmp_path):
    _write(tmp_path, {"conf.d/default.conf": "server { listen 8080; location / { root /srv; } }\n",
                      "conf.d/gzip.conf": "gzip on;\n", "conf.d/.gitkeep": "",
                      "initdb/01-schema.sql": "CREATE TABLE t (id int);\n", "app.conf": "workers = 4\n"})
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  web:
    image: nginxinc/nginx-unprivileged:1.27
    ports: ["8080:8080"]
    volumes: ['./conf.d:/etc/nginx/conf.d:ro', './app.conf:/etc/app.conf']
  db:
    image: postgres:16
    environment: {POSTGRES_PASSWORD: "Qw7-unguessable"}
    volumes: ['./initdb:/docker-entrypoint-initdb.d:ro']
""")
    return src


def test_the_projects_files_of_a_bind_mount_are_carried_in_a_configmap(tmp_path):
    from test_import_legacy import build_and_validate

    src = _project(tmp_path)
    r, diags = _import(src)
    web = yaml.safe_load(r.files["apps/web.yaml"])
    assert web["volumes"] == {
        "files-conf-d": {"mount": "/etc/nginx/conf.d", "read_only": True, "config": "conf-d"},
        "files-app-conf": {"mount": "/etc/app.conf", "read_only": True, "sub_path": "app.conf", "config": "app-conf"}}
    assert yaml.safe_load(r.files["apps/configmap.conf-d.yaml"])["data"] == {   # (not the .gitkeep)
        "default.conf": "server { listen 8080; location / { root /srv; } }\n", "gzip.conf": "gzip on;\n"}
    said = [d.message for d in diags.sorted()]
    assert "service web: bind mount ./app.conf -> /etc/app.conf: the project's file, in ConfigMap app-conf mounted " \
           "there (read-only now: a ConfigMap is)" in said
    assert not [m for m in said if "left out" in m]
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    assert "the project's files of a bind mount, in a ConfigMap or Secret: 3" in res.output   # (the round trip)
    k8s = build_and_validate(tmp_path / "proj", tmp_path, "dev")
    web_pod = next(o for o in k8s if o["kind"] == "Deployment" and o["metadata"]["name"] == "web")["spec"]["template"]
    mounts = {m["mountPath"]: m for m in web_pod["spec"]["containers"][0]["volumeMounts"]}
    assert "subPath" not in mounts["/etc/nginx/conf.d"] and mounts["/etc/app.conf"]["subPath"] == "app.conf"
    cms = {o["metadata"]["name"]: o["data"] for o in k8s if o["kind"] == "ConfigMap"}
    assert cms["initdb"] == {"01-schema.sql": "CREATE TABLE t (id int);\n"}
    db = next(o for o in k8s if o["kind"] == "StatefulSet")["spec"]["template"]["spec"]
    assert any(m["mountPath"] == "/docker-entrypoint-initdb.d" for m in db["containers"][0]["volumeMounts"])
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())
    targets = {c["target"] for c in built["services"]["web"]["configs"]}
    assert {"/etc/nginx/conf.d/default.conf", "/etc/nginx/conf.d/gzip.conf", "/etc/app.conf"} <= targets


def test_a_bind_mounted_credential_is_a_secret_whose_content_is_never_read(tmp_path):
    """A key, a config file that sets a password, a folder mounted where secrets go: each is a
    Secret with the files' names as keys, supplied at deploy time; no byte of them reaches the
    project, the build or a diagnostic."""
    from test_import_legacy import build_and_validate

    _write(tmp_path, {
        "certs/server.key": "-----BEGIN PRIVATE KEY-----\nMIIEvQ-key-bytes\n-----END PRIVATE KEY-----\n",
        "tls.txt": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpA-rsa-bytes\n-----END RSA PRIVATE KEY-----\n",
        "settings.yaml": "db:\n  host: db\n  password: hunter2-Zx9\n",
        "users.xml": "<users><app><password>Pw-in-xml-77</password></app></users>\n",
        "sink.ini": "url = postgres://app:Url-pass-55@db:5432/app\n", "creds/api": "tok-Folder-31\n",
        "plain.yaml": "db:\n  password_file: /run/secrets/db\n  token_ttl: 5m\n"})
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  web:
    image: ghcr.io/acme/web:1.0
    volumes: ['./certs/server.key:/etc/tls/server.key:ro', './tls.txt:/etc/tls/tls.txt:ro',
              './settings.yaml:/etc/web/settings.yaml:ro', './users.xml:/etc/web/users.xml:ro',
              './sink.ini:/etc/web/sink.ini:ro', './creds:/run/secrets/app:ro', './plain.yaml:/etc/web/plain.yaml:ro']
""")
    r, diags = _import(src)
    secrets = {yaml.safe_load(t)["name"]: yaml.safe_load(t)["keys"] for f, t in r.files.items() if "/secret." in f}
    assert secrets == {"certs-server-key": ["server.key"], "tls-txt": ["tls.txt"], "settings-yaml": ["settings.yaml"],
                       "users-xml": ["users.xml"], "sink-ini": ["sink.ini"], "creds": ["api"]}
    web = yaml.safe_load(r.files["apps/web.yaml"])
    assert web["volumes"]["files-creds"] == {"mount": "/run/secrets/app", "read_only": True, "secret": "creds"}
    assert web["volumes"]["files-plain-yaml"]["config"] == "plain-yaml"   # (a path and a duration: no credential)
    whys = {d.message.split(": ")[2].split(", so")[0] for d in diags.sorted() if "so it is Secret" in d.message}
    assert whys == {"its name says it holds a credential", "it holds a private key", "it sets password",
                    "it holds a URL with a password in it", "it is mounted at /run/secrets/app, where credentials go"}
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    build_and_validate(tmp_path / "proj", tmp_path, "dev")
    values = ("MIIEvQ", "MIIEpA", "hunter2-Zx9", "Pw-in-xml-77", "Url-pass-55", "tok-Folder-31")
    for top in (tmp_path / "proj", tmp_path / "built"):
        for f in top.rglob("*"):
            if f.is_file():
                text = f.read_text(errors="replace")
                assert not [v for v in values if v in text], f
    assert not [v for v in values if v in res.output]


def test_bind_mounts_the_import_cannot_carry_are_left_out_with_the_reason(tmp_path):
    """A link out of the project (its target never named), a folder holding folders, a file
    that is no text, an empty file the service fills, a writable folder of the project's
    files, more than a ConfigMap holds: each left out, warned, saying why."""
    (tmp_path / "nested" / "sub").mkdir(parents=True)
    (tmp_path / "nested" / "sub" / "b.conf").write_text("b\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    (tmp_path / "acme.json").write_text("")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>hi</p>\n")
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "a.txt").write_text("x" * 700_000)
    (tmp_path / "big" / "b.txt").write_text("y" * 700_000)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.conf"
    outside.write_text("runner-credential-Qq1\n")
    os.symlink(outside, tmp_path / "leak.conf")
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  web:
    image: ghcr.io/acme/web:1.0
    volumes: ['./leak.conf:/etc/web/leak.conf:ro', './nested:/etc/nested:ro', './logo.png:/srv/logo.png:ro',
              './acme.json:/acme.json', './site:/srv/site', './big:/srv/big:ro']
""")
    r, diags = _import(src)
    assert "volumes" not in yaml.safe_load(r.files["apps/web.yaml"])
    left = {d.message for d in diags.sorted() if d.severity == "warning" and "left out" in d.message}
    assert left == {
        "service web: bind mount ./leak.conf -> /etc/web/leak.conf left out: it leads outside the project (through a "
        "symbolic link)",
        "service web: bind mount ./nested -> /etc/nested left out: it holds folders, which a ConfigMap cannot",
        "service web: bind mount ./logo.png -> /srv/logo.png left out: logo.png is not UTF-8 text, which a "
        "ConfigMap's files are",
        "service web: bind mount ./acme.json -> /acme.json left out: an empty file, which the service fills",
        "service web: bind mount ./site -> /srv/site left out: a writable folder of the project's files, where the "
        "service may write",
        "service web: bind mount ./big -> /srv/big left out: more than 1 MiB of files, more than a ConfigMap holds"}
    shown = " ".join(f"{d.message} {d.hint}" for d in diags.sorted())
    assert str(outside) not in shown and "runner-credential" not in shown
    assert not [t for t in r.files.values() if "runner-credential" in t]


def test_an_address_of_a_service_by_a_name_no_service_has_names_its_service(tmp_path):
    """`plausible_db` cannot name a Service: the service is `plausible-db` on Kubernetes and in
    the built Compose file, so an env value holding `my_db` reached nothing; nor can a network
    alias (`cache.local`). Hosts are rewritten (not a database named like the service); a
    service whose callers hold no address of it (their image's defaults do) is warned about."""
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  my_db:
    image: postgres:16
    environment: {POSTGRES_PASSWORD: "Qw7-unguessable"}
  events_db:
    image: clickhouse/clickhouse-server:24.8
  cache:
    image: redis:7.4
    networks:
      default: {aliases: [cache.local]}
  xmpp:
    image: ghcr.io/acme/xmpp:1.0
    expose: ["5222"]
    networks:
      default: {aliases: ["${XMPP_SERVER:-xmpp.meet.local}"]}
  app:
    image: ghcr.io/acme/app:1.0
    environment: {DB_HOST: my_db, DB_URL: "postgres://my_db:5432/my_db", PEERS: "my_db:5432,cache:11211",
                  NOTE: "my_db_backup is a table", CACHE_URL: "redis://cache.local:6379/0", POSTGRES_DB: my_db,
                  WORDS: "my_db cache.local", NO_PROXY: "localhost,my_db,cache.local"}
    depends_on: [my_db, events_db, cache, xmpp]
""")
    r, diags = _import(src)
    env = yaml.safe_load(r.files["apps/app.yaml"])["env"]
    assert env == {"DB_HOST": "my-db", "DB_URL": "postgres://my-db:5432/my_db", "PEERS": "my-db:5432,cache:11211",
                   "NOTE": "my_db_backup is a table", "CACHE_URL": "redis://cache:6379/0",
                   "POSTGRES_DB": "my_db", "WORDS": "my_db cache.local",   # (a database's name; no host's place)
                   "NO_PROXY": "localhost,my-db,cache"}   # (LibreChat's: a list of hosts)
    warned = [d.message for d in diags.sorted() if d.severity == "warning" and "does not resolve" in d.message]
    assert warned == [
        "service events_db: named events-db on Kubernetes and in the built Compose file (a Service's name is a DNS "
        "label), while app reaches it by an address no environment value holds (an image's default, a config file): "
        "events_db does not resolve there",
        # (jitsi's prosody is `${XMPP_SERVER:-xmpp.meet.jitsi}` on its network, which its callers' images read)
        "service xmpp: network alias xmpp.meet.local: no Service has that name on Kubernetes (this service's is "
        "xmpp), while app reaches it by an address no environment value holds (an image's default, a config file): "
        "xmpp.meet.local does not resolve there"]
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    assert "an address of a service by a name no Service has (renamed as a DNS label, a network alias, a " \
           "container_name), spelt as its Service's name: 5" in res.output


def test_clickhouse_is_reached_at_its_port_and_runs_under_the_hardened_defaults(tmp_path):
    """Plausible's events database (clickhouse/clickhouse-server, no `ports:`) had no Service
    (its caller reaches 8123, as Compose allows) and crash-looped: it logs to
    /var/log/clickhouse-server and its entrypoint writes users.d, as its own user (101)."""
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  events:
    image: clickhouse/clickhouse-server:24.8-alpine
    volumes: ['event-data:/var/lib/clickhouse']
  app:
    image: ghcr.io/acme/app:1.0
    depends_on: [events]
volumes:
  event-data: {}
""")
    r, diags = _import(src)
    ch = yaml.safe_load(r.files["apps/statefulapp.events.yaml"])
    assert ch["port"] == 8123 and ch["security"] == {"run_as_user": 101}
    assert {v["mount"] for v in ch["volumes"].values() if v.get("empty")} == \
        {"/var/log/clickhouse-server", "/etc/clickhouse-server/users.d"}
    assert ch["storage"]["data"]["mount"] == "/var/lib/clickhouse"
    assert yaml.safe_load(r.files["apps/app.yaml"])["connect_to"] == ["events"]
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    build_and_validate(tmp_path / "proj", tmp_path, "dev")
    # written by hand without them, the rule says what it needs
    (tmp_path / "proj" / "apps" / "statefulapp.events.yaml").write_text(
        "kind: StatefulApp\nname: events\nimage: clickhouse/clickhouse-server:24.8-alpine\nport: 8123\n"
        "storage:\n  data: {size: 1Gi, mount: /var/lib/clickhouse}\n")
    res = CliRunner().invoke(main, ["check", str(tmp_path / "proj")])
    assert "SKY410" in res.output and "writes /var/log/clickhouse-server, /etc/clickhouse-server/users.d" in res.output


def test_a_folders_files_are_read_through_links_inside_the_project_and_counted_with_their_names(tmp_path):
    """A link in the folder to another file of the project is that file; a FIFO is never
    opened (the import would block); a folder of many empty files is as big as its names."""
    (tmp_path / "shared.conf").write_text("a = 1\n")
    (tmp_path / "conf").mkdir()
    os.symlink("../shared.conf", tmp_path / "conf" / "linked.conf")
    (tmp_path / "pipe").mkdir()
    os.mkfifo(tmp_path / "pipe" / "fifo")
    (tmp_path / "many").mkdir()
    for i in range(40_000):
        (tmp_path / "many" / f"empty-file-number-{i:05d}.txt").write_text("")
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  web:
    image: ghcr.io/acme/web:1.0
    volumes: ['./conf:/etc/web/conf:ro', './pipe:/etc/web/pipe:ro', './many:/etc/web/many:ro']
""")
    r, diags = _import(src)
    assert yaml.safe_load(r.files["apps/configmap.conf.yaml"])["data"] == {"linked.conf": "a = 1\n"}
    left = sorted(d.message for d in diags.sorted() if "left out" in d.message)
    assert left == ["service web: bind mount ./many -> /etc/web/many left out: more than 1 MiB of files, more than "
                    "a ConfigMap holds",
                    "service web: bind mount ./pipe -> /etc/web/pipe left out: it holds something that is not a file"]


def test_a_services_tmpfs_is_a_memory_volume_and_read_only_is_the_default(tmp_path):
    """Jitsi's services say `read_only: true` with `tmpfs: [/run:size=16M,mode=1750,exec, /tmp:...]`:
    both were "not carried over" warnings, so /run was not writable on the read-only root
    skyspec gives every container (and prosody writes its pid there)."""
    from test_import_legacy import build_and_validate

    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  xmpp:
    image: ghcr.io/acme/xmpp:1.0
    read_only: true
    tmpfs: ['/run:size=16M,mode=1750,exec', '/tmp:size=${TMP_SIZE:-8M},mode=1777,noexec', /var/cache/xmpp]
    ports: ["5222:5222"]
""")
    r, diags = _import(src)
    xmpp = yaml.safe_load(r.files["apps/xmpp.yaml"])
    assert xmpp["volumes"] == {"tmpfs-run": {"mount": "/run", "empty": {"memory": True, "size": "16Mi"}},
                               "tmpfs-tmp": {"mount": "/tmp", "empty": {"memory": True, "size": "8Mi"}},
                               "tmpfs-var-cache-xmpp": {"mount": "/var/cache/xmpp", "empty": {"memory": True}}}
    said = {d.message: d.severity for d in diags.sorted()}
    assert said["service xmpp: read_only: skyspec's default too (a read-only root filesystem)"] == "note"
    assert not [m for m in said if "not carried over" in m]
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    assert "tmpfs as a memory volume: 3" in res.output and "hardening skyspec adds" not in res.output
    k8s = build_and_validate(tmp_path / "proj", tmp_path, "dev")
    pod = next(o for o in k8s if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert {v["name"]: v.get("emptyDir") for v in pod["volumes"]}["tmpfs-run"] == {"medium": "Memory",
                                                                                    "sizeLimit": "16Mi"}
    assert sorted(m["mountPath"] for m in pod["containers"][0]["volumeMounts"]) == ["/run", "/tmp", "/var/cache/xmpp"]


def test_a_folder_of_the_hosts_home_the_service_writes_is_kept_in_a_volume(tmp_path, monkeypatch):
    """Jitsi keeps each service's config and data in `${CONFIG}/<service>` with
    `CONFIG=~/.jitsi-meet-cfg`: left out, prosody's accounts were lost at every restart. A
    writable folder of the host's home mounted where an image keeps data is a volume; what the
    importer's own home holds is never looked at (it is not the machine Compose runs on)."""
    home = tmp_path / "home"
    (home / ".jitsi-meet-cfg" / "prosody").mkdir(parents=True)
    (home / ".jitsi-meet-cfg" / "prosody" / "secret.cfg").write_text("own-home-Zz8\n")
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / ".env").write_text("CONFIG=~/.jitsi-meet-cfg\n")
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  prosody:
    image: ghcr.io/acme/prosody:1.0
    expose: ["5222"]
    volumes: ['${CONFIG}/prosody:/var/lib/prosody', '${CONFIG}/prosody/config:/config:ro',
              '~/.jitsi-meet-cfg/web:/usr/share/jitsi-meet/web', '~/.ssh/id_rsa:/root/key']
""")
    r, diags = _import(src)
    vols = yaml.safe_load(r.files["apps/prosody.yaml"])["volumes"]
    assert vols == {"jitsi-meet-cfg-prosody": {"claim": "jitsi-meet-cfg-prosody", "mount": "/var/lib/prosody"}}
    left = sorted(d.message for d in diags.sorted() if "left out" in d.message)
    assert left == ["service prosody: bind mount ~/.jitsi-meet-cfg/prosody/config -> /config left out",
                    "service prosody: bind mount ~/.jitsi-meet-cfg/web -> /usr/share/jitsi-meet/web left out",
                    "service prosody: bind mount ~/.ssh/id_rsa -> /root/key left out"]
    assert not [t for t in r.files.values() if "own-home" in t]
    from test_import_legacy import build_and_validate

    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(tmp_path / "proj", tmp_path, "dev")
    pod = next(o for o in k8s if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert {"name": "jitsi-meet-cfg-prosody", "persistentVolumeClaim": {"claimName": "jitsi-meet-cfg-prosody"}} \
        in pod["volumes"]
    assert any(o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == "jitsi-meet-cfg-prosody" for o in k8s)


def test_a_database_image_named_by_its_last_word_is_reached_at_its_port(tmp_path):
    """Zulip's database runs `zulip/zulip-postgresql:14` and declares no port: its image was of
    no known kind, so it had no Service (and was an App, its data a claim) and Zulip could not
    reach it. The last word of an image's name counts (`postgres-exporter` is no postgres)."""
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  database:
    image: zulip/zulip-postgresql:14
    volumes: ["postgresql-14:/var/lib/postgresql/data:rw"]
    attach: false
  metrics:
    image: quay.io/prometheuscommunity/postgres-exporter:v0.15.0
  zulip:
    image: zulip/docker-zulip:9.0
    depends_on: [database, metrics]
    ports: ["80:80"]
volumes:
  postgresql-14: {}
""")
    r, diags = _import(src)
    db = yaml.safe_load(r.files["apps/statefulapp.database.yaml"])
    assert db["ports"] == {"postgres": 5432} and db["storage"]["data"]["mount"] == "/var/lib/postgresql/data"
    assert yaml.safe_load(r.files["apps/zulip.yaml"])["connect_to"] == ["database"]
    assert "port" not in yaml.safe_load(r.files["apps/metrics.yaml"])
    said = {d.message: d.severity for d in diags.sorted()}
    assert said["service database: attach: only which logs `docker compose up` shows"] == "note"


def test_a_database_image_built_from_an_official_one_is_reached_at_its_port(tmp_path):
    """LibreChat's rag_api reaches `vectordb` (`pgvector/pgvector`, built from postgres) by
    `DB_HOST=vectordb`: the import made it `use: postgres` with a Service on 5432, but found
    its port too late to see the call, so rag_api got no connect_to (no start order, no policy)
    and a warning that vectordb "declares no port"."""
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  vectordb:
    image: pgvector/pgvector:0.8.0-pg15-trixie
    environment: {POSTGRES_DB: db, POSTGRES_USER: app, POSTGRES_PASSWORD: Xk7Qp2Lm9Rv4}
    volumes: ["pgdata:/var/lib/postgresql/data"]
  rag_api:
    image: ghcr.io/acme/rag-api:1.0.0
    environment: [DB_HOST=vectordb, RAG_PORT=8000]
    depends_on: [vectordb]
volumes:
  pgdata: {}
""")
    r, diags = _import(src)
    assert yaml.safe_load(r.files["apps/rag-api.yaml"])["connect_to"] == ["vectordb"]
    assert not any("declares no port" in d.message for d in diags.items), [d.message for d in diags.items]
    # (chatwoot's: its volume was a claim beside the template's storage, which nothing mounted)
    assert yaml.safe_load(r.files["apps/statefulapp.vectordb.yaml"])["storage"] == {"data": {"size": "1Gi"}}
    assert not [p for p in r.files if p.startswith("apps/resource.")], sorted(r.files)


def test_a_folder_the_first_run_creates_in_an_apps_own_folder_is_kept_in_a_volume(tmp_path):
    """Paperless mounts `./consume` and `./export`, which Docker creates at the first run, in its
    own folder `/usr/src/paperless`: under /usr (where an image keeps its own files) they were
    left out, and the documents dropped in were lost. A folder inside an app's folder under
    /usr/src is its data; the app's folder itself (`/usr/src/app`) is its code."""
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  webserver:
    image: ghcr.io/paperless-ngx/paperless-ngx:2.11.0
    ports: ["8000:8000"]
    volumes: ['./consume:/usr/src/paperless/consume', './export:/usr/src/paperless/export', './app:/usr/src/app',
              './html:/usr/share/nginx/html']
""")
    r, diags = _import(src)
    vols = yaml.safe_load(r.files["apps/webserver.yaml"])["volumes"]
    assert vols == {"consume": {"claim": "consume", "mount": "/usr/src/paperless/consume"},
                    "export": {"claim": "export", "mount": "/usr/src/paperless/export"}}
    hints = {d.message: d.hint for d in diags.sorted() if "left out" in d.message}
    assert hints == {f"service webserver: bind mount {b} left out: it is not in the project":
                     "bring the files beside the Compose file and import again; if the service writes there, mount "
                     "a volume (`volumes: {NAME: {claim: NAME, mount: PATH}}`)"
                     for b in ("./app -> /usr/src/app", "./html -> /usr/share/nginx/html")}
    from test_import_legacy import build_and_validate

    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(tmp_path / "proj")])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(tmp_path / "proj", tmp_path, "dev")
    mounts = next(o for o in k8s if o["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert {"/usr/src/paperless/consume", "/usr/src/paperless/export"} <= {m["mountPath"] for m in mounts["volumeMounts"]}


def test_a_compose_config_never_joins_the_configmap_of_a_bind_mounted_folder(tmp_path):
    """A Compose config `conf_d` and a bind-mounted folder `./conf.d` are both named `conf-d`:
    the config's file went into the folder's ConfigMap, and so into the folder nginx reads."""
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "site.conf").write_text("server { listen 8080; }\n")
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  web:
    image: nginxinc/nginx-unprivileged:1.27
    volumes: ['./conf.d:/etc/nginx/conf.d:ro']
    configs: [{source: conf_d, target: /etc/web/extra.txt}]
configs:
  conf_d: {content: "extra\\n"}
""")
    r, diags = _import(src)
    cms = {yaml.safe_load(t)["name"]: yaml.safe_load(t)["data"] for f, t in r.files.items() if "/configmap." in f}
    assert cms == {"conf-d": {"site.conf": "server { listen 8080; }\n"}, "conf-d-config": {"extra-txt": "extra\n"}}


def test_a_writable_folder_of_the_projects_files_under_etc_is_its_configuration(tmp_path):
    """temporalio/docker-compose mounts `./dynamicconfig` (no `:ro`) at
    /etc/temporal/config/dynamicconfig, and the server reads the file its
    DYNAMIC_CONFIG_FILE_PATH names there. Left out as "a writable folder, where the service may
    write", the server found no config and exited. Under /etc it is configuration: a ConfigMap,
    mounted read-only (noted). A key alone on its line (`testGetBoolPropertyKey:` in the
    folder's README, above its list of values) set nothing: it made the folder a Secret."""
    from test_import_legacy import build_and_validate

    _write(tmp_path, {"dynamicconfig/development-sql.yaml": "limit.maxIDLength:\n  - value: 255\n    constraints: {}\n",
                      "dynamicconfig/README.md": "```\ntestGetBoolPropertyKey:\n  - value: false\n```\n",
                      "compose.yaml": """services:
  temporal:
    image: temporalio/auto-setup:1.29.1
    environment: [DYNAMIC_CONFIG_FILE_PATH=config/dynamicconfig/development-sql.yaml]
    ports: ["7233:7233"]
    volumes: [./dynamicconfig:/etc/temporal/config/dynamicconfig, ./data:/srv/data]
"""})
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "seed.txt").write_text("x\n")
    r, diags = _import(tmp_path / "compose.yaml")
    said = [d.message for d in diags.items]
    assert "service temporal: bind mount ./dynamicconfig -> /etc/temporal/config/dynamicconfig: the project's files, " \
           "in ConfigMap dynamicconfig mounted there (read-only now: a ConfigMap is)" in said
    assert any("./data -> /srv/data left out: a writable folder of the project's files" in m for m in said)  # not /etc
    cm = yaml.safe_load(r.files["apps/configmap.dynamicconfig.yaml"].split("\n", 1)[1])
    assert sorted(cm["data"]) == ["README.md", "development-sql.yaml"]
    _write(tmp_path / "p", r.files)
    k8s = build_and_validate(tmp_path / "p", tmp_path, "dev")
    pod = next(o for o in k8s if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    (mount,) = [m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"].startswith("/etc/temporal")]
    assert mount["readOnly"] is True


def test_pwd_is_the_compose_files_folder_and_one_file_mounts_twice(tmp_path):
    """baserow mounts `$PWD/Caddyfile`: `$PWD` (the folder `docker compose` runs in) was kept
    literal, the Caddyfile left out, and Caddy ran its default config, proxying nothing. The
    same file mounted at two paths kept only the second mount, while the round trip counted
    the first as a bind mount left out and warned, though nothing had warned."""
    (tmp_path / "Caddyfile").write_text(":80 {\n  reverse_proxy backend:8000\n}\n")
    (tmp_path / "compose.yaml").write_text("""\
services:
  caddy:
    image: caddy:2
    ports: ["80:80"]
    volumes: ["$PWD/Caddyfile:/etc/caddy/Caddyfile", "${PWD}/Caddyfile:/srv/Caddyfile"]
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    caddy = yaml.safe_load(r.files["apps/caddy.yaml"])
    assert sorted((v["mount"], v["config"], v["sub_path"]) for v in caddy["volumes"].values()) == [
        ("/etc/caddy/Caddyfile", "caddyfile", "Caddyfile"), ("/srv/Caddyfile", "caddyfile", "Caddyfile")]
    assert "bind mount left out (warned)" not in r.figures["categories"]
    assert not [d for d in r.diags if d.severity == "warning"]


def test_a_writable_folder_of_configuration_files_is_carried_read_only(tmp_path):
    """Kong's Compose file mounts `./config:/opt/kong` (writable, Compose's default), where its
    declarative `kong.yaml` is: the folder was left out as one the service may write into, and
    Kong started with no configuration. A folder that holds configuration files only is carried
    (read-only now, said); one holding anything else is still left out."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "kong.yaml").write_text("_format_version: '3.0'\nservices: []\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "state.db").write_text("x")
    (tmp_path / "compose.yaml").write_text("""\
services:
  kong:
    image: kong:3.9
    environment: {KONG_DATABASE: "off", KONG_DECLARATIVE_CONFIG: /opt/kong/kong.yaml}
    volumes: ["./config:/opt/kong", "./data:/var/lib/app"]
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    kong = yaml.safe_load(r.files["apps/kong.yaml"])
    assert [(v["mount"], v.get("config")) for v in kong["volumes"].values()] == [("/opt/kong", "config")]
    said = {d.message for d in r.diags}
    assert "service kong: bind mount ./config -> /opt/kong: the project's files, in ConfigMap config mounted there " \
           "(read-only now: a ConfigMap is)" in said
    assert any("bind mount ./data -> /var/lib/app left out: a writable folder" in m for m in said)


def test_a_database_reading_the_env_file_every_service_reads_calls_nothing_by_it(tmp_path):
    """Infisical and Superset give every service one `.env`: its REDIS_URL made the postgres
    service `connect_to: [redis]` (a policy admitting db to redis, and db waiting for redis in
    the built Compose file). A database or broker image's settings from an env_file another
    service reads too are no call; the service that calls keeps its connect_to."""
    (tmp_path / ".env").write_text("POSTGRES_USER=app\nPOSTGRES_DB=app\nPOSTGRES_PASSWORD=Xk7Qp2Lm9Rv4\n"
                                   "REDIS_URL=redis://redis:6379\nDB_CONNECTION_URI=postgres://app@db:5432/app\n")
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  backend:
    image: ghcr.io/acme/backend:1.0.0
    env_file: .env
    ports: ["8080:8080"]
    depends_on: [db, redis]
  redis:
    image: redis:7.4
    env_file: [.env]
  db:
    image: postgres:14-alpine
    env_file: .env
""")
    r, diags = _import(src)
    specs = {yaml.safe_load(t)["name"]: yaml.safe_load(t) for p, t in r.files.items() if p.startswith("apps/")}
    assert specs["backend"]["connect_to"] == ["db", "redis"]
    assert "connect_to" not in specs["db"] and "connect_to" not in specs["redis"]


def test_deploy_settings_the_language_does_not_carry_are_warned(tmp_path):
    """Formbricks' vllm reserves a GPU (`deploy.resources.reservations.devices`), and others run
    `mode: global` or with placement constraints: all were left out without a word (a GPU
    server then scheduled on any node, with no GPU). Each is a warning at its line; what the
    language reads (replicas, cpus and memory, restart_policy) is not."""
    src = tmp_path / "compose.yaml"
    src.write_text("""services:
  llm:
    image: vllm/vllm-openai:v0.14.0
    ports: ["8000:8000"]
    deploy:
      replicas: 2
      mode: replicated
      placement: {constraints: ["node.labels.gpu == true"]}
      restart_policy: {condition: any, delay: 5s}
      resources:
        limits: {memory: 16G, cpus: "4", pids: 100}
        reservations:
          memory: 8G
          devices: [{driver: nvidia, count: all, capabilities: [gpu]}]
""")
    r, diags = _import(src)
    said = {d.message.split(": ", 1)[1].split(" is not carried")[0]: (d.pos.line, d.hint) for d in diags.items
            if "is not carried over" in d.message and "deploy" in d.message}
    assert sorted(said) == ["deploy.mode", "deploy.placement", "deploy.resources.limits.pids",
                            "deploy.resources.reservations.devices", "deploy.restart_policy.delay"]
    assert said["deploy.resources.reservations.devices"][0] == 14 and "nvidia.com/gpu" in \
        said["deploy.resources.reservations.devices"][1]
    llm = yaml.safe_load(r.files["apps/llm.yaml"])
    assert llm["replicas"] == 2 and llm["resources"] == {"cpu_limit": "4000m", "memory_limit": "16Gi", "memory": "8Gi"}
