"""Routes a Compose file's reverse proxy reads from the services it routes: Traefik's labels
(`traefik.http.routers.<r>.rule: Host(`shop.example.com`)`, v1's `traefik.frontend.rule`) and
nginx-proxy's environment (`VIRTUAL_HOST`, `VIRTUAL_PORT`, `LETSENCRYPT_HOST`).

Such a proxy asks the Docker engine for the containers' labels and environment; a pod has no
engine to ask, so on Kubernetes those routes are Ingresses: each routed service gets `expose`
with the route's host, path prefix and TLS, on the port the proxy sent to (declared when the
service declared none: a proxy reaches any port of a container, an Ingress only a Service's).
The proxy itself is said to route nothing there: the cluster's ingress controller serves the
Ingresses. What an Ingress does not say (middlewares, TCP routers, a second host or path, a rule
of other matchers) is a warning naming it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from ..rules.official_image import repository
from ..schema.fields import INGRESS_HOST
from .compose_parts import label_pairs, plain_env

TRAEFIK = "traefik."
NGINX_PROXY = ("nginxproxy/nginx-proxy", "jwilder/nginx-proxy")
COMPANIONS = ("nginxproxy/acme-companion", "jrcs/letsencrypt-nginx-proxy-companion")   # (its certificates)
_MATCHER = re.compile(r"(!?)\s*([A-Za-z]+)\(([^()]*)\)")
_ARG = re.compile(r"`([^`]*)`|\"([^\"]*)\"")
_TLS_ENTRYPOINT = re.compile(r"--entry[pP]oints\.([A-Za-z0-9_-]+)\.http\.tls(?:\.|=|$)")
_QUIET = ("entrypoints", "priority")          # router keys that choose what an Ingress decides itself
_HOST = re.compile(INGRESS_HOST)
_QUIET_LABELS = {"traefik.enable", "traefik.docker.network", "traefik.constraint-label-stack"}


@dataclass
class Route:
    via: str                         # "Traefik" or "nginx-proxy"
    rule: str                        # as the service wrote it (said in the note)
    hosts: list[str] = field(default_factory=list)
    path: str | None = None
    tls: bool = False
    port: int | None = None
    left: list[str] = field(default_factory=list)   # what no Ingress says: warned
    at: tuple = ()                   # where the rule is, in the service


def routing_label(key: str) -> bool:
    """Whether a Compose label is Traefik's (read into `expose`, never a Kubernetes label)."""
    return key.startswith(TRAEFIK)


def proxy_of(image: str) -> str | None:
    """The reverse proxy an image is, when it routes by what other containers say."""
    name = repository(image)
    if name == "traefik" or name.endswith("/traefik"):
        return "Traefik"
    return "nginx-proxy" if name in NGINX_PROXY else None


def rule_parts(rule: str) -> tuple[list[str], str | None] | None:
    """(hosts, path prefix) of a Traefik v2/v3 rule of `Host` and `PathPrefix` matchers joined by
    `&&` (hosts also by `||`); None for any other rule (a negation, a header, a regexp, paths
    joined by `||`), which one Ingress rule does not say."""
    hosts: list[str] = []
    paths: list[str] = []
    for neg, name, args in _MATCHER.findall(rule):
        values = [a or b for a, b in _ARG.findall(args)]
        if neg or name not in ("Host", "PathPrefix") or not values:
            return None
        (hosts if name == "Host" else paths).extend(values)
    skeleton = _MATCHER.sub("M", rule)
    if not re.fullmatch(r"[\sM()&|]*", skeleton) or "M" not in skeleton or len(set(paths)) > 1 or \
            (paths and "||" in skeleton):
        return None
    return list(dict.fromkeys(h.lower() for h in hosts if h)), (paths[0] if paths else None)


def _v1_rule(rule: str) -> tuple[list[str], str | None] | None:
    """(hosts, path prefix) of Traefik 1's `Host:a.example.com,b.example.com;PathPrefix:/api`."""
    hosts: list[str] = []
    path = None
    for part in filter(None, (p.strip() for p in rule.split(";"))):
        name, _, values = part.partition(":")
        if name == "Host":
            hosts += [h.strip().lower() for h in values.split(",") if h.strip()]
        elif name == "PathPrefix" and "," not in values and path is None:
            path = values.strip()
        else:
            return None
    return hosts, path


def _tls_entrypoints(services: dict) -> set[str]:
    """The entry points a Traefik service of the file gives TLS on its command line
    (`--entrypoints.websecure.http.tls.certresolver=le`): its routers there are HTTPS."""
    out: set[str] = set()
    for svc in services.values():
        if isinstance(svc, dict) and proxy_of(str(svc.get("image") or "")) == "Traefik":
            cmd = svc.get("command")
            for word in ([cmd] if isinstance(cmd, str) else cmd if isinstance(cmd, list) else []):
                out.update(_TLS_ENTRYPOINT.findall(str(word)))
    return out


def _label_at(svc: dict, key: str) -> tuple:
    labels = svc.get("labels")
    if isinstance(labels, list):
        return next((("labels", i) for i, x in enumerate(labels) if str(x).split("=", 1)[0] == key), ("labels",))
    return ("labels", key)


def traefik(svc: dict, variables: dict, secure: set[str]) -> list[Route]:
    """The routes of a service's Traefik labels, one per router with a rule (its own order);
    ``secure``: the entry points the file's Traefik gives TLS (:func:`_tls_entrypoints`)."""
    routers: dict[str, dict] = {}
    ports: dict[str, int] = {}
    left: list[str] = []
    defined: dict[str, str] = {}   # middleware -> its type (`stripprefix`), as the labels define them
    used: list[str] = []           # the middlewares routers name (defined here or in Traefik's own configuration)
    enabled = True
    for k, v in label_pairs(svc, variables):
        if not routing_label(k):
            continue
        if v is None:   # (a value that passes a credential: the key only is said)
            left.append(f"{k} (it passes a credential)")
            continue
        parts = k.split(".")
        if k == "traefik.enable":
            enabled = v.strip().lower() != "false"
        elif parts[1:3] == ["http", "routers"] and len(parts) > 4:
            r = routers.setdefault(parts[3], {})
            key = ".".join(parts[4:])
            if key in ("rule", "service", "entrypoints"):
                r[key] = v
                if key == "rule":
                    r["_at"] = _label_at(svc, k)
            elif key == "tls" or key.startswith("tls."):
                r["tls"] = r.get("tls", False) or key != "tls" or v.strip().lower() == "true"
            elif key == "middlewares":
                used += [m.strip().partition("@")[0] for m in v.split(",") if m.strip()]
            elif key not in _QUIET:
                left.append(k)
        elif parts[1:3] == ["http", "services"] and parts[4:] == ["loadbalancer", "server", "port"] and \
                _number(v) is not None:
            ports[parts[3]] = _number(v)
        elif k == "traefik.frontend.rule":
            routers.setdefault("", {}).update(rule=v, v1=True, _at=_label_at(svc, k))
        elif k == "traefik.port" and _number(v) is not None:
            ports[""] = _number(v)
        elif parts[1:3] == ["http", "middlewares"] and len(parts) > 4:
            defined.setdefault(parts[3], parts[4])
        elif k not in _QUIET_LABELS:
            left.append(k)
    if not enabled:
        return []
    out = []
    for name, r in routers.items():
        if "rule" not in r:
            continue
        got = (_v1_rule if r.get("v1") else rule_parts)(r["rule"])
        port = ports.get(r.get("service", name)) or (next(iter(ports.values())) if len(ports) == 1 else None)
        eps = {e.strip() for e in str(r.get("entrypoints", "")).split(",")}
        tls = bool(r.get("tls")) or bool(eps & secure)
        route = Route("Traefik", r["rule"], *(got or ([], None)), tls=tls, port=port, at=r["_at"])
        if got is None:
            route.left.append(f"rule {r['rule']}")
        out.append(route)
    if out:
        out[0].left += [f"middleware {m} ({t})" for m, t in defined.items()] + \
            [f"middleware {m}" for m in dict.fromkeys(used) if m not in defined] + left
    return out


def nginx_proxy(svc: dict, variables: dict) -> list[Route]:
    """The route nginx-proxy reads from a service's environment."""
    env = plain_env(svc, variables)
    hosts = [h.strip().lower() for h in env.get("VIRTUAL_HOST", "").split(",") if h.strip()]
    if not hosts:
        return []
    tls = any(h.strip() for h in env.get("LETSENCRYPT_HOST", "").split(","))
    path = env.get("VIRTUAL_PATH", "").strip() or None
    return [Route("nginx-proxy", f"VIRTUAL_HOST={env['VIRTUAL_HOST']}", hosts, path, tls,
                  _number(env.get("VIRTUAL_PORT", "")), at=("environment",))]


def _number(text: str) -> int | None:
    """A port number a label or variable gives, or None (not one: a port is 1-65535)."""
    text = text.strip()
    return int(text) if text.isdigit() and text.isascii() and 0 < int(text) < 65536 else None


def table(services: dict, variables: dict) -> dict[str, list[Route]]:
    """{service: its routes} of a Compose file's services (:func:`routes_of`), read once per file:
    each service's ports and notes, and the round trip, look them up (read per service, for
    each other service, a file of many routed services took minutes)."""
    secure = _tls_entrypoints(services)
    return {s: routes_of(svc, variables, secure) for s, svc in services.items() if isinstance(svc, dict)}


def routes_of(svc: dict, variables: dict, secure: set[str]) -> list[Route]:
    """A service's routes, those of one host and path as one (an HTTP router beside the HTTPS one
    of its rule: one route, with TLS), the one `expose` says first (the first naming a host)."""
    merged: list[Route] = []
    for r in traefik(svc, variables, secure) or nginx_proxy(svc, variables):
        same = next((m for m in merged if (m.hosts, m.path) == (r.hosts, r.path)), None)
        if same is not None:
            same.tls, same.left = same.tls or r.tls, same.left + r.left
        else:
            merged.append(r)
    return sorted(merged, key=lambda r: not r.hosts)


def route(s: str, name: str, svc: dict, ports: dict, ctx) -> dict | bool | None:
    """The `expose` of a service a reverse proxy routes (None: none routes it), its port added to
    ``ports`` when it declared none; each route's differences said."""
    merged = copy.deepcopy(ctx.routes.get(s) or [])   # (the file's table stays as read: said here, in full)
    if not merged:
        return None
    first = merged[0]
    bad = [h for h in first.hosts if not _HOST.match(h)]   # (`example.com:8080`: no Ingress host)
    if bad:
        first.hosts = [h for h in first.hosts if h not in bad]
        why = f"host {', '.join(bad)}: no DNS name an Ingress routes"
        first.left.append(f"{why}" if first.hosts else f"rule {first.rule} ({why})")
    if first.path is not None and not first.path.startswith("/"):   # (nginx-proxy's `~^/api` is a regexp)
        first.left.append(f"path {first.path}")
        first.path = None
    numbers = [p if isinstance(p, int) else p["port"] for p in ports.values()]
    given = _given_ports(svc, ctx.vars)
    port = routed_port(svc, ctx.vars, merged)
    if port is None:
        ctx.say(s, f"{first.via} routes {first.rule} to a port it does not say, and the Compose file gives the "
                   f"container {len(given) or 'no'} ports: not exposed", first.at, "warning",
                hint="declare the port it listens on (`expose:` in the Compose file, or `port:` in the spec) and "
                     "add `expose: {host: ...}` to the spec")
        return None
    if port not in numbers:
        ports["http" if "http" not in ports else f"p{port}"] = port
    pname = next(n for n, p in ports.items() if (p if isinstance(p, int) else p["port"]) == port)
    expose: dict = {"host": first.hosts[0]} if first.hosts else {}
    if first.hosts and first.path and first.path != "/":
        expose["path"] = first.path
    if first.hosts and first.tls:
        expose["tls"] = True
    if pname != next(iter(ports)):
        expose["port"] = pname
    _said(s, name, first, merged, expose, port, ctx)
    return expose or True


def routed_port(svc: dict, variables: dict, routes: list[Route]) -> int | None:
    """The port of a service its first route (of ``routes``, its own) sends to: the one it names,
    else the container's one port (the proxy sees those the Compose file gives it); None when it
    is not routed."""
    if not routes:
        return None
    given = _given_ports(svc, variables)
    return routes[0].port if routes[0].port is not None else given[0] if len(given) == 1 else None


def _given_ports(svc: dict, variables: dict) -> list[int]:
    """The TCP ports of the container the Compose file gives (`ports`, `expose`), in order."""
    from .compose_parts import parse_port, port_item

    got = [parse_port(port_item(p, variables)) for key in ("ports", "expose") for p in svc.get(key) or []]
    return list(dict.fromkeys(g[0] for g in got if isinstance(g, tuple) and g[2] == "tcp"))


def _said(s: str, name: str, first: Route, routes: list[Route], expose: dict, port: int, ctx) -> None:
    shown = "{" + ", ".join(f"{k}: {'true' if v is True else v}" for k, v in expose.items()) + "}"
    parsed = not any(x.startswith(f"rule {first.rule}") for x in first.left)
    if first.hosts:
        ctx.say(s, f"{first.via} routes {first.rule} to port {port}: `expose: {shown}`, an Ingress, which the "
                   "cluster's ingress controller serves", first.at,
                hint=f"the Secret {name}-tls holds its certificate: a certificate manager makes it (cert-manager, "
                     "once the spec's `annotations:` name its issuer)" if expose.get("tls") else None)
    elif parsed:
        empty = "Host(``)" in first.rule or 'Host("")' in first.rule
        ctx.say(s, f"{first.via} routes {first.rule} to port {port} "
                   + ("(its host a variable left empty)" if empty else "on every host")
                   + ": `expose: true`, a Service only, the Ingress of `expose` needing a host", first.at, "warning",
                hint="add the host it serves: `expose: {host: NAME}` (and `path:`, `tls: true`)")
    left = [x for r in routes for x in r.left] + [f"host {h}" for h in first.hosts[1:]] + \
        [f"route {r.rule}" for r in routes if r is not first and r.hosts]
    if left:
        ctx.say(s, f"{first.via}'s {', '.join(dict.fromkeys(left))}: not carried over, `expose` "
                   + ("making one Ingress rule of one host and path prefix" if first.hosts else
                      f"being a Service of port {port} only"), first.at, "warning",
                hint="add the Ingress they need as a `kind: Resource` spec, or the ingress controller's annotations")


def proxy_note(s: str, image: str, ctx) -> None:
    """The reverse proxy itself (or nginx-proxy's certificate companion): on Kubernetes it has no
    Docker engine to read routes from."""
    companion = repository(image) in COMPANIONS
    via = "nginx-proxy" if companion else proxy_of(image)
    if via is None:
        return
    routed = sorted(n for n, routes in ctx.routes.items() if n != s and any(r.via == via for r in routes))
    if routed and companion:
        ctx.say(s, f"makes the certificates of {', '.join(routed)} from what they tell the Docker engine, which a pod "
                   "cannot ask: on Kubernetes a certificate manager makes the TLS Secrets their Ingresses name",
                ("image",), "warning", hint="leave it out (`enabled: false` in its spec) and use cert-manager")
    elif routed:
        ctx.say(s, f"{via} routes {', '.join(routed)} by what they tell the Docker engine, which a pod cannot ask: "
                   "their routes are Ingresses (`expose`), which the cluster's ingress controller serves, and this "
                   "service routes nothing there", ("image",), "warning",
                hint="leave it out (`enabled: false` in its spec), or run it as the cluster's ingress controller "
                     "(its Helm chart)")
