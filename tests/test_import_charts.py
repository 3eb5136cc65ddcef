"""Charts of helm/charts' stable repository (archived 2020, tests/data/helm-stable) that
`skyspec import helm` refused, each imported as shipped (its own values.yaml), built, and the
Kubernetes output checked against the real validator and against what the chart runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.diagnostics import Diagnostics

DATA = Path(__file__).parent / "data" / "helm-stable"


@pytest.fixture
def helm_on_path(monkeypatch):
    from validators import TOOLS

    monkeypatch.setenv("PATH", f"{TOOLS / 'bin'}{os.pathsep}{os.environ['PATH']}")


def imported(chart: str, name: str, tmp_path: Path) -> tuple[Diagnostics, list[dict], dict]:
    """(the import's diagnostics, the Kubernetes objects its project builds to, the project's
    spec documents by file), the import and the build both having succeeded."""
    from validators import assert_valid_k8s, load_docs

    from skyspec.importer import import_helm

    path = DATA / chart
    diags = Diagnostics()
    r = import_helm(path, [str(path / "values.yaml")], name, diags)
    assert r is not None and not diags.has_errors and r.unexplained == [], [str(d) for d in diags.sorted()][:3]
    docs = {f: list(yaml.safe_load_all(t)) for f, t in r.files.items() if f.endswith(".yaml")}
    res = CliRunner().invoke(main, ["import", "helm", str(path), "-f", str(path / "values.yaml"), "-o",
                                    str(tmp_path / "p"), "--name", name])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "built")])
    assert res.exit_code == 0, res.output
    k8s = [d for f in sorted((tmp_path / "built").rglob("kubernetes/*.yaml")) for d in load_docs(f)]
    assert_valid_k8s(k8s)
    return diags, k8s, docs


def _pods(k8s: list[dict], selector: dict) -> list[str]:
    """The workloads whose pods ``selector`` selects."""
    return [o["metadata"]["name"] for o in k8s if o["kind"] in ("Deployment", "StatefulSet")
            and all(o["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())]


@pytest.mark.parametrize("chart, service, workload, dropped", [
    # a second Service (the admin port) selecting the pods by app.kubernetes.io/instance too
    ("gangway", "gangwaysvc", "gangway", "app.kubernetes.io/instance"),
    # the master's Service selecting app.kubernetes.io/name=locust-locust, on workload locust-master
    ("locust", "locust-master-svc", "locust-master", "app.kubernetes.io/name"),
])
def test_a_kept_service_selects_its_workloads_pods_by_the_labels_skyspec_gives_them(
        chart, service, workload, dropped, tmp_path, helm_on_path):
    """The chart's Service is kept as written beside the Service skyspec makes for the
    workload, and selected the pods by labels the build does not put on them (skyspec owns
    the app.kubernetes.io/ name, part-of and instance labels): the build's system check said
    it selects no pod (SKY160) and the import was refused. Its selector now names the labels
    skyspec gives the pods, said in a note at the selector."""
    diags, k8s, _ = imported(chart, chart, tmp_path)
    svc = next(o for o in k8s if o["kind"] == "Service" and o["metadata"]["name"] == service)
    assert _pods(k8s, svc["spec"]["selector"]) == [workload]
    assert svc["spec"]["selector"]["app.kubernetes.io/name"] == workload
    (note,) = [d for d in diags.items if d.code == "SKY061" and "selects the pods of" in d.message]
    assert dropped in note.message and note.pos.file.startswith("helm template ")


def test_a_selector_that_skyspecs_labels_cannot_say_is_left_to_the_system_check(tmp_path):
    """Two workloads of the input whose pods one Service selects by a label skyspec owns,
    where a third one also carries every other term: no selector of skyspec's labels selects
    exactly the first two, so the Service is kept as written and the build reports it."""
    from skyspec.importer import import_kubernetes

    def deployment(name: str, tier: str) -> str:
        return f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}, tier: {tier}, app.kubernetes.io/instance: {'r' if name != 'c' else 'other'}}}}}
    spec: {{containers: [{{name: main, image: nginx:1.27, ports: [{{containerPort: 80}}]}}]}}
"""
    svc = """apiVersion: v1
kind: Service
metadata: {name: both}
spec:
  selector: {tier: web, app.kubernetes.io/instance: r}
  ports: [{port: 80}]
"""
    f = tmp_path / "in.yaml"
    f.write_text("---\n".join([deployment("a", "web"), deployment("b", "web"), deployment("c", "web"), svc]))
    diags = Diagnostics()
    import_kubernetes([f], "p", diags)
    assert not [d for d in diags.items if d.code == "SKY061" and "selects the pods of" in d.message]
    assert any(d.code == "SKY069" and "SKY160" in d.message for d in diags.items), [str(d) for d in diags.items]
