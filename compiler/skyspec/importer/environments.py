"""Environments from several renderings of one system: each rendering (a folder of manifests,
or `helm template` with one values file) is imported on its own, then the specs keep what
every environment shares (or what a given base says) and one overlay per environment holds
only the differences (`apps.<name>: {...}`; `null` deletes; lists and scalars replace; an
object some renderings lack is `enabled: false` in their overlays). The built-in dev/prod
profiles are neutralised where they would change the input (replicas in dev, `pdb`/`spread`
settings; what the input leaves unbounded is sized as :mod:`.sizing` says), the project is built for every environment and each one is compared with its own
rendering. It writes nothing itself and never writes a Secret's value.
"""

from __future__ import annotations

from ..layers.merge import OPS
from ..layers.stack import WORKLOAD_KINDS
from ..project import PROFILES
from .kube import Extracted
from .sizing import SIZE, SIZE_LIMITS, unrequested
from .source import NOT_OBJECT, Inputs

DEV_REPLICAS_KINDS = ("App",)
# the kinds whose documents an overlay can leave out of an environment (`enabled: false`)
SWITCHABLE = WORKLOAD_KINDS + ("ConfigMap", "Secret", "ServiceAccount", "Role", "ClusterRole", "NetworkPolicy",
                               "Observability", "Resource")


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
    """The overlay section that turns ``base`` into ``env``, its keys and values written as an
    overlay reads them (:func:`_set`, :func:`_literal`)."""
    out: dict = {}
    for k, v in env.items():
        if k not in base:
            _set(out, k, v)
        elif isinstance(base[k], dict) and isinstance(v, dict):
            if _has_op(k) or any(_has_op(x) for x in base[k] if x not in v):
                # replaced whole: `data-!` (`!` merges nothing), or a key ending in an operator's
                # character to delete (`x-: null` would be `-` of nothing)
                if base[k] != v:
                    out[f"{k}!"] = _literal(v)
            else:
                d = diff(base[k], v)
                if d:
                    out[k] = d
        elif isinstance(base[k], dict) or isinstance(v, dict):
            out[f"{k}!"] = _literal(v)
        elif base[k] != v:
            _set(out, k, v)
    for k in base:
        if k not in env:   # (a key ending in an operator's character: its map is replaced whole, above)
            out[k] = None
    return out


def _has_op(k: str) -> bool:
    """Whether the overlay would read the last character of key ``k`` as an operator."""
    return len(k) > 1 and k[-1] in OPS


def _set(out: dict, k: str, v) -> None:
    """``out[k] = v`` in an overlay: a null value (which an overlay reads as a deletion) and a
    key ending in an operator's character are written with `!`, which sets the value as it is."""
    out[f"{k}!" if v is None or _has_op(k) else k] = _literal(v)


def _literal(v):
    """``v`` as an overlay's new value: the same, but for its maps' null values and keys
    ending in an operator's character (a `k8s:` patch's `targetPort: null`, which deletes the
    field from the object, would otherwise be dropped), written with `!`."""
    if isinstance(v, dict):
        out: dict = {}
        for k, x in v.items():
            _set(out, k, x)
        return out
    if isinstance(v, list):
        return [_literal(x) for x in v]
    return v


def _required(kind: str) -> list[str]:
    """The fields a document of ``kind`` must have (its schema's `required`)."""
    from ..schema import KINDS, load_schema

    return list(load_schema(KINDS[kind]).get("required") or []) if kind in KINDS else []


def _key(doc: dict) -> tuple[str, str]:
    return doc["kind"], doc["name"]


def split(results: dict, base=None, inputs: Inputs | None = None) -> tuple[list[Extracted], dict[str, dict], list[str]] | None:
    """(spec items, {env: overlay data}, notes) from {env: Result} (and a base Result). An
    object that only some renderings hold (what a chart's values enable in some environments)
    is specified from those and `enabled: false` in the others; one of a kind that cannot be
    left out (:data:`SWITCHABLE`) must be in every rendering: else None, each odd object
    reported in ``inputs``."""
    per = {env: {_key(x.doc): x for x in r.items if not x.doc["kind"].startswith("_")} for env, r in results.items()}
    kept = {_key(x.doc): x for x in base.items if not x.doc["kind"].startswith("_")} if base else {}
    bdocs = {key: x.doc for key, x in kept.items()}
    every = set().union(*per.values(), kept)
    odd = [(f"environment {env}", key, d[key]) for env, d in per.items() for key in d
           if key[0] not in SWITCHABLE and any(key not in e for e in per.values())]
    odd += [("the base", key, x) for key, x in kept.items()
            if key[0] not in SWITCHABLE and any(key not in e for e in per.values())]
    if odd:
        inputs = inputs or Inputs()
        for holder, key, x in odd:
            missing = [f"environment {e}" for e, d in per.items() if key not in d]
            inputs.diags.error(
                NOT_OBJECT, f"{key[0]} {key[1]} of {holder} is not in {', '.join(missing)}",
                inputs.pos(x.objects[0], ("metadata", "name")) if x.objects else None,
                hint=f"a {key[0]} document cannot be left out of an environment (`enabled: false`): import the "
                     "renderings apart, or leave the odd objects out")
        return None
    items: list[Extracted] = []
    overlays: dict[str, dict] = {env: {} for env in results}
    notes: list[str] = []
    for key in sorted(every):
        where = [env for env, d in per.items() if key in d]
        docs = {env: {k: v for k, v in per[env][key].doc.items() if not k.startswith("_")} for env in where}
        spec = dict(bdocs[key]) if key in bdocs else common(list(docs.values()))
        spec = {k: v for k, v in spec.items() if not k.startswith("_")}
        if where and len(where) < len(per):
            # left out somewhere (`enabled: false`), the spec must still be whole there: a required
            # field the environments holding it differ in is the first one's, the others' overlays
            # override it (skyspec's own blue-green chart: `worker` in qa and staging, each of
            # another image, and its two colours in prod; prod refused the spec without `image`)
            for k in _required(key[0]):
                if k not in spec and k in docs[where[0]]:
                    spec[k] = docs[where[0]][k]
        first = per[where[0]][key] if where else kept[key]
        items.append(Extracted({**{k: v for k, v in first.doc.items() if k.startswith("_")}, **spec}, [], []))
        name = key[1] if key[0] in WORKLOAD_KINDS else f"{key[0]}/{key[1]}"
        for env in per:
            if env not in docs:   # an object this rendering does not hold
                overlays[env].setdefault("apps", {})[name] = {"enabled": False}
                continue
            d = docs[env]
            section = diff(spec, d)
            if env == "dev" and key[0] in DEV_REPLICAS_KINDS and "autoscale" not in d and "replicas" not in section:
                section["replicas"] = d.get("replicas", 1)   # the dev profile sets 1 above the spec
            if section:
                overlays[env].setdefault("apps", {})[name] = section
        if len(where) < len(per):
            held = f"environment{'s' * (len(where) > 1)} {', '.join(where)} only" if where else "the base only"
            notes.append(f"{key[0]} {key[1]} is in {held}: `enabled: false` in the others")
    for env, r in results.items():
        pdb = any(x.doc["kind"] == "_settings" and x.doc["settings"].get("pdb") for x in r.items)
        if pdb or env == "prod":
            overlays[env]["settings"] = {"pdb": pdb, **({"spread": []} if env == "prod" else {})}
        if env in PROFILES and any(x.doc["kind"] in WORKLOAD_KINDS and unrequested(x.doc) for x in r.items):
            # (the profile's defaults would size it: 64Mi in dev, the limit too)
            overlays[env] = {"defaults": {"resources": dict(SIZE)}, **overlays[env]}
            overlays[env]["settings"] = {**overlays[env].get("settings", {}), "limits": dict(SIZE_LIMITS)}
        n = sum(len(s) for s in (overlays[env].get("apps") or {}).values())
        notes.append(f"environment {env}: {n} values differ from the specs")
    return items, overlays, notes


def overlay_files(overlays: dict[str, dict]) -> dict[str, str]:
    """The text of each environment's overlay file, with what its sections are for."""
    from . import emit
    from .sizing import SIZED_COMMENT

    out = {}
    for env, data in overlays.items():
        said = [w for k, w in (("pdb", "as the input: no PodDisruptionBudget or spread beyond what it had"),
                               ("limits", "each limit the input leaves unsaid: 4x its request"))
                if k in data.get("settings", {})]
        out[f"overlays/{env}.yaml"] = emit.dump(data or {"apps": {}}, {"defaults": SIZED_COMMENT,
                                                                       "settings": "; ".join(said)})
    return out
