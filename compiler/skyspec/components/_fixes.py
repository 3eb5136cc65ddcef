"""Hints that name the stdlib template a spec looks like it needs.

A spec without `use:` that sets a template's parameter (`backup`, `config`, `credentials`,
...) or has no `image`, and whose image or name is a stdlib component's (`image:
postgres:15`, `StatefulApp("postgres")`), is most likely missing `use: <component>`: the
schema check asks :func:`fixes` for the hint, which names that template (`.use("postgres")`
at a Python line). What a template declares and which image it runs are read from the
stdlib templates themselves, so no component is named here. This module only phrases hints:
it must not report, change a spec or import anything above `skyspec.layers`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, NamedTuple

from ..diagnostics import Diagnostics, Pos, Sources, spelled
from ..layers.templates import Templates, stdlib_names

_HUB = ("docker.io/library/", "index.docker.io/library/", "docker.io/", "library/")


class _Lib(NamedTuple):
    kind: str
    repository: str     # the image's repository ("" when the spec brings its image)
    params: frozenset


def repository(image: Any) -> str:
    """`postgres:${self.version}` -> `postgres`; `docker.io/library/redis:7` -> `redis`."""
    if not isinstance(image, str):
        return ""
    ref = image.split("@", 1)[0]
    slash, colon = ref.rfind("/"), ref.rfind(":")
    repo = ref[:colon] if colon > slash else ref
    for prefix in _HUB:
        if repo.startswith(prefix):
            return repo[len(prefix):]
    return repo


@lru_cache(maxsize=1)
def _stdlib() -> dict[str, _Lib]:
    lib = Templates(Path.cwd(), Diagnostics(), Sources())
    out = {}
    for name in stdlib_names():
        t = lib.get(name, None)
        if t is not None:
            image = (t.spec or {}).get("image")
            out[name] = _Lib(t.kind, repository(image) if "${self.version}" in str(image) else "", frozenset(t.params))
    return out


def lookalike(name: Any, image: Any) -> str | None:
    """The stdlib component whose image the spec runs (by repository, or its last segment),
    else the one it is named after (or after whose image)."""
    lib = _stdlib()
    repo = repository(image)
    by_repo = {v.repository: k for k, v in lib.items() if v.repository}
    last = {r.rsplit("/", 1)[-1]: k for r, k in by_repo.items()}
    if repo:
        seg = repo.rsplit("/", 1)[-1]
        return by_repo.get(repo) or last.get(seg) or (seg if seg in lib else None)
    if isinstance(name, str):
        return name if name in lib and lib[name].repository else last.get(name)
    return None


def _use(pos: Pos | None, comp: str, kind: str, name: Any) -> str:
    want = _stdlib()[comp].kind
    if want != kind:
        return spelled(pos, f"a {comp} server is a {want}: `kind: {want}` with `use: {comp}`",
                       f'a {comp} server is a {want}: `{want}("{name}").use("{comp}")`')
    return spelled(pos, f"add `use: {comp}`", f'add `.use("{comp}")`')


def fixes(kind: str, data: Any, template: Any) -> Callable[[str, tuple, Pos | None], str | None] | None:
    """The schema check's ``fix`` for a document of ``kind`` (its data ``data`` as one layer
    or merged; ``template`` its `use:` template, if any): the stdlib template it should use."""
    if template is not None or not isinstance(data, dict) or "use" in data:
        return None
    name, image = data.get("name"), data.get("image")

    def fix(what: str, path: tuple, pos: Pos | None) -> str | None:
        if what == "required" and path == ("image",):
            comp = lookalike(name, None)
            if comp is None:
                return None
            return (f"{_use(pos, comp, kind, name)} (the stdlib template gives the image, ports, probes and storage), "
                    + spelled(pos, "or set `image:`", 'or `.image("...")`'))
        if what != "unknown" or len(path) != 1:
            return None
        key = path[0]
        lib = _stdlib()
        comp = lookalike(name, image)
        if comp is not None and key in lib[comp].params:
            return f"`{key}` is a parameter of the stdlib template {comp}: {_use(pos, comp, kind, name)}"
        owners = [c for c, v in lib.items() if key in v.params and v.kind == kind]
        if owners:
            return (f"`{key}` is a parameter of the stdlib templates {', '.join(owners)}: "
                    + spelled(pos, f"add `use: <template>`, e.g. `use: {owners[0]}`",
                              f'add `.use(<template>)`, e.g. `.use("{owners[0]}")`'))
        return None

    return fix
