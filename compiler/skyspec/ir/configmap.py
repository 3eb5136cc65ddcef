"""Lowering of a `kind: ConfigMap` spec into the IR's :class:`~.model.ConfigData`: its entries
from literal `data`, project `files` (read inside the project, a regular file only), and
structured `json` and `yaml` values, one set of keys across the four; or a ConfigMap that
exists in the cluster already (`existing: true`), which nothing generates. A method of the
lowerer (:class:`.lower.Lowerer` binds it); it reports at the spec and reads no file outside
the project.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..contain import contained, note_read
from ..layers.stack import Spec
from .model import IR, ConfigData


def lower_configmap(self, spec: Spec, ir: IR) -> None:
    """A ConfigMap's entries (`data`, `files`, `json`, `yaml`: one set of keys), or `existing:
    true` for one the cluster holds already (nothing generated; it has no entries and no
    patch). ``self`` is the lowerer."""
    d = spec.data
    if d.get("existing"):
        given = [k for k in ("data", "files", "json", "yaml", "k8s") if k in d]
        for k in given:
            self.diags.error("SKY108", f'ConfigMap "{spec.name}" exists already (`existing: true`): it has no `{k}`',
                             spec.where(k), hint=f"remove `{k}`, or `existing` to generate the ConfigMap")
        ir.configs.append(ConfigData(spec.name, self.ns(spec, ir), {}, dict(d.get("labels") or {}),
                                     dict(d.get("annotations") or {}), {}, spec, existing=True))
        return
    data: dict[str, str] = {}
    for k, v in (d.get("data") or {}).items():
        data[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    root = Path(self.project.root)
    for k, rel in (d.get("files") or {}).items():
        # inside the project, a regular file (a FIFO would block the build forever)
        path = contained(root, rel, spec.where("files", k), self.diags, "config file", missing="SKY118")
        if path is None:
            continue
        try:
            raw = path.read_bytes()
            note_read(path, raw)  # for the run cache (what `read_text` reads, newlines as it reads them)
            data[k] = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        except (OSError, UnicodeDecodeError) as e:
            self.diags.error("SKY118", f'cannot read "{rel}": {e.__class__.__name__}', spec.where("files", k),
                             hint="paths are relative to the project file")
    for k, v in (d.get("json") or {}).items():
        try:
            data[k] = json.dumps(v, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
        except ValueError:  # YAML's .nan and .inf have no JSON spelling
            self.diags.error("SKY108", f"json.{k}: NaN and infinity cannot be written as JSON",
                             spec.where("json", k), hint="write a finite number, or a string")
    for k, v in (d.get("yaml") or {}).items():
        from ..yamlemit import dump

        data[k] = dump(v)
    for key in ("data", "files", "json", "yaml"):
        for k in d.get(key) or {}:
            if sum(k in (d.get(o) or {}) for o in ("data", "files", "json", "yaml")) > 1:
                self.diags.error("SKY113", f'key "{k}" is defined twice in ConfigMap "{spec.name}"',
                                 spec.where(key, k), hint="`data`, `files`, `json` and `yaml` share one set of "
                                                          "keys: rename or remove one of them")
    ir.configs.append(ConfigData(spec.name, self.ns(spec, ir), dict(sorted(data.items())),
                                 dict(d.get("labels") or {}), dict(d.get("annotations") or {}),
                                 dict(d.get("k8s") or {}), spec))
