"""A Compose service's healthcheck as the spec's probes: its test as the command it runs
(interpolated as Compose does, a credential left for the probe's shell), its own name as
localhost, its timing, and a startup window where Kubernetes' liveness probe would restart a
container Compose leaves running."""

from __future__ import annotations

import re

from .compose_addresses import local_probe, own_names
from .compose_vars import MARK

# the time a container has to pass its first check before the liveness probe counts (seconds):
# Compose never restarts an unhealthy container, so a slow starter (a JVM under a CPU limit)
# that it waits for would be restarted by Kubernetes over and over without it
START_WINDOW = 300


def health(s: str, svc: dict, ctx, passed: dict) -> dict | None:
    """The probe of a service's healthcheck; a credential its test passes goes in ``passed``
    (name -> (value, "healthcheck")), read by the probe's shell from the container's environment."""
    from .compose import COMPOSE_INTERVAL, COMPOSE_TIMEOUT, seconds

    hc = svc.get("healthcheck")
    if not isinstance(hc, dict):
        return None
    if hc.get("disable"):
        ctx.say(s, "healthcheck disabled: the image's own HEALTHCHECK is not used in Kubernetes", ("healthcheck",))
        return None
    cmd, found, _ = probe_command(hc.get("test"), ctx.vars, ctx.unresolved, MARK)   # Compose reads `${PORT}` from `.env`
    if cmd is None and hc.get("test"):
        ctx.say(s, "healthcheck test NONE: no health check", ("healthcheck", "test"))
    if not cmd:
        return None
    passed.update({k: (v, "healthcheck") for k, v in found.items()})
    local = local_probe(cmd, own_names(s, svc, ctx.vars))
    if local != cmd:
        ctx.say(s, "healthcheck calls the service by its own name, which on Kubernetes is its Service: that sends "
                   "traffic only to ready pods, so the probe could never pass; it calls localhost", ("healthcheck",))
        cmd = local
    h: dict = {"exec": cmd, "period": seconds(hc.get("interval")) or COMPOSE_INTERVAL,
               "timeout": seconds(hc.get("timeout")) or COMPOSE_TIMEOUT}
    if hc.get("retries") is not None and hc["retries"] >= 1:
        h["failure_threshold"] = int(hc["retries"])
    start = seconds(hc["start_period"]) if hc.get("start_period") is not None else None
    window = startup_threshold(start or 0, h["period"], h.get("failure_threshold", 3))
    if window is not None:
        h["startup"] = {"failure_threshold": window}
        given = f"its start period of {start} s and its retries" if start else f"{START_WINDOW} s"
        ctx.say(s, f"healthcheck: a startup probe gives it {given} to pass a first check before the liveness probe "
                   "counts, and the readiness probe is not delayed: ready at its first passing check, as Compose "
                   "marks it healthy (Compose never restarts an unhealthy container; Kubernetes restarts one whose "
                   "liveness probe fails)", ("healthcheck",))
    return h


def startup_threshold(start: int, period: int, retries: int) -> int | None:
    """The startup probe's failure threshold that gives a container its healthcheck's start
    period and retries (wger's `start_period: 300s`: as an initial delay, its readiness waited
    5 minutes after every start; Compose marks it healthy at its first passing check), and at
    least :data:`START_WINDOW` seconds from its start; None when its plain timing gives that."""
    if period <= 0 or (not start and period * retries >= START_WINDOW):
        return None
    return -(-max(START_WINDOW, start + period * retries) // period)


def probe_command(test, variables: dict, unresolved: set | None = None,
                  unset: str | None = None) -> tuple[list[str] | None, dict, bool]:
    """(the command a healthcheck's test runs, interpolated as Compose does (a variable the
    shell sets in the form ``unset`` gives, :func:`.compose.interpolate`): None for `NONE`;
    {name: value} of the credentials it passes; whether the test was a shell line). A
    credential (`redis-cli -a ${REDIS_PASSWORD} ping`) is left for the probe's shell to read
    from the container's environment (Kubernetes expands no `$(VAR)` in a probe), so a test
    that was no shell line is run by `sh -c` then."""
    import shlex

    from .compose import credential_refs, interpolate

    if isinstance(test, str) or (isinstance(test, list) and test[:1] == ["CMD-SHELL"]):
        words, shell = [test if isinstance(test, str) else " ".join(map(str, test[1:]))], True
    elif isinstance(test, list) and test[:1] == ["CMD"]:
        words, shell = [str(x) for x in test[1:]], False
    else:
        return None, {}, False
    found: dict = {}
    out = []
    for w in words:   # (a credential as NUL, its name, NUL: no interpolation reads it)
        ref, more = credential_refs(w, variables, "\0{}\0")
        found.update(more)
        out.append(interpolate(ref, variables, unresolved if unresolved is not None else set(), unset))
    if shell:
        return ["sh", "-c", re.sub(r"\0(\w+)\0", r"${\1}", out[0])], found, True
    if not found:
        return out, found, False

    def word(w: str) -> str:   # a word with a credential: double-quoted, the credential expanded
        bits = w.split("\0")
        return '"' + "".join(re.sub(r'([\\"$`])', r"\\\1", b) if i % 2 == 0 else f"${{{b}}}"
                             for i, b in enumerate(bits)) + '"'
    return ["sh", "-c", " ".join(word(w) if "\0" in w else shlex.quote(w) for w in out)], found, False
