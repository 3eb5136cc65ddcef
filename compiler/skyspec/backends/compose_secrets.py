"""What the Compose backend (:mod:`.compose`) reads in place of the Secrets' values, which
the user provides and skyspec never writes.

* A Secret's key read as a file (`as: file`, a Secret volume) is a Compose secret read from
  the file `./secrets/<secret>/<key>` beside the Compose file, named `<secret>.<key>`
  (:func:`file_key`: a key Kubernetes would refuse is made a safe file name, with a hash);
  where a container of the file also reads that key as a variable (an app reading the
  database's password as `DB_PASSWORD`, the database its file), the Compose secret is made
  from that variable (`environment:`), so one value in `.env` serves both.
* A Secret's key read as a variable (`as: env`, the default; a Secret's `env_from`) is set by
  Compose interpolation of a variable the user sets in `.env` beside the Compose file, or in
  the shell: `DB_PASSWORD: ${SHOP_DB__PASSWORD:?...}` (:func:`interpolation`). `:?` stops
  `docker compose up` while the variable is unset or empty, as a missing file does, and the
  message names the Secret, the key and where to set it. The variable's name
  (:func:`variable_names`) is made of the Secret's name and the key, `__` between them,
  uppercase, `[A-Z0-9_]` only (a `_` first where it would start with a digit): two
  different keys that would get the same name within one Compose file both get a short
  hash of the Secret and key, so the names stay distinct and depend on nothing but the
  keys the file reads. `.env.example` (:func:`env_example`) lists them with empty values.

It decides names and text; it reads no file and never sees a value.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Iterable

from ..ir.model import IR, SecretRef
from .compose_values import Interpolated

SECRETS_DIR = "./secrets"        # beside the Compose file: the secret files the user provides
ENV_FILE = ".env"                # beside the Compose file: Compose reads it; the user's, never written
GITIGNORE = "/.env\n"            # the `.gitignore` beside the Compose file: the user's .env stays out of git
SECRETS_GITIGNORE = "*\n!.gitignore\n"   # `secrets/.gitignore`: the files in it stay out of git

_SAFE_KEY = re.compile(r"[-._a-zA-Z0-9]+\Z")  # \Z: `$` would also match before a final newline
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9]")    # ASCII only: what is left stays ASCII once upper-cased


def file_key(key: str) -> str:
    """A key as a file name: itself when Kubernetes would accept it, else made safe."""
    return key if _SAFE_KEY.match(key) and not key.startswith("..") and key != "." else _safe_key(key)


def _safe_key(key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return "k" + re.sub(r"[^-_a-zA-Z0-9]", "_", key)[:40] + "-" + digest


def key_table(ir: IR) -> dict[str, list[str] | None]:
    """The keys of each Secret (absent: not declared): those declared (`keys:`, an external
    store's), or for an `existing: true` Secret the keys the specs reference; None when
    Compose cannot know any. One pass over the specs for every Secret (not one per lookup:
    a Secret every workload reads made that quadratic)."""
    refs: dict[str, SecretRef] = {}
    for s in ir.secrets:
        refs.setdefault(s.name, s)                 # the first of a name
    used: dict[str, set[str]] = {}
    if any(ref.mode == "existing" and not ref.keys for ref in refs.values()):
        for w in ir.workloads:
            for c in w.containers + w.init_containers:
                for e in c.env:
                    for r in (e.secret, getattr(e, "file_ref", None)):   # file_ref: `as: file`
                        if r is not None:
                            used.setdefault(r[0], set()).add(r[1])
    return {name: list(ref.keys) if ref.mode != "existing" or ref.keys else sorted(used.get(name, ())) or None
            for name, ref in refs.items()}


def _plain(secret: str, key: str) -> str:
    name = f"{_NOT_IN_NAME.sub('_', secret)}__{_NOT_IN_NAME.sub('_', key)}".upper()
    return f"_{name}" if name[0].isdigit() else name    # a name cannot start with a digit


def _digest(secret: str, key: str) -> str:
    return hashlib.sha256(f"{secret}\0{key}".encode("utf-8")).hexdigest().upper()   # (no NUL in a Secret's name)


def variable_names(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The variable of each (secret, key) of one Compose file, one name per pair: `SHOP_DB__PASSWORD`,
    and where two pairs would share a name, each of them `<name>_<hash>` (8 hex digits of
    SHA-256 of the pair, longer while names still clash: the full 64 cannot, as equal
    names of that length have the same plain name and so the same pair)."""
    names = {p: _plain(*p) for p in sorted(set(pairs))}
    width = 0
    while True:
        count = Counter(names.values())
        clashing = [p for p, n in names.items() if count[n] > 1]
        if not clashing:
            return names
        width = min(64, max(8, width * 2))
        for p in clashing:
            names[p] = f"{_plain(*p)}_{_digest(*p)[:width]}"


def interpolation(name: str, secret: str, key: str) -> Interpolated:
    """The value of a variable read from key ``key`` of Secret ``secret`` through ``name``:
    Compose interpolates it, and stops with the message when ``name`` is unset or empty (the
    message holds no `}` or `$`: a Secret's name is a DNS label, the key a safe file name)."""
    return Interpolated(f"${{{name}:?Secret {secret}, key {file_key(key)}: set it in {ENV_FILE} beside compose.yaml "
                        f"(see {ENV_FILE}.example) or in the shell}}")


_INTERPOLATION = re.compile(r"\$\{[A-Z_][A-Z0-9_]*:\?Secret [-a-z0-9.]+, key [^}$]*\}\Z")


def secret_variable(value: object) -> bool:
    """Whether a value of a Compose file is :func:`interpolation`'s (as a Compose import's
    round trip reads the built file)."""
    return isinstance(value, str) and bool(_INTERPOLATION.match(value))


def env_example(variables: list[tuple[str, str, str]]) -> str:
    """`.env.example`: each (variable, secret, key) with an empty value, under a comment
    naming its Secret and key. Never a value."""
    lines = ["# The values of the Secrets this Compose file reads, which you provide: copy this file to",
             f"# {ENV_FILE} beside compose.yaml and fill them in, or set the variables in the shell.",
             "# `docker compose up` stops while one is unset or empty. skyspec never writes or removes",
             f"# {ENV_FILE}, and .gitignore keeps it out of git. Quote a value holding `$` with '...'."]
    for name, secret, key in variables:
        lines += ["", f"# Secret {secret}, key {file_key(key)}", f"{name}="]
    return "\n".join(lines) + "\n"
