"""Hypothesis strategies for fuzz cases: :func:`cases` draws a whole project
(:func:`fuzz.project.case`) with every choice a hypothesis draw, so a failing case shrinks
towards fewer documents, fewer fields and no mutations. It only generates; running a case is
:mod:`fuzz.harness`'s job.
"""

from __future__ import annotations

from hypothesis import strategies as st

from .gen import HypGen
from .project import Case, case


@st.composite
def cases(draw) -> Case:
    return case(HypGen(draw))
