"""The services a Compose file reaches by names no Service has on Kubernetes (its own,
renamed as a DNS label: `rallly_db` is `rallly-db`; a network alias; a `container_name`): an
env value's address is spelt as the Service's name (:func:`renamed`), and a warning says each
call the import cannot rewrite (:func:`renamed_called`): one an image's default or a config
file holds, and one in a value moved to a Secret, which the user supplies at deploy time
(Rallly's `DATABASE_URL=postgres://postgres:...@rallly_db/rallly`), so it must name the
Service there.
"""

from __future__ import annotations

from . import compose_addresses as addresses


def renamed(s: str, k: str, v: str, at: tuple, ctx) -> str:
    """An env value with the addresses of services by names no Service has (renamed as DNS
    labels, network aliases) spelt as their Services' names (`postgres://my_db:5432/app`
    reaches `my-db`: a Service's name has no `_`), said."""
    renames = ctx.renames
    got = addresses.renamed_hosts(v, renames, k) if renames else v
    if got != v:
        ctx.said_to.update(_named_in(v, k, renames, s))
        ctx.say(s, f"environment {k}: an address of a service by a name no Service has on Kubernetes (renamed as "
                   "a DNS label, a network alias or a container_name), rewritten to its Service's name", at)
    return got


def in_secret(s: str, k: str, v: str, ctx) -> None:
    """Records the renamed services whose address env value ``k`` of service ``s`` holds, a value
    moved to a Secret (not written, so not rewritten): ``ctx.secret_calls`` (service, renamed
    service) -> the variable."""
    for call in _named_in(v, k, ctx.renames, s):
        ctx.secret_calls.setdefault(call, k)


def _named_in(v: str, k: str, renames: dict, s: str) -> set[tuple[str, str]]:
    """{(``s``, a renamed service)} of the addresses value ``v`` (of variable ``k``) holds."""
    return {(s, old) for old in renames if addresses.renamed_hosts(v, {old: renames[old]}, k) != v}


def renamed_called(names: dict, items: list, ctx) -> None:
    """A warning at each service reached in Compose by a name no Service has on Kubernetes (its
    own, renamed as a DNS label; a network alias; its `container_name`) that a service calls without that name in its
    environment: the caller's image defaults or config files hold it, and the import cannot
    rewrite them (plausible's `plausible_db`, jitsi's `xmpp.meet.jitsi`), so it does not resolve; or a
    value moved to a Secret holds it, which the user supplies with the Service's name. (A
    name followed by a network's, `db.basic-docker`, is not one an image defaults to: not warned.)"""
    from .compose import interpolate

    by_name = {new: old for old, new in names.items()}
    for old, new in sorted(addresses.name_changes(ctx.data["services"], ctx.vars).items()):
        callers = sorted(by_name.get(x.doc["name"], x.doc["name"]) for x in items if new in x.doc.get("connect_to", ()))
        hidden = sorted((c, k) for (c, o), k in ctx.secret_calls.items() if o == old and (c, o) not in ctx.said_to)
        blind = [c for c in callers if (c, old) not in ctx.said_to and (c, old) not in ctx.secret_calls]
        if not blind and not hidden:
            continue
        reach, hint = _reach(old, new, blind, hidden, items, names)
        if old in names:
            ctx.say(old, f"named {new} on Kubernetes and in the built Compose file (a Service's name is a DNS "
                         f"label), {reach}", (), "warning",
                    hint=hint or f"set the address ({new}) in the environment of the services that call it (e.g. a "
                                 "DATABASE_URL), or rename the service in the Compose file")
        else:
            svc = ctx.data["services"].get(by_name[new]) or {}
            named = interpolate(str(svc.get("container_name")), ctx.vars, set()).strip() == old
            ctx.say(by_name[new], f"{'container_name' if named else 'network alias'} {old}: no Service has that name "
                                  f"on Kubernetes (this service's is {new}), {reach}",
                    ("container_name",) if named else ("networks",), "warning",
                    hint=hint or f"set the address ({new}) in the environment of the services that call it (the "
                                 f"variable their image reads {old} from)")


def _reach(old: str, new: str, blind: list, hidden: list, items: list, names: dict) -> tuple[str, str | None]:
    """(what the warning says of the callers: those reaching the service by an address no
    environment value holds, ``blind``; those whose value moved to a Secret holds it,
    ``hidden`` (service, variable); the hint for the Secrets' values, when there are some)."""
    said = []
    if blind:
        said.append(f"while {', '.join(blind)} reach{'es' if len(blind) == 1 else ''} it by an address no "
                    f"environment value holds (an image's default, a config file): {old} does not resolve there")
    if not hidden:
        return said[0], None
    where = [f"{c}'s {k} (Secret {_secret_of(c, k, items, names)})" for c, k in hidden]
    one = len(hidden) == 1
    said.append(f"{'and ' if blind else 'while '}{', '.join(where)} name{'s' if one else ''} it {old}: "
                f"{'a value' if one else 'values'} moved to a Secret (holding a credential), which the user supplies "
                f"at deploy time and the import does not rewrite: {'it' if one else 'they'} must name {new}")
    hint = f"supply {', '.join(where)} with the host {new}, not {old}"
    return ", ".join(said), hint + ("; and set the address in the environment of the others" if blind else "")


def _secret_of(c: str, k: str, items: list, names: dict) -> str:
    """The Secret service ``c``'s variable ``k`` is read from (its own `<service>-env`, or the
    one of a service holding the same credential)."""
    doc = next((x.doc for x in items if x.doc.get("name") == names.get(c)), {})
    ref = (doc.get("secrets") or {}).get(k)
    return ref["secret"] if isinstance(ref, dict) and "secret" in ref else f"{names.get(c, c)}-env"
