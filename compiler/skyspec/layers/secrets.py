"""Registering secrets with the redactor, from every layer that can hold one.

What is secret: the `data` values of a Secret, however they got there (its document, a
`use:` template of kind Secret, an overlay section or `match` entry that targets a Secret,
`--set`), and of a raw one (`kind: Resource`: its `data` and `stringData`, refused by the
lowering as SKY119); `env:` values that :func:`skyspec.redact.credential_env` calls credentials (the
rule SKY406 reports); and a `credentials` template parameter that does not name a declared
Secret (so it may be the password itself). Each layer document is registered as read,
before merging (its lines and values), and the merged specs again after layering and after
`${...}` resolution (values from every layer, with the lines of every layer that wrote
them, and the values they replaced). Expression results derived from a secret are
registered by the resolver (``skyspec.layers.expr``).

This module only registers: it must not report diagnostics, change the data, or scrub
(that is :class:`skyspec.redact.Redactor`, at rendering).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..frontend.loc import Loc
from ..provenance import MISSING, Prov
from ..redact import Redactor, credential_env
from .merge import split_op

_EXPR = r"\$\{[^}]*\}?"  # compiled by `re` when a secret value first holds `${`
# where a spec can hold `env:` maps and `credentials` (the containers, a template's backup)
PLACES = frozenset({"env", "credentials", "sidecars", "init", "backup"})


def _base(key: Any) -> Any:
    return split_op(key)[0] if isinstance(key, str) else key


def _add(red: Redactor, value: Any) -> None:
    """Register ``value``; of a string still holding `${...}`, its literal text (the
    result is registered once resolved)."""
    if isinstance(value, str) and "${" in value:
        for piece in re.split(_EXPR, value):
            red.add(piece)
    elif isinstance(value, dict):
        for v in value.values():
            _add(red, v)
    elif isinstance(value, list):
        for v in value:
            _add(red, v)
    else:
        red.add(value)


def _hide(red: Redactor, loc: Loc | None) -> None:
    """Hide every line of ``loc``'s value (keys too)."""
    stack = [loc]
    while stack:
        loc = stack.pop()
        if loc is None:
            continue
        red.hide_line(loc.pos.file, loc.pos.line)
        for p in (loc.keys or {}).values():
            if p is not None:
                red.hide_line(p.file, p.line)
        kids = loc.kids
        stack.extend(kids.values() if isinstance(kids, dict) else kids or [])


def _secret(red: Redactor, data: Any, loc: Loc | None) -> None:
    """A Secret's document, or a layer's patch onto one: every line hidden, `data` values
    (or a patch that is not even a map) registered."""
    _hide(red, loc)
    if isinstance(data, dict):
        for k, v in data.items():
            if _base(k) == "data":
                _add(red, v)
    else:
        _add(red, data)


def _plain(red: Redactor, data: Any, loc: Loc | None, top: bool = True) -> None:
    """Credentials in `env:` maps, and `credentials` that name no Secret, in a layer's
    spec document (or patch onto one)."""
    if isinstance(data, list):
        for i, v in enumerate(data):
            _plain(red, v, loc.child(i) if loc is not None else None, False)
        return
    if not isinstance(data, dict):
        return
    for raw, v in data.items():
        k = _base(raw)
        if top and k not in PLACES:
            continue
        child = loc.child(raw) if loc is not None else None
        if k == "env" and isinstance(v, dict):
            for rn, val in v.items():
                if credential_env(_base(rn), val):
                    _add(red, val)
                    _hide(red, child.child(rn) if child is not None else None)
                    kp = child.key_pos(rn) if child is not None else None
                    if kp is not None:
                        red.hide_line(kp.file, kp.line)
        elif k == "credentials" and _maybe_password(red, v):
            _add(red, v)
            _hide(red, child)
        else:
            _plain(red, v, child, False)


def _maybe_password(red: Redactor, value: Any) -> bool:
    """A `credentials` value that is not the name of a declared Secret."""
    return not (isinstance(value, str) and value in red.secret_names) and value is not None


# --------------------------------------------------------------------------- layer documents

def register_docs(docs: Iterable, red: Redactor) -> None:
    """The spec documents (before `identify`, so a rejected Secret counts too)."""
    docs = [d for d in docs if isinstance(d.data, dict)]
    for d in docs:
        if d.data.get("kind") == "Secret" and isinstance(d.data.get("name"), str):
            red.secret_names.add(d.data["name"])
    for d in docs:
        if d.data.get("kind") == "Secret":
            _secret(red, d.data, d.loc)
        else:
            _plain(red, d.data, d.loc)
        manifest = d.data.get("manifest") if d.data.get("kind") == "Resource" else None
        if isinstance(manifest, dict) and manifest.get("kind") == "Secret":   # a raw Secret (refused:
            red.raw_secrets.add(str(d.data.get("name")))                       # SKY119): its values and lines
            _raw_secret(red, manifest, d.loc.child("manifest") if d.loc is not None else None)


def _raw_secret(red: Redactor, manifest: Any, loc: Loc | None) -> None:
    """A raw Secret's manifest (`kind: Resource`), or a layer's patch onto one: the values and
    lines of its `data` and `stringData`."""
    if isinstance(manifest, dict):
        for k, v in manifest.items():
            if _base(k) in ("data", "stringData"):
                _add(red, v)
                _hide(red, loc.child(k) if loc is not None else None)


def register_overlay(doc, red: Redactor) -> None:
    """An overlay file, before it is validated: sections that target a Secret (`apps:
    {NAME: ...}`, `match` with `where: {kind: Secret}`), and credentials anywhere."""
    data, loc = doc.data, doc.loc
    if not isinstance(data, dict):
        return
    for k in ("all", "defaults"):
        _plain(red, data.get(k), loc.child(k))
    apps, aloc = data.get("apps"), loc.child("apps")
    if isinstance(apps, dict):
        for name, section in apps.items():
            _plain(red, section, aloc.child(name) if aloc is not None else None)
            if isinstance(name, str) and name in red.raw_secrets and isinstance(section, dict):
                mloc = aloc.child(name) if aloc is not None else None
                _raw_secret(red, section.get("manifest"), mloc.child("manifest") if mloc is not None else None)
            if isinstance(name, str) and (name in red.secret_names or name.startswith("Secret/")):
                _secret(red, section, aloc.child(name) if aloc is not None else None)
                kp = aloc.key_pos(name) if aloc is not None else None
                if kp is not None:
                    red.hide_line(kp.file, kp.line)
    matches = data.get("match")
    for i, entry in enumerate(matches if isinstance(matches, list) else []):
        where = entry.get("where") if isinstance(entry, dict) else None
        eloc = loc.find(("match", i))
        patch, ploc = entry.get("patch") if isinstance(entry, dict) else None, eloc.child("patch") if eloc else None
        if isinstance(where, dict) and where.get("kind") == "Secret":
            _secret(red, patch, ploc)
        else:
            _plain(red, patch, ploc)


def register_template(data: Any, loc: Loc | None, red: Redactor) -> None:
    """A `use:` template's document: the `spec` of a Secret template, credentials anywhere."""
    if not isinstance(data, dict):
        return
    spec = data.get("spec")
    sloc = loc.child("spec") if loc is not None else None
    if data.get("kind") == "Secret":
        _secret(red, spec, sloc)
    else:
        _plain(red, spec, sloc)


def register_set(path: str, raw: str, red: Redactor) -> None:
    """One `--set PATH=VALUE`: a Secret's data, a credential in env, a `credentials`."""
    import yaml

    parts = path.split(".")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    name, last = parts[0], _base(parts[-1])
    secret = name in red.secret_names or name.startswith("Secret/")
    if secret and (len(parts) == 1 or _base(parts[1]) == "data") or credential_env(last, value) \
            or last == "credentials" and _maybe_password(red, value):
        red.add(raw)
        _add(red, value)


# --------------------------------------------------------------------------- merged specs

def _history(red: Redactor, node: Prov | None, values: bool, keep=None) -> None:
    """Hide the line of every layer that wrote ``node`` (and its children); with
    ``values``, register what they replaced (``keep`` decides which)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        for e in node.hist:
            if e.pos is not None:
                red.hide_line(e.pos.file, e.pos.line)
            if values and e.replaced is not MISSING and (keep is None or keep(e.replaced)):
                _add(red, e.replaced)
        if node.key is not None:
            red.hide_line(node.key.file, node.key.line)
        kids = node.kids
        stack.extend(kids.values() if isinstance(kids, dict) else kids or [])
        stack.extend((node.gone or {}).values())


def register_specs(specs: Iterable, red: Redactor) -> None:
    """The layered specs (call again once `${...}` resolved): values from every layer."""
    specs = list(specs)
    for s in specs:
        if s.kind == "Secret":
            red.secret_names.add(s.name)
    for s in specs:
        if s.kind == "Secret":
            _add(red, s.data.get("data"))
            _history(red, s.prov.find(("data",)), True)
        else:
            _merged(red, s.data, s.prov)


def _merged(red: Redactor, data: Any, prov: Prov | None, top: bool = True) -> None:
    if isinstance(data, list):
        for i, v in enumerate(data):
            _merged(red, v, prov.child(i) if prov is not None else None, False)
        return
    if not isinstance(data, dict):
        return
    for k, v in data.items():
        if top and k not in PLACES:
            continue
        node = prov.child(k) if prov is not None else None
        if k == "env" and isinstance(v, dict):
            for name, val in v.items():
                if _credential(name, val):
                    _add(red, val)
                    _history(red, node.child(name) if node is not None else None, True,
                             lambda old, name=name: credential_env(name, old) is not None)
        elif k == "credentials" and _maybe_password(red, v):
            _add(red, v)
            _history(red, node, True, lambda old: _maybe_password(red, old))
        else:
            _merged(red, v, node, False)


_CREDENTIAL: dict[tuple, bool] = {}


def _credential(name: Any, value: Any) -> bool:
    """Whether :func:`credential_env` calls ``name: value`` a credential, once per name and
    value (every environment's merged specs hold mostly the same `env:` entries)."""
    if type(value) not in (str, int, float, bool) or type(name) is not str:
        return credential_env(name, value) is not None
    key = (name, type(value), value)  # (1, 1.0 and True are equal keys, not the same value)
    got = _CREDENTIAL.get(key)
    if got is None:
        if len(_CREDENTIAL) >= 65536:  # a long session (the language server): kept bounded
            _CREDENTIAL.clear()
        got = _CREDENTIAL[key] = credential_env(name, value) is not None
    return got
