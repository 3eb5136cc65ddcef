"""`skyspec import` and SKY410 for servers whose official images the importer knew by kind
(their ports, a StatefulApp) but neither relaxed nor warned about: couchdb, minio and ollama
crash-looped under the hardened defaults (UID 10001, a read-only root filesystem) with no
warning from `skyspec check`."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner
from test_import_legacy import build_and_validate
from test_import_official import _check

from skyspec.cli import main
from skyspec.importer import import_compose


def _import(tmp_path, compose: str):
    src = tmp_path / "compose.yaml"
    src.write_text(compose)
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "compose", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert import_compose(src, "t").unexplained == []   # the round trip names what the relaxations change
    return out, res.output


def _warns(out, name: str, spec: str) -> str:
    """The output of `skyspec check` with apps/<name>.yaml written by hand as ``spec``."""
    for f in (out / "apps").glob(f"*{name}.yaml"):
        f.unlink()
    (out / "apps" / f"{name}.yaml").write_text(spec)
    res = CliRunner().invoke(main, ["check", str(out)])
    return " ".join(res.output.split())


def _pods(out, tmp_path) -> dict[str, dict]:
    return {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in build_and_validate(out, tmp_path, "dev")
            if o["kind"] in ("Deployment", "StatefulSet")}


def test_minio_gets_its_certs_folder_and_the_data_folder_its_command_names(tmp_path):
    """MinIO has no home as UID 10001: it makes its certs folder at /.minio/certs, and a release
    before RELEASE.2023-03-09 exits on the read-only root (minio/minio#14763); it writes the
    folder its `server` command names (a Compose file's anonymous VOLUME /data is nothing in
    Kubernetes)."""
    out, said = _import(tmp_path, """\
services:
  minio:
    image: quay.io/minio/minio:RELEASE.2022-04-01T03-41-39Z
    command: server /data --console-address ":9001"
    ports: ["9000:9000", "9001:9001"]
""")
    assert "note[SKY063]: minio: image quay.io/minio/minio:RELEASE.2022-04-01T03-41-39Z" in said
    doc = yaml.safe_load((out / "apps" / "minio.yaml").read_text())
    assert "security" not in doc   # any user: it needs no relaxation but the folders
    assert {v["mount"]: v.get("empty") for v in doc["volumes"].values()} == {"/.minio": True, "/data": True}
    assert "SKY410" not in _check(out)
    pod = _pods(out, tmp_path)["minio"]
    assert pod["securityContext"]["runAsUser"] == 10001
    (c,) = pod["containers"]
    assert {"/.minio", "/data"} <= {m["mountPath"] for m in c["volumeMounts"]}
    got = _warns(out, "minio", "kind: App\nname: minio\nimage: minio/minio:RELEASE.2022-04-01T03-41-39Z\n"
                               "args: [server, /data]\nport: 9000\nhealth: {tcp: 9000}\n")
    assert 'warning[SKY410]: [official-image] image "minio/minio:RELEASE.2022-04-01T03-41-39Z" of App "minio" ' \
        "writes /.minio, /data, which UID 10001" in got, got
    # a later release goes on without its certs folder: only the data folder is asked for
    got = _warns(out, "minio", "kind: App\nname: minio\nimage: minio/minio:RELEASE.2025-04-22T22-12-26Z\n"
                               "args: [server, /data]\nport: 9000\nhealth: {tcp: 9000}\n")
    assert 'of App "minio" writes /data, which' in got, got


def test_minio_data_folders_are_its_server_arguments():
    from skyspec.rules.official_image import written

    image = "minio/minio:RELEASE.2025-04-22T22-12-26Z"
    assert written("minio/minio", None, ["server", "--address", ":9000", "/data"], image) == ("/data",)
    assert written("minio/minio", ["sh", "-c"], ["mkdir -p /data/b && minio server /data --quiet"], image) == \
        ("/data",)
    assert written("minio/minio", None, ["server", "http://minio{1...2}/export{1...2}"], image) == \
        ("/export1", "/export2")
    assert written("minio/minio", None, ["--help"], image) == ()   # no `server`: it serves nothing
    assert written("minio/minio", None, ["server", "/data"], "minio/minio:latest", root=True) == \
        ("/root/.minio", "/data")   # a tag of no date may be any release; root's home is /root
    # a hostile `{1...60}{1...60}...` (a pull request's Compose file): counted before it is made,
    # where the expansion range by range ran 60^5 times before it found the paths too many
    from conftest import deadline

    with deadline(20, "the ranges were expanded"):
        assert written("minio/minio", None, ["server", "/d" + "{1...60}" * 6], image) == ()
        assert written("minio/minio", None, ["server", "/d{1...8}{1...8}"], image)[63] == "/d88"


def test_couchdb_runs_as_its_own_user_with_local_d_filled_from_the_image(tmp_path):
    """CouchDB's entrypoint, under `set -e`, touches /opt/couchdb/etc/local.d/docker.ini and
    writes the admin of COUCHDB_USER/COUCHDB_PASSWORD there: on a read-only root it exits.
    As a user other than root it skips its chown and setpriv; its own user is 5984."""
    out, said = _import(tmp_path, """\
services:
  couchdb:
    image: couchdb:3.5.1
    ports: ["5984:5984"]
    environment: {COUCHDB_USER: admin, COUCHDB_PASSWORD: S3cretPw9x}
    volumes: [couch:/opt/couchdb/data]
volumes:
  couch:
""")
    assert "note[SKY063]: couchdb: image couchdb:3.5.1: the official couchdb image writes " \
        "/opt/couchdb/etc/local.d" in said
    doc = yaml.safe_load((out / "apps" / "statefulapp.couchdb.yaml").read_text())
    assert doc["security"] == {"run_as_user": 5984}
    assert doc["storage"]["data"]["mount"] == "/opt/couchdb/data"
    assert doc["volumes"] == {"opt-couchdb-etc-local-d": {"mount": "/opt/couchdb/etc/local.d", "empty": True}}
    (init,) = doc["init"].values()   # its README (and an .ini an image built from it adds) kept
    assert init["command"] == ["sh", "-c", "cp -a /opt/couchdb/etc/local.d/. /mnt/opt-couchdb-etc-local-d/"]
    assert "SKY410" not in _check(out)
    pod = _pods(out, tmp_path)["couchdb"]
    assert pod["securityContext"]["runAsUser"] == 5984 and pod["securityContext"]["fsGroup"] == 5984
    (c,) = pod["containers"]
    assert {"/opt/couchdb/etc/local.d", "/opt/couchdb/data"} <= {m["mountPath"] for m in c["volumeMounts"]}
    assert [i["name"] for i in pod["initContainers"]] == ["copy-opt-couchdb-etc-local-d"]
    got = _warns(out, "couchdb", "kind: StatefulApp\nname: couchdb\nimage: couchdb:3.5.1\nport: 5984\n"
                                 "health: {tcp: 5984}\n")
    assert 'warning[SKY410]: [official-image] image "couchdb:3.5.1" of StatefulApp "couchdb" writes ' \
        "/opt/couchdb/data, /opt/couchdb/etc/local.d, which UID 10001" in got, got
    assert "set `security: {run_as_user: 5984}`" in got
    # the -nouveau tags are CouchDB's search server, another image
    got = _warns(out, "couchdb", "kind: App\nname: couchdb\nimage: couchdb:3.5.1-nouveau\nport: 5987\n"
                                 "health: {tcp: 5987}\n")
    assert "SKY410" not in got, got


@pytest.mark.parametrize("volume", [True, False])
def test_ollama_keeps_its_models_where_its_user_can_write(tmp_path, volume):
    """Ollama (root in its image) keeps its models and key in $HOME/.ollama. As UID 10001 its
    home is /, so it writes /.ollama: an emptyDir there. A volume at /root/.ollama (its
    README's `-v ollama:/root/.ollama`) is reached only by root (/root is 0700): it runs as
    root then, with no capability."""
    out, said = _import(tmp_path, "services:\n  ollama:\n    image: ollama/ollama:0.11.4\n"
                                  "    ports: [\"11434:11434\"]\n"
                        + ("    volumes: [ollama:/root/.ollama]\nvolumes:\n  ollama:\n" if volume else ""))
    assert "note[SKY063]: ollama: image ollama/ollama:0.11.4" in said
    doc = yaml.safe_load((out / "apps" / "ollama.yaml").read_text())
    mounts = {v["mount"]: v for v in doc["volumes"].values()}
    if volume:
        assert doc["security"] == {"run_as_root": True} and set(mounts) == {"/root/.ollama"}
    else:
        assert "security" not in doc and mounts == {"/.ollama": {"mount": "/.ollama", "empty": True}}
    assert "SKY410" not in _check(out)
    pod = _pods(out, tmp_path)["ollama"]
    (c,) = pod["containers"]
    assert pod["securityContext"]["runAsUser"] == (0 if volume else 10001)
    assert c["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert ("/root/.ollama" if volume else "/.ollama") in {m["mountPath"] for m in c["volumeMounts"]}
    got = _warns(out, "ollama", "kind: App\nname: ollama\nimage: ollama/ollama:0.11.4\nport: 11434\n"
                                "health: {tcp: 11434}\n")
    assert 'warning[SKY410]: [official-image] image "ollama/ollama:0.11.4" of App "ollama" writes /.ollama, ' \
        "which UID 10001" in got, got


def test_a_template_the_build_refuses_leaves_another_images_relaxations(tmp_path):
    """Ghostfolio's postgres named its database `ghostfolio-db`, which the postgres template
    refused (it takes a hyphen now: a dot stands in for a name it refuses), so it runs relaxed
    instead; its redis (`user: 999:1000`) was taken back to the input with it and lost its
    emptyDir at /data: on the read-only root its snapshots failed, after which Redis refuses
    every write."""
    out, said = _import(tmp_path, """\
services:
  app:
    image: ghostfolio/ghostfolio:2.100.0
    depends_on: [postgres, redis]
  postgres:
    image: postgres:15-alpine
    environment: {POSTGRES_DB: ghostfolio.db, POSTGRES_PASSWORD: ab9Xk2PqL7}
    volumes: [pg:/var/lib/postgresql/data]
  redis:
    image: redis:alpine
    user: '999:1000'
    command: [/bin/sh, -c, 'redis-server --requirepass "$${REDIS_PASSWORD}"']
    environment: {REDIS_PASSWORD: Zq81mWv3Rt}
volumes:
  pg:
""")
    assert "note[SKY063]: redis: image redis:alpine" in said
    assert "use" not in yaml.safe_load((out / "apps" / "statefulapp.postgres.yaml").read_text())   # (refused)
    doc = yaml.safe_load((out / "apps" / "redis.yaml").read_text())
    assert {v["mount"]: v.get("empty") for v in doc["volumes"].values()} == {"/data": True}
    assert doc["security"] == {"run_as_user": 999, "run_as_group": 1000}
    assert "SKY410" not in _check(out)
    assert {m["mountPath"] for m in _pods(out, tmp_path)["redis"]["containers"][0]["volumeMounts"]} >= {"/data"}


def test_tandoor_gets_its_nginx_config_folder_filled_from_the_image(tmp_path):
    """Tandoor's boot.sh writes /opt/recipes/http.d/Recipes.conf from the template beside it,
    without `set -e`: on the read-only root the write failed, nginx started with no server, and
    nothing answered on port 80. Any user runs it (its image is made to run non-root)."""
    out, said = _import(tmp_path, """\
services:
  web_recipes:
    image: vabene1111/recipes:2.3.3
    ports: ["80:80"]
    volumes: [staticfiles:/opt/recipes/staticfiles, ./mediafiles:/opt/recipes/mediafiles]
volumes:
  staticfiles:
""")
    assert "note[SKY063]: web-recipes: image vabene1111/recipes:2.3.3" in said
    doc = yaml.safe_load((out / "apps" / "web-recipes.yaml").read_text())
    assert "security" not in doc
    assert {v["mount"] for v in doc["volumes"].values() if v.get("empty")} == {"/opt/recipes/http.d"}
    assert "SKY410" not in _check(out)
    pod = _pods(out, tmp_path)["web-recipes"]
    init = pod["initContainers"][0]
    assert init["image"] == "vabene1111/recipes:2.3.3" and "/opt/recipes/http.d/." in init["command"][-1]
    assert init["command"][-1].startswith("[ ! -d /opt/recipes/http.d ] ||")   # (1.x tags have no nginx)


@pytest.mark.parametrize("tag, apache", [("5.10.0", True), ("5-fpm-alpine", False)])
def test_matomo_starts_as_root_and_chowns_its_files_to_www_data(tmp_path, tag, apache):
    """Matomo's entrypoint (`set -e`) copies Matomo into an empty /var/www/html and `chown -R`s
    it: to www-data as root; as UID 10001 to itself, which fails on the volume's root (not its
    own), and it exits. Then Apache (its default tags, which make /var/run/apache2 and
    /var/lock/apache2) or php-fpm (its `fpm` tags) starts as root and runs its workers as
    www-data (matomo-org/docker's docker-entrypoint.sh)."""
    out, said = _import(tmp_path, f"""\
services:
  app:
    image: matomo:{tag}
    ports: ["{'8080:80' if apache else '9000:9000'}"]
    environment: {{MATOMO_DATABASE_HOST: db}}
    volumes: [matomo:/var/www/html]
volumes:
  matomo:
""")
    assert f"note[SKY063]: app: image matomo:{tag}: the official matomo image " in said
    doc = yaml.safe_load((out / "apps" / "app.yaml").read_text())
    assert doc["security"] == {"run_as_root": True, "add_capabilities": ["CHOWN", "SETUID", "SETGID"]}
    empty = {"/var/run/apache2", "/var/lock/apache2"} if apache else set()
    assert {v["mount"] for v in doc["volumes"].values() if v.get("empty")} == empty
    assert doc["volumes"]["matomo"] == {"mount": "/var/www/html", "claim": "matomo"}
    assert "SKY410" not in _check(out)
    (c,) = _pods(out, tmp_path)["app"]["containers"]
    assert c["securityContext"]["capabilities"]["add"] == ["CHOWN", "SETUID", "SETGID"]
    got = _warns(out, "app", f"kind: App\nname: app\nimage: matomo:{tag}\nport: 80\nhealth: {{tcp: 80}}\n"
                             "volumes:\n  html: {mount: /var/www/html, empty: true}\n")
    assert f'warning[SKY410]: [official-image] image "matomo:{tag}" of App "app" starts as root' in got, got


def test_an_fpm_tag_writes_no_apache_folder():
    """WordPress' and Matomo's `fpm` tags run php-fpm from php's fpm image: no Apache, whose
    folders an emptyDir need not hold."""
    from skyspec.rules.official_image import written

    assert written("wordpress", None, None, "wordpress:6.8-fpm-alpine") == ("/var/www/html",)
    assert written("wordpress", None, None, "wordpress:6.8") == ("/var/www/html", "/var/run/apache2",
                                                                  "/var/lock/apache2")
