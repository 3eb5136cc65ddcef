"""The provenance property: every field of every generated Kubernetes object of a fuzz case
that builds explains down to lines people wrote or documented defaults, as `skyspec explain`
answers it (the walk of tests/provenance_leaves.py, which the examples and a rich project are
held to in tests/test_explain.py and tests/test_provenance.py).

The case's units are compiled in-process (every environment and target, with the case's
`--set` values; a unit that fails is left out, as `check` reports it) with the working folder
at the case's root, where the answers' paths are relative to. Each field that is not traced,
names a spec value without a history, or ends in a leaf without a line or an undocumented
default is a violation (the first few of a case, with their count).
"""

from __future__ import annotations

from pathlib import Path

from .project import Case

SHOWN = 3   # problems quoted per case


def explained(case: Case, proj: Path, res) -> None:
    import provenance_leaves
    from skyspec.pipeline import Session
    from skyspec.project import PROJECT_FILES

    pf = next((proj / n for n in PROJECT_FILES if (proj / n).is_file()), None)
    if pf is None:
        return
    provenance_leaves._lines.cache_clear()  # (files of an earlier case had these names)
    session = Session(pf)
    compiled = session.compile_all(None, case.sets)
    problems, counted, _ = provenance_leaves.field_problems(compiled)
    res.fields_explained = counted
    if problems:
        res.problems.append(f"explain: fields that do not end in lines or documented defaults: {len(problems)} of "
                            f"{counted}, " + "; ".join(problems[:SHOWN]))
