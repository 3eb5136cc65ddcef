"""What a Compose file's networks admit, said as NetworkPolicies. In Compose, the services
that share a network reach each other by name on any port, also where no address in an
environment shows the call (frappe_docker's create-site reaches its database and Redis
through a script); skyspec's default deny admits only what `connect_to` says. So: when one
network holds every service (Compose's default network, or one the file names: frappe's
`frappe_network`), the project's `<project>-within-namespace` policy admits the namespace's
pods to each other (SKY072); else each network is a NetworkPolicy `<project>-network-<name>`
selecting its members' pods, by a label the import gives them
(`network.imported.skyspec.dev/<name>: "true"`), and admitting the same pods. A static
address on a network (`ipv4_address`), which no pod keeps, is a warning naming the services
whose environment holds it. It reads the services' data only.
"""

from __future__ import annotations

import hashlib
import re

from .compose_parts import interpolate_plain, plain_env
from .kube import Extracted
from .source import NOT_CARRIED, OPEN

DEFAULT = "default"   # the network of a service that names none
LABEL = "network.imported.skyspec.dev"   # the prefix of the label of a network's members
WORKLOADS = ("App", "StatefulApp", "Job", "CronJob")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def joined(services: dict, variables: dict) -> dict[str, list[str]]:
    """{service: the networks it is on}: those its `networks:` names (a list or a map), else
    Compose's `default`. `network_mode: service:X` shares X's network namespace, so X's
    networks; any other `network_mode` (`host`, `none`, `bridge`, `container:...`) none of the
    file's."""
    def own(svc) -> list[str] | str:
        if not isinstance(svc, dict):
            return []
        if svc.get("network_mode") is not None:
            mode = interpolate_plain(str(svc["network_mode"]), variables)
            return mode.partition(":")[2] if mode.startswith("service:") else []
        nets = svc.get("networks")
        if isinstance(nets, dict) and nets:
            return list(dict.fromkeys(str(n) for n in nets))
        if isinstance(nets, list) and nets:   # (a list's items are values: `- ${NETWORK_TYPE:-ipv4}`, interpolated)
            return list(dict.fromkeys(interpolate_plain(str(n), variables) for n in nets))
        return [DEFAULT]

    first = {s: own(svc) for s, svc in services.items()}
    out: dict[str, list[str]] = {}
    for s in services:
        got, seen = first[s], {s}
        while isinstance(got, str):   # (a service sharing one that shares another's)
            if got in seen or got not in first:
                got = []
                break
            seen.add(got)
            got = first[got]
        out[s] = got
    return out


def admitting(items: list[Extracted], names: dict, ctx) -> list[Extracted]:
    """The NetworkPolicies that admit what the Compose file's networks did, each said in a note
    (SKY072): `<project>-within-namespace` when one network holds every service, else one a
    network, whose members' workloads get its label."""
    from .kinds import open_namespace

    services = ctx.data["services"]
    docs = {x.doc["name"]: x.doc for x in items if x.doc["kind"] in WORKLOADS}
    nets = {s: n for s, n in joined(services, ctx.vars).items() if names.get(s) in docs}
    if not nets:
        return []
    every = set.intersection(*(set(n) for n in nets.values()))
    if every:
        net = DEFAULT if DEFAULT in every else sorted(every)[0]
        why = "every service of the Compose file is on its default network" if net == DEFAULT else \
            f"every service of the Compose file is on its network {net}"
        return [open_namespace(ctx.project, ctx.project, why + _external(net, ctx), ctx.pos(("services",)),
                               ctx.inputs)]
    _modes(nets, docs, names, ctx)
    members: dict[str, list[str]] = {}
    for s in sorted(nets):
        for n in nets[s]:
            members.setdefault(n, []).append(s)
    keys, policy = _label_keys(sorted(members)), _policy_names(ctx.project, sorted(members))
    out = []
    for net, ss in sorted(members.items()):
        label = {keys[net]: "true"}
        for s in ss:
            docs[names[s]]["labels"] = {**(docs[names[s]].get("labels") or {}), **label}
        who = ", ".join(names[s] for s in ss)
        what = f"the pods of {who} to each other: they share the Compose network {net}, on which they reached each " \
            "other" if len(ss) > 1 else f"the pods of {who} to each other: it is alone on the Compose network {net}, " \
            "on which its containers reached each other"
        ctx.inputs.note(OPEN, f"NetworkPolicy {policy[net]} admits {what}, also where no env value shows the call"
                        f"{_external(net, ctx)}", _where(net, ss, ctx),
                        hint=f"once connect_to declares every call between them, remove {policy[net]}: the default "
                             "deny and connect_to then admit exactly those")
        out.append(Extracted({"kind": "NetworkPolicy", "name": policy[net], "select": {"labels": label},
                              "allow_from": [{"labels": label}],
                              "_note": f"the Compose network {net} ({who}): its services reach each other on it, also "
                                       "where no env value shows the call; remove this once connect_to declares every "
                                       "call"}, [], []))
    return out


def _external(net: str, ctx) -> str:
    """The words a note adds for an external network: other projects' containers were on it."""
    top = ctx.data.get("networks")
    conf = top.get(net) if isinstance(top, dict) else None
    if not isinstance(conf, dict) or not conf.get("external"):
        return ""
    return f" (network {net} is external: the containers of other Compose projects on it reached them too; in " \
           "Kubernetes those run in other namespaces, which it does not admit: add `allow_from: [{namespace: ...}]` " \
           "for them)"


def _where(net: str, ss: list[str], ctx):
    """Where a network is declared (the top level's `networks:`), else its first member's `networks`."""
    top = ctx.data.get("networks")
    if isinstance(top, dict) and net in top:
        return ctx.doc.loc.child("networks").key_pos(net) or ctx.pos(("networks", net))
    svc = ctx.data["services"][ss[0]]
    return ctx.pos(("services", ss[0], "networks")) if isinstance(svc, dict) and "networks" in svc else \
        ctx.doc.loc.child("services").key_pos(ss[0]) or ctx.pos(("services", ss[0]))


def _modes(nets: dict, docs: dict, names: dict, ctx) -> None:
    """A note for each service whose `network_mode` puts it beside the file's networks: one sharing
    another's (`service:X`) is admitted on X's; one on the node's network (`host`) or Docker's
    bridge is on none of them, so no policy admits the other services to it."""
    for s, svc in sorted(ctx.data["services"].items()):
        if s not in nets or not isinstance(svc, dict) or svc.get("network_mode") is None:
            continue
        mode = interpolate_plain(str(svc["network_mode"]), ctx.vars)
        if mode.startswith("service:") and nets[s]:
            text = f"network_mode {mode}: its pods are admitted on the networks of {mode[8:]} " \
                   f"({', '.join(nets[s])}), whose network namespace it shares in Compose"
        elif mode in ("host", "bridge") or mode.startswith(("service:", "container:")):
            text = f"network_mode {mode}: on none of the Compose file's networks, so no NetworkPolicy admits the " \
                   "other services to it (in Compose they reached it at the host's address only)"
        else:
            continue
        say(ctx, docs[names[s]], s, text, ("network_mode",))


def say(ctx, doc: dict, s: str, text: str, path: tuple, level: str = "note", hint: str | None = None) -> None:
    """:meth:`Ctx.say` once the service's spec is made: the note reaches its comment too."""
    ctx.say(s, text, path, level, hint=hint, code=NOT_CARRIED)
    if doc.get("_notes") is not ctx.notes[s]:
        doc["_notes"] = [*(doc.get("_notes") or []), text]


def _hashed(base: str, raw: str, size: int) -> str:
    return f"{base[:size - 9].rstrip('-_.')}-{hashlib.sha256(raw.encode()).hexdigest()[:8]}"


def _label_keys(nets: list[str]) -> dict[str, str]:
    """{network: the key of its members' label}: the network's name where a label's name can be
    it, else that name made one, with a hash of the name (unique, and the same at every import)."""
    out = {}
    for n in nets:
        clean = re.sub(r"[^-A-Za-z0-9_.]", "-", n).strip("-_.") or "x"
        out[n] = f"{LABEL}/{n if _LABEL_NAME.match(n) else _hashed(clean, n, 63)}"
    return out


def _policy_names(project: str, nets: list[str]) -> dict[str, str]:
    """{network: its NetworkPolicy's name}, `<project>-network-<network as a DNS label>`; where that
    is too long or two networks would share it, shortened and told apart by a hash of the name."""
    from .compose import dns

    base = {n: f"{project}-network-{dns(n)}" for n in nets}
    count: dict[str, int] = {}
    for b in base.values():
        count[b] = count.get(b, 0) + 1
    return {n: b if len(b) <= 63 and count[b] == 1 else _hashed(b, n, 63) for n, b in base.items()}


_FIXED = ("ipv4_address", "ipv6_address")


def fixed_addresses(items: list[Extracted], names: dict, ctx) -> None:
    """A warning (SKY066) at each static address a service has on a network (`ipv4_address:
    172.20.0.2`): Kubernetes gives a pod a new address at each start, so it is not kept; when
    another service's environment holds that address (pihole's `PIHOLE_DNS_: 172.20.0.2#5054`),
    the warning names the service and variable. The value is not rewritten to the service's
    name: such a variable often takes an address only (Pi-hole's upstream DNS servers), which
    a name would break."""
    docs = {x.doc["name"]: x.doc for x in items if x.doc["kind"] in WORKLOADS}
    services = ctx.data["services"]
    envs = {s: {**ctx.env_files.get(s, {}), **plain_env(svc, ctx.vars)}
            for s, svc in sorted(services.items()) if isinstance(svc, dict)}
    for s, svc in sorted(services.items()):
        nets = svc.get("networks") if isinstance(svc, dict) else None
        if names.get(s) not in docs or not isinstance(nets, dict):
            continue
        for net, conf in nets.items():
            for key in _FIXED if isinstance(conf, dict) else ():
                if conf.get(key) is None:
                    continue
                ip = interpolate_plain(str(conf[key]), ctx.vars).strip()
                held = [f"{o}'s {var}" for o, env in envs.items() if o != s
                        for var, value in sorted(env.items()) if _holds(str(value), ip)]
                text = f"networks.{net}.{key} {ip} is not kept: Kubernetes gives a pod a new address at each start"
                if held:
                    text += f", and {', '.join(held)} holds it, which then reaches nothing"
                say(ctx, docs[names[s]], s, text, ("networks", net, key), "warning",
                    hint=f"call {s} by its Service's name ({names[s]}) instead of {ip}; where only an address will "
                         "do (a DNS server), fix its Service's `clusterIP` in your cluster's range with a `k8s:` "
                         "patch and use that")


def _holds(value: str, ip: str) -> bool:
    """Whether ``value`` holds the address ``ip`` as a whole (`172.20.0.2#5054`, `[fd00::2]:53`;
    not `172.20.0.21`)."""
    if not ip:
        return False
    if ":" in ip:
        return re.search(r"(?<![\w:])" + re.escape(ip) + r"(?![\w:])", value) is not None
    return re.search(r"(?<![\w.])" + re.escape(ip) + r"(?!\w|\.\d)", value) is not None
