"""Helm backend: one chart for every environment of the project, installable as many times as
wanted (names, namespace and references follow the release), whose `helm template <project>`
with `values-<env>.yaml` is the Kubernetes backend's objects for that environment but for
Helm's labels. :func:`render` is its one entry point; like every backend it sees only the IRs
and the Kubernetes backend's objects (never specs, the pipeline or files), returns text by path
and writes nothing. docs/helm.md is the user's guide: the layout, the values, the naming rules.

Output (``<project>`` is the project name, also the chart name)::

    helm/<project>/Chart.yaml            version and appVersion from the project's `chart:`
    helm/<project>/values.yaml           the base environment (`base:`), complete
    helm/<project>/values-<env>.yaml     what each environment changes on top of values.yaml
    helm/<project>/values.schema.json    JSON Schema (draft 7) of the values: a typo fails `helm lint`
    helm/<project>/.helmignore
    helm/<project>/templates/_helpers.tpl   fullname, labels, image, env helpers
    helm/<project>/templates/NOTES.txt      the endpoints and the Secrets to create
    helm/<project>/templates/<file>.yaml    one per Kubernetes backend file
    helm/<project>/templates/extraObjects.yaml

How the chart is made
---------------------
The chart is derived from :func:`skyspec.backends.kubernetes.files` of every environment
(objects.py), with the places that follow the release marked (release.py): object names
(``{{ include "<chart>.fullname" (list $ "api") }}``: ``api`` for a release named like the
chart, ``<release>-api`` otherwise), namespaces (``.Release.Namespace``), references between
objects, selectors (plus ``app.kubernetes.io/instance``). Each object (file, kind, name) is
compared field by field across the environments it exists in (templates.py): a field equal
everywhere stays literal, a field that differs becomes a ``.Values`` reference, and the knobs
Helm users expect are values even when equal (knobs.py: images, replicas, resources, env, label
and annotation maps, Ingress host and TLS, HPA bounds and targets, storage sizes; strategy.py:
the blue-green and canary Deployments computed from the app's image and replicas and the
strategy's `blueGreen`/`canary` values). Host names of the chart's Services in env vars and
ConfigMap data are rewritten when the chart renders (the `<chart>.hosts` helper).

Values layout (values.py): ``apps.<app>`` (camelCase) holds an app's knobs and its main
object's differing fields, each other object of the app under its own key (``service``,
``ingress``, ``autoscaling``, ``blueGreen``, ``canary``, ...); ``objects.<kind>.<name>`` the other
files; ``commonLabels``/``commonAnnotations``, ``nameOverride``/``fullnameOverride`` and
``extraObjects`` at the top. values.yaml is the base environment complete; values-<env>.yaml
only the differences (``null`` removes a key). Parts some environments lack are behind
``enabled`` flags (every app has one). values.schema.json (schema.py) closes every map but the
env, label and annotation maps, and types every value.

Templating rules (gotext.py): scalars as ``{{ <ref> | toJson }}`` (JSON is YAML: strings stay
strings; in a chart whose values hold a character YAML readers refuse or fold, which toJson
leaves as it is, through the ``<chart>.printable`` helper that escapes it); maps and lists as ``toYaml | nindent`` when every YAML reader reads them back
unchanged, else ``toJson``; names that are not Go identifiers read with ``index``; literal text
never starts an action (``{{`` in data is written ``{{ "{{" }}``).

The same IRs always give the same bytes.
"""

from __future__ import annotations

from typing import Callable

from ...ir.model import IR
from .chart import chart_files

__all__ = ["render", "USES_BASE", "SPREADS"]

USES_BASE = True
SPREADS = True   # takes ``spread``: its texts are independent parts, once the values are laid out


def render(irs: dict[str, IR], base: str | None = None, chart: dict | None = None,
           spread: Callable[[list], list] | None = None) -> dict[str, str]:
    """`helm/<project>/...`: one chart for all the environments in ``irs``, whose values.yaml
    is ``base`` (default: the first); ``chart`` holds Chart.yaml's ``version`` and
    ``app_version`` (the project's `chart:`). ``spread`` (the caller's, else one after the
    other) runs the independent parts of the texts, (cost, function) -> their results in order."""
    if not irs:
        return {}
    return chart_files(irs, base, chart, spread)
