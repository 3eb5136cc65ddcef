"""Corpus cases for the layers above the specs: overlay operators and selectors, `--set`,
`${...}` expressions and Python builders. Each is one defect in a baseline of
:mod:`corpus.base`; the test runs them (tests/test_corpus.py)."""

from __future__ import annotations

from corpus.base import PY_BASE, Case

API, CACHE, JOBS, PROD, DEV, PROJ, PY = (
    "apps/api.yaml", "apps/cache.toml", "apps/jobs.yaml", "overlays/prod.yaml",
    "overlays/dev.yaml", "skyspec.yaml", "apps/api.py")

OVERLAYS = [
    Case("plus-on-int", {DEV: ("{replicas: 1}", "{replicas+: 1}")}, "overlays/dev.yaml:2:9 SKY203"),
    Case("minus-absent-env", {PROD: ("    env: {LOG_LEVEL: warn}", "    env-: [DEBUG]")}, "overlays/prod.yaml:8:12 SKY204"),
    Case("minus-absent-arg", {PROD: ('args+: [--workers, "4"]', "args-: [--verbose]")}, "overlays/prod.yaml:9:5 SKY204"),
    Case("unknown-app", {DEV: ("api:", "apii:")}, "overlays/dev.yaml:2:3 SKY201"),
    Case("unknown-app-toml-name", {PROD: ("  cache:", "  cahce:")}, "overlays/prod.yaml:10:3 SKY201"),
    Case("match-selects-nothing", {PROD: ("tier: web", "tier: wbe")}, "overlays/prod.yaml:4:12 SKY202"),
    Case("match-kind-nothing", {PROD: ("- where: {labels: {tier: web}}", "- where: {kind: StatefulApp}")}, "overlays/prod.yaml:4:12 SKY202"),
    # the merge's SKY203 and the layer check's "env must be a map, got "warn"" (SKY104 at the
    # value) describe the same mistake: one of them should go
    Case("plus-string-on-map", {PROD: ("    env: {LOG_LEVEL: warn}", "    env+: warn")}, "overlays/prod.yaml:8:5 SKY203", others=1),
    Case("replace-op-wrong-type", {PROD: ("    env: {LOG_LEVEL: warn}", "    resources!: 5")}, "overlays/prod.yaml:8:17 SKY104"),
    Case("apps-is-list", {DEV: "apps:\n  - api\n"}, "overlays/dev.yaml:2:3 SKY104"),
    Case("overlay-is-list", {DEV: "- apps\n"}, "overlays/dev.yaml:1:1 SKY004"),
    Case("all-unknown-key", {PROD: ("labels: {env: prod}", "lables: {env: prod}")}, "overlays/prod.yaml:2:3 SKY102"),
]

SET = [
    Case("set-no-app", {}, "<--set>:1:1 SKY207", args=("--set", "replicas=3")),
    Case("set-no-equals", {}, "<--set>:1:1 SKY207", args=("--set", "api.replicas")),
    Case("set-unknown-app", {}, "<--set>:1:1 SKY207", args=("--set", "apii.replicas=3")),
    Case("set-wrong-type", {}, "<--set>:1:1 SKY104", args=("--set", "api.replicas=three")),
    Case("set-unknown-key", {}, "<--set>:1:1 SKY102", args=("--set", "api.replica=3")),
    Case("set-bad-quantity", {}, "<--set>:1:1 SKY112", args=("--set", "api.resources.memory=1GB")),
    Case("set-empty-path", {}, "<--set>:1:1 SKY207", args=("--set", "api.=3")),
    Case("set-secret-not-workload", {}, "<--set>:1:1 SKY207", args=("--set", "db.data.password=set-literal-77"), secret="set-literal-77"),
    Case("set-bad-yaml-value", {}, "<--set>:1:1 SKY104", args=("--set", "api.replicas=[1")),
]

EXPRESSIONS = [
    Case("expr-syntax", {API: ("${self.expose.host}", "${self.expose.host +}")}, "apps/api.yaml:10:24 SKY205"),
    Case("expr-unclosed", {API: ('"https://${self.expose.host}"', '"https://${self.expose.host"')}, "apps/api.yaml:10:24 SKY205"),
    Case("expr-unknown-ref", {API: ("${self.expose.host}", "${self.expose.hots}")}, "apps/api.yaml:10:24 SKY205"),
    Case("expr-unknown-root", {API: ("${self.expose.host}", "${slef.expose.host}")}, "apps/api.yaml:10:24 SKY205"),
    Case("expr-unknown-app", {API: ("${self.expose.host}", "${apps.cahce.replicas}")}, "apps/api.yaml:10:24 SKY205"),
    Case("expr-type-error", {PROD: ("${super.replicas * 2}", "${super.replicas + 'a'}")}, "overlays/prod.yaml:11:15 SKY205"),
    Case("expr-div-zero", {PROD: ("${super.replicas * 2}", "${super.replicas / 0}")}, "overlays/prod.yaml:11:15 SKY205"),
    Case("expr-unknown-function", {PROD: ("${super.replicas * 2}", "${triple(super.replicas)}")}, "overlays/prod.yaml:11:15 SKY205"),
    Case("expr-result-type", {PROD: ("${super.replicas * 2}", "${'x' + 'y'}")}, "overlays/prod.yaml:11:15 SKY104"),
    Case("expr-string-times-int", {PROD: ("${super.replicas * 2}", "${'ab' * 3}")}, "overlays/prod.yaml:11:15 SKY104"),
    Case("expr-dunder", {PROD: ("${super.replicas * 2}", "${super.__class__}")}, "overlays/prod.yaml:11:15 SKY205"),
    Case("expr-string-bomb", {PROD: ("${super.replicas * 2}", "${'x' * 200000000}")}, "overlays/prod.yaml:11:15 SKY205"),
    Case("expr-too-long", {PROD: ("${super.replicas * 2}", "${" + " + ".join(["1"] * 3000) + "}")}, "overlays/prod.yaml:11:15 SKY205"),
]

PYTHON = [
    Case("py-syntax-error", {PY: ("replicas(2)", "replicas(2")}, "apps/api.py:3:69 SKY003", base=PY_BASE),
    Case("py-exception", {PY: ("replicas(2)", "replicas(1 / 0)")}, "apps/api.py:3:70 SKY003", base=PY_BASE),
    Case("py-bad-method-arg", {PY: ("replicas(2)", "replicas('two')")}, "apps/api.py:3:61 SKY104", base=PY_BASE),  # at the call
    Case("py-unknown-method", {PY: ("replicas(2)", "replicaz(2)")}, "apps/api.py:3:7 SKY003", base=PY_BASE),
    Case("py-bad-quantity", {PY: ('memory="128Mi"', 'memory="128MB"')}, "apps/api.py:4:11 SKY112", base=PY_BASE),
    Case("py-bad-name", {PY: ('App("api")', 'App("My_Api")')}, "apps/api.py:3:7 SKY107", base=PY_BASE),
    Case("py-import-error", {PY: ("from skyspec import App", "from skyspec import App, Nope")}, "apps/api.py:1:1 SKY003", base=PY_BASE),
]
