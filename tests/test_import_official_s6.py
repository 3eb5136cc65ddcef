"""`skyspec import` and SKY410 for images that start s6-overlay's /init: every LinuxServer.io
image (sonarr, jellyfin, code-server, ...) and Karakeep's crash-looped under the hardened
defaults (UID 10001, a read-only root filesystem) with no warning. As UID 10001, s6-overlay's
preinit exits where /run is not the user's ("/run belongs to uid 0 instead of 10001 ... and
we're lacking the privileges to fix it"); as root it needs /run writable, and a LinuxServer
image chowns /config to its user abc and drops to it."""

from __future__ import annotations

import pytest
import yaml
from test_import_official import _check
from test_import_official_servers import _import, _pods, _warns

from skyspec.rules.official_image import official

LSIO_CAPS = ["CHOWN", "SETUID", "SETGID", "KILL"]


@pytest.mark.parametrize("image", ["lscr.io/linuxserver/sonarr:4.0.15", "linuxserver/sonarr:4.0.15",
                                   "docker.io/linuxserver/sonarr:4.0.15", "ghcr.io/linuxserver/sonarr:4.0.15"])
def test_every_registry_of_linuxserver_is_one_kind(image):
    assert official(image) == "linuxserver"


@pytest.mark.parametrize("image", ["linuxserverx/sonarr:1.0", "ghcr.io/linuxserver-labs/prarr:1.0",
                                   "lscr.io/other/sonarr:1.0"])
def test_another_publisher_is_not_linuxserver(image):
    assert official(image) is None


def test_linuxserver_sonarr_runs_as_root_with_run_writable(tmp_path):
    """Sonarr's Compose file from its README: /init as root (the base chowns /config to abc and
    drops to it with s6-setuidgid; s6-supervise stops it with SIGTERM, another UID's process),
    /run an emptyDir (s6's service tree), its /config claim kept. PUID/PGID have no effect on a
    read-only root: the note says so."""
    out, said = _import(tmp_path, """\
services:
  sonarr:
    image: lscr.io/linuxserver/sonarr:4.0.15
    environment: [PUID=1000, PGID=1000, TZ=Etc/UTC]
    volumes: [config:/config]
    ports: ["8989:8989"]
volumes:
  config:
""")
    assert "note[SKY063]: sonarr: image lscr.io/linuxserver/sonarr:4.0.15: the official linuxserver image writes " \
        "/run and starts as root" in said
    assert "its PUID and PGID have no effect on the read-only root" in " ".join(said.split())
    doc = yaml.safe_load((out / "apps" / "sonarr.yaml").read_text())
    assert doc["security"] == {"run_as_root": True, "add_capabilities": LSIO_CAPS}
    assert doc["volumes"] == {"config": {"mount": "/config", "claim": "config"},
                              "run": {"mount": "/run", "empty": True}}
    assert "SKY410" not in _check(out)
    pod = _pods(out, tmp_path)["sonarr"]
    assert pod["securityContext"]["runAsUser"] == 0
    (c,) = pod["containers"]
    assert c["securityContext"]["capabilities"] == {"add": LSIO_CAPS, "drop": ["ALL"]}
    assert c["securityContext"]["readOnlyRootFilesystem"] is True   # LinuxServer's read-only operation
    assert {"/run", "/config"} <= {m["mountPath"] for m in c["volumeMounts"]}
    got = _warns(out, "sonarr", "kind: App\nname: sonarr\nimage: lscr.io/linuxserver/sonarr:4.0.15\nport: 8989\n"
                                "health: {tcp: 8989}\n")
    assert 'warning[SKY410]: [official-image] image "lscr.io/linuxserver/sonarr:4.0.15" of App "sonarr" starts ' \
        "as root" in got, got
    assert "add_capabilities: [CHOWN, SETUID, SETGID, KILL]" in got


def test_linuxserver_without_a_config_volume_gets_one(tmp_path):
    """The image's VOLUME /config is Docker's anonymous volume: nothing in Kubernetes, and the
    read-only root there."""
    out, said = _import(tmp_path, "services:\n  jellyfin:\n    image: linuxserver/jellyfin:10.10.7\n"
                                  "    ports: ['8096:8096']\n")
    assert "note[SKY063]: jellyfin: image linuxserver/jellyfin:10.10.7: the official linuxserver image writes " \
        "/run, /config and starts as root" in said
    assert "PUID" not in said   # (the input sets none)
    doc = yaml.safe_load((out / "apps" / "jellyfin.yaml").read_text())
    assert {v["mount"]: v.get("empty") for v in doc["volumes"].values()} == {"/run": True, "/config": True}
    assert "SKY410" not in _check(out)


def test_karakeep_runs_its_s6_services_as_root(tmp_path):
    """Karakeep's web image starts s6-overlay's /init and runs node as root, dropping to no
    user: root and /run, no capability."""
    out, said = _import(tmp_path, """\
services:
  web:
    image: ghcr.io/karakeep-app/karakeep:0.27.1
    volumes: [data:/data]
    ports: ["3000:3000"]
    environment: {DATA_DIR: /data}
volumes:
  data:
""")
    assert "note[SKY063]: web: image ghcr.io/karakeep-app/karakeep:0.27.1" in said
    doc = yaml.safe_load((out / "apps" / "web.yaml").read_text())
    assert doc["security"] == {"run_as_root": True}
    assert doc["volumes"]["run"] == {"mount": "/run", "empty": True}
    assert "SKY410" not in _check(out)
    pod = _pods(out, tmp_path)["web"]
    (c,) = pod["containers"]
    assert pod["securityContext"]["runAsUser"] == 0 and "add" not in c["securityContext"]["capabilities"]


def test_linuxserver_with_its_folders_mounted_is_said_to_start_as_root(tmp_path):
    """LinuxServer's read-only example mounts /run (`tmpfs: [/run:exec]`) and /config: the
    image only starts as root. The note said "writes  and starts as root" (no path)."""
    out, said = _import(tmp_path, """\
services:
  radarr:
    image: lscr.io/linuxserver/radarr:5.26.2
    tmpfs: ["/run:exec"]
    volumes: [config:/config]
    read_only: true
volumes:
  config:
""")
    assert "the official linuxserver image starts as root, which the hardened defaults forbid: `security: " \
        "{run_as_root: true, add_capabilities: [CHOWN, SETUID, SETGID, KILL]}`" in " ".join(said.split())
    doc = yaml.safe_load((out / "apps" / "radarr.yaml").read_text())
    assert doc["security"] == {"run_as_root": True, "add_capabilities": LSIO_CAPS}
    assert "SKY410" not in _check(out)


def test_a_user_the_input_chose_is_not_merged_with_root(tmp_path):
    """LinuxServer's non-root operation (`user: 1000:1000`): the relaxations made the spec say
    run_as_root and run_as_user 1000 at once. The input's user stays, and SKY410 says what the
    image needs."""
    out, said = _import(tmp_path, """\
services:
  radarr:
    image: lscr.io/linuxserver/radarr:5.26.2
    user: "1000:1000"
    volumes: [config:/config]
volumes:
  config:
""")
    assert "SKY063]: radarr: image" not in said
    doc = yaml.safe_load((out / "apps" / "radarr.yaml").read_text())
    assert doc["security"] == {"run_as_user": 1000, "run_as_group": 1000}
    assert 'image "lscr.io/linuxserver/radarr:5.26.2" of App "radarr" starts as root' in \
        " ".join(_check(out).split())
