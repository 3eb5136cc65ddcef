"""Frontend: source files (YAML, TOML) into positioned documents.

A ``.py`` spec file is run by the Python builders' front end
(:func:`skyspec.builders.load.load_python`), which sits above this package: a caller that
accepts Python files passes it to :func:`load_file` as ``python=``. The frontend never
imports the builders, the API or the pipeline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..diagnostics import Diagnostics, Pos, Sources
from .loc import Loc, SourceDoc, uniform_loc

__all__ = ["Loc", "PythonLoader", "SourceDoc", "load_file", "load_text", "uniform_loc"]

# (path, shown, diags) -> the documents of a `.py` file
PythonLoader = Callable[[Path, str, Diagnostics], list[SourceDoc]]


def load_text(text: str, file: str, diags: Diagnostics) -> list[SourceDoc]:
    """Parse by file extension: .toml is TOML, everything else YAML."""
    if file.endswith(".toml"):
        from .tomlsrc import load_toml

        return load_toml(text, file, diags)
    from .yamlsrc import load_yaml

    return load_yaml(text, file, diags)


def load_file(path: Path, shown: str, diags: Diagnostics, sources: Sources | None = None,
              python: PythonLoader | None = None) -> list[SourceDoc]:
    """Read and parse one file; ``shown`` is the name used in diagnostics. A ``.py`` file is
    run by ``python`` when given (:func:`skyspec.builders.load.load_python`), else parsed
    like any file that is not TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diags.error("SKY003", f"cannot read {shown}: {exc.__class__.__name__}: {exc}", Pos(shown, 1, 1))
        return []
    if sources is not None:
        sources.register(shown, text)
    if python is not None and path.suffix == ".py":
        return python(path, shown, diags)
    return load_text(text, shown, diags)
