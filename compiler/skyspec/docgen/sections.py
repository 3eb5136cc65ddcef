"""The sections of the language reference beside the kinds: the project file and overlays
(from their schemas, field by field like the kinds), the overlay operators
(:data:`skyspec.layers.merge.OPERATORS`), templates (:data:`skyspec.layers.templates.TEMPLATE_KEYS`,
the parameters' keywords of :mod:`skyspec.layers.params`) and `${...}` expressions (roots,
operators, :data:`skyspec.layers.expr.functions.DOCS`, the literal `$${`). Each example is
recorded on the page with the project it compiles in and, where it shows a result, the
value the build must give (:attr:`.examples.Example.expect`). Text only: nothing here
compiles or writes.
"""

from __future__ import annotations

from ..layers.expr.functions import DOCS, FUNCTIONS
from ..layers.expr.parser import ROOTS
from ..layers.merge import OPERATORS
from ..layers.params import KEYWORDS
from ..layers.templates import TEMPLATE_KEYS
from .examples import BASES, ENV, OVERLAY, OVERLAY_PROJECT, PROJECT, TEMPLATES, dump, project_files


def project(page) -> None:
    page.add("## The project file", "",
             "`skyspec.yaml` (or `skyspec.toml`) at the project's root: its name, where its spec files are, its "
             "environments and what `build` writes. Each example below is a whole project file.", "")
    page.kind("project", title=False, skip=())


def overlays(page) -> None:
    page.add("## Overlays", "", page.schemas["overlay"]["description"], "",
             "For each environment the layers stack in this order, later wins: the `use:` template; the "
             "`defaults:` of the profile and the overlays (beneath the spec); the spec; the built-in profile "
             "(`dev`, `qa`, `prod`); the environment's overlays, in order; a target's overlays; `--set`. "
             f"The examples below are `{OVERLAY}` of a project whose `{ENV}` environment names it, over "
             "this spec:", "", "```yaml", dump({**BASES["App"], "labels": {"tier": "web"}}).rstrip("\n"), "```", "")
    page.kind("overlay", title=False, skip=())
    page.add("### Operators", "",
             "A patch (an overlay section, a `--set`, a spec over its template) says how each key meets the "
             "value beneath it by a suffix on the key:", "",
             "| written | does |", "|---|---|")
    for spelling, meaning in OPERATORS:
        page.add(f"| `{spelling}` | {meaning} |")
    page.add("")
    spec = {**BASES["App"], "labels": {"tier": "web"}, "args": ["--port", "8080"],
            "env": {"LOG_LEVEL": "info", "DEBUG": "1"}, "autoscale": {"max": 4, "cpu": 80}}
    overlay = {"apps": {"api": {"env": {"LOG_LEVEL": "debug"}, "args+": ["--verbose"], "env-": ["DEBUG"],
                                "autoscale": None, "labels!": {"tier": "api"}}}}
    page.add(f"A spec, an overlay of it, and what `{ENV}` runs:", "", "```yaml",
             dump(spec).rstrip("\n"), "---", f"# {OVERLAY}", dump(overlay).rstrip("\n"), "```", "",
             "gives `env: {LOG_LEVEL: debug}` (merged; `DEBUG` removed), `args: [--port, '8080', --verbose]` "
             "(appended), no HorizontalPodAutoscaler (`autoscale` deleted) and `labels: {tier: api}` (replaced "
             "whole).", "")
    page.compiled("overlay.operators", dump(overlay), files=project_files([spec], OVERLAY_PROJECT,
                                                                           {OVERLAY: dump(overlay)}),
                  expect={"env": {"LOG_LEVEL": "debug", "DEBUG": None}, "args": ["--port", "8080", "--verbose"]})


def templates(page) -> None:
    page.add("## Templates", "",
             "`use:` puts a template beneath a spec: a stdlib component by name (`use: postgres`; "
             "[stdlib.md](stdlib.md) documents each) or a file of the project (`use: ./templates/web.yaml`, a "
             "path inside the project). A template is one YAML document with these keys:", "",
             "| key | holds |", "|---|---|")
    for key, what in TEMPLATE_KEYS.items():
        page.add(f"| `{key}` | {what} |")
    web = TEMPLATES["web.yaml"]
    spec = {"kind": "App", "name": "api", "use": "./templates/web.yaml", "image": "ghcr.io/acme/api:1.4.2",
            "tier": "frontend"}
    page.add("", "A parameter is a field of the spec like any other: the spec, an overlay or `--set` sets it, "
             "and it is checked against its declaration after every layer merged. The template's `spec` reads "
             "it late-bound (`${self.tier}`), so the value that wins is the one every use sees. A declaration "
             "is a JSON Schema that refers to nothing (no `$ref`, `$id`, `$defs`: a reference would read a file "
             "or a URL), made of these keywords: " + ", ".join(f"`{k}`" for k in KEYWORDS) + ".", "",
             "`templates/web.yaml`, and a spec using it:", "", "```yaml", dump(web).rstrip("\n"), "---",
             "# apps/api.yaml", dump(spec).rstrip("\n"), "```", "")
    page.compiled("template.web", dump(spec), expect={"ports": [8080]})


EXPR_EXAMPLES = (  # variable, expression, value: evaluated in `api` (replicas 2, vars region eu-west-1)
    ("REPLICAS_X2", "${self.replicas * 2}", "4"),
    ("ENV_NAME", "${env.name}", ENV),
    ("NAMESPACE", "${env.namespace}", "ref"),
    ("PROJECT", "${project.name}", "ref"),
    ("REGION", "${vars.region}", "eu-west-1"),
    ("DB", "${apps.db.address}", "db:8080"),
    ("DB_PORT", "${apps.db.ports.metrics}", "9090"),
    ("URL", "https://${project.name}.example.com/${env.name}", f"https://ref.example.com/{ENV}"),
    ("MODE", "${'ha' if self.replicas > 1 else 'single'}", "ha"),
    ("LITERAL", "$${HOME} is not expanded", "${HOME} is not expanded"),
)


def expressions(page) -> None:
    page.add("## Expressions", "",
             "A string holding `${...}` is evaluated once every layer has merged (late binding): `self` is the "
             "spec's final data, so an overlay that changes `replicas` changes every value computed from it. "
             "When the whole string is one expression the value keeps the result's type "
             "(`replicas: \"${apps.api.replicas}\"` is a number); otherwise each `${...}` is replaced by its "
             "result as text.", "",
             "| root | is |", "|---|---|")
    roots = {"self": "this spec, merged: `self.replicas`, `self.labels[\"app.kubernetes.io/name\"]`",
             "super": "in a layer, the value beneath it: `replicas: ${super.replicas * 2}` in an overlay",
             "apps": "another workload's merged spec, `apps.db.replicas`; `apps.db.address` is its `host:port` (the "
                     "Service port in Kubernetes, Helm and Kustomize, the container port in Compose)",
             "env": "the environment: `env.name`, `env.profile`, `env.protected`, `env.namespace`",
             "project": "the project: `project.name`, `project.namespace`",
             "vars": "`vars:` of the project file, overridden by the environment's `vars:`"}
    assert set(roots) == set(ROOTS), "document every root"
    for r in ROOTS:
        page.add(f"| `{r}` | {roots[r]} |")
    page.add("", "Operators, loosest first: `a if cond else b`; `or`; `and`; `not`; `==` `!=` `<` `<=` `>` `>=` "
             "(not chained); `+` `-`; `*` `/` `//` `%`; unary `-`; `.key` and `[index]`. Types are strict "
             "(`1 + \"a\"` is an error: `str(1) + \"a\"`), `+` also joins strings and lists and `*` repeats them; "
             "`/` of two ints that divide exactly stays an int. Keys after `.` may hold `-`, so subtract with "
             "spaces: `self.replicas - 1`. Limits bound an expression's size and steps "
             "([limits.md](limits.md)).", "",
             "### Functions", "", "| function | returns | example | gives |", "|---|---|---|---|")
    assert set(DOCS) == set(FUNCTIONS), "document every function"
    env = {}
    for name, sig in FUNCTIONS.items():
        what, example, value = DOCS[name]
        page.add(f"| `{sig}` | {what} | `{example}` | `{value}` |")
        env[f"FN_{name.upper()}"] = (f"${{{example}}}", value)
    page.add("", "### A literal `${`", "",
             "`$${` writes a literal `${` (it is never evaluated), for a value that holds one for another tool: "
             "`\"$${HOME}\"` is the text `${HOME}`. Compose would itself read `$` in a value, so the Compose "
             "backend writes every `$` of a value as `$$` (it interpolates only the variables it reads Secrets "
             "from); Kubernetes receives the text as it is.", "",
             "### Expressions at work", "", "Each variable below gets the value in its comment (the project's `vars:` has "
             "`region: eu-west-1`):", "")
    shown = dump({**BASES["App"], "replicas": 2}) + "env:\n" + "".join(
        f"  {k}: {_quoted(e)}{' ' * max(1, 52 - len(k) - len(_quoted(e)))}# {v}\n" for k, e, v in EXPR_EXAMPLES)
    page.add("```yaml", shown.rstrip("\n"), "```", "")
    proj = {**PROJECT, "vars": {"region": "eu-west-1"}}
    page.compiled("expressions", shown, files=project_files(shown, proj),
                  expect={"env": {k: v for k, _, v in EXPR_EXAMPLES}})
    functions = dump({**BASES["App"], "replicas": 2, "env": {k: e for k, (e, _) in env.items()}})
    page.compiled("functions", functions, files=project_files(functions, proj),
                  expect={"env": {k: v for k, (_, v) in env.items()}})


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'



def backends(page) -> None:
    from ..backends.support import FIELDS, KINDS

    page.add("## Backends", "",
             "Every format describes the same system. The Kubernetes output is the reference. The Helm chart's "
             "templates render the same objects (`helm template` equals the Kubernetes output, tested in "
             "`tests/test_helm.py`); what differs between environments is a value in `values-<env>.yaml`, under "
             "`apps.<app>.` (the Helm column names it; [helm.md](helm.md) has the values API). The Kustomize base is "
             "the base environment's objects and each environment's overlay says how it differs (the Kustomize "
             "column; [kustomize.md](kustomize.md)). Compose runs the system on one machine and leaves out what it "
             "cannot say. The table is data beside the backends (`compiler/skyspec/backends/support.py`), and "
             "`tests/test_backend_support.py` builds every row: a project whose second environment sets the field "
             "in an overlay, checking that the Kubernetes objects change, that the Compose file changes exactly "
             "where the table says it shows the field, that the Helm values file holds the key named and that "
             "the Kustomize overlay uses the means named.", "",
             "| field | Kubernetes | Compose | Helm: values under `apps.<app>.` | Kustomize: another environment |",
             "|---|---|---|---|---|")
    for f in FIELDS:
        name = f"`{f.field}`" + (f" ({f.kind})" if f.kind != "App" else "")
        page.add(f"| {name} | {f.kubernetes} | {f.compose} | {f.helm} | {f.kustomize} |")
    page.add("", "Fields not in the table take a row's place: `port` is `ports`; `mounts` (of sidecars) are "
             "`volumes`; `use` puts the template's fields in the spec; `namespace` is every object's namespace; "
             "`pod_management` is the StatefulSet's `podManagementPolicy`; the other CronJob and Job fields are "
             "their objects' (`timeZone`, `concurrencyPolicy`, history limits, `suspend`, "
             "`startingDeadlineSeconds`, `completions`, `parallelism`, `activeDeadlineSeconds`, "
             "`ttlSecondsAfterFinished`, `restartPolicy`), none of them in the Compose file.", "",
             "The other kinds:", "", "| kind | Kubernetes | Compose |", "|---|---|---|")
    for k in KINDS:
        page.add(f"| `{k.kind}` | {k.kubernetes} | {k.compose} |")
    page.add("")
