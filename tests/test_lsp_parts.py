"""The language server's parts without a client (no pygls needed): the in-memory override
hook of the pipeline, the cursor's YAML path, schema completion, hover, definitions and
references, called as the server calls them."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, write_tree
from skyspec.lsp import complete, hover, locate, navigate
from skyspec.lsp.state import Workspace, real
from skyspec.lsp.yamlpath import cursor_at
from skyspec.pipeline import Session

PROJECT = {
    "skyspec.yaml": """
        project: demo
        specs: ["apps/*"]
        environments:
          dev: {}
          prod: {overlays: [overlays/prod.yaml], protected: false}
    """,
    "apps/api.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0
        port: 8080
        health: /healthz
        connect_to: [db]
        volumes:
          conf: {config: api-config, mount: /etc/api}
        env_from:
          - secret: api-keys
        configs:
          MODE: {config: api-config, key: mode}
    """,
    "apps/db.yaml": """
        kind: StatefulApp
        name: db
        use: postgres
        credentials: db-pass
        version: "16"
    """,
    "apps/more.yaml": """
        kind: Secret
        name: db-pass
        keys: [password]
        ---
        kind: Secret
        name: api-keys
        data: {token: hunter2-not-for-eyes}
        ---
        kind: ConfigMap
        name: api-config
        data: {mode: fast}
    """,
    "overlays/prod.yaml": """
        apps:
          db:
            version: "17"
          api:
            replicas: 3
    """,
}


@pytest.fixture
def proj(tmp_path: Path, monkeypatch) -> Path:
    root = write_tree(tmp_path / "p", PROJECT)
    monkeypatch.chdir(root)
    return root


def at(text: str) -> tuple[str, int, int]:
    """``text`` without its `@`, and the line and column where it was."""
    i = text.index("@")
    before = text[:i]
    return text[:i] + text[i + 1:], before.count("\n"), len(before) - before.rfind("\n") - 1


# ---------------------------------------------------------------------------- the override hook

def test_session_compiles_an_override_in_place_of_the_file_and_nothing_else_changes(proj: Path):
    plain = Session(proj / "skyspec.yaml")
    plain.compile_all()
    assert not plain.diags.has_errors
    on_disk = (proj / "apps/api.yaml").read_text()
    edited = on_disk.replace("port: 8080", "port: eighty")
    s = Session(proj / "skyspec.yaml", overrides={proj / "apps/api.yaml": edited})
    s.compile_all()
    assert [(d.code, d.pos.file, d.pos.line, d.pos.col) for d in s.diags.errors] == [("SKY104", "apps/api.yaml", 4, 7)]
    assert s.sources.line("apps/api.yaml", 4) == "port: eighty"   # code frames show the edited text
    assert (proj / "apps/api.yaml").read_text() == on_disk
    # a path the project does not read changes nothing
    s = Session(proj / "skyspec.yaml", overrides={proj.parent / "elsewhere.yaml": "kind: App\n"})
    s.compile_all()
    assert not s.diags.has_errors


def test_an_override_of_the_overlay_is_checked(proj: Path):
    s = Session(proj / "skyspec.yaml", overrides={str(proj / "overlays/prod.yaml"): "apps:\n  api:\n    replicas: -1\n"})
    s.compile_all()
    assert [(d.code, d.pos.file, d.pos.line) for d in s.diags.errors] == [("SKY106", "overlays/prod.yaml", 3)]


# ---------------------------------------------------------------------------- the cursor's path

@pytest.mark.parametrize("text, path, mode, key, prefix", [
    ("kind: App\nrep@", (), "key", None, "rep"),
    ("kind: App\nexpose:\n  ty@", ("expose",), "key", None, "ty"),
    ("kind: App\nexpose:\n  type: Lo@", ("expose",), "value", "type", "Lo"),
    ("kind: App\nexpose: {type: @", ("expose",), "value", "type", ""),
    ("kind: App\nexpose: {tls: true, @", ("expose",), "key", None, ""),
    ("kind: App\nsidecars:\n  log:\n    env:\n      A: b\n    # note\n\n    re@", ("sidecars", "log"), "key", None, "re"),
    ("kind: App\ncontainers:\n- name: a\n  image: b\n  @", ("containers", 0), "key", None, ""),
    ("kind: App\nenv_from:\n  - config: x\n    @", ("env_from", 0), "key", None, ""),
    ("kind: App\nenv_from:\n  - config: x\n  - sec@", ("env_from",), "item", None, "sec"),
    ("kind: App\nconnect_to:\n  - a\n  - @", ("connect_to",), "item", None, ""),
    ("kind: App\nenv_from: [{con@", ("env_from", 0), "key", None, "con"),
    ("kind: App\nenv_from:\n  - {secret: @", ("env_from", 0), "value", "secret", ""),
    ("a: 1\n---\nkind: App\nx:\n  y:\n    z: 1\n  w:\n    @", ("x", "w"), "key", None, ""),
    ("kind: App\nhealth: |\n  text\n@", (), "key", None, ""),
    ("kind: App\nstrategy:\n  rolling:\n    max_surge: 1\n  @", ("strategy",), "key", None, ""),
    ("kind: App\nlabels:\n  \"app.kubernetes.io/x\":\n    @", ("labels", "app.kubernetes.io/x"), "key", None, ""),
])
def test_cursor_path(text, path, mode, key, prefix):
    body, line, col = at(text)
    cur = cursor_at(body, line, col)
    assert (cur.path, cur.mode, cur.key, cur.prefix) == (path, mode, key, prefix)


def test_no_cursor_in_a_comment():
    body, line, col = at("kind: App\nname: x  # a @comment")
    assert cursor_at(body, line, col) is None


# ---------------------------------------------------------------------------- features

def _open(proj: Path, rel: str, text: str | None = None):
    ws = Workspace()
    path = real(proj / rel)
    ws.set_text(path, "file://" + path, text if text is not None else (proj / rel).read_text())
    comp = ws.for_file(path)
    role = "overlay" if comp.is_overlay(path) else "project" if rel == "skyspec.yaml" else "spec"
    return ws, path, comp, role


def _complete(proj: Path, rel: str, text: str) -> list[str]:
    body, line, col = at(text)
    _, _, comp, role = _open(proj, rel, body)
    return [i.label for i in complete.complete(body, line, col, role, comp)[1]]


def test_completion_knows_template_parameters_and_the_patched_spec_in_overlays(proj: Path):
    db = (proj / "apps/db.yaml").read_text()
    labels = _complete(proj, "apps/db.yaml", db + "ver@")
    assert {"version", "credentials", "backup", "storage"} <= set(labels)
    assert "credentials" not in _complete(proj, "apps/api.yaml", (proj / "apps/api.yaml").read_text() + "cre@")
    # an overlay's apps.<name> patch: the named spec's kind and template
    ov = "apps:\n  db:\n    @\n"
    assert {"version", "storage", "replicas"} <= set(_complete(proj, "overlays/prod.yaml", ov))
    assert set(_complete(proj, "overlays/prod.yaml", "@")) == {"defaults", "settings", "all", "match", "apps"}
    assert "ClusterIP" in _complete(proj, "overlays/prod.yaml", "all:\n  expose: {type: @}\n")
    # values naming specs and templates
    assert "postgres" in _complete(proj, "apps/api.yaml", "kind: App\nuse: @\n")
    assert set(_complete(proj, "apps/api.yaml", "kind: App\nvolumes:\n  x: {config: @}\n")) == {"api-config"}
    assert set(_complete(proj, "apps/api.yaml", "kind: App\nsecrets:\n  A: {secret: @}\n")) == {"db-pass", "api-keys"}
    assert "App" in _complete(proj, "apps/api.yaml", "kind: @\n")
    # a `downward:` variable's field: what Kubernetes gives an environment variable
    got = set(_complete(proj, "apps/api.yaml", "kind: App\ndownward:\n  POD_IP: @\n"))
    assert {"status.podIP", "metadata.name", "limits.memory"} <= got and "metadata.labels" not in got
    assert "spec.nodeName" in _complete(proj, "apps/api.yaml", "kind: App\nsidecars:\n  p:\n    downward: {X: @}\n")
    assert "kind" in _complete(proj, "apps/api.yaml", "@\n")


def _hit(proj: Path, rel: str, needle: str, offset: int = 0):
    ws, path, comp, role = _open(proj, rel)
    text = (proj / rel).read_text()
    before = text[:text.index(needle) + offset]
    h = locate.hit(ws.parsed(path, comp), before.count("\n"), len(before) - before.rfind("\n") - 1)
    return comp, h, role


def test_hover_shows_the_template_parameter_through_the_layers_and_never_a_secret(proj: Path):
    comp, h, role = _hit(proj, "apps/db.yaml", "version", 1)
    md = hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None))
    assert "| dev | `\"16\"` | spec `apps/db.yaml:5` |" in md
    assert "| prod | `\"17\"` | overlay:overlays/prod.yaml `overlays/prod.yaml:3` |" in md
    assert "1. template:postgres `" in md  # the template's default, beneath the spec
    comp, h, role = _hit(proj, "apps/more.yaml", "hunter2")
    md = hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None))
    assert "hunter2" not in md and "<redacted>" in md


def test_hover_on_a_document_still_being_typed_answers_nothing(proj: Path):
    # a spec file whose document is not a map yet (a bare word, a list): the server calls
    # hover for any file of the project's specs; it raised AttributeError on `.get` (found by
    # the editor fuzz property), which the server logged as an internal error at every hover
    for body in ("kin@d\n", "- kind@\n", "kind: App\nname: x\n---\nimag@e\n"):
        text, line, col = at(body)
        ws, path, comp, role = _open(proj, "apps/api.yaml", text)
        h = locate.hit(ws.parsed(path, comp), line, col)
        assert role == "spec" and h is not None and not isinstance(h.doc.data, dict)
        assert hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None)) is None
        assert navigate.definition(comp, h, role) == [] and navigate.references(comp, h, role, True) == []


def test_definitions_of_references(proj: Path):
    def define(rel, needle, offset=0):
        comp, h, role = _hit(proj, rel, needle, offset)
        return [(Path(s.file).relative_to(proj.resolve()).as_posix() if s.file.startswith(str(proj.resolve()))
                 else Path(s.file).name, s.line, s.start) for s in navigate.definition(comp, h, role)]

    assert define("apps/api.yaml", "[db]", 1) == [("apps/db.yaml", 1, 6)]
    assert define("apps/api.yaml", "api-config") == [("apps/more.yaml", 9, 6)]
    assert define("apps/api.yaml", "MODE: {config: api-config", 15) == [("apps/more.yaml", 9, 6)]   # `configs:`
    assert define("apps/api.yaml", "api-keys") == [("apps/more.yaml", 5, 6)]
    assert define("apps/db.yaml", "db-pass") == [("apps/more.yaml", 1, 6)]
    assert define("apps/db.yaml", "postgres") == [("postgres.yaml", 0, 0)]
    assert define("overlays/prod.yaml", "db:") == [("apps/db.yaml", 1, 6)]
    assert define("skyspec.yaml", "overlays/prod.yaml") == [("overlays/prod.yaml", 0, 0)]
    assert define("apps/api.yaml", "image") == []


def test_references_of_a_secret(proj: Path):
    comp, h, role = _hit(proj, "apps/more.yaml", "db-pass")
    found = sorted((Path(s.file).name, s.line) for s in navigate.references(comp, h, role, True))
    assert found == [("db.yaml", 3), ("more.yaml", 1)]


def test_the_server_module_is_the_only_one_importing_pygls():
    import ast

    users = set()
    for p in (ROOT / "compiler" / "skyspec" / "lsp").glob("*.py"):
        for node in ast.walk(ast.parse(p.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] in ("pygls", "lsprotocol") for n in names):
                users.add(p.name)
    assert users == {"server.py"}


def test_lsp_without_pygls_says_how_to_install_it(cli, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pygls", None)  # `import pygls` raises ImportError
    r = cli("lsp")
    assert r.exit_code == 1
    assert "pip install 'skyspec[lsp]'" in r.stderr


TARGETED = {
    "skyspec.yaml": """
        project: demo
        specs: ["apps/*"]
        environments:
          dev: {}
          prod: {overlays: [overlays/prod.yaml], protected: false}
        targets:
          eu-west:
            environments: [prod]
            select: {kinds: [App]}
            overlays: [overlays/eu-west.yaml]
    """,
    "apps/api.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0
        port: 8080
        replicas: 2
    """,
    "apps/job.yaml": """
        kind: CronJob
        name: report
        image: ghcr.io/acme/report:1.0
        schedule: "0 3 * * *"
    """,
    "overlays/prod.yaml": "apps:\n  api: {replicas: 3}\n",
    "overlays/eu-west.yaml": "apps:\n  api:\n    replicas: 4\n",
}


def test_hover_shows_each_target_and_the_target_overlay_line(tmp_path: Path, monkeypatch):
    """A target is a unit of its own (`prod.eu-west`): its overlay's value, from that line,
    and a workload it does not select marked so, from the spec and from the overlay."""
    root = write_tree(tmp_path / "t", TARGETED)
    monkeypatch.chdir(root)
    comp, h, role = _hit(root, "apps/api.yaml", "replicas")
    md = hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None))
    # the first table (the derived fields' table follows it)
    rows = [ln for ln in md.split("*Derived from it*")[0].splitlines() if ln.startswith("| ") and "environment" not in ln]
    assert len(rows) == 3 and rows[0].startswith("| dev | `1` | profile:dev `"), md  # skyspec's dev profile
    assert rows[1:] == ["| prod | `3` | overlay:overlays/prod.yaml `overlays/prod.yaml:2` |",
                        "| prod.eu-west | `4` | target:overlays/eu-west.yaml `overlays/eu-west.yaml:3` |"], md
    assert "*prod.eu-west*:" in md  # its chain: the spec, the profile, prod's overlay, the target's
    comp, h, role = _hit(root, "overlays/eu-west.yaml", "4")
    assert role == "overlay" and "| prod.eu-west | `4` |" in hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None))
    comp, h, role = _hit(root, "apps/job.yaml", "schedule")
    md = hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None))
    assert "| prod | `\"0 3 * * *\"` | spec `apps/job.yaml:4` |" in md
    assert "| prod.eu-west | *not in this target* |  |" in md


def test_unchanged_files_come_from_the_projects_cache_when_it_has_one(proj: Path, monkeypatch, tmp_path, cli):
    """Diagnostics as you type, incremental: with a `.skyspec-cache/` (made by `check`), each
    compilation reads the files not open from it; the unsaved text is parsed, never stored.
    Without one, the server makes none."""
    from skyspec.frontend import doccache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SKYSPEC_CACHE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    edited = (proj / "apps/api.yaml").read_text().replace("port: 8080", "port: eighty")
    _, _, comp, _ = _open(proj, "apps/api.yaml", edited)
    assert [d.code for d in comp.diagnostics if d.severity == "error"] == ["SKY104"]
    assert not (proj / ".skyspec-cache").exists()
    assert cli("check").exit_code == 0 and (proj / ".skyspec-cache").is_dir()
    entries = set((proj / ".skyspec-cache" / "docs").iterdir())
    before = dict(doccache.STATS)
    _, _, comp, _ = _open(proj, "apps/api.yaml", edited)
    assert [d.code for d in comp.diagnostics if d.severity == "error"] == ["SKY104"]
    assert comp.session.sources.line("apps/api.yaml", 4) == "port: eighty"
    spec_files = len(list((proj / "apps").iterdir()))
    assert doccache.STATS["hit"] - before["hit"] >= spec_files - 1 + 2  # the other specs, the project, an overlay
    assert set((proj / ".skyspec-cache" / "docs").iterdir()) == entries  # the unsaved text is not kept


def test_a_project_template_is_defined_completed_and_hovered(tmp_path: Path, monkeypatch):
    """`use: ./templates/svc.yaml`: definition opens the project's file; its parameter
    completes and hovers like a field."""
    root = write_tree(tmp_path / "tpl", {
        "skyspec.yaml": 'project: demo\nspecs: ["apps/*"]\nenvironments:\n  dev: {}\n',
        "templates/svc.yaml": "kind: App\nparams:\n  module: {type: string}\nspec:\n  image: ghcr.io/acme/py:1.0.0\n"
                              "  command: [python, -m, \"${self.module}\"]\n  port: 8080\n",
        "apps/api.yaml": "kind: App\nname: api\nuse: ./templates/svc.yaml\nmodule: api.main\n",
    })
    monkeypatch.chdir(root)
    comp, h, role = _hit(root, "apps/api.yaml", "./templates")
    assert [(s.file, s.line) for s in navigate.definition(comp, h, role)] == [(real(root / "templates/svc.yaml"), 0)]
    assert "module" in _complete(root, "apps/api.yaml", (root / "apps/api.yaml").read_text() + "mod@")
    assert "module" not in _complete(root, "apps/api.yaml", "kind: App\nname: web\nmod@")
    comp, h, role = _hit(root, "apps/api.yaml", "api.main")
    assert '| dev | `"api.main"` | spec `apps/api.yaml:4` |' in hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None))


def test_hover_in_an_overlays_sections_and_on_appended_items(tmp_path: Path, monkeypatch):
    """`all:` and `match[].patch` entries: the specs they wrote, per unit, with the final value
    and its setter (a later layer may win); an item of `args+` stands for the merged list (its
    index in the patch is not its index there); a Secret's key names show as `explain` shows
    them, its data never."""
    files = dict(TARGETED)
    files["apps/api.yaml"] = "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0\nport: 8080\nreplicas: 2\n" \
                             "args: [--port, \"8080\"]\n"
    files["apps/sec.yaml"] = "kind: Secret\nname: creds\nkeys: [token]\n"
    files["overlays/prod.yaml"] = ("all:\n  labels: {team: core}\nmatch:\n  - where: {kind: App}\n"
                                   "    patch: {env: {MODE: fast}}\napps:\n  api:\n    replicas: 3\n"
                                   "    args+: [--workers, \"8\"]\n  creds:\n    keys: null\n    data: {token: hunter2-hover-secret}\n")
    files["overlays/eu-west.yaml"] = "apps:\n  api:\n    env: {MODE: slow}\n"
    root = write_tree(tmp_path / "s", files)
    monkeypatch.chdir(root)

    def md(needle: str, offset: int = 0) -> str:
        comp, h, role = _hit(root, "overlays/prod.yaml", needle, offset)
        return hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None)) or ""

    got = md("team", 1)
    assert got.startswith("**all: labels.team**")
    rows = [ln for ln in got.splitlines() if ln.startswith("| ") and "spec |" not in ln]
    assert rows == ["| api | prod | `\"core\"` | overlay:overlays/prod.yaml `overlays/prod.yaml:2` |",
                    "| report | prod | `\"core\"` | overlay:overlays/prod.yaml `overlays/prod.yaml:2` |",
                    "| api | prod.eu-west | `\"core\"` | overlay:overlays/prod.yaml `overlays/prod.yaml:2` |"], got
    got = md("MODE")
    assert got.startswith("**match[0]: env.MODE**")
    assert "| api | prod | `\"fast\"` | overlay:overlays/prod.yaml `overlays/prod.yaml:5` |" in got
    # the target's overlay wins over the match in prod.eu-west, and says so
    assert "| api | prod.eu-west | `\"slow\"` | target:overlays/eu-west.yaml `overlays/eu-west.yaml:3` |" in got
    assert "report" not in got  # a CronJob: not selected by `kind: App`
    got = md("--workers", 2)
    assert got.startswith("**api.args**")
    assert '| prod | `["--port", "8080", "--workers", "8"]` |' in got and '| dev | `["--port", "8080"]` |' in got
    comp, h, role = _hit(root, "apps/sec.yaml", "keys")
    got = hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None))
    assert '| dev | `["token"]` | spec `apps/sec.yaml:3` |' in got
    assert "| prod | *deleted* | overlay:overlays/prod.yaml `overlays/prod.yaml:11` |" in got
    # an item of that list goes with it: deleted by the same line, not "set by spec"
    comp, h, role = _hit(root, "apps/sec.yaml", "token")
    got = hover.hover(comp, h, role, lambda f, n: (f"{f}:{n}", None))
    assert '| dev | `"token"` | spec `apps/sec.yaml:3` |' in got
    assert "| prod | *deleted* | overlay:overlays/prod.yaml `overlays/prod.yaml:11` |" in got, got
    got = md("hunter2")
    assert "hunter2" not in got and "<redacted>" in got
    assert md("where") == ""  # a selector is not a value of any spec


def test_the_readmes_editor_setups_start_this_server_for_project_files():
    """The README's VS Code and Neovim setups run `skyspec lsp` for YAML and TOML, with the
    project files as root markers (as the server finds a file's project)."""
    import json
    import re

    from skyspec.cli import main
    from skyspec.project import PROJECT_FILES

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Editors: the language server"):]
    section = section[:section.index("\n## ", 1)]
    vscode = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == ["skyspec", "lsp"]
    assert vscode["glspc.server.languageId"] == ["yaml", "toml"]
    lua = re.findall(r"```lua\n(.*?)```", section, re.S)
    assert len(lua) == 2 and all('{ "skyspec", "lsp" }' in b and '{ "yaml", "toml" }' in b for b in lua)
    for block in lua:
        markers = re.search(r'(?:root_markers = |vim\.fs\.root\(args\.buf, )\{([^}]*)\}', block).group(1)
        assert tuple(re.findall(r'"([^"]+)"', markers)) == PROJECT_FILES
    import click

    assert main.get_command(click.Context(main), "lsp") is not None


def test_the_word_at_the_cursor_is_found_in_linear_time():
    """Fuzz seed 124, case 222: a completion request on a line of a long run of word characters
    followed by another character hung the server (`[A-Za-z0-9_./-]*$` searched from each start
    is quadratic). The word before the cursor is now scanned back from it."""
    from skyspec.lsp.yamlpath import cursor_at, trailing_word

    assert trailing_word("image: ghcr.io/acme/api") == "ghcr.io/acme/api"
    assert trailing_word("key: ") == "" and trailing_word("") == "" and trailing_word("{a: b-c_1") == "b-c_1"
    line = "env: {" + "a" * 100_000 + ": b, "   # (the run ends in `:`: each start scanned it to there)
    cur = cursor_at("kind: App\n" + line + "\n", 1, len(line))
    assert (cur.mode, cur.path, cur.prefix) == ("key", ("env",), "")
