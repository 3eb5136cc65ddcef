"""The spec language's JSON Schemas, gathered: :func:`all_schemas` lists every schema skyspec
publishes and :func:`write_schemas` writes them to a folder (`skyspec schema -o schemas/`; a
test checks the committed files are current). The definitions live by responsibility:
shared fields in :mod:`.fields`, each kind in :mod:`.kinds`, the project and overlay files in
:mod:`.project`, and the editors' combined schemas in :mod:`.editor`. This module only
gathers and serializes; it must not validate or read templates (they are passed in).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence

from .editor import TemplateInfo, editor_schemas
from .kinds import KIND_SCHEMAS
from .project import overlay_schema, project_schema

__all__ = ["TemplateInfo", "all_schemas", "dumps", "overlay_schema", "project_schema", "write_schemas"]


def all_schemas(templates: Sequence[TemplateInfo] = ()) -> dict[str, dict]:
    """file name -> schema, for every schema skyspec publishes. ``templates`` are the
    templates the editors' schemas know the parameters of (the stdlib's, and a project's
    own when written in a project)."""
    out = {f"{kind.lower()}.json": make() for kind, make in KIND_SCHEMAS.items()}
    out["project.json"] = project_schema()
    out["overlay.json"] = overlay_schema()
    out.update(editor_schemas(templates))
    return out


def write_schemas(out_dir, templates: Sequence[TemplateInfo] = ()) -> list[str]:
    from pathlib import Path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for name, schema in sorted(all_schemas(templates).items()):
        (out / name).write_text(dumps(schema), encoding="utf-8")
        names.append(name)
    return names


def dumps(schema: dict) -> str:
    return json.dumps(copy.deepcopy(schema), indent=2, ensure_ascii=False) + "\n"
