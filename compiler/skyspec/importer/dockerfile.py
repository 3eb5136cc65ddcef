"""What a Compose service's own Dockerfile says about how its image runs: the image it is
built from (Instana's robot-shop builds its `mongodb` `FROM mongo:5`, which writes /data/db
as UID 999 and crash-loops under the hardened defaults like the official image) and the
folders it declares `VOLUME` (Docker gives each an anonymous, writable volume; on a
read-only root filesystem they need a volume of their own).

The Dockerfile is read only where Compose would read it, inside the Compose file's folder
(:func:`skyspec.contain.contained`: no `..` out of it, no symlink leading out), of at most
:data:`LIMIT` bytes, or from `dockerfile_inline`; a context that is a URL, a file outside or
unreadable, or an instruction it cannot read gives nothing (the image is then read as any
other). It runs nothing, reads no other file and reports nothing.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import ChainMap
from pathlib import Path

from ..contain import contained
from ..record import Record

LIMIT = 256 * 1024
_ARG = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class Built(Record):
    """The final stage of a Dockerfile: the image it is built from (through its own earlier
    stages; None for `scratch` or one it cannot read), the folders it and those stages
    declare `VOLUME`, where they `COPY` or `ADD` files (absolute, from their `WORKDIR`), the
    folders other than `/` their `RUN`s start in (`RUN npm ci` fills `node_modules` there) and
    the TCP ports they `EXPOSE`."""

    def __init__(self, base: str | None, volumes: list[str], copied: list[str] | None = None,
                 ran: list[str] | None = None, exposed: list[int] | None = None):
        self.base = base
        self.volumes = volumes
        self.copied = copied or []
        self.ran = ran or []
        self.exposed = exposed or []   # the TCP ports it and those stages `EXPOSE`

    def ships(self, folder: str) -> bool:
        """Whether the image puts files at or below ``folder`` (an empty volume there hides them)."""
        top = folder.rstrip("/") + "/"
        return any((c.rstrip("/") + "/").startswith(top) for c in self.copied)

    def may_hold(self, folder: str) -> bool:
        """Whether the image may hold files at ``folder``: it puts some there or below, or
        ``folder`` lies in one it copies a folder into or runs commands in (a project's
        `node_modules`, under `COPY . .` and `RUN npm ci`)."""
        inside = folder.rstrip("/") + "/"
        return self.ships(folder) or any(inside.startswith(c.rstrip("/") + "/") for c in self.copied + self.ran
                                         if c.rstrip("/"))


def read(root: Path, build, args: dict[str, str]) -> Built | None:
    """The Dockerfile of a service's `build` (a context, or `{context, dockerfile,
    dockerfile_inline, target, args}`), under ``root`` (the Compose file's folder); ``args``:
    the build args Compose passes, interpolated. None where it cannot be read."""
    spec = {"context": build} if isinstance(build, str) else build if isinstance(build, dict) else None
    if spec is None:
        return None
    inline = spec.get("dockerfile_inline")
    if isinstance(inline, str):
        text: str | None = inline[:LIMIT]
    else:
        context, name = spec.get("context", "."), spec.get("dockerfile", "Dockerfile")
        if not isinstance(context, str) or not isinstance(name, str) or "://" in context or context.startswith("git@") \
                or os.path.isabs(name):
            return None
        text = _text(root, os.path.join(context, name))
    if text is None:
        return None
    given = {**{k: v for k, v in (spec.get("args") or {}).items() if isinstance(v, str)}, **args} \
        if isinstance(spec.get("args"), dict) else dict(args)
    return parse(text, given, spec.get("target") if isinstance(spec.get("target"), str) else None)


def _text(root: Path, rel: str) -> str | None:
    real = contained(root, rel, None, None, "Dockerfile")
    if real is None or not os.path.isfile(real):
        return None
    try:   # (not blocking on a FIFO swapped in after the check)
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            data = os.read(fd, LIMIT + 1)
        finally:
            os.close(fd)
    except OSError:
        return None
    return None if len(data) > LIMIT else data.decode("utf-8", "replace")


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) of each instruction, continuation lines joined and
    comments left out."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue   # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = (pending + stripped).strip()
        pending = ""
        word, _, rest = whole.partition(" ")
        if word:
            out.append((word.upper(), rest.strip()))
    if pending.strip():
        word, _, rest = pending.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def _expand(value: str, args) -> str | None:
    """``value`` with `$NAME`/`${NAME}`/`${NAME:-default}` replaced from ``args``; None when
    a name has no value (the image is then unknown)."""
    missing = False

    def sub(m: re.Match) -> str:
        nonlocal missing
        name = m.group(1) or m.group(3)
        if args.get(name):
            return args[name]
        if m.group(2) is not None:
            return m.group(2)
        missing = True
        return ""
    out = _ARG.sub(sub, value)
    return None if missing else out


def _volumes(rest: str) -> list[str]:
    if rest.startswith("["):
        import json

        try:
            got = json.loads(rest)
        except ValueError:
            return []
        return [v for v in got if isinstance(v, str)] if isinstance(got, list) else []
    return rest.split()


def _env(rest: str) -> dict[str, str]:
    """The variables of an `ENV` (`K=V K2="v 2"`, or the older `K V`)."""
    import shlex

    try:
        words = shlex.split(rest)
    except ValueError:
        return {}
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(w.partition("=")[::2] for w in words if "=" in w)


# more than a real Dockerfile has (a hostile one is not read: each instruction costs little, but
# a stage copies the ENV of the one it is built on)
MAX_INSTRUCTIONS, MAX_STAGES = 5000, 64


def parse(text: str, args: dict[str, str], target: str | None = None) -> Built | None:
    """The final stage (or ``target``) of a Dockerfile's text."""
    glob: dict[str, str] = {}
    stages: list[dict] = []
    found = instructions(text)
    if len(found) > MAX_INSTRUCTIONS:
        return None
    for word, rest in found:
        scope = ChainMap(stages[-1]["env"], stages[-1]["args"], glob) if stages else glob
        if word == "ARG":
            name, _, default = rest.partition("=")
            name = name.strip()
            own = stages[-1]["args"] if stages else glob
            own[name] = args.get(name, default.strip().strip("\"'") if default else own.get(name, glob.get(name, "")))
        elif word == "FROM":
            parts = [p for p in rest.split() if not p.startswith("--")]
            if not parts:
                return None
            image = _expand(parts[0], {**glob, **args})
            alias = parts[2].lower() if len(parts) >= 3 and parts[1].lower() == "as" else None
            up = next((st for st in reversed(stages) if st["alias"] and st["alias"] == str(image).lower()), None)
            if len(stages) >= MAX_STAGES:
                return None
            stages.append({"image": image, "alias": alias, "volumes": [], "args": {}, "copied": [], "ran": [], "exposed": [],
                           "env": dict(up["env"]) if up is not None else {},   # (a stage's ENV goes on)
                           "workdir": up["workdir"] if up is not None else "/"})
        elif word == "ENV" and stages:
            stages[-1]["env"].update(_env(rest))
        elif word == "WORKDIR" and stages:
            got = _expand(rest.strip().strip("\"'"), scope)
            if got:
                stages[-1]["workdir"] = posixpath.normpath(posixpath.join(stages[-1]["workdir"], got))
        elif word in ("COPY", "ADD") and stages:
            dest = _destination(rest, scope)
            if dest:
                stages[-1]["copied"].append(posixpath.normpath(posixpath.join(stages[-1]["workdir"], dest)))
        elif word == "RUN" and stages and stages[-1]["workdir"] != "/":
            stages[-1]["ran"].append(stages[-1]["workdir"])
        elif word == "EXPOSE" and stages:
            stages[-1]["exposed"] += _ports(rest, scope)
        elif word == "VOLUME" and stages:
            vs = [_expand(v, scope) for v in _volumes(rest)]
            stages[-1]["volumes"] += [v.rstrip("/") or "/" for v in vs if v and v.startswith("/")]
    if not stages:
        return None
    by_alias = {s["alias"]: s for s in stages if s["alias"]}
    final = by_alias.get(target.lower()) if target else stages[-1]
    if final is None:
        return None
    volumes: list[str] = []
    copied: list[str] = []
    ran: list[str] = []
    exposed: list[int] = []
    seen: set[int] = set()
    stage = final
    while True:   # through its own earlier stages to the image it is built from
        volumes = stage["volumes"] + volumes
        copied = stage["copied"] + copied
        ran = stage["ran"] + ran
        exposed = stage["exposed"] + exposed
        seen.add(id(stage))
        up = by_alias.get(str(stage["image"]).lower())
        if up is None or id(up) in seen:
            break
        stage = up
    base = stage["image"]
    if base is None or base.lower() == "scratch" or by_alias.get(str(base).lower()) is not None:
        base = None
    return Built(base, list(dict.fromkeys(volumes)), list(dict.fromkeys(copied)), list(dict.fromkeys(ran)),
                 list(dict.fromkeys(exposed)))


def _ports(rest: str, env) -> list[int]:
    """The TCP ports of an `EXPOSE` (`8080 8443/tcp ${PORT}`; a UDP one or a range is left out)."""
    out = []
    for word in rest.split():
        got = _expand(word, env) or ""
        port, _, proto = got.partition("/")
        if port.isdigit() and 0 < int(port) < 65536 and proto.lower() in ("", "tcp"):
            out.append(int(port))
    return out


def _destination(rest: str, env) -> str | None:
    """Where a `COPY`/`ADD` puts its files: its last argument (the JSON form's too), its
    flags (`--chown`, `--from`, ...) aside; None when it cannot be read."""
    if rest.startswith("["):
        import json

        try:
            got = json.loads(rest)
        except ValueError:
            return None
        words = [w for w in got if isinstance(w, str)] if isinstance(got, list) else []
    else:
        words = [w for w in rest.split() if not w.startswith("--")]
        words = [w for w in words if not w.startswith("<<")] if any(w.startswith("<<") for w in words) else words
    if len(words) < (1 if "<<" in rest else 2):
        return None
    return _expand(words[-1], env) or None
