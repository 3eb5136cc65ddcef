"""What a Compose service says of its pod, said in the language. The user it runs as
(`user:`): a numeric `UID[:GID]` (interpolated: Airflow's `${AIRFLOW_UID:-50000}:0`) as
`security:`, `root` as UID 0 with the capabilities a root entrypoint uses, the name of an
official image's own user as that image is run (:mod:`.official` runs it as its own user),
and any other name warned: only the image's /etc/passwd maps it, and skyspec runs a non-root
UID of its own. Its `platform:` as a node selector, its `hostname:` as the pod's, and its
lifecycle hooks.
"""

from __future__ import annotations

import re

from ..rules.official_image import OWN_USER, official

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")

# what a root entrypoint uses (chown its volumes, write where it does not own, drop to its
# user): Docker gives root these, and skyspec drops every capability
ROOT_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID")


def user_ids(svc: dict, variables: dict) -> dict | None:
    """The `security:` of a service's numeric `user: UID[:GID]`, as the Kubernetes importer
    reads `runAsUser`/`runAsGroup`; `root` is 0 in every image (Authentik's worker); None
    when there is no user or it is another name (which only the image's /etc/passwd maps)."""
    from .compose_parts import interpolate_plain
    from .containers import security_of

    if svc.get("user") is None:
        return None
    m = re.fullmatch(r"(\d+|root)(?::(\d+|root))?", interpolate_plain(str(svc["user"]), variables).strip())
    if m is None or max(len(m.group(1)), len(m.group(2) or "")) > 10:
        return None
    uid, gid = (None if g is None else 0 if g == "root" else int(g) for g in m.groups())
    if uid > 2147483647 or (gid or 0) > 2147483647:
        return None
    return security_of({"runAsUser": uid, **({"runAsGroup": gid} if gid is not None else {})}, {})


def named_user_group(svc: dict, variables: dict) -> int | None:
    """The GID of a `user: NAME:GROUP` whose group is a number or `root` (netbox-docker's
    `unit:root`: the image makes /opt/unit, media, reports and scripts group-writable for GID 0,
    the OpenShift way, so any UID of that group writes them), or None. The name only the
    image's /etc/passwd maps; the group the language says as `run_as_group`."""
    from .compose_parts import interpolate_plain

    if svc.get("user") is None:
        return None
    given = interpolate_plain(str(svc["user"]), variables).strip()
    m = re.fullmatch(r"([A-Za-z_][-A-Za-z0-9_.]*):(\d{1,10}|root)", given)
    gid = None if m is None else 0 if m.group(2) == "root" else int(m.group(2))
    return gid if gid is not None and gid <= 2147483647 else None


def own_user(svc: dict, variables: dict) -> bool:
    """Whether the service's `user:` names its official image's own user (`postgres`,
    `redis:redis`: Outline's Compose file), which the import runs it as (:mod:`.official`
    gives the image's user to every image it knows)."""
    from .compose_parts import interpolate_plain

    image, given = svc.get("image"), svc.get("user")
    key = official(interpolate_plain(image, variables)) if isinstance(image, str) else None
    name, _, group = interpolate_plain(str(given), variables).strip().partition(":")
    return key is not None and OWN_USER.get(key) == name and group in ("", name)


def user(s: str, svc: dict, doc: dict, ctx) -> None:
    """`user:` as the UID (and GID) the Kubernetes objects run as: an image made for one
    (its files owned by it) would not start as skyspec's UID 10001. An official image's own
    user is a note; any other user name is warned."""
    if svc.get("user") is None or svc["user"] == "":
        return
    from .compose_parts import interpolate_plain

    given = interpolate_plain(str(svc["user"]), ctx.vars)
    ids = user_ids(svc, ctx.vars)
    if ids is None and doc["kind"] in ("App", "StatefulApp") and own_user(svc, ctx.vars):
        ctx.say(s, f"runs as user {given}, the image's own: skyspec runs the official image as its own user too "
                   "(SKY063 says how)", ("user",), "note")
        return
    if ids is None:
        gid = named_user_group(svc, ctx.vars)
        if gid is not None and gid != 10001:
            doc["security"] = {"run_as_group": gid, **(doc.get("security") or {})}
        kept = "" if gid is None else f" with its group, GID {gid} (`security: {{run_as_group: {gid}}}`)"
        ctx.say(s, f"runs as user {given} in Compose; skyspec runs as a non-root UID{kept}", ("user",), "warning",
                hint="set `security: {run_as_user: UID}` if the image needs a given UID")
        return
    root = ""
    if ids.get("run_as_root") and "add_capabilities" not in ids:
        ids = {**ids, "add_capabilities": list(ROOT_CAPABILITIES)}
        root = f", with the capabilities Docker gives root that an entrypoint uses ({', '.join(ROOT_CAPABILITIES)})"
    if ids:
        doc["security"] = {**ids, **(doc.get("security") or {})}
    ctx.say(s, f"runs as user {given}: the Kubernetes objects run as it (`security:`){root}; the Compose file "
               "runs the image's own user", ("user",), "note")


def pinned(s: str, svc: dict, doc: dict, ctx) -> None:
    """`platform: linux/amd64` (an image Sentry runs on amd64 only) as the node selector that
    runs the pod on such nodes (a mixed cluster would start it on any, where it cannot run);
    the Compose backend writes it back. An OCI variant (`arm64/v8`) has no node label."""
    from ..backends.compose_values import pinning
    from .compose import interpolate

    given = interpolate(str(svc.get("platform") or ""), ctx.vars, ctx.unresolved)   # (`${DOCKER_PLATFORM:-}`)
    if not given:
        return
    got = pinning(given)
    if got is not None:
        doc["node_selector"] = got[0]
        if got[1]:
            ctx.say(s, f"platform {given}: the variant {got[1]} has no node label (nodes of "
                       f"{given.rpartition('/')[0]})", ("platform",), "note")
    else:
        ctx.say(s, f"platform {given} is not carried over: no node labels say it", ("platform",),
                "warning", hint="set `node_selector:` by hand if the image runs on some nodes only")


# the Kubernetes object a spec kind's pod template is in, as the Compose import writes them
_POD_OF = {"App": "Deployment", "Job": "Job"}


def hostname(s: str, svc: dict, doc: dict, ctx) -> None:
    """`hostname: broker` as the pod's hostname (a `k8s:` patch: the language has no field):
    the container resolves it to its own address, as in Compose. Confluent's Kafka binds its
    listeners to `broker:29092`, which Kubernetes' DNS resolves to the Service's address, where
    nothing can bind. A StatefulSet's pods are named by their controller (`broker-0`); an
    official image (`redis`) listens on every address, and a patch would keep its stdlib
    template out."""
    from .compose import interpolate

    if svc.get("hostname") is None:
        _self_named(s, svc, doc, ctx)
        return
    given = interpolate(str(svc["hostname"]), ctx.vars, ctx.unresolved)
    kind = _POD_OF.get(doc["kind"])
    if kind is None:   # (a server's clients reach it by its Service's name either way)
        ctx.say(s, f"hostname {given} is not carried over: a StatefulSet names its pods ({doc['name']}-0, ...)",
                ("hostname",), "note", hint="bind the service's listeners to 0.0.0.0 if it binds to its hostname")
        return
    if isinstance(doc.get("image"), str) and official(doc["image"]) is not None:   # (a patch keeps its template out)
        ctx.say(s, f"hostname {given} is not carried over: the official image listens on every address",
                ("hostname",), "note")
        return
    if not _DNS_LABEL.fullmatch(given):
        ctx.say(s, f"hostname {given} is not carried over: it is no DNS label, which a pod's hostname is",
                ("hostname",), "warning", hint="bind the service's listeners to 0.0.0.0 if it binds to its hostname")
        return
    doc.setdefault("k8s", {}).setdefault(kind, {}).setdefault("spec", {}).setdefault("template", {}) \
        .setdefault("spec", {})["hostname"] = given
    ctx.say(s, f"hostname {given}: the pod's (a `k8s:` patch); the container resolves it to its own address, as in "
               "Compose", ("hostname",), "note")


def _self_named(s: str, svc: dict, doc: dict, ctx) -> None:
    """A service that names itself as a host in its environment or command (Kafka's
    `KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka:9093` on `kafka`), run once: its own name as the
    pod's hostname (a `k8s:` patch), so that the name resolves to the pod, as Compose resolves
    a container's name to itself. Kubernetes' DNS gives the Service's address, which reaches
    the pod only once it is ready: a server that reaches itself while it starts never is."""
    from .compose_addresses import renamed_hosts

    kind = _POD_OF.get(doc["kind"])
    name = doc["name"]
    replicas = ((svc.get("deploy") or {}) if isinstance(svc.get("deploy"), dict) else {}).get("replicas", 1)
    if kind is None or replicas not in (0, 1) or not _DNS_LABEL.fullmatch(name) \
            or (isinstance(doc.get("image"), str) and official(doc["image"]) is not None):
        return
    said = [(f"environment {k}", v) for k, v in sorted((doc.get("env") or {}).items()) if isinstance(v, str)]
    said += [(key, w) for key in ("command", "args") for w in doc.get(key) or [] if isinstance(w, str)]
    where = next((what for what, v in said for n in {s, name} if renamed_hosts(v, {n: "\0"}) != v), None)
    if where is None:
        return
    doc.setdefault("k8s", {}).setdefault(kind, {}).setdefault("spec", {}).setdefault("template", {}) \
        .setdefault("spec", {}).setdefault("hostname", name)
    ctx.say(s, f"{where} calls the service by its own name: the pod's hostname is {name} (a `k8s:` patch), so the "
               "name resolves to the pod itself, as in Compose (Kubernetes' DNS gives its Service, which reaches the "
               "pod only once it is ready)", ("environment",) if where.startswith("environment") else ())


def hooks(s: str, svc: dict, ctx, passed: dict) -> dict[str, list[str]]:
    """{`post_start`/`pre_stop`: the command} of a service's lifecycle hooks, interpolated as
    Compose does (their `${VAR}` was kept as written); a credential one passes goes in ``passed``,
    read by its shell from the container's environment, as a probe's (:func:`.compose_probe.probe_command`:
    Kubernetes expands no `$(VAR)` in a hook either)."""
    from .compose import argv
    from .compose_probe import probe_command
    from .compose_vars import MARK

    out = {}
    for key in ("post_start", "pre_stop"):
        given = svc.get(key) or []
        words = argv(given[0].get("command")) if given else None
        if words and len(given) == 1:
            out[key], found, _ = probe_command(["CMD", *words], ctx.vars, ctx.unresolved, MARK)
            passed.update({k: (v, key) for k, v in found.items()})
        elif given:
            ctx.say(s, f"{key}: only one hook with a command is carried over", (key,), "warning")
    return out
