"""What every component shares: the expansion context, the component record, and the small
pieces several components lower alike (one server, the `data` claim, environment
variables, `config` items and how a server spells their values).

:class:`Ctx` carries the diagnostics, the workloads by name and the names taken, and
collects the specs a component adds; :meth:`Ctx.claim` reserves a generated spec's name.
:class:`Component` is the registry's record of a component module. Nothing here knows a
particular component (no component names, no per-component tables); it must not import
the component modules nor anything above `skyspec.layers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..diagnostics import Diagnostics, Pos, spelled
from ..provenance import MISSING, Entry, Prov
from ..layers.stack import Spec
from ..record import NEW, Record
from ._doc import Doc, gen


class Ctx(Record):
    """What a component's expansion of one spec reads and adds to."""

    def __init__(self, diags: Diagnostics, by_name: dict[str, Spec], taken: set[tuple[str, str]],
                 out: list[Spec] = NEW) -> None:
        self.diags = diags
        self.by_name = by_name  # workloads by name (before expansion)
        self.taken = taken  # (group, name) of every spec
        self.out = [] if out is NEW else out

    def claim(self, kind: str, name: str, pos: Pos | None, what: str) -> bool:
        """Reserve a name for a generated spec; a clash with a written one is an error."""
        group = "workload" if kind in ("App", "StatefulApp", "Job", "CronJob") else kind
        if len(name) > (52 if kind == "CronJob" else 63):
            self.diags.error("SKY111", f'{what} would be named "{name}", longer than Kubernetes allows '
                                       f'({52 if kind == "CronJob" else 63} characters)', pos,
                             hint="shorten the spec's name")
            return False
        if (group, name) in self.taken:
            self.diags.error("SKY110", f'{what} would be named "{name}", which another '
                                       f'{"workload" if group == "workload" else kind} has', pos,
                             hint="rename one of them")
            return False
        self.taken.add((group, name))
        return True


# (doc, host, port, output file) -> (shell script, {VAR: (secret, key)}, file suffix)
DumpTool = Callable[[Doc, str, int, str], tuple[str, dict, str]]


@dataclass(frozen=True)
class Component:
    """A component module as the registry holds it (see the package's docstring)."""

    name: str                                        # the module's name = the stdlib template's
    data_path: str                                   # where the image keeps its data (the `data` claim)
    port: str                                        # the port name consumers connect to
    expand: Callable[[Doc, "Component", Ctx], None]
    exports: Callable[[dict, str, int], dict[str, str]]
    dump: DumpTool | None = None                     # the backup's dump tool, for `backup:`
    replaces_spec: bool = False                      # the spec itself is not compiled (celery)


def port_number(d: dict, name: str) -> int | None:
    """The number of the port called ``name`` in a spec's data (`ports: {name: 5432}` or
    `{name: {port: 5432}}`)."""
    p = (d.get("ports") or {}).get(name) if isinstance(d.get("ports"), dict) else None
    if isinstance(p, dict):
        p = p.get("port")
    return p if isinstance(p, int) else None


def single_server(doc: Doc, comp: Component, ctx: Ctx) -> None:
    """A database template runs one server: `replicas` above 1 is an error."""
    r = doc.get("replicas")
    if isinstance(r, int) and not isinstance(r, bool) and r > 1:
        pos = doc.where("replicas")
        ctx.diags.error("SKY108", f"the {comp.name} template runs one server: replicas: {r} would start {r} "
                                  "separate servers behind one Service", pos,
                        hint=spelled(pos, "keep `replicas: 1`", "add `.replicas(1)` (or drop this call)")
                        + "; a replicated cluster needs an operator (e.g. as `kind: Resource`)")


def storage(doc: Doc, comp: Component) -> None:
    """The `data` claim is mounted where the image keeps its data, also when a spec or an
    overlay gave only a size (`storage: 20Gi`, `storage: {data: 50Gi}`)."""
    st = doc.get("storage")
    if st is MISSING or st is None:
        return
    if not isinstance(st, dict):   # `storage: 20Gi` replaced the template's map
        _sized(doc, ("storage",), True, st, comp.data_path)
        return
    data = st.get("data", MISSING)
    if data is MISSING:
        return
    if not isinstance(data, dict):
        _sized(doc, ("storage", "data"), False, data, comp.data_path)
    elif "mount" not in data:
        doc.put(("storage", "data", "mount"), comp.data_path, doc.where("storage", "data"))


def _sized(doc: Doc, path: tuple, wrap: bool, size: Any, mount: str) -> None:
    """A size alone at ``path`` -> `{size, mount}` (under `data` when ``wrap``): the size
    keeps its history, the mount is the component's."""
    node, pos = doc.node(*path), doc.where(*path)
    claim = {"size": size, "mount": mount}
    cnode = Prov([Entry(doc.layer, pos, "set")], {"size": node or gen(size, pos, doc.layer),
                                                   "mount": gen(mount, pos, doc.layer)})
    value, vnode = claim, cnode
    if wrap:
        value, vnode = {"data": claim}, Prov([Entry(doc.layer, pos, "set")], {"data": cnode})
    if node is not None:
        vnode.hist = list(node.hist) + [Entry(doc.layer, pos, "merge")]
        vnode.key = node.key
    doc.put(path, value, pos, node=vnode)


def add_env(doc: Doc, var: str, value: str, pos: Pos | None) -> None:
    """An environment variable the component sets, unless the spec sets it itself."""
    if all(doc.get(field, var) is MISSING for field in ("env", "secrets", "downward")):
        doc.put(("env", var), value, pos)


def scalar(v: Any, yes: str = "true", no: str = "false") -> str:
    """A `config` value as a server reads it (booleans in the server's spelling)."""
    if isinstance(v, bool):
        return yes if v else no
    return str(v)


def config_items(doc: Doc) -> list[tuple[str, Any, Pos | None]]:
    """The `config` map's entries, each with the spec line that wrote it."""
    cfg = doc.get("config")
    if not isinstance(cfg, dict):
        return []
    return [(k, v, doc.where("config", k)) for k, v in cfg.items()]


def env_name(prefix: str, key: str) -> str:
    """A setting's name in the images' environment convention (apache/kafka's `KAFKA_`,
    Elasticsearch's `ES_SETTING_`): upper case, `_` doubled, `.` as `_`, `-` as `___`
    (Kafka's; Elasticsearch has no spelling for `-`)."""
    return prefix + key.replace("_", "__").replace(".", "_").replace("-", "___").upper()
