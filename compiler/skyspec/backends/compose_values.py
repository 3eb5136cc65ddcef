"""Compose values of the Compose backend (:mod:`.compose`): CPU and memory in Compose's
units, a container's resources, the health check its exec probe makes (Kubernetes'
probe defaults written out, so Compose behaves like the cluster), the value of a
downward-API variable where Compose has the same one (this container's CPU and memory,
which Compose enforces alike), with the hint for one it has not, the platform a node
selector pins (and back), Kubernetes' `$(VAR)` expanded in commands, and strings escaped
from Compose's interpolation (but for the :class:`Interpolated` ones the backend means
Compose to interpolate). Pure functions
of the IR's containers and of plain data;
nothing here decides which services exist.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..ir.model import Container, EnvVar, Probe, Workload

# Kubernetes probe defaults, written out so Compose behaves like the cluster
K8S_PERIOD, K8S_TIMEOUT, K8S_FAILURES = 10, 1, 3


def cpus(millis: int) -> str:
    """Millicores as Compose's decimal cores: 250 -> "0.25", 2000 -> "2"."""
    whole, frac = divmod(millis, 1000)
    return str(whole) if not frac else f"{whole}.{frac:03d}".rstrip("0")


_UNITS = (("G", 2**30), ("M", 2**20), ("K", 2**10))


def memory(n: int) -> str:
    """Bytes as a Compose byte value (binary units): 268435456 -> "256M"; else exact bytes."""
    for suffix, mult in _UNITS:
        if n and n % mult == 0:
            return f"{n // mult}{suffix}"
    return str(n)


def resources(c: Container) -> dict:
    r = c.resources
    out: dict = {}
    for key, cpu, mem in (("limits", r.cpu_limit, r.memory_limit), ("reservations", r.cpu, r.memory)):
        part: dict = {}
        if cpu is not None:
            part["cpus"] = cpus(cpu)
        if mem is not None:
            part["memory"] = memory(mem)
        if part:
            out[key] = part
    return out


def exec_probe(c: Container) -> Probe | None:
    for p in (c.readiness, c.liveness, c.startup):
        if p is not None and p.type == "exec" and p.command:
            return p
    return None


def healthcheck(c: Container) -> dict | None:
    p = exec_probe(c)
    if p is None:
        return None
    hc: dict = {"test": ["CMD", *p.command],
                "interval": f"{p.period or K8S_PERIOD}s",
                "timeout": f"{p.timeout or K8S_TIMEOUT}s",
                "retries": p.failure_threshold or K8S_FAILURES}
    start = p.initial_delay or 0
    s = c.startup
    if s is not None and s is not p:
        start = max(start, (s.initial_delay or 0) + (s.period or K8S_PERIOD) * (s.failure_threshold or K8S_FAILURES))
    if start:
        hc["start_period"] = f"{start}s"
    return hc


def downward(c: Container, field: str) -> str | None:
    """The value Kubernetes gives a variable of the downward API reading ``field``, where
    Compose runs the container with the same: its CPU (whole cores, rounded up, as
    `resourceFieldRef` without a divisor gives them) and memory (bytes) requests and
    limits, which `deploy.resources` enforces alike (a request left out is its limit, as
    Kubernetes defaults it). None for the pod's fields (Compose has no pod), ephemeral
    storage and huge pages (Compose has neither limit), and a resource with no value."""
    r = c.resources
    value = {"limits.cpu": r.cpu_limit, "limits.memory": r.memory_limit,
             "requests.cpu": r.cpu if r.cpu is not None else r.cpu_limit,
             "requests.memory": r.memory if r.memory is not None else r.memory_limit}.get(field)
    if value is None:
        return None
    return str(-(-value // 1000)) if field.endswith(".cpu") else str(value)


def left_out(w: Workload, c: Container) -> Iterator[tuple[EnvVar, str, str]]:
    """The `downward:` variables of container ``c`` of ``w`` that Compose has no value for,
    each with the warning's message and hint (SKY505)."""
    who = f'"{w.name}"' if c is w.main else f'"{c.name}" of "{w.name}"'
    for e in c.env:
        if e.field is not None and downward(c, e.field) is None:
            yield e, (f'Compose has no downward API: variable "{e.name}" ({e.field}) of {who} is left out of the '
                      "Compose file"), downward_hint(e.field)


def downward_hint(field: str) -> str:
    """What a program can do in Compose without the downward variable reading ``field``."""
    if field == "metadata.name":
        return "a program can read $HOSTNAME instead: the pod's name in Kubernetes, the container's in Compose"
    if field.startswith("status.pod"):
        return "peers reach the container by its service name in Compose; inside it, `hostname -i` gives its address"
    if field.startswith(("limits.", "requests.")):
        return "Compose limits only CPU and memory: give the program a default for when the variable is unset"
    return "give the program a default for when the variable is unset"


class Interpolated(str):
    """A value Compose is meant to interpolate (`${SHOP_DB__PASSWORD:?...}`: a Secret's
    value from the user's `.env` or shell): :func:`escape` leaves it as it is."""

    __slots__ = ()


_REFERENCE = re.compile(r"\$\$|\$\(([^()$]*)\)")


def expanded(args: list[str], env: dict[str, str]) -> list[str]:
    """A container's command or arguments with Kubernetes' own expansion done, as the kubelet
    does it at the container's start: `$(VAR)` of a variable ``env`` sets is its value, `$$`
    a `$`, and any other `$(...)` stays as written. Compose has no such expansion: written as it
    is, `$(REDIS_PASSWORD)` reached the container, and a `sh -c` ran REDIS_PASSWORD as a command
    (chatwoot's redis then started without a password). A Secret's variable is its
    :class:`Interpolated` text, which Compose fills from the user's `.env`; the rest of such an
    argument is escaped here, since :func:`escape` leaves an :class:`Interpolated` string alone."""
    out = []
    for a in args:
        if "$" not in a or not _REFERENCE.search(a):
            out.append(a)
            continue
        parts: list[str] = []   # pieces, each plain text or an Interpolated one
        last = 0
        for m in _REFERENCE.finditer(a):
            parts.append(a[last:m.start()])
            name = m.group(1)
            parts.append("$" if name is None else env[name] if name in env else m.group(0))
            last = m.end()
        parts.append(a[last:])
        if any(isinstance(p, Interpolated) for p in parts):
            out.append(Interpolated("".join(p if isinstance(p, Interpolated) else p.replace("$", "$$") for p in parts)))
        else:
            out.append("".join(parts))
    return out


def escape(v: Any) -> Any:
    """`$` -> `$$` in every string value of plain data: Compose interpolates them otherwise.
    An :class:`Interpolated` string is left as it is. A mapping or list holding none is
    returned as it is (most of a Compose file: copying it all took a fifth of the backend's
    time), one that does as a copy."""
    if isinstance(v, str):
        return v if isinstance(v, Interpolated) else v.replace("$", "$$")
    if isinstance(v, (dict, list)):
        changed = {}
        for k, x in (v.items() if isinstance(v, dict) else enumerate(v)):
            y = x.replace("$", "$$") if type(x) is str else escape(x)
            if y is not x:
                changed[k] = y
        if not changed:
            return v
        if isinstance(v, dict):
            return {k: changed[k] if k in changed else x for k, x in v.items()}
        return [changed[i] if i in changed else x for i, x in enumerate(v)]
    return v


# the platforms of the well-known node labels that Compose (the OCI platform) names alike
OSES = ("linux", "windows")
ARCHES = ("amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le")


def platform(node_selector: dict) -> str | None:
    """Compose's `platform` (`linux/amd64`) of a pod whose node selector pins the architecture
    (`kubernetes.io/arch`, and `kubernetes.io/os`, Linux when it names none): the image
    variant Compose pulls and runs, as the cluster runs it on such nodes."""
    arch, os_ = node_selector.get("kubernetes.io/arch"), node_selector.get("kubernetes.io/os", "linux")
    return f"{os_}/{arch}" if arch in ARCHES and os_ in OSES else None


def pinning(given: str) -> tuple[dict, str] | None:
    """The node selector of a Compose `platform` (`linux/arm64/v8`) and its OCI variant (`v8`,
    which no node label says; "" when none), :func:`platform`'s way back; None for a
    platform no node label says (`wasi/wasm`)."""
    parts = given.split("/")
    if len(parts) not in (2, 3) or parts[0] not in OSES or parts[1] not in ARCHES:
        return None
    return {"kubernetes.io/os": parts[0], "kubernetes.io/arch": parts[1]}, parts[2] if len(parts) == 3 else ""
