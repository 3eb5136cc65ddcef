"""Round-trip fidelity of a Compose import: the services of the Compose file a build of the
imported project writes, compared with the input's, field by field: image, entrypoint and
command, ports, environment, healthcheck, depends_on, volumes, secrets and configs (by their
target path), replicas, resources, stop_grace_period, profiles, and every other key the input
sets (restart, user, networks, keys the importer does not carry over: each a named difference,
warned about at import). Both sides are normalised the way Compose reads them (`$$` is `$`,
durations in seconds, Compose's healthcheck defaults), and every difference is put in a named
category or returned as unexplained. It never changes what it compares and never shows a
value of a credential (it counts them).
"""

from __future__ import annotations

import posixpath
import re

from .compose_addresses import (addressed, depends, local_probe, name_changes, own_names, renamed_hosts, runs_with,
                                wanted_ports)
from .compose_parts import (SHM, carried_label, label_pairs, plain_env, port_item, ram_bytes,
                            skyspecs_label, tmpfs_items, volume_of)
from .compose_pod import own_user, user_ids
from .compose_probe import probe_command, startup_threshold
from .compose_proxy import routed_port, routing_label, table
from .compose_vars import MARK, unset
from .compose import COMPOSE_INTERVAL, COMPOSE_TIMEOUT, argv, credential_refs, dns, interpolate, seconds
from ..backends.compose_secrets import secret_variable
from ..backends.compose_values import pinning
from ..redact import credential_env

# a variable the shell sets, no `.env` (:mod:`.compose_vars`), in an env value, a command or a healthcheck
SHELL_VAR = "a variable the shell sets at run time: `${vars.NAME}`, empty until skyspec.yaml's `vars:` sets it " \
            "(Compose runs it empty where the shell has none)"


def _ports(svc: dict, variables: dict | None = None) -> dict:
    """{"target/protocol": published and host_ip} of a service's ports (interpolated from
    ``variables``, the `.env`, when given: the input's, as the importer reads them)."""
    out: dict = {}
    for p in svc.get("ports") or []:
        if variables is not None:
            p = port_item(p if isinstance(p, dict) else str(p), variables)
        if isinstance(p, dict):
            t, h, proto, ip = p.get("target"), p.get("published"), p.get("protocol", "tcp"), p.get("host_ip")
        else:
            text, proto = (str(p).split("/", 1) + ["tcp"])[:2]
            parts = text.split(":")
            t, h = parts[-1], (parts[-2] if len(parts) >= 2 else None)
            ip = (parts[0] or None) if len(parts) == 3 else None   # (`:2283:2283`: every interface, as `2283:2283`)
        out[f"{t}/{proto}"] = {"published": str(h) if h not in (None, "") else None, "host_ip": ip}
    for p in svc.get("expose") or []:
        if variables is not None:   # (jitsi's prosody: `expose: ['${XMPP_PORT:-5222}']`)
            p = port_item(str(p), variables)
        text, proto = (str(p).split("/", 1) + ["tcp"])[:2]
        out.setdefault(f"{text}/{proto}", {"published": "expose", "host_ip": None})
    return out


def _env(svc: dict, variables: dict, base_env: dict | None = None) -> dict:
    return {**(base_env or {}), **plain_env(svc, variables)}


def _health(svc: dict, variables: dict | None = None, form: str | None = None) -> tuple[dict | None, bool, dict]:
    """The healthcheck with Compose's defaults filled in, its test as the command it runs
    (interpolated from ``variables`` when given, as the importer reads it:
    :func:`.compose_probe.probe_command`; a variable the shell sets, as written, or empty
    with ``form`` :data:`.compose_vars.MARK`); whether its test was a shell line; the
    credentials it passes."""
    hc = svc.get("healthcheck")
    if not isinstance(hc, dict) or hc.get("disable"):
        return None, False, {}
    test, found = hc.get("test"), {}
    if variables is not None:
        cmd, found, shell = probe_command(test, variables, None, form)
        test = ["CMD", *map(unset, cmd)] if cmd is not None else None
    else:   # (the built file's: `$$` is `$`)
        test = test.replace("$$", "$") if isinstance(test, str) else \
            [str(w).replace("$$", "$") for w in test] if isinstance(test, list) else test
        shell = isinstance(test, str) or (isinstance(test, list) and test[:1] == ["CMD-SHELL"])
        if isinstance(test, str):
            test = ["CMD", "sh", "-c", test]
        elif isinstance(test, list) and test[:1] == ["CMD-SHELL"]:
            test = ["CMD", "sh", "-c", " ".join(map(str, test[1:]))]
    if not isinstance(test, list) or test[:1] != ["CMD"]:
        return None, False, {}
    return {"test": [str(x) for x in test], "interval": seconds(hc.get("interval")) or COMPOSE_INTERVAL,
            "timeout": seconds(hc.get("timeout")) or COMPOSE_TIMEOUT, "retries": int(hc.get("retries", 3)),
            "start_period": seconds(hc.get("start_period")) or 0}, shell, found


def _deps(svc: dict) -> dict:
    return {k: o.get("condition", "service_started") for k, o in depends(svc).items()}


def compare(inp: dict, out: dict, variables: dict, env_files: dict,
            official: dict | None = None, image_volumes: dict | None = None,
            wanted: dict | None = None, called: dict | None = None,
            credentials: set | None = None) -> tuple[dict, list[str]]:
    """(figures, unexplained) for the input Compose data and the built one; ``env_files``
    maps a service to the variables its env_files gave; ``official`` ({service name: what
    :func:`.official.apply` changed}) names what a stdlib template or an official image's
    relaxations change; ``image_volumes`` ({service: folders}) the emptyDirs given to the
    `VOLUME`s of its Dockerfile; ``wanted``, the ports the import found addresses on (its
    files' too: :func:`.compose_addresses.wanted_ports`), else those of the environment;
    ``called`` ({service: [(callee, what holds its address, where)]}), the connections the
    import inferred (from a bound file's addresses too); ``credentials``, the values it took for
    credentials (:func:`.compose.known_credentials`, made again when not given)."""
    from .official import compose_category, exported

    official = official or {}
    figs = {"objects": 0, "fields": 0, "equal": 0, "categories": {}}
    bad: list[str] = []
    cats = figs["categories"]

    def named(cat: str) -> None:
        figs["fields"] += 1
        cats[cat] = cats.get(cat, 0) + 1

    from .compose import known_credentials
    from .credentials import holds_credential

    creds = credentials if credentials is not None else known_credentials(inp.get("services") or {}, variables)

    def cred(k: str, v) -> bool:   # (as the import moves them: by name, or holding another's value)
        return bool(credential_env(k, v) or holds_credential(v, creds))

    def field(path: str, a, b, cat: str | None = None) -> None:
        if a == b:
            figs["fields"] += 1
            figs["equal"] += 1
        elif cat:
            named(cat)
        elif dns(path.split(".", 1)[0]) in official and compose_category(path, official[dns(path.split(".", 1)[0])]):
            named(compose_category(path, official[dns(path.split(".", 1)[0])]))
        else:
            figs["fields"] += 1
            bad.append(path)

    osvcs = out.get("services") or {}
    routes = table(inp.get("services") or {}, variables)   # (a reverse proxy's: read once for the file)
    renames = name_changes(inp.get("services") or {}, variables, inp.get("networks"))
    wanted = wanted if wanted is not None else wanted_ports(inp.get("services") or {}, variables)
    first: dict[tuple, str] = {}   # (host port, protocol) -> the first service publishing it, in the file's order
    for s, svc in (inp.get("services") or {}).items():
        for k, v in _ports(svc or {}, variables).items():
            if v["published"] not in (None, "expose"):
                first.setdefault((v["published"], k.split("/")[-1]), s)
    for s, svc in sorted((inp.get("services") or {}).items()):
        svc = svc or {}
        figs["objects"] += 1
        o = osvcs.get(dns(s))
        if o is None:
            figs["fields"] += 1
            bad.append(f"{s}: no service")
            continue
        if svc.get("image"):
            field(f"{s}.image", interpolate(str(svc["image"]), variables, set()), o.get("image"))
        else:
            named("image built by Compose, named as Compose names it")
        ip, op = _ports(svc, variables), _ports(o)
        for k in sorted(set(ip) | set(op)):
            a, b = ip.get(k), op.get(k)
            if b is None and "-" in k:
                named("port range left out (warned)")
                continue
            if a is None and b is not None and b["published"] == "expose" and k.endswith("/tcp") and \
                    k[:-4].isdigit() and int(k[:-4]) in wanted.get(s, {}):
                named("a port an address in the environment or a bound file names (Kubernetes reaches only a "
                      "Service's ports)")
                continue
            if (a is None or a["published"] == "expose") and b is not None and \
                    k == f"{routed_port(svc, variables, routes.get(s, []))}/tcp":
                named("the port a reverse proxy routes to, published as an exposed workload's (declared: an Ingress "
                      "reaches only a Service's ports)")
                continue
            if a is None or b is None:
                field(f"{s}.ports[{k}]", a, b)
                continue
            if b["host_ip"] == "127.0.0.1" and a["host_ip"] in (None, "0.0.0.0", "::"):   # (every address: the default)
                named("published on 127.0.0.1 only")
            else:
                field(f"{s}.ports[{k}].host_ip", a["host_ip"], b["host_ip"])
            if a["published"] is None and b["published"] == k.split("/")[0]:
                named("published on the container's port (Compose picks a free one)")
            elif "$" in str(a["published"]):   # a variable the shell sets, which no `.env` holds (noted)
                named("published on a host port the shell sets at run time (not in the project)")
            elif b["published"] is None and a["published"] not in (None, "expose") and \
                    (svc.get("deploy") or {}).get("replicas", 1) not in (0, 1):
                named("published without a host port: replicas cannot share one (Docker picks free ones)")
            elif b["published"] is None and first.get((a["published"], k.split("/")[-1]), s) != s:
                named("published without a host port another service publishes (Compose could not start both)")
            else:
                field(f"{s}.ports[{k}].published", a["published"], b["published"])
        ie = _env(svc, variables, env_files.get(s))
        oe = {k: str(v).replace("$$", "$") for k, v in (o.get("environment") or {}).items()}
        found = addressed(s, ie, inp["services"], wanted, renames=renames)  # connect_to from addresses in the environment
        found.update((d, var) for d, var, _ in (called or {}).get(s, ()) if d not in found)   # (or a bound file)
        ih, shell, probed = _health(svc, variables)
        passes = _passed(svc, variables, probed)
        for k in sorted(set(ie) | set(oe)):
            a, b = ie.get(k), oe.get(k)
            if a is not None and b is None and cred(k, a) and f"{k}_FILE" in oe:
                named("credential moved to a Secret (read from <VAR>_FILE)")
            elif a is not None and secret_variable(b) and cred(k, a):
                named("credential moved to a Secret (set from its variable in .env)")
            elif secret_variable(b) and k in passes:   # (set in the container for the command: none was)
                named("credential the command or healthcheck passes, from a Secret (warned)")
            elif a is None and k.endswith("_FILE") and k[:-5] in ie and cred(k[:-5], ie[k[:-5]]):
                named("credential moved to a Secret (read from <VAR>_FILE)")
            elif (a is None and k.endswith("_FILE") and k[:-5] in passes) or \
                    (a is not None and b is None and f"{k}_FILE" in oe and k in passes):
                named("credential the command or healthcheck passes, from a Secret (warned)")
            elif a is None and k.endswith(("_HOST", "_PORT")) and \
                    k[:-5].lower().replace("_", "-") in {dns(d) for d in (*_deps(svc), *found)}:
                named("connect_to discovery variables")
            elif a is None and exported(k, official):
                named(exported(k, official))
            elif a is not None and b is not None and a != b and _unset(svc, k, variables) == b:
                named(SHELL_VAR)
            elif a is not None and b is not None and a != b and renamed_hosts(a, renames, k) == b:
                named("an address of a service by a name no Service has (renamed as a DNS label, a network alias, a "
                      "container_name), spelt as its Service's name")
            else:
                field(f"{s}.environment.{k}", a, b)
        oh, _, _ = _health(o)
        if ih is not None or oh is not None:
            for k in ("test", "interval", "timeout", "retries", "start_period"):
                a, b = (ih or {}).get(k), (oh or {}).get(k)
                if k == "test" and probed and a == b:
                    named("credential the healthcheck passes, read from the container's environment (warned)")
                    continue
                if k == "test" and a and b and a != b and (_health(svc, variables, MARK)[0] or {})["test"] == b:
                    named(SHELL_VAR)
                    continue
                if k == "test" and a and b and a != b and \
                        ["CMD", *local_probe(a[1:], own_names(s, svc, variables))] == b:
                    named("a healthcheck calling the service by its own name, which calls localhost")
                    continue
                window = startup_threshold(a or 0, ih["interval"], ih["retries"]) if k == "start_period" and ih \
                    and oh and a != b else None
                if window and b == ih["interval"] * window:
                    named("a startup window before the liveness probe counts (Compose restarts no unhealthy container)")
                    continue
                field(f"{s}.healthcheck.{k}", a, b, "shell test run as sh -c" if k == "test" and shell else None)
        # the input's services by the names the build gives them (`plausible_db` is `plausible-db`)
        named_as = {dns(k): k for k in _deps(svc)}
        idp, odp = {dns(k): v for k, v in _deps(svc).items()}, _deps(o)
        for k in sorted(set(idp) | set(odp)):
            a, b = idp.get(k), odp.get(k)
            was = named_as.get(k, k)
            if a is not None and b is None and not ((inp["services"].get(was) or {}).get("ports")
                                                    or (inp["services"].get(was) or {}).get("expose") or was in wanted):
                named("depends_on a service without ports (start order not kept)")
            elif a is not None and b is None and not runs_with(s, was, inp["services"]):
                named("depends_on a service only a profile the service is not in runs (start order not kept)")
            elif a == "service_started" and b == "service_healthy":
                named("depends_on waits for the target's healthcheck")
            elif a == "service_healthy" and b == "service_started" and \
                    not (inp["services"].get(was) or {}).get("healthcheck"):
                named("depends_on waits for a healthcheck the Compose file does not give (the image's own): the target "
                      "started (warned)")
            elif a is None and k in {dns(f) for f in found}:
                named("connect_to from an address in the environment or a bound file (Compose starts the target first)")
            elif a is None and k.startswith(f"{dns(s)}.copy-") and s in (image_volumes or {}):
                named("an init container filling a volume from the image (a Dockerfile VOLUME, an anonymous one), "
                      "as Docker fills a new one")
            else:
                field(f"{s}.depends_on.{k}", a, b)
        _more(s, svc, o, inp, variables, field, named, (image_volumes or {}).get(s, set()), ie, creds)
    return figs, bad


SAID = {"image", "build", "ports", "expose", "environment", "env_file", "healthcheck", "depends_on", "entrypoint",
        "command", "volumes", "secrets", "configs", "deploy", "stop_grace_period", "profiles", "post_start", "pre_stop",
        "labels", "platform", "shm_size", "tmpfs", "read_only"}
CARRIED_USER = "user the Kubernetes objects run as; the Compose file runs the image's own"
OWN_USER = "user the official image's own, which skyspec runs it as"
NOT_CARRIED = {"restart": "restart policy skyspec sets (unless-stopped)",
               "attach": "attach: which logs `docker compose up` shows",
               "user": "user name left to skyspec's non-root UID (warned)",
               "networks": "networks: one pod network, NetworkPolicies admitting the services sharing one (noted)",
               "container_name": "container name Compose derives from the service",
               "hostname": "hostname, the pod's by a `k8s:` patch (else warned), not in the built Compose file"}


def _targets(svc: dict, key: str, variables: dict | None = None) -> dict:
    """{target path: (kind, read_only)} of a service's volumes, secrets or configs (volumes
    interpolated from ``variables`` when given: the input's)."""
    out: dict = {}
    if key == "volumes":
        for typ, src, dst, ro in (volume_of(v, variables) for v in svc.get("volumes") or []):
            # by the path, `/logs/` as `/logs`: the last of two at one path is the one Compose mounts
            at = posixpath.normpath(str(dst)) if str(dst).startswith("/") else str(dst)
            out[at] = (typ if src or typ != "volume" else "anonymous", ro)
        return out
    for v in svc.get(key) or []:
        src, dst = (v, None) if isinstance(v, str) else (v.get("source"), v.get("target"))
        dst = dst or (f"/run/secrets/{src}" if key == "secrets" else f"/{src}")
        out[dst if str(dst).startswith("/") else f"/run/secrets/{dst}"] = (key, True)
    return out


def _inside_any(dst: str, files: set) -> bool:
    """Whether the output mounts something at ``dst`` (a file) or in it (a folder's files)."""
    return dst in files or any(f.startswith(dst.rstrip("/") + "/") for f in files)


def _external(svc: dict, inp: dict, variables: dict) -> set:
    """The target paths of a service's named volumes that are `external` (Compose expects them
    to exist; the import leaves them out, warned)."""
    ext = {str(n) for n, v in (inp.get("volumes") or {}).items() if isinstance(v, dict) and v.get("external")}
    return {str(dst) for typ, src, dst, _ in (volume_of(v, variables) for v in svc.get("volumes") or [])
            if typ == "volume" and src in ext}


def _cpus(v) -> str | None:
    try:
        return None if v is None else f"{round(float(v) * 1000)}m"
    except (TypeError, ValueError):
        return None


def _passed(svc: dict, variables: dict, probed: dict) -> set[str]:
    """The credentials a service's entrypoint, command, hooks and healthcheck (``probed``: those
    :func:`_health` found) pass (:func:`.compose.credential_refs`)."""
    hooks = [argv(h[0].get("command")) for h in (svc.get("post_start"), svc.get("pre_stop"))
             if isinstance(h, list) and len(h) == 1 and isinstance(h[0], dict)]
    return {n for key in ("entrypoint", "command") if svc.get(key)
            for x in ([svc[key]] if isinstance(svc[key], str) else map(str, svc[key]))
            for n in credential_refs(x, variables)[1]} | set(probed) | \
        {n for words in hooks if words for n in probe_command(["CMD", *words], variables)[1]}


def _more(s: str, svc: dict, o: dict, inp: dict, variables: dict, field, named, imaged: set,
          env: dict | None = None, creds: set | None = None) -> None:
    """The facets beyond what a service runs and talks to; ``env``, the service's environment,
    and ``creds``, the file's credentials (a command's literal one is written `$(NAME)`)."""
    from .compose import _literal_credentials

    held = {k: (v, None) for k, v in (env or {}).items()}
    for key, out_key in (("entrypoint", "entrypoint"), ("command", "command")):
        if svc.get(key):   # (a credential it passes as `$(NAME)`, as the importer writes it)
            refs = [credential_refs(x, variables) for x in ([svc[key]] if isinstance(svc[key], str)
                                                            else map(str, svc[key]))]
            literal: dict = {}

            def words(form: str | None) -> list | None:   # (a variable the shell sets as written, or in ``form``)
                a = argv(interpolate(refs[0][0], variables, set(), form) if isinstance(svc[key], str)
                         else [interpolate(x, variables, set(), form) for x, _ in refs])
                return [_literal_credentials(w, held, creds or set(), literal, key) for w in a] if a and creds else a
            a = words(None)
            b = [str(x).replace("$$", "$") for x in o.get(out_key) or []]   # (as the input: `$$` is `$`)
            for k, v in (o.get("environment") or {}).items():   # (the backend expands `$(NAME)` of a Secret's)
                if secret_variable(v):
                    b = [w.replace(v, f"$({k})") for w in b]
            if a == b and (any(found for _, found in refs) or literal):
                named("credential the command passes, as Kubernetes' $(NAME) from a Secret (warned)")
            elif a != b and [unset(w) for w in words(MARK) or []] == b:
                named(SHELL_VAR)
            else:
                field(f"{s}.{key}", a, b)
    binds = {d for d, (typ, _) in _targets(svc, "volumes", variables).items() if typ == "bind"}
    files = set(_targets(o, "configs")) | set(_targets(o, "secrets")) | set(_targets(o, "volumes"))
    tmpfs = {path for _, path, _ in tmpfs_items(svc, variables)}
    for key in ("volumes", "secrets", "configs"):
        it, ot = _targets(svc, key, variables), _targets(o, key)
        for dst in sorted(set(it) | set(ot)):
            a, b = it.get(dst), ot.get(dst)
            if key != "volumes" and a is None and any(_inside_any(m, {dst}) for m in binds):
                continue   # (a bind mount's files: said with the input's volumes)
            if a is not None and a[0] == "bind" and b is None and _inside_any(dst, files):
                named("the project's files of a bind mount, in a ConfigMap or Secret")
            elif a is None and b[0] == "tmpfs" and key == "volumes" and dst in tmpfs:
                named("tmpfs as a memory volume")
            elif a is None and dst == "/tmp" and (b[0] == "tmpfs" or (b[0] == "volume" and any(
                    volume_of(v)[1:3] == (f"{dns(s)}.tmp", "/tmp") for v in o.get("volumes") or []))):
                named("hardening skyspec adds (a /tmp tmpfs)")   # (a volume where an init container shares it)
            elif a is None and key == "volumes" and dst in imaged:
                named("a VOLUME of the service's Dockerfile, as a volume of its own (Docker gives it an anonymous one)")
            elif a is None and dst == SHM and b[0] == "tmpfs" and key == "volumes" and svc.get("shm_size") is not None:
                named("shm_size as a memory volume at /dev/shm")
            elif a is not None and a[0] == "bind" and b is None:
                named("bind mount left out (warned)")
            elif a is not None and a[0] == "bind" and b is not None and b[0] == "volume":
                named("a folder of the service's data (made at its first run, or in the host's home), kept in a volume")
            elif a is not None and a[0] == "volume" and b is None and key == "volumes" and dst in _external(svc, inp, variables):
                named("external volume left out (warned)")
            elif a is not None and b is not None:
                field(f"{s}.{key}[{dst}]", a[1], b[1])
            else:
                field(f"{s}.{key}[{dst}]", a, b)
    dep, odep = svc.get("deploy") or {}, o.get("deploy") or {}
    if "replicas" in dep:
        field(f"{s}.deploy.replicas", dep["replicas"], odep.get("replicas", 1))
    ires, ores = dep.get("resources") or {}, odep.get("resources") or {}
    for part in ("limits", "reservations"):
        for k in ("cpus", "memory"):
            a, b = (ires.get(part) or {}).get(k), (ores.get(part) or {}).get(k)
            limit = (ires.get("limits") or {}).get(k)
            if a is None and b is not None and part == "reservations" and limit is not None \
                    and (ores.get("limits") or {}).get(k) == b:
                named("a reservation at the limit, which is below the request overlays/dev.yaml gives")
            elif a is None and b is not None:
                named("resources from overlays/dev.yaml (Compose does not say)")
            elif a is not None:
                same = _cpus(a) == _cpus(b) if k == "cpus" else \
                    (ram_bytes(a) is not None and ram_bytes(a) == ram_bytes(b))
                field(f"{s}.deploy.resources.{part}.{k}", True, same)
    if svc.get("stop_grace_period") is not None:
        field(f"{s}.stop_grace_period", seconds(svc["stop_grace_period"]), seconds(o.get("stop_grace_period")))
    if svc.get("profiles"):
        named("profiles as environments (`enabled: false`, one overlay each)")
    given = interpolate(str(svc.get("platform") or ""), variables, set())
    pinned = pinning(given) if given else None
    if given and pinned is None:
        named("a key the importer does not carry over (warned)")   # (`wasi/wasm`: no node label says it)
    elif pinned is not None:   # `linux/arm64/v8`: the node selector of linux/arm64, which the build writes back
        field(f"{s}.platform", given.rpartition("/")[0] if pinned[1] else given, o.get("platform"),
              "platform without its variant (no node label says it)" if pinned[1] else None)
    for k, v in label_pairs(svc, variables):
        if routing_label(k):
            named("Traefik's labels: its routes as `expose` (an Ingress)")
        elif v is None:
            named("label that passes a credential left out (warned)")
        elif carried_label(k, v):
            field(f"{s}.labels.{k}", v, (o.get("labels") or {}).get(k))
        elif skyspecs_label(k):
            field(f"{s}.labels.{k}", v, (o.get("labels") or {}).get(k), "label skyspec sets, set by the build")
        else:
            named("label that is no Kubernetes label left out (warned)")
    if "read_only" in svc:
        named("read_only: a read-only root filesystem is skyspec's default")
    for key in sorted(set(svc) - SAID, key=str):
        if key == "restart" and svc[key] == o.get("restart"):
            field(f"{s}.restart", svc[key], o.get("restart"))
        else:
            named(CARRIED_USER if key == "user" and user_ids(svc, variables) is not None
                  else OWN_USER if key == "user" and own_user(svc, variables)
                  else NOT_CARRIED.get(key, "a key the importer does not carry over (warned)"))


def path_of(what: str) -> tuple:
    """The place in the Compose file of an unexplained difference (`api.ports[8080/tcp]...`):
    the service's key, as deep as the text tells."""
    s, _, rest = what.partition(".")
    s = s.split(":")[0]
    key = re.split(r"[.\[]", rest, 1)[0] if rest else ""
    return ("services", s, key) if key else ("services", s)


def _unset(svc: dict, key: str, variables: dict) -> str | None:
    """The service's env value ``key`` as Compose runs it where the shell sets none of what it
    reads and no `.env` does (empty): as the import's `${vars.NAME}` of it builds until the
    project sets it. None when the service's `environment` does not give it."""
    from .compose import _VAR, interpolate

    raw = svc.get("environment")
    if isinstance(raw, list):
        raw = dict(str(x).split("=", 1) for x in raw if "=" in str(x))
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str):
        return None
    def read(text: str) -> set:   # the names read without a default, in the defaults too
        got: set = set()
        for m in _VAR.finditer(text):
            if m.group(3) in (None, "?", ":?"):
                got.add(m.group(2) or m.group(5))
            elif m.group(4):
                got |= read(m.group(4))
        return got

    unset = read(value) - set(variables) - {None}
    return interpolate(value, {**variables, **dict.fromkeys(unset, "")}, set())
