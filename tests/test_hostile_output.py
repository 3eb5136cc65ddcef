"""Specs from a pull request, built by a CI job holding credentials (issue #11): whatever the
specs say, the build writes only inside its output folder, and only what it generated."""

import os

APP = "kind: App\nname: api\nimage: x/api:1\nport: 80\n"
ESCAPE = """\
kind: Resource
name: pwn
manifest:
  apiVersion: v1
  kind: ../../../.github/workflows/ci
"""


def everything(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, ds, fs in os.walk(folder) for f in ds + fs)


def test_a_kind_made_of_dot_dots_cannot_write_into_the_ci_workflows(make_project, cli, tmp_path):
    root = make_project({"apps/api.yaml": APP, "apps/pwn.yaml": ESCAPE})
    before = everything(tmp_path)
    r = cli("check")
    assert r.exit_code == 1 and "apps/pwn.yaml:5:9: error[SKY107]" in r.stderr, r.stderr
    r = cli("build", "-o", "out")
    assert r.exit_code == 1 and "apps/pwn.yaml:5:9: error[SKY107]" in r.stderr, r.stderr
    assert everything(tmp_path) == before
    assert not (root / ".github").exists()


def test_a_path_leaving_the_output_folder_is_refused_at_the_spec_it_was_named_after(make_project, cli, tmp_path,
                                                                                     monkeypatch):
    """Whatever a backend does (a bug, a backend yet to come), the writer is the one place
    that holds every path inside OUT, and it points at the spec the path was named after."""
    from skyspec.backends import kubernetes

    real_files = kubernetes.files
    monkeypatch.setattr(kubernetes, "files", lambda ir: {
        (f"../../../escape.{name}" if name == "api.yaml" else name): objs for name, objs in real_files(ir).items()})
    root = make_project({"apps/api.yaml": APP})
    before = everything(tmp_path)
    r = cli("build", "-o", "out")
    assert r.exit_code == 1 and "apps/api.yaml:2:7: error[SKY903]" in r.stderr, r.stderr
    assert "refusing to write output path \"dev/kubernetes/../../../escape.api.yaml\"" in r.stderr
    assert everything(tmp_path) == before and not (root / "out").exists()


def test_a_rendered_path_of_a_resource_points_at_its_kind(make_project):
    from pathlib import Path

    from skyspec.pipeline import Session, render

    root = make_project({"apps/r.yaml": "kind: Resource\nname: q\nmanifest: {apiVersion: v1, kind: ResourceQuota}\n"})
    s = Session.find(Path(root))
    files = render(s.compile_all(["dev"]), ["kubernetes"])
    pos = files.where("dev/kubernetes/../resourcequota.q.yaml")
    assert (pos.file, pos.line, pos.col) == ("apps/r.yaml", 3, 34)
    assert files.where("nothing/of/ours") is None
