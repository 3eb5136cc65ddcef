"""Overlays and `--set` values for a generated project: `defaults`, `settings`, `all`,
`match` and `apps` sections whose patches use every operator (`key+` extends, `key!`
replaces, `key-` removes, `null` deletes, `${super...}` reads the layer beneath). In a clean
case an operator is used only where it applies (removing what the document has, extending a
value of the same type); when the case mutates, anything goes. It only builds data and text
from a :class:`~fuzz.values.Ctx`; it never runs the compiler.
"""

from __future__ import annotations

from typing import Any

from .serialize import damage, to_toml, to_yaml
from .values import KIND_FILES, WORKLOADS, Ctx, expression, hostile, load_schema, value

PATCH_KEYS = ("replicas", "image", "env", "args", "command", "labels", "ports", "resources", "expose", "autoscale",
              "connect_to", "health", "volumes", "strategy", "storage", "security", "annotations", "schedule",
              "node_selector", "spread", "secrets", "k8s", "data", "keys", "rules", "level")
COMMON_KEYS = ("env", "labels", "annotations", "resources", "node_selector", "security")  # every workload kind
REQUIRED = {"image", "schedule", "kind", "name", "rules", "level", "manifest", "apps"}


def patch(ctx: Ctx, kind: str = "App", base: dict | None = None, common: bool = False) -> dict:
    """A patch for a document of ``kind`` (whose own data is ``base``, when known)."""
    g = ctx.g
    schema = load_schema(KIND_FILES.get(kind, "app"))
    ctx.defs = schema.get("$defs", {})
    ctx.kind = kind
    props = schema["properties"]
    pool = COMMON_KEYS if common and not ctx.bad(3) else PATCH_KEYS
    base = base if isinstance(base, dict) else {}
    keys = [k for k in pool if k in props] or [k for k in props if k not in ("kind", "name")]
    if not ctx.bad(3):  # connections from an overlay could close a cycle; ports beside a `port`
        served = any(k in base for k in ("port", "ports", "use"))
        keys = [k for k in keys if k != "connect_to" and not (k == "ports" and "port" in base)
                and not (k in ("health", "expose") and not served)]
    out: dict = {}
    for k in g.subset(keys, 0, 3):
        v = value(ctx, props[k], k, 1)
        op = g.weighted([(10, ""), (2, "+"), (2, "!"), (2, "-"), (2, "null"), (1, "super")])
        have = base.get(k)
        if not ctx.bad(3):  # keep the operators to where they apply
            if op == "+" and (k == "image" or not isinstance(v, (list, dict, str)) or
                              have is not None and type(have) is not type(v)):
                op = ""
            if op == "-" and not (isinstance(have, (list, dict)) and have):
                op = ""
            if op == "null" and k in REQUIRED:
                op = ""
            if op == "" and k in ("health", "expose", "strategy", "volumes", "storage"):
                op = "!"  # merging two of these makes a value with two sources
            if op == "super" and not (k == "replicas" and isinstance(have, int) and not isinstance(have, bool)):
                op = ""
        if op == "null":
            out[k] = None
        elif op == "-":
            out[k + "-"] = removal(ctx, have)
        elif op == "super":
            out[k] = g.choice(("${super.replicas * 2}", "${super.replicas + 1}", "${max(super.replicas, 2)}")) \
                if not ctx.bad(3) else g.choice((expression(ctx, k).replace("self.", "super."), f"${{super.{k}}}"))
        else:
            out[k + op] = v
    if ctx.bad():
        out[g.choice(("replicas++", "+", "-", "!", "env!-", "image+", "a.b", "${x}"))] = hostile(ctx)
    return out


def removal(ctx: Ctx, have: Any) -> Any:
    g = ctx.g
    if not ctx.bad(3):
        items = list(have) if isinstance(have, (dict, list)) else []
        hashable = [x for x in items if isinstance(x, (str, int, float, bool))]
        return g.subset(hashable, 1, 2) or hashable[:1]
    return g.choice((["LOG_LEVEL"], ["--x"], ["tier"], ["http"], [], "LOG_LEVEL", [1], [None], ["nope"], {"a": 1},
                     [[1]], [{"a": 1}]))


SETTINGS = ({"pdb": True}, {"spread": ["nodes", "zones"]}, {"harden": False}, {"network_policies": False},
            {"limits": {"cpu": 3, "memory": 2, "warn_ratio": 8}}, {"sidecar_resources": {"cpu": "10m", "memory": "16Mi"}},
            {"pdb": False, "spread": ["zones"]})
BAD_SETTINGS = ({"limits": {"cpu": "x"}}, {"limits": 3}, {"pdb": "yes"}, {"spread": "nodes"},
                {"sidecar_resources": {"cpu": "lots"}}, {"limits": {"cpu": -1, "memory": 0}}, {"spread": [1]},
                {"limits": {"warn_ratio": 0}}, {"sidecar_resources": 5}, {"harden": "no"}, [], "x")


def overlay(ctx: Ctx, docs: list) -> Any:
    g = ctx.g
    if ctx.bad(0.5):
        return hostile(ctx)
    by_name = {d["name"]: d for d in docs if isinstance(d, dict) and isinstance(d.get("name"), str)
               and isinstance(d.get("kind"), str)}
    workloads = [d for d in by_name.values() if d.get("kind") in WORKLOADS]
    wkinds = sorted({d["kind"] for d in workloads})
    ov: dict = {}
    if g.chance(0.3):
        ov["defaults"] = patch(ctx, common=True)
    if g.chance(0.15):
        ov["settings"] = g.choice(BAD_SETTINGS if ctx.bad(5) else SETTINGS)
    if g.chance(0.4):
        ov["all"] = patch(ctx, common=True)
    if g.chance(0.3):
        ms = []
        for _ in range(g.int(1, 2)):
            k = g.int(0, 3)
            if k == 0 and wkinds:
                kind = g.choice(wkinds)
                m: dict = {"where": {"kind": kind}, "patch": patch(ctx, kind)}
            elif k == 1:
                m = {"where": {"labels": {"tier": g.choice(("web", "backend"))}}, "patch": patch(ctx, common=True),
                     "optional": True}
            else:
                m = {"where": {"name": g.choice(("a*", "w?b", "*", "db"))}, "patch": patch(ctx, common=True),
                     "optional": True}
            if ctx.bad(3):
                m["where"] = g.choice(({}, {"kind": "Ap"}, {"name": "["}, {"labels": {"x": 1}}, {"app": "api"}))
                m.pop("optional", None)
            ms.append(m)
        ov["match"] = ms
    if g.chance(0.7) and by_name:
        apps: dict = {}
        for _ in range(g.int(1, 3)):
            name = g.choice(sorted(by_name))
            doc = by_name[name]
            if ctx.bad(5):
                name = g.choice(("apii", f"{doc.get('kind')}/{name}", "Secret/creds", "*", "", "App/"))
            kind = doc.get("kind") if doc.get("kind") in KIND_FILES else "App"
            apps[name] = secret_patch(ctx) if kind == "Secret" and not ctx.bad(3) else patch(ctx, kind, doc)
        ov["apps"] = apps
    return ov


def secret_patch(ctx: Ctx) -> dict:
    """The ways an overlay switches a Secret's source (the shop's prod does the second)."""
    return ctx.g.choice(({"labels": {"tier": "data"}},
                         {"keys": None, "existing": None, "data": None, "external": {"store": "vault", "data": {
                             "password": "p#password", "token": "p#token"}}},
                         {"keys": None, "external": None, "data": None, "existing": True}))


def overlay_text(ctx: Ctx, docs: list, toml: bool = False) -> Any:
    """The overlay as YAML, or as TOML (which has no null: deletions are left out)."""
    ov = overlay(ctx, docs)
    text = to_toml(ov) if toml else to_yaml(ctx.g, [ov])
    if ctx.bad(2):
        return damage(ctx.g, text)
    return text


def set_value(ctx: Ctx, names: list) -> str:
    """One `--set` of a workload in ``names`` ((name, kind) pairs)."""
    g = ctx.g
    name, kind = g.choice(names or [("api", "App")])
    if not ctx.bad(5):
        return g.choice((f"{name}.env.LOG_LEVEL=debug", f"{name}.labels.tier=web", f"{name}.env.URL=${{env.name}}",
                         f"{name}.annotations.team=core", f"{name}.env+={{EXTRA: '1'}}")
                        + ((f"{name}.replicas={g.int(1, 4)}",) if kind in ("App", "StatefulApp") else ()))
    path = g.choice(("replicas", "image", "env.LOG_LEVEL", "args+", "labels.tier", "resources.cpu", "expose",
                     "ports.http", "autoscale", "env-", "version"))
    val = g.choice(("3", "nginx:1.27", "debug", "[--x]", "web", "500m", "true", "8080", "null", "[LOG_LEVEL]",
                    "'16'", "0", "-1", "${self.replicas * 2}", "{max: 3, cpu: 50}", "1e999", "&a x", "*b"))
    return g.choice((f"{name}.{path}={val}", "noequals", "=3", f"{name}.=1", f"{name}=3", ".replicas=2",
                     f"{name}.replicas=[1, 2", f"{name}.env.X=" + "y" * 2000, f"{name}.replicas=${{",
                     "nope.replicas=2", f"{name}.a.b.c.d.e.f=1", f"{name}.replicas={{{{}}}}", f"{name}.ü=1",
                     f"{name}.replicas=!!binary x", f"{name}.replicas=!!python/object:os.system x"))
