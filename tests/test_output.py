"""Output safety: atomic swap, nothing written on failure, foreign files never deleted."""

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
