"""Helm backend: one chart for every environment being built, whose `helm template` output is
exactly the Kubernetes backend's objects for the chosen environment. :func:`render` is its one
entry point; like every backend it sees only the IRs and the Kubernetes backend's objects
(never specs, the pipeline or files), returns text by path and writes nothing.

Output (``<project>`` is the project name, also the chart name)::

    helm/<project>/Chart.yaml            apiVersion v2, version 0.1.0
    helm/<project>/values.yaml           what every environment shares
    helm/<project>/values-<env>.yaml     what one environment changes on top of values.yaml
    helm/<project>/values.schema.json    JSON Schema (draft 7) of the values: a typo fails `helm lint`
    helm/<project>/templates/_helpers.tpl
    helm/<project>/templates/<workload>.yaml   one per Kubernetes backend file

Use: ``helm template <project> helm/<project> --namespace <ns> -f helm/<project>/values-prod.yaml``.

How the chart is made
---------------------
The chart is derived from :func:`skyspec.backends.kubernetes.files` of every environment, so
it describes the same objects as the Kubernetes backend, whatever kinds that backend emits.
Each object (workload file, kind, name) is compared field by field across the environments
it exists in: a field equal everywhere stays literal in the template, a field that differs
becomes a ``.Values`` reference. Some fields are values even when they are equal, because
Helm users expect to tune them: images, replicas, resources, env var values, Ingress hosts
and storage sizes.

Values layout
-------------
::

    namespace: shop              # only when metadata.namespace differs between environments
    commonLabels: {skyspec.dev/env: prod}   # labels (annotations) that differ between
    commonAnnotations: {}                   #   environments and agree across objects
    apps:
      <workload>:                # a workload's file (<workload>.yaml) of the Kubernetes backend
        enabled: true            # only when the workload exists in some environments only
        replicas: 2
        image: {repository: ghcr.io/acme/api, tag: 1.4.2}   # (+ digest: "sha256:...")
        resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}
        env: {LOG_LEVEL: warn, WORKERS: "4"}    # plain env var values, by name
        args: [--queue, orders]  # any other field of the container that differs, under its
                                 #   Kubernetes name (named list items by name:
                                 #   ports.http.containerPort)
        containers: {<name>: {image: ..., resources: ..., env: ...}}   # other containers
        initContainers: {<name>: {...}}
        storage: {data: 20Gi}    # volumeClaimTemplates / PersistentVolumeClaims, by claim name
        labels: {team: x}        # labels that differ between environments in this workload only
        ingress:                 # an object's own node: its kind in lowerCamelCase, plus
          enabled: true          #   "-<name>" unless it is named like the workload
          host: shop.example.com #   (hosts: [..] when an Ingress names several)
          spec: {...}            # any other field of the object that differs, under its
                                 #   Kubernetes path (list items by name, else by index)
    objects:
      <kind>.<name>:             # the other files (configmap.settings.yaml, ...): the same
        enabled: true            #   rules; a file of one object is that object's node
        data: {...}

The container named like the workload sits at the workload level, the others under
``containers``/``initContainers``. Several objects of one workload (a canary or blue/green
Deployment next to the main one) share these places when their values agree in every
environment both exist in; a value that differs goes to the object's own node instead
(``apps.api.deployment-api-canary.containers.api.image``), so one knob never changes two
different things.

Optional parts: an object, container or other part that exists in some environments only is
behind a flag at ``<its values path>.enabled``; an env var, label or scalar field that exists
in some environments only is rendered when its key is set (``hasKey``); resources render
when non-empty (``resources: {}`` to drop them).

values.yaml holds, for each value, what most environments have (on a tie, the first
environment in build order); values-<env>.yaml holds only the differences. Helm deep-merges
maps, and a values file cannot remove a key except with ``null``; so a value some
environment lacks is never in values.yaml (each environment that has it sets it), and a map
value (resources, image) keeps in values.yaml only the keys every environment has: nothing
leaks from values.yaml into an environment. Lists are replaced whole.

values.schema.json (draft 7) closes every map (``additionalProperties: false``) and types
every value: integers >= 0 for replicas, strings for images, env values and labels,
Kubernetes quantities (a pattern) for resources and storage, booleans for flags, and for
other fields the JSON types seen in the environments. A typo'd key or a wrong type fails
``helm lint --strict``.

Templating rules
----------------
* scalars: ``{{ <ref> | toJson }}`` -- JSON is YAML: strings stay strings ("4", "true",
  "1.0"), numbers are never printed as 1e+06, null stays null;
* maps and lists: ``{{- <ref> | toYaml | nindent N }}`` when every string in them is one
  YAML readers cannot mistake, else ``toJson`` (a flow collection);
* images: ``{{ include "<chart>.image" <ref> | toJson }}`` (repository[:tag][@digest]);
* names that are not Go identifiers (``my-app``, ``skyspec.dev/env``) are read with ``index``;
  maps values.yaml may lack are read through ``| default dict`` in guards;
* literal text never starts an action: ``{{`` in data is written ``{{ "{{" }}``, and
  strings ending in blank lines are written JSON-quoted (a following ``{{-`` would eat the
  blank lines of a ``|+`` block);
* no Helm labels (helm.sh/chart, app.kubernetes.io/managed-by: Helm, ...) and no
  ``.Release`` values are added: rendered objects equal the Kubernetes backend's, value for
  value, in every environment, so installing the chart and applying the manifests deploy
  the same system. (Floats would render as JSON numbers, 1.0 as 1; the Kubernetes API uses
  none.)

The same IRs always give the same bytes.

Modules
-------
objects.py (the objects, matched across environments), values.py (the values layout and the
values files), templates.py (objects into template trees), nodes.py (the template tree),
gotext.py (template trees into Go template text), schema.py (values.schema.json), chart.py
(the steps and the files), compare.py (comparing plain values).
"""

from __future__ import annotations

from ...ir.model import IR
from .chart import chart_files

__all__ = ["render"]


def render(irs: dict[str, IR]) -> dict[str, str]:
    """`helm/<project>/...`: one chart for all the environments in ``irs``."""
    if not irs:
        return {}
    return chart_files(irs)
