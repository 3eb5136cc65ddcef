"""Credentials: the Secret a spec names in `credentials` as the server's password.

The password becomes a secret reference mounted as a file (`secrets: {VAR: {secret, key,
as: file}}`, which the images read through their `*_FILE` convention), unless the spec
sets that variable itself; a template whose image cannot start without a password
requires one (SKY103). The backups find the password here too. This module only edits the
spec it is given; it knows no particular component and must not import anything above
`skyspec.layers`.
"""

from __future__ import annotations

from ..diagnostics import Pos, spelled
from ..provenance import MISSING
from ._common import Component, Ctx
from ._doc import Doc


def add_secret(doc: Doc, var: str, secret: str, key: str, pos: Pos | None) -> None:
    """`secrets: {VAR: {secret, key, as: file}}` unless the spec has its own VAR."""
    if all(doc.get(field, var) is MISSING for field in ("secrets", "env", "downward")):
        doc.put(("secrets", var), {"secret": secret, "key": key, "as": "file"}, pos)


def password_ref(doc: Doc, var: str, key: str = "password") -> tuple[str, str] | None:
    """The (secret, key) holding a server's password: `credentials`, or a `secrets:` entry
    the spec wrote itself (`POSTGRES_PASSWORD: {secret: x, key: y}`)."""
    c = doc.get("credentials")
    if isinstance(c, str):
        return c, key
    ref = doc.get("secrets", var)
    if isinstance(ref, dict) and isinstance(ref.get("secret"), str) and isinstance(ref.get("key"), str):
        return ref["secret"], ref["key"]
    return None


def needs_password(doc: Doc, comp: Component, ctx: Ctx, names: tuple[str, ...], why: str) -> bool:
    """Whether the spec gives the server a password (`credentials`, or one of the variables
    ``names`` in `env` or `secrets`); if not, the error says ``why`` it needs one."""
    if doc.get("credentials") is not MISSING:
        return True
    env, secrets = doc.get("env"), doc.get("secrets")
    if any(isinstance(env, dict) and n in env or isinstance(secrets, dict) and n in secrets for n in names):
        return True
    pos = doc.where("use")
    ctx.diags.error("SKY103", f'the {comp.name} template needs `credentials`: {why}', pos,
                    hint=spelled(pos, "declare a `kind: Secret` (e.g. `keys: [password]`) and name it: "
                                      "`credentials: <secret>`",
                                 f'add `.credentials(Secret("{doc.spec.name}-credentials").keys("password"))` (its key '
                                 "`password` is supplied at deploy time)"))
    return False
