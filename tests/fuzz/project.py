"""A whole generated project, as a :class:`Case`: the project file (YAML or TOML) with one to
three environments and sometimes a target, a few spec documents of random kinds (some using
stdlib or project templates, some written as TOML twins), an overlay per environment
(:mod:`fuzz.overlays`), and `--set` values. Each case picks a mode (clean, edge, light or
heavy) that sets how often values are extreme but schema-valid, mutated, or replaced by
`${...}` expressions; names are
planned first so that references mostly resolve, and what a clean project needs (ports for
probes, declared Secrets for references) is added unless the case mutates. It only builds
data and text from a :class:`~fuzz.gen.Gen`; writing the files and running skyspec is
:mod:`fuzz.harness`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import fields
from .gen import Gen
from .overlays import overlay_text, set_value
from .serialize import damage, to_toml, to_yaml
from .values import KIND_FILES, POOLS, RULE_IDS, WORKLOADS, Ctx, hostile, image, load_schema, obj, stdlib_params, value

ENV_NAMES = ("dev", "qa", "prod", "staging", "e2e")
ODD_ENVS = ("Prod", "a_b", "x" * 70, "", "-", "dev.eu", "ü")
KINDS = [(10, "App"), (4, "StatefulApp"), (2, "Job"), (2, "CronJob"), (3, "ConfigMap"), (3, "Secret"),
         (1, "ServiceAccount"), (1, "Role"), (1, "ClusterRole"), (1, "NetworkPolicy"), (1, "SecurityPolicy"),
         (1, "Observability"), (1, "Resource"), (4, "stdlib"), (1, "template"), (1, "unknown")]
NAME_POOL = {"App": "workload", "StatefulApp": "workload", "Job": "workload", "CronJob": "workload",
             "stdlib": "workload", "template": "workload", "ConfigMap": "config", "Secret": "secret",
             "ServiceAccount": "account", "Role": "role", "ClusterRole": "role"}
# mode -> (p_opt, p_mut, p_expr, p_edge): see fuzz.values.Ctx
MODES = {"clean": (0.12, 0.0, 0.0, 0.0), "edge": (0.2, 0.0, 0.0, 0.12), "light": (0.15, 0.01, 0.03, 0.03),
         "heavy": (0.25, 0.05, 0.08, 0.03)}
FORMATS = ("kubernetes", "compose", "helm", "kustomize")


@dataclass
class Case:
    files: dict[str, str | bytes]
    sets: list[str] = field(default_factory=list)
    envs: list[str] = field(default_factory=list)   # --env arguments; empty: every environment
    mode: str = "clean"
    dfmt: str = "json"          # --diagnostics-format of `check` (json is what the property reads)
    check_files: bool = False   # `check FILE...` as pre-commit runs it, rather than `check DIR`

    def describe(self) -> str:
        parts = [f"mode={self.mode} envs={self.envs} sets={self.sets!r} dfmt={self.dfmt} check_files={self.check_files}"]
        for rel, text in sorted(self.files.items()):
            parts.append(f"--- {rel}\n{text if isinstance(text, str) else repr(text)}")
        return "\n".join(parts)


def case(g: Gen) -> Case:
    mode = g.weighted([(3, "clean"), (3, "edge"), (2, "light"), (2, "heavy")])
    p_opt, p_mut, p_expr, p_edge = MODES[mode]
    ctx = Ctx(g, p_opt=p_opt, p_mut=p_mut, p_expr=p_expr, p_edge=p_edge)
    files: dict[str, Any] = {"config/nginx.conf": "server { listen 8080; }\n"}

    envs = list(dict.fromkeys(g.choice(ODD_ENVS) if ctx.bad(4) else n for n in g.subset(ENV_NAMES, 1, 3)))
    protected = {e for e in envs if g.chance(0.8 if e == "prod" else 0.1)}  # prod is protected by default
    ctx.protected = bool(protected)

    plan = plan_docs(ctx, g.int(1, 5))
    docs = []
    for kind, name in plan:
        ctx.kind, ctx.name, ctx.volumes = kind, name, set()
        doc = document(ctx, kind, name, files)
        if not ctx.bad(10):
            repair(ctx, doc)
        docs.append(doc)
        if isinstance(doc, dict) and str(doc.get("kind")) in ("App", "StatefulApp") and (
                "port" in doc or "ports" in doc or "use" in doc):
            ctx.earlier.append(doc.get("name"))
    env_map = {}
    for e in envs:
        ext = "toml" if g.chance(0.1) else "yaml"
        env_map[e] = environment(ctx, e, e in protected, ext)
        if not ctx.bad(2):
            files[f"overlays/{e}.{ext}"] = overlay_text(ctx, docs, toml=ext == "toml")
    proj: dict = {"project": g.choice(("shop", "demo", "a")) if not ctx.bad() else hostile(ctx),
                  "namespace": g.choice(("shop", "demo", "default")), "specs": [],
                  "environments": env_map, "vars": {"tier": "web", "n": 2}}
    if g.chance(0.15):
        tenv = g.choice(list(env_map) or ["dev"])
        t = {"environments": [tenv], "overlays": ["overlays/target.yaml"]}
        bound = docs
        if g.chance(0.5):
            t["select"] = {"kinds": ["App", "StatefulApp"]}
            bound = [d for d in docs if not isinstance(d, dict) or d.get("kind") not in ("Job", "CronJob")]
            if ctx.bad(3):
                t["select"] = g.choice(({"names": ["a*", "w*"]}, {"labels": {"tier": "web"}}, {"kinds": []}))
        proj["targets"] = {g.choice(("eu-west", "edge")): t}
        files["overlays/target.yaml"] = overlay_text(ctx, bound)
    complete(ctx, docs)  # after the overlays, which refer to names too
    write_specs(ctx, docs, files)
    proj["specs"] = specs_globs(ctx, files)
    if g.chance(0.3):
        proj["outputs"] = g.subset(FORMATS, 1, 4)
    if g.chance(0.1):
        proj["prices"] = {"cpu_core_hour": g.choice((0.0316, 0, 1e6)), "currency": g.choice(("USD", "€"))}
    if g.chance(0.1):
        proj["node"] = {"cpu": g.choice(("8", "64")), "memory": g.choice(("32Gi", "256Gi"))}
    if protected or g.chance(0.1):
        proj["policy"] = policy(ctx)
    if ctx.bad(2):
        for k in g.subset(("prices", "policy", "node", "vars", "specs", "unknown"), 1, 2):
            sch = load_schema("project")["properties"].get(k)
            proj[k] = value(ctx, sch, k, 1) if sch and not ctx.bad(5) else hostile(ctx)
    if g.chance(0.1):
        files["skyspec.toml"] = to_toml(proj)
    else:
        files["skyspec.yaml"] = to_yaml(g, [proj])
    if ctx.bad(2):
        pf = "skyspec.toml" if "skyspec.toml" in files else "skyspec.yaml"
        files[pf] = damage(g, files[pf])

    names = [(d["name"], d["kind"]) for d in docs if isinstance(d, dict) and isinstance(d.get("name"), str)
             and str(d.get("kind")) in WORKLOADS]
    sets = [set_value(ctx, names) for _ in range(g.int(1, 2))] if g.chance(0.3) and (names or ctx.bad(5)) else []
    cli_envs: list[str] = []
    if g.chance(0.2) and env_map:
        cli_envs = [g.choice(list(env_map))]
    elif ctx.bad(2):
        cli_envs = [g.choice(("staging2", "", "prod,dev", "-x"))]
    dfmt = g.weighted([(16, "json"), (3, "text"), (1, "sarif")])
    return Case(files, sets, cli_envs, mode, dfmt, g.chance(0.15))


def plan_docs(ctx: Ctx, n: int) -> list[tuple[str, str]]:
    """(kind, name) of each document; names unique unless the case mutates. Declares the
    names in ``ctx`` so that references are drawn from them."""
    g = ctx.g
    plan = []
    used: set = set()
    for i in range(n):
        kind = g.weighted(KINDS)
        if kind == "unknown" and not ctx.bad(20):
            kind = "App"
        if kind == "SecurityPolicy" and any(k == kind for k, _ in plan) and not ctx.bad(10):
            kind = "App"  # one applies to a namespace
        pool = NAME_POOL.get(kind, "misc")
        free = [x for x in POOLS[pool] if x not in used] or [f"{pool}-{i}"]
        name = g.choice(POOLS[pool]) if ctx.bad(3) else g.choice(free)
        used.add(name)
        plan.append((kind, name))
        if kind in NAME_POOL:
            ctx.names[pool].append(name)
        if NAME_POOL.get(kind) == "workload":
            ctx.workloads.append(name)
    return plan


def specs_globs(ctx: Ctx, files: dict) -> list[str]:
    """The `specs` globs: each matches a file written (a glob that matches nothing is an
    error), unless the case mutates."""
    g = ctx.g
    if ctx.bad(3):
        return g.choice((["nomatch/*.yaml", "apps/*"], ["../*", "apps/*"], ["/etc/*.conf", "apps/*"], ["**"],
                         ["apps/*", "apps/*"], ["apps/[", "apps/*"], [], ["apps/**/*.yaml", "apps/**/*.toml"]))
    exts = sorted({rel.rsplit(".", 1)[-1] for rel in files if rel.startswith("apps/")})
    return g.choice((["apps/*"], [f"apps/**/*.{e}" for e in exts], [f"apps/*.{e}" for e in exts]))


def policy(ctx: Ctx) -> dict:
    g = ctx.g
    rules = {r: g.choice(("warning", "off", False)) for r in g.subset(RULE_IDS, 1, 4)}
    # a protected environment makes these errors; clean projects relax them by name
    for r in ("latest-image", "mutable-tag", "single-replica", "no-tls-ingress", "secret-in-env", "privileged"):
        rules.setdefault(r, "warning" if r != "privileged" else "off")
    if ctx.bad():
        rules[g.choice(("nope", "latest_image", ""))] = g.choice(("error", "fatal", 1))
    return {"rules": rules}


def environment(ctx: Ctx, name: str, protected: bool, ext: str = "yaml") -> dict:
    g = ctx.g
    e: dict = {"overlays": [f"overlays/{name}.{ext}"]}
    if protected:
        e["protected"] = True
        e["policy"] = policy(ctx)
    elif name == "prod":
        e["protected"] = False
    if g.chance(0.1):
        e["profile"] = g.choice(("dev", "qa", "prod"))
    if g.chance(0.1):
        e["namespace"] = g.choice(("shop-prod", "x"))
    if g.chance(0.15):
        e["vars"] = {"tier": g.choice(("web", "api")), "n": g.choice((1, 5))}
    if g.chance(0.1):
        e["quota"] = {"cpu": "400", "memory": "2000Gi", "storage": "100Ti", "pods": 1000}
    if g.chance(0.1):
        e["budget"] = {"monthly": g.choice((1e6, 10 ** 9))}
    if ctx.bad(2):
        envp = load_schema("project")["properties"]["environments"]["additionalProperties"]["properties"]
        k = g.choice(("overlay", "protected", "quota", "budget", "vars", "profile"))
        e[k] = value(ctx, envp[k], k, 1) if k in envp and g.chance(0.5) else hostile(ctx)
    return e


# --------------------------------------------------------------------------- documents

def document(ctx: Ctx, kind: str, name: str, files: dict) -> Any:
    g = ctx.g
    if kind == "stdlib":
        return stdlib_doc(ctx, name)
    if kind == "template":
        return template_doc(ctx, name, files)
    if kind == "unknown":
        return g.choice(({"kind": "Ap", "name": name}, {"name": name}, ["a"], "text", None, {"kind": 3, "name": []},
                         {"kind": "App", "name": name, "image": "nginx:1", "kind ": "x"}, {}, 42))
    if kind == "Secret" and not ctx.bad(5):
        return secret_doc(ctx, name)
    schema = load_schema(KIND_FILES[kind])
    ctx.defs = schema.get("$defs", {})
    doc = obj(ctx, schema, None, 0)
    if not ctx.bad():
        doc = {"kind": kind, "name": name, **{k: v for k, v in doc.items() if k not in ("kind", "name", "use")}}
    if kind == "ConfigMap" and isinstance(doc, dict) and isinstance(doc.get("files"), dict):
        doc["files"] = {k: "config/nginx.conf" if not ctx.bad(5) else
                        g.choice(("missing.conf", "../outside.conf", "/etc/hostname", "config", "skyspec.yaml",
                                  "config/../../x", "", "config/nginx.conf\x00"))
                        for k in doc["files"]}
    return doc


def secret_doc(ctx: Ctx, name: str) -> dict:
    g = ctx.g
    keys = list(fields.SECRET_KEYS)
    body = g.choice(({"keys": keys}, {"existing": True},
                     {"external": {"store": "vault", "data": {k: f"{name}/{k}#value" for k in keys}}},
                     {"external": {"store": "vault", "store_kind": "ClusterSecretStore", "refresh": "1h",
                                   "data": {k: f"path/{k}" for k in keys}}},
                     {"keys": keys, "type": "Opaque"}) + (() if ctx.protected else ({"data": {k: fields.SECRET_VALUE for k in keys}},)))
    return {"kind": "Secret", "name": name, **body}


def stdlib_doc(ctx: Ctx, name: str) -> dict:
    g = ctx.g
    params = stdlib_params()
    tname = g.choice(sorted(params))
    kind, pschema = params[tname]
    ctx.kind = kind
    use = tname if not ctx.bad(2) else g.choice(("postgress", "../stdlib/redis", "./missing.yaml", "", "/etc/passwd"))
    doc: dict = {"kind": kind, "name": name, "use": use}
    if tname == "celery" and not ctx.bad(3):  # the workers run your image, from a broker's queues
        doc.update(image=image(g, ctx.protected), app="shop.tasks", broker="broker",
                   queues={q: {"concurrency": g.int(1, 4)} for q in g.subset(("default", "emails"), 1, 2)})
        ctx.refs.add(("broker", "broker"))
    ctx.defs = {}
    doc.update(obj(ctx, {"properties": {k: v for k, v in pschema.items() if k != "credentials"}}, None, 0))
    if "credentials" in pschema and not ctx.bad(3):
        doc["credentials"] = ctx.ref("secret")
    schema = load_schema(KIND_FILES[kind])
    ctx.defs = schema.get("$defs", {})
    keep = ("resources", "labels", "env", "storage", "annotations", "node_selector", "security", "strategy",
            "connect_to") if not ctx.bad(3) else tuple(schema["properties"])
    if tname == "celery" and not ctx.bad(3):  # the component makes ports, probes and autoscaling per worker
        keep = ("resources", "labels", "env", "annotations", "node_selector")
    extra = obj(ctx, {"properties": {k: v for k, v in schema["properties"].items()
                                     if k in keep and k not in ("kind", "name", "use", "image")}}, None, 0)
    doc.update(extra)
    backup = doc.get("backup")
    if isinstance(backup, dict) and str(backup.get("location", "")).startswith("pvc://") and "size" not in backup:
        ctx.refs.add(("claim", str(backup["location"])[6:].split("/")[0]))
    return doc


def template_doc(ctx: Ctx, name: str, files: dict) -> dict:
    """A spec using a project template, which may build on a stdlib template or another
    project template (in a cycle, when the case mutates)."""
    g = ctx.g
    kind = g.choice(("App", "StatefulApp", "Job"))
    ctx.kind = kind
    n = g.int(1, 2)
    for i in range(n):
        t: dict = {"description": "a template", "kind": kind,
                   "params": {"level": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
                   "spec": {"image": image(g, ctx.protected), "env": {"LEVEL": "${self.level}"},
                            "replicas": "${self.count}", "level": "info", "count": 1}}
        if kind != "Job":
            t["spec"]["ports"] = {"http": 8080}
        if i + 1 < n:
            t["use"] = f"./templates/{name}-t{i + 1}.yaml"
        elif ctx.bad(3):
            t["use"] = g.choice((f"./templates/{name}-t0.yaml", "postgres", "redis", "../t.yaml", "./templates"))
        if kind == "Job":
            del t["spec"]["replicas"], t["params"]["count"], t["spec"]["count"]
        if ctx.bad(3):
            t[g.choice(("spec", "params", "kind", "description"))] = hostile(ctx)
        files[f"templates/{name}-t{i}.yaml"] = to_yaml(g, [t])
    doc = {"kind": kind, "name": name, "use": f"./templates/{name}-t0.yaml"}
    if g.chance(0.5):
        doc["level"] = g.choice(("debug", "${env.name}")) if not ctx.bad() else g.choice((3, None, ["x"]))
    if kind != "Job" and g.chance(0.3):
        doc["count"] = g.int(0, 3) if not ctx.bad() else g.choice((-1, "x"))
    return doc


def repair(ctx: Ctx, doc: Any) -> None:
    """What a clean project needs beyond its schema: a port for probes, exposure and
    connections; no `port` beside `ports`; one server for a stdlib database."""
    if not isinstance(doc, dict) or str(doc.get("kind")) not in ("App", "StatefulApp"):
        return
    if "use" in doc:
        if doc.get("use") != "celery":
            doc.pop("replicas", None)
        doc.pop("port", None)
        return
    if "port" in doc and "ports" in doc:
        del doc["port"]
    if "port" not in doc and "ports" not in doc and (ctx.g.chance(0.9) or "health" in doc or "expose" in doc):
        doc["port"] = 8080
    h = doc.get("health")
    if isinstance(h, dict) and isinstance(doc.get("ports"), dict) and "http" not in doc["ports"]:
        doc["ports"]["http"] = 8081


def complete(ctx: Ctx, docs: list) -> None:
    """Declare what the documents refer to but nobody declared (always in clean cases, most
    of the time otherwise)."""
    g = ctx.g
    have = {(d.get("kind"), d.get("name")) for d in docs
            if isinstance(d, dict) and isinstance(d.get("kind"), str) and isinstance(d.get("name"), str)}
    kinds = {"config": "ConfigMap", "secret": "Secret", "account": "ServiceAccount", "claim": "Resource",
             "workload": "App", "broker": "StatefulApp"}
    for pool, name in sorted(ctx.refs):
        kind = kinds.get(pool)
        if kind is None or (kind, name) in have or ctx.bad(20):
            continue
        have.add((kind, name))
        if kind == "ConfigMap":
            docs.append({"kind": kind, "name": name, "data": {"a": "b", "n": 1}})
        elif kind == "Secret":
            docs.append(secret_doc(ctx, name))
        elif kind == "ServiceAccount":
            docs.append({"kind": kind, "name": name})
        elif pool == "broker":
            docs.append({"kind": kind, "name": name, "use": "redis"})
        elif kind == "Resource":
            docs.append({"kind": kind, "name": name, "manifest": {
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}})
        elif not any(isinstance(d, dict) and d.get("name") == name for d in docs):
            docs.append({"kind": "App", "name": name, "image": image(g, True), "port": 8080})


def write_specs(ctx: Ctx, docs: list, files: dict) -> None:
    """Spread the documents over one to three files, some as TOML twins (one document each)."""
    g = ctx.g
    groups: list[list] = [[] for _ in range(g.int(1, min(3, len(docs))))]
    for d in docs:
        groups[g.int(0, len(groups) - 1)].append(d)
    for i, grp in enumerate(groups):
        if not grp:
            continue
        if len(grp) == 1 and g.chance(0.25):
            rel, text = f"apps/s{i}.toml", to_toml(grp[0])
        else:
            rel, text = f"apps/s{i}.yaml", to_yaml(g, grp)
        if ctx.bad(2):
            text = damage(g, text)
        files[rel] = text
