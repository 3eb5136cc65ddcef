"""templates/NOTES.txt of the Helm chart (what `helm install` prints): the release, its
endpoints -- each Ingress's URL, each Service's in-cluster address and ports, behind the same
flags as the objects -- and the Secrets to create before installing (those the specs say are
supplied at deploy time, unless the chart's ExternalSecret makes them); and the chart's
`.helmignore`. It reads the objects, the flags and the values paths; it must not decide values.
"""

from __future__ import annotations

from typing import Any

from .gotext import go_quote as _q
from .objects import Obj
from .release import Scope
from .values import Values

HELMIGNORE = """\
# Patterns to ignore when packaging the chart (helm package).
.DS_Store
.git/
.gitignore
.hg/
.svn/
*.swp
*.bak
*.tmp
*.orig
*~
.idea/
.vscode/
"""


def _first(o: Obj) -> dict:
    return o.vals[o.envs[0]]


def notes(name: str, objects: dict[tuple, Obj], by_file: dict[str, list[tuple]], guards: dict,
          values: Values, writer: Any, scope: Scope) -> str:
    def fullname(base: str) -> str:
        return f'{{{{ include "{name}.fullname" (list $ {_q(base)}) }}}}'

    def guarded(fname: str, oid: tuple, lines: list[str]) -> list[str]:
        return writer.wrap(guards.get(fname), writer.wrap(guards.get(oid), lines, ""), "")

    urls: list[str] = []
    services: list[str] = []
    for fname, oids in by_file.items():
        for oid in oids:
            o = objects[oid]
            spec = _first(o).get("spec")
            spec = spec if type(spec) is dict else {}
            if o.kind == "Ingress":
                urls += guarded(fname, oid, _ingress(o, spec, values, writer))
            elif o.kind == "Service":
                ports = ", ".join(f"{p.get('port')}/{p.get('name', p.get('protocol', 'TCP'))}"
                                  for p in spec.get("ports") or [] if type(p) is dict)
                services += guarded(fname, oid, [f"  {fullname(o.name)}.{{{{ .Release.Namespace }}}}.svc: {ports}"])
    out = ['{{ .Chart.Name }} {{ .Chart.Version }} (app version {{ .Chart.AppVersion }}) is installed as release '
           '"{{ .Release.Name }}" in namespace "{{ .Release.Namespace }}".']
    if urls:
        out += ["", "Endpoints:"] + urls
    if services:
        out += ["", "Services, inside the cluster:"] + services
    secrets = _secrets(objects, guards, scope, fullname, writer)
    if secrets:
        conds = [c for c, _ in secrets]
        head = ["", "Secrets to create in the namespace before the apps start (kubectl create secret generic ...):"]
        if all(c is not None for c in conds):
            either = conds[0] if len(conds) == 1 else "or " + " ".join(f"({c})" for c in conds)
            head = [f"{{{{- if {either} }}}}"] + head + ["{{- end }}"]
        out += head
        for cond, line in secrets:
            out += [line] if cond is None else [f"{{{{- if {cond} }}}}", line, "{{- end }}"]
    return "\n".join(out) + "\n"


def _ingress(o: Obj, spec: dict, values: Values, writer: Any) -> list[str]:
    rules = spec.get("rules") if type(spec.get("rules")) is list else []
    r0 = rules[0] if rules and type(rules[0]) is dict else {}
    paths = (r0.get("http") or {}).get("paths") if type(r0.get("http")) is dict else None
    path = paths[0].get("path", "/") if type(paths) is list and paths and type(paths[0]) is dict else "/"
    hosts = values.hosts.get(o.oid)
    if hosts is not None and values.locs[hosts[0]].schema == "string":
        host = f"{{{{ {writer.expr(hosts[0], safe=True)[0]} }}}}"
    else:
        host = str(r0.get("host", "*"))
    tls = o.node + ("tls",)
    if tls in values.locs and values.locs[tls].used:
        scheme = f"http{{{{ if {writer.expr(tls, safe=True)[0]} }}}}s{{{{ end }}}}"
    else:
        scheme = "https" if spec.get("tls") else "http"
    return [f"  {o.wl}: {scheme}://{host}{path}"]


def _secrets(objects: dict[tuple, Obj], guards: dict, scope: Scope, fullname, writer: Any) -> list[tuple]:
    """(condition or None, line) for each Secret supplied at deploy time: listed unless an
    ExternalSecret of the chart makes it."""
    out: list[tuple] = []
    makers: dict[str, list] = {}   # a Secret's name -> the ExternalSecrets that make it, in object order
    for oid, o in objects.items():
        if o.kind != "ExternalSecret":
            continue
        spec = _first(o).get("spec")
        target = spec.get("target") if type(spec) is dict and type(spec.get("target")) is dict else {}
        t = target.get("name", o.name)
        t = getattr(t, "base", t)
        if isinstance(t, str):
            makers.setdefault(t, []).append((oid, o))
    for secret, keys in sorted(scope.deploy_time.items()):
        made = []   # the conditions under which an ExternalSecret of the chart makes it
        always = False
        for oid, o in makers.get(secret, ()):
            conds = [writer.cond_text(c) for c in (guards.get(o.fname), guards.get(oid)) if c is not None]
            if not conds:
                always = True
                break
            made.append(conds[0] if len(conds) == 1 else "and " + " ".join(f"({c})" for c in conds))
        if always:
            continue
        line = f"  {fullname(secret)} (keys: {', '.join(keys)})"
        cond = " ".join(f"(not ({m}))" for m in made)
        out.append((None if not made else f"not ({made[0]})" if len(made) == 1 else f"and {cond}", line))
    return out
