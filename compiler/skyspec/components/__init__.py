"""Stdlib components, one module each: what a `use:` template cannot say as data beneath a spec.

A stdlib template (`stdlib/<name>.yaml`) is plain data: image, ports, probes, data path,
security relaxations, parameter defaults. Part of what a component means depends on the
*content* of the final values (`config` as the server's real configuration, `credentials`
as secret references, `backup` as a CronJob, the connection facts its consumers get, the
Celery workers), so it is made by the component's module `components/<name>.py`, once every
layer has merged and every `${...}` is resolved (`Session.layered`: templates -> overlays
-> `--set` -> expressions -> :func:`expand`). The module's docstring says what it lowers to.

The registry is found by name: every module of this package whose name does not start with
`_` is a component, registered under its module name, which is the name of its template
(`use: postgres` -> `stdlib/postgres.yaml` + `components/postgres.py`). A component is one
template plus one module; there is no list of them anywhere. A stdlib template without a
module is pure data. A component module has:

* `expand(doc, comp, ctx)`: lowers the spec (``doc``, a :class:`~._doc.Doc` edited in
  place) and appends the specs it adds to ``ctx.out`` (a :class:`~._common.Ctx`);
* `DATA_PATH`: where the image keeps its data (the `data` claim is mounted there);
* `PORT`: the name of the port its consumers connect to;
* optionally `exports(data, host, port)`: what a consumer of `connect_to` gets besides
  `<NAME>_HOST` and `<NAME>_PORT`, suffix -> value (`{"URL": ...}`), read by
  `passes/resolve_connections.py` through :func:`exports`;
* optionally `dump(doc, host, port, out)`: its backup tool, for `backup:` (`_backup.py`);
* optionally `REPLACES_SPEC = True`: the specs it adds replace the spec (celery).

The shared pieces are the underscored modules: `_doc` (data and provenance), `_common`
(context, one server, the `data` claim, `config` rendering), `_credentials`, `_backup`.
Everything made is spec-language data in ordinary :class:`Spec` objects, so schema checks,
lowering, the passes, all four backends and `explain` treat it like anything a user wrote.
Provenance: a copied value keeps its :class:`Prov` node (its whole history); a generated
value is located at the spec line that asked for it (the `config` entry, the `backup` map,
the `credentials` value, the queue), or at the spec's `use:` when that value is the
template's own, in the layer `component:<name>`; diagnostics likewise point into the
user's files. Parameters stay in the spec's data, where `Session.check` validates them
against the template's `params`, and `explain db.backup.schedule` finds them. This package
sits below the IR: it may import `skyspec.layers`, `skyspec.schema`, `skyspec.frontend` and
`skyspec.diagnostics`, never the project, the IR, the passes, the backends or the pipeline.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from ..diagnostics import Diagnostics
from ..layers.stack import Spec
from ._common import Component, Ctx, port_number
from ._doc import Doc

__all__ = ["expand", "exports", "component_of", "COMPONENTS", "Component"]


def _no_exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {}


def _record(name: str, module: ModuleType) -> Component:
    """The registry's record of the component module ``module``, registered as ``name``."""
    return Component(name, getattr(module, "DATA_PATH", ""), getattr(module, "PORT", ""), module.expand,
                     getattr(module, "exports", _no_exports), getattr(module, "dump", None),
                     getattr(module, "REPLACES_SPEC", False))


def _discover() -> dict[str, Component]:
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            found[info.name] = _record(info.name, importlib.import_module(f"{__name__}.{info.name}"))
    return found


COMPONENTS: dict[str, Component] = _discover()


def _layer(name: str) -> str:
    return f"component:{name}"


def component_of(spec: Spec) -> Component | None:
    """The stdlib component a spec uses, directly or through project templates."""
    t = spec.template
    if t is None:
        return None
    for tt in reversed(t.chain + [t]):
        if not tt.name.startswith(("./", "../", "/")) and tt.name in COMPONENTS:
            return COMPONENTS[tt.name]
    return None


def exports(spec: Spec | None, host: str | None = None, port: int | None = None) -> dict[str, str]:
    """What a consumer of ``spec`` (through `connect_to`) learns besides HOST and PORT:
    suffix -> value (`{"URL": "postgresql://db:5432/shop"}`); empty for other workloads."""
    comp = component_of(spec) if spec is not None else None
    if comp is None:
        return {}
    d = spec.data
    if port is None:
        port = port_number(d, comp.port)
        if port is None:
            return {}
    try:
        return comp.exports(d, host or spec.name, port)
    except (KeyError, TypeError):  # a parameter of the wrong type: reported by the schema check
        return {}


def expand(specs: list[Spec], diags: Diagnostics) -> list[Spec]:
    """The specs to compile: each spec using a stdlib component with something to generate
    is replaced by its lowered form (and the specs it adds, after it); the rest unchanged."""
    if not any(s.template is not None for s in specs):
        return specs
    ctx = Ctx(diags, {s.name: s for s in specs if s.is_workload},
              {("workload" if s.is_workload else s.kind, s.name) for s in specs})
    out: list[Spec] = []
    for s in specs:
        comp = component_of(s)
        if comp is None or not _params_ok(s, diags):
            out.append(s)
            continue
        ctx.out = []
        doc = Doc(s, _layer(comp.name))
        comp.expand(doc, comp, ctx)
        if not comp.replaces_spec:
            out.append(doc.done())
        out.extend(ctx.out)
    return out


def _params_ok(spec: Spec, diags: Diagnostics) -> bool:
    """The component reads its parameters: they must have the declared types first (the
    problems are reported here, and again, folded into one, by `Session.check`)."""
    from ..layers.templates import params_schema, split_params
    from ..schema.validate import validate_with

    _, params = split_params(spec.data, spec.template)
    return validate_with(params, spec.prov, params_schema(spec.template), diags)
