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
