"""Frontend: source files (YAML, TOML, Python builders) into positioned documents."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics, Pos, Sources
from .loc import Loc, SourceDoc, uniform_loc

__all__ = ["Loc", "SourceDoc", "load_file", "load_text", "uniform_loc"]


def load_text(text: str, file: str, diags: Diagnostics) -> list[SourceDoc]:
    """Parse by file extension: .toml is TOML, everything else YAML."""
    if file.endswith(".toml"):
        from .tomlsrc import load_toml

        return load_toml(text, file, diags)
    from .yamlsrc import load_yaml

    return load_yaml(text, file, diags)


def load_file(path: Path, shown: str, diags: Diagnostics, sources: Sources | None = None) -> list[SourceDoc]:
    """Read and parse one file; ``shown`` is the name used in diagnostics."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diags.error("SKY003", f"cannot read {shown}: {exc.__class__.__name__}: {exc}", Pos(shown, 1, 1))
        return []
    if sources is not None:
        sources.register(shown, text)
    if path.suffix == ".py":
        from .pybuild import load_python

        return load_python(path, shown, diags)
    return load_text(text, shown, diags)
