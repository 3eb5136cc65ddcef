"""Resource limits on untrusted input: how large a spec file may be, how deep it may nest,
how many YAML aliases a document may hold and how many values a file may expand to, plus
the bounds on `${...}` expressions (result size, evaluation steps). Spec files come from pull
requests and skyspec runs in hooks and CI jobs that hold credentials, so every bound is on
by default; a project raises or lowers them under `limits:` in its project file (the project
file itself is always read with the defaults). This module only describes and validates
limits and words the diagnostics for a limit passed: it reads no file and imports nothing of
skyspec, so that every stage may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping

__all__ = ["DEFAULT", "Exceeded", "Limits", "LimitsError", "RUN_FACTOR", "hint", "too_deep", "too_many"]

#: All the `${...}` expressions of one run together may build (and inspect) at most
#: ``RUN_FACTOR * expr_chars`` characters and list or map items (64 MiB by default), so that
#: many specs each just under the per-expression limits still cannot exhaust memory.
RUN_FACTOR = 64


def _limit(default: int, minimum: int, maximum: int, doc: str) -> Any:
    return field(default=default, metadata={"minimum": minimum, "maximum": maximum, "doc": doc})


@dataclass(frozen=True)
class Limits:
    """The limits in force for one project. Every field is an integer with a documented
    default and range; the project file's `limits:` mapping uses the same names."""

    file_bytes: int = _limit(
        4 * 1024 * 1024, 1, 1024 ** 3,
        "Largest spec, overlay or template file, in bytes (default 4 MiB); checked before the file is "
        "read. Aliases may not expand a YAML document's text beyond it either.")
    aliases: int = _limit(
        1000, 0, 1_000_000,
        "YAML aliases (`*name`, including those after a `<<` merge key) per document. What they "
        "expand to is bounded by `nodes`, which counts each alias as a full copy.")
    nodes: int = _limit(
        200_000, 1, 100_000_000,
        "Values (mapping keys included) per file, counting every alias as a full copy of what it "
        "refers to.")
    depth: int = _limit(
        64, 1, 256,
        "Nesting of mappings and lists (the document itself is level 1); at most 256, which "
        "every stage of the compiler handles.")
    expr_chars: int = _limit(
        1024 * 1024, 1, 1024 ** 3,
        "Longest string a `${...}` expression may produce, in characters (default 1 MiB). All the "
        "expressions of a run together may build at most 64 times this many characters and items.")
    expr_items: int = _limit(
        100_000, 1, 100_000_000,
        "Most items in a list or map a `${...}` expression may produce, counting every item of the "
        "lists and maps nested in it.")
    expr_steps: int = _limit(
        100_000, 1, 1_000_000_000,
        "Evaluation steps for the expressions of one spec.")

    def __post_init__(self) -> None:
        for f in fields(self):
            check(f.name, getattr(self, f.name))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> "Limits":
        """Limits from a project file's `limits:` mapping: the defaults, with the keys given
        replaced. Unknown keys, non-integers and values out of range raise
        :class:`LimitsError` (naming the key)."""
        if data is None:
            return DEFAULT
        if not isinstance(data, Mapping):
            raise LimitsError(None, "`limits` must be a map of limit names to integers")
        known = {f.name for f in fields(cls)}
        for key, value in data.items():
            if key not in known:
                raise LimitsError(key, f'unknown limit "{key}"; limits: {", ".join(sorted(known))}')
            check(key, value)
        return cls(**data) if data else DEFAULT


class LimitsError(ValueError):
    """An invalid `limits:` entry; ``key`` is the offending key (None for the whole map)."""

    def __init__(self, key: str | None, message: str):
        super().__init__(message)
        self.key = key


def check(name: str, value: Any) -> None:
    """Raise :class:`LimitsError` unless ``value`` is an allowed value of limit ``name``."""
    meta = _META[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise LimitsError(name, f"limit {name} must be an integer, not {value!r}")
    if not meta["minimum"] <= value <= meta["maximum"]:
        raise LimitsError(name, f"limit {name} must be between {meta['minimum']:,} and {meta['maximum']:,}, "
                                f"not {value:,}")


def hint(name: str, value: int) -> str:
    """The help line of a diagnostic for an exceeded limit: how to raise it, and its ceiling."""
    top = _META[name]["maximum"]
    return (f"the limit is {value:,}; a project that needs more sets `limits: {{{name}: N}}` "
            f"in its project file (at most {top:,})")


class Exceeded(Exception):
    """Raised inside a loader when its input passes a limit (or is otherwise refused) at
    ``pos``; the loader reports it with :meth:`report` and keeps nothing of the file."""

    def __init__(self, code: str, message: str, pos: Any, limit: str | None = None, value: int = 0):
        super().__init__(message)
        self.code, self.message, self.pos, self.limit, self.value = code, message, pos, limit, value

    def report(self, diags: Any) -> None:
        diags.error(self.code, self.message, self.pos, hint=hint(self.limit, self.value) if self.limit else None)


def too_deep(pos: Any, limits: Limits) -> Exceeded:
    return Exceeded("SKY009", f"this value is nested more than {limits.depth} levels deep", pos, "depth",
                    limits.depth)


def too_many(pos: Any, limits: Limits) -> Exceeded:
    return Exceeded("SKY016", f"the file has more than {limits.nodes:,} values (an alias counts as a copy of "
                              f"what it refers to)", pos, "nodes", limits.nodes)


def describe() -> list[tuple[str, int, int, int, str]]:
    """``(name, default, minimum, maximum, doc)`` of every limit, for the JSON Schema."""
    return [(f.name, f.default, f.metadata["minimum"], f.metadata["maximum"], f.metadata["doc"])
            for f in fields(Limits)]


_META = {f.name: f.metadata for f in fields(Limits)}
DEFAULT = Limits()
