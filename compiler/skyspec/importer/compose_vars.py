"""The variables a Compose file reads from the shell, which no `.env` sets (Flowise's
`DATABASE_TYPE: ${DATABASE_TYPE}`, DocuSeal's `caddy reverse-proxy --from $HOST`): Compose
interpolates them at `up` time, empty (and a warning) where the shell has none, so a literal
`$HOST` is no value the app expects (caddy took the text for its domain). The import writes
each as `${vars.NAME}`, a spec expression (an :class:`.emit.Expression`), in the env values,
commands, healthchecks and hooks that read it, and declares it empty in the project file's
`vars:`, for the project or an environment to set: both the Kubernetes objects and the built
Compose file then get the value it sets.

An env value keeps the variable as written until :func:`shell_vars` reads it; a command's
word, a healthcheck's or a hook's gets it as :data:`MARK` (what :func:`.compose.interpolate`
writes for it when asked): a script's own `$HOST` (the file's `$$HOST`) is text the shell
reads, and no mark. A word is one expression's text, also where the value would hold spaces
(Compose splits a string command after it interpolates).
"""

from __future__ import annotations

import re
import secrets

# a variable the shell sets, in a command's word until it is an expression; with a nonce of the
# run, which no input can write (a word of the file's own "\x01HOST\x01" stays its text)
_NONCE = secrets.token_hex(8)
MARK = "\x01" + _NONCE + "{}\x01"
_MARKED = re.compile("\x01" + _NONCE + "(\\w+)\x01")
_WORKLOADS = ("App", "StatefulApp", "Job")


def unset(word: str) -> str:
    """``word`` as Compose runs it where the shell sets none of the variables marked in it
    (empty): what the import's `${vars.NAME}` builds until the project sets them."""
    return _MARKED.sub("", word)


def _expression(word: str, read: set[str]) -> str:
    """``word`` with each marked variable as `${vars.NAME}` and every other `${` written `$${`
    (text, as the word ran): an Expression; ``word`` itself when nothing is marked in it."""
    from .emit import Expression

    if _MARKED.search(word) is None:
        return word
    bits = _MARKED.split(word)   # literal, name, literal, ...
    read.update(bits[1::2])
    return Expression("".join(b.replace("${", "$${") if i % 2 == 0 else f"${{vars.{b}}}"
                              for i, b in enumerate(bits)))


def _marked(v, read: set[str]):
    """``v`` (a spec's data) with every marked word an expression, in place."""
    if isinstance(v, str):
        return _expression(v, read)
    if isinstance(v, dict):
        for k in list(v):
            v[k] = _marked(v[k], read)
    elif isinstance(v, list):
        v[:] = [_marked(x, read) for x in v]
    return v


def _env_value(v: str, unresolved: set[str], read: set[str]) -> str:
    """An env value with each variable of ``unresolved`` it reads without a default as
    `${vars.NAME}`: an Expression; ``v`` itself when it reads none."""
    from .compose import _VAR
    from .emit import Expression

    out, last = [], 0
    for m in _VAR.finditer(v):
        name = m.group(2) or m.group(5)
        if name in unresolved and m.group(3) in (None, "?", ":?"):
            out += [v[last:m.start()].replace("${", "$${"), f"${{vars.{name}}}"]
            last = m.end()
            read.add(name)
    return Expression("".join(out) + v[last:].replace("${", "$${")) if out else v


def shell_vars(items: list, ctx) -> list[str]:
    """The variables the workloads read from the shell, which no `.env` sets: each is
    `${vars.NAME}` in the env values, commands, healthchecks and hooks that read it, and
    ``ctx.vars_text`` the project file's `vars:` declaring them empty, for each environment
    to set."""
    read: set[str] = set()
    for x in items:
        if x.doc.get("kind") not in _WORKLOADS:
            continue
        env = x.doc.get("env")
        for k, v in (env.items() if isinstance(env, dict) else ()):
            if isinstance(v, str) and "$" in v:
                env[k] = _env_value(v, ctx.unresolved, read)
        for key in ("command", "args", "health", "lifecycle"):
            if key in x.doc:
                x.doc[key] = _marked(x.doc[key], read)
    ctx.vars_text = ("# what the Compose file reads from the shell: empty, as Compose runs it unset; set each "
                     "here or per environment\nvars:\n" + "".join(f'  {n}: ""\n' for n in sorted(read))) if read else ""
    return sorted(read)
