"""Values from the spec language's JSON Schemas (the committed ``schemas/*.json`` and the
``params`` of the stdlib templates): mostly schema-valid, with references drawn from small
name pools so that they often resolve, and, at the rate a case asks for, mutations: wrong
types, unknown keys, unicode, huge or negative numbers, odd names, and `${...}` expressions
(valid and broken). It reads schema files and draws from a :class:`~fuzz.gen.Gen`; it never
runs the compiler and never writes anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .gen import Gen

ROOT = Path(__file__).resolve().parents[2]

KIND_FILES = {"App": "app", "StatefulApp": "statefulapp", "Job": "job", "CronJob": "cronjob",
              "ConfigMap": "configmap", "Secret": "secret", "ServiceAccount": "serviceaccount", "Role": "role",
              "ClusterRole": "role", "NetworkPolicy": "networkpolicy", "SecurityPolicy": "securitypolicy",
              "Observability": "observability", "Resource": "resource"}
WORKLOADS = ("App", "StatefulApp", "Job", "CronJob")

# Names by what they name: a reference drawn from the right pool often resolves.
POOLS = {
    "workload": ("api", "web", "db", "worker", "cache", "queue"),
    "config": ("cfg", "api-config"),
    "secret": ("creds", "db-pass"),
    "account": ("runner", "deployer"),
    "role": ("reader", "admin"),
    "port": ("http", "http", "metrics"),
    "volume": ("data", "cache", "tmp", "conf"),
    "env": ("LOG_LEVEL", "URL", "WORKERS", "A", "B"),
    "label": ("tier", "team", "app.kubernetes.io/part-of"),
    "claim": ("shared-pvc", "uploads"),
    "misc": ("baseline", "obs", "raw", "netpol", "pss"),
}
# property name -> the pool its NAME values come from
REF_KEYS = {"connect_to": "workload", "apps": "workload", "app": "workload", "config": "config",
            "secret": "secret", "credentials": "secret", "service_account": "account", "bind": "account",
            "image_pull_secrets": "secret", "claim": "claim", "tls": "secret", "port": "port",
            "tcp": "port"}

RULE_IDS = ("latest-image", "missing-probes", "missing-resources", "privileged", "single-replica", "secret-in-env",
            "no-tls-ingress", "cron-overlap", "mutable-tag")
ODD_NAMES = ("API", "a_b", "-a", "a-", "a" * 64, "a.b", "", " api", "api\n", "ａｐｉ", "ⓐ", "0", "default",
             "kube-system", "a/b", "..", "con", "api:1", "${env.name}")
CRONS = ("0 2 * * *", "*/5 * * * *", "@daily", "@hourly", "@yearly", "61 * * * *", "* * * *", "0 0 31 2 *",
         "@reboot", "*/0 * * * *", "0-59/7 1-3 * * 1-5", "0 0 * * MON", "0 0 1 JAN *", "", "a b c d e",
         "99999999999999999999 * * * *", "*/99999999 * * * *")
ZONES = ("UTC", "Europe/Paris", "America/New_York", "Mars/Olympus", "", "../../etc/passwd", "Etc/GMT+14")


def load_schema(name: str) -> dict:
    return _schemas()[name]


@lru_cache(maxsize=None)
def _schemas() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "schemas").glob("*.json"))}


@lru_cache(maxsize=None)
def stdlib_params() -> dict[str, tuple[str, dict]]:
    """stdlib template name -> (its kind, the JSON Schema of its parameters)."""
    import yaml

    out = {}
    for p in sorted((ROOT / "stdlib").glob("*.yaml")):
        t = yaml.safe_load(p.read_text(encoding="utf-8"))
        out[p.stem] = (t["kind"], t.get("params") or {})
    return out


@dataclass
class Ctx:
    """One case's knobs (how often to add optional fields, to mutate, to write expressions)
    and what the builders know while they generate: the names declared so far, by pool, and
    the document being generated."""

    g: Gen
    p_opt: float = 0.2       # an optional property is present
    p_mut: float = 0.0       # a value is replaced by a hostile one, or an unknown key added
    p_expr: float = 0.0      # a scalar becomes a `${...}` expression
    p_edge: float = 0.0      # a value is an extreme one that the schema still accepts
    names: dict = field(default_factory=lambda: {k: [] for k in POOLS})   # declared names by pool
    refs: set = field(default_factory=set)      # (pool, name) referenced but maybe not declared
    defs: dict = field(default_factory=dict)
    protected: bool = False
    kind: str = "App"                           # the document being generated
    name: str = "api"
    earlier: list = field(default_factory=list)  # workloads with ports declared before it
    workloads: list = field(default_factory=list)
    volumes: set = field(default_factory=set)

    def bad(self, k: float = 1) -> bool:
        """Whether to take a subtly wrong variant (k times the mutation rate)."""
        return self.g.chance(min(1.0, self.p_mut * k))

    def edge(self, k: float = 1) -> bool:
        """Whether to take an extreme but schema-valid variant (k times the edge rate)."""
        return self.g.chance(min(1.0, self.p_edge * k))

    def ref(self, pool: str) -> str:
        """A name to refer to: a declared one when there is one, else one from the default
        pool (recorded, so that the project may declare it afterwards)."""
        if self.bad(0.5):
            return self.g.choice(ODD_NAMES)
        if self.names.get(pool) and not self.bad():
            return self.g.choice(self.names[pool])
        name = self.g.choice(POOLS[pool])
        self.refs.add((pool, name))
        return name

    def name_from(self, pool: str) -> str:
        return self.ref(pool)


# --------------------------------------------------------------------------- scalars

def quantity(g: Gen, mem: bool | None = None) -> Any:
    k = g.int(0, 9)
    if k < 4:
        return g.choice(("100m", "250m", "1", "2", "0.5", "500m", "64Mi", "256Mi", "1Gi", "20Gi"))
    if k < 6:
        return g.choice((1, 2, 0, 0.25, 10, 1024))
    if k < 8:
        n = g.choice(("1", "10", "999999999999", "0", "1.5", ".5", "1e3", "3e-2", "+2"))
        return n + g.choice(("", "m", "k", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "M", "G", "E"))
    return g.choice(("1e308", "1e99999", "9" * 40 + "Ei", "0.000000001m", "1E", "0Ti", "1.", "99999999999999999999"))


def image(g: Gen, pinned: bool = False, bad: bool = False) -> str:
    repo = g.choice(("nginx", "ghcr.io/acme/api", "redis", "registry.local:5000/team/app", "postgres", "a"))
    tag = g.weighted([(3, ":1.2.3"), (1, ":7.2-alpine")] + ([(1, ""), (1, ":latest"), (1, ":main")] if bad else []))
    digest = "@sha256:" + "ab" * 32 if pinned or g.chance(0.3) else ""
    return repo + tag + digest


def path(g: Gen) -> str:
    return g.choice(("/data", "/etc/app", "/var/run/x", "/healthz", "/tmp", "/", "/a/../../etc", "/ü/€",
                     "/" + "x" * 300, "/run/secrets/creds"))


def host(g: Gen) -> str:
    return g.choice(("api.example.com", "shop.example.com", "*.example.com", "localhost", "a" * 63 + ".com",
                     "xn--nxasmq6b.com", "a.b.c.d.e"))


_CANDIDATES = ("api", "a1", "abc", "a-b", "x.y", "a_b", "Ab", "A", "ABC_D", "NET_ADMIN", "3s", "1h", "30m", "10m",
               "1h30m", "10.0.0.0/8", "::1/128", "pvc://backups", "pvc://backups/pg", "s3://bucket/x",
               "https://s3.example.com", "http://minio:9000", "app.tasks:celery", "app", "orders", "default",
               "key", "password", "Zm9vYmFyYmF6cXV4MTIzNDU2"[:22], "Deployment", "Service", "x")


@lru_cache(maxsize=None)
def _matching(pattern: str) -> tuple[str, ...]:
    rx = re.compile(pattern)
    return tuple(c for c in _CANDIDATES if rx.search(c)) or ("x",)


def string(ctx: Ctx, schema: dict, key: str | None) -> Any:
    g = ctx.g
    pat = schema.get("pattern")
    if schema.get("x-quantity") or pat and "Ki|Mi" in pat:
        return quantity(g)
    if pat == "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$":
        return ctx.ref(REF_KEYS[key]) if key in REF_KEYS else g.choice(("x", "main", "shop", "vault"))
    if pat and pat.startswith("^[a-z0-9]([-a-z0-9._/:]"):
        return image(g, ctx.protected, ctx.bad())
    if pat and pat.startswith("^(\\*\\.)?"):
        return host(g)
    if pat == "^/":
        return path(g)
    if pat == "^[A-Za-z_][A-Za-z0-9_]*$":
        return g.choice(POOLS["env"])
    if pat and pat.startswith("^([a-z0-9]([-a-z0-9.]*"):
        return g.choice(POOLS["label"])
    if pat and pat.startswith("^([A-Za-z0-9]"):
        return g.choice(("web", "backend", "v1", "", "a.b_c"))
    if pat:
        return g.choice(_matching(pat))
    if key in ("image", "preview_image"):
        return image(g, ctx.protected, ctx.bad())
    lo, hi = schema.get("minLength", 0), schema.get("maxLength", 12)
    s = g.text(12) if ctx.bad(5) else g.choice(("info", "x", "vault", "fast", "a b", "shop.tasks", "orders", "1"))
    if lo and len(s) < lo:
        s = s + "x" * (lo - len(s))
    return s[:hi] if hi else s


def integer(ctx: Ctx, schema: dict) -> int:
    g = ctx.g
    lo, hi = schema.get("minimum", 0), schema.get("maximum")
    top = hi if hi is not None else lo + 10
    k = g.int(0, 9)
    if k < 7:
        return g.int(lo, min(top, lo + 10))
    if k < 9:
        return g.choice((lo, top))
    return g.int(lo, top if hi is not None else lo + 100000)


# --------------------------------------------------------------------------- hostile values

def hostile(ctx: Ctx, key: str | None = None) -> Any:
    g = ctx.g
    return g.weighted([
        (3, lambda: g.choice((0, -1, 1.5, True, False, None, "", "x", [], {}, ["a"], {"a": 1}, [[]], {"": None}))),
        (2, lambda: g.choice((10 ** 19, 2 ** 63, -(2 ** 63) - 1, 2 ** 64 + 1, 10 ** 400, 1e308, -1e308,
                              float("inf"), float("-inf"), float("nan"), -0.0, 5e-324))),
        (2, lambda: g.raw_text(24)),
        (1, lambda: g.choice(("a" * 5000, "${" * 50, "x" * 70000, "\n" * 300))),
        (2, lambda: g.choice(ODD_NAMES)),
        (2, lambda: expression(ctx, key)),
    ])()


# --------------------------------------------------------------------------- expressions

_REFS = ("self.replicas", "self.name", "self.image", "self.port", "self.ports.http", "self.env.LOG_LEVEL",
         "self.expose.host", "self.labels.tier", "self.resources.cpu", "self.version", "self.user",
         "super.replicas", "super.image", "super.env", "super", "self", "apps.api.replicas", "apps.db.port",
         "apps.web.image", "apps.nope.x", "env.name", "env.profile", "env.protected", "env.namespace",
         "project.name", "project.namespace", "vars.tier", "vars.n", "vars.nope", "self.args[0]",
         "self[\"name\"]", "self.env[\"A\"]", "self.ports[\"http\"]", "self.connect_to[1]", "self.sidecars",
         "apps.api.ports.http", "apps.worker.env.B")
_FUNCS = ("upper({0})", "lower({0})", "default({0}, 3)", "len({0})", "str({0})", "int({0})", "min({0}, 2)",
          "max({0}, 1, 2)", "replace({0}, 'a', 'b')", "join({0}, ',')", "nope({0})", "upper()",
          "default({0})", "min()")
_BROKEN = ("${", "${}", "${self.}", "${1 +}", "${(1}", "${'unterminated}", "${self..a}", "${9999999999999999999999}",
           "${1e999}", "${1/0}", "${1 // 0}", "${1 % 0}", "${-9223372036854775807 - 2}",
           "${9223372036854775807 + 1}", "${'a' * 9999999}", "${self.a.b.c.d.e.f}", "${$}", "${${env.name}}",
           "$${escaped}", "${env.name", "${\"\\u0000\"}", "${1 if 2}", "${a b}", "${self[0]}", "${-'x'}",
           "${not 1}", "${1 < 'a'}", "${[1, 2]}", "${{}}", "${self.env.A}${self.env.B}")


def good_expression(ctx: Ctx, key: str | None) -> str:
    """An expression that evaluates in any environment of a generated project (whose
    `vars` define `tier` and `n`)."""
    if key == "labels":
        return ctx.g.choice(("${env.name}", "${vars.tier}", "${lower(project.name)}", "v-${env.name}"))
    return ctx.g.choice(("${env.name}", "${vars.tier}", "${project.name}", "${self.name}", "${upper(env.name)}",
                         "https://${self.name}.${env.name}.example.com", "${vars.n * 2}",
                         "${default(self.replicas, 1)}", "${len(self.name)}", "${str(env.protected)}",
                         "${'a' if env.protected else 'b'}", "${join([1, 2], ',')}", "${max(1, vars.n)}",
                         "${replace(project.name, 'a', 'b')}", "${self.name}-${env.name}"))


def expression(ctx: Ctx, key: str | None = None) -> str:
    g = ctx.g
    ref = g.choice(_REFS)
    k = g.int(0, 9)
    if k < 3:
        body = ref
    elif k < 5:
        body = f"{ref} {g.choice(('+', '-', '*', '/', '//', '%', '==', '<', '!='))} {g.choice(('2', '0', ref, chr(39) + 'x' + chr(39), '1.5', '-1'))}"
    elif k < 7:
        body = g.choice(_FUNCS).format(ref)
    elif k < 8:
        body = f"{g.choice(('1', ref, chr(39) + 'a' + chr(39)))} if {ref} {g.choice(('==', '>', '!='))} {g.choice(('1', chr(39) + 'prod' + chr(39)))} else {g.choice(('2', ref))}"
    else:
        return g.choice(_BROKEN)
    if g.chance(0.3):
        return f"{g.choice(('x-', 'https://', ''))}${{{body}}}{g.choice(('', '-y', '/z'))}"
    return f"${{{body}}}"


# --------------------------------------------------------------------------- schema walk

def value(ctx: Ctx, schema: dict, key: str | None = None, depth: int = 0) -> Any:
    """A value for ``schema`` (a node of a loaded schema; ``$ref`` resolved in ``ctx.defs``)."""
    g = ctx.g
    if g.chance(ctx.p_mut):
        return hostile(ctx, key)
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        by_ref, _ = _fields()
        if ref in by_ref and depth > 0:
            return by_ref[ref](ctx, schema, depth)
        schema = ctx.defs[ref]
    else:
        _, by_key = _fields()
        hit = by_key.get(key) if depth > 0 else None
        if hit and (schema.get("type") == hit[0] or hit[0] in (schema.get("type") or ())):
            return hit[1](ctx, schema, depth)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return g.choice(schema["enum"])
    branches = schema.get("anyOf") or (schema.get("oneOf") if "properties" not in schema else None)
    if branches:
        return value(ctx, {**{k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}, **g.choice(branches)},
                     key, depth)
    t = schema.get("type")
    if isinstance(t, list):
        t = g.choice(t)
    if t in ("string", "integer", "number", "array", "object") and ctx.edge():
        e = edge(ctx, schema, t, key, depth)
        if e is not NO_EDGE:
            return e
    if t in ("string", "integer", "number", "boolean"):
        if g.chance(ctx.p_expr):
            return expression(ctx, key)
        if key in ("env", "labels") and g.chance(0.15):
            return good_expression(ctx, key)
    if t == "string":
        return string(ctx, schema, key)
    if t == "integer":
        return integer(ctx, schema)
    if t == "number":
        return g.choice((0, 1, 0.5, 100, 0.0316, 4000, 1e-9)) if g.int(0, 3) else float(integer(ctx, schema))
    if t == "boolean":
        return g.chance(0.5)
    if t == "array":
        return array(ctx, schema, key, depth)
    if t == "object" or "properties" in schema:
        return obj(ctx, schema, key, depth)
    return free(ctx, depth)


@lru_cache(maxsize=None)
def _fields() -> tuple[dict, dict]:
    from .fields import BY_KEY, BY_REF  # fields builds on this module's scalars

    return BY_REF, BY_KEY


def array(ctx: Ctx, schema: dict, key: str | None, depth: int) -> list:
    g = ctx.g
    lo = schema.get("minItems", 0)
    items = schema.get("items") or {}
    n = g.int(lo, max(lo, 3 if depth < 4 else lo))
    out = [value(ctx, items, key, depth + 1) for _ in range(n)]
    if schema.get("uniqueItems"):
        seen, uniq = set(), []
        for x in out:
            h = json.dumps(x, sort_keys=True, default=str)
            if h not in seen:
                seen.add(h)
                uniq.append(x)
        out = uniq
    return out


def obj(ctx: Ctx, schema: dict, key: str | None, depth: int) -> dict:
    g = ctx.g
    props: dict = schema.get("properties") or {}
    required = list(schema.get("required") or [])
    excluded: set = set()
    if "oneOf" in schema and all("required" in b for b in schema["oneOf"]):
        pick = g.choice(schema["oneOf"])
        required += pick["required"]
        excluded = {k for b in schema["oneOf"] for k in b["required"]} - set(pick["required"])
    out: dict = {}
    p = ctx.p_opt if depth == 0 else min(0.6, ctx.p_opt * 2)
    for k, sub in props.items():
        if k in excluded:
            continue
        if k in required or (depth < 5 and g.chance(p)):
            if k in required and g.chance(ctx.p_mut / 2):
                continue  # a required field missing
            out[k] = value(ctx, sub, k, depth + 1)
    add = schema.get("additionalProperties")
    if isinstance(add, dict) and depth < 5:
        lo = schema.get("minProperties", 0)
        for _ in range(g.int(lo, max(lo, 3))):
            out[prop_name(ctx, schema.get("propertyNames") or {}, key)] = value(ctx, add, key, depth + 1)
    elif not props and add is None and depth < 4:
        extra = free(ctx, depth + 1)
        if isinstance(extra, dict):
            out.update(extra)
    maxp, minp = schema.get("maxProperties"), schema.get("minProperties", 0)
    if maxp is not None and len(out) > maxp and not ctx.bad():
        out = dict(list(out.items())[:maxp])
    spare = [k for k in props if k not in out and k not in excluded]
    while len(out) < minp and spare and not ctx.bad():
        k = spare.pop(g.int(0, len(spare) - 1))
        out[k] = value(ctx, props[k], k, depth + 1)
    if g.chance(ctx.p_mut):
        out[g.choice(("replica", "imagee", "x", "", "kind", "name", "${x}", "ä", "k" * 300))] = hostile(ctx)
    return out


def prop_name(ctx: Ctx, names: dict, key: str | None) -> Any:
    g = ctx.g
    if ctx.bad():
        return g.choice(ODD_NAMES + (1, True, None, 2.5))
    pat = names.get("pattern", "")
    if key in ("sidecars", "init"):
        return g.choice(("proxy", "migrate", "log", "init"))
    if key in ("env", "secrets"):
        return g.choice(POOLS["env"])
    if key in ("labels", "node_selector", "select", "where"):
        return g.choice(POOLS["label"])
    if key in ("rules",):
        return g.choice(RULE_IDS)
    if pat.startswith("^[A-Z]"):
        return g.choice(("Deployment", "Service"))
    names = ("a", "b", "key", "default.conf", "max_connections", "app.json", "x-y")
    if pat:
        rx = re.compile(pat)
        names = tuple(n for n in names if rx.search(n)) or _matching(pat)
    return g.choice(names)


EDGE_SCALARS = (float("nan"), float("inf"), float("-inf"), 10 ** 30, -(2 ** 63), 2 ** 64, 1e308, 5e-324, -0.0, "",
                "\x00", "a\u2028b", "\ufeff", "null", "~", "true", "0x1F", "1e3", "- a", ": b", "#c", "'", '"', "\\",
                "${env.name}", "$${x}", "x" * 3000, "é" * 200, "😀", "\n\n", "\t", "key: value", "{a: 1}", "[1, 2]")


def free(ctx: Ctx, depth: int = 0) -> Any:
    """Free-form data (raw `affinity`, `json`/`yaml` ConfigMap values, `manifest` fields)."""
    g = ctx.g
    if depth > 3:
        return g.choice(EDGE_SCALARS) if ctx.edge(2) else g.choice((1, "x", True, None, 2.5))
    k = g.int(0, 5)
    if k < 3:
        keys = ("a", "b", "spec", "metadata", "x-y", "é") + (("", "a.b", "a/b", " ", "$ref", "<<", "1", "null", "\x00")
                                                            if ctx.edge(2) else ())
        return {g.choice(keys): free(ctx, depth + 1) for _ in range(g.int(0, 3))}
    if k < 4:
        return [free(ctx, depth + 1) for _ in range(g.int(0, 3))]
    if ctx.edge(2):
        return g.choice(EDGE_SCALARS)
    return g.choice((1, "x", True, None, 2.5, -3, "${env.name}", ""))


NO_EDGE = object()


def edge(ctx: Ctx, schema: dict, t: str, key: str | None, depth: int) -> Any:
    """An extreme value ``schema`` still accepts (NO_EDGE when there is none to try)."""
    g = ctx.g
    if t == "string":
        pat, lo, hi = schema.get("pattern"), schema.get("minLength", 0), schema.get("maxLength")
        if pat == "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$":
            return g.choice(("a" * (hi or 63), "0", "a--b", "1-2"))
        if pat == "^/":
            return g.choice(("/" + "a/" * 200, "/\x00", "/é/😀", "/ ", "//", "/..", "/a\nb"))
        if pat:
            return NO_EDGE
        v = g.choice(tuple(x for x in EDGE_SCALARS if isinstance(x, str)))
        return v if len(v) >= lo and (hi is None or len(v) <= hi) else NO_EDGE
    if t == "integer":
        lo, hi = schema.get("minimum", 0), schema.get("maximum")
        return hi if hi is not None else g.choice((lo, 2 ** 31, 2 ** 53 + 1, 2 ** 63 - 1, 2 ** 63, 10 ** 30))
    if t == "number":
        lo, hi = schema.get("minimum", schema.get("exclusiveMinimum", 0)), schema.get("maximum")
        return g.choice((float("nan"), hi if hi is not None else 1e308, 5e-324 if lo <= 0 else lo + 5e-324,
                         float("inf") if hi is None else hi))
    if t == "array" and depth < 4:
        items = schema.get("items") or {}
        out = [value(ctx, items, key, depth + 1) for _ in range(g.int(8, 30))]
        return out if not schema.get("uniqueItems") else NO_EDGE
    if t == "object" and isinstance(schema.get("additionalProperties"), dict) and depth < 4:
        names = schema.get("propertyNames") or {}
        return {f"{prop_name(ctx, names, key)}{i}": value(ctx, schema["additionalProperties"], key, depth + 1)
                for i in range(g.int(8, 20))}
    return NO_EDGE
