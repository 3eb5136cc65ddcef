"""Output safety: staged writes, nothing written on failure, nothing deleted or overwritten that
skyspec did not write, no write outside the output folder, none into the project's own folders."""

import json

APP = "kind: App\nname: api\nimage: x/api:1\nport: 80\n"


def test_failed_build_leaves_previous_output_untouched(make_project, cli):
    root = make_project({"apps/api.yaml": APP})
    assert cli("build", "-o", "out").exit_code == 0
    before = {p: p.read_bytes() for p in (root / "out").rglob("*") if p.is_file()}
    (root / "apps/api.yaml").write_text(APP + "replicas: many\n")
    assert cli("build", "-o", "out").exit_code == 1
    after = {p: p.read_bytes() for p in (root / "out").rglob("*") if p.is_file()}
    assert before == after


def test_rebuild_removes_stale_generated_files_but_keeps_foreign_ones(make_project, cli):
    root = make_project({"apps/api.yaml": APP, "apps/web.yaml": APP.replace("api", "web")})
    assert cli("build", "-o", "out").exit_code == 0
    (root / "out" / "NOTES.md").write_text("mine")
    (root / "out" / "prod" / "kubernetes" / "extra.yaml").write_text("kind: Mine\n")
    (root / "apps/web.yaml").unlink()
    assert cli("build", "-o", "out").exit_code == 0
    assert not (root / "out/prod/kubernetes/web.yaml").exists()     # generated before, stale now
    assert (root / "out/NOTES.md").read_text() == "mine"              # never generated: kept
    assert (root / "out/prod/kubernetes/extra.yaml").read_text() == "kind: Mine\n"
    manifest = json.loads((root / "out/.skyspec-manifest.json").read_text())
    assert "prod/kubernetes/api.yaml" in manifest["files"]
    assert not [p for p in root.iterdir() if ".skyspec-" in p.name]  # no temporary folders left


def test_refuses_to_overwrite_a_file_it_did_not_generate(make_project, cli):
    root = make_project({"apps/api.yaml": APP})
    (root / "out/prod/kubernetes").mkdir(parents=True)
    (root / "out/prod/kubernetes/api.yaml").write_text("hand written\n")
    r = cli("build", "-o", "out")
    assert r.exit_code == 1
    assert "error[SKY901]" in r.stderr
    assert (root / "out/prod/kubernetes/api.yaml").read_text() == "hand written\n"
    assert not (root / "out/dev").exists()


def test_refuses_the_project_folder_as_output(make_project, cli):
    make_project({"apps/api.yaml": APP})
    r = cli("build", "-o", ".")
    assert r.exit_code == 1 and "SKY902" in r.stderr


# --------------------------------------------------------------------------- a folder with the user's files

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

WEB = APP.replace("api", "web")


def snapshot(folder: Path) -> dict:
    """Everything under ``folder`` without following symlinks: path -> bytes, link target or
    folder marker, with the mode."""
    out = {}
    for dirpath, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(dirpath) / name
            st = p.lstat()
            if p.is_symlink():
                out[str(p.relative_to(folder))] = ("link", os.readlink(p))
            elif p.is_dir():
                out[str(p.relative_to(folder))] = ("dir", stat.S_IMODE(st.st_mode))
            else:
                out[str(p.relative_to(folder))] = ("file", p.read_bytes(), stat.S_IMODE(st.st_mode))
    return out


def manifest(root: Path) -> dict:
    return json.loads((root / "out/.skyspec-manifest.json").read_text())


def test_rebuild_keeps_empty_and_symlinked_folders_and_the_folder_modes(make_project, cli, tmp_path):
    root = make_project({"apps/api.yaml": APP, "apps/web.yaml": WEB})
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "sub").mkdir(parents=True)
    (elsewhere / "sub/keep.txt").write_text("keep")
    assert cli("build", "-o", "out").exit_code == 0
    out = root / "out"
    (out / "empty").mkdir()
    (out / ".git/refs/tags").mkdir(parents=True)
    (out / "prod/kubernetes/mine").mkdir()
    (out / "linked").symlink_to(elsewhere)
    (out / "prod/link.yaml").symlink_to(elsewhere / "sub/keep.txt")
    out.chmod(0o750)
    (out / "prod").chmod(0o711)
    user = {k: v for k, v in snapshot(out).items() if "kubernetes/" not in k or "mine" in k}
    (root / "apps/web.yaml").unlink()
    assert cli("build", "-o", "out").exit_code == 0
    after = snapshot(out)
    for k, v in user.items():
        if k not in (".skyspec-manifest.json",):
            assert after.get(k) == v, k
    assert stat.S_IMODE(out.stat().st_mode) == 0o750 and stat.S_IMODE((out / "prod").stat().st_mode) == 0o711
    assert not (out / "prod/kubernetes/web.yaml").exists() and (out / "prod/kubernetes/api.yaml").is_file()
    assert (elsewhere / "sub/keep.txt").read_text() == "keep" and sorted(os.listdir(elsewhere)) == ["sub"]


def test_a_forged_manifest_deletes_nothing_skyspec_did_not_write(make_project, cli, tmp_path):
    root = make_project({"apps/api.yaml": APP})
    (tmp_path / "outside.txt").write_text("precious")
    (root / "out/docs").mkdir(parents=True)
    (root / "out/docs/README.md").write_text("mine")
    (root / "out/.skyspec-manifest.json").write_text(json.dumps({"generator": "skyspec", "files": {
        "docs/README.md": "0" * 64,                      # a hash that is not the file's
        "../outside.txt": "1" * 64, "/etc/hostname": "2" * 64, "docs/../../outside.txt": "3" * 64,
        "docs": "4" * 64}, "folders": ["docs", "..", "/tmp"]}))
    assert cli("build", "-o", "out").exit_code == 0, "forged entries are ignored, not errors"
    assert (root / "out/docs/README.md").read_text() == "mine"
    assert (tmp_path / "outside.txt").read_text() == "precious"
    m = manifest(root)
    assert {"dev/kubernetes/api.yaml", "prod/kubernetes/api.yaml"} <= set(m["files"])
    assert all(f.startswith(("dev/", "prod/")) for f in m["files"]) and "docs" not in m["folders"]


def test_a_generated_file_edited_by_the_user_is_never_overwritten_nor_deleted(make_project, cli):
    root = make_project({"apps/api.yaml": APP, "apps/web.yaml": WEB})
    assert cli("build", "-o", "out").exit_code == 0
    out = root / "out"
    (out / "prod/kubernetes/api.yaml").write_text("# tuned by hand\n")
    before = snapshot(out)
    (root / "apps/api.yaml").write_text(APP + "replicas: 3\n")
    r = cli("build", "-o", "out")
    assert r.exit_code == 1
    assert "out/prod/kubernetes/api.yaml:1:1: error[SKY904]: this generated file was edited by hand" in r.stderr
    assert "move your change into the spec" in r.stderr and "SKY901" not in r.stderr
    assert snapshot(out) == before                                   # nothing at all was written
    (out / "prod/kubernetes/web.yaml").write_text("# mine now\n")   # an edited file that goes stale
    (out / "prod/kubernetes/api.yaml").unlink()
    (root / "apps/web.yaml").unlink()
    assert cli("build", "-o", "out").exit_code == 0
    assert (out / "prod/kubernetes/web.yaml").read_text() == "# mine now\n"
    assert "prod/kubernetes/web.yaml" not in manifest(root)["files"]
    assert not (out / "dev/kubernetes/web.yaml").exists()            # unedited: removed


def test_folders_skyspec_created_go_when_emptied_the_users_stay(make_project, cli):
    root = make_project({"apps/api.yaml": APP})
    assert cli("build", "-o", "out").exit_code == 0
    assert {"dev", "dev/kubernetes", "prod", "prod/kubernetes"} <= set(manifest(root)["folders"])
    (root / "out/prod/kubernetes/notes").mkdir()                      # the user's, empty
    project = (root / "skyspec.yaml").read_text()
    (root / "skyspec.yaml").write_text(project.replace("  dev: {overlays: []}\n", ""))
    assert cli("build", "-o", "out").exit_code == 0                   # a full build: dev is gone
    assert not (root / "out/dev").exists()                            # created by skyspec, emptied
    assert (root / "out/prod/kubernetes/notes").is_dir()
    (root / "out/prod/kubernetes/NOTES.md").write_text("mine")
    (root / "skyspec.yaml").write_text(project.replace("  dev: {overlays: []}\n", "") + "outputs: [compose]\n")
    assert cli("build", "-o", "out").exit_code == 0
    assert (root / "out/prod/compose.yaml").is_file() and not (root / "out/prod/kubernetes/api.yaml").exists()
    assert (root / "out/prod/kubernetes/NOTES.md").read_text() == "mine"   # the folder stays for it
    assert "prod/kubernetes" not in manifest(root)["folders"]              # and is the user's now
    assert "prod" in manifest(root)["folders"]


def test_a_manifest_of_the_earlier_format_is_understood(make_project, cli):
    """Manifests before folders were recorded have `files` only; that writer rebuilt the
    whole tree, so every folder holding a file it listed is one it created."""
    root = make_project({"apps/api.yaml": APP})
    assert cli("build", "-o", "out").exit_code == 0
    m = manifest(root)
    (root / "out/.skyspec-manifest.json").write_text(
        json.dumps({"generator": "skyspec", "files": m["files"]}, indent=1, sort_keys=True) + "\n")
    (root / "skyspec.yaml").write_text((root / "skyspec.yaml").read_text().replace("  dev: {overlays: []}\n", ""))
    assert cli("build", "-o", "out").exit_code == 0
    assert not (root / "out/dev").exists() and (root / "out/prod/kubernetes/api.yaml").is_file()


def test_unchanged_files_are_left_as_they_are(make_project, cli):
    root = make_project({"apps/api.yaml": APP, "apps/web.yaml": WEB})
    assert cli("build", "-o", "out").exit_code == 0
    api, web = root / "out/prod/kubernetes/api.yaml", root / "out/prod/kubernetes/web.yaml"
    ino = api.stat().st_ino, web.stat().st_ino
    (root / "apps/web.yaml").write_text(WEB + "replicas: 2\n")
    assert cli("build", "-o", "out").exit_code == 0
    assert api.stat().st_ino == ino[0] and web.stat().st_ino != ino[1]
    assert "replicas: 2" in web.read_text()


def test_special_files_are_refused_without_being_opened(make_project, tmp_path):
    """A FIFO where a generated file is (listed, with a hash, in a forged manifest) or
    anywhere in OUT: opening one would hang the build (or, for a device, act on it)."""
    root = make_project({"apps/api.yaml": APP})
    (root / "out/prod/kubernetes").mkdir(parents=True)
    os.mkfifo(root / "out/prod/kubernetes/api.yaml")
    os.mkfifo(root / "out/pipe")
    (root / "out/.skyspec-manifest.json").write_text(json.dumps({"files": {"prod/kubernetes/api.yaml": "0" * 64}}))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "compiler")}
    r = subprocess.run([sys.executable, "-m", "skyspec", "build", "-o", "out"], cwd=root, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "error[SKY902]" in r.stderr and "is a FIFO" in r.stderr, r.stderr
    assert "out/pipe" in r.stderr and "prod/kubernetes/api.yaml is a FIFO" in r.stderr
    assert stat.S_ISFIFO((root / "out/pipe").lstat().st_mode) and not (root / "out/dev").exists()


def test_a_symlink_on_the_way_to_a_generated_file_is_never_followed(make_project, cli, tmp_path):
    root = make_project({"apps/api.yaml": APP})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "out").mkdir()
    (root / "out/prod").symlink_to(elsewhere)
    r = cli("build", "-o", "out")
    assert r.exit_code == 1 and "error[SKY903]" in r.stderr and "does not write through symlinks" in r.stderr
    assert os.listdir(elsewhere) == [] and not (root / "out/dev").exists()
    (root / "out/prod").unlink()
    (root / "out/prod/kubernetes").mkdir(parents=True)
    (elsewhere / "target.yaml").write_text("outside")
    (root / "out/prod/kubernetes/api.yaml").symlink_to(elsewhere / "target.yaml")
    r = cli("build", "-o", "out")
    assert r.exit_code == 1 and "is a symlink skyspec did not create" in r.stderr
    assert (elsewhere / "target.yaml").read_text() == "outside"
    assert (root / "out/prod/kubernetes/api.yaml").is_symlink()


def test_the_output_folder_cannot_be_led_out_of_the_project_by_a_symlink_in_it(make_project, cli, tmp_path):
    root = make_project({"apps/api.yaml": APP})
    (tmp_path / "ci-secrets").mkdir()
    (root / "out").symlink_to(tmp_path / "ci-secrets")       # committed by a pull request
    for args in (("build",), ("build", "-o", "out")):
        r = cli(*args)
        assert r.exit_code == 1 and "error[SKY903]" in r.stderr, r.stderr
    assert os.listdir(tmp_path / "ci-secrets") == []


@pytest.mark.parametrize("target", [".", "..", "apps", "apps/generated", "overlays", "overlays/x", "/"])
def test_refuses_the_projects_own_folders(make_project, cli, target):
    root = make_project({"apps/api.yaml": APP})
    before = snapshot(root)
    r = cli("build", "-o", target)
    assert r.exit_code == 1 and "error[SKY902]" in r.stderr, r.stderr
    assert snapshot(root) == before


def test_specs_beside_the_project_file_still_build_into_out(make_project, cli):
    project = "project: demo\nspecs: ['*.yaml']\nenvironments: {dev: {}}\n"
    root = make_project({"api.yaml": APP}, project=project)
    assert cli("build").exit_code == 0 and (root / "out/dev/kubernetes/api.yaml").is_file()
    assert cli("build", "-o", ".").exit_code == 1


@pytest.mark.filterwarnings("ignore")
def test_the_python_api_refuses_the_working_directory(tmp_path, monkeypatch):
    from skyspec import App

    monkeypatch.chdir(tmp_path)
    (tmp_path / "deploy.py").write_text("# the builder\n")
    g = App("api").image("x/api:1").port(80).generate()
    for target in (".", str(tmp_path.parent)):
        with pytest.raises(OSError, match="SKY902"):
            g.to_yaml(target)
    assert sorted(os.listdir(tmp_path)) == ["deploy.py"]
    assert "api.yaml" in [p.name for p in g.to_yaml("k8s")]


# --------------------------------------------------------------------------- write_tree itself

@pytest.mark.parametrize("rel", [
    "../x.yaml", "a/../../x.yaml", "/etc/x.yaml", "a//b.yaml", "a/", "./a.yaml", "a/./b.yaml", "a\\b.yaml",
    "a\x00b", "a\nb.yaml", "a\tb", "-rf", ".hidden", "a/.git/config", ".skyspec-manifest.json",
    "a/.skyspec-tmp-1-1", "caf\u00e9.yaml", "a b.yaml", "a:b.yaml", "", "x" * 256, "a/" * 600 + "b",
], ids=lambda rel: repr(rel)[:24])
def test_unsafe_output_paths_are_refused_and_nothing_is_written(tmp_path, rel):
    from skyspec.diagnostics import Diagnostics
    from skyspec.output import write_tree

    d = Diagnostics()
    assert not write_tree(tmp_path / "out", {"dev/ok.yaml": "a: 1\n", rel: "b: 2\n"}, d)
    assert [x.code for x in d.errors] == ["SKY903"]
    assert os.listdir(tmp_path) == []


def test_a_path_that_is_both_a_file_and_a_folder_is_refused(tmp_path):
    from skyspec.diagnostics import Diagnostics
    from skyspec.output import write_tree

    d = Diagnostics()
    assert not write_tree(tmp_path / "out", {"a": "x", "a/b.yaml": "y"}, d)
    assert [x.code for x in d.errors] == ["SKY903"] and not (tmp_path / "out").exists()


def test_safe_paths_are_written(tmp_path):
    from skyspec.diagnostics import Diagnostics
    from skyspec.output import write_tree

    files = {"dev/kubernetes/api.yaml": "a\n", "helm/x/templates/_helpers.tpl": "t\n", "prod.eu-west/compose.yaml": "c\n",
             "k/configmap.a-b.c_d.yaml": "k\n"}
    assert write_tree(tmp_path / "deep/out", files, Diagnostics())
    for rel, text in files.items():
        assert (tmp_path / "deep/out" / rel).read_text() == text


def test_a_staging_failure_leaves_the_previous_output_as_it_was(tmp_path, monkeypatch):
    from skyspec.output import write as output
    from skyspec.diagnostics import Diagnostics

    out = tmp_path / "out"
    assert output.write_tree(out, {"dev/a.yaml": "1\n", "dev/b.yaml": "2\n"}, Diagnostics())
    before = snapshot(out)
    real_new_file, calls = output._Tree.new_file, []

    def failing(self, fd, data):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_new_file(self, fd, data)

    monkeypatch.setattr(output._Tree, "new_file", failing)
    d = Diagnostics()
    assert not output.write_tree(out, {"dev/a.yaml": "1b\n", "prod/new/c.yaml": "3\n", "prod/new/d.yaml": "4\n"}, d)
    assert [x.code for x in d.errors] == ["SKY902"] and "No space left" in d.errors[0].message
    assert snapshot(out) == before                      # no staged file, no new folder, same manifest


def test_a_build_interrupted_while_renaming_is_recognised_by_the_next(tmp_path, monkeypatch):
    from skyspec.output import write as output
    from skyspec.diagnostics import Diagnostics

    out = tmp_path / "out"
    assert output.write_tree(out, {"a.yaml": "1\n", "b.yaml": "2\n", "old.yaml": "0\n"}, Diagnostics())
    real_replace, calls = os.replace, []

    def killed(*a, **k):
        calls.append(a)
        if len(calls) == 3:   # the manifest and one file are in place
            raise KeyboardInterrupt
        return real_replace(*a, **k)

    monkeypatch.setattr(output.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        output.write_tree(out, {"a.yaml": "1b\n", "b.yaml": "2b\n"}, Diagnostics())
    monkeypatch.setattr(output.os, "replace", real_replace)
    d = Diagnostics()
    assert output.write_tree(out, {"a.yaml": "1c\n", "b.yaml": "2c\n"}, d), [x.message for x in d.errors]
    assert (out / "a.yaml").read_text() == "1c\n" and (out / "b.yaml").read_text() == "2c\n"
    assert not (out / "old.yaml").exists()
    assert sorted(os.listdir(out)) == [".skyspec-manifest.json", "a.yaml", "b.yaml"]  # the staged file too is gone
    assert set(json.loads((out / ".skyspec-manifest.json").read_text())) == {"files", "folders", "generator"}


def test_a_build_that_changes_nothing_writes_nothing(tmp_path, monkeypatch):
    """Not even the manifest, when the one there already says what it would; one that
    says something else (an earlier format here) is replaced."""
    from skyspec.diagnostics import Diagnostics
    from skyspec.output import write as output

    out, files = tmp_path / "out", {"dev/a.yaml": "1\n", "b.yaml": "2\n"}
    assert output.write_tree(out, files, Diagnostics())
    before, ino = snapshot(out), (out / ".skyspec-manifest.json").stat().st_ino
    made = []
    real_new_file = output._Tree.new_file
    monkeypatch.setattr(output._Tree, "new_file", lambda self, fd, data: made.append(data) or real_new_file(self, fd, data))
    assert output.write_tree(out, files, Diagnostics())
    assert made == [] and snapshot(out) == before and (out / ".skyspec-manifest.json").stat().st_ino == ino
    m = json.loads((out / ".skyspec-manifest.json").read_text())
    (out / ".skyspec-manifest.json").write_text(json.dumps({"generator": "skyspec", "files": m["files"]}))
    assert output.write_tree(out, files, Diagnostics())
    assert len(made) == 1 and snapshot(out) == before


def test_files_in_folders_the_build_creates_are_not_looked_up(tmp_path, monkeypatch):
    """A fresh output: every file is known missing from its folder being missing, without
    an open of that folder failing once per file."""
    from skyspec.diagnostics import Diagnostics
    from skyspec.output import write as output

    real_open, missing = os.open, []

    def watched(path, *a, **k):
        try:
            return real_open(path, *a, **k)
        except FileNotFoundError:
            missing.append(path)
            raise

    monkeypatch.setattr(output.os, "open", watched)
    files = {f"{env}/kubernetes/app-{i}.yaml": f"{i}\n" for env in ("dev", "prod") for i in range(20)}
    assert output.write_tree(tmp_path / "out", files, Diagnostics())
    assert missing == []
    assert {rel: (tmp_path / "out" / rel).read_text() for rel in files} == files


def test_a_big_output_does_not_hold_a_descriptor_per_folder(tmp_path):
    """1,000 apps made 1,015 output folders, each held open: EMFILE (SKY902) under the
    usual `ulimit -n` of 1,024 (256 on macOS). Built here under a limit a little above
    what the process has open, with far more folders; then rebuilt with folders gone."""
    import resource

    from skyspec.diagnostics import Diagnostics
    from skyspec.output import write as output

    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = len(os.listdir(fd_dir)) + 48
    files = {f"kustomize/components/app-{i}/{f}": f"{i}{f}\n" for i in range(400) for f in ("k.yaml", "app.yaml")}
    fewer = {rel: text + "2\n" for rel, text in files.items() if not rel.startswith("kustomize/components/app-1")}
    out = tmp_path / "out"
    d1, d2 = Diagnostics(), Diagnostics()
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        first = output.write_tree(out, files, d1)
        second = first and output.write_tree(out, fewer, d2)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert first and second, [x.message for x in d1.items + d2.items]
    assert {str(p.relative_to(out)): p.read_text() for p in out.rglob("*") if p.is_file()
            and p.name != output.MANIFEST} == fewer
    assert not (out / "kustomize/components/app-1").exists()      # emptied folders it made go too


@pytest.mark.parametrize("held", [1, 2, 4096])
def test_the_walk_finds_every_special_file_and_holds_no_descriptor_after(tmp_path, monkeypatch, held):
    """The survey's walk of OUT opens each folder through its parent's descriptor while
    that is held (at most ``held`` at once, else from OUT again): the same special files
    found, none in a folder it cannot read, a symlinked folder not entered, nothing left
    open; with descriptors to spare, each folder opened once (its path walked again from
    OUT was 3,000 opens in a rebuild of 1,000 apps)."""
    from skyspec.output import write as output

    out = tmp_path / "out"
    for i in range(3):
        for j in range(3):
            (out / f"a{i}/b{j}/c").mkdir(parents=True)
            (out / f"a{i}/b{j}/f.yaml").write_text("x\n")
            os.mkfifo(out / f"a{i}/b{j}/c/p{i}{j}")
    os.mkfifo(out / "top")
    (out / "locked").mkdir()
    os.mkfifo(out / "locked/hidden")
    (out / "locked").chmod(0)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.mkfifo(elsewhere / "far")
    (out / "a0/link").symlink_to(elsewhere)
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    before = len(os.listdir(fd_dir))
    tree = output._Tree(os.open(out, os.O_RDONLY | os.O_DIRECTORY))
    tree.held = held
    opened: list = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    try:
        found = sorted(tree.walk())
    finally:
        monkeypatch.undo()
        tree.close()
        (out / "locked").chmod(0o755)
    readable = os.access(out / "locked", os.R_OK) if os.geteuid() else True   # root reads it anyway
    want = sorted([(f"a{i}/b{j}/c/p{i}{j}", "FIFO") for i in range(3) for j in range(3)] + [("top", "FIFO")]
                  + ([("locked/hidden", "FIFO")] if readable else []))
    assert found == want
    assert len(os.listdir(fd_dir)) == before
    if held > 100:
        assert len(opened) == 3 + 9 + 9 + 1, opened   # a*, a*/b*, a*/b*/c, locked
