"""One-shot tasks in a Compose file: a service that runs to completion (a migration, a
`chown` of a volume, a script that creates buckets and exits) is a Job; as a Deployment its
pod would be restarted forever once it exits. :func:`task` says why a service is one, from
what it runs, its restart policy, ports and healthcheck; it reads nothing else.
"""

from __future__ import annotations

import re

TASKS = {"chown", "chmod", "chgrp", "mkdir", "cp", "mv", "rm", "ln", "touch", "true", "install"}
_SHELLS = {"sh", "bash", "ash", "dash"}
_STATEMENTS = re.compile(r"[;&|\n]")
# a script that keeps a server up: it execs one, loops or waits forever
_RUNS_ON = re.compile(r"(?:^|[;&|\n(]\s*)exec\b|\b(?:while|until)\b|sleep\s+infinity|tail\s+-f")
# a program or subcommand that migrates or seeds a database (`prisma migrate deploy`, `kong migrations
# bootstrap`, `rake db:seed`, `./docker/prod/seeder`), never a flag (redpanda's `--seeds`)
_MIGRATES = re.compile(r"(?:[\w./-]*/)?(?:migrat\w*|seed(?:er|ing|s)?|db:(?:migrate|seed)\w*)")
_RESTARTS = (None, "no", "on-failure", "none")   # (`on-failure[:N]`: run until it succeeds, as a Job does)
# a name that says the service sets something up once (zammad's `zammad-init`, frappe's `create-site`)
_SETS_UP = re.compile(r"(?:^|[-_.])(?:init|setup|bootstrap|provision|create|createbuckets)(?:[-_.]|$)|^create")


def restart_of(svc: dict) -> str | None:
    """A service's restart policy: `deploy.restart_policy.condition` where it is given (it wins
    over `restart`, as the Compose specification says), else `restart` (`on-failure:3` is
    `on-failure`); None when neither says."""
    deploy = svc.get("deploy") if isinstance(svc.get("deploy"), dict) else {}
    policy = deploy.get("restart_policy") if isinstance(deploy.get("restart_policy"), dict) else {}
    if isinstance(policy.get("condition"), str):
        return {"any": "always"}.get(policy["condition"], policy["condition"])
    return str(svc.get("restart")).split(":")[0] if svc.get("restart") is not None else None


def task(svc: dict, name: str = "") -> str | None:
    """What makes a service ``name`` that nothing waits for a one-shot task, which runs to
    completion (a Job; as a Deployment it would be restarted forever once it exits): it has no
    port, no healthcheck, no restart policy but `on-failure`, and its restart policy is `none`
    (Compose runs it once), or what it runs (its entrypoint, else its command) is a program of
    :data:`TASKS`, a migration or seeding, or a shell script that neither execs nor loops and
    ends in `exit`, `echo` or one of those, or its name says it migrates or seeds, or that it sets
    something up (unless its script execs a server or loops). None for any other."""
    from .compose import argv

    restart = restart_of(svc)
    if restart not in _RESTARTS or svc.get("ports") or svc.get("expose") or svc.get("healthcheck"):
        return None
    if restart == "none":
        return "its restart policy is `none`: Compose runs it once"
    words = (argv(svc.get("entrypoint")) or []) + (argv(svc.get("command")) or [])
    program = words[0].rsplit("/", 1)[-1] if words else ""
    why = _runs(words, program)
    if why is None and _migrates(re.split(r"[-_.]", name.lower())):
        return "its name says it migrates or seeds a database"
    if why is None and any(_SETS_UP.search(n.lower()) for n in (name, program) if n) and \
            not (program in _SHELLS and len(words) > 2 and _RUNS_ON.search(words[2])):
        # (budibase's `couch-init`: `sh -c "sleep 10 && curl ... PUT ..."`, never restarted)
        return "it restarts on failure only, and its name says it sets something up" if restart == "on-failure" \
            else "Compose does not restart it, and its name says it sets something up"
    return why


def _runs(words: list[str], program: str) -> str | None:
    """Why what a service runs does its work and exits, or None."""
    if program in _SHELLS and len(words) > 2 and words[1] in ("-c", "-ec", "-euc", "-ce"):
        statements = [" ".join(st.split()) for st in _STATEMENTS.split(words[2].strip().rstrip(";")) if st.strip()]
        last = statements[-1].split() if statements else []
        if not last or _RUNS_ON.search(words[2]):
            return None
        if last in (["exit"], ["exit", "0"]):
            return "its script ends in `exit`"
        if last[0] in TASKS or last[0] in ("echo", "printf"):
            return f"its script ends in `{last[0]}`"
        return "its script ends in a migration or seeding" if _migrates(last) else None
    if program in TASKS:
        return f"`{program}` does its work and exits"
    return "it migrates or seeds a database" if _migrates(words) else None


def _migrates(words: list[str]) -> bool:
    return any(not w.startswith("-") and _MIGRATES.fullmatch(w) for w in words)
