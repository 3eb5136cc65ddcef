"""The component registry (`skyspec/components/`): one module per stdlib component, found by
name.

The registry holds exactly the package's component modules, each under its own name, which
is its template's (`stdlib/<name>.yaml`); nothing shared names a component; and a module
dropped into the package is a component, end to end, with no edit anywhere else.
"""

from __future__ import annotations

import ast
import pkgutil
import shutil
import sys
from pathlib import Path

import yaml

import skyspec.components as components
from conftest import ROOT
from skyspec.components import COMPONENTS

STDLIB = ROOT / "stdlib"
PACKAGE = Path(components.__file__).parent


def _modules() -> list[str]:
    return sorted(i.name for i in pkgutil.iter_modules(components.__path__) if not i.name.startswith("_"))


def test_the_registry_is_the_component_modules_by_name():
    assert sorted(COMPONENTS) == _modules()
    for name, comp in COMPONENTS.items():
        module = sys.modules[f"skyspec.components.{name}"]
        assert comp.name == name
        assert comp.expand is module.expand
        assert (STDLIB / f"{name}.yaml").is_file(), f"{name}: a component module without its template"
        doc = module.__doc__ or ""
        assert doc.startswith(f"{name}: "), f"{name}: the docstring says what the component lowers to"
        assert f"stdlib/{name}.yaml" in doc


def test_every_stdlib_template_has_its_module():
    # Today every stdlib template has lowering logic; a template that is pure data (no
    # module) would be a plain template, which `component_of` leaves alone.
    assert sorted(p.stem for p in STDLIB.glob("*.yaml")) == sorted(COMPONENTS)


def test_no_shared_module_names_a_component():
    """No central list: the registry, the shared pieces and the callers know no component's
    name (as a string), so adding one edits nothing of theirs."""
    shared = [p for p in PACKAGE.glob("*.py") if p.stem.startswith("_")]
    shared += [ROOT / "compiler/skyspec/pipeline.py", ROOT / "compiler/skyspec/passes/resolve_connections.py"]
    for path in shared:
        tree = ast.parse(path.read_text())
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        strings = {n.value for n in ast.walk(tree)
                   if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings}
        assert not strings & set(COMPONENTS), (path.name, strings & set(COMPONENTS))


WIDGET_MODULE = '''
"""widget: a component made for a test (template `stdlib/widget.yaml`)."""

from skyspec.components._common import add_env

DATA_PATH = "/srv/widget"
PORT = "http"


def expand(doc, comp, ctx):
    add_env(doc, "WIDGET_MODE", "lowered", doc.where("use"))


def exports(d, host, port):
    return {"URL": f"widget://{host}:{port}/{d['flavour']}"}
'''

WIDGET_TEMPLATE = """
description: A component made for a test.
kind: App
params:
  flavour: {type: string}
spec:
  flavour: plain
  image: nginx:1.27.3
  ports: {http: 8080}
"""


def test_a_module_dropped_into_the_package_is_a_component(make_project, cli, tmp_path, monkeypatch):
    """One template and one module, and `use: widget` is lowered and exports its URL."""
    import skyspec.layers.templates as templates
    from skyspec.paths import data_dir

    extra = tmp_path / "extra-components"
    extra.mkdir()
    (extra / "widget.py").write_text(WIDGET_MODULE.lstrip())
    stdlib = tmp_path / "stdlib"
    shutil.copytree(data_dir("stdlib"), stdlib)
    (stdlib / "widget.yaml").write_text(WIDGET_TEMPLATE.lstrip())
    monkeypatch.setattr(templates, "data_dir", lambda name: stdlib if name == "stdlib" else data_dir(name))
    monkeypatch.setattr(components, "__path__", [*components.__path__, str(extra)])
    try:
        monkeypatch.setattr(components, "COMPONENTS", components._discover())
        assert components.COMPONENTS["widget"].port == "http"
        assert sorted(components.COMPONENTS) == sorted([*COMPONENTS, "widget"])

        make_project({"apps/all.yaml": """
            kind: App
            name: gadget
            use: widget
            flavour: spicy
            ---
            kind: App
            name: web
            image: nginx:1.27.3
            connect_to: [gadget]
        """})
        out = tmp_path / "out"
        r = cli("build", "-o", str(out), "--env", "dev", "--format", "kubernetes")
        assert r.exit_code == 0, r.output
        docs = [d for f in sorted((out / "dev" / "kubernetes").rglob("*.yaml"))
                for d in yaml.safe_load_all(f.read_text()) if d]
        env = {d["metadata"]["name"]: {e["name"]: e.get("value") for e in
                                       d["spec"]["template"]["spec"]["containers"][0].get("env", [])}
               for d in docs if d["kind"] == "Deployment"}
        assert env["gadget"]["WIDGET_MODE"] == "lowered"
        assert env["web"]["GADGET_URL"] == "widget://gadget:8080/spicy"
    finally:
        sys.modules.pop("skyspec.components.widget", None)
        if hasattr(components, "widget"):
            delattr(components, "widget")
