"""A Compose service built by its own Dockerfile: the image it is built from and the folders
it declares `VOLUME` decide how it runs. Instana's robot-shop builds `mongodb` `FROM mongo:5`
and `mysql` `FROM mysql:5.7` with `VOLUME /data` (its datadir): imported as custom images,
both crash-looped under the hardened defaults (UID 10001, a read-only root filesystem),
without a word."""

import os

import pytest
import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.importer.dockerfile import parse, read
from validators import assert_valid_k8s, load_docs


@pytest.mark.parametrize("text, args, target, base, volumes", [
    ("FROM mongo:5\nCOPY *.js /docker-entrypoint-initdb.d/\n", {}, None, "mongo:5", []),
    ("FROM mysql:5.7\n\nVOLUME /data\nENV A=1 \\\n    B=2\n", {}, None, "mysql:5.7", ["/data"]),
    # through its own stages, with the ARGs before the first FROM; another chain's VOLUME is not its
    ("ARG V=16\nFROM node:20 AS build\nVOLUME /cache\nFROM postgres:${V}-alpine AS db\n"
     'VOLUME ["/extra", "/more/"]\nFROM db\n# a comment\n', {}, None, "postgres:16-alpine", ["/extra", "/more"]),
    ("ARG V=16\nFROM postgres:${V}\n", {"V": "17"}, None, "postgres:17", []),   # a build arg wins
    ("FROM golang:1.22 AS b\nRUN go build\nFROM scratch\nCOPY --from=b /x /x\n", {}, None, None, []),
    ("FROM $IMG\n", {}, None, None, []),   # an image it cannot know
    ("FROM a AS x\nFROM x AS a\n", {}, None, None, []),   # stages naming each other: no base, no loop
    ("FROM --platform=$BUILDPLATFORM mongo:6 AS m\nFROM m\n", {}, None, "mongo:6", []),
    ("FROM redis:7 AS cache\nVOLUME /data\nFROM nginx:1.27 AS web\n", {}, "cache", "redis:7", ["/data"]),
    # a VOLUME names an ENV variable (zulip's `VOLUME ["$DATA_DIR"]`), of its stage or one it is built on
    ("FROM ubuntu:24.04 AS base\nENV DATA_DIR=\"/data\"\nFROM base\nENV LOGS /var/log/app\n"
     'VOLUME ["$DATA_DIR", "${LOGS}/x"]\n', {}, None, "ubuntu:24.04", ["/data", "/var/log/app/x"]),
    ("FROM alpine:3\nVOLUME $NOWHERE\n", {}, None, "alpine:3", []),
    ("RUN nothing\n", {}, None, None, None),
])
def test_the_final_stage_its_base_and_its_volumes(text, args, target, base, volumes):
    got = parse(text, args, target)
    if volumes is None:
        assert got is None
    else:
        assert (got.base, got.volumes) == (base, volumes)


def test_where_it_copies_files_from_its_workdir_and_through_its_stages():
    got = parse('FROM nginx:1.27 AS base\nWORKDIR /usr/share\nCOPY --chown=1:1 nginx.conf.template /tmp/t\n'
                'COPY ["a b", "/tmp/x/"]\nFROM base\nWORKDIR app\nCOPY . .\nCOPY <<EOF /etc/motd\nhello\nEOF\n'
                'VOLUME /usr/share/app/data\n', {})
    assert got.copied == ["/tmp/t", "/tmp/x", "/usr/share/app", "/etc/motd"]
    assert got.ships("/tmp") and got.ships("/usr/share/app") and not got.ships("/usr/share/app/data")


def test_where_the_image_may_hold_files_its_copies_and_the_folders_its_runs_start_in():
    got = parse("FROM node:20 AS deps\nWORKDIR /srv/app\nRUN npm ci\nFROM deps\nWORKDIR /\nRUN apt-get update\n"
                "COPY site /var/www\n", {})
    assert got.ran == ["/srv/app"]   # (a RUN in / says nothing of a folder)
    assert got.may_hold("/srv/app/node_modules") and got.may_hold("/var/www/assets") and got.may_hold("/var")
    assert not got.may_hold("/data") and not got.may_hold("/srv")


def test_an_anonymous_volume_in_a_folder_of_the_image_is_filled_from_it(tmp_path):
    """The node_modules idiom (`.:/app` and `- /app/node_modules`): Docker fills the anonymous
    volume from the image, where `RUN npm ci` put the modules; the bind mount is left out and
    the emptyDir given for the volume started empty, so `npm start` found no module. It is
    filled from the image first now; where the image may lack the folder, the copy is no
    failure. An anonymous volume elsewhere, or of an image with no shell, stays empty."""
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "Dockerfile").write_text('FROM node:20\nWORKDIR /usr/src/app\nCOPY package*.json ./\n'
                                                  'RUN npm ci\nCOPY . .\nCMD ["npm", "start"]\n')
    (tmp_path / "go").mkdir()
    (tmp_path / "go" / "Dockerfile").write_text("FROM golang:1.22 AS b\nWORKDIR /src\nRUN go build -o /app\n"
                                                 "FROM gcr.io/distroless/static\nWORKDIR /srv\nCOPY --from=b /app /srv/\n")
    (tmp_path / "docker-compose.yml").write_text("""\
services:
  web:
    build: web
    image: acme/web:1
    ports: ['3000:3000']
    volumes: [./web:/usr/src/app, /usr/src/app/node_modules, /var/cache/web]
  go:
    build: go
    image: acme/go:1
    ports: ['8080:8080']
    volumes: [/srv/tmp]
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "shop"])
    assert res.exit_code == 0, res.output
    assert "anonymous volume /usr/src/app/node_modules: Docker fills it from the image" in res.output
    web = yaml.safe_load((tmp_path / "p" / "apps" / "web.yaml").read_text())
    assert web["volumes"] == {"scratch-1": {"mount": "/usr/src/app/node_modules", "empty": True},
                              "scratch-2": {"mount": "/var/cache/web", "empty": True}}
    assert web["init"] == {"copy-scratch-1": {"image": "acme/web:1", "command": [
        "sh", "-c", "[ ! -d /usr/src/app/node_modules ] || cp -a /usr/src/app/node_modules/. /mnt/scratch-1/"],
        "mounts": {"scratch-1": "/mnt/scratch-1"}}}
    go = yaml.safe_load((tmp_path / "p" / "apps" / "go.yaml").read_text())
    assert "init" not in go and go["volumes"] == {"scratch-0": {"mount": "/srv/tmp", "empty": True}}
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    pod = next(o for o in k8s if o["kind"] == "Deployment" and o["metadata"]["name"] == "web")["spec"]["template"]
    init = pod["spec"]["initContainers"][0]
    assert init["command"][-1].endswith("cp -a /usr/src/app/node_modules/. /mnt/scratch-1/")
    assert {"name": "scratch-1", "mountPath": "/mnt/scratch-1"} in init["volumeMounts"]
    assert {"name": "scratch-1", "mountPath": "/usr/src/app/node_modules"} in pod["spec"]["containers"][0]["volumeMounts"]


def test_a_path_is_quoted_in_the_copy_that_fills_its_volume():
    from skyspec.importer.official import filled_from_image

    _, spec = filled_from_image("a:1", "/srv/my files;x", "v", maybe=True)
    assert spec["command"][-1] == "[ ! -d '/srv/my files;x' ] || cp -a '/srv/my files;x/.' /mnt/v/"
    assert filled_from_image("a:1", "/app/node_modules/", "v", maybe=True)[1]["command"][-1] == \
        "[ ! -d /app/node_modules ] || cp -a /app/node_modules/. /mnt/v/"


def test_a_volume_the_image_puts_files_in_is_filled_from_the_image_first(tmp_path):
    """`COPY conf/ /etc/app/` then `VOLUME /etc/app`: Docker fills the new anonymous volume with
    the image's files; the emptyDir given for it started empty and hid them. An init container
    of the service's image copies them in first; a VOLUME the image puts nothing in stays empty."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text('FROM node:20\nWORKDIR /srv\nCOPY conf/ /etc/app/\n'
                                                  'VOLUME /etc/app /srv/uploads\nCMD ["node", "server.js"]\n')
    (tmp_path / "docker-compose.yml").write_text("services:\n  app:\n    build: app\n    image: acme/app:1\n"
                                                  "    ports: ['8080:8080']\n")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "shop"])
    assert res.exit_code == 0, res.output
    app = yaml.safe_load((tmp_path / "p" / "apps" / "app.yaml").read_text())
    assert app["init"] == {"copy-image-etc-app": {"image": "acme/app:1", "command": [
        "sh", "-c", "cp -a /etc/app/. /mnt/image-etc-app/"], "mounts": {"image-etc-app": "/mnt/image-etc-app"}}}
    assert {v["mount"] for v in app["volumes"].values()} == {"/etc/app", "/srv/uploads"}
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    pod = next(o for o in k8s if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    init = pod["initContainers"][0]
    assert init["command"][-1] == "cp -a /etc/app/. /mnt/image-etc-app/"
    assert {"name": "image-etc-app", "mountPath": "/mnt/image-etc-app"} in init["volumeMounts"]


def test_a_dockerfile_outside_the_compose_files_folder_or_no_regular_file_is_not_read(tmp_path):
    """Read only where it is inside the folder (a pull request's Compose file must not make
    the importer read the CI machine's files), never blocking on a FIFO, never too large."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "Dockerfile").write_text("FROM mongo:5\n")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "link").symlink_to(tmp_path / "outside")
    (root / "big").mkdir()
    (root / "big" / "Dockerfile").write_text("FROM mongo:5\n" + "# x\n" * 70000)
    (root / "fifo").mkdir()
    os.mkfifo(root / "fifo" / "Dockerfile")
    for build in ("../outside", "link", "big", "fifo", {"context": ".", "dockerfile": "/etc/hostname"},
                  "https://github.com/acme/app.git", {"context": 5}, ["x"]):
        assert read(root, build, {}) is None, build
    (root / "ok").mkdir()
    (root / "ok" / "Dockerfile.prod").write_text("FROM mongo:5\n")
    assert read(root, {"context": "ok", "dockerfile": "Dockerfile.prod"}, {}).base == "mongo:5"
    assert read(root, {"dockerfile_inline": "FROM redis:7\nVOLUME /data\n"}, {}).volumes == ["/data"]


def test_a_service_built_from_an_official_image_runs_as_it(tmp_path):
    for name, text in (("mongo", "FROM mongo:5\nCOPY *.js /docker-entrypoint-initdb.d/\n"),
                       ("mysql", "FROM mysql:5.7\nVOLUME /data\nCOPY config.sh /root/\n"),
                       ("app", "FROM node:20\nVOLUME /app/uploads\n"),
                       ("pg", "ARG PG=16\nFROM postgres:${PG}-alpine\nRUN apk add --no-cache postgis\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text(text)
    (tmp_path / "docker-compose.yaml").write_text("""\
services:
  mongodb:
    build: {context: mongo}
    image: acme/shop-mongodb:2.1.0
  mysql:
    build: mysql
    image: acme/shop-mysql:2.1.0
  db:
    build: {context: pg, args: {PG: "17"}}
    image: acme/shop-db:2.1.0
    environment: {POSTGRES_PASSWORD: "${DB_PASSWORD:-change-me}"}
  app:
    build: app
    image: acme/shop-app:2.1.0
    ports: ['8080:8080']
    volumes: ['uploads:/app/uploads']
    depends_on: [mongodb, mysql]
volumes:
  uploads: {}
""")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yaml"), "-o",
                                    str(tmp_path / "p"), "--name", "shop"])
    assert res.exit_code == 0, res.output
    assert "image acme/shop-mongodb:2.1.0, built by its Dockerfile from mongo:5, runs as the official mongo image " \
           "does" in res.output
    assert "image acme/shop-mysql:2.1.0, built by its Dockerfile from mysql:5.7: the official mysql image writes " \
           "/var/lib/mysql" in res.output
    assert "service mysql: VOLUME /data of its Dockerfile: Docker gives it an anonymous volume" in res.output
    assert "a VOLUME of the service's Dockerfile, as a volume of its own" in res.output   # named in the round trip
    specs = {p.stem: yaml.safe_load(p.read_text()) for p in (tmp_path / "p" / "apps").glob("*.yaml")}
    mongo = next(s for s in specs.values() if s.get("name") == "mongodb")
    mysql = specs["mysql"]
    # the template of the image it is built from, of that image's version, running its own image
    assert (mongo["use"], mongo["version"], mongo["image"]) == ("mongodb", "5", "acme/shop-mongodb:2.1.0")
    # its build arg chose the base's version, whose Alpine image runs as UID 70: the template says so
    db = next(s for s in specs.values() if s.get("name") == "db")
    assert (db["use"], db["version"], db["image"]) == ("postgres", "17-alpine", "acme/shop-db:2.1.0")
    # (no password, which the mysql template requires: the image's user and emptyDirs where it writes)
    assert mysql["security"] == {"run_as_user": 999}
    assert {v["mount"] for v in mysql["volumes"].values()} == {"/data", "/var/lib/mysql", "/var/run/mysqld"}
    # a VOLUME the Compose file mounts something at is left to it; the app's base is no server
    app = next(s for k, s in specs.items() if s.get("name") == "app")
    assert "security" not in app and [v for v in (app.get("volumes") or {}).values() if v.get("empty")] == []
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    assert "SKY410" not in res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    pods = {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in k8s
            if o["kind"] in ("Deployment", "StatefulSet")}
    assert pods["mysql"]["containers"][0]["securityContext"]["runAsUser"] == 999
    assert "/data" in {m["mountPath"] for m in pods["mysql"]["containers"][0]["volumeMounts"]}
    assert pods["db"]["containers"][0]["securityContext"]["runAsUser"] == 70
    mongod = pods["mongodb"]["containers"][0]
    assert mongod["image"] == "acme/shop-mongodb:2.1.0" and mongod["securityContext"]["runAsUser"] == 999


from hypothesis import given, settings, strategies as st  # noqa: E402

_WORDS = st.sampled_from(["FROM", "from", "ARG", "ENV", "VOLUME", "USER", "RUN", "AS", "as", "scratch", "mongo:5",
                          "${A}", "$A", "${A:-x}", "A=1", "[", "]", '"/d"', "/data", "\\", "#", "\n", " ", "--platform=x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=8)), max_size=60), st.dictionaries(st.text(max_size=3),
                                                                                      st.text(max_size=5)))
def test_any_text_is_read_without_failing(words, args):
    """A pull request's Dockerfile is any text: parsing it never raises, and whatever it
    finds is a base image or None and absolute folders."""
    got = parse(" ".join(words), args, None)
    assert got is None or ((got.base is None or isinstance(got.base, str))
                           and all(isinstance(v, str) and v.startswith("/") for v in got.volumes))


def test_a_dockerfile_larger_than_any_real_one_is_not_read():
    """Each stage copies the ENV of the one it is built on: thousands of stages of thousands
    of variables would be quadratic, so more instructions or stages than any real Dockerfile
    has are not read (the image is read as any other)."""
    from skyspec.importer.dockerfile import MAX_INSTRUCTIONS, MAX_STAGES

    assert parse("FROM mongo:5\n" + "ENV A=1\n" * MAX_INSTRUCTIONS, {}) is None
    assert parse("FROM mongo:5 AS s0\n" + "".join(f"FROM s{i} AS s{i + 1}\n" for i in range(MAX_STAGES)), {}) is None
    assert parse("FROM mongo:5 AS s0\n" + "".join(f"FROM s{i} AS s{i + 1}\n" for i in range(MAX_STAGES - 2)),
                 {}).base == "mongo:5"


def test_the_ports_a_dockerfile_exposes_through_its_stages():
    got = parse("ARG P=9000\nFROM node:20 AS a\nEXPOSE 3000\nFROM a\nENV Q=7000\n"
                "EXPOSE 8080 8443/tcp 53/udp ${P} $Q 1-2 x\n", {})
    assert got.exposed == [3000, 8080, 8443, 9000, 7000]


def test_a_service_others_depend_on_listens_where_its_dockerfile_exposes(tmp_path):
    """awesome-compose's react-java-mysql: `backend` declares no port, its Dockerfile says
    `EXPOSE 8080`, and `frontend` (depends_on backend) proxies to http://backend:8080. No
    Service was made for it, so the frontend's calls found no name. The port the Dockerfile
    exposes is now the service's, with its Service and the policy admitting the caller."""
    (tmp_path / "backend").mkdir()
    (tmp_path / "backend" / "Dockerfile").write_text("FROM maven:3.9 AS b\nRUN mvn package\n"
                                                      "FROM eclipse-temurin:21\nEXPOSE 8080\nCMD [java, -jar, app.jar]\n")
    (tmp_path / "docker-compose.yml").write_text("services:\n  backend:\n    build: backend\n    image: acme/backend:1\n"
                                                  "  frontend:\n    image: acme/frontend:1\n    ports: ['3000:3000']\n"
                                                  "    depends_on: [backend]\n")
    res = CliRunner().invoke(main, ["import", "compose", str(tmp_path / "docker-compose.yml"), "-o",
                                    str(tmp_path / "p"), "--name", "shop"])
    assert res.exit_code == 0, res.output
    assert "port 8080: frontend depends on it, and its Dockerfile says `EXPOSE 8080`" in res.output
    assert yaml.safe_load((tmp_path / "p" / "apps" / "backend.yaml").read_text())["port"] == 8080
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-f", "kubernetes", "-o", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "b").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == "backend")
    assert [p["port"] for p in svc["spec"]["ports"]] == [8080]
