"""Names that may be missing only because a spec file failed to load: no follow-on errors.

When a spec file cannot be parsed (or read), or one of its documents is not a spec at the
top level (not a mapping, no or unknown `kind`, no string `name`), its workloads are
missing from the run. An overlay that names one of them, a `match` that would select it, a
`--set` for it, a `connect_to`, a reference or an `${apps.<name>...}` to it are then
follow-on errors, located in *other* files; the real problem is already reported where it
is. :class:`Absent` records which names a failed file may have defined, and those checks
ask it before reporting a name as unknown.

The names of a file that did not parse are read from its text, conservatively: every
`name:` (YAML) or `name =` (TOML) value, every string literal that is a DNS label (Python);
a file whose text is unknown (unreadable) or yields no name stands for every name. Names
that do resolve are never affected. This module only collects names; it must not report.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Iterable

# what names a spec in a file that failed to load: patterns as text, which `re` compiles (and
# keeps) when a file first fails, not on every run
_YAML_NAME = r"""(?m)(?:^|[\s{,])["']?name["']?[ \t]*:[ \t]*["']?([A-Za-z0-9][-A-Za-z0-9_.]*)"""
_TOML_NAME = r"""(?m)(?:^|[\s{,])["']?name["']?[ \t]*=[ \t]*["']([A-Za-z0-9][-A-Za-z0-9_.]*)"""
_PY_LABEL = r"""["']([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)["']"""


class Everything(set):
    """A set that holds every name (the names of a file that could not be read)."""

    def __contains__(self, item: object) -> bool:
        return True


class Absent:
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.anything = False  # a failed file whose names are unknown
        self.files: list[str] = []

    def __bool__(self) -> bool:
        return self.anything or bool(self.names)

    def may_define(self, pattern: str) -> bool:
        """Whether a failed file may have defined a workload named ``pattern`` (a name,
        `Kind/name`, or a glob as in `match: {where: {name: ...}}`)."""
        if self.anything:
            return True
        if "/" in pattern:
            pattern = pattern.rsplit("/", 1)[1]
        if pattern in self.names:
            return True
        if any(c in pattern for c in "*?["):
            return any(fnmatch.fnmatchcase(n, pattern) for n in self.names)
        return False

    def invalid(self, names: set[str]) -> set[str]:
        """``names`` (specs left out after errors) with these: what references skip."""
        out = set(names) | self.names
        return Everything(out) if self.anything else out

    def add_file(self, file: str, text: str | None) -> None:
        """A spec file that failed to load, with its text when it was read."""
        self.files.append(file)
        if text is None:
            self.anything = True
            return
        if file.endswith(".py"):
            found = re.findall(_PY_LABEL, text)
        elif file.endswith(".toml"):
            found = re.findall(_TOML_NAME, text)
        else:
            found = re.findall(_YAML_NAME, text)
        if not found:
            self.anything = True
        self.names.update(found)

    def add_docs(self, docs: Iterable[Any]) -> None:
        """Documents left out at the top level (:func:`~skyspec.layers.stack.identify`)."""
        for d in docs:
            name = d.data.get("name") if isinstance(d.data, dict) else None
            if isinstance(name, str):
                self.names.add(name)
            else:
                self.anything = True
