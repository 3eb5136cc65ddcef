"""Generators for the fields whose valid values a schema cannot describe alone: coherent
resources (limits above requests), strategies that fit the kind, distinct ports, cron
schedules, volumes whose mounts differ, storage that does not clash with a volume, secret
references to keys the generated Secrets declare, raw manifests, `k8s:` patches by object
kind. Each returns a mostly valid value and, at the case's mutation rate, a subtly wrong one
(the schema-level mutations are :mod:`fuzz.values`' job). It draws from a
:class:`~fuzz.values.Ctx` and never runs the compiler.
"""

from __future__ import annotations

from typing import Any, Callable

from .values import CRONS, ZONES, Ctx, image, path, quantity

SECRET_KEYS = ("password", "token")
# the plaintext of every Secret value the cases hold: the properties look for it in what is printed and written
SECRET_VALUE = "hunter2"
GOOD_CRONS = CRONS[:5] + ("0-59/7 1-3 * * 1-5", "0 0 * * MON", "30 4 1 * *")
BAD_CRONS = tuple(c for c in CRONS if c not in GOOD_CRONS)
GOOD_ZONES = ZONES[:3]
EDGE_QTY = ("0", "0m", "1m", "+1", ".5", "1e3", "1E3", "1E", "9999999999999999999999Ei", "0.001", "1.5Gi", "1e-3",
            "1.", 0, 10 ** 20, 0.0001, 1e308, 2 ** 63, "0.0000001")
EDGE_CRONS = ("59 23 31 12 6", "*/1 * * * *", "0 0 29 2 *", "0 0 1,15 * 0-6", "0 */2 1-31/2 * *", "@weekly",
              "0 0 * * 7", "5-5 * * * *")


def cpu(ctx: Ctx, lo: float = 0.0) -> Any:
    if ctx.edge():
        return ctx.g.choice(EDGE_QTY)
    if ctx.bad():
        return quantity(ctx.g)
    return ctx.g.choice(("100m", "250m", "500m", "1", "2")) if lo < 0.1 else ctx.g.choice(("2", "4"))


def mem(ctx: Ctx, big: bool = False) -> Any:
    if ctx.edge():
        return ctx.g.choice(EDGE_QTY)
    if ctx.bad():
        return quantity(ctx.g)
    return ctx.g.choice(("64Mi", "128Mi", "256Mi", "512Mi")) if not big else ctx.g.choice(("1Gi", "2Gi"))


def resources(ctx: Ctx, schema: dict, depth: int) -> dict:
    g = ctx.g
    r: dict = {}
    if g.chance(0.9):
        r["cpu"] = cpu(ctx)
    if g.chance(0.9):
        r["memory"] = mem(ctx)
    if g.chance(0.3):
        r["cpu_limit"] = cpu(ctx, 1)
    if g.chance(0.3):
        r["memory_limit"] = mem(ctx, big=True)
    return r


def strategy(ctx: Ctx, schema: dict, depth: int) -> Any:
    g = ctx.g
    if ctx.kind == "StatefulApp":
        opts = ["rolling", "on-delete", {"rolling": {"partition": g.int(0, 2)}}, {"on-delete": True}]
        if ctx.bad():
            opts += ["canary", "blue-green", {"canary": {"percent": 10}}]
    else:
        opts = ["rolling", "recreate", "blue-green", {"rolling": {"max_surge": 1, "max_unavailable": 0}},
                {"rolling": {"max_surge": "25%", "max_unavailable": "0%"}}, {"recreate": True},
                {"blue-green": {"active": g.choice(("blue", "green")), "preview_image": image(g, ctx.protected)}},
                {"canary": {"percent": g.int(0, 100), "image": image(g, ctx.protected)}}]
        if ctx.bad():
            opts += ["on-delete", {"rolling": {"partition": 1}}, {"rolling": {"max_surge": "x"}},
                     {"canary": {"percent": 10}, "rolling": {}}]
    return g.choice(opts)


def autoscale(ctx: Ctx, schema: dict, depth: int) -> dict:
    g = ctx.g
    lo = g.int(1, 3)
    a = {"min": lo, "max": lo + g.int(0, 8), "cpu": g.int(10, 90)}
    if g.chance(0.3):
        a["memory"] = g.int(10, 90)
    if ctx.edge():
        a = g.choice(({"max": 2 ** 63, "cpu": 100}, {"min": 1, "max": 1, "memory": 1}, {"min": 10 ** 9, "max": 10 ** 9,
                                                                                         "cpu": 1}))
    if ctx.bad():
        a = g.choice(({"max": 2}, {"min": 5, "max": 2, "cpu": 50}, {"max": 1, "cpu": 0}, {"min": 0, "max": 0}))
    return a


def ports(ctx: Ctx, schema: dict, depth: int) -> dict:
    g = ctx.g
    out: dict = {"http": g.choice((8080, 80, 3000))}
    if g.chance(0.3):
        out["metrics"] = {"port": 9090, "protocol": "TCP"} if g.chance(0.3) else 9090
    if g.chance(0.1):
        out["dns"] = {"port": 5353, "protocol": "UDP"}
    if ctx.edge(2):
        out.update(g.choice(({"a" * 15: 65535}, {"x": 1}, {"udp": {"port": 8080, "protocol": "UDP"}},
                             {"sctp": {"port": 9, "protocol": "SCTP", "host_port": 65535}})))
    if ctx.bad():
        out[g.choice(("admin", "http", "a" * 16, "Metrics"))] = g.choice((8080, 0, 65536, {"port": 1, "host_port": 1}))
    return out


def schedule(ctx: Ctx, schema: dict, depth: int) -> str:
    return ctx.g.choice(BAD_CRONS if ctx.bad(3) else EDGE_CRONS if ctx.edge(2) else GOOD_CRONS)


def time_zone(ctx: Ctx, schema: dict, depth: int) -> str:
    return ctx.g.choice(ZONES if ctx.bad(3) else GOOD_ZONES)


def volumes(ctx: Ctx, schema: dict, depth: int) -> dict:
    g = ctx.g
    out: dict = {}
    mounts = set()
    for name in g.subset(("cache", "conf", "tmp-data", "creds-vol", "shared"), 1, 3):
        src = g.choice(("empty", "config", "secret", "claim") if ctx.bad() else
                       ["empty"] + [p for p in ("config", "secret", "claim") if ctx.names[p]])
        m = path(g) if ctx.bad() else f"/mnt/{name}"
        if m in mounts and not ctx.bad():
            continue
        mounts.add(m)
        v: dict = {"mount": m}
        if src == "empty":
            v["empty"] = True if g.chance(0.6) else {"memory": g.chance(0.5), "size": mem(ctx)}
        elif src == "config" and ctx.names["config"]:
            v["config"] = ctx.ref("config")
        elif src == "secret" and ctx.names["secret"]:
            v["secret"] = ctx.ref("secret")
        elif src == "claim" and ctx.names["claim"]:
            v["claim"] = ctx.ref("claim")
        else:
            v["empty"] = True
        if g.chance(0.2):
            v["read_only"] = True
        out[name] = v
    ctx.volumes = set(out)
    return out


def storage(ctx: Ctx, schema: dict, depth: int) -> Any:
    g = ctx.g
    if g.chance(0.4):
        return mem(ctx, big=True)
    out: dict = {}
    for name in g.subset(("data", "wal", "logs"), 1, 2):
        if name in ctx.volumes and not ctx.bad():
            continue
        out[name] = mem(ctx, big=True) if g.chance(0.4) else {
            "size": mem(ctx, big=True), **({"mount": f"/var/lib/{name}"} if g.chance(0.6) else {}),
            **({"class": g.choice(("fast-ssd", "standard"))} if g.chance(0.3) else {}),
            **({"access": g.choice(("ReadWriteOnce", "ReadWriteOncePod"))} if g.chance(0.3) else {})}
    return out or mem(ctx)


def secrets(ctx: Ctx, schema: dict, depth: int) -> dict:
    g = ctx.g
    out = {}
    for var in g.subset(("DB_PASSWORD", "API_TOKEN", "SECRET_KEY"), 1, 2):
        ref = {"secret": ctx.ref("secret"), "key": g.choice(SECRET_KEYS) if not ctx.bad() else "nokey"}
        if g.chance(0.5):
            ref["as"] = g.choice(("env", "file"))
        out[var] = ref
    return out


def env_from(ctx: Ctx, schema: dict, depth: int) -> list:
    g = ctx.g
    pool = [p for p in ("config", "secret") if ctx.names[p]] or (["config"] if ctx.bad() else [])
    out = []
    for p in g.subset(pool, 0, 2):
        e = {p: ctx.ref(p)}
        if g.chance(0.3):
            e["prefix"] = g.choice(("APP_", "X_"))
        out.append(e)
    return out


def health(ctx: Ctx, schema: dict, depth: int) -> Any:
    g = ctx.g
    probe = g.choice(("/healthz", {"http": "/ready", "period": g.int(1, 30)}, {"tcp": "http"}, {"tcp": 8080},
                      {"exec": ["true"]}, {"http": "/healthz", "port": "http", "timeout": 2},
                      {"exec": ["sh", "-c", "test -f /tmp/ok"], "startup": {"exec": ["true"], "failure_threshold": 30}},
                      {"http": "/live", "liveness": {"http": "/live"}, "readiness": {"tcp": "http"}}))
    if ctx.bad():
        probe = g.choice(({"tcp": "admin"}, {"http": "/x", "port": 1}, {"liveness": "/x", "readiness": {"tcp": "nope"}},
                          {"exec": []}, "/"))
    return probe


def expose(ctx: Ctx, schema: dict, depth: int) -> Any:
    g = ctx.g
    e = g.choice((True, {"host": "api.example.com", "tls": True}, {"type": g.choice(("ClusterIP", "NodePort",
                                                                                       "LoadBalancer"))},
                  {"host": "*.example.com", "path": "/api", "tls": "api-tls", "class": "nginx"},
                  {"port": "http", "host": "x.example.com"}))
    if ctx.protected and isinstance(e, dict) and "host" in e:
        e["tls"] = True
    if ctx.bad():
        e = g.choice(({"port": "admin"}, {"port": 1}, {"host": "UPPER.example.com"}, False, {"tls": True}))
    return e


def connect_to(ctx: Ctx, schema: dict, depth: int) -> list:
    g = ctx.g
    pool = list(ctx.earlier)
    if ctx.bad():
        pool += [ctx.name, "nope", ctx.g.choice(ctx.names["workload"] or ["api"])]
    return g.subset(pool, 0, 2)


EDGE_PATCHES = ({"spec": None}, {"spec": {"template": None}}, {"spec": {"template": {"spec": None}}},
                {"metadata": None}, {"metadata": {"name": "other"}}, {"metadata": {"labels": None}},
                {"spec": {"replicas": "x"}}, {"apiVersion": "v2"}, {"kind": "Pod"}, {"spec": {"ports": []}},
                {"spec": {"template": {"spec": {"containers": None}}}}, {"spec": {"selector": "x"}},
                {"spec": {"template": {"spec": {"containers": [{"name": "extra", "image": "x"}]}}}},
                {"metadata": {"annotations": {"a": None, "b": 1, "c": [1]}}}, {"status": {"x": 1}}, {"": {"": ""}},
                {"spec": {"jobTemplate": None}}, {"spec": {"volumeClaimTemplates": "x"}}, {"data": {"x": 1}})


def k8s(ctx: Ctx, schema: dict, depth: int) -> dict:
    g = ctx.g
    if ctx.edge(3):  # the escape hatch takes any map: bodies that fight the generated objects
        kinds = {"App": ("Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                         "NetworkPolicy"), "StatefulApp": ("StatefulSet", "Service", "PodDisruptionBudget"),
                 "Job": ("Job",), "CronJob": ("CronJob",)}.get(ctx.kind, ("ConfigMap", "Role", "NetworkPolicy"))
        return {g.choice(kinds): g.choice(EDGE_PATCHES) for _ in range(g.int(1, 2))}
    kinds = {"App": ("Deployment", "Service", "Ingress", "HorizontalPodAutoscaler"), "StatefulApp": ("StatefulSet", "Service"),
             "Job": ("Job",), "CronJob": ("CronJob",)}.get(ctx.kind, ("ConfigMap", "Role", "NetworkPolicy"))
    body = g.choice(({"spec": {"minReadySeconds": 10}}, {"metadata": {"annotations": {"a": "b"}}},
                     {"spec": {"template": {"spec": {"hostNetwork": False}}}}, {"metadata": {"labels": {"x": "y"}}}))
    out = {g.choice(kinds): body}
    if ctx.bad():
        out[g.choice(("Pod", "Deploymnt", "X", "Secret"))] = g.choice(({"spec": None}, {"metadata": {"name": "other"}},
                                                                        {"apiVersion": "v2"}))
    return out


def manifest(ctx: Ctx, schema: dict, depth: int) -> dict:
    g = ctx.g
    m = g.choice((
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": ctx.name},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": ctx.name}, "data": {"a": "b"}},
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": ctx.name}, "value": 1000},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": ctx.name},
         "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "api"}}}},
    ))
    if ctx.edge(3):  # typed where skyspec reads it, free elsewhere
        m = {**m, **g.choice(({"spec": "x"}, {"spec": None}, {"spec": {"resources": 5}},
                              {"spec": {"resources": {"requests": {"storage": "lots"}}}},
                              {"spec": {"resources": {"requests": {"storage": 10 ** 30}}}},
                              {"metadata": {"name": ctx.name, "labels": {"a": ""}, "namespace": "other"}},
                              {"data": {"é": "\x00", "": None}}, {"status": {}}, {"x" * 300: 1}))}
    if ctx.bad():
        m = g.choice(({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"p": SECRET_VALUE}},
                      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}},
                      {"apiVersion": 1, "kind": ["x"]}, {"apiVersion": "v1", "kind": "Pod"},
                      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": "x"}))
    return m


def security(ctx: Ctx, schema: dict, depth: int) -> dict:
    g = ctx.g
    s = {}
    for k, v in g.subset((("image_digest", False), ("writable_root_fs", True), ("run_as_user", 1000),
                          ("fs_group", 1000), ("network_policy", False), ("service_account_token", True)), 0, 2):
        s[k] = v
    if ctx.bad():
        s.update(g.choice(({"run_as_root": True}, {"privilege_escalation": True}, {"add_capabilities": ["SYS_ADMIN"]},
                           {"run_as_user": 0})))
    return s


def words(ctx: Ctx, schema: dict, depth: int) -> Any:
    g = ctx.g
    if ctx.edge(2):
        return g.choice(([], [""], ["é", "😀", "\x00"], "", "   ", ["x" * 5000], ["--a=${env.name}"], [1e308, -0.0],
                         "a\\ b 'c d' \"e\\\"f\"", "\u2028"))
    if ctx.bad(2):
        return g.choice(('a "b', "'", "a\\", "echo $HOME", "", "  ", "a\x00b", [1, 2.5, True], "x " * 3000))
    return g.choice((["python", "-m", "app"], ["--port", "8080"], "serve --workers 4", "run 'a b' \"c d\"",
                     ["sh", "-c", "echo $${HOSTNAME:-x}"], [8080, "x"]))


def replicas(ctx: Ctx, schema: dict, depth: int) -> Any:
    if ctx.edge():
        return ctx.g.choice((0, 10 ** 6, 2 ** 31, 2 ** 63, 10 ** 30))
    return ctx.g.int(0, 5) if not ctx.bad() else ctx.g.choice((10 ** 6, 2 ** 31, -1))


def image_field(ctx: Ctx, schema: dict, depth: int) -> str:
    return image(ctx.g, ctx.protected, ctx.bad())


def observability_apps(ctx: Ctx, schema: dict, depth: int) -> list:
    pool = list(ctx.workloads) or ([] if not ctx.bad() else ["api"])
    return ctx.g.subset(pool, 1, 2) or (["nope"] if ctx.bad() else pool[:1] or ["api"])


def mounts(ctx: Ctx, schema: dict, depth: int) -> dict:
    pool = sorted(ctx.volumes) + (["nope"] if ctx.bad() else [])
    return {v: f"/side/{v}" for v in ctx.g.subset(pool, 0, 2)}


# shared schema piece ($defs name) -> generator, and property name -> (the JSON type it must
# have, generator): consulted by fuzz.values.value before the schema
BY_REF: dict[str, Callable] = {
    "resources": resources, "strategy": strategy, "autoscale": autoscale, "ports": ports, "volumes": volumes,
    "storage": storage, "secretRefs": secrets, "envFrom": env_from, "health": health, "expose": expose,
    "k8sPatch": k8s, "security": security, "command": words, "containers": None,
}
BY_KEY: dict[str, tuple[str, Callable]] = {
    "schedule": ("string", schedule), "time_zone": ("string", time_zone), "connect_to": ("array", connect_to),
    "manifest": ("object", manifest), "replicas": ("integer", replicas), "image": ("string", image_field),
    "mounts": ("object", mounts), "apps": ("array", observability_apps),
}


def containers(ctx: Ctx, schema: dict, depth: int) -> dict:
    """Sidecars or init containers: an image and a few fields; ports and probes only when
    mutating (they would collide with the main container's)."""
    g = ctx.g
    out = {}
    for name in g.subset(("proxy", "migrate", "log-shipper"), 1, 2):
        c: dict = {"image": image(g, ctx.protected, ctx.bad())}
        if g.chance(0.4):
            c["command"] = words(ctx, schema, depth)
        if g.chance(0.3):
            c["env"] = {"SIDE": "1", "MODE": "${env.name}"}
        if g.chance(0.4):
            c["resources"] = resources(ctx, schema, depth)
        if g.chance(0.3):
            c["mounts"] = mounts(ctx, schema, depth)
        if ctx.bad(2):
            c.update(g.choice(({"ports": {"http": 8080}}, {"health": "/x"}, {"port": 1}, {"image": ""})))
        out[name] = c
    return out


BY_REF["containers"] = containers
