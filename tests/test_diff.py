"""`skyspec diff`: against a git revision (a temporary worktree, removed afterwards), targets
as environments, the generated objects with the spec line of each change, and Markdown."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def git(cwd, *args):
    r = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """The shop in a git repository: a first commit, then web at 3 replicas (line 5 of
    apps/web.yaml; prod's overlay sets 4), its API_URL changed (line 8) and a new App `extra`."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "shop", root / "shop", ignore=shutil.ignore_patterns("out"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    web = root / "shop/apps/web.yaml"
    lines = web.read_text().splitlines(keepends=True)
    assert lines[4] == "replicas: 2\n"
    lines[4] = "replicas: 3\n"
    assert lines[7] == "  API_URL: http://api:8080\n"
    lines[7] = "  API_URL: http://api:9090\n"
    web.write_text("".join(lines))
    (root / "shop/apps/extra.yaml").write_text("kind: App\nname: extra\nimage: ghcr.io/acme/extra:1.0.0\n"
                                                "port: 8080\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "more web")
    monkeypatch.chdir(root)
    return root


def worktrees(root) -> int:
    return git(root, "worktree", "list", "--porcelain").count("worktree ")


def test_against_head_1_objects_lists_the_changed_field_and_its_spec_line(repo, cli):
    r = cli("diff", "shop", "--against", "HEAD~1", "--objects", "--env", "qa")
    assert r.exit_code == 1, r.output
    out = r.stdout.splitlines()
    i = out.index("~ Deployment/web (namespace shop)")
    assert out[i + 1:i + 4] == ["  spec.replicas:", "      HEAD~1: 2",
                                "         now: 3   <- shop/apps/web.yaml:5:11 (spec)"]
    assert any(ln.startswith("+ Deployment/extra (namespace shop)   <- shop/apps/extra.yaml:1:1") for ln in out)
    # a generated object names the spec it protects and the rule that made it
    assert "+ NetworkPolicy/extra-ingress (namespace shop)   <- shop/apps/extra.yaml:1:1 via network.policy" in out
    assert "== qa: HEAD~1 -> working tree" in out and not any(ln.startswith("== prod") for ln in out)
    assert worktrees(repo) == 1


def test_against_json_and_a_target(repo, cli):
    r = cli("diff", "shop", "--against", "HEAD~1", "--objects", "--env", "prod.eu-west", "-f", "json")
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)
    assert doc["against"] == "HEAD~1" and list(doc["units"]) == ["prod.eu-west"]
    rows = doc["units"]["prod.eu-west"]
    assert {"object": "Deployment/web (namespace shop)", "change": "changed",
            "path": "spec.template.spec.containers[0].env[0].value", "a": "http://api:8080",
            "b": "http://api:9090", "from": "shop/apps/web.yaml:8:12 (spec)"} in rows
    assert not any(r.get("path") == "spec.replicas" for r in rows)  # the overlay's 4 both times
    assert worktrees(repo) == 1


def test_against_spec_values_markdown(repo, cli):
    r = cli("diff", "shop", "--against", "HEAD~1", "--env", "dev", "-f", "markdown")
    assert r.exit_code == 1, r.output
    md = r.stdout
    assert md.startswith("### skyspec diff: ")
    assert "| App/web | `env.API_URL` | `\"http://api:8080\"` | `\"http://api:9090\"` | shop/apps/web.yaml:8:12 (spec) |" in md
    assert "| App/extra | `image` | *unset* | `\"ghcr.io/acme/extra:1.0.0\"` |" in md


def test_objects_markdown_for_a_pr_comment(repo, cli):
    md = cli("diff", "shop", "--against", "HEAD~1", "--objects", "--env", "qa", "-f", "markdown").stdout
    assert "| ~ | Deployment/web (namespace shop) | `spec.replicas` | `2` | `3` | shop/apps/web.yaml:5:11 (spec) |" in md
    assert "| + | **Deployment/extra (namespace shop)** | *added* | | | shop/apps/extra.yaml:1:1 |" in md


def test_same_revision_exits_0(repo, cli):
    r = cli("diff", "shop", "--against", "HEAD", "--objects")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "skyspec: 0 changes between HEAD and now in dev, qa, prod, prod.eu-west"


def test_a_target_is_an_environment_for_two_sided_diff(cli):
    r = cli("diff", str(EXAMPLES / "shop"), "--env", "prod", "--env", "prod.eu-west", "--objects")
    assert r.exit_code == 1, r.output
    assert '    prod.eu-west: "eu-west"   <- ' in r.stdout
    assert "overlays/eu-west.yaml:2:20 (target:overlays/eu-west.yaml)" in r.stdout


@pytest.mark.parametrize("args", [["--env", "prod", "--env", "prod.nope"], ["--env", "nope", "--env", "prod"],
                                  ["--env", "prod"], ["--against", "no-such-rev"]])
def test_usage_errors_exit_2(repo, cli, args):
    r = cli("diff", "shop", *args)
    assert r.exit_code == 2, r.output
    assert worktrees(repo) == 1


def test_spec_values_of_invalid_specs_are_refused(make_project, cli):
    """Without --objects too: a side with errors is reported (as `check` reports it) and the
    diff exits 2, never a list of differences between broken specs."""
    make_project({"apps/api.yaml": "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\nreplicas: x\n"})
    r = cli("diff", "--env", "dev", "--env", "prod")
    assert r.exit_code == 2, r.output
    assert "apps/api.yaml:4:11: error[SKY104]" in r.stderr and r.stdout == ""


@pytest.fixture
def removed(repo):
    """The repository with a third commit removing the CronJob nightly-report (apps/jobs.yaml)."""
    git(repo, "rm", "-q", "shop/apps/jobs.yaml")
    git(repo, "commit", "-q", "-m", "no report")
    return repo


def test_the_old_sides_lines_are_named_as_the_working_trees_files_at_rev(removed, cli):
    """What only the revision has is traced to its file and line as of REV: named like the
    working tree's files, never by the temporary worktree (gone when the output is read)."""
    text = cli("diff", "shop", "--against", "HEAD~1", "--objects", "--env", "qa").stdout
    assert "- CronJob/nightly-report (namespace shop)   <- shop/apps/jobs.yaml:1:1 at HEAD~1" in text.splitlines()
    specs = cli("diff", "shop", "--against", "HEAD~1", "--env", "qa").stdout
    assert '    HEAD~1: "0 3 * * *"   <- shop/apps/jobs.yaml:5:11 (spec) at HEAD~1' in specs.splitlines()
    md = cli("diff", "shop", "--against", "HEAD~1", "--env", "qa", "-f", "markdown").stdout
    assert "| CronJob/nightly-report | `schedule` | `\"0 3 * * *\"` | *unset* | shop/apps/jobs.yaml:5:11 (spec) at HEAD~1 |" in md
    js = cli("diff", "shop", "--against", "HEAD~1", "--env", "qa", "-f", "json").stdout
    for out in (text, specs, md, js):
        # the temporary worktree's name (the checkout itself may sit anywhere, /tmp included)
        assert "skyspec-rev-" not in out
    assert worktrees(removed) == 1


def test_a_revision_that_does_not_compile_is_reported_at_the_working_trees_names(repo, cli):
    web = repo / "shop/apps/web.yaml"
    good = web.read_text()
    web.write_text(good.replace("replicas: 3", "replicas: x"))
    git(repo, "commit", "-q", "-am", "broken")
    web.write_text(good)
    git(repo, "commit", "-q", "-am", "fixed")
    for args, code in ((["diff", "shop", "--against", "HEAD~1"], 2), (["cost", "shop", "--against", "HEAD~1"], 1)):
        r = cli(*args)
        assert r.exit_code == code, r.output
        assert "skyspec: the project as of HEAD~1 does not compile:" in r.stderr
        assert 'shop/apps/web.yaml:5:11: error[SKY104]: replicas must be an integer, got "x"' in r.stderr.splitlines()
        assert "skyspec-rev-" not in r.stderr
    assert worktrees(repo) == 1
