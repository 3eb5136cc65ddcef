"""The front end of Python spec files: a `.py` file matched by a project's `specs` globs is
run, and every builder (:mod:`skyspec.builders`) created while it runs becomes a spec
document, positioned at the user's calls.

:func:`load_python` is what :func:`skyspec.frontend.load_file` calls for a ``.py`` file when
its caller passes it as ``python=`` (the loaders of spec files, overlays and templates);
the front end itself never imports the builders. This module only runs the file and
collects documents: it must not compile them (no pipeline, project or backends here).

- The file runs with :func:`runpy.run_path` in globals of its own, ``__name__ ==
  "__skyspec__"`` (so ``if __name__ == "__main__":`` blocks are skipped), with its folder
  first on ``sys.path`` (it may import helper modules beside it).
- Documents: every builder instantiated during the run (in creation order), plus builders
  and AppGroups left in the module's globals (e.g. imported from a module loaded earlier),
  plus everything attached to them (secrets, configs, roles, connected workloads...).
  Creating two builders of one kind and name is the duplicate-name error it is in YAML.
- ``generate().to_yaml(...)`` and the other writers do nothing while the file is loaded
  for a build: the build writes the outputs.
- An exception raised by the file (a ``NotImplementedError`` for a Celestra feature outside
  the language, a ``TypeError``, a syntax error...) is a located SKY003 error at the line of
  the file that failed, never a crash; the file then contributes no documents.
- ``for_environment()`` cannot be honoured in a project build (environments differ by
  overlays): it is an error at the call.
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback
from pathlib import Path

from ..diagnostics import Diagnostics, Pos
from ..frontend.loc import SourceDoc
from . import _base
from ._base import _closure, _Doc, _namer, source_docs
from .groups import AppGroup
from .positions import _frame_pos, _internal


def load_python(path: Path, shown: str, diags: Diagnostics) -> list[SourceDoc]:
    """Run the spec file at ``path`` (``shown`` in diagnostics) and return the documents of
    the builders it made; its failures are diagnostics."""
    run_path = str(path)
    folder = str(Path(run_path).resolve().parent)
    registry: list = []
    _base._COLLECTORS.append(registry)
    _base._LOADING[0] += 1
    sys.path.insert(0, folder)
    module_globals: dict = {}
    try:
        module_globals = runpy.run_path(run_path, run_name="__skyspec__")
    except KeyboardInterrupt:
        raise
    except SystemExit as exc:
        if exc.code not in (None, 0):
            diags.error("SKY003", f"{shown} exited with status {exc.code!r} while loading its specs", Pos(shown, 1, 1),
                        hint="a spec file should define builders; guard script code with "
                             '`if __name__ == "__main__":`')
            return []
    except BaseException as exc:  # noqa: BLE001 - every failure of user code becomes a diagnostic
        _report(exc, run_path, shown, diags)
        return []
    finally:
        try:
            sys.path.remove(folder)
        except ValueError:  # pragma: no cover - the file removed it itself
            pass
        _base._LOADING[0] -= 1
        _base._COLLECTORS.remove(registry)

    roots: list = list(registry)
    for value in module_globals.values():
        if isinstance(value, (_Doc, AppGroup)):
            roots.append(value)
    builders = _closure(roots)
    conv = _namer({run_path: shown, os.path.abspath(run_path): shown})
    for b in builders:
        for env, raw in b._envs:
            diags.error("SKY108", f'for_environment("{env}") cannot restrict {b.kind} "{b.name}" to one environment '
                                  "in a project build", conv(raw),
                        hint="environments differ by overlays here: drop for_environment() and set what differs "
                             f"in overlays/<env>.yaml (`apps: {{{b.name}: {{...}}}}`)")
    # the documents even so: the error stops the build, and their names stay known
    return source_docs(builders, conv)


def _report(exc: BaseException, run_path: str, shown: str, diags: Diagnostics) -> None:
    """The exception as a SKY003 error at the line of the spec file that raised it."""
    target = os.path.abspath(run_path)
    pos = Pos(shown, 1, 1)
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == target:
        end = exc.end_offset if getattr(exc, "end_lineno", None) == exc.lineno and exc.end_offset else 0
        pos = Pos(shown, exc.lineno or 1, exc.offset or 1, end or 0)
        diags.error("SKY003", f"invalid Python in {shown}: {exc.msg}", pos,
                    hint="fix the syntax at the line shown (`python3 -m py_compile FILE` reports the same)")
        return
    inner = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if os.path.abspath(code.co_filename) == target:
            _, line, col, end = _frame_pos(code, tb.tb_lasti, tb.tb_lineno)
            pos = Pos(shown, line, col, end)
        elif not _internal(code.co_filename) and not code.co_filename.startswith("<"):
            inner = (code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    notes = []
    if inner is not None and os.path.abspath(inner[0]) != target:
        notes.append(f"raised in {inner[0]}:{inner[1]}")
    hint = None
    if isinstance(exc, NotImplementedError):
        hint = "this Celestra feature is outside the skyspec language; see docs/python-api.md"
    diags.error("SKY003", f"the Python spec file failed: {message}", pos, hint=hint, notes=notes)
