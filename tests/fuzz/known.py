"""Crash sites and property violations the fuzzer finds that belong to another part of
issue #11 (each with the part that owns the fix): the CI test tolerates them and the
campaign reports them apart, so that a *new* site still fails. An entry is removed when the
fix is merged. Nothing else may go here: a crash in this branch's own area is fixed, with a
reproducer in tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import re

# site ("ExceptionType skyspec/path.py:LINE", the line ignored) -> the owner of the fix
KNOWN_SITES: dict[str, str] = {}

# a regular expression over the violation's text -> the owner of the fix
KNOWN_PROBLEMS: dict[str, str] = {}


def _strip_line(site: str) -> str:
    return re.sub(r":\d+$", "", site or "")


def known_site(site: str | None) -> str:
    s = _strip_line(site or "")
    return next((owner for k, owner in KNOWN_SITES.items() if _strip_line(k) == s), "")


def known_problem(text: str) -> str:
    return next((owner for rx, owner in KNOWN_PROBLEMS.items() if re.search(rx, text)), "")
