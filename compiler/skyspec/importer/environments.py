"""Environments from several renderings of one system: each rendering (a folder of manifests,
or `helm template` with one values file) is imported on its own, then the specs keep what
every environment shares (or what a given base says) and one overlay per environment holds
only the differences (`apps.<name>: {...}`; `null` deletes; lists and scalars replace). The
built-in dev/prod profiles are neutralised where they would change the input (replicas in
dev, `pdb`/`spread` settings), the project is built for every environment and each one is
compared with its own rendering. It writes nothing itself and never writes a Secret's value.
"""

from __future__ import annotations

from .kube import Extracted
from .source import NOT_OBJECT, Inputs

DEV_REPLICAS_KINDS = ("App",)


def common(docs: list):
    """What all of ``docs`` share: maps recursively, anything else only when equal."""
    first = docs[0]
    if all(isinstance(d, dict) for d in docs):
        out = {}
        for k, v in first.items():
            if all(k in d for d in docs[1:]):
                c = common([d[k] for d in docs])
                if c is not _NONE and (c != {} or all(d[k] == {} for d in docs)):
                    out[k] = c
        return out
    return first if all(d == first for d in docs[1:]) else _NONE


_NONE = object()


def diff(base: dict, env: dict) -> dict:
    """The overlay section that turns ``base`` into ``env``."""
    out: dict = {}
    for k, v in env.items():
        if k not in base:
            out[k] = v
        elif isinstance(base[k], dict) and isinstance(v, dict):
            d = diff(base[k], v)
            if d:
                out[k] = d
        elif isinstance(base[k], dict) or isinstance(v, dict):
            out[f"{k}!"] = v
        elif base[k] != v:
            out[k] = v
    for k in base:
        if k not in env:
            out[k] = None
    return out


def _key(doc: dict) -> tuple[str, str]:
    return doc["kind"], doc["name"]


def split(results: dict, base=None, inputs: Inputs | None = None) -> tuple[list[Extracted], dict[str, dict], list[str]] | None:
    """(spec items, {env: overlay data}, notes) from {env: Result} (and a base Result); None
    when the renderings do not hold the same objects (reported in ``inputs``)."""
    per = {env: {_key(x.doc): x for x in r.items if not x.doc["kind"].startswith("_")} for env, r in results.items()}
    keys = [set(d) for d in per.values()] + ([{_key(x.doc) for x in base.items if not x.doc["kind"].startswith("_")}]
                                            if base else [])
    if any(k != keys[0] for k in keys[1:]):
        inputs = inputs or Inputs()
        everywhere = set.intersection(*keys)
        envs = [f"environment {e}" for e in results] + (["the base"] if base else [])
        rs = list(results.values()) + ([base] if base else [])
        for env, r in zip(envs, rs):
            for x in r.items:
                if not x.doc["kind"].startswith("_") and _key(x.doc) not in everywhere:
                    missing = [e for e, k in zip(envs, keys) if _key(x.doc) not in k]
                    inputs.diags.error(
                        NOT_OBJECT, f"{x.doc['kind']} {x.doc['name']} of {env} is not in "
                        f"{', '.join(missing)}", inputs.pos(x.objects[0], ("metadata", "name")) if x.objects else None,
                        hint="every rendering must hold the same workloads and objects (an environment may differ "
                             "in their fields only): import them apart, or leave the odd objects out")
        return None
    bdocs = {_key(x.doc): x.doc for x in base.items} if base else None
    items: list[Extracted] = []
    overlays: dict[str, dict] = {env: {} for env in results}
    notes: list[str] = []
    for key in sorted(keys[0]):
        docs = {env: {k: v for k, v in d[key].doc.items() if not k.startswith("_")} for env, d in per.items()}
        spec = dict(bdocs[key]) if bdocs else common(list(docs.values()))
        spec = {k: v for k, v in spec.items() if not k.startswith("_")}
        first = next(iter(per.values()))[key]
        items.append(Extracted({**{k: v for k, v in first.doc.items() if k.startswith("_")}, **spec}, [], []))
        for env, d in docs.items():
            section = diff(spec, d)
            if env == "dev" and key[0] in DEV_REPLICAS_KINDS and "autoscale" not in d and "replicas" not in section:
                section["replicas"] = d.get("replicas", 1)   # the dev profile sets 1 above the spec
            if section:
                overlays[env].setdefault("apps", {})[key[1] if key[0] in ("App", "StatefulApp", "Job", "CronJob")
                                                     else f"{key[0]}/{key[1]}"] = section
    for env, r in results.items():
        pdb = any(x.doc["kind"] == "_settings" and x.doc["settings"].get("pdb") for x in r.items)
        if pdb or env == "prod":
            overlays[env]["settings"] = {"pdb": pdb, **({"spread": []} if env == "prod" else {})}
        n = sum(len(s) for s in (overlays[env].get("apps") or {}).values())
        notes.append(f"environment {env}: {n} values differ from the specs")
    return items, overlays, notes
