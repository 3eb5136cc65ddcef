"""Compose values of the Compose backend (:mod:`.compose`): CPU and memory in Compose's
units, a container's resources, and the health check its exec probe makes (Kubernetes'
probe defaults written out, so Compose behaves like the cluster). Pure functions of the
IR's containers; nothing here decides which services exist.
"""

from __future__ import annotations

from ..ir.model import Container, Probe

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
