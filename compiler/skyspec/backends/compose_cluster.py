"""What a Compose file reads in place of objects the cluster holds, and what it cannot read.

A ConfigMap that exists in the cluster already (`existing: true`) has no entries in the
project: Compose reads them from files the user provides beside the Compose file, the
folder `configs/<configmap>/` (one file per key) for a `config` volume, bind-mounted
read-only (a `sub_path` mounts its file alone), and `configs/<configmap>.env` (`KEY=value`
lines) for an `env_from`, as an `env_file` (an `env_from` prefix it cannot say: SKY506). A
variable of one key of it (`configs:`) has no value there (SKY507). A Secret whose keys are
not known cannot be mounted or passed whole (SKY502): Compose reads a Secret key by key. It computes
entries and reports; it reads no file.
"""

from __future__ import annotations

from typing import Callable

from ..diagnostics import Diagnostics
from ..ir.model import ConfigData, Container, Mount, Workload

CONFIGS_DIR = "./configs"   # beside the Compose file: what existing ConfigMaps hold, which the user provides
KEYS_HINT = ("declare them: `keys: [...]` instead of `existing: true` (Compose reads each key from a variable in "
             ".env, or mounted from ./secrets/<secret>/<key>)")


def config_mount(cm: ConfigData, m: Mount) -> dict:
    """The bind mount of an existing ConfigMap's folder (or of one key's file) at ``m``."""
    source = f"{CONFIGS_DIR}/{cm.name}" + (f"/{m.sub_path}" if m.sub_path else "")
    return {"type": "bind", "source": source, "target": m.path, "read_only": True}


def env_files(config_map: Callable[[str], ConfigData | None], c: Container) -> list[str]:
    """The env files of the existing ConfigMaps container ``c`` takes whole (`env_from`), in
    its order; one with a prefix is left out (:func:`check`)."""
    out = []
    for kind, name, prefix in c.env_from:
        cm = config_map(name) if kind == "config" and not prefix else None
        if cm is not None and cm.existing and f"{CONFIGS_DIR}/{name}.env" not in out:
            out.append(f"{CONFIGS_DIR}/{name}.env")
    return out


def check(w: Workload, c: Container, at: tuple, where: Callable, keys: dict, existing: set[str],
          diags: Diagnostics) -> None:
    """The warnings of container ``c`` (at spec path ``at``) of ``w``: an `env_from` of a
    Secret of unknown ``keys``, or of an ``existing`` ConfigMap with a prefix; a variable of
    one key of an ``existing`` ConfigMap (`configs:`)."""
    for i, (kind, name, prefix) in enumerate(c.env_from):
        if kind == "secret" and keys.get(name) is None:
            diags.warning("SKY502", f'Compose needs the keys of Secret "{name}" to pass it to '
                                    f'"{c.name}": this `env_from` is left out of the Compose file',
                          where(*at, "env_from", i), hint=KEYS_HINT)
        elif kind == "config" and prefix and name in existing:
            diags.warning("SKY506", f'Compose reads existing ConfigMap "{name}" from an env file, which has no '
                                    f'prefix: this `env_from` of "{c.name}" is left out of the Compose file',
                          where(*at, "env_from", i),
                          hint=f"write the prefixed names in {CONFIGS_DIR}/{name}.env and drop `prefix:`, or "
                               "set the variables in `env:`")
    for e in c.env:
        if e.config is not None and e.config[0] in existing:
            diags.warning("SKY507", f'Compose cannot read key "{e.config[1]}" of existing ConfigMap "{e.config[0]}": '
                                    f'variable "{e.name}" of "{c.name}" is left out of the Compose file',
                          where(*(e.origin or at)), hint="set the variable in `env:` in the environments that run "
                                                         "Compose, or declare the ConfigMap's `data:`")


def config_files(ir) -> list[str]:
    """The files of existing ConfigMaps that the Compose file of ``ir`` reads, relative to its
    folder (`configs/<configmap>/`, a folder of one file per key, or one key's file; and
    `configs/<configmap>.env`): the user provides them."""
    existing = {c.name for c in ir.configs if c.existing}
    out: set[str] = set()
    for w in ir.workloads if existing else ():
        vols = {v.name: v for v in w.volumes}
        for c in [*w.containers, *w.init_containers]:
            for m in c.mounts:
                v = vols.get(m.volume)
                if v is not None and v.type == "config" and v.source in existing:
                    out.add(f"configs/{v.source}/" + (m.sub_path or ""))
            out.update(f"configs/{name}.env" for kind, name, prefix in c.env_from
                       if kind == "config" and name in existing and not prefix)
    return sorted(out)
