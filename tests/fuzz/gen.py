"""The source of choices the generators draw from, behind one small interface, so that the
same builders run under hypothesis (:class:`HypGen`: every choice is a draw, so failures
shrink) and under a seeded ``random.Random`` (:class:`RandGen`: fast, and a case is
reproducible from its seed alone). Choices are written so that the *simplest* draw (0,
False, the first item) is the harmless one: shrinking removes mutations first. Nothing here
knows about skyspec.
"""

from __future__ import annotations

import random
from typing import Any, Sequence, TypeVar

T = TypeVar("T")

# Characters that have meaning somewhere: YAML/TOML/expression syntax, case mappings that
# grow (ß, ﬃ, İ), invisible and direction marks, line separators, astral characters.
INTERESTING = (
    "abcxyzAZ019_-./:#{}[]'\"\\,*&!|>%@`$ \t\n"
    "é߃İıﬃŉ\u00a0\u200b\u200d\u202e\u2028\u2029\ufeff\uffff😀𝔘中文ДЖ\x00\x01\x1b\x7f\x85"
)
WORDS = ("a", "api", "x", "${", "}", "$${", "null", "~", "true", "no", "0x1F", "1e3", "-", "--", "'", '"',
         ".inf", "NaN", "<<", "*", "&a", "!!str", "%", "\\", "//", "..", "../", "/etc/passwd", "C:\\x")


class Gen:
    """The choices a builder makes. Subclasses implement :meth:`int` and :meth:`text`."""

    def int(self, lo: int, hi: int) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def raw_text(self, max_size: int) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    # derived choices ------------------------------------------------------------
    def chance(self, p: float) -> bool:
        """True with probability ``p``; the simplest draw is False."""
        if p <= 0:
            return False
        return self.int(0, 999) >= 1000 - int(p * 1000)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.int(0, len(seq) - 1)]

    def weighted(self, pairs: Sequence[tuple[int, T]]) -> T:
        """One item of ``(weight, item)`` pairs; the first item is the simplest."""
        total = sum(w for w, _ in pairs)
        r = self.int(0, total - 1)
        for w, item in pairs:
            if r < w:
                return item
            r -= w
        return pairs[-1][1]

    def subset(self, seq: Sequence[T], lo: int, hi: int) -> list[T]:
        """Distinct positions of ``seq``, between ``lo`` and ``hi`` of them, in ``seq``'s order."""
        hi = min(hi, len(seq))
        n = self.int(min(lo, hi), hi)
        idx = list(range(len(seq)))
        picked = sorted(idx.pop(self.int(0, len(idx) - 1)) for _ in range(n))
        return [seq[i] for i in picked]

    def text(self, max_size: int = 12) -> str:
        """Mostly tame words, sometimes hostile text."""
        k = self.weighted([(6, "word"), (2, "special"), (3, "raw")])
        if k == "word":
            return "".join(self.choice("abcdefghijklmnopqrstuvwxyz0123456789-") for _ in range(self.int(1, 8)))
        if k == "special":
            return self.choice(WORDS)
        return self.raw_text(max_size)


class RandGen(Gen):
    def __init__(self, rng: random.Random):
        self.rng = rng

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def raw_text(self, max_size: int) -> str:
        n = self.rng.randint(0, max_size)
        return "".join(self.rng.choice(INTERESTING) for _ in range(n))


class HypGen(Gen):
    """Choices drawn from a hypothesis ``draw`` (inside ``st.composite``)."""

    def __init__(self, draw: Any):
        from hypothesis import strategies as st

        self.draw = draw
        self._st = st
        self._alpha = st.one_of(st.sampled_from(INTERESTING), st.characters(exclude_categories=["Cs"]))

    def int(self, lo: int, hi: int) -> int:
        return self.draw(self._st.integers(lo, hi))

    def raw_text(self, max_size: int) -> str:
        return self.draw(self._st.text(self._alpha, max_size=max_size))
