"""Record: the base of the data classes that every run makes at startup (the IR's, the
project's, the cost estimate's, the output plan's...), in place of ``@dataclass``, which
generates the source of each class's __init__, __repr__ and __eq__ and compiles it at
import: ~2.3M instructions per KB of generated source, 10% of a 100-app build for the
classes on its path. A Record class writes its ``__init__`` (its parameters are its fields,
in order; a field whose dataclass default was a factory defaults to :data:`NEW`); this
base gives what the decorator did: equality (the same class and equal fields, compared as
a tuple), no hash (a mutable value, as a dataclass with ``eq=True``), the same repr
(recursion-safe), ``__match_args__``. A class may declare ``__slots__`` (this base's are
empty, so such a class has no __dict__, as with ``slots=True``). tests/test_records.py
holds each class equal in behaviour to the dataclass it replaced. This module imports
nothing of skyspec; a class that needs `dataclasses.fields` or `replace`, `frozen`, or
per-field options (``repr=False``, ``init=False``...) stays a dataclass.
"""

from __future__ import annotations

from reprlib import recursive_repr
from typing import Any

NEW: Any = object()
"""The default of a parameter whose field starts as a new object of its own (an empty list,
dict or set, a default object...), as a dataclass's ``field(default_factory=...)``: an
argument, None included, is kept as given."""


class Record:
    """The base of a data class that writes its ``__init__`` (see the module's docstring)."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__init__.__code__
        cls._fields = cls.__match_args__ = code.co_varnames[1:code.co_argcount]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return tuple(getattr(self, f) for f in self._fields) == tuple(getattr(other, f) for f in self._fields)
        return NotImplemented

    @recursive_repr()
    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self._fields)})"
