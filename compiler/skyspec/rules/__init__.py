"""Policy rules, one module each (the yamllint style): `rules/<id with underscores>.py`.

A rule module's docstring *is* its documentation: a first line (the rule's title, a short
phrase), an explanation, and at least one `PASS:` and one `FAIL:` example, each a fenced
```yaml block of spec documents. In a FAIL example every line the rule reports ends with a
`# <-` comment; the tests compile each example through the real pipeline and check that
the rule reports exactly those lines (and nothing for a PASS example). `docs/rules.md` is
rendered from the docstrings.

Constants: `ID` (kebab-case), `CODE` (`SKY4nn`, one per rule), `SEVERITY` (`error` or
`warning`), optionally `PROTECTED_SEVERITY` (the default in protected environments) and
`PROTECTED_ONLY = True` (the rule does not run elsewhere). One function:
`check(ir, ctx)` yields `(position, message, hint)` for each violation, the position in
the user's spec (`w.spec.where(...)`). The `policy` pass runs the rules in :data:`RULES`
and reports each finding with the rule's code at the configured severity. What is read from
the docstrings (:func:`doc`, the codes' registry entries, `docs/rules.md`) is in
:mod:`._docs`, loaded when first asked for: a build runs the rules, it never reads their docs.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

MARK = "# <-"
UNKNOWN_RULE = ("SKY400", "unknown policy rule in `policy.rules`", "policy: {rules: {lates-image: warning}}")


def _discover() -> tuple[ModuleType, ...]:
    mods = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"{__name__}.{info.name}"))
    return tuple(mods)


RULES: tuple[ModuleType, ...] = _discover()
BY_ID: dict[str, ModuleType] = {r.ID: r for r in RULES}


def protected_severity(rule: ModuleType) -> str:
    return getattr(rule, "PROTECTED_SEVERITY", rule.SEVERITY)


_DOCS = ("Example", "RuleDoc", "doc", "rule_codes", "all_codes", "rules_md")


def __getattr__(name: str):
    """The names of :mod:`._docs`, imported on first use (PEP 562)."""
    if name in _DOCS:
        from . import _docs

        return getattr(_docs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
