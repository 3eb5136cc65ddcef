"""Credentials an input shares between its settings, the rule both importers use (the Compose
file's environment, the Kubernetes manifests' env values, Secrets and ConfigMaps): a value
that is a credential by its variable's name (:func:`skyspec.redact.credential_env`) makes
another setting holding that value, or holding it in its text, a credential too (mailcow's
`DBPASS=${DBPASS}` beside `MYSQL_PASSWORD=${DBPASS}`; kestra's configuration block with the
database's password; Bank of Anthos' ConfigMap key `ACCOUNTS_DB_URI` holding the password of
`POSTGRES_PASSWORD`). Pure functions: they read no file and register nothing.
"""

from __future__ import annotations

import re
from typing import Iterable

from ..redact import credential_env

SHORTEST_SHARED = 6   # a credential's value at least this long makes another variable holding it one
# a credential variable's placeholder, no secret (Appwrite's `_APP_VCS_GITHUB_PRIVATE_KEY=disabled`)
PLACEHOLDERS = frozenset({"disabled", "enabled", "none", "null", "true", "false", "default", "unset", "empty",
                          "localhost"})


def name_words(text: str) -> set[str]:
    """The lower-case words of a name the input gives (`bank-of-anthos` is bank, of, anthos)."""
    return set(re.split(r"[^a-z0-9]+", text.lower()))


def shared(pairs: Iterable[tuple[str, object]], named: set[str]) -> set[str]:
    """The values of ``pairs`` ((name, value) of settings) that are credentials by their name,
    of :data:`SHORTEST_SHARED` characters or more, that are no word of the names the input
    gives (``named``: a password `postgres`, the name of the service and its image, is no
    secret: the import writes those names) and no placeholder (:data:`PLACEHOLDERS`)."""
    out = {v for k, v in pairs if isinstance(v, str) and credential_env(k, v)}
    return {v for v in out if len(v.strip()) >= SHORTEST_SHARED and v.lower() not in named | PLACEHOLDERS}


def holds_credential(value, credentials: set[str], of: str = "the file") -> tuple[str, list[str]] | None:
    """(why, the credentials it holds) for a value of no credential's name that is one: a
    credential's value, or one holding such a value (kestra's `KESTRA_CONFIGURATION`, a YAML
    block with the database's password); None for any other. ``of`` says whose credentials
    they are, in the why."""
    if not isinstance(value, str) or not credentials:
        return None
    if value in credentials:
        return f"holds the value of a credential of {of}", [value]
    # (within a longer value, a plain lowercase word only as a word of it: `password` is in
    # `passwordless`, but nocodb's `NC_DB: pg://db:5432?u=postgres&p=password` holds it)
    held = sorted(c for c in credentials if len(c) < len(value) and c in value and
                  (not (c.isalpha() and c.islower()) or re.search(rf"(?<![A-Za-z0-9]){re.escape(c)}(?![A-Za-z0-9])", value)))
    return (f"holds a credential of {of} in its text", held) if held else None


def shared_credentials(items: list, ctx, services: dict[str, str]) -> None:
    """A credential a workload holds that is the very value a peer it connects to holds (an app's
    `DB_PASSWORD` and the database's `POSTGRES_PASSWORD`, both `${DB_PASSWORD}`): the workload reads
    the peer's Secret key, as the stdlib's pattern has it (`secrets: {DB_PASSWORD: {secret: pg,
    key: password}}`), so the one value is supplied once, not in two Secrets that must agree. Only
    a `connect_to` peer's: another service's equal value is another credential that happens to
    be the same. ``ctx.values`` holds each (Secret, key)'s value; ``services``, each workload's
    Compose service by its name."""
    docs = {x.doc.get("name"): x.doc for x in items}
    for x in items:
        doc = x.doc
        mine = f"{doc.get('name')}-env"
        for var, ref in sorted((doc.get("secrets") or {}).items()):
            value = ctx.values.get((ref.get("secret"), ref.get("key"))) if isinstance(ref, dict) else None
            if not value or ref.get("secret") != mine:
                continue
            theirs = _peer_key(var, value, [p for p in doc.get("connect_to") or () if isinstance(p, str) and p in docs],
                               ctx)
            if theirs is None:
                continue
            doc["secrets"][var] = {"secret": theirs[0], "key": theirs[1]}
            ctx.secrets[mine].discard(ref["key"])
            if not ctx.secrets[mine]:
                del ctx.secrets[mine]
            ctx.say(services[doc["name"]], f"environment {var} is the credential {theirs[0][:-4]} holds as "
                    f"{theirs[1]}: read from its Secret {theirs[0]}, so the one value is supplied once",
                    ("environment",))


def _peer_key(var: str, value: str, peers: list[str], ctx) -> tuple[str, str] | None:
    """The (Secret, key) of ``peers`` (in `connect_to` order) that holds ``value``, the credential
    ``var`` of their caller: the key named ``var`` where one is, else of the peer named in ``var``
    (REDIS_PASSWORD: the peer redis); None where the value names no one key. Ghostfolio's one
    env_file gives ACCESS_TOKEN_SALT and JWT_SECRET_KEY the one placeholder `<INSERT_RANDOM_STRING>`:
    the app's JWT_SECRET_KEY read the database's ACCESS_TOKEN_SALT, the first key of that value,
    and its REDIS_PASSWORD the database's copy, not the one Redis' own `--requirepass` reads."""
    found = [(f"{p}-env", k) for p in peers for k in sorted(ctx.secrets.get(f"{p}-env", ()))
             if ctx.values.get((f"{p}-env", k)) == value]
    found = [f for f in found if f[1] == var] or found
    words = name_words(var)
    found = [f for f in found if name_words(f[0][:-4]) <= words] or found
    return found[0] if len({k for _, k in found}) == 1 else None
