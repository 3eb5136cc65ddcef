"""Provenance through the passes (#17): every derived manifest field explains down to the
lines people wrote and documented defaults, in text and JSON; `explain --why-not` says which
condition was not met and where it was decided; `diff` names the input that made a derived
field differ; the editor's hover lists what is derived from a value; and the records the
passes keep are references, nothing more."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, write_tree
from provenance_leaves import check_answer, field_leaves
from skyspec.backends import kubernetes
from skyspec.explain import Answer, Step, explain_field, spec_index, whynot
from skyspec.ir.why import OWN, In, Rule, Why
from skyspec.pipeline import Session
from test_explain import assert_every_field_ends_in_leaves

SHOP = EXAMPLES / "shop"
RICH = ROOT / "tests" / "data" / "provenance"
LIMIT_CPU = "Deployment/api:spec.template.spec.containers[0].resources.limits.cpu"


def explain(cli, *args) -> dict:
    r = cli("explain", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _line(step: dict) -> str:
    return Path(step["file"]).read_text(encoding="utf-8").splitlines()[step["line"] - 1]


# ---------------------------------------------------------------------- chains

def test_a_cpu_limit_explains_down_to_the_overlay_line_and_the_documented_factor(cli):
    a = explain(cli, LIMIT_CPU, str(SHOP), "--env", "prod")
    assert a["value"] == "1" and a["rule"] == {"name": "size.cpu-limit",
                                               "reason": "CPU limit = the CPU request x the CPU limit factor"}
    request, factor = a["sources"]
    assert (request["kind"], request["query"], request["value"]) == ("spec", "api.resources.cpu", "500m")
    last = request["chain"][-1]
    assert (last["file"], last["line"], last["column"]) == ("examples/shop/overlays/prod.yaml", 8, 22)
    assert [s["layer"] for s in request["chain"]] == ["profile:prod", "spec", "overlay:overlays/prod.yaml"]
    assert (factor["kind"], factor["label"], factor["value"]) == ("default", "the CPU limit factor", 2)
    assert _line(factor["chain"][0]).startswith("CPU_LIMIT_FACTOR = 2")  # the default is real, at that line
    text = cli("explain", LIMIT_CPU, str(SHOP), "--env", "prod").stdout
    assert "  rule size.cpu-limit: CPU limit = the CPU request x the CPU limit factor\n" in text
    assert "  from the CPU request: api.resources.cpu = \"500m\"\n" in text
    assert "examples/shop/overlays/prod.yaml:8:22  set" in text
    assert "  from the CPU limit factor: default size.CPU_LIMIT_FACTOR = 2\n" in text
    assert "set by the" not in text


def test_a_factor_from_settings_is_the_overlay_line_that_set_it():
    s = Session(RICH / "skyspec.yaml")
    c = s.compile("prod")
    obj = next(o for o in kubernetes.objects(c.ir) if o["kind"] == "Deployment" and o["metadata"]["name"] == "api")
    side = explain_field(c.ir, obj, ("spec", "template", "spec", "containers", 1, "resources", "limits", "cpu"),
                         spec_index(c.specs), "prod")
    assert side.value == "60m" and side.rule.name == "size.cpu-limit"
    request, factor = side.sources
    # the sidecar's request is itself derived: from `settings.sidecar_resources.cpu` of the overlay
    assert request.rule.name == "size.sidecar-request" and request.value == "20m"
    (setting,) = request.sources
    assert (setting.kind, setting.query, setting.chain[-1].file, setting.chain[-1].line) == \
        ("setting", "settings.sidecar_resources.cpu", str(Path(RICH, "overlays/prod.yaml")).replace(
            str(Path.cwd()) + "/", ""), 3)
    assert (factor.kind, factor.query, factor.value, factor.chain[-1].line) == ("setting", "settings.limits.cpu", 3, 2)


@pytest.mark.parametrize("query,rule,leaf", [
    ("Deployment/api:spec.template.spec.securityContext.runAsUser", "harden.run-as-user", "DEFAULT_UID = 10001"),
    ("StatefulSet/db:spec.template.spec.securityContext.runAsUser", "harden.run-as-user", "run_as_user:"),
    ("NetworkPolicy/api-ingress:spec.ingress[0].from[0]", "network.connect-to", "connect_to: [api]"),
    ("PodDisruptionBudget/api:spec.maxUnavailable", "availability.pdb-max-unavailable", "PDB_MAX_UNAVAILABLE = 1"),
    ("Deployment/api:spec.template.spec.topologySpreadConstraints[0].topologyKey", "k8s.spread-key",
     "spread: [nodes, zones]"),
    ('Deployment/web:spec.template.metadata.annotations["checksum.skyspec.dev/configmap.web-config"]',
     "rollout.checksum", "files: {default.conf: config/nginx.conf}"),
    ("Deployment/cache:spec.replicas", "defaults.replicas", "REPLICAS = 1"),
    ("Service/api:kind", "k8s.service", "connect_to: [api]"),
    ("Deployment/web:spec.template.spec.containers[0].env[3].value", "connect.port", "http = 8080"),
    ("Ingress/web:spec.rules[0].http.paths[0].pathType", "k8s.path-type", 'PATH_TYPE = "Prefix"'),
])
def test_each_rule_answers_with_the_line_that_decided_it(cli, query, rule, leaf):
    """The examples the issue names: the harden default or the template's relaxation, the
    policy rule that admits web, the PDB and topology spread of the prod profile, the rollout
    hash, a replica default, a Service made by `connect_to`, an injected variable."""
    a = explain(cli, query, str(SHOP), "--env", "prod")
    assert a["rule"]["name"] == rule

    def lines(x):
        for s in x.get("chain", []):
            if s.get("file"):
                yield _line(s)
        for y in x.get("sources", []):
            yield from lines(y)
    assert any(leaf in ln for ln in lines(a)), list(lines(a))


def test_every_field_of_every_environment_and_target_of_a_rich_project_ends_in_leaves():
    """The examples' walk (tests/test_explain.py), on a project using every rule."""
    s = Session(RICH / "skyspec.yaml")
    compiled = s.compile_all()
    assert compiled and not s.diags.has_errors
    assert set(compiled) == {"dev", "prod", "prod.edge"}
    assert_every_field_ends_in_leaves(compiled, min_fields=1000)


BARE = {
    "skyspec.yaml": "project: bare\nnamespace: bare\nspecs: ['apps/*']\nenvironments:\n"
                    "  dev: {overlays: [overlays/dev.yaml]}\n",
    "overlays/dev.yaml": "settings: {spread: [nodes]}\napps: {spreadless: {replicas: 2}}\n",  # (the dev profile: 1)
    "apps/spreadless.yaml": "kind: App\nname: spreadless\nimage: ghcr.io/acme/s:1.0\nreplicas: 2\nspread: []\n",
    "apps/api.yaml": "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0\nport: 8080\n",
    "apps/cache.yaml": "kind: StatefulApp\nname: cache\nimage: redis:7.2\nstorage: 1Gi\n"
                       "k8s: {StatefulSet: {spec: {template: {spec: {containers: [{name: extra, image: x/e:1}]}}}}}\n",
    "apps/vault.yaml": "kind: Secret\nname: vaulted\nexternal: {store: vault, data: {}}\n",
    "apps/more.yaml": "kind: ConfigMap\nname: empty\n---\nkind: NetworkPolicy\nname: quiet\n---\n"
                      "kind: NetworkPolicy\nname: outbound\nallow_to: [{app: api}]\n",
}


def test_the_fields_of_specs_that_leave_things_unset_explain_down_to_leaves(tmp_path, cli, monkeypatch):
    """Found by walking generated projects (the fuzz harness's provenance property): a
    NetworkPolicy spec without `select` (every pod) or without `deny_all` and peers (ingress
    only), a peer's own podSelector (it was taken for the policy's `select`), a ConfigMap with
    no data, a StatefulApp without ports (its governing Service is named, never made),
    `spread: []` under `settings.spread`, a container a `k8s:` patch adds, and an external
    Secret of no keys."""
    root = write_tree(tmp_path / "bare", BARE)
    s = Session(root / "skyspec.yaml")
    compiled = s.compile_all()
    assert not s.diags.has_errors and set(compiled) == {"dev"}
    assert_every_field_ends_in_leaves(compiled, min_fields=100)
    spreadless = next(x for x in compiled["dev"].specs if x.name == "spreadless")
    assert not whynot._set(spreadless, ("spread",), "dev").met   # (`--why-not` said an empty list sets one)
    monkeypatch.chdir(root)

    def sources(query: str) -> tuple[str | None, list[str]]:
        a = explain(cli, query, "--env", "dev")
        return (a["rule"]["name"] if "rule" in a else None), [x["query"] for x in a["sources"]]

    assert sources("NetworkPolicy/quiet:spec.podSelector") == ("k8s.every-pod",
                                                              ["quiet.kind", "default kubernetes.EVERY_POD"])
    assert sources("NetworkPolicy/quiet:spec.policyTypes") == ("k8s.policy-types", ["default kubernetes.POLICY_TYPES"])
    assert sources("NetworkPolicy/outbound:spec.policyTypes") == ("k8s.policy-types", ["outbound.allow_to"])
    assert sources('NetworkPolicy/outbound:spec.egress[0].to[0].podSelector.matchLabels["app.kubernetes.io/name"]') \
        == (None, ["outbound.allow_to"])   # (it was `outbound.select`, which is not set)
    # `spread: []` sets none: the setting spreads the pods (it was answered by `spread[0]`, unset)
    key = "Deployment/spreadless:spec.template.spec.topologySpreadConstraints[0].topologyKey"
    assert sources(key) == ("k8s.spread-key", ["the spread", "default kubernetes.SPREAD_KEYS['nodes']"])
    # a container the `k8s:` patch adds beside the spec's: the patch's item of its name (it was
    # answered as a sidecar `extra`, which the spec does not have)
    a = explain(cli, "StatefulSet/cache:spec.template.spec.containers[1].image", "--env", "dev")
    assert a["value"] == "x/e:1" and a["sources"][0]["query"] == \
        "cache.k8s.StatefulSet.spec.template.spec.containers[0].image"
    a = explain(cli, "ConfigMap/empty:data", "--env", "dev")
    assert a["rule"]["name"] == "k8s.config-data"
    a = explain(cli, "StatefulSet/cache:spec.serviceName", "--env", "dev")
    assert a["value"] == "cache-headless" and a["rule"]["name"] == "k8s.governing-service"


def test_the_rich_project_exercises_the_rules_of_every_pass():
    s = Session(RICH / "skyspec.yaml")
    seen: set[str] = set()

    def walk(a):
        if a.rule is not None:
            seen.add(a.rule.name)
        for x in a.sources:
            walk(x)
    for key, c in s.compile_all().items():
        index = spec_index(c.specs)
        for obj in kubernetes.objects(c.ir):
            for path, _ in field_leaves(obj):
                walk(explain_field(c.ir, obj, path, index, key))
    stages = {name.partition(".")[0] for name in seen}
    assert {"size", "harden", "network", "availability", "rollout", "quota", "connect", "defaults", "lower",
            "k8s"} <= stages
    assert {"size.sidecar-request", "network.egress-dns", "network.public", "network.ingress", "network.metrics",
            "k8s.canary-split", "k8s.blue-green-idle", "lower.observability", "lower.secret-file",
            "harden.service-account-token", "quota.hard", "connect.env"} <= seen


def test_the_leaf_check_can_fail():
    """What the walks assert is not vacuous: a field answered only by a pass name, or a
    default pointing at a line that does not hold it, is a problem."""
    assert check_answer(Answer("X/x:f", "dev", 1, note="set by the size pass"))
    bad = Answer("X/x:f", "dev", 2, rule=Rule("size.cpu-limit", "r"), sources=[Answer(
        "default size.CPU_LIMIT_FACTOR", "dev", 2, [Step("default", "compiler/skyspec/passes/size.py", 1, 1, "default")])])
    assert any("not documented" in p for p in check_answer(bad))
    unset = Answer("X/x:f", "dev", 2, rule=Rule("size.cpu-limit", "r"),
                   sources=[Answer("api.resources.cpu", "dev", note="not set: where it would be")])
    assert check_answer(unset)


# ---------------------------------------------------------------------- cheap by construction

def test_recorded_derivations_hold_references_only():
    """The passes record rules and references (a spec and a path, the IR, a module and a
    constant's name): no position, history or answer is built while compiling."""
    from skyspec.diagnostics import Pos
    from skyspec.layers.stack import Spec
    from skyspec.provenance import Prov

    count = 0
    for c in Session(RICH / "skyspec.yaml").compile_all().values():
        ir = c.ir
        records = list(ir.why.values())
        for w in ir.workloads:
            records += list(w.why.values())
            for ctr in w.containers + w.init_containers:
                records += list(ctr.why.values()) + [e.why for e in ctr.env if e.why is not None]
        for n in ir.netpols:
            records += list(n.why.values())
        stack = list(records)
        while stack:
            r = stack.pop()
            if isinstance(r, (dict, list, tuple)) and not isinstance(r, Why):   # a record's records
                stack += list(r.values() if isinstance(r, dict) else r)
                continue
            assert isinstance(r, Why) and isinstance(r.rule, Rule)
            count += 1
            for i in r.inputs:
                assert isinstance(i, In) and not isinstance(i.src, (Pos, Prov, Answer))
                assert i.kind in ("spec", "setting", "project", "default", "why")
                if i.kind == "spec":   # a spec, or the record's own workload's (shared by all of them)
                    assert isinstance(i.src, Spec) or i.src is OWN
                elif i.kind == "default":
                    assert isinstance(i.src, str) and hasattr(importlib.import_module(i.src), i.path[0])
                elif i.kind == "why":
                    stack.append(i.src)
    assert count > 500


def test_rule_names_are_stable_and_unique():
    import skyspec

    by_name: dict[str, str] = {}
    for info in pkgutil.walk_packages(skyspec.__path__, "skyspec."):
        if info.name.startswith(("skyspec.lsp.server", "skyspec.cli")) or info.name.endswith("__main__"):
            continue
        mod = importlib.import_module(info.name)
        for v in vars(mod).values():
            if isinstance(v, Rule):
                assert by_name.setdefault(v.name, v.reason) == v.reason, f"two rules named {v.name}"
    assert len(by_name) > 60


# ---------------------------------------------------------------------- --why-not

def test_why_has_api_no_hpa_in_dev(cli):
    r = cli("explain", "--why-not", "HorizontalPodAutoscaler/api", str(SHOP), "--env", "dev")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[:2] == ["HorizontalPodAutoscaler/api is not generated   [dev]",
                                         "  rule k8s.autoscaler: `autoscale` gets a HorizontalPodAutoscaler"]
    assert "  met: api is an App\n" in r.stdout and "  not met: api sets `autoscale`\n" in r.stdout
    assert "not set by api in any layer of dev" in r.stdout and "examples/shop/apps/api.toml:1:1" in r.stdout
    a = explain(cli, "--why-not", "HorizontalPodAutoscaler/api", str(SHOP), "--env", "dev")
    assert a["exists"] is False and a["rule"]["name"] == "k8s.autoscaler"
    assert [(c["condition"], c["met"]) for c in a["conditions"]] == [("api is an App", True),
                                                                      ("api sets `autoscale`", False)]


def test_why_is_there_no_ingress(cli):
    r = cli("explain", "--why-not", "Ingress", str(SHOP), "--env", "dev")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Ingress in dev: generated for Ingress/web\n")
    assert "  Ingress/api is not generated   [dev]\n" in r.stdout
    assert "    not met: api sets `expose.host`\n" in r.stdout
    a = explain(cli, "--why-not", "Ingress/api", str(SHOP), "--env", "qa")
    assert a["conditions"][0]["value"]["query"] == "api.expose"
    assert explain(cli, "--why-not", "Ingress/web", str(SHOP), "--env", "qa")["exists"] is True


def test_why_not_names_the_overlay_line_that_deleted_it(cli):
    """`autoscale: null` in the dev overlay: the condition is decided at that line."""
    a = explain(cli, "--why-not", "HorizontalPodAutoscaler/api", str(RICH), "--env", "dev")
    (kind, sets) = a["conditions"]
    assert sets["met"] is False and sets["value"]["deleted"] is True
    last = sets["value"]["chain"][-1]
    assert (last["op"], last["layer"], last["line"]) == ("delete", "overlay:overlays/dev.yaml", 3)
    assert last["file"].endswith("tests/data/provenance/overlays/dev.yaml")
    text = cli("explain", "--why-not", "HorizontalPodAutoscaler/api", str(RICH), "--env", "dev").stdout
    assert "api.autoscale = <deleted>" in text and "overlays/dev.yaml:3:5  delete" in text
    assert explain(cli, "--why-not", "HorizontalPodAutoscaler/api", str(RICH), "--env", "prod")["exists"] is True


def test_why_not_a_pdb_or_a_spread_names_the_setting_and_the_replicas(cli):
    a = explain(cli, "--why-not", "PodDisruptionBudget/cache", str(SHOP), "--env", "prod")
    conds = {c["condition"]: c for c in a["conditions"]}
    assert conds["settings.pdb is on"]["met"] is True
    assert conds["settings.pdb is on"]["value"]["chain"][-1]["file"].endswith("overlays/prod.yaml")
    replicas = conds["cache runs 2 or more replicas (it runs 1)"]
    assert replicas["met"] is False and replicas["value"]["rule"]["name"] == "defaults.replicas"
    r = cli("explain", "--why-not", "Deployment/api:spec.template.spec.topologySpreadConstraints", str(SHOP),
            "--env", "dev")
    assert "not met: settings.spread is on" in r.stdout and "no layer of dev sets it" in r.stdout


def test_why_not_a_workload_left_out_or_unknown(cli, make_project):
    make_project({"apps/a.yaml": "kind: App\nname: api\nimage: x/api:1\nport: 80\n",
                  "overlays/prod.yaml": "apps:\n  api: {enabled: false}\n"})
    a = explain(cli, "--why-not", "Deployment/api", "--env", "prod")
    (c,) = a["conditions"]
    assert c["condition"] == "api is enabled in prod" and c["value"]["chain"][-1]["line"] == 2
    a = explain(cli, "--why-not", "Deployment/apii", "--env", "dev")
    assert 'did you mean "api"' in a["note"]
    r = cli("explain", "--why-not", "Frobnicator/api", "--env", "dev")
    assert r.exit_code == 0 and "skyspec makes no Frobnicator" in r.stdout
    r = cli("explain", "--why-not", ":x", "--env", "dev")
    assert r.exit_code == 1 and "Traceback" not in r.output


# ---------------------------------------------------------------------- diff and hover

def test_diff_names_the_input_that_made_a_derived_field_differ(cli):
    r = cli("diff", str(SHOP), "--env", "dev", "--env", "prod", "--objects", "--format", "json")
    assert r.exit_code == 1, r.output
    rows = json.loads(r.stdout)["differences"]
    row = next(x for x in rows if x["object"] == "Deployment/api (namespace shop)"
               and x["path"] == "spec.template.spec.containers[0].resources.limits.cpu")
    assert (row["a"], row["b"]) == ("500m", "1")
    # the request differs (the prod overlay); the factor, the same default on both sides, is not named
    assert row["from"] == ("api.resources.cpu examples/shop/overlays/prod.yaml:8:22 (overlay:overlays/prod.yaml) "
                           "via size.cpu-limit")
    pdb = next(x for x in rows if x["object"] == "PodDisruptionBudget/api (namespace shop)")
    assert pdb["change"] == "added" and pdb["from"].endswith("via availability.pdb")


def test_hover_shows_what_is_derived_from_a_value():
    from skyspec.lsp import hover, locate
    from skyspec.lsp.state import Workspace, real

    ws = Workspace()
    path = real(SHOP / "apps" / "api.toml")
    text = Path(path).read_text()
    ws.set_text(path, "file://" + path, text)
    comp = ws.for_file(path)
    before = text[:text.index('cpu = "250m"')]
    h = locate.hit(ws.parsed(path, comp), before.count("\n"), len(before) - before.rfind("\n") - 1)
    md = hover.hover(comp, h, "spec", lambda f, n: (f"{f}:{n}", None))
    assert "*Derived from it*" in md
    assert "| prod | Deployment/api `spec.template.spec.containers[0].resources.limits.cpu` | `\"1\"` | " \
           "size.cpu-limit |" in md
    assert "| dev | Deployment/api `spec.template.spec.containers[0].resources.limits.cpu` | `\"500m\"` | " \
           "size.cpu-limit |" in md


def test_a_derived_field_of_a_project_without_profile_or_settings(make_project, cli):
    """No profile, no settings: the limit still ends in the spec line and the default."""
    project = "project: demo\nspecs: [\"apps/*\"]\nenvironments:\n  local: {}\n"
    make_project({"apps/a.yaml": "kind: App\nname: a\nimage: x/a:1\nresources: {cpu: 100m, memory: 64Mi}\n"
                                 "sidecars:\n  s: {image: x/s:1}\n"}, project=project)
    a = explain(cli, "Deployment/a:spec.template.spec.containers[1].resources.limits.memory", "--env", "local")
    assert a["rule"]["name"] == "size.memory-limit" and a["value"] == "64Mi"
    request, factor = a["sources"]
    assert request["rule"]["name"] == "size.sidecar-request"
    assert request["sources"][0]["query"] == "default size.SIDECAR_DEFAULT['memory']"
    assert _line(request["sources"][0]["chain"][0]).strip().startswith('SIDECAR_DEFAULT = {"cpu": "50m", "memory"')
    assert factor["query"] == "default size.MEMORY_LIMIT_FACTOR"


def test_a_cost_figure_explains_down_to_the_requests_and_the_prices(cli, make_project):
    a = explain(cli, "cost:api", str(SHOP), "--env", "prod")
    assert a["value"] == "65.34 USD/month" and a["rule"]["name"] == "cost.estimate"
    by = {x.get("label"): x for x in a["sources"]}
    assert by["the replicas"]["value"] == 5 and by["api's cpu request"]["chain"][-1]["line"] == 8
    price = by["the price of cpu_core_hour"]
    assert price["kind"] == "default" and '"cpu_core_hour": "0.0316"' in _line(price["chain"][0])
    make_project({"apps/a.yaml": "kind: App\nname: a\nimage: x/a:1\nreplicas: 2\n"
                                 "resources: {cpu: 1, memory: 1Gi}\n"},
                 project=PROJECT_WITH_PRICES)
    a = explain(cli, "cost:a", "--env", "prod")
    price = next(x for x in a["sources"] if x.get("label") == "the price of cpu_core_hour")
    assert (price["kind"], price["value"], price["chain"][-1]["line"]) == ("project", 0.05, 6)
    r = cli("explain", "cost:nope", "--env", "prod")
    assert r.exit_code == 1 and "no cost line" in r.stderr


PROJECT_WITH_PRICES = """
project: demo
specs: ["apps/*"]
environments:
  prod: {overlays: [overlays/prod.yaml], protected: false}
prices:
  cpu_core_hour: 0.05
"""
