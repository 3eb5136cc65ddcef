"""The editors' schemas (schemas/skyspec.json, schemas/skyspec-overlay.json) as the real tools
use them: check-jsonschema (the CLI, through the README's route for multi-document files)
accepts every example, README/docs snippet and test project, and rejects the type errors of
the bad-input corpus as the compiler does; the YAML language server, through the schema
association and the modelines the README gives, publishes no diagnostic for the valid files
and one at the right line for the type errors, and knows the templates' parameters."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT
from corpus import layer_cases, spec_cases
from corpus.base import BASE, Case, write_case
from skyspec.schema.validate import KINDS

SCHEMAS = ROOT / "schemas"
SPEC = SCHEMAS / "skyspec.json"
OVERLAY = SCHEMAS / "skyspec-overlay.json"
OVERLAY_KEYS = {"all", "match", "apps", "defaults", "settings"}


# ------------------------------------------------------------------ check-jsonschema
def check_jsonschema(*runs: tuple[Path, list[Path]]) -> list[dict[str, list[str]]]:
    """For each (schema, files), {file: ["$.path: message", ...]} of the files check-jsonschema
    rejects. The runs go in parallel (each pays for reading the schema)."""
    procs = []
    for schema, files in runs:
        assert files
        procs.append(subprocess.Popen([sys.executable, "-m", "check_jsonschema", "-o", "json", "--schemafile",
                                       str(schema), *map(str, files)], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    results = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        out = json.loads(stdout)
        assert not out.get("parse_errors"), out["parse_errors"]
        failed: dict[str, list[str]] = {}
        for e in out.get("errors", []):
            best = e.get("best_deep_match") or e
            failed.setdefault(e["filename"], []).append(f"{best['path']}: {best['message']}")
        assert (p.returncode == 0) == (not failed), stdout + stderr
        results.append(failed)
    return results


def split(files: list[Path], out: Path, root: Path) -> dict[str, Path]:
    """The README's route for multi-document YAML: one JSON file per document, named
    `<path with __>.<index>.json`. TOML and JSON files are checked as they are."""
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    for f in files:
        rel = f.relative_to(root).as_posix()
        if f.suffix == ".toml":
            made[f.name] = f
            continue
        for i, doc in enumerate(yaml.safe_load_all(f.read_text())):
            if doc is None:
                continue
            p = out / f"{rel.replace('/', '__')}.{i}.json"
            p.write_text(json.dumps(doc))
            made[p.name] = p
    return made


def spec_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".toml") and p.is_file()
                  and p.name not in ("skyspec.yaml", "skyspec.toml") and "overlays" not in p.relative_to(root).parts
                  and "templates" not in p.relative_to(root).parts)


def overlay_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("overlays/*.yaml"))


def doc_snippets() -> tuple[list[dict], list[dict]]:
    """(spec documents, overlays) of the README's and docs/'s YAML blocks."""
    specs, overlays = [], []
    for md in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```yaml\n(.*?)```", md.read_text(), flags=re.S):
            for d in yaml.safe_load_all(block):
                if isinstance(d, dict) and d.get("kind") in KINDS and "name" in d:   # (a template has none)
                    specs.append(d)
                elif isinstance(d, dict) and d and set(d) <= OVERLAY_KEYS:
                    overlays.append(d)
    return specs, overlays


def project_schemas(root: Path, out: Path) -> Path:
    """`skyspec schema -o OUT` run in the project at root (knows its templates)."""
    r = subprocess.run([sys.executable, "-m", "skyspec", "schema", "-o", str(out)], cwd=root, capture_output=True,
                       text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "compiler")})
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def example_projects() -> list[Path]:
    """Every example that is a skyspec project (`examples/<name>/skyspec.yaml`)."""
    return sorted(p.parent for p in EXAMPLES.glob("*/skyspec.*") if p.name in ("skyspec.yaml", "skyspec.toml"))


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """The test projects: every example project (the shop among them), the corpus baseline, a
    generated benchmark project and a fresh `skyspec init`, each in a temporary folder."""
    base = tmp_path_factory.mktemp("projects")
    examples = example_projects()
    assert EXAMPLES / "shop" in examples and not {p.name for p in examples} & {"corpus", "bench", "init"}
    for ex in examples:
        shutil.copytree(ex, base / ex.name, ignore=shutil.ignore_patterns("out", ".skyspec-cache"))
    write_case(base / "corpus", Case("baseline", {}, ""))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gen_corpus import generate

    generate(12, base / "bench")
    r = subprocess.run([sys.executable, "-m", "skyspec", "init", str(base / "init")], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "compiler")})
    assert r.returncode == 0, r.stderr
    return {p.name: p for p in (*(base / ex.name for ex in examples), base / "corpus", base / "bench", base / "init")}


@pytest.fixture(scope="module")
def own_schemas(projects, tmp_path_factory) -> Path:
    """The corpus baseline's schemas, written by `skyspec schema` run in it."""
    return project_schemas(projects["corpus"], tmp_path_factory.mktemp("own"))


def test_check_jsonschema_accepts_every_example_snippet_and_test_project(projects, own_schemas, tmp_path):
    specs, overlays = [], []
    for name, root in projects.items():
        specs += split(spec_files(root), tmp_path / "docs" / name, root).values()
        overlays += overlay_files(root)
    snippet_specs, snippet_overlays = doc_snippets()
    assert len(snippet_specs) >= 40 and snippet_overlays
    for i, d in enumerate(snippet_specs):
        specs.append(tmp_path / f"snippet-{i}.json")
        specs[-1].write_text(json.dumps(d))
    for i, d in enumerate(snippet_overlays):
        overlays.append(tmp_path / f"snippet-overlay-{i}.json")
        overlays[-1].write_text(json.dumps(d))
    assert len(specs) >= 60 and len(overlays) >= 10
    own = own_schemas
    corpus = list(split(spec_files(projects["corpus"]), tmp_path / "c", projects["corpus"]).values())
    assert check_jsonschema(
        (SPEC, specs), (OVERLAY, overlays), (SCHEMAS / "project.json", [p / "skyspec.yaml" for p in projects.values()]),
        # the corpus baseline's own schemas know its template `./templates/job.yaml` (param `module`)
        (own / "skyspec.json", corpus)) == [{}, {}, {}, {}]


def _compiler_rejects(case: Case, root: Path) -> bool:
    from click.testing import CliRunner

    from skyspec.cli import main

    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, ["check", *case.args]).exit_code != 0
    finally:
        os.chdir(cwd)


# A TLS Secret's name is well typed; whether the project declares that Secret (and its keys)
# is a reference check across documents, which no per-document schema can make.
REFERENCE_CASES = {"tls-undeclared-secret", "tls-secret-without-cert"}
TYPE_CASES = [c for c in spec_cases.TYPES if c.id not in REFERENCE_CASES] + [
    c for c in layer_cases.OVERLAYS if c.id in ("replace-op-wrong-type", "apps-is-list", "all-unknown-key")]


def test_check_jsonschema_rejects_the_corpus_type_errors_as_the_compiler_does(projects, own_schemas, tmp_path):
    """Each case of the corpus's `types` family (and the overlay cases that are type errors)
    is rejected by the editors' schemas exactly when the compiler rejects it (the TLS
    reference cases aside: see REFERENCE_CASES)."""
    own = own_schemas
    spec: dict[str, str] = {}    # checked file -> case id
    over: dict[str, str] = {}
    for case in TYPE_CASES:
        root = tmp_path / case.id
        write_case(root, case)
        edited = [root / rel for rel in case.edits]
        for p in split([p for p in edited if "overlays" not in p.parts], root / ".split", root).values():
            spec[str(p)] = case.id
        over.update({str(p): case.id for p in edited if "overlays" in p.parts})
    bad: dict[str, list[str]] = {}
    for files, failed in zip((spec, over), check_jsonschema((own / "skyspec.json", [Path(f) for f in spec]),
                                                            (own / "skyspec-overlay.json", [Path(f) for f in over]))):
        for f, errors in failed.items():
            bad.setdefault(files[f], []).extend(errors)
    verdicts = {c.id: (c.id in bad, _compiler_rejects(c, tmp_path / c.id), bad.get(c.id)) for c in TYPE_CASES}
    wrong = {k: v for k, v in verdicts.items() if v[0] != v[1]}
    assert not wrong, wrong
    assert sum(v[0] for v in verdicts.values()) >= 13
    assert any("'eighty' is not of type 'integer'" in m for m in verdicts["port-not-int"][2])
    assert any("'many' is not of type 'integer'" in m for m in verdicts["overlay-replicas-string"][2])


def test_readme_route_for_multi_document_files(projects, tmp_path):
    """The README's shell block for check-jsonschema, run as written in a copy of the shop
    example (whose files hold several documents each) with the schemas beside it."""
    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```sh\n(.*?)```", readme, flags=re.S) if "check-jsonschema" in b)
    root = tmp_path / "shop"
    shutil.copytree(projects["shop"], root)
    shutil.copytree(SCHEMAS, root / "schemas")
    assert any(len(list(yaml.safe_load_all(p.read_text()))) > 1 for p in (root / "apps").glob("*.yaml"))
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test dependency (pip install -e '.[test]')"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{Path(exe).parent}{os.pathsep}"
                                 f"{os.environ['PATH']}"}
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=root, capture_output=True, text=True,
                       timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(list((root / ".schema-check").glob("*.json"))) >= 7
    # and the route catches a type error in a later document of a file
    web = root / "apps" / "web.yaml"
    web.write_text(web.read_text().replace("name: web-config", "name: web-config\ndata: [LOG_LEVEL]"))
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=root, capture_output=True, text=True,
                       timeout=300, env=env)
    assert r.returncode == 1 and "apps__web.yaml.1.json::$.data" in r.stdout, r.stdout + r.stderr


def test_check_jsonschema_alone_refuses_multi_document_files():
    """Why the README gives a route: check-jsonschema 0.39 reads one document per file."""
    r = subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(SPEC),
                        str(EXAMPLES / "shop" / "apps" / "web.yaml")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "expected a single document" in r.stdout + r.stderr



# Documents and whether they are valid: the editors' schema and the compiler agree on each.
PG = "kind: StatefulApp\nname: db\nuse: postgres\ncredentials: pg\n"
APP = "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\n"
AGREEMENT = [
    ("late-bound replicas", APP + 'replicas: "${vars.replicas}"\n', True),
    ("late-bound quantity", APP + 'resources: {cpu: "${vars.cpu}", memory: 128Mi}\n', True),
    ("late-bound in text", APP + 'env: {URL: "https://${self.name}.example.com"}\n', True),
    ("replicas as text", APP + 'replicas: "3"\n', False),
    ("an escaped $${ is text", APP + 'replicas: "$${vars.replicas}"\n', False),
    ("expression for a name", 'kind: App\nname: "${vars.name}"\nimage: x:1\n', False),
    ("template parameters", PG + 'version: "16"\nconfig: {max_connections: 200}\nbackup: {schedule: "0 2 * * *", '
                               'location: "pvc://backups", size: 5Gi, retention: 7}\n', True),
    ("misspelt parameter", PG + 'verison: "16"\n', False),
    ("parameter of the wrong type", PG + "version: 16.4\n", False),
    ("template of another kind", "kind: App\nname: db\nuse: postgres\ncredentials: pg\n", False),
    ("operators over a template", PG + "env-: [PGDATA]\nargs+: [-c, work_mem=8MB]\n"
                                       "resources: {cpu: null, memory!: 1Gi}\n", True),
    ("operators without a template", APP + "env+: {A: b}\n", False),
    ("unknown key under a template", PG + "replica: 2\n", False),
]


def test_editor_schema_and_compiler_agree(tmp_path, cli, monkeypatch):
    files, compiler = [], {}
    for i, (what, doc, _) in enumerate(AGREEMENT):
        root = tmp_path / f"p{i}"
        write_case(root, Case(what, {}, "", base={
            "skyspec.yaml": "project: t\nnamespace: t\nspecs: [apps/*.yaml]\nenvironments:\n"
                            "  dev: {vars: {replicas: 2, cpu: 250m, name: x}}\n",
            "apps/doc.yaml": doc, "apps/pg.yaml": "kind: Secret\nname: pg\nkeys: [password]\n"}))
        monkeypatch.chdir(root)
        r = cli("check")
        compiler[what] = r.exit_code == 0
        files.append(tmp_path / f"doc{i}.json")
        files[-1].write_text(json.dumps(yaml.safe_load(doc)))
    [bad] = check_jsonschema((SPEC, files))
    editor = {what: str(f) not in bad for (what, _, _), f in zip(AGREEMENT, files)}
    expected = {what: ok for what, _, ok in AGREEMENT}
    assert compiler == expected
    assert editor == expected, bad


def test_schema_in_a_project_knows_its_templates(projects, own_schemas, tmp_path):
    """`skyspec schema -o` in the corpus baseline: its template's parameter `module` is typed
    (the committed schema, which cannot know the template, leaves its keys alone); in a
    project that fails to load it writes nothing."""
    spec = json.loads((own_schemas / "skyspec.json").read_text())
    assert "CronJob.use.templates_job.yaml" in spec["$defs"]
    jobs = yaml.safe_load((projects["corpus"] / "apps" / "jobs.yaml").read_text())
    (tmp_path / "good.json").write_text(json.dumps(jobs))
    (tmp_path / "bad.json").write_text(json.dumps({**jobs, "module": 5}))
    (tmp_path / "typo.json").write_text(json.dumps({**jobs, "modul": "x"}))
    own, committed = check_jsonschema((own_schemas / "skyspec.json", [tmp_path / f"{n}.json" for n in
                                                                       ("good", "bad", "typo")]),
                                      (SPEC, [tmp_path / "good.json", tmp_path / "bad.json"]))
    assert set(own) == {str(tmp_path / "bad.json"), str(tmp_path / "typo.json")} and committed == {}
    broken = tmp_path / "broken"
    write_case(broken, Case("broken", {"apps/api.yaml": "kind: App\nname: [\n"}, ""))
    r = subprocess.run([sys.executable, "-m", "skyspec", "schema", "-o", str(tmp_path / "out")], cwd=broken,
                       capture_output=True, text=True, timeout=120, env={**os.environ,
                                                                          "PYTHONPATH": str(ROOT / "compiler")})
    assert r.returncode == 1 and "apps/api.yaml:" in r.stderr and not (tmp_path / "out").exists()


def test_init_names_its_schemas_relatively(projects):
    """`skyspec init` writes its own `schemas/` (the committed schemas: no project templates
    yet) and names them from each file by a relative path, never an absolute one."""
    root = projects["init"]
    for name in sorted(p.name for p in SCHEMAS.glob("*.json")):
        assert (root / "schemas" / name).read_text() == (SCHEMAS / name).read_text(), name
    seen = 0
    for f in root.rglob("*.yaml"):
        text = f.read_text()
        assert "file://" not in text and str(ROOT) not in text
        for target in re.findall(r"^# yaml-language-server: \$schema=(\S+)$", text, flags=re.M):
            assert not target.startswith("/") and (f.parent / target).resolve().is_file(), (f, target)
            seen += 1
    assert seen == 5  # the project file, the app and three overlays

# ------------------------------------------------------------------ the YAML language server
def _readme_association() -> dict:
    """The `yaml.schemas` association of the README's VS Code settings block."""
    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```json\n(.*?)```", readme, flags=re.S) if "yaml.schemas" in b)
    return json.loads(block)["yaml.schemas"]


def _workspace(src: Path, dest: Path, schemas: Path = SCHEMAS) -> Path:
    shutil.copytree(src, dest)
    if not (dest / "schemas").exists():
        shutil.copytree(schemas, dest / "schemas")
    return dest


def _lines(diags: list[dict]) -> list[tuple[int, str]]:
    return [(d["range"]["start"]["line"] + 1, d["message"]) for d in diags]


@pytest.fixture(scope="module")
def yamlls():
    from yamlls import YamlLS, available

    why = available()
    if why == "node is not installed":
        pytest.skip(why)  # a machine without node has no YAML language server to test
    assert why is None, why
    return YamlLS


def test_yaml_language_server_with_the_readme_association(projects, tmp_path, yamlls):
    """Every document of the example and test projects' files validates, in the editor, with
    the README's association; a type error in a later document of a file is reported."""
    assoc = _readme_association()
    for name in [ex.name for ex in example_projects() if (ex / "apps").is_dir()] + ["corpus", "bench"]:
        root = _workspace(projects[name], tmp_path / name)
        with yamlls(root, {"schemas": assoc}) as ls:
            control = root / "apps" / "control.yaml"
            control.write_text("kind: ConfigMap\nname: a\n---\nkind: App\nname: b\nimage: x:1\nreplicas: many\n")
            assert _lines(ls.diagnostics(control)) == [(7, 'Incorrect type. Expected "integer".')]
            files = [p for p in spec_files(root) if p.suffix == ".yaml" and p != control] + overlay_files(root)
            assert len(files) >= 3
            got = ls.diagnostics_all(files)
            assert all(d == [] for d in got.values()), {f: d for f, d in got.items() if d}


def test_yaml_language_server_reports_the_corpus_type_errors(projects, own_schemas, tmp_path, yamlls):
    """The corpus's type errors in YAML files, as the editor shows them: at the compiler's
    line, for every case the compiler rejects (`tls: maybe` is a valid TLS Secret name)."""
    root = _workspace(projects["corpus"], tmp_path / "corpus", own_schemas)
    opened: dict[Path, Case] = {}
    for case in TYPE_CASES:
        case_root = tmp_path / "cases" / case.id
        write_case(case_root, case)
        for rel in case.edits:
            if rel.endswith(".yaml"):  # TOML is not the YAML language server's
                f = (root / rel).with_name(f"{case.id}.yaml")  # beside the file, under the same association
                f.write_text((case_root / rel).read_text())
                opened[f] = case
    with yamlls(root, {"schemas": _readme_association()}) as ls:
        found = ls.diagnostics_all(list(opened))
    seen = 0
    for f, case in opened.items():
        got = _lines(found[f])
        if case.id == "tls-not-bool":
            assert got == [], got
            continue
        where = case.expect.split()[0]
        assert got and where.startswith(f"{f.parent.name}/"), (case.id, got)
        assert int(where.split(":")[1]) in [g[0] for g in got], (case.id, where, got)
        seen += 1
    assert seen >= 12


def test_yaml_language_server_modelines_and_templates(projects, tmp_path, yamlls):
    """`skyspec init`'s relative modelines, one per document as the README says, and the
    stdlib templates' parameters: validated, hovered and completed."""
    root = _workspace(projects["init"], tmp_path / "init")
    readme = (ROOT / "README.md").read_text()
    two = next(b for b in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S) if "yaml-language-server" in b)
    assert two.count("# yaml-language-server: $schema=../schemas/skyspec.json") == 2
    db = (root / "apps" / "db.yaml")
    db.write_text("# yaml-language-server: $schema=../schemas/skyspec.json\nkind: StatefulApp\nname: db\n"
                  "use: postgres\nversion: \"16\"\ncredentials: pg\nreplicas: \"${vars.replicas}\"\n"
                  "backup: {schedule: \"0 2 * * *\", location: \"pvc://backups\"}\n")
    with yamlls(root) as ls:  # no association: the modelines alone
        for f in [root / "skyspec.yaml", root / "apps" / "web.yaml", db, *overlay_files(root)]:
            assert ls.diagnostics(f) == [], f
        web = root / "apps" / "two.yaml"
        web.write_text(two)
        assert ls.diagnostics(web) == []
        got = _lines(ls.diagnostics(web, two.replace("data: {LOG_LEVEL: info}", "data: [LOG_LEVEL]")))
        assert [g[0] for g in got] == [9] and got[0][1].startswith("Incorrect type. Expected"), got
        got = _lines(ls.diagnostics(db, db.read_text().replace("version:", "verison:")))
        assert got == [(5, "Property verison is not allowed.")], got
        got = _lines(ls.diagnostics(db, db.read_text().replace("kind: StatefulApp", "kind: App")))
        assert got and got[0][0] == 4, got  # postgres serves StatefulApps
        assert _lines(ls.diagnostics(db, db.read_text().replace('"${vars.replicas}"', '"3"'))) \
            == [(7, 'Incorrect type. Expected "integer".')]
        ls.diagnostics(db, db.read_text())
        hover = ls.hover(db, 4, 1)["contents"]["value"]
        assert "The image tag" in hover, hover
        ls.diagnostics(db, db.read_text() + "\n")
        labels = {i["label"] for i in ls.completion(db, 9, 0)["items"]}
        assert {"config", "database", "user", "storage", "image"} <= labels, labels
        assert "credentials" not in labels and "schedule" not in labels  # set already; a CronJob's
    assert "file://" not in "".join(p.read_text() for p in root.rglob("*.yaml"))
