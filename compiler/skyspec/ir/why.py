"""Derivations: why a value the lowering or a pass produced is what it is.

A :class:`Why` names the :class:`Rule` that made a value (a short, stable name and a
one-line reason) and the inputs it read, each an :class:`In`: a value of a spec (its
:class:`~skyspec.provenance.Prov` holds its history), an environment setting (the profile's
or an overlay's `settings:`), a value of the project file, a documented default (a named
constant of a skyspec module, `passes/size.py: CPU_LIMIT_FACTOR`), or another derivation.
Whoever makes a value records its Why where it makes it (``w.why["cpu_limit"] = ...``);
`skyspec explain` unfolds it into the chain down to the lines people wrote.

Records are references only: a spec and a path, the IR and a settings path, a module name
and a constant name. Nothing is looked up, located or formatted here or when a record is
made (that is :mod:`skyspec.explain.derive`, on demand), so recording costs a tuple. This
module must not read files, provenance or positions.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..provenance import MISSING


class Rule(NamedTuple):
    name: str     # stable, `<pass or stage>.<what>`: "size.cpu-limit"
    reason: str   # one line: what the rule does


class In(NamedTuple):
    """One input a rule read.

    kind    src                         path
    spec    the Spec, or :data:`OWN`    the spec path of the value
    setting the IR (its ``inputs``)    the key path under the environment's `settings:`
    project the IR (its ``inputs``)    the path in the project file
    default a module's name             (CONSTANT, key...): a documented default
    why     a :class:`Why`              (): a value another rule derived
    """

    kind: str
    src: Any
    path: tuple = ()
    label: str = ""   # what this input is to the rule ("the CPU request"); empty: its path says it


class Why(NamedTuple):
    rule: Rule
    inputs: tuple = ()
    value: Any = MISSING   # the value made, for a derivation read as another one's input


class Inputs(NamedTuple):
    """What the settings and project inputs of an IR's derivations are read against (the
    pipeline sets ``IR.inputs``): the project, the environment, and the layers whose
    `settings:` apply, in order (each with ``layer``, ``data`` and ``doc.loc``)."""

    project: Any
    env: Any
    settings: tuple = ()


class _Own:
    """The spec of the workload a record is kept on, whichever it is: a record that reads
    only its own workload's values is made once and shared by every workload (`explain`
    resolves it against the object it explains)."""

    def __repr__(self) -> str:
        return "<own spec>"


OWN: Any = _Own()


def spec(s: Any, *path: Any, label: str = "") -> In:
    return In("spec", s, path, label)


def own(*path: Any, label: str = "") -> In:
    """A value of the spec of the workload the record is kept on (see :data:`OWN`)."""
    return In("spec", OWN, path, label)


def default(module: str, name: str, *key: Any, label: str = "") -> In:
    """A documented default: constant ``name`` of module ``module`` (its ``__name__``), or
    the item ``key`` of it."""
    return In("default", module, (name, *key), label)


def setting(ir: Any, *path: Any, label: str = "") -> In:
    return In("setting", ir, path, label)


def project(ir: Any, *path: Any, label: str = "") -> In:
    return In("project", ir, path, label)


def derived(w: Why, label: str = "") -> In:
    return In("why", w, (), label)


def setting_or(ir: Any, key: str, module: str, name: str, *dkey: Any, label: str = "") -> In:
    """The environment setting ``key`` (its dotted parts) when it is set, else the default."""
    parts = tuple(key.split("."))
    node: Any = ir.settings
    for p in parts:
        if not isinstance(node, dict) or p not in node:
            return In("default", module, (name, *dkey), label)
        node = node[p]
    return In("setting", ir, parts, label)


def port(w: Any, name: str | None = None, label: str = "") -> In:
    """The spec line that declared port ``name`` of workload ``w`` (all its ports when None):
    `ports.<name>`, or the `port:` shorthand."""
    s = w.spec
    ports = (s.data.get("ports") or {}) if s is not None else {}
    if name is None:
        return In("spec", s, ("ports",) if ports else ("port",), label or "the ports")
    return In("spec", s, ("ports", name) if name in ports else ("port",), label or "the port")
