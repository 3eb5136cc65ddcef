"""Assembling the Helm chart: gathers the objects with the release's places marked
(objects.py), lays out their values (values.py, meta.py), builds a template per Kubernetes
backend file (templates.py) behind its presence flags (every app's `enabled`, an Ingress's and
an HPA's, and a flag for whatever some environments lack), and writes Chart.yaml, values.yaml,
values-<env>.yaml, values.schema.json, the templates, NOTES.txt and .helmignore as text by path.
It only orders the steps and names the files; it must not decide values or template text
itself, nor read specs or write files.
"""

from __future__ import annotations

from typing import Any, Callable

from ...ir.model import IR
from ...yamlemit import dump
from .gotext import Writer, unprintable
from .helpers import helpers
from .jsontext import dumps as json_text
from .meta import Meta
from .notes import HELMIGNORE, notes
from .objects import collect
from .release import Hosts
from .schema import values_schema
from .templates import Builder
from .values import Values, lower_camel

CHART_VERSION = "0.1.0"
# objects that are behind a flag even when every environment has them: the knobs users expect
_FLAGGED = ("Ingress", "HorizontalPodAutoscaler", "Namespace")

EXTRA_OBJECTS = """\
{{- /* extraObjects: manifests rendered as they are, after the chart's own */ -}}
{{- range .Values.extraObjects }}
---
{{ toYaml . }}
{{- end }}
"""


def chart_files(irs: dict[str, IR], base: str | None = None, chart: dict | None = None,
                spread: Callable[[list], list] | None = None) -> dict[str, str]:
    """`helm/<project>/...` for the environments in ``irs`` (at least one), in project order;
    values.yaml describes ``base`` (default: the first). ``chart``: ``version`` and
    ``app_version`` of Chart.yaml. The texts, once the values are laid out, are independent
    parts: ``spread`` (when given) runs them, (cost, function) -> their results in order."""
    envs = list(irs)
    base = base if base in irs else envs[0]
    name = irs[envs[0]].project
    objects, by_file, scope = collect(irs)
    values = Values(envs, base, objects, by_file)
    hosts = Hosts(scope.services, [ir.namespace for ir in irs.values() if ir.namespace], scope.webhooks)
    builder = Builder(values, None, irs, hosts)  # type: ignore[arg-type]
    for key, kind in (("nameOverride", "string"), ("fullnameOverride", "string"), ("extraObjects", "objects")):
        builder.ref(((key,),), {e: [] if kind == "objects" else "" for e in envs}, envs, kind)
    file_envs = {f: [e for e in envs if any(e in objects[oid].vals for oid in oids)] for f, oids in by_file.items()}
    guards: dict[Any, Any] = {}
    for fname, oids in by_file.items():
        home = objects[oids[0]].home
        fe = file_envs[fname]
        if home[0] == "apps":
            flag = builder.ref((home + ("enabled",),), {e: e in fe for e in envs}, envs, "flag").path
            values.app_flags[objects[oids[0]].wl] = flag
            guards[fname] = ("flag", flag)
            continue
        objs = [objects[oid] for oid in oids]
        if len({tuple(o.envs) for o in objs}) == 1 and (len(fe) < len(envs) or objs[0].kind in _FLAGGED):
            flag = builder.ref((home + ("enabled",),), {e: e in fe for e in envs}, envs, "flag").path
            guards[fname] = ("flag", flag)
    builder.meta = Meta(irs, objects, values.main)
    templates: dict[str, list[tuple]] = {}
    for fname, oids in by_file.items():
        # the main object first: it gets the app-level values
        first = sorted(oids, key=lambda oid: oid not in values.main)
        nodes = {oid: builder.build(objects[oid]) for oid in first}
        templates[fname] = [(oid, nodes[oid]) for oid in oids]
        fe = file_envs[fname]
        apps = objects[oids[0]].home[0] == "apps"
        for oid in oids:
            o = objects[oid]
            if apps:
                need = len(o.envs) < len(fe) or (oid not in values.main and o.kind in _FLAGGED)
            else:
                need = fname not in guards and len(o.envs) < len(fe)
            if need:
                # the app's `enabled` is its main object's node's: that object's own flag is beside it
                node = o.node + (lower_camel(o.kind),) if oid in values.main and apps else o.node
                f = builder.ref((node + ("enabled",),), {e: e in o.envs for e in fe}, fe, "flag")
                guards[oid] = ("flag", f.path)
    values.compute()
    printable = unprintable(values.base) or unprintable(values.env_values) or builder.unprintable
    writer = Writer(name, values.locs, values.base, builder.env_maps, bool(scope.services or scope.webhooks), printable)
    root = f"helm/{name}"
    chart = chart or {}
    version = str(chart.get("version") or CHART_VERSION)

    def head() -> dict[str, str]:
        return {
            f"{root}/Chart.yaml": dump({
                "apiVersion": "v2", "name": name,
                "description": f"{name}: the Kubernetes objects of its environments "
                               f"({', '.join(envs)}), compiled by skyspec from its deployment specs",
                "type": "application", "version": version,
                "appVersion": str(chart.get("app_version") or version)}),
            f"{root}/.helmignore": HELMIGNORE,
            f"{root}/values.yaml": f"# The {base} environment, complete (generated by skyspec: edit the specs).\n"
                                   "# values-<env>.yaml holds what another environment changes on top of these.\n"
                                   + dump(values.base)}

    def schema() -> dict[str, str]:
        return {f"{root}/values.schema.json": json_text(values_schema(name, values)) + "\n"}

    def rest() -> dict[str, str]:
        out = {f"{root}/templates/_helpers.tpl": helpers(name, hosts, printable),
               f"{root}/templates/NOTES.txt": notes(name, objects, by_file, guards, values, writer, scope),
               f"{root}/templates/extraObjects.yaml": EXTRA_OBJECTS}
        for env in envs:
            what = "nothing: values.yaml is this environment" if env == base else \
                "what it changes on top of values.yaml"
            out[f"{root}/values-{env}.yaml"] = (
                f"# {env}: {what} (generated by skyspec):\n"
                f"#   helm install {name} . -n <namespace> -f values-{env}.yaml\n" + dump(values.env_values[env]))
        return out

    def texts(fnames: list[str]) -> dict[str, str]:
        out = {}
        for fname in fnames:
            lines: list[str] = []
            for oid, node in templates[fname]:
                lines += ["---"] + writer.wrap(guards.get(oid), writer.map_lines(node, ""), "")
            out[f"{root}/templates/{fname}"] = "\n".join(writer.wrap(guards.get(fname), lines, "")) + "\n"
        return out

    # the parts, each a pure function of what is laid out above, with its cost (about one a
    # template file: the schema costs about as much as 4 in 5 of the templates, measured at
    # 1,000 apps); in the order the files are listed
    fnames = list(templates)
    chunk = max(1, len(fnames) // 4)
    parts: list[tuple[float, Any]] = [(0.1 * len(fnames), head), (0.8 * len(fnames), schema),
                                      (0.1 * len(fnames), rest)]
    parts += [(float(len(fnames[i:i + chunk])), lambda f=fnames[i:i + chunk]: texts(f))
              for i in range(0, len(fnames), chunk)]
    out: dict[str, str] = {}
    for got in spread(parts) if spread is not None else [fn() for _, fn in parts]:
        out.update(got)
    return out
